#!/usr/bin/python
# Copyright: (c) 2026, ctxlic maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

# This file only documents the module; the code is the action plugin plugins/action/package.py.

DOCUMENTATION = r"""
---
module: package
short_description: Install, upgrade, downgrade or uninstall the Citrix License Server
version_added: 0.1.0
description:
  - Installs the Citrix License Server with C(CitrixLicensing.exe) or, for Active Directory deployments, with
    C(msiexec /I ctx_licensing.msi), using the command lines of the product documentation (Citrix Licensing 11.17.2
    build 49000 documentation).
  - Idempotent by version. The installed version is the registry value
    C(HKLM\SOFTWARE\WOW6432Node\Citrix\LicenseServer\Install\Version). When it equals O(version), nothing is
    copied or run. A newer target upgrades. An older target is refused unless O(allow_downgrade) is true.
  - When the installed version already equals O(version) (O(state=present)), the module still checks the three
    License Server services and starts the ones that are stopped (RV(services_started)), so a re-run repairs a
    service that did not start after the install. RV(changed) is false when all of them run. A service that
    still does not start, or is missing, fails the task and is named.
  - Before anything is copied or run, the module checks the server and refuses, leaving the host unchanged,
    when an upgrade would change ports, when a version older than 11.12.1 is installed, when there is not
    enough free disk space, and when manual-upload telemetry zips wait on the server before an uninstall or
    an upgrade from 11.17.2 build 45000 or later. Every refusal names the fix. All refusals found are
    reported together (RV(refusals)).
  - After the installer ran it maps the exit code (0 success, 3010 success with a reboot needed, anything else
    fails with the last 30 lines of the installer log), checks that the registry version is the target and
    that the services C(Citrix Licensing), C(CitrixWebServicesforLicensing) and C(CitrixLicensingSupportService)
    are running.
  - O(state=absent) runs C(CitrixLicensing.exe /quiet /uninstall /l <log>). The C(MyFiles) folder (license
    files) stays on the server; the telemetry data under C(LS\resource) is deleted.
  - The module never reboots the server. Use the C(ctxlic.license_server.server) role (which reboots through a
    handler) or reboot yourself when RV(reboot_required) is true.
  - Runs the logic on the controller. The target is reached through C(ansible.windows) modules (C(win_copy),
    C(win_command), C(win_reg_stat), C(win_stat), C(slurp), C(win_find), C(win_service_info), C(win_file),
    C(win_powershell) for free disk space), or through the lab backend on hosts that define C(ctxlic_lab_root).
options:
  state:
    description:
      - V(present) installs the License Server, or upgrades it to O(version).
      - V(absent) uninstalls it with C(CitrixLicensing.exe /quiet /uninstall). This needs O(installer_type=exe).
    type: str
    choices: [present, absent]
    default: present
  src:
    description:
      - The installer on the controller (C(CitrixLicensing.exe) or C(ctx_licensing.msi)). A relative path is
        looked up like other C(src) options, including a role's C(files) directory.
      - It is copied to a local staging directory on the server (C(C:\Windows\Temp\ctxlic)), run from there,
        and the copy is removed afterwards. The log is kept. Nothing is copied when there is nothing to do.
      - Large installers travel over the Ansible connection. Over WinRM it can be quicker to put the file on the
        server first (for example with C(ansible.windows.win_get_url)) and use O(path) with O(remote_src=true).
      - One of O(src) and O(path) is required. They are mutually exclusive.
      - Citrix Licensing 11.17.2 build 49000 documentation, Install licensing components using the command line,
        asks that both the C(.exe) and the C(.msi) are present for the installation. With O(state=present) the other
        file of the download (C(ctx_licensing.msi) next to C(CitrixLicensing.exe), or the other way round) must sit
        in the same controller folder; it is staged with the installer and removed with it. When it is missing the
        task is refused before anything changes.
    type: path
  remote_src:
    description:
      - Set to true when the installer is already on the server at O(path).
    type: bool
    default: false
  path:
    description:
      - With O(remote_src=true), the absolute path of the installer on the server, on a local disk.
      - UNC paths (C(\\server\share\...)) are refused, because Citrix Licensing 11.17.2 build 49000 documentation says
        installing the License Server from
        a UNC path is not supported. Copy the installer to a local disk first. A mapped network drive cannot be
        told apart from a local one, so do not use one.
      - With O(state=present) the other installer file of the download (C(ctx_licensing.msi) or
        C(CitrixLicensing.exe)) must be in the same folder on the server, as the same document asks that both are
        present; otherwise the task is refused before anything changes.
    type: str
  installer_type:
    description:
      - V(exe) runs C(CitrixLicensing.exe), which Citrix Licensing 11.17.2 build 49000 documentation says to use for
        all installations except Active
        Directory deployments. Its properties are C(INSTALLDIR), C(LSPORT), C(VDPORT), C(WSLPORT) and the CEIP
        property.
      - V(msi) runs C(msiexec /I ctx_licensing.msi /l*v <log> /qn /norestart) for Active Directory deployments,
        with the properties C(INSTALLDIR), C(LICSERVERPORT), C(VENDORDAEMONPORT), C(MNGMTCONSOLEWEBPORT),
        C(WEBSERVICESLICENSINGPORT) and the CEIP property. Citrix Licensing 11.17.2 build 49000 documentation says
        clustering is not supported with the
        C(.msi) and to keep both the C(.exe) and the C(.msi) present for the installation.
      - The file name must end in C(.exe) or C(.msi) to match.
    type: str
    choices: [exe, msi]
    default: exe
  version:
    description:
      - The version the installer installs, for example C(11.17.2.0 build 49000) or C(11.17.2 build 49000). It must
        carry the build number, because builds decide whether the server is upgraded.
      - Required with O(installer_type=exe) and O(state=present). C(CitrixLicensing.exe) has no documented way to
        report its version without running it (Citrix Licensing 11.17.2 build 49000 documentation documents none), so
        the module cannot read it.
      - With O(installer_type=msi) it may be omitted when the module can read the C(ProductVersion) of the
        package. It can do so only for the lab's C(ctx_licensing.msi) (a small JSON document). A real C(.msi)
        needs Windows Installer to read its Property table, so set O(version) for it. When both are known they
        must agree.
      - Ignored with O(state=absent).
    type: str
  install_dir:
    description:
      - Installation directory (C(INSTALLDIR)). When unset the installer's default applies, which Citrix Licensing
        11.17.2 build 49000 documentation gives
        as V(C:\\Program Files (x86\)\\Citrix\\Licensing) on 64-bit Windows.
      - Citrix Licensing 11.17.2 build 49000 documentation warns that localized (non-ASCII) characters in the path can
        make the installation fail, so a path with such characters is refused before anything changes. ASCII
        spaces, digits and punctuation are accepted (the documented default path holds them).
      - An upgrade keeps the installation where it is. An O(install_dir) that differs from the installed directory
        (registry value C(LS_Install_Dir)) is refused for an upgrade. When the installed version is already the
        target, a difference only gives a warning.
      - A trailing backslash is removed.
      - A path with two or more C(%) signs is refused because C(ansible.windows) modules expand C(%NAME%) in file
        paths, so the files under it could not be managed afterwards.
    type: str
  license_server_port:
    description:
      - License Server port (C(LSPORT), or C(LICSERVERPORT) for the C(.msi)). Citrix Licensing 11.17.2 build 49000
        documentation gives 27000 as the default.
      - Only passed on a fresh install, and on the reinstall that a downgrade or O(uninstall_legacy) performs.
      - For an upgrade a value that differs from the installed port is refused (see the notes). An equal value
        is accepted and not passed.
    type: int
  vendor_daemon_port:
    description:
      - Vendor daemon port (C(VDPORT), or C(VENDORDAEMONPORT) for the C(.msi)). Citrix Licensing 11.17.2 build 49000
        documentation gives 7279 as the default.
      - Same rules as O(license_server_port).
    type: int
  web_services_port:
    description:
      - Citrix Web Services for Licensing port (C(WSLPORT), or C(WEBSERVICESLICENSINGPORT) for the C(.msi)).
        Citrix Licensing 11.17.2 build 49000 documentation gives 8083 as the default.
      - Same rules as O(license_server_port).
    type: int
  management_console_port:
    description:
      - Management console web port (C(MNGMTCONSOLEWEBPORT)). It exists only for O(installer_type=msi).
      - The vendor documents do not say where the installed value is kept, so during an upgrade it cannot be
        compared. It is then not passed, and a warning says so.
    type: int
  ceip:
    description:
      - Customer Experience Improvement Program and Call Home choice, passed as the O(ceip_property).
      - V(none) passes C(NONE), V(anonymous) passes C(Unidentified) (CEIP), and V(diagnostic) passes
        C(DIAGNOSTIC) (Call Home), as listed in Citrix Licensing 11.17.2 build 49000 documentation. The installer's
        default is C(NONE). The upgrade example
        in Citrix Licensing 11.17.2 build 49000 documentation shows C(CEILOPTIN=ANON), which its own list of values
        does not contain, so the module uses the
        listed C(Unidentified).
      - When unset, no CEIP property is passed.
      - The choice is applied only when the installer runs. Change it later in the Citrix Licensing Manager
        (Citrix Licensing 11.17.2 build 49000 documentation). Citrix Service Providers cannot disable CEIP or Call Home
        (Citrix Licensing 11.17.2 build 49000 documentation).
    type: str
    choices: [none, anonymous, diagnostic]
  ceip_property:
    description:
      - Name of the CEIP property on the command line.
      - The default C(CEILOPTIN) is the name that Citrix Licensing 11.17.2 build 49000 documentation spells in every
        install and upgrade command line.
        Community install scripts use C(CEIPOPTIN). The product documentation is the only source that states
        the name, so the default follows it. Set C(CEIPOPTIN) if your installer build rejects or ignores
        C(CEILOPTIN).
      - Must be a Windows Installer public property name (upper-case letters, digits, C(_) and C(.)).
    type: str
    default: CEILOPTIN
  ceip_expect:
    description:
      - A regular expression (Python syntax) that a line of C(MyFiles\CITRIX.opt) must match after an install,
        upgrade or downgrade, to confirm that the CEIP / Call Home choice took effect.
      - Citrix Licensing documentation (Licensing elements) says C(CITRIX.opt) stores the CEIP and Call Home
        configuration, and How to Configure CEIP / Call Home for the Citrix License Server (CTX220679) says to open
        it to verify the setting after an install. No vendor document available gives the line format, so the
        module cannot judge the file by itself. Take the pattern from a server whose choice you verified in the
        Citrix Licensing Manager.
      - Without it, RV(ceip) returns the lines that mention CEIP or Call Home as evidence and C(verified) is null.
      - A pattern that does not compile fails the task before the server is contacted. It is not checked when no
        installer runs (the target version is installed already); a warning says so.
    type: str
  ceip_mismatch:
    description:
      - What to do when no line of C(CITRIX.opt) matches O(ceip_expect) (or the file is missing) after the installer
        ran. V(warn) adds a warning, V(fail) fails the task. The installer has run either way.
    type: str
    choices: [warn, fail]
    default: warn
  log_path:
    description:
      - Installer log file on the server (C(/l) for the C(.exe), C(/l*v) for the C(.msi)). Its directory is created
        when missing.
      - Default is C(C:\Windows\Temp\ctxlic\CitrixLicensing-install.log) (C(ctx_licensing-install.log) for the
        C(.msi)), or C(CitrixLicensing-uninstall.log) for an uninstall. When an uninstall precedes the install
        (a downgrade or O(uninstall_legacy)), its log is O(log_path) with C(-uninstall) before the extension.
    type: str
  allow_reboot:
    description:
      - Tells the module that the caller reboots when the installer returns 3010. The module itself never
        reboots.
      - With V(false) and exit code 3010 the task succeeds with RV(reboot_required=true) and a warning. With
        V(true) it succeeds the same way without the warning. The C(ctxlic.license_server.server) role then
        reboots through its handler.
    type: bool
    default: false
  allow_downgrade:
    description:
      - Allow installing a version older than the installed one.
      - The installer does not downgrade in place, so the module uninstalls the installed version and then
        installs the target. The installation directory and the ports are kept. MyFiles is kept. The
        telemetry data under C(LS\resource) is deleted, so the pending-zip check applies.
      - Needs O(installer_type=exe).
    type: bool
    default: false
  uninstall_legacy:
    description:
      - When a version older than 11.12.1 is installed, uninstall it first with the given
        C(CitrixLicensing.exe /quiet /uninstall), then install. Citrix Licensing 11.17.2 build 49000 documentation says
        to uninstall such versions before
        installing. It does not say which uninstaller removes them. If the new C(CitrixLicensing.exe) does not,
        uninstall the old version through Programs and Features and run the module again.
      - When V(false), such a server is refused.
      - Needs O(installer_type=exe).
    type: bool
    default: false
  force:
    description:
      - Go ahead although manual-upload telemetry zips wait on the server (C(LS\resource\usage\upload_compliance*.zip),
        C(LS\resource\cis_bundles\ul_usage\upload_usage*.zip), and the C(cis bundles) spelling of Citrix Licensing data
        collection programs).
      - Before an uninstall (O(state=absent), a downgrade, or O(uninstall_legacy)) the zips are checked, because
        the uninstall deletes them. Before an upgrade from 11.17.2 build 45000 or later they are checked too,
        because Citrix Licensing 11.17.2 build 49000 documentation says the upgrade takes longer while they are stored.
      - With V(true) the uninstall deletes them, so the telemetry they hold is lost and cannot be reported to
        Citrix. The safe path is to collect and upload them first with C(ctxlic.license_server.telemetry_bundle),
        then delete them.
      - It does not override any other refusal.
    type: bool
    default: false
  min_free_mb:
    description:
      - Free space (MiB) required on the volume of the installation directory before an install or upgrade.
        When O(src) is staged, the installer's size is also required on the staging volume.
      - Citrix Licensing 11.17.2 build 49000 documentation says only that the upgrade might fail if there is no or
        little disk space, without giving a figure.
        The default of 1024 MiB leaves room for the installation and its logs. Lower it for small test servers.
    type: int
    default: 1024
attributes:
  check_mode:
    support: full
    description:
      - Reads the server and plans. It returns the command that would run, RV(changed=true) when it would run one
        or start a stopped service (RV(services_started)), and any refusal. Nothing is copied, run or started.
  diff_mode:
    support: full
    description:
      - Shows the installed version before and after (C(not installed) when absent).
  platform:
    support: full
    platforms: windows
    description: Windows hosts through C(ansible.windows), or simulated lab hosts that define C(ctxlic_lab_root).
notes:
  - "Citrix Licensing 11.17.2 build 49000 documentation (Citrix Licensing 11.17.2 build 49000 documentation): the
    install command lines are in 'Install
    licensing using the Windows command line' and 'Using the command line to install licensing for an Active
    Directory deployment'. Upgrade rules are in 'Upgrade the License Server': not from a UNC path, uninstall
    versions older than 11.12.1 first, 'You cannot change ports during command line upgrades', the upgrade might
    fail with little disk space, and upload stored telemetry before upgrading from 11.17.2 build 45000.
    The uninstall command and 'the Myfiles folder is kept' are in 'Uninstall the License Server'."
  - "Installed ports: the vendor documents do not say where the License Server keeps its ports. The module reads
    them where the lab and FlexNet licensing keep them. These are C(MyFiles\\citrix_startup.lic)
    (C(SERVER this_host ANY <port>) and C(VENDOR CITRIX PORT=<port>)) and
    C(WebServicesForLicensing\\Apache\\conf\\httpd.conf) (the first C(Listen <port>) line). When a file cannot be
    read, a requested port cannot be compared. The module warns and keeps the installed port, because no port is
    passed during an upgrade."
  - Exit codes are the Windows Installer ones. 0 is success and 3010 is success with a reboot needed. 1603 is a
    fatal error. 1605 means the product is not installed. 1618 means another installation is in progress. 1638
    means another version is installed. 1639 is an invalid command line. 1641 means the installer started a
    restart. Any code other than 0 and 3010 fails the task.
  - After a 3010, services that are not yet running give a warning instead of a failure, because they may
    start only after the reboot.
  - Clustered License Servers are installed node by node with the graphical installer (Citrix Licensing 11.17.2 build
    49000 documentation). This module
    does not handle the 'Last Node in Cluster' step.
  - A host that defines C(ctxlic_lab_root) is a simulated lab host. Its installers are the lab's
    C(CitrixLicensing.exe) and a JSON C(ctx_licensing.msi).
seealso:
  - module: ctxlic.license_server.info
  - module: ctxlic.license_server.upgrade_window
  - module: ansible.windows.win_package
    description: Generic Windows package installer (not used; this module follows the vendor's command lines).
author:
  - ctxlic maintainers (@ctxlic)
"""

