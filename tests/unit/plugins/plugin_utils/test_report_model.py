# Copyright: (c) 2026, ctxlic maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Tests for report_model.build_report: one JSON-safe model, sorted, citing its rules."""

from __future__ import annotations

import json
import re
from datetime import date, datetime

import pytest
from report_factory import AS_OF, CATALOG, HOSTILE_HOST, evaluated_fleet, fleet_model

from ansible_collections.ctxlic.license_server.plugins.plugin_utils._compliance.rules import CHECK_IDS
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._compliance.fleet import evaluate_fleet
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._common.errors import InputError
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._compliance.report_model import (
    SCHEMA_VERSION,
    build_report,
    chart_bars,
    expand_week,
    jsonable,
    resolve_check,
    resolve_todo,
    server_facts,
)


@pytest.fixture(scope="module")
def model() -> dict:
    return fleet_model()


def test_model_is_json_safe_and_stable(model):
    text = json.dumps(model, sort_keys=True)
    assert json.loads(text) == model
    assert model["schema_version"] == SCHEMA_VERSION == 2
    assert fleet_model() == model  # no clock, no randomness


def test_meta(model):
    meta = model["meta"]
    assert meta["title"] == "License Server compliance — test fleet"
    assert meta["generated_at"] == meta["as_of"] == "2026-11-22T12:00:00Z"
    assert meta["collection_version"] == "0.1.0"
    assert "collection_version" not in meta["options"]
    assert meta["check_ids"] == list(CHECK_IDS)
    sources = " ".join(rule["source"] for rule in meta["rules"])
    # Sources by title, never by seed number (issue 15 item 11): users have no seeds.
    for title in ("Citrix License Telemetry FAQ (CTX477614)", "Citrix Licensing data collection programs",
                  "Citrix licensing telemetry and compliance status", "Update Required"):
        assert title in sources
    assert not re.search(r"\b00[0-4]\b", sources)
    assert any("greater than 90 days" in rule["text"] for rule in meta["rules"])


def test_servers_sorted_by_severity_then_name(model):
    order = {"non_compliant": 0, "unknown": 1, "compliant": 2}
    keys = [(order[s["status"]], s["host"].casefold()) for s in model["servers"]]
    assert keys == sorted(keys)
    assert model["servers"][0]["status"] == "non_compliant"
    assert model["servers"][-1]["status"] == "compliant"
    assert len(model["servers"]) == 13


def test_server_rows_carry_labels_and_check_references(model):
    by_host = {s["host"]: s for s in model["servers"]}
    expired = by_host["ls-expired"]
    assert expired["status_label"] == "Non-compliant" and expired["tone"] == "fail"
    assert [c["id"] for c in expired["checks"] if c["status"] == "fail"] == ["licenses_expired"]
    assert by_host["ls-unreachable"]["usable"] is False
    # Schema 2: a check names its shared texts; resolve_check fills them in.
    check = next(c for c in expired["checks"] if c["id"] == "licenses_expired")
    assert set(check) <= {"id", "status", "message", "evidence", "remediation"}
    full = resolve_check(model, check)
    assert full["title"] == model["checks"]["licenses_expired"]["title"]
    assert full["rule"] == model["checks"]["licenses_expired"]["rule"]
    assert full["message"] == model["messages"][check["message"]]
    assert full["remediation"] == model["remediations"][check["remediation"]]
    assert full["evidence"] == model["evidence"][check["evidence"]]
    assert server_facts(model, by_host[HOSTILE_HOST])["last_attempt_message"].startswith("=cmd")


def test_shared_texts_are_stored_once():
    """A text or evidence object is stored once however many servers share it (issue 18 item 3)."""
    model = fleet_model()
    for table in ("messages", "actions", "evidence"):
        values = [json.dumps(v, sort_keys=True) for v in model[table]]
        assert len(values) == len(set(values)), table
    for table in ("remediations", "upload_hints", "upgrade_windows"):
        values = [json.dumps(v, sort_keys=True) for v in model[table].values()]
        assert len(values) == len(set(values)), table
    text = json.dumps(model["servers"])
    for entry in model["checks"].values():
        assert entry["rule"] not in text and entry["title"] not in text
    for fix in model["remediations"].values():
        assert fix not in text
    assert "matrix" not in model and "bars" not in model["chart"] and "servers" not in model["licensing"]


def test_facts_are_derived_from_the_evidence_without_loss():
    """Every server's facts, as evaluate_server gave them, come back from the report (nothing is lost)."""
    results = evaluated_fleet()
    model = fleet_model()
    by_host = {s["host"]: s for s in model["servers"]}
    for result in results:
        assert server_facts(model, by_host[result["host"]]) == result["facts"]
        resolved = [resolve_check(model, c) for c in by_host[result["host"]]["checks"]]
        assert [{k: c[k] for k in ("id", "status", "message", "remediation", "title", "rule")} for c in resolved] == [
            {k: c[k] for k in ("id", "status", "message", "remediation", "title", "rule")} for c in result["checks"]]
        assert [json.dumps(c["evidence"], sort_keys=True, default=str) for c in resolved] == [
            json.dumps(c["evidence"], sort_keys=True, default=str) for c in result["checks"]]


