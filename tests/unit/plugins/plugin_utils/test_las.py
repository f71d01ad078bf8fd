# Copyright: (c) 2026, ctxlic maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Tests for las.py (LAS rules, licensing technology, LAS checks) and the LAS parts of compliance and the report."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, date, datetime

import pytest
import yaml
from report_factory import AS_OF, ago, make_record, unreachable_record

from ansible_collections.ctxlic.license_server.plugins.plugin_utils._server import las
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._compliance.rules import CHECK_IDS, RULES
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._compliance.fleet import evaluate_fleet
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._compliance.server_checks import evaluate_server
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._common.errors import InputError
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._compliance.report_model import (
    build_report,
    licensing_row,
)
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._compliance.report_render import (
    render,
)

RULES_SHIPPED = las.load_shipped()
BEFORE_EOL = datetime(2026, 3, 1, 12, tzinfo=UTC)


def licensing(build: int | None, files: list[str], las_input: dict | None) -> dict:
    return las.licensing_record(build=build, license_files=[{"name": n} for n in files],
                                las_input=las.normalise_input(las_input), rules=RULES_SHIPPED)


def record_with(host: str, build: int, files: list[str], las_input: dict | None) -> dict:
    record = make_record(host, version={"text": f"11.17.2.0 build {build}", "build": build})
    record["licensing"] = licensing(build, files, las_input)
    return record


def check(result: dict, check_id: str) -> dict:
    return next(c for c in result["checks"] if c["id"] == check_id)


ONLINE = {"registered": True, "activated": True, "mode": "online", "last_contact": ago(0, 5)}


# --------------------------------------------------------------------------- the data and its sources


def test_shipped_rules_carry_the_vendor_values_and_a_source_for_each():
    assert RULES_SHIPPED.end_of_life == date(2026, 4, 15)
    assert (RULES_SHIPPED.online_min_build, RULES_SHIPPED.offline_min_build) == (51000, 53100)
    assert RULES_SHIPPED.contact_days == 1
    assert ("api.cloud.com", 443) in RULES_SHIPPED.endpoints
    for key in ("end_of_life", "online", "offline", "contact", "caching_mode", "endpoints", "offline_activation",
                "registration"):
        source = RULES_SHIPPED.sources[key]
        assert source["title"] and source["url"].startswith("https://"), key
    assert "CTX695107" in RULES_SHIPPED.sources["end_of_life"]["title"]
    data = yaml.safe_load(las.DATA_FILE.read_text(encoding="utf-8"))
    assert data["offline_activation"]["documented_on_server"] is False
    assert data["registration_state"]["readable_on_server"] is False


def test_malformed_rules_data_is_refused():
    data = yaml.safe_load(las.DATA_FILE.read_text(encoding="utf-8"))
    del data["online_activation_min_build"]["source"]
    with pytest.raises(las.CtxlicError, match="source"):
        las.rules_from_data(data)
    with pytest.raises(las.CtxlicError, match="schema_version"):
        las.rules_from_data({"schema_version": 2})


def test_compliance_rules_cite_the_las_sources_by_title_and_address():
    texts = {r["id"]: r for r in RULES}
    assert "2026" in texts["las_end_of_file_licensing"]["text"]
    assert "CTX695107" in texts["las_end_of_file_licensing"]["source"]
    assert "https://docs.citrix.com/en-us/licensing/11-17-2-52100/" in texts["las_builds"]["source"]
    assert {"las_capable", "licensing_technology", "las_contact"} <= set(CHECK_IDS)


# --------------------------------------------------------------------------- capability and input


@pytest.mark.parametrize(("build", "online", "offline"), [
    (50999, False, False), (51000, True, False), (53099, True, False), (53100, True, True), (56200, True, True),
    (None, None, None), (True, None, None),
])
def test_capability_by_build(build, online, offline):
    assert las.capability(build, RULES_SHIPPED) == {"online": online, "offline": offline}