EXAMPLES = r"""
- name: Install or upgrade to 11.17.2 build 49000 from an installer on the controller
  ctxlic.license_server.package:
    src: files/CitrixLicensing.exe
    version: 11.17.2.0 build 49000
    ceip: none
  register: ls_pkg

- name: Fresh install with non-default ports on drive D
  ctxlic.license_server.package:
    src: /srv/citrix/CitrixLicensing.exe
    version: 11.17.2.0 build 49000
    install_dir: D:\Citrix\Licensing
    license_server_port: 27010
    vendor_daemon_port: 7280
    web_services_port: 8090

- name: Active Directory deployment with the .msi already on the server
  ctxlic.license_server.package:
    remote_src: true
    path: C:\Install\ctx_licensing.msi
    installer_type: msi
    version: 11.17.2.0 build 49000
    license_server_port: 27000
    vendor_daemon_port: 7279
    management_console_port: 8082
    web_services_port: 8083
    ceip: anonymous

- name: Upgrade and confirm the CEIP choice against the CITRIX.opt line of a server verified in the Licensing Manager
  ctxlic.license_server.package:
    src: files/CitrixLicensing.exe
    version: 11.17.2.0 build 49000
    ceip: anonymous
    ceip_expect: "{{ my_verified_ceip_line_pattern }}"  # your own pattern: the documents give no line format
    ceip_mismatch: fail

- name: Replace a License Server older than 11.12.1 (uninstall first, MyFiles is kept)
  ctxlic.license_server.package:
    src: files/CitrixLicensing.exe
    version: 11.17.2.0 build 49000
    uninstall_legacy: true

- name: Plan only - what would run?
  ctxlic.license_server.package:
    src: files/CitrixLicensing.exe
    version: 11.17.2.0 build 51000
  check_mode: true
  register: ls_plan

- name: Uninstall (collect pending telemetry zips with ctxlic.license_server.telemetry_bundle first)
  ctxlic.license_server.package:
    state: absent
    src: files/CitrixLicensing.exe

- name: Reboot when the installer asked for it
  ansible.windows.win_reboot:
  when: ls_pkg.reboot_required
"""

