# Copyright: (c) 2026, ctxlic maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# Internal use only: this module is private to ctxlic.license_server and may change at any time.
"""Parse a proxy address ``host:port`` the way the License Server's proxy setting expects it (pure).

Kept apart from :mod:`.proxy_config` (the lxml editor of SimpleLicenseServiceConfig.xml) so that code
which only parses an address (the option checks, the Windows backend's probe) never imports lxml.

Seed 004 "Step 5 Configure a proxy server" (~line 2939): ``<Proxy>proxy server name:port number</Proxy>``;
"we do not support authenticated proxies"; the Citrix Licensing Manager UI (~line 3525) takes
"IPAddress:Port or Hostname:Port". Choices where the seeds are silent:

- IPv6 proxies: the seeds show only IPv4 and host names. We accept the RFC 3986 bracket form
  ``[2001:db8::1]:3128`` (``allow_ipv6=True``); pass ``allow_ipv6=False`` to refuse it.
- Host names: RFC 1123 letters, digits and hyphens, labels of 1-63 characters; international
  names must be given in their ``xn--`` form. Ports 1-65535 without leading zeros.
"""

from __future__ import annotations

import ipaddress
import re
import unicodedata
from dataclasses import dataclass

from ansible_collections.ctxlic.license_server.plugins.plugin_utils._common.errors import InputError

_ECHO_LIMIT = 80
_MAX_HOST_LEN = 253
_MAX_LABEL_LEN = 63

_SCHEME_RE = re.compile(r"^(?:[A-Za-z][A-Za-z0-9+.\-]*://|(?:https?|socks[45]?h?|ftp):)", re.IGNORECASE)
_PORT_RE = re.compile(r"[0-9]+")
_LABEL_RE = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?")
_LABEL_CHAR_RE = re.compile(r"[^A-Za-z0-9-]")
_DOTTED_NUMERIC_RE = re.compile(r"[0-9.]+")