@pytest.mark.parametrize(("value", "match"), [
    ("yes", "must be a mapping"),
    ({"registred": True}, "unknown keys registred"),
    ({"registered": "yes"}, "registered must be true or false"),
    ({"mode": "cloud"}, "mode must be online or offline"),
    ({"last_contact": "yesterday"}, "last_contact='yesterday' is not an ISO 8601"),
    ({"last_contact": 5}, "last_contact must be"),
    ({"registered": False, "activated": True}, "activated is true but registered is false"),
    ({"source": ["x"]}, "source must be text"),
])
def test_bad_las_input_names_the_key_and_what_to_do(value, match):
    with pytest.raises(InputError, match=match):
        las.normalise_input(value)


def test_las_input_times_are_utc():
    got = las.normalise_input({"registered": True, "last_contact": "2026-12-01T07:00:00+01:00"})
    assert got["last_contact"] == "2026-12-01T06:00:00Z"
    assert las.normalise_input({"last_contact": "2026-12-01"})["last_contact"] == "2026-12-01T00:00:00Z"
    assert las.normalise_input(None) is None


@pytest.mark.parametrize(("build", "files", "las_input", "technology"), [
    (52100, ["FID_a.lic"], None, "unknown"),  # files present, LAS state not given: never guessed
    (52100, [], None, "unknown"),
    (45000, ["FID_a.lic"], None, "files"),  # the build cannot do LAS: files only, proven by the build
    (45000, [], None, "none"),
    (52100, ["FID_a.lic"], {"registered": True, "activated": False}, "files"),
    (52100, ["FID_a.lic"], ONLINE, "both"),
    (52100, [], ONLINE, "las"),
    (52100, ["citrix_startup.lic"], ONLINE, "las"),  # the startup license licenses no product
    (52100, [], {"registered": False, "activated": False}, "none"),
])
def test_licensing_technology(build, files, las_input, technology):
    assert licensing(build, files, las_input)["technology"] == technology


# --------------------------------------------------------------------------- compliance: the three checks


def test_file_only_server_after_the_end_of_file_licensing_fails_with_its_fix():
    result = evaluate_server(record_with("ls-files", 52100, ["FID_a.lic"], {"registered": False,
                                                                            "activated": False}), as_of=AS_OF)
    tech = check(result, "licensing_technology")
    assert tech["status"] == "fail"
    assert "only by license files (FID_a.lic)" in tech["message"]
    assert "2026-04-15" in tech["message"] and "CTX695107" in tech["message"]
    assert "register the License Server with Citrix Cloud" in tech["remediation"]
    assert result["status"] == "non_compliant"


def test_file_only_server_before_the_date_is_a_warning():
    record = record_with("ls-files", 52100, ["FID_a.lic"], {"registered": False, "activated": False})
    assert check(evaluate_server(record, as_of=BEFORE_EOL), "licensing_technology")["status"] == "warn"


def test_build_below_51000_cannot_do_las():
    record = record_with("ls-old", 49000, ["FID_a.lic"], None)
    after = evaluate_server(record, as_of=AS_OF)
    cap = check(after, "las_capable")
    assert cap["status"] == "fail"
    assert "Build 49000 cannot use the License Activation Service" in cap["message"]
    assert "build 51000 or later" in cap["remediation"]
    assert "the ctxlic.license_server.upgrade playbook" in cap["remediation"]  # FQCN (issue 15 item 11)
    assert check(after, "licensing_technology")["status"] == "fail"
    assert check(evaluate_server(record, as_of=BEFORE_EOL), "las_capable")["status"] == "warn"


def test_offline_mode_needs_build_53100():
    record = record_with("ls-off", 52100, [], {"registered": True, "activated": True, "mode": "offline"})
    cap = check(evaluate_server(record, as_of=AS_OF), "las_capable")
    assert cap["status"] == "fail" and "53100" in cap["message"]


