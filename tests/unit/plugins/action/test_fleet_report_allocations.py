# Copyright: (c) 2026, ctxlic maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The report job's host list from the allocation export (issue 19 item 2, expected_hosts=allocations).

Gather jobs record under their inventory names; the report job runs on the controller alone and takes the
fleet from the licensing portal's export: every allocated server is judged from its latest fresh gather, one
without is named as not gathered (with the allocation in the reason), and bad rows are reported, not skipped.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from act2_recorded import recorded

from ansible_collections.ctxlic.license_server.plugins.plugin_utils._license.allocations import allocated_servers
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._store.evidence_history import EvidenceHistory

RECORD = recorded("act2_fleet_records.json")["records"][0]
EXPORT = (
    "Host ID,Product,Quantity\n"
    "ls1,XenDesktop Platinum,100\n"   # gathered as ls1.corp.example (inventory FQDN)
    "ls2,XenApp,50\n"                 # gathered as LS2 (the portal spells it in lower case)
    "ls3,XenApp,abc\n"                # never gathered; an unreadable quantity still counts the host
    ",XenApp,10\n"                    # no host: not a server, reported as an ignored row
    "ls4,XenApp,5\n"                  # gathered, but long ago
)


def server(host: str) -> dict:
    return {"info": {"server": {**RECORD, "host": host}}, "window": None}


@pytest.fixture
def history(tmp_path: Path) -> Path:
    db = tmp_path / "evidence.sqlite"
    store = EvidenceHistory(db)
    store.record_gathers("slice-1", datetime.now(UTC).replace(microsecond=0),
                         {"ls1.corp.example": server("ls1.corp.example"), "LS2": server("LS2")})
    store.record_gathers("old-run", "2020-01-01T00:00:00Z", {"ls4": server("ls4")})
    return db


def report_args(tmp_path: Path, history: Path, csv_text: str = EXPORT, **changes) -> dict:
    csv = tmp_path / "allocations.csv"
    csv.write_text(csv_text, encoding="utf-8")
    return {"mode": "report", "expected_hosts": "allocations", "allocations_csv": str(csv),
            "history_db": str(history), "output_dir": str(tmp_path / "reports"), "formats": ["json"],
            "catalog_cache": "", **changes}


def test_the_report_job_judges_every_server_of_the_allocation_export(run_action, tmp_path, history) -> None:
    # The report job runs on localhost alone: the play's host list is not the fleet.
    result = run_action("fleet_report", report_args(tmp_path, history, hosts=["localhost"]),
                        task_vars={"hostvars": {}, "ansible_play_hosts_all": ["localhost"]})
    assert not result.get("failed"), result
    hosts = sorted(s["host"] for s in result["servers"])
    assert hosts == ["LS2", "ls1.corp.example", "ls3", "ls4"]  # localhost is not a server
    gathers = result["gathers"]
    assert gathers["expected_hosts"] == "allocations"
    assert gathers["fresh"] == 2 and gathers["not_gathered"] == ["ls3", "ls4"]
    assert gathers["allocated_as"] == {"LS2": ["ls2"], "ls1.corp.example": ["ls1"], "ls3": ["ls3"], "ls4": ["ls4"]}
    checks = {s["host"]: " ".join(c["message"] or "" for c in s["checks"]) for s in result["servers"]}
    for missing in ("ls3", "ls4"):
        assert "not gathered" in checks[missing] and f"allocation export (host '{missing}')" in checks[missing]
        assert "allocations must be returned" in checks[missing]
    assert "not gathered" not in checks["ls1.corp.example"] and "not gathered" not in checks["LS2"]
    # Not gathered servers count as not reporting, as an unreachable server does.
    assert {"ls3", "ls4"} <= {n["host"] for n in result["fleet"]["not_reporting"]}
    # Bad rows are reported, not skipped: the unreadable quantity and the row without a host.
    findings = {f["row"]: f for f in result["input_rows"]["findings"]}
    assert findings[4]["code"] == "bad_quantity" and findings[4]["ignored"] is False
    assert findings[5]["code"] == "missing_host" and findings[5]["ignored"] is True
    assert any(w.startswith("allocations_csv: row 5") for w in result["warnings"])
    report = json.loads(Path(result["reports"]["json"]).read_text(encoding="utf-8"))
    assert sorted(s["host"] for s in report["servers"]) == hosts
    # The portal spells LS2 in lower case: no obsolete server, but the evidence notes name the case difference.
    assert result["obsolete_allocations"] == []
    assert any("Portal host ID ls2 matches License Server LS2 only when letter case is ignored" in note
               for note in json.loads(Path(result["reports"]["json"]).read_text())["evidence_notes"])


def test_the_inventory_stays_the_default_host_list(run_action, tmp_path, history) -> None:
    result = run_action("fleet_report", report_args(tmp_path, history, expected_hosts="inventory",
                                                    hosts=["ls1.corp.example", "ls9"]),
                        task_vars={"hostvars": {}})
    assert not result.get("failed"), result
    assert sorted(s["host"] for s in result["servers"]) == ["ls1.corp.example", "ls9"]
    assert result["gathers"]["expected_hosts"] == "inventory" and "allocated_as" not in result["gathers"]
    # With the inventory as the fleet, allocation hosts outside it are obsolete, as before.
    assert {o["host"] for o in result["obsolete_allocations"]} >= {"ls3", "ls4"}


@pytest.mark.parametrize(
    ("changes", "csv_text", "match"),
    [
        ({"mode": "full", "hosts": ["ls1"]}, EXPORT, "use it with mode=report"),
        ({"allocations_csv": None}, EXPORT, "give allocations_csv"),
        ({}, "Host ID,Product,Quantity\n,XenApp,1\n   ,XenApp,2\n", "no row names a license server (2 row(s)"),
    ],
)
def test_refusals_name_the_input(run_action, tmp_path, history, changes: dict, csv_text: str, match: str) -> None:
    result = run_action("fleet_report", {**report_args(tmp_path, history, csv_text), **changes},
                        task_vars={"hostvars": {}})
    assert result.get("failed") and match in result["msg"], result
    assert not (tmp_path / "reports").exists()


def test_allocated_servers_match_gathered_names_by_exact_short_and_case() -> None:
    rows = [{"host": h, "product": "P", "quantity": 1} for h in ("ls1", "LS2", "ls2", "ls3", "10.0.0.5")]
    known = ["ls1.corp.example", "ls2", "ls1", "10.0.0.5"]
    assert allocated_servers(rows, known) == [
        {"host": "10.0.0.5", "allocated_as": ["10.0.0.5"]},
        {"host": "ls1", "allocated_as": ["ls1"]},  # the exact name wins over the FQDN's first label
        {"host": "ls2", "allocated_as": ["LS2", "ls2"]},
        {"host": "ls3", "allocated_as": ["ls3"]},
    ]
