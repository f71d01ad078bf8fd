# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The dr_restore action plugin: a backup of the recorded lab primary restored to recorded lab DR hosts."""

from __future__ import annotations

from pathlib import Path

import pytest
from act2_recorded import INSTALL, MYFILES, PROXY_XML, lab_host, recorded, restored_dr_host

# CITRIX.opt is the same on both lab hosts (the installer's), so it stays; the startup license is never restored.
# The certificate pair differs: each installation generates its own self-signed one (seed 004 ~2853).
CERTS = ["LS/conf/server.crt", "LS/conf/server.key"]
RESTORED = [*CERTS, "MyFiles/FID_enterprise.lic", "MyFiles/FID_platinum.lic",
            "WebServicesForLicensing/SimpleLicenseServiceConfig.xml"]
WEB = "CitrixWebServicesforLicensing"
LICENSING = "Citrix Licensing"
CONF = INSTALL + r"\LS\conf"


def win(relpath: str) -> str:
    return INSTALL + "\\" + relpath.replace("/", "\\")


@pytest.fixture
def backup(run_action, tmp_path) -> Path:
    """A backup set of the primary, written by dr_backup (the backup the failover restores)."""
    result = run_action("dr_backup", {"dest": str(tmp_path / "backups"), "name": "primary"}, lab_host("dr_primary"))
    assert result["created"] is True, result
    return tmp_path / "backups"


def restore(run_action, backup: Path, host, **options):
    check, diff = options.pop("check_mode", False), options.pop("diff", False)
    return run_action("dr_restore", {"src": str(backup), "name": "primary", "as_of": "2026-11-22", **options}, host,
                      check_mode=check, diff=diff)


def test_restore_writes_the_files_rereads_once_and_checks_every_feature_is_served(run_action, backup) -> None:
    host = restored_dr_host()
    primary = lab_host("dr_primary")
    result = restore(run_action, backup, host)
    assert result["changed"] is True and not result.get("failed"), result
    assert result["msg"] == ("restored " + ", ".join(RESTORED)
                             + "; every backed-up feature is served (XDT_ENT_UD, XDT_PLT_UD)")
    assert result["identity"] == {"hostname": "LICSRV01", "source": "lmhostid"}
    assert result["missing_features"] == [] and result["reread"]["ok"] is True
    assert result["web_service_restarted"] is True
    for path in (MYFILES + r"\FID_platinum.lic", MYFILES + r"\CITRIX.opt", PROXY_XML, *map(win, CERTS)):
        assert host.content(path) == primary.content(path)
    writes = [args[0] for op, args in host.log if op == "write_file" and ("MyFiles" in args[0] or args[0] == PROXY_XML
                                                                          or args[0].startswith(CONF))]
    assert sorted(writes) == sorted(map(win, RESTORED))
    # The documented order (seed 004 ~2934-2937, ~4745): stop Citrix Licensing, the certificate pair, start it,
    # then the license files and lmreread; every written file is read back and checked by SHA-256.
    steps = [(op, args[0] if op != "set_service" else args) for op, args in host.log
             if op in ("set_service", "write_file", "read_file", "run")
             and not (op == "write_file" and args[0].endswith(".ctxlic.lock"))]
    stop, start = steps.index(("set_service", (LICENSING, "stopped"))), steps.index(("set_service", (LICENSING,
                                                                                                     "started")))
    assert steps[stop + 1:start] == [("write_file", win(CERTS[0])), ("write_file", win(CERTS[1])),
                                     ("read_file", win(CERTS[0])), ("read_file", win(CERTS[1]))]
    later = [step for step in steps[start + 1:] if step[0] in ("write_file", "run")]
    assert [path for op, path in later if op == "write_file"] == list(map(win, RESTORED[2:]))
    assert later[-1][0] == "run" and later[-1][1][0].endswith("lmreread.exe")
    assert result["licensing_service_restarted"] is True and result["host_verified"] == RESTORED
    assert host.services["citrix licensing"]["state"] == "running"
    runs = [args[0] for op, args in host.log if op == "run"]
    assert runs == [(INSTALL + r"\LS\lmreread.exe", "-c", "@localhost", "-all")]
    assert ("set_service", (WEB, "restarted")) in host.log
    assert host.operations().count("collect") == 2  # before, and after the reread to read lmstat


