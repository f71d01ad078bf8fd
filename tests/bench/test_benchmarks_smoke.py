# Copyright: (c) 2026, ctxlic maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Smoke test of the benchmark harness (benchmarks/, run by scripts/bench.sh) on tiny inputs.

The benchmarks are not part of the test suite; this only proves the harness works: fleets are
built, module executions are counted per host, every pure benchmark runs, each fleet section (gather with
the floor and both lab backends, site.yml, zip cleanup, sliced gather) runs on two to four hosts and the
Markdown renders. No assertion is about time. It runs real ``ansible-playbook`` on small lab fleets (a few
minutes), so it lives here rather than in ``tests/unit`` and is marked ``slow``: ``scripts/test.sh`` runs it
with the rest of ``tests/``, ``pytest -m "not slow"`` leaves it out of a quick loop.
"""

from __future__ import annotations

import copy
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[2]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from benchmarks import checkpoint, fleet_bench, machine, pure_bench, run  # noqa: E402
from benchmarks.report import render_markdown  # noqa: E402

from ansible_collections.ctxlic.license_server.plugins.plugin_utils._compliance.report_render import FORMATS  # noqa: E402

CPUINFO = """processor\t: 0
model name\t: Example CPU @ 3.00GHz
flags\t\t: fpu

processor\t: 1
model name\t: Example CPU @ 3.00GHz
"""
MEMINFO = "MemTotal:       2048 kB\nMemFree:         512 kB\nMemAvailable:   1024 kB\n"


def test_machine_parsers_read_proc_text():
    assert machine.parse_cpuinfo(CPUINFO) == {"model": "Example CPU @ 3.00GHz", "logical_cpus": 2}
    assert machine.parse_meminfo(MEMINFO) == {"total_bytes": 2048 * 1024, "available_bytes": 1024 * 1024}
    described = machine.describe()
    assert described["python"].count(".") == 2 and described["ansible_core"] != "not installed"


def test_gather_specs_cycle_four_kinds_and_build_a_two_host_fleet(tmp_path):
    specs = fleet_bench.gather_specs(8)
    assert len({s.name for s in specs}) == 8
    assert [s.reporting for s in specs[:4]] == ["automatic", "automatic", "manual", "automatic"]
    assert [bool(s.proxy) for s in specs[:4]] == [False, True, False, False]
    assert [s.version for s in specs[:4]] == [fleet_bench.V51] * 3 + [fleet_bench.V45]
    inventory = fleet_bench.create(tmp_path / "fleet", specs[:2])
    assert fleet_bench._inventory_hosts(inventory) == ["ls0001", "ls0002"]
    site = fleet_bench.site_specs(2)
    licenses = fleet_bench.write_site_licenses(tmp_path / "licenses", site)
    assert sorted(p.name for p in licenses.glob("*/*.lic")) == ["FID_ls0001.lic", "FID_ls0002.lic"]
    assert b"HOSTNAME=LS0002" in (licenses / "ls0002" / "FID_ls0002.lic").read_bytes()


def test_calls_are_counted_per_target_host():
    lines = [
        json.dumps({"host": "a", "module": "ansible.builtin.command", "delegate_to": None, "task": "info"}),
        "",
        json.dumps({"host": "a", "module": "ansible.builtin.slurp", "delegate_to": None, "task": "read"}),
        json.dumps({"host": "b", "module": "ansible.builtin.slurp", "delegate_to": None, "task": "read"}),
        json.dumps({"host": "b", "module": "ansible.builtin.copy", "delegate_to": "localhost", "task": "local"}),
    ]
    calls = fleet_bench.parse_calls(lines)
    per_host = fleet_bench.calls_per_host(calls, ["a", "b"])
    assert per_host == {"a": 2, "b": 1}
    assert fleet_bench.distribution(list(per_host.values())) == {"min": 1, "mean": 1.5, "max": 2, "total": 3}
    assert fleet_bench.distribution([]) == {"min": 0, "mean": 0.0, "max": 0, "total": 0}
    assert fleet_bench.calls_by_module(calls, ["a", "b"])[0] == {
        "task": "read", "module": "ansible.builtin.slurp", "per_host": 1.0}


def test_scaling_exponent():
    assert pure_bench.scaling([(10, 1.0), (100, 10.0)]) == pytest.approx(1.0)
    assert pure_bench.scaling([(10, 1.0), (100, 100.0)]) == pytest.approx(2.0)
    assert pure_bench.scaling([(10, 1.0)]) is None


@pytest.fixture(scope="module")
def tiny_pure(tmp_path_factory) -> dict:
    return pure_bench.run_pure(tmp_path_factory.mktemp("pure"), records=10, license_sizes=[4096, 8192],
                               proxy_sizes=[4096], repeat=1)


def test_pure_benchmarks_run_on_tiny_inputs(tiny_pure):
    report = tiny_pure["report"]
    assert report["records"] == report["servers_in_model"] == 10
    assert [s["name"] for s in report["stages"]][3:] == [
        *(f"report_writer.write_reports({f})" for f in FORMATS), "report_writer.write_reports(all five formats)",
        pure_bench.RENDER_STAGE]
    assert all(s["output_bytes"] > 0 for s in report["stages"][3:-1])
    assert report["stages"][-1]["output_bytes"] is None and report["stages"][-1]["ratio"] > 0  # text, not files
    written = {s["name"]: s for s in report["stages"]}
    assert written["report_writer.write_reports(all five formats)"]["output_bytes"] == sum(
        written[f"report_writer.write_reports({f})"]["output_bytes"] for f in FORMATS)
    user = report["user"]
    assert user["json_bytes"] == written["report_writer.write_reports(json)"]["output_bytes"]
    assert user["peak_bytes"] > 0 and user["ratio"] > 0
    assert report["baseline"]["output_bytes"] > 0 and tiny_pure["report_small"] is None
    assert [x["bytes"] <= size for x, size in zip(tiny_pure["license"], [4096, 8192], strict=True)] == [True, True]
    assert all(x["features"] >= 1 for x in tiny_pure["license"])
    assert [o["name"] for o in tiny_pure["proxy"][0]["operations"]] == [
        "read_proxy", "set_proxy: insert", "set_proxy: replace", "set_proxy: unchanged", "set_proxy: remove"]
    assert tiny_pure["license_profile"] and tiny_pure["proxy_profile"]
    history = tiny_pure["history"]
    assert history["records"] == 10 and 0 < history["observations"] <= 10
    assert history["last_success_found"] == history["baseline"]["found"]


def test_synthetic_records_have_distinct_hosts(tmp_path):
    templates = pure_bench.template_records(tmp_path)
    assert len(templates) == 12 and any(r["failed"] for r in templates)
    records = pure_bench.synthetic_records(templates, 25)
    assert len({r["host"] for r in records}) == 25
    assert records[0] is not templates[0] and templates[0]["host"] == "ls-current-01"


def _dist(hosts: int, value: int) -> dict:
    return {"min": value, "mean": float(value), "max": value, "total": value * hosts}


def _fake_run(hosts: int, calls: int, changed: int = 0, cpu: float = 3.0) -> dict:
    dist = _dist(hosts, calls)
    return {"name": "x", "hosts": hosts, "rc": 0, "wall_s": 2.0, "cpu_s": cpu,
            "memory": {"controller_pss_kb": 500, "workers_at_peak": 2, "max_workers": 2, "worker_pss_kb": 100,
                       "main_rss_kb": 400, "tree_pss_kb": 900, "processes": 3, "samples": 2},
            "calls": dist, "tasks": {}, "by_module": [{"task": "t", "module": "m", "per_host": float(calls)}],
            "reported_remote_calls": {"min": 1, "mean": 1.0, "max": 1, "total": hosts}, "changed": changed,
            "failed_hosts": [], "log": ""}


@pytest.fixture
def results(tiny_pure) -> dict:
    args = run.parse_args(["--quick"])
    return {
        "generated_at": "2026-11-22 12:00 UTC", "command": "scripts/bench.sh --quick", "mode": run.mode_of(args),
        "machine": machine.describe(), "load_average_end": [1.0, 1.0, 1.0], "duration_s": 12.0, "pure_s": 1.0,
        "settings": {"forks": args.forks, "sizes": args.sizes, "site_hosts": args.site_hosts, "records": 10,
                     "repeat": 1, "naive_max_hosts": None, "cleanup_hosts": 2, "sliced_hosts": 4, "slices": 4},
        "gather": [{"size": 2, "forks": 50, "fleet_create_s": 0.1, "floor": _fake_run(2, 1, cpu=3.0),
                    "collection": _fake_run(2, 1, cpu=2.7), "collection_module": _fake_run(2, 1, cpu=3.0),
                    "naive": _fake_run(2, 16), "fleet_report": _fake_run(2, 1, cpu=3.3)}],
        "site": {"size": 2, "forks": 50, "playbook": "playbooks/site.yml", "first": _fake_run(2, 23, 9),
                 "second": _fake_run(2, 19)},
        "cleanup": {"size": 2, "forks": 50, "zips_per_host": 3,
                    "keep": {**_fake_run(2, 16), "bundle_calls": _dist(2, 12), "zips_left": _dist(2, 3),
                             "bundle_operations": []},
                    "cleanup": {**_fake_run(2, 17), "bundle_calls": _dist(2, 13), "zips_left": _dist(2, 0),
                                "bundle_operations": [{"operation": "labctl file-remove", "per_host": 1.0}]},
                    "deletion_calls": _dist(2, 6), "removal_calls": _dist(2, 1)},
        "sliced": {"size": 4, "slices": 4, "forks": 50,
                   "unsliced": {**_fake_run(4, 1), "rows": {"gathers": 4, "observations": 3, "events": 0}},
                   "slice_runs": [_fake_run(1, 1) for _n in range(4)],
                   "sliced": {"wall_s": 1.0, "cpu_s": 4.0, "rc": 0, "hosts": 4, "calls_per_host": 1.0,
                              "rows": {"gathers": 4, "observations": 3, "events": 0}},
                   "report": _fake_run(4, 0)},
        "pure": tiny_pure,
    }


def test_markdown_has_every_section(results):
    text = render_markdown(results)
    for heading in ("## Targets (issue 18)", "## Machine", "## Fleet gather", "## Idempotent converge (site.yml)",
                    "## Zip cleanup", "## Sliced gather (PostgreSQL)", "## Report build", "## License parser",
                    "## Proxy XML editor", "## Duration of the full run"):
        assert heading in text
    assert "| 2 | 16.00x |" in text  # remote calls naive / collection
    assert "| 2 | 0.90x | 1.00x | 1.10x | 0.90x | 1.00x |" in text  # ratios to the floor, direct / module
    assert "one remote call per host for the gather **met**" in text
    assert "Second run changed nothing: **yes**" in text
    assert "Absolute times are noisy" in text
    targets = text.split("## Targets (issue 18)")[1].split("## Machine")[0]
    assert ("| `info` gather: remote calls per host | 1 (2 hosts) | naive gather: 16 (2 hosts) | 1 | **met** |"
            in targets)
    assert "at most 3 | **NOT met** |" in targets  # site.yml's second run: 19 calls per host
    assert "| fleet_report.yml CPU / one-task floor CPU | 1.10x (2 hosts) |" in targets
    assert "at most 1.05x | **NOT met** |" in targets
    assert ("| zip cleanup: remote calls of the deletions per host | 1 deleting 3 zips, + 6 with the host lock "
            "around them |") in targets
    assert "| 1 | **met** |" in targets.split("zip cleanup")[1]
    assert "0.90x (2 hosts)" in targets.split("lab call cost")[1]  # direct / module
    assert "1.00 s (0.50x of unsliced); 7.0 rows/s" in targets
    assert "Deletion step (with the host lock): 6 remote calls per host. Of these, 1 per host delete" in text
    assert "Target of one remote call per host for the deletions: **met**" in text


def test_a_target_is_never_met_without_its_measurement(results):
    results["cleanup"]["cleanup"]["rc"] = 2
    results["gather"][0]["floor"]["rc"] = 2
    del results["site"]
    targets = render_markdown(results).split("## Targets (issue 18)")[1].split("## Machine")[0]
    assert "**not measured (a run failed)**" in targets.split("zip cleanup")[1]
    assert "| fleet_report.yml CPU / one-task floor CPU | n/a (2 hosts) |" in targets
    assert "site.yml second run" not in targets


def test_render_only_rewrites_the_markdown_from_raw_results(results, tmp_path):
    raw = tmp_path / "results.json"
    raw.write_text(json.dumps(results, default=str), encoding="utf-8")
    out = tmp_path / "performance.md"
    assert run.main(["--render-only", str(raw), "--output", str(out)]) == 0
    assert out.read_text(encoding="utf-8") == render_markdown(json.loads(raw.read_text(encoding="utf-8")))


def test_command_line_modes():
    quick = run.parse_args(["--quick"])
    assert (quick.sizes, quick.site_hosts, quick.records, run.mode_of(quick)) == ([10], 5, 1000, "quick")
    assert (quick.license_sizes, quick.proxy_sizes) == (run.LICENSE_SIZES[:2], run.PROXY_SIZES[:2])
    full = run.parse_args([])
    assert (full.sizes, full.naive_max_hosts, full.site_hosts, full.cleanup_hosts, full.sliced_hosts, full.slices,
            full.records, run.mode_of(full)) == ([50, 200], 50, 30, 20, 1000, 4, 10_000, "full")
    assert (full.license_sizes, full.proxy_sizes) == (run.LICENSE_SIZES, run.PROXY_SIZES)
    assert run.mode_of(run.parse_args(["--sizes", "5", "--forks", "2"])) == "custom"
    assert run.mode_of(run.parse_args(["--skip-sliced"])) == "custom"
    with pytest.raises(SystemExit):
        run.parse_args(["--sizes", "fifty"])
    with pytest.raises(SystemExit):
        run.parse_args(["--sliced-hosts", "3"])  # fewer hosts than slices


def _fake_gather(calls_log: list[int], fail_sizes: set[int]):
    def gather_comparison(_workdir, size, *, forks, naive, sample_interval):
        calls_log.append(size)
        if size in fail_sizes:
            raise RuntimeError(f"fleet of {size} broke")
        return {"forks": forks, "fleet_create_s": 0.1, "floor": _fake_run(size, 1), "collection": _fake_run(size, 1),
                "collection_module": _fake_run(size, 1), "naive": _fake_run(size, 16) if naive else None,
                "fleet_report": _fake_run(size, 1)}
    return gather_comparison


def test_resume_measures_only_the_sections_that_did_not_finish(tiny_pure, tmp_path, monkeypatch):
    """A long run that stopped part-way is carried on with --resume; finished sections are not measured again."""
    calls: list[int] = []
    monkeypatch.setattr(run.pure_bench, "run_pure", lambda *a, **k: dict(tiny_pure))
    monkeypatch.setattr(run.fleet_bench, "gather_comparison", _fake_gather(calls, fail_sizes={3}))
    out, workdir = tmp_path / "performance.md", tmp_path / "bench"
    argv = ["--sizes", "2,3", "--skip-site", "--skip-cleanup", "--skip-sliced", "--records", "10", "--repeat", "1",
            "--workdir", str(workdir), "--output", str(out)]
    assert run.main(argv) == 1  # the 3-host section failed
    first = json.loads((workdir / "results.json").read_text(encoding="utf-8"))
    assert first["pending"] == ["gather 3"] and [g["size"] for g in first["gather"]] == [2, 3]
    assert "**Incomplete run**: not measured yet: gather 3" in out.read_text(encoding="utf-8")

    def pure_again(*_args, **_kwargs):
        raise AssertionError("the finished pure section was measured again")
    monkeypatch.setattr(run.pure_bench, "run_pure", pure_again)
    monkeypatch.setattr(run.fleet_bench, "gather_comparison", _fake_gather(calls, fail_sizes=set()))
    assert run.main([*argv, "--resume"]) == 0
    assert calls == [2, 3, 3]
    second = json.loads((workdir / "results.json").read_text(encoding="utf-8"))
    assert second["pending"] == [] and [g["size"] for g in second["gather"]] == [2, 3]
    assert all(g["measured_at"] and "error" not in g for g in second["gather"])
    text = out.read_text(encoding="utf-8")
    assert "Incomplete run" not in text and "When each section ran" in text and "gather on 3 hosts" in text
    assert second["command"].endswith("`, then `scripts/bench.sh " + " ".join([*argv, "--resume"]))
    with pytest.raises(SystemExit, match="other settings"):
        run.main([*argv, "--resume", "--forks", "7"])


def test_checkpoint_sections_and_compatibility():
    settings = {"forks": 50, "sizes": [50, 200], "site_hosts": 200, "records": 10, "repeat": 1,
                "naive_max_hosts": None, "pure": True}
    assert checkpoint.section_keys(settings) == ["pure", "gather 50", "gather 200", "site 200"]
    assert checkpoint.section_keys({**settings, "sizes": [1000, 50], "site_hosts": 200}) == [
        "pure", "gather 50", "site 200", "gather 1000"]
    assert checkpoint.section_keys({**settings, "pure": False, "site_hosts": None}) == ["gather 50", "gather 200"]
    assert checkpoint.section_keys({**settings, "site_hosts": 30, "cleanup_hosts": 20, "sliced_hosts": 1000}) == [
        "pure", "site 30", "cleanup 20", "gather 50", "gather 200", "sliced 1000"]
    partial = {"pure": {"error": "x"}, "gather": [{"size": 50}, {"size": 200, "error": "y"}], "site": {"size": 200},
               "cleanup": {"size": 20}, "sliced": {"size": 1000, "error": "no PostgreSQL"}}
    assert checkpoint.finished_keys(partial) == {"gather 50", "site 200", "cleanup 20"}
    assert checkpoint.resumable({"settings": settings}, {**settings, "sizes": [1000]}) == (True, "")
    ok, why = checkpoint.resumable({"settings": settings}, {**settings, "naive_max_hosts": 200})
    assert not ok and "naive_max_hosts" in why


@pytest.mark.integration
def test_counting_callback_on_a_two_host_fleet(tmp_path):
    """The collection's gather is one remote call per host; the naive one is 13 + one per license file."""
    inventory = fleet_bench.create(tmp_path / "fleet", fleet_bench.gather_specs(2))
    collection = fleet_bench.measure_playbook("collection", fleet_bench.BENCH_DIR / "collection_gather.yml",
                                              inventory, tmp_path / "runs", forks=2, sample_interval=0.2)
    assert collection.rc == 0, Path(collection.log).read_text()[-3000:]
    assert collection.calls == {"min": 1, "mean": 1.0, "max": 1, "total": 2}
    assert collection.reported_remote_calls["total"] == 2
    assert collection.memory.samples >= 1 and collection.memory.controller_pss_kb > 0
    assert collection.memory.main_rss_kb > 0
    naive = fleet_bench.measure_playbook("naive", fleet_bench.BENCH_DIR / "naive_gather.yml", inventory,
                                         tmp_path / "runs", forks=2, sample_interval=0.2)
    assert naive.rc == 0, Path(naive.log).read_text()[-3000:]
    # ls0001: citrix_startup.lic + one license file; ls0002: citrix_startup.lic + two.
    assert naive.calls == {"min": 15, "mean": 15.5, "max": 16, "total": 31}
    assert naive.changed == 0 and naive.failed_hosts == []


