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

from ansible_collections.ctxlic.license_server.plugins.plugin_utils import ls_tools
from ansible_collections.ctxlic.license_server.plugins.plugin_utils.errors import InputError
from ansible_collections.ctxlic.license_server.plugins.plugin_utils.ls_version import parse_ls_version
from ansible_collections.ctxlic.license_server.plugins.plugin_utils.timeutil import iso_z, parse_iso

REQUIRED_SERVICES = ("Citrix Licensing", "CitrixWebServicesforLicensing", "CitrixLicensingSupportService")


def _b64(entry: dict | None) -> bytes | None:
    if not entry or entry.get("content_b64") is None:
        return None
    return base64.b64decode(entry["content_b64"])


def empty_record(host: str) -> dict[str, Any]:
    return {
        "host": host, "reachable": True, "failed": False, "error": None, "observed_at": None, "collector": None,
        "installed": False, "hostname": None, "macs": [], "version": None, "install_dir": None, "services": [],
        "management_service": {"enabled": None, "raw": None}, "reporting_mode": "unknown",
        "proxy": {"configured": None, "value": None, "findings": []},
        "upload": None, "pending_uploads": {"count": 0, "bytes": 0, "oldest": None, "newest": None, "files": []},
        "disk": {"free_bytes": None, "total_bytes": None},
        "licenses": {"files": [], "in_use": {}}, "window": None, "problems": [],
    }


def failed_record(host: str, error: str, *, reachable: bool = True) -> dict[str, Any]:
    """The record of a host whose gather failed; the report lists it, never drops it."""
    record = empty_record(host)
    record.update(reachable=reachable, failed=True, error=error)
    return record


def build_record(host: str, raw: dict, *, now: datetime | None = None) -> dict[str, Any]:
    """The per-server record from a raw collection; never raises for odd host data."""
    if not isinstance(raw, dict):
        return failed_record(host, f"the info collection returned {type(raw).__name__}, not an object")
    record = empty_record(host)
    observed = parse_iso(raw.get("now")) or now
    record["observed_at"] = iso_z(observed)
    record["collector"] = raw.get("collector")
    record["macs"] = list(raw.get("macs") or [])
    record["disk"] = {"free_bytes": (raw.get("disk") or {}).get("free_bytes"),
                      "total_bytes": (raw.get("disk") or {}).get("total_bytes")}
    record["services"] = [
        {"name": s.get("name"), "exists": bool(s.get("exists")), "state": s.get("state"), "start_mode": s.get("start_mode")}
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
            record["version"] = {"text": version_text, "major": None, "minor": None, "patch": None, "build": None,
                                 "build_known": False, "error": str(exc)}
            record["problems"].append(f"registry version is malformed: {exc}")
        if not raw.get("install_dir_exists"):
            record["problems"].append(
                f"the registry names install directory {raw.get('install_dir')!r} but it does not exist: "
                "the installation is broken; reinstall with ctxlic.license_server.package")
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
        record["management_service"] = {"enabled": enabled, "raw": lms.get("stdout"), "path": lms.get("path"),
                                        "exists": lms.get("exists")}
        record["reporting_mode"] = {True: "automatic", False: "manual"}.get(enabled, "unknown")
        if not lms.get("exists"):
            record["problems"].append(f"{lms.get('path')} is missing")
        elif enabled is None:
            record["problems"].append("could not tell the License Management Service state from its -query output")

    record["licenses"]["files"] = [
        {"name": f.get("name"), "path": f.get("path"), "size": f.get("size"), "mtime": f.get("mtime")}
        for f in raw.get("myfiles") or [] if str(f.get("name", "")).lower().endswith(".lic")
    ]
    record["myfiles"] = [f.get("name") for f in raw.get("myfiles") or []]
    return record


def myfiles_dir(install_dir: str) -> str:
    return ntpath.join(install_dir, "MyFiles")
