# Copyright: (c) 2026, ctxlic maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The generated documentation (scripts/build_docs.py): the repository gate and the rendering functions.

The gate fails whenever a module, role or playbook changed without the docs being regenerated; the fix is
always to run scripts/build_docs.py and commit its output. The module and role pages (docs/collection/) are
rendered by antsibull-docs; the playbook pages and docs/index.md by the script itself.
"""

from __future__ import annotations

import importlib.util
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from markdown_it import MarkdownIt

REPO = Path(__file__).resolve().parents[2]
SCRIPT = REPO / "scripts" / "build_docs.py"
COLLECTION = "ctxlic.license_server"


def _load_script():
    spec = importlib.util.spec_from_file_location("build_docs", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    sys.modules["build_docs"] = module
    spec.loader.exec_module(module)
    return module


bd = _load_script()
MD = MarkdownIt("commonmark").enable("table")


def table_cells(markdown: str) -> list[list[str]]:
    """Rendered table rows as lists of cell HTML, via a real Markdown parser (the proof that escaping works)."""
    tokens = MD.parse(markdown)
    rows, row, inside = [], None, False
    for token in tokens:
        if token.type == "tr_open":
            row = []
        elif token.type in ("td_open", "th_open"):
            inside = True
        elif token.type == "inline" and inside:
            row.append(MD.renderer.render(token.children, MD.options, {}))
        elif token.type in ("td_close", "th_close"):
            inside = False
        elif token.type == "tr_close":
            rows.append(row)
    return rows


# --------------------------------------------------------------------------------------------- the repository gate


def test_committed_docs_match_the_sources():
    result = subprocess.run(
        [sys.executable, str(SCRIPT), "--check"], capture_output=True, text=True, cwd=REPO, check=False, timeout=600
    )
    assert result.returncode == 0, (
        "The generated documentation is stale or the sources have documentation warnings: "
        "run scripts/build_docs.py (.venv/bin/python scripts/build_docs.py) and commit docs/.\n"
        f"{result.stdout}{result.stderr}"
    )


# --------------------------------------------------------------------------------------------- Markdown primitives


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a|b", "a\\|b"),
        ("upload_compliance*.zip", "upload_compliance\\*.zip"),
        ("option_name stays readable", "option_name stays readable"),
        ("_emphasis_", "\\_emphasis\\_"),
        ("<Proxy>host:port</Proxy>", "\\<Proxy\\>host:port\\</Proxy\\>"),
        ("[not a link](x)", "\\[not a link\\](x)"),
        ("C:\\Program Files", "C:\\\\Program Files"),
        ("&amp; stays text", "&amp;amp; stays text"),
        ("a & b", "a & b"),
        ("two\n  lines ", "two lines "),
        (" between code ", " between code "),
    ],
)
def test_escape_text(text, expected):
    assert bd.escape_text(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("- not a list", "\\- not a list"),
        ("1. not a list", "1\\. not a list"),
        ("# not a heading", "\\# not a heading"),
        ("-enable is a flag", "-enable is a flag"),
        ("plain", "plain"),
    ],
)
def test_guard_line_start(text, expected):
    assert bd.guard_line_start(text) == expected


@pytest.mark.parametrize(
    ("text", "table", "expected"),
    [
        ("a|b", False, "`a|b`"),
        ("a|b", True, "`a\\|b`"),
        ("a`b", False, "``a`b``"),
        ("`x", False, "`` `x ``"),
        ("", False, ""),
    ],
)
def test_code_span(text, table, expected):
    assert bd.code_span(text, table=table) == expected


def test_pipes_in_cells_do_not_split_the_table():
    rows = [[bd.code_span("a|b", table=True), bd.escape_text("x | y"), bd.format_value({"k": "v|w"})]]
    rendered = table_cells("\n".join(bd.table(["one", "two", "three"], rows)))
    assert rendered[1] == ["<code>a|b</code>", "x | y", '<code>{&quot;k&quot;: &quot;v|w&quot;}</code>']


def test_table_refuses_a_newline_in_a_cell():
    with pytest.raises(ValueError, match="newline"):
        bd.table(["a"], [["two\nlines"]])


def test_code_fence_is_longer_than_backticks_inside():
    assert bd.code_fence("x\n```\ny", "yaml") == ["````yaml", "x", "```", "y", "````"]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("~/.cache/x.json", "`~/.cache/x.json`"),
        ("", '`""`'),
        (None, "`null`"),
        (True, "`true`"),
        (30, "`30`"),
        (["json", "csv"], '`["json", "csv"]`'),
    ],
)
def test_format_value(value, expected):
    assert bd.format_value(value) == expected


# --------------------------------------------------------------------------------------------- Ansible markup


def module_page(plugin: str = "info") -> Any:
    return bd.Page(
        collection=COLLECTION,
        where=f"module {COLLECTION}.{plugin}",
        plugin=bd.dom.PluginIdentifier(fqcn=f"{COLLECTION}.{plugin}", type="module"),
    )


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("Use C(lmreread -c @localhost -all).", "Use `lmreread -c @localhost -all`."),
        ("Set O(fail_on=overdue) or V(never).", "Set `fail_on=overdue` or `never`."),
        ("Read RV(window.status).", "Read `window.status`."),
        ("See M(ctxlic.license_server.proxy).", "See [ctxlic.license_server.proxy](../collection/proxy_module.rst)."),
        (
            "Uses M(ansible.windows.win_copy).",
            "Uses [ansible.windows.win_copy]"
            "(https://docs.ansible.com/ansible/latest/collections/ansible/windows/win_copy_module.html).",
        ),
        ("I(note) and B(bold)", "*note* and **bold**"),
        ("L(the FAQ,https://example.com/a b)", "[the FAQ](https://example.com/a%20b)"),
        ("Env E(HTTPS_PROXY).", "Env `HTTPS_PROXY`."),
    ],
)
def test_markup(source, expected):
    page = module_page()
    assert bd.markup(source, page) == [expected]
    assert page.warnings == []


def test_markup_error_is_a_warning():
    page = module_page()
    bd.markup("Broken C(unclosed", page)
    assert len(page.warnings) == 1
    assert "module ctxlic.license_server.info: Ansible markup error" in page.warnings[0]


def test_markup_in_a_table_cell_escapes_pipes_inside_code():
    assert bd.cell(["C(a|b) or c|d", "second"], module_page()) == "`a\\|b` or c\\|d<br><br>second"


# --------------------------------------------------------------------------------------------- antsibull-docs output


def test_forge_links_point_docsite_links_at_the_sibling_rst_page():
    html = (
        '<a class="reference internal" href="../../ctxlic/license_server/license_file_module.html#parameter-force">'
        '<a href="../../ctxlic/license_server/dr_role.html">'
        '<a href="../../ansible/windows/win_copy_module.html#parameter-src">'
        '<a href="#parameter-state">'
    )
    assert bd.forge_links(html, COLLECTION) == (
        '<a class="reference internal" href="license_file_module.rst#parameter-force">'
        '<a href="dr_role.rst">'
        '<a href="../../ansible/windows/win_copy_module.html#parameter-src">'
        '<a href="#parameter-state">'
    )


# --------------------------------------------------------------------------------------------- playbook headers


PLAYBOOK = """---
# Copyright: (c) 2026, somebody
# Rolling upgrade of the servers
# that are behind.
#
# For each batch:
#   1. Gathers the state.
#   2. Judges the version, and
#      upgrades when needed.
# Then it reports.
#
#   ansible-playbook ctxlic.license_server.x \\
#     -e a=b
#
# Runbook:
# 1. Check the report.
# 2. Re-run for failed hosts.
- name: First play
  hosts: "{{ ctxlic_target_hosts | default('license_servers') }}"
  vars:
    own: "{{ from_inventory }}"
  tasks:
    - name: Gather
      ctxlic.license_server.info:
      register: gathered
    - name: Decide
      ansible.builtin.set_fact:
        decided: "{{ gathered.server.installed and (force | default(false) | bool) }}"
      when: threshold > 3
    - name: Show
      ansible.builtin.debug:
        msg: "{{ decided }} {{ own }} {{ inventory_hostname }} {{ ansible_host }} {{ item }}"
      loop: "{{ things | default([]) }}"
