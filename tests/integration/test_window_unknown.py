# Copyright: (c) 2026, ctxlic maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Issue 13 items 1-2 in the fleet report, end to end through playbooks/fleet_report.yml on the lab.

With the shipped release catalog and no refresh, as of 2026-12-02: a server on build 51000 (the
newest the catalog knows, December 2024) and one on a build the catalog does not list cannot be
shown to be inside the six-month window. Their upgrade-window check is UNKNOWN with the reason and
the fix, the report's headline names them, and the catalog notice shows the limit its verdict was
made with. A server behind a known release stays provably overdue, and its message names the
release whose deadline passed.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from ansible_collections.ctxlic.license_server.plugins.plugin_utils.lab.fleet import HostSpec
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._compliance.report_model import expand_report

REPO = Path(__file__).resolve().parents[2]


def check(server: dict, check_id: str) -> dict:
    return next(c for c in server["checks"] if c["id"] == check_id)


def test_fleet_report_names_the_servers_whose_window_could_not_be_proven(make_fleet, tmp_path):
    fleet = make_fleet(
        [
            HostSpec("ls-newest", version="11.17.2.0 build 51000", last_upload={"days_ago": 1}),
            HostSpec("ls-future", version="11.17.2.0 build 56200", last_upload={"days_ago": 1}),
            HostSpec("ls-behind", version="11.17.2.0 build 45000", last_upload={"days_ago": 1}),
        ],
        start=datetime(2026, 12, 2, 9, 0, tzinfo=UTC),
    )
    out = tmp_path / "reports"
    result = fleet.run(
        REPO / "playbooks" / "fleet_report.yml",
        extra_vars={
            "ctxlic_telemetry_report_dir": str(out),
            "ctxlic_telemetry_history_db": str(tmp_path / "evidence.sqlite"),
            "ctxlic_telemetry_as_of": "2026-12-02T09:00:00Z",
        },
        # No controller-wide catalog cache from another run: the shipped catalog only.
        env={"HOME": str(tmp_path / "home")},
    )
    assert result.rc == 0, result.stdout[-3000:] + result.stderr[-2000:]
    assert "Traceback" not in result.stdout + result.stderr

    model = expand_report(json.loads((out / "compliance_report.json").read_text(encoding="utf-8")))
    servers = {s["host"]: s for s in model["servers"]}

    newest = check(servers["ls-newest"], "upgrade_window")
    assert newest["status"] == "unknown", newest["message"]
    assert "Upgrade window not proven" in newest["message"]
    assert "ctxlic_telemetry_catalog_url" in newest["message"]
    assert servers["ls-newest"]["status"] != "compliant"

    future = check(servers["ls-future"], "upgrade_window")
    assert future["status"] == "unknown", future["message"]
    assert "newer than every release the catalog lists" in future["message"]

    behind = check(servers["ls-behind"], "upgrade_window")
    assert behind["status"] == "fail"
    assert "deadline 2024-08-19 for 11.17.2 build 46000" in behind["message"]

    assert model["fleet"]["window_unproven"]["hosts"] == ["ls-future", "ls-newest"]
    assert model["catalog"]["stale"] is True
    assert model["catalog"]["max_age_days"] == 180
    assert "(more than 180)" in model["catalog"]["message"]
    assert "probably" not in model["catalog"]["message"]

    markdown = (out / "compliance_report.md").read_text(encoding="utf-8")
    headline = markdown.split("## Summary")[0]
    assert "Upgrade window not proven for: ls-future, ls-newest." in headline
    html = (out / "compliance_report.html").read_text(encoding="utf-8")
    assert "Upgrade window not proven for: ls-future, ls-newest" in html
