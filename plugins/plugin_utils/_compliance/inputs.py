# Copyright: (c) 2026, ctxlic maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# Internal use only: this module is private to ctxlic.license_server and may change at any time.
"""Turn what a play gathered into the inputs of the fleet report, and its outcome into a task result (pure).

The ``fleet_report`` module runs once on the controller after ``ctxlic.license_server.info`` ran on
every license server. A host whose gather failed or that was unreachable must still appear in the
report: the FAQ status (seed 000) counts every allocated license server, and one that cannot be
verified cannot be shown to have reported. Such hosts become failed records
(``info_record.failed_record``) here instead of being dropped.

Pure: no I/O, no clock. The action plugin reads files and the evidence database.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime
from typing import Any

from ansible_collections.ctxlic.license_server.plugins.plugin_utils._compliance.rules import (
    FLEET_COMPLIANT,
    FLEET_NON_COMPLIANT,
)
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._common.errors import InputError
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._server.info_record import (
    failed_record,
    judge_window,
)
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._server.release_catalog import Catalog
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._common.timeutil import parse_iso

FAIL_ON_CHOICES = ("non_compliant", "partially_compliant", "action_required", "never")
UPLOAD_STATUSES = ("success", "failure", "unknown")


def _text(value: Any, limit: int = 500) -> str:
    return str(value if value is not None else "").strip()[:limit]


def record_from_result(host: str, registered: Any, info_var: str) -> dict[str, Any]:
    """The ``server`` record of ``host`` from its registered ``info`` result, or a failed record saying why."""
    if registered is None:
        return failed_record(host, f"no '{info_var}' result: the info gather did not run on this host (a limited or "
                                   "interrupted run, or the host failed earlier in the play); run "
                                   "ctxlic.license_server.info on it and register it as " + info_var)
    if not isinstance(registered, Mapping):
        return failed_record(host, f"'{info_var}' is a {type(registered).__name__}, not the result of "
                                   "ctxlic.license_server.info; register the info task's result under that name")
    if registered.get("unreachable"):
        return failed_record(host, f"host unreachable: {_text(registered.get('msg')) or 'no message'}",
                             reachable=False)
    if registered.get("failed"):
        return failed_record(host, f"the info gather failed: {_text(registered.get('msg')) or 'no message'}")
    if registered.get("skipped"):
        return failed_record(host, "the info gather was skipped on this host "
                                   f"({_text(registered.get('skip_reason')) or 'condition false'})")
    server = registered.get("server")
    if not isinstance(server, Mapping):
        return failed_record(host, f"'{info_var}' has no 'server' record; register the result of "
                                   "ctxlic.license_server.info (not of another module)")
    return {**server, "host": host}


def apply_window(record: dict[str, Any], window_result: Any) -> dict[str, Any]:
    """Use the verdict of a per-host ``upgrade_window`` task (fresher catalog) instead of the gathered one."""
    if (
        isinstance(window_result, Mapping)
        and not window_result.get("failed")
        and not window_result.get("skipped")
        and isinstance(window_result.get("window"), Mapping)
        and not record.get("failed")
    ):
        return {**record, "window": dict(window_result["window"])}
    return record


def judge_windows(records: list[dict[str, Any]], catalog: Catalog, day: date | None,
                  warn_days: int) -> list[dict[str, Any]]:
    """Each gathered record with its upgrade window judged again against *catalog*, on *day* (``as_of``), or on
    the day of the record's own gather (``observed_at``, the host's clock, as ``info`` judged it) when None.

    ``fleet_report`` does this once on the controller when it was given a catalog URL (a catalog fresher than
    the one ``info`` had) or an ``as_of``: the per-host ``upgrade_window`` task the telemetry role ran before
    only recomputed what the record holds (issue 18 item 2). Records of hosts that were not gathered, or not
    installed, keep what they hold.
    """
    judged = []
    for record in records:
        observed = parse_iso(record.get("observed_at")) if isinstance(record.get("observed_at"), str) else None
        when = day or (observed.date() if observed else None)
        if record.get("failed") or not record.get("installed") or when is None:
            judged.append(record)
            continue
        try:
            window = judge_window(record, catalog, when, warn_days)
        except InputError:  # a version text a hand-made record spells oddly: keep the record's own verdict
            judged.append(record)
            continue
        judged.append({**record, "window": window})
    return judged


def catalog_from_windows(window_results: list[Any]) -> dict[str, Any] | None:
    """The ``catalog`` of the first successful ``upgrade_window`` result, or None."""
    for result in window_results:
        if isinstance(result, Mapping) and not result.get("failed") and isinstance(result.get("catalog"), Mapping):
            return dict(result["catalog"])
    return None


def normalise_catalog(catalog: Any) -> dict[str, Any] | None:
    """Adapt the ``upgrade_window`` module's ``catalog`` return for ``compliance.catalog_notice``.

    That return names its verdict text ``stale_message``; the report reads ``message``.
    """
    if catalog is None:
        return None
    if not isinstance(catalog, Mapping):
        raise InputError(f"catalog must be the 'catalog' dict that ctxlic.license_server.upgrade_window returns, got "
                         f"{type(catalog).__name__}.")
    result = dict(catalog)
    if "message" not in result and isinstance(result.get("stale_message"), str):
        result["message"] = result["stale_message"]
    return result


def check_records(records: Any) -> list[dict[str, Any]]:
    """Validate an explicit ``records`` list (each the ``server`` record of the info module)."""
    if not isinstance(records, list):
        raise InputError("records must be a list of 'server' records from ctxlic.license_server.info.")
    seen: set[str] = set()
    result = []
    for index, record in enumerate(records):
        if not isinstance(record, Mapping) or not isinstance(record.get("host"), str) or not record["host"]:
            raise InputError(f"records[{index}] is not a 'server' record of ctxlic.license_server.info (it needs a "
                             "'host' naming the inventory host).")
        if record["host"] in seen:
            raise InputError(f"records[{index}]: host {record['host']!r} appears twice; give one record per host.")
        seen.add(record["host"])
        result.append(dict(record))
    return result


def parse_as_of(text: str | None, now: datetime) -> datetime:
    """``as_of`` as an aware UTC datetime: a date (``YYYY-MM-DD``, midnight UTC) or an ISO 8601 time."""
    if text is None or not str(text).strip():
        return now.astimezone(UTC)
    value = str(text).strip()
    try:
        if len(value) == 10:
            return datetime.combine(date.fromisoformat(value), datetime.min.time(), tzinfo=UTC)
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise InputError(f"as_of={value!r} is not a date (2026-11-22) or an ISO 8601 time "
                         "(2026-11-22T10:00:00Z).") from None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def observation(record: Mapping[str, Any]) -> tuple[str, dict[str, Any]] | None:
    """``(observed_at, upload)`` to record in the evidence history, or None when there is nothing verified."""
    upload = record.get("upload")
    if record.get("failed") or not record.get("reachable", True) or not isinstance(upload, Mapping):
        return None
    if upload.get("status") not in UPLOAD_STATUSES or not isinstance(record.get("observed_at"), str):
        return None
    return record["observed_at"], dict(upload)


def inventory_names(records: Sequence[Mapping[str, Any]]) -> list[str]:
    """Every name a server is known by (inventory name and LS host name), to match portal allocations."""
    names: list[str] = []
    for record in records:
        for key in ("host", "hostname"):
            value = record.get(key)
            if isinstance(value, str) and value and value not in names:
                names.append(value)
    return names


def fail_message(fail_on: str, fleet_eval: Mapping[str, Any]) -> str | None:
    """Why the task fails under ``fail_on``, or None.

    ``non_compliant``: the FAQ status is Non-Compliant. ``partially_compliant``: it is anything but
    Compliant (an empty or unverifiable estate, ``Unknown``, cannot be shown compliant either).
    ``action_required``: anything needs action (FAQ status not Compliant, a failed check, an obsolete
    allocation, a server not compliant). ``never``: never.
    """
    if fail_on not in FAIL_ON_CHOICES:
        raise InputError(f"fail_on={fail_on!r}: choose one of {', '.join(FAIL_ON_CHOICES)}.")
    status = fleet_eval.get("status")
    triggered = {
        "never": False,
        "non_compliant": status == FLEET_NON_COMPLIANT,
        "partially_compliant": status != FLEET_COMPLIANT,
        "action_required": bool(fleet_eval.get("action_required")),
    }[fail_on]
    if not triggered:
        return None
    hosts = ", ".join(_text(n.get("host"), 80) for n in fleet_eval.get("not_reporting") or [] if isinstance(n, Mapping))
    findings = "; ".join(_text(f.get("title"), 120) + ": " + ", ".join(map(str, f.get("hosts") or []))
                         for f in fleet_eval.get("other_findings") or [] if isinstance(f, Mapping))
    parts = [f"Fleet status {status} (fail_on={fail_on}): {_text(fleet_eval.get('status_reason'))}"]
    if hosts:
        parts.append(f"Not reporting: {hosts}.")
    if findings and fail_on == "action_required":
        parts.append(f"Other findings: {findings}.")
    return " ".join(parts)


def server_summaries(results: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Per-host status and checks for the task result, sorted by host."""
    return [
        {
            "host": r.get("host"),
            "hostname": r.get("hostname"),
            "status": r.get("status"),
            "reporting": bool(r.get("reporting")),
            "usable": bool(r.get("usable", True)),
            "checks": [{"id": c.get("id"), "status": c.get("status"), "message": c.get("message")}
                       for c in r.get("checks", []) if isinstance(c, Mapping)],
        }
        for r in sorted(results, key=lambda r: (str(r.get("host", "")).casefold(), str(r.get("host", ""))))
    ]


