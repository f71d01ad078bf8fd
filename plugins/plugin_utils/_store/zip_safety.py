# Copyright: (c) 2026, ctxlic maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# Internal use only: this module is private to ctxlic.license_server and may change at any time.
"""Check vendor telemetry zips and write/verify upload bundles on the controller (local files only).

The manual-upload flow fetches the License Server's ``upload_compliance*.zip`` / ``upload_usage*.zip``
files to the controller, packs them into bundles small enough for Citrix Insight Services
(see ``telemetry_bundle_plan``), and only deletes the originals on the server once the bundle that
holds them has been verified. These helpers never extract anything: vendor zips are inspected
through ``zipfile`` and copied into bundles as opaque files.

- :func:`verify_vendor_zip` rejects zips that are corrupt (bad structure or CRC), hostile (member
  names that would escape a folder on extraction, absurd compression ratios, too many members)
  and reports why, without raising. A corrupt zip must not be shipped, and a hostile one must not
  reach whoever extracts it later.
- :func:`write_bundle` writes a bundle atomically (``atomic_file``: temporary file + ``os.replace``) with
  ``ZIP_STORED``: the members are zips already, compressing them again gains nothing.
- :func:`verify_bundle` re-reads a written bundle and hashes every member against the plan.

Bundle files are created with mode 0600: telemetry contains user and device data (seed 001).
"""

from __future__ import annotations

import hashlib
import os
import re
import stat
import struct
import zipfile
import zlib
from pathlib import Path
from typing import Any

from ansible_collections.ctxlic.license_server.plugins.plugin_utils._store import atomic_file
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._common.errors import CtxlicError, InputError
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._license.license_names import reserved_device_name

_CHUNK = 1024 * 1024
_DRIVE = re.compile(r"^[A-Za-z]:")
_READ_ERRORS = (
    zipfile.BadZipFile,
    zlib.error,
    struct.error,
    EOFError,
    OSError,
    ValueError,
    TypeError,
    NotImplementedError,
    RuntimeError,
)


def unsafe_member_name(name: str) -> str | None:
    """Return why ``name`` would be unsafe to extract, or None when it is a plain relative path."""
    if "\x00" in name:
        return "contains a NUL character"
    if not name:
        return "is empty"
    if name.startswith(("/", "\\")):
        return "is an absolute path"
    if _DRIVE.match(name):
        return "starts with a drive letter (on Windows x:name is also an alternate data stream of the file x)"
    if ".." in re.split(r"[\\/]", name):
        return "contains a '..' segment"
    # Names Windows reads differently from what they show (issue 14 item 8): such a member is neither
    # bundled nor deleted; the zip is reported with the reason and stays where it is.
    if any(ord(ch) < 32 for ch in name):
        return "contains a control character"
    if ":" in name:
        return "contains ':' (on Windows an alternate data stream such as x:stream, or a drive-relative path)"
    lookalike = sorted({ch for ch in name if ch in _LOOKALIKES})
    if lookalike:
        shown = ", ".join(f"U+{ord(ch):04X}" for ch in lookalike)
        return f"contains {shown}, a full-width or look-alike dot, slash or colon that reads as '.', '/' or ':'"
    for segment in re.split(r"[\\/]", name):
        device = reserved_device_name(segment)
        if device:
            return f"is (or contains) the reserved Windows device name {device}"
        if segment and segment[-1] in ". " and segment not in (".",):
            return "has a segment ending in a dot or space, which Windows drops"
    return None


# Characters that Unicode compatibility normalisation (NFKC) or Windows' best-fit mapping turns into
# '.', '/', '\\' or ':' (full-width forms, small forms, one-dot leader, division and fraction slashes).
_LOOKALIKES = frozenset("\uff0e\uff0f\uff3c\uff1a\u2024\u2025\u2026\ufe52\ufe55\ufe68\u2215\u2044\u29f8\u29f9"
                        "\u3002\uff61\ua789\u02d0\u0589\u05c3\u2236\ufe13")


