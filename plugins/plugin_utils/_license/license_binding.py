# Copyright: (c) 2026, ctxlic maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# Internal use only: this module is private to ctxlic.license_server and may change at any time.
"""Does a license file's binding match this License Server? (host name exactly as ``lmhostid -hostname``
prints it, or a MAC address; seed 004 "License file format"). No I/O.
"""

from __future__ import annotations

import re
from typing import Sequence

from ansible_collections.ctxlic.license_server.plugins.plugin_utils._common.errors import InputError
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._license.license_model import (
    Finding,
    LicenseFileReport,
    printable,
)

_MAC_PLAIN_RE = re.compile(r"[0-9A-Fa-f]{12}")
_MAC_SEPARATED_RE = re.compile(r"[0-9A-Fa-f]{2}([-:])(?:[0-9A-Fa-f]{2}\1){4}[0-9A-Fa-f]{2}")


def normalize_mac(value: str) -> str | None:
    """``00-15-C5-F0-A1-B2`` / ``00:15:c5:f0:a1:b2`` / ``0015C5F0A1B2`` -> ``0015C5F0A1B2``; None if not a MAC."""
    if not isinstance(value, str):
        return None
    candidate = value.strip()
    if _MAC_PLAIN_RE.fullmatch(candidate) or _MAC_SEPARATED_RE.fullmatch(candidate):
        return re.sub(r"[-:]", "", candidate).upper()
    return None


def check_binding(report: LicenseFileReport, *, ls_hostname: str | None, macs: Sequence[str]) -> list[Finding]:
    """Compare a file's binding with the License Server it is meant for; returns errors.

    Host names compare exactly (FlexNet's ``HOSTNAME=`` is case-sensitive, seed 004 ``lmhostid``);
    a case-only difference gets its own code and message. MAC addresses compare after
    normalising separators and case. ``any`` (the start-up license) always matches.
    """
    if macs is None:
        macs = []
    if isinstance(macs, str) or not all(isinstance(mac, str) for mac in macs):
        raise InputError("macs must be a list of MAC address strings")
    binding = report.binding
    name = report.name
    if binding.kind == "none":
        return [Finding("binding_missing", f"{name}: no SERVER line, the file is bound to no License Server")]
    if binding.kind == "multiple":
        return [
            Finding(
                "binding_multiple",
                f"{name}: several SERVER lines ({_shorten_list(binding.values)}); the License "
                "Server ignores such files - download one file per License Server",
            )
        ]
    if binding.kind == "any":
        return []
    if binding.kind == "hostname":
        return _check_hostname(name, binding.value or "", ls_hostname)
    if binding.kind == "mac":
        return _check_mac(name, binding.value or "", macs)
    return [
        Finding(
            "binding_unsupported",
            f"{name}: binding {binding.value!r} is neither a host name nor a MAC address; it cannot be checked",
        )
    ]


def _shorten_list(values: Sequence[str], limit: int = 5) -> str:
    shown = ", ".join(printable(str(value), 60) for value in values[:limit])
    return shown + (f" and {len(values) - limit} more" if len(values) > limit else "")


def _check_hostname(name: str, bound: str, ls_hostname: str | None) -> list[Finding]:
    if ls_hostname is None or not str(ls_hostname).strip():
        return [
            Finding(
                "binding_unverifiable",
                f"{name}: bound to host name {bound!r} but the License Server's host name is unknown",
            )
        ]
    if bound == ls_hostname:
        return []
    if bound.lower() == ls_hostname.lower():
        return [
            Finding(
                "binding_hostname_case",
                f"{name}: bound to {bound!r} but the License Server is {ls_hostname!r}; they differ only in case "
                "and the host name comparison is case-sensitive - allocate the licenses again with the exact "
                "host name",
            )
        ]
    if "." in bound and "." not in ls_hostname and bound.split(".", 1)[0] == ls_hostname:
        # seed 004 "Disaster recovery" (~4786): files work on a server with the same binding, "the server name or
        # FQDN or MAC address". lmhostid -hostname shows the short name only, so a file bound to <name>.<domain>
        # on server <name> cannot be proven either way from it: UNKNOWN, not a mismatch (docs/compliance.md).
        return [
            Finding(
                "binding_unverifiable",
                f"{name}: bound to the fully qualified name {bound!r}; the License Server's host name is "
                f"{ls_hostname!r} and its domain was not read, so the binding cannot be verified - Citrix Licensing "
                "11.17.2 build 49000 documentation, Disaster recovery, allows a binding to the server name or FQDN; "
                "check that the server's FQDN is exactly this name (case-sensitive), then set force to install it",
            )
        ]
    hint = ""
    if ls_hostname.split(".", 1)[0].lower() == bound.split(".", 1)[0].lower():
        hint = " (one is a fully qualified name: the binding must be written exactly as lmhostid -hostname shows)"
    return [
        Finding(
            "binding_hostname_mismatch",
            f"{name}: bound to host name {bound!r} but the License Server is {ls_hostname!r}{hint}; a license "
            "file cannot move to another host - return and re-allocate the licenses",
        )
    ]


def _check_mac(name: str, bound: str, macs: Sequence[str]) -> list[Finding]:
    known = [normalized for normalized in (normalize_mac(mac) for mac in macs) if normalized]
    if not known:
        return [
            Finding(
                "binding_unverifiable",
                f"{name}: bound to MAC address {bound} but no MAC address of the License Server is known",
            )
        ]
    if bound in known:
        return []
    return [
        Finding(
            "binding_mac_mismatch",
            f"{name}: bound to MAC address {bound}, which is not one of the License Server's ({', '.join(known)})",
        )
    ]
