# Copyright: (c) 2026, ctxlic maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# Internal use only: this module is private to ctxlic.license_server and may change at any time.
"""Decide what one ``telemetry_bundle`` run does, from what the server and the controller hold (pure).

The module fetches a License Server's manual-upload zips (seed 001: ``upload_compliance*.zip`` in
``LS\\resource\\usage``, ``upload_usage*.zip`` in ``LS\\resource\\cis_bundles\\ul_usage`` or
``...\\cis bundles\\ul_usage``), packs them into bundles for Citrix Insight Services and, when asked,
deletes the originals. Every run must be safe to interrupt and to repeat: it must never lose a zip
and never bundle one twice. The controller therefore keeps, per host, a cumulative manifest
(every bundle written, every zip rejected, every deletion) and an ``incoming`` folder of fetched
copies; this module compares those with the server's listing and decides, for each zip:

* ``bundled``: it is already a member of a bundle the controller has verified (same path, size and
  SHA-1 as when it was bundled): nothing to fetch; it may be deleted with ``cleanup``;
* ``rejected``: it was fetched before and failed the zip checks: it stays on the server, untouched;
* ``have``: a fetched copy in ``incoming`` matches the server's size and SHA-1: no fetch needed;
* ``fetch``: anything else (new, or the controller's copy is partial or differs).

A zip is identified by its Windows path *and* content (size + SHA-1, what ``win_stat`` computes on
the server), so a later file that reuses a name is never mistaken for one already bundled.

Pure: no I/O, no clock. Times come in as arguments.
"""

from __future__ import annotations

import ntpath
import re
from datetime import date, datetime
from typing import Any, Iterable

from ansible_collections.ctxlic.license_server.plugins.plugin_utils._common.timeutil import iso_z
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._common.constants import SHA1_HEX, SHA256_HEX
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._common.errors import InputError
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._telemetry.bundles import (
    PENDING_PATTERNS,
    deletable,
    sanitize_host,
)

MANIFEST_SCHEMA = 1

#: One controller folder tag and one bundle kind per entry of PENDING_PATTERNS (same order). Both
#: spellings of the usage folder (seed 001 ``cis bundles``, seed 004 ``cis_bundles``) hold the same
#: kind of data, so they share the kind but keep separate incoming folders (names may repeat).
SOURCE_TAGS: tuple[tuple[str, str], ...] = (
    ("compliance", "compliance"),
    ("usage", "usage"),
    ("usage_space", "usage"),
)
KINDS = ("compliance", "usage")

_PLACEHOLDER_SHA256 = "0" * 64  # check mode plans files not fetched yet; never written anywhere

if len(SOURCE_TAGS) != len(PENDING_PATTERNS):  # pragma: no cover - guards an edit of one table without the other
    raise ImportError("SOURCE_TAGS must have one entry per telemetry_bundle_plan.PENDING_PATTERNS entry")


# --------------------------------------------------------------------------- sources


def source_of(path: str, install_dir: str) -> tuple[str, str]:
    """Return ``(tag, kind)`` of a pending zip's Windows ``path`` below ``install_dir``.

    Raises InputError for a path outside the three pending folders: the module only ever handles
    the files the License Server leaves for manual upload.
    """
    if not isinstance(path, str) or not path:
        raise InputError(f"pending file path {path!r} is not a Windows path.")
    base = install_dir.strip().replace("/", "\\").rstrip("\\")
    folder = ntpath.dirname(path.replace("/", "\\")).rstrip("\\").casefold()
    for (relative, _glob), (tag, kind) in zip(PENDING_PATTERNS, SOURCE_TAGS, strict=True):
        if folder == f"{base}\\{relative}".casefold():
            return tag, kind
    raise InputError(
        f"{path} is not in a manual-upload folder below {install_dir}; only upload_compliance*.zip and "
        "upload_usage*.zip in the License Server's usage folders are handled."
    )


def base_name(path: str) -> str:
    """The file name of a Windows path."""
    return ntpath.basename(path.replace("/", "\\"))


