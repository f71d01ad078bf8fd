# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The connectivity action plugin; probes answer as the lab's network model answered them (recorded)."""

from __future__ import annotations

import base64

from act2_recorded import PROXY_XML, recorded
from fake_host import FakeHost

from ansible_collections.ctxlic.license_server.plugins.plugin_utils._common.constants import (
    INSTALL_REG_KEY,
    INSTALL_REG_VALUE,
)

PROXY = "proxy.corp.example:8080"
INSTALL = r"C:\Program Files (x86)\Citrix\Licensing"
LAS = [("api.cloud.com", 443), ("api-us.cloud.com", 443)]


def lab(name: str, *, installed: bool = True) -> FakeHost:
    """The recorded lab host ``name`` (behindproxy: only the proxy forwards; firewalled: nothing gets out)."""
    data = recorded("act2_probes.json")
    answers = {(p["upload_host"], p["port"], p["proxy"], p["timeout"]): p["answer"]
               for p in data["probes"] if p["host"] == name}

    def probe(upload_host, port, proxy, timeout):
        return answers[(upload_host, port, proxy, timeout)]

    files = {path: base64.b64decode(text) for path, text in data["files"][name].items() if text is not None}
    registry = {(INSTALL_REG_KEY, INSTALL_REG_VALUE): INSTALL} if installed else {}
    return FakeHost(files=files, registry=registry, probe=probe)


def probes(host: FakeHost) -> list[tuple]:
    """Every target probed, as (host, port, proxy, timeout), from the recorded one-call probes."""
    return [(*target, proxy, timeout) for op, (targets, proxy, timeout) in
            ((op, args) for op, args in host.log if op == "probe_many") for target in targets]


def test_the_configured_proxy_is_read_and_every_target_probed_through_it(run_action) -> None:
    host = lab("behindproxy")
    result = run_action("connectivity", {}, host)
    assert result["changed"] is False and not result.get("failed"), result
    assert result["proxy"] == PROXY and result["proxy_source"] == "config" and result["config_path"] == PROXY_XML
    assert result["ok"] is True and result["las_ok"] is True
    assert [las["endpoint"] for las in result["las"]] == [endpoint[0] for endpoint in LAS]
    assert probes(host) == [("cis.citrix.com", 443, PROXY, 10), *((h, p, PROXY, 10) for h, p in LAS)]
    assert host.operations() == ["registry_value", "read_file", "probe_many"]  # every target in one call
    assert host.changes() == []


def test_a_closed_direct_route_is_reported_not_failed(run_action) -> None:
    host = lab("firewalled")
    result = run_action("connectivity", {"timeout": 10}, host)
    assert result["changed"] is False and not result.get("failed")
    assert result["ok"] is False and result["las_ok"] is False and result["proxy"] is None
    assert result["steps"]["direct"]["ok"] is False
    assert "timed out" in result["steps"]["direct"]["error"]
    assert probes(host) == [("cis.citrix.com", 443, None, 10), *((h, p, None, 10) for h, p in LAS)]


def test_a_proxy_option_wins_and_the_file_is_not_read(run_action) -> None:
    host = lab("behindproxy")
    result = run_action("connectivity", {"proxy": PROXY, "las_endpoints": ["api.cloud.com:443"]}, host)
    assert result["proxy_source"] == "option" and result["ok"] is True
    assert result["las_source"] == "the las_endpoints option"
    assert host.operations() == ["probe_many"]


def test_no_installation_probes_the_direct_path_with_a_warning(run_action) -> None:
    host = lab("firewalled", installed=False)
    result = run_action("connectivity", {}, host, check_mode=True)
    assert result["config_path"] is None and result["findings"] == []
    assert result["warnings"][0].startswith("the License Server is not installed")
    assert result["warnings"][0].endswith("no proxy configuration could be read, so only the direct path is probed")
    assert host.changes() == []


def test_bad_input_fails_before_the_host_is_touched(run_action) -> None:
    for args in ({"port": 0}, {"timeout": 0}, {"proxy": "http://"}, {"upload_host": "bad host"},
                 {"las_endpoints": ["api.cloud.com:notaport"]}):
        result = run_action("connectivity", args, None)
        assert result["failed"] is True, args
