# Copyright: (c) 2026, ctxlic maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Tests for report_render / report_writer: every format, hostile strings, JUnit read back with junitparser."""

from __future__ import annotations

import copy
import csv
import io
import json
import os
import re
import stat
import xml.etree.ElementTree as ET
from pathlib import Path

import lxml.html
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from junitparser import Failure, JUnitXml, Skipped
from markupsafe import escape
from report_factory import AS_OF, FAILED_UPLOAD, HOSTILE, HOSTILE_HOST, HOSTILE_OBSOLETE, ago, fleet_model, make_record

from ansible_collections.ctxlic.license_server.plugins.plugin_utils._compliance.fleet import evaluate_fleet
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._compliance.server_checks import evaluate_server
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._common.errors import CtxlicError, InputError
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._compliance.report_model import build_report
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._compliance import report_render
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._compliance.render import csv_report as r_csv
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._compliance.render import html_report as r_html
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._compliance.render import shared as r_shared
from report_factory import patch_render
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._compliance.report_render import (
    FORMATS,
    SharedModel,
    chart_layout,
    clean_text,
    csv_cell,
    md_escape,
    render,
    render_all,
)
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._compliance.report_model import chart_bars
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._store.report_writer import write_reports

CSV_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


@pytest.fixture(scope="module")
def model() -> dict:
    return fleet_model()


@pytest.fixture(scope="module")
def outputs(model) -> dict[str, str]:
    return {fmt: render(model, fmt) for fmt in FORMATS}


def small_model(host: str, message: str, *, obsolete: tuple = (), options: dict | None = None) -> dict:
    record = make_record(host, hostname=host, upload={**FAILED_UPLOAD, "message": message, "code": message})
    results = [evaluate_server(record, as_of=AS_OF, last_success={"time": ago(4)})]
    fleet = evaluate_fleet(results, obsolete_allocations=list(obsolete), as_of=AS_OF)
    return build_report(
        fleet, results, generated_at=AS_OF, title=f"Report {message}", catalog=None, as_of=AS_OF, options=options or {}
    )


def parse_junit(text: str) -> JUnitXml:
    """junitparser (lxml) wants bytes when the document carries an encoding declaration."""
    return JUnitXml.fromstring(text.encode("utf-8"))


def unescaped_pipes(line: str) -> int:
    """Pipes not escaped by an odd run of backslashes (Markdown table column separators)."""
    return sum(1 for m in re.finditer(r"(\\*)\|", line) if len(m.group(1)) % 2 == 0)


# --------------------------------------------------------------------------- generic


def test_every_format_renders_text(outputs):
    assert set(outputs) == set(FORMATS)
    assert all(isinstance(text, str) and len(text) > 500 for text in outputs.values())


@pytest.mark.parametrize(
    ("model_value", "fmt", "needle"),
    [({}, "json", "build_report"), (None, "html", "model"), ("ok", "pdf", "not supported")],
)
def test_render_rejects_bad_input(model, model_value, fmt, needle):
    with pytest.raises(InputError, match=needle):
        render(model if model_value == "ok" else model_value, fmt)


def test_json_is_the_model_with_sorted_keys(model, outputs):
    assert json.loads(outputs["json"]) == model
    # Sorted keys, except that the overall verdict leads the file (issue 15 item 4); compact by default.
    loaded = json.loads(outputs["json"])
    assert next(iter(loaded)) == "verdict"
    rest = {k: v for k, v in loaded.items() if k != "verdict"}
    verdict = json.dumps({"verdict": loaded["verdict"]}, sort_keys=True, separators=(",", ":"))
    others = json.dumps(rest, sort_keys=True, separators=(",", ":"))
    assert outputs["json"] == verdict[:-1] + "," + others[1:] + "\n"
    assert outputs["json"].isascii()  # every other character a \uXXXX escape


