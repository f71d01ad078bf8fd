# Copyright: (c) 2026, ctxlic maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""HostAccess.probe on both backends: one remote call, parameters only, documented options and return keys."""

from __future__ import annotations

import json
from types import SimpleNamespace

import pytest

from ansible_collections.ctxlic.license_server.plugins.plugin_utils._host import windows_scripts
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._common.errors import HostError
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._host.lab_backend import LabHost
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._host.windows_backend import WindowsHost
from ansible_collections.ctxlic.license_server.tests.contract.ansible_windows_contract import RecordingExecutor

STEPS = {"dns": {"ok": True, "addresses": ["1.2.3.4"], "error": None}, "direct": {"ok": True, "error": None},
         "proxy": None}


def _action(check_mode: bool = True) -> SimpleNamespace:
    return SimpleNamespace(_task=SimpleNamespace(check_mode=check_mode))


@pytest.mark.parametrize(
    ("proxy", "extra"),
    [
        (None, {}),
        ("proxy.corp.example:8080", {"ProxyHost": "proxy.corp.example", "ProxyPort": 8080}),
        ("[2001:db8::1]:3128", {"ProxyHost": "2001:db8::1", "ProxyPort": 3128}),
        ("10.211.55.5:808", {"ProxyHost": "10.211.55.5", "ProxyPort": 808}),
    ],
)
def test_windows_probe_is_one_read_only_powershell_call(proxy, extra):
    action = _action(check_mode=True)
    host = WindowsHost(action, {})
    seen_check_mode = []

    def answer(_args):
        seen_check_mode.append(action._task.check_mode)
        return {"changed": False, "output": [STEPS], "error": []}

    executor = RecordingExecutor({"ansible.windows.win_powershell": answer}).install(action).capture_reads(host)
    assert host.probe("cis.citrix.com", 443, proxy, 7) == STEPS
    [call] = executor.calls
    assert call.module_args["script"] is windows_scripts.PROBE_UPLOAD_PS
    assert call.module_args["parameters"] == {"UploadHost": ["cis.citrix.com"], "Port": [443], "TimeoutSeconds": 7,
                                              **extra}
    assert seen_check_mode == [False], "read-only probe must run for real in check mode"
    assert action._task.check_mode is True
    executor.assert_clean()


def test_windows_probe_without_output_is_a_host_error():
    action = _action()
    host = WindowsHost(action, {})
    RecordingExecutor({"ansible.windows.win_powershell": {"changed": False, "output": [], "error": []}}).install(action)
    with pytest.raises(HostError, match="connectivity probe"):
        host.probe("cis.citrix.com", 443, None, 5)


def test_probe_script_takes_parameters_only():
    text = windows_scripts.PROBE_UPLOAD_PS
    for name in ("$UploadHost", "$Port", "$ProxyHost", "$ProxyPort", "$TimeoutSeconds"):
        assert name in text
    assert "$Ansible.Changed = $false" in text
    for mutating in ("Set-Item", "Remove-Item", "New-Item", "Set-Content", "Stop-Service", "Restart-Service"):
        assert mutating not in text


def test_lab_probe_runs_labctl_once(tmp_path):
    (tmp_path / ".lab").mkdir()
    action = _action()
    host = LabHost(action, {"ctxlic_lab_exec": "module"}, str(tmp_path))  # the ansible.builtin.command route
    executor = RecordingExecutor({"ansible.builtin.command": {"changed": True, "rc": 0, "stdout": json.dumps([STEPS]),
                                                              "stderr": ""}}).install(action)
    assert host.probe("cis.citrix.com", 443, "proxy.lab:3128", 5) == STEPS
    [call] = executor.calls
    assert call.module_args["argv"][1:] == ["probe", "--timeout", "5", "--target", "cis.citrix.com:443",
                                            "--proxy", "proxy.lab:3128"]


def test_lab_probe_failure_is_a_host_error(tmp_path):
    (tmp_path / ".lab").mkdir()
    action = _action()
    host = LabHost(action, {"ctxlic_lab_exec": "module"}, str(tmp_path))  # the ansible.builtin.command route
    RecordingExecutor({"ansible.builtin.command": {"changed": True, "rc": 2, "stdout": "null",
                                                   "stderr": "usage"}}).install(action)
    with pytest.raises(HostError, match="lab connectivity probe failed"):
        host.probe("cis.citrix.com", 443, None, 5)


def test_windows_probe_many_is_one_call_with_one_answer_per_target():
    action = _action()
    host = WindowsHost(action, {})
    other = {**STEPS, "direct": {"ok": False, "error": "timed out"}}
    executor = RecordingExecutor({"ansible.windows.win_powershell": {"changed": False, "output": [STEPS, other],
                                                                     "error": []}}).install(action)
    targets = [("cis.citrix.com", 443), ("api.cloud.com", 8443)]
    assert host.probe_many(targets, None, 5) == [STEPS, other]
    [call] = executor.calls
    assert call.module_args["parameters"] == {"UploadHost": ["cis.citrix.com", "api.cloud.com"], "Port": [443, 8443],
                                              "TimeoutSeconds": 5}


def test_windows_probe_many_with_a_missing_answer_is_a_host_error():
    action = _action()
    host = WindowsHost(action, {})
    RecordingExecutor({"ansible.windows.win_powershell": {"changed": False, "output": [STEPS],
                                                          "error": []}}).install(action)
    with pytest.raises(HostError, match="1 answer"):
        host.probe_many([("cis.citrix.com", 443), ("api.cloud.com", 443)], None, 5)


def test_lab_probe_many_answers_every_target_in_one_labctl_run(tmp_path):
    (tmp_path / ".lab").mkdir()
    action = _action()
    host = LabHost(action, {"ctxlic_lab_exec": "module"}, str(tmp_path))
    executor = RecordingExecutor({"ansible.builtin.command": {"changed": True, "rc": 0,
                                                              "stdout": json.dumps([STEPS, STEPS]),
                                                              "stderr": ""}}).install(action)
    assert host.probe_many([("cis.citrix.com", 443), ("api.cloud.com", 443)], None, 5) == [STEPS, STEPS]
    [call] = executor.calls
    assert call.module_args["argv"][1:] == ["probe", "--timeout", "5", "--target", "cis.citrix.com:443",
                                            "--target", "api.cloud.com:443"]
