# Copyright: (c) 2026, ctxlic maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Hostile values and honest inputs (issue 14 items 5-8, issue 15 items 1-3): the pure logic.

Each test names the item it reproduces; every one of them failed before the fix (a traceback, a
credited future time, a dropped host, an invisible bidi character, an accepted device name).
"""

from __future__ import annotations

import csv
import io
import json
import sqlite3
import zipfile
from datetime import timedelta
from xml.etree import ElementTree

import pytest
from report_factory import AS_OF, ago, make_record

from ansible_collections.ctxlic.license_server.plugins.plugin_utils._compliance import inputs
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._action.base import empty_path_options
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._license.allocations import (
    obsolete_allocations,
    parse_quantity,
    read_allocation_csv,
    read_entitlements,
)
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._compliance.fleet import evaluate_fleet
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._compliance.server_checks import evaluate_server
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._common.errors import InputError
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._compliance.evidence_events import (
    event_time,
    manual_upload_detail,
)
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._store.evidence_history import (
    EvidenceHistory,
    prepare_observation,
)
from ansible_collections.ctxlic.license_server.plugins.plugin_utils.lab.state import report_clock
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._license.license_names import validate_file_name
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._compliance.report_model import build_report
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._compliance.report_render import (
    clean_text,
    render,
)
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._telemetry.upload_result import parse_upload_result
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._store.zip_safety import (
    unsafe_member_name,
    verify_vendor_zip,
)
from clock import NOW


def telemetry(result: dict) -> dict:
    return next(c for c in result["checks"] if c["id"] == "telemetry_upload")


def year_9999_upload() -> dict:
    xml = ("<CtxUploaderResult><Code>CTX_UPLOADER_SUCCESS</Code><Msg></Msg><t>253402300799</t>"
           "<UploadType>CTX_UPLOAD_TYPE_COMPLIANCE</UploadType></CtxUploaderResult>")
    return parse_upload_result(xml.encode(), now=AS_OF)


# --------------------------------------------------------------------------- 14.5 / 15.3: time


def test_year_9999_upload_is_a_finding_not_a_crash():
    upload = year_9999_upload()
    assert upload["status"] == "success" and upload["time"].startswith("9999-12-31")
    result = evaluate_server(make_record("ls01", upload={"__replace__": True, **upload}), as_of=AS_OF)
    check = telemetry(result)
    assert check["status"] == "fail" and result["reporting"] is False
    assert "9999-12-31" in check["message"] and "future" in check["message"]
    assert check["evidence"]["days_since_success"] is None
    assert check["evidence"]["future_success"][0]["time"].startswith("9999-12-31")


@pytest.mark.parametrize("limit", [999_999_999, 10**9, 3_000_000])
def test_huge_max_upload_age_never_crashes_the_evaluation(limit):
    result = evaluate_server(make_record("ls01"), as_of=AS_OF, max_upload_age_days=limit)
    assert telemetry(result)["status"] == "pass"
    assert "beyond year 9999" in telemetry(result)["message"]


def test_fleet_report_refuses_an_absurd_upload_age_limit():
    assert inputs.check_max_upload_age(90) == 90
    for bad in (0, 3651, 999_999_999, True, "90"):
        with pytest.raises(InputError, match="max_upload_age_days"):
            inputs.check_max_upload_age(bad)


def test_a_success_dated_2100_never_counts_and_the_real_one_does():
    history = [{"status": "success", "time": "2100-01-01T00:00:00Z"}, {"status": "success", "time": ago(30)}]
    result = evaluate_server(make_record("ls01", upload={"time": ago(100)}), as_of=AS_OF, last_success=history)
    check = telemetry(result)
    assert check["evidence"]["days_since_success"] == 30 and check["evidence"]["last_success_source"] == \
        "evidence history"
    assert check["status"] == "warn" and "2100-01-01" in check["message"] and "Not credited" in check["message"]
    # Only the future one: not reporting, whatever the day count would have said.
    only = evaluate_server(make_record("ls01", upload={"time": ago(100)}), as_of=AS_OF,
                           last_success={"status": "success", "time": "2100-01-01T00:00:00Z"})
    assert only["reporting"] is False and telemetry(only)["status"] == "fail"


def test_a_lab_clock_91_days_ahead_is_a_future_finding_on_the_controller_clock():
    """Issue 15.3: "Days since success -91" and "Compliant" must not happen on any backend."""
    result = evaluate_server(make_record("ls01", upload={"time": ago(-91)}), as_of=AS_OF)
    check = telemetry(result)
    assert check["status"] == "fail" and result["status"] == "non_compliant" and not result["reporting"]
    assert "91 days after" in check["message"]
    fleet = evaluate_fleet([result], as_of=AS_OF)
    assert fleet["status"] == "Non-Compliant"


def test_history_refuses_to_store_a_future_upload_and_tolerates_stored_ones(tmp_path):
    db = tmp_path / "e.sqlite"
    history = EvidenceHistory(db)
    with pytest.raises(InputError, match="future"):
        prepare_observation("ls01", AS_OF, {"status": "success", "time": "9999-12-31T23:59:59Z"}, not_after=AS_OF)
    history.record_observations([prepare_observation("ls01", AS_OF, {"status": "success", "time": ago(3)},
                                                     not_after=AS_OF)])
    # A row stored by an older version, before the check existed: read back and judged, never a crash.
    history.record_observation("ls01", AS_OF, {"status": "success", "time": "9999-12-31T23:59:59Z"})
    history.record_event("ls01", "2100-01-01T00:00:00Z", "manual_upload", {"recorded_by": "x"})
    with sqlite3.connect(db) as conn:
        conn.execute("INSERT INTO events (host, at, kind, detail) VALUES ('ls01', ?, 'manual_upload', '{broken')",
                     (ago(200),))
    rows = history.success_candidates(["ls01"], AS_OF)["ls01"]
    assert sorted(r["time"] for r in rows) == sorted([ago(3), "9999-12-31T23:59:59Z", ago(200),
                                                      "2100-01-01T00:00:00Z"])
    result = evaluate_server(make_record("ls01", upload={"time": ago(50)}), as_of=AS_OF, last_success=rows)
    check = telemetry(result)
    assert check["evidence"]["days_since_success"] == 3 and result["reporting"] is True
    assert {f["time"][:4] for f in check["evidence"]["future_success"]} == {"2100", "9999"}
    # The old query answered the year-9999 row as "the last success".
    assert history.last_success("ls01")["time"].startswith("9999")


# --------------------------------------------------------------------------- 15.1: manual uploads


def test_manual_upload_is_credited_and_shown_as_operator_attested(tmp_path):
    history = EvidenceHistory(tmp_path / "e.sqlite")
    detail = manual_upload_detail(event_time(ago(2), AS_OF), {"note": "CIS"}, AS_OF, "jdoe")
    assert detail["recorded_by"] == "jdoe" and detail["recorded_at"] == "2026-11-22T12:00:00Z"
    history.record_event("ls-air", ago(2), "manual_upload", detail)
    rows = history.success_candidates(["ls-air"], AS_OF)["ls-air"]
    record = make_record("ls-air", reporting_mode="manual", upload={"time": ago(92)})
    result = evaluate_server(record, as_of=AS_OF, last_success=rows)
    check = telemetry(result)
    assert result["reporting"] is True and check["status"] == "pass"
    assert check["evidence"]["last_success_source"] == "manual upload (operator-attested)"
    assert check["evidence"]["attested"]["recorded_by"] == "jdoe"
    assert "recorded by jdoe" in check["message"]
    model = build_report(evaluate_fleet([result], as_of=AS_OF), [result], generated_at=AS_OF, title="t",
                         catalog=None, as_of=AS_OF, options={})
    assert any("attested by jdoe" in n for n in model["evidence_notes"])
    assert "operator-attested" in render(model, "html") and "operator-attested" in render(model, "csv")
    # Without the event the same server is 92 days out: the event is what made the difference.
    assert evaluate_server(record, as_of=AS_OF)["reporting"] is False


def test_manual_upload_in_the_future_is_refused():
    with pytest.raises(InputError, match="future"):
        manual_upload_detail(event_time("2026-11-23T12:00:01Z", AS_OF), {}, AS_OF, "jdoe")
    # An operator-given recorded_by is kept.
    assert manual_upload_detail(event_time(None, AS_OF), {"recorded_by": "ops"}, AS_OF, "x")["recorded_by"] == "ops"


# --------------------------------------------------------------------------- 14.6 / 15.2: allocation rows


STRAY_QUOTE = (
    "Host ID,Product,Quantity\n"
    "OLD1,XDT_PLT_UD,10\n"
    'OLD2,"XDT_PLT_UD,5\n'  # a stray quote: csv used to read on to the end of the file
    "OLD3,XDT_PLT_UD,5\n"
    "OLD4,XDT_PLT_UD,5\n"
    "OLD5,XDT_PLT_UD,5\n"
    "OLD6,XDT_PLT_UD,5\n"
    "OLD7,XDT_PLT_UD,5\n"
    "OLD8,XDT_PLT_UD,5\n"
)


def test_a_stray_quote_spoils_one_row_not_the_rest_of_the_file():
    read = read_allocation_csv(STRAY_QUOTE)
    assert [a["host"] for a in read.allocations] == [f"OLD{i}" for i in range(1, 9)]
    assert [(f["row"], f["code"]) for f in read.findings] == [(3, "bad_row")]
    assert read.allocations[1]["quantity"] is None
    summary = inputs.input_rows_summary("allocations_csv", "/x.csv", read)
    assert (summary["rows"], summary["used"], summary["ignored"], summary["used_with_findings"]) == (8, 8, 0, 1)
    obsolete = obsolete_allocations(read.allocations, ["ls01"])
    fleet = evaluate_fleet([], obsolete_allocations=obsolete, as_of=AS_OF)
    assert fleet["counts"]["allocated"] == 8


@pytest.mark.parametrize(
    ("text", "value"),
    [("1000", 1000), ("1,000", 1000), (" 1,000 ", 1000), ("1.000", 1000), ("1 000", 1000), ("1\u00a0000", 1000),
     ("1'000'000", 1000000), ("+5", 5), ("1,5", None), ("1.50", None), ("1,000.000", None), ("10,00", None),
     ("", None), ("-3", None), ("١٢", None), ("9" * 16, None), ("1,000,000,000,000,000,000", None)],
)
def test_portal_number_formats(text, value):
    assert parse_quantity(text) == value


def test_a_quantity_written_1000_with_a_comma_keeps_the_host():
    """Issue 15.2: '"1,000"' used to drop the row, host included, and the fleet turned Compliant."""
    read = read_allocation_csv('Host ID,Product,Quantity\nOLDLS,XDT_PLT_UD,"1,000"\nOLD2,XDT_PLT_UD,"lots"\n')
    assert [(a["host"], a["quantity"]) for a in read.allocations] == [("OLDLS", 1000), ("OLD2", None)]
    obsolete = obsolete_allocations(read.allocations, ["ls01"])
    assert [o["quantity_total"] for o in obsolete] == [None, 1000]
    fleet = evaluate_fleet([], obsolete_allocations=obsolete, as_of=AS_OF)
    old2 = next(o for o in fleet["obsolete_allocations"] if o["host"] == "OLD2")
    assert old2["quantity_total"] is None and "UNKNOWN" in old2["message"]


def test_case_only_match_is_reported_with_the_reason():
    read = read_allocation_csv("Host ID,Product,Quantity\nLS01,XDT_PLT_UD,10\n")
    obsolete = obsolete_allocations(read.allocations, ["ls01"])
    result = evaluate_server(make_record("ls01", hostname="ls01"), as_of=AS_OF)
    fleet = evaluate_fleet([result], obsolete_allocations=obsolete, as_of=AS_OF)
    assert fleet["obsolete_allocations"] == []
    note = next(n for n in fleet["notes"] if "LS01" in n)
    assert "only when letter case is ignored" in note and "case-sensitively" in note


def test_rejected_rows_are_listed_in_every_report_format():
    read = read_allocation_csv("Host ID,Product,Quantity\n,XDT,5\nOLD9,XDT,many\n")
    rows = inputs.input_rows_summary("allocations_csv", "/alloc.csv", read)
    result = evaluate_server(make_record("ls01"), as_of=AS_OF)
    obsolete = obsolete_allocations(read.allocations, ["ls01"])
    model = build_report(evaluate_fleet([result], obsolete_allocations=obsolete, as_of=AS_OF), [result],
                         generated_at=AS_OF, title="t", catalog=None, as_of=AS_OF, options={}, input_rows=rows)
    for fmt in ("html", "markdown", "csv", "json", "junit"):
        text = render(model, fmt)
        assert "row 2" in text and "row 3" in text and "the row is ignored" in text, fmt
    rows_csv = list(csv.DictReader(io.StringIO(render(model, "csv"))))
    assert {r["kind"] for r in rows_csv} >= {"input_file", "input_row"}
    ElementTree.fromstring(render(model, "junit"))


# --------------------------------------------------------------------------- 14.7: entitlements


def test_a_5000_digit_purchased_count_is_a_message():
    with pytest.raises(InputError, match="far too large"):
        read_entitlements({"entitlements": [{"feature": "XDT", "purchased": 10**5000}]})
    with pytest.raises(InputError, match="purchased"):
        evaluate_server(make_record("ls01"), as_of=AS_OF, purchased={"XDT": "9" * 5000})


# --------------------------------------------------------------------------- 14.8: display and names


def test_bidi_and_zero_width_characters_are_visible_in_every_format():
    name = "FID_\u202egnp.exe.lic"
    assert clean_text(name) == "FID_<U+202E>gnp.exe.lic"
    assert clean_text("a\u200bb\u2066c\ufeff") == "a<U+200B>b<U+2066>c<U+FEFF>"
    result = evaluate_server(make_record(f"ls-{name}"), as_of=AS_OF)
    model = build_report(evaluate_fleet([result], as_of=AS_OF), [result], generated_at=AS_OF, title=name,
                         catalog=None, as_of=AS_OF, options={})
    for fmt in ("html", "markdown", "csv", "junit", "json"):
        text = render(model, fmt)
        assert "\u202e" not in text, fmt
        assert ("\\u202e" if fmt == "json" else "U+202E") in text, fmt
    assert json.loads(render(model, "json"))["meta"]["title"] == name  # JSON stays lossless


@pytest.mark.parametrize("stem", ["COM\u00b9", "LPT\u00b3", "CONIN$", "conout$", "COM0", "LPT0", "con", "Nul "])
def test_reserved_device_names_are_refused(stem):
    codes = [f.code for f in validate_file_name(f"{stem}.lic")]
    assert "file_name_reserved" in codes


@pytest.mark.parametrize("name", ["CON", "data/nul.txt", "x:stream", "a\uff0e\uff0e/b", "upload\uff0ezip", "COM\u00b2",
                                  "a. /b", "tab\tname"])
def test_hostile_zip_member_names_are_refused(name, tmp_path):
    assert unsafe_member_name(name)
    path = tmp_path / "upload_compliance_1.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr(zipfile.ZipInfo(name), b"data")
    verdict = verify_vendor_zip(path)
    assert verdict["ok"] is False and "member" in verdict["reason"]


def test_plain_member_names_still_pass():
    assert unsafe_member_name("usage/upload_usage_20261122.json") is None
    assert unsafe_member_name("CONSOLE.txt") is None and unsafe_member_name("com10.bin") is None


def test_empty_path_options_are_refused():
    spec = {"dest": {"type": "path"}, "paths": {"type": "list", "elements": "path"}, "name": {"type": "str"}}
    assert empty_path_options(spec, {"dest": "/x", "paths": ["/a"], "name": ""}) is None
    message = empty_path_options(spec, {"dest": "", "paths": ["/a", " "], "name": "n"})
    assert message.startswith("dest, paths: an empty path is not a path")


# --------------------------------------------------------------------------- 15.3: the lab hands its clock


def test_lab_report_clock(tmp_path):
    from ansible_collections.ctxlic.license_server.plugins.plugin_utils.lab import fleet as lab_fleet

    start = NOW
    lab_fleet.create_fleet(tmp_path / "lab", [lab_fleet.HostSpec("ls01", last_upload={"days_ago": 1})], start=start)
    lab_fleet.advance(tmp_path / "lab", 91)
    when, path = report_clock(tmp_path / "lab" / "hosts" / "ls01")
    assert when == start + timedelta(days=91) and path.endswith("clock.json")
    assert report_clock(tmp_path) is None and report_clock(tmp_path / "missing") is None
