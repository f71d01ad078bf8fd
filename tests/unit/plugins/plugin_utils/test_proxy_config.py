# Copyright: (c) 2026, ctxlic maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Tests for the License Server proxy setting (SimpleLicenseServiceConfig.xml, seed 004 Step 5)."""

from __future__ import annotations

import re
import signal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ansible_collections.ctxlic.license_server.plugins.plugin_utils._telemetry.proxy_address import (
    ProxyConfigError,
    parse_proxy_address,
)
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._common import lxml_import
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._telemetry import proxy_config
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._common.errors import CtxlicError, InputError
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._telemetry.proxy_config import (
    EditResult,
    ProxyState,
    diff_text,
    read_proxy,
    set_proxy,
)

FIXTURES = Path(__file__).resolve().parents[3] / "fixtures" / "proxy_xml"
NEW = "proxy.example.com:3128"
NEW_LINE = f"<Proxy>{NEW}</Proxy>"


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


# (byte-order mark, codec) used by the tests themselves to look at lines; independent of the module.
def _encoding(data: bytes) -> tuple[bytes, str]:
    for bom, codec in (
        (b"\xef\xbb\xbf", "utf-8"),
        (b"\xff\xfe", "utf-16-le"),
        (b"\xfe\xff", "utf-16-be"),
    ):
        if data.startswith(bom):
            return bom, codec
    if b'encoding="ISO-8859-1"' in data[:60]:
        return b"", "latin-1"
    return b"", "utf-8"


def _lines(data: bytes) -> list[str]:
    bom, codec = _encoding(data)
    return data[len(bom) :].decode(codec).splitlines(keepends=True)


def _line_endings(data: bytes) -> set[str]:
    bom, codec = _encoding(data)
    text = data[len(bom) :].decode(codec)
    return {match.group(0) for match in re.finditer(r"\r\n|\n|\r", text)}


# --------------------------------------------------------------------------------------------
# read_proxy over the corpus
# --------------------------------------------------------------------------------------------

# fixture -> (configured, value, finding codes)
READ_CASES = {
    "seed_with_proxy.xml": (True, "10.211.55.5:808", set()),
    "seed_without_proxy.xml": (False, None, set()),
    "comments.xml": (False, None, set()),
    "comment_after_last_child.xml": (False, None, set()),
    "bom_utf8.xml": (True, "proxy.corp.example:8080", set()),
    "crlf.xml": (False, None, set()),
    "bom_crlf.xml": (True, "10.211.55.5:808", set()),
    "utf16le_bom.xml": (True, "10.211.55.5:808", set()),
    "utf16be_bom.xml": (False, None, set()),
    "tabs.xml": (False, None, set()),
    "wrong_case_lower.xml": (False, None, {"wrong_case_tag"}),
    "wrong_case_upper.xml": (False, None, {"wrong_case_tag"}),
    "duplicate_proxy.xml": (None, None, {"duplicate_proxy"}),
    "empty.xml": (None, None, {"empty_file"}),
    "whitespace_only.xml": (None, None, {"empty_file"}),
    "truncated.xml": (None, None, {"not_parseable"}),
    "xxe_external_entity.xml": (None, None, {"doctype_refused"}),
    "xxe_external_dtd.xml": (None, None, {"doctype_refused"}),
    "billion_laughs.xml": (None, None, {"doctype_refused"}),
    "root_not_configurations.xml": (None, None, {"root_not_configurations", "proxy_outside_configurations"}),
    "root_namespaced.xml": (None, None, {"root_not_configurations", "namespaced_tag"}),
    "unknown_elements_attrs.xml": (True, "proxy-01.corp.example:3128", set()),
    "xml_decl_standalone.xml": (False, None, set()),
    "self_closing_proxy.xml": (False, None, {"empty_proxy"}),
    "proxy_whitespace.xml": (True, " 10.211.55.5:808 ", {"proxy_whitespace"}),
    "proxy_outside_configurations.xml": (False, None, {"proxy_outside_configurations"}),
    "proxy_invalid_value.xml": (True, "http://***@proxy.corp.example:8080", {"invalid_proxy_value"}),
    "proxy_entity_ref.xml": (True, "10.211.55.5:808", set()),
    "proxy_cdata.xml": (True, "10.211.55.5:808", set()),
    "proxy_markup_inside.xml": (None, None, {"proxy_has_markup"}),
    "single_line.xml": (False, None, set()),
    "empty_root.xml": (False, None, set()),
    "latin1.xml": (False, None, set()),
    "ipv6_proxy.xml": (True, "[2001:db8::10]:3128", set()),
}


