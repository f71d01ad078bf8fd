# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Action plugin for ctxlic.license_server.package (documentation in plugins/modules/package.py).

Reads the host (registry version, installed ports, free space, pending telemetry zips) through the
host access layer, lets :mod:`package_plan` decide, and only then stages and runs the installer.
Every refusal happens before anything is copied or run, so a refused task leaves the host as it was.
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
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._action.base import CtxlicAction
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._common.errors import HostError, InputError
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._host.access import HostAccess, host_access_for
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._server.version import LSVersion
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._telemetry.bundles import pending_zip_dirs

MSI_READ_LIMIT = 65536
_BAD_NAME_CHARS = set('<>:"/\\|?*')


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

    # -- installer ------------------------------------------------------------------------------
    def _controller_installer(self, args: dict, staging_dir: str) -> tuple[str, str, int, bytes | None]:
        """(local path, staged host path, size, msi content) of a controller-side installer."""
        try:
            local = self._find_needle("files", args["src"])
        except AnsibleError as exc:
            raise InputError(f"src {args['src']!r} was not found on the controller: {exc}. "
                             "Give the path of the installer file on the controller.") from exc
        if not os.path.isfile(local):
            raise InputError(f"src {args['src']!r} is not a file: give the installer file itself.")
        name = os.path.basename(local)
        _check_installer_name(name, args["installer_type"], "src")
        size = os.path.getsize(local)
        content = None
        if args["installer_type"] == "msi" and size <= MSI_READ_LIMIT:
            with open(local, "rb") as handle:
                content = handle.read()
        return local, ntpath.join(staging_dir, name), size, content

    @staticmethod
    def _controller_companion(local: str, installer_type: str, staging_dir: str) -> tuple[str, str]:
        """(local path, staged host path) of the other installer file next to ``local`` on the controller.

        seed 004 "Install licensing components using the command line" (~2744-2748): "Use the CitrixLicensing.exe
        file for all future installations, except for Active Directory deployments. In that case, use the .msi.
        Ensure that both .exe and .msi files are present for the installation."
        """
        wanted = COMPANION[installer_type]
        folder = os.path.dirname(local) or "."
        found = [entry for entry in sorted(os.listdir(folder)) if entry.casefold() == wanted.casefold()
                 and os.path.isfile(os.path.join(folder, entry))]
        if not found:
            raise InputError(
                f"src {local!r}: {wanted} is not next to it on the controller. Citrix Licensing 11.17.2 build 49000 "
                "documentation, Install licensing components using the command line, asks that both the .exe and "
                f"the .msi are present for the installation: put {wanted} from the same download in {folder}.")
        return os.path.join(folder, found[0]), ntpath.join(staging_dir, wanted)

    @staticmethod
    def _remote_companion(path: str, installer_type: str, host: HostAccess) -> None:
        """Refuse when the other installer file is not next to ``path`` on the server (seed 004 ~2744-2748)."""
        wanted = ntpath.join(ntpath.dirname(path), COMPANION[installer_type])
        info = host.stat(wanted)
        if not info.exists or info.is_dir:
            raise InputError(
                f"path {path!r}: {wanted} does not exist on the server. Citrix Licensing 11.17.2 build 49000 "
                "documentation, Install licensing components using the command line, asks that both the .exe and "
                "the .msi are present for the installation: copy both files of the download to the same folder.")

    @staticmethod
    def _remote_installer(args: dict, host: HostAccess) -> tuple[str, bytes | None]:
        if not args["remote_src"]:
            raise InputError("path names an installer already on the server: set remote_src: true with it, "
                             "or use src for an installer on the controller.")
        path = plan.check_host_path(args["path"], "path")
        _check_installer_name(ntpath.basename(path), args["installer_type"], "path")
        info = host.stat(path)
        if not info.exists or info.is_dir:
            raise InputError(f"path {path!r} does not exist on the server (or is a directory): copy the installer "
                             "to a local disk of the server first, or give it as src on the controller.")
        content = None
        if args["installer_type"] == "msi" and (info.size or 0) <= MSI_READ_LIMIT:
            content = host.read_file(path)
        return path, content

    @staticmethod
    def _target_version(args: dict, msi_content: bytes | None, where: str) -> LSVersion | None:
        given = plan.parse_target_version(args["version"]) if args["version"] else None
        if args["installer_type"] != "msi":
            if given is None and args["state"] == "present":
                raise InputError(
                    "version is required with installer_type: exe: CitrixLicensing.exe has no documented way to "
                    "report its version without running it (Citrix Licensing 11.17.2 build 49000 documentation). Set "
                    "version to the installer's version, for "
                    "example '11.17.2.0 build 49000'.")
            return given
        product = plan.msi_product_version(msi_content)
        from_msi = plan.parse_target_version(product, f"ProductVersion of {where}") if product else None
        if given and from_msi and given != from_msi:
            raise InputError(f"version {args['version']!r} does not match the ProductVersion {product!r} of {where}: "
                             "fix version or pass the right installer.")
        if given is None and from_msi is None and args["state"] == "present":
            raise InputError(f"could not read the ProductVersion of {where}: set version (a real .msi needs Windows "
                             "Installer to read its Property table, which the module does not do).")
        return given or from_msi

    # -- host reads -----------------------------------------------------------------------------
    @staticmethod
    def _text(host: HostAccess, path: str) -> str | None:
        data = host.read_file(path)
        return plan.decode_log(data) if data is not None else None

    def _ports(self, host: HostAccess, install_dir: str) -> dict[str, int]:
        return plan.installed_ports(self._text(host, ntpath.join(install_dir, plan.STARTUP_LICENSE)),
                                    self._text(host, ntpath.join(install_dir, plan.HTTPD_CONF)))

    @staticmethod
    def _pending(host: HostAccess, install_dir: str) -> list[str]:
        found: list[str] = []
        for directory, glob in pending_zip_dirs(install_dir):
            found.extend(f.path for f in host.find(directory, [glob]))
        return sorted(set(found), key=str.casefold)

    @staticmethod
    def _reporting(host: HostAccess, install_dir: str) -> dict[str, str | None]:
        """Reporting mode (``-query``) and the last upload's status, read only when zips were found."""
        try:
            query = host.run([ls_tools.management_service_exe(install_dir), "-query"],
                             chdir=ls_tools.ls_program_dir(install_dir), read_only=True)
            enabled = ls_tools.parse_management_query(query.stdout) if query.rc == 0 else None
        except HostError:
            enabled = None
        try:
            data = host.read_file(upload_result.result_file_path(install_dir))
            last = upload_result.parse_upload_result(data, now=datetime.now(UTC))["status"]
        except (HostError, InputError):
            last = None
        return {"reporting_mode": ls_tools.reporting_mode(enabled), "last_upload": last}

    @staticmethod
    def _services(host: HostAccess) -> dict[str, str | None]:
        states = {}
        for name in plan.SERVICES:
            info = host.service(name)
            states[name] = info.state if info.exists else None
        return states

    def _preflight(self, host: HostAccess, request: plan.Request, decision: plan.Decision, registry_dir: str | None,
                   install_dir: str) -> tuple[list[str], list[str], dict[str, int]]:
        """(refusals, warnings, installed ports): every check that must pass before anything is copied or run."""
        refusals, warnings = list(decision.refusals), list(decision.warnings)
        ports_now: dict[str, int] = {}
        if refusals:
            return refusals, warnings, ports_now
        if plan.needs_port_read(decision, request) and registry_dir:
            ports_now = self._ports(host, registry_dir)
        for found in (plan.port_findings(decision, request, ports_now),
                      plan.install_dir_findings(decision, request, registry_dir)):
            refusals += found[0]
            warnings += found[1]
        if plan.needs_disk_check(decision):
            needs = plan.disk_requirements(request, install_dir)
            free = {root: host.disk_space(root)["free_bytes"] for root in needs}
            refusals += plan.disk_findings(needs, free, request.installer_bytes, request.min_free_mb)
        if plan.needs_pending_check(decision) and decision.installed_text is not None:
            zips = self._pending(host, registry_dir or install_dir)
            pending, why = (plan.pending_uploads(zips, **self._reporting(host, registry_dir or install_dir))
                            if zips else ([], ""))
            if zips and not pending:
                warnings.append(f"{len(zips)} telemetry zip file(s) on the server are not pending manual uploads: "
                                f"{why}.")
            found = plan.pending_findings(decision, pending, request.force, why)
            refusals += found[0]
            warnings += found[1]
        return refusals, warnings, ports_now

    # -- main -------------------------------------------------------------------------------------
    def run_module(self, args: dict, task_vars: dict) -> dict:
        host = host_access_for(self, task_vars)
        staging_dir = host.staging_dir()
        local_src = None
        installer_bytes = 0
        self._companion = None
        if args["src"]:
            local_src, installer, installer_bytes, msi_content = self._controller_installer(args, staging_dir)
            if args["state"] == "present":
                self._companion = self._controller_companion(local_src, args["installer_type"], staging_dir)
            where = args["src"]
        else:
            installer, msi_content = self._remote_installer(args, host)
            if args["state"] == "present":
                self._remote_companion(installer, args["installer_type"], host)
            where = installer
        target = self._target_version(args, msi_content, where) if args["state"] == "present" else None
        request = plan.make_request(args, installer=installer, installer_bytes=installer_bytes,
                                    staging_dir=staging_dir, version=target)

        before = host.registry_value(INSTALL_REG_KEY, "Version")
        before = str(before) if before is not None else None
        registry_dir = host.registry_value(INSTALL_REG_KEY, INSTALL_REG_VALUE) if before else None
        registry_dir = str(registry_dir) if registry_dir else None
        decision = plan.decide(request, before)
        install_dir = plan.install_dir_for(decision, request, registry_dir)
        refusals, warnings, ports_now = self._preflight(host, request, decision, registry_dir, install_dir)
        if request.ceip is not None and decision.action == "none" and before:
            warnings.append("ceip is applied only when the installer runs; the installed version is already the "
                            "target, so the CEIP / Call Home choice was not changed (change it in the Citrix "
                            "Licensing Manager, Citrix Licensing 11.17.2 build 49000 documentation).")

        steps = [] if refusals else plan.build_steps(decision, request, ports_now=ports_now,
                                                     registry_install_dir=registry_dir)
        main_step = next((s for s in steps if s.kind == "install"), steps[0] if steps else None)
        planned_after = (str(target.text or target) if target else None) if decision.steps else before
        if decision.action == "uninstall":
            planned_after = None
        result: dict[str, Any] = {
            "changed": False,
            "failed": False,  # set explicitly: Ansible treats a result with rc != 0 (3010) as failed otherwise
            "action": decision.action,
            "before_version": before,
            "after_version": before,
            "target_version": target.text if target else None,
            "rc": None,
            "reboot_required": False,
            "command": main_step.argv if main_step else [],
            "commands": [s.argv for s in steps],
            "log_path": main_step.log_path if main_step else None,
            "installer": installer,
            "install_dir": install_dir if decision.action != "none" or before else None,
            "refusals": refusals,
            "warnings": warnings,
        }
        if refusals:
            result.update(failed=True, msg="Refused, nothing was changed: " + " | ".join(refusals))
            return result
        if self._task.diff and decision.action != "none":
            result["diff"] = plan.diff(before, planned_after, task_vars.get("inventory_hostname", ""))
        if decision.action == "none" and before and request.state == "present":
            return self._converge_services(host, result)
        if decision.action == "none":
            result["msg"] = "Citrix License Server is not installed; nothing to remove."
            return result
        if self._task.check_mode:
            result.update(changed=True, after_version=planned_after,
                          msg=f"Check mode: would {decision.action} ({' then '.join(decision.steps)}).")
            return result
        return self._execute(host, request, decision, steps, local_src, result)

    def _execute(self, host: HostAccess, request: plan.Request, decision: plan.Decision, steps: list[plan.Step],
                 local_src: str | None, result: dict[str, Any]) -> dict[str, Any]:
        warnings: list[str] = result["warnings"]
        for directory in sorted({request.staging_dir, *(ntpath.dirname(s.log_path) for s in steps)}, key=str.casefold):
            host.make_dir(directory)
        result["changed"] = True
        staged = False
        companion = getattr(self, "_companion", None) if local_src else None
        try:
            if local_src:
                host.put_file(local_src, request.installer or "")
                staged = True
                if companion:  # both files, side by side (seed 004 ~2748)
                    host.put_file(companion[0], companion[1])
            for step in steps:
                run = host.run(step.argv)
                outcome = plan.interpret_exit(run.rc)
                result.update(rc=run.rc, command=step.argv, log_path=step.log_path)
                result["reboot_required"] = result["reboot_required"] or outcome.reboot_required
                if not outcome.ok:
                    return self._failed_step(host, step, run.rc, outcome.meaning, result)
        finally:
            if staged:
                try:
                    host.remove(request.installer or "")
                except HostError as exc:
                    warnings.append(f"the staged installer {request.installer} could not be removed: {exc}")
            if staged and companion:
                try:
                    host.remove(companion[1])
                except HostError as exc:
                    warnings.append(f"the staged installer {companion[1]} could not be removed: {exc}")
        return self._verify(host, request, decision, result)

    def _failed_step(self, host: HostAccess, step: plan.Step, rc: int, meaning: str, result: dict) -> dict:
        data = host.read_file(step.log_path)
        after = host.registry_value(INSTALL_REG_KEY, "Version")
        result.update(
            failed=True,
            after_version=str(after) if after is not None else None,
            log_tail=plan.log_tail(data),
            msg=(f"The {step.kind} command failed with exit code {rc} ({meaning}); installed version now: "
                 f"{after or 'none'}. See log_tail (last {plan.LOG_TAIL_LINES} lines of {step.log_path})"
                 + ("" if data is not None else " - the log file was not written") + "."),
        )
        return result

    def _verify(self, host: HostAccess, request: plan.Request, decision: plan.Decision, result: dict) -> dict:
        warnings: list[str] = result["warnings"]
        after = host.registry_value(INSTALL_REG_KEY, "Version")
        after = str(after) if after is not None else None
        result["after_version"] = after
        if result["reboot_required"] and not request.allow_reboot:
            warnings.append(f"the installer returned {result['rc']}: reboot the server to complete the "
                            f"{decision.action} (the module never reboots; allow_reboot: true marks the reboot as "
                            "handled by the caller, e.g. the ctxlic.license_server.server role's handler).")
        if decision.action == "uninstall":
            if after is not None:
                result.update(failed=True, msg=f"The uninstaller returned {result['rc']} but the registry still lists "
                                               f"version {after} ({INSTALL_REG_KEY}).")
                return result
            install_dir = result["install_dir"]
            myfiles = host.stat(ntpath.join(install_dir, "MyFiles")) if install_dir else None
            result["myfiles_kept"] = bool(myfiles and myfiles.exists)
            result["msg"] = ("Citrix License Server uninstalled. "
                             + (f"MyFiles was kept ({ntpath.join(install_dir, 'MyFiles')}), as Citrix Licensing "
                                "11.17.2 build 49000 documentation says; "
                                "the telemetry data under LS\\resource was deleted."
                                if result["myfiles_kept"] else "No MyFiles folder was found afterwards."))
            return result
        if after is None or not _same_version(after, decision.target):
            result.update(failed=True, msg=f"The installer returned {result['rc']} but the registry version is "
                                           f"{after or 'missing'}, not {decision.target} ({INSTALL_REG_KEY}).")
            return result
        services = self._services(host)
        result["services"] = services
        down = plan.services_not_running(services)
        if down and result["reboot_required"]:
            warnings.append(f"services not running yet: {', '.join(down)}; check them after the reboot.")
        elif down:
            return _fail_services_down(result, after, down, f"Check the services and the log {result['log_path']}.")
        result["msg"] = (f"Citrix License Server {decision.action}: {result['before_version'] or 'not installed'} -> "
                         f"{after}" + (" (reboot required)" if result["reboot_required"] else "") + ".")
        return result

    def _converge_services(self, host: HostAccess, result: dict[str, Any]) -> dict[str, Any]:
        """The target is installed already: start the stopped services, so a re-run repairs a failed start.

        The installer starts the services; when one did not start, every later run finds the target version
        and would otherwise never look at them again.
        """
        version = result["before_version"]
        services = self._services(host)
        to_start = plan.services_to_start(services)
        result.update(changed=bool(to_start), services=services, services_started=to_start)
        if self._task.check_mode:
            # A missing service cannot be started: the real run would fail on it, so check mode does too.
            missing = [name for name in plan.services_not_running(services) if name not in to_start]
            if missing:
                return _fail_services_down(result, version, missing, "Reinstall the License Server to recreate them.")
            result["msg"] = (f"Check mode: Citrix License Server {version} is already installed"
                             + (f"; would start {', '.join(to_start)}." if to_start else "."))
            return result
        start_errors = self._start_services(host, to_start)
        if to_start:
            services = self._services(host)
            started = [name for name in to_start if services[name] == "running"]
            result.update(changed=bool(started), services=services, services_started=started)
        down = plan.services_not_running(services)
        if down:
            return _fail_services_down(result, version, down, "Check the services (the Windows System event log "
                                       "says why a service did not start); a missing service needs a reinstall.",
                                       start_errors)
        result["msg"] = (f"Citrix License Server {version} is already installed"
                         + (f"; started {', '.join(to_start)}." if to_start else "."))
        return result

    @staticmethod
    def _start_services(host: HostAccess, names: list[str]) -> dict[str, str]:
        """Start each service; name -> error of the ones that refused (the services are read again afterwards)."""
        errors: dict[str, str] = {}
        for name in names:
            try:
                host.set_service(name, "started")
            except HostError as exc:
                errors[name] = str(exc)
        return errors


