# Copyright: (c) 2026, ctxlic maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The documentation of this collection's modules as written in ``plugins/modules/NAME.py``.

Read with ``ast`` and ``yaml`` only (ansible-core's documentation readers are not public API), as the
module file holds it: documentation fragments are not merged in (``ansible-doc --json`` merges them).
``tests/`` is on ``sys.path`` through ``tests/conftest.py``: ``from module_docs import module_returns``.
"""

from __future__ import annotations

import ast
import functools
from pathlib import Path
from typing import Any

import yaml

MODULES = Path(__file__).resolve().parents[1] / "plugins" / "modules"


def module_constants(name: str) -> dict[str, str]:
    """The top-level string constants of ``plugins/modules/NAME.py`` (DOCUMENTATION, EXAMPLES, RETURN)."""
    tree = ast.parse((MODULES / f"{name}.py").read_text(encoding="utf-8"))
    return {
        target.id: node.value.value
        for node in tree.body
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant) and isinstance(node.value.value, str)
        for target in node.targets
        if isinstance(target, ast.Name)
    }


@functools.cache
def _parsed(name: str, constant: str) -> Any:
    return yaml.safe_load(module_constants(name).get(constant) or "")


def module_documentation(name: str) -> dict[str, Any]:
    """The module's DOCUMENTATION, parsed."""
    return _parsed(name, "DOCUMENTATION") or {}


def module_returns(name: str) -> dict[str, Any]:
    """The module's RETURN, parsed ({} when it documents none)."""
    return _parsed(name, "RETURN") or {}
