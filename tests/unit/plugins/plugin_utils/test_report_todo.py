# Copyright: (c) 2026, ctxlic maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Issue 15 items 4, 5, 10, 11, 12: the verdict that leads the report, the to-do lists, fix texts, text and metadata.

Every test here failed before the change: the report led with the FAQ's telemetry-only status (green on a
fleet whose servers are all non-compliant), had no to-do list, told a several-HOSTNAME= file to "return
expired/inactive allocations", failed "Host reachable and gathered" for a reachable host without a License
Server, drew never-uploaded servers as 0-day bars, cited seed numbers, and wrote JUnit xunitparser rejects.
"""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import date
from pathlib import Path

import junitparser
import lxml.html
import pytest
import xunitparser
from report_factory import AS_OF, CATALOG, FAILED_UPLOAD, ago, day, feature, fleet_model, lic_file, make_record

from ansible_collections.ctxlic.license_server.plugins.plugin_utils._compliance import rules
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._store.collection_meta import collection_version
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._compliance.fleet import evaluate_fleet
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._compliance.server_checks import evaluate_server
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._compliance.report_model import (
    build_report,
    chart_bars,
    resolve_check,
    resolve_todo,
)
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._compliance.report_render import (
    render,
    render_all,
)
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._compliance.todo import (
    fleet_week,
    server_todo,
    verdict,
)
from clock import TODAY

OVERDUE = {"status": "overdue", "deadline": day(-200), "days_overdue": 200, "latest": "11.17.2 build 52000",
           "required_release": {"version": "11.17.2 build 46000"}}


def build(records, *, obsolete=(), catalog=None, history=None):
    catalog = CATALOG if catalog is None else catalog
    results = [evaluate_server(r, as_of=AS_OF, last_success=(history or {}).get(r["host"])) for r in records]
    fleet = evaluate_fleet(results, obsolete_allocations=list(obsolete), catalog=catalog, as_of=AS_OF)
    return build_report(fleet, results, generated_at=AS_OF, title="t", catalog=catalog, as_of=AS_OF,
                        options={"collection_version": "9.9.9"})


def check(model, host, check_id):
    """One check with its shared texts filled in (schema 2 names them by key)."""
    server = next(s for s in model["servers"] if s["host"] == host)
    return resolve_check(model, next(c for c in server["checks"] if c["id"] == check_id))


def todo_of(model, host):
    return resolve_todo(model, next(s for s in model["servers"] if s["host"] == host))


@pytest.fixture(scope="module")
def overdue_three():
    """The default 3-host lab's shape: reporting fine (FAQ Compliant), every server's upgrade overdue."""
    return build([make_record(h, window=OVERDUE) for h in ("ls01", "ls02", "ls03")])


# --------------------------------------------------------------------------- item 4: the verdict


def test_verdict_agrees_with_the_servers_not_with_the_faq_status(overdue_three):
    model = overdue_three
    assert model["fleet"]["status"] == "Compliant"  # the FAQ's telemetry status, kept as such
    v = model["verdict"]
    assert v["headline"] == "Action required: 3 of 3 servers non-compliant"
    assert v["tone"] == "fail" and v["action_required"] is True
    assert (v["non_compliant"], v["unknown"], v["compliant"], v["telemetry_status"]) == (3, 0, 0, "Compliant")


def test_verdict_leads_every_format(overdue_three):
    out = render_all(overdue_three, ["json", "html", "markdown", "junit"])
    assert next(iter(json.loads(out["json"]))) == "verdict"
    doc = lxml.html.fromstring(out["html"])
    first_banner = doc.xpath("//section[contains(@class,'banner')]")[0]
    assert first_banner.get("aria-label") == "Overall verdict" and "tone-fail" in first_banner.get("class")
    assert "Action required: 3 of 3 servers non-compliant" in first_banner.text_content()
    # The FAQ status stays, labelled, and is never a big green banner on top.
    faq = doc.xpath("//section[@class='faq']")[0]
    assert "Citrix License Telemetry FAQ" in faq.text_content() and "Compliant" in faq.text_content()
    assert not doc.xpath("//section[contains(@class,'tone-pass')]//strong[contains(@class,'big')]")
    md_lines = [line for line in out["markdown"].splitlines() if line.strip()]
    assert md_lines[2] == "## \u2716 Action required: 3 of 3 servers non\\-compliant" or md_lines[2].startswith(
        "## \u2716 Action required: 3 of 3 servers non")
    first_case = next(iter(next(iter(junitparser.JUnitXml.fromstring(out["junit"].encode("utf-8"))))))
    assert first_case.name == "fleet :: overall verdict" and first_case.result
    assert first_case.result[0].message.startswith("Action required: 3 of 3 servers non-compliant")


def test_unknown_servers_never_read_green():
    never = make_record("ls-never", upload={"__replace__": True, "status": "unknown", "time": None,
                                            "reason": "upload_compliance_result.xml missing"})
    unknown_window = {"__replace__": True, "status": "unknown", "message": "the catalog cannot prove the window"}
    unproven = make_record("ls-unproven", window=unknown_window)
    model = build([make_record("ls-ok"), unproven])
    assert model["fleet"]["status"] == "Compliant"  # both report telemetry
    assert model["verdict"]["tone"] == "unknown" and model["verdict"]["headline"].startswith("Not proven: 1 of 2")
    # Not reporting as well: the FAQ status is not Compliant either, so action is required (never green).
    model = build([make_record("ls-ok"), never])
    assert model["verdict"]["tone"] == "fail" and "telemetry status Partially Compliant" in model["verdict"]["headline"]
    html = render(model, "html")
    assert "tone-pass" not in lxml.html.fromstring(html).xpath("//section[@aria-label='Overall verdict']")[0].get(
        "class")


def test_all_compliant_is_green():
    model = build([make_record("ls-ok")])
    assert model["verdict"]["tone"] == "pass" and model["verdict"]["headline"] == "Compliant: all 1 server compliant"


def test_obsolete_allocation_alone_requires_action():
    model = build([make_record("ls-ok")], obsolete=["OLD-LS"])
    assert model["verdict"]["tone"] == "fail"
    assert "1 obsolete allocation to return" in model["verdict"]["headline"]


def test_verdict_function_without_servers():
    assert verdict([], {"status": "Unknown"}, [])["tone"] == "unknown"


# --------------------------------------------------------------------------- item 5: fix texts and chart


def test_reachable_host_without_license_server():
    model = build([make_record("ls-empty", installed=False)])
    reach, installed = check(model, "ls-empty", "reachable"), check(model, "ls-empty", "ls_installed")
    assert reach["status"] == "pass"  # it is reachable and was gathered
    assert installed["status"] == "fail" and "No License Server is installed" in installed["message"]
    assert "connectivity" not in installed["message"] and "credentials" not in installed["message"]
    finding = next(f for f in model["fleet"]["other_findings"] if f["id"] == "not_installed")
    assert "install the License Server" in finding["message"] and "connectivity" not in finding["message"]
    assert not any(f["id"] == "not_verified" for f in model["fleet"]["other_findings"])
    (only,) = todo_of(model, "ls-empty")  # the other findings follow from it
    assert "ctxlic.license_server.site playbook" in only["action"] and only["when"] == "now"


def test_several_hostname_file_is_replaced_not_returned():
    broken = lic_file("FID_two.lic", "LS-TWO", [feature()],
                      errors=[{"code": "multiple_hostnames", "message": "2 lines reference HOSTNAME="}])
    model = build([make_record("ls-two", licenses={"files": [broken]})])
    lic = check(model, "ls-two", "licenses_expired")
    assert lic["status"] == "warn"
    assert "return the expired" not in lic["remediation"] and "replace the file" in lic["remediation"]
    finding = next(f for f in model["fleet"]["other_findings"] if f["id"] == "license_attention")
    assert "return the expired/inactive allocations" not in finding["message"]
    assert "replace the file with a fresh download" in finding["message"]
    (action,) = todo_of(model, "ls-two")
    assert action["action"].startswith("Replace license file FID_two.lic with a fresh download")


def test_never_uploaded_is_not_a_zero_day_bar():
    never = make_record("ls-never", upload={"__replace__": True, "status": "unknown", "time": None,
                                            "reason": "upload_compliance_result.xml missing"})
    today = make_record("ls-today", upload={"time": ago(0)})
    model = build([never, today])
    bars = {b["host"]: b for b in chart_bars(model["servers"], model)}
    assert bars["ls-never"]["never"] is True and bars["ls-never"]["label"] == "never"
    assert bars["ls-today"]["never"] is False and bars["ls-today"]["label"] == "0 d"
    svg = lxml.html.fromstring(render(model, "html")).xpath("//svg")[0]
    (dashed,) = svg.xpath(".//rect[@class='never']")
    solid = [r for r in svg.xpath(".//rect") if r.get("class") != "never"]
    assert dashed.get("fill") == "none" and dashed.get("stroke-dasharray")
    assert float(dashed.get("width")) > 10 * float(solid[0].get("width"))
    assert "never uploaded" in svg.text_content()


# --------------------------------------------------------------------------- item 10: to-do lists


def test_overdue_upgrade_names_release_and_deadline(overdue_three):
    (upgrade,) = [t for t in todo_of(overdue_three, "ls01") if t["check"] == "upgrade_window"]
    assert upgrade["action"].startswith("Upgrade to 11.17.2 build 46000 or later (latest known: 11.17.2 build 52000)")
    assert "ctxlic.license_server.upgrade playbook" in upgrade["action"]
    assert upgrade["deadline"] == day(-200) and upgrade["when"] == f"overdue since {day(-200)}"
    assert upgrade["order"] == 1


def test_manual_server_uploads_n_bundles_by_the_deadline():
    manual = make_record("ls-manual", reporting_mode="manual", management_service={"enabled": False},
                         upload={"time": ago(80)},
                         pending_uploads={"count": 3, "bytes": 3000, "oldest": ago(10), "newest": ago(1),
                                          "files": ["a", "b", "c"]})
    model = build([manual])
    actions = todo_of(model, "ls-manual")
    upload = next(t for t in actions if t["check"] == "telemetry_upload")
    assert upload["action"].startswith("Upload the 3 pending bundles (upload_compliance*.zip, upload_usage*.zip) "
                                       "through Citrix Insight Services (CTX472950)")
    assert upload["deadline"] == day(10) and upload["when"] == f"by {day(10)}"
    assert not any("Upload the 3 pending bundles" in t["action"] for t in actions if t is not upload)


def test_expired_file_is_removed_and_its_serial_returned():
    expired = feature(expiry=day(-3))
    expired["serial"] = "SN-EXP-7"
    model = build([make_record("ls-x", licenses={"files": [lic_file("FID_old.lic", "LS-X", [expired])]})])
    actions = [t["action"] for t in todo_of(model, "ls-x")]
    assert any(a.startswith("Remove license file FID_old.lic (expired lines)") for a in actions)
    assert any(a.startswith("Return the allocations of serial SN-EXP-7 (FID_old.lic)") for a in actions)


def test_failed_upload_and_las_use_their_remediation():
    model = build([make_record("ls-fw", upload=FAILED_UPLOAD)], history={"ls-fw": {"time": ago(95)}})
    actions = todo_of(model, "ls-fw")
    telemetry = next(t for t in actions if t["check"] == "telemetry_upload")
    assert telemetry["action"].startswith("Get a telemetry upload to succeed: allow outbound HTTPS")
    assert telemetry["when"] == f"overdue since {day(-5)}"
    # A check this module does not know (LAS, added by others) contributes its remediation generically.
    las = build([make_record("ls-las", version={"text": "11.17.2.0 build 45000", "build": 45000})])
    generic = [t for t in todo_of(las, "ls-las") if t["check"] in ("las_capable", "licensing_technology")]
    assert generic and all(t["action"] for t in generic)
    assert check(las, "ls-las", "las_capable")["remediation"].rstrip(".") in generic[0]["action"]


def test_compliant_server_has_nothing_to_do():
    assert todo_of(build([make_record("ls-ok")]), "ls-ok") == []


def test_fleet_week_is_ordered_by_deadline():
    servers = [
        {"host": "b", "todo": [{"check": "upgrade_window", "severity": "warn", "action": "Upgrade b.",
                                "deadline": "2026-11-27", "when": "by 2026-11-27"}]},
        {"host": "a", "todo": [{"check": "telemetry_upload", "severity": "fail", "action": "Upload a.",
                                "deadline": "2026-11-01", "when": "overdue since 2026-11-01"},
                               {"check": "licenses_expired", "severity": "warn", "action": "Renew a.",
                                "deadline": "2027-01-01", "when": "by 2027-01-01"}]},
        {"host": "c", "todo": [{"check": "reachable", "severity": "fail", "action": "Restore c.", "deadline": None,
                                "when": "now"}]},
    ]
    week = fleet_week(servers, [{"host": "OLD", "products": ["XDT"]}], [], TODAY)
    assert [i["action"] for i in week["items"]] == [
        "Upload a.", "Restore c.",
        "Return the allocations of obsolete license server OLD (XDT) on the licensing portal (Manage Licenses > "
        "Return allocations).",
        "Upgrade b."]
    assert week["later"] == 1 and week["until"] == "2026-11-29"


def test_todo_in_every_format(overdue_three):
    out = render_all(overdue_three, ["json", "csv", "markdown", "html"])
    data = json.loads(out["json"])
    assert all(s["todo"] for s in data["servers"]) and data["todo_week"]["items"]
    rows = [r for r in csv.DictReader(io.StringIO(out["csv"])) if r["kind"] == "todo"]
    assert {r["host"] for r in rows} == {"ls01", "ls02", "ls03"}
    first = next(r for r in rows if r["host"] == "ls01" and r["todo_order"] == "1")
    assert first["todo_deadline"] == day(-200) and first["todo_action"].startswith("Upgrade to 11.17.2 build 46000")
    assert "## To-do list per server" in out["markdown"] and "## What to do this week" in out["markdown"]
    assert "1. **overdue since " in out["markdown"]
    doc = lxml.html.fromstring(out["html"])
    assert len(doc.xpath("//h2[@id='todo']/following-sibling::ol[@class='todo']")) == 3
    assert doc.xpath("//h2[@id='week']")


def test_server_todo_ignores_passing_checks():
    server = {"checks": [{"id": "reachable", "status": "pass"}, {"id": "telemetry_upload", "status": "pass"}]}
    assert server_todo(server, date(2026, 1, 1)) == []


# --------------------------------------------------------------------------- item 11: text


def test_no_seed_numbers_backticks_or_checkout_paths_in_the_report():
    model = fleet_model(catalog={"fetched_at": "2025-01-01T00:00:00Z"})
    out = render_all(model, ["html", "markdown"])
    text = lxml.html.fromstring(out["html"]).text_content()
    for needle in ("seed", "(000", "(001", "(002", "(003", "FAQ 000", "playbooks/upgrade.yml",
                   "playbooks/fleet_report.yml", "playbooks/deploy_licenses.yml", "playbooks/site.yml"):
        assert needle not in text, needle
    assert not re.search(r"\b00[0-4]\b", " ".join(r["source"] for r in model["meta"]["rules"]))
    assert "`" not in text.replace("`tick`", "")  # only the hostile host name in the factory carries a backtick
    assert ".. " not in text and ".." not in " ".join(rules.REMEDIATION.values())
    assert "overflow-wrap: anywhere" not in out["html"]
    # The stale-catalog paragraph appears once (its banner), not four times.
    message = model["catalog"]["message"]
    assert out["markdown"].count(message.split(".")[0].replace("_", "\\_")) == 1
    assert "## Sources" in out["markdown"]
    assert "Citrix License Telemetry FAQ (CTX477614) | https://support.citrix.com/" in out["markdown"]


def test_hint_never_gives_a_double_period():
    failed = {**FAILED_UPLOAD, "hint": "The License Server retries every 24 hours."}
    result = evaluate_server(make_record("ls-h", upload=failed), as_of=AS_OF, last_success={"time": ago(95)})
    message = next(c for c in result["checks"] if c["id"] == "telemetry_upload")["message"]
    assert "retries every 24 hours. Fix:" in message and ".." not in message


def test_remediation_names_playbooks_by_fqcn():
    keys = ("upgrade", "reachable", "not_installed", "licenses_expired", "license_file_errors", "licenses_surplus",
            "catalog")
    texts = " ".join(rules.REMEDIATION[k] for k in keys)
    assert "playbooks/" not in texts
    assert "the ctxlic.license_server.upgrade playbook" in rules.REMEDIATION["upgrade"]


# --------------------------------------------------------------------------- item 12: metadata


def test_junit_read_by_xunitparser_and_junitparser():
    model = fleet_model()
    xml = render(model, "junit")
    _suite, result = xunitparser.parse(io.StringIO(xml))
    parsed = junitparser.JUnitXml.fromstring(xml.encode("utf-8"))
    declared = int(re.search(r'<testsuites[^>]* tests="(\d+)"', xml).group(1))
    assert result.testsRun == sum(s.tests for s in parsed) == declared
    assert len(result.failures) == sum(s.failures for s in parsed)
    fleet_suite = next(iter(parsed))
    props = {p.name: p.value for p in fleet_suite.properties()}
    assert props["collection_version"] == "0.1.0" and props["verdict"].startswith("Action required")
    names = [p.name for s in parsed for p in s.properties()]
    assert len(names) == len(set(names))  # xunitparser rejects a property name seen twice


def test_collection_version_from_manifest_or_galaxy(tmp_path):
    (tmp_path / "galaxy.yml").write_text("namespace: ctxlic\nname: license_server\nversion: 1.2.3  # release\n")
    assert collection_version(tmp_path) == "1.2.3"
    (tmp_path / "MANIFEST.json").write_text(json.dumps({"collection_info": {"version": "1.2.4"}}))
    assert collection_version(tmp_path) == "1.2.4"
    assert collection_version(tmp_path / "missing") is None
    galaxy = Path(rules.__file__).resolve().parents[3] / "galaxy.yml"
    assert collection_version() == re.search(r"^version:\s*(\S+)", galaxy.read_text(), re.MULTILINE).group(1)
