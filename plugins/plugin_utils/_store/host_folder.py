# Copyright: (c) 2026, ctxlic maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# Internal use only: this module is private to ctxlic.license_server and may change at any time.
"""One rule for per-host folders on the controller, and the controller-side lock of such a folder.

Every module that writes files per host on the controller (``license_file`` backups, ``license_backup``,
``dr_backup``/``dr_restore``, ``telemetry_bundle``) names the host's folder with :func:`folder_name`: a
readable form of the inventory name (``[A-Za-z0-9._-]``, others become ``_``, at most 64 characters)
plus ``-`` and the first 8 hex digits of the SHA-256 of the EXACT inventory name (UTF-8). Two names
that read the same once made safe (``a@b`` and ``a#b``, ``café`` and ``cafe``, ``LS01`` and ``ls01`` on
a case-insensitive disk) therefore never share a folder.

Older versions named the folder without the hash (``license_file`` and ``dr_backup`` always,
``telemetry_bundle`` and ``license_backup`` when the name was already safe). Such a *legacy* folder
may hold two hosts' files, so it is never used blindly: :func:`legacy_names` lists the names an older
version could have used, the stores move what provably belongs to the host (its manifest names the
exact inventory name) into the new folder, and say what they left behind.

:func:`controller_lock` serialises runs that write the same host folder from one controller (two
overlapping ``fleet_report.yml`` runs, a paused run and a new one): an exclusive ``flock`` on a lock
file in that folder, released by the kernel when the process dies, so a killed run never leaves a
stale controller lock.
"""

from __future__ import annotations

import contextlib
import datetime
import hashlib
import json
import os
import re
import socket
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ansible_collections.ctxlic.license_server.plugins.plugin_utils._common.errors import CtxlicError, InputError

try:  # POSIX only; every Ansible controller is POSIX
    import fcntl

    HAS_FCNTL = True
except ImportError:  # pragma: no cover - Windows is not a controller platform
    HAS_FCNTL = False

HASH_DIGITS = 8
READABLE_MAX = 64
LOCK_NAME = ".ctxlic.lock"
#: How long a run waits for another run of the same host folder on this controller before it gives up
#: (environment variable CTXLIC_CONTROLLER_LOCK_WAIT overrides it, in seconds).
DEFAULT_WAIT_SECONDS = 120.0
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]")


def _name_text(name: Any) -> str:
    if not isinstance(name, str) or not name:
        raise InputError(f"host name {name!r} is empty: pass the inventory host name")
    return name


def name_hash(name: str) -> str:
    """The first 8 hex digits of the SHA-256 of the exact name (UTF-8; lone surrogates kept as they are)."""
    return hashlib.sha256(_name_text(name).encode("utf-8", "surrogatepass")).hexdigest()[:HASH_DIGITS]


def readable(name: str) -> str:
    """The readable part: ``[A-Za-z0-9._-]`` only, no leading/trailing dots, at most 64 characters."""
    cleaned = _UNSAFE.sub("_", _name_text(name).strip()).strip(".")[:READABLE_MAX].strip(".")
    return cleaned if cleaned.strip("_") else "host"


def folder_name(name: str) -> str:
    """``<readable>-<hash8>``: the one folder name of inventory host ``name`` on the controller."""
    return f"{readable(name)}-{name_hash(name)}"


def legacy_names(name: str) -> list[str]:
    """Folder names older versions used for ``name`` (never the current one), most specific first."""
    text = _name_text(name)
    older = []
    bare = _UNSAFE.sub("_", text.strip()).strip(".")  # telemetry_bundle / license_backup when already safe
    if bare == text:
        older.append(bare)
    plain = _UNSAFE.sub("_", text)  # license_file backups and dr_backup sets
    if plain not in (".", "..") and plain:
        older.append(plain)
    dr_plain = _UNSAFE.sub("_", text.strip())
    if dr_plain.strip("."):
        older.append(dr_plain)
    current = folder_name(text)
    return [n for n in dict.fromkeys(older) if n != current]


