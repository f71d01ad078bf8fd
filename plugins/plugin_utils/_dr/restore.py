# Copyright: (c) 2026, ctxlic maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# Internal use only: this module is private to ctxlic.license_server and may change at any time.
"""Disaster recovery of a Citrix License Server, the failover side on the DR host: identity, installation,
and what a restore does with every backed-up file (pure).

Seed 004 "Disaster recovery backup and redundancy" is the specification:

* "You can use the same licenses for your disaster recovery site" - but only on a server with "the
  same binding information", that is the host name (case-sensitive, seed 004 "Clustered License
  Servers": "Host names in license files are case-sensitive") or MAC address of the original;
* "The License Server in your disaster recovery environment must have an identical host name";
* "Make only one License Server accessible at any one time" / "You cannot have two License Servers
  that have the same name on your network active at the same time";
* "Install the License Server component and your backup license files to relicense your
  environment" within the 30-day license caching mode.

This module decides; it never reads a file, a clock or a host. The action plugin ``dr_restore`` reads
the DR host and the backup generation, and does what these plans say.
"""

from __future__ import annotations

import base64
import datetime
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ansible_collections.ctxlic.license_server.plugins.plugin_utils._license import plan as license_plan
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._common.errors import InputError
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._dr.backup import (
    STARTUP_LICENSE,
    STATE_KINDS,
    host_path,
    sha256_hex,
)
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._license.license_binding import check_binding
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._license.license_parser import parse_license_file
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._common.install_dir import check_install_dir
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._server.version import LSVersion, parse_ls_version


def server_role_ports(ports: Mapping[str, int]) -> dict[str, int]:
    """The backup's ports (package option names) as the server role's ``ctxlic_server_ports`` keys."""
    names = {"license_server_port": "license_server", "vendor_daemon_port": "vendor_daemon",
             "web_services_port": "web_services"}
    return {names[k]: int(v) for k, v in ports.items() if k in names and isinstance(v, int)}


def port_warnings(primary: Mapping[str, int], dr: Mapping[str, int]) -> list[str]:
    """Ports where an installed DR License Server listens elsewhere than the primary did."""
    return [
        f"the DR License Server's {key.replace('_', ' ')} is {dr[key]} but the primary used {primary[key]}: products "
        "configured for the primary's port will not reach it (ports cannot change during an upgrade, Citrix Licensing "
        "11.17.2 build 49000 documentation)"
        for key in sorted(primary) if key in dr and dr[key] != primary[key]
    ]


def identity_refusals(dr_name: str | None, dr_source: str, backup_name: str) -> list[str]:
    """The DR License Server must carry the primary's host name exactly (seed 004), case included."""
    if not dr_name:
        return [
            "the DR host's name could not be read (neither lmhostid -hostname nor the Windows computer name "
            "answered), so the license binding cannot be checked; nothing was changed. Fix the host, then run "
            "the failover again"
        ]
    if dr_name == backup_name:
        return []
    if dr_name.casefold() == backup_name.casefold():
        return [
            f"the DR host is named {dr_name!r} ({dr_source}) but the backed-up license files are bound to "
            f"{backup_name!r}: the names differ only in case, and license host names are case-sensitive (Citrix "
            "Licensing 11.17.2 build 49000 documentation "
            f"'Clustered License Servers'). Rename the DR host to exactly {backup_name!r} (or, on a cluster, fix "
            "the client access point's case), or rehost the licenses with the exact name; nothing was changed"
        ]
    return [
        f"the DR host is named {dr_name!r} ({dr_source}) but the backed-up license files are bound to "
        f"{backup_name!r}: Citrix Licensing 11.17.2 build 49000 documentation requires the DR License Server to have "
        "an identical host name. Rename the DR "
        f"host to {backup_name!r} (only while the primary is off the network), or return and reallocate the "
        "licenses for the new name; nothing was changed"
    ]


@dataclass
class InstallPlan:
    """Whether the DR host needs the License Server installed or upgraded before the restore."""

    action: str  # none | install | upgrade
    installed: str | None
    required: str | None
    target: str | None
    refusals: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "action": self.action,
            "installed_version": self.installed,
            "required_version": self.required,
            "target_version": self.target,
        }


def _version(text: str | None, what: str) -> tuple[LSVersion | None, str | None]:
    if not text:
        return None, None
    try:
        version = parse_ls_version(text)
    except InputError as exc:
        return None, f"{what} {text!r} cannot be read ({exc})"
    if not version.build_known:
        return None, f"{what} {text!r} has no build number"
    return version, None


