# Copyright: (c) 2026, ctxlic maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# Internal use only: this module is private to ctxlic.license_server and may change at any time.
"""Inputs of the ``evidence_event`` module (pure: no I/O, the caller passes ``now``).

Events sit next to the upload observations in the evidence history (:mod:`.evidence_history`). The
one this collection writes is ``decommissioned``: seed 002 says a license server that was
decommissioned but still holds allocations counts as an active server that does not report, so the
licensing owner needs proof of when it went away and which allocations were to be returned.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from ansible_collections.ctxlic.license_server.plugins.plugin_utils._common.timeutil import normalize_time
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._common.errors import InputError

_KIND = re.compile(r"^[a-z][a-z0-9_]{0,63}$")


def check_kind(kind: Any) -> str:
    """An event kind is a short lower-case word (``decommissioned``), so reports can group by it."""
    if not isinstance(kind, str) or not _KIND.match(kind.strip()):
        raise InputError(f"kind={kind!r} is not an event name: use lower-case letters, digits and '_', "
                         "starting with a letter (for example 'decommissioned').")
    return kind.strip()


def event_time(text: Any, now: datetime) -> str:
    """``at`` as ``YYYY-MM-DDTHH:MM:SSZ`` (UTC); ``now`` when ``text`` is empty. Naive times are UTC."""
    if not isinstance(now, datetime):
        raise InputError(f"now {now!r} is not a datetime.")
    if text is None or (isinstance(text, str) and not text.strip()):
        return normalize_time(now, "now")
    return normalize_time(str(text), "at")


def decide(earlier: list[dict[str, Any]], at: str, *, once: bool) -> dict[str, Any] | None:
    """The earlier event that makes recording unnecessary, or None when the event is to be recorded.

    With ``once`` any earlier event of the kind counts (a host is decommissioned once); without it only
    an event at the same time does (the history is idempotent on host, time and kind).
    """
    if once and earlier:
        return earlier[0]
    return next((e for e in earlier if e.get("at") == at), None)


MANUAL_UPLOAD = "manual_upload"


def manual_upload_detail(at: str, detail: Any, now: datetime, recorded_by: str) -> dict[str, Any]:
    """Check a ``manual_upload`` event and add who recorded it and when (issue 15 item 1).

    ``fleet_report`` credits a recorded manual upload as a successful upload for the 90-day rule
    (the Citrix License Telemetry FAQ, CTX477614: manual reporting is a supported way to comply),
    shown as operator-attested. So the upload time must not lie in the future: an upload cannot be
    recorded before it happened, and a future time would count as reporting for years. ``at`` is
    the ``YYYY-MM-DDTHH:MM:SSZ`` text :func:`event_time` returned; ``now`` is the controller's clock.
    """
    if not isinstance(now, datetime):
        raise InputError(f"now {now!r} is not a datetime.")
    moment = datetime.strptime(at, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    now = now.replace(tzinfo=UTC) if now.tzinfo is None else now.astimezone(UTC)
    if moment > now:
        raise InputError(f"at={at} lies in the future (now is {now.strftime('%Y-%m-%dT%H:%M:%SZ')}): a manual upload "
                         "is recorded after it happened, with the time Citrix Insight Services accepted the bundles; "
                         "a time in the future is never credited. Fix the time (UTC) or the controller's clock.")
    result = dict(detail) if isinstance(detail, dict) else {}
    who = result.get("recorded_by")
    result["recorded_by"] = who.strip() if isinstance(who, str) and who.strip() else recorded_by
    result["recorded_at"] = now.strftime("%Y-%m-%dT%H:%M:%SZ")
    return result
