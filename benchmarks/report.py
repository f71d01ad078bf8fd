# Copyright: (c) 2026, ctxlic maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Write docs/performance.md from the results of one benchmark run (pure: results dict in, text out)."""

from __future__ import annotations

from typing import Any

FULL_SIZES = (50, 200, 1000)
FULL_SITE_HOSTS = 200


# ------------------------------------------------------------------------------------------ format
def fmt_s(seconds: float | None) -> str:
    if seconds is None:
        return "n/a"
    if seconds >= 100:
        return f"{seconds:,.0f} s"
    if seconds >= 1:
        return f"{seconds:.2f} s"
    return f"{seconds * 1000:.1f} ms"


def fmt_ratio(value: float | None) -> str:
    return "n/a" if value is None else (f"{value:.0f}x" if value >= 100 else f"{value:.2f}x")


def fmt_bytes(size: float | None) -> str:
    if size is None:
        return "n/a"
    for unit, scale in (("GiB", 1024**3), ("MiB", 1024**2), ("KiB", 1024)):
        if size >= scale:
            return f"{size / scale:.1f} {unit}"
    return f"{int(size)} B"


def fmt_kb(kib: float | None) -> str:
    return "n/a" if kib is None else fmt_bytes(kib * 1024)


def controller_memory(memory: dict) -> str:
    return f"{fmt_kb(memory['controller_pss_kb'])} ({memory.get('workers_at_peak', 0)})"


def fmt_calls(dist: dict) -> str:
    if not dist:
        return "n/a"
    if dist["min"] == dist["max"]:
        return f"{dist['min']}"
    return f"{dist['mean']:.2f} ({dist['min']}-{dist['max']})"


def div(a: float | None, b: float | None) -> float | None:
    return a / b if a is not None and b else None


def table(header: list[str], rows: list[list[Any]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(c).replace("|", "\\|") for c in row) + " |" for row in rows]
    return [*lines, ""]


# ------------------------------------------------------------------------------------------ sections
def machine_section(results: dict) -> list[str]:
    m = results["machine"]
    load_start = m.get("load_average")
    load_end = results.get("load_average_end")
    rows = [
        ["CPU", f"{m['cpu']['model']}, {m['cpu']['logical_cpus']} logical CPUs ({m.get('usable_cpus')} usable)"],
        ["Memory", f"{fmt_bytes(m['memory']['total_bytes'])} total, "
                   f"{fmt_bytes(m['memory']['available_bytes'])} available at the start"],
        ["Load average (1/5/15 min)", f"start {_load(load_start)}; end {_load(load_end)}"],
        ["OS", m["os"]],
        ["Python", m["python"]],
        ["ansible-core", m["ansible_core"]],
        ["lxml", m["lxml"]],
    ]
    return ["## Machine", "", *table(["", ""], rows), *sections_run(results)]


def sections_run(results: dict) -> list[str]:
    """When each section was measured and the load around it (a resumed run measures them at different times)."""
    stamped = [("report build, parser, editor", results.get("pure"))]
    stamped += [(f"gather on {g['size']} hosts", g) for g in results.get("gather") or []]
    if results.get("site"):
        stamped.append((f"site.yml on {results['site'].get('size')} hosts", results["site"]))
    rows = [[label, section["measured_at"], f"`{section.get('revision', 'unknown')}`", fmt_s(section.get("section_s")),
             _load(section.get("load_before")), _load(section.get("load_after"))]
            for label, section in stamped if section and section.get("measured_at")]
    if not rows:
        return []
    return ["When each section ran (each section's ratios are between figures of that section only):", "",
            *table(["section", "started", "code (commit)", "took", "load before (1/5/15 min)", "load after"], rows)]


def not_measured(results: dict, prefix: str, skipped: str) -> str:
    """Why a section has no figures: still pending in a run that was stopped, or skipped by an option."""
    if any(key.startswith(prefix) for key in results.get("pending") or []):
        return "Not measured yet: the run stopped before this section; `scripts/bench.sh --resume` (same options) " \
               "measures it."
    return f"Not run (`{skipped}`)."


def _load(values: list[float] | None) -> str:
    return "n/a" if not values else " / ".join(f"{v:.2f}" for v in values)


