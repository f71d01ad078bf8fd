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
import contextlib
import gc
import json
from collections.abc import Iterator, Mapping
from typing import Any

from ansible_collections.ctxlic.license_server.plugins.plugin_utils._compliance.rules import (
    CHECK_IDS,
    CHECK_RULES,
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
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._compliance.server_checks import flat_facts
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._compliance.values import iso_utc
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._common.errors import InputError
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._server.las import TECHNOLOGIES, TECHNOLOGY_LABELS
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._compliance.todo import (
    fleet_week,
    server_todo,
    verdict,
)

SCHEMA_VERSION = 2

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


class _Table:
    """A table of shared values by key (remediation texts, upload hints, upgrade windows): each value once.

    ``key`` is the readable name a value prefers (the REMEDIATION name, the uploader code, the installed
    version); a different value under a name already taken gets ``name~2``, ``name~3``...
    """

    def __init__(self) -> None:
        self.items: dict[str, Any] = {}
        self._keys: dict[Any, str] = {}
        self._count: dict[str, int] = {}

    def key(self, name: str, value: Any, identity: Any = None) -> str:
        identity = value if identity is None else identity
        known = self._keys.get(identity)
        if known is not None:
            return known
        number = self._count.get(name, 0) + 1
        key = name if number == 1 else f"{name}~{number}"
        while key in self.items:  # a name that itself looks like "name~N"
            number += 1
            key = f"{name}~{number}"
        self._count[name] = number
        self.items[key] = value
        self._keys[identity] = key
        return key


_REMEDIATION_NAMES = {text: name for name, text in REMEDIATION.items()}


class _List:
    """A list of shared values: each distinct value once, named by its position (messages, actions, evidence)."""

    def __init__(self) -> None:
        self.items: list[Any] = []
        self._index: dict[Any, int] = {}

    def key(self, name: str, value: Any, identity: Any = None) -> int:
        identity = value if identity is None else identity
        index = self._index.get(identity)
        if index is None:
            index = self._index[identity] = len(self.items)
            self.items.append(value)
        return index


class _Shared:
    """The shared tables of one report: every server's checks point into them instead of repeating them."""

    def __init__(self) -> None:
        self.remediations = _Table()
        self.hints = _Table()
        self.windows = _Table()
        self.messages = _List()
        self.actions = _List()
        self.evidence = _List()

    def compact_todo(self, item: Mapping[str, Any]) -> dict:
        """One to-do action with its text in ``actions`` (many servers get the same action)."""
        action = item.get("action")
        return {**item, "action": None if action is None else self.actions.key(str(item.get("check")), action)}

    def compact_check(self, check: Mapping[str, Any]) -> dict:
        """One check of one server: id, status, message, evidence, remediation key (title and rule: ``checks``)."""
        check_id = check.get("id")
        fix = check.get("remediation")
        remediation = None
        if fix is not None:
            text = str(fix)
            remediation = self.remediations.key(_REMEDIATION_NAMES.get(text) or str(check_id), text)
        evidence = check.get("evidence")
        if isinstance(evidence, (dict, Mapping)):  # a dict is found without the ABC check
            evidence = self._compact_evidence(evidence)
            evidence = self.evidence.key(str(check_id), evidence, identity=_frozen(evidence))
        message = check.get("message")
        out = {"id": check_id, "status": check.get("status", UNKNOWN),
               "message": None if message is None else self.messages.key(str(check_id), message), "evidence": evidence}
        if remediation is not None:  # absent: the check gives no remediation
            out["remediation"] = remediation
        return out

    def _compact_evidence(self, evidence: Mapping[str, Any]) -> Mapping[str, Any]:
        window = evidence.get("window")
        attempt = evidence.get("last_attempt")
        if not isinstance(window, Mapping) and not (isinstance(attempt, Mapping) and attempt.get("hint")):
            return evidence
        out = dict(evidence)
        if isinstance(window, Mapping):
            name = str(window.get("installed") or "unknown")
            out["window"] = self.windows.key(name, window, identity=_frozen(window))
        if isinstance(attempt, Mapping) and attempt.get("hint"):
            hint = str(attempt["hint"])
            out["last_attempt"] = {**attempt, "hint": self.hints.key(str(attempt.get("code") or "hint"), hint)}
        return out


#: One encoder for every identity: ``json.dumps`` builds a new one per call, and a large fleet asks for one
#: identity per check (its evidence), so that set-up cost about half of the identities' time.
_IDENTITY_ENCODER = json.JSONEncoder(sort_keys=True, default=str, separators=(",", ":"))


def _frozen(value: Any) -> str:
    """The identity of a shared value (evidence, an upgrade window): its JSON text, keys sorted."""
    return _IDENTITY_ENCODER.encode(value)


def _server_row(result: Mapping[str, Any]) -> dict:
    """A server as the to-do list reads it: the checks as evaluated (full texts), the facts and the status."""
    checks = [c for c in result.get("checks", []) if isinstance(c, Mapping)]
    status = result.get("status", SERVER_UNKNOWN)
    return {
        "host": result.get("host"),
        "hostname": result.get("hostname"),
        "status": status,
        "status_label": SERVER_STATUS_LABELS.get(status, "Unknown"),
        "tone": SERVER_STATUS_TONES.get(status, UNKNOWN),
        "reporting": bool(result.get("reporting")),
        "usable": bool(result.get("usable", True)),
        "facts": dict(result.get("facts") or {}),
        "checks": checks,
        "warned_checks": [c.get("id") for c in checks if c.get("status") == WARN],  # todo.verdict reads it
    }


_LAS_CHECKS = ("las_capable", "licensing_technology", "las_contact")
_LAS_IDS = frozenset(_LAS_CHECKS)
_TONE_ORDER = {FAIL: 0, UNKNOWN: 1, WARN: 2, PASS: 3}


def _las_checks(server: Mapping[str, Any]) -> dict[Any, Mapping[str, Any]]:
    """A server's LAS checks by id (the last check of an id wins); the other checks are not looked at."""
    return {c.get("id"): c for c in server.get("checks") or ()
            if isinstance(c, (dict, Mapping)) and c.get("id") in _LAS_IDS}


def _worst(checks: Any) -> Any:
    """The worst status of ``checks`` (fail, unknown, warn, pass); unknown when there are none."""
    worst, rank = UNKNOWN, 4
    for check in checks:  # the first of the worst, as min() picks it
        status = check.get("status", UNKNOWN)
        if _TONE_ORDER.get(status, 1) < rank:
            worst, rank = status, _TONE_ORDER.get(status, 1)
    return worst


def licensing_row(server: Mapping[str, Any], model: Mapping[str, Any] | None = None) -> dict:
    """One server's licensing technology view, from its three LAS checks (server_checks.py / las.py).

    Not stored in the report (it restates the checks' evidence): renderers and the fleet view derive it.
    ``model`` is the schema-2 report whose tables hold the texts the checks name by key (None: full texts).
    """
    by_id = _las_checks(server)
    # A schema-2 report names evidence, messages and fixes by key: each looked up where it is read (no copies).
    resolved = model is not None
    table = (model.get("evidence") or []) if model is not None else ()
    messages = (model.get("messages") or []) if model is not None else ()
    remediations = (model.get("remediations") or {}) if model is not None else {}

    def evidence(check_id: str) -> Any:
        check = by_id.get(check_id)
        if not check:
            return {}
        found = _at(table, check.get("evidence")) if resolved else check.get("evidence")
        return found or {}

    def message(check: Mapping[str, Any]) -> Any:
        return _at(messages, check.get("message")) if resolved else check.get("message")

    tech_ev, cap_ev, contact_ev = evidence("licensing_technology"), evidence("las_capable"), evidence("las_contact")
    raw_technology = tech_ev.get("technology")
    technology = raw_technology if isinstance(raw_technology, str) and raw_technology in TECHNOLOGIES else "unknown"
    present = [by_id[c] for c in _LAS_CHECKS if c in by_id]
    worst = _worst(present)
    problems = [c for c in present if c.get("status") != PASS]
    fixes = [c["remediation"] for c in problems if c.get("remediation")]
    if resolved:
        fixes = [remediations.get(f, f) for f in fixes]
    situation = " ".join([str(message(c)) for c in problems]) or str(
        message(by_id.get("licensing_technology") or {}) or "")
    return {
        "host": server.get("host"),
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
        "situation": situation,
        "fix": ("; ".join(dict.fromkeys([str(f) for f in fixes])) or None) if fixes else None,
    }


def _licensing_view(servers: list[dict], counts: Mapping[str, Any]) -> dict:
    """The fleet's licensing technology view: counts per technology and what a licensing owner acts on.

    The per-server rows are not stored (schema 2): :func:`licensing_row` derives them from each server's checks.
    """
    tally = {tech: int(counts.get(f"licensing_{tech}", 0) or 0) for tech in TECHNOLOGIES}
    worst = [(s["host"], _worst(_las_checks(s).values())) for s in servers]  # licensing_row's status
    act = [h for h, status in worst if status == FAIL]
    unknown = [h for h, status in worst if status == UNKNOWN]
    warn = [h for h, status in worst if status == WARN]
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
    }


