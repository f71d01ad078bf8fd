# Copyright: (c) 2026, ctxlic maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# Internal use only: this module is private to ctxlic.license_server and may change at any time.
"""The overall verdict and the to-do lists of the fleet report (pure: no I/O, no clock reads).

Issue 15 items 4 and 10. The FAQ's fleet telemetry status (Citrix License Telemetry FAQ, CTX477614)
counts telemetry only, so a fleet whose every server is overdue for an upgrade is "Compliant" by
the FAQ. A licensing owner reads the first line of a report: that line must agree with the servers.
:func:`verdict` states it from the per-server results (and what the FAQ status, obsolete allocations
and fleet-wide findings add); it is never green while a server is non-compliant or unknown.

:func:`server_todo` turns one server's checks into the ordered actions that make it compliant, taken
from each check's evidence (release and deadline, pending bundles and upload deadline, license files
and their serial numbers, surplus features); a check this module does not know (for example the
License Activation Service checks) contributes its own remediation text. :func:`fleet_week` lists
what is due within a week across the fleet, ordered by deadline.

Input is the report model's server rows (``report_model._server_row``): ``{host, status, usable,
checks: [{id, status, message, evidence, remediation}], facts}``.
"""

from __future__ import annotations

from datetime import date, timedelta
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

FAIL, WARN, UNKNOWN, PASS = "fail", "warn", "unknown", "pass"
_SEVERITY_ORDER = {FAIL: 0, WARN: 1, UNKNOWN: 2}
WEEK_DAYS = 7

#: The playbooks a to-do names, by FQCN (a user runs the installed collection, not a checkout).
PLAYBOOK_UPGRADE = "the ctxlic.license_server.upgrade playbook"
PLAYBOOK_LICENSES = "the ctxlic.license_server.deploy_licenses playbook"
PLAYBOOK_SITE = "the ctxlic.license_server.site playbook"

_CHECK_ORDER = ("reachable", "ls_installed", "upgrade_window", "telemetry_upload", "pending_bundles",
                "reporting_mode", "licenses_expired", "licenses_surplus")


def _severity_rank(severity: object) -> int:
    """Where a severity sorts: FAIL, WARN, UNKNOWN, then anything else (a missing or unknown one)."""
    return _SEVERITY_ORDER.get(severity, 3) if isinstance(severity, str) else 3


# --------------------------------------------------------------------------- small helpers


def day_of(value: Any) -> date | None:
    """A ``YYYY-MM-DD`` (or ISO time) text as a date; anything else is None."""
    if isinstance(value, date):
        return value
    if not isinstance(value, str) or len(value) < 10:
        return None
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        return None


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def _sentence(text: Any) -> str:
    text = "" if text is None else str(text).strip().rstrip(".")
    return text[:1].upper() + text[1:]


def _action(check: Mapping[str, Any], text: str, deadline: date | None, severity: str | None = None) -> dict:
    return {"check": check.get("id"), "severity": severity or check.get("status", UNKNOWN),
            "action": _sentence(text) + ".", "deadline": deadline.isoformat() if deadline else None}


# --------------------------------------------------------------------------- per check


def _reachable(check: Mapping[str, Any]) -> list[dict]:
    fix = check.get("remediation") or "check connectivity and credentials, then re-run the report"
    return [_action(check, f"Restore access to the host and gather it again: {fix}", None)]


def _installed(check: Mapping[str, Any]) -> list[dict]:
    fix = check.get("remediation") or (f"install the License Server with {PLAYBOOK_SITE}, or remove the host from "
                                       "the inventory and return its allocations on the licensing portal")
    return [_action(check, fix, None)]


def _upgrade(check: Mapping[str, Any]) -> list[dict]:
    evidence = check.get("evidence") or {}
    window = evidence.get("window") or {}
    status = check.get("status")
    if status == UNKNOWN:
        fix = check.get("remediation") or "re-run the info gather so the License Server version can be read"
        return [_action(check, f"Prove the upgrade window: {fix}", None)]
    if window.get("status") == "below_floor":
        return [_action(check, "Upgrade to License Server 11.17.2 build 40000 or later (required since 2023-03-31) "
                        f"with {PLAYBOOK_UPGRADE}", None)]
    required = (window.get("required_release") or {}).get("version") or window.get("latest") or "the newest release"
    latest = window.get("latest")
    also = f" (latest known: {latest})" if latest and latest != required else ""
    deadline = day_of(window.get("deadline"))  # shown by the action's "when" (overdue since D / by D)
    return [_action(check, f"Upgrade to {required} or later{also} with {PLAYBOOK_UPGRADE}", deadline)]


