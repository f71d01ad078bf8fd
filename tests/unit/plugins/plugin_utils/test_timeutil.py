# Copyright: (c) 2026, ctxlic maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""timeutil: parse_iso and iso_z (the forms they read and write, the edges of the datetime range, any
text: parse_iso must never raise), iso_day, and the one as_of rule every module uses."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ansible_collections.ctxlic.license_server.plugins.plugin_utils._common.errors import InputError
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._common.timeutil import (
    iso_day,
    iso_z,
    normalize_time,
    parse_as_of,
    parse_as_of_day,
    parse_iso,
)


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


# -- writing times -----------------------------------------------------------------------------------------
def test_iso_z_writes_four_year_digits_and_takes_naive_times_as_utc() -> None:
    # strftime("%Y") writes year 999 as "999" on Linux: the private copies (lock, backup manifest, bundle
    # manifest) wrote times that neither sort nor parse back; iso_z keeps four digits.
    assert iso_z(datetime(999, 1, 2, 3, 4, 5, tzinfo=UTC)) == "0999-01-02T03:04:05Z"
    assert parse_iso(iso_z(datetime(999, 1, 2, tzinfo=UTC))) == datetime(999, 1, 2, tzinfo=UTC)
    assert iso_z(datetime(2026, 11, 22, 10, 0, 0, 999)) == "2026-11-22T10:00:00Z"
    assert iso_z(datetime(2026, 11, 22, 12, tzinfo=timezone(timedelta(hours=2)))) == "2026-11-22T10:00:00Z"


def test_iso_day() -> None:
    assert iso_day(date(2026, 1, 2)) == "2026-01-02"
    assert iso_day(datetime(2026, 1, 2, 23, 59)) == "2026-01-02"
    assert iso_day(None) is None


@pytest.mark.parametrize(("value", "expected"), [
    ("2026-11-20T03:00:00Z", "2026-11-20T03:00:00Z"),
    (" 2026-11-20T05:00:00+02:00 ", "2026-11-20T03:00:00Z"),
    ("2026-11-20T03:00:00.1234567Z", "2026-11-20T03:00:00Z"),
    ("2026-11-20T03:00:00", "2026-11-20T03:00:00Z"),
    (datetime(2026, 11, 20, 3, tzinfo=UTC), "2026-11-20T03:00:00Z"),
    (datetime(2026, 11, 20, 3), "2026-11-20T03:00:00Z"),
])
def test_normalize_time(value, expected: str) -> None:
    assert normalize_time(value, "observed_at") == expected


def test_normalize_time_takes_unix_seconds_only_where_allowed() -> None:
    assert normalize_time(0, "mtime", unix_seconds=True) == "1970-01-01T00:00:00Z"
    assert normalize_time(1.5, "mtime", unix_seconds=True) == "1970-01-01T00:00:01Z"
    with pytest.raises(InputError, match=r"^observed_at 0 is not an ISO 8601 time"):
        normalize_time(0, "observed_at")


@pytest.mark.parametrize("value", ["yesterday", "", None, True, 1e30, "2026-13-01T00:00:00Z"])
def test_normalize_time_names_the_value_and_the_forms(value) -> None:
    with pytest.raises(InputError, match=r"^mtime .* is not unix seconds or an ISO 8601 time such as 2026"):
        normalize_time(value, "mtime", unix_seconds=True)


# -- as_of options ---------------------------------------------------------------------------------------
NOW = datetime(2026, 11, 22, 9, 30, tzinfo=UTC)


@pytest.mark.parametrize(("value", "expected"), [
    (None, NOW),
    ("", NOW),
    ("  ", NOW),
    ("2026-11-20", datetime(2026, 11, 20, tzinfo=UTC)),
    (" 2024-02-29 ", datetime(2024, 2, 29, tzinfo=UTC)),
    ("2026-11-20T10:00:00Z", datetime(2026, 11, 20, 10, tzinfo=UTC)),
    ("2026-11-20T10:00Z", datetime(2026, 11, 20, 10, tzinfo=UTC)),
    ("2026-11-20T12:00:00+02:00", datetime(2026, 11, 20, 10, tzinfo=UTC)),
    ("2026-11-20T10:00:00", datetime(2026, 11, 20, 10, tzinfo=UTC)),
    ("2026-11-20 10:00:00+00:00", datetime(2026, 11, 20, 10, tzinfo=UTC)),  # str() of a YAML timestamp
    ("2026-11-20T10:00:00.5Z", datetime(2026, 11, 20, 10, 0, 0, 500000, tzinfo=UTC)),
    (date(2026, 11, 20), datetime(2026, 11, 20, tzinfo=UTC)),
    (datetime(2026, 11, 20, 12, tzinfo=timezone(timedelta(hours=2))), datetime(2026, 11, 20, 10, tzinfo=UTC)),
])
def test_parse_as_of(value, expected: datetime) -> None:
    assert parse_as_of(value, NOW) == expected


@pytest.mark.parametrize(("value", "expected"), [
    (None, NOW.date()),
    ("2025-06-01", date(2025, 6, 1)),
    (date(2024, 1, 2), date(2024, 1, 2)),
    (datetime(2027, 2, 3, 5, tzinfo=UTC), date(2027, 2, 3)),
    ("2026-11-22T23:00:00-05:00", date(2026, 11, 23)),  # the UTC date, as every as_of is UTC
])
def test_parse_as_of_day(value, expected: date) -> None:
    assert parse_as_of_day(value, NOW.date()) == expected


# One strictness rule for every module (before issue 16: license_backup read the first ten characters, so
# "2026-11-22junk" passed; upgrade_window refused times; license_file took "20261122" and week dates).
@pytest.mark.parametrize("value", ["2023-02-29", "2025-6-1", "01/06/2025", "22.11.2026", "today", "20261122",
                                   "2026-W47-1", "2026-11-22junk", "2026-11-22T10", "2026-11-22 10", "2026-11-22t10:00",
                                   "2026-13-01", 20250601, True, 1.5, ["2026-11-22"]])
def test_as_of_names_the_option_the_value_and_the_forms(value) -> None:
    for parse, default in ((parse_as_of, NOW), (parse_as_of_day, NOW.date())):
        with pytest.raises(InputError) as err:
            parse(value, default, option="bundle_as_of")
        message = str(err.value)
        assert message.startswith(f"bundle_as_of={value!r} is not a date or time")
        assert "YYYY-MM-DD" in message and "ISO 8601 time" in message


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
