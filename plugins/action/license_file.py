# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Action plugin for ctxlic.license_server.license_file (documentation in plugins/modules/license_file.py).

Wiring only: options, facts from the host (license_host), decisions (license_plan), results.
"""

from __future__ import annotations

import datetime

from ansible_collections.ctxlic.license_server.plugins.plugin_utils._common.constants import LICENSING_SERVICE
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._host.install_dir import resolve_install_dir
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._host import lock as host_lock
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._host import license_steps as license_host
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._license import plan as license_plan
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._action.base import CtxlicAction
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._common.errors import HostError, InputError
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._host.access import host_access_for
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._license.license_parser import parse_license_file
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._license.license_names import validate_file_name

DEFAULT_BACKUP_DIR = "~/.ansible/ctxlic/license_backups"


class ActionModule(CtxlicAction):
    ARGUMENT_SPEC = {
        "state": {"type": "str", "default": "present", "choices": ["present", "absent"]},
        "src": {"type": "str"},
        "content": {"type": "str"},
        "name": {"type": "str"},
        "install_dir": {"type": "str"},
        "force": {"type": "bool", "default": False},
        "reread": {"type": "bool", "default": True},
        "cluster_access_point": {"type": "str"},
        "backup": {"type": "bool", "default": True},
        "backup_dir": {"type": "str", "default": DEFAULT_BACKUP_DIR},
        "expiry_warning_days": {"type": "int", "default": 30},
        "as_of": {"type": "str"},
    }
    MUTUALLY_EXCLUSIVE = [["src", "content"]]
    REQUIRED_IF = [["state", "present", ["src", "content"], True], ["state", "absent", ["name", "src"], True]]

    def run_module(self, args: dict, task_vars: dict) -> dict:
        if args["expiry_warning_days"] < 0:
            raise InputError(f"expiry_warning_days must be 0 or more, got {args['expiry_warning_days']}")
        if args["state"] == "absent" and args.get("content") is not None:
            raise InputError("content is only used with state=present; give name (the file in MyFiles) to remove")
        license_plan.normalize_cluster_access_point(args.get("cluster_access_point"))
        today = license_host.today_for(args)
        # Bad input fails before the host is touched.
        source = license_host.read_source(self, args) if args["state"] == "present" else None
        host = host_access_for(self, task_vars)
        install_dir = resolve_install_dir(host, args.get("install_dir"))
        if source is not None:
            return self._present(host, install_dir, args, source, today)
        return self._absent(host, install_dir, args, task_vars, today)

    # -- state=present ----------------------------------------------------------------------------
    def _present(self, host, install_dir: str, args: dict, source: tuple[str, bytes], today: datetime.date) -> dict:
        name, data = source
        report = parse_license_file(name, data, today=today, expiry_warning_days=args["expiry_warning_days"])
        probe = license_host.IdentityProbe(host, install_dir)
        # On a cluster the files name the client access point (seed 004 "Clustered License Servers", ~4644).
        hostname = license_plan.binding_hostname(probe.hostname(), args.get("cluster_access_point"))
        macs = probe.macs() if license_plan.needs_macs([report]) else []
        existing = None
        name_ok = not validate_file_name(name)
        if name_ok:
            info = host.stat(license_plan.myfiles_path(install_dir, name), checksum=True)
            if info.exists and info.is_dir:
                raise InputError(f"{info.path} is a directory; choose another name for the license file")
            existing = (info.checksum or "") if info.exists else None
        plan = license_plan.plan_write(report, data, install_dir=install_dir, existing_checksum=existing,
                                       ls_hostname=hostname, macs=macs, force=args["force"])
        result = {
            "changed": plan.changed,
            "state": "present",
            "name": plan.name,
            "path": plan.path,
            "operation": plan.operation,
            "checksum": plan.checksum,
            "backup_file": None,
            "features": plan.features,
            "binding": report.binding.to_dict(),
            "findings": plan.findings(),
            "ls_host": probe.identity.to_dict(),
            "install_dir": install_dir,
            "reread": None,
            "served_check": None,
            "recovered": [],
        }
        warnings = license_plan.cluster_access_point_warnings(args.get("cluster_access_point"))
        warnings += [finding.message for finding in plan.warnings]
        warnings += [f"forced past: {finding.message}" for finding in plan.overridden]
        if plan.refused:
            result.update(changed=False, failed=True, msg=license_plan.refusal_message(plan))
        else:
            # Bad input was refused above without touching anything; a removal an earlier run left half done is
            # finished before this file is written, so the service is running for the reread.
            self._recover(host, install_dir, result, warnings)
            if self._task.diff and plan.changed:
                result["diff"] = self._present_diff(host, plan, existing is not None, today,
                                                    args["expiry_warning_days"])
            if plan.changed:
                self._write(host, install_dir, plan, data, args, result)
            elif args["reread"]:
                self._reread_if_not_served(host, install_dir, plan, (hostname, macs), args, result, warnings)
            else:
                result["msg"] = self._present_msg(plan, args, check=self._task.check_mode)
            self._note_recovery(result)
        if warnings:
            result["warnings"] = warnings
        return result

    def _recover(self, host, install_dir: str, result: dict, warnings: list[str], *, locked: bool = False) -> None:
        """Finish an interrupted removal (license_host.finish_interrupted_removal); it counts as a change.

        A marker may belong to a removal that is running right now (another run, another controller): it is
        only acted on under the host lock (host_lock), which a live removal holds, so a live removal is never
        taken for an interrupted one. ``locked``: the caller holds the lock already.
        """
        if not locked and not self._task.check_mode and license_host.removal_marker_exists(host, install_dir):
            with host_lock.locked(host, "license_file: finish an interrupted removal", notes=warnings):
                self._recover(host, install_dir, result, warnings, locked=True)
            return
        recovery = license_host.finish_interrupted_removal(host, install_dir, check_mode=self._task.check_mode)
        result["recovered"] = recovery.steps
        result["changed"] = result["changed"] or recovery.changed
        warnings += recovery.notes

    @staticmethod
    def _note_recovery(result: dict) -> None:
        if result["recovered"]:
            result["msg"] += f"; first finished an interrupted removal: {'; '.join(result['recovered'])}"

    def _write(self, host, install_dir: str, plan: license_plan.WritePlan, data: bytes, args: dict,
               result: dict) -> None:
        if self._task.check_mode:
            result["msg"] = self._present_msg(plan, args, check=True)
            return
        written = host.write_file(plan.path, data, backup=args["backup"])
        result["backup_file"] = written.get("backup_file")
        if args["reread"]:
            reread = license_host.run_reread(host, install_dir, args.get("cluster_access_point"))
            result["reread"] = reread
            if not reread["ok"]:
                result.update(failed=True, msg=(
                    f"{plan.name} was written to {plan.path} and stays there, but the License Server did not reread "
                    f"its license files: {license_host.reread_failure_message(reread)}. Fix the cause, then run "
                    "this task again (it rereads while the file is not served) or ctxlic.license_server.reread"))
                return
        result["msg"] = self._present_msg(plan, args, check=False)

    def _reread_if_not_served(self, host, install_dir: str, plan: license_plan.WritePlan, identity: tuple,
                              args: dict, result: dict, warnings: list[str]) -> None:
        """The file is in place already; reread when lmstat does not serve it (an earlier reread failed)."""
        hostname, macs = identity
        check = license_host.check_file_served(host, install_dir, plan.report, ls_hostname=hostname, macs=macs,
                                               cluster_access_point=args.get("cluster_access_point"))
        result["served_check"] = check.to_dict()
        if not check.checked:
            warnings.append(f"could not check whether the License Server serves {plan.name}: {check.reason}")
        if not check.stale:
            result["msg"] = self._present_msg(plan, args, check=self._task.check_mode)
            return
        result["changed"] = True
        why = f"{plan.name} is already installed with the same content, but the License Server does not serve it " \
              f"({check.summary()})"
        if self._task.check_mode:
            result["msg"] = f"{why}; lmreread would run (check mode, nothing run)"
            return
        reread = license_host.run_reread(host, install_dir, args.get("cluster_access_point"))
        result["reread"] = reread
        if not reread["ok"]:
            result.update(failed=True, msg=(
                f"{why}, and the reread failed: {license_host.reread_failure_message(reread)}. Fix the cause, then "
                "run this task again"))
            return
        result["msg"] = f"{why}; the License Server reread its license files"

    @staticmethod
    def _present_msg(plan: license_plan.WritePlan, args: dict, *, check: bool) -> str:
        if not plan.changed:
            return f"{plan.name} is already installed with the same content"
        verb = {"create": "added", "replace": "replaced"}[plan.operation]
        if check:
            return f"{plan.name} would be {verb} (check mode, nothing written)"
        if args["reread"]:
            return f"{plan.name} {verb}; the License Server reread its license files"
        return f"{plan.name} {verb}; reread not run (reread=false)"

    def _present_diff(self, host, plan: license_plan.WritePlan, existed: bool, today, warn_days: int) -> dict:
        before_report = None
        if existed:
            before = host.read_file(plan.path)
            if before is not None:
                before_report = parse_license_file(plan.name, before, today=today, expiry_warning_days=warn_days)
        return {
            "before": license_plan.features_text(before_report),
            "after": license_plan.features_text(plan.report),
            "before_header": f"{plan.path} (before)",
            "after_header": f"{plan.path} (after)",
        }

    # -- state=absent -----------------------------------------------------------------------------
    def _absent(self, host, install_dir: str, args: dict, task_vars: dict, today: datetime.date) -> dict:
        name = license_plan.license_name_for(args.get("name"), args.get("src"))
        result = {"changed": False, "state": "absent", "name": name, "path": "", "operation": "refuse",
                  "backup_file": None, "features": [], "findings": [], "install_dir": install_dir, "steps": [],
                  "reread": None, "recovered": []}
        if license_plan.removal_name_errors(name):
            # Refused on the name alone: the host is not asked anything about such a path.
            plan = license_plan.plan_remove(name, install_dir=install_dir, exists=False, old_exists=False,
                                            report=None, others=[], ls_hostname=None, macs=[], today=today)
            result.update(failed=True, findings=plan.findings(), msg=license_plan.refusal_message(plan, what="removed"))
            return result
        warnings: list[str] = []
        path = license_plan.myfiles_path(install_dir, name)
        if self._task.check_mode or not (license_host.removal_marker_exists(host, install_dir)
                                         or host.stat(path).exists):
            return self._absent_locked(host, install_dir, args, task_vars, today, result, warnings)
        # One destructive run per host: held from the recovery to the last step of the removal.
        with host_lock.locked(host, f"license_file: remove {name}", notes=warnings):
            return self._absent_locked(host, install_dir, args, task_vars, today, result, warnings, locked=True)

    def _absent_locked(self, host, install_dir: str, args: dict, task_vars: dict, today: datetime.date,
                       result: dict, warnings: list[str], *, locked: bool = False) -> dict:
        name = result["name"]
        warn_days = args["expiry_warning_days"]
        # A removal an earlier run left half done is finished first: its .old file would refuse this one.
        self._recover(host, install_dir, result, warnings, locked=locked)
        path = license_plan.myfiles_path(install_dir, name)
        data = None
        info = host.stat(path)
        old_exists = False
        report = None
        others = []
        probe = license_host.IdentityProbe(host, install_dir)
        if info.exists and not info.is_dir:
            old_exists = host.stat(license_plan.myfiles_path(install_dir, license_plan.old_name(name))).exists
            data = host.read_file(path)
            if data is not None:
                report = parse_license_file(name, data, today=today, expiry_warning_days=warn_days)
            others = [parse_license_file(other, content, today=today, expiry_warning_days=warn_days)
                      for other, content in license_host.read_installed(host, install_dir, exclude=name)
                      if content is not None]
            probe.hostname()
            if license_plan.needs_macs([*others, *([report] if report else [])]):
                probe.macs()
        plan = license_plan.plan_remove(
            name, install_dir=install_dir, exists=info.exists, is_dir=info.is_dir, old_exists=old_exists,
            report=report, others=others, macs=probe.identity.macs,
            ls_hostname=license_plan.binding_hostname(probe.identity.hostname, args.get("cluster_access_point")),
            today=today, force=args["force"])
        result.update(path=plan.path, operation=plan.operation, changed=plan.changed or result["changed"],
                      features=plan.features, findings=plan.findings(), lost_features=plan.lost_features,
                      ls_host=probe.identity.to_dict())
        warnings += [finding.message for finding in plan.warnings]
        warnings += [f"forced past: {finding.message}" for finding in plan.overridden]
        if plan.refused:
            result.update(failed=True, msg=license_plan.refusal_message(plan, what="removed"))
            if warnings:
                result["warnings"] = warnings
            return result
        if self._task.diff and plan.changed:
            result["diff"] = {"before": license_plan.features_text(report), "after": "",
                              "before_header": f"{plan.path} (before)", "after_header": f"{plan.path} (removed)"}
        if not plan.changed:
            result["msg"] = f"{name} is not installed"
        elif self._task.check_mode:
            result["msg"] = (f"{name} would be removed (check mode): stop {LICENSING_SERVICE}, rename to "
                             f"{license_plan.old_name(name)}, start the service, delete the .old file")
        else:
            if args["backup"]:
                if data is None:
                    raise HostError(f"{plan.path} could not be read (it vanished while it was being planned), so "
                                    "it cannot be backed up; nothing was removed. Run again")
                local, notes = license_host.backup_destination(
                    args["backup_dir"], str(task_vars.get("inventory_hostname") or "unknown"), name,
                    datetime.datetime.now(datetime.UTC))
                warnings += notes
                # Verified by content against what was read from the server before anything is deleted.
                result["backup_file"] = license_host.fetch_backup(host, plan.path, local, data)
            result["steps"] = license_host.remove_documented(host, plan, log=warnings.append)
            result["msg"] = f"{name} removed with the documented procedure ({'; '.join(result['steps'])})"
        self._note_recovery(result)
        if warnings:
            result["warnings"] = warnings
        return result
