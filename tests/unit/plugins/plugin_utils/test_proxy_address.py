# Copyright: (c) 2026, ctxlic maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Tests for the proxy address parser (plugins/plugin_utils/_telemetry/proxy_address.py): host:port,
IPv4, bracketed IPv6, the refusals and their codes; and that parsing an address never loads lxml."""

from __future__ import annotations

import os
import subprocess
import sys
import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ansible_collections.ctxlic.license_server.plugins.plugin_utils._telemetry.proxy_address import (
    ProxyAddress,
    ProxyConfigError,
    parse_proxy_address,
)
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._common.errors import InputError


# --------------------------------------------------------------------------------------------
# parse_proxy_address
# --------------------------------------------------------------------------------------------

GOOD_ADDRESSES = [
    ("10.211.55.5:808", "10.211.55.5", 808, "ipv4", "10.211.55.5:808"),  # seed 004 sample
    ("proxy.corp.example:3128", "proxy.corp.example", 3128, "name", "proxy.corp.example:3128"),
    ("PROXY-01:8080", "PROXY-01", 8080, "name", "PROXY-01:8080"),
    ("localhost:1", "localhost", 1, "name", "localhost:1"),
    ("p:65535", "p", 65535, "name", "p:65535"),
    ("1proxy.example:80", "1proxy.example", 80, "name", "1proxy.example:80"),
    ("xn--bcher-kva.example:80", "xn--bcher-kva.example", 80, "name", "xn--bcher-kva.example:80"),
    ("a" * 63 + ".example:80", "a" * 63 + ".example", 80, "name", "a" * 63 + ".example:80"),
    ("[2001:DB8::1]:3128", "2001:db8::1", 3128, "ipv6", "[2001:db8::1]:3128"),
    ("[2001:db8:0:0:0:0:0:1]:3128", "2001:db8::1", 3128, "ipv6", "[2001:db8::1]:3128"),
    ("[::ffff:10.0.0.1]:80", "::ffff:a00:1", 80, "ipv6", "[::ffff:a00:1]:80"),
]


@pytest.mark.parametrize(("text", "host", "port", "kind", "canonical"), GOOD_ADDRESSES)
def test_parse_good_addresses(text: str, host: str, port: int, kind: str, canonical: str) -> None:
    address = parse_proxy_address(text)
    assert address == ProxyAddress(host, port, kind)
    assert str(address) == canonical
    assert parse_proxy_address(canonical) == address


SECRET = "hunter2"

BAD_ADDRESSES = [
    ("", "empty", "is empty"),
    ("http://proxy:8080", "scheme", "scheme"),
    ("https://proxy.corp.example:3128", "scheme", "scheme"),
    ("HTTP:proxy:8080", "scheme", "scheme"),
    ("socks5://proxy:1080", "scheme", "scheme"),
    (f"user:{SECRET}@proxy:8080", "credentials", "authenticated proxies are not supported by the License Server"),
    ("user@proxy:8080", "credentials", "authenticated proxies are not supported by the License Server"),
    (f"http://user:{SECRET}@proxy:8080", "credentials", "Citrix Licensing 11.17.2 build 49000 documentation"),
    ("proxy:0", "port_zero", "port 0"),
    ("proxy:70000", "port_out_of_range", "above 65535"),
    ("proxy:65536", "port_out_of_range", "above 65535"),
    ("proxy:" + "9" * 5000, "port_out_of_range", "above 65535"),
    ("proxy", "missing_port", "no port"),
    ("proxy:", "missing_port", "no port"),
    (":8080", "empty_host", "no host"),
    ("proxy:http", "non_numeric_port", "non-numeric port"),
    ("proxy:80a", "non_numeric_port", "non-numeric port"),
    ("proxy:+80", "non_numeric_port", "non-numeric port"),
    ("proxy:-1", "non_numeric_port", "non-numeric port"),
    ("proxy:\u0663\u0661\u0662\u0668", "non_numeric_port", "non-numeric port"),  # Arabic-Indic digits
    ("proxy:08080", "port_leading_zero", "leading zeros"),
    ("proxy .corp.example:8080", "whitespace", "whitespace"),
    (" proxy:8080", "whitespace", "whitespace"),
    ("proxy:8080\n", "whitespace", "whitespace"),
    ("proxy:8080\t", "whitespace", "whitespace"),
    ("proxy\u00a0:8080", "whitespace", "whitespace"),
    ("proxy:8080\x00", "control_character", "control"),
    ("proxy\x1b[31m:8080", "control_character", "control"),
    ("proxy\u200b:8080", "control_character", "control"),
    ("2001:db8::1:8080", "ipv6_without_brackets", "brackets"),
    ("::1:3128", "ipv6_without_brackets", "brackets"),
    ("proxy:8080:9090", "ipv6_without_brackets", "more than one ':'"),
    ("[2001:db8::1]", "missing_port", "no port"),
    ("[2001:db8::1]:", "missing_port", "no port"),
    ("[2001:db8::1]8080", "invalid_ipv6", "between ']'"),
    ("[2001:db8::zz]:3128", "invalid_ipv6", "invalid IPv6"),
    ("[fe80::1%eth0]:3128", "invalid_ipv6", "zone id"),
    ("[2001:db8::1:3128", "invalid_ipv6", "never closes"),
    ("[10.0.0.1]:3128", "invalid_ipv6", "invalid IPv6"),
    ("a]b:80", "invalid_host", "brackets"),
    ("prox_y:8080", "invalid_host_characters", "'_'"),
    ("proxy!.corp:8080", "invalid_host_characters", "'!'"),
    ("pr\u00f8xy:8080", "invalid_host_characters", "xn--"),
    ("a" * 64 + ".example:8080", "label_too_long", "longer than 63"),
    (".".join(["a" * 60] * 5) + ":8080", "host_too_long", "longer than 253"),
    ("-proxy.corp:8080", "invalid_host", "starts or ends with '-'"),
    ("proxy-.corp:8080", "invalid_host", "starts or ends with '-'"),
    ("proxy..corp:8080", "invalid_host", "empty label"),
    (".proxy:8080", "invalid_host", "empty label"),
    ("proxy.:8080", "invalid_host", "empty label"),
    ("999.1.1.1:8080", "invalid_ipv4", "invalid IPv4"),
    ("10.1.1:8080", "invalid_ipv4", "invalid IPv4"),
    ("010.1.1.1:8080", "invalid_ipv4", "invalid IPv4"),
    ("proxy:8080/", "path", "path"),
    ("proxy:8080/path?x=1", "path", "path"),
    ("proxy:8080?x", "path", "query"),
    ("proxy:8080#frag", "path", "fragment"),
    ("proxy\\x:8080", "path", "path"),
]


@pytest.mark.parametrize(("text", "code", "phrase"), BAD_ADDRESSES)
def test_parse_bad_addresses_are_refused_with_a_named_problem(text: str, code: str, phrase: str) -> None:
    with pytest.raises(ProxyConfigError) as info:
        parse_proxy_address(text)
    message = str(info.value)
    assert info.value.code == code
    assert isinstance(info.value, InputError)
    assert phrase in message
    assert "host:port" in message
    assert SECRET not in message, "credentials must never be echoed"
    assert not any(unicodedata.category(ch).startswith("C") for ch in message), "echo must be escaped"
    assert len(message) < 600, "echo must be bounded"


@pytest.mark.parametrize("value", [None, 8080, b"proxy:8080", ["proxy:8080"]])
def test_parse_refuses_non_strings(value: object) -> None:
    with pytest.raises(ProxyConfigError) as info:
        parse_proxy_address(value)  # type: ignore[arg-type]
    assert info.value.code == "not_a_string"


def test_ipv6_can_be_disabled() -> None:
    with pytest.raises(ProxyConfigError) as info:
        parse_proxy_address("[2001:db8::1]:3128", allow_ipv6=False)
    assert info.value.code == "ipv6_not_allowed"
    assert parse_proxy_address("10.0.0.1:3128", allow_ipv6=False).host_kind == "ipv4"


def test_credentials_are_masked_in_the_echo() -> None:
    with pytest.raises(ProxyConfigError) as info:
        parse_proxy_address(f"http://admin:{SECRET}@proxy:8080")
    assert "'http://***@proxy:8080'" in str(info.value)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=80))
def test_fuzz_parse_only_raises_input_error(text: str) -> None:
    try:
        address = parse_proxy_address(text)
    except InputError:
        return
    assert parse_proxy_address(str(address)) == address


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet="ab09.:[]@/%-_ \tfe", max_size=40))
def test_fuzz_parse_structured_only_raises_input_error(text: str) -> None:
    try:
        address = parse_proxy_address(text)
    except InputError as exc:
        assert isinstance(exc, ProxyConfigError)
        return
    assert 1 <= address.port <= 65535
    assert address.host_kind in ("name", "ipv4", "ipv6")
    assert parse_proxy_address(str(address)) == address


@pytest.mark.parametrize("module", ["_telemetry.proxy_address", "_host.windows_backend"])
def test_parsing_an_address_never_imports_lxml(module: str) -> None:
    """Code that only parses ``host:port`` (the Windows backend's probe) loads no lxml code (issue 16)."""
    package = "ansible_collections.ctxlic.license_server.plugins.plugin_utils"
    code = (f"import sys\nimport {package}.{module}\n"
            f"from {package}._telemetry.proxy_address import parse_proxy_address\n"
            "assert str(parse_proxy_address('proxy.example.com:3128')) == 'proxy.example.com:3128'\n"
            "print(sorted(name for name in sys.modules if name.split('.')[0] == 'lxml'"
            " or name.endswith(('.proxy_config', '.lxml_import'))))\n")
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)})
    assert run.stdout.strip() == "[]"
