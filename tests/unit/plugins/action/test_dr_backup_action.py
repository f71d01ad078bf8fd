# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The dr_backup action plugin on a FakeHost answering as the recorded lab primary (LICSRV01, two licenses)."""

from __future__ import annotations

import json
from pathlib import Path

from act2_recorded import HTTPD_CONF, INSTALL, MYFILES, PROXY_XML, lab_host, recorded

FILES = ["LS/conf/server.crt", "LS/conf/server.key",
         "MyFiles/CITRIX.opt", "MyFiles/citrix_startup.lic", "MyFiles/FID_enterprise.lic", "MyFiles/FID_platinum.lic",
         "WebServicesForLicensing/SimpleLicenseServiceConfig.xml"]  # the manifest's order: by name, case ignored
CONF = INSTALL + r"\LS\conf"
CACHE = INSTALL + r"\LS\resource\cache"


def generations(dest: Path) -> list[Path]:
    return sorted(p for p in dest.glob("*/*") if (p / "manifest.json").is_file())


def test_backup_writes_a_verified_generation_from_one_collection(run_action, tmp_path) -> None:
    host = lab_host("dr_primary")
    result = run_action("dr_backup", {"dest": str(tmp_path / "b"), "keep": 3}, host)
    assert result["changed"] is True and result["created"] is True and not result.get("failed"), result
    assert result["msg"] == f"generation {result['generation']} written to {result['path']}"
    manifest = result["manifest"]
    assert [f["path"] for f in manifest["files"]] == FILES
    assert manifest["ls_hostname"] == "LICSRV01" and manifest["ls_hostname_source"] == "lmhostid"
    assert manifest["ls_version"] == "11.17.2.0 build 45000"
    assert manifest["served_features"] == ["CITRIX", "CTXLSDIAG", "XDT_ENT_UD", "XDT_PLT_UD"]
    [written] = generations(tmp_path / "b")
    assert json.loads((written / "manifest.json").read_text()) == manifest
    assert (written / "MyFiles" / "CITRIX.opt").read_bytes() == host.content(MYFILES + r"\CITRIX.opt")
    assert manifest["format_version"] == 2
    # The certificate pair of LS\conf (Citrix Licensing 11.17.2 build 49000 documentation, seed 004 ~2936), by hash.
    kinds = {f["path"]: f["kind"] for f in manifest["files"]}
    assert kinds["LS/conf/server.crt"] == kinds["LS/conf/server.key"] == "certificate"
    assert (written / "LS" / "conf" / "server.key").read_bytes() == host.content(CONF + r"\server.key")
    # One collection, a listing of LS\conf and LS\resource\cache, then only the files it does not return are read;
    # nothing on the server changes.
    assert [entry[0] for entry in host.log] == ["collect", "find", "find"] + ["read_file"] * 4
    assert [args[0] for op, args in host.log if op == "find"] == [CONF, CACHE]
    assert [args[0] for op, args in host.log if op == "read_file"] == [
        MYFILES + r"\CITRIX.opt", CONF + r"\server.crt", CONF + r"\server.key", HTTPD_CONF]
    assert host.changes() == []
    assert "diff" not in result and "warnings" not in result


def test_a_second_backup_of_an_unchanged_server_writes_nothing(run_action, tmp_path) -> None:
    first = run_action("dr_backup", {"dest": str(tmp_path)}, lab_host("dr_primary"))
    again = run_action("dr_backup", {"dest": str(tmp_path)}, lab_host("dr_primary"))
    assert again["changed"] is False and again["created"] is False
    assert again["generation"] == first["generation"]
    assert again["msg"] == f"unchanged since generation {first['generation']}; no new generation"
    assert len(generations(tmp_path)) == 1


def test_check_mode_writes_no_generation_and_changes_nothing(run_action, tmp_path) -> None:
    host = lab_host("dr_primary")
    result = run_action("dr_backup", {"dest": str(tmp_path / "b")}, host, check_mode=True)
    assert result["changed"] is True and result["msg"].endswith("would be written to " + result["path"])
    assert not (tmp_path / "b").exists()
    assert host.changes() == []


def test_diff_lists_every_file_of_the_new_generation(run_action, tmp_path) -> None:
    result = run_action("dr_backup", {"dest": str(tmp_path)}, lab_host("dr_primary"), diff=True)
    diff = result["diff"]
    assert diff["before"] == "" and diff["before_header"].endswith("newest verified generation (none)")
    assert [line.split()[-1] for line in diff["after"].splitlines()] == FILES
    unchanged = run_action("dr_backup", {"dest": str(tmp_path)}, lab_host("dr_primary"), diff=True)
    assert "diff" not in unchanged


