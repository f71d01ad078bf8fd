# Copyright: (c) 2026, ctxlic maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# Internal use only: this module is private to ctxlic.license_server and may change at any time.
"""Compliance checks of one License Server (pure: no I/O, no clock reads).

Input is the per-server record the ``info`` gather produces (``.build/INFO_RECORD.md``); the rules,
sources and remediation texts are in :mod:`.rules`. :func:`evaluate_server` is the entry point.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from typing import Any, Mapping, Sequence

from ansible_collections.ctxlic.license_server.plugins.plugin_utils._common.errors import InputError
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._license.allocations import surplus as _surplus
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._server import las as _las
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._compliance.rules import (
    CHECK_RULES,
    CHECK_TITLES,
    COMPLIANT,
    FAIL,
    MAX_UPLOAD_AGE_DAYS,
    NON_COMPLIANT,
    PASS,
    REMEDIATION,
    SERVER_UNKNOWN,
    SOURCE_NOTICE,
    SOURCE_PROGRAMS,
    SOURCE_STATUS,
    UNKNOWN,
    WARN,
)
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._compliance.values import (
    Unreadable,
    as_int,
    as_text,
    iso_utc,
    normalise_purchased,
    parse_day,
    parse_instant,
    plural,
    require_as_of,
    require_choice,
    require_days,
)

_STARTUP_LICENSE = re.compile(r"^citrix.*_startup\.lic$", re.IGNORECASE)
_GIB = 1024**3
# license_parser.py warning codes about dates: judged here against as_of instead of the parser's clock.
_DATE_CODES = frozenset({"expired", "expiring_soon", "not_yet_started", "css_expired"})


def _mapping(value: Any) -> Mapping[str, Any] | None:
    return value if isinstance(value, Mapping) else None


def _check(check_id: str, status: str, message: str, evidence: dict | None = None,
           remediation: str | None = None) -> dict:
    return {
        "id": check_id,
        "title": CHECK_TITLES[check_id],
        "status": status,
        "message": message,
        "evidence": evidence or {},
        "remediation": remediation,
        "rule": CHECK_RULES[check_id],
    }


def _human_bytes(size: int | None) -> str:
    if size is None:
        return "unknown size"
    step = 1024.0
    value = float(size)
    for unit in ("B", "KiB", "MiB", "GiB", "TiB"):
        if value < step or unit == "TiB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= step
    return f"{size} B"


def _check_reachable(record: Mapping[str, Any]) -> tuple[dict, bool]:
    """Return the check and whether the rest of the record can be trusted."""
    error = as_text(record.get("error")) or None
    evidence = {"reachable": record.get("reachable"), "failed": record.get("failed"), "error": error,
                "installed": record.get("installed")}
    fix = REMEDIATION["reachable"]
    detail = f": {error}" if error else ""
    if record.get("reachable") is False:
        message = f"Host unreachable{detail}. Counted as not reporting until verified; {fix}."
        return _check("reachable", FAIL, message, evidence, fix), False
    if record.get("failed") is True:
        message = f"The gather failed{detail}. Counted as not reporting until verified; {fix}."
        return _check("reachable", FAIL, message, evidence, fix), False
    if record.get("installed") is False:
        # Reachable and gathered: this check passes; the missing License Server is its own finding
        # (``ls_installed``) with its own fix (issue 15 item 5).
        return _check("reachable", PASS, "Host reachable and gathered (no License Server installed: see License "
                      "Server installed).", evidence), True
    return _check("reachable", PASS, "Host reachable; License Server facts gathered.", evidence), True


def _check_installed(record: Mapping[str, Any], *, usable: bool) -> dict:
    """``ls_installed``: a gathered host without a License Server cannot report (install it, or return allocations)."""
    evidence = {"installed": record.get("installed")}
    if not usable:
        return _check("ls_installed", UNKNOWN, "Not evaluated: the host could not be gathered.", evidence)
    if record.get("installed") is False:
        fix = REMEDIATION["not_installed"]
        return _check("ls_installed", FAIL, f"No License Server is installed on this host, so it cannot report "
                      f"telemetry. Fix: {fix}.", evidence, fix)
    return _check("ls_installed", PASS, "License Server installed.", evidence)


def _upload_attempt(record: Mapping[str, Any]) -> dict:
    upload = _mapping(record.get("upload")) or {}
    attempt = {
        "status": upload.get("status") if upload.get("status") in ("success", "failure") else "unknown",
        "time": None,
        "code": upload.get("code"),
        "message": upload.get("message"),
        "arg": upload.get("arg"),
        "reason": upload.get("reason"),
        "hint": upload.get("hint"),
        "time_error": None,
    }
    try:
        attempt["time"] = parse_instant(upload.get("time"))
    except Unreadable as exc:
        attempt["time_error"] = str(exc)
    return attempt


SOURCE_XML = "upload_compliance_result.xml"
SOURCE_HISTORY = "evidence history"
SOURCE_MANUAL = "manual upload (operator-attested)"


def _history_success(last_success: Any) -> tuple[list[tuple[datetime, str, dict]], dict, list[str]]:
    """Read the evidence-history rows offered as successful uploads: ``(candidates, row, notes)``.

    ``last_success`` is one row (``{"time": ..., ...}``), a list of rows, or None. A row with
    ``"source": "manual_upload"`` is a manual upload an operator recorded with the ``evidence_event``
    module (``recorded_by``, ``recorded_at``): it counts like a recorded upload but stays marked as
    operator-attested. Rows that are not successes or whose time is unreadable are notes, never
    candidates; the caller decides whether a candidate's time can be credited.
    """
    if last_success is None:
        return [], {}, []
    rows = list(last_success) if isinstance(last_success, (list, tuple)) else [last_success]
    candidates: list[tuple[datetime, str, dict]] = []
    notes: list[str] = []
    first: dict = {}
    for row in rows:
        if row is None:
            continue
        if not isinstance(row, Mapping):
            raise InputError(f"last_success must be a mapping like {{'time': '2026-11-20T03:00:00Z'}}, a list of "
                             f"them, or null, got {type(row).__name__}; pass the row the evidence history returns.")
        first = first or dict(row)
        manual = row.get("source") == "manual_upload"
        source = SOURCE_MANUAL if manual else SOURCE_HISTORY
        if row.get("status", "success") != "success":
            notes.append("the evidence-history row given as last_success is not a success; ignored")
            continue
        try:
            when = parse_instant(row.get("time"))
        except Unreadable as exc:
            notes.append(f"{source} time unreadable ({exc}); not credited")
            continue
        if when is None:
            notes.append(f"{source} without a time; not credited")
            continue
        candidates.append((when, source, dict(row)))
    return candidates, first, notes


def _safe_deadline(success: datetime | None, days: int) -> date | None:
    """``success + days`` as a date, or None where that lies beyond year 9999 (an absurd time or limit)."""
    if success is None:
        return None
    try:
        return success.date() + timedelta(days=days)
    except OverflowError:
        return None


def _check_telemetry(record: Mapping[str, Any], *, usable: bool, as_of: datetime, last_success: Any,
                     max_age: int, warn_days: int) -> dict:
    attempt = _upload_attempt(record)
    offered, history_row, history_notes = _history_success(last_success)
    if attempt["status"] == "success" and attempt["time"] is not None:
        offered.append((attempt["time"], SOURCE_XML, {}))
    # A success dated after the report's day is never credited (issue 14 item 5, issue 15 item 3): a
    # wrong server or controller clock, or a hostile value, must not make a server "reporting" (a
    # success dated 2100 would count for 75 years). It is a finding, shown with its time.
    credited = [c for c in offered if c[0].date() <= as_of.date()]
    future = sorted((c for c in offered if c[0].date() > as_of.date()), key=lambda c: c[0])
    best = max(credited, key=lambda item: item[0]) if credited else None
    success_time, success_source, success_row = best if best else (None, None, {})
    days = (as_of.date() - success_time.date()).days if success_time else None
    deadline_day = _safe_deadline(success_time, max_age)
    manual = record.get("reporting_mode") == "manual"
    fix = REMEDIATION["upload_manual"] if manual else REMEDIATION["upload_automatic"]
    evidence: dict[str, Any] = {
        "last_attempt": {k: (iso_utc(v) if k == "time" else v) for k, v in attempt.items() if k != "time_error"},
        "last_success": iso_utc(success_time),
        "last_success_source": success_source,
        "history": {k: (iso_utc(v) if isinstance(v, datetime) else v) for k, v in history_row.items()} or None,
        "days_since_success": days,
        "max_days": max_age,
        "deadline": iso_utc(deadline_day),
        "reporting_mode": record.get("reporting_mode"),
    }
    if success_source == SOURCE_MANUAL:
        evidence["attested"] = {"recorded_by": as_text(success_row.get("recorded_by")) or None,
                                "recorded_at": as_text(success_row.get("recorded_at")) or None,
                                "note": as_text(success_row.get("note")) or None}
    future_text = "; ".join(
        f"{source} success dated {iso_utc(when)}, {plural((when.date() - as_of.date()).days, 'day')} after the "
        f"report's time {iso_utc(as_of)}" for when, source, _row in future)
    if future:
        evidence["future_success"] = [{"time": iso_utc(when), "source": source} for when, source, _row in future]
    notes = [n for n in (attempt["time_error"], *history_notes) if n]
    if future:
        notes.append(f"not credited (a time in the future): {future_text}")
    if notes:
        evidence["notes"] = notes
    attempt_text = _describe_attempt(attempt)
    attempt_sentence = attempt_text[:1].upper() + attempt_text[1:]
    if not usable:
        seen = (f" Last known success {days} days ago ({iso_utc(success_time)}, {success_source})." if success_time
                else " No successful upload on record.")
        return _check("telemetry_upload", UNKNOWN, f"Not verified: the host could not be gathered.{seen} Counted as "
                      f"not reporting; {REMEDIATION['reachable']}.", evidence, REMEDIATION["reachable"])
    clocks = ("check the clocks of the License Server and of the controller (or the as_of of the report); a time in "
              "the future is never credited")
    if success_time is None or days is None:
        if future:
            message = (f"No credited successful upload: the only {plural(len(future), 'success')} on record "
                       f"{'is' if len(future) == 1 else 'are'} dated in the future ({future_text}). Fix: {clocks}; "
                       f"then {fix}.")
            return _check("telemetry_upload", FAIL, message, evidence, fix)
        if attempt["status"] == "failure":
            message = f"No successful upload on record. {attempt_sentence}. {_hint(attempt)}Fix: {fix}."
            return _check("telemetry_upload", FAIL, message, evidence, fix)
        if attempt["status"] == "success":
            return _check("telemetry_upload", UNKNOWN, f"The latest upload succeeded but its time is unreadable "
                          f"({attempt['time_error']}); re-run the info gather.", evidence, None)
        reason = attempt["reason"] or "no upload result and no evidence history"
        return _check("telemetry_upload", UNKNOWN, f"No upload seen ({reason}). The first upload runs about five "
                      f"minutes after the License Server starts ({SOURCE_PROGRAMS}); re-run the report, or {fix}.",
                      evidence, fix)
    deadline = evidence["deadline"] or "beyond year 9999"
    attested = ""
    if success_source == SOURCE_MANUAL:
        who = evidence["attested"]["recorded_by"] or "an operator"
        when_recorded = evidence["attested"]["recorded_at"] or "an unknown time"
        attested = f" [recorded by {who} at {when_recorded}]"
    since = (f"Last successful upload {plural(days, 'day')} ago ({iso_utc(success_time)}, {success_source}"
             f"{attested})")
    future_note = f" Not credited (a time in the future): {future_text}; {clocks}." if future else ""
    if days > max_age:
        message = f"{since}: more than {max_age} days. {attempt_sentence}. {_hint(attempt)}Fix: {fix}.{future_note}"
        return _check("telemetry_upload", FAIL, message, evidence, fix)
    if future:
        return _check("telemetry_upload", WARN, f"{since}; within {max_age} days (next deadline {deadline})."
                      f"{future_note}", evidence, None)
    if attempt["status"] == "failure":
        return _check("telemetry_upload", WARN, f"{since}; {attempt_text}. Fix it before "
                      f"{deadline}. {_hint(attempt)}Fix: {fix}.", evidence, fix)
    if max_age - days <= warn_days:
        return _check("telemetry_upload", WARN, f"{since}; only {max_age - days} days left until the {max_age}-day "
                      f"limit ({deadline}). Fix: {fix}.", evidence, fix)
    return _check("telemetry_upload", PASS, f"{since}; within {max_age} days (next deadline {deadline}); "
                  f"{attempt_text}.", evidence)


def _describe_attempt(attempt: Mapping[str, Any]) -> str:
    if attempt["status"] == "unknown":
        return "latest attempt unknown" + (f" ({attempt['reason']})" if attempt.get("reason") else "")
    when = iso_utc(attempt["time"]) or "time unknown"
    text = f"latest attempt {attempt['status']} at {when}"
    if attempt["status"] == "failure":
        message = as_text(attempt.get("message")).strip().rstrip(".")
        detail = " ".join(p for p in (as_text(attempt.get("code")), message) if p)
        text += f": {detail}" if detail else ""
    return text


def _hint(attempt: Mapping[str, Any]) -> str:
    hint = as_text(attempt.get("hint")).strip().rstrip(".")  # hints end with a full stop; never "hours.. Fix"
    return f"Hint: {hint}. " if hint else ""


def _check_upgrade(record: Mapping[str, Any], *, usable: bool, warn_days: int) -> dict:
    window = _mapping(record.get("window")) or {}
    version = _mapping(record.get("version"))
    status = window.get("status")
    evidence = {"version": version.get("text") if version else None, "window": dict(window) or None}
    latest = window.get("latest") or "the newest release"
    # The deadline belongs to the oldest unmet release (required_release), not to the latest one.
    required_row = _mapping(window.get("required_release")) or {}
    required = as_text(required_row.get("version")) or latest
    deadline = window.get("deadline")
    fix = REMEDIATION["upgrade"]
    if not usable:
        return _check("upgrade_window", UNKNOWN, "Not evaluated: the host could not be gathered.", evidence)
    if not version:
        return _check("upgrade_window", UNKNOWN, "License Server version unknown (not installed or not readable); "
                      "re-run the info gather.", evidence)
    if status == "current":
        through = window.get("catalog_complete_through")
        proof = f" (catalog complete through {through})" if through else ""
        return _check("upgrade_window", PASS, f"Runs {evidence['version']}, the newest release in the catalog{proof}.",
                      evidence)
    if status in ("within_window", "due_soon"):
        days_left = as_int(window.get("days_left"))
        if status == "due_soon" or window.get("due_soon") is True or (days_left is not None and days_left <= warn_days):
            left = f" ({plural(days_left, 'day')} left)" if days_left is not None else ""
            return _check("upgrade_window", WARN, f"Upgrade due by {deadline}{left}: {required} must be installed "
                          f"within six months of its release (latest known: {latest}); {fix}.", evidence, fix)
        return _check("upgrade_window", PASS, f"Runs {evidence['version']}; {required} must be installed by {deadline} "
                      f"(latest known: {latest}).", evidence, None)
    if status == "overdue":
        over = as_int(window.get("days_overdue"))
        late = f" {plural(over, 'day')} past" if over is not None else " past"
        return _check("upgrade_window", FAIL, f"Upgrade overdue:{late} the six-month deadline {deadline} for "
                      f"{required} (version too old: {SOURCE_STATUS}, reason 3; latest known: {latest}); {fix}.",
                      evidence, fix)
    if status == "below_floor":
        return _check("upgrade_window", FAIL, f"Runs {evidence['version']}, older than 11.17.2 build 40000 (required "
                      f"since 2023-03-31, {SOURCE_NOTICE}); {fix}.", evidence, fix)
    reason = f"window status {status!r}" if status and status != "unknown" else "no upgrade-window result"
    if window.get("message"):
        reason = as_text(window["message"]) if status == "unknown" else f"{reason}: {as_text(window['message'])}"
    if window.get("unknown_reason") == "no_build":
        return _check("upgrade_window", UNKNOWN, f"Upgrade window unknown: {reason} Re-run the info gather.",
                      evidence, None)
    return _check("upgrade_window", UNKNOWN, f"Upgrade window unknown: {reason.rstrip('.')}. Fix: "
                  f"{REMEDIATION['catalog']}.", evidence, REMEDIATION["catalog"])


def _pending(record: Mapping[str, Any]) -> dict:
    pending = _mapping(record.get("pending_uploads")) or {}
    info: dict[str, Any] = {
        "count": as_int(pending.get("count")), "bytes": as_int(pending.get("bytes")), "oldest": None, "newest": None,
        "files": len(pending["files"]) if isinstance(pending.get("files"), list) else None, "notes": []}
    for key in ("oldest", "newest"):
        try:
            info[key] = parse_instant(pending.get(key))
        except Unreadable as exc:
            info["notes"].append(str(exc))
    if info["count"] is None and info["files"] is not None:
        info["count"] = info["files"]
    info["known"] = bool(pending)
    return info


def _check_reporting_mode(record: Mapping[str, Any], *, usable: bool, as_of: datetime, pending_max_age: int) -> dict:
    mode = record.get("reporting_mode")
    service = _mapping(record.get("management_service")) or {}
    pending = _pending(record)
    oldest_age = (as_of.date() - pending["oldest"].date()).days if pending["oldest"] else None
    evidence = {"reporting_mode": mode, "management_service_enabled": service.get("enabled"),
                "pending_count": pending["count"], "oldest_pending": iso_utc(pending["oldest"]),
                "oldest_pending_days": oldest_age, "pending_max_age_days": pending_max_age}
    if not usable:
        return _check("reporting_mode", UNKNOWN, "Not evaluated: the host could not be gathered.", evidence)
    if mode == "automatic":
        return _check("reporting_mode", PASS, "Automatic reporting: the License Management Service uploads daily "
                      f"({SOURCE_PROGRAMS}).", evidence)
    if mode == "manual":
        if pending["count"] and oldest_age is not None and oldest_age > pending_max_age:
            return _check("reporting_mode", WARN, f"Manual reporting with bundles waiting {oldest_age} days (more "
                          f"than {pending_max_age}); {REMEDIATION['bundles']}.", evidence, REMEDIATION["bundles"])
        return _check("reporting_mode", PASS, "Manual reporting (License Management Service disabled): compliance "
                      "rests on manual uploads at least every 90 days, see telemetry_upload.", evidence)
    return _check("reporting_mode", UNKNOWN, f"Reporting mode unknown; {REMEDIATION['reporting_unknown']}.", evidence,
                  REMEDIATION["reporting_unknown"])


def _check_pending(record: Mapping[str, Any], *, usable: bool, min_free_bytes: int, min_free_ratio: float) -> dict:
    pending = _pending(record)
    disk = _mapping(record.get("disk")) or {}
    free, total = as_int(disk.get("free_bytes")), as_int(disk.get("total_bytes"))
    manual = record.get("reporting_mode") == "manual"
    evidence = {"count": pending["count"], "bytes": pending["bytes"], "oldest": iso_utc(pending["oldest"]),
                "newest": iso_utc(pending["newest"]), "free_bytes": free, "total_bytes": total,
                "min_free_bytes": min_free_bytes, "min_free_ratio": min_free_ratio}
    if not usable:
        return _check("pending_bundles", UNKNOWN, "Not evaluated: the host could not be gathered.", evidence)
    problems: list[str] = []
    fixes: list[str] = []
    low_disk = free is not None and (free < min_free_bytes or (total and free / total < min_free_ratio))
    if low_disk:
        problems.append(f"low free disk: {_human_bytes(free)} free of {_human_bytes(total)}")
        fixes.append(REMEDIATION["disk"])
    count = pending["count"]
    if count and manual:
        problems.append(f"{plural(count, 'bundle')} ({_human_bytes(pending['bytes'])}) waiting for manual upload")
        fixes.append(REMEDIATION["bundles"])
    if problems:
        fix = "; ".join(dict.fromkeys(fixes))
        text = "; ".join(problems)
        return _check("pending_bundles", WARN, f"{text[:1].upper()}{text[1:]}. Fix: {fix}.", evidence, fix)
    if not pending["known"] and free is None:
        return _check("pending_bundles", UNKNOWN, "Pending bundles and disk space not gathered; re-run the info "
                      "gather.", evidence)
    if count:
        return _check("pending_bundles", PASS, f"{plural(count, 'bundle')} left from manual reporting "
                      f"({_human_bytes(pending['bytes'])}); delete them once uploaded.", evidence)
    return _check("pending_bundles", PASS, "No bundles waiting; disk space sufficient.", evidence)


def _license_files(record: Mapping[str, Any]) -> list[Mapping[str, Any]] | None:
    licenses = _mapping(record.get("licenses"))
    if licenses is None or not isinstance(licenses.get("files"), list):
        return None
    return [f for f in licenses["files"] if isinstance(f, Mapping)]


def _features(lic: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    features = lic.get("features")
    return [f for f in features if isinstance(f, Mapping)] if isinstance(features, list) else []


def _classify_line(feature: Mapping[str, Any], today: date, warn_days: int) -> tuple[str | None, str]:
    """Return (problem kind or None, description) for one INCREMENT line."""
    name = as_text(feature.get("feature")) or "?"
    try:
        expiry = parse_day(feature.get("expiry"))
        start = parse_day(feature.get("start"))
    except Unreadable as exc:
        return "unreadable", f"{name}: {exc}"
    if isinstance(expiry, date) and expiry < today:
        return "expired", f"{name} expired {expiry.isoformat()}"
    if isinstance(start, date) and start > today:
        return "inactive", f"{name} starts {start.isoformat()} (inactive until then)"
    if isinstance(expiry, date) and (expiry - today).days <= warn_days:
        return "expiring", f"{name} expires {expiry.isoformat()} ({plural((expiry - today).days, 'day')} left)"
    return None, name


def _css_lapsed(feature: Mapping[str, Any], today: date) -> bool:
    try:
        css = parse_day(feature.get("css_date"))
    except Unreadable:
        return False
    return isinstance(css, date) and css < today


def _check_licenses_expired(record: Mapping[str, Any], *, usable: bool, as_of: datetime, warn_days: int,
                            future_start_status: str, css_lapsed_status: str) -> dict:
    files = _license_files(record)
    if not usable:
        return _check("licenses_expired", UNKNOWN, "Not evaluated: the host could not be gathered.")
    if files is None:
        return _check("licenses_expired", UNKNOWN, "License files not gathered; re-run the info gather.")
    today = as_of.date()
    # A cluster's files name the client access point (seed 004 "Clustered License Servers", ~4644).
    hostname = record.get("cluster_access_point") or record.get("hostname")
    found: dict[str, list[str]] = {"expired": [], "inactive": [], "expiring": [], "unreadable": [], "css_lapsed": [],
                                   "file_errors": [], "file_warnings": [], "binding": []}
    lines = 0
    by_file: dict[str, dict] = {}  # per file: problem kinds, serial numbers, errors (the to-do list names them)
    for lic in files:
        fname = as_text(lic.get("name")) or "?"
        before = {k: len(v) for k, v in found.items()}
        _collect_file_issues(lic, fname, hostname, found)
        entry: dict[str, Any] = {"kinds": [], "serials": [], "errors": [], "expiry": None}
        for feature in _features(lic):
            lines += 1
            kind, text = _classify_line(feature, today, warn_days)
            if kind:
                found[kind].append(f"{fname}: {text}")
            elif css_lapsed_status != "ignore" and _css_lapsed(feature, today):
                kind = "css_lapsed"
                found["css_lapsed"].append(f"{fname}: {text} (CSS date {as_text(feature.get('css_date'))})")
            if kind in ("expired", "inactive", "css_lapsed") and as_text(feature.get("serial")):
                entry["serials"].append(as_text(feature.get("serial")))
            if kind == "expiring":
                expiry = parse_day(feature.get("expiry"))
                if isinstance(expiry, date) and (entry["expiry"] is None or expiry.isoformat() < entry["expiry"]):
                    entry["expiry"] = expiry.isoformat()
        grown = [k for k, v in found.items() if len(v) > before[k]]
        if grown:
            entry["kinds"] = grown
            entry["serials"] = sorted(set(entry["serials"]))
            entry["errors"] = [e[len(fname) + 2:] if e.startswith(f"{fname}: ") else e for e in
                               found["file_errors"][before["file_errors"]:] + found["binding"][before["binding"]:]]
            by_file[fname] = entry
    evidence = {"files": len(files), "lines": lines, **{k: v for k, v in found.items() if v}}
    if by_file:
        evidence["by_file"] = by_file
    return _licenses_verdict(found, evidence, future_start_status, css_lapsed_status, len(files), lines)


def _collect_file_issues(lic: Mapping[str, Any], fname: str, hostname: Any, found: dict[str, list[str]]) -> None:
    for key, bucket in (("errors", "file_errors"), ("warnings", "file_warnings")):
        items = lic.get(key)
        for item in items if isinstance(items, list) else []:
            if isinstance(item, Mapping):
                code, message = as_text(item.get("code")), as_text(item.get("message"))
            else:
                code, message = "", as_text(item)
            if bucket == "file_warnings" and code in _DATE_CODES:
                continue  # dates are judged here against as_of, not against the parser's clock
            found[bucket].append(f"{fname}: {code + ': ' if code else ''}{message}".rstrip(": "))
    binding = _mapping(lic.get("binding")) or {}
    if (binding.get("kind") == "hostname" and isinstance(hostname, str) and hostname
            and binding.get("value") not in (None, hostname)):
        found["binding"].append(f"{fname}: bound to HOSTNAME={binding.get('value')} but the License Server is "
                                f"{hostname} (case-sensitive); the License Server cannot use it")


def _licenses_verdict(found: dict[str, list[str]], evidence: dict, future_start_status: str,
                      css_lapsed_status: str, files: int, lines: int) -> dict:
    fail_parts: list[str] = []
    warn_parts: list[str] = []
    fixes: list[str] = []
    if found["expired"]:
        fail_parts.append(f"{plural(len(found['expired']), 'expired line')} still installed: "
                          + "; ".join(found["expired"]))
    for kind, status, label in (("inactive", future_start_status, "inactive line (START in the future)"),
                                ("css_lapsed", css_lapsed_status, "line past its CSS date")):
        if found[kind]:
            text = f"{plural(len(found[kind]), label)}: " + "; ".join(found[kind])
            (fail_parts if status == FAIL else warn_parts).append(text)
    if fail_parts or found["inactive"] or found["css_lapsed"]:
        fixes.append(REMEDIATION["licenses_expired"])
    if found["expiring"]:
        warn_parts.append("expiring soon: " + "; ".join(found["expiring"]))
        fixes.append("renew the expiring licenses on the licensing portal and install the new files with the "
                     "ctxlic.license_server.deploy_licenses playbook")
    for kind, label in (("file_errors", "file errors (the License Server may ignore the file)"),
                        ("binding", "binding mismatch"), ("unreadable", "unreadable dates"),
                        ("file_warnings", "file warnings")):
        if found[kind]:
            warn_parts.append(f"{label}: " + "; ".join(found[kind]))
            fixes.append(REMEDIATION["license_file_errors"])
    fix = "; ".join(dict.fromkeys(fixes)) or None
    if fail_parts:
        return _check("licenses_expired", FAIL, " | ".join(fail_parts + warn_parts) + f". Fix: {fix}.", evidence, fix)
    if warn_parts:
        return _check("licenses_expired", WARN, " | ".join(warn_parts) + f". Fix: {fix}.", evidence, fix)
    if not files:
        return _check("licenses_expired", PASS, "No license files installed.", evidence)
    return _check("licenses_expired", PASS, f"{plural(lines, 'license line')} in {plural(files, 'file')}: none "
                  "expired or inactive.", evidence)


def installed_counts(record: Mapping[str, Any], *, as_of: datetime | None = None) -> dict[str, dict[str, int]]:
    """Sum INCREMENT counts per feature (all installed lines, and the active ones), startup license excluded.

    002 counts *installed* licenses, expired ones included (that is how the surplus arises), so
    ``installed`` is the number compared with the purchase; ``active`` is shown next to it.
    """
    totals: dict[str, dict[str, int]] = {}
    today = as_of.date() if as_of else None
    for lic in _license_files(record) or []:
        if _STARTUP_LICENSE.match(as_text(lic.get("name"))):
            continue
        for feature in _features(lic):
            name, count = as_text(feature.get("feature")), as_int(feature.get("count"))
            if not name or count is None or count < 0:
                continue  # uncounted or unreadable lines cannot be compared with a purchase
            entry = totals.setdefault(name, {"installed": 0, "active": 0})
            entry["installed"] += count
            if today is None or _classify_line(feature, today, -1)[0] not in ("expired", "inactive", "unreadable"):
                entry["active"] += count
    return totals


def _check_surplus(record: Mapping[str, Any], *, usable: bool, as_of: datetime, purchased: dict[str, int] | None,
                   basis: str) -> dict:
    if not usable:
        return _check("licenses_surplus", UNKNOWN, "Not evaluated: the host could not be gathered.")
    counts = installed_counts(record, as_of=as_of) if _license_files(record) is not None else None
    licenses = _mapping(record.get("licenses")) or {}
    in_use = _mapping(licenses.get("in_use"))
    evidence: dict[str, Any] = {"installed": counts, "purchased": purchased, "in_use": dict(in_use) if in_use else None,
                                "basis": basis}
    if purchased is None:
        return _check("licenses_surplus", UNKNOWN, "Skipped: no purchased license counts given (set the purchased "
                      "counts, e.g. entitlements_file or purchased: {XDT_PLT_UD: 500}).", evidence)
    if counts is None:
        return _check("licenses_surplus", UNKNOWN, "License files not gathered; re-run the info gather.", evidence)
    over = _surplus({f: c[basis] for f, c in counts.items()}, purchased)
    evidence["surplus"] = over
    if over:
        word = "installed" if basis == "installed" else "active"
        text = "; ".join(f"{o['feature']}: {o['installed']} {word} > {o['purchased']} purchased" for o in over)
        return _check("licenses_surplus", FAIL, f"More licenses installed than purchased ({text}). Fix: "
                      f"{REMEDIATION['licenses_surplus']}.", evidence, REMEDIATION["licenses_surplus"])
    return _check("licenses_surplus", PASS, "Installed license counts are within the purchased counts.", evidence)


def _check_las(check_id: str, record: Mapping[str, Any], *, usable: bool, as_of: datetime,
               rules: _las.Rules) -> dict:
    """``las_capable`` / ``licensing_technology`` / ``las_contact`` (rules and texts in las.py, sources in las.yml)."""
    if not usable:
        return _check(check_id, UNKNOWN, "Not evaluated: the host could not be gathered.")
    judge = {"las_capable": _las.check_capable, "licensing_technology": _las.check_technology,
             "las_contact": _las.check_contact}[check_id]
    status, message, fix, evidence = judge(record, as_of=as_of, rules=rules)
    return _check(check_id, status, message, evidence, fix)


def evaluate_server(
    record: dict,
    *,
    as_of: datetime,
    last_success: Mapping[str, Any] | Sequence[Mapping[str, Any]] | None = None,
    max_upload_age_days: int = MAX_UPLOAD_AGE_DAYS,
    expiry_warning_days: int = 30,
    purchased: dict | None = None,
    upload_warning_days: int = 14,
    upgrade_warning_days: int = 30,
    pending_max_age_days: int = 30,
    min_free_disk_bytes: int = _GIB,
    min_free_disk_ratio: float = 0.05,
    future_start_status: str = FAIL,
    css_lapsed_status: str = "ignore",
    surplus_basis: str = "installed",
    las_rules: _las.Rules | None = None,
) -> dict:
    """Evaluate one gathered License Server record against the vendor rules.

    ``last_success`` is the evidence-history row of the last successful upload (``{"time": ISO or
    unix seconds, ...}``), or a list of such rows (``EvidenceHistory.success_candidates``): it keeps
    "days since last successful upload" right when the latest attempt in ``upload_compliance_result.xml``
    failed. ``purchased`` maps license feature -> purchased count;
    without it ``licenses_surplus`` is ``unknown`` (skipped).

    Choices the seeds leave open:

    * An unreachable host or failed gather counts as *not reporting* even if the history shows a
      recent success: the report must not vouch for what it could not verify. Its status is
      ``unknown``.
    * ``future_start_status`` (``fail``): the brief and 002 treat inactive lines (START in the future)
      as non-compliant; the product docs (004) allow installing them early, so ``warn`` is allowed.
    * ``css_lapsed_status`` (``ignore``): a past CSS date may mean a perpetual license without
      maintenance (002) but is also the order date of non-CSS licenses (004), so it is off by default.
    * License-file errors (e.g. several ``HOSTNAME=`` lines: the LS ignores the file) and binding
      mismatches are ``warn``: they break licensing but are not one of the vendor's reasons (002).
    * ``surplus_basis`` (``installed``): 002 compares licenses *installed* with purchased ones and
      names expired lines installed next to active ones as the usual cause, so every installed
      line counts (start-up license excluded). ``active`` counts only started, unexpired lines.
      Neither basis can see SUPERSEDE_SIGN supersession (the record carries no signatures): a CSS
      renewal installed next to the line it supersedes counts twice under ``installed``.

    Returns ``{host, hostname, status, reporting, usable, checks, facts, as_of}`` where ``status`` is
    ``compliant`` | ``non_compliant`` | ``unknown`` and ``reporting`` means verified telemetry within
    ``max_upload_age_days``.
    """
    if not isinstance(record, Mapping):
        raise InputError(f"record must be the mapping the info gather returns (key 'server'), got "
                         f"{type(record).__name__}.")
    host = record.get("host")
    if not isinstance(host, str) or not host:
        raise InputError("record has no 'host' (the inventory_hostname); pass the 'server' result of the info "
                         "module unchanged.")
    as_of = require_as_of(as_of)
    for name, value in (("max_upload_age_days", max_upload_age_days), ("expiry_warning_days", expiry_warning_days),
                        ("upload_warning_days", upload_warning_days), ("upgrade_warning_days", upgrade_warning_days),
                        ("pending_max_age_days", pending_max_age_days)):
        require_days(name, value)
    require_days("min_free_disk_bytes", min_free_disk_bytes, "bytes")
    if isinstance(min_free_disk_ratio, bool) or not isinstance(min_free_disk_ratio, (int, float)) or not (
            0 <= min_free_disk_ratio < 1):
        raise InputError(f"min_free_disk_ratio must be a fraction between 0 and 1, got {min_free_disk_ratio!r}.")
    require_choice("future_start_status", future_start_status, (FAIL, WARN))
    require_choice("css_lapsed_status", css_lapsed_status, (FAIL, WARN, "ignore"))
    require_choice("surplus_basis", surplus_basis, ("installed", "active"))
    purchased_counts = normalise_purchased(purchased)

    reach, usable = _check_reachable(record)
    checks = [
        reach,
        _check_installed(record, usable=usable),
        _check_telemetry(record, usable=usable, as_of=as_of, last_success=last_success, max_age=max_upload_age_days,
                         warn_days=upload_warning_days),
        _check_upgrade(record, usable=usable, warn_days=upgrade_warning_days),
        _check_reporting_mode(record, usable=usable, as_of=as_of, pending_max_age=pending_max_age_days),
        _check_pending(record, usable=usable, min_free_bytes=min_free_disk_bytes, min_free_ratio=min_free_disk_ratio),
        _check_licenses_expired(record, usable=usable, as_of=as_of, warn_days=expiry_warning_days,
                                future_start_status=future_start_status, css_lapsed_status=css_lapsed_status),
        _check_surplus(record, usable=usable, as_of=as_of, purchased=purchased_counts, basis=surplus_basis),
        *(_check_las(check_id, record, usable=usable, as_of=as_of, rules=las_rules or _las.load_shipped())
          for check_id in ("las_capable", "licensing_technology", "las_contact")),
    ]
    by_id = {c["id"]: c for c in checks}
    reporting = (usable and by_id["reachable"]["status"] == PASS and by_id["ls_installed"]["status"] == PASS
                 and by_id["telemetry_upload"]["status"] in (PASS, WARN))
    return {
        "host": host,
        "hostname": record.get("hostname") if isinstance(record.get("hostname"), str) else None,
        "status": _server_status(checks, usable),
        "reporting": reporting,
        "usable": usable,
        "checks": checks,
        "facts": _facts(record, by_id),
        "as_of": iso_utc(as_of),
    }


def _server_status(checks: list[dict], usable: bool) -> str:
    if not usable:
        return SERVER_UNKNOWN
    statuses = {c["id"]: c["status"] for c in checks}
    if FAIL in statuses.values():
        return NON_COMPLIANT
    if UNKNOWN in (statuses["telemetry_upload"], statuses["upgrade_window"]):
        return SERVER_UNKNOWN
    return COMPLIANT


def _facts(record: Mapping[str, Any], by_id: Mapping[str, dict]) -> dict:
    """The key fields one row of a report shows, flattened."""
    version = _mapping(record.get("version")) or {}
    return flat_facts(version=version.get("text"), window=_mapping(record.get("window")) or {},
                      reporting_mode=record.get("reporting_mode"), telemetry=by_id["telemetry_upload"]["evidence"],
                      pending=by_id["pending_bundles"]["evidence"], licenses=by_id["licenses_expired"]["evidence"],
                      error=record.get("error"))


def flat_facts(*, version: Any, window: Mapping[str, Any], reporting_mode: Any, telemetry: Mapping[str, Any],
               pending: Mapping[str, Any], licenses: Mapping[str, Any], error: Any) -> dict:
    """The flattened facts of one server, from its upgrade window and its checks' evidence: built here when a
    server is judged, and again by the report model from the evidence a schema-2 report keeps."""
    attempt = telemetry.get("last_attempt") or {}
    return {
        "version": version,
        "window_status": window.get("status"),
        "upgrade_deadline": window.get("deadline"),
        "latest_release": window.get("latest"),
        "reporting_mode": reporting_mode,
        "last_attempt_status": attempt.get("status"),
        "last_attempt_time": attempt.get("time"),
        "last_attempt_code": attempt.get("code"),
        "last_attempt_message": attempt.get("message"),
        "last_success_time": telemetry.get("last_success"),
        "last_success_source": telemetry.get("last_success_source"),
        "days_since_success": telemetry.get("days_since_success"),
        "upload_deadline": telemetry.get("deadline"),
        "pending_count": pending.get("count"),
        "pending_bytes": pending.get("bytes"),
        "free_bytes": pending.get("free_bytes"),
        "expired_lines": len(licenses.get("expired") or ()),
        "inactive_lines": len(licenses.get("inactive") or ()),
        "expiring_lines": len(licenses.get("expiring") or ()),
        "error": error,
    }
