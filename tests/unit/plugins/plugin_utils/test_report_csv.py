# Copyright: (c) 2026, ctxlic maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The CSV report is written without ``csv.writer`` (issue 18 item 3): it must be what the writer writes, byte for byte.

``rows_by_csv_writer`` is the report as it was written before: a dict per row, ``csv_cell`` on every cell,
``csv.writer`` (excel dialect, ``\\r\\n``). The renderer must give the same text for any model.
"""

from __future__ import annotations

import copy
import csv
import io

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from report_factory import HOSTILE, fleet_model
from test_report_render import small_model

from ansible_collections.ctxlic.license_server.plugins.plugin_utils._compliance.render import csv_report as r_csv
from report_factory import patch_render
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._compliance.report_model import (
    licensing_row,
    server_facts,
)
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._compliance.report_render import (
    CSV_COLUMNS,
    clean_text,
    csv_cell,
    needs_cleaning,
    render,
)

LICENSING = {"licensing_technology": "technology", "las_capable_online": "capable_online",
             "las_capable_offline": "capable_offline", "las_mode": "mode", "las_last_contact": "last_contact",
             "las_offline_activation": "offline_activation", "las_state_source": "state_source"}


def rows_by_csv_writer(model: dict) -> str:
    """The CSV report written the straightforward way (the renderer before issue 18 item 3)."""
    check_ids = list(model["meta"]["check_ids"])
    messages, actions = model.get("messages") or [], model.get("actions") or []
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([*CSV_COLUMNS, *(f"check_{c}" for c in check_ids), "summary"])
    fleet_status = model["fleet"]["status"]
    empty = [""] * len(check_ids)

    def write(row: dict, summary: str, statuses: list = empty) -> None:
        writer.writerow([*(csv_cell(row.get(c)) for c in CSV_COLUMNS), *statuses, csv_cell(summary)])

    fact_columns = [k for k in CSV_COLUMNS if k not in ("kind", "host", "hostname", "status", "reporting")]
    for server in model["servers"]:
        facts, licensing, checks = server_facts(model, server), licensing_row(server, model), server["checks"]
        statuses = {c["id"]: c["status"] for c in checks}
        summary = " | ".join(f"{c['id']}: {messages[c['message']]}" for c in checks if c["status"] in ("fail", "warn"))
        write({"kind": "server", "host": server["host"], "hostname": server["hostname"], "status": server["status"],
               "reporting": server["reporting"], "fleet_status": fleet_status,
               **{k: facts[k] for k in fact_columns if k in facts},
               "failed_checks": " ".join(c["id"] for c in checks if c["status"] == "fail"),
               "warned_checks": " ".join(c["id"] for c in checks if c["status"] == "warn"),
               "unknown_checks": " ".join(c["id"] for c in checks if c["status"] == "unknown"),
               **{column: licensing.get(key) for column, key in LICENSING.items()}},
              summary, [csv_cell(statuses.get(c)) for c in check_ids])
    for server in model["servers"]:
        for item in server.get("todo") or ():
            action = actions[item["action"]]
            write({"kind": "todo", "host": server["host"], "hostname": server["hostname"], "status": item["severity"],
                   "fleet_status": fleet_status, "todo_order": item["order"], "todo_action": action,
                   "todo_deadline": item["deadline"], "todo_when": item["when"]},
                  f"{item['check']}: {action}")
    for count in (model.get("licensing") or {}).get("counts") or ():
        write({"kind": "licensing_count", "fleet_status": fleet_status, "licensing_technology": count["technology"]},
              f"{count['servers']} servers: {count['label']}")
    for obsolete in model["obsolete_allocations"]:
        write({"kind": "obsolete_allocation", "host": obsolete.get("host"), "status": "obsolete", "reporting": False,
               "fleet_status": fleet_status}, obsolete.get("message"))
    inputs = model.get("input_rows") or {}
    if inputs:
        write({"kind": "input_file", "fleet_status": fleet_status}, inputs.get("message"))
    for finding in inputs.get("findings") or ():
        write({"kind": "input_row", "host": finding.get("host"),
               "status": "ignored" if finding.get("ignored") else "used_with_finding", "fleet_status": fleet_status},
              f"{inputs.get('option')}: {finding.get('message')}")
    return out.getvalue()


def odd_model() -> dict:
    """The test fleet with what a stored report may also hold: facts of every kind, a fact named like a column."""
    model = copy.deepcopy(fleet_model())
    first, second = model["servers"][0], model["servers"][1]
    first["facts"] = {"fleet_status": "=own", "version": 1.5, "pending_count": True, "pending_bytes": -3,
                      "todo_when": "+later", "last_attempt_message": 'say "hi", then\r\nbye', "failed_checks": "x"}
    second["facts"] = {"latest_release": float("inf"), "window_status": "\u202egnp.exe", "todo_order": 7}
    model["messages"] = [*model["messages"], "\ud800=lone,\x85"]
    found = next(c for c in first["checks"] if c["status"] in ("fail", "warn"))
    found["message"] = len(model["messages"]) - 1
    model["actions"] = ['=act, "q"\r\n', *model["actions"][1:]]
    assert any(item["action"] == 0 for server in model["servers"] for item in server.get("todo") or ())
    return model


@pytest.mark.parametrize("make", [fleet_model, odd_model])
def test_csv_is_what_csv_writer_writes(make):
    model = make()
    assert render(model, "csv") == rows_by_csv_writer(model)


def test_csv_memory_is_bounded_and_the_text_the_same(monkeypatch):
    """Remembered texts are dropped when there are too many; what is written does not change."""
    model = odd_model()
    patch_render(monkeypatch, "_CSV_MEMO", 1)
    assert render(model, "csv") == rows_by_csv_writer(model)


_hostile = st.text(st.characters(codec="utf-8"), min_size=1, max_size=30) | st.sampled_from(
    [HOSTILE, "=1+1", "-", '"', ",", "\r", "\n", "a\r\nb", "\t=x", "\u202e", "\x00", "\ud800x", "%s", "{0}"]
)


@settings(max_examples=100, deadline=None)
@given(host=_hostile, message=_hostile)
def test_any_host_and_message_is_written_as_csv_writer_writes_it(host, message):
    model = small_model(host, message, obsolete=(message + "-old",))
    assert render(model, "csv") == rows_by_csv_writer(model)


_cell = (st.none() | st.booleans() | st.integers() | st.floats() | st.text(st.characters(codec="utf-8"), max_size=20)
         | st.sampled_from(['"', ",", "\r", "\n", "=", " x", "\u2028"]))


@settings(max_examples=300, deadline=None)
@given(values=st.lists(_cell, min_size=2, max_size=4))
def test_one_cell_is_what_csv_writer_writes(values):
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerow([csv_cell(v) for v in values])
    assert ",".join(r_csv._csv_field(v) for v in values) + "\r\n" == out.getvalue()


def test_needs_cleaning_is_whether_clean_text_changes_the_text():
    """Every code point, alone and inside ASCII text (the fast path) and inside non-ASCII text."""
    for point in range(0x110000):
        char = chr(point)
        for text in (char, f"ab{char}cd", f"\u00e9{char}"):
            assert needs_cleaning(text) is (clean_text(text) != text), hex(point)
