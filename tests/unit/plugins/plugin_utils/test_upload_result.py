# Copyright: (c) 2026, ctxlic maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Tests for the upload_compliance_result.xml parser (samples from seed 001)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ansible_collections.ctxlic.license_server.plugins.plugin_utils._common import lxml_import
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._telemetry import upload_result as ur
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._common.errors import InputError
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._telemetry.upload_result import (
    GENERIC_FAILURE_HINT,
    REMEDIATION_HINTS,
    parse_upload_result,
    result_file_path,
)

FIXTURES = Path(__file__).resolve().parents[3] / "fixtures" / "upload_results"
NOW = datetime(2023, 3, 21, 3, 38, 17, tzinfo=UTC)
KEYS = {"status", "code", "message", "arg", "time", "upload_type", "reason", "hint", "age_days"}
NETWORK_MSG = (
    "SocketOpen(cis.citrix.com:443) exception: {GetAddrInfoW(cis.citrix.com) failed: WSAHOST_NOT_FOUND : "
    "code 0x00002af9: No such host is known.\n}"
)


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def test_seed_success_sample() -> None:
    result = parse_upload_result(fixture("success.xml"), now=NOW)
    assert result == {
        "status": "success",
        "code": "CTX_UPLOADER_SUCCESS",
        "message": "",
        "arg": None,
        "time": "2023-03-20T03:38:17Z",
        "upload_type": "CTX_UPLOAD_TYPE_COMPLIANCE",
        "reason": None,
        "hint": None,
        "age_days": pytest.approx(1.0),
    }


def test_seed_failure_sample_keeps_multiline_message() -> None:
    result = parse_upload_result(fixture("failure_network_open.xml"), now=NOW)
    assert result["status"] == "failure"
    assert result["code"] == "CTX_UPLOADER_ERROR_NETWORK_OPEN"
    assert result["message"] == NETWORK_MSG
    assert result["arg"] == "cis.citrix.com:443"
    assert result["time"] == "2023-03-20T03:34:05Z"
    assert result["upload_type"] == "CTX_UPLOAD_TYPE_COMPLIANCE"
    assert result["reason"] is None
    assert result["hint"] == REMEDIATION_HINTS["CTX_UPLOADER_ERROR_NETWORK_OPEN"]
    assert result["age_days"] == pytest.approx(1 + 252 / 86400)


def test_network_open_hint_names_endpoint_and_modules() -> None:
    hint = REMEDIATION_HINTS["CTX_UPLOADER_ERROR_NETWORK_OPEN"]
    for needle in ("https://cis.citrix.com:443", "ctxlic.license_server.proxy", "ctxlic.license_server.connectivity"):
        assert needle in hint


def test_unknown_code_is_failure_kept_verbatim_with_generic_hint() -> None:
    result = parse_upload_result(fixture("unknown_code.xml"), now=NOW)
    assert result["status"] == "failure"
    assert result["code"] == "CTX_UPLOADER_ERROR_NOT_IN_THE_SEEDS"
    assert result["message"] == "Something the vendor documentation does not describe."
    assert result["arg"] == "example"
    assert result["hint"] == GENERIC_FAILURE_HINT.format(code="CTX_UPLOADER_ERROR_NOT_IN_THE_SEEDS")
    assert "CTX_UPLOADER_ERROR_NOT_IN_THE_SEEDS" in result["hint"]


def test_crlf_file_parses_like_the_sample() -> None:
    data = fixture("crlf.xml")
    assert b"\r\n" in data, "fixture lost its CRLF line endings (check git attributes)"
    result = parse_upload_result(data, now=NOW)
    assert result["status"] == "failure"
    assert result["message"] == NETWORK_MSG


def test_bom_and_declaration_are_accepted() -> None:
    assert fixture("bom.xml").startswith(b"\xef\xbb\xbf")
    result = parse_upload_result(fixture("bom.xml"), now=NOW)
    assert result["status"] == "success"
    assert result["time"] == "2023-03-20T03:38:17Z"


def test_utf16_file_is_accepted() -> None:
    text = '<?xml version="1.0" encoding="utf-16"?>' + fixture("success.xml").decode()
    assert parse_upload_result(text.encode("utf-16"), now=NOW)["status"] == "success"


@pytest.mark.parametrize(
    ("name", "reason_part"),
    [
        ("empty.xml", "empty"),
        ("truncated.xml", "not well-formed"),
        ("not_xml.xml", "not well-formed"),
        ("wrong_root.xml", "root element is <UploaderResult>"),
        ("t_missing.xml", "no <t>"),
        ("t_non_numeric.xml", "not unix seconds"),
        ("doctype_entity.xml", "DOCTYPE"),
    ],
)
def test_bad_files_are_unknown_with_reason(name: str, reason_part: str) -> None:
    result = parse_upload_result(fixture(name), now=NOW)
    assert set(result) == KEYS
    assert result["status"] == "unknown"
    assert reason_part in result["reason"]
    assert result["time"] is None
    assert result["age_days"] is None
    assert result["hint"] == ur.UNKNOWN_HINT


def test_doctype_payload_is_never_expanded() -> None:
    result = parse_upload_result(fixture("doctype_entity.xml"), now=NOW)
    assert result["message"] is None
    assert "root:" not in repr(result)


