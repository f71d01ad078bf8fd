# Copyright: (c) 2026, ctxlic maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# Internal use only: this module is private to ctxlic.license_server and may change at any time.
"""Lab backend of the host access layer: a simulated host reached through its ``labctl`` program.

A lab host is a directory on the controller (``ctxlic_lab_root``) reached with the ``local``
connection. Everything goes through the lab's ``labctl`` program:
the Windows-only facilities (service control manager, registry, volume free space, the one-shot
collection, running a program and reporting its full Windows exit code) and the file operations.

Windows paths reach the host unchanged. ``labctl`` receives them as argument vector elements with
``expand_argument_vars: false`` (the option defaults to true and then expands ``$NAME`` and ``~`` in
every argument) and maps them into the host's tree itself. The ``ansible.builtin`` file modules are not
used because every ``type=path`` option of theirs passes through ``os.path.expandvars`` and
``os.path.expanduser`` (``check_type_path`` in ``ansible.module_utils.common.validation``): on Windows
``$`` is an ordinary file name character, so ``FID_$HOME.lic`` must stay ``FID_$HOME.lic``.

How ``labctl`` is started (host variable ``ctxlic_lab_exec``, see docs/lab.md): ``direct`` (the default)
runs it with the connection's own command execution (``ActionBase._low_level_execute_command``), the
argument vector joined with the connection shell's quoting (``shlex.join`` for ``sh``: every element in
single quotes, so ``$``, spaces, quotes and ``~`` stay literal); ``module`` runs it with
``ansible.builtin.command`` (``argv`` and ``expand_argument_vars: false``), as it was before. Both record the
same call in :attr:`HostAccess.calls` (an ``ansible.builtin.command`` call with that ``argv``): one remote
call either way, so call counts do not depend on the setting. ``direct`` skips Ansible's module wrapper
(AnsiballZ and a second Python interpreter), which costs more than ``labctl`` itself.

Nothing here expands ``%NAME%`` either, but the operations whose Windows counterparts would
(:mod:`.path_expansion`) refuse such a path the same way, so a playbook the lab accepts also runs on
Windows.
"""

from __future__ import annotations

import base64
import json
import os
import shutil
import tempfile
from pathlib import Path

from ansible_collections.ctxlic.license_server.plugins.plugin_utils._common.constants import STAGING_DIR
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._common.errors import HostError
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._host.access import (
    FileInfo,
    HostAccess,
    ModuleCall,
    RunResult,
    ServiceInfo,
    batches,
    failure_reason,
)
from ansible_collections.ctxlic.license_server.plugins.plugin_utils.lab.layout import (
    LAB_DIR,
    LabPathError,
    win_to_lab,
)
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._common.path_expansion import literal_path


# The host variable that chooses how labctl is started, its values and its default (docs/lab.md).
EXEC_VAR = "ctxlic_lab_exec"
EXEC_MODES = ("direct", "module")
_COMMAND = "ansible.builtin.command"
_COMMAND_READS = ("rc", "stdout", "stderr")
# What sh answers when it cannot start a program: 126 (not executable), 127 (not found).
_NOT_STARTED = (126, 127)


def exec_mode(action, task_vars: dict) -> str:
    """The host's ``ctxlic_lab_exec`` (templated): ``direct`` (default) or ``module``; HostError otherwise."""
    value = task_vars.get(EXEC_VAR)
    templar = getattr(action, "_templar", None)
    if value is not None and templar is not None:
        value = templar.template(value)
    mode = "direct" if value is None or value == "" else str(value).strip().lower()
    if mode not in EXEC_MODES:
        raise HostError(f"{EXEC_VAR}={value!r} is not a way to run the lab's control program; "
                        f"set it to {' or '.join(EXEC_MODES)} (default direct), or remove it")
    return mode


def _file_info(path: str, st: dict) -> FileInfo:
    return FileInfo(path=path, exists=bool(st.get("exists")), is_dir=bool(st.get("is_dir")), size=st.get("size"),
                    mtime=st.get("mtime"), checksum=st.get("checksum"))


