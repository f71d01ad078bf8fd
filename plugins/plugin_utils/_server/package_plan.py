# Copyright: (c) 2026, ctxlic maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# Internal use only: this module is private to ctxlic.license_server and may change at any time.
"""Plan installs, upgrades, downgrades and uninstalls of the Citrix License Server (pure, no I/O).

``ctxlic.license_server.package`` (plugins/action/package.py) reads the host through the host
access layer, hands the facts to this module, and only runs what :func:`build_steps` returns when
:func:`preflight` found nothing to refuse. Everything here follows seed 004
(004_78ebd72ab77d9394.txt):

* install: ``CitrixLicensing.exe /quiet /l <log> INSTALLDIR= WSLPORT= LSPORT= VDPORT= CEILOPTIN=``;
  Active Directory deployments: ``msiexec /I ctx_licensing.msi /l*v <log> /qn INSTALLDIR=
  LICSERVERPORT= VENDORDAEMONPORT= MNGMTCONSOLEWEBPORT= WEBSERVICESLICENSINGPORT= CEILOPTIN=``
  ("Install licensing using the Windows command line");
* upgrade: the same installer without ports, because "You cannot change ports during command line
  upgrades"; not from a UNC path; versions older than 11.12.1 must be uninstalled first; "the
  upgrade might fail if there is no or less disk space"; upgrades from 11.17.2 build 45000 take
  longer while manual-upload telemetry data is stored ("Upgrade the License Server");
* uninstall: ``CitrixLicensing.exe /quiet /uninstall /l <log>``; MyFiles is kept, the telemetry data
  is deleted ("Uninstall the License Server");
* exit code 3010 means a reboot is needed (Windows Installer convention, which seed 004 relies on).

Where the seeds are silent the choice is stated where it is made: where the installed ports are kept
(:func:`parse_startup_ports`, :func:`parse_httpd_listen`), how a downgrade is done (uninstall, then
install), and the free-space figure (``min_free_mb``, chosen by the caller).
"""

from __future__ import annotations

import json
import ntpath
import re
from dataclasses import dataclass, field
from typing import Any

from ansible_collections.ctxlic.license_server.plugins.plugin_utils._common.install_dir import check_install_dir
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._common.constants import (
    DEFAULT_INSTALL_DIR,
    INSTALL_REG_KEY,
    INSTALL_REG_VALUE,
    LICENSING_SERVICE,
    WEB_SERVICE,
)
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._common.errors import InputError
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._server import ceip_readback
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._server.version import LSVersion, parse_ls_version
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._common.path_expansion import expandable

SERVICES = (LICENSING_SERVICE, WEB_SERVICE, "CitrixLicensingSupportService")
MSIEXEC = r"C:\Windows\System32\msiexec.exe"

#: Seed 004: "Uninstall any versions of Citrix Licensing older than version 11.12.1 before installing".
LEGACY_BELOW = (11, 12, 1)
#: Seed 004: manual-upload telemetry is stored (and deleted by an uninstall) from 11.17.2 build 45000.
TELEMETRY_STORED_FROM = LSVersion(11, 17, 2, 45000)

ACTIONS = ("none", "install", "upgrade", "uninstall", "downgrade")

#: ``ceip`` option -> value of the CEIP property (seed 004: DIAGNOSTIC = Call Home, Unidentified = CEIP, NONE).
CEIP_VALUES = {"none": "NONE", "anonymous": "Unidentified", "diagnostic": "DIAGNOSTIC"}
DEFAULT_CEIP_PROPERTY = "CEILOPTIN"

PORT_OPTIONS = ("license_server_port", "vendor_daemon_port", "web_services_port", "management_console_port")
#: Seed 004, CitrixLicensing.exe properties.
EXE_PORT_PROPERTIES = {"license_server_port": "LSPORT", "vendor_daemon_port": "VDPORT", "web_services_port": "WSLPORT"}
#: Seed 004, msiexec properties for Active Directory deployments.
MSI_PORT_PROPERTIES = {
    "license_server_port": "LICSERVERPORT",
    "vendor_daemon_port": "VENDORDAEMONPORT",
    "management_console_port": "MNGMTCONSOLEWEBPORT",
    "web_services_port": "WEBSERVICESLICENSINGPORT",
}
PORT_LABELS = {
    "license_server_port": "License Server",
    "vendor_daemon_port": "vendor daemon",
    "web_services_port": "Citrix Web Services for Licensing",
    "management_console_port": "management console web",
}

#: Where the installed ports are kept (see parse_startup_ports / parse_httpd_listen), below the install dir.
STARTUP_LICENSE = r"MyFiles\citrix_startup.lic"
HTTPD_CONF = r"WebServicesForLicensing\Apache\conf\httpd.conf"

LOG_TAIL_LINES = 30
MIB = 1024 * 1024

#: Windows Installer exit codes the installers return (0 and 3010 are successes).
EXIT_MEANINGS = {
    0: "success",
    3010: "success, a reboot is required to complete the installation",
    1602: "the user cancelled the installation",
    1603: "fatal error during installation",
    1605: "this action is only valid for products that are currently installed",
    1618: "another installation is already in progress; wait for it to finish",
    1619: "the installation package could not be opened",
    1638: "another version of this product is already installed",
    1639: "invalid command line argument",
    1641: "the installer started a restart of the computer",
}

