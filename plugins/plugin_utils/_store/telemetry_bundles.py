# Copyright: (c) 2026, ctxlic maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# Internal use only: this module is private to ctxlic.license_server and may change at any time.
"""The controller-side store of ``telemetry_bundle``: fetched zips, quarantine, bundles, manifest (local I/O).

Layout under ``<dest>/<host>/`` (see :func:`host_folder`)::

    incoming/<tag>/<zip>            fetched copies, verified against the server's size and SHA-1
    incoming/<tag>/<zip>.meta.json  where the copy came from (server path, hashes, fetch time)
    rejected/<tag>/<zip>            zips that failed the checks, with <zip>.reason.json beside them
    bundles/<bundle>.zip            upload bundles for Citrix Insight Services
    manifest.json                   cumulative record: bundles, invalid bundles, rejections, deletions

Every file appears complete or not at all (``atomic_file``: temporary file + ``os.replace``), so
a run killed at any point leaves a state the next run understands. Files are private (0600,
folders 0700): telemetry contains user and device data (seed 001). Decisions are made in
:mod:`.telemetry_bundle_state`; this module only reads and writes.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import os
import shutil
import zipfile
from pathlib import Path
from typing import Any

from ansible_collections.ctxlic.license_server.plugins.plugin_utils._common.constants import PART_SUFFIX
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._store import atomic_file
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._store import host_folder as host_folder_rule
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._common.errors import CtxlicError
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._telemetry.bundle_run import (
    check_manifest,
    empty_manifest,
    is_bundle_name,
)
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._store.zip_safety import sha256_file, verify_bundle

_CHUNK = 1024 * 1024
META_SUFFIX = ".meta.json"
REASON_SUFFIX = ".reason.json"
# Bounds for reading back an unrecorded bundle (this module writes at most max_bundle_bytes per bundle).
MAX_ORPHAN_READ = 8 * 1024 * 1024 * 1024
MAX_ORPHAN_MEMBERS = 100_000


def file_hashes(path: str | os.PathLike[str]) -> dict[str, Any]:
    """``{size, sha1, sha256}`` of a local file, read once (SHA-1 to compare with the server's win_stat)."""
    sha1 = hashlib.sha1()  # noqa: S324 - compared with the checksum win_stat computes, not for security
    sha256 = hashlib.sha256()
    size = 0
    try:
        with open(path, "rb") as handle:
            for chunk in iter(lambda: handle.read(_CHUNK), b""):
                size += len(chunk)
                sha1.update(chunk)
                sha256.update(chunk)
    except OSError as exc:
        raise CtxlicError(f"Cannot read {os.fspath(path)!r}: {exc}. Check the controller folder.") from exc
    return {"size": size, "sha1": sha1.hexdigest(), "sha256": sha256.hexdigest()}


def host_folder(host: str) -> str:
    """The folder name of ``host``: the collection's one rule (:func:`.host_folder.folder_name`).

    A readable name plus a short hash of the exact inventory name, so two hosts whose names only
    differ in characters that are replaced (``ls 01`` and ``ls_01``, ``a@b`` and ``a#b``) never share
    a folder or a manifest.
    """
    return host_folder_rule.folder_name(host)


def manifest_owner(folder: Path) -> str | None:
    """The exact host name the manifest in ``folder`` records, or None when it cannot say."""
    try:
        data = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError, RecursionError):
        return None
    host = data.get("host") if isinstance(data, dict) else None
    return host if isinstance(host, str) else None


