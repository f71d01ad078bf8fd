# Copyright: (c) 2026, ctxlic maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""evidence_events: the event name rule, the event time and the once-only decision."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from ansible_collections.ctxlic.license_server.plugins.plugin_utils._common.errors import InputError
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._compliance.evidence_events import (
    check_kind,
    decide,
    event_time,
)

NOW = datetime(2026, 11, 22, 3, 4, 5, tzinfo=UTC)


@pytest.mark.parametrize("kind", ["decommissioned", "manual_upload", " replaced_by_ls02 ", "a1"])
def test_good_kinds(kind):
    assert check_kind(kind) == kind.strip()


@pytest.mark.parametrize("kind", ["", "Decommissioned", "1st", "two words", "x-y", None, 3, "a" * 65])
def test_bad_kinds_are_refused(kind):
    with pytest.raises(InputError, match="not an event name"):
        check_kind(kind)


@pytest.mark.parametrize(("text", "expected"), [
    (None, "2026-11-22T03:04:05Z"),
    ("", "2026-11-22T03:04:05Z"),
    ("2026-11-20T09:30:00Z", "2026-11-20T09:30:00Z"),
    ("2026-11-20T09:30:00", "2026-11-20T09:30:00Z"),  # no zone: UTC
    ("2026-11-20T10:30:00+01:00", "2026-11-20T09:30:00Z"),
    ("2026-11-20", "2026-11-20T00:00:00Z"),
])
def test_event_time(text, expected):
    assert event_time(text, NOW) == expected


def test_event_time_converts_now_to_utc_and_refuses_junk():
    assert event_time(None, NOW.astimezone(timezone(timedelta(hours=2)))) == "2026-11-22T03:04:05Z"
    with pytest.raises(InputError, match="ISO 8601"):
        event_time("yesterday", NOW)
    with pytest.raises(InputError):
        event_time(None, "now")


def test_decide_once_and_repeatable():
    earlier = [{"at": "2026-11-01T00:00:00Z", "kind": "decommissioned"}]
    assert decide([], "2026-11-22T00:00:00Z", once=True) is None
    assert decide(earlier, "2026-11-22T00:00:00Z", once=True) == earlier[0]
    assert decide(earlier, "2026-11-22T00:00:00Z", once=False) is None
    assert decide(earlier, "2026-11-01T00:00:00Z", once=False) == earlier[0]
