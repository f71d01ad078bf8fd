# Copyright: (c) 2026, ctxlic maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# Internal use only: this module is private to ctxlic.license_server and may change at any time.
"""Views across license files: feature summaries, obsolete files, the inventory. No I/O.

Seed 004 "Delete license files": a file may go only when every INCREMENT line in it is obsolete or
unnecessary; seed 002: expired or inactive licenses still installed make a customer non-compliant.
"""

from __future__ import annotations

import datetime
from typing import Any, Iterable, Sequence

from ansible_collections.ctxlic.license_server.plugins.plugin_utils._common.timeutil import iso_day
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._license.license_model import (
    Feature,
    LicenseFileReport,
    as_date,
)


def feature_summary(report: LicenseFileReport) -> list[dict[str, Any]]:
    """What a diff of a license file shows: one small dict per INCREMENT line, no signatures."""
    return [
        {
            "feature": feature.feature,
            "count": feature.count,
            "expiry": feature.expiry,
            "css_date": iso_day(feature.css_date),
            "serial": feature.serial,
            "friendly_name": feature.friendly_name,
        }
        for feature in report.features
    ]


def _is_active(feature: Feature, today: datetime.date) -> bool:
    return not _is_expired(feature, today) and not (feature.start is not None and feature.start > today)


def _is_expired(feature: Feature, today: datetime.date) -> bool:
    return not feature.permanent and feature.expiry_date is not None and feature.expiry_date < today


def _supersedes(newer: Feature, older: Feature) -> bool:
    """Does line ``newer`` disable line ``older``?

    SUPERSEDE="A B" (or bare SUPERSEDE = its own feature) disables lines of those features issued
    before ``newer`` (ISSUED, else START; both dates needed). SUPERSEDE_SIGN disables the exact
    line whose feature and signature it names (compared by digest).
    """
    if older.sign_digest and (older.feature, older.sign_digest) in newer.supersede_sign_digests:
        return True
    if older.feature in newer.supersede:
        new_date, old_date = newer.effective_issued, older.effective_issued
        return new_date is not None and old_date is not None and old_date < new_date
    return False


def _superseded_by(
    target: Feature, candidates: Iterable[tuple[int, Feature]], own_index: int, today: datetime.date
) -> int | None:
    for index, line in candidates:
        if index != own_index and line is not target and _is_active(line, today) and _supersedes(line, target):
            return index
    return None


def obsolete_files(reports: Sequence[LicenseFileReport], *, today: datetime.date) -> list[str]:
    """Names of files that can be removed because every INCREMENT line in them is obsolete.

    A line is obsolete when it is expired (expiry before ``today``) or superseded by an active
    (started, unexpired) line of *another* file that stays installed: SUPERSEDE listing its
    feature with a later ISSUED (START when ISSUED is missing), or SUPERSEDE_SIGN naming its
    feature *and* its signature. Matching SUPERSEDE_SIGN by feature name alone is deliberately
    not done: a renewal supersedes specific lines, and a second file with the same feature would
    otherwise be removed and lower the licenses available (seed 004, "Delete license files").

    Never proposed: protected files (start-up license, options file), files with errors (the
    caller must look at them; a License Server ignores some of them anyway), files with no
    INCREMENT line. Superseding lines only count from files without errors.

    Safety rule: after removing all proposed files, every feature that a proposed file licensed
    with an unexpired line must still be licensed by an active line of a remaining file, or be
    named by a remaining active line's SUPERSEDE / SUPERSEDE_SIGN (an edition upgrade replaces the
    old feature). Files that break the rule are kept, and the check repeats until it holds.
    Features found only in expired lines may all go. Returned in input order.

    Pass the reports of one License Server (one MyFiles folder); drop files whose binding does not
    match that server (:func:`check_binding`) first, since the server does not use them.
    """
    today = as_date(today)
    usable = [index for index, report in enumerate(reports) if report.valid]
    candidates = [index for index in usable if not reports[index].protected and reports[index].features]
    pruned: set[int] = set()
    kept: set[int] = set()
    changed = True
    while changed:
        changed = False
        for index in candidates:
            if index in pruned or index in kept:
                continue
            remaining = [(other, line) for other in usable if other not in pruned for line in reports[other].features]
            if all(
                _is_expired(line, today) or _superseded_by(line, remaining, index, today) is not None
                for line in reports[index].features
            ):
                pruned.add(index)
                changed = True
    while True:
        lost = _lost_features(reports, usable, pruned, today)
        if not lost:
            break
        restore = {
            index
            for index in pruned
            if any(line.feature in lost and not _is_expired(line, today) for line in reports[index].features)
        }
        pruned -= restore
        kept |= restore
    return [reports[index].name for index in sorted(pruned)]


