# Copyright: (c) 2026, ctxlic maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# Internal use only: this module is private to ctxlic.license_server and may change at any time.
"""Compliance of a fleet of License Servers (pure: no I/O, no clock reads).

Seed 000 (Citrix License Telemetry FAQ, CTX477614): ``Compliant`` when every allocated License Server
sent telemetry in the last 90 days, ``Partially Compliant`` when some did not and ``Non-Compliant`` when
none did. :func:`evaluate_fleet` folds the results of :func:`.server_checks.evaluate_server`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Iterable, Mapping, Sequence

from ansible_collections.ctxlic.license_server.plugins.plugin_utils._common.errors import InputError
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._license.allocations import surplus as _surplus
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._server import las as _las
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._compliance.catalog_notice import catalog_notice
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._compliance.rules import (
    COMPLIANT,
    FAIL,
    FLEET_COMPLIANT,
    FLEET_NON_COMPLIANT,
    FLEET_PARTIAL,
    FLEET_UNKNOWN,
    NON_COMPLIANT,
    REMEDIATION,
    SERVER_UNKNOWN,
    SOURCE_FAQ,
    SOURCE_PROGRAMS,
    SOURCE_STATUS,
    UNKNOWN,
    WARN,
)
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._compliance.values import (
    as_int,
    as_text,
    iso_utc,
    normalise_purchased,
    require_as_of,
    require_days,
)


def _identity(result: Mapping[str, Any]) -> str:
    """The allocation key of a server: the LS host name (allocations are per host name, 002), else the host."""
    hostname = result.get("hostname")
    return (hostname if isinstance(hostname, str) and hostname else as_text(result.get("host"))).casefold()


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
            target = as_text(extra.get("inventory_host")) or name
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
            row["products"] = sorted({*row["products"], *(as_text(p) for p in products)})
        total = extra.get("quantity_total", 0) if extra else 0
        if total is None or row["quantity_total"] is None:
            row["quantity_total"] = None  # UNKNOWN: a quantity in the export could not be read
            row["quantity_unknown"] = True
        else:
            row["quantity_total"] += max(as_int(total) or 0, 0)
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
            raise InputError(f"server_results entry {as_text(item)[:80]!r} is not an evaluate_server() result.")
    as_of = require_as_of(as_of) if as_of is not None else None
    require_days("catalog_max_age_days", catalog_max_age_days)
    purchased_counts = normalise_purchased(purchased)

    identities: dict[str, list[Mapping[str, Any]]] = {}
    for item in results:
        identities.setdefault(_identity(item), []).append(item)
    known = set(identities) | {as_text(r.get("host")).casefold() for r in results}
    obsolete, notes = _normalise_obsolete(obsolete_allocations, known)

    reporting_ids = sorted(k for k, members in identities.items() if any(m.get("reporting") for m in members))
    allocated = len(identities) + len(obsolete)
    status, status_reason = _fleet_status(allocated, len(reporting_ids))
    indexed = _index(results)
    in_host_order = sorted(indexed, key=lambda pair: _host_key(pair[0]))
    not_reporting = [{"host": r["host"], "reason": _not_reporting_reason(checks)}
                     for r, checks in in_host_order if not r.get("reporting")]
    not_reporting += [{"host": o["host"], "reason": "obsolete license server — return these allocations"}
                      for o in obsolete]

    findings = _other_findings(indexed, in_host_order)
    fleet_surplus = _fleet_surplus(indexed, purchased_counts)
    if fleet_surplus:
        findings.append(fleet_surplus)
    notice = catalog_notice(catalog, as_of=as_of, max_age_days=catalog_max_age_days)
    if notice["stale"]:
        findings.append({"id": "catalog_stale", "severity": WARN, "reason": "evidence quality",
                         "title": "Release catalog stale or missing", "hosts": [], "message": notice["message"]})
    counts = _fleet_counts(indexed, obsolete, allocated, len(reporting_ids))
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
    host = as_text(result.get("host"))
    return host.casefold(), host


#: A result with its checks by id (the first check of an id wins, as a scan would find it).
Indexed = tuple[Mapping[str, Any], dict[Any, Mapping[str, Any]]]
_EMPTY: Mapping[str, Any] = {}


def _index(results: Sequence[Mapping[str, Any]]) -> list[Indexed]:
    """Each result with its checks by id, in the given order: every fleet question then looks a check up in
    constant time instead of scanning the server's checks (at 10,000 servers the scans were most of the time)."""
    indexed = []
    for result in results:
        by_id: dict[Any, Mapping[str, Any]] = {}
        for check in result.get("checks", []):
            if isinstance(check, (dict, Mapping)):
                by_id.setdefault(check.get("id"), check)
        indexed.append((result, by_id))
    return indexed


def _not_reporting_reason(checks: dict[Any, Mapping[str, Any]]) -> str:
    for check_id in ("reachable", "ls_installed"):
        check = checks.get(check_id, _EMPTY)
        if check.get("status") == FAIL:
            return as_text(check.get("message"))
    return as_text(checks.get("telemetry_upload", _EMPTY).get("message")) or "no verified upload within 90 days"


def _other_findings(indexed: Sequence[Indexed], in_host_order: Sequence[Indexed]) -> list[dict]:
    findings = []
    for check_id, status, fid, reason, title, fix in _FINDINGS:
        matching = [(r, checks[check_id]) for r, checks in in_host_order
                    if checks.get(check_id, _EMPTY).get("status") == status
                    and (status != UNKNOWN or r.get("usable", True))]  # unreachable hosts: see not_verified
        if matching:
            hosts = [r["host"] for r, _check in matching]
            # The fix the hosts' own checks give (a several-HOSTNAME= file is replaced, not returned: issue 15
            # item 5), in the order the results came; the table's default only where a check gives none.
            chosen = {id(check) for _r, check in matching}
            own = [str(checks[check_id].get("remediation")) for _r, checks in indexed
                   if id(checks.get(check_id)) in chosen and checks[check_id].get("remediation")]
            fix_text = "; ".join(dict.fromkeys(own)) if own else REMEDIATION[fix]
            findings.append(_finding(fid, status, reason, title, hosts, fix_text))
    return findings


def _fleet_surplus(indexed: Sequence[Indexed], purchased: dict[str, int] | None) -> dict | None:
    if purchased is None:
        return None
    totals: dict[str, int] = {}
    seen: set[str] = set()
    for result, checks in indexed:
        ident = _identity(result)
        installed = (checks.get("licenses_surplus", _EMPTY).get("evidence") or {}).get("installed")
        if ident in seen or not isinstance(installed, Mapping):
            continue  # a DR pair carries the same files: count one allocation once
        seen.add(ident)
        for feature, counts in installed.items():
            value = as_int(counts.get("installed")) if isinstance(counts, Mapping) else None
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


def _fleet_counts(indexed: Sequence[Indexed], obsolete: list[dict], allocated: int, reporting: int) -> dict:
    results = [r for r, _checks in indexed]

    def with_status(check_id: str, *statuses: str) -> int:
        return sum(1 for _r, checks in indexed if checks.get(check_id, _EMPTY).get("status") in statuses)

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
        **{f"licensing_{tech}": sum(1 for _r, checks in indexed
                                    if (checks.get("licensing_technology", _EMPTY).get("evidence") or {})
                                    .get("technology", _las.UNKNOWN) == tech) for tech in _las.TECHNOLOGIES},
        "las_incapable": with_status("las_capable", FAIL, WARN),
        "las_caching_mode": with_status("las_contact", FAIL),
    }
