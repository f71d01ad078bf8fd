# Copyright: (c) 2026, ctxlic maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

# This file only documents the module; the code is the action plugin plugins/action/evidence_event.py.

DOCUMENTATION = r"""
---
module: evidence_event
short_description: Record an event about a license server (such as its decommissioning) in the evidence history
version_added: 0.1.0
description:
  - Records one event for a license server in the evidence history, the SQLite database on the controller in which
    M(ctxlic.license_server.fleet_report) keeps every observed telemetry upload result.
  - The collection records C(decommissioned) when C(playbooks/decommission.yml) has uninstalled a License Server,
    with the allocations its license files held in O(detail). The practitioner article on telemetry
    compliance status says a license server that was
    decommissioned but still holds allocations on the licensing portal counts as an active server that does not
    send telemetry. The event is the licensing owner's proof of when the server went away and which allocations
    were to be returned.
  - C(manual_upload) records that an operator uploaded a server's telemetry bundles through Citrix Insight Services
    (manual reporting, for example for an air-gapped server). M(ctxlic.license_server.fleet_report) credits it as a
    successful upload for the 90-day rule and shows it as operator-attested, distinct from an upload result the
    server itself recorded. O(at) is the time of the upload; it must not lie in the future (the task fails). The
    event's O(detail) gets C(recorded_by) (the controller user running the play, unless O(detail) names one) and
    C(recorded_at) (the controller's clock).
  - C(las_offline_activation) records that an operator exchanged the License Activation Service (LAS) offline
    activation blob for a License Server (Citrix Licensing 11.17.2 build 52100 documentation, License Activation
    Service, U(https://docs.citrix.com/en-us/licensing/11-17-2-52100/license-activation-service); offline activation
    is "manually exchanging the activation blob between the license server and LAS at regular intervals"). The
    vendor documents no file or command for the blob on the server, so the collection cannot collect it;
    M(ctxlic.license_server.fleet_report) shows the newest such event as the server's last offline activation. Use
    O(once=false) so every exchange is kept.
  - Runs on the controller only and never contacts the target.
  - With O(once=true) (the default for every kind except C(manual_upload)) a host gets at most one event of a kind.
    A second run records nothing and reports RV(changed=false), so a playbook that records an event can be run
    again safely.
options:
  kind:
    description:
      - The event name, lower-case letters, digits and C(_), starting with a letter. For example C(decommissioned).
    type: str
    required: true
  host:
    description: The inventory host name the event is about. Defaults to the current host (C(inventory_hostname)).
    type: str
  at:
    description:
      - When the event happened, ISO 8601 (C(2026-11-22T03:00:00Z)); a time without a zone is UTC.
      - Defaults to now (the controller's clock, UTC).
    type: str
  detail:
    description: Plain data stored with the event as JSON (for example the returned allocations and backup paths).
    type: dict
    default: {}
  once:
    description:
      - Record nothing when the host already has an event of this O(kind); the earlier event is returned.
      - With V(false) every run with a new O(at) records another event (an event with the same host, time and
        kind is never recorded twice).
      - Defaults to V(true), except for O(kind=manual_upload) where it defaults to V(false) (every upload counts).
    type: bool
extends_documentation_fragment:
  - ctxlic.license_server.evidence_history
  - ctxlic.license_server.attributes.controller
attributes:
  check_mode:
    support: full
    description: Reports whether an event would be recorded; the database is neither created nor written.
  diff_mode:
    support: none
    description: An event is added, never changed; there is nothing to diff.
notes:
  - "Sources: telemetry compliance article (obsolete license servers and returning allocations); Citrix License
    Telemetry FAQ, CTX477614 (the compliance statuses that count allocated license servers; manual reporting every
    90 days)."
  - Read the events back with C(sqlite3 <history_db> 'SELECT host, at, kind, detail FROM events').
author:
  - ctxlic maintainers (@ctxlic)
seealso:
  - module: ctxlic.license_server.fleet_report
  - module: ctxlic.license_server.license_backup
"""

EXAMPLES = r"""
- name: Record that this License Server was decommissioned
  ctxlic.license_server.evidence_event:
    kind: decommissioned
    detail:
      reason: replaced by ls02
      allocations: "{{ ctxlic_backup.allocations.entries }}"

- name: Record a manual upload through Citrix Insight Services, with its time (credited by fleet_report)
  ctxlic.license_server.evidence_event:
    kind: manual_upload
    at: "2026-11-20T09:30:00Z"
    detail:
      recorded_by: jdoe
      note: uploaded upload_compliance_20261120.zip from the jump host
    history_db: /srv/ctxlic/evidence.sqlite

- name: Record today's LAS offline activation blob exchange (done in the Citrix Licensing Manager and Citrix Cloud)
  ctxlic.license_server.evidence_event:
    kind: las_offline_activation
    once: false
    detail:
      note: blob exchanged by the licensing owner
"""

RETURN = r"""
changed:
  description: True when the event was recorded (in check mode, would be).
  returned: always
  type: bool
  sample: true
msg:
  description: What was done, or why the task failed.
  returned: always
  type: str
  sample: "recorded decommissioned for ls01 at 2026-11-22T03:12:00Z in /home/ops/.local/share/ctxlic/evidence.sqlite"
history_db:
  description: The evidence database used.
  returned: success
  type: str
  sample: /home/ops/.local/share/ctxlic/evidence.sqlite
event:
  description: The event recorded, or the earlier event that made recording unnecessary.
  returned: success
  type: dict
  contains:
    host:
      description: The host name.
      type: str
      returned: always
      sample: ls01
    at:
      description: When it happened (UTC, ISO 8601).
      type: str
      returned: always
      sample: "2026-11-22T03:12:00Z"
    kind:
      description: The event name.
      type: str
      returned: always
      sample: decommissioned
    detail:
      description: The data stored with the event.
      type: dict
      returned: always
      sample: {reason: replaced by ls02}
earlier:
  description: Events of the same host and kind that were already recorded (empty when the database does not exist).
  returned: success
  type: list
  elements: dict
  sample: []
"""
