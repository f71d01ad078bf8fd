# Copyright: (c) 2026, ctxlic maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Issue 15 item 11: user-facing refusal texts say only what applies.

A license-file refusal that has nothing to do with binding (removing the last file for a feature)
carried "(for a binding error: allocate and download the file for this License Server)".
"""

from __future__ import annotations

from test_license_plan import lp, plan_write, remove


def test_unrelated_refusal_has_no_binding_tail():
    plan = remove(others={})
    assert plan.refused and [f.code for f in plan.errors] == ["removal_loses_feature"]
    message = lp.refusal_message(plan, what="removed")
    assert "force=true" in message and "binding" not in message


def test_binding_refusal_keeps_its_advice():
    plan = plan_write(hostname="LS99")
    assert [f.code for f in plan.errors] == ["binding_hostname_mismatch"]
    assert "(for a binding error: allocate and download the file for this License Server)" in lp.refusal_message(plan)


def test_runtime_messages_name_documents_by_title_not_seed():
    """Every string a user can see at run time (action plugins, plugin_utils; not docstrings, not comments)."""
    import io
    import re
    import tokenize
    from pathlib import Path

    root = Path(lp.__file__).resolve().parents[2]  # plugins/
    seed = re.compile(r"\b[Ss]eeds? (?:``)?00[0-4]")
    found = []
    for path in sorted([*root.joinpath("action").glob("*.py"), *root.joinpath("plugin_utils").glob("*.py")]):
        if path.name == "windows_scripts.py":  # PowerShell sources: their comments are code comments
            continue
        tokens = list(tokenize.generate_tokens(io.StringIO(path.read_text(encoding="utf-8")).readline))
        for i, tok in enumerate(tokens):
            if tok.type != tokenize.STRING:
                continue
            before = tokens[i - 1] if i else None
            after = tokens[i + 1] if i + 1 < len(tokens) else None
            docstring = (before is None or before.type in (tokenize.INDENT, tokenize.NEWLINE, tokenize.NL,
                                                           tokenize.DEDENT)) and after is not None and \
                after.type == tokenize.NEWLINE
            if not docstring and seed.search(tok.string):
                found.append(f"{path.name}:{tok.start[0]}")
    assert found == []


def test_docs_roles_and_playbooks_name_documents_by_title():
    """Role READMEs and argument specs, playbook headers and messages, the README and the guides in docs/."""
    import re
    from pathlib import Path

    root = Path(lp.__file__).resolve().parents[3]
    # "seed 004", and "the seeds" / "seed document": users have no seeds, only the documents' titles.
    seed = re.compile(r"\b[Ss]eeds? (?:``)?00[0-4]|\b[Tt]he seeds\b|\b[Ss]eed documents?\b")
    files = [*root.glob("roles/*/README.md"), *root.glob("roles/*/meta/argument_specs.yml"),
             *root.glob("playbooks/*.yml"), *root.glob("docs/*.md"), *root.glob("docs/*/*.md"),
             *root.glob("docs/*/*.rst"), *root.glob("plugins/modules/*.py"), *root.glob("plugins/doc_fragments/*.py"),
             root / "README.md"]
    found = [f"{path.relative_to(root)}:{n}" for path in files
             for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1) if seed.search(line)]
    assert found == []
