# Copyright: (c) 2026, ctxlic maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""End to end: management_service, proxy, connectivity and the reporting role against lab hosts.

The lab's daily uploader (fleet.advance) is the judge: a host whose direct route is blocked fails its
simulated upload, the proxy module makes the next simulated day succeed, and the connectivity probe
must tell those situations apart before any upload is attempted.
"""

from __future__ import annotations

import json
from pathlib import Path


from ansible_collections.ctxlic.license_server.plugins.plugin_utils.lab.fleet import HostSpec

from module_docs import module_returns

from .conftest import INSTALL, PROXY_XML, play, task

RESULT_XML = INSTALL + r"\LS\resource\cache\upload_compliance_result.xml"
LMS_EXE = INSTALL + r"\LS\ctx_license_management_service.exe"
PROXY = "proxy.lab:3128"
BLOCKED = {"dns": True, "direct": False, "proxies": {PROXY: True}}
NO_DNS = {"dns": False, "direct": False, "proxies": {}}


PROBE = play(task("probe", "connectivity"))
SET_PROXY = play(task("set proxy", "proxy", {"proxy": PROXY}))
REMOVE_PROXY = play(task("remove", "proxy", {"state": "absent"}))


def lms(state: str) -> str:
    return play(task("lms", "management_service", {"state": state}))


def upload_code(fleet, host: str) -> str:
    text = fleet.path(host, RESULT_XML).read_text(encoding="utf-8")
    return text.split("<Code>")[1].split("</Code>")[0]


def service_events(fleet, host: str, name: str = "CitrixWebServicesforLicensing") -> list[dict]:
    return [e for e in fleet.state(host).events() if e["kind"] == "service" and e.get("name") == name]


REPO = Path(__file__).resolve().parents[2]
# Keys Ansible adds: "action" (the json callback), "exception" (ansible-core 2.19 on every failure).
COMMON_KEYS = {"changed", "failed", "msg", "warnings", "diff", "invocation", "skipped", "action", "exception"}


def assert_documented(res: dict, module: str) -> None:
    """Every key the module returned is in its RETURN documentation."""
    documented = set(module_returns(module)) | COMMON_KEYS
    returned = {k for k in res if not k.startswith(("_ansible", "ansible_"))}
    assert returned <= documented, f"{module} returned undocumented keys {sorted(returned - documented)}"


def assert_clean_run(result) -> None:
    assert "Traceback" not in result.stdout + result.stderr, result.stdout[-3000:]


# -- upload path: blocked -> proxy -> success ----------------------------------------------------------------
def test_blocked_upload_is_fixed_by_the_proxy_and_the_probe_tells_the_cases_apart(make_fleet):
    fleet = make_fleet([HostSpec("blocked", network=BLOCKED), HostSpec("nodns", network=NO_DNS),
                        HostSpec("open")])
    fleet.advance(1)
    assert upload_code(fleet, "blocked") == "CTX_UPLOADER_ERROR_NETWORK_OPEN"
    assert upload_code(fleet, "nodns") == "CTX_UPLOADER_ERROR_NETWORK_OPEN"
    assert upload_code(fleet, "open") == "CTX_UPLOADER_SUCCESS"

    before = fleet.run(PROBE)
    assert before.rc == 0, before.stdout[-3000:]
    probed = before.task_results("probe")
    assert {h: r["verdict"] for h, r in probed.items()} == {
        "blocked": "blocked", "nodns": "dns_failure", "open": "direct_ok"}
    assert probed["blocked"]["fix"] == "firewall" and probed["nodns"]["fix"] == "dns"
    assert probed["blocked"]["changed"] is False and probed["blocked"]["proxy_source"] == "none"
    assert probed["blocked"]["steps"]["dns"]["ok"] is True and probed["blocked"]["steps"]["direct"]["ok"] is False
    for res in probed.values():
        assert_documented(res, "connectivity")

    trial = fleet.run(play(task("probe", "connectivity", {"proxy": PROXY})),
                      limit="blocked")
    assert trial.task_results("probe")["blocked"]["verdict"] == "proxy_ok"  # tested before it is configured
    assert trial.task_results("probe")["blocked"]["proxy_source"] == "option"

    configured = fleet.run(SET_PROXY, limit="blocked")
    res = configured.task_results("set proxy")["blocked"]
    assert res["changed"] is True and res["proxy"] == PROXY and res["service_restarted"] is True
    assert f"<Proxy>{PROXY}</Proxy>" in fleet.path("blocked", PROXY_XML).read_text(encoding="utf-8")
    assert [e["state"] for e in service_events(fleet, "blocked")] == ["stopped", "running"]
    assert_documented(res, "proxy")

    after = fleet.run(PROBE, limit="blocked").task_results("probe")["blocked"]
    assert after["verdict"] == "proxy_ok" and after["ok"] is True and after["proxy_source"] == "config"
    assert after["steps"]["proxy"]["status_code"] == 200

    fleet.advance(1)
    assert upload_code(fleet, "blocked") == "CTX_UPLOADER_SUCCESS"
    assert upload_code(fleet, "nodns") == "CTX_UPLOADER_ERROR_NETWORK_OPEN"


def test_a_failing_configured_proxy_is_reported_as_such(make_fleet):
    fleet = make_fleet([HostSpec("ls01", proxy="dead.lab:8080",
                                 network={"dns": True, "direct": True, "proxies": {"dead.lab:8080": False}})])
    probed = fleet.run(PROBE).task_results("probe")["ls01"]
    assert probed["verdict"] == "proxy_failed" and probed["fix"] == "proxy"
    assert probed["steps"]["proxy"]["status_code"] == 403
    fleet.advance(1)
    assert upload_code(fleet, "ls01") == "CTX_UPLOADER_ERROR_NETWORK_OPEN"  # the uploader agrees


# -- License Management Service --------------------------------------------------------------------------------
def test_management_service_round_trip_is_idempotent_and_manual_mode_accumulates_zips(make_fleet):
    fleet = make_fleet([HostSpec("ls01", version="11.17.2.0 build 45000")])
    lms_json = fleet.host_root("ls01") / ".lab" / "lms.json"

    query = fleet.run(lms("query")).task_results("lms")["ls01"]
    assert query["changed"] is False and query["enabled"] is True and query["reporting_mode"] == "automatic"
    assert query["executable"] == LMS_EXE

    planned = fleet.run(lms("disabled"), check=True, diff=True)
    res = planned.task_results("lms")["ls01"]
    assert res["changed"] is True and res["enabled"] is False
    assert json.loads(lms_json.read_text())["enabled"] is True  # check mode changed nothing
    assert "license_management_service: disabled" in res["diff"]["after"]

    disabled = fleet.run(lms("disabled"), diff=True)
    res = disabled.task_results("lms")["ls01"]
    assert res["changed"] is True and res["previous_enabled"] is True and res["enabled"] is False
    assert res["reporting_mode"] == "manual"
    assert "disabled" in res["query_output"]
    assert_documented(res, "management_service")
    assert any("90 days" in w and r"LS\resource\usage" in w and "upload_usage*.zip" in w for w in res["warnings"])
    assert fleet.run(lms("disabled")).task_results("lms")["ls01"]["changed"] is False
    assert fleet.run(lms("query")).task_results("lms")["ls01"]["enabled"] is False

    fleet.advance(3)
    usage = sorted(fleet.path("ls01", INSTALL + r"\LS\resource\usage").glob("upload_compliance*.zip"))
    ul_usage = sorted(fleet.path("ls01", INSTALL + r"\LS\resource\cis_bundles\ul_usage").glob("upload_usage*.zip"))
    assert len(usage) == 3 and len(ul_usage) == 3

    enabled = fleet.run(lms("enabled")).task_results("lms")["ls01"]
    assert enabled["changed"] is True and enabled["enabled"] is True and "warnings" not in enabled
    assert fleet.run(lms("enabled")).task_results("lms")["ls01"]["changed"] is False
    fleet.advance(1)
    assert upload_code(fleet, "ls01") == "CTX_UPLOADER_SUCCESS"
    # Automatic mode: the manual-period zips stay, and the usage folder holds the last automatic upload's bundle
    # (one zip, replaced by the next upload: Citrix Licensing 11.17.2 build 49000 documentation, support-bundle
    # table, "LS\resource\usage ... files included in the last compliance ... upload bundle along with
    # corresponding .zip files").
    after_one = set(fleet.path("ls01", INSTALL + r"\LS\resource\usage").glob("*.zip"))
    assert set(usage) < after_one and len(after_one) == 4
    fleet.advance(1)
    after_two = set(fleet.path("ls01", INSTALL + r"\LS\resource\usage").glob("*.zip"))
    assert set(usage) < after_two and len(after_two) == 4 and after_two != after_one


def test_management_service_says_where_it_looked_and_never_guesses(make_fleet):
    fleet = make_fleet([HostSpec("noexe"), HostSpec("odd"), HostSpec("bare", version=None)])
    fleet.path("noexe", LMS_EXE).unlink()
    odd = fleet.path("odd", LMS_EXE)
    odd.write_text("#!/bin/sh\necho 'Electronic reporting: pending'\n", encoding="utf-8")  # output of an unknown build
    result = fleet.run(lms("disabled"))
    assert_clean_run(result)
    res = result.task_results("lms")
    assert res["noexe"]["failed"] is True and LMS_EXE in res["noexe"]["msg"] and "not found" in res["noexe"]["msg"]
    assert res["odd"]["failed"] is True and res["odd"]["query_output"] == "Electronic reporting: pending\n"
    assert_documented(res["odd"], "management_service")
    assert "could not tell" in res["odd"]["msg"]
    assert json.loads((fleet.host_root("odd") / ".lab" / "lms.json").read_text())["enabled"] is True
    assert res["bare"]["failed"] is True and "LS_Install_Dir does not exist" in res["bare"]["msg"]


# -- proxy module ------------------------------------------------------------------------------------------------
BAD_PROXIES = [
    ("user:secret@proxy.lab:3128", "credentials"),
    ("http://proxy.lab:3128", "scheme"),
    ("proxy.lab:0", "port 0"),
    ("proxy.lab:70000", "above 65535"),
    ("proxy.lab", "has no port"),
    ("proxy.lab :3128", "whitespace"),
    ("proxy lab:3128", "whitespace"),
]


def test_bad_proxy_strings_are_refused_before_the_host_is_touched(make_fleet):
    fleet = make_fleet([HostSpec("ls01")])
    config = fleet.path("ls01", PROXY_XML)
    original = config.read_bytes()
    events_before = fleet.state("ls01").events()
    text = play(task("bad proxy", "proxy", {"proxy": "{{ item }}"}, loop="{{ bad }}", ignore_errors=True))
    result = fleet.run(text, extra_vars={"bad": [value for value, _reason in BAD_PROXIES]})
    assert_clean_run(result)
    loop = result.task_results("bad proxy")["ls01"]["results"]
    assert len(loop) == len(BAD_PROXIES)
    for item, (value, problem) in zip(loop, BAD_PROXIES, strict=True):
        assert item["failed"] is True, value
        assert problem in item["msg"] and item["msg"].startswith("option proxy:"), (value, item["msg"])
        assert "secret" not in item["msg"]
    assert config.read_bytes() == original
    assert fleet.state("ls01").events() == events_before
    # Validation comes first: even a host that is not reachable as a lab host gets the input error.
    nowhere = fleet.run(play(task("bad proxy", "proxy", {"proxy": "proxy.lab:0"})),
                        extra_vars={"ctxlic_lab_root": str(fleet.root / "nowhere")})
    assert "port 0" in nowhere.task_results("bad proxy")["ls01"]["msg"]


def test_proxy_check_mode_diff_restart_idempotence_and_removal(make_fleet):
    fleet = make_fleet([HostSpec("ls01")])
    config = fleet.path("ls01", PROXY_XML)
    original = config.read_bytes()

    planned = fleet.run(SET_PROXY, check=True, diff=True)
    res = planned.task_results("set proxy")["ls01"]
    assert res["changed"] is True and res["service_restarted"] is True and res["backup_file"] is None
    assert f"<Proxy>{PROXY}</Proxy>" in res["diff"]["after"] and "<Proxy>" not in res["diff"]["before"]
    assert res["diff"]["before_header"] == PROXY_XML
    assert config.read_bytes() == original
    assert service_events(fleet, "ls01") == []

    applied = fleet.run(SET_PROXY, diff=True)
    res = applied.task_results("set proxy")["ls01"]
    assert res["changed"] is True and res["previous_proxy"] is None and res["proxy"] == PROXY
    assert res["service_restarted"] is True and res["findings"] == []
    assert f"+<Proxy>{PROXY}</Proxy>" in applied.stdout or f"<Proxy>{PROXY}</Proxy>" in res["diff"]["after"]
    assert fleet.path("ls01", res["backup_file"]).read_bytes() == original
    new = config.read_bytes()
    assert new == original.replace(b"</Configurations>", f"<Proxy>{PROXY}</Proxy>\r\n</Configurations>".encode())
    restarts = len(service_events(fleet, "ls01"))
    assert restarts == 2

    again = fleet.run(SET_PROXY).task_results("set proxy")["ls01"]
    assert again["changed"] is False and again["service_restarted"] is False and again["backup_file"] is None
    assert config.read_bytes() == new and len(service_events(fleet, "ls01")) == restarts

    other = fleet.run(play(task("set proxy", "proxy", {"proxy": "other.lab:8080", "restart_service": False})))
    res = other.task_results("set proxy")["ls01"]
    assert res["changed"] is True and res["previous_proxy"] == PROXY and res["service_restarted"] is False
    assert len(service_events(fleet, "ls01")) == restarts

    removed = fleet.run(REMOVE_PROXY)
    res = removed.task_results("remove")["ls01"]
    assert res["changed"] is True and res["proxy"] is None and res["previous_proxy"] == "other.lab:8080"
    assert config.read_bytes() == original
    assert fleet.run(REMOVE_PROXY) \
        .task_results("remove")["ls01"]["changed"] is False


def test_stopped_web_service_is_not_started(make_fleet):
    fleet = make_fleet([HostSpec("ls01")])
    services = fleet.state("ls01").services
    services["CitrixWebServicesforLicensing"]["state"] = "stopped"
    fleet.state("ls01").write_services(services)
    res = fleet.run(SET_PROXY).task_results("set proxy")["ls01"]
    assert res["changed"] is True and res["service_restarted"] is False
    assert any("is stopped" in w for w in res["warnings"])
    assert fleet.state("ls01").services["CitrixWebServicesforLicensing"]["state"] == "stopped"


def test_wrong_case_proxy_tag_is_reported_and_ignored_by_the_uploader(make_fleet):
    fleet = make_fleet([HostSpec("ls01", network=BLOCKED)])
    config = fleet.path("ls01", PROXY_XML)
    config.write_bytes(config.read_bytes().replace(b"</Configurations>",
                                                   f"<proxy>{PROXY}</proxy>\r\n</Configurations>".encode()))
    wrong = config.read_bytes()

    probed = fleet.run(PROBE).task_results("probe")["ls01"]
    assert probed["verdict"] == "blocked" and probed["proxy_source"] == "none"
    assert [f["code"] for f in probed["findings"]] == ["wrong_case_tag"]
    assert any("case-sensitive" in w for w in probed["warnings"])
    fleet.advance(1)
    assert upload_code(fleet, "ls01") == "CTX_UPLOADER_ERROR_NETWORK_OPEN"

    absent = fleet.run(REMOVE_PROXY)
    res = absent.task_results("remove")["ls01"]
    assert res["changed"] is False and [f["code"] for f in res["findings"]] == ["wrong_case_tag"]
    assert config.read_bytes() == wrong

    fixed = fleet.run(SET_PROXY).task_results("set proxy")["ls01"]
    assert fixed["changed"] is True and [f["code"] for f in fixed["findings"]] == ["wrong_case_tag"]
    assert any("case-sensitive" in w for w in fixed["warnings"])
    fleet.advance(1)
    assert upload_code(fleet, "ls01") == "CTX_UPLOADER_SUCCESS"


BROKEN_FILES = {
    "truncated": (b"<Configurations>\r\n<EncoreConfiguration>\r\n", "not well-formed"),
    "empty": (b"", "is empty"),
    "otherroot": (b"<Settings><Proxy>a.lab:1</Proxy></Settings>", "not <Configurations>"),
    "doctype": (b'<!DOCTYPE x [<!ENTITY e "a.lab:1">]><Configurations><Proxy>&e;</Proxy></Configurations>',
                "DOCTYPE"),
}


def test_a_file_that_does_not_parse_is_refused_unchanged(make_fleet):
    fleet = make_fleet([HostSpec(name) for name in BROKEN_FILES])
    for name, (content, _needle) in BROKEN_FILES.items():
        fleet.path(name, PROXY_XML).write_bytes(content)
    result = fleet.run(SET_PROXY, diff=True)
    assert_clean_run(result)
    results = result.task_results("set proxy")
    for name, (content, needle) in BROKEN_FILES.items():
        res, config = results[name], fleet.path(name, PROXY_XML)
        assert res["failed"] is True and needle in res["msg"], (name, res["msg"])
        assert config.read_bytes() == content
        assert service_events(fleet, name) == []
        assert not list(config.parent.glob("SimpleLicenseServiceConfig.xml.*"))  # no backup: nothing was written


def test_missing_config_file(make_fleet):
    fleet = make_fleet([HostSpec("ls01")])
    fleet.path("ls01", PROXY_XML).unlink()
    present = fleet.run(SET_PROXY).task_results("set proxy")["ls01"]
    assert present["failed"] is True and PROXY_XML in present["msg"] and "does not exist" in present["msg"]
    absent = fleet.run(REMOVE_PROXY)
    res = absent.task_results("remove")["ls01"]
    assert res["changed"] is False and any("does not exist" in w for w in res["warnings"])
    assert not fleet.path("ls01", PROXY_XML).exists()


def test_proxy_option_with_state_absent_is_refused(make_fleet):
    fleet = make_fleet([HostSpec("ls01", proxy=PROXY)])
    res = fleet.run(play(task("remove", "proxy", {"state": "absent", "proxy": PROXY}))).task_results("remove")["ls01"]
    assert res["failed"] is True and "only used with state=present" in res["msg"]
    assert f"<Proxy>{PROXY}</Proxy>" in fleet.path("ls01", PROXY_XML).read_text(encoding="utf-8")


# -- the reporting role -----------------------------------------------------------------------------------------
ROLE = """
- hosts: all
  gather_facts: false
  roles:
    - role: ctxlic.license_server.reporting
