# Copyright: (c) 2026, ctxlic maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Every module's documentation, as Ansible resolves it (doc fragments merged), against its action plugin.

ansible-test's validate-modules cannot see an action plugin's argument spec (the module files hold documentation
only), so this keeps option names, types, defaults, choices and required flags honest for every module in
plugins/modules.

The documentation is read with ansible-doc, Ansible's own loader: it merges the doc fragments of
plugins/doc_fragments exactly as users, scripts/build_docs.py and Automation Hub see them. It runs in a subprocess
because a plain pytest run imports the collection as an ordinary package (tests/conftest.py), and Ansible's
collection loader cannot take over an already imported collection in the same process.
"""

from __future__ import annotations

import ast
import importlib
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from module_docs import module_documentation

REPO = Path(__file__).resolve().parents[3]
COLLECTION = "ctxlic.license_server"
PACKAGE = "ansible_collections.ctxlic.license_server.plugins"
MODULES = sorted(p.stem for p in (REPO / "plugins" / "modules").glob("*.py") if p.stem != "__init__")
FRAGMENT_FILES = sorted(p.stem for p in (REPO / "plugins" / "doc_fragments").glob("*.py") if p.stem != "__init__")

# Diff support is a promise to users (what --diff shows), so each module's is pinned; a new module adds its line.
DIFF_SUPPORT = {
    "connectivity": "none",
    "dr_backup": "full",
    "dr_primary": "full",
    "dr_restore": "full",
    "evidence_event": "none",
    "fleet_report": "none",
    "info": "none",
    "license_backup": "none",
    "license_file": "full",
    "license_plan": "none",
    "management_service": "full",
    "package": "full",
    "proxy": "full",
    "reread": "none",
    "telemetry_bundle": "full",
    "upgrade_window": "none",
}
# Every module names the seed document it follows in its notes, except these, which do it in the description.
SEED_IN_DESCRIPTION = {"dr_primary", "info"}  # modules that cite their sources in the description, not the notes
SOURCE_TITLES = ("Citrix License Telemetry FAQ", "Citrix Licensing data collection programs",
                 "Citrix licensing telemetry and compliance status", "Update Required",
                 "Citrix Licensing 11.17.2 build 49000 documentation", "Citrix Licensing 11.17.2", "CTX")
# Keys every result of the package action carries; each must be documented as returned always.
PACKAGE_ALWAYS = {"changed", "action", "before_version", "after_version", "target_version", "rc", "reboot_required",
                  "command", "commands", "log_path", "installer", "install_dir", "refusals", "msg"}
# Return keys that callers (roles, playbooks, the reports) rely on, per module.
REQUIRED_RETURNS = {
    "license_file": {"changed", "msg", "path", "backup_file", "warnings", "findings", "reread", "features"},
    "license_plan": {"changed", "msg"},
    "reread": {"changed", "msg"},
    "package": PACKAGE_ALWAYS | {"log_tail", "warnings", "services", "myfiles_kept", "diff"},
}


# --------------------------------------------------------------------------------------------- loading


def _ansible_doc(*args: str) -> subprocess.CompletedProcess[str]:
    """``ansible-doc -t module ARGS`` of this virtualenv (next to the running interpreter), else from PATH."""
    local = Path(sys.executable).parent / "ansible-doc"
    binary = str(local) if local.is_file() else shutil.which("ansible-doc") or "ansible-doc"
    env = dict(os.environ, ANSIBLE_NOCOLOR="1")
    return subprocess.run(
        [binary, "-t", "module", *args], capture_output=True, text=True, cwd=REPO, env=env, check=False, timeout=300
    )


def _fqcn(name: str) -> str:
    return f"{COLLECTION}.{name}"


def _load_all(*flags: str) -> dict[str, subprocess.CompletedProcess[str]]:
    """module name -> the ansible-doc run that covers it.

    One run for all modules is fast; but one broken module makes ansible-doc print nothing for the others, so
    then every module is run alone and only the broken one's tests fail.
    """
    batch = _ansible_doc(*flags, *map(_fqcn, MODULES))
    if batch.returncode == 0 and not batch.stderr.strip():
        return dict.fromkeys(MODULES, batch)
    return {name: _ansible_doc(*flags, _fqcn(name)) for name in MODULES}


@pytest.fixture(scope="module")
def resolved() -> dict[str, subprocess.CompletedProcess[str]]:
    return _load_all("--json")


@pytest.fixture(scope="module")
def rendered() -> dict[str, subprocess.CompletedProcess[str]]:
    return _load_all()


def _data(resolved: dict[str, subprocess.CompletedProcess[str]], name: str) -> dict[str, Any]:
    """``ansible-doc --json`` of one module: ``doc`` (fragments merged), ``examples`` (text), ``return``."""
    run = resolved[name]
    assert run.returncode == 0 and not run.stderr.strip(), f"ansible-doc --json {_fqcn(name)}: {run.stderr}"
    data = json.loads(run.stdout).get(_fqcn(name))
    assert data, f"ansible-doc --json returned no documentation for {_fqcn(name)}"
    return data


def _section(text: str, name: str) -> str:
    """The part of ``ansible-doc`` text output that documents one module (a run may cover several)."""
    sections = re.split(r"^(?=> MODULE )", text, flags=re.MULTILINE)
    found = [s for s in sections if re.match(rf"> MODULE {re.escape(_fqcn(name))} ", s)]
    return found[0] if found else ""


def _argument_spec(name: str) -> dict[str, dict[str, Any]]:
    """The action plugin's argument spec: ``ActionModule.ARGUMENT_SPEC``, or a module-level ``ARGUMENT_SPEC``."""
    action = importlib.import_module(f"{PACKAGE}.action.{name}")
    return getattr(action.ActionModule, "ARGUMENT_SPEC", None) or action.ARGUMENT_SPEC


