# Copyright: (c) 2026, ctxlic maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# Internal use only: this module is private to ctxlic.license_server and may change at any time.
"""Fleet notifications: the payload posted to a webhook and whether to post it (pure: no I/O, no clock reads).

Issue 19 item 6. The telemetry role posts the fleet summary and the per-server to-do list only when it is
news: the status changed since the last notification that was delivered, or an action is due within
``due_days`` days (an overdue action is due, so it is repeated on every run until it is done).

The last delivered notification is kept by the role in a small state file on the controller (the
evidence history keeps upload observations per server, not the fleet status). :func:`decide` takes the
previous state (the parsed file, or None when there is none or it cannot be read) and returns the decision,
the payload and the state to write after a successful post.

Payload shape ``ctxlic.license_server/fleet-notification`` version 1 (documented in docs/notifications.md)::

    {"schema": "ctxlic.license_server/fleet-notification", "version": 1,
     "title": str, "as_of": "YYYY-MM-DD" | null, "collection_version": str | null,
     "reasons": [str, ...],                       # why this notification was sent
     "verdict": {"tone", "headline", "detail"},
     "fleet": {"status", "status_reason", "previous_status", "counts": {...}},
     "todo": [{"host", "check", "severity", "action", "deadline", "when"}, ...],   # ordered by deadline
     "text": str}                                 # the same in a few lines, for chat webhooks

It carries the report's own words and counts and nothing else: no connection strings, passwords or paths.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any, Mapping

from ansible_collections.ctxlic.license_server.plugins.plugin_utils._compliance.todo import day_of

SCHEMA = "ctxlic.license_server/fleet-notification"
VERSION = 1
STATE_SCHEMA = "ctxlic.license_server/fleet-notification-state"

#: Counters of the report's fleet.counts copied into the payload (the rest stays in the report files).
COUNT_KEYS = ("servers", "allocated", "reporting", "not_reporting", "compliant", "non_compliant", "unknown",
              "unreachable", "overdue_upgrade", "upgrade_due_soon", "expired_licenses", "obsolete_allocations")
#: Most to-do lines in the chat text (the JSON ``todo`` list is complete).
TEXT_TODO_LINES = 20


def status_of(report: Mapping[str, Any]) -> dict[str, str | None]:
    """What "the status" is: the FAQ fleet status and the verdict tone (either changing is news)."""
    fleet = report.get("fleet") or {}
    verdict = report.get("verdict") or {}
    return {"fleet_status": fleet.get("status"), "verdict_tone": verdict.get("tone")}


def todo_items(report: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Every to-do action of every host as flat rows, those with a deadline first (earliest first)."""
    rows = []
    for host, actions in sorted((report.get("todo") or {}).items()):
        for action in actions or []:
            rows.append({"host": host, "check": action.get("check"), "severity": action.get("severity"),
                         "action": action.get("action"), "deadline": action.get("deadline"),
                         "when": action.get("when")})
    return sorted(rows, key=lambda r: (day_of(r["deadline"]) is None, day_of(r["deadline"]) or date.min, r["host"]))


def due_items(rows: list[dict[str, Any]], as_of: date | None, due_days: int) -> list[dict[str, Any]]:
    """The rows whose deadline is on or before ``as_of + due_days`` (overdue ones included)."""
    if as_of is None:
        return []
    limit = as_of + timedelta(days=due_days)
    return [r for r in rows if (d := day_of(r["deadline"])) is not None and d <= limit]


def _text(payload: Mapping[str, Any]) -> str:
    fleet, verdict = payload["fleet"], payload["verdict"]
    lines = [f"{payload['title']}: {verdict.get('headline')}",
             f"Fleet telemetry status (Citrix License Telemetry FAQ): {fleet.get('status')}"
             f" ({fleet.get('status_reason')})"]
    if fleet.get("previous_status"):
        lines.append(f"Previously: {fleet['previous_status']}")
    lines += [f"Why now: {'; '.join(payload['reasons'])}"]
    todo = payload["todo"]
    for row in todo[:TEXT_TODO_LINES]:
        lines.append(f"- {row['host']}: {row['action']} ({row['when'] or 'no deadline'})")
    if len(todo) > TEXT_TODO_LINES:
        lines.append(f"... and {len(todo) - TEXT_TODO_LINES} more actions (see the report)")
    return "\n".join(lines)


def decide(report: Mapping[str, Any], previous: Any, due_days: int, title: str = "Citrix License Server compliance",
           ) -> dict[str, Any]:
    """Whether to notify, why, the payload and the state to keep after a successful post.

    ``report`` is the fleet_report result; ``previous`` the state last written (None, or anything that is not
    a state of this schema, counts as "never notified"). Returns ``{send, reasons, payload, state}``.
    """
    if not isinstance(due_days, int) or isinstance(due_days, bool) or due_days < 0:
        raise ValueError(f"due_days must be a whole number of days, 0 or more, not {due_days!r}")
    current = status_of(report)
    if current["fleet_status"] is None:
        raise ValueError("the fleet report result has no fleet status (was it a gather-only run?)")
    as_of = day_of((report.get("todo_week") or {}).get("as_of"))
    known = isinstance(previous, Mapping) and previous.get("schema") == STATE_SCHEMA
    before = {k: previous.get(k) for k in current} if known else None

    reasons = []
    if before is None:
        reasons.append("first notification")
    elif before != current:
        changed = [f"{name.replace('_', ' ')} {before[name]} -> {current[name]}"
                   for name in current if before[name] != current[name]]
        reasons.append("status changed: " + ", ".join(changed))
    rows = todo_items(report)
    due = due_items(rows, as_of, due_days)
    if due:
        reasons.append(f"{len(due)} action(s) due within {due_days} day(s) or overdue")

    fleet, verdict = report.get("fleet") or {}, report.get("verdict") or {}
    counts = fleet.get("counts") or {}
    payload: dict[str, Any] = {
        "schema": SCHEMA, "version": VERSION, "title": title,
        "as_of": as_of.isoformat() if as_of else None,
        "collection_version": report.get("collection_version"),
        "reasons": reasons,
        "verdict": {k: verdict.get(k) for k in ("tone", "headline", "detail")},
        "fleet": {"status": current["fleet_status"], "status_reason": fleet.get("status_reason"),
                  "previous_status": before["fleet_status"] if before else None,
                  "counts": {k: counts[k] for k in COUNT_KEYS if k in counts}},
        "todo": rows,
    }
    payload["text"] = _text(payload)
    state = {"schema": STATE_SCHEMA, **current, "as_of": payload["as_of"]}
    return {"send": bool(reasons), "reasons": reasons, "payload": payload, "state": state}