RETURN = r"""
changed:
  description:
    - Whether something was copied to or run on the server, or a stopped service was started. In check mode,
      whether it would be.
    - A failed installer run also reports true, because the installer ran.
  returned: always
  type: bool
  sample: true
action:
  description:
    - What the module did, or would do in check mode. One of C(none), C(install), C(upgrade), C(uninstall) or
      C(downgrade).
    - Replacing a version older than 11.12.1 (O(uninstall_legacy)) is an C(upgrade) with two RV(commands).
    - The registered variable holds this value. Callbacks that add the task's module name under C(action) to
      what they print (for example C(ansible.posix.json)) show the module name there instead.
  returned: always
  type: str
  sample: upgrade
before_version:
  description: Registry version before the task, or null when the License Server was not installed.
  returned: always
  type: str
  sample: 11.17.2.0 build 45000
after_version:
  description:
    - Registry version after the task, or null when not installed. In check mode, the version it would be.
    - After a failed installer run, the version that is installed now (normally still RV(before_version)).
  returned: always
  type: str
  sample: 11.17.2.0 build 49000
target_version:
  description:
    - The version to install (O(version), or the C(ProductVersion) read from the lab C(.msi)).
    - Null for O(state=absent).
  returned: always
  type: str
  sample: 11.17.2.0 build 49000
rc:
  description: Exit code of the last command run. Null when nothing ran (no change, check mode, refusal).
  returned: always
  type: int
  sample: 3010
reboot_required:
  description: True when an installer returned 3010 (or 1641). The module never reboots.
  returned: always
  type: bool
  sample: false
command:
  description:
    - The main command (argument vector) that ran or would run, which is the install step when there is one.
    - Empty when nothing runs.
  returned: always
  type: list
  elements: str
  sample:
    - C:\Windows\Temp\ctxlic\CitrixLicensing.exe
    - /quiet
    - /l
    - C:\Windows\Temp\ctxlic\CitrixLicensing-install.log
    - CEILOPTIN=NONE
commands:
  description: Every command in order, for example the uninstall and the install of a downgrade.
  returned: always
  type: list
  elements: list
  sample:
    - ['C:\Windows\Temp\ctxlic\CitrixLicensing.exe', /quiet, /uninstall, /l, 'C:\Windows\Temp\ctxlic\u.log']
    - ['C:\Windows\Temp\ctxlic\CitrixLicensing.exe', /quiet, /l, 'C:\Windows\Temp\ctxlic\i.log']
log_path:
  description: Installer log of RV(command) on the server. Null when nothing runs.
  returned: always
  type: str
  sample: C:\Windows\Temp\ctxlic\CitrixLicensing-install.log
log_tail:
  description: The last 30 lines of the installer log when a command failed (empty when the log was not written).
  returned: when an installer command failed
  type: list
  elements: str
  sample: ["Error 1603. There is not enough space on the disk.", "Product: Citrix Licensing -- Installation failed."]
installer:
  description: Path of the installer on the server (the staged copy of O(src), or O(path)).
  returned: always
  type: str
  sample: C:\Windows\Temp\ctxlic\CitrixLicensing.exe
install_dir:
  description:
    - Installation directory (installed, or where it would be installed).
    - Null when nothing is installed and nothing is done.
  returned: always
  type: str
  sample: C:\Program Files (x86)\Citrix\Licensing
refusals:
  description: Why the module refused. Each entry names the fix. The host is unchanged when this is not empty.
  returned: always
  type: list
  elements: str
  sample: ["web_services_port=8090 differs from the installed Citrix Web Services for Licensing port 8083: ..."]
warnings:
  description:
    - Things to know that did not stop the task (reboot needed, ports not compared, force used, ...).
    - Ansible also prints them as warnings and leaves the key out when there are none.
  returned: when there is something to warn about
  type: list
  elements: str
  sample: ["the installer returned 3010: reboot the server to complete the upgrade ..."]
services:
  description:
    - State of the three License Server services after an install or upgrade (null when missing).
    - When the target version was already installed, their state after the stopped ones were started (in check
      mode, as they were read).
  returned: after a successful install, upgrade or downgrade, and with state=present when the target version
    was already installed
  type: dict
  sample:
    Citrix Licensing: running
    CitrixWebServicesforLicensing: running
    CitrixLicensingSupportService: running
services_started:
  description:
    - When the target version was already installed, the License Server services that were stopped and that the
      module started (in check mode, would start). Empty when all of them were running.
    - A service that does not start is not listed; the task fails and RV(msg) names it with the reason.
  returned: with state=present when the target version was already installed
  type: list
  elements: str
  sample: [Citrix Licensing]
ceip:
  description:
    - The CEIP / Call Home setting read back from C(MyFiles\CITRIX.opt) after the installer ran (one read).
    - C(file) is the path read and C(found) whether it exists. C(passed) is the C(PROPERTY=value) given to the
      installer, or null when O(ceip) was unset. C(lines) holds the lines of the file that mention CEIP, Call
      Home, Customer Experience Improvement Program or the installer property, verbatim.
    - C(verified) is null without O(ceip_expect), because no vendor document gives the line format (C(reason)
      says so). With O(ceip_expect) it is true when a line matches (C(matched) lists them) and false otherwise.
  returned: after a successful install, upgrade or downgrade
  type: dict
  sample:
    file: C:\Program Files (x86)\Citrix\Licensing\MyFiles\CITRIX.opt
    found: true
    passed: CEILOPTIN=NONE
    expected: null
    lines: []
    matched: []
    verified: null
    reason: "not verified: the Citrix Licensing documentation says CITRIX.opt stores the CEIP and Call Home ..."
myfiles_kept:
  description: After an uninstall, whether the MyFiles folder is still there (Citrix Licensing 11.17.2 build 49000
    documentation says it is kept).
  returned: after an uninstall
  type: bool
  sample: true
msg:
  description: What happened, or why the task failed.
  returned: always
  type: str
  sample: "Citrix License Server upgrade: 11.17.2.0 build 45000 -> 11.17.2.0 build 49000."
diff:
  description: Installed version before and after, in diff mode, when something would change.
  returned: diff mode
  type: dict
  sample: {before: "version: 11.17.2.0 build 45000\n", after: "version: 11.17.2.0 build 49000\n"}
"""