def _extends(name: str) -> list[str]:
    """The fragments a module names; none when its DOCUMENTATION does not parse (its own tests report that)."""
    try:
        return module_documentation(name).get("extends_documentation_fragment") or []
    except yaml.YAMLError:
        return []


def _fragment_references() -> list[tuple[str, str, str]]:
    """(file stem, variable, the name a module's extends_documentation_fragment uses) for every fragment."""
    found = []
    for stem in FRAGMENT_FILES:
        fragment = importlib.import_module(f"{PACKAGE}.doc_fragments.{stem}").ModuleDocFragment
        for variable in sorted(v for v in vars(fragment) if v.isupper() and isinstance(vars(fragment)[v], str)):
            reference = _fqcn(stem) if variable == "DOCUMENTATION" else f"{_fqcn(stem)}.{variable.lower()}"
            found.append((stem, variable, reference))
    return found


FRAGMENTS = _fragment_references()


def _fragment(reference: str) -> dict[str, Any]:
    stem, variable = next((s, v) for s, v, r in FRAGMENTS if r == reference)
    fragment = importlib.import_module(f"{PACKAGE}.doc_fragments.{stem}").ModuleDocFragment
    return yaml.safe_load(getattr(fragment, variable))


# --------------------------------------------------------------------------------------------- every module


@pytest.mark.parametrize("name", MODULES)
def test_argument_spec_matches_the_documentation(name, resolved):
    options = _data(resolved, name)["doc"].get("options") or {}
    spec = _argument_spec(name)
    assert set(options) == set(spec)
    for option, argspec in spec.items():
        doc = options[option]
        assert doc["type"] == argspec["type"], option
        assert bool(doc.get("required", False)) == bool(argspec.get("required", False)), option
        assert doc.get("default") == argspec.get("default"), option
        assert doc.get("choices") == argspec.get("choices"), option
        assert doc.get("elements") == argspec.get("elements"), option
        assert doc["description"], option


@pytest.mark.parametrize("name", MODULES)
def test_documentation_has_version_attributes_and_sources(name, resolved):
    doc = _data(resolved, name)["doc"]
    assert doc["short_description"] and doc["description"]
    assert doc["version_added"] == "0.1.0"
    attributes = doc["attributes"]
    assert {"check_mode", "diff_mode", "platform"} <= set(attributes)
    assert attributes["check_mode"]["support"] == "full"
    assert name in DIFF_SUPPORT, f"add {name} to DIFF_SUPPORT"
    assert attributes["diff_mode"]["support"] == DIFF_SUPPORT[name]
    for attribute, spec in attributes.items():
        assert spec.get("description"), attribute
    where = doc["description"] if name in SEED_IN_DESCRIPTION else doc["notes"]
    # Sources are cited by the vendor documents' titles (user-facing text, issue 15 item 11: users have no seeds).
    assert any(title in text for text in where for title in SOURCE_TITLES) or any(
        text.lower().startswith("sources:") for text in where)
    assert not any(re.search(r"\b[Ss]eeds? 00[0-4]", text) for text in (*doc["description"], *doc.get("notes", [])))


def test_package_notes_cite_the_licensing_documentation_at_least_twice(resolved):
    notes = _data(resolved, "package")["doc"]["notes"]
    assert sum("Citrix Licensing 11.17.2 build 49000 documentation" in note for note in notes) >= 2


@pytest.mark.parametrize("name", MODULES)
def test_examples_are_yaml_tasks_using_the_fqcn(name, resolved):
    examples = yaml.safe_load(_data(resolved, name)["examples"])
    assert isinstance(examples, list) and examples
    assert any(_fqcn(name) in task for task in examples if isinstance(task, dict))


