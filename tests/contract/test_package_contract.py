# Copyright: (c) 2026, ctxlic maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""``ctxlic.license_server.package`` on the Windows backend, driven without a Windows host.

The action plugin runs against a recording stand-in for ``_execute_module`` that simulates a License
Server (registry, services, disk, installer). Every ``ansible.windows`` call it makes must match the
installed module documentation, and the order of calls shows that refusals and check mode copy and run
nothing.
"""

from __future__ import annotations

import base64
from pathlib import Path
from types import SimpleNamespace

import pytest

from ansible_collections.ctxlic.license_server.plugins.action.package import ActionModule
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._host.windows_backend import WindowsHost

from .ansible_windows_contract import RecordingExecutor

LS = r"C:\Program Files (x86)\Citrix\Licensing"
V45 = "11.17.2.0 build 45000"
V49 = "11.17.2.0 build 49000"
ARGS = {
    "state": "present", "src": None, "remote_src": False, "path": None, "installer_type": "exe", "version": V49,
    "install_dir": None, "license_server_port": None, "vendor_daemon_port": None, "web_services_port": None,
    "management_console_port": None, "ceip": "none", "ceip_property": "CEILOPTIN", "log_path": None,
    "allow_reboot": False, "allow_downgrade": False, "uninstall_legacy": False, "force": False, "min_free_mb": 100,
}
FILES = {
    LS + r"\MyFiles\citrix_startup.lic": b"SERVER this_host ANY 27000\r\nVENDOR CITRIX PORT=7279\r\n",
    LS + r"\WebServicesForLicensing\Apache\conf\httpd.conf": b"Listen 8083\r\n",
    LS + r"\MyFiles": None,  # a directory
}


class FakeServer:
    """Canned ansible.windows answers for one License Server; the installer changes the registry."""

    def __init__(self, version: str | None, rc: int = 0, free_bytes: int = 50 * 1024**3, pending: int = 0):
        self.version = version
        self.rc = rc
        self.free_bytes = free_bytes
        self.pending = pending

    def responses(self) -> dict:
        def reg_stat(args):
            value = {"Version": self.version, "LS_Install_Dir": LS if self.version else None}[args["name"]]
            return {"changed": False, "exists": value is not None, "value": value}

        def stat(args):
            exists = args["path"] in FILES or args["path"].endswith(".log") or args["path"].startswith("C:\\Install")
            return {"changed": False, "stat": {"exists": exists, "isdir": FILES.get(args["path"], b"") is None,
                                               "size": 10, "lastwritetime": 1.0}}

        def slurp(args):
            data = FILES.get(args["src"]) or b"Error 1603. Fatal error.\r\n"
            return {"content": base64.b64encode(data).decode(), "encoding": "base64"}

        def command(args):
            if "/uninstall" in args["argv"]:
                self.version = None
            elif self.rc in (0, 3010):
                self.version = V49
            return {"changed": True, "rc": self.rc, "stdout": "", "stderr": ""}

        def find(args):
            files = [{"path": args["paths"][0] + r"\upload_compliance_1.zip", "size": 5, "lastwritetime": 2.0}]
            return {"changed": False, "files": files if self.pending and "usage" in args["paths"][0] else []}

        return {
            "ansible.windows.win_reg_stat": reg_stat,
            "ansible.windows.win_stat": stat,
            "ansible.windows.slurp": slurp,
            "ansible.windows.win_command": command,
            "ansible.windows.win_find": find,
            "ansible.windows.win_powershell": lambda args: {
                "changed": False, "output": [{"free_bytes": self.free_bytes, "total_bytes": 100 * 1024**3}]},
            "ansible.windows.win_file": {"changed": True},
            "ansible.windows.win_copy": {"changed": True},
            "ansible.windows.win_service_info": lambda args: {
                "changed": False, "exists": True,
                "services": [{"name": args["name"], "state": "running", "start_mode": "auto"}]},
        }


def make_action(tmp_path: Path, executor: RecordingExecutor, *, check_mode: bool = False) -> ActionModule:
    action = ActionModule.__new__(ActionModule)  # the parts of ActionBase the plugin and backend use
    action._task = SimpleNamespace(check_mode=check_mode, diff=True)
    action._find_needle = lambda dirname, needle: needle
    action._make_tmp_path = lambda: r"C:\Users\ansible\AppData\Local\Temp\ansible-tmp-1"
    action._transfer_file = lambda local, remote: remote
    action._remove_tmp_path = lambda path: None
    action._templar = SimpleNamespace(template=lambda value: value)
    executor.install(action)
    return action


@pytest.fixture
def src(tmp_path) -> str:
    path = tmp_path / "CitrixLicensing.exe"
    path.write_bytes(b"MZ" + b"\x00" * 64)
    # The download holds both files and the installation needs both (Install licensing components using the
    # command line): package stages the .msi beside the .exe.
    (tmp_path / "ctx_licensing.msi").write_bytes(b"\xd0\xcf\x11\xe0" + b"\x00" * 64)
    return str(path)


@pytest.fixture
def recording(monkeypatch):
    """Attach the declared ``reads=`` of every WindowsHost call to the recorded calls (undone after the test)."""
    monkeypatch.setattr(WindowsHost, "_run_module", WindowsHost._run_module)

    def start(server: FakeServer) -> RecordingExecutor:
        return RecordingExecutor(server.responses()).capture_reads(WindowsHost)

    return start


def modules(executor: RecordingExecutor) -> list[str]:
    return [call.module_name.rsplit(".", 1)[-1] for call in executor.calls]


def test_upgrade_calls_match_the_docs_and_run_in_order(tmp_path, src, recording):
    server = FakeServer(V45)
    executor = recording(server)
    result = make_action(tmp_path, executor).run_module({**ARGS, "src": src, "web_services_port": 8083},
                                                        {"inventory_hostname": "ls01"})
    executor.assert_clean()
    assert result["action"] == "upgrade" and result["failed"] is False, result
    assert result["after_version"] == V49 and result["rc"] == 0
    names = modules(executor)
    assert names.index("win_copy") > names.index("win_powershell") > names.index("slurp"), names
    assert names.index("win_command") > names.index("win_copy")
    (command,) = executor.calls_to("ansible.windows.win_command")
    assert command.module_args["argv"] == [r"C:\Windows\Temp\ctxlic\CitrixLicensing.exe", "/quiet", "/l",
                                           r"C:\Windows\Temp\ctxlic\CitrixLicensing-install.log", "CEILOPTIN=NONE"]
    removed = [c.module_args for c in executor.calls_to("ansible.windows.win_file")
               if c.module_args["state"] == "absent"]
    assert sorted(r["path"] for r in removed) == [r"C:\Windows\Temp\ctxlic\CitrixLicensing.exe",
                                                  r"C:\Windows\Temp\ctxlic\ctx_licensing.msi"]
    assert all(r["state"] == "absent" for r in removed)
    copied = sorted(c.module_args["dest"] for c in executor.calls_to("ansible.windows.win_copy"))
    assert copied == [r"C:\Windows\Temp\ctxlic\CitrixLicensing.exe", r"C:\Windows\Temp\ctxlic\ctx_licensing.msi"]


@pytest.mark.parametrize("server, overrides, fragment", [
    (FakeServer(V45), {"web_services_port": 8090}, "cannot change ports"),
    (FakeServer(V45, free_bytes=1), {}, "not enough free disk space"),
    (FakeServer(V45, pending=1), {}, "upload_compliance_1.zip"),
    (FakeServer("11.11.1.0 build 12000"), {}, "older than 11.12.1"),
])
def test_refusals_copy_and_run_nothing(tmp_path, src, recording, server, overrides, fragment):
    executor = recording(server)
    result = make_action(tmp_path, executor).run_module({**ARGS, "src": src, **overrides}, {})
    executor.assert_clean()
    assert result["failed"] is True and fragment in result["msg"]
    assert not {"win_copy", "win_file"} & set(modules(executor)), modules(executor)
    # The only command a refusal may run is the read-only reporting-mode query (pending zips block an upgrade
    # only in manual or unknown mode, or after a failed upload); never the installer.
    for call in executor.calls_to("ansible.windows.win_command"):
        argv = call.module_args["argv"]
        assert argv[0].endswith("ctx_license_management_service.exe") and argv[1:] == ["-query"], argv


def test_check_mode_reads_only(tmp_path, src, recording):
    executor = recording(FakeServer(V45))
    result = make_action(tmp_path, executor, check_mode=True).run_module({**ARGS, "src": src}, {})
    executor.assert_clean()
    assert result["changed"] is True and result["rc"] is None and result["after_version"] == V49
    assert set(modules(executor)) <= {"win_reg_stat", "win_powershell", "win_find"}, modules(executor)


def test_failed_installer_reads_the_log_back(tmp_path, src, recording):
    executor = recording(FakeServer(V45, rc=1603))
    result = make_action(tmp_path, executor).run_module({**ARGS, "src": src}, {})
    executor.assert_clean()
    assert result["failed"] is True and result["rc"] == 1603 and result["log_tail"] == ["Error 1603. Fatal error."]
    assert result["after_version"] == V45


def test_uninstall_and_remote_msi_calls_match_the_docs(tmp_path, recording):
    executor = recording(FakeServer(V45))
    result = make_action(tmp_path, executor).run_module(
        {**ARGS, "state": "absent", "remote_src": True, "path": r"C:\Install\CitrixLicensing.exe", "ceip": None}, {})
    executor.assert_clean()
    assert result["action"] == "uninstall" and result["myfiles_kept"] is True
    assert "win_copy" not in modules(executor)
    executor = recording(FakeServer(None))
    with pytest.raises(Exception, match="ProductVersion"):
        make_action(tmp_path, executor).run_module(
            {**ARGS, "version": None, "installer_type": "msi", "remote_src": True,
             "path": r"C:\Install\ctx_licensing.msi"}, {})
