# Copyright: (c) 2026, ctxlic maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# Internal use only: this module is private to ctxlic.license_server and may change at any time.
"""Plan manual telemetry uploads: find the pending zips, pack them into upload bundles, decide deletions.

When the License Management Service is disabled (manual reporting), the License Server (LS) keeps
the telemetry it would have uploaded as zip files (seed 001 and seed 004 "Reporting options"):

- ``upload_compliance*.zip`` in ``<install>\\LS\\resource\\usage`` (License Server data);
- ``upload_usage*.zip`` in ``<install>\\LS\\resource\\cis_bundles\\ul_usage`` (Virtual Apps and
  Desktops data, from 11.17.2 build 45000). Seed 004 spells the folder ``cis_bundles``, seed 001
  ``cis bundles`` (and the files ``upload_usage_*.zip``); both folders are searched, and the glob
  ``upload_usage*.zip`` covers both file spellings.

The operator saves them "into a single zip file" and uploads it through Citrix Insight Services
(CTX472950), where "the maximum file size that a user can upload is limited" (CTX131233). The
seeds do not state the limit, so :func:`plan_bundles` takes ``max_bytes`` from the caller and
splits the files over as many bundles as needed. Only after a successful upload may the zips be
deleted (otherwise the disk fills), and uninstalling LS >= build 45000 deletes them: collect them
first. :func:`deletable` therefore only ever names members of bundles the caller has verified.

Pure: no I/O. Paths are Windows paths (backslashes).
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from typing import Any, Iterable

from ansible_collections.ctxlic.license_server.plugins.plugin_utils._common.timeutil import normalize_time
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._common.constants import SHA256_HEX
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._common.errors import InputError

#: (directory relative to the install dir, file glob) for every place the LS leaves pending zips.
PENDING_PATTERNS: tuple[tuple[str, str], ...] = (
    (r"LS\resource\usage", "upload_compliance*.zip"),
    (r"LS\resource\cis_bundles\ul_usage", "upload_usage*.zip"),  # seed 004 spelling
    (r"LS\resource\cis bundles\ul_usage", "upload_usage*.zip"),  # seed 001 spelling
)

# Upper bound of what Python's zipfile adds around each ZIP_STORED member: local header (30) with a
# zip64 extra (20), central directory entry (46) with a zip64 extra (28), a data descriptor (24),
# plus the name twice; and once per archive the end records (22 + zip64 56 + locator 20).
ZIP_MEMBER_OVERHEAD = 30 + 20 + 46 + 28 + 24
ZIP_ARCHIVE_OVERHEAD = 22 + 56 + 20

_Date = date  # the parameter of plan_bundles is called `date`; keep the type reachable inside it
_HOST_UNSAFE = re.compile(r"[^A-Za-z0-9._-]")


def pending_zip_dirs(install_dir: str) -> list[tuple[str, str]]:
    """Return ``[(windows_dir, glob), ...]`` to search for pending upload zips below ``install_dir``."""
    base = _windows_dir(install_dir, "install_dir")
    return [(base + "\\" + rel, glob) for rel, glob in PENDING_PATTERNS]


def _windows_dir(path: Any, label: str) -> str:
    if not isinstance(path, str) or not path.strip():
        raise InputError(
            f"{label} {path!r} is not a directory path: pass the License Server install directory, "
            "for example 'C:\\Program Files (x86)\\Citrix\\Licensing'."
        )
    return path.strip().replace("/", "\\").rstrip("\\")


def classify_pending(files: list[dict[str, Any]]) -> dict[str, Any]:
    """Summarise the pending zips found on a server into INFO_RECORD's ``pending_uploads`` block.

    ``files`` items are ``{path, size, mtime}``; ``mtime`` may be unix seconds (as ``win_find``
    returns it), an ISO 8601 string, or None. Returns ``{count, bytes, oldest, newest, files}`` with
    times as UTC ISO ``...Z`` strings, files sorted by path and de-duplicated (Windows paths compare
    case-insensitively).
    """
    if not isinstance(files, list):
        raise InputError(f"pending files must be a list of {{path, size, mtime}}, got {type(files).__name__}.")
    seen: dict[str, dict[str, Any]] = {}
    for index, item in enumerate(files):
        entry = _pending_entry(item, index)
        seen.setdefault(entry["path"].casefold(), entry)
    entries = sorted(seen.values(), key=lambda e: (e["path"].casefold(), e["path"]))
    times = sorted(e["mtime"] for e in entries if e["mtime"] is not None)
    return {
        "count": len(entries),
        "bytes": sum(e["size"] for e in entries),
        "oldest": times[0] if times else None,
        "newest": times[-1] if times else None,
        "files": entries,
    }


def _pending_entry(item: Any, index: int) -> dict[str, Any]:
    where = f"pending file #{index}"
    if not isinstance(item, dict):
        raise InputError(f"{where} is {type(item).__name__}, expected a dict with path, size, mtime.")
    path = item.get("path")
    if not isinstance(path, str) or not path:
        raise InputError(f"{where} has no path: each file needs its Windows path.")
    return {
        "path": path,
        "size": _size(item.get("size"), f"{where} ({path})"),
        "mtime": None if item.get("mtime") is None else normalize_time(item["mtime"], f"{where} ({path}) mtime",
                                                                       unix_seconds=True),
    }


def _size(value: Any, where: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise InputError(f"{where}: size {value!r} is not a byte count (a non-negative whole number).")
    return value


def sanitize_host(host: Any) -> str:
    """Return ``host`` reduced to ``[A-Za-z0-9._-]`` (others become ``_``) for use in file names."""
    if not isinstance(host, str):
        raise InputError(f"host {host!r} is not a string: pass the inventory host name.")
    cleaned = _HOST_UNSAFE.sub("_", host.strip()).strip(".")
    if not cleaned.strip("_"):
        raise InputError(f"host {host!r} has no usable characters for a bundle file name: pass the host name.")
    return cleaned


def estimated_member_overhead(name: str) -> int:
    """Upper bound of the bytes a ZIP_STORED bundle spends on member ``name`` besides its data."""
    return ZIP_MEMBER_OVERHEAD + 2 * len(name.encode("utf-8"))


def plan_bundles(
    files: list[dict[str, Any]],
    *,
    host: str,
    date: date,
    max_bytes: int,
    account_zip_overhead: bool = True,
) -> list[dict[str, Any]]:
    """Pack ``files`` (``{name, size, sha256, ...}``) into upload bundles of at most ``max_bytes``.

    Files are taken in name order and placed first-fit, so the same input always gives the same
    plan. With ``account_zip_overhead`` (default) a bundle's budget also counts an upper bound of the
    zip headers (:data:`ZIP_MEMBER_OVERHEAD` per member plus :data:`ZIP_ARCHIVE_OVERHEAD`), so the
    written bundle file itself stays within ``max_bytes``; without it only the member sizes are
    summed. A file that cannot fit any bundle on its own (a vendor zip cannot be split) gets a
    bundle of its own with a warning: that bundle exceeds the upload limit.

    Returns ``[{bundle_name, members, size, warnings}]`` where ``bundle_name`` is
    ``<host>_<YYYYMMDD>_<n>.zip`` (n from 1), ``members`` are copies of the input dicts (extra keys
    such as ``source_path`` are kept), ``size`` is the budgeted size.
    """
    if isinstance(max_bytes, bool) or not isinstance(max_bytes, int) or max_bytes <= 0:
        raise InputError(
            f"max_bytes {max_bytes!r} is not a positive byte count: set it to the Citrix Insight Services "
            "upload limit (CTX131233)."
        )
    if not isinstance(date, _Date):
        raise InputError(f"date {date!r} is not a date: pass the bundle date.")
    prefix = f"{sanitize_host(host)}_{date.strftime('%Y%m%d')}_"
    members = _validated_members(files)

    fixed = ZIP_ARCHIVE_OVERHEAD if account_zip_overhead else 0
    bundles: list[dict[str, Any]] = []
    for member in sorted(members, key=lambda m: m["name"]):
        cost = member["size"] + (estimated_member_overhead(member["name"]) if account_zip_overhead else 0)
        if fixed + cost > max_bytes:
            bundles.append(
                {
                    "members": [member],
                    "size": fixed + cost,
                    "closed": True,
                    "warnings": [
                        f"{member['name']} is {member['size']} bytes and does not fit a bundle of {max_bytes} "
                        "bytes; a vendor zip cannot be split, so it is bundled alone and the bundle exceeds "
                        "the upload limit (CTX131233): upload it through another channel agreed with Citrix."
                    ],
                }
            )
            continue
        target = next((b for b in bundles if not b["closed"] and b["size"] + cost <= max_bytes), None)
        if target is None:
            target = {"members": [], "size": fixed, "closed": False, "warnings": []}
            bundles.append(target)
        target["members"].append(member)
        target["size"] += cost
    return [
        {"bundle_name": f"{prefix}{n}.zip", "members": b["members"], "size": b["size"], "warnings": b["warnings"]}
        for n, b in enumerate(bundles, start=1)
    ]


def _validated_members(files: Any) -> list[dict[str, Any]]:
    if not isinstance(files, list):
        raise InputError(f"files must be a list of {{name, size, sha256}}, got {type(files).__name__}.")
    members: list[dict[str, Any]] = []
    names: set[str] = set()
    for index, item in enumerate(files):
        if not isinstance(item, dict):
            raise InputError(f"file #{index} is {type(item).__name__}, expected a dict with name, size, sha256.")
        name = item.get("name")
        if not isinstance(name, str) or not name or "/" in name or "\\" in name or name in (".", ".."):
            raise InputError(f"file #{index} name {name!r} is not a plain file name: give the zip's base name.")
        if name in names:
            raise InputError(
                f"file name {name!r} appears twice: bundle members need unique names (prefix duplicates with "
                "their folder)."
            )
        names.add(name)
        _size(item.get("size"), f"file {name}")
        _sha256(item.get("sha256"), f"file {name}")
        members.append(dict(item))
    return members


def _sha256(value: Any, where: str) -> str:
    if not isinstance(value, str) or not SHA256_HEX.match(value):
        raise InputError(f"{where}: sha256 {value!r} is not a lower-case hex SHA-256 digest.")
    return value


def manifest(
    plan: list[dict[str, Any]],
    *,
    host: str,
    created: datetime,
    written: dict[str, tuple[int, str]],
) -> dict[str, Any]:
    """Describe what was bundled, for the evidence store and for :func:`deletable`.

    ``plan`` is :func:`plan_bundles`' result whose members carry ``source_path`` (the zip's path on
    the server); ``written`` maps each bundle name to ``(size, sha256)`` as returned by
    ``zip_safety.write_bundle``. Returns ``{host, created, bundles: [{name, size, sha256, warnings,
    members: [{source_path, name, size, sha256}]}]}``.
    """
    if not isinstance(plan, list):
        raise InputError(f"plan must be the list plan_bundles returned, got {type(plan).__name__}.")
    if not isinstance(written, dict):
        raise InputError(f"written must map bundle names to (size, sha256), got {type(written).__name__}.")
    if not isinstance(created, datetime):
        raise InputError(f"created {created!r} is not a datetime: pass when the bundles were made.")
    bundles = []
    for bundle in plan:
        name = bundle.get("bundle_name") if isinstance(bundle, dict) else None
        if not isinstance(name, str) or name not in written:
            raise InputError(
                f"bundle {name!r} has no written (size, sha256): write every planned bundle before the manifest."
            )
        size, digest = _written(written[name], name)
        bundles.append(
            {
                "name": name,
                "size": size,
                "sha256": digest,
                "warnings": list(bundle.get("warnings", [])),
                "members": [_manifest_member(m, name) for m in bundle.get("members", [])],
            }
        )
    moment = created.replace(tzinfo=UTC) if created.tzinfo is None else created.astimezone(UTC)
    return {"host": host, "created": moment.strftime("%Y-%m-%dT%H:%M:%SZ"), "bundles": bundles}


def _written(value: Any, name: str) -> tuple[int, str]:
    if not isinstance(value, (tuple, list)) or len(value) != 2:
        raise InputError(f"written[{name!r}] is {value!r}, expected (size, sha256).")
    return _size(value[0], f"bundle {name}"), _sha256(value[1], f"bundle {name}")


def _manifest_member(member: Any, bundle: str) -> dict[str, Any]:
    if not isinstance(member, dict) or not isinstance(member.get("source_path"), str) or not member["source_path"]:
        raise InputError(
            f"a member of bundle {bundle} has no source_path: give each file its path on the License Server."
        )
    missing = [key for key in ("name", "size", "sha256") if key not in member]
    if missing:
        raise InputError(
            f"member {member['source_path']!r} of bundle {bundle} lacks {', '.join(missing)}: "
            "record the name, size and SHA-256 of every file written into a bundle."
        )
    return {
        "source_path": member["source_path"],
        "name": member["name"],
        "size": _size(member["size"], f"member {member['source_path']}"),
        "sha256": _sha256(member["sha256"], f"member {member['source_path']}"),
    }


def deletable(manifest: dict[str, Any], verified_bundles: Iterable[str]) -> list[str]:
    """Return the server paths that may be deleted: members of verified bundles only.

    A path that also appears in a bundle that is not verified is kept, whatever else holds it.
    """
    if not isinstance(manifest, dict) or not isinstance(manifest.get("bundles"), list):
        raise InputError("manifest is not a manifest dict with a 'bundles' list: pass what manifest() returned.")
    verified = set(verified_bundles)
    allowed: set[str] = set()
    blocked: set[str] = set()
    for bundle in manifest["bundles"]:
        if not isinstance(bundle, dict):
            raise InputError(f"manifest bundle {bundle!r} is not a dict.")
        members = bundle.get("members", [])
        if not isinstance(members, list):
            raise InputError(f"members of manifest bundle {bundle.get('name')!r} is not a list.")
        listed = [m.get("source_path") for m in members if isinstance(m, dict) and m.get("source_path") is not None]
        if any(not isinstance(path, str) for path in listed):
            raise InputError(f"manifest bundle {bundle.get('name')!r} has a source_path that is not a string.")
        paths = {path for path in listed if isinstance(path, str)}
        (allowed if bundle.get("name") in verified else blocked).update(paths)
    return sorted(allowed - blocked, key=lambda p: (p.casefold(), p))
