"""Compliance evaluation of License Servers and of a fleet (pure: no I/O, no clock reads).

Input is the per-server record the ``info`` gather produces (``.build/INFO_RECORD.md``); output is
plain dicts that the report model (``report_model.py``) and the ``fleet_report`` module consume.

The rules come from the vendor documents in the seeds and are cited by file name:

* ``000`` (Citrix License Telemetry FAQ, CTX477614): the number of days since the last
  *successful* upload must not be greater than 90; the fleet status is ``Compliant`` when every
  allocated License Server (LS) sent telemetry in the last 90 days, ``Partially Compliant`` when
  some did not and ``Non-Compliant`` when none did; upgrade within 6 months of each release.
* ``001`` (Licensing data collection programs): automatic vs manual reporting (License Management
  Service disabled), the ``upload_compliance*.zip`` / ``upload_usage*.zip`` bundles that must be
  uploaded through Citrix Insight Services and then deleted or the disk fills,
  ``upload_compliance_result.xml`` holds the latest attempt (manual or automatic).
* ``002`` (practitioner article): the reasons a customer is flagged: not reporting regularly,
  version too old, expired or inactive licenses still installed, more licenses installed than
  purchased, and obsolete license servers that still hold allocations (return them).
* ``003`` (partner notice): nothing older than 11.17.2 build 40000 after 2023-03-31; manual
  reporting per CTX472950.

The FAQ status is telemetry-only by definition; the other ``002`` reasons are reported next to it
(``other_findings``) and folded into ``action_required``, never into the FAQ status itself.

Choices the seeds do not settle are keyword options with documented defaults (see
``evaluate_server``), and every remediation text points at one table (``REMEDIATION``) so the
names of this collection's playbooks and modules live in one place.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from typing import Any, Iterable, Mapping

from ansible_collections.ctxlic.license_server.plugins.plugin_utils._server import las as _las
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._license.allocations import surplus as _surplus
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._common.errors import InputError

PASS = "pass"  # noqa: S105 - a check status, not a password
WARN = "warn"
FAIL = "fail"
UNKNOWN = "unknown"
CHECK_STATUSES = (PASS, WARN, FAIL, UNKNOWN)

COMPLIANT = "compliant"
NON_COMPLIANT = "non_compliant"
SERVER_UNKNOWN = "unknown"
SERVER_STATUSES = (NON_COMPLIANT, SERVER_UNKNOWN, COMPLIANT)  # most severe first

FLEET_COMPLIANT = "Compliant"
FLEET_PARTIAL = "Partially Compliant"
FLEET_NON_COMPLIANT = "Non-Compliant"
FLEET_UNKNOWN = "Unknown"
FLEET_STATUSES = (FLEET_COMPLIANT, FLEET_PARTIAL, FLEET_NON_COMPLIANT, FLEET_UNKNOWN)

MAX_UPLOAD_AGE_DAYS = 90  # 000 and 001: "must not be greater than 90 days"
MAX_COUNT = 10**12  # a purchased license count above this is a typo or a hostile value, never a purchase

CHECK_IDS = (
    "reachable",
    "ls_installed",
    "telemetry_upload",
    "upgrade_window",
    "reporting_mode",
    "pending_bundles",
    "licenses_expired",
    "licenses_surplus",
    "las_capable",
    "licensing_technology",
    "las_contact",
)

CHECK_TITLES = {
    "reachable": "Host reachable and gathered",
    "ls_installed": "License Server installed",
    "telemetry_upload": "Telemetry upload within 90 days",
    "upgrade_window": "Version within the upgrade window",
    "reporting_mode": "Reporting mode",
    "pending_bundles": "Manual-upload bundles and disk space",
    "licenses_expired": "No expired or inactive licenses installed",
    "licenses_surplus": "Installed licenses within purchased counts",
    "las_capable": "Build can use the License Activation Service",
    "licensing_technology": "Licensing technology (license files / LAS)",
    "las_contact": "LAS endpoint reached within the daily period",
}

#: The vendor documents the rules come from, by title (users have no seed files; docs/sources.md maps
#: each title to its address). Code comments cite the seed file names 000-004.
SOURCE_FAQ = "Citrix License Telemetry FAQ (CTX477614)"  # seed 000
SOURCE_PROGRAMS = "Citrix Licensing data collection programs"  # seed 001
SOURCE_STATUS = "Citrix licensing telemetry and compliance status (practitioner article)"  # seed 002
SOURCE_NOTICE = "Citrix \u2013 Update Required (partner notice)"  # seed 003
SOURCE_MANUAL_UPLOAD = "How to manually upload telemetry data to CIS (CTX472950)"
SOURCE_DOCS = "Citrix Licensing 11.17.2 build 49000 documentation"  # seed 004
#: Title -> address of every document the report cites (docs/sources.md keeps the same table).
SOURCES = (
    {"title": SOURCE_FAQ, "address": "https://support.citrix.com/s/article/CTX477614-citrix-license-telemetry-faq"},
    {"title": SOURCE_PROGRAMS, "address": "https://docs.citrix.com/en-us/licensing/current-release/license-server/"
     "licensing-data-collection-programs.html"},
    {"title": SOURCE_STATUS, "address": "https://dennisspan.com/citrix-licensing-telemetry-and-compliance-status"},
    {"title": SOURCE_NOTICE, "address": "https://www.kraftkennedy.com/citrix-update-required/"},
    {"title": SOURCE_MANUAL_UPLOAD, "address": "https://support.citrix.com/article/CTX472950/"
     "how-to-manually-upload-telemetry-data-to-cis"},
    {"title": SOURCE_DOCS, "address": "https://docs.citrix.com/en-us/licensing/legacy-licensing"},
    {"title": "License Activation Service: Replacing Our End-of-Life File-Based Licensing (CTX695107)",
     "address": "https://support.citrix.com/external/article/695107/license-activation-service-replacing-our.html"},
    {"title": "Citrix Licensing 11.17.2 build 52100, License Activation Service",
     "address": "https://docs.citrix.com/en-us/licensing/11-17-2-52100/license-activation-service"},
)

CHECK_RULES = {
    "reachable": "A server that cannot be verified is counted as not reporting (collection policy).",
    "ls_installed": "A host in the inventory without a License Server cannot report telemetry; install it or return "
    f"its allocations ({SOURCE_STATUS}).",
    "telemetry_upload": f"Days since the last successful upload must not be greater than 90 ({SOURCE_FAQ}; "
    f"{SOURCE_PROGRAMS}).",
    "upgrade_window": "Upgrade within 6 months of each new release; nothing older than 11.17.2 build 40000 "
    f"after 2023-03-31 ({SOURCE_FAQ}; {SOURCE_NOTICE}).",
    "reporting_mode": f"Automatic reporting, or manual uploads through Citrix Insight Services ({SOURCE_PROGRAMS}; "
    f"{SOURCE_MANUAL_UPLOAD}).",
    "pending_bundles": f"Upload the upload_*.zip bundles, then delete them or the disk fills ({SOURCE_PROGRAMS}).",
    "licenses_expired": f"No expired or inactive licenses may stay installed ({SOURCE_STATUS}, reason 4).",
    "licenses_surplus": f"Installed licenses must not exceed purchased licenses ({SOURCE_STATUS}, reason 5).",
    "las_capable": "LAS needs License Server build 51000 or later (online), 53100 or later (offline) (Citrix "
    "Licensing 11.17.2 build 52100, License Activation Service).",
    "licensing_technology": "After 2026-04-15 the License Activation Service is the exclusive way to activate "
    "on-premises products (CTX695107).",
    "las_contact": "LAS needs an online connection for verification and renewal daily; otherwise license caching "
    "mode (Citrix Licensing current release and CVAD, License Activation Service).",
}

#: Where each problem is fixed. One table so the names can follow the collection's playbooks/modules.
REMEDIATION = {
    "reachable": "check connectivity and credentials (ansible.windows.win_ping), then re-run "
    "the ctxlic.license_server.fleet_report playbook",
    "not_installed": "install the License Server with the ctxlic.license_server.site playbook, or remove the host "
    "from the inventory and return its allocations on the licensing portal",
    "upload_automatic": "allow outbound HTTPS to cis.citrix.com:443 or set a proxy with the "
    "ctxlic.license_server.proxy module (ctxlic.license_server.site playbook); the License Server retries every 24 "
    "hours",
    "upload_manual": "upload the upload_compliance*.zip and upload_usage*.zip bundles through Citrix Insight "
    "Services (CTX472950), or re-enable automatic reporting with the ctxlic.license_server.management_service module",
    "upgrade": "upgrade with the ctxlic.license_server.upgrade playbook",
    "reporting_unknown": "re-run the info gather; check ctx_license_management_service.exe -query on the server",
    "bundles": "upload the pending bundles through Citrix Insight Services (CTX472950), then delete them with "
    "the ctxlic.license_server.telemetry_bundle module (cleanup: true) or the ctxlic.license_server.telemetry role",
    "disk": "free disk space on the License Server (pending bundles can be deleted after upload)",
    "licenses_expired": "return the expired/inactive allocations on the licensing portal and remove the files "
    "with the ctxlic.license_server.deploy_licenses playbook (documented stop/rename/start/delete procedure, "
    f"{SOURCE_DOCS}, Delete license files)",
    "license_file_errors": "replace the file with a fresh download from the licensing portal (one file per License "
    "Server host name) using the ctxlic.license_server.deploy_licenses playbook (license files must never be edited)",
    "licenses_surplus": "return surplus allocations on the licensing portal and remove the files with the "
    "ctxlic.license_server.deploy_licenses playbook",
    "obsolete": f"return these allocations on the licensing portal (Manage Licenses > Return allocations, "
    f"{SOURCE_STATUS})",
    "las_upgrade": _las.FIX_UPGRADE.format(online=51000, offline=53100),
    "las_register": _las.FIX_REGISTER,
    "las_input": _las.FIX_INPUT,
    "las_contact": _las.FIX_CONTACT,
    "las_offline": _las.FIX_OFFLINE,
    "catalog": "refresh the release catalog: set ctxlic_telemetry_catalog_url (catalog_url of "
    "ctxlic.license_server.upgrade_window) to the vendor's What's new page or your mirror, then re-run "
    "the ctxlic.license_server.fleet_report playbook",
}

#: The rules a report cites, in the order a reader needs them.
RULES = (
    {
        "id": "telemetry_90_days",
        "text": "To remain compliant, the number of days since the last successful upload must not be greater "
        "than 90 days.",
        "source": f"{SOURCE_FAQ}; {SOURCE_PROGRAMS}",
    },
    {
        "id": "fleet_status",
        "text": "Compliant: telemetry from all allocated license servers in the last 90 days. Partially Compliant: "
        "some allocated license servers do not send telemetry. Non-Compliant: none of them do.",
        "source": SOURCE_FAQ,
    },
    {
        "id": "upgrade_window",
        "text": "Upgrade to each new License Server release within 6 months of its release; 11.17.2 build 40000 "
        "or newer was required by 2023-03-31.",
        "source": f"{SOURCE_FAQ}; {SOURCE_PROGRAMS}; {SOURCE_NOTICE}",
    },
    {
        "id": "reasons",
        "text": "Flagged when: not reporting regularly; version too old; expired or inactive licenses installed; "
        "more licenses installed than purchased; obsolete license servers still holding allocations.",
        "source": SOURCE_STATUS,
    },
    {
        "id": "obsolete_allocations",
        "text": "A host name with allocations on the licensing portal counts as an active license server until the "
        "allocations are returned.",
        "source": SOURCE_STATUS,
    },
    {
        "id": "manual_reporting",
        "text": "With the License Management Service disabled, upload the upload_compliance*.zip and "
        "upload_usage*.zip bundles through Citrix Insight Services, then delete them.",
        "source": f"{SOURCE_PROGRAMS}; {SOURCE_MANUAL_UPLOAD}",
    },
    {
        "id": "las_end_of_file_licensing",
        "text": "Customers using file-based licensing must complete the transition to the License Activation "
        "Service before April 15, 2026; after this date LAS is the exclusive method for activating and licensing "
        "Citrix on-premises components.",
        "source": "License Activation Service: Replacing Our End-of-Life File-Based Licensing (CTX695107), "
        "https://support.citrix.com/external/article/695107/license-activation-service-replacing-our.html",
    },
    {
        "id": "las_builds",
        "text": "License Server build 51000 or higher supports online LAS activation; build 53100 or higher supports "
        "online and offline activation. The License Server supports LAS and license files simultaneously.",
        "source": "Citrix Licensing 11.17.2 build 52100, License Activation Service, "
        "https://docs.citrix.com/en-us/licensing/11-17-2-52100/license-activation-service",
    },
    {
        "id": "las_contact",
        "text": "LAS requires an online connection for license verification and renewal on a daily basis; when the "
        "License Server or LAS is unreachable the system enters license caching mode.",
        "source": "Citrix Licensing current release, License Activation Service, https://docs.citrix.com/en-us/"
        "licensing/current-release/license-activation-service.html; Citrix Virtual Apps and Desktops, License "
        "Activation Service",
    },
    {
        "id": "status_latency",
        "text": "The vendor portal updates the status about 24 hours after a change.",
        "source": SOURCE_FAQ,
    },
)

_STARTUP_LICENSE = re.compile(r"^citrix.*_startup\.lic$", re.IGNORECASE)
_FLEX_DATE = re.compile(r"^(\d{1,2})-([a-z]{3})-(\d{1,4})$", re.IGNORECASE)
_CSS_DATE = re.compile(r"^(\d{4})\.(\d{2})(\d{2})$")
_MONTHS = {m: i for i, m in enumerate(("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov",
                                       "dec"), start=1)}
_PERMANENT = "permanent"
_GIB = 1024**3
# license_parser.py warning codes about dates: judged here against as_of instead of the parser's clock.
_DATE_CODES = frozenset({"expired", "expiring_soon", "not_yet_started", "css_expired"})


class _Unreadable(ValueError):
    """A record value that is present but cannot be read (kept internal: becomes an ``unknown``)."""


# --------------------------------------------------------------------------- small helpers


def _as_utc(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def iso_utc(value: datetime | date | None) -> str | None:
    """Format a time as ``YYYY-MM-DDTHH:MM:SSZ`` (UTC) and a date as ``YYYY-MM-DD``, the record's formats."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return _as_utc(value).replace(microsecond=0).isoformat().replace("+00:00", "Z")  # year 999 -> 0999
    return value.isoformat()