_PROPERTY_NAME = re.compile(r"^[A-Z_][A-Z0-9_.]*$")
_LISTEN = re.compile(r"^\s*Listen\s+(?:\[[^\]]*\]:|[^\s:]+:)?(\d{1,5})\b", re.IGNORECASE)
_PORT_KEYWORD = re.compile(r"^PORT=(\d{1,5})$", re.IGNORECASE)


# -- inputs ---------------------------------------------------------------------------------------
def check_host_path(value: Any, option: str) -> str:
    """An absolute local Windows path on the host, without a trailing backslash.

    UNC paths are refused: seed 004 says installing from a UNC path (``\\\\server\\share``) is not
    supported. A trailing backslash is dropped because ``win_command`` quotes arguments with spaces
    and ``"INSTALLDIR=C:\\dir\\"`` would escape the closing quote.
    """
    if not isinstance(value, str) or not value.strip():
        raise InputError(f"{option} {value!r} is not a path: pass an absolute Windows path such as "
                         r"'C:\Install\CitrixLicensing.exe'.")
    text = value.strip().replace("/", "\\")
    if text.startswith("\\\\"):
        raise InputError(
            f"{option} {value!r} is a UNC path: Citrix Licensing 11.17.2 build 49000 documentation says installing "
            "the License Server from a UNC path "
            r"(\\server\share) is not supported. Copy the installer to a local disk of the server first "
            "(or give it as src on the controller so the module copies it), then point the module at the local copy."
        )
    drive, rest = ntpath.splitdrive(text)
    if len(drive) != 2 or drive[1] != ":" or not drive[0].isascii() or not drive[0].isalpha() \
            or not rest.startswith("\\"):
        raise InputError(f"{option} {value!r} is not an absolute Windows path with a drive letter: use for example "
                         r"'C:\Install\CitrixLicensing.exe'.")
    if any(part == ".." for part in rest.split("\\")):
        raise InputError(f"{option} {value!r} contains '..': give the path without it.")
    if "\x00" in text or '"' in text:
        raise InputError(f"{option} {value!r} contains a character Windows paths cannot hold (NUL or '\"').")
    if expandable(text):
        # Checked here, before anything runs: the install would succeed and every later file operation
        # under it fail (ansible.windows path options expand %NAME%; see path_expansion).
        raise InputError(
            f"{option} {value!r} contains '%NAME%', which ansible.windows modules expand in path options, so "
            "files under it could not be managed on Windows: use a path with at most one '%'."
        )
    stripped = text.rstrip("\\")
    return stripped if len(stripped) > 2 else drive + "\\"


def check_port(value: Any, option: str) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 65535:
        raise InputError(f"{option} {value!r} is not a TCP port: use a whole number from 1 to 65535.")
    return value


def check_ceip_property(value: Any) -> str:
    """The CEIP property name: seed 004 documents ``CEILOPTIN``; public scripts use ``CEIPOPTIN``."""
    if not isinstance(value, str) or not _PROPERTY_NAME.match(value):
        raise InputError(
            f"ceip_property {value!r} is not a Windows Installer public property name (upper-case letters, digits, "
            f"'_' and '.'): use {DEFAULT_CEIP_PROPERTY} (Citrix Licensing 11.17.2 build 49000 documentation) or "
            "CEIPOPTIN (community scripts)."
        )
    return value


def parse_target_version(text: Any, option: str = "version") -> LSVersion:
    """The version to install; it needs a build number, because builds decide upgrade or not."""
    try:
        version = parse_ls_version(text)
    except InputError as exc:
        raise InputError(f"{option}: {exc}") from exc
    if not version.build_known:
        raise InputError(
            f"{option} {text!r} has no build number: give the full version of the installer, for example "
            "'11.17.2.0 build 49000', so it can be compared with the installed build."
        )
    return version


