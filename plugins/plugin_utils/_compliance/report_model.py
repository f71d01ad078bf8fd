# Copyright: (c) 2026, ctxlic maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# Internal use only: this module is private to ctxlic.license_server and may change at any time.
"""The fleet compliance report model: one JSON-safe dict that every renderer uses (pure: no I/O).

Why one model: the HTML a licensing owner hands to the vendor, the CSV for a spreadsheet, the
JUnit a CI pipeline reads and the JSON archive must never disagree. Renderers only lay out what
this model says; every decision (sorting, labels, what counts as a finding) is made here or in
the checks (``server_checks.py``, ``fleet.py``).
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any, Mapping

from ansible_collections.ctxlic.license_server.plugins.plugin_utils._compliance.rules import (
    CHECK_IDS,
    CHECK_TITLES,
    COMPLIANT,
    FAIL,
    FLEET_COMPLIANT,
    FLEET_NON_COMPLIANT,
    FLEET_PARTIAL,
    MAX_UPLOAD_AGE_DAYS,
    NON_COMPLIANT,
    PASS,
    REMEDIATION,
    RULES,
    SERVER_UNKNOWN,
    SOURCES,
    UNKNOWN,
    WARN,
)
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._compliance.catalog_notice import catalog_notice
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._compliance.values import iso_utc
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._common.errors import InputError
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._server.las import TECHNOLOGIES, TECHNOLOGY_LABELS
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._compliance.todo import (
    fleet_week,
    server_todo,
    verdict,
)

SCHEMA_VERSION = 1

# The lookup tables below are keyed by object: a status comes from a result mapping and may be anything (what
# is not a known status gets the default of each .get()).
SERVER_STATUS_LABELS: Mapping[object, str] = {
    NON_COMPLIANT: "Non-compliant", SERVER_UNKNOWN: "Unknown", COMPLIANT: "Compliant"}
SERVER_STATUS_ORDER: Mapping[object, int] = {NON_COMPLIANT: 0, SERVER_UNKNOWN: 1, COMPLIANT: 2}
CHECK_STATUS_LABELS: Mapping[object, str] = {PASS: "PASS", WARN: "WARN", FAIL: "FAIL", UNKNOWN: "UNKNOWN"}
#: The tone (pass/warn/fail/unknown) each status is drawn in; renderers map tones to colours.
FLEET_STATUS_TONES: Mapping[object, str] = {FLEET_COMPLIANT: PASS, FLEET_PARTIAL: WARN, FLEET_NON_COMPLIANT: FAIL}
SERVER_STATUS_TONES: Mapping[object, str] = {COMPLIANT: PASS, NON_COMPLIANT: FAIL, SERVER_UNKNOWN: UNKNOWN}


def jsonable(value: Any) -> Any:
    """Deep-copy ``value`` into JSON types (datetimes -> ISO 8601 UTC, tuples/sets -> lists, keys -> str)."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, datetime):
        return iso_utc(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (set, frozenset)):
        return sorted((jsonable(v) for v in value), key=str)
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    return str(value)


def _when(name: str, value: Any) -> str:
    if isinstance(value, datetime):
        return iso_utc(value)
    if isinstance(value, str) and value:
        return value
    raise InputError(f"{name} must be a datetime (or an ISO 8601 string), got {value!r}.")


def _server_sort_key(server: Mapping[str, Any]) -> tuple[int, str, str]:
    host = str(server.get("host", ""))
    return SERVER_STATUS_ORDER.get(server.get("status"), 1), host.casefold(), host


def _server_row(result: Mapping[str, Any]) -> dict:
    checks = [dict(c) for c in result.get("checks", []) if isinstance(c, Mapping)]
    for check in checks:
        check["status_label"] = CHECK_STATUS_LABELS.get(check.get("status"), "UNKNOWN")
    by_status = {s: [c["id"] for c in checks if c.get("status") == s] for s in (FAIL, WARN, UNKNOWN)}
    status = result.get("status", SERVER_UNKNOWN)
    telemetry = next((c for c in checks if c.get("id") == "telemetry_upload"), {})
    return {
        "host": result.get("host"),
        "hostname": result.get("hostname"),
        "status": status,
        "status_label": SERVER_STATUS_LABELS.get(status, "Unknown"),
        "tone": SERVER_STATUS_TONES.get(status, UNKNOWN),
        "reporting": bool(result.get("reporting")),
        "usable": bool(result.get("usable", True)),
        "telemetry_status": telemetry.get("status", UNKNOWN),
        "facts": dict(result.get("facts") or {}),
        "checks": checks,
        "failed_checks": by_status[FAIL],
        "warned_checks": by_status[WARN],
        "unknown_checks": by_status[UNKNOWN],
        "licensing": _licensing_row(checks),
    }


