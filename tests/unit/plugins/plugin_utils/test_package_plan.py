# Copyright: (c) 2026, ctxlic maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Unit tests for package_plan: what ctxlic.license_server.package decides, refuses and runs (seed 004)."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ansible_collections.ctxlic.license_server.plugins.plugin_utils._common.constants import DEFAULT_INSTALL_DIR
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._server import package_plan as plan
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._common.errors import InputError
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._server.version import parse_ls_version

EXE = r"C:\Windows\Temp\ctxlic\CitrixLicensing.exe"
MSI = r"C:\Windows\Temp\ctxlic\ctx_licensing.msi"
STAGE = r"C:\Windows\Temp\ctxlic"
INSTALLED_DIR = r"C:\Program Files (x86)\Citrix\Licensing"


def request(**overrides) -> plan.Request:
    values = {"state": "present", "installer": EXE, "version": parse_ls_version("11.17.2.0 build 49000"),
              "staging_dir": STAGE}
    values.update(overrides)
    return plan.Request(**values)


def decide(installed, **overrides) -> plan.Decision:
    return plan.decide(request(**overrides), installed)


# -- inputs ------------------------------------------------------------------------------------------
@pytest.mark.parametrize("value, expected", [
    (r"C:\Install\CitrixLicensing.exe", r"C:\Install\CitrixLicensing.exe"),
    ("c:/install/CitrixLicensing.exe", r"c:\install\CitrixLicensing.exe"),
    ("D:\\Citrix\\Licensing\\", r"D:\Citrix\Licensing"),
    ("  E:\\x  ", r"E:\x"),
    ("C:\\", "C:\\"),
])
def test_check_host_path_accepts_local_paths(value, expected):
    assert plan.check_host_path(value, "path") == expected


@pytest.mark.parametrize("value, fragment", [
    (r"\\server\share\CitrixLicensing.exe", "UNC path"),
    ("//server/share/CitrixLicensing.exe", "UNC path"),
    (r"Install\CitrixLicensing.exe", "absolute Windows path"),
    ("C:CitrixLicensing.exe", "absolute Windows path"),
    (r"C:\a\..\b.exe", "'..'"),
    ("", "not a path"),
    (None, "not a path"),
    (42, "not a path"),
    ('C:\\a"b.exe', "cannot hold"),
    ("1:\\x", "absolute Windows path"),
    (r"C:\Program Files\Ci%TEMP%trix\Licensing", "'%NAME%'"),
])
def test_check_host_path_refuses(value, fragment):
    with pytest.raises(InputError, match="path") as exc:
        plan.check_host_path(value, "path")
    assert fragment in str(exc.value)


def test_check_host_path_keeps_a_single_percent_sign():
    assert plan.check_host_path("C:\\Licensing 100%\\", "install_dir") == r"C:\Licensing 100%"


def test_unc_refusal_cites_the_seed_and_the_fix():
    with pytest.raises(InputError) as exc:
        plan.check_host_path(r"\\fs01\software\CitrixLicensing.exe", "path")
    assert "Citrix Licensing 11.17.2 build 49000 documentation" in str(exc.value) and "local" in str(exc.value)


@pytest.mark.parametrize("value, ok", [(1, True), (27000, True), (65535, True), (None, True), (0, False),
                                       (65536, False), (-1, False), (True, False), ("27000", False)])
def test_check_port(value, ok):
    if ok:
        assert plan.check_port(value, "license_server_port") == value
    else:
        with pytest.raises(InputError, match="license_server_port"):
            plan.check_port(value, "license_server_port")


@pytest.mark.parametrize("value, ok", [("CEILOPTIN", True), ("CEIPOPTIN", True), ("MY_PROP.2", True),
                                       ("ceiloptin", False), ("CEIL OPTIN", False), ("", False), (None, False),
                                       ("CEIL=1", False)])
def test_check_ceip_property(value, ok):
    if ok:
        assert plan.check_ceip_property(value) == value
    else:
        with pytest.raises(InputError, match="CEILOPTIN"):
            plan.check_ceip_property(value)


def test_target_version_needs_a_build():
    assert plan.parse_target_version("11.17.2 build 49000") == parse_ls_version("11.17.2.0 build 49000")
    with pytest.raises(InputError, match="no build number"):
        plan.parse_target_version("11.17.2.0")
    with pytest.raises(InputError, match=r"^version: "):
        plan.parse_target_version("latest")


