# Copyright: (c) 2026, ctxlic maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Sliced gathers that add up to one fleet report, run by AWX's own engine (issue 19 items 2 and 3).

AWX runs every job, and every slice of a sliced job, with ansible-runner in a private data directory.
These tests do the same: the fleet_report playbook as 4 gather slices in parallel (AWX's slicing: every
4th host of the inventory, ``--limit``, with the ``awx_job_id`` / ``awx_job_slice_number`` variables AWX
sets), all writing to one evidence history, then one report job over the whole fleet; the result must
equal one unsliced ``ansible-playbook`` run over the same lab fleet. Then a slice killed midway: the
other slices' rows are all there, once, and the report names the killed slice's servers as not gathered.

PostgreSQL variants need the server scripts/postgres.sh starts (``CTXLIC_TEST_PG_DSN``); without it
they are skipped, saying why. Cost: about 20 s per backend for the equivalence test (6 playbook runs,
4 of them in parallel) and about 15 s for the killed slice, on the 2-CPU CI machine.
"""

from __future__ import annotations

import json
import os
import threading
from pathlib import Path

import pytest
from postgres_for_tests import fresh_schema

from ansible_collections.ctxlic.license_server.plugins.plugin_utils._store.evidence_history import EvidenceHistory
from ansible_collections.ctxlic.license_server.plugins.plugin_utils.lab.fleet import HostSpec
from .conftest import BIN, COLLECTIONS, REPO
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._compliance.report_model import expand_report

ansible_runner = pytest.importorskip("ansible_runner")

pytestmark = pytest.mark.slow

PLAYBOOK = REPO / "playbooks" / "fleet_report.yml"
REPORT_TASK = "Write the fleet compliance report"
GATHER_TASK = "Gather License Server state"
SLICES = 4
SPECS = [
    HostSpec("ls01", last_upload={"days_ago": 1, "outcome": "success"}),
    HostSpec("ls02", last_upload={"days_ago": 100, "outcome": "success"}),
    HostSpec("ls03", last_upload={"days_ago": 2, "outcome": "blocked"}),
    HostSpec("ls04", reporting="manual", last_upload={"days_ago": 10, "outcome": "success"}),
    HostSpec("ls05", unreachable=True),
    HostSpec("ls06"),
    HostSpec("ls07", last_upload={"days_ago": 30, "outcome": "dns"}),
    HostSpec("ls08", last_upload={"days_ago": 3, "outcome": "success"}, version=None),
]
HOSTS = [spec.name for spec in SPECS]
COMPARED = ("fleet", "servers", "verdict", "todo", "todo_week", "as_of")
# One hour after the lab fleet's start (conftest): the unreachable host has no lab clock, so without as_of the
# report would judge by the controller's clock, which moves between the runs compared.
AS_OF = "2026-11-22T13:00:00Z"


@pytest.fixture
def pg_url():
    """A ``postgresql://user:password@host:port/db`` URL whose search_path is a fresh schema (dropped after)."""
    with fresh_schema() as (dsn, schema):
        yield f"{dsn}?options=-csearch_path%3D{schema}"


def runner_env() -> dict[str, str]:
    return {
        "ANSIBLE_COLLECTIONS_PATH": str(COLLECTIONS),
        "ANSIBLE_CONFIG": str(REPO / "ansible.cfg"),
        "ANSIBLE_HOST_KEY_CHECKING": "False",
        "ANSIBLE_NOCOLOR": "1",
        "ANSIBLE_FORKS": "10",
        "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}",
    }


def start_job(base: Path, name: str, fleet, extravars: dict, *, limit: str | None = None,
              cancel_on_first_gather: threading.Event | None = None):
    """Start one AWX-style job (ansible-runner, private data directory ``base/name``); (thread, runner).

    With ``cancel_on_first_gather``, the job is killed (ansible-runner's cancel, as AWX cancels a job) as soon
    as its first server answered the gather: midway, before the job can record anything; the event is set then.
    """
    private = base / name
    private.mkdir(parents=True)
    kwargs = {}
    if cancel_on_first_gather is not None:
        def on_event(event: dict) -> bool:
            if event.get("event") == "runner_on_ok" and str((event.get("event_data") or {}).get("task")).endswith(
                    GATHER_TASK):
                cancel_on_first_gather.set()
            return True

        kwargs = {"event_handler": on_event, "cancel_callback": cancel_on_first_gather.is_set}
    return ansible_runner.run_async(
        private_data_dir=str(private), playbook=str(PLAYBOOK), inventory=str(fleet.inventory), limit=limit,
        extravars=extravars, envvars=runner_env(), quiet=True,
        settings={"pexpect_timeout": 0.2, "suppress_ansible_output": True}, **kwargs,
    )