@pytest.mark.parametrize("name", MODULES)
def test_every_documented_return_has_a_description_and_type(name, resolved):
    returns = _data(resolved, name)["return"]
    assert isinstance(returns, dict) and returns
    for key, value in returns.items():
        assert value.get("description") and value.get("type") and value.get("returned"), key
    assert REQUIRED_RETURNS.get(name, set()) <= set(returns)
    pending = list(returns.items())
    while pending:
        key, value = pending.pop()
        assert value.get("description") and value.get("type"), key
        pending += [(f"{key}.{child}", spec) for child, spec in (value.get("contains") or {}).items()]


def test_license_file_documents_what_reread_returns(resolved):
    returns = _data(resolved, "license_file")["return"]
    assert set(returns["reread"]["contains"]) == {"argv", "rc", "stdout", "stderr", "ok"}


def test_package_documents_its_always_returned_keys(resolved):
    returns = _data(resolved, "package")["return"]
    for key in PACKAGE_ALWAYS:
        assert returns[key]["returned"] == "always", key


@pytest.mark.parametrize("name", MODULES)
def test_ansible_doc_renders_the_module(name, rendered, resolved):
    run = rendered[name]
    assert run.returncode == 0 and not run.stderr.strip(), f"ansible-doc -t module {_fqcn(name)}: {run.stderr}"
    text = _section(run.stdout, name)
    assert text, f"ansible-doc -t module printed nothing for {_fqcn(name)}"
    assert "\nEXAMPLES:" in text and "\nRETURN VALUES:" in text
    options_text = text.split("\nOPTIONS", 1)[1].split("\nATTRIBUTES:", 1)[0] if "\nOPTIONS" in text else ""
    shown = {m.group(2): m.group(1) for m in re.finditer(r"^([-=]) (\S+)", options_text, flags=re.MULTILINE)}
    options = _data(resolved, name)["doc"].get("options") or {}
    # "=" marks a required option in ansible-doc's text; fragment options must show up like the module's own.
    assert shown == {option: "=" if spec.get("required") else "-" for option, spec in options.items()}


@pytest.mark.parametrize("name", MODULES)
def test_module_file_holds_only_documentation(name):
    tree = ast.parse((REPO / "plugins" / "modules" / f"{name}.py").read_text(encoding="utf-8"))
    names = [target.id for node in tree.body if isinstance(node, ast.Assign) for target in node.targets]
    assert names == ["DOCUMENTATION", "EXAMPLES", "RETURN"]
    assert all(isinstance(node, ast.Assign) for node in tree.body)


@pytest.mark.parametrize("name", MODULES)
def test_module_is_in_the_action_group(name):
    runtime = yaml.safe_load((REPO / "meta" / "runtime.yml").read_text(encoding="utf-8"))
    assert name in runtime["action_groups"]["license_server"]


# --------------------------------------------------------------------------------------------- doc fragments


@pytest.mark.parametrize("name", MODULES)
def test_module_does_not_shadow_its_fragments(name):
    """Ansible lets a module's own option or attribute silently overwrite a fragment's field by field.

    A module that means something else by an option documents it itself and does not use the fragment.
    """
    documentation = module_documentation(name)
    own = {key: set(documentation.get(key) or {}) for key in ("options", "attributes")}
    for reference in documentation.get("extends_documentation_fragment") or []:
        assert reference in [r for _s, _v, r in FRAGMENTS], f"{name}: unknown doc fragment {reference}"
        fragment = _fragment(reference)
        for key, names in own.items():
            assert not names & set(fragment.get(key) or {}), f"{name} redefines {key} of {reference}"


@pytest.mark.parametrize(("stem", "variable", "reference"), FRAGMENTS, ids=[r for _s, _v, r in FRAGMENTS])
def test_fragment_is_well_formed_and_used(stem, variable, reference):
    fragment = _fragment(reference)
    assert fragment.get("options") or fragment.get("attributes"), f"{stem}.{variable} adds nothing"
    for option, spec in (fragment.get("options") or {}).items():
        assert spec.get("description") and spec.get("type"), option
    for attribute, spec in (fragment.get("attributes") or {}).items():
        assert spec.get("description") and spec.get("support"), attribute
    assert any(reference in _extends(name) for name in MODULES), f"no module uses {reference}"


# --------------------------------------------------------------------------------------------- server role


def test_server_role_defaults_mirror_the_argument_spec():
    """Role argument specs do not apply their defaults, so defaults/main.yml must repeat them."""
    role = REPO / "roles" / "server"
    spec = yaml.safe_load((role / "meta" / "argument_specs.yml").read_text())["argument_specs"]["main"]["options"]
    defaults = yaml.safe_load((role / "defaults" / "main.yml").read_text())
    assert set(spec) == set(defaults)
    for name, option in spec.items():
        assert option.get("default") == defaults[name], name
        assert option["description"], name
    assert spec["ctxlic_server_ports"]["type"] == "dict"
    assert {o["type"] for o in spec["ctxlic_server_ports"]["options"].values()} == {"int"}
