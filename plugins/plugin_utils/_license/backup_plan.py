# Copyright: (c) 2026, ctxlic maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# Internal use only: this module is private to ctxlic.license_server and may change at any time.
"""Backing up a License Server's MyFiles to the controller, and the allocations its files hold (pure: no I/O).

Why this exists: before a License Server is uninstalled or replaced, its license files must be kept
(they are the only installed copy of the allocations; seed 004 "Uninstall the License Server" keeps
``MyFiles`` on the server, but a decommissioned server's disk is wiped eventually), and every
allocation they hold must be returned on the licensing portal, or the portal keeps counting the host
name as an active license server that does not report (seed 002, "be aware of obsolete license
servers" and "How to return (de-allocate) Citrix licenses").

What is backed up: every ``*.lic`` file (any case: a ``.LIC`` file is ignored by the License Server,
seed 004 "Download licenses", but it still holds an allocation) and ``CITRIX.opt`` (the options file
the License Server keeps next to them), plus names matching the caller's extra patterns.

The controller layout and the manifest are decided here; reading and writing them is
:mod:`.license_backup_store`; talking to the host is the action plugin's job.
"""

from __future__ import annotations

import datetime
import fnmatch
import ntpath
from typing import Any, Iterable, Mapping, Sequence

from ansible_collections.ctxlic.license_server.plugins.plugin_utils._common.timeutil import normalize_time
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._common.constants import SHA1_HEX, SHA256_HEX
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._common.errors import CtxlicError, InputError
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._license.license_model import LicenseFileReport
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._license.license_names import is_protected

MANIFEST_VERSION = 1
OPTIONS_FILE = "citrix.opt"  # compared case-insensitively, as Windows does
LICENSE_SUFFIX = ".lic"
FILES_DIR = "files"
PREVIOUS_DIR = "previous"

_BAD_NAME_CHARS = frozenset('/\\:\x00')


# --------------------------------------------------------------------------- which files


def myfiles_dir(install_dir: str) -> str:
    """``<install>\\MyFiles``: the only folder license files live in (seed 004)."""
    if not isinstance(install_dir, str) or not install_dir.strip():
        raise InputError(f"install_dir {install_dir!r} is not a Windows path: give the License Server folder.")
    return ntpath.join(install_dir.rstrip("\\"), "MyFiles")


def safe_name(name: Any) -> str | None:
    """Why ``name`` cannot be kept as a file name on the controller, or None when it can."""
    if not isinstance(name, str) or not name:
        return f"file name {name!r} is empty or not text"
    if name in (".", "..") or any(ch in _BAD_NAME_CHARS for ch in name):
        return f"file name {name!r} contains a path separator, ':' or NUL"
    if name.startswith("."):
        return f"file name {name!r} starts with '.', which the controller store uses for partial downloads"
    return None


def _check_patterns(patterns: Any) -> list[str]:
    if patterns is None:
        return []
    if isinstance(patterns, (str, bytes, Mapping)) or not isinstance(patterns, Iterable):
        raise InputError(f"extra_patterns {patterns!r} must be a list of file name patterns such as '*.old'.")
    checked = []
    for pattern in patterns:
        if not isinstance(pattern, str) or not pattern.strip() or any(ch in pattern for ch in "/\\"):
            raise InputError(f"extra_patterns entry {pattern!r} must be a file name pattern (no folders), "
                             "for example '*.old'.")
        checked.append(pattern.strip())
    return checked


def wanted(name: str, extra_patterns: Sequence[str] = ()) -> bool:
    """Whether a MyFiles entry is backed up: ``*.lic`` and ``CITRIX.opt`` in any case, or an extra pattern."""
    folded = name.casefold()
    if folded.endswith(LICENSE_SUFFIX) or folded == OPTIONS_FILE:
        return True
    return any(fnmatch.fnmatchcase(folded, pattern.casefold()) for pattern in extra_patterns)


def select_files(names: Iterable[str], extra_patterns: Any = ()) -> tuple[list[str], list[str]]:
    """(names to back up sorted, problems) from a MyFiles listing; names unsafe on the controller are problems."""
    patterns = _check_patterns(extra_patterns)
    selected, problems = [], []
    for name in sorted(set(names)):
        if not wanted(name, patterns):
            continue
        problem = safe_name(name)
        if problem:
            problems.append(f"{problem}; it was not backed up, copy it by hand")
            continue
        selected.append(name)
    return selected, problems


# --------------------------------------------------------------------------- manifest


def empty_manifest(host: str, install_dir: str) -> dict[str, Any]:
    """A manifest before the first backup of ``host``."""
    return {"version": MANIFEST_VERSION, "host": host, "install_dir": install_dir, "updated": None,
            "files": [], "previous": []}


def _entry_problem(entry: Any, keys: Sequence[str]) -> str | None:
    if not isinstance(entry, dict):
        return "an entry is not a mapping"
    missing = [k for k in keys if k not in entry]
    if missing:
        return f"an entry lacks {', '.join(missing)}"
    if safe_name(entry.get("name")):
        return f"entry name {entry.get('name')!r} is not a plain file name"
    if not isinstance(entry.get("sha256"), str) or not SHA256_HEX.match(entry["sha256"]):
        return f"entry {entry.get('name')!r} has no SHA-256"
    if not isinstance(entry.get("size"), int) or isinstance(entry.get("size"), bool):
        return f"entry {entry.get('name')!r} has no size"
    return None


