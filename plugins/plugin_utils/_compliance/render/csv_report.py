# Copyright: (c) 2026, ctxlic maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# Internal use only: this module is private to ctxlic.license_server and may change at any time.
"""The CSV report (pure): one row per server, to-do action and fleet-wide finding, written as
``csv.writer`` writes it, each cell neutralised against spreadsheet formula injection."""

from __future__ import annotations

import operator
from collections.abc import Iterable, Iterator
from typing import Any, Mapping
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._compliance.render.common import (
    _CSV_TRIGGERS,
    _ROWS_PER_PIECE,
    clean_text,
    csv_cell,
    needs_cleaning,
)
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._compliance.render.shared import (
    SharedModel,
)


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
