# Copyright: (c) 2026, ctxlic maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Write docs/performance.md from the results of one benchmark run (pure: results dict in, text out)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

# The default sizes of a full run (chosen to fit in about an hour on 2 CPUs) and of --quick (a few minutes).
FULL = {"sizes": (50, 200), "naive_max_hosts": 50, "site_hosts": 30, "cleanup_hosts": 20, "sliced_hosts": 1000,
        "slices": 4, "records": 10_000, "repeat": 3}
QUICK = {"sizes": (10,), "naive_max_hosts": 10, "site_hosts": 5, "cleanup_hosts": 4, "sliced_hosts": 40,
         "slices": 4, "records": 1_000, "repeat": 1}
FLOOR_TARGET = 1.05  # issue 18: fleet_report.yml at most 1.05x the one-task floor (CPU)
SITE_SECOND_TARGET = 3  # issue 18: site.yml's second run at most 3 remote calls per host
GATHER_RUNS = (("floor", "one-task floor"), ("collection", "info (direct lab backend)"),
               ("collection_module", "info (module lab backend)"), ("naive", "naive gather"),
               ("fleet_report", "fleet_report.yml"))


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


def cpu_ratio(run: dict | None, base: dict | None) -> float | None:
    """CPU per host of ``run`` over that of ``base`` (None when either is missing or failed)."""
    if not run or not base or run.get("rc") or base.get("rc"):
        return None
    return div(div(run["cpu_s"], run["hosts"]), div(base["cpu_s"], base["hosts"]))


def wall_ratio(run: dict | None, base: dict | None) -> float | None:
    if not run or not base or run.get("rc") or base.get("rc"):
        return None
    return div(run["wall_s"], base["wall_s"])


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
    for key, label in (("site", "site.yml on {} hosts"), ("cleanup", "zip cleanup on {} hosts"),
                       ("sliced", "sliced gather of {} hosts")):
        if results.get(key):
            stamped.append((label.format(results[key].get("size")), results[key]))
    stamped = sorted(((label, section) for label, section in stamped if section and section.get("measured_at")),
                     key=lambda item: item[1]["measured_at"])
    rows = [[label, section["measured_at"], f"`{section.get('revision', 'unknown')}`", fmt_s(section.get("section_s")),
             _load(section.get("load_before")), _load(section.get("load_after"))]
            for label, section in stamped]
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
        "45000; every server also has the installer's `citrix_startup.lic`). These playbooks run on it, one after "
        f"the other, with the same settings (forks {results['settings']['forks']}, the repository's `ansible.cfg`):",
        "",
        "* **one-task floor**: `benchmarks/floor.yml`, the cheapest playbook that reaches every host once: one "
        "`ansible.builtin.command` per host running the lab's lightest call (`labctl disk-free`). It runs a "
        "module, as every task did before the fast lab backend; `info` on the fast lab backend runs `labctl` "
        "without one and costs less than this floor, so the targets also compare fleet_report.yml with `info` alone;",
        "* **info (direct / module lab backend)**: `benchmarks/collection_gather.yml`, `ctxlic.license_server.info` "
        "on every host, with `ctxlic_lab_exec=direct` (the fast lab backend) and `ctxlic_lab_exec=module` "
        "(`labctl` run through `ansible.builtin.command`, the lab backend before it); a collection without the "
        "switch ignores it and both rows then measure the same code;",
        "* **naive gather** (only on fleets of up to "
        f"{results['settings'].get('naive_max_hosts') or 'any number of'} hosts: it is the slowest part): "
        "`benchmarks/naive_gather.yml`, the same facts with one built-in module per file or "
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
        for key, label in GATHER_RUNS:
            run = g.get(key)
            if not run and key in ("floor", "collection_module"):
                continue  # results of a run made before these playbooks were measured
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
    floor_rows = []
    for g in gathers:
        f, c, m, r = (g.get(k) for k in ("floor", "collection", "collection_module", "fleet_report"))
        if not f:
            continue
        floor_rows.append([g["size"], fmt_ratio(cpu_ratio(c, f)), fmt_ratio(cpu_ratio(m, f)),
                           fmt_ratio(cpu_ratio(r, f)), fmt_ratio(cpu_ratio(c, m)), fmt_ratio(wall_ratio(c, m))])
    if floor_rows:
        out += ["CPU ratios to the one-task floor, and of the two lab backends (same fleet, same run):", ""]
        out += table(["hosts", "info (direct) / floor", "info (module) / floor", "fleet_report.yml / floor",
                      "info direct / module (CPU)", "info direct / module (wall)"], floor_rows)
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
        for key in ("collection", "collection_module", "fleet_report"):
            run = g.get(key)
            if not run:
                continue
            counted, reported = run["calls"], run["reported_remote_calls"]
            target = "met" if counted["max"] == 1 and counted["min"] == 1 else "NOT met"
            lines.append(
                f"* {g['size']} hosts, {dict(GATHER_RUNS)[key]}: target of one remote call per host for the gather "
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
        f"that stage alone. The report files are written as a user gets them: `report_writer.write_reports` streams "
        "each format into a temporary folder (atomic, fsynced), one stage per format, then all five in one call; "
        "the last stage renders all five formats from one shared model without writing them (what the issue "
        "measured: the renderers' text), so the written stages' extra is the encoding, writing and syncing of the "
        "files (the total row leaves the two all-five stages out: they repeat the others). "
        f"Baseline: `{base['name']}` = {fmt_s(base['seconds'])} CPU "
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
        "configured yet, one license file per host in `ctxlic_license_files_src_dir`, `ctxlic_proxy` set; the "
        "upgrade window judged on 2025-03-01 (`ctxlic_site_as_of`), a day the shipped release catalog proves the "
        "build current, so no server needs the installer). The "
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
            f"**{'yes' if second['changed'] == 0 and second['rc'] == 0 else 'NO'}**. Target of at most "
            f"{SITE_SECOND_TARGET} remote calls per host in the second run: **{site_target(site)}** (counted "
            f"{fmt_calls(second['calls'])}).", "",
            "Where the second run's calls go (per host):", ""]
    out += table(["task", "module", "calls / host"],
                 [[r["task"], f"`{r['module']}`", f"{r['per_host']:.2f}"] for r in second["by_module"]])
    if second.get("repeated"):
        out += ["Files and programs the second run touched more than once per host (`<host>` is the lab host's "
                "root; `labctl` runs a simulated Windows program or queries the simulated OS):", ""]
        out += table(["target", "calls / host", "tasks"],
                     [[f"`{r['target']}`", f"{r['per_host']:.2f}", "; ".join(r["tasks"])] for r in second["repeated"]])
    return out


