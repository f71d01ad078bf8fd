# Copyright: (c) 2026, ctxlic maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The reread action plugin on a fake host: the command, check mode, a failing lmreread."""

from __future__ import annotations

from fake_host import FakeHost, ok

INSTALL = r"C:\Program Files (x86)\Citrix\Licensing"
REG = (r"HKLM\SOFTWARE\WOW6432Node\Citrix\LicenseServer\Install", "LS_Install_Dir")


def host(**programs) -> FakeHost:
    return FakeHost(registry={REG: INSTALL}, programs=programs)


def test_reread_runs_lmreread_from_the_ls_folder(run_action) -> None:
    server = host(**{"lmreread.exe": ok("lmreread successful")})
    result = run_action("reread", {}, server)
    assert result["changed"] is True and not result.get("failed"), result
    runs = [args for op, args in server.log if op == "run"]
    assert runs == [((INSTALL + r"\LS\lmreread.exe", "-c", "@localhost", "-all"), INSTALL + r"\LS", False)]


def test_check_mode_does_not_run_lmreread(run_action) -> None:
    server = host()
    result = run_action("reread", {}, server, check_mode=True)
    assert result["changed"] is True
    assert result["msg"].startswith("check mode:")
    assert server.changes() == []


def test_a_failing_lmreread_fails_the_task_with_its_own_words(run_action) -> None:
    server = host(**{"lmreread.exe": ok("", rc=1, stderr="Cannot connect to license server system")})
    result = run_action("reread", {}, server)
    assert result["failed"] is True
    assert "Cannot connect to license server system" in result["msg"]


def test_no_license_server_installed_fails_before_anything_runs(run_action) -> None:
    server = FakeHost()
    result = run_action("reread", {}, server)
    assert result["failed"] is True and "not installed" in result["msg"]
    assert server.changes() == []


def test_bad_option_fails_without_a_host(run_action) -> None:
    result = run_action("reread", {"bogus": 1}, None)
    assert result["failed"] is True and "bogus" in result["msg"]
