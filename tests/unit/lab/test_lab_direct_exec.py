# Copyright: (c) 2026, ctxlic maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The lab backend's two ways of starting ``labctl`` (host variable ``ctxlic_lab_exec``).

``direct`` (default) hands a command line to the connection (``_low_level_execute_command``, ``/bin/sh -c``
on the ``local`` connection), quoted with the connection shell's quoting; ``module`` runs
``ansible.builtin.command``. Both must pass every Windows path literally (``$``, spaces, quotes, ``~``,
non-ASCII), give the same answers, record the same calls and keep check mode as it was.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from types import SimpleNamespace

import pytest

from ansible_collections.ctxlic.license_server.plugins.plugin_utils._common.errors import HostError
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._host.lab_backend import LabHost, exec_mode
from ansible_collections.ctxlic.license_server.plugins.plugin_utils.lab import fleet
from ansible_collections.ctxlic.license_server.plugins.plugin_utils.lab.layout import win_to_lab
from clock import NOW
from lab_command_action import CommandAction

MYFILES = r"C:\Program Files (x86)\Citrix\Licensing\MyFiles"
HOSTILE_NAMES = [
    "FID_$HOME.lic",
    "FID_${PATH}.lic",
    "FID_`id`.lic",
    "FID_$(id).lic",
    "FID_it's.lic",
    'FID_say "hi".lic',
    "FID_two  spaces.lic",
    "FID_~user.lic",
    "FID_ünïcödé_日本.lic",
    "FID_a;b|c&d.lic",
    "FID_new\nline.lic",
    "FID_*glob?.lic",
    "-FID_dash.lic",
]


