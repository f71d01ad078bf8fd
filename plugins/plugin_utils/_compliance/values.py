# Copyright: (c) 2026, ctxlic maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# Internal use only: this module is private to ctxlic.license_server and may change at any time.
"""Reading the values of an ``info`` record for the compliance checks, and validating their options (pure).

A value that is present but unreadable raises :class:`Unreadable`, which the checks turn into ``unknown``.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from typing import Any, Iterable, Mapping, overload

from ansible_collections.ctxlic.license_server.plugins.plugin_utils._common.timeutil import (
    as_utc,
    iso_day,
    iso_z,
    parse_iso,
)
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._common.errors import InputError
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._compliance.rules import MAX_COUNT

_FLEX_DATE = re.compile(r"^(\d{1,2})-([a-z]{3})-(\d{1,4})$", re.IGNORECASE)
_CSS_DATE = re.compile(r"^(\d{4})\.(\d{2})(\d{2})$")
_MONTHS = {m: i for i, m in enumerate(("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov",
                                       "dec"), start=1)}
_PERMANENT = "permanent"


class Unreadable(ValueError):
    """A record value that is present but cannot be read (kept internal: becomes an ``unknown``)."""


def to_utc(value: datetime) -> datetime:
    """``value`` as aware UTC (naive means UTC); :class:`Unreadable` when UTC cannot hold it."""
    moment = as_utc(value)
    if moment is None:
        raise Unreadable(f"not a time in UTC's range: {value!r}")
    return moment


@overload
def iso_utc(value: datetime | date) -> str: ...
@overload
def iso_utc(value: datetime | date | None) -> str | None: ...


def iso_utc(value: datetime | date | None) -> str | None:
    """Format a time as ``YYYY-MM-DDTHH:MM:SSZ`` (UTC) and a date as ``YYYY-MM-DD``, the record's formats."""
    if value is None:
        return None
    return iso_z(value) if isinstance(value, datetime) else iso_day(value)


def parse_instant(value: Any) -> datetime | None:
    """Read a point in time (ISO 8601 string, ``datetime``, unix seconds) as aware UTC; ``None`` stays ``None``.

    Records carry ISO strings (INFO_RECORD.md); evidence history rows may carry unix time (``t`` of
    ``CtxUploaderResult``). Raises ``Unreadable`` for anything else so callers report ``unknown``.
    """
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise Unreadable(f"not a time: {value!r}")
    if isinstance(value, datetime):
        return to_utc(value)
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day, tzinfo=UTC)
    if isinstance(value, (int, float)):
        try:
            return datetime.fromtimestamp(value, tz=UTC)
        except (OverflowError, OSError, ValueError) as exc:
            raise Unreadable(f"not a unix time: {value!r}") from exc
    if isinstance(value, str):
        moment = parse_iso(value)
        if moment is None:
            raise Unreadable(f"not an ISO 8601 time: {value!r}")
        return moment
    raise Unreadable(f"not a time: {value!r}")


def parse_day(value: Any) -> date | str | None:
    """Read a license date: ISO date/time, FlexLM ``dd-mmm-yyyy``, CSS ``YYYY.MMDD`` or ``permanent``.

    FlexLM also spells "never expires" as ``0`` or a year of 0 (``1-jan-0``); those return ``"permanent"``.
    """
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return to_utc(value).date()
    if isinstance(value, date):
        return value
    if not isinstance(value, str):
        if isinstance(value, int) and not isinstance(value, bool) and value == 0:
            return _PERMANENT
        raise Unreadable(f"not a date: {value!r}")
    text = value.strip()
    if text.lower() in (_PERMANENT, "0"):
        return _PERMANENT
    flex = _FLEX_DATE.match(text)
    css = _CSS_DATE.match(text)
    try:
        if flex:
            day, month, year = int(flex.group(1)), _MONTHS.get(flex.group(2).lower()), int(flex.group(3))
            if month is None:
                raise Unreadable(f"unknown month in {value!r}")
            return _PERMANENT if year == 0 else date(year, month, day)
        if css:
            return date(int(css.group(1)), int(css.group(2)), int(css.group(3)))
        if "T" in text or " " in text:
            return to_utc(datetime.fromisoformat(text)).date()
        return date.fromisoformat(text)
    except ValueError as exc:
        raise Unreadable(f"not a date: {value!r}") from exc


def as_int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    text = value.strip() if isinstance(value, str) else ""
    if text.isascii() and text.isdigit() and len(text) <= 18:  # no 5,000-digit counts (issue 14 item 7)
        return int(text)
    return None


def as_text(value: Any) -> str:
    return "" if value is None else str(value)


def plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def normalise_purchased(purchased: Any) -> dict[str, int] | None:
    if purchased is None:
        return None
    if not isinstance(purchased, Mapping):
        raise InputError(f"purchased must be a mapping of license feature to purchased count (e.g. "
                         f"{{'XDT_PLT_UD': 500}}), got {type(purchased).__name__}.")
    result: dict[str, int] = {}
    for feature, count in purchased.items():
        value = as_int(count)
        if not isinstance(feature, str) or not feature or value is None or not 0 <= value <= MAX_COUNT:
            huge = isinstance(count, int) and count.bit_length() > 64
            shown = "a number far too large" if huge else repr(count)[:80]
            raise InputError(f"purchased[{str(feature)[:80]!r}] = {shown}: give a feature name and a non-negative "
                             f"whole number count no larger than {MAX_COUNT}.")
        result[feature] = value
    return result


def require_as_of(as_of: Any) -> datetime:
    if not isinstance(as_of, datetime):
        raise InputError(f"as_of must be a datetime (the evaluation time), got {type(as_of).__name__}; pass the "
                         "controller's current UTC time.")
    return to_utc(as_of)


def require_days(name: str, value: Any, unit: str = "days") -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise InputError(f"{name} must be a non-negative whole number of {unit}, got {value!r}.")
    return value


def require_choice(name: str, value: Any, choices: Iterable[str]) -> str:
    choices = tuple(choices)
    if value not in choices:
        raise InputError(f"{name} must be one of {', '.join(choices)}, got {value!r}.")
    return value