@pytest.mark.parametrize("content, expected", [
    (json.dumps({"ctxlic_lab_msi": True, "ProductVersion": "11.17.2.0 build 49000"}).encode(), "11.17.2.0 build 49000"),
    (json.dumps({"ProductVersion": "11.17.2.0 build 49000"}).encode(), None),  # not a lab msi
    (json.dumps({"ctxlic_lab_msi": True, "ProductVersion": 5}).encode(), None),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, None),  # OLE compound file (a real .msi)
    (b"[1, 2]", None),
    (b"", None),
    (None, None),
    (b" " * 70000, None),
])
def test_msi_product_version(content, expected):
    assert plan.msi_product_version(content) == expected


# -- installed ports ---------------------------------------------------------------------------------
@pytest.mark.parametrize("text, expected", [
    ("SERVER this_host ANY 27000\r\nVENDOR CITRIX PORT=7279\r\nUSE_SERVER\r\n",
     {"license_server_port": 27000, "vendor_daemon_port": 7279}),
    ("# SERVER commented 1 2\nserver this_host ANY 27010\nvendor CITRIX port=7300 OPTIONS=CITRIX.opt\n",
     {"license_server_port": 27010, "vendor_daemon_port": 7300}),
    ("SERVER this_host ANY\nVENDOR CITRIX\n", {}),  # FlexNet default range: unknown
    ("SERVER this_host ANY 99999\nVENDOR CITRIX PORT=0\n", {}),
    ("SERVER a ANY 27000\nSERVER b ANY 27001\n", {"license_server_port": 27000}),
    ("", {}),
    (None, {}),
])
def test_parse_startup_ports(text, expected):
    assert plan.parse_startup_ports(text) == expected


@pytest.mark.parametrize("text, expected", [
    ("# Apache\r\nListen 8083\r\n", 8083),
    ("#Listen 1\nListen 0.0.0.0:8090\nListen 8091\n", 8090),
    ("Listen [::]:8443\n", 8443),
    ("  listen 8083 https\n", 8083),
    ("ServerRoot x\n", None),
    ("Listen 70000\n", None),
    (None, None),
])
def test_parse_httpd_listen(text, expected):
    assert plan.parse_httpd_listen(text) == expected


def test_installed_ports_combines_both_files():
    assert plan.installed_ports("SERVER h ANY 27000\nVENDOR CITRIX PORT=7279\n", "Listen 8083\n") == {
        "license_server_port": 27000, "vendor_daemon_port": 7279, "web_services_port": 8083}


# -- decide ------------------------------------------------------------------------------------------
@pytest.mark.parametrize("installed, overrides, action, steps, refusal", [
    (None, {}, "install", ["install"], None),
    ("", {}, "install", ["install"], None),
    ("11.17.2.0 build 49000", {}, "none", [], None),
    ("11.17.2 Build 49000", {}, "none", [], None),
    ("11.17.2.0 build 45000", {}, "upgrade", ["install"], None),
    ("11.16.6 build 34000", {}, "upgrade", ["install"], None),
    ("11.17.2.0 build 51000", {}, "downgrade", ["uninstall", "install"], "refusing to downgrade"),
    ("11.17.2.0 build 51000", {"allow_downgrade": True}, "downgrade", ["uninstall", "install"], None),
    ("11.17.2.0 build 51000", {"allow_downgrade": True, "installer_type": "msi"}, "downgrade",
     ["uninstall", "install"], "needs installer_type: exe"),
    ("11.11.1.0 build 12000", {}, "upgrade", ["uninstall", "install"], "older than 11.12.1"),
    ("11.6.1", {}, "upgrade", ["uninstall", "install"], "older than 11.12.1"),
    ("11.11.1.0 build 12000", {"uninstall_legacy": True}, "upgrade", ["uninstall", "install"], None),
    ("11.11.1.0 build 12000", {"uninstall_legacy": True, "installer_type": "msi"}, "upgrade",
     ["uninstall", "install"], "needs installer_type: exe"),
    ("11.12.1.0 build 20000", {}, "upgrade", ["install"], None),
    ("11.17.2.0", {}, "none", [], "no build number"),
    ("11.16.6.0", {}, "upgrade", ["install"], None),  # release alone is older
    ("garbage", {}, "none", [], "cannot be parsed"),
    (None, {"state": "absent"}, "none", [], None),
    ("11.17.2.0 build 45000", {"state": "absent"}, "uninstall", ["uninstall"], None),
    ("garbage", {"state": "absent"}, "uninstall", ["uninstall"], None),
])
def test_decide(installed, overrides, action, steps, refusal):
    decision = decide(installed, **overrides)
    assert decision.action == action
    assert decision.steps == steps
    if refusal is None:
        assert decision.refusals == []
    else:
        assert len(decision.refusals) == 1 and refusal in decision.refusals[0]
    assert decision.action in plan.ACTIONS


