# Copyright: (c) 2026, ctxlic maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The license_file action plugin on a fake host: add, replace, keep, remove, check mode, diff, refusals."""

from __future__ import annotations

import os
from datetime import date

from fake_host import ok
from ls_server import MYFILES, license_file, runs, server

NAME = "FID_cvad.lic"
PATH = MYFILES + "\\" + NAME
LOCK_DIR = r"C:\ProgramData\ctxlic"  # the host lock's folder
RENEWAL = MYFILES + "\\FID_renewal.lic"


def test_a_new_file_is_written_and_reread(run_action) -> None:
    host = server()
    result = run_action("license_file", {"content": license_file().decode(), "name": NAME}, host)
    assert not result.get("failed"), result.get("msg")
    assert result["changed"] is True and result["operation"] == "create"
    assert result["msg"] == f"{NAME} added; the License Server reread its license files"
    assert host.content(PATH) == license_file()
    assert ("lmreread.exe", "-c", "@localhost", "-all") in runs(host)
    assert [entry[0] for entry in host.changes()] == ["write_file", "run"]
    assert "diff" not in result


def test_check_mode_changes_nothing_and_shows_the_features_in_diff_mode(run_action) -> None:
    host = server()
    result = run_action("license_file", {"content": license_file().decode(), "name": NAME}, host,
                        check_mode=True, diff=True)
    assert result["changed"] is True
    assert result["msg"] == f"{NAME} would be added (check mode, nothing written)"
    assert host.changes() == []
    assert result["diff"]["before"] == "" and "XDT_PLT_UD" in result["diff"]["after"]
    assert result["diff"]["after_header"] == f"{PATH} (after)"


def test_the_same_content_again_changes_nothing(run_action) -> None:
    host = server({PATH: license_file()})
    result = run_action("license_file", {"content": license_file().decode(), "name": NAME, "reread": False}, host,
                        diff=True)
    assert result["changed"] is False, result
    assert result["msg"] == f"{NAME} is already installed with the same content"
    assert "diff" not in result
    assert host.changes() == []


def test_a_file_for_another_server_is_refused_before_anything_is_written(run_action) -> None:
    host = server()
    result = run_action("license_file", {"content": license_file(hostname="OTHERLS").decode(), "name": NAME}, host)
    assert result["failed"] is True and result["changed"] is False
    assert "OTHERLS" in result["msg"]
    assert host.changes() == []


def test_a_failed_reread_keeps_the_file_and_says_so(run_action) -> None:
    host = server(**{"lmreread.exe": ok("", rc=1, stderr="Cannot connect to license server system")})
    result = run_action("license_file", {"content": license_file().decode(), "name": NAME}, host)
    assert result["failed"] is True
    assert "stays there" in result["msg"] and "Cannot connect to license server system" in result["msg"]
    assert host.content(PATH) == license_file()
    assert result["reread"]["rc"] == 1


def test_removing_the_last_file_of_a_feature_is_refused(run_action) -> None:
    host = server({PATH: license_file()})
    result = run_action("license_file", {"state": "absent", "name": NAME}, host)
    assert result["failed"] is True and "last installed file that licenses XDT_PLT_UD" in result["msg"]
    # Only the host lock (taken for any removal of an existing file) was made and released.
    assert host.changes() and all(args[0].startswith(LOCK_DIR) for _op, args in host.changes()), host.changes()
    assert host.content(PATH) == license_file()


def test_removal_backs_up_to_backup_dir_relative_to_the_playbook(run_action, tmp_path) -> None:
    playbook_dir = tmp_path / "play"
    playbook_dir.mkdir()
    host = server({PATH: license_file(), RENEWAL: license_file(expiry=date(2028, 6, 30))})
    result = run_action("license_file", {"state": "absent", "name": NAME, "backup_dir": "backups"}, host,
                        basedir=playbook_dir, diff=True)
    assert not result.get("failed"), result.get("msg")
    assert result["changed"] is True and result["msg"].startswith(f"{NAME} removed with the documented procedure")
    assert host.content(PATH) is None
    # backup_dir is a controller path: relative to the playbook's directory, not the working directory.
    assert result["backup_file"].startswith(str(playbook_dir / "backups") + os.sep)
    with open(result["backup_file"], "rb") as handle:
        assert handle.read() == license_file()
    assert result["diff"]["after"] == "" and "XDT_PLT_UD" in result["diff"]["before"]
    operations = [entry[0] for entry in host.changes()]
    assert "set_service" in operations and "rename" in operations


def test_removal_in_check_mode_changes_nothing(run_action, tmp_path) -> None:
    host = server({PATH: license_file(), RENEWAL: license_file(expiry=date(2028, 6, 30))})
    result = run_action("license_file", {"state": "absent", "name": NAME, "backup_dir": str(tmp_path / "b")}, host,
                        check_mode=True)
    assert result["changed"] is True and "would be removed (check mode)" in result["msg"]
    assert host.changes() == [] and host.content(PATH) == license_file()
    assert not (tmp_path / "b").exists()


def test_removing_a_missing_file_changes_nothing(run_action) -> None:
    host = server()
    result = run_action("license_file", {"state": "absent", "name": NAME}, host)
    assert result["changed"] is False and result["msg"] == f"{NAME} is not installed"
    assert host.changes() == []


def test_bad_input_fails_before_the_host_is_touched(run_action) -> None:
    for args, words in (
        ({"content": "x", "name": NAME, "expiry_warning_days": -1}, "expiry_warning_days"),
        ({"state": "absent", "name": NAME, "content": "x"}, "content is only used with state=present"),
        ({"src": "a.lic", "content": "x"}, "mutually exclusive"),
        ({"content": "x", "name": NAME, "backup_dir": ""}, "empty path"),
        ({"src": "does-not-exist.lic"}, "was not found on the controller"),
    ):
        result = run_action("license_file", args, None)
        assert result["failed"] is True and words in result["msg"], (args, result)
