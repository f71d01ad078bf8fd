# Copyright: (c) 2026, ctxlic maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Action plugin for ctxlic.license_server.dr_primary (documentation in plugins/modules/dr_primary.py).

Runs against the primary License Server, normally with ``delegate_to`` from a play on the DR host.
A primary that cannot be reached is a result here, not an Ansible "unreachable" host: the failover
must go on (with the operator's confirmation) when the primary is gone, so connection failures are
caught and reported instead of ending the play.
"""

from __future__ import annotations

from typing import Any

from ansible.errors import AnsibleError

from ansible_collections.ctxlic.license_server.plugins.plugin_utils._action.base import CtxlicAction
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._common.errors import HostError
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._dr import primary as primary_plan
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._host.access import HostAccess


def target_task_vars(task, task_vars: dict) -> dict:
    """The variables of the host the task acts on: the delegated host's when ``delegate_to`` is set.

    Ansible runs a delegated action plugin with the *play* host's variables and the delegated host's
    connection; the host access layer picks its backend from variables (``ctxlic_lab_root``), so the
    delegated host's own variables must be laid over them.
    """
    delegate = getattr(task, "delegate_to", None)
    delegated = (task_vars.get("ansible_delegated_vars") or {}).get(delegate) if delegate else None
    if not delegated:
        return task_vars
    merged = dict(task_vars)
    merged.pop("ctxlic_lab_root", None)
    merged.update(delegated)
    return merged


class ActionModule(CtxlicAction):
    ARGUMENT_SPEC = {
        "services": {"type": "list", "elements": "str", "default": list(primary_plan.DEFAULT_PRIMARY_SERVICES)},
        "confirmed_down": {"type": "bool", "default": False},
        "start_mode": {"type": "str", "default": "disabled", "choices": list(primary_plan.FENCE_START_MODES)},
    }

    def host_task_vars(self) -> dict:
        return target_task_vars(self._task, super().host_task_vars())

    def run_module(self, args: dict, task_vars: dict) -> dict:
        services = primary_plan.check_services(args["services"])
        primary = self._task.delegate_to or self.inventory_host
        host, states, error = self._probe(services)
        plan = primary_plan.plan_primary(
            primary, reachable=host is not None, error=error, states={n: v[:2] for n, v in states.items()},
            services=services, confirmed_down=args["confirmed_down"],
            start_modes={n: v[2] for n, v in states.items()}, start_mode=args["start_mode"])
        result: dict[str, Any] = {
            "changed": False,
            "primary": primary,
            "reachable": plan.reachable,
            "error": error,
            "confirmed_down": args["confirmed_down"],
            "stopped": [],
            "fenced": [],
            "start_mode": args["start_mode"],
            "undo": plan.undo,
            "services": self._service_list(services, states, states),
            "notes": plan.notes,
        }
        if plan.refusal:
            result.update(failed=True, msg=plan.refusal)
            return result
        if not plan.reachable:
            plan.notes.append(
                "the primary could not be fenced (its services' start mode was not changed): when it comes back, "
                "its automatic services start and a second License Server with the same name is reachable. Keep "
                "it off the network until its services are disabled or it is rebuilt")
            result["msg"] = plan.notes[0]
            return result
        if not plan.stop and not plan.fence:
            result["msg"] = f"the primary {primary} is not serving and is fenced: " + "; ".join(plan.notes)
            return result
        result["changed"] = True
        diff = self.diff(*primary_plan.fence_diff(primary, services, states, plan))
        if diff:
            result["diff"] = diff
        if self.check_mode:
            result.update(stopped=plan.stop, fenced=plan.fence, msg=f"check mode: would {self._what(plan, primary)}")
            return result
        if host is None:  # plan.stop/fence are only non-empty when the primary answered
            raise AssertionError("dr_primary: no host access for a reachable primary")
        failure = self._stop_and_fence(host, plan, primary, result)
        if failure is None:
            after = {name: self._state(host, name) for name in services}
            result["services"] = self._service_list(services, states, after)
            failure = primary_plan.fence_failure(primary, plan, after, services)
        if failure:
            return {**result, "failed": True, "msg": failure}
        result["msg"] = (f"{self._what(plan, primary, done=True)}; it no longer serves licenses"
                         + (" and stays off after a reboot" if plan.start_mode != "unchanged" else ""))
        return result

    @staticmethod
    def _stop_and_fence(host: HostAccess, plan: primary_plan.PrimaryPlan, primary: str, result: dict) -> str | None:
        """Stop, then set the start modes, in the plan's order; the failure message, or None when all went through."""
        for name in plan.stop:
            try:
                host.set_service(name, "stopped")
            except HostError as exc:
                return (f"could not stop {name!r} on the primary {primary}: {exc}. The DR host was not changed. Stop "
                        "the service by hand or power the primary off, then run the failover again (with "
                        "ctxlic_dr_primary_confirmed_down=true if it no longer answers)")
            result["stopped"].append(name)
        for name in plan.fence:
            try:
                host.set_service_start_mode(name, plan.start_mode)
            except HostError as exc:
                return (f"stopped {', '.join(result['stopped']) or 'nothing'} but could not set the start mode of "
                        f"{name!r} on the primary {primary} to {plan.start_mode}: {exc}. The DR host was not changed. "
                        "A reboot of the primary would start it again: set its startup type to Disabled by hand, "
                        "then run the failover again")
            result["fenced"].append(name)
        return None

    @staticmethod
    def _what(plan: primary_plan.PrimaryPlan, primary: str, done: bool = False) -> str:
        parts = []
        if plan.stop:
            parts.append(f"{'stopped' if done else 'stop'} {', '.join(plan.stop)}")
        if plan.fence:
            parts.append(f"set the start mode of {', '.join(plan.fence)} to {plan.start_mode}")
        return " and ".join(parts) + f" on the primary {primary}"

    # -- reading the primary ----------------------------------------------------------------------
    def _probe(self, services: list[str]) -> tuple[HostAccess | None, dict, str | None]:
        """(host access, name -> (exists, state, start_mode), error): host is None when the primary did not answer."""
        try:
            host = self.host
            states = {name: self._state(host, name) for name in services}
        except (AnsibleError, HostError) as exc:
            return None, {}, " ".join(str(exc).split())[:500]
        return host, states, None

    @staticmethod
    def _state(host: HostAccess, name: str) -> tuple[bool, str | None, str | None]:
        info = host.service(name)
        return info.exists, info.state, info.start_mode

    @staticmethod
    def _service_list(services: list[str], before: dict, after: dict) -> list[dict]:
        none = (None, None, None)
        return [{"name": name, "exists": before.get(name, none)[0], "before": before.get(name, none)[1],
                 "after": after.get(name, none)[1], "start_mode_before": before.get(name, none)[2],
                 "start_mode_after": after.get(name, none)[2]} for name in services]
