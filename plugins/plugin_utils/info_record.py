"""Turn the raw one-shot collection from a license server into the per-server record (pure).

The raw collection (``collect_info.ps1`` on Windows, ``labctl collect-info`` in the lab) carries
file contents and tool outputs; everything is parsed here, on the controller, with the same code
for both backends. The record's keys are documented in ``docs/info_record.md`` and in the
``info`` module's RETURN; the fleet report reads nothing else.
"""

from __future__ import annotations

import base64
import ntpath
from datetime import datetime
from typing import Any

from ansible_collections.ctxlic.license_server.plugins.plugin_utils import license_file, ls_tools
from ansible_collections.ctxlic.license_server.plugins.plugin_utils.errors import CtxlicError, InputError
from ansible_collections.ctxlic.license_server.plugins.plugin_utils.lmstat import parse_lmstat
from ansible_collections.ctxlic.license_server.plugins.plugin_utils.ls_version import parse_ls_version
from ansible_collections.ctxlic.license_server.plugins.plugin_utils.proxy_config import read_proxy
from ansible_collections.ctxlic.license_server.plugins.plugin_utils.telemetry_bundle_plan import classify_pending
from ansible_collections.ctxlic.license_server.plugins.plugin_utils.timeutil import iso_z, parse_iso
from ansible_collections.ctxlic.license_server.plugins.plugin_utils.upgrade_window import evaluate_window
from ansible_collections.ctxlic.license_server.plugins.plugin_utils.upload_result import parse_upload_result

REQUIRED_SERVICES = ("Citrix Licensing", "CitrixWebServicesforLicensing", "CitrixLicensingSupportService")


def _b64(entry: dict | None) -> bytes | None:
    if not entry or entry.get("content_b64") is None:
        return None
    return base64.b64decode(entry["content_b64"])


def empty_record(host: str) -> dict[str, Any]:
    return {
        "host": host,
        "reachable": True,
        "failed": False,
        "error": None,
        "observed_at": None,
        "collector": None,
        "installed": False,
        "hostname": None,
        "macs": [],
        "version": None,
        "install_dir": None,
        "services": [],
        "management_service": {"enabled": None, "raw": None},
        "reporting_mode": "unknown",
        "proxy": {"configured": None, "value": None, "findings": []},
        "upload": None,
        "pending_uploads": {"count": 0, "bytes": 0, "oldest": None, "newest": None, "files": []},
        "disk": {"free_bytes": None, "total_bytes": None},
        "licenses": {"files": [], "in_use": {}},
        "window": None,
        "problems": [],
    }


def failed_record(host: str, error: str, *, reachable: bool = True) -> dict[str, Any]:
    """The record of a host whose gather failed; the report lists it, never drops it."""
    record = empty_record(host)
    record.update(reachable=reachable, failed=True, error=error)
    return record


def build_record(
    host: str,
    raw: dict,
    *,
    now: datetime | None = None,
    releases: list | None = None,
    expiry_warning_days: int = 30,
    warn_days: int = 30,
) -> dict[str, Any]:
    """The per-server record from a raw collection; never raises for odd host data.

    ``releases`` (the release catalog) enables the upgrade-window status; ages and expiries are
    computed at the host's own clock (``observed_at``), falling back to ``now``.
    """
    if not isinstance(raw, dict):
        return failed_record(host, f"the info collection returned {type(raw).__name__}, not an object")
    record = empty_record(host)
    observed = parse_iso(raw.get("now")) or now
    record["observed_at"] = iso_z(observed)
    record["collector"] = raw.get("collector")
    record["macs"] = list(raw.get("macs") or [])
    record["disk"] = {
        "free_bytes": (raw.get("disk") or {}).get("free_bytes"),
        "total_bytes": (raw.get("disk") or {}).get("total_bytes"),
    }
    record["services"] = [
        {
            "name": s.get("name"),
            "exists": bool(s.get("exists")),
            "state": s.get("state"),
            "start_mode": s.get("start_mode"),
        }
        for s in raw.get("services") or []
    ]
    registry = raw.get("registry")
    record["install_dir"] = raw.get("install_dir")
    if registry:
        record["installed"] = True
        version_text = registry.get("Version")
        try:
            record["version"] = parse_ls_version(version_text).to_dict()
        except InputError as exc:
            record["version"] = {
                "text": version_text,
                "major": None,
                "minor": None,
                "patch": None,
                "build": None,
                "build_known": False,
                "error": str(exc),
            }
            record["problems"].append(f"registry version is malformed: {exc}")
        if not raw.get("install_dir_exists"):
            record["problems"].append(
                f"the registry names install directory {raw.get('install_dir')!r} but it does not exist: "
                "the installation is broken; reinstall with ctxlic.license_server.package"
            )
    elif raw.get("install_dir_exists"):
        record["problems"].append("License Server files exist but the registry key is missing: broken installation")
    missing = [s["name"] for s in record["services"] if not s["exists"]]
    if record["installed"] and missing:
        record["problems"].append("services missing: " + ", ".join(missing))
    stopped = [s["name"] for s in record["services"] if s["exists"] and s["state"] != "running"]
    if stopped:
        record["problems"].append("services not running: " + ", ".join(stopped))

    hostids = ls_tools.parse_lmhostid((raw.get("lmhostid") or {}).get("stdout"))
    record["hostname"] = hostids[0] if hostids else raw.get("computer_name")

    lms = raw.get("management_service") or {}
    if lms:
        enabled = ls_tools.parse_management_query(lms.get("stdout")) if lms.get("rc") == 0 else None
        record["management_service"] = {
            "enabled": enabled,
            "raw": lms.get("stdout"),
            "path": lms.get("path"),
            "exists": lms.get("exists"),
        }
        record["reporting_mode"] = {True: "automatic", False: "manual"}.get(enabled, "unknown")
        if not lms.get("exists"):
            record["problems"].append(f"{lms.get('path')} is missing")
        elif enabled is None:
            record["problems"].append("could not tell the License Management Service state from its -query output")

    record["myfiles"] = [f.get("name") for f in raw.get("myfiles") or []]
    if observed is not None:
        _add_licenses(record, raw, observed, expiry_warning_days)
        _add_telemetry(record, raw, observed)
        _add_window(record, releases, observed, warn_days)
    _add_proxy(record, raw)
    return record