def plan_install(
    *,
    backup_version: str | None,
    installed_version: str | None,
    installer_version: str | None,
    clustered: bool,
) -> InstallPlan:
    """Install or upgrade the DR host to the primary's version or newer, or leave it.

    A DR License Server older than the primary is upgraded; one at least as new is left alone (the
    installer cannot downgrade in place, seed 004). Clustered License Servers are installed node by
    node with the graphical installer, the last node with "Last Node in the Cluster" checked (seed
    004); the collection does not do that, so on a cluster a missing or older installation is refused.
    """
    required, problem = _version(backup_version, "the primary's version in the backup")
    plan = InstallPlan("none", installed_version, backup_version, None)
    if problem:
        plan.warnings.append(f"{problem}: the DR version cannot be compared with the primary's")
    installed, installed_problem = _version(installed_version, "the DR host's installed version")
    target, target_problem = _version(installer_version, "installer version")
    if target_problem:
        plan.refusals.append(f"{target_problem}: set it to the installer's full version, e.g. '11.17.2.0 build 49000'")
        return plan
    if installed_version and installed is None:
        plan.refusals.append(
            f"{installed_problem}: repair the DR installation (or uninstall it) before the failover; "
            "nothing was changed"
        )
        return plan
    if installed is not None and (required is None or installed >= required):
        return plan
    plan.action = "upgrade" if installed is not None else "install"
    if clustered:
        plan.refusals.append(
            f"the DR License Server is {'at ' + str(installed) if installed else 'not installed'} and "
            f"{'the primary ran ' + str(required) if required else 'must be installed'}; on a cluster, install "
            "CitrixLicensing.exe on every node as Citrix Licensing 11.17.2 build 49000 documentation describes (the "
            "last node with 'Last Node in the Cluster' "
            "checked). The collection does not automate that; run the failover again afterwards. Nothing was changed"
        )
        return plan
    if target is None:
        plan.refusals.append(
            f"the DR host needs the License Server {'upgraded' if installed else 'installed'} (at least "
            f"{required or 'the primary version'}): give the installer and its version (ctxlic_dr_installer, "
            "ctxlic_dr_installer_version / installer_version); nothing was changed"
        )
        return plan
    plan.target = target.text
    if required is not None and target < required:
        plan.refusals.append(
            f"the installer version {target.text} is older than the primary's {backup_version}: the DR License Server "
            "must run the primary's version or newer; use a newer installer. Nothing was changed"
        )
    return plan


@dataclass
class FileAction:
    """What a restore does with one backed-up file."""

    path: str
    kind: str
    host_path: str
    operation: str  # create | replace | unchanged | skip
    sha256: str
    reason: str | None = None
    features: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return self.operation in ("create", "replace")

    def to_dict(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "kind": self.kind,
            "host_path": self.host_path,
            "operation": self.operation,
            "sha256": self.sha256,
            "reason": self.reason,
            "features": list(self.features),
        }


@dataclass
class RestorePlan:
    actions: list[FileAction] = field(default_factory=list)
    refusals: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    expected_features: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return any(a.changed for a in self.actions)

    @property
    def myfiles_changed(self) -> bool:
        return any(a.changed and a.kind in ("license", "options") for a in self.actions)

    @property
    def proxy_changed(self) -> bool:
        return any(a.changed and a.kind == "proxy_config" for a in self.actions)

    @property
    def state_changed(self) -> bool:
        """A certificate, LS\\conf or LS\\resource\\cache file is written: the Citrix Licensing service stops for it."""
        return any(a.changed and a.kind in STATE_KINDS for a in self.actions)


def write_phases(plan: RestorePlan) -> tuple[list[FileAction], list[FileAction]]:
    """(written while Citrix Licensing is stopped, written after it runs again): the order of a restore.

    Seed 004 gives the order for the two parts of a restore it describes. Certificates: "Stop the
    Citrix licensing service", copy ``server.crt`` and ``server.key`` to ``LS\\conf``, "Start the Citrix
    licensing service" (~2934-2937); the License Server reads its own state when it starts, so the
    other ``LS\\conf`` and ``LS\\resource\\cache`` files the operator listed go in the same stop (the
    document names no order for them; a running server optimizes and "write[s] cache data to disk"
    every five seconds, ~2331, and would overwrite them). Then, as for any license change, "Install the
    License Server component and your backup license files" (~4745) and ``lmreread`` (license files,
    ``CITRIX.opt``; the proxy file restarts Citrix Web Services for Licensing). Within a phase, the
    manifest's order.
    """
    changed = [a for a in plan.actions if a.changed]
    return [a for a in changed if a.kind in STATE_KINDS], [a for a in changed if a.kind not in STATE_KINDS]


