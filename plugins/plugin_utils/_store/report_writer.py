# Copyright: (c) 2026, ctxlic maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# Internal use only: this module is private to ctxlic.license_server and may change at any time.
"""Write rendered compliance reports to disk atomically (the only I/O of the report pipeline).

Atomic because CI jobs and web servers pick reports up by name: a reader must see either the
previous complete file or the new complete file, never a half-written one (``atomic_file``).
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path
from typing import IO, Iterable

from ansible_collections.ctxlic.license_server.plugins.plugin_utils._store import atomic_file
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._common.errors import CtxlicError, InputError
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._compliance.report_render import (
    EXTENSIONS,
    FORMATS,
    SharedModel,
    check_json_indent,
    iter_render,
)

DEFAULT_BASENAME = "compliance_report"
#: Characters of report text encoded and written at a time: the pieces a format yields are gathered
#: up to this size (fewer system calls), a larger piece (the JSON text) is cut to it (no second copy).
WRITE_CHARS = 1 << 18


def _formats(formats: Iterable[str]) -> list[str]:
    if isinstance(formats, str):
        formats = [formats]
    try:
        wanted = list(dict.fromkeys(formats))
    except TypeError:
        raise InputError(f"formats must be a list drawn from {', '.join(FORMATS)}, got {formats!r}.") from None
    unknown = [f for f in wanted if f not in FORMATS]
    if unknown or not wanted:
        raise InputError(f"formats {unknown or wanted!r}: choose one or more of {', '.join(FORMATS)}.")
    return wanted


def _write_pieces(handle: IO[bytes], pieces: Iterable[str]) -> None:
    """Encode ``pieces`` as UTF-8 and write them to ``handle``, :data:`WRITE_CHARS` characters at a time."""
    gathered: list[str] = []
    size = 0
    for piece in pieces:
        if len(piece) >= WRITE_CHARS:
            if gathered:
                handle.write("".join(gathered).encode("utf-8"))
                gathered, size = [], 0
            for start in range(0, len(piece), WRITE_CHARS):
                handle.write(piece[start:start + WRITE_CHARS].encode("utf-8"))
            continue
        gathered.append(piece)
        size += len(piece)
        if size >= WRITE_CHARS:
            handle.write("".join(gathered).encode("utf-8"))
            gathered, size = [], 0
    if gathered:
        handle.write("".join(gathered).encode("utf-8"))


def write_reports(model: dict, out_dir: str | os.PathLike[str], formats: Iterable[str], *,
                  basename: str = DEFAULT_BASENAME, mode: int = 0o644,
                  json_indent: int | None = None) -> dict[str, str]:
    """Render ``model`` in each of ``formats`` and write ``<out_dir>/<basename>.<ext>``; return ``{fmt: path}``.

    Each format is streamed (``report_render.iter_render``) into its own temporary file next to the
    report (``atomic_file.atomic_open``), so a large fleet's report is never held whole in memory. The
    temporary files are renamed over the reports only once every format is written: a rendering or
    writing error leaves every report as it was (the temporary files are removed). JSON is compact
    unless ``json_indent`` (spaces per level) asks for an indented file. ``out_dir`` is created when
    missing. Reports are world-readable (``mode`` 0644) by default: they are meant to be published.
    """
    wanted = _formats(formats)
    if not isinstance(basename, str) or not basename or any(c in basename for c in "/\\\0") or basename in (".", ".."):
        raise InputError(f"basename {basename!r} must be a plain file name without directory separators.")
    indent = check_json_indent(json_indent)
    shared = SharedModel(model)
    directory = Path(out_dir)
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise CtxlicError(f"Cannot create the report directory {directory}: {exc.strerror or exc}. Choose a "
                          "writable report directory.") from None
    written: dict[str, str] = {}
    fmt = wanted[0]
    path = directory / f"{basename}.{EXTENSIONS[fmt]}"
    try:
        # Leaving the stack (no error) syncs and renames each temporary file; an error removes them all.
        with contextlib.ExitStack() as stack:
            for fmt in wanted:
                path = directory / f"{basename}.{EXTENSIONS[fmt]}"
                handle = stack.enter_context(atomic_file.atomic_open(path, mode=mode))
                _write_pieces(handle, iter_render(shared, fmt, json_indent=indent))
                written[fmt] = str(path)
    except OSError as exc:
        raise CtxlicError(f"Cannot write the {fmt} report {path}: {exc.strerror or exc}. Check the directory's "
                          "permissions and free space.") from None
    return written