def site_target(site: dict) -> str:
    second = site["second"]
    if second["rc"] or second["failed_hosts"]:
        return "not measured (the run failed)"
    return "met" if second["calls"]["max"] <= SITE_SECOND_TARGET else "NOT met"


def cleanup_target(cleanup: dict) -> str:
    with_cleanup = cleanup["cleanup"]
    if with_cleanup["rc"] or cleanup["keep"]["rc"]:
        return "not measured (a run failed)"
    if with_cleanup["zips_left"]["max"]:
        return "not measured (zips were left on the servers)"
    removals = cleanup.get("removal_calls")
    if removals is None:  # raw results of an earlier harness: only the whole difference was recorded
        return "met" if cleanup["deletion_calls"]["max"] <= 1 else "NOT met"
    return "met" if removals["min"] == removals["max"] == 1 else "NOT met"


def cleanup_section(results: dict) -> list[str]:
    cleanup = results.get("cleanup")
    out = ["## Zip cleanup", ""]
    if not cleanup:
        return [*out, not_measured(results, "cleanup", "--skip-cleanup"), ""]
    if cleanup.get("error"):
        return [*out, f"FAILED: {cleanup['error']}", ""]
    out += [
        f"`playbooks/fleet_report.yml` with `ctxlic_telemetry_bundle=true` on {cleanup['size']} lab hosts in "
        f"manual reporting, each with {cleanup['zips_per_host']:g} pending upload zips (from three days), twice, "
        "each time on a fresh fleet: `ctxlic_telemetry_cleanup=false` (the baseline), then "
        "`ctxlic_telemetry_cleanup=true` (the bundled zips are deleted on the servers). The calls of the deletion "
        "step per host are the bundle task's remote calls "
        "with cleanup minus without (same servers, same zips), whatever the step does inside.",
        "",
    ]
    rows = []
    for key, label in (("keep", "bundle, no cleanup (baseline)"), ("cleanup", "bundle with cleanup")):
        run = cleanup[key]
        rows.append([label, fmt_calls(run["bundle_calls"]), fmt_calls(run["calls"]), fmt_calls(run["zips_left"]),
                     fmt_s(run["wall_s"]), fmt_s(run["cpu_s"]), fmt_s(div(run["cpu_s"], run["hosts"])),
                     ", ".join(run["failed_hosts"][:5]) or "none", run["rc"]])
    out += table(["run", "bundle task calls / host", "all remote calls / host", "zips left / host", "wall", "CPU",
                  "CPU / host", "failed hosts", "rc"], rows)
    removals = cleanup.get("removal_calls")
    lock = ("" if removals is None else
            f" Of these, {fmt_calls(removals)} per host delete the zips (`labctl file-remove-verified`: every verified "
            "zip of the host in one call, each checked by size and SHA-1 on the host right before); the others "
            "take, check and release the host lock that guards every change on a server (docs/nothing_lost.md).")
    out += [f"Deletion step (with the host lock): {fmt_calls(cleanup['deletion_calls'])} remote calls per host.{lock} "
            f"Target of one remote call per host for the deletions: **{cleanup_target(cleanup)}**. "
            "CPU with / without cleanup: "
            f"{fmt_ratio(cpu_ratio(cleanup['cleanup'], cleanup['keep']))}.", "",
            "The bundle task's calls with cleanup, by operation (per host):", ""]
    out += table(["operation", "calls / host"], [[f"`{r['operation']}`", f"{r['per_host']:.2f}"]
                                                 for r in cleanup["cleanup"]["bundle_operations"]])
    return out


