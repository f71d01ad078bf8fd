# Copyright: (c) 2026, ctxlic maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Both host backends, driven without a host: every module call they make must match the installed
documentation (ansible.windows for Windows, ansible.builtin for the lab), and every result key they
read must be documented. Every HostAccess method is exercised, so a new method without coverage fails.
"""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace

import pytest

from ansible_collections.ctxlic.license_server.plugins.plugin_utils._host import windows_scripts
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._host.access import REMOVE_BATCH, HostAccess
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._host.lab_backend import LabHost
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._host.windows_backend import WindowsHost

from .ansible_windows_contract import RecordingExecutor

LS = r"C:\Program Files (x86)\Citrix\Licensing"
EXERCISED: dict[str, set[str]] = {"windows": set(), "lab": set()}


class FakeAction:
    """The parts of ActionBase the backends use."""

    def __init__(self, tmp_path: Path):
        self._task = SimpleNamespace(check_mode=False)
        self._tmp = tmp_path
        self.transferred: list[tuple[str, str]] = []
        self.fetched: list[tuple[str, str]] = []
        self._connection = SimpleNamespace(fetch_file=lambda src, dest: self.fetched.append((src, dest)))
        self._templar = SimpleNamespace(template=lambda value: value)

    def _make_tmp_path(self):
        return str(self._tmp / "remote-tmp")

    def _transfer_file(self, local, remote):
        self.transferred.append((local, remote))
        return remote

    def _remove_tmp_path(self, path):
        return None


def _powershell(args: dict) -> dict:
    """win_powershell's answer: STAT_FILES_PS and REMOVE_VERIFIED_PS answer per file, PROBE_UPLOAD_PS per target,
    other scripts with one object."""
    parameters = args.get("parameters") or {}
    if "Paths" in parameters:
        return {"changed": False, "error": [], "output": [
            {"path": path, "exists": True, "isdir": False, "size": 10, "lastwritetime": 1.0,
             "checksum": "a" * 40 if parameters.get("Checksum") else None} for path in parameters["Paths"]]}
    if "UploadHost" in parameters:
        return {"changed": False, "error": [], "output": [
            {"dns": {"ok": True}, "direct": {"ok": True}, "proxy": None} for target in parameters["UploadHost"]]}
    files = parameters.get("Files")
    if files is not None:
        return {"changed": True, "error": [],
                "output": [{"path": f["path"], "outcome": "deleted", "msg": None} for f in files]}
    return {"changed": False, "output": [{"free_bytes": 1, "total_bytes": 2, "collector": "powershell"}], "error": []}


WINDOWS_RESPONSES = {
    "ansible.windows.win_stat": {
        "changed": False,
        "stat": {"exists": True, "isdir": False, "size": 10, "lastwritetime": 1.0, "checksum": "abc"},
    },
    "ansible.windows.slurp": {"content": "aGVsbG8=", "encoding": "base64"},
    "ansible.windows.win_find": {
        "changed": False,
        "files": [{"path": LS + r"\x.zip", "size": 5, "lastwritetime": 2.0}],
    },
    "ansible.windows.win_copy": {"changed": True, "backup_file": LS + r"\MyFiles\a.lic.123.bak"},
    "ansible.windows.win_file": {"changed": True},
    "ansible.windows.win_command": {"changed": True, "rc": 0, "stdout": "ok", "stderr": ""},
    "ansible.windows.win_service_info": {
        "changed": False,
        "exists": True,
        "services": [{"name": "Citrix Licensing", "state": "started", "start_mode": "auto"}],
    },
    "ansible.windows.win_service": {"changed": True, "state": "started"},
    "ansible.windows.win_reg_stat": {"changed": False, "exists": True, "value": "11.17.2.0 build 45000"},
    "ansible.windows.win_powershell": _powershell,
}


def drive(host: HostAccess, backend: str, tmp_path: Path) -> None:
    """Call every HostAccess method once, as the modules do."""
    local = tmp_path / "local.bin"
    local.write_bytes(b"data")
    calls = {
        "stat": lambda: host.stat(LS + r"\MyFiles\a.lic", checksum=True),
        "stat_files": lambda: host.stat_files([LS + r"\MyFiles\a.lic", LS + r"\MyFiles\b.lic"], checksum=True),
        "read_file": lambda: host.read_file(LS + r"\MyFiles\a.lic"),
        "find": lambda: host.find(LS + r"\LS\resource\usage", ["upload_compliance*.zip"]),
        "write_file": lambda: host.write_file(LS + r"\MyFiles\a.lic", b"content", backup=True),
        "put_file": lambda: host.put_file(str(local), r"C:\Windows\Temp\ctxlic\CitrixLicensing.exe"),
        "fetch_file": lambda: host.fetch_file(LS + r"\LS\resource\usage\u.zip", str(tmp_path / "u.zip")),
        "rename": lambda: host.rename(LS + r"\MyFiles\a.lic", LS + r"\MyFiles\a.old"),
        "remove": lambda: host.remove(LS + r"\MyFiles\a.old"),
        "make_dir": lambda: host.make_dir(r"C:\Windows\Temp\ctxlic"),
        "remove_verified": lambda: _removed(host.remove_verified(
            [{"path": LS + r"\LS\resource\usage\u.zip", "size": 5, "sha1": "a" * 40}])),
        "run": lambda: host.run([LS + r"\LS\lmreread.exe", "-c", "@localhost", "-all"], chdir=LS + r"\LS"),
        "service": lambda: host.service("Citrix Licensing"),
        "set_service": lambda: host.set_service("Citrix Licensing", "restarted"),
        "set_service_start_mode": lambda: host.set_service_start_mode("Citrix Licensing", "disabled"),
        "registry_value": lambda: host.registry_value(
            r"HKLM\SOFTWARE\WOW6432Node\Citrix\LicenseServer\Install", "Version"
        ),
        "disk_space": lambda: host.disk_space(LS),
        "collect": lambda: host.collect(install_dir=LS, max_bytes=1024),
        "staging_dir": host.staging_dir,
        "probe": lambda: host.probe("cis.citrix.com", 443, "proxy.corp.example:8080", 5),
        "probe_many": lambda: host.probe_many([("cis.citrix.com", 443), ("api.cloud.com", 443)], None, 5),
    }
    for name, call in calls.items():
        call()
        EXERCISED[backend].add(name)


def _removed(results: list[dict]) -> None:
    assert results == [{"path": LS + r"\LS\resource\usage\u.zip", "outcome": "deleted", "msg": None}], results


def test_windows_backend_calls_match_ansible_windows_docs(tmp_path):
    action = FakeAction(tmp_path)
    host = WindowsHost(action, {})
    executor = RecordingExecutor(WINDOWS_RESPONSES)
    executor.install(action)
    executor.capture_reads(host)
    drive(host, "windows", tmp_path)
    assert executor.calls, "the backend made no module calls"
    assert {c.module_name.split(".")[0] for c in executor.calls} == {"ansible"}
    assert all(c.module_name.startswith("ansible.windows.") for c in executor.calls)
    executor.assert_clean()


def _lab_responses(root: Path):
    """Canned ``labctl`` answers; everything the lab backend does is a labctl run by ansible.builtin.command."""
    payloads = {
        "service-set": {"changed": True, "state": "running"},
        "service-config": {"changed": True, "start_mode": "disabled"},
        "disk-free": {"free_bytes": 1, "total_bytes": 2},
        "collect-info": {"collector": "lab"},
        "exec": {"rc": 0, "stdout": "lmreread successful", "stderr": ""},
        "probe": {"dns": {"ok": True}, "direct": {"ok": True}, "proxy": None},
        "file-stat": {"exists": True, "is_dir": False, "size": 1, "mtime": 1.0, "checksum": "abc"},
        "file-read": {"exists": True, "content": "e30="},
        "file-find": [{"path": LS + r"\LS\resource\usage\x.zip", "size": 1, "mtime": 1.0}],
        "file-write": {"changed": True, "backup_file": LS + r"\MyFiles\a.lic.1.20261122-120000.bak"},
        "file-rename": {"changed": True},
        "file-remove": {"changed": True},
        "file-mkdir": {"changed": True},
        "registry-query": {"exists": True, "value": "11.17.2.0 build 45000"},
    }

    def command(args):
        argv = args["argv"]
        if not argv[0].endswith("labctl"):
            raise AssertionError(f"the lab backend ran {argv[0]} directly instead of through labctl")
        sub = argv[1]
        if sub == "service-query":
            payload = [{"name": argv[2], "exists": True, "state": "running", "start_mode": "auto"}]
        elif sub == "file-stat-many":
            payload = [payloads["file-stat"] for path in argv[2:] if path != "--checksum"]
        elif sub == "probe":
            payload = [payloads["probe"] for arg in argv if arg == "--target"]
        elif sub == "file-remove-verified":
            payload = [{"path": path, "outcome": "deleted", "msg": None} for path in argv[4::3]]
        else:
            payload = payloads[sub]
        return {"changed": True, "rc": 0, "stdout": json.dumps(payload), "stderr": ""}

    return {"ansible.builtin.command": command}


def lab_host(tmp_path, monkeypatch, program: str | None = None) -> tuple[LabHost, RecordingExecutor, FakeAction]:
    """A LabHost on a lab tree in ``tmp_path/host`` (with an executable at ``program``, a path below that tree,
    when given), the recorder installed on its action (answering as labctl would), and the action.

    The host runs labctl with ``ansible.builtin.command`` (``ctxlic_lab_exec: module``), the route these
    contract tests hold to the module's documentation; the direct route records the same calls
    (tests/unit/lab/test_lab_direct_exec.py)."""
    root = tmp_path / "host"
    (root / ".lab").mkdir(parents=True)
    if program:
        (root / program).parent.mkdir(parents=True)
        (root / program).write_text("#!/bin/sh\n")
    monkeypatch.setattr("shutil.copymode", lambda *a, **k: None)
    action = FakeAction(tmp_path)
    host = LabHost(action, {"ctxlic_lab_root": str(root), "ctxlic_lab_exec": "module"}, str(root))
    return host, RecordingExecutor(_lab_responses(root)).install(action), action


def test_lab_backend_calls_match_ansible_builtin_docs(tmp_path, monkeypatch):
    host, executor, _action = lab_host(
        tmp_path, monkeypatch, "fs/C/Program Files (x86)/Citrix/Licensing/LS/lmreread.exe"
    )
    executor.capture_reads(host)
    drive(host, "lab", tmp_path)
    assert all(c.module_name.startswith("ansible.builtin.") for c in executor.calls)
    executor.assert_clean()
    # '$NAME' in a Windows path must reach labctl as it is (command expands arguments by default).
    assert all(c.module_args.get("expand_argument_vars") is False for c in executor.calls)


@pytest.mark.parametrize("backend", ["windows", "lab"])
def test_every_host_access_method_has_contract_coverage(backend, tmp_path, monkeypatch):
    if not EXERCISED[backend]:
        if backend == "windows":
            test_windows_backend_calls_match_ansible_windows_docs(tmp_path)
        else:
            test_lab_backend_calls_match_ansible_builtin_docs(tmp_path, monkeypatch)
    missing = set(HostAccess.__abstractmethods__) - EXERCISED[backend]
    assert not missing, f"HostAccess methods without a contract test on {backend}: {sorted(missing)}"


def test_windows_service_states_use_the_layer_vocabulary(tmp_path):
    """win_service_info says "started" for a running service; modules compare with "running"."""
    action = FakeAction(tmp_path)
    host = WindowsHost(action, {})
    RecordingExecutor(WINDOWS_RESPONSES).install(action)
    assert host.service("Citrix Licensing").state == "running"
    assert host.set_service("Citrix Licensing", "started")["state"] == "running"


def test_mutations_are_refused_in_check_mode(tmp_path):
    action = FakeAction(tmp_path)
    action._task.check_mode = True
    host = WindowsHost(action, {})
    executor = RecordingExecutor(WINDOWS_RESPONSES).install(action)
    from ansible_collections.ctxlic.license_server.plugins.plugin_utils._common.errors import HostError

    for mutate in (
        lambda: host.write_file(LS + r"\a.lic", b"x"),
        lambda: host.remove(LS + r"\a.lic"),
        lambda: host.rename(LS + r"\a", LS + r"\b"),
        lambda: host.set_service("Citrix Licensing", "stopped"),
        lambda: host.set_service_start_mode("Citrix Licensing", "disabled"),
        lambda: host.run([LS + r"\LS\lmreread.exe"]),
    ):
        with pytest.raises(HostError, match="check mode"):
            mutate()
    assert executor.calls == []
    host.stat(LS)  # read-only calls still run, with check mode lifted for the call
    assert executor.calls and action._task.check_mode is True


# -- batch deletion (remove_verified): one remote call per host -------------------------------------
ZIP_DIR = LS + r"\LS\resource\usage"


def _zips(count: int) -> list[dict]:
    return [{"path": ZIP_DIR + rf"\upload_compliance_{n}.zip", "size": 100 + n, "sha1": f"{n:040x}"}
            for n in range(count)]


def test_windows_batch_removal_is_one_documented_win_powershell_call(tmp_path):
    action = FakeAction(tmp_path)
    host = WindowsHost(action, {})
    outcomes = {0: ("deleted", None), 1: ("absent", None), 2: ("changed", None), 3: ("failed", "Access denied")}

    def answer(args):
        files = args["parameters"]["Files"]
        return {"changed": True, "error": [], "output": [
            {"path": f["path"], "outcome": outcomes[n][0], "msg": outcomes[n][1]} for n, f in enumerate(files)]}

    executor = RecordingExecutor({"ansible.windows.win_powershell": answer}).install(action)
    executor.capture_reads(host)
    files = _zips(4)
    results = host.remove_verified(files)
    assert [(r["path"], r["outcome"], r["msg"]) for r in results] == [
        (f["path"], *outcomes[n]) for n, f in enumerate(files)]
    assert len(executor.calls) == 1 and len(host.calls) == 1
    call = executor.calls[0]
    assert call.module_args["script"] == windows_scripts.REMOVE_VERIFIED_PS
    assert call.module_args["parameters"] == {"Files": [{"path": f["path"], "size": f["size"], "sha1": f["sha1"]}
                                                        for f in files]}
    executor.assert_clean()


def test_windows_batch_removal_script_deletes_only_by_literal_path_after_the_hash_check():
    script = windows_scripts.REMOVE_VERIFIED_PS
    assert "Get-FileHash -LiteralPath $path -Algorithm SHA1" in script
    assert "Remove-Item -LiteralPath $path -Force" in script and " -Path " not in script
    assert script.index("Get-FileHash") < script.index("Remove-Item"), "hash checked before the deletion"
    assert "-Recurse" not in script, "a folder is never deleted"


def test_a_failed_batch_call_marks_its_files_failed_and_the_next_batch_still_runs(tmp_path):
    action = FakeAction(tmp_path)
    host = WindowsHost(action, {})
    seen: list[int] = []

    def answer(args):
        files = args["parameters"]["Files"]
        seen.append(len(files))
        if len(seen) == 1:
            return {"failed": True, "msg": "WinRM: the operation timed out", "output": [], "error": []}
        return {"changed": True, "error": [],
                "output": [{"path": f["path"], "outcome": "deleted", "msg": None} for f in files]}

    executor = RecordingExecutor({"ansible.windows.win_powershell": answer}).install(action)
    files = _zips(REMOVE_BATCH + 2)
    results = host.remove_verified(files)
    assert seen == [REMOVE_BATCH, 2], "one call per batch of REMOVE_BATCH files"
    assert [r["outcome"] for r in results] == ["failed"] * REMOVE_BATCH + ["deleted"] * 2
    assert "the operation timed out" in results[0]["msg"]
    assert len(executor.calls) == len(host.calls) == 2


def test_a_batch_answer_that_does_not_fit_the_files_is_failed_not_trusted(tmp_path):
    action = FakeAction(tmp_path)
    host = WindowsHost(action, {})
    RecordingExecutor({"ansible.windows.win_powershell": {"changed": True, "error": [], "output": [
        {"path": ZIP_DIR + r"\other.zip", "outcome": "deleted", "msg": None}]}}).install(action)
    results = host.remove_verified(_zips(1))
    assert results[0]["outcome"] == "failed" and "unexpected answer" in results[0]["msg"]


@pytest.mark.parametrize("backend", ["windows", "lab"])
def test_batch_removal_is_refused_in_check_mode_and_nothing_runs(backend, tmp_path, monkeypatch):
    if backend == "windows":
        action = FakeAction(tmp_path)
        host = WindowsHost(action, {})
        executor = RecordingExecutor(WINDOWS_RESPONSES).install(action)
    else:
        host, executor, action = lab_host(tmp_path, monkeypatch)
    action._task.check_mode = True
    from ansible_collections.ctxlic.license_server.plugins.plugin_utils._common.errors import HostError

    with pytest.raises(HostError, match="check mode"):
        host.remove_verified(_zips(2))
    assert executor.calls == [] and host.calls == []
    assert host.remove_verified([]) == [] and executor.calls == []


def test_windows_stat_files_is_one_read_only_call_per_batch(tmp_path):
    action = FakeAction(tmp_path)
    action._task.check_mode = True  # read-only: runs in check mode too
    host = WindowsHost(action, {})
    executor = RecordingExecutor(WINDOWS_RESPONSES).install(action)
    executor.capture_reads(host)
    paths = [ZIP_DIR + rf"\upload_compliance_{n}.zip" for n in range(REMOVE_BATCH + 1)]
    infos = host.stat_files(paths, checksum=True)
    assert [i.path for i in infos] == paths and all(i.exists and i.checksum == "a" * 40 for i in infos)
    assert [len(c.module_args["parameters"]["Paths"]) for c in executor.calls] == [REMOVE_BATCH, 1]
    assert all(c.module_args["script"] == windows_scripts.STAT_FILES_PS for c in executor.calls)
    assert all(c.module_args["parameters"]["Checksum"] is True for c in executor.calls)
    assert host.stat_files([]) == [] and len(executor.calls) == 2
    executor.assert_clean()


def test_windows_stat_files_script_reports_what_win_stat_reports():
    script = windows_scripts.STAT_FILES_PS
    for key in ("exists", "isdir", "size", "lastwritetime", "checksum"):
        assert f"{key} = " in script, key
    assert "Get-Item -LiteralPath $path -Force" in script and "ToLowerInvariant()" in script
    assert "Remove-Item" not in script and "Set-" not in script, "read-only"