def test_every_fixture_is_covered() -> None:
    on_disk = {path.name for path in FIXTURES.iterdir()}
    assert on_disk == set(READ_CASES)
    assert len(on_disk) >= 15


@pytest.mark.parametrize(("name", "expected"), sorted(READ_CASES.items()))
def test_read_proxy_corpus(name: str, expected: tuple[bool | None, str | None, set[str]]) -> None:
    state = read_proxy(fixture(name), source=name)
    assert isinstance(state, ProxyState)
    assert (state.configured, state.value, {item["code"] for item in state.findings}) == expected
    for item in state.findings:
        assert set(item) == {"code", "message"}
        assert name in item["message"]
    assert state.to_dict()["configured"] == expected[0]


def test_read_reports_candidates_for_duplicates_without_guessing() -> None:
    state = read_proxy(fixture("duplicate_proxy.xml"))
    assert state.candidates == ["10.211.55.5:808", "10.0.0.2:3128"]
    assert state.configured is None and state.value is None
    assert "by hand" in state.findings[0]["message"]


def test_comment_with_proxy_text_does_not_count() -> None:
    data = fixture("comments.xml")
    assert b"<Proxy>x:1</Proxy>" in data
    assert read_proxy(data).configured is False


def test_invalid_value_finding_masks_credentials() -> None:
    state = read_proxy(fixture("proxy_invalid_value.xml"))
    assert "S3cr3tPw" not in repr(state.to_dict())
    assert "authenticated proxies are not supported" in state.findings[0]["message"]


def test_read_refuses_non_bytes() -> None:
    with pytest.raises(InputError):
        read_proxy("<Configurations/>")  # type: ignore[arg-type]


def test_too_large_is_refused() -> None:
    data = fixture("seed_with_proxy.xml")
    assert read_proxy(data, max_bytes=10).findings[0]["code"] == "too_large"
    with pytest.raises(ProxyConfigError) as info:
        set_proxy(data, NEW, max_bytes=10)
    assert info.value.code == "too_large"


LIMIT = proxy_config.DEFAULT_MAX_BYTES


def _padded(size: int, proxy: str | None = None) -> bytes:
    """A well-formed config file of exactly ``size`` bytes, padded by a comment after the optional <Proxy>."""
    head = b"<Configurations>\n" + (f"<Proxy>{proxy}</Proxy>\n".encode() if proxy else b"") + b"<!-- "
    tail = b" -->\n</Configurations>\n"
    return head + b"x" * (size - len(head) - len(tail)) + tail


def test_an_edit_that_would_grow_past_the_limit_is_refused_as_too_large() -> None:
    # Reported with a 1,048,566-byte file: it read fine, but setting a proxy failed with "the edited
    # file reads back as configured=None ... Please report this" because the re-read hit the limit.
    data = _padded(1_048_566)
    assert read_proxy(data).configured is False
    with pytest.raises(ProxyConfigError) as info:
        set_proxy(data, NEW)
    assert info.value.code == "too_large"
    message = str(info.value)
    assert f"is 1048566 bytes and would be {1_048_566 + len(NEW_LINE) + 1} bytes with this edit" in message
    assert "not changed" in message and "report this" not in message


def test_an_edit_that_ends_exactly_at_the_limit_is_made() -> None:
    data = _padded(LIMIT - len(NEW_LINE) - 1)  # the inserted line is <Proxy>...</Proxy> and a newline
    result = set_proxy(data, NEW)
    assert len(result.content) == LIMIT
    assert read_proxy(result.content).value == NEW
    assert set_proxy(result.content, NEW).changed is False


def test_removing_or_shortening_a_proxy_at_the_limit_still_works() -> None:
    data = _padded(LIMIT, proxy="long-proxy-name.corp.example:8080")
    assert read_proxy(set_proxy(data, None).content).configured is False
    assert read_proxy(set_proxy(data, "p:1").content).value == "p:1"


def test_the_limit_is_configurable_for_the_written_file_too() -> None:
    data = fixture("seed_without_proxy.xml")
    with pytest.raises(ProxyConfigError) as info:
        set_proxy(data, NEW, max_bytes=len(data))
    assert info.value.code == "too_large"
    assert set_proxy(data, NEW, max_bytes=len(data) + len(NEW_LINE) + 2).changed is True


