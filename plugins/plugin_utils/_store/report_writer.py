# Copyright: (c) 2026, ctxlic maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# Internal use only: this module is private to ctxlic.license_server and may change at any time.
"""Write rendered compliance reports to disk atomically (the only I/O of the report pipeline).

Atomic because CI jobs and web servers pick reports up by name: a reader must see either the
previous complete file or the new complete file, never a half-written one (``atomic_file``).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Iterable

from ansible_collections.ctxlic.license_server.plugins.plugin_utils._store import atomic_file
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._common.errors import CtxlicError, InputError
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._compliance.report_render import (
    EXTENSIONS,
    FORMATS,
    render_all,
)

DEFAULT_BASENAME = "compliance_report"


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


def write_reports(model: dict, out_dir: str | os.PathLike[str], formats: Iterable[str], *,
                  basename: str = DEFAULT_BASENAME, mode: int = 0o644,
                  json_indent: int | None = None) -> dict[str, str]:
    """Render ``model`` in each of ``formats`` and write ``<out_dir>/<basename>.<ext>``; return ``{fmt: path}``.

    Every format is rendered (from the one model, never copied) before anything is written, so a
    rendering error leaves the directory untouched. JSON is compact unless ``json_indent`` (spaces
    per level) asks for an indented file. ``out_dir`` is created when
    missing. Reports are world-readable (``mode`` 0644) by default: they are meant to be published.
    """
    wanted = _formats(formats)
    if not isinstance(basename, str) or not basename or any(c in basename for c in "/\\\0") or basename in (".", ".."):
        raise InputError(f"basename {basename!r} must be a plain file name without directory separators.")
    rendered = render_all(model, wanted, json_indent=json_indent)
    directory = Path(out_dir)
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise CtxlicError(f"Cannot create the report directory {directory}: {exc.strerror or exc}. Choose a "
                          "writable report directory.") from None
    written: dict[str, str] = {}
    for fmt, text in rendered.items():
        path = directory / f"{basename}.{EXTENSIONS[fmt]}"
        try:
            atomic_file.write_text(path, text, mode=mode)
        except OSError as exc:
            raise CtxlicError(f"Cannot write the {fmt} report {path}: {exc.strerror or exc}. Check the directory's "
                              "permissions and free space.") from None
        written[fmt] = str(path)
    return written
