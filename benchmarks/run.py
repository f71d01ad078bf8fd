# Copyright: (c) 2026, ctxlic maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Run the benchmarks and write docs/performance.md: ``python -m benchmarks.run [--quick] [options]``.

``scripts/bench.sh`` sets up the virtualenv first and calls this. Full mode (sized to take under an hour
on 2 CPUs): report build for 10,000 records, parser and editor on large files; the gather (one-task
floor, info with each lab backend, fleet_report.yml) on lab fleets of 50 and 200 hosts, the naive gather
on the 50-host fleet only; site.yml twice on 30 hosts; the telemetry bundle with and without zip cleanup
on 20 hosts; the 1000-host gather unsliced and in 4 parallel slices into PostgreSQL, then the report job.
``--quick``: the same sections on a few hosts, 1,000 report records and the two smaller license and proxy
files (a few minutes on idle CPUs).
Raw results are kept as JSON next to the lab fleets (``--workdir``, default ``.build/bench``).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import time
import traceback
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from benchmarks import REPO, checkpoint, fleet_bench, machine, pure_bench
from benchmarks.report import FULL, QUICK, render_markdown

KIB = 1024
GATHER_RUNS = ("floor", "collection", "collection_module", "naive", "fleet_report")
LICENSE_SIZES = [64 * KIB, 256 * KIB, 1023 * KIB]
PROXY_SIZES = [256 * KIB, 1023 * KIB, 4096 * KIB]


def _sizes(text: str) -> list[int]:
    try:
        values = [int(x) for x in text.split(",") if x.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r}: give whole numbers separated by commas, e.g. 50,200") from None
    if any(v < 1 for v in values):
        raise argparse.ArgumentTypeError(f"{text!r}: sizes must be at least 1")
    return values


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="scripts/bench.sh", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="every section on a few hosts (a few minutes)")
    parser.add_argument("--sizes", type=_sizes, help=f"gather fleet sizes (default {_csv(FULL['sizes'])}; "
                        f"--quick: {_csv(QUICK['sizes'])})")
    parser.add_argument("--naive-max-hosts", type=int, default=None,
                        help=f"skip the naive gather on fleets larger than this (it is the slow part; default "
                             f"{FULL['naive_max_hosts']}; --quick: {QUICK['naive_max_hosts']})")
    parser.add_argument("--site-hosts", type=int, help=f"site.yml fleet size (default {FULL['site_hosts']}; "
                        f"--quick: {QUICK['site_hosts']})")
    parser.add_argument("--cleanup-hosts", type=int, help=f"zip cleanup fleet size (default {FULL['cleanup_hosts']}; "
                        f"--quick: {QUICK['cleanup_hosts']})")
    parser.add_argument("--sliced-hosts", type=int, help=f"sliced gather fleet size (default {FULL['sliced_hosts']}; "
                        f"--quick: {QUICK['sliced_hosts']}); PostgreSQL from $CTXLIC_BENCH_PG_DSN or "
                        "scripts/postgres.sh")
    parser.add_argument("--slices", type=int, default=FULL["slices"], help="slices of the sliced gather (default 4)")
    parser.add_argument("--forks", type=int, default=50, help="Ansible forks for every playbook (default 50)")
    parser.add_argument("--records", type=int, help=f"server records for the report build (default "
                        f"{FULL['records']:,}; --quick: {QUICK['records']:,})")
    parser.add_argument("--repeat", type=int, help="pure benchmarks: best of N runs (default 3; --quick: 1)")
    parser.add_argument("--license-sizes", type=_sizes, help=f"license file bytes (default {_csv(LICENSE_SIZES)}; "
                        f"--quick: {_csv(LICENSE_SIZES[:2])})")
    parser.add_argument("--proxy-sizes", type=_sizes, help=f"proxy XML file bytes (default {_csv(PROXY_SIZES)}; "
                        f"--quick: {_csv(PROXY_SIZES[:2])})")
    parser.add_argument("--sample-interval", type=float, default=0.5, help="memory sampling period, seconds")
    parser.add_argument("--skip-fleet", action="store_true", help="no gather playbooks")
    parser.add_argument("--skip-site", action="store_true", help="no site.yml runs")
    parser.add_argument("--skip-cleanup", action="store_true", help="no zip cleanup runs")
    parser.add_argument("--skip-sliced", action="store_true", help="no sliced gather (needs PostgreSQL)")
    parser.add_argument("--skip-pure", action="store_true", help="no report/parser/editor benchmarks")
    parser.add_argument("--workdir", type=Path, default=REPO / ".build" / "bench", help="lab fleets and raw results")
    parser.add_argument("--output", type=Path, default=REPO / "docs" / "performance.md", help="Markdown to write")
    parser.add_argument("--keep-fleets", action="store_true", help="leave the lab fleets in the workdir")
    parser.add_argument("--resume", action="store_true",
                        help="keep the finished sections of the last run with the same settings (workdir "
                             "results.json) and measure only the rest; the report is rewritten after every section")
    parser.add_argument("--render-only", type=Path, metavar="RESULTS_JSON",
                        help="run nothing: write --output again from the raw results of an earlier run")
    args = parser.parse_args(argv)
    defaults = QUICK if args.quick else FULL
    if args.license_sizes is None:
        args.license_sizes = LICENSE_SIZES[:2] if args.quick else list(LICENSE_SIZES)
    if args.proxy_sizes is None:
        args.proxy_sizes = PROXY_SIZES[:2] if args.quick else list(PROXY_SIZES)
    for name in ("sizes", "naive_max_hosts", "site_hosts", "cleanup_hosts", "sliced_hosts", "records", "repeat"):
        if getattr(args, name) is None:
            value = defaults[name]
            setattr(args, name, list(value) if isinstance(value, tuple) else value)
    if min(args.forks, args.records, args.repeat, args.site_hosts, args.cleanup_hosts, args.slices) < 1:
        parser.error("--forks, --records, --repeat, --site-hosts, --cleanup-hosts and --slices must be at least 1")
    if args.sliced_hosts < args.slices:
        parser.error(f"--sliced-hosts ({args.sliced_hosts}) must be at least --slices ({args.slices})")
    return args