def readback_problems(actions: Sequence[FileAction], readback: Mapping[str, bytes | None]) -> list[str]:
    """Files written to the DR host whose bytes, read back from it, do not have the manifest's SHA-256."""
    problems = []
    for action in actions:
        data = readback.get(action.path)
        if data is None:
            problems.append(f"{action.host_path} is not on the DR host after it was written")
        elif sha256_hex(data) != action.sha256:
            problems.append(f"{action.host_path} on the DR host has sha256 {sha256_hex(data)[:12]}... after the "
                            f"restore, the backup recorded {action.sha256[:12]}...")
    return problems


def _operation(existing_sha1: str | None, data: bytes) -> str:
    if existing_sha1 is None:
        return "create"
    return "unchanged" if existing_sha1.lower() == license_plan.content_checksum(data) else "replace"


def plan_restore(
    files: Sequence[tuple[Mapping[str, Any], bytes]],
    manifest: Mapping[str, Any],
    *,
    install_dir: str,
    existing: Mapping[str, str | None],
    dr_hostname: str | None,
    dr_macs: Sequence[str],
    exclude: Sequence[str],
    today: datetime.date,
) -> RestorePlan:
    """Decide per file; ``existing`` maps a generation path to the SHA-1 of the file on the DR host.

    License files are judged like ``ctxlic.license_server.license_file`` judges them (name, content,
    binding against the DR host). A file that the primary could not use either (bound to another
    name or MAC, or several SERVER lines, which the License Server ignores) is skipped with a warning:
    it served nothing before the disaster. A file the primary served but the DR host cannot serve is
    refused, unless it is named in ``exclude``. ``citrix_startup.lic`` is never restored: the
    installer writes the DR host's own (seed 004: it must not be edited).
    """
    plan = RestorePlan()
    excluded = {name.casefold() for name in exclude}
    known = {entry["path"].split("/")[-1].casefold() for entry, _data in files}
    for name in exclude:
        if name.casefold() not in known:
            plan.warnings.append(f"exclude names {name!r}, which is not in the backup")
    primary_name = manifest.get("ls_hostname")
    primary_macs = list(manifest.get("macs") or [])
    restored_features: set[str] = set()
    for entry, data in files:
        relpath = entry["path"]
        name = relpath.split("/")[-1]
        action = FileAction(relpath, entry["kind"], host_path(install_dir, relpath), "skip", entry["sha256"])
        plan.actions.append(action)
        if entry["kind"] == "startup":
            action.reason = ("the installer lays down the DR host's own start-up license (never edited, Citrix "
                             "Licensing 11.17.2 build 49000 documentation)")
            continue
        if name.casefold() in excluded:
            action.reason = "excluded"
            continue
        if entry["kind"] != "license":
            action.operation = _operation(existing.get(relpath), data)
            continue
        report = parse_license_file(name, data, today=today)
        action.features = sorted({f.feature for f in report.features})
        decision = license_plan.plan_write(
            report, data, install_dir=install_dir, existing_checksum=existing.get(relpath),
            ls_hostname=dr_hostname, macs=list(dr_macs),
        )
        if not decision.refused:
            action.operation = decision.operation
            restored_features.update(action.features)
            continue
        if check_binding(report, ls_hostname=primary_name, macs=primary_macs):
            action.reason = "the primary could not use it either: " + "; ".join(f.message for f in decision.errors)
            plan.warnings.append(f"{name} is not restored, {action.reason}")
            continue
        plan.refusals.append(
            license_plan.refusal_message(decision, what="restored").split(" Fix the cause", maxsplit=1)[0]
            + f" The primary served it; to fail over without it, add {name!r} to exclude (ctxlic_dr_exclude)."
        )
    served = manifest.get("served_features")
    plan.expected_features = sorted(restored_features & set(served) if served is not None else restored_features)
    return plan


def missing_features(expected: Iterable[str], served: Iterable[str]) -> list[str]:
    """Features the backup promised that the DR License Server does not serve after the reread."""
    return sorted(set(expected) - set(served))


