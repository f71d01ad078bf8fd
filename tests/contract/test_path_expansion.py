# Copyright: (c) 2026, ctxlic maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Windows paths reach the host as they are: neither backend lets a module expand variables in them.

Facts checked here, in the installed ansible-core and ansible.windows:

* ansible.windows modules expand ``%NAME%`` in every option their argument spec declares as a path:
  ``Ansible.Basic`` ``ParsePath`` and ``Get-AnsibleParam -type "path"`` call ``ExpandEnvironmentVariables``.
  The documentation's ``type: path`` is the same declaration (checked against each module's source), so
  the documentation tells which options expand.
* ansible.builtin modules expand ``$NAME`` and ``~`` in every ``type: path`` option (``check_type_path``),
  and ``ansible.builtin.command`` expands its arguments unless ``expand_argument_vars`` is false.

The Windows backend refuses a host path holding ``%NAME%`` wherever it would land in a path option and
passes it unchanged everywhere else; the lab backend never uses a path option at all, and refuses the
same paths in the same operations, so that the lab accepts no playbook Windows would refuse.
"""

from __future__ import annotations

import inspect
import re
from pathlib import Path

import ansible
import pytest
from ansible.module_utils.common import validation

from ansible_collections.ctxlic.license_server.plugins.plugin_utils._common.errors import HostError
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._host.windows_backend import WindowsHost
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._common.path_expansion import (
    EXPANDING_PATH_OPTIONS,
    expandable,
)

from .ansible_windows_contract import RecordingExecutor, module_doc, module_source, path_options
from .test_backend_contracts import LS, WINDOWS_RESPONSES, FakeAction, lab_host

# Options the Windows backend fills with host paths, and whether the module expands them.
EXPANDED = [
    ("ansible.windows.win_stat", "path"),
    ("ansible.windows.slurp", "src"),
    ("ansible.windows.win_copy", "src"),
    ("ansible.windows.win_copy", "dest"),
    ("ansible.windows.win_file", "path"),
    ("ansible.windows.win_command", "chdir"),
]
LITERAL = [
    ("ansible.windows.win_find", "paths"),
    ("ansible.windows.win_command", "argv"),
    ("ansible.windows.win_reg_stat", "path"),
    ("ansible.windows.win_powershell", "parameters"),
]


# -- the facts ------------------------------------------------------------------------------------
def _declared_type(source: str, option: str) -> str:
    """The type an ansible.windows module's source declares for ``option`` ("path" when it or its elements are)."""
    basic = re.search(rf"^\s*{re.escape(option)}\s*=\s*@\{{([^}}]*)\}}", source, re.MULTILINE)  # Ansible.Basic spec
    legacy = re.search(rf"Get-AnsibleParam\b[^\n]*-name\s+[\"']{re.escape(option)}[\"'][^\n]*", source)
    declaration = basic.group(1) if basic else legacy.group(0) if legacy else None
    if declaration is None:
        raise AssertionError(f"no declaration of option {option!r} found in the module source")
    if re.search(r"(type|elements)\s*=\s*['\"]path['\"]|-type\s+['\"]path['\"]", declaration):
        return "path"
    match = re.search(r"type\s*=\s*['\"](\w+)['\"]|-type\s+['\"](\w+)['\"]", declaration)
    return (match.group(1) or match.group(2)) if match else "str"


@pytest.mark.parametrize(("fqcn", "option"), EXPANDED + LITERAL)
def test_documented_path_options_are_the_declared_path_options(fqcn, option):
    declared = _declared_type(module_source(fqcn, ".ps1"), option)
    assert (option in path_options(fqcn)) == (declared == "path"), (fqcn, option, declared)
    assert (declared == "path") == ((fqcn, option) in EXPANDED)


def test_the_refusal_table_names_exactly_the_expanding_options():
    assert set(EXPANDING_PATH_OPTIONS.values()) == set(EXPANDED)


def _core_file(relative: str) -> str:
    return (Path(ansible.__file__).parent / relative).read_text(encoding="utf-8")


