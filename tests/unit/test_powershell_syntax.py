# Copyright: (c) 2026, ctxlic maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Every PowerShell text in the repository must parse.

No ``pwsh`` is available where CI runs, so a PowerShell syntax error would otherwise surface only on
a customer's Windows host. This test parses each PowerShell text with tree-sitter
(``tree-sitter`` + ``tree-sitter-powershell`` from PyPI) and fails on any ERROR or MISSING node,
naming the file, line and column.

What is checked:

* every ``*.ps1`` and ``*.psm1`` file below the repository root (the directory holding
  ``galaxy.yml``), except the directories in ``EXCLUDED_DIRS`` (virtualenv, build output, VCS data,
  test output, caches and the gitignored lab/report output);
* every PowerShell text embedded in a Python file, marked by this convention::

      # powershell
      GATHER_PS = r'''
      param([string]$Root)
      Get-ChildItem -LiteralPath $Root
      '''

  i.e. a line consisting of the comment ``# powershell`` directly followed by the assignment of a
  triple-quoted, non-f string literal to a name ending in ``_PS``. The marker and the name go
  together: a marker not followed by such an assignment, or a triple-quoted ``*_PS`` string without
  the marker, fails the test, so PowerShell cannot slip past the check by a typo.

The self-tests at the bottom prove the check can fail (a broken snippet is flagged) and that the
file finder scans the real repository root.
"""

from __future__ import annotations

import ast
import io
import os
import re
import tokenize
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import tree_sitter_powershell
from tree_sitter import Language, Node, Parser

REPO_ROOT = Path(__file__).resolve().parents[2]
POWERSHELL_SUFFIXES = (".ps1", ".psm1")
EXCLUDED_DIRS = frozenset(
    {".venv", ".build", ".git", "__pycache__", ".pytest_cache", ".ruff_cache", "node_modules", "lab", "reports"}
)
EXCLUDED_PATHS = frozenset({Path("tests") / "output"})
MARKER = "# powershell"
NAME_SUFFIX = "_PS"
_TRIPLE_QUOTED = re.compile(r"^[rRuU]?('''|\"\"\")")

_PARSER = Parser(Language(tree_sitter_powershell.language()))


@dataclass(frozen=True)
class PowerShellText:
    """One PowerShell text to check and where it lives (``line_offset``/``column_offset`` map to the file)."""

    path: Path
    label: str
    source: str
    line_offset: int = 0  # file line (0-based) of the text's first line
    column_offset: int = 0  # file column of the text's first character (first line only)

    def location(self, row: int, column: int) -> str:
        """``file:line:column`` (1-based) of a position inside the text."""
        line = self.line_offset + row + 1
        col = (self.column_offset if row == 0 else 0) + column + 1
        return f"{self.path}:{line}:{col}"


# --------------------------------------------------------------------------------------------------
# Finding PowerShell
# --------------------------------------------------------------------------------------------------


def iter_repo_files(root: Path, suffixes: tuple[str, ...]) -> Iterator[Path]:
    """Files below ``root`` ending in one of ``suffixes`` (case-insensitive), skipping excluded dirs, sorted.

    Excluded directories are pruned while walking, so the virtualenv is never traversed.
    """
    found = []
    for directory, subdirs, files in os.walk(root):
        here = Path(directory)
        subdirs[:] = [
            name
            for name in subdirs
            if name not in EXCLUDED_DIRS and (here / name).relative_to(root) not in EXCLUDED_PATHS
        ]
        found.extend(here / name for name in files if Path(name).suffix.lower() in suffixes)
    yield from sorted(found)


def _comment_lines(source: str) -> dict[int, str]:
    """1-based line number -> comment text, from the tokenizer (so ``# powershell`` inside strings is ignored)."""
    comments = {}
    for token in tokenize.generate_tokens(io.StringIO(source).readline):
        if token.type == tokenize.COMMENT:
            comments[token.start[0]] = token.string.strip()
    return comments


def _assignment_targets(node: ast.stmt) -> list[str]:
    targets = node.targets if isinstance(node, ast.Assign) else [node.target]  # type: ignore[attr-defined]
    return [target.id for target in targets if isinstance(target, ast.Name)]


def embedded_powershell(path: Path, source: str) -> tuple[list[PowerShellText], list[str]]:
    """Marked PowerShell texts in Python ``source`` and convention violations (as messages)."""
    tree = ast.parse(source, filename=str(path))
    lines = source.splitlines()
    markers = {line for line, text in _comment_lines(source).items() if text.lower() == MARKER}
    texts: list[PowerShellText] = []
    problems: list[str] = []
    used_markers: set[int] = set()
    for node in ast.walk(tree):
        if not isinstance(node, (ast.Assign, ast.AnnAssign)) or node.value is None:
            continue
        names = [name for name in _assignment_targets(node) if name.endswith(NAME_SUFFIX)]
        if not names:
            continue
        marker_line = node.lineno - 1
        value = node.value
        segment = ast.get_source_segment(source, value) or ""
        is_text = isinstance(value, ast.Constant) and isinstance(value.value, str)
        is_triple = is_text and _TRIPLE_QUOTED.match(segment) is not None
        if marker_line in markers:
            used_markers.add(marker_line)
            if not is_triple:
                problems.append(
                    f"{path}:{node.lineno}: {names[0]} follows '{MARKER}' but is not a triple-quoted string literal "
                    "(f-strings and expressions cannot be syntax-checked); assign a plain r'''...''' literal"
                )
                continue
            opening = _TRIPLE_QUOTED.match(segment).group(0)  # type: ignore[union-attr]
            texts.append(
                PowerShellText(
                    path=path,
                    label=f"{path.relative_to(REPO_ROOT) if path.is_relative_to(REPO_ROOT) else path}::{names[0]}",
                    source=value.value,  # type: ignore[union-attr]
                    line_offset=value.lineno - 1,
                    column_offset=value.col_offset + len(opening),
                )
            )
        elif is_triple:
            problems.append(
                f"{path}:{node.lineno}: {names[0]} looks like embedded PowerShell but the line above is not "
                f"'{MARKER}'; add the marker so its syntax is checked (or rename it if it is not PowerShell)"
            )
    for line in sorted(markers - used_markers):
        text = lines[line] if line < len(lines) else ""
        problems.append(
            f"{path}:{line}: '{MARKER}' marker is not directly followed by an assignment to a name ending in "
            f"{NAME_SUFFIX} (next line: {text.strip()!r}); fix the marker or the assignment"
        )
    return texts, problems


def collect(root: Path) -> tuple[list[PowerShellText], list[str]]:
    """All PowerShell texts below ``root`` and every embedding-convention problem."""
    texts = [
        PowerShellText(path=path, label=str(path.relative_to(root)), source=path.read_text(encoding="utf-8-sig"))
        for path in iter_repo_files(root, POWERSHELL_SUFFIXES)
    ]
    problems: list[str] = []
    for path in iter_repo_files(root, (".py",)):
        source = path.read_text(encoding="utf-8")
        if MARKER not in source.lower() and NAME_SUFFIX not in source:
            continue
        embedded, found_problems = embedded_powershell(path, source)
        texts.extend(embedded)
        problems.extend(found_problems)
    return texts, problems


# --------------------------------------------------------------------------------------------------
# Parsing
# --------------------------------------------------------------------------------------------------


def _first_error(node: Node) -> Node | None:
    """First ERROR/MISSING node in document order, descending into ERROR nodes for the most precise one."""
    if node.is_missing:
        return node
    if node.type == "ERROR":
        for child in node.children:
            inner = _first_error(child)
            if inner is not None:
                return inner
        return node
    if not node.has_error:
        return None
    for child in node.children:
        found = _first_error(child)
        if found is not None:
            return found
    return None


def syntax_error(text: PowerShellText) -> str | None:
    """``None`` when ``text`` parses; else a message naming the file, line, column and offending source."""
    tree = _PARSER.parse(text.source.encode("utf-8"))
    if not tree.root_node.has_error:
        return None
    node = _first_error(tree.root_node) or tree.root_node
    row, byte_column = node.start_point
    line_bytes = text.source.encode("utf-8").splitlines()[row] if text.source else b""
    column = len(line_bytes[:byte_column].decode("utf-8", errors="replace"))
    what = f"missing {node.type!r}" if node.is_missing else "syntax error"
    line_text = line_bytes.decode("utf-8", errors="replace").strip()
    return f"{text.location(row, column)}: PowerShell {what} in {text.label}: {line_text!r}"


TEXTS, CONVENTION_PROBLEMS = collect(REPO_ROOT)


@pytest.mark.parametrize("text", TEXTS, ids=[text.label for text in TEXTS])
def test_powershell_parses(text: PowerShellText) -> None:
    assert syntax_error(text) is None, syntax_error(text)


def test_embedded_powershell_follows_the_marker_convention() -> None:
    assert CONVENTION_PROBLEMS == [], "\n".join(CONVENTION_PROBLEMS)


# --------------------------------------------------------------------------------------------------
# Self-tests: the check can fail, and it looks in the right place
# --------------------------------------------------------------------------------------------------

_BROKEN_SNIPPET = "function f { if ($x -eq 1 { } }\n"


def test_broken_snippet_is_flagged() -> None:
    message = syntax_error(PowerShellText(path=Path("snippet.ps1"), label="snippet", source=_BROKEN_SNIPPET))
    assert message is not None
    assert message.startswith("snippet.ps1:1:")


@pytest.mark.parametrize(
    "source",
    [
        "$x = (\n",
        "try { Get-Item C:\\x }\ncatch {\n",
        "$h = @{ a = 1\n",
        "param([string]$Root\nGet-ChildItem $Root\n",
    ],
)
def test_other_broken_snippets_are_flagged(source: str) -> None:
    assert syntax_error(PowerShellText(path=Path("s.ps1"), label="s", source=source)) is not None


def test_valid_snippet_passes() -> None:
    source = (
        "param([Parameter(Mandatory)][string]$Root)\n"
        "$ErrorActionPreference = 'Stop'\n"
        "$files = Get-ChildItem -LiteralPath $Root -Filter '*.lic' | Where-Object { -not $_.PSIsContainer }\n"
        "$here = @'\nnot parsed: ( {\n'@\n"
        "try { [xml]$doc = Get-Content -LiteralPath (Join-Path $Root 'a.xml') -Raw } catch { throw }\n"
        "[pscustomobject]@{ count = @($files).Count; names = @($files | ForEach-Object Name) }\n"
    )
    assert syntax_error(PowerShellText(path=Path("ok.ps1"), label="ok", source=source)) is None


def test_error_location_maps_to_python_file_lines(tmp_path: Path) -> None:
    source = 'import os\n\n# powershell\nBROKEN_PS = r"""\nWrite-Output 1\n$x = (\n"""\n'
    module = tmp_path / "mod.py"
    module.write_text(source, encoding="utf-8")
    texts, problems = embedded_powershell(module, source)
    assert problems == []
    assert [t.label.endswith("::BROKEN_PS") for t in texts] == [True]
    message = syntax_error(texts[0])
    assert message is not None and message.startswith(f"{module}:6:"), message


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ('# powershell\nNOT_PS_NAME = """x"""\n', "not directly followed"),
        ('# powershell\n\nGATHER_PS = """x"""\n', "not directly followed"),
        ('GATHER_PS = """\nGet-Item x\n"""\n', "line above is not"),
        ('# powershell\nGATHER_PS = f"""{1}"""\n', "not a triple-quoted string literal"),
        ('# powershell\nGATHER_PS = "single"\n', "not a triple-quoted string literal"),
    ],
)
def test_marker_convention_violations_are_reported(tmp_path: Path, source: str, expected: str) -> None:
    texts, problems = embedded_powershell(tmp_path / "m.py", source)
    assert texts == []
    assert any(expected in problem for problem in problems), problems