def test_source_revision_ignores_the_report_it_writes(tmp_path):
    def git(*args):
        subprocess.run(["git", "-C", str(tmp_path), "-c", "user.name=t", "-c", "user.email=t@example.com", *args],
                       check=True, capture_output=True)
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "performance.md").write_text("old\n", encoding="utf-8")
    (tmp_path / "code.py").write_text("x = 1\n", encoding="utf-8")
    git("init", "-q")
    git("add", ".")
    git("commit", "-q", "-m", "one")
    head = checkpoint.source_revision(tmp_path)
    assert len(head) == 10 and "+" not in head
    (tmp_path / "docs" / "performance.md").write_text("new figures\n", encoding="utf-8")
    assert checkpoint.source_revision(tmp_path) == head
    (tmp_path / "code.py").write_text("x = 2\n", encoding="utf-8")
    assert checkpoint.source_revision(tmp_path) == head + " +changes"
    assert checkpoint.source_revision(tmp_path / "missing").startswith("unknown")


@pytest.mark.integration
def test_floor_and_both_lab_backends_on_a_two_host_fleet(tmp_path):
    """The gather section's playbooks: the one-task floor and info are one remote call per host."""
    gathered = fleet_bench.gather_comparison(tmp_path, 2, forks=2, naive=False, sample_interval=0.2)
    for key in ("floor", "collection", "collection_module", "fleet_report"):
        run_ = gathered[key]
        assert run_["rc"] == 0, (key, Path(run_["log"]).read_text()[-3000:])
        if key != "fleet_report":
            assert run_["calls"] == {"min": 1, "mean": 1.0, "max": 1, "total": 2}, key
    assert gathered["naive"] is None
    assert [m["module"] for m in gathered["floor"]["by_module"]] == ["ansible.legacy.command"]  # command action


