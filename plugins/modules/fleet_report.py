# Copyright: (c) 2026, ctxlic maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

# This file only documents the module; the code is the action plugin plugins/action/fleet_report.py.

DOCUMENTATION = r"""
---
module: fleet_report
short_description: Judge a fleet of Citrix License Servers against the telemetry compliance rules and write the report
version_added: 0.1.0
description:
  - Runs once, on the controller, after M(ctxlic.license_server.info) has gathered every license server of the
    play. It never contacts a target. Use it with C(run_once) (and C(delegate_to) C(localhost)).
  - Takes each host's C(server) record from the result registered as O(info_var) (or the explicit O(records)).
    A host whose result is missing, failed or unreachable becomes a failed record. The report lists it as not
    verified and counts it as not reporting; it is never dropped.
  - Records every observed upload result (C(upload_compliance_result.xml)) in an evidence history (SQLite) on the
    controller. The days since the last successful upload then survive a failed latest attempt, because the
    License Server keeps only its latest attempt, and compliance can be proven later.
  - Evaluates each server for ten checks. These are reachable and gathered, a successful upload within
    O(max_upload_age_days) days, the version within the upgrade window, the reporting mode, pending manual
    bundles and disk space, no expired or inactive licenses, and installed counts within the purchased counts
    when O(entitlements_file) is given; and three License Activation Service (LAS) checks, C(las_capable) (build
    51000 or later), C(licensing_technology) (not licensed only by license files after the end of file-based
    licensing on 2026-04-15, CTX695107) and C(las_contact) (the LAS endpoint reached within the daily period,
    otherwise license caching mode). The LAS state comes from the C(ctxlic_las) host variable (see
    M(ctxlic.license_server.info)); the newest C(las_offline_activation) event of the evidence history is shown
    as a server's last offline activation. Sources and dates are in the collection's docs/compliance.md.
  - Evaluates the fleet status as the Citrix License Telemetry FAQ defines it. C(Compliant) means every allocated
    license server sent telemetry in the last 90 days, C(Partially Compliant) means some did not, and
    C(Non-Compliant) means none did. C(Unknown) is used when there are no license servers at all.
  - Reports the other reasons a customer is flagged beside the status. These are an overdue upgrade, expired or
    inactive licenses, more licenses installed than purchased, and obsolete license servers that still hold
    allocations (from O(allocations_csv)).
  - Writes the report in every format of O(formats) to O(output_dir), atomically. The formats are JSON (the full
    report model), CSV (one row per server and per obsolete allocation), Markdown, HTML (self-contained,
    everything escaped) and JUnit XML (one test case per check, for CI). Every format lists every host, including
    unreachable and failed ones.
  - Fails the task only as O(fail_on) says, after the reports are written.
  - A manual upload an operator recorded with M(ctxlic.license_server.evidence_event)
    (O(ctxlic.license_server.evidence_event#module:kind=manual_upload)) counts as a successful upload for the
    90-day rule. The report shows it as operator-attested, with who recorded it and when, distinct from an upload
    result the server itself recorded.
  - A successful upload dated after the report's day (a wrong clock, or a hostile value such as year 9999) is never
    credited. The telemetry check shows it as a finding with its time, and such a result is not stored in the
    evidence history.
  - The report judges by the controller's clock (UTC). When every host of the report is a host of one lab fleet
    (C(ctxlic_lab_root)), it judges by that lab's simulated clock instead, so C(lab ... advance --days N) is seen as
    the lab's servers see it. O(as_of) overrides both. The report and RV(clock) say which clock was used.
  - Every data row of O(allocations_csv) is accounted for in the report files (section Input rows, CSV rows of kind
    C(input_row), JUnit cases and RV(input_rows)). A row whose cells cannot all be read still counts its host as
    allocated, with the unreadable quantity shown as UNKNOWN. Only a row without a host is ignored, with its
    reason.
  - Bidi control and zero-width characters in any value are shown as C(<U+202E>) (C(\\u202e) in JSON) in every
    format, so a name cannot display as something else.
options:
  hosts:
    description:
      - Inventory host names to report on.
      - Defaults to C(ansible_play_hosts_all), which is every host of the play, including hosts that failed or
        were unreachable.
      - Ignored when O(records) is given.
    type: list
    elements: str
  records:
    description:
      - Explicit per-server records (the C(server) return of M(ctxlic.license_server.info)), one per host, each
        with C(host). Use this to report on records collected another way, for example from an earlier run.
    type: list
    elements: dict
  info_var:
    description:
      - Name of the variable each host registered the M(ctxlic.license_server.info) result as.
      - The task reads C(hostvars[host][info_var].server).
    type: str
    default: ctxlic_info
  window_var:
    description:
      - Name of the variable each host registered a M(ctxlic.license_server.upgrade_window) result as, if any.
      - When present and successful, its C(window) replaces the record's C(window). Its C(catalog) is used as
        O(catalog) when O(catalog) is not given.
      - Not needed for a fresher catalog or another day. O(catalog_url) and O(as_of) judge every server's window
        once, on the controller, without one task per host.
    type: str
    default: ctxlic_window
  history:
    description: Keep and use the evidence history.
    type: bool
    default: true
  output_dir:
    description:
      - Controller directory for the report files. It is created when missing.
      - A relative path here, in O(history_db), O(entitlements_file) and O(allocations_csv) is relative to the
        playbook directory.
    type: path
    required: true
  formats:
    description: Report formats to write. Use an empty list to return the result without writing files.
    type: list
    elements: str
    choices: [json, csv, markdown, html, junit]
    default: [json, csv, markdown, html, junit]
  basename:
    description: >-
      File name of the reports without the extension. The files are C(<basename>.json), C(.csv), C(.md),
      C(.html) and C(.xml).
    type: str
    default: compliance_report
  title:
    description: Report title.
    type: str
    default: Citrix License Server compliance report
  as_of:
    description:
      - Evaluate as of this date (C(YYYY-MM-DD), midnight UTC) or time (ISO 8601). Defaults to now, in UTC (the
        lab's simulated clock when every host is a host of one lab fleet).
      - Set it to reproduce a past audit.
    type: str
  max_upload_age_days:
    description:
      - A server is not reporting when its last successful upload is more than this many days old.
      - The vendor rule is 90 (Citrix License Telemetry FAQ, CTX477614). Change it only to be stricter.
      - From 1 to 3650; other values fail the task.
    type: int
    default: 90
  upload_warning_days:
    description: Warn when at most this many days are left before O(max_upload_age_days) is reached.
    type: int
    default: 14
  upgrade_warning_days:
    description: Warn when the upgrade deadline is at most this many days away.
    type: int
    default: 30
  entitlements_file:
    description:
      - YAML or JSON file of purchased license counts, for the check that more licenses are not installed than
        purchased (Citrix licensing telemetry and compliance status, reason 5). Without it that check is C(unknown).
      - 'Format: C({entitlements: [{feature: XDT_PLT_UD, purchased: 100}]}). Several entries for one feature add
        up.'
      - Counts are whole numbers from 0 to 10^12. A file that cannot be read (nested too deeply, a number with
        thousands of digits) fails the task with a message, never a traceback.
    type: path
  allocations_csv:
    description:
      - Allocation export of the Citrix licensing portal (CSV, with comma, semicolon or tab delimiters).
      - Host names that hold allocations but are not in the inventory are obsolete license servers. They count as
        allocated license servers that do not report until their allocations are returned (Citrix licensing
        telemetry and compliance status).
      - The export's real column names are not in the vendor documents. Set the three column options to match
        your export (the C(ctxlic.license_server.telemetry) role and C(playbooks/fleet_report.yml) expose them as
        C(ctxlic_telemetry_allocation_host_column), C(ctxlic_telemetry_allocation_product_column) and
        C(ctxlic_telemetry_allocation_quantity_column)).
      - Quantities may carry thousands separators (C(1,000), C(1.000), C(1 000)) and surrounding spaces. Each line
        is one row; a stray quote or an over-long cell spoils that row only.
      - A portal host name that matches a License Server only when letter case is ignored is reported in the
        evidence notes (license files are bound to the host name case-sensitively).
    type: path
  allocation_host_column:
    description: Column of O(allocations_csv) that holds the license server host name.
    type: str
    default: Host ID
  allocation_product_column:
    description: Column of O(allocations_csv) that holds the product.
    type: str
    default: Product
  allocation_quantity_column:
    description: Column of O(allocations_csv) that holds the allocated quantity.
    type: str
    default: Quantity
  catalog:
    description:
      - The C(catalog) dict that M(ctxlic.license_server.upgrade_window) returns. The report states the newest
        release, the fetch date, and a warning when the catalog is stale, because a stale catalog makes outdated
        servers look current.
      - Defaults to the catalog of the first host's O(window_var) result. Without either, the release catalog this
        task loads (see O(catalog_url)).
    type: dict
  catalog_url:
    description:
      - Where to refresh the release catalog from, once for the whole fleet, as
        O(ctxlic.license_server.upgrade_window#module:catalog_url) does (the vendor's "What's new" page or an
        organisation mirror in JSON or YAML). A failed refresh warns and keeps the last good catalog.
      - Without it, the task uses the shipped catalog with the last good cache (O(catalog_cache)), the catalog
        M(ctxlic.license_server.info) judged each server's window with.
      - With it, or with O(as_of), every gathered server's upgrade window is judged again here, on the controller,
        against that catalog. The day is O(as_of), else the day of the server's own gather. A successful
        O(window_var) result of a host still replaces its window.
    type: str
  catalog_cache:
    description:
      - Controller-side JSON file with the last successfully fetched releases, shared with
        M(ctxlic.license_server.upgrade_window) and M(ctxlic.license_server.info). A cache of O(catalog_url) younger
        than an hour is used without a new request.
      - Set to an empty string to disable caching.
    type: path
    default: ~/.cache/ctxlic/release_catalog.json
  junit_warn_as_failure:
    description: In the JUnit report, count warnings as failures as well.
    type: bool
    default: false
  json_indent:
    description:
      - Spaces per level in the JSON report. V(0) (the default) writes compact JSON, several times faster
        to write and smaller; a number from 1 to 8 writes an indented file for people to read.
      - The content is the same either way (schema version 2, see C(docs/report_schema.json)).
    type: int
    default: 0
  fail_on:
    description:
      - When the task fails, after the reports are written.
      - V(non_compliant) fails when the fleet status is C(Non-Compliant).
      - V(partially_compliant) fails when it is anything but C(Compliant), including C(Unknown).
      - V(action_required) fails when anything needs action. That is a status other than C(Compliant), a server
        that is not compliant, a failed check, or an obsolete allocation.
      - V(never) never fails on the verdict.
    type: str
    choices: [non_compliant, partially_compliant, action_required, never]
    default: never
  mode:
    description:
      - V(full) judges the hosts of this run from their registered O(info_var) results and writes the reports (one
        unsliced run over the whole fleet).
      - V(gather) is one part of a sliced run (AWX job slicing, or C(--limit) parts run as separate jobs). It records
        each host's registered O(info_var) and O(window_var) results in the evidence history, under the run's name
        O(gather_run_id), and returns no verdict and writes no report, because a part of the fleet has no fleet
        status. A host whose O(info_var) does not exist in this run is not recorded.
      - V(report) connects to nothing and reads no registered result. It judges every host of O(hosts) (the
        inventory's full host list; default the play's hosts), or every server of the allocation export
        (O(expected_hosts=allocations)), from its latest gather recorded in the history no older than
        O(gather_max_age_hours), and writes the reports. A host without such a gather is reported as not
        gathered (not verified) and listed in RV(gathers.not_gathered).
      - V(gather) and V(report) need O(history=true). Every slice and the report job must use the same
        O(history_db); in AWX a PostgreSQL database (slices run on different nodes).
    type: str
    choices: [full, gather, report]
    default: full
  gather_run_id:
    description:
      - The name of this gather run in the history (O(mode=gather)). Recording the same run again replaces its rows.
      - Default the AWX job id (C(awx_job_id), with C(awx_job_slice_number)), else a random id.
    type: str
  expected_hosts:
    description:
      - Where a report job (O(mode=report)) takes the fleet's host list from.
      - V(inventory) judges the hosts of O(hosts) (the inventory's full host list; default the play's hosts).
      - V(allocations) judges every license server the allocation export O(allocations_csv) names, whatever the
        play's hosts are, so the report job can run on C(localhost) alone. Its allocated servers are the fleet the
        Citrix License Telemetry FAQ counts. A portal host name matches a recorded gather by its exact name, by the
        first label of a DNS name, or ignoring letter case (the evidence notes then say that the case differs).
        A server with no fresh gather is reported as not gathered, with a reason that names the allocation. It is
        either a server the gather jobs do not cover or a decommissioned server whose allocations must be returned.
      - With V(allocations), rows of the export that name no host are not servers. Like every bad row, they are
        listed in the warnings and in the report's input rows. An export that names no host at all fails the task.
    type: str
    choices: [inventory, allocations]
    default: inventory
  gather_max_age_hours:
    description:
      - Freshness limit of O(mode=report), in hours from 1 to 2160. The report uses each server's latest gather
        recorded no more than this long before the report job (the controller's clock). Set it above the time your
        slices take, and below the interval between two scheduled runs, so a slice that stopped is not hidden by the
        previous run's gather.
    type: int
    default: 24
extends_documentation_fragment:
  - ctxlic.license_server.evidence_history
  - ctxlic.license_server.license_lines
  - ctxlic.license_server.attributes.controller
attributes:
  check_mode:
    support: full
    description:
      - Evaluates and returns the result, but writes no report files and records nothing in the evidence history.
        It reads the history if the file exists.
  diff_mode:
    support: none
    description: Reports are regenerated as a whole. There is nothing to diff.
notes:
  - "Sources: Citrix License Telemetry FAQ (CTX477614) for the 90-day rule and the Compliant / Partially Compliant /
    Non-Compliant statuses (docs/sources.md gives the address of every document named here). Citrix Licensing data
    collection programs for the upload result file and manual reporting. Citrix licensing telemetry and compliance
    status (practitioner article) for the five reasons and obsolete license servers. Citrix - Update Required (partner
    notice) and the Citrix Licensing 11.17.2 build 49000 documentation for the upgrade window."
  - The vendor portal updates its status about 24 hours after a change (Citrix License Telemetry FAQ). The report
    shows the servers as of O(as_of).
  - Every report leads with an overall verdict that agrees with the per-server results (never green while a server
    is non-compliant or unknown); the FAQ's telemetry-only status follows it, labelled as such. Each server has an
    ordered to-do list and the report lists what to do this week (HTML, Markdown, CSV rows of kind C(todo), JSON,
    JUnit). See docs/compliance.md.
  - In AWX/AAP use a PostgreSQL history_db, or put the SQLite file on storage that outlives the job. Otherwise the
    evidence history starts empty on every job, and a server whose latest attempt failed shows no earlier success.
  - Sliced runs (O(mode)) are described in docs/execution_environment.md, "Sliced gathers".
  - A server that cannot be gathered counts as not reporting even when the history shows a recent success, because
    the report does not vouch for what it could not verify.
  - RV(changed) is true when report files were written (they carry the generation time, so every run rewrites
    them) or when the evidence history gained an observation.
author:
  - ctxlic maintainers (@ctxlic)
seealso:
  - module: ctxlic.license_server.info
  - module: ctxlic.license_server.upgrade_window
  - module: ctxlic.license_server.telemetry_bundle
  - name: Citrix License Telemetry FAQ (CTX477614)
    description: The 90-day rule and the fleet statuses.
    link: https://support.citrix.com/article/CTX477614
"""

