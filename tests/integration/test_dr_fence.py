# Copyright: (c) 2026, ctxlic maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""End to end: the failed-over primary is fenced durably (issue 15 item 9).

A stopped service on automatic start comes back when Windows boots; the lab's ``reboot`` does what Windows
does with start modes. Without a fence a reboot of the primary brings back a second License Server with the
DR host's name, which the Citrix Licensing documentation forbids (only one may be reachable at a time).
"""

from __future__ import annotations

from ansible_collections.ctxlic.license_server.plugins.plugin_utils.lab import fleet as lab_fleet

from .conftest import V49, installer
from .test_dr import FAILOVER, assert_ok, dr, primary, run_backup, run_failover, snapshot

PRIMARY_SERVICES = ["Citrix Licensing", "CitrixWebServicesforLicensing"]
TASK = "Make sure the primary License Server no longer serves"


def states(fleet, host: str = "primary") -> dict[str, tuple[str, str]]:
    services = fleet.state(host).services
    return {name: (services[name]["state"], services[name]["start_mode"]) for name in PRIMARY_SERVICES}


def test_failover_fences_the_primary_so_a_reboot_does_not_bring_it_back(make_fleet, tmp_path):
    fleet = make_fleet([primary(), dr()])
    backups = tmp_path / "backups"
    assert_ok(run_backup(fleet, backups))
    assert states(fleet) == dict.fromkeys(PRIMARY_SERVICES, ("running", "auto"))
    before = snapshot(fleet, "primary")

    # Check mode and diff: exactly what would change, and nothing changes.
    checked = fleet.run(FAILOVER, check=True, diff=True, extra_vars={
        "ctxlic_dr_host": "dr", "ctxlic_dr_primary_host": "primary", "ctxlic_dr_backup_dir": str(backups),
        "ctxlic_dr_installer": installer(tmp_path, V49), "ctxlic_dr_installer_version": V49})
    assert_ok(checked)
    planned = checked.results_ending(TASK)["dr"]
    assert planned["changed"] is True
    assert planned["stopped"] == PRIMARY_SERVICES and planned["fenced"] == PRIMARY_SERVICES
    assert planned["diff"]["before"] == "".join(f"{n}: state=running, start_mode=auto\n" for n in PRIMARY_SERVICES)
    assert planned["diff"]["after"] == "".join(f"{n}: state=stopped, start_mode=disabled\n" for n in PRIMARY_SERVICES)
    assert snapshot(fleet, "primary") == before

    result = run_failover(fleet, backups, tmp_path)
    assert_ok(result)
    done = result.results_ending(TASK)["dr"]
    assert done["stopped"] == PRIMARY_SERVICES and done["fenced"] == PRIMARY_SERVICES
    assert done["start_mode"] == "disabled"
    assert [(s["start_mode_before"], s["start_mode_after"]) for s in done["services"]] == [("auto", "disabled")] * 2
    assert "start_mode=auto state=started" in done["undo"] and "stays off after a reboot" in done["msg"]
    assert states(fleet) == dict.fromkeys(PRIMARY_SERVICES, ("stopped", "disabled"))
    report = " ".join(result.results_ending("Report the failover")["dr"]["msg"])
    assert "Primary fence: start mode disabled on Citrix Licensing, CitrixWebServicesforLicensing" in report
    assert "Undo the fence: to make primary a License Server again" in report

    # The primary reboots: nothing comes back.
    assert lab_fleet.reboot(fleet.host_root("primary")) == {
        **dict.fromkeys(PRIMARY_SERVICES, "stopped"), "CitrixLicensingSupportService": "running"}
    assert states(fleet) == dict.fromkeys(PRIMARY_SERVICES, ("stopped", "disabled"))

    # Running the failover again changes nothing on the primary.
    again = run_failover(fleet, backups, tmp_path)
    assert_ok(again)
    assert again.results_ending(TASK)["dr"]["changed"] is False


def test_without_the_fence_a_reboot_brings_the_primary_back(make_fleet, tmp_path):
    # What the failover did before the fence (and still does with start_mode unchanged): stopped, not disabled.
    fleet = make_fleet([primary(), dr()])
    backups = tmp_path / "backups"
    assert_ok(run_backup(fleet, backups))
    result = run_failover(fleet, backups, tmp_path, ctxlic_dr_primary_start_mode="unchanged")
    assert_ok(result)
    done = result.results_ending(TASK)["dr"]
    assert done["fenced"] == [] and done["undo"] is None
    assert any("reboot" in note for note in done["notes"])
    lab_fleet.reboot(fleet.host_root("primary"))
    assert states(fleet) == dict.fromkeys(PRIMARY_SERVICES, ("running", "auto"))  # two LICSRV01 again
