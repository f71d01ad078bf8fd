# Copyright: (c) 2026, ctxlic maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Smoke test of the benchmark harness (benchmarks/, run by scripts/bench.sh) on tiny inputs.

The benchmarks are not part of the test suite; this only proves the harness works: fleets are
built, module executions are counted per host, every pure benchmark runs and the Markdown renders.
No assertion is about time. It runs real ``ansible-playbook`` on small lab fleets (about 50 s), so it
lives here rather than in ``tests/unit`` and is marked ``slow``: ``scripts/test.sh`` runs it with the
rest of ``tests/``, ``pytest -m "not slow"`` leaves it out of a quick loop.
"""

from __future__ import annotations

import json
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
    assert [s["name"] for s in report["stages"]][3:] == [f"report_render.render({f})" for f in FORMATS]
    assert all(s["output_bytes"] > 0 for s in report["stages"][3:])
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


def _fake_run(hosts: int, calls: int, changed: int = 0) -> dict:
    dist = {"min": calls, "mean": float(calls), "max": calls, "total": calls * hosts}
    return {"name": "x", "hosts": hosts, "rc": 0, "wall_s": 2.0, "cpu_s": 3.0,
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
                     "repeat": 1, "naive_max_hosts": None},
        "gather": [{"size": 2, "forks": 50, "fleet_create_s": 0.1, "collection": _fake_run(2, 1),
                    "naive": _fake_run(2, 16), "fleet_report": _fake_run(2, 1)}],
        "site": {"size": 2, "forks": 50, "playbook": "playbooks/site.yml", "first": _fake_run(2, 23, 9),
                 "second": _fake_run(2, 19)},
        "pure": tiny_pure,
    }


def test_markdown_has_every_section(results):
    text = render_markdown(results)
    for heading in ("## Machine", "## Fleet gather", "## Idempotent converge (site.yml)", "## Report build",
                    "## License parser", "## Proxy XML editor", "## Duration of the full run"):
        assert heading in text
    assert "| 2 | 16.00x |" in text  # remote calls naive / collection
    assert "one remote call per host for the gather **met**" in text
    assert "Second run changed nothing: **yes**" in text
    assert "Absolute times are noisy" in text


def test_render_only_rewrites_the_markdown_from_raw_results(results, tmp_path):
    raw = tmp_path / "results.json"
    raw.write_text(json.dumps(results, default=str), encoding="utf-8")
    out = tmp_path / "performance.md"
    assert run.main(["--render-only", str(raw), "--output", str(out)]) == 0
    assert out.read_text(encoding="utf-8") == render_markdown(json.loads(raw.read_text(encoding="utf-8")))


def test_command_line_modes():
    quick = run.parse_args(["--quick"])
    assert (quick.sizes, quick.site_hosts, run.mode_of(quick)) == ([50], 50, "quick")
    full = run.parse_args([])
    assert (full.sizes, full.site_hosts, run.mode_of(full)) == ([50, 200, 1000], 200, "full")
    assert run.mode_of(run.parse_args(["--sizes", "5", "--forks", "2"])) == "custom"
    with pytest.raises(SystemExit):
        run.parse_args(["--sizes", "fifty"])


def _fake_gather(calls_log: list[int], fail_sizes: set[int]):
    def gather_comparison(_workdir, size, *, forks, naive, sample_interval):
        calls_log.append(size)
        if size in fail_sizes:
            raise RuntimeError(f"fleet of {size} broke")
        return {"forks": forks, "fleet_create_s": 0.1, "collection": _fake_run(size, 1),
                "naive": _fake_run(size, 16) if naive else None, "fleet_report": _fake_run(size, 1)}
    return gather_comparison


def test_resume_measures_only_the_sections_that_did_not_finish(tiny_pure, tmp_path, monkeypatch):
    """A long run that stopped part-way is carried on with --resume; finished sections are not measured again."""
    calls: list[int] = []
    monkeypatch.setattr(run.pure_bench, "run_pure", lambda *a, **k: dict(tiny_pure))
    monkeypatch.setattr(run.fleet_bench, "gather_comparison", _fake_gather(calls, fail_sizes={3}))
    out, workdir = tmp_path / "performance.md", tmp_path / "bench"
    argv = ["--sizes", "2,3", "--skip-site", "--records", "10", "--repeat", "1", "--workdir", str(workdir),
            "--output", str(out)]
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
    partial = {"pure": {"error": "x"}, "gather": [{"size": 50}, {"size": 200, "error": "y"}], "site": {"size": 200}}
    assert checkpoint.finished_keys(partial) == {"gather 50", "site 200"}
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
