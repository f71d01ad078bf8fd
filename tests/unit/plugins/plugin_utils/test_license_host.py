"""Tests for the host-side license file steps, against a recording fake host (no Ansible, no lab)."""

from __future__ import annotations

import pytest

from ansible_collections.ctxlic.license_server.plugins.plugin_utils import license_host, license_plan
from ansible_collections.ctxlic.license_server.plugins.plugin_utils.errors import HostError
from ansible_collections.ctxlic.license_server.plugins.plugin_utils.host_access import FileInfo, RunResult, ServiceInfo

INSTALL = r"C:\Program Files (x86)\Citrix\Licensing"
LS = INSTALL + r"\LS"
MYFILES = INSTALL + r"\MyFiles"


class FakeHost:
    """Records every call; behaviour is set per test through attributes."""

    def __init__(self):
        self.calls: list[tuple] = []
        self.registry: dict = {}
        self.runs: dict[str, RunResult] = {}
        self.collected: dict = {}
        self.service_state = "running"
        self.fail_on: set[str] = set()
        self.files: dict[str, bytes] = {}

    def registry_value(self, key, name):
        self.calls.append(("registry", key, name))
        return self.registry.get(name)

    def run(self, argv, chdir=None, *, read_only=False):
        self.calls.append(("run", tuple(argv), chdir, read_only))
        if "run" in self.fail_on:
            raise HostError("cannot run")
        return self.runs.get(argv[-1], RunResult(argv=list(argv), rc=2, stderr="not found"))

    def collect(self, install_dir=None, max_bytes=0):
        self.calls.append(("collect", install_dir))
        return self.collected

    def service(self, name):
        self.calls.append(("service", name))
        return ServiceInfo(name=name, exists=self.service_state is not None, state=self.service_state)

    def set_service(self, name, state):
        self.calls.append(("set_service", name, state))
        if f"set_service:{state}" in self.fail_on:
            raise HostError(f"service {name} could not be {state}")
        return {"changed": True, "state": state}

    def rename(self, src, dest):
        self.calls.append(("rename", src, dest))
        if "rename" in self.fail_on:
            raise HostError("access denied")

    def remove(self, path):
        self.calls.append(("remove", path))
        return {"changed": True}

    def find(self, directory, patterns):
        self.calls.append(("find", directory, tuple(patterns)))
        return [FileInfo(path=path, exists=True) for path in self.files]

    def read_file(self, path):
        self.calls.append(("read", path))
        if "read" in self.fail_on:
            raise HostError("gone")
        return self.files.get(path)


def removal_plan() -> license_plan.RemovePlan:
    return license_plan.RemovePlan(name="FID_a.lic", path=MYFILES + r"\FID_a.lic", old_path=MYFILES + r"\FID_a.old",
                                   operation="remove")


def mutating(host: FakeHost) -> list[tuple]:
    return [call for call in host.calls if call[0] in ("set_service", "rename", "remove")]


def test_install_dir_from_option_or_registry():
    host = FakeHost()
    assert license_host.resolve_install_dir(host, "D:/LS/") == r"D:\LS"
    assert host.calls == []
    host.registry["LS_Install_Dir"] = INSTALL + "\\"
    assert license_host.resolve_install_dir(host, None) == INSTALL
    assert host.calls == [("registry", license_plan.INSTALL_REG_KEY, "LS_Install_Dir")]


def test_missing_registry_value_means_not_installed():
    with pytest.raises(HostError, match="not installed"):
        license_host.resolve_install_dir(FakeHost(), None)


def test_hostname_from_lmhostid_run_read_only_from_ls():
    host = FakeHost()
    host.runs["-hostname"] = RunResult(argv=[], rc=0, stdout='The FlexNet host ID of this machine is "HOSTNAME=Ls01"')
    probe = license_host.IdentityProbe(host, INSTALL)
    assert probe.hostname() == "Ls01" and probe.hostname() == "Ls01"
    assert host.calls == [("run", (LS + r"\lmhostid.exe", "-hostname"), LS, True)]
    assert probe.identity.to_dict()["hostname_source"] == "lmhostid"


@pytest.mark.parametrize("failure", ["missing", "raises", "empty"])
def test_hostname_falls_back_to_the_computer_name(failure: str):
    host = FakeHost()
    if failure == "raises":
        host.fail_on.add("run")
    elif failure == "empty":
        host.runs["-hostname"] = RunResult(argv=[], rc=0, stdout="no id here")
    host.collected = {"computer_name": "LS01", "macs": ["00:15:5D:00:00:01"]}
    probe = license_host.IdentityProbe(host, INSTALL)
    assert probe.hostname() == "LS01" and probe.identity.hostname_source == "computer_name"
    assert probe.macs() == ["00:15:5D:00:00:01"] and probe.identity.macs_source == "collect"
    assert [call[0] for call in host.calls].count("collect") == 1


