# Copyright: (c) 2026, ctxlic maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""failure_reason: a backend that reports a module failure says why the module failed.

With ansible-core 2.19 a module that fails by raising returns no ``msg``: ``_execute_module`` hands back
only ``exception``, a ``CapturedErrorSummary`` object whose ``event`` has ``msg``, ``chain`` (``msg_reason``
and the ``event`` of the cause) and ``events``; after JSON it is a dict of the same shape. ansible-core's
classes for it are private (``ansible._internal``), so the object here is a stand-in of that shape built
from the JSON form; the real one is read end to end in ``tests/integration/test_faults.py`` (a license file
written to a full disk reports "No space left on device", the cause of ``ansible.builtin.copy``'s error).
"""

from __future__ import annotations

import errno
import os
from types import SimpleNamespace

import pytest

from ansible_collections.ctxlic.license_server.plugins.plugin_utils._common.errors import HostError
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._host.access import failure_reason
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._host.windows_backend import WindowsHost

BACKUP = "Could not make backup of '/x/FID_site.lic' to '/x/FID_site.lic.1.2026-11-22@12:00:00~'."
ENOSPC = f"[Errno 28] {os.strerror(errno.ENOSPC)}: '/x/FID_site.lic'"
# ansible.builtin.copy failing on a full disk: its error, caused by the OSError of the write.
SUMMARY = {
    "event": {
        "msg": BACKUP,
        "chain": {"msg_reason": "<<< caused by >>>", "event": {"msg": ENOSPC, "chain": None, "events": None}},
        "events": None,
    }
}


def as_object(value):
    """The JSON form of an exception summary as attributes, the way the action sees the summary object."""
    if isinstance(value, dict):
        return SimpleNamespace(**{key: as_object(item) for key, item in value.items()})
    if isinstance(value, list | tuple):
        return tuple(as_object(item) for item in value)
    return value


def module_raised() -> dict:
    """What _execute_module returns in 2.19 for ansible.builtin.copy failing on a full disk."""
    return {"failed": True, "exception": as_object(SUMMARY)}


def test_a_module_that_raised_reports_the_messages_of_its_exception_chain():
    result = module_raised()
    assert "msg" not in result
    assert failure_reason(result) == f"{BACKUP} <<< caused by >>> {ENOSPC}"


def test_an_exception_summary_that_went_through_json_is_read_the_same_way():
    assert failure_reason({"failed": True, "exception": SUMMARY}) == f"{BACKUP} <<< caused by >>> {ENOSPC}"


@pytest.mark.parametrize("form", [dict, as_object], ids=["json", "object"])
def test_grouped_events_are_all_reported_once(form):
    disk_full = {"msg": "disk full", "chain": None, "events": None}
    summary = {"event": {"msg": "2 errors", "chain": None, "events": [disk_full, dict(disk_full)]}}
    assert failure_reason({"failed": True, "exception": form(summary)}) == "2 errors <<< caused by >>> disk full"


def test_older_ansible_core_traceback_text_gives_its_last_line():
    traceback = 'Traceback (most recent call last):\n  File "x", line 1\nOSError: [Errno 28] No space left on device\n'
    assert failure_reason({"failed": True, "exception": traceback}) == "OSError: [Errno 28] No space left on device"


@pytest.mark.parametrize(
    ("result", "reason"),
    [
        (
            {"failed": True, "msg": "Destination directory C:\\x does not exist", "stderr": "ignored"},
            "Destination directory C:\\x does not exist",
        ),
        ({"failed": True, "msg": "", "stderr": "Access is denied.\r\n"}, "Access is denied."),
        (
            {"failed": True, "module_stderr": "Traceback ...\nMemoryError", "module_stdout": ""},
            "Traceback ...\nMemoryError",
        ),
    ],
)
def test_msg_first_then_stderr(result, reason):
    assert failure_reason(result) == reason


def test_without_any_explanation_a_compact_repr_of_the_result_is_given():
    result = {"failed": True, "rc": 5, "invocation": {"module_args": {"x": "y" * 5000}}, "_ansible_parsed": True}
    assert failure_reason(result) == "{'failed': True, 'rc': 5}"
    assert len(failure_reason({"failed": True, "data": "z" * 5000})) == 500


# -- the backends use it ----------------------------------------------------------------------------
class FailingAction:
    def __init__(self, tmp_path, result: dict):
        self._task = SimpleNamespace(check_mode=False)
        self._tmp = tmp_path
        self._result = result

    def _execute_module(self, module_name, module_args, task_vars):
        return dict(self._result)

    def _make_tmp_path(self):
        return str(self._tmp / "remote")

    def _transfer_file(self, local, remote):
        return remote

    def _remove_tmp_path(self, path):
        return None


def test_run_module_reports_the_reason_of_a_module_that_raised(tmp_path):
    host = WindowsHost(FailingAction(tmp_path, module_raised()), {})
    with pytest.raises(HostError) as caught:
        host.remove("C:\\x.lic")
    assert str(caught.value).startswith("ansible.windows.win_file failed: Could not make backup")
    assert os.strerror(errno.ENOSPC) in str(caught.value)


def test_a_failed_windows_write_says_which_file_and_why(tmp_path):
    host = WindowsHost(FailingAction(tmp_path, module_raised()), {})
    with pytest.raises(HostError) as caught:
        host.write_file("C:\\MyFiles\\FID_site.lic", b"x")
    assert str(caught.value).startswith("could not write C:\\MyFiles\\FID_site.lic: Could not make backup")
    assert os.strerror(errno.ENOSPC) in str(caught.value)


def test_a_windows_program_that_could_not_start_says_why(tmp_path):
    host = WindowsHost(FailingAction(tmp_path, module_raised()), {})
    with pytest.raises(HostError, match=r"could not run C:\\lmreread.exe: Could not make backup"):
        host.run(["C:\\lmreread.exe"])


def test_unreachable_reports_the_connection_message(tmp_path):
    host = WindowsHost(FailingAction(tmp_path, {"unreachable": True, "msg": "ntlm: auth failed"}), {})
    with pytest.raises(
        HostError, match=r"host unreachable while running ansible\.windows\.win_stat: ntlm: auth failed"
    ):
        host.stat("C:\\x")
