# Copyright: (c) 2026, ctxlic maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Action plugin for ctxlic.license_server.license_file (documentation in plugins/modules/license_file.py).

Wiring only: options, facts from the host (license_host), decisions (license_plan), results.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from contextlib import contextmanager

from ansible_collections.ctxlic.license_server.plugins.plugin_utils._common.constants import LICENSING_SERVICE
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._host.install_dir import resolve_install_dir
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._host import lock as host_lock
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._host import license_steps as license_host
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._license import plan as license_plan
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._action.base import SNAPSHOT_OPTION, CtxlicAction
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._host import snapshot as host_snapshot
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._common.errors import HostError, InputError
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._license.license_parser import parse_license_file
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._license.license_names import validate_file_name

DEFAULT_BACKUP_DIR = "~/.ansible/ctxlic/license_backups"


class ActionModule(CtxlicAction):
    USES_SNAPSHOT = True
    SNAPSHOT_CHANGES = frozenset({host_snapshot.MYFILES, host_snapshot.SERVICES, host_snapshot.LMSTAT})
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
        "backup_dir": {"type": "path", "default": DEFAULT_BACKUP_DIR},
        "expiry_warning_days": {"type": "int", "default": 30},
        "as_of": {"type": "str"},
        **SNAPSHOT_OPTION,
    }
    MUTUALLY_EXCLUSIVE = [["src", "content"]]
    REQUIRED_IF = [["state", "present", ["src", "content"], True], ["state", "absent", ["name", "src"], True]]
    # src is not here: it is found by Ansible's own rule for src (the role's/playbook's files folder).
    CONTROLLER_PATHS = ("backup_dir",)

    def run_module(self, args: dict, task_vars: dict) -> dict:
        if args["expiry_warning_days"] < 0:
            raise InputError(f"expiry_warning_days must be 0 or more, got {args['expiry_warning_days']}")
        if args["state"] == "absent" and args.get("content") is not None:
            raise InputError("content is only used with state=present; give name (the file in MyFiles) to remove")
        license_plan.normalize_cluster_access_point(args.get("cluster_access_point"))
        today = license_host.today_for(args)
        # Bad input fails before the host is touched.
        source = license_host.read_source(self, args) if args["state"] == "present" else None
        install_dir = resolve_install_dir(self.host, args.get("install_dir"))
        if source is not None:
            return self._present(self.host, install_dir, args, source, today)
        return self._absent(self.host, install_dir, args, today)

    @contextmanager
    def _locked(self, operation: str) -> Iterator[None]:
        """The host lock (one destructive run per host); its notes become warnings."""
        notes: list[str] = []
        try:
            with host_lock.locked(self.host, operation, notes=notes):
                yield
        finally:
            self.warn(*notes)

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
        self.warn(*license_plan.cluster_access_point_warnings(args.get("cluster_access_point")))
        self._warn_findings(plan)
        if plan.refused:
            result.update(changed=False, failed=True, msg=license_plan.refusal_message(plan))
        else:
            # Bad input was refused above without touching anything; a removal an earlier run left half done is
            # finished before this file is written, so the service is running for the reread.
            self._recover(host, install_dir, result)
            diff = self._present_diff(host, plan, existing is not None, today, args["expiry_warning_days"]) \
                if self.diff_mode and plan.changed else None
            if diff:
                result["diff"] = diff
            if plan.changed:
                self._write(host, install_dir, plan, data, args, result)
            elif args["reread"]:
                self._reread_if_not_served(host, install_dir, plan, (hostname, macs), args, result)
            else:
                result["msg"] = self._present_msg(plan, args, check=self.check_mode)
            self._note_recovery(result)
        return result

    def _warn_findings(self, plan) -> None:
        self.warn(*(finding.message for finding in plan.warnings))
        self.warn(*(f"forced past: {finding.message}" for finding in plan.overridden))

    def _recover(self, host, install_dir: str, result: dict, *, locked: bool = False) -> None:
        """Finish an interrupted removal (license_host.finish_interrupted_removal); it counts as a change.

        A marker may belong to a removal that is running right now (another run, another controller): it is
        only acted on under the host lock (host_lock), which a live removal holds, so a live removal is never
        taken for an interrupted one. ``locked``: the caller holds the lock already.
        """
        if not locked and not self.check_mode and license_host.removal_marker_exists(host, install_dir):
            with self._locked("license_file: finish an interrupted removal"):
                self._recover(host, install_dir, result, locked=True)
            return
        recovery = license_host.finish_interrupted_removal(host, install_dir, check_mode=self.check_mode)
        result["recovered"] = recovery.steps
        result["changed"] = result["changed"] or recovery.changed
        self.warn(*recovery.notes)

    @staticmethod
    def _note_recovery(result: dict) -> None:
        if result["recovered"]:
            result["msg"] += f"; first finished an interrupted removal: {'; '.join(result['recovered'])}"

    def _write(self, host, install_dir: str, plan: license_plan.WritePlan, data: bytes, args: dict,
               result: dict) -> None:
        if self.check_mode:
            result["msg"] = self._present_msg(plan, args, check=True)
            return
        written = host.write_file(plan.path, data, backup=args["backup"])
        result["backup_file"] = written.get("backup_file")
        if args["reread"]:
            # Not reread_or_fail: the result keeps backup_file and the command's result, and the message says
            # the file stays written.
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
                              args: dict, result: dict) -> None:
        """The file is in place already; reread when lmstat does not serve it (an earlier reread failed)."""
        hostname, macs = identity
        check = license_host.check_file_served(host, install_dir, plan.report, ls_hostname=hostname, macs=macs,
                                               cluster_access_point=args.get("cluster_access_point"))
        result["served_check"] = check.to_dict()
        if not check.checked:
            self.warn(f"could not check whether the License Server serves {plan.name}: {check.reason}")
        if not check.stale:
            result["msg"] = self._present_msg(plan, args, check=self.check_mode)
            return
        result["changed"] = True
        why = f"{plan.name} is already installed with the same content, but the License Server does not serve it " \
              f"({check.summary()})"
        if self.check_mode:
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

    def _present_diff(self, host, plan: license_plan.WritePlan, existed: bool, today, warn_days: int) -> dict | None:
        before_report = None
        if existed:
            before = host.read_file(plan.path)
            if before is not None:
                before_report = parse_license_file(plan.name, before, today=today, expiry_warning_days=warn_days)
        return self.diff(license_plan.features_text(before_report), license_plan.features_text(plan.report),
                         f"{plan.path} (before)", f"{plan.path} (after)")

    # -- state=absent -----------------------------------------------------------------------------
    def _absent(self, host, install_dir: str, args: dict, today: datetime.date) -> dict:
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
        path = license_plan.myfiles_path(install_dir, name)
        if self.check_mode or not (license_host.removal_marker_exists(host, install_dir) or host.stat(path).exists):
            return self._absent_locked(host, install_dir, args, today, result)
        # One destructive run per host: held from the recovery to the last step of the removal.
        with self._locked(f"license_file: remove {name}"):
            return self._absent_locked(host, install_dir, args, today, result, locked=True)

    def _absent_locked(self, host, install_dir: str, args: dict, today: datetime.date,
                       result: dict, *, locked: bool = False) -> dict:
        name = result["name"]
        warn_days = args["expiry_warning_days"]
        # A removal an earlier run left half done is finished first: its .old file would refuse this one.
        self._recover(host, install_dir, result, locked=locked)
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
        self._warn_findings(plan)
        if plan.refused:
            result.update(failed=True, msg=license_plan.refusal_message(plan, what="removed"))
            return result
        diff = self.diff(license_plan.features_text(report), "", f"{plan.path} (before)", f"{plan.path} (removed)") \
            if plan.changed else None
        if diff:
            result["diff"] = diff
        if not plan.changed:
            result["msg"] = f"{name} is not installed"
        elif self.check_mode:
            result["msg"] = (f"{name} would be removed (check mode): stop {LICENSING_SERVICE}, rename to "
                             f"{license_plan.old_name(name)}, start the service, delete the .old file")
        else:
            if args["backup"]:
                if data is None:
                    raise HostError(f"{plan.path} could not be read (it vanished while it was being planned), so "
                                    "it cannot be backed up; nothing was removed. Run again")
                local, notes = license_host.backup_destination(
                    args["backup_dir"], self.inventory_host or "unknown", name, datetime.datetime.now(datetime.UTC))
                self.warn(*notes)
                # Verified by content against what was read from the server before anything is deleted.
                result["backup_file"] = license_host.fetch_backup(host, plan.path, local, data)
            result["steps"] = license_host.remove_documented(host, plan, log=self.warn)
            result["msg"] = f"{name} removed with the documented procedure ({'; '.join(result['steps'])})"
        self._note_recovery(result)
        return result
