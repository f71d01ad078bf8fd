# Copyright: (c) 2026, ctxlic maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Tests for the host-side license file steps, against a recording fake host (no Ansible, no lab)."""

from __future__ import annotations

import base64
import datetime
import json

import pytest

from ansible_collections.ctxlic.license_server.plugins.plugin_utils._host import license_steps as license_host
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._license import plan as license_plan
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._license import removal as license_removal
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._common.errors import HostError
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._host.access import FileInfo, RunResult, ServiceInfo
from ansible_collections.ctxlic.license_server.plugins.plugin_utils.lab import licgen
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._license.license_parser import parse_license_file
from clock import TODAY

INSTALL = r"C:\Program Files (x86)\Citrix\Licensing"
LS = INSTALL + r"\LS"
MYFILES = INSTALL + r"\MyFiles"
MARKER = MYFILES + r"\ctxlic_removal_in_progress.json"


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
        self.service_state = "running" if state == "started" else state
        return {"changed": True, "state": state}

    def rename(self, src, dest):
        self.calls.append(("rename", src, dest))
        if "rename" in self.fail_on:
            raise HostError("access denied")
        if src in self.files:
            self.files[dest] = self.files.pop(src)

    def remove(self, path):
        self.calls.append(("remove", path))
        self.files.pop(path, None)
        return {"changed": True}

    def write_file(self, path, content, backup=True):
        self.calls.append(("write", path, backup))
        if "write" in self.fail_on:
            raise HostError("No space left on device")
        self.files[path] = content
        return {"changed": True, "backup_file": None}

    def stat(self, path, checksum=False):
        self.calls.append(("stat", path))
        return FileInfo(path=path, exists=path in self.files)

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
    return [call for call in host.calls if call[0] in ("set_service", "rename", "remove", "write")]


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


def test_removal_follows_the_documented_order_between_writing_and_deleting_its_marker():
    host = FakeHost()
    steps = license_host.remove_documented(host, removal_plan(), log=pytest.fail)
    assert mutating(host) == [
        ("write", MARKER, False),
        ("set_service", "Citrix Licensing", "stopped"),
        ("rename", MYFILES + r"\FID_a.lic", MYFILES + r"\FID_a.old"),
        ("set_service", "Citrix Licensing", "started"),
        ("remove", MYFILES + r"\FID_a.old"),
        ("remove", MARKER),
    ]
    assert steps == ["stopped Citrix Licensing", "renamed FID_a.lic to FID_a.old", "started Citrix Licensing",
                     "deleted FID_a.old"]


def test_win_service_info_started_counts_as_running():
    host = FakeHost()
    host.service_state = "started"
    license_host.remove_documented(host, removal_plan(), log=pytest.fail)
    assert mutating(host)[1] == ("set_service", "Citrix Licensing", "stopped")


def test_a_stopped_service_is_left_stopped():
    host = FakeHost()
    host.service_state = "stopped"
    logged: list[str] = []
    steps = license_host.remove_documented(host, removal_plan(), log=logged.append)
    assert [call[0] for call in mutating(host)] == ["write", "rename", "remove", "remove"]
    assert steps == ["renamed FID_a.lic to FID_a.old", "deleted FID_a.old"] and "left that way" in logged[0]
    assert MARKER not in host.files


def test_failed_rename_restarts_the_service_and_removes_nothing():
    host = FakeHost()
    host.fail_on.add("rename")
    with pytest.raises(HostError, match="nothing was removed"):
        license_host.remove_documented(host, removal_plan(), log=pytest.fail)
    assert [call[2] for call in mutating(host) if call[0] == "set_service"] == ["stopped", "started"]
    assert [call for call in mutating(host) if call[0] == "remove"] == [("remove", MARKER)]


def test_service_that_does_not_start_keeps_the_old_file_and_says_what_to_do():
    host = FakeHost()
    host.fail_on.add("set_service:started")
    with pytest.raises(HostError, match=r"did not start again.*FID_a\.old"):
        license_host.remove_documented(host, removal_plan(), log=pytest.fail)
    assert not [call for call in mutating(host) if call[0] == "remove"]
    assert MARKER in host.files, "the marker stays, so the next run finishes the removal"


def test_a_marker_that_cannot_be_written_stops_the_removal_before_any_step():
    host = FakeHost()
    host.fail_on.add("write")
    with pytest.raises(HostError, match="nothing was removed"):
        license_host.remove_documented(host, removal_plan(), log=pytest.fail)
    assert [call[0] for call in mutating(host)] == ["write"]


def test_the_marker_names_the_file_and_the_service_state():
    host = FakeHost()
    host.service_state = "stopped"
    written: list[dict] = []
    host.write_file = lambda path, content, backup=True: written.append(json.loads(content))
    license_host.remove_documented(host, removal_plan(), log=lambda text: None)
    assert written[0]["file"] == "FID_a.lic" and written[0]["service_was_running"] is False
    assert written[0]["service"] == "Citrix Licensing"