@pytest.mark.integration
def test_cleanup_deletion_calls_are_the_difference_with_and_without_cleanup(tmp_path):
    cleanup = fleet_bench.cleanup_comparison(tmp_path, 2, forks=2, sample_interval=0.2)
    keep, clean = cleanup["keep"], cleanup["cleanup"]
    assert keep["rc"] == 0 and clean["rc"] == 0, Path(clean["log"]).read_text()[-3000:]
    assert keep["zips_left"] == keep["zips_before"] and keep["zips_left"]["min"] >= 3  # bundled, not deleted
    assert cleanup["zips_per_host"] == clean["zips_before"]["mean"] >= 3
    assert clean["zips_left"]["max"] == 0  # bundled and deleted
    deletion = clean["bundle_calls"]["total"] - keep["bundle_calls"]["total"]
    assert deletion >= 2 and cleanup["deletion_calls"]["total"] == deletion
    assert cleanup["removal_calls"]["min"] == cleanup["removal_calls"]["max"] == 1  # every zip of a host in one call
    assert clean["bundle_operations"] and all(op["per_host"] > 0 for op in clean["bundle_operations"])


@pytest.mark.integration
def test_sliced_gather_writes_every_server_once_then_reports(tmp_path):
    """The sliced section's code path, with SQLite histories (the benchmark uses PostgreSQL; the rows are the same)."""
    sliced = fleet_bench.sliced_gather(tmp_path, 4, slices=2, forks=2, sample_interval=0.2,
                                       history_url=lambda name: str(tmp_path / f"{name}.sqlite"))
    assert sliced["unsliced"]["rc"] == 0, Path(sliced["unsliced"]["log"]).read_text()[-3000:]
    assert [r["hosts"] for r in sliced["slice_runs"]] == [2, 2]
    assert all(r["rc"] == 0 for r in sliced["slice_runs"]) and sliced["report"]["rc"] == 0
    assert sliced["unsliced"]["rows"]["gathers"] == sliced["sliced"]["rows"]["gathers"] == 4
    assert sliced["sliced"]["calls_per_host"] == sliced["unsliced"]["calls"]["mean"] == 1.0
    assert sliced["report"]["calls"]["max"] == 0  # the report job connects to no server


