# Copyright: (c) 2026, ctxlic maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The lab's License Activation Service (LAS): registration state, the LAS endpoint, daily contact, caching mode.

What the lab models, each from a public vendor page (titles and addresses in ``plugin_utils/data/las.yml``):

* A License Server of build 51000 or later can use LAS online; 53100 or later also offline (Citrix
  Licensing 11.17.2 build 52100, "License Activation Service"). An older build never contacts LAS.
* Registration with Citrix Cloud and the activation are done in the vendor's UI (Citrix Licensing
  Manager / Citrix Cloud, "Prerequisites"). The lab keeps that state in ``.lab/host.json`` ``"las"``
  (``registered``, ``activated``, ``mode``, ``last_contact``); ``lab las`` changes it, as an operator
  would in the UI. The lab never writes a LAS file, registry value or command on the simulated
  server: the vendor documents none.
* An online-activated, registered server contacts the LAS endpoint daily ("LAS requires an online
  connection for license verification and renewal on a daily basis", current release). The contact
  takes the route an upload takes (the proxy of ``SimpleLicenseServiceConfig.xml`` when one is set,
  otherwise DNS and the direct route), and fails when the network model blocks the endpoint host
  (``network.blocked``: host names whose direct route is closed, ``lab network --block``).
* A server that has not reached LAS within the daily period is in license caching mode (CVAD, "License
  Activation Service"). How long caching mode lasts is not documented; the lab never ends it.
* Offline activation exchanges an "activation blob" by hand; where it lives on the server is not
  documented, so the lab has no file for it. ``lab las --offline-exchange`` records the date.

The collection cannot read this state on a server (nor on a real one), so the lab plays the operator
who copies what the Licensing Manager shows into the inventory: ``host_vars/<host>.json`` holds
``ctxlic_las`` for every host with a LAS state, rewritten whenever the state changes.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from ansible_collections.ctxlic.license_server.plugins.plugin_utils._server import las as las_rules
from ansible_collections.ctxlic.license_server.plugins.plugin_utils.lab.installer import version_key
from ansible_collections.ctxlic.license_server.plugins.plugin_utils.lab.layout import (
    INSTALL_REG_KEY,
    LICENSING_SERVICE,
    win_to_lab,
)
from ansible_collections.ctxlic.license_server.plugins.plugin_utils.lab.state import HostState

STATE_KEYS = ("registered", "activated", "mode", "last_contact")


def endpoints() -> list[str]:
    """The LAS endpoint host names the vendor lists (data/las.yml), default and other regions."""
    rules = las_rules.load_shipped()
    import yaml

    data = yaml.safe_load(las_rules.DATA_FILE.read_text(encoding="utf-8"))
    others = [str(e["host"]) for e in data["endpoints"].get("other", [])]
    return [host for host, _port in rules.endpoints] + others


def state_from_spec(spec: dict | None, now: datetime) -> dict[str, Any] | None:
    """``HostSpec.las`` (``{registered, activated, mode, contact_days_ago}``) as the host's LAS state."""
    if not spec:
        return None
    unknown = sorted(set(spec) - {"registered", "activated", "mode", "contact_days_ago", "offline_exchange_days_ago"})
    if unknown:
        raise ValueError(f"las: unknown keys {', '.join(unknown)} (registered, activated, mode, contact_days_ago, "
                         "offline_exchange_days_ago)")
    mode = spec.get("mode", "online")
    if mode not in las_rules.MODES:
        raise ValueError(f"las.mode must be online or offline, got {mode!r}")
    days = spec.get("contact_days_ago")
    offline_days = spec.get("offline_exchange_days_ago")
    return {
        "registered": bool(spec.get("registered", False)),
        "activated": bool(spec.get("activated", False)),
        "mode": mode,
        "last_contact": (now - timedelta(days=days)).isoformat() if days is not None else None,
        "offline_exchange": (now - timedelta(days=offline_days)).isoformat() if offline_days is not None else None,
    }


def _build(state: HostState) -> int | None:
    install = state.registry.get(INSTALL_REG_KEY) or {}
    key = version_key(install.get("Version"))
    return key[3] if key else None


def route_ok(network: dict[str, Any], proxy: str | None, target: str) -> bool:
    """Whether a connection from the server to ``target`` succeeds in the network model (as the uploader decides)."""
    if proxy is not None:
        return bool((network.get("proxies") or {}).get(proxy))
    if not network.get("dns", True):
        return False
    return bool(network.get("direct", True)) and target not in (network.get("blocked") or [])


def simulate_day(root: Path, when: datetime) -> str:
    """The daily LAS contact of one lab host at lab time ``when``; returns what happened."""
    from ansible_collections.ctxlic.license_server.plugins.plugin_utils.lab.uploader import configured_proxy

    state = HostState(root)
    las = state.host.get("las")
    if not las:
        return "no-las"
    build = _build(state)
    if build is None or build < las_rules.load_shipped().online_min_build:
        return "las-not-supported"
    if not (las.get("registered") and las.get("activated")) or las.get("mode") != "online":
        return "las-not-online"
    if state.services.get(LICENSING_SERVICE, {}).get("state") != "running":
        return "service-stopped"
    install = state.registry.get(INSTALL_REG_KEY) or {}
    proxy = configured_proxy(win_to_lab(root, install["LS_Install_Dir"]))
    network = state.host.get("network", {"dns": True, "direct": True, "proxies": {}})
    target = endpoints()[0]
    if route_ok(network, proxy, target):
        state.update_host(las={**las, "last_contact": when.isoformat()})
        state.record("las", outcome="contact", at=when.isoformat(), endpoint=target)
        return "las-contact"
    state.record("las", outcome="unreachable", at=when.isoformat(), endpoint=target)
    return "las-unreachable"


def operator_view(state: HostState) -> dict[str, Any] | None:
    """``ctxlic_las`` as an operator copies it from the Licensing Manager (None: no LAS state on the host)."""
    las = state.host.get("las")
    if not las:
        return None
    contact = las.get("offline_exchange") if las.get("mode") == "offline" else las.get("last_contact")
    view = {"registered": bool(las.get("registered")), "activated": bool(las.get("activated")),
            "mode": las.get("mode") or "online", "source": "lab: Citrix Licensing Manager view"}
    if contact:
        view["last_contact"] = contact
    return view


def write_host_vars(fleet_root: Path) -> list[str]:
    """Write ``host_vars/<host>.json`` (``ctxlic_las``) for every lab host with a LAS state; remove stale ones."""
    fleet_root = Path(fleet_root)
    folder = fleet_root / "host_vars"
    written = []
    hosts = sorted(p for p in (fleet_root / "hosts").iterdir() if p.is_dir()) if (fleet_root / "hosts").is_dir() \
        else []
    for host in hosts:
        path = folder / f"{host.name}.json"
        view = operator_view(HostState(host))
        if view is None:
            path.unlink(missing_ok=True)
            continue
        folder.mkdir(exist_ok=True)
        path.write_text(json.dumps({las_rules.INPUT_VAR: view}, indent=2), encoding="utf-8")
        written.append(host.name)
    return written


def set_state(state: HostState, now: datetime, **changes: Any) -> dict[str, Any]:
    """``lab las``: what an operator does in the Licensing Manager / Citrix Cloud (register, activate, mode)."""
    empty = {"registered": False, "activated": False, "mode": "online", "last_contact": None,
             "offline_exchange": None}
    las = dict(state.host.get("las") or empty)
    if changes.get("offline_exchange"):
        changes["offline_exchange"] = now.isoformat()
    las.update({k: v for k, v in changes.items() if v is not None})
    if las.get("activated") and not las.get("registered"):
        raise ValueError("activation needs the License Server registered with Citrix Cloud (--registered true)")
    state.update_host(las=las)
    state.record("las", outcome="changed", at=now.isoformat(), **{k: v for k, v in changes.items() if v is not None})
    return las


def caching_mode(state: HostState, now: datetime) -> bool | None:
    """Whether a LAS server is in caching mode at ``now`` (no contact within the daily period); None: no LAS."""
    las = state.host.get("las")
    if not las or not las.get("activated") or las.get("mode") != "online":
        return None
    last = las.get("last_contact")
    if not last:
        return True
    return now - datetime.fromisoformat(last) > timedelta(days=las_rules.load_shipped().contact_days)