# -- finishing an interrupted removal ---------------------------------------------------------------
class Killed(BaseException):
    """The run was killed: nothing after this call happens (BaseException, so no except clause sees it)."""


class KilledHost(FakeHost):
    """Stops the run (raises Killed) after ``kill_after`` state-changing calls."""

    def __init__(self, kill_after: int):
        super().__init__()
        self.kill_after = kill_after
        self.files = {MYFILES + r"\FID_a.lic": b"license"}

    def _count(self):
        if len(mutating(self)) >= self.kill_after:
            raise Killed

    def write_file(self, path, content, backup=True):
        result = super().write_file(path, content, backup)
        self._count()
        return result

    def set_service(self, name, state):
        result = super().set_service(name, state)
        self._count()
        return result

    def rename(self, src, dest):
        super().rename(src, dest)
        self._count()

    def remove(self, path):
        result = super().remove(path)
        self._count()
        return result


@pytest.mark.parametrize("kill_after", range(1, 6))
def test_a_removal_killed_after_any_step_is_finished_by_the_next_run(kill_after: int):
    host = KilledHost(kill_after)
    with pytest.raises(Killed):
        license_host.remove_documented(host, removal_plan(), log=pytest.fail)
    assert MARKER in host.files
    host.kill_after = 10**6
    recovery = license_host.finish_interrupted_removal(host, INSTALL, check_mode=False)
    assert host.service_state == "running", "the service this collection stopped is running again"
    assert MYFILES + r"\FID_a.old" not in host.files, "the .old file is deleted (seed 004, last step)"
    assert MARKER not in host.files
    assert recovery.changed and recovery.steps[-1].startswith("deleted the marker")
    renamed = kill_after >= 3
    assert (MYFILES + r"\FID_a.lic" in host.files) is not renamed, "a file not yet renamed is left for the removal"


def test_no_marker_costs_one_read_and_changes_nothing():
    host = FakeHost()
    recovery = license_host.finish_interrupted_removal(host, INSTALL, check_mode=False)
    assert not recovery.changed and recovery.steps == [] and recovery.notes == []
    assert host.calls == [("read", MARKER)]


def _marker(name="FID_a.lic", running=True) -> bytes:
    return license_removal.marker_content(name, service_was_running=running,
                                          now=datetime.datetime(2026, 11, 22, tzinfo=datetime.UTC))


def test_check_mode_lists_the_steps_and_changes_nothing():
    host = FakeHost()
    host.service_state = "stopped"
    host.files = {MARKER: _marker(), MYFILES + r"\FID_a.old": b"license"}
    recovery = license_host.finish_interrupted_removal(host, INSTALL, check_mode=True)
    assert mutating(host) == []
    assert [step.split(" ", 3)[2] for step in recovery.steps] == ["started", "deleted", "deleted"]
    assert all(step.startswith("would have ") for step in recovery.steps) and recovery.changed


def test_a_service_stopped_before_the_removal_stays_stopped():
    host = FakeHost()
    host.service_state = "stopped"
    host.files = {MARKER: _marker(running=False), MYFILES + r"\FID_a.old": b"license"}
    license_host.finish_interrupted_removal(host, INSTALL, check_mode=False)
    assert host.service_state == "stopped"
    assert mutating(host) == [("remove", MYFILES + r"\FID_a.old"), ("remove", MARKER)]


def test_a_service_that_does_not_start_keeps_the_marker_for_the_next_run():
    host = FakeHost()
    host.service_state = "stopped"
    host.fail_on.add("set_service:started")
    host.files = {MARKER: _marker(), MYFILES + r"\FID_a.old": b"license"}
    with pytest.raises(HostError, match=r"did not start.*next run finishes the removal"):
        license_host.finish_interrupted_removal(host, INSTALL, check_mode=False)
    assert MARKER in host.files and MYFILES + r"\FID_a.old" in host.files


def test_a_damaged_marker_starts_the_service_and_touches_no_file():
    host = FakeHost()
    host.service_state = "stopped"
    host.files = {MARKER: b"{not json", MYFILES + r"\FID_a.old": b"license"}
    recovery = license_host.finish_interrupted_removal(host, INSTALL, check_mode=False)
    assert mutating(host) == [("set_service", "Citrix Licensing", "started"), ("remove", MARKER)]
    assert "not readable JSON" in recovery.notes[0]


# -- is the file served? ----------------------------------------------------------------------------
LMSTAT_OK = """lmstat - Copyright (c) 1989-2023 Flexera. All Rights Reserved.
License Server status: 27000@localhost
  localhost: license server UP v11.17.2
Vendor daemon status (on localhost):
    CITRIX: UP v11.17.2
Feature usage info:
Users of XDT_PLT_UD:  (Total of 10 licenses issued;  Total of 0 licenses in use)
"""


