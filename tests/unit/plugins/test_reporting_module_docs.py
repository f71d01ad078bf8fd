"""management_service, proxy and connectivity: the action plugins' argument specs must match their documentation.

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
MODULES = ["management_service", "proxy", "connectivity"]
# Keys Ansible itself adds or that every module may return.
COMMON = {"changed", "failed", "msg", "warnings", "diff", "invocation", "skipped"}


def _docs(name: str) -> dict:
    return read_docstring(str(REPO / "plugins" / "modules" / f"{name}.py"))


@pytest.mark.parametrize("name", MODULES)
def test_argument_spec_matches_the_documentation(name):
    spec = importlib.import_module(f"ansible_collections.ctxlic.license_server.plugins.action.{name}").ActionModule
    docs = _docs(name)
    options = docs["doc"]["options"]
    assert set(options) == set(spec.ARGUMENT_SPEC)
    for option, argspec in spec.ARGUMENT_SPEC.items():
        doc = options[option]
        assert doc["type"] == argspec["type"], option
        assert bool(doc.get("required", False)) == bool(argspec.get("required", False)), option
        assert doc.get("default") == argspec.get("default"), option
        assert doc.get("choices") == argspec.get("choices"), option
        assert doc["description"], option
    assert docs["doc"]["version_added"] == "0.1.0"
    assert {"check_mode", "diff_mode", "platform"} <= set(docs["doc"]["attributes"])
    assert any("seed" in note for note in docs["doc"]["notes"])
    assert yaml.safe_load(docs["plainexamples"])


@pytest.mark.parametrize("name", MODULES)
def test_module_file_holds_only_documentation(name):
    tree = ast.parse((REPO / "plugins" / "modules" / f"{name}.py").read_text(encoding="utf-8"))
    names = [target.id for node in tree.body if isinstance(node, ast.Assign) for target in node.targets]
    assert names == ["DOCUMENTATION", "EXAMPLES", "RETURN"]


def documented_returns(name: str) -> set[str]:
    docs = _docs(name)
    returns = yaml.safe_load(docs["returndocs"]) if isinstance(docs["returndocs"], str) else docs["returndocs"]
    return set(returns) | COMMON


@pytest.mark.parametrize("name", MODULES)
def test_every_documented_return_has_a_description_and_type(name):
    docs = _docs(name)
    returns = yaml.safe_load(docs["returndocs"]) if isinstance(docs["returndocs"], str) else docs["returndocs"]
    for key, value in returns.items():
        assert value.get("description") and value.get("type") and value.get("returned"), key
