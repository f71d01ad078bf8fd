# Copyright: (c) 2026, ctxlic maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Action plugin for ctxlic.license_server.license_plan (documentation in plugins/modules/license_plan.py).

Read-only: validates a whole set of license files against one License Server before anything is
written, and plans the pruning of obsolete files as if the set were already deployed.
"""

from __future__ import annotations

from typing import Any

from ansible_collections.ctxlic.license_server.plugins.plugin_utils._host.install_dir import resolve_install_dir
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._host import license_steps as license_host
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._license import plan as license_plan
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._action.base import SNAPSHOT_OPTION, CtxlicAction
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._common.errors import InputError
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._license.license_parser import parse_license_file


class ActionModule(CtxlicAction):
    USES_SNAPSHOT = True
    ARGUMENT_SPEC = {
        "src": {"type": "list", "elements": "str", "required": True},
        "install_dir": {"type": "str"},
        "force": {"type": "bool", "default": False},
        "prune": {"type": "bool", "default": False},
        "expiry_warning_days": {"type": "int", "default": 30},
        "as_of": {"type": "str"},
        "cluster_access_point": {"type": "str"},
        **SNAPSHOT_OPTION,
    }

    def run_module(self, args: dict, task_vars: dict) -> dict:
        if args["expiry_warning_days"] < 0:
            raise InputError(f"expiry_warning_days must be 0 or more, got {args['expiry_warning_days']}")
        license_plan.normalize_cluster_access_point(args.get("cluster_access_point"))
        today = license_host.today_for(args)
        warn_days = args["expiry_warning_days"]
        sources = [license_host.read_source(self, {"src": src, "name": None, "content": None}) for src in args["src"]]
        duplicates = license_plan.duplicate_names(name for name, _data in sources)
        if duplicates:
            raise InputError(
                f"src holds several files named {', '.join(duplicates)} (compared case-insensitively, as Windows "
                "does); each license file needs its own name in MyFiles"
            )
        host = self.host
        install_dir = resolve_install_dir(host, args.get("install_dir"))
        installed = {name.casefold(): (name, data)
                     for name, data in license_host.read_installed(host, install_dir)}
        new_reports = [parse_license_file(name, data, today=today, expiry_warning_days=warn_days)
                       for name, data in sources]
        host_reports = [parse_license_file(name, data, today=today, expiry_warning_days=warn_days)
                        for key, (name, data) in installed.items()
                        if data is not None and key not in {n.casefold() for n, _d in sources}]
        probe = license_host.IdentityProbe(host, install_dir)
        # On a cluster the files name the client access point (seed 004 "Clustered License Servers", ~4644).
        hostname = license_plan.binding_hostname(probe.hostname(), args.get("cluster_access_point"))
        macs = probe.macs() if license_plan.needs_macs([*new_reports, *host_reports]) else []
        plans = []
        for report, (name, data) in zip(new_reports, sources, strict=True):
            existing = installed.get(name.casefold())
            checksum = None
            if existing is not None:
                checksum = license_plan.content_checksum(existing[1]) if existing[1] is not None else ""
            plans.append(license_plan.plan_write(report, data, install_dir=install_dir, existing_checksum=checksum,
                                                 ls_hostname=hostname, macs=macs, force=args["force"]))
        refused = [plan for plan in plans if plan.refused]
        result: dict[str, Any] = {
            "changed": False,
            "install_dir": install_dir,
            "ls_host": probe.identity.to_dict(),
            "as_of": today.isoformat(),
            "files": [plan.to_dict() for plan in plans],
            "changes": [plan.name for plan in plans if plan.changed],
            "refused": [plan.name for plan in refused],
            "installed": sorted(name for name, _data in installed.values()),
            "prune": [],
            "prune_skipped": [],
        }
        if args["prune"]:
            deployed = [plan.report for plan in plans if not plan.refused]
            prune = license_plan.plan_prune([*host_reports, *deployed], keep=[p.name for p in plans],
                                            ls_hostname=hostname, macs=macs, today=today)
            result["prune"], result["prune_skipped"] = prune.remove, prune.skipped
        self.warn(*license_plan.cluster_access_point_warnings(args.get("cluster_access_point")))
        self.warn(*(finding.message for plan in plans for finding in plan.warnings))
        self.warn(*(f"forced past: {finding.message}" for plan in plans for finding in plan.overridden))
        if refused:
            result.update(failed=True, msg=(
                f"{len(refused)} of {len(plans)} license files refused, nothing was changed: "
                + " | ".join(license_plan.refusal_message(plan, what="written") for plan in refused)))
        else:
            result["msg"] = (f"{len(plans)} license files valid for this License Server; "
                             f"{len(result['changes'])} to write, {len(result['prune'])} to prune")
        return result
