# Copyright: (c) 2026, ctxlic maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Action plugin for ctxlic.license_server.connectivity (documentation in plugins/modules/connectivity.py)."""

from __future__ import annotations

from ansible_collections.ctxlic.license_server.plugins.plugin_utils._server import las
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._action.base import SNAPSHOT_OPTION, CtxlicAction
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._telemetry.connectivity import (
    UPLOAD_HOST,
    UPLOAD_PORT,
    las_endpoint,
    las_summary,
    verdict,
)
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._common.errors import HostError
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._telemetry.reporting import (
    check_port,
    check_timeout,
    check_upload_host,
    config_path,
    option_proxy,
    probe_steps,
    proxy_for_probe,
)
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._host.install_dir import resolve_install_dir


class ActionModule(CtxlicAction):
    USES_SNAPSHOT = True
    ARGUMENT_SPEC = {
        "upload_host": {"type": "str", "default": UPLOAD_HOST},
        "port": {"type": "int", "default": UPLOAD_PORT},
        "proxy": {"type": "str"},
        "install_dir": {"type": "str"},
        "timeout": {"type": "int", "default": 10},
        "assume_direct_fallback": {"type": "bool", "default": False},
        "allow_ipv6": {"type": "bool", "default": True},
        "las_endpoints": {"type": "list", "elements": "str"},
        **SNAPSHOT_OPTION,
    }

    def run_module(self, args: dict, task_vars: dict) -> dict:
        rules = las.load_shipped()
        if args["las_endpoints"] is None:
            endpoints = list(rules.endpoints)
        else:
            endpoints = [las_endpoint(item) for item in args["las_endpoints"]]
        upload_host = check_upload_host(args["upload_host"])
        port = check_port(args["port"])
        timeout = check_timeout(args["timeout"])
        if args["proxy"] is not None:
            option_proxy(args["proxy"], allow_ipv6=args["allow_ipv6"])  # refuse a bad option before any host call
        host = self.host
        path, config = None, None
        if args["proxy"] is None:
            try:
                install_dir = resolve_install_dir(host, args["install_dir"])
            except HostError as exc:
                self.warn(f"{exc}; no proxy configuration could be read, so only the direct path is probed")
            else:
                path = config_path(install_dir)
                config = host.read_file(path)
        chosen = proxy_for_probe(args["proxy"], config, path or "SimpleLicenseServiceConfig.xml",
                                 allow_ipv6=args["allow_ipv6"])
        if path is None and args["proxy"] is None:
            chosen.findings = []  # no file was looked at: the warning above says why
        targets = [(upload_host, port), *dict.fromkeys(endpoints)]
        # Every target in one remote call: the upload endpoint first, then each License Activation Service endpoint.
        answers = host.probe_many(targets, chosen.value if chosen.error is None else None, timeout)
        steps = probe_steps(answers[0], chosen)
        judged = verdict(steps, host=upload_host, port=port, assume_direct_fallback=args["assume_direct_fallback"])
        self.warn(*(item["message"] for item in chosen.findings), *judged["warnings"])
        las_results = []
        for (las_host, las_port), answer in zip(targets[1:], answers[1:], strict=True):
            las_steps = probe_steps(answer, chosen)
            judged_las = verdict(las_steps, host=las_host, port=las_port,
                                 assume_direct_fallback=args["assume_direct_fallback"])
            keys = ("verdict", "ok", "target", "message", "hint", "fix")
            las_results.append({"endpoint": las_host, "port": las_port, "steps": las_steps,
                                **{key: judged_las[key] for key in keys}})
        source = rules.source("endpoints") if args["las_endpoints"] is None else "the las_endpoints option"
        las_verdict = las_summary(las_results, source)
        if chosen.source == "unknown":
            self.warn("the proxy configuration cannot be read unambiguously (see findings); only the direct "
                      "path was probed, and the License Server's own behaviour with this file is unknown")
        result = {
            "changed": False,
            "upload_host": upload_host,
            "port": port,
            "proxy": chosen.value,
            "proxy_source": chosen.source,
            "config_path": path,
            "findings": chosen.findings,
            "steps": steps,
            **{key: judged[key] for key in ("verdict", "ok", "target", "message", "hint", "fix", "addresses")},
            "las": las_results,
            "las_ok": las_verdict["ok"],
            "las_message": las_verdict["message"],
            "las_source": source,
        }
        return result
