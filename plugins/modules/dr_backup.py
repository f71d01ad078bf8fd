#!/usr/bin/python
# Copyright: (c) 2026, ctxlic maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

# This file only documents the module; the code is the action plugin plugins/action/dr_backup.py.

DOCUMENTATION = r"""
---
module: dr_backup
short_description: Back up a Citrix License Server's license files to the controller for disaster recovery
version_added: 0.1.0
description:
  - Copies what a disaster-recovery License Server needs from a (primary) Citrix License Server to the Ansible
    controller. These are every license file (lower-case C(.lic)) in C(<install_dir>\MyFiles), the options file
    C(MyFiles\CITRIX.opt), and the proxy configuration
    C(<install_dir>\WebServicesForLicensing\SimpleLicenseServiceConfig.xml).
  - It also copies the License Server's certificate and private key, C(<install_dir>\LS\conf\server.crt) and
    C(server.key), when they exist. Citrix Licensing 11.17.2 build 49000 documentation names these two files as the
    ones the License Server reads from C(LS\conf) ("How to install the .crt and .key files on the License Server").
  - Other files of C(LS\conf) ("server configuration and certificates") and C(LS\resource\cache) ("user/device
    data, renewal database, and vendor daemon extension data", the support bundle table of the same documentation)
    are backed up only when O(extra_paths) lists them, because the documentation does not name them. A warning
    names every file found directly in those two folders that is not backed up (except
    C(upload_compliance_result.xml), the status of the last upload).
  - Each backup is a I(generation), a directory C(<dest>/<name>/<UTC time>) (for example
    C(~/.ansible/ctxlic/dr_backups/licsrv01/20261122T120000Z)). It holds the files under their
    installation-relative paths and C(manifest.json). The manifest records for every file its size and SHA-256.
    It also records the License Server host name (what C(lmhostid -hostname) prints, which the license files are
    bound to), the MAC addresses, the version, the installation directory, the ports, the features C(lmstat -a)
    listed as served, the source inventory host and the time.
  - A generation is written to a hidden temporary directory and renamed into place when it is complete, so a
    failover never reads half a backup. Directories and files are created readable by the owner only.
  - Idempotent. When the newest verified generation has the same host name, version, installation directory and
    file hashes, no new generation is written and RV(changed) is false.
  - Retention keeps the O(keep) newest generations and deletes older ones. The newest generation whose files
    still match its manifest is never deleted, even when newer broken generations fill the O(keep) slots.
    Retention deletes only generations that verify; a broken generation older than the O(keep) newest stays, with a
    warning, because it may hold the only copy of a file.
  - Nothing on the License Server is changed. The module reads it with the one-shot collection of
    M(ctxlic.license_server.info) and a few file reads.
  - The backup set folder on the controller is named by the collection's one rule, a readable form of the set name
    (O(name)) plus C(-) and the first 8 hex digits of the SHA-256 of the exact set name (for example
    C(ls01-1a2b3c4d)), so hosts whose names only differ in characters that are replaced (C(a@b) and C(a#b)) or in
    accents never share a folder. A folder an older version wrote without the hash is moved to the new name when its
    generations record this host as their source; generations of other hosts stay where they are; otherwise it is
    left alone and a warning names it. See the nothing-lost guide (docs/nothing_lost.md).
  - One run at a time writes a host's folder; the run holds an exclusive lock on C(.ctxlic.lock) in it and waits up
    to 120 seconds (environment variable C(CTXLIC_CONTROLLER_LOCK_WAIT)) for another run of the same host, then
    fails naming that run and changes nothing. A killed run never leaves this lock behind.
  - Retention deletes older generations only after the new generation has been read back from disk with every file's
    size and SHA-256; when it does not verify, nothing is deleted and the task fails.
options:
  dest:
    description:
      - Directory on the controller that holds the backup sets, one subdirectory per primary License Server.
      - A relative path is relative to the playbook directory; C(~) is the controller user's home.
    type: path
    default: ~/.ansible/ctxlic/dr_backups
  name:
    description:
      - Name of the backup set, the subdirectory of O(dest). Defaults to the inventory host name.
      - M(ctxlic.license_server.dr_restore) finds the backups by this name. The subdirectory is the readable form
        of the name (characters other than letters, digits, C(.), C(_) and C(-) become C(_)) plus a hash of the
        exact name.
    type: str
  keep:
    description:
      - Number of generations to keep (at least 1). Older generations are deleted after a new one is written.
    type: int
    default: 7
  cluster_access_point:
    description:
      - The client access point name of a clustered License Server. It is recorded as the host name the license
        files are bound to. Citrix Licensing 11.17.2 build 49000 documentation says the client access point must carry
        the license files' host name.
    type: str
  extra_paths:
    description:
      - Files or folders to back up besides the license files, C(CITRIX.opt), the proxy file and the certificate
        pair, relative to the installation directory and under C(LS\conf) or C(LS\resource\cache) (for example
        C(LS\resource\cache) for every file directly in the cache folder, or C(LS\resource\cache\<file>)).
      - A folder stands for the files directly in it, not its subfolders. A path that does not exist gives a
        warning. Anything outside those two folders, an absolute path and C(..) are refused.
      - The Citrix Licensing documentation says C(LS\resource\cache) holds the user/device data but names none of
        its files, and does not say whether a copy taken while the License Server runs is consistent (it writes
        cache data every few seconds). See docs/dr.md.
    type: list
    elements: str
    default: []
extends_documentation_fragment:
  - ctxlic.license_server.install_dir
  - ctxlic.license_server.attributes.platform
attributes:
  check_mode:
    support: full
    description: Reads the License Server and the existing generations, and reports whether a generation would be
      written and which would be deleted. Nothing is written or deleted.
  diff_mode:
    support: full
    description: Shows the file list (SHA-256, size, path) of the newest verified generation and of the backup.
notes:
  - "Citrix Licensing 11.17.2 build 49000 documentation 'Disaster recovery backup and redundancy': the same license
    files work on a disaster-recovery
    License Server with an identical host name; only one License Server may be reachable at a time. Restore a
    backup with the C(ctxlic.license_server.dr) role (entry point C(failover)) or M(ctxlic.license_server.dr_restore)."
  - C(citrix_startup.lic) is backed up because its C(SERVER) and C(VENDOR) lines record the License Server and
    vendor daemon ports, but it is never restored. The installer writes the DR host's own start-up license.
  - Files in C(MyFiles) that the License Server does not read are not backed up. Examples are C(.old) files, C(.LIC)
    in upper case, and the copies kept when a file was replaced. They are listed in RV(skipped).
  - Temporary directories of an interrupted run (C(.tmp-*)) are neither read nor deleted.
seealso:
  - module: ctxlic.license_server.dr_restore
  - module: ctxlic.license_server.dr_primary
  - module: ctxlic.license_server.info
author:
  - ctxlic maintainers (@ctxlic)
"""

