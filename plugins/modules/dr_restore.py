#!/usr/bin/python
# Copyright: (c) 2026, ctxlic maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

# This file only documents the module; the code is the action plugin plugins/action/dr_restore.py.

DOCUMENTATION = r"""
---
module: dr_restore
short_description: Restore a Citrix License Server backup onto a disaster-recovery License Server
version_added: 0.1.0
description:
  - Restores a generation written by M(ctxlic.license_server.dr_backup) onto the DR License Server. This covers
    the license files, C(CITRIX.opt) and the proxy configuration of Citrix Web Services for Licensing. Then it
    runs C(lmreread) and checks with C(lmstat -a) that every backed-up feature is served.
  - "Before anything is changed it checks three things. First, every file of the generation must match the
    SHA-256 in its manifest (a mismatch is refused, and the message names the verified generations). Second,
    the DR host's name must equal the host name the backup records, exactly and case-sensitively. The name is
    what C(lmhostid -hostname) prints, the Windows computer name when the License Server is not installed yet,
    or O(cluster_access_point). A name that differs only in case is refused with that explanation. Third, every
    license file is checked like M(ctxlic.license_server.license_file) checks it: name, content, and binding
    to the DR host's name or MAC addresses."
  - A license file that the primary could not use either is skipped with a warning (bound to another name or
    MAC, or several C(SERVER) lines). A file that the primary served but the DR host cannot serve is refused,
    unless it is named in O(exclude).
  - With O(verify_only=true) it stops after these checks and reports the plan, including whether the License
    Server must be installed or upgraded (RV(install)). The DR License Server must run the primary's version or
    newer (Citrix Licensing 11.17.2 build 49000 documentation says the installer cannot downgrade in place). The
    C(ctxlic.license_server.dr) role runs it
    this way first, installs with the C(ctxlic.license_server.server) role when needed, and then runs it again
    to restore.
  - Files are written only when their content differs (SHA-1 against the file on the host). A replaced file is
    kept next to it with a name that does not end in C(.lic). When a license file or C(CITRIX.opt) changed,
    C(lmreread -c @localhost -all) runs once (C(-c @<cluster_access_point>) on a cluster). It also runs when
    every file is in place but C(lmstat -a), read before anything changes, does not list every expected feature
    (an earlier run may have restored the files and stopped before its reread). When the proxy file changed,
    C(CitrixWebServicesforLicensing) is restarted if it is running.
  - "Order of the writes. The certificate pair (C(LS\\conf\\server.crt), C(server.key)) and the other C(LS\\conf)
    and C(LS\\resource\\cache) files the backup holds (its O(ctxlic.license_server.dr_backup#module:extra_paths))
    are written first, with the C(Citrix Licensing) service stopped and then started again, as Citrix Licensing
    11.17.2 build 49000 documentation installs a certificate (stop the service, copy the files, start the service).
    Then the license files, C(CITRIX.opt) and the proxy file are written and C(lmreread) runs. These state files
    replace the DR host's own without a copy next to them. A generation written by an older version, without
    these files, restores as before."
  - Every file written is read back from the DR host and must have the backup's SHA-256 (RV(host_verified)); a
    mismatch fails the task.
  - Idempotent. A second run finds every file in place and every feature served, writes nothing, does not
    reread, and still checks that the features are served (from that same C(lmstat -a) read).
  - The backup set is found in the folder named by the collection's one rule (readable name plus a hash of the exact
    set name); generations an older version wrote to the folder without the hash are moved in when they record this
    set name as their source host (in check mode they are only read). Writing the restored files holds the host lock
    C(C:\ProgramData\ctxlic\host.lock); see the nothing-lost guide (docs/nothing_lost.md).
options:
  src:
    description:
      - Directory on the controller that holds the backup sets (the C(dest) of M(ctxlic.license_server.dr_backup)).
      - A relative path is relative to the playbook directory; C(~) is the controller user's home.
    type: path
    default: ~/.ansible/ctxlic/dr_backups
  name:
    description:
      - Name of the backup set, which is the primary's inventory host name unless the backup was given another
        C(name) (M(ctxlic.license_server.dr_backup)).
    type: str
    required: true
  generation:
    description:
      - The generation to restore, as a name in the set (C(20261122T120000Z)) or a directory path.
      - Defaults to the newest generation. When the newest fails verification, the task refuses. It never falls
        back silently to an older backup, which could hold older licenses. Name the older generation here instead.
    type: str
  verify_only:
    description:
      - Only verify and plan; change nothing. RV(install) says whether the License Server must be installed or
        upgraded first.
    type: bool
    default: false
  install_dir:
    description:
      - The DR License Server's installation directory. Defaults to the registry value C(LS_Install_Dir), or the
        primary's directory recorded in the backup when the License Server is not installed yet.
    type: str
  installer_version:
    description:
      - Version of the installer that would install or upgrade the DR License Server, for example
        C(11.17.2.0 build 49000). It must be the primary's version or newer.
      - Needed only when the DR host runs no License Server or one older than the primary.
    type: str
  cluster_access_point:
    description:
      - The client access point name of a clustered DR License Server. The license files' binding is checked
        against it, and the reread runs C(lmreread -c @<cluster_access_point> -all) (Citrix Licensing 11.17.2 build
        49000 documentation).
      - On a cluster, a missing or older installation is refused. The cluster nodes are installed with the
        graphical installer, and the last node needs 'Last Node in the Cluster' checked. This module does not do
        that.
    type: str
  exclude:
    description:
      - Names of backed-up license files (or C(CITRIX.opt)) not to restore, for example a MAC-bound file that
        cannot work on the DR hardware. Their features are then not expected to be served.
    type: list
    elements: str
    default: []
  verify_served:
    description:
      - After the restore, check with C(lmstat -a) that every feature of the restored license files is served.
        When the backup recorded the primary's served features, only features the primary served are expected.
    type: bool
    default: true
  as_of:
    description:
      - Date (C(YYYY-MM-DD)) against which license expiry is judged; defaults to the DR host's date.
    type: str
attributes:
  check_mode:
    support: full
    description: Verifies and plans; nothing is written, restarted or reread.
  diff_mode:
    support: full
    description: Lists the files on the DR host before and after the restore, with the SHA-256 of each restored file.
  platform:
    support: full
    platforms: windows
    description: Windows License Servers; lab hosts (C(ctxlic_lab_root)) simulate them.
notes:
  - "Citrix Licensing 11.17.2 build 49000 documentation 'Disaster recovery backup and redundancy': the DR License
    Server must have an identical host name,
    and only one License Server may be reachable at a time. Stop the primary first with
    M(ctxlic.license_server.dr_primary). The 30-day license caching mode gives the time to do this."
  - "Citrix Licensing 11.17.2 build 49000 documentation 'Clustered License Servers': host names in license files are
    case-sensitive, and the client access
    point must have the same name and case as the license files' host name. Moving cluster resources between nodes
    and the installer's 'Last Node in the Cluster' step are not automated."
  - C(citrix_startup.lic) from the backup is never restored; the installer writes the DR host's own.
  - A host that defines C(ctxlic_lab_root) is a simulated lab host.
seealso:
  - module: ctxlic.license_server.dr_backup
  - module: ctxlic.license_server.dr_primary
  - module: ctxlic.license_server.package
  - module: ctxlic.license_server.license_file
author:
  - ctxlic maintainers (@ctxlic)
"""

