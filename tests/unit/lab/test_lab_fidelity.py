# Copyright: (c) 2026, ctxlic maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The lab behaves as the seed documents describe (it is test infrastructure: it must be faithful).

Each test runs the simulated programs as processes, with the documented command lines.
"""

from __future__ import annotations

import json
import subprocess
import zipfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from ansible_collections.ctxlic.license_server.plugins.plugin_utils.lab import fleet
from ansible_collections.ctxlic.license_server.plugins.plugin_utils.lab.layout import INSTALL_REG_KEY, win_to_lab
from ansible_collections.ctxlic.license_server.plugins.plugin_utils.lab.state import HostState
from ansible_collections.ctxlic.license_server.plugins.plugin_utils.lab.uploader import run_due
from clock import NOW

INSTALL = r"C:\Program Files (x86)\Citrix\Licensing"


@pytest.fixture
def lab(tmp_path):
    def make(*specs):
        fleet.create_fleet(tmp_path, list(specs), start=NOW)
        return tmp_path

    return make


def host(root: Path, name: str) -> Path:
    return root / "hosts" / name


def run(root: Path, name: str, winprog: str, *args: str, cwd: str | None = None) -> subprocess.CompletedProcess:
    """Run a lab program through ``labctl exec``, which reports the full Windows exit code."""
    program = win_to_lab(host(root, name), winprog)
    workdir = win_to_lab(host(root, name), cwd) if cwd else program.parent
    labctl = host(root, name) / ".lab/bin/labctl"
    proc = subprocess.run(
        [str(labctl), "exec", "--chdir", str(workdir), "--", str(program), *args],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    data = json.loads(proc.stdout)
    return subprocess.CompletedProcess(proc.args, data["rc"], data["stdout"], data["stderr"])


def ls(root, name, rel):
    return win_to_lab(host(root, name), INSTALL + "\\" + rel)


def stage_installer(root, name, version, kind="exe"):
    target = "CitrixLicensing.exe" if kind == "exe" else "ctx_licensing.msi"
    path = win_to_lab(host(root, name), r"C:\Windows\Temp\ctxlic" + "\\" + target)
    fleet.make_installer(path, version, kind)
    return r"C:\Windows\Temp\ctxlic" + "\\" + target


def version(root, name):
    return (HostState(host(root, name)).registry.get(INSTALL_REG_KEY) or {}).get("Version")


def test_fresh_install_lays_down_the_documented_layout(lab):
    root = lab(fleet.HostSpec("ls01", version=None))
    exe = stage_installer(root, "ls01", "11.17.2.0 build 49000")
    proc = run(root, "ls01", exe, "/quiet", "/l", r"C:\Windows\Temp\install.log", "LSPORT=27001", "CEILOPTIN=NONE")
    assert proc.returncode == 0, proc.stderr
    for rel in (
        r"MyFiles\citrix_startup.lic",
        r"MyFiles\CITRIX.opt",
        r"LS\lmreread.exe",
        r"LS\resource\cache",
        r"LS\resource\usage",
        r"LS\resource\cis_bundles\ul_usage",
        r"WebServicesForLicensing\SimpleLicenseServiceConfig.xml",
        r"LS\ctx_license_management_service.exe",
    ):
        assert ls(root, "ls01", rel).exists(), rel
    assert version(root, "ls01") == "11.17.2.0 build 49000"
    assert "SERVER this_host ANY 27001" in ls(root, "ls01", r"MyFiles\citrix_startup.lic").read_text()
    log = win_to_lab(host(root, "ls01"), r"C:\Windows\Temp\install.log").read_text()
    assert "Installation completed successfully" in log
    services = HostState(host(root, "ls01")).services
    assert {n: s["state"] for n, s in services.items()} == {
        "Citrix Licensing": "running",
        "CitrixWebServicesforLicensing": "running",
        "CitrixLicensingSupportService": "running",
    }


def test_upgrade_keeps_myfiles_and_data_and_ports(lab):
    root = lab(
        fleet.HostSpec(
            "ls01",
            version="11.17.2.0 build 45000",
            reporting="manual",
            pending_zip_days=[5],
            licenses=[{"file": "FID_a.lic", "features": [{"feature": "XDT_PLT_UD", "count": 5}]}],
        )
    )
    exe = stage_installer(root, "ls01", "11.17.2.0 build 49000")
    proc = run(root, "ls01", exe, "/quiet", "/l", "upgrade.log", "LSPORT=28000")
    assert proc.returncode == 0
    assert version(root, "ls01") == "11.17.2.0 build 49000"
    assert ls(root, "ls01", r"MyFiles\FID_a.lic").exists()
    assert list(ls(root, "ls01", r"LS\resource\usage").glob("upload_compliance_*.zip"))
    assert "SERVER this_host ANY 27000" in ls(root, "ls01", r"MyFiles\citrix_startup.lic").read_text()
    log = (win_to_lab(host(root, "ls01"), exe).parent / "upgrade.log").read_text()
    assert "Ports cannot be changed" in log
    assert json.loads((host(root, "ls01") / ".lab/lms.json").read_text())["enabled"] is False  # setting kept


@pytest.mark.parametrize(
    "installed, offered, code",
    [
        ("11.11.1.0 build 16000", "11.17.2.0 build 49000", 1603),  # must uninstall versions older than 11.12.1 first
        ("11.17.2.0 build 49000", "11.17.2.0 build 45000", 1638),  # newer already installed
    ],
)
def test_installer_refusals_leave_the_old_version(lab, installed, offered, code):
    root = lab(fleet.HostSpec("ls01", version="11.17.2.0 build 45000"))
    state = HostState(host(root, "ls01"))
    reg = state.registry[INSTALL_REG_KEY]
    reg["Version"] = installed
    state.set_registry_key(INSTALL_REG_KEY, reg)
    exe = stage_installer(root, "ls01", offered)
    assert run(root, "ls01", exe, "/quiet", "/l", "x.log").returncode == code
    assert version(root, "ls01") == installed


@pytest.mark.parametrize(
    "faults, code, expected_version",
    [
        ({"installer_exit_code": 1603}, 1603, "11.17.2.0 build 45000"),
        ({"installer_exit_code": 3010}, 3010, "11.17.2.0 build 49000"),
        ({"disk_full": True}, 1603, "11.17.2.0 build 45000"),
    ],
)
def test_installer_faults(lab, faults, code, expected_version):
    root = lab(fleet.HostSpec("ls01", version="11.17.2.0 build 45000", faults=faults))
    exe = stage_installer(root, "ls01", "11.17.2.0 build 49000")
    proc = run(root, "ls01", exe, "/quiet", "/l", "x.log")
    assert proc.returncode == code
    assert version(root, "ls01") == expected_version
    log = (win_to_lab(host(root, "ls01"), exe).parent / "x.log").read_text()
    assert ("Error 1603" in log) == (code == 1603)


def test_service_that_will_not_start(lab):
    root = lab(fleet.HostSpec("ls01", version=None, faults={"service_wont_start": ["Citrix Licensing"]}))
    exe = stage_installer(root, "ls01", "11.17.2.0 build 49000")
    assert run(root, "ls01", exe, "/quiet", "/l", "x.log").returncode == 0
    assert HostState(host(root, "ls01")).services["Citrix Licensing"]["state"] == "stopped"
    labctl = host(root, "ls01") / ".lab/bin/labctl"
    proc = subprocess.run(
        [str(labctl), "service-set", "Citrix Licensing", "started"], capture_output=True, text=True, check=False
    )
    assert proc.returncode == 1 and "failed to start" in proc.stdout


def test_uninstall_keeps_myfiles_and_deletes_telemetry(lab):
    root = lab(
        fleet.HostSpec(
            "ls01",
            version="11.17.2.0 build 49000",
            reporting="manual",
            pending_zip_days=[3, 2],
            licenses=[{"file": "FID_a.lic", "features": [{"feature": "XDT_PLT_UD", "count": 5}]}],
        )
    )
    exe = stage_installer(root, "ls01", "11.17.2.0 build 49000")
    assert run(root, "ls01", exe, "/quiet", "/uninstall", "/l", "u.log").returncode == 0
    assert ls(root, "ls01", r"MyFiles\FID_a.lic").exists()
    assert not ls(root, "ls01", r"LS").exists()
    assert version(root, "ls01") is None
    assert HostState(host(root, "ls01")).services == {}
    assert run(root, "ls01", exe, "/quiet", "/uninstall", "/l", "u.log").returncode == 1605


def test_msiexec_uses_the_active_directory_property_names(lab):
    root = lab(fleet.HostSpec("ls01", version=None))
    msi = stage_installer(root, "ls01", "11.17.2.0 build 49000", kind="msi")
    proc = run(
        root,
        "ls01",
        r"C:\Windows\System32\msiexec.exe",
        "/I",
        msi,
        "/l*v",
        r"C:\Windows\Temp\msi.log",
        "/qn",
        "LICSERVERPORT=27005",
        "VENDORDAEMONPORT=7300",
        "WEBSERVICESLICENSINGPORT=8090",
        "CEILOPTIN=NONE",
        cwd=r"C:\Windows\Temp",
    )
    assert proc.returncode == 0
    text = ls(root, "ls01", r"MyFiles\citrix_startup.lic").read_text()
    assert "ANY 27005" in text and "PORT=7300" in text
    assert "Listen 8090" in ls(root, "ls01", r"WebServicesForLicensing\Apache\conf\httpd.conf").read_text()


def _lic(root, name, filename, text):
    ls(root, name, "MyFiles\\" + filename).write_text(text)


def test_daemon_serves_only_files_the_seeds_say_it_reads(lab):
    from ansible_collections.ctxlic.license_server.plugins.plugin_utils.lab.licgen import license_text

    root = lab(fleet.HostSpec("ls01", hostname="LS01", macs=["00:15:5D:00:00:AA"]))

    def feat(name):
        return [{"feature": name, "count": 7}]

    _lic(root, "ls01", "good.lic", license_text(["LS01"], feat("GOOD")))
    _lic(root, "ls01", "case.lic", license_text(["ls01"], feat("WRONGCASE")))
    _lic(root, "ls01", "two.lic", license_text(["LS01", "OTHER"], feat("TWOHOSTS")))
    _lic(root, "ls01", "upper.LIC", license_text(["LS01"], feat("UPPEREXT")))
    _lic(root, "ls01", "mac.lic", license_text([], feat("MACBOUND"), mac="00155d0000aa"))
    proc = run(root, "ls01", INSTALL + r"\LS\lmreread.exe", "-c", "@localhost", "-all")
    assert proc.returncode == 0 and "lmreread successful" in proc.stdout
    stat = run(root, "ls01", INSTALL + r"\LS\lmstat.exe", "-a", "-c", "@localhost").stdout
    assert "Users of GOOD:" in stat and "Users of MACBOUND:" in stat
    for ignored in ("WRONGCASE", "TWOHOSTS", "UPPEREXT"):
        assert f"Users of {ignored}:" not in stat


def test_lmreread_failures(lab):
    root = lab(fleet.HostSpec("ls01"))
    assert run(root, "ls01", INSTALL + r"\LS\lmreread.exe", "-c", "@elsewhere", "-all").returncode == 1
    HostState(host(root, "ls01")).set_faults({"lmreread_fail": True})
    proc = run(root, "ls01", INSTALL + r"\LS\lmreread.exe", "-c", "@localhost", "-all")
    assert proc.returncode == 1 and "lmreread failed" in proc.stderr
    HostState(host(root, "ls01")).set_faults({})
    subprocess.run(
        [str(host(root, "ls01") / ".lab/bin/labctl"), "service-set", "Citrix Licensing", "stopped"],
        check=True,
        capture_output=True,
    )
    proc = run(root, "ls01", INSTALL + r"\LS\lmreread.exe", "-c", "@localhost", "-all")
    assert proc.returncode == 1 and "Cannot connect" in proc.stderr


def test_management_service_command_line(lab):
    root = lab(fleet.HostSpec("ls01"))
    exe = INSTALL + r"\LS\ctx_license_management_service.exe"
    assert "is enabled" in run(root, "ls01", exe, "-query").stdout
    assert run(root, "ls01", exe, "-disable").returncode == 0
    assert "is disabled" in run(root, "ls01", exe, "-query").stdout
    assert run(root, "ls01", exe, "-bogus").returncode != 0


def _result(root, name):
    return ls(root, name, r"LS\resource\cache\upload_compliance_result.xml").read_text()


def test_daily_uploader_follows_the_network_and_reporting_mode(lab):
    root = lab(
        fleet.HostSpec("direct"),
        fleet.HostSpec("blocked", network={"dns": True, "direct": False, "proxies": {}}),
        fleet.HostSpec(
            "proxied",
            proxy="proxy.lab:3128",
            network={"dns": True, "direct": False, "proxies": {"proxy.lab:3128": True}},
        ),
        fleet.HostSpec("nodns", network={"dns": False, "direct": False, "proxies": {}}),
        fleet.HostSpec("manual", reporting="manual", version="11.17.2.0 build 49000"),
        fleet.HostSpec("manual-old", reporting="manual", version="11.17.2.0 build 44000"),
        fleet.HostSpec("spaced", reporting="manual", cis_bundles_spelling="space"),
    )
    outcomes = fleet.advance(root, 2)
    assert outcomes["direct"] == ["success", "success"]
    assert "<Code>CTX_UPLOADER_SUCCESS</Code>" in _result(root, "direct")
    assert outcomes["blocked"] == ["failure", "failure"]
    assert "CTX_UPLOADER_ERROR_NETWORK_OPEN" in _result(root, "blocked")
    assert outcomes["proxied"] == ["success", "success"]
    assert "WSAHOST_NOT_FOUND" in _result(root, "nodns")
    usage = list(ls(root, "manual", r"LS\resource\usage").glob("upload_compliance_*.zip"))
    ul = list(ls(root, "manual", r"LS\resource\cis_bundles\ul_usage").glob("upload_usage_*.zip"))
    assert len(usage) == 2 and len(ul) == 2
    assert all(zipfile.is_zipfile(p) for p in usage + ul)
    # upload_usage zips exist from build 45000 on (seed 001)
    assert not list(ls(root, "manual-old", r"LS\resource\cis_bundles\ul_usage").glob("*.zip"))
    assert len(list(ls(root, "spaced", r"LS\resource\cis bundles\ul_usage").glob("upload_usage_*.zip"))) == 2
    result_t = int(_result(root, "direct").split("<t>")[1].split("</t>")[0])
    # The lab clock, not the wall clock: the second attempt, a day after the first, five minutes after the install.
    assert result_t == int(NOW.timestamp()) + 300 + 86400


def test_wrong_case_proxy_tag_is_not_the_setting(lab):
    root = lab(fleet.HostSpec("ls01", network={"dns": True, "direct": False, "proxies": {"p.lab:8080": True}}))
    config = ls(root, "ls01", r"WebServicesForLicensing\SimpleLicenseServiceConfig.xml")
    config.write_text(config.read_text().replace("</Configurations>", "<proxy>p.lab:8080</proxy></Configurations>"))
    assert fleet.advance(root, 1)["ls01"] == ["failure"]  # tags are case-sensitive (seed 004)


def test_proxy_must_be_a_direct_child_of_configurations(lab):
    root = lab(fleet.HostSpec("ls01", network={"dns": True, "direct": False, "proxies": {"p.lab:8080": True}}))
    config = ls(root, "ls01", r"WebServicesForLicensing\SimpleLicenseServiceConfig.xml")
    original = config.read_text()
    config.write_text(original.replace("<Enabled>true</Enabled>", "<Enabled>true</Enabled><Proxy>p.lab:8080</Proxy>"))
    assert fleet.advance(root, 1)["ls01"] == ["failure"]  # nested inside EncoreConfiguration: not the setting
    config.write_text(original.replace("</Configurations>", "<Proxy>p.lab:8080</Proxy></Configurations>"))
    assert fleet.advance(root, 1)["ls01"] == ["success"]


# -- issue 17: what the License Server really serves (items 1, 9, 12) -----------------------------------------------
def _inc(feature, count, expiry, serial, *, issued="15-jan-2025", start=None, supersede=None):
    attrs = f"ISSUED={issued}" + (f" START={start}" if start else "")
    attrs += f' SUPERSEDE="{supersede}"' if supersede else ""
    return (f"INCREMENT {feature} CITRIX 2027.0101 {expiry} {count} \\\r\n"
            f"\tVENDOR_STRING=;LT=Retail;GP=720;SA=0 DUP_GROUP=V \\\r\n\t{attrs} SN={serial} SIGN=\"0000 0000\"\r\n")


def _served_counts(root, name):
    assert run(root, name, INSTALL + r"\LS\lmreread.exe", "-c", "@localhost", "-all").returncode == 0
    stat = run(root, name, INSTALL + r"\LS\lmstat.exe", "-a", "-c", "@localhost").stdout
    return {line.split()[2].rstrip(":"): int(line.split("Total of ")[1].split()[0])
            for line in stat.splitlines() if line.startswith("Users of ")}


def test_lmstat_counts_only_usable_lines(lab):
    """Citrix Licensing 11.17.2 build 49000 documentation, License file format (seed 004 ~2203-2204): a future
    START is not visible until that date, a SUPERSEDE line makes older lines of the listed features ineffective;
    expired licenses do not work (Delete license files). The lab clock is 2026-11-22."""
    root = lab(fleet.HostSpec("ls01", hostname="LS01"))
    head = "SERVER this_host HOSTNAME=LS01\r\nVENDOR CITRIX\r\nUSE_SERVER\r\n"
    _lic(root, "ls01", "a.lic", head + _inc("LIVE", 5, "31-dec-2028", "A1") + _inc("LIVE", 3, "01-jun-2025", "A2")
         + _inc("LATER", 4, "31-dec-2028", "A3", start="01-jan-2027")
         + _inc("OLDED", 6, "31-dec-2028", "A4", issued="01-jan-2024")
         + _inc("GONE", 2, "01-jun-2025", "A5"))
    _lic(root, "ls01", "b.lic", head + _inc("NEWED", 9, "31-dec-2028", "B1", issued="01-jun-2025", supersede="OLDED"))
    counts = {k: v for k, v in _served_counts(root, "ls01").items() if k not in ("CITRIX", "CTXLSDIAG")}
    assert counts == {"LIVE": 5, "NEWED": 9}, counts


def test_lmstat_serves_a_future_start_from_its_date(lab):
    root = lab(fleet.HostSpec("ls01", hostname="LS01"))
    head = "SERVER this_host HOSTNAME=LS01\r\nVENDOR CITRIX\r\nUSE_SERVER\r\n"
    _lic(root, "ls01", "a.lic", head + _inc("LATER", 4, "31-dec-2028", "A3", start="01-dec-2026"))
    assert "LATER" not in _served_counts(root, "ls01")
    state = HostState(host(root, "ls01"))
    state.clock_file.write_text(json.dumps({"epoch": int(datetime(2026, 12, 2, tzinfo=UTC).timestamp())}))
    stat = run(root, "ls01", INSTALL + r"\LS\lmstat.exe", "-a", "-c", "@localhost").stdout
    assert "Users of LATER:  (Total of 4 licenses issued" in stat


def test_cluster_serves_files_bound_to_the_client_access_point(lab):
    """Citrix Licensing 11.17.2 build 49000 documentation, Clustered License Servers (seed 004 ~4644): license
    files for a cluster specify the client access point name as the host name."""
    from ansible_collections.ctxlic.license_server.plugins.plugin_utils.lab.licgen import license_text

    root = lab(fleet.HostSpec("ls01", hostname="NODE1"))
    HostState(host(root, "ls01")).update_host(cluster_access_point="LSCLUSTER")
    _lic(root, "ls01", "cap.lic", license_text(["LSCLUSTER"], [{"feature": "CAPBOUND", "count": 7}]))
    _lic(root, "ls01", "node.lic", license_text(["NODE1"], [{"feature": "NODEBOUND", "count": 7}]))
    counts = _served_counts(root, "ls01")
    assert "CAPBOUND" in counts and "NODEBOUND" not in counts


def test_lmstat_shows_the_installed_port_and_the_flexnet_version(lab):
    """Seed 004 "Determine licensing status (lmstat)" (~4283-4295): "License Server status: 27000@localhost" is the
    License Server port; "license server UP v11.15.0" is the FlexNet version, not the Citrix Licensing build."""
    root = lab(fleet.HostSpec("ls01", version=None))
    exe = stage_installer(root, "ls01", "11.17.2.0 build 49000")
    assert run(root, "ls01", exe, "/quiet", "/l", r"C:\Windows\Temp\i.log", "LSPORT=27001").returncode == 0
    stat = run(root, "ls01", INSTALL + r"\LS\lmstat.exe", "-a", "-c", "@localhost").stdout
    assert "License Server status: 27001@localhost" in stat
    assert "license server UP v11.19.0" in stat and "UP v11.17.2" not in stat


def test_automatic_upload_leaves_only_its_last_bundle_in_usage(lab):
    """Citrix Licensing 11.17.2 build 49000 documentation, Support bundle table (seed 004 ~3583): LS\\resource\\usage
    "contains files included in the last compliance ... upload bundle along with corresponding .zip files"."""
    root = lab(fleet.HostSpec("direct"))
    assert fleet.advance(root, 3)["direct"] == ["success"] * 3
    zips = list(ls(root, "direct", r"LS\resource\usage").glob("upload_compliance_*.zip"))
    assert len(zips) == 1 and zipfile.is_zipfile(zips[0])


def test_lmdiag_checks_out_what_is_served_and_lmdown_is_disabled(lab):
    """Citrix Licensing 11.17.2 build 49000 documentation, License administration commands (seed 004 ~4069-4070,
    4116-4176): lmdiag attempts a checkout and gives the reason for a failure; lmdown is disabled by default."""
    root = lab(fleet.HostSpec("ls01", hostname="LS01"))
    head = "SERVER this_host HOSTNAME=LS01\r\nVENDOR CITRIX\r\nUSE_SERVER\r\n"
    _lic(root, "ls01", "a.lic", head + _inc("LIVE", 5, "31-dec-2028", "A1") + _inc("GONE", 2, "01-jun-2025", "A5"))
    assert run(root, "ls01", INSTALL + r"\LS\lmreread.exe", "-c", "@localhost", "-all").returncode == 0
    ok = run(root, "ls01", INSTALL + r"\LS\lmdiag.exe", "-c", "@localhost", "-n", "LIVE")
    assert ok.returncode == 0 and '"LIVE": checkout successful' in ok.stdout
    bad = run(root, "ls01", INSTALL + r"\LS\lmdiag.exe", "-c", "@localhost", "-n", "GONE")
    assert bad.returncode == 1 and "checkout failed" in bad.stdout and "expired" in bad.stdout
    down = run(root, "ls01", INSTALL + r"\LS\lmdown.exe", "-c", "@localhost", "-q")
    assert down.returncode == 1 and "disabled" in down.stderr
    assert run(root, "ls01", INSTALL + r"\LS\lmstat.exe", "-a", "-c", "@localhost").returncode == 0  # still up


def test_windows_proxy_settings_win_over_the_xml_proxy(lab):
    """Citrix Licensing 11.17.2 build 49000 documentation, CEIP/Call Home data, SLSProxy (seed 004 ~840): the proxy is
    chosen in the order WinAutoURL, WinIE (only when the service runs under a user account), WinDefault (registry),
    then SimpleLicenseServiceConfig.xml."""
    proxies = {"good.lab:3128": True, "bad.lab:1": False}
    root = lab(
        fleet.HostSpec("winwins", proxy="bad.lab:1",
                       network={"dns": True, "direct": False, "proxies": proxies,
                                "windows_proxy": {"default": "good.lab:3128"}}),
        fleet.HostSpec("ie-ignored", proxy="good.lab:3128",
                       network={"dns": True, "direct": False, "proxies": proxies,
                                "windows_proxy": {"ie": "bad.lab:1"}}),
        fleet.HostSpec("ie-user", proxy="good.lab:3128",
                       network={"dns": True, "direct": False, "proxies": proxies, "service_account": "user",
                                "windows_proxy": {"ie": "bad.lab:1"}}),
        fleet.HostSpec("auto-first", proxy="bad.lab:1",
                       network={"dns": True, "direct": False, "proxies": proxies,
                                "windows_proxy": {"auto": "good.lab:3128", "default": "bad.lab:1"}}),
    )
    outcomes = fleet.advance(root, 1)
    assert outcomes == {"winwins": ["success"], "ie-ignored": ["success"], "ie-user": ["failure"],
                        "auto-first": ["success"]}, outcomes
    [event] = [e for e in HostState(host(root, "winwins")).events() if e["kind"] == "uploader"]
    assert event["proxy"] == "good.lab:3128" and event["proxy_source"] == "windows:default"


def test_udadmin_lists_and_releases_user_device_licenses(lab):
    """Citrix Licensing 11.17.2 build 49000 documentation, Display or release licenses for users or devices (udadmin)
    (seed 004 ~4365-4440): -list [-times] [-f feature], -f feature -device name -delete, -events, usage otherwise."""
    root = lab(fleet.HostSpec("ls01"))
    HostState(host(root, "ls01")).update_host(ud_licenses=[
        {"kind": "user", "name": "u01.01", "feature": "XDT_ENT_UD", "version": "2017.1201",
         "at": "2017-09-14T13:41:07+00:00"},
        {"kind": "device", "name": "dn01.88", "feature": "XDT_ENT_UD", "version": "2017.1201",
         "at": "2017-09-21T18:31:01+00:00"},
    ])
    udadmin = INSTALL + r"\LS\udadmin.exe"
    listed = run(root, "ls01", udadmin, "-list", "-times").stdout
    assert "u01.01 XDT_ENT_UD 2017.1201 (Thu Sep 14 13:41:07 2017)" in listed
    assert listed.index("Users:") < listed.index("u01.01") < listed.index("Devices:") < listed.index("dn01.88")
    assert run(root, "ls01", udadmin, "-f", "XDT_ENT_UD", "-device", "dn01.88", "-delete").returncode == 0
    assert "dn01.88" not in run(root, "ls01", udadmin, "-list").stdout
    assert "released device dn01.88 XDT_ENT_UD" in run(root, "ls01", udadmin, "-events").stdout
    assert run(root, "ls01", udadmin, "-f", "XDT_ENT_UD", "-device", "dn01.88", "-delete").returncode == 1
    assert "usage: udadmin" in run(root, "ls01", udadmin).stdout


# -- issue 17 item 10: the upload schedule ----------------------------------------------------------------------------
# Citrix Licensing data collection programs, "Reporting options" (seed 001; the same paragraph in seed 004 ~727): "The
# first upload occurs approximately five minutes after the License Server first starts or restarts and the next
# uploads occur once a day thereafter. The schedule resets if you reinstall the License Server. If an upload fails,
# another attempt is made in 24 hours until either the upload succeeds or the License Management Service is
# disabled." Seed 004 ``ctx_license_management_service.exe -enable`` (~2845) says "seven days after you install"
# instead; the lab follows the Reporting options paragraph (docs/lab.md, "Upload schedule").
MIN = timedelta(minutes=1)
DAY = timedelta(days=1)


def _attempt_times(root, name):
    return [e["at"] for e in HostState(host(root, name)).events() if e["kind"] == "uploader"]


def _labctl(root, name, *args):
    labctl = host(root, name) / ".lab/bin/labctl"
    return subprocess.run([str(labctl), *args], capture_output=True, text=True, check=False, timeout=60)


def test_first_upload_five_minutes_after_the_install_then_once_a_day(lab):
    root = lab(fleet.HostSpec("ls01"))
    h = host(root, "ls01")
    assert run_due(h, NOW, NOW + 4 * MIN) == ["not-due"]
    assert run_due(h, NOW + 4 * MIN, NOW + 5 * MIN) == ["success"]
    assert f"<t>{int((NOW + 5 * MIN).timestamp())}</t>" in _result(root, "ls01")
    assert run_due(h, NOW + 5 * MIN, NOW + DAY + 4 * MIN) == ["not-due"]  # once a day thereafter
    assert run_due(h, NOW + DAY + 4 * MIN, NOW + DAY + 5 * MIN) == ["success"]
    assert _attempt_times(root, "ls01") == [(NOW + 5 * MIN).isoformat(), (NOW + DAY + 5 * MIN).isoformat()]


def test_a_failed_upload_is_retried_24_hours_later(lab):
    root = lab(fleet.HostSpec("ls01", network={"dns": True, "direct": False, "proxies": {}}))
    h = host(root, "ls01")
    assert run_due(h, NOW, NOW + 5 * MIN) == ["failure"]
    HostState(h).update_host(network={"dns": True, "direct": True, "proxies": {}})  # the firewall is opened
    assert run_due(h, NOW + 5 * MIN, NOW + DAY + 4 * MIN) == ["not-due"]  # no earlier retry
    assert run_due(h, NOW + DAY + 4 * MIN, NOW + DAY + 5 * MIN) == ["success"]


def test_a_service_restart_moves_the_next_upload_to_five_minutes_after_it(lab):
    root = lab(fleet.HostSpec("ls01"))
    h = host(root, "ls01")
    assert fleet.advance(root, 1)["ls01"] == ["success"]  # at NOW + 5 min
    fleet.set_clock(root, NOW + DAY + 6 * 60 * MIN)  # six hours later in the day
    assert _labctl(root, "ls01", "service-set", "Citrix Licensing", "restarted").returncode == 0
    restart = NOW + DAY + 6 * 60 * MIN
    assert run_due(h, restart, restart + 4 * MIN) == ["not-due"]
    assert run_due(h, restart + 4 * MIN, NOW + 2 * DAY + 5 * MIN) == ["success"]  # the old daily slot is gone
    assert _attempt_times(root, "ls01")[-1] == (restart + 5 * MIN).isoformat()


def test_a_stopped_service_uploads_nothing_until_it_starts_again(lab):
    root = lab(fleet.HostSpec("ls01"))
    assert _labctl(root, "ls01", "service-set", "Citrix Licensing", "stopped").returncode == 0
    assert fleet.advance(root, 2)["ls01"] == ["service-stopped", "service-stopped"]
    fleet.set_clock(root, NOW + 2 * DAY + 3 * 60 * MIN)
    assert _labctl(root, "ls01", "service-set", "Citrix Licensing", "started").returncode == 0
    assert fleet.advance(root, 1)["ls01"] == ["success"]
    assert _attempt_times(root, "ls01") == [(NOW + 2 * DAY + 3 * 60 * MIN + 5 * MIN).isoformat()]


def test_a_reboot_is_a_restart_for_the_schedule(lab):
    root = lab(fleet.HostSpec("ls01"))
    fleet.set_clock(root, NOW + 10 * 60 * MIN)
    fleet.reboot(host(root, "ls01"))
    assert fleet.advance(root, 1)["ls01"] == ["success"]
    assert _attempt_times(root, "ls01") == [(NOW + 10 * 60 * MIN + 5 * MIN).isoformat()]


@pytest.mark.parametrize("upgrade", [True, False], ids=["upgrade", "uninstall-then-install"])
def test_a_reinstall_resets_the_schedule(lab, upgrade):
    root = lab(fleet.HostSpec("ls01", version="11.17.2.0 build 45000"))
    assert fleet.advance(root, 1)["ls01"] == ["success"]
    later = NOW + DAY + 7 * 60 * MIN
    fleet.set_clock(root, later)
    exe = stage_installer(root, "ls01", "11.17.2.0 build 49000")
    if not upgrade:
        assert run(root, "ls01", exe, "/quiet", "/uninstall", "/l", "u.log").returncode == 0
        assert run_due(host(root, "ls01"), later, later + DAY) == ["not-installed"]
    assert run(root, "ls01", exe, "/quiet", "/l", "i.log").returncode == 0
    h = host(root, "ls01")
    assert run_due(h, later, later + 4 * MIN) == ["not-due"]  # not the old slot of NOW + 2 days + 5 min
    assert run_due(h, later + 4 * MIN, later + 5 * MIN) == ["success"]


def test_a_service_that_fails_to_start_schedules_nothing(lab):
    root = lab(fleet.HostSpec("ls01", faults={"service_wont_start": ["Citrix Licensing"]}))
    assert _labctl(root, "ls01", "service-set", "Citrix Licensing", "restarted").returncode == 1
    assert fleet.advance(root, 1)["ls01"] == ["service-stopped"]
    assert json.loads((host(root, "ls01") / ".lab/upload_schedule.json").read_text())["next"] is None