def msi_product_version(content: bytes | None) -> str | None:
    """``ProductVersion`` of a lab ``ctx_licensing.msi`` (a JSON document); None for anything else.

    A real ``.msi`` is an OLE compound file whose Property table needs Windows Installer to read;
    for those the caller must pass ``version``.
    """
    if not content or len(content) > 65536:
        return None
    try:
        data = json.loads(content.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return None
    if isinstance(data, dict) and data.get("ctxlic_lab_msi") and isinstance(data.get("ProductVersion"), str):
        return data["ProductVersion"]
    return None


# -- installed ports ------------------------------------------------------------------------------
def parse_startup_ports(text: str | None) -> dict[str, int]:
    """License Server and vendor daemon ports from ``MyFiles\\citrix_startup.lic``.

    The seeds do not say where the installed ports are kept. The lab (and FlexNet licensing in
    general) keeps them in the startup license: ``SERVER this_host ANY <port>`` and
    ``VENDOR CITRIX PORT=<port>``. A SERVER line without a port means FlexNet's default range, which
    is reported as unknown (missing key).
    """
    ports: dict[str, int] = {}
    for raw in (text or "").splitlines():
        tokens = raw.split("#", 1)[0].split()
        if not tokens:
            continue
        keyword = tokens[0].upper()
        if keyword == "SERVER" and len(tokens) >= 4 and tokens[3].isdigit() and "license_server_port" not in ports:
            port = int(tokens[3])
            if 1 <= port <= 65535:
                ports["license_server_port"] = port
        elif keyword == "VENDOR" and "vendor_daemon_port" not in ports:
            for token in tokens[2:]:
                match = _PORT_KEYWORD.match(token)
                if match and 1 <= int(match.group(1)) <= 65535:
                    ports["vendor_daemon_port"] = int(match.group(1))
                    break
    return ports


def parse_httpd_listen(text: str | None) -> int | None:
    """Web Services for Licensing port: the first ``Listen`` line of its Apache ``httpd.conf``.

    The seeds are silent here too; the lab writes ``Listen <WSLPORT>`` to
    ``WebServicesForLicensing\\Apache\\conf\\httpd.conf`` as Apache does.
    """
    for raw in (text or "").splitlines():
        match = _LISTEN.match(raw)
        if match and 1 <= int(match.group(1)) <= 65535:
            return int(match.group(1))
    return None


def installed_ports(startup_text: str | None, httpd_text: str | None) -> dict[str, int]:
    ports = parse_startup_ports(startup_text)
    web = parse_httpd_listen(httpd_text)
    if web is not None:
        ports["web_services_port"] = web
    return ports


# -- the request and the decision -----------------------------------------------------------------
@dataclass(frozen=True)
class Request:
    """The module's options after validation (see :func:`make_request`)."""

    state: str
    installer_type: str = "exe"
    installer: str | None = None  # Windows path of the installer on the host (staged copy or remote path)
    installer_bytes: int = 0  # bytes the staging copy needs on the host (0 for remote_src)
    version: LSVersion | None = None
    install_dir: str | None = None
    ports: dict[str, int] = field(default_factory=dict)
    ceip: str | None = None
    ceip_property: str = DEFAULT_CEIP_PROPERTY
    ceip_expect: str | None = None  # the operator's pattern for the CEIP / Call Home line of CITRIX.opt
    ceip_mismatch: str = "warn"
    log_path: str | None = None
    staging_dir: str = r"C:\Windows\Temp\ctxlic"
    allow_reboot: bool = False
    allow_downgrade: bool = False
    uninstall_legacy: bool = False
    force: bool = False
    min_free_mb: int = 1024


def make_request(args: dict[str, Any], *, installer: str | None, installer_bytes: int, staging_dir: str,
                 version: LSVersion | None) -> Request:
    """Validate the option combinations the argument spec cannot express."""
    state = args.get("state", "present")
    installer_type = args.get("installer_type", "exe")
    checked = {name: check_port(args.get(name), name) for name in PORT_OPTIONS}
    ports = {name: port for name, port in checked.items() if port is not None}
    if installer_type == "exe" and "management_console_port" in ports:
        raise InputError("management_console_port is an msiexec property (MNGMTCONSOLEWEBPORT, Citrix Licensing "
                         "11.17.2 build 49000 documentation); "
                         "CitrixLicensing.exe has no such property. Remove it or set installer_type: msi.")
    if state == "absent" and installer_type != "exe":
        raise InputError("state=absent needs installer_type: exe: Citrix Licensing 11.17.2 build 49000 documentation "
                         "documents the uninstall only as "
                         "'CitrixLicensing.exe /quiet /uninstall /l <log>'. Pass CitrixLicensing.exe as src or path.")
    min_free_mb = args.get("min_free_mb", 1024)
    if isinstance(min_free_mb, bool) or not isinstance(min_free_mb, int) or min_free_mb < 0:
        raise InputError(f"min_free_mb {min_free_mb!r} must be a whole number of MiB, 0 or more.")
    ceip = args.get("ceip")
    if ceip is not None and ceip not in CEIP_VALUES:
        raise InputError(f"ceip {ceip!r} must be one of {', '.join(CEIP_VALUES)}.")
    return Request(
        state=state,
        installer_type=installer_type,
        installer=installer,
        installer_bytes=int(installer_bytes or 0),
        version=version,
        install_dir=check_install_dir(check_host_path(args["install_dir"], "install_dir"), "install_dir",
                                      installing=True)
        if args.get("install_dir") else None,
        ports=ports,
        ceip=ceip,
        ceip_property=check_ceip_property(args.get("ceip_property") or DEFAULT_CEIP_PROPERTY),
        ceip_expect=args["ceip_expect"] if ceip_readback.check_expect(args.get("ceip_expect")) else None,
        ceip_mismatch=ceip_readback.check_mismatch(args.get("ceip_mismatch", "warn")),
        log_path=check_host_path(args["log_path"], "log_path") if args.get("log_path") else None,
        staging_dir=check_host_path(staging_dir, "staging directory"),
        allow_reboot=bool(args.get("allow_reboot")),
        allow_downgrade=bool(args.get("allow_downgrade")),
        uninstall_legacy=bool(args.get("uninstall_legacy")),
        force=bool(args.get("force")),
        min_free_mb=min_free_mb,
    )


@dataclass
class Decision:
    """What to do: ``action`` plus the ordered step kinds (``uninstall``, ``install``)."""

    action: str
    installed_text: str | None
    installed: LSVersion | None
    target: LSVersion | None
    steps: list[str] = field(default_factory=list)
    legacy: bool = False
    refusals: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def uninstalls(self) -> bool:
        return "uninstall" in self.steps

    @property
    def in_place_upgrade(self) -> bool:
        return self.action == "upgrade" and self.steps == ["install"]


def _parse_installed(text: str | None) -> tuple[LSVersion | None, str | None]:
    if text is None or not str(text).strip():
        return None, None
    try:
        return parse_ls_version(str(text)), None
    except InputError as exc:
        return None, str(exc)


def decide(request: Request, installed_text: str | None) -> Decision:
    """Choose the action from the installed registry version and the target version."""
    installed, parse_error = _parse_installed(installed_text)
    present = installed is not None or parse_error is not None
    target = request.version
    if request.state == "absent":
        decision = Decision("uninstall" if present else "none", installed_text, installed, None,
                            ["uninstall"] if present else [])
        if parse_error:
            decision.warnings.append(f"the installed version could not be read ({parse_error}); uninstalling anyway")
        return decision
    if target is None:
        raise InputError("state=present needs the target version: set version (see the module documentation).")
    if not present:
        return Decision("install", None, None, target, ["install"])
    if installed is None:
        return Decision("none", installed_text, None, target, [], refusals=[
            f"the installed version {installed_text!r} in the registry ({INSTALL_REG_KEY}\\Version) cannot be parsed "
            f"({parse_error}); the module cannot tell an upgrade from a downgrade. Repair or uninstall the "
            "installation (state: absent) first."])
    if installed.release < LEGACY_BELOW:
        decision = Decision("upgrade", installed_text, installed, target, ["uninstall", "install"], legacy=True)
        if not request.uninstall_legacy:
            decision.refusals.append(
                f"installed version {installed_text} is older than 11.12.1: Citrix Licensing 11.17.2 build 49000 "
                "documentation says to uninstall any version of "
                "Citrix Licensing older than 11.12.1 before installing this version. Set uninstall_legacy: true to "
                "let the module uninstall it first with CitrixLicensing.exe /quiet /uninstall (MyFiles is kept), or "
                "uninstall it yourself.")
        elif request.installer_type != "exe":
            decision.refusals.append(
                "uninstall_legacy needs installer_type: exe: the uninstall command of Citrix Licensing 11.17.2 build "
                "49000 documentation is "
                "'CitrixLicensing.exe /quiet /uninstall'. Uninstall with CitrixLicensing.exe (state: absent) first, "
                "then install with the .msi.")
        return decision
    if not installed.build_known and installed.release == target.release:
        return Decision("none", installed_text, installed, target, [], refusals=[
            f"the installed version {installed_text!r} has no build number, so it cannot be compared with "
            f"{target}. Read the full version on the server (registry {INSTALL_REG_KEY}\\Version) and repair it."])
    if installed == target:
        return Decision("none", installed_text, installed, target, [])
    if installed < target:
        return Decision("upgrade", installed_text, installed, target, ["install"])
    decision = Decision("downgrade", installed_text, installed, target, ["uninstall", "install"])
    if not request.allow_downgrade:
        decision.refusals.append(
            f"installed version {installed} is newer than the target {target}: refusing to downgrade. Pass the newer "
            "installer, or set allow_downgrade: true to uninstall and then install the older version (MyFiles is "
            "kept; the telemetry data under LS\\resource is deleted).")
    elif request.installer_type != "exe":
        decision.refusals.append(
            "allow_downgrade needs installer_type: exe: a downgrade is an uninstall followed by an install, and seed "
            "004 documents the uninstall only with CitrixLicensing.exe. Uninstall first (state: absent), then install.")
    return decision


# -- what must be read before deciding ----------------------------------------------------------------
def needs_port_read(decision: Decision, request: Request) -> bool:
    """Installed ports matter for an in-place upgrade (refuse changes), a reinstall (keep them) or warnings."""
    if decision.installed_text is None or decision.action == "uninstall":
        return False
    return bool(request.ports) or decision.uninstalls


def needs_disk_check(decision: Decision) -> bool:
    return "install" in decision.steps


def needs_pending_check(decision: Decision) -> bool:
    """Pending manual-upload zips matter before any uninstall and before upgrades from build 45000 on."""
    if decision.uninstalls:
        return True
    if decision.in_place_upgrade and decision.installed is not None:
        installed = decision.installed
        if installed.release == TELEMETRY_STORED_FROM.release and not installed.build_known:
            return True  # cannot tell: be careful
        return installed >= TELEMETRY_STORED_FROM
    return False


def install_dir_for(decision: Decision, request: Request, registry_install_dir: str | None) -> str:
    """Where the License Server is (or will be) installed."""
    if decision.installed_text is not None and registry_install_dir:
        if decision.uninstalls and request.install_dir:
            return request.install_dir
        return registry_install_dir.rstrip("\\") or registry_install_dir
    return request.install_dir or DEFAULT_INSTALL_DIR


def disk_requirements(request: Request, install_dir: str) -> dict[str, int]:
    """Bytes needed per volume root: min_free_mb on the install volume, plus the staged installer's size."""
    needs: dict[str, int] = {}
    install_root = ntpath.splitdrive(install_dir)[0].upper() + "\\"
    needs[install_root] = request.min_free_mb * MIB
    if request.installer_bytes:
        staging_root = ntpath.splitdrive(request.staging_dir)[0].upper() + "\\"
        needs[staging_root] = needs.get(staging_root, 0) + request.installer_bytes
    return needs


# -- refusals --------------------------------------------------------------------------------------
def _same_dir(a: str, b: str) -> bool:
    return a.replace("/", "\\").rstrip("\\").casefold() == b.replace("/", "\\").rstrip("\\").casefold()


def port_findings(decision: Decision, request: Request,
                  ports_now: dict[str, int] | None) -> tuple[list[str], list[str]]:
    """(refusals, warnings) for the port options against the installed ports."""
    refusals: list[str] = []
    warnings: list[str] = []
    if not request.ports or decision.installed_text is None or decision.uninstalls:
        return refusals, warnings
    ports_now = ports_now or {}
    for option, wanted in sorted(request.ports.items()):
        label = PORT_LABELS[option]
        have = ports_now.get(option)
        if have is None:
            warnings.append(
                f"{option}={wanted}: the installed {label} port could not be read (the lab and FlexNet keep the ports "
                f"in {STARTUP_LICENSE} and {HTTPD_CONF}; the seeds do not say where). "
                + ("It is not passed to the installer during an upgrade: the installed port is kept." if
                   decision.action == "upgrade" else "The installed port is left as it is."))
        elif have != wanted:
            if decision.action == "upgrade":
                refusals.append(
                    f"{option}={wanted} differs from the installed {label} port {have}: Citrix Licensing 11.17.2 "
                    "build 49000 documentation says you cannot "
                    f"change ports during command line upgrades. Remove {option} or set it to {have} to upgrade; "
                    "change the port afterwards with the License Server Configuration tool (Citrix Licensing 11.17.2 "
                    "build 49000 documentation), or uninstall "
                    "and reinstall.")
            else:
                warnings.append(
                    f"{option}={wanted} differs from the installed {label} port {have}; the installed version is "
                    "already the target, so nothing is run and the port is not changed (use the License Server "
                    "Configuration tool, Citrix Licensing 11.17.2 build 49000 documentation).")
    return refusals, warnings


def install_dir_findings(decision: Decision, request: Request,
                         registry_install_dir: str | None) -> tuple[list[str], list[str]]:
    if not request.install_dir or not registry_install_dir or decision.uninstalls or decision.installed_text is None:
        return [], []
    if _same_dir(request.install_dir, registry_install_dir):
        return [], []
    text = (f"install_dir {request.install_dir!r} differs from the installed directory {registry_install_dir!r} "
            f"({INSTALL_REG_KEY}\\{INSTALL_REG_VALUE})")
    if decision.action == "upgrade":
        return [text + ": an upgrade keeps the installation where it is. Set install_dir to the installed "
                       "directory (or leave it unset), or uninstall first (state: absent) and install into the new "
                       "directory."], []
    return [], [text + "; nothing is moved."]


def _size(count: int) -> str:
    return f"{count / MIB:.1f} MiB" if count >= MIB // 10 else f"{count} bytes"


def disk_findings(needs: dict[str, int], free: dict[str, int], installer_bytes: int, min_free_mb: int) -> list[str]:
    refusals = []
    for root, needed in sorted(needs.items()):
        have = free.get(root)
        if have is None or have >= needed:
            continue
        extra = f" plus the {_size(installer_bytes)} installer copy" if installer_bytes else ""
        refusals.append(
            f"not enough free disk space on {root}: {_size(have)} free, {_size(needed)} needed "
            f"(min_free_mb={min_free_mb}{extra}). Citrix Licensing 11.17.2 build 49000 documentation: the License "
            "Server upgrade might fail if there is no or "
            f"less disk space available. Free space on {root} (pending telemetry zips under LS\\resource count too) "
            "or lower min_free_mb.")
    return refusals


def pending_uploads(zips: list[str], *, reporting_mode: str, last_upload: str | None) -> tuple[list[str], str]:
    """Which ``upload_*.zip`` files wait for a manual upload, and why: ``(pending, reason)``.

    seed 001 "Reporting options": with the License Management Service disabled (manual reporting) the files
    for the manual upload are kept on the server, ``upload_compliance*.zip`` and ``upload_usage_*.zip``; they must be
    sent through Citrix Insight Services. seed 004 support-bundle table (~3583): ``LS\\resource\\usage`` "contains
    files included in the last compliance and/or CEIP/Call Home upload bundle along with corresponding .zip files",
    so with automatic reporting a zip there is the bundle the service sent. The documents do not name the files
    automatic reporting leaves, so a zip counts as already reported only when the service is enabled AND the last
    upload succeeded (upload_compliance_result.xml); manual or unknown mode, or a failed or unreadable last upload,
    keeps every zip pending (docs/compliance.md).
    """
    if not zips:
        return [], ""
    if reporting_mode == "automatic" and last_upload == "success":
        return [], ("the License Management Service is enabled and its last upload succeeded, so these zip files "
                    "are the bundle it sent (Citrix Licensing 11.17.2 build 49000 documentation, Support bundle)")
    if reporting_mode == "automatic":
        return list(zips), (f"the License Management Service is enabled but its last upload is "
                            f"{last_upload or 'unknown'}, so the data in them cannot be shown to have reached Citrix")
    if reporting_mode == "manual":
        return list(zips), "the License Management Service is disabled (manual reporting)"
    return list(zips), "the reporting mode could not be read (ctx_license_management_service.exe -query)"


def pending_findings(decision: Decision, pending: list[str], force: bool,
                     why: str = "") -> tuple[list[str], list[str]]:
    """Refuse (or, with force, warn) when manual-upload telemetry zips wait on the server."""
    if not pending:
        return [], []
    shown = ", ".join(pending[:20]) + (f" and {len(pending) - 20} more" if len(pending) > 20 else "")
    if decision.uninstalls:
        what = (f"the {'uninstall' if decision.action == 'uninstall' else decision.action + ' (uninstall first)'} "
                "deletes them (Citrix Licensing 11.17.2 build 49000 documentation: if you uninstall the License "
                "Server, the Citrix telemetry data is deleted; "
                "report it before uninstalling 11.17.2 build 45000 or later)")
        lost = " and lose them"
    else:
        what = ("the upgrade takes longer while they are stored (Citrix Licensing 11.17.2 build 49000 documentation: "
                "upload these data to Citrix and delete them "
                "before upgrading from 11.17.2 build 45000)")
        lost = ""
    text = (f"{len(pending)} manual-upload telemetry zip file(s) wait on the server{' (' + why + ')' if why else ''} "
            f"and {what}: {shown}.")
    if force:
        return [], [f"force: true: going ahead although {text}"]
    return [text + " Collect and upload them first (ctxlic.license_server.telemetry_bundle packs them into upload "
                   "bundles), then delete them; or set force: true to go ahead anyway" + lost + "."], []


def with_suffix(path: str, suffix: str) -> str:
    stem, ext = ntpath.splitext(path)
    return f"{stem}{suffix}{ext or '.log'}"


# -- steps -----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Step:
    kind: str  # install | uninstall
    argv: list[str]
    log_path: str

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "argv": list(self.argv), "log_path": self.log_path}