EXAMPLES = r"""
- name: Gather every license server (unreachable and failed hosts stay in the report)
  ctxlic.license_server.info:
  register: ctxlic_info
  ignore_unreachable: true
  ignore_errors: true

- name: Write the fleet report (upgrade windows against a refreshed catalog) and fail unless every server reports
  ctxlic.license_server.fleet_report:
    output_dir: "{{ playbook_dir }}/reports"
    catalog_url: https://docs.citrix.com/en-us/licensing/current-release/whats-new.html
    history_db: /var/lib/ctxlic/evidence.sqlite
    entitlements_file: "{{ playbook_dir }}/entitlements.yml"
    allocations_csv: "{{ playbook_dir }}/allocations.csv"
    fail_on: partially_compliant
  run_once: true
  delegate_to: localhost
  register: ctxlic_report

- name: Only the JUnit file, for CI, without evidence history
  ctxlic.license_server.fleet_report:
    hosts: "{{ groups['license_servers'] }}"
    output_dir: "{{ lookup('ansible.builtin.env', 'CI_PROJECT_DIR') }}/junit"
    formats: [junit]
    history: false
    fail_on: action_required
  run_once: true
  delegate_to: localhost

# A sliced run (AWX job slicing): every slice job runs this with mode gather, then one report job (not sliced)
# runs it with mode report over the whole group. The password comes from the environment (PGPASSWORD).
- name: Record this slice's gathers in the shared history
  ctxlic.license_server.fleet_report:
    mode: gather
    history_db: postgresql://ctxlic@db.example.com/ctxlic
    output_dir: /tmp/unused
  run_once: true
  delegate_to: localhost

- name: Judge the whole fleet from the gathers of the last 12 hours
  ctxlic.license_server.fleet_report:
    mode: report
    hosts: "{{ groups['license_servers'] }}"
    history_db: postgresql://ctxlic@db.example.com/ctxlic
    gather_max_age_hours: 12
    output_dir: /srv/reports
  run_once: true
  delegate_to: localhost
"""