def fleet_summary(fleet_eval: Mapping[str, Any]) -> dict[str, Any]:
    """The part of ``evaluate_fleet`` the task returns as ``fleet``."""
    return {
        "status": fleet_eval.get("status"),
        "status_reason": fleet_eval.get("status_reason"),
        "action_required": bool(fleet_eval.get("action_required")),
        "attention_required": bool(fleet_eval.get("attention_required")),
        "counts": dict(fleet_eval.get("counts") or {}),
        "not_reporting": [dict(n) for n in fleet_eval.get("not_reporting") or []],
        "other_findings": [
            {"id": f.get("id"), "severity": f.get("severity"), "title": f.get("title"),
             "hosts": list(f.get("hosts") or []), "message": f.get("message")}
            for f in fleet_eval.get("other_findings") or [] if isinstance(f, Mapping)
        ],
    }


MAX_UPLOAD_AGE_LIMIT = 3650  # ten years: a larger limit is a typo (the vendor's rule is 90 days, seed 000)


def check_max_upload_age(value: Any) -> int:
    """``max_upload_age_days`` is a whole number of days from 1 to 3650 (the vendor's rule is 90)."""
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_UPLOAD_AGE_LIMIT:
        raise InputError(f"max_upload_age_days={value!r}: give a whole number of days from 1 to "
                         f"{MAX_UPLOAD_AGE_LIMIT}; the vendor's rule (Citrix License Telemetry FAQ, CTX477614) is "
                         "90.")
    return value


