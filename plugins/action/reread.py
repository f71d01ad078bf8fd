# Copyright: (c) 2026, ctxlic maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Action plugin for ctxlic.license_server.reread (documentation in plugins/modules/reread.py)."""

from __future__ import annotations

from typing import Any

from ansible_collections.ctxlic.license_server.plugins.plugin_utils._host.install_dir import resolve_install_dir
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._host import license_steps as license_host
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._license import plan as license_plan
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._action.base import SNAPSHOT_OPTION, CtxlicAction
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._host import snapshot as host_snapshot


class ActionModule(CtxlicAction):
    USES_SNAPSHOT = True
    SNAPSHOT_CHANGES = frozenset({host_snapshot.LMSTAT})
    ARGUMENT_SPEC = {
        "install_dir": {"type": "str"},
        "cluster_access_point": {"type": "str"},
        "only_if_stale": {"type": "bool", "default": False},
        **SNAPSHOT_OPTION,
    }

    def run_module(self, args: dict, task_vars: dict) -> dict:
        cap = license_plan.normalize_cluster_access_point(args.get("cluster_access_point"))
        install_dir = resolve_install_dir(self.host, args.get("install_dir"))
        argv = license_plan.reread_argv(install_dir, cap)
        result: dict[str, Any] = {"changed": True, "cmd": argv, "install_dir": install_dir, "reread": None,
                                  "served_check": None}
        if args["only_if_stale"]:
            check = license_host.check_myfiles_served(self.host, install_dir, cap)
            result["served_check"] = check.to_dict()
            if not check.stale:
                # Not stale, or not known to be: a reread would change nothing the check can see.
                result.update(changed=False, msg=self._not_stale_msg(check))
                if not check.checked:
                    self.warn(result["msg"])
                return result
        if self.check_mode:
            # A reread changes what the vendor daemon serves, so it counts as a change; it is not run.
            result["msg"] = f"check mode: {' '.join(argv)} was not run"
            return result
        # Not reread_or_fail: a failed reread still returns cmd, install_dir and the command's result (all
        # documented as returned always).
        reread = license_host.run_reread(self.host, install_dir, cap)
        result["reread"] = reread
        if not reread["ok"]:
            result.update(failed=True, msg=license_host.reread_failure_message(reread))
            return result
        result["msg"] = "the License Server reread its license and options files"
        if result["served_check"]:
            result["msg"] += f" ({result['served_check']['summary']})"
        return result

    @staticmethod
    def _not_stale_msg(check) -> str:
        if check.checked:
            return "the License Server serves what the license files in MyFiles hold; lmreread was not run"
        return (f"could not check whether the License Server serves the license files in MyFiles ({check.reason}); "
                "lmreread was not run")
