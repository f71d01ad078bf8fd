"""timeutil.parse_iso and iso_z: the forms they read and write, the edges of the datetime range, and any text
(parse_iso must never raise)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ansible_collections.ctxlic.license_server.plugins.plugin_utils._common.timeutil import iso_z, parse_iso


@pytest.mark.parametrize(
    "text",
    [
        "0001-01-01T00:00:00+14:00",  # 13:59 on 31 December of year 0 in UTC: not representable
        "0001-01-01T13:59:59.9999999+14:00",
        "9999-12-31T23:59:59-14:00",  # year 10000 in UTC
        "9999-12-31T10:00:00.1234567-14:00",
    ],
)
def test_times_that_leave_the_datetime_range_in_utc_are_unreadable(text: str) -> None:
    assert parse_iso(text) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("0001-01-01T14:00:00+14:00", datetime(1, 1, 1, tzinfo=UTC)),
        ("9999-12-31T09:59:59-14:00", datetime(9999, 12, 31, 23, 59, 59, tzinfo=UTC)),
        ("0001-01-01T00:00:00Z", datetime(1, 1, 1, tzinfo=UTC)),
        ("9999-12-31T23:59:59.9999999Z", datetime(9999, 12, 31, 23, 59, 59, 999999, tzinfo=UTC)),
        ("9999-12-31T23:59:59", datetime(9999, 12, 31, 23, 59, 59, tzinfo=UTC)),  # naive: taken as UTC
    ],
)
def test_times_at_the_edges_that_stay_in_range_are_read(text: str, expected: datetime) -> None:
    assert parse_iso(text) == expected
    # Four-digit years (strftime's %Y writes year 1 as "1", which no ISO 8601 reader takes back).
    assert iso_z(parse_iso(text)) == expected.replace(microsecond=0).isoformat().replace("+00:00", "Z")
    assert parse_iso(iso_z(parse_iso(text))) == expected.replace(microsecond=0)


@settings(max_examples=200, deadline=None)
@given(
    st.datetimes(),
    st.integers(-(24 * 60 - 1), 24 * 60 - 1).map(lambda minutes: timedelta(minutes=minutes)),
)
def test_any_offset_time_is_read_or_refused_never_raises(moment: datetime, offset: timedelta) -> None:
    text = moment.replace(tzinfo=None).isoformat() + _offset_text(offset)
    parsed = parse_iso(text)
    try:
        expected = (moment.replace(tzinfo=None) - offset).replace(tzinfo=UTC)
    except OverflowError:
        assert parsed is None
    else:
        assert parsed == expected and parsed.tzinfo is UTC


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet="0123456789-:+TZz. ", max_size=40) | st.text(max_size=40))
def test_any_text_is_read_or_refused_never_raises(text: str) -> None:
    parsed = parse_iso(text)
    assert parsed is None or parsed.utcoffset() == timedelta(0)


def _offset_text(offset: timedelta) -> str:
    minutes = int(offset.total_seconds() // 60)
    sign = "-" if minutes < 0 else "+"
    return f"{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


@pytest.mark.parametrize(
    "text, expected",
    [
        ("2026-11-22T10:00:00Z", datetime(2026, 11, 22, 10, tzinfo=UTC)),
        ("2026-11-22T10:00:00.1234567Z", datetime(2026, 11, 22, 10, 0, 0, 123456, tzinfo=UTC)),
        ("2026-11-22T11:00:00+01:00", datetime(2026, 11, 22, 10, tzinfo=UTC)),
        ("2026-11-22T10:00:00", datetime(2026, 11, 22, 10, tzinfo=UTC)),
        ("garbage", None),
        ("", None),
        (None, None),
        (12, None),
    ],
)
def test_parse_iso(text, expected):
    assert parse_iso(text) == expected


def test_iso_z():
    assert iso_z(datetime(2026, 1, 2, 3, 4, 5, 999, tzinfo=UTC)) == "2026-01-02T03:04:05Z"
    assert iso_z(None) is None
