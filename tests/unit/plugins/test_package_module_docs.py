"""package module and server role: documentation, argument specs and defaults must agree.

ansible-test's validate-modules cannot see an action plugin's argument spec (the module file holds
documentation only), and role argument specs do not apply their defaults, so both are checked here.
"""

from __future__ import annotations

import ast
from pathlib import Path

import yaml
from ansible.parsing.plugin_docs import read_docstring

from ansible_collections.ctxlic.license_server.plugins.action.package import ActionModule

REPO = Path(__file__).resolve().parents[3]
# Keys Ansible itself adds or that every module may return.
COMMON = {"failed", "invocation", "skipped"}
# Keys every result of the package action carries, in the order of the module's RETURN.
ALWAYS = {"changed", "action", "before_version", "after_version", "target_version", "rc", "reboot_required",
          "command", "commands", "log_path", "installer", "install_dir", "refusals", "msg"}


def _docs() -> dict:
    return read_docstring(str(REPO / "plugins" / "modules" / "package.py"))


def _returns() -> dict:
    docs = _docs()
    return yaml.safe_load(docs["returndocs"]) if isinstance(docs["returndocs"], str) else docs["returndocs"]


def test_argument_spec_matches_the_documentation():
    options = _docs()["doc"]["options"]
    assert set(options) == set(ActionModule.ARGUMENT_SPEC)
    for option, argspec in ActionModule.ARGUMENT_SPEC.items():
        doc = options[option]
        assert doc["type"] == argspec["type"], option
        assert bool(doc.get("required", False)) == bool(argspec.get("required", False)), option
        assert doc.get("default") == argspec.get("default"), option
        assert doc.get("choices") == argspec.get("choices"), option
        assert doc["description"], option


def test_documentation_has_attributes_notes_and_examples():
    docs = _docs()
    assert docs["doc"]["attributes"]["check_mode"]["support"] == "full"
    assert docs["doc"]["attributes"]["diff_mode"]["support"] == "full"
    assert sum("Seed 004" in note or "seed 004" in note for note in docs["doc"]["notes"]) >= 2
    examples = yaml.safe_load(docs["plainexamples"])
    assert any("ctxlic.license_server.package" in task for task in examples)


def test_every_return_key_is_documented():
    returns = _returns()
    for key, value in returns.items():
        assert value.get("description") and value.get("type") and value.get("returned"), key
    assert set(returns) >= ALWAYS
    for key in ALWAYS:
        assert returns[key]["returned"] == "always", key
    assert {"log_tail", "warnings", "services", "myfiles_kept", "diff"} <= set(returns)


def test_module_file_holds_only_documentation():
    tree = ast.parse((REPO / "plugins" / "modules" / "package.py").read_text(encoding="utf-8"))
    names = [target.id for node in tree.body if isinstance(node, ast.Assign) for target in node.targets]
    assert names == ["DOCUMENTATION", "EXAMPLES", "RETURN"]


def test_server_role_defaults_mirror_the_argument_spec():
    role = REPO / "roles" / "server"
    spec = yaml.safe_load((role / "meta" / "argument_specs.yml").read_text())["argument_specs"]["main"]["options"]
    defaults = yaml.safe_load((role / "defaults" / "main.yml").read_text())
    assert set(spec) == set(defaults)
    for name, option in spec.items():
        assert option.get("default") == defaults[name], name
        assert option["description"], name
    assert spec["ctxlic_server_ports"]["type"] == "dict"
    assert {o["type"] for o in spec["ctxlic_server_ports"]["options"].values()} == {"int"}


def test_package_is_in_the_action_group():
    runtime = yaml.safe_load((REPO / "meta" / "runtime.yml").read_text())
    assert "package" in runtime["action_groups"]["license_server"]
