# Copyright: (c) 2026, ctxlic maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# Internal use only: this module is private to ctxlic.license_server and may change at any time.
"""Windows backend of the host access layer: ``ansible.windows`` modules over WinRM, PSRP or SSH.

Only documented options are passed and only documented return keys are read (each call names the
keys it reads in ``reads=``); the contract tests check both against the installed
``ansible.windows`` documentation.

Host paths never land in an option that expands ``%NAME%`` (:mod:`.path_expansion`): the methods
that would put one there refuse it before calling anything.
"""

from __future__ import annotations

import base64
import ntpath
import os
import tempfile

from ansible_collections.ctxlic.license_server.plugins.plugin_utils._common.constants import STAGING_DIR
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._host import windows_scripts
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._common.errors import HostError
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._host.access import (
    FileInfo,
    HostAccess,
    RunResult,
    ServiceInfo,
    batches,
    failure_reason,
)
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._common.path_expansion import literal_path
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._telemetry.proxy_address import parse_proxy_address

# win_service_info and win_service report a running service as "started"; the host access layer (and
# the PowerShell collection, which reads ServiceController.Status) speaks of "running".
_SERVICE_STATES = {"started": "running"}


def _service_state(state: str | None) -> str | None:
    return _SERVICE_STATES.get(state, state) if state else state


def _staged_name(local_path: str) -> str:
    """The name a controller file gets in the remote temporary folder: its own, without '%'.

    It becomes win_copy's ``src`` (a path option); the name itself does not matter, ``dest`` is explicit.
    """
    return os.path.basename(local_path).replace("%", "_")


def _first_output(result: dict, what: str) -> dict:
    output = result.get("output") or []
    if not output or not isinstance(output[0], dict):
        raise HostError(f"{what}: the PowerShell script returned no result (output={output!r})")
    return output[0]


