# Copyright: (c) 2026, ctxlic maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Issue 13 items 3-7, end to end on the lab: the License Activation Service (LAS) in info, the fleet report,
the connectivity probe and the evidence events.

A lab fleet on 2026-12-02 (after the end of file-based licensing, 2026-04-15, CTX695107) with a server
licensed only by files, a LAS server, a mixed server, a server below build 51000, a LAS server cut off
from the LAS endpoint (lab network --las false, three lab days without contact: caching mode), an
offline-activated server whose blob exchange is recorded as an evidence event, and a server whose LAS
state nobody gave. The report (through playbooks/fleet_report.yml) names each situation and its fix; info
still makes one remote call per host; connectivity probes the LAS endpoints through the same model.
"""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from ansible_collections.ctxlic.license_server.plugins.plugin_utils.lab.fleet import HostSpec

from .conftest import COLLECTIONS, Fleet
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._compliance.report_model import expand_report

REPO = Path(__file__).resolve().parents[2]
START = datetime(2026, 11, 29, 9, 0, tzinfo=UTC)  # three lab days before 2026-12-02
LIC = [{"feature": "XDT_PLT_UD", "count": 100, "expiry": START.date() + timedelta(days=300)}]
ONLINE = {"registered": True, "activated": True, "mode": "online", "contact_days_ago": 0}


def lab_cli(*args: str) -> subprocess.CompletedProcess:
    cmd = [sys.executable, "-m", "ansible_collections.ctxlic.license_server.plugins.plugin_utils.lab.cli", *args]
    return subprocess.run(cmd, capture_output=True, text=True, check=False,
                          env={"PYTHONPATH": str(COLLECTIONS), "PATH": "/usr/bin:/bin"})


def check(server: dict, check_id: str) -> dict:
    return next(c for c in server["checks"] if c["id"] == check_id)


def specs() -> list[HostSpec]:
    up = {"days_ago": 1}
    return [
        HostSpec("ls-files-only", version="11.17.2.0 build 52100", last_upload=up,
                 licenses=[{"file": "FID_files.lic", "features": LIC}], las={"registered": False, "activated": False}),
        HostSpec("ls-las", version="11.17.2.0 build 53100", last_upload=up, las=ONLINE),
        HostSpec("ls-mixed", version="11.17.2.0 build 52100", last_upload=up,
                 licenses=[{"file": "FID_mixed.lic", "features": LIC}], las=ONLINE),
        HostSpec("ls-old-build", version="11.17.2.0 build 49000", last_upload=up,
                 licenses=[{"file": "FID_old.lic", "features": LIC}]),
        HostSpec("ls-cut-off", version="11.17.2.0 build 52100", last_upload=up, las=ONLINE),
        HostSpec("ls-offline", version="11.17.2.0 build 53100", last_upload=up,
                 las={"registered": True, "activated": True, "mode": "offline"}),
        HostSpec("ls-not-told", version="11.17.2.0 build 52100", last_upload=up,
                 licenses=[{"file": "FID_not_told.lic", "features": LIC}]),
    ]


@pytest.fixture(name="las_fleet", scope="module")
def las_fleet_fixture(tmp_path_factory):
    root = tmp_path_factory.mktemp("las")
    fleet = Fleet(root / "fleet", specs(), START)
    blocked = lab_cli("network", str(fleet.root), "ls-cut-off", "--las", "false")
    assert blocked.returncode == 0, blocked.stderr
    assert "api.cloud.com" in json.loads(blocked.stdout)["blocked"]
    outcomes = fleet.advance(3)
    assert outcomes["ls-cut-off"][-1] == "las-unreachable" and outcomes["ls-las"][-1] == "las-contact"
    events = root / "evidence.sqlite"
    recorded = fleet.run(
        """
        - hosts: ls-offline
          gather_facts: false
          tasks:
            - name: Record the offline activation blob exchange
              ctxlic.license_server.evidence_event:
                kind: las_offline_activation
                at: "2026-11-30T10:00:00Z"
                once: false
                history_db: "{{ db }}"
        """,
        extra_vars={"db": str(events)},
    )
    assert recorded.rc == 0, recorded.stdout[-2000:]
    out = root / "reports"
    result = fleet.run(
        REPO / "playbooks" / "fleet_report.yml",
        extra_vars={"ctxlic_telemetry_report_dir": str(out), "ctxlic_telemetry_history_db": str(events),
                    "ctxlic_telemetry_as_of": "2026-12-02T09:00:00Z"},
        env={"HOME": str(root / "home")},
    )
    assert "Traceback" not in result.stdout + result.stderr
    model = expand_report(json.loads((out / "compliance_report.json").read_text(encoding="utf-8")))
    return fleet, result, model, out


def test_report_names_each_licensing_situation_and_its_fix(las_fleet):
    _fleet, _result, model, _out = las_fleet
    servers = {s["host"]: s for s in model["servers"]}

    files = check(servers["ls-files-only"], "licensing_technology")
    assert files["status"] == "fail", files["message"]
    assert "only by license files (FID_files.lic)" in files["message"] and "CTX695107" in files["message"]
    assert "register the License Server with Citrix Cloud" in files["remediation"]

    assert check(servers["ls-las"], "licensing_technology")["status"] == "pass"
    assert check(servers["ls-las"], "las_contact")["status"] == "pass"

    mixed = servers["ls-mixed"]["licensing"]
    assert mixed["technology"] == "both" and mixed["status"] == "pass"
    assert "FID_mixed.lic" in mixed["situation"] and "migrate the products still on license files" in mixed["situation"]

    old = check(servers["ls-old-build"], "las_capable")
    assert old["status"] == "fail" and "Build 49000 cannot use the License Activation Service" in old["message"]
    assert "build 51000 or later" in old["remediation"]

    cut = check(servers["ls-cut-off"], "las_contact")
    assert cut["status"] == "fail", cut["message"]
    assert "Caching mode" in cut["message"] and "2026-11-29T09:00:00Z" in cut["message"]
    assert "connectivity" in cut["remediation"]

    offline = check(servers["ls-offline"], "las_contact")
    assert offline["status"] == "pass", offline["message"]
    assert servers["ls-offline"]["licensing"]["offline_activation"] == "2026-11-30T10:00:00Z"

    told = check(servers["ls-not-told"], "licensing_technology")
    assert told["status"] == "unknown" and "ctxlic_las" in told["message"]


def test_fleet_status_a_licensing_owner_can_act_on(las_fleet):
    _fleet, _result, model, out = las_fleet
    view = model["licensing"]
    counts = {c["technology"]: c["servers"] for c in view["counts"]}
    assert counts == {"files": 2, "las": 3, "both": 1, "none": 0, "unknown": 1}
    assert view["tone"] == "fail"
    assert set(view["act_now"]) == {"ls-files-only", "ls-old-build", "ls-cut-off"}
    assert view["unknown"] == ["ls-not-told"]
    findings = {f["id"]: f for f in model["fleet"]["other_findings"]}
    assert findings["las_incapable"]["hosts"] == ["ls-old-build"]
    assert findings["file_licensing_only"]["hosts"] == ["ls-files-only", "ls-old-build"]
    assert findings["las_caching_mode"]["hosts"] == ["ls-cut-off"]
    assert findings["licensing_unknown"]["hosts"] == ["ls-not-told"]
    assert "Fix:" in findings["las_caching_mode"]["message"]

    markdown = (out / "compliance_report.md").read_text(encoding="utf-8")
    assert "## Licensing technology (License Activation Service)" in markdown
    assert "Act now on 3" in markdown and "| license files only | 2 |" in markdown
    html = (out / "compliance_report.html").read_text(encoding="utf-8")
    assert "Licensing technology (License Activation Service)" in html and "2026-11-30T10:00:00Z" in html
    rows = list(csv.DictReader(io.StringIO((out / "compliance_report.csv").read_text(encoding="utf-8"))))
    assert {r["host"]: r["licensing_technology"] for r in rows if r["kind"] == "server"}["ls-mixed"] == "both"
    assert any(r["kind"] == "licensing_count" and r["licensing_technology"] == "unknown" for r in rows)
    junit = (out / "compliance_report.xml").read_text(encoding="utf-8")
    assert "fleet :: licensing technology (LAS)" in junit and "ls-cut-off :: las_contact" in junit


def test_info_reads_licensing_in_one_remote_call_per_host(las_fleet):
    _fleet, result, _model, _out = las_fleet
    gathered = result.results_ending("Gather License Server state")
    assert len(gathered) == 7
    for host, res in gathered.items():
        assert res["remote_calls"] == 1, host
        assert "licensing" in res["server"], host
    assert gathered["ls-mixed"]["server"]["licensing"]["las"]["source"].startswith("ctxlic_las")
    assert gathered["ls-not-told"]["server"]["licensing"]["las"]["source"] is None


def test_connectivity_probes_the_las_endpoints(las_fleet):
    fleet, _result, _model, _out = las_fleet
    result = fleet.run(
        """
        - hosts: ls-las:ls-cut-off
          gather_facts: false
          tasks:
            - name: Probe
              ctxlic.license_server.connectivity:
        """
    )
    assert result.rc == 0, result.stdout[-2000:]
    probes = result.task_results("Probe")
    assert probes["ls-las"]["las_ok"] is True and probes["ls-las"]["ok"] is True
    cut = probes["ls-cut-off"]
    assert cut["ok"] is True  # the telemetry upload host is still reachable
    assert cut["las_ok"] is False
    verdicts = {p["endpoint"]: p["verdict"] for p in cut["las"]}
    assert verdicts == {"api.cloud.com": "blocked", "api-us.cloud.com": "blocked"}
    assert "caching mode" in cut["las_message"] and "uberAgent" in cut["las_source"]


def test_bad_las_input_fails_info_with_a_message_and_no_host_call(make_fleet):
    fleet = make_fleet([HostSpec("ls01", version="11.17.2.0 build 52100")], start=START)
    result = fleet.run(
        """
        - hosts: ls01
          gather_facts: false
          vars:
            ctxlic_las: {registered: "yes"}
          tasks:
            - name: Gather
              ctxlic.license_server.info:
        """
    )
    gathered = result.task_results("Gather")["ls01"]
    assert gathered.get("failed") is True
    assert "ctxlic_las.registered must be true or false" in gathered["msg"]
    assert "Traceback" not in result.stdout