def test_unknown_las_state_is_unknown_with_what_to_do_never_pass():
    result = evaluate_server(record_with("ls-q", 52100, ["FID_a.lic"], None), as_of=AS_OF)
    for check_id in ("licensing_technology", "las_contact"):
        found = check(result, check_id)
        assert found["status"] == "unknown"
        assert "ctxlic_las" in found["message"]
    assert "documents no way to read the LAS state" in check(result, "licensing_technology")["remediation"]


def test_las_server_out_of_contact_is_in_caching_mode():
    stale = {**ONLINE, "last_contact": ago(3)}
    result = evaluate_server(record_with("ls-cut", 52100, [], stale), as_of=AS_OF)
    contact = check(result, "las_contact")
    assert contact["status"] == "fail"
    assert "Caching mode" in contact["message"] and "3 days ago" in contact["message"]
    assert "connectivity" in contact["remediation"]
    fresh = evaluate_server(record_with("ls-ok", 52100, [], ONLINE), as_of=AS_OF)
    assert check(fresh, "las_contact")["status"] == "pass"
    assert {c["id"]: c["status"] for c in fresh["checks"] if c["id"].startswith(("las", "licensing_"))} == {
        "las_capable": "pass", "licensing_technology": "pass", "las_contact": "pass"}


def test_las_contact_without_a_time_is_unknown():
    record = record_with("ls-nt", 52100, [], {"registered": True, "activated": True, "mode": "online"})
    assert check(evaluate_server(record, as_of=AS_OF), "las_contact")["status"] == "unknown"


def test_offline_activation_comes_from_evidence_events():
    record = record_with("ls-off", 53100, [], {"registered": True, "activated": True, "mode": "offline"})
    assert check(evaluate_server(record, as_of=AS_OF), "las_contact")["status"] == "unknown"
    las.apply_offline_events(record, [{"at": "2026-10-01T09:00:00Z"}, {"at": "2026-11-02T09:00:00Z"}])
    contact = check(evaluate_server(record, as_of=AS_OF), "las_contact")
    assert contact["status"] == "pass"
    assert "2026-11-02" in contact["message"] and "no interval" in contact["message"]
    assert contact["evidence"]["offline_activation"] == "2026-11-02T09:00:00Z"


def test_unreachable_server_is_not_judged_and_not_listed_as_las_unknown():
    results = [evaluate_server(unreachable_record("down"), as_of=AS_OF)]
    assert check(results[0], "licensing_technology")["status"] == "unknown"
    fleet = evaluate_fleet(results, catalog={"fetched_at": ago(1)}, as_of=AS_OF)
    assert "licensing_unknown" not in {f["id"] for f in fleet["other_findings"]}


# --------------------------------------------------------------------------- fleet and report


def five_servers() -> list[dict]:
    return [
        record_with("ls-files-only", 52100, ["FID_f.lic"], {"registered": False, "activated": False,
                                                            "mode": "online"}),
        record_with("ls-las", 53100, [], ONLINE),
        record_with("ls-mixed", 52100, ["FID_m.lic"], ONLINE),
        record_with("ls-old-build", 49000, ["FID_o.lic"], None),
        record_with("ls-cut-off", 52100, [], {**ONLINE, "last_contact": ago(4)}),
        record_with("ls-unknown", 52100, ["FID_u.lic"], None),
    ]


@pytest.fixture(name="report")
def report_fixture():
    results = [evaluate_server(r, as_of=AS_OF) for r in five_servers()]
    fleet = evaluate_fleet(results, catalog={"fetched_at": ago(1)}, as_of=AS_OF)
    return fleet, build_report(fleet, results, generated_at=AS_OF, title="LAS", catalog=None, as_of=AS_OF,
                               options={})