@pytest.fixture(scope="module")
def fleet_root(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("direct") / "fleet"
    fleet.create_fleet(root, [fleet.HostSpec("ls01")], start=NOW)
    return root / "hosts" / "ls01"


def _host(root: Path, tmp_path: Path, mode: str | None) -> tuple[LabHost, CommandAction]:
    action = CommandAction(tmp_path)
    task_vars = {"ctxlic_lab_root": str(root)}
    if mode is not None:
        task_vars["ctxlic_lab_exec"] = mode
    return LabHost(action, task_vars, str(root)), action


def test_direct_is_the_default_and_the_setting_is_checked(fleet_root, tmp_path):
    assert _host(fleet_root, tmp_path, None)[0].exec_mode == "direct"
    assert _host(fleet_root, tmp_path, "module")[0].exec_mode == "module"
    assert _host(fleet_root, tmp_path, " Direct ")[0].exec_mode == "direct"
    with pytest.raises(HostError, match=r"ctxlic_lab_exec='ssh' is not a way .* set it to direct or module"):
        _host(fleet_root, tmp_path, "ssh")


def test_the_setting_is_templated():
    action = SimpleNamespace(_templar=SimpleNamespace(template=lambda value: value.replace("{{ m }}", "module")))
    assert exec_mode(action, {"ctxlic_lab_exec": "{{ m }}"}) == "module"


@pytest.mark.parametrize("name", HOSTILE_NAMES)
def test_direct_passes_hostile_windows_paths_literally(name, fleet_root, tmp_path):
    host, action = _host(fleet_root, tmp_path, None)
    path = MYFILES + "\\" + name
    content = name.encode("utf-8")
    assert host.write_file(path, content, backup=False)["changed"] is True
    try:
        assert win_to_lab(fleet_root, path).read_bytes() == content, "written under its literal name"
        info = host.stat(path, checksum=True)
        assert info.exists and info.size == len(content)
        assert info.checksum == hashlib.sha1(content).hexdigest()
        assert host.read_file(path) == content
        assert path in [f.path for f in host.find(MYFILES, ["*.lic"])]
    finally:
        assert host.remove(path) == {"changed": True}
    assert not win_to_lab(fleet_root, path).exists()
    # The shell received exactly the argument vector that was recorded: nothing expanded, split or joined.
    assert action.argvs == [call.args["argv"] for call in host.calls]
    assert any(path in argv for argv in action.argvs)


def _unstaged(args: dict) -> dict:
    """The call without the name of the staged temporary file (random in each run)."""
    argv = list(args["argv"])
    if argv[1] == "file-write":
        argv[-2] = "<staged>"
    return {**args, "argv": argv}


def test_both_settings_answer_alike_and_record_the_same_calls(fleet_root, tmp_path):
    path = MYFILES + r"\FID_$HOME it's.lic"
    answers, recorded = {}, {}
    for mode in ("direct", "module"):
        host, _action = _host(fleet_root, tmp_path / mode, mode)
        host.write_file(path, b"LICENSE", backup=False)
        answers[mode] = (
            host.stat(path, checksum=True).checksum,
            host.read_file(path),
            host.registry_value(r"HKLM\SOFTWARE\WOW6432Node\Citrix\LicenseServer\Install", "Version"),
            host.service("Citrix Licensing"),
            host.disk_space(MYFILES),
            host.collect(max_bytes=1024)["install_dir_exists"],
            host.remove(path),
            host.stat(path).exists,
        )
        recorded[mode] = [(c.module, _unstaged(c.args), c.reads) for c in host.calls]
    assert answers["direct"] == answers["module"]
    assert recorded["direct"] == recorded["module"]
    assert {module for module, _args, _reads in recorded["direct"]} == {"ansible.builtin.command"}


def test_direct_check_mode_runs_read_only_calls_and_refuses_the_others(fleet_root, tmp_path):
    host, action = _host(fleet_root, tmp_path, None)
    action._task.check_mode = True
    assert host.stat(MYFILES).is_dir  # read-only: runs in check mode
    before = len(action.argvs)
    with pytest.raises(HostError, match="check mode"):
        host._labctl("file-mkdir", MYFILES + r"\new", read_only=False)  # the layer's own guard comes first
    assert len(action.argvs) == before, "nothing ran"
    assert action._task.check_mode is True


def test_a_missing_labctl_is_a_clear_error(fleet_root, tmp_path):
    broken = tmp_path / "broken"
    (broken / ".lab").mkdir(parents=True)
    host, _action = _host(broken, tmp_path, None)
    with pytest.raises(HostError, match=r"lab control program .*labctl could not be started \(exit status 127"):
        host.stat(MYFILES)


def test_a_failing_command_reports_labctl_s_message(fleet_root, tmp_path):
    host, _action = _host(fleet_root, tmp_path, None)
    with pytest.raises(HostError, match=r"could not rename .*Cannot find path"):
        host.rename(MYFILES + r"\FID_none $x.lic", MYFILES + r"\FID_none.old")


# -- batch deletion (remove_verified) on a real lab host ------------------------------------------
USAGE_DIR = r"C:\Program Files (x86)\Citrix\Licensing\LS\resource\usage"


@pytest.mark.parametrize("mode", ["direct", "module"])
def test_batch_removal_deletes_only_files_with_the_verified_content_in_one_call(mode, fleet_root, tmp_path):
    host, action = _host(fleet_root, tmp_path, mode)
    names = ["upload_compliance_$HOME it's.zip", "upload_compliance_ünï.zip", "upload_compliance_changed.zip"]
    paths = [USAGE_DIR + "\\" + name for name in names]
    for path in paths:
        win_to_lab(fleet_root, path).write_bytes(path.encode("utf-8"))
    files = [{"path": p, "size": len(p.encode("utf-8")), "sha1": hashlib.sha1(p.encode("utf-8")).hexdigest()}
             for p in paths]
    win_to_lab(fleet_root, paths[2]).write_bytes(b"X" * files[2]["size"])  # same size, other content
    folder = USAGE_DIR + r"\upload_compliance_dir.zip"
    win_to_lab(fleet_root, folder).mkdir()
    gone = USAGE_DIR + r"\upload_compliance_gone.zip"
    files += [{"path": folder, "size": 0, "sha1": "0" * 40}, {"path": gone, "size": 1, "sha1": "1" * 40}]
    before = len(host.calls)
    try:
        results = host.remove_verified(files)
    finally:
        win_to_lab(fleet_root, folder).rmdir()
    assert [r["outcome"] for r in results] == ["deleted", "deleted", "changed", "changed", "absent"]
    assert [r["path"] for r in results] == [f["path"] for f in files]
    assert len(host.calls) - before == 1, "one remote call for the whole batch"
    assert not win_to_lab(fleet_root, paths[0]).exists() and not win_to_lab(fleet_root, paths[1]).exists()
    assert win_to_lab(fleet_root, paths[2]).read_bytes() == b"X" * files[2]["size"], "changed content is kept"
    win_to_lab(fleet_root, paths[2]).unlink()
    assert action.argvs[-1][1] == "file-remove-verified" and paths[0] in action.argvs[-1]


def test_a_lab_file_that_cannot_be_deleted_is_reported_and_the_others_are_deleted(fleet_root, tmp_path):
    host, _action = _host(fleet_root, tmp_path, None)
    free = win_to_lab(fleet_root, USAGE_DIR + r"\upload_compliance_free.zip")
    free.write_bytes(b"b")
    results = host.remove_verified([
        {"path": r"\\server\share\a.zip", "size": 1, "sha1": hashlib.sha1(b"a").hexdigest()},
        {"path": USAGE_DIR + r"\upload_compliance_free.zip", "size": 1, "sha1": hashlib.sha1(b"b").hexdigest()},
    ])
    assert results[0]["outcome"] == "failed" and "UNC paths are not local paths" in results[0]["msg"]
    assert results[1]["outcome"] == "deleted" and not free.exists()


@pytest.mark.parametrize("mode", ["direct", "module"])
def test_stat_files_answers_as_stat_does_for_each_path_in_one_call(mode, fleet_root, tmp_path):
    host, _action = _host(fleet_root, tmp_path, mode)
    named = [MYFILES + "\\" + name for name in ("FID_$x it's.lic", "FID_ünï.lic")]
    for path in named:
        win_to_lab(fleet_root, path).write_bytes(path.encode("utf-8"))
    try:
        paths = [*named, MYFILES + r"\FID_missing.lic", MYFILES, MYFILES + r"\citrix_startup.lic"]
        before = len(host.calls)
        batch = host.stat_files(paths, checksum=True)
        assert len(host.calls) - before == 1, "one remote call"
        assert batch == [host.stat(path, checksum=True) for path in paths]
        assert [(i.exists, i.is_dir) for i in batch] == [(True, False), (True, False), (False, False),
                                                         (True, True), (True, False)]
        assert batch[0].checksum == hashlib.sha1(named[0].encode("utf-8")).hexdigest()
        assert host.stat_files([]) == []
    finally:
        for path in named:
            win_to_lab(fleet_root, path).unlink()