def test_json_escapes_every_non_ascii_character_losslessly():
    """Lone surrogates (UTF-8 cannot encode them), bidi/zero-width characters and plain non-ASCII text."""
    odd = "M\u00fcnchen \u2014 \u202egnp.lic \u200b \ud800 \U0001f600"
    text = render(small_model(host=odd, message=odd), "json")
    assert text.isascii() and "\\u202e" in text and "\\ud800" in text and "\\u00fc" in text
    assert odd in json.dumps(json.loads(text), ensure_ascii=False)


def test_json_indent_writes_the_same_content_indented(model, outputs):
    indented = render(model, "json", json_indent=2)
    assert json.loads(indented) == json.loads(outputs["json"]) == model
    loaded = json.loads(indented)
    assert next(iter(loaded)) == "verdict"
    rest = {k: v for k, v in loaded.items() if k != "verdict"}
    verdict = json.dumps({"verdict": loaded["verdict"]}, sort_keys=True, indent=2)
    others = json.dumps(rest, sort_keys=True, indent=2)
    assert indented == verdict[:-2] + ",\n" + others[2:] + "\n"
    assert render(model, "json", json_indent=0) == outputs["json"]
    assert render_all(model, ["json"], json_indent=2)["json"] == indented


@pytest.mark.parametrize("indent", [-1, 9, "2", True, 1.5])
def test_json_indent_rejects_what_is_not_a_small_whole_number(model, indent):
    with pytest.raises(InputError, match="json_indent"):
        render(model, "json", json_indent=indent)


def test_json_escapes_lone_surrogates_losslessly(tmp_path):
    hostile = small_model("ls01", "broken \ud800 text \udfff")
    text = render(hostile, "json")
    assert "\\ud800" in text and "\\udfff" in text
    assert json.loads(text) == hostile
    paths = list(write_reports(hostile, tmp_path, ["json"]).values())
    assert len(paths) == 1
    assert json.loads(Path(paths[0]).read_text(encoding="utf-8")) == hostile


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("a\x00b\x07c\x1b[31m\x7f\x85\ud800\ufffe", "abc[31m"),
        ("tab\tnew\nline\r", "tab\tnew\nline\r"),
        (None, ""),
        (5, "5"),
    ],
)
def test_clean_text(value, expected):
    assert clean_text(value) == expected


# --------------------------------------------------------------------------- CSV


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=cmd|' /C calc'!A0", "'=cmd|' /C calc'!A0"),
        ("+1+1", "'+1+1"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("ls01", "ls01"),
        ("a=b", "a=b"),
        (-5, -5),
        (True, "true"),
        (None, ""),
        ("bell\x07", "bell"),
    ],
)
def test_csv_cell(value, expected):
    assert csv_cell(value) == expected


def test_csv_rows_and_injection(model, outputs):
    rows = list(csv.DictReader(io.StringIO(outputs["csv"], newline="")))
    servers = [r for r in rows if r["kind"] == "server"]
    obsolete = [r for r in rows if r["kind"] == "obsolete_allocation"]
    assert [r["host"] for r in servers] == [csv_cell(s["host"]) for s in model["servers"]]
    assert len(obsolete) == len(model["obsolete_allocations"])
    hostile = next(r for r in servers if "calc" in r["host"])
    assert hostile["host"] == "'" + clean_text(HOSTILE_HOST)
    assert hostile["last_attempt_message"] == "'" + clean_text(HOSTILE)
    assert hostile["check_telemetry_upload"] == "warn"
    assert next(r for r in obsolete if "img" in r["host"])["host"] == "'" + clean_text(HOSTILE_OBSOLETE)
    for row in rows:
        for value in row.values():
            assert not value.startswith(CSV_TRIGGERS), value
    assert "\x07" not in outputs["csv"]


# --------------------------------------------------------------------------- Markdown


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("a|b", "a\\|b"),
        ("`x`", "\\`x\\`"),
        ("<script>", "&lt;script&gt;"),
        ("&amp;", "&amp;amp;"),
        ("one\ntwo\r\nthree\u2028four", "one<br>two<br>three<br>four"),
        ("C:\\dir|x", "C:\\\\dir\\|x"),
        ("*b* _i_ [l]", "\\*b\\* \\_i\\_ \\[l\\]"),
        ("bell\x07", "bell"),
        (None, ""),
        (True, "yes"),
    ],
)
def test_md_escape(value, expected):
    assert md_escape(value) == expected


