# Copyright: (c) 2026, ctxlic maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# Internal use only: this module is private to ctxlic.license_server and may change at any time.
"""Compliance rules: the vocabulary, check table, sources and remediation texts (pure: no I/O).

Input is the per-server record the ``info`` gather produces (``.build/INFO_RECORD.md``); output is
plain dicts that the report model (``report_model.py``) and the ``fleet_report`` module consume.

The rules come from the vendor documents in the seeds and are cited by file name:

* ``000`` (Citrix License Telemetry FAQ, CTX477614): the number of days since the last
  *successful* upload must not be greater than 90; the fleet status is ``Compliant`` when every
  allocated License Server (LS) sent telemetry in the last 90 days, ``Partially Compliant`` when
  some did not and ``Non-Compliant`` when none did; upgrade within 6 months of each release.
* ``001`` (Licensing data collection programs): automatic vs manual reporting (License Management
  Service disabled), the ``upload_compliance*.zip`` / ``upload_usage*.zip`` bundles that must be
  uploaded through Citrix Insight Services and then deleted or the disk fills,
  ``upload_compliance_result.xml`` holds the latest attempt (manual or automatic).
* ``002`` (practitioner article): the reasons a customer is flagged: not reporting regularly,
  version too old, expired or inactive licenses still installed, more licenses installed than
  purchased, and obsolete license servers that still hold allocations (return them).
* ``003`` (partner notice): nothing older than 11.17.2 build 40000 after 2023-03-31; manual
  reporting per CTX472950.

The FAQ status is telemetry-only by definition; the other ``002`` reasons are reported next to it
(``other_findings``) and folded into ``action_required``, never into the FAQ status itself.

Choices the seeds do not settle are keyword options with documented defaults (see
``evaluate_server``), and every remediation text points at one table (``REMEDIATION``) so the
names of this collection's playbooks and modules live in one place.

The evaluation lives next to this: per-server checks in :mod:`.server_checks`, the fleet in
:mod:`.fleet`, the release catalog notice in :mod:`.catalog_notice`; :mod:`.values` reads record values.
"""

from __future__ import annotations


from ansible_collections.ctxlic.license_server.plugins.plugin_utils._server import las as _las

