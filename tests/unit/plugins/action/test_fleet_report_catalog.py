# Copyright: (c) 2026, ctxlic maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""fleet_report judges the upgrade windows once, on the controller (issue 18 item 2).

The telemetry role ran one upgrade_window task per host, although info's record holds the window: the report
now loads the release catalog once (refreshed from catalog_url when given), judges the records again only for
a catalog URL or an as_of, and states the catalog it used without any per-host result.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from act2_recorded import recorded

from ansible_collections.ctxlic.license_server.plugins.plugin_utils._compliance.report_model import expand_report
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._server.release_catalog import Release
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._server.upgrade_window import evaluate_window
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._server.version import parse_ls_version
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._store import catalog as catalog_store

RECORDS = recorded("act2_fleet_records.json")["records"]  # builds 45000 and 49000, gathered 2026-11-22


def options(tmp_path: Path, **changes) -> dict:
    return {"records": RECORDS, "output_dir": str(tmp_path / "reports"), "formats": ["json"], "history": False,
            "catalog_cache": "", **changes}


def windows(result: dict) -> dict[str, dict]:
    report = expand_report(json.loads(Path(result["reports"]["json"]).read_text(encoding="utf-8")))
    return {s["host"]: next(c["evidence"]["window"] for c in s["checks"] if c["id"] == "upgrade_window")
            for s in report["servers"]}


def test_without_window_results_the_report_states_the_catalog_it_loaded(run_action, tmp_path) -> None:
    result = run_action("fleet_report", options(tmp_path), None)
    assert not result.get("failed"), result
    shipped = catalog_store.load_shipped()
    assert result["catalog"]["available"] is True
    assert result["catalog"]["newest_release"] == str(shipped.releases[-1].version)
    assert result["catalog"]["source"] == "shipped"
    # No as_of and no catalog URL: each window is the one info judged, untouched.
    assert windows(result) == {r["host"]: r["window"] for r in RECORDS}


def test_as_of_judges_every_window_again_on_that_day(run_action, tmp_path) -> None:
    result = run_action("fleet_report", options(tmp_path, as_of="2023-06-01"), None)
    assert not result.get("failed"), result
    shipped = catalog_store.load_shipped()
    for record in RECORDS:
        expected = evaluate_window(parse_ls_version(record["version"]["text"]), shipped, date(2023, 6, 1), 30)
        assert windows(result)[record["host"]] == expected
        assert expected != record["window"]  # a different day, a different verdict: the test proves something


def test_catalog_url_is_fetched_once_for_the_fleet_and_judges_every_window(run_action, tmp_path,
                                                                           monkeypatch) -> None:
    newer = Release(parse_ls_version("11.17.2 build 60000"), date(2026, 1, 5), "https://mirror.example/ls.json")
    calls = []

    def fetch(url, **_kwargs):
        calls.append(url)
        return [*catalog_store.load_shipped().releases, newer]

    monkeypatch.setattr(catalog_store, "fetch", fetch)
    result = run_action("fleet_report", options(tmp_path, catalog_url="https://mirror.example/ls.json"), None)
    assert not result.get("failed"), result
    assert calls == ["https://mirror.example/ls.json"]
    assert result["catalog"]["newest_release"] == "11.17.2 build 60000"
    assert result["catalog"]["source"] == "shipped+fetched:https://mirror.example/ls.json"
    for window in windows(result).values():
        assert window["latest"] == "11.17.2 build 60000"
        assert window["as_of"] == "2026-11-22"  # the day of each server's own gather (no as_of given)


def test_a_window_result_of_the_host_still_wins(run_action, tmp_path) -> None:
    own = {"status": "current", "message": "judged by the play's own upgrade_window task"}
    result = run_action("fleet_report", {**options(tmp_path, as_of="2023-06-01"), "records": None,
                                         "hosts": ["primary"]},
                        None, task_vars={"hostvars": {"primary": {"ctxlic_info": {"server": RECORDS[0]},
                                                                  "ctxlic_window": {"window": own}}}})
    assert not result.get("failed"), result
    assert windows(result)["primary"] == own
