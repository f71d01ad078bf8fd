# Copyright: (c) 2026, ctxlic maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# Internal use only: this module is private to ctxlic.license_server and may change at any time.
"""The report's notice about the release catalog: which release is newest, and whether the catalog is stale
(pure: no I/O, no clock reads).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Mapping

from ansible_collections.ctxlic.license_server.plugins.plugin_utils._common.errors import InputError
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._compliance.rules import REMEDIATION
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._compliance.values import (
    Unreadable,
    as_int,
    as_text,
    iso_utc,
    parse_day,
    parse_instant,
    plural,
)


def catalog_notice(catalog: Mapping[str, Any] | None, *, as_of: datetime | None = None,
                   max_age_days: int = 30) -> dict:
    """Describe the release catalog the upgrade windows were computed with, and whether it is stale.

    Takes ``Catalog.to_dict()`` (``releases``, ``fetched_at``, ``origin``) merged with the verdict of
    ``release_catalog.staleness()`` (``stale``, ``newest_release``, ``newest_release_date``,
    ``age_days``, ``message``). An explicit ``stale`` (and its ``message``) wins: the catalog owner
    judges staleness by the age of the newest release. Without one, a catalog is stale when its
    ``fetched_at`` is unknown or older than ``max_age_days``. No catalog at all is reported as stale.
    A stale catalog makes outdated servers look current, so the message says so.
    """
    if catalog is None:
        return {"available": False, "newest_release": None, "newest_release_date": None, "fetched_at": None,
                "age_days": None, "stale": True, "source": None, "max_age_days": max_age_days,
                "message": "No release catalog was supplied: upgrade windows are as each server's gather computed "
                "them and cannot be checked against the newest release; a stale catalog makes outdated servers "
                "look current. " + REMEDIATION["catalog"].capitalize() + "."}
    if not isinstance(catalog, Mapping):
        raise InputError(f"catalog must be a mapping (releases, fetched_at, stale, ...), got {type(catalog).__name__}.")
    newest, newest_date = _newest_release(catalog)
    try:
        fetched = parse_instant(catalog.get("fetched_at"))
    except Unreadable:
        fetched = None
    fetched_age = (as_of.date() - fetched.date()).days if fetched and as_of else None
    source = catalog.get("source") or catalog.get("origin")
    # The limit the verdict was made with (upgrade_window returns its catalog_max_age_days) is the one
    # the report shows, so the number and the text agree.
    own_limit = as_int(catalog.get("max_age_days"))
    if own_limit is not None and own_limit >= 0:
        max_age_days = own_limit
    if isinstance(catalog.get("stale"), bool):
        stale = catalog["stale"]
        age = as_int(catalog.get("age_days"))
        given = catalog.get("message") or catalog.get("stale_message")  # upgrade_window says stale_message
        message = as_text(given) or _catalog_message(stale, newest, newest_date, fetched, age, max_age_days)
        if stale and "STALE" not in message:
            message = "STALE release catalog: " + message
    else:
        # Known complete through the later of the newest release and the last fetch (release_catalog).
        try:
            newest_day = parse_day(newest_date) if newest_date else None
        except Unreadable:
            newest_day = None
        newest_day = newest_day if isinstance(newest_day, date) else None
        days = [d for d in (newest_day, fetched.date() if fetched else None) if d is not None]
        through = max(days) if days else None
        age = (as_of.date() - through).days if through and as_of else fetched_age
        stale = through is None or (age is not None and age > max_age_days)
        message = _catalog_message(stale, newest, newest_date, fetched, age, max_age_days)
    return {"available": True, "newest_release": newest, "newest_release_date": newest_date,
            "fetched_at": iso_utc(fetched), "age_days": age, "stale": stale, "source": as_text(source) or None,
            "max_age_days": max_age_days, "complete_through": as_text(catalog.get("complete_through")) or None,
            "message": message}


def _catalog_message(stale: bool, newest: str | None, newest_date: str | None, fetched: datetime | None,
                     age: int | None, max_age: int | None) -> str:
    release = f"newest release {newest}" + (f" ({newest_date})" if newest_date else "") if newest else \
        "no releases listed"
    if not stale:
        when = f"fetched {iso_utc(fetched)}" if fetched else "never refreshed"
        return f"Release catalog {when}; {release}; complete enough to exclude a newer release."
    when = f"last refreshed {iso_utc(fetched)}" if fetched else "never refreshed"
    old = f", knowledge {plural(age, 'day')} old, limit {max_age}" if age is not None and max_age is not None else ""
    return (f"STALE release catalog ({when}{old}; {release}): it cannot exclude a newer License Server release, so "
            f"servers on the newest known build are reported as unknown, not current. "
            f"{REMEDIATION['catalog'].capitalize()}.")


def _release_fields(value: Any) -> tuple[str | None, str | None]:
    if isinstance(value, Mapping):
        text = value.get("text") or value.get("version") or value.get("name")
        when = value.get("released") or value.get("date") or value.get("release_date")
        return (as_text(text) or None), (as_text(when) or None)
    return (as_text(value) or None), None


def _newest_release(catalog: Mapping[str, Any]) -> tuple[str | None, str | None]:
    newest, when = _release_fields(catalog.get("newest_release") or catalog.get("newest") or catalog.get("latest"))
    when = when or as_text(catalog.get("newest_release_date") or catalog.get("newest_date")) or None
    releases = catalog.get("releases")
    if newest is None and isinstance(releases, list):
        # Catalog.to_dict() lists releases sorted by version: the last one is the newest.
        rows = [_release_fields(r) for r in releases]
        rows = [r for r in rows if r[0]]
        if rows:
            newest, when = rows[-1]
    return newest, when
