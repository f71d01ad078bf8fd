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
  - With O(only_if_stale=true) the module first compares what C(lmstat -a) serves with the license files in
    C(MyFiles), and runs C(lmreread) only when they differ, for example after an earlier C(lmreread) failed.
    The comparison reads the host once (the files, C(lmhostid), C(lmstat -a)); RV(served_check) holds the
    verdict. When the License Server serves what the files hold, nothing runs and the task reports
    C(changed=false). This keeps a role that rereads after deploying files idempotent.
extends_documentation_fragment:
  - ctxlic.license_server.snapshot
  - ctxlic.license_server.install_dir
  - ctxlic.license_server.cluster
  - ctxlic.license_server.attributes.platform
options:
  only_if_stale:
    description:
      - Run C(lmreread) only when C(lmstat -a) does not serve what the license files in C(MyFiles) hold.
      - Stale means that a feature of a file the License Server reads (no errors, bound to this host) is not
        listed, or is listed with fewer licenses than the file's active lines add up to, or that C(lmstat) lists a
        feature, or more licenses of it, than all files in C(MyFiles) hold. Lines that expire or start within a
        day of today, and features superseded by another feature, are not required.
      - When C(lmstat -a) does not answer (for example the C(Citrix Licensing) service is stopped), nothing can
        be compared; the task then warns, does not reread, and reports C(changed=false).
    type: bool
    default: false
attributes:
  check_mode:
    support: full
    description: Reports C(changed=true) without running C(lmreread); with O(only_if_stale=true) the read-only
      comparison runs and decides C(changed).
  diff_mode:
    support: none
    description: Returns no diff.
notes:
  - Citrix Licensing 11.17.2 build 49000 documentation "Reread license and options files (lmreread)" says that
    C(lmreread) cannot run remotely and must
    run locally on the License Server. This module runs it on the target host.
  - C(lmreread) needs the C(Citrix Licensing) service to be running; otherwise it fails with
    C(Cannot connect to license server system).
  - Citrix Licensing 11.17.2 build 49000 documentation "Clustered License Servers" gives the command C(lmreread -c
    @client access point name -all).
seealso:
  - module: ctxlic.license_server.license_file
author:
  - ctxlic maintainers (@ctxlic)
"""

EXAMPLES = r"""
- name: Reread license files after copying several with reread=false
  ctxlic.license_server.reread:

- name: Reread only when the License Server does not serve what MyFiles holds
  ctxlic.license_server.reread:
    only_if_stale: true

- name: Reread on a cluster
  ctxlic.license_server.reread:
    cluster_access_point: lscluster01
"""

RETURN = r"""
changed:
  description:
    - True when C(lmreread) ran (or, in check mode, would run), because a reread changes daemon state.
    - False only with O(only_if_stale=true) when the License Server already serves what the files hold, or when
      that could not be checked.
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
served_check:
  description: The comparison of C(lmstat -a) with the license files in C(MyFiles); null without O(only_if_stale).
  returned: always
  type: dict
  contains:
    checked:
      description: Whether C(lmstat -a) answered and could be compared.
      type: bool
    stale:
      description: Whether the License Server serves something other than what the files hold.
      type: bool
    reason:
      description: Why nothing was compared; null when C(checked) is true.
      type: str
    missing:
      description: Features the files license that C(lmstat -a) does not list.
      type: list
      elements: str
    short:
      description: Features listed with fewer licenses than the files' active lines add up to
        (C(feature), C(served), C(expected_at_least)).
      type: list
      elements: dict
    unexpected:
      description: Features C(lmstat -a) lists that no license file in C(MyFiles) holds.
      type: list
      elements: str
    surplus:
      description: Features listed with more licenses than all lines in all files add up to
        (C(feature), C(served), C(expected_at_most)).
      type: list
      elements: dict
    summary:
      description: The verdict in one sentence.
      type: str
      sample: "not served: XDT_PLT_UD"
msg:
  description: What happened; on failure the command and its output.
  returned: always
  type: str
  sample: "...lmreread.exe -c @localhost -all failed (rc=1): lmreread failed: Cannot connect to license server system."
"""