"""


def test_reporting_role_converges_and_is_idempotent(make_fleet):
    fleet = make_fleet([HostSpec("auto", network=BLOCKED), HostSpec("manual", network=NO_DNS)])
    host_vars = {"auto": {"ctxlic_proxy": PROXY}, "manual": {"ctxlic_reporting_mode": "manual"}}
    inventory = json.loads(fleet.inventory.read_text())
    for name, values in host_vars.items():
        inventory["all"]["children"]["license_servers"]["hosts"][name].update(values)
    fleet.inventory.write_text(json.dumps(inventory))

    first = fleet.run(ROLE)
    assert first.rc == 0, first.stdout[-3000:]
    stats = first.stats()
    assert stats["auto"]["changed"] == 1 and stats["manual"]["changed"] == 1  # proxy set / service disabled
    assert stats["auto"]["failures"] == 0 and stats["manual"]["failures"] == 0

    second = fleet.run(ROLE)
    assert second.rc == 0
    assert second.stats()["auto"]["changed"] == 0 and second.stats()["manual"]["changed"] == 0

    fleet.advance(1)
    assert upload_code(fleet, "auto") == "CTX_UPLOADER_SUCCESS"
    assert list(fleet.path("manual", INSTALL + r"\LS\resource\usage").glob("upload_compliance*.zip"))


def test_reporting_role_in_check_mode_changes_nothing(make_fleet):
    # "gone": its dead proxy is to be removed; the direct route works, so the planned result is fine.
    fleet = make_fleet([HostSpec("auto", network=BLOCKED),
                        HostSpec("gone", proxy="dead.lab:8080", network={"dns": True, "direct": True, "proxies": {}})])
    before = {name: fleet.path(name, PROXY_XML).read_bytes() for name in ("auto", "gone")}
    lms_before = (fleet.host_root("auto") / ".lab" / "lms.json").read_bytes()
    result = fleet.run(ROLE, check=True, diff=True, limit="auto",
                       extra_vars={"ctxlic_proxy": PROXY, "ctxlic_reporting_mode": "manual"})
    assert result.rc == 0, result.stdout[-3000:]
    assert result.stats()["auto"]["changed"] == 2  # would disable the service and set the proxy
    removal = fleet.run(ROLE, check=True, limit="gone", extra_vars={"ctxlic_proxy_state": "absent"})
    assert removal.rc == 0, removal.stdout[-3000:]  # the planned removal is not judged by the old proxy
    assert {name: fleet.path(name, PROXY_XML).read_bytes() for name in ("auto", "gone")} == before
    assert (fleet.host_root("auto") / ".lab" / "lms.json").read_bytes() == lms_before
    assert service_events(fleet, "auto") == [] and service_events(fleet, "gone") == []


def test_reporting_role_fails_an_automatic_host_that_cannot_upload(make_fleet):
    fleet = make_fleet([HostSpec("blocked", network=BLOCKED)])
    result = fleet.run(ROLE)
    assert result.rc != 0
    assert result.stats()["blocked"]["failures"] == 1
    assert "cannot upload telemetry (blocked)" in result.stdout
    relaxed = fleet.run(ROLE, extra_vars={"ctxlic_connectivity_required": False})
    assert relaxed.rc == 0


def test_reporting_role_keeps_a_working_proxy_when_the_new_one_fails(make_fleet):
    # The file's proxy works, the direct route is blocked: a new, broken proxy must not replace it.
    fleet = make_fleet([HostSpec("ls01", proxy=PROXY, network=BLOCKED)])
    before = fleet.path("ls01", PROXY_XML).read_bytes()
    for check in (True, False):
        result = fleet.run(ROLE, check=check, extra_vars={"ctxlic_proxy": "typo.lab:3128"})
        assert_clean_run(result)
        assert result.rc != 0
        refusal = result.task_results("ctxlic.license_server.reporting : Refuse a proxy that would break a working "
                                      "upload path")["ls01"]
        assert f"path it uses now (proxy {PROXY}) works (proxy_ok)" in " ".join(refusal["msg"].split())
        assert fleet.path("ls01", PROXY_XML).read_bytes() == before
    assert service_events(fleet, "ls01") == []

    # A route that does not work now is no reason to refuse: nothing working is lost, the probe fails the host.
    broken = make_fleet([HostSpec("ls02", network={"dns": True, "direct": False, "proxies": {}})])
    result = broken.run(ROLE, extra_vars={"ctxlic_proxy": "typo.lab:3128"})
    assert result.rc != 0 and "cannot upload telemetry" in result.stdout
    assert "<Proxy>typo.lab:3128</Proxy>" in broken.path("ls02", PROXY_XML).read_text(encoding="utf-8")