def existing_legacy(parent: str | os.PathLike[str], name: str) -> list[Path]:
    """Legacy folders of ``name`` that exist under ``parent`` (directories, not links)."""
    base = Path(parent)
    found = []
    for legacy in legacy_names(name):
        path = base / legacy
        if path.is_dir() and not path.is_symlink():
            found.append(path)
    return found


def adopt_legacy(parent: str | os.PathLike[str], name: str, owner_of: Any) -> tuple[Path | None, list[str]]:
    """Move a legacy folder that provably belongs to ``name`` to its current name.

    ``owner_of(path)`` returns the exact inventory name the legacy folder records (its manifest), or
    None when it cannot say. The folder is renamed (one atomic ``os.rename``) only when the current
    folder does not exist yet and the recorded owner is ``name`` itself. Returns (the folder moved,
    notes for the user: the move, and legacy folders left where they are).
    """
    current = Path(parent) / folder_name(name)
    notes: list[str] = []
    moved = None
    for path in existing_legacy(parent, name):
        owner = owner_of(path)
        if owner == name and moved is None and not current.exists():
            try:
                os.rename(path, current)
            except OSError as exc:
                notes.append(f"{path} holds earlier files of {name} (older folder name) and could not be renamed to "
                             f"{current}: {exc.strerror or exc}; it is kept as it is")
                continue
            moved = path
            notes.append(f"moved {path} (the folder name an older version used) to {current}")
            continue
        whose = "another host" if owner not in (None, name) else (name if owner == name else "an unknown host")
        notes.append(f"{path} is a folder an older version of this collection wrote (without the name hash); it holds "
                     f"files of {whose} and is left untouched: files of {name} are now kept in {current}")
    return moved, notes


# -- controller lock ---------------------------------------------------------------------------------
def _holder_text(path: Path) -> str:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return "another run"
    if not isinstance(data, dict):
        return "another run"
    return (f"run {data.get('run_id', '?')} ({data.get('operation', '?')}, pid {data.get('pid', '?')} on "
            f"{data.get('controller', '?')}, since {data.get('started_at', '?')})")


@contextlib.contextmanager
def controller_lock(folder: str | os.PathLike[str], *, operation: str, run_id: str,
                    wait_seconds: float | None = None) -> Iterator[Path]:
    """Hold the exclusive lock of a host folder on this controller for the ``with`` block.

    Waits up to ``wait_seconds`` for another holder, then raises :class:`CtxlicError` naming the
    holder. The lock file only says who holds it; the lock itself is the ``flock``, which the kernel
    drops when the holder exits or is killed.
    """
    if wait_seconds is None:
        try:
            wait_seconds = float(os.environ.get("CTXLIC_CONTROLLER_LOCK_WAIT", DEFAULT_WAIT_SECONDS))
        except ValueError:
            wait_seconds = DEFAULT_WAIT_SECONDS
    root = Path(folder)
    try:
        root.mkdir(mode=0o700, parents=True, exist_ok=True)
    except OSError as exc:
        raise CtxlicError(f"Cannot create {root}: {exc.strerror or exc}. Choose a writable folder on the "
                          "controller.") from None
    if not root.is_dir():
        raise CtxlicError(f"{root} is not a folder. Choose a folder on the controller.")
    path = root / LOCK_NAME
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    except OSError as exc:
        raise CtxlicError(f"Cannot open the lock file {path}: {exc.strerror or exc}. Choose a writable folder on "
                          "the controller.") from None
    try:
        if HAS_FCNTL:
            deadline = time.monotonic() + max(0.0, wait_seconds)
            while True:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() >= deadline:
                        raise CtxlicError(
                            f"{root} is in use by {_holder_text(path)}; this run waited {wait_seconds:.0f} s and "
                            "changed nothing. Let that run finish (a paused run must be resumed or stopped), then "
                            "run again.") from None
                    time.sleep(0.5)
        info = {"run_id": run_id, "operation": operation, "pid": os.getpid(), "controller": socket.gethostname(),
                "started_at": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds")}
        os.ftruncate(fd, 0)
        os.pwrite(fd, (json.dumps(info, sort_keys=True) + "\n").encode("utf-8"), 0)
        yield path
    finally:
        os.close(fd)  # closing drops the flock
