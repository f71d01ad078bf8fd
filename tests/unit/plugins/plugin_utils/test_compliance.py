# Copyright: (c) 2026, ctxlic maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Tests for the compliance checks (_compliance/server_checks.py, fleet.py, values.py):
Every per-server check, the server status, the FAQ fleet status."""

from __future__ import annotations

import contextlib
from datetime import date, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from report_factory import (
    AS_OF,
    FAILED_UPLOAD,
    ago,
    day,
    evaluated_fleet,
    feature,
    lic_file,
    make_record,
    unreachable_record,
)

from ansible_collections.ctxlic.license_server.plugins.plugin_utils._compliance import values
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._compliance.rules import CHECK_IDS
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._compliance.catalog_notice import catalog_notice
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._compliance.fleet import evaluate_fleet
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._compliance.server_checks import evaluate_server
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._compliance.values import parse_day
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._common.errors import CtxlicError, InputError


def check(result: dict, check_id: str) -> dict:
    return next(c for c in result["checks"] if c["id"] == check_id)


def status_of(record: dict, check_id: str, **kwargs) -> str:
    return check(evaluate_server(record, as_of=AS_OF, **kwargs), check_id)["status"]


# --------------------------------------------------------------------------- shape


def test_healthy_server_passes_every_check_but_skipped_surplus():
    result = evaluate_server(make_record("ls01"), as_of=AS_OF)
    assert [c["id"] for c in result["checks"]] == list(CHECK_IDS)
    assert {c["id"]: c["status"] for c in result["checks"]} == {
        **dict.fromkeys(CHECK_IDS, "pass"), "licenses_surplus": "unknown"}
    assert result["status"] == "compliant"
    assert result["reporting"] is True
    assert result["hostname"] == "LS01"
    for c in result["checks"]:
        assert set(c) >= {"id", "title", "status", "message", "evidence"}
        assert c["message"] and c["title"]


# --------------------------------------------------------------------------- reachable


@pytest.mark.parametrize(
    ("overrides", "expected", "usable"),
    [
        ({}, "pass", True),
        ({"reachable": False, "error": "timed out"}, "fail", False),
        ({"failed": True, "error": "script error"}, "fail", False),
        ({"installed": False}, "pass", True),  # reachable and gathered; ls_installed fails (issue 15 item 5)
    ],
)
def test_reachable(overrides, expected, usable):
    result = evaluate_server(make_record("ls01", **overrides), as_of=AS_OF)
    assert check(result, "reachable")["status"] == expected
    assert result["usable"] is usable
    if expected == "fail":
        assert result["reporting"] is False


def test_unreachable_server_is_unknown_not_reporting_and_says_what_to_do():
    result = evaluate_server(unreachable_record("ls09"), as_of=AS_OF, last_success={"time": ago(3)})
    assert result["status"] == "unknown"
    assert result["reporting"] is False
    reach = check(result, "reachable")
    assert "connection refused" in reach["message"] and "win_ping" in reach["message"]
    telemetry = check(result, "telemetry_upload")
    assert telemetry["status"] == "unknown"
    assert "3 days ago" in telemetry["message"]  # history is shown, but not trusted as reporting
    assert all(check(result, cid)["status"] == "unknown" for cid in CHECK_IDS[2:])


def test_not_installed_is_non_compliant():
    result = evaluate_server(make_record("ls01", installed=False), as_of=AS_OF)
    assert result["status"] == "non_compliant"
    assert check(result, "reachable")["status"] == "pass"
    installed = check(result, "ls_installed")
    assert installed["status"] == "fail" and "ctxlic.license_server.site" in installed["message"]
    assert "connectivity" not in installed["remediation"]


# --------------------------------------------------------------------------- telemetry_upload


@pytest.mark.parametrize(
    ("upload", "history", "expected", "days"),
    [
        ({"time": ago(1)}, None, "pass", 1),
        ({"time": ago(90)}, None, "warn", 90),  # "must not be greater than 90 days": still reporting
        ({"time": ago(91)}, None, "fail", 91),
        ({"time": ago(80)}, None, "warn", 80),  # within upload_warning_days of the limit
        (FAILED_UPLOAD, {"time": ago(40)}, "warn", 40),  # latest failed, history success 40 days ago
        (FAILED_UPLOAD, {"time": ago(120)}, "fail", 120),
        (FAILED_UPLOAD, None, "fail", None),  # failing and no success on record
        ({"__replace__": True, "status": "unknown", "reason": "file missing"}, None, "unknown", None),
        ({"__replace__": True, "status": "unknown"}, {"time": ago(5)}, "pass", 5),
        ({"time": ago(60)}, {"time": ago(2)}, "pass", 2),  # newest success wins
        ({"time": ago(2)}, {"time": ago(60)}, "pass", 2),
        ({"time": ago(-5)}, None, "fail", None),  # a success in the future is never credited (issue 14.5, 15.3)
    ],
)
def test_telemetry_upload(upload, history, expected, days):
    result = evaluate_server(make_record("ls01", upload=upload), as_of=AS_OF, last_success=history)
    telemetry = check(result, "telemetry_upload")
    assert telemetry["status"] == expected, telemetry["message"]
    assert telemetry["evidence"]["days_since_success"] == days
    assert result["reporting"] is (expected in ("pass", "warn"))


def test_failed_latest_attempt_uses_evidence_history_and_shows_both():
    record = make_record("ls01", upload=FAILED_UPLOAD)
    result = evaluate_server(record, as_of=AS_OF, last_success={"status": "success", "time": ago(12),
                                                                "code": "CTX_UPLOADER_SUCCESS"})
    telemetry = check(result, "telemetry_upload")
    evidence = telemetry["evidence"]
    assert evidence["last_attempt"]["status"] == "failure"
    assert evidence["last_attempt"]["time"] == FAILED_UPLOAD["time"]
    assert evidence["last_success"] == ago(12)
    assert evidence["last_success_source"] == "evidence history"
    assert evidence["deadline"] == (AS_OF - timedelta(days=12) + timedelta(days=90)).date().isoformat()
    assert "CTX_UPLOADER_ERROR_NETWORK_OPEN" in telemetry["message"]
    assert "12 days ago" in telemetry["message"]
    assert "proxy" in telemetry["message"]  # what to do, automatic mode
    assert result["facts"]["last_success_source"] == "evidence history"


def test_history_accepts_unix_time_and_ignores_non_success_rows():
    record = make_record("ls01", upload=FAILED_UPLOAD)
    unix = int((AS_OF - timedelta(days=3)).timestamp())
    assert check(evaluate_server(record, as_of=AS_OF, last_success={"time": unix}),
                 "telemetry_upload")["evidence"]["days_since_success"] == 3
    ignored = check(evaluate_server(record, as_of=AS_OF, last_success={"status": "failure", "time": ago(3)}),
                    "telemetry_upload")
    assert ignored["status"] == "fail"
    assert "not a success" in ignored["evidence"]["notes"][0]


def test_manual_mode_telemetry_fix_names_cis_upload():
    record = make_record("ls01", reporting_mode="manual", upload={"time": ago(95)})
    message = check(evaluate_server(record, as_of=AS_OF), "telemetry_upload")["message"]
    assert "Citrix Insight Services" in message and "CTX472950" in message


def test_max_upload_age_is_configurable():
    record = make_record("ls01", upload={"time": ago(40)})
    assert status_of(record, "telemetry_upload", max_upload_age_days=30) == "fail"


# --------------------------------------------------------------------------- upgrade_window


@pytest.mark.parametrize(
    ("window", "version", "expected"),
    [
        ({"status": "current"}, None, "pass"),
        ({"status": "within_window", "days_left": 100, "deadline": day(100)}, None, "pass"),
        ({"status": "within_window", "days_left": 20, "deadline": day(20)}, None, "warn"),
        ({"status": "within_window", "days_left": 60, "due_soon": True}, None, "warn"),
        ({"status": "due_soon", "days_left": 5}, None, "warn"),
        ({"status": "overdue", "days_overdue": 30, "deadline": day(-30)}, None, "fail"),
        ({"status": "below_floor", "days_overdue": 1000}, None, "fail"),
        ({"status": "unknown"}, None, "unknown"),
        ({"status": "bogus"}, None, "unknown"),
        ({"status": "current"}, "none", "unknown"),
    ],
)
def test_upgrade_window(window, version, expected):
    overrides = {"window": {"__replace__": True, **window}}
    if version == "none":
        overrides["version"] = None
    result = evaluate_server(make_record("ls01", **overrides), as_of=AS_OF)
    upgrade = check(result, "upgrade_window")
    assert upgrade["status"] == expected, upgrade["message"]
    if expected in ("warn", "fail"):
        assert "ctxlic.license_server.upgrade playbook" in upgrade["message"]
    if expected == "fail":
        assert result["status"] == "non_compliant"


def test_missing_window_makes_the_server_unknown():
    result = evaluate_server(make_record("ls01", window=None), as_of=AS_OF)
    assert check(result, "upgrade_window")["status"] == "unknown"
    assert result["status"] == "unknown"


# --------------------------------------------------------------------------- reporting_mode and pending_bundles


STALE_ZIPS = {"count": 2, "bytes": 2048, "oldest": ago(45), "newest": ago(1)}
FRESH_ZIPS = {"count": 1, "bytes": 1024, "oldest": ago(3), "newest": ago(3)}


@pytest.mark.parametrize(
    ("mode", "pending", "expected"),
    [
        ("automatic", None, "pass"),
        ("manual", None, "pass"),
        ("manual", FRESH_ZIPS, "pass"),
        ("manual", STALE_ZIPS, "warn"),
        ("automatic", STALE_ZIPS, "pass"),
        ("unknown", None, "unknown"),
    ],
)
def test_reporting_mode(mode, pending, expected):
    overrides = {"reporting_mode": mode}
    if pending:
        overrides["pending_uploads"] = pending
    reporting = check(evaluate_server(make_record("ls01", **overrides), as_of=AS_OF), "reporting_mode")
    assert reporting["status"] == expected, reporting["message"]
    if mode == "manual" and expected == "pass":
        assert "telemetry_upload" in reporting["message"]  # manual mode relies on the upload check


def test_reporting_mode_pending_age_is_configurable():
    record = make_record("ls01", reporting_mode="manual", pending_uploads=STALE_ZIPS)
    assert status_of(record, "reporting_mode", pending_max_age_days=60) == "pass"


@pytest.mark.parametrize(
    ("mode", "pending", "disk", "expected"),
    [
        ("automatic", None, None, "pass"),
        ("manual", FRESH_ZIPS, None, "warn"),
        ("automatic", FRESH_ZIPS, None, "pass"),
        ("automatic", None, {"free_bytes": 100 * 1024**2, "total_bytes": 100 * 1024**3}, "warn"),
        ("automatic", None, {"free_bytes": 2 * 1024**3, "total_bytes": 1000 * 1024**3}, "warn"),  # < 5 %
        ("automatic", "missing", "missing", "unknown"),
    ],
)
def test_pending_bundles(mode, pending, disk, expected):
    overrides = {"reporting_mode": mode}
    if pending == "missing":
        overrides.update(pending_uploads=None, disk=None)
    else:
        if pending:
            overrides["pending_uploads"] = pending
        if disk:
            overrides["disk"] = disk
    result = check(evaluate_server(make_record("ls01", **overrides), as_of=AS_OF), "pending_bundles")
    assert result["status"] == expected, result["message"]
    if expected == "warn":
        assert "Fix:" in result["message"]


def test_pending_bundles_message_keeps_units():
    record = make_record("ls01", reporting_mode="manual", pending_uploads={"count": 3, "bytes": 3 * 1024**2})
    assert "3.0 MiB" in check(evaluate_server(record, as_of=AS_OF), "pending_bundles")["message"]


# --------------------------------------------------------------------------- licenses_expired


def licenses(*files: dict) -> dict:
    return {"licenses": {"__replace__": True, "files": list(files), "in_use": {}}}


@pytest.mark.parametrize(
    ("files", "kwargs", "expected", "needle"),
    [
        ([], {}, "pass", "No license files"),
        ([lic_file("a.lic", "LS01", [feature()])], {}, "pass", "none expired"),
        ([lic_file("a.lic", "LS01", [feature(expiry="permanent")])], {}, "pass", "none expired"),
        ([lic_file("a.lic", "LS01", [feature(expiry=day(-1))])], {}, "fail", "expired"),
        ([lic_file("a.lic", "LS01", [feature(expiry="01-jan-2020")])], {}, "fail", "2020-01-01"),
        ([lic_file("a.lic", "LS01", [feature(start=day(10))])], {}, "fail", "START in the future"),
        ([lic_file("a.lic", "LS01", [feature(start=day(10))])], {"future_start_status": "warn"}, "warn", "START"),
        ([lic_file("a.lic", "LS01", [feature(expiry=day(10))])], {}, "warn", "expiring soon"),
        ([lic_file("a.lic", "LS01", [feature(expiry=day(10))])], {"expiry_warning_days": 5}, "pass", "none"),
        ([lic_file("a.lic", "LS01", [], errors=[{"code": "multiple_hostnames", "message": "2 HOSTNAME="}])], {},
         "warn", "multiple_hostnames"),
        ([lic_file("a.lic", "ls01", [feature()])], {}, "warn", "case-sensitive"),
        ([lic_file("a.lic", "LS01", [feature(expiry="31-foo-2020")])], {}, "warn", "unreadable"),
        ([lic_file("a.lic", "LS01", [feature()], warnings=[{"code": "expired", "message": "parser clock"}])], {},
         "pass", "none expired"),
        ([lic_file("a.lic", "LS01", [feature()], warnings=[{"code": "no_vendor_line", "message": "no VENDOR"}])],
         {}, "warn", "no_vendor_line"),
        ([lic_file("a.lic", "LS01", [feature(css_date="2020.0101")])], {}, "pass", "none expired"),
        ([lic_file("a.lic", "LS01", [feature(css_date="2020.0101")])], {"css_lapsed_status": "warn"}, "warn", "CSS"),
        ([lic_file("a.lic", "LS01", [feature(css_date="2020.0101")])], {"css_lapsed_status": "fail"}, "fail", "CSS"),
    ],
)
def test_licenses_expired(files, kwargs, expected, needle):
    result = check(evaluate_server(make_record("ls01", **licenses(*files)), as_of=AS_OF, **kwargs),
                   "licenses_expired")
    assert result["status"] == expected, result["message"]
    assert needle in result["message"]
    if expected in ("warn", "fail"):
        assert "ctxlic.license_server.deploy_licenses playbook" in result["message"]


def test_licenses_not_gathered_is_unknown():
    assert status_of(make_record("ls01", licenses=None), "licenses_expired") == "unknown"


# --------------------------------------------------------------------------- licenses_surplus


@pytest.mark.parametrize(
    ("files", "purchased", "kwargs", "expected"),
    [
        ([lic_file("a.lic", "LS01", [feature(count=100)])], None, {}, "unknown"),
        ([lic_file("a.lic", "LS01", [feature(count=100)])], {"XDT_PLT_UD": 100}, {}, "pass"),
        ([lic_file("a.lic", "LS01", [feature(count=100)]), lic_file("b.lic", "LS01", [feature(count=50)])],
         {"XDT_PLT_UD": 100}, {}, "fail"),
        ([lic_file("a.lic", "LS01", [feature("XDT_ENT_UD", 5)])], {"XDT_PLT_UD": 100}, {}, "fail"),  # never bought
        ([lic_file("citrix_startup.lic", "LS01", [feature("CITRIX", 0)]), lic_file("a.lic", "LS01", [feature()])],
         {"XDT_PLT_UD": 100}, {}, "pass"),
        ([lic_file("a.lic", "LS01", [feature(count=100, expiry=day(-5))]), lic_file("b.lic", "LS01", [feature()])],
         {"XDT_PLT_UD": 100}, {}, "fail"),  # an expired line still counts as installed (002)
        ([lic_file("a.lic", "LS01", [feature(count=100, expiry=day(-5))]), lic_file("b.lic", "LS01", [feature()])],
         {"XDT_PLT_UD": 100}, {"surplus_basis": "active"}, "pass"),
    ],
)
def test_licenses_surplus(files, purchased, kwargs, expected):
    result = check(evaluate_server(make_record("ls01", **licenses(*files)), as_of=AS_OF, purchased=purchased,
                                   **kwargs), "licenses_surplus")
    assert result["status"] == expected, result["message"]
    if expected == "fail":
        assert "purchased" in result["message"]
        assert "ctxlic.license_server.deploy_licenses playbook" in result["message"]
    if expected == "unknown":
        assert "Skipped" in result["message"]


# --------------------------------------------------------------------------- dates and bad input


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2027-01-01", date(2027, 1, 1)),
        ("01-jan-2027", date(2027, 1, 1)),
        ("1-JAN-2027", date(2027, 1, 1)),
        ("2026.1201", date(2026, 12, 1)),
        ("2026-11-20T03:00:00Z", date(2026, 11, 20)),
        ("permanent", "permanent"),
        ("PERMANENT", "permanent"),
        ("0", "permanent"),
        ("1-jan-0", "permanent"),
        (None, None),
    ],
)
def test_parse_day(text, expected):
    assert parse_day(text) == expected


@pytest.mark.parametrize(
    ("call", "needle"),
    [
        (lambda: evaluate_server(["not", "a", "dict"], as_of=AS_OF), "record must be"),
        (lambda: evaluate_server({"reachable": True}, as_of=AS_OF), "no 'host'"),
        (lambda: evaluate_server(make_record("a"), as_of="2026-11-22"), "as_of must be a datetime"),
        (lambda: evaluate_server(make_record("a"), as_of=AS_OF, purchased=[1]), "purchased must be"),
        (lambda: evaluate_server(make_record("a"), as_of=AS_OF, purchased={"X": -1}), "non-negative"),
        (lambda: evaluate_server(make_record("a"), as_of=AS_OF, max_upload_age_days=-1), "max_upload_age_days"),
        (lambda: evaluate_server(make_record("a"), as_of=AS_OF, future_start_status="maybe"), "future_start"),
        (lambda: evaluate_server(make_record("a"), as_of=AS_OF, last_success="yesterday"), "last_success"),
        (lambda: evaluate_server(make_record("a"), as_of=AS_OF, min_free_disk_ratio=2), "between 0 and 1"),
        (lambda: evaluate_fleet("nope"), "server_results"),
        (lambda: evaluate_fleet([{"host": "x"}]), "not an evaluate_server"),
        (lambda: evaluate_fleet([], obsolete_allocations="OLD"), "obsolete_allocations"),
        (lambda: evaluate_fleet([], obsolete_allocations=[{"products": []}]), "no host name"),
        (lambda: catalog_notice(["x"]), "catalog must be"),
    ],
)
def test_bad_input_raises_input_error(call, needle):
    with pytest.raises(InputError, match=needle):
        call()


def test_naive_as_of_is_utc():
    naive = AS_OF.replace(tzinfo=None)
    assert evaluate_server(make_record("a"), as_of=naive) == evaluate_server(make_record("a"), as_of=AS_OF)


_scalars = st.none() | st.booleans() | st.integers(-10**12, 10**12) | st.floats(allow_nan=True) | st.text(max_size=30)
_values = st.recursive(_scalars, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8),
                                                                                             inner, max_size=3),
                       max_leaves=8)
_keys = st.sampled_from(["reachable", "failed", "installed", "hostname", "version", "reporting_mode", "upload",
                         "pending_uploads", "disk", "licenses", "window", "management_service", "error"])


@settings(max_examples=200, deadline=None)
@given(overrides=st.dictionaries(_keys, _values, max_size=6), history=st.none() | st.dictionaries(
    st.sampled_from(["time", "status"]), _scalars, max_size=2))
def test_arbitrary_records_never_raise_foreign_exceptions(overrides, history):
    record = {**make_record("ls01"), **overrides}
    try:
        result = evaluate_server(record, as_of=AS_OF, last_success=history, purchased={"XDT_PLT_UD": 1})
    except CtxlicError:
        return
    assert result["status"] in ("compliant", "non_compliant", "unknown")
    assert all(c["status"] in ("pass", "warn", "fail", "unknown") for c in result["checks"])


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=30) | st.integers() | st.floats(allow_nan=True))
def test_date_parsers_raise_only_their_own_error(value):
    for parser in (values.parse_day, values.parse_instant):
        with contextlib.suppress(values.Unreadable):
            parser(value)


# --------------------------------------------------------------------------- fleet


def results_for(*reporting: bool) -> list[dict]:
    out = []
    for index, ok in enumerate(reporting):
        upload = {"time": ago(1)} if ok else {"time": ago(200)}
        out.append(evaluate_server(make_record(f"ls{index:02d}", upload=upload), as_of=AS_OF))
    return out


@pytest.mark.parametrize(
    ("reporting", "obsolete", "expected"),
    [
        ((True, True, True), (), "Compliant"),
        ((True, False, True), (), "Partially Compliant"),
        ((False, False), (), "Non-Compliant"),
        ((True, True), ("OLD-LS",), "Partially Compliant"),  # obsolete allocations never report (002)
        ((), ("OLD-LS",), "Non-Compliant"),
        ((), (), "Unknown"),
    ],
)
def test_fleet_status(reporting, obsolete, expected):
    fleet = evaluate_fleet(results_for(*reporting), obsolete_allocations=list(obsolete))
    assert fleet["status"] == expected
    assert fleet["counts"]["allocated"] == len(reporting) + len(obsolete)
    assert fleet["counts"]["reporting"] == sum(reporting)
    assert fleet["action_required"] is (expected != "Compliant")
    if expected == "Unknown":
        assert "No license servers" in fleet["status_reason"]


def test_obsolete_allocations_are_listed_with_return_instruction():
    fleet = evaluate_fleet(results_for(True), obsolete_allocations=[
        {"host": "MyLicenseServer1", "products": ["XDT_PLT_UD"], "quantity_total": 1000, "case_mismatch": False,
         "inventory_host": None}])
    (row,) = fleet["obsolete_allocations"]
    assert row["host"] == "MyLicenseServer1" and row["quantity_total"] == 1000
    assert "obsolete license server — return these allocations" in row["message"].lower()
    assert {"host": "MyLicenseServer1", "reason": "obsolete license server — return these allocations"} in \
        fleet["not_reporting"]
    assert fleet["status"] == "Partially Compliant"


def test_obsolete_entry_matching_the_inventory_is_not_counted():
    results = results_for(True)
    fleet = evaluate_fleet(results, obsolete_allocations=["LS00", {"host": "ls00.corp", "case_mismatch": True,
                                                                   "inventory_host": "ls00"}])
    assert fleet["obsolete_allocations"] == []
    assert fleet["status"] == "Compliant"
    assert len(fleet["notes"]) == 2


def test_servers_sharing_a_host_name_are_one_allocation():
    primary = evaluate_server(make_record("ls-prod", hostname="CTXLS"), as_of=AS_OF)
    standby = evaluate_server(make_record("ls-dr", hostname="CTXLS", upload={"time": ago(300)}), as_of=AS_OF)
    fleet = evaluate_fleet([primary, standby])
    assert fleet["counts"]["servers"] == 2
    assert fleet["counts"]["allocated"] == 1
    assert fleet["status"] == "Compliant"


def test_mixed_fleet_counts_and_findings():
    fleet = evaluate_fleet(evaluated_fleet(), obsolete_allocations=["OLD-LS"], as_of=AS_OF)
    counts = fleet["counts"]
    assert fleet["status"] == "Partially Compliant"
    assert counts["servers"] == 13
    assert counts["unreachable"] == 1
    assert counts["overdue_upgrade"] == 2
    assert counts["expired_licenses"] == 1
    assert counts["manual_mode"] == 2
    assert counts["not_reporting"] == counts["allocated"] - counts["reporting"]
    not_reporting = {row["host"] for row in fleet["not_reporting"]}
    assert {"ls-unreachable", "ls-never", "ls-firewalled-long", "ls-manual-late", "OLD-LS"} == not_reporting
    findings = {f["id"]: f for f in fleet["other_findings"]}
    assert findings["upgrade_overdue"]["hosts"] == ["ls-below-floor", "ls-overdue"]
    assert findings["licenses_expired"]["severity"] == "fail"
    assert findings["catalog_stale"]["severity"] == "warn"  # no catalog given
    assert fleet["action_required"] is True


def test_other_findings_do_not_change_the_faq_status():
    record = make_record("ls01", window={"status": "overdue", "days_overdue": 10})
    fleet = evaluate_fleet([evaluate_server(record, as_of=AS_OF)], catalog={"fetched_at": ago(1)}, as_of=AS_OF)
    assert fleet["status"] == "Compliant"
    assert fleet["action_required"] is True
    assert [f["id"] for f in fleet["other_findings"]] == ["upgrade_overdue"]


def test_fleet_wide_surplus():
    results = [evaluate_server(make_record(f"ls{i}"), as_of=AS_OF) for i in range(3)]  # 3 x 100 installed
    fleet = evaluate_fleet(results, purchased={"XDT_PLT_UD": 250}, catalog={"fetched_at": ago(1)}, as_of=AS_OF)
    (finding,) = [f for f in fleet["other_findings"] if f["id"] == "fleet_surplus"]
    assert finding["features"] == [{"feature": "XDT_PLT_UD", "installed": 300, "purchased": 250, "surplus": 50}]
    assert fleet["action_required"] is True


def test_fully_compliant_fleet_with_fresh_catalog_needs_nothing():
    fleet = evaluate_fleet(results_for(True, True), catalog={"fetched_at": ago(1), "releases": []}, as_of=AS_OF)
    assert fleet["status"] == "Compliant"
    assert fleet["action_required"] is False
    assert fleet["attention_required"] is False


# --------------------------------------------------------------------------- catalog


def test_catalog_notice_variants():
    missing = catalog_notice(None)
    assert missing["stale"] is True and "look current" in missing["message"]

    fresh = catalog_notice({"releases": [{"version": "11.17.2 build 49000", "released": "2024-08-12"},
                                         {"version": "11.17.2 build 51000", "released": "2024-12-10"}],
                            "fetched_at": ago(3), "origin": "shipped"}, as_of=AS_OF)
    assert (fresh["stale"], fresh["newest_release"], fresh["newest_release_date"]) == (
        False, "11.17.2 build 51000", "2024-12-10")
    assert fresh["age_days"] == 3 and fresh["source"] == "shipped"

    old = catalog_notice({"fetched_at": ago(45)}, as_of=AS_OF, max_age_days=30)
    assert old["stale"] is True and old["message"].startswith("STALE")

    verdict = catalog_notice({"stale": True, "newest_release": "11.17.2 build 51000", "age_days": 700,
                              "newest_release_date": "2024-12-10", "message": "newest release is 700 days old"})
    assert verdict["stale"] is True and verdict["age_days"] == 700
    assert verdict["message"] == "STALE release catalog: newest release is 700 days old"


def test_as_of_in_another_time_zone_is_converted_to_utc():
    plus_two = AS_OF.astimezone(timezone(timedelta(hours=2)))
    result = evaluate_server(make_record("a", upload={"time": ago(90)}), as_of=plus_two)
    assert result["as_of"] == "2026-11-22T12:00:00Z"
    assert check(result, "telemetry_upload")["evidence"]["days_since_success"] == 90


def test_cluster_files_are_judged_against_the_client_access_point():
    """Citrix Licensing 11.17.2 build 49000 documentation, Clustered License Servers (seed 004 ~4644): license files
    for a cluster name the client access point as the host name, so the node name must not flag them."""
    record = make_record("ls01", hostname="NODE1", **licenses(lic_file("a.lic", "LSCLUSTER", [feature()])))
    assert check(evaluate_server(record, as_of=AS_OF), "licenses_expired")["status"] == "warn"
    record["cluster_access_point"] = "LSCLUSTER"
    assert check(evaluate_server(record, as_of=AS_OF), "licenses_expired")["status"] == "pass"


@pytest.mark.parametrize("moment", ["0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-14:00"])
def test_a_time_outside_utc_range_is_unknown_not_a_crash(moment: str) -> None:
    """Times are read through timeutil (issue 16): such a time raised OverflowError out of evaluate_server."""
    with pytest.raises(values.Unreadable):
        values.parse_instant(moment)
    result = evaluate_server(make_record("ls01", upload={"time": moment}), as_of=AS_OF)
    assert check(result, "telemetry_upload")["status"] == "unknown"
