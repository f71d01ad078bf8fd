# Copyright: (c) 2026, ctxlic maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# Internal use only: this module is private to ctxlic.license_server and may change at any time.
"""Time parsing and formatting shared by every part of the collection (pure).

One place for every ISO 8601 time the collection reads or writes:

* :func:`parse_iso` reads a time from a host or a store and never raises;
* :func:`iso_z` / :func:`iso_day` write a time / a date;
* :func:`normalize_time` turns a datetime, an ISO 8601 text (or, where allowed, unix seconds) into
  the collection's stored form, or raises :class:`InputError` naming what was wrong;
* :func:`parse_as_of` / :func:`parse_as_of_day` read a user's ``as_of``-like option, with one rule
  for every module: a date ``YYYY-MM-DD`` (midnight UTC) or an ISO 8601 time
  ``YYYY-MM-DDTHH:MM[:SS[.f]]`` with ``Z``, an offset or nothing (UTC). A space may stand for the ``T``
  (RFC 3339), which is how an unquoted YAML timestamp reaches a module as text.

Naive datetimes are UTC everywhere (never the controller's local time zone).
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from typing import Any, overload

from ansible_collections.ctxlic.license_server.plugins.plugin_utils._common.errors import InputError

_FRACTION = re.compile(r"\.(\d+)")
_OPTION_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_OPTION_TIME = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:[Zz]|[+-]\d{2}:\d{2})?")
#: The forms an ``as_of``-like option accepts, as every message names them.
AS_OF_FORMS = "YYYY-MM-DD (for example 2026-11-22) or an ISO 8601 time (for example 2026-11-22T10:00:00Z)"


def parse_iso(text: str | None) -> datetime | None:
    """An aware UTC datetime from ISO 8601 text (PowerShell 'o' format with 7 digits, 'Z', offsets).

    None for anything that is not such a text, including times that fall outside the range a
    datetime can hold once converted to UTC; never raises.
    """
    if not text or not isinstance(text, str):
        return None
    cleaned = text.strip().replace("Z", "+00:00").replace("z", "+00:00")
    cleaned = _FRACTION.sub(lambda m: "." + m.group(1)[:6].ljust(6, "0"), cleaned, count=1)
    try:
        value = datetime.fromisoformat(cleaned)
    except ValueError:
        return None
    return as_utc(value)


def as_utc(value: datetime) -> datetime | None:
    """``value`` as an aware UTC datetime (naive means UTC); None when UTC cannot hold it."""
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    try:
        return value.astimezone(UTC)
    except OverflowError:
        # A time within a day of year 1 or 9999 whose offset moves it past datetime's range
        # ("0001-01-01T00:00:00+14:00") has no UTC equivalent: treat it as unreadable text.
        return None


@overload
def iso_z(value: datetime) -> str: ...
@overload
def iso_z(value: datetime | None) -> str | None: ...


def iso_z(value: datetime | None) -> str | None:
    """``2026-11-22T10:00:00Z`` (seconds precision, UTC; a naive datetime is taken as UTC).

    Always four year digits: ``strftime("%Y")`` writes year 999 as ``999``, which neither sorts
    nor parses back, so no caller formats times with strftime.
    """
    if value is None:
        return None
    moment = as_utc(value)
    if moment is None:
        raise InputError(f"time {value!r} cannot be written in UTC (it lies outside the years 1 to 9999 there).")
    return moment.replace(microsecond=0).isoformat().replace("+00:00", "Z")


@overload
def iso_day(value: date) -> str: ...
@overload
def iso_day(value: date | None) -> str | None: ...


def iso_day(value: date | None) -> str | None:
    """``2026-11-22`` for a date (the date part of a datetime as it is), None for None."""
    if value is None:
        return None
    return (value.date() if isinstance(value, datetime) else value).isoformat()


def normalize_time(value: Any, label: str, *, unix_seconds: bool = False) -> str:
    """``value`` (a datetime, ISO 8601 text or, with ``unix_seconds``, a number) as :func:`iso_z` text.

    Raises :class:`InputError` naming ``label`` and the accepted forms for anything else.
    """
    moment: datetime | None = None
    if isinstance(value, datetime):
        moment = as_utc(value)
    elif isinstance(value, str):
        moment = parse_iso(value)
    elif unix_seconds and isinstance(value, (int, float)) and not isinstance(value, bool):
        try:
            moment = datetime.fromtimestamp(value, tz=UTC)
        except (ValueError, OverflowError, OSError):
            moment = None
    if moment is None:
        forms = "unix seconds or an ISO 8601 time" if unix_seconds else "an ISO 8601 time"
        raise InputError(f"{label} {value!r} is not {forms} such as 2026-11-20T03:00:00Z.")
    return iso_z(moment)


def parse_as_of(value: Any, default: datetime, *, option: str = "as_of") -> datetime:
    """An ``as_of``-like option as an aware UTC datetime; ``default`` (converted to UTC) when unset.

    A date is midnight UTC; a time without an offset is UTC. A date or datetime object is taken as
    it is. Any other value raises :class:`InputError` naming ``option`` and :data:`AS_OF_FORMS`.
    """
    if value is None or (isinstance(value, str) and not value.strip()):
        return _checked(as_utc(default), default, option)
    if isinstance(value, datetime):
        return _checked(as_utc(value), value, option)
    if isinstance(value, date):
        return datetime.combine(value, datetime.min.time(), tzinfo=UTC)
    moment = None
    if isinstance(value, str):
        text = value.strip()
        if _OPTION_DATE.fullmatch(text):
            try:
                moment = datetime.combine(date.fromisoformat(text), datetime.min.time(), tzinfo=UTC)
            except ValueError:
                moment = None
        elif _OPTION_TIME.fullmatch(text):
            moment = parse_iso(text)
    return _checked(moment, value, option)


def parse_as_of_day(value: Any, default: date, *, option: str = "as_of") -> date:
    """The UTC date of :func:`parse_as_of` (same accepted forms and messages); ``default`` when unset."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return default
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    return parse_as_of(value, datetime.min.replace(tzinfo=UTC), option=option).date()


def _checked(moment: datetime | None, value: Any, option: str) -> datetime:
    if moment is None:
        raise InputError(f"{option}={value!r} is not a date or time: give {AS_OF_FORMS}, or leave it unset for "
                         "now (UTC).")
    return moment
