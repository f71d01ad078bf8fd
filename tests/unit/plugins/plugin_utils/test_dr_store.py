# Copyright: (c) 2026, ctxlic maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Tests for the controller-side store of disaster-recovery backup generations."""

from __future__ import annotations

import json
import stat
from pathlib import Path
from datetime import UTC, datetime

import pytest

from ansible_collections.ctxlic.license_server.plugins.plugin_utils._dr import backup as bkp
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._store import dr_backups as ds
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._store import host_folder
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._common.errors import CtxlicError, InputError

INSTALL = r"C:\Program Files (x86)\Citrix\Licensing"
FILES = {"MyFiles/FID_a.lic": b"SERVER this_host HOSTNAME=LICSRV01\r\n", "MyFiles/CITRIX.opt": b"# opt\r\n",
         bkp.PROXY_CONFIG_RELPATH: b"<Configurations/>"}


def manifest(name: str, files: dict[str, bytes] | None = None) -> dict:
    files = FILES if files is None else files
    entries = [bkp.file_entry(bkp.BackupSource(p, bkp.host_path(INSTALL, p), bkp.kind_of(p)), d)
               for p, d in files.items()]
    return bkp.build_manifest(
        generation=name, created_at=datetime(2026, 11, 22, tzinfo=UTC), source_host="primary",
        ls_hostname="LICSRV01", ls_hostname_source="lmhostid", cluster_access_point=None, macs=[],
        ls_version="11.17.2.0 build 45000", install_dir=INSTALL, ports={}, observed_at=None, served_features=None,
        files=entries)


def test_set_dir_expands_home_and_sanitises(monkeypatch, tmp_path):
    monkeypatch.setenv("HOME", str(tmp_path))
    assert ds.set_dir("~/b", "ls 01") == tmp_path / "b" / host_folder.folder_name("ls 01")
    assert ds.set_dir("~/b", "ls 01").name.startswith("ls_01-")
    with pytest.raises(InputError):
        ds.set_dir("", "ls01")


@pytest.mark.parametrize("target", ["file", "/dev/null"])
def test_set_dir_refuses_a_file_as_backup_dir(tmp_path, target):
    path = tmp_path / "file" if target == "file" else Path(target)
    if target == "file":
        path.write_text("x")
    with pytest.raises(InputError, match="not a directory"):
        ds.set_dir(str(path), "ls01")


def test_colliding_names_get_separate_sets(tmp_path):
    """Issue 14 item 3: a@b and a#b (and accented names) shared one set, so keep=1 deleted the other's backup."""
    names = ["a@b", "a#b", "a_b", "café", "cafe", "LS01", "ls01"]
    assert len({ds.set_dir(str(tmp_path), n) for n in names}) == len(names)


def test_legacy_generations_of_this_host_move_others_stay(tmp_path):
    legacy = tmp_path / "a_b"
    mine = manifest("20261122T000000Z")
    mine["source_host"] = "a@b"
    theirs = manifest("20261123T000000Z")
    theirs["source_host"] = "a#b"
    ds.write_generation(legacy, mine, FILES)
    ds.write_generation(legacy, theirs, FILES)
    fallback, notes = ds.adopt_legacy(str(tmp_path), "a@b", {"a@b"}, check_mode=True)
    assert fallback == legacy and (legacy / "20261122T000000Z").is_dir()
    fallback, notes = ds.adopt_legacy(str(tmp_path), "a@b", {"a@b"}, check_mode=False)
    current = ds.set_dir(str(tmp_path), "a@b")
    assert fallback is None
    assert ds.generation_names(current) == ["20261122T000000Z"]
    assert ds.generation_names(legacy) == ["20261123T000000Z"]
    assert any("left alone" in n for n in notes) and any("moved 1" in n for n in notes)


def test_deeply_nested_manifest_is_a_message_not_a_traceback(tmp_path):
    gen = tmp_path / "20261122T000000Z"
    gen.mkdir()
    (gen / "manifest.json").write_text("[" * 100000 + "]" * 100000)
    with pytest.raises(InputError, match=r"nested too deeply|cannot be read"):
        ds.read_manifest(gen)


