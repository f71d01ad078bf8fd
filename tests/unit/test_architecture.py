# Copyright: (c) 2026, ctxlic maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The layers of ``plugins/plugin_utils`` hold: pure packages do no I/O, and imports only point down.

docs/architecture.md draws the layers; its package table is checked against ``LAYERS`` here, so the
document, the folders and this test cannot drift apart.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
PLUGIN_UTILS = REPO / "plugins" / "plugin_utils"
PREFIX = "ansible_collections.ctxlic.license_server.plugins.plugin_utils"

#: Every package below plugins/plugin_utils and its layer.
LAYERS = {
    "_common": "pure",
    "_license": "pure",
    "_server": "pure",
    "_telemetry": "pure",
    "_dr": "pure",
    "_compliance": "pure",
    "_host": "host access",
    "_store": "controller store",
    "_action": "action base",
    "lab": "lab",
}
#: Which layers each layer may import (its own always).
MAY_IMPORT = {
    "pure": {"pure"},
    # Host steps may keep what they fetch from a host in a controller store (a verified backup copy), and the
    # lab backend reaches the lab's simulated hosts.
    "host access": {"pure", "controller store", "lab"},
    "controller store": {"pure"},
    "action base": {"pure", "host access", "controller store"},
    # The lab simulates the vendor product; it reads the collection's dated LAS rules (data) and nothing else.
    "lab": {"pure"},
}
#: Standard-library and third-party modules that do I/O (files, processes, network, databases).
IO_MODULES = {
    "os", "shutil", "tempfile", "sqlite3", "subprocess", "socket", "ssl", "select", "selectors", "glob", "fcntl",
    "pathlib", "zipfile", "tarfile", "urllib.request", "http", "requests", "psycopg", "psycopg2", "asyncio",
    "multiprocessing", "mmap", "ansible.plugins", "ansible.executor", "ansible.parsing", "ansible.module_utils.urls",
}
#: The one module of a pure package that reads files: the collection's own read-only package data.
PACKAGE_DATA = "_common/package_data.py"


def modules() -> list[Path]:
    return sorted(p for p in PLUGIN_UTILS.rglob("*.py") if "__pycache__" not in p.parts)


def package_of(path: Path) -> str:
    return path.relative_to(PLUGIN_UTILS).parts[0]


def imports(path: Path) -> list[tuple[int, str]]:
    """(line, dotted name) of every import in ``path``, including imports inside functions."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.lineno, node.module))
            # ``from <pkg> import module`` imports the module itself
            found += [(node.lineno, f"{node.module}.{alias.name}") for alias in node.names]
    return found


def collection_package(name: str) -> str | None:
    if not name.startswith(PREFIX + "."):
        return None
    return name[len(PREFIX) + 1:].split(".")[0]


def test_every_module_sits_in_a_known_package() -> None:
    flat = [p.name for p in PLUGIN_UTILS.glob("*.py")]
    assert flat == [], f"modules directly in plugins/plugin_utils (put them in a feature or layer package): {flat}"
    unknown = sorted({package_of(p) for p in modules()} - set(LAYERS))
    assert unknown == [], f"packages without a layer in LAYERS (and docs/architecture.md): {unknown}"


@pytest.mark.parametrize("path", modules(), ids=lambda p: str(p.relative_to(PLUGIN_UTILS)))
def test_imports_point_only_to_allowed_layers(path: Path) -> None:
    layer = LAYERS[package_of(path)]
    wrong = []
    for line, name in imports(path):
        target = collection_package(name)
        if target is None or target == package_of(path) or target in {"data"}:
            continue
        if LAYERS.get(target) not in MAY_IMPORT[layer]:
            wrong.append(f"line {line}: {name} ({LAYERS.get(target)})")
    assert wrong == [], f"{layer} module imports a layer it may not: {wrong}"


@pytest.mark.parametrize("path", [p for p in modules() if LAYERS[package_of(p)] == "pure"],
                         ids=lambda p: str(p.relative_to(PLUGIN_UTILS)))
def test_pure_modules_do_no_io(path: Path) -> None:
    relative = str(path.relative_to(PLUGIN_UTILS))
    io = [f"line {line}: import {name}" for line, name in imports(path)
          if any(name == m or name.startswith(m + ".") for m in IO_MODULES)
          and not (relative == PACKAGE_DATA and name.split(".")[0] == "pathlib")]
    tree = ast.parse(path.read_text(encoding="utf-8"))
    io += [f"line {node.lineno}: open()" for node in ast.walk(tree)
           if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in {"open", "input"}]
    assert io == [], f"{relative} is in a pure package but does I/O: {io}"


def test_the_io_test_catches_io(tmp_path: Path) -> None:
    """The detector itself: an import of os, a from-import of sqlite3 and a call of open() are all seen."""
    sample = tmp_path / "sample.py"
    sample.write_text("import os\nfrom sqlite3 import connect\n\ndef f():\n    return open('x')\n", encoding="utf-8")
    names = [entry[1] for entry in imports(sample)]
    assert "os" in names and "sqlite3" in names


def test_docs_architecture_lists_every_package_with_its_layer() -> None:
    text = (REPO / "docs" / "architecture.md").read_text(encoding="utf-8")
    rows = dict(re.findall(r"^\| `(\w+)/` \| ([a-z ]+) \|", text, re.MULTILINE))
    assert rows == LAYERS, "docs/architecture.md's package table and LAYERS disagree"


HEADER_SUFFIXES = {".py", ".sh", ".yml", ".yaml", ".j2"}


def tracked_sources() -> list[Path]:
    import subprocess

    listed = subprocess.run(["git", "ls-files"], cwd=REPO, capture_output=True, text=True, check=True).stdout.split()
    return [REPO / name for name in listed
            if (Path(name).suffix in HEADER_SUFFIXES or name == ".ci/run")
            and not name.startswith(("tests/fixtures/", "changelogs/")) and (REPO / name).is_file()]


def test_every_source_file_carries_the_license_header() -> None:
    missing = [str(p.relative_to(REPO)) for p in tracked_sources()
               if "GNU General Public License v3.0+" not in "".join(p.read_text(encoding="utf-8").splitlines(True)[:4])]
    assert missing == [], f"files without the license header in their first lines: {missing}"


@pytest.mark.parametrize("path", [p for p in modules() if package_of(p).startswith("_")],
                         ids=lambda p: str(p.relative_to(PLUGIN_UTILS)))
def test_private_modules_say_they_are_internal(path: Path) -> None:
    head = "".join(path.read_text(encoding="utf-8").splitlines(True)[:5])
    assert "Internal use only" in head, f"{path.relative_to(PLUGIN_UTILS)}: add the 'Internal use only' header line"
