# Copyright: (c) 2026, ctxlic maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# Internal use only: this module is private to ctxlic.license_server and may change at any time.
"""Render the compliance report model as JSON, CSV, Markdown, HTML or JUnit XML (pure: text, whole or in pieces).

Every string in a report may come from a hostile or broken server (host names, uploader
messages, license file names), so each format escapes for its own syntax:

* HTML: Jinja2 autoescaping, no scripts, inline CSS only, the chart is inline SVG. The per-server
  sections are written in Python (:class:`HtmlSections`), each value cleaned and escaped as the
  template's ``finalize`` and autoescaping do.
* Markdown: ``\\ ` * _ [ ] | # ~`` are backslash-escaped, ``& < >`` become entities and newlines
  ``<br>``, so a value cannot break a table row or inject markup.
* CSV: text cells starting with ``= + - @``, tab or CR get a leading ``'`` (spreadsheet formula
  injection, OWASP "CSV Injection"); the file is what ``csv.writer`` (excel dialect) writes for the
  ``csv_cell`` of each value, written without building each row (pinned by test_report_csv).
* JUnit: written as text exactly as ElementTree writes it: ``& < >`` become entities, and in
  attributes also ``"`` and CR, LF, tab (as ``&#13;`` ``&#10;`` ``&#09;``); characters XML 1.0
  forbids are removed first.

Control characters (C0 except tab/newline/CR, DEL, C1, lone surrogates, U+FFFE/U+FFFF) are
stripped from every format except JSON, which escapes them losslessly. The templates are read
from ``report_templates/`` next to this file (package data, read-only).

Text is cleaned as it is written (the templates' ``finalize`` hook, ``csv_cell``, the JUnit
writer), never by copying the model. The model is schema 2 (docs/report_schema.json): shared
texts are looked up in its tables, and the views that restate the checks (facts, matrix, chart
bars, licensing rows) are derived once per :class:`SharedModel` and shared by every format.
JSON is compact unless an indent is asked for (``json_indent``).
"""

from __future__ import annotations

import collections
import functools
import itertools
import json
import math
import operator
import re
from collections.abc import Callable, Iterable, Iterator
from typing import Any, Mapping

from jinja2 import Environment, FunctionLoader, StrictUndefined
from markupsafe import Markup, escape

from ansible_collections.ctxlic.license_server.plugins.plugin_utils._common import package_data
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._common.errors import InputError
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._compliance.report_model import (
    chart_bars,
    expand_week,
    gc_paused,
    jsonable,
    licensing_row,
    server_facts,
)

FORMATS = ("json", "csv", "markdown", "html", "junit")
EXTENSIONS = {"json": "json", "csv": "csv", "markdown": "md", "html": "html", "junit": "xml"}
TEMPLATES = "_compliance/report_templates"  # package data next to this module

TONE_SYMBOLS = {"pass": "\u2714", "warn": "\u25b2", "fail": "\u2716", "unknown": "?"}
TONE_COLOURS = {"pass": "#1a7f37", "warn": "#9a6700", "fail": "#cf222e", "unknown": "#57606a"}
CHECK_LABELS = {"pass": "PASS", "warn": "WARN", "fail": "FAIL", "unknown": "UNKNOWN"}

_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
#: Characters that change how text around them displays, or display as nothing (Unicode bidi controls,
#: UAX #9; zero-width and invisible format characters): shown as <U+XXXX> in every format.
INVISIBLE = ("\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064"
             "\u2066-\u206f\u3164\ufe00-\ufe0f\ufeff\uffa0")
_INVISIBLE = re.compile(f"[{INVISIBLE}]")
_MD_SPECIAL = re.compile(r"([\\`*_\[\]|#~])")
_NEWLINES = re.compile("\r\n|[\r\n\u2028\u2029]")  # what editors and some renderers treat as line breaks
_CSV_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
_CLASS_SAFE = re.compile(r"[^A-Za-z0-9_.-]+")


# --------------------------------------------------------------------------- escaping helpers


def clean_text(value: Any) -> str:
    """``value`` as text with the characters XML 1.0 forbids (and other controls) removed.

    Invisible formatting characters (bidi overrides and isolates, zero-width characters, the soft
    hyphen, the BOM) are made visible as ``<U+202E>``: ``FID_\u202egnp.exe.lic`` would otherwise display
    as ``FID_cil.exe.png`` (issue 14 item 8). This is the one place every non-JSON format cleans text.
    """
    text = _FORBIDDEN.sub("", "" if value is None else str(value))
    return _INVISIBLE.sub(lambda match: f"<U+{ord(match.group()):04X}>", text)


_NEEDS_CLEANING = re.compile(f"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff{INVISIBLE}]")
#: The characters of ``_NEEDS_CLEANING`` an ASCII text can hold, as bytes (``bytes.translate`` deletes them).
_ASCII_CONTROLS = bytes([*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0x7F])


def needs_cleaning(text: str) -> bool:
    """Whether :func:`clean_text` changes ``text`` (a ``str``).

    The same answer as ``_NEEDS_CLEANING.search``, several times faster on ASCII text (most of a report):
    deleting the control bytes of its ASCII encoding is a C loop, the regular expression's large character
    class is tested character by character.
    """
    if text.isascii():
        data = text.encode("ascii")
        return len(data.translate(None, _ASCII_CONTROLS)) != len(data)
    return _NEEDS_CLEANING.search(text) is not None


def clean_output(value: Any) -> Any:
    """What a template writes: text cleaned (:func:`clean_text`), other values as they are (``finalize``)."""
    if value.__class__ is str:
        return clean_text(value) if _NEEDS_CLEANING.search(value) else value
    if isinstance(value, Markup) or not isinstance(value, str):
        return value
    return clean_text(value)


def md_escape(value: Any, *, newline: str = "<br>") -> str:
    """Escape text for a Markdown table cell (or, with ``newline=" "``, a heading or list item)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    return _md_text(value if value.__class__ is str else str(value), newline)


@functools.lru_cache(maxsize=65536)
def _md_text(value: str, newline: str) -> str:
    """:func:`md_escape` of one text, remembered: a report repeats its shared texts on many servers."""
    text = clean_text(value).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = _MD_SPECIAL.sub(r"\\\1", text)
    return _NEWLINES.sub(newline, text)


@functools.lru_cache(maxsize=65536)
def _clean_cached(value: str) -> str:
    """:func:`clean_text` of one text, remembered (the shared messages of a large fleet)."""
    return clean_text(value)


@functools.lru_cache(maxsize=65536)
def _html_text(value: str) -> Markup:
    """One shared text cleaned and HTML-escaped, remembered: written on many servers, escaped once."""
    return escape(clean_text(value))


def csv_cell(value: Any) -> Any:
    """Neutralise a CSV cell: numbers pass, text starting with a formula trigger gets a leading ``'``."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return value
    text = _clean_cached(value) if value.__class__ is str else clean_text(value)
    return "'" + text if text.startswith(_CSV_TRIGGERS) else text


def human_bytes(size: Any) -> str:
    """``123456`` -> ``120.6 KiB``; non-numbers -> empty text."""
    if isinstance(size, bool) or not isinstance(size, (int, float)):
        return ""
    value = float(size)
    for unit in ("B", "KiB", "MiB", "GiB", "TiB"):
        if abs(value) < 1024 or unit == "TiB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{size} B"


