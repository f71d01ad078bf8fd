# Copyright: (c) 2026, ctxlic maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# Internal use only: this module is private to ctxlic.license_server and may change at any time.
"""Sliced gathers that add up to one fleet report (issue 19 item 2), on the evidence history.

AWX job slicing (or any split of the inventory over several jobs) runs the gather in parts. Each
part, a *gather* job (``fleet_report`` ``mode: gather``), records the ``info`` result (and the
``upgrade_window`` result) of each of its servers in the shared evidence history, exactly as
fleet_report would have received them, and writes no fleet verdict: a part of the fleet has none.
A *report* job (``mode: report``) then judges the whole fleet (the inventory's full host list) from
the history, using each server's latest gather no older than the freshness limit
(``gather_max_age_hours``); a server without one is reported as not gathered. ``mode: full`` (the
default) gathers and judges in one run, as before.

The rows are keyed by (host, run id): a retried gather job replaces its own rows and never adds
duplicates; concurrent slices each commit all their rows or none (evidence_history.py).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from ansible_collections.ctxlic.license_server.plugins.plugin_utils._common.errors import InputError
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._license.allocations import allocated_servers
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._store.evidence_history import EvidenceHistory

MODES = ("full", "gather", "report")
#: Where a report job takes the fleet's host list from: the hosts given (the inventory's full host list), or the
#: allocation export of the licensing portal (every server that holds allocations).
EXPECTED_HOSTS = ("inventory", "allocations")
DEFAULT_MAX_AGE_HOURS = 24
#: Variables AWX / AAP set on every job: a gather run is named after its job unless told otherwise.
_JOB_ID_VARIABLES = ("awx_job_id", "tower_job_id")


def check_mode_options(mode: str, history_enabled: bool, max_age_hours: int) -> None:
    if mode not in MODES:
        raise InputError(f"mode={mode!r}: choose one of {', '.join(MODES)}.")
    if mode != "full" and not history_enabled:
        raise InputError(f"mode={mode} works through the evidence history (the gather jobs record there what the "
                         "report job reads): set history to true.")
    if not isinstance(max_age_hours, int) or isinstance(max_age_hours, bool) or not 1 <= max_age_hours <= 24 * 90:
        raise InputError(f"gather_max_age_hours={max_age_hours!r}: give a whole number of hours from 1 to 2160 "
                         "(90 days); a report judges gathers no older than this.")


def check_expected_hosts(expected: str, mode: str, allocations_csv: str | None) -> None:
    if expected not in EXPECTED_HOSTS:
        raise InputError(f"expected_hosts={expected!r}: choose one of {', '.join(EXPECTED_HOSTS)}.")
    if expected == "allocations" and mode != "report":
        raise InputError(f"expected_hosts=allocations is the host list of a report job: use it with mode=report (not "
                         f"mode={mode}); a gather job gathers the hosts of its play.")
    if expected == "allocations" and not allocations_csv:
        raise InputError("expected_hosts=allocations takes the fleet's host list from the allocation export: give "
                         "allocations_csv (the licensing portal's export), or use expected_hosts=inventory.")


def hosts_from_allocations(history: EvidenceHistory, allocations: list[dict[str, Any]], source: str,
                           rows_ignored: int) -> tuple[list[str], dict[str, list[str]]]:
    """The report job's host list from the allocation export: each allocated server under the name the gather jobs
    recorded it with (exact, short DNS name or letter case, as ``allocations.allocated_servers`` matches), or under
    the portal's spelling when no gather names it. Returns the hosts and ``{host: [portal spellings]}``."""
    servers = allocated_servers(allocations, history.gathered_hosts())
    if not servers:
        raise InputError(f"allocations_csv {source}: no row names a license server ({rows_ignored} row(s) ignored, "
                         "listed in the warnings), so there is no fleet to report on. Fix the export (the column "
                         "options name its host column), or use expected_hosts=inventory.")
    return [s["host"] for s in servers], {s["host"]: s["allocated_as"] for s in servers}