def _report(feature="XDT_PLT_UD", count=10):
    text = licgen.license_text(["LS01"], [{"feature": feature, "count": count, "serial": "S"}])
    return parse_license_file("FID_a.lic", text.encode(), today=TODAY)


def test_check_file_served_runs_lmstat_read_only_from_ls():
    host = FakeHost()
    host.runs["@CAP"] = RunResult(argv=[], rc=0, stdout=LMSTAT_OK)
    check = license_host.check_file_served(host, INSTALL, _report(), ls_hostname="LS01", macs=[],
                                           cluster_access_point="CAP")
    assert check.checked and not check.stale
    assert host.calls == [("run", (LS + r"\lmstat.exe", "-a", "-c", "@CAP"), LS, True)]
    stale = license_host.check_file_served(host, INSTALL, _report("XDT_ENT_UD"), ls_hostname="LS01", macs=[],
                                           cluster_access_point="CAP")
    assert stale.missing == ["XDT_ENT_UD"]


def test_check_file_served_is_not_checked_when_lmstat_cannot_run():
    host = FakeHost()
    host.fail_on.add("run")
    check = license_host.check_file_served(host, INSTALL, _report(), ls_hostname="LS01", macs=[],
                                           cluster_access_point=None)
    assert not check.checked and not check.stale and "could not be run" in check.reason


def test_check_myfiles_served_uses_one_collection_and_asks_a_cluster_through_its_access_point():
    text = licgen.license_text(["LS01"], [{"feature": "XDT_PLT_UD", "count": 10, "serial": "S"}])
    host = FakeHost()
    host.collected = {"install_dir_exists": True, "now": "2026-11-22T12:00:00+00:00",
                      "lmhostid": {"rc": 0, "stdout": 'host ID of this machine is "HOSTNAME=LS01"'},
                      "myfiles": [{"name": "FID_a.lic", "content_b64": base64.b64encode(text.encode()).decode()}],
                      "lmstat": {"rc": 0, "stdout": LMSTAT_OK.replace("XDT_PLT_UD", "XDT_ENT_UD")}}
    stale = license_host.check_myfiles_served(host, INSTALL, None)
    assert stale.missing == ["XDT_PLT_UD"] and stale.unexpected == ["XDT_ENT_UD"]
    assert [call[0] for call in host.calls] == ["collect"]
    host.calls.clear()
    host.runs["@CAP"] = RunResult(argv=[], rc=0, stdout=LMSTAT_OK)
    served = license_host.check_myfiles_served(host, INSTALL, "CAP")
    assert served.checked and not served.stale
    assert [call[0] for call in host.calls] == ["collect", "run"]


# -- issue 14 item 2: the backup before a removal is verified by content ----------------------------------------
def test_backup_problem_catches_a_truncated_copy(tmp_path):
    from ansible_collections.ctxlic.license_server.plugins.plugin_utils._host import license_steps as lh

    expected = b"x" * 416
    copy = tmp_path / "copy.lic"
    copy.write_bytes(expected[:208])
    assert "208 bytes" in lh.backup_problem(str(copy), expected)
    copy.write_bytes(b"y" * 416)
    assert "SHA-256" in lh.backup_problem(str(copy), expected)
    copy.write_bytes(expected)
    assert lh.backup_problem(str(copy), expected) is None
    assert "cannot be read" in lh.backup_problem(str(tmp_path / "missing"), expected)


def test_backup_destination_uses_the_one_folder_rule_and_names_legacy_folders(tmp_path):
    import datetime as dt

    from ansible_collections.ctxlic.license_server.plugins.plugin_utils._store import host_folder
    from ansible_collections.ctxlic.license_server.plugins.plugin_utils._host import license_steps as lh
    from ansible_collections.ctxlic.license_server.plugins.plugin_utils._common.errors import InputError

    when = dt.datetime(2026, 11, 22, 10, 15, tzinfo=dt.UTC)
    a = lh.backup_destination(str(tmp_path), "a@b", "FID_a.lic", when)[0]
    b = lh.backup_destination(str(tmp_path), "a#b", "FID_a.lic", when)[0]
    assert a != b and a == str(tmp_path / host_folder.folder_name("a@b") / "20261122T101500Z" / "FID_a.lic")
    (tmp_path / "a_b").mkdir()
    notes = lh.backup_destination(str(tmp_path), "a@b", "FID_a.lic", when)[1]
    assert len(notes) == 1 and str(tmp_path / "a_b") in notes[0]
    (tmp_path / "file").write_text("x")
    for bad in (str(tmp_path / "file"), "/dev/null", ""):
        with pytest.raises(InputError):
            lh.backup_destination(bad, "ls01", "a.lic", when)
