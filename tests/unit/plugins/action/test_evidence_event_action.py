# Copyright: (c) 2026, ctxlic maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The evidence_event action plugin: controller only (the host is never asked), once-only events, check mode."""

from __future__ import annotations

from ansible_collections.ctxlic.license_server.plugins.plugin_utils._store.evidence_history import EvidenceHistory

AT = "2026-11-20T08:00:00Z"


def test_an_event_is_recorded_once_in_history_db_relative_to_the_playbook(run_action, tmp_path) -> None:
    play = tmp_path / "play"
    play.mkdir()
    args = {"kind": "decommissioned", "at": AT, "history_db": "evidence.sqlite", "detail": {"ticket": "CHG-1"}}
    result = run_action("evidence_event", args, None, basedir=play)  # None: asking for the host fails the test
    assert not result.get("failed"), result.get("msg")
    assert result["changed"] is True and result["history_db"] == str(play / "evidence.sqlite")
    assert result["msg"] == f"recorded decommissioned for ls1.example.test at {AT} in {play / 'evidence.sqlite'}"
    events = EvidenceHistory(str(play / "evidence.sqlite")).events(host="ls1.example.test", kind="decommissioned")
    assert [(e["at"], e["detail"]) for e in events] == [(AT, {"ticket": "CHG-1"})]

    again = run_action("evidence_event", {**args, "at": "2026-11-21T08:00:00Z"}, None, basedir=play, diff=True)
    assert again["changed"] is False and "already has a decommissioned event" in again["msg"]
    assert again["event"]["at"] == AT and "diff" not in again


def test_check_mode_creates_no_database_and_records_nothing(run_action, tmp_path) -> None:
    db = tmp_path / "evidence.sqlite"
    result = run_action("evidence_event", {"kind": "decommissioned", "host": "ls9", "history_db": str(db)}, None,
                        check_mode=True)
    assert result["changed"] is True and result["msg"].startswith(f"would create {db} and record decommissioned")
    assert not db.exists()


def test_check_mode_on_an_existing_database_records_nothing(run_action, tmp_path) -> None:
    db = tmp_path / "evidence.sqlite"
    run_action("evidence_event", {"kind": "migrated", "host": "ls9", "at": AT, "history_db": str(db)}, None)
    before = db.read_bytes()
    result = run_action("evidence_event", {"kind": "renamed", "host": "ls9", "at": AT, "history_db": str(db)}, None,
                        check_mode=True)
    assert result["changed"] is True and result["msg"] == f"would record renamed for ls9 at {AT} in {db}"
    assert db.read_bytes() == before


def test_manual_uploads_are_each_recorded_with_who_recorded_them(run_action, tmp_path) -> None:
    db = str(tmp_path / "evidence.sqlite")
    args = {"kind": "manual_upload", "history_db": db, "detail": {"recorded_by": "alice"}}
    first = run_action("evidence_event", {**args, "at": AT}, None)
    second = run_action("evidence_event", {**args, "at": "2026-11-21T08:00:00Z"}, None)
    assert first["changed"] is True and second["changed"] is True
    assert second["event"]["detail"]["recorded_by"] == "alice" and "recorded_at" in second["event"]["detail"]
    assert len(EvidenceHistory(db).events(host="ls1.example.test", kind="manual_upload")) == 2


def test_bad_input_fails_and_writes_nothing(run_action, tmp_path) -> None:
    db = tmp_path / "evidence.sqlite"
    for args, words in (
        ({"kind": "Not A Kind"}, "is not an event name"),
        ({"kind": "migrated", "at": "yesterday"}, "is not an ISO 8601 time"),
        ({"kind": "manual_upload", "at": "2999-01-01T00:00:00Z"}, "lies in the future"),
        ({"kind": "migrated", "history_db": ""}, "is empty"),
    ):
        result = run_action("evidence_event", {"history_db": str(db), **args}, None)
        assert result["failed"] is True and words in result["msg"], (args, result)
    result = run_action("evidence_event", {"kind": "migrated", "history_db": str(db)}, None,
                        task_vars={"inventory_hostname": "  "})
    assert result["failed"] is True and "host is empty" in result["msg"]
    assert not db.exists()
