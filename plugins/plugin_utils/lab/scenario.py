# Copyright: (c) 2026, ctxlic maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Scenario files: a lab fleet described in YAML or JSON, for ``lab create --scenario FILE``.

Every host shape the collection's own tests build (no License Server installed, a DR twin with the same
host name, a custom host name or MAC, a cluster client access point, manual reporting from the start, a
given set of license files, ...) can be written here, so users' CI does not need the internal Python API.
docs/lab.md documents the format; ``HOST_KEYS`` below is the list of keys a host may carry.

A bad file never gives a traceback: ``ScenarioError`` names the file, the host and the key.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from ansible_collections.ctxlic.license_server.plugins.plugin_utils.lab.fleet import HostSpec

try:  # PyYAML comes with ansible-core; JSON scenario files work without it
    import yaml

    HAS_YAML = True
    _PARSE_ERRORS: tuple[type[Exception], ...] = (ValueError, yaml.YAMLError)
except ImportError:  # pragma: no cover - exercised only where PyYAML is missing
    HAS_YAML = False
    _PARSE_ERRORS = (ValueError,)

# key -> (expected Python type(s), what it means); the help text of `lab create` and docs/lab.md repeat these.
HOST_KEYS: dict[str, tuple[tuple[type, ...], str]] = {
    "name": ((str,), "inventory host name (required, unique)"),
    "hostname": ((str,), "License Server host name, case-sensitive (default: name upper-cased); "
                         "give two hosts the same one for a DR twin"),
    "version": ((str, type(None)), 'installed version, e.g. "11.17.2.0 build 51000"; null: no License Server'),
    "install_dir": ((str,), "installation directory (Windows path)"),
    "macs": ((list,), "MAC addresses, e.g. [\"00:15:5d:00:00:01\"]"),
    "cluster_access_point": ((str,), "the cluster's client access point (lmreread -c @<it> answers)"),
    "reporting": ((str,), "automatic or manual (License Management Service disabled from the start)"),
    "proxy": ((str,), "host:port written into SimpleLicenseServiceConfig.xml"),
    "network": ((dict,), "{dns: bool, direct: bool, proxies: {\"host:port\": bool}, windows_proxy: {auto|ie|default: "
                         "\"host:port\"}, service_account: local_service|user}"),
    "last_upload": ((dict,), "{days_ago: N, outcome: success | dns | blocked}"),
    "pending_zip_days": ((list,), "ages in days of manual-upload zips waiting on the server"),
    "licenses": ((list,), "generated license files: [{file, hostnames, mac, features: [{feature, count, "
                          "expiry | expiry_days, name}]}]"),
    "license_files": ((list,), "paths of license files copied byte for byte into MyFiles "
                               "(relative to the scenario file)"),
    "faults": ((dict,), "fault switches, as `lab fault --set`"),
    "in_use": ((dict,), "in-use counts per feature, as lmstat shows them"),
    "unreachable": ((bool,), "true: the inventory points at a closed port (Ansible: UNREACHABLE)"),
    "cis_bundles_spelling": ((str,), "underscore (cis_bundles) or space (cis bundles)"),
    "registry_version_override": ((str,), "a Version registry value that differs from what is installed"),
    "las": ((dict,), "License Activation Service state: {registered: bool, activated: bool, mode: online | "
                     "offline, contact_days_ago: N, offline_exchange_days_ago: N} (lab/las.py)"),
}
CHOICES = {"reporting": ("automatic", "manual"), "cis_bundles_spelling": ("underscore", "space")}
LICENSE_KEYS = {"file", "hostnames", "mac", "features"}
FEATURE_KEYS = {"feature", "count", "expiry", "expiry_days", "name", "serial", "css", "issued", "start"}


class ScenarioError(ValueError):
    """A scenario file that cannot be used; the message says which file, host and key, and what to do."""


