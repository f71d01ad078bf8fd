# Copyright: (c) 2026, ctxlic maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

# This file only documents the module; the code is the action plugin plugins/action/telemetry_bundle.py.

DOCUMENTATION = r"""
---
module: telemetry_bundle
short_description: Collect a Citrix License Server's manual-upload telemetry zips into verified upload bundles
version_added: 0.1.0
description:
  - For license servers in manual reporting mode (License Management Service disabled). The License Server then
    keeps the telemetry it would have uploaded as C(upload_compliance*.zip) files in C(<install>\LS\resource\usage)
    and, from 11.17.2 build 45000, C(upload_usage*.zip) files in C(<install>\LS\resource\cis_bundles\ul_usage).
    The vendor documents spell that folder both C(cis_bundles) and C(cis bundles); both are searched.
  - The operator must upload them through Citrix Insight Services (CTX472950) so that the last successful upload
    is never more than 90 days old, then delete them or the disk fills.
  - This module fetches every pending zip to the controller into O(dest)C(/<host>/incoming/). Files already there
    with the server's size and SHA-1 are not fetched again, so an interrupted run resumes where it stopped.
  - Each copy is checked against the server's size and SHA-1 (computed on the server, for all pending files in one
    remote call). A copy that
    differs is fetched once more; if it still differs the file is reported in RV(errors) and left alone.
  - Each copy is then checked as a zip without extracting it. A corrupt zip, a member name that would escape a
    folder on extraction (absolute path, drive letter, C(..)), a symbolic link, or an absurd compression ratio
    (zip bomb) rejects the file. A rejected copy is moved to O(dest)C(/<host>/rejected/) with a C(.reason.json)
    beside it. The original on the server is never deleted, and later runs do not fetch it again while it is
    unchanged.
  - The good copies are packed into bundles in O(dest)C(/<host>/bundles/), named
    C(<host>_<kind>_<YYYYMMDD>_<n>.zip). Each bundle is at most O(max_bundle_bytes), counting zip headers. The
    members are stored uncompressed, because they are zips already. Each bundle is written atomically and then
    read back, and every member is hashed against the plan.
  - O(dest)C(/<host>/manifest.json) records every bundle with its size, SHA-256 and members (server path, name,
    size, SHA-256, SHA-1), every rejected file and every deletion. It is written atomically and covers all runs.
  - With O(cleanup=true) the module deletes from the server only the files that are members of a bundle which
    the controller verifies in this run (file present, SHA-256 as recorded, every member reads back with its
    recorded hash), and only while the server's file still has the size and SHA-1 it had when it was bundled. The
    server checks size and SHA-1 right before it deletes each file, and all deletions are one remote call per host
    (per 500 files); a file whose content changed in between stays and a warning names it, a file that could not be
    deleted is listed in RV(errors). Nothing else is deleted on the server.
  - A run that is interrupted at any point and then run again neither loses nor duplicates a file. Partial
    downloads are discarded. A bundle written but not yet recorded in the manifest is removed and rebuilt from
    the incoming copies, which are only removed after the manifest lists their bundle. A file already bundled,
    whether or not it was deleted on the server, is not bundled again.
  - If a bundle listed in the manifest is missing or changed on the controller, it is moved to the manifest's
    C(invalid) list (the file is moved to O(dest)C(/<host>/invalid/)). Its members that are still on the server
    are bundled again, and none of them is deleted on its strength.
  - The per-host folder on the controller is named by the collection's one rule, a readable form of the inventory
    host name plus C(-) and the first 8 hex digits of the SHA-256 of the exact name (for example C(ls01-1a2b3c4d)),
    so hosts whose names only differ in characters that are replaced (C(a@b) and C(a#b)) or in accents never share a
    folder. A folder an older version wrote without the hash is moved to the new name when its manifest records this
    exact host; otherwise it is left alone and a warning names it. See the nothing-lost guide
    (docs/nothing_lost.md).
  - One run at a time writes a host's folder; the run holds an exclusive lock on C(.ctxlic.lock) in it and waits up
    to 120 seconds (environment variable C(CTXLIC_CONTROLLER_LOCK_WAIT)) for another run of the same host, then
    fails naming that run and changes nothing. A killed run never leaves this lock behind.
  - With O(cleanup=true) the deletions on the server hold the host lock C(C:\ProgramData\ctxlic\host.lock) for their
    duration; a run that finds a live lock fails at once naming its holder and changes nothing. See the nothing-lost
    guide (docs/nothing_lost.md) for the stale-lock rule.
options:
  max_bundle_bytes:
    description:
      - The largest bundle to write, in bytes, including zip headers. Files are placed first-fit in name order,
        and as many bundles as needed are written.
      - Citrix Insight Services limits the size of an uploaded file (CTX131233), but the vendor documents this
        collection follows do not state the limit. The default of 100 MiB (104857600) is an assumption, so check
        it against the upload page of Citrix Insight Services.
      - A single zip larger than the limit cannot be split. It is bundled alone, and the bundle carries a warning.
    type: int
    default: 104857600
  cleanup:
    description:
      - Delete from the server the zips that are members of a verified bundle on the controller, and only those.
      - The vendor says to delete the files after a successful upload (Citrix Licensing data collection programs). The
        module cannot see the upload,
        so it deletes once the data is safe in a verified bundle on the controller. Keep the bundles in O(dest)
        until they are uploaded.
    type: bool
    default: false
  bundle_date:
    description:
      - The date in the bundle names, as C(YYYY-MM-DD). Defaults to today in UTC.
      - Bundles never reuse a name. A second run on the same day continues the numbering.
    type: str
  split_by_kind:
    description:
      - Write separate bundles for C(upload_compliance*) (License Server data) and C(upload_usage*) (Citrix Virtual
        Apps and Desktops data). Citrix Licensing data collection programs describes one zip file for each kind.
      - Set to false to put both kinds into the same bundles. The vendor documents do not say whether Citrix
        Insight Services accepts that.
    type: bool
    default: true
  max_compression_ratio:
    description:
      - Reject a zip whose member, or whose total, expands more than this many times.
      - The check applies only to content of 1 MiB or more, because small files compress well legitimately.
    type: float
    default: 200
extends_documentation_fragment:
  - ctxlic.license_server.controller_store
  - ctxlic.license_server.install_dir
  - ctxlic.license_server.attributes.platform
attributes:
  check_mode:
    support: full
    description:
      - Lists the server files and reads the controller's store. It reports what would be fetched
        (RV(fetched)), bundled (RV(bundles), with sizes estimated and no C(sha256)) and deleted (RV(deleted)).
        It changes nothing on the host or on the controller.
      - Copies already on the controller are checked as zips in check mode too. Files not fetched yet are checked
        when they are fetched.
  diff_mode:
    support: full
    description: Shows the list of pending zips on the server before and after the deletions.
notes:
  - "Sources: Citrix Licensing data collection programs (Licensing data collection programs) for the folders, file
    patterns, the single zip file to
    upload through Citrix Insight Services (CTX472950), the upload size limit (CTX131233), and deleting the files
    after upload; Citrix Licensing 11.17.2 build 49000 documentation (Reporting options, ~lines 699-765) for the
    C(cis_bundles) spelling and build 45000;
    Citrix License Telemetry FAQ and Citrix Licensing data collection programs for the 90-day rule."
  - Uninstalling License Server 11.17.2 build 45000 or later deletes the pending zips. Run this module before any
    uninstall.
  - Upload the bundles yourself through Citrix Insight Services. Afterwards, the C(upload_compliance_result.xml)
    that M(ctxlic.license_server.info) reads shows the result of the latest upload, manual or automatic.
  - One remote call computes the SHA-1 of every pending file; one fetch is made per pending file. For a server that
    collected a zip a day for months, expect several minutes on WinRM.
  - Runs on the controller as an action plugin. The host is touched only through C(win_find), one read-only
    C(win_powershell) call for sizes and SHA-1s, the connection's file fetch and, with O(cleanup), one C(win_powershell)
    call that checks and deletes the files.
author:
  - ctxlic maintainers (@ctxlic)
seealso:
  - module: ctxlic.license_server.info
  - module: ctxlic.license_server.fleet_report
  - name: Citrix Insight Services manual upload (CTX472950)
    description: How to upload the bundles.
    link: https://support.citrix.com/article/CTX472950
  - name: Citrix Insight Services file upload requirements (CTX131233)
    description: The upload size limit.
    link: https://support.citrix.com/article/CTX131233
"""

