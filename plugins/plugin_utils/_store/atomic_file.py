# Copyright: (c) 2026, ctxlic maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# Internal use only: this module is private to ctxlic.license_server and may change at any time.
"""Write a controller file so that readers see the old complete file or the new complete file, never a part.

Reports are picked up by name by CI jobs and web servers, manifests and caches are read by the
next run (or by a parallel fork), bundles are uploaded by operators: a run killed half-way must
not leave a truncated file under the real name. Every writer here follows the same steps:

1. create a temporary file ``.<name>.<random>.tmp`` in the target's own folder (``os.replace``
   is only atomic within one file system), with the requested permission bits set before any
   data is written, so private data is never readable by others, not even briefly;
2. write, flush and ``fsync`` it, so the data is on disk before the name points at it;
3. ``os.replace`` it over the target;
4. ``fsync`` the folder, so the rename itself survives a power cut.

Any failure before the rename (including ``KeyboardInterrupt`` from a Ctrl-C on the controller)
removes the temporary file and leaves the target as it was. The hidden ``.tmp`` name lets
housekeeping code recognise leftovers of a killed process (which no ``except`` can clean up).

Controller only (POSIX): ``os.fchmod`` and folder ``fsync`` do not exist on Windows, which is not
an Ansible controller platform. The lab simulator keeps its own writer (``lab/state.py``): lab
code does not import the collection's controller code.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from ansible_collections.ctxlic.license_server.plugins.plugin_utils._common.errors import CtxlicError

#: Private by default: most files written this way hold license or telemetry data.
DEFAULT_MODE = 0o600
TEMP_SUFFIX = ".tmp"


def temp_prefix(path: str | os.PathLike[str]) -> str:
    """The prefix of temporary files made for ``path`` (``.<name>.``): hidden, and named after the target."""
    return f".{Path(path).name}."


@contextlib.contextmanager
def atomic_open(path: str | os.PathLike[str], *, mode: int = DEFAULT_MODE) -> Iterator[IO[bytes]]:
    """Open a binary handle whose content replaces ``path`` when the ``with`` block ends without an error.

    ``mode`` is the exact permission bits of the new file (not filtered by the umask). The
    folder must exist. When the block raises, the temporary file is removed and the exception
    propagates; ``path`` is untouched. For streaming writers (``zipfile``); whole payloads use
    :func:`write_bytes`, :func:`write_text` or :func:`write_json`.
    """
    target = Path(path)
    fd, tmp_name = tempfile.mkstemp(prefix=temp_prefix(target), suffix=TEMP_SUFFIX, dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            os.fchmod(handle.fileno(), mode)
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp_name, target)
    except BaseException:
        _discard(tmp_name)
        raise
    _sync_folder(target.parent)


def write_bytes(path: str | os.PathLike[str], data: bytes, *, mode: int = DEFAULT_MODE) -> None:
    """Replace ``path`` with ``data`` atomically (see the module docstring)."""
    with atomic_open(path, mode=mode) as handle:
        handle.write(data)


def write_text(path: str | os.PathLike[str], text: str, *, mode: int = DEFAULT_MODE, encoding: str = "utf-8") -> None:
    """Replace ``path`` with ``text`` atomically, encoded as given; newlines are written exactly as in ``text``.

    The text is encoded before the temporary file is created, so text that cannot be encoded
    raises ``UnicodeEncodeError`` without touching the folder.
    """
    write_bytes(path, text.encode(encoding), mode=mode)


def write_json(path: str | os.PathLike[str], data: Any, *, mode: int = DEFAULT_MODE) -> None:
    """Replace ``path`` with ``data`` as indented JSON with sorted keys and a final newline.

    Sorted and indented so that files kept in version control or compared by people show small
    diffs. Data that is not JSON-serialisable raises ``TypeError`` before anything is written.
    """
    write_text(path, json.dumps(data, indent=2, sort_keys=True) + "\n", mode=mode)


def read_json(path: Path, *, keep_because: str) -> Any:
    """The JSON data in ``path`` (a store's own manifest), or None when the file does not exist.

    An unreadable or invalid file raises :class:`CtxlicError` asking to move it away, and saying why it
    should be kept (``keep_because``, e.g. "it lists the copies already made").
    """
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise CtxlicError(f"Cannot read {path}: {exc.strerror or exc}.") from None
    try:
        return json.loads(text)
    except (json.JSONDecodeError, RecursionError) as exc:
        why = "nested too deeply" if isinstance(exc, RecursionError) else exc
        raise CtxlicError(f"{path} is not valid JSON ({why}); move it away (keep it: {keep_because}) and run "
                          "again.") from None


def _discard(tmp_name: str) -> None:
    # The original error matters more than a failure to clean up after it.
    with contextlib.suppress(OSError):
        os.unlink(tmp_name)


def _sync_folder(folder: Path) -> None:
    """``fsync`` the folder so the rename is durable; best effort.

    Once the rename has happened the new content is complete and visible, so an error here
    cannot make the write partial: it only means some file systems (several network and FUSE
    ones refuse to open or ``fsync`` a folder) cannot promise the rename survives a power cut.
    Raising would make callers report that nothing was written, which would be false.
    """
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
