# Copyright: (c) 2026, ctxlic maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# Internal use only: this module is private to ctxlic.license_server and may change at any time.
"""One destructive operation per license server at a time: a lock file on the host itself.

Operations that delete or stop something on a license server (``license_file state=absent`` and the
finishing of an interrupted removal, ``telemetry_bundle cleanup=true``, ``dr_restore``) hold this lock
while they change the host. It lives on the host, not on the controller, so two controllers (or two
AWX jobs) exclude each other too.

The lock is the file ``C:\\ProgramData\\ctxlic\\host.lock``. It is taken with an operation every
backend already has and that never replaces an existing file: the content is written to a file of
the run's own name, which is then renamed to ``host.lock`` (``Move-Item`` without ``-Force`` on
Windows, which fails when the target exists; the lab's rename behaves the same). So exactly one run
gets it. The content says who holds it (JSON)::

    {"format": 1, "run_id": "...", "operation": "license_file absent FID_a.lic",
     "controller": "ctl01", "pid": 4242, "started_at": "...Z", "expires_at": "...Z"}

A lock is *stale*, and is broken by the next run that needs it, when

* its ``expires_at`` has passed (``started_at`` + 1 hour; every operation that takes it finishes in
  minutes), or
* it was taken on this same controller by a process that no longer exists (a run killed with
  ``kill -9``), or
* it cannot be read and the file is older than the expiry.

Breaking renames the stale file away under a name of the breaking run, checks that what it renamed is
the very lock it judged (another run may have broken and re-taken it in between; then it is put back),
and deletes it; the run's warnings say whose lock was broken and why. A live lock is never broken: the
run fails at once, changes nothing, and its message names the holder, since when, until when, and
what to do. Release deletes the lock only when it still holds this run's id.

This module's pure half (content, parsing, the stale rule) is I/O-free; :class:`HostLock` acts
through :class:`~.host_access.HostAccess`.
"""

from __future__ import annotations

import contextlib
import datetime
import json
import ntpath
import os
import socket
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from ansible_collections.ctxlic.license_server.plugins.plugin_utils._common.timeutil import iso_z, parse_iso
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._common.errors import HostError

LOCK_DIR = r"C:\ProgramData\ctxlic"
LOCK_NAME = "host.lock"
LOCK_PATH = ntpath.join(LOCK_DIR, LOCK_NAME)
DEFAULT_TTL_SECONDS = 3600
_FORMAT = 1
_ATTEMPTS = 4


def _parse_time(value: Any) -> datetime.datetime | None:
    if not isinstance(value, str) or len(value) > 40:
        return None
    return parse_iso(value)


# -- pure ------------------------------------------------------------------------------------------
def lock_content(*, run_id: str, operation: str, controller: str, pid: int, now: datetime.datetime,
                 ttl_seconds: int = DEFAULT_TTL_SECONDS) -> bytes:
    data = {"format": _FORMAT, "run_id": run_id, "operation": operation, "controller": controller, "pid": pid,
            "started_at": iso_z(now), "expires_at": iso_z(now + datetime.timedelta(seconds=ttl_seconds))}
    return (json.dumps(data, sort_keys=True) + "\n").encode("utf-8")


@dataclass
class LockInfo:
    run_id: str | None = None
    operation: str | None = None
    controller: str | None = None
    pid: int | None = None
    started_at: datetime.datetime | None = None
    expires_at: datetime.datetime | None = None
    problem: str | None = None

    def describe(self) -> str:
        if self.problem:
            return f"an unreadable lock ({self.problem})"
        started = iso_z(self.started_at) if self.started_at else "?"
        expires = iso_z(self.expires_at) if self.expires_at else "?"
        return (f"{self.operation or 'an operation'} (run {self.run_id}, pid {self.pid} on {self.controller}, "
                f"since {started}, expires {expires})")


def parse_lock(data: bytes) -> LockInfo:
    """What a lock file says; never raises (a damaged lock has ``problem`` set)."""
    try:
        parsed = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        return LockInfo(problem="not readable JSON")
    if not isinstance(parsed, dict):
        return LockInfo(problem="not a JSON object")
    pid = parsed.get("pid")
    info = LockInfo(
        run_id=parsed.get("run_id") if isinstance(parsed.get("run_id"), str) else None,
        operation=str(parsed.get("operation"))[:200] if parsed.get("operation") is not None else None,
        controller=parsed.get("controller") if isinstance(parsed.get("controller"), str) else None,
        pid=pid if isinstance(pid, int) and not isinstance(pid, bool) else None,
        started_at=_parse_time(parsed.get("started_at")),
        expires_at=_parse_time(parsed.get("expires_at")),
    )
    if not info.run_id or info.expires_at is None:
        info.problem = "no run id or expiry time"
    return info