def _chart(servers: list[dict], threshold: int) -> dict:
    """The scale of the chart of days since the last successful upload (the 90-day rule of the telemetry FAQ).

    The bars are not stored (schema 2): one per server in report order, from ``facts.days_since_success``
    (:func:`chart_bars`).
    """
    known = [b["days"] for b in chart_bars(servers) if b["days"] is not None]
    return {"threshold_days": threshold, "max_days": max(known) if known else None}


def chart_bars(servers: Any, model: Mapping[str, Any] | None = None, facts: list | None = None) -> list[dict]:
    """One bar per server, in report order: days since the last successful upload, or ``never`` (issue 15 item 5).

    ``model``: the schema-2 report the servers belong to (their facts are derived, :func:`server_facts`), or
    ``facts``: each server's facts, derived already.
    """
    bars = []
    for index, server in enumerate(servers):
        known = facts[index] if facts is not None else server_facts(model, server) if model is not None else (
            server.get("facts") or {})
        days = known.get("days_since_success")
        days = max(days, 0) if isinstance(days, int) and not isinstance(days, bool) else None
        status = UNKNOWN
        for check in server.get("checks") or ():  # the first telemetry_upload check's status
            if check.get("id") == "telemetry_upload":
                status = check.get("status", UNKNOWN)
                break
        bars.append({"host": server.get("host"), "days": days, "status": status,
                     "never": days is None, "label": "never" if days is None else f"{days} d"})
    return bars