def test_marker_inside_string_and_indented_assignment(tmp_path: Path) -> None:
    source = (
        'DOC = """\n# powershell\n"""\n'
        "class Backend:\n"
        "    # powershell\n"
        "    QUERY_PS = '''\n    Get-Service -Name 'Citrix Licensing'\n    '''\n"
    )
    texts, problems = embedded_powershell(tmp_path / "m.py", source)
    assert problems == []
    assert [(t.label.rsplit("::", 1)[-1], t.line_offset) for t in texts] == [("QUERY_PS", 5)]
    assert syntax_error(texts[0]) is None


def test_finder_scans_the_repository_root() -> None:
    galaxy = REPO_ROOT / "galaxy.yml"
    assert galaxy.is_file(), f"{REPO_ROOT} is not the collection root (no galaxy.yml)"
    text = galaxy.read_text(encoding="utf-8")
    assert re.search(r"^namespace:\s*ctxlic\s*$", text, re.M) and re.search(r"^name:\s*license_server\s*$", text, re.M)
    assert Path(__file__).resolve() in set(iter_repo_files(REPO_ROOT, (".py",)))


def test_finder_includes_and_excludes_the_right_paths(tmp_path: Path) -> None:
    wanted = [
        tmp_path / "plugins" / "files" / "gather.ps1",
        tmp_path / "roles" / "x" / "files" / "Mod.PSM1",
    ]
    unwanted = [
        tmp_path / ".venv" / "bin" / "Activate.ps1",
        tmp_path / ".build" / "sanity" / "copy.ps1",
        tmp_path / "tests" / "output" / "x.ps1",
        tmp_path / "plugins" / "files" / "notes.txt",
    ]
    for path in wanted + unwanted:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("Write-Output 1\n", encoding="utf-8")
    assert list(iter_repo_files(tmp_path, POWERSHELL_SUFFIXES)) == sorted(wanted)


def test_collect_reads_files_and_embedded_texts(tmp_path: Path) -> None:
    (tmp_path / "a.ps1").write_text("\ufeffWrite-Output 1\n", encoding="utf-8")
    (tmp_path / "m.py").write_text('# powershell\nX_PS = """\nWrite-Output 2\n"""\n', encoding="utf-8")
    texts, problems = collect(tmp_path)
    assert problems == []
    assert sorted(t.source.strip() for t in texts) == ["Write-Output 1", "Write-Output 2"]