def judge(info: LockInfo, *, now: datetime.datetime, controller: str, pid_alive: Callable[[int], bool],
          file_mtime: float | None, ttl_seconds: int = DEFAULT_TTL_SECONDS) -> tuple[bool, str]:
    """(stale, why) for a lock held by someone else. Only a provably dead or expired lock is stale."""
    if info.problem:
        if file_mtime is None:
            return False, f"the lock is damaged ({info.problem}) and its age is unknown"
        age = now.timestamp() - float(file_mtime)
        if age > ttl_seconds:
            return True, f"the lock is damaged ({info.problem}) and {int(age)} s old, older than the expiry"
        return False, f"the lock is damaged ({info.problem}) but only {int(age)} s old"
    if info.expires_at is not None and now > info.expires_at:
        return True, f"it expired at {iso_z(info.expires_at)}"
    if info.controller == controller and info.pid is not None and not pid_alive(info.pid):
        return True, f"its process {info.pid} on this controller ({controller}) no longer runs"
    return False, "its holder may still run"


def pid_alive(pid: int) -> bool:
    """Does process ``pid`` exist on this controller (a zombie counts as dead)?"""
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    except OSError:
        return True
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as handle:
            fields = handle.read().rsplit(")", 1)[-1].split()
        return not fields or fields[0] != "Z"
    except OSError:
        return True


def _now() -> datetime.datetime:
    return datetime.datetime.now(datetime.UTC)


# -- host side ---------------------------------------------------------------------------------------
@dataclass
class HostLock:
    """The lock of one host for one operation of one run."""

    host: Any  # HostAccess
    operation: str
    run_id: str = field(default_factory=lambda: uuid.uuid4().hex)
    ttl_seconds: int = DEFAULT_TTL_SECONDS
    notes: list[str] = field(default_factory=list)
    held: bool = False

    def _content(self) -> bytes:
        return lock_content(run_id=self.run_id, operation=self.operation, controller=socket.gethostname(),
                            pid=os.getpid(), now=_now(), ttl_seconds=self.ttl_seconds)

    def acquire(self) -> None:
        host = self.host
        try:
            host.make_dir(LOCK_DIR)
            mine = ntpath.join(LOCK_DIR, f"{LOCK_NAME}.{self.run_id}.new")
            host.write_file(mine, self._content(), backup=False)
        except HostError as exc:
            raise HostError(f"could not take the lock {LOCK_PATH} for {self.operation}: {exc}; nothing was "
                            "changed") from exc
        try:
            for _attempt in range(_ATTEMPTS):
                try:
                    host.rename(mine, LOCK_PATH)
                    self.held = True
                    return
                except HostError:
                    pass
                self._break_if_stale()
            raise HostError(f"could not take the lock {LOCK_PATH} for {self.operation} after {_ATTEMPTS} attempts "
                            "(other runs kept taking it); nothing was changed, run again")
        finally:
            if not self.held:
                with contextlib.suppress(HostError):
                    host.remove(mine)

    def _break_if_stale(self) -> None:
        """Raise HostError when a live run holds the lock; break it when it is provably stale."""
        host = self.host
        data = host.read_file(LOCK_PATH)
        if data is None:
            return  # released in between: try again
        info = parse_lock(data)
        mtime = host.stat(LOCK_PATH).mtime if info.problem else None
        stale, why = judge(info, now=_now(), controller=socket.gethostname(), pid_alive=pid_alive,
                           file_mtime=mtime, ttl_seconds=self.ttl_seconds)
        if not stale:
            raise HostError(
                f"another run holds the lock of this license server: {info.describe()}; {why}. Nothing was changed. "
                f"Wait until it has finished and run again. If that run is known to be dead, the lock is broken "
                f"automatically once it expires; or delete {LOCK_PATH} on the server by hand after checking that "
                "no other run of this collection is working on it")
        broken = ntpath.join(LOCK_DIR, f"{LOCK_NAME}.{self.run_id}.broken")
        try:
            host.rename(LOCK_PATH, broken)
        except HostError:
            return  # someone else broke or released it first
        if host.read_file(broken) != data:
            # Between our read and the rename another run broke it and took it: put its lock back.
            try:
                host.rename(broken, LOCK_PATH)
            except HostError:
                self.notes.append(f"{broken} holds a lock another run took while this one broke a stale lock; left "
                                  "for a person to check")
            return
        host.remove(broken)
        self.notes.append(f"broke the stale lock of this license server held by {info.describe()}: {why}")

    def release(self) -> None:
        if not self.held:
            return
        self.held = False
        data = self.host.read_file(LOCK_PATH)
        info = parse_lock(data) if data is not None else None
        if info is None or info.run_id != self.run_id:
            self.notes.append(f"{LOCK_PATH} no longer held this run's lock when it finished (broken by another run "
                              "after it expired); left as it is")
            return
        self.host.remove(LOCK_PATH)


@contextlib.contextmanager
def locked(host: Any, operation: str, *, notes: list[str] | None = None) -> Iterator[HostLock]:
    """Hold the host lock for the ``with`` block (never in check mode: callers only change things outside it)."""
    lock = HostLock(host, operation)
    try:
        lock.acquire()
        try:
            yield lock
        except BaseException:
            with contextlib.suppress(Exception):  # the original failure is what the user must see
                lock.release()
            raise
        lock.release()
    finally:
        if notes is not None:
            notes.extend(lock.notes)