# --------------------------------------------------------------------------- manifest


def empty_manifest(host: str) -> dict[str, Any]:
    """A new cumulative manifest for ``host``."""
    return {"schema": MANIFEST_SCHEMA, "host": host, "updated": None, "bundles": [], "invalid": [], "rejected": [],
            "deleted": []}


def check_manifest(data: Any, where: str) -> dict[str, Any]:
    """Validate a cumulative manifest read from ``where``; return it with every list present.

    A manifest that is not ours (or damaged) is refused rather than repaired: it decides which
    server files may be deleted, so guessing would risk data.
    """
    fix = f"move {where} away (keep it: it records bundles already made) and run again"
    if not isinstance(data, dict):
        raise InputError(f"{where} is not a telemetry_bundle manifest (not a JSON object); {fix}.")
    if data.get("schema") != MANIFEST_SCHEMA:
        raise InputError(
            f"{where} has manifest schema {data.get('schema')!r}, this collection writes {MANIFEST_SCHEMA}; {fix}."
        )
    for key in ("bundles", "invalid", "rejected", "deleted"):
        if not isinstance(data.get(key, []), list):
            raise InputError(f"{where}: '{key}' is not a list; {fix}.")
        data.setdefault(key, [])
    for index, bundle in enumerate(data["bundles"]):
        if (
            not isinstance(bundle, dict)
            or not isinstance(bundle.get("name"), str)
            or not isinstance(bundle.get("sha256"), str)
            or not isinstance(bundle.get("members"), list)
            or not all(isinstance(m, dict) and isinstance(m.get("source_path"), str) for m in bundle["members"])
        ):
            raise InputError(f"{where}: bundles[{index}] lacks name, sha256 or members with source_path; {fix}.")
    return data


def _same(entry: dict[str, Any], size: Any, sha1: Any) -> bool:
    return entry.get("size") == size and bool(sha1) and entry.get("sha1") == sha1


def bundled_member(
    manifest: dict[str, Any], verified: Iterable[str], path: str, size: int, sha1: str | None
) -> dict | None:
    """The member record (with its ``bundle``) for this exact server file in a verified bundle, else None."""
    names = set(verified)
    for bundle in manifest["bundles"]:
        if bundle["name"] not in names:
            continue
        for member in bundle["members"]:
            if member["source_path"].casefold() == path.casefold() and _same(member, size, sha1):
                return {**member, "bundle": bundle["name"]}
    return None


def bundled_content(manifest: dict[str, Any], verified: Iterable[str], source_path: str, sha256: str) -> str | None:
    """Name of a verified bundle holding ``source_path`` with content ``sha256``, else None."""
    names = set(verified)
    for bundle in manifest["bundles"]:
        if bundle["name"] in names and any(
            m["source_path"].casefold() == source_path.casefold() and m.get("sha256") == sha256
            for m in bundle["members"]
        ):
            return bundle["name"]
    return None


def known_rejection(manifest: dict[str, Any], path: str, size: int, sha1: str | None) -> dict | None:
    """The rejection record of this exact server file, else None."""
    for entry in manifest["rejected"]:
        if isinstance(entry, dict) and str(entry.get("source_path", "")).casefold() == path.casefold() and _same(
            entry, size, sha1
        ):
            return entry
    return None


# --------------------------------------------------------------------------- per-file decisions


def transfer_problem(server_size: Any, server_sha1: Any, local_size: int, local_sha1: str) -> str | None:
    """Why a fetched copy does not match the server's file, or None when it does.

    The server's SHA-1 (``win_stat`` / ``stat`` checksum) and size are the reference; a missing
    server checksum falls back to the size alone (reported by the caller as a warning).
    """
    if server_size != local_size:
        return f"size differs: server {server_size} bytes, controller copy {local_size} bytes (partial transfer?)"
    if server_sha1 and server_sha1 != local_sha1:
        return f"SHA-1 differs: server {server_sha1}, controller copy {local_sha1}"
    return None


