# Copyright: (c) 2026, ctxlic maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# Internal use only: this module is private to ctxlic.license_server and may change at any time.
"""Disaster-recovery backups on the controller's disk: write, read, verify and prune generations.

The I/O half of :mod:`.._dr.backup`. A backup set is ``<backup_dir>/<primary inventory name>/``; each
generation is a directory in it. A generation is written into a hidden temporary directory next to
its final place, files and manifest flushed to disk, and then renamed into place in one step, so a
reader (a failover at 3 a.m.) never sees half a backup. Directories whose names are not generation
names (including the temporary ones of an interrupted run) are never read and never deleted.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Collection, Mapping, Sequence
from pathlib import Path
from typing import Any

from ansible_collections.ctxlic.license_server.plugins.plugin_utils._dr import backup as dr_backup_plan
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._store import host_folder
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._common.errors import CtxlicError, InputError

_DIR_MODE = 0o700  # license files and the proxy setting are the customer's: owner only
_FILE_MODE = 0o600


def set_dir(backup_dir: str, name: str) -> Path:
    """``<backup_dir>/<host folder of name>`` (``~`` expanded; the collection's one folder rule); not created here."""
    if not isinstance(backup_dir, str) or not backup_dir.strip():
        raise InputError("the backup directory is empty: give a directory on the controller")
    dr_backup_plan.safe_set_name(name)  # refuses an empty or unusable name with its message
    base = Path(os.path.expanduser(backup_dir))
    if base.exists() and not base.is_dir():
        raise InputError(f"the backup directory {backup_dir!r} is not a directory ({base} is a file or a device): "
                         "give a directory on the controller; nothing was changed")
    return base / host_folder.folder_name(name)


def _generation_owner(generation_dir: Path) -> str | None:
    try:
        return read_manifest(generation_dir)["source_host"]
    except (CtxlicError, KeyError, TypeError):
        return None


def adopt_legacy(backup_dir: str, name: str, owners: Collection[str], *,
                 check_mode: bool) -> tuple[Path | None, list[str]]:
    """Generations an older version wrote to ``<backup_dir>/<name without hash>`` (a folder two hosts could share).

    Outside check mode every generation there whose manifest's ``source_host`` is one of ``owners`` is
    moved (one ``os.rename`` each) into the set's current folder; the others stay and a note says so.
    In check mode nothing moves: the legacy folder is returned when the current set has no generation
    yet, so a check-mode run reads what a real run would adopt. Returns (legacy folder to read in check
    mode or None, notes).
    """
    current = set_dir(backup_dir, name)
    base = current.parent
    notes: list[str] = []
    fallback = None
    for legacy in host_folder.existing_legacy(base, name):
        names = generation_names(legacy)
        mine = [g for g in names if _generation_owner(legacy / g) in owners]
        left = [g for g in names if g not in mine]
        if check_mode:
            if mine and not generation_names(current):
                fallback = legacy
                notes.append(f"{len(mine)} generation(s) of {name} are in {legacy} (folder name of an older version); "
                             f"a real run moves them to {current}")
        else:
            for gen in mine:
                try:
                    current.mkdir(parents=True, exist_ok=True, mode=_DIR_MODE)
                    if (current / gen).exists():
                        raise FileExistsError(str(current / gen))
                    os.rename(legacy / gen, current / gen)
                except OSError as exc:
                    left.append(gen)
                    notes.append(f"{legacy / gen} could not be moved to {current}: {exc}; it stays where it is")
            if mine:
                notes.append(f"moved {len(mine)} generation(s) of {name} from {legacy} (folder name of an older "
                             f"version) to {current}")
        if left:
            notes.append(f"{legacy} (folder name of an older version, without the host name hash) keeps "
                         f"{len(left)} generation(s) that do not record {name} as their source host; they were left "
                         "alone, and retention never deletes them")
    return fallback, notes


def generation_names(directory: Path) -> list[str]:
    """Generation directories in a backup set (any order); empty when the set does not exist."""
    try:
        entries = list(directory.iterdir())
    except FileNotFoundError:
        return []
    except OSError as exc:
        raise InputError(f"the backup set {directory} cannot be read: {exc}") from exc
    return [e.name for e in entries if e.is_dir() and not e.is_symlink() and dr_backup_plan.is_generation_name(e.name)]


def _read_limited(path: Path) -> bytes:
    with open(path, "rb") as handle:
        data = handle.read(dr_backup_plan.MAX_FILE_BYTES + 1)
    if len(data) > dr_backup_plan.MAX_FILE_BYTES:
        raise InputError(f"{path} is larger than {dr_backup_plan.MAX_FILE_BYTES} bytes: it is not a file a backup "
                         "writes")
    return data


def read_manifest(generation_dir: Path) -> dict[str, Any]:
    path = generation_dir / dr_backup_plan.MANIFEST_NAME
    try:
        text = _read_limited(path).decode("utf-8")
        data = json.loads(text)
    except FileNotFoundError as exc:
        raise InputError(f"{path} is missing: the generation is incomplete") from exc
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise InputError(f"{path} cannot be read as JSON: {exc}") from exc
    except RecursionError:
        raise InputError(f"{path} cannot be read as JSON: it is nested too deeply; it is not a manifest a backup "
                         "writes") from None
    manifest = dr_backup_plan.validate_manifest(data, str(path))
    if manifest["generation"] != generation_dir.name:
        raise InputError(f"{path} names generation {manifest['generation']!r}, but its directory is "
                         f"{generation_dir.name!r}: the manifest belongs to another backup")
    return manifest


def load_generation(generation_dir: Path) -> tuple[dr_backup_plan.GenerationState, list[tuple[dict, bytes]]]:
    """Read and verify one generation: its state, and (entry, bytes) of every file it lists.

    The bytes returned are the very bytes that were hashed, so what is restored is what was verified.
    """
    state = dr_backup_plan.GenerationState(generation_dir.name)
    try:
        state.manifest = read_manifest(generation_dir)
    except CtxlicError as exc:
        state.problems.append(str(exc))
        return state, []
    files: list[tuple[dict, bytes]] = []
    actual: dict[str, tuple[int, str] | None] = {}
    for entry in state.manifest["files"]:
        path = generation_dir.joinpath(*entry["path"].split("/"))
        try:
            if path.is_symlink() or not path.is_file():
                raise FileNotFoundError(str(path))
            data = _read_limited(path)
        except (OSError, InputError):
            actual[entry["path"]] = None
            continue
        actual[entry["path"]] = (len(data), dr_backup_plan.sha256_hex(data))
        files.append((entry, data))
    state.problems.extend(dr_backup_plan.verify_files(state.manifest, actual))
    return state, files


def scan(directory: Path) -> list[dr_backup_plan.GenerationState]:
    """Every generation of a backup set with its verification result, newest first."""
    names = sorted(generation_names(directory), key=dr_backup_plan.generation_sort_key, reverse=True)
    return [load_generation(directory / name)[0] for name in names]


def _write_file(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True, mode=_DIR_MODE)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, _FILE_MODE)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())