EXAMPLES = r"""
- name: Check the newest backup of licsrv01-primary against this DR host, change nothing
  ctxlic.license_server.dr_restore:
    name: licsrv01-primary
    verify_only: true
    installer_version: 11.17.2.0 build 49000
  register: ctxlic_dr_plan

- name: Restore it (the License Server is installed)
  ctxlic.license_server.dr_restore:
    name: licsrv01-primary
    generation: "{{ ctxlic_dr_plan.generation }}"

- name: Restore onto a clustered DR License Server, without a MAC-bound file
  ctxlic.license_server.dr_restore:
    name: licsrv01-primary
    cluster_access_point: LICSRV01
    exclude: [FID_mac_bound.lic]
"""

RETURN = r"""
changed:
  description: Whether a file was written or C(lmreread) ran (in check mode, would be).
  returned: always
  type: bool
verified:
  description: True when every file of the generation matched its manifest (otherwise the task fails).
  returned: success
  type: bool
generation:
  description: The generation restored (or planned).
  returned: success
  type: str
  sample: 20261122T120000Z
generation_path:
  description: Its directory on the controller. Pass it back as O(generation) to restore exactly what was verified.
  returned: success
  type: str
backup:
  description: From the manifest, C(source_host), C(ls_hostname), C(ls_version), C(created_at), C(install_dir)
    and C(cluster_access_point).
  returned: success
  type: dict
identity:
  description: The DR host's C(hostname) and its C(source) (C(lmhostid), C(computer_name) or
    C(cluster_access_point)).
  returned: success
  type: dict
install:
  description: Whether the DR License Server must be installed or upgraded first.
  returned: success
  type: dict
  contains:
    action:
      description: C(none), C(install) or C(upgrade).
      type: str
    installed_version:
      description: Version installed on the DR host, or null.
      type: str
    required_version:
      description: The primary's version from the backup (the minimum).
      type: str
    target_version:
      description: O(installer_version) when an install or upgrade is needed.
      type: str
    install_dir:
      description: Where the files are (or will be) restored.
      type: str
    ports:
      description:
        - For a fresh install, the primary's ports as the C(ctxlic.license_server.server) role's
          C(ctxlic_server_ports) (C(license_server), C(vendor_daemon), C(web_services)); empty otherwise.
      type: dict
files:
  description: One entry per backed-up file with C(path), C(kind), C(host_path), C(operation) (C(create),
    C(replace), C(unchanged) or C(skip)), C(sha256), C(reason) (why it is skipped) and C(features).
  returned: success
  type: list
  elements: dict
expected_features:
  description: Features the DR License Server must serve after the restore.
  returned: success
  type: list
  elements: str
served_features:
  description: Features C(lmstat -a) lists after the restore; null when not checked.
  returned: success
  type: list
  elements: str
missing_features:
  description: Expected features that are not served (the task fails when any); null when not checked.
  returned: success
  type: list
  elements: str
reread:
  description: The C(lmreread) run (C(argv), C(rc), C(stdout), C(stderr), C(ok)), or null when it did not run.
  returned: success
  type: dict
web_service_restarted:
  description: Whether C(CitrixWebServicesforLicensing) was restarted because its proxy file changed.
  returned: success
  type: bool
licensing_service_restarted:
  description:
    - Whether the C(Citrix Licensing) service was stopped and started again to write the certificate and the other
      C(LS\conf) and C(LS\resource\cache) files of the backup (only when one of them changed and the service ran).
  returned: success
  type: bool
host_verified:
  description: Backup paths written to the DR host and read back from it with the backup's SHA-256.
  returned: success
  type: list
  elements: str
refusals:
  description: Why the task refused; the DR host is unchanged when this is not empty.
  returned: success
  type: list
  elements: str
msg:
  description: What happened, or every refusal.
  returned: always
  type: str
"""
