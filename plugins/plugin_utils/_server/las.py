# Copyright: (c) 2026, ctxlic maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# Internal use only: this module is private to ctxlic.license_server and may change at any time.
"""License Activation Service (LAS): capability by build, licensing technology, LAS findings (pure).

Everything after the seeds comes from public vendor pages, kept as data with title and address in
``data/las.yml`` (loaded by :func:`load_shipped`, the one function here that reads a file):

* CTX695107 "License Activation Service: Replacing Our End-of-Life File-Based Licensing": announced
  2025-09-08; after 2026-04-15 LAS is the exclusive way to activate on-premises products.
* Citrix Licensing 11.17.2 build 52100, "License Activation Service": online activation from build
  51000, online and offline from build 53100; the License Server serves LAS and license files side by
  side; offline activation exchanges an "activation blob" by hand "at regular intervals".
* Citrix Licensing current release, "License Activation Service": "LAS requires an online connection
  for license verification and renewal on a daily basis".
* Citrix Virtual Apps and Desktops, "License Activation Service": when the License Server or LAS is
  unreachable "the system enters license caching mode".

What the vendor does not document: where a License Server shows its LAS registration, activation or
last contact outside the Licensing Manager UI, and where the offline blob lives on the server. So the
LAS state is a per-host input the user controls (the ``ctxlic_las`` host variable, :func:`normalise_input`)
and offline exchanges are evidence events (:data:`OFFLINE_EVENT_KIND`). License files are read from
the server (``MyFiles``) as before.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any, Mapping, Sequence

from ansible_collections.ctxlic.license_server.plugins.plugin_utils._common import package_data
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._common.errors import CtxlicError, InputError

DATA = "data/las.yml"  # package data (plugins/plugin_utils/data/las.yml)
DATA_FILE = package_data.path(DATA)
INPUT_VAR = "ctxlic_las"
OFFLINE_EVENT_KIND = "las_offline_activation"

FILES = "files"
LAS = "las"
BOTH = "both"
NONE = "none"
UNKNOWN = "unknown"
TECHNOLOGIES = (FILES, LAS, BOTH, NONE, UNKNOWN)
TECHNOLOGY_LABELS = {
    FILES: "license files only",
    LAS: "LAS only",
    BOTH: "LAS and license files",
    NONE: "nothing licensed",
    UNKNOWN: "unknown",
}
MODES = ("online", "offline")
INPUT_KEYS = ("registered", "activated", "mode", "last_contact", "source")

_STARTUP = "citrix_startup.lic"


@dataclass(frozen=True)
class Rules:
    """The LAS rules as data (``data/las.yml``), each with its source."""

    end_of_life: date = date(2026, 4, 15)
    online_min_build: int = 51000
    offline_min_build: int = 53100
    contact_days: int = 1
    endpoints: tuple[tuple[str, int], ...] = (("api.cloud.com", 443), ("api-us.cloud.com", 443))
    sources: dict[str, dict[str, str]] = field(default_factory=dict)

    def source(self, key: str) -> str:
        """``title (url)`` of one rule, for user-facing text."""
        src = self.sources.get(key) or {}
        return f"{src.get('title', '?')} ({src.get('url', '?')})"


def _source(node: Any, where: str) -> dict[str, str]:
    if not isinstance(node, Mapping) or not isinstance(node.get("title"), str) or not isinstance(node.get("url"), str):
        raise CtxlicError(f"las.yml: {where}.source must have a title and a url")
    return {"title": node["title"], "url": node["url"]}


def rules_from_data(data: Any) -> Rules:
    """Build :class:`Rules` from the parsed ``las.yml``; a malformed file is a packaging error."""
    if not isinstance(data, Mapping) or data.get("schema_version") != 1:
        raise CtxlicError("las.yml: not a schema_version 1 LAS rules file")
    try:
        eol = data["file_based_end_of_life"]
        online = data["online_activation_min_build"]
        offline = data["offline_activation_min_build"]
        contact = data["contact_period"]
        endpoints = data["endpoints"]
        rules = Rules(
            end_of_life=date.fromisoformat(str(eol["date"])),
            online_min_build=int(online["build"]),
            offline_min_build=int(offline["build"]),
            contact_days=int(contact["days"]),
            endpoints=tuple((str(e["host"]), int(e.get("port", 443))) for e in endpoints["default"]),
            sources={
                "end_of_life": _source(eol.get("source"), "file_based_end_of_life"),
                "online": _source(online.get("source"), "online_activation_min_build"),
                "offline": _source(offline.get("source"), "offline_activation_min_build"),
                "contact": _source(contact.get("source"), "contact_period"),
                "caching_mode": _source({"title": contact.get("caching_mode_source", {}).get("title"),
                                         "url": contact.get("caching_mode_source", {}).get("url")}
                                        if isinstance(contact.get("caching_mode_source"), Mapping) else None,
                                        "contact_period.caching_mode"),
                "endpoints": _source(endpoints.get("source"), "endpoints"),
                "offline_activation": _source(data["offline_activation"].get("source"), "offline_activation"),
                "registration": _source(data["registration_state"].get("source"), "registration_state"),
            },
        )
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise CtxlicError(f"las.yml: malformed ({exc!r})") from None
    return rules


_SHIPPED: Rules | None = None


def load_shipped() -> Rules:
    """The rules shipped with the collection (``data/las.yml``, package data read once per process)."""
    global _SHIPPED
    if _SHIPPED is not None:
        return _SHIPPED
    import yaml  # ansible-core depends on PyYAML; imported here so the pure functions need nothing

    try:
        data = package_data.parse_yaml(package_data.read_text(DATA))
    except (OSError, yaml.YAMLError) as exc:
        raise CtxlicError(f"cannot read the shipped LAS rules {DATA_FILE}: {exc}") from None
    _SHIPPED = rules_from_data(data)
    return _SHIPPED


# --------------------------------------------------------------------------- capability and input


def capability(build: Any, rules: Rules) -> dict[str, bool | None]:
    """``{"online": bool|None, "offline": bool|None}`` for a License Server build (None: build unknown)."""
    if isinstance(build, bool) or not isinstance(build, int):
        return {"online": None, "offline": None}
    return {"online": build >= rules.online_min_build, "offline": build >= rules.offline_min_build}


def _instant(value: Any, where: str) -> str | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, date):
        moment = datetime(value.year, value.month, value.day)
    elif isinstance(value, str):
        text = value.strip()
        try:
            moment = datetime.fromisoformat(text.replace("Z", "+00:00")) if "T" in text or " " in text \
                else datetime.combine(date.fromisoformat(text), datetime.min.time())
        except ValueError:
            raise InputError(f"{where}={value!r} is not an ISO 8601 date or time such as 2026-12-01T06:00:00Z; "
                             "copy the last contact time the Citrix Licensing Manager shows.") from None
    else:
        raise InputError(f"{where} must be an ISO 8601 date or time (text), got {type(value).__name__}.")
    moment = moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def normalise_input(value: Any, where: str = INPUT_VAR) -> dict[str, Any] | None:
    """Check the user's LAS state for one server (``ctxlic_las``); None when none was given.

    Keys: ``registered`` (bool: the License Server is registered with Citrix Cloud), ``activated``
    (bool: products are activated through LAS), ``mode`` (``online`` | ``offline``), ``last_contact``
    (ISO 8601: the last successful contact with the LAS endpoint, or for offline mode the last blob
    exchange), ``source`` (free text: where the values were read, e.g. "Licensing Manager 2026-12-01").
    Raises :class:`InputError` naming the key and what to do.
    """
    if value is None:
        return None
    if not isinstance(value, Mapping):
        raise InputError(f"{where} must be a mapping such as {{registered: true, activated: true, mode: online, "
                         f"last_contact: '2026-12-01T06:00:00Z'}}, got {type(value).__name__}.")
    unknown = sorted(str(k) for k in value if k not in INPUT_KEYS)
    if unknown:
        raise InputError(f"{where} has unknown keys {', '.join(unknown)}; allowed: {', '.join(INPUT_KEYS)}.")
    result: dict[str, Any] = {}
    for key in ("registered", "activated"):
        item = value.get(key)
        if item is not None and not isinstance(item, bool):
            raise InputError(f"{where}.{key} must be true or false (or left out when not known), got {item!r}.")
        result[key] = item
    mode = value.get("mode")
    if mode is not None and mode not in MODES:
        raise InputError(f"{where}.mode must be online or offline, got {mode!r}.")
    result["mode"] = mode
    result["last_contact"] = _instant(value.get("last_contact"), f"{where}.last_contact")
    source = value.get("source")
    if source is not None and not isinstance(source, str):
        raise InputError(f"{where}.source must be text (where the values were read), got {type(source).__name__}.")
    result["source"] = source
    if result["activated"] and result["registered"] is False:
        raise InputError(f"{where}: activated is true but registered is false; LAS activation needs the License "
                         "Server registered with Citrix Cloud. Correct one of the two.")
    return result


def license_file_names(files: Any) -> list[str]:
    """Names of the license files that license products (``citrix_startup.lic`` is the server's own)."""
    names = []
    for item in files if isinstance(files, list) else []:
        name = item.get("name") if isinstance(item, Mapping) else None
        if isinstance(name, str) and name.lower().endswith(".lic") and name.lower() != _STARTUP:
            names.append(name)
    return sorted(names, key=str.casefold)


def licensing_record(*, build: Any, license_files: Any, las_input: Mapping[str, Any] | None,
                     rules: Rules) -> dict[str, Any]:
    """The ``licensing`` part of the per-server record (docs/info_record.md)."""
    cap = capability(build, rules)
    names = license_file_names(license_files)
    by_files = bool(names)
    las = dict(las_input) if las_input else {k: None for k in INPUT_KEYS}
    if cap["online"] is False:
        by_las: bool | None = False  # the build cannot do LAS at all, whatever the input says
    elif las_input is not None and las.get("activated") is not None:
        by_las = bool(las["activated"] and las.get("registered") is not False)
    else:
        by_las = None
    if by_las is None:
        technology = UNKNOWN
    elif by_las:
        technology = BOTH if by_files else LAS
    else:
        technology = FILES if by_files else NONE
    return {
        "technology": technology,
        "license_files": names,
        "las": {
            "capable_online": cap["online"],
            "capable_offline": cap["offline"],
            "registered": las.get("registered"),
            "activated": las.get("activated"),
            "mode": las.get("mode"),
            "last_contact": las.get("last_contact"),
            "offline_activation": None,
            "source": (f"{INPUT_VAR}" + (f" ({las['source']})" if las.get("source") else "")) if las_input else None,
        },
        "thresholds": {"online_min_build": rules.online_min_build, "offline_min_build": rules.offline_min_build},
    }


def apply_offline_events(record: dict[str, Any], events: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """Put the newest recorded offline blob exchange (evidence event) into ``record['licensing']``."""
    licensing = record.get("licensing")
    if not isinstance(licensing, dict) or not isinstance(licensing.get("las"), dict):
        return record
    times = sorted(str(e.get("at")) for e in events if isinstance(e, Mapping) and e.get("at"))
    if times:
        licensing["las"]["offline_activation"] = times[-1]
    return record


# --------------------------------------------------------------------------- findings (compliance checks)


def _when(text: Any) -> datetime | None:
    if not isinstance(text, str) or not text:
        return None
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


FIX_UPGRADE = "upgrade to License Server 11.17.2 build {online} or later (build {offline} or later for offline " \
    "activation) with the ctxlic.license_server.upgrade playbook"
FIX_REGISTER = "register the License Server with Citrix Cloud in the Citrix Licensing Manager and migrate the " \
    "products to the License Activation Service (Web Studio: migrate to LAS), then record the state in ctxlic_las"
FIX_INPUT = "set the host variable ctxlic_las (registered, activated, mode, last_contact) from the Citrix " \
    "Licensing Manager: the vendor documents no way to read the LAS state on the server"
FIX_CONTACT = "allow HTTPS from the License Server to the LAS endpoints (check with ctxlic.license_server." \
    "connectivity) or fix its proxy, then confirm the contact in the Citrix Licensing Manager"
FIX_LEFTOVER = "migrate the products still on license files to LAS, then remove the files with " \
    "the ctxlic.license_server.deploy_licenses playbook"
FIX_OFFLINE = "exchange the activation blob in the Citrix Licensing Manager and Citrix Cloud, then record it " \
    "with ctxlic.license_server.evidence_event (kind: las_offline_activation)"


def _after_eol(as_of: datetime, rules: Rules) -> bool:
    return as_of.date() > rules.end_of_life


def _licensing(record: Mapping[str, Any]) -> Mapping[str, Any] | None:
    value = record.get("licensing")
    return value if isinstance(value, Mapping) and isinstance(value.get("las"), Mapping) else None


def check_capable(record: Mapping[str, Any], *, as_of: datetime, rules: Rules) -> tuple[str, str, str | None, dict]:
    """(status, message, fix, evidence) of ``las_capable``: can this build do LAS at all?"""
    raw_version = record.get("version")
    version: Mapping[str, Any] = raw_version if isinstance(raw_version, Mapping) else {}
    build = version.get("build")
    cap = capability(build, rules)
    evidence = {"build": build if cap["online"] is not None else None, **cap,
                "online_min_build": rules.online_min_build, "offline_min_build": rules.offline_min_build,
                "end_of_life": rules.end_of_life.isoformat()}
    fix = FIX_UPGRADE.format(online=rules.online_min_build, offline=rules.offline_min_build)
    if cap["online"] is None:
        return "unknown", "License Server build unknown, so LAS capability cannot be judged; re-run the info gather.", \
            None, evidence
    las = (_licensing(record) or {}).get("las") or {}
    if not cap["online"]:
        text = (f"Build {build} cannot use the License Activation Service (online activation needs build "
                f"{rules.online_min_build} or later: {rules.source('online')})")
        if _after_eol(as_of, rules):
            return "fail", (f"{text}; file-based licensing ended on {rules.end_of_life.isoformat()} "
                            f"({rules.source('end_of_life')}). Fix: {fix}."), fix, evidence
        return "warn", (f"{text}; file-based licensing ends on {rules.end_of_life.isoformat()} "
                        f"({rules.source('end_of_life')}). Fix: {fix}."), fix, evidence
    if las.get("mode") == "offline" and not cap["offline"]:
        return "fail", (f"Build {build} is set to offline LAS activation (ctxlic_las.mode), which needs build "
                        f"{rules.offline_min_build} or later ({rules.source('offline')}). Fix: {fix}."), fix, evidence
    what = "online and offline" if cap["offline"] else f"online (offline needs build {rules.offline_min_build})"
    return "pass", f"Build {build} supports LAS activation: {what}.", None, evidence


def check_technology(record: Mapping[str, Any], *, as_of: datetime,
                     rules: Rules) -> tuple[str, str, str | None, dict]:
    """(status, message, fix, evidence) of ``licensing_technology``: files, LAS, both, none or unknown."""
    licensing = _licensing(record)
    if licensing is None:
        return "unknown", f"Licensing technology not gathered; re-run the info gather ({FIX_INPUT}).", FIX_INPUT, {}
    tech = licensing.get("technology")
    files = list(licensing.get("license_files") or [])
    evidence = {"technology": tech, "license_files": files, "end_of_life": rules.end_of_life.isoformat(),
                "las_source": licensing["las"].get("source")}
    eol = f"{rules.end_of_life.isoformat()} ({rules.source('end_of_life')})"
    after = _after_eol(as_of, rules)
    cap = licensing["las"].get("capable_online")
    register = FIX_REGISTER if cap is not False else \
        FIX_UPGRADE.format(online=rules.online_min_build, offline=rules.offline_min_build) + "; then " + FIX_REGISTER
    listed = ", ".join(files[:5]) + (f" and {len(files) - 5} more" if len(files) > 5 else "")
    if tech == FILES:
        text = f"Products are licensed only by license files ({listed}); LAS is not in use"
        if after:
            return "fail", (f"{text}. After {eol} the License Activation Service is the exclusive way to activate "
                            f"on-premises products. Fix: {register}."), register, evidence
        return "warn", f"{text}. File-based licensing ends on {eol}. Fix: {register}.", register, evidence
    if tech == BOTH:
        text = (f"Licensed by LAS and by license files ({listed}); the License Server serves both side by side "
                f"({rules.source('online')})")
        if after:
            return "pass", (f"{text}. LAS is active; file-based licensing ended on {eol}, so the license files only "
                            f"matter for products not yet migrated: {FIX_LEFTOVER}."), None, evidence
        return "pass", f"{text}. Before {eol}: {FIX_LEFTOVER}.", None, evidence
    if tech == LAS:
        return "pass", "Products are licensed by the License Activation Service (no license files).", None, evidence
    if tech == NONE:
        return "warn", (f"Neither license files nor an LAS activation: this License Server licenses nothing. Fix: "
                        f"{register}."), register, evidence
    detail = f"license files present ({listed})" if files else "no license files"
    return "unknown", (f"Licensing technology unknown: {detail}, LAS state not given. {FIX_INPUT[:1].upper()}"
                       f"{FIX_INPUT[1:]} ({rules.source('registration')}).").replace("..", "."), FIX_INPUT, evidence


def check_contact(record: Mapping[str, Any], *, as_of: datetime, rules: Rules) -> tuple[str, str, str | None, dict]:
    """(status, message, fix, evidence) of ``las_contact``: has a LAS server reached the LAS endpoint in time?"""
    licensing = _licensing(record)
    if licensing is None:
        return "unknown", "LAS state not gathered; re-run the info gather.", None, {}
    las = licensing["las"]
    tech = licensing.get("technology")
    evidence = {"mode": las.get("mode"), "last_contact": las.get("last_contact"),
                "offline_activation": las.get("offline_activation"), "contact_days": rules.contact_days}
    if tech in (FILES, NONE):
        return "pass", "Not applicable: LAS is not in use on this server.", None, evidence
    if tech == UNKNOWN:
        return "unknown", f"LAS contact unknown: {FIX_INPUT}.", FIX_INPUT, evidence
    if las.get("mode") == "offline":
        done = _when(las.get("offline_activation")) or _when(las.get("last_contact"))
        if done is None:
            return "unknown", (f"Offline LAS activation: no blob exchange on record. The vendor documents the exchange "
                               f"only through its UI ({rules.source('offline_activation')}); {FIX_OFFLINE}."), \
                FIX_OFFLINE, evidence
        days = (as_of.date() - done.date()).days
        evidence["days_since_contact"] = days
        return "pass", (f"Offline LAS activation; last recorded blob exchange {done.strftime('%Y-%m-%d')} "
                        f"({days} days ago). The vendor gives no interval for the exchange "
                        f"({rules.source('offline_activation')})."), None, evidence
    last = _when(las.get("last_contact"))
    if last is None:
        return "unknown", ("LAS in use but its last contact with the LAS endpoint is not given; set "
                           "ctxlic_las.last_contact from the Citrix Licensing Manager."), FIX_INPUT, evidence
    age = as_of - last
    evidence["days_since_contact"] = age.days
    period = f"{rules.contact_days} day" + ("" if rules.contact_days == 1 else "s")
    if age > timedelta(days=rules.contact_days):
        return "fail", (f"Caching mode: the License Server last reached the LAS endpoint on "
                        f"{last.strftime('%Y-%m-%dT%H:%M:%SZ')} ({age.days} days ago); LAS needs a connection "
                        f"for verification and renewal every {period} ({rules.source('contact')}), and without it "
                        f"the system enters license caching mode ({rules.source('caching_mode')}). How long caching "
                        f"mode lasts is not documented. Fix: {FIX_CONTACT}."), FIX_CONTACT, evidence
    if age < -timedelta(days=1):
        return "warn", (f"The last LAS contact {last.strftime('%Y-%m-%dT%H:%M:%SZ')} lies in the future; check "
                        "ctxlic_las.last_contact and the clocks."), None, evidence
    return "pass", (f"Reached the LAS endpoint on {last.strftime('%Y-%m-%dT%H:%M:%SZ')}, within the daily "
                    f"period ({rules.source('contact')})."), None, evidence


def fleet_technology_counts(records: Sequence[Mapping[str, Any]]) -> dict[str, int]:
    """How many servers use each licensing technology (``files`` | ``las`` | ``both`` | ``none`` | ``unknown``)."""
    counts = dict.fromkeys(TECHNOLOGIES, 0)
    for record in records:
        licensing = _licensing(record)
        tech = licensing.get("technology") if licensing else UNKNOWN
        counts[tech if tech in counts else UNKNOWN] += 1
    return counts
