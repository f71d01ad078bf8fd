#!/usr/bin/python
# Copyright: (c) 2026, ctxlic maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

# This file only documents the module; the code is the action plugin plugins/action/license_file.py.

DOCUMENTATION = r"""
---
module: license_file
short_description: Add, replace or remove a Citrix license file on a License Server, safely
version_added: 0.1.0
description:
  - Installs one Citrix license file into C(<install_dir>\MyFiles) of a Citrix License Server and makes the
    License Server reread its license files, or removes one with the documented procedure.
  - Before anything is written the file is parsed and checked on the controller. The file name must end in
    lower-case C(.lic), contain no path, and must not be C(citrix_startup.lic) or C(CITRIX.opt). The content
    must be a complete, unedited license file. Its C(SERVER) line must bind it to this License Server. The host
    name comparison is case-sensitive, against what C(lmhostid -hostname) prints, run read-only from
    C(<install_dir>\LS). When C(lmhostid) cannot be run, the Windows computer name is used. For a file bound to a
    MAC address, the MAC addresses are taken from C(lmhostid -ether), or from the enabled network adapters.
  - Errors refuse the change; the task fails and nothing is written. O(force=true) overrides content and binding
    errors, but never file name errors. Warnings (expired or soon-expiring lines, Customer Success Services date
    passed, a future C(START) date) are returned in RV(findings) and shown as warnings.
  - Idempotent by content. The SHA-1 checksum of the new content is compared with the checksum of the file on the
    host, and nothing is written or reread when they are equal.
  - When a file is added or replaced, V(reread=true) runs C(lmreread -c @localhost -all) from C(<install_dir>\LS).
    On a cluster it runs C(lmreread -c @<cluster_access_point> -all). If the reread fails, the task fails with
    the command output in RV(reread), and the new file stays in place.
  - When the file is already in place with the same content and V(reread=true), C(lmstat -a) is run (read-only)
    and compared with the file's active lines (RV(served_check)). When the License Server does not serve them,
    for example because the reread of an earlier run failed, C(lmreread) runs and the task reports
    C(changed=true). A License Server that serves the file is not reread again.
  - O(state=absent) follows Citrix Licensing 11.17.2 build 49000 documentation "Delete license files". The file is
    first copied to the controller
    (O(backup_dir)). Then the C(Citrix Licensing) service is stopped, the file is renamed from C(.lic) to
    C(.old), the service is started, and the C(.old) file is deleted. The removal is refused when the file is
    the last installed file that licenses a feature, unless O(force=true). There is a warning when the file
    still has lines that are neither expired nor superseded.
  - Before its first step the removal writes the marker file C(MyFiles\ctxlic_removal_in_progress.json) (the
    License Server reads only C(.lic) files), and deletes it after the last step. Every later run of this module,
    with either state, that finds the marker finishes the interrupted procedure first. It starts the
    C(Citrix Licensing) service when the interrupted run had stopped it, and deletes the C(.old) file when the
    rename had happened and the C(.lic) file is gone. The steps are in RV(recovered) and count as a change.
  - A removal is also refused when a C(.old) file of the same name already exists and no marker names it; it
    needs a look. When the C(Citrix Licensing) service was not running, the file is
    renamed and deleted, and the service is left stopped.
  - Check mode plans and changes nothing. Diff mode shows the binding and, per C(INCREMENT) line, the feature,
    count, expiry, Customer Success Services date and serial number. It never shows signatures.
  - With O(state=absent) the file is first copied to the controller and the copy is compared with what was read from
    the server, by size and SHA-256; a cut or truncated transfer stops the removal before anything on the server
    changes, and the short copy is deleted.
  - A removal, and the finishing of a removal an earlier run left half done, hold the host lock
    C(C:\ProgramData\ctxlic\host.lock) for their duration; a run that finds a live lock fails at once naming its
    holder and changes nothing. See the nothing-lost guide (docs/nothing_lost.md) for the stale-lock rule. A removal
    that is running is therefore never taken for an interrupted one.
options:
  state:
    description:
      - V(present) installs the file; V(absent) removes it with the documented procedure.
    type: str
    choices: [present, absent]
    default: present
  src:
    description:
      - Path of the license file on the controller. Relative paths are searched like those of
        M(ansible.builtin.copy) (the role's or playbook's C(files) directory).
      - Mutually exclusive with O(content). One of them is required with O(state=present).
      - With O(state=absent) only its base name is used, as the default of O(name).
    type: str
  content:
    description:
      - The license file text, instead of O(src). It is written UTF-8 encoded, byte for byte as given.
      - Requires O(name).
    type: str
  name:
    description:
      - File name in C(MyFiles), without a path. Defaults to the base name of O(src).
      - Must end in lower-case C(.lic). Citrix Licensing 11.17.2 build 49000 documentation "Download licenses" warns
        that copy tools which add C(.txt) make
        the file unreadable.
      - C(citrix_startup.lic) and C(CITRIX.opt) are refused in any letter case, also by O(force).
      - A name with two or more C(%) signs is refused because C(ansible.windows) modules expand C(%NAME%) in file
        paths.
    type: str
  install_dir:
    description:
      - The License Server installation directory (the one holding C(MyFiles) and C(LS)).
      - Defaults to the registry value C(LS_Install_Dir) of C(HKLM\SOFTWARE\WOW6432Node\Citrix\LicenseServer\Install).
        The task fails when that value does not exist (License Server not installed).
    type: str
  force:
    description:
      - With O(state=present), write the file despite content and binding errors. For example, a file bound to
        another host name, or a host name that can not be verified.
      - With O(state=absent), remove the file even when it is the last one that licenses a feature.
      - Never overrides file name errors, the protected files, or an existing C(.old) file of the same name.
    type: bool
    default: false
  reread:
    description:
      - Run C(lmreread) after the file was added or replaced, or when it was already in place but C(lmstat -a)
        does not serve it. Set V(false) to add several files and reread once (M(ctxlic.license_server.reread)).
      - Ignored with O(state=absent). Restarting the service during the removal procedure makes the License
        Server read its files again.
    type: bool
    default: true
  cluster_access_point:
    description:
      - The client access point name of a clustered License Server. The reread then runs
        C(lmreread -c @<cluster_access_point> -all) (Citrix Licensing 11.17.2 build 49000 documentation "Clustered
        License Servers").
      - License files for a cluster name the client access point as the host name (same document), so with this
        option the host name binding is checked against O(cluster_access_point), not against the node's own host
        name. A name of 15 characters or more gets a warning (the document asks for fewer than 15, a NetBIOS
        restriction).
      - A leading C(@) is accepted and ignored.
    type: str
  backup:
    description:
      - With O(state=present), keep a copy of a replaced file on the host. The copy is next to it in C(MyFiles),
        with a name that does not end in C(.lic), so the License Server ignores it. Its path is RV(backup_file).
      - With O(state=absent), copy the file to O(backup_dir) on the controller before removing it
        (Citrix Licensing 11.17.2 build 49000 documentation, step "Back up all license files").
    type: bool
    default: true
  backup_dir:
    description:
      - Directory on the controller for backups of removed files. A file is stored as
        C(<backup_dir>/<host folder>/<UTC timestamp>/<name>), keeping its name, so it can be copied back
        unchanged (for example to a disaster recovery License Server with the same host name).
      - The host folder is the readable form of the inventory host name plus C(-) and the first 8 hex digits of the
        SHA-256 of the exact name. Backups an older version wrote to the folder without the hash are left there (that
        folder may be shared by two hosts); a warning names it when it exists.
      - A relative path is taken from the playbook's directory; C(~) is the controller user's home directory.
    type: path
    default: ~/.ansible/ctxlic/license_backups
  expiry_warning_days:
    description:
      - Warn about lines that expire within this many days.
    type: int
    default: 30
  as_of:
    description:
      - The date, as C(YYYY-MM-DD), against which expiry and C(START) dates are judged. Defaults to today in UTC
        on the controller.
    type: str
extends_documentation_fragment:
  - ctxlic.license_server.snapshot
attributes:
  check_mode:
    support: full
    description: Plans the change and reports it; writes, renames, deletes, service changes and C(lmreread) are skipped.
  diff_mode:
    support: full
    description: Binding and per-feature count, expiry, Customer Success Services date and serial; never signatures.
  platform:
    support: full
    platforms: windows
    description: Targets Windows License Servers; lab hosts (C(ctxlic_lab_root)) simulate them.
notes:
  - "Citrix Licensing 11.17.2 build 49000 documentation rules this module applies: license files live only in
    C(MyFiles) and must end in lower-case C(.lic).
    They are bound to the host name (case-sensitive) or to a MAC address. They must never be edited. A file
    with several C(HOSTNAME=) lines is ignored by the License Server. After adding files run
    C(lmreread -c @localhost -all) locally from C(<install_dir>\\LS). C(lmreread) cannot run remotely. Never
    delete C(citrix_startup.lic) or C(CITRIX.opt)."
  - "Citrix Licensing 11.17.2 build 49000 documentation 'Delete license files': place new license files on the License
    Server before deleting any. Delete a
    file only when all of its C(INCREMENT) lines are obsolete or unnecessary. Incorrect removal can lower the
    total licenses available."
  - Citrix licensing telemetry and compliance status counts expired or inactive licenses that are still installed
    against compliance.
    Use O(state=absent), or the C(ctxlic.license_server.license_files) role with pruning, to remove them.
  - A host that defines C(ctxlic_lab_root) is a simulated lab host.
seealso:
  - module: ctxlic.license_server.reread
  - module: ctxlic.license_server.license_plan
  - module: ctxlic.license_server.info
author:
  - ctxlic maintainers (@ctxlic)
"""

