# Copyright: (c) 2026, ctxlic maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Action plugin for ctxlic.license_server.telemetry_bundle (documentation in plugins/modules/telemetry_bundle.py).

Orchestration only: list the server's manual-upload zips, fetch what the controller lacks, check
the copies, write and verify bundles, record them in the manifest, and (with ``cleanup``) delete
the bundled originals. Decisions are in plugin_utils._telemetry.bundle_run, controller files in
plugin_utils._store.telemetry_bundles, bundle planning and zip checks in telemetry_bundle_plan and
zip_safety.
"""

from __future__ import annotations

import os
import uuid
from datetime import UTC, date, datetime
from typing import Any

from ansible.errors import AnsibleConnectionFailure, AnsibleError

from ansible_collections.ctxlic.license_server.plugins.plugin_utils._common.timeutil import iso_z
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._host import lock as host_lock
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._telemetry import bundle_run as state
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._action.base import CtxlicAction
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._common.errors import (
    CtxlicError,
    InputError,
)
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._host.install_dir import resolve_install_dir
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._telemetry.bundles import (
    classify_pending,
    manifest as run_manifest,
    pending_zip_dirs,
    plan_bundles,
)
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._store.telemetry_bundles import (
    BundleStore,
    file_hashes,
)
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._store.zip_safety import (
    verify_bundle,
    verify_vendor_zip,
    write_bundle,
)

DEFAULT_MAX_BUNDLE_BYTES = 100 * 1024 * 1024


class ActionModule(CtxlicAction):
    ARGUMENT_SPEC = {
        "dest": {"type": "path", "required": True},
        "install_dir": {"type": "str"},
        "max_bundle_bytes": {"type": "int", "default": DEFAULT_MAX_BUNDLE_BYTES},
        "cleanup": {"type": "bool", "default": False},
        "bundle_date": {"type": "str"},
        "split_by_kind": {"type": "bool", "default": True},
        "max_compression_ratio": {"type": "float", "default": 200.0},
    }
    CONTROLLER_PATHS = ("dest",)

    def run_module(self, args: dict, task_vars: dict) -> dict:
        self._check = self.check_mode
        self._now = datetime.now(UTC).replace(microsecond=0)
        self._errors: list[str] = []
        self._changed = False
        self._run_id = uuid.uuid4().hex
        day = self._bundle_date(args["bundle_date"])
        if args["max_bundle_bytes"] <= 0:
            raise InputError(f"max_bundle_bytes={args['max_bundle_bytes']}: give the Citrix Insight Services upload "
                             "limit in bytes (CTX131233), a positive number.")
        inventory_host = self.inventory_host
        install_dir = resolve_install_dir(self.host, args["install_dir"])
        store = BundleStore(args["dest"], inventory_host)
        self._store = store
        if self._check:
            return self._bundle(args, store, install_dir, day, inventory_host)
        # An older version's folder of this host (no name hash) is moved first. Then the whole run holds the
        # controller lock of the host folder: manifest updates are read-modify-write by one run at a time, and a
        # bundle no manifest lists is provably left by a run that is over (issue 14, item 1).
        self.warn(*store.adopt_legacy())
        with store.lock(self._run_id):
            return self._bundle(args, store, install_dir, day, inventory_host)

    def _bundle(self, args: dict, store: BundleStore, install_dir: str, day: date, inventory_host: str) -> dict:
        manifest = store.load_manifest()

        verified, problems = store.verify_listed(manifest)
        manifest = self._retire(manifest, problems)
        server_files = self._list_server(install_dir)
        summary = classify_pending([{"path": f["path"], "size": f["size"], "mtime": f["mtime"]} for f in server_files])
        if not self._check:
            store.prepare()
            self._tidy(manifest, verified)
        incoming = store.incoming_files()
        decisions = state.decide(server_files, install_dir=install_dir, manifest=manifest, verified=verified,
                                 incoming=incoming)
        for item in decisions:
            if item["reason"] and item["action"] == "fetch":
                self.warn(f"{item['path']}: {item['reason']}; fetching it again")

        fetched = self._fetch_all([d for d in decisions if d["action"] == "fetch"])
        candidates = self._candidates(decisions, fetched, incoming, manifest, verified)
        candidates, rejected, manifest = self._check_zips(candidates, manifest, args["max_compression_ratio"])
        plan = self._plan(candidates, manifest, day, args)
        written, manifest = self._write(plan, manifest, inventory_host, candidates)
        if written and not self._check:
            for item in candidates:
                if any(item["path"] == m["source_path"] for b in written for m in b["members"]):
                    store.remove_incoming(item["tag"], item["name"])

        all_verified = verified | {b["bundle_name"] for b in written}
        deleted = self._cleanup(args["cleanup"], manifest, all_verified, server_files, plan)
        return self._result(args, store, summary, fetched, written, deleted, rejected, decisions, server_files)

    # -- inputs ----------------------------------------------------------------------------------------
    @staticmethod
    def _bundle_date(text: str | None) -> date:
        if not text:
            return datetime.now(UTC).date()
        try:
            return date.fromisoformat(text.strip())
        except ValueError:
            raise InputError(f"bundle_date={text!r} is not a date; use YYYY-MM-DD (default: today, UTC).") from None

    def _list_server(self, install_dir: str) -> list[dict[str, Any]]:
        """Every pending zip with the server's size and SHA-1 (read-only; runs in check mode too)."""
        found = []
        for directory, pattern in pending_zip_dirs(install_dir):
            found.extend(self.host.find(directory, [pattern]))
        files = []
        stats = self.host.stat_files([info.path for info in found], checksum=True) if found else []
        for info, stat in zip(found, stats, strict=True):  # one remote call for every file's SHA-1
            if not stat.exists or stat.is_dir:
                continue  # gone between the listing and the stat (the License Server rotated it)
            if not stat.checksum:
                self.warn(f"{info.path}: the server returned no SHA-1; transfers are checked by size only")
            files.append({"path": info.path, "size": int(stat.size or 0), "sha1": stat.checksum,
                          "mtime": info.mtime if info.mtime is not None else stat.mtime})
        return files

    # -- controller state ------------------------------------------------------------------------------
    def _retire(self, manifest: dict, problems: dict[str, str]) -> dict:
        for name, why in sorted(problems.items()):
            self.warn(f"bundle {name} failed verification ({why}): its members no longer count as "
                      "bundled; those still on the server are bundled again and none of them is deleted "
                      "on its strength")
        manifest = state.retire_bundles(manifest, problems, when=self._now)
        if not problems or self._check:
            return manifest
        invalid_dir = self._store.root / "invalid"
        for name in problems:
            path = self._store.bundle_path(name)
            if path.is_file():
                invalid_dir.mkdir(mode=0o700, exist_ok=True)
                os.replace(path, invalid_dir / name)
        self._store.save_manifest(manifest)
        self._changed = True
        return manifest

    def _tidy(self, manifest: dict, verified: set[str]) -> None:
        """Remove what an interrupted run left behind: partial downloads and unrecorded bundles.

        This runs under the controller lock of the host folder, so no other run is writing here: a
        bundle no manifest lists was written by a run that ended before recording it. It is removed only
        when every member it holds is also in incoming or in a verified bundle (proved by SHA-256);
        otherwise it is kept in ``unrecorded/`` and a warning says so.
        """
        for path in self._store.stale_parts():
            self._store.remove(path)
        orphans = self._store.orphans(manifest)
        known = self._store.known_sha256s(manifest, verified) if orphans else set()
        for path in orphans:
            temporary = path.name.startswith(".") and path.name.endswith(".tmp")
            members = None if temporary else self._store.member_sha256s(path)
            if temporary or (members is not None and set(members) <= known):
                self.warn(f"removed {path}: written by an interrupted run and never recorded in the "
                          "manifest; every file it holds is still in incoming or in a verified bundle")
                self._store.remove(path)
            else:
                kept = self._store.keep_unrecorded(path)
                self.warn(f"{path} is not recorded in the manifest and holds files found nowhere else on "
                          f"the controller; kept as {kept} (upload it, or delete it once you have "
                          "checked it)")
            self._changed = True

    # -- fetching --------------------------------------------------------------------------------------
    def _fetch_all(self, wanted: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
        """Fetch each file into incoming; return ``{server path: hashes}`` of copies that match the server."""
        fetched: dict[str, dict[str, Any]] = {}
        if self._check:
            return fetched
        for item in wanted:
            hashes = self._fetch_one(item)
            if hashes is not None:
                fetched[item["path"]] = hashes
                self._changed = True
        return fetched

    def _fetch_one(self, item: dict[str, Any]) -> dict[str, Any] | None:
        part = self._store.part_path(item["tag"], item["name"])
        part.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        problem = None
        for _attempt in range(2):  # one retry: a transfer can be cut by a transient network error
            try:
                self.host.fetch_file(item["path"], str(part))
                hashes = file_hashes(part)
            except AnsibleConnectionFailure:
                raise
            except (AnsibleError, CtxlicError, OSError) as exc:
                problem = f"fetch failed: {exc}"
                continue
            problem = state.transfer_problem(item["size"], item.get("sha1"), hashes["size"], hashes["sha1"])
            if problem is None:
                meta = {"source_path": item["path"], "size": hashes["size"], "sha1": hashes["sha1"],
                        "sha256": hashes["sha256"], "mtime": item.get("mtime"), "fetched_at": iso_z(self._now)}
                self._store.accept_incoming(item["tag"], item["name"], meta)
                return hashes
        self._store.remove(part)
        self._errors.append(f"{item['path']}: {problem}; it stays on the server and is retried on the next run")
        return None

    def _candidates(self, decisions: list[dict], fetched: dict[str, dict], incoming: dict, manifest: dict,
                    verified: set[str]) -> list[dict[str, Any]]:
        """Files to check and bundle: fresh fetches, matching copies, and copies whose server file is gone."""
        by_key = {(d["tag"], d["name"]): d for d in decisions}
        candidates = []
        for item in decisions:
            if item["path"] in fetched:
                candidates.append({**item, **fetched[item["path"]],
                                   "local": str(self._store.incoming_path(item["tag"], item["name"]))})
            elif item["action"] == "have":
                local = incoming[(item["tag"], item["name"])]
                if not self._check and (local["meta"] or {}).get("sha256") != local["sha256"]:
                    self._store.write_meta(item["tag"], item["name"], {
                        "source_path": item["path"], "size": local["size"], "sha1": local["sha1"],
                        "sha256": local["sha256"], "mtime": item.get("mtime"), "fetched_at": None})
                candidates.append({**item, "sha256": local["sha256"], "local": local["path"]})
            elif item["action"] == "fetch" and self._check:
                candidates.append({**item, "sha256": None, "local": None})
        for key, local in sorted(incoming.items()):
            decision = by_key.get(key)
            if decision is not None and decision["action"] in ("have", "fetch"):
                continue
            if (decision is not None and decision["action"] in ("bundled", "rejected")  # settled already
                    and decision["sha1"] == local["sha1"]):
                if not self._check:
                    self._store.remove_incoming(*key)  # left by a run interrupted after its manifest was written
                    self._changed = True
                continue
            candidates.extend(self._leftover(key, local, manifest, verified))
        return candidates

    def _leftover(self, key: tuple[str, str], local: dict, manifest: dict, verified: set[str]) -> list[dict]:
        """A fetched copy whose server file is gone: bundle it unless a verified bundle already holds it."""
        meta = local["meta"] or {}
        source = meta.get("source_path")
        if not isinstance(source, str) or meta.get("sha256") != local["sha256"]:
            self.warn(f"{local['path']}: fetched copy without a matching record of its origin and no such "
                      "file on the server any more; left in place, not bundled")
            return []
        if state.bundled_content(manifest, verified, source, local["sha256"]):
            if not self._check:
                self._store.remove_incoming(*key)
                self._changed = True
            return []
        kind = dict(state.SOURCE_TAGS).get(key[0])
        if kind is None:
            self.warn(f"{local['path']}: unknown incoming folder {key[0]!r}; left in place")
            return []
        return [{"path": source, "size": local["size"], "sha1": local["sha1"], "sha256": local["sha256"],
                 "mtime": meta.get("mtime"), "tag": key[0], "kind": kind, "name": key[1], "action": "have",
                 "bundle": None, "reason": "server file gone", "local": local["path"]}]

    # -- checks and bundles ----------------------------------------------------------------------------
    def _check_zips(self, candidates: list[dict], manifest: dict, max_ratio: float) -> tuple[list, list, dict]:
        """Run the vendor-zip checks; quarantine failures (the server copy is never deleted)."""
        good, rejected = [], []
        for item in candidates:
            if item["local"] is None:  # check mode, not fetched yet: judged when it is fetched
                good.append(item)
                continue
            verdict = verify_vendor_zip(item["local"], max_ratio=max_ratio)
            if verdict["ok"]:
                good.append(item)
                continue
            record = {"source_path": item["path"], "size": item["size"], "sha1": item["sha1"],
                      "sha256": item["sha256"], "reason": verdict["reason"], "at": iso_z(self._now)}
            quarantined = None
            if not self._check:
                quarantined = self._store.quarantine(item["tag"], item["name"], record)
                manifest = {**manifest, "rejected": [*manifest["rejected"], {**record, "quarantined": quarantined}]}
                self._store.save_manifest(manifest)
                self._changed = True
            rejected.append({"path": item["path"], "reason": verdict["reason"], "quarantined": quarantined,
                             "new": True})
            self.warn(f"{item['path']} rejected: {verdict['reason']}; quarantined on the controller, left "
                      "on the server (never deleted); ask Citrix support how to report it")
        return good, rejected, manifest

    def _plan(self, candidates: list[dict], manifest: dict, day: date, args: dict) -> list[dict[str, Any]]:
        inventory_host = self._store.host
        files = state.assign_arcnames(candidates)
        taken = set(self._store.bundle_names()) | {b["name"] for b in manifest["bundles"]} | {
            b.get("name") for b in manifest["invalid"]}
        plan = []
        for kind, group in state.plan_groups(files, args["split_by_kind"]):
            label = state.bundle_label(inventory_host, kind)
            planned = plan_bundles([state.plan_member(f) for f in group], host=label, date=day,
                                   max_bytes=args["max_bundle_bytes"])
            planned = state.renumber(planned, label=label, day=day, taken=taken)
            taken |= {b["bundle_name"] for b in planned}
            plan.extend(planned)
        for bundle in plan:
            self.warn(*bundle["warnings"])
        return plan

    def _write(self, plan: list[dict], manifest: dict, inventory_host: str,
               candidates: list[dict]) -> tuple[list[dict], dict]:
        """Write and verify each bundle; record the good ones in the manifest. Returns (bundles, manifest)."""
        if self._check or not plan:
            return ([{**b, "size": b["size"], "sha256": None, "path": str(self._store.bundle_path(b["bundle_name"]))}
                     for b in plan], manifest)
        local = {c["path"]: c["local"] for c in candidates}
        good, written = [], {}
        for bundle in plan:
            path = self._store.bundle_path(bundle["bundle_name"])
            members = [(local[m["source_path"]], m["name"]) for m in bundle["members"]]
            size, digest = write_bundle(path, members)
            ok, why = verify_bundle(path, [{"name": m["name"], "size": m["size"], "sha256": m["sha256"]}
                                           for m in bundle["members"]])
            if not ok:
                self._store.remove(path)
                self._errors.append(f"bundle {bundle['bundle_name']} failed verification after writing ({why}); "
                                    "removed, its files stay on the server and in incoming for the next run")
                continue
            written[bundle["bundle_name"]] = (size, digest)
            good.append({**bundle, "size": size, "sha256": digest, "path": str(path)})
        if good:
            recorded = run_manifest(good, host=inventory_host, created=self._now, written=written)
            manifest = state.merge_manifest(manifest, recorded, good, when=self._now)
            self._store.save_manifest(manifest)
            self._changed = True
        return good, manifest

    # -- cleanup ---------------------------------------------------------------------------------------
    def _cleanup(self, cleanup: bool, manifest: dict, verified: set[str], server_files: list[dict],
                 plan: list[dict]) -> list[dict]:
        if not cleanup:
            return []
        if self._check:
            # What would be deleted if every planned bundle verifies: the same rule on the planned manifest.
            planned = run_manifest(plan, host=self._store.host, created=self._now,
                                   written={b["bundle_name"]: (b["size"], "0" * 64) for b in plan})
            preview = state.merge_manifest(manifest, planned, plan, when=self._now)
            return state.deletions(preview, verified | {b["bundle_name"] for b in plan}, server_files)
        targets = state.deletions(manifest, verified, server_files)
        if not targets:
            return []
        # One destructive run per host (host_lock): held while bundled originals are deleted on the server.
        notes: list[str] = []
        try:
            with host_lock.locked(self.host, "telemetry_bundle: delete bundled zips", notes=notes):
                return self._delete(manifest, targets)
        finally:
            self.warn(*notes)

    def _delete(self, manifest: dict, targets: list[dict]) -> list[dict]:
        """Delete the bundled originals in one remote call per host (issue 18 item 4).

        The host deletes a file only while its size and SHA-1 are still the ones its verified bundle
        records, checked right before the deletion; a file the License Server rewrote in between stays.
        """
        deleted = []
        for item, outcome in zip(targets, self.host.remove_verified(targets), strict=True):
            if outcome["outcome"] == "failed":
                self._errors.append(f"{item['path']}: could not delete it ({outcome['msg']}); it is bundled in "
                                    f"{item['bundle']} and is deleted on the next run with cleanup")
                continue
            if outcome["outcome"] == "changed":
                self.warn(f"{item['path']}: not deleted, its content on the server is no longer the one bundled in "
                          f"{item['bundle']}; the next run bundles it again")
                continue
            deleted.append({**item, "at": iso_z(self._now)})  # deleted now, or already gone (absent)
        if deleted:
            manifest["deleted"] = [*manifest["deleted"], *deleted]
            manifest["updated"] = iso_z(self._now)
            self._store.save_manifest(manifest)
            self._changed = True
        return deleted

    # -- result ----------------------------------------------------------------------------------------
    def _result(self, args: dict, store: BundleStore, summary: dict, fetched: dict, written: list[dict],
                deleted: list[dict], rejected: list[dict], decisions: list[dict],
                server_files: list[dict]) -> dict[str, Any]:
        known_rejected = [{"path": d["path"], "reason": d["reason"], "quarantined": None, "new": False}
                          for d in decisions if d["action"] == "rejected"]
        would_fetch = [d["path"] for d in decisions if d["action"] == "fetch"]
        result: dict[str, Any] = {
            "changed": self._changed if not self._check else bool(
                would_fetch or written or deleted or rejected),
            "files": {"count": summary["count"], "bytes": summary["bytes"], "oldest": summary["oldest"],
                      "newest": summary["newest"]},
            "fetched": sorted(fetched) if not self._check else would_fetch,
            "already_bundled": [d["path"] for d in decisions if d["action"] == "bundled"],
            "bundles": [{"name": b["bundle_name"], "path": b["path"], "size": b["size"], "sha256": b["sha256"],
                         "members": [m["name"] for m in b["members"]],
                         "sources": [m["source_path"] for m in b["members"]],
                         "warnings": list(b["warnings"])} for b in written],
            "manifest": str(store.manifest_path),
            "deleted": [d["path"] for d in deleted],
            "rejected": rejected + known_rejected,
            "errors": list(self._errors),
        }
        before = sorted(f["path"] for f in server_files)
        gone = {d["path"] for d in deleted}
        diff = self.diff("".join(f"{p}\n" for p in before), "".join(f"{p}\n" for p in before if p not in gone),
                         "manual-upload zips on the server (before)", "manual-upload zips on the server (after)")
        if diff:
            result["diff"] = diff
        if self._errors:
            result["failed"] = True
            result["msg"] = (f"{len(self._errors)} problem(s) while bundling telemetry (everything else was done and "
                             "recorded; run again to retry): " + "; ".join(self._errors))
        else:
            result["msg"] = self._summary_text(result, args["cleanup"])
        return result

    def _summary_text(self, result: dict, cleanup: bool) -> str:
        verb = "would " if self._check else ""
        parts = [f"{result['files']['count']} pending zip(s) on the server",
                 f"{verb}fetch {len(result['fetched'])}",
                 f"{verb}write {len(result['bundles'])} bundle(s)"]
        if cleanup:
            parts.append(f"{verb}delete {len(result['deleted'])} bundled zip(s) on the server")
        if result["rejected"]:
            parts.append(f"{len(result['rejected'])} rejected (kept on the server)")
        return "; ".join(parts) + f"; manifest {result['manifest']}"

    _store: BundleStore
