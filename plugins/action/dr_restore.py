# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Action plugin for ctxlic.license_server.dr_restore (documentation in plugins/modules/dr_restore.py).

Order of work, so that every refusal leaves the DR host as it was:

1. read and verify the backup generation on the controller (SHA-256 of every file);
2. read the DR host once (host name, version, MyFiles) and let :mod:`dr_plan` judge the host name,
   the version and every file;
3. only then write the files, restart Citrix Web Services for Licensing when its proxy file changed,
   run ``lmreread`` once, and check with ``lmstat`` that every backed-up feature is served.
"""

from __future__ import annotations

import base64
import datetime
import ntpath
from typing import Any

from ansible_collections.ctxlic.license_server.plugins.plugin_utils._common.install_dir import check_install_dir
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._common.constants import (
    COLLECT_MAX_BYTES,
    WEB_SERVICE,
)
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._dr import plan as dr_plan
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._store import dr_backups as dr_store
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._host import lock as host_lock
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._host import license_steps as license_host
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._license import plan as license_plan
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._host import reporting_steps as reporting_host
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._action.base import CtxlicAction
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._common.errors import HostError, InputError
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._host.access import HostAccess, host_access_for
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._server.info_record import build_record
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._server.package_plan import (
    HTTPD_CONF,
    installed_ports,
)
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._common.timeutil import parse_as_of_day, parse_iso



class ActionModule(CtxlicAction):
    ARGUMENT_SPEC = {
        "src": {"type": "path", "default": dr_plan.DEFAULT_BACKUP_DIR},
        "name": {"type": "str", "required": True},
        "generation": {"type": "str"},
        "verify_only": {"type": "bool", "default": False},
        "install_dir": {"type": "str"},
        "installer_version": {"type": "str"},
        "cluster_access_point": {"type": "str"},
        "exclude": {"type": "list", "elements": "str", "default": []},
        "verify_served": {"type": "bool", "default": True},
        "as_of": {"type": "str"},
    }

    def run_module(self, args: dict, task_vars: dict) -> dict:
        cap = license_plan.normalize_cluster_access_point(args["cluster_access_point"])
        option_dir = check_install_dir(args["install_dir"], "option install_dir") if args["install_dir"] else None
        set_dir = dr_store.set_dir(args["src"], args["name"])
        fallback, legacy_notes = dr_store.adopt_legacy(args["src"], args["name"], {args["name"]},
                                                       check_mode=bool(self._task.check_mode))
        set_dir = fallback or set_dir
        gen_dir = dr_store.resolve_generation(set_dir, args["generation"])
        state, files = dr_store.load_generation(gen_dir)
        if not state.verified:
            others = [g.name for g in dr_store.scan(gen_dir.parent) if g.verified]
            raise InputError(
                f"backup generation {gen_dir} failed verification, nothing was changed: {'; '.join(state.problems)}. "
                "Find out who changed it; to restore an older backup instead, pass generation (ctxlic_dr_generation) "
                f"with one of the verified generations: {', '.join(others) or 'none'}")
        manifest = state.manifest
        if manifest is None:  # a verified generation always has a manifest
            raise AssertionError("dr_restore: verified generation without a manifest")

        host = host_access_for(self, task_vars)
        raw = host.collect(install_dir=option_dir, max_bytes=COLLECT_MAX_BYTES)
        record = build_record(task_vars.get("inventory_hostname", ""), raw)
        installed = bool(record["installed"] and raw.get("install_dir_exists"))
        name, source = dr_plan.identity(raw, record["hostname"], cap)
        identity_refusals = dr_plan.identity_refusals(name, source, manifest["ls_hostname"])
        install = dr_plan.plan_install(
            backup_version=manifest["ls_version"],
            installed_version=(record["version"] or {}).get("text") if record["installed"] else None,
            installer_version=args["installer_version"], clustered=bool(cap))
        install_dir = option_dir or (check_install_dir(record["install_dir"]) if installed
                                     else manifest["install_dir"])
        existing = self._existing(host, raw, install_dir, files) if installed else {}
        observed = parse_iso(record["observed_at"]) or datetime.datetime.now(datetime.UTC)
        today = parse_as_of_day(args["as_of"], observed.date())
        plan = dr_plan.plan_restore(files, manifest, install_dir=install_dir, existing=existing, dr_hostname=name,
                                    dr_macs=record["macs"], exclude=args["exclude"], today=today)
        # A wrong host name fails every file in the same way; the one identity message says it best.
        refusals = identity_refusals + install.refusals + ([] if identity_refusals else plan.refusals)
        warnings = legacy_notes + install.warnings + plan.warnings
        if installed:
            warnings += dr_plan.port_warnings(manifest.get("ports") or {}, self._ports(host, raw, install_dir))
        result: dict[str, Any] = {
            "changed": False,
            "verified": True,
            "generation": gen_dir.name,
            "generation_path": str(gen_dir),
            "backup": {key: manifest.get(key) for key in (
                "source_host", "ls_hostname", "ls_version", "created_at", "install_dir", "cluster_access_point")},
            "identity": {"hostname": name, "source": source},
            "install": {**install.to_dict(), "install_dir": install_dir,
                        "ports": dr_plan.server_role_ports(manifest.get("ports") or {})
                        if install.action == "install" else {}},
            "files": [a.to_dict() for a in plan.actions],
            "expected_features": plan.expected_features,
            "served_features": None,
            "missing_features": None,
            "reread": None,
            "web_service_restarted": False,
            "refusals": refusals,
        }
        if warnings:
            result["warnings"] = warnings
        if refusals:
            result.update(failed=True, msg="Refused, nothing was changed: " + " | ".join(refusals))
            return result
        if self._task.diff and plan.changed:
            result["diff"] = self._diff(plan, install_dir)
        if args["verify_only"]:
            result["msg"] = self._preflight_msg(gen_dir.name, install, plan)
            return result
        if install.action != "none" or not installed:
            if self._task.check_mode:
                result.update(changed=True, msg=(f"check mode: the License Server is {install.action}ed first; then "
                                                 f"{self._files_msg(plan, check=True)}"))
                return result
            raise HostError(
                f"the DR host runs {install.installed or 'no License Server'}; the primary ran "
                f"{manifest['ls_version']}: install the License Server first (the ctxlic.license_server.dr role's "
                "failover does, with ctxlic_dr_installer and ctxlic_dr_installer_version); nothing was restored")
        # lmstat as read before anything changes: it shows a reread that an interrupted run still owes.
        unserved = dr_plan.unserved_before_restore(plan.expected_features, _served(record))
        reread_needed = plan.myfiles_changed or bool(unserved)
        result["changed"] = plan.changed or reread_needed
        if self._task.check_mode:
            result["msg"] = "check mode: " + self._files_msg(plan, check=True) + _reread_note(plan, unserved, True)
            return result
        # One destructive run per host: nothing else may stop, remove or rewrite here while files are restored.
        lock_notes: list[str] = []
        with host_lock.locked(host, "dr_restore", notes=lock_notes):
            self._write(host, plan, files)
        if lock_notes:
            result.setdefault("warnings", []).extend(lock_notes)
        if plan.proxy_changed:
            restarted, warning = reporting_host.restart_service(host, WEB_SERVICE, False)
            result["web_service_restarted"] = restarted
            if warning:
                result.setdefault("warnings", []).append(warning)
        if reread_needed:
            reread = license_host.run_reread(host, install_dir, cap)
            result["reread"] = reread
            if not reread["ok"]:
                result.update(failed=True, msg=(
                    f"the backup files were restored, but the License Server did not reread them: "
                    f"{license_host.reread_failure_message(reread)}. Fix the cause (is the Citrix Licensing service "
                    "running?), then run ctxlic.license_server.reread or the failover again"))
                return result
        if args["verify_served"]:
            # Without a reread nothing changed what lmstat lists (a proxy change does not), so the first read stands.
            self._verify(host, install_dir, plan, result, task_vars, None if reread_needed else record)
            if result.get("failed"):
                return result
        result["msg"] = self._files_msg(plan, check=False) + _reread_note(plan, unserved, False) + (
            f"; every backed-up feature is served ({', '.join(plan.expected_features) or 'none expected'})"
            if args["verify_served"] else "")
        return result

    # -- reading the DR host ----------------------------------------------------------------------
    @staticmethod
    def _existing(host: HostAccess, raw: dict, install_dir: str, files: list[tuple[dict, bytes]]) -> dict:
        """Generation path -> SHA-1 of the file now on the DR host (None when it is not there)."""
        listed = {str(f.get("name", "")).casefold(): f for f in raw.get("myfiles") or []}
        existing: dict[str, str | None] = {}
        for entry, _data in files:
            relpath = entry["path"]
            if entry["kind"] == "proxy_config":
                item = raw.get("proxy_config")
            else:
                item = listed.get(relpath.split("/", 1)[1].casefold())
                if item is None:
                    existing[relpath] = None
                    continue
            if item and item.get("content_b64") is not None:
                existing[relpath] = license_plan.content_checksum(base64.b64decode(item["content_b64"]))
                continue
            info = host.stat(dr_plan.host_path(install_dir, relpath), checksum=True)
            existing[relpath] = (info.checksum or "") if info.exists and not info.is_dir else None
        return existing

    @staticmethod
    def _ports(host: HostAccess, raw: dict, install_dir: str) -> dict[str, int]:
        startup = next((f for f in raw.get("myfiles") or []
                        if str(f.get("name", "")).casefold() == dr_plan.STARTUP_LICENSE), None)
        startup_text = base64.b64decode(startup["content_b64"]).decode("utf-8", "replace") \
            if startup and startup.get("content_b64") is not None else None
        httpd = host.read_file(ntpath.join(install_dir, HTTPD_CONF))
        return installed_ports(startup_text, httpd.decode("utf-8", "replace") if httpd else None)

    # -- changing it ------------------------------------------------------------------------------
    @staticmethod
    def _write(host: HostAccess, plan: dr_plan.RestorePlan, files: list[tuple[dict, bytes]]) -> None:
        contents = {entry["path"]: data for entry, data in files}
        for action in plan.actions:
            if action.changed:
                host.write_file(action.host_path, contents[action.path], backup=True)

    def _verify(self, host: HostAccess, install_dir: str, plan: dr_plan.RestorePlan, result: dict,
                task_vars: dict, record: dict | None) -> None:
        """lmstat (through the one-shot collection, or ``record`` when still current) must list every feature."""
        if record is None:
            raw = host.collect(install_dir=install_dir, max_bytes=1)
            record = build_record(task_vars.get("inventory_hostname", ""), raw)
        if not record["licenses"].get("lmstat_parsed"):
            result.update(failed=True, msg=(
                "the files were restored, but lmstat -a did not answer, so the features served cannot be checked: "
                + "; ".join(record["problems"]) + ". Check the Citrix Licensing service on the DR host"))
            return
        served = sorted(record["licenses"]["in_use"])
        missing = dr_plan.missing_features(plan.expected_features, served)
        result.update(served_features=served, missing_features=missing)
        if missing:
            result.update(failed=True, msg=(
                f"the DR License Server does not serve {', '.join(missing)} after the restore (lmstat -a lists "
                f"{', '.join(served) or 'nothing'}). Check the license files' binding with lmhostid on the DR host "
                "and the Citrix Licensing service"))

    # -- messages ---------------------------------------------------------------------------------
    @staticmethod
    def _files_msg(plan: dr_plan.RestorePlan, *, check: bool) -> str:
        changed = [a.path for a in plan.actions if a.changed]
        if not changed:
            return "every backed-up file is already in place"
        return f"{'would restore' if check else 'restored'} {', '.join(changed)}"

    @classmethod
    def _preflight_msg(cls, generation: str, install: dr_plan.InstallPlan, plan: dr_plan.RestorePlan) -> str:
        steps = {"none": "no installation needed", "install": f"install {install.target}",
                 "upgrade": f"upgrade {install.installed} to {install.target}"}[install.action]
        return (f"generation {generation} verified and the DR host matches its host name; {steps}; "
                f"{cls._files_msg(plan, check=True)}")

    @staticmethod
    def _diff(plan: dr_plan.RestorePlan, install_dir: str) -> dict:
        before = "".join(f"{a.host_path}\n" for a in plan.actions if a.operation in ("replace", "unchanged"))
        after = "".join(f"{a.host_path}  sha256 {a.sha256}\n" for a in plan.actions
                        if a.operation in ("create", "replace", "unchanged"))
        return {"before": before, "after": after, "before_header": f"{install_dir} (DR host, before)",
                "after_header": f"{install_dir} (DR host, after the restore)"}


def _served(record: dict) -> list[str] | None:
    """Features lmstat -a lists in ``record``, or None when lmstat did not answer."""
    licenses = record["licenses"]
    return sorted(licenses["in_use"]) if licenses.get("lmstat_parsed") else None


def _reread_note(plan: dr_plan.RestorePlan, unserved: list[str], check: bool) -> str:
    """Why a reread ran although no license file changed (an earlier run restored them and stopped before it)."""
    if plan.myfiles_changed or not unserved:
        return ""
    return (f"; {'would reread' if check else 'reread'} the license files, because lmstat -a did not list "
            f"{', '.join(unserved)} although the files are in place")