def parse_instant(value: Any) -> datetime | None:
    """Read a point in time (ISO 8601 string, ``datetime``, unix seconds) as aware UTC; ``None`` stays ``None``.

    Records carry ISO strings (INFO_RECORD.md); evidence history rows may carry unix time (``t`` of
    ``CtxUploaderResult``). Raises ``_Unreadable`` for anything else so callers report ``unknown``.
    """
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise _Unreadable(f"not a time: {value!r}")
    if isinstance(value, datetime):
        return _as_utc(value)
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day, tzinfo=UTC)
    if isinstance(value, (int, float)):
        try:
            return datetime.fromtimestamp(value, tz=UTC)
        except (OverflowError, OSError, ValueError) as exc:
            raise _Unreadable(f"not a unix time: {value!r}") from exc
    if isinstance(value, str):
        text = value.strip()
        try:
            return _as_utc(datetime.fromisoformat(text))
        except ValueError as exc:
            raise _Unreadable(f"not an ISO 8601 time: {value!r}") from exc
    raise _Unreadable(f"not a time: {value!r}")


def parse_day(value: Any) -> date | str | None:
    """Read a license date: ISO date/time, FlexLM ``dd-mmm-yyyy``, CSS ``YYYY.MMDD`` or ``permanent``.

    FlexLM also spells "never expires" as ``0`` or a year of 0 (``1-jan-0``); those return ``"permanent"``.
    """
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return _as_utc(value).date()
    if isinstance(value, date):
        return value
    if not isinstance(value, str):
        if isinstance(value, int) and not isinstance(value, bool) and value == 0:
            return _PERMANENT
        raise _Unreadable(f"not a date: {value!r}")
    text = value.strip()
    if text.lower() in (_PERMANENT, "0"):
        return _PERMANENT
    flex = _FLEX_DATE.match(text)
    css = _CSS_DATE.match(text)
    try:
        if flex:
            day, month, year = int(flex.group(1)), _MONTHS.get(flex.group(2).lower()), int(flex.group(3))
            if month is None:
                raise _Unreadable(f"unknown month in {value!r}")
            return _PERMANENT if year == 0 else date(year, month, day)
        if css:
            return date(int(css.group(1)), int(css.group(2)), int(css.group(3)))
        if "T" in text or " " in text:
            return _as_utc(datetime.fromisoformat(text)).date()
        return date.fromisoformat(text)
    except ValueError as exc:
        raise _Unreadable(f"not a date: {value!r}") from exc