def write_generation(directory: Path, manifest: Mapping[str, Any], contents: Mapping[str, bytes]) -> Path:
    """Write a generation atomically; returns its directory.

    ``contents`` maps each manifest path to its bytes; they are checked against the manifest before
    anything is renamed into place.
    """
    name = manifest["generation"]
    final = directory / name
    for entry in manifest["files"]:
        data = contents.get(entry["path"])
        if data is None or dr_backup_plan.sha256_hex(data) != entry["sha256"]:
            raise CtxlicError(f"internal error: the content of {entry['path']} does not match the new manifest")
    try:
        directory.mkdir(parents=True, exist_ok=True, mode=_DIR_MODE)
        tmp = Path(tempfile.mkdtemp(prefix=f".tmp-{name}-", dir=directory))
    except OSError as exc:
        raise InputError(f"cannot create the backup in {directory}: {exc}") from exc
    try:
        for entry in manifest["files"]:
            _write_file(tmp.joinpath(*entry["path"].split("/")), contents[entry["path"]])
        text = json.dumps(manifest, indent=2, sort_keys=True) + "\n"
        _write_file(tmp / dr_backup_plan.MANIFEST_NAME, text.encode("utf-8"))
        if final.exists():
            raise InputError(f"{final} already exists; run the backup again")
        os.rename(tmp, final)
        _fsync_dir(directory)
    except OSError as exc:
        shutil.rmtree(tmp, ignore_errors=True)
        raise InputError(f"cannot write the backup generation {final}: {exc}") from exc
    except CtxlicError:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return final


def _fsync_dir(directory: Path) -> None:
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def delete_generations(directory: Path, names: Sequence[str]) -> list[str]:
    """Delete generation directories (only real generation names, never a link); returns what was deleted."""
    deleted = []
    for name in names:
        if not dr_backup_plan.is_generation_name(name):
            raise CtxlicError(f"internal error: {name!r} is not a generation name; nothing deleted")
        path = directory / name
        if path.is_symlink() or not path.is_dir():
            continue
        try:
            shutil.rmtree(path)
        except OSError as exc:
            raise InputError(f"could not delete the old backup generation {path}: {exc}") from exc
        deleted.append(name)
    return deleted


def resolve_generation(directory: Path, wanted: str | None) -> Path:
    """The generation directory to restore: ``wanted`` (a name in the set, or a path), else the newest."""
    if wanted and (os.sep in wanted or "/" in wanted):
        path = Path(os.path.expanduser(wanted))
        if not dr_backup_plan.is_generation_name(path.name) or not path.is_dir():
            raise InputError(f"generation {wanted!r} is not a backup generation directory (e.g. .../20261122T120000Z)")
        return path
    return directory / dr_backup_plan.select_generation(generation_names(directory), wanted, str(directory))