def test_check_mode_says_what_would_be_restored_and_changes_nothing(run_action, backup) -> None:
    host = restored_dr_host()
    result = restore(run_action, backup, host, check_mode=True)
    assert result["changed"] is True
    assert result["msg"] == "check mode: would restore " + ", ".join(RESTORED)
    assert host.changes() == []
    assert [f["operation"] for f in result["files"]] == ["replace", "replace", "unchanged", "skip", "create", "create",
                                                         "replace"]


def test_diff_shows_the_files_before_and_after(run_action, backup) -> None:
    result = restore(run_action, backup, restored_dr_host(), check_mode=True, diff=True)
    diff = result["diff"]
    assert diff["before_header"] == f"{INSTALL} (DR host, before)"
    assert diff["before"].splitlines() == [*map(win, CERTS), MYFILES + r"\CITRIX.opt", PROXY_XML]
    assert [line.split("  sha256 ")[0] for line in diff["after"].splitlines()] == [
        *map(win, CERTS), MYFILES + r"\CITRIX.opt", *map(win, RESTORED[2:])]


def test_verify_only_reports_the_plan_without_touching_the_host(run_action, backup) -> None:
    host = restored_dr_host()
    result = restore(run_action, backup, host, verify_only=True)
    assert result["changed"] is False and not result.get("failed")
    assert result["msg"].startswith(f"generation {result['generation']} verified and the DR host matches its host "
                                    "name; no installation needed; would restore LS/conf/server.crt")
    assert host.changes() == []


def test_a_dr_host_named_in_another_case_is_refused_before_anything_changes(run_action, backup) -> None:
    host = lab_host("dr_drcase_before")
    result = restore(run_action, backup, host)
    assert result["failed"] is True and result["msg"].startswith("Refused, nothing was changed: ")
    assert "'LicSrv01'" in result["msg"] and "differ only in case" in result["msg"]
    assert host.changes() == []


def test_a_dr_host_without_the_license_server_must_be_installed_first(run_action, backup) -> None:
    host = lab_host("dr_drnone_before")
    result = restore(run_action, backup, host)
    assert result["failed"] is True and result["msg"].startswith("Refused, nothing was changed: the DR host needs "
                                                                 "the License Server installed (at least 11.17.2")
    host = lab_host("dr_drnone_before")
    result = restore(run_action, backup, host, installer_version="11.17.2.0 build 49000")
    assert result["failed"] is True and "install the License Server first" in result["msg"]
    assert host.changes() == []
    planned = restore(run_action, backup, lab_host("dr_drnone_before"), installer_version="11.17.2.0 build 49000",
                      check_mode=True)
    assert planned["changed"] is True and planned["msg"].startswith("check mode: the License Server is installed "
                                                                    "first; then would restore")
    assert planned["install"]["action"] == "install"


def test_a_failing_reread_fails_after_the_files_were_written(run_action, backup) -> None:
    from fake_host import ok

    host = restored_dr_host()
    host.programs["lmreread.exe"] = ok("", rc=1, stderr="Cannot connect to license server system")
    result = restore(run_action, backup, host)
    assert result["failed"] is True
    assert result["msg"].startswith("the backup files were restored, but the License Server did not reread them")
    assert "Cannot connect to license server system" in result["msg"]


def test_a_restored_host_needs_nothing_more(run_action, backup) -> None:
    after = recorded("act2_dr_dr_restored.json")
    host = lab_host("dr_dr_restored", collect=after["collect_full"])
    result = restore(run_action, backup, host)
    assert result["changed"] is False and not result.get("failed"), result
    assert result["msg"].startswith("every backed-up file is already in place; every backed-up feature is served")
    assert [args[0] for op, args in host.changes() if op == "write_file" and "MyFiles" in args[0]] == []
    assert host.operations().count("collect") == 1 and "run" not in host.operations()  # nothing to reread