def rows_per_second(section: dict) -> float | None:
    return div(sum((section.get("rows") or {}).values()), section.get("wall_s"))


def sliced_section(results: dict) -> list[str]:
    sliced = results.get("sliced")
    out = ["## Sliced gather (PostgreSQL)", ""]
    if not sliced:
        return [*out, not_measured(results, "sliced", "--skip-sliced"), ""]
    if sliced.get("error"):
        return [*out, f"FAILED: {sliced['error']}", ""]
    n, size = sliced["slices"], sliced["size"]
    out += [
        f"One lab fleet of {size} hosts (the gather fleet's four kinds of servers) and one PostgreSQL server "
        "(`scripts/postgres.sh`, a throw-away cluster on this machine, `fsync=off`; or `$CTXLIC_BENCH_PG_DSN`), "
        "each job writing to a fresh schema. First `playbooks/fleet_report.yml` with `ctxlic_telemetry_mode=gather` "
        f"on all {size} hosts (the unsliced baseline); then the same as {n} slices of {size // n} hosts run at "
        "the same time as separate `ansible-playbook` processes (AWX's slicing: every "
        f"{n}th host, `--limit`, with `awx_job_id` / `awx_job_slice_number`), into one schema; then the report job "
        "(`ctxlic_telemetry_mode=report`, connects to no server) over the sliced history. Rows are those in the "
        "history's tables after the gathers (`gathers`, `observations`, `events`); rows per second is rows / wall "
        f"time of the gather. Forks {sliced['forks']} in each job: the slices run {n} times as many workers at once "
        "on the same CPUs.",
        "",
    ]
    unsliced, both, report = sliced["unsliced"], sliced["sliced"], sliced["report"]
    rows = [
        ["unsliced gather", unsliced["hosts"], fmt_calls(unsliced["calls"]), fmt_s(unsliced["wall_s"]),
         fmt_s(unsliced["cpu_s"]), _rows(unsliced["rows"]), _rate(rows_per_second(unsliced)), unsliced["rc"]],
        [f"{n} slices in parallel", both["hosts"], f"{both['calls_per_host']:.2f}", fmt_s(both["wall_s"]),
         fmt_s(both["cpu_s"]), _rows(both["rows"]), _rate(rows_per_second(both)), both["rc"]],
    ]
    rows += [[f"slice {i}", r["hosts"], fmt_calls(r["calls"]), fmt_s(r["wall_s"]), fmt_s(r["cpu_s"]), "", "", r["rc"]]
             for i, r in enumerate(sliced["slice_runs"], 1)]
    rows.append(["report job (sliced history)", report["hosts"], fmt_calls(report["calls"]), fmt_s(report["wall_s"]),
                 fmt_s(report["cpu_s"]), "", "", report["rc"]])
    out += table(["job", "hosts", "remote calls / host", "wall", "CPU", "history rows", "rows / s", "rc"], rows)
    total = both["wall_s"] + report["wall_s"]
    out += [f"Ratios sliced / unsliced: gather wall {fmt_ratio(div(both['wall_s'], unsliced['wall_s']))}, gather "
            f"CPU {fmt_ratio(div(both['cpu_s'], unsliced['cpu_s']))}, slices + report job wall "
            f"{fmt_ratio(div(total, unsliced['wall_s']))}; rows per second "
            f"{fmt_ratio(div(rows_per_second(both), rows_per_second(unsliced)))}.", ""]
    return out


