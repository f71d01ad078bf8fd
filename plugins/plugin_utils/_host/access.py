# Copyright: (c) 2026, ctxlic maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# Internal use only: this module is private to ctxlic.license_server and may change at any time.
"""The one way controller-side code touches a license server.

Action plugins get a :class:`HostAccess` from :func:`host_access_for` and never call modules
themselves. Two backends implement it with the same meaning:

* :class:`~.host_windows.WindowsHost`: ``ansible.windows`` modules through the action plugin's
  ``_execute_module`` (WinRM, PSRP or SSH connections);
* :class:`~.host_lab.LabHost`: the lab's ``labctl`` program, run with the connection's command execution
  (or ``ansible.builtin.command``, host variable ``ctxlic_lab_exec``), on a simulated host's tree, for hosts
  that define ``ctxlic_lab_root``.

Paths are always Windows paths here, and no module may expand variables in them: the lab backend
passes them only where nothing expands them, the Windows backend refuses one that a path option would
expand (see each backend). The lab backend maps them into its tree. Every call that
changes the host refuses to run in check mode (planning code must not ask it to); read-only calls
run in check mode too, because check mode needs to know the current state.
"""

from __future__ import annotations

import contextlib
from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

from ansible_collections.ctxlic.license_server.plugins.plugin_utils._common.errors import HostError


@dataclass
class FileInfo:
    path: str
    exists: bool
    is_dir: bool = False
    size: int | None = None
    mtime: float | None = None  # seconds since the epoch, UTC
    checksum: str | None = None  # SHA-1 of the content, when asked for

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass
class RunResult:
    argv: list[str]
    rc: int
    stdout: str = ""
    stderr: str = ""

    @property
    def ok(self) -> bool:
        return self.rc == 0

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass
class ServiceInfo:
    name: str
    exists: bool
    state: str | None = None  # running | stopped | ... (as win_service_info reports it)
    start_mode: str | None = None

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass
class ModuleCall:
    """One module invocation, as recorded for contract checks and call counting."""

    module: str
    args: dict
    reads: tuple[str, ...] = field(default_factory=tuple)


# How much of a module result a failure message may quote when nothing better explains the failure.
_REPR_LIMIT = 500


def failure_reason(result: Mapping) -> str:
    """Why a module failed, from the result ``_execute_module`` returned.

    ``msg`` when the module gave one; else the messages of its ``exception``; else ``stderr`` (or the
    ``module_stderr`` of a module whose output was not JSON); else a compact repr of the result. With
    ansible-core 2.19 a module that fails by raising returns no ``msg``, only ``exception``: a
    ``CapturedErrorSummary`` whose ``event`` holds the message and, in ``event.chain.event``, the message
    of the exception that caused it (``Could not make backup ...`` caused by ``[Errno 28] No space left on
    device``). A summary that went through JSON arrives as a dict of the same shape, and older
    ansible-core returns the formatted traceback as a string.
    """
    msg = result.get("msg")
    if msg:
        return str(msg)
    from_exception = _exception_reason(result.get("exception"))
    if from_exception:
        return from_exception
    for key in ("stderr", "module_stderr"):
        text = str(result.get(key) or "").strip()
        if text:
            return text
    shown = {k: v for k, v in result.items() if k != "invocation" and not str(k).startswith("_ansible_")}
    return f"{shown!r:.{_REPR_LIMIT}}"


def _field(obj: Any, name: str) -> Any:
    """``obj.name`` or ``obj[name]``: exception summaries arrive as objects, or as dicts after JSON."""
    if isinstance(obj, Mapping):
        return obj.get(name)
    return getattr(obj, name, None)


def _exception_reason(exception: Any) -> str:
    if not exception:
        return ""
    if isinstance(exception, str):
        # A formatted traceback: its last line is "ExceptionType: message".
        lines = [line.strip() for line in exception.strip().splitlines() if line.strip()]
        return lines[-1] if lines else ""
    messages: list[str] = []
    _event_messages(_field(exception, "event"), messages)
    return " <<< caused by >>> ".join(dict.fromkeys(messages))  # the separator Ansible itself prints


def _event_messages(event: Any, messages: list[str], depth: int = 0) -> None:
    """Messages of an error event, then of the events it contains and of the chain of its causes."""
    if event is None or depth > 20:  # a chain is a few links long; the bound only guards a malformed one
        return
    msg = _field(event, "msg")
    if msg:
        messages.append(str(msg))
    for inner in _field(event, "events") or ():
        _event_messages(inner, messages, depth + 1)
    chain = _field(event, "chain")
    if chain is not None:
        _event_messages(_field(chain, "event"), messages, depth + 1)


