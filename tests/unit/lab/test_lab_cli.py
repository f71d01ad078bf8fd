# Copyright: (c) 2026, ctxlic maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The lab's command line: create refuses to wipe a lab, documents every option, builds every host shape the
tests need from a scenario file, and keeps a lab's controller-side files inside the lab."""

from __future__ import annotations

import argparse
import hashlib
import json
from pathlib import Path

import pytest

from ansible_collections.ctxlic.license_server.plugins.plugin_utils.lab import cli, licgen
from ansible_collections.ctxlic.license_server.plugins.plugin_utils.lab.layout import INSTALL_REG_KEY, win_to_lab
from ansible_collections.ctxlic.license_server.plugins.plugin_utils.lab.state import HostState

MYFILES = r"C:\Program Files (x86)\Citrix\Licensing\MyFiles"


def tree(path: Path) -> dict[str, str]:
    return {
        str(p.relative_to(path)): hashlib.sha256(p.read_bytes()).hexdigest() if p.is_file() else "<dir>"
        for p in sorted(path.rglob("*"))
    }


def run(capsys, *argv: str) -> tuple[int, str, str]:
    rc = cli.main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return rc, out, err


def test_create_refuses_an_existing_lab_and_force_replaces_it(tmp_path, capsys):
    lab = tmp_path / "lab"
    assert run(capsys, "create", lab, "--hosts", "2", "--start", "2026-11-22T12:00:00")[0] == 0
    HostState(lab / "hosts" / "ls01").record("marker", note="work in progress")
    before = tree(lab)

    rc, _out, err = run(capsys, "create", lab, "--hosts", "1")
    assert rc == 2
    assert "already holds a lab" in err and "--force" in err and "nothing was changed" in err
    assert tree(lab) == before

    rc, _out, _err = run(capsys, "create", lab, "--hosts", "1", "--force", "--start", "2026-11-22T12:00:00")
    assert rc == 0
    assert sorted(p.name for p in (lab / "hosts").iterdir()) == ["ls01"]  # no stale ls02 left behind
    assert not any(e["kind"] == "marker" for e in HostState(lab / "hosts" / "ls01").events())


def test_create_help_describes_every_option():
    parser = cli.build_parser()
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    create = sub.choices["create"]
    text = create.format_help()
    for action in create._actions:
        if isinstance(action, argparse._HelpAction):
            continue
        assert action.help and len(action.help) > 10, action.dest
        for option in action.option_strings:
            assert option in text
    for key in ("hostname", "version", "macs", "cluster_access_point", "reporting", "licenses", "license_files"):
        assert f"{key}:" in " ".join(text.split()), key
    assert "docs/lab.md" in text


def test_scenario_file_builds_every_host_shape_the_tests_use(tmp_path, capsys):
    own = tmp_path / "FID_given.lic"
    features = [{"feature": "XDT_PLT_UD", "count": 5, "expiry": None}]
    own.write_bytes(licgen.license_text(["LSPRIMARY"], features).encode())
    scenario = tmp_path / "fleet.yml"
    scenario.write_text(
        """
start: 2026-11-22T12:00:00
hosts:
  - name: bare
    version: null
  - name: primary
    hostname: LSPRIMARY
    version: "11.17.2.0 build 51000"
    license_files: [FID_given.lic]
  - name: dr
    hostname: LSPRIMARY
    version: "11.17.2.0 build 51000"
  - name: custom
    hostname: Ls-Custom
    macs: ["00:15:5d:aa:bb:cc"]
    cluster_access_point: LSCLUSTER
  - name: manual
    reporting: manual
    pending_zip_days: [10, 2]
    licenses:
      - file: FID_gen.lic
        features:
          - {feature: XDT_ENT_UD, count: 100, expiry_days: -45}
  - name: gone
    unreachable: true
""",
        encoding="utf-8",
    )
    lab = tmp_path / "lab"
    rc, _out, err = run(capsys, "create", lab, "--scenario", scenario)
    assert rc == 0, err
    state = {name: HostState(lab / "hosts" / name) for name in ("bare", "primary", "dr", "custom", "manual")}

    assert INSTALL_REG_KEY not in state["bare"].registry
    assert state["primary"].host["hostname"] == state["dr"].host["hostname"] == "LSPRIMARY"
    assert (win_to_lab(lab / "hosts" / "primary", MYFILES) / "FID_given.lic").read_bytes() == own.read_bytes()
    assert state["custom"].host["hostname"] == "Ls-Custom"
    assert state["custom"].host["macs"] == ["00:15:5d:aa:bb:cc"]
    assert state["custom"].host["cluster_access_point"] == "LSCLUSTER"
    lms = json.loads((state["manual"].lab / "lms.json").read_text(encoding="utf-8"))
    assert lms["enabled"] is False
    generated = (win_to_lab(lab / "hosts" / "manual", MYFILES) / "FID_gen.lic").read_text(encoding="utf-8")
    assert "INCREMENT XDT_ENT_UD CITRIX" in generated and "08-oct-2026" in generated  # 45 days before the start
    assert json.loads((lab / "clock.json").read_text())["iso"].startswith("2026-11-22T12:00:00")
    inventory = json.loads((lab / "inventory.yml").read_text(encoding="utf-8"))
    hosts = inventory["all"]["children"]["license_servers"]["hosts"]
    assert hosts["gone"]["ansible_port"] == 1 and not (lab / "hosts" / "gone").exists()


