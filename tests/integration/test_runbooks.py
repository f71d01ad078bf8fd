# Copyright: (c) 2026, ctxlic maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""End to end: the runbook playbooks site.yml, ci_provision.yml and decommission.yml on lab fleets.

Each test runs the shipped playbook file, as an operator or a CI pipeline would, and then checks the
lab hosts and the controller: what the playbook says it did must be what happened.
"""

from __future__ import annotations

import json
import re
import shlex
import sqlite3
import subprocess
import sys
from datetime import date
from pathlib import Path


from ansible_collections.ctxlic.license_server.plugins.plugin_utils.lab import licgen
from ansible_collections.ctxlic.license_server.plugins.plugin_utils.lab.fleet import HostSpec
from ansible_collections.ctxlic.license_server.plugins.plugin_utils.lab.layout import INSTALL_REG_KEY
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._store.host_folder import folder_name

from module_docs import module_returns

from .conftest import (
    COLLECTIONS, INSTALL, MYFILES, PROXY_XML, USAGE, V45, V51, ansible_env, installer, play, sha256, task,
)

REPO = Path(__file__).resolve().parents[2]
PLAYBOOKS = REPO / "playbooks"
PROXY = "proxy.lab:3128"
BEHIND_PROXY = {"dns": True, "direct": False, "proxies": {PROXY: True}}
VALID = date(2028, 12, 31)


# -- helpers --------------------------------------------------------------------------------------
def write_license(folder: Path, name: str, hostname: str, features: list[dict]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_bytes(licgen.license_text([hostname], features).encode())
    return path


def installed_version(fleet, host: str) -> str | None:
    return (fleet.state(host).registry.get(INSTALL_REG_KEY) or {}).get("Version")


def assert_no_traceback(result) -> None:
    assert "Traceback" not in result.stdout + result.stderr, (result.stdout + result.stderr)[-4000:]


# -- site.yml ---------------------------------------------------------------------------------------
def test_site_converges_a_fleet_and_a_second_run_changes_nothing(make_fleet, tmp_path):
    fleet = make_fleet([
        HostSpec("ls01", version=V51, network=BEHIND_PROXY),
        HostSpec("ls02", version=V51, network=BEHIND_PROXY, reporting="manual"),
        HostSpec("ls03", version=V45, network=BEHIND_PROXY),  # overdue: 51000 was released in December 2024
    ])
    licenses = tmp_path / "licenses"
    for host in ("ls01", "ls02", "ls03"):
        write_license(licenses / host, f"FID_{host}.lic", host.upper(),
                      [{"feature": "XDT_PLT_UD", "count": 25, "expiry": VALID, "serial": f"SN-{host}"}])
    untouched = {h: [e for e in fleet.state(h).events() if e["kind"] in ("install", "uninstall")]
                 for h in ("ls01", "ls02")}
    extra = {"ctxlic_server_installer_src": installer(tmp_path, V51), "ctxlic_server_version": V51,
             "ctxlic_server_min_free_mb": 100, "ctxlic_site_as_of": "2026-11-22",
             "ctxlic_license_files_src_dir": str(licenses) + "/{{ inventory_hostname }}", "ctxlic_proxy": PROXY}

    first = fleet.run(PLAYBOOKS / "site.yml", extra_vars=extra)
    assert_no_traceback(first)
    assert first.rc == 0, first.stdout[-4000:]
    stats = first.stats()
    assert all(stats[h]["failures"] == 0 and stats[h]["changed"] > 0 for h in ("ls01", "ls02", "ls03")), stats
    # Only the overdue server was upgraded; the current ones were never touched by an installer.
    assert installed_version(fleet, "ls03") == V51
    for host in ("ls01", "ls02"):
        assert [e for e in fleet.state(host).events() if e["kind"] in ("install", "uninstall")] == untouched[host]
    decided = result_facts(first, "Decide whether this server needs the installer")
    # The shipped catalog's newest release (build 51000, December 2024) is older than catalog_max_age_days at
    # 2026-11-22, so it cannot prove that 51000 is still inside its window: unknown, and the installer runs with
    # the installed version's own target (nothing to do). 45000 is overdue whatever came later.
    assert {h: decided[h]["ctxlic_site_status"] for h in decided} == {
        "ls01": "unknown", "ls02": "unknown", "ls03": "overdue"}
    for host in ("ls01", "ls02", "ls03"):
        assert fleet.path(host, MYFILES + rf"\FID_{host}.lic").is_file()
        assert f"<Proxy>{PROXY}</Proxy>" in fleet.path(host, PROXY_XML).read_text(encoding="utf-8")
        lms = json.loads((fleet.host_root(host) / ".lab" / "lms.json").read_text())
        assert lms["enabled"] is True, f"{host}: automatic reporting is the default (seed 001)"
    verified = first.task_results("Verify the converged License Server")
    assert all(not r.get("failed") and not r.get("skipped") for r in verified.values())

    second = fleet.run(PLAYBOOKS / "site.yml", extra_vars=extra)
    assert second.rc == 0, second.stdout[-4000:]
    assert {h: s["changed"] for h, s in second.stats().items()} == {"ls01": 0, "ls02": 0, "ls03": 0}
    assert all(s["failures"] == 0 for s in second.stats().values())

    # The uploads now go through the proxy: the next simulated day succeeds everywhere.
    fleet.advance(1)
    for host in ("ls01", "ls02", "ls03"):
        result_xml = fleet.path(host, INSTALL + r"\LS\resource\cache\upload_compliance_result.xml")
        assert "CTX_UPLOADER_SUCCESS" in result_xml.read_text(encoding="utf-8")


def test_site_in_check_mode_plans_and_changes_nothing(make_fleet, tmp_path):
    fleet = make_fleet([HostSpec("bare", version=None), HostSpec("old", version=V45, network=BEHIND_PROXY)])
    before = {h: sorted(str(p.relative_to(fleet.host_root(h))) + ":" + (sha256(p) if p.is_file() else "")
                        for p in fleet.host_root(h).rglob("*") if ".lab" not in p.parts)
              for h in ("bare", "old")}
    licenses = tmp_path / "licenses"
    write_license(licenses / "old", "FID_old.lic", "OLD", [{"feature": "XDT_PLT_UD", "count": 1, "expiry": VALID}])
    result = fleet.run(PLAYBOOKS / "site.yml", check=True, diff=True, extra_vars={
        "ctxlic_server_installer_src": installer(tmp_path, V51), "ctxlic_server_version": V51,
        "ctxlic_server_min_free_mb": 100, "ctxlic_site_as_of": "2026-11-22", "ctxlic_proxy": PROXY,
        "ctxlic_license_files_src_dir": str(licenses) + "/{{ inventory_hostname }}"})
    assert_no_traceback(result)
    assert result.rc == 0, result.stdout[-4000:]
    planned = result.results_ending("Install, upgrade or uninstall the Citrix License Server")
    # (the json callback replaces the module's "action" key with the module name, so versions tell the plan)
    assert (planned["bare"]["before_version"], planned["bare"]["after_version"]) == (None, V51)
    assert (planned["old"]["before_version"], planned["old"]["after_version"]) == (V45, V51)
    assert {h: r.get("changed") for h, r in planned.items()} == {"bare": True, "old": True}
    skipped = result.task_results("Deploy the license files")
    assert skipped["bare"].get("skipped") is True, "nothing to plan files for before the install"
    assert installed_version(fleet, "bare") is None and installed_version(fleet, "old") == V45
    after = {h: sorted(str(p.relative_to(fleet.host_root(h))) + ":" + (sha256(p) if p.is_file() else "")
                       for p in fleet.host_root(h).rglob("*") if ".lab" not in p.parts)
             for h in ("bare", "old")}
    assert after == before


def result_facts(result, task_name: str) -> dict[str, dict]:
    return {h: r["ansible_facts"] for h, r in result.task_results(task_name).items()}


# -- ci_provision.yml then decommission.yml ---------------------------------------------------------
CI_FEATURES = [
    {"feature": "XDT_PLT_UD", "count": 25, "expiry": VALID, "serial": "LA-0000000101"},
    {"feature": "XDT_ENT_UD", "count": 10, "expiry": VALID, "serial": "LA-0000000102"},
]


def ci_vars(tmp_path: Path, expected: list[str], **extra) -> dict:
    licenses = tmp_path / "ci_licenses"
    write_license(licenses, "FID_ci01.lic", "CI01", CI_FEATURES)
    return {"ctxlic_server_installer_src": installer(tmp_path, V51), "ctxlic_server_version": V51,
            "ctxlic_server_min_free_mb": 100, "ctxlic_license_files_src_dir": str(licenses),
            "ctxlic_expected_features": expected, "ctxlic_site_as_of": "2026-11-22", **extra}


def decommission_vars(tmp_path: Path, **extra) -> dict:
    return {"ctxlic_decommission_hosts": "ci01", "ctxlic_server_installer_src": installer(tmp_path, V51),
            "ctxlic_decommission_dest": str(tmp_path / "decommissioned"),
            "ctxlic_decommission_history_db": str(tmp_path / "evidence.sqlite"), **extra}


def pending_zips(fleet, host: str) -> dict[str, str]:
    """{name: sha256} of the manual-upload zips on the lab host."""
    found = {}
    for folder in (USAGE, INSTALL + r"\LS\resource\cis_bundles\ul_usage"):
        path = fleet.path(host, folder)
        if path.is_dir():
            found.update({p.name: sha256(p) for p in path.glob("upload_*.zip")})
    return found


def bundled(dest: Path) -> dict[str, str]:
    """{member name: sha256} over every bundle of the telemetry manifest, each bundle verified on disk."""
    from ansible_collections.ctxlic.license_server.plugins.plugin_utils._store.zip_safety import verify_bundle

    manifest = json.loads((dest / "manifest.json").read_text(encoding="utf-8"))
    members = {}
    for entry in manifest["bundles"]:
        path = dest / "bundles" / entry["name"]
        assert sha256(path) == entry["sha256"]
        ok, why = verify_bundle(path, entry["members"])
        assert ok, why
        members.update({m["name"]: m["sha256"] for m in entry["members"]})
    return members


def test_ci_provision_then_decommission_loses_nothing(make_fleet, tmp_path):
    fleet = make_fleet([HostSpec("ci01", version=None)])
    provision = fleet.run(PLAYBOOKS / "ci_provision.yml", extra_vars=ci_vars(
        tmp_path, ["XDT_PLT_UD", "XDT_ENT_UD"], ctxlic_reporting_mode="manual"))
    assert_no_traceback(provision)
    assert provision.rc == 0, provision.stdout[-4000:]
    served = provision.task_results("Compare the expected features with the features lmstat lists")["ci01"]
    assert not served.get("failed") and "serves XDT_PLT_UD, XDT_ENT_UD" in served["msg"]
    assert installed_version(fleet, "ci01") == V51

    # Manual mode: the daily job leaves telemetry zips on the server (seed 001).
    fleet.advance(3)
    zips = pending_zips(fleet, "ci01")
    assert len(zips) == 6
    myfiles = {p.name: sha256(p) for p in fleet.path("ci01", MYFILES).iterdir()}
    assert {"FID_ci01.lic", "citrix_startup.lic", "CITRIX.opt"} <= set(myfiles)

    result = fleet.run(PLAYBOOKS / "decommission.yml", extra_vars=decommission_vars(tmp_path))
    assert_no_traceback(result)
    assert result.rc == 0, result.stdout[-4000:]
    dest = tmp_path / "decommissioned"

    # Telemetry: every zip is in a verified bundle on the controller, and only then gone from the server.
    assert bundled(dest / "telemetry" / folder_name("ci01")) == zips
    # License files: every file of MyFiles is on the controller with its hash, in the manifest and SHA256SUMS.
    backup = dest / "licenses" / folder_name("ci01")
    assert {p.name: sha256(p) for p in (backup / "files").iterdir()} == myfiles
    manifest = json.loads((backup / "manifest.json").read_text(encoding="utf-8"))
    assert {e["name"]: e["sha256"] for e in manifest["files"]} == myfiles
    sums = dict(reversed(line.split("  ", 1)) for line in (backup / "SHA256SUMS").read_text().splitlines())
    assert sums == {f"files/{name}": digest for name, digest in myfiles.items()}
    # The allocations to return are printed: serials, features and counts (never signatures).
    printed = json.dumps(result.task_results("Show the allocations to return on the licensing portal")["ci01"])
    assert "SN LA-0000000101: XDT_PLT_UD count 25" in printed
    assert "SN LA-0000000102: XDT_ENT_UD count 10" in printed
    assert "search host ID CI01" in printed and "SIGN" not in printed
    # The evidence history knows the server was decommissioned, and with which allocations.
    with sqlite3.connect(tmp_path / "evidence.sqlite") as db:
        rows = db.execute("SELECT host, kind, detail FROM events").fetchall()
    assert [(host, kind) for host, kind, _detail in rows] == [("ci01", "decommissioned")]
    detail = json.loads(rows[0][2])
    assert {(a["serial"], a["feature"], a["count"]) for a in detail["allocations"]} == {
        ("LA-0000000101", "XDT_PLT_UD", 25), ("LA-0000000102", "XDT_ENT_UD", 10)}
    assert detail["ls_hostname"] == "CI01"
    # The License Server is gone; MyFiles stays on the server (seed 004).
    assert installed_version(fleet, "ci01") is None
    assert {p.name: sha256(p) for p in fleet.path("ci01", MYFILES).iterdir()} == myfiles
    assert not fleet.path("ci01", INSTALL + r"\LS").exists()

    again = fleet.run(PLAYBOOKS / "decommission.yml", extra_vars=decommission_vars(tmp_path))
    assert again.rc == 0, again.stdout[-4000:]
    assert again.stats()["ci01"]["changed"] == 0
    shown = again.task_results("Show the allocations to return on the licensing portal")
    assert "SN LA-0000000101" in json.dumps(shown)


def test_ci_provision_fails_clearly_when_an_expected_feature_is_not_served(make_fleet, tmp_path):
    fleet = make_fleet([HostSpec("ci01", version=None)])
    result = fleet.run(PLAYBOOKS / "ci_provision.yml",
                       extra_vars=ci_vars(tmp_path, ["XDT_PLT_UD", "XDT_ADV_CCS"]))
    assert_no_traceback(result)
    assert result.rc != 0
    check = result.task_results("Compare the expected features with the features lmstat lists")["ci01"]
    assert check["failed"] is True
    assert "expected features not served: XDT_ADV_CCS." in check["msg"]
    assert "Served: " in check["msg"] and "XDT_PLT_UD" in check["msg"]


def test_ci_provision_checks_its_inputs_before_touching_the_server(make_fleet, tmp_path):
    fleet = make_fleet([HostSpec("ci01", version=None)])
    given = ci_vars(tmp_path, ["XDT_PLT_UD"])
    del given["ctxlic_expected_features"]
    result = fleet.run(PLAYBOOKS / "ci_provision.yml", extra_vars=given)
    assert result.rc != 0
    check = result.task_results("Require the installer, its version, the license files and the expected features")
    assert "ci_provision needs" in check["ci01"]["msg"] and "expected features=unset" in check["ci01"]["msg"]
    assert installed_version(fleet, "ci01") is None


def test_decommission_refuses_to_uninstall_while_telemetry_is_left(make_fleet, tmp_path):
    fleet = make_fleet([HostSpec("ci01", version=V51, reporting="manual", pending_zip_days=[5])])
    corrupt = fleet.path("ci01", USAGE + r"\upload_compliance_1799999999.zip")
    corrupt.write_bytes(b"this is not a zip file")
    result = fleet.run(PLAYBOOKS / "decommission.yml", extra_vars=decommission_vars(tmp_path))
    assert_no_traceback(result)
    assert result.rc != 0
    refusal = result.task_results("Refuse to uninstall while telemetry is still on the server")["ci01"]
    assert refusal["failed"] is True and "upload_compliance_1799999999.zip" in refusal["msg"]
    assert installed_version(fleet, "ci01") == V51, "nothing is uninstalled while telemetry would be lost"
    assert corrupt.exists(), "a rejected zip is never deleted"
    assert not (tmp_path / "evidence.sqlite").exists()


def test_decommission_needs_an_explicit_host_pattern(make_fleet, tmp_path):
    fleet = make_fleet([HostSpec("ci01", version=V51)])
    given = decommission_vars(tmp_path)
    del given["ctxlic_decommission_hosts"]
    result = fleet.run(PLAYBOOKS / "decommission.yml", extra_vars=given)
    assert result.rc != 0
    assert "ctxlic_decommission_hosts" in result.stdout + result.stderr
    assert installed_version(fleet, "ci01") == V51


# -- the two modules the runbooks added -------------------------------------------------------------
def module_play(module: str, options: dict) -> str:
    return play(task("under test", module, options, register="out", ignore_errors=True))


def documented_keys(module: str) -> set[str]:
    return set(module_returns(module))


def assert_documented(res: dict, module: str) -> None:
    ansible_keys = {"changed", "failed", "msg", "warnings", "invocation", "action", "exception", "skipped"}
    returned = {k for k in res if not k.startswith("_ansible")}
    assert returned <= documented_keys(module) | ansible_keys, sorted(returned - documented_keys(module))


def test_license_backup_keeps_every_version_and_repairs_a_damaged_copy(make_fleet, tmp_path):
    fleet = make_fleet([HostSpec("ls01", version=V51, licenses=[
        {"file": "FID_a.lic", "features": [{"feature": "XDT_PLT_UD", "count": 5, "expiry": VALID,
                                            "serial": "LA-1"}]}])])
    (fleet.path("ls01", MYFILES + r"\FID_upper.LIC")).write_bytes(
        licgen.license_text(["LS01"], [{"feature": "XDT_ENT_UD", "count": 3, "serial": "LA-2"}]).encode())
    dest = tmp_path / "backups"
    play = module_play("license_backup", {"dest": str(dest)})

    planned = fleet.run(play, check=True).task_results("under test")["ls01"]
    assert planned["changed"] is True and planned["verified"] is False and not dest.exists()
    assert {e["serial"] for e in planned["allocations"]["entries"]} == {"LA-1", "LA-2"}

    first = fleet.run(play).task_results("under test")["ls01"]
    assert_no_traceback_in(first)
    assert first["verified"] is True and first["changed"] is True
    assert sorted(first["fetched"]) == ["CITRIX.opt", "FID_a.lic", "FID_upper.LIC", "citrix_startup.lic"]
    assert_documented(first, "license_backup")
    assert fleet.run(play).task_results("under test")["ls01"]["changed"] is False

    # The server's file changes: the new one is fetched, the old copy moves to previous/.
    server_file = fleet.path("ls01", MYFILES + r"\FID_a.lic")
    old = server_file.read_bytes()
    server_file.write_bytes(old.replace(b" 5 ", b" 7 "))
    changed = fleet.run(play).task_results("under test")["ls01"]
    assert changed["replaced"] == ["FID_a.lic"] and changed["verified"] is True
    previous = list((dest / folder_name("ls01") / "previous").rglob("FID_a.lic"))
    assert len(previous) == 1 and previous[0].read_bytes() == old
    assert (dest / folder_name("ls01") / "files" / "FID_a.lic").read_bytes() == server_file.read_bytes()

    # A damaged controller copy is detected by its hash and fetched again.
    (dest / folder_name("ls01") / "files" / "CITRIX.opt").write_bytes(b"tampered")
    repaired = fleet.run(play).task_results("under test")["ls01"]
    assert repaired["fetched"] == ["CITRIX.opt"] and repaired["verified"] is True
    assert any("does not match its manifest entry" in w for w in repaired["warnings"])
    assert (dest / folder_name("ls01") / "files" / "CITRIX.opt").read_bytes() == fleet.path(
        "ls01", MYFILES + r"\CITRIX.opt").read_bytes()

    # A file removed from the server keeps its copy on the controller.
    fleet.path("ls01", MYFILES + r"\FID_upper.LIC").unlink()
    gone = fleet.run(play).task_results("under test")["ls01"]
    assert gone["only_on_controller"] == ["FID_upper.LIC"]
    assert (dest / folder_name("ls01") / "files" / "FID_upper.LIC").is_file()


def assert_no_traceback_in(res: dict) -> None:
    assert "Traceback" not in json.dumps(res), res


def test_evidence_event_records_once_and_check_mode_writes_nothing(make_fleet, tmp_path):
    fleet = make_fleet([HostSpec("ls01", version=V51)])
    db = tmp_path / "history" / "evidence.sqlite"
    play = module_play("evidence_event", {"kind": "decommissioned", "history_db": str(db),
                                          "detail": {"reason": "replaced"}})
    planned = fleet.run(play, check=True).task_results("under test")["ls01"]
    assert planned["changed"] is True and not db.exists()
    first = fleet.run(play).task_results("under test")["ls01"]
    assert first["changed"] is True and first["event"]["kind"] == "decommissioned"
    assert_documented(first, "evidence_event")
    again = fleet.run(play).task_results("under test")["ls01"]
    assert again["changed"] is False and again["event"]["at"] == first["event"]["at"]
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT host, kind, detail FROM events").fetchall() == [
            ("ls01", "decommissioned", '{"reason": "replaced"}')]
    bad = fleet.run(module_play("evidence_event", {"kind": "Bad Kind", "history_db": str(db)}))
    res = bad.task_results("under test")["ls01"]
    assert res["failed"] is True and "not an event name" in res["msg"]


# -- issue 15: runbooks that can be trusted -------------------------------------------------------------
def fail_messages(result) -> list[str]:
    """Every failed task's message in the run."""
    return [r.get("msg", "") for entry in result.tasks() for r in entry["hosts"].values() if r.get("failed")]