# The outcomes of HostAccess.remove_verified, per file; files per remote call (a lab call passes them as
# arguments, which the operating system limits to some hundred kilobytes; a day's zips are a handful).
REMOVE_OUTCOMES = ("deleted", "absent", "changed", "failed")
REMOVE_BATCH = 500


def batches(items: list, size: int = REMOVE_BATCH) -> list[list]:
    """``items`` in consecutive slices of at most ``size``: one remote call each."""
    return [items[start:start + size] for start in range(0, len(items), size)]


def remove_verified_results(files: list[dict], answer: object, what: str) -> list[dict]:
    """The per-file answer of a batch deletion, checked: one known outcome per file, in the order asked."""
    if not isinstance(answer, list) or len(answer) != len(files):
        raise HostError(f"{what}: expected one answer per file ({len(files)}), got {answer!r:.300}")
    results = []
    for asked, entry in zip(files, answer, strict=True):
        known = (isinstance(entry, Mapping) and entry.get("path") == asked["path"]
                 and entry.get("outcome") in REMOVE_OUTCOMES)
        if not known:
            raise HostError(f"{what}: unexpected answer for {asked['path']}: {entry!r:.300}")
        results.append({"path": asked["path"], "outcome": entry["outcome"], "msg": entry.get("msg") or None})
    return results