def test_fleet_block_and_obsolete(model):
    fleet = model["fleet"]
    assert fleet["status"] == "Partially Compliant"
    assert fleet["tone"] == "warn"
    assert fleet["action_required"] is True
    assert fleet["counts"]["obsolete_allocations"] == 2
    assert [o["host"] for o in model["obsolete_allocations"]][1] == "OLD-LS-2018"


def test_chart_scale_and_derived_bars(model):
    chart = model["chart"]
    assert chart["threshold_days"] == 90
    bars = {b["host"]: b for b in chart_bars(model["servers"], model)}
    assert [b["host"] for b in chart_bars(model["servers"], model)] == [s["host"] for s in model["servers"]]
    assert bars["ls-firewalled-long"]["days"] == 120 and bars["ls-firewalled-long"]["status"] == "fail"
    assert bars["ls-never"]["days"] is None
    assert chart["max_days"] == 120


def test_week_and_todo_resolve_to_the_module_result_shape(model):
    week = expand_week(model)
    assert all(set(i) == {"host", "check", "severity", "action", "deadline", "when"} for i in week["items"])
    assert all(isinstance(i["action"], str) and i["action"] for i in week["items"])
    server = next(s for s in model["servers"] if s["todo"])
    todo = resolve_todo(model, server)
    assert [t["action"] for t in todo] == [model["actions"][t["action"]] for t in server["todo"]]


def test_catalog_and_evidence_notes(model):
    assert model["catalog"]["stale"] is False
    assert model["catalog"]["newest_release"] == "11.17.2 build 52000"
    notes = " ".join(model["evidence_notes"])
    assert "ls-firewalled: the latest attempt (failure" in notes
    assert "evidence history" in notes
    assert "could not be gathered: ls-unreachable" in notes
    assert "24 hours" in notes


def test_stale_catalog_is_noted():
    stale = fleet_model(catalog={"fetched_at": "2025-01-01T00:00:00Z"})
    assert stale["catalog"]["stale"] is True
    assert stale["catalog"]["message"].startswith("STALE release catalog")
    # Stated once, in the banner the renderers draw from catalog.stale, not again among the notes (issue 15 item 11).
    assert not any(note.startswith("STALE release catalog") for note in stale["evidence_notes"])


def test_raw_catalog_used_when_the_evaluation_has_none():
    results = evaluated_fleet()
    fleet = evaluate_fleet(results, catalog=CATALOG, as_of=AS_OF)
    del fleet["catalog"]
    model = build_report(fleet, results, generated_at="2026-11-22T12:00:00Z", title="t", catalog=CATALOG, as_of=AS_OF,
                         options=None)
    assert model["catalog"]["newest_release"] == "11.17.2 build 52000"
    assert model["meta"]["generated_at"] == "2026-11-22T12:00:00Z"


def test_threshold_follows_options():
    assert fleet_model(options={"max_upload_age_days": 60})["chart"]["threshold_days"] == 60


@pytest.mark.parametrize(
    ("kwargs", "needle"),
    [
        ({"fleet_eval": {}}, "fleet_eval"),
        ({"server_results": "x"}, "server_results"),
        ({"server_results": [{"no": "host"}]}, "server_results entry"),
        ({"title": " "}, "title"),
        ({"options": ["x"]}, "options"),
        ({"generated_at": 5}, "generated_at"),
        ({"options": {"max_upload_age_days": 0}}, "max_upload_age_days"),
    ],
)
def test_bad_input(kwargs, needle):
    results = evaluated_fleet()
    args = {"fleet_eval": evaluate_fleet(results), "server_results": results, "generated_at": AS_OF, "title": "t",
            "catalog": None, "as_of": AS_OF, "options": {}}
    args.update(kwargs)
    fleet_eval, server_results = args.pop("fleet_eval"), args.pop("server_results")
    with pytest.raises(InputError, match=needle):
        # pylint: disable-next=redundant-keyword-arg  # both were popped from args above
        build_report(fleet_eval, server_results, **args)


def test_jsonable():
    value = {"when": AS_OF, "day": date(2026, 1, 2), "set": {2, 1}, "tuple": (1, datetime(2026, 1, 1)), 3: object}
    out = jsonable(value)
    assert out["when"] == "2026-11-22T12:00:00Z"
    assert out["day"] == "2026-01-02"
    assert out["set"] == [1, 2]
    assert out["tuple"] == [1, "2026-01-01T00:00:00Z"]
    assert out["3"].startswith("<class")
