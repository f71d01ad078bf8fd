# Copyright: (c) 2026, ctxlic maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# Internal use only: this module is private to ctxlic.license_server and may change at any time.
"""The six-month upgrade window for the Citrix License Server.

The rules (seeds):

* 000 (CTX477614) and 002: customers must "transition to License Server Version 11.17.2 Build
  40000 ... by March 31, 2023, and subsequent new License Server versions within 6 months of
  the release of each new Version".
* 003 (partner notice): "update ... by March 31, 2023, and continue regular updates of license
  server software within six months of new license server releases".

How this module reads them:

* For every release newer than the installed version, the deadline is its release date plus six
  *calendar* months (end-of-month clamped: 2024-08-31 + 6 months = 2025-02-28). All newer
  releases are unmet, so the earliest of their deadlines is the one that decides.
* "Within 6 months" includes the deadline day: on the deadline day ``days_left`` is 0 and the
  status is still ``within_window``; the next day is ``overdue`` with ``days_overdue`` 1. The
  seeds give no time of day, so a whole calendar day is the finest unit that can be defended.
* Anything older than 11.17.2 build 40000 is ``below_floor``; its deadline is the earlier of
  2023-03-31 and the six-month deadline of the first newer release.
* Only releases published on or before ``as_of`` count: a build released later did not exist yet.
  A month-precision date (seed 002: build 51000 "from December 2024") is the first day of the
  month, the strict reading, so the deadline is never later than the real one.
* A version without a build number (``11.17.2.0``) cannot be placed among the 11.17.2 builds:
  status ``unknown`` (unless its major.minor.patch alone shows it is below the floor).
* ``current`` is claimed only when the catalog can exclude a newer release: its knowledge (newest
  release, or last successful fetch if later; ``release_catalog.complete_through``) is at most
  ``max_age_days`` (default 180, about the six-month window) old at ``as_of``, and the installed
  build is one the catalog lists or older. Otherwise a server with no known newer release is
  ``unknown`` with ``unknown_reason`` ``catalog_stale`` or ``installed_not_catalogued``: a release
  the catalog missed may already be past its deadline. A server behind a known release keeps the
  deadline of the oldest unmet known release (any release the catalog missed is newer, so due
  later): ``within_window`` or ``overdue`` stay provable with a stale catalog.

Pure module: no I/O, no clock; ``as_of`` is always an argument.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable, Mapping
from datetime import date, datetime
from typing import Any

from ansible_collections.ctxlic.license_server.plugins.plugin_utils._common.errors import InputError
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._server.version import LSVersion, parse_ls_version
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._server.release_catalog import (
    DEFAULT_MAX_AGE_DAYS,
    Catalog,
    Release,
    newest,
    complete_through,
    staleness,
)

FLOOR = LSVersion(11, 17, 2, 40000, text="11.17.2 build 40000")
FLOOR_DEADLINE = date(2023, 3, 31)
WINDOW_MONTHS = 6
STATUSES = ("current", "within_window", "overdue", "below_floor", "unknown")
#: Why a window is ``unknown``: the version has no build number; the catalog's knowledge is older
#: than ``max_age_days`` so it cannot exclude a newer release; the installed build is newer than
#: every release the catalog lists (so the catalog is evidently incomplete).
UNKNOWN_REASONS = ("no_build", "catalog_stale", "installed_not_catalogued")
FAIL_ON_CHOICES = ("overdue", "due_soon", "never")


def add_months(start: date, months: int) -> date:
    """Add calendar months, clamping to the last day of a shorter month (Aug 31 + 6 -> Feb 28/29)."""
    if not isinstance(start, date) or isinstance(months, bool) or not isinstance(months, int):
        raise InputError(f"add_months needs a date and a whole number of months, got {start!r} and {months!r}.")
    years, month_index = divmod(start.month - 1 + months, 12)
    year = start.year + years
    month = month_index + 1
    if not date.min.year <= year <= date.max.year:
        raise InputError(f"{start.isoformat()} plus {months} months is outside the supported calendar.")
    day = min(start.day, calendar.monthrange(year, month)[1])
    return date(year, month, day)


def _check_inputs(installed: Any, releases: Any, as_of: Any, warn_days: Any) -> tuple[date, list[Release]]:
    if not isinstance(installed, LSVersion):
        raise InputError(f"installed {installed!r} must be a parsed License Server version (parse_ls_version).")
    if isinstance(as_of, datetime):
        as_of = as_of.date()
    if not isinstance(as_of, date):
        raise InputError(f"as_of {as_of!r} must be a date.")
    if isinstance(warn_days, bool) or not isinstance(warn_days, int) or warn_days < 0:
        raise InputError(f"warn_days {warn_days!r} must be a whole number of days, 0 or more.")
    release_list = list(releases)
    for item in release_list:
        if not isinstance(item, Release):
            raise InputError(f"releases must hold Release objects, got {item!r}.")
    return as_of, release_list


def _is_newer(release: Release, installed: LSVersion) -> bool:
    """True when *release* is certainly newer than *installed* (build-unknown: by major.minor.patch)."""
    if installed.build_known:
        return release.version > installed
    return release.version.release > installed.release


def _is_below_floor(installed: LSVersion) -> bool:
    if installed.build_known:
        return installed < FLOOR
    return installed.release < FLOOR.release


def _describe_release(release: Release) -> str:
    note = (
        " (date known to the month only; the first day of the month is used)"
        if release.date_precision == "month"
        else ""
    )
    return f"{release.version} released {release.released.isoformat()}{note}"


def evaluate_window(
    installed: LSVersion,
    releases: Iterable[Release] | Catalog,
    as_of: date,
    warn_days: int = 30,
    *,
    max_age_days: int = DEFAULT_MAX_AGE_DAYS,
) -> dict[str, Any]:
    """Place *installed* in the six-month upgrade window as of *as_of*.

    Returns a JSON-ready dict: ``status`` (current | within_window | overdue | below_floor |
    unknown), ``installed``, ``installed_version``, ``as_of``, ``deadline``, ``days_left``,
    ``days_overdue``, ``past_deadline``, ``due_soon``, ``warn_days``, ``latest``,
    ``latest_date``, ``required_release`` (the release whose deadline decides, as a dict),
    ``newer_releases`` (versions newer than installed), ``floor``, ``floor_deadline``,
    ``unknown_reason`` (one of :data:`UNKNOWN_REASONS` or None), ``catalog_complete_through`` and
    ``catalog_max_age_days`` (what a ``current`` verdict rests on) and a human ``message``.

    *releases* may be a :class:`Catalog`: its ``fetched_at`` then counts as proof of completeness
    (a plain list is known complete only up to its newest release).
    """
    if isinstance(max_age_days, bool) or not isinstance(max_age_days, int) or max_age_days < 0:
        raise InputError(f"max_age_days {max_age_days!r} must be a whole number of days, 0 or more.")
    catalog = releases if isinstance(releases, Catalog) else None
    as_of, release_list = _check_inputs(installed, catalog.releases if catalog else releases, as_of, warn_days)
    catalog = catalog or Catalog(releases=tuple(release_list))
    through, _basis = complete_through(catalog, as_of)
    known = sorted((r for r in release_list if r.released <= as_of), key=lambda r: r.version)
    latest = known[-1] if known else None
    newer = [r for r in known if _is_newer(r, installed)]
    result: dict[str, Any] = {
        "status": "current",
        "installed": str(installed),
        "installed_version": installed.to_dict(),
        "as_of": as_of.isoformat(),
        "deadline": None,
        "days_left": None,
        "days_overdue": None,
        "past_deadline": False,
        "due_soon": False,
        "warn_days": warn_days,
        "latest": str(latest.version) if latest else None,
        "latest_date": latest.released.isoformat() if latest else None,
        "required_release": None,
        "newer_releases": [str(r.version) for r in newer],
        "floor": str(FLOOR),
        "floor_deadline": FLOOR_DEADLINE.isoformat(),
        "unknown_reason": None,
        "catalog_complete_through": through.isoformat() if through else None,
        "catalog_max_age_days": max_age_days,
        "message": "",
    }
    below_floor = _is_below_floor(installed)
    ambiguous = not installed.build_known and any(r.version.release == installed.release for r in known)
    if not below_floor and ambiguous:
        result["status"] = "unknown"
        result["unknown_reason"] = "no_build"
        result["message"] = (
            f"Installed version {installed.text or installed} has no build number, so it cannot be placed among "
            f"the {'.'.join(map(str, installed.release))} builds; read the full version (e.g. '11.17.2.0 build 45000')."
        )
        return result

    deadlines: list[tuple[date, Release | None]] = [(_deadline_of(r), r) for r in newer]
    if below_floor:
        deadlines.append((FLOOR_DEADLINE, None))
    if not deadlines:
        listed = [r.version for r in release_list]
        return _no_known_newer(result, installed, latest, listed, as_of, through, max_age_days)

    deadline, required = min(deadlines, key=lambda pair: (pair[0], pair[1].version if pair[1] else FLOOR))
    remaining = (deadline - as_of).days
    result["deadline"] = deadline.isoformat()
    result["required_release"] = required.to_dict() if required else _floor_requirement()
    if remaining >= 0:
        result["days_left"] = remaining
        result["due_soon"] = remaining <= warn_days
    else:
        result["days_overdue"] = -remaining
        result["past_deadline"] = True
    result["status"] = "below_floor" if below_floor else ("overdue" if remaining < 0 else "within_window")
    result["message"] = _message(result, installed, required, below_floor)
    return result


def _no_known_newer(
    result: dict[str, Any],
    installed: LSVersion,
    latest: Release | None,
    listed: list[LSVersion],
    as_of: date,
    through: date | None,
    max_age_days: int,
) -> dict[str, Any]:
    """``current`` only when the catalog can exclude a newer release; ``unknown`` with the reason otherwise.

    *listed* holds every catalogued version, also those dated after *as_of*: a build the catalog
    lists (even with a later release date) is known to it, one newer than all of them is not.
    """
    latest_text = f"latest known: {latest.version}" if latest else "the catalog lists no release by then"
    fix = (
        "Refresh the release catalog (catalog_url of ctxlic.license_server.upgrade_window, "
        "ctxlic_telemetry_catalog_url for playbooks/fleet_report.yml: the vendor's What's new page or your mirror) "
        "and run the check again."
    )
    if installed.build_known:
        beyond = not listed or installed > max(listed)
    else:
        beyond = not listed or installed.release > max(listed).release
    if beyond:
        result["status"] = "unknown"
        result["unknown_reason"] = "installed_not_catalogued"
        result["message"] = (
            f"Upgrade window not proven: installed {installed} is newer than every release the catalog lists "
            f"({latest_text}), so the catalog is missing releases and cannot show that nothing newer exists as of "
            f"{as_of.isoformat()}. {fix}"
        )
        return result
    age = (as_of - through).days if through else None
    if through is None or age is None or age > max_age_days:
        result["status"] = "unknown"
        result["unknown_reason"] = "catalog_stale"
        known = (
            f"the catalog's knowledge ends {through.isoformat()}, {age} days before {as_of.isoformat()} "
            f"(more than catalog_max_age_days={max_age_days})"
            if through
            else "the catalog proves nothing about recent releases"
        )
        result["message"] = (
            f"Upgrade window not proven: installed {installed} is the newest release the catalog knows "
            f"({latest_text}), but {known}. A newer release may exist and may already be past its six-month "
            f"deadline. {fix}"
        )
        return result
    result["message"] = (
        f"Installed {installed} is current: no release newer than it is known as of {as_of.isoformat()} "
        f"({latest_text}; the catalog is complete through {through.isoformat()})."
    )
    return result


def _deadline_of(release: Release) -> date:
    return add_months(release.released, WINDOW_MONTHS)


def _floor_requirement() -> dict[str, Any]:
    return {
        "version": str(FLOOR),
        "released": None,
        "source": "Citrix License Telemetry FAQ (CTX477614); Citrix \u2013 Update Required (partner notice): "
                  "transition to 11.17.2 Build 40000 by March 31, 2023",
        "date_precision": None,
    }


def _message(result: Mapping[str, Any], installed: LSVersion, required: Release | None, below_floor: bool) -> str:
    why = (
        f"the floor {FLOOR} was required by {FLOOR_DEADLINE.isoformat()} (Citrix License Telemetry FAQ; Citrix "
        "licensing telemetry and compliance status; Citrix \u2013 Update Required)"
        if required is None
        else f"{_describe_release(required)} had to be installed within {WINDOW_MONTHS} months"
    )
    if result["past_deadline"]:
        timing = f"the deadline {result['deadline']} passed {result['days_overdue']} day(s) ago"
    else:
        timing = f"{result['days_left']} day(s) left until the deadline {result['deadline']}"
    head = (
        f"Installed {installed} is older than the floor {FLOOR}" if below_floor else f"Installed {installed} is behind"
    )
    return f"{head}: {why}; {timing}. Latest known release: {result['latest']}."


def fail_decision(result: Mapping[str, Any], fail_on: str, *, unknown_fails: bool = True) -> bool:
    """Should the task fail for this window *result*?

    * ``never``: never.
    * ``overdue``: when a deadline has passed (``overdue``, or ``below_floor`` past its deadline).
    * ``due_soon``: as ``overdue``, plus within *warn_days* of the deadline.
    * status ``unknown`` (no build number, a stale catalog, a build the catalog does not list):
      fails unless *unknown_fails* is False, because a window that cannot be proven cannot be
      shown to be compliant.
    """
    if fail_on not in FAIL_ON_CHOICES:
        raise InputError(f"fail_on {fail_on!r} must be one of {', '.join(FAIL_ON_CHOICES)}.")
    if not isinstance(result, Mapping) or result.get("status") not in STATUSES:
        raise InputError(f"fail_decision needs a result from evaluate_window, got {result!r}.")
    if fail_on == "never":
        return False
    if result["status"] == "unknown":
        return bool(unknown_fails)
    if result.get("past_deadline"):
        return True
    return fail_on == "due_soon" and bool(result.get("due_soon"))


def parse_as_of(value: Any) -> date:
    """``as_of`` option: a date or a ``YYYY-MM-DD`` string; InputError naming the value otherwise."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        text = value.strip()
        if len(text) == 10 and text[4] == "-" and text[7] == "-":
            try:
                return date.fromisoformat(text)
            except ValueError:
                pass
    raise InputError(
        f"as_of {value!r} is not a date: use YYYY-MM-DD, for example '2025-06-01', or leave it unset for today (UTC)."
    )