EXAMPLES = r"""
- name: Back up the primary License Server, keep two weeks of daily backups
  ctxlic.license_server.dr_backup:
    dest: /srv/ctxlic/dr_backups
    keep: 14
  register: ctxlic_backup

- name: Show where the backup is
  ansible.builtin.debug:
    msg: "{{ ctxlic_backup.path }} ({{ ctxlic_backup.manifest.files | length }} files)"

- name: Back up a clustered License Server (the client access point carries the license host name)
  ctxlic.license_server.dr_backup:
    cluster_access_point: LICCLUSTER
"""

RETURN = r"""
changed:
  description: Whether a generation was (or in check mode would be) written or deleted.
  returned: always
  type: bool
created:
  description: Whether a new generation was (or would be) written. False when the newest verified one is identical.
  returned: always
  type: bool
generation:
  description: The generation that holds the current state, the new one or the identical existing one.
  returned: always
  type: str
  sample: 20261122T120000Z
path:
  description: Directory of RV(generation) on the controller.
  returned: always
  type: str
  sample: /home/ops/.ansible/ctxlic/dr_backups/licsrv01/20261122T120000Z
backup_set:
  description: Directory of the backup set on the controller.
  returned: always
  type: str
manifest:
  description: The manifest of RV(generation), as written to C(manifest.json).
  returned: always
  type: dict
  contains:
    format:
      description: Always C(ctxlic.license_server.dr_backup).
      type: str
    format_version:
      description: Manifest format version (1).
      type: int
    generation:
      description: The generation name.
      type: str
    created_at:
      description: Controller time of the backup (UTC, ISO 8601).
      type: str
    source_host:
      description: The inventory host the files came from.
      type: str
    ls_hostname:
      description: The host name the license files must be bound to (case-sensitive).
      type: str
      sample: LICSRV01
    ls_hostname_source:
      description: C(lmhostid), C(computer_name) or C(cluster_access_point).
      type: str
    cluster_access_point:
      description: The client access point given, or null.
      type: str
    macs:
      description: MAC addresses of the License Server's enabled network adapters.
      type: list
      elements: str
    ls_version:
      description: The installed version from the registry.
      type: str
      sample: 11.17.2.0 build 45000
    install_dir:
      description: The installation directory.
      type: str
    ports:
      description:
        - Ports read from C(MyFiles\citrix_startup.lic) and Apache's C(httpd.conf), with the keys
          C(license_server_port), C(vendor_daemon_port) and C(web_services_port). A port that cannot be read is
          left out.
      type: dict
    observed_at:
      description: The License Server's clock when it was read.
      type: str
    served_features:
      description: Features C(lmstat -a) listed when the backup was taken. Null when C(lmstat) did not answer.
      type: list
      elements: str
    files:
      description: One entry per file with C(path) (in the generation), C(host_path), C(kind) (C(license),
        C(startup), C(options) or C(proxy_config)), C(size) and C(sha256).
      type: list
      elements: dict
kept:
  description: Generations kept, newest first.
  returned: always
  type: list
  elements: str
deleted:
  description: Generations deleted by retention (in check mode, that would be deleted).
  returned: always
  type: list
  elements: str
generations:
  description: The generations that existed before the task, newest first, with C(name), C(verified),
    C(created_at), C(files) (count) and C(problems).
  returned: always
  type: list
  elements: dict
skipped:
  description: Files in C(MyFiles) that were not backed up, because the License Server does not read them.
  returned: always
  type: list
  elements: str
  sample: [FID_old.old]
msg:
  description: What happened, in one sentence.
  returned: always
  type: str
"""
