# Copyright: (c) 2026, ctxlic maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Tests for the reporting modules' controller-side decisions (plugins/plugin_utils/_telemetry/reporting.py)."""

from __future__ import annotations

import contextlib
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ansible_collections.ctxlic.license_server.plugins.plugin_utils._telemetry import reporting
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._telemetry.connectivity import verdict
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._common.errors import (
    CtxlicError,
    HostError,
    InputError,
)
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._telemetry.proxy_address import ProxyConfigError

FIXTURES = Path(__file__).resolve().parents[3] / "fixtures" / "proxy_xml"
PATH = r"C:\Lic\WebServicesForLicensing\SimpleLicenseServiceConfig.xml"
WITH_PROXY = b"<Configurations>\r\n<Enabled>true</Enabled>\r\n<Proxy>proxy.lab:3128</Proxy>\r\n</Configurations>\r\n"
WITHOUT = b"<Configurations>\r\n<Enabled>true</Enabled>\r\n</Configurations>\r\n"


# -- option checks ---------------------------------------------------------------------------------------
def test_config_path_is_the_seed_location():
    assert reporting.config_path(r"C:\Lic") == PATH


@pytest.mark.parametrize("value", ["cis.citrix.com", "localhost", "10.0.0.1", "a-b.example"])
def test_upload_host_accepts_names(value):
    assert reporting.check_upload_host(value) == value


@pytest.mark.parametrize("value", ["", "https://cis.citrix.com", "cis.citrix.com:443", "cis citrix", "-a.com",
                                   "a..b", "x" * 64 + ".com", None, "cis.citrix.com/path"])
def test_upload_host_refuses_anything_but_a_name(value):
    with pytest.raises(InputError, match="upload_host"):
        reporting.check_upload_host(value)


@pytest.mark.parametrize(("value", "ok"), [(1, True), (443, True), (65535, True), (0, False), (65536, False),
                                           (True, False), ("443", False)])
def test_port_range(value, ok):
    if ok:
        assert reporting.check_port(value) == value
    else:
        with pytest.raises(InputError, match="1 to 65535"):
            reporting.check_port(value)


@pytest.mark.parametrize(("value", "ok"), [(1, True), (300, True), (0, False), (301, False), (False, False)])
def test_timeout_range(value, ok):
    if ok:
        assert reporting.check_timeout(value) == value
    else:
        with pytest.raises(InputError, match="timeout"):
            reporting.check_timeout(value)


@pytest.mark.parametrize(
    ("value", "code"),
    [("user:secret@proxy:80", "credentials"), ("http://proxy:80", "scheme"), ("proxy:0", "port_zero"),
     ("proxy:70000", "port_out_of_range"), ("proxy", "missing_port"), ("proxy :80", "whitespace"), ("", "empty")],
)
def test_option_proxy_names_the_option_and_the_problem(value, code):
    with pytest.raises(ProxyConfigError) as info:
        reporting.option_proxy(value)
    assert info.value.code == code
    assert str(info.value).startswith("option proxy: ")
    assert "secret" not in str(info.value)


def test_option_proxy_is_canonical():
    assert reporting.option_proxy("[2001:DB8::1]:3128") == "[2001:db8::1]:3128"
    with pytest.raises(ProxyConfigError, match="IPv6"):
        reporting.option_proxy("[2001:db8::1]:3128", allow_ipv6=False)


# -- which proxy a probe uses --------------------------------------------------------------------------------
def test_option_wins_over_the_file():
    chosen = reporting.proxy_for_probe("other.lab:8080", WITH_PROXY, PATH)
    assert (chosen.value, chosen.source, chosen.error) == ("other.lab:8080", "option", None)


def test_configured_proxy_is_used():
    chosen = reporting.proxy_for_probe(None, WITH_PROXY, PATH)
    assert (chosen.value, chosen.source, chosen.findings) == ("proxy.lab:3128", "config", [])


def test_no_proxy_and_missing_file():
    assert reporting.proxy_for_probe(None, WITHOUT, PATH).source == "none"
    missing = reporting.proxy_for_probe(None, None, PATH)
    assert missing.source == "none" and missing.findings[0]["code"] == "config_missing"
    assert PATH in missing.findings[0]["message"]


def test_wrong_case_tag_is_not_a_proxy_but_a_finding():
    data = WITHOUT.replace(b"</Configurations>", b"<proxy>proxy.lab:3128</proxy>\r\n</Configurations>")
    chosen = reporting.proxy_for_probe(None, data, PATH)
    assert chosen.value is None and chosen.source == "none"
    assert [f["code"] for f in chosen.findings] == ["wrong_case_tag"]


def test_ambiguous_file_is_unknown():
    chosen = reporting.proxy_for_probe(None, (FIXTURES / "duplicate_proxy.xml").read_bytes(), PATH)
    assert chosen.source == "unknown" and chosen.value is None
    assert "duplicate_proxy" in {f["code"] for f in chosen.findings}


