# Copyright: (c) 2026, ctxlic maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The simulated ``CitrixLicensing.exe`` and ``msiexec /I ctx_licensing.msi`` (seed 004).

Command lines as documented: ``CitrixLicensing.exe /quiet /l <log> INSTALLDIR= WSLPORT= LSPORT=
VDPORT= CEILOPTIN=``, ``CitrixLicensing.exe /quiet /uninstall /l <log>`` and ``msiexec /I
ctx_licensing.msi /l*v <log> /qn INSTALLDIR= LICSERVERPORT= VENDORDAEMONPORT= MNGMTCONSOLEWEBPORT=
WEBSERVICESLICENSINGPORT= CEILOPTIN=``. Behaviour as documented: upgrades keep MyFiles and data
and cannot change ports; versions older than 11.12.1 must be uninstalled first; uninstall keeps
MyFiles and deletes the telemetry data; 3010 means a reboot is needed. Exit codes are the Windows
Installer ones (0, 3010, 1603 fatal error, 1605 unknown product, 1638 newer version installed,
1639 invalid command line).
"""

from __future__ import annotations

import ntpath
import re
import shutil
from pathlib import Path

from ansible_collections.ctxlic.license_server.plugins.plugin_utils.lab import files as lab_files
from ansible_collections.ctxlic.license_server.plugins.plugin_utils.lab import schedule
from ansible_collections.ctxlic.license_server.plugins.plugin_utils.lab.layout import (
    DEFAULT_INSTALL_DIR,
    INSTALL_REG_KEY,
    LICENSING_SERVICE,
    SERVICES,
    win_to_lab,
)
from ansible_collections.ctxlic.license_server.plugins.plugin_utils.lab.state import HostState, read_json, write_json

DEFAULT_PORTS = {"LSPORT": 27000, "VDPORT": 7279, "WSLPORT": 8083}
MSI_PORT_PROPERTIES = {"LICSERVERPORT": "LSPORT", "VENDORDAEMONPORT": "VDPORT", "WEBSERVICESLICENSINGPORT": "WSLPORT"}
LS_PROGRAMS = (
    "lmreread.exe",
    "lmstat.exe",
    "lmhostid.exe",
    "lmver.exe",
    "udadmin.exe",
    "lmdiag.exe",
    "lmdown.exe",
    "lmutil.exe",
    "ctx_license_management_service.exe",
    "lmgrd.exe",
    "CITRIX.exe",
)
_VERSION = re.compile(r"^\s*(\d+)\.(\d+)\.(\d+)(?:\.\d+)?(?:\s+build\s+(\d+))?\s*$", re.IGNORECASE)


def version_key(text: str | None) -> tuple[int, int, int, int] | None:
    match = _VERSION.match(text or "")
    if not match:
        return None
    major, minor, patch, build = match.groups()
    return int(major), int(minor), int(patch), int(build or 0)


class Installer:
    """One run of the installer on one lab host."""

    def __init__(self, root: Path, write_program):
        self.state = HostState(root)
        self.root = root
        self.write_program = write_program
        self.log_lines: list[str] = []

    def log(self, line: str) -> None:
        self.log_lines.append(line)

    def flush_log(self, log_path: str | None, cwd: Path) -> None:
        if not log_path:
            return
        target = Path(log_path)
        if re.match(r"^[A-Za-z]:[\\/]", log_path):
            target = win_to_lab(self.root, log_path)
        elif not target.is_absolute():
            target = cwd / log_path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text("\r\n".join(self.log_lines) + "\r\n", encoding="utf-8")

    # ------------------------------------------------------------------------------------------
    def installed(self) -> dict | None:
        return self.state.registry.get(INSTALL_REG_KEY)

    def fail(self, code: int, message: str) -> int:
        self.log(f"Error {code}. {message}")
        self.log(f"Product: Citrix Licensing -- Installation failed. MainEngineThread is returning {code}")
        return code

    def install(self, version: str, props: dict[str, str]) -> int:
        self.state.slow()
        faults = self.state.faults
        self.log(f"=== Verbose logging started. Citrix Licensing {version} ===")
        for name, value in sorted(props.items()):
            self.log(f"PROPERTY CHANGE: Adding {name} property. Its value is '{value}'.")
        if self.state.disk()["free_bytes"] < 200 * 1024 * 1024 or faults.get("disk_full"):
            return self.fail(1603, "There is not enough space on the disk.")
        forced = faults.get("installer_exit_code")
        if forced not in (None, 0, 3010):
            return self.fail(int(forced), "The installer was told to fail (lab fault installer_exit_code).")
        current = self.installed()
        new_key = version_key(version)
        if new_key is None:
            return self.fail(1603, f"Invalid product version {version!r}.")
        if current:
            old_key = version_key(current.get("Version"))
            if old_key is None or old_key < (11, 12, 1, 0):
                return self.fail(
                    1603, "A version of Citrix Licensing older than 11.12.1 is installed. Uninstall it first."
                )
            if old_key == new_key:
                self.log("Citrix Licensing is already installed at this version. Nothing to do.")
                self.log("Product: Citrix Licensing -- Installation completed successfully.")
                return 0
            if old_key > new_key:
                return self.fail(1638, "Another version of this product is already installed (newer).")
            return self._lay_down(version, props, upgrade_from=current, reboot=forced == 3010)
        return self._lay_down(version, props, upgrade_from=None, reboot=forced == 3010)

    def _lay_down(self, version: str, props: dict[str, str], upgrade_from: dict | None, reboot: bool) -> int:
        install = read_json(self.state.lab / "install.json", {})
        if upgrade_from:
            install_dir = upgrade_from["LS_Install_Dir"]
            ports = install.get("ports", dict(DEFAULT_PORTS))
            asked = {k: props[k] for k in DEFAULT_PORTS if k in props}
            if any(int(v) != ports.get(k) for k, v in asked.items()):
                self.log("Ports cannot be changed during a command-line upgrade; the installed ports are kept.")
            self.log(f"Upgrading Citrix Licensing {upgrade_from.get('Version')} -> {version}")
        else:
            install_dir = props.get("INSTALLDIR") or DEFAULT_INSTALL_DIR
            ports = {k: int(props.get(k, v)) for k, v in DEFAULT_PORTS.items()}
        base = win_to_lab(self.root, install_dir)
        for sub in (
            "MyFiles",
            "LS",
            "LS/conf",
            "LS/resource/cache",
            "LS/resource/usage",
            "LS/resource/cis_bundles/ul_usage",
            "WebServicesForLicensing/Apache/conf",
        ):
            (base / sub).mkdir(parents=True, exist_ok=True)
        for program in LS_PROGRAMS:
            self.write_program(base / "LS" / program, program)
        startup = base / "MyFiles" / "citrix_startup.lic"
        if not startup.exists():
            startup.write_text(lab_files.startup_license(ports["LSPORT"], ports["VDPORT"]), encoding="utf-8")
        options = base / "MyFiles" / "CITRIX.opt"
        if not options.exists():
            options.write_text(lab_files.OPTIONS_FILE, encoding="utf-8")
        config = base / "WebServicesForLicensing" / "SimpleLicenseServiceConfig.xml"
        if not config.exists():
            config.write_text(lab_files.SIMPLE_LICENSE_SERVICE_CONFIG, encoding="utf-8", newline="")
        # The self-signed certificate the installation generates (seed 004 ~2853), in LS\conf (~2936, ~3579);
        # an upgrade keeps the one there.
        certificate, key = lab_files.self_signed_certificate(self.state.host.get("hostname") or "", self.root.name)
        for name, text in (("server.crt", certificate), ("server.key", key)):
            path = base / "LS" / "conf" / name
            if not path.exists():
                path.write_text(text, encoding="utf-8", newline="")
        httpd = base / "WebServicesForLicensing" / "Apache" / "conf" / "httpd.conf"
        if not httpd.exists():
            httpd.write_text(lab_files.httpd_conf(ports["WSLPORT"]), encoding="utf-8")
        ceip = props.get("CEILOPTIN", install.get("ceip", "NONE"))
        write_json(self.state.lab / "install.json", {"ports": ports, "ceip": ceip, "version": version})
        self.state.set_registry_key(INSTALL_REG_KEY, {"Version": version, "LS_Install_Dir": install_dir})
        lms_path = self.state.lab / "lms.json"
        if not upgrade_from or not lms_path.exists():
            # Telemetry upload is enabled when the License Server is installed (seed 001).
            write_json(lms_path, {"enabled": True, "changed_at": self.state.now().isoformat()})
        schedule.cleared(self.state, "reinstalled")  # "The schedule resets if you reinstall" (seed 001)
        self._start_services()
        self.state.record("install", version=version, upgrade_from=(upgrade_from or {}).get("Version"))
        self.log("Product: Citrix Licensing -- Installation completed successfully.")
        if reboot:
            self.log("A reboot is required to complete the installation (3010).")
            return 3010
        return 0

    def _start_services(self) -> None:
        wont_start = set(self.state.faults.get("service_wont_start", []))
        services = self.state.services
        for name in SERVICES:
            running = name not in wont_start
            services[name] = {"state": "running" if running else "stopped", "start_mode": "auto"}
            if not running:
                self.log(f"Service '{name}' failed to start. Verify that you have sufficient privileges.")
        self.state.write_services(services)
        if services[LICENSING_SERVICE]["state"] == "running":
            schedule.service_started(self.state, self.state.now())

    def uninstall(self) -> int:
        self.state.slow()
        current = self.installed()
        if not current:
            return self.fail(1605, "This action is only valid for products that are currently installed.")
        forced = self.state.faults.get("installer_exit_code")
        if forced not in (None, 0, 3010):
            return self.fail(int(forced), "The uninstaller was told to fail (lab fault installer_exit_code).")
        base = win_to_lab(self.root, current["LS_Install_Dir"])
        # MyFiles survives an uninstall; the telemetry data under LS\resource does not (seed 004).
        for entry in list(base.iterdir()) if base.exists() else []:
            if entry.name.casefold() == "myfiles":
                continue
            if entry.is_dir():
                shutil.rmtree(entry)
            else:
                entry.unlink()
        self.state.set_registry_key(INSTALL_REG_KEY, None)
        self.state.write_services({})
        schedule.cleared(self.state, "uninstalled")
        (self.state.lab / "install.json").unlink(missing_ok=True)
        self.state.record("uninstall", version=current.get("Version"))
        self.log("Product: Citrix Licensing -- Removal completed successfully.")
        return 3010 if forced == 3010 else 0


def parse_properties(args: list[str]) -> tuple[list[str], dict[str, str]]:
    """Split installer arguments into switches and PROPERTY=value pairs (property names upper-cased)."""
    switches, props = [], {}
    for arg in args:
        if "=" in arg and not arg.startswith("/"):
            name, value = arg.split("=", 1)
            props[name.upper()] = value.strip('"')
        else:
            switches.append(arg)
    return switches, props


def switch_value(switches: list[str], *names: str) -> str | None:
    lowered = [s.lower() for s in switches]
    for name in names:
        if name in lowered:
            idx = lowered.index(name)
            if idx + 1 < len(switches):
                return switches[idx + 1]
    return None


def citrix_licensing_exe(root: Path, cwd: Path, argv: list[str], version: str, write_program,
                         program: Path | None = None) -> int:
    switches, props = parse_properties(argv)
    inst = Installer(root, write_program)
    if program is not None:
        # Audit only: which installer files sat next to the exe when it ran (seed 004 "Install licensing components
        # using the command line" asks that both the .exe and the .msi are present; it does not say what the
        # installer does without the .msi, so the lab does not invent a failure, docs/lab.md).
        inst.state.record("installer_run", program=program.name,
                          beside=sorted(p.name for p in program.parent.iterdir() if p.is_file()))
    log_path = switch_value(switches, "/l", "/log")
    lowered = [s.lower() for s in switches]
    if "/quiet" not in lowered:
        inst.log("Interactive installation is not available in the lab; use /quiet.")
        inst.flush_log(log_path, cwd)
        return 1639
    code = inst.uninstall() if "/uninstall" in lowered else inst.install(version, props)
    inst.flush_log(log_path, cwd)
    return code


def msiexec_exe(root: Path, cwd: Path, argv: list[str], write_program) -> int:
    switches, props = parse_properties(argv)
    inst = Installer(root, write_program)
    log_path = switch_value(switches, "/l*v", "/l")
    package = switch_value(switches, "/i")
    lowered = [s.lower() for s in switches]
    if not package or "/qn" not in lowered:
        inst.log("Invalid command line: expected msiexec /I <package.msi> /qn")
        inst.flush_log(log_path, cwd)
        return 1639
    msi = win_to_lab(root, package) if re.match(r"^[A-Za-z]:", package) else cwd / package
    data = read_json(msi, None) if msi.exists() else None
    if not isinstance(data, dict) or "ProductVersion" not in data:
        inst.log(f"This installation package could not be opened: {package}")
        inst.flush_log(log_path, cwd)
        return 1619
    for msi_name, exe_name in MSI_PORT_PROPERTIES.items():
        if msi_name in props:
            props[exe_name] = props.pop(msi_name)
    code = inst.install(data["ProductVersion"], props)
    inst.flush_log(log_path, cwd)
    return code


def default_log_dir(install_dir: str) -> str:
    return ntpath.join(install_dir, "LS", "Logs")