def _window_unknown(checks: Any) -> bool:
    """An ``upgrade_window`` check is UNKNOWN and no ``ls_installed`` check failed (one pass over the checks)."""
    unknown = no_server = False
    for check in checks:
        if isinstance(check, (dict, Mapping)):
            check_id, status = check.get("id"), check.get("status")
            unknown = unknown or (check_id == "upgrade_window" and status == UNKNOWN)
            no_server = no_server or (check_id == "ls_installed" and status == FAIL)
    return unknown and not no_server


def _window_unproven(server_results: list | tuple) -> dict:
    """The servers whose upgrade window could not be proven (check ``upgrade_window`` UNKNOWN), for the headline."""
    # A host without a License Server has no version to judge: its own finding says so (not a window to prove).
    hosts = sorted((str(r["host"]) for r in server_results if _window_unknown(r.get("checks") or [])),
                   key=lambda h: (h.casefold(), h))
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


@contextlib.contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while a report is built or written (issue 18 item 3).

    A large fleet's report creates millions of short-lived strings and dicts and no reference cycles; each
    time the collector ran it walked every object alive (the model, the records), which cost more than the
    work itself. Reference counting still frees everything as before.
    """
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


@gc_paused()
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
    """Assemble the report model from ``evaluate_fleet`` and ``evaluate_server`` results, the cyclic garbage
    collector paused meanwhile (:func:`gc_paused`).

    ``input_rows`` accounts for every row of an input file (``fleet_report_inputs.input_rows_summary``:
    rows read, used, ignored, one finding per row with its reason); the report lists them.

    ``catalog`` is the raw release catalog; the notice already in ``fleet_eval['catalog']`` wins
    (it was computed with the same inputs), the raw one is used when the evaluation carries none.
    ``options`` holds what the report echoes for the record, e.g. ``collection_version``,
    ``max_upload_age_days``; unknown keys are kept under ``meta.options``.

    Returns the schema-2 model (docs/report_schema.json): ``{verdict, schema_version, meta, checks,
    remediations, upload_hints, upgrade_windows, fleet, catalog, servers, chart, obsolete_allocations,
    todo_week, licensing, evidence_notes, input_rows}``, JSON-safe, servers sorted by status severity then
    host name. A text or object every server would repeat is kept once: check titles and rules in ``checks``,
    remediation texts in ``remediations``, uploader hints in ``upload_hints``, upgrade windows in
    ``upgrade_windows``; a server's checks name them by key (:func:`resolve_check` fills them in). Views that
    only restate the checks (the status matrix, the chart's bars, the licensing rows) are derived when
    rendering (:func:`chart_bars`, :func:`licensing_row`). The model is built once and not copied again.
    ``verdict`` (todo.verdict) leads every format and agrees with the servers; each server
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
    rows = sorted((_server_row(r) for r in server_results), key=_server_sort_key)
    today = _as_of_day(as_of, as_of_text)
    for row in rows:
        row["todo"] = server_todo(row, today)
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
        "not_reporting": _not_reporting(fleet_eval.get("not_reporting") or [], rows),
        "other_findings": list(fleet_eval.get("other_findings") or []),
        "window_unproven": _window_unproven(server_results),
    }
    obsolete = list(fleet_eval.get("obsolete_allocations") or [])
    week = fleet_week(rows, obsolete, fleet["other_findings"], today)
    notes = _evidence_notes(rows, fleet_eval, notice, as_of_text)
    licensing = _licensing_view(rows, fleet["counts"])
    chart = _chart(rows, threshold)
    the_verdict = verdict(rows, fleet, obsolete)
    shared = _Shared()
    servers = []
    for row in rows:
        del row["warned_checks"]
        facts = row.pop("facts")
        row["checks"] = [shared.compact_check(c) for c in row["checks"]]
        row["todo"] = [shared.compact_todo(t) for t in row["todo"]]
        derived = facts_from_checks(row["checks"], shared.windows.items, shared.evidence.items)
        extra = {k: v for k, v in facts.items() if k not in derived or derived[k] != v}
        if extra:  # what the checks' evidence does not say (never for a server evaluate_server judged)
            row["facts"] = extra
        servers.append(row)
    return {
        "verdict": the_verdict,
        "schema_version": SCHEMA_VERSION,
        "meta": {
            "title": title,
            "generated_at": generated,
            "as_of": as_of_text,
            "collection_version": options.pop("collection_version", None),
            "options": jsonable(options),
            "rules": [dict(r) for r in RULES],
            "sources": [dict(r) for r in SOURCES],
            "check_ids": list(CHECK_IDS),
        },
        "checks": {cid: {"title": CHECK_TITLES[cid], "rule": CHECK_RULES[cid]} for cid in CHECK_IDS},
        "messages": shared.messages.items,
        "actions": shared.actions.items,
        "remediations": shared.remediations.items,
        "upload_hints": shared.hints.items,
        "upgrade_windows": shared.windows.items,
        "evidence": shared.evidence.items,
        "fleet": fleet,
        "catalog": jsonable(notice),
        "servers": servers,
        "chart": chart,
        "obsolete_allocations": jsonable(obsolete),
        "todo_week": _week_refs(week),
        "licensing": licensing,
        "evidence_notes": notes,
        "input_rows": jsonable(input_rows) if isinstance(input_rows, Mapping) else None,
    }


