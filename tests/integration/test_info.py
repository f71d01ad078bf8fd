# Copyright: (c) 2026, ctxlic maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""End to end: ``ctxlic.license_server.info`` against lab hosts through real ansible-playbook runs."""

from __future__ import annotations

from ansible_collections.ctxlic.license_server.plugins.plugin_utils.lab.fleet import HostSpec
from ansible_collections.ctxlic.license_server.plugins.plugin_utils.lab.layout import INSTALL_REG_KEY
from clock import TODAY

INFO_PLAY = """
- hosts: all
  gather_facts: false
  tasks:
    - name: gather
      ctxlic.license_server.info:
      register: ls
"""


def test_info_reads_every_host_in_one_call(make_fleet):
    fleet = make_fleet(
        [
            HostSpec("ls01", version="11.17.2.0 build 45000"),
            HostSpec("ls02", version="11.17.2.0 build 49000", reporting="manual", hostname="Ls02"),
            HostSpec(
                "ls03",
                version="11.17.2.0 build 51000",
                licenses=[{"file": "FID_a.lic", "features": [{"feature": "XDT_PLT_UD", "count": 10}]}],
            ),
        ]
    )
    result = fleet.run(INFO_PLAY)
    assert result.rc == 0, result.stdout[-2000:]
    gathered = result.task_results("gather")
    assert set(gathered) == {"ls01", "ls02", "ls03"}
    for host, res in gathered.items():
        server = res["server"]
        assert res["changed"] is False
        assert res["remote_calls"] == 1, f"{host} made {res['remote_calls']} remote calls"
        assert server["installed"] is True
        assert server["install_dir"] == r"C:\Program Files (x86)\Citrix\Licensing"
        assert {s["name"] for s in server["services"]} == {
            "Citrix Licensing",
            "CitrixWebServicesforLicensing",
            "CitrixLicensingSupportService",
        }
        assert all(s["state"] == "running" for s in server["services"])
        assert server["disk"]["free_bytes"] > 0
        assert server["problems"] == []
    assert gathered["ls01"]["server"]["version"]["build"] == 45000
    assert gathered["ls01"]["server"]["reporting_mode"] == "automatic"
    assert gathered["ls02"]["server"]["reporting_mode"] == "manual"
    assert gathered["ls02"]["server"]["hostname"] == "Ls02"  # exactly as lmhostid prints it
    assert gathered["ls03"]["server"]["version"]["text"] == "11.17.2.0 build 51000"
    assert [f["name"] for f in gathered["ls03"]["server"]["licenses"]["files"]] == ["FID_a.lic", "citrix_startup.lic"]


def test_info_in_check_mode_changes_nothing(make_fleet):
    fleet = make_fleet([HostSpec("ls01")])
    before = sorted(p.name for p in fleet.host_root("ls01").rglob("*"))
    result = fleet.run(INFO_PLAY, check=True)
    assert result.rc == 0
    assert result.task_results("gather")["ls01"]["server"]["installed"] is True
    assert sorted(p.name for p in fleet.host_root("ls01").rglob("*")) == before


def test_info_on_odd_hosts_gives_clear_results(make_fleet):
    fleet = make_fleet(
        [
            HostSpec("bad-version", registry_version_override="eleven point seventeen"),
            HostSpec("bare", version=None),
            HostSpec("broken"),
        ]
    )
    # Broken layout: the registry still names the install directory, the directory is gone.
    import shutil

    shutil.rmtree(fleet.path("broken", r"C:\Program Files (x86)\Citrix\Licensing"))
    result = fleet.run(INFO_PLAY)
    assert result.rc == 0, result.stdout[-2000:]
    assert "Traceback" not in result.stdout + result.stderr
    gathered = result.task_results("gather")
    bad = gathered["bad-version"]["server"]
    assert bad["installed"] is True and bad["version"]["build"] is None
    assert "eleven point seventeen" in bad["version"]["error"]
    assert any("registry version is malformed" in p for p in bad["problems"])
    bare = gathered["bare"]["server"]
    assert bare["installed"] is False and bare["version"] is None
    assert all(not s["exists"] for s in bare["services"])
    broken = gathered["broken"]["server"]
    assert broken["installed"] is True
    assert any("does not exist" in p for p in broken["problems"])
    assert fleet.state("broken").registry[INSTALL_REG_KEY]["LS_Install_Dir"]


def test_info_reports_unreachable_hosts_as_unreachable(make_fleet):
    fleet = make_fleet([HostSpec("ls01"), HostSpec("gone", unreachable=True)])
    result = fleet.run(INFO_PLAY)
    assert result.stats()["gone"]["unreachable"] == 1
    assert result.stats()["ls01"]["ok"] >= 1


