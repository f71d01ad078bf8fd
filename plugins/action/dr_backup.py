# Copyright: (c) 2026, ctxlic maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Action plugin for ctxlic.license_server.dr_backup (documentation in plugins/modules/dr_backup.py).

Orchestration only: read the License Server with the one-shot collection (plus the files it does not
return), let :mod:`.._dr.backup` build the manifest and decide about generations, and write them on the
controller with :mod:`.._store.dr_backups`. Nothing on the License Server is changed.
"""

from __future__ import annotations

import datetime
import ntpath
import uuid
from typing import Any

from ansible_collections.ctxlic.license_server.plugins.plugin_utils._common.install_dir import check_install_dir
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._common.constants import COLLECT_MAX_BYTES
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._action.base import CtxlicAction
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._common.errors import HostError, InputError
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._dr import backup as dr_backup_plan
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._license import plan as license_plan
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._server.info_record import build_record
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._server.package_plan import (
    HTTPD_CONF,
    installed_ports,
)
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._store import dr_backups as dr_store
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._store import host_folder


class ActionModule(CtxlicAction):
    ARGUMENT_SPEC = {
        "dest": {"type": "path", "default": dr_backup_plan.DEFAULT_BACKUP_DIR},
        "name": {"type": "str"},
        "keep": {"type": "int", "default": 7},
        "install_dir": {"type": "str"},
        "cluster_access_point": {"type": "str"},
        "extra_paths": {"type": "list", "elements": "str", "default": []},
    }
    CONTROLLER_PATHS = ("dest",)

    def run_module(self, args: dict, task_vars: dict) -> dict:
        # validate (before any host call)
        set_name = args["name"] or self.inventory_host
        set_dir = dr_store.set_dir(args["dest"], set_name)
        if args["keep"] < 1:
            raise InputError(f"keep must be at least 1, got {args['keep']}: the newest backup is always kept")
        cap = license_plan.normalize_cluster_access_point(args["cluster_access_point"])
        option_dir = check_install_dir(args["install_dir"], "option install_dir") if args["install_dir"] else None
        extra = [dr_backup_plan.extra_relpath(item) for item in args["extra_paths"]]

        # read the License Server
        raw = self.host.collect(install_dir=option_dir, max_bytes=COLLECT_MAX_BYTES)
        record = build_record(self.inventory_host, raw)
        if not record["installed"] or not raw.get("install_dir_exists"):
            raise HostError(f"{self.inventory_host}: no License Server installation found (registry key or install "
                            f"directory {record['install_dir']!r} missing), so there is nothing to back up")
        install_dir = check_install_dir(record["install_dir"])
        identity, source = dr_backup_plan.identity(raw, record["hostname"], cap)
        if not identity:
            raise HostError(f"{self.inventory_host}: the License Server host name could not be read (lmhostid "
                            "-hostname and the computer name both failed); a backup without it cannot protect a "
                            "failover")
        contents, entries, skipped = self._read_files(raw, install_dir, extra)
        served = sorted(record["licenses"]["in_use"]) if record["licenses"].get("lmstat_parsed") else None
        self.warn(*dr_backup_plan.content_warnings(entries, served, self.inventory_host))
        manifest_facts = {
            "source_host": self.inventory_host, "ls_hostname": identity, "ls_hostname_source": source,
            "cluster_access_point": cap, "macs": record["macs"], "ls_version": (record["version"] or {}).get("text"),
            "install_dir": install_dir, "ports": self._ports(contents, install_dir),
            "observed_at": record["observed_at"], "served_features": served, "files": entries,
        }
        if self.check_mode:
            return self._backup(args, set_dir, manifest_facts, contents, skipped)
        # Generations an older version wrote under the name without hash are moved in when they record this host;
        # then one run at a time writes and prunes this set (controller lock of the set's folder).
        _fallback, notes = dr_store.adopt_legacy(args["dest"], set_name, {set_name, self.inventory_host},
                                                 check_mode=False)
        self.warn(*notes)
        with host_folder.controller_lock(set_dir, operation="dr_backup", run_id=uuid.uuid4().hex):
            return self._backup(args, set_dir, manifest_facts, contents, skipped)

    def _backup(self, args: dict, set_dir, manifest_facts: dict, contents: dict[str, bytes],
                skipped: list[str]) -> dict:
        """Plan against the generations on disk, then (not in check mode) write and prune; the result."""
        states = dr_store.scan(set_dir)
        now = datetime.datetime.now(datetime.UTC)
        manifest = dr_backup_plan.build_manifest(
            generation=dr_backup_plan.generation_name(now, [s.name for s in states]), created_at=now,
            **manifest_facts)
        plan = dr_backup_plan.plan_backup(states, manifest, args["keep"], str(set_dir))
        self.warn(*plan.warnings)
        deleted = plan.deleted
        if not self.check_mode:
            if not plan.same:
                self._write_verified(set_dir, manifest, contents)
            deleted = dr_store.delete_generations(set_dir, plan.deleted)
        path = str(set_dir / plan.generation)
        result: dict[str, Any] = {
            "changed": plan.changed,
            "created": not plan.same,
            "generation": plan.generation,
            "path": path,
            "backup_set": str(set_dir),
            "manifest": plan.manifest,
            "kept": plan.kept,
            "deleted": deleted,
            "generations": [s.to_dict() for s in states],
            "skipped": skipped,
            "msg": dr_backup_plan.backup_message(plan, path, deleted, check=self.check_mode),
        }
        diff = self.diff(*dr_backup_plan.backup_diff(plan, str(set_dir))) if plan.changed else None
        if diff:
            result["diff"] = diff
        return result

    # -- the License Server -----------------------------------------------------------------------
    def _read_files(self, raw: dict, install_dir: str, extra: list[str]) -> tuple[dict[str, bytes], list[dict],
                                                                                  list[str]]:
        """(generation path -> bytes, manifest entries, MyFiles names left out) of the backup."""
        names = [str(f.get("name", "")) for f in raw.get("myfiles") or []]
        sources, skipped = dr_backup_plan.backup_sources(install_dir, names)
        sources += self._state_sources(install_dir, extra)
        contents: dict[str, bytes] = {}
        entries: list[dict] = []
        for source in sources:
            data = dr_backup_plan.collected_content(source, raw)
            if data is None:
                data = self.host.read_file(source.host_path)
            warning, error = dr_backup_plan.source_problem(source, data)
            if error:
                raise HostError(error)
            if warning or data is None:
                self.warn(warning or "")
                continue
            contents[source.relpath] = data
            entries.append(dr_backup_plan.file_entry(source, data))
        return contents, entries, skipped

    def _listing(self, install_dir: str, relpath: str) -> list[str]:
        """Names of the files directly in a folder of the installation (none when it does not exist)."""
        folder = dr_backup_plan.install_path(install_dir, relpath)
        return [ntpath.basename(info.path) for info in self.host.find(folder, ["*"])]

    def _state_sources(self, install_dir: str, extra: list[str]) -> list[dr_backup_plan.BackupSource]:
        """LS\\conf's certificate pair and the files ``extra_paths`` names; warns about files nobody listed."""
        extra_files: list[str] = []
        for relpath in extra:
            info = self.host.stat(dr_backup_plan.install_path(install_dir, relpath))
            if not info.exists:
                self.warn(f"{info.path} (extra_paths) does not exist on {self.inventory_host}; it is not backed up")
            elif info.is_dir:
                extra_files += [f"{relpath}/{name}" for name in self._listing(install_dir, relpath)]
            else:
                extra_files.append(relpath)
        conf_names = self._listing(install_dir, dr_backup_plan.LS_CONF)
        sources = dr_backup_plan.state_sources(install_dir, conf_names, extra_files)
        taken = [s.relpath for s in sources]
        self.warn(dr_backup_plan.untaken_warning(dr_backup_plan.LS_CONF, conf_names, taken) or "",
                  dr_backup_plan.untaken_warning(dr_backup_plan.LS_CACHE,
                                                 self._listing(install_dir, dr_backup_plan.LS_CACHE), taken) or "")
        return sources

    def _ports(self, contents: dict[str, bytes], install_dir: str) -> dict[str, int]:
        startup = contents.get(f"{dr_backup_plan.MYFILES}/{dr_backup_plan.STARTUP_LICENSE}")
        httpd = self.host.read_file(ntpath.join(install_dir, HTTPD_CONF))
        return installed_ports(startup.decode("utf-8", "replace") if startup else None,
                               httpd.decode("utf-8", "replace") if httpd else None)

    # -- the controller ---------------------------------------------------------------------------
    @staticmethod
    def _write_verified(set_dir, manifest: dict, contents: dict[str, bytes]) -> None:
        """Write the new generation; retention deletes older ones only on the strength of one that reads back.

        Every file's size and SHA-256 are checked from disk (the same check a failover makes).
        """
        written = dr_store.write_generation(set_dir, manifest, contents)
        check, _files = dr_store.load_generation(written)
        if not check.verified:
            raise HostError(f"the new generation {written} does not verify after writing "
                            f"({'; '.join(check.problems)}); no older generation was deleted. Check the "
                            "controller's disk, then run the backup again")