def window_task_result(
    installed_version: Any,
    catalog: Catalog,
    *,
    as_of: date,
    warn_days: int = 30,
    fail_on: str = "never",
    max_age_days: int = DEFAULT_MAX_AGE_DAYS,
    refresh_warnings: Iterable[str] = (),
    unknown_fails: bool = True,
) -> dict[str, Any]:
    """Everything the ``upgrade_window`` module returns, computed from already-loaded data.

    Keys: ``changed`` (always False), ``failed``, ``msg``, ``window`` (see
    :func:`evaluate_window`), ``catalog`` (newest, newest_date, newest_date_precision,
    fetched_at, origin, stale, stale_message, age_days, complete_through, max_age_days,
    releases_known) and
    ``warnings`` (refresh problems first, then a stale catalog). Raises InputError for a
    malformed version or option, naming the input.
    """
    installed = parse_ls_version(installed_version)
    if fail_on not in FAIL_ON_CHOICES:
        raise InputError(f"fail_on {fail_on!r} must be one of {', '.join(FAIL_ON_CHOICES)}.")
    window = evaluate_window(installed, catalog, as_of, warn_days, max_age_days=max_age_days)
    summary = catalog_summary(catalog, as_of, max_age_days)
    warnings = [str(w) for w in refresh_warnings]
    if summary["stale"]:
        warnings.append(summary["stale_message"])
    if window["status"] == "unknown":
        warnings.append(window["message"])
    failed = fail_decision(window, fail_on, unknown_fails=unknown_fails)
    msg = f"Upgrade window check failed (fail_on={fail_on}): {window['message']}" if failed else window["message"]
    return {
        "changed": False,
        "failed": failed,
        "msg": msg,
        "window": window,
        "catalog": summary,
        "warnings": warnings,
    }


def catalog_summary(catalog: Catalog, as_of: date, max_age_days: int = DEFAULT_MAX_AGE_DAYS) -> dict[str, Any]:
    """The ``catalog`` the ``upgrade_window`` module returns (and ``fleet_report`` shows): the newest release,
    the last fetch, the origin and whether the catalog is stale at *as_of*."""
    freshness = staleness(catalog, as_of, max_age_days)
    top = newest(catalog)
    return {
        "newest": str(top.version) if top else None,
        "newest_date": top.released.isoformat() if top else None,
        "newest_date_precision": top.date_precision if top else None,
        "fetched_at": catalog.fetched_at.isoformat() if catalog.fetched_at else None,
        "origin": catalog.origin,
        "stale": freshness["stale"],
        "stale_message": freshness["message"],
        "age_days": freshness["age_days"],
        "complete_through": freshness["complete_through"],
        "max_age_days": max_age_days,
        "releases_known": len(catalog.releases),
    }
