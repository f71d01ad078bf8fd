# Copyright: (c) 2026, ctxlic maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The License Management Service's automatic upload, run when its schedule (lab/schedule.py) says it is due.

Seed 001 "Reporting options": the first upload about five minutes after the License Server starts or restarts, then
once a day; a failed upload is retried 24 hours later; the schedule resets on reinstall. With the service
disabled nothing is uploaded and the files for manual upload accumulate in
``LS\\resource\\usage\\upload_compliance*.zip`` and (from build 45000)
``LS\\resource\\cis_bundles\\ul_usage\\upload_usage*.zip``. The result of the last attempt is written
to ``LS\\resource\\cache\\upload_compliance_result.xml`` in the ``CtxUploaderResult`` format.
The network model per host decides success: DNS for the upload host, the direct route to it on
TCP 443, and which proxies (``host:port``) would forward the connection.
"""

from __future__ import annotations

import os
import zipfile
from xml.etree import ElementTree
from datetime import datetime
from pathlib import Path

from ansible_collections.ctxlic.license_server.plugins.plugin_utils.lab import schedule
from ansible_collections.ctxlic.license_server.plugins.plugin_utils.lab.installer import version_key
from ansible_collections.ctxlic.license_server.plugins.plugin_utils.lab.layout import (
    INSTALL_REG_KEY,
    LICENSING_SERVICE,
    win_to_lab,
)
from ansible_collections.ctxlic.license_server.plugins.plugin_utils.lab.state import HostState, read_json, write_json

UPLOAD_HOST = "cis.citrix.com"
# The WSAHOST_NOT_FOUND text is seed 001's sample; the timeout text follows the same pattern
# (the seeds show no other failure), with the Winsock code for a timed-out connect.
DNS_FAILURE_MSG = (
    "SocketOpen(cis.citrix.com:443) exception: {GetAddrInfoW(cis.citrix.com) failed: WSAHOST_NOT_FOUND : "
    "code 0x00002af9: No such host is known.\n}"
)
BLOCKED_MSG = (
    "SocketOpen(cis.citrix.com:443) exception: {connect(cis.citrix.com:443) failed: WSAETIMEDOUT : "
    "code 0x0000274c: A connection attempt failed because the connected party did not properly respond "
    "after a period of time.\n}"
)


def result_xml(code: str, msg: str, when: datetime, arg: str | None = None) -> str:
    arg_xml = f"<Arg>{arg}</Arg>" if arg else ""
    return (
        f"<CtxUploaderResult><Code>{code}</Code><Msg>{msg}</Msg>{arg_xml}<t>{int(when.timestamp())}</t>"
        "<UploadType>CTX_UPLOAD_TYPE_COMPLIANCE</UploadType></CtxUploaderResult>"
    )


def configured_proxy(install_base: Path) -> str | None:
    """The proxy the LS would use: one ``<Proxy>`` (case-sensitive) directly under ``<Configurations>``.

    Seed 004 shows the element as a child of ``<Configurations>`` and says tags are case-sensitive.
    The lab reads the file with the standard library (independently of the collection's parser); a
    file that does not parse, or holds several ``<Proxy>`` children, gives the LS no usable proxy.
    """
    config = install_base / "WebServicesForLicensing" / "SimpleLicenseServiceConfig.xml"
    try:
        raw = config.read_bytes()
    except OSError:
        return None
    if b"<!DOCTYPE" in raw or b"<!ENTITY" in raw:
        return None
    try:
        root = ElementTree.fromstring(raw)  # noqa: S314 - DOCTYPE/ENTITY refused above, so nothing expands
    except ElementTree.ParseError:
        return None
    if root.tag != "Configurations":
        return None
    found = [(child.text or "").strip() for child in root if child.tag == "Proxy"]
    return found[0] if len(found) == 1 and found[0] else None


WINDOWS_PROXY_SOURCES = ("auto", "ie", "default")


def effective_proxy(network: dict, install_base: Path) -> tuple[str | None, str]:
    """The proxy the License Server uploads through, and where it came from.

    Seed 004 CEIP/Call Home data table, ``SLSProxy`` (~840, ~1000): "The proxy chosen from various sources in the
    order of priority. (1) WinAutoURL using "citrix.com". (2) WinIE = Internet Explorer settings which require the
    licensing service to run under a user account rather than local service. (3) WinDefault = The old method that
    relies on a setting in the windows registry. (4) SimpleLicenseServiceConfig.xml." The host's
    ``network.windows_proxy`` holds what Windows would answer for (1)-(3) (``auto``, ``ie``, ``default``) and
    ``network.service_account`` (``local_service`` unless ``user``) decides whether (2) applies.
    """
    windows = network.get("windows_proxy") or {}
    for source in WINDOWS_PROXY_SOURCES:
        value = windows.get(source)
        if source == "ie" and network.get("service_account", "local_service") != "user":
            continue
        if value:
            return str(value), f"windows:{source}"
    xml = configured_proxy(install_base)
    return (xml, "SimpleLicenseServiceConfig.xml") if xml else (None, "direct")


def _write_zip(path: Path, when: datetime, member: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(member, f"<usage generated='{when.isoformat()}'>" + "x" * 2048 + "</usage>")
    os.utime(path, (when.timestamp(), when.timestamp()))


def run_due(root: Path, since: datetime, until: datetime) -> list[str]:
    """Run every upload attempt the host's schedule holds up to ``until``; return what happened, in order.

    ``since`` is when the lab clock last moved (a running host without a schedule is taken to have started then).
    ``not-installed`` / ``service-stopped``: no License Server / its service is not running; ``not-due``: nothing was
    due in the period.
    """
    state = HostState(root)
    if not state.registry.get(INSTALL_REG_KEY):
        return ["not-installed"]
    if state.services.get(LICENSING_SERVICE, {}).get("state") != "running":
        return ["service-stopped"]
    outcomes: list[str] = []
    due = schedule.next_attempt(state, since)
    if due is None:  # running without a schedule: the service state was edited by hand
        schedule.service_started(state, since)
        due = schedule.next_attempt(state, since)
    while due is not None and due <= until:
        outcomes.append(simulate_day(root, due))
        due = schedule.next_attempt(state, since)
    return outcomes or ["not-due"]


def simulate_day(root: Path, when: datetime) -> str:
    """Run one upload attempt on one lab host at lab time ``when``; return what happened.

    The next attempt is scheduled 24 hours later, after a success as after a failure (lab/schedule.py).
    """
    state = HostState(root)
    install = state.registry.get(INSTALL_REG_KEY)
    if not install:
        return "not-installed"
    if state.services.get(LICENSING_SERVICE, {}).get("state") != "running":
        return "service-stopped"
    base = win_to_lab(root, install["LS_Install_Dir"])
    lms = read_json(state.lab / "lms.json", {"enabled": True})
    stamp = int(when.timestamp())
    if not lms.get("enabled", True):
        _write_zip(base / "LS/resource/usage" / f"upload_compliance_{stamp}.zip", when, "compliance.xml")
        if (version_key(install.get("Version")) or (0, 0, 0, 0)) >= (11, 17, 2, 45000):
            ul_dir = "cis bundles" if state.host.get("cis_bundles_spelling") == "space" else "cis_bundles"
            _write_zip(base / "LS/resource" / ul_dir / "ul_usage" / f"upload_usage_{stamp}.zip", when, "usage.json")
        state.record("uploader", outcome="manual-bundle", at=when.isoformat())
        schedule.after_attempt(state, when, succeeded=True)
        return "manual-bundle"
    network = state.host.get("network", {"dns": True, "direct": True, "proxies": {}})
    proxy, proxy_source = effective_proxy(network, base)
    if proxy is not None:
        ok = bool(network.get("proxies", {}).get(proxy))
        code, msg = ("CTX_UPLOADER_SUCCESS", "") if ok else ("CTX_UPLOADER_ERROR_NETWORK_OPEN", BLOCKED_MSG)
    elif not network.get("dns", True):
        code, msg = "CTX_UPLOADER_ERROR_NETWORK_OPEN", DNS_FAILURE_MSG
    elif network.get("direct", True) and UPLOAD_HOST not in (network.get("blocked") or []):
        code, msg = "CTX_UPLOADER_SUCCESS", ""
    else:
        code, msg = "CTX_UPLOADER_ERROR_NETWORK_OPEN", BLOCKED_MSG
    cache = base / "LS/resource/cache"
    cache.mkdir(parents=True, exist_ok=True)
    arg = None if code == "CTX_UPLOADER_SUCCESS" else f"{UPLOAD_HOST}:443"
    (cache / "upload_compliance_result.xml").write_text(result_xml(code, msg, when, arg), encoding="utf-8")
    outcome = "success" if code == "CTX_UPLOADER_SUCCESS" else "failure"
    _keep_last_bundle(state, base, when)
    state.record("uploader", outcome=outcome, at=when.isoformat(), proxy=proxy, proxy_source=proxy_source)
    schedule.after_attempt(state, when, succeeded=outcome == "success")
    return outcome


def _keep_last_bundle(state: HostState, base: Path, when: datetime) -> None:
    """Leave the bundle of this automatic attempt in ``LS\\resource\\usage``, replacing the previous one.

    Seed 004 support-bundle table (~3583): ``LS\\resource\\usage`` "contains files included in the last compliance
    and/or CEIP/Call Home upload bundle along with corresponding .zip files for each program". The documents do not
    name that zip; the lab uses the manual-upload name (``upload_compliance_<t>.zip``), the strictest reading for the
    product (docs/lab.md). Zips of an earlier manual period are never touched.
    """
    usage = base / "LS/resource/usage"
    usage.mkdir(parents=True, exist_ok=True)
    marker = state.lab / "last_auto_bundle.json"
    previous = read_json(marker, {}).get("name")
    if previous:
        (usage / previous).unlink(missing_ok=True)
    name = f"upload_compliance_{int(when.timestamp())}.zip"
    _write_zip(usage / name, when, "compliance.xml")
    write_json(marker, {"name": name})
