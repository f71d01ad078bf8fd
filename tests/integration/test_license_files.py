# Copyright: (c) 2026, ctxlic maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""End to end: license_file / reread / license_plan modules and the license_files role on lab hosts.

Dates are far from the lab clock (2026-11-22) on purpose: expired lines end in 2025, valid ones
in 2028 or later, so the outcome does not depend on the day the tests run.
"""

from __future__ import annotations

import hashlib
from datetime import date
from pathlib import Path


from ansible_collections.ctxlic.license_server.plugins.plugin_utils.lab import licgen
from ansible_collections.ctxlic.license_server.plugins.plugin_utils.lab.fleet import HostSpec
from ansible_collections.ctxlic.license_server.plugins.plugin_utils.lab.layout import DEFAULT_INSTALL_DIR
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._store.host_folder import folder_name

from module_docs import module_returns

from .conftest import MYFILES, one_task_play, play, task

REPO = Path(__file__).resolve().parents[2]
EXPIRED = date(2025, 6, 1)
VALID = date(2028, 12, 31)


def lic(hostname: str, feature: str = "XDT_PLT_UD", count: int = 10, *, expiry: date | None = VALID,
        serial: str = "SN-1") -> str:
    return licgen.license_text([hostname], [{"feature": feature, "count": count, "expiry": expiry, "serial": serial}])


def lic_lines(hostname: str, lines: list[dict]) -> str:
    """A license file with SUPERSEDE / START where needed (licgen has neither)."""
    out = ["# lab license file", f"SERVER this_host HOSTNAME={hostname}", "VENDOR CITRIX", "USE_SERVER"]
    for item in lines:
        expiry = "permanent" if item.get("expiry") is None else licgen.flex_date(item["expiry"])
        attrs = f"\tDUP_GROUP=V ISSUED={licgen.flex_date(item.get('issued', date(2025, 1, 15)))}"
        if item.get("start"):
            attrs += f" START={licgen.flex_date(item['start'])}"
        if item.get("supersede"):
            attrs += f' SUPERSEDE="{item["supersede"]}"'
        sign = hashlib.sha256(f"{item['feature']}{item['serial']}".encode()).hexdigest().upper()[:24]
        out += [f"INCREMENT {item['feature']} CITRIX 2027.0101 {expiry} {item.get('count', 10)} \\",
                "\tVENDOR_STRING=;LT=Retail;GP=720;CL=VDS,VDA;SA=0;ODP=0 \\",
                f"{attrs} SN={item['serial']} \\",
                f'\tSIGN="{" ".join(sign[i:i + 4] for i in range(0, 24, 4))}"']
    return "\r\n".join(out) + "\r\n"


def write_src(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / "src" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text.encode())
    return path


def documented(module: str) -> set[str]:
    return set(module_returns(module))


def undocumented(result: dict, module: str) -> set[str]:
    """Keys a module returned that its RETURN does not document (Ansible's own keys excepted)."""
    return set(result) - documented(module) - {"_ansible_no_log", "action", "invocation", "failed", "diff"}


VALIDATE = "Validate every license file against the License Server before changing anything"


def lmrereads(events: list[dict]) -> list[dict]:
    return [e for e in events if e["kind"] == "lmreread"]


def service_events(events: list[dict]) -> list[dict]:
    return [e for e in events if e["kind"] == "service" and e["name"] == "Citrix Licensing"]


def myfiles(fleet, host: str) -> set[str]:
    return {p.name for p in fleet.path(host, MYFILES).iterdir()}


def test_deploy_rerun_replace_with_backup(make_fleet, tmp_path):
    fleet = make_fleet([HostSpec("ls01")])
    src = write_src(tmp_path, "FID_a.lic", lic("LS01", serial="A-1"))
    deploy = one_task_play("license_file", {"src": str(src)})
    start = len(fleet.state("ls01").events())

    first = fleet.run(deploy).task_results("t")["ls01"]
    assert first["changed"] is True and not first.get("failed"), first["msg"]
    assert first["operation"] == "create"
    assert fleet.path("ls01", MYFILES + r"\FID_a.lic").read_bytes() == src.read_bytes()
    assert first["reread"]["ok"] is True and first["reread"]["argv"][1:] == ["-c", "@localhost", "-all"]
    assert first["reread"]["argv"][0] == DEFAULT_INSTALL_DIR + r"\LS\lmreread.exe"
    assert first["features"] == [{"feature": "XDT_PLT_UD", "count": 10, "expiry": "2028-12-31",
                                  "css_date": "2027-01-01", "serial": "A-1", "friendly_name": "XDT_PLT_UD"}]
    assert first["ls_host"]["hostname"] == "LS01" and first["ls_host"]["hostname_source"] == "lmhostid"
    assert first["checksum"] == hashlib.sha1(src.read_bytes()).hexdigest()
    assert undocumented(first, "license_file") == set()
    rereads = lmrereads(fleet.state("ls01").events()[start:])
    assert len(rereads) == 1 and "XDT_PLT_UD" in rereads[0]["features"]

    # Same content again: nothing written, no reread.
    mark = len(fleet.state("ls01").events())
    second = fleet.run(deploy).task_results("t")["ls01"]
    assert second["changed"] is False and second["operation"] == "unchanged" and second["reread"] is None
    assert lmrereads(fleet.state("ls01").events()[mark:]) == []

    # New content under the same name: replaced, the old file kept as a backup on the host.
    src.write_bytes(lic("LS01", count=25, serial="A-2").encode())
    third = fleet.run(deploy).task_results("t")["ls01"]
    assert third["changed"] is True and third["operation"] == "replace", third["msg"]
    backup = third["backup_file"]
    assert backup and backup.startswith(MYFILES + "\\") and not backup.endswith(".lic")
    assert b"SN=A-1" in fleet.path("ls01", backup).read_bytes()
    assert b"SN=A-2" in fleet.path("ls01", MYFILES + r"\FID_a.lic").read_bytes()


def test_content_option_and_mac_binding(make_fleet):
    fleet = make_fleet([HostSpec("ls01", macs=["00:15:5d:aa:bb:01"])])
    text = licgen.license_text([], [{"feature": "XDT_ENT_UD", "count": 3, "expiry": VALID, "serial": "M-1"}],
                               mac="00-15-5D-AA-BB-01")
    res = fleet.run(one_task_play("license_file", {"name": "FID_mac.lic", "content": text}))
    res = res.task_results("t")["ls01"]
    assert res["changed"] is True and not res.get("failed"), res["msg"]
    assert res["binding"]["kind"] == "mac" and res["ls_host"]["macs_source"] == "lmhostid"
    assert "XDT_ENT_UD" in lmrereads(fleet.state("ls01").events())[-1]["features"]


def test_without_lmhostid_the_computer_name_and_adapter_macs_are_used(make_fleet):
    fleet = make_fleet([HostSpec("ls01", macs=["00:15:5d:aa:bb:02"]), HostSpec("bare", version=None)])
    fleet.path("ls01", DEFAULT_INSTALL_DIR + r"\LS\lmhostid.exe").unlink()
    by_name = lic("LS01", serial="N-1")
    by_mac = licgen.license_text([], [{"feature": "XDT_ENT_UD", "count": 3, "expiry": VALID, "serial": "M-2"}],
                                 mac="00155DAABB02")
    result = fleet.run(play(
        task("by name", "license_file", {"name": "FID_name.lic", "content": by_name}, ignore_errors=True),
        task("by mac", "license_file", {"name": "FID_mac.lic", "content": by_mac}, ignore_errors=True),
    ))
    named, mac = result.task_results("by name")["ls01"], result.task_results("by mac")["ls01"]
    assert named["changed"] is True and named["ls_host"]["hostname_source"] == "computer_name", named["msg"]
    assert mac["changed"] is True and mac["ls_host"]["macs_source"] == "collect", mac["msg"]
    bare = result.task_results("by name")["bare"]
    assert bare["failed"] is True and "not installed" in bare["msg"] and "Traceback" not in result.stdout


def test_file_for_another_host_or_other_case_is_refused(make_fleet, tmp_path):
    fleet = make_fleet([HostSpec("ls01", hostname="LS01")])
    other = write_src(tmp_path, "FID_other.lic", lic("LS99", serial="O-1"))
    case = write_src(tmp_path, "FID_case.lic", lic("ls01", serial="C-1"))
    start = len(fleet.state("ls01").events())
    result = fleet.run(play(
        task("other", "license_file", {"src": str(other)}, ignore_errors=True),
        task("case", "license_file", {"src": str(case)}, ignore_errors=True),
    ))
    for name, code in (("other", "binding_hostname_mismatch"), ("case", "binding_hostname_case")):
        res = result.task_results(name)["ls01"]
        assert res["failed"] is True and res["changed"] is False
        assert "nothing was written" in res["msg"]
        assert code in [f["code"] for f in res["findings"] if f["severity"] == "error"]
    assert "differ only in case" in result.task_results("case")["ls01"]["msg"]
    assert not {"FID_other.lic", "FID_case.lic"} & myfiles(fleet, "ls01")
    assert lmrereads(fleet.state("ls01").events()[start:]) == []
    # force overrides a binding error (and says so), never a protected name.
    forced = fleet.run(one_task_play("license_file", {"src": str(case), "force": True})).task_results("t")
    assert forced["ls01"]["changed"] is True
    assert [f["severity"] for f in forced["ls01"]["findings"]] == ["overridden"]
    startup = write_src(tmp_path, "Citrix_Startup.LIC", lic("LS01"))
    res = fleet.run(one_task_play("license_file", {"src": str(startup), "name": "Citrix_Startup.lic",
                                                   "force": True})).task_results("t")["ls01"]
    assert res["failed"] is True and "file_name_protected" in [f["code"] for f in res["findings"]]


def test_lmreread_failure_is_reported_and_the_file_stays(make_fleet, tmp_path):
    fleet = make_fleet([HostSpec("ls01", faults={"lmreread_fail": True})])
    src = write_src(tmp_path, "FID_a.lic", lic("LS01"))
    res = fleet.run(one_task_play("license_file", {"src": str(src)})).task_results("t")["ls01"]
    assert res["failed"] is True and res["changed"] is True
    assert res["reread"]["ok"] is False and res["reread"]["rc"] == 1
    assert "License server system does not support this feature" in res["reread"]["stderr"]
    assert "License server system does not support this feature" in res["msg"]
    assert "stays there" in res["msg"]
    assert "FID_a.lic" in myfiles(fleet, "ls01")
    alone = fleet.run(one_task_play("reread")).task_results("t")["ls01"]
    assert alone["failed"] is True and "lmreread failed" in alone["msg"]


def test_reread_module_runs_alone_and_skips_in_check_mode(make_fleet):
    fleet = make_fleet([HostSpec("ls01")])
    fleet.state("ls01").update_host(cluster_access_point="LSCLUSTER")
    start = len(fleet.state("ls01").events())
    checked = fleet.run(one_task_play("reread"), check=True).task_results("t")["ls01"]
    assert checked["changed"] is True and checked["reread"] is None
    assert lmrereads(fleet.state("ls01").events()[start:]) == []
    res = fleet.run(one_task_play("reread", {"cluster_access_point": "@LSCLUSTER"})).task_results("t")
    assert res["ls01"]["changed"] is True and res["ls01"]["reread"]["ok"] is True
    assert undocumented(res["ls01"], "reread") == set()
    assert lmrereads(fleet.state("ls01").events()[start:])[0]["argv"][1:] == ["-c", "@LSCLUSTER", "-all"]


def test_removal_follows_the_documented_steps(make_fleet, tmp_path):
    fleet = make_fleet([HostSpec("ls01", licenses=[
        {"file": "FID_a.lic", "features": [{"feature": "XDT_PLT_UD", "count": 10, "expiry": VALID, "serial": "A"}]},
        {"file": "FID_b.lic", "features": [{"feature": "XDT_PLT_UD", "count": 20, "expiry": VALID, "serial": "B"}]},
    ])])
    backups = tmp_path / "backups"
    start = len(fleet.state("ls01").events())
    res = fleet.run(one_task_play("license_file", {"name": "FID_a.lic", "state": "absent",
                                                   "backup_dir": str(backups)}), diff=True).task_results("t")["ls01"]
    assert res["changed"] is True and not res.get("failed"), res["msg"]
    events = service_events(fleet.state("ls01").events()[start:])
    assert [e["state"] for e in events] == ["stopped", "running"]
    stopped, started = events
    assert "FID_a.lic" in stopped["myfiles"] and "FID_a.old" not in stopped["myfiles"]
    assert "FID_a.old" in started["myfiles"] and "FID_a.lic" not in started["myfiles"]
    assert not {"FID_a.lic", "FID_a.old"} & myfiles(fleet, "ls01")
    assert undocumented(res, "license_file") == set()
    assert {"FID_b.lic", "citrix_startup.lic", "CITRIX.opt"} <= myfiles(fleet, "ls01")
    assert res["steps"] == ["stopped Citrix Licensing", "renamed FID_a.lic to FID_a.old", "started Citrix Licensing",
                            "deleted FID_a.old"]
    backup = Path(res["backup_file"])
    assert backup.parent.parent == backups / folder_name("ls01") and backup.name == "FID_a.lic"
    assert b"SN=A" in backup.read_bytes()
    # The file still had live lines: allowed (another file covers the feature) but warned about.
    assert "not_all_lines_obsolete" in [f["code"] for f in res["findings"]]
    assert "XDT_PLT_UD: count=10" in res["diff"]["before"] and res["diff"]["after"] == ""
    again = fleet.run(one_task_play("license_file", {"name": "FID_a.lic", "state": "absent"}))
    assert again.task_results("t")["ls01"]["changed"] is False


def test_protected_and_last_files_are_not_removed(make_fleet):
    fleet = make_fleet([HostSpec("ls01", licenses=[
        {"file": "FID_only.lic", "features": [{"feature": "XDT_PLT_UD", "count": 10, "expiry": VALID, "serial": "O"}]},
    ])])
    before = myfiles(fleet, "ls01")
    start = len(fleet.state("ls01").events())
    names = ["citrix_startup.lic", "Citrix_Startup.LIC", "CITRIX.opt", "citrix.OPT", "FID_only.lic"]
    result = fleet.run(play(
        task("remove", "license_file", {"name": "{{ item }}", "state": "absent"}, loop=names, ignore_errors=True)
    ))
    items = result.task_results("remove")["ls01"]["results"]
    assert all(item["failed"] and not item["changed"] for item in items)
    assert all("file_name_protected" in [f["code"] for f in item["findings"]] for item in items[:4])
    assert "removal_loses_feature" in [f["code"] for f in items[4]["findings"]]
    assert "XDT_PLT_UD" in items[4]["msg"]
    assert myfiles(fleet, "ls01") == before
    assert service_events(fleet.state("ls01").events()[start:]) == []


def test_check_mode_changes_nothing_and_diff_hides_signatures(make_fleet, tmp_path):
    fleet = make_fleet([HostSpec("ls01", licenses=[
        {"file": "FID_old.lic", "features": [{"feature": "XDT_ENT_UD", "count": 5, "expiry": EXPIRED, "serial": "E"}]},
    ])])
    new_text = lic("LS01", count=42, serial="N-1")
    src = write_src(tmp_path, "FID_new.lic", new_text)
    tree = {p: p.read_bytes() for p in fleet.host_root("ls01").joinpath("fs").rglob("*") if p.is_file()}
    start = len(fleet.state("ls01").events())
    result = fleet.run(play(
        task("add", "license_file", {"src": str(src)}),
        task("remove", "license_file", {"name": "FID_old.lic", "state": "absent"}),
        task("reread", "reread"),
    ), check=True, diff=True)
    assert result.rc == 0, result.stdout[-3000:]
    add, remove = result.task_results("add")["ls01"], result.task_results("remove")["ls01"]
    assert add["changed"] is True and add["reread"] is None and "check mode" in add["msg"]
    assert remove["changed"] is True and remove["steps"] == [] and remove["backup_file"] is None
    after = {p: p.read_bytes() for p in fleet.host_root("ls01").joinpath("fs").rglob("*") if p.is_file()}
    assert after == tree
    assert fleet.state("ls01").events()[start:] == []
    diff = add["diff"]
    assert diff["before"] == "" and "XDT_PLT_UD: count=42 expiry=2028-12-31" in diff["after"]
    assert "serial=N-1" in diff["after"]
    sign = new_text.split('SIGN="', 1)[1].split('"', 1)[0]
    for text in (diff["after"], remove["diff"]["before"], str(add["features"])):
        assert "SIGN" not in text and sign not in text and sign.split()[0] not in text
    assert "XDT_ENT_UD: count=5 expiry=2025-06-01" in remove["diff"]["before"] and remove["diff"]["after"] == ""


def role_play(src_dir: Path, **extra) -> str:
    lines = "".join(f"    {key}: {value}\n" for key, value in extra.items())
    return f"""
- hosts: all
  gather_facts: false
  vars:
    ctxlic_license_files_src_dir: {src_dir}
{lines}  roles:
    - role: ctxlic.license_server.license_files
"""


def test_role_deploys_a_directory_and_rereads_once(make_fleet, tmp_path):
    fleet = make_fleet([HostSpec("ls01"), HostSpec("ls02")])
    src_dir = tmp_path / "licenses"
    src_dir.mkdir()
    for index, feature in enumerate(("XDT_PLT_UD", "XDT_ENT_UD", "MPS_ADV_CCU")):
        # The same names on both hosts would need per-host directories; one host name is enough here.
        (src_dir / f"FID_{index}.lic").write_text(lic("LS01", feature, serial=f"R-{index}"), encoding="utf-8")
    starts = {h: len(fleet.state(h).events()) for h in ("ls01", "ls02")}
    result = fleet.run(REPO / "playbooks" / "deploy_licenses.yml", limit="ls01",
                       extra_vars={"ctxlic_license_files_src_dir": str(src_dir), "ctxlic_target_hosts": "all"})
    assert result.rc == 0, result.stdout[-3000:]
    assert {"FID_0.lic", "FID_1.lic", "FID_2.lic"} <= myfiles(fleet, "ls01")
    rereads = lmrereads(fleet.state("ls01").events()[starts["ls01"]:])
    assert len(rereads) == 1 and {"XDT_PLT_UD", "XDT_ENT_UD", "MPS_ADV_CCU"} <= set(rereads[0]["features"])

    # Second run: nothing to do, no reread.
    mark = len(fleet.state("ls01").events())
    again = fleet.run(role_play(src_dir), limit="ls01")
    assert again.rc == 0 and again.stats()["ls01"]["changed"] == 0, again.stdout[-3000:]
    assert lmrereads(fleet.state("ls01").events()[mark:]) == []

    # ls02 is another host name: every file is refused in the validation pass, nothing is written.
    refused = fleet.run(role_play(src_dir), limit="ls02")
    assert refused.rc != 0
    plan = refused.results_ending(VALIDATE)
    assert plan["ls02"]["failed"] is True and len(plan["ls02"]["refused"]) == 3
    assert not {"FID_0.lic", "FID_1.lic", "FID_2.lic"} & myfiles(fleet, "ls02")
    assert fleet.state("ls02").events()[starts["ls02"]:] == []


def test_role_validates_all_files_before_writing_any(make_fleet, tmp_path):
    fleet = make_fleet([HostSpec("ls01")])
    src_dir = tmp_path / "licenses"
    src_dir.mkdir()
    (src_dir / "FID_good.lic").write_text(lic("LS01", serial="G"), encoding="utf-8")
    (src_dir / "FID_copied.lic.txt").write_text(lic("LS01", "XDT_ENT_UD", serial="T"), encoding="utf-8")
    result = fleet.run(role_play(src_dir))
    assert result.rc != 0
    plan = result.results_ending(VALIDATE)
    assert plan["ls01"]["refused"] == ["FID_copied.lic.txt"] and ".txt" in plan["ls01"]["msg"]
    assert "FID_good.lic" not in myfiles(fleet, "ls01")


def test_role_prune_removes_obsolete_files_and_keeps_the_last_file_for_a_feature(make_fleet, tmp_path):
    fleet = make_fleet([HostSpec("ls01")])
    files = {
        "FID_expired.lic": lic("LS01", "XDT_ENT_UD", expiry=EXPIRED, serial="X-1"),
        "FID_old_std.lic": lic_lines("LS01", [{"feature": "MPS_STD_CCU", "serial": "S-1", "expiry": None}]),
        "FID_last.lic": lic_lines("LS01", [{"feature": "XDT_ADV_UD", "serial": "L-1", "expiry": None}]),
        "FID_future.lic": lic_lines("LS01", [{"feature": "XDT_ADV_UD", "serial": "F-1", "expiry": None,
                                              "supersede": "XDT_ADV_UD", "issued": date(2026, 6, 1),
                                              "start": date(2030, 1, 1)}]),
        "FID_otherhost.lic": lic("OTHERHOST", "XDT_ENT_UD", expiry=EXPIRED, serial="H-1"),
    }
    for name, text in files.items():
        fleet.path("ls01", MYFILES + "\\" + name).write_bytes(text.encode())
    src_dir = tmp_path / "licenses"
    src_dir.mkdir()
    (src_dir / "FID_upgrade.lic").write_bytes(lic_lines("LS01", [
        {"feature": "MPS_ENT_CCU", "serial": "U-1", "expiry": None, "supersede": "MPS_STD_CCU",
         "issued": date(2026, 6, 1)}]).encode())
    backups = tmp_path / "backups"
    start = len(fleet.state("ls01").events())
    result = fleet.run(role_play(src_dir, ctxlic_license_files_prune=True, ctxlic_license_files_backup_dir=backups))
    assert result.rc == 0, result.stdout[-4000:]
    plan = result.results_ending(VALIDATE)
    assert plan["ls01"]["prune"] == ["FID_expired.lic", "FID_old_std.lic"]
    assert undocumented(plan["ls01"], "license_plan") == set()
    assert {item["name"] for item in plan["ls01"]["prune_skipped"]} == {"FID_otherhost.lic"}
    present = myfiles(fleet, "ls01")
    assert not {"FID_expired.lic", "FID_old_std.lic", "FID_expired.old", "FID_old_std.old"} & present
    assert {"FID_last.lic", "FID_future.lic", "FID_otherhost.lic", "FID_upgrade.lic", "citrix_startup.lic",
            "CITRIX.opt"} <= present
    assert sorted(p.name for p in backups.rglob("*.lic")) == ["FID_expired.lic", "FID_old_std.lic"]
    events = fleet.state("ls01").events()[start:]
    assert len(lmrereads(events)) == 1
    # New file in place before anything was removed (seed 004), and each removal stopped/started the service.
    first_stop = next(i for i, e in enumerate(events) if e["kind"] == "service" and e["state"] == "stopped")
    assert "FID_upgrade.lic" in events[first_stop]["myfiles"]
    assert [e["state"] for e in service_events(events)] == ["stopped", "running", "stopped", "running"]


def test_role_deploys_files_bound_to_the_cluster_access_point(make_fleet, tmp_path):
    """Citrix Licensing 11.17.2 build 49000 documentation, Clustered License Servers (seed 004 ~4644): a cluster's
    license files name the client access point as the host name; the role must accept them there, and only there."""
    fleet = make_fleet([HostSpec("ls01")])
    fleet.state("ls01").update_host(cluster_access_point="LSCLUSTER")
    src_dir = tmp_path / "licenses"
    src_dir.mkdir()
    (src_dir / "FID_cap.lic").write_text(lic("LSCLUSTER", "XDT_PLT_UD", serial="CAP-1"), encoding="utf-8")
    node_only = fleet.run(role_play(src_dir), limit="ls01")
    assert node_only.rc != 0 and "FID_cap.lic" not in myfiles(fleet, "ls01")
    vars_ = {"ctxlic_license_files_src_dir": str(src_dir), "ctxlic_target_hosts": "all",
             "ctxlic_license_files_cluster_access_point": "LSCLUSTER"}
    result = fleet.run(REPO / "playbooks" / "deploy_licenses.yml", limit="ls01", extra_vars=vars_)
    assert result.rc == 0, result.stdout[-3000:]
    assert "FID_cap.lic" in myfiles(fleet, "ls01")
    rereads = lmrereads(fleet.state("ls01").events())
    assert rereads[-1]["argv"][1:] == ["-c", "@LSCLUSTER", "-all"] and "XDT_PLT_UD" in rereads[-1]["features"]
    planned = fleet.run(one_task_play("license_plan", {"src": [str(src_dir / "FID_cap.lic")],
                                                       "cluster_access_point": "LSCLUSTER000001"}))
    planned = planned.task_results("t")["ls01"]
    assert planned["failed"] is True  # bound to LSCLUSTER, not to the (too long) access point given
    assert any("fewer than 15 characters" in w for w in planned.get("warnings", []))