class _TookTooLong(Exception):
    pass


def _raise_took_too_long(_signum: int, _frame: object) -> None:
    raise _TookTooLong


@pytest.mark.parametrize("unit", [b"<!--", b"<![CDATA[", b"<![CDATA[<!--"])
def test_unterminated_comment_or_cdata_runs_are_refused_in_linear_time(unit: bytes) -> None:
    # A 1 MiB file of unterminated section starts: the old pattern rescanned to the end from every
    # start (tens of minutes); a linear scan takes well under a second even on a busy CI worker.
    data = b"<Configurations>" + unit * ((LIMIT - 40) // len(unit)) + b"</Configurations>"
    previous = signal.signal(signal.SIGALRM, _raise_took_too_long)
    signal.alarm(20)
    try:
        assert [item["code"] for item in read_proxy(data).findings] == ["not_parseable"]
        with pytest.raises(ProxyConfigError) as info:
            set_proxy(data, NEW)
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
    assert info.value.code == "not_parseable"


@pytest.mark.parametrize(
    "data",
    [
        b'<!-- <!DOCTYPE c [<!ENTITY e "x">]><Configurations><Proxy>&e;</Proxy></Configurations>',
        b"<Configurations><![CDATA[ x </Configurations><!DOCTYPE c SYSTEM 'file:///etc/passwd'>",
        b"<Configurations><!-- a --><!-- <!ENTITY e SYSTEM 'x'></Configurations>",
    ],
)
def test_a_declaration_after_an_unterminated_section_is_still_refused(data: bytes) -> None:
    state = read_proxy(data)
    assert state.configured is None and [item["code"] for item in state.findings] == ["not_parseable"]
    with pytest.raises(ProxyConfigError):
        set_proxy(data, NEW)


_TERMINATED_SECTIONS_ONLY = re.compile(r"<!--.*?-->|<!\[CDATA\[.*?\]\]>", re.DOTALL)  # the pattern before the fix


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.sampled_from(["<!--", "-->", "<![CDATA[", "]]>", "<!DOCTYPE c>", "<!ENTITY", "a", "<", "!", "-", "]", ">"]),
        max_size=30,
    ).map("".join)
)
def test_comment_pattern_differs_from_the_old_one_only_after_an_unterminated_section(text: str) -> None:
    old = _TERMINATED_SECTIONS_ONLY.sub("", text)
    new = proxy_config._COMMENT_OR_CDATA_RE.sub("", text)
    # Up to the first unterminated section both remove the same; the new one then hides the rest.
    assert old.startswith(new)
    if "<!--" not in old and "<![CDATA[" not in old:
        assert new == old


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (b"\xff\xfe<\x00C\x00\x00\xd8", "undecodable"),  # lone surrogate in UTF-16
        (b"<Configurations>\xff</Configurations>", "undecodable"),
        (b'<?xml version="1.0" encoding="x-no-such-codec"?><Configurations/>', "unsupported_encoding"),
        (b'<?xml version="1.0" encoding="utf-16"?><Configurations/>', "unsupported_encoding"),
    ],
)
def test_encoding_problems(data: bytes, code: str) -> None:
    assert read_proxy(data).findings[0]["code"] == code
    with pytest.raises(ProxyConfigError) as info:
        set_proxy(data, NEW)
    assert info.value.code == code