def gather_section(results: dict) -> list[str]:
    out = ["## Fleet gather", ""]
    gathers = results.get("gather") or []
    if not gathers:
        return [*out, not_measured(results, "gather", "--skip-fleet"), ""]
    out += [
        "One lab fleet per size, created fresh (four kinds of servers in turn: current with one license file; "
        "behind a configured proxy with two; manual reporting with three pending upload zips; overdue build "
        "45000; every server also has the installer's `citrix_startup.lic`). Three playbooks run on it, one after "
        f"the other, with the same settings (forks {results['settings']['forks']}, the repository's `ansible.cfg`):",
        "",
        "* **collection gather**: `benchmarks/collection_gather.yml`, `ctxlic.license_server.info` on every host;",
        "* **naive gather**: `benchmarks/naive_gather.yml`, the same facts with one built-in module per file or "
        "command (registry, services, disk, `lmhostid` twice, `-query`, `lmstat`, MyFiles listing, one `slurp` "
        "per license file, `stat` + `slurp` of the upload result and of the proxy XML, pending zips);",
        "* **fleet_report.yml**: the shipped playbook end to end (gather, upgrade window, evidence history, all "
        "five report formats).",
        "",
        "Remote calls are module executions on the host, counted at `ActionBase._execute_module` by "
        "`benchmarks/callback_plugins/ctxlic_bench_calls.py`. CPU is user + system time of the whole "
        "`ansible-playbook` process tree (workers, modules, lab programs). Memory, sampled from `/proc`: peak PSS "
        "of the controller (`ansible-playbook` and the forked copies of it alive at that moment, how many in "
        "brackets: workers, up to forks, and short-lived forks about to start a module; the number depends on the "
        "machine's load), the largest single forked copy's PSS (about the cost of one worker running the task's "
        "action plugin), the main process's peak RSS (`VmHWM`), and peak PSS of the whole tree (modules "
        "and lab programs too).",
        "",
    ]
    header = ["hosts", "playbook", "remote calls / host", "wall", "CPU", "CPU / host",
              "controller PSS peak (workers)", "largest worker PSS", "main process peak RSS", "tree PSS peak", "rc"]
    rows = []
    for g in gathers:
        if g.get("error"):
            rows.append([g["size"], "all", f"FAILED: {g['error']}", "", "", "", "", "", "", "", ""])
            continue
        for key, label in (("collection", "collection gather"), ("naive", "naive gather"),
                           ("fleet_report", "fleet_report.yml")):
            run = g.get(key)
            if not run:
                rows.append([g["size"], label, "not run", "", "", "", "", "", "", "", ""])
                continue
            rows.append([g["size"], label, fmt_calls(run["calls"]), fmt_s(run["wall_s"]), fmt_s(run["cpu_s"]),
                         fmt_s(div(run["cpu_s"], run["hosts"])), controller_memory(run["memory"]),
                         fmt_kb(run["memory"]["worker_pss_kb"]), fmt_kb(run["memory"]["main_rss_kb"]),
                         fmt_kb(run["memory"]["tree_pss_kb"]), run["rc"]])
    out += table(header, rows)
    ratio_rows = []
    for g in gathers:
        c, n = g.get("collection"), g.get("naive")
        if not c or not n:
            continue
        ratio_rows.append([g["size"], fmt_ratio(div(n["calls"]["mean"], c["calls"]["mean"])),
                           fmt_ratio(div(n["wall_s"], c["wall_s"])), fmt_ratio(div(n["cpu_s"], c["cpu_s"])),
                           fmt_ratio(div(n["memory"]["worker_pss_kb"], c["memory"]["worker_pss_kb"]))])
    if ratio_rows:
        out += ["Ratios naive / collection (same fleet, same run):", ""]
        out += table(["hosts", "remote calls", "wall time", "CPU time", "largest worker PSS"], ratio_rows)
    out += _gather_checks(gathers)
    last = next((g for g in reversed(gathers) if g.get("naive")), None)
    if last:
        out += [f"Where the naive gather's calls go ({last['size']} hosts, per host):", ""]
        out += table(["task", "module", "calls / host"],
                     [[r["task"], f"`{r['module']}`", f"{r['per_host']:.2f}"] for r in last["naive"]["by_module"]])
    return out


def _gather_checks(gathers: list[dict]) -> list[str]:
    lines = []
    for g in gathers:
        for key in ("collection", "fleet_report"):
            run = g.get(key)
            if not run:
                continue
            counted, reported = run["calls"], run["reported_remote_calls"]
            target = "met" if counted["max"] == 1 and counted["min"] == 1 else "NOT met"
            lines.append(
                f"* {g['size']} hosts, {key.replace('_', ' ')}: target of one remote call per host for the gather "
                f"**{target}** (counted {fmt_calls(counted)}; `info` itself reported remote_calls "
                f"{fmt_calls(reported)} per host); failed or unreachable hosts: "
                f"{', '.join(run['failed_hosts']) or 'none'}."
            )
    return [*lines, ""] if lines else []


