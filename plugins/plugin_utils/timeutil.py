"""Time parsing and formatting shared by the gather and the report (pure)."""

from __future__ import annotations

import re
from datetime import UTC, datetime

_FRACTION = re.compile(r"\.(\d+)")


def parse_iso(text: str | None) -> datetime | None:
    """An aware UTC datetime from ISO 8601 text (PowerShell 'o' format with 7 digits, 'Z', offsets)."""
    if not text or not isinstance(text, str):
        return None
    cleaned = text.strip().replace("Z", "+00:00").replace("z", "+00:00")
    cleaned = _FRACTION.sub(lambda m: "." + m.group(1)[:6].ljust(6, "0"), cleaned, count=1)
    try:
        value = datetime.fromisoformat(cleaned)
    except ValueError:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def iso_z(value: datetime | None) -> str | None:
    """``2026-11-22T10:00:00Z`` (seconds precision, UTC)."""
    if value is None:
        return None
    return value.astimezone(UTC).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")