def test_info_fails_clearly_for_a_wrong_lab_root(make_fleet, tmp_path):
    fleet = make_fleet([HostSpec("ls01")])
    result = fleet.run(INFO_PLAY, extra_vars={"ctxlic_lab_root": str(tmp_path / "nowhere")})
    res = result.task_results("gather")["ls01"]
    assert res["failed"] is True
    assert "is not a lab host" in res["msg"]
    assert "Traceback" not in result.stdout


def test_info_record_carries_what_the_report_needs(make_fleet):
    from ansible_collections.ctxlic.license_server.plugins.plugin_utils.lab.fleet import demo_specs

    specs = [s for s in demo_specs(TODAY) if not s.unreachable]
    fleet = make_fleet(specs)
    result = fleet.run(INFO_PLAY)
    assert result.rc == 0, result.stdout[-2000:]
    servers = {h: r["server"] for h, r in result.task_results("gather").items()}
    for host, server in servers.items():
        assert res_calls(result, host) == 1
    # upload results (seed 001 format) and their age at the host's clock
    assert servers["ls-current-01"]["upload"]["status"] == "success"
    assert servers["ls-current-01"]["upload"]["age_days"] == 1.0
    firewalled = servers["ls-firewalled"]["upload"]
    assert firewalled["status"] == "failure" and firewalled["code"] == "CTX_UPLOADER_ERROR_NETWORK_OPEN"
    assert firewalled["hint"]
    assert "WSAHOST_NOT_FOUND" in servers["ls-dns-failing"]["upload"]["message"]
    assert servers["ls-not-installed"]["upload"]["status"] == "unknown"
    # manual-upload zips in both folders, both spellings
    stale = servers["ls-manual-stale"]["pending_uploads"]
    assert stale["count"] == 10 and stale["oldest"].startswith("2026-07-25")
    assert servers["ls-manual-fresh"]["pending_uploads"]["count"] == 4  # includes "cis bundles\ul_usage"
    assert any("cis bundles" in f["path"] for f in servers["ls-manual-fresh"]["pending_uploads"]["files"])
    # proxy from SimpleLicenseServiceConfig.xml
    assert servers["ls-current-02"]["proxy"] == {"configured": True, "value": "proxy.corp.example:8080", "findings": []}
    assert servers["ls-current-01"]["proxy"]["configured"] is False
    # license inventory: parsed files, expired lines, files the LS ignores, in-use counts from lmstat
    expired = servers["ls-expired-licenses"]["licenses"]
    assert [e["feature"] for e in expired["summary"]["expired"]] == ["XDT_ENT_UD"]
    two = {f["name"]: f for f in servers["ls-two-hostnames"]["licenses"]["files"]}
    assert two["FID_two_hosts.lic"]["errors"]
    assert servers["ls-current-01"]["licenses"]["in_use"]["XDT_PLT_UD"] == 212
    import json
    import re

    lic = fleet.path("ls-current-01", r"C:\Program Files (x86)\Citrix\Licensing\MyFiles\FID_current01.lic").read_text()
    signature = re.search(r'SIGN="([^"]+)"', lic).group(1)
    assert signature[:14] not in json.dumps(servers["ls-current-01"])  # signatures are never returned
    # upgrade window from the shipped catalog
    # The shipped catalog ends at 51000 (December 2024): on 2026-11-22 it cannot prove that no newer release
    # exists, so the newest catalogued build is unknown, with the reason, never current.
    window = servers["ls-current-01"]["window"]
    assert window["status"] == "unknown" and window["unknown_reason"] == "catalog_stale", window
    assert servers["ls-overdue-upgrade"]["window"]["status"] == "overdue"
    assert servers["ls-below-floor"]["window"]["status"] == "below_floor"
    assert servers["ls-not-installed"]["window"] is None


def res_calls(result, host):
    return result.task_results("gather")[host]["remote_calls"]


def test_info_carries_the_cluster_access_point_from_the_host_variable(make_fleet):
    """Citrix Licensing 11.17.2 build 49000 documentation, Clustered License Servers (seed 004 ~4644, ~4663): the
    record names the client access point the fleet report judges bindings against; 15+ characters are warned."""
    fleet = make_fleet([HostSpec("ls01")])
    result = fleet.run(INFO_PLAY, extra_vars={"ctxlic_cluster_access_point": "LSCLUSTER000001"})
    res = result.task_results("gather")["ls01"]
    assert res["server"]["cluster_access_point"] == "LSCLUSTER000001"
    assert any("fewer than 15 characters" in w for w in res.get("warnings", []))
    plain = fleet.run(INFO_PLAY).task_results("gather")["ls01"]
    assert "cluster_access_point" not in plain["server"]
