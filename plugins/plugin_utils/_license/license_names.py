# Copyright: (c) 2026, ctxlic maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# Internal use only: this module is private to ctxlic.license_server and may change at any time.
"""License file names: what the License Server reads from MyFiles and what Windows can hold. No I/O.

Seed 004 "Download licenses" (lower-case ``.lic``; copy tools append ``.txt``) and "Delete license files"
(never touch ``citrix_startup.lic`` or ``CITRIX.opt``); Microsoft "Naming Files, Paths, and Namespaces".
"""

from __future__ import annotations

import re

from ansible_collections.ctxlic.license_server.plugins.plugin_utils._common.errors import InputError
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._common.path_expansion import expandable
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._license.license_model import Finding, printable

PROTECTED_FILES = ("citrix_startup.lic", "CITRIX.opt")
"""Files the License Server installs itself; never deploy over, rename or delete them (seed 004)."""
LICENSE_EXTENSION = ".lic"
# Microsoft, "Naming Files, Paths, and Namespaces" (learn.microsoft.com/windows/win32/fileio/naming-a-file):
# CON, PRN, AUX, NUL, COM0-COM9, COM¹-COM³, LPT0-LPT9, LPT¹-LPT³ are reserved, also followed by an
# extension (NUL.txt is NUL). CONIN$ and CONOUT$ open the console the same way (CreateFile documentation,
# "Consoles"). Superscript digits count as digits there (issue 14 item 8).
_DEVICE_DIGITS = "0123456789\u00b9\u00b2\u00b3"
_WINDOWS_RESERVED = frozenset(
    ["CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$"]
    + [f"COM{d}" for d in _DEVICE_DIGITS]
    + [f"LPT{d}" for d in _DEVICE_DIGITS]
)


def reserved_device_name(name: str) -> str | None:
    """The reserved Windows device name that ``name`` (one path segment) opens instead of a file, or None.

    Windows ignores the extension and trailing spaces and dots: ``con.lic``, ``COM¹.lic``, ``nul .x``
    and ``LPT0`` all name devices.
    """
    if not isinstance(name, str):
        return None
    stem = name.split(".", 1)[0].rstrip(" .").strip().upper()
    return stem if stem in _WINDOWS_RESERVED else None


_WINDOWS_BAD_CHARS = frozenset('<>:"|?*')
_MAX_NAME_LENGTH = 255


def is_protected(name: str) -> bool:
    """True for the start-up license and the options file, compared case-insensitively.

    Windows file names are case-insensitive, so ``Citrix_Startup.LIC`` is the same file.
    """
    if not isinstance(name, str):
        return False
    lowered = name.strip().lower()
    return any(lowered == protected.lower() for protected in PROTECTED_FILES)


def validate_file_name(name: str) -> list[Finding]:
    """Check a bare file name meant for ``MyFiles``; returns errors (empty list when fine).

    The License Server only reads ``*.lic`` with a lower-case extension (seed 004), the name
    must stay inside ``MyFiles`` (no separators, ``..`` or drive letters), must be a legal
    Windows name, and must not be one of :data:`PROTECTED_FILES`.
    """
    if name is not None and not isinstance(name, str):
        raise InputError(f"license file name must be a string, got {type(name).__name__}: pass the bare file name")
    if name is None or not name.strip():
        return [Finding("file_name_empty", "license file name is empty: give a name ending in '.lic'")]
    findings: list[Finding] = []
    shown = printable(name)
    if _has_path_parts(name):
        findings.append(
            Finding(
                "file_name_path",
                f"license file name {shown!r} contains a path (separator, '..' or drive letter): license files "
                "must sit directly in MyFiles, give the bare file name",
            )
        )
        return findings
    if len(name) > _MAX_NAME_LENGTH:
        findings.append(
            Finding("file_name_too_long", f"license file name is {len(name)} characters long; Windows allows 255")
        )
    bad = sorted({ch for ch in name if ch in _WINDOWS_BAD_CHARS or ord(ch) < 32})
    if bad or name[-1] in ". " or name[0] == " ":
        findings.append(
            Finding(
                "file_name_invalid_chars",
                f'license file name {shown!r} is not a valid Windows file name (characters <>:"|?* or control '
                "characters, or a leading/trailing space or dot): rename it",
            )
        )
    if expandable(name):
        findings.append(
            Finding(
                "file_name_expands",
                f"license file name {shown!r} contains '%NAME%', which ansible.windows modules expand in file "
                "paths, so the file could not be written or checked on Windows: use at most one '%'",
            )
        )
    findings.extend(_extension_findings(name, shown))
    stem = reserved_device_name(name)
    if stem:
        findings.append(
            Finding("file_name_reserved", f"license file name {shown!r} uses the reserved Windows device name {stem}")
        )
    if is_protected(name):
        findings.append(
            Finding(
                "file_name_protected",
                f"{shown!r} is installed and owned by the License Server (start-up license / options file): "
                "never overwrite, rename or delete it; give your license file another name",
            )
        )
    return findings


def _has_path_parts(name: str) -> bool:
    if "/" in name or "\\" in name:
        return True
    if name.strip() in (".", ".."):
        return True
    return bool(re.match(r"[A-Za-z]:", name))


def _extension_findings(name: str, shown: str) -> list[Finding]:
    if name.endswith(LICENSE_EXTENSION):
        if name[: -len(LICENSE_EXTENSION)].strip() == "":
            return [Finding("file_name_empty", f"license file name {shown!r} has no name before '.lic'")]
        return []
    lowered = name.lower()
    if lowered.endswith(LICENSE_EXTENSION):
        why = (
            f"license file name {shown!r} must end in lower-case '.lic': the License Server does not read "
            f"'{name[-4:]}'; rename it"
        )
    elif lowered.endswith(".lic.txt"):
        why = (
            f"license file name {shown!r} ends in '.lic.txt': a copy tool appended '.txt'; remove '.txt' "
            "so the name ends in lower-case '.lic'"
        )
    elif lowered.endswith(".txt"):
        why = f"license file name {shown!r} ends in '.txt'; the License Server only reads files ending in '.lic'"
    else:
        why = f"license file name {shown!r} does not end in lower-case '.lic'; the License Server ignores it"
    return [Finding("file_name_extension", why)]
