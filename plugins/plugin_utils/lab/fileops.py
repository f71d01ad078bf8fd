# Copyright: (c) 2026, ctxlic maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""File and registry operations of a simulated Windows host: the ``labctl file-*`` and ``registry-query`` commands.

The lab backend (``host_lab.LabHost``) hands Windows paths to these commands as plain argument vector
elements (``ansible.builtin.command`` with ``expand_argument_vars: false``) and they are mapped into the
host's tree here. They do not go through ``ansible.builtin`` file modules because every ``type=path``
option of those modules passes through ``os.path.expandvars`` and ``os.path.expanduser``
(``ansible.module_utils.common.validation.check_type_path``): ``C:\\...\\FID_$HOME.lic`` would name the
controller's home directory, while on Windows ``$`` is an ordinary file name character.

What each command does, and how it answers, follows the ``ansible.windows`` module the Windows backend
uses for the same operation; where the lab keeps the behaviour its ``ansible.builtin`` modules had, the
function says so. Every command prints one JSON document; on failure it is ``{"msg": ...}`` with exit
status 1, and the message names Windows paths, never paths of the lab's tree.
"""

from __future__ import annotations

import base64
import contextlib
import fnmatch
import hashlib
import ntpath
import os
import shutil
import stat
import tempfile
from datetime import datetime
from pathlib import Path
from typing import Any

from ansible_collections.ctxlic.license_server.plugins.plugin_utils.lab.layout import (
    LabPathError,
    lab_to_win,
    win_to_lab,
)
from ansible_collections.ctxlic.license_server.plugins.plugin_utils.lab.state import HostState

_CHUNK = 1024 * 1024


class FileOpError(Exception):
    """An operation failed; the message is for the user and names Windows paths."""


def _map(root: Path, winpath: str) -> Path:
    try:
        return win_to_lab(root, winpath)
    except LabPathError as exc:
        raise FileOpError(str(exc)) from exc


def _shown(root: Path, path: str | os.PathLike | None) -> str:
    """A path for a message: the Windows path when it is inside the host's tree."""
    if path is None:
        return ""
    try:
        return lab_to_win(root, os.fsdecode(path))
    except (ValueError, IndexError):
        return os.fsdecode(path)


def _os_error(root: Path, exc: OSError) -> str:
    """``strerror: path`` (``-> path2``) with the host's Windows paths instead of the tree's."""
    text = exc.strerror or str(exc)
    if exc.filename is not None:
        text += f": {_shown(root, exc.filename)}"
    if exc.filename2 is not None:
        text += f" -> {_shown(root, exc.filename2)}"
    return text


def _sha1(path: Path) -> str:
    digest = hashlib.sha1()  # noqa: S324 - the checksum win_stat and ansible.builtin.stat report by default
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(_CHUNK), b""):
            digest.update(block)
    return digest.hexdigest()


# -- read-only ------------------------------------------------------------------------------------
def stat_path(root: Path, winpath: str, checksum: bool) -> dict:
    """``{exists, is_dir, size, mtime[, checksum]}``; like win_stat, a symbolic link is not followed."""
    path = _map(root, winpath)
    try:
        st = os.stat(path, follow_symlinks=False)
    except (FileNotFoundError, NotADirectoryError):
        return {"exists": False}
    entry: dict[str, Any] = {
        "exists": True, "is_dir": stat.S_ISDIR(st.st_mode), "size": st.st_size, "mtime": st.st_mtime}
    if checksum and stat.S_ISREG(st.st_mode):
        entry["checksum"] = _sha1(path)
    return entry


def stat_paths(root: Path, winpaths: list[str], checksum: bool) -> list[dict]:
    """:func:`stat_path` of each path, in order (the Windows backend's ``STAT_FILES_PS``)."""
    return [stat_path(root, winpath, checksum) for winpath in winpaths]


def read_path(root: Path, winpath: str) -> dict:
    """``{exists, content}`` with the content base64-encoded, as slurp returns it."""
    path = _map(root, winpath)
    try:
        data = path.read_bytes()
    except (FileNotFoundError, NotADirectoryError):
        return {"exists": False}
    return {"exists": True, "content": base64.b64encode(data).decode("ascii")}


def find_files(root: Path, windir: str, patterns: list[str]) -> list[dict]:
    """Regular files directly in ``windir`` whose name matches a glob; a missing folder has none.

    Patterns are compared without regard to letter case, as ``win_find`` does (PowerShell ``-like``), so
    ``*.lic`` also finds ``FID_X.LIC``. Names starting with ``.`` are left out, as the lab's stand-in for
    the Hidden attribute that ``win_find`` skips by default.
    """
    folder = _map(root, windir)
    try:
        entries = sorted(os.scandir(folder), key=lambda entry: entry.name)
    except (FileNotFoundError, NotADirectoryError):
        return []
    found = []
    for entry in entries:
        if entry.name.startswith(".") or not entry.is_file(follow_symlinks=False):
            continue
        folded = entry.name.casefold()
        if any(fnmatch.fnmatchcase(folded, pattern.casefold()) for pattern in patterns):
            st = entry.stat(follow_symlinks=False)
            found.append({"path": ntpath.join(windir, entry.name), "size": st.st_size, "mtime": st.st_mtime})
    return found


