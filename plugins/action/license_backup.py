# Copyright: (c) 2026, ctxlic maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Action plugin for ctxlic.license_server.license_backup (documentation in plugins/modules/license_backup.py).

Orchestration only: find MyFiles, list and checksum its license files on the host, fetch what the
controller lacks, verify every copy against the host's size and SHA-1 and the manifest's SHA-256,
and parse the copies for the allocations they hold. Decisions are in plugin_utils._license.backup_plan,
controller files in plugin_utils._store.license_backups.
"""

from __future__ import annotations

import ntpath
import uuid
from datetime import UTC, date, datetime
from typing import Any

from ansible.errors import AnsibleConnectionFailure, AnsibleError

from ansible_collections.ctxlic.license_server.plugins.plugin_utils._license import backup_plan as plan
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._action.base import CtxlicAction
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._common.errors import (
    CtxlicError,
    HostError,
)
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._store.license_backups import LicenseBackupStore
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._license.license_parser import parse_license_file
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._common.constants import DEFAULT_INSTALL_DIR
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._common.install_dir import check_install_dir
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._common.timeutil import parse_as_of_day
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._host.access import FileInfo
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._host.install_dir import registered_install_dir
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._telemetry.bundle_run import transfer_problem


class ActionModule(CtxlicAction):
    ARGUMENT_SPEC = {
        "dest": {"type": "path", "required": True},
        "install_dir": {"type": "str"},
        "extra_patterns": {"type": "list", "elements": "str", "default": []},
        "as_of": {"type": "str"},
    }
    CONTROLLER_PATHS = ("dest",)

    def run_module(self, args: dict, task_vars: dict) -> dict:
        self._now = datetime.now(UTC).replace(microsecond=0)
        self._errors: list[str] = []
        today = self._as_of(args["as_of"])
        install_dir, source = self._install_dir(args["install_dir"])
        myfiles = plan.myfiles_dir(install_dir)
        listing = self._list(myfiles)
        names, problems = plan.select_files(listing, args["extra_patterns"])
        self._errors.extend(problems)
        paths = [ntpath.join(myfiles, name) for name in names]
        infos = self.host.stat_files(paths, checksum=True) if paths else []  # one remote call for every file
        server = [self._checksum(info, name) for info, name in zip(infos, names, strict=True)]

        store = LicenseBackupStore(args["dest"], self.inventory_host)
        if self.check_mode:
            return self._backup(args, store, install_dir, source, myfiles, server, today)
        # An older version's folder of this host (no name hash) is moved first; then one run at a time per folder.
        self.warn(*store.adopt_legacy())
        with store.lock(uuid.uuid4().hex):
            return self._backup(args, store, install_dir, source, myfiles, server, today)

    def _backup(self, args: dict, store: LicenseBackupStore, install_dir: str, source: str, myfiles: str,
                server: list[dict], today: date) -> dict:
        manifest = store.load_manifest(install_dir)
        listed = sorted({f["name"] for f in server} | {e["name"] for e in manifest["files"]})
        decisions = plan.decide(server, manifest, store.local_hashes(listed))
        self.warn(*(f"{d['name']}: {d['reason']}" for d in decisions if d["reason"]))
        changed = False
        if not self.check_mode:
            store.prepare()
            for part in store.stale_parts():
                store.discard(part)
            for item in decisions:
                if item["action"] != "keep":
                    manifest, done = self._fetch(store, manifest, item)
                    changed = changed or done
            if changed or not store.manifest_path.exists():
                store.save(manifest)
                changed = True
            problems = plan.verify_copies(manifest, store.local_hashes([e["name"] for e in manifest["files"]]))
            self._errors.extend(f"{p}: run the task again to fetch it from the server" for p in problems)
        gone = plan.gone_from_server(manifest, [f["name"] for f in server])
        for entry in gone:
            self.warn(f"{entry['name']} is no longer in {myfiles}; its last copy is kept on the controller")
        allocations = plan.allocations(self._reports(store, decisions, today), today=today)
        return self._result(args, store, install_dir, source, myfiles, decisions, gone, allocations, changed)

    # -- inputs ------------------------------------------------------------------------------------
    @staticmethod
    def _as_of(text: str | None) -> date:
        return parse_as_of_day(text, datetime.now(UTC).date())

    def _install_dir(self, option: str | None) -> tuple[str, str]:
        """The option, else the registry, else the folder seed 004 says MyFiles stays in after an uninstall."""
        if option:
            return check_install_dir(option, "option install_dir"), "option"
        value = registered_install_dir(self.host)
        return (value, "registry") if value else (DEFAULT_INSTALL_DIR, "default")

    # -- host --------------------------------------------------------------------------------------
    def _list(self, myfiles: str) -> list[str]:
        info = self.host.stat(myfiles)
        if not info.exists or not info.is_dir:
            raise HostError(f"{myfiles} does not exist on this host, so there are no license files to back up; "
                            "pass install_dir if the License Server is installed elsewhere")
        return [ntpath.basename(f.path) for f in self.host.find(myfiles, ["*"])]

    def _checksum(self, info: FileInfo, name: str) -> dict[str, Any]:
        path = info.path
        if not info.exists or info.is_dir:
            raise HostError(f"{path} disappeared while it was being listed; run the task again")
        if not plan.is_sha1(info.checksum):
            self.warn(f"{path}: the host gave no SHA-1, so the copy is checked by size only")
        return {"name": name, "path": path, "size": info.size, "sha1": info.checksum if plan.is_sha1(info.checksum)
                else None, "mtime": info.mtime}

    def _fetch(self, store: LicenseBackupStore, manifest: dict, item: dict) -> tuple[dict, bool]:
        """Fetch one file (one retry), check it against the host, put it in place; (manifest, changed)."""
        part = store.part_path(item["name"])
        problem = None
        for _attempt in range(2):
            try:
                self.host.fetch_file(item["path"], str(part))
                hashes = store.hash_part(item["name"])
            except AnsibleConnectionFailure:
                raise
            except (AnsibleError, CtxlicError, OSError) as exc:
                problem = f"fetch failed: {exc}"
                continue
            problem = transfer_problem(item["size"], item["sha1"], hashes["size"], hashes["sha1"])
            if problem is None:
                retired = None
                if item["action"] == "replace":
                    retired = plan.previous_path(item["name"], self._now)
                    store.retire(item["name"], retired)
                store.accept(item["name"])
                copy = {"name": item["name"], "server_path": item["path"], "size": hashes["size"],
                        "sha1": hashes["sha1"], "sha256": hashes["sha256"], "mtime": item.get("mtime")}
                manifest = plan.record_copy(manifest, copy, when=self._now, retired=retired)
                store.save(manifest)
                return manifest, True
        store.discard(part)
        self._errors.append(f"{item['path']}: {problem}; the previous copy (if any) is unchanged, run again to retry")
        return manifest, False

    # -- allocations -------------------------------------------------------------------------------
    def _reports(self, store: LicenseBackupStore, decisions: list[dict], today: date) -> list:
        """Parsed license files: the verified controller copies, or (check mode, not fetched yet) the host's files."""
        reports = []
        for item in decisions:
            if not item["name"].casefold().endswith(plan.LICENSE_SUFFIX):
                continue
            if self.check_mode and item["action"] != "keep":
                data = self.host.read_file(item["path"])
                if data is None:
                    continue
            elif store.copy_path(item["name"]).is_file():
                data = store.read(item["name"])
            else:
                continue  # the fetch failed and is reported as an error
            reports.append(parse_license_file(item["name"], data, today=today))
        return reports

    # -- result ------------------------------------------------------------------------------------
    def _result(self, args: dict, store: LicenseBackupStore, install_dir: str, source: str, myfiles: str,
                decisions: list[dict], gone: list[dict], allocations: dict, changed: bool) -> dict[str, Any]:
        del args
        by_action = {action: [d["name"] for d in decisions if d["action"] == action]
                     for action in ("fetch", "replace", "keep")}
        manifest = store.load_manifest(install_dir) if store.manifest_path.exists() else None
        recorded = {e["name"]: e for e in (manifest or {}).get("files", [])}
        files = []
        for item in decisions:
            entry = recorded.get(item["name"]) or {}
            files.append({"name": item["name"], "server_path": item["path"], "size": item["size"],
                          "local_path": str(store.copy_path(item["name"])) if entry else None,
                          "sha256": entry.get("sha256"),
                          "action": {"fetch": "fetched", "replace": "replaced", "keep": "unchanged"}[item["action"]]})
        result: dict[str, Any] = {
            "changed": changed if not self.check_mode else bool(by_action["fetch"] or by_action["replace"]),
            "install_dir": install_dir,
            "install_dir_source": source,
            "myfiles": myfiles,
            "backup_dir": str(store.root),
            "manifest": str(store.manifest_path),
            "sha256sums": str(store.sums_path),
            "files": files,
            "fetched": by_action["fetch"],
            "replaced": by_action["replace"],
            "unchanged": by_action["keep"],
            "only_on_controller": [e["name"] for e in gone],
            "verified": not self.check_mode and not self._errors,
            "allocations": allocations,
            "errors": list(self._errors),
        }
        if self._errors:
            result["failed"] = True
            result["msg"] = (f"{len(self._errors)} problem(s) while backing up {myfiles} (everything else was copied "
                             "and recorded): " + "; ".join(self._errors))
        else:
            verb = "would fetch" if self.check_mode else "fetched"
            result["msg"] = (f"{len(files)} file(s) in {myfiles}: {verb} {len(by_action['fetch'])}, "
                             f"{'would replace' if self.check_mode else 'replaced'} {len(by_action['replace'])}, "
                             f"{len(by_action['keep'])} unchanged; manifest {store.manifest_path}")
        return result
