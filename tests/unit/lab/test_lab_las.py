# Copyright: (c) 2026, ctxlic maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The lab's License Activation Service: state from a scenario, daily contact through the network model,
blocked LAS endpoints and caching mode, the operator's ctxlic_las host_vars, and the `lab las` / `lab network`
commands; plus the connectivity helpers for the LAS endpoints."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from ansible_collections.ctxlic.license_server.plugins.plugin_utils._telemetry import connectivity
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._common.errors import InputError
from ansible_collections.ctxlic.license_server.plugins.plugin_utils.lab import cli, fleet, scenario
from ansible_collections.ctxlic.license_server.plugins.plugin_utils.lab import las as lab_las
from ansible_collections.ctxlic.license_server.plugins.plugin_utils.lab.probe import probe
from ansible_collections.ctxlic.license_server.plugins.plugin_utils.lab.state import HostState

START = datetime(2026, 11, 29, 9, 0, tzinfo=UTC)
ONLINE = {"registered": True, "activated": True, "mode": "online", "contact_days_ago": 0}


def make(tmp_path, *specs):
    root = tmp_path / "lab"
    fleet.create_fleet(root, list(specs), start=START)
    return root


def host_vars(root, name):
    path = root / "host_vars" / f"{name}.json"
    return json.loads(path.read_text(encoding="utf-8"))["ctxlic_las"] if path.exists() else None


def test_online_las_server_contacts_daily_and_the_operator_view_follows(tmp_path):
    root = make(tmp_path, fleet.HostSpec("ls01", version="11.17.2.0 build 52100", las=ONLINE),
                fleet.HostSpec("ls02", version="11.17.2.0 build 52100"))
    assert host_vars(root, "ls01") == {"registered": True, "activated": True, "mode": "online",
                                       "source": "lab: Citrix Licensing Manager view",
                                       "last_contact": START.isoformat()}
    assert host_vars(root, "ls02") is None  # no LAS state on that server: nothing to copy
    outcomes = fleet.advance(root, 2)
    assert outcomes["ls01"] == ["success", "las-contact", "success", "las-contact"]
    assert host_vars(root, "ls01")["last_contact"] == (START + timedelta(days=2)).isoformat()
    assert lab_las.caching_mode(HostState(root / "hosts" / "ls01"), START + timedelta(days=2, hours=1)) is False


def test_blocked_las_endpoint_leads_to_caching_mode_and_telemetry_still_uploads(tmp_path, capsys):
    root = make(tmp_path, fleet.HostSpec("ls01", version="11.17.2.0 build 52100", las=ONLINE))
    assert cli.main(["network", str(root), "ls01", "--las", "false"]) == 0
    network = json.loads(capsys.readouterr().out)
    assert set(lab_las.endpoints()) <= set(network["blocked"])
    outcomes = fleet.advance(root, 3)
    assert outcomes["ls01"] == ["success", "las-unreachable"] * 3
    state = HostState(root / "hosts" / "ls01")
    assert lab_las.caching_mode(state, START + timedelta(days=3)) is True
    assert host_vars(root, "ls01")["last_contact"] == START.isoformat()
    steps = probe(state.host["network"], "api.cloud.com", 443, None, 5)
    assert steps["dns"]["ok"] is True and steps["direct"]["ok"] is False
    assert probe(state.host["network"], "cis.citrix.com", 443, None, 5)["direct"]["ok"] is True
    assert cli.main(["network", str(root), "ls01", "--las", "true"]) == 0
    assert json.loads(capsys.readouterr().out)["blocked"] == []
    assert fleet.advance(root, 1)["ls01"] == ["success", "las-contact"]


def test_build_below_51000_never_contacts_las(tmp_path):
    root = make(tmp_path, fleet.HostSpec("ls01", version="11.17.2.0 build 49000", las=ONLINE))
    assert fleet.advance(root, 1)["ls01"] == ["success", "las-not-supported"]


def test_lab_las_command_registers_activates_and_records_offline_exchange(tmp_path, capsys):
    root = make(tmp_path, fleet.HostSpec("ls01", version="11.17.2.0 build 53100"))
    assert cli.main(["las", str(root), "ls01", "--activated", "true"]) == 2
    assert "registered" in capsys.readouterr().err
    assert host_vars(root, "ls01") is None
    assert cli.main(["las", str(root), "ls01", "--registered", "true", "--activated", "true", "--mode", "offline",
                     "--offline-exchange"]) == 0
    capsys.readouterr()
    view = host_vars(root, "ls01")
    assert view["mode"] == "offline" and view["last_contact"] == START.isoformat()
    assert fleet.advance(root, 1)["ls01"] == ["success", "las-not-online"]  # offline: no daily contact


def test_scenario_files_carry_the_las_state(tmp_path):
    path = tmp_path / "s.json"
    path.write_text(json.dumps({"hosts": [{"name": "ls01", "version": "11.17.2.0 build 52100", "las": ONLINE}]}))
    specs, _start = scenario.load(path)
    assert specs[0].las == ONLINE
    path.write_text(json.dumps({"hosts": [{"name": "ls01", "las": "yes"}]}))
    with pytest.raises(scenario.ScenarioError, match="las must be"):
        scenario.load(path)
    with pytest.raises(ValueError, match="unknown keys"):
        lab_las.state_from_spec({"registred": True}, START)


@pytest.mark.parametrize(("value", "expected"), [("api.cloud.com", ("api.cloud.com", 443)),
                                                 (" api.citrixcloud.jp:8443 ", ("api.citrixcloud.jp", 8443))])
def test_las_endpoint_option(value, expected):
    assert connectivity.las_endpoint(value) == expected


@pytest.mark.parametrize("value", ["https://api.cloud.com", "api.cloud.com/x", "api.cloud.com:0", "", None,
                                   "api.cloud.com:https"])
def test_las_endpoint_option_refuses_what_is_not_a_host(value):
    with pytest.raises(InputError, match="las_endpoints entry"):
        connectivity.las_endpoint(value)


def test_las_summary():
    ok = {"ok": True, "target": "api.cloud.com:443", "hint": "No action needed."}
    bad = {"ok": False, "target": "api-us.cloud.com:443", "hint": "Open outbound TCP 443."}
    assert connectivity.las_summary([ok], "doc")["ok"] is True
    summary = connectivity.las_summary([ok, bad], "the vendor page")
    assert summary["ok"] is False and summary["failing"] == ["api-us.cloud.com:443"]
    assert "caching mode" in summary["message"] and "Open outbound TCP 443." in summary["message"]
    assert connectivity.las_summary([], "doc")["ok"] is None
