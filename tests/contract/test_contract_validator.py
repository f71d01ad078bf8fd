# Copyright: (c) 2026, ctxlic maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The contract validator itself: it must reject what the installed module docs do not allow.

If these tests pass while the validator accepts undocumented options or return keys, the backend
contract tests built on it would prove nothing, so every check here has a failing and a passing side.
"""

from __future__ import annotations

import pytest

from .ansible_windows_contract import (
    COMMON_RETURN_KEYS,
    ContractError,
    ModuleCall,
    RecordingExecutor,
    UnexpectedModuleCall,
    module_doc,
    validate_call,
    validate_return_keys,
)

# --------------------------------------------------------------------------------------------------
# Arguments: must fail
# --------------------------------------------------------------------------------------------------

BAD_CALLS = [
    pytest.param(
        "ansible.windows.win_copy",
        {"src": "C:\\a.lic", "dest": "C:\\b.lic", "overwrite": True},
        "undocumented option 'overwrite'",
        id="win_copy-undocumented-option",
    ),
    pytest.param(
        "ansible.windows.win_copy",
        {"src": "C:\\a.lic", "dest": "C:\\b.lic", "force": "sometimes"},
        "unable to convert to bool",
        id="win_copy-force-not-bool",
    ),
    pytest.param(
        "ansible.windows.win_stat",
        {"path": {"nested": "C:\\x"}},
        "documented as path but got dict",
        id="win_stat-path-dict",
    ),
    pytest.param(
        "ansible.windows.win_command",
        {"argv": ["lmreread.exe", ["-c"]]},
        "argv[1] is documented as a list of str but got list",
        id="win_command-argv-element-list",
    ),
    pytest.param(
        "ansible.windows.win_find",
        {"paths": ["C:\\x"], "recurse": "deep"},
        "unable to convert to bool",
        id="win_find-recurse-not-bool",
    ),
    pytest.param(
        "ansible.windows.win_service",
        {"name": "Citrix Licensing", "state": "running"},
        "value of state must be one of",
        id="win_service-bad-state-choice",
    ),
    pytest.param(
        "ansible.windows.win_service",
        {"name": "Citrix Licensing", "start_mode": "automatic"},
        "value of start_mode must be one of",
        id="win_service-bad-start-mode-choice",
    ),
    pytest.param(
        "ansible.windows.win_package",
        {"path": "C:\\CitrixLicensing.exe", "state": "installed"},
        "value of state must be one of",
        id="win_package-bad-state-choice",
    ),
    pytest.param(
        "ansible.windows.win_file",
        {"path": "C:\\x", "state": "present"},
        "value of state must be one of",
        id="win_file-bad-state-choice",
    ),
    pytest.param("ansible.windows.win_stat", {}, "missing required arguments: path", id="win_stat-missing-path"),
    pytest.param(
        "ansible.windows.win_service",
        {"name": "x", "failure_actions": [{"type": "restart", "wait": 5}]},
        "undocumented option 'failure_actions.wait'",
        id="win_service-undocumented-suboption",
    ),
    pytest.param("win_stat", {"path": "C:\\x"}, "not a fully qualified collection name", id="short-module-name"),
    pytest.param("ansible.windows.win_no_such_module", {}, "no documentation file", id="unknown-module"),
    pytest.param("ansible.builtin.stat", {"path": "/x", "get_md5": True}, "undocumented option", id="builtin-stat"),
    pytest.param("ansible.builtin.file", {"path": "/x", "state": "present"}, "must be one of", id="builtin-file"),
]


@pytest.mark.parametrize(("fqcn", "args", "expected"), BAD_CALLS)
def test_validate_call_rejects_calls_the_docs_do_not_allow(fqcn: str, args: dict, expected: str) -> None:
    problems = validate_call(fqcn, args)
    assert problems, f"{fqcn} {args} should have been rejected"
    assert any(expected in problem for problem in problems), problems


def test_validate_call_reports_every_problem_at_once() -> None:
    problems = validate_call(
        "ansible.windows.win_service", {"name": "x", "state": "running", "bogus": 1, "start_mode": "sometimes"}
    )
    assert len(problems) == 3, problems


# --------------------------------------------------------------------------------------------------
# Arguments: must pass
# --------------------------------------------------------------------------------------------------

GOOD_CALLS = [
    pytest.param("ansible.windows.win_stat", {"path": "C:\\Program Files (x86)\\Citrix\\Licensing"}, id="win_stat"),
    pytest.param(
        "ansible.windows.win_stat", {"path": "C:\\x.lic", "get_checksum": True, "checksum_algorithm": "sha256"},
        id="win_stat-checksum",
    ),
    pytest.param("ansible.windows.win_service", {"name": "Citrix Licensing", "state": "stopped"}, id="win_service"),
    pytest.param("ansible.windows.win_service_info", {"name": "Citrix Licensing"}, id="win_service_info"),
    pytest.param(
        "ansible.windows.win_powershell",
        {"script": "param($Root) Get-ChildItem -LiteralPath $Root", "parameters": {"Root": "C:\\x"}},
        id="win_powershell",
    ),
    pytest.param(
        "ansible.windows.win_command",
        {"argv": ["C:\\Licensing\\LS\\lmreread.exe", "-c", "@localhost", "-all"], "chdir": "C:\\Licensing\\LS"},
        id="win_command",
    ),
    pytest.param("ansible.windows.win_file", {"path": "C:\\x\\FID_1.old", "state": "absent"}, id="win_file"),
    pytest.param(
        "ansible.windows.win_find", {"paths": ["C:\\LS\\resource\\usage"], "patterns": ["upload_compliance*.zip"]},
        id="win_find",
    ),
    pytest.param(
        "ansible.windows.win_reg_stat",
        {"path": "HKLM:\\SOFTWARE\\WOW6432Node\\Citrix\\LicenseServer\\Install", "name": "Version"},
        id="win_reg_stat",
    ),
    pytest.param("ansible.windows.slurp", {"src": "C:\\LS\\resource\\cache\\x.xml"}, id="slurp"),
    pytest.param("ansible.windows.slurp", {"path": "C:\\x.xml"}, id="slurp-alias"),
    pytest.param(
        "ansible.windows.win_package",
        {
            "path": "C:\\Temp\\CitrixLicensing.exe",
            "arguments": ["/quiet", "/l", "C:\\Temp\\ls.log"],
            "state": "present",
            "product_id": "{00000000-0000-0000-0000-000000000000}",
        },
        id="win_package",
    ),
    pytest.param(
        "ansible.windows.win_package", {"path": "C:\\x.msi", "url_timeout": 30}, id="win_package-fragment-option"
    ),
    pytest.param(
        "ansible.windows.win_copy", {"src": "C:\\a.lic", "dest": "C:\\b.lic", "remote_src": True}, id="win_copy"
    ),
    pytest.param("ansible.windows.win_stat", {"path": "C:\\x", "_ansible_check_mode": True}, id="internal-args"),
    pytest.param("ansible.builtin.stat", {"path": "/lab/ls01/x", "checksum_algorithm": "sha256"}, id="builtin-stat"),
    pytest.param("ansible.builtin.copy", {"src": "/a", "dest": "/b", "mode": "0644"}, id="builtin-copy-fragment"),
    pytest.param("ansible.builtin.slurp", {"src": "/lab/x"}, id="builtin-slurp"),
    pytest.param("ansible.builtin.command", {"argv": ["/lab/bin/lmreread", "-all"], "chdir": "/lab"}, id="command"),
]


@pytest.mark.parametrize(("fqcn", "args"), GOOD_CALLS)
def test_validate_call_accepts_documented_calls(fqcn: str, args: dict) -> None:
    assert validate_call(fqcn, args) == []


def test_validate_call_does_not_modify_the_arguments() -> None:
    args = {"name": "Citrix Licensing", "state": "started"}
    validate_call("ansible.windows.win_service", args)
    assert args == {"name": "Citrix Licensing", "state": "started"}


# --------------------------------------------------------------------------------------------------
# Return keys
# --------------------------------------------------------------------------------------------------

BAD_READS = [
    pytest.param("ansible.windows.win_stat", "stat.nonexistent", "not documented", id="stat-undocumented"),
    pytest.param("ansible.windows.win_stat", "exists", "not documented", id="win_stat-top-level-exists"),
    pytest.param("ansible.windows.win_stat", "stat.exists.value", "documented as bool", id="below-scalar"),
    pytest.param("ansible.windows.win_service_info", "services.name", "documented as a list", id="list-without-[]"),
    pytest.param("ansible.windows.win_service_info", "exists[]", "not a list", id="[]-on-scalar"),
    pytest.param("ansible.windows.win_service_info", "services[].nope", "not documented", id="list-element-key"),
    pytest.param("ansible.windows.win_powershell", "error[].exception.nope", "not documented", id="deep-contains"),
    pytest.param("ansible.windows.win_command", "return_code", "not documented", id="win_command-rc-typo"),
    pytest.param("ansible.windows.slurp", "data", "not documented", id="slurp"),
    pytest.param("ansible.windows.win_stat", "stat..exists", "not a valid path", id="bad-path-syntax"),
    pytest.param("ansible.windows.win_stat", "stat.changed", "not documented", id="common-key-only-top-level"),
    pytest.param("ansible.builtin.stat", "stat.bogus", "not documented", id="builtin-stat"),
]


@pytest.mark.parametrize(("fqcn", "key", "expected"), BAD_READS)
def test_validate_return_keys_rejects_undocumented_keys(fqcn: str, key: str, expected: str) -> None:
    problems = validate_return_keys(fqcn, [key])
    assert len(problems) == 1, problems
    assert expected in problems[0]


GOOD_READS = [
    pytest.param(
        "ansible.windows.win_stat", ["stat.exists", "stat.isdir", "stat.size", "stat.checksum"], id="win_stat"
    ),
    pytest.param("ansible.windows.win_find", ["files[].path", "files[].size", "matched", "examined"], id="win_find"),
    pytest.param("ansible.windows.win_service", ["exists", "state", "start_mode"], id="win_service"),
    pytest.param("ansible.windows.win_service_info", ["exists", "services[].name", "services[].state"], id="info"),
    pytest.param(
        "ansible.windows.win_powershell",
        ["output[]", "output[].anything", "result.free_form", "host_err", "error[].exception.message"],
        id="win_powershell-free-form",
    ),
    pytest.param("ansible.windows.win_command", ["rc", "stdout", "stderr"], id="win_command"),
    pytest.param("ansible.windows.win_reg_stat", ["exists", "value", "type"], id="win_reg_stat"),
    pytest.param("ansible.windows.slurp", ["content", "encoding"], id="slurp"),
    pytest.param("ansible.windows.win_package", ["rc", "reboot_required"], id="win_package"),
    pytest.param("ansible.windows.win_copy", ["checksum", "operation"], id="win_copy"),
    pytest.param("ansible.windows.win_file", sorted(COMMON_RETURN_KEYS), id="common-keys"),
    pytest.param("ansible.builtin.stat", ["stat.exists", "stat.mtime"], id="builtin-stat"),
    pytest.param("ansible.builtin.find", ["files[].path", "matched"], id="builtin-find"),
]


@pytest.mark.parametrize(("fqcn", "keys"), GOOD_READS)
def test_validate_return_keys_accepts_documented_keys(fqcn: str, keys: list[str]) -> None:
    assert validate_return_keys(fqcn, keys) == []


def test_validate_return_keys_reports_unknown_module_as_problem() -> None:
    assert validate_return_keys("ansible.windows.win_nope", ["x"])


# --------------------------------------------------------------------------------------------------
# module_doc
# --------------------------------------------------------------------------------------------------


def test_module_doc_merges_doc_fragments() -> None:
    assert "url_timeout" in module_doc("ansible.windows.win_package")["documentation"]["options"]
    assert "mode" in module_doc("ansible.builtin.copy")["documentation"]["options"]


def test_module_doc_reads_yaml_sidecar_docs() -> None:
    doc = module_doc("ansible.windows.slurp")
    assert doc["path"].endswith("slurp.yml")
    assert set(doc["return"]) == {"content", "encoding", "source"}


def test_module_doc_returns_copies_of_the_cache() -> None:
    module_doc("ansible.windows.win_stat")["documentation"]["options"].clear()
    assert "path" in module_doc("ansible.windows.win_stat")["documentation"]["options"]


def test_module_doc_raises_contract_error_for_unknown_module() -> None:
    with pytest.raises(ContractError, match="win_missing"):
        module_doc("ansible.windows.win_missing")


# --------------------------------------------------------------------------------------------------
# RecordingExecutor, driven by a backend shaped like the real one
# --------------------------------------------------------------------------------------------------


class _FakeAction:
    """Only what a backend needs from ActionBase: ``_execute_module``."""

    def _execute_module(self, **_kwargs: object) -> dict:
        raise AssertionError("the real _execute_module must not run in contract tests")


class _Backend:
    """Shaped like plugins/plugin_utils/_host/windows_backend.py: every module call goes through ``_run_module``."""

    def __init__(self, action: _FakeAction) -> None:
        self._action = action

    def _run_module(self, fqcn: str, args: dict, reads: tuple[str, ...] = ()) -> dict:
        return self._action._execute_module(module_name=fqcn, module_args=args, task_vars={})

    def license_dir_exists(self, path: str) -> bool:
        result = self._run_module("ansible.windows.win_stat", {"path": path}, reads=("stat.exists", "stat.isdir"))
        return bool(result["stat"]["exists"] and result["stat"].get("isdir"))

    def sloppy_copy(self) -> None:
        self._run_module("ansible.windows.win_copy", {"src": "a", "dest": "b", "overwrite": True}, reads=("checksum",))

    def sloppy_read(self, path: str) -> object:
        result = self._run_module("ansible.windows.win_stat", {"path": path}, reads=("stat.exists",))
        return result["stat"].get("mtime")  # undeclared and undocumented (win_stat has lastwritetime)

    def bad_declaration(self, path: str) -> None:
        self._run_module("ansible.windows.win_stat", {"path": path}, reads=("stat.nonexistent",))


STAT_DIR = {"changed": False, "stat": {"exists": True, "isdir": True, "path": "C:\\x"}}


def _backend(responses: dict, **kwargs: object) -> tuple[_Backend, RecordingExecutor]:
    action = _FakeAction()
    backend = _Backend(action)
    executor = RecordingExecutor(responses, **kwargs).install(action)
    executor.capture_reads(backend)
    return backend, executor


def test_recording_executor_records_calls_and_declared_reads() -> None:
    backend, executor = _backend({"ansible.windows.win_stat": STAT_DIR})
    assert backend.license_dir_exists("C:\\x") is True
    assert executor.calls == [
        ModuleCall(
            module_name="ansible.windows.win_stat",
            module_args={"path": "C:\\x"},
            task_vars={},
            reads=("stat.exists", "stat.isdir"),
            observed_reads={"stat", "stat.exists", "stat.isdir"},
            result=STAT_DIR,
        )
    ]
    assert executor.problems() == []
    executor.assert_clean()


def test_recording_executor_flags_undocumented_option() -> None:
    backend, executor = _backend({"ansible.windows.win_copy": {"changed": True, "checksum": "abc"}})
    backend.sloppy_copy()
    problems = executor.problems()
    assert len(problems) == 1 and "undocumented option 'overwrite'" in problems[0], problems
    with pytest.raises(AssertionError, match="overwrite"):
        executor.assert_clean()


def test_recording_executor_flags_undocumented_declared_read() -> None:
    backend, executor = _backend({"ansible.windows.win_stat": STAT_DIR})
    backend.bad_declaration("C:\\x")
    assert any("stat.nonexistent" in problem for problem in executor.problems())


def test_recording_executor_flags_undeclared_undocumented_read() -> None:
    backend, executor = _backend({"ansible.windows.win_stat": {"stat": {"exists": True, "mtime": 1}}})
    backend.sloppy_read("C:\\x")
    problems = executor.problems()
    assert len(problems) == 1 and "'stat.mtime' is not documented" in problems[0], problems


def test_recording_executor_without_tracking_checks_only_declared_reads() -> None:
    responses = {"ansible.windows.win_stat": {"stat": {"exists": True, "mtime": 1}}}
    backend, executor = _backend(responses, track_reads=False)
    assert backend.sloppy_read("C:\\x") == 1
    assert executor.problems() == []
    assert executor.calls[0].observed_reads == set()


def test_recording_executor_tracks_list_elements() -> None:
    executor = RecordingExecutor({"ansible.windows.win_find": {"files": [{"path": "a", "nope": 1}], "matched": 1}})
    result = executor(module_name="ansible.windows.win_find", module_args={"paths": ["C:\\x"]})
    assert [f["path"] for f in result["files"]] == ["a"]
    assert result["files"][0].get("nope") == 1
    assert executor.calls[0].observed_reads == {"files", "files[].path", "files[].nope"}
    assert executor.problems() == [
        "call 1: ansible.windows.win_find: return key 'files[].nope' is not documented in RETURN "
        "(documented here: attributes, checksum, creationtime, exists, extension, filename, hlnk_targets, isarchive, "
        "isdir, ishidden, isjunction, islnk, isreadonly, isreg, isshared, lastaccesstime, lastwritetime, lnk_source, "
        "lnk_target, nlink, owner, path, sharename, size)"
    ]


def test_recording_executor_callable_response_and_isolation() -> None:
    seen: list[dict] = []

    def respond(args: dict) -> dict:
        seen.append(args)
        return {"stat": {"exists": args["path"].endswith(".lic")}}

    executor = RecordingExecutor({"ansible.windows.win_stat": respond}, track_reads=False)
    first = executor(module_name="ansible.windows.win_stat", module_args={"path": "C:\\a.lic"})
    second = executor(module_name="ansible.windows.win_stat", module_args={"path": "C:\\a.txt"})
    assert (first["stat"]["exists"], second["stat"]["exists"]) == (True, False)
    assert seen == [{"path": "C:\\a.lic"}, {"path": "C:\\a.txt"}]
    assert len(executor.calls_to("ansible.windows.win_stat")) == 2


def test_recording_executor_canned_dict_is_copied_per_call() -> None:
    canned = {"stat": {"exists": True}}
    executor = RecordingExecutor({"ansible.windows.win_stat": canned})
    executor(module_name="ansible.windows.win_stat", module_args={"path": "C:\\x"})["stat"]["exists"] = False
    assert canned == {"stat": {"exists": True}}
    assert executor(module_name="ansible.windows.win_stat", module_args={"path": "C:\\x"})["stat"]["exists"] is True


def test_recording_executor_rejects_unexpected_module() -> None:
    executor = RecordingExecutor({"ansible.windows.win_stat": STAT_DIR})
    with pytest.raises(UnexpectedModuleCall, match=r"ansible\.windows\.win_copy"):
        executor(module_name="ansible.windows.win_copy", module_args={"src": "a", "dest": "b"})


def test_recording_executor_default_response() -> None:
    executor = RecordingExecutor(default={"changed": False})
    assert executor(module_name="ansible.windows.win_file", module_args={"path": "C:\\x", "state": "absent"}) == {
        "changed": False
    }


def test_capture_reads_requires_reads_parameter() -> None:
    class NoReads:
        def _run_module(self, fqcn: str, args: dict) -> dict:
            return {}

    with pytest.raises(TypeError, match="reads"):
        RecordingExecutor().capture_reads(NoReads())