def test_missing_lxml_is_reported(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(lxml_import, "HAS_LXML", False)
    monkeypatch.setattr(lxml_import, "LXML_IMPORT_ERROR", ImportError("No module named 'lxml'"))
    for call in (
        lambda: read_proxy(fixture("seed_with_proxy.xml")),
        lambda: set_proxy(fixture("seed_with_proxy.xml"), NEW),
    ):
        with pytest.raises(InputError, match="install lxml"):
            call()


# --------------------------------------------------------------------------------------------
# set_proxy over the corpus
# --------------------------------------------------------------------------------------------

# fixture -> what setting NEW does: "insert" (new line, with the expected indent), "replace" (one line
# changes), "inline" (one line changes, no line added), or a refusal code.
SET_CASES = {
    "seed_with_proxy.xml": "replace",
    "seed_without_proxy.xml": ("insert", ""),
    "comments.xml": ("insert", "  "),
    "comment_after_last_child.xml": ("insert", "  "),
    "bom_utf8.xml": "replace",
    "crlf.xml": ("insert", "  "),
    "bom_crlf.xml": "replace",
    "utf16le_bom.xml": "replace",
    "utf16be_bom.xml": ("insert", "  "),
    "tabs.xml": ("insert", "\t"),
    "wrong_case_lower.xml": ("insert", ""),
    "wrong_case_upper.xml": ("insert", ""),
    "duplicate_proxy.xml": "duplicate_proxy",
    "empty.xml": "empty_file",
    "whitespace_only.xml": "empty_file",
    "truncated.xml": "not_parseable",
    "xxe_external_entity.xml": "doctype_refused",
    "xxe_external_dtd.xml": "doctype_refused",
    "billion_laughs.xml": "doctype_refused",
    "root_not_configurations.xml": "root_not_configurations",
    "root_namespaced.xml": "root_not_configurations",
    "unknown_elements_attrs.xml": "replace",
    "xml_decl_standalone.xml": ("insert", "  "),
    "self_closing_proxy.xml": "replace",
    "proxy_whitespace.xml": "replace",
    "proxy_outside_configurations.xml": ("insert", ""),
    "proxy_invalid_value.xml": "replace",
    "proxy_entity_ref.xml": "replace",
    "proxy_cdata.xml": "replace",
    "proxy_markup_inside.xml": "proxy_has_markup",
    "single_line.xml": "inline",
    "empty_root.xml": "inline",
    "latin1.xml": ("insert", ""),
    "ipv6_proxy.xml": "replace",
}

# fixture -> what proxy=None does: "remove_line", "unchanged", or a refusal code.
REMOVE_CASES = {
    "seed_with_proxy.xml": "remove_line",
    "seed_without_proxy.xml": "unchanged",
    "comments.xml": "unchanged",
    "comment_after_last_child.xml": "unchanged",
    "bom_utf8.xml": "remove_line",
    "crlf.xml": "unchanged",
    "bom_crlf.xml": "remove_line",
    "utf16le_bom.xml": "remove_line",
    "utf16be_bom.xml": "unchanged",
    "tabs.xml": "unchanged",
    "wrong_case_lower.xml": "unchanged",
    "wrong_case_upper.xml": "unchanged",
    "duplicate_proxy.xml": "remove_lines",
    "empty.xml": "empty_file",
    "whitespace_only.xml": "empty_file",
    "truncated.xml": "not_parseable",
    "xxe_external_entity.xml": "doctype_refused",
    "xxe_external_dtd.xml": "doctype_refused",
    "billion_laughs.xml": "doctype_refused",
    "root_not_configurations.xml": "root_not_configurations",
    "root_namespaced.xml": "root_not_configurations",
    "unknown_elements_attrs.xml": "remove_line",
    "xml_decl_standalone.xml": "unchanged",
    "self_closing_proxy.xml": "remove_line",
    "proxy_whitespace.xml": "remove_line",
    "proxy_outside_configurations.xml": "unchanged",
    "proxy_invalid_value.xml": "remove_line",
    "proxy_entity_ref.xml": "remove_line",
    "proxy_cdata.xml": "remove_line",
    "proxy_markup_inside.xml": "remove_line",
    "single_line.xml": "unchanged",
    "empty_root.xml": "unchanged",
    "latin1.xml": "unchanged",
    "ipv6_proxy.xml": "remove_line",
}


def test_tables_cover_the_corpus() -> None:
    assert set(SET_CASES) == set(READ_CASES) == set(REMOVE_CASES)


def _assert_preserved(before: bytes, after: bytes) -> None:
    bom, _dummy = _encoding(before)
    assert after.startswith(bom) and _encoding(after) == _encoding(before), "BOM and encoding unchanged"
    assert _line_endings(after) <= _line_endings(before) or not _line_endings(before), "no new line-ending style"


@pytest.mark.parametrize(("name", "expected"), sorted(SET_CASES.items()))
def test_set_proxy_corpus(name: str, expected: str | tuple[str, str]) -> None:
    data = fixture(name)
    if isinstance(expected, str) and expected not in ("replace", "inline"):
        with pytest.raises(ProxyConfigError) as info:
            set_proxy(data, NEW, source=name)
        assert info.value.code == expected
        assert name in str(info.value)
        return
    result = set_proxy(data, NEW, source=name)
    assert isinstance(result, EditResult)
    assert result.changed and result.after == NEW
    _assert_preserved(data, result.content)
    old, new = _lines(data), _lines(result.content)
    if isinstance(expected, tuple):
        indent = expected[1]
        assert len(new) == len(old) + 1
        inserted = [i for i in range(len(new)) if new[:i] + new[i + 1 :] == old]
        assert inserted, "output minus the inserted line must equal the input"
        line = new[inserted[0]]
        assert line.rstrip("\r\n") == indent + NEW_LINE
        assert line[len(line.rstrip("\r\n")) :] == old[inserted[0] - 1][len(old[inserted[0] - 1].rstrip("\r\n")) :]
    else:
        assert len(new) == len(old)
        differing = [i for i, (a, b) in enumerate(zip(old, new, strict=True)) if a != b]
        assert len(differing) == 1, "exactly one line changes"
        assert NEW in new[differing[0]]
        assert new[differing[0]].endswith(("\r\n", "\n")) == old[differing[0]].endswith(("\r\n", "\n"))
    state = read_proxy(result.content)
    assert (state.configured, state.value) == (True, NEW)
    again = set_proxy(result.content, NEW)
    assert not again.changed and again.content == result.content, "idempotent"


@pytest.mark.parametrize(("name", "expected"), sorted(REMOVE_CASES.items()))
def test_remove_proxy_corpus(name: str, expected: str) -> None:
    data = fixture(name)
    if expected not in ("remove_line", "remove_lines", "unchanged"):
        with pytest.raises(ProxyConfigError) as info:
            set_proxy(data, None, source=name)
        assert info.value.code == expected
        return
    result = set_proxy(data, None, source=name)
    assert result.after is None
    if expected == "unchanged":
        assert not result.changed and result.content == data and result.before is None
        return
    assert result.changed and result.before is not None
    _assert_preserved(data, result.content)
    old, new = _lines(data), _lines(result.content)
    removed = len(old) - len(new)
    assert removed == (2 if expected == "remove_lines" else 1)
    assert [line for line in old if "<Proxy" not in line] == new
    assert read_proxy(result.content).configured is False
    again = set_proxy(result.content, None)
    assert not again.changed and again.content == result.content


def test_seed_remove_and_insert_are_exact_inverses() -> None:
    with_proxy, without = fixture("seed_with_proxy.xml"), fixture("seed_without_proxy.xml")
    assert set_proxy(with_proxy, None).content == without
    assert set_proxy(without, "10.211.55.5:808").content == with_proxy
    assert set_proxy(fixture("duplicate_proxy.xml"), None).content == without


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("bom_crlf.xml", "10.211.55.5:808"),
        ("utf16le_bom.xml", "10.211.55.5:808"),
        ("bom_utf8.xml", "proxy.corp.example:8080"),
        ("ipv6_proxy.xml", "[2001:db8::10]:3128"),
    ],
)
def test_remove_then_set_restores_the_original_bytes(name: str, value: str) -> None:
    data = fixture(name)
    removed = set_proxy(data, None).content
    assert set_proxy(removed, value).content == data


