# Copyright: (c) 2026, ctxlic maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Where things are on a simulated license server, and how Windows paths map into its tree.

A lab host is a directory: ``fs/`` holds the simulated drives (``fs/C/Program Files (x86)/...``) and
``.lab/`` holds what Windows keeps outside the file system (registry, service control manager,
network model, fault switches, an audit log). Windows paths are case-insensitive, so mapping matches
existing path components case-insensitively, as NTFS does.
"""

from __future__ import annotations

import ntpath
import os
from pathlib import Path

LAB_DIR = ".lab"
FS_DIR = "fs"
# The vendor facts below are the lab's own copies, on purpose: the lab simulates the vendor product
# independently of the collection, so it does not import _common/constants.py (a wrong constant there
# then shows up as a lab failure instead of being agreed with).
DEFAULT_INSTALL_DIR = r"C:\Program Files (x86)\Citrix\Licensing"
INSTALL_REG_KEY = r"HKLM\SOFTWARE\WOW6432Node\Citrix\LicenseServer\Install"
SERVICES = ("Citrix Licensing", "CitrixWebServicesforLicensing", "CitrixLicensingSupportService")
LICENSING_SERVICE = "Citrix Licensing"
WEB_SERVICE = "CitrixWebServicesforLicensing"
SYSTEM32 = r"C:\Windows\System32"


class LabPathError(ValueError):
    """A Windows path the lab cannot map (UNC, relative, or escaping the host's tree)."""


def split_windows_path(winpath: str) -> tuple[str, list[str]]:
    """Return (drive letter, components) of an absolute local Windows path."""
    if not winpath or "\x00" in winpath:
        raise LabPathError(f"not a Windows path: {winpath!r}")
    p = winpath.replace("/", "\\")
    if p.startswith("\\\\"):
        raise LabPathError(f"UNC paths are not local paths: {winpath!r}")
    drive, rest = ntpath.splitdrive(p)
    if (
        len(drive) != 2
        or drive[1] != ":"
        or not drive[0].isascii()
        or not drive[0].isalpha()
        or not rest.startswith("\\")
    ):
        raise LabPathError(f"not an absolute Windows path with a drive letter: {winpath!r}")
    parts = [c for c in rest.split("\\") if c not in ("", ".")]
    if ".." in parts:
        # Refused rather than resolved: nothing in the collection needs '..', and a lab path must never escape.
        raise LabPathError(f"path contains '..': {winpath!r}")
    return drive[0].upper(), parts


def _match_component(parent: Path, name: str) -> str:
    if (parent / name).exists():
        return name
    try:
        folded = name.casefold()
        for entry in os.listdir(parent):
            if entry.casefold() == folded:
                return entry
    except OSError:
        pass
    return name


def win_to_lab(host_root: Path, winpath: str) -> Path:
    """Map ``C:\\x\\y`` to ``<host_root>/fs/C/x/y`` (existing components matched case-insensitively)."""
    drive, parts = split_windows_path(winpath)
    current = Path(host_root) / FS_DIR / drive
    for part in parts:
        current = current / _match_component(current, part)
    return current


def lab_to_win(host_root: Path, path: str | Path) -> str:
    """Inverse of :func:`win_to_lab` for a path inside the host's ``fs`` tree."""
    rel = Path(path).relative_to(Path(host_root) / FS_DIR)
    drive, *parts = rel.parts
    return f"{drive}:\\" + "\\".join(parts)


def find_host_root(start: Path) -> Path:
    """Walk up from ``start`` to the lab host directory (the one holding ``.lab``)."""
    for candidate in [start, *start.parents]:
        if (candidate / LAB_DIR).is_dir():
            return candidate
    raise LabPathError(f"{start} is not inside a lab host")


def ls_dir(install_dir: str) -> str:
    return ntpath.join(install_dir, "LS")


def myfiles_dir(install_dir: str) -> str:
    return ntpath.join(install_dir, "MyFiles")
