#!/usr/bin/python
# Copyright: (c) 2026, ctxlic maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

# This file only documents the module; the code is the action plugin plugins/action/reread.py.

DOCUMENTATION = r"""
---
module: reread
short_description: Make a Citrix License Server reread its license and options files
version_added: 0.1.0
description:
  - Runs C(lmreread -c @localhost -all) on the License Server, from C(<install_dir>\LS). On a clustered
    License Server it runs C(lmreread -c @<cluster_access_point> -all).
  - The output is parsed. The reread counts as successful only when the command prints C(lmreread successful);
    the exit code alone is not trusted. On failure the task fails, and RV(reread) and RV(msg) carry the
    command output.
  - A reread changes what the vendor daemon serves, so a run always reports C(changed=true). In check mode the
    command is not run and the task reports C(changed=true).
options:
  install_dir:
    description:
      - The License Server installation directory.
      - Defaults to the registry value C(LS_Install_Dir) of C(HKLM\SOFTWARE\WOW6432Node\Citrix\LicenseServer\Install).
    type: str
  cluster_access_point:
    description:
      - The client access point name of a clustered License Server; a leading C(@) is accepted.
    type: str
attributes:
  check_mode:
    support: full
    description: Reports C(changed=true) without running C(lmreread).
  diff_mode:
    support: none
    description: Returns no diff.
  platform:
    support: full
    platforms: windows
    description: Targets Windows License Servers; lab hosts (C(ctxlic_lab_root)) simulate them.
notes:
  - Seed 004 "Reread license and options files (lmreread)" says that C(lmreread) cannot run remotely and must
    run locally on the License Server. This module runs it on the target host.
  - C(lmreread) needs the C(Citrix Licensing) service to be running; otherwise it fails with
    C(Cannot connect to license server system).
  - Seed 004 "Clustered License Servers" gives the command C(lmreread -c @client access point name -all).
  - A host that defines C(ctxlic_lab_root) is a simulated lab host.
seealso:
  - module: ctxlic.license_server.license_file
author:
  - ctxlic maintainers (@ctxlic)
"""

EXAMPLES = r"""
- name: Reread license files after copying several with reread=false
  ctxlic.license_server.reread:

- name: Reread on a cluster
  ctxlic.license_server.reread:
    cluster_access_point: lscluster01
"""

RETURN = r"""
changed:
  description: Always true, because a reread changes daemon state (also in check mode, where nothing runs).
  returned: always
  type: bool
cmd:
  description: The command line, as an argument vector.
  returned: always
  type: list
  elements: str
  sample: ['C:\Program Files (x86)\Citrix\Licensing\LS\lmreread.exe', '-c', '@localhost', '-all']
install_dir:
  description: The License Server installation directory used.
  returned: always
  type: str
reread:
  description: The command result; null in check mode.
  returned: always
  type: dict
  contains:
    argv:
      description: The command run.
      type: list
      elements: str
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
      description: Whether the output says C(lmreread successful).
      type: bool
msg:
  description: What happened; on failure the command and its output.
  returned: always
  type: str
  sample: "...lmreread.exe -c @localhost -all failed (rc=1): lmreread failed: Cannot connect to license server system."
"""