_LAS_CHECKS = ("las_capable", "licensing_technology", "las_contact")
_TONE_ORDER = {FAIL: 0, UNKNOWN: 1, WARN: 2, PASS: 3}


def _licensing_row(checks: list[dict]) -> dict:
    """One server's licensing technology view, from its three LAS checks (server_checks.py / las.py)."""
    by_id = {c.get("id"): c for c in checks}
    tech_ev = (by_id.get("licensing_technology") or {}).get("evidence") or {}
    cap_ev = (by_id.get("las_capable") or {}).get("evidence") or {}
    contact_ev = (by_id.get("las_contact") or {}).get("evidence") or {}
    raw_technology = tech_ev.get("technology")
    technology = raw_technology if isinstance(raw_technology, str) and raw_technology in TECHNOLOGIES else "unknown"
    present = [by_id[c] for c in _LAS_CHECKS if c in by_id]
    worst = min((c.get("status", UNKNOWN) for c in present), key=lambda s: _TONE_ORDER.get(s, 1), default=UNKNOWN)
    problems = [c for c in present if c.get("status") != PASS]
    return {
        "technology": technology,
        "technology_label": TECHNOLOGY_LABELS[technology],
        "build": cap_ev.get("build"),
        "capable_online": cap_ev.get("online"),
        "capable_offline": cap_ev.get("offline"),
        "license_files": list(tech_ev.get("license_files") or []),
        "mode": contact_ev.get("mode") if technology in ("las", "both") else None,  # only where LAS is in use
        "last_contact": contact_ev.get("last_contact"),
        "offline_activation": contact_ev.get("offline_activation"),
        "state_source": tech_ev.get("las_source"),
        "status": worst,
        "status_label": CHECK_STATUS_LABELS.get(worst, "UNKNOWN"),
        "situation": " ".join(str(c.get("message")) for c in problems) or str(
            (by_id.get("licensing_technology") or {}).get("message") or ""),
        "fix": "; ".join(dict.fromkeys(str(c["remediation"]) for c in problems if c.get("remediation"))) or None,
    }


def _licensing_view(servers: list[dict], counts: Mapping[str, Any]) -> dict:
    """The fleet's licensing technology view: counts per technology and what a licensing owner acts on."""
    tally = {tech: int(counts.get(f"licensing_{tech}", 0) or 0) for tech in TECHNOLOGIES}
    act = [s["host"] for s in servers if s["licensing"]["status"] == FAIL]
    unknown = [s["host"] for s in servers if s["licensing"]["status"] == UNKNOWN]
    warn = [s["host"] for s in servers if s["licensing"]["status"] == WARN]
    parts = [f"{tally[t]} {TECHNOLOGY_LABELS[t]}" for t in TECHNOLOGIES]
    headline = "Licensing technology: " + ", ".join(parts) + "."
    if act:
        headline += f" Act now on {len(act)}: {', '.join(act)}."
    if unknown:
        headline += f" Not proven on {len(unknown)} (give ctxlic_las or re-gather): {', '.join(unknown)}."
    if warn:
        headline += f" Attention on {len(warn)}: {', '.join(warn)}."
    tone = FAIL if act else UNKNOWN if unknown else WARN if warn else PASS
    return {
        "counts": [{"technology": t, "label": TECHNOLOGY_LABELS[t], "servers": tally[t]} for t in TECHNOLOGIES],
        "headline": headline,
        "tone": tone,
        "act_now": act,
        "unknown": unknown,
        "attention": warn,
        "servers": [{"host": s["host"], **s["licensing"]} for s in servers],
    }


def _matrix(servers: list[dict]) -> dict:
    columns = [{"id": cid, "title": CHECK_TITLES[cid]} for cid in CHECK_IDS]
    rows = []
    for server in servers:
        statuses = {c.get("id"): c.get("status", UNKNOWN) for c in server["checks"]}
        cells = [{"id": cid, "status": statuses.get(cid, UNKNOWN),
                  "label": CHECK_STATUS_LABELS.get(statuses.get(cid, UNKNOWN), "UNKNOWN")} for cid in CHECK_IDS]
        rows.append({"host": server["host"], "status": server["status"], "cells": cells})
    return {"columns": columns, "rows": rows}