def report_section(results: dict) -> list[str]:
    pure = results.get("pure")
    if not pure:
        return ["## Report build", "", not_measured(results, "pure", "--skip-pure"), ""]
    if pure.get("error"):
        return ["## Report build, license parser, proxy editor", "", f"FAILED: {pure['error']}", ""]
    rep = pure["report"]
    base = rep["baseline"]
    out = [
        "## Report build",
        "",
        f"{rep['records']:,} synthetic server records: the {pure['report_templates']} demo-fleet servers (mixed "
        "states, one unreachable) gathered from a lab fleet with the lab's one-shot collection, parsed by "
        "`info_record.build_record` and cloned with distinct host names. Each stage is timed on its own: CPU time "
        f"of the benchmark process (steadier than wall time on a shared machine), best of "
        f"{results['settings']['repeat']}, and the ratio is taken on it; peak memory is `tracemalloc`'s peak for "
        f"that stage alone. Baseline: `{base['name']}` = {fmt_s(base['seconds'])} CPU "
        f"({fmt_bytes(base['output_bytes'])} of JSON, peak {fmt_bytes(base['peak_bytes'])}).",
        "",
    ]
    rows = [[s["name"], fmt_s(s["seconds"]), fmt_s(s.get("wall_seconds")), fmt_ratio(s["ratio"]),
             fmt_bytes(s["peak_bytes"]), fmt_bytes(s["output_bytes"]) if s["output_bytes"] is not None else ""]
            for s in rep["stages"]]
    rows.append(["**total (all stages, all formats)**", fmt_s(rep["total"]["seconds"]),
                 fmt_s(rep["total"].get("wall_seconds")), fmt_ratio(rep["total"]["ratio"]), "", ""])
    out += table(["stage", "CPU time", "wall time", "ratio to baseline (CPU)", "peak memory", "output size"], rows)
    small = pure.get("report_small")
    if small:
        out += [f"Scaling from {small['records']:,} to {rep['records']:,} records (time exponent k in time ~ "
                "records^k; 1.0 is linear, 2.0 quadratic):", ""]
        out += table(["stage", f"time at {small['records']:,}", f"time at {rep['records']:,}", "k"],
                     [[s["name"], fmt_s(s["small_seconds"]), fmt_s(s["seconds"]),
                       "n/a" if s["exponent"] is None else f"{s['exponent']:.2f}"] for s in pure["report_scaling"]])
    out += [f"Fleet status of the synthetic fleet: {rep['fleet_status']}; servers in the model: "
            f"{rep['servers_in_model']:,}.", ""]
    history = pure.get("history")
    if history:
        base = history["baseline"]
        batch = history.get("api") == "fleet batch"
        subject = ("`EvidenceHistory` (record_observations + last_successes: the fleet in one transaction)" if batch
                   else "`EvidenceHistory` (record_observation + last_success per server)")
        out += [
            "Evidence history (what `fleet_report` also does before the report: record the observed upload "
            "results in SQLite, then read each server's last success), on local disk, from an empty "
            f"database, best of {results['settings']['repeat']}. Baseline: `{base['name']}` for the same rows. "
            "Wall time counts here (SQLite commits wait for the disk)."
            + ("" if batch else " These figures come from a run that measured the per-server calls; fleet_report "
               "now records the whole fleet in one transaction, which a new run of this section measures."),
            "",
        ]
        out += table(["", "observations written", "wall time", "CPU time", "ratio to baseline (wall)"], [
            [subject, f"{history['observations']:,}",
             fmt_s(history["wall_seconds"]), fmt_s(history["seconds"]), fmt_ratio(history["ratio_wall"])],
            ["baseline", f"{history['observations']:,}", fmt_s(base["wall_seconds"]), fmt_s(base["seconds"]),
             "1.00x"],
        ])
    return out