class BundleStore:
    """The folder of one host under ``dest``. Nothing is created until :meth:`prepare` is called."""

    def __init__(self, dest: str | os.PathLike[str], host: str) -> None:
        self.host = host
        self.dest = Path(dest)
        self.root = self.dest / host_folder(host)
        self.incoming = self.root / "incoming"
        self.rejected = self.root / "rejected"
        self.bundles = self.root / "bundles"
        self.manifest_path = self.root / "manifest.json"

    # -- folders and manifest ----------------------------------------------------------------------
    def adopt_legacy(self) -> list[str]:
        """Move this host's folder from its older name (no hash) when its manifest names this host.

        Returns notes about older folders left alone (another host's, or unknown owner).
        """
        if not self.dest.is_dir():
            return []
        return host_folder_rule.adopt_legacy(self.dest, self.host, manifest_owner)[1]

    def lock(self, run_id: str, operation: str = "telemetry_bundle"):
        """The controller lock of this host's folder (see :func:`.host_folder.controller_lock`)."""
        return host_folder_rule.controller_lock(self.root, operation=operation, run_id=run_id)

    def prepare(self) -> None:
        """Create the folders (mode 0700); raises CtxlicError naming the folder when it cannot."""
        for folder in (self.root, self.incoming, self.rejected, self.bundles):
            try:
                folder.mkdir(mode=0o700, parents=True, exist_ok=True)
            except OSError as exc:
                raise CtxlicError(f"Cannot create {folder}: {exc.strerror or exc}. Choose a writable dest.") from None

    def load_manifest(self) -> dict[str, Any]:
        """The cumulative manifest, or an empty one when none was written yet."""
        data = atomic_file.read_json(self.manifest_path, keep_because="it records the bundles already made")
        if data is None:
            return empty_manifest(self.host)
        return check_manifest(data, str(self.manifest_path))

    def save_manifest(self, manifest: dict[str, Any]) -> None:
        try:
            atomic_file.write_json(self.manifest_path, manifest)
        except OSError as exc:
            raise CtxlicError(f"Cannot write {self.manifest_path}: {exc.strerror or exc}.") from None

    # -- incoming copies ---------------------------------------------------------------------------
    def incoming_path(self, tag: str, name: str) -> Path:
        return self.incoming / tag / name

    def part_path(self, tag: str, name: str) -> Path:
        return self.incoming / tag / f".{name}{PART_SUFFIX}"

    def incoming_files(self) -> dict[tuple[str, str], dict[str, Any]]:
        """Every fetched copy: ``{(tag, name): {path, size, sha1, sha256, meta}}`` (meta None when missing)."""
        found: dict[tuple[str, str], dict[str, Any]] = {}
        if not self.incoming.is_dir():
            return found
        for folder in sorted(p for p in self.incoming.iterdir() if p.is_dir()):
            for path in sorted(folder.iterdir()):
                if not path.is_file() or path.name.startswith(".") or path.name.endswith(META_SUFFIX):
                    continue
                meta = self._read_json(path.with_name(path.name + META_SUFFIX))
                found[(folder.name, path.name)] = {"path": str(path), **file_hashes(path), "meta": meta}
        return found

    def stale_parts(self) -> list[Path]:
        """Partial downloads left by an interrupted run (never used; removed by the next real run)."""
        if not self.incoming.is_dir():
            return []
        return sorted(p for p in self.incoming.glob(f"*/.*{PART_SUFFIX}") if p.is_file())

    def accept_incoming(self, tag: str, name: str, meta: dict[str, Any]) -> Path:
        """Move a verified ``.part`` download into place and record where it came from."""
        final = self.incoming_path(tag, name)
        os.replace(self.part_path(tag, name), final)
        atomic_file.write_json(final.with_name(name + META_SUFFIX), meta)
        return final

    def write_meta(self, tag: str, name: str, meta: dict[str, Any]) -> None:
        atomic_file.write_json(self.incoming_path(tag, name).with_name(name + META_SUFFIX), meta)

    def remove_incoming(self, tag: str, name: str) -> None:
        final = self.incoming_path(tag, name)
        for path in (final, final.with_name(name + META_SUFFIX)):
            with contextlib.suppress(FileNotFoundError):
                path.unlink()

    def quarantine(self, tag: str, name: str, record: dict[str, Any]) -> str:
        """Move a copy that failed the checks to ``rejected/<tag>/``; return its new path.

        An earlier rejected file of the same name is kept: the new one gets its SHA-256 prefix.
        """
        folder = self.rejected / tag
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        target = folder / name
        if target.exists():
            target = folder / f"{str(record.get('sha256', 'x'))[:12]}_{name}"
        os.replace(self.incoming_path(tag, name), target)
        atomic_file.write_json(target.with_name(target.name + REASON_SUFFIX), {**record, "quarantined": str(target)})
        with contextlib.suppress(FileNotFoundError):
            self.incoming_path(tag, name).with_name(name + META_SUFFIX).unlink()
        return str(target)

    # -- bundles -----------------------------------------------------------------------------------
    def bundle_path(self, name: str) -> Path:
        return self.bundles / name

    def bundle_names(self) -> list[str]:
        if not self.bundles.is_dir():
            return []
        return sorted(p.name for p in self.bundles.iterdir() if p.is_file())

    def verify_listed(self, manifest: dict[str, Any]) -> tuple[set[str], dict[str, str]]:
        """Check every bundle the manifest lists: ``(verified names, {name: why not})``.

        A bundle is verified when its file exists, its SHA-256 is the one recorded and every member
        reads back with the recorded size and SHA-256 (``zip_safety.verify_bundle``).
        """
        verified: set[str] = set()
        problems: dict[str, str] = {}
        for bundle in manifest["bundles"]:
            path = self.bundle_path(bundle["name"])
            if not path.is_file():
                problems[bundle["name"]] = f"{path} is missing"
                continue
            try:
                digest = sha256_file(path)
            except CtxlicError as exc:
                problems[bundle["name"]] = str(exc)
                continue
            if digest != bundle["sha256"]:
                problems[bundle["name"]] = f"{path} has SHA-256 {digest}, the manifest records {bundle['sha256']}"
                continue
            ok, why = verify_bundle(path, bundle["members"])
            if ok:
                verified.add(bundle["name"])
            else:
                problems[bundle["name"]] = why
        return verified, problems

    def orphans(self, manifest: dict[str, Any]) -> list[Path]:
        """Bundle files (and temporary files) this module made but no manifest lists.

        They come from a run interrupted between writing a bundle and recording it; their members
        are still in ``incoming`` (copies are only removed after the manifest is written), so they
        are rebuilt and the orphans removed, instead of leaving a duplicate for upload.
        """
        listed = {b["name"] for b in manifest["bundles"]} | {b.get("name") for b in manifest["invalid"]}
        found: list[Path] = []
        if not self.bundles.is_dir():
            return found
        for path in sorted(self.bundles.iterdir()):
            if not path.is_file():
                continue
            temporary = path.name.startswith(".") and path.name.endswith(".tmp")
            if temporary or (is_bundle_name(path.name) and path.name not in listed):
                found.append(path)
        return found

    def known_sha256s(self, manifest: dict[str, Any], verified: set[str]) -> set[str]:
        """SHA-256 of every zip held safely on the controller: copies in incoming and members of verified bundles."""
        known = {local["sha256"] for local in self.incoming_files().values()}
        for bundle in manifest["bundles"]:
            if bundle["name"] in verified:
                known.update(str(m.get("sha256")) for m in bundle["members"] if isinstance(m, dict))
        return known

    @staticmethod
    def member_sha256s(path: Path) -> list[str] | None:
        """SHA-256 of every member of a bundle this module wrote (ZIP_STORED), or None when it cannot be read."""
        digests: list[str] = []
        budget = MAX_ORPHAN_READ
        try:
            with zipfile.ZipFile(path) as archive:
                for info in archive.infolist()[:MAX_ORPHAN_MEMBERS + 1]:
                    if len(digests) >= MAX_ORPHAN_MEMBERS:
                        return None
                    digest = hashlib.sha256()
                    with archive.open(info) as member:
                        for chunk in iter(functools.partial(member.read, _CHUNK), b""):
                            budget -= len(chunk)
                            if budget < 0:
                                return None
                            digest.update(chunk)
                    digests.append(digest.hexdigest())
        except (OSError, zipfile.BadZipFile, zipfile.LargeZipFile, RuntimeError, ValueError, EOFError):
            return None
        return digests

    def keep_unrecorded(self, path: Path) -> Path:
        """Move an unrecorded bundle that holds files found nowhere else to ``unrecorded/`` (kept, never deleted)."""
        folder = self.root / "unrecorded"
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        target = folder / path.name
        if target.exists():
            target = folder / f"{sha256_file(path)[:12]}_{path.name}"
        os.replace(path, target)
        return target

    # -- helpers -----------------------------------------------------------------------------------
    @staticmethod
    def _read_json(path: Path) -> Any:
        try:
            return json.loads(path.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError):
            return None

    @staticmethod
    def remove(path: Path) -> None:
        with contextlib.suppress(FileNotFoundError):
            if path.is_dir():
                shutil.rmtree(path)
            else:
                path.unlink()
