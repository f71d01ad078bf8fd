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