def test_missing_t_keeps_what_could_be_read() -> None:
    result = parse_upload_result(fixture("t_missing.xml"), now=NOW)
    assert result["code"] == "CTX_UPLOADER_SUCCESS"
    assert result["upload_type"] == "CTX_UPLOAD_TYPE_COMPLIANCE"
    assert result["status"] == "unknown"


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (None, "file not found"),
        (b"   \r\n", "file is empty"),
        (b"<CtxUploaderResult><Msg>x</Msg><t>1</t></CtxUploaderResult>", "no <Code>"),
        (b"<CtxUploaderResult><Code> </Code><t>1</t></CtxUploaderResult>", "no <Code>"),
        (b"<CtxUploaderResult><Code>CTX_UPLOADER_SUCCESS</Code><t>-5</t></CtxUploaderResult>", "not unix seconds"),
        (b"<CtxUploaderResult><Code>CTX_UPLOADER_SUCCESS</Code><t>1.5</t></CtxUploaderResult>", "not unix seconds"),
        (b"<CtxUploaderResult><Code>CTX_UPLOADER_SUCCESS</Code><t>999999999999</t></CtxUploaderResult>", "range"),
        (b"<CtxUploaderResult><Code>CTX_UPLOADER_SUCCESS</Code><t>&amp;</t></CtxUploaderResult>", "unix seconds"),
        (b'<!DOCTYPE r SYSTEM "http://example.invalid/x.dtd"><CtxUploaderResult/>', "DOCTYPE"),
        (b'<?xml version="1.0" encoding="no-such-codec"?><CtxUploaderResult/>', ""),
    ],
)
def test_edge_inputs_are_unknown(data: bytes | None, reason: str) -> None:
    result = parse_upload_result(data, now=NOW)
    assert result["status"] == "unknown"
    assert reason in result["reason"]


def test_reason_if_missing_is_used_for_absent_file() -> None:
    result = parse_upload_result(None, now=NOW, reason_if_missing="License Server not installed")
    assert result["reason"] == "License Server not installed"


def test_oversized_input_is_refused_without_parsing() -> None:
    result = parse_upload_result(b"<a>" + b"x" * 100 + b"</a>", now=NOW, max_bytes=50)
    assert result["status"] == "unknown"
    assert "larger than 50" in result["reason"]


def test_namespaced_root_and_surrounding_whitespace_are_tolerated() -> None:
    data = (
        b"\r\n  <CtxUploaderResult xmlns='urn:x'><Code>CTX_UPLOADER_SUCCESS</Code><t>1679283497</t></CtxUploaderResult>"
    )
    assert parse_upload_result(data, now=NOW)["status"] == "success"


def test_age_days_uses_now_and_naive_now_is_utc() -> None:
    later = NOW + timedelta(days=89, hours=12)
    aware = parse_upload_result(fixture("success.xml"), now=later)
    naive = parse_upload_result(fixture("success.xml"), now=later.replace(tzinfo=None))
    other_zone = parse_upload_result(fixture("success.xml"), now=later.astimezone(timezone(timedelta(hours=5))))
    assert aware["age_days"] == pytest.approx(90.5)
    assert naive["age_days"] == aware["age_days"] == other_zone["age_days"]


def test_future_upload_time_gives_negative_age() -> None:
    result = parse_upload_result(fixture("success.xml"), now=datetime(2023, 3, 19, 3, 38, 17, tzinfo=UTC))
    assert result["age_days"] == pytest.approx(-1.0)


def test_now_must_be_a_datetime() -> None:
    with pytest.raises(InputError, match="not a datetime"):
        parse_upload_result(b"", now="2023-03-20")  # type: ignore[arg-type]


def test_missing_lxml_is_reported(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(lxml_import, "HAS_LXML", False)
    with pytest.raises(InputError, match="install lxml"):
        parse_upload_result(fixture("success.xml"), now=NOW)
    # No parsing needed: still answered without lxml.
    assert parse_upload_result(None, now=NOW)["status"] == "unknown"


@pytest.mark.parametrize(
    ("install_dir", "expected"),
    [
        (r"C:\Program Files (x86)\Citrix\Licensing", r"C:\Program Files (x86)\Citrix\Licensing\LS\resource\cache"),
        ("C:/Citrix/Licensing/", r"C:\Citrix\Licensing\LS\resource\cache"),
    ],
)
def test_result_file_path(install_dir: str, expected: str) -> None:
    assert result_file_path(install_dir) == expected + r"\upload_compliance_result.xml"


def test_result_file_path_rejects_empty() -> None:
    with pytest.raises(InputError):
        result_file_path("  ")


_TEMPLATE = "<CtxUploaderResult><Code>{code}</Code><Msg>{msg}</Msg>{arg}<t>{t}</t></CtxUploaderResult>"
_xmlish = st.builds(
    _TEMPLATE.format,
    code=st.text(max_size=40),
    msg=st.text(max_size=80),
    arg=st.sampled_from(["", "<Arg>cis.citrix.com:443</Arg>", "<Arg/>"]),
    t=st.one_of(st.integers(min_value=-(10**13), max_value=10**13).map(str), st.text(max_size=15)),
).map(lambda s: s.encode("utf-8", "surrogatepass"))


@settings(max_examples=200, deadline=None)
@given(data=st.one_of(st.binary(max_size=400), _xmlish), days=st.integers(min_value=-(10**5), max_value=10**5))
def test_fuzz_never_raises(data: bytes, days: int) -> None:
    result = parse_upload_result(data, now=NOW + timedelta(days=days))
    assert set(result) == KEYS
    assert result["status"] in {"success", "failure", "unknown"}
    if result["status"] == "unknown":
        assert result["reason"]
        assert result["age_days"] is None
    else:
        assert result["time"].endswith("Z")
        assert isinstance(result["age_days"], float)
    assert (result["status"] == "success") == (result["code"] == "CTX_UPLOADER_SUCCESS" and result["time"] is not None)