def check_manifest(data: Any, where: str) -> dict[str, Any]:
    """Return ``data`` when it is a manifest this module wrote; raise CtxlicError naming the file otherwise."""
    fix = f"move {where} away (keep it: it lists the copies already made) and run again"
    if not isinstance(data, dict) or data.get("version") != MANIFEST_VERSION:
        raise CtxlicError(f"{where} is not a license backup manifest of version {MANIFEST_VERSION}: {fix}.")
    required = {"files": ("name", "server_path", "size", "sha256"), "previous": ("name", "path", "size", "sha256")}
    for key, needed in required.items():
        if not isinstance(data.get(key), list):
            raise CtxlicError(f"{where}: '{key}' is not a list: {fix}.")
        for entry in data[key]:
            problem = _entry_problem(entry, needed)
            if problem:
                raise CtxlicError(f"{where}: {key}: {problem}: {fix}.")
    names = [e["name"] for e in data["files"]]
    if len(names) != len(set(names)):
        raise CtxlicError(f"{where}: a file is listed twice: {fix}.")
    return data


def current_entry(manifest: Mapping[str, Any], name: str) -> dict[str, Any] | None:
    """The manifest entry of the latest copy of ``name``, or None."""
    return next((e for e in manifest["files"] if e["name"] == name), None)


def decide(
    server_files: Sequence[Mapping[str, Any]],
    manifest: Mapping[str, Any],
    local: Mapping[str, Mapping[str, Any] | None],
) -> list[dict[str, Any]]:
    """What to do with each server file: ``keep``, ``fetch`` (no good copy yet) or ``replace`` (server changed).

    ``server_files``: ``{name, path, size, sha1}`` (SHA-1 is what ``win_stat`` computes; None when the host
    gave none). ``local``: name -> ``{size, sha1, sha256}`` of the controller copy, or None when missing.
    A copy is kept only when the manifest vouches for it (same SHA-256 on disk) and it matches the server
    (size, and SHA-1 when known). A copy that no longer matches its own manifest entry is fetched again
    (``reason`` says why) without being kept as a previous version, because it is not a good copy.
    """
    decisions = []
    for item in sorted(server_files, key=lambda f: f["name"]):
        entry = current_entry(manifest, item["name"])
        have = local.get(item["name"])
        decision = {**item, "action": "fetch", "reason": None}
        if entry is not None and have is not None and have.get("sha256") == entry["sha256"]:
            same = have.get("size") == item["size"] and (not item.get("sha1") or have.get("sha1") == item["sha1"])
            decision["action"] = "keep" if same else "replace"
            if not same:
                decision["reason"] = "the server's file changed since the last backup; the old copy is kept"
        elif entry is not None:
            decision["reason"] = ("the controller copy is missing" if have is None
                                  else "the controller copy does not match its manifest entry")
        decisions.append(decision)
    return decisions


def gone_from_server(manifest: Mapping[str, Any], server_names: Iterable[str]) -> list[dict[str, Any]]:
    """Manifest entries whose file is no longer on the server (the controller copy is kept)."""
    present = set(server_names)
    return [e for e in manifest["files"] if e["name"] not in present]


def previous_path(name: str, when: datetime.datetime) -> str:
    """Relative path (POSIX) of a replaced copy: ``previous/<UTC stamp>/<name>``."""
    return f"{PREVIOUS_DIR}/{when.strftime('%Y%m%dT%H%M%SZ')}/{name}"


def record_copy(
    manifest: Mapping[str, Any],
    copy: Mapping[str, Any],
    *,
    when: datetime.datetime,
    retired: str | None = None,
) -> dict[str, Any]:
    """A new manifest with ``copy`` (``name, server_path, size, sha1, sha256, mtime``) as the latest copy.

    ``retired`` is where the copy it replaces was moved (see :func:`previous_path`), recorded in
    ``previous``; None when there was no good earlier copy.
    """
    stamp = normalize_time(when, "time")
    old = current_entry(manifest, copy["name"])
    files = [e for e in manifest["files"] if e["name"] != copy["name"]]
    files.append({"name": copy["name"], "server_path": copy["server_path"], "size": copy["size"],
                  "sha1": copy.get("sha1"), "sha256": copy["sha256"], "mtime": copy.get("mtime"),
                  "fetched_at": stamp})
    previous = list(manifest["previous"])
    if retired is not None and old is not None:
        previous.append({"name": old["name"], "path": retired, "size": old["size"], "sha256": old["sha256"],
                         "fetched_at": old.get("fetched_at"), "replaced_at": stamp})
    return {**manifest, "files": sorted(files, key=lambda e: e["name"]), "previous": previous, "updated": stamp}