def _add_licenses(record: dict, raw: dict, observed: datetime, expiry_warning_days: int) -> None:
    """Parse every ``.lic`` in MyFiles (seed 004: only lower-case ``.lic`` files are license files)."""
    today = observed.date()
    reports, entries = [], []
    for item in raw.get("myfiles") or []:
        name = str(item.get("name", ""))
        if not name.lower().endswith(".lic"):
            continue
        content = _b64(item)
        base = {"name": name, "path": item.get("path"), "size": item.get("size"), "mtime": item.get("mtime")}
        if content is None:
            entries.append(
                {
                    **base,
                    "errors": [
                        {
                            "code": "not_read",
                            "message": f"{name} is larger than the max_file_bytes limit and was not parsed",
                        }
                    ],
                    "warnings": [],
                }
            )
            continue
        report = license_file.parse_license_file(name, content, today=today, expiry_warning_days=expiry_warning_days)
        reports.append(report)
        entries.append({**base, **report.to_dict()})
    record["licenses"]["files"] = entries
    record["licenses"]["summary"] = license_file.inventory_summary(reports, today=today)
    lmstat = raw.get("lmstat")
    if lmstat and lmstat.get("rc") == 0:
        parsed = parse_lmstat(lmstat.get("stdout"))
        record["licenses"]["lmstat_parsed"] = parsed["parsed"]
        record["licenses"]["in_use"] = {
            name: feat["in_use"] for name, feat in parsed["features"].items() if feat.get("in_use") is not None
        }
    elif lmstat:
        record["licenses"]["lmstat_parsed"] = False
        record["problems"].append(
            f"lmstat -a did not answer (rc={lmstat.get('rc')}): "
            f"{(lmstat.get('stderr') or lmstat.get('stdout') or '').strip()[:200]}"
        )


def _add_telemetry(record: dict, raw: dict, observed: datetime) -> None:
    upload = raw.get("upload_result")
    if upload is None:
        reason = (
            "the License Server is not installed"
            if not record["installed"]
            else "upload_compliance_result.xml not found: no upload has been attempted yet"
        )
        record["upload"] = parse_upload_result(None, now=observed, reason_if_missing=reason)
    else:
        content = _b64(upload)
        record["upload"] = parse_upload_result(content, now=observed, reason_if_missing="result file too large to read")
        record["upload"]["path"] = upload.get("path")
    try:
        record["pending_uploads"] = classify_pending(list(raw.get("pending") or []))
    except CtxlicError as exc:
        record["problems"].append(f"could not read the pending upload files: {exc}")


def _add_proxy(record: dict, raw: dict) -> None:
    config = raw.get("proxy_config")
    if not config:
        if record["installed"]:
            record["proxy"] = {
                "configured": None,
                "value": None,
                "findings": [
                    {
                        "code": "config_missing",
                        "message": "WebServicesForLicensing\\SimpleLicenseServiceConfig.xml not found",
                    }
                ],
            }
        return
    content = _b64(config)
    if content is None:
        record["proxy"] = {
            "configured": None,
            "value": None,
            "findings": [{"code": "too_large", "message": "SimpleLicenseServiceConfig.xml is too large to read"}],
        }
        return
    state = read_proxy(content, source=config.get("path") or "SimpleLicenseServiceConfig.xml").to_dict()
    record["proxy"] = {
        "configured": state.get("configured"),
        "value": state.get("value"),
        "findings": state.get("findings", []),
    }


def _add_window(record: dict, releases: list | None, observed: datetime, warn_days: int) -> None:
    version = record.get("version")
    if not record["installed"]:
        return
    if releases is None:
        record["window"] = {"status": "unknown", "message": "no release catalog was given"}
        return
    if not version or version.get("error") or not version.get("build_known"):
        record["window"] = {"status": "unknown", "message": "the installed version (with its build) is not known"}
        return
    parsed = parse_ls_version(version["text"])
    record["window"] = evaluate_window(parsed, releases, observed.date(), warn_days)


def myfiles_dir(install_dir: str) -> str:
    return ntpath.join(install_dir, "MyFiles")