def _at(table: Any, index: Any) -> Any:
    """``table[index]`` of a shared list (messages, actions, evidence); a value that is no index is itself."""
    if isinstance(index, int) and not isinstance(index, bool):
        return table[index] if 0 <= index < len(table) else None
    return index


_FACT_CHECKS = frozenset(("upgrade_window", "reporting_mode", "telemetry_upload", "pending_bundles",
                          "licenses_expired", "reachable"))
_NO_EVIDENCE: Mapping[str, Any] = {}


def _evidence_by_id(checks: Any, wanted: frozenset, table: Any) -> dict[Any, Mapping[str, Any]]:
    """The evidence of the ``wanted`` checks by id, read in one pass (the first check of an id wins)."""
    found: dict[Any, Mapping[str, Any]] = {}
    for check in checks or ():
        check_id = check.get("id")
        if check_id in wanted and check_id not in found:
            evidence = check.get("evidence")
            if evidence.__class__ is int and 0 <= evidence < len(table):  # what _at does, without the call
                evidence = table[evidence]
            elif not isinstance(evidence, dict):
                evidence = _at(table, evidence)
            found[check_id] = evidence if isinstance(evidence, (dict, Mapping)) else _NO_EVIDENCE
    return found


def facts_from_checks(checks: Any, windows: Mapping[str, Any], evidence: Any = None) -> dict:
    """The key fields one row of a report shows (``server_checks.flat_facts``), read from the checks' evidence.

    ``windows`` and ``evidence`` are the report's tables the checks name their window and evidence from.
    """
    found = _evidence_by_id(checks, _FACT_CHECKS, evidence or [])
    upgrade = found.get("upgrade_window", _NO_EVIDENCE)
    window = upgrade.get("window")
    window = windows.get(window) if isinstance(window, str) else window
    return flat_facts(version=upgrade.get("version"), window=window if isinstance(window, Mapping) else {},
                      reporting_mode=found.get("reporting_mode", _NO_EVIDENCE).get("reporting_mode"),
                      telemetry=found.get("telemetry_upload", _NO_EVIDENCE),
                      pending=found.get("pending_bundles", _NO_EVIDENCE),
                      licenses=found.get("licenses_expired", _NO_EVIDENCE),
                      error=found.get("reachable", _NO_EVIDENCE).get("error"))


