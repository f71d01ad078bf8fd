# Copyright: (c) 2026, ctxlic maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Run an action plugin's ``run()`` without ``ansible-playbook``: a fake host with recorded answers.

The way ansible.windows unit-tests ``win_updates`` (the action plugin object built by hand, the remote
side answered from records): here the seam is the collection's host access layer. :class:`FakeHost`
is an in-memory Windows host (files, registry, services, programs) that records every call, and
``run_action`` builds the plugin with a real ``Task``, ``DataLoader`` and ``Templar`` and returns the
task result. A test then asserts ``changed``, ``msg``, ``diff``, check mode and ``host.calls``.

Programs answer from ``programs``: a map from the program's file name (``lmreread.exe``) to a
:class:`RunResult`, a list of them (one per call, in order) or a callable ``fn(argv, host) -> RunResult``.
``collect`` answers with the ``collect`` record given (a collection recorded from a lab host, kept
under ``tests/fixtures/collect/``), or with the next of a list of them; ``probe`` with ``probe``, or with
what a callable ``probe(upload_host, port, proxy, timeout)`` returns.
"""

from __future__ import annotations

import copy
import hashlib
import ntpath
from collections.abc import Callable
from pathlib import Path
from typing import Any


from ansible_collections.ctxlic.license_server.plugins.plugin_utils._common.errors import HostError
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._host.access import (
    FileInfo,
    HostAccess,
    RunResult,
    ServiceInfo,
)

ProgramAnswer = RunResult | list[RunResult] | Callable[[list[str], "FakeHost"], RunResult]


def _key(path: str) -> str:
    return ntpath.normcase(ntpath.normpath(path))


class FakeHost(HostAccess):
    """An in-memory Windows license server; ``calls`` lists (operation, arguments) in order."""

    backend = "fake"

    def __init__(
        self,
        files: dict[str, bytes] | None = None,
        registry: dict[tuple[str, str], Any] | None = None,
        services: dict[str, dict[str, str]] | None = None,
        programs: dict[str, ProgramAnswer] | None = None,
        collect: dict | list[dict] | None = None,
        probe: dict | Callable[[str, int, str | None, int], dict] | None = None,
        staging: str = r"C:\ProgramData\ctxlic\staging",
        free_bytes: int = 10 * 1024**3,
    ) -> None:
        super().__init__(action=None, task_vars={})
        self.files: dict[str, tuple[str, bytes]] = {}
        self.dirs: set[str] = set()
        for path, content in (files or {}).items():
            self._store(path, content)
        self.registry = {(k.lower(), n.lower()): v for (k, n), v in (registry or {}).items()}
        self.services = {name.lower(): dict(info, name=name) for name, info in (services or {}).items()}
        self.programs = dict(programs or {})
        self.collect_record = collect
        self.probe_record = probe
        self.staging = staging
        self.free_bytes = free_bytes
        self.log: list[tuple[str, tuple]] = []
        self.fail_removal: set[str] = set()

    # -- bookkeeping ------------------------------------------------------------------------------
    def _store(self, path: str, content: bytes) -> None:
        self.files[_key(path)] = (path, bytes(content))
        parent = ntpath.dirname(path)
        while parent and _key(parent) not in self.dirs and parent != ntpath.dirname(parent):
            self.dirs.add(_key(parent))
            parent = ntpath.dirname(parent)

    def _record(self, operation: str, *args: Any) -> None:
        self.log.append((operation, args))

    def _changing(self, what: str) -> None:
        self._refuse_in_check_mode(what)

    @property
    def check_mode(self) -> bool:
        return bool(self._action is not None and self._action._task.check_mode)

    def content(self, path: str) -> bytes | None:
        entry = self.files.get(_key(path))
        return entry[1] if entry else None

    def operations(self) -> list[str]:
        return [entry[0] for entry in self.log]

    def changes(self) -> list[tuple[str, tuple]]:
        read = {"stat", "stat_files", "read_file", "find", "service", "registry_value", "disk_space", "collect",
                "staging_dir", "probe", "probe_many", "fetch_file"}
        return [(op, args) for op, args in self.log if op not in read and not (op == "run" and args[2])]

    # -- files ------------------------------------------------------------------------------------
    def stat(self, path: str, checksum: bool = False) -> FileInfo:
        self._record("stat", path, checksum)
        entry = self.files.get(_key(path))
        if entry is not None:
            digest = hashlib.sha1(entry[1]).hexdigest() if checksum else None
            return FileInfo(path, True, False, len(entry[1]), 1.0, digest)
        if _key(path) in self.dirs:
            return FileInfo(path, True, True)
        return FileInfo(path, False)

    def stat_files(self, paths: list[str], checksum: bool = False) -> list[FileInfo]:
        """One recorded call (``stat_files``) answering as :meth:`stat` does for each path."""
        self._record("stat_files", tuple(paths), checksum)
        log = len(self.log)
        infos = [self.stat(path, checksum) for path in paths]
        del self.log[log:]
        return infos

    def read_file(self, path: str) -> bytes | None:
        self._record("read_file", path)
        return self.content(path)

    def find(self, directory: str, patterns: list[str]) -> list[FileInfo]:
        import fnmatch

        self._record("find", directory, tuple(patterns))
        found = []
        for key, (path, data) in sorted(self.files.items()):
            if ntpath.dirname(key) == _key(directory) and any(
                    fnmatch.fnmatch(ntpath.basename(key), p.lower()) for p in patterns):
                found.append(FileInfo(path, True, False, len(data), 1.0))
        return found

    def write_file(self, path: str, content: bytes, backup: bool = True) -> dict:
        self._record("write_file", path, backup)
        self._changing(f"writing {path}")
        before = self.content(path)
        backup_file = None
        if backup and before is not None and before != content:
            backup_file = f"{path}.1.bak"
            self._store(backup_file, before)
        self._store(path, content)
        return {"changed": before != content, "backup_file": backup_file}

    def put_file(self, local_path: str, path: str) -> dict:
        self._record("put_file", local_path, path)
        self._changing(f"copying {local_path} to {path}")
        data = Path(local_path).read_bytes()
        before = self.content(path)
        self._store(path, data)
        return {"changed": before != data}

    def fetch_file(self, path: str, local_path: str) -> None:
        self._record("fetch_file", path, local_path)
        data = self.content(path)
        if data is None:
            raise HostError(f"{path} does not exist")
        Path(local_path).write_bytes(data)

    def rename(self, src: str, dest: str) -> None:
        self._record("rename", src, dest)
        self._changing(f"renaming {src}")
        data = self.content(src)
        if data is None:
            raise HostError(f"{src} does not exist")
        del self.files[_key(src)]
        self._store(dest, data)

    def remove(self, path: str) -> dict:
        self._record("remove", path)
        self._changing(f"removing {path}")
        existed = self.files.pop(_key(path), None) is not None
        return {"changed": existed}

    def remove_verified(self, files: list[dict]) -> list[dict]:
        """One recorded call for the batch; each file is deleted only while its size and SHA-1 still match.

        ``fail_removal`` (a set of paths) makes those files answer ``failed``, as a locked file would.
        """
        busy = "The process cannot access the file because it is being used by another process"
        if not files:
            return []
        self._record("remove_verified", tuple(f["path"] for f in files))
        self._changing(f"removing {len(files)} file(s)")
        results = []
        for item in files:
            data = self.content(item["path"])
            if item["path"] in self.fail_removal:
                outcome, msg = "failed", busy
            elif data is None:
                outcome, msg = ("changed" if _key(item["path"]) in self.dirs else "absent"), None
            elif len(data) != int(item["size"]) or hashlib.sha1(data).hexdigest() != str(item["sha1"]).lower():
                outcome, msg = "changed", None
            else:
                del self.files[_key(item["path"])]
                outcome, msg = "deleted", None
            results.append({"path": item["path"], "outcome": outcome, "msg": msg})
        return results

    def make_dir(self, path: str) -> dict:
        self._record("make_dir", path)
        self._changing(f"creating {path}")
        existed = _key(path) in self.dirs
        self.dirs.add(_key(path))
        return {"changed": not existed}

    # -- programs, services, registry, disk -------------------------------------------------------
    def run(self, argv: list[str], chdir: str | None = None, *, read_only: bool = False) -> RunResult:
        self._record("run", tuple(argv), chdir, read_only)
        if not read_only:
            self._changing(f"running {argv[0]}")
        answer = self.programs.get(ntpath.basename(argv[0]).lower())
        if answer is None:
            raise AssertionError(f"FakeHost: no recorded answer for {argv!r}; give programs={{...}}")
        if isinstance(answer, list):
            if not answer:
                raise AssertionError(f"FakeHost: the recorded answers for {argv[0]} are used up")
            result = answer.pop(0)
        elif callable(answer):
            result = answer(list(argv), self)
        else:
            result = answer
        return RunResult(list(argv), result.rc, result.stdout, result.stderr)

    def service(self, name: str) -> ServiceInfo:
        self._record("service", name)
        info = self.services.get(name.lower())
        if info is None:
            return ServiceInfo(name, False)
        return ServiceInfo(name, True, info.get("state"), info.get("start_mode"))

    def set_service(self, name: str, state: str) -> dict:
        self._record("set_service", name, state)
        self._changing(f"setting service {name} {state}")
        info = self.services.get(name.lower())
        if info is None:
            raise HostError(f"service {name!r} does not exist")
        new = "running" if state in {"started", "restarted"} else "stopped"
        changed = state == "restarted" or info.get("state") != new
        info["state"] = new
        return {"changed": changed, "state": new}

    def set_service_start_mode(self, name: str, start_mode: str) -> dict:
        self._record("set_service_start_mode", name, start_mode)
        self._changing(f"setting the start mode of {name}")
        info = self.services.get(name.lower())
        if info is None:
            raise HostError(f"service {name!r} does not exist")
        changed = info.get("start_mode") != start_mode
        info["start_mode"] = start_mode
        return {"changed": changed, "start_mode": start_mode}

    def registry_value(self, key: str, name: str) -> Any:
        self._record("registry_value", key, name)
        return self.registry.get((key.lower(), name.lower()))

    def disk_space(self, path: str) -> dict:
        self._record("disk_space", path)
        return {"free_bytes": self.free_bytes, "total_bytes": 4 * self.free_bytes}

    def collect(self, install_dir: str | None = None, max_bytes: int = 1024 * 1024) -> dict:
        self._record("collect", install_dir, max_bytes)
        if isinstance(self.collect_record, list):  # one recorded answer per call, in order
            if not self.collect_record:
                raise AssertionError("FakeHost: the recorded collect answers are used up")
            return copy.deepcopy(self.collect_record.pop(0))
        if self.collect_record is None:
            raise AssertionError("FakeHost: no recorded collect answer; give collect=recorded_collect(...)")
        return copy.deepcopy(self.collect_record)

    def staging_dir(self) -> str:
        self._record("staging_dir")
        return self.staging

    def probe_many(self, targets: list[tuple[str, int]], proxy: str | None, timeout: int) -> list[dict]:
        """One recorded call (``probe_many``) answering as :meth:`probe` does for each target."""
        self._record("probe_many", tuple(targets), proxy, timeout)
        log = len(self.log)
        answers = [self.probe(target_host, target_port, proxy, timeout) for target_host, target_port in targets]
        del self.log[log:]
        return answers

    def probe(self, upload_host: str, port: int, proxy: str | None, timeout: int) -> dict:
        self._record("probe", upload_host, port, proxy, timeout)
        if callable(self.probe_record):  # answers per target: fn(upload_host, port, proxy, timeout) -> dict
            return copy.deepcopy(self.probe_record(upload_host, port, proxy, timeout))
        if self.probe_record is None:
            raise AssertionError("FakeHost: no recorded probe answer; give probe={...}")
        return copy.deepcopy(self.probe_record)


def ok(stdout: str = "", rc: int = 0, stderr: str = "") -> RunResult:
    """A recorded program answer."""
    return RunResult([], rc, stdout, stderr)


COLLECT_FIXTURES = Path(__file__).resolve().parents[3] / "fixtures" / "collect"


def recorded_collect(name: str) -> dict:
    """A ``collect`` answer recorded from a lab host (``tests/fixtures/collect/<name>.json``, see its README)."""
    import json

    return json.loads((COLLECT_FIXTURES / f"{name}.json").read_text(encoding="utf-8"))
