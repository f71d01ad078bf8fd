# Copyright: (c) 2026, ctxlic maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

# This file only documents the module; the code is the action plugin plugins/action/license_backup.py.

DOCUMENTATION = r"""
---
module: license_backup
short_description: Copy a Citrix License Server's license files to the controller, verified, and list their allocations
version_added: 0.1.0
description:
  - Copies every license file of C(<install>\MyFiles) to the controller, into O(dest)C(/<host>/files/). That is
    every C(*.lic) file in any letter case (a C(.LIC) file is ignored by the License Server but still holds an
    allocation) and C(CITRIX.opt), plus names matching O(extra_patterns). Citrix Licensing 11.17.2 build 49000
    documentation says license files live only in
    C(MyFiles).
  - Each copy is checked against the size and SHA-1 the server reports (for all files in one read-only
    C(win_powershell) call). A copy that differs is
    fetched once more. If it still differs the file is reported in RV(errors) and the task fails.
  - O(dest)C(/<host>/manifest.json) records every copy with its server path, size, SHA-1 and SHA-256, and
    O(dest)C(/<host>/SHA256SUMS) lists the SHA-256 hashes so that C(sha256sum -c SHA256SUMS) checks them without
    Ansible. At the end of every run each copy is hashed again and compared with the manifest (RV(verified)).
  - Idempotent. A file whose copy on the controller still matches the server is not fetched again. When the
    server's file changed, the old copy is moved to O(dest)C(/<host>/previous/<UTC time>/) and the new one is
    fetched, so no copy is ever overwritten. A file that disappeared from the server keeps its last copy
    (RV(only_on_controller)).
  - Parses the copied license files (never their signatures) and returns the allocations they hold
    (RV(allocations)), with the serial number (C(SN=)) and count of each C(INCREMENT) line. When a License Server
    is decommissioned these allocations must be returned on the licensing portal, or the portal keeps counting
    the host as an active license server that does not report (Citrix licensing telemetry and compliance status). The
    start-up license
    C(citrix_startup.lic) is copied but not listed, because it is not allocated on the portal.
  - Nothing on the server is changed.
  - The per-host folder on the controller is named by the collection's one rule, a readable form of the inventory
    host name plus C(-) and the first 8 hex digits of the SHA-256 of the exact name (for example C(ls01-1a2b3c4d)),
    so hosts whose names only differ in characters that are replaced (C(a@b) and C(a#b)) or in accents never share a
    folder. A folder an older version wrote without the hash is moved to the new name when its manifest records this
    exact host; otherwise it is left alone and a warning names it. See the nothing-lost guide
    (docs/nothing_lost.md).
  - One run at a time writes a host's folder; the run holds an exclusive lock on C(.ctxlic.lock) in it and waits up
    to 120 seconds (environment variable C(CTXLIC_CONTROLLER_LOCK_WAIT)) for another run of the same host, then
    fails naming that run and changes nothing. A killed run never leaves this lock behind.
options:
  install_dir:
    description:
      - The License Server installation directory. The files are read from its C(MyFiles) folder.
      - When omitted it is read from the registry value
        C(HKLM\SOFTWARE\WOW6432Node\Citrix\LicenseServer\Install\LS_Install_Dir). When that value does not
        exist (the License Server was uninstalled), V(C:\\Program Files (x86\)\\Citrix\\Licensing) is used, the
        folder in which Citrix Licensing 11.17.2 build 49000 documentation says C(MyFiles) is kept after an uninstall.
    type: str
  extra_patterns:
    description:
      - More file name patterns (shell style, compared case-insensitively) to copy from C(MyFiles), for example
        C(*.old) for license files left behind by an interrupted removal.
    type: list
    elements: str
    default: []
  as_of:
    description:
      - Date (C(YYYY-MM-DD)) against which RV(allocations.entries[].expired) is judged. Defaults to today (UTC).
    type: str
extends_documentation_fragment:
  - ctxlic.license_server.controller_store
  - ctxlic.license_server.attributes.platform
attributes:
  check_mode:
    support: full
    description:
      - Lists the server's files and reports what would be fetched or replaced. Nothing is written on the
        controller. RV(allocations) is read from the controller copies, or from the server for files not copied yet.
        RV(verified) is false.
  diff_mode:
    support: none
    description: Nothing on the server changes, so there is nothing to diff.
notes:
  - "Sources: Citrix Licensing 11.17.2 build 49000 documentation (Citrix Licensing 11.17.2 documentation) for
    C(MyFiles), lower-case C(.lic), the start-up
    license and C(CITRIX.opt), and that C(MyFiles) is kept after an uninstall; Citrix licensing telemetry and
    compliance status for returning the
    allocations of a decommissioned license server (Manage Licenses, search by host name, Return allocations)."
  - The module cannot return allocations on the portal (the portal has no documented API); it tells you what to
    return. Search the portal by the host IDs in RV(allocations.host_ids).
  - Runs on the controller as an action plugin. The host is touched only through C(win_reg_stat), C(win_stat),
    C(win_find), one read-only C(win_powershell) call for sizes and SHA-1s and the connection's file fetch.
author:
  - ctxlic maintainers (@ctxlic)
seealso:
  - module: ctxlic.license_server.info
  - module: ctxlic.license_server.telemetry_bundle
  - module: ctxlic.license_server.evidence_event
  - module: ctxlic.license_server.dr_backup
    description: >-
      Backups for a disaster-recovery failover (generations with the host identity, ports and proxy configuration,
      restored by dr_restore). This module keeps an archive of every license file of a server, also after the
      License Server is uninstalled, and lists the allocations the files hold.
"""

