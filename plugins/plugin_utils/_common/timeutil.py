"""Time parsing and formatting shared by the gather and the report (pure)."""

from __future__ import annotations

import re
from datetime import UTC, datetime

_FRACTION = re.compile(r"\.(\d+)")


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
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    try:
        return value.astimezone(UTC)
    except OverflowError:
        # A time within a day of year 1 or 9999 whose offset moves it past datetime's range
        # ("0001-01-01T00:00:00+14:00") has no UTC equivalent: treat it as unreadable text.
        return None


def iso_z(value: datetime | None) -> str | None:
    """``2026-11-22T10:00:00Z`` (seconds precision, UTC)."""
    if value is None:
        return None
    return value.astimezone(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")  # %Y gives "999"
