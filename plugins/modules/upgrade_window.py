#!/usr/bin/python
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

# This file only documents the module; the code is the action plugin plugins/action/upgrade_window.py.

DOCUMENTATION = r"""
---
module: upgrade_window
short_description: Check a Citrix License Server version against the six-month upgrade window
version_added: "0.1.0"
description:
  - Decides whether an installed Citrix License Server version is C(current), C(within_window),
    C(overdue), C(below_floor) or C(unknown), measured against a release catalog of License Server
    builds and their release dates.
  - It never claims what the catalog cannot prove. C(current) needs a catalog that can exclude a newer
    release. Its knowledge, meaning its newest release or its last successful refresh if that is later,
    must be at most O(catalog_max_age_days) old at O(as_of), and the installed build must be one the
    catalog lists or an older one. Otherwise a server with no known newer release is C(unknown)
    (RV(window.unknown_reason) C(catalog_stale) or C(installed_not_catalogued)), with the reason and
    the fix, which is to refresh the catalog or set O(catalog_url). A newer release the catalog missed
    may already be past its deadline.
  - With a known newer release the verdict stays provable even when the catalog is old. The deadline and
    the days are those of the oldest unmet release, because a release the catalog missed is newer and
    due later. A server past that deadline is C(overdue) whatever the age of the catalog.
  - The rule (see the notes) is that each new License Server release must be installed within
    6 months of its release date, and nothing older than 11.17.2 build 40000 is acceptable at all.
    For every release newer than the installed version the deadline is its release date plus six
    calendar months (end of month clamped, so 2024-08-31 + 6 months is 2025-02-28); the earliest of
    those deadlines decides, because every newer release is still unmet.
  - The deadline day itself is still inside the window (RV(window.days_left=0)); the day after is
    overdue (RV(window.days_overdue=1)). The sources say "within 6 months" and give no time of day,
    so a whole calendar day is the finest unit that can be defended.
  - Only releases published on or before O(as_of) count.
  - The release catalog is data, not code. The collection ships the releases dated in the vendor
    documentation (11.16.6 build 34000 of 2021-03-17 up to 11.17.2 build 49000 of 2024-08-12) and
    11.17.2 build 51000 of December 2024. The source gives only the month for build 51000, so it
    is recorded as 2024-12-01 with C(date_precision=month). Using the first day of the month is the
    strict reading, so its deadline (2025-06-01) is never later than the real one.
  - No later build is shipped, because no public vendor page with a release date for one could be
    cited (see the Compliance rules page of the collection docs). With the shipped catalog alone, a
    server on build 51000 is therefore C(unknown) from 2025-05-31 on. Refresh the catalog to prove it.
  - With O(catalog_url) the catalog is refreshed from the vendor's "What's new" page (HTML or its
    plain-text/markdown export) or from an organisation-hosted JSON/YAML mirror. Fetched releases
    are merged with the shipped ones. A fetched exact date replaces a shipped month-precision date,
    and a conflicting date is replaced by the fetched one and reported as a warning.
  - If a refresh fails for any reason (HTTP error, timeout, redirect loop, a page without dated
    releases, an invalid mirror), the task does not fail. It keeps the last good cached catalog
    (or the shipped data) and returns a warning that names the URL and the cause.
  - A catalog whose knowledge is older than O(catalog_max_age_days) is reported as stale. A server on
    its newest build is then C(unknown), not C(current).
  - Parallel hosts of one run fetch the page once. The first one fetches and writes O(catalog_cache)
    under a lock (C(<catalog_cache>.lock)), and the others wait and then use that cache (see
    O(catalog_cache_ttl)).
  - Runs on the controller only and never connects to the target. Feed it the version the
    C(ctxlic.license_server.info) module gathered (C(server.version.text)).
options:
  installed_version:
    description:
      - The installed License Server version, as read from the registry value
        C(HKLM\SOFTWARE\WOW6432Node\Citrix\LicenseServer\Install\Version) or printed by the
        vendor documents.
      - Accepted forms include C(11.17.2.0 build 42000), C(11.17.2 build 49000),
        C(11.17.2.0 Build 45000) and C(11.16.6 build 34000), with any amount of whitespace.
      - A version without a build number (C(11.17.2.0)) cannot be placed among the 11.17.2 builds.
        Its status is C(unknown), unless major.minor.patch alone shows that it is below the floor.
      - Anything else fails the task with a message that names the value.
    type: str
    required: true
  as_of:
    description:
      - The day to judge the window on, as C(YYYY-MM-DD).
      - Defaults to today in UTC. Set it to reproduce a past verdict or to look ahead.
    type: str
  warn_days:
    description:
      - When at most this many days are left until the deadline, RV(window.due_soon) is true.
    type: int
    default: 30
  fail_on:
    description:
      - When the task fails.
      - V(never) never fails on the verdict. Read RV(window.status) instead.
      - V(overdue) fails when a deadline has passed. This covers RV(window.status=overdue) and
        C(below_floor) after its deadline.
      - V(due_soon) fails like V(overdue), and also when RV(window.due_soon) is true.
    type: str
    choices: [overdue, due_soon, never]
    default: never
  fail_on_unknown:
    description:
      - With O(fail_on) other than V(never), also fail when the status is C(unknown). That is the
        case when the version has no build number, when the catalog is stale, or when the installed
        build is newer than every catalogued release.
      - The sources are silent on this case. The default is true because a window that cannot be
        proven cannot be shown to be compliant.
    type: bool
    default: true
  catalog_url:
    description:
      - Where to refresh the release catalog from. This is the vendor's "What's new" page for Citrix
        Licensing (HTML, or its plain-text/markdown export) or an organisation-hosted mirror in JSON
        or YAML.
      - 'Mirror schema: C({releases: [{version: "11.17.2 build 51000", released: "2024-12-01",
        source: "...", date_precision: "month"}]}). C(date_precision) is C(day) or C(month) and
        defaults to C(day). C(source) defaults to the URL.'
      - When unset, the task uses the shipped catalog together with the last good cache, if one
        exists.
      - Only C(http) and C(https) URLs are accepted.
      - The sources do not give the address of the vendor page. The URL in the examples is the Citrix
        documentation address at the time of writing, so check it before you rely on it.
    type: str
  catalog_format:
    description:
      - How to read O(catalog_url).
      - V(auto) decides by the Content-Type, then the URL suffix (C(.json), C(.yml)/C(.yaml),
        C(.html)), then the first byte of the body.
      - V(html) also reads the plain-text/markdown export of the page.
    type: str
    choices: [auto, html, json, yaml]
    default: auto
  catalog_cache:
    description:
      - Controller-side JSON file that holds the last successfully fetched releases, so a later
        failed refresh still has them.
      - The file is written atomically, through a temporary file and a rename. It is also written
        in check mode, because it is the controller's own cache and not state on the target.
      - Set to an empty string to disable caching.
      - A relative path is taken from the playbook's directory; C(~) is the controller user's home directory.
    type: path
    default: ~/.cache/ctxlic/release_catalog.json
  catalog_cache_ttl:
    description:
      - A cache of the same O(catalog_url) that is younger than this many seconds is used without
        a new request. A fleet run then contacts the page once rather than once per host.
      - V(0) fetches every time.
    type: int
    default: 3600
  catalog_max_age_days:
    description:
      - How old, in days at O(as_of), the catalog's knowledge may be before it can no longer exclude a
        newer release. The knowledge is the date of its newest release, or of its last successful
        refresh if that is later.
      - The default of 180 days is about the six-month upgrade window. A release the catalog missed that
        came out right after its newest one would be due about 180 days later, so past that age a server
        on the newest known build may already be overdue.
      - A stale catalog adds a warning, sets RV(catalog.stale) and makes a server on the newest known
        build C(unknown) instead of C(current). A server behind a known release keeps its provable
        deadline.
    type: int
    default: 180
  timeout:
    description:
      - Seconds to wait for the catalog server to connect and to send data.
    type: float
    default: 10
  proxy:
    description:
      - HTTP(S) proxy URL for the refresh, for example C(http://proxy.example.com:8080).
      - When unset, the usual C(HTTPS_PROXY)/C(HTTP_PROXY)/C(NO_PROXY) environment variables of the
        controller apply.
    type: str
  ca_bundle:
    description:
      - CA certificate bundle (PEM) used to verify the catalog server, for example an internal
        mirror that has a private CA.
      - A relative path is taken from the playbook's directory; C(~) is the controller user's home directory.
    type: path
  validate_certs:
    description:
      - Verify the TLS certificate of O(catalog_url).
      - Turn this off only for testing.
    type: bool
    default: true
extends_documentation_fragment:
  - ctxlic.license_server.attributes.controller
attributes:
  check_mode:
    support: full
    description:
      - Runs the same in check mode and never changes the target. The release catalog cache on the controller
        (O(catalog_cache)) is written in check mode too, because it is the controller's own cache.
  diff_mode:
    support: none
    description: The module changes nothing on the target, so there is nothing to diff.
notes:
  - "Sources: the Citrix License Telemetry FAQ (CTX477614) and the Customer Success Services terms
    quoted in the article Citrix licensing telemetry and compliance status say to transition to
    11.17.2 Build 40000 by March 31, 2023, and to subsequent new versions within 6 months of the
    release of each new version. The partner notice License Server update required says the same.
    Release dates come from the What's new section of the Citrix Licensing 11.17.2 build 49000
    documentation. Build 51000 comes from the same article, and its existence is confirmed by the
    Citrix Virtual Apps and Desktops 2411 page License Activation Service."
  - "Statuses: C(current) means no known release is newer than the installed version.
    C(within_window) means newer releases exist and the earliest deadline has not passed.
    C(overdue) means that deadline has passed. C(below_floor) means the version is older than 11.17.2
    build 40000, with a deadline that is the earlier of 2023-03-31 and the first newer release's
    deadline. C(unknown) means the window cannot be proven, see RV(window.unknown_reason)."
  - The module never changes anything, so RV(changed) is always false. Check mode is supported.
  - Async is not supported; the task is quick.
  - Parsing the HTML page needs the Python library C(lxml) on the controller, and refreshing over HTTP
    needs C(requests).
author:
  - ctxlic maintainers (@ctxlic)
seealso:
  - name: Citrix License Telemetry FAQ (CTX477614)
    description: The six-month upgrade rule and the 11.17.2 build 40000 floor.
    link: https://support.citrix.com/article/CTX477614
  - name: What's new in Citrix Licensing
    description: The vendor page that lists each License Server build with its release date.
    link: https://docs.citrix.com/en-us/licensing/current-release/whats-new.html
"""