def _install_log(request: Request) -> str:
    if request.log_path:
        return request.log_path
    name = "ctx_licensing-install.log" if request.installer_type == "msi" else "CitrixLicensing-install.log"
    return ntpath.join(request.staging_dir, name)


def _uninstall_log(request: Request, decision: Decision) -> str:
    if request.log_path:
        return request.log_path if decision.action == "uninstall" else with_suffix(request.log_path, "-uninstall")
    return ntpath.join(request.staging_dir, "CitrixLicensing-uninstall.log")


def install_properties(decision: Decision, request: Request, ports_now: dict[str, int],
                       registry_install_dir: str | None) -> list[str]:
    """``NAME=value`` arguments of the install step, in the order seed 004 shows them."""
    props: list[str] = []
    in_place = decision.in_place_upgrade
    install_dir = request.install_dir
    if decision.uninstalls and not install_dir and registry_install_dir:
        install_dir = registry_install_dir.rstrip("\\")  # reinstall where it was
    if install_dir:
        props.append(f"INSTALLDIR={install_dir}")
    names = MSI_PORT_PROPERTIES if request.installer_type == "msi" else EXE_PORT_PROPERTIES
    order = (["license_server_port", "vendor_daemon_port", "management_console_port", "web_services_port"]
             if request.installer_type == "msi" else ["web_services_port", "license_server_port", "vendor_daemon_port"])
    if not in_place:  # seed 004: ports cannot change during a command-line upgrade, so none are passed then
        for option in order:
            value = request.ports.get(option)
            if value is None and decision.uninstalls:
                value = ports_now.get(option)  # a reinstall keeps the server's ports
            if value is not None:
                props.append(f"{names[option]}={value}")
    passed = ceip_passed(request)
    if passed is not None:
        props.append(passed)
    return props