def test_slices_follow_awx_and_pending_zips_are_counted(tmp_path):
    hosts = [f"h{i}" for i in range(1, 10)]
    assert fleet_bench.slice_hosts(hosts, 1, 4) == ["h1", "h5", "h9"]
    assert fleet_bench.slice_hosts(hosts, 4, 4) == ["h4", "h8"]
    assert fleet_bench.operation_of({"target": "<host>/.lab/bin/labctl file-remove C:\\x.zip", "module": "m"}) == \
        "labctl file-remove"
    assert fleet_bench.operation_of({"target": "labctl collect-info --max-bytes 1", "module": "m"}) == \
        "labctl collect-info"
    assert fleet_bench.operation_of({"target": None, "module": "ansible.builtin.slurp"}) == "ansible.builtin.slurp"
    zips = tmp_path / "hosts" / "a" / "fs" / "C" / "usage"
    zips.mkdir(parents=True)
    (zips / "upload_compliance_1.zip").write_bytes(b"z")
    (zips / "other.zip").write_bytes(b"z")
    assert fleet_bench.pending_zips(tmp_path, ["a", "b"]) == {"a": 1, "b": 0}


@pytest.mark.integration
def test_site_twice_on_a_two_host_fleet(tmp_path):
    """The site.yml section runs the playbook as shipped: the first run converges, the second changes nothing."""
    site = fleet_bench.site_idempotence(tmp_path, 2, forks=2, sample_interval=0.2)
    first, second = site["first"], site["second"]
    assert first["rc"] == 0, Path(first["log"]).read_text()[-3000:]
    assert second["rc"] == 0 and second["changed"] == 0, Path(second["log"]).read_text()[-3000:]
    assert first["changed"] > 0 and second["calls"]["min"] >= 1


