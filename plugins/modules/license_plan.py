#!/usr/bin/python
# Copyright: (c) 2026, ctxlic maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

# This file only documents the module; the code is the action plugin plugins/action/license_plan.py.

DOCUMENTATION = r"""
---
module: license_plan
short_description: Validate a set of Citrix license files against a License Server and plan pruning
version_added: 0.1.0
description:
  - Read-only. Checks every license file in O(src) against one License Server before anything is written.
    Each file gets the checks of M(ctxlic.license_server.license_file) - file name, content, and binding to the
    host name (case-sensitive) or MAC address. Each file is then classified (RV(files[].operation)) as C(create),
    C(replace), C(unchanged) or C(refuse).
  - Fails when any file is refused, so a playbook can validate all files first and only then change anything
    (the C(ctxlic.license_server.license_files) role does).
  - With O(prune=true) it also lists the installed files that can be removed, taking the new files as already
    deployed. A file can be removed when every C(INCREMENT) line in it is expired, or superseded by an active
    line of another file that stays. A file is never listed when it is the last one that still licenses a
    feature. C(citrix_startup.lic) and C(CITRIX.opt) are never listed. Files the License Server ignores
    (errors, bound to another host) and files in O(src) are reported in RV(prune_skipped) instead.
options:
  src:
    description:
      - Controller paths of the license files to deploy. Relative paths are searched like those of
        M(ansible.builtin.copy).
      - Each file keeps its base name in C(MyFiles). Two files with the same name in any letter case are refused.
    type: list
    elements: str
    required: true
  force:
    description:
      - Plan files with content or binding errors as writable, as O(ctxlic.license_server.license_file#module:force)
        would write them. File name errors are never overridden.
    type: bool
    default: false
  prune:
    description:
      - Also compute RV(prune), the installed files that are obsolete once O(src) is deployed.
    type: bool
    default: false
  cluster_access_point:
    description:
      - The client access point name of a clustered License Server. License files for a cluster name the client
        access point as the host name (Citrix Licensing 11.17.2 build 49000 documentation, Clustered License
        Servers), so host name bindings are checked against it instead of the node's own host name, for the new
        files and for the installed ones that O(prune) considers.
      - A name of 15 characters or more gets a warning (the document asks for fewer than 15, a NetBIOS
        restriction). A leading C(@) is accepted and ignored.
    type: str
extends_documentation_fragment:
  - ctxlic.license_server.snapshot
  - ctxlic.license_server.install_dir
  - ctxlic.license_server.license_lines
  - ctxlic.license_server.license_lines.as_of
  - ctxlic.license_server.attributes.read_only
  - ctxlic.license_server.attributes.platform
notes:
  - Citrix Licensing 11.17.2 build 49000 documentation 'Delete license files' says to place new license files before
    deleting any, and to delete a file
    only when all of its C(INCREMENT) lines are obsolete or unnecessary. Citrix licensing telemetry and compliance
    status counts expired licenses that
    are still installed against compliance.
seealso:
  - module: ctxlic.license_server.license_file
author:
  - ctxlic maintainers (@ctxlic)
"""

EXAMPLES = r"""
- name: Validate every license file before touching the License Server
  ctxlic.license_server.license_plan:
    src: "{{ query('ansible.builtin.fileglob', 'licenses/*') }}"
    prune: true
  register: ctxlic_plan

- name: Show what would be pruned
  ansible.builtin.debug:
    var: ctxlic_plan.prune
"""

RETURN = r"""
changed:
  description: Always false; nothing is changed.
  returned: always
  type: bool
install_dir:
  description: The License Server installation directory used.
  returned: always
  type: str
as_of:
  description: The date used for expiry checks.
  returned: always
  type: str
  sample: "2026-11-22"
ls_host:
  description: The host name and MAC addresses the bindings were checked against, and where they came from.
  returned: always
  type: dict
files:
  description: One plan per file in O(src), in order.
  returned: always
  type: list
  elements: dict
  contains:
    name:
      description: File name in C(MyFiles).
      type: str
    path:
      description: Full path on the host (empty when the name was refused).
      type: str
    operation:
      description: C(create), C(replace), C(unchanged) or C(refuse).
      type: str
    changed:
      description: Whether deploying the file would change the host.
      type: bool
    checksum:
      description: SHA-1 checksum of the file.
      type: str
    existing_checksum:
      description: SHA-1 checksum of the installed file of that name, or null.
      type: str
    binding:
      description: The C(SERVER) binding (kind, value, values, entries).
      type: dict
    features:
      description: Feature, count, expiry, Customer Success Services date, serial and product name per line;
        never signatures.
      type: list
      elements: dict
    findings:
      description: Errors, overridden errors and warnings (code, message, severity, line, feature).
      type: list
      elements: dict
changes:
  description: Names of the files that deploying would create or replace.
  returned: always
  type: list
  elements: str
refused:
  description: Names of the refused files.
  returned: always
  type: list
  elements: str
installed:
  description: Names of the C(*.lic) files in C(MyFiles) now.
  returned: always
  type: list
  elements: str
prune:
  description: Installed files to remove as obsolete (empty unless O(prune=true)).
  returned: always
  type: list
  elements: str
prune_skipped:
  description: Files not pruned and why (C(name), C(reason)).
  returned: always
  type: list
  elements: dict
warnings:
  description: Warning messages of all files.
  returned: when there are warnings
  type: list
  elements: str
msg:
  description: Summary, or every refusal with its reasons.
  returned: always
  type: str
"""
