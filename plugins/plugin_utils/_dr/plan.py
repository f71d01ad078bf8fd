# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Disaster recovery of a Citrix License Server: backups, their manifest, and failover decisions (pure).

Seed 004 "Disaster recovery backup and redundancy" is the specification:

* "You can use the same licenses for your disaster recovery site" - but only on a server with "the
  same binding information", that is the host name (case-sensitive, seed 004 "Clustered License
  Servers": "Host names in license files are case-sensitive") or MAC address of the original;
* "The License Server in your disaster recovery environment must have an identical host name";
* "Make only one License Server accessible at any one time" / "You cannot have two License Servers
  that have the same name on your network active at the same time";
* "Install the License Server component and your backup license files to relicense your
  environment" within the 30-day license caching mode.

This module decides; it never reads a file, a clock or a host. :mod:`dr_store` keeps generations on
the controller, the action plugins ``dr_backup``, ``dr_primary`` and ``dr_restore`` talk to hosts.

A *generation* is one backup: a directory named after its UTC creation time
(``20261122T120000Z``, with ``-2``, ``-3`` ... when two fall into the same second) holding the files
under their installation-relative paths (``MyFiles/FID_a.lic``, ``MyFiles/CITRIX.opt``,
``WebServicesForLicensing/SimpleLicenseServiceConfig.xml``) and ``manifest.json``, which records
size and SHA-256 of every file and what the License Server was (host name, version, ports, served
features) when the backup was taken.
"""

from __future__ import annotations

import datetime
import hashlib
import ntpath
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ansible_collections.ctxlic.license_server.plugins.plugin_utils._common.install_dir import check_install_dir
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._common.constants import (
    LICENSING_SERVICE,
    WEB_SERVICE,
)
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._license import plan as license_plan
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._common.errors import InputError
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._license.license_binding import check_binding
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._license.license_parser import parse_license_file
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._server.ls_tools import parse_lmhostid
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._server.version import LSVersion, parse_ls_version

MANIFEST_NAME = "manifest.json"
MANIFEST_FORMAT = "ctxlic.license_server.dr_backup"
MANIFEST_VERSION = 1
DEFAULT_BACKUP_DIR = "~/.ansible/ctxlic/dr_backups"

MYFILES = "MyFiles"
STARTUP_LICENSE = "citrix_startup.lic"
OPTIONS_FILE = "CITRIX.opt"
PROXY_CONFIG_RELPATH = "WebServicesForLicensing/SimpleLicenseServiceConfig.xml"
PROXY_CONFIG_WINDOWS = r"WebServicesForLicensing\SimpleLicenseServiceConfig.xml"

#: The services that serve checkouts (Citrix Licensing: lmgrd + the CITRIX vendor daemon) and the web
#: services (Citrix Licensing Manager, uploads). Stopped in this order on a primary that still answers.
DEFAULT_PRIMARY_SERVICES = (LICENSING_SERVICE, WEB_SERVICE)

KINDS = ("license", "startup", "options", "proxy_config")
#: Largest file a generation may hold; license files are limited to 1 MiB by the parser, the rest is tiny.
MAX_FILE_BYTES = 16 * 1024 * 1024

_GENERATION_RE = re.compile(r"^(\d{8}T\d{6}Z)(?:-([2-9]|[1-9]\d{1,3}))?$")
_SHA256_RE = re.compile(r"^[0-9a-f]{64}$")
_SET_NAME_RE = re.compile(r"[^A-Za-z0-9._-]")
_BAD_NAME_CHARS = frozenset('<>:"/\\|?*\x00')
_MANIFEST_KEYS = {
    "format": str,
    "format_version": int,
    "generation": str,
    "created_at": str,
    "source_host": str,
    "ls_hostname": str,
    "ls_hostname_source": str,
    "ls_version": (str, type(None)),
    "install_dir": str,
    "files": list,
}


# --------------------------------------------------------------------------------------------
# Names and paths
# --------------------------------------------------------------------------------------------


def safe_set_name(name: Any) -> str:
    """The directory name of a backup set (one per primary): the inventory name, made path-safe.

    Backup and failover both call this, so the same inventory name always finds the same set.
    """
    if not isinstance(name, str) or not name.strip():
        raise InputError(f"backup set name {name!r} is empty: give the inventory name of the primary License Server")
    safe = _SET_NAME_RE.sub("_", name.strip())
    if safe.strip(".") == "":
        raise InputError(f"backup set name {name!r} is not usable as a directory name: use the inventory host name")
    return safe


def is_generation_name(name: str) -> bool:
    """True for ``20261122T120000Z`` and ``20261122T120000Z-2``: the only directories retention touches."""
    return bool(isinstance(name, str) and _GENERATION_RE.match(name))


def generation_sort_key(name: str) -> tuple[str, int]:
    """Oldest first: by timestamp, then by the same-second suffix (``-10`` after ``-9``)."""
    match = _GENERATION_RE.match(name)
    if not match:
        raise InputError(f"{name!r} is not a backup generation name (expected e.g. 20261122T120000Z)")
    return match.group(1), int(match.group(2) or 1)


def generation_name(now: datetime.datetime, existing: Iterable[str]) -> str:
    """A new, unused generation name for ``now`` (UTC, seconds)."""
    if now.tzinfo is None:
        raise InputError("generation_name needs an aware datetime (UTC)")
    stamp = now.astimezone(datetime.UTC).strftime("%Y%m%dT%H%M%SZ")
    taken = set(existing)
    if stamp not in taken:
        return stamp
    counter = 2
    while f"{stamp}-{counter}" in taken:
        counter += 1
    return f"{stamp}-{counter}"


def _check_bare_name(name: Any, what: str) -> str:
    if not isinstance(name, str) or not name or name in (".", "..") or any(c in _BAD_NAME_CHARS for c in name):
        raise InputError(f"{what} {name!r} is not a plain file name")
    return name


def kind_of(relpath: str) -> str:
    """Which kind of file a generation-relative path is; InputError for anything a backup never holds."""
    if not isinstance(relpath, str):
        raise InputError(f"backup file path {relpath!r} is not a string")
    if relpath == PROXY_CONFIG_RELPATH:
        return "proxy_config"
    parts = relpath.split("/")
    if len(parts) != 2 or parts[0] != MYFILES:
        raise InputError(
            f"backup file path {relpath!r} is neither MyFiles/<name> nor {PROXY_CONFIG_RELPATH}: the manifest "
            "was not written by ctxlic.license_server.dr_backup (or was edited); do not restore from it"
        )
    name = _check_bare_name(parts[1], "backup file name")
    if name.casefold() == STARTUP_LICENSE.casefold():
        return "startup"
    if name.casefold() == OPTIONS_FILE.casefold():
        return "options"
    if name.endswith(".lic"):
        return "license"
    raise InputError(f"backup file path {relpath!r} is not a license file (.lic), {OPTIONS_FILE} or the proxy file")


def host_path(install_dir: str, relpath: str) -> str:
    """Where a generation-relative path lives under ``install_dir`` on a License Server."""
    kind_of(relpath)
    return ntpath.join(check_install_dir(install_dir), *relpath.split("/"))


# --------------------------------------------------------------------------------------------
# What a backup takes
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class BackupSource:
    """One file to back up: where it is on the License Server and where it goes in the generation."""

    relpath: str
    host_path: str
    kind: str


def backup_sources(install_dir: str, myfiles_names: Iterable[str]) -> tuple[list[BackupSource], list[str]]:
    """The files a backup copies, and the MyFiles names it leaves out (with why, for the result).

    Every lower-case ``.lic`` (seed 004: the License Server reads only those), ``CITRIX.opt`` (the
    options file), and the proxy configuration of Citrix Web Services for Licensing. Anything else in
    MyFiles (``.old`` leftovers, ``.LIC`` files the server ignores, backups of replaced files) is not
    a file the License Server uses, so it is listed in the second value instead.
    """
    selected: list[BackupSource] = []
    skipped: list[str] = []
    for name in sorted(set(myfiles_names), key=str.casefold):
        relpath = f"{MYFILES}/{name}"
        try:
            kind = kind_of(relpath)
        except InputError:
            skipped.append(name)
            continue
        selected.append(BackupSource(relpath, host_path(install_dir, relpath), kind))
    selected.append(BackupSource(PROXY_CONFIG_RELPATH, host_path(install_dir, PROXY_CONFIG_RELPATH), "proxy_config"))
    return selected, skipped


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def file_entry(source: BackupSource, data: bytes) -> dict[str, Any]:
    """The manifest entry of one backed-up file."""
    return {
        "path": source.relpath,
        "host_path": source.host_path,
        "kind": source.kind,
        "size": len(data),
        "sha256": sha256_hex(data),
    }


def build_manifest(
    *,
    generation: str,
    created_at: datetime.datetime,
    source_host: str,
    ls_hostname: str,
    ls_hostname_source: str,
    cluster_access_point: str | None,
    macs: Sequence[str],
    ls_version: str | None,
    install_dir: str,
    ports: Mapping[str, int],
    observed_at: str | None,
    served_features: Sequence[str] | None,
    files: Sequence[Mapping[str, Any]],
) -> dict[str, Any]:
    """The manifest of a generation (validated on the way out, so a bad one is never written)."""
    manifest = {
        "format": MANIFEST_FORMAT,
        "format_version": MANIFEST_VERSION,
        "generation": generation,
        "created_at": created_at.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "source_host": source_host,
        "ls_hostname": ls_hostname,
        "ls_hostname_source": ls_hostname_source,
        "cluster_access_point": cluster_access_point,
        "macs": list(macs),
        "ls_version": ls_version,
        "install_dir": install_dir,
        "ports": dict(ports),
        "observed_at": observed_at,
        "served_features": sorted(served_features) if served_features is not None else None,
        "files": sorted((dict(f) for f in files), key=lambda f: f["path"].casefold()),
    }
    return validate_manifest(manifest, "the new manifest")


def validate_manifest(data: Any, where: str) -> dict[str, Any]:
    """Check a manifest read from disk; returns it, or raises InputError naming what is wrong.

    Paths are checked against the only shapes a backup writes, so a manifest that was tampered with
    cannot make a restore write outside MyFiles and the proxy file.
    """
    if not isinstance(data, dict):
        raise InputError(f"{where} is not a JSON object: it is not a ctxlic.license_server.dr_backup manifest")
    if data.get("format") != MANIFEST_FORMAT:
        raise InputError(f"{where} has format {data.get('format')!r}, expected {MANIFEST_FORMAT!r}")
    if data.get("format_version") != MANIFEST_VERSION:
        raise InputError(
            f"{where} has format_version {data.get('format_version')!r}; this collection reads version "
            f"{MANIFEST_VERSION}: use the collection version that wrote it"
        )
    for key, kind in _MANIFEST_KEYS.items():
        if not isinstance(data.get(key), kind) or isinstance(data.get(key), bool):
            raise InputError(f"{where}: {key} is missing or not of the expected type")
    if not data["ls_hostname"].strip():
        raise InputError(f"{where}: ls_hostname is empty; the backup cannot tell which host name the licenses need")
    seen: set[str] = set()
    for entry in data["files"]:
        _validate_entry(entry, where, seen)
    served = data.get("served_features")
    if served is not None and (not isinstance(served, list) or not all(isinstance(x, str) for x in served)):
        raise InputError(f"{where}: served_features must be a list of feature names or null")
    if not isinstance(data.get("ports", {}), dict) or not isinstance(data.get("macs", []), list):
        raise InputError(f"{where}: ports must be an object and macs a list")
    return data


def _validate_entry(entry: Any, where: str, seen: set[str]) -> None:
    if not isinstance(entry, dict):
        raise InputError(f"{where}: a files entry is not an object")
    relpath = entry.get("path")
    kind = kind_of(relpath)
    if entry.get("kind") != kind:
        raise InputError(f"{where}: {relpath} is recorded as kind {entry.get('kind')!r}, but it is a {kind} file")
    size = entry.get("size")
    if not isinstance(size, int) or isinstance(size, bool) or not 0 <= size <= MAX_FILE_BYTES:
        raise InputError(f"{where}: {relpath} has an invalid size {size!r}")
    if not isinstance(entry.get("sha256"), str) or not _SHA256_RE.match(entry["sha256"]):
        raise InputError(f"{where}: {relpath} has no valid sha256 (64 lower-case hex digits)")
    folded = relpath.casefold()
    if folded in seen:
        raise InputError(f"{where}: {relpath} is listed twice (Windows file names ignore case)")
    seen.add(folded)


def content_fingerprint(manifest: Mapping[str, Any]) -> tuple:
    """What makes two backups the same: the License Server identity and version and every file's hash.

    Time stamps, served features and the source inventory name do not count, so a re-run against an
    unchanged server finds the newest generation identical and creates no new one.
    """
    return (
        manifest.get("ls_hostname"),
        manifest.get("cluster_access_point"),
        manifest.get("ls_version"),
        (manifest.get("install_dir") or "").casefold(),
        tuple(sorted((f["path"].casefold(), f["sha256"]) for f in manifest.get("files", []))),
    )


def listing(manifest: Mapping[str, Any] | None) -> str:
    """One line per file (``sha256  size  path``), for diffs."""
    if not manifest:
        return ""
    return "".join(f"{f['sha256']}  {f['size']:>8}  {f['path']}\n" for f in manifest.get("files", []))


# --------------------------------------------------------------------------------------------
# Verification and retention
# --------------------------------------------------------------------------------------------


@dataclass
class GenerationState:
    """One generation on the controller: its name, its manifest (when readable) and what is wrong."""

    name: str
    manifest: dict[str, Any] | None = None
    problems: list[str] = field(default_factory=list)

    @property
    def verified(self) -> bool:
        return self.manifest is not None and not self.problems

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "verified": self.verified,
            "created_at": (self.manifest or {}).get("created_at"),
            "files": len((self.manifest or {}).get("files", [])),
            "problems": list(self.problems),
        }


def verify_files(manifest: Mapping[str, Any], actual: Mapping[str, tuple[int, str] | None]) -> list[str]:
    """Compare the files found in a generation (path -> (size, sha256) or None) with its manifest."""
    problems = []
    for entry in manifest.get("files", []):
        found = actual.get(entry["path"])
        if found is None:
            problems.append(f"{entry['path']} is missing from the backup")
            continue
        size, digest = found
        if size != entry["size"] or digest != entry["sha256"]:
            problems.append(
                f"{entry['path']} does not match the manifest (sha256 {digest[:12]}..., size {size}; "
                f"recorded sha256 {entry['sha256'][:12]}..., size {entry['size']}): it was changed after the backup"
            )
    return problems


def plan_retention(generations: Sequence[GenerationState], keep: int) -> tuple[list[str], list[str]]:
    """(kept, deleted) generation names, newest first.

    The ``keep`` newest generations stay. The newest verified generation always stays, even when
    newer broken ones fill the ``keep`` slots: deleting the last good backup is never right.
    Retention deletes only generations that verify (every file matches its manifest): a broken
    generation may hold the only copy of a file, so it stays, whatever its age, until someone has
    looked at it (see :func:`broken_beyond_keep`).
    """
    if isinstance(keep, bool) or not isinstance(keep, int) or keep < 1:
        raise InputError(f"keep must be a whole number of at least 1, got {keep!r}: the newest backup is always kept")
    ordered = sorted(generations, key=lambda g: generation_sort_key(g.name), reverse=True)
    keep_names = {g.name for g in ordered[:keep]} | {g.name for g in ordered if not g.verified}
    newest_verified = next((g.name for g in ordered if g.verified), None)
    if newest_verified is not None:
        keep_names.add(newest_verified)
    kept = [g.name for g in ordered if g.name in keep_names]
    deleted = [g.name for g in ordered if g.name not in keep_names]
    return kept, deleted


def broken_beyond_keep(generations: Sequence[GenerationState], keep: int) -> list[GenerationState]:
    """The generations that do not verify and that retention keeps only because they do not verify."""
    ordered = sorted(generations, key=lambda g: generation_sort_key(g.name), reverse=True)
    return [g for g in ordered[keep:] if not g.verified]


def select_generation(names: Iterable[str], wanted: str | None, set_dir: str) -> str:
    """The generation to restore: ``wanted`` when given, else the newest. Never silently an older one."""
    available = sorted((n for n in names if is_generation_name(n)), key=generation_sort_key, reverse=True)
    if not available:
        raise InputError(
            f"no backup generation in {set_dir}: run the backup (playbook ctxlic.license_server.dr_backup) first, or "
            "point the backup directory and the primary's name at where the backups are"
        )
    if wanted:
        if wanted not in available:
            raise InputError(f"generation {wanted!r} is not in {set_dir}; available: {', '.join(available)}")
        return wanted
    return available[0]


# --------------------------------------------------------------------------------------------
# Failover: identity, install, files
# --------------------------------------------------------------------------------------------


def identity(raw: Mapping[str, Any], record_hostname: str | None, cluster_access_point: str | None) -> tuple[
        str | None, str]:
    """(name the license files must be bound to, where it came from).

    On a cluster the client access point carries the licenses' host name (seed 004: "You must give the
    client access point the same name as the original License Server"), so it is the name. Otherwise
    what ``lmhostid -hostname`` prints, else the Windows computer name when the License Server is not
    installed yet (the info record's ``hostname``).
    """
    if cluster_access_point:
        return cluster_access_point, "cluster_access_point"
    lmhostid = parse_lmhostid((raw.get("lmhostid") or {}).get("stdout"))
    return record_hostname, "lmhostid" if lmhostid else "computer_name"


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
# The primary: only one License Server may serve at a time
# --------------------------------------------------------------------------------------------


@dataclass
class PrimaryPlan:
    """What to do about the primary before the DR host starts serving."""

    reachable: bool
    stop: list[str] = field(default_factory=list)
    refusal: str | None = None
    notes: list[str] = field(default_factory=list)
    fence: list[str] = field(default_factory=list)  # services whose start mode is set to ``start_mode``
    start_mode: str = "disabled"
    undo: str | None = None  # how to bring the primary back, once fenced


def check_services(services: Any) -> list[str]:
    """The service names option: a non-empty list of names, Citrix Licensing among them."""
    if not isinstance(services, list) or not services or not all(isinstance(s, str) and s.strip() for s in services):
        raise InputError(f"services must be a non-empty list of Windows service names, got {services!r}")
    if LICENSING_SERVICE not in services:
        raise InputError(
            f"services {services!r} does not name {LICENSING_SERVICE!r}: that service serves the checkouts, so the "
            "primary keeps serving unless it is stopped"
        )
    return [s.strip() for s in services]


FENCE_START_MODES = ("disabled", "manual", "unchanged")


def plan_primary(
    primary: str,
    *,
    reachable: bool,
    error: str | None,
    states: Mapping[str, tuple[bool, str | None]],
    services: Sequence[str],
    confirmed_down: bool,
    start_modes: Mapping[str, str | None] | None = None,
    start_mode: str = "unchanged",
) -> PrimaryPlan:
    """Stop the primary's services when it answers; when it does not, demand the operator's word.

    ``states`` maps a service name to (exists, state). Ansible not reaching a host proves only that
    its management connection is down, not that its License Server is: hence the confirmation.

    Fencing: a stopped service on automatic start comes back when the primary reboots, and then two License
    Servers with the same name are reachable, which seed 004 forbids ("only one License Server ... accessible
    at any one time"). With ``start_mode`` ``disabled`` (or ``manual``) every existing service whose start mode
    (``start_modes``: name -> win_service start_mode) differs is set to it, so the fence survives a reboot.
    """
    if start_mode not in FENCE_START_MODES:
        raise InputError(f"start_mode {start_mode!r} is not one of {', '.join(FENCE_START_MODES)}")
    if not reachable:
        plan = PrimaryPlan(reachable=False)
        why = f"the primary License Server {primary!r} could not be reached ({error or 'no answer'})"
        if confirmed_down:
            plan.notes.append(f"{why}; going ahead because confirmed_down is true (the operator confirmed it is down)")
        else:
            plan.refusal = (
                f"{why}, so the failover cannot make sure it is not serving. Citrix Licensing 11.17.2 build 49000 "
                "documentation: only one License Server with "
                "this name may be reachable at a time. Make sure it is off (powered off, or disconnected from the "
                "network), then run again with ctxlic_dr_primary_confirmed_down=true (module option confirmed_down). "
                "Nothing was changed"
            )
        return plan
    plan = PrimaryPlan(reachable=True, start_mode=start_mode)
    modes = start_modes or {}
    for name in services:
        exists, state = states.get(name, (False, None))
        if not exists:
            plan.notes.append(f"service {name!r} does not exist on the primary")
            continue
        if str(state or "").lower() != "stopped":
            plan.stop.append(name)
        else:
            plan.notes.append(f"service {name!r} was already stopped")
        if start_mode != "unchanged":
            if str(modes.get(name) or "").lower() != start_mode:
                plan.fence.append(name)
            else:
                plan.notes.append(f"service {name!r} already has start mode {start_mode}")
    if start_mode == "unchanged":
        plan.notes.append(
            "start modes were left unchanged: a reboot of the primary starts its automatic services again and then "
            "two License Servers with the same name are reachable; keep it off the network"
        )
    else:
        plan.undo = undo_text(primary, [n for n in services if states.get(n, (False, None))[0]], modes)
    return plan


def undo_text(primary: str, services: Sequence[str], before: Mapping[str, str | None]) -> str:
    """How to un-fence the primary: the start mode each service had before, then start them."""
    modes = ", ".join(f"{name!r} to {before.get(name) or 'auto'}" for name in services)
    first = services[0] if services else LICENSING_SERVICE
    return (
        f"to make {primary} a License Server again, first make sure the DR License Server with the same name no "
        f"longer serves (only one may be reachable at a time), then on {primary} set the start mode of {modes} and "
        f"start them, e.g. with ansible.windows.win_service name={first!r} start_mode="
        f"{before.get(first) or 'auto'} state=started for each (services.msc: Startup type, then Start)"
    )


def still_running(states: Mapping[str, tuple[bool, str | None]], services: Sequence[str]) -> list[str]:
    """Services that exist and are not stopped (after the stop requests)."""
    return [n for n in services if states.get(n, (False, None))[0] and str(states[n][1] or "").lower() != "stopped"]
