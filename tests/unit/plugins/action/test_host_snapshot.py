# Copyright: (c) 2026, ctxlic maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The host snapshot (issue 18 item 1): modules reuse the ``info`` gather of the play instead of reading again.

Each test runs a module twice on the same fake License Server, once without and once with the fact
``ctxlic_host_snapshot``: the results are the same and the second run's call log (``FakeHost.log``) shows the
reads the snapshot saved.
"""

from __future__ import annotations

import base64
import ntpath
from datetime import date

from fake_host import FakeHost, ok
from ls_server import INSTALL, LMHOSTID, MYFILES, SERVICES, license_file, runs, server

from ansible_collections.ctxlic.license_server.plugins.plugin_utils._host import snapshot

HOST = "ls1.example.test"  # the inventory name run_action gives every task
PROXY_XML = INSTALL + r"\WebServicesForLicensing\SimpleLicenseServiceConfig.xml"
LMS = INSTALL + r"\LS\ctx_license_management_service.exe"
LMSTAT_OUT = ("lmstat - Copyright (c) 1989-2023 Flexera.\n"
              "Users of XDT_PLT_UD:  (Total of 50 licenses issued;  Total of 0 licenses in use)\n")


def gathered(host: FakeHost, *, lms: str = "enabled", lmstat: str = LMSTAT_OUT) -> dict:
    """The raw gather ``info`` would return for ``host`` (the shape of ``COLLECT_INFO_PS`` and the lab's)."""
    def entry(path: str, data: bytes, content: bool) -> dict:
        item = {"path": path, "name": ntpath.basename(path), "size": len(data), "mtime": "2026-11-20T10:00:00+00:00"}
        if content:
            item["content_b64"] = base64.b64encode(data).decode()
        return item

    myfiles = [entry(path, data, path.lower().endswith(".lic")) for _key, (path, data) in sorted(host.files.items())
               if ntpath.dirname(path).lower() == MYFILES.lower()]
    config = host.content(PROXY_XML)
    return {
        "collector": "fake", "now": "2026-11-22T12:00:00+00:00", "computer_name": "LS01", "macs": [],
        "registry": {"Version": "11.17.2.0 build 45000", "LS_Install_Dir": INSTALL},
        "install_dir": INSTALL, "install_dir_exists": True,
        "services": [{"name": n, "exists": True, "state": "running", "start_mode": "auto"} for n in SERVICES],
        "lmhostid": {"rc": 0, "stdout": LMHOSTID.stdout, "stderr": ""},
        "management_service": {"path": LMS, "exists": True, "rc": 0, "stdout": f"License Management Service is {lms}\n",
                               "stderr": ""},
        "myfiles": myfiles, "upload_result": None,
        "proxy_config": entry(PROXY_XML, config, True) if config is not None else None,
        "pending": [], "lmstat": {"rc": 0, "stdout": lmstat, "stderr": ""}, "disk": None,
    }


def fact_for(host: FakeHost, **kwargs) -> dict:
    return snapshot.make_fact(gathered(host, **kwargs), host=HOST, play="", max_bytes=1048576)


def snapshot_vars(fact: dict) -> dict:
    return {"ansible_facts": {snapshot.FACT: fact}}


def reads(host: FakeHost) -> list[str]:
    return host.operations()


# -- info -----------------------------------------------------------------------------------------
def test_info_returns_its_gather_as_the_snapshot_fact(run_action, fake_host) -> None:
    host = server()
    raw = gathered(host)
    result = run_action("info", {}, fake_host(collect=raw))
    fact = result["ansible_facts"][snapshot.FACT]
    assert (fact["schema"], fact["valid"], fact["host"], fact["max_bytes"]) == (1, True, HOST, 1048576)
    assert fact["raw"] == raw and fact["install_dir"] == INSTALL
    assert result["snapshot_reused"] is False


def test_info_with_use_snapshot_answers_from_an_unchanged_snapshot_without_a_call(run_action, fake_host) -> None:
    raw = gathered(server())
    first = run_action("info", {}, fake_host(collect=raw))
    again = fake_host(collect=raw)
    second = run_action("info", {"use_snapshot": True}, again,
                        task_vars=snapshot_vars(first["ansible_facts"][snapshot.FACT]))
    assert again.operations() == [] and second["remote_calls"] == 0 and second["snapshot_reused"] is True
    assert second["server"] == first["server"]


def test_info_gathers_again_after_a_change_or_for_another_install_dir(run_action, fake_host) -> None:
    fact = fact_for(server())
    changed = snapshot.invalidated_fact(host=HOST, play="", reason="ctxlic.license_server.proxy changed the host")
    for task_vars, args in ((snapshot_vars(changed), {}),
                            (snapshot_vars(fact), {"install_dir": r"D:\Citrix\Licensing"}),
                            (snapshot_vars({**fact, "max_bytes": 10}), {})):
        host = fake_host(collect=fact["raw"])
        result = run_action("info", {"use_snapshot": True, **args}, host, task_vars=task_vars)
        assert host.operations() == ["collect"] and result["snapshot_reused"] is False, args


# -- reads the snapshot saves -----------------------------------------------------------------------
def test_license_plan_reads_nothing_from_the_host_with_a_snapshot(run_action, tmp_path) -> None:
    files = {MYFILES + r"\FID_old.lic": license_file(expiry=date(2027, 1, 31))}
    src = tmp_path / "FID_new.lic"
    src.write_bytes(license_file(expiry=date(2028, 1, 31)))
    args = {"src": [str(src)], "prune": True, "as_of": "2027-03-01"}
    plain = server(files)
    without = run_action("license_plan", args, plain)
    assert reads(plain) == ["registry_value", "find", "read_file", "read_file", "run"]  # 5 calls, as before
    host = server(files)
    with_snapshot = run_action("license_plan", args, host, task_vars=snapshot_vars(fact_for(host)))
    assert reads(host) == []
    assert {k: v for k, v in with_snapshot.items() if k != "invocation"} == \
        {k: v for k, v in without.items() if k != "invocation"}


def test_license_file_unchanged_reads_nothing_and_returns_no_fact(run_action, tmp_path) -> None:
    data = license_file()
    src = tmp_path / "FID_a.lic"
    src.write_bytes(data)
    host = server({MYFILES + r"\FID_a.lic": data})
    result = run_action("license_file", {"src": str(src), "reread": False}, host,
                        task_vars=snapshot_vars(fact_for(host)))
    assert result["changed"] is False and not result.get("failed"), result.get("msg")
    assert reads(host) == [] and "ansible_facts" not in result


def test_license_file_that_writes_invalidates_the_snapshot_and_reads_the_host_after_the_change(run_action, tmp_path):
    src = tmp_path / "FID_a.lic"
    src.write_bytes(license_file())
    host = server()
    result = run_action("license_file", {"src": str(src)}, host, task_vars=snapshot_vars(fact_for(host)))
    assert result["changed"] is True and not result.get("failed"), result.get("msg")
    # The target's checksum is read from the host (a new name may be a folder); the reread runs on the host.
    assert [op for op in reads(host) if op != "stat"] == ["write_file", "run"]
    assert runs(host) == [("lmreread.exe", "-c", "@localhost", "-all")]
    # What license_file can change is marked stale; the rest (registry, lmhostid, the proxy XML) still answers.
    fact = result["ansible_facts"][snapshot.FACT]
    assert fact["valid"] is True and fact["host"] == HOST
    assert fact["stale"] == sorted({snapshot.MYFILES, snapshot.SERVICES, snapshot.LMSTAT})


def test_reread_only_if_stale_answers_from_the_snapshot(run_action) -> None:
    host = server({MYFILES + r"\FID_a.lic": license_file()})
    result = run_action("reread", {"only_if_stale": True}, host, task_vars=snapshot_vars(fact_for(host)))
    assert result["changed"] is False, result
    assert reads(host) == []


def test_management_service_query_and_switch(run_action) -> None:
    host = server(**{"ctx_license_management_service.exe": [ok("License Management Service is enabled\n")]})
    host.files[LMS.lower()] = (LMS, b"exe")
    result = run_action("management_service", {"state": "enabled"}, host,
                        task_vars=snapshot_vars(fact_for(host, lms="enabled")))
    assert result["changed"] is False and result["enabled"] is True
    assert reads(host) == []  # was: registry, stat, -query

    switching = server(**{"ctx_license_management_service.exe": [ok("done\n"),
                                                                 ok("License Management Service is enabled\n")]})
    switching.files[LMS.lower()] = (LMS, b"exe")
    result = run_action("management_service", {"state": "enabled"}, switching,
                        task_vars=snapshot_vars(fact_for(switching, lms="disabled")))
    assert result["changed"] is True and not result.get("failed"), result.get("msg")
    # The confirming -query after -enable goes to the host: the snapshot predates the change.
    assert [args[0][1] for op, args in switching.log if op == "run"] == ["-enable", "-query"]
    assert result["ansible_facts"][snapshot.FACT]["stale"] == [snapshot.MANAGEMENT]


def test_proxy_unchanged_reads_nothing(run_action) -> None:
    xml = b'<?xml version="1.0"?>\n<Configurations>\n  <Proxy>proxy.lab:3128</Proxy>\n</Configurations>\n'
    host = server({PROXY_XML: xml})
    result = run_action("proxy", {"proxy": "proxy.lab:3128"}, host, task_vars=snapshot_vars(fact_for(host)))
    assert result["changed"] is False and not result.get("failed"), result.get("msg")
    assert reads(host) == []


def test_check_mode_plans_from_the_snapshot_and_keeps_it(run_action, tmp_path) -> None:
    src = tmp_path / "FID_a.lic"
    src.write_bytes(license_file())
    host = server()
    result = run_action("license_file", {"src": str(src)}, host, check_mode=True,
                        task_vars=snapshot_vars(fact_for(host)))
    assert result["changed"] is True and host.changes() == []
    assert "ansible_facts" not in result  # nothing changed, so the snapshot stays valid


# -- a snapshot that does not belong here is never used ----------------------------------------------
def test_a_snapshot_of_another_host_play_or_install_dir_or_disabled_is_not_used(run_action, tmp_path) -> None:
    files = {MYFILES + r"\FID_old.lic": license_file()}
    src = tmp_path / "FID_new.lic"
    src.write_bytes(license_file())
    base = fact_for(server(files))
    cases = [
        ({"ansible_facts": {snapshot.FACT: {**base, "host": "ls2.example.test"}}}, {}),
        ({"ansible_facts": {snapshot.FACT: {**base, "play": "another-play"}}}, {}),
        ({"ansible_facts": {snapshot.FACT: {**base, "schema": 99}}}, {}),
        ({"ansible_facts": {snapshot.FACT: {**base, "valid": False}}}, {}),
        (snapshot_vars(base), {"use_snapshot": False}),
    ]
    for task_vars, extra in cases:
        host = server(files)
        run_action("license_plan", {"src": [str(src)], **extra}, host, task_vars=task_vars)
        assert reads(host) == ["registry_value", "find", "read_file", "read_file", "run"], (task_vars, extra)
    # Another install directory: the registry answer is the host's, the paths under the other folder are not.
    host = server(files)
    run_action("license_plan", {"src": [str(src)], "install_dir": r"D:\Citrix\Licensing"}, host,
               task_vars=snapshot_vars(base))
    assert reads(host)[:1] == ["find"]


def test_a_module_without_the_snapshot_option_invalidates_the_snapshot_when_it_changes(run_action) -> None:
    from ansible_collections.ctxlic.license_server.plugins.plugin_utils._action.base import CtxlicAction

    class Changing(CtxlicAction):
        def run_module(self, args, task_vars):
            return {"changed": True}

    action = Changing.__new__(Changing)
    action._task = type("T", (), {"action": "x.y.z", "check_mode": False, "delegate_to": None})()
    action._ctxlic_host = None
    action._ctxlic_task_vars = {"inventory_hostname": HOST, **snapshot_vars({"schema": 1})}
    result = {"changed": True}
    action._invalidate_snapshot(result)
    assert result["ansible_facts"][snapshot.FACT]["valid"] is False


# -- stale parts -------------------------------------------------------------------------------------
def test_a_stale_part_is_read_from_the_host_and_the_rest_still_answers(run_action, tmp_path) -> None:
    files = {MYFILES + r"\FID_old.lic": license_file()}
    src = tmp_path / "FID_new.lic"
    src.write_bytes(license_file())
    host = server(files)
    after_write = snapshot.with_stale(fact_for(host), {snapshot.MYFILES, snapshot.SERVICES, snapshot.LMSTAT})
    run_action("license_plan", {"src": [str(src)]}, host, task_vars=snapshot_vars(after_write))
    assert reads(host) == ["find", "read_file", "read_file"]  # MyFiles again; registry and lmhostid from the snapshot

    lms = server(**{"ctx_license_management_service.exe": [ok("License Management Service is enabled\n")]})
    result = run_action("management_service", {"state": "enabled"}, lms, task_vars=snapshot_vars(after_write))
    assert result["changed"] is False and reads(lms) == []  # license files do not change the service's state
    assert "ansible_facts" not in result

    gather = server()
    info = run_action("info", {"use_snapshot": True}, FakeHost(collect=gathered(gather)),
                      task_vars=snapshot_vars(after_write))
    assert info["snapshot_reused"] is False  # something changed: the closing gather reads the host


def test_a_change_the_snapshot_cannot_place_invalidates_it() -> None:
    host = server()
    wrapped = snapshot.SnapshotHost(host, fact_for(host))
    wrapped.write_file(INSTALL + r"\LS\lmgrd.opt", b"x", backup=False)
    assert wrapped.untracked is True
    lock = snapshot.SnapshotHost(host, fact_for(host))
    lock.make_dir(r"C:\ProgramData\ctxlic")  # the host lock lives outside the install directory
    assert lock.mutated is True and lock.untracked is False and lock.changed_parts == set()
    reread = snapshot.SnapshotHost(host, fact_for(host))
    reread.run([INSTALL + r"\LS\lmreread.exe", "-c", "@localhost", "-all"])
    assert reread.changed_parts == {snapshot.LMSTAT} and not reread.untracked
    # After a change the rest of the task reads the host.
    assert reread.registry_value(r"HKLM\SOFTWARE\WOW6432Node\Citrix\LicenseServer\Install", "LS_Install_Dir") == INSTALL
    assert host.operations()[-1] == "registry_value"