def input_rows_summary(option: str, path: str, read: Any) -> dict[str, Any]:
    """Account for every row of an input file in the report (issue 14 item 6).

    ``read`` is an ``allocations.AllocationRead``: rows used as given, rows used with a finding
    (the host still counts, a cell is UNKNOWN) and rows ignored, each finding with its reason.
    """
    allocations = list(getattr(read, "allocations", []) or [])
    findings = [dict(f) for f in getattr(read, "findings", []) or [] if isinstance(f, Mapping)]
    # Rows, counted once however many findings they have.
    ignored = {f.get("row") for f in findings if f.get("ignored")}
    flagged = {f.get("row") for f in findings if not f.get("ignored")}
    total = len(allocations) + len(ignored)
    return {
        "option": option,
        "path": path,
        "rows": total,
        "used": len(allocations),
        "used_with_findings": len(flagged),
        "ignored": len(ignored),
        "findings": [{"row": f.get("row"), "code": f.get("code"), "host": f.get("host"),
                      "ignored": bool(f.get("ignored")), "message": _text(f.get("message"), 400)}
                     for f in findings],
        "message": (f"{option}: {total} data row{'s' if total != 1 else ''} read: {len(allocations)} used "
                    f"({len(flagged)} of them with a finding), {len(ignored)} ignored."),
    }