def task_result(runner, task: str) -> dict | None:
    for event in runner.events:
        data = event.get("event_data") or {}
        if event.get("event") in ("runner_on_ok", "runner_on_failed") and str(data.get("task")).endswith(task):
            return data.get("res")
    return None


def job_text(base: Path) -> str:
    """What the jobs output (stdout, every job event with its task results, incl. warnings) and the report files.

    Not the runner's ``command`` artifact or ``env/`` inputs: those are the job's own environment and
    extra variables as the test gave them (the test process's CTXLIC_TEST_PG_DSN among them).
    """
    parts = []
    for path in sorted(base.rglob("*")):
        if path.is_file() and path.name != "command" and "env" not in path.relative_to(base).parts[:2] \
                and path.suffix != ".zip":
            parts.append(path.read_text(encoding="utf-8", errors="replace"))
    return "\n".join(parts)


def slice_hosts(number: int) -> list[str]:
    """AWX's slicing: slice N (1-based) of M holds every M-th host of the inventory from the N-th on."""
    return HOSTS[number - 1::SLICES]


def run_sliced(fleet, base: Path, history_db: str, report_dir: Path, *, cancel_slice: int | None = None):
    """The 4 gather slices in parallel, then the report job; (slice runners, report result, canceled flag)."""
    jobs = []
    canceled = threading.Event()
    for number in range(1, SLICES + 1):
        extravars = {"ctxlic_telemetry_mode": "gather", "ctxlic_telemetry_as_of": AS_OF,
                     "ctxlic_telemetry_history_db": history_db, "awx_job_id": 4711, "awx_job_slice_number": number,
                     "ctxlic_telemetry_report_dir": str(report_dir)}
        jobs.append(start_job(base, f"slice{number}", fleet, extravars, limit=",".join(slice_hosts(number)),
                              cancel_on_first_gather=canceled if number == cancel_slice else None))
    for thread, _runner in jobs:
        thread.join(timeout=300)
        assert not thread.is_alive(), "a slice job did not end within 5 minutes"
    slices = [runner for _thread, runner in jobs]
    thread, report = start_job(base, "report", fleet, {"ctxlic_telemetry_mode": "report",
                                                       "ctxlic_telemetry_as_of": AS_OF,
                                                       "ctxlic_telemetry_history_db": history_db,
                                                       "ctxlic_telemetry_report_dir": str(report_dir)})
    thread.join(timeout=300)
    assert not thread.is_alive(), "the report job did not end within 5 minutes"
    return slices, report, canceled.is_set()


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_four_slices_and_a_report_equal_one_unsliced_run(make_fleet, tmp_path, backend, request):
    fleet = make_fleet(SPECS)
    history_db = str(tmp_path / "sliced.sqlite") if backend == "sqlite" else request.getfixturevalue("pg_url")

    unsliced = fleet.run(PLAYBOOK, extra_vars={"ctxlic_telemetry_as_of": AS_OF,
                                               "ctxlic_telemetry_history_db": str(tmp_path / "unsliced.sqlite"),
                                               "ctxlic_telemetry_report_dir": str(tmp_path / "unsliced")})
    expected = unsliced.task_results(f"ctxlic.license_server.telemetry : {REPORT_TASK}")
    expected = next(iter(expected.values()))
    assert unsliced.rc == 0, unsliced.stdout[-3000:]

    slices, report, _sliced_dir = run_sliced(fleet, tmp_path / "runner", history_db, tmp_path / "sliced")
    for number, runner in enumerate(slices, 1):
        assert runner.status == "successful", (number, runner.status, runner.stdout.read()[-3000:])
        gathered = task_result(runner, REPORT_TASK)
        assert gathered["mode"] == "gather" and "fleet" not in gathered and "verdict" not in gathered
        assert gathered["gathered"]["hosts"] == sorted(slice_hosts(number))
        assert gathered["gathered"]["run_id"] == f"awx-job-4711-slice-{number}"
    assert report.status == "successful", report.stdout.read()[-3000:]
    result = task_result(report, REPORT_TASK)
    assert result["mode"] == "report"
    assert result["gathers"]["fresh"] == len(HOSTS) and result["gathers"]["not_gathered"] == []
    assert result["gathers"]["runs"] == {f"awx-job-4711-slice-{n}": 2 for n in range(1, SLICES + 1)}
    for key in COMPARED:
        assert result[key] == expected[key], key
    assert result["clock"].split(",")[0] == expected["clock"].split(",")[0]  # whose clock (the time moves on)
    assert len(EvidenceHistory(history_db).gathers()) == len(HOSTS)  # one row per server, none lost or doubled
    assert sorted(p.name for p in (tmp_path / "sliced").iterdir()) == sorted(Path(p).name for p in
                                                                             expected["reports"].values())
    sliced_json = expand_report(json.loads(Path(result["reports"]["json"]).read_text(encoding="utf-8")))
    unsliced_json = expand_report(json.loads(Path(expected["reports"]["json"]).read_text(encoding="utf-8")))
    assert sliced_json["servers"] == unsliced_json["servers"]
    if backend == "postgresql":
        password = history_db.split("://", 1)[1].split("@", 1)[0].split(":", 1)[1]
        text = job_text(tmp_path / "runner") + job_text(tmp_path / "sliced")
        assert "postgresql://ctxlic:***@" in text  # the searched outputs do show the connection, without password
        assert password not in text
        assert result["history"]["path"].startswith("postgresql://ctxlic:***@")


