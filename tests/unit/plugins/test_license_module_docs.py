"""license_file, license_plan and reread: argument specs must match the documentation.

ansible-test's validate-modules cannot see an action plugin's argument spec (the module files hold
documentation only), so this keeps option names, types, defaults, choices and required flags honest.
"""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import pytest
import yaml
from ansible.parsing.plugin_docs import read_docstring

REPO = Path(__file__).resolve().parents[3]
MODULES = ["license_file", "license_plan", "reread"]


def _docs(name: str) -> dict:
    return read_docstring(str(REPO / "plugins" / "modules" / f"{name}.py"))


def _returns(name: str) -> dict:
    docs = _docs(name)
    return yaml.safe_load(docs["returndocs"]) if isinstance(docs["returndocs"], str) else docs["returndocs"]


@pytest.mark.parametrize("name", MODULES)
def test_argument_spec_matches_the_documentation(name):
    action = importlib.import_module(f"ansible_collections.ctxlic.license_server.plugins.action.{name}").ActionModule
    docs = _docs(name)
    options = docs["doc"]["options"]
    assert set(options) == set(action.ARGUMENT_SPEC)
    for option, argspec in action.ARGUMENT_SPEC.items():
        doc = options[option]
        assert doc["type"] == argspec["type"], option
        assert bool(doc.get("required", False)) == bool(argspec.get("required", False)), option
        assert doc.get("default") == argspec.get("default"), option
        assert doc.get("choices") == argspec.get("choices"), option
        assert doc.get("elements") == argspec.get("elements"), option
        assert doc["description"], option
    assert docs["doc"]["version_added"] == "0.1.0"
    attributes = docs["doc"]["attributes"]
    assert attributes["check_mode"]["support"] == "full"
    assert attributes["diff_mode"]["support"] == ("full" if name == "license_file" else "none")
    assert any("seed" in note.lower() for note in docs["doc"]["notes"])
    examples = yaml.safe_load(docs["plainexamples"])
    assert any(f"ctxlic.license_server.{name}" in task for task in examples)


@pytest.mark.parametrize("name", MODULES)
def test_module_file_holds_only_documentation(name):
    tree = ast.parse((REPO / "plugins" / "modules" / f"{name}.py").read_text(encoding="utf-8"))
    names = [target.id for node in tree.body if isinstance(node, ast.Assign) for target in node.targets]
    assert names == ["DOCUMENTATION", "EXAMPLES", "RETURN"]


@pytest.mark.parametrize("name", MODULES)
def test_every_documented_return_has_a_description_and_type(name):
    for key, value in _returns(name).items():
        assert value.get("description") and value.get("type") and value.get("returned"), key
    assert {"changed", "msg"} <= set(_returns(name))


def test_license_file_documents_the_brief_return_keys():
    returns = _returns("license_file")
    assert {"changed", "path", "backup_file", "warnings", "findings", "reread", "features"} <= set(returns)
    assert set(returns["reread"]["contains"]) == {"argv", "rc", "stdout", "stderr", "ok"}
