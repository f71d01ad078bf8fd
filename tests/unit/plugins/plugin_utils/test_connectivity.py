# Copyright: (c) 2026, ctxlic maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Tests for the connectivity verdict (outbound https://cis.citrix.com/, seed 004 / seed 001)."""

from __future__ import annotations

import unicodedata
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ansible_collections.ctxlic.license_server.plugins.plugin_utils._telemetry.connectivity import (
    PROXY_MODULE,
    VERDICTS,
    parse_connect_status,
    verdict,
)
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._common.errors import InputError

DNS_OK = {"ok": True, "addresses": ["52.2.1.1"], "error": None}
# The resolver failure the uploader records (seed 001 "Sample data", CTX_UPLOADER_ERROR_NETWORK_OPEN).
DNS_FAIL = {"ok": False, "addresses": [], "error": "GetAddrInfoW(cis.citrix.com) failed: WSAHOST_NOT_FOUND"}
DIRECT_OK = {"ok": True, "error": None}
DIRECT_FAIL = {"ok": False, "error": "connect timed out after 10s"}
NO_PROXY = {"configured": False, "ok": None, "status_line": None, "error": None}
PROXY_200 = {"configured": True, "ok": True, "status_line": "HTTP/1.1 200 Connection established", "error": None}
PROXY_403 = {"configured": True, "ok": False, "status_line": "HTTP/1.1 403 Forbidden", "error": None}
PROXY_407 = {"configured": True, "ok": False, "status_line": "HTTP/1.1 407 Proxy Authentication Required"}
PROXY_REFUSED = {"configured": True, "ok": False, "status_line": None, "error": "connection refused"}
PROXY_UNTESTED = {"configured": True, "ok": None}

# (steps, expected verdict, expected fix, phrases that must be in message + hint)
VERDICT_CASES: list[tuple[str, dict[str, Any], str, str | None, list[str]]] = [
    ("all_direct", {"dns": DNS_OK, "direct": DIRECT_OK, "proxy": NO_PROXY}, "direct_ok", None, ["directly"]),
    ("no_proxy_key", {"dns": DNS_OK, "direct": DIRECT_OK}, "direct_ok", None, ["cis.citrix.com:443"]),
    (
        "dns_failure",
        {"dns": DNS_FAIL, "direct": DIRECT_FAIL, "proxy": NO_PROXY},
        "dns_failure",
        "dns",
        ["WSAHOST_NOT_FOUND", "CTX_UPLOADER_ERROR_NETWORK_OPEN", "DNS", PROXY_MODULE],
    ),
    (
        "dns_failure_direct_untested",
        {"dns": DNS_FAIL, "direct": None},
        "dns_failure",
        "dns",
        ["cannot resolve cis.citrix.com"],
    ),
    (
        "blocked",
        {"dns": DNS_OK, "direct": DIRECT_FAIL, "proxy": NO_PROXY},
        "blocked",
        "firewall",
        ["timed out", "firewall", "cis.citrix.com", "443", PROXY_MODULE],
    ),
    ("blocked_dns_untested", {"direct": DIRECT_FAIL}, "blocked", "firewall", ["firewall"]),
    (
        "proxy_ok_direct_blocked",
        {"dns": DNS_OK, "direct": DIRECT_FAIL, "proxy": PROXY_200},
        "proxy_ok",
        None,
        ["CONNECT 200"],
    ),
    ("proxy_ok_without_local_dns", {"dns": DNS_FAIL, "direct": DIRECT_FAIL, "proxy": PROXY_200}, "proxy_ok", None, []),
    (
        "proxy_403",
        {"dns": DNS_OK, "direct": DIRECT_FAIL, "proxy": PROXY_403},
        "proxy_failed",
        "proxy",
        ["403", "is blocked", PROXY_MODULE, "state: absent"],
    ),
    (
        "proxy_407_authentication",
        {"dns": DNS_OK, "direct": DIRECT_FAIL, "proxy": PROXY_407},
        "proxy_failed",
        "proxy",
        ["407", "authenticated proxies are not supported"],
    ),
    (
        "proxy_refused",
        {"dns": DNS_OK, "direct": DIRECT_FAIL, "proxy": PROXY_REFUSED},
        "proxy_failed",
        "proxy",
        ["connection refused", PROXY_MODULE],
    ),
    (
        "proxy_failed_dns_failed",
        {"dns": DNS_FAIL, "direct": DIRECT_FAIL, "proxy": PROXY_REFUSED},
        "proxy_failed",
        "proxy",
        ["does not resolve locally"],
    ),
    (
        "proxy_failed_but_direct_works",
        {"dns": DNS_OK, "direct": DIRECT_OK, "proxy": PROXY_403},
        "proxy_failed",
        "proxy",
        ["direct traffic works"],
    ),
    (
        "proxy_garbage_answer",
        {"dns": DNS_OK, "direct": DIRECT_FAIL, "proxy": {"configured": True, "status_line": "SSH-2.0-OpenSSH_9.0"}},
        "proxy_failed",
        "proxy",
        ["not an HTTP status line"],
    ),
    (
        "proxy_status_only",
        {"direct": DIRECT_FAIL, "proxy": {"status_line": "HTTP/1.0 200 OK"}},
        "proxy_ok",
        None,
        [],
    ),
    (
        "proxy_explicitly_unconfigured",
        {"dns": DNS_OK, "direct": DIRECT_FAIL, "proxy": {"configured": False, "ok": False}},
        "blocked",
        "firewall",
        [],
    ),
    ("direct_ok_despite_dns_step", {"dns": DNS_FAIL, "direct": DIRECT_OK}, "direct_ok", None, []),
    ("proxy_untested_direct_ok", {"dns": DNS_OK, "direct": DIRECT_OK, "proxy": PROXY_UNTESTED}, "direct_ok", None, []),
]