RETURN = r"""
changed:
  description: True when report files were written or the evidence history gained an observation.
  returned: always
  type: bool
  sample: true
msg:
  description:
    - The overall verdict, then the fleet telemetry status in one sentence with the report paths, or why the task
      failed (O(fail_on)).
  returned: always
  type: str
  sample: >-
    Action required: 3 of 12 servers non-compliant. Fleet telemetry status (Citrix License Telemetry FAQ) Partially
    Compliant: 7 of 12 allocated license servers reporting. Reports: /srv/r/compliance_report.json, ...
verdict:
  description:
    - The overall verdict that leads every report format. It agrees with the per-server results; it is never
      C(pass) while a server is non-compliant or unknown, whatever the telemetry-only FAQ status says.
  returned: success
  type: dict
  contains:
    tone:
      description: C(fail) (action required), C(unknown) (not proven), C(warn) (compliant with warnings) or C(pass).
      type: str
      returned: always
      sample: fail
    headline:
      description: The verdict in one line.
      type: str
      returned: always
      sample: "Action required: 3 of 3 servers non-compliant"
    detail:
      description: The hosts behind the verdict.
      type: str
      returned: always
      sample: "Non-compliant: ls01, ls02, ls03."
    action_required:
      description: True when the tone is C(fail).
      type: bool
      returned: always
      sample: true
    servers:
      description: Servers in the report.
      type: int
      returned: always
      sample: 3
    non_compliant:
      description: Non-compliant servers.
      type: int
      returned: always
      sample: 3
    unknown:
      description: Servers whose compliance is not proven.
      type: int
      returned: always
      sample: 0
    compliant:
      description: Compliant servers.
      type: int
      returned: always
      sample: 0
    obsolete_allocations:
      description: Obsolete allocations to return.
      type: int
      returned: always
      sample: 0
    telemetry_status:
      description: The fleet telemetry status of the Citrix License Telemetry FAQ (telemetry only).
      type: str
      returned: always
      sample: Compliant
todo:
  description:
    - Per inventory host, the ordered actions that make it compliant (empty when every check passes), derived from
      the checks' evidence.
    - Each action has C(order), C(check), C(severity), C(action), C(deadline) (ISO date or null) and C(when)
      (C(overdue since D), C(today), C(by D), C(now), C(when possible) or C(to prove compliance)).
  returned: success
  type: dict
  sample:
    ls01:
      - order: 1
        check: upgrade_window
        severity: fail
        action: Upgrade to 11.17.2 build 46000 or later by 2024-08-19 with the ctxlic.license_server.upgrade playbook.
        deadline: "2024-08-19"
        when: overdue since 2024-08-19
todo_week:
  description:
    - What to do this week across the fleet, ordered by deadline; C(later) counts the actions due after the week.
  returned: success
  type: dict
  sample:
    as_of: "2026-12-02"
    until: "2026-12-09"
    items: []
    later: 0
collection_version:
  description: The version of this collection that wrote the report (MANIFEST.json of the installed collection, or
    galaxy.yml of a checkout); null when neither can be read.
  returned: success
  type: str
  sample: 0.1.0
fleet:
  description: The fleet verdict.
  returned: success
  type: dict
  contains:
    status:
      description: C(Compliant), C(Partially Compliant), C(Non-Compliant) or C(Unknown) (no license servers at all).
      type: str
      returned: always
      sample: Partially Compliant
    status_reason:
      description: The status in words, with the counts.
      type: str
      returned: always
      sample: "5 of 12 allocated license servers did not send telemetry in the last 90 days (Citrix License Telemetry
        FAQ)."
    action_required:
      description: True when the status is not C(Compliant), a check failed, or a server is not compliant.
      type: bool
      returned: always
      sample: true
    attention_required:
      description: Like RV(fleet.action_required), and also true for warnings and a stale catalog.
      type: bool
      returned: always
      sample: true
    counts:
      description:
        - Counters. C(servers), C(allocated) (distinct license server host names plus obsolete allocations),
          C(reporting), C(not_reporting), C(obsolete_allocations), C(compliant), C(non_compliant), C(unknown),
          C(unreachable), C(telemetry_failing), C(overdue_upgrade), C(upgrade_due_soon), C(expired_licenses),
          C(license_warnings), C(surplus_licenses), C(manual_mode), C(pending_bundles), C(licensing_files),
          C(licensing_las), C(licensing_both), C(licensing_none), C(licensing_unknown) (servers per licensing
          technology), C(las_incapable), C(las_caching_mode).
      type: dict
      returned: always
      sample: {servers: 12, allocated: 12, reporting: 7, not_reporting: 5, unreachable: 1}
    not_reporting:
      description:
        - Every allocated license server that is not reporting, with the reason.
        - This includes unreachable and failed hosts.
      type: list
      elements: dict
      returned: always
      sample: [{host: ls-unreachable, reason: "Host unreachable: ... Counted as not reporting until verified; ..."}]
    other_findings:
      description:
        - The other reasons of the practitioner article (Citrix licensing telemetry and compliance status) and the
          quality of the evidence.
        - Each has C(id), C(severity), C(title), C(hosts) and C(message).
      type: list
      elements: dict
      returned: always
      sample:
        - {id: upgrade_overdue, severity: fail, title: Upgrade overdue, hosts: [ls-overdue-upgrade], message: "..."}
reports:
  description: Path of each written report, by format. Empty in check mode or with an empty O(formats).
  returned: always
  type: dict
  sample:
    json: /srv/r/compliance_report.json
    csv: /srv/r/compliance_report.csv
    markdown: /srv/r/compliance_report.md
    html: /srv/r/compliance_report.html
    junit: /srv/r/compliance_report.xml
servers:
  description: Per-host verdicts, sorted by host.
  returned: success
  type: list
  elements: dict
  contains:
    host:
      description: Inventory host name.
      type: str
      returned: always
      sample: ls01
    hostname:
      description: The License Server's host name, as it sees itself. Null when unknown.
      type: str
      returned: always
      sample: LS01
    status:
      description: C(compliant), C(non_compliant) or C(unknown). An unreachable or failed host is C(unknown).
      type: str
      returned: always
      sample: compliant
    reporting:
      description: True when a successful upload within O(max_upload_age_days) is verified.
      type: bool
      returned: always
      sample: true
    usable:
      description: False when the host could not be gathered (unreachable, or the gather failed).
      type: bool
      returned: always
      sample: true
    checks:
      description:
        - One entry per check, each with C(id), C(status) and C(message). The C(id) is one of C(reachable),
          C(ls_installed), C(telemetry_upload), C(upgrade_window), C(reporting_mode), C(pending_bundles),
          C(licenses_expired), C(licenses_surplus), C(las_capable), C(licensing_technology) or C(las_contact).
          The C(status) is C(pass), C(warn), C(fail) or C(unknown).
      type: list
      elements: dict
      returned: always
      sample: [{id: telemetry_upload, status: pass, message: "Last successful upload 1 day ago (...)"}]
obsolete_allocations:
  description:
    - Host names that hold allocations on the licensing portal but are not in the inventory (Citrix licensing
      telemetry and compliance status).
    - Each has its products and quantities. C(quantity_total) is null (UNKNOWN) when a quantity could not be read.
  returned: success
  type: list
  elements: dict
  sample: [{host: OLDLS01, products: [XDT_PLT_UD], quantity_total: 100, message: "Obsolete license server — ..."}]
catalog:
  description:
    - The release catalog notice of the report.
    - It has the newest release, the fetch date, whether the catalog is stale, and a message.
  returned: success
  type: dict
  sample:
    available: true
    newest_release: 11.17.2 build 51000
    newest_release_date: "2024-12-01"
    stale: true
    message: "STALE ..."
history:
  description: The evidence history used.
  returned: success
  type: dict
  contains:
    enabled:
      description: The O(history) option.
      type: bool
      returned: always
      sample: true
    path:
      description: The O(history_db) path or PostgreSQL connection, its password replaced by C(***). Null when the
        history is off.
      type: str
      returned: always
      sample: /var/lib/ctxlic/evidence.sqlite
    recorded:
      description: Upload results new to the history in this run. Results seen before only widen their observation span.
      type: int
      returned: always
      sample: 3
mode:
  description: The O(mode) of this run.
  returned: always
  type: str
  sample: full
gathered:
  description: What a gather run (O(mode=gather)) recorded in the history. The only fleet result of such a run.
  returned: when O(mode=gather)
  type: dict
  contains:
    run_id:
      description: The run's name in the history (O(gather_run_id)).
      type: str
      sample: awx-job-4711-slice-2
    gathered_at:
      description: When the rows were recorded (controller's clock, UTC).
      type: str
      sample: "2026-11-22T12:00:00Z"
    hosts:
      description: Hosts whose results were recorded.
      type: list
      elements: str
      sample: [ls01, ls05]
    recorded:
      description: Rows written (0 in check mode).
      type: int
      sample: 2
    skipped:
      description: Hosts of the run without an O(info_var) result (not recorded).
      type: list
      elements: str
      sample: []
gathers:
  description: Where the servers of a report run (O(mode=report)) came from.
  returned: when O(mode=report)
  type: dict
  contains:
    max_age_hours:
      description: O(gather_max_age_hours).
      type: int
      sample: 24
    since:
      description: The oldest gather time used (controller's clock, UTC).
      type: str
      sample: "2026-11-21T12:00:00Z"
    fresh:
      description: Servers judged from a fresh gather.
      type: int
      sample: 998
    not_gathered:
      description: Servers without a gather since RV(gathers.since), reported as not gathered (not verified).
      type: list
      elements: str
      sample: [ls0413, ls0414]
    runs:
      description: Servers per gather run used.
      type: dict
      sample: {awx-job-4711-slice-1: 250, awx-job-4711-slice-2: 248}
    expected_hosts:
      description: Where the report's host list came from, O(expected_hosts).
      type: str
      sample: allocations
    allocated_as:
      description:
        - With O(expected_hosts=allocations), each reported server and the host names the allocation export gives it
          (the portal's spelling may differ from the name the gather jobs recorded, in case or DNS domain).
      returned: when O(expected_hosts=allocations)
      type: dict
      sample: {ls01.corp.example: [LS01]}
as_of:
  description: The evaluation time (ISO 8601, UTC).
  returned: success
  type: str
  sample: "2026-11-22T10:00:00Z"
clock:
  description: Whose clock the report judged by (the controller's or a lab's simulated clock), and its time.
  returned: success
  type: str
  sample: "Report clock: the controller's clock, 2026-11-22T10:00:00Z (UTC)."
input_rows:
  description:
    - The account of every data row of O(allocations_csv). Null when no O(allocations_csv) was given.
    - C(rows) = C(used) + C(ignored). C(findings) has one entry per problem, with C(row) (the header is row 1),
      C(code), C(host), C(ignored) (true when the row is not used at all) and C(message) (the reason).
  returned: success
  type: dict
  sample:
    option: allocations_csv
    path: /srv/ctxlic/allocations.csv
    rows: 8
    used: 8
    used_with_findings: 1
    ignored: 0
    findings: [{row: 5, code: bad_quantity, host: OLDLS02, ignored: false, message: "row 5: ..."}]
    message: "allocations_csv: 8 data rows read: 8 used (1 of them with a finding), 0 ignored."
warnings:
  description: For example, rows of O(allocations_csv) that were ignored, or upload results that could not be recorded.
  returned: when there is something to warn about
  type: list
  elements: str
  sample: ["allocations_csv: row 4: 'Quantity' is 'ten', not a whole number >= 0 (thousands separators are fine);
    quantity UNKNOWN; host 'OLDLS02' still counts as allocated"]
"""
