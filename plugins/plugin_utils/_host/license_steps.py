# Copyright: (c) 2026, ctxlic maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# Internal use only: this module is private to ctxlic.license_server and may change at any time.
"""Host-side steps for license files: the facts planning needs and the documented procedures.

This is the I/O half of :mod:`license_plan`: everything here goes through a
:class:`~.host_access.HostAccess` (never a module call of its own) and every decision is left to
the pure planning functions. Read-only steps run in check mode too; mutating steps are only
called by the action plugins outside check mode (the host access layer refuses them otherwise).
"""

from __future__ import annotations

import contextlib
import datetime
import hashlib
import ntpath
import os
from dataclasses import dataclass, field
from typing import Any, Callable

from ansible.errors import AnsibleError

from ansible_collections.ctxlic.license_server.plugins.plugin_utils._common.timeutil import parse_as_of_day
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._common.constants import LICENSING_SERVICE
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._store import host_folder
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._license import plan as license_plan
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._license import removal as license_removal
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._license import served as license_served
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._common.errors import HostError, InputError
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._host.access import HostAccess
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._license.license_parser import MAX_FILE_BYTES
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._server.ls_tools import (
    lmreread_succeeded,
    parse_lmhostid,
)


def read_source(action, args: dict) -> tuple[str, bytes]:
    """(name in MyFiles, bytes) from ``content`` or the controller file ``src``."""
    name = license_plan.license_name_for(args.get("name"), args.get("src"))
    if args.get("content") is not None:
        return name, args["content"].encode("utf-8")
    try:
        local = action._find_needle("files", args["src"])
    except AnsibleError as exc:
        raise InputError(f"src {args['src']!r} was not found on the controller: {exc}") from exc
    try:
        with open(local, "rb") as handle:
            # One byte more than the parser accepts, so an oversized file is refused, not truncated.
            return name, handle.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        raise InputError(f"src {args['src']!r} could not be read on the controller: {exc}") from exc


def today_for(args: dict) -> datetime.date:
    """The ``as_of`` option, else today's date in UTC on the controller."""
    return parse_as_of_day(args.get("as_of"), datetime.datetime.now(datetime.UTC).date())


@dataclass
class HostIdentity:
    """What license files are bound to on this host, and where each value came from."""

    hostname: str | None = None
    hostname_source: str = "none"  # lmhostid | computer_name | none
    macs: list[str] = field(default_factory=list)
    macs_source: str = "none"  # lmhostid | collect | none
    lmhostid: dict[str, Any] | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "hostname": self.hostname,
            "hostname_source": self.hostname_source,
            "macs": list(self.macs),
            "macs_source": self.macs_source,
        }


class IdentityProbe:
    """Looks up the host name and MACs lazily; each look-up runs at most once per task."""

    def __init__(self, host: HostAccess, install_dir: str):
        self._host = host
        self._install_dir = install_dir
        self._collected: dict | None = None
        self.identity = HostIdentity()
        self._hostname_done = False
        self._macs_done = False

    def _lmhostid(self, kind: str) -> list[str]:
        argv = license_plan.lmhostid_argv(self._install_dir, kind)
        try:
            run = self._host.run(argv, chdir=license_plan.ls_dir(self._install_dir), read_only=True)
        except HostError:
            return []
        if kind == "hostname":
            self.identity.lmhostid = run.to_dict()
        return parse_lmhostid(run.stdout) if run.ok else []

    def _collect(self) -> dict:
        if self._collected is None:
            try:
                self._collected = self._host.collect(install_dir=self._install_dir, max_bytes=1)
            except HostError:
                self._collected = {}
        return self._collected

    def hostname(self) -> str | None:
        """``lmhostid -hostname`` (run from ``<install>\\LS``), else the Windows computer name."""
        if not self._hostname_done:
            self._hostname_done = True
            ids = self._lmhostid("hostname")
            if ids and ids[0]:
                self.identity.hostname, self.identity.hostname_source = ids[0], "lmhostid"
            else:
                name = self._collect().get("computer_name")
                if name:
                    self.identity.hostname, self.identity.hostname_source = str(name), "computer_name"
        return self.identity.hostname

    def macs(self) -> list[str]:
        """``lmhostid -ether``, else the MACs of the enabled adapters from the one-shot collection."""
        if not self._macs_done:
            self._macs_done = True
            ids = self._lmhostid("ether")
            if ids:
                self.identity.macs, self.identity.macs_source = ids, "lmhostid"
            else:
                macs = [str(mac) for mac in self._collect().get("macs") or []]
                if macs:
                    self.identity.macs, self.identity.macs_source = macs, "collect"
        return self.identity.macs


