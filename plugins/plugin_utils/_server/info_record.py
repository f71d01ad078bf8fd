# Copyright: (c) 2026, ctxlic maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# Internal use only: this module is private to ctxlic.license_server and may change at any time.
"""Turn the raw one-shot collection from a license server into the per-server record (pure).

The raw collection (``collect_info.ps1`` on Windows, ``labctl collect-info`` in the lab) carries
file contents and tool outputs; everything is parsed here, on the controller, with the same code
for both backends. The record's keys are documented in ``docs/info_record.md`` and in the
``info`` module's RETURN; the fleet report reads nothing else.
"""

from __future__ import annotations

import base64
import ntpath
from collections.abc import Iterable, Mapping
from datetime import date, datetime
from typing import Any

from ansible_collections.ctxlic.license_server.plugins.plugin_utils._license import license_inventory
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._license import license_parser
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._server import ls_tools
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._common.errors import CtxlicError, InputError
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._server.lmstat import parse_lmstat
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._server.release_catalog import Catalog, Release
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._server.version import parse_ls_version
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._telemetry.proxy_config import read_proxy
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._telemetry.bundles import classify_pending
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._common.timeutil import iso_z, parse_iso
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._server.upgrade_window import evaluate_window
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._telemetry.upload_result import parse_upload_result

REQUIRED_SERVICES = ("Citrix Licensing", "CitrixWebServicesforLicensing", "CitrixLicensingSupportService")


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


# --------------------------------------------------------------------------------------------
# The raw collection's shape, checked once where it enters
# --------------------------------------------------------------------------------------------


