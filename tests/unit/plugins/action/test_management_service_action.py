# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The management_service action plugin; the program answers as the lab's ctx_license_management_service.exe did."""

from __future__ import annotations

from act2_recorded import INSTALL, lab_host, recorded
from fake_host import ok

EXE = INSTALL + r"\LS\ctx_license_management_service.exe"


def answer(name: str):
    data = recorded("act2_management_service.json")["answers"][name]
    return ok(data["stdout"], data["rc"], data["stderr"])


def server(*answers: str):
    """The recorded DR lab host (management service enabled), its program answering ``answers`` in order."""
    return lab_host("dr_dr_before", files={EXE: b"MZ"},
                    programs={"ctx_license_management_service.exe": [answer(a) for a in answers]})


def runs(host) -> list[tuple]:
    return [(args[0][1], args[2]) for op, args in host.log if op == "run"]


def test_query_reports_the_state_and_changes_nothing(run_action) -> None:
    host = server("query_enabled")
    result = run_action("management_service", {"state": "query"}, host, diff=True)
    assert result["changed"] is False and result["enabled"] is True and result["reporting_mode"] == "automatic"
    assert "diff" not in result and "warnings" not in result
    assert runs(host) == [("-query", True)] and host.changes() == []


def test_disable_runs_the_switch_confirms_it_and_warns_about_manual_reporting(run_action) -> None:
    host = server("query_enabled", "disable", "query_disabled")
    result = run_action("management_service", {"state": "disabled"}, host, diff=True)
    assert result["changed"] is True and result["enabled"] is False and not result.get("failed"), result
    assert result["command_output"] == "License Management Service disabled successfully.\n"
    assert runs(host) == [("-query", True), ("-disable", False), ("-query", True)]
    assert result["diff"]["before_header"] == f"{EXE} -query"
    assert result["diff"]["before"] != result["diff"]["after"]
    [warning] = result["warnings"]
    assert warning.startswith("The License Management Service is disabled: electronic license reporting is off")


def test_check_mode_does_not_run_the_switch(run_action) -> None:
    host = server("query_enabled")
    result = run_action("management_service", {"state": "disabled"}, host, check_mode=True)
    assert result["changed"] is True and result["enabled"] is False
    assert runs(host) == [("-query", True)] and host.changes() == []


def test_enabled_when_enabled_is_unchanged(run_action) -> None:
    host = server("query_enabled")
    result = run_action("management_service", {"state": "enabled"}, host, diff=True)
    assert result["changed"] is False and result["diff"]["before"] == result["diff"]["after"]
    assert host.changes() == []


def test_an_answer_the_parser_does_not_know_fails_without_changing_anything(run_action) -> None:
    host = server("bad_flag")
    result = run_action("management_service", {"state": "enabled"}, host)
    assert result["failed"] is True and result["msg"].startswith("could not tell whether the License Management "
                                                                 "Service is enabled")
    assert result["query_rc"] == 2 and host.changes() == []


def test_a_switch_the_query_does_not_confirm_fails(run_action) -> None:
    host = server("query_enabled", "disable", "query_enabled")
    result = run_action("management_service", {"state": "disabled"}, host)
    assert result["failed"] is True and "reported success but '-query' then said" in result["msg"]


def test_bad_input_fails_before_the_host_is_touched(run_action) -> None:
    result = run_action("management_service", {"state": "on"}, None)
    assert result["failed"] is True and "state" in result["msg"]
    result = run_action("management_service", {}, None)
    assert result["failed"] is True and "state" in result["msg"]