def test_json_scenario_and_uniform_shape_options(tmp_path, capsys):
    scenario = tmp_path / "fleet.json"
    scenario.write_text(json.dumps({"hosts": [{"name": "one", "version": "11.17.2.0 build 45000"}]}), encoding="utf-8")
    assert run(capsys, "create", tmp_path / "a", "--scenario", scenario)[0] == 0
    assert (tmp_path / "a" / "hosts" / "one").is_dir()

    assert run(capsys, "create", tmp_path / "b", "--hosts", "2", "--no-license-server", "--prefix", "new")[0] == 0
    assert INSTALL_REG_KEY not in HostState(tmp_path / "b" / "hosts" / "new02").registry
    assert run(capsys, "create", tmp_path / "c", "--hosts", "1", "--reporting", "manual")[0] == 0
    lms = json.loads((tmp_path / "c" / "hosts" / "ls01" / ".lab" / "lms.json").read_text(encoding="utf-8"))
    assert lms["enabled"] is False


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("hosts: []", "non-empty list 'hosts'"),
        ("hosts: [{name: a, colour: red}]", "host 'a': unknown key(s) colour"),
        ("hosts: [{name: a, reporting: sometimes}]", "reporting must be one of automatic, manual"),
        ("hosts: [{name: a}, {name: a}]", "host 'a' appears twice"),
        ("hosts: [{name: a, license_files: [missing.lic]}]", "license_files entry 'missing.lic' is not a file"),
        ("hosts: [{name: a, licenses: [{file: x.lic, features: [{feature: F, count: many}]}]}]", "count must be"),
        ("hosts: [{name: a, macs: 5}]", "macs must be"),
        ("hosts: [{name: a\n", "not valid YAML"),
        ("start: yesterday\nhosts: [{name: a}]", "start 'yesterday' is not an ISO date"),
    ],
)
def test_bad_scenario_file_is_refused_with_a_message_and_creates_nothing(tmp_path, capsys, content, expected):
    scenario = tmp_path / "bad.yml"
    scenario.write_text(content, encoding="utf-8")
    rc, _out, err = run(capsys, "create", tmp_path / "lab", "--scenario", scenario)
    assert rc == 2
    assert expected in err and str(scenario) in err and "Traceback" not in err
    assert not (tmp_path / "lab").exists()


def test_inventory_keeps_evidence_reports_and_bundles_inside_the_lab(tmp_path, capsys):
    lab = tmp_path / "lab"
    assert run(capsys, "create", lab, "--hosts", "1")[0] == 0
    variables = json.loads((lab / "inventory.yml").read_text(encoding="utf-8"))["all"]["vars"]
    for name in ("ctxlic_telemetry_history_db", "ctxlic_telemetry_report_dir", "ctxlic_telemetry_bundle_dest",
                 "ctxlic_decommission_history_db", "ctxlic_decommission_dest", "ctxlic_dr_backup_dir"):
        assert Path(variables[name]).is_relative_to(lab.resolve() / "controller"), name


def test_reboot_starts_automatic_services_only(tmp_path, capsys):
    lab = tmp_path / "lab"
    assert run(capsys, "create", lab, "--hosts", "1")[0] == 0
    state = HostState(lab / "hosts" / "ls01")
    services = state.services
    for name in services:
        services[name]["state"] = "stopped"
    services["Citrix Licensing"]["start_mode"] = "disabled"
    state.write_services(services)

    rc, out, _err = run(capsys, "reboot", lab, "ls01")
    assert rc == 0
    after = json.loads(out)
    assert after["Citrix Licensing"] == "stopped"
    assert after["CitrixWebServicesforLicensing"] == "running"
    assert run(capsys, "reboot", lab, "nohost")[0] == 2
