# Copyright: (c) 2026, ctxlic maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# Internal use only: this module is private to ctxlic.license_server and may change at any time.
r"""Disaster recovery of a Citrix License Server, the backup side: what a backup takes, its manifest,
verification and retention of generations (pure).

Seed 004 "Disaster recovery backup and redundancy" is the specification:

* "You can use the same licenses for your disaster recovery site" - but only on a server with "the
  same binding information", that is the host name (case-sensitive, seed 004 "Clustered License
  Servers": "Host names in license files are case-sensitive") or MAC address of the original;
* "The License Server in your disaster recovery environment must have an identical host name";
* "Make only one License Server accessible at any one time" / "You cannot have two License Servers
  that have the same name on your network active at the same time";
* "Install the License Server component and your backup license files to relicense your
  environment" within the 30-day license caching mode.

This module decides; it never reads a file, a clock or a host. :mod:`.._store.dr_backups` keeps generations
on the controller, the action plugin ``dr_backup`` reads the License Server. Failover decisions are in
:mod:`.restore` (the DR host) and :mod:`.primary` (the primary).

A backup set holds generations: folders named by the UTC time of the backup (``20261122T120000Z``,
with ``-2``, ``-3`` ... when two fall into the same second) holding the files
under their installation-relative paths (``MyFiles/FID_a.lic``, ``MyFiles/CITRIX.opt``,
``WebServicesForLicensing/SimpleLicenseServiceConfig.xml``, ``LS/conf/server.crt``,
``LS/conf/server.key`` and the ``LS/conf`` / ``LS/resource/cache`` files the operator lists) and
``manifest.json``, which records size and SHA-256 of every file and what the License Server was (host
name, version, ports, served features) when the backup was taken.

What "the License Server and its contents" (seed 004 ~4779, "Redundancy solutions") holds beyond
MyFiles, in the document's own words (seed 004 ~3574-3582, the support-bundle table):

* ``LS\conf`` "Includes server configuration and certificates." The only files the document names
  there are ``server.crt`` and ``server.key`` (seed 004 ~2905-2937: "Copy the server.crt and
  server.key ... to c:\Program Files (x86)\Citrix\Licensing\LS\conf"; "The License Server uses only
  the .crt certificate format"). A backup takes those two when they exist (kind ``certificate``).
* ``LS\resource\cache`` "Contains user/device data, renewal database, and vendor daemon extension
  data. There are also upload result files that contain the status of the last telemetry transfer."
  The document names no file of the user/device data, the renewal database or the extension data
  (the only name it gives there is ``upload_compliance_result.xml``, seed 004 ~745, a status file),
  and no other file of the server configuration in ``LS\conf``. The collection does not guess: the
  operator lists such files or folders (``extra_paths``, kinds ``conf`` and ``cache``), and a backup
  warns about files it finds there that nobody listed (docs/dr.md).

Manifest format 2 adds those kinds; format 1 manifests (license, startup, options and proxy files
only) are still read and restored.
"""

from __future__ import annotations

import base64
import datetime
import hashlib
import ntpath
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ansible_collections.ctxlic.license_server.plugins.plugin_utils._common.install_dir import check_install_dir
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._common.errors import InputError
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._server.ls_tools import parse_lmhostid

MANIFEST_NAME = "manifest.json"
MANIFEST_FORMAT = "ctxlic.license_server.dr_backup"
MANIFEST_VERSION = 2
#: Manifest versions this collection reads: 1 (before LS\conf and LS\resource\cache were backed up) and 2.
READABLE_VERSIONS = (1, 2)
DEFAULT_BACKUP_DIR = "~/.ansible/ctxlic/dr_backups"

MYFILES = "MyFiles"
STARTUP_LICENSE = "citrix_startup.lic"
OPTIONS_FILE = "CITRIX.opt"
PROXY_CONFIG_RELPATH = "WebServicesForLicensing/SimpleLicenseServiceConfig.xml"
PROXY_CONFIG_WINDOWS = r"WebServicesForLicensing\SimpleLicenseServiceConfig.xml"