@pytest.mark.parametrize(
    ("steps", "expected", "fix", "phrases"),
    [case[1:] for case in VERDICT_CASES],
    ids=[case[0] for case in VERDICT_CASES],
)
def test_verdict_table(steps: dict[str, Any], expected: str, fix: str | None, phrases: list[str]) -> None:
    result = verdict(steps)
    assert result["verdict"] == expected
    assert result["fix"] == fix
    assert result["ok"] is (expected in ("direct_ok", "proxy_ok"))
    assert result["target"] == "cis.citrix.com:443"
    text = result["message"] + " " + result["hint"]
    for phrase in phrases:
        assert phrase in text
    assert set(result) == {"verdict", "ok", "target", "message", "hint", "fix", "warnings", "addresses"}


def test_untested_proxy_is_a_warning() -> None:
    result = verdict({"dns": DNS_OK, "direct": DIRECT_OK, "proxy": PROXY_UNTESTED})
    assert result["warnings"] and "not tested" in result["warnings"][0]


def test_direct_fallback_is_configurable() -> None:
    steps = {"dns": DNS_OK, "direct": DIRECT_OK, "proxy": PROXY_403}
    assert verdict(steps)["verdict"] == "proxy_failed"
    result = verdict(steps, assume_direct_fallback=True)
    assert result["verdict"] == "direct_ok" and result["fix"] == "proxy"
    assert "403" in result["warnings"][0]
    blocked = {"dns": DNS_OK, "direct": DIRECT_FAIL, "proxy": PROXY_403}
    assert verdict(blocked, assume_direct_fallback=True)["verdict"] == "proxy_failed"


def test_target_is_configurable() -> None:
    result = verdict({"dns": DNS_OK, "direct": DIRECT_FAIL}, host="citrix.services.citrix.com", port=443)
    assert result["target"] == "citrix.services.citrix.com:443"
    assert "citrix.services.citrix.com" in result["hint"]


def test_addresses_are_passed_through() -> None:
    assert verdict({"dns": DNS_OK, "direct": DIRECT_OK})["addresses"] == ["52.2.1.1"]


def test_probe_errors_are_sanitized_and_bounded() -> None:
    hostile = "\x1b[31mred\x1b[0m\r\nInjected: line" + "x" * 1000
    result = verdict({"dns": DNS_OK, "direct": {"ok": False, "error": hostile}})
    assert "\x1b" not in result["message"] and "\r" not in result["message"] and "\n" not in result["message"]
    assert len(result["message"]) < 600