def test_fleet_report_with_a_misspelled_group_fails_instead_of_skipping(make_fleet, tmp_path):
    fleet = make_fleet([HostSpec("ls01", version=V51, last_upload={"days_ago": 1})])
    reports = tmp_path / "reports"
    typo = {"ctxlic_target_hosts": "license_server", "ctxlic_telemetry_report_dir": str(reports)}
    result = fleet.run(PLAYBOOKS / "fleet_report.yml", extra_vars=typo)
    assert_no_traceback(result)
    assert result.rc != 0, result.stdout[-3000:]
    assert any("No host matched 'license_server'" in m and "license_servers" in m for m in fail_messages(result))
    assert not reports.exists()

    # The correct group still passes, also with --limit.
    good = fleet.run(PLAYBOOKS / "fleet_report.yml", extra_vars={"ctxlic_telemetry_report_dir": str(reports)},
                     limit="ls01")
    assert good.rc == 0, good.stdout[-3000:]
    assert (reports / "compliance_report.json").is_file()


def test_fleet_report_that_gathered_no_server_fails_and_still_lists_the_hosts(make_fleet, tmp_path):
    fleet = make_fleet([HostSpec("gone1", unreachable=True), HostSpec("gone2", unreachable=True)])
    reports = tmp_path / "reports"
    result = fleet.run(PLAYBOOKS / "fleet_report.yml", extra_vars={"ctxlic_telemetry_report_dir": str(reports)})
    assert_no_traceback(result)
    assert result.rc != 0, result.stdout[-3000:]
    assert any("No License Server was gathered" in m and "gone1, gone2" in m for m in fail_messages(result))
    report = json.loads((reports / "compliance_report.json").read_text(encoding="utf-8"))
    assert {s["host"] for s in report["servers"]} == {"gone1", "gone2"}


