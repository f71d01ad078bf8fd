# Copyright: (c) 2026, ctxlic maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The package action plugin on a fake host: upgrade, check mode, diff, converged services, refusals, failures."""

from __future__ import annotations

from pathlib import Path

import pytest
from fake_host import FakeHost, ok
from ls_server import REG_KEY, SERVICES, server

V45 = "11.17.2.0 build 45000"
V49 = "11.17.2.0 build 49000"
STAGING = r"C:\ProgramData\ctxlic\staging"


@pytest.fixture
def download(tmp_path) -> str:
    """A download folder with both installer files (the installation needs both)."""
    folder = tmp_path / "download"
    folder.mkdir()
    (folder / "CitrixLicensing.exe").write_bytes(b"MZ" + b"\x00" * 64)
    (folder / "ctx_licensing.msi").write_bytes(b"\xd0\xcf\x11\xe0" + b"\x00" * 64)
    return str(folder / "CitrixLicensing.exe")


def installer(rc: int = 0, version: str = V49):
    """CitrixLicensing.exe as the lab models it: on success the registry names the new version."""

    def run(argv: list[str], host: FakeHost):
        if rc in (0, 3010):
            host.registry[(REG_KEY.lower(), "version")] = version
        host._store(argv[argv.index("/l") + 1], b"MSI (s) installing\r\nAction ended: InstallFinalize\r\n")
        return ok(rc=rc)

    return run


def test_an_upgrade_stages_both_files_runs_the_installer_and_cleans_up(run_action, download) -> None:
    host = server(**{"citrixlicensing.exe": installer()})
    result = run_action("package", {"src": download, "version": V49}, host)
    assert not result["failed"], result.get("msg")
    assert result["changed"] is True and result["action"] == "upgrade"
    assert result["msg"] == f"Citrix License Server upgrade: {V45} -> {V49}."
    assert result["after_version"] == V49 and result["rc"] == 0
    operations = host.operations()
    assert operations.index("put_file") < operations.index("run") < operations.index("remove")
    staged = [args[1] for op, args in host.log if op == "put_file"]
    assert staged == [STAGING + r"\CitrixLicensing.exe", STAGING + r"\ctx_licensing.msi"]
    assert [args[0] for op, args in host.log if op == "remove"] == staged
    assert host.content(staged[0]) is None and host.content(staged[1]) is None
    (argv,) = [args[0] for op, args in host.log if op == "run" and not args[2]]
    assert argv[:4] == (STAGING + r"\CitrixLicensing.exe", "/quiet", "/l", STAGING + r"\CitrixLicensing-install.log")
    assert "diff" not in result


def test_check_mode_changes_nothing_and_shows_the_version_diff(run_action, download) -> None:
    host = server()
    result = run_action("package", {"src": download, "version": V49}, host, check_mode=True, diff=True)
    assert result["changed"] is True and result["msg"] == "Check mode: would upgrade (install)."
    assert result["after_version"] == V49
    assert result["diff"]["before"] == f"version: {V45}\n" and result["diff"]["after"] == f"version: {V49}\n"
    assert result["diff"]["before_header"] == "Citrix License Server on ls1.example.test (before)"
    assert host.changes() == []


def test_the_target_installed_already_starts_a_stopped_service(run_action, download) -> None:
    host = server(version=V49, services="stopped")
    result = run_action("package", {"src": download, "version": V49}, host)
    assert not result["failed"], result.get("msg")
    assert result["changed"] is True and result["services_started"] == list(SERVICES)
    assert result["msg"] == f"Citrix License Server {V49} is already installed; started {', '.join(SERVICES)}."
    assert [entry[0] for entry in host.changes()] == ["set_service"] * 3
    again = run_action("package", {"src": download, "version": V49}, host)
    assert again["changed"] is False and again["msg"] == f"Citrix License Server {V49} is already installed."


def test_a_downgrade_is_refused_before_anything_is_copied(run_action, download) -> None:
    host = server(version="11.17.2.0 build 51000")
    result = run_action("package", {"src": download, "version": V49}, host)
    assert result["failed"] is True and result["msg"].startswith("Refused, nothing was changed: ")
    assert "refusing to downgrade" in result["msg"] and result["refusals"]
    assert host.changes() == []