def verify_vendor_zip(
    path: str | os.PathLike[str],
    *,
    max_ratio: float = 200,
    max_members: int = 10000,
    max_total_uncompressed: int = 4 * 1024**3,
    ratio_min_bytes: int = 1024 * 1024,
    allow_encrypted: bool = True,
) -> dict[str, Any]:
    """Check a local zip without extracting it; return ``{ok, members, reason}``.

    ``members`` lists ``{name, size, compressed_size}`` from the central directory (as far as it
    could be read). Compression ratios are checked per member and in total, only where the
    uncompressed size is at least ``ratio_min_bytes``: small files compress well legitimately and
    cannot hurt. Every member is then read in full (bounded by the declared sizes just checked:
    ``zipfile`` never returns more than a member's declared size) so that a bad CRC or broken
    deflate stream is caught. Encrypted members cannot be CRC-checked without the vendor's key; with
    ``allow_encrypted`` (default) their structure is checked and their data is not read, because the
    zip is only forwarded, never opened by us. Never raises.
    """
    members: list[dict[str, Any]] = []
    try:
        with zipfile.ZipFile(path) as archive:
            infos = archive.infolist()
            members = [
                {"name": i.orig_filename, "size": i.file_size, "compressed_size": i.compress_size} for i in infos
            ]
            reason = _check_structure(infos, max_ratio, max_members, max_total_uncompressed, ratio_min_bytes)
            if reason is None:
                reason = _check_data(archive, infos, allow_encrypted)
    except _READ_ERRORS as exc:
        reason = f"not a readable zip file: {exc}"
    return {"ok": reason is None, "members": members, "reason": reason}


def _check_structure(
    infos: list[zipfile.ZipInfo], max_ratio: float, max_members: int, max_total: int, ratio_min_bytes: int
) -> str | None:
    if len(infos) > max_members:
        return f"has {len(infos)} members, more than {max_members}"
    seen: set[str] = set()
    for info in infos:
        why = unsafe_member_name(info.orig_filename)
        if why:
            return f"member {info.orig_filename!r} {why}"
        if info.orig_filename in seen:
            return f"member {info.orig_filename!r} appears twice"
        seen.add(info.orig_filename)
        if stat.S_ISLNK(info.external_attr >> 16):
            return f"member {info.orig_filename!r} is a symbolic link"
        if _ratio_too_high(info.file_size, info.compress_size, max_ratio, ratio_min_bytes):
            return (
                f"member {info.orig_filename!r} expands {info.compress_size} -> {info.file_size} bytes, "
                f"a ratio above {max_ratio} (zip bomb?)"
            )
    total = sum(i.file_size for i in infos)
    packed = sum(i.compress_size for i in infos)
    if total > max_total:
        return f"expands to {total} bytes in total, more than {max_total}"
    if _ratio_too_high(total, packed, max_ratio, ratio_min_bytes):
        return f"expands {packed} -> {total} bytes in total, a ratio above {max_ratio} (zip bomb?)"
    return None


def _ratio_too_high(size: int, packed: int, max_ratio: float, min_bytes: int) -> bool:
    return size >= min_bytes and size > max_ratio * max(packed, 1)


def _check_data(archive: zipfile.ZipFile, infos: list[zipfile.ZipInfo], allow_encrypted: bool) -> str | None:
    for info in infos:
        if info.flag_bits & 0x1:
            if allow_encrypted:
                continue
            return f"member {info.orig_filename!r} is encrypted and cannot be checked"
        if info.is_dir():
            continue
        try:
            with archive.open(info) as handle:
                while handle.read(_CHUNK):
                    pass
        except _READ_ERRORS as exc:
            return f"member {info.orig_filename!r} is corrupt: {exc}"
    return None


def sha256_file(path: str | os.PathLike[str]) -> str:
    """Return the lower-case hex SHA-256 of a local file, read in chunks."""
    digest = hashlib.sha256()
    try:
        with open(path, "rb") as handle:
            for chunk in iter(lambda: handle.read(_CHUNK), b""):
                digest.update(chunk)
    except OSError as exc:
        raise InputError(f"Cannot read {os.fspath(path)!r} to hash it: {exc}. Check the file was fetched.") from exc
    return digest.hexdigest()