"""


def test_playbook_header_convention():
    header = bd.parse_playbook_header(PLAYBOOK)
    assert header.summary == "Rolling upgrade of the servers that are behind."
    assert header.body == [
        "Rolling upgrade of the servers\nthat are behind.",
        "For each batch:",
        "1. Gathers the state.\n2. Judges the version, and\n   upgrades when needed.",
        "Then it reports.",
        "```\nansible-playbook ctxlic.license_server.x \\\n  -e a=b\n```",
    ]
    assert header.sections == {"Runbook": ["1. Check the report.\n2. Re-run for failed hosts."]}


@pytest.mark.parametrize("text", ["---\n- name: Play\n  hosts: all\n", "---\n#\n# Copyright 2026\n- hosts: all\n"])
def test_playbook_without_header(text):
    assert bd.parse_playbook_header(text) is None


def test_playbook_variables_are_the_ones_read_from_outside(tmp_path):
    path = tmp_path / "x.yml"
    path.write_text(PLAYBOOK)
    page = bd.Page(collection=COLLECTION, where="playbook x.yml")
    use = bd.playbook_variables(yaml.safe_load(PLAYBOOK), path, page)
    assert page.warnings == []
    assert sorted(use.where) == ["ctxlic_target_hosts", "force", "from_inventory", "things", "threshold"]
    assert use.defaults == {"ctxlic_target_hosts": "license_servers", "force": False, "things": []}


def test_playbook_variables_follow_templates_and_ignore_their_own_sets(tmp_path):
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "t.j2").write_text(
        "{% for h in hosts_list %}{% if h %}{% set s = h.x %}{{ s }}{% endif %}{% endfor %}{{ title }}"
    )
    task = {"name": "T", "ansible.builtin.debug": {"msg": "{{ lookup('template', 't.j2') }}"}}
    plays = [{"name": "P", "hosts": "localhost", "tasks": [task]}]
    page = bd.Page(collection=COLLECTION, where="playbook y.yml")
    use = bd.playbook_variables(plays, tmp_path / "y.yml", page)
    assert use.where == {"hosts_list": {"template t.j2"}, "title": {"template t.j2"}}


def test_playbook_page_warns_without_header(tmp_path):
    path = tmp_path / "bare.yml"
    path.write_text("---\n- name: Play\n  hosts: all\n  tasks:\n    - name: Ping\n      ansible.builtin.ping:\n")
    text, warnings, summary = bd.render_playbook_page("bare", path, COLLECTION)
    assert summary == ""
    assert warnings == [
        "playbook playbooks/bare.yml: has no header comment (a comment block at the top that says what it does; "
        "see docs/writing_docs.md)"
    ]
    assert "1. Ping" in text


def test_playbook_page_lists_plays_tasks_runbook_and_variables(tmp_path):
    path = tmp_path / "x.yml"
    path.write_text(PLAYBOOK)
    text, warnings = bd.render_playbook_page("x", path, COLLECTION)[:2]
    assert warnings == []
    assert "## Runbook\n\n1. Check the report.\n2. Re-run for failed hosts.\n" in text
    assert "### 1. First play\n" in text
    assert "1. Gather\n1. Decide\n1. Show\n" in text
    rows = table_cells(text.split("## Variables", 1)[1])
    assert rows[1] == ["<code>ctxlic_target_hosts</code>", "<code>license_servers</code>", "play 1"]


# --------------------------------------------------------------------------------------------- roles


def make_role(root: Path, spec: dict | None, defaults: dict | None, readme: str | None = None) -> Path:
    role = root / "roles" / "demo"
    (role / "meta").mkdir(parents=True)
    if spec is not None:
        (role / "meta" / "argument_specs.yml").write_text(yaml.safe_dump({"argument_specs": spec}))
    if defaults is not None:
        (role / "defaults").mkdir()
        (role / "defaults" / "main.yml").write_text(yaml.safe_dump(defaults))
    if readme is not None:
        (role / "README.md").write_text(readme)
    return role


ROLE_SPEC = {
    "main": {
        "short_description": "Demo role for C(a|b)",
        "description": ["Uses M(ctxlic.license_server.info) and O(demo_mode)."],
        "options": {
            "demo_mode": {"description": "Mode.", "type": "str", "choices": ["a", "b"], "default": "a"},
            "demo_src": {"description": "Source.", "type": "path", "required": True},
        },
    }
}


def test_role_summary_is_its_main_short_description(tmp_path):
    role = make_role(tmp_path, ROLE_SPEC, {"demo_mode": "a"})
    assert bd.check_role("demo", role, COLLECTION) == ("Demo role for `a\\|b`", [])


@pytest.mark.parametrize(
    ("spec", "defaults", "expected"),
    [
        (None, None, "role ctxlic.license_server.demo: has no argument spec"),
        (ROLE_SPEC, {}, "option demo_mode documents default 'a' but defaults/main.yml does not set it"),
        (
            ROLE_SPEC,
            {"demo_mode": "b"},
            "option demo_mode: argument spec default 'a' differs from defaults/main.yml 'b'",
        ),
    ],
)
def test_role_warnings(tmp_path, spec, defaults, expected):
    role = make_role(tmp_path, spec, defaults)
    warnings = bd.check_role("demo", role, COLLECTION)[1]
    assert len(warnings) == 1
    assert expected in warnings[0]


# --------------------------------------------------------------------------------------------- whole build, check mode


def fake_repo(root: Path) -> Path:
    (root / "plugins" / "modules").mkdir(parents=True)
    (root / "plugins" / "modules" / "fake.py").write_text("# documented by the fake renderer\n")
    (root / "playbooks").mkdir()
    (root / "playbooks" / "x.yml").write_text(PLAYBOOK)
    (root / "docs").mkdir()
    (root / "docs" / "guide.md").write_text("# A guide\n")
    (root / "changelogs").mkdir()
    (root / "changelogs" / "changelog.yaml").write_text("ancestor: null\nreleases: {}\n")
    (root / "galaxy.yml").write_text("namespace: ctxlic\nname: license_server\nversion: 1.2.3\ndescription: Demo.\n")
    make_role(root, ROLE_SPEC, {"demo_mode": "a"}, readme="# demo\n")
    return root


FAKE_PAGES = {
    "index.rst": "Ctxlic.License_Server\n=====================\n",
    "fake_module.rst": "ctxlic.license_server.fake module\n",
    "demo_role.rst": "ctxlic.license_server.demo role\n",
}


def fake_renderer(collection: str, repo: Path) -> tuple[dict[str, str], list[str]]:
    assert collection == COLLECTION
    return dict(FAKE_PAGES), []


def fake_summaries(fqcns: list[str], repo: Path) -> tuple[dict[str, str], list[str]]:
    return {fqcn: "Do a thing C(a|b)" for fqcn in fqcns}, []


def build(repo: Path, renderer=fake_renderer):
    return bd.build_docs(repo, fake_summaries, renderer)


def test_build_write_then_check_then_detect_drift(tmp_path):
    repo = fake_repo(tmp_path)
    result = build(repo)
    assert result.warnings == []
    assert sorted(result.files) == [
        "docs/collection/demo_role.rst",
        "docs/collection/fake_module.rst",
        "docs/collection/index.rst",
        "docs/index.md",
        "docs/playbooks/x.md",
    ]
    assert bd.stale_files(result, repo) == [f"{name} (missing)" for name in sorted(result.files)]
    bd.write_files(result, repo)
    assert bd.stale_files(build(repo), repo) == []
    assert (repo / "docs" / "collection" / "fake_module.rst").read_text() == FAKE_PAGES["fake_module.rst"]

    index = (repo / "docs" / "index.md").read_text()
    assert "- [A guide](guide.md)" in index
    assert "| [ctxlic.license_server.fake](collection/fake_module.rst) | Do a thing `a\\|b` |" in index
    assert "[ctxlic.license_server.demo](collection/demo_role.rst)" in index
    assert "[README](../roles/demo/README.md)" in index
    assert "[the collection index](collection/index.rst)" in index
    assert "Rolling upgrade of the servers that are behind." in index

    (repo / "docs" / "collection" / "fake_module.rst").write_text("edited by hand\n")
    (repo / "docs" / "collection" / "gone_module.rst").write_text("old module\n")
    (repo / "docs" / "modules").mkdir()
    (repo / "docs" / "modules" / "fake.md").write_text("a page of the Markdown renderer\n")
    result = build(repo)
    assert bd.stale_files(result, repo) == [
        "docs/collection/fake_module.rst (differs)",
        "docs/collection/gone_module.rst (no longer generated: remove it)",
        "docs/modules/fake.md (no longer generated: remove it)",
    ]
    touched = bd.write_files(result, repo)
    assert touched == [
        "docs/collection/fake_module.rst",
        "docs/collection/gone_module.rst (removed)",
        "docs/modules/fake.md (removed)",
    ]
    assert not (repo / "docs" / "collection" / "gone_module.rst").exists()
    assert not (repo / "docs" / "modules").exists()
    assert (repo / "docs" / "guide.md").read_text() == "# A guide\n"
    assert bd.stale_files(build(repo), repo) == []


def test_build_warns_when_antsibull_docs_fails_or_misses_a_page(tmp_path):
    repo = fake_repo(tmp_path)

    def failing(collection, repo):
        return {}, ["antsibull-docs collection failed (rc 3): boom"]

    assert build(repo, failing).warnings == ["antsibull-docs collection failed (rc 3): boom"]

    def without_role(collection, repo):
        return {k: v for k, v in FAKE_PAGES.items() if k != "demo_role.rst"}, []

    assert build(repo, without_role).warnings == ["role ctxlic.license_server.demo: antsibull-docs rendered no page"]


def copy_collection(root: Path) -> Path:
    """The collection's sources and committed docs, outside the repository (a tree the real tools can document)."""
    copy = root / "collection"
    copy.mkdir()
    for name in ("galaxy.yml", "README.md"):
        shutil.copy(REPO / name, copy / name)
    for name in ("plugins", "roles", "playbooks", "docs", "meta", "changelogs"):
        shutil.copytree(REPO / name, copy / name, ignore=shutil.ignore_patterns("__pycache__"))
    return copy