@pytest.mark.integration
def test_sliced_gather_on_postgresql(tmp_path, monkeypatch):
    """The benchmark's own PostgreSQL path: a fresh schema per job on the server of $CTXLIC_TEST_PG_DSN."""
    dsn = os.environ.get("CTXLIC_TEST_PG_DSN")
    if not dsn:
        pytest.skip("no PostgreSQL for this run: start one with scripts/postgres.sh and export CTXLIC_TEST_PG_DSN")
    monkeypatch.setenv(fleet_bench.PG_DSN_ENV, dsn)
    with fleet_bench.postgres_server() as history_url:
        sliced = fleet_bench.sliced_gather(tmp_path, 2, slices=2, forks=2, sample_interval=0.2,
                                           history_url=history_url)
    assert sliced["unsliced"]["rc"] == 0 and sliced["report"]["rc"] == 0, Path(sliced["report"]["log"]).read_text()
    assert sliced["unsliced"]["rows"]["gathers"] == sliced["sliced"]["rows"]["gathers"] == 2


def test_results_of_an_earlier_harness_still_render(results):
    """--render-only on raw results made before the floor, the module backend, cleanup and sliced sections."""
    for key in ("floor", "collection_module"):
        del results["gather"][0][key]
    for key in ("cleanup", "sliced"):
        del results[key]
    text = render_markdown(results)
    assert "CPU / one-task floor CPU" not in text and "| 2 | info (module lab backend)" not in text
    assert "## Zip cleanup\n\nNot run (`--skip-cleanup`)." in text