def test_a_failing_installer_fails_with_its_log_tail(run_action, download) -> None:
    host = server(**{"citrixlicensing.exe": installer(rc=1603)})
    result = run_action("package", {"src": download, "version": V49}, host)
    assert result["failed"] is True and result["rc"] == 1603
    assert result["msg"].startswith("The install command failed with exit code 1603")
    assert f"installed version now: {V45}" in result["msg"]
    assert result["log_tail"][-1] == "Action ended: InstallFinalize"
    assert "remove" in host.operations()  # the staged files are removed even so


def test_a_reboot_needed_is_a_warning_unless_the_caller_handles_it(run_action, download) -> None:
    host = server(**{"citrixlicensing.exe": installer(rc=3010)})
    result = run_action("package", {"src": download, "version": V49}, host)
    assert not result["failed"] and result["reboot_required"] is True
    assert any("reboot the server" in w for w in result["warnings"])
    handled = server(**{"citrixlicensing.exe": installer(rc=3010)})
    result = run_action("package", {"src": download, "version": V49, "allow_reboot": True}, handled)
    assert not any("reboot" in w for w in result.get("warnings", []))


def test_uninstall_keeps_myfiles(run_action, download) -> None:
    def uninstaller(argv, host):
        host.registry.pop((REG_KEY.lower(), "version"))
        return ok()

    host = server(**{"citrixlicensing.exe": uninstaller})
    result = run_action("package", {"src": download, "state": "absent"}, host)
    assert not result["failed"], result.get("msg")
    assert result["action"] == "uninstall" and result["myfiles_kept"] is True
    assert result["msg"].startswith("Citrix License Server uninstalled. MyFiles was kept")


def test_bad_input_fails_before_the_host_is_touched(run_action, download, tmp_path) -> None:
    msi_only = tmp_path / "msi"
    msi_only.mkdir()
    (msi_only / "ctx_licensing.msi").write_bytes(b"\xd0\xcf\x11\xe0")
    for args, words in (
        ({"src": download}, "version is required with installer_type: exe"),
        ({"src": download, "version": V49, "installer_type": "msi"}, "does not end in .msi"),
        ({"src": str(Path(download).parent / "missing.exe"), "version": V49}, "was not found on the controller"),
        ({"src": str(msi_only / "ctx_licensing.msi"), "installer_type": "msi", "version": V49},
         "CitrixLicensing.exe is not next to it"),
        ({"path": r"C:\Install\CitrixLicensing.exe", "version": V49}, "remote_src"),
        ({"src": download, "version": V49, "management_console_port": 8082}, "management_console_port"),
        ({"src": download, "version": V49, "min_free_mb": -1}, "min_free_mb"),
        ({"src": download, "version": "eleven"}, "eleven"),
        ({"version": V49}, "src"),
    ):
        result = run_action("package", args, None)
        assert result["failed"] is True and words in result["msg"], (args, result)


# -- issue 17 item 4: the CEIP / Call Home choice read back from CITRIX.opt -------------------------------------------
# "The Customer Experience Improvement Program (CEIP) and Call Home configurations are stored in this file" (CITRIX.opt,
# seed 004 ~590, Licensing elements); no document gives the line format, so the lines below are made up by the test and
# the module only reports them or matches the operator's own pattern.
OPTIONS = r"C:\Program Files (x86)\Citrix\Licensing\MyFiles\CITRIX.opt"
MADE_UP = b"# options file\r\nTEST_ONLY_CEIP_LINE value-a\r\nTEST_ONLY call home line\r\nUNRELATED line\r\n"


def _ceip_host(options: bytes | None = MADE_UP) -> FakeHost:
    return server({OPTIONS: options} if options is not None else None, **{"citrixlicensing.exe": installer()})


