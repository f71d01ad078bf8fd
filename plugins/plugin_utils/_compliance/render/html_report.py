# Copyright: (c) 2026, ctxlic maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# Internal use only: this module is private to ctxlic.license_server and may change at any time.
"""The HTML report's per-server sections, written in Python (pure): every value cleaned and
HTML-escaped as the template's ``finalize`` and autoescaping do; the badges, built once."""

from __future__ import annotations

import functools
import itertools
import operator
import re
from collections.abc import Iterable, Iterator
from typing import Any, Mapping
from markupsafe import Markup, escape
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._compliance.render.common import (
    _CHECK_KEY,
    _Built,
    _YES_NO,
    CHECK_LABELS,
    TONE_SYMBOLS,
    _NEEDS_CLEANING,
    _batches,
    _html_text,
    clean_output,
    clean_text,
    human_bytes,
)
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._compliance.render.shared import (
    SharedModel,
)


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