@pytest.mark.parametrize(
    "name",
    [
        "seed_without_proxy.xml",
        "comments.xml",
        "crlf.xml",
        "tabs.xml",
        "utf16be_bom.xml",
        "latin1.xml",
        "single_line.xml",
    ],
)
def test_set_then_remove_restores_the_original_bytes(name: str) -> None:
    data = fixture(name)
    assert set_proxy(set_proxy(data, NEW).content, None).content == data


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("seed_with_proxy.xml", "10.211.55.5:808"),
        ("proxy_entity_ref.xml", "10.211.55.5:808"),
        ("proxy_cdata.xml", "10.211.55.5:808"),
        ("utf16le_bom.xml", "10.211.55.5:808"),
        ("ipv6_proxy.xml", "[2001:DB8::10]:3128"),
        ("unknown_elements_attrs.xml", "proxy-01.corp.example:3128"),
    ],
)
def test_setting_the_same_value_is_a_no_op(name: str, value: str) -> None:
    data = fixture(name)
    result = set_proxy(data, value)
    assert not result.changed
    assert result.content is data or result.content == data


def test_whitespace_around_value_is_rewritten_once() -> None:
    first = set_proxy(fixture("proxy_whitespace.xml"), "10.211.55.5:808")
    assert first.changed and first.before == " 10.211.55.5:808 "
    assert b"<Proxy>10.211.55.5:808</Proxy>" in first.content
    assert not set_proxy(first.content, "10.211.55.5:808").changed