def test_after_an_upgrade_citrix_opt_is_read_back_once_as_evidence(run_action, download) -> None:
    host = _ceip_host()
    result = run_action("package", {"src": download, "version": V49, "ceip": "anonymous"}, host)
    assert not result["failed"], result.get("msg")
    ceip = result["ceip"]
    assert ceip["file"] == OPTIONS and ceip["found"] is True and ceip["passed"] == "CEILOPTIN=Unidentified"
    assert ceip["lines"] == ["TEST_ONLY_CEIP_LINE value-a", "TEST_ONLY call home line"]  # verbatim, no judgement
    assert ceip["verified"] is None and "no vendor document available gives the line format" in ceip["reason"]
    assert not any("CEIP / Call Home setting not confirmed" in w for w in result.get("warnings", []))
    operations = host.operations()
    reads = [i for i, (op, args) in enumerate(host.log) if op == "read_file" and args[0] == OPTIONS]
    assert len(reads) == 1 and reads[0] > operations.index("run")  # one read, after the installer ran


def test_a_matching_ceip_expect_verifies_the_setting(run_action, download) -> None:
    result = run_action("package", {"src": download, "version": V49, "ceip": "anonymous", "ceip_property": "CEIPOPTIN",
                                    "ceip_expect": r"^TEST_ONLY_CEIP_LINE\s+value-a$"}, _ceip_host())
    assert not result["failed"], result.get("msg")
    assert result["ceip"]["verified"] is True and result["ceip"]["matched"] == ["TEST_ONLY_CEIP_LINE value-a"]
    assert result["ceip"]["passed"] == "CEIPOPTIN=Unidentified"


def test_a_ceip_expect_that_does_not_match_warns_naming_file_pattern_and_lines(run_action, download) -> None:
    args = {"src": download, "version": V49, "ceip": "none", "ceip_expect": "value-b"}
    result = run_action("package", args, _ceip_host())
    assert not result["failed"] and result["ceip"]["verified"] is False
    (warning,) = [w for w in result["warnings"] if "CEIP / Call Home setting not confirmed" in w]
    assert OPTIONS in warning and "'value-b'" in warning and "'TEST_ONLY_CEIP_LINE value-a'" in warning
    assert "CEILOPTIN=NONE" in warning  # which property the installer was given


def test_ceip_mismatch_fail_fails_the_task_after_the_install(run_action, download) -> None:
    args = {"src": download, "version": V49, "ceip_expect": "value-b", "ceip_mismatch": "fail"}
    result = run_action("package", args, _ceip_host())
    assert result["failed"] is True and result["changed"] is True and result["after_version"] == V49
    assert "no line of " + OPTIONS + " matches ceip_expect 'value-b'" in result["msg"]
    assert "No CEIP property was passed" in result["msg"]


def test_a_missing_citrix_opt_cannot_match_ceip_expect(run_action, download) -> None:
    result = run_action("package", {"src": download, "version": V49}, _ceip_host(options=None))
    assert result["ceip"]["found"] is False and result["ceip"]["verified"] is None and result["ceip"]["lines"] == []
    result = run_action("package", {"src": download, "version": V49, "ceip_expect": "x"}, _ceip_host(options=None))
    assert result["ceip"]["verified"] is False
    assert any(OPTIONS + " was not found after the install" in w for w in result["warnings"])


def test_a_bad_ceip_expect_is_refused_before_the_host_is_asked(run_action, download) -> None:
    result = run_action("package", {"src": download, "version": V49, "ceip_expect": "CEIP=(anon"}, None)
    assert result["failed"] is True
    assert "ceip_expect 'CEIP=(anon' is not a valid regular expression" in result["msg"]
    result = run_action("package", {"src": download, "version": V49, "ceip_mismatch": "ignore"}, None)
    assert result["failed"] is True and "ceip_mismatch" in result["msg"]


def test_ceip_expect_without_an_installer_run_is_not_checked(run_action, download) -> None:
    host = server({OPTIONS: MADE_UP}, version=V49)
    result = run_action("package", {"src": download, "version": V49, "ceip_expect": "x"}, host)
    assert not result["failed"] and "ceip" not in result
    assert any("ceip_expect was not checked: the target version is installed already" in w
               for w in result["warnings"])
    assert not any(op == "read_file" and args[0] == OPTIONS for op, args in host.log)
