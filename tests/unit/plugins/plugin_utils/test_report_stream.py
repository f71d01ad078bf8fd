# Copyright: (c) 2026, ctxlic maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Streamed reports (issue 18 item 3): the pieces join to the text, the file is that text, a failure writes nothing."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
from report_factory import fleet_model

from ansible_collections.ctxlic.license_server.plugins.plugin_utils._common.errors import CtxlicError
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._compliance import report_render
from report_factory import patch_render
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._compliance.report_render import (
    EXTENSIONS,
    FORMATS,
    iter_render,
    render,
)
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._store import report_writer
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._store.report_writer import write_reports


@pytest.fixture(scope="module")
def model() -> dict:
    return fleet_model()


@pytest.mark.parametrize("fmt", FORMATS)
def test_small_pieces_join_to_the_one_piece_text(model, fmt, monkeypatch):
    """A row or suite lost or doubled at a piece boundary would make the texts differ."""
    patch_render(monkeypatch, "_ROWS_PER_PIECE", 10**9)
    patch_render(monkeypatch, "_TEMPLATE_PIECES", 10**9)
    whole = list(iter_render(model, fmt))
    patch_render(monkeypatch, "_ROWS_PER_PIECE", 1)
    patch_render(monkeypatch, "_TEMPLATE_PIECES", 3)
    pieces = list(iter_render(model, fmt))
    assert "".join(pieces) == "".join(whole) == render(model, fmt)
    if fmt != "json":
        assert len(pieces) > len(model["servers"]) // 2  # written in pieces, not as one text


def test_html_sections_in_any_piece_size_join_to_the_same_text(model, monkeypatch):
    """The per-server sections (r_html.HtmlSections) lose or double no server at a piece boundary."""
    patch_render(monkeypatch, "_SECTION_SERVERS", 10**9)
    whole = render(model, "html")
    patch_render(monkeypatch, "_SECTION_SERVERS", 1)
    patch_render(monkeypatch, "_TEMPLATE_PIECES", 1)
    pieces = list(iter_render(model, "html"))
    assert "".join(pieces) == whole
    assert len(pieces) > 7 * len(model["servers"])  # every section written server by server
    assert "\x00" not in whole  # no section marker left in the report


@pytest.mark.parametrize("write_chars", [1, 7, 1 << 18])
def test_streamed_files_are_byte_identical_to_the_rendered_text(tmp_path, model, monkeypatch, write_chars):
    """Pieces gathered, or cut (1 and 7 characters split multi-byte characters' neighbours), write the same bytes."""
    patch_render(monkeypatch, "_ROWS_PER_PIECE", 1)
    patch_render(monkeypatch, "_TEMPLATE_PIECES", 3)
    monkeypatch.setattr(report_writer, "WRITE_CHARS", write_chars)
    paths = write_reports(model, tmp_path, FORMATS, json_indent=2 if write_chars == 7 else None)
    for fmt in FORMATS:
        expected = render(model, fmt, json_indent=2 if write_chars == 7 else None).encode("utf-8")
        with open(paths[fmt], "rb") as handle:
            assert handle.read() == expected, fmt


def test_junit_is_the_whole_tree_indented(model):
    """The suite-by-suite writer produces what ElementTree writes for the whole tree, totals included."""
    text = render(model, "junit")
    root = ET.fromstring(text.encode("utf-8"))
    for elem in root.iter():
        elem.tail = None
        if elem.text is not None and not elem.text.strip():
            elem.text = None
    ET.indent(root)
    assert text == '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
    cases = root.findall("./testsuite/testcase")
    assert int(root.get("tests")) == len(cases) > 0
    assert int(root.get("failures")) == len(root.findall("./testsuite/testcase/failure"))
    assert int(root.get("skipped")) == len(root.findall("./testsuite/testcase/skipped"))


def _old_reports(directory) -> dict:
    directory.mkdir()
    old = {}
    for fmt in FORMATS:
        path = directory / f"compliance_report.{EXTENSIONS[fmt]}"
        path.write_text(f"old {fmt}")
        old[path.name] = f"old {fmt}"
    return old


def test_a_failure_midway_leaves_every_report_as_it_was(tmp_path, model, monkeypatch):
    """HTML fails after some pieces are on disk (JSON, CSV, Markdown already complete): nothing is replaced."""
    out = tmp_path / "out"
    old = _old_reports(out)
    real = report_render._RENDERERS["html"]

    def broken(shared):
        pieces = real(shared)
        yield next(pieces, "")
        yield "x" * (report_writer.WRITE_CHARS + 1)  # written to the temporary file
        raise RuntimeError("renderer broke")

    monkeypatch.setitem(report_render._RENDERERS, "html", broken)
    with pytest.raises(RuntimeError, match="renderer broke"):
        write_reports(model, out, FORMATS)
    assert {p.name: p.read_text() for p in out.iterdir()} == old  # no temporary file left either


def test_a_write_error_midway_is_a_ctxlic_error_and_replaces_nothing(tmp_path, model, monkeypatch):
    out = tmp_path / "out"
    old = _old_reports(out)
    real = report_writer._write_pieces
    calls = []

    def full_disk(handle, pieces):
        calls.append(1)
        if len(calls) == 3:
            handle.write(b"partial")
            raise OSError(28, "No space left on device")
        real(handle, pieces)

    monkeypatch.setattr(report_writer, "_write_pieces", full_disk)
    with pytest.raises(CtxlicError, match=r"markdown report .*No space left on device"):
        write_reports(model, out, FORMATS)
    assert {p.name: p.read_text() for p in out.iterdir()} == old