def _chart(servers: list[dict], threshold: int) -> dict:
    """Days since last successful upload per server (the 90-day rule of the telemetry FAQ), in report order.

    A server with no successful upload on record is ``never`` (drawn apart from a 0-day bar, issue 15 item 5).
    """
    bars = []
    for server in servers:
        days = server["facts"].get("days_since_success")
        days = max(days, 0) if isinstance(days, int) and not isinstance(days, bool) else None
        bars.append({"host": server["host"], "days": days, "status": server["telemetry_status"],
                     "never": days is None, "label": "never" if days is None else f"{days} d"})
    known = [b["days"] for b in bars if b["days"] is not None]
    return {"threshold_days": threshold, "max_days": max(known) if known else None, "bars": bars}


def _window_unproven(server_results: list | tuple) -> dict:
    """The servers whose upgrade window could not be proven (check ``upgrade_window`` UNKNOWN), for the headline."""
    # A host without a License Server has no version to judge: its own finding says so (not a window to prove).
    hosts = sorted((str(r["host"]) for r in server_results
                    if any(isinstance(c, Mapping) and c.get("id") == "upgrade_window" and c.get("status") == UNKNOWN
                           for c in r.get("checks") or [])
                    and not any(isinstance(c, Mapping) and c.get("id") == "ls_installed" and c.get("status") == FAIL
                                for c in r.get("checks") or [])), key=lambda h: (h.casefold(), h))
    message = (f"Upgrade window not proven for {len(hosts)} server(s): {', '.join(hosts)}. The release catalog cannot "
               "exclude a newer release for them (or their version is unreadable); see each server's upgrade-window "
               f"check. Fix: {REMEDIATION['catalog']}.") if hosts else ""
    return {"hosts": hosts, "message": message}


def _evidence_notes(servers: list[dict], fleet_eval: Mapping[str, Any], catalog: Mapping[str, Any],
                    as_of: str) -> list[str]:
    notes = [
        "Upload results come from LS\\resource\\cache\\upload_compliance_result.xml on each server, which records "
        "the latest manual or automatic upload (Citrix Licensing data collection programs); earlier successes come "
        "from the controller's evidence history.",
        "The fleet telemetry status follows the Citrix License Telemetry FAQ (CTX477614) and counts telemetry only; "
        "the overall verdict at the top also counts every other reason a customer is flagged (Citrix licensing "
        "telemetry and compliance status), listed as other findings.",
        "The vendor portal updates its status about 24 hours after a change (Citrix License Telemetry FAQ); this "
        f"report reflects the servers as of {as_of}.",
    ]
    for server in servers:
        facts = server["facts"]
        if facts.get("last_success_source") == "evidence history" and facts.get("last_attempt_status") != "success":
            notes.append(f"{server['host']}: the latest attempt ({facts.get('last_attempt_status')}, "
                         f"{facts.get('last_attempt_time') or 'time unknown'}) did not succeed; the last success "
                         f"({facts.get('last_success_time')}) is taken from the evidence history.")
    for server in servers:
        attested = next((c.get("evidence", {}).get("attested") for c in server["checks"]
                         if c.get("id") == "telemetry_upload" and (c.get("evidence") or {}).get("attested")), None)
        if attested and server["facts"].get("last_success_source") == "manual upload (operator-attested)":
            notes.append(f"{server['host']}: the last success ({server['facts'].get('last_success_time')}) is a manual "
                         f"upload attested by {attested.get('recorded_by') or 'an operator'} (recorded "
                         f"{attested.get('recorded_at') or 'at an unknown time'}), not an upload result the server "
                         "itself recorded.")
    unverified = [s["host"] for s in servers if not s["usable"]]
    if unverified:
        notes.append("Counted as not reporting because they could not be gathered: " + ", ".join(unverified) + ".")
    # A stale catalog is stated once, in its banner at the top (issue 15 item 11: not four times).
    notes.extend(str(n) for n in fleet_eval.get("notes", []) or [])
    return notes


def _as_of_day(as_of: Any, as_of_text: str) -> date:
    if isinstance(as_of, datetime):
        return (as_of if as_of.tzinfo is None else as_of.astimezone(UTC)).date()
    try:
        return date.fromisoformat(as_of_text[:10])
    except ValueError as exc:
        raise InputError(f"as_of must be a datetime or an ISO 8601 time, got {as_of_text!r}.") from exc