EXAMPLES = r"""
- name: Judge the version gathered by the info module (uses the shipped catalog and any cache)
  ctxlic.license_server.upgrade_window:
    installed_version: "{{ ls_info.server.version.text }}"
  register: ls_window

- name: Refresh the catalog from the vendor page and fail when any deadline has passed
  ctxlic.license_server.upgrade_window:
    installed_version: "11.17.2.0 build 45000"
    catalog_url: https://docs.citrix.com/en-us/licensing/current-release/whats-new.html
    fail_on: overdue

- name: Use an internal JSON mirror through a proxy, with a private CA
  ctxlic.license_server.upgrade_window:
    installed_version: "{{ ls_info.server.version.text }}"
    catalog_url: https://intranet.example.com/citrix/ls_releases.json
    proxy: http://proxy.example.com:8080
    ca_bundle: /etc/pki/tls/certs/corp-ca.pem
    warn_days: 45
    fail_on: due_soon

- name: Reproduce the verdict of a past audit day
  ctxlic.license_server.upgrade_window:
    installed_version: "11.17.2 build 44000"
    as_of: "2024-06-19"
  register: audit

- name: Show the deadline
  ansible.builtin.debug:
    msg: "{{ audit.window.status }}: deadline {{ audit.window.deadline }} ({{ audit.window.required_release.version }})"
"""