def build_steps(decision: Decision, request: Request, *, ports_now: dict[str, int] | None = None,
                registry_install_dir: str | None = None) -> list[Step]:
    """The command lines to run, in order (empty when there is nothing to do)."""
    if not request.installer and decision.steps:
        raise InputError("an installer is needed for this action: set src (on the controller) or path with "
                         "remote_src: true (on the server).")
    steps: list[Step] = []
    for kind in decision.steps:
        if kind == "uninstall":
            log = _uninstall_log(request, decision)
            steps.append(Step("uninstall", [request.installer or "", "/quiet", "/uninstall", "/l", log], log))
            continue
        log = _install_log(request)
        props = install_properties(decision, request, ports_now or {}, registry_install_dir)
        if request.installer_type == "msi":
            # /norestart: standard msiexec switch (not in seed 004) so the module never reboots the server itself.
            argv = [MSIEXEC, "/I", request.installer or "", "/l*v", log, "/qn", "/norestart", *props]
        else:
            argv = [request.installer or "", "/quiet", "/l", log, *props]
        steps.append(Step("install", argv, log))
    return steps


# -- outcome ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class ExitOutcome:
    ok: bool
    reboot_required: bool
    meaning: str


def interpret_exit(rc: int) -> ExitOutcome:
    """0 is success; 3010 is success that needs a reboot; everything else failed."""
    meaning = EXIT_MEANINGS.get(rc, "unknown exit code")
    if rc == 0:
        return ExitOutcome(True, False, meaning)
    if rc == 3010:
        return ExitOutcome(True, True, meaning)
    return ExitOutcome(False, rc == 1641, meaning)