def read_installed(host: HostAccess, install_dir: str, *, exclude: str | None = None) -> list[tuple[str, bytes | None]]:
    """Every ``*.lic`` file in MyFiles with its content (None when it could not be read).

    ``exclude`` (compared case-insensitively) leaves out the file being planned for.
    """
    files = host.find(license_plan.myfiles_dir(install_dir), [license_plan.LICENSE_PATTERN])
    result: list[tuple[str, bytes | None]] = []
    for info in sorted(files, key=lambda item: item.path.lower()):
        name = info.path.replace("/", "\\").rsplit("\\", 1)[-1]
        if exclude is not None and name.casefold() == exclude.casefold():
            continue
        try:
            data = host.read_file(info.path)
        except HostError:
            data = None
        result.append((name, data))
    return result


def run_reread(host: HostAccess, install_dir: str, cluster_access_point: str | None) -> dict[str, Any]:
    """Run lmreread from ``<install>\\LS``; returns {argv, rc, stdout, stderr, ok}."""
    argv = license_plan.reread_argv(install_dir, cluster_access_point)
    run = host.run(argv, chdir=license_plan.ls_dir(install_dir))
    return {
        "argv": run.argv,
        "rc": run.rc,
        "stdout": run.stdout,
        "stderr": run.stderr,
        "ok": lmreread_succeeded(run.rc, run.stdout, run.stderr),
    }


def reread_failure_message(reread: dict[str, Any]) -> str:
    """The failure text with the command's own output, which says why."""
    output = " ".join(part.strip() for part in (reread.get("stderr"), reread.get("stdout")) if part and part.strip())
    return f"{' '.join(reread['argv'])} failed (rc={reread['rc']}): {output or 'no output'}"


def backup_destination(backup_dir: str, host: str, name: str, now: datetime.datetime) -> tuple[str, list[str]]:
    """``<backup_dir>/<host folder>/<UTC timestamp>/<name>`` on the controller, and notes about older folders.

    The host folder follows the collection's one rule (:func:`.host_folder.folder_name`: readable name plus
    a hash of the exact inventory name). Backups an older version wrote without the hash stay where they
    are (they may hold two hosts' files, which cannot be told apart); the notes name that folder, so no
    earlier backup is orphaned silently.
    """
    if not isinstance(backup_dir, str) or not backup_dir.strip():
        raise InputError("backup_dir is empty: give a directory on the controller (default "
                         "~/.ansible/ctxlic/license_backups)")
    base = os.path.expanduser(backup_dir)
    if os.path.exists(base) and not os.path.isdir(base):
        raise InputError(f"backup_dir {backup_dir!r} is not a directory ({base} is a file or a device): give a "
                         "directory on the controller; nothing was removed")
    stamp = now.astimezone(datetime.UTC).strftime("%Y%m%dT%H%M%SZ")
    folder = host_folder.folder_name(host or "unknown")
    notes = [f"earlier license file backups made by an older version of this collection may be in {legacy} (folder "
             f"name without the host name hash, possibly shared with another host whose name reads the same); they "
             f"are kept there, new backups of {host} go to {os.path.join(base, folder)}"
             for legacy in host_folder.existing_legacy(base, host or "unknown")]
    return os.path.join(base, folder, stamp, name), notes


def fetch_backup(host: HostAccess, path: str, local_path: str, expected: bytes) -> str:
    """Copy ``path`` from the host to ``local_path`` and prove it holds ``expected`` (size and SHA-256).

    ``expected`` is what was read from the server for planning. A copy that differs (a cut or truncated
    transfer, a file changed in between) is deleted and :class:`HostError` stops the removal: nothing on
    the server has been changed at that point. Returns ``local_path``.
    """
    folder = os.path.dirname(local_path)
    try:
        os.makedirs(folder, mode=0o700, exist_ok=True)
    except OSError as exc:
        raise InputError(f"backup_dir: cannot create {folder} on the controller ({exc.strerror or exc}); give a "
                         "writable directory as backup_dir; nothing was removed") from None
    try:
        host.fetch_file(path, local_path)
    except (AnsibleError, OSError) as exc:
        _discard(local_path)
        raise HostError(f"backup of {path} to the controller failed ({exc}); nothing was removed. Run again once "
                        "the connection works") from None
    problem = backup_problem(local_path, expected)
    if problem:
        _discard(local_path)
        raise HostError(f"backup of {path} to {local_path} is not a true copy: {problem}. The server's file was "
                        "not removed and nothing was changed; the incomplete copy was deleted. Run again (check the "
                        "connection if this repeats)")
    return local_path