class WindowsHost(HostAccess):
    backend = "windows"

    def stat(self, path: str, checksum: bool = False) -> FileInfo:
        args = {"path": literal_path(path, "stat"), "get_checksum": checksum}
        if checksum:
            args["checksum_algorithm"] = "sha1"
        res = self._run_module("ansible.windows.win_stat", args,
                               reads=("stat.exists", "stat.isdir", "stat.size", "stat.lastwritetime", "stat.checksum"),
                               read_only=True)
        st = res.get("stat", {})
        return FileInfo(path=path, exists=bool(st.get("exists")), is_dir=bool(st.get("isdir")),
                        size=st.get("size"), mtime=st.get("lastwritetime"), checksum=st.get("checksum"))

    def stat_files(self, paths: list[str], checksum: bool = False) -> list[FileInfo]:
        infos: list[FileInfo] = []
        for batch in batches(paths):
            res = self._run_module("ansible.windows.win_powershell",
                                   {"script": windows_scripts.STAT_FILES_PS,
                                    "parameters": {"Paths": list(batch), "Checksum": checksum}},
                                   reads=("output[]",), read_only=True)
            output = res.get("output") or []
            if len(output) != len(batch) or not all(isinstance(st, dict) for st in output):
                raise HostError(f"could not stat {len(batch)} file(s): the PowerShell script returned "
                                f"{len(output)} answer(s)")
            infos += [FileInfo(path=path, exists=bool(st.get("exists")), is_dir=bool(st.get("isdir")),
                               size=st.get("size"), mtime=st.get("lastwritetime"), checksum=st.get("checksum"))
                      for path, st in zip(batch, output, strict=True)]
        return infos

    def read_file(self, path: str) -> bytes | None:
        literal_path(path, "read_file")  # refused as slurp's, before the win_stat that precedes it
        if not self.stat(path).exists:
            return None
        res = self._run_module("ansible.windows.slurp", {"src": literal_path(path, "read_file")},
                               reads=("content",), read_only=True)
        return base64.b64decode(res.get("content", ""))

    def find(self, directory: str, patterns: list[str]) -> list[FileInfo]:
        res = self._run_module("ansible.windows.win_find",
                               {"paths": [directory], "patterns": patterns, "get_checksum": False},
                               reads=("files[].path", "files[].size", "files[].lastwritetime"), read_only=True,
                               allow_failure=True)
        if res.get("failed"):
            return []
        return [FileInfo(path=f["path"], exists=True, size=f.get("size"), mtime=f.get("lastwritetime"))
                for f in res.get("files", [])]

    def _stage_local(self, local_path: str) -> tuple[str, str]:
        tmpdir = self._action._make_tmp_path()
        remote = ntpath.join(tmpdir, _staged_name(local_path))
        self._action._transfer_file(local_path, remote)
        return tmpdir, remote

    def _copy_in(self, local_path: str, path: str, extra: dict, reads: tuple[str, ...]) -> dict:
        """win_copy a controller file to ``path``; HostError(``could not write path: reason``) when it fails."""
        dest = literal_path(path, "write_file")
        tmpdir, remote = self._stage_local(local_path)
        try:
            res = self._run_module("ansible.windows.win_copy",
                                   {"src": literal_path(remote, "staged_copy"), "dest": dest,
                                    "remote_src": True, **extra},
                                   reads=reads, allow_failure=True)
        finally:
            self._action._remove_tmp_path(tmpdir)
        if res.get("failed"):
            raise HostError(f"could not write {path}: {failure_reason(res)}")
        return res

    def put_file(self, local_path: str, path: str) -> dict:
        self._refuse_in_check_mode(f"copying {local_path} to {path}")
        res = self._copy_in(local_path, path, {}, ("changed",))
        return {"changed": bool(res.get("changed"))}

    def write_file(self, path: str, content: bytes, backup: bool = True) -> dict:
        self._refuse_in_check_mode(f"writing {path}")
        literal_path(path, "write_file")  # refused before anything is staged
        fd, local = tempfile.mkstemp(prefix="ctxlic-")
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(content)
            res = self._copy_in(local, path, {"backup": backup}, ("changed", "backup_file"))
        finally:
            os.unlink(local)
        return {"changed": bool(res.get("changed")), "backup_file": res.get("backup_file")}

    def fetch_file(self, path: str, local_path: str) -> None:
        # The connection plugin streams the file (WinRM/PSRP/SSH all implement fetch_file).
        self._action._connection.fetch_file(path, local_path)

    def rename(self, src: str, dest: str) -> None:
        self._refuse_in_check_mode(f"renaming {src}")
        self._run_module("ansible.windows.win_powershell",
                         {"script": windows_scripts.RENAME_ITEM_PS, "parameters": {"Source": src, "Destination": dest}},
                         reads=("changed",))

    def remove(self, path: str) -> dict:
        self._refuse_in_check_mode(f"removing {path}")
        res = self._run_module("ansible.windows.win_file",
                               {"path": literal_path(path, "remove"), "state": "absent"},
                               reads=("changed",))
        return {"changed": bool(res.get("changed"))}

    def remove_verified(self, files: list[dict]) -> list[dict]:
        return self._remove_in_batches(files, self._remove_verified_batch)

    def _remove_verified_batch(self, batch: list[dict]) -> list:
        # -LiteralPath: nothing in a path is expanded or taken as a wildcard ('[' is one in -Path).
        params = {"Files": [{"path": f["path"], "size": int(f["size"]), "sha1": f["sha1"]} for f in batch]}
        res = self._run_module("ansible.windows.win_powershell",
                               {"script": windows_scripts.REMOVE_VERIFIED_PS, "parameters": params},
                               reads=("output[]",), allow_failure=True)
        if res.get("failed"):
            raise HostError(f"could not remove {len(batch)} file(s): {failure_reason(res)}")
        return res.get("output") or []

    def make_dir(self, path: str) -> dict:
        self._refuse_in_check_mode(f"creating {path}")
        res = self._run_module("ansible.windows.win_file",
                               {"path": literal_path(path, "make_dir"), "state": "directory"},
                               reads=("changed",))
        return {"changed": bool(res.get("changed"))}

    def run(self, argv: list[str], chdir: str | None = None, *, read_only: bool = False) -> RunResult:
        if not read_only:
            self._refuse_in_check_mode(f"running {argv[0]}")
        args: dict = {"argv": list(argv)}  # argv stays literal; only chdir is a path option
        if chdir:
            args["chdir"] = literal_path(chdir, "run_chdir")
        res = self._run_module("ansible.windows.win_command", args, reads=("rc", "stdout", "stderr"),
                               read_only=read_only, allow_failure=True)
        if "rc" not in res:
            raise HostError(f"could not run {argv[0]}: {failure_reason(res)}")
        return RunResult(argv=list(argv), rc=int(res["rc"]), stdout=res.get("stdout", ""), stderr=res.get("stderr", ""))

    def service(self, name: str) -> ServiceInfo:
        res = self._run_module("ansible.windows.win_service_info", {"name": name},
                               reads=("exists", "services[].name", "services[].state", "services[].start_mode"),
                               read_only=True)
        services = res.get("services") or []
        if not res.get("exists") or not services:
            return ServiceInfo(name=name, exists=False)
        return ServiceInfo(name=name, exists=True, state=_service_state(services[0].get("state")),
                           start_mode=services[0].get("start_mode"))

    def set_service(self, name: str, state: str) -> dict:
        self._refuse_in_check_mode(f"setting service {name} {state}")
        res = self._run_module("ansible.windows.win_service", {"name": name, "state": state},
                               reads=("changed", "state"), allow_failure=True)
        if res.get("failed"):
            raise HostError(f"service {name!r} could not be {state}: {failure_reason(res)}")
        return {"changed": bool(res.get("changed")), "state": _service_state(res.get("state"))}

    def set_service_start_mode(self, name: str, start_mode: str) -> dict:
        self._refuse_in_check_mode(f"setting the start mode of service {name} to {start_mode}")
        res = self._run_module("ansible.windows.win_service", {"name": name, "start_mode": start_mode},
                               reads=("changed", "start_mode"), allow_failure=True)
        if res.get("failed"):
            raise HostError(f"the start mode of service {name!r} could not be set to {start_mode}: "
                            f"{failure_reason(res)}")
        return {"changed": bool(res.get("changed")), "start_mode": res.get("start_mode")}

    def registry_value(self, key: str, name: str):
        res = self._run_module("ansible.windows.win_reg_stat", {"path": key, "name": name},
                               reads=("exists", "value"), read_only=True)
        return res.get("value") if res.get("exists") else None

    def disk_space(self, path: str) -> dict:
        res = self._run_module("ansible.windows.win_powershell",
                               {"script": windows_scripts.DISK_SPACE_PS, "parameters": {"Path": path}},
                               reads=("output[]",), read_only=True)
        out = _first_output(res, "disk space")
        return {"free_bytes": int(out["free_bytes"]), "total_bytes": int(out["total_bytes"])}

    def collect(self, install_dir: str | None = None, max_bytes: int = 1024 * 1024) -> dict:
        params: dict = {"MaxBytes": max_bytes}
        if install_dir:
            params["InstallDir"] = install_dir
        res = self._run_module("ansible.windows.win_powershell",
                               {"script": windows_scripts.COLLECT_INFO_PS, "parameters": params, "depth": 6},
                               reads=("output[]", "error[]"), read_only=True)
        return _first_output(res, "info collection")

    def staging_dir(self) -> str:
        return STAGING_DIR

    def probe_many(self, targets: list[tuple[str, int]], proxy: str | None, timeout: int) -> list[dict]:
        params: dict = {"UploadHost": [target[0] for target in targets], "Port": [target[1] for target in targets],
                        "TimeoutSeconds": timeout}
        if proxy:
            address = parse_proxy_address(proxy)  # split on the controller: the script takes host and port
            params.update(ProxyHost=address.host, ProxyPort=address.port)
        res = self._run_module("ansible.windows.win_powershell",
                               {"script": windows_scripts.PROBE_UPLOAD_PS, "parameters": params, "depth": 4},
                               reads=("output[]",), read_only=True)
        output = res.get("output") or []
        if len(output) != len(targets) or not all(isinstance(steps, dict) for steps in output):
            raise HostError(f"connectivity probe: the PowerShell script returned {len(output)} answer(s) for "
                            f"{len(targets)} target(s) (output={output!r:.300})")
        return output