class ProxyConfigError(InputError):
    """A proxy address or configuration file the collection refuses; ``code`` says which problem."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class ProxyAddress:
    """A validated proxy ``host:port``; ``str()`` is the canonical form written to the file."""

    host: str
    port: int
    host_kind: str  # "name" | "ipv4" | "ipv6"

    def __str__(self) -> str:
        if self.host_kind == "ipv6":
            return f"[{self.host}]:{self.port}"
        return f"{self.host}:{self.port}"


def redact_credentials(text: str) -> str:
    """Hide anything that may be credentials (``user:pass@``) before a text is echoed."""
    if "@" not in text:
        return text
    scheme = ""
    match = re.match(r"^[A-Za-z][A-Za-z0-9+.\-]*://", text)
    if match:
        scheme = match.group(0)
    return scheme + "***@" + text.rsplit("@", 1)[1]


def echo_text(text: str) -> str:
    """Quote a user-supplied text for a message: credentials hidden, escapes visible, bounded."""
    shown = redact_credentials(text)
    if len(shown) > _ECHO_LIMIT:
        shown = shown[:_ECHO_LIMIT] + "..."
    return ascii(shown)


def _address_error(code: str, text: str, problem: str) -> ProxyConfigError:
    return ProxyConfigError(
        code,
        f"proxy address {echo_text(text)} {problem}; give it as host:port, for example proxy.example.com:3128 "
        "or 10.211.55.5:808 (Citrix Licensing 11.17.2 build 49000 documentation 'Configure a proxy server')",
    )


def parse_proxy_address(text: str, *, allow_ipv6: bool = True) -> ProxyAddress:
    """Validate a proxy given as ``host:port`` (or ``[ipv6]:port``) the way the LS file expects it.

    The LS takes "proxy server name:port number" only (seed 004): no scheme, no path, no
    credentials (authenticated proxies are not supported). Refusals raise :class:`ProxyConfigError`
    whose ``code`` names the problem and whose message echoes the input with credentials hidden.
    """
    if not isinstance(text, str):
        raise ProxyConfigError(
            "not_a_string", f"proxy address must be a string like host:port, got {type(text).__name__}"
        )
    if text == "":
        raise _address_error("empty", text, "is empty")
    for char in text:
        if char.isspace():
            raise _address_error("whitespace", text, "contains whitespace; remove all spaces, tabs and line breaks")
        if unicodedata.category(char).startswith("C"):
            raise _address_error("control_character", text, f"contains the control/format character {char!a}")
    if "@" in text:
        raise _address_error(
            "credentials",
            text,
            "contains credentials (user@ or user:password@): authenticated proxies are not supported by the "
            "License Server (Citrix Licensing 11.17.2 build 49000 documentation); use a proxy that lets the License "
            "Server through without authentication",
        )
    if _SCHEME_RE.match(text) or "://" in text:
        raise _address_error("scheme", text, "has a scheme (like http://); the License Server wants only host:port")
    if any(char in text for char in "/?#\\"):
        raise _address_error("path", text, "has a path, query or fragment; nothing may follow the port")
    if text.startswith("["):
        return _parse_bracketed(text, allow_ipv6)
    if "[" in text or "]" in text:
        raise _address_error("invalid_host", text, "has brackets that do not enclose an IPv6 address at the start")
    if text.count(":") > 1:
        raise _address_error(
            "ipv6_without_brackets",
            text,
            "has more than one ':'; an IPv6 address must be written in brackets, like [2001:db8::1]:3128",
        )
    host, sep, port_text = text.rpartition(":")
    if not sep or port_text == "":
        raise _address_error("missing_port", text, "has no port; add ':port'")
    if host == "":
        raise _address_error("empty_host", text, "has no host before the ':'")
    port = _parse_port(port_text, text)
    if _DOTTED_NUMERIC_RE.fullmatch(host):
        try:
            address = ipaddress.IPv4Address(host)
        except ValueError:
            raise _address_error("invalid_ipv4", text, f"has an invalid IPv4 address {echo_text(host)}") from None
        return ProxyAddress(str(address), port, "ipv4")
    _check_host_name(host, text)
    return ProxyAddress(host, port, "name")


def _parse_bracketed(text: str, allow_ipv6: bool) -> ProxyAddress:
    close = text.find("]")
    if close < 0:
        raise _address_error("invalid_ipv6", text, "opens '[' for an IPv6 address but never closes it")
    host, rest = text[1:close], text[close + 1 :]
    if not allow_ipv6:
        raise _address_error("ipv6_not_allowed", text, "is an IPv6 address and IPv6 proxies are disabled here")
    if "%" in host:
        raise _address_error("invalid_ipv6", text, "has an IPv6 zone id (%...), which is only valid on one host")
    try:
        address = ipaddress.IPv6Address(host)
    except ValueError:
        raise _address_error("invalid_ipv6", text, f"has an invalid IPv6 address {echo_text(host)}") from None
    if rest == "" or rest == ":":
        raise _address_error("missing_port", text, "has no port; add ':port' after the ']'")
    if not rest.startswith(":"):
        raise _address_error("invalid_ipv6", text, "has text between ']' and the ':port'")
    return ProxyAddress(address.compressed, _parse_port(rest[1:], text), "ipv6")


def _parse_port(port_text: str, text: str) -> int:
    if not _PORT_RE.fullmatch(port_text):
        raise _address_error("non_numeric_port", text, f"has a non-numeric port {echo_text(port_text)}")
    if len(port_text) > 5 or int(port_text) > 65535:
        raise _address_error("port_out_of_range", text, "has a port above 65535; ports are 1-65535")
    port = int(port_text)
    if port == 0:
        raise _address_error("port_zero", text, "has port 0; ports are 1-65535")
    if port_text.startswith("0"):
        raise _address_error("port_leading_zero", text, f"has a port with leading zeros; write {port}")
    return port


def _check_host_name(host: str, text: str) -> None:
    if not host.isascii():
        raise _address_error(
            "invalid_host_characters",
            text,
            "has non-ASCII characters in the host name; give an international name in its xn-- (punycode) form",
        )
    if len(host) > _MAX_HOST_LEN:
        raise _address_error("host_too_long", text, f"has a host name longer than {_MAX_HOST_LEN} characters")
    for label in host.split("."):
        if label == "":
            raise _address_error(
                "invalid_host", text, "has an empty label in the host name (leading, trailing or '..')"
            )
        if len(label) > _MAX_LABEL_LEN:
            raise _address_error(
                "label_too_long", text, f"has a host name label longer than {_MAX_LABEL_LEN} characters"
            )
        bad = _LABEL_CHAR_RE.search(label)
        if bad:
            raise _address_error(
                "invalid_host_characters",
                text,
                f"has the character {bad.group(0)!a} in the host name; use letters, digits, '-' and '.'",
            )
        if not _LABEL_RE.fullmatch(label):
            raise _address_error("invalid_host", text, "has a host name label that starts or ends with '-'")