def backup_problem(local_path: str, expected: bytes) -> str | None:
    """Why the controller copy at ``local_path`` is not ``expected`` (size, then SHA-256), or None."""
    try:
        with open(local_path, "rb") as handle:
            data = handle.read(len(expected) + 1)
    except OSError as exc:
        return f"the copy cannot be read ({exc.strerror or exc})"
    if len(data) != len(expected):
        return f"the copy holds {len(data)}{'+' if len(data) > len(expected) else ''} bytes, the server's file " \
               f"{len(expected)}"
    got, want = hashlib.sha256(data).hexdigest(), hashlib.sha256(expected).hexdigest()
    if got != want:
        return f"the copy has SHA-256 {got}, the server's file {want}"
    return None


def _discard(local_path: str) -> None:
    with contextlib.suppress(OSError):
        os.unlink(local_path)
    with contextlib.suppress(OSError):
        os.rmdir(os.path.dirname(local_path))  # the timestamp folder, when it is empty


# win_service_info reports a running service as "started"; the lab (and Get-Service) say "running".
RUNNING_STATES = frozenset({"running", "started"})


def _now() -> datetime.datetime:
    return datetime.datetime.now(datetime.UTC)


def remove_documented(host: HostAccess, plan: license_plan.RemovePlan, *, log: Callable[[str], None]) -> list[str]:
    """Seed 004 "Delete license files": stop the service, rename .lic to .old, start it, delete .old.

    A marker file (:mod:`license_removal`) is written before the first step and deleted after the
    last, so a run killed in between is finished by the next one (:func:`finish_interrupted_removal`)
    instead of leaving the service stopped or the ``.old`` file behind. When the service was not
    running it is left stopped (the procedure needs no restart to take a file away from a stopped
    daemon) and ``log`` says so. Returns the steps taken. On a failure it raises
    :class:`HostError` naming what state the host was left in.
    """
    steps: list[str] = []
    service = LICENSING_SERVICE
    info = host.service(service)
    was_running = info.exists and str(info.state).lower() in RUNNING_STATES
    marker = license_removal.marker_beside(plan.path)
    try:
        host.write_file(marker, license_removal.marker_content(plan.name, service_was_running=was_running, now=_now()),
                        backup=False)
    except HostError as exc:
        raise HostError(f"could not write {marker} before removing {plan.name}: {exc}; nothing was removed") from exc
    if was_running:
        host.set_service(service, "stopped")
        steps.append(f"stopped {service}")
    else:
        log(f"the {service} service was {info.state if info.exists else 'missing'}; it was left that way")
    try:
        host.rename(plan.path, plan.old_path)
    except HostError as exc:
        if was_running:
            host.set_service(service, "started")
        host.remove(marker)
        raise HostError(f"could not rename {plan.path} to {plan.old_path}: {exc}; nothing was removed") from exc
    steps.append(f"renamed {plan.name} to {license_plan.old_name(plan.name)}")
    if was_running:
        try:
            host.set_service(service, "started")
        except HostError as exc:
            raise HostError(
                f"{plan.name} was renamed to {plan.old_path}, but the {service} service did not start again: {exc}. "
                f"Start the service, then delete {plan.old_path} (or rename it back to .lic to keep its licenses); "
                "or fix the cause and run ctxlic.license_server.license_file again, which finishes the removal"
            ) from exc
        steps.append(f"started {service}")
    host.remove(plan.old_path)
    steps.append(f"deleted {license_plan.old_name(plan.name)}")
    host.remove(marker)
    return steps


@dataclass
class Recovery:
    """What finishing an interrupted removal did (or, in check mode, would do)."""

    steps: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.steps)


def removal_marker_exists(host: HostAccess, install_dir: str) -> bool:
    """Is the marker of a removal (running or interrupted) in MyFiles? One read-only stat."""
    return host.stat(license_removal.marker_path(install_dir)).exists