def _mapping(value: Any) -> Mapping[str, Any] | None:
    return value if isinstance(value, Mapping) else None


def _int(value: Any) -> int | None:
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


def _text(value: Any) -> str:
    return "" if value is None else str(value)


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


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


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


# --------------------------------------------------------------------------- per-server checks


def _check_reachable(record: Mapping[str, Any]) -> tuple[dict, bool]:
    """Return the check and whether the rest of the record can be trusted."""
    error = _text(record.get("error")) or None
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
    except _Unreadable as exc:
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
        except _Unreadable as exc:
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
    evidence = {
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
        evidence["attested"] = {"recorded_by": _text(success_row.get("recorded_by")) or None,
                                "recorded_at": _text(success_row.get("recorded_at")) or None,
                                "note": _text(success_row.get("note")) or None}
    future_text = "; ".join(
        f"{source} success dated {iso_utc(when)}, {_plural((when.date() - as_of.date()).days, 'day')} after the "
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
    if success_time is None:
        if future:
            message = (f"No credited successful upload: the only {_plural(len(future), 'success')} on record "
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
    since = (f"Last successful upload {_plural(days, 'day')} ago ({iso_utc(success_time)}, {success_source}"
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
        message = _text(attempt.get("message")).strip().rstrip(".")
        detail = " ".join(p for p in (_text(attempt.get("code")), message) if p)
        text += f": {detail}" if detail else ""
    return text


def _hint(attempt: Mapping[str, Any]) -> str:
    hint = _text(attempt.get("hint")).strip().rstrip(".")  # hints end with a full stop; never "hours.. Fix"
    return f"Hint: {hint}. " if hint else ""


def _check_upgrade(record: Mapping[str, Any], *, usable: bool, warn_days: int) -> dict:
    window = _mapping(record.get("window")) or {}
    version = _mapping(record.get("version"))
    status = window.get("status")
    evidence = {"version": version.get("text") if version else None, "window": dict(window) or None}
    latest = window.get("latest") or "the newest release"
    # The deadline belongs to the oldest unmet release (required_release), not to the latest one.
    required_row = _mapping(window.get("required_release")) or {}
    required = _text(required_row.get("version")) or latest
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
        days_left = _int(window.get("days_left"))
        if status == "due_soon" or window.get("due_soon") is True or (days_left is not None and days_left <= warn_days):
            left = f" ({_plural(days_left, 'day')} left)" if days_left is not None else ""
            return _check("upgrade_window", WARN, f"Upgrade due by {deadline}{left}: {required} must be installed "
                          f"within six months of its release (latest known: {latest}); {fix}.", evidence, fix)
        return _check("upgrade_window", PASS, f"Runs {evidence['version']}; {required} must be installed by {deadline} "
                      f"(latest known: {latest}).", evidence, None)
    if status == "overdue":
        over = _int(window.get("days_overdue"))
        late = f" {_plural(over, 'day')} past" if over is not None else " past"
        return _check("upgrade_window", FAIL, f"Upgrade overdue:{late} the six-month deadline {deadline} for "
                      f"{required} (version too old: {SOURCE_STATUS}, reason 3; latest known: {latest}); {fix}.",
                      evidence, fix)
    if status == "below_floor":
        return _check("upgrade_window", FAIL, f"Runs {evidence['version']}, older than 11.17.2 build 40000 (required "
                      f"since 2023-03-31, {SOURCE_NOTICE}); {fix}.", evidence, fix)
    reason = f"window status {status!r}" if status and status != "unknown" else "no upgrade-window result"
    if window.get("message"):
        reason = _text(window["message"]) if status == "unknown" else f"{reason}: {_text(window['message'])}"
    if window.get("unknown_reason") == "no_build":
        return _check("upgrade_window", UNKNOWN, f"Upgrade window unknown: {reason} Re-run the info gather.",
                      evidence, None)
    return _check("upgrade_window", UNKNOWN, f"Upgrade window unknown: {reason.rstrip('.')}. Fix: "
                  f"{REMEDIATION['catalog']}.", evidence, REMEDIATION["catalog"])


def _pending(record: Mapping[str, Any]) -> dict:
    pending = _mapping(record.get("pending_uploads")) or {}
    info = {"count": _int(pending.get("count")), "bytes": _int(pending.get("bytes")), "oldest": None, "newest": None,
            "files": len(pending["files"]) if isinstance(pending.get("files"), list) else None, "notes": []}
    for key in ("oldest", "newest"):
        try:
            info[key] = parse_instant(pending.get(key))
        except _Unreadable as exc:
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
    free, total = _int(disk.get("free_bytes")), _int(disk.get("total_bytes"))
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
        problems.append(f"{_plural(count, 'bundle')} ({_human_bytes(pending['bytes'])}) waiting for manual upload")
        fixes.append(REMEDIATION["bundles"])
    if problems:
        fix = "; ".join(dict.fromkeys(fixes))
        text = "; ".join(problems)
        return _check("pending_bundles", WARN, f"{text[:1].upper()}{text[1:]}. Fix: {fix}.", evidence, fix)
    if not pending["known"] and free is None:
        return _check("pending_bundles", UNKNOWN, "Pending bundles and disk space not gathered; re-run the info "
                      "gather.", evidence)
    if count:
        return _check("pending_bundles", PASS, f"{_plural(count, 'bundle')} left from manual reporting "
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
    name = _text(feature.get("feature")) or "?"
    try:
        expiry = parse_day(feature.get("expiry"))
        start = parse_day(feature.get("start"))
    except _Unreadable as exc:
        return "unreadable", f"{name}: {exc}"
    if isinstance(expiry, date) and expiry < today:
        return "expired", f"{name} expired {expiry.isoformat()}"
    if isinstance(start, date) and start > today:
        return "inactive", f"{name} starts {start.isoformat()} (inactive until then)"
    if isinstance(expiry, date) and (expiry - today).days <= warn_days:
        return "expiring", f"{name} expires {expiry.isoformat()} ({_plural((expiry - today).days, 'day')} left)"
    return None, name


def _css_lapsed(feature: Mapping[str, Any], today: date) -> bool:
    try:
        css = parse_day(feature.get("css_date"))
    except _Unreadable:
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
        fname = _text(lic.get("name")) or "?"
        before = {k: len(v) for k, v in found.items()}
        _collect_file_issues(lic, fname, hostname, found)
        entry = {"kinds": [], "serials": [], "errors": [], "expiry": None}
        for feature in _features(lic):
            lines += 1
            kind, text = _classify_line(feature, today, warn_days)
            if kind:
                found[kind].append(f"{fname}: {text}")
            elif css_lapsed_status != "ignore" and _css_lapsed(feature, today):
                kind = "css_lapsed"
                found["css_lapsed"].append(f"{fname}: {text} (CSS date {_text(feature.get('css_date'))})")
            if kind in ("expired", "inactive", "css_lapsed") and _text(feature.get("serial")):
                entry["serials"].append(_text(feature.get("serial")))
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
                code, message = _text(item.get("code")), _text(item.get("message"))
            else:
                code, message = "", _text(item)
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
    fail_parts, warn_parts, fixes = [], [], []
    if found["expired"]:
        fail_parts.append(f"{_plural(len(found['expired']), 'expired line')} still installed: "
                          + "; ".join(found["expired"]))
    for kind, status, label in (("inactive", future_start_status, "inactive line (START in the future)"),
                                ("css_lapsed", css_lapsed_status, "line past its CSS date")):
        if found[kind]:
            text = f"{_plural(len(found[kind]), label)}: " + "; ".join(found[kind])
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
    return _check("licenses_expired", PASS, f"{_plural(lines, 'license line')} in {_plural(files, 'file')}: none "
                  "expired or inactive.", evidence)


def installed_counts(record: Mapping[str, Any], *, as_of: datetime | None = None) -> dict[str, dict[str, int]]:
    """Sum INCREMENT counts per feature (all installed lines, and the active ones), startup license excluded.

    002 counts *installed* licenses, expired ones included (that is how the surplus arises), so
    ``installed`` is the number compared with the purchase; ``active`` is shown next to it.
    """
    totals: dict[str, dict[str, int]] = {}
    today = as_of.date() if as_of else None
    for lic in _license_files(record) or []:
        if _STARTUP_LICENSE.match(_text(lic.get("name"))):
            continue
        for feature in _features(lic):
            name, count = _text(feature.get("feature")), _int(feature.get("count"))
            if not name or count is None or count < 0:
                continue  # uncounted or unreadable lines cannot be compared with a purchase
            entry = totals.setdefault(name, {"installed": 0, "active": 0})
            entry["installed"] += count
            if today is None or _classify_line(feature, today, -1)[0] not in ("expired", "inactive", "unreadable"):
                entry["active"] += count
    return totals


def _normalise_purchased(purchased: Any) -> dict[str, int] | None:
    if purchased is None:
        return None
    if not isinstance(purchased, Mapping):
        raise InputError(f"purchased must be a mapping of license feature to purchased count (e.g. "
                         f"{{'XDT_PLT_UD': 500}}), got {type(purchased).__name__}.")
    result: dict[str, int] = {}
    for feature, count in purchased.items():
        value = _int(count)
        if not isinstance(feature, str) or not feature or value is None or not 0 <= value <= MAX_COUNT:
            huge = isinstance(count, int) and count.bit_length() > 64
            shown = "a number far too large" if huge else repr(count)[:80]
            raise InputError(f"purchased[{str(feature)[:80]!r}] = {shown}: give a feature name and a non-negative "
                             f"whole number count no larger than {MAX_COUNT}.")
        result[feature] = value
    return result


def _check_surplus(record: Mapping[str, Any], *, usable: bool, as_of: datetime, purchased: dict[str, int] | None,
                   basis: str) -> dict:
    if not usable:
        return _check("licenses_surplus", UNKNOWN, "Not evaluated: the host could not be gathered.")
    counts = installed_counts(record, as_of=as_of) if _license_files(record) is not None else None
    licenses = _mapping(record.get("licenses")) or {}
    in_use = _mapping(licenses.get("in_use"))
    evidence = {"installed": counts, "purchased": purchased, "in_use": dict(in_use) if in_use else None,
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


# --------------------------------------------------------------------------- public: one server


def _require_as_of(as_of: Any) -> datetime:
    if not isinstance(as_of, datetime):
        raise InputError(f"as_of must be a datetime (the evaluation time), got {type(as_of).__name__}; pass the "
                         "controller's current UTC time.")
    return _as_utc(as_of)


def _require_days(name: str, value: Any, unit: str = "days") -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise InputError(f"{name} must be a non-negative whole number of {unit}, got {value!r}.")
    return value


def _require_choice(name: str, value: Any, choices: Iterable[str]) -> str:
    choices = tuple(choices)
    if value not in choices:
        raise InputError(f"{name} must be one of {', '.join(choices)}, got {value!r}.")
    return value


def evaluate_server(
    record: dict,
    *,
    as_of: datetime,
    last_success: dict | None = None,
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
    unix seconds, ...}``): it keeps "days since last successful upload" right when the latest attempt
    in ``upload_compliance_result.xml`` failed. ``purchased`` maps license feature -> purchased count;
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
    as_of = _require_as_of(as_of)
    for name, value in (("max_upload_age_days", max_upload_age_days), ("expiry_warning_days", expiry_warning_days),
                        ("upload_warning_days", upload_warning_days), ("upgrade_warning_days", upgrade_warning_days),
                        ("pending_max_age_days", pending_max_age_days)):
        _require_days(name, value)
    _require_days("min_free_disk_bytes", min_free_disk_bytes, "bytes")
    if isinstance(min_free_disk_ratio, bool) or not isinstance(min_free_disk_ratio, (int, float)) or not (
            0 <= min_free_disk_ratio < 1):
        raise InputError(f"min_free_disk_ratio must be a fraction between 0 and 1, got {min_free_disk_ratio!r}.")
    _require_choice("future_start_status", future_start_status, (FAIL, WARN))
    _require_choice("css_lapsed_status", css_lapsed_status, (FAIL, WARN, "ignore"))
    _require_choice("surplus_basis", surplus_basis, ("installed", "active"))
    purchased_counts = _normalise_purchased(purchased)

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
    telemetry = by_id["telemetry_upload"]["evidence"]
    attempt = telemetry.get("last_attempt") or {}
    window = _mapping(record.get("window")) or {}
    version = _mapping(record.get("version")) or {}
    pending = by_id["pending_bundles"]["evidence"]
    lic = by_id["licenses_expired"]["evidence"]
    return {
        "version": version.get("text"),
        "window_status": window.get("status"),
        "upgrade_deadline": window.get("deadline"),
        "latest_release": window.get("latest"),
        "reporting_mode": record.get("reporting_mode"),
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
        "expired_lines": len(lic.get("expired", [])),
        "inactive_lines": len(lic.get("inactive", [])),
        "expiring_lines": len(lic.get("expiring", [])),
        "error": record.get("error"),
    }


# --------------------------------------------------------------------------- public: the fleet


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
    except _Unreadable:
        fetched = None
    fetched_age = (as_of.date() - fetched.date()).days if fetched and as_of else None
    source = catalog.get("source") or catalog.get("origin")
    # The limit the verdict was made with (upgrade_window returns its catalog_max_age_days) is the one
    # the report shows, so the number and the text agree.
    own_limit = _int(catalog.get("max_age_days"))
    if own_limit is not None and own_limit >= 0:
        max_age_days = own_limit
    if isinstance(catalog.get("stale"), bool):
        stale = catalog["stale"]
        age = _int(catalog.get("age_days"))
        given = catalog.get("message") or catalog.get("stale_message")  # upgrade_window says stale_message
        message = _text(given) or _catalog_message(stale, newest, newest_date, fetched, age, max_age_days)
        if stale and "STALE" not in message:
            message = "STALE release catalog: " + message
    else:
        # Known complete through the later of the newest release and the last fetch (release_catalog).
        try:
            newest_day = parse_day(newest_date) if newest_date else None
        except _Unreadable:
            newest_day = None
        newest_day = newest_day if isinstance(newest_day, date) else None
        days = [d for d in (newest_day, fetched.date() if fetched else None) if d is not None]
        through = max(days) if days else None
        age = (as_of.date() - through).days if through and as_of else fetched_age
        stale = through is None or (age is not None and age > max_age_days)
        message = _catalog_message(stale, newest, newest_date, fetched, age, max_age_days)
    return {"available": True, "newest_release": newest, "newest_release_date": newest_date,
            "fetched_at": iso_utc(fetched), "age_days": age, "stale": stale, "source": _text(source) or None,
            "max_age_days": max_age_days, "complete_through": _text(catalog.get("complete_through")) or None,
            "message": message}


def _catalog_message(stale: bool, newest: str | None, newest_date: str | None, fetched: datetime | None,
                     age: int | None, max_age: int | None) -> str:
    release = f"newest release {newest}" + (f" ({newest_date})" if newest_date else "") if newest else \
        "no releases listed"
    if not stale:
        when = f"fetched {iso_utc(fetched)}" if fetched else "never refreshed"
        return f"Release catalog {when}; {release}; complete enough to exclude a newer release."
    when = f"last refreshed {iso_utc(fetched)}" if fetched else "never refreshed"
    old = f", knowledge {_plural(age, 'day')} old, limit {max_age}" if age is not None and max_age is not None else ""
    return (f"STALE release catalog ({when}{old}; {release}): it cannot exclude a newer License Server release, so "
            f"servers on the newest known build are reported as unknown, not current. "
            f"{REMEDIATION['catalog'].capitalize()}.")


def _release_fields(value: Any) -> tuple[str | None, str | None]:
    if isinstance(value, Mapping):
        text = value.get("text") or value.get("version") or value.get("name")
        when = value.get("released") or value.get("date") or value.get("release_date")
        return (_text(text) or None), (_text(when) or None)
    return (_text(value) or None), None


def _newest_release(catalog: Mapping[str, Any]) -> tuple[str | None, str | None]:
    newest, when = _release_fields(catalog.get("newest_release") or catalog.get("newest") or catalog.get("latest"))
    when = when or _text(catalog.get("newest_release_date") or catalog.get("newest_date")) or None
    releases = catalog.get("releases")
    if newest is None and isinstance(releases, list):
        # Catalog.to_dict() lists releases sorted by version: the last one is the newest.
        rows = [_release_fields(r) for r in releases]
        rows = [r for r in rows if r[0]]
        if rows:
            newest, when = rows[-1]
    return newest, when


def _identity(result: Mapping[str, Any]) -> str:
    """The allocation key of a server: the LS host name (allocations are per host name, 002), else the host."""
    hostname = result.get("hostname")
    return (hostname if isinstance(hostname, str) and hostname else _text(result.get("host"))).casefold()


def _normalise_obsolete(obsolete: Any, known: set[str]) -> tuple[list[dict], list[str]]:
    """Accept host names or ``allocations.obsolete_allocations()`` rows; drop those that are inventory servers."""
    rows: dict[str, dict] = {}
    notes: list[str] = []
    if isinstance(obsolete, (str, bytes, Mapping)) or not isinstance(obsolete, Iterable):
        raise InputError("obsolete_allocations must be a list of host names or of allocations.obsolete_allocations() "
                         f"rows ({{host, products, quantity_total, ...}}), got {type(obsolete).__name__}.")
    for item in obsolete:
        extra = dict(item) if isinstance(item, Mapping) else {}
        name = extra.get("host", extra.get("hostname")) if extra else item
        if not isinstance(name, str) or not name.strip():
            raise InputError(f"obsolete_allocations entry {item!r} has no host name; give the host name the licensing "
                             "portal shows for the allocation.")
        name = name.strip()
        if extra.get("case_mismatch") or extra.get("inventory_host") or name.casefold() in known:
            target = _text(extra.get("inventory_host")) or name
            if extra.get("case_mismatch") or (extra.get("inventory_host") and target != name):
                notes.append(f"Portal host ID {name} matches License Server {target} only when letter case is "
                             f"ignored: license files are bound to the host name case-sensitively (Citrix Licensing "
                             f"11.17.2 build 49000 documentation, License files), so files allocated to {name} will "
                             f"not work on {target}. Re-allocate them to the exact name {target} on the licensing "
                             "portal.")
            else:
                notes.append(f"Portal allocation host {name} matches inventory server {target} (not obsolete).")
            continue
        row = rows.setdefault(name.casefold(), {"host": name, "products": [], "quantity_total": 0})
        products = extra.get("products")
        if isinstance(products, (list, tuple)):
            row["products"] = sorted({*row["products"], *(_text(p) for p in products)})
        total = extra.get("quantity_total", 0) if extra else 0
        if total is None or row["quantity_total"] is None:
            row["quantity_total"] = None  # UNKNOWN: a quantity in the export could not be read
            row["quantity_unknown"] = True
        else:
            row["quantity_total"] += max(_int(total) or 0, 0)
    result = []
    for row in sorted(rows.values(), key=lambda r: (r["host"].casefold(), r["host"])):
        unknown = (" The quantity is UNKNOWN: a quantity cell of the allocation export could not be read (see the "
                   "input rows).") if row.get("quantity_unknown") else ""
        row["message"] = (f"Obsolete license server — return these allocations: {row['host']} holds allocations on "
                          "the licensing portal but is not in the inventory, so it counts as an allocated license "
                          f"server that does not report ({SOURCE_STATUS}).{unknown} Fix: {REMEDIATION['obsolete']}.")
        result.append(row)
    return result, notes


def _fleet_status(allocated: int, reporting: int) -> tuple[str, str]:
    if allocated == 0:
        return FLEET_UNKNOWN, ("No license servers: the inventory is empty and no allocations were given, so the "
                               "FAQ status cannot be stated.")
    if reporting == allocated:
        return FLEET_COMPLIANT, (f"All {allocated} allocated license servers sent telemetry in the last 90 days "
                                 "(Citrix License Telemetry FAQ).")
    if reporting == 0:
        return FLEET_NON_COMPLIANT, f"None of the {allocated} allocated license servers sent telemetry in the last 90 "\
            "days (Citrix License Telemetry FAQ)."
    return FLEET_PARTIAL, (f"{allocated - reporting} of {allocated} allocated license servers did not send telemetry "
                           "in the last 90 days (Citrix License Telemetry FAQ).")


def _finding(fid: str, severity: str, reason: str, title: str, hosts: list[str], fix: str | None) -> dict:
    return {"id": fid, "severity": severity, "reason": reason, "title": title, "hosts": hosts,
            "message": f"{title}: {', '.join(hosts)}." + (f" Fix: {fix}." if fix else "")}


_FINDINGS = (
    # check id, status, finding id, reason (002), title, remediation key
    ("upgrade_window", FAIL, "upgrade_overdue", f"{SOURCE_STATUS}, reason 3: version too old", "Upgrade overdue",
     "upgrade"),
    ("upgrade_window", WARN, "upgrade_due_soon", f"{SOURCE_FAQ}: upgrade within 6 months", "Upgrade due soon",
     "upgrade"),
    ("licenses_expired", FAIL, "licenses_expired", f"{SOURCE_STATUS}, reason 4: expired or inactive licenses "
     "installed", "Expired or inactive licenses installed", "licenses_expired"),
    ("licenses_expired", WARN, "license_attention", f"{SOURCE_STATUS}, reason 4 (upcoming) / license file problems",
     "License files needing attention", "licenses_expired"),
    ("licenses_surplus", FAIL, "licenses_surplus", f"{SOURCE_STATUS}, reason 5: more licenses installed than "
     "purchased", "More licenses installed than purchased", "licenses_surplus"),
    ("reporting_mode", WARN, "manual_bundles_stale", f"{SOURCE_PROGRAMS}: manual reporting",
     "Manual-mode bundles waiting too long", "bundles"),
    ("pending_bundles", WARN, "pending_bundles", f"{SOURCE_PROGRAMS}: upload then delete bundles",
     "Bundles or disk space", "bundles"),
    ("las_capable", FAIL, "las_incapable", "CTX695107: file-based licensing ended 2026-04-15",
     "Build cannot use the License Activation Service", "las_upgrade"),
    ("las_capable", WARN, "las_incapable_soon", "CTX695107: file-based licensing ends 2026-04-15",
     "Build cannot use the License Activation Service (upgrade before 2026-04-15)", "las_upgrade"),
    ("licensing_technology", FAIL, "file_licensing_only", "CTX695107: LAS is the exclusive activation method",
     "Licensed only by license files after the end of file-based licensing", "las_register"),
    ("licensing_technology", WARN, "file_licensing_left", "CTX695107: file-based licensing ends 2026-04-15",
     "License files still in use, or nothing licensed", "las_register"),
    ("licensing_technology", UNKNOWN, "licensing_unknown", "evidence missing: LAS state not given",
     "Licensing technology unknown (set ctxlic_las)", "las_input"),
    ("las_contact", FAIL, "las_caching_mode", "LAS: daily connection, else license caching mode",
     "LAS endpoint not reached within the daily period (caching mode)", "las_contact"),
    ("las_contact", UNKNOWN, "las_contact_unknown", "evidence missing: last LAS contact not given",
     "LAS contact unknown", "las_input"),
    ("reachable", FAIL, "not_verified", "not verifiable", "Servers not gathered", "reachable"),
    ("ls_installed", FAIL, "not_installed", "no License Server: cannot report telemetry",
     "Hosts without a License Server", "not_installed"),
)


def evaluate_fleet(
    server_results: list[dict],
    *,
    obsolete_allocations: Iterable[Any] = (),
    catalog: dict | None = None,
    purchased: dict | None = None,
    as_of: datetime | None = None,
    catalog_max_age_days: int = 30,
) -> dict:
    """Fleet status per the FAQ (000) plus the other reasons of 002, from ``evaluate_server`` results.

    Allocated license servers = distinct LS host names in the inventory (servers sharing a host
    name, e.g. a DR pair, are one allocation and report if either does) + obsolete allocations
    (host names holding allocations on the portal but absent from the inventory; they never report).
    Status: all allocated report -> ``Compliant``; some -> ``Partially Compliant``; none ->
    ``Non-Compliant``; nothing allocated at all -> ``Unknown`` ("no license servers": the FAQ has no
    status for an empty estate and claiming either would be wrong).

    ``purchased`` (feature -> count) adds a fleet-wide "installed > purchased" finding (installed
    counts are summed over the inventory, from each result's ``licenses_surplus`` evidence).
    ``action_required`` is true when the FAQ status is not ``Compliant`` or anything failed;
    ``attention_required`` also covers warnings and a stale catalog.
    """
    if isinstance(server_results, (str, bytes, Mapping)) or not isinstance(server_results, Iterable):
        raise InputError("server_results must be a list of evaluate_server() results.")
    results = list(server_results)
    for item in results:
        if not isinstance(item, Mapping) or not isinstance(item.get("checks"), list) or "host" not in item:
            raise InputError(f"server_results entry {_text(item)[:80]!r} is not an evaluate_server() result.")
    as_of = _require_as_of(as_of) if as_of is not None else None
    _require_days("catalog_max_age_days", catalog_max_age_days)
    purchased_counts = _normalise_purchased(purchased)

    identities: dict[str, list[Mapping[str, Any]]] = {}
    for item in results:
        identities.setdefault(_identity(item), []).append(item)
    known = set(identities) | {_text(r.get("host")).casefold() for r in results}
    obsolete, notes = _normalise_obsolete(obsolete_allocations, known)

    reporting_ids = sorted(k for k, members in identities.items() if any(m.get("reporting") for m in members))
    allocated = len(identities) + len(obsolete)
    status, status_reason = _fleet_status(allocated, len(reporting_ids))
    not_reporting = [{"host": r["host"], "reason": _not_reporting_reason(r)}
                     for r in sorted(results, key=_host_key) if not r.get("reporting")]
    not_reporting += [{"host": o["host"], "reason": "obsolete license server — return these allocations"}
                      for o in obsolete]

    findings = _other_findings(results)
    fleet_surplus = _fleet_surplus(results, purchased_counts)
    if fleet_surplus:
        findings.append(fleet_surplus)
    notice = catalog_notice(catalog, as_of=as_of, max_age_days=catalog_max_age_days)
    if notice["stale"]:
        findings.append({"id": "catalog_stale", "severity": WARN, "reason": "evidence quality",
                         "title": "Release catalog stale or missing", "hosts": [], "message": notice["message"]})
    counts = _fleet_counts(results, obsolete, allocated, len(reporting_ids))
    action = status != FLEET_COMPLIANT or any(f["severity"] == FAIL for f in findings) or any(
        r.get("status") != COMPLIANT for r in results)
    return {
        "status": status,
        "status_reason": status_reason,
        "action_required": action,
        "attention_required": action or bool(findings),
        "counts": counts,
        "not_reporting": not_reporting,
        "obsolete_allocations": obsolete,
        "other_findings": findings,
        "catalog": notice,
        "notes": notes,
        "as_of": iso_utc(as_of),
    }


def _host_key(result: Mapping[str, Any]) -> tuple[str, str]:
    host = _text(result.get("host"))
    return host.casefold(), host


def _check_of(result: Mapping[str, Any], check_id: str) -> Mapping[str, Any]:
    for check in result.get("checks", []):
        if isinstance(check, Mapping) and check.get("id") == check_id:
            return check
    return {}


def _not_reporting_reason(result: Mapping[str, Any]) -> str:
    for check_id in ("reachable", "ls_installed"):
        if _check_of(result, check_id).get("status") == FAIL:
            return _text(_check_of(result, check_id).get("message"))
    return _text(_check_of(result, "telemetry_upload").get("message")) or "no verified upload within 90 days"


def _other_findings(results: list[Mapping[str, Any]]) -> list[dict]:
    findings = []
    for check_id, status, fid, reason, title, fix in _FINDINGS:
        hosts = [r["host"] for r in sorted(results, key=_host_key) if _check_of(r, check_id).get("status") == status
                 and (status != UNKNOWN or r.get("usable", True))]  # unreachable hosts: see not_verified
        if hosts:
            # The fix the hosts' own checks give (a several-HOSTNAME= file is replaced, not returned: issue 15
            # item 5); the table's default only where a check gives none.
            own = [str(_check_of(r, check_id).get("remediation")) for r in results if r["host"] in hosts
                   and _check_of(r, check_id).get("remediation")]
            fix_text = "; ".join(dict.fromkeys(own)) if own else REMEDIATION[fix]
            findings.append(_finding(fid, status, reason, title, hosts, fix_text))
    return findings


def _fleet_surplus(results: list[Mapping[str, Any]], purchased: dict[str, int] | None) -> dict | None:
    if purchased is None:
        return None
    totals: dict[str, int] = {}
    seen: set[str] = set()
    for result in results:
        ident = _identity(result)
        installed = (_check_of(result, "licenses_surplus").get("evidence") or {}).get("installed")
        if ident in seen or not isinstance(installed, Mapping):
            continue  # a DR pair carries the same files: count one allocation once
        seen.add(ident)
        for feature, counts in installed.items():
            value = _int(counts.get("installed")) if isinstance(counts, Mapping) else None
            totals[str(feature)] = totals.get(str(feature), 0) + max(value or 0, 0)
    over = _surplus(totals, purchased)
    if not over:
        return None
    text = "; ".join(f"{o['feature']}: {o['installed']} installed across the fleet > {o['purchased']} purchased"
                     for o in over)
    return {"id": "fleet_surplus", "severity": FAIL,
            "reason": f"{SOURCE_STATUS}, reason 5: more licenses installed than purchased",
            "title": "Fleet-wide surplus", "hosts": [], "features": over,
            "message": f"Fleet-wide surplus: {text}. Fix: {REMEDIATION['licenses_surplus']}."}


def _fleet_counts(results: list[Mapping[str, Any]], obsolete: list[dict], allocated: int, reporting: int) -> dict:
    def with_status(check_id: str, *statuses: str) -> int:
        return sum(1 for r in results if _check_of(r, check_id).get("status") in statuses)

    return {
        "servers": len(results),
        "allocated": allocated,
        "reporting": reporting,
        "not_reporting": allocated - reporting,
        "obsolete_allocations": len(obsolete),
        "compliant": sum(1 for r in results if r.get("status") == COMPLIANT),
        "non_compliant": sum(1 for r in results if r.get("status") == NON_COMPLIANT),
        "unknown": sum(1 for r in results if r.get("status") == SERVER_UNKNOWN),
        "unreachable": sum(1 for r in results if not r.get("usable", True)),
        "telemetry_failing": with_status("telemetry_upload", FAIL),
        "overdue_upgrade": with_status("upgrade_window", FAIL),
        "upgrade_due_soon": with_status("upgrade_window", WARN),
        "expired_licenses": with_status("licenses_expired", FAIL),
        "license_warnings": with_status("licenses_expired", WARN),
        "surplus_licenses": with_status("licenses_surplus", FAIL),
        "manual_mode": sum(1 for r in results if (r.get("facts") or {}).get("reporting_mode") == "manual"),
        "pending_bundles": sum(1 for r in results if ((r.get("facts") or {}).get("pending_count") or 0) > 0),
        **{f"licensing_{tech}": sum(1 for r in results if (_check_of(r, "licensing_technology").get("evidence") or {})
                                    .get("technology", _las.UNKNOWN) == tech) for tech in _las.TECHNOLOGIES},
        "las_incapable": with_status("las_capable", FAIL, WARN),
        "las_caching_mode": with_status("las_contact", FAIL),
    }
