# Copyright: (c) 2026, ctxlic maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
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

from ansible_collections.ctxlic.license_server.plugins.plugin_utils._compliance.report_render import (
    clean_text,
)
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._store.report_writer import write_reports

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


# --------------------------------------------------------------------------- issue 15 item 4: the headline


def _png_pixels(data: bytes) -> tuple[int, int, list[bytes]]:
    """Decode an 8-bit RGB/RGBA non-interlaced PNG (what Chromium writes) into rows of raw pixel bytes."""
    import struct
    import zlib

    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat, width = 8, b"", 0
    height = channels = 0
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        chunk = data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            width, height, depth, colour, _c, _f, interlace = struct.unpack(">IIBBBBB", chunk)
            assert depth == 8 and interlace == 0 and colour in (2, 6), (depth, colour, interlace)
            channels = 3 if colour == 2 else 4
        elif kind == b"IDAT":
            idat += chunk
        pos += 12 + length
    raw, stride, rows, prev = zlib.decompress(idat), width * channels, [], bytearray(width * channels)
    for y in range(height):
        filt, line = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            left = line[i - channels] if i >= channels else 0
            up, up_left = prev[i], prev[i - channels] if i >= channels else 0
            if filt == 1:
                line[i] = (line[i] + left) & 0xFF
            elif filt == 2:
                line[i] = (line[i] + up) & 0xFF
            elif filt == 3:
                line[i] = (line[i] + (left + up) // 2) & 0xFF
            elif filt == 4:
                p = left + up - up_left
                pa, pb, pc = abs(p - left), abs(p - up), abs(p - up_left)
                line[i] = (line[i] + (left if pa <= pb and pa <= pc else up if pb <= pc else up_left)) & 0xFF
        rows.append(bytes(line) if channels == 3 else bytes(b for j, b in enumerate(line) if j % 4 != 3))
        prev = line
    return width, height, rows


def _overdue_fleet_html(tmp_path_factory) -> Path:
    """The default 3-host lab's shape: telemetry fine (FAQ status Compliant), every server's upgrade overdue."""
    factory = _factory()
    from ansible_collections.ctxlic.license_server.plugins.plugin_utils._compliance.fleet import evaluate_fleet
    from ansible_collections.ctxlic.license_server.plugins.plugin_utils._compliance.server_checks import evaluate_server
    from ansible_collections.ctxlic.license_server.plugins.plugin_utils._compliance.report_model import build_report

    window = {"status": "overdue", "deadline": factory.day(-200), "days_overdue": 200,
              "latest": "11.17.2 build 52000", "required_release": {"version": "11.17.2 build 46000"}}
    hosts = ("ls01", "ls02", "ls03")
    results = [evaluate_server(factory.make_record(h, window=window), as_of=factory.AS_OF) for h in hosts]
    fleet = evaluate_fleet(results, catalog=factory.CATALOG, as_of=factory.AS_OF)
    model = build_report(fleet, results, generated_at=factory.AS_OF, title="License Server compliance",
                         catalog=factory.CATALOG, as_of=factory.AS_OF, options={"collection_version": "0.1.0"})
    assert model["fleet"]["status"] == "Compliant"
    out = tmp_path_factory.mktemp("overdue")
    return Path(write_reports(model, out, ["html"])["html"])


def test_headline_for_a_non_compliant_fleet(tmp_path_factory, tmp_path):
    path = _overdue_fleet_html(tmp_path_factory)
    run = chromium(tmp_path, "--dump-dom", path.as_uri())
    assert run.returncode == 0, run.stderr[-2000:]
    doc = lxml.html.fromstring(run.stdout)
    headline = " ".join(doc.xpath("//section[contains(@class,'banner')]")[0].xpath(".//strong")[0].text_content()
                        .split())
    assert headline == "\u2716 Action required: 3 of 3 servers non-compliant"
    text = " ".join(doc.text_content().split())
    assert text.index("Action required: 3 of 3 servers non-compliant") < text.index("Fleet telemetry status")
    assert text.index("Fleet telemetry status (Citrix License Telemetry FAQ, telemetry only): ? Compliant") > 0

    # The screenshot's top (what a reader sees first) shows the red verdict banner and no green at all.
    shot = tmp_path / "top.png"
    run = chromium(tmp_path, "--window-size=1400,700", "--hide-scrollbars", f"--screenshot={shot}", path.as_uri())
    assert run.returncode == 0, run.stderr[-2000:]
    width, height, rows = _png_pixels(shot.read_bytes())
    assert (width, height) == (1400, 700)
    fail_bg, pass_bg = bytes((0xFF, 0xEB, 0xE9)), bytes((0xDA, 0xFB, 0xE1))
    pixels = [row[i:i + 3] for row in rows for i in range(0, len(row), 3)]
    assert sum(1 for p in pixels if p == fail_bg) > 20_000  # the verdict banner (tone-fail background)
    assert sum(1 for p in pixels if p == pass_bg) == 0  # no green (tone-pass background) above the fold
