# Copyright: (c) 2026, ctxlic maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The license_backup action plugin on a fake host: fetch, verify, keep, check mode, the controller folder."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from ls_server import MYFILES, license_file, server

FILES = {MYFILES + r"\FID_cvad.lic": license_file(), MYFILES + r"\FID_ccu.lic": license_file(
    feature="XDT_ADV_CCU", count=10, expiry=date(2027, 2, 28))}


def fetched(host) -> list[str]:
    return sorted(args[0].rsplit("\\", 1)[-1] for op, args in host.log if op == "fetch_file")


def test_the_first_run_fetches_and_verifies_every_file_the_second_keeps_them(run_action, tmp_path) -> None:
    play = tmp_path / "play"
    play.mkdir()
    host = server(FILES)
    args = {"dest": "backups", "as_of": "2026-12-01"}
    result = run_action("license_backup", args, host, basedir=play, diff=True)
    assert not result.get("failed"), result.get("msg")
    assert result["changed"] is True and result["verified"] is True
    assert sorted(result["fetched"]) == ["FID_ccu.lic", "FID_cvad.lic", "citrix_startup.lic"]
    assert fetched(host) == ["FID_ccu.lic", "FID_cvad.lic", "citrix_startup.lic"]
    assert result["msg"].startswith(f"3 file(s) in {MYFILES}: fetched 3, replaced 0, 0 unchanged")
    assert "diff" not in result
    # dest is a controller path: relative to the playbook's directory.
    assert result["backup_dir"].startswith(str(play / "backups"))
    copy = next(f for f in result["files"] if f["name"] == "FID_cvad.lic")
    assert Path(copy["local_path"]).read_bytes() == license_file()
    assert host.changes() == []  # a backup only reads the host
    sizes = [args for op, args in host.log if op == "stat_files"]
    assert len(sizes) == 1 and len(sizes[0][0]) == 3 and sizes[0][1] is True, "one call for every file's SHA-1"
    features = set(result["allocations"]["by_feature"])
    assert {"XDT_PLT_UD", "XDT_ADV_CCU"} <= features

    again = server(FILES)
    second = run_action("license_backup", args, again, basedir=play)
    assert second["changed"] is False and sorted(second["unchanged"]) == sorted(result["fetched"])
    assert fetched(again) == []


def test_a_changed_file_is_replaced_and_the_old_copy_kept(run_action, tmp_path) -> None:
    dest = str(tmp_path / "b")
    run_action("license_backup", {"dest": dest}, server(FILES))
    changed = dict(FILES)
    changed[MYFILES + r"\FID_cvad.lic"] = license_file(count=75)
    host = server(changed)
    result = run_action("license_backup", {"dest": dest}, host)
    assert result["changed"] is True and result["replaced"] == ["FID_cvad.lic"], result.get("msg")
    assert fetched(host) == ["FID_cvad.lic"]


def test_check_mode_writes_nothing_on_the_controller(run_action, tmp_path) -> None:
    host = server(FILES)
    result = run_action("license_backup", {"dest": str(tmp_path / "b")}, host, check_mode=True)
    assert result["changed"] is True and result["verified"] is False
    assert result["msg"].startswith(f"3 file(s) in {MYFILES}: would fetch 3, would replace 0")
    assert not (tmp_path / "b").exists()
    assert host.changes() == [] and fetched(host) == []


def test_a_server_without_myfiles_fails_with_the_folder_named(run_action, tmp_path) -> None:
    host = server(version=None)
    result = run_action("license_backup", {"dest": str(tmp_path / "b")}, host)
    assert result["failed"] is True and "MyFiles does not exist on this host" in result["msg"]
    assert host.changes() == []


def test_bad_input_fails_before_the_host_is_touched(run_action) -> None:
    for args, words in (
        ({"dest": ""}, "empty path"),
        ({"dest": "b", "as_of": "soon"}, "as_of"),
        ({}, "dest"),
    ):
        result = run_action("license_backup", args, None)
        assert result["failed"] is True and words in result["msg"], (args, result)