def test_markdown_tables_are_intact(model, outputs):
    text = outputs["markdown"]
    section = text.split("## Servers", 1)[1].split("## Checks matrix", 1)[0]
    rows = [line for line in section.split("\n") if line.startswith("|")]
    assert len(rows) == 2 + len(model["servers"])  # header, rule, one line per server
    assert {unescaped_pipes(line) for line in rows} == {12}
    matrix = text.split("## Checks matrix", 1)[1].split("## Details", 1)[0]
    matrix_rows = [line for line in matrix.split("\n") if line.startswith("|")]
    assert len(matrix_rows) == 2 + len(model["servers"])
    assert {unescaped_pipes(line) for line in matrix_rows} == {len(model["meta"]["check_ids"]) + 2}


def test_markdown_escapes_hostile_strings(outputs):
    text = outputs["markdown"]
    assert "<script>" not in text and "<img" not in text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text
    assert "&amp;amp;" in text
    assert "\\`tick\\`" in text
    assert "\x07" not in text
    assert "second line" in text


def test_markdown_and_html_show_a_stale_catalog():
    stale = fleet_model(catalog={"fetched_at": "2025-01-01T00:00:00Z"})
    assert "Release catalog is stale or missing" in render(stale, "markdown")
    assert "Release catalog is stale or missing" in render(stale, "html")


def test_fresh_catalog_has_no_banner(outputs):
    assert "Release catalog is stale or missing" not in outputs["html"]
    assert "Release catalog is stale or missing" not in outputs["markdown"]


# --------------------------------------------------------------------------- HTML


def text_of(html: str) -> str:
    return " ".join(lxml.html.fromstring(html).text_content().split())


def test_html_escapes_hostile_strings(outputs):
    html = outputs["html"]
    assert "<script" not in html.lower()
    assert "<img" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "\x07" not in html
    doc = lxml.html.fromstring(html)
    assert doc.xpath("//script") == [] and doc.xpath("//img") == []
    assert " ".join(clean_text(HOSTILE_HOST).split()) in text_of(html)


@settings(max_examples=300, deadline=None)
@given(value=st.text(st.characters(codec="utf-8")) | st.sampled_from([HOSTILE, "<a href='x'>&amp;\"</a>", "\ud800<"])
       | st.integers() | st.floats() | st.booleans() | st.none() | st.lists(st.text(max_size=3), max_size=2))
def test_html_sections_escape_as_the_template_does(value):
    """A value the Python-written sections write is cleaned and escaped exactly as autoescape + finalize do."""
    expected = str(escape(report_render.clean_output(value)))
    assert r_html._html(value) == expected
    assert r_html._html_shared(value) == expected


def test_html_host_named_like_a_section_marker_is_text():
    html = render(small_model("\x00details\x00", "\x00todo\x00"), "html")
    doc = lxml.html.fromstring(html)
    assert len(doc.xpath("//h3[starts-with(@id, 'server-')]")) == 1 and "\x00" not in html
    assert doc.xpath("//h2[text()='Servers']/following-sibling::table[1]/tbody/tr/td/a")[0].text == "details"


def test_html_is_self_contained_and_printable(outputs):
    html = outputs["html"]
    doc = lxml.html.fromstring(html)
    assert doc.xpath("//link") == [] and doc.xpath("//iframe") == [] and doc.xpath("//object") == []
    external = [v for v in doc.xpath("//@src | //@href") if not v.startswith("#")]
    assert external == []
    assert "@media print" in html
    assert doc.xpath("//style")


def test_html_lists_every_server_with_status_text(model, outputs):
    text = text_of(outputs["html"])
    for server in model["servers"]:
        assert " ".join(clean_text(server["host"]).split()) in text
    for label in (
        "Non-compliant",
        "Compliant",
        "Unknown",
        "PASS",
        "WARN",
        "FAIL",
        "UNKNOWN",
        "Partially Compliant",
        "NOT REPORTING",
    ):
        assert label in text
    doc = lxml.html.fromstring(outputs["html"])
    server_rows = doc.xpath("//h2[text()='Servers']/following-sibling::table[1]/tbody/tr")
    assert len(server_rows) == len(model["servers"])


