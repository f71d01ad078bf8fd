# Copyright: (c) 2026, ctxlic maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# Internal use only: this module is private to ctxlic.license_server and may change at any time.
"""Disaster recovery of a Citrix License Server, the primary's side: only one License Server may serve at a
time, so the primary is stopped and fenced before the DR host serves (pure).

Seed 004 "Disaster recovery backup and redundancy": "Make only one License Server accessible at any one
time" / "You cannot have two License Servers that have the same name on your network active at the
same time". This module decides; the action plugin ``dr_primary`` reads and changes the primary.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ansible_collections.ctxlic.license_server.plugins.plugin_utils._common.constants import (
    LICENSING_SERVICE,
    WEB_SERVICE,
)
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._common.errors import InputError

#: The services that serve checkouts (Citrix Licensing: lmgrd + the CITRIX vendor daemon) and the web
#: services (Citrix Licensing Manager, uploads). Stopped in this order on a primary that still answers.
DEFAULT_PRIMARY_SERVICES = (LICENSING_SERVICE, WEB_SERVICE)

# --------------------------------------------------------------------------------------------
# The primary: only one License Server may serve at a time
# --------------------------------------------------------------------------------------------


@dataclass
class PrimaryPlan:
    """What to do about the primary before the DR host starts serving."""

    reachable: bool
    stop: list[str] = field(default_factory=list)
    refusal: str | None = None
    notes: list[str] = field(default_factory=list)
    fence: list[str] = field(default_factory=list)  # services whose start mode is set to ``start_mode``
    start_mode: str = "disabled"
    undo: str | None = None  # how to bring the primary back, once fenced


def check_services(services: Any) -> list[str]:
    """The service names option: a non-empty list of names, Citrix Licensing among them."""
    if not isinstance(services, list) or not services or not all(isinstance(s, str) and s.strip() for s in services):
        raise InputError(f"services must be a non-empty list of Windows service names, got {services!r}")
    if LICENSING_SERVICE not in services:
        raise InputError(
            f"services {services!r} does not name {LICENSING_SERVICE!r}: that service serves the checkouts, so the "
            "primary keeps serving unless it is stopped"
        )
    return [s.strip() for s in services]


FENCE_START_MODES = ("disabled", "manual", "unchanged")


def plan_primary(
    primary: str,
    *,
    reachable: bool,
    error: str | None,
    states: Mapping[str, tuple[bool, str | None]],
    services: Sequence[str],
    confirmed_down: bool,
    start_modes: Mapping[str, str | None] | None = None,
    start_mode: str = "unchanged",
) -> PrimaryPlan:
    """Stop the primary's services when it answers; when it does not, demand the operator's word.

    ``states`` maps a service name to (exists, state). Ansible not reaching a host proves only that
    its management connection is down, not that its License Server is: hence the confirmation.

    Fencing: a stopped service on automatic start comes back when the primary reboots, and then two License
    Servers with the same name are reachable, which seed 004 forbids ("only one License Server ... accessible
    at any one time"). With ``start_mode`` ``disabled`` (or ``manual``) every existing service whose start mode
    (``start_modes``: name -> win_service start_mode) differs is set to it, so the fence survives a reboot.
    """
    if start_mode not in FENCE_START_MODES:
        raise InputError(f"start_mode {start_mode!r} is not one of {', '.join(FENCE_START_MODES)}")
    if not reachable:
        plan = PrimaryPlan(reachable=False)
        why = f"the primary License Server {primary!r} could not be reached ({error or 'no answer'})"
        if confirmed_down:
            plan.notes.append(f"{why}; going ahead because confirmed_down is true (the operator confirmed it is down)")
        else:
            plan.refusal = (
                f"{why}, so the failover cannot make sure it is not serving. Citrix Licensing 11.17.2 build 49000 "
                "documentation: only one License Server with "
                "this name may be reachable at a time. Make sure it is off (powered off, or disconnected from the "
                "network), then run again with ctxlic_dr_primary_confirmed_down=true (module option confirmed_down). "
                "Nothing was changed"
            )
        return plan
    plan = PrimaryPlan(reachable=True, start_mode=start_mode)
    modes = start_modes or {}
    for name in services:
        exists, state = states.get(name, (False, None))
        if not exists:
            plan.notes.append(f"service {name!r} does not exist on the primary")
            continue
        if str(state or "").lower() != "stopped":
            plan.stop.append(name)
        else:
            plan.notes.append(f"service {name!r} was already stopped")
        if start_mode != "unchanged":
            if str(modes.get(name) or "").lower() != start_mode:
                plan.fence.append(name)
            else:
                plan.notes.append(f"service {name!r} already has start mode {start_mode}")
    if start_mode == "unchanged":
        plan.notes.append(
            "start modes were left unchanged: a reboot of the primary starts its automatic services again and then "
            "two License Servers with the same name are reachable; keep it off the network"
        )
    else:
        plan.undo = undo_text(primary, [n for n in services if states.get(n, (False, None))[0]], modes)
    return plan


def undo_text(primary: str, services: Sequence[str], before: Mapping[str, str | None]) -> str:
    """How to un-fence the primary: the start mode each service had before, then start them."""
    modes = ", ".join(f"{name!r} to {before.get(name) or 'auto'}" for name in services)
    first = services[0] if services else LICENSING_SERVICE
    return (
        f"to make {primary} a License Server again, first make sure the DR License Server with the same name no "
        f"longer serves (only one may be reachable at a time), then on {primary} set the start mode of {modes} and "
        f"start them, e.g. with ansible.windows.win_service name={first!r} start_mode="
        f"{before.get(first) or 'auto'} state=started for each (services.msc: Startup type, then Start)"
    )


def still_running(states: Mapping[str, tuple[bool, str | None]], services: Sequence[str]) -> list[str]:
    """Services that exist and are not stopped (after the stop requests)."""
    return [n for n in services if states.get(n, (False, None))[0] and str(states[n][1] or "").lower() != "stopped"]


def fence_diff(primary: str, services: Sequence[str], states: Mapping[str, tuple[bool, str | None, str | None]],
               plan: PrimaryPlan) -> tuple[str, str, str, str]:
    """(before, after, before_header, after_header): state and start mode of each existing service."""
    def line(name: str, state: str | None, mode: str | None) -> str:
        return f"{name}: state={state}, start_mode={mode}\n"

    before, after = "", ""
    for name in services:
        exists, state, mode = states.get(name, (False, None, None))
        if not exists:
            continue
        before += line(name, state, mode)
        after += line(name, "stopped" if name in plan.stop else state, plan.start_mode if name in plan.fence else mode)
    return before, after, f"{primary} services", f"{primary} services"


def fence_failure(primary: str, plan: PrimaryPlan, after: Mapping[str, tuple[bool, str | None, str | None]],
                  services: Sequence[str]) -> str | None:
    """Why the primary is not stopped and fenced as planned, read back after the requests; None when it is."""
    running = still_running({n: v[:2] for n, v in after.items()}, services)
    if running:
        return (f"{', '.join(running)} still not stopped on the primary {primary} after the stop request; the DR host "
                "was not changed. Stop it by hand")
    unfenced = [n for n in plan.fence if str(after[n][2] or "").lower() != plan.start_mode]
    if unfenced:
        return (f"the start mode of {', '.join(unfenced)} on the primary {primary} is still not {plan.start_mode}; "
                "the DR host was not changed. Set it by hand")
    return None