def test_site_pending_zip_runbook_works_when_followed_literally(make_fleet, tmp_path):
    fleet = make_fleet([HostSpec("manual01", version=V45, reporting="manual", pending_zip_days=[40, 3])])
    zips = pending_zips(fleet, "manual01")
    assert len(zips) == 4
    extra = {"ctxlic_server_installer_src": installer(tmp_path, V51), "ctxlic_server_version": V51,
             "ctxlic_server_min_free_mb": 100, "ctxlic_site_as_of": "2026-11-22", "ctxlic_reporting_mode": "manual"}

    refused = fleet.run(PLAYBOOKS / "site.yml", extra_vars=extra)
    assert refused.rc != 0 and installed_version(fleet, "manual01") == V45
    message = " ".join(" ".join(fail_messages(refused)).split())
    match = re.search(r"ansible-playbook .*?ctxlic_telemetry_bundle_dest=\S+", message)
    assert match, message
    command = shlex.split(match.group(0))
    assert "ctxlic_telemetry_cleanup=true" in command and "ctxlic_telemetry_bundle=true" in command

    # Step (1), exactly as printed (from another directory, as an operator's shell would be).
    proc = subprocess.run(command, capture_output=True, text=True, timeout=600, env=ansible_env(), cwd=tmp_path,
                          check=False)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-2000:]
    assert pending_zips(fleet, "manual01") == {}
    dest = Path(next(a.split("=", 1)[1] for a in command if a.startswith("ctxlic_telemetry_bundle_dest=")))
    assert dest.is_relative_to(fleet.root.resolve() / "controller")  # the lab keeps the bundles inside the lab
    manifests = list(dest.rglob("manifest.json"))
    assert len(manifests) == 1 and set(bundled(manifests[0].parent)) == set(zips)  # nothing was lost

    # Step (3): the same site.yml run now upgrades.
    again = fleet.run(PLAYBOOKS / "site.yml", extra_vars=extra)
    assert again.rc == 0, again.stdout[-3000:]
    assert installed_version(fleet, "manual01") == V51