def _rows(rows: dict) -> str:
    return f"{sum(rows.values()):,} (" + ", ".join(f"{k} {v:,}" for k, v in rows.items()) + ")"


def _mib(size: float | None) -> str:
    return "n/a" if size is None else f"{size / 1024 ** 2:.1f} MiB"


def _rate(value: float | None) -> str:
    return "n/a" if value is None else f"{value:,.1f}"


REPORT_CPU_TARGET = 3.0  # issue 18 item 3: all five report formats under 3x the CPU of json.dumps of the records
REPORT_JSON_TARGET_MIB = 25
REPORT_PEAK_TARGET_MIB = 300


def _status(values: list, ok: Callable[[Any], bool], expected: int | None = None) -> str:
    """met / NOT met, or "not measured" when a figure is missing (a target is never met by default)."""
    if not values or any(v is None for v in values) or (expected is not None and len(values) != expected):
        return "not measured"
    return "met" if all(ok(v) for v in values) else "NOT met"


def targets_section(results: dict) -> list[str]:
    """Issue 18's figures, each against its baseline from the same run, with the target where there is one."""
    rows: list[list[str]] = []
    gathers = [g for g in results.get("gather") or [] if not g.get("error")]
    counted = [(g["size"], g["collection"]) for g in gathers if g.get("collection")]
    if counted:
        ok = all(r["calls"]["min"] == r["calls"]["max"] == 1 and not r["rc"] for _size, r in counted)
        rows.append(["`info` gather: remote calls per host",
                     "; ".join(f"{fmt_calls(r['calls'])} ({size} hosts)" for size, r in counted),
                     "naive gather: " + ("; ".join(f"{fmt_calls(g['naive']['calls'])} ({g['size']} hosts)"
                                                   for g in gathers if g.get("naive")) or "not run"),
                     "1", "met" if ok else "NOT met"])
    site = results.get("site")
    if site and not site.get("error"):
        rows.append([f"site.yml second run on {site['size']} hosts: remote calls per host",
                     f"{fmt_calls(site['second']['calls'])} (CPU {fmt_ratio(cpu_ratio(site['second'], site['first']))}"
                     " of the first run)",
                     f"first run {fmt_calls(site['first']['calls'])}", f"at most {SITE_SECOND_TARGET}",
                     site_target(site)])
    with_floor = [g for g in gathers if g.get("floor")]
    if with_floor:
        ratios = [(g["size"], cpu_ratio(g["fleet_report"], g["floor"])) for g in with_floor]
        status = "not measured (a run failed)" if any(r is None for _s, r in ratios) else (
            "met" if all(r <= FLOOR_TARGET for _s, r in ratios) else "NOT met")
        rows.append(["fleet_report.yml CPU / one-task floor CPU",
                     "; ".join(f"{fmt_ratio(r)} ({size} hosts)" for size, r in ratios), "one-task floor = 1.00x",
                     f"at most {FLOOR_TARGET:.2f}x", status])
        rows.append(["`info` CPU / one-task floor CPU",
                     "; ".join(f"{fmt_ratio(cpu_ratio(g['collection'], g['floor']))} ({g['size']} hosts)"
                               for g in with_floor), "one-task floor = 1.00x", "none (figure only)", ""])
        # The floor runs a module (ansible.builtin.command); the fast lab backend runs labctl without one, so
        # on the lab `info` costs less than the floor. fleet_report.yml against `info` alone says what the
        # report adds to the gather it cannot do without.
        rows.append(["fleet_report.yml CPU / `info` gather alone CPU (what the report adds to the gather)",
                     "; ".join(f"{fmt_ratio(cpu_ratio(g['fleet_report'], g['collection']))} ({g['size']} hosts)"
                               for g in with_floor), "`info` alone = 1.00x", "none (figure only)", ""])
    pure = results.get("pure")
    if pure and not pure.get("error"):
        rep = pure["report"]
        prefix = "report_writer.write_reports("
        stages = [st for st in rep["stages"] if st["name"].startswith(prefix) and "all five" not in st["name"]]
        user = rep.get("user") or {}
        written = next((st for st in rep["stages"] if st["name"].startswith(prefix) and "all five" in st["name"]), {})
        rendered = next((st for st in rep["stages"] if st["name"].startswith("report_render.iter_render(")), {})
        # The issue's measure: the five formats rendered together (it measured 30x before: the five renders' sum);
        # met only when the files written to disk are under the target too.
        rows.append([f"report of {rep['records']:,} servers: CPU of rendering all five formats from one model "
                     "/ `json.dumps` of the records",
                     f"{fmt_ratio(rendered.get('ratio'))} (written to disk, atomic and fsynced: "
                     f"{fmt_ratio(written.get('ratio'))}; build once + write all five: {fmt_ratio(user.get('ratio'))})",
                     f"`json.dumps` {fmt_s(rep['baseline']['seconds'])}; before issue 18: 30x",
                     f"under {REPORT_CPU_TARGET:.2f}x",
                     _status([rendered.get("ratio"), written.get("ratio")], lambda r: r < REPORT_CPU_TARGET)])
        rows.append([f"report of {rep['records']:,} servers: CPU of writing each format alone / `json.dumps`",
                     "; ".join(f"{st['name'][len(prefix):-1]} {fmt_ratio(st['ratio'])}" for st in stages),
                     f"`json.dumps` {fmt_s(rep['baseline']['seconds'])}", "none (figure only)", ""])
        rows.append([f"report of {rep['records']:,} servers: JSON file size", _mib(user.get("json_bytes")),
                     f"{_mib(rep['baseline']['output_bytes'])} of `json.dumps`",
                     f"under {REPORT_JSON_TARGET_MIB} MiB",
                     _status([user.get("json_bytes")], lambda b: b < REPORT_JSON_TARGET_MIB * 1024 * 1024)])
        rows.append([f"report of {rep['records']:,} servers: peak memory (tracemalloc) of the build and of writing "
                     "all five formats", fmt_bytes(user.get("peak_bytes")),
                     f"`json.dumps` peak {fmt_bytes(rep['baseline']['peak_bytes'])}",
                     f"under {REPORT_PEAK_TARGET_MIB} MiB",
                     _status([user.get("peak_bytes")], lambda b: b < REPORT_PEAK_TARGET_MIB * 1024 * 1024)])
    cleanup = results.get("cleanup")
    if cleanup and not cleanup.get("error"):
        removals = cleanup.get("removal_calls")
        measured = (f"{fmt_calls(cleanup['deletion_calls'])} ({cleanup['zips_per_host']:g} zips per host)"
                    if removals is None else
                    f"{fmt_calls(removals)} deleting {cleanup['zips_per_host']:g} zips, + "
                    f"{fmt_calls(cleanup['deletion_calls'])} with the host lock around them")
        rows.append(["zip cleanup: remote calls of the deletions per host", measured,
                     f"bundle without cleanup: {fmt_calls(cleanup['keep']['bundle_calls'])} calls in the bundle task",
                     "1", cleanup_target(cleanup)])
    modules = [g for g in gathers if g.get("collection_module")]
    if modules:
        rows.append(["lab call cost: `info` CPU per host, direct / module lab backend",
                     "; ".join(f"{fmt_s(div(g['collection']['cpu_s'], g['collection']['hosts']))} / "
                               f"{fmt_s(div(g['collection_module']['cpu_s'], g['collection_module']['hosts']))} = "
                               f"{fmt_ratio(cpu_ratio(g['collection'], g['collection_module']))} ({g['size']} hosts)"
                               for g in modules),
                     "module backend (before)", "none (figure only)", ""])
    sliced = results.get("sliced")
    if sliced and not sliced.get("error"):
        rows.append([f"{sliced['slices']} slices of {sliced['size'] // sliced['slices']} hosts, one PostgreSQL: "
                     "gather wall time; rows written per second",
                     f"{fmt_s(sliced['sliced']['wall_s'])} "
                     f"({fmt_ratio(div(sliced['sliced']['wall_s'], sliced['unsliced']['wall_s']))} of unsliced); "
                     f"{_rate(rows_per_second(sliced['sliced']))} rows/s",
                     f"unsliced {sliced['size']} hosts: {fmt_s(sliced['unsliced']['wall_s'])}; "
                     f"{_rate(rows_per_second(sliced['unsliced']))} rows/s", "none (figure only)", ""])
    if not rows:
        return []
    return ["## Targets (issue 18)", "",
            "Each figure against its baseline measured in the same run; a target is met only when this run "
            "measured it (a failed or missing run says so). Details in the sections below.", "",
            *table(["what", "measured (after)", "baseline, same run (before)", "target", "status"],
                   [[*r[:4], f"**{r[4]}**" if r[4] else ""] for r in rows])]


