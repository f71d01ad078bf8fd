# Copyright: (c) 2026, ctxlic maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Action plugin for ctxlic.license_server.package (documentation in plugins/modules/package.py).

Orchestration only: read the installer (controller or server) and the host (registry version, installed
ports, free space, pending telemetry zips, services) through the host access layer, let
:mod:`package_plan` decide (every check, the steps, the messages), and only then stage and run the
installer. Every refusal happens before anything is copied or run, so a refused task leaves the host
as it was.
"""

from __future__ import annotations

import ntpath
import os
from datetime import UTC, datetime
from typing import Any

from ansible.errors import AnsibleError

from ansible_collections.ctxlic.license_server.plugins.plugin_utils._common.constants import (
    INSTALL_REG_KEY,
    INSTALL_REG_VALUE,
)
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._server import ls_tools
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._telemetry import upload_result
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._server import package_plan as plan
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._server import ceip_readback
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._action.base import CtxlicAction
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._common.errors import HostError, InputError
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._telemetry.bundles import pending_zip_dirs


class ActionModule(CtxlicAction):
    TRANSFERS_FILES = True
    ARGUMENT_SPEC = {
        "state": {"type": "str", "default": "present", "choices": ["present", "absent"]},
        "src": {"type": "path"},
        "remote_src": {"type": "bool", "default": False},
        "path": {"type": "str"},
        "installer_type": {"type": "str", "default": "exe", "choices": ["exe", "msi"]},
        "version": {"type": "str"},
        "install_dir": {"type": "str"},
        "license_server_port": {"type": "int"},
        "vendor_daemon_port": {"type": "int"},
        "web_services_port": {"type": "int"},
        "management_console_port": {"type": "int"},
        "ceip": {"type": "str", "choices": list(plan.CEIP_VALUES)},
        "ceip_property": {"type": "str", "default": plan.DEFAULT_CEIP_PROPERTY},
        "ceip_expect": {"type": "str"},
        "ceip_mismatch": {"type": "str", "default": "warn", "choices": ["warn", "fail"]},
        "log_path": {"type": "str"},
        "allow_reboot": {"type": "bool", "default": False},
        "allow_downgrade": {"type": "bool", "default": False},
        "uninstall_legacy": {"type": "bool", "default": False},
        "force": {"type": "bool", "default": False},
        "min_free_mb": {"type": "int", "default": 1024},
    }
    MUTUALLY_EXCLUSIVE = [["src", "path"]]
    REQUIRED_ONE_OF = [["src", "path"]]
    REQUIRED_IF = [["remote_src", True, ["path"]]]

    # src is found by Ansible's own rule for src (_find_needle), not by CONTROLLER_PATHS.

    # -- main -------------------------------------------------------------------------------------
    def run_module(self, args: dict, task_vars: dict) -> dict:
        # Bad options and a missing controller-side installer fail before the host is asked anything.
        plan.check_options(args)
        if args["src"]:
            local_src, installer_bytes, msi_content = self._controller_installer(args)
            companion_src = (self._controller_companion(local_src, args["installer_type"])
                             if args["state"] == "present" else None)
            target = plan.target_version(args, msi_content, args["src"])
            staging_dir = self.host.staging_dir()
            installer = ntpath.join(staging_dir, os.path.basename(local_src))
            companion = ((companion_src, ntpath.join(staging_dir, plan.COMPANION[args["installer_type"]]))
                         if companion_src else None)
        else:
            local_src, companion, installer_bytes = None, None, 0
            staging_dir = self.host.staging_dir()
            installer, msi_content = self._remote_installer(args)
            target = plan.target_version(args, msi_content, installer)
        request = plan.make_request(args, installer=installer, installer_bytes=installer_bytes,
                                    staging_dir=staging_dir, version=target)

        before = self._registry(INSTALL_REG_KEY, "Version")
        registry_dir = (self._registry(INSTALL_REG_KEY, INSTALL_REG_VALUE) or None) if before else None
        decision = plan.decide(request, before)
        install_dir = plan.install_dir_for(decision, request, registry_dir)
        refusals, warnings, ports_now = self._preflight(request, decision, registry_dir, install_dir)
        self.warn(*warnings, *plan.extra_warnings(request, decision, before))
        steps = [] if refusals else plan.build_steps(decision, request, ports_now=ports_now,
                                                     registry_install_dir=registry_dir)
        result = plan.base_result(request, decision, steps, before=before, install_dir=install_dir,
                                  refusals=refusals)
        if refusals:
            return result
        planned_after = plan.planned_after(decision, target, before)
        diff = self.diff(*plan.diff(before, planned_after, self.inventory_host).values()) \
            if decision.action != "none" else None
        if diff:
            result["diff"] = diff
        if decision.action == "none" and before and request.state == "present":
            return self._converge_services(result)
        if decision.action == "none":
            result["msg"] = "Citrix License Server is not installed; nothing to remove."
            return result
        if self.check_mode:
            result.update(changed=True, after_version=planned_after,
                          msg=f"Check mode: would {decision.action} ({' then '.join(decision.steps)}).")
            return result
        return self._execute(request, decision, steps, local_src, companion, result)

    # -- installer ------------------------------------------------------------------------------
    def _controller_installer(self, args: dict) -> tuple[str, int, bytes | None]:
        """(local path, size, msi content) of a controller-side installer."""
        try:
            local = self._find_needle("files", args["src"])
        except AnsibleError as exc:
            raise InputError(f"src {args['src']!r} was not found on the controller: {exc}. "
                             "Give the path of the installer file on the controller.") from exc
        if not os.path.isfile(local):
            raise InputError(f"src {args['src']!r} is not a file: give the installer file itself.")
        name = os.path.basename(local)
        plan.check_installer_name(name, args["installer_type"], "src")
        size = os.path.getsize(local)
        content = None
        if plan.needs_msi_content(args["installer_type"], size):
            with open(local, "rb") as handle:
                content = handle.read()
        return local, size, content

    @staticmethod
    def _controller_companion(local: str, installer_type: str) -> str:
        """The local path of the other installer file next to ``local`` on the controller."""
        wanted = plan.COMPANION[installer_type]
        folder = os.path.dirname(local) or "."
        found = [entry for entry in sorted(os.listdir(folder)) if entry.casefold() == wanted.casefold()
                 and os.path.isfile(os.path.join(folder, entry))]
        if not found:
            raise plan.companion_missing("src", local, wanted, folder)
        return os.path.join(folder, found[0])

    def _remote_installer(self, args: dict) -> tuple[str, bytes | None]:
        """(host path, msi content) of an installer already on the server; its companion must be beside it."""
        path = plan.remote_installer_path(args)
        info = self.host.stat(path)
        if not info.exists or info.is_dir:
            raise InputError(f"path {path!r} does not exist on the server (or is a directory): copy the installer "
                             "to a local disk of the server first, or give it as src on the controller.")
        content = self.host.read_file(path) if plan.needs_msi_content(args["installer_type"], info.size) else None
        if args["state"] == "present":
            wanted = ntpath.join(ntpath.dirname(path), plan.COMPANION[args["installer_type"]])
            companion = self.host.stat(wanted)
            if not companion.exists or companion.is_dir:
                raise plan.companion_missing("path", path, wanted)
        return path, content

    # -- host reads -----------------------------------------------------------------------------
    def _registry(self, key: str, name: str) -> str | None:
        value = self.host.registry_value(key, name)
        return str(value) if value is not None else None

    def _text(self, path: str) -> str | None:
        data = self.host.read_file(path)
        return plan.decode_log(data) if data is not None else None

    def _ports(self, install_dir: str) -> dict[str, int]:
        return plan.installed_ports(self._text(ntpath.join(install_dir, plan.STARTUP_LICENSE)),
                                    self._text(ntpath.join(install_dir, plan.HTTPD_CONF)))

    def _pending(self, install_dir: str) -> list[str]:
        found: list[str] = []
        for directory, glob in pending_zip_dirs(install_dir):
            found.extend(f.path for f in self.host.find(directory, [glob]))
        return sorted(set(found), key=str.casefold)

    def _reporting(self, install_dir: str) -> tuple[str, str | None]:
        """(reporting mode (``-query``), the last upload's status), read only when zips were found."""
        try:
            query = self.host.run([ls_tools.management_service_exe(install_dir), "-query"],
                                  chdir=ls_tools.ls_program_dir(install_dir), read_only=True)
            enabled = ls_tools.parse_management_query(query.stdout) if query.rc == 0 else None
        except HostError:
            enabled = None
        try:
            data = self.host.read_file(upload_result.result_file_path(install_dir))
            last = upload_result.parse_upload_result(data, now=datetime.now(UTC))["status"]
        except (HostError, InputError):
            last = None
        return ls_tools.reporting_mode(enabled), last

    def _services(self) -> dict[str, str | None]:
        states = {}
        for name in plan.SERVICES:
            info = self.host.service(name)
            states[name] = info.state if info.exists else None
        return states

    def _preflight(self, request: plan.Request, decision: plan.Decision, registry_dir: str | None,
                   install_dir: str) -> tuple[list[str], list[str], dict[str, int]]:
        """(refusals, warnings, installed ports): every check that must pass before anything is copied or run.

        Each fact is read only when the plan says it matters; every judgement is the plan's.
        """
        refusals, warnings = list(decision.refusals), list(decision.warnings)
        ports_now: dict[str, int] = {}
        if refusals:
            return refusals, warnings, ports_now
        if plan.needs_port_read(decision, request) and registry_dir:
            ports_now = self._ports(registry_dir)
        for found in (plan.port_findings(decision, request, ports_now),
                      plan.install_dir_findings(decision, request, registry_dir)):
            refusals += found[0]
            warnings += found[1]
        if plan.needs_disk_check(decision):
            needs = plan.disk_requirements(request, install_dir)
            free = {root: self.host.disk_space(root)["free_bytes"] for root in needs}
            refusals += plan.disk_findings(needs, free, request.installer_bytes, request.min_free_mb)
        if plan.needs_pending_check(decision) and decision.installed_text is not None:
            zips = self._pending(registry_dir or install_dir)
            if zips:
                reporting_mode, last_upload = self._reporting(registry_dir or install_dir)
                pending, why = plan.pending_uploads(zips, reporting_mode=reporting_mode, last_upload=last_upload)
            else:
                pending, why = [], ""
            warnings += plan.not_pending_warning(zips, pending, why)
            found = plan.pending_findings(decision, pending, request.force, why)
            refusals += found[0]
            warnings += found[1]
        return refusals, warnings, ports_now

    # -- acting ---------------------------------------------------------------------------------
    def _execute(self, request: plan.Request, decision: plan.Decision, steps: list[plan.Step],
                 local_src: str | None, companion: tuple[str, str] | None, result: dict[str, Any]) -> dict[str, Any]:
        for directory in sorted({request.staging_dir, *(ntpath.dirname(s.log_path) for s in steps)}, key=str.casefold):
            self.host.make_dir(directory)
        result["changed"] = True
        staged: list[str] = []
        try:
            if local_src:
                self.host.put_file(local_src, request.installer or "")
                staged.append(request.installer or "")
                if companion:  # both files, side by side (seed 004 ~2748)
                    self.host.put_file(companion[0], companion[1])
                    staged.append(companion[1])
            for step in steps:
                run = self.host.run(step.argv)
                outcome = plan.interpret_exit(run.rc)
                result.update(rc=run.rc, command=step.argv, log_path=step.log_path)
                result["reboot_required"] = result["reboot_required"] or outcome.reboot_required
                if not outcome.ok:
                    data = self.host.read_file(step.log_path)
                    after = self._registry(INSTALL_REG_KEY, "Version")
                    result.update(failed=True, after_version=after, log_tail=plan.log_tail(data),
                                  msg=plan.failed_step_message(step, run.rc, outcome.meaning, after, data is not None))
                    return result
        finally:
            for path in staged:
                try:
                    self.host.remove(path)
                except HostError as exc:
                    self.warn(f"the staged installer {path} could not be removed: {exc}")
        return self._verify(request, decision, result)

    def _verify(self, request: plan.Request, decision: plan.Decision, result: dict) -> dict:
        after = self._registry(INSTALL_REG_KEY, "Version")
        result["after_version"] = after
        self.warn(*plan.reboot_warning(result["rc"], decision.action, result["reboot_required"], request.allow_reboot))
        failure = plan.verify_failure(decision, result["rc"], after)
        if failure:
            result.update(failed=True, msg=failure)
            return result
        if decision.action == "uninstall":
            install_dir = result["install_dir"]
            myfiles = self.host.stat(ntpath.join(install_dir, "MyFiles")) if install_dir else None
            result["myfiles_kept"] = bool(myfiles and myfiles.exists)
            result["msg"] = plan.uninstalled_message(install_dir, result["myfiles_kept"])
            return result
        services = self._services()
        result["services"] = services
        down = plan.services_not_running(services)
        if down and result["reboot_required"]:
            self.warn(f"services not running yet: {', '.join(down)}; check them after the reboot.")
        elif down:
            return _fail_services_down(result, after or "", down,
                                       f"Check the services and the log {result['log_path']}.")
        result["msg"] = plan.done_message(decision.action, result["before_version"], after or "",
                                          result["reboot_required"])
        return self._ceip_readback(request, result)

    def _ceip_readback(self, request: plan.Request, result: dict) -> dict:
        """Read CITRIX.opt back (one read): where the documents say the CEIP / Call Home choice is stored."""
        install_dir = result["install_dir"] or ""
        try:
            data = self.host.read_file(ceip_readback.options_file_path(install_dir))
        except HostError as exc:
            self.warn(f"{ceip_readback.options_file_path(install_dir)} could not be read back: {exc}")
            data = None
        check, message, fails = plan.ceip_outcome(request, plan.decode_log(data) if data is not None else None,
                                                  install_dir)
        result["ceip"] = check
        if fails:
            result.update(failed=True, msg=f"{result['msg']} {message}")
        elif message:
            self.warn(message)
        return result

    def _converge_services(self, result: dict[str, Any]) -> dict[str, Any]:
        """The target is installed already: start the stopped services, so a re-run repairs a failed start.

        The installer starts the services; when one did not start, every later run finds the target version
        and would otherwise never look at them again.
        """
        version = result["before_version"]
        services = self._services()
        to_start = plan.services_to_start(services)
        result.update(changed=bool(to_start), services=services, services_started=to_start)
        if self.check_mode:
            # A missing service cannot be started: the real run would fail on it, so check mode does too.
            missing = [name for name in plan.services_not_running(services) if name not in to_start]
            if missing:
                return _fail_services_down(result, version, missing, "Reinstall the License Server to recreate them.")
            result["msg"] = plan.installed_message(version, to_start, check_mode=True)
            return result
        start_errors = self._start_services(to_start)
        if to_start:
            services = self._services()
            started = [name for name in to_start if services[name] == "running"]
            result.update(changed=bool(started), services=services, services_started=started)
        down = plan.services_not_running(services)
        if down:
            return _fail_services_down(result, version, down, "Check the services (the Windows System event log "
                                       "says why a service did not start); a missing service needs a reinstall.",
                                       start_errors)
        result["msg"] = plan.installed_message(version, to_start, check_mode=False)
        return result

    def _start_services(self, names: list[str]) -> dict[str, str]:
        """Start each service; name -> error of the ones that refused (the services are read again afterwards)."""
        errors: dict[str, str] = {}
        for name in names:
            try:
                self.host.set_service(name, "started")
            except HostError as exc:
                errors[name] = str(exc)
        return errors


def _fail_services_down(result: dict[str, Any], version: str, down: list[str], hint: str,
                        start_errors: dict[str, str] | None = None) -> dict[str, Any]:
    result.update(failed=True, msg=plan.services_down_message(version, down, hint, start_errors))
    return result