def sha256sums(manifest: Mapping[str, Any]) -> str:
    """``sha256sum -c`` input for every copy the manifest lists (latest and previous), relative to the host folder."""
    lines = [f"{e['sha256']}  {FILES_DIR}/{e['name']}" for e in manifest["files"]]
    lines += [f"{e['sha256']}  {e['path']}" for e in manifest["previous"]]
    return "".join(line + "\n" for line in lines)


def verify_copies(manifest: Mapping[str, Any], local: Mapping[str, Mapping[str, Any] | None]) -> list[str]:
    """Problems with the latest copies on the controller (missing, or SHA-256 not as recorded)."""
    problems = []
    for entry in manifest["files"]:
        have = local.get(entry["name"])
        if have is None:
            problems.append(f"{entry['name']}: the controller copy is missing")
        elif have.get("sha256") != entry["sha256"] or have.get("size") != entry["size"]:
            problems.append(f"{entry['name']}: the controller copy's SHA-256 {have.get('sha256')} is not the recorded "
                            f"{entry['sha256']}")
    return problems


def is_sha1(value: Any) -> bool:
    """Whether ``value`` looks like the hex SHA-1 ``win_stat``/``stat`` return."""
    return isinstance(value, str) and SHA1_HEX.match(value) is not None


# --------------------------------------------------------------------------- allocations


def allocations(reports: Sequence[LicenseFileReport], *, today: datetime.date) -> dict[str, Any]:
    """The allocations the parsed license files hold: what to return on the licensing portal (seed 002).

    One item per INCREMENT line of every file except the start-up license (``citrix_startup.lic``, which
    the License Server installs itself and which is not allocated on the portal). Expired lines are
    listed too: seed 002 says expired and inactive licenses must be returned as well. Returns::

        {"host_ids": [bound host names / MACs], "entries": [{serial, feature, friendly_name, count, uncounted,
          expiry, expired, file}], "by_feature": {feature: {count, serials}}, "unreadable": [{file, reason}],
         "lines": [text per item, for printing], "totals": [text per feature]}

    Signatures never appear (the parser does not export them). The list is ``entries``, not ``items``,
    because ``x.items`` in a playbook is the dict method, not the key.
    """
    if not isinstance(today, datetime.date):
        raise InputError(f"today {today!r} is not a date.")
    items: list[dict[str, Any]] = []
    host_ids: list[str] = []
    unreadable: list[dict[str, str]] = []
    for report in sorted(reports, key=lambda r: r.name):
        if is_protected(report.name) or not report.name.casefold().endswith(LICENSE_SUFFIX):
            continue
        for value in report.binding.values:
            if value not in host_ids:
                host_ids.append(value)
        if not report.features:
            reason = "; ".join(f.message for f in report.errors) or "no INCREMENT line"
            unreadable.append({"file": report.name, "reason": reason})
            continue
        for line in report.features:
            expired = bool(not line.permanent and line.expiry_date is not None and line.expiry_date < today)
            items.append({"serial": line.serial, "feature": line.feature, "friendly_name": line.friendly_name,
                          "count": line.count, "uncounted": line.uncounted, "expiry": line.expiry,
                          "expired": expired, "file": report.name})
    items.sort(key=lambda i: (i["serial"] is None, i["serial"] or "", i["feature"], i["file"]))
    by_feature: dict[str, dict[str, Any]] = {}
    for item in items:
        entry = by_feature.setdefault(item["feature"], {"count": 0, "uncounted": False, "serials": []})
        if item["uncounted"]:
            entry["uncounted"] = True
        elif isinstance(item["count"], int):
            entry["count"] += item["count"]
        if item["serial"] and item["serial"] not in entry["serials"]:
            entry["serials"].append(item["serial"])
    by_feature = dict(sorted(by_feature.items()))
    return {"host_ids": host_ids, "entries": items, "by_feature": by_feature, "unreadable": unreadable,
            "lines": allocation_lines(items, unreadable), "totals": total_lines(by_feature)}


def total_lines(by_feature: Mapping[str, Mapping[str, Any]]) -> list[str]:
    """One readable line per feature: the total count and the serial numbers that make it up."""
    lines = []
    for feature, entry in by_feature.items():
        count = "uncounted" if entry["uncounted"] and not entry["count"] else str(entry["count"])
        if entry["uncounted"] and entry["count"]:
            count += " + uncounted"
        serials = ", ".join(entry["serials"]) or "no SN"
        lines.append(f"{feature}: {count} ({serials})")
    return lines


def allocation_lines(items: Sequence[Mapping[str, Any]], unreadable: Sequence[Mapping[str, str]] = ()) -> list[str]:
    """One readable line per allocation (and per file that could not be read)."""
    lines = []
    for item in items:
        count = "uncounted" if item["uncounted"] else f"count {item['count'] if item['count'] is not None else '?'}"
        serial = f"SN {item['serial']}" if item["serial"] else "no SN on the line (find it by host name)"
        expiry = item["expiry"] or "unknown expiry"
        flag = " EXPIRED" if item["expired"] else ""
        lines.append(f"{serial}: {item['feature']} {count}, expires {expiry}{flag} ({item['file']})")
    for entry in unreadable:
        lines.append(f"{entry['file']}: could not be read ({entry['reason']}); find its allocation on the portal by "
                     "host name")
    return lines
