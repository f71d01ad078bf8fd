# Copyright: (c) 2026, ctxlic maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""r_md.MdRows (issue 18 item 3): the Markdown per-server sections written in Python.

MdRows must write exactly what the template's loops wrote (kept here as the reference, rendered by the
report's own Jinja2 environment), hostile and oddly typed values included, and escape a shared text once.
"""

from __future__ import annotations

import copy

import pytest
from report_factory import HOSTILE, fleet_model

from ansible_collections.ctxlic.license_server.plugins.plugin_utils._compliance import report_render
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._compliance.render import common as r_common
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._compliance.render import junit_report as r_junit
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._compliance.render import markdown_report as r_md
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._compliance.render import templates as r_templates
from report_factory import patch_render
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._compliance.report_render import (
    SharedModel,
    render,
)
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._compliance.render.markdown_report import MdRows

#: The per-server loops of report.md.j2 before MdRows wrote them (the week's rows, to-do lists, licensing
#: rows, servers table, checks matrix, details per server), each section ended by a marker line. Long
#: lines are broken inside Jinja comments, which write nothing.
REFERENCE = """\
{% for t in week_items['items'] %}
| {{ symbols[t.severity] if t.severity in symbols else '' }} {{ t.when | md }}{#
#} | {{ (t.host or 'fleet') | md }} | {{ t.action | md }} |
{% endfor %}
@@
{% for s in m.servers %}

### {{ s.host | md_inline }} — {{ s.status_label | md_inline }}

{% if s.todo %}
{% for t in s.todo %}
{{ t.order }}. **{{ t.when | md_inline }}:** {{ actions[t.action] | md_inline }}
{% endfor %}
{% else %}
Nothing to do: every check passes.
{% endif %}
{% endfor %}
@@
{% for v in views %}
{% set l = v.l %}
| {{ l.host | md }} | {{ l.technology_label | md }}{#
#} | {{ (l.build if l.build is not none else 'unknown') | md }}{#
#} ({{ {True: 'yes', False: 'no'}.get(l.capable_online, '?') }}{#
#} / {{ {True: 'yes', False: 'no'}.get(l.capable_offline, '?') }}) | {{ (l.mode or '') | md }}{#
#} | {{ (l.last_contact or '') | md }} | {{ (l.offline_activation or '') | md }}{#
#} | {{ (l.state_source or 'not given') | md }}{#
#} | {{ symbols[l.status] if l.status in symbols else '?' }} {{ l.status_label | md }}{#
#} | {{ l.situation | md }} |
{% endfor %}
@@
{% for v in views %}
{% set s = v.s %}
{% set f = v.f %}
| {{ s.host | md }} | {{ symbols[s.tone] }} {{ s.status_label | md }}{#
#} | {{ 'yes' if s.reporting else 'no' }} | {{ (f.version or 'unknown') | md }}{#
#} | {{ (f.window_status or 'unknown') | md }}{#
#}{% if f.upgrade_deadline %} (deadline {{ f.upgrade_deadline | md }}{#
#}){% endif %} | {{ (f.reporting_mode or 'unknown') | md }}{#
#} | {{ (f.last_attempt_status or 'unknown') | md }}{#
#}{% if f.last_attempt_time %} {{ f.last_attempt_time | md }}{#
#}{% endif %} | {{ (f.last_success_time or 'none on record') | md }}{#
#} | {{ f.days_since_success | md }} | {{ f.pending_count | md }} | {{ f.expired_lines }}{#
#} / {{ f.inactive_lines }} |
{% endfor %}
@@
{% for v in views %}
| {{ v.s.host | md }} |{% for cell in v.cells %} {{ symbols[cell] if cell in symbols else '?' }}{#
#} {{ labels[cell] if cell in labels else 'UNKNOWN' }} |{% endfor %}

{% endfor %}
@@
{% for s in m.servers %}

### {{ s.host | md_inline }} — {{ s.status_label | md_inline }}

| Check | Result | Finding and what to do |
|---|---|---|
{% for c in s.checks %}
| {{ titles[c.id] | md }} | {{ symbols[c.status] if c.status in symbols else '?' }}{#
#} {{ (labels[c.status] if c.status in labels else c.status) | md }} | {{ messages[c.message] | md }} |
{% endfor %}
{% endfor %}
@@
"""

NASTY = "a\u202eb\u200bc\x00\x1f\x7f\x85\ud800 \\ ` * _ [ ] | # ~ & < > \r\n x\ry\u2028z\u2029"


def hostile_model() -> dict:
    """The test fleet with hostile text in every shared table and per-server value, and oddly typed facts."""
    model = copy.deepcopy(fleet_model())
    model["messages"] = [f"{text}{NASTY}" if isinstance(text, str) else text for text in model["messages"]]
    model["actions"] = [f"{text}{HOSTILE}" if isinstance(text, str) else text for text in model["actions"]]
    for entry in model["checks"].values():
        entry["title"] = f"{entry.get('title')}{NASTY}"
    odd_facts = [
        {"version": NASTY, "window_status": NASTY, "upgrade_deadline": NASTY, "reporting_mode": 0,
         "last_attempt_status": NASTY, "last_attempt_time": NASTY, "last_success_time": None,
         "days_since_success": True, "pending_count": 3.5, "expired_lines": NASTY, "inactive_lines": None},
        {"upgrade_deadline": "", "last_attempt_time": 0, "days_since_success": False, "pending_count": None,
         "expired_lines": 0, "inactive_lines": "x\x07"},
    ]
    for number, server in enumerate(model["servers"]):
        server["status_label"] = f"{server['status_label']}{NASTY}"
        server["facts"] = odd_facts[number % 2]
        for check in server["checks"][::3]:
            check["status"] = f"odd{NASTY}"
        for item in server.get("todo") or ():
            item["when"] = f"{item['when']}{HOSTILE}"
    return model


def sections(text: str) -> list[str]:
    return text.split("@@\n")[:-1]


@pytest.mark.parametrize("make", [fleet_model, hostile_model], ids=["fleet", "hostile"])
def test_md_rows_write_what_the_template_loops_wrote(make):
    shared = SharedModel(make())
    context = r_templates._context(shared)
    expected = sections(r_templates._environment(False).from_string(REFERENCE).render(**context))
    rows = MdRows(context["titles"], context["messages"], context["actions"])
    model = shared.source
    written = [rows.week(context["week_items"]["items"]), rows.todo(model["servers"]), rows.licensing(shared.views),
               rows.servers(shared.views), rows.matrix(shared.views), rows.details(model["servers"])]
    assert ["".join(str(piece) for piece in pieces) for pieces in written] == expected
    assert all(section for section in expected[1:])  # every per-server section had rows to compare


def test_a_shared_text_is_escaped_once_per_report(monkeypatch):
    """A message on many servers is escaped once (not once per server that shows it)."""
    model = fleet_model()
    calls: list = []

    def counting(value):
        calls.append(value)
        return report_render.md_escape(value)

    patch_render(monkeypatch, "_md", counting)
    text = render(model, "markdown")
    for index, message in enumerate(model["messages"]):
        shown = sum(1 for server in model["servers"] for check in server["checks"] if check["message"] == index)
        if shown > 1:
            assert calls.count(message) == 1, message
            assert text.count(report_render.md_escape(message)) >= shown


def test_a_text_the_fast_check_passes_is_its_own_escape():
    """Every character md_escape (or the JUnit attribute escaping) changes is one the fast check looks for."""
    for code in range(0x10000):
        char = chr(code)
        if r_md._MD_WORK.search(char) is None:
            assert report_render.md_escape(char) == char == report_render.md_escape(char, newline=" "), hex(code)
        if r_junit._XML_ATTR_WORK.search(char) is None:
            assert r_junit._xml_attr(report_render.clean_text(char)) == char, hex(code)
    assert r_md._md_cell("a\r\nb") == "a<br>b" and r_md._md_line("a|b") == "a\\|b"


def test_a_host_is_escaped_once_per_report(monkeypatch):
    """A server's host is in five sections (two headings, three tables) and escaped once per form."""
    model = fleet_model()
    calls: list = []

    def counting(text):
        calls.append(text)
        return r_common._md_text(text, "<br>")

    patch_render(monkeypatch, "_md_cell", counting)
    render(model, "markdown")
    for server in model["servers"]:
        assert calls.count(server["host"]) == 1, server["host"]


def test_report_texts_keep_equal_values_of_other_types_apart():
    texts = r_md._Texts(r_md._md_cell, report_render.md_escape)
    written = [texts["1"], texts[1], texts[True], texts[1.0], texts["a|b"], texts[None]]
    assert written == ["1", "1", "yes", "1.0", "a\\|b", ""]
    assert set(texts) == {"1", "a|b"}