def test_unusable_configured_value_fails_the_proxy_step():
    data = WITH_PROXY.replace(b"proxy.lab:3128", b"http://proxy.lab:3128")
    chosen = reporting.proxy_for_probe(None, data, PATH)
    assert chosen.source == "config" and "scheme" in chosen.error
    steps = reporting.probe_steps({"dns": {"ok": True}, "direct": {"ok": True}, "proxy": None}, chosen)
    assert steps["proxy"]["ok"] is False and "cannot be used" in steps["proxy"]["error"]
    assert verdict(steps)["verdict"] == "proxy_failed"


# -- probe answers -------------------------------------------------------------------------------------------
NO_PROXY = reporting.ProbeProxy(value=None, source="none")
LAB_PROXY = reporting.ProbeProxy(value="proxy.lab:3128", source="config")


@pytest.mark.parametrize(
    ("raw", "proxy", "expected"),
    [
        ({"dns": {"ok": True, "addresses": ["1.2.3.4"]}, "direct": {"ok": True}}, NO_PROXY, "direct_ok"),
        ({"dns": {"ok": True, "addresses": ["1.2.3.4"]}, "direct": {"ok": False, "error": "timed out"}}, NO_PROXY,
         "blocked"),
        ({"dns": {"ok": False, "error": "No such host is known."}, "direct": {"ok": False}}, NO_PROXY, "dns_failure"),
        ({"dns": {"ok": True}, "direct": {"ok": False},
          "proxy": {"configured": True, "status_line": "HTTP/1.1 200 Connection established"}}, LAB_PROXY, "proxy_ok"),
        ({"dns": {"ok": True}, "direct": {"ok": True},
          "proxy": {"configured": True, "status_line": "HTTP/1.1 407 Proxy Authentication Required"}}, LAB_PROXY,
         "proxy_failed"),
        ({"dns": {"ok": False}, "direct": {"ok": False},
          "proxy": {"configured": True, "status_line": None, "error": "connect timed out"}}, LAB_PROXY, "proxy_failed"),
    ],
)
def test_probe_steps_feed_the_verdict(raw, proxy, expected):
    steps = reporting.probe_steps(raw, proxy)
    assert verdict(steps)["verdict"] == expected


def test_probe_steps_read_the_status_code_on_the_controller():
    steps = reporting.probe_steps({"dns": {"ok": True}, "direct": {"ok": False},
                                   "proxy": {"status_line": "HTTP/1.0 403 Forbidden"}}, LAB_PROXY)
    assert steps["proxy"] == {"configured": True, "address": "proxy.lab:3128", "ok": False,
                              "status_line": "HTTP/1.0 403 Forbidden", "status_code": 403, "error": None}


def test_probe_steps_ignore_a_proxy_answer_when_no_proxy_was_asked():
    steps = reporting.probe_steps({"dns": {"ok": True}, "direct": {"ok": True}, "proxy": {"status_line": "x"}},
                                  NO_PROXY)
    assert steps["proxy"] is None


@pytest.mark.parametrize(
    "raw",
    [None, [], "text", {"dns": "yes"}, {"dns": {"ok": "yes"}}, {"dns": {"addresses": "1.2.3.4"}},
     {"direct": {"ok": 1}}, {"dns": {}, "direct": {}, "proxy": {}}, {"proxy": {"status_line": 5}}],
)
def test_malformed_probe_answers_are_refused(raw):
    with pytest.raises(HostError, match="probe"):
        reporting.probe_steps(raw, LAB_PROXY)


def test_long_errors_are_clipped():
    steps = reporting.probe_steps({"dns": {"ok": False, "error": "e" * 1000}, "direct": {"ok": False}}, NO_PROXY)
    assert len(steps["dns"]["error"]) == 303


# -- properties -------------------------------------------------------------------------------------------
_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=10), inner, max_size=4),
    max_leaves=12,
)
_step = st.fixed_dictionaries({}, optional={"ok": _json, "addresses": _json, "error": _json,
                                            "status_line": _json, "configured": _json})


@settings(max_examples=200, deadline=None)
@given(raw=st.one_of(_json, st.fixed_dictionaries({}, optional={"dns": _step, "direct": _step, "proxy": _step})),
       with_proxy=st.booleans())
def test_probe_steps_raise_only_host_errors(raw, with_proxy):
    try:
        steps = reporting.probe_steps(raw, LAB_PROXY if with_proxy else NO_PROXY)
    except HostError:
        return
    assert set(steps) == {"dns", "direct", "proxy"}
    with contextlib.suppress(InputError):
        verdict(steps)


@settings(max_examples=200, deadline=None)
@given(data=st.binary(max_size=300) | st.text(max_size=200).map(lambda t: t.encode("utf-8")))
def test_proxy_for_probe_never_raises_on_file_content(data):
    try:
        chosen = reporting.proxy_for_probe(None, data, PATH)
    except CtxlicError:
        return
    assert chosen.source in {"none", "config", "unknown"}


@settings(max_examples=200, deadline=None)
@given(text=st.text(max_size=60))
def test_option_proxy_raises_only_proxy_errors(text):
    try:
        assert ":" in reporting.option_proxy(text)
    except ProxyConfigError as exc:
        assert str(exc).startswith("option proxy: ")