def license_section(results: dict) -> list[str]:
    pure = results.get("pure")
    if not pure or pure.get("error"):
        return []
    out = [
        "## License parser",
        "",
        "`license_parser.parse_license_file` on synthetic license files written by the lab's license generator "
        "(one SERVER line, INCREMENT lines of four physical lines each with a signature, CITRIXTERM comments). "
        "The largest size is just under the parser's own limit of 1 MiB (`MAX_FILE_BYTES`; real files are a few "
        "KiB). Baseline: decoding the same bytes and splitting them into lines. Times are CPU time, best of "
        f"{results['settings']['repeat']}.",
        "",
    ]
    rows = [[fmt_bytes(x["bytes"]), x["features"], fmt_s(x["seconds"]), f"{x['mb_per_s']:.2f} MB/s",
             f"{x['baseline']['mb_per_s']:.0f} MB/s", fmt_ratio(x["ratio"]), fmt_bytes(x["peak_bytes"])]
            for x in pure["license"]]
    out += table(["file size", "INCREMENT lines", "parse CPU time", "parser", "baseline", "ratio", "peak memory"],
                 rows)
    if pure.get("license_scaling") is not None:
        out += [f"Time exponent between the smallest and the largest file: {pure['license_scaling']:.2f} "
                "(1.0 = linear).", ""]
    out += _profile_lines(pure.get("license_profile"), "the largest file")
    return out


def proxy_section(results: dict) -> list[str]:
    pure = results.get("pure")
    if not pure or pure.get("error"):
        return []
    out = [
        "## Proxy XML editor",
        "",
        "`proxy_config.read_proxy` / `set_proxy` on SimpleLicenseServiceConfig.xml (the installer's content) grown "
        "with settings and comments. Files above the editor's default limit of 1 MiB (`DEFAULT_MAX_BYTES`) are "
        "edited with `max_bytes` raised, to show how the cost grows; real files are under 1 KiB. Baseline: lxml "
        "parse + serialize of the same file with the same parser settings. Times are CPU time, best of "
        f"{results['settings']['repeat']}.",
        "",
    ]
    rows = []
    for p in pure["proxy"]:
        for op in p["operations"]:
            rows.append([fmt_bytes(p["bytes"]), op["name"], fmt_s(op["seconds"]), f"{op['mb_per_s']:.2f} MB/s",
                         fmt_s(p["baseline"]["seconds"]), fmt_ratio(op["ratio"]), fmt_bytes(op["peak_bytes"])])
    out += table(["file size", "operation", "CPU time", "throughput", "baseline", "ratio", "peak memory"], rows)
    if pure.get("proxy_scaling") is not None:
        out += [f"Time exponent of `set_proxy: insert` between the smallest and the largest file: "
                f"{pure['proxy_scaling']:.2f} (1.0 = linear).", ""]
    out += _profile_lines(pure.get("proxy_profile"), "`set_proxy: insert` on the largest file")
    return out


def _profile_lines(profile: list[dict] | None, what: str) -> list[str]:
    if not profile:
        return []
    lines = [f"Where the time goes ({what}, cProfile, top functions by own time):", ""]
    lines += table(["function", "own time share", "calls"],
                   [[f"`{p['function']}`", f"{p['share'] * 100:.0f}%", f"{p['calls']:,}"] for p in profile])
    return lines


def site_section(results: dict) -> list[str]:
    site = results.get("site")
    out = ["## Idempotent converge (site.yml)", ""]
    if not site:
        return [*out, not_measured(results, "site", "--skip-site"), ""]
    if site.get("error"):
        return [*out, f"FAILED: {site['error']}", ""]
    first, second = site["first"], site["second"]
    out += [
        f"`{site['playbook']}` twice on {site['size']} lab hosts (current build 51000, behind a proxy that is not "
        "configured yet, one license file per host in `ctxlic_license_files_src_dir`, `ctxlic_proxy` set). The "
        "first run converges (proxy, license file, reread); the second must change nothing.",
        "",
    ]
    rows = []
    for label, run in (("first (converge)", first), ("second (idempotent)", second)):
        rows.append([label, fmt_calls(run["calls"]), run["changed"], fmt_s(run["wall_s"]), fmt_s(run["cpu_s"]),
                     fmt_s(div(run["cpu_s"], run["hosts"])), controller_memory(run["memory"]),
                     fmt_kb(run["memory"]["worker_pss_kb"]),
                     ", ".join(run["failed_hosts"][:5]) + (" ..." if len(run["failed_hosts"]) > 5 else "") or "none",
                     run["rc"]])
    out += table(["run", "remote calls / host", "changed tasks (all hosts)", "wall", "CPU", "CPU / host",
                  "controller PSS peak (workers)", "largest worker PSS", "failed hosts", "rc"], rows)
    calls_ratio = fmt_ratio(div(second["calls"]["mean"], first["calls"]["mean"]))
    out += [f"Ratio second / first run: remote calls {calls_ratio}, "
            f"CPU {fmt_ratio(div(second['cpu_s'], first['cpu_s']))}. Second run changed nothing: "
            f"**{'yes' if second['changed'] == 0 and second['rc'] == 0 else 'NO'}**.", "",
            "Where the second run's calls go (per host):", ""]
    out += table(["task", "module", "calls / host"],
                 [[r["task"], f"`{r['module']}`", f"{r['per_host']:.2f}"] for r in second["by_module"]])
    if second.get("repeated"):
        out += ["Files and programs the second run touched more than once per host (`<host>` is the lab host's "
                "root; `labctl` runs a simulated Windows program or queries the simulated OS):", ""]
        out += table(["target", "calls / host", "tasks"],
                     [[f"`{r['target']}`", f"{r['per_host']:.2f}", "; ".join(r["tasks"])] for r in second["repeated"]])
    return out