def registry_query(root: Path, key: str, name: str) -> dict:
    """``{exists, value}`` of a registry value; key and value names are case-insensitive, as on Windows."""
    registry = HostState(root).registry
    values = {k.casefold(): v for k, v in registry.items()}.get(key.casefold())
    if values is None:
        return {"exists": False}
    folded = {k.casefold(): v for k, v in values.items()}
    if name.casefold() not in folded:
        return {"exists": False}
    return {"exists": True, "value": folded[name.casefold()]}


# -- changing -------------------------------------------------------------------------------------
def _same_content(left: Path, right: Path) -> bool:
    return left.stat().st_size == right.stat().st_size and _sha1(left) == _sha1(right)


def _backup_name(dest: Path, now: datetime) -> Path:
    # Ansible.ModuleUtils.Backup (win_copy backup: true): "<path>.<pid>.<yyyyMMdd-HHmmss>.bak".
    return dest.with_name(f"{dest.name}.{os.getpid()}.{now:%Y%m%d-%H%M%S}.bak")


def _unlink_quietly(path: Path | None) -> None:
    if path is None:
        return
    with contextlib.suppress(FileNotFoundError):
        path.unlink()


def _new_file_mode(dest: Path) -> int:
    """The mode the written file gets: the replaced file's, else the default a new file would get."""
    if dest.is_file():
        return stat.S_IMODE(dest.stat().st_mode)
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def _copy_into_place(src: Path, dest: Path) -> None:
    """Write ``src`` to a temporary file next to ``dest``, then rename it over ``dest``.

    A reader sees the old file or the new one, never a part of it. The temporary file starts with ``.``
    and ends in ``.tmp``, so no License Server reads it (it reads ``*.lic``) and find() does not list it.
    """
    fd, tmp_name = tempfile.mkstemp(dir=dest.parent, prefix=f".{dest.name}.", suffix=".tmp")
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as out, open(src, "rb") as source:
            shutil.copyfileobj(source, out, _CHUNK)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(tmp, _new_file_mode(dest))
        os.replace(tmp, dest)
    except BaseException:
        _unlink_quietly(tmp)
        raise


def write_from(root: Path, src: str, windest: str, backup: bool, now: datetime) -> dict:
    """Put the staged file ``src`` at ``windest``: ``{changed, backup_file}``, as win_copy with remote_src.

    Nothing is written when the content is already there. A failed write leaves the original and no
    backup or temporary file next to it (the backup is only needed once the original is replaced).
    """
    dest = _map(root, windest)
    source = Path(src)
    if not source.is_file():
        raise FileOpError(f"the staged file {src} does not exist")
    if dest.is_dir():
        raise FileOpError(f"{windest} is a folder")
    if not dest.parent.is_dir():
        raise FileOpError(f"Destination directory '{ntpath.dirname(windest)}' does not exist")
    if dest.is_file() and _same_content(source, dest):
        return {"changed": False, "backup_file": None}
    backup_path = _backup_name(dest, now) if backup and dest.is_file() else None
    try:
        if backup_path is not None:
            shutil.copy2(dest, backup_path)
        _copy_into_place(source, dest)
    except BaseException:
        _unlink_quietly(backup_path)
        raise
    return {"changed": True, "backup_file": _shown(root, backup_path) if backup_path else None}


def rename_path(root: Path, winsrc: str, windest: str) -> dict:
    """Rename ``winsrc`` to ``windest`` as ``Move-Item -LiteralPath`` (without ``-Force``) does on Windows.

    An existing ``windest`` is never replaced: Move-Item fails with "Cannot create a file when that
    file already exists." (an existing folder as destination would receive the item; nothing in the
    collection moves into a folder, so the lab refuses that too rather than model it).
    """
    src, dest = _map(root, winsrc), _map(root, windest)
    if not os.path.lexists(src):
        raise FileOpError(f"Cannot find path '{winsrc}' because it does not exist.")
    if os.path.lexists(dest):
        raise FileOpError(f"Cannot create a file when that file already exists: {windest}")
    if src.is_file() and not src.is_symlink():
        # MoveFile on one NTFS volume is one atomic step that fails when the target exists; the check above
        # and os.rename are two, so two runs renaming onto one name could both succeed. A hard link fails
        # with EEXIST atomically; then the source name goes.
        try:
            os.link(src, dest)
        except FileExistsError:
            raise FileOpError(f"Cannot create a file when that file already exists: {windest}") from None
        os.unlink(src)
        return {"changed": True}
    os.rename(src, dest)
    return {"changed": True}