def _telemetry(check: Mapping[str, Any], facts: Mapping[str, Any]) -> list[dict]:
    evidence = check.get("evidence") or {}
    status = check.get("status")
    if status == PASS or (status == UNKNOWN and not check.get("remediation")):
        return [] if status == PASS else [_action(check, "Re-run the info gather to read the upload result", None)]
    deadline = day_of(evidence.get("deadline")) if evidence.get("last_success") else None
    fix = check.get("remediation") or ""
    if evidence.get("reporting_mode") == "manual":
        count = facts.get("pending_count")
        what = (f"Upload the {_plural(count, 'pending bundle')} (upload_compliance*.zip, upload_usage*.zip)"
                if isinstance(count, int) and count > 0 else "Upload the telemetry (upload_compliance*.zip)")
        return [_action(check, f"{what} through Citrix Insight Services (CTX472950), then record the upload with "
                        "ctxlic.license_server.evidence_event (kind: manual_upload)", deadline)]
    return [_action(check, f"Get a telemetry upload to succeed: {fix}", deadline)]


def _pending(check: Mapping[str, Any], telemetry_deadline: date | None, covered: bool) -> list[dict]:
    """Disk space and bundles waiting; ``covered``: the telemetry action already says to upload them."""
    evidence = check.get("evidence") or {}
    actions = []
    free, total = evidence.get("free_bytes"), evidence.get("total_bytes")
    message = str(check.get("message") or "")
    if "low free disk" in message:
        actions.append(_action(check, "Free disk space on the License Server (delete pending bundles once they are "
                               f"uploaded){'' if free is None else f'; {free} of {total} bytes free'}", None))
    count = evidence.get("count")
    if isinstance(count, int) and count > 0 and "waiting for manual upload" in message and not covered:
        actions.append(_action(check, f"Upload the {_plural(count, 'pending bundle')} through Citrix Insight Services "
                               "(CTX472950), then delete them with the ctxlic.license_server.telemetry role "
                               "(ctxlic_telemetry_bundle=true, ctxlic_telemetry_cleanup=true)", telemetry_deadline))
    if not actions and not covered and check.get("remediation"):
        actions.append(_action(check, str(check["remediation"]), None))
    return actions


def _licenses(check: Mapping[str, Any]) -> list[dict]:
    evidence = check.get("evidence") or {}
    by_file = evidence.get("by_file") or {}
    actions: list[dict] = []
    serials: dict[str, list[str]] = {}
    for name, info in by_file.items():
        kinds = set(info.get("kinds") or ())
        if kinds & {"expired", "inactive", "css_lapsed"}:
            what = " and ".join(k for k in ("expired", "inactive") if k in kinds) or "lapsed"
            actions.append(_action(check, f"Remove license file {name} ({what} lines) with {PLAYBOOK_LICENSES}",
                                   None, FAIL if "expired" in kinds or check.get("status") == FAIL else WARN))
            for serial in info.get("serials") or ():
                serials.setdefault(serial, []).append(name)
        if kinds & {"file_errors", "binding"}:
            why = "; ".join(info.get("errors") or ()) or "the License Server cannot use it"
            actions.append(_action(check, f"Replace license file {name} with a fresh download from the licensing "
                                   f"portal, one file per License Server host name ({why}), with {PLAYBOOK_LICENSES}",
                                   None, WARN))
        if "expiring" in kinds:
            expiry = day_of(info.get("expiry"))
            actions.append(_action(check, f"Renew the licenses of {name} before they expire"
                                   + (f" on {expiry.isoformat()}" if expiry else ""), expiry, WARN))
    for serial, names in sorted(serials.items()):
        actions.append(_action(check, f"Return the allocations of serial {serial} ({', '.join(names)}) on the "
                               "licensing portal (Manage Licenses > Return allocations)", None, FAIL))
    if not actions and check.get("remediation"):
        actions.append(_action(check, str(check["remediation"]), None))
    return actions


def _surplus(check: Mapping[str, Any]) -> list[dict]:
    over = (check.get("evidence") or {}).get("surplus") or []
    text = "; ".join(f"{o.get('feature')}: {o.get('installed')} installed, {o.get('purchased')} purchased"
                     for o in over if isinstance(o, Mapping))
    fix = check.get("remediation") or "return surplus allocations on the licensing portal"
    return [_action(check, f"Bring installed licenses within the purchase ({text}): {fix}" if text else fix, None)]


def _generic(check: Mapping[str, Any]) -> list[dict]:
    fix = check.get("remediation")
    if not fix:
        return []
    return [_action(check, f"{check.get('title') or check.get('id')}: {fix}", None)]


