# Copyright: (c) 2026, ctxlic maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The lab backend's file and registry operations (``labctl file-*``, ``registry-query``) on a real lab host.

``LabHost`` runs here against a fleet host, with a stand-in for ``_execute_module`` that runs the
``ansible.builtin.command`` argument vector as it is (what the module does with
``expand_argument_vars: false``), so every test goes through the real ``labctl`` program.
"""

from __future__ import annotations

import errno
import hashlib
import os
import re
import shutil
import stat
import subprocess
from pathlib import Path
from types import SimpleNamespace

import pytest

from ansible_collections.ctxlic.license_server.plugins.plugin_utils._common.errors import HostError
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._host.lab_backend import LabHost
from ansible_collections.ctxlic.license_server.plugins.plugin_utils.lab import fileops, fleet
from ansible_collections.ctxlic.license_server.plugins.plugin_utils.lab.layout import INSTALL_REG_KEY, win_to_lab
from clock import NOW
from lab_command_action import CommandAction

INSTALL = r"C:\Program Files (x86)\Citrix\Licensing"
MYFILES = INSTALL + r"\MyFiles"
DOLLAR = MYFILES + r"\FID_$HOME.lic"


@pytest.fixture
def lab(tmp_path):
    fleet.create_fleet(tmp_path / "fleet", [fleet.HostSpec("ls01")], start=NOW)
    root = tmp_path / "fleet" / "hosts" / "ls01"
    action = CommandAction(tmp_path)
    return SimpleNamespace(root=root, host=LabHost(action, {"ctxlic_lab_root": str(root)}, str(root)), action=action)


def on_disk(lab, winpath: str) -> Path:
    return win_to_lab(lab.root, winpath)


def test_a_dollar_in_a_windows_path_is_an_ordinary_character(lab):
    host = lab.host
    assert host.write_file(DOLLAR, b"LICENSE 1") == {"changed": True, "backup_file": None}
    literal = lab.root / "fs/C/Program Files (x86)/Citrix/Licensing/MyFiles/FID_$HOME.lic"
    assert literal.read_bytes() == b"LICENSE 1"
    info = host.stat(DOLLAR, checksum=True)
    assert info.exists and not info.is_dir and info.size == 9
    assert info.checksum == hashlib.sha1(b"LICENSE 1").hexdigest()
    assert host.read_file(DOLLAR) == b"LICENSE 1"
    assert DOLLAR in [f.path for f in host.find(MYFILES, ["*.lic"])]
    host.rename(DOLLAR, MYFILES + r"\FID_$HOME.old")
    assert not literal.exists() and literal.with_suffix(".old").read_bytes() == b"LICENSE 1"
    assert host.remove(MYFILES + r"\FID_$HOME.old") == {"changed": True}
    assert not literal.with_suffix(".old").exists()
    assert [argv[1:] for argv in lab.action.argvs if argv[1] == "file-read"] == [["file-read", DOLLAR]]


def test_a_replaced_file_is_backed_up_as_win_copy_names_it_and_same_content_is_no_change(lab):
    host = lab.host
    target = MYFILES + r"\FID_a.lic"
    host.write_file(target, b"old")
    written = host.write_file(target, b"new", backup=True)
    assert written["changed"] is True
    backup = written["backup_file"]
    assert re.fullmatch(re.escape(target) + r"\.\d+\.20261122-120000\.bak", backup), backup
    assert on_disk(lab, backup).read_bytes() == b"old" and on_disk(lab, target).read_bytes() == b"new"
    assert host.write_file(target, b"new", backup=True) == {"changed": False, "backup_file": None}
    assert host.write_file(target, b"newer", backup=False) == {"changed": True, "backup_file": None}


def test_a_written_file_keeps_the_mode_of_the_file_it_replaces(lab):
    target = MYFILES + r"\FID_mode.lic"
    lab.host.write_file(target, b"one")
    on_disk(lab, target).chmod(0o640)
    lab.host.write_file(target, b"two", backup=False)
    assert stat.S_IMODE(on_disk(lab, target).stat().st_mode) == 0o640


def test_write_refusals_name_the_windows_path(lab):
    with pytest.raises(HostError) as caught:
        lab.host.write_file(INSTALL + r"\NoSuchFolder\x.lic", b"x")
    assert str(caught.value) == (
        rf"could not write {INSTALL}\NoSuchFolder\x.lic: Destination directory '{INSTALL}\NoSuchFolder' does not exist"
    )
    with pytest.raises(HostError, match=r"could not write .*MyFiles: .*MyFiles is a folder"):
        lab.host.write_file(MYFILES, b"x")


def test_a_failed_rename_says_why_with_windows_paths(lab):
    with pytest.raises(HostError) as caught:
        lab.host.rename(MYFILES + r"\missing.lic", MYFILES + r"\missing.old")
    message = str(caught.value)
    assert message == (
        rf"could not rename {MYFILES}\missing.lic to {MYFILES}\missing.old: "
        rf"Cannot find path '{MYFILES}\missing.lic' because it does not exist."
    )


def test_rename_never_replaces_an_existing_file_as_move_item_does_not(lab):
    """Move-Item without -Force fails when the destination exists; the lab must not hide that."""
    folder = on_disk(lab, MYFILES)
    (folder / "FID_a.lic").write_text("new")
    (folder / "FID_a.old").write_text("kept")
    with pytest.raises(HostError) as caught:
        lab.host.rename(MYFILES + r"\FID_a.lic", MYFILES + r"\FID_A.OLD")
    assert "Cannot create a file when that file already exists" in str(caught.value)
    assert (folder / "FID_a.lic").read_text() == "new" and (folder / "FID_a.old").read_text() == "kept"
    lab.host.remove(MYFILES + r"\FID_a.old")
    lab.host.rename(MYFILES + r"\FID_a.lic", MYFILES + r"\FID_a.old")
    assert (folder / "FID_a.old").read_text() == "new" and not (folder / "FID_a.lic").exists()


def test_find_lists_regular_visible_files_matching_a_pattern(lab):
    folder = on_disk(lab, MYFILES)
    (folder / ".FID_hidden.lic").write_text("x")
    (folder / "sub.lic").mkdir()
    (folder / "FID_UPPER.LIC").write_text("x")  # win_find's -like ignores letter case
    names = sorted(Path(f.path.replace("\\", "/")).name for f in lab.host.find(MYFILES, ["*.lic"]))
    assert names == ["FID_UPPER.LIC", "citrix_startup.lic"]
    assert [Path(f.path.replace("\\", "/")).name for f in lab.host.find(MYFILES, ["fid_*"])] == ["FID_UPPER.LIC"]
    assert lab.host.find(MYFILES + r"\nowhere", ["*"]) == []
    entry = next(f for f in lab.host.find(MYFILES, ["CITRIX.opt"]))
    assert entry.path == MYFILES + r"\CITRIX.opt" and entry.size == (folder / "CITRIX.opt").stat().st_size


def test_stat_and_read_of_missing_paths(lab):
    assert lab.host.stat(MYFILES + r"\none.lic").exists is False
    assert lab.host.stat(MYFILES + r"\none\deeper.lic").exists is False
    assert lab.host.read_file(MYFILES + r"\none.lic") is None
    folder = lab.host.stat(MYFILES, checksum=True)
    assert folder.exists and folder.is_dir and folder.checksum is None


def test_make_dir_and_remove_follow_win_file(lab):
    deep = r"C:\Windows\Temp\ctxlic\a\b"
    assert lab.host.make_dir(deep) == {"changed": True}
    assert lab.host.make_dir(deep) == {"changed": False}
    (on_disk(lab, deep) / "f.txt").write_text("x")
    assert lab.host.remove(r"C:\Windows\Temp\ctxlic\a") == {"changed": True}
    assert not on_disk(lab, r"C:\Windows\Temp\ctxlic\a").exists()
    assert lab.host.remove(r"C:\Windows\Temp\ctxlic\a") == {"changed": False}
    with pytest.raises(HostError, match="exists and is not a folder"):
        lab.host.make_dir(MYFILES + r"\CITRIX.opt")


def test_registry_names_are_case_insensitive(lab):
    assert lab.host.registry_value(INSTALL_REG_KEY.lower(), "version") == "11.17.2.0 build 45000"
    assert lab.host.registry_value(INSTALL_REG_KEY, "LS_Install_Dir") == INSTALL
    assert lab.host.registry_value(INSTALL_REG_KEY, "NoSuchValue") is None
    assert lab.host.registry_value(r"HKLM\SOFTWARE\Nothing", "Version") is None


def test_paths_the_lab_cannot_map_are_refused(lab):
    with pytest.raises(HostError, match="UNC paths are not local paths"):
        lab.host.stat(r"\\server\share\x.lic")
    with pytest.raises(HostError, match=r"contains '\.\.'"):
        lab.host.write_file(MYFILES + r"\..\..\evil.lic", b"x")


def test_put_file_keeps_the_installer_executable(lab, tmp_path):
    installer = tmp_path / "CitrixLicensing.exe"
    installer.write_bytes(b"MZ")
    installer.chmod(0o755)
    lab.host.make_dir(r"C:\Windows\Temp\ctxlic")
    assert lab.host.put_file(str(installer), r"C:\Windows\Temp\ctxlic\CitrixLicensing.exe")["changed"] is True
    assert os.access(on_disk(lab, r"C:\Windows\Temp\ctxlic\CitrixLicensing.exe"), os.X_OK)


def test_labctl_usage_errors(lab):
    labctl = lab.root / ".lab" / "bin" / "labctl"
    proc = subprocess.run([str(labctl), "file-write", "only-one"], capture_output=True, text=True, check=False)
    assert proc.returncode == 2 and "usage: labctl file-stat" in proc.stdout


# -- a full disk, in-process -------------------------------------------------------------------------
def _no_space(*_args, **_kwargs):
    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


@pytest.mark.parametrize("failing", ["shutil.copyfileobj", "shutil.copy2"])
def test_a_full_disk_leaves_the_original_and_nothing_else(lab, tmp_path, monkeypatch, failing):
    target = MYFILES + r"\FID_site.lic"
    on_disk(lab, target).write_bytes(b"original")
    before = sorted(p.name for p in on_disk(lab, MYFILES).iterdir())
    staged = tmp_path / "staged"
    staged.write_bytes(b"replacement")
    if failing == "shutil.copy2":
        real_copy2 = shutil.copy2

        def partial_backup(src, dst):  # the backup starts, then the disk is full
            real_copy2(src, dst)
            _no_space()

        monkeypatch.setattr(fileops.shutil, "copy2", partial_backup)
    else:
        monkeypatch.setattr(fileops.shutil, "copyfileobj", _no_space)
    rc, answer = fileops.run_command(lab.root, "file-write", ["--backup", str(staged), target])
    assert rc == 1 and os.strerror(errno.ENOSPC) in answer["msg"]
    assert on_disk(lab, target).read_bytes() == b"original"
    assert sorted(p.name for p in on_disk(lab, MYFILES).iterdir()) == before, "no backup or temporary file left"