def _truncate(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "\u2026"


# --------------------------------------------------------------------------- chart geometry


#: The types of ``days`` a chart bar's looks are remembered for (``None``: never uploaded).
_CHART_DAYS = (int, type(None))


def _bar_looks(days: Any, status: Any, scale: int, plot_width: int, length: float) -> tuple:
    """A chart bar's width, status, colour, status label and value text (:func:`chart_layout`).

    ``length`` is the bar's length on the scale (``x_of(days) - label_width``; unused for a bar that never uploaded).
    """
    status = status if status in TONE_COLOURS else "unknown"
    # A server that never uploaded is not a 0-day bar: it gets a dashed outline across the plot and
    # the label "never" (issue 15 item 5); a 0-day bar stays a short solid bar labelled "0 d".
    never = days is None
    width = round(float(plot_width) if never else max(length, 2.0), 1)
    label = "never" if never else f"{days} d"
    value = f"{label} \u00b7 {CHECK_LABELS[status]}" + (" (clipped)" if days and days > scale else "")
    return width, status, TONE_COLOURS[status], CHECK_LABELS[status], value


def chart_layout(chart: Mapping[str, Any], *, label_width: int = 240, plot_width: int = 480,
                 value_width: int = 270, row_height: int = 26) -> dict:
    """Geometry of the horizontal bar chart of days since the last successful upload.

    The scale shows at least 1.5x the threshold so the 90-day line sits inside the plot, grows with
    the oldest upload up to 4x the threshold (longer bars are clipped and marked), and is rounded
    up to whole 30-day steps for readable ticks.
    """
    threshold = int(chart.get("threshold_days") or 90)
    bars_in = list(chart.get("bars") or [])
    known = [b["days"] for b in bars_in if isinstance(b.get("days"), int)]
    wanted = max([threshold * 1.5] + [min(d, threshold * 4) for d in known])
    step = 30 if threshold >= 30 else max(1, threshold // 3)
    scale = int(math.ceil(wanted / step) * step)
    top, bottom = 34, 30
    height = top + max(len(bars_in), 1) * row_height + bottom
    width = label_width + plot_width + value_width

    def x_of(days: float) -> float:
        return round(label_width + min(days, scale) / scale * plot_width, 1)

    bars = []
    value_x, text_dy, bar_height = label_width + plot_width + 8, row_height / 2 + 4, row_height - 10
    # What a bar shows besides its host and place depends on its days and status only: worked out once for each.
    shown: dict[tuple, tuple] = {}
    for index, entry in enumerate(bars_in):
        days, status = entry.get("days"), entry.get("status")
        key = (days, status)
        looks = shown.get(key) if days.__class__ in _CHART_DAYS and status.__class__ is str else None
        if looks is None:
            looks = _bar_looks(days, status, scale, plot_width, x_of(days) - label_width if days is not None else 0)
            if days.__class__ in _CHART_DAYS and status.__class__ is str:  # 1, 1.0 and True are one key, not one bar
                shown[key] = looks
        bar_width, status, colour, status_label, value = looks
        host = entry.get("host")
        host = host if host.__class__ is str and not needs_cleaning(host) else clean_text(host)
        y = top + index * row_height
        bars.append({
            "host": host,
            "label": host if len(host) <= 34 and "\n" not in host and "\r" not in host else _truncate(
                host.replace("\n", " ").replace("\r", " "), 34),
            "x": label_width, "y": y + 5, "width": bar_width, "height": bar_height,
            "text_y": y + text_dy, "colour": colour, "status": status, "never": days is None,
            "status_label": status_label, "value": value, "value_x": value_x,
        })
    ticks = [{"x": x_of(d), "label": str(d)} for d in range(0, scale + 1, step)]
    return {"width": width, "height": height, "top": top, "plot_bottom": height - bottom, "bars": bars,
            "ticks": ticks, "threshold": threshold, "threshold_x": x_of(threshold), "scale": scale,
            "label_width": label_width, "plot_width": plot_width}


# --------------------------------------------------------------------------- formats


class _ReportEnvironment(Environment):
    """The report's Jinja2 environment: ``s.host`` on a dict looks the key up first (the model is dicts).

    Jinja2 tries an attribute before an item; for the model's dicts an item is what is meant, and the
    attribute attempt was the largest single cost of rendering a large fleet.
    """

    def getattr(self, obj: Any, attribute: str) -> Any:
        if obj.__class__ is dict:
            try:
                return obj[attribute]
            except KeyError:
                pass
        return super().getattr(obj, attribute)


@functools.lru_cache(maxsize=2)
def _environment(html: bool) -> Environment:
    """Jinja2 environment: autoescaped for HTML, plain for Markdown (which escapes with ``md``).

    ``finalize`` cleans every value a template writes (:func:`clean_text`): text is cleaned as it is
    written, the model is never copied to clean it.
    """
    env = _ReportEnvironment(
        loader=FunctionLoader(lambda name: package_data.read_text(f"{TEMPLATES}/{name}")),
        autoescape=html,  # True for HTML; Markdown is not HTML and escapes every value with `md`
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        finalize=clean_output,
    )
    env.filters["md"] = md_escape
    env.filters["md_inline"] = functools.partial(md_escape, newline=" ")
    env.filters["human_bytes"] = human_bytes
    env.filters["clean"] = clean_text
    return env


class _Lookup(dict):
    """A table whose missing keys give the ``unknown`` entry (a status the report does not know)."""

    def __missing__(self, key: Any) -> Any:
        return self["unknown"]


def _badge(tone: str, text: str) -> Markup:
    return Markup('<span class="badge tone-{0}">{1} {2}</span>').format(tone, TONE_SYMBOLS[tone], text)


#: The HTML badges, built once: a server's status and a check's status (what the template's macros drew).
CHECK_BADGES = _Lookup({tone: _badge(tone, label) for tone, label in CHECK_LABELS.items()})
SERVER_BADGES = _Lookup({"compliant": _badge("pass", "Compliant"), "non_compliant": _badge("fail", "Non-compliant"),
                         "unknown": _badge("unknown", "Unknown")})
#: The servers table's "Reporting" badge, by whether the server reports.
REPORTING_BADGES = {True: _badge("pass", "yes"), False: _badge("fail", "no")}


def _context(shared: SharedModel) -> dict:
    model = shared.source
    return {
        "m": model,
        "views": shared.views,
        "chart": shared.chart,
        "symbols": TONE_SYMBOLS,
        "labels": CHECK_LABELS,
        "colours": TONE_COLOURS,
        "check_badges": CHECK_BADGES,
        "server_badges": SERVER_BADGES,
        "messages": model.get("messages") or [],
        "actions": model.get("actions") or [],
        "titles": {cid: entry.get("title") for cid, entry in (model.get("checks") or {}).items()},
        "week_items": shared.week,
        "reporting_yes": _badge("pass", "yes"),
        "reporting_no": _badge("fail", "no"),
    }


def _iter_template(shared: SharedModel, name: str, html: bool) -> Iterator[str]:
    """The template's output in pieces (Jinja2 ``generate``); the template is loaded before the first piece."""
    template = _environment(html).get_template(name)
    context = _context(shared)
    if not html:  # the per-server sections come from MdRows in large pieces, so few pieces are left to join
        context["md_rows"] = MdRows(context["titles"], context["messages"], context["actions"])
        return _joined(template.generate(**context))
    # HTML: the shared texts, cleaned and escaped once each (not once per server that shows them)
    context["messages"] = _Escaped(context["messages"])
    context["titles"] = {cid: _html_text(title) if isinstance(title, str) else title
                         for cid, title in context["titles"].items()}
    rows = HtmlRows(context["titles"], context["messages"])
    context["section"] = HtmlSections.marker
    return _gathered_html(template.generate(**context), HtmlSections(shared, context["week_items"], rows))


#: Template pieces joined into one: Jinja2 yields every literal and value on its own, and handing each of
#: those on by Python code cost a quarter of the HTML report's time; ``list(islice(...))`` and ``join`` do not.
_TEMPLATE_PIECES = 8192


def _batches(pieces: Iterator[str]) -> Iterator[list[str]]:
    while True:
        batch = list(itertools.islice(pieces, _TEMPLATE_PIECES))
        if not batch:
            return
        yield batch


#: Characters of Markdown joined into one piece before it is handed on (the writer streams the pieces).
_MD_PIECE = 1 << 18


def _joined(pieces: Iterator[Any]) -> Iterator[str]:
    """Template pieces joined until there are :data:`_MD_PIECE` characters or :data:`_TEMPLATE_PIECES` pieces."""
    batch: list[str] = []
    size = 0
    for piece in pieces:
        if len(piece) >= _MD_PIECE:  # already large (MdRows' rows): handed on as it is, not copied again
            if batch:
                yield "".join(batch)
                batch, size = [], 0
            yield piece
            continue
        batch.append(piece)
        size += len(piece)
        if size >= _MD_PIECE or len(batch) >= _TEMPLATE_PIECES:
            yield "".join(batch)
            batch, size = [], 0
    if batch:
        yield "".join(batch)


_CHECK_KEY = operator.itemgetter("id", "status", "message")  # what a check's row in "Details per server" shows
_TODO_KEY = operator.itemgetter("when", "action")  # what a to-do list's item shows
_MATRIX_CELL = Markup("<td>{0}</td>")


class HtmlRows:
    """The HTML rows every server repeats, built once per distinct content (issue 18 item 3).

    A check's row in "Details per server" and a server's cells in the checks matrix are the same for
    many servers (shared titles, statuses and messages); the template wrote and escaped each value of
    each of them again. Values are written as the template writes them: cleaned (``clean_output``),
    then HTML-escaped.
    """

    def __init__(self, titles: Mapping[Any, Any], messages: _Escaped) -> None:
        self._titles, self._messages = titles, messages
        self._rows = _Built(self._detail_row)
        #: A check's row in "Details per server" by its (id, status, message): built on first use.
        self.detail_row = self._rows.__getitem__
        self._cells: dict[tuple, Markup] = {}

    def details(self, checks: Iterable[Mapping[str, Any]], out: list[str]) -> None:
        """``<tr>`` + newline per check, added to ``out``: its title, its result badge, its finding (HTML, escaped)."""
        out += map(self.detail_row, map(_CHECK_KEY, checks))

    def _detail_row(self, key: tuple) -> str:
        check_id, status, message = key
        return (f'<tr><td>{_html(self._titles[check_id])}</td><td>{CHECK_BADGES[status]}</td>'
                f'<td class="text">{_html(self._messages[message])}</td></tr>\n')

    def matrix(self, cells: list) -> Markup:
        """A server's ``<td>`` badge per check of the checks matrix."""
        key = tuple(cells)
        row = self._cells.get(key)
        if row is None:
            row = self._cells[key] = Markup("").join(_MATRIX_CELL.format(CHECK_BADGES[cell]) for cell in cells)
        return row


class _Written:
    """Markdown text :class:`MdRows` wrote, every value in it already cleaned and escaped.

    Not a ``str``: the template's ``finalize`` (:func:`clean_output`) passes it as it is, and Jinja2's
    ``str()`` gives back the text without copying it (a large fleet's rows are tens of megabytes).
    """

    __slots__ = ("text",)

    def __init__(self, text: str) -> None:
        self.text = text

    def __str__(self) -> str:
        return self.text


def _md(value: Any) -> str:
    """:func:`md_escape` (a table cell), with the text path taken directly."""
    return _md_text(value, "<br>") if value.__class__ is str else md_escape(value)


def _md_inline(value: Any) -> str:
    """:func:`md_escape` for a heading or list item (newlines become spaces)."""
    return _md_text(value, " ") if value.__class__ is str else md_escape(value, newline=" ")


#: The characters :func:`md_escape` changes (cleaned, ``& < >``, Markdown's specials, line breaks): a text with
#: none of them is its own escape, found by one search instead of the escaping's passes.
_MD_WORK = re.compile(_NEEDS_CLEANING.pattern[:-1] + "&<>\\\\`*_\\[\\]|#~\r\n\u2028\u2029]")


def _md_cell(text: str) -> str:
    """:func:`_md` of a ``str``: the text itself when there is nothing to escape."""
    return text if _MD_WORK.search(text) is None else _md_text(text, "<br>")


def _md_line(text: str) -> str:
    """:func:`_md_inline` of a ``str``: the text itself when there is nothing to escape."""
    return text if _MD_WORK.search(text) is None else _md_text(text, " ")


class _Texts(dict):
    """Texts written in one report, each escaped once (by ``build``): a server's host is in five sections.

    Only ``str`` keys are kept; other values are escaped each time they are written (``1`` and ``True`` are
    equal keys but not the same text). Look up ``str`` values only where a value may be unhashable.
    """

    def __init__(self, build: Callable[[str], str], other: Callable[[Any], str]) -> None:
        super().__init__()
        self._build, self._other = build, other

    def __missing__(self, key: Any) -> str:
        if key.__class__ is not str:
            return self._other(key)
        text = self[key] = self._build(key)
        return text


def _written(value: Any) -> str:
    """What the template writes for ``{{ value }}`` (cleaned by ``finalize``, then ``str``)."""
    return str(value) if value.__class__ is int else str(clean_output(value))


_YES_NO = {True: "yes", False: "no"}
_MD_TODO_KEY = operator.itemgetter("order", "when", "action")  # what a Markdown to-do item shows


class _Built(dict):
    """A cache of texts: a missing key's text is built (by ``build``) and kept."""

    def __init__(self, build: Callable[[Any], str]) -> None:
        super().__init__()
        self._build = build

    def __missing__(self, key: Any) -> str:
        text = self[key] = self._build(key)
        return text


class MdRows:
    """The Markdown rows of the per-server sections, written in Python (issue 18 item 3).

    The template keeps the document's structure; the sections that repeat for every server (the week's
    actions, to-do lists, licensing rows, servers table, checks matrix, details per server) come from
    here as pieces of about :data:`_ROWS_PER_PIECE` servers. Every value is written as the template
    wrote it: through ``md``/``md_inline`` (:func:`md_escape`), or, for the values the template wrote
    bare, cleaned (:func:`clean_output`). The shared texts (check titles, messages, actions) are escaped
    once each, and rows whose content is shared (a check's row in the details, a server's matrix cells,
    a to-do item) are built once per distinct content.
    """

    def __init__(self, titles: Mapping[Any, Any], messages: Any, actions: Any) -> None:
        self._title = _Built(lambda check_id: _md(titles[check_id]))
        self._message = _Built(lambda index: _md(messages[index]))
        self._action = _Built(lambda index: _md_inline(actions[index]))
        self._details = _Built(self._detail_row)
        self._todo = _Built(self._todo_row)
        self._cells = _Built(self._matrix_cells)
        self._cell = _Texts(_md_cell, md_escape)  # every text of this report, escaped once each
        self._line = _Texts(_md_line, functools.partial(md_escape, newline=" "))

    @staticmethod
    def _pieces(rows: Iterator[str]) -> Iterator[_Written]:
        """``rows`` (one text per server) joined into pieces of :data:`_ROWS_PER_PIECE` servers."""
        while True:
            batch = list(itertools.islice(rows, _ROWS_PER_PIECE))
            if not batch:
                return
            yield _Written("".join(batch))

    @staticmethod
    def _pieces_of_parts(parts: Iterator[list[str]]) -> Iterator[_Written]:
        """``parts`` (a list of texts per server) joined into pieces of :data:`_ROWS_PER_PIECE` servers."""
        while True:
            batch = list(itertools.islice(parts, _ROWS_PER_PIECE))
            if not batch:
                return
            yield _Written("".join(itertools.chain.from_iterable(batch)))

    def _heading(self, server: Mapping[str, Any]) -> str:
        line, host, label = self._line, server["host"], server["status_label"]
        return (f"\n### {line[host] if host.__class__ is str else _md_inline(host)} \u2014 "
                f"{line[label] if label.__class__ is str else _md_inline(label)}\n\n")

    def week(self, items: Iterable[Mapping[str, Any]]) -> Iterator[_Written]:
        """The rows of "What to do this week"."""
        return self._pieces(map(self._week_one, items))

    def _week_one(self, t: Mapping[str, Any]) -> str:
        cell, when, host, action = self._cell, t["when"], t["host"] or "fleet", t["action"]
        return (f"| {TONE_SYMBOLS.get(t['severity'], '')} {cell[when] if when.__class__ is str else _md(when)} "
                f"| {cell[host] if host.__class__ is str else _md(host)} "
                f"| {cell[action] if action.__class__ is str else _md(action)} |\n")

    def todo(self, servers: Iterable[Mapping[str, Any]]) -> Iterator[_Written]:
        """Each server's heading and numbered to-do list ("To-do list per server")."""
        return self._pieces_of_parts(self._todo_one(server) for server in servers)

    def _todo_one(self, server: Mapping[str, Any]) -> list[str]:
        todo = server["todo"]
        if not todo:
            return [self._heading(server), "Nothing to do: every check passes.\n"]
        return [self._heading(server), *map(self._todo.__getitem__, map(_MD_TODO_KEY, todo))]

    def _todo_row(self, key: tuple) -> str:
        return f"{_written(key[0])}. **{_md_inline(key[1])}:** {self._action[key[2]]}\n"

    def licensing(self, views: Iterable[Mapping[str, Any]]) -> Iterator[_Written]:
        """The per-server rows of "Licensing technology"."""
        return self._pieces(self._licensing_one(view["l"]) for view in views)

    def _licensing_one(self, row: Mapping[str, Any]) -> str:
        cell, build = self._cell, row["build"]
        host, technology, mode = row["host"], row["technology_label"], row["mode"] or ""
        contact, offline, source = row["last_contact"] or "", row["offline_activation"] or "", row["state_source"]
        label, situation, source = row["status_label"], row["situation"], source or "not given"
        build = build if build is not None else "unknown"
        return (f"| {cell[host] if host.__class__ is str else _md(host)} "
                f"| {cell[technology] if technology.__class__ is str else _md(technology)} "
                f"| {cell[build] if build.__class__ is str else _md(build)} "
                f"({_YES_NO.get(row['capable_online'], '?')} / {_YES_NO.get(row['capable_offline'], '?')}) "
                f"| {cell[mode] if mode.__class__ is str else _md(mode)} "
                f"| {cell[contact] if contact.__class__ is str else _md(contact)} "
                f"| {cell[offline] if offline.__class__ is str else _md(offline)} "
                f"| {cell[source] if source.__class__ is str else _md(source)} "
                f"| {TONE_SYMBOLS.get(row['status'], '?')} {cell[label] if label.__class__ is str else _md(label)} "
                f"| {cell[situation] if situation.__class__ is str else _md(situation)} |\n")

    def servers(self, views: Iterable[Mapping[str, Any]]) -> Iterator[_Written]:
        """The rows of the "Servers" table."""
        return self._pieces(self._server_one(view["s"], view["f"]) for view in views)

    def _server_one(self, server: Mapping[str, Any], facts: Mapping[str, Any]) -> str:
        cell, deadline, attempt_time = self._cell, facts["upgrade_deadline"], facts["last_attempt_time"]
        host, label, version = server["host"], server["status_label"], facts["version"] or "unknown"
        window, mode = facts["window_status"] or "unknown", facts["reporting_mode"] or "unknown"
        attempt, success = facts["last_attempt_status"] or "unknown", facts["last_success_time"] or "none on record"
        days, pending = facts["days_since_success"], facts["pending_count"]
        if deadline:
            deadline = f" (deadline {cell[deadline] if deadline.__class__ is str else _md(deadline)})"
        if attempt_time:
            attempt_time = " " + (cell[attempt_time] if attempt_time.__class__ is str else _md(attempt_time))
        return (f"| {cell[host] if host.__class__ is str else _md(host)} "
                f"| {TONE_SYMBOLS[server['tone']]} {cell[label] if label.__class__ is str else _md(label)} "
                f"| {'yes' if server['reporting'] else 'no'} "
                f"| {cell[version] if version.__class__ is str else _md(version)} "
                f"| {cell[window] if window.__class__ is str else _md(window)}{deadline or ''} "
                f"| {cell[mode] if mode.__class__ is str else _md(mode)} "
                f"| {cell[attempt] if attempt.__class__ is str else _md(attempt)}{attempt_time or ''} "
                f"| {cell[success] if success.__class__ is str else _md(success)} "
                f"| {days if days.__class__ is int else _md(days)} "
                f"| {pending if pending.__class__ is int else _md(pending)} "
                f"| {_written(facts['expired_lines'])} / {_written(facts['inactive_lines'])} |\n")

    def matrix(self, views: Iterable[Mapping[str, Any]]) -> Iterator[_Written]:
        """The rows of the "Checks matrix": each server's host, then a symbol and label per check."""
        cells, cell = self._cells, self._cell
        return self._pieces(f"| {cell[host] if (host := view['s']['host']).__class__ is str else _md(host)} "
                            f"|{cells[tuple(view['cells'])]}\n" for view in views)

    @staticmethod
    def _matrix_cells(key: tuple) -> str:
        return "".join(f" {TONE_SYMBOLS.get(cell, '?')} "
                       f"{CHECK_LABELS.get(cell, 'UNKNOWN')} |" for cell in key)

    def details(self, servers: Iterable[Mapping[str, Any]]) -> Iterator[_Written]:
        """"Details per server": each server's heading and its table of checks."""
        return self._pieces_of_parts(self._details_one(server) for server in servers)

    def _details_one(self, server: Mapping[str, Any]) -> list[str]:
        return [self._heading(server), "| Check | Result | Finding and what to do |\n|---|---|---|\n",
                *map(self._details.__getitem__, map(_CHECK_KEY, server["checks"]))]

    def _detail_row(self, key: tuple) -> str:
        check_id, status, message = key
        return (f"| {self._title[check_id]} | {TONE_SYMBOLS.get(status, '?')} "
                f"{_md(CHECK_LABELS.get(status, status))} | {self._message[message]} |\n")


class _Escaped:
    """A shared list of texts (messages, actions) whose items come out cleaned and HTML-escaped."""

    def __init__(self, texts: Any) -> None:
        self._texts = texts

    def __getitem__(self, index: Any) -> Any:
        text = self._texts[index]
        return _html_text(text) if text.__class__ is str else text


#: A character :func:`_html` has to clean (:func:`clean_text`) or HTML-escape; a text without one is written as it is.
_HTML_WORK = re.compile(_NEEDS_CLEANING.pattern[:-1] + "&<>'\"]")


def _html(value: Any) -> str:
    """What ``{{ value }}`` writes in the HTML template (``clean_output``, then HTML-escaped): for per-server texts.

    Text is escaped as ``markupsafe.escape`` escapes it (``& > < ' "``), without making a ``Markup`` of it.
    """
    if value.__class__ is str:
        if _HTML_WORK.search(value) is None:
            return value
        if _NEEDS_CLEANING.search(value):
            value = clean_text(value)
        return (value.replace("&", "&amp;").replace(">", "&gt;").replace("<", "&lt;").replace("'", "&#39;")
                .replace('"', "&#34;"))
    if value.__class__ is int:
        return str(value)
    return escape(clean_output(value))


def _html_shared(value: Any) -> str:
    """:func:`_html` of a text many servers show (a status, a date, a shared message): cleaned and escaped once."""
    return _html_text(value) if value.__class__ is str else _html(value)


#: Servers per piece of a section :class:`HtmlSections` writes.
_SECTION_SERVERS = 256
_DETAILS_HEAD = ('<table>\n<thead><tr><th scope="col">Check</th><th scope="col">Result</th><th scope="col">'
                 'Finding and what to do</th></tr></thead>\n<tbody>\n')


class _TodoItems(dict):
    """A to-do list's items as HTML by (when, action index), each written on first use."""

    def __init__(self, actions: Any) -> None:
        super().__init__()
        self._actions = actions

    def __missing__(self, key: tuple) -> str:
        when, action = key
        text = (f'<li class="text"><span class="when">{_html_shared(when)}:</span> '
                f'{_html_shared(self._actions[action])}</li>\n')
        if when.__class__ is str:  # 1, 1.0 and True are one key, but not one text
            self[key] = text
        return text


class HtmlSections:
    """The HTML report's per-server sections, written in Python (issue 18 item 3).

    The template keeps the document's structure and marks where each section goes (``section(name)``);
    the rows a large fleet repeats for every server (week actions, to-do lists, chart bars, licensing
    rows, servers table, checks matrix, details per server) are written here, in pieces of
    :data:`_SECTION_SERVERS` servers, as the template wrote them: every value cleaned
    (:func:`clean_output`) and HTML-escaped (:func:`_html`; :func:`_html_shared` for texts shared by many
    servers), the badges are the prebuilt ``CHECK_BADGES`` / ``SERVER_BADGES``. The pieces go to the
    report as they are (:func:`_gathered_html`), not through Jinja2 again.
    """

    NAMES = ("week", "todo", "chart", "licensing", "servers", "matrix", "details")
    #: What the template writes for ``section(name)``: text no template value can be (values are cleaned of NUL).
    MARKERS = {name: Markup(f"\x00{name}\x00") for name in NAMES}  # noqa: S704 - constant text
    SECTION_OF: dict[str, str] = {marker: name for name, marker in MARKERS.items()}

    def __init__(self, shared: SharedModel, week: Mapping[str, Any], rows: HtmlRows) -> None:
        self._shared, self._week, self._rows = shared, week, rows
        #: Texts many servers show (statuses, dates, shared messages), cleaned and escaped once per render.
        self._shared_text = _Built(_html)

    @classmethod
    def marker(cls, name: str) -> Markup:
        """The template's placeholder for the section ``name`` (one of :attr:`NAMES`)."""
        return cls.MARKERS[name]

    @functools.cached_property
    def _hosts(self) -> list[str]:
        """Each server's host, cleaned and escaped once per render (in report order): every section shows it."""
        return [_html(server["host"]) for server in self._shared.source["servers"]]

    @functools.cached_property
    def _host_of(self) -> dict[str, str]:
        """Escaped host by host text (the week's items name their server by host)."""
        return {server["host"]: host for server, host in zip(self._shared.source["servers"], self._hosts, strict=True)
                if server["host"].__class__ is str and server["host"]}

    @functools.cached_property
    def _bar_hosts(self) -> list[str]:
        """Each chart bar's host (its server's host as text, cleaned: :func:`chart_layout`), escaped."""
        return [host if server["host"].__class__ is str else _html(clean_text(server["host"]))
                for server, host in zip(self._shared.source["servers"], self._hosts, strict=True)]

    def pieces(self, marker: str) -> Iterator[str]:
        """The section a marker stands for, in pieces of :data:`_SECTION_SERVERS` entries (week items, bars, hosts)."""
        name = self.SECTION_OF[marker]
        if name == "week":
            items = self._week["items"]
        elif name == "chart":
            items = self._shared.chart["bars"]
        elif name in ("licensing", "servers", "matrix"):
            items = self._shared.views
        else:
            items = self._shared.source["servers"]
        write = getattr(self, f"_write_{name}")
        entries = iter(items)
        for start in itertools.count(0, _SECTION_SERVERS):
            batch = list(itertools.islice(entries, _SECTION_SERVERS))
            if not batch:
                return
            out: list[str] = []
            write(out, start, batch)
            yield "".join(out)

    def _text(self, value: Any) -> str:
        """:func:`_html` of a text many servers show, remembered for this render (other values escaped each time)."""
        return self._shared_text[value] if value.__class__ is str else _html(value)

    @functools.cached_property
    def _week_parts(self) -> tuple[dict, dict]:
        return {}, {}

    def _write_week(self, out: list, start: int, batch: list) -> None:
        """Rows of "What to do this week" (a row's start is written once per distinct (severity, when))."""
        heads, tails = self._week_parts
        host_of = self._host_of
        for t in batch:
            severity, when, action, host = t["severity"], t["when"], t["action"], t["host"]
            head = heads.get((severity, when)) if when.__class__ is str and severity.__class__ is str else None
            if head is None:
                head = (f'<tr><td><span class="when">{CHECK_BADGES[severity]} {_html_shared(when)}</span></td>'
                        '<td class="text host">')
                if when.__class__ is str and severity.__class__ is str:
                    heads[severity, when] = head
            tail = tails.get(action) if action.__class__ is str else None
            if tail is None:
                tail = f'</td><td class="text">{_html_shared(action)}</td></tr>\n'
                if action.__class__ is str:
                    tails[action] = tail
            escaped = host_of.get(host) if host.__class__ is str else None
            out.append(f"{head}{_html(host or 'fleet') if escaped is None else escaped}{tail}")

    @functools.cached_property
    def _label_x(self) -> Any:
        return self._shared.chart["label_width"] - 8

    @functools.cached_property
    def _todo_items(self) -> _TodoItems:
        return _TodoItems(self._shared.source.get("actions") or [])

    def _write_todo(self, out: list, start: int, batch: list) -> None:
        """Each server's heading and to-do list (an item is written once per distinct (when, action))."""
        hosts = self._hosts
        item = self._todo_items.__getitem__
        for number, s in enumerate(batch, start + 1):
            todo = s["todo"]
            if not todo:
                out.append(f'<h3 class="text">{hosts[number - 1]} {SERVER_BADGES[s["status"]]}</h3>\n'
                           "<p>Nothing to do: every check passes.</p>\n")
                continue
            out.append(f'<h3 class="text">{hosts[number - 1]} {SERVER_BADGES[s["status"]]}</h3>\n'
                       '<ol class="todo">\n')
            out += map(item, map(_TODO_KEY, todo))
            out.append("</ol>\n")

    def _write_chart(self, out: list, start: int, batch: list) -> None:
        """Bars of the chart (the geometry is numbers :func:`chart_layout` computed, the colours its own)."""
        hosts = self._bar_hosts
        text = self._text
        label_x = self._label_x
        for number, b in enumerate(batch, start + 1):
            value = text(b["value"])
            host, label = b["host"], b["label"]
            escaped = hosts[number - 1]
            text_y, colour = b["text_y"], b["colour"]
            if b["never"]:
                rect = (f'<rect class="never" x="{b["x"]}" y="{b["y"]}" width="{b["width"]}" height="{b["height"]}" '
                        f'fill="none" stroke="{colour}" stroke-width="1.5" stroke-dasharray="5 4" rx="2"/>\n'
                        f'<text x="{b["x"] + 8}" y="{text_y}" font-style="italic" fill="{colour}">'
                        "never uploaded</text>\n")
            else:
                rect = (f'<rect x="{b["x"]}" y="{b["y"]}" width="{b["width"]}" height="{b["height"]}" '
                        f'fill="{colour}" rx="2"/>\n')
            out.append(f'<g>\n<title>{escaped}: {value}</title>\n<text x="{label_x}" y="{text_y}" '
                       f'text-anchor="end">{escaped if label is host else _html(label)}</text>\n{rect}'
                       f'<text x="{b["value_x"]}" y="{text_y}">{value}</text>\n</g>\n')

    def _write_licensing(self, out: list, start: int, batch: list) -> None:
        """Each server's licensing technology row."""
        hosts, text = self._hosts, self._text
        for number, v in enumerate(batch, start + 1):
            lic = v["l"]
            build = lic["build"]
            contact, offline = lic["last_contact"], lic["offline_activation"]
            out.append(f'<tr><td class="text">{hosts[number - 1]}</td>'
                       f'<td class="text">{text(lic["technology_label"])}</td>'
                       '<td class="text">'
                       f'{build if build.__class__ is int else "unknown" if build is None else _html(build)} '
                       f'({_YES_NO.get(lic["capable_online"], "?")} / {_YES_NO.get(lic["capable_offline"], "?")})</td>'
                       f'<td class="text">{text(lic["mode"] or "")}</td>'
                       f'<td class="text">{_html(contact) if contact else ""}</td>'
                       f'<td class="text">{_html(offline) if offline else ""}</td><td class="text">'
                       f'{text(lic["state_source"] or "not given")}</td><td>{CHECK_BADGES[lic["status"]]}</td>'
                       f'<td class="text">{text(lic["situation"])}</td></tr>\n')

    @functools.cached_property
    def _server_middles(self) -> dict[tuple, str]:
        return {}

    def _write_servers(self, out: list, start: int, batch: list) -> None:
        """Rows of the servers table (facts per server; the host links to its details).

        The cells from the status to the last attempt's result show values many servers share: written once per
        distinct set of them (remembered when they are all text, as a text never equals a number or a flag).
        """
        hosts, text, middles = self._hosts, self._text, self._server_middles
        for number, v in enumerate(batch, start + 1):
            s, f = v["s"], v["f"]
            host, hostname = s["host"], s["hostname"]
            attempt_status, attempt_time, code = (f["last_attempt_status"], f["last_attempt_time"],
                                                  f["last_attempt_code"])
            key = (s["status"], bool(s["reporting"]), f["version"], f["window_status"], f["upgrade_deadline"],
                   f["reporting_mode"], attempt_status)
            try:
                middle = middles.get(key)
            except TypeError:  # a value that is not text (and cannot be a key): written as it is, not remembered
                middle = None
            if middle is None:
                status, reporting, version, window, deadline, mode = key[:6]
                middle = (f'</td>\n<td>{SERVER_BADGES[status]}</td>\n<td>{REPORTING_BADGES[reporting]}'
                          f'</td>\n<td class="text">{text(version or "unknown")}</td>\n<td class="text">'
                          f'{text(window or "unknown")}'
                          f'{f"<br><small>deadline {text(deadline)}</small>" if deadline else ""}'
                          f'</td>\n<td class="text">{text(mode or "unknown")}</td>\n'
                          f'<td class="text">{text(attempt_status or "unknown")}')
                if status.__class__ is str and all(value is None or value.__class__ is str for value in key[2:]):
                    middles[key] = middle
            if f["last_success_time"]:
                days = f["days_since_success"]
                success = (f'{days if days.__class__ is int else _html(days)} day{"" if days == 1 else "s"}'
                           f' ago<br><small>'
                           f'{_html(f["last_success_time"])} ({text(f["last_success_source"])})</small>')
            else:
                success = "none on record"
            pending, pending_bytes = f["pending_count"], f["pending_bytes"]
            expired, inactive = f["expired_lines"], f["inactive_lines"]  # whole numbers are written as they are
            out.append(
                f'<tr>\n<td class="text"><a href="#server-{number}">{hosts[number - 1]}</a>'
                f'{f"<br><small>LS name: {_html(hostname)}</small>" if hostname and hostname != host else ""}{middle}'
                f'{f"<br><small>{_html(attempt_time)}</small>" if attempt_time else ""}'
                f'{f"<br><small>{text(code)}</small>" if code and attempt_status != "success" else ""}'
                f'</td>\n<td class="text">{success}'
                f'</td>\n<td class="num">'
                f'{pending if pending.__class__ is int else "" if pending is None else _html(pending)}'
                f'{f"<br><small>{_html(human_bytes(pending_bytes))}</small>" if pending_bytes else ""}'
                f'</td>\n<td class="num">{expired if expired.__class__ is int else _html(expired)} / '
                f'{inactive if inactive.__class__ is int else _html(inactive)}'
                '</td>\n</tr>\n')

    def _write_matrix(self, out: list, start: int, batch: list) -> None:
        """Rows of the checks matrix: the host, then its badge per check."""
        hosts = self._hosts
        matrix = self._rows.matrix
        for number, v in enumerate(batch, start + 1):
            out.append(f'<tr><td class="text">{hosts[number - 1]}</td>{matrix(v["cells"])}</tr>\n')

    def _write_details(self, out: list, start: int, batch: list) -> None:
        """"Details per server": each server's heading and the table of its checks (rows: :meth:`HtmlRows.details`)."""
        hosts = self._hosts
        row = self._rows.detail_row
        for number, s in enumerate(batch, start + 1):
            out.append(f'<h3 id="server-{number}" class="text">{hosts[number - 1]} {SERVER_BADGES[s["status"]]}'
                       f"</h3>\n{_DETAILS_HEAD}")
            out += map(row, map(_CHECK_KEY, s["checks"]))
            out.append("</tbody>\n</table>\n")


def _gathered_html(pieces: Iterator[str], sections: HtmlSections) -> Iterator[str]:
    """The HTML template's pieces joined in batches (:func:`_batches`), each section's marker replaced by the
    section's pieces."""
    markers = HtmlSections.SECTION_OF
    for batch in _batches(pieces):
        if markers.keys().isdisjoint(batch):
            yield "".join(batch)
            continue
        start = 0
        for index, piece in enumerate(batch):
            if piece in markers:
                if index > start:
                    yield "".join(batch[start:index])
                yield from sections.pieces(piece)
                start = index + 1
        if start < len(batch):
            yield "".join(batch[start:])


def _sorted_keys(value: Any) -> Any:
    """``value`` with every mapping's keys in sorted order (what ``sort_keys=True`` gives)."""
    if isinstance(value, Mapping):
        return {k: _sorted_keys(value[k]) for k in sorted(value, key=str)}
    if isinstance(value, (list, tuple)):
        return [_sorted_keys(v) for v in value]
    return value


def _json_default(value: Any) -> Any:
    """What ``json`` cannot write by itself, as ``report_model.jsonable`` writes it (times, dates, sets)."""
    if isinstance(value, (set, frozenset)):
        return sorted(value, key=str)
    return jsonable(value)


#: Characters of the JSON text handed out at a time (slices, so the text is not copied whole again).
_JSON_PIECE = 1 << 20


def _iter_json(model: Mapping[str, Any], indent: int | None = None) -> Iterator[str]:
    # Keys sorted as always, except that the overall verdict leads the file (issue 15 item 4): the first
    # thing a person or a pipeline reads agrees with the per-server results. Compact by default: the C
    # encoder writes it (an indent makes json use its pure-Python encoder, several times slower).
    # ASCII only: every other character is a \uXXXX escape, lossless for a JSON reader. So a lone
    # surrogate (which UTF-8 cannot encode) can never stop the report from being written, and bidi and
    # zero-width characters are visible to a person reading the file (issue 14 item 8). It is also the
    # encoder's fastest path, and the file needs no pass of its own to find those characters.
    start = 0
    if indent:
        ordered = _sorted_keys(model)
        if isinstance(ordered, dict) and "verdict" in ordered:
            ordered = {"verdict": ordered.pop("verdict"), **ordered}
        text = json.dumps(ordered, indent=indent, ensure_ascii=True, default=_json_default)
    else:
        options: dict[str, Any] = {"sort_keys": True, "ensure_ascii": True, "separators": (",", ":"),
                                   "default": _json_default}
        rest = {k: v for k, v in model.items() if k != "verdict"}
        text = json.dumps(rest, **options)
        if "verdict" in model:
            # The verdict goes first, then the rest without its opening brace (from ``start``, not copied).
            head = '{"verdict":' + json.dumps(model["verdict"], **options)
            if text == "{}":
                text = head + "}"
            else:
                yield head + ","
                start = 1
    for offset in range(start, len(text), _JSON_PIECE):
        yield text[offset:offset + _JSON_PIECE]
    yield "\n"


_SERVER_CSV = ("kind", "host", "hostname", "status", "reporting", "fleet_status")
#: A server row's columns taken from its facts (their own names).
_FACT_CSV = (
    "version", "window_status", "upgrade_deadline", "latest_release", "reporting_mode", "last_attempt_status",
    "last_attempt_time", "last_attempt_code", "last_attempt_message", "last_success_time", "last_success_source",
    "days_since_success", "upload_deadline", "pending_count", "pending_bytes", "expired_lines", "inactive_lines",
    "expiring_lines",
)
_CHECK_CSV = ("failed_checks", "warned_checks", "unknown_checks")
_LICENSING_CSV = {"licensing_technology": "technology", "las_capable_online": "capable_online",
                  "las_capable_offline": "capable_offline", "las_mode": "mode", "las_last_contact": "last_contact",
                  "las_offline_activation": "offline_activation", "las_state_source": "state_source"}
_TODO_CSV = ("todo_order", "todo_action", "todo_deadline", "todo_when")
CSV_COLUMNS = (*_SERVER_CSV, *_FACT_CSV, *_CHECK_CSV, *_LICENSING_CSV, *_TODO_CSV)


#: Rows of CSV (suites of JUnit, servers of a Markdown section) written into one piece of a streamed report.
_ROWS_PER_PIECE = 500
#: Distinct texts (and summaries) the CSV renderer remembers before it starts over: its memory stays bounded.
_CSV_MEMO = 8192


def _csv_quoted(text: str) -> str:
    """``text`` as one cell of ``csv.writer`` (excel dialect): in quotes, quotes doubled, if it must be.

    The writer quotes a cell holding the delimiter, the quote character or a line break (``\\r`` or ``\\n``);
    ``in`` finds each of them faster than a regular expression.
    """
    if "," in text or '"' in text or "\n" in text or "\r" in text:
        return '"' + text.replace('"', '""') + '"'
    return text


def _csv_text(text: str) -> str:
    """``csv_cell(text)`` of a text as ``csv.writer`` writes it: cleaned, neutralised, quoted if it must be."""
    if needs_cleaning(text):
        text = clean_text(text)
    if text.startswith(_CSV_TRIGGERS):
        text = "'" + text
    return _csv_quoted(text)


def _csv_field(value: Any) -> str:
    """``csv_cell(value)`` of any value as ``csv.writer`` writes it (a float as its ``repr``, like the writer)."""
    kind = value.__class__
    if kind is str:
        return _csv_text(value)
    if kind is bool:  # (the common kinds first, as csv_cell gives them)
        return "true" if value else "false"
    if kind is int:
        return str(value)
    cell = csv_cell(value)
    if isinstance(cell, str):
        return _csv_quoted(cell)
    return repr(cell) if isinstance(cell, float) else str(cell)


class _CsvTexts(dict):
    """Texts to their CSV cells (:func:`_csv_text`), each worked out once: a report repeats its shared texts."""

    def __missing__(self, text: str) -> str:
        if len(self) >= _CSV_MEMO:
            self.clear()
        cell = self[text] = _csv_text(text)
        return cell


def _csv_layout(columns: list, fixed: Mapping[str, str], slots: tuple) -> str:
    """A ``%`` format of one row kind: its ``fixed`` cells written, ``slots`` as ``%s`` (column order), others empty."""
    return ",".join("%s" if c in slots else fixed.get(c, "").replace("%", "%%") for c in columns) + "\r\n"


def _iter_csv(shared: SharedModel) -> Iterator[str]:
    """The CSV report in pieces of about :data:`_ROWS_PER_PIECE` rows.

    The text is what ``csv.writer`` (excel dialect, ``\\r\\n``) writes for rows of ``csv_cell`` values, byte
    for byte, without building each row as a list of cells: a row kind's empty and constant cells are laid
    out once (:func:`_csv_layout`), and a text many rows share (a status, an action, a server's check
    statuses, its summary of findings) is cleaned, neutralised and quoted once (:class:`_CsvTexts`).
    """
    model = shared.source
    check_ids = list(model["meta"]["check_ids"])
    messages, actions = model.get("messages") or [], model.get("actions") or []
    columns = [*CSV_COLUMNS, *(f"check_{c}" for c in check_ids), "summary"]
    texts = _CsvTexts()

    def cell(value: Any) -> str:
        return texts[value] if value.__class__ is str else _csv_field(value)  # (a number: csv_cell, as written)

    lines = [",".join(_csv_quoted(c) for c in columns) + "\r\n"]  # the header (names, not neutralised)
    rows = 0

    def joined(values: Iterable[Any]) -> str:
        return ",".join([texts[v] if (kind := v.__class__) is str else "" if v is None else str(v) if kind is int
                         else _csv_field(v) for v in values])

    def piece() -> str:
        text = "".join(lines)
        lines.clear()
        return text
    fleet_status = model["fleet"]["status"]
    fleet_cell = cell(fleet_status)
    # A server row, in the groups of CSV_COLUMNS: kind, host, hostname, status, reporting, fleet status, facts,
    # failed/warned/unknown checks, licensing, to-do facts, then the check statuses and the summary.
    server_row = "server" + ",%s" * 11 + "\r\n"
    by_checks: dict[tuple, tuple[str, str]] = {}  # a server's (id, status) per check -> its check columns
    summaries: dict[tuple, str] = {}  # its (id, message) per failed or warned check -> its summary cell
    pairs = operator.itemgetter("id", "status")
    todo_head = _csv_layout(columns[:3], {"kind": "todo"}, ("host", "hostname"))[:-2] + ","
    todo_heads: dict[int, str] = {}  # id of a server with a to-do list -> its to-do rows' host columns
    licensing_keys = tuple(_LICENSING_CSV.values())
    for view in shared.views:
        server, facts, licensing = view["s"], view["f"], view["l"]
        checks = server["checks"]
        key = tuple(map(pairs, checks))
        by_check = by_checks.get(key)
        if by_check is None:
            if len(by_checks) >= _CSV_MEMO:
                by_checks.clear()
            statuses = dict(key)
            listed = ",".join(cell(" ".join(c for c, s in key if s == tone)) for tone in ("fail", "warn", "unknown"))
            by_check = by_checks[key] = (listed, ",".join(cell(statuses.get(c)) for c in check_ids))
        found = tuple([(c["id"], c["message"]) for c in checks if c["status"] in ("fail", "warn")])
        summary = summaries.get(found)
        if summary is None:
            if len(summaries) >= _CSV_MEMO:
                summaries.clear()
            summary = summaries[found] = cell(" | ".join(f"{c}: {messages[m]}" for c, m in found))
        # As the row's dict was: a fact named like a column fills it, except the checks' and licensing columns.
        own = cell(facts["fleet_status"]) if "fleet_status" in facts else fleet_cell
        host, hostname = _csv_field(server["host"]), _csv_field(server["hostname"])
        if server.get("todo"):
            todo_heads[id(server)] = todo_head % (host, hostname)
        lines.append(server_row % (
            host, hostname, cell(server["status"]), cell(server["reporting"]), own,
            joined(map(facts.get, _FACT_CSV)), by_check[0],
            joined(map(licensing.get, licensing_keys)), joined(map(facts.get, _TODO_CSV)), by_check[1], summary))
        rows += 1
        if rows % _ROWS_PER_PIECE == 0:
            yield piece()
    # One row per action of each server's to-do list (kind "todo"), in the list's order (issue 15 item 10).
    # A to-do row is its server's host columns, then what follows them: the same for every server with that
    # to-do item (its severity, order, action, deadline, when, check), written once each.
    todo_tail = _csv_layout(columns[3:], {"fleet_status": fleet_cell}, ("status", *_TODO_CSV, "summary"))
    tails: dict[tuple, str] = {}
    todo_key = operator.itemgetter("severity", "order", "action", "deadline", "when", "check")
    for server in model["servers"]:
        todo = server.get("todo")
        if not todo:
            continue
        head = todo_heads.get(id(server)) or todo_head % (_csv_field(server["host"]), _csv_field(server["hostname"]))
        for item in todo:
            key = todo_key(item)
            tail = tails.get(key)
            if tail is None:
                if len(tails) >= _CSV_MEMO:
                    tails.clear()
                severity, order, index, deadline, when, check = key
                action = actions[index]
                tail = tails[key] = todo_tail % (cell(severity), cell(order), cell(action), cell(deadline),
                                                 cell(when), cell(f"{check}: {action}"))
            lines.append(head)
            lines.append(tail)
            rows += 1
            if rows % _ROWS_PER_PIECE == 0:
                yield piece()

    def other(row: Mapping[str, Any], summary: Any) -> str:
        return ",".join([*(cell(row.get(c)) for c in CSV_COLUMNS), *[""] * len(check_ids), cell(summary)]) + "\r\n"
    licensing = model.get("licensing") or {}
    for count in licensing.get("counts") or ():
        lines.append(other({"kind": "licensing_count", "fleet_status": fleet_status,
                            "licensing_technology": count["technology"]},
                           f"{count['servers']} servers: {count['label']}"))
    for obsolete in model["obsolete_allocations"]:
        lines.append(other({"kind": "obsolete_allocation", "host": obsolete.get("host"), "status": "obsolete",
                            "reporting": False, "fleet_status": fleet_status}, obsolete.get("message")))
    inputs = model.get("input_rows") or {}
    if inputs:
        lines.append(other({"kind": "input_file", "fleet_status": fleet_status}, inputs.get("message")))
    for finding in inputs.get("findings") or ():
        lines.append(other({"kind": "input_row", "host": finding.get("host"), "status": "ignored"
                            if finding.get("ignored") else "used_with_finding", "fleet_status": fleet_status},
                           f"{inputs.get('option')}: {finding.get('message')}"))
    yield piece()


def _xml_attr(text: str) -> str:
    """``text`` as a double-quoted XML attribute value, escaped exactly as ElementTree writes it.

    ``& < > "`` become entities; CR, LF and tab become character references (``&#13;`` ``&#10;`` ``&#09;``)
    so that attribute-value normalization keeps them. Text must be cleaned (:func:`clean_text`) first.
    """
    if "&" in text:
        text = text.replace("&", "&amp;")
    if "<" in text:
        text = text.replace("<", "&lt;")
    if ">" in text:
        text = text.replace(">", "&gt;")
    if '"' in text:
        text = text.replace('"', "&quot;")
    if "\r" in text:
        text = text.replace("\r", "&#13;")
    if "\n" in text:
        text = text.replace("\n", "&#10;")
    if "\t" in text:
        text = text.replace("\t", "&#09;")
    return text


def _xml_text(text: str) -> str:
    """``text`` as XML character data, escaped exactly as ElementTree writes it: ``& < >`` become entities.

    Text must be cleaned (:func:`clean_text`) first. CR is written as it is (as ElementTree does), so a
    parser reads it as a line break.
    """
    if "&" in text:
        text = text.replace("&", "&amp;")
    if "<" in text:
        text = text.replace("<", "&lt;")
    if ">" in text:
        text = text.replace(">", "&gt;")
    return text


#: The characters :func:`clean_text` or :func:`_xml_attr` change: a text with none of them is written as it is.
_XML_ATTR_WORK = re.compile(_NEEDS_CLEANING.pattern[:-1] + '&<>"\r\n\t]')


@functools.lru_cache(maxsize=4096)
def _xml_attr_cached(value: Any) -> str:
    """:func:`clean_text` then :func:`_xml_attr` of one shared value (a status, a flag, a check id), remembered."""
    return _xml_attr(clean_text(value))


def _junit_case_body(status: Any, message: Any, detail: Any, warn_fails: bool) -> tuple[str, int, int]:
    """What a test case with ``status`` writes after its ``time`` attribute, and its (failures, skipped).

    A failure carries the message (cut to 1000 characters) and the detail; a skipped case the message;
    a passing or warning case the detail as ``system-out`` (none when there is no detail).
    """
    status, message, detail = _clean_cached(str(status)), _clean_cached(str(message)), _clean_cached(str(detail))
    if status == "fail" or (status == "warn" and warn_fails):
        failure = f'<failure message="{_xml_attr(_truncate(message, 1000))}" type="{_xml_attr(status)}"'
        failure += f">{_xml_text(detail)}</failure>" if detail else " />"
        return f">\n      {failure}\n    </testcase>", 1, 0
    if status == "unknown":
        return f'>\n      <skipped message="{_xml_attr(_truncate(message, 1000))}" />\n    </testcase>', 0, 1
    if detail:
        return f">\n      <system-out>{_xml_text(f'{status.upper()}: {detail}')}</system-out>\n    </testcase>", 0, 0
    return " />", 0, 0


@functools.lru_cache(maxsize=65536)
def _junit_check(check_id: Any, status: Any, message: str, rule: Any, fix: Any,
                 warn_fails: bool) -> tuple[str, str, int, int]:
    """One server check as a test case, less the server's own parts, remembered (the checks repeat the model's
    shared texts on many servers): the name's tail and what follows the classname, and (failures, skipped)."""
    detail = "\n".join(p for p in (message, f"Rule: {rule or ''}", f"Fix: {fix or ''}") if not p.endswith(": "))
    body, failures, skipped = _junit_case_body(status, message, detail, warn_fails)
    return _xml_attr(clean_text(f" :: {check_id}")) + '" classname="', '" time="0"' + body, failures, skipped


def _junit_outcome(status: Any, warn_fails: bool) -> tuple[int, int]:
    """(failures, skipped) one test case with ``status`` counts for (what :func:`_junit_case_body` writes)."""
    status = _clean_cached(str(status))
    if status == "fail" or (status == "warn" and warn_fails):
        return 1, 0
    return (0, 1) if status == "unknown" else (0, 0)


def _junit_suite(name: str, tests: int, failures: int, skipped: int, timestamp: str, properties: str,
                 cases: str) -> str:
    """One suite as ``ElementTree.indent`` lays it out inside the root.

    ``name`` and ``timestamp`` are escaped already; ``properties`` (see :func:`_junit_property`) and ``cases`` written.
    """
    return (f'\n  <testsuite name="{name}" tests="{tests}" failures="{failures}" errors="0" skipped="{skipped}"'
            f' time="0" timestamp="{timestamp}">'
            + (f"\n    <properties>{properties}\n    </properties>" if properties else "\n    <properties />")
            + f"{cases}\n  </testsuite>")


def _junit_property(name: str, value: str) -> str:
    """One property of a suite; ``name`` and ``value`` escaped."""
    return f'\n      <property name="{name}" value="{value}" />'


def _iter_junit(shared: SharedModel) -> Iterator[str]:
    """One suite for the fleet (FAQ status, obsolete allocations, fleet-wide findings), one per server.

    Written as text, suite by suite, exactly as ElementTree would write the whole tree indented by
    ``ElementTree.indent`` (same layout, same escaping: :func:`_xml_attr`, :func:`_xml_text`): the totals the root
    element carries are counted first (from the checks' statuses), then each suite is written and dropped.
    Cleaning and escaping of the texts the model shares (messages, rules, fixes) is remembered; host names
    are cleaned and escaped once per server.
    """
    model = shared.source
    meta, fleet = model["meta"], model["fleet"]
    messages, remediations = model.get("messages") or [], model.get("remediations") or {}
    rules = {cid: entry.get("rule") for cid, entry in (model.get("checks") or {}).items()}
    warn_fails = bool(meta.get("options", {}).get("junit_warn_as_failure"))
    stamp = _xml_attr(clean_text(meta["generated_at"])[:19])
    verdict = model.get("verdict") or {}
    fleet_props = {"verdict": verdict.get("headline", ""), "verdict_tone": verdict.get("tone", ""),
                   "fleet_status": fleet["status"], "fleet_action_required": str(fleet["action_required"]).lower(),
                   "as_of": meta["as_of"], "collection_version": meta.get("collection_version") or ""}

    for count in (model.get("licensing") or {}).get("counts") or ():
        fleet_props[f"licensing_{count['technology']}"] = str(count["servers"])
    faq_status = {"Compliant": "pass", "Unknown": "unknown"}.get(fleet["status"], "fail")
    cases = []
    if verdict:
        cases.append(("fleet :: overall verdict", verdict["tone"],
                      f"{verdict['headline']}. {verdict.get('detail') or ''}".strip()))
    cases.append(("fleet :: telemetry status (Citrix License Telemetry FAQ)", faq_status,
                  f"{fleet['status']}: {fleet['status_reason']}"))
    cases += [(f"fleet :: obsolete allocation :: {o['host']}", "fail", o["message"])
              for o in model["obsolete_allocations"]]
    cases += [(f"fleet :: {f['id']}", f["severity"], f["message"]) for f in fleet["other_findings"] if not f["hosts"]]
    inputs = model.get("input_rows") or {}
    cases += [(f"fleet :: input :: {inputs.get('option')} row {f.get('row')}", "warn",
               f"{inputs.get('option')}: {f.get('message')}") for f in inputs.get("findings") or ()]
    licensing = model.get("licensing")
    if licensing:
        cases.append(("fleet :: licensing technology (LAS)", licensing["tone"], licensing["headline"]))
    failures = skipped = 0
    written = []
    for name, status, message in cases:
        body, f, s = _junit_case_body(status, message, message, warn_fails)
        written.append(f'\n    <testcase name="{_xml_attr(clean_text(name))}" classname="ctxlic.license_server.fleet"'
                       f' time="0"{body}')
        failures, skipped = failures + f, skipped + s
    properties = "".join(_junit_property(_xml_attr(clean_text(k)), _xml_attr(clean_text(v)))
                         for k, v in fleet_props.items())
    batch = [_junit_suite("fleet", len(cases), failures, skipped, stamp, properties, "".join(written))]
    totals = [len(cases), failures, skipped]
    statuses = collections.Counter(map(operator.itemgetter("status"), itertools.chain.from_iterable(
        map(operator.itemgetter("checks"), model["servers"]))))
    for status, count in statuses.items():
        f, s = _junit_outcome(status, warn_fails)
        totals = [totals[0] + count, totals[1] + f * count, totals[2] + s * count]
    yield (f'<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="{_xml_attr(clean_text(meta["title"]))}"'
           f' tests="{totals[0]}" failures="{totals[1]}" errors="0" skipped="{totals[2]}" time="0">')

    checks: dict[tuple, tuple[str, str, int]] = {}  # a check's test case less the server's parts, by what it shows

    def case(key: tuple) -> tuple[str, str, int]:
        (check_id, status, message), fix = key
        tail, rest, f, s = _junit_check(check_id, status, messages[message] if message is not None else "",
                                        rules.get(check_id), remediations.get(fix), warn_fails)
        entry = checks[key] = (tail, rest, f + 2 * s)  # the outcome: 1 failure, 2 skipped (never both)
        return entry

    outcome, shows = operator.itemgetter(2), _CHECK_KEY
    for number, server in enumerate(model["servers"], 1):
        # Fleet properties live in the fleet suite only, and each server's are named after it: xunitparser
        # keeps every suite's properties in one table and rejects a name seen twice (issue 15 item 12).
        host, hostname = server["host"], server["hostname"] or ""
        if host.__class__ is str and _XML_ATTR_WORK.search(host) is None:  # nothing to clean or escape
            name = host
        else:
            host = clean_text(host)
            name = _xml_attr(host)
        if hostname.__class__ is not str or _XML_ATTR_WORK.search(hostname) is not None:
            hostname = _xml_attr(clean_text(hostname))
        # Only [A-Za-z0-9_.-] is left: nothing to escape.
        classname = "ctxlic.license_server." + (_CLASS_SAFE.sub("_", host) or "host")
        entries = [checks.get(key := (shows(check), check.get("remediation"))) or case(key)
                   for check in server["checks"]]
        outcomes, reporting = list(map(outcome, entries)), server["reporting"]
        cases_text = "".join([f'\n    <testcase name="{name}{tail}{classname}{rest}' for tail, rest, _o in entries])
        batch.append(
            f'\n  <testsuite name="{name}" tests="{len(entries)}" failures="{outcomes.count(1)}" errors="0"'
            f' skipped="{outcomes.count(2)}" time="0" timestamp="{stamp}">\n    <properties>'
            f'\n      <property name="{name} :: hostname" value="{hostname}" />'
            f'\n      <property name="{name} :: server_status" value="{_xml_attr_cached(server["status"])}" />'
            f'\n      <property name="{name} :: reporting" value="{_xml_attr_cached(str(reporting).lower())}" />'
            f"\n    </properties>{cases_text}\n  </testsuite>")
        if number % _ROWS_PER_PIECE == 0:
            yield "".join(batch)
            batch = []
    if batch:
        yield "".join(batch)
    yield "\n</testsuites>\n"


def _check_model(model: Any) -> None:
    if not isinstance(model, Mapping) or not all(k in model for k in ("meta", "fleet", "servers", "chart")):
        raise InputError("model must be the dict report_model.build_report() returns.")


class SharedModel:
    """One report model prepared for rendering in several formats.

    ``source`` is the caller's model, read and never copied or changed: every format writes from it and
    cleans text as it writes. What only restates the checks is derived once, on first use, and shared by
    the formats: ``views`` (per server, in report order: ``s`` the server, ``f`` its facts, ``l`` its
    licensing row, ``cells`` its check statuses in ``meta.check_ids`` order), ``week`` (the week's actions
    with their texts) and ``chart`` (the bars' geometry).
    """

    def __init__(self, model: Any) -> None:
        _check_model(model)
        self.source: Mapping[str, Any] = model
        self._views: list[dict] | None = None
        self._chart: dict | None = None
        self._week: dict | None = None

    @property
    def views(self) -> list[dict]:
        if self._views is None:
            model = self.source
            check_ids = list(model["meta"].get("check_ids") or ())
            views = []
            for server in model["servers"]:
                statuses = {c.get("id"): c.get("status") for c in server.get("checks") or ()}
                views.append({"s": server, "f": server_facts(model, server), "l": licensing_row(server, model),
                              "cells": [statuses.get(cid, "unknown") for cid in check_ids]})
            self._views = views
        return self._views

    @property
    def week(self) -> dict:
        """``todo_week`` with each item's action text (:func:`report_model.expand_week`), derived once."""
        if self._week is None:
            self._week = expand_week(self.source)
        return self._week

    @property
    def chart(self) -> dict:
        if self._chart is None:
            bars = chart_bars(self.source["servers"], facts=[view["f"] for view in self.views])
            self._chart = chart_layout({**self.source["chart"], "bars": bars})
        return self._chart


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
