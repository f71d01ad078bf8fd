# Copyright: (c) 2026, ctxlic maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""End to end: ``ctxlic.license_server.package``, the ``server`` role and ``playbooks/upgrade.yml`` on lab hosts.

Installers are built on the controller with ``fleet.make_installer`` and passed as ``src`` (or put into
the host's tree for ``remote_src``). Every refusal is checked to leave the host exactly as it was: the
registry, the services and every file of the simulated drive (names and content) are compared.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import yaml

from ansible_collections.ctxlic.license_server.plugins.plugin_utils.lab.fleet import HostSpec, make_installer
from ansible_collections.ctxlic.license_server.plugins.plugin_utils.lab.layout import INSTALL_REG_KEY

from .conftest import INSTALL, MYFILES, V45, V49, V51, installer, play, task

REPO = Path(__file__).resolve().parents[2]
STAGED_EXE = r"C:\Windows\Temp\ctxlic\CitrixLicensing.exe"
# ansible-core names the role's argument validation task after the entry point and the spec's short_description.
ARG_SPEC_CHECK = ("Validating arguments against arg spec 'main' - "
                  "Install, upgrade or uninstall the Citrix License Server and verify it")
LICENSE = {"file": "FID_site.lic", "features": [{"feature": "XDT_PLT_UD", "count": 50}]}


def package_plays(options_by_hosts: dict[str, dict]) -> str:
    """One play per host pattern: the package module with the given options, then its registered result.

    The registered result is what playbooks see. The ``ansible.posix.json`` callback overwrites the
    module's ``action`` key with the task's module name, so tests read ``out`` instead.
    """
    return "".join(
        play(
            task("pkg", "package", options, register="out", ignore_errors=True),
            task("registered", "ansible.builtin.debug", {"var": "out"}),
            hosts=hosts,
        )
        for hosts, options in options_by_hosts.items()
    )


def outcomes(result) -> dict[str, dict]:
    """host -> the registered result of the package task (fails loudly when the run broke)."""
    assert "Traceback" not in result.stdout + result.stderr, result.stdout[-3000:]
    return {host: res["out"] for host, res in result.task_results("registered").items()}


def assert_succeeded(result) -> None:
    failed = {host: out.get("msg") for host, out in outcomes(result).items() if out.get("failed")}
    assert not failed, failed


def snapshot(fleet, host: str) -> dict:
    """Everything a refusal must not touch: registry, services, install.json and every file on the drive."""
    root = fleet.host_root(host)
    files = {}
    for path in sorted((root / "fs").rglob("*")):
        rel = str(path.relative_to(root))
        files[rel] = hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else "<dir>"
    state = fleet.state(host)
    return {"registry": state.registry, "services": state.services, "files": files}


def installed_version(fleet, host: str) -> str | None:
    return (fleet.state(host).registry.get(INSTALL_REG_KEY) or {}).get("Version")


def install_events(fleet, host: str) -> list[dict]:
    return [e for e in fleet.state(host).events() if e["kind"] in ("install", "uninstall")]


# -- install, idempotence, upgrade -----------------------------------------------------------------
def test_clean_install_on_a_bare_host_then_rerun_changes_nothing(make_fleet, tmp_path):
    fleet = make_fleet([HostSpec("bare", version=None)])
    src = installer(tmp_path, V49)
    text = package_plays({"all": {"src": src, "version": V49, "ceip": "none", "min_free_mb": 100}})
    first = fleet.run(text, diff=True)
    assert_succeeded(first)
    res = outcomes(first)["bare"]
    assert res["changed"] is True and res["action"] == "install"
    assert res["before_version"] is None and res["after_version"] == V49 and res["rc"] == 0
    assert res["command"] == [
        STAGED_EXE,
        "/quiet",
        "/l",
        r"C:\Windows\Temp\ctxlic\CitrixLicensing-install.log",
        "CEILOPTIN=NONE",
    ]
    assert res["diff"]["before"] == "version: not installed\n" and res["diff"]["after"] == f"version: {V49}\n"
    assert set(res["services"].values()) == {"running"}
    assert installed_version(fleet, "bare") == V49
    assert fleet.path("bare", MYFILES + r"\citrix_startup.lic").is_file()
    assert not fleet.path("bare", STAGED_EXE).exists(), "the staged installer copy is removed"
    assert fleet.path("bare", res["log_path"]).is_file(), "the installer log is kept"

    before = snapshot(fleet, "bare")
    events = fleet.state("bare").events()
    second = fleet.run(text)
    assert_succeeded(second)
    again = outcomes(second)["bare"]
    assert again["changed"] is False and again["action"] == "none" and again["rc"] is None
    assert again["command"] == [] and again["after_version"] == V49
    assert again["services_started"] == [] and set(again["services"].values()) == {"running"}
    assert snapshot(fleet, "bare") == before
    assert fleet.state("bare").events() == events


def test_upgrade_45000_to_49000_keeps_myfiles_and_ports(make_fleet, tmp_path):
    fleet = make_fleet([HostSpec("ls01", version=V45, licenses=[LICENSE])])
    license_before = fleet.path("ls01", MYFILES + r"\FID_site.lic").read_bytes()
    src = installer(tmp_path, V49)
    result = fleet.run(
        package_plays(
            {
                "all": {
                    "src": src,
                    "version": V49,
                    "web_services_port": 8083,
                    "license_server_port": 27000,
                    "min_free_mb": 100,
                }
            }
        ),
        diff=True,
    )
    assert_succeeded(result)
    res = outcomes(result)["ls01"]
    assert res["action"] == "upgrade" and res["changed"] is True
    assert (res["before_version"], res["after_version"]) == (V45, V49)
    assert not any(arg.startswith(("WSLPORT", "LSPORT", "VDPORT")) for arg in res["command"]), (
        "ports are never passed during an upgrade (seed 004)"
    )
    assert res["diff"]["before"] == f"version: {V45}\n"
    assert installed_version(fleet, "ls01") == V49
    assert fleet.path("ls01", MYFILES + r"\FID_site.lic").read_bytes() == license_before
    assert install_events(fleet, "ls01")[-1]["upgrade_from"] == V45
    rerun = fleet.run(package_plays({"all": {"src": src, "version": "11.17.2 build 49000"}}))
    assert outcomes(rerun)["ls01"]["changed"] is False


# -- refusals --------------------------------------------------------------------------------------
def test_each_refusal_leaves_the_host_unchanged(make_fleet, tmp_path):
    fleet = make_fleet(
        [
            HostSpec("ports", version=V45),
            HostSpec("legacy", version="11.11.1.0 build 12000", licenses=[LICENSE]),
            HostSpec("disk", version=V45, faults={"disk_full": True}),
            HostSpec("zips", version=V45, reporting="manual", pending_zip_days=[40, 3], cis_bundles_spelling="space"),
            HostSpec("newer", version=V51),
        ]
    )
    src = installer(tmp_path, V49)
    base = {"src": src, "version": V49, "min_free_mb": 100}
    before = {host: snapshot(fleet, host) for host in ("ports", "legacy", "disk", "zips", "newer")}
    result = fleet.run(
        package_plays(
            {
                "ports": {**base, "web_services_port": 8090, "vendor_daemon_port": 7279},
                "legacy": base,
                "disk": base,
                "zips": base,
                "newer": base,
            }
        )
    )
    assert "Traceback" not in result.stdout + result.stderr
    results = outcomes(result)
    expected = {
        "ports": ["web_services_port=8090 differs from the installed", "port 8083", "cannot change ports"],
        "legacy": ["older than 11.12.1", "uninstall_legacy: true"],
        "disk": ["not enough free disk space on C:\\", "min_free_mb"],
        "zips": ["upload_compliance_", "cis bundles\\ul_usage\\upload_usage_", "telemetry_bundle", "force: true"],
        "newer": ["refusing to downgrade", "allow_downgrade: true"],
    }
    for host, fragments in expected.items():
        res = results[host]
        assert res["failed"] is True and res["changed"] is False, host
        assert res["msg"].startswith("Refused, nothing was changed"), host
        for fragment in fragments:
            assert fragment in res["msg"], (host, fragment, res["msg"])
        assert snapshot(fleet, host) == before[host], f"{host} was changed by a refused task"
    assert len(results["zips"]["refusals"]) == 1 and results["zips"]["msg"].count(".zip") == 4
    assert len(results["ports"]["refusals"]) == 1, "vendor_daemon_port equal to the installed one is fine"


def test_unc_path_and_exe_without_version_are_refused(make_fleet, tmp_path):
    fleet = make_fleet([HostSpec("ls01", version=V45)])
    before = snapshot(fleet, "ls01")
    result = fleet.run(
        package_plays({"all": {"remote_src": True, "path": r"\\fileserver\software\CitrixLicensing.exe",
                               "version": V49}})
    )
    res = outcomes(result)["ls01"]
    assert res["failed"] is True and "UNC path" in res["msg"]
    assert "Citrix Licensing 11.17.2 build 49000 documentation" in res["msg"]  # by title, not "seed 004"
    result = fleet.run(package_plays({"all": {"src": installer(tmp_path, V49)}}))
    res = outcomes(result)["ls01"]
    assert res["failed"] is True and "version is required with installer_type: exe" in res["msg"]
    assert snapshot(fleet, "ls01") == before


def test_uninstall_legacy_replaces_an_old_version(make_fleet, tmp_path):
    fleet = make_fleet([HostSpec("legacy", version="11.11.1.0 build 12000", licenses=[LICENSE])])
    result = fleet.run(
        package_plays({"all": {"src": installer(tmp_path, V49), "version": V49, "uninstall_legacy": True,
                               "min_free_mb": 100}})
    )
    assert_succeeded(result)
    res = outcomes(result)["legacy"]
    assert res["action"] == "upgrade" and [c[1:3] for c in res["commands"]] == [
        ["/quiet", "/uninstall"],
        ["/quiet", "/l"],
    ]
    assert installed_version(fleet, "legacy") == V49
    assert [e["kind"] for e in install_events(fleet, "legacy")][-2:] == ["uninstall", "install"]
    assert fleet.path("legacy", MYFILES + r"\FID_site.lic").is_file()


def test_downgrade_only_with_allow_downgrade(make_fleet, tmp_path):
    fleet = make_fleet([HostSpec("ls01", version=V51)])
    result = fleet.run(
        package_plays({"all": {"src": installer(tmp_path, V49), "version": V49, "allow_downgrade": True,
                               "min_free_mb": 100}})
    )
    assert_succeeded(result)
    res = outcomes(result)["ls01"]
    assert res["action"] == "downgrade" and (res["before_version"], res["after_version"]) == (V51, V49)
    assert "INSTALLDIR=" + INSTALL in res["command"] and "LSPORT=27000" in res["command"]


# -- installer exit codes --------------------------------------------------------------------------
def test_installer_1603_reports_the_log_tail_and_keeps_the_old_version(make_fleet, tmp_path):
    fleet = make_fleet([HostSpec("ls01", version=V45, faults={"installer_exit_code": 1603})])
    result = fleet.run(package_plays({"all": {"src": installer(tmp_path, V49), "version": V49, "min_free_mb": 100}}))
    res = outcomes(result)["ls01"]
    assert res["failed"] is True and res["rc"] == 1603
    assert "exit code 1603 (fatal error during installation)" in res["msg"]
    assert any("Error 1603" in line for line in res["log_tail"])
    assert res["log_tail"][-1].startswith("Product: Citrix Licensing -- Installation failed")
    assert res["after_version"] == V45 and installed_version(fleet, "ls01") == V45
    assert not fleet.path("ls01", STAGED_EXE).exists()


def test_exit_3010_means_reboot_required(make_fleet, tmp_path):
    fleet = make_fleet(
        [
            HostSpec("warn", version=V45, faults={"installer_exit_code": 3010}),
            HostSpec("handled", version=V45, faults={"installer_exit_code": 3010}),
        ]
    )
    src = installer(tmp_path, V49)
    result = fleet.run(
        package_plays(
            {
                "warn": {"src": src, "version": V49, "min_free_mb": 100},
                "handled": {"src": src, "version": V49, "min_free_mb": 100, "allow_reboot": True},
            }
        )
    )
    assert_succeeded(result)
    results = outcomes(result)
    for host in ("warn", "handled"):
        res = results[host]
        assert res.get("failed") in (None, False) and res["rc"] == 3010 and res["reboot_required"] is True
        assert res["after_version"] == V49 and "(reboot required)" in res["msg"]
    assert any("reboot the server" in w for w in results["warn"]["warnings"])
    assert not any("reboot" in w for w in results["handled"].get("warnings") or [])


def test_service_that_does_not_start_fails_the_task(make_fleet, tmp_path):
    fleet = make_fleet(
        [HostSpec("bare", version=None, faults={"service_wont_start": ["CitrixLicensingSupportService"]})]
    )
    result = fleet.run(package_plays({"all": {"src": installer(tmp_path, V49), "version": V49, "min_free_mb": 100}}))
    res = outcomes(result)["bare"]
    assert res["failed"] is True and "CitrixLicensingSupportService" in res["msg"]
    assert res["services"]["CitrixLicensingSupportService"] == "stopped"


def stop_service(fleet, host: str, name: str) -> None:
    """Stop one service behind the module's back, as a crash or an operator would."""
    state = fleet.state(host)
    services = state.services
    services[name]["state"] = "stopped"
    state.write_services(services)


def test_rerun_with_the_target_installed_starts_a_stopped_service_check_mode_only_reports_it(make_fleet, tmp_path):
    fleet = make_fleet([HostSpec("ls01", version=V49)])
    stop_service(fleet, "ls01", "Citrix Licensing")
    text = package_plays({"all": {"src": installer(tmp_path, V49), "version": V49, "min_free_mb": 100}})
    before = snapshot(fleet, "ls01")
    events = fleet.state("ls01").events()
    installs = install_events(fleet, "ls01")  # the lab's own set-up install

    checked = fleet.run(text, check=True)
    assert_succeeded(checked)
    planned = outcomes(checked)["ls01"]
    assert planned["changed"] is True and planned["action"] == "none" and planned["rc"] is None
    assert planned["services_started"] == ["Citrix Licensing"] and "would start Citrix Licensing" in planned["msg"]
    assert planned["services"]["Citrix Licensing"] == "stopped", "check mode reports the state it read"
    assert snapshot(fleet, "ls01") == before and fleet.state("ls01").events() == events

    started = fleet.run(text)
    assert_succeeded(started)
    res = outcomes(started)["ls01"]
    assert res["changed"] is True and res["action"] == "none" and res["command"] == []
    assert res["services_started"] == ["Citrix Licensing"] and "started Citrix Licensing" in res["msg"]
    assert set(res["services"].values()) == {"running"}
    assert {name: entry["state"] for name, entry in fleet.state("ls01").services.items()} == dict.fromkeys(
        res["services"], "running")
    assert install_events(fleet, "ls01") == installs, "the installer is not run again"

    after = snapshot(fleet, "ls01")
    events = fleet.state("ls01").events()
    again = outcomes(fleet.run(text))["ls01"]
    assert again.get("failed") is not True and again["changed"] is False and again["services_started"] == []
    assert snapshot(fleet, "ls01") == after and fleet.state("ls01").events() == events, "nothing started twice"


def test_rerun_fails_naming_a_service_that_still_will_not_start(make_fleet, tmp_path):
    wont_start = "CitrixLicensingSupportService"
    fleet = make_fleet([HostSpec("ls01", version=V49, faults={"service_wont_start": [wont_start]})])
    stop_service(fleet, "ls01", wont_start)
    stop_service(fleet, "ls01", "CitrixWebServicesforLicensing")
    result = fleet.run(package_plays({"all": {"src": installer(tmp_path, V49), "version": V49, "min_free_mb": 100}}))
    res = outcomes(result)["ls01"]
    assert res["failed"] is True and res["changed"] is True, "the other stopped service was started"
    assert res["services_started"] == ["CitrixWebServicesforLicensing"]
    assert res["services"] == {"Citrix Licensing": "running", "CitrixWebServicesforLicensing": "running",
                               wont_start: "stopped"}
    assert "not running: CitrixLicensingSupportService (" in res["msg"] and "failed to start" in res["msg"]


# -- uninstall -------------------------------------------------------------------------------------
def test_uninstall_with_pending_zips_refuses_and_force_loses_them(make_fleet, tmp_path):
    fleet = make_fleet([HostSpec("manual", version=V45, reporting="manual", pending_zip_days=[10], licenses=[LICENSE])])
    src = installer(tmp_path, V49)
    before = snapshot(fleet, "manual")
    refused = fleet.run(package_plays({"all": {"state": "absent", "src": src}}))
    res = outcomes(refused)["manual"]
    assert res["failed"] is True and "deletes them" in res["msg"] and "telemetry_bundle" in res["msg"]
    assert snapshot(fleet, "manual") == before

    forced = fleet.run(package_plays({"all": {"state": "absent", "src": src, "force": True}}))
    assert_succeeded(forced)
    res = outcomes(forced)["manual"]
    assert res["action"] == "uninstall" and res["changed"] is True and res["after_version"] is None
    assert res["command"][1:4] == ["/quiet", "/uninstall", "/l"]
    assert any("force: true" in w for w in res["warnings"])
    assert res["myfiles_kept"] is True
    assert not fleet.path("manual", INSTALL + r"\LS\resource\usage").exists(), "the zips are gone"
    assert fleet.path("manual", MYFILES + r"\FID_site.lic").is_file()


def test_uninstall_keeps_myfiles(make_fleet, tmp_path):
    fleet = make_fleet([HostSpec("ls01", version=V49, licenses=[LICENSE])])
    src = installer(tmp_path, V49)
    result = fleet.run(package_plays({"all": {"state": "absent", "src": src}}), diff=True)
    assert_succeeded(result)
    res = outcomes(result)["ls01"]
    assert res["action"] == "uninstall" and res["myfiles_kept"] is True and "MyFiles was kept" in res["msg"]
    assert res["diff"]["after"] == "version: not installed\n"
    assert installed_version(fleet, "ls01") is None
    assert sorted(p.name for p in fleet.path("ls01", MYFILES).iterdir()) == [
        "CITRIX.opt",
        "FID_site.lic",
        "citrix_startup.lic",
    ]
    assert not fleet.path("ls01", INSTALL + r"\LS").exists()
    again = fleet.run(package_plays({"all": {"state": "absent", "src": src}}))
    assert outcomes(again)["ls01"]["changed"] is False


# -- msi -------------------------------------------------------------------------------------------
def test_msi_install_uses_active_directory_property_names(make_fleet, tmp_path):
    fleet = make_fleet([HostSpec("ad01", version=None)])
    msi = installer(tmp_path, V49, "msi")
    result = fleet.run(
        package_plays(
            {
                "all": {
                    "src": msi,
                    "installer_type": "msi",
                    "license_server_port": 27010,
                    "vendor_daemon_port": 7280,
                    "web_services_port": 8090,
                    "management_console_port": 8082,
                    "ceip": "diagnostic",
                    "min_free_mb": 100,
                }
            }
        )
    )
    assert_succeeded(result)
    res = outcomes(result)["ad01"]
    assert res["target_version"] == V49, "the version comes from the lab msi's ProductVersion"
    assert res["command"] == [
        r"C:\Windows\System32\msiexec.exe",
        "/I",
        r"C:\Windows\Temp\ctxlic\ctx_licensing.msi",
        "/l*v",
        r"C:\Windows\Temp\ctxlic\ctx_licensing-install.log",
        "/qn",
        "/norestart",
        "LICSERVERPORT=27010",
        "VENDORDAEMONPORT=7280",
        "MNGMTCONSOLEWEBPORT=8082",
        "WEBSERVICESLICENSINGPORT=8090",
        "CEILOPTIN=DIAGNOSTIC",
    ]
    assert installed_version(fleet, "ad01") == V49
    startup = fleet.path("ad01", MYFILES + r"\citrix_startup.lic").read_text()
    assert "SERVER this_host ANY 27010" in startup and "VENDOR CITRIX PORT=7280" in startup
    httpd = fleet.path("ad01", INSTALL + r"\WebServicesForLicensing\Apache\conf\httpd.conf").read_text()
    assert "Listen 8090" in httpd
    assert json.loads((fleet.host_root("ad01") / ".lab" / "install.json").read_text())["ceip"] == "DIAGNOSTIC"

    # Upgrade with an msi already on the server (remote_src): the ports the server has are accepted.
    remote = fleet.path("ad01", r"C:\Install\ctx_licensing.msi")
    remote.parent.mkdir(parents=True)
    make_installer(remote, V51, "msi")
    upgrade = fleet.run(
        package_plays(
            {
                "all": {
                    "remote_src": True,
                    "path": r"C:\Install\ctx_licensing.msi",
                    "installer_type": "msi",
                    "web_services_port": 8090,
                    "min_free_mb": 100,
                }
            }
        )
    )
    assert_succeeded(upgrade)
    res = outcomes(upgrade)["ad01"]
    assert res["action"] == "upgrade" and res["after_version"] == V51
    assert res["installer"] == r"C:\Install\ctx_licensing.msi"
    assert remote.exists(), "a remote_src installer is not removed"
    mismatch = fleet.run(
        package_plays(
            {
                "all": {
                    "remote_src": True,
                    "path": r"C:\Install\ctx_licensing.msi",
                    "installer_type": "msi",
                    "version": V49,
                }
            }
        )
    )
    assert "does not match the ProductVersion" in outcomes(mismatch)["ad01"]["msg"]


# -- check mode ------------------------------------------------------------------------------------
def test_check_mode_plans_and_changes_nothing(make_fleet, tmp_path):
    fleet = make_fleet([HostSpec("ls01", version=V45), HostSpec("bare", version=None)])
    before = {h: snapshot(fleet, h) for h in ("ls01", "bare")}
    result = fleet.run(
        package_plays({"all": {"src": installer(tmp_path, V49), "version": V49, "min_free_mb": 100}}),
        check=True,
        diff=True,
    )
    assert_succeeded(result)
    results = outcomes(result)
    assert results["ls01"]["changed"] is True and results["ls01"]["action"] == "upgrade"
    assert results["bare"]["action"] == "install" and results["bare"]["rc"] is None
    assert results["ls01"]["after_version"] == V49 and results["ls01"]["command"][0] == STAGED_EXE
    assert results["ls01"]["diff"]["after"] == f"version: {V49}\n"
    for host in ("ls01", "bare"):
        assert snapshot(fleet, host) == before[host]


# -- the server role -------------------------------------------------------------------------------
def role_play(hosts: str = "all", **role_vars) -> str:
    """A play of the server role with ``role_vars`` on ``hosts`` (the texts of two calls join into one playbook)."""
    return yaml.safe_dump(
        [
            {
                "hosts": hosts,
                "gather_facts": False,
                "roles": [{"role": "ctxlic.license_server.server", "vars": role_vars}],
            }
        ],
        sort_keys=False,
    )


def test_server_role_installs_verifies_and_records_the_lab_reboot(make_fleet, tmp_path):
    fleet = make_fleet([HostSpec("bare", version=None, faults={"installer_exit_code": 3010})])
    result = fleet.run(
        role_play(
            ctxlic_server_installer_src=installer(tmp_path, V49),
            ctxlic_server_version=V49,
            ctxlic_server_ports={"license_server": 27001},
            ctxlic_server_min_free_mb=100,
        )
    )
    assert result.rc == 0, result.stdout[-4000:]
    package = result.results_ending("Install, upgrade or uninstall the Citrix License Server")["bare"]
    assert package["reboot_required"] is True and "LSPORT=27001" in package["command"]
    recorded = result.results_ending("Record the reboot a lab host would need")["bare"]
    assert recorded["ansible_facts"]["ctxlic_server_reboot_skipped"] is True
    verified = result.results_ending("Check the installed version and the services")["bare"]
    assert verified.get("failed") is not True and verified.get("skipped") is not True
    assert installed_version(fleet, "bare") == V49


def test_server_role_includes_reporting_only_when_asked(make_fleet, tmp_path):
    fleet = make_fleet([HostSpec("plain", version=V45), HostSpec("manual", version=V45)])
    src = installer(tmp_path, V49)
    base = {"ctxlic_server_installer_src": src, "ctxlic_server_version": V49, "ctxlic_server_min_free_mb": 100}
    text = role_play(hosts="plain", **base) + role_play(
        hosts="manual", **base, ctxlic_reporting_mode="manual", ctxlic_probe_connectivity=False
    )
    result = fleet.run(text)
    assert result.rc == 0, result.stdout[-4000:]
    include = result.results_ending("Configure telemetry reporting and the proxy")
    assert include["plain"].get("skipped") is True
    assert include["manual"].get("skipped") is not True
    lms = {
        h: json.loads((fleet.host_root(h) / ".lab" / "lms.json").read_text())["enabled"] for h in ("plain", "manual")
    }
    assert lms == {"plain": True, "manual": False}


def test_server_role_refuses_a_wrong_type_before_doing_anything(make_fleet, tmp_path):
    fleet = make_fleet([HostSpec("bare", version=None)])
    before = snapshot(fleet, "bare")
    result = fleet.run(
        role_play(
            ctxlic_server_installer_src=installer(tmp_path, V49),
            ctxlic_server_version=V49,
            ctxlic_server_ports={"license_server": "abc"},
        )
    )
    assert result.rc != 0
    validation = result.results_ending(ARG_SPEC_CHECK)["bare"]
    assert validation["failed"] is True
    assert "license_server" in json.dumps(validation) and "int" in json.dumps(validation)
    assert snapshot(fleet, "bare") == before
    result = fleet.run(role_play(ctxlic_server_installer_src="x", ctxlic_server_ports="abc"))
    assert "ctxlic_server_ports" in json.dumps(result.results_ending(ARG_SPEC_CHECK))


def test_server_role_uninstall_verifies_the_server_is_gone(make_fleet, tmp_path):
    """After an uninstall server.version is null: the role's check must not trip over it."""
    fleet = make_fleet([HostSpec("ls01", version=V45)])
    result = fleet.run(
        role_play(
            ctxlic_server_state="absent",
            ctxlic_server_installer_src=installer(tmp_path, V45),
            ctxlic_server_version=V45,
            ctxlic_server_min_free_mb=100,
        )
    )
    assert result.rc == 0, result.stdout[-4000:]
    gone = result.results_ending("Check that the License Server is gone")["ls01"]
    assert gone.get("failed") is not True and gone.get("skipped") is not True
    assert installed_version(fleet, "ls01") is None


# -- playbooks/upgrade.yml -------------------------------------------------------------------------
def test_upgrade_playbook_upgrades_only_the_overdue_host(make_fleet, tmp_path):
    fleet = make_fleet(
        [HostSpec("current1", version=V51), HostSpec("overdue", version=V45), HostSpec("current2", version=V51)]
    )
    events = {h: install_events(fleet, h) for h in ("current1", "current2")}
    result = fleet.run(
        REPO / "playbooks" / "upgrade.yml",
        extra_vars={
            "ctxlic_server_installer_src": installer(tmp_path, V51),
            "ctxlic_server_version": V51,
            "ctxlic_server_min_free_mb": 100,
            "ctxlic_upgrade_as_of": "2026-11-22",
            "ctxlic_upgrade_catalog_cache": "",
            "ctxlic_upgrade_serial": 2,
        },
    )
    assert result.rc == 0, result.stdout[-4000:]
    reports = {
        h: r["ansible_facts"]["ctxlic_upgrade_report"]
        for h, r in result.task_results("Record the result of this server").items()
    }
    assert reports["overdue"]["status"] == "overdue" and reports["overdue"]["upgraded"] is True
    assert (reports["overdue"]["before"], reports["overdue"]["after"]) == (V45, V51)
    assert reports["overdue"]["action"] == "upgrade"
    for host in ("current1", "current2"):
        # The shipped catalog ends at 51000 and is older than six months on 2026-11-22, so it cannot prove
        # that no newer release exists: the window is unknown (not current), and nothing is upgraded to a
        # build that is not known.
        assert reports[host]["status"] == "unknown" and reports[host]["attempted"] is True
        assert reports[host]["upgraded"] is False, reports[host]
        assert reports[host]["before"] == reports[host]["after"] == V51
        assert install_events(fleet, host) == events[host], f"{host} was touched"
    assert installed_version(fleet, "overdue") == V51
    summary = result.task_results("Show before and after per server")["localhost"]["msg"]
    assert summary["upgraded"] == ["overdue"] and summary["not_finished"] == []


def test_localized_install_dir_is_refused(make_fleet, tmp_path):
    """Citrix Licensing 11.17.2 build 49000 documentation, Install licensing components using the command line
    (seed 004 ~2740): localized characters in the installation path can make the installation fail."""
    fleet = make_fleet([HostSpec("ls01", version=None)])
    before = snapshot(fleet, "ls01")
    result = fleet.run(package_plays({"all": {"src": installer(tmp_path, V49), "version": V49,
                                     "install_dir": "C:\\Programme\\Lizenzdienst-Prüfung"}}))
    assert "Traceback" not in result.stdout + result.stderr
    res = outcomes(result)["ls01"]
    assert res["failed"] is True and "localized (non-ASCII)" in res["msg"] and "'ü'" in res["msg"]
    assert snapshot(fleet, "ls01") == before


def test_both_installer_files_must_be_present(make_fleet, tmp_path):
    """Citrix Licensing 11.17.2 build 49000 documentation, Install licensing components using the command line
    (seed 004 ~2744-2748): "Ensure that both .exe and .msi files are present for the installation"."""
    fleet = make_fleet([HostSpec("ls01", version=V45)])
    lone = make_installer(tmp_path / "lone" / "CitrixLicensing.exe", V49, companion=False)
    res = outcomes(fleet.run(package_plays({"all": {"src": str(lone), "version": V49, "min_free_mb": 100}})))["ls01"]
    assert res["failed"] is True and "ctx_licensing.msi is not next to it" in res["msg"]
    remote = fleet.path("ls01", r"C:\Install\CitrixLicensing.exe")
    remote.parent.mkdir(parents=True)
    make_installer(remote, V49, companion=False)
    before = snapshot(fleet, "ls01")
    res = outcomes(fleet.run(package_plays({"all": {"src": str(lone), "version": V49, "min_free_mb": 100}})))["ls01"]
    assert res["failed"] is True and "ctx_licensing.msi is not next to it" in res["msg"]
    res = outcomes(fleet.run(package_plays({"all": {"remote_src": True, "path": r"C:\Install\CitrixLicensing.exe",
                                           "version": V49, "min_free_mb": 100}})))["ls01"]
    assert res["failed"] is True and "ctx_licensing.msi does not exist on the server" in res["msg"]
    assert snapshot(fleet, "ls01") == before

    # With both files the exe is staged together with the msi, and both staged copies are removed afterwards.
    src = installer(tmp_path, V49)
    done = fleet.run(package_plays({"all": {"src": src, "version": V49, "min_free_mb": 100}}))
    assert_succeeded(done)
    res = outcomes(done)["ls01"]
    staged = fleet.path("ls01", res["installer"]).parent
    assert not (staged / "ctx_licensing.msi").exists() and not (staged / "CitrixLicensing.exe").exists()
    [run] = [e for e in fleet.state("ls01").events() if e["kind"] == "installer_run"]
    assert {"CitrixLicensing.exe", "ctx_licensing.msi"} <= set(run["beside"]), "the msi was not staged with the exe"


def test_automatic_reporting_zip_does_not_block_but_a_failed_upload_does(make_fleet, tmp_path):
    """Citrix Licensing Telemetry, Reporting options (seed 001) keeps files on the server for the *manual* upload;
    the build 49000 documentation's Support bundle table (seed 004 ~3583) has LS\\resource\\usage hold the last
    automatic upload bundle. Refuse only for zips that can be pending manual uploads."""
    fleet = make_fleet([HostSpec("auto", version=V45),
                        HostSpec("failing", version=V45, network={"dns": True, "direct": False, "proxies": {}})])
    fleet.advance(1)
    for host in ("auto", "failing"):
        assert list(fleet.path(host, INSTALL + r"\LS\resource\usage").glob("upload_compliance_*.zip"))
    src = installer(tmp_path, V49)
    failing_before = snapshot(fleet, "failing")
    result = fleet.run(package_plays({"all": {"src": src, "version": V49, "min_free_mb": 100}}))
    res = outcomes(result)
    assert not res["auto"].get("failed"), res["auto"].get("msg")
    assert res["auto"]["action"] == "upgrade"
    assert any("not pending manual uploads" in w for w in res["auto"]["warnings"])
    assert res["failing"]["failed"] is True and "last upload is failure" in res["failing"]["msg"]
    assert snapshot(fleet, "failing") == failing_before


# -- issue 17 item 4: CEIP / Call Home read back from CITRIX.opt -----------------------------------------------------
def test_ceip_setting_is_read_back_from_citrix_opt_and_checked_only_against_the_operators_pattern(make_fleet, tmp_path):
    """CITRIX.opt stores the CEIP / Call Home configuration (seed 004 ~590, Licensing elements; CTX220679 says to
    verify it there), but no document gives the line format: the lab writes none, so the made-up line below is the
    test's own, standing for what an operator copied from a server verified in the Citrix Licensing Manager."""
    fleet = make_fleet([HostSpec("bare", version=None), HostSpec("ls01", version=V45), HostSpec("ls02", version=V45)])
    made_up = "TEST_ONLY_CEIP_LINE value-a\r\n"
    for name in ("ls01", "ls02"):
        opt = fleet.path(name, MYFILES + r"\CITRIX.opt")
        opt.write_bytes(opt.read_bytes() + made_up.encode())  # an upgrade keeps CITRIX.opt
    src = installer(tmp_path, V49)
    common = {"src": src, "version": V49, "min_free_mb": 100}
    result = fleet.run(package_plays({
        "bare": {**common, "ceip": "anonymous"},
        "ls01": {**common, "ceip": "anonymous", "ceip_expect": r"^TEST_ONLY_CEIP_LINE value-a$"},
        "ls02": {**common, "ceip": "anonymous", "ceip_property": "CEIPOPTIN", "ceip_expect": "value-b",
                 "ceip_mismatch": "fail"},
    }))
    out = outcomes(result)
    bare = out["bare"]
    assert not bare.get("failed"), bare.get("msg")
    assert bare["ceip"]["file"] == MYFILES + r"\CITRIX.opt" and bare["ceip"]["found"] is True
    assert bare["ceip"]["passed"] == "CEILOPTIN=Unidentified"
    assert bare["ceip"]["lines"] == [] and bare["ceip"]["verified"] is None  # the lab invents no CEIP line
    assert "no vendor document available gives the line format" in bare["ceip"]["reason"]
    assert not out["ls01"].get("failed"), out["ls01"].get("msg")
    assert out["ls01"]["ceip"]["verified"] is True and out["ls01"]["ceip"]["lines"] == ["TEST_ONLY_CEIP_LINE value-a"]
    ls02 = out["ls02"]
    assert ls02["failed"] is True and ls02["after_version"] == V49 and ls02["ceip"]["verified"] is False
    assert "matches ceip_expect 'value-b'" in ls02["msg"] and "'TEST_ONLY_CEIP_LINE value-a'" in ls02["msg"]
    assert "CEIPOPTIN=Unidentified" in ls02["msg"]
