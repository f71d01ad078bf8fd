# Copyright: (c) 2026, ctxlic maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Tests for plugin_utils._store.atomic_file: the old file or the new file, never a part, and no temporary file left."""

from __future__ import annotations

import errno
import json
import os
import stat
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from ansible_collections.ctxlic.license_server.plugins.plugin_utils._store import atomic_file
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._common.errors import CtxlicError


def names(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def test_write_bytes_creates_a_private_file_and_no_temporary(tmp_path: Path) -> None:
    target = tmp_path / "data.bin"
    atomic_file.write_bytes(target, b"\x00payload\r\n")
    assert target.read_bytes() == b"\x00payload\r\n"
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert names(tmp_path) == ["data.bin"]


@pytest.mark.parametrize("mode", [0o644, 0o640, 0o400])
def test_mode_is_exact_whatever_the_umask(tmp_path: Path, mode: int) -> None:
    previous = os.umask(0o077)  # would strip group/other bits from a plain open()
    try:
        atomic_file.write_text(tmp_path / "r.txt", "x", mode=mode)
    finally:
        os.umask(previous)
    assert stat.S_IMODE((tmp_path / "r.txt").stat().st_mode) == mode


def test_write_text_keeps_newlines_exactly(tmp_path: Path) -> None:
    atomic_file.write_text(tmp_path / "t.csv", "a,b\r\nc\n\u00e9")
    assert (tmp_path / "t.csv").read_bytes() == "a,b\r\nc\n\u00e9".encode()


def test_write_json_is_sorted_indented_with_final_newline(tmp_path: Path) -> None:
    atomic_file.write_json(tmp_path / "m.json", {"b": [1], "a": "\u00e9"})
    text = (tmp_path / "m.json").read_text(encoding="utf-8")
    assert text == '{\n  "a": "\\u00e9",\n  "b": [\n    1\n  ]\n}\n'
    assert json.loads(text) == {"a": "\u00e9", "b": [1]}


def test_overwrite_replaces_the_content(tmp_path: Path) -> None:
    target = tmp_path / "m.json"
    target.write_text("old")
    atomic_file.write_json(target, {"new": True})
    assert json.loads(target.read_text()) == {"new": True}
    assert names(tmp_path) == ["m.json"]


def test_failed_rename_keeps_the_original_and_no_temporary(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "report.html"
    target.write_text("previous")

    def refuse(src: str, dst: str) -> None:
        raise OSError(errno.EXDEV, "rename refused")

    monkeypatch.setattr(atomic_file.os, "replace", refuse)
    with pytest.raises(OSError, match="rename refused"):
        atomic_file.write_text(target, "new content")
    assert target.read_text() == "previous"
    assert names(tmp_path) == ["report.html"]


@pytest.mark.parametrize("error", [OSError(errno.ENOSPC, "No space left on device"), KeyboardInterrupt()])
def test_failure_mid_stream_keeps_the_original_and_no_temporary(tmp_path: Path, error: BaseException) -> None:
    target = tmp_path / "bundle.zip"
    target.write_bytes(b"previous")
    with pytest.raises(type(error)), atomic_file.atomic_open(target) as handle:
        handle.write(b"half of the new ")
        handle.flush()
        raise error
    assert target.read_bytes() == b"previous"
    assert names(tmp_path) == ["bundle.zip"]


def test_a_full_file_system_keeps_the_original_and_no_temporary(tmp_path: Path) -> None:
    """A real short write: RLIMIT_FSIZE makes write() fail with EFBIG part-way, as a full disk does."""
    target = tmp_path / "cache.json"
    target.write_text("previous")
    script = textwrap.dedent(f"""
        import resource, signal, sys
        from ansible_collections.ctxlic.license_server.plugins.plugin_utils._store import atomic_file
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (4096, 4096))
        try:
            atomic_file.write_bytes({str(target)!r}, b"x" * 1_000_000)
        except OSError as exc:
            print(exc.errno)
            sys.exit(0)
        sys.exit("the write did not fail")
    """)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in sys.path if p)}
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == str(errno.EFBIG)
    assert target.read_text() == "previous"
    assert names(tmp_path) == ["cache.json"]


@pytest.mark.parametrize(
    ("write", "error"),
    [
        (lambda p: atomic_file.write_json(p, {"x": object()}), TypeError),
        (lambda p: atomic_file.write_text(p, "lone \ud800 surrogate"), UnicodeEncodeError),
    ],
)
def test_unwritable_payload_fails_before_touching_the_folder(tmp_path: Path, write, error) -> None:
    with pytest.raises(error):
        write(tmp_path / "out")
    assert names(tmp_path) == []


def test_missing_folder_is_an_os_error_and_creates_nothing(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        atomic_file.write_bytes(tmp_path / "absent" / "f", b"x")
    assert names(tmp_path) == []


def test_temporary_file_is_hidden_next_to_the_target_with_final_mode(tmp_path: Path) -> None:
    """Housekeeping (telemetry_bundle_store.orphans) recognises leftovers by the '.' prefix and '.tmp' suffix."""
    target = tmp_path / "b.zip"
    with atomic_file.atomic_open(target, mode=0o640) as handle:
        (temporary,) = tmp_path.iterdir()
        assert temporary.name.startswith(".b.zip.") and temporary.name.endswith(".tmp")
        assert stat.S_IMODE(temporary.stat().st_mode) == 0o640  # set before any data is written
        handle.write(b"zip")
    assert names(tmp_path) == ["b.zip"]


def test_file_and_folder_are_synced_and_a_refused_folder_sync_is_not_a_failure(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    synced: list[str] = []
    real_fsync = os.fsync

    def fsync(fd: int) -> None:
        if stat.S_ISDIR(os.fstat(fd).st_mode):
            synced.append("folder")
            raise OSError(errno.EINVAL, "folder fsync not supported")  # as several network file systems answer
        synced.append("file")
        real_fsync(fd)

    monkeypatch.setattr(atomic_file.os, "fsync", fsync)
    atomic_file.write_bytes(tmp_path / "f", b"data")
    assert synced == ["file", "folder"]
    assert (tmp_path / "f").read_bytes() == b"data"


def test_read_json_missing_valid_and_damaged(tmp_path: Path) -> None:
    """The one reader of the stores' own manifests (license backups, telemetry bundles)."""
    path = tmp_path / "manifest.json"
    assert atomic_file.read_json(path, keep_because="it lists things") is None
    atomic_file.write_json(path, {"a": [1]})
    assert atomic_file.read_json(path, keep_because="it lists things") == {"a": [1]}
    for damaged, why in (("{not json", "Expecting"), ("[" * 100000, "nested too deeply")):
        path.write_text(damaged, encoding="utf-8")
        with pytest.raises(CtxlicError, match=rf"manifest.json is not valid JSON \({why}.*keep it: it lists things"):
            atomic_file.read_json(path, keep_because="it lists things")