def estimate_section(results: dict) -> list[str]:
    """Expected duration of the full run, from this run's per-host CPU time."""
    gathers = [g for g in results.get("gather") or [] if g.get("naive")]
    site = results.get("site") if not (results.get("site") or {}).get("error") else None
    cpus = max(1, results["machine"].get("usable_cpus") or 1)
    if not gathers:
        return []
    g = gathers[-1]
    per_host = sum(div(g[k]["cpu_s"], g[k]["hosts"]) or 0 for k in ("collection", "naive", "fleet_report"))
    site_per_host = 0.0
    if site:
        site_per_host = sum(div(site[k]["cpu_s"], site["size"]) or 0 for k in ("first", "second"))
    site_text = (f"{fmt_s(site_per_host)} for both site.yml runs" if site
                 else "site.yml not measured yet and not included")
    pure_cpu = results.get("pure_cpu_s") or 0
    cpu_total = per_host * sum(FULL_SIZES) + site_per_host * FULL_SITE_HOSTS + pure_cpu
    minutes = cpu_total / cpus / 60
    return [
        "## Duration of the full run",
        "",
        f"`scripts/bench.sh` without `--quick` runs the gather on {', '.join(map(str, FULL_SIZES))} hosts and "
        f"site.yml on {FULL_SITE_HOSTS}. From this run's CPU time per host ({fmt_s(per_host)} for the three gather "
        f"playbooks together, {site_text}) it needs about "
        f"**{minutes:.0f} minutes** on this machine when the {cpus} CPUs are otherwise idle (longer when they are "
        "shared); the naive gather is most of it. This run itself took "
        f"{fmt_s(results.get('duration_s'))}.",
        "",
    ]


def render_markdown(results: dict) -> str:
    settings = results["settings"]
    lines = [
        "# Performance",
        "",
        "Generated by `scripts/bench.sh` (`python -m benchmarks.run`) on "
        f"{results['generated_at']}; mode **{results['mode']}{', incomplete' if results.get('pending') else ''}** "
        f"(`{results['command']}`). Do not edit by hand: run "
        "the command again.",
        "",
        "The benchmarks are not part of the test suite and no test asserts a time. Every figure comes with a "
        "baseline measured **in the same run on the same machine**, and the ratio to it is what to compare "
        "between runs and machines. **Absolute times are noisy**: wall times depend on what else the machine "
        "was running (see the load averages below) and vary from run to run; CPU times and call counts are "
        "steadier, and remote calls per host are exact.",
        "",
        f"Settings: forks {settings['forks']}; gather fleets of {', '.join(map(str, settings['sizes'])) or 'none'} "
        f"hosts; site.yml on {settings['site_hosts'] or 'no'} hosts; {settings['records']:,} report records; "
        f"pure benchmarks best of {settings['repeat']}.",
        "",
    ]
    pending = results.get("pending") or []
    if pending:
        lines += [f"**Incomplete run**: not measured yet: {', '.join(pending)}. `scripts/bench.sh --resume` with the "
                  "same options measures only those and rewrites this page.", ""]
    lines += machine_section(results)
    lines += gather_section(results)
    lines += site_section(results)
    lines += report_section(results)
    lines += license_section(results)
    lines += proxy_section(results)
    lines += estimate_section(results)
    return "\n".join(lines).rstrip() + "\n"
