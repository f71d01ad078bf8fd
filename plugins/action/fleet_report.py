# Copyright: (c) 2026, ctxlic maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Action plugin for ctxlic.license_server.fleet_report (documentation in plugins/modules/fleet_report.py).

Runs on the controller only, once per play, and never contacts a target: it reads the ``info``
results the play registered, keeps the evidence history, evaluates the fleet and writes the reports.
Decisions live in plugin_utils (fleet_report_inputs, compliance, report_model); this file wires the
options, the controller files and the clock together.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

import yaml

from ansible_collections.ctxlic.license_server.plugins.plugin_utils._common.timeutil import parse_as_of
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._common.constants import DEFAULT_HISTORY_DB
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._compliance import inputs
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._server import las
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._action.base import CtxlicAction
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._license.allocations import (
    AllocationRead,
    obsolete_allocations,
    read_allocation_csv,
    read_entitlements,
)
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._compliance.rules import MAX_UPLOAD_AGE_DAYS
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._compliance.fleet import evaluate_fleet
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._compliance.server_checks import evaluate_server
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._common.errors import InputError
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._store import fleet_gathers
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._store import catalog as catalog_store
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._server.release_catalog import Catalog
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._server.upgrade_window import catalog_summary
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._store.evidence_history import (
    EvidenceHistory,
    prepare_observation,
)
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._store.history_db import resolve_target
from ansible_collections.ctxlic.license_server.plugins.plugin_utils.lab.state import report_clock as lab_report_clock
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._store.collection_meta import collection_version
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._compliance.report_model import (
    build_report,
    expand_week,
    resolve_todo,
)
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._compliance.report_render import (
    FORMATS,
    check_json_indent,
)
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._store.report_writer import (
    DEFAULT_BASENAME,
    write_reports,
)

DEFAULT_TITLE = "Citrix License Server compliance report"


