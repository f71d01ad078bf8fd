# Copyright: (c) 2026, ctxlic maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# Internal use only: this module is private to ctxlic.license_server and may change at any time.
"""Render the compliance report model as JSON, CSV, Markdown, HTML or JUnit XML (pure: text, whole or in pieces).

Each format has its module in ``render/``: ``json_report``, ``csv_report``, ``markdown_report`` and
``html_report`` (with ``templates``: the Jinja2 environment both templates use, and ``chart``: the
chart's geometry), ``junit_report``; ``common`` holds the text cleaning every format shares and
``shared`` the :class:`SharedModel` they all read. This module is the one entry point: it picks the
format, checks the arguments and streams the pieces.

Every string in a report may come from a hostile or broken server (host names, uploader
messages, license file names), so each format escapes for its own syntax:

* HTML: Jinja2 autoescaping, no scripts, inline CSS only, the chart is inline SVG. The per-server
  sections are written in Python (``html_report.HtmlSections``), each value cleaned and escaped as
  the template's ``finalize`` and autoescaping do.
* Markdown: ``\\ ` * _ [ ] | # ~`` are backslash-escaped, ``& < >`` become entities and newlines
  ``<br>``, so a value cannot break a table row or inject markup (``markdown_report.MdRows``).
* CSV: text cells starting with ``= + - @``, tab or CR get a leading ``'`` (spreadsheet formula
  injection, OWASP "CSV Injection"); the file is what ``csv.writer`` (excel dialect) writes for the
  ``csv_cell`` of each value, written without building each row (pinned by test_report_csv).
* JUnit: written as text exactly as ElementTree writes it: ``& < >`` become entities, and in
  attributes also ``"`` and CR, LF, tab (as ``&#13;`` ``&#10;`` ``&#09;``); characters XML 1.0
  forbids are removed first.
* JSON: the model itself, keys sorted with the verdict first, compact unless an indent is asked for
  (``json_indent``), ASCII only (every other character a ``\\uXXXX`` escape).

Control characters (C0 except tab/newline/CR, DEL, C1, lone surrogates, U+FFFE/U+FFFF) are
stripped from every format except JSON, which escapes them losslessly. The templates are read
from ``report_templates/`` next to this file (package data, read-only).

Text is cleaned as it is written (the templates' ``finalize`` hook, ``csv_cell``, the JUnit
writer), never by copying the model. The model is schema 2 (docs/report_schema.json): shared
texts are looked up in its tables, and the views that restate the checks (facts, matrix, chart
bars, licensing rows, the week's actions) are derived once per :class:`SharedModel` and shared by
every format.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from ansible_collections.ctxlic.license_server.plugins.plugin_utils._compliance.render.chart import chart_layout
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._compliance.render.common import (
    INVISIBLE,
    clean_output,
    clean_text,
    csv_cell,
    human_bytes,
    md_escape,
    needs_cleaning,
)
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._compliance.render.csv_report import (
    CSV_COLUMNS,
    _iter_csv,
)
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._compliance.render.json_report import _iter_json
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._compliance.render.junit_report import _iter_junit
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._compliance.render.shared import SharedModel
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._compliance.render.templates import _iter_template
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._compliance.report_model import gc_paused
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._common.errors import InputError

#: The renderers and the text helpers every format shares (defined in ``render/``).
__all__ = [
    "CSV_COLUMNS",
    "EXTENSIONS",
    "FORMATS",
    "INVISIBLE",
    "SharedModel",
    "chart_layout",
    "check_json_indent",
    "clean_output",
    "clean_text",
    "csv_cell",
    "human_bytes",
    "iter_render",
    "md_escape",
    "needs_cleaning",
    "render",
    "render_all",
]

FORMATS = ("json", "csv", "markdown", "html", "junit")
EXTENSIONS = {"json": "json", "csv": "csv", "markdown": "md", "html": "html", "junit": "xml"}

_RENDERERS = {
    "csv": _iter_csv,
    "junit": _iter_junit,
    "markdown": lambda shared: _iter_template(shared, "report.md.j2", html=False),
    "html": lambda shared: _iter_template(shared, "report.html.j2", html=True),
}


def _check_format(fmt: Any) -> None:
    if fmt not in FORMATS:
        raise InputError(f"report format {fmt!r} is not supported; use one of {', '.join(FORMATS)}.")


def check_json_indent(json_indent: Any) -> int | None:
    """``json_indent`` as the JSON renderer takes it (None: compact); a clear error for anything else."""
    if json_indent is None or json_indent is False:
        return None
    if isinstance(json_indent, bool) or not isinstance(json_indent, int) or not 0 <= json_indent <= 8:
        raise InputError(f"json_indent must be a whole number from 0 (compact) to 8, got {json_indent!r}.")
    return json_indent or None


def _iter_one(shared: SharedModel, fmt: str, json_indent: int | None) -> Iterator[str]:
    with gc_paused():
        if fmt == "json":
            yield from _iter_json(shared.source, json_indent)
        else:
            yield from _RENDERERS[fmt](shared)


def iter_render(model: dict | SharedModel, fmt: str, *, json_indent: int | None = None) -> Iterator[str]:
    """The report ``model`` in ``fmt``, in pieces whose concatenation is :func:`render`'s text.

    For writing a large report without holding it whole (``report_writer``). The arguments are checked
    when this is called; the pieces are produced as they are read. Every format is written by this one
    implementation: :func:`render` joins its pieces.
    """
    _check_format(fmt)
    indent = check_json_indent(json_indent)
    shared = model if isinstance(model, SharedModel) else SharedModel(model)
    return _iter_one(shared, fmt, indent)


def render(model: dict | SharedModel, fmt: str, *, json_indent: int | None = None) -> str:
    """Render the report ``model`` (from ``report_model.build_report``) in ``fmt``: one of ``FORMATS``.

    JSON is compact unless ``json_indent`` (spaces per level, 1-8) asks for an indented file. To render
    several formats of one model, pass a :class:`SharedModel` (or use :func:`render_all`) so what the
    formats derive from the model is derived once. A large report is better written in pieces
    (:func:`iter_render`).
    """
    return "".join(iter_render(model, fmt, json_indent=json_indent))


def render_all(model: dict | SharedModel, formats: Iterable[str], *, json_indent: int | None = None) -> dict[str, str]:
    """``{fmt: text}`` for each of ``formats``, all rendered from one shared model."""
    wanted = list(formats)
    for fmt in wanted:
        _check_format(fmt)
    indent = check_json_indent(json_indent)
    shared = model if isinstance(model, SharedModel) else SharedModel(model)
    return {fmt: "".join(_iter_one(shared, fmt, indent)) for fmt in wanted}