RETURN = r"""
changed:
  description: Always false. The module only reads.
  returned: always
  type: bool
  sample: false
msg:
  description: What the verdict means, in words. When the task fails, why it failed.
  returned: always
  type: str
  sample: >-
    Installed 11.17.2 build 45000 is behind: 11.17.2 build 46000 released 2024-02-19 had to be
    installed within 6 months; the deadline 2024-08-19 passed 13 day(s) ago. Latest known release:
    11.17.2 build 49000.
window:
  description: The verdict.
  returned: success
  type: dict
  contains:
    status:
      description: One of C(current), C(within_window), C(overdue), C(below_floor), C(unknown).
      type: str
      returned: always
      sample: overdue
    installed:
      description: The installed version in canonical form.
      type: str
      returned: always
      sample: 11.17.2 build 45000
    installed_version:
      description: The parsed installed version.
      type: dict
      returned: always
      sample: {text: "11.17.2.0 build 45000", major: 11, minor: 17, patch: 2, build: 45000, build_known: true}
    as_of:
      description: The day the verdict is for (YYYY-MM-DD).
      type: str
      returned: always
      sample: "2024-09-01"
    deadline:
      description: The deciding deadline (YYYY-MM-DD). Null when the status is C(current) or C(unknown).
      type: str
      returned: always
      sample: "2024-08-19"
    days_left:
      description:
        - Days from O(as_of) to the deadline; 0 on the deadline day.
        - Null when there is no deadline or it has passed.
      type: int
      returned: always
      sample: 10
    days_overdue:
      description: Days since the deadline passed; 1 on the day after the deadline. Null otherwise.
      type: int
      returned: always
      sample: 13
    past_deadline:
      description: True when the deciding deadline has passed (C(overdue), or C(below_floor) after its deadline).
      type: bool
      returned: always
      sample: true
    due_soon:
      description: True when the deadline has not passed and at most O(warn_days) days are left.
      type: bool
      returned: always
      sample: false
    warn_days:
      description: The O(warn_days) used.
      type: int
      returned: always
      sample: 30
    latest:
      description: The newest release known on O(as_of). Null when the catalog has no release by then.
      type: str
      returned: always
      sample: 11.17.2 build 49000
    latest_date:
      description: Release date of RV(window.latest).
      type: str
      returned: always
      sample: "2024-08-12"
    required_release:
      description:
        - The release whose deadline decides, with the source of its date. Null when there is no deadline.
        - For the floor rule, version C(11.17.2 build 40000) with C(released) null.
      type: dict
      returned: always
      sample:
        version: 11.17.2 build 46000
        released: "2024-02-19"
        date_precision: day
        source: >-
          Citrix Licensing 11.17.2 build 49000 documentation
          (https://docs.citrix.com/en-us/licensing/legacy-licensing), What's new
    newer_releases:
      description: Every known release newer than the installed version, oldest first.
      type: list
      elements: str
      returned: always
      sample: ["11.17.2 build 46000", "11.17.2 build 47000"]
    floor:
      description: The oldest acceptable version.
      type: str
      returned: always
      sample: 11.17.2 build 40000
    floor_deadline:
      description: The date by which the floor had to be reached.
      type: str
      returned: always
      sample: "2023-03-31"
    unknown_reason:
      description:
        - Why the status is C(unknown). Null for every other status.
        - C(no_build) means the version has no build number.
        - C(catalog_stale) means the catalog's knowledge is older than O(catalog_max_age_days).
        - C(installed_not_catalogued) means the installed build is newer than every catalogued release.
      type: str
      returned: always
      sample: catalog_stale
    catalog_complete_through:
      description:
        - The last day the catalog is known to list every release, which is its newest release or its
          last successful refresh if that is later. A C(current) verdict rests on it.
      type: str
      returned: always
      sample: "2024-12-01"
    catalog_max_age_days:
      description: The O(catalog_max_age_days) used.
      type: int
      returned: always
      sample: 180
    message:
      description: The verdict in words, with the fix when the status is C(unknown).
      type: str
      returned: always
      sample: "Installed 11.17.2 build 49000 is behind: ..."
catalog:
  description: The release catalog the verdict was measured against.
  returned: success
  type: dict
  contains:
    newest:
      description: The newest release in the catalog.
      type: str
      returned: always
      sample: 11.17.2 build 51000
    newest_date:
      description: Its release date (YYYY-MM-DD).
      type: str
      returned: always
      sample: "2024-12-01"
    newest_date_precision:
      description: C(day), or C(month) when only the month is known (the first day of the month is used).
      type: str
      returned: always
      sample: month
    fetched_at:
      description:
        - When the fetched part of the catalog was downloaded (ISO 8601, UTC).
        - Null when only shipped data is used.
      type: str
      returned: always
      sample: "2026-11-22T10:00:00+00:00"
    origin:
      description: >-
        Where the catalog came from. C(shipped) is the shipped data only, C(shipped+fetched:<url>) is a
        fresh download, and C(shipped+cache:<url>) is the last good download.
      type: str
      returned: always
      sample: shipped+fetched:https://docs.citrix.com/en-us/licensing/current-release/whats-new.html
    stale:
      description: True when RV(catalog.complete_through) is more than O(catalog_max_age_days) days before O(as_of).
      type: bool
      returned: always
      sample: true
    stale_message:
      description: The staleness verdict in words. A stale catalog makes outdated servers look current.
      type: str
      returned: always
      sample: "The release catalog from shipped (never refreshed) is stale: its newest release is ..."
    age_days:
      description: Days between RV(catalog.complete_through) and O(as_of).
      type: int
      returned: always
      sample: 731
    complete_through:
      description: The last day the catalog is known to list every release (see RV(window.catalog_complete_through)).
      type: str
      returned: always
      sample: "2024-12-01"
    max_age_days:
      description: The O(catalog_max_age_days) used.
      type: int
      returned: always
      sample: 180
    releases_known:
      description: Number of releases in the catalog.
      type: int
      returned: always
      sample: 16
warnings:
  description:
    - Problems the operator should know about that do not fail the task. These include a failed
      refresh (with the URL and the cause), date conflicts between fetched and shipped data, an
      unreadable cache, a stale catalog and an C(unknown) status.
    - Ansible shows these as warnings.
  returned: when there is something to warn about
  type: list
  elements: str
  sample: ["Release catalog refresh from https://example.com/whats-new.html failed; ..."]
"""
