"""failure_reason: a backend that reports a module failure says why the module failed.

With ansible-core 2.19 a module that fails by raising returns no ``msg``: ``_execute_module`` hands back
only ``exception``, a ``CapturedErrorSummary``. The summaries here are built the way ansible-core builds
them (``EventFactory.from_exception`` on the target, ``normalize_result_exception`` on the controller).
"""

from __future__ import annotations

import errno
import os
from types import SimpleNamespace

import pytest
from ansible._internal._errors._captured import AnsibleModuleCapturedError
from ansible.module_utils._internal import _errors, _messages

from ansible_collections.ctxlic.license_server.plugins.plugin_utils._common.errors import HostError
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._host.access import failure_reason
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._host.windows_backend import WindowsHost

BACKUP = "Could not make backup of '/x/FID_site.lic' to '/x/FID_site.lic.1.2026-11-22@12:00:00~'."
ENOSPC = f"[Errno 28] {os.strerror(errno.ENOSPC)}: '/x/FID_site.lic'"


def _raised_with_cause() -> BaseException:
    try:
        try:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), "/x/FID_site.lic")
        except OSError as inner:
            raise RuntimeError(BACKUP) from inner
    except RuntimeError as outer:
        return outer


def module_raised() -> dict:
    """The result of ansible.builtin.copy failing on a full disk, as _execute_module returns it in 2.19."""
    result = {
        "failed": True,
        "exception": _messages.ErrorSummary(event=_errors.EventFactory.from_exception(_raised_with_cause(), False)),
    }
    AnsibleModuleCapturedError.normalize_result_exception(result)
    return result


def test_a_module_that_raised_reports_the_messages_of_its_exception_chain():
    result = module_raised()
    assert "msg" not in result and type(result["exception"]).__name__ == "CapturedErrorSummary"
    assert failure_reason(result) == f"{BACKUP} <<< caused by >>> {ENOSPC}"


def test_an_exception_summary_that_went_through_json_is_read_the_same_way():
    result = {
        "failed": True,
        "exception": {
            "event": {
                "msg": BACKUP,
                "chain": {"msg_reason": "<<< caused by >>>", "event": {"msg": ENOSPC, "chain": None}},
                "events": None,
            }
        },
    }
    assert failure_reason(result) == f"{BACKUP} <<< caused by >>> {ENOSPC}"


def test_grouped_events_are_all_reported_once():
    inner = _messages.Event(msg="disk full")
    event = _messages.Event(msg="2 errors", events=(inner, _messages.Event(msg="disk full")))
    assert failure_reason({"failed": True, "exception": _messages.ErrorSummary(event=event)}) == (
        "2 errors <<< caused by >>> disk full"
    )


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
