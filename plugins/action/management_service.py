# Copyright: (c) 2026, ctxlic maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Action plugin for ctxlic.license_server.management_service (documentation: plugins/modules/management_service.py)."""

from __future__ import annotations

from typing import Any

from ansible_collections.ctxlic.license_server.plugins.plugin_utils._server import ls_tools
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._action.base import SNAPSHOT_OPTION, CtxlicAction
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._host import snapshot as host_snapshot
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._common.errors import HostError
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._host.access import RunResult
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._host.install_dir import resolve_install_dir


class ActionModule(CtxlicAction):
    USES_SNAPSHOT = True
    SNAPSHOT_CHANGES = frozenset({host_snapshot.MANAGEMENT})
    ARGUMENT_SPEC = {
        "state": {"type": "str", "required": True, "choices": ["enabled", "disabled", "query"]},
        "install_dir": {"type": "str"},
        **SNAPSHOT_OPTION,
    }

    def run_module(self, args: dict, task_vars: dict) -> dict:
        host = self.host
        install_dir = resolve_install_dir(host, args["install_dir"])
        exe = ls_tools.management_service_exe(install_dir)
        if not host.stat(exe).exists:
            raise HostError(f"{ls_tools.MANAGEMENT_SERVICE_EXE} was not found: looked for {exe} (install directory "
                            f"{install_dir}); check that Citrix Licensing is installed there, or pass install_dir")
        base = {"changed": False, "install_dir": install_dir, "executable": exe}
        query = host.run([exe, "-query"], chdir=ls_tools.ls_program_dir(install_dir), read_only=True)
        current = self._parse_query(query)
        if current is None:
            return {**base, "failed": True, "query_output": query.stdout, "query_stderr": query.stderr,
                    "query_rc": query.rc, "msg": self._not_understood(query)}
        state = args["state"]
        changed, flag = ls_tools.plan_management_service(state, current)
        result: dict[str, Any] = {**base, "enabled": current, "previous_enabled": current,
                                  "reporting_mode": ls_tools.reporting_mode(current), "query_output": query.stdout}
        if changed and flag is not None:  # a change always comes with the switch that makes it
            wanted = state == "enabled"
            result.update(changed=True, enabled=wanted, reporting_mode=ls_tools.reporting_mode(wanted))
            if not self.check_mode:
                failure = self._switch(install_dir, exe, flag, wanted, result)
                if failure:
                    return failure
        diff = self.diff(ls_tools.management_state_text(current), ls_tools.management_state_text(result["enabled"]),
                         f"{exe} -query", f"{exe} -query") if state != "query" else None
        if diff:
            result["diff"] = diff
        if state == "disabled":
            self.warn(ls_tools.manual_reporting_warning(install_dir))
        return result

    @staticmethod
    def _parse_query(query: RunResult) -> bool | None:
        return ls_tools.parse_management_query(query.stdout) if query.rc == 0 else None

    @staticmethod
    def _not_understood(query: RunResult) -> str:
        return (f"could not tell whether the License Management Service is enabled: '{query.argv[0]} -query' "
                f"exited with {query.rc} and printed {query.stdout.strip()!r:.400} (stderr "
                f"{query.stderr.strip()!r:.300}); nothing was changed. The raw output is in query_output; "
                "please report it so the parser can learn it")

    def _switch(self, install_dir: str, exe: str, flag: str, wanted: bool, result: dict) -> dict | None:
        """Run ``-enable``/``-disable`` and confirm with ``-query``; a failure result, or None when it worked."""
        chdir = ls_tools.ls_program_dir(install_dir)
        run = self.host.run([exe, flag], chdir=chdir)
        result["command_output"] = run.stdout
        if not run.ok:
            return {**result, "failed": True, "changed": False, "enabled": result["previous_enabled"],
                    "msg": f"'{exe} {flag}' failed with exit code {run.rc}: stdout {run.stdout.strip()!r:.400}, "
                           f"stderr {run.stderr.strip()!r:.400}"}
        check = self.host.run([exe, "-query"], chdir=chdir, read_only=True)
        result["query_output"] = check.stdout
        confirmed = self._parse_query(check)
        if confirmed is not wanted:
            return {**result, "failed": True, "enabled": confirmed,
                    "msg": f"'{exe} {flag}' reported success but '-query' then said {check.stdout.strip()!r:.400} "
                           f"(exit code {check.rc}); the License Management Service is not "
                           f"{'enabled' if wanted else 'disabled'}"}
        return None