def test_decide_needs_a_target_for_present():
    with pytest.raises(InputError, match="version"):
        decide("11.17.2.0 build 45000", version=None)


def test_legacy_refusal_names_the_option_and_keeps_myfiles():
    text = decide("11.11.1.0 build 12000").refusals[0]
    assert "uninstall_legacy: true" in text and "MyFiles is kept" in text
    assert "Citrix Licensing 11.17.2 build 49000 documentation" in text


@pytest.mark.parametrize("installed, overrides, expected", [
    ("11.17.2.0 build 45000", {}, True),    # upgrade from 45000
    ("11.17.2.0 build 46000", {}, True),
    ("11.17.2.0 build 44000", {}, False),   # before build 45000 nothing is stored
    ("11.16.6 build 34000", {}, False),
    (None, {}, False),                       # fresh install
    ("11.17.2.0 build 49000", {}, False),   # nothing to do
    ("11.17.2.0 build 45000", {"state": "absent"}, True),
    ("11.17.2.0 build 40000", {"state": "absent"}, True),  # any uninstall
    ("11.17.2.0 build 51000", {"allow_downgrade": True}, True),
    ("11.11.1.0 build 1", {"uninstall_legacy": True}, True),
])
def test_needs_pending_check(installed, overrides, expected):
    assert plan.needs_pending_check(decide(installed, **overrides)) is expected


@pytest.mark.parametrize("installed, overrides, expected", [
    (None, {"ports": {"license_server_port": 1}}, False),
    ("11.17.2.0 build 45000", {}, False),
    ("11.17.2.0 build 45000", {"ports": {"license_server_port": 1}}, True),
    ("11.17.2.0 build 51000", {"allow_downgrade": True}, True),   # reinstall keeps the ports
    ("11.17.2.0 build 45000", {"state": "absent", "ports": {"license_server_port": 1}}, False),
])
def test_needs_port_read(installed, overrides, expected):
    decision = decide(installed, **overrides)
    assert plan.needs_port_read(decision, request(**overrides)) is expected


def test_needs_disk_check_only_when_installing():
    assert plan.needs_disk_check(decide(None))
    assert plan.needs_disk_check(decide("11.17.2.0 build 45000"))
    assert not plan.needs_disk_check(decide("11.17.2.0 build 49000"))
    assert not plan.needs_disk_check(decide("11.17.2.0 build 45000", state="absent"))


# -- refusals ----------------------------------------------------------------------------------------
INSTALLED_PORTS = {"license_server_port": 27000, "vendor_daemon_port": 7279, "web_services_port": 8083}


@pytest.mark.parametrize("installed, ports, have, n_refusals, n_warnings, fragment", [
    ("11.17.2.0 build 45000", {"web_services_port": 8090}, INSTALLED_PORTS, 1, 0, "cannot change ports"),
    ("11.17.2.0 build 45000", {"web_services_port": 8083, "license_server_port": 27000}, INSTALLED_PORTS, 0, 0, None),
    ("11.17.2.0 build 45000", {"license_server_port": 27001, "vendor_daemon_port": 7280}, INSTALLED_PORTS, 2, 0,
     "License Server port 27000"),
    ("11.17.2.0 build 45000", {"web_services_port": 8090}, {}, 0, 1, "could not be read"),
    ("11.17.2.0 build 45000", {"management_console_port": 8082}, INSTALLED_PORTS, 0, 1, "could not be read"),
    ("11.17.2.0 build 49000", {"web_services_port": 8090}, INSTALLED_PORTS, 0, 1, "nothing is run"),
    (None, {"web_services_port": 8090}, {}, 0, 0, None),
])
def test_port_findings(installed, ports, have, n_refusals, n_warnings, fragment):
    req = request(ports=ports)
    refusals, warnings = plan.port_findings(plan.decide(req, installed), req, have)
    assert (len(refusals), len(warnings)) == (n_refusals, n_warnings)
    if fragment:
        assert fragment in " ".join(refusals + warnings)


