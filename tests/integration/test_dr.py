# Copyright: (c) 2026, ctxlic maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""End to end: disaster recovery with ``playbooks/dr_backup.yml`` and ``playbooks/dr_failover.yml`` on lab hosts.

The primary (``LICSRV01``) is backed up to a controller directory; the DR host is a bare lab host with the same
host name. "The primary is destroyed" is modelled as a real loss: its lab directory is deleted and the inventory
is rewritten with the primary as an unreachable host (nothing listens where Ansible connects), which is what a
dead server looks like to Ansible. Every refusal is checked to leave the DR host exactly as it was (registry,
services and every file of its simulated drive) and the primary untouched.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

from ansible_collections.ctxlic.license_server.plugins.plugin_utils.lab import fleet as lab_fleet
from ansible_collections.ctxlic.license_server.plugins.plugin_utils.lab.fleet import HostSpec
from ansible_collections.ctxlic.license_server.plugins.plugin_utils.lab.layout import INSTALL_REG_KEY
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._store.host_folder import folder_name

from .conftest import INSTALL, MYFILES, PROXY_XML, V45, V49, installer

REPO = Path(__file__).resolve().parents[2]
BACKUP = REPO / "playbooks" / "dr_backup.yml"
FAILOVER = REPO / "playbooks" / "dr_failover.yml"
LICENSES = [
    {"file": "FID_platinum.lic", "features": [{"feature": "XDT_PLT_UD", "count": 100, "serial": "SN-PLT"}]},
    {"file": "FID_enterprise.lic", "features": [{"feature": "XDT_ENT_UD", "count": 50, "serial": "SN-ENT"}]},
]
FEATURES = ["XDT_ENT_UD", "XDT_PLT_UD"]


def primary(**changes) -> HostSpec:
    spec = {
        "name": "primary",
        "hostname": "LICSRV01",
        "version": V45,
        "licenses": LICENSES,
        "proxy": "proxy.corp.example:8080",
        "in_use": {"XDT_PLT_UD": 12},
    }
    spec.update(changes)
    return HostSpec(**spec)


def dr(hostname: str = "LICSRV01", **changes) -> HostSpec:
    return HostSpec("dr", hostname=hostname, version=None, **changes)


def snapshot(fleet, host: str) -> dict:
    """Everything a refusal must not touch: registry, services and every file (name and content)."""
    root = fleet.host_root(host)
    files = {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest() if p.is_file() else "<dir>"
        for p in sorted((root / "fs").rglob("*"))
    }
    state = fleet.state(host)
    return {"registry": state.registry, "services": state.services, "files": files}


def run_backup(fleet, backup_dir: Path, **extra):
    return fleet.run(
        BACKUP, extra_vars={"ctxlic_target_hosts": "primary", "ctxlic_dr_backup_dir": str(backup_dir), **extra}
    )


def run_failover(fleet, backup_dir: Path, tmp_path: Path, *, check: bool = False, **extra):
    extra_vars = {
        "ctxlic_dr_host": "dr",
        "ctxlic_dr_primary_host": "primary",
        "ctxlic_dr_backup_dir": str(backup_dir),
        "ctxlic_dr_installer": installer(tmp_path, V49),
        "ctxlic_dr_installer_version": V49,
        **extra,
    }
    return fleet.run(FAILOVER, extra_vars=extra_vars, check=check)


def generations(backup_dir: Path, name: str = "primary") -> list[Path]:
    return sorted(p for p in (backup_dir / folder_name(name)).iterdir() if not p.name.startswith("."))


def destroy_primary(fleet) -> None:
    """The primary's machine is gone: no lab tree, and Ansible cannot connect to it any more."""
    shutil.rmtree(fleet.host_root("primary"))
    lab_fleet.write_inventory(fleet.root, [HostSpec("primary", unreachable=True), fleet.specs["dr"]])


def assert_ok(result) -> None:
    assert "Traceback" not in result.stdout + result.stderr, result.stdout[-3000:]
    assert result.rc == 0, result.stdout[-5000:]


def assert_refused(result, task_suffix: str, *phrases: str) -> str:
    assert "Traceback" not in result.stdout + result.stderr, result.stdout[-3000:]
    assert result.rc != 0
    res = result.results_ending(task_suffix)["dr"]
    assert res.get("failed") is True, res
    for phrase in phrases:
        assert phrase in res["msg"], res["msg"]
    return res["msg"]