def test_powershell_path_options_expand_environment_variables():
    parse_path = re.search(
        r"public static string ParsePath\(object value\)\s*\{(.*?)\n        \}",
        _core_file("module_utils/csharp/Ansible.Basic.cs"),
        re.DOTALL,
    )
    assert parse_path and "Environment.ExpandEnvironmentVariables(stringValue)" in parse_path.group(1)
    legacy = _core_file("module_utils/powershell/Ansible.ModuleUtils.Legacy.psm1")
    assert re.search(
        r'if \(\$type -eq "path"\) \{\s*# Expand environment variables on path-type\s*'
        r"\$value = Expand-Environment\(\$value\)",
        legacy,
    )
    assert "[System.Environment]::ExpandEnvironmentVariables($value)" in legacy


def test_python_path_options_and_command_arguments_expand_shell_variables():
    assert "os.path.expandvars" in inspect.getsource(validation.check_type_path)
    option = module_doc("ansible.builtin.command")["documentation"]["options"]["expand_argument_vars"]
    assert option["type"] == "bool" and option["default"] is True


# -- the Windows backend --------------------------------------------------------------------------
ODD = LS + r"\MyFiles\FID_%TEMP%.lic"  # %TEMP% is set for every Windows user: it would expand
ODD_DIR = r"C:\Program Files\Ci%USERNAME%trix"


def _path_values(value) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list | tuple):
        return [item for item in value if isinstance(item, str)]
    return []


def _expandable_in_path_options(executor: RecordingExecutor) -> list[str]:
    return [
        f"{call.module_name} {option}={value!r}"
        for call in executor.calls
        for option in path_options(call.module_name) & set(call.module_args)
        for value in _path_values(call.module_args[option])
        if expandable(value)
    ]


def _windows(tmp_path) -> tuple[WindowsHost, RecordingExecutor, FakeAction]:
    action = FakeAction(tmp_path)
    host = WindowsHost(action, {})
    return host, RecordingExecutor(WINDOWS_RESPONSES).install(action), action


REFUSED = {
    "stat": lambda host, local: host.stat(ODD, checksum=True),
    "read_file": lambda host, local: host.read_file(ODD),
    "write_file": lambda host, local: host.write_file(ODD, b"content"),
    "put_file": lambda host, local: host.put_file(str(local), ODD_DIR + r"\CitrixLicensing.exe"),
    "remove": lambda host, local: host.remove(ODD),
    "make_dir": lambda host, local: host.make_dir(ODD_DIR),
    "run with chdir": lambda host, local: host.run([ODD_DIR + r"\LS\lmreread.exe"], chdir=ODD_DIR + r"\LS"),
}


@pytest.mark.parametrize("method", sorted(REFUSED))
def test_windows_refuses_a_path_the_host_would_expand_before_calling_anything(method, tmp_path):
    host, executor, action = _windows(tmp_path)
    local = tmp_path / "CitrixLicensing.exe"
    local.write_bytes(b"MZ")
    with pytest.raises(HostError, match="%NAME%") as caught:
        REFUSED[method](host, local)
    assert ODD in str(caught.value) or ODD_DIR in str(caught.value), "the message names the path"
    assert executor.calls == [] and action.transferred == [], "nothing ran and nothing was staged"


def test_windows_passes_such_a_path_unchanged_where_nothing_expands_it(tmp_path):
    host, executor, action = _windows(tmp_path)
    local = tmp_path / "Citrix%20Licensing%20.exe"  # a download name: staged under a name without '%'
    local.write_bytes(b"MZ")
    host.find(ODD_DIR + r"\MyFiles", ["*.lic"])
    host.rename(ODD, ODD + ".old")
    host.fetch_file(ODD, str(tmp_path / "fetched"))
    host.registry_value(r"HKLM\SOFTWARE\%Vendor%", "Version")
    host.disk_space(ODD_DIR)
    host.collect(install_dir=ODD_DIR)
    host.run([ODD_DIR + r"\LS\lmreread.exe", "-c", "@%HOST%"])
    host.put_file(str(local), LS + r"\CitrixLicensing.exe")
    args = {call.module_name: call.module_args for call in executor.calls}
    assert args["ansible.windows.win_find"]["paths"] == [ODD_DIR + r"\MyFiles"]
    assert args["ansible.windows.win_command"]["argv"] == [ODD_DIR + r"\LS\lmreread.exe", "-c", "@%HOST%"]
    assert args["ansible.windows.win_reg_stat"]["path"] == r"HKLM\SOFTWARE\%Vendor%"
    powershell = [c.module_args["parameters"] for c in executor.calls_to("ansible.windows.win_powershell")]
    assert {"Source": ODD, "Destination": ODD + ".old"} in powershell
    assert {"Path": ODD_DIR} in powershell and any(p.get("InstallDir") == ODD_DIR for p in powershell)
    assert action.fetched == [(ODD, str(tmp_path / "fetched"))]
    assert "%" not in action.transferred[0][1]
    assert _expandable_in_path_options(executor) == []
    executor.assert_clean()