def _lost_features(
    reports: Sequence[LicenseFileReport], usable: list[int], pruned: set[int], today: datetime.date
) -> set[str]:
    needed = {line.feature for index in pruned for line in reports[index].features if not _is_expired(line, today)}
    covered: set[str] = set()
    for index in usable:
        if index in pruned:
            continue
        for line in reports[index].features:
            if _is_active(line, today):
                covered.add(line.feature)
                covered.update(line.supersede)
                covered.update(line.supersede_sign)
    return needed - covered


def inventory_summary(reports: Sequence[LicenseFileReport], *, today: datetime.date) -> dict[str, Any]:
    """Per-feature installed totals and the lines that make a License Server non-compliant.

    ``features[NAME].installed`` sums the counts of active lines (started, unexpired, not
    superseded) in files without errors; ``uncounted`` is true when any such line is uncounted.
    Lines of protected files (the start-up license, which "does not affect your license count")
    go to ``system_features`` instead. ``expired`` and ``superseded`` list lines still installed
    that seed 002 counts against compliance; ``not_yet_started`` lists future entitlements;
    ``files_with_errors`` lists files whose lines were not counted at all.
    """
    today = as_date(today)
    usable = [index for index, report in enumerate(reports) if report.valid]
    all_lines = [(index, line) for index in usable for line in reports[index].features]
    features: dict[str, dict[str, Any]] = {}
    system: dict[str, dict[str, Any]] = {}
    expired: list[dict[str, Any]] = []
    not_started: list[dict[str, Any]] = []
    superseded: list[dict[str, Any]] = []
    for index, line in all_lines:
        report = reports[index]
        bucket = system if report.protected else features
        entry = bucket.setdefault(line.feature, _empty_feature_entry(line))
        entry["friendly_name"] = entry["friendly_name"] or line.friendly_name
        if report.name not in entry["files"]:
            entry["files"].append(report.name)
        ref = {"file": report.name, "feature": line.feature, "count": line.count, "expiry": line.expiry}
        if _is_expired(line, today):
            entry["expired_lines"] += 1
            expired.append(ref)
            continue
        if line.start is not None and line.start > today:
            entry["not_started_lines"] += 1
            not_started.append({**ref, "start": iso_day(line.start)})
            continue
        by = _superseded_by(line, all_lines, index, today)
        if by is not None:
            entry["superseded_lines"] += 1
            superseded.append({**ref, "superseded_by": reports[by].name})
            continue
        _count_active(entry, line)
    return {
        "as_of": today.isoformat(),
        "files": len(reports),
        "valid_files": len(usable),
        "features": features,
        "system_features": system,
        "expired": expired,
        "not_yet_started": not_started,
        "superseded": superseded,
        "files_with_errors": [
            {"file": report.name, "errors": [finding.code for finding in report.errors]}
            for report in reports
            if not report.valid
        ],
    }


def _empty_feature_entry(line: Feature) -> dict[str, Any]:
    return {
        "installed": 0,
        "uncounted": False,
        "active_lines": 0,
        "expired_lines": 0,
        "not_started_lines": 0,
        "superseded_lines": 0,
        "files": [],
        "friendly_name": line.friendly_name,
        "earliest_expiry": None,
        "latest_css_date": None,
    }


def _count_active(entry: dict[str, Any], line: Feature) -> None:
    entry["active_lines"] += 1
    entry["installed"] += line.count or 0
    entry["uncounted"] = entry["uncounted"] or line.uncounted
    expiry = line.expiry
    current = entry["earliest_expiry"]
    if expiry is not None and expiry != "permanent" and (current in (None, "permanent") or expiry < current):
        entry["earliest_expiry"] = expiry
    elif expiry == "permanent" and current is None:
        entry["earliest_expiry"] = "permanent"
    css = iso_day(line.css_date)
    if css and (entry["latest_css_date"] is None or css > entry["latest_css_date"]):
        entry["latest_css_date"] = css