def decode_log(data: bytes | None) -> str:
    """Installer logs: msiexec writes UTF-16 with a BOM, other logs are UTF-8 or ANSI."""
    if not data:
        return ""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", errors="replace")
    head = data[:400]
    if len(head) >= 4 and head[1::2].count(0) > len(head) // 4:
        return data.decode("utf-16-le", errors="replace")
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("latin-1")


def log_tail(data: bytes | None, lines: int = LOG_TAIL_LINES) -> list[str]:
    text = decode_log(data)
    kept = [line.rstrip("\r") for line in text.splitlines()]
    while kept and not kept[-1].strip():
        kept.pop()
    return kept[-lines:] if lines > 0 else []


def services_not_running(services: dict[str, str | None]) -> list[str]:
    """Names of the License Server services that are missing (None) or not running."""
    return [name for name in SERVICES if services.get(name) != "running"]


def services_to_start(services: dict[str, str | None]) -> list[str]:
    """The services a re-run starts: present but not running (a missing service cannot be started)."""
    return [name for name in SERVICES if services.get(name) not in (None, "running")]


def services_down_message(version: str, down: list[str], hint: str,
                          start_errors: dict[str, str] | None = None) -> str:
    """The failure when services stay down: names each one, with why it did not start when that is known."""
    errors = start_errors or {}
    named = [f"{name} ({errors[name]})" if name in errors else name for name in down]
    return (f"Citrix License Server {version} is installed but these services are not running: "
            f"{', '.join(named)}. {hint}")