PASS = "pass"  # noqa: S105 - a check status, not a password
WARN = "warn"
FAIL = "fail"
UNKNOWN = "unknown"
CHECK_STATUSES = (PASS, WARN, FAIL, UNKNOWN)
COMPLIANT = "compliant"
NON_COMPLIANT = "non_compliant"
SERVER_UNKNOWN = "unknown"
SERVER_STATUSES = (NON_COMPLIANT, SERVER_UNKNOWN, COMPLIANT)  # most severe first
FLEET_COMPLIANT = "Compliant"
FLEET_PARTIAL = "Partially Compliant"
FLEET_NON_COMPLIANT = "Non-Compliant"
FLEET_UNKNOWN = "Unknown"
FLEET_STATUSES = (FLEET_COMPLIANT, FLEET_PARTIAL, FLEET_NON_COMPLIANT, FLEET_UNKNOWN)
MAX_UPLOAD_AGE_DAYS = 90  # 000 and 001: "must not be greater than 90 days"
MAX_COUNT = 10**12  # a purchased license count above this is a typo or a hostile value, never a purchase
CHECK_IDS = (
    "reachable",
    "ls_installed",
    "telemetry_upload",
    "upgrade_window",
    "reporting_mode",
    "pending_bundles",
    "licenses_expired",
    "licenses_surplus",
    "las_capable",
    "licensing_technology",
    "las_contact",
)
CHECK_TITLES = {
    "reachable": "Host reachable and gathered",
    "ls_installed": "License Server installed",
    "telemetry_upload": "Telemetry upload within 90 days",
    "upgrade_window": "Version within the upgrade window",
    "reporting_mode": "Reporting mode",
    "pending_bundles": "Manual-upload bundles and disk space",
    "licenses_expired": "No expired or inactive licenses installed",
    "licenses_surplus": "Installed licenses within purchased counts",
    "las_capable": "Build can use the License Activation Service",
    "licensing_technology": "Licensing technology (license files / LAS)",
    "las_contact": "LAS endpoint reached within the daily period",
}
#: The vendor documents the rules come from, by title (users have no seed files; docs/sources.md maps
#: each title to its address). Code comments cite the seed file names 000-004.
SOURCE_FAQ = "Citrix License Telemetry FAQ (CTX477614)"  # seed 000
SOURCE_PROGRAMS = "Citrix Licensing data collection programs"  # seed 001
SOURCE_STATUS = "Citrix licensing telemetry and compliance status (practitioner article)"  # seed 002
SOURCE_NOTICE = "Citrix \u2013 Update Required (partner notice)"  # seed 003
SOURCE_MANUAL_UPLOAD = "How to manually upload telemetry data to CIS (CTX472950)"
SOURCE_DOCS = "Citrix Licensing 11.17.2 build 49000 documentation"  # seed 004
#: Title -> address of every document the report cites (docs/sources.md keeps the same table).
SOURCES = (
    {"title": SOURCE_FAQ, "address": "https://support.citrix.com/s/article/CTX477614-citrix-license-telemetry-faq"},
    {"title": SOURCE_PROGRAMS, "address": "https://docs.citrix.com/en-us/licensing/current-release/license-server/"
     "licensing-data-collection-programs.html"},
    {"title": SOURCE_STATUS, "address": "https://dennisspan.com/citrix-licensing-telemetry-and-compliance-status"},
    {"title": SOURCE_NOTICE, "address": "https://www.kraftkennedy.com/citrix-update-required/"},
    {"title": SOURCE_MANUAL_UPLOAD, "address": "https://support.citrix.com/article/CTX472950/"
     "how-to-manually-upload-telemetry-data-to-cis"},
    {"title": SOURCE_DOCS, "address": "https://docs.citrix.com/en-us/licensing/legacy-licensing"},
    {"title": "License Activation Service: Replacing Our End-of-Life File-Based Licensing (CTX695107)",
     "address": "https://support.citrix.com/external/article/695107/license-activation-service-replacing-our.html"},
    {"title": "Citrix Licensing 11.17.2 build 52100, License Activation Service",
     "address": "https://docs.citrix.com/en-us/licensing/11-17-2-52100/license-activation-service"},
)
CHECK_RULES = {
    "reachable": "A server that cannot be verified is counted as not reporting (collection policy).",
    "ls_installed": "A host in the inventory without a License Server cannot report telemetry; install it or return "
    f"its allocations ({SOURCE_STATUS}).",
    "telemetry_upload": f"Days since the last successful upload must not be greater than 90 ({SOURCE_FAQ}; "
    f"{SOURCE_PROGRAMS}).",
    "upgrade_window": "Upgrade within 6 months of each new release; nothing older than 11.17.2 build 40000 "
    f"after 2023-03-31 ({SOURCE_FAQ}; {SOURCE_NOTICE}).",
    "reporting_mode": f"Automatic reporting, or manual uploads through Citrix Insight Services ({SOURCE_PROGRAMS}; "
    f"{SOURCE_MANUAL_UPLOAD}).",
    "pending_bundles": f"Upload the upload_*.zip bundles, then delete them or the disk fills ({SOURCE_PROGRAMS}).",
    "licenses_expired": f"No expired or inactive licenses may stay installed ({SOURCE_STATUS}, reason 4).",
    "licenses_surplus": f"Installed licenses must not exceed purchased licenses ({SOURCE_STATUS}, reason 5).",
    "las_capable": "LAS needs License Server build 51000 or later (online), 53100 or later (offline) (Citrix "
    "Licensing 11.17.2 build 52100, License Activation Service).",
    "licensing_technology": "After 2026-04-15 the License Activation Service is the exclusive way to activate "
    "on-premises products (CTX695107).",
    "las_contact": "LAS needs an online connection for verification and renewal daily; otherwise license caching "
    "mode (Citrix Licensing current release and CVAD, License Activation Service).",
}
#: Where each problem is fixed. One table so the names can follow the collection's playbooks/modules.
REMEDIATION = {
    "reachable": "check connectivity and credentials (ansible.windows.win_ping), then re-run "
    "the ctxlic.license_server.fleet_report playbook",
    "not_installed": "install the License Server with the ctxlic.license_server.site playbook, or remove the host "
    "from the inventory and return its allocations on the licensing portal",
    "upload_automatic": "allow outbound HTTPS to cis.citrix.com:443 or set a proxy with the "
    "ctxlic.license_server.proxy module (ctxlic.license_server.site playbook); the License Server retries every 24 "
    "hours",
    "upload_manual": "upload the upload_compliance*.zip and upload_usage*.zip bundles through Citrix Insight "
    "Services (CTX472950), or re-enable automatic reporting with the ctxlic.license_server.management_service module",
    "upgrade": "upgrade with the ctxlic.license_server.upgrade playbook",
    "reporting_unknown": "re-run the info gather; check ctx_license_management_service.exe -query on the server",
    "bundles": "upload the pending bundles through Citrix Insight Services (CTX472950), then delete them with "
    "the ctxlic.license_server.telemetry_bundle module (cleanup: true) or the ctxlic.license_server.telemetry role",
    "disk": "free disk space on the License Server (pending bundles can be deleted after upload)",
    "licenses_expired": "return the expired/inactive allocations on the licensing portal and remove the files "
    "with the ctxlic.license_server.deploy_licenses playbook (documented stop/rename/start/delete procedure, "
    f"{SOURCE_DOCS}, Delete license files)",
    "license_file_errors": "replace the file with a fresh download from the licensing portal (one file per License "
    "Server host name) using the ctxlic.license_server.deploy_licenses playbook (license files must never be edited)",
    "licenses_surplus": "return surplus allocations on the licensing portal and remove the files with the "
    "ctxlic.license_server.deploy_licenses playbook",
    "obsolete": f"return these allocations on the licensing portal (Manage Licenses > Return allocations, "
    f"{SOURCE_STATUS})",
    "las_upgrade": _las.FIX_UPGRADE.format(online=51000, offline=53100),
    "las_register": _las.FIX_REGISTER,
    "las_input": _las.FIX_INPUT,
    "las_contact": _las.FIX_CONTACT,
    "las_offline": _las.FIX_OFFLINE,
    "catalog": "refresh the release catalog: set ctxlic_telemetry_catalog_url (catalog_url of "
    "ctxlic.license_server.upgrade_window) to the vendor's What's new page or your mirror, then re-run "
    "the ctxlic.license_server.fleet_report playbook",
}
#: The rules a report cites, in the order a reader needs them.
RULES = (
    {
        "id": "telemetry_90_days",
        "text": "To remain compliant, the number of days since the last successful upload must not be greater "
        "than 90 days.",
        "source": f"{SOURCE_FAQ}; {SOURCE_PROGRAMS}",
    },
    {
        "id": "fleet_status",
        "text": "Compliant: telemetry from all allocated license servers in the last 90 days. Partially Compliant: "
        "some allocated license servers do not send telemetry. Non-Compliant: none of them do.",
        "source": SOURCE_FAQ,
    },
    {
        "id": "upgrade_window",
        "text": "Upgrade to each new License Server release within 6 months of its release; 11.17.2 build 40000 "
        "or newer was required by 2023-03-31.",
        "source": f"{SOURCE_FAQ}; {SOURCE_PROGRAMS}; {SOURCE_NOTICE}",
    },
    {
        "id": "reasons",
        "text": "Flagged when: not reporting regularly; version too old; expired or inactive licenses installed; "
        "more licenses installed than purchased; obsolete license servers still holding allocations.",
        "source": SOURCE_STATUS,
    },
    {
        "id": "obsolete_allocations",
        "text": "A host name with allocations on the licensing portal counts as an active license server until the "
        "allocations are returned.",
        "source": SOURCE_STATUS,
    },
    {
        "id": "manual_reporting",
        "text": "With the License Management Service disabled, upload the upload_compliance*.zip and "
        "upload_usage*.zip bundles through Citrix Insight Services, then delete them.",
        "source": f"{SOURCE_PROGRAMS}; {SOURCE_MANUAL_UPLOAD}",
    },
    {
        "id": "las_end_of_file_licensing",
        "text": "Customers using file-based licensing must complete the transition to the License Activation "
        "Service before April 15, 2026; after this date LAS is the exclusive method for activating and licensing "
        "Citrix on-premises components.",
        "source": "License Activation Service: Replacing Our End-of-Life File-Based Licensing (CTX695107), "
        "https://support.citrix.com/external/article/695107/license-activation-service-replacing-our.html",
    },
    {
        "id": "las_builds",
        "text": "License Server build 51000 or higher supports online LAS activation; build 53100 or higher supports "
        "online and offline activation. The License Server supports LAS and license files simultaneously.",
        "source": "Citrix Licensing 11.17.2 build 52100, License Activation Service, "
        "https://docs.citrix.com/en-us/licensing/11-17-2-52100/license-activation-service",
    },
    {
        "id": "las_contact",
        "text": "LAS requires an online connection for license verification and renewal on a daily basis; when the "
        "License Server or LAS is unreachable the system enters license caching mode.",
        "source": "Citrix Licensing current release, License Activation Service, https://docs.citrix.com/en-us/"
        "licensing/current-release/license-activation-service.html; Citrix Virtual Apps and Desktops, License "
        "Activation Service",
    },
    {
        "id": "status_latency",
        "text": "The vendor portal updates the status about 24 hours after a change.",
        "source": SOURCE_FAQ,
    },
)
