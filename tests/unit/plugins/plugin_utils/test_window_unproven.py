# Copyright: (c) 2026, ctxlic maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Issue 13 items 1-2 in the compliance evaluation and the report: a window the catalog cannot prove.

The upgrade-window check reports UNKNOWN with the reason and the fix; the overdue message names
the release whose deadline passed; the catalog notice shows the limit its verdict was made with;
the report's headline names the servers whose window could not be proven.
"""

from __future__ import annotations

from datetime import date

from report_factory import AS_OF, make_record

from ansible_collections.ctxlic.license_server.plugins.plugin_utils._store.catalog import load_shipped
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._compliance.rules import REMEDIATION
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._compliance.catalog_notice import catalog_notice
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._compliance.fleet import evaluate_fleet
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._compliance.server_checks import evaluate_server
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._server.version import parse_ls_version
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._compliance.report_model import build_report
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._compliance.report_render import (
    render,
)
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._server.upgrade_window import (
    evaluate_window,
    window_task_result,
)

SHIPPED = load_shipped()


def upgrade_check(result: dict) -> dict:
    return next(c for c in result["checks"] if c["id"] == "upgrade_window")


def window_for(version: str, as_of: date) -> dict:
    return evaluate_window(parse_ls_version(version), SHIPPED, as_of)


def test_overdue_message_names_the_release_whose_deadline_passed() -> None:
    """It printed "deadline 2024-08-19 for 11.17.2 build 51000", a deadline that belongs to 46000."""
    window = window_for("11.17.2.0 build 45000", date(2026, 12, 2))
    assert (window["deadline"], window["required_release"]["version"]) == ("2024-08-19", "11.17.2 build 46000")
    record = make_record("ls01", version={"text": "11.17.2.0 build 45000", "build": 45000},
                         window={"__replace__": True, **window})
    check = upgrade_check(evaluate_server(record, as_of=AS_OF))
    assert check["status"] == "fail"
    assert "deadline 2024-08-19 for 11.17.2 build 46000" in check["message"]
    assert "for 11.17.2 build 51000" not in check["message"]
    assert "latest known: 11.17.2 build 51000" in check["message"]


def test_within_window_messages_name_the_required_release() -> None:
    window = window_for("11.17.2 build 49000", date(2025, 5, 20))
    record = make_record("ls01", window={"__replace__": True, **window})
    check = upgrade_check(evaluate_server(record, as_of=AS_OF, upgrade_warning_days=30))
    assert check["status"] == "warn"
    assert "Upgrade due by 2025-06-01 (12 days left): 11.17.2 build 51000 must be installed" in check["message"]


def test_newest_known_build_with_the_shipped_catalog_is_unknown_with_reason_and_fix() -> None:
    window = window_for("11.17.2.0 build 51000", date(2026, 12, 2))
    record = make_record("ls01", window={"__replace__": True, **window})
    result = evaluate_server(record, as_of=AS_OF)
    check = upgrade_check(result)
    assert check["status"] == "unknown"
    assert "Upgrade window not proven" in check["message"]
    assert "731 days" in check["message"]
    assert check["remediation"] == REMEDIATION["catalog"]
    assert "ctxlic_telemetry_catalog_url" in check["message"]
    assert result["status"] != "compliant"


def test_a_build_without_number_is_unknown_but_not_a_catalog_problem() -> None:
    window = window_for("11.17.2.0", date(2026, 12, 2))
    check = upgrade_check(evaluate_server(make_record("ls01", window={"__replace__": True, **window}), as_of=AS_OF))
    assert check["status"] == "unknown"
    assert "no build number" in check["message"]
    assert check["remediation"] is None


def test_current_pass_says_what_it_rests_on() -> None:
    window = window_for("11.17.2 build 51000", date(2025, 5, 1))
    check = upgrade_check(evaluate_server(make_record("ls01", window={"__replace__": True, **window}), as_of=AS_OF))
    assert check["status"] == "pass"
    assert "complete through 2024-12-01" in check["message"]


def test_catalog_notice_shows_the_limit_its_verdict_was_made_with() -> None:
    """The report said max_age_days: 30 next to the text "(more than 180)"."""
    task = window_task_result("11.17.2 build 51000", SHIPPED, as_of=date(2026, 12, 2))
    notice = catalog_notice(task["catalog"], as_of=AS_OF, max_age_days=30)
    assert notice["max_age_days"] == 180
    assert "(more than 180)" in notice["message"]
    assert notice["stale"] is True
    assert notice["complete_through"] == "2024-12-01"


def test_catalog_notice_without_a_verdict_counts_the_newest_release_and_the_fetch() -> None:
    catalog = {"releases": [{"version": "11.17.2 build 51000", "released": "2024-12-01"}], "fetched_at": None}
    notice = catalog_notice(catalog, as_of=AS_OF, max_age_days=180)
    assert notice["stale"] is True
    assert "cannot exclude a newer License Server release" in notice["message"]
    fresh = catalog_notice({**catalog, "fetched_at": "2026-11-21T10:00:00Z"}, as_of=AS_OF, max_age_days=180)
    assert fresh["stale"] is False
    assert "probably" not in fresh["message"]


def test_report_headline_names_the_servers_whose_window_could_not_be_proven() -> None:
    unproven = window_for("11.17.2.0 build 51000", date(2026, 12, 2))
    overdue = window_for("11.17.2.0 build 45000", date(2026, 12, 2))
    records = [
        make_record("ls-b", window={"__replace__": True, **unproven}),
        make_record("ls-a", window={"__replace__": True, **unproven}),
        make_record("ls-old", version={"text": "11.17.2.0 build 45000", "build": 45000},
                    window={"__replace__": True, **overdue}),
    ]
    results = [evaluate_server(r, as_of=AS_OF) for r in records]
    task = window_task_result("11.17.2 build 51000", SHIPPED, as_of=date(2026, 12, 2))
    fleet = evaluate_fleet(results, catalog=task["catalog"], as_of=AS_OF)
    model = build_report(fleet, results, generated_at=AS_OF, title="t", catalog=task["catalog"], as_of=AS_OF,
                         options=None)
    assert model["fleet"]["window_unproven"]["hosts"] == ["ls-a", "ls-b"]
    assert model["catalog"]["max_age_days"] == 180
    markdown = render(model, "markdown")
    headline = markdown.split("## Summary", maxsplit=1)[0]
    assert "Upgrade window not proven for: ls-a, ls-b." in headline
    assert "ls-old" not in headline.split("Upgrade window not proven for:")[1].split("\n")[0]
    html = render(model, "html")
    assert "Upgrade window not proven for: ls-a, ls-b" in html


def test_report_headline_is_silent_when_every_window_is_proven() -> None:
    window = window_for("11.17.2 build 51000", date(2025, 5, 1))
    results = [evaluate_server(make_record("ls01", window={"__replace__": True, **window}), as_of=AS_OF)]
    fleet = evaluate_fleet(results, as_of=AS_OF)
    model = build_report(fleet, results, generated_at=AS_OF, title="t", catalog=None, as_of=AS_OF, options=None)
    assert model["fleet"]["window_unproven"] == {"hosts": [], "message": ""}
    assert "Upgrade window not proven" not in render(model, "markdown")