def test_a_killed_slice_loses_no_row_of_the_others_and_its_servers_are_not_gathered(make_fleet, tmp_path, pg_url):
    fleet = make_fleet(SPECS)
    slices, report, canceled = run_sliced(fleet, tmp_path / "runner", pg_url, tmp_path / "reports", cancel_slice=2)
    assert canceled and slices[1].status == "canceled", slices[1].status
    assert task_result(slices[1], REPORT_TASK) is None  # killed before it recorded anything
    for number in (1, 3, 4):
        assert slices[number - 1].status == "successful", number
    killed = slice_hosts(2)
    rows = EvidenceHistory(pg_url).gathers()
    assert sorted(r["host"] for r in rows) == sorted(h for h in HOSTS if h not in killed)  # each once, none lost
    assert report.status == "successful", report.stdout.read()[-3000:]
    result = task_result(report, REPORT_TASK)
    assert result["gathers"]["not_gathered"] == killed
    servers = {s["host"]: s for s in result["servers"]}
    for host in killed:
        assert not servers[host]["reporting"]
        assert any("not gathered" in (c["message"] or "") for c in servers[host]["checks"]), servers[host]
    assert {n["host"] for n in result["fleet"]["not_reporting"]} >= set(killed)


def test_a_report_job_on_localhost_takes_the_fleet_from_the_allocation_export(make_fleet, tmp_path):
    """Issue 19 item 2: the report job's host list is the allocation export (ctxlic_telemetry_expected_hosts).

    Two gather parts (``--limit``) record ls01 and ls02; the report job runs on localhost alone, over the
    export, which also names a server no gather covered and has a row without a host (SQLite history).
    """
    fleet = make_fleet(SPECS[:3])
    db, reports = str(tmp_path / "sliced.sqlite"), tmp_path / "reports"
    for part in ("ls01", "ls02"):
        gathered = fleet.run(PLAYBOOK, limit=part, extra_vars={
            "ctxlic_telemetry_mode": "gather", "ctxlic_telemetry_history_db": db, "ctxlic_telemetry_as_of": AS_OF,
            "ctxlic_telemetry_report_dir": str(reports)})
        assert gathered.rc == 0, gathered.stdout[-3000:]
    export = tmp_path / "allocations.csv"
    export.write_text("License Server;Product;Qty\nls01;XenDesktop Platinum;100\nLS02;XenApp;50\n"
                      "ls09;XenApp;1.000\n;XenApp;7\n", encoding="utf-8")
    report = fleet.run(PLAYBOOK, extra_vars={
        "ctxlic_target_hosts": "localhost", "ctxlic_telemetry_mode": "report",
        "ctxlic_telemetry_expected_hosts": "allocations", "ctxlic_telemetry_allocations_csv": str(export),
        "ctxlic_telemetry_allocation_host_column": "License Server",
        "ctxlic_telemetry_allocation_quantity_column": "Qty",
        "ctxlic_telemetry_history_db": db, "ctxlic_telemetry_as_of": AS_OF,
        "ctxlic_telemetry_report_dir": str(reports)})
    assert report.rc == 0, report.stdout[-3000:]
    result = next(iter(report.task_results(f"ctxlic.license_server.telemetry : {REPORT_TASK}").values()))
    assert sorted(s["host"] for s in result["servers"]) == ["ls01", "ls02", "ls09"]  # not localhost, not ls03
    assert result["gathers"]["fresh"] == 2 and result["gathers"]["not_gathered"] == ["ls09"]
    assert result["gathers"]["allocated_as"]["ls02"] == ["LS02"]
    ls09 = next(s for s in result["servers"] if s["host"] == "ls09")
    assert not ls09["reporting"]
    assert any("allocation export (host 'ls09')" in (c["message"] or "") for c in ls09["checks"])
    ignored = [f for f in result["input_rows"]["findings"] if f["ignored"]]
    assert [(f["row"], f["code"]) for f in ignored] == [(5, "missing_host")]
    assert "allocations_csv: row 5" in report.stdout