def test_port_refusal_says_the_fix():
    req = request(ports={"web_services_port": 8090})
    refusals, _warnings = plan.port_findings(plan.decide(req, "11.17.2.0 build 45000"), req, INSTALLED_PORTS)
    assert "set it to 8083" in refusals[0] and "Citrix Licensing 11.17.2 build 49000 documentation" in refusals[0]


@pytest.mark.parametrize("installed, install_dir, registry_dir, refused, warned", [
    ("11.17.2.0 build 45000", r"D:\Citrix", INSTALLED_DIR, True, False),
    ("11.17.2.0 build 45000", INSTALLED_DIR.upper() + "\\", INSTALLED_DIR, False, False),
    ("11.17.2.0 build 49000", r"D:\Citrix", INSTALLED_DIR, False, True),
    ("11.17.2.0 build 45000", None, INSTALLED_DIR, False, False),
    (None, r"D:\Citrix", None, False, False),
])
def test_install_dir_findings(installed, install_dir, registry_dir, refused, warned):
    req = request(install_dir=install_dir)
    refusals, warnings = plan.install_dir_findings(plan.decide(req, installed), req, registry_dir)
    assert bool(refusals) is refused and bool(warnings) is warned


def test_disk_requirements_add_the_staged_installer_to_its_volume():
    assert plan.disk_requirements(request(min_free_mb=10, installer_bytes=5), INSTALLED_DIR) == {
        "C:\\": 10 * plan.MIB + 5}
    assert plan.disk_requirements(request(min_free_mb=10, installer_bytes=5), r"d:\Citrix") == {
        "D:\\": 10 * plan.MIB, "C:\\": 5}
    assert plan.disk_requirements(request(min_free_mb=0), INSTALLED_DIR) == {"C:\\": 0}


@pytest.mark.parametrize("free, refused", [(0, True), (plan.MIB - 1, True), (plan.MIB, False), (10 * plan.MIB, False)])
def test_disk_findings(free, refused):
    refusals = plan.disk_findings({"C:\\": plan.MIB}, {"C:\\": free}, 0, 1)
    assert bool(refusals) is refused
    if refused:
        assert "min_free_mb" in refusals[0] and "C:\\" in refusals[0]


PENDING = [r"C:\x\LS\resource\usage\upload_compliance_1.zip",
           r"C:\x\LS\resource\cis bundles\ul_usage\upload_usage_1.zip"]


@pytest.mark.parametrize("installed, overrides, force, refused, fragment", [
    ("11.17.2.0 build 45000", {"state": "absent"}, False, True, "deletes them"),
    ("11.17.2.0 build 45000", {"state": "absent"}, True, False, "force: true"),
    ("11.17.2.0 build 45000", {}, False, True, "takes longer"),
    ("11.17.2.0 build 51000", {"allow_downgrade": True}, False, True, "downgrade (uninstall first)"),
])
def test_pending_findings(installed, overrides, force, refused, fragment):
    refusals, warnings = plan.pending_findings(decide(installed, **overrides), PENDING, force)
    text = " ".join(refusals + warnings)
    assert bool(refusals) is refused and bool(warnings) is not refused
    assert fragment in text and "cis bundles" in text
    if refused:
        assert "telemetry_bundle" in text and "force: true" in text


def test_pending_findings_cut_long_lists_and_ignore_none():
    many = [rf"C:\x\LS\resource\usage\upload_compliance_{i}.zip" for i in range(25)]
    refusals, _warnings = plan.pending_findings(decide("11.17.2.0 build 45000", state="absent"), many, False)
    assert "and 5 more" in refusals[0] and "25 manual-upload" in refusals[0]
    assert plan.pending_findings(decide("11.17.2.0 build 45000", state="absent"), [], False) == ([], [])