def server_facts(model: Mapping[str, Any], server: Mapping[str, Any]) -> dict:
    """A server's facts: derived from its checks' evidence, then what the report stores beside it (``facts``)."""
    facts = facts_from_checks(server.get("checks"), model.get("upgrade_windows") or {}, model.get("evidence") or [])
    facts.update(server.get("facts") or {})
    return facts


def _not_reporting(entries: Any, rows: list[dict]) -> list[dict]:
    """``{host, check}`` where the reason is that server's own check message (not repeated), else ``{host, reason}``."""
    by_host = {row["host"]: row for row in rows}
    out = []
    for entry in entries:
        host, reason = entry.get("host"), entry.get("reason")
        check = next((c.get("id") for c in (by_host.get(host) or {}).get("checks") or ()
                      if reason and c.get("message") == reason), None)
        out.append({"host": host, "check": check} if check else {"host": host, "reason": reason})
    return out


def _week_refs(week: dict) -> dict:
    """The week's items; one of a server's to-do actions is ``{host, order}``: the action itself is in its ``todo``."""
    items = []
    for item in week["items"]:
        if item.get("order") is not None:
            item = {"host": item.get("host"), "order": item["order"]}
        items.append(item)
    return {**week, "items": items}


def expand_week(model: Mapping[str, Any]) -> dict:
    """``todo_week`` with every item's action text (schema 2 stores a server action once, in its ``todo``)."""
    week = dict(model.get("todo_week") or {})
    todo = {s.get("host"): s.get("todo") or () for s in model.get("servers") or ()}
    actions = model.get("actions") or []
    items = []
    for item in week.get("items") or ():
        if "action" not in item and item.get("order") is not None:
            found = todo.get(item.get("host")) or ()
            order = item["order"]
            found = found[order - 1] if isinstance(order, int) and 0 < order <= len(found) else {}
            items.append({"host": item.get("host"), "check": found.get("check"), "severity": found.get("severity"),
                          "deadline": found.get("deadline"), "when": found.get("when"),
                          "action": _at(actions, found.get("action"))})
        else:
            items.append({k: v for k, v in item.items() if k != "order"})
    week["items"] = items
    return week