def _fail_services_down(result: dict[str, Any], version: str, down: list[str], hint: str,
                        start_errors: dict[str, str] | None = None) -> dict[str, Any]:
    result.update(failed=True, msg=plan.services_down_message(version, down, hint, start_errors))
    return result


def _same_version(text: str, target: LSVersion | None) -> bool:
    try:
        return target is not None and plan.parse_target_version(text, "installed version") == target
    except InputError:
        return False


# The documented file names (seed 004 "Install licensing components using the command line").
COMPANION = {"exe": "ctx_licensing.msi", "msi": "CitrixLicensing.exe"}


def _check_installer_name(name: str, installer_type: str, option: str) -> None:
    suffix = ".msi" if installer_type == "msi" else ".exe"
    if not name.lower().endswith(suffix):
        raise InputError(f"{option} {name!r} does not end in {suffix}: installer_type {installer_type} needs "
                         + ("ctx_licensing.msi (Citrix Licensing 11.17.2 build 49000 documentation, Active Directory "
                            "deployments)." if installer_type == "msi"
                            else "CitrixLicensing.exe (Citrix Licensing 11.17.2 build 49000 documentation)."))
    if any(ch in _BAD_NAME_CHARS for ch in name) or any(ord(ch) < 32 for ch in name):
        raise InputError(f"{option} {name!r} is not a valid Windows file name.")