def test_utf16_output_stays_utf16_with_the_same_bom() -> None:
    data = fixture("utf16le_bom.xml")
    result = set_proxy(data, NEW)
    assert result.content[:2] == b"\xff\xfe"
    assert NEW_LINE.encode("utf-16-le") in result.content
    assert NEW.encode("ascii") not in result.content


def test_attributes_on_proxy_are_kept() -> None:
    result = set_proxy(fixture("unknown_elements_attrs.xml"), NEW)
    assert f'<Proxy source="clm">{NEW}</Proxy>'.encode() in result.content
    assert b"<x:Extension>data</x:Extension>" in result.content
    assert b'<?vendor-hint keep="yes"?>' in result.content


def test_wrong_case_and_misplaced_tags_are_left_alone_and_reported() -> None:
    lower = set_proxy(fixture("wrong_case_lower.xml"), NEW)
    assert b"<proxy>10.211.55.5:808</proxy>" in lower.content
    assert {item["code"] for item in lower.findings} == {"wrong_case_tag"}
    nested = set_proxy(fixture("proxy_outside_configurations.xml"), NEW)
    assert b"<Proxy>10.5.5.5:8080</Proxy>" in nested.content
    assert {item["code"] for item in nested.findings} == {"proxy_outside_configurations"}


def test_duplicate_refusal_tells_the_operator_to_fix_by_hand() -> None:
    with pytest.raises(ProxyConfigError, match="by hand"):
        set_proxy(fixture("duplicate_proxy.xml"), NEW)


def test_bad_proxy_is_refused_before_the_file_is_read() -> None:
    secret = "hunter2"
    with pytest.raises(ProxyConfigError) as info:
        set_proxy(fixture("empty.xml"), f"user:{secret}@proxy:8080")
    assert info.value.code == "credentials"
    assert secret not in str(info.value)