# -- backup -------------------------------------------------------------------------------------------
def test_backup_writes_a_verified_generation_is_idempotent_and_keeps_n(make_fleet, tmp_path):
    fleet = make_fleet([primary()])
    backups = tmp_path / "backups"
    before = snapshot(fleet, "primary")
    first = run_backup(fleet, backups)
    assert_ok(first)
    res = first.results_ending("Back up the license files, CITRIX.opt and the proxy file to the controller")["primary"]
    assert res["changed"] is True and res["created"] is True
    [gen] = generations(backups)
    assert res["path"] == str(gen)
    manifest = json.loads((gen / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["ls_hostname"] == "LICSRV01" and manifest["ls_hostname_source"] == "lmhostid"
    assert manifest["ls_version"] == V45 and manifest["source_host"] == "primary"
    assert manifest["ports"] == {"license_server_port": 27000, "vendor_daemon_port": 7279, "web_services_port": 8083}
    assert set(FEATURES) <= set(manifest["served_features"])
    paths = {f["path"]: f for f in manifest["files"]}
    assert set(paths) == {
        "MyFiles/FID_platinum.lic",
        "MyFiles/FID_enterprise.lic",
        "MyFiles/citrix_startup.lic",
        "MyFiles/CITRIX.opt",
        "WebServicesForLicensing/SimpleLicenseServiceConfig.xml",
        # the certificate pair the Citrix Licensing documentation names in LS\\conf (seed 004 ~2936)
        "LS/conf/server.crt",
        "LS/conf/server.key",
    }
    for entry in manifest["files"]:
        original = fleet.path("primary", INSTALL + "\\" + entry["path"].replace("/", "\\")).read_bytes()
        copy = gen.joinpath(*entry["path"].split("/")).read_bytes()
        assert copy == original
        assert entry["sha256"] == hashlib.sha256(original).hexdigest() and entry["size"] == len(original)
    assert (
        b"<Proxy>proxy.corp.example:8080</Proxy>"
        in (gen / "WebServicesForLicensing" / "SimpleLicenseServiceConfig.xml").read_bytes()
    )
    assert snapshot(fleet, "primary") == before  # a backup changes nothing on the License Server

    again = run_backup(fleet, backups)
    assert_ok(again)
    res = again.results_ending("Back up the license files, CITRIX.opt and the proxy file to the controller")["primary"]
    assert res["changed"] is False and res["created"] is False and res["generation"] == gen.name
    assert generations(backups) == [gen]

    myfiles = fleet.path("primary", MYFILES)
    (myfiles / "FID_extra.lic").write_bytes((myfiles / "FID_platinum.lic").read_bytes())
    checked = fleet.run(
        BACKUP, check=True, extra_vars={"ctxlic_target_hosts": "primary", "ctxlic_dr_backup_dir": str(backups)}
    )
    assert_ok(checked)
    assert checked.results_ending("to the controller")["primary"]["changed"] is True
    assert generations(backups) == [gen]  # check mode writes nothing

    for round_ in range(3):
        (myfiles / f"FID_round{round_}.lic").write_bytes((myfiles / "FID_enterprise.lic").read_bytes())
        assert_ok(run_backup(fleet, backups, ctxlic_dr_keep=2))
    kept = generations(backups)
    assert len(kept) == 2
    newest = json.loads((kept[-1] / "manifest.json").read_text(encoding="utf-8"))
    assert "MyFiles/FID_round2.lic" in {f["path"] for f in newest["files"]}
    assert gen not in kept


def test_retention_never_deletes_a_generation_that_does_not_verify(make_fleet, tmp_path):
    # A broken generation may hold the only copy of a file (nothing is lost): keep=1 deletes only verified ones.
    fleet = make_fleet([primary()])
    backups = tmp_path / "backups"
    assert_ok(run_backup(fleet, backups))
    [broken] = generations(backups)
    damaged = broken / "MyFiles" / "FID_platinum.lic"
    damaged.write_bytes(damaged.read_bytes()[:-10])
    myfiles = fleet.path("primary", MYFILES)
    for round_ in range(2):
        (myfiles / f"FID_round{round_}.lic").write_bytes((myfiles / "FID_enterprise.lic").read_bytes())
        out = run_backup(fleet, backups, ctxlic_dr_keep=1)
        assert_ok(out)
    res = out.results_ending("Back up the license files, CITRIX.opt and the proxy file to the controller")["primary"]
    kept = generations(backups)
    assert broken in kept and len(kept) == 2, kept
    assert broken.name not in res["deleted"] and len(res["deleted"]) == 1
    assert any(broken.name in w and "does not verify" in w for w in res.get("warnings", [])), res


# -- failover -----------------------------------------------------------------------------------------
def test_failover_after_the_primary_is_destroyed_needs_confirmation_then_restores_everything(make_fleet, tmp_path):
    fleet = make_fleet([primary(), dr()])
    backups = tmp_path / "backups"
    assert_ok(run_backup(fleet, backups))
    [gen] = generations(backups)
    manifest = json.loads((gen / "manifest.json").read_text(encoding="utf-8"))
    destroy_primary(fleet)
    bare = snapshot(fleet, "dr")

    refused = run_failover(fleet, backups, tmp_path)
    msg = assert_refused(
        refused,
        "Make sure the primary License Server no longer serves",
        "could not be reached",
        "ctxlic_dr_primary_confirmed_down=true",
        "Nothing was changed",
    )
    assert "only one License Server" in msg
    assert snapshot(fleet, "dr") == bare
    assert not refused.ran("Restore the verified backup, reread and check the served features")

    result = run_failover(fleet, backups, tmp_path, ctxlic_dr_primary_confirmed_down=True)
    assert_ok(result)
    stopped = result.results_ending("Make sure the primary License Server no longer serves")["dr"]
    assert stopped["reachable"] is False and stopped["changed"] is False
    assert fleet.state("dr").registry[INSTALL_REG_KEY]["Version"] == V49
    for entry in manifest["files"]:
        if entry["kind"] == "startup":
            continue
        restored = fleet.path("dr", INSTALL + "\\" + entry["path"].replace("/", "\\")).read_bytes()
        assert hashlib.sha256(restored).hexdigest() == entry["sha256"], entry["path"]
    assert b"proxy.corp.example:8080" in fleet.path("dr", PROXY_XML).read_bytes()
    restore = result.results_ending("Restore the verified backup, reread and check the served features")["dr"]
    assert restore["verified"] is True and restore["generation"] == gen.name
    # The DR host's own self-signed pair is replaced by the primary's with Citrix Licensing stopped and started again
    # (Citrix Licensing 11.17.2 build 49000 documentation, installing a certificate; seed 004 ~2934-2937), and every
    # written file was read back by SHA-256.
    assert restore["licensing_service_restarted"] is True
    assert {"LS/conf/server.crt", "LS/conf/server.key"} <= set(restore["host_verified"])
    assert fleet.state("dr").services["Citrix Licensing"]["state"] == "running"
    assert restore["expected_features"] == FEATURES and restore["missing_features"] == []
    assert restore["reread"]["ok"] is True and restore["reread"]["argv"][1:] == ["-c", "@localhost", "-all"]
    info = result.results_ending("Gather the DR License Server state")["dr"]["server"]
    assert info["hostname"] == "LICSRV01" and set(FEATURES) <= set(info["licenses"]["in_use"])
    rereads = [e for e in fleet.state("dr").events() if e["kind"] == "lmreread" and e["ok"]]
    assert rereads and set(FEATURES) <= set(rereads[-1]["features"])
    report = result.results_ending("Report the failover")["dr"]["msg"]
    assert "dr now serves as LICSRV01" in report[0]

    again = run_failover(fleet, backups, tmp_path, ctxlic_dr_primary_confirmed_down=True)
    assert_ok(again)
    assert again.stats()["dr"]["changed"] == 0
    restored = again.results_ending("Restore the verified backup, reread and check the served features")["dr"]
    assert restored["reread"] is None


RESTORE = "Restore the verified backup, reread and check the served features"


def test_files_restored_without_a_reread_are_reread_by_the_next_run(make_fleet, tmp_path):
    """A run that restored the files but did not reread them leaves them unchanged for the next run to find."""
    fleet = make_fleet([primary(), dr(faults={"lmreread_fail": True})])
    backups = tmp_path / "backups"
    assert_ok(run_backup(fleet, backups))
    destroy_primary(fleet)
    failed = run_failover(fleet, backups, tmp_path, ctxlic_dr_primary_confirmed_down=True)
    assert_refused(failed, RESTORE, "did not reread them")
    served = fleet.host_root("dr") / ".lab" / "served.json"
    assert not set(FEATURES) & set(json.loads(served.read_text(encoding="utf-8")))
    fleet.state("dr").set_faults({})

    def rereads() -> int:
        return sum(1 for e in fleet.state("dr").events() if e["kind"] == "lmreread")

    before = (snapshot(fleet, "dr"), rereads())
    checked = run_failover(fleet, backups, tmp_path, check=True, ctxlic_dr_primary_confirmed_down=True)
    assert_ok(checked)
    planned = checked.results_ending(RESTORE)["dr"]
    assert planned["changed"] is True and planned["reread"] is None
    assert "would reread" in planned["msg"] and "XDT_ENT_UD, XDT_PLT_UD" in planned["msg"]
    assert (snapshot(fleet, "dr"), rereads()) == before

    result = run_failover(fleet, backups, tmp_path, ctxlic_dr_primary_confirmed_down=True)
    assert_ok(result)
    restore = result.results_ending(RESTORE)["dr"]
    assert {f["operation"] for f in restore["files"]} <= {"unchanged", "skip"}, "the files were already in place"
    assert restore["changed"] is True and restore["reread"]["ok"] is True
    assert "lmstat -a did not list XDT_ENT_UD, XDT_PLT_UD" in restore["msg"]
    assert restore["missing_features"] == [] and set(FEATURES) <= set(restore["served_features"])

    count = rereads()
    again = run_failover(fleet, backups, tmp_path, ctxlic_dr_primary_confirmed_down=True)
    assert_ok(again)
    assert again.stats()["dr"]["changed"] == 0 and rereads() == count
    settled = again.results_ending(RESTORE)["dr"]
    assert settled["reread"] is None and settled["missing_features"] == []
    assert set(FEATURES) <= set(settled["served_features"]), "verified from the lmstat read at the start"


def test_failover_to_a_host_named_in_another_case_is_refused_before_anything_changes(make_fleet, tmp_path):
    fleet = make_fleet([primary(), dr(hostname="licsrv01")])
    backups = tmp_path / "backups"
    assert_ok(run_backup(fleet, backups))
    dr_before, primary_before = snapshot(fleet, "dr"), snapshot(fleet, "primary")
    events_before = len(fleet.state("primary").events())
    result = run_failover(fleet, backups, tmp_path, ctxlic_dr_primary_confirmed_down=True)
    msg = assert_refused(
        result,
        "Verify the backup and the DR host before anything changes",
        "'licsrv01'",
        "'LICSRV01'",
        "differ only in case",
        "case-sensitive",
        "nothing was changed",
    )
    assert "computer_name" in msg  # the License Server is not installed yet: the Windows computer name decides
    assert snapshot(fleet, "dr") == dr_before
    assert snapshot(fleet, "primary") == primary_before
    assert fleet.state("primary").events()[events_before:] == []  # the primary was not even stopped
    assert not result.ran("Make sure the primary License Server no longer serves")


def test_failover_while_the_primary_answers_stops_it_before_installing(make_fleet, tmp_path):
    fleet = make_fleet([primary(), dr()])
    backups = tmp_path / "backups"
    assert_ok(run_backup(fleet, backups))
    dr_before, primary_before = snapshot(fleet, "dr"), snapshot(fleet, "primary")

    checked = run_failover(fleet, backups, tmp_path, check=True)
    assert_ok(checked)
    assert checked.results_ending("Make sure the primary License Server no longer serves")["dr"]["stopped"] == [
        "Citrix Licensing",
        "CitrixWebServicesforLicensing",
    ]
    assert snapshot(fleet, "dr") == dr_before and snapshot(fleet, "primary") == primary_before

    result = run_failover(fleet, backups, tmp_path)
    assert_ok(result)
    services = fleet.state("primary").services
    assert services["Citrix Licensing"]["state"] == "stopped"
    assert services["CitrixWebServicesforLicensing"]["state"] == "stopped"
    stops = {
        e["name"]: e["seq"]
        for e in fleet.state("primary").events()
        if e["kind"] == "service" and e["state"] == "stopped"
    }
    [install] = [e for e in fleet.state("dr").events() if e["kind"] == "install"]
    assert stops["Citrix Licensing"] < install["seq"] and stops["CitrixWebServicesforLicensing"] < install["seq"]
    assert install["version"] == V49
    stopped = result.results_ending("Make sure the primary License Server no longer serves")["dr"]
    assert stopped["reachable"] is True and stopped["stopped"] == ["Citrix Licensing", "CitrixWebServicesforLicensing"]
    restore = result.results_ending("Restore the verified backup, reread and check the served features")["dr"]
    assert restore["missing_features"] == [] and set(FEATURES) <= set(restore["served_features"])


def test_tampered_backup_is_refused_and_an_older_verified_one_can_be_named(make_fleet, tmp_path):
    fleet = make_fleet([primary(), dr()])
    backups = tmp_path / "backups"
    assert_ok(run_backup(fleet, backups))
    myfiles = fleet.path("primary", MYFILES)
    (myfiles / "FID_newer.lic").write_bytes((myfiles / "FID_platinum.lic").read_bytes())
    assert_ok(run_backup(fleet, backups))
    older, newest = generations(backups)
    tampered = newest / "MyFiles" / "FID_enterprise.lic"
    tampered.write_bytes(tampered.read_bytes().replace(b"50", b"99"))
    dr_before, primary_before = snapshot(fleet, "dr"), snapshot(fleet, "primary")

    result = run_failover(fleet, backups, tmp_path)
    msg = assert_refused(
        result,
        "Verify the backup and the DR host before anything changes",
        "failed verification",
        "FID_enterprise.lic does not match the manifest",
        older.name,
    )
    assert "nothing was changed" in msg
    assert snapshot(fleet, "dr") == dr_before and snapshot(fleet, "primary") == primary_before

    result = run_failover(fleet, backups, tmp_path, ctxlic_dr_generation=older.name)
    assert_ok(result)
    assert (
        result.results_ending("Restore the verified backup, reread and check the served features")["dr"]["generation"]
        == older.name
    )
    assert not fleet.path("dr", MYFILES + r"\FID_newer.lic").exists()


def test_failover_refuses_an_installer_older_than_the_primary(make_fleet, tmp_path):
    fleet = make_fleet([primary(version="11.17.2.0 build 51000"), dr()])
    backups = tmp_path / "backups"
    assert_ok(run_backup(fleet, backups))
    dr_before = snapshot(fleet, "dr")
    result = run_failover(fleet, backups, tmp_path)
    assert_refused(
        result,
        "Verify the backup and the DR host before anything changes",
        "installer version 11.17.2.0 build 49000 is older than the primary's 11.17.2.0 build 51000",
    )
    assert snapshot(fleet, "dr") == dr_before
    assert fleet.state("primary").services["Citrix Licensing"]["state"] == "running"


def test_clustered_failover_uses_the_client_access_point_and_leaves_installation_to_the_operator(make_fleet, tmp_path):
    cap = "LICCLUSTER"
    fleet = make_fleet(
        [primary(hostname=cap), HostSpec("dr", hostname=cap, version=V45), HostSpec("dr2", hostname=cap, version=None)]
    )
    for host in ("primary", "dr"):
        fleet.state(host).update_host(cluster_access_point=cap)
    backups = tmp_path / "backups"
    assert_ok(run_backup(fleet, backups, ctxlic_dr_cluster_access_point=cap))
    manifest = json.loads((generations(backups)[0] / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["ls_hostname"] == cap and manifest["ls_hostname_source"] == "cluster_access_point"

    bare = snapshot(fleet, "dr2")
    refused = fleet.run(
        FAILOVER,
        extra_vars={
            "ctxlic_dr_host": "dr2",
            "ctxlic_dr_primary_host": "primary",
            "ctxlic_dr_backup_dir": str(backups),
            "ctxlic_dr_cluster_access_point": cap,
            "ctxlic_dr_installer": installer(tmp_path, V49),
            "ctxlic_dr_installer_version": V49,
        },
    )
    assert refused.rc != 0
    msg = refused.results_ending("Verify the backup and the DR host before anything changes")["dr2"]["msg"]
    assert "Last Node in the Cluster" in msg and "does not automate" in msg
    assert snapshot(fleet, "dr2") == bare

    result = run_failover(fleet, backups, tmp_path, ctxlic_dr_cluster_access_point=cap)
    assert_ok(result)
    restore = result.results_ending("Restore the verified backup, reread and check the served features")["dr"]
    assert restore["identity"] == {"hostname": cap, "source": "cluster_access_point"}
    assert restore["reread"]["argv"][1:] == ["-c", f"@{cap}", "-all"]
    assert restore["missing_features"] == []
    assert not result.ran("Install, upgrade or uninstall the Citrix License Server")