EXAMPLES = r"""
- name: Install a license file and reread
  ctxlic.license_server.license_file:
    src: files/FID_1234abcd.lic

- name: Install several files, reread once
  ctxlic.license_server.license_file:
    src: "{{ item }}"
    reread: false
  loop: "{{ query('ansible.builtin.fileglob', 'licenses/*.lic') }}"
  register: ctxlic_added

- name: Reread when something was added
  ctxlic.license_server.reread:
  when: ctxlic_added is changed

- name: Install on a clustered License Server
  ctxlic.license_server.license_file:
    src: files/FID_cluster.lic
    cluster_access_point: lscluster01

- name: Remove a file whose licenses were all superseded (backup goes to the controller first)
  ctxlic.license_server.license_file:
    name: FID_old_standard.lic
    state: absent
    backup_dir: /srv/ctxlic/license_backups

- name: Preview a change with the features it brings
  ctxlic.license_server.license_file:
    src: files/FID_renewal.lic
  check_mode: true
  diff: true
"""

RETURN = r"""
changed:
  description: Whether the file was (or, in check mode, would be) written or removed, the License Server reread
    a file it did not serve, or an interrupted removal was finished (RV(recovered)).
  returned: always
  type: bool
state:
  description: The requested state.
  returned: always
  type: str
  sample: present
name:
  description: The file name in C(MyFiles).
  returned: always
  type: str
  sample: FID_1234abcd.lic
path:
  description: Full path of the license file on the host; empty when the name was refused.
  returned: always
  type: str
  sample: C:\Program Files (x86)\Citrix\Licensing\MyFiles\FID_1234abcd.lic
operation:
  description:
    - What the plan decided. V(create), V(replace), V(unchanged) or V(refuse) with O(state=present).
      V(remove), V(absent) or V(refuse) with O(state=absent).
  returned: always
  type: str
  sample: create
install_dir:
  description: The License Server installation directory used.
  returned: always
  type: str
  sample: C:\Program Files (x86)\Citrix\Licensing
checksum:
  description: SHA-1 checksum of the new content.
  returned: state=present
  type: str
  sample: 0c3a6e1b2f0d7c1f5a2b9e8d7c6b5a4f3e2d1c0b
backup_file:
  description:
    - With O(state=present), the path on the host of the copy of the replaced file. With O(state=absent), the
      path on the controller of the copy taken before removal. Null when no backup was made.
  returned: always
  type: str
  sample: C:\Program Files (x86)\Citrix\Licensing\MyFiles\FID_1234abcd.lic.4711.20261122-101500.bak
features:
  description: One entry per C(INCREMENT)/C(FEATURE) line of the new file, or of the removed file. There are no
    signatures.
  returned: always
  type: list
  elements: dict
  contains:
    feature:
      description: Feature name.
      type: str
      sample: XDT_PLT_UD
    count:
      description: License count; null for uncounted lines.
      type: int
      sample: 500
    expiry:
      description: Expiry date (ISO) or C(permanent).
      type: str
      sample: "2027-12-31"
    css_date:
      description: Customer Success Services date (ISO), from the version field.
      type: str
      sample: "2027-01-01"
    serial:
      description: The C(SN) attribute.
      type: str
    friendly_name:
      description: The product name from the file's C(CITRIXTERM) comments.
      type: str
binding:
  description: What the C(SERVER) line binds the file to.
  returned: state=present
  type: dict
  contains:
    kind:
      description: C(hostname), C(mac), C(any), C(other), C(none) or C(multiple).
      type: str
    value:
      description: The host name as written, or the MAC address as 12 upper-case hex digits.
      type: str
    values:
      description: Every bound value, in file order.
      type: list
      elements: str
    entries:
      description: One C(kind)/C(value) pair per C(SERVER) line.
      type: list
      elements: dict
findings:
  description: Errors (which refuse the change), errors overridden by O(force), and warnings.
  returned: always
  type: list
  elements: dict
  contains:
    code:
      description: Stable identifier, for example C(binding_hostname_mismatch), C(binding_hostname_case),
        C(file_name_extension), C(file_name_protected), C(expired), C(removal_loses_feature).
      type: str
    message:
      description: What is wrong and what to do.
      type: str
    severity:
      description: C(error), C(overridden) or C(warning).
      type: str
    line:
      description: Line number in the file, when it applies.
      type: int
    feature:
      description: Feature concerned, when it applies.
      type: str
warnings:
  description: The warning messages, also shown by Ansible.
  returned: when there are warnings
  type: list
  elements: str
ls_host:
  description: What the binding was checked against.
  returned: when the host was asked
  type: dict
  contains:
    hostname:
      description: The License Server host name (case as printed).
      type: str
      sample: LS01
    hostname_source:
      description: C(lmhostid), C(computer_name), or C(none) when unknown.
      type: str
    macs:
      description: MAC addresses, looked up only for MAC-bound files.
      type: list
      elements: str
    macs_source:
      description: C(lmhostid), C(collect) or C(none).
      type: str
reread:
  description: The result of C(lmreread). Null when it did not run (the file unchanged and served, V(reread=false),
    check mode, O(state=absent)).
  returned: always
  type: dict
  contains:
    argv:
      description: The command run.
      type: list
      elements: str
      sample: ['C:\Program Files (x86)\Citrix\Licensing\LS\lmreread.exe', '-c', '@localhost', '-all']
    rc:
      description: Exit code.
      type: int
    stdout:
      description: Standard output.
      type: str
    stderr:
      description: Standard error.
      type: str
    ok:
      description: Whether the output says C(lmreread successful) (the exit code alone is not trusted).
      type: bool
served_check:
  description:
    - With O(state=present), the file already in place and V(reread=true), the comparison of C(lmstat -a) with the
      file's active lines. Null otherwise.
    - Only missing or short features can be judged from one file; the other keys are always empty here.
  returned: always
  type: dict
  contains:
    checked:
      description: Whether C(lmstat -a) answered and could be compared.
      type: bool
    stale:
      description: Whether the License Server does not serve what the file holds (then C(lmreread) runs).
      type: bool
    reason:
      description: Why nothing was compared (also given as a warning); null when C(checked) is true.
      type: str
    missing:
      description: Features of the file's active lines that C(lmstat -a) does not list.
      type: list
      elements: str
    short:
      description: Features listed with fewer licenses than the file's active lines add up to
        (C(feature), C(served), C(expected_at_least)).
      type: list
      elements: dict
    unexpected:
      description: Always empty for one file.
      type: list
      elements: str
    surplus:
      description: Always empty for one file.
      type: list
      elements: dict
    summary:
      description: The verdict in one sentence.
      type: str
      sample: "not served: XDT_PLT_UD"
recovered:
  description:
    - The steps taken (in check mode, that would be taken) to finish a removal that an earlier run left half done,
      found by its marker file C(MyFiles\ctxlic_removal_in_progress.json). Empty when there was none.
  returned: always
  type: list
  elements: str
  sample:
    - started Citrix Licensing, which the interrupted removal of FID_a.lic had stopped
    - deleted FID_a.old, left by the interrupted removal of FID_a.lic
    - deleted the marker ctxlic_removal_in_progress.json of the interrupted removal of FID_a.lic
lost_features:
  description: Features for which the removed file was the last installed license.
  returned: state=absent and the file exists
  type: list
  elements: str
steps:
  description: The removal steps taken, in order.
  returned: state=absent
  type: list
  elements: str
  sample:
    - stopped Citrix Licensing
    - renamed FID_a.lic to FID_a.old
    - started Citrix Licensing
    - deleted FID_a.old
msg:
  description: What happened, or why the task failed.
  returned: always
  type: str
"""
