# Copyright: (c) 2026, ctxlic maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Test records for the compliance evaluation and the report (shape: .build/INFO_RECORD.md).

``make_record`` builds a healthy, reporting, current License Server record; overrides change
the parts a test is about. ``mixed_fleet`` is a dozen servers in the states a real estate shows
(plus one with hostile strings), with the evidence-history rows the report gets next to them.
"""

from __future__ import annotations

import copy
from datetime import timedelta
from typing import Any

from ansible_collections.ctxlic.license_server.plugins.plugin_utils._compliance.fleet import evaluate_fleet
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._compliance.server_checks import evaluate_server
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._compliance.report_model import build_report
from clock import NOW

AS_OF = NOW  # reports are built as of the tests' clock
HOSTILE = "=cmd|' /C calc'!A0 <script>alert(1)</script> \"quotes\" &amp; |pipe| `tick`\nsecond line\x07end"
HOSTILE_HOST = HOSTILE
HOSTILE_OBSOLETE = "+<img src=x onerror=alert(2)>|old\nls\x07"


def ago(days: int, hours: int = 0) -> str:
    return (AS_OF - timedelta(days=days, hours=hours)).strftime("%Y-%m-%dT%H:%M:%SZ")


def day(offset: int) -> str:
    return (AS_OF + timedelta(days=offset)).date().isoformat()


def feature(
    name: str = "XDT_PLT_UD",
    count: int = 100,
    expiry: str | None = None,
    start: str | None = None,
    css_date: str | None = None,
) -> dict:
    return {
        "feature": name,
        "count": count,
        "expiry": expiry or day(400),
        "start": start,
        "css_date": css_date or day(200),
        "serial": "SN-1",
        "permanent": False,
    }


def lic_file(
    name: str, hostname: str, features: list[dict], errors: list | None = None, warnings: list | None = None
) -> dict:
    return {
        "name": name,
        "binding": {"kind": "hostname", "value": hostname},
        "features": features,
        "errors": errors or [],
        "warnings": warnings or [],
    }


def _merge(base: dict, overrides: dict) -> dict:
    for key, value in overrides.items():
        if isinstance(value, dict) and isinstance(base.get(key), dict) and not value.get("__replace__"):
            _merge(base[key], value)
        else:
            base[key] = {k: v for k, v in value.items() if k != "__replace__"} if isinstance(value, dict) else value
    return base


def make_record(host: str, **overrides: Any) -> dict:
    """A healthy record for ``host``; nested dicts in ``overrides`` merge (``__replace__: True`` replaces)."""
    hostname = overrides.pop("hostname", host.upper())
    record = {
        "host": host,
        "reachable": True,
        "failed": False,
        "error": None,
        "installed": True,
        "hostname": hostname,
        "macs": ["00:15:5d:01:02:03"],
        "version": {"text": "11.17.2.0 build 51000", "major": 11, "minor": 17, "patch": 2, "build": 51000},
        "install_dir": "C:\\Program Files (x86)\\Citrix\\Licensing",
        "services": [{"name": "Citrix Licensing", "state": "running", "start_mode": "auto"}],
        "management_service": {"enabled": True, "raw": "enabled"},
        "reporting_mode": "automatic",
        "proxy": {"configured": False, "value": None, "findings": []},
        "upload": {
            "status": "success",
            "code": "CTX_UPLOADER_SUCCESS",
            "message": "",
            "arg": None,
            "time": ago(1),
            "upload_type": "CTX_UPLOAD_TYPE_COMPLIANCE",
            "reason": None,
            "hint": None,
        },
        "pending_uploads": {"count": 0, "bytes": 0, "oldest": None, "newest": None, "files": []},
        "disk": {"free_bytes": 50 * 1024**3, "total_bytes": 100 * 1024**3},
        "licenses": {"files": [lic_file(f"FID_{host}.lic", hostname, [feature()])], "in_use": {"XDT_PLT_UD": 12}},
        "window": {
            "status": "current",
            "deadline": None,
            "days_left": None,
            "days_overdue": None,
            "due_soon": False,
            "latest": "11.17.2 build 51000",
        },
        # LAS in use next to the license file (the License Server serves both side by side), in daily contact.
        "licensing": {
            "technology": "both",
            "license_files": [f"FID_{host}.lic"],
            "las": {"capable_online": True, "capable_offline": False, "registered": True, "activated": True,
                    "mode": "online", "last_contact": ago(0, 6), "offline_activation": None, "source": "ctxlic_las"},
            "thresholds": {"online_min_build": 51000, "offline_min_build": 53100},
        },
    }
    return _merge(copy.deepcopy(record), overrides)


def unreachable_record(host: str, error: str = "WinRM: connection refused") -> dict:
    """What the gather returns for a host it could not reach: everything unknown."""
    return {
        "host": host,
        "reachable": False,
        "failed": True,
        "error": error,
        "installed": None,
        "hostname": None,
        "macs": [],
        "version": None,
        "install_dir": None,
        "services": [],
        "management_service": None,
        "reporting_mode": "unknown",
        "proxy": None,
        "upload": None,
        "pending_uploads": None,
        "disk": None,
        "licenses": None,
        "window": None,
    }


FAILED_UPLOAD = {
    "status": "failure",
    "code": "CTX_UPLOADER_ERROR_NETWORK_OPEN",
    "message": "SocketOpen(cis.citrix.com:443) exception: No such host is known.",
    "arg": "cis.citrix.com:443",
    "time": ago(0, 9),
    "hint": "allow outbound HTTPS or configure a proxy",
}


def mixed_fleet() -> list[tuple[dict, dict | None]]:
    """(record, last_success history row) for a dozen servers in mixed states, plus a hostile one."""
    pending_old = {
        "count": 3,
        "bytes": 3 * 1024**2,
        "oldest": ago(60),
        "newest": ago(2),
        "files": [{"path": "C:\\x\\upload_compliance_1.zip", "size": 1024**2, "mtime": ago(60)}] * 3,
    }
    return [
        (make_record("ls-current-01"), None),
        (
            make_record(
                "ls-current-02",
                window={
                    "status": "within_window",
                    "deadline": day(120),
                    "days_left": 120,
                    "latest": "11.17.2 build 52000",
                },
            ),
            None,
        ),
        (
            make_record(
                "ls-due-soon",
                window={
                    "status": "within_window",
                    "deadline": day(10),
                    "days_left": 10,
                    "due_soon": True,
                    "latest": "11.17.2 build 52000",
                },
            ),
            None,
        ),
        (
            make_record(
                "ls-overdue",
                version={"text": "11.17.2.0 build 45000", "build": 45000},
                window={
                    "status": "overdue",
                    "deadline": day(-200),
                    "days_overdue": 200,
                    "latest": "11.17.2 build 52000",
                },
            ),
            None,
        ),
        (
            make_record(
                "ls-below-floor",
                version={"text": "11.16.6.0 build 31000", "minor": 16, "build": 31000},
                window={"status": "below_floor", "deadline": "2023-03-31", "days_overdue": 1332},
            ),
            None,
        ),
        (make_record("ls-firewalled", upload=FAILED_UPLOAD), {"status": "success", "time": ago(40)}),
        (make_record("ls-firewalled-long", upload=FAILED_UPLOAD), {"status": "success", "time": ago(120)}),
        (
            make_record(
                "ls-manual-stale",
                reporting_mode="manual",
                management_service={"enabled": False},
                upload={"time": ago(30)},
                pending_uploads=pending_old,
            ),
            None,
        ),
        (
            make_record(
                "ls-manual-late",
                reporting_mode="manual",
                management_service={"enabled": False},
                upload={"time": ago(100)},
                pending_uploads=pending_old,
            ),
            None,
        ),
        (
            make_record(
                "ls-expired",
                licenses={
                    "files": [
                        lic_file("FID_old.lic", "LS-EXPIRED", [feature(expiry=day(-30))]),
                        lic_file("FID_future.lic", "LS-EXPIRED", [feature("XDT_ENT_UD", 50, start=day(20))]),
                        lic_file(
                            "FID_broken.lic",
                            "LS-EXPIRED",
                            [],
                            errors=[{"code": "multiple_hostnames", "message": "several HOSTNAME= entries"}],
                        ),
                    ]
                },
            ),
            None,
        ),
        (unreachable_record("ls-unreachable"), {"status": "success", "time": ago(5)}),
        (
            make_record(
                "ls-never",
                upload={
                    "__replace__": True,
                    "status": "unknown",
                    "code": None,
                    "message": None,
                    "time": None,
                    "reason": "upload_compliance_result.xml missing",
                },
            ),
            None,
        ),
        (
            make_record(
                HOSTILE_HOST, hostname=HOSTILE_HOST, upload={**FAILED_UPLOAD, "message": HOSTILE, "code": HOSTILE}
            ),
            {"status": "success", "time": ago(10)},
        ),
    ]


def evaluated_fleet(**server_kwargs: Any) -> list[dict]:
    return [evaluate_server(rec, as_of=AS_OF, last_success=hist, **server_kwargs) for rec, hist in mixed_fleet()]


CATALOG = {
    "releases": [
        {"version": "11.17.2 build 51000", "released": "2024-12-10"},
        {"version": "11.17.2 build 52000", "released": "2026-07-01"},
    ],
    "fetched_at": ago(2),
    "origin": "shipped+fetched:https://example.invalid/whats-new",
}


def fleet_model(
    *,
    obsolete: list | tuple = ("OLD-LS-2018", HOSTILE_OBSOLETE),
    catalog: dict | None = None,
    options: dict | None = None,
) -> dict:
    """Evaluate the mixed fleet and build the report model the renderers take."""
    results = evaluated_fleet()
    cat = CATALOG if catalog is None else catalog
    fleet = evaluate_fleet(results, obsolete_allocations=list(obsolete), catalog=cat, as_of=AS_OF)
    return build_report(
        fleet,
        results,
        generated_at=AS_OF,
        title="License Server compliance — test fleet",
        catalog=cat,
        as_of=AS_OF,
        options={"collection_version": "0.1.0", **(options or {})},
    )


def patch_render(monkeypatch: Any, name: str, value: Any) -> None:
    """Set ``name`` to ``value`` in every report-render module that holds it (a constant is bound in each module that
    imports it, so patching its defining module alone would not reach the renderers)."""
    from ansible_collections.ctxlic.license_server.plugins.plugin_utils._compliance import report_render
    from ansible_collections.ctxlic.license_server.plugins.plugin_utils._compliance.render import (
        chart, common, csv_report, html_report, json_report, junit_report, markdown_report, shared, templates,
    )
    for module in (report_render, common, chart, csv_report, html_report, json_report, junit_report, markdown_report,
                   shared, templates):
        if hasattr(module, name):
            monkeypatch.setattr(module, name, value)