def _kind(value: Any) -> str:
    """A value's type in the JSON words an operator reading the collection would use."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, list):
        return "a list"
    return type(value).__name__


class _Shape:
    """Type checks on the raw collection; every mismatch becomes a problem naming the field.

    Both collectors emit one documented shape, but a PowerShell quirk (a one-item array arriving as
    a single object), an older collector or a broken host can hand over other types. A field of the
    wrong type is treated as absent, so everything after the check works on known types only.
    """

    def __init__(self) -> None:
        self.problems: list[str] = []

    def odd(self, where: str, value: Any, expected: str) -> None:
        self.problems.append(f"the info collection's {where} is {_kind(value)}, not {expected}; it was ignored")

    def text(self, value: Any, where: str) -> str | None:
        if value is None or isinstance(value, str):
            return value
        self.odd(where, value, "text")
        return None

    def flag(self, value: Any, where: str) -> bool | None:
        if value is None or isinstance(value, bool):
            return value
        self.odd(where, value, "true/false")
        return None

    def integer(self, value: Any, where: str, *, minimum: int | None = None) -> int | None:
        if value is None:
            return None
        # bool is an int subclass in Python, but never a count or an exit code in the collection.
        if isinstance(value, int) and not isinstance(value, bool) and (minimum is None or value >= minimum):
            return value
        self.odd(where, value, "a whole number" if minimum is None else f"a whole number >= {minimum}")
        return None

    def mapping(self, value: Any, where: str) -> dict | None:
        if value is None or isinstance(value, dict):
            return value
        self.odd(where, value, "an object")
        return None

    def sequence(self, value: Any, where: str) -> list:
        if value is None:
            return []
        if isinstance(value, list):
            return value
        self.odd(where, value, "a list")
        return []

    def objects(self, value: Any, where: str) -> list[tuple[str, dict]]:
        """``(name for problems, item)`` for every object in a list of objects; other items are problems."""
        found = []
        for index, item in enumerate(self.sequence(value, where)):
            if self.mapping(item, f"{where}[{index}]") is not None:
                found.append((f"{where}[{index}]", item))
        return found

    def named_objects(self, value: Any, where: str, what: str) -> list[tuple[str, dict]]:
        """Like objects(), without the items that have no usable ``name`` (each is named as a problem)."""
        named = []
        for item_where, item in self.objects(value, where):
            name = item.get("name")
            if isinstance(name, str) and name.strip():
                named.append((item_where, item))
            else:
                self.problems.append(f"the info collection's {item_where} has no {what} ({_kind(name)}); "
                                     "it was ignored")
        return named


def _clean_raw(raw: dict, shape: _Shape) -> dict[str, Any]:
    """The raw collection with every field of its documented type (see collect_info.ps1)."""
    return {
        "now": shape.text(raw.get("now"), "now"),
        "collector": shape.text(raw.get("collector"), "collector"),
        "computer_name": shape.text(raw.get("computer_name"), "computer_name"),
        "macs": _texts(raw.get("macs"), "macs", shape),
        "registry": _clean_registry(raw.get("registry"), shape),
        "install_dir": shape.text(raw.get("install_dir"), "install_dir"),
        "install_dir_exists": bool(shape.flag(raw.get("install_dir_exists"), "install_dir_exists")),
        "services": _clean_services(raw.get("services"), shape),
        "lmhostid": _clean_tool(raw.get("lmhostid"), "lmhostid", shape),
        "management_service": _clean_management(raw.get("management_service"), shape),
        "myfiles": _clean_myfiles(raw.get("myfiles"), shape),
        "upload_result": _clean_file(raw.get("upload_result"), "upload_result", shape),
        "proxy_config": _clean_file(raw.get("proxy_config"), "proxy_config", shape),
        # Entries are checked by telemetry_bundle_plan.classify_pending, which names the odd one.
        "pending": shape.sequence(raw.get("pending"), "pending"),
        "lmstat": _clean_tool(raw.get("lmstat"), "lmstat", shape),
        "disk": _clean_disk(raw.get("disk"), shape),
    }


def _texts(value: Any, where: str, shape: _Shape) -> list[str]:
    items = shape.sequence(value, where)
    return [item for index, item in enumerate(items) if shape.text(item, f"{where}[{index}]") is not None]


def _clean_registry(value: Any, shape: _Shape) -> dict[str, str | None] | None:
    """None when the LS registry key is absent; a key that is there but unreadable still means installed."""
    if not value:
        return None
    registry = shape.mapping(value, "registry") or {}
    return {
        "Version": shape.text(registry.get("Version"), "registry.Version"),
        "LS_Install_Dir": shape.text(registry.get("LS_Install_Dir"), "registry.LS_Install_Dir"),
    }


def _clean_services(value: Any, shape: _Shape) -> list[dict[str, Any]]:
    services = []
    for where, item in shape.named_objects(value, "services", "service name"):
        services.append(
            {
                "name": item["name"],
                "exists": bool(shape.flag(item.get("exists"), f"{where}.exists")),
                "state": shape.text(item.get("state"), f"{where}.state"),
                "start_mode": shape.text(item.get("start_mode"), f"{where}.start_mode"),
            }
        )
    return services


def _tool_output(item: dict, where: str, shape: _Shape) -> dict[str, Any]:
    return {
        "rc": shape.integer(item.get("rc"), f"{where}.rc"),
        "stdout": shape.text(item.get("stdout"), f"{where}.stdout"),
        "stderr": shape.text(item.get("stderr"), f"{where}.stderr"),
    }


def _clean_tool(value: Any, where: str, shape: _Shape) -> dict[str, Any] | None:
    """``{rc, stdout, stderr}`` of a read-only tool run; None when the tool was not run."""
    item = shape.mapping(value, where)
    return _tool_output(item, where, shape) if item else None


def _clean_management(value: Any, shape: _Shape) -> dict[str, Any] | None:
    """The ``-query`` run of ctx_license_management_service.exe plus where the program is and whether it exists."""
    item = shape.mapping(value, "management_service")
    if not item:
        return None
    return {
        **_tool_output(item, "management_service", shape),
        "path": shape.text(item.get("path"), "management_service.path"),
        "exists": shape.flag(item.get("exists"), "management_service.exists"),
    }


def _clean_myfiles(value: Any, shape: _Shape) -> list[dict[str, Any]]:
    files = []
    for where, item in shape.named_objects(value, "myfiles", "file name"):
        files.append(_file_entry(item, where, shape))
    return files


def _clean_file(value: Any, where: str, shape: _Shape) -> dict[str, Any] | None:
    """A file the collector read; None when it does not exist (``unread`` says why content is missing)."""
    if value is None or value == {}:
        return None
    if not isinstance(value, dict):
        shape.odd(where, value, "an object")
        entry = _file_entry({}, where, shape)
        entry["unread"] = f"the info collection's {where} is {_kind(value)}, not an object"
        return entry
    return _file_entry(value, where, shape)


def _file_entry(item: dict, where: str, shape: _Shape) -> dict[str, Any]:
    """One file of the collection as ``{name, path, size, mtime, content, unread}``.

    ``content`` is the decoded bytes, or None when the collector did not read the file (larger than
    max_file_bytes; ``unread`` is then None) or its content could not be decoded (``unread`` says why).
    """
    entry: dict[str, Any] = {
        "name": shape.text(item.get("name"), f"{where}.name"),
        "path": shape.text(item.get("path"), f"{where}.path"),
        "size": shape.integer(item.get("size"), f"{where}.size", minimum=0),
        "mtime": shape.text(item.get("mtime"), f"{where}.mtime"),
        "content": None,
        "unread": None,
    }
    encoded = shape.text(item.get("content_b64"), f"{where}.content_b64")
    if encoded is None:
        if item.get("content_b64") is not None:
            entry["unread"] = f"the info collection's {where}.content_b64 is {_kind(item.get('content_b64'))}"
        return entry
    try:
        entry["content"] = base64.b64decode(encoded, validate=True)
    except ValueError:  # binascii.Error (bad alphabet or padding) is a ValueError, as is non-ASCII text
        entry["unread"] = f"the info collection's {where}.content_b64 is not valid base64"
        shape.problems.append(f"{entry['unread']}; the file was not read")
    return entry


def _clean_disk(value: Any, shape: _Shape) -> dict[str, int | None]:
    disk = shape.mapping(value, "disk") or {}
    return {
        "free_bytes": shape.integer(disk.get("free_bytes"), "disk.free_bytes", minimum=0),
        "total_bytes": shape.integer(disk.get("total_bytes"), "disk.total_bytes", minimum=0),
    }


# --------------------------------------------------------------------------------------------
# The record
# --------------------------------------------------------------------------------------------


def build_record(
    host: str,
    raw: dict,
    *,
    now: datetime | None = None,
    releases: Iterable[Release] | Catalog | None = None,
    expiry_warning_days: int = 30,
    warn_days: int = 30,
    las_input: dict | None = None,
) -> dict[str, Any]:
    """The per-server record from a raw collection; never raises for odd host data.

    ``las_input`` is the user's LAS state for this server (``las.normalise_input`` of ``ctxlic_las``):
    the vendor documents no way to read it on the server, so it is never collected.

    ``releases`` (the release catalog) enables the upgrade-window status; ages and expiries are
    computed at the host's own clock (``observed_at``), falling back to ``now``. A field of the
    wrong type is ignored and named in ``problems``.
    """
    if not isinstance(raw, dict):
        return failed_record(host, f"the info collection returned {type(raw).__name__}, not an object")
    shape = _Shape()
    raw = _clean_raw(raw, shape)
    record = empty_record(host)
    record["problems"].extend(shape.problems)
    observed = _observed(record, raw["now"], now)
    record["observed_at"] = iso_z(observed)
    record["collector"] = raw["collector"]
    record["macs"] = raw["macs"]
    record["disk"] = raw["disk"]
    record["services"] = raw["services"]
    _add_installation(record, raw)
    _add_services_problems(record)
    hostids = ls_tools.parse_lmhostid((raw["lmhostid"] or {}).get("stdout"))
    record["hostname"] = hostids[0] if hostids else raw["computer_name"]
    _add_management_service(record, raw["management_service"])
    record["myfiles"] = [f["name"] for f in raw["myfiles"]]
    if observed is not None:
        _add_licenses(record, raw, observed, expiry_warning_days)
        _add_telemetry(record, raw, observed)
        _add_window(record, releases, observed, warn_days)
    _add_proxy(record, raw)
    _add_licensing(record, las_input)
    return record


def _add_licensing(record: dict, las_input: dict | None) -> None:
    """``licensing``: license files (from MyFiles) and LAS (capability by build, state from the user)."""
    from ansible_collections.ctxlic.license_server.plugins.plugin_utils._server import las

    raw_version = record.get("version")
    version: dict[str, Any] = raw_version if isinstance(raw_version, dict) else {}
    record["licensing"] = las.licensing_record(
        build=version.get("build"), license_files=(record.get("licenses") or {}).get("files"), las_input=las_input,
        rules=las.load_shipped())


def _observed(record: dict, text: str | None, now: datetime | None) -> datetime | None:
    """The host's clock, else the controller's ``now``; an unreadable host clock is a problem."""
    observed = parse_iso(text)
    if observed is not None:
        return observed
    if text is not None:
        record["problems"].append(
            f"the host clock reading {text[:60]!a} is not an ISO 8601 time in the range a date can hold; "
            "it was ignored"
        )
    return now


def _add_installation(record: dict, raw: dict) -> None:
    registry = raw["registry"]
    record["install_dir"] = raw["install_dir"]
    if registry:
        record["installed"] = True
        version_text = registry["Version"]
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
        if not raw["install_dir_exists"]:
            record["problems"].append(
                f"the registry names install directory {raw['install_dir']!r} but it does not exist: "
                "the installation is broken; reinstall with ctxlic.license_server.package"
            )
    elif raw["install_dir_exists"]:
        record["problems"].append("License Server files exist but the registry key is missing: broken installation")


def _add_services_problems(record: dict) -> None:
    missing = [s["name"] for s in record["services"] if not s["exists"]]
    if record["installed"] and missing:
        record["problems"].append("services missing: " + ", ".join(missing))
    stopped = [s["name"] for s in record["services"] if s["exists"] and s["state"] != "running"]
    if stopped:
        record["problems"].append("services not running: " + ", ".join(stopped))


def _add_management_service(record: dict, lms: dict | None) -> None:
    if not lms:
        return
    enabled = ls_tools.parse_management_query(lms["stdout"]) if lms["rc"] == 0 else None
    record["management_service"] = {
        "enabled": enabled,
        "raw": lms["stdout"],
        "path": lms["path"],
        "exists": lms["exists"],
    }
    record["reporting_mode"] = "unknown" if enabled is None else "automatic" if enabled else "manual"
    if not lms["exists"]:
        record["problems"].append(f"{lms['path']} is missing")
    elif enabled is None:
        record["problems"].append("could not tell the License Management Service state from its -query output")


def _add_licenses(record: dict, raw: dict, observed: datetime, expiry_warning_days: int) -> None:
    """Parse every ``.lic`` in MyFiles (seed 004: only lower-case ``.lic`` files are license files)."""
    today = observed.date()
    reports, entries = [], []
    for item in raw["myfiles"]:
        name = item["name"]
        if not name.lower().endswith(".lic"):
            continue
        base = {"name": name, "path": item["path"], "size": item["size"], "mtime": item["mtime"]}
        if item["content"] is None:
            why = item["unread"] or "it is larger than the max_file_bytes limit"
            entries.append(
                {**base, "errors": [{"code": "not_read", "message": f"{name} was not parsed: {why}"}], "warnings": []}
            )
            continue
        report = license_parser.parse_license_file(
            name, item["content"], today=today, expiry_warning_days=expiry_warning_days
        )
        reports.append(report)
        entries.append({**base, **report.to_dict()})
    record["licenses"]["files"] = entries
    record["licenses"]["summary"] = license_inventory.inventory_summary(reports, today=today)
    _add_lmstat(record, raw["lmstat"])


def _add_lmstat(record: dict, lmstat: dict | None) -> None:
    if lmstat and lmstat["rc"] == 0:
        parsed = parse_lmstat(lmstat["stdout"])
        record["licenses"]["lmstat_parsed"] = parsed["parsed"]
        record["licenses"]["in_use"] = {
            name: feat["in_use"] for name, feat in parsed["features"].items() if feat.get("in_use") is not None
        }
    elif lmstat:
        record["licenses"]["lmstat_parsed"] = False
        record["problems"].append(
            f"lmstat -a did not answer (rc={lmstat['rc']}): "
            f"{(lmstat['stderr'] or lmstat['stdout'] or '').strip()[:200]}"
        )


def _add_telemetry(record: dict, raw: dict, observed: datetime) -> None:
    upload = raw["upload_result"]
    if upload is None:
        reason = (
            "the License Server is not installed"
            if not record["installed"]
            else "upload_compliance_result.xml not found: no upload has been attempted yet"
        )
        record["upload"] = parse_upload_result(None, now=observed, reason_if_missing=reason)
    else:
        reason = upload["unread"] or "result file too large to read"
        record["upload"] = parse_upload_result(upload["content"], now=observed, reason_if_missing=reason)
        record["upload"]["path"] = upload["path"]
    try:
        record["pending_uploads"] = classify_pending(raw["pending"])
    except CtxlicError as exc:
        record["problems"].append(f"could not read the pending upload files: {exc}")


def _add_proxy(record: dict, raw: dict) -> None:
    config = raw["proxy_config"]
    if config is None:
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
    if config["content"] is None:
        finding = (
            {"code": "not_read", "message": f"SimpleLicenseServiceConfig.xml was not read: {config['unread']}"}
            if config["unread"]
            else {"code": "too_large", "message": "SimpleLicenseServiceConfig.xml is too large to read"}
        )
        record["proxy"] = {"configured": None, "value": None, "findings": [finding]}
        return
    state = read_proxy(config["content"], source=config["path"] or "SimpleLicenseServiceConfig.xml").to_dict()
    record["proxy"] = {
        "configured": state.get("configured"),
        "value": state.get("value"),
        "findings": state.get("findings", []),
    }


def _add_window(record: dict, releases: Iterable[Release] | Catalog | None, observed: datetime,
                warn_days: int) -> None:
    """The upgrade window at the host's clock; *releases* may be a ``Catalog`` so its last fetch counts as proof."""
    if not record["installed"]:
        return
    record["window"] = judge_window(record, releases, observed.date(), warn_days)


def judge_window(record: Mapping[str, Any], releases: Iterable[Release] | Catalog | None, day: date,
                 warn_days: int = 30) -> dict[str, Any]:
    """The upgrade window of a gathered record's installed version on *day*, against *releases*.

    The one rule for ``info`` (at the host's clock) and for ``fleet_report``, which judges the records again,
    once on the controller, when it was given a catalog URL or an ``as_of`` (issue 18 item 2).
    """
    version = record.get("version")
    if releases is None:
        return {"status": "unknown", "unknown_reason": "catalog_stale", "message": "no release catalog was given"}
    if not isinstance(version, Mapping) or version.get("error") or not version.get("build_known"):
        return {"status": "unknown", "unknown_reason": "no_build",
                "message": "the installed version (with its build) is not known"}
    return evaluate_window(parse_ls_version(version["text"]), releases, day, warn_days)


def myfiles_dir(install_dir: str) -> str:
    return ntpath.join(install_dir, "MyFiles")