def decide(
    server_files: list[dict[str, Any]],
    *,
    install_dir: str,
    manifest: dict[str, Any],
    verified: Iterable[str],
    incoming: dict[tuple[str, str], dict[str, Any]],
) -> list[dict[str, Any]]:
    """Decide what to do with each pending server file.

    ``server_files`` are ``{path, size, sha1, mtime}`` as the server reports them (``sha1`` may be
    None when the server could not hash the file). ``incoming`` maps ``(tag, name)`` to the
    controller copy's ``{size, sha1, sha256}``. Returns one dict per file, sorted by path:
    ``{path, size, sha1, mtime, tag, kind, name, action, bundle, reason}`` where ``action`` is
    ``bundled`` | ``rejected`` | ``have`` | ``fetch``.
    """
    verified = set(verified)
    decisions = []
    for item in sorted(server_files, key=lambda f: (f["path"].casefold(), f["path"])):
        tag, kind = source_of(item["path"], install_dir)
        name = base_name(item["path"])
        entry = {**item, "tag": tag, "kind": kind, "name": name, "bundle": None, "reason": None}
        member = bundled_member(manifest, verified, item["path"], item["size"], item.get("sha1"))
        rejection = known_rejection(manifest, item["path"], item["size"], item.get("sha1"))
        local = incoming.get((tag, name))
        if member:
            entry.update(action="bundled", bundle=member["bundle"])
        elif rejection:
            entry.update(action="rejected", reason=rejection.get("reason"))
        elif local and transfer_problem(item["size"], item.get("sha1"), local["size"], local["sha1"]) is None:
            entry["action"] = "have"
        else:
            entry["action"] = "fetch"
            if local:
                entry["reason"] = "controller copy does not match the server: " + str(
                    transfer_problem(item["size"], item.get("sha1"), local["size"], local["sha1"])
                )
        decisions.append(entry)
    return decisions


