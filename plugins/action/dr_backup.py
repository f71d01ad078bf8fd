# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Action plugin for ctxlic.license_server.dr_backup (documentation in plugins/modules/dr_backup.py).

Reads the License Server with the one-shot collection (plus the two files it does not return),
lets :mod:`dr_plan` build the manifest and decide about generations, and writes them on the
controller with :mod:`dr_store`. Nothing on the License Server is changed.
"""

from __future__ import annotations

import base64
import datetime
import ntpath
import uuid
from typing import Any

from ansible_collections.ctxlic.license_server.plugins.plugin_utils._common.install_dir import check_install_dir
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._common.constants import COLLECT_MAX_BYTES
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._dr import plan as dr_plan
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._store import dr_backups as dr_store
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._store import host_folder
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._license import plan as license_plan
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._action.base import CtxlicAction
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._common.errors import HostError, InputError
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._host.access import HostAccess, host_access_for
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._server.info_record import build_record
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._server.package_plan import (
    HTTPD_CONF,
    installed_ports,
)



class ActionModule(CtxlicAction):
    ARGUMENT_SPEC = {
        "dest": {"type": "path", "default": dr_plan.DEFAULT_BACKUP_DIR},
        "name": {"type": "str"},
        "keep": {"type": "int", "default": 7},
        "install_dir": {"type": "str"},
        "cluster_access_point": {"type": "str"},
    }

    def run_module(self, args: dict, task_vars: dict) -> dict:
        inventory_name = task_vars.get("inventory_hostname", "")
        set_name = args["name"] or inventory_name
        set_dir = dr_store.set_dir(args["dest"], set_name)
        if args["keep"] < 1:
            raise InputError(f"keep must be at least 1, got {args['keep']}: the newest backup is always kept")
        cap = license_plan.normalize_cluster_access_point(args["cluster_access_point"])
        install_dir = check_install_dir(args["install_dir"], "option install_dir") if args["install_dir"] else None
        host = host_access_for(self, task_vars)
        raw = host.collect(install_dir=install_dir, max_bytes=COLLECT_MAX_BYTES)
        record = build_record(inventory_name, raw)
        if not record["installed"] or not raw.get("install_dir_exists"):
            raise HostError(f"{inventory_name}: no License Server installation found (registry key or install "
                            f"directory {record['install_dir']!r} missing), so there is nothing to back up")
        install_dir = check_install_dir(record["install_dir"])
        identity, source = dr_plan.identity(raw, record["hostname"], cap)
        if not identity:
            raise HostError(f"{inventory_name}: the License Server host name could not be read (lmhostid -hostname "
                            "and the computer name both failed); a backup without it cannot protect a failover")
        warnings: list[str] = []
        contents, entries, skipped = self._read_files(host, raw, install_dir, warnings)
        licenses = [e for e in entries if e["kind"] == "license"]
        if not licenses:
            warnings.append(f"no license files (*.lic other than {dr_plan.STARTUP_LICENSE}) in MyFiles on "
                            f"{inventory_name}; the backup holds no licenses")
        startup = contents.get(f"{dr_plan.MYFILES}/{dr_plan.STARTUP_LICENSE}")
        httpd = host.read_file(ntpath.join(install_dir, HTTPD_CONF))
        ports = installed_ports(startup.decode("utf-8", "replace") if startup else None,
                                httpd.decode("utf-8", "replace") if httpd else None)
        served = sorted(record["licenses"]["in_use"]) if record["licenses"].get("lmstat_parsed") else None
        if served is None:
            warnings.append("lmstat did not answer, so the backup does not record which features the primary served; "
                            "a failover then expects every feature of the restored license files")

        if self._task.check_mode:
            return self._backup(args, set_dir, inventory_name, identity, source, cap, record, raw, install_dir,
                                contents, entries, skipped, ports, served, warnings)
        # Generations an older version wrote under the name without hash are moved in when they record this host;
        # then one run at a time writes and prunes this set (controller lock of the set's folder).
        _fallback, notes = dr_store.adopt_legacy(args["dest"], set_name, {set_name, inventory_name}, check_mode=False)
        warnings += notes
        with host_folder.controller_lock(set_dir, operation="dr_backup", run_id=uuid.uuid4().hex):
            return self._backup(args, set_dir, inventory_name, identity, source, cap, record, raw, install_dir,
                                contents, entries, skipped, ports, served, warnings)

    def _backup(self, args, set_dir, inventory_name, identity, source, cap, record, raw, install_dir,
                contents, entries, skipped, ports, served, warnings) -> dict:
        states = dr_store.scan(set_dir)
        now = datetime.datetime.now(datetime.UTC)
        manifest = dr_plan.build_manifest(
            generation=dr_plan.generation_name(now, [s.name for s in states]),
            created_at=now, source_host=inventory_name, ls_hostname=identity,
            ls_hostname_source=source,
            cluster_access_point=cap, macs=record["macs"], ls_version=(record["version"] or {}).get("text"),
            install_dir=install_dir, ports=ports, observed_at=record["observed_at"], served_features=served,
            files=entries,
        )
        newest_verified = next((s for s in states if s.verified), None)
        same = newest_verified is not None and (
            dr_plan.content_fingerprint(newest_verified.manifest) == dr_plan.content_fingerprint(manifest))
        candidates = list(states) if same else [dr_plan.GenerationState(manifest["generation"], manifest), *states]
        kept, deleted = dr_plan.plan_retention(candidates, args["keep"])
        for broken in dr_plan.broken_beyond_keep(candidates, args["keep"]):
            warnings.append(f"generation {broken.name} in {set_dir} does not verify ({'; '.join(broken.problems)}); "
                            "retention keeps it because it may hold the only copy of a file: compare it with the "
                            "License Server and a good generation, then delete it by hand")
        result: dict[str, Any] = {
            "changed": (not same) or bool(deleted),
            "created": not same,
            "generation": newest_verified.name if same else manifest["generation"],
            "path": str(set_dir / (newest_verified.name if same else manifest["generation"])),
            "backup_set": str(set_dir),
            "manifest": newest_verified.manifest if same else manifest,
            "kept": kept,
            "deleted": deleted,
            "generations": [s.to_dict() for s in states],
            "skipped": skipped,
        }
        if self._task.diff and result["changed"]:
            result["diff"] = {
                "before": dr_plan.listing(newest_verified.manifest if newest_verified else None),
                "after": dr_plan.listing(manifest),
                "before_header": f"{set_dir} newest verified generation "
                                 f"({newest_verified.name if newest_verified else 'none'})",
                "after_header": f"{set_dir} after the backup ({result['generation']})",
            }
        if not self._task.check_mode:
            if not same:
                written = dr_store.write_generation(set_dir, manifest, contents)
                # Retention deletes older generations only on the strength of a new one that reads back from disk
                # with every file's size and SHA-256 (the same check a failover makes).
                check, _files = dr_store.load_generation(written)
                if not check.verified:
                    raise HostError(f"the new generation {written} does not verify after writing "
                                    f"({'; '.join(check.problems)}); no older generation was deleted. Check the "
                                    "controller's disk, then run the backup again")
            result["deleted"] = dr_store.delete_generations(set_dir, deleted)
        result["msg"] = self._message(result, same, check=self._task.check_mode)
        if warnings:
            result["warnings"] = warnings
        return result

    # -- reading the License Server ---------------------------------------------------------------
    def _read_files(self, host: HostAccess, raw: dict, install_dir: str,
                    warnings: list[str]) -> tuple[dict[str, bytes], list[dict], list[str]]:
        """(generation path -> bytes, manifest entries, MyFiles names left out) of the backup."""
        given = {str(f.get("name", "")): f for f in raw.get("myfiles") or []}
        sources, skipped = dr_plan.backup_sources(install_dir, given)
        contents: dict[str, bytes] = {}
        entries: list[dict] = []
        for source in sources:
            name = source.relpath.split("/", 1)[1]
            item = raw.get("proxy_config") if source.kind == "proxy_config" else given.get(name)
            if item and item.get("content_b64") is not None:
                data = base64.b64decode(item["content_b64"])
            else:
                data = host.read_file(source.host_path)
            if data is None:
                if source.kind == "proxy_config":
                    warnings.append(f"{source.host_path} does not exist, so no proxy configuration is backed up")
                    continue
                raise HostError(f"{source.host_path} disappeared while it was being backed up; run the backup again")
            if len(data) > dr_plan.MAX_FILE_BYTES:
                raise HostError(f"{source.host_path} is larger than {dr_plan.MAX_FILE_BYTES} bytes; it is not a "
                                "license, options or proxy file the backup can hold")
            contents[source.relpath] = data
            entries.append(dr_plan.file_entry(source, data))
        return contents, entries, skipped

    @staticmethod
    def _message(result: dict, same: bool, *, check: bool) -> str:
        would = "would be " if check else ""
        text = (f"unchanged since generation {result['generation']}; no new generation" if same
                else f"generation {result['generation']} {would}written to {result['path']}")
        if result["deleted"]:
            text += f"; old generations {would}deleted: {', '.join(result['deleted'])}"
        return text