def test_readme_lab_commands_keep_evidence_and_reports_inside_the_lab(tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    env = ansible_env({"HOME": str(home), "PYTHONPATH": str(COLLECTIONS)})
    lab = tmp_path / "lab"
    lab_cli = [sys.executable, "-m", "ansible_collections.ctxlic.license_server.plugins.plugin_utils.lab.cli"]
    subprocess.run([*lab_cli, "create", str(lab), "--hosts", "2"], env=env, check=True, capture_output=True)
    proc = subprocess.run(["ansible-playbook", "-i", str(lab / "inventory.yml"), "ctxlic.license_server.fleet_report"],
                          env=env, cwd=tmp_path, capture_output=True, text=True, timeout=600, check=False)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-2000:]

    db = lab / "controller" / "evidence.sqlite"
    with sqlite3.connect(db) as conn:
        tables = [row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")]
    assert tables
    assert (lab / "controller" / "reports" / "compliance_report.html").is_file()
    assert not (home / ".local" / "share" / "ctxlic").exists()
    assert not (home / "ctxlic").exists()


def test_site_refuses_a_proxy_that_breaks_a_working_direct_route(make_fleet, tmp_path):
    fleet = make_fleet([HostSpec("ls01", version=V51, last_upload={"days_ago": 1})])  # direct route works
    config_before = fleet.path("ls01", PROXY_XML).read_bytes()
    # The installer is given only because the window check may ask for one; V51 is installed already.
    typo = {"ctxlic_proxy": "typo.lab:3128", "ctxlic_site_as_of": "2026-11-22", "ctxlic_server_version": V51,
            "ctxlic_server_installer_src": installer(tmp_path, V51), "ctxlic_server_min_free_mb": 100}

    planned = fleet.run(PLAYBOOKS / "site.yml", extra_vars=typo, check=True, diff=True)
    refused = fleet.run(PLAYBOOKS / "site.yml", extra_vars=typo)
    for result in (planned, refused):
        assert_no_traceback(result)
        assert result.rc != 0, result.stdout[-3000:]
        refusal = result.results_ending("Refuse a proxy that would break a working upload path")["ls01"]
        message = " ".join(refusal["msg"].split())
        assert "ctxlic_proxy=typo.lab:3128 would break telemetry uploads" in message
        assert "path it uses now (direct) works (direct_ok)" in message
        assert "was not changed" in message and "ctxlic_proxy_force=true" in message
    assert fleet.path("ls01", PROXY_XML).read_bytes() == config_before
    fleet.advance(1)
    assert "CTX_UPLOADER_SUCCESS" in fleet.path(
        "ls01", INSTALL + r"\LS\resource\cache\upload_compliance_result.xml").read_text(encoding="utf-8")

    # The documented override writes it anyway (the proxy will only work later) and says so.
    forced = fleet.run(PLAYBOOKS / "site.yml", extra_vars={**typo, "ctxlic_proxy_force": True})
    assert forced.rc == 0, forced.stdout[-3000:]
    assert "<Proxy>typo.lab:3128</Proxy>" in fleet.path("ls01", PROXY_XML).read_text(encoding="utf-8")
    warned = forced.results_ending("Warn that the forced proxy does not work yet")["ls01"]
    assert "ctxlic_proxy_force=true" in warned["msg"]
