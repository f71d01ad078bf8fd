# Copyright: (c) 2026, ctxlic maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# Internal use only: this module is private to ctxlic.license_server and may change at any time.
"""Finishing a license file removal that an earlier run left half done. No I/O.

Seed 004 "Delete license files" is a sequence: stop the Citrix Licensing service, rename the file
from ``.lic`` to ``.old``, start the service, delete the ``.old`` file. A run killed (or a
connection lost) between the steps leaves the service stopped, or a ``.old`` file behind, and a
stopped service looks exactly like one an operator stopped on purpose.

So before its first step the removal writes a marker file into MyFiles (the License Server reads
only ``*.lic`` files there, and the marker lives next to the ``.old`` file it speaks of, so both
survive an uninstall, which keeps MyFiles). The marker names the file and says whether the service
was running. It is deleted after the last step. Any later run that finds it finishes the
procedure: it starts the service when the interrupted run had stopped it, deletes the ``.old`` file
when the rename had happened (the backup was taken before the marker was written), then deletes
the marker.
"""

from __future__ import annotations

import datetime
import json
import ntpath
from dataclasses import dataclass, field
from typing import Any

from ansible_collections.ctxlic.license_server.plugins.plugin_utils._common.constants import LICENSING_SERVICE
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._license import plan as license_plan

MARKER_NAME = "ctxlic_removal_in_progress.json"
_MARKER_FORMAT = 1
_RUNNING_STATES = frozenset({"running", "started"})


def marker_path(install_dir: str) -> str:
    """``<install>\\MyFiles\\ctxlic_removal_in_progress.json``."""
    return ntpath.join(license_plan.myfiles_dir(install_dir), MARKER_NAME)


def marker_beside(license_path: str) -> str:
    """The marker path in the directory of ``license_path`` (the MyFiles path of the file being removed)."""
    return ntpath.join(ntpath.dirname(license_path), MARKER_NAME)


def marker_content(name: str, *, service_was_running: bool, now: datetime.datetime) -> bytes:
    """The marker written before the first step of removing ``name``."""
    data = {
        "format": _MARKER_FORMAT,
        "file": name,
        "service": LICENSING_SERVICE,
        "service_was_running": bool(service_was_running),
        "started_at": now.astimezone(datetime.UTC).isoformat(),
    }
    return (json.dumps(data, sort_keys=True) + "\n").encode("utf-8")


@dataclass
class Marker:
    """What a marker says; ``name`` None when the file it names cannot be trusted (damaged or not ours)."""

    name: str | None
    service_was_running: bool | None
    problem: str | None = None


def parse_marker(data: bytes) -> Marker:
    """Read a marker; never raises. A damaged marker still proves that a removal was interrupted."""
    try:
        parsed = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return Marker(None, None, "the marker is not readable JSON")
    if not isinstance(parsed, dict):
        return Marker(None, None, "the marker is not a JSON object")
    running = parsed.get("service_was_running")
    running = running if isinstance(running, bool) else None
    name = parsed.get("file")
    if not isinstance(name, str) or license_plan.removal_name_errors(name):
        return Marker(None, running, f"the marker names no removable license file ({name!r})")
    return Marker(name, running)


@dataclass
class RecoveryPlan:
    """The remaining steps of the interrupted removal; the marker is deleted after them."""

    name: str | None
    old_path: str | None
    start_service: bool = False
    delete_old: bool = False
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "old_path": self.old_path,
            "start_service": self.start_service,
            "delete_old": self.delete_old,
            "notes": list(self.notes),
        }


def plan_recovery(
    marker: Marker,
    *,
    install_dir: str,
    service_exists: bool,
    service_state: str | None,
    lic_exists: bool,
    old_exists: bool,
) -> RecoveryPlan:
    """Which steps of seed 004's procedure are still to do.

    The service is started when the interrupted run stopped it (``service_was_running``) and it is
    not running now; a damaged marker cannot say, and a removal only ever stops a running service,
    so it is started then too. The ``.old`` file is deleted only when the marker names it and the
    ``.lic`` is gone: the rename happened, and the removal refuses to start while a ``.old`` of
    that name exists, so this ``.old`` is the one it made. With both files present someone put the
    ``.lic`` back; then the ``.old`` is left for a person and a note says so.
    """
    running = str(service_state or "").lower() in _RUNNING_STATES
    plan = RecoveryPlan(name=marker.name, old_path=None)
    if marker.problem:
        plan.notes.append(marker.problem)
    if service_exists and not running and marker.service_was_running is not False:
        plan.start_service = True
    if not service_exists:
        plan.notes.append(f"the {LICENSING_SERVICE} service does not exist; nothing to start")
    if marker.name is None:
        return plan
    plan.old_path = license_plan.myfiles_path(install_dir, license_plan.old_name(marker.name))
    if old_exists and not lic_exists:
        plan.delete_old = True
    elif old_exists:
        plan.notes.append(
            f"{plan.old_path} was left by the interrupted removal of {marker.name}, but {marker.name} is back in "
            "MyFiles; the .old file was left alone - delete it once you have checked it"
        )
    return plan