def _csv(values) -> str:
    return ",".join(str(v) for v in values)


def mode_of(args: argparse.Namespace) -> str:
    if args.quick:
        return "quick"
    measured = {"sizes": tuple(args.sizes), "naive_max_hosts": args.naive_max_hosts, "site_hosts": args.site_hosts,
                "cleanup_hosts": args.cleanup_hosts, "sliced_hosts": args.sliced_hosts, "slices": args.slices,
                "records": args.records, "repeat": args.repeat}
    full = all(FULL[k] == v for k, v in measured.items()) and not (
        args.skip_fleet or args.skip_site or args.skip_pure or args.skip_cleanup or args.skip_sliced)
    return "full" if full else "custom"


def progress(message: str) -> None:
    print(f"[bench {datetime.now(UTC).strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def settings_of(args: argparse.Namespace) -> dict:
    return {"forks": args.forks, "sizes": [] if args.skip_fleet else args.sizes,
            "site_hosts": None if args.skip_site else args.site_hosts, "records": args.records,
            "repeat": args.repeat, "naive_max_hosts": args.naive_max_hosts, "pure": not args.skip_pure,
            "cleanup_hosts": None if args.skip_cleanup else args.cleanup_hosts,
            "sliced_hosts": None if args.skip_sliced else args.sliced_hosts, "slices": args.slices}


def fresh_results(args: argparse.Namespace, argv: list[str]) -> dict:
    return {
        "generated_at": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "command": " ".join(["scripts/bench.sh", *argv]),
        "mode": mode_of(args),
        "machine": machine.describe(),
        "settings": settings_of(args),
        "gather": [],
        "site": None,
        "cleanup": None,
        "sliced": None,
        "pure": None,
        "duration_s": 0.0,
    }


def starting_results(args: argparse.Namespace, argv: list[str], raw: Path) -> dict:
    """A fresh results dict, or with --resume the saved one whose finished sections are kept."""
    if not args.resume:
        return fresh_results(args, argv)
    previous = checkpoint.load(raw)
    if previous is None:
        progress(f"--resume: no readable results in {raw}; starting a new run")
        return fresh_results(args, argv)
    ok, why = checkpoint.resumable(previous, settings_of(args))
    if not ok:
        raise SystemExit(f"--resume: {raw} was made with other settings ({why}); run without --resume, "
                         "or with the same options")
    wanted = set(checkpoint.section_keys(settings_of(args)))
    previous["gather"] = [g for g in previous.get("gather") or []
                          if not g.get("error") and f"gather {g['size']}" in wanted]
    for key in ("pure", "site", "cleanup", "sliced"):
        section = previous.get(key)
        if section and (section.get("error") or not any(k.startswith(key) for k in wanted)):
            previous[key] = None
    previous["errors"] = []
    # The report names every command that contributed sections (rendered as `first`, then `second`).
    previous["command"] = f"{previous['command']}`, then `{' '.join(['scripts/bench.sh', *argv])}"
    previous["settings"] = settings_of(args)
    previous["mode"] = mode_of(args)
    progress("--resume: reusing " + (", ".join(sorted(checkpoint.finished_keys(previous))) or "nothing"))
    return previous


def run(args: argparse.Namespace, argv: list[str], raw: Path) -> dict:
    """Measure every section not yet finished; save the results and the report after each one."""
    started = time.perf_counter()
    workdir = args.workdir.resolve()
    workdir.mkdir(parents=True, exist_ok=True)
    results = starting_results(args, argv, raw)
    elapsed_before = results.get("duration_s") or 0.0
    done = checkpoint.finished_keys(results)

    def save() -> None:
        results["pending"] = [k for k in checkpoint.section_keys(results["settings"])
                              if k not in checkpoint.finished_keys(results)]
        results["load_average_end"] = checkpoint.load_average()
        results["duration_s"] = elapsed_before + time.perf_counter() - started
        checkpoint.save(raw, results)
        write_report(args.output, results)

    for key in checkpoint.section_keys(results["settings"]):
        if key in done:
            continue
        clock = checkpoint.SectionClock(REPO)
        if key == "pure":
            progress(f"report build ({args.records:,} records), license parser, proxy editor")
            pure_cpu = time.process_time()
            results["pure"] = guarded(results, "pure", lambda: pure_bench.run_pure(
                workdir / "pure", records=args.records, license_sizes=args.license_sizes,
                proxy_sizes=args.proxy_sizes, repeat=args.repeat))
            results["pure"].update(clock.stamp())
            results["pure_s"] = results["pure"]["section_s"]
            results["pure_cpu_s"] = time.process_time() - pure_cpu
        elif key.startswith("gather "):
            size = int(key.split()[1])
            results["gather"].append({"size": size, **measure_gather(args, workdir, results, size), **clock.stamp()})
            results["gather"].sort(key=lambda g: g["size"])
            _cleanup(args, workdir / f"fleet{size}")
        elif key.startswith("cleanup "):
            progress(f"telemetry bundle without and with zip cleanup on {args.cleanup_hosts} hosts, forks {args.forks}")
            results["cleanup"] = guarded(results, "cleanup", lambda: fleet_bench.cleanup_comparison(
                workdir, args.cleanup_hosts, forks=args.forks, sample_interval=args.sample_interval))
            results["cleanup"].update(clock.stamp())
        elif key.startswith("sliced "):
            progress(f"gather of {args.sliced_hosts} hosts unsliced and in {args.slices} slices (PostgreSQL), "
                     f"then the report job, forks {args.forks}")
            results["sliced"] = guarded(results, "sliced", lambda: measure_sliced(args, workdir))
            results["sliced"].update(clock.stamp())
            _cleanup(args, workdir / f"sliced{args.sliced_hosts}")
        else:
            progress(f"site.yml twice on {args.site_hosts} hosts, forks {args.forks}")
            results["site"] = guarded(results, "site", lambda: fleet_bench.site_idempotence(
                workdir, args.site_hosts, forks=args.forks, sample_interval=args.sample_interval))
            results["site"].update(clock.stamp())
            _cleanup(args, workdir / f"site{args.site_hosts}")
        save()
    save()
    return results


def measure_gather(args: argparse.Namespace, workdir: Path, results: dict, size: int) -> dict:
    naive = args.naive_max_hosts is None or size <= args.naive_max_hosts
    progress(f"gather on {size} hosts (floor, info direct and module{', naive' if naive else ''}, fleet_report.yml), "
             f"forks {args.forks}")
    return guarded(results, f"gather {size}", lambda: fleet_bench.gather_comparison(
        workdir, size, forks=args.forks, naive=naive, sample_interval=args.sample_interval))


def measure_sliced(args: argparse.Namespace, workdir: Path) -> dict:
    with fleet_bench.postgres_server() as history_url:
        return fleet_bench.sliced_gather(workdir, args.sliced_hosts, slices=args.slices, forks=args.forks,
                                         history_url=history_url, sample_interval=args.sample_interval)


def write_report(output: Path, results: dict) -> None:
    output.parent.mkdir(parents=True, exist_ok=True)
    temporary = output.with_name(output.name + ".tmp")
    temporary.write_text(render_markdown(results), encoding="utf-8")
    os.replace(temporary, output)


def guarded(results: dict, what: str, func: Callable[[], dict]) -> dict:
    """Run one benchmark section; a failure is recorded (and reported) instead of losing the other sections."""
    try:
        return func()
    except Exception as exc:  # any failure of one section must not discard the figures of the others
        message = f"{type(exc).__name__}: {exc}"
        progress(f"{what} FAILED: {message}")
        traceback.print_exc(file=sys.stderr)
        results.setdefault("errors", []).append(f"{what}: {message}")
        return {"error": message}


def _cleanup(args: argparse.Namespace, fleet_root: Path) -> None:
    if not args.keep_fleets:
        shutil.rmtree(fleet_root, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    args = parse_args(argv)
    if args.render_only:
        results = json.loads(args.render_only.read_text(encoding="utf-8"))
        write_report(args.output, results)
        progress(f"wrote {args.output} from {args.render_only}")
        return 0
    raw = args.workdir.resolve() / "results.json"
    results = run(args, argv, raw)
    progress(f"wrote {args.output} (raw results: {raw}) in {results['duration_s']:.0f} s")
    failed = [g["size"] for g in results["gather"] for k in GATHER_RUNS if g.get(k) and g[k]["rc"] != 0]
    site, cleanup, sliced = (results.get(k) or {} for k in ("site", "cleanup", "sliced"))
    others = [name for name, section, keys in (("site.yml", site, ("first", "second")),
                                               ("cleanup", cleanup, ("keep", "cleanup")),
                                               ("sliced", sliced, ("unsliced", "sliced", "report")))
              if any((section.get(k) or {}).get("rc") for k in keys)]
    if failed or others:
        progress(f"some playbooks failed (gather sizes {failed}, sections {others}; see the logs under "
                 f"{args.workdir}); their figures are in the report but do not measure a successful run")
        return 1
    if results.get("errors"):
        progress("sections failed: " + "; ".join(results["errors"]))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