def _per_host(run: dict | None) -> float:
    return (div(run["cpu_s"], run["hosts"]) or 0.0) if run else 0.0


PURE_LABEL = "report build, parser, editor"


def _pure_estimate(cpu: float, pure: dict, repeat: int) -> float:
    """Rough CPU seconds of the full run's pure section: the report stages grow with the records (timed ``repeat``
    times plus about two runs' worth for the tracemalloc pass, and a tenth of the records again for the scaling
    table), the rest (history, parser, editor, profiles) only with the repetitions."""
    report = pure["report"]
    per_run = sum(st["seconds"] for st in report["stages"]) + report["baseline"]["seconds"]
    small = pure.get("report_small")
    small_per_run = (sum(st["seconds"] for st in small["stages"]) + small["baseline"]["seconds"]) if small else 0.0
    report_now = (per_run + small_per_run) * (repeat + 2)
    rest = max(0.0, cpu - report_now) * (FULL["repeat"] + 1) / (repeat + 1)
    full_per_run = per_run * FULL["records"] / max(1, report["records"])
    return full_per_run * 1.1 * (FULL["repeat"] + 2) + rest


def estimate_section(results: dict) -> list[str]:
    """Expected duration of the full run, from this run's CPU time per host of each section."""
    cpus = max(1, results["machine"].get("usable_cpus") or 1)
    parts: list[tuple[str, float]] = []
    gathers = [g for g in results.get("gather") or [] if not g.get("error")]
    if gathers:
        g = gathers[-1]
        per_host = sum(_per_host(g.get(k)) for k in ("floor", "collection", "collection_module", "fleet_report"))
        parts.append((f"gather on {', '.join(map(str, FULL['sizes']))} hosts", per_host * sum(FULL["sizes"])))
        naive = next((x for x in reversed(gathers) if x.get("naive")), None)
        if naive:
            sizes = [n for n in FULL["sizes"] if n <= FULL["naive_max_hosts"]]
            parts.append((f"naive gather on {', '.join(map(str, sizes))} hosts",
                          _per_host(naive["naive"]) * sum(sizes)))
    site = results.get("site")
    if site and not site.get("error"):
        parts.append((f"site.yml on {FULL['site_hosts']} hosts",
                      (_per_host(site["first"]) + _per_host(site["second"])) * FULL["site_hosts"]))
    cleanup = results.get("cleanup")
    if cleanup and not cleanup.get("error"):
        parts.append((f"zip cleanup on {FULL['cleanup_hosts']} hosts",
                      (_per_host(cleanup["keep"]) + _per_host(cleanup["cleanup"])) * FULL["cleanup_hosts"]))
    sliced = results.get("sliced")
    if sliced and not sliced.get("error"):
        cpu = sliced["unsliced"]["cpu_s"] + sliced["sliced"]["cpu_s"] + sliced["report"]["cpu_s"]
        per_host = cpu / sliced["size"]
        parts.append((f"sliced gather of {FULL['sliced_hosts']} hosts", per_host * FULL["sliced_hosts"]))
    pure = results.get("pure")
    if results.get("pure_cpu_s") and pure and not pure.get("error"):
        parts.append((PURE_LABEL, _pure_estimate(results["pure_cpu_s"], pure, results["settings"]["repeat"])))
    if not parts:
        return []
    # The pure benchmarks run in one process (one CPU); playbook runs spread over every CPU.
    seconds = sum(cpu if name == PURE_LABEL else cpu / cpus for name, cpu in parts)
    return [
        "## Duration of the full run",
        "",
        "`scripts/bench.sh` without `--quick`, estimated from this run's CPU time per host of each section (and "
        "per record for the report build), scaled to the full run's sizes: "
        + "; ".join(f"{name} {fmt_s(cpu)} CPU" for name, cpu in parts)
        + f". In all about **{seconds / 60:.0f} minutes** on this machine's {cpus} CPUs when they are otherwise "
        "idle (the report build, parser and editor run on one CPU, the playbooks on all; longer when the CPUs are "
        "shared, and add a few minutes for creating the lab fleets); sections not "
        f"measured in this run are not included. This run itself took {fmt_s(results.get('duration_s'))}.",
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
        "What it measures (issue 18; each against a baseline from the same run, summed up under **Targets**): "
        "remote calls per host of the `info` gather; site.yml's second run against its first; `info` and "
        "fleet_report.yml against the one-task floor; the report of 10,000 servers in all five formats against "
        "`json.dumps` of the same records; the remote calls of the zip cleanup per host; `info` with the direct "
        "and the module lab backend; and (issue 19) the 1000-host gather in 4 parallel slices into one "
        "PostgreSQL against the unsliced run. Also the naive gather, the license parser and the proxy XML editor.",
        "",
        "Shortened so that the full run fits in about an hour on 2 CPUs (an earlier full run took 3.5 hours): the "
        f"naive gather only on fleets of up to {FULL['naive_max_hosts']} hosts (it costs about 10x the `info` "
        f"gather), no 1000-host gather fleet apart from the sliced gather's, site.yml on {FULL['site_hosts']} hosts "
        f"(was 200) and the zip cleanup on {FULL['cleanup_hosts']} (calls per host do not depend on the fleet "
        "size; the ratios hardly do).",
        "",
        f"Settings: forks {settings['forks']}; gather fleets of {', '.join(map(str, settings['sizes'])) or 'none'} "
        f"hosts (naive gather up to {settings.get('naive_max_hosts') or 'any size'}); site.yml on "
        f"{settings['site_hosts'] or 'no'} hosts; zip cleanup on {settings.get('cleanup_hosts') or 'no'} hosts; "
        f"sliced gather of {settings.get('sliced_hosts') or 'no'} hosts in {settings.get('slices') or 'no'} slices; "
        f"{settings['records']:,} report records; pure benchmarks best of {settings['repeat']}.",
        "",
    ]
    pending = results.get("pending") or []
    if pending:
        lines += [f"**Incomplete run**: not measured yet: {', '.join(pending)}. `scripts/bench.sh --resume` with the "
                  "same options measures only those and rewrites this page.", ""]
    lines += targets_section(results)
    lines += machine_section(results)
    lines += gather_section(results)
    lines += site_section(results)
    lines += cleanup_section(results)
    lines += sliced_section(results)
    lines += report_section(results)
    lines += license_section(results)
    lines += proxy_section(results)
    lines += estimate_section(results)
    return "\n".join(lines).rstrip() + "\n"
