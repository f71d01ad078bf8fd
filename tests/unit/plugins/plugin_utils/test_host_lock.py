# Copyright: (c) 2026, ctxlic maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The host-side lock of destructive operations: content, the stale rule, and acquire/release (issue 14 item 4)."""

from __future__ import annotations

import datetime
import os
import socket

import pytest

from ansible_collections.ctxlic.license_server.plugins.plugin_utils._host import lock as hl
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._common.errors import HostError
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._host.access import FileInfo

NOW = datetime.datetime(2026, 12, 2, 7, 0, tzinfo=datetime.UTC)


def info(**kw):
    data = hl.lock_content(run_id="r1", operation="license_file: remove a.lic", controller="ctl", pid=42, now=NOW,
                           ttl_seconds=600)
    parsed = hl.parse_lock(data)
    for key, value in kw.items():
        setattr(parsed, key, value)
    return parsed


def test_content_round_trips():
    parsed = info()
    assert parsed.run_id == "r1" and parsed.pid == 42 and parsed.controller == "ctl" and parsed.problem is None
    assert parsed.expires_at == NOW + datetime.timedelta(seconds=600)
    assert "license_file: remove a.lic" in parsed.describe()


@pytest.mark.parametrize("data", [b"", b"\xff", b"[]", b"{}", b"[" * 50000, b'{"run_id": "x"}'])
def test_damaged_locks_parse_without_raising(data):
    assert hl.parse_lock(data).problem


def test_a_live_lock_is_never_stale():
    stale, _why = hl.judge(info(), now=NOW, controller="ctl", pid_alive=lambda pid: True, file_mtime=None)
    assert not stale
    stale, _why = hl.judge(info(), now=NOW, controller="other", pid_alive=lambda pid: False, file_mtime=None)
    assert not stale, "a pid is only judged on the controller that wrote it"


def test_expired_or_dead_locks_are_stale():
    later = NOW + datetime.timedelta(seconds=601)
    assert hl.judge(info(), now=later, controller="x", pid_alive=lambda pid: True, file_mtime=None)[0]
    assert hl.judge(info(), now=NOW, controller="ctl", pid_alive=lambda pid: False, file_mtime=None)[0]


def test_damaged_lock_is_stale_only_when_old():
    bad = hl.parse_lock(b"junk")
    assert not hl.judge(bad, now=NOW, controller="c", pid_alive=lambda p: False, file_mtime=None)[0]
    assert not hl.judge(bad, now=NOW, controller="c", pid_alive=lambda p: False, file_mtime=NOW.timestamp() - 10)[0]
    assert hl.judge(bad, now=NOW, controller="c", pid_alive=lambda p: False,
                    file_mtime=NOW.timestamp() - 7200)[0]


def test_pid_alive():
    assert hl.pid_alive(os.getpid())
    assert not hl.pid_alive(0)


class FakeHost:
    """Files in a dict; rename never replaces (as Move-Item and the lab)."""

    def __init__(self):
        self.files: dict[str, bytes] = {}

    def make_dir(self, path):
        return {"changed": False}

    def write_file(self, path, content, backup=True):
        self.files[path] = content
        return {"changed": True}

    def rename(self, src, dest):
        if dest in self.files or src not in self.files:
            raise HostError("Cannot create a file when that file already exists")
        self.files[dest] = self.files.pop(src)

    def read_file(self, path):
        return self.files.get(path)

    def remove(self, path):
        self.files.pop(path, None)
        return {"changed": True}

    def stat(self, path, checksum=False):
        return FileInfo(path=path, exists=path in self.files, mtime=NOW.timestamp())


def test_second_run_is_refused_while_the_first_holds_the_lock():
    host = FakeHost()
    with hl.locked(host, "first"):
        with pytest.raises(HostError, match=r"another run holds the lock.*first"), hl.locked(host, "second"):
            pass
        assert list(host.files) == [hl.LOCK_PATH], "the refused run left nothing behind"
    assert host.files == {}


def test_a_dead_holders_lock_is_broken_and_said():
    host = FakeHost()
    host.files[hl.LOCK_PATH] = hl.lock_content(run_id="dead", operation="old", controller=socket.gethostname(),
                                               pid=2 ** 22 + 12345, now=datetime.datetime.now(datetime.UTC))
    notes: list[str] = []
    with hl.locked(host, "new", notes=notes) as lock:
        assert hl.parse_lock(host.files[hl.LOCK_PATH]).run_id == lock.run_id
    assert any("broke the stale lock" in n for n in notes)
    assert host.files == {}


def test_release_leaves_a_lock_that_is_no_longer_ours():
    host = FakeHost()
    notes: list[str] = []
    with hl.locked(host, "mine", notes=notes):
        host.files[hl.LOCK_PATH] = b'{"run_id": "other"}'
    assert hl.LOCK_PATH in host.files and any("no longer held" in n for n in notes)