# --------------------------------------------------------------------------- public


def _sort_key(as_of: date):
    def key(item: Mapping[str, Any]) -> tuple:
        deadline = day_of(item.get("deadline"))
        due = deadline or (as_of if item.get("severity") == FAIL else None)
        order = _CHECK_ORDER.index(item["check"]) if item.get("check") in _CHECK_ORDER else len(_CHECK_ORDER)
        return (due is None, due or date.max, _severity_rank(item.get("severity")), order)
    return key


def _when(deadline: date | None, severity: str, as_of: date) -> str:
    if deadline is None:
        return "now" if severity == FAIL else "when possible" if severity == WARN else "to prove compliance"
    if deadline < as_of:
        return f"overdue since {deadline.isoformat()}"
    if deadline == as_of:
        return "today"
    return f"by {deadline.isoformat()}"


def server_todo(server: Mapping[str, Any], as_of: date) -> list[dict]:
    """The ordered actions that make ``server`` compliant (empty when nothing is to be done).

    Each action is ``{order, check, severity, action, deadline, when}``; ``deadline`` is an ISO date
    or None, ``when`` is ``overdue since D`` / ``today`` / ``by D`` / ``now`` (a failed check without
    a date) / ``when possible`` (a warning without a date) / ``to prove compliance`` (unknown).
    Order: due first (overdue, then by date; an undated failure counts as due today), then undated
    warnings, then what proves an unknown.
    """
    checks = {c.get("id"): c for c in server.get("checks") or () if isinstance(c, Mapping)}
    facts = server.get("facts") or {}
    actions: list[dict] = []
    reach = checks.get("reachable") or {}
    installed = checks.get("ls_installed") or {}
    if reach.get("status") not in (None, PASS):
        actions = _reachable(reach)  # nothing else can be verified until the host is gathered
    elif installed.get("status") not in (None, PASS):
        actions = _installed(installed)  # every other finding follows from the missing License Server
    else:
        telemetry = checks.get("telemetry_upload") or {}
        telemetry_deadline = day_of((telemetry.get("evidence") or {}).get("deadline")) if telemetry.get(
            "status") in (FAIL, WARN) and (telemetry.get("evidence") or {}).get("last_success") else None
        for check_id, check in checks.items():
            if check.get("status") == PASS or check_id in ("reachable", "ls_installed"):
                continue
            if check_id == "upgrade_window":
                actions += _upgrade(check)
            elif check_id == "telemetry_upload":
                actions += _telemetry(check, facts)
            elif check_id == "pending_bundles":
                covered = telemetry.get("status") in (FAIL, WARN) and (
                    telemetry.get("evidence") or {}).get("reporting_mode") == "manual"
                actions += _pending(check, telemetry_deadline, covered)
            elif check_id == "reporting_mode":
                if (checks.get("pending_bundles") or {}).get("status") != WARN:
                    actions += _generic(check)
            elif check_id == "licenses_expired":
                actions += _licenses(check)
            elif check_id == "licenses_surplus":
                actions += _surplus(check) if check.get("status") == FAIL else _generic(check)
            else:
                actions += _generic(check)
    unique: dict[str, dict] = {}
    for item in actions:
        unique.setdefault(item["action"], item)
    ordered = sorted(unique.values(), key=_sort_key(as_of))
    for index, item in enumerate(ordered, start=1):
        item["order"] = index
        item["when"] = _when(day_of(item.get("deadline")), item["severity"], as_of)
    return ordered


def fleet_week(servers: Iterable[Mapping[str, Any]], obsolete: Iterable[Mapping[str, Any]],
               fleet_findings: Iterable[Mapping[str, Any]], as_of: date, days: int = WEEK_DAYS) -> dict:
    """What to do this week across the fleet, ordered by deadline.

    Due this week: every action overdue or dated within ``days`` of ``as_of``, every undated failure
    (due now), and what proves an unknown server; obsolete allocations to return and fleet-wide
    failures (no single host) are due now. ``servers`` carry their ``todo`` (:func:`server_todo`).
    Returns ``{as_of, until, items: [{host, order, check, severity, action, deadline, when}], later}``
    where ``later`` counts the actions left for after the week and ``order`` is the action's place in its
    server's to-do list (absent for an obsolete allocation or a fleet-wide finding).
    """
    until = as_of + timedelta(days=days)
    items: list[dict] = []
    later = 0
    for server in servers:
        for item in server.get("todo") or ():
            deadline = day_of(item.get("deadline"))
            due = (deadline is not None and deadline <= until) or (
                deadline is None and item.get("severity") in (FAIL, UNKNOWN))
            if due:
                items.append({"host": server.get("host"), "order": item.get("order"),
                              **{k: item.get(k) for k in ("check", "severity", "action", "deadline", "when")}})
            else:
                later += 1
    for entry in obsolete:
        products = ", ".join(str(p) for p in entry.get("products") or ()) or "all products"
        items.append({"host": entry.get("host"), "check": "obsolete_allocation", "severity": FAIL,
                      "action": f"Return the allocations of obsolete license server {entry.get('host')} ({products}) "
                                "on the licensing portal (Manage Licenses > Return allocations).",
                      "deadline": None, "when": "now"})
    for finding in fleet_findings:
        if finding.get("hosts") or finding.get("severity") != FAIL:
            continue
        items.append({"host": None, "check": finding.get("id"), "severity": FAIL,
                      "action": _sentence(finding.get("message")) + ".", "deadline": None, "when": "now"})
    items.sort(key=_week_key(as_of))
    return {"as_of": as_of.isoformat(), "until": until.isoformat(), "items": items, "later": later}


