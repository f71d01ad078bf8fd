# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The dr_primary action plugin: stop and fence the primary (services as the recorded lab primary lists them)."""

from __future__ import annotations

from act2_recorded import lab_host
from fake_host import FakeHost

from ansible_collections.ctxlic.license_server.plugins.plugin_utils._common.errors import HostError

LS, WEB = "Citrix Licensing", "CitrixWebServicesforLicensing"


class Unreachable(FakeHost):
    """A primary whose management connection is down: every call fails as the backends fail then."""

    def service(self, name: str):
        self._record("service", name)
        raise HostError("host unreachable while running ansible.windows.win_service_info: timed out")


def test_a_serving_primary_is_stopped_and_fenced(run_action) -> None:
    host = lab_host("dr_primary")
    result = run_action("dr_primary", {}, host, diff=True)
    assert result["changed"] is True and not result.get("failed"), result
    assert result["stopped"] == [LS, WEB] and result["fenced"] == [LS, WEB]
    assert result["msg"] == (f"stopped {LS}, {WEB} and set the start mode of {LS}, {WEB} to disabled on the primary "
                             "ls1.example.test; it no longer serves licenses and stays off after a reboot")
    assert host.changes() == [
        ("set_service", (LS, "stopped")), ("set_service", (WEB, "stopped")),
        ("set_service_start_mode", (LS, "disabled")), ("set_service_start_mode", (WEB, "disabled"))]
    assert result["diff"]["before"] == (f"{LS}: state=running, start_mode=auto\n"
                                        f"{WEB}: state=running, start_mode=auto\n")
    assert result["diff"]["after"] == (f"{LS}: state=stopped, start_mode=disabled\n"
                                       f"{WEB}: state=stopped, start_mode=disabled\n")
    assert "to make ls1.example.test a License Server again" in result["undo"]


def test_check_mode_says_what_it_would_do_and_changes_nothing(run_action) -> None:
    host = lab_host("dr_primary")
    result = run_action("dr_primary", {"start_mode": "manual"}, host, check_mode=True)
    assert result["changed"] is True and result["msg"].startswith(f"check mode: would stop {LS}, {WEB} and set the "
                                                                  f"start mode of {LS}, {WEB} to manual")
    assert host.changes() == [] and "diff" not in result


def test_a_stopped_and_fenced_primary_is_left_alone(run_action) -> None:
    host = lab_host("dr_primary")
    run_action("dr_primary", {}, host)
    host.log.clear()
    again = run_action("dr_primary", {}, host)
    assert again["changed"] is False and again["msg"].startswith("the primary ls1.example.test is not serving and "
                                                                 "is fenced")
    assert host.changes() == []


def test_with_delegate_to_the_host_is_built_from_the_delegated_hosts_variables() -> None:
    from types import SimpleNamespace

    from ansible_collections.ctxlic.license_server.plugins.action import dr_primary

    variables = {"ctxlic_lab_root": "/lab/dr", "inventory_hostname": "dr",
                 "ansible_delegated_vars": {"primary": {"ctxlic_lab_root": "/lab/primary"}}}
    merged = dr_primary.target_task_vars(SimpleNamespace(delegate_to="primary"), variables)
    assert merged["ctxlic_lab_root"] == "/lab/primary" and merged["inventory_hostname"] == "dr"
    assert dr_primary.target_task_vars(SimpleNamespace(delegate_to=None), variables) is variables
    action = object.__new__(dr_primary.ActionModule)
    action._task, action._ctxlic_task_vars = SimpleNamespace(delegate_to="primary"), variables
    assert action.host_task_vars()["ctxlic_lab_root"] == "/lab/primary"


def test_an_unreachable_primary_is_refused_without_confirmation(run_action) -> None:
    host = Unreachable()
    result = run_action("dr_primary", {}, host)
    assert result["failed"] is True and result["reachable"] is False
    assert "could not be reached (host unreachable while running" in result["msg"]
    assert "ctxlic_dr_primary_confirmed_down=true" in result["msg"]
    confirmed = run_action("dr_primary", {"confirmed_down": True}, Unreachable())
    assert confirmed["changed"] is False and not confirmed.get("failed")
    assert confirmed["msg"].endswith("going ahead because confirmed_down is true (the operator confirmed it is down)")


def test_a_stop_that_fails_ends_the_task_before_the_dr_host_changes(run_action) -> None:
    class Refuses(FakeHost):
        def set_service(self, name, state):
            self._record("set_service", name, state)
            raise HostError("Access is denied")

    host = Refuses(services={LS: {"state": "running", "start_mode": "auto"}})
    result = run_action("dr_primary", {}, host)
    assert result["failed"] is True and result["msg"].startswith(f"could not stop '{LS}' on the primary")
    assert "Access is denied" in result["msg"] and result["stopped"] == []


def test_bad_input_fails_before_the_host_is_touched(run_action) -> None:
    result = run_action("dr_primary", {"services": [WEB]}, None)
    assert result["failed"] is True and f"does not name '{LS}'" in result["msg"]
    result = run_action("dr_primary", {"start_mode": "auto"}, None)
    assert result["failed"] is True and "start_mode" in result["msg"]


def test_a_service_that_does_not_stop_is_read_back_and_fails_the_task(run_action) -> None:
    class Stubborn(FakeHost):
        def set_service(self, name, state):
            self._record("set_service", name, state)  # accepted, but the service keeps running
            return {"changed": False}

    host = Stubborn(services={LS: {"state": "running", "start_mode": "auto"}})
    result = run_action("dr_primary", {"start_mode": "unchanged"}, host)
    assert result["failed"] is True
    assert result["msg"] == (f"{LS} still not stopped on the primary ls1.example.test after the stop request; the DR "
                             "host was not changed. Stop it by hand")
    assert result["stopped"] == [LS] and result["services"][0]["after"] == "running"