def test_a_changed_proxy_file_makes_a_new_generation_and_retention_keeps_n(run_action, tmp_path) -> None:
    run_action("dr_backup", {"dest": str(tmp_path), "keep": 1}, lab_host("dr_primary"))
    changed = recorded("act2_dr_primary.json")["collect"]
    changed["proxy_config"] = None  # the proxy file removed on the server: the collection returns none
    host = lab_host("dr_primary", collect=changed)
    del host.files[next(k for k in host.files if k.endswith("simplelicenseserviceconfig.xml"))]
    result = run_action("dr_backup", {"dest": str(tmp_path), "keep": 1}, host)
    assert result["created"] is True and len(result["deleted"]) == 1
    assert "old generations deleted: " + result["deleted"][0] in result["msg"]
    assert result["warnings"] == [f"{PROXY_XML} does not exist, so no proxy configuration is backed up"]
    assert len(generations(tmp_path)) == 1


def test_a_relative_dest_is_taken_from_the_playbook_directory(run_action, tmp_path) -> None:
    playbook_dir = tmp_path / "play"
    playbook_dir.mkdir()
    result = run_action("dr_backup", {"dest": "backups"}, lab_host("dr_primary"), basedir=playbook_dir)
    assert result["backup_set"].startswith(str(playbook_dir / "backups") + "/"), result["backup_set"]
    assert len(generations(playbook_dir / "backups")) == 1


def test_no_license_server_installed_fails_without_writing(run_action, tmp_path) -> None:
    host = lab_host("dr_drnone_before")
    result = run_action("dr_backup", {"dest": str(tmp_path / "b")}, host)
    assert result["failed"] is True and "no License Server installation found" in result["msg"]
    assert not (tmp_path / "b").exists() and host.changes() == []


def test_bad_input_fails_before_the_host_is_touched(run_action, tmp_path) -> None:
    result = run_action("dr_backup", {"dest": str(tmp_path), "keep": 0}, None)
    assert result["failed"] is True and "keep must be at least 1" in result["msg"]
    result = run_action("dr_backup", {"dest": ""}, None)
    assert result["failed"] is True and "dest: an empty path is not a path" in result["msg"]


def test_extra_paths_take_listed_cache_files_and_unlisted_ones_are_named(run_action, tmp_path) -> None:
    """Seed 004 ~3581: LS\\resource\\cache "Contains user/device data, renewal database, and vendor daemon extension
    data" but names none of those files, so only the operator's extra_paths take them; the rest is warned about."""
    # Test data, not product file names: the document names none, so the test makes up clearly fake ones.
    files = {CACHE + r"\test_ud_data.bin": b"user/device " * 10, CACHE + r"\test_other.dat": b"x",
             CONF + r"\test_server.cfg": b"cfg"}
    host = lab_host("dr_primary", files=files)
    result = run_action("dr_backup", {"dest": str(tmp_path), "extra_paths": [r"ls\Resource\CACHE\test_ud_data.bin"]},
                        host)
    assert not result.get("failed"), result
    entry = next(f for f in result["manifest"]["files"] if f["path"] == "LS/resource/cache/test_ud_data.bin")
    assert entry["kind"] == "cache" and entry["host_path"] == CACHE + r"\test_ud_data.bin"
    [written] = generations(tmp_path)
    assert (written / "LS" / "resource" / "cache" / "test_ud_data.bin").read_bytes() == b"user/device " * 10
    assert len(result["warnings"]) == 2, result["warnings"]
    conf_warning, cache_warning = result["warnings"]
    assert conf_warning.startswith(r"LS\conf holds test_server.cfg, which the backup does not take")
    assert cache_warning.startswith(r"LS\resource\cache holds test_other.dat, which the backup does not take")
    assert "upload_compliance_result.xml" not in cache_warning  # the status file the document names (~745)
    # A folder stands for every file directly in it.
    again = run_action("dr_backup", {"dest": str(tmp_path), "extra_paths": ["LS/resource/cache", "LS\\conf"]},
                       lab_host("dr_primary", files=files))
    taken = {f["path"]: f["kind"] for f in again["manifest"]["files"] if f["path"].startswith("LS/")}
    assert taken == {"LS/conf/server.crt": "certificate", "LS/conf/server.key": "certificate",
                     "LS/conf/test_server.cfg": "conf", "LS/resource/cache/test_other.dat": "cache",
                     "LS/resource/cache/test_ud_data.bin": "cache"}
    assert "warnings" not in again


def test_extra_paths_outside_the_two_folders_are_refused_before_the_host_is_touched(run_action, tmp_path) -> None:
    for bad in (r"MyFiles\x.lic", r"C:\Windows\x", r"LS\resource\cache\..\..\x", r"LS\logs\x.log"):
        host = lab_host("dr_primary")
        result = run_action("dr_backup", {"dest": str(tmp_path), "extra_paths": [bad]}, host)
        assert result["failed"] is True and "extra_paths item" in result["msg"], (bad, result)
        assert host.log == []


def test_a_listed_path_that_does_not_exist_is_a_warning(run_action, tmp_path) -> None:
    result = run_action("dr_backup", {"dest": str(tmp_path), "extra_paths": [r"LS\resource\cache\nothing.bin"]},
                        lab_host("dr_primary"))
    assert result["created"] is True
    [warning] = result["warnings"]
    assert warning.startswith(CACHE + r"\nothing.bin (extra_paths) does not exist on ")
    assert not any(f["path"].startswith("LS/resource") for f in result["manifest"]["files"])