class ActionModule(CtxlicAction):
    _requires_connection = False
    # history_db: resolve_target
    CONTROLLER_PATHS = ("output_dir", "entitlements_file", "allocations_csv", "catalog_cache")
    # catalog_cache: '' is documented as "no cache" (as in upgrade_window).
    EMPTY_PATH_MEANS_OFF = ("catalog_cache",)

    ARGUMENT_SPEC = {
        "hosts": {"type": "list", "elements": "str"},
        "records": {"type": "list", "elements": "dict"},
        "info_var": {"type": "str", "default": "ctxlic_info"},
        "window_var": {"type": "str", "default": "ctxlic_window"},
        "history": {"type": "bool", "default": True},
        "history_db": {"type": "str", "default": DEFAULT_HISTORY_DB},  # a SQLite path or a PostgreSQL connection
        "history_db_password": {"type": "str", "no_log": True},
        "mode": {"type": "str", "default": "full", "choices": list(fleet_gathers.MODES)},
        "gather_run_id": {"type": "str"},
        "gather_max_age_hours": {"type": "int", "default": fleet_gathers.DEFAULT_MAX_AGE_HOURS},
        "expected_hosts": {"type": "str", "default": "inventory", "choices": list(fleet_gathers.EXPECTED_HOSTS)},
        "output_dir": {"type": "path", "required": True},
        "formats": {"type": "list", "elements": "str", "default": list(FORMATS), "choices": list(FORMATS)},
        "basename": {"type": "str", "default": DEFAULT_BASENAME},
        "title": {"type": "str", "default": DEFAULT_TITLE},
        "as_of": {"type": "str"},
        "max_upload_age_days": {"type": "int", "default": MAX_UPLOAD_AGE_DAYS},
        "upload_warning_days": {"type": "int", "default": 14},
        "expiry_warning_days": {"type": "int", "default": 30},
        "upgrade_warning_days": {"type": "int", "default": 30},
        "entitlements_file": {"type": "path"},
        "allocations_csv": {"type": "path"},
        "allocation_host_column": {"type": "str", "default": "Host ID"},
        "allocation_product_column": {"type": "str", "default": "Product"},
        "allocation_quantity_column": {"type": "str", "default": "Quantity"},
        "catalog": {"type": "dict"},
        "catalog_url": {"type": "str"},
        "catalog_cache": {"type": "path", "default": catalog_store.DEFAULT_CACHE_PATH},
        "junit_warn_as_failure": {"type": "bool", "default": False},
        "json_indent": {"type": "int", "default": 0},
        "fail_on": {"type": "str", "default": "never", "choices": list(inputs.FAIL_ON_CHOICES)},
    }

    def run_module(self, args: dict, task_vars: dict) -> dict:
        check = self.check_mode
        inputs.check_max_upload_age(args["max_upload_age_days"])
        check_json_indent(args["json_indent"])  # before anything is recorded or written
        fleet_gathers.check_mode_options(args["mode"], args["history"], args["gather_max_age_hours"])
        fleet_gathers.check_expected_hosts(args["expected_hosts"], args["mode"], args["allocations_csv"])
        target = resolve_target(args["history_db"], password=args["history_db_password"],
                                path_rule=self.controller_path)
        args["history_db"] = target.display  # the one form of the connection that results and messages show
        if args["mode"] == "gather":
            return self._gather(args, task_vars, target, check)
        gathers = None
        allocations = self._read_allocations(args)  # read once: the report job's host list, obsolete servers
        if args["mode"] == "report":  # every server as its latest fresh gather recorded it (sliced gather jobs)
            task_vars, gathers = self._from_history(args, task_vars, target, check, allocations)
        records, window_results = self._records(args, task_vars)
        if gathers is not None:
            records = [inputs.failed_record(r["host"], fleet_gathers.not_gathered_reason(gathers, r["host"]))
                       if r["host"] in gathers["not_gathered"] else r for r in records]
        now, clock_note = self._clock([r["host"] for r in records], task_vars)
        as_of = parse_as_of(args["as_of"], now)
        releases = self._release_catalog(args)
        if args["catalog_url"] or args["as_of"]:  # judged once here, not by one upgrade_window task per host
            records = inputs.judge_windows(records, releases, as_of.date() if args["as_of"] else None,
                                           args["upgrade_warning_days"])
        records = [inputs.apply_window(r, w) for r, w in zip(records, window_results, strict=True)]
        catalog = args["catalog"] if args["catalog"] is not None else inputs.catalog_from_windows(window_results)
        if catalog is None:
            catalog = catalog_summary(releases, as_of.date())
            if catalog["stale"]:
                self.warn(catalog["stale_message"])
        catalog = inputs.normalise_catalog(catalog)
        purchased = read_entitlements(self._load_data(args["entitlements_file"], "entitlements_file")) \
            if args["entitlements_file"] else None
        obsolete, input_rows = self._obsolete(args, records, allocations)

        # Evaluate first, record afterwards: an upload result that cannot be evidence (a time in the
        # future, an absurd year) is never stored, so it cannot poison every later run (issue 14 item 5).
        history = self._open_history(args, check, target)
        candidates = history.success_candidates([r["host"] for r in records], as_of) if history else {}
        # LAS offline activations the operator recorded (evidence_event kind las_offline_activation): the vendor
        # documents no file or command for the activation blob on the server, so the record carries the date.
        las_events = history.events(kind=las.OFFLINE_EVENT_KIND) if history else []
        for record in records:
            las.apply_offline_events(record, [e for e in las_events if e.get("host") == record["host"]])
        results = []
        for record in records:
            results.append(evaluate_server(
                record, as_of=as_of, last_success=candidates.get(record["host"]) or None, purchased=purchased,
                max_upload_age_days=args["max_upload_age_days"], upload_warning_days=args["upload_warning_days"],
                expiry_warning_days=args["expiry_warning_days"], upgrade_warning_days=args["upgrade_warning_days"]))
        recorded = self._record(history, records, max(now, as_of), check)
        fleet_eval = evaluate_fleet(results, obsolete_allocations=obsolete, catalog=catalog, purchased=purchased,
                                    as_of=as_of)
        fleet_eval["notes"] = [clock_note, *(fleet_eval.get("notes") or [])]
        model = build_report(fleet_eval, results, generated_at=datetime.now(UTC).replace(microsecond=0),
                             title=args["title"], catalog=catalog, as_of=as_of, input_rows=input_rows,
                             options={"max_upload_age_days": args["max_upload_age_days"], "fail_on": args["fail_on"],
                                      "junit_warn_as_failure": args["junit_warn_as_failure"],
                                      "history": bool(history), "hosts": len(records), "clock": clock_note,
                                      "collection_version": collection_version()})
        reports: dict[str, str] = {}
        if not check and args["formats"]:
            reports = write_reports(model, args["output_dir"], args["formats"],
                                    basename=args["basename"], json_indent=args["json_indent"])

        result: dict[str, Any] = {
            "changed": bool(reports) or recorded > 0,
            "fleet": inputs.fleet_summary(fleet_eval),
            "reports": reports,
            "servers": inputs.server_summaries(results),
            "obsolete_allocations": fleet_eval.get("obsolete_allocations", []),
            "input_rows": input_rows,
            "catalog": fleet_eval.get("catalog"),
            "history": {"enabled": args["history"], "path": args["history_db"] if args["history"] else None,
                        "recorded": recorded},
            "mode": args["mode"],
            "as_of": model["meta"]["as_of"],
            "clock": clock_note,
            "verdict": model["verdict"],
            "todo": {server["host"]: resolve_todo(model, server) for server in model["servers"]},
            "todo_week": expand_week(model),
            "collection_version": model["meta"]["collection_version"],
        }
        if gathers is not None:
            result["gathers"] = gathers
        failure = inputs.fail_message(args["fail_on"], fleet_eval)
        where = f" Reports: {', '.join(reports.values())}." if reports else ""
        if failure:
            result.update(failed=True, msg=failure + where)
        else:
            counts = fleet_eval.get("counts") or {}
            result["msg"] = (f"{model['verdict']['headline']}. Fleet telemetry status (Citrix License Telemetry FAQ) "
                             f"{fleet_eval['status']}: {counts.get('reporting', 0)} of "
                             f"{counts.get('allocated', 0)} allocated license servers reporting.{where}")
        return result

    def _clock(self, hosts: list[str], task_vars: dict) -> tuple[datetime, str]:
        """The time the report judges by, and a sentence saying whose clock it is.

        The controller's clock, except when every host is a lab host living by one simulated lab
        clock (``lab ... advance --days N``): then the lab's time, so a lab fleet is judged as the
        lab's servers see it without extra options (issue 15 item 3). ``as_of`` overrides both.
        """
        controller = datetime.now(UTC).replace(microsecond=0)
        hostvars = task_vars.get("hostvars") or {}
        lab: dict[str, list[str]] = {}
        lab_times: dict[str, datetime] = {}
        other: list[str] = []
        for host in hosts:
            root = self._hostvar(hostvars, host, "ctxlic_lab_root")
            clock = lab_report_clock(root) if isinstance(root, str) and root.strip() else None
            if clock is None:
                other.append(host)
                continue
            lab.setdefault(clock[1], []).append(host)
            lab_times[clock[1]] = clock[0]
        if lab and not other and len(lab) == 1:
            path, when = next(iter(lab_times.items()))
            return when, (f"Report clock: the lab's simulated clock ({path}), {when.strftime('%Y-%m-%dT%H:%M:%SZ')}; "
                          "every host of this report is a lab host living by it.")
        if lab:
            self.warn(f"the report mixes hosts of {len(lab)} lab clock(s) with {len(other)} other host(s): it "
                      "judges all of them by the controller's clock, so lab hosts whose clock was advanced show "
                      "upload times in the future (not credited). Report on one lab at a time, or set as_of.")
        return controller, (f"Report clock: the controller's clock, {controller.strftime('%Y-%m-%dT%H:%M:%SZ')} "
                            "(UTC).")

    # -- inputs ----------------------------------------------------------------------------------------
    def _records(self, args: dict, task_vars: dict) -> tuple[list[dict], list[Any]]:
        """Server records (explicit, or from each host's registered info result) and upgrade_window results."""
        hostvars = task_vars.get("hostvars") or {}
        if args["records"] is not None:
            records = inputs.check_records(args["records"])
            hosts = [r["host"] for r in records]
        else:
            hosts = args["hosts"] if args["hosts"] is not None else list(task_vars.get("ansible_play_hosts_all") or [])
            if not hosts:
                raise InputError("no hosts to report on: pass hosts (inventory host names) or records, or run the task "
                                 "in a play over the license servers.")
            hosts = list(dict.fromkeys(str(h) for h in hosts))
            records = []
            for host in hosts:
                registered = self._hostvar(hostvars, host, args["info_var"])
                records.append(inputs.record_from_result(host, registered, args["info_var"]))
        window_results = [self._hostvar(hostvars, h, args["window_var"]) for h in hosts]
        return records, window_results

    def _release_catalog(self, args: dict) -> Catalog:
        """The release catalog, loaded once for the whole fleet: shipped with the last good cache, refreshed from
        ``catalog_url`` when given (a failed refresh warns and keeps the last good catalog)."""
        catalog, warnings = catalog_store.refresh(args["catalog_url"] or None, args["catalog_cache"] or None,
                                                  now=datetime.now(UTC), cache_ttl=3600)
        self.warn(*warnings)
        return catalog

    @staticmethod
    def _hostvar(hostvars: Any, host: str, name: str) -> Any:
        """``hostvars[host][name]`` (templated), or None when the host or the variable does not exist."""
        try:
            if host not in hostvars:
                return None
            variables = hostvars[host]
            if not isinstance(variables, Mapping) or name not in variables:
                return None
            return variables[name]
        except Exception as exc:  # a template error in one host's vars must not stop the report
            return {"failed": True, "msg": f"cannot read {name}: {exc}"}

    def _load_data(self, path: str, option: str) -> Any:
        text = self._read_text(path, option)
        try:
            return yaml.safe_load(text) if not path.endswith(".json") else json.loads(text)
        except (yaml.YAMLError, json.JSONDecodeError) as exc:
            raise InputError(f"{option} {path}: not valid YAML/JSON ({exc}); fix the file.") from None
        except RecursionError:
            raise InputError(f"{option} {path}: nested too deeply to read (a list or mapping inside thousands of "
                             "others); an entitlement file is a flat list, fix the file.") from None
        except (ValueError, OverflowError) as exc:  # e.g. a number with thousands of digits
            raise InputError(f"{option} {path}: holds a value that cannot be read ({str(exc)[:200]}); fix the "
                             "file.") from None

    @staticmethod
    def _read_text(path: str, option: str) -> str:
        try:
            with open(path, encoding="utf-8-sig") as handle:
                return handle.read()
        except OSError as exc:
            raise InputError(f"{option} {path}: cannot read it ({exc.strerror or exc}); give a readable file.") \
                from None
        except UnicodeDecodeError as exc:
            raise InputError(f"{option} {path}: not UTF-8 text ({exc}); save it as UTF-8.") from None

    def _read_allocations(self, args: dict) -> AllocationRead | None:
        """The rows of ``allocations_csv`` (None without it); every rejected row is a warning and a finding."""
        if not args["allocations_csv"]:
            return None
        read = read_allocation_csv(self._read_text(args["allocations_csv"], "allocations_csv"),
                                   host_column=args["allocation_host_column"],
                                   product_column=args["allocation_product_column"],
                                   quantity_column=args["allocation_quantity_column"])
        self.warn(*(f"allocations_csv: {f['message']}" for f in read.findings))
        return read

    def _obsolete(self, args: dict, records: list[dict], read: AllocationRead | None) -> tuple[list[dict], dict | None]:
        """Obsolete allocations, and the account of every row of ``allocations_csv`` for the report."""
        if read is None:
            return [], None
        return (obsolete_allocations(read.allocations, inputs.inventory_names(records)),
                inputs.input_rows_summary("allocations_csv", args["allocations_csv"], read))

    def _open_history(self, args: dict, check: bool, target: Any) -> EvidenceHistory | None:
        if not args["history"]:
            return None
        if check and target.kind == "sqlite" and not os.path.exists(target.location):
            return None
        return EvidenceHistory(target)

    def _gather(self, args: dict, task_vars: dict, target: Any, check: bool) -> dict:
        """mode=gather: record this job's (slice's) gathers in the history; no evaluation, no report."""
        hostvars = task_vars.get("hostvars") or {}
        hosts = args["hosts"] if args["hosts"] is not None else list(task_vars.get("ansible_play_hosts_all") or [])
        if args["records"] is not None or not hosts:
            raise InputError("mode=gather records the registered info results of the play's hosts: pass hosts (or run "
                             "it in a play over the license servers), not records.")
        history = self._open_history(args, check, target)
        run = fleet_gathers.run_id(args["gather_run_id"], task_vars)
        if history is None:  # check mode before the first run: nothing to record into yet
            return {"changed": True, "mode": "gather", "gathered": {"run_id": run, "hosts": sorted(hosts),
                                                                    "recorded": 0, "skipped": []},
                    "history": {"enabled": True, "path": args["history_db"], "recorded": 0},
                    "msg": f"would record the gathers of {len(hosts)} server(s) in {args['history_db']}"}
        gathered = fleet_gathers.record_slice(history, list(dict.fromkeys(str(h) for h in hosts)),
                                              lambda h, name: self._hostvar(hostvars, h, name), args["info_var"],
                                              args["window_var"], run, check=check)
        return {"changed": not check, "mode": "gather", "gathered": gathered,
                "history": {"enabled": True, "path": args["history_db"], "recorded": gathered["recorded"]},
                "msg": (f"Recorded the gathers of {len(gathered['hosts'])} server(s) (run {run}) in the evidence "
                        f"history {args['history_db']}. No fleet verdict from a gather job: run fleet_report with "
                        "mode=report over the whole fleet.")}

    def _from_history(self, args: dict, task_vars: dict, target: Any, check: bool,
                      allocations: AllocationRead | None) -> tuple[dict, dict]:
        """mode=report: task_vars whose hostvars hold each host's latest fresh gather, and the account of it.

        The fleet's host list is the hosts given (the inventory's full host list), or with
        ``expected_hosts=allocations`` every server the allocation export names (issue 19 item 2).
        """
        history = self._open_history(args, check, target)
        if history is None:
            raise InputError(f"mode=report reads the gathers recorded in the evidence history, but "
                             f"{args['history_db']} does not exist yet: run the gather jobs (mode=gather) first.")
        if args["records"] is not None:
            raise InputError("mode=report judges the fleet's hosts from their recorded gathers: pass hosts (the "
                             "inventory's full host list) or run it in a play over the whole fleet, not records.")
        allocated_as = None
        if args["expected_hosts"] == "allocations" and allocations is not None:
            hosts, allocated_as = fleet_gathers.hosts_from_allocations(
                history, allocations.allocations, args["allocations_csv"],
                sum(1 for f in allocations.findings if f.get("ignored")))
        else:
            hosts = args["hosts"] if args["hosts"] is not None else list(task_vars.get("ansible_play_hosts_all") or [])
            if not hosts:
                raise InputError("mode=report judges the fleet's hosts from their recorded gathers: pass hosts (the "
                                 "inventory's full host list) or run it in a play over the whole fleet, or take the "
                                 "host list from the allocation export (expected_hosts=allocations).")
            hosts = list(dict.fromkeys(str(h) for h in hosts))
        found, account = fleet_gathers.fleet_from_history(history, hosts, args["info_var"], args["window_var"],
                                                          args["gather_max_age_hours"])
        account["expected_hosts"] = args["expected_hosts"]
        args["hosts"] = hosts  # the report's host list from here on
        if allocated_as is not None:
            account["allocated_as"] = allocated_as
        return {**task_vars, "hostvars": found, "ansible_play_hosts_all": hosts}, account

    def _record(self, history: EvidenceHistory | None, records: list[dict], not_after: datetime, check: bool) -> int:
        """Record every observed upload result at once (not in check mode); return how many were new.

        Results that cannot be evidence (among them a time after the report's clock) are left out
        with a warning; the others are recorded in one transaction, so a fleet costs one database
        round trip, not one per host.
        """
        if history is None or check:
            return 0
        observations = []
        for record in records:
            seen = inputs.observation(record)
            if seen is None:
                continue
            try:
                observations.append(prepare_observation(record["host"], seen[0], seen[1], not_after=not_after))
            except InputError as exc:
                self.warn(f"{record['host']}: upload result not recorded in the evidence history: {exc}")
        return sum(history.record_observations(observations))