def test_a_tampered_generation_is_refused_before_the_host_is_touched(run_action, backup) -> None:
    [generation] = [p for p in backup.glob("*/2*") if p.is_dir()]
    (generation / "MyFiles" / "FID_platinum.lic").write_bytes(b"changed")
    result = restore(run_action, backup, None)
    assert result["failed"] is True and "failed verification, nothing was changed" in result["msg"]


def test_a_relative_src_is_taken_from_the_playbook_directory(run_action, backup, tmp_path) -> None:
    result = run_action("dr_restore", {"src": "backups", "name": "primary", "verify_only": True},
                        restored_dr_host(), basedir=tmp_path)
    assert result["generation_path"].startswith(str(backup) + "/") and not result.get("failed"), result


def test_bad_input_fails_before_the_host_is_touched(run_action, tmp_path) -> None:
    result = run_action("dr_restore", {"src": str(tmp_path)}, None)
    assert result["failed"] is True and "name" in result["msg"]
    result = run_action("dr_restore", {"src": str(tmp_path), "name": "primary"}, None)
    assert result["failed"] is True and "no backup generation" in result["msg"]


def _as_format_1(backup: Path) -> Path:
    """The generation rewritten as the previous collection version wrote it: manifest format 1, no LS files."""
    import json
    import shutil

    [generation] = [p for p in backup.glob("*/2*") if p.is_dir()]
    manifest = json.loads((generation / "manifest.json").read_text())
    manifest["format_version"] = 1
    manifest["files"] = [f for f in manifest["files"] if not f["path"].startswith("LS/")]
    (generation / "manifest.json").write_text(json.dumps(manifest))
    shutil.rmtree(generation / "LS")
    return generation


def test_a_format_1_manifest_without_the_new_kinds_still_restores(run_action, backup) -> None:
    _as_format_1(backup)
    host = restored_dr_host()
    result = restore(run_action, backup, host)
    assert not result.get("failed"), result
    assert result["msg"].startswith("restored MyFiles/FID_enterprise.lic, MyFiles/FID_platinum.lic, WebServices")
    assert result["licensing_service_restarted"] is False and ("set_service", (LICENSING, "stopped")) not in host.log
    assert result["host_verified"] == RESTORED[2:]
    assert not any(args[0].startswith(CONF) for op, args in host.changes() if op == "write_file")


def test_a_format_1_manifest_holding_a_certificate_is_refused(run_action, backup) -> None:
    import json

    generation = _as_format_1(backup)
    manifest = json.loads((generation / "manifest.json").read_text())
    (generation / "LS" / "conf").mkdir(parents=True)
    (generation / "LS" / "conf" / "server.key").write_bytes(b"k")
    manifest["files"].append({"path": "LS/conf/server.key", "host_path": "x", "kind": "certificate", "size": 1,
                              "sha256": __import__("hashlib").sha256(b"k").hexdigest()})
    (generation / "manifest.json").write_text(json.dumps(manifest))
    result = restore(run_action, backup, None)
    assert result["failed"] is True and "a format 1 manifest never holds" in result["msg"]


def test_a_file_that_reads_back_different_fails_and_the_service_runs_again(run_action, backup) -> None:
    host = restored_dr_host()
    real_read = host.read_file
    host.read_file = lambda path: b"torn" if path == win(CERTS[1]) else real_read(path)
    result = restore(run_action, backup, host)
    assert result["failed"] is True and "do not match the backup" in result["msg"]
    assert win(CERTS[1]) in result["msg"]
    assert host.services["citrix licensing"]["state"] == "running"
    assert not any("MyFiles" in args[0] for op, args in host.changes() if op == "write_file")  # stopped before them
    assert "run" not in host.operations()


def test_a_stopped_licensing_service_is_not_started_for_the_certificates(run_action, backup) -> None:
    host = restored_dr_host()
    host.services["citrix licensing"]["state"] = "stopped"
    result = restore(run_action, backup, host)
    assert result["licensing_service_restarted"] is False
    assert not [args for op, args in host.log if op == "set_service" and args[0] == LICENSING]
    assert host.content(win(CERTS[0])) == lab_host("dr_primary").content(win(CERTS[0]))
