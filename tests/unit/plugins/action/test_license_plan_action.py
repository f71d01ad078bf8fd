# Copyright: (c) 2026, ctxlic maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The license_plan action plugin on a fake host: read-only validation of a set of files, and its refusals."""

from __future__ import annotations

from datetime import date

from ls_server import MYFILES, license_file, runs, server


def write(tmp_path, name: str, data: bytes) -> str:
    path = tmp_path / name
    path.write_bytes(data)
    return str(path)


def test_a_valid_set_is_planned_without_changing_anything(run_action, tmp_path) -> None:
    host = server({MYFILES + r"\FID_old.lic": license_file(expiry=date(2027, 1, 31))})
    src = [write(tmp_path, "FID_new.lic", license_file(expiry=date(2028, 1, 31)))]
    result = run_action("license_plan", {"src": src, "prune": True, "as_of": "2027-03-01"}, host, diff=True)
    assert not result.get("failed"), result.get("msg")
    assert result["changed"] is False and result["changes"] == ["FID_new.lic"]
    assert result["prune"] == ["FID_old.lic"]  # expired on the as_of date and superseded by the new file
    assert result["msg"] == "1 license files valid for this License Server; 1 to write, 1 to prune"
    assert "diff" not in result
    assert host.changes() == []
    assert runs(host) == [("lmhostid.exe", "-hostname")]


def test_check_mode_is_the_same_read_only_plan(run_action, tmp_path) -> None:
    host = server()
    src = [write(tmp_path, "FID_new.lic", license_file())]
    result = run_action("license_plan", {"src": src}, host, check_mode=True)
    assert result["changed"] is False and result["changes"] == ["FID_new.lic"]
    assert host.changes() == []


def test_a_file_for_another_server_fails_the_plan_and_is_named(run_action, tmp_path) -> None:
    host = server()
    src = [write(tmp_path, "FID_ok.lic", license_file()),
           write(tmp_path, "FID_other.lic", license_file(hostname="OTHERLS"))]
    result = run_action("license_plan", {"src": src}, host)
    assert result["failed"] is True and result["refused"] == ["FID_other.lic"]
    assert result["msg"].startswith("1 of 2 license files refused, nothing was changed")
    assert host.changes() == []


def test_duplicate_names_and_bad_options_fail_before_the_host_is_touched(run_action, tmp_path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    same = [write(tmp_path / "a", "FID.lic", license_file()), write(tmp_path / "b", "fid.LIC", license_file())]
    for args, words in (
        ({"src": same}, "several files named"),
        ({"src": same[:1], "expiry_warning_days": -2}, "expiry_warning_days"),
        ({"src": same[:1], "as_of": "next tuesday"}, "as_of"),
        ({}, "src"),
    ):
        result = run_action("license_plan", args, None)
        assert result["failed"] is True and words in result["msg"], (args, result)
