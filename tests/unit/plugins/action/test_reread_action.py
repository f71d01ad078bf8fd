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


def test_only_if_stale_skips_the_reread_when_lmstat_serves_myfiles(run_action) -> None:
    from fake_host import recorded_collect

    server = FakeHost(registry={REG: INSTALL}, collect=recorded_collect("ls01"))
    result = run_action("reread", {"only_if_stale": True}, server, diff=True)
    assert not result.get("failed"), result.get("msg")
    assert result["changed"] is False and "lmreread was not run" in result["msg"]
    assert result["served_check"]["checked"] is True
    assert "diff" not in result and not result.get("warnings")
    assert [entry[0] for entry in server.log if entry[0] == "run"] == []
    assert server.operations().count("collect") == 1


def test_only_if_stale_reread_when_lmstat_serves_less_than_myfiles_holds(run_action) -> None:
    from fake_host import recorded_collect

    record = recorded_collect("ls01")
    served = "Users of XDT_PLT_UD:  (Total of 50 licenses issued"
    assert served in record["lmstat"]["stdout"]
    record["lmstat"]["stdout"] = record["lmstat"]["stdout"].replace(served, served.replace("50", "30"))
    server = FakeHost(registry={REG: INSTALL}, collect=record, programs={"lmreread.exe": ok("lmreread successful")})
    result = run_action("reread", {"only_if_stale": True}, server)
    assert result["changed"] is True and not result.get("failed"), result.get("msg")
    assert [args[0][0] for op, args in server.log if op == "run"] == [INSTALL + r"\LS\lmreread.exe"]


def test_only_if_stale_without_a_check_warns_and_does_not_reread(run_action) -> None:
    from fake_host import recorded_collect

    record = recorded_collect("ls01")
    record["lmstat"] = {"rc": 1, "stdout": "", "stderr": "lmgrd is not running"}
    server = FakeHost(registry={REG: INSTALL}, collect=record)
    result = run_action("reread", {"only_if_stale": True}, server)
    assert result["changed"] is False and result["msg"].startswith("could not check")
    assert result["warnings"] == [result["msg"]]
    assert server.changes() == []


def test_a_cluster_rereads_through_its_client_access_point(run_action) -> None:
    server = host(**{"lmreread.exe": ok("lmreread successful")})
    result = run_action("reread", {"cluster_access_point": "lscluster.example.test"}, server)
    assert result["cmd"][1:] == ["-c", "@lscluster.example.test", "-all"], result