# -- steps -------------------------------------------------------------------------------------------
def test_fresh_exe_install_passes_dir_ports_and_ceip_in_seed_order():
    req = request(install_dir=r"D:\Citrix\Licensing", ceip="anonymous",
                  ports={"license_server_port": 27010, "vendor_daemon_port": 7280, "web_services_port": 8090})
    steps = plan.build_steps(plan.decide(req, None), req)
    assert [s.to_dict() for s in steps] == [{"kind": "install", "log_path": STAGE + r"\CitrixLicensing-install.log",
                                             "argv": [EXE, "/quiet", "/l", STAGE + r"\CitrixLicensing-install.log",
                                                      r"INSTALLDIR=D:\Citrix\Licensing", "WSLPORT=8090",
                                                      "LSPORT=27010", "VDPORT=7280", "CEILOPTIN=Unidentified"]}]


def test_msi_install_uses_the_active_directory_property_names():
    req = request(installer=MSI, installer_type="msi", ceip="diagnostic", ceip_property="CEIPOPTIN",
                  log_path=r"C:\logs\ls.log",
                  ports={"license_server_port": 27000, "vendor_daemon_port": 7279, "web_services_port": 8083,
                         "management_console_port": 8082})
    (step,) = plan.build_steps(plan.decide(req, None), req)
    assert step.argv == [plan.MSIEXEC, "/I", MSI, "/l*v", r"C:\logs\ls.log", "/qn", "/norestart",
                         "LICSERVERPORT=27000", "VENDORDAEMONPORT=7279", "MNGMTCONSOLEWEBPORT=8082",
                         "WEBSERVICESLICENSINGPORT=8083", "CEIPOPTIN=DIAGNOSTIC"]


def test_upgrade_passes_no_ports():
    req = request(ports={"web_services_port": 8083}, ceip="none")
    (step,) = plan.build_steps(plan.decide(req, "11.17.2.0 build 45000"), req, ports_now=INSTALLED_PORTS,
                               registry_install_dir=INSTALLED_DIR)
    assert step.argv == [EXE, "/quiet", "/l", STAGE + r"\CitrixLicensing-install.log", "CEILOPTIN=NONE"]


def test_uninstall_command_is_the_documented_one():
    req = request(state="absent", version=None, log_path=r"C:\logs\u.log")
    (step,) = plan.build_steps(plan.decide(req, "11.17.2.0 build 45000"), req)
    assert step.argv == [EXE, "/quiet", "/uninstall", "/l", r"C:\logs\u.log"]
    req = request(state="absent", version=None)
    (step,) = plan.build_steps(plan.decide(req, "11.17.2.0 build 45000"), req)
    assert step.log_path == STAGE + r"\CitrixLicensing-uninstall.log"


def test_downgrade_uninstalls_then_reinstalls_with_the_installed_dir_and_ports():
    req = request(allow_downgrade=True, log_path=r"C:\logs\ls.log", ports={"web_services_port": 9000})
    steps = plan.build_steps(plan.decide(req, "11.17.2.0 build 51000"), req,
                             ports_now=INSTALLED_PORTS, registry_install_dir=r"E:\Citrix\Licensing" + "\\")
    assert [s.kind for s in steps] == ["uninstall", "install"]
    assert steps[0].argv == [EXE, "/quiet", "/uninstall", "/l", r"C:\logs\ls-uninstall.log"]
    assert steps[1].argv == [EXE, "/quiet", "/l", r"C:\logs\ls.log", r"INSTALLDIR=E:\Citrix\Licensing",
                             "WSLPORT=9000", "LSPORT=27000", "VDPORT=7279"]


def test_nothing_to_do_builds_no_steps_and_missing_installer_is_an_input_error():
    req = request()
    assert plan.build_steps(plan.decide(req, "11.17.2.0 build 49000"), req) == []
    req = request(installer=None)
    with pytest.raises(InputError, match="src"):
        plan.build_steps(plan.decide(req, None), req)


@pytest.mark.parametrize("path, expected", [
    (r"C:\l\a.log", r"C:\l\a-uninstall.log"),
    (r"C:\l\a", r"C:\l\a-uninstall.log"),
    (r"C:\l.d\a.txt", r"C:\l.d\a-uninstall.txt"),
])
def test_with_suffix(path, expected):
    assert plan.with_suffix(path, "-uninstall") == expected


