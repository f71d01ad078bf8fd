# Copyright: (c) 2026, ctxlic maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The one rule for per-host folders on the controller, legacy folders, and the controller lock (issue 14)."""

from __future__ import annotations

import json
import multiprocessing
import time

import pytest

from ansible_collections.ctxlic.license_server.plugins.plugin_utils._store import host_folder as hf
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._common.errors import CtxlicError, InputError


@pytest.mark.parametrize("names", [
    ["a@b", "a#b", "a_b", "a b"],
    ["café", "cafe", "cafè", "cafe\u0301"],  # accented letters, composed and decomposed
    ["LS01", "ls01"],  # a case-insensitive controller disk would merge these without the hash
    ["..", "@@", "host"],
])
def test_names_that_read_alike_never_share_a_folder(names):
    folders = [hf.folder_name(n) for n in names]
    assert len(set(folders)) == len(names)
    assert len({f.casefold() for f in folders}) == len(names)


def test_folder_is_readable_plus_hash_of_the_exact_name():
    assert hf.folder_name("ls-01.corp") == "ls-01.corp-" + hf.name_hash("ls-01.corp")
    assert hf.folder_name("a@b").startswith("a_b-")
    assert len(hf.folder_name("x" * 500)) == hf.READABLE_MAX + 1 + hf.HASH_DIGITS
    assert "/" not in hf.folder_name("../../etc") and not hf.folder_name("../../etc").startswith(".")
    with pytest.raises(InputError):
        hf.folder_name("")


def test_legacy_names_are_the_older_rules():
    assert hf.legacy_names("ls01") == ["ls01"]
    assert hf.legacy_names("a@b") == ["a_b"]


def _legacy(tmp_path, folder, owner):
    (tmp_path / folder).mkdir()
    (tmp_path / folder / "manifest.json").write_text(json.dumps({"host": owner}))


def owner_of(path):
    try:
        return json.loads((path / "manifest.json").read_text())["host"]
    except (OSError, ValueError, KeyError):
        return None


def test_a_legacy_folder_moves_only_when_its_manifest_names_the_host(tmp_path):
    _legacy(tmp_path, "ls01", "ls01")
    moved, notes = hf.adopt_legacy(tmp_path, "ls01", owner_of)
    assert moved == tmp_path / "ls01" and (tmp_path / hf.folder_name("ls01") / "manifest.json").is_file()
    assert len(notes) == 1 and notes[0].startswith(f"moved {tmp_path / 'ls01'} ")


def test_a_shared_legacy_folder_stays_and_is_named(tmp_path):
    _legacy(tmp_path, "a_b", "a#b")
    moved, notes = hf.adopt_legacy(tmp_path, "a@b", owner_of)
    assert moved is None and (tmp_path / "a_b").is_dir() and not (tmp_path / hf.folder_name("a@b")).exists()
    assert "another host" in notes[0] and "a_b" in notes[0]


def _hold(folder, ready, release):
    with hf.controller_lock(folder, operation="test", run_id="holder"):
        ready.set()
        release.wait(20)


def test_controller_lock_excludes_a_second_run_and_names_the_holder(tmp_path):
    ctx = multiprocessing.get_context("fork")
    ready, release = ctx.Event(), ctx.Event()
    proc = ctx.Process(target=_hold, args=(tmp_path / "h", ready, release))
    proc.start()
    try:
        assert ready.wait(10)
        started = time.monotonic()
        with pytest.raises(CtxlicError, match="in use by run holder"), \
                hf.controller_lock(tmp_path / "h", operation="test", run_id="second", wait_seconds=1):
            pass
        assert time.monotonic() - started >= 1
    finally:
        release.set()
        proc.join(10)
    with hf.controller_lock(tmp_path / "h", operation="test", run_id="third", wait_seconds=1):
        pass


def test_a_killed_holder_leaves_no_stale_controller_lock(tmp_path):
    ctx = multiprocessing.get_context("fork")
    ready, release = ctx.Event(), ctx.Event()
    proc = ctx.Process(target=_hold, args=(tmp_path / "h", ready, release))
    proc.start()
    assert ready.wait(10)
    proc.kill()
    proc.join(10)
    with hf.controller_lock(tmp_path / "h", operation="test", run_id="after", wait_seconds=2):
        pass


@pytest.mark.parametrize("where", ["file", "/dev/null", "/proc"])
def test_controller_lock_on_a_file_or_device_is_a_message(tmp_path, where):
    base = tmp_path / "f" if where == "file" else __import__("pathlib").Path(where)
    if where == "file":
        base.write_text("x")
    with pytest.raises(CtxlicError), hf.controller_lock(base / "h", operation="t", run_id="r", wait_seconds=0):
        pass