def test_html_chart(model, outputs):
    doc = lxml.html.fromstring(outputs["html"])
    (svg,) = doc.xpath("//svg")
    assert svg.get("role") == "img"
    assert len(svg.xpath(".//rect")) == len(model["servers"])
    assert "90-day limit" in svg.text_content()
    colours = {rect.get("fill") if rect.get("fill") != "none" else rect.get("stroke") for rect in svg.xpath(".//rect")}
    assert {"#1a7f37", "#9a6700", "#cf222e", "#57606a"} >= colours and len(colours) == 4
    # Never uploaded (ls-never): a dashed outline labelled "never", not a zero-length bar (issue 15 item 5).
    never = svg.xpath(".//rect[@class='never']")
    assert len(never) == sum(1 for b in chart_bars(model["servers"], model) if b["days"] is None) >= 1
    assert all(r.get("fill") == "none" and r.get("stroke-dasharray") and float(r.get("width")) > 100 for r in never)
    assert "never uploaded" in svg.text_content()


def test_chart_layout_geometry():
    layout = chart_layout(
        {
            "threshold_days": 90,
            "bars": [
                {"host": "a", "days": 10, "status": "pass"},
                {"host": "b", "days": 1000, "status": "fail"},
                {"host": "c", "days": None, "status": "unknown"},
                {"host": "x" * 80, "days": 0, "status": "bogus"},
            ],
        }
    )
    assert layout["scale"] == 360  # 4 x threshold cap, rounded to 30-day steps
    left, right = layout["label_width"], layout["label_width"] + layout["plot_width"]
    assert left < layout["threshold_x"] < right
    a, b, c, x = layout["bars"]
    assert 0 < a["width"] < b["width"] == layout["plot_width"]
    assert "clipped" in b["value"]
    # Never uploaded: drawn apart from a 0-day bar and labelled "never" (issue 15 item 5).
    assert c["never"] is True and c["value"].startswith("never") and c["width"] == layout["plot_width"]
    assert x["never"] is False and x["value"].startswith("0 d") and x["width"] == 2.0
    assert x["status"] == "unknown" and len(x["label"]) == 34 and x["label"].endswith("\u2026")
    assert layout["ticks"][0]["label"] == "0" and layout["ticks"][-1]["label"] == "360"


def test_empty_chart():
    layout = chart_layout({"threshold_days": 90, "bars": []})
    assert layout["bars"] == [] and layout["scale"] == 135 // 30 * 30 + 30


# --------------------------------------------------------------------------- JUnit


def test_junit_read_back_with_junitparser(model, outputs):
    xml = parse_junit(outputs["junit"])
    suites = list(xml)
    assert len(suites) == 1 + len(model["servers"])
    fleet_suite, server_suites = suites[0], suites[1:]
    assert fleet_suite.name == "fleet"
    assert {p.name: p.value for p in fleet_suite.properties()}["fleet_status"] == "Partially Compliant"
    fleet_cases = list(fleet_suite)
    assert fleet_cases[0].name == "fleet :: overall verdict"
    assert isinstance(fleet_cases[0].result[0], Failure)
    assert fleet_cases[0].result[0].message.startswith("Action required: ")
    assert fleet_cases[1].name == "fleet :: telemetry status (Citrix License Telemetry FAQ)"
    assert isinstance(fleet_cases[1].result[0], Failure)
    assert sum(1 for c in fleet_cases if "obsolete allocation" in c.name) == len(model["obsolete_allocations"])
    total_failures = fleet_suite.failures
    for suite, server in zip(server_suites, model["servers"], strict=True):
        host = clean_text(server["host"])
        statuses = [c["status"] for c in server["checks"]]
        assert suite.name == host
        assert suite.tests == len(server["checks"]) == len(list(suite))
        assert suite.failures == statuses.count("fail")
        assert suite.skipped == statuses.count("unknown")
        props = {p.name: p.value for p in suite.properties()}
        assert "fleet_status" not in props  # fleet properties once, in the fleet suite (issue 15 item 12)
        assert props[f"{host} :: server_status"] == server["status"]
        for case, chk in zip(suite, server["checks"], strict=True):
            assert case.name == f"{host} :: {chk['id']}"
            kinds = [type(r) for r in case.result]
            assert kinds == {"fail": [Failure], "unknown": [Skipped]}.get(chk["status"], [])
        total_failures += suite.failures
    root = ET.fromstring(outputs["junit"].split("\n", 1)[1])
    assert int(root.get("failures")) == total_failures
    assert int(root.get("tests")) == sum(s.tests for s in suites)


