# Copyright: (c) 2026, ctxlic maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# Internal use only: this module is private to ctxlic.license_server and may change at any time.
"""Controller-side decisions of the reporting modules (``management_service``, ``proxy``, ``connectivity``).

Pure: no I/O. The action plugins read the host through the host access layer and hand what they
read to these functions; the proxy XML itself is read and edited by :mod:`.proxy_config`, and the
connectivity verdict comes from :mod:`.connectivity`. What lives here is the glue those two do not
cover: where the files are, validating the options that are not proxy addresses, choosing which
proxy a probe goes through, and turning a backend's raw probe answer into well-formed steps.
"""

from __future__ import annotations

import ntpath
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ansible_collections.ctxlic.license_server.plugins.plugin_utils._telemetry.proxy_address import (
    ProxyConfigError,
    parse_proxy_address,
)
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._telemetry.connectivity import parse_connect_status
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._common.errors import HostError, InputError
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._telemetry.proxy_config import (
    CONFIG_FILE_RELATIVE,
    read_proxy,
)


_HOST_LABEL = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?")
_ERROR_LIMIT = 300


def config_path(install_dir: str) -> str:
    """``<install>\\WebServicesForLicensing\\SimpleLicenseServiceConfig.xml`` (seed 004, Step 5)."""
    return ntpath.join(install_dir, CONFIG_FILE_RELATIVE)


def check_upload_host(value: Any) -> str:
    """A DNS name or IPv4 address for ``upload_host`` (the probe writes it into a CONNECT line)."""
    text = value.strip() if isinstance(value, str) else ""
    labels = text.split(".")
    if not text or len(text) > 253 or not all(_HOST_LABEL.fullmatch(label) for label in labels):
        raise InputError(f"upload_host={value!r} is not a host name; give a DNS name like cis.citrix.com "
                         "(no scheme, no port, no path)")
    return text


def check_port(value: Any, option: str = "port") -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 65535:
        raise InputError(f"{option}={value!r} is not a TCP port; use a number from 1 to 65535 (443 for HTTPS)")
    return value


def check_timeout(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 300:
        raise InputError(f"timeout={value!r} is out of range; give the seconds each network step may take (1-300)")
    return value


def option_proxy(value: str, *, allow_ipv6: bool = True) -> str:
    """The canonical ``host:port`` of a proxy option, or InputError that says what is wrong with it."""
    try:
        return str(parse_proxy_address(value, allow_ipv6=allow_ipv6))
    except ProxyConfigError as exc:
        raise ProxyConfigError(exc.code, f"option proxy: {exc}; nothing was changed") from None


@dataclass
class ProbeProxy:
    """Which proxy a connectivity probe goes through, and why.

    ``source``: ``option`` (the module's ``proxy``), ``config`` (SimpleLicenseServiceConfig.xml),
    ``none`` (no proxy configured, or the file is missing) or ``unknown`` (the file cannot say: broken
    or ambiguous; only the direct path is probed). ``error`` is set when the configured value is not a
    usable ``host:port``: the License Server cannot use it either, so the proxy step fails with it.
    """

    value: str | None
    source: str
    findings: list[dict[str, str]] = field(default_factory=list)
    error: str | None = None


def proxy_for_probe(option: str | None, config: bytes | None, path: str, *, allow_ipv6: bool = True) -> ProbeProxy:
    """Choose the proxy to probe: the option when given, else what the config file says."""
    if option:
        return ProbeProxy(value=option_proxy(option, allow_ipv6=allow_ipv6), source="option")
    if config is None:
        return ProbeProxy(value=None, source="none", findings=[{
            "code": "config_missing",
            "message": f"{path} does not exist, so no proxy is configured there; probing the direct path only",
        }])
    state = read_proxy(config, source=path)
    findings = [dict(item) for item in state.findings]
    if state.configured is None:
        return ProbeProxy(value=None, source="unknown", findings=findings)
    if not state.configured:
        return ProbeProxy(value=None, source="none", findings=findings)
    value = (state.value or "").strip()
    try:
        parse_proxy_address(value, allow_ipv6=allow_ipv6)
    except ProxyConfigError as exc:
        return ProbeProxy(value=value, source="config", findings=findings,
                          error=f"the configured proxy cannot be used: {exc}")
    return ProbeProxy(value=value, source="config", findings=findings)


def _clip(value: Any) -> str | None:
    if value is None:
        return None
    text = str(value)
    return text if len(text) <= _ERROR_LIMIT else text[:_ERROR_LIMIT] + "..."


def _bool_or_none(raw: Mapping[str, Any], key: str, step: str) -> bool | None:
    value = raw.get(key)
    if value is None or isinstance(value, bool):
        return value
    raise HostError(f"connectivity probe: step {step}.{key} came back as {value!r:.80}, not true/false")


def _mapping(raw: Any, step: str) -> Mapping[str, Any]:
    if raw is None:
        return {}
    if not isinstance(raw, Mapping):
        raise HostError(f"connectivity probe: step {step} came back as {type(raw).__name__}, not a mapping; "
                        "the probe script's output was not understood")
    return raw


def probe_steps(raw: Any, proxy: ProbeProxy) -> dict[str, Any]:
    """Well-formed ``{"dns", "direct", "proxy"}`` steps from a backend's raw probe answer.

    Raises HostError when the answer is not the documented shape (never guesses). The proxy step's
    ``ok``/``status_code`` are read from the CONNECT status line here, on the controller, with
    :func:`.connectivity.parse_connect_status`; a configured value that is not a ``host:port`` becomes
    a failed proxy step carrying the reason (the License Server cannot use it either).
    """
    if not isinstance(raw, Mapping):
        raise HostError(f"connectivity probe returned {type(raw).__name__}, not a mapping of steps")
    dns_raw, direct_raw = _mapping(raw.get("dns"), "dns"), _mapping(raw.get("direct"), "direct")
    addresses = dns_raw.get("addresses") or []
    if isinstance(addresses, (str, bytes)) or not isinstance(addresses, (list, tuple)):
        raise HostError("connectivity probe: step dns.addresses is not a list")
    steps: dict[str, Any] = {
        "dns": {"ok": _bool_or_none(dns_raw, "ok", "dns"), "addresses": [str(a) for a in addresses],
                "error": _clip(dns_raw.get("error"))},
        "direct": {"ok": _bool_or_none(direct_raw, "ok", "direct"), "error": _clip(direct_raw.get("error"))},
        "proxy": None,
    }
    if proxy.error is not None:
        steps["proxy"] = {"configured": True, "address": proxy.value, "ok": False, "status_line": None,
                          "status_code": None, "error": _clip(proxy.error)}
    elif proxy.value is not None:
        proxy_raw = _mapping(raw.get("proxy"), "proxy")
        line = proxy_raw.get("status_line")
        if line is not None and not isinstance(line, str):
            raise HostError("connectivity probe: step proxy.status_line is not text")
        ok, code = parse_connect_status(line) if line is not None else (_bool_or_none(proxy_raw, "ok", "proxy"), None)
        if line is None and ok is None and not proxy_raw.get("error"):
            raise HostError(f"connectivity probe: the proxy {proxy.value} was not tested (no status line, no error)")
        steps["proxy"] = {"configured": True, "address": proxy.value, "ok": bool(ok), "status_line": line,
                          "status_code": code, "error": _clip(proxy_raw.get("error"))}
    return steps