EXAMPLES = r"""
- name: Back up the license files of every License Server
  ctxlic.license_server.license_backup:
    dest: /srv/ctxlic/license_backups
  register: ctxlic_backup

- name: Show what would have to be returned on the licensing portal
  ansible.builtin.debug:
    msg: "{{ ctxlic_backup.allocations.lines }}"

- name: Also keep .old files of an interrupted removal
  ctxlic.license_server.license_backup:
    dest: /srv/ctxlic/license_backups
    extra_patterns: ["*.old"]

- name: Back up a server whose License Server was already uninstalled (MyFiles is kept, Citrix Licensing 11.17.2 build
    49000 documentation)
  ctxlic.license_server.license_backup:
    dest: /srv/ctxlic/license_backups
    install_dir: C:\Program Files (x86)\Citrix\Licensing
"""

RETURN = r"""
changed:
  description: True when a file was fetched or the manifest was written for the first time (in check mode, would be).
  returned: always
  type: bool
  sample: true
msg:
  description: What was done, or why the task failed.
  returned: always
  type: str
  sample: "4 file(s) in C:\\...\\MyFiles: fetched 4, replaced 0, 0 unchanged; manifest /srv/b/ls01/manifest.json"
install_dir:
  description: The installation directory used.
  returned: success
  type: str
  sample: C:\Program Files (x86)\Citrix\Licensing
install_dir_source:
  description: Where RV(install_dir) came from, C(option), C(registry) or C(default).
  returned: success
  type: str
  sample: registry
myfiles:
  description: The C(MyFiles) folder read on the server.
  returned: success
  type: str
  sample: C:\Program Files (x86)\Citrix\Licensing\MyFiles
backup_dir:
  description: The host's folder on the controller.
  returned: success
  type: str
  sample: /srv/ctxlic/license_backups/ls01
manifest:
  description: Path of the manifest on the controller.
  returned: success
  type: str
  sample: /srv/ctxlic/license_backups/ls01/manifest.json
sha256sums:
  description: Path of the C(SHA256SUMS) file (input for C(sha256sum -c), run in RV(backup_dir)).
  returned: success
  type: str
  sample: /srv/ctxlic/license_backups/ls01/SHA256SUMS
files:
  description: One entry per file backed up from the server in this run.
  returned: success
  type: list
  elements: dict
  contains:
    name:
      description: File name.
      type: str
      returned: always
      sample: FID_ls01.lic
    server_path:
      description: Path on the server.
      type: str
      returned: always
      sample: C:\Program Files (x86)\Citrix\Licensing\MyFiles\FID_ls01.lic
    size:
      description: Size in bytes on the server.
      type: int
      returned: always
      sample: 1184
    local_path:
      description: Path of the copy on the controller; null when there is no copy (check mode, failed fetch).
      type: str
      returned: always
      sample: /srv/ctxlic/license_backups/ls01/files/FID_ls01.lic
    sha256:
      description: SHA-256 of the copy as the manifest records it; null when there is no copy.
      type: str
      returned: always
      sample: 5f0c3b7c1d2e4a6b8c9d0e1f2a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d
    action:
      description: C(fetched), C(replaced) (the server's file changed; the old copy was kept) or C(unchanged).
      type: str
      returned: always
      sample: fetched
fetched:
  description: Names fetched for the first time (in check mode, that would be).
  returned: success
  type: list
  elements: str
  sample: [FID_ls01.lic, CITRIX.opt]
replaced:
  description: Names whose server file changed, fetched again (in check mode, that would be).
  returned: success
  type: list
  elements: str
  sample: []
unchanged:
  description: Names whose copy already matched the server.
  returned: success
  type: list
  elements: str
  sample: []
only_on_controller:
  description: Names recorded in the manifest that are no longer on the server. Their last copy is kept.
  returned: success
  type: list
  elements: str
  sample: []
verified:
  description:
    - True when every latest copy on the controller was hashed at the end of the run and matches the manifest and,
      for the files fetched in this run, the server's size and SHA-1. Always false in check mode.
  returned: success
  type: bool
  sample: true
allocations:
  description: The allocations held by the copied license files (all but the start-up license); signatures never.
  returned: success
  type: dict
  contains:
    host_ids:
      description: Host names (case-sensitive) and MAC addresses the files are bound to. Search the portal by these.
      type: list
      elements: str
      returned: always
      sample: [LS01]
    entries:
      description: One entry per C(INCREMENT) line, sorted by serial number.
      type: list
      elements: dict
      returned: always
      contains:
        serial:
          description: The C(SN=) value, or null when the line has none.
          type: str
          returned: always
          sample: LA-0012345678
        feature:
          description: Feature name.
          type: str
          returned: always
          sample: XDT_PLT_UD
        friendly_name:
          description: Product name from the file's C(CITRIXTERM) comments, or null.
          type: str
          returned: always
          sample: Citrix Virtual Apps and Desktops Premium
        count:
          description: Licenses on the line; null for an uncounted line.
          type: int
          returned: always
          sample: 500
        uncounted:
          description: Whether the line is uncounted.
          type: bool
          returned: always
          sample: false
        expiry:
          description: Expiry date (ISO) or C(permanent).
          type: str
          returned: always
          sample: "2027-12-31"
        expired:
          description: Whether the line expired before O(as_of). Expired licenses must be returned too (Citrix
            licensing telemetry and compliance status).
          type: bool
          returned: always
          sample: false
        file:
          description: The license file that holds the line.
          type: str
          returned: always
          sample: FID_ls01.lic
    by_feature:
      description: Per feature, the total C(count), whether any line is C(uncounted), and the C(serials).
      type: dict
      returned: always
      sample: {XDT_PLT_UD: {count: 500, uncounted: false, serials: [LA-0012345678]}}
    unreadable:
      description: License files with no readable C(INCREMENT) line, with the C(reason).
      type: list
      elements: dict
      returned: always
      sample: []
    lines:
      description: One readable line per allocation, for printing.
      type: list
      elements: str
      returned: always
      sample: ["SN LA-0012345678: XDT_PLT_UD count 500, expires 2027-12-31 (FID_ls01.lic)"]
    totals:
      description: One readable line per feature with its total count and serial numbers, for printing.
      type: list
      elements: str
      returned: always
      sample: ["XDT_PLT_UD: 500 (LA-0012345678)"]
errors:
  description: Problems with single files (a copy that still differs after a retry, a copy that fails verification).
  returned: always
  type: list
  elements: str
  sample: []
warnings:
  description: Things to know that do not fail the task (a file gone from the server, a missing server checksum).
  returned: when there is something to warn about
  type: list
  elements: str
  sample: []
"""