def _report_targets(results: dict) -> dict[str, str]:
    targets = render_markdown(results).split("## Targets (issue 18)")[1].split("## Machine")[0]
    rows = [line for line in targets.splitlines() if line.startswith("| report of ")]
    return {row.split("|")[1].split(": ", 1)[1].strip(): row.rstrip(" |").rsplit("|", 1)[1].strip() for row in rows}


def test_report_targets_are_met_only_by_the_measured_figures(results):
    """All five formats rendered from one model under 3x, the JSON under 25 MiB, the peak under 300 MiB (issue 18).

    The rendering is what the issue measured; the files written to disk must be under the target too.

    Each format alone is a figure, not the target: five formats each under 3x can still cost 15x together.
    """
    report = copy.deepcopy(results["pure"]["report"])
    results["pure"] = {**results["pure"], "report": report}
    all_five = next(s for s in report["stages"] if s["name"] == pure_bench.RENDER_STAGE)
    for stage in report["stages"]:
        stage["ratio"] = 2.9
    report["user"].update(json_bytes=24 * 1024 * 1024, peak_bytes=299 * 1024 * 1024)
    statuses = _report_targets(results)
    assert [statuses[k] for k in statuses if "each format" not in k] == ["**met**"] * 3, statuses
    assert statuses[next(k for k in statuses if "each format" in k)] == "none (figure only)"  # no target
    all_five["ratio"] = 3.0  # every format alone still under 3x
    report["user"].update(json_bytes=25 * 1024 * 1024, peak_bytes=300 * 1024 * 1024)
    statuses = _report_targets(results)
    assert [statuses[k] for k in statuses if "each format" not in k] == ["**NOT met**"] * 3, statuses
    all_five["ratio"] = 2.9
    written = next(s for s in report["stages"] if s["name"] == "report_writer.write_reports(all five formats)")
    written["ratio"] = 3.0  # rendered under 3x, but the files cost more
    assert _report_targets(results)[next(k for k in statuses if "rendering all five" in k)] == "**NOT met**"
    report["stages"] = [s for s in report["stages"] if s["name"] != pure_bench.RENDER_STAGE]
    del report["user"]
    statuses = _report_targets(results)
    assert [statuses[k] for k in statuses if "each format" not in k] == ["**not measured**"] * 3, statuses
