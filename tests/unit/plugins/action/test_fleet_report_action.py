# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The fleet_report action plugin on the controller, with the info records of three lab hosts (recorded)."""

from __future__ import annotations

import json
from pathlib import Path

from act2_recorded import recorded

AS_OF = "2026-11-22T12:00:00Z"  # the lab clock when the records were taken


def options(tmp_path: Path, **changes) -> dict:
    return {"records": recorded("act2_fleet_records.json")["records"], "output_dir": str(tmp_path / "reports"),
            "history_db": str(tmp_path / "evidence.sqlite"), "as_of": AS_OF, **changes}


def test_reports_are_written_and_uploads_recorded_in_the_history(run_action, tmp_path) -> None:
    result = run_action("fleet_report", options(tmp_path), None)
    assert result["changed"] is True and not result.get("failed"), result
    assert sorted(result["reports"]) == ["csv", "html", "json", "junit", "markdown"]
    assert all(Path(path).is_file() for path in result["reports"].values())
    assert sorted(s["host"] for s in result["servers"]) == ["behindproxy", "firewalled", "primary"]
    assert result["history"] == {"enabled": True, "path": str(tmp_path / "evidence.sqlite"), "recorded": 3}
    counts = result["fleet"]["counts"]
    assert result["msg"].startswith(result["verdict"]["headline"] + ". Fleet telemetry status")
    assert f"{counts['reporting']} of {counts['allocated']} allocated license servers reporting" in result["msg"]
    report = json.loads(Path(result["reports"]["json"]).read_text())
    assert sorted(s["host"] for s in report["servers"]) == ["behindproxy", "firewalled", "primary"]
    again = run_action("fleet_report", options(tmp_path, formats=[]), None)
    assert again["changed"] is False and again["history"]["recorded"] == 0  # nothing new to record


def test_check_mode_writes_no_report_and_no_history(run_action, tmp_path) -> None:
    result = run_action("fleet_report", options(tmp_path), None, check_mode=True)
    assert result["changed"] is False and result["reports"] == {} and result["history"]["recorded"] == 0
    assert not (tmp_path / "reports").exists() and not (tmp_path / "evidence.sqlite").exists()
    assert "Reports:" not in result["msg"]


def test_relative_controller_paths_are_taken_from_the_playbook_directory(run_action, tmp_path) -> None:
    playbook_dir = tmp_path / "play"
    playbook_dir.mkdir()
    result = run_action("fleet_report", {**options(tmp_path), "output_dir": "out", "history_db": "db/e.sqlite",
                                         "formats": ["json"]}, None, basedir=playbook_dir)
    assert result["reports"] == {"json": str(playbook_dir / "out" / "compliance_report.json")}
    assert result["history"]["path"] == str(playbook_dir / "db" / "e.sqlite")


def test_fail_on_fails_the_task_with_the_reports_written(run_action, tmp_path) -> None:
    result = run_action("fleet_report", options(tmp_path, fail_on="action_required", formats=["markdown"]), None)
    assert result["failed"] is True and result["msg"].endswith(f"Reports: {result['reports']['markdown']}.")


def test_allocation_rows_warn_through_the_task_warnings(run_action, tmp_path) -> None:
    csv = tmp_path / "allocations.csv"
    csv.write_text("Host ID,Product,Quantity\nLICSRV01,XenDesktop Platinum,100\nOLDHOST,XenApp,abc\n")
    result = run_action("fleet_report", options(tmp_path, allocations_csv=str(csv), formats=[]), None)
    assert not result.get("failed"), result
    assert [w for w in result["warnings"] if w.startswith("allocations_csv: ")]
    assert result["input_rows"]["option"] == "allocations_csv" and result["input_rows"]["path"] == str(csv)


def test_bad_input_fails_before_anything_is_written(run_action, tmp_path) -> None:
    result = run_action("fleet_report", options(tmp_path, max_upload_age_days=0), None)
    assert result["failed"] is True and "max_upload_age_days" in result["msg"]
    result = run_action("fleet_report", options(tmp_path, records=[{"host": "a"}, {"host": "a"}]), None)
    assert result["failed"] is True and "appears twice" in result["msg"]
    result = run_action("fleet_report", options(tmp_path, output_dir=""), None)
    assert result["failed"] is True and "output_dir: an empty path" in result["msg"]
    assert not (tmp_path / "reports").exists() and not (tmp_path / "evidence.sqlite").exists()


def test_json_report_is_compact_unless_json_indent_asks(run_action, tmp_path) -> None:
    compact = run_action("fleet_report", options(tmp_path / "a", formats=["json"], history=False), None)
    text = Path(compact["reports"]["json"]).read_text(encoding="utf-8")
    assert text.count("\n") == 1 and json.loads(text)["schema_version"] == 2
    indented = run_action("fleet_report", options(tmp_path / "b", formats=["json"], history=False, json_indent=2),
                          None)
    pretty = Path(indented["reports"]["json"]).read_text(encoding="utf-8")
    assert pretty.startswith('{\n  "verdict": {') and json.loads(pretty)["servers"] == json.loads(text)["servers"]
    # The module result keeps each to-do action's text (the report names it by index).
    assert all(isinstance(a["action"], str) for actions in compact["todo"].values() for a in actions)
    assert all(isinstance(i["action"], str) for i in compact["todo_week"]["items"])


def test_json_indent_out_of_range_fails_with_a_message(run_action, tmp_path) -> None:
    result = run_action("fleet_report", options(tmp_path, formats=["json"], json_indent=12), None)
    assert result.get("failed") and "json_indent" in result["msg"], result
    assert not (tmp_path / "reports").exists() and not (tmp_path / "evidence.sqlite").exists()