BAD_STEPS = [
    (None, "must be a mapping"),
    ("dns ok", "must be a mapping"),
    ({"dns": "ok", "direct": DIRECT_OK}, "'dns' must be a mapping"),
    ({"dns": DNS_OK, "direct": {"ok": "yes"}}, "direct.ok must be true, false or null"),
    ({"dns": {"ok": 1}, "direct": DIRECT_OK}, "dns.ok"),
    ({"dns": {"ok": True, "addresses": "1.2.3.4"}, "direct": DIRECT_OK}, "dns.addresses"),
    ({"direct": DIRECT_OK, "proxy": {"configured": "true"}}, "proxy.configured"),
    ({}, "do not decide a verdict"),
    ({"dns": DNS_OK}, "direct.ok is missing"),
]


@pytest.mark.parametrize(("steps", "phrase"), BAD_STEPS)
def test_bad_steps_raise_input_error(steps: Any, phrase: str) -> None:
    with pytest.raises(InputError, match=None) as info:
        verdict(steps)
    assert phrase in str(info.value)


STATUS_LINES = [
    ("HTTP/1.1 200 Connection established", (True, 200)),
    ("HTTP/1.1 200 Connection established\r\n", (True, 200)),
    ("HTTP/1.0 200 OK", (True, 200)),
    ("HTTP/1.1 200", (True, 200)),
    ("HTTP/2 200", (True, 200)),
    ("http/1.1 204 No Content", (True, 204)),
    (b"HTTP/1.1 200 Connection established\r\n", (True, 200)),
    ("HTTP/1.1 407 Proxy Authentication Required", (False, 407)),
    ("HTTP/1.1 403 Forbidden", (False, 403)),
    ("HTTP/1.1 502 Bad Gateway", (False, 502)),
    ("HTTP/1.1 301 Moved", (False, 301)),
    ("", (False, None)),
    ("SSH-2.0-OpenSSH_9.0", (False, None)),
    ("HTTP/1.1 2000 OK", (False, None)),
    ("HTTP/1.1 20 OK", (False, None)),
    ("HTTP/1.1200 OK", (False, None)),
    (" HTTP/1.1 200 OK", (False, None)),
    ("HTTP/1.1 200 OK\r\nInjected: 1", (False, None)),
]


@pytest.mark.parametrize(("line", "expected"), STATUS_LINES)
def test_parse_connect_status(line: str | bytes, expected: tuple[bool, int | None]) -> None:
    assert parse_connect_status(line) == expected


@pytest.mark.parametrize("value", [None, 200, ["HTTP/1.1 200 OK"]])
def test_parse_connect_status_refuses_non_text(value: Any) -> None:
    with pytest.raises(InputError):
        parse_connect_status(value)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=80) | st.binary(max_size=80))
def test_fuzz_parse_connect_status_never_raises(line: str | bytes) -> None:
    ok, code = parse_connect_status(line)
    assert isinstance(ok, bool)
    assert code is None or 100 <= code <= 999
    assert not ok or (code is not None and 200 <= code < 300)


_flags = st.sampled_from([True, False, None])
_text = st.none() | st.text(max_size=30)
_step = st.none() | st.fixed_dictionaries(
    {},
    optional={
        "ok": _flags,
        "configured": _flags,
        "error": _text,
        "status_line": _text,
        "addresses": st.lists(st.text(max_size=15), max_size=3),
    },
)


@settings(max_examples=200, deadline=None)
@given(st.fixed_dictionaries({}, optional={"dns": _step, "direct": _step, "proxy": _step}), st.booleans())
def test_fuzz_verdict_only_raises_input_error(steps: dict[str, Any], fallback: bool) -> None:
    try:
        result = verdict(steps, assume_direct_fallback=fallback)
    except InputError:
        return
    assert result["verdict"] in VERDICTS
    assert result["message"] and result["hint"]
    assert not any(unicodedata.category(ch).startswith("C") for ch in result["message"])