def test_written_generation_verifies_and_is_private(tmp_path):
    path = ds.write_generation(tmp_path / "set", manifest("20261122T000000Z"), FILES)
    assert path == tmp_path / "set" / "20261122T000000Z"
    assert stat.S_IMODE(path.stat().st_mode) == 0o700
    assert stat.S_IMODE((path / "MyFiles" / "FID_a.lic").stat().st_mode) == 0o600
    state, files = ds.load_generation(path)
    assert state.verified and state.problems == []
    assert {entry["path"]: data for entry, data in files} == FILES
    assert [p.name for p in (tmp_path / "set").iterdir()] == ["20261122T000000Z"]  # no temporary directory left


def test_write_refuses_content_that_does_not_match_the_manifest(tmp_path):
    with pytest.raises(CtxlicError, match="does not match"):
        ds.write_generation(tmp_path, manifest("20261122T000000Z"), dict(FILES, **{"MyFiles/CITRIX.opt": b"x"}))
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(("damage", "problem"), [
    (lambda g: (g / "MyFiles" / "FID_a.lic").write_bytes(b"SERVER this_host HOSTNAME=licsrv01\r\n"),
     "FID_a.lic does not match the manifest"),
    (lambda g: (g / "MyFiles" / "CITRIX.opt").unlink(), "CITRIX.opt is missing"),
    (lambda g: (g / bkp.MANIFEST_NAME).unlink(), "missing: the generation is incomplete"),
    (lambda g: (g / bkp.MANIFEST_NAME).write_text("{", encoding="utf-8"), "cannot be read as JSON"),
    (lambda g: (g / bkp.MANIFEST_NAME).write_text(
        json.dumps(dict(manifest("20261122T000000Z"), generation="20261121T000000Z")), encoding="utf-8"),
     "belongs to another backup"),
])
def test_damaged_generations_fail_verification(tmp_path, damage, problem):
    path = ds.write_generation(tmp_path, manifest("20261122T000000Z"), FILES)
    damage(path)
    state, _files = ds.load_generation(path)
    assert not state.verified
    assert any(problem in p for p in state.problems), state.problems


def test_scan_lists_generations_newest_first_and_ignores_other_directories(tmp_path):
    for name in ("20261120T000000Z", "20261122T000000Z", "20261121T000000Z"):
        ds.write_generation(tmp_path, manifest(name), FILES)
    (tmp_path / ".tmp-20261123T000000Z-abc").mkdir()
    (tmp_path / "notes").mkdir()
    (tmp_path / "20261119T000000Z").symlink_to(tmp_path / "20261120T000000Z")
    assert [s.name for s in ds.scan(tmp_path)] == ["20261122T000000Z", "20261121T000000Z", "20261120T000000Z"]
    assert ds.scan(tmp_path / "absent") == []


def test_delete_only_touches_generation_directories(tmp_path):
    ds.write_generation(tmp_path, manifest("20261120T000000Z"), FILES)
    assert ds.delete_generations(tmp_path, ["20261120T000000Z", "20261101T000000Z"]) == ["20261120T000000Z"]
    with pytest.raises(CtxlicError):
        ds.delete_generations(tmp_path, ["../etc"])


def test_resolve_generation_by_name_path_or_newest(tmp_path):
    for name in ("20261120T000000Z", "20261121T000000Z"):
        ds.write_generation(tmp_path, manifest(name), FILES)
    assert ds.resolve_generation(tmp_path, None).name == "20261121T000000Z"
    assert ds.resolve_generation(tmp_path, "20261120T000000Z").name == "20261120T000000Z"
    assert ds.resolve_generation(tmp_path, str(tmp_path / "20261120T000000Z")).name == "20261120T000000Z"
    with pytest.raises(InputError):
        ds.resolve_generation(tmp_path, str(tmp_path / "notes"))
    with pytest.raises(InputError, match="not in"):
        ds.resolve_generation(tmp_path, "20261122T000000Z")