@pytest.mark.parametrize("installed, registry_dir, overrides, expected", [
    (None, None, {}, DEFAULT_INSTALL_DIR),
    (None, None, {"install_dir": r"D:\LS"}, r"D:\LS"),
    ("11.17.2.0 build 45000", "E:\\LS\\", {"install_dir": r"D:\LS"}, r"E:\LS"),
    ("11.17.2.0 build 51000", r"E:\LS", {"install_dir": r"D:\LS", "allow_downgrade": True}, r"D:\LS"),
])
def test_install_dir_for(installed, registry_dir, overrides, expected):
    req = request(**overrides)
    assert plan.install_dir_for(plan.decide(req, installed), req, registry_dir) == expected


# -- make_request ------------------------------------------------------------------------------------
BASE_ARGS = {"state": "present", "installer_type": "exe", "ceip_property": "CEILOPTIN", "min_free_mb": 1024}


@pytest.mark.parametrize("args, fragment", [
    ({"management_console_port": 8082}, "msiexec property"),
    ({"state": "absent", "installer_type": "msi"}, "installer_type: exe"),
    ({"license_server_port": 0}, "license_server_port"),
    ({"min_free_mb": -1}, "min_free_mb"),
    ({"ceip": "always"}, "ceip"),
    ({"ceip_property": "ceiloptin"}, "ceip_property"),
    ({"install_dir": r"\\srv\share\ls"}, "UNC"),
    ({"log_path": "install.log"}, "log_path"),
])
def test_make_request_refuses(args, fragment):
    with pytest.raises(InputError, match=fragment):
        plan.make_request({**BASE_ARGS, **args}, installer=EXE, installer_bytes=0, staging_dir=STAGE, version=None)


def test_make_request_keeps_given_ports_only():
    req = plan.make_request({**BASE_ARGS, "installer_type": "msi", "management_console_port": 8082,
                             "license_server_port": None, "install_dir": "D:\\LS\\", "ceip": "none"},
                            installer=MSI, installer_bytes=10, staging_dir=STAGE, version=None)
    assert req.ports == {"management_console_port": 8082}
    assert req.install_dir == r"D:\LS" and req.installer_bytes == 10 and req.ceip == "none"


# -- outcome -----------------------------------------------------------------------------------------
@pytest.mark.parametrize("rc, ok, reboot, meaning", [
    (0, True, False, "success"),
    (3010, True, True, "reboot"),
    (1603, False, False, "fatal"),
    (1605, False, False, "currently installed"),
    (1638, False, False, "another version"),
    (1639, False, False, "invalid command line"),
    (1641, False, True, "restart"),
    (2, False, False, "unknown"),
])
def test_interpret_exit(rc, ok, reboot, meaning):
    outcome = plan.interpret_exit(rc)
    assert (outcome.ok, outcome.reboot_required) == (ok, reboot)
    assert meaning in outcome.meaning


@pytest.mark.parametrize("data, expected", [
    ("line1\r\nline2\r\n".encode("utf-16"), "line1\r\nline2\r\n"),
    ("line1\nline2".encode("utf-16-le"), "line1\nline2"),
    (b"\xef\xbb\xbfhello", "hello"),
    ("caf\u00e9".encode("latin-1"), "caf\u00e9"),
    (b"", ""),
    (None, ""),
])
def test_decode_log(data, expected):
    assert plan.decode_log(data) == expected


def test_log_tail_keeps_the_last_lines_without_trailing_blanks():
    data = "\r\n".join(f"line {i}" for i in range(100)).encode() + b"\r\n\r\n"
    tail = plan.log_tail(data)
    assert len(tail) == 30 and tail[0] == "line 70" and tail[-1] == "line 99"
    assert plan.log_tail(b"a\nb\n", 1) == ["b"]
    assert plan.log_tail(None) == []


def test_services_not_running():
    assert plan.services_not_running({name: "running" for name in plan.SERVICES}) == []
    assert plan.services_not_running({"Citrix Licensing": "stopped", "CitrixWebServicesforLicensing": "running"}) == [
        "Citrix Licensing", "CitrixLicensingSupportService"]


def test_services_to_start_are_the_stopped_ones_that_exist():
    assert plan.services_to_start({name: "running" for name in plan.SERVICES}) == []
    # A missing service (None) cannot be started; "paused" or "start_pending" are started like "stopped".
    states = {"Citrix Licensing": "stopped", "CitrixWebServicesforLicensing": None,
              "CitrixLicensingSupportService": "paused"}
    assert plan.services_to_start(states) == ["Citrix Licensing", "CitrixLicensingSupportService"]
    assert plan.services_to_start({}) == []