def load(path: Path) -> tuple[list[HostSpec], datetime | None]:
    """(host specs, lab clock start or None) from a YAML or JSON scenario file."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ScenarioError(f"scenario file {path}: cannot be read ({exc})") from None
    try:
        data = json.loads(text) if path.suffix.lower() == ".json" or not HAS_YAML else yaml.safe_load(text)
    except _PARSE_ERRORS as exc:
        raise ScenarioError(f"scenario file {path}: not valid {'JSON' if path.suffix == '.json' else 'YAML'}: "
                            f"{' '.join(str(exc).split())[:300]}") from None
    return parse(data, path)


def parse(data: Any, path: Path) -> tuple[list[HostSpec], datetime | None]:
    where = f"scenario file {path}"
    if not isinstance(data, dict) or not isinstance(data.get("hosts"), list) or not data["hosts"]:
        raise ScenarioError(f"{where}: must be a mapping with a non-empty list 'hosts' (see docs/lab.md)")
    unknown = sorted(set(data) - {"hosts", "start"})
    if unknown:
        raise ScenarioError(f"{where}: unknown top-level key(s) {', '.join(unknown)}; allowed: hosts, start")
    start = _start(data.get("start"), where)
    today = (start or datetime.now(UTC)).date()
    specs: list[HostSpec] = []
    seen: set[str] = set()
    for index, host in enumerate(data["hosts"], start=1):
        spec = _host(host, index, path, today, where)
        if spec.name in seen:
            raise ScenarioError(f"{where}: host {spec.name!r} appears twice; inventory names must be unique")
        seen.add(spec.name)
        specs.append(spec)
    return specs, start


def _start(value: Any, where: str) -> datetime | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day, tzinfo=UTC)
    try:
        when = datetime.fromisoformat(str(value))
    except ValueError:
        raise ScenarioError(f"{where}: start {value!r} is not an ISO date or time (e.g. 2026-11-22T12:00:00)") from None
    return when if when.tzinfo else when.replace(tzinfo=UTC)


def _host(host: Any, index: int, path: Path, today: date, where: str) -> HostSpec:
    if not isinstance(host, dict) or not isinstance(host.get("name"), str) or not host["name"].strip():
        raise ScenarioError(f"{where}: host #{index} must be a mapping with a non-empty 'name'")
    name = host["name"].strip()
    at = f"{where}, host {name!r}"
    unknown = sorted(set(host) - set(HOST_KEYS))
    if unknown:
        raise ScenarioError(f"{at}: unknown key(s) {', '.join(unknown)}; allowed: {', '.join(HOST_KEYS)}")
    for key, value in host.items():
        types = HOST_KEYS[key][0]
        if not isinstance(value, types):
            raise ScenarioError(f"{at}: {key} must be {HOST_KEYS[key][1]}; got {value!r}")
        if key in CHOICES and value not in CHOICES[key]:
            raise ScenarioError(f"{at}: {key} must be one of {', '.join(CHOICES[key])}; got {value!r}")
    fields = {k: v for k, v in host.items() if k not in ("license_files", "licenses")}
    fields["name"] = name
    if "pending_zip_days" in host and not all(isinstance(d, int) and d >= 0 for d in host["pending_zip_days"]):
        raise ScenarioError(f"{at}: pending_zip_days must be a list of whole numbers of days; got "
                            f"{host['pending_zip_days']!r}")
    fields["licenses"] = [_license(lic, at, today) for lic in host.get("licenses", [])]
    paths = []
    for item in host.get("license_files", []):
        source = Path(str(item)).expanduser()
        source = source if source.is_absolute() else Path(path).parent / source
        if not source.is_file():
            raise ScenarioError(f"{at}: license_files entry {item!r} is not a file ({source})")
        paths.append(str(source.resolve()))
    fields["license_paths"] = paths
    return HostSpec(**fields)


def _license(lic: Any, at: str, today: date) -> dict:
    if not isinstance(lic, dict) or not isinstance(lic.get("file"), str) or not isinstance(lic.get("features"), list):
        raise ScenarioError(f"{at}: each licenses entry needs 'file' (a name) and 'features' (a list); got {lic!r}")
    unknown = sorted(set(lic) - LICENSE_KEYS)
    if unknown:
        raise ScenarioError(f"{at}, license {lic['file']!r}: unknown key(s) {', '.join(unknown)}; allowed: "
                            f"{', '.join(sorted(LICENSE_KEYS))}")
    if "/" in lic["file"] or "\\" in lic["file"]:
        raise ScenarioError(f"{at}: license file name {lic['file']!r} must be a bare file name")
    out: dict[str, Any] = {"file": lic["file"], "features": []}
    if "hostnames" in lic:
        if not isinstance(lic["hostnames"], list) or not all(isinstance(h, str) for h in lic["hostnames"]):
            raise ScenarioError(f"{at}, license {lic['file']!r}: hostnames must be a list of names")
        out["hostnames"] = lic["hostnames"]
    if lic.get("mac") is not None:
        out["mac"] = str(lic["mac"])
    for feature in lic["features"]:
        out["features"].append(_feature(feature, f"{at}, license {lic['file']!r}", today))
    return out


def _feature(feature: Any, at: str, today: date) -> dict:
    if not isinstance(feature, dict) or not isinstance(feature.get("feature"), str):
        raise ScenarioError(f"{at}: each feature needs 'feature' (e.g. XDT_PLT_UD) and 'count'; got {feature!r}")
    unknown = sorted(set(feature) - FEATURE_KEYS)
    if unknown:
        raise ScenarioError(f"{at}: unknown feature key(s) {', '.join(unknown)}; allowed: "
                            f"{', '.join(sorted(FEATURE_KEYS))}")
    count = feature.get("count")
    if not isinstance(count, int) or isinstance(count, bool) or count < 0:
        raise ScenarioError(f"{at}: feature {feature['feature']!r}: count must be a whole number; got {count!r}")
    out: dict[str, Any] = {"feature": feature["feature"], "count": count}
    if "name" in feature:
        out["name"] = str(feature["name"])
    if "serial" in feature:
        out["serial"] = str(feature["serial"])
    if "expiry_days" in feature:
        days = feature["expiry_days"]
        if not isinstance(days, int) or isinstance(days, bool):
            raise ScenarioError(f"{at}: feature {feature['feature']!r}: expiry_days must be a whole number "
                                f"(days from the lab start, negative: already expired); got {days!r}")
        out["expiry"] = today + timedelta(days=days)
    for key in ("expiry", "css", "issued", "start"):
        if key in feature:
            out[key] = _date(feature[key], f"{at}: feature {feature['feature']!r}: {key}", allow_none=key == "expiry")
    out.setdefault("expiry", None)  # permanent
    return out


def _date(value: Any, at: str, allow_none: bool) -> date | None:
    if value is None and allow_none:
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise ScenarioError(f"{at} must be an ISO date (YYYY-MM-DD){' or null' if allow_none else ''}; "
                            f"got {value!r}") from None
