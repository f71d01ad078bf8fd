"""The HTML compliance report in a real browser: headless Chromium renders it, hostile names stay text.

Skipped only when no ``chromium`` binary is on PATH. The report is built from the same mixed
test fleet the unit tests use (tests/unit/plugins/plugin_utils/report_factory.py).
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
from pathlib import Path

import lxml.html
import pytest

from ansible_collections.ctxlic.license_server.plugins.plugin_utils.report_render import clean_text
from ansible_collections.ctxlic.license_server.plugins.plugin_utils.report_writer import write_reports

CHROMIUM = shutil.which("chromium")
FACTORY = Path(__file__).resolve().parents[1] / "unit" / "plugins" / "plugin_utils" / "report_factory.py"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(CHROMIUM is None, reason="headless Chromium not installed: no 'chromium' binary on PATH"),
]


def _factory():
    if "report_factory" in sys.modules:
        return sys.modules["report_factory"]
    spec = importlib.util.spec_from_file_location("report_factory", FACTORY)
    module = importlib.util.module_from_spec(spec)
    sys.modules["report_factory"] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def report(tmp_path_factory) -> tuple[dict, Path]:
    model = _factory().fleet_model()
    out = tmp_path_factory.mktemp("report")
    paths = write_reports(model, out, ["html"])
    return model, Path(paths["html"])


def chromium(tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    """Run headless Chromium with networking and background services off, bounded to 60 s."""
    profile = tmp_path / "profile"
    profile.mkdir(exist_ok=True)
    argv = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync",
            f"--user-data-dir={profile}", *args]
    env = {**os.environ, "HOME": str(tmp_path)}
    try:
        return subprocess.run(argv, capture_output=True, text=True, timeout=60, check=False, env=env)
    except subprocess.TimeoutExpired as exc:
        pytest.fail(f"chromium did not finish within 60 s: {exc}")


def normalise(text: str) -> str:
    return " ".join(clean_text(text).split())


def test_rendered_dom(report, tmp_path):
    model, path = report
    run = chromium(tmp_path, "--dump-dom", path.as_uri())
    assert run.returncode == 0, run.stderr[-2000:]
    dom = run.stdout
    assert "<body" in dom

    # The hostile host name is text, never markup: no script element was created from it.
    assert "<script>alert(1)</script>" not in dom
    assert "<script" not in dom.lower()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in dom
    doc = lxml.html.fromstring(dom)
    assert doc.xpath("//script") == [] and doc.xpath("//img") == []

    text = " ".join(doc.text_content().split())
    for server in model["servers"]:
        assert normalise(server["host"]) in text, server["host"]
    for obsolete in model["obsolete_allocations"]:
        assert normalise(obsolete["host"]) in text
    for label in ("Partially Compliant", "Non-compliant", "Compliant", "Unknown", "PASS", "WARN", "FAIL", "UNKNOWN",
                  "NOT REPORTING"):
        assert label in text, label

    svgs = doc.xpath("//svg")
    assert len(svgs) == 1
    assert len(svgs[0].xpath(".//rect")) == len(model["servers"])
    assert "90-day limit" in svgs[0].text_content()


def test_screenshot(report, tmp_path):
    _model, path = report
    shot = tmp_path / "report.png"
    run = chromium(tmp_path, "--window-size=1280,2400", "--hide-scrollbars", f"--screenshot={shot}", path.as_uri())
    assert run.returncode == 0, run.stderr[-2000:]
    data = shot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert len(data) > 50_000  # a blank page is a few KB; the rendered report is hundreds