EXAMPLES = r"""
- name: Bundle the manual-upload telemetry of manual-mode servers (nothing is deleted)
  ctxlic.license_server.telemetry_bundle:
    dest: /srv/ctxlic/telemetry
  when: ctxlic_info.server.reporting_mode == 'manual'
  register: ctxlic_bundle

- name: Bundle and delete what is safely bundled, in bundles of at most 50 MiB
  ctxlic.license_server.telemetry_bundle:
    dest: /srv/ctxlic/telemetry
    max_bundle_bytes: 52428800
    cleanup: true

- name: See what would be fetched, bundled and deleted
  ctxlic.license_server.telemetry_bundle:
    dest: /srv/ctxlic/telemetry
    cleanup: true
  check_mode: true
  register: preview

- name: List the bundles to upload through Citrix Insight Services
  ansible.builtin.debug:
    msg: "{{ ctxlic_bundle.bundles | map(attribute='path') | list }}"
"""

RETURN = r"""
changed:
  description: True when anything was fetched, bundled, rejected, deleted or tidied (in check mode, would be).
  returned: always
  type: bool
  sample: true
msg:
  description: What was done, or why the task failed.
  returned: always
  type: str
  sample: >-
    6 pending zip(s) on the server; fetch 6; write 2 bundle(s);
    manifest /srv/ctxlic/telemetry/ls01/manifest.json
files:
  description: The pending manual-upload zips found on the server at the start of the run.
  returned: always
  type: dict
  contains:
    count:
      description: Number of files.
      type: int
      returned: always
      sample: 6
    bytes:
      description: Their total size in bytes.
      type: int
      returned: always
      sample: 1130
    oldest:
      description: Modification time of the oldest file (ISO 8601, UTC), or null.
      type: str
      returned: always
      sample: "2026-07-25T12:00:00Z"
    newest:
      description: Modification time of the newest file (ISO 8601, UTC), or null.
      type: str
      returned: always
      sample: "2026-11-21T12:00:00Z"
fetched:
  description: Server paths fetched in this run. In check mode, the paths that would be fetched.
  returned: always
  type: list
  elements: str
  sample: ['C:\Program Files (x86)\Citrix\Licensing\LS\resource\usage\upload_compliance_1795262400.zip']
already_bundled:
  description: Server paths that are already members of a verified bundle. They are not fetched again.
  returned: always
  type: list
  elements: str
  sample: []
bundles:
  description: Bundles written and verified in this run. In check mode, the planned bundles.
  returned: always
  type: list
  elements: dict
  contains:
    name:
      description: File name of the bundle.
      type: str
      returned: always
      sample: ls01_compliance_20261122_1.zip
    path:
      description: Path of the bundle on the controller.
      type: str
      returned: always
      sample: /srv/ctxlic/telemetry/ls01/bundles/ls01_compliance_20261122_1.zip
    size:
      description: Size in bytes. In check mode, the planned upper bound.
      type: int
      returned: always
      sample: 952
    sha256:
      description: SHA-256 of the bundle file. Null in check mode.
      type: str
      returned: always
      sample: 4cd9d2a9abaddb2517c3610c6b487f3a9aaf16c952234d17e0f6cabe68690a12
    members:
      description: Member names in the bundle (the zips' own file names).
      type: list
      elements: str
      returned: always
      sample: [upload_compliance_1795262400.zip]
    sources:
      description: Server paths of the members, in the same order.
      type: list
      elements: str
      returned: always
      sample: ['C:\Program Files (x86)\Citrix\Licensing\LS\resource\usage\upload_compliance_1795262400.zip']
    warnings:
      description: For example, that a single zip exceeds O(max_bundle_bytes).
      type: list
      elements: str
      returned: always
      sample: []
manifest:
  description: Path of the cumulative manifest on the controller.
  returned: always
  type: str
  sample: /srv/ctxlic/telemetry/ls01/manifest.json
deleted:
  description: Server paths deleted in this run (O(cleanup)). In check mode, the paths that would be deleted.
  returned: always
  type: list
  elements: str
  sample: ['C:\Program Files (x86)\Citrix\Licensing\LS\resource\usage\upload_compliance_1795262400.zip']
rejected:
  description: Server files that failed the zip checks. They are never deleted on the server.
  returned: always
  type: list
  elements: dict
  contains:
    path:
      description: Server path.
      type: str
      returned: always
      sample: 'C:\Program Files (x86)\Citrix\Licensing\LS\resource\usage\upload_compliance_1.zip'
    reason:
      description: Why the file was rejected.
      type: str
      returned: always
      sample: "member '../../evil.dll' contains a '..' segment"
    quarantined:
      description:
        - Where the rejected copy is on the controller.
        - Null for a file rejected by an earlier run, or in check mode.
      type: str
      returned: always
      sample: /srv/ctxlic/telemetry/ls01/rejected/compliance/upload_compliance_1.zip
    new:
      description: True when the file was rejected in this run, false when an earlier run rejected it.
      type: bool
      returned: always
      sample: true
errors:
  description:
    - Problems with single files, such as a transfer that still differs after a retry, a bundle that fails
      verification after it was written, or a deletion that failed. They make the task fail after everything
      else was done and recorded. Run the task again to retry.
  returned: always
  type: list
  elements: str
  sample: []
warnings:
  description:
    - Things to know that do not fail the task. These include re-fetched copies, rejected files, oversize single
      zips, invalidated bundles, and leftovers of an interrupted run that were tidied.
  returned: when there is something to warn about
  type: list
  elements: str
  sample: ["bundle ls01_compliance_20261122_1.zip failed verification (...): its members no longer count as bundled"]
diff:
  description: The pending zips on the server before and after the deletions (with C(--diff)).
  returned: when diff mode is on
  type: dict
  sample: {before: "C:\\...\\upload_compliance_1.zip\n", after: ""}
"""