def diff(before: str | None, after: str | None, host: str = "") -> dict[str, str]:
    where = f" on {host}" if host else ""
    return {
        "before": f"version: {before or 'not installed'}\n",
        "after": f"version: {after or 'not installed'}\n",
        "before_header": f"Citrix License Server{where} (before)",
        "after_header": f"Citrix License Server{where} (after)",
    }


# -- the installer the task names (checked before the host is touched) -------------------------------
MSI_READ_LIMIT = 65536  # an .msi up to this size is read for its ProductVersion
# The documented file names (seed 004 "Install licensing components using the command line").
COMPANION = {"exe": "ctx_licensing.msi", "msi": "CitrixLicensing.exe"}
_BAD_NAME_CHARS = set('<>:"/\\|?*')


def check_options(args: dict[str, Any]) -> None:
    """The option checks that need no fact from the host, run before the host is asked anything.

    :func:`make_request` runs them again with the host's facts (staging folder, installer, version).
    """
    make_request(args, installer=None, installer_bytes=0, staging_dir=Request.staging_dir, version=None)
    if args.get("path") is not None and not args.get("src"):
        remote_installer_path(args)
    if args.get("installer_type", "exe") == "exe":
        target_version(args, None, args.get("src") or args.get("path") or "the installer")


def check_installer_name(name: str, installer_type: str, option: str) -> None:
    """Refuse an installer whose file name does not fit ``installer_type`` or is no Windows file name."""
    suffix = ".msi" if installer_type == "msi" else ".exe"
    if not name.lower().endswith(suffix):
        raise InputError(f"{option} {name!r} does not end in {suffix}: installer_type {installer_type} needs "
                         + ("ctx_licensing.msi (Citrix Licensing 11.17.2 build 49000 documentation, Active Directory "
                            "deployments)." if installer_type == "msi"
                            else "CitrixLicensing.exe (Citrix Licensing 11.17.2 build 49000 documentation)."))
    if any(ch in _BAD_NAME_CHARS for ch in name) or any(ord(ch) < 32 for ch in name):
        raise InputError(f"{option} {name!r} is not a valid Windows file name.")


def needs_msi_content(installer_type: str, size: int | None) -> bool:
    """Whether the installer is read for its ProductVersion (an .msi small enough to read whole)."""
    return installer_type == "msi" and (size or 0) <= MSI_READ_LIMIT


def companion_missing(option: str, path: str, wanted: str, folder: str | None = None) -> InputError:
    """The refusal when the other installer file is not beside ``path`` (seed 004 ~2744-2748).

    "Use the CitrixLicensing.exe file for all future installations, except for Active Directory deployments.
    In that case, use the .msi. Ensure that both .exe and .msi files are present for the installation."
    ``folder``: the controller folder ``path`` is in (src); None for a path on the server.
    """
    doc = ("Citrix Licensing 11.17.2 build 49000 documentation, Install licensing components using the command line, "
           "asks that both the .exe and the .msi are present for the installation")
    if folder is not None:
        return InputError(f"{option} {path!r}: {wanted} is not next to it on the controller. {doc}: put {wanted} "
                          f"from the same download in {folder}.")
    return InputError(f"{option} {path!r}: {wanted} does not exist on the server. {doc}: copy both files of the "
                      "download to the same folder.")


def remote_installer_path(args: dict[str, Any]) -> str:
    """The checked host path of an installer already on the server (``path`` with ``remote_src``)."""
    if not args.get("remote_src"):
        raise InputError("path names an installer already on the server: set remote_src: true with it, "
                         "or use src for an installer on the controller.")
    path = check_host_path(args["path"], "path")
    check_installer_name(ntpath.basename(path), args.get("installer_type", "exe"), "path")
    return path


def target_version(args: dict[str, Any], msi_content: bytes | None, where: str) -> LSVersion | None:
    """The version to install: the ``version`` option and/or the .msi's ProductVersion, which must agree."""
    if args.get("state", "present") != "present":
        return None
    given = parse_target_version(args["version"]) if args.get("version") else None
    if args.get("installer_type", "exe") != "msi":
        if given is None:
            raise InputError(
                "version is required with installer_type: exe: CitrixLicensing.exe has no documented way to "
                "report its version without running it (Citrix Licensing 11.17.2 build 49000 documentation). Set "
                "version to the installer's version, for "
                "example '11.17.2.0 build 49000'.")
        return given
    product = msi_product_version(msi_content)
    from_msi = parse_target_version(product, f"ProductVersion of {where}") if product else None
    if given and from_msi and given != from_msi:
        raise InputError(f"version {args['version']!r} does not match the ProductVersion {product!r} of {where}: "
                         "fix version or pass the right installer.")
    if given is None and from_msi is None:
        raise InputError(f"could not read the ProductVersion of {where}: set version (a real .msi needs Windows "
                         "Installer to read its Property table, which the module does not do).")
    return given or from_msi


def same_version(text: str | None, target: LSVersion | None) -> bool:
    """Whether a registry version text is the target version."""
    if text is None or target is None:
        return False
    try:
        return parse_target_version(text, "installed version") == target
    except InputError:
        return False


# -- the result ------------------------------------------------------------------------------------
def planned_after(decision: Decision, target: LSVersion | None, before: str | None) -> str | None:
    """The version the registry is expected to hold after the run (for the diff and check mode)."""
    if decision.action == "uninstall":
        return None
    if not decision.steps:
        return before
    return str(target.text or target) if target else None