def remove_path(root: Path, winpath: str) -> dict:
    """Delete a file, or a folder with everything in it (win_file state=absent); a missing path is no change."""
    path = _map(root, winpath)
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    elif os.path.lexists(path):
        path.unlink()
    else:
        return {"changed": False}
    return {"changed": True}


def remove_verified(root: Path, files: list[tuple[str, str, str]]) -> list[dict]:
    """Delete each ``(size, sha1, path)`` file whose size and SHA-1 are still those: one answer per file.

    The twin of the Windows backend's ``REMOVE_VERIFIED_PS``: ``{path, outcome, msg}`` with outcome
    ``deleted``, ``absent``, ``changed`` (other content, or not a regular file: left in place) or ``failed``;
    one file failing does not stop the others.
    """
    answers = []
    for size, sha1, winpath in files:
        entry: dict[str, Any] = {"path": winpath, "outcome": "failed", "msg": None}
        try:
            path = _map(root, winpath)
            st = os.stat(path, follow_symlinks=False)
            if not stat.S_ISREG(st.st_mode) or str(st.st_size) != size or _sha1(path) != sha1.lower():
                entry["outcome"] = "changed"
            else:
                path.unlink()
                entry["outcome"] = "deleted"
        except (FileNotFoundError, NotADirectoryError):
            entry["outcome"] = "absent"
        except FileOpError as exc:
            entry["msg"] = str(exc)
        except OSError as exc:
            entry["msg"] = _os_error(root, exc)
        answers.append(entry)
    return answers


def make_dir(root: Path, winpath: str) -> dict:
    """Create a folder and its missing parents (win_file state=directory)."""
    path = _map(root, winpath)
    if path.is_dir():
        return {"changed": False}
    if os.path.lexists(path):
        raise FileOpError(f"{winpath} exists and is not a folder")
    path.mkdir(parents=True)
    return {"changed": True}


# -- command line ---------------------------------------------------------------------------------
USAGE = (
    "file-stat [--checksum] PATH | file-stat-many [--checksum] PATH... | file-read PATH | file-find DIR PATTERN... | "
    "file-write [--backup] STAGED_FILE PATH | file-rename PATH NEW_PATH | file-remove PATH | file-mkdir PATH | "
    "file-remove-verified SIZE SHA1 PATH [SIZE SHA1 PATH...] | registry-query KEY NAME"
)


def _flag(args: list[str], name: str) -> tuple[bool, list[str]]:
    if args[:1] == [name]:
        return True, args[1:]
    return False, args


def run_command(root: Path, command: str, args: list[str]) -> tuple[int, object]:
    """Run one ``labctl`` file or registry command: ``(exit status, JSON-serialisable answer)``."""
    try:
        answer = _dispatch(root, command, args)
    except FileOpError as exc:
        return 1, {"msg": str(exc)}
    except OSError as exc:  # the operating system refused: say why, naming the Windows path
        return 1, {"msg": _os_error(root, exc)}
    if answer is None:
        return 2, {"msg": f"usage: labctl {USAGE}"}
    return 0, answer


def _dispatch(root: Path, command: str, args: list[str]) -> object:
    """The answer of ``command``, or None when the arguments do not fit it."""
    if command == "file-stat":
        checksum, rest = _flag(args, "--checksum")
        return stat_path(root, rest[0], checksum) if len(rest) == 1 else None
    if command == "file-stat-many":
        checksum, rest = _flag(args, "--checksum")
        return stat_paths(root, rest, checksum) if rest else None
    if command == "file-find":
        return find_files(root, args[0], args[1:]) if args else None
    if command == "file-write":
        backup, rest = _flag(args, "--backup")
        return write_from(root, rest[0], rest[1], backup, HostState(root).now()) if len(rest) == 2 else None
    if command == "file-rename":
        return rename_path(root, args[0], args[1]) if len(args) == 2 else None
    if command == "file-remove-verified":
        if not args or len(args) % 3:
            return None
        return remove_verified(root, [(args[i], args[i + 1], args[i + 2]) for i in range(0, len(args), 3)])
    if command == "registry-query":
        return registry_query(root, args[0], args[1]) if len(args) == 2 else None
    single = {"file-read": read_path, "file-remove": remove_path, "file-mkdir": make_dir}.get(command)
    if single is not None and len(args) == 1:
        return single(root, args[0])
    return None


COMMANDS = frozenset(
    {"file-stat", "file-stat-many", "file-read", "file-find", "file-write", "file-rename", "file-remove", "file-mkdir",
     "file-remove-verified", "registry-query"}
)
