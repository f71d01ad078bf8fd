# Copyright: (c) 2026, ctxlic maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# Internal use only: this module is private to ctxlic.license_server and may change at any time.
"""Citrix License Server version numbers: parse, order, print.

The License Server reports its version in several spellings (seed 004 and public scripts):
the registry value ``HKLM\\SOFTWARE\\WOW6432Node\\Citrix\\LicenseServer\\Install\\Version``
holds ``11.17.2.0 build 42000``; the "What's new" pages say ``11.17.2 build 49000``; some
tools print ``Build`` with a capital B or pad with extra spaces. All of them name the same
four numbers that matter for the upgrade window: major, minor, patch and build. The fourth
dotted component (``.0`` in every published version) is accepted and ignored, because no
seed document orders releases by it.

A bare ``11.17.2.0`` carries no build number. It parses (so a gather never fails on it) with
``build = 0`` and ``build_known = False``; the upgrade-window logic then refuses to place it
among the 11.17.2 builds instead of silently treating it as the oldest one.

Pure module: no I/O.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from ansible_collections.ctxlic.license_server.plugins.plugin_utils._common.errors import InputError

# Digits are capped at 9 so int() never meets a pathological string (and no real version is longer).
_VERSION_RE = re.compile(
    r"""
    ^
    (?P<major>\d{1,9})\.(?P<minor>\d{1,9})\.(?P<patch>\d{1,9})
    (?:\.(?P<revision>\d{1,9}))?
    (?:\s*,?\s*build\s*(?P<build>\d{1,9}))?
    $
    """,
    re.IGNORECASE | re.VERBOSE,
)

# Whitespace and padding seen in registry exports: NULs, no-break spaces, tabs, CR/LF.
_PADDING = "\x00\u00a0\u2007\u202f\ufeff"

EXPECTED_FORM = "'<major>.<minor>.<patch>[.0] build <N>', for example '11.17.2.0 build 42000' or '11.17.2 build 49000'"


@dataclass(frozen=True, order=True)
class LSVersion:
    """One License Server version; instances order by (major, minor, patch, build).

    ``build_known`` and ``text`` do not take part in comparisons: two spellings of the same
    version compare equal.
    """

    major: int
    minor: int
    patch: int
    build: int = 0
    build_known: bool = field(default=True, compare=False)
    text: str = field(default="", compare=False)

    def __str__(self) -> str:
        """Canonical spelling used in reports and the release catalog: ``11.17.2 build 45000``."""
        base = f"{self.major}.{self.minor}.{self.patch}"
        if not self.build_known:
            return f"{base} (build unknown)"
        return f"{base} build {self.build}"

    @property
    def release(self) -> tuple[int, int, int]:
        """The (major, minor, patch) triple, without the build."""
        return (self.major, self.minor, self.patch)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form matching the per-server record (``server.version``).

        ``build`` is ``None`` when the input carried no build number (unknown = null).
        """
        return {
            "text": self.text or str(self),
            "major": self.major,
            "minor": self.minor,
            "patch": self.patch,
            "build": self.build if self.build_known else None,
            "build_known": self.build_known,
        }


def _normalise(text: str) -> str:
    """Strip registry padding and collapse runs of whitespace to one space."""
    for char in _PADDING:
        text = text.replace(char, " ")
    return " ".join(text.split())


def parse_ls_version(text: Any) -> LSVersion:
    """Parse a License Server version string.

    Accepts ``11.17.2.0 build 42000``, ``11.17.2 build 49000``, ``11.17.2.0 Build 45000``,
    ``11.16.6 build 34000``, ``11.17.2.0`` (build unknown) and the same with extra spaces.
    Raises :class:`InputError` naming the text for anything else.
    """
    if isinstance(text, LSVersion):
        return text
    if not isinstance(text, str):
        raise InputError(
            f"License Server version {text!r} is a {type(text).__name__}, not a string: "
            f"pass the version text, in the form {EXPECTED_FORM}."
        )
    cleaned = _normalise(text)
    match = _VERSION_RE.match(cleaned)
    if not match:
        raise InputError(
            f"Cannot parse License Server version {text!r}: expected {EXPECTED_FORM} "
            "(the registry value ...\\Citrix\\LicenseServer\\Install\\Version). Check the value passed in."
        )
    build = match.group("build")
    return LSVersion(
        major=int(match.group("major")),
        minor=int(match.group("minor")),
        patch=int(match.group("patch")),
        build=int(build) if build is not None else 0,
        build_known=build is not None,
        text=cleaned,
    )