def test_windows_path_options_never_receive_an_expandable_value(tmp_path):
    """The methods that take host paths, given %NAME% paths: each is refused or passes them where nothing expands."""
    host, executor, _action = _windows(tmp_path)
    local = tmp_path / "local.bin"
    local.write_bytes(b"data")
    for call in REFUSED.values():
        with pytest.raises(HostError):
            call(host, local)
    host.find(ODD_DIR, ["%x%*"])
    host.rename(ODD, ODD + ".old")
    host.disk_space(ODD_DIR)
    host.collect(install_dir=ODD_DIR)
    host.run([ODD_DIR + r"\x.exe", "%PATH%"])
    assert executor.calls, "the literal routes made their calls"
    assert _expandable_in_path_options(executor) == []


def test_a_single_percent_sign_cannot_expand_and_is_used():
    """ExpandEnvironmentVariables needs a %NAME% pair; a lone '%' (FID_100%.lic) is an ordinary character."""
    assert not expandable(LS + r"\MyFiles\FID_100%.lic")
    assert expandable(LS + r"\MyFiles\FID_%A%.lic") and expandable("C:\\50% and 60%")


# -- the lab backend ------------------------------------------------------------------------------
DOLLAR = LS + r"\MyFiles\FID_$HOME.lic"
DOLLAR_DIR = r"C:\Program Files\$PWD ~x"


def test_lab_uses_no_path_option_and_passes_windows_paths_literally(tmp_path, monkeypatch):
    host, executor, _action = lab_host(tmp_path, monkeypatch, "fs/C/Program Files/$PWD ~x/LS/lmreread.exe")
    program = tmp_path / "host" / "fs/C/Program Files/$PWD ~x/LS/lmreread.exe"
    local = tmp_path / "local.bin"
    local.write_bytes(b"data")
    host.stat(DOLLAR)
    host.read_file(DOLLAR)
    host.find(DOLLAR_DIR, ["$x*"])
    host.write_file(DOLLAR, b"x")
    host.put_file(str(local), DOLLAR_DIR + r"\CitrixLicensing.exe")
    host.rename(DOLLAR, DOLLAR + ".old")
    host.remove(DOLLAR)
    host.make_dir(DOLLAR_DIR)
    host.registry_value(r"HKLM\SOFTWARE\$x", "Version")
    host.run([DOLLAR_DIR + r"\LS\lmreread.exe", "$HOME"], chdir=DOLLAR_DIR + r"\LS")
    assert {call.module_name for call in executor.calls} == {"ansible.builtin.command"}
    for call in executor.calls:
        assert call.module_args["expand_argument_vars"] is False
        assert not path_options(call.module_name) & set(call.module_args), call.module_args
    argvs = [call.module_args["argv"] for call in executor.calls]
    for winpath in (DOLLAR, DOLLAR_DIR, DOLLAR + ".old", r"HKLM\SOFTWARE\$x"):
        assert any(winpath in argv for argv in argvs), winpath
    exec_argv = next(argv for argv in argvs if argv[1] == "exec")
    assert exec_argv[-2:] == [str(program), "$HOME"] and str(program.parent) in exec_argv
    executor.assert_clean()


@pytest.mark.parametrize("method", sorted(REFUSED))
def test_lab_refuses_what_windows_refuses_with_the_same_message(method, tmp_path, monkeypatch):
    """A %NAME% path is refused by the lab in the same operations, so a lab run predicts a Windows run."""
    local = tmp_path / "CitrixLicensing.exe"
    local.write_bytes(b"MZ")
    windows, _executor, _action = _windows(tmp_path)
    with pytest.raises(HostError) as on_windows:
        REFUSED[method](windows, local)
    lab, executor, action = lab_host(tmp_path, monkeypatch)
    with pytest.raises(HostError) as on_lab:
        REFUSED[method](lab, local)
    assert str(on_lab.value) == str(on_windows.value)
    assert executor.calls == [] and action.transferred == [], "nothing ran and nothing was staged"