def run_id(given: str | None, task_vars: Mapping[str, Any]) -> str:
    """The gather run's name: ``gather_run_id``, else the AWX job id (with its slice), else a new random id."""
    if isinstance(given, str) and given.strip():
        return given.strip()
    for name in _JOB_ID_VARIABLES:
        job = task_vars.get(name)
        if job not in (None, ""):
            part = task_vars.get("awx_job_slice_number")
            return f"awx-job-{job}" + (f"-slice-{part}" if part not in (None, "") else "")
    return f"run-{uuid.uuid4().hex}"


def record_slice(history: EvidenceHistory, hosts: list[str], lookup: Callable[[str, str], Any], info_var: str,
                 window_var: str, run: str, *, check: bool) -> dict[str, Any]:
    """Record each host's registered ``info_var`` / ``window_var`` results of this gather run.

    A host whose info result does not exist (the gather never ran on it in this job) is listed as
    skipped and not recorded: "not run" is no observation, and must not hide an earlier gather.
    """
    now = datetime.now(UTC).replace(microsecond=0)
    results: dict[str, Any] = {}
    skipped: list[str] = []
    for host in hosts:
        info = lookup(host, info_var)
        if info is None:
            skipped.append(host)
            continue
        results[host] = {"info": _plain(info), "window": _plain(lookup(host, window_var))}
    recorded = 0 if check else history.record_gathers(run, now, results)
    return {"run_id": run, "gathered_at": now.strftime("%Y-%m-%dT%H:%M:%SZ"), "hosts": sorted(results),
            "recorded": recorded, "skipped": skipped}


def fleet_from_history(history: EvidenceHistory, hosts: list[str], info_var: str, window_var: str,
                       max_age_hours: int) -> tuple[dict[str, dict[str, Any]], dict[str, Any]]:
    """Hostvars-shaped results of every host's latest fresh gather, and the account of what was found.

    Returns ``({host: {info_var: ..., window_var: ...}}, {"max_age_hours", "since", "fresh", "not_gathered",
    "runs"})``; a host without a fresh gather is absent from the first.
    """
    since = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=max_age_hours)
    latest = history.latest_gathers(hosts, since)
    found: dict[str, dict[str, Any]] = {}
    runs: dict[str, int] = {}
    for host, row in latest.items():
        if row is None:
            continue
        stored = row["result"] if isinstance(row["result"], Mapping) else {}
        found[host] = {info_var: stored.get("info"), window_var: stored.get("window")}
        runs[row["run_id"]] = runs.get(row["run_id"], 0) + 1
    account = {
        "max_age_hours": max_age_hours,
        "since": since.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "fresh": len(found),
        "not_gathered": [h for h in hosts if h not in found],
        "runs": dict(sorted(runs.items())),
    }
    return found, account


def not_gathered_reason(account: Mapping[str, Any], host: str | None = None) -> str:
    allocated = (account.get("allocated_as") or {}).get(host) if host is not None else None
    if allocated is not None:  # expected_hosts=allocations: a server the allocation export names
        shown = ", ".join(repr(a) for a in allocated)
        return (f"not gathered: holds allocations in the allocation export (host {shown}) but has no gather in the "
                f"evidence history since {account['since']} (the last {account['max_age_hours']} hours, "
                "gather_max_age_hours). Either a license server the gather jobs do not cover, or whose gather did "
                "not run, failed or was stopped (add it to their inventory, run the gather, then the report again), "
                "or a decommissioned server whose allocations must be returned in the licensing portal.")
    return (f"not gathered: no gather of this server in the evidence history since {account['since']} (the last "
            f"{account['max_age_hours']} hours, gather_max_age_hours); the gather job or slice that covers it did "
            "not run, failed or was stopped before recording. Run the gather for it, then the report again.")


def _plain(value: Any) -> Any:
    """A registered result as plain JSON data (Ansible's unsafe strings and mappings become str and dict)."""
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, str):
        return str(value)
    return value
