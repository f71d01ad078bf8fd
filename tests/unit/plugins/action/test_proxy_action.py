# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The proxy action plugin on the recorded lab DR host (Citrix Web Services for Licensing running, no proxy)."""

from __future__ import annotations

from act2_recorded import PROXY_XML, lab_host

WEB = "CitrixWebServicesforLicensing"
PROXY = "proxy.corp.example:8080"


def test_setting_a_proxy_edits_the_file_with_a_backup_and_restarts_the_web_service(run_action) -> None:
    host = lab_host("dr_dr_before")
    before = host.content(PROXY_XML)
    result = run_action("proxy", {"proxy": PROXY}, host, diff=True)
    assert result["changed"] is True and not result.get("failed"), result
    assert result["proxy"] == PROXY and result["previous_proxy"] is None and result["service_restarted"] is True
    assert f"<Proxy>{PROXY}</Proxy>".encode() in host.content(PROXY_XML)
    assert host.content(result["backup_file"]) == before
    assert host.changes() == [("write_file", (PROXY_XML, True)), ("set_service", (WEB, "restarted"))]
    assert result["diff"]["before_header"] == PROXY_XML and PROXY in result["diff"]["after"]
    assert PROXY not in result["diff"]["before"]


def test_check_mode_changes_nothing(run_action) -> None:
    host = lab_host("dr_dr_before")
    result = run_action("proxy", {"proxy": PROXY}, host, check_mode=True)
    assert result["changed"] is True and result["service_restarted"] is True and result["backup_file"] is None
    assert host.changes() == [] and "diff" not in result


def test_the_same_proxy_again_changes_nothing(run_action) -> None:
    host = lab_host("dr_dr_before")
    run_action("proxy", {"proxy": PROXY}, host)
    host.log.clear()
    again = run_action("proxy", {"proxy": PROXY}, host, diff=True)
    assert again["changed"] is False and again["previous_proxy"] == PROXY and "diff" not in again
    assert host.changes() == []


def test_removing_the_proxy_of_the_recorded_primary(run_action) -> None:
    host = lab_host("dr_primary")
    result = run_action("proxy", {"state": "absent", "restart_service": False}, host)
    assert result["changed"] is True and result["previous_proxy"] == PROXY and result["proxy"] is None
    assert b"<Proxy>" not in host.content(PROXY_XML)
    assert host.changes() == [("write_file", (PROXY_XML, True))]


def test_a_stopped_web_service_is_left_stopped_with_a_warning(run_action) -> None:
    host = lab_host("dr_dr_before")
    host.services[WEB.lower()]["state"] = "stopped"
    result = run_action("proxy", {"proxy": PROXY}, host)
    assert result["changed"] is True and result["service_restarted"] is False
    assert result["warnings"] == [f"service {WEB!r} is stopped; it was left as it is and reads the new setting "
                                  "when it starts"]


def test_a_missing_configuration_file(run_action) -> None:
    host = lab_host("dr_drnone_before", registry={
        (r"HKLM\SOFTWARE\WOW6432Node\Citrix\LicenseServer\Install", "LS_Install_Dir"):
            r"C:\Program Files (x86)\Citrix\Licensing"})
    result = run_action("proxy", {"proxy": PROXY}, host)
    assert result["failed"] is True and result["msg"].startswith(f"{PROXY_XML} does not exist")
    assert "seed" not in result["msg"]
    absent = run_action("proxy", {"state": "absent"}, host)
    assert absent["changed"] is False and absent["warnings"] == [
        f"{PROXY_XML} does not exist, so no proxy is configured there; nothing to remove"]
    assert host.changes() == []


def test_bad_input_fails_before_the_host_is_touched(run_action) -> None:
    result = run_action("proxy", {"state": "absent", "proxy": PROXY}, None)
    assert result["failed"] is True and "only used with state=present" in result["msg"]
    result = run_action("proxy", {}, None)
    assert result["failed"] is True and "proxy" in result["msg"]
    result = run_action("proxy", {"proxy": "http://user:secret@proxy:8080"}, None)
    assert result["failed"] is True
