# Copyright: (c) 2026, ctxlic maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Issue 19 item 6: when the telemetry role notifies, and the payload it posts."""

from __future__ import annotations

import json

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.ctxlic.license_server.plugins.filter.fleet_notification import FilterModule
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._compliance import notify

fleet_notification = FilterModule().filters()["fleet_notification"]


def report(status="Compliant", tone="pass", todo=None, as_of="2026-12-02"):
    return {
        "fleet": {"status": status, "status_reason": f"reason for {status}",
                  "counts": {"servers": 2, "reporting": 2, "not_reporting": 0, "manual_mode": 1}},
        "verdict": {"tone": tone, "headline": f"headline {tone}", "detail": "detail", "servers": 2},
        "todo": todo or {},
        "todo_week": {"as_of": as_of, "until": "2026-12-09", "items": [], "later": 0},
        "collection_version": "0.1.0",
        "history": {"path": "postgresql://ctxlic:***@db/ctxlic"},
        "reports": {"json": "/srv/reports/compliance_report.json"},
    }


def action(deadline, host_action="Upgrade", when="by"):
    return {"order": 1, "check": "upgrade_window", "severity": "warn", "action": host_action,
            "deadline": deadline, "when": f"{when} {deadline}" if deadline else "when possible"}


def test_first_run_notifies_and_the_payload_has_the_documented_shape():
    todo = {"ls02": [action(None, "Enable the service")], "ls01": [action("2027-03-01")]}
    decision = notify.decide(report(todo=todo), None, 7)
    assert decision["send"] is True and decision["reasons"] == ["first notification"]
    payload = decision["payload"]
    assert set(payload) == {"schema", "version", "title", "as_of", "collection_version", "reasons", "verdict",
                            "fleet", "todo", "text"}
    assert (payload["schema"], payload["version"]) == ("ctxlic.license_server/fleet-notification", 1)
    assert payload["fleet"] == {"status": "Compliant", "status_reason": "reason for Compliant",
                                "previous_status": None,
                                "counts": {"servers": 2, "reporting": 2, "not_reporting": 0}}
    assert payload["verdict"] == {"tone": "pass", "headline": "headline pass", "detail": "detail"}
    # deadlines first (earliest first), then actions without a deadline
    assert [(r["host"], r["deadline"]) for r in payload["todo"]] == [("ls01", "2027-03-01"), ("ls02", None)]
    assert "ls01: Upgrade (by 2027-03-01)" in payload["text"]
    assert decision["state"] == {"schema": notify.STATE_SCHEMA, "fleet_status": "Compliant", "verdict_tone": "pass",
                                 "as_of": "2026-12-02"}
    # nothing of the report's paths or connections: only its words and counts
    dumped = json.dumps(payload)
    assert "/srv/reports" not in dumped and "postgresql" not in dumped


def test_same_status_and_nothing_due_is_not_news():
    first = notify.decide(report(todo={"ls01": [action("2027-03-01")]}), None, 7)
    again = notify.decide(report(todo={"ls01": [action("2027-03-01")]}), first["state"], 7)
    assert again["send"] is False and again["reasons"] == []


@pytest.mark.parametrize("status, tone, reason", [
    ("Partially Compliant", "pass", "status changed: fleet status Compliant -> Partially Compliant"),
    ("Compliant", "fail", "status changed: verdict tone pass -> fail"),
])
def test_a_changed_status_or_verdict_notifies(status, tone, reason):
    state = notify.decide(report(), None, 7)["state"]
    decision = notify.decide(report(status=status, tone=tone), state, 7)
    assert decision["send"] is True and decision["reasons"] == [reason]
    assert decision["payload"]["fleet"]["previous_status"] == "Compliant"


@pytest.mark.parametrize("deadline, due_days, due", [
    ("2026-12-09", 7, True),    # the last day of the window
    ("2026-12-10", 7, False),   # one day after it
    ("2026-12-10", 8, True),
    ("2026-11-01", 0, True),    # overdue: reminded on every run
    ("2026-12-02", 0, True),    # due today
])
def test_an_action_due_within_the_window_notifies_without_a_status_change(deadline, due_days, due):
    todo = {"ls01": [action(deadline)]}
    state = notify.decide(report(), None, due_days)["state"]
    decision = notify.decide(report(todo=todo), state, due_days)
    assert decision["send"] is due
    if due:
        assert decision["reasons"] == [f"1 action(s) due within {due_days} day(s) or overdue"]


def test_a_state_of_another_shape_counts_as_never_notified():
    for previous in ({}, {"fleet_status": "Compliant", "verdict_tone": "pass"}, [], "x"):
        assert notify.decide(report(), previous, 7)["reasons"] == ["first notification"]


def test_bad_inputs_are_refused():
    with pytest.raises(ValueError, match="due_days"):
        notify.decide(report(), None, -1)
    with pytest.raises(ValueError, match="fleet status"):
        notify.decide({"mode": "gather"}, None, 7)


def test_the_filter_reads_the_state_file_text_and_survives_a_damaged_one():
    state = notify.decide(report(), None, 7)["state"]
    assert fleet_notification(report(), json.dumps(state), 7)["send"] is False
    assert fleet_notification(report(), "{not json", 7)["reasons"] == ["first notification"]
    assert fleet_notification(report(), "", "7")["reasons"] == ["first notification"]
    assert fleet_notification(report(), None, 7, "My title")["payload"]["title"] == "My title"
    with pytest.raises(AnsibleFilterError, match="due_days"):
        fleet_notification(report(), None, -3)
    with pytest.raises(AnsibleFilterError, match="fleet_report result"):
        fleet_notification("nope")


def test_the_chat_text_is_bounded():
    todo = {f"ls{i:02d}": [action("2027-01-01")] for i in range(notify.TEXT_TODO_LINES + 5)}
    payload = notify.decide(report(todo=todo), None, 7)["payload"]
    assert len(payload["todo"]) == notify.TEXT_TODO_LINES + 5
    assert payload["text"].endswith("... and 5 more actions (see the report)")