def write_bundle(
    bundle_path: str | os.PathLike[str], members: list[tuple[str | os.PathLike[str], str]]
) -> tuple[int, str]:
    """Write ``members`` (``(source_file, arcname)``) into a ZIP_STORED bundle; return ``(size, sha256)``.

    The bundle appears at ``bundle_path`` complete or not at all (``atomic_file``), mode 0600.
    Parent folders are created. Arcnames must be safe relative names and unique.
    """
    target = Path(bundle_path)
    _check_arcnames(members, target)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise CtxlicError(f"Cannot create bundle {str(target)!r}: {exc}. Check the folder is writable.") from exc
    try:
        with (
            atomic_file.atomic_open(target, mode=0o600) as handle,
            zipfile.ZipFile(handle, "w", compression=zipfile.ZIP_STORED, allowZip64=True) as archive,
        ):
            for source, arcname in members:
                archive.write(source, arcname)
    except (OSError, ValueError, zipfile.LargeZipFile) as exc:
        raise CtxlicError(f"Writing bundle {str(target)!r} failed: {exc}. Nothing was written.") from exc
    return target.stat().st_size, sha256_file(target)


def _check_arcnames(members: Any, target: Path) -> None:
    if not isinstance(members, list) or not members:
        raise InputError(f"Bundle {str(target)!r}: members must be a non-empty list of (source_file, arcname).")
    seen: set[str] = set()
    for entry in members:
        if not isinstance(entry, (tuple, list)) or len(entry) != 2 or not isinstance(entry[1], str):
            raise InputError(f"Bundle {str(target)!r}: member {entry!r} is not a (source_file, arcname) pair.")
        why = unsafe_member_name(entry[1])
        if why:
            raise InputError(f"Bundle {str(target)!r}: arcname {entry[1]!r} {why}; use the file's plain name.")
        if entry[1] in seen:
            raise InputError(f"Bundle {str(target)!r}: arcname {entry[1]!r} is used twice; names must be unique.")
        seen.add(entry[1])


def verify_bundle(bundle_path: str | os.PathLike[str], expected_members: list[dict[str, Any]]) -> tuple[bool, str]:
    """Re-read a written bundle; return ``(True, "")`` only if it holds exactly the expected members.

    ``expected_members`` are ``{name, size, sha256}``. Every member is read in full (which also
    checks its CRC) and hashed. Never raises: a problem is returned as ``(False, reason)``.
    """
    try:
        expected = {m["name"]: m for m in expected_members}
        if len(expected) != len(expected_members):
            return False, "the expected member list names a member twice"
        with zipfile.ZipFile(bundle_path) as archive:
            infos = archive.infolist()
            names = [i.orig_filename for i in infos]
            if len(set(names)) != len(names):
                return False, "the bundle holds a member name twice"
            missing = sorted(set(expected) - set(names))
            extra = sorted(set(names) - set(expected))
            if missing or extra:
                return False, f"members differ from the plan: missing {missing}, unexpected {extra}"
            for info in infos:
                reason = _verify_member(archive, info, expected[info.orig_filename])
                if reason:
                    return False, reason
    except (*_READ_ERRORS, KeyError) as exc:
        return False, f"cannot verify bundle {bundle_path!r}: {type(exc).__name__}: {exc}"
    return True, ""


def _verify_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo, want: dict[str, Any]) -> str | None:
    if info.file_size != want["size"]:
        return f"member {info.orig_filename!r} is {info.file_size} bytes, expected {want['size']}"
    digest = hashlib.sha256()
    with archive.open(info) as handle:
        for chunk in iter(lambda: handle.read(_CHUNK), b""):
            digest.update(chunk)
    if digest.hexdigest() != want["sha256"]:
        return f"member {info.orig_filename!r} has sha256 {digest.hexdigest()}, expected {want['sha256']}"
    return None
