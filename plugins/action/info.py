# Copyright: (c) 2026, ctxlic maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Action plugin for ctxlic.license_server.info (documentation in plugins/modules/info.py)."""

from __future__ import annotations

from ansible_collections.ctxlic.license_server.plugins.plugin_utils._store import catalog as catalog_store
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._server import las
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._license import plan as license_plan
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._server import release_catalog
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._action.base import CtxlicAction
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._common.errors import CtxlicError
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._server.info_record import build_record
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._host import snapshot as host_snapshot


class ActionModule(CtxlicAction):
    ARGUMENT_SPEC = {
        "install_dir": {"type": "str"},
        "max_file_bytes": {"type": "int", "default": 1048576},
        "expiry_warning_days": {"type": "int", "default": 30},
        "warn_days": {"type": "int", "default": 30},
        "catalog_cache": {"type": "path", "default": catalog_store.DEFAULT_CACHE_PATH},
        "las": {"type": "dict"},
        "cluster_access_point": {"type": "str"},
        "use_snapshot": {"type": "bool", "default": False},
    }
    CONTROLLER_PATHS = ("catalog_cache",)

    def run_module(self, args: dict, task_vars: dict) -> dict:
        # LAS state: the vendor documents no way to read it on the server; it comes from the user (option or
        # the ctxlic_las host variable) and is checked before any host call (bad input changes nothing).
        las_value = args["las"]
        if las_value is None and task_vars.get(las.INPUT_VAR) is not None:
            las_value = self._templar.template(task_vars[las.INPUT_VAR])
        las_input = las.normalise_input(las_value, "las" if args["las"] is not None else las.INPUT_VAR)
        cap_value = args["cluster_access_point"]
        if cap_value is None and task_vars.get("ctxlic_cluster_access_point"):
            cap_value = self._templar.template(task_vars["ctxlic_cluster_access_point"])
        cluster_access_point = license_plan.normalize_cluster_access_point(cap_value)
        releases, catalog_warnings = self._releases(args["catalog_cache"])
        self.warn(*catalog_warnings, *license_plan.cluster_access_point_warnings(cluster_access_point))
        fact = self._unchanged_snapshot(args) if args["use_snapshot"] else None
        reused = fact is not None
        if fact is not None:
            raw, remote_calls = fact["raw"], 0
        else:
            raw = self.host.collect(install_dir=args["install_dir"], max_bytes=args["max_file_bytes"])
            remote_calls = len(self.host.calls)
            fact = host_snapshot.make_fact(raw, host=self.snapshot_target, play=host_snapshot.play_token(self),
                                           max_bytes=args["max_file_bytes"])
        record = build_record(
            self.inventory_host,
            raw,
            releases=releases,
            expiry_warning_days=args["expiry_warning_days"],
            warn_days=args["warn_days"],
            las_input=las_input,
        )
        if cluster_access_point:
            # seed 004 "Clustered License Servers" (~4644): the cluster's files name the client access point.
            record["cluster_access_point"] = cluster_access_point
        return {"changed": False, "server": record, "backend": self.host.backend, "remote_calls": remote_calls,
                "snapshot_reused": reused, "ansible_facts": {host_snapshot.FACT: fact}}

    def _unchanged_snapshot(self, args: dict) -> dict | None:
        """This host's snapshot of this play when it answers this gather as the host would now.

        That is: nothing changed the host since it was taken (no part of it is stale), it was taken for the
        same ``install_dir`` option (or for the registered directory when the option is not given) and with
        at least this ``max_file_bytes``.
        """
        fact = self.snapshot_fact()
        if fact is None or fact["stale"] or fact["max_bytes"] != args["max_file_bytes"]:
            return None
        raw = fact["raw"]
        registry = raw.get("registry") if isinstance(raw.get("registry"), dict) else {}
        wanted = args["install_dir"] or registry.get("LS_Install_Dir")
        if (wanted or None) != (raw.get("install_dir") or None):
            return None
        return fact

    @staticmethod
    def _releases(cache_path: str) -> tuple[release_catalog.Catalog, list[str]]:
        """The shipped release catalog, merged with the controller's refreshed cache when there is one.

        A ``Catalog`` (not a bare list), so the cache's ``fetched_at`` proves what the catalog is complete
        through: a server on the newest known build is ``current`` only when that proof is recent.
        """
        shipped = catalog_store.load_shipped()
        try:
            cache = catalog_store.load_cache(cache_path)
        except CtxlicError as exc:
            return shipped, [str(exc)]
        if cache is None:
            return shipped, []
        merged = release_catalog.merge(shipped.releases, cache.releases)
        return release_catalog.Catalog(tuple(merged), fetched_at=cache.fetched_at,
                                       origin=f"shipped+cache:{cache.url}"), []