def build_report(
    fleet_eval: dict,
    server_results: list[dict],
    *,
    generated_at: datetime | str,
    title: str,
    catalog: dict | None,
    as_of: datetime | str,
    options: dict | None,
    input_rows: dict | None = None,
) -> dict:
    """Assemble the report model from ``evaluate_fleet`` and ``evaluate_server`` results.

    ``input_rows`` accounts for every row of an input file (``fleet_report_inputs.input_rows_summary``:
    rows read, used, ignored, one finding per row with its reason); the report lists them.

    ``catalog`` is the raw release catalog; the notice already in ``fleet_eval['catalog']`` wins
    (it was computed with the same inputs), the raw one is used when the evaluation carries none.
    ``options`` holds what the report echoes for the record, e.g. ``collection_version``,
    ``max_upload_age_days``; unknown keys are kept under ``meta.options``.

    Returns ``{verdict, schema_version, meta, fleet, catalog, servers, matrix, chart, obsolete_allocations,
    todo_week, licensing, evidence_notes, input_rows}``, JSON-safe, servers sorted by status severity then
    host name. ``verdict`` (todo.verdict) leads every format and agrees with the servers; each server
    carries its ``todo`` (todo.server_todo) and ``todo_week`` is the fleet's week (todo.fleet_week).
    """
    if not isinstance(fleet_eval, Mapping) or "status" not in fleet_eval:
        raise InputError("fleet_eval must be the result of compliance.evaluate_fleet().")
    if isinstance(server_results, (str, bytes, Mapping)) or not isinstance(server_results, (list, tuple)):
        raise InputError("server_results must be a list of compliance.evaluate_server() results.")
    if not all(isinstance(r, Mapping) and "host" in r for r in server_results):
        raise InputError("every server_results entry must be a compliance.evaluate_server() result (with 'host').")
    if not isinstance(title, str) or not title.strip():
        raise InputError("title must be a non-empty string, e.g. 'License Server compliance report'.")
    if options is not None and not isinstance(options, Mapping):
        raise InputError(f"options must be a mapping or null, got {type(options).__name__}.")
    options = dict(options or {})
    generated = _when("generated_at", generated_at)
    as_of_text = _when("as_of", as_of)
    notice = fleet_eval.get("catalog")
    if not isinstance(notice, Mapping):
        notice = catalog_notice(catalog, as_of=as_of if isinstance(as_of, datetime) else None)
    servers = sorted((_server_row(r) for r in server_results), key=_server_sort_key)
    today = _as_of_day(as_of, as_of_text)
    for server in servers:
        server["todo"] = server_todo(server, today)
    threshold = options.get("max_upload_age_days", MAX_UPLOAD_AGE_DAYS)
    if isinstance(threshold, bool) or not isinstance(threshold, int) or threshold <= 0:
        raise InputError(f"options.max_upload_age_days must be a positive whole number of days, got {threshold!r}.")
    fleet: dict[str, Any] = {
        "status": fleet_eval.get("status"),
        "status_reason": fleet_eval.get("status_reason"),
        "tone": FLEET_STATUS_TONES.get(fleet_eval.get("status"), UNKNOWN),
        "action_required": bool(fleet_eval.get("action_required")),
        "attention_required": bool(fleet_eval.get("attention_required")),
        "counts": dict(fleet_eval.get("counts") or {}),
        "not_reporting": list(fleet_eval.get("not_reporting") or []),
        "other_findings": list(fleet_eval.get("other_findings") or []),
        "window_unproven": _window_unproven(server_results),
    }
    obsolete = list(fleet_eval.get("obsolete_allocations") or [])
    model = {
        "verdict": verdict(servers, fleet, obsolete),
        "schema_version": SCHEMA_VERSION,
        "meta": {
            "title": title,
            "generated_at": generated,
            "as_of": as_of_text,
            "collection_version": options.pop("collection_version", None),
            "options": options,
            "rules": [dict(r) for r in RULES],
            "sources": [dict(r) for r in SOURCES],
            "check_ids": list(CHECK_IDS),
            "check_titles": dict(CHECK_TITLES),
        },
        "fleet": fleet,
        "catalog": dict(notice),
        "servers": servers,
        "matrix": _matrix(servers),
        "chart": _chart(servers, threshold),
        "obsolete_allocations": obsolete,
        "todo_week": fleet_week(servers, obsolete, fleet["other_findings"], today),
        "licensing": _licensing_view(servers, fleet["counts"]),
        "evidence_notes": _evidence_notes(servers, fleet_eval, notice, as_of_text),
        "input_rows": dict(input_rows) if isinstance(input_rows, Mapping) else None,
    }
    return jsonable(model)
