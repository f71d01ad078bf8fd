# Copyright: (c) 2026, ctxlic maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The lab's connectivity probe must answer what the lab's daily uploader would do (lab/probe.py vs lab/uploader.py)."""

from __future__ import annotations

import itertools
import json
import subprocess
from datetime import timedelta
from pathlib import Path

import pytest

from ansible_collections.ctxlic.license_server.plugins.plugin_utils._telemetry import reporting
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._telemetry.connectivity import verdict
from ansible_collections.ctxlic.license_server.plugins.plugin_utils.lab import probe as lab_probe
from ansible_collections.ctxlic.license_server.plugins.plugin_utils.lab.fleet import HostSpec, create_fleet
from ansible_collections.ctxlic.license_server.plugins.plugin_utils.lab.layout import DEFAULT_INSTALL_DIR, win_to_lab
from ansible_collections.ctxlic.license_server.plugins.plugin_utils.lab.state import HostState
from ansible_collections.ctxlic.license_server.plugins.plugin_utils.lab.uploader import simulate_day
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._telemetry.proxy_config import set_proxy
from clock import NOW

PROXY = "proxy.lab:3128"


@pytest.fixture(scope="module")
def lab_host(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("probe-fleet")
    create_fleet(root, [HostSpec("ls01")], start=NOW)
    return root / "hosts" / "ls01"


def _configure(host: Path, network: dict, proxy: str | None) -> bytes:
    HostState(host).update_host(network=network)
    config = win_to_lab(host, DEFAULT_INSTALL_DIR + r"\WebServicesForLicensing\SimpleLicenseServiceConfig.xml")
    content = set_proxy(config.read_bytes(), proxy).content
    config.write_bytes(content)
    return content


NETWORKS = [
    {"dns": dns, "direct": direct, "proxies": proxies}
    for dns, direct, proxies in itertools.product(
        (True, False), (True, False), ({}, {PROXY: True}, {PROXY: False}))
]


@pytest.mark.parametrize("configured", [None, PROXY, "other.lab:8080"])
@pytest.mark.parametrize("network", NETWORKS, ids=lambda n: json.dumps(n, sort_keys=True))
def test_probe_verdict_matches_the_simulated_upload(lab_host, network, configured):
    content = _configure(lab_host, network, configured)
    outcome = simulate_day(lab_host, NOW + timedelta(days=1))
    chosen = reporting.proxy_for_probe(None, content, "SimpleLicenseServiceConfig.xml")
    raw = lab_probe.probe(network, "cis.citrix.com", 443, chosen.value, 10)
    judged = verdict(reporting.probe_steps(raw, chosen))
    assert judged["ok"] is (outcome == "success"), (outcome, judged)
    if outcome != "success" and configured is None:
        assert judged["verdict"] == ("dns_failure" if not network["dns"] else "blocked")
    if configured is not None:
        assert judged["verdict"] in ("proxy_ok", "proxy_failed")


def test_probe_shapes_like_the_windows_script():
    steps = lab_probe.probe({"dns": True, "direct": False, "proxies": {PROXY: False}}, "cis.citrix.com", 443, PROXY, 7)
    assert steps == {
        "dns": {"ok": True, "addresses": [lab_probe.LAB_ADDRESS], "error": None},
        "direct": {"ok": False, "error": "connect to cis.citrix.com:443 timed out after 7 s"},
        "proxy": {"configured": True, "status_line": "HTTP/1.1 403 Forbidden", "error": None},
    }
    unlisted = lab_probe.probe({}, "cis.citrix.com", 443, "nowhere.lab:1", 3)["proxy"]
    assert unlisted == {"configured": True, "status_line": None,
                        "error": "connect to nowhere.lab:1 timed out after 3 s"}


def test_labctl_probe_command(lab_host):
    HostState(lab_host).update_host(network={"dns": False, "direct": True, "proxies": {}})
    labctl = str(lab_host / ".lab" / "bin" / "labctl")
    run = subprocess.run([labctl, "probe", "--upload-host", "cis.citrix.com", "--port", "443"],
                         capture_output=True, text=True, check=False)
    assert run.returncode == 0, run.stderr
    assert json.loads(run.stdout)["dns"] == {"ok": False, "addresses": [], "error": lab_probe.NO_SUCH_HOST}
    for bad in (["probe"], ["probe", "--upload-host"], ["probe", "--upload-host", "x", "--port", "abc"]):
        run = subprocess.run([labctl, *bad], capture_output=True, text=True, check=False)
        assert run.returncode == 2 and "usage: labctl probe" in run.stderr