@pytest.mark.slow
def test_check_fails_with_the_real_tools_when_a_module_changed(tmp_path):
    """The same --check as the gate, on a copy whose module documentation changed after the docs were built."""
    copy = copy_collection(tmp_path)
    module = copy / "plugins" / "modules" / "reread.py"
    source = module.read_text(encoding="utf-8")
    old = "short_description: Make a Citrix License Server reread its license and options files"
    assert old in source
    module.write_text(source.replace(old, f"{old} (changed)"), encoding="utf-8")
    (copy / "docs" / "roles").mkdir(exist_ok=True)
    (copy / "docs" / "roles" / "server.md").write_text("left over from the Markdown renderer\n")
    result = subprocess.run(
        [sys.executable, str(SCRIPT), "--check", "--repo", str(copy)],
        capture_output=True, text=True, check=False, timeout=900,
    )  # fmt: skip
    assert result.returncode == 1, result.stdout + result.stderr
    stale = [line.strip() for line in result.stderr.splitlines() if line.startswith("  ")]
    # Pages whose "See also" names the reread module repeat its short description, so they are stale as well.
    assert {
        "docs/collection/index.rst (differs)",
        "docs/collection/reread_module.rst (differs)",
        "docs/index.md (differs)",
        "docs/roles/server.md (no longer generated: remove it)",
    } <= set(stale), result.stderr
    for line in stale:
        if line != "docs/roles/server.md (no longer generated: remove it)":
            page = line.removesuffix(" (differs)")
            assert page != line and "reread" in (REPO / page).read_text(encoding="utf-8"), line
    assert "WARNING" not in result.stderr


def test_changelog_markdown_from_a_release(tmp_path):
    repo = fake_repo(tmp_path)
    shutil.copy(REPO / "changelogs" / "config.yaml", repo / "changelogs" / "config.yaml")
    (repo / "changelogs" / "fragments").mkdir()
    stale, warnings, note = bd.changelog(repo, check=True)
    assert (stale, warnings) == ([], [])
    assert "no release" in note
    release = {
        "ancestor": None,
        "releases": {
            "1.2.3": {
                "release_date": "2026-11-01",
                "changes": {"minor_changes": ["info - gathers `a|b` state."]},
            }
        },
    }
    (repo / "changelogs" / "changelog.yaml").write_text(yaml.safe_dump(release))
    assert bd.changelog(repo, check=True)[0] == ["CHANGELOG.md (missing)"]
    assert bd.changelog(repo, check=False)[2] == "CHANGELOG.md written."
    text = (repo / "CHANGELOG.md").read_text()
    assert text.startswith("# ctxlic\\.license\\_server Release Notes")
    assert "Minor Changes" in text
    assert bd.changelog(repo, check=True)[:2] == ([], [])
    assert not (repo / "changelogs" / ".plugin-cache.yaml").exists()