def unserved_before_restore(expected: Iterable[str], served: Iterable[str] | None) -> list[str]:
    """Expected features that lmstat did not list when the run started (``served`` None: lmstat did not answer).

    A run stopped after it restored the files but before its lmreread leaves files that the License Server has
    not read; the next run finds them unchanged, so only these features show that the reread is still owed.
    When lmstat did not answer there is no evidence either way: a reread cannot help a License Server that does
    not answer lmstat, and the verification reports that itself.
    """
    return [] if served is None else missing_features(expected, served)


# --------------------------------------------------------------------------------------------
# One restore run: the DR host as read, the decisions in order, the messages
# --------------------------------------------------------------------------------------------


def target_install_dir(option_dir: str | None, installed: bool, record_install_dir: str | None,
                       backup_install_dir: str) -> str:
    """Where the files go: the option; else the installed License Server's folder; else the primary's."""
    if option_dir:
        return option_dir
    if installed and record_install_dir:
        return check_install_dir(record_install_dir)
    return backup_install_dir


def existing_checksums(raw: Mapping[str, Any], files: Sequence[tuple[Mapping[str, Any], bytes]]) -> tuple[
        dict[str, str | None], list[str]]:
    """(generation path -> SHA-1 of the file on the DR host or None, paths the collection did not answer for).

    The one-shot collection lists MyFiles (with the content of license files) and returns the proxy
    file; a listed file without content must be read with a checksum from the host.
    """
    listed = {str(f.get("name", "")).casefold(): f for f in raw.get("myfiles") or []}
    known: dict[str, str | None] = {}
    ask: list[str] = []
    for entry, _data in files:
        relpath = entry["path"]
        if entry["kind"] in STATE_KINDS:
            ask.append(relpath)  # the collection does not read LS\\conf or LS\\resource\\cache
            continue
        if entry["kind"] == "proxy_config":
            item = raw.get("proxy_config")
        else:
            item = listed.get(relpath.split("/", 1)[1].casefold())
            if item is None:
                known[relpath] = None
                continue
        if item and item.get("content_b64") is not None:
            known[relpath] = license_plan.content_checksum(base64.b64decode(item["content_b64"]))
        else:
            ask.append(relpath)
    return known, ask


def startup_text(raw: Mapping[str, Any]) -> str | None:
    """The DR host's ``citrix_startup.lic`` as the collection returned it (for its ports), or None."""
    startup = next((f for f in raw.get("myfiles") or []
                    if str(f.get("name", "")).casefold() == STARTUP_LICENSE), None)
    if not startup or startup.get("content_b64") is None:
        return None
    return base64.b64decode(startup["content_b64"]).decode("utf-8", "replace")


def served_features(record: Mapping[str, Any]) -> list[str] | None:
    """Features lmstat -a lists in an info record, or None when lmstat did not answer."""
    licenses = record["licenses"]
    return sorted(licenses["in_use"]) if licenses.get("lmstat_parsed") else None


@dataclass
class Preflight:
    """Everything judged before the DR host is touched: a refusal here changes nothing."""

    hostname: str | None
    hostname_source: str
    install: InstallPlan
    install_dir: str
    plan: RestorePlan
    refusals: list[str]
    warnings: list[str]


def preflight(
    files: Sequence[tuple[Mapping[str, Any], bytes]],
    manifest: Mapping[str, Any],
    *,
    hostname: str | None,
    hostname_source: str,
    installed_version: str | None,
    installer_version: str | None,
    clustered: bool,
    install_dir: str,
    existing: Mapping[str, str | None],
    dr_macs: Sequence[str],
    exclude: Sequence[str],
    today: datetime.date,
) -> Preflight:
    """Identity, installation and every file, judged together; refusals in the order the operator fixes them."""
    name_refusals = identity_refusals(hostname, hostname_source, manifest["ls_hostname"])
    install = plan_install(backup_version=manifest["ls_version"], installed_version=installed_version,
                           installer_version=installer_version, clustered=clustered)
    plan = plan_restore(files, manifest, install_dir=install_dir, existing=existing, dr_hostname=hostname,
                        dr_macs=dr_macs, exclude=exclude, today=today)
    # A wrong host name fails every file in the same way; the one identity message says it best.
    refusals = name_refusals + install.refusals + ([] if name_refusals else plan.refusals)
    return Preflight(hostname, hostname_source, install, install_dir, plan, refusals,
                     install.warnings + plan.warnings)


BACKUP_SUMMARY_KEYS = ("source_host", "ls_hostname", "ls_version", "created_at", "install_dir", "cluster_access_point")


