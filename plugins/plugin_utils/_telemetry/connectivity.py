# Copyright: (c) 2026, ctxlic maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# Internal use only: this module is private to ctxlic.license_server and may change at any time.
"""Turn the results of a License Server connectivity probe into one verdict with a fix.

The License Server (LS) uploads telemetry to https://cis.citrix.com/ (seed 004 and seed 001,
"Prerequisites to successfully upload telemetry data": "Outbound to https://cis.citrix.com/ from
the License Server. If not available, create required firewall rule or configure a proxy").
When that fails, ``upload_compliance_result.xml`` records ``CTX_UPLOADER_ERROR_NETWORK_OPEN``, for
example ``GetAddrInfoW(cis.citrix.com) failed: WSAHOST_NOT_FOUND`` (seed 001 "Sample data"): the
name did not resolve.

A probe (run elsewhere, on the LS host) performs three steps and hands their results here:

- ``dns``: resolve the upload host -> ``{"ok": bool, "addresses": [str], "error": str}``
- ``direct``: TCP connect to host:443 without proxy -> ``{"ok": bool, "error": str}``
- ``proxy``: HTTP ``CONNECT host:443`` through the proxy configured in
  SimpleLicenseServiceConfig.xml -> ``{"configured": bool, "ok": bool, "status_line": str,
  "error": str}``

Any key may be missing or None ("not tested"). This module is pure: no network, no clock.

Seed gap: the seeds do not say whether the LS falls back to a direct connection when its
configured proxy fails. By default a failing configured proxy is a failure (``proxy_failed``)
even when direct traffic would work; ``assume_direct_fallback=True`` treats it as ``direct_ok``
with a warning instead.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from typing import Any

from ansible_collections.ctxlic.license_server.plugins.plugin_utils._common.errors import InputError

UPLOAD_HOST = "cis.citrix.com"
UPLOAD_PORT = 443

VERDICTS = ("direct_ok", "proxy_ok", "dns_failure", "blocked", "proxy_failed")

PROXY_MODULE = "ctxlic.license_server.proxy"

_STATUS_RE = re.compile(r"^HTTP/(?:[0-9])(?:\.[0-9])?[ \t]+([0-9]{3})(?:[ \t].*)?$", re.IGNORECASE)
_ERROR_LIMIT = 300

# The LS picks its proxy from Windows settings before this file (seed 004, Call Home "SLSProxy").
_PRECEDENCE_NOTE = (
    "Note: the License Server prefers Windows proxy settings (WinHTTP auto-proxy, Internet Explorer, "
    "WinHTTP default) over SimpleLicenseServiceConfig.xml (Citrix Licensing 11.17.2 build 49000 documentation, "
    "SLSProxy)."
)


def parse_connect_status(line: str | bytes) -> tuple[bool, int | None]:
    """Read an HTTP CONNECT status line such as ``HTTP/1.1 200 Connection established``.

    Returns ``(ok, code)``: ``ok`` is True for a 2xx code; ``(False, None)`` when the line is not an
    HTTP status line (a proxy that answers with garbage did not establish the tunnel).
    """
    if isinstance(line, (bytes, bytearray)):
        line = bytes(line).decode("latin-1")
    if not isinstance(line, str):
        raise InputError(f"the proxy's CONNECT status line must be text, got {type(line).__name__}")
    match = _STATUS_RE.match(line.strip("\r\n"))
    if not match:
        return False, None
    code = int(match.group(1))
    return 200 <= code < 300, code


def _clean(value: Any) -> str:
    """Make a probe error printable: no control characters, bounded length."""
    if value is None:
        return ""
    text = value if isinstance(value, str) else str(value)
    text = "".join(" " if unicodedata.category(ch).startswith("C") else ch for ch in text).strip()
    return text if len(text) <= _ERROR_LIMIT else text[:_ERROR_LIMIT] + "..."


def _step(steps: Mapping[str, Any], name: str) -> Mapping[str, Any]:
    value = steps.get(name)
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise InputError(f"connectivity step {name!r} must be a mapping, got {type(value).__name__}")
    return value


def _flag(step: Mapping[str, Any], step_name: str, key: str) -> bool | None:
    value = step.get(key)
    if value is None or isinstance(value, bool):
        return value
    raise InputError(f"connectivity step {step_name}.{key} must be true, false or null, got {value!r:.80}")


def _addresses(step: Mapping[str, Any]) -> list[str]:
    value = step.get("addresses") or []
    if isinstance(value, (str, bytes)) or not isinstance(value, (list, tuple)):
        raise InputError(f"connectivity step dns.addresses must be a list of addresses, got {type(value).__name__}")
    return [_clean(item) for item in value]


def _result(
    verdict: str, target: str, message: str, hint: str, fix: str | None, warnings: list[str], addresses: list[str]
) -> dict[str, Any]:
    return {
        "verdict": verdict,
        "ok": verdict in ("direct_ok", "proxy_ok"),
        "target": target,
        "message": message,
        "hint": hint,
        "fix": fix,
        "warnings": warnings,
        "addresses": addresses,
    }


def verdict(
    steps: Mapping[str, Any],
    *,
    host: str = UPLOAD_HOST,
    port: int = UPLOAD_PORT,
    assume_direct_fallback: bool = False,
) -> dict[str, Any]:
    """Decide whether the LS can reach the upload endpoint, and what fixes it if not.

    Returns ``{"verdict", "ok", "target", "message", "hint", "fix", "warnings", "addresses"}``
    where ``verdict`` is one of :data:`VERDICTS` and ``fix`` is None, ``"proxy"``, ``"firewall"``
    or ``"dns"``. A configured proxy is what the LS uses, so it is judged first; without one,
    a working direct connection wins over a DNS failure (the probe did connect).
    """
    if not isinstance(steps, Mapping):
        raise InputError(f"connectivity steps must be a mapping of dns/direct/proxy, got {type(steps).__name__}")
    target = f"{host}:{port}"
    dns, direct, proxy = _step(steps, "dns"), _step(steps, "direct"), _step(steps, "proxy")
    dns_ok, direct_ok = _flag(dns, "dns", "ok"), _flag(direct, "direct", "ok")
    addresses = _addresses(dns)
    proxy_ok, code = _proxy_outcome(proxy)
    configured = _flag(proxy, "proxy", "configured")
    if configured is None:
        configured = proxy_ok is not None
    warnings: list[str] = []

    if configured and proxy_ok:
        return _result(
            "proxy_ok",
            target,
            f"The configured proxy opened a tunnel to {target} (CONNECT {code}).",
            "No action needed.",
            None,
            warnings,
            addresses,
        )
    if configured and proxy_ok is False:
        if direct_ok and assume_direct_fallback:
            warnings.append(f"The configured proxy failed ({_proxy_problem(proxy, code)}); direct traffic works.")
            return _result(
                "direct_ok",
                target,
                f"The License Server reaches {target} directly; its configured proxy fails.",
                f"Fix or remove the proxy with {PROXY_MODULE} (state: absent).",
                "proxy",
                warnings,
                addresses,
            )
        return _result(
            "proxy_failed",
            target,
            _proxy_failed_message(target, proxy, code, direct_ok, dns_ok),
            _proxy_failed_hint(target, code),
            "proxy",
            warnings,
            addresses,
        )
    if configured:
        warnings.append("A proxy is configured but was not tested; the verdict covers the direct path only.")

    if direct_ok:
        return _result(
            "direct_ok",
            target,
            f"The License Server reaches {target} directly.",
            "No action needed.",
            None,
            warnings,
            addresses,
        )
    if dns_ok is False:
        return _result(
            "dns_failure",
            target,
            f"The License Server cannot resolve {host} ({_clean(dns.get('error')) or 'no address'}). The uploader "
            "then records CTX_UPLOADER_ERROR_NETWORK_OPEN with GetAddrInfoW ... WSAHOST_NOT_FOUND (Citrix Licensing "
            "data collection programs).",
            f"Fix DNS on the License Server so that {host} resolves (resolver, forwarders, split-horizon zones), "
            f"or set a proxy that resolves it for the License Server with {PROXY_MODULE}.",
            "dns",
            warnings,
            addresses,
        )
    if direct_ok is False:
        return _result(
            "blocked",
            target,
            f"The License Server resolves {host} but cannot open TCP {port} to it "
            f"({_clean(direct.get('error')) or 'connection failed'}).",
            f"Open outbound TCP {port} from the License Server to {host} with a firewall rule, or configure a "
            f"proxy with {PROXY_MODULE} (Citrix Licensing 11.17.2 build 49000 documentation: 'create required "
            "firewall rule or configure a proxy'). "
            + _PRECEDENCE_NOTE,
            "firewall",
            warnings,
            addresses,
        )
    raise InputError(
        "connectivity steps do not decide a verdict: direct.ok is missing and no proxy result was given; "
        f"run the direct TCP test to {target} (or the proxy CONNECT test) and pass its result"
    )


def _proxy_outcome(proxy: Mapping[str, Any]) -> tuple[bool | None, int | None]:
    ok = _flag(proxy, "proxy", "ok")
    line = proxy.get("status_line")
    code = None
    if line is not None:
        parsed_ok, code = parse_connect_status(line)
        if ok is None:
            ok = parsed_ok
    return ok, code


def _proxy_problem(proxy: Mapping[str, Any], code: int | None) -> str:
    if code is not None:
        return f"CONNECT answered {code}"
    error = _clean(proxy.get("error"))
    status = _clean(proxy.get("status_line"))
    if status:
        return f"CONNECT answered {status!r}, not an HTTP status line"
    return error or "no answer"


def _proxy_failed_message(
    target: str, proxy: Mapping[str, Any], code: int | None, direct_ok: bool | None, dns_ok: bool | None
) -> str:
    direct = {True: "works", False: "is blocked", None: "was not tested"}[direct_ok]
    problem = _proxy_problem(proxy, code)
    message = f"The configured proxy did not open a tunnel to {target} ({problem}); direct traffic {direct}."
    if dns_ok is False:
        message += " The upload host does not resolve locally either."
    return message


def _proxy_failed_hint(target: str, code: int | None) -> str:
    if code == 407:
        return (
            "The proxy demands authentication, and authenticated proxies are not supported by the License Server "
            "(Citrix Licensing 11.17.2 build 49000 documentation): allow the License Server through without "
            "authentication, or set another proxy with "
            f"{PROXY_MODULE}."
        )
    return (
        f"Check the host:port set with {PROXY_MODULE} and that the proxy allows CONNECT to {target}; or remove the "
        f"proxy ({PROXY_MODULE}, state: absent) and open the firewall to {target}. " + _PRECEDENCE_NOTE
    )


# --------------------------------------------------------------------------- License Activation Service endpoints
#
# After 2026-04-15 the License Activation Service (LAS) is the only way to activate on-premises products
# (CTX695107), and an online-activated License Server must reach the LAS endpoint daily (Citrix Licensing
# current release, "License Activation Service"). The endpoint list is data (data/las.yml, with its vendor
# source: the uberAgent guide "Configuring uberAgent Proxy Settings for LAS Licensing" lists the Citrix LAS
# backends per Citrix Cloud region); the module option las_endpoints overrides it. Each endpoint is probed
# and judged exactly like the upload host (same proxy, same steps), so the verdicts mean the same thing.


def las_endpoint(value: Any) -> tuple[str, int]:
    """``host`` or ``host:port`` of a LAS endpoint (no scheme, no path); port 443 by default."""
    text = value.strip() if isinstance(value, str) else ""
    host, sep, port_text = text.rpartition(":") if ":" in text else (text, "", "")
    port = int(port_text) if sep and port_text.isascii() and port_text.isdigit() and len(port_text) <= 5 else \
        (UPLOAD_PORT if not sep else 0)
    labels = host.split(".")
    if (not host or len(host) > 253 or not all(re.fullmatch(r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?", label)
                                               for label in labels) or not 1 <= port <= 65535):
        raise InputError(f"las_endpoints entry {value!r} is not a host name or host:port; give a DNS name like "
                         "api.cloud.com or api.cloud.com:443 (no scheme, no path)")
    return host, port


def las_summary(judged: list[dict[str, Any]], source: str) -> dict[str, Any]:
    """One verdict over the LAS endpoint probes: every endpoint must be reachable for online activation."""
    failing = [j for j in judged if not j["ok"]]
    if not judged:
        return {"ok": None, "message": "No LAS endpoint was probed (las_endpoints is empty).", "failing": []}
    if not failing:
        reached = ", ".join(j["target"] for j in judged)
        return {"ok": True, "message": f"The License Server reaches every LAS endpoint ({reached}).", "failing": []}
    return {
        "ok": False,
        "message": (f"The License Server cannot reach {', '.join(j['target'] for j in failing)}: online License "
                    f"Activation Service activation needs a daily connection, otherwise the products enter license "
                    f"caching mode. Endpoints from {source}. " + " ".join(j["hint"] for j in failing[:1])),
        "failing": [j["target"] for j in failing],
    }