class HostAccess(ABC):
    """Operations on one license server. Implementations: WindowsHost, LabHost."""

    backend = "abstract"

    def __init__(self, action, task_vars: dict):
        self._action = action
        self._task_vars = task_vars
        self.calls: list[ModuleCall] = []

    # -- plumbing ---------------------------------------------------------------------------------
    @property
    def check_mode(self) -> bool:
        return bool(self._action._task.check_mode)

    @contextlib.contextmanager
    def _read_only(self):
        """Run read-only modules for real even in check mode (they change nothing)."""
        task = self._action._task
        saved = task.check_mode
        task.check_mode = False
        try:
            yield
        finally:
            task.check_mode = saved

    def _refuse_in_check_mode(self, what: str) -> None:
        if self.check_mode:
            raise HostError(f"internal error: {what} was requested in check mode; nothing was changed")

    def _run_module(
        self,
        module: str,
        args: dict,
        reads: tuple[str, ...] = (),
        *,
        read_only: bool = False,
        allow_failure: bool = False,
    ) -> dict:
        """Execute ``module`` on the host; ``reads`` names the documented return keys used."""
        self.calls.append(ModuleCall(module, dict(args), tuple(reads)))
        if read_only:
            with self._read_only():
                result = self._action._execute_module(
                    module_name=module, module_args=dict(args), task_vars=self._task_vars
                )
        else:
            result = self._action._execute_module(module_name=module, module_args=dict(args), task_vars=self._task_vars)
        if result.get("unreachable"):
            raise HostError(f"host unreachable while running {module}: {failure_reason(result)}")
        if result.get("failed") and not allow_failure:
            raise HostError(f"{module} failed: {failure_reason(result)}")
        return result

    # -- files ------------------------------------------------------------------------------------
    @abstractmethod
    def stat(self, path: str, checksum: bool = False) -> FileInfo: ...

    @abstractmethod
    def stat_files(self, paths: list[str], checksum: bool = False) -> list[FileInfo]:
        """:meth:`stat` of each path, in order, in one remote call (per :data:`REMOVE_BATCH` paths)."""

    @abstractmethod
    def read_file(self, path: str) -> bytes | None:
        """Content of ``path``, or None when it does not exist."""

    @abstractmethod
    def find(self, directory: str, patterns: list[str]) -> list[FileInfo]:
        """Files (not directories) directly in ``directory`` matching any glob in ``patterns``."""

    @abstractmethod
    def write_file(self, path: str, content: bytes, backup: bool = True) -> dict:
        """Write ``content`` to ``path``; returns {changed, backup_file}."""

    @abstractmethod
    def put_file(self, local_path: str, path: str) -> dict:
        """Copy a controller file to ``path`` on the host (installers, restores)."""

    @abstractmethod
    def fetch_file(self, path: str, local_path: str) -> None:
        """Copy ``path`` from the host to ``local_path`` on the controller."""

    @abstractmethod
    def rename(self, src: str, dest: str) -> None: ...

    @abstractmethod
    def remove(self, path: str) -> dict: ...

    @abstractmethod
    def make_dir(self, path: str) -> dict: ...

    @abstractmethod
    def remove_verified(self, files: list[dict]) -> list[dict]:
        """Delete, in one remote call, each file that still has the content it was verified with.

        ``files``: ``[{path, size, sha1}]`` (one call per :data:`REMOVE_BATCH` files). A file is deleted only
        when it is a file (not a folder) whose size and SHA-1, computed on the host right before the deletion,
        equal the given ones. Returns one entry per file, in order: ``{path, outcome, msg}``; outcome
        ``deleted``, ``absent`` (no such file: nothing to do), ``changed`` (different content, or a folder:
        left in place) or ``failed`` (``msg`` says why; when a whole call failed, every file of it is
        ``failed`` with the call's error: whether it was deleted is then unknown, the next listing tells).
        """

    def _remove_in_batches(self, files: list[dict], remove_batch) -> list[dict]:
        """remove_verified's loop: ``remove_batch(batch)`` is one remote call answering one entry per file."""
        if not files:
            return []
        self._refuse_in_check_mode(f"removing {len(files)} file(s)")
        results: list[dict] = []
        for batch in batches(files):
            try:
                results += remove_verified_results(batch, remove_batch(batch), f"{self.backend} batch removal")
            except HostError as exc:
                results += [{"path": item["path"], "outcome": "failed", "msg": str(exc)} for item in batch]
        return results

    # -- programs, services, registry, disk -------------------------------------------------------
    @abstractmethod
    def run(self, argv: list[str], chdir: str | None = None, *, read_only: bool = False) -> RunResult:
        """Run a program with an argument vector (never a shell string)."""

    @abstractmethod
    def service(self, name: str) -> ServiceInfo: ...

    @abstractmethod
    def set_service(self, name: str, state: str) -> dict:
        """state: started | stopped | restarted; returns {changed, state}; raises HostError on failure."""

    @abstractmethod
    def set_service_start_mode(self, name: str, start_mode: str) -> dict:
        """start_mode: auto | delayed | manual | disabled; returns {changed, start_mode}; raises HostError."""

    @abstractmethod
    def registry_value(self, key: str, name: str) -> Any:
        """A registry value, or None when the key or value does not exist."""

    @abstractmethod
    def disk_space(self, path: str) -> dict:
        """{free_bytes, total_bytes} of the volume holding ``path``."""

    @abstractmethod
    def collect(self, install_dir: str | None = None, max_bytes: int = 1024 * 1024) -> dict:
        """The read-only one-shot gather used by ``info`` (one remote call)."""

    @abstractmethod
    def staging_dir(self) -> str:
        """A local (never UNC) directory on the host for staged installers."""

    # -- network ----------------------------------------------------------------------------------
    def probe(self, upload_host: str, port: int, proxy: str | None, timeout: int) -> dict:
        """Read-only reachability probe of one target run on the host itself, in one remote call.

        Resolves ``upload_host``, opens TCP ``upload_host:port`` directly and, when ``proxy``
        (``host:port``) is given, sends ``CONNECT upload_host:port`` through it. Returns the raw steps
        ``{"dns": {ok, addresses, error}, "direct": {ok, error}, "proxy": {configured, status_line, error}
        | None}``; the controller judges them (reporting.probe_steps, connectivity.verdict).
        """
        return self.probe_many([(upload_host, port)], proxy, timeout)[0]

    @abstractmethod
    def probe_many(self, targets: list[tuple[str, int]], proxy: str | None, timeout: int) -> list[dict]:
        """:meth:`probe` of each ``(host, port)`` target, in order, in one remote call, through the same proxy."""


def is_lab_host(task_vars: dict) -> bool:
    return bool(task_vars.get("ctxlic_lab_root"))


def host_access_for(action, task_vars: dict) -> HostAccess:
    """The backend for the current host: lab when ``ctxlic_lab_root`` is set, Windows otherwise."""
    if is_lab_host(task_vars):
        from ansible_collections.ctxlic.license_server.plugins.plugin_utils._host.lab_backend import LabHost

        root = action._templar.template(task_vars["ctxlic_lab_root"])
        return LabHost(action, task_vars, str(root))
    from ansible_collections.ctxlic.license_server.plugins.plugin_utils._host.windows_backend import WindowsHost

    return WindowsHost(action, task_vars)