def test_junit_hostile_strings_survive(outputs):
    xml = outputs["junit"]
    assert "\x07" not in xml
    assert "<script>" not in xml
    suites = {s.name: s for s in parse_junit(xml)}
    assert clean_text(HOSTILE_HOST) in suites
    case = next(c for c in suites[clean_text(HOSTILE_HOST)] if c.name.endswith(":: telemetry_upload"))
    assert clean_text(HOSTILE) in case.system_out


def xml_text(text: str) -> str:
    """What an XML parser reads back from character data holding ``text``: CR and CRLF are line breaks."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


def assert_junit_reads_back(model: dict, junit: str) -> None:
    """Every name, property, message and detail the JUnit report carries parses back (xml.etree) as cleaned text."""
    root = ET.fromstring(junit.encode("utf-8"))
    assert root.get("name") == clean_text(model["meta"]["title"])
    fleet_suite, *server_suites = root.findall("testsuite")
    fleet_names = [case.get("name") for case in fleet_suite.findall("testcase")]
    for obsolete in model["obsolete_allocations"]:
        assert clean_text(f"fleet :: obsolete allocation :: {obsolete['host']}") in fleet_names
    for suite, server in zip(server_suites, model["servers"], strict=True):
        host = clean_text(server["host"])
        assert suite.get("name") == host
        props = {p.get("name"): p.get("value") for p in suite.iter("property")}
        assert props == {f"{host} :: hostname": clean_text(server["hostname"] or ""),
                         f"{host} :: server_status": clean_text(server["status"]),
                         f"{host} :: reporting": str(server["reporting"]).lower()}
        for case, check in zip(suite.findall("testcase"), server["checks"], strict=True):
            assert case.get("name") == clean_text(f"{server['host']} :: {check['id']}")
            assert case.get("classname").startswith("ctxlic.license_server.")
            message = clean_text(model["messages"][check["message"]])
            assert len(message) < 1000  # not cut
            outcome = case.find("failure") if case.find("failure") is not None else case.find("skipped")
            if outcome is not None:
                assert outcome.get("message") == message  # attributes keep CR, LF and tab exactly
            if case.find("failure") is not None:
                assert case.find("failure").text.startswith(xml_text(message) + "\nRule: ")
            elif case.find("system-out") is not None:
                label = clean_text(check["status"]).upper()
                assert case.find("system-out").text.startswith(xml_text(f"{label}: {message}") + "\nRule: ")


HOSTILE_XML = "a&b <c> \"q\" 'a' &amp; ]]> <!-- --> \r\nnext\rline\ttab \x07\x1b\x00\x7f\x9f \u202e\u2066\u200b end"


@pytest.mark.parametrize("warn_fails", [False, True])
def test_junit_hostile_values_read_back_as_cleaned_text(warn_fails):
    model = small_model("ls" + HOSTILE_XML, "msg " + HOSTILE_XML, obsolete=("old" + HOSTILE_XML,),
                        options={"junit_warn_as_failure": warn_fails})
    junit = render(model, "junit")
    assert_junit_reads_back(model, junit)
    root = ET.fromstring(junit.encode("utf-8"))
    upload = next(c for c in root.iter("testcase") if c.get("name").endswith(":: telemetry_upload"))
    hostile = clean_text(HOSTILE_XML)
    assert "\x07" not in hostile and "<U+202E>" in hostile and "\r\n" in hostile  # cleaned, line breaks kept
    if warn_fails:
        assert hostile in upload.find("failure").get("message")
    else:
        assert xml_text(hostile) in upload.find("system-out").text


def test_junit_warn_as_failure_option():
    xml = render(fleet_model(options={"junit_warn_as_failure": True}), "junit")
    suites = {s.name: s for s in parse_junit(xml)}
    firewalled = suites["ls-firewalled"]
    assert firewalled.failures == 1  # telemetry warn -> failure


def test_junit_compliant_fleet_passes():
    record = make_record("ls01")
    results = [evaluate_server(record, as_of=AS_OF)]
    fleet = evaluate_fleet(results, catalog={"fetched_at": ago(1)}, as_of=AS_OF)
    model = build_report(fleet, results, generated_at=AS_OF, title="ok", catalog=None, as_of=AS_OF, options={})
    xml = parse_junit(render(model, "junit"))
    suites = list(xml)
    assert [c.is_passed for c in suites[0]] == [True, True, True]  # verdict, FAQ status, licensing technology
    assert suites[1].failures == 0 and suites[1].skipped == 1  # surplus skipped without purchase data


# --------------------------------------------------------------------------- hostile property test


_hostile_text = st.text(st.characters(codec="utf-8"), min_size=1, max_size=40) | st.sampled_from(
    [HOSTILE, "<script>alert(1)</script>", "=1+1", "|a|b|", "]]>", "\ud800x", "&#0;", "\x00", "-"]
)


@settings(max_examples=200, deadline=None)
@given(host=_hostile_text, message=_hostile_text)
def test_any_host_and_message_renders_safely(host, message):
    model = small_model(host, message, obsolete=(message + "-old",))
    outputs = {fmt: render(model, fmt) for fmt in FORMATS}
    assert json.loads(outputs["json"])["servers"][0]["host"] == host
    root = ET.fromstring(outputs["junit"].split("\n", 1)[1])
    assert root.find("testsuite[2]").get("name") == clean_text(host)
    assert_junit_reads_back(model, outputs["junit"])
    for row in csv.reader(io.StringIO(outputs["csv"], newline="")):
        assert not any(cell.startswith(CSV_TRIGGERS) for cell in row)
    assert lxml.html.fromstring(outputs["html"]).xpath("//script | //img | //iframe") == []
    section = outputs["markdown"].split("## Servers", 1)[1].split("## Checks matrix", 1)[0]
    rows = [line for line in section.split("\n") if line.startswith("|")]
    assert len(rows) == 3 and {unescaped_pipes(line) for line in rows} == {12}


# --------------------------------------------------------------------------- one shared read-only model


def test_rendering_every_format_leaves_the_model_unchanged():
    model = fleet_model()
    before = copy.deepcopy(model)
    shared = SharedModel(model)
    for fmt in FORMATS:
        render(shared, fmt)
    render_all(model, FORMATS)
    assert model == before


def test_text_is_cleaned_as_written_without_copying_the_model():
    model = small_model("ls\x0001", "bad\x1bmessage")
    before = copy.deepcopy(model)
    shared = SharedModel(model)
    assert shared.source is model
    texts = render_all(shared, FORMATS)
    assert model == before  # nothing was cleaned in place
    for fmt in ("csv", "markdown", "html", "junit"):
        assert "\x1b" not in texts[fmt] and "\x00" not in texts[fmt], fmt
        assert "badmessage" in texts[fmt], fmt
    assert "bad\\u001bmessage" in texts["json"]  # JSON keeps it, escaped


def test_render_all_derives_the_views_once(model, monkeypatch):
    calls = []
    real = r_shared.server_facts
    patch_render(monkeypatch, "server_facts", lambda m, s: calls.append(s) or real(m, s))
    texts = render_all(model, FORMATS)
    assert len(calls) == len(model["servers"])  # once per server, shared by CSV, Markdown and HTML
    assert texts == {fmt: render(model, fmt) for fmt in FORMATS}


def test_json_alone_derives_nothing(model, monkeypatch):
    patch_render(monkeypatch, "server_facts", lambda m, s: pytest.fail("JSON writes the model as it is"))
    assert json.loads(render_all(model, ["json"])["json"]) == json.loads(render(model, "json"))


def test_render_all_rejects_an_unknown_format_before_rendering(model):
    with pytest.raises(InputError, match="'pdf' is not supported"):
        render_all(model, ["html", "pdf"])


# --------------------------------------------------------------------------- writer


def test_write_reports(tmp_path, model):
    out = tmp_path / "reports" / "nested"
    paths = write_reports(model, out, list(FORMATS))
    assert set(paths) == set(FORMATS)
    for fmt, path in paths.items():
        with open(path, encoding="utf-8", newline="") as handle:
            assert handle.read() == render(model, fmt)
        assert stat.S_IMODE(os.stat(path).st_mode) == 0o644
    assert sorted(p.name for p in out.iterdir()) == sorted(
        f"compliance_report.{ext}" for ext in ("json", "csv", "md", "html", "xml")
    )


def test_write_reports_overwrites_and_leaves_no_temp_files(tmp_path, model):
    target = tmp_path / "compliance_report.html"
    target.write_text("old")
    write_reports(model, tmp_path, ["html"])
    assert target.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert [p.name for p in tmp_path.iterdir()] == ["compliance_report.html"]


@pytest.mark.parametrize(
    ("formats", "kwargs", "needle"),
    [
        ([], {}, "choose one or more"),
        (["pdf"], {}, "pdf"),
        (5, {}, "formats must be"),
        (["html"], {"basename": "../x"}, "basename"),
    ],
)
def test_write_reports_bad_arguments(tmp_path, model, formats, kwargs, needle):
    with pytest.raises(InputError, match=needle):
        write_reports(model, tmp_path / "out", formats, **kwargs)
    assert not (tmp_path / "out").exists()


def test_render_error_writes_nothing(tmp_path):
    with pytest.raises(InputError):
        write_reports({"meta": {}}, tmp_path / "out", ["json"])
    assert not (tmp_path / "out").exists()


def test_unwritable_directory_is_a_ctxlic_error(tmp_path, model):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(CtxlicError, match="report directory"):
        write_reports(model, blocker / "sub", ["json"])


def test_json_report_follows_the_documented_schema(model, outputs):
    """docs/report_schema.json describes the JSON report (schema version 2) that consumers read."""
    jsonschema = pytest.importorskip("jsonschema")
    schema_path = Path(__file__).resolve().parents[4] / "docs" / "report_schema.json"
    schema = json.loads(schema_path.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    loaded = json.loads(outputs["json"])
    jsonschema.validate(loaded, schema)
    assert schema["properties"]["schema_version"]["const"] == loaded["schema_version"]
    # Every reference resolves: indexes into the shared lists, keys of the shared tables.
    for server in loaded["servers"]:
        for check in server["checks"]:
            assert 0 <= check["message"] < len(loaded["messages"]) and 0 <= check["evidence"] < len(loaded["evidence"])
            assert check["id"] in loaded["checks"]
            assert check.get("remediation") is None or check["remediation"] in loaded["remediations"]
        assert all(0 <= t["action"] < len(loaded["actions"]) for t in server["todo"])


def test_rendering_pauses_the_garbage_collector_and_restores_it(model, monkeypatch):
    """The collector would walk the whole model again and again while a large report is written (issue 18)."""
    import gc

    seen = []
    real = r_csv._iter_csv

    def spy(shared):
        seen.append(gc.isenabled())
        return real(shared)

    monkeypatch.setitem(report_render._RENDERERS, "csv", spy)
    assert gc.isenabled()
    render(model, "csv")
    assert seen == [False] and gc.isenabled()
    monkeypatch.setitem(report_render._RENDERERS, "csv", lambda shared: 1 / 0)
    with pytest.raises(ZeroDivisionError):
        render(model, "csv")
    assert gc.isenabled()
