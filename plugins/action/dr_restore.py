# Copyright: (c) 2026, ctxlic maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Action plugin for ctxlic.license_server.dr_restore (documentation in plugins/modules/dr_restore.py).

Order of work, so that every refusal leaves the DR host as it was:

1. read and verify the backup generation on the controller (SHA-256 of every file);
2. read the DR host once (host name, version, MyFiles) and let :mod:`.._dr.restore` judge the host
   name, the version and every file;
3. only then write the files in the order :func:`.._dr.restore.write_phases` gives: the certificate and
   the other LS\\conf / LS\\resource\\cache files with the Citrix Licensing service stopped (and started
   again), then the license files, CITRIX.opt and the proxy file; every written file is read back and
   checked against the backup's SHA-256; restart Citrix Web Services for Licensing when its proxy file
   changed, run ``lmreread`` once, and check with ``lmstat`` that every backed-up feature is served.

Decisions and messages are in :mod:`.._dr.restore`; this file orchestrates.
"""

from __future__ import annotations

import datetime
import ntpath
from typing import Any

from ansible_collections.ctxlic.license_server.plugins.plugin_utils._common.install_dir import check_install_dir
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._common.constants import (
    COLLECT_MAX_BYTES,
    LICENSING_SERVICE,
    WEB_SERVICE,
)
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._action.base import CtxlicAction
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._common.errors import HostError, InputError
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._common.timeutil import parse_as_of_day, parse_iso
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._dr import backup as dr_backup_plan
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._dr import restore as dr_restore_plan
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._host import license_steps as license_host
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._host import lock as host_lock
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._host import reporting_steps as reporting_host
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._license import plan as license_plan
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._server.info_record import build_record
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._server.package_plan import (
    HTTPD_CONF,
    installed_ports,
)
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._store import dr_backups as dr_store


class ActionModule(CtxlicAction):
    ARGUMENT_SPEC = {
        "src": {"type": "path", "default": dr_backup_plan.DEFAULT_BACKUP_DIR},
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
    CONTROLLER_PATHS = ("src",)

    def run_module(self, args: dict, task_vars: dict) -> dict:
        cap = license_plan.normalize_cluster_access_point(args["cluster_access_point"])
        option_dir = check_install_dir(args["install_dir"], "option install_dir") if args["install_dir"] else None
        gen_dir, manifest, files = self._generation(args)

        # Read the DR host once, then judge everything before anything changes.
        raw = self.host.collect(install_dir=option_dir, max_bytes=COLLECT_MAX_BYTES)
        record = build_record(self.inventory_host, raw)
        installed = bool(record["installed"] and raw.get("install_dir_exists"))
        hostname, source = dr_backup_plan.identity(raw, record["hostname"], cap)
        install_dir = dr_restore_plan.target_install_dir(option_dir, installed, record["install_dir"],
                                                         manifest["install_dir"])
        observed = parse_iso(record["observed_at"]) or datetime.datetime.now(datetime.UTC)
        pre = dr_restore_plan.preflight(
            files, manifest, hostname=hostname, hostname_source=source,
            installed_version=(record["version"] or {}).get("text") if record["installed"] else None,
            installer_version=args["installer_version"], clustered=bool(cap), install_dir=install_dir,
            existing=self._existing(raw, install_dir, files) if installed else {}, dr_macs=record["macs"],
            exclude=args["exclude"], today=parse_as_of_day(args["as_of"], observed.date()))
        self.warn(*pre.warnings)
        if installed:
            self.warn(*dr_restore_plan.port_warnings(manifest.get("ports") or {}, self._ports(raw, install_dir)))
        result: dict[str, Any] = dr_restore_plan.restore_result(pre, manifest, gen_dir.name, str(gen_dir))
        if pre.refusals:
            return {**result, "failed": True, "msg": "Refused, nothing was changed: " + " | ".join(pre.refusals)}
        diff = self.diff(*dr_restore_plan.restore_diff(pre.plan, install_dir)) if pre.plan.changed else None
        if diff:
            result["diff"] = diff
        if args["verify_only"]:
            return {**result, "msg": dr_restore_plan.preflight_message(gen_dir.name, pre)}
        if pre.install.action != "none" or not installed:
            message = dr_restore_plan.install_first_message(pre, manifest["ls_version"], check=self.check_mode)
            if not self.check_mode:
                raise HostError(message)
            return {**result, "changed": True, "msg": message}

        # lmstat as read before anything changes: it shows a reread that an interrupted run still owes.
        unserved = dr_restore_plan.unserved_before_restore(pre.plan.expected_features,
                                                           dr_restore_plan.served_features(record))
        reread_needed = pre.plan.myfiles_changed or bool(unserved)
        result["changed"] = pre.plan.changed or reread_needed
        if self.check_mode:
            return {**result, "msg": "check mode: " + dr_restore_plan.files_message(pre.plan, check=True)
                    + dr_restore_plan.reread_note(pre.plan, unserved, check=True)}
        self._act(pre.plan, files, result)
        return self._reread_and_verify(pre, result, unserved, cap, record if not reread_needed else None,
                                       verify=args["verify_served"])

    def _write_verified(self, actions: list, contents: dict[str, bytes], *, backup: bool) -> None:
        """Write, then read every file back from the DR host: its SHA-256 must be the backup's."""
        for action in actions:
            if action.kind in dr_backup_plan.STATE_KINDS:
                self.host.make_dir(ntpath.dirname(action.host_path))  # win_copy needs the folder
            self.host.write_file(action.host_path, contents[action.path], backup=backup)
        problems = dr_restore_plan.readback_problems(actions, {a.path: self.host.read_file(a.host_path)
                                                               for a in actions})
        if problems:
            raise HostError("the restore wrote files that do not match the backup: " + "; ".join(problems)
                            + ". Check the DR host's disk and run the failover again")

    def _write_stopped(self, actions: list, contents: dict[str, bytes]) -> bool:
        """Certificate and state files with Citrix Licensing stopped; started again when it ran. True: restarted."""
        running = self.host.service(LICENSING_SERVICE).state == "running"
        if running:
            self.host.set_service(LICENSING_SERVICE, "stopped")
        try:
            self._write_verified(actions, contents, backup=False)
        finally:
            if running:
                self.host.set_service(LICENSING_SERVICE, "started")
        return running

    def _reread_and_verify(self, pre: dr_restore_plan.Preflight, result: dict, unserved: list[str], cap: str | None,
                           record: dict | None, *, verify: bool) -> dict:
        """lmreread once (unless ``record``, read before, is still current), then lmstat must list every feature."""
        if record is None:
            reread = license_host.run_reread(self.host, pre.install_dir, cap)
            result["reread"] = reread
            if not reread["ok"]:
                return {**result, "failed": True, "msg": dr_restore_plan.reread_failed_message(
                    license_host.reread_failure_message(reread))}
        if verify:
            # Without a reread nothing changed what lmstat lists (a proxy change does not), so the first read stands.
            after = record or build_record(self.inventory_host,
                                           self.host.collect(install_dir=pre.install_dir, max_bytes=1))
            served, missing, failure = dr_restore_plan.served_check(pre.plan, after)
            result.update(served_features=served, missing_features=missing)
            if failure:
                return {**result, "failed": True, "msg": failure}
        return {**result, "msg": dr_restore_plan.done_message(pre.plan, unserved, verified=verify)}

    # -- the backup on the controller -------------------------------------------------------------
    def _generation(self, args: dict) -> tuple[Any, dict, list[tuple[dict, bytes]]]:
        """(generation folder, manifest, [(manifest entry, bytes)]) of a generation that verifies."""
        fallback, notes = dr_store.adopt_legacy(args["src"], args["name"], {args["name"]}, check_mode=self.check_mode)
        self.warn(*notes)
        set_dir = fallback or dr_store.set_dir(args["src"], args["name"])
        gen_dir = dr_store.resolve_generation(set_dir, args["generation"])
        state, files = dr_store.load_generation(gen_dir)
        if not state.verified or state.manifest is None:
            others = [g.name for g in dr_store.scan(gen_dir.parent) if g.verified]
            raise InputError(
                f"backup generation {gen_dir} failed verification, nothing was changed: {'; '.join(state.problems)}. "
                "Find out who changed it; to restore an older backup instead, pass generation (ctxlic_dr_generation) "
                f"with one of the verified generations: {', '.join(others) or 'none'}")
        return gen_dir, state.manifest, files

    # -- the DR host ------------------------------------------------------------------------------
    def _existing(self, raw: dict, install_dir: str, files: list[tuple[dict, bytes]]) -> dict[str, str | None]:
        """Generation path -> SHA-1 of the file now on the DR host (None when it is not there)."""
        existing, ask = dr_restore_plan.existing_checksums(raw, files)
        ask = list(ask)
        paths = [dr_backup_plan.host_path(install_dir, relpath) for relpath in ask]
        infos = self.host.stat_files(paths, checksum=True) if paths else []
        for relpath, info in zip(ask, infos, strict=True):  # one remote call for every file
            existing[relpath] = (info.checksum or "") if info.exists and not info.is_dir else None
        return existing

    def _ports(self, raw: dict, install_dir: str) -> dict[str, int]:
        httpd = self.host.read_file(ntpath.join(install_dir, HTTPD_CONF))
        return installed_ports(dr_restore_plan.startup_text(raw), httpd.decode("utf-8", "replace") if httpd else None)

    def _act(self, plan: dr_restore_plan.RestorePlan, files: list[tuple[dict, bytes]], result: dict) -> None:
        """Write the changed files (one destructive run per host) in the documented order, each read back and
        checked by SHA-256; then restart the web service for a new proxy."""
        contents = {entry["path"]: data for entry, data in files}
        stopped_phase, running_phase = dr_restore_plan.write_phases(plan)
        lock_notes: list[str] = []
        with host_lock.locked(self.host, "dr_restore", notes=lock_notes):
            if stopped_phase:
                result["licensing_service_restarted"] = self._write_stopped(stopped_phase, contents)
            # License files keep a copy of what they replace (as license_file does); the state files are the DR
            # host's own from its installation, and a stray copy in LS\conf or LS\resource\cache is a file the
            # document does not say the License Server ignores.
            self._write_verified(running_phase, contents, backup=True)
        self.warn(*lock_notes)
        result["host_verified"] = [a.path for a in stopped_phase + running_phase]
        if plan.proxy_changed:
            restarted, warning = reporting_host.restart_service(self.host, WEB_SERVICE, False)
            result["web_service_restarted"] = restarted
            self.warn(warning or "")
