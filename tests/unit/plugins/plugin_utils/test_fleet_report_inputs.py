# Copyright: (c) 2026, ctxlic maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Tests for turning registered info results into fleet-report inputs, and the fail_on decision."""

from __future__ import annotations


import pytest

from ansible_collections.ctxlic.license_server.plugins.plugin_utils._compliance import inputs as fr
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._compliance.fleet import evaluate_fleet
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._compliance.server_checks import evaluate_server
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._common.errors import InputError
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._server.info_record import empty_record
from clock import NOW


def gathered(host: str, **fields) -> dict:
    record = empty_record(host)
    record.update(installed=True, hostname=host.upper(), observed_at="2026-11-22T11:00:00Z",
                  version={"text": "11.17.2.0 build 51000", "major": 11, "minor": 17, "patch": 2, "build": 51000},
                  reporting_mode="automatic", window={"status": "current", "deadline": None},
                  upload={"status": "success", "code": "CTX_UPLOADER_SUCCESS", "message": "", "arg": None,
                          "time": "2026-11-21T03:00:00Z", "upload_type": "CTX_UPLOAD_TYPE_COMPLIANCE",
                          "reason": None, "hint": None})
    record.update(fields)
    return record


# -- records -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("registered", "reachable", "text"),
    [
        (None, True, "no 'ctxlic_info' result"),
        ("oops", True, "is a str"),
        ({"unreachable": True, "msg": "ssh: connect to host 127.0.0.1 port 1"}, False, "host unreachable: ssh"),
        ({"failed": True, "msg": "is not a lab host"}, True, "the info gather failed: is not a lab host"),
        ({"skipped": True, "skip_reason": "Conditional result was False"}, True, "was skipped"),
        ({"changed": False}, True, "has no 'server' record"),
    ],
)
def test_unusable_results_become_failed_records(registered, reachable: bool, text: str) -> None:
    record = fr.record_from_result("ls01", registered, "ctxlic_info")
    assert record["host"] == "ls01" and record["failed"] is True and record["reachable"] is reachable
    assert text in record["error"]
    result = evaluate_server(record, as_of=NOW)
    assert result["status"] == "unknown" and result["reporting"] is False


def test_a_good_result_yields_its_server_record_under_the_inventory_name() -> None:
    server = gathered("other-name")
    record = fr.record_from_result("ls01", {"changed": False, "server": server}, "ctxlic_info")
    assert record["host"] == "ls01" and record["failed"] is False and record["upload"]["status"] == "success"


def test_apply_window_takes_a_successful_upgrade_window_verdict_only() -> None:
    record = gathered("ls01")
    fresh = {"window": {"status": "overdue", "deadline": "2025-06-01"}, "catalog": {}}
    assert fr.apply_window(record, fresh)["window"]["status"] == "overdue"
    for ignored in (None, {"failed": True, "window": {"status": "x"}}, {"skipped": True}, {"window": "bad"}):
        assert fr.apply_window(record, ignored)["window"]["status"] == "current"
    failed = fr.record_from_result("ls02", None, "ctxlic_info")
    assert fr.apply_window(failed, fresh)["window"] is None


def test_catalog_from_windows_and_stale_message_mapping() -> None:
    results = [None, {"skipped": True}, {"failed": True, "catalog": {"newest": "x"}},
               {"catalog": {"newest": "11.17.2 build 51000", "stale": True, "stale_message": "old catalog"}}]
    catalog = fr.normalise_catalog(fr.catalog_from_windows(results))
    assert catalog["newest"] == "11.17.2 build 51000" and catalog["message"] == "old catalog"
    assert fr.catalog_from_windows([None]) is None and fr.normalise_catalog(None) is None
    with pytest.raises(InputError, match="catalog"):
        fr.normalise_catalog(["not", "a", "dict"])


@pytest.mark.parametrize(
    ("records", "message"),
    [
        ("x", "must be a list"),
        ([{"hostname": "LS01"}], r"records\[0\]"),
        ([{"host": "a"}, {"host": "a"}], "appears twice"),
    ],
)
def test_check_records_rejects_bad_input(records, message: str) -> None:
    with pytest.raises(InputError, match=message):
        fr.check_records(records)


def test_observation_only_for_verified_records() -> None:
    record = gathered("ls01")
    assert fr.observation(record) == ("2026-11-22T11:00:00Z", record["upload"])
    assert fr.observation(fr.record_from_result("ls02", None, "ctxlic_info")) is None
    assert fr.observation({**record, "upload": None}) is None
    assert fr.observation({**record, "observed_at": None}) is None


def test_inventory_names_include_ls_host_names() -> None:
    assert fr.inventory_names([gathered("ls01"), {"host": "ls02", "hostname": None}]) == ["ls01", "LS01", "ls02"]


# -- fail_on -------------------------------------------------------------------------------------


def _fleet(*records: dict) -> dict:
    return evaluate_fleet([evaluate_server(r, as_of=NOW) for r in records], as_of=NOW)


@pytest.mark.parametrize(
    ("fleet_kind", "fail_on", "fails"),
    [
        ("compliant", "never", False),
        ("compliant", "non_compliant", False),
        ("compliant", "partially_compliant", False),
        ("partial", "never", False),
        ("partial", "non_compliant", False),
        ("partial", "partially_compliant", True),
        ("partial", "action_required", True),
        ("none", "non_compliant", True),
        ("none", "partially_compliant", True),
        ("empty", "partially_compliant", True),
        ("empty", "non_compliant", False),
    ],
)
def test_fail_message(fleet_kind: str, fail_on: str, fails: bool) -> None:
    down = fr.record_from_result("ls-down", {"unreachable": True, "msg": "timed out"}, "ctxlic_info")
    members = {"compliant": (gathered("ls01"),), "partial": (gathered("ls01"), down), "none": (down,), "empty": ()}
    fleet = _fleet(*members[fleet_kind])
    message = fr.fail_message(fail_on, fleet)
    assert (message is not None) is fails
    if message:
        assert fleet["status"] in message and f"fail_on={fail_on}" in message
        if fleet_kind in ("partial", "none"):
            assert "ls-down" in message


def test_fail_message_action_required_covers_other_findings() -> None:
    overdue = gathered("ls01", window={"status": "overdue", "deadline": "2025-06-01", "days_overdue": 500})
    fleet = _fleet(overdue)
    assert fleet["status"] == "Compliant"
    assert fr.fail_message("partially_compliant", fleet) is None
    assert "Upgrade overdue: ls01" in fr.fail_message("action_required", fleet)


def test_fail_message_rejects_unknown_choice() -> None:
    with pytest.raises(InputError, match="fail_on"):
        fr.fail_message("sometimes", {"status": "Compliant"})


def test_summaries_are_sorted_and_complete() -> None:
    down = fr.record_from_result("a-down", None, "ctxlic_info")
    results = [evaluate_server(gathered("ls01"), as_of=NOW), evaluate_server(down, as_of=NOW)]
    servers = fr.server_summaries(results)
    assert [s["host"] for s in servers] == ["a-down", "ls01"]
    assert {c["id"] for c in servers[1]["checks"]} >= {"reachable", "telemetry_upload", "upgrade_window"}
    summary = fr.fleet_summary(evaluate_fleet(results, as_of=NOW))
    assert summary["status"] == "Partially Compliant" and summary["not_reporting"][0]["host"] == "a-down"
