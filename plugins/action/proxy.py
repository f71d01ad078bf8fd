# Copyright: (c) 2026, ctxlic maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Action plugin for ctxlic.license_server.proxy (documentation in plugins/modules/proxy.py)."""

from __future__ import annotations

from ansible_collections.ctxlic.license_server.plugins.plugin_utils._common.constants import WEB_SERVICE
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._host.install_dir import resolve_install_dir
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._action.base import SNAPSHOT_OPTION, CtxlicAction
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._host import snapshot as host_snapshot
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._common.errors import HostError, InputError
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._telemetry.proxy_config import diff_text, set_proxy
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._telemetry.reporting import (
    config_path,
    option_proxy,
)
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._host.reporting_steps import (
    restart_service,
)


class ActionModule(CtxlicAction):
    USES_SNAPSHOT = True
    SNAPSHOT_CHANGES = frozenset({host_snapshot.PROXY, host_snapshot.SERVICES})
    ARGUMENT_SPEC = {
        "state": {"type": "str", "default": "present", "choices": ["present", "absent"]},
        "proxy": {"type": "str"},
        "install_dir": {"type": "str"},
        "restart_service": {"type": "bool", "default": True},
        "allow_ipv6": {"type": "bool", "default": True},
        **SNAPSHOT_OPTION,
    }
    REQUIRED_IF = [["state", "present", ["proxy"]]]

    def run_module(self, args: dict, task_vars: dict) -> dict:
        # Validate the input before the host is touched at all.
        target = None
        if args["state"] == "present":
            target = option_proxy(args["proxy"], allow_ipv6=args["allow_ipv6"])
        elif args["proxy"] is not None:
            raise InputError("option proxy is only used with state=present; with state=absent the proxy is removed "
                             "whatever its value. Remove proxy, or set state=present")
        host = self.host
        install_dir = resolve_install_dir(host, args["install_dir"])
        path = config_path(install_dir)
        result: dict = {"changed": False, "path": path, "proxy": target, "previous_proxy": None, "backup_file": None,
                        "findings": [], "service_restarted": False}
        content = host.read_file(path)
        if content is None:
            if target is None:
                self.warn(f"{path} does not exist, so no proxy is configured there; nothing to remove")
                return result
            raise HostError(f"{path} does not exist; Citrix Web Services for Licensing keeps its proxy there (Citrix "
                            "Licensing 11.17.2 build 49000 documentation 'Configure a proxy server'). Check "
                            "install_dir, or repair the Citrix Licensing installation; nothing was changed")
        edit = set_proxy(content, target, source=path, allow_ipv6=args["allow_ipv6"])
        result.update(changed=edit.changed, proxy=edit.after, previous_proxy=edit.before, findings=edit.findings)
        self.warn(*(item["message"] for item in edit.findings))
        diff = self.diff(**diff_text(content, edit.content, path)) if edit.changed else None
        if diff:
            result["diff"] = diff
        if edit.changed and not self.check_mode:
            written = host.write_file(path, edit.content, backup=True)
            result["backup_file"] = written.get("backup_file")
        if edit.changed and args["restart_service"]:
            try:
                restarted, warning = restart_service(host, WEB_SERVICE, self.check_mode)
            except HostError as exc:
                return {**result, "failed": True, "msg": str(exc)}
            result["service_restarted"] = restarted
            self.warn(warning or "")
        return result