LS_CONF = "LS/conf"
LS_CACHE = "LS/resource/cache"
#: The certificate and private key the License Server reads from LS\conf (seed 004 ~2905-2937).
CERTIFICATE_FILES = ("server.crt", "server.key")
#: The status of the last compliance upload in LS\resource\cache (seed 004 ~745): not server state to warn about.
UPLOAD_RESULT_FILE = "upload_compliance_result.xml"

KINDS = ("license", "startup", "options", "proxy_config", "certificate", "conf", "cache")
#: What a format 1 manifest can hold.
V1_KINDS = ("license", "startup", "options", "proxy_config")
#: Files of the License Server's own state: a restore writes them while the Citrix Licensing service is stopped
#: (seed 004 ~2934-2937: "Stop the Citrix licensing service", copy the files to LS\conf, "Start the Citrix
#: licensing service"), before the license files are put in place and reread.
STATE_KINDS = ("certificate", "conf", "cache")
#: Largest file a generation may hold; license files are limited to 1 MiB by the parser, the rest is tiny.
MAX_FILE_BYTES = 16 * 1024 * 1024

_GENERATION_RE = re.compile(r"^(\d{8}T\d{6}Z)(?:-([2-9]|[1-9]\d{1,3}))?$")
_SHA256_RE = re.compile(r"^[0-9a-f]{64}$")
_SET_NAME_RE = re.compile(r"[^A-Za-z0-9._-]")
_BAD_NAME_CHARS = frozenset('<>:"/\\|?*\x00')
_MANIFEST_KEYS: dict[str, type | tuple[type, ...]] = {
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
    for folder, kind in ((LS_CACHE, "cache"), (LS_CONF, "conf")):
        prefix = folder.split("/")
        if parts[:len(prefix)] == prefix and len(parts) > len(prefix):
            for part in parts[len(prefix):]:
                _check_bare_name(part, "backup file name")
            if kind == "conf" and len(parts) == 3 and parts[2].casefold() in CERTIFICATE_FILES:
                return "certificate"
            return kind
    if len(parts) != 2 or parts[0] != MYFILES:
        raise InputError(
            f"backup file path {relpath!r} is neither MyFiles/<name>, {PROXY_CONFIG_RELPATH} nor a file under "
            f"{LS_CONF} or {LS_CACHE}: the manifest was not written by ctxlic.license_server.dr_backup (or was "
            "edited); do not restore from it"
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


def install_path(install_dir: str, relpath: str) -> str:
    """Windows path of ``LS/conf``, ``LS/resource/cache`` or a file or folder under them (``extra_relpath``)."""
    if relpath not in (LS_CONF, LS_CACHE):
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


def extra_relpath(text: Any) -> str:
    """An ``extra_paths`` item as a generation path: a file or folder under ``LS\\conf`` or ``LS\\resource\\cache``.

    Relative to the installation directory, ``\\`` or ``/`` separated, letter case of the two folders
    ignored (Windows). The Citrix Licensing documentation names the contents of those folders only in
    general terms (user/device data, renewal database, server configuration; seed 004 ~3579-3581), so
    which files they are is the operator's to say; anything outside them, absolute paths and ``..``
    are refused.
    """
    if not isinstance(text, str) or not text.strip():
        raise InputError(f"extra_paths item {text!r} is empty: give a path under LS\\conf or LS\\resource\\cache")
    raw = text.strip().replace("\\", "/")
    if raw.startswith("/") or ntpath_drive(raw):
        raise InputError(f"extra_paths item {text!r} is absolute: give it relative to the installation directory, "
                         "e.g. LS\\resource\\cache\\<file>")
    parts = [part for part in raw.split("/") if part]
    for part in parts:
        _check_bare_name(part, f"extra_paths item {text!r}: the part")
    for folder in (LS_CACHE, LS_CONF):
        prefix = folder.split("/")
        if [p.casefold() for p in parts[:len(prefix)]] == [p.casefold() for p in prefix]:
            return "/".join([*prefix, *parts[len(prefix):]])
    raise InputError(f"extra_paths item {text!r} is not under LS\\conf or LS\\resource\\cache: the backup takes "
                     "license files, CITRIX.opt and the proxy file by itself, and only those two folders' files on "
                     "request")


def ntpath_drive(path: str) -> str:
    """The drive or UNC share of a path (``C:``, ``//server/share``), empty for a relative path."""
    return ntpath.splitdrive(path.replace("/", "\\"))[0]


def state_sources(install_dir: str, conf_names: Iterable[str], extra_files: Iterable[str]) -> list[BackupSource]:
    """The License Server state files a backup copies besides MyFiles and the proxy file.

    ``conf_names``: the file names found directly in ``LS\\conf``; of those, the certificate and key the
    document names (``server.crt``, ``server.key``, seed 004 ~2936). ``extra_files``: generation paths of
    the files the operator's ``extra_paths`` resolved to. Sorted and without duplicates (case ignored).
    """
    wanted = {f"{LS_CONF}/{name}" for name in conf_names if name.casefold() in CERTIFICATE_FILES}
    wanted.update(extra_files)
    seen: dict[str, str] = {}
    for relpath in sorted(wanted, key=str.casefold):
        seen.setdefault(relpath.casefold(), relpath)
    return [BackupSource(rel, host_path(install_dir, rel), kind_of(rel)) for rel in seen.values()]


def untaken_warning(folder: str, found: Iterable[str], taken: Iterable[str]) -> str | None:
    """A warning naming the files found directly in ``folder`` (``LS_CONF``/``LS_CACHE``) that no rule takes.

    The document says these folders hold server configuration and certificates, and user/device data,
    the renewal database and vendor daemon extension data (seed 004 ~3579-3581), but names no file of
    them except the certificate pair and the upload result file; so the operator decides, and is told.
    """
    taken_folded = {rel.casefold() for rel in taken}
    left = sorted((name for name in found
                   if f"{folder}/{name}".casefold() not in taken_folded
                   and not (folder == LS_CACHE and name.casefold() == UPLOAD_RESULT_FILE)), key=str.casefold)
    if not left:
        return None
    what = ("server configuration and certificates" if folder == LS_CONF
            else "user/device data, renewal database and vendor daemon extension data")
    return (f"{folder.replace('/', chr(92))} holds {', '.join(left)}, which the backup does not take: the Citrix "
            f"Licensing 11.17.2 build 49000 documentation says this folder holds {what} but does not name these "
            "files. If a failover needs them (user/device license assignments, for one), list them or the folder in "
            "extra_paths (ctxlic_dr_extra_paths)")


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
    version = data.get("format_version")
    if isinstance(version, bool) or version not in READABLE_VERSIONS:
        raise InputError(
            f"{where} has format_version {version!r}; this collection reads versions "
            f"{', '.join(map(str, READABLE_VERSIONS))}: use the collection version that wrote it"
        )
    for key, kind in _MANIFEST_KEYS.items():
        if not isinstance(data.get(key), kind) or isinstance(data.get(key), bool):
            raise InputError(f"{where}: {key} is missing or not of the expected type")
    if not data["ls_hostname"].strip():
        raise InputError(f"{where}: ls_hostname is empty; the backup cannot tell which host name the licenses need")
    seen: set[str] = set()
    for entry in data["files"]:
        _validate_entry(entry, where, seen)
        if version == 1 and entry["kind"] not in V1_KINDS:
            raise InputError(f"{where}: {entry['path']} is a {entry['kind']} file, which a format 1 manifest never "
                             "holds; the manifest was edited, do not restore from it")
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
    if not isinstance(relpath, str):
        raise InputError(f"backup file path {relpath!r} is not a string")
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
# Identity: the name the license files are bound to
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


# --------------------------------------------------------------------------------------------
# One backup run: which bytes to take, whether a new generation is written, what retention deletes
# --------------------------------------------------------------------------------------------


def collected_content(source: BackupSource, raw: Mapping[str, Any]) -> bytes | None:
    """The bytes of ``source`` when the one-shot collection returned them; None: read the file from the host."""
    if source.kind in STATE_KINDS:
        return None  # the one-shot collection does not return LS\conf or LS\resource\cache files
    if source.kind == "proxy_config":
        item = raw.get("proxy_config")
    else:
        name = source.relpath.split("/", 1)[1]
        item = next((f for f in raw.get("myfiles") or [] if str(f.get("name", "")) == name), None)
    if item and item.get("content_b64") is not None:
        return base64.b64decode(item["content_b64"])
    return None


def source_problem(source: BackupSource, data: bytes | None) -> tuple[str | None, str | None]:
    """(warning, error) about one file read for the backup; both None when it is taken as it is.

    A missing proxy file is only a warning (no proxy configured); any other file that disappeared, or
    a file larger than a generation holds, stops the backup.
    """
    if data is None:
        if source.kind == "proxy_config":
            return f"{source.host_path} does not exist, so no proxy configuration is backed up", None
        return None, f"{source.host_path} disappeared while it was being backed up; run the backup again"
    if len(data) > MAX_FILE_BYTES:
        if source.kind in STATE_KINDS:
            return None, (f"{source.host_path} is larger than {MAX_FILE_BYTES} bytes, more than a backup generation "
                          "holds per file; leave it out of extra_paths")
        return None, (f"{source.host_path} is larger than {MAX_FILE_BYTES} bytes; it is not a license, options or "
                      "proxy file the backup can hold")
    return None, None


def content_warnings(entries: Sequence[Mapping[str, Any]], served: Sequence[str] | None, host: str) -> list[str]:
    """What a backup should say about what it holds: no license files; no record of the features served."""
    warnings = []
    if not any(e["kind"] == "license" for e in entries):
        warnings.append(f"no license files (*.lic other than {STARTUP_LICENSE}) in MyFiles on {host}; the backup "
                        "holds no licenses")
    if served is None:
        warnings.append("lmstat did not answer, so the backup does not record which features the primary served; "
                        "a failover then expects every feature of the restored license files")
    return warnings


@dataclass
class BackupPlan:
    """What one backup run does with the generations of its set."""

    new: dict[str, Any]  # the manifest of this run's generation
    newest_verified: GenerationState | None
    same: bool  # the newest verified generation already holds exactly this content: no new generation
    kept: list[str]
    deleted: list[str]
    warnings: list[str] = field(default_factory=list)

    @property
    def generation(self) -> str:
        return self.newest_verified.name if self.same and self.newest_verified else self.new["generation"]

    @property
    def manifest(self) -> dict[str, Any]:
        return self.newest_verified.manifest if self.same and self.newest_verified and \
            self.newest_verified.manifest else self.new

    @property
    def changed(self) -> bool:
        return (not self.same) or bool(self.deleted)


def plan_backup(states: Sequence[GenerationState], new: dict[str, Any], keep: int, set_dir: str) -> BackupPlan:
    """Compare the new manifest with the newest verified generation, then apply retention.

    ``states`` are the set's generations, newest first. An unchanged server writes no new generation;
    retention then runs over the existing ones only.
    """
    newest_verified = next((s for s in states if s.verified), None)
    same = newest_verified is not None and newest_verified.manifest is not None and (
        content_fingerprint(newest_verified.manifest) == content_fingerprint(new))
    candidates = list(states) if same else [GenerationState(new["generation"], new), *states]
    kept, deleted = plan_retention(candidates, keep)
    warnings = [f"generation {broken.name} in {set_dir} does not verify ({'; '.join(broken.problems)}); retention "
                "keeps it because it may hold the only copy of a file: compare it with the License Server and a "
                "good generation, then delete it by hand" for broken in broken_beyond_keep(candidates, keep)]
    return BackupPlan(new, newest_verified, same, kept, deleted, warnings)


def backup_message(plan: BackupPlan, path: str, deleted: Sequence[str], *, check: bool) -> str:
    """The task message: the generation written (or why none was), and the old generations deleted."""
    would = "would be " if check else ""
    text = (f"unchanged since generation {plan.generation}; no new generation" if plan.same
            else f"generation {plan.generation} {would}written to {path}")
    if deleted:
        text += f"; old generations {would}deleted: {', '.join(deleted)}"
    return text


def backup_diff(plan: BackupPlan, set_dir: str) -> tuple[str, str, str, str]:
    """(before, after, before_header, after_header): the file listing of the newest verified generation and the new."""
    old = plan.newest_verified
    return (listing(old.manifest if old else None), listing(plan.new),
            f"{set_dir} newest verified generation ({old.name if old else 'none'})",
            f"{set_dir} after the backup ({plan.generation})")