def test_macs_from_lmhostid_ether():
    host = FakeHost()
    host.runs["-ether"] = RunResult(argv=[], rc=0, stdout='host ID of this machine is "00155d000001 00155d000002"')
    assert license_host.IdentityProbe(host, INSTALL).macs() == ["00155d000001", "00155d000002"]


def test_unknown_identity_stays_unknown():
    probe = license_host.IdentityProbe(FakeHost(), INSTALL)
    assert probe.hostname() is None and probe.macs() == []
    assert probe.identity.hostname_source == "none"


def test_read_installed_skips_the_planned_file_case_insensitively_and_tolerates_read_errors():
    host = FakeHost()
    host.files = {MYFILES + r"\B.lic": b"b", MYFILES + r"\a.lic": b"a", MYFILES + r"\FID_x.lic": b"x"}
    assert license_host.read_installed(host, INSTALL, exclude="fid_X.LIC") == [("a.lic", b"a"), ("B.lic", b"b")]
    host.fail_on.add("read")
    assert license_host.read_installed(host, INSTALL) == [("a.lic", None), ("B.lic", None), ("FID_x.lic", None)]


@pytest.mark.parametrize(("run", "ok"), [
    (RunResult(argv=[], rc=0, stdout="lmreread - Copyright\n\nlmreread successful\n"), True),
    (RunResult(argv=[], rc=0, stdout="lmreread - Copyright\n"), False),
    (RunResult(argv=[], rc=1, stdout="", stderr="lmreread failed: Cannot connect to license server system."), False),
])
def test_run_reread(run: RunResult, ok: bool):
    host = FakeHost()
    host.runs["-all"] = RunResult(argv=[LS + r"\lmreread.exe", "-c", "@CAP", "-all"], rc=run.rc, stdout=run.stdout,
                                  stderr=run.stderr)
    result = license_host.run_reread(host, INSTALL, "@CAP")
    assert result["ok"] is ok and result["rc"] == run.rc
    assert host.calls == [("run", (LS + r"\lmreread.exe", "-c", "@CAP", "-all"), LS, False)]
    if not ok and run.stderr:
        assert "Cannot connect" in license_host.reread_failure_message(result)


def test_removal_follows_the_documented_order():
    host = FakeHost()
    steps = license_host.remove_documented(host, removal_plan(), log=pytest.fail)
    assert mutating(host) == [
        ("set_service", "Citrix Licensing", "stopped"),
        ("rename", MYFILES + r"\FID_a.lic", MYFILES + r"\FID_a.old"),
        ("set_service", "Citrix Licensing", "started"),
        ("remove", MYFILES + r"\FID_a.old"),
    ]
    assert steps == ["stopped Citrix Licensing", "renamed FID_a.lic to FID_a.old", "started Citrix Licensing",
                     "deleted FID_a.old"]


def test_win_service_info_started_counts_as_running():
    host = FakeHost()
    host.service_state = "started"
    license_host.remove_documented(host, removal_plan(), log=pytest.fail)
    assert mutating(host)[0] == ("set_service", "Citrix Licensing", "stopped")


def test_a_stopped_service_is_left_stopped():
    host = FakeHost()
    host.service_state = "stopped"
    logged: list[str] = []
    steps = license_host.remove_documented(host, removal_plan(), log=logged.append)
    assert [call[0] for call in mutating(host)] == ["rename", "remove"]
    assert steps == ["renamed FID_a.lic to FID_a.old", "deleted FID_a.old"] and "left that way" in logged[0]


def test_failed_rename_restarts_the_service_and_removes_nothing():
    host = FakeHost()
    host.fail_on.add("rename")
    with pytest.raises(HostError, match="nothing was removed"):
        license_host.remove_documented(host, removal_plan(), log=pytest.fail)
    assert [call[2] for call in mutating(host) if call[0] == "set_service"] == ["stopped", "started"]
    assert not [call for call in mutating(host) if call[0] == "remove"]


def test_service_that_does_not_start_keeps_the_old_file_and_says_what_to_do():
    host = FakeHost()
    host.fail_on.add("set_service:started")
    with pytest.raises(HostError, match=r"did not start again.*FID_a\.old"):
        license_host.remove_documented(host, removal_plan(), log=pytest.fail)
    assert not [call for call in mutating(host) if call[0] == "remove"]