def resolve_todo(model: Mapping[str, Any], server: Mapping[str, Any]) -> list[dict]:
    """A server's to-do list with each action's text (schema 2 keeps the texts in ``actions``)."""
    actions = model.get("actions") or []
    return [{**item, "action": _at(actions, item.get("action"))} for item in server.get("todo") or ()]


def resolve_check(model: Mapping[str, Any], check: Mapping[str, Any]) -> dict:
    """One check of a schema-2 report with its shared texts filled in: title, rule, message, remediation, window."""
    table = (model.get("checks") or {}).get(check.get("id")) or {}
    out = {**check, "title": table.get("title") or check.get("id"), "rule": table.get("rule"),
           "message": _at(model.get("messages") or [], check.get("message")),
           "remediation": (model.get("remediations") or {}).get(check.get("remediation"))}
    evidence = check.get("evidence")
    if isinstance(evidence, int):
        evidence = _at(model.get("evidence") or [], evidence)
        out["evidence"] = evidence
    if isinstance(evidence, Mapping):
        window, attempt = evidence.get("window"), evidence.get("last_attempt")
        if isinstance(window, str) or (isinstance(attempt, Mapping) and isinstance(attempt.get("hint"), str)):
            evidence = dict(evidence)
            if isinstance(window, str):
                evidence["window"] = (model.get("upgrade_windows") or {}).get(window)
            if isinstance(attempt, Mapping) and isinstance(attempt.get("hint"), str):
                evidence["last_attempt"] = {**attempt, "hint": (model.get("upload_hints") or {}).get(attempt["hint"])}
            out["evidence"] = evidence
    return out


def expand_report(model: Mapping[str, Any]) -> dict:
    """A schema-2 report with every shared text and derived view filled in, for a reader that wants each server whole.

    Each server gets its checks resolved (:func:`resolve_check`: title, rule, message, remediation text,
    evidence with its window and hint), its ``facts`` (:func:`server_facts`), its to-do actions with their
    text and its ``licensing`` row; the chart gets its ``bars``, ``todo_week`` its action texts and
    ``licensing`` its per-server rows. A copy: the report itself is not changed.
    """
    servers = []
    for server in model.get("servers") or ():
        servers.append({**server, "facts": server_facts(model, server),
                        "checks": [resolve_check(model, c) for c in server.get("checks") or ()],
                        "todo": resolve_todo(model, server), "licensing": licensing_row(server, model)})
    chart = {**(model.get("chart") or {}), "bars": chart_bars(model.get("servers") or (), model)}
    licensing = {**(model.get("licensing") or {}), "servers": [s["licensing"] for s in servers]}
    return {**model, "servers": servers, "chart": chart, "todo_week": expand_week(model), "licensing": licensing}