def _one_each(paths: list[str], answer) -> list[dict]:
    if not isinstance(answer, list) or len(answer) != len(paths) or not all(isinstance(a, dict) for a in answer):
        raise HostError(f"could not stat {len(paths)} file(s): unexpected answer {answer!r:.300}")
    return answer


class LabHost(HostAccess):
    backend = "lab"

    def __init__(self, action, task_vars: dict, root: str):
        super().__init__(action, task_vars)
        self.root = Path(root)
        if not (self.root / LAB_DIR).is_dir():
            raise HostError(
                f"ctxlic_lab_root={root!r} is not a lab host (no {LAB_DIR} directory); "
                "create the fleet with the lab command first"
            )
        self.exec_mode = exec_mode(action, task_vars)

    def _map(self, path: str) -> str:
        try:
            return str(win_to_lab(self.root, path))
        except LabPathError as exc:
            raise HostError(str(exc)) from exc

    def _labctl(self, *args: str, read_only: bool) -> RunResult:
        argv = [str(self.root / LAB_DIR / "bin" / "labctl"), *args]
        # Literal arguments: Windows paths may hold '$', which command would otherwise expand.
        module_args = {"argv": argv, "expand_argument_vars": False}
        if self.exec_mode == "direct":
            res = self._run_direct(module_args, read_only=read_only)
        else:
            res = self._run_module(_COMMAND, module_args, reads=_COMMAND_READS, read_only=read_only,
                                   allow_failure=True)
        if "rc" not in res:
            raise HostError(f"lab control program failed: {failure_reason(res)}")
        return RunResult(argv=argv, rc=int(res["rc"]), stdout=res.get("stdout", ""), stderr=res.get("stderr", ""))

    def _run_direct(self, module_args: dict, *, read_only: bool) -> dict:
        """Run ``module_args["argv"]`` with the connection's command execution; the answer as command gives it.

        Recorded in :attr:`calls` as the ``ansible.builtin.command`` call the ``module`` setting makes, so
        both settings count the same remote calls. Check mode: a read-only call runs (as with the module,
        whose check mode is lifted for it); any other is refused before it runs, as the module skips it.
        """
        argv = list(module_args["argv"])
        self.calls.append(ModuleCall(_COMMAND, dict(module_args), _COMMAND_READS))
        if self.check_mode and not read_only:
            raise HostError(f"internal error: labctl {argv[1] if len(argv) > 1 else ''} was requested in check "
                            "mode; nothing was changed")
        shell = self._action._connection._shell
        res = self._action._low_level_execute_command(shell.join(argv), sudoable=True)
        rc = int(res["rc"])
        # ansible.builtin.command strips the trailing newlines of its output (strip_empty_ends).
        stdout = str(res.get("stdout") or "").rstrip("\r\n")
        stderr = str(res.get("stderr") or "").rstrip("\r\n")
        if rc in _NOT_STARTED and not stdout:
            raise HostError(f"lab control program {argv[0]} could not be started (exit status {rc}: "
                            f"{stderr.strip() or 'no message'}); is {self.root} a complete lab host? "
                            "Recreate the fleet with the lab command")
        return {"rc": rc, "stdout": stdout, "stderr": stderr}

    def _labctl_json(self, *args: str, read_only: bool):
        run = self._labctl(*args, read_only=read_only)
        try:
            return run.rc, json.loads(run.stdout or "null")
        except json.JSONDecodeError as exc:
            raise HostError(f"lab control program printed no JSON: {run.stdout!r} {run.stderr!r}") from exc

    def _labctl_file(self, failing: str, *args: str, read_only: bool):
        """The answer of a ``labctl file-*`` command; HostError(``failing: reason``) when it failed."""
        rc, data = self._labctl_json(*args, read_only=read_only)
        if rc != 0:
            reason = data.get("msg") if isinstance(data, dict) else None
            raise HostError(f"{failing}: {reason or f'lab control program exited with {rc}'}")
        return data

    # -- files ------------------------------------------------------------------------------------
    def stat(self, path: str, checksum: bool = False) -> FileInfo:
        flags = ["--checksum"] if checksum else []
        st = self._labctl_file(f"could not stat {path}", "file-stat", *flags, literal_path(path, "stat"),
                               read_only=True)
        return _file_info(path, st)

    def stat_files(self, paths: list[str], checksum: bool = False) -> list[FileInfo]:
        flags = ["--checksum"] if checksum else []
        infos: list[FileInfo] = []
        for batch in batches(paths):
            answer = self._labctl_file(f"could not stat {len(batch)} file(s)", "file-stat-many", *flags, *batch,
                                       read_only=True)
            infos += [_file_info(path, st) for path, st in zip(batch, _one_each(batch, answer), strict=True)]
        return infos

    def read_file(self, path: str) -> bytes | None:
        data = self._labctl_file(f"could not read {path}", "file-read", literal_path(path, "read_file"),
                                 read_only=True)
        return base64.b64decode(data["content"]) if data.get("exists") else None

    def find(self, directory: str, patterns: list[str]) -> list[FileInfo]:
        files = self._labctl_file(f"could not list {directory}", "file-find", directory, *patterns, read_only=True)
        return [FileInfo(path=f["path"], exists=True, size=f.get("size"), mtime=f.get("mtime")) for f in files]

    def _copy_in(self, local_path: str, path: str, backup: bool) -> dict:
        literal_path(path, "write_file")  # refused before anything is staged
        tmpdir = self._action._make_tmp_path()
        remote = os.path.join(tmpdir, os.path.basename(local_path))
        self._action._transfer_file(local_path, remote)
        flags = ["--backup"] if backup else []
        try:
            res = self._labctl_file(f"could not write {path}", "file-write", *flags, remote, path, read_only=False)
        finally:
            self._action._remove_tmp_path(tmpdir)
        return {"changed": bool(res.get("changed")), "backup_file": res.get("backup_file")}

    def write_file(self, path: str, content: bytes, backup: bool = True) -> dict:
        self._refuse_in_check_mode(f"writing {path}")
        fd, local = tempfile.mkstemp(prefix="ctxlic-")
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(content)
            return self._copy_in(local, path, backup)
        finally:
            os.unlink(local)

    def put_file(self, local_path: str, path: str) -> dict:
        self._refuse_in_check_mode(f"copying {local_path} to {path}")
        result = self._copy_in(local_path, path, backup=False)
        shutil.copymode(local_path, self._map(path))  # keep the installer executable, as NTFS would
        return result

    def fetch_file(self, path: str, local_path: str) -> None:
        # The connection copies the mapped path as it is: no variable expansion on this route.
        self._action._connection.fetch_file(self._map(path), local_path)

    def rename(self, src: str, dest: str) -> None:
        self._refuse_in_check_mode(f"renaming {src}")
        self._labctl_file(f"could not rename {src} to {dest}", "file-rename", src, dest, read_only=False)

    def remove(self, path: str) -> dict:
        self._refuse_in_check_mode(f"removing {path}")
        res = self._labctl_file(f"could not remove {path}", "file-remove", literal_path(path, "remove"),
                                read_only=False)
        return {"changed": bool(res.get("changed"))}

    def remove_verified(self, files: list[dict]) -> list[dict]:
        return self._remove_in_batches(files, self._remove_verified_batch)

    def _remove_verified_batch(self, batch: list[dict]):
        args = [str(part) for item in batch for part in (int(item["size"]), item["sha1"], item["path"])]
        return self._labctl_file(f"could not remove {len(batch)} file(s)", "file-remove-verified", *args,
                                 read_only=False)

    def make_dir(self, path: str) -> dict:
        self._refuse_in_check_mode(f"creating {path}")
        res = self._labctl_file(f"could not create {path}", "file-mkdir", literal_path(path, "make_dir"),
                                read_only=False)
        return {"changed": bool(res.get("changed"))}

    # -- programs, services, registry, disk -------------------------------------------------------
    def run(self, argv: list[str], chdir: str | None = None, *, read_only: bool = False) -> RunResult:
        if not read_only:
            self._refuse_in_check_mode(f"running {argv[0]}")
        if chdir:
            literal_path(chdir, "run_chdir")
        program = self._map(argv[0])
        if not os.path.isfile(program):
            return RunResult(argv=list(argv), rc=2, stderr=f"The system cannot find the file specified: {argv[0]}")
        # labctl exec reports the program's full Windows exit code (1603, 3010), which POSIX truncates.
        exec_args = ["exec", *(["--chdir", self._map(chdir)] if chdir else []), "--", program, *argv[1:]]
        rc, data = self._labctl_json(*exec_args, read_only=read_only)
        if rc != 0 or not isinstance(data, dict):
            raise HostError(f"could not run {argv[0]} on the lab host")
        return RunResult(
            argv=list(argv), rc=int(data["rc"]), stdout=data.get("stdout", ""), stderr=data.get("stderr", "")
        )

    def service(self, name: str) -> ServiceInfo:
        _rc, data = self._labctl_json("service-query", name, read_only=True)
        entry = (data or [{}])[0]
        if not entry.get("exists"):
            return ServiceInfo(name=name, exists=False)
        return ServiceInfo(name=name, exists=True, state=entry.get("state"), start_mode=entry.get("start_mode"))

    def set_service(self, name: str, state: str) -> dict:
        self._refuse_in_check_mode(f"setting service {name} {state}")
        rc, data = self._labctl_json("service-set", name, state, read_only=False)
        if rc != 0:
            raise HostError(f"service {name!r} could not be {state}: {(data or {}).get('msg', '')}")
        return {"changed": bool(data.get("changed")), "state": data.get("state")}

    def set_service_start_mode(self, name: str, start_mode: str) -> dict:
        self._refuse_in_check_mode(f"setting the start mode of service {name} to {start_mode}")
        rc, data = self._labctl_json("service-config", name, start_mode, read_only=False)
        if rc != 0:
            raise HostError(f"the start mode of service {name!r} could not be set to {start_mode}: "
                            f"{(data or {}).get('msg', '')}")
        return {"changed": bool(data.get("changed")), "start_mode": data.get("start_mode")}

    def registry_value(self, key: str, name: str):
        res = self._labctl_file(f"could not read {key}\\{name}", "registry-query", key, name, read_only=True)
        return res.get("value") if res.get("exists") else None

    def disk_space(self, path: str) -> dict:
        _rc, data = self._labctl_json("disk-free", read_only=True)
        return {"free_bytes": int(data["free_bytes"]), "total_bytes": int(data["total_bytes"])}

    def collect(self, install_dir: str | None = None, max_bytes: int = 1024 * 1024) -> dict:
        args = ["collect-info", "--max-bytes", str(max_bytes)]
        if install_dir:
            args += ["--install-dir", install_dir]
        rc, data = self._labctl_json(*args, read_only=True)
        if rc != 0 or not isinstance(data, dict):
            raise HostError(f"lab info collection failed (rc={rc})")
        return data

    def staging_dir(self) -> str:
        return STAGING_DIR

    def probe_many(self, targets: list[tuple[str, int]], proxy: str | None, timeout: int) -> list[dict]:
        args = ["probe", "--timeout", str(timeout)]
        for target_host, target_port in targets:
            args += ["--target", f"{target_host}:{target_port}"]
        if proxy:
            args += ["--proxy", proxy]
        rc, data = self._labctl_json(*args, read_only=True)
        if rc != 0 or not isinstance(data, list) or len(data) != len(targets) \
                or not all(isinstance(steps, dict) for steps in data):
            raise HostError(f"lab connectivity probe failed (rc={rc}): {data!r:.300}")
        return data