def assign_arcnames(files: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Give every file to bundle a unique member name within its kind.

    The name is the zip's own file name, as the operator would add it by hand (seed 001). Only if
    both spellings of the usage folder hold a file of the same name does the later one get its
    folder tag as a prefix, so no file overwrites another in a bundle.
    """
    taken: dict[str, set[str]] = {}
    result = []
    for item in sorted(files, key=lambda f: (f["kind"], f["tag"], f["name"])):
        names = taken.setdefault(item["kind"], set())
        arcname = item["name"] if item["name"] not in names else f"{item['tag']}_{item['name']}"
        names.add(arcname)
        result.append({**item, "arcname": arcname})
    return result


# --------------------------------------------------------------------------- bundles


def bundle_label(host: str, kind: str | None) -> str:
    """The host part of a bundle name: ``<host>_<kind>`` when kinds are bundled apart (a group of
    :func:`plan_groups` has a kind), else ``<host>``."""
    return f"{host}_{kind}" if kind is not None else host


def plan_groups(files: list[dict[str, Any]], split_by_kind: bool) -> list[tuple[str | None, list[dict[str, Any]]]]:
    """Split files into the groups that are planned separately: one per kind, or all together."""
    if not split_by_kind:
        return [(None, list(files))] if files else []
    return [(kind, [f for f in files if f["kind"] == kind]) for kind in KINDS if any(f["kind"] == kind for f in files)]


def renumber(plan: list[dict[str, Any]], *, label: str, day: date, taken: Iterable[str]) -> list[dict[str, Any]]:
    """Rename planned bundles so they never reuse a name already on the controller.

    ``plan_bundles`` numbers bundles from 1 each time; a second run on the same day would then
    overwrite the first run's bundles. Bundles keep the ``<label>_<YYYYMMDD>_<n>.zip`` form with
    ``n`` continuing after the highest number taken.
    """
    prefix = f"{sanitize_host(label)}_{day.strftime('%Y%m%d')}_"
    pattern = re.compile(rf"^{re.escape(prefix)}(\d+)\.zip$")
    numbers = [int(m.group(1)) for m in (pattern.match(n) for n in taken) if m]
    start = max(numbers, default=0)
    return [{**bundle, "bundle_name": f"{prefix}{start + i}.zip"} for i, bundle in enumerate(plan, start=1)]


def is_bundle_name(name: str) -> bool:
    """True for names this module gives bundles (``<label>_<YYYYMMDD>_<n>.zip``)."""
    return re.match(r"^[A-Za-z0-9._-]+_\d{8}_\d+\.zip$", name) is not None


def plan_member(item: dict[str, Any]) -> dict[str, Any]:
    """The ``plan_bundles`` input for one file (``sha256`` may be a placeholder in check mode)."""
    return {
        "name": item["arcname"],
        "size": item["size"],
        "sha256": item.get("sha256") or _PLACEHOLDER_SHA256,
        "source_path": item["path"],
        "sha1": item.get("sha1"),
        "kind": item["kind"],
        "tag": item["tag"],
        "local_name": item["name"],
    }


def merge_manifest(
    current: dict[str, Any], run_manifest: dict[str, Any], plan: list[dict[str, Any]], *, when: datetime
) -> dict[str, Any]:
    """Add the bundles of one run (``telemetry_bundle_plan.manifest``) to the cumulative manifest.

    Members gain ``sha1`` and ``kind`` from ``plan`` (``manifest()`` keeps only path, name, size and
    SHA-256) because later runs recognise server files by path + size + SHA-1.
    """
    extra = {
        (b["bundle_name"], m["name"]): {"sha1": m.get("sha1"), "kind": m.get("kind")}
        for b in plan
        for m in b["members"]
    }
    merged = {**current, "bundles": list(current["bundles"]), "updated": iso_z(when)}
    for bundle in run_manifest["bundles"]:
        members = [{**m, **extra.get((bundle["name"], m["name"]), {})} for m in bundle["members"]]
        merged["bundles"].append({**bundle, "created": run_manifest["created"], "members": members})
    return merged


def retire_bundles(manifest: dict[str, Any], problems: dict[str, str], *, when: datetime) -> dict[str, Any]:
    """Move bundles that failed verification from ``bundles`` to ``invalid`` (kept, with the reason).

    A bundle that is missing or changed on the controller no longer proves its members are safe:
    they are then treated as not bundled (fetched and bundled again while still on the server) and
    the retired entry no longer counts for :func:`deletions`.
    """
    if not problems:
        return manifest
    keep = [b for b in manifest["bundles"] if b["name"] not in problems]
    retired = [{**b, "invalid_reason": problems[b["name"]], "invalid_since": iso_z(when)}
               for b in manifest["bundles"] if b["name"] in problems]
    return {**manifest, "bundles": keep, "invalid": [*manifest["invalid"], *retired], "updated": iso_z(when)}


# --------------------------------------------------------------------------- deletion


def deletions(manifest: dict[str, Any], verified: Iterable[str], server_files: list[dict[str, Any]]) -> list[dict]:
    """Server files that may be deleted now: members of verified bundles, with unchanged content.

    ``telemetry_bundle_plan.deletable`` names the paths held by verified bundles (and by no
    unverified one); of those, only a file that is on the server now with the size and SHA-1 it had
    when it was bundled is returned, so a newer file that reuses a name is never deleted.
    Returns ``[{path, size, sha1, bundle}]`` sorted by path.
    """
    verified = set(verified)
    allowed = {p.casefold() for p in deletable(manifest, verified)}
    result = []
    for item in sorted(server_files, key=lambda f: (f["path"].casefold(), f["path"])):
        if item["path"].casefold() not in allowed or not SHA1_HEX.match(str(item.get("sha1") or "")):
            continue
        member = bundled_member(manifest, verified, item["path"], item["size"], item["sha1"])
        if member:
            result.append(
                {"path": item["path"], "size": item["size"], "sha1": item["sha1"], "bundle": member["bundle"]}
            )
    return result


def is_sha256(value: Any) -> bool:
    return isinstance(value, str) and SHA256_HEX.match(value) is not None