def _week_key(as_of: date):
    def key(item: Mapping[str, Any]) -> tuple:
        deadline = day_of(item.get("deadline"))
        due = deadline or (as_of if item.get("severity") == FAIL else as_of + timedelta(days=WEEK_DAYS))
        return (due, _severity_rank(item.get("severity")), str(item.get("host") or "").casefold())
    return key


def verdict(servers: Sequence[Mapping[str, Any]], fleet: Mapping[str, Any],
            obsolete: Sequence[Mapping[str, Any]]) -> dict:
    """The overall verdict that leads the report: it agrees with the per-server results.

    Tones: ``fail`` (action required: a server non-compliant, an obsolete allocation to return, a
    fleet-wide failure, or a FAQ status other than Compliant), ``unknown`` (nothing fails but a
    server's compliance is not proven), ``warn`` (all compliant, warnings to read), ``pass`` (all
    compliant). Returns ``{tone, headline, detail, action_required, servers, non_compliant, unknown,
    compliant, obsolete_allocations, telemetry_status}``.
    """
    total = len(servers)
    non_compliant = [s.get("host") for s in servers if s.get("status") == "non_compliant"]
    unknown = [s.get("host") for s in servers if s.get("status") not in ("non_compliant", "compliant")]
    compliant = total - len(non_compliant) - len(unknown)
    warned = [s.get("host") for s in servers if s.get("status") == "compliant" and s.get("warned_checks")]
    faq = fleet.get("status")
    fleet_fail = [f for f in fleet.get("other_findings") or () if not f.get("hosts") and f.get("severity") == FAIL]
    parts = []
    if non_compliant:
        parts.append(f"{len(non_compliant)} of {_plural(total, 'server')} non-compliant")
    if unknown:
        parts.append(f"{len(unknown)} of {total} unknown (not proven)")
    if obsolete:
        parts.append(f"{_plural(len(obsolete), 'obsolete allocation')} to return")
    if fleet_fail:
        parts.append(", ".join(str(f.get("title")) for f in fleet_fail).lower())
    if faq not in ("Compliant", "Unknown", None):
        parts.append(f"telemetry status {faq}")
    action = bool(non_compliant or obsolete or fleet_fail or (faq not in ("Compliant", "Unknown") and total))
    if total == 0 and not obsolete:
        tone, headline = UNKNOWN, "No license servers in this report: compliance cannot be stated"
    elif action:
        tone, headline = FAIL, "Action required: " + "; ".join(parts)
    elif unknown:
        tone, headline = UNKNOWN, "Not proven: " + "; ".join(parts)
    elif warned:
        tone, headline = WARN, (f"Compliant with warnings: {compliant} of {_plural(total, 'server')} compliant, "
                                f"{len(warned)} with warnings to read")
    else:
        tone, headline = PASS, f"Compliant: all {_plural(total, 'server')} compliant"
    detail = []
    if non_compliant:
        detail.append("Non-compliant: " + ", ".join(str(h) for h in non_compliant) + ".")
    if unknown:
        detail.append("Unknown (compliance not proven, see each server's to-do): " + ", ".join(str(h) for h in unknown)
                      + ".")
    if obsolete:
        detail.append("Obsolete allocations: " + ", ".join(str(o.get("host")) for o in obsolete) + ".")
    return {
        "tone": tone,
        "headline": headline,
        "detail": " ".join(detail),
        "action_required": tone == FAIL,
        "servers": total,
        "non_compliant": len(non_compliant),
        "unknown": len(unknown),
        "compliant": compliant,
        "obsolete_allocations": len(obsolete),
        "telemetry_status": faq,
    }