def test_services_down_message_names_each_service_and_why_it_did_not_start():
    msg = plan.services_down_message("11.17.2.0 build 49000", ["Citrix Licensing", "CitrixLicensingSupportService"],
                                     "Check the services.", {"Citrix Licensing": "access denied"})
    assert msg == ("Citrix License Server 11.17.2.0 build 49000 is installed but these services are not running: "
                   "Citrix Licensing (access denied), CitrixLicensingSupportService. Check the services.")
    assert plan.services_down_message("v", ["A"], "Hint.") == (
        "Citrix License Server v is installed but these services are not running: A. Hint.")


def test_diff_shows_versions():
    assert plan.diff(None, "11.17.2.0 build 49000", "ls01") == {
        "before": "version: not installed\n", "after": "version: 11.17.2.0 build 49000\n",
        "before_header": "Citrix License Server on ls01 (before)",
        "after_header": "Citrix License Server on ls01 (after)"}


# -- properties --------------------------------------------------------------------------------------
@settings(max_examples=200, deadline=None)
@given(st.text(max_size=300))
def test_port_parsers_never_raise(text):
    ports = plan.installed_ports(text, text)
    assert all(1 <= v <= 65535 for v in ports.values())


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=600))
def test_byte_readers_never_raise(data):
    assert isinstance(plan.decode_log(data), str)
    assert isinstance(plan.log_tail(data), list)
    assert plan.msi_product_version(data) is None or isinstance(plan.msi_product_version(data), str)


@settings(max_examples=200, deadline=None)
@given(st.one_of(st.text(max_size=80), st.integers(), st.none()))
def test_check_host_path_raises_only_input_error(value):
    try:
        result = plan.check_host_path(value, "path")
    except InputError:
        return
    assert result[1] == ":" and not result.startswith("\\\\")


@settings(max_examples=200, deadline=None)
@given(st.one_of(st.none(), st.text(max_size=40), st.from_regex(r"\A1[01]\.\d{1,2}\.\d( build \d{1,5})?\Z")))
def test_decide_raises_nothing_for_any_installed_text(installed):
    decision = decide(installed, uninstall_legacy=True)
    assert decision.action in plan.ACTIONS


# Citrix Licensing 11.17.2 build 49000 documentation, Install licensing components using the command line (seed 004
# ~2740): "type only ASCII alphabetic letter characters for the installation directory".
@pytest.mark.parametrize("value", ["C:\\Citrix\\Lizenzserver\u00fc", "D:\\\u30e9\u30a4\u30bb\u30f3\u30b9",
                                   "C:\\Citrix\\Licens\u00e9"])
def test_install_dir_with_localized_characters_is_refused(value):
    with pytest.raises(InputError, match=r"install_dir.*localized"):
        plan.make_request({"install_dir": value}, installer=EXE, installer_bytes=1, staging_dir=STAGE,
                          version=parse_ls_version("11.17.2.0 build 49000"))


def test_install_dir_default_and_ascii_paths_are_accepted():
    for value, expected in ((INSTALLED_DIR, INSTALLED_DIR), ("D:\\Citrix\\Licensing\\", "D:\\Citrix\\Licensing"),
                            ("D:/Citrix/Licensing", "D:\\Citrix\\Licensing")):
        request = plan.make_request({"install_dir": value}, installer=EXE, installer_bytes=1, staging_dir=STAGE,
                                    version=parse_ls_version("11.17.2.0 build 49000"))
        assert request.install_dir == expected


# Citrix Licensing Telemetry, Reporting options (seed 001) and the Support bundle table of the build 49000
# documentation (seed 004 ~3583): with automatic reporting a zip in LS\resource\usage is the last bundle sent.
@pytest.mark.parametrize("mode, last, pending", [
    ("manual", "success", True),
    ("automatic", "success", False),
    ("automatic", "failure", True),
    ("automatic", "unknown", True),
    ("automatic", None, True),
    ("unknown", "success", True),
])
def test_pending_uploads_depend_on_the_reporting_mode(mode, last, pending):
    zips = [r"C:\x\LS\resource\usage\upload_compliance_1.zip"]
    found, why = plan.pending_uploads(zips, reporting_mode=mode, last_upload=last)
    assert (found == zips) is pending and why
    assert plan.pending_uploads([], reporting_mode=mode, last_upload=last) == ([], "")