def extra_warnings(request: Request, decision: Decision, before: str | None) -> list[str]:
    """Warnings that follow from the options and the decision alone."""
    warnings = []
    if request.ceip is not None and decision.action == "none" and before:
        warnings.append("ceip is applied only when the installer runs; the installed version is already the "
                        "target, so the CEIP / Call Home choice was not changed (change it in the Citrix "
                        "Licensing Manager, Citrix Licensing 11.17.2 build 49000 documentation).")
    if request.ceip_expect is not None and decision.action in ("none", "uninstall"):
        why = ("an uninstall leaves nothing to check" if decision.action == "uninstall"
               else "the target version is installed already, so no installer ran")
        warnings.append(f"ceip_expect was not checked: {why} ({ceip_readback.OPTIONS_FILE} is read back only "
                        "after an install or upgrade).")
    return warnings


def ceip_passed(request: Request) -> str | None:
    """``PROPERTY=value`` the installer is given for the CEIP / Call Home choice (None: no property)."""
    return f"{request.ceip_property}={CEIP_VALUES[request.ceip]}" if request.ceip is not None else None


def ceip_outcome(request: Request, text: str | None, install_dir: str) -> tuple[dict[str, Any], str | None, bool]:
    """(the ``ceip`` result, the mismatch message or None, whether the mismatch fails the task)."""
    check = ceip_readback.readback(text, ceip_readback.options_file_path(install_dir), expect=request.ceip_expect,
                                   passed=ceip_passed(request))
    message = ceip_readback.mismatch_message(check)
    return check, message, bool(message) and request.ceip_mismatch == "fail"


def not_pending_warning(zips: list[str], pending: list[str], why: str) -> list[str]:
    """A warning when the telemetry zips found on the server are not pending manual uploads."""
    if zips and not pending:
        return [f"{len(zips)} telemetry zip file(s) on the server are not pending manual uploads: {why}."]
    return []


def base_result(request: Request, decision: Decision, steps: list[Step], *, before: str | None,
                install_dir: str, refusals: list[str]) -> dict[str, Any]:
    """The task result before anything runs (every key the module documents as returned always)."""
    main_step = next((s for s in steps if s.kind == "install"), steps[0] if steps else None)
    result: dict[str, Any] = {
        "changed": False,
        "failed": False,  # set explicitly: Ansible treats a result with rc != 0 (3010) as failed otherwise
        "action": decision.action,
        "before_version": before,
        "after_version": before,
        "target_version": request.version.text if request.version else None,
        "rc": None,
        "reboot_required": False,
        "command": main_step.argv if main_step else [],
        "commands": [s.argv for s in steps],
        "log_path": main_step.log_path if main_step else None,
        "installer": request.installer,
        "install_dir": install_dir if decision.action != "none" or before else None,
        "refusals": refusals,
    }
    if refusals:
        result.update(failed=True, msg="Refused, nothing was changed: " + " | ".join(refusals))
    return result


def failed_step_message(step: Step, rc: int, meaning: str, after: str | None, log_written: bool) -> str:
    return (f"The {step.kind} command failed with exit code {rc} ({meaning}); installed version now: "
            f"{after or 'none'}. See log_tail (last {LOG_TAIL_LINES} lines of {step.log_path})"
            + ("" if log_written else " - the log file was not written") + ".")


def reboot_warning(rc: int | None, action: str, reboot_required: bool, allow_reboot: bool) -> list[str]:
    """The warning that a reboot is still needed (the module never reboots)."""
    if not reboot_required or allow_reboot:
        return []
    return [f"the installer returned {rc}: reboot the server to complete the {action} (the module never reboots; "
            "allow_reboot: true marks the reboot as handled by the caller, e.g. the ctxlic.license_server.server "
            "role's handler)."]


def verify_failure(decision: Decision, rc: int | None, after: str | None) -> str | None:
    """Why the registry after the run contradicts the action (None: it agrees)."""
    if decision.action == "uninstall":
        if after is not None:
            return f"The uninstaller returned {rc} but the registry still lists version {after} ({INSTALL_REG_KEY})."
        return None
    if not same_version(after, decision.target):
        return (f"The installer returned {rc} but the registry version is {after or 'missing'}, not "
                f"{decision.target} ({INSTALL_REG_KEY}).")
    return None


def uninstalled_message(install_dir: str | None, myfiles_kept: bool) -> str:
    if myfiles_kept and install_dir:
        return (f"Citrix License Server uninstalled. MyFiles was kept ({ntpath.join(install_dir, 'MyFiles')}), as "
                "Citrix Licensing 11.17.2 build 49000 documentation says; the telemetry data under LS\\resource was "
                "deleted.")
    return "Citrix License Server uninstalled. No MyFiles folder was found afterwards."


def done_message(action: str, before: str | None, after: str, reboot_required: bool) -> str:
    return (f"Citrix License Server {action}: {before or 'not installed'} -> {after}"
            + (" (reboot required)" if reboot_required else "") + ".")


def installed_message(version: str, to_start: list[str], *, check_mode: bool) -> str:
    """The target is installed already; the services started (or, in check mode, to start)."""
    if check_mode:
        return (f"Check mode: Citrix License Server {version} is already installed"
                + (f"; would start {', '.join(to_start)}." if to_start else "."))
    return (f"Citrix License Server {version} is already installed"
            + (f"; started {', '.join(to_start)}." if to_start else "."))
