"""Action plugin for ctxlic.license_server.info (documentation in plugins/modules/info.py)."""

from __future__ import annotations

from ansible_collections.ctxlic.license_server.plugins.plugin_utils.action_support import CtxlicAction
from ansible_collections.ctxlic.license_server.plugins.plugin_utils.host_access import host_access_for
from ansible_collections.ctxlic.license_server.plugins.plugin_utils.info_record import build_record


class ActionModule(CtxlicAction):
    ARGUMENT_SPEC = {
        "install_dir": {"type": "str"},
        "max_file_bytes": {"type": "int", "default": 1048576},
    }

    def run_module(self, args: dict, task_vars: dict) -> dict:
        host = host_access_for(self, task_vars)
        raw = host.collect(install_dir=args["install_dir"], max_bytes=args["max_file_bytes"])
        record = build_record(task_vars.get("inventory_hostname", ""), raw)
        return {"changed": False, "server": record, "backend": host.backend, "remote_calls": len(host.calls)}
