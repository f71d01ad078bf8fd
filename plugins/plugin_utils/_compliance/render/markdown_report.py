# Copyright: (c) 2026, ctxlic maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# Internal use only: this module is private to ctxlic.license_server and may change at any time.
"""The Markdown report's per-server sections, written in Python (pure): every value escaped as the
template's ``md`` filter escapes it."""

from __future__ import annotations

import functools
import itertools
import operator
import re
from collections.abc import Callable, Iterable, Iterator
from typing import Any, Mapping
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._compliance.render.common import (
    _YES_NO,
    _Built,
    _CHECK_KEY,
    CHECK_LABELS,
    TONE_SYMBOLS,
    _NEEDS_CLEANING,
    _ROWS_PER_PIECE,
    _TEMPLATE_PIECES,
    _md_text,
    clean_output,
    md_escape,
)


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


_MD_TODO_KEY = operator.itemgetter("order", "when", "action")  # what a Markdown to-do item shows


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
