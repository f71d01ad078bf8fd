# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""fleet_report's sliced run (issue 19 item 2): mode gather records, mode report judges the whole fleet.

Run as Ansible runs the action plugin (no host: fleet_report never connects), on SQLite and, when the
tests have a PostgreSQL server, on PostgreSQL with the password written into the URL: it must never
appear in the task result or the reports.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ansible_collections.ctxlic.license_server.plugins.plugin_utils._store.evidence_history import EvidenceHistory

HOSTS = ["ls1", "ls2", "ls3"]
INFO = {
    "ls1": {"failed": True, "msg": "WinRM said no to ls1"},
    "ls2": {"unreachable": True, "msg": "ls2 did not answer"},
}


@pytest.fixture(params=["sqlite", "postgresql"])
def history_db(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return str(tmp_path / "evidence.sqlite")
    import psycopg

    params = psycopg.conninfo.conninfo_to_dict(request.getfixturevalue("pg_conninfo"))
    options = params.pop("options").replace("=", "%3D").replace(" ", "%20")
    return (f"postgresql://{params['user']}:{params['password']}@{params['host']}:{params['port']}/"
            f"{params['dbname']}?options={options}")


def hostvars(info: dict) -> dict:
    return {host: ({"ctxlic_info": info[host]} if host in info else {}) for host in HOSTS}


def test_gather_records_and_report_judges_the_whole_fleet(run_action, history_db: str, tmp_path: Path) -> None:
    out = tmp_path / "reports"
    gathered = run_action("fleet_report", {"mode": "gather", "history_db": history_db, "output_dir": str(out),
                                           "gather_run_id": "slice-1"},
                          task_vars={"hostvars": hostvars(INFO), "ansible_play_hosts_all": HOSTS})
    assert not gathered.get("failed"), gathered
    assert gathered["gathered"]["hosts"] == ["ls1", "ls2"] and gathered["gathered"]["skipped"] == ["ls3"]
    assert gathered["gathered"]["recorded"] == 2 and gathered["changed"]
    assert "fleet" not in gathered and "verdict" not in gathered and not out.exists()  # no verdict from a slice
    assert [g["host"] for g in EvidenceHistory(history_db).gathers()] == ["ls1", "ls2"]

    report = run_action("fleet_report", {"mode": "report", "history_db": history_db, "output_dir": str(out),
                                         "hosts": HOSTS, "formats": ["json"]},
                        task_vars={"hostvars": {}})  # the report job has no registered results at all
    assert not report.get("failed"), report
    assert report["gathers"]["fresh"] == 2 and report["gathers"]["not_gathered"] == ["ls3"]
    assert report["gathers"]["runs"] == {"slice-1": 2}
    checks = {s["host"]: " ".join(c["message"] or "" for c in s["checks"]) for s in report["servers"]}
    assert "WinRM said no to ls1" in checks["ls1"]
    assert "ls2 did not answer" in checks["ls2"]
    assert "not gathered" in checks["ls3"] and "gather_max_age_hours" in checks["ls3"]
    assert {n["host"] for n in report["fleet"]["not_reporting"]} == set(HOSTS)
    if "://" in history_db:  # PostgreSQL: the password in the URL is shown nowhere
        password = history_db.split("://")[1].split("@")[0].split(":")[1]
        shown = json.dumps(gathered) + json.dumps(report) + Path(report["reports"]["json"]).read_text()
        assert password not in shown
        assert report["history"]["path"].startswith("postgresql://") and ":***@" in report["history"]["path"]


def test_report_uses_only_fresh_gathers(run_action, tmp_path: Path) -> None:
    db = tmp_path / "evidence.sqlite"
    EvidenceHistory(db).record_gathers("old-run", "2000-01-01T00:00:00Z", {"ls1": {"info": INFO["ls1"]}})
    report = run_action("fleet_report", {"mode": "report", "history_db": str(db), "output_dir": str(tmp_path / "r"),
                                         "hosts": ["ls1"], "formats": [], "gather_max_age_hours": 1},
                        task_vars={"hostvars": {}})
    assert report["gathers"]["not_gathered"] == ["ls1"] and report["gathers"]["fresh"] == 0


@pytest.mark.parametrize(
    ("args", "match"),
    [
        ({"mode": "gather", "history": False}, "set history to true"),
        ({"mode": "report", "gather_max_age_hours": 0}, "gather_max_age_hours"),
        ({"mode": "gather", "records": [{"host": "ls1"}]}, "not records"),
        ({"mode": "report", "history_db": "/nonexistent/dir/e.sqlite"}, None),
        ({"history_db": "   "}, "empty"),
        ({"history_db": "/tmp/x.sqlite", "history_db_password": "pw"}, "takes no password"),
    ],
)
def test_mode_refusals(run_action, tmp_path: Path, args: dict, match: str | None) -> None:
    base = {"output_dir": str(tmp_path / "r"), "hosts": ["ls1"], "history_db": str(tmp_path / "e.sqlite")}
    result = run_action("fleet_report", {**base, **args}, task_vars={"hostvars": hostvars(INFO)},
                        check_mode=match is None)
    assert result.get("failed"), result
    assert match is None or match in result["msg"], result["msg"]
    if match is None:  # check mode, a report before any gather: says to run the gathers first
        assert "run the gather jobs" in result["msg"]


def test_a_refused_postgresql_password_is_not_in_the_failure(run_action, tmp_path: Path, pg_conninfo: str) -> None:
    import psycopg

    params = psycopg.conninfo.conninfo_to_dict(pg_conninfo)
    url = f"postgresql://{params['user']}:Wr0ng-Secret@{params['host']}:{params['port']}/{params['dbname']}"
    for module, args in (("fleet_report", {"output_dir": str(tmp_path / "r"), "hosts": ["ls1"]}),
                         ("evidence_event", {"kind": "decommissioned", "host": "ls1"})):
        result = run_action(module, {**args, "history_db": url}, task_vars={"hostvars": hostvars(INFO)})
        assert result.get("failed") and "password authentication failed" in result["msg"], result
        assert "Wr0ng-Secret" not in json.dumps(result)
        assert f"{params['user']}:***@" in result["msg"]