def test_fleet_counts_and_findings_name_each_situation(report):
    fleet, _model = report
    counts = fleet["counts"]
    assert {k: counts[f"licensing_{k}"] for k in las.TECHNOLOGIES} == {
        "files": 2, "las": 2, "both": 1, "none": 0, "unknown": 1}
    assert counts["las_incapable"] == 1 and counts["las_caching_mode"] == 1
    findings = {f["id"]: f["hosts"] for f in fleet["other_findings"]}
    assert findings["las_incapable"] == ["ls-old-build"]
    assert findings["file_licensing_only"] == ["ls-files-only", "ls-old-build"]
    assert findings["las_caching_mode"] == ["ls-cut-off"]
    assert findings["licensing_unknown"] == ["ls-unknown"]
    assert fleet["action_required"] is True


def test_report_model_licensing_view(report):
    _fleet, model = report
    view = model["licensing"]
    assert [(c["technology"], c["servers"]) for c in view["counts"]] == [
        ("files", 2), ("las", 2), ("both", 1), ("none", 0), ("unknown", 1)]
    assert view["tone"] == "fail"
    assert set(view["act_now"]) == {"ls-files-only", "ls-old-build", "ls-cut-off"}
    assert view["unknown"] == ["ls-unknown"]
    assert "Act now on 3" in view["headline"] and "ls-unknown" in view["headline"]
    rows = {s["host"]: licensing_row(s, model) for s in model["servers"]}  # derived, not stored (schema 2)
    assert "servers" not in view
    assert rows["ls-mixed"]["technology_label"] == "LAS and license files" and rows["ls-mixed"]["status"] == "pass"
    assert rows["ls-cut-off"]["fix"] and "Caching mode" in rows["ls-cut-off"]["situation"]
    assert rows["ls-old-build"]["capable_online"] is False and rows["ls-old-build"]["build"] == 49000


def test_every_format_shows_the_licensing_view(report):
    _fleet, model = report
    html = render(model, "html")
    assert "Licensing technology (License Activation Service)" in html and "LAS and license files" in html
    markdown = render(model, "markdown")
    assert "## Licensing technology (License Activation Service)" in markdown
    assert "| license files only | 2 |" in markdown
    rows = list(csv.DictReader(io.StringIO(render(model, "csv"))))
    by_host = {r["host"]: r for r in rows if r["kind"] == "server"}
    assert by_host["ls-mixed"]["licensing_technology"] == "both"
    assert by_host["ls-cut-off"]["check_las_contact"] == "fail"
    counts = {r["licensing_technology"]: r["summary"] for r in rows if r["kind"] == "licensing_count"}
    assert counts["files"].startswith("2 servers")
    assert json.loads(render(model, "json"))["licensing"]["counts"][0]["servers"] == 2
    junit = render(model, "junit")
    assert 'name="fleet :: licensing technology (LAS)"' in junit
    assert '<property name="licensing_unknown" value="1"' in junit
    assert "ls-cut-off :: las_contact" in junit


# --------------------------------------------------------------------------- the info record


def test_info_record_carries_licensing_from_the_build_and_the_user_input():
    from test_info_record import _raw  # the documented raw collection shape

    from ansible_collections.ctxlic.license_server.plugins.plugin_utils._server.info_record import build_record

    raw = _raw(registry={"Version": "11.17.2.0 build 52100", "LS_Install_Dir": "C:\\x"})
    without = build_record("ls01", raw)
    assert without["licensing"]["technology"] == "unknown"
    assert without["licensing"]["las"]["capable_online"] is True
    assert without["licensing"]["las"]["source"] is None
    given = build_record("ls01", raw, las_input=las.normalise_input({**ONLINE, "source": "Licensing Manager"}))
    assert given["licensing"]["technology"] == "las"
    assert given["licensing"]["las"]["source"] == "ctxlic_las (Licensing Manager)"
    old = build_record("ls01", _raw())  # build 45000
    assert old["licensing"]["technology"] == "none" and old["licensing"]["las"]["capable_online"] is False


def test_las_mode_is_shown_only_where_las_is_in_use(report):
    _fleet, model = report
    rows = {s["host"]: licensing_row(s, model) for s in model["servers"]}
    assert rows["ls-las"]["mode"] == "online"
    assert rows["ls-files-only"]["mode"] is None  # given as online, but LAS is not in use: no mode to show
