# Copyright: (c) 2026, ctxlic maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Issue 15 items 4, 5, 10, 11, 12 end to end: playbooks/fleet_report.yml and fleet_info.yml on lab fleets.

* The default 3-host lab (``lab create --hosts 3``, the README's command): every server is overdue for an
  upgrade while telemetry is fine. Before, the HTML led with a big green "Fleet telemetry status:
  Compliant"; now every format leads with "Action required: 3 of 3 servers non-compliant", each server has
  its to-do list, the JUnit file reads in junitparser and xunitparser, and collection_version is filled.
* A reachable host without a License Server, a server with a several-HOSTNAME= license file and a server
  that never uploaded get the right findings, fixes and chart.
* The collection installed from its built tarball fills collection_version too.
* fleet_info.yml shows each server's upgrade window and compliance.
"""

from __future__ import annotations

import csv
import io
import json
import re
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import junitparser
import lxml.html
import pytest
import xunitparser

from ansible_collections.ctxlic.license_server.plugins.plugin_utils.lab.fleet import HostSpec

from .conftest import COLLECTIONS, REPO, ansible_env, build_and_install_collection, run_playbook
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._compliance.report_model import expand_report

GALAXY_VERSION = re.search(r"^version:\s*(\S+)", (REPO / "galaxy.yml").read_text(), re.MULTILINE).group(1)
REPORT_TASK = "ctxlic.license_server.telemetry : Write the fleet compliance report"
LAB_CLI = "ansible_collections.ctxlic.license_server.plugins.plugin_utils.lab.cli"


def create_default_lab(root: Path, env: dict | None = None) -> Path:
    """The README's lab: ``lab create ROOT --hosts 3`` (every server 11.17.2 build 45000, automatic reporting)."""
    subprocess.run([sys.executable, "-m", LAB_CLI, "create", str(root), "--hosts", "3", "--start",
                    "2026-12-02T09:00:00Z"], check=True, capture_output=True, cwd=REPO,
                   env=ansible_env({"PYTHONPATH": str(COLLECTIONS), **(env or {})}))
    return root / "inventory.yml"


def reports_of(out: Path) -> dict[str, str]:
    return {p.suffix: p.read_text(encoding="utf-8") for p in out.glob("compliance_report.*")}


@pytest.fixture(scope="module")
def default_lab(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("trust")
    inventory = create_default_lab(tmp / "lab")
    out = tmp / "reports"
    result = run_playbook(REPO / "playbooks" / "fleet_report.yml", inventory,
                          extra_vars={"ctxlic_telemetry_report_dir": str(out),
                                      "ctxlic_telemetry_history_db": str(tmp / "evidence.sqlite")},
                          env={"HOME": str(tmp / "home")})
    assert result.rc == 0, result.stdout[-3000:] + result.stderr[-2000:]
    return tmp, inventory, result, reports_of(out)


def test_default_lab_leads_with_a_verdict_that_matches_the_servers(default_lab):
    _tmp, _inventory, result, reports = default_lab
    model = expand_report(json.loads(reports[".json"]))
    assert [s["status"] for s in model["servers"]] == ["non_compliant"] * 3
    headline = "Action required: 3 of 3 servers non-compliant"
    assert next(iter(json.loads(reports[".json"]))) == "verdict"
    assert model["verdict"]["headline"] == headline and model["verdict"]["tone"] == "fail"
    # The FAQ's telemetry status is kept as such, below the verdict.
    assert model["fleet"]["status"] == model["verdict"]["telemetry_status"]

    doc = lxml.html.fromstring(reports[".html"])
    banner = doc.xpath("//section[contains(@class,'banner')]")[0]
    assert banner.get("aria-label") == "Overall verdict" and "tone-fail" in banner.get("class")
    assert headline in banner.text_content()
    assert not doc.xpath("//section[contains(@class,'tone-pass')]//strong[contains(@class,'big')]")
    assert "Fleet telemetry status (Citrix License Telemetry FAQ, telemetry only)" in doc.text_content()

    body = [line for line in reports[".md"].splitlines() if line.strip()]
    assert body[2].startswith("## \u2716 Action required: 3 of 3 servers non")

    fleet_suite = next(iter(junitparser.JUnitXml.fromstring(reports[".xml"].encode("utf-8"))))
    first = next(iter(fleet_suite))
    assert first.name == "fleet :: overall verdict" and first.result[0].message.startswith(headline)

    task = result.task_results(REPORT_TASK)
    (module_result,) = task.values()
    assert module_result["msg"].startswith(headline)
    assert module_result["verdict"]["headline"] == headline
    shown = result.task_results("ctxlic.license_server.telemetry : Show the fleet status and where the reports are")
    first_lines = [r["msg"][0] for r in shown.values() if "msg" in r]
    assert first_lines and all(line == f"Verdict: {headline}" for line in first_lines)


def test_default_lab_gives_every_server_its_to_do_list(default_lab):
    _tmp, _inventory, result, reports = default_lab
    model = expand_report(json.loads(reports[".json"]))
    for server in model["servers"]:
        first = server["todo"][0]
        assert first["check"] == "upgrade_window" and first["when"].startswith("overdue since ")
        assert "Upgrade to 11.17.2 build 46000 or later" in first["action"]
        assert "the ctxlic.license_server.upgrade playbook" in first["action"]
        assert "playbooks/upgrade.yml" not in json.dumps(server["todo"])
    week = model["todo_week"]
    assert {i["host"] for i in week["items"]} == {"ls01", "ls02", "ls03"}
    deadlines = [i["deadline"] or "9999" for i in week["items"]]
    assert deadlines == sorted(deadlines)
    rows = [r for r in csv.DictReader(io.StringIO(reports[".csv"])) if r["kind"] == "todo"]
    assert {r["host"] for r in rows} == {"ls01", "ls02", "ls03"} and all(r["todo_action"] for r in rows)
    assert reports[".md"].count("1. **overdue since ") == 3
    doc = lxml.html.fromstring(reports[".html"])
    assert len(doc.xpath("//h2[@id='todo']/following-sibling::ol[@class='todo']")) == 3
    (module_result,) = result.task_results(REPORT_TASK).values()
    assert set(module_result["todo"]) == {"ls01", "ls02", "ls03"}


def test_default_lab_metadata_and_junit_consumers(default_lab):
    _tmp, _inventory, _result, reports = default_lab
    model = expand_report(json.loads(reports[".json"]))
    assert model["meta"]["collection_version"] == GALAXY_VERSION
    xml = reports[".xml"]
    _suite, parsed = xunitparser.parse(io.StringIO(xml))  # raised AssertionError on repeated fleet properties
    junit = junitparser.JUnitXml.fromstring(xml.encode("utf-8"))
    assert parsed.testsRun == sum(s.tests for s in junit)
    props = {p.name: p.value for p in next(iter(junit)).properties()}
    assert props["collection_version"] == GALAXY_VERSION
    names = [p.name for s in junit for p in s.properties()]
    assert len(names) == len(set(names))


def test_report_text_names_documents_by_title(default_lab):
    _tmp, _inventory, _result, reports = default_lab
    text = lxml.html.fromstring(reports[".html"]).text_content()
    model = expand_report(json.loads(reports[".json"]))
    for needle in ("seed", "FAQ 000", "(000", "(001", "(002", "playbooks/upgrade.yml", "..", "`"):
        assert needle not in text, needle
    assert "Citrix License Telemetry FAQ (CTX477614)" in text
    assert "## Sources" in reports[".md"]
    if model["catalog"]["stale"]:
        assert reports[".md"].count(model["catalog"]["message"].split(":")[0]) == 1


def test_fleet_info_shows_window_and_compliance(default_lab):
    tmp, inventory, _result, _reports = default_lab
    result = run_playbook(REPO / "playbooks" / "fleet_info.yml", inventory, env={"HOME": str(tmp / "home")})
    assert result.rc == 0, result.stdout[-3000:] + result.stderr[-2000:]
    table = next(iter(result.task_results("Show one line per license server").values()))
    lines = table["msg"]
    assert "UPGRADE WINDOW" in lines[0] and "COMPLIANCE" in lines[0]
    for host in ("ls01", "ls02", "ls03"):
        row = next(line for line in lines if line.startswith(host + " "))
        assert "overdue (deadline 2024-08-19)" in row and row.rstrip().endswith("NON-COMPLIANT")
    assert "Action required: 3 of 3 servers non-compliant" in lines


def test_wrong_fix_texts_and_never_uploaded_through_the_playbook(make_fleet, tmp_path):
    good = [{"feature": "XDT_PLT_UD", "count": 10, "expiry_days": 300}]
    fleet = make_fleet(
        [
            HostSpec("ls-empty", version=None),
            HostSpec("ls-two", version="11.17.2.0 build 51000", last_upload={"days_ago": 1},
                     licenses=[{"file": "FID_two_hosts.lic", "hostnames": ["LS-TWO", "OTHERHOST"],
                                "features": good}]),
            HostSpec("ls-never", version="11.17.2.0 build 51000"),
        ],
        start=datetime(2026, 12, 2, 9, 0, tzinfo=UTC),
    )
    out = tmp_path / "reports"
    result = fleet.run(REPO / "playbooks" / "fleet_report.yml",
                       extra_vars={"ctxlic_telemetry_report_dir": str(out),
                                   "ctxlic_telemetry_history_db": str(tmp_path / "evidence.sqlite")},
                       env={"HOME": str(tmp_path / "home")})
    assert result.rc == 0, result.stdout[-3000:] + result.stderr[-2000:]
    model = expand_report(json.loads((out / "compliance_report.json").read_text(encoding="utf-8")))
    servers = {s["host"]: s for s in model["servers"]}

    def check(host, check_id):
        return next(c for c in servers[host]["checks"] if c["id"] == check_id)

    # A reachable host without a License Server: reachable passes; the missing License Server is its own finding.
    assert check("ls-empty", "reachable")["status"] == "pass"
    installed = check("ls-empty", "ls_installed")
    assert installed["status"] == "fail" and "connectivity" not in installed["message"]
    findings = {f["id"]: f for f in model["fleet"]["other_findings"]}
    assert "not_verified" not in findings and "install the License Server" in findings["not_installed"]["message"]
    assert [t["check"] for t in servers["ls-empty"]["todo"]] == ["ls_installed"]

    # A several-HOSTNAME= file is replaced, never "return expired/inactive allocations".
    lic = check("ls-two", "licenses_expired")
    assert "multiple_hostnames" in lic["message"] and "return the expired" not in lic["message"]
    assert "return the expired/inactive allocations" not in findings["license_attention"]["message"]
    assert any(t["action"].startswith("Replace license file FID_two_hosts.lic") for t in servers["ls-two"]["todo"])

    # Never uploaded: drawn apart and labelled, not a 0-day bar.
    never_bar = next(b for b in model["chart"]["bars"] if b["host"] == "ls-never")
    assert never_bar["never"] is True and never_bar["label"] == "never"
    svg = lxml.html.fromstring((out / "compliance_report.html").read_text(encoding="utf-8")).xpath("//svg")[0]
    never = [b["host"] for b in model["chart"]["bars"] if b["never"]]
    assert sorted(never) == ["ls-empty", "ls-never"]  # ls-two uploaded yesterday
    assert len(svg.xpath(".//rect[@class='never']")) == 2 and "never uploaded" in svg.text_content()


@pytest.mark.slow
def test_collection_version_from_the_installed_tarball(tmp_path):
    _tarball, colls = build_and_install_collection(tmp_path)
    installed = colls / "ansible_collections" / "ctxlic" / "license_server"
    assert (installed / "MANIFEST.json").is_file() and not (installed / "galaxy.yml").exists()
    env = {"ANSIBLE_COLLECTIONS_PATH": str(colls), "PYTHONPATH": str(colls), "HOME": str(tmp_path / "home")}
    inventory = create_default_lab(tmp_path / "lab", env)
    reports = tmp_path / "reports"
    play = tmp_path / "report.yml"
    play.write_text("- ansible.builtin.import_playbook: ctxlic.license_server.fleet_report\n")
    result = run_playbook(play, inventory, extra_vars={"ctxlic_telemetry_report_dir": str(reports)}, env=env)
    assert result.rc == 0, result.stdout[-3000:] + result.stderr[-2000:]
    model = expand_report(json.loads((reports / "compliance_report.json").read_text(encoding="utf-8")))
    assert model["meta"]["collection_version"] == GALAXY_VERSION
    xml = (reports / "compliance_report.xml").read_text(encoding="utf-8")
    assert f'name="collection_version" value="{GALAXY_VERSION}"' in xml