def restore_result(pre: Preflight, manifest: Mapping[str, Any], generation: str, generation_path: str) -> dict[
        str, Any]:
    """The result of a restore as planned (nothing done yet)."""
    ports = manifest.get("ports") or {}
    return {
        "changed": False,
        "verified": True,
        "generation": generation,
        "generation_path": generation_path,
        "backup": {key: manifest.get(key) for key in BACKUP_SUMMARY_KEYS},
        "identity": {"hostname": pre.hostname, "source": pre.hostname_source},
        "install": {**pre.install.to_dict(), "install_dir": pre.install_dir,
                    "ports": server_role_ports(ports) if pre.install.action == "install" else {}},
        "files": [a.to_dict() for a in pre.plan.actions],
        "expected_features": pre.plan.expected_features,
        "served_features": None,
        "missing_features": None,
        "reread": None,
        "web_service_restarted": False,
        "licensing_service_restarted": False,
        "host_verified": [],
        "refusals": pre.refusals,
    }


def files_message(plan: RestorePlan, *, check: bool) -> str:
    changed = [a.path for a in plan.actions if a.changed]
    if not changed:
        return "every backed-up file is already in place"
    return f"{'would restore' if check else 'restored'} {', '.join(changed)}"


def preflight_message(generation: str, pre: Preflight) -> str:
    install = pre.install
    steps = {"none": "no installation needed", "install": f"install {install.target}",
             "upgrade": f"upgrade {install.installed} to {install.target}"}[install.action]
    return (f"generation {generation} verified and the DR host matches its host name; {steps}; "
            f"{files_message(pre.plan, check=True)}")


def install_first_message(pre: Preflight, backup_version: str | None, *, check: bool) -> str:
    """The DR host needs the License Server installed or upgraded first: what check mode says, or the refusal."""
    if check:
        return (f"check mode: the License Server is {pre.install.action}ed first; then "
                f"{files_message(pre.plan, check=True)}")
    return (f"the DR host runs {pre.install.installed or 'no License Server'}; the primary ran {backup_version}: "
            "install the License Server first (the ctxlic.license_server.dr role's failover does, with "
            "ctxlic_dr_installer and ctxlic_dr_installer_version); nothing was restored")


def reread_note(plan: RestorePlan, unserved: Sequence[str], *, check: bool) -> str:
    """Why a reread ran although no license file changed (an earlier run restored them and stopped before it)."""
    if plan.myfiles_changed or not unserved:
        return ""
    return (f"; {'would reread' if check else 'reread'} the license files, because lmstat -a did not list "
            f"{', '.join(unserved)} although the files are in place")


def reread_failed_message(reason: str) -> str:
    return (f"the backup files were restored, but the License Server did not reread them: {reason}. Fix the cause "
            "(is the Citrix Licensing service running?), then run ctxlic.license_server.reread or the failover again")


def served_check(plan: RestorePlan, record: Mapping[str, Any]) -> tuple[list[str] | None, list[str] | None,
                                                                        str | None]:
    """(served, missing, failure message) after the restore, from the DR host's info record."""
    served = served_features(record)
    if served is None:
        return None, None, ("the files were restored, but lmstat -a did not answer, so the features served cannot be "
                            "checked: " + "; ".join(record["problems"]) + ". Check the Citrix Licensing service on "
                            "the DR host")
    missing = missing_features(plan.expected_features, served)
    if missing:
        return served, missing, (
            f"the DR License Server does not serve {', '.join(missing)} after the restore (lmstat -a lists "
            f"{', '.join(served) or 'nothing'}). Check the license files' binding with lmhostid on the DR host and "
            "the Citrix Licensing service")
    return served, missing, None


def done_message(plan: RestorePlan, unserved: Sequence[str], *, verified: bool) -> str:
    return files_message(plan, check=False) + reread_note(plan, unserved, check=False) + (
        f"; every backed-up feature is served ({', '.join(plan.expected_features) or 'none expected'})"
        if verified else "")


def restore_diff(plan: RestorePlan, install_dir: str) -> tuple[str, str, str, str]:
    """(before, after, before_header, after_header) of the files a restore writes."""
    before = "".join(f"{a.host_path}\n" for a in plan.actions if a.operation in ("replace", "unchanged"))
    after = "".join(f"{a.host_path}  sha256 {a.sha256}\n" for a in plan.actions
                    if a.operation in ("create", "replace", "unchanged"))
    return before, after, f"{install_dir} (DR host, before)", f"{install_dir} (DR host, after the restore)"