def test_an_edit_that_does_not_read_back_is_never_returned(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(proxy_config, "_splice", lambda doc, edits: doc.data.replace(b"<Proxy>", b"<proxy>"))
    with pytest.raises(CtxlicError, match="not changed"):
        set_proxy(fixture("seed_with_proxy.xml"), NEW)


def test_an_offset_mapping_failure_refuses_the_edit_but_not_the_read(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(proxy_config, "_scan_elements", lambda text: [])
    with pytest.raises(CtxlicError, match="not changed"):
        set_proxy(fixture("seed_with_proxy.xml"), NEW)
    assert read_proxy(fixture("seed_with_proxy.xml")).value == "10.211.55.5:808"


def test_input_buffer_is_never_mutated() -> None:
    data = bytearray(fixture("seed_with_proxy.xml"))
    snapshot = bytes(data)
    result = set_proxy(data, NEW)
    assert bytes(data) == snapshot and result.changed
    with pytest.raises(ProxyConfigError):
        set_proxy(bytearray(fixture("duplicate_proxy.xml")), NEW)


# --------------------------------------------------------------------------------------------
# Hostile input: entities are never expanded
# --------------------------------------------------------------------------------------------

ENTITY_FIXTURES = ["xxe_external_entity.xml", "xxe_external_dtd.xml", "billion_laughs.xml"]
EXPANDED_MARKERS = ["root:", "/bin/", "lollol"]


def _all_text(value: object) -> str:
    return repr(value)


@pytest.mark.parametrize("name", ENTITY_FIXTURES)
@pytest.mark.parametrize("proxy", [NEW, None])
def test_entity_payloads_never_expand(name: str, proxy: str | None) -> None:
    data = fixture(name)
    state = read_proxy(data)
    with pytest.raises(ProxyConfigError) as info:
        set_proxy(data, proxy)
    for text in (_all_text(state.to_dict()), str(info.value), repr(info.value)):
        for marker in EXPANDED_MARKERS:
            assert marker not in text


@pytest.mark.parametrize("name", ENTITY_FIXTURES)
def test_doctype_is_refused_even_without_the_text_precheck(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """The lxml layer alone (no entity resolution, no DTD loading) must also refuse and not expand."""
    monkeypatch.setattr(proxy_config, "_DECLARATION_RE", re.compile(r"(?!)"))
    state = read_proxy(fixture(name))
    assert state.configured is None
    assert state.findings[0]["code"] in ("doctype_refused", "not_parseable")
    for marker in EXPANDED_MARKERS:
        assert marker not in _all_text(state.to_dict())


@pytest.mark.parametrize("name", ENTITY_FIXTURES)
def test_the_parser_itself_never_expands_entities(name: str) -> None:
    """Third layer: even parsing the payload directly with the module's parser expands nothing."""
    etree = pytest.importorskip("lxml.etree")
    try:
        root = etree.fromstring(fixture(name), proxy_config._safe_parser())
    except etree.XMLSyntaxError as exc:  # libxml2 may refuse the amplification outright: also safe
        text = str(exc)
    else:
        text = "".join(root.itertext())
    for marker in EXPANDED_MARKERS:
        assert marker not in text


def test_doctype_text_inside_a_comment_is_not_a_declaration() -> None:
    assert b"<!DOCTYPE" in fixture("comments.xml")
    assert read_proxy(fixture("comments.xml")).findings == []


# --------------------------------------------------------------------------------------------
# diff_text
# --------------------------------------------------------------------------------------------


def test_diff_text_shape_for_ansible() -> None:
    before = fixture("seed_without_proxy.xml")
    after = set_proxy(before, NEW).content
    diff = diff_text(before, after, r"C:\Program Files (x86)\Citrix\Licensing\WebServicesForLicensing\x.xml")
    assert set(diff) == {"before", "after", "before_header", "after_header"}
    assert diff["before"] == before.decode() and diff["after"] == after.decode()
    assert diff["before_header"] == diff["after_header"]


def test_diff_text_decodes_utf16_and_drops_the_bom() -> None:
    data = fixture("utf16le_bom.xml")
    diff = diff_text(data, set_proxy(data, NEW).content, "x.xml")
    assert diff["before"].startswith("<?xml") and NEW_LINE in diff["after"]


def test_diff_text_masks_credentials() -> None:
    data = fixture("proxy_invalid_value.xml")
    diff = diff_text(data, set_proxy(data, NEW).content, "x.xml")
    assert "S3cr3tPw" not in diff["before"]
    assert "http://***@proxy.corp.example:8080" in diff["before"]


def test_diff_text_never_fails_on_binary() -> None:
    diff = diff_text(b"\xff\xfe\x00\xd8", b"\x80\x81", "x")
    assert isinstance(diff["before"], str) and isinstance(diff["after"], str)
    with pytest.raises(InputError):
        diff_text("text", b"", "x")  # type: ignore[arg-type]


# --------------------------------------------------------------------------------------------
# Fuzzing the file side
# --------------------------------------------------------------------------------------------

_CORPUS = sorted(READ_CASES)


def _check_edit(data: bytes, proxy: str | None) -> None:
    snapshot = bytes(data)
    try:
        result = set_proxy(data, proxy)
    except (InputError, CtxlicError):
        assert bytes(data) == snapshot
        return
    state = read_proxy(result.content)
    if proxy is None:
        assert state.configured is False
    else:
        assert state.value == str(parse_proxy_address(proxy))
    if not result.changed:
        assert result.content == data


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=300), st.sampled_from([NEW, None, "[2001:db8::1]:80", "10.0.0.1:8080"]))
def test_fuzz_set_proxy_random_bytes(data: bytes, proxy: str | None) -> None:
    _check_edit(data, proxy)
    assert isinstance(read_proxy(data), ProxyState)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.sampled_from(_CORPUS),
    st.integers(min_value=0, max_value=400),
    st.integers(min_value=0, max_value=8),
    st.binary(max_size=12)
    | st.sampled_from([b"<", b">", b"/>", b"<Proxy>", b"</Proxy>", b"<!--", b"-->", b"&", b"\r\n"]),
    st.sampled_from([NEW, None]),
)
def test_fuzz_set_proxy_mutated_corpus(name: str, pos: int, cut: int, insert: bytes, proxy: str | None) -> None:
    original = fixture(name)
    pos = min(pos, len(original))
    mutated = original[:pos] + insert + original[pos + cut :]
    _check_edit(mutated, proxy)
    assert isinstance(read_proxy(mutated), ProxyState)


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet="abcXYZ019.-:[]<>&\"' ", max_size=30))
def test_fuzz_set_proxy_random_values(value: str) -> None:
    data = fixture("seed_without_proxy.xml")
    try:
        result = set_proxy(data, value)
    except InputError:
        return
    assert read_proxy(result.content).value == str(parse_proxy_address(value))