def finish_interrupted_removal(host: HostAccess, install_dir: str, *, check_mode: bool) -> Recovery:
    """Finish the removal an earlier run left half done, when its marker file is in MyFiles.

    One read-only call (the marker's stat) when there is no marker. Otherwise the remaining steps
    of seed 004's procedure run in its order (start the service, delete the ``.old`` file), then
    the marker is deleted; in check mode they are only listed. When the service does not start
    the marker stays, so the next run tries again.
    """
    path = license_removal.marker_path(install_dir)
    data = host.read_file(path)
    if data is None:
        return Recovery()
    marker = license_removal.parse_marker(data)
    service = host.service(LICENSING_SERVICE)
    lic_exists = old_exists = False
    if marker.name is not None:
        lic_exists = host.stat(license_plan.myfiles_path(install_dir, marker.name)).exists
        old_exists = host.stat(license_plan.myfiles_path(install_dir, license_plan.old_name(marker.name))).exists
    plan = license_removal.plan_recovery(marker, install_dir=install_dir, service_exists=service.exists,
                                         service_state=service.state, lic_exists=lic_exists, old_exists=old_exists)
    what = f"the interrupted removal of {marker.name}" if marker.name else "an interrupted license file removal"
    recovery = Recovery(notes=[f"{what}: {note}" for note in plan.notes])
    prefix = "would have " if check_mode else ""
    if plan.start_service:
        if not check_mode:
            _start_after_interruption(host, what, path)
        recovery.steps.append(f"{prefix}started {LICENSING_SERVICE}, which {what} had stopped")
    if plan.delete_old and plan.old_path:
        if not check_mode:
            host.remove(plan.old_path)
        recovery.steps.append(f"{prefix}deleted {ntpath.basename(plan.old_path)}, left by {what}")
    if not check_mode:
        host.remove(path)
    recovery.steps.append(f"{prefix}deleted the marker {license_removal.MARKER_NAME} of {what}")
    return recovery


def _start_after_interruption(host: HostAccess, what: str, marker: str) -> None:
    try:
        host.set_service(LICENSING_SERVICE, "started")
    except HostError as exc:
        raise HostError(
            f"{what} left the {LICENSING_SERVICE} service stopped, and it did not start: {exc}. Fix the "
            f"cause and run again ({marker} stays, so the next run finishes the removal); nothing else was changed"
        ) from exc


# -- is what MyFiles holds served? ----------------------------------------------------------------
def check_file_served(host: HostAccess, install_dir: str, report, *, ls_hostname: str | None,
                      macs: list[str], cluster_access_point: str | None) -> license_served.ServedCheck:
    """Does ``lmstat -a`` serve the lines of one installed file? One read-only run of lmstat.

    Only the too-little side can be judged from one file (the others may add licenses).
    """
    argv = license_plan.lmstat_argv(install_dir, cluster_access_point)
    try:
        run = host.run(argv, chdir=license_plan.ls_dir(install_dir), read_only=True)
    except HostError as exc:
        return license_served.not_checked(f"lmstat -a could not be run: {exc}")
    return license_served.check_lmstat(run.to_dict(), [report], ls_hostname=ls_hostname, macs=macs,
                                       today=_now().date(), complete=False)


def check_myfiles_served(host: HostAccess, install_dir: str,
                         cluster_access_point: str | None) -> license_served.ServedCheck:
    """Does ``lmstat -a`` serve every license file in MyFiles, and nothing else? One ``collect`` call.

    The collection carries the files, ``lmhostid``, the MACs and ``lmstat -c @localhost``; a
    clustered server is asked through its client access point with one more read-only run.
    """
    try:
        raw = host.collect(install_dir=install_dir, max_bytes=MAX_FILE_BYTES)
    except HostError as exc:
        return license_served.not_checked(f"the License Server could not be read: {exc}")
    lmstat_run = None
    if license_plan.normalize_cluster_access_point(cluster_access_point):
        argv = license_plan.lmstat_argv(install_dir, cluster_access_point)
        try:
            lmstat_run = host.run(argv, chdir=license_plan.ls_dir(install_dir), read_only=True).to_dict()
        except HostError as exc:
            return license_served.not_checked(f"lmstat -a could not be run: {exc}")
    return license_served.check_collection(raw, default_today=_now().date(), lmstat_run=lmstat_run,
                                           cluster_access_point=license_plan.normalize_cluster_access_point(
                                               cluster_access_point))
