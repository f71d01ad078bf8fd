# Copyright: (c) 2026, ctxlic maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Fuzzing the collection's parsers: properties the per-module tests do not already cover.

The module tests in tests/unit/plugins/plugin_utils/ fuzz each parser with random and mutated
input (no crash, only the module's own errors). This file adds what they leave out:

* license files: signature material never appears in anything a parser result can show, whatever
  the layout (quoted, unquoted, SIGN2, SUPERSEDE_SIGN, continuations, truncations, shifted fields);
  file names with path parts are always refused; wrong argument types are clear errors;
* upload result and proxy XML: entity declarations (internal, external, parameter, nested
  "billion laughs") are never expanded, in any position, and an edit never goes ahead on them;
* proxy XML editor on generated well-formed documents: the edit is minimal, idempotent, and
  reversible, and comments, CDATA and unknown elements survive byte for byte;
* proxy strings: credentials are never echoed; an accepted address is safe to put into XML;
* versions: non-text input is a clear error and ordering matches the numbers;
* allocation CSV: what csv.writer writes is read back exactly (quotes, delimiters, newlines,
  formula-like cells), findings always carry a message;
* lmstat: output generated in the seed 004 format is read back exactly.

Every rejection must be a CtxlicError subclass with a non-empty message. The number of examples
comes from the hypothesis profile in tests/fuzz/conftest.py.
"""

from __future__ import annotations

import csv
import io
import json
import re
import signal
from typing import Any

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from ansible_collections.ctxlic.license_server.plugins.plugin_utils._telemetry.proxy_address import (
    ProxyConfigError,
    parse_proxy_address,
)
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._license.allocations import (
    parse_quantity,
    read_allocation_csv,
)
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._common.errors import CtxlicError, InputError
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._license.license_binding import check_binding
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._license.license_inventory import (
    feature_summary,
    inventory_summary,
    obsolete_files,
)
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._license.license_parser import parse_license_file
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._license.license_names import validate_file_name
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._license.plan import features_text
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._server.lmstat import parse_lmstat
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._server.version import LSVersion, parse_ls_version
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._telemetry.proxy_config import (
    read_proxy,
    set_proxy,
)
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._telemetry.upload_result import parse_upload_result
from clock import NOW, TODAY

HEX_LETTERS = "ABCDEF"
HEX = "0123456789ABCDEF"


def assert_clear_error(exc: BaseException) -> None:
    """A rejection is the collection's own error and says something."""
    assert isinstance(exc, CtxlicError), f"{type(exc).__name__}: {exc}"
    assert str(exc).strip(), f"{type(exc).__name__} without a message"


# ================================================================================================
# License files: signatures never leak
# ================================================================================================

_group = st.tuples(st.sampled_from(HEX_LETTERS), st.text(alphabet=HEX, min_size=7, max_size=7)).map("".join)
_signature = st.lists(_group, min_size=3, max_size=6, unique=True)


@st.composite
def signed_license(draw) -> tuple[bytes, list[str]]:
    """A license file whose signature groups (8 hex digits, starting with a letter) are returned too."""
    newline = draw(st.sampled_from(["\r\n", "\n", "\r"]))
    groups = draw(_signature)
    sign = " ".join(groups)
    form = draw(st.sampled_from(["quoted", "unquoted", "sign2", "supersede_sign", "spaced", "lower", "wrapped"]))
    if form == "quoted":
        attribute = f'SIGN="{sign}"'
    elif form == "unquoted":
        attribute = f"SIGN={''.join(groups)}"
    elif form == "sign2":
        attribute = f'SIGN="0000 1111" SIGN2="{sign}"'
    elif form == "supersede_sign":
        attribute = f'SUPERSEDE_SIGN={{XDT_PLT_UD:{sign}}} SIGN="0000 1111"'
    elif form == "spaced":
        attribute = f'SIGN = "{sign}"'
    elif form == "lower":
        attribute = f'sign="{sign}"'
    else:
        half = len(groups) // 2
        attribute = f'SIGN="{" ".join(groups[:half])} \\{newline}\t{" ".join(groups[half:])}"'
    fields = ["INCREMENT", "XDT_PLT_UD", "CITRIX", "2027.0101", "01-jan-2028", "100"]
    # Shifted fields: a missing positional field pushes the attributes into the fixed columns.
    drop = draw(st.sampled_from([None, 3, 4, 5]))
    if drop is not None:
        del fields[drop]
    extra = draw(st.sampled_from(["", "ISSUED=15-jan-2025 ", 'NOTICE="Lab \\" Customer" ',
                                  "SN=LA-1 START=1-jan-2025 "]))
    body = (
        f"SERVER this_host HOSTNAME=LS01{newline}VENDOR CITRIX{newline}USE_SERVER{newline}"
        f"{' '.join(fields)} \\{newline}\tVENDOR_STRING=;LT=Retail;GP=720 {extra}\\{newline}\t{attribute}{newline}"
    )
    data = body.encode("utf-8")
    cut = draw(st.one_of(st.none(), st.integers(min_value=0, max_value=len(data))))
    if cut is not None:
        data = data[:cut]
    return data, groups


def _visible_text(data: bytes) -> str:
    """Everything a caller of the parser can show: results, summaries, findings, the diff text."""
    report = parse_license_file("FID_x.lic", data, today=TODAY)
    shown: list[Any] = [
        report.to_dict(),
        feature_summary(report),
        [f.to_dict() for f in check_binding(report, ls_hostname="LS01", macs=["0015C5F0A1B2"])],
        inventory_summary([report], today=TODAY),
        obsolete_files([report], today=TODAY),
        features_text(report),
    ]
    return json.dumps(shown, default=str).upper()


@given(signed_license())
def test_signature_groups_never_appear_in_any_parser_output(case: tuple[bytes, list[str]]) -> None:
    data, groups = case
    shown = _visible_text(data)
    for group in groups:
        if group.encode() in data:  # a truncation may have cut it away entirely
            assert group not in shown, f"signature group {group} leaked"
    assert "".join(groups) not in shown


# ================================================================================================
# License files: names and argument types
# ================================================================================================

_name_char = st.sampled_from([*"abcXYZ019_-. ", "\\", "/", ":", "..", "\x00", "\t", "%", "&", "'", '"'])


@given(st.lists(_name_char, max_size=30).map("".join))
def test_names_with_path_parts_are_always_refused(body: str) -> None:
    name = body + ".lic"
    errors = [f for f in validate_file_name(name) if f.severity == "error"]
    if any(sep in name for sep in ("\\", "/", ":", "\x00")):
        assert errors, f"{name!r} was accepted"
    for finding in errors:
        assert finding.message.strip()
    if not errors:
        # An accepted name is one bare file name: joining it to MyFiles stays in MyFiles.
        assert re.fullmatch(r"[^\\/:\x00]+", name)


@pytest.mark.parametrize(
    ("args", "kwargs"),
    [
        ((None, b"x"), {"today": TODAY}),
        ((b"a.lic", b"x"), {"today": TODAY}),
        (("a.lic", 5), {"today": TODAY}),
        (("a.lic", ["x"]), {"today": TODAY}),
        (("a.lic", b"x"), {"today": "2026-11-22x"}),
        (("a.lic", b"x"), {"today": None}),
        (("a.lic", b"x"), {"today": TODAY, "expiry_warning_days": -1}),
        (("a.lic", b"x"), {"today": TODAY, "expiry_warning_days": True}),
        (("a.lic", b"x"), {"today": TODAY, "expiry_warning_days": "30"}),
    ],
)
def test_license_parser_rejects_wrong_argument_types_clearly(args: tuple, kwargs: dict) -> None:
    with pytest.raises(CtxlicError) as info:
        parse_license_file(*args, **kwargs)
    assert_clear_error(info.value)


# ================================================================================================
# XML entities: upload result and proxy configuration
# ================================================================================================

SECRET_MARK = "CTXLIC-SECRET-7f3a"


@pytest.fixture(scope="module")
def secret_file(tmp_path_factory) -> str:
    """A local file an external entity could point at; its content must never be read."""
    path = tmp_path_factory.mktemp("xxe") / "secret.txt"
    path.write_text(f"{SECRET_MARK} CTX_UPLOADER_SUCCESS 10.66.66.66:3128", encoding="utf-8")
    return path.as_uri()


def _entity_doctype(kind: str, root: str, uri: str, depth: int, width: int) -> tuple[str, str]:
    """(DOCTYPE text, entity reference to use in the body) for one kind of entity trick."""
    if kind == "internal":
        return f'<!DOCTYPE {root} [<!ENTITY e "{SECRET_MARK}">]>', "&e;"
    if kind == "external":
        return f'<!DOCTYPE {root} [<!ENTITY e SYSTEM "{uri}">]>', "&e;"
    if kind == "parameter":
        return f'<!DOCTYPE {root} [<!ENTITY % p SYSTEM "{uri}"> %p; <!ENTITY e "x">]>', "&e;"
    if kind == "external_dtd":
        return f'<!DOCTYPE {root} SYSTEM "{uri}">', ""
    # "billion laughs": each level repeats the previous one `width` times.
    levels = [f'<!ENTITY l0 "{SECRET_MARK}">']
    for level in range(1, depth + 1):
        levels.append(f'<!ENTITY l{level} "{("&l" + str(level - 1) + ";") * width}">')
    return f"<!DOCTYPE {root} [{''.join(levels)}]>", f"&l{depth};"


_entity_kind = st.sampled_from(["internal", "external", "parameter", "external_dtd", "laughs"])


@given(
    kind=_entity_kind,
    where=st.sampled_from(["Code", "Msg", "t", "Arg", "UploadType"]),
    depth=st.integers(1, 9),
    width=st.integers(2, 10),
    declaration=st.booleans(),
)
def test_upload_result_never_expands_entities(secret_file, kind, where, depth, width, declaration) -> None:
    doctype, ref = _entity_doctype(kind, "CtxUploaderResult", secret_file, depth, width)
    values = {"Code": "CTX_UPLOADER_SUCCESS", "Msg": "", "t": "1763812800", "Arg": "", "UploadType": "X"}
    values[where] = ref or values[where]
    body = "".join(f"<{k}>{v}</{k}>" for k, v in values.items())
    xml = ('<?xml version="1.0" encoding="utf-8"?>' if declaration else "") + doctype
    xml += f"<CtxUploaderResult>{body}</CtxUploaderResult>"
    result = parse_upload_result(xml.encode(), now=NOW)
    assert SECRET_MARK not in json.dumps(result)
    assert result["status"] == "unknown", "a file with a DOCTYPE is never the uploader's own"
    assert "DOCTYPE" in result["reason"] or "entit" in result["reason"]


_PROXY_TEMPLATE = (
    '<?xml version="1.0" encoding="utf-8"?>\r\n{doctype}<Configurations>\r\n<EncoreConfiguration>\r\n'
    "<Enabled>true</Enabled>\r\n</EncoreConfiguration>\r\n{proxy}</Configurations>\r\n"
)


@given(kind=_entity_kind, depth=st.integers(1, 9), width=st.integers(2, 10), in_proxy=st.booleans(),
       target=st.sampled_from(["10.0.0.1:8080", None]))
def test_proxy_xml_never_expands_entities_and_is_never_edited(secret_file, kind, depth, width, in_proxy,
                                                              target) -> None:
    doctype, ref = _entity_doctype(kind, "Configurations", secret_file, depth, width)
    proxy = f"<Proxy>{ref or 'proxy.example:3128'}</Proxy>\r\n" if in_proxy else ""
    data = _PROXY_TEMPLATE.format(doctype=doctype, proxy=proxy).encode()
    state = read_proxy(data)
    assert SECRET_MARK not in json.dumps(state.to_dict())
    assert state.value is None or SECRET_MARK not in state.value
    with pytest.raises(ProxyConfigError) as info:
        set_proxy(data, target)
    assert_clear_error(info.value)
    assert SECRET_MARK not in str(info.value)


# ================================================================================================
# Proxy XML editor on generated well-formed documents
# ================================================================================================

_word = st.text(alphabet="abcdefghXYZ", min_size=1, max_size=8)
_text = st.text(alphabet="abc XYZ019.:-_", max_size=12)
_attr_value = st.text(alphabet="abc 019<>/&'=", max_size=10).map(
    lambda v: v.replace("&", "&amp;").replace("<", "&lt;").replace("'", "&apos;")
)


@st.composite
def _node(draw, depth: int = 0) -> str:
    kind = draw(st.sampled_from(["element", "comment", "cdata", "pi", "text", "empty"] if depth < 2
                                else ["comment", "cdata", "pi", "text", "empty"]))
    if kind == "comment":
        return f"<!--{draw(st.sampled_from(['', ' <Proxy>1.2.3.4:1</Proxy> ', ' note ', '<Configurations>']))}-->"
    if kind == "cdata":
        return f"<![CDATA[{draw(st.sampled_from(['<Proxy>x:1</Proxy>', ']] >', 'a&b']))}]]>"
    if kind == "pi":
        return f"<?{draw(_word)} data?>"
    if kind == "text":
        return draw(st.sampled_from(["\r\n", "\n", "  ", "\t"]))
    name = draw(_word)
    attrs = "".join(f' {draw(_word)}{i}="{draw(_attr_value)}"' for i in range(draw(st.integers(0, 2))))
    if kind == "empty":
        return f"<{name}{attrs}/>"
    children = "".join(draw(st.lists(_node(depth + 1), max_size=3)))
    return f"<{name}{attrs}>{draw(_text)}{children}</{name}>"


@st.composite
def config_document(draw) -> bytes:
    newline = draw(st.sampled_from(["\r\n", "\n"]))
    children = draw(st.lists(_node(), max_size=5))
    proxy = draw(st.sampled_from([None, "old.example:3128", " 10.1.1.1:80 "]))
    if proxy is not None:
        children.insert(draw(st.integers(0, len(children))), f"<Proxy>{proxy}</Proxy>")
    declaration = draw(st.sampled_from(['<?xml version="1.0" encoding="utf-8"?>', "<?xml version='1.0'?>", ""]))
    prolog = draw(st.sampled_from(["", "<!-- header -->", "<?pi x?>"]))
    body = newline.join(children)
    text = f"{declaration}{newline if declaration else ''}{prolog}<Configurations>{newline}{body}{newline}"
    text += f"</Configurations>{newline}"
    bom = draw(st.sampled_from([b"", b"\xef\xbb\xbf"]))
    return bom + text.encode("utf-8")


def _kept_parts(data: bytes) -> list[bytes]:
    """Comments, CDATA sections and processing instructions: an edit must keep every one."""
    return re.findall(rb"<!--.*?-->|<!\[CDATA\[.*?\]\]>|<\?.*?\?>", data, re.DOTALL)


@given(config_document(), st.sampled_from(["proxy.corp.example:8080", "10.0.0.1:3128", "[2001:db8::1]:80"]))
def test_proxy_edit_is_minimal_idempotent_and_reversible(data: bytes, target: str) -> None:
    try:
        edited = set_proxy(data, target)
    except ProxyConfigError as exc:
        # Only documents the reader itself flags (e.g. several <Proxy>) may be refused.
        assert_clear_error(exc)
        return
    assert read_proxy(edited.content).value == target
    # Minimal: one contiguous region changed, everything before and after is byte-identical.
    before, after = data, edited.content
    prefix = 0
    while prefix < min(len(before), len(after)) and before[prefix] == after[prefix]:
        prefix += 1
    suffix = 0
    while suffix < min(len(before), len(after)) - prefix and before[-1 - suffix] == after[-1 - suffix]:
        suffix += 1
    changed = after[prefix:len(after) - suffix]
    assert b"<!--" not in changed and b"CDATA" not in changed, "the edit rewrote a comment or CDATA section"
    assert sorted(_kept_parts(after)) == sorted(_kept_parts(before))
    again = set_proxy(edited.content, target)
    assert again.changed is False and again.content == edited.content
    removed = set_proxy(edited.content, None)
    assert read_proxy(removed.content).configured is False
    assert sorted(_kept_parts(removed.content)) == sorted(_kept_parts(before))


_DOS_TIMEOUT_SECONDS = 3


class _TookTooLong(Exception):
    pass


def _alarm(_signum, _frame):
    raise _TookTooLong


def test_unterminated_comment_runs_are_not_quadratic() -> None:
    # 160 KiB of '<!--': the fixed scanner needs milliseconds, the quadratic one about a minute here.
    # (proxy_config's comment/CDATA pattern used to rescan to the end of the text from every '<!--'.)
    data = b"<Configurations>" + b"<!--" * 40_000 + b"</Configurations>"
    previous = signal.signal(signal.SIGALRM, _alarm)
    signal.alarm(_DOS_TIMEOUT_SECONDS)
    try:
        with pytest.raises(ProxyConfigError):
            set_proxy(data, "10.0.0.1:8080")
        read_proxy(data)
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


# ================================================================================================
# Proxy strings
# ================================================================================================

_secret = st.text(alphabet="QRSTUVWXYZqrstuvwxyz", min_size=8, max_size=16).map(lambda s: "Pw" + s)
_plain = st.text(alphabet="abcdefg0123", min_size=1, max_size=8)


@given(
    scheme=st.sampled_from(["", "http://", "https://", "socks5://", "HTTP://"]),
    user=_plain,
    password=_secret,
    host=st.sampled_from(["proxy", "10.0.0.1", "[2001:db8::1]", "proxy.corp.example"]),
    port=st.one_of(st.integers(1, 65535).map(lambda p: f":{p}"), st.just(""), st.just(":x")),
    suffix=st.sampled_from(["", "/", "/path?q=1"]),
)
def test_proxy_credentials_are_never_echoed(scheme, user, password, host, port, suffix) -> None:
    text = f"{scheme}{user}:{password}@{host}{port}{suffix}"
    with pytest.raises(InputError) as info:
        parse_proxy_address(text)
    assert_clear_error(info.value)
    assert password not in str(info.value)
    assert password[2:] not in str(info.value)


@pytest.mark.parametrize("value", [None, 8080, 3.5, b"proxy:8080", ["proxy:8080"], {"host": "p"}, True])
def test_proxy_address_rejects_non_text_clearly(value: Any) -> None:
    with pytest.raises(CtxlicError) as info:
        parse_proxy_address(value)  # type: ignore[arg-type]
    assert_clear_error(info.value)


@given(st.text(max_size=60))
def test_accepted_proxy_addresses_are_safe_in_xml_and_argv(text: str) -> None:
    try:
        address = parse_proxy_address(text)
    except CtxlicError as exc:
        assert_clear_error(exc)
        return
    canonical = str(address)
    assert re.fullmatch(r"[A-Za-z0-9.\-\[\]:]+", canonical), canonical


# ================================================================================================
# Versions
# ================================================================================================


@pytest.mark.parametrize("value", [None, 11, 11.17, b"11.17.2 build 1", ["11.17.2"], {"v": 1}, True])
def test_version_parser_rejects_non_text_clearly(value: Any) -> None:
    with pytest.raises(CtxlicError) as info:
        parse_ls_version(value)
    assert_clear_error(info.value)


_part = st.integers(0, 10**9 - 1)


@given(a=st.tuples(_part, _part, _part, _part), b=st.tuples(_part, _part, _part, _part),
       before=st.sampled_from([" ", "  ", "\t", "\u00a0", " , ", ","]), after=st.sampled_from(["", " ", "\t "]))
def test_version_order_is_the_numeric_order(a, b, before, after) -> None:
    first = parse_ls_version(f"{a[0]}.{a[1]}.{a[2]}{before}build{after}{a[3]}")
    second = parse_ls_version(f"{b[0]}.{b[1]}.{b[2]}.0 build {b[3]}")
    assert (first < second) == (a < b) and (first == second) == (a == b)
    assert isinstance(first, LSVersion) and parse_ls_version(str(first)) == first


# ================================================================================================
# Allocation CSV
# ================================================================================================

_cell = st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=14)
_hostile = st.sampled_from(['=cmd|" /C calc"!A0', "+1", "-2", "@SUM(A1)", 'a"b', "x,y;z\tw", "line\nbreak",
                            "cr\ronly", " padded ", "<script>", "ä€漢"])


@given(
    rows=st.lists(st.tuples(st.one_of(_cell, _hostile), st.one_of(_cell, _hostile),
                            st.one_of(st.integers(0, 10**6).map(str), _cell)), max_size=10),
    delimiter=st.sampled_from([",", ";", "\t"]),
    bom=st.booleans(),
    header_case=st.sampled_from(["Host ID", "host id", " HOST ID "]),
)
def test_csv_written_by_csv_writer_is_read_back_exactly(rows, delimiter, bom, header_case) -> None:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter)
    writer.writerow([header_case, "Product", "Quantity"])
    writer.writerows(rows)
    text = ("\ufeff" if bom else "") + buffer.getvalue()
    allocations, findings = read_allocation_csv(text)
    expected = []
    records = 0
    for host, product, quantity in rows:
        if not any(cell.strip(" \t,;\"'") for cell in (host, product, quantity)):
            continue  # a blank row is skipped
        records += 1
        if host.strip():  # a malformed cell never drops a host (issue 15 item 2)
            digits = quantity.strip().removeprefix("+")
            plain = int(digits) if digits.isascii() and digits.isdigit() and len(digits) <= 12 else None
            expected.append((host.strip(), product.strip(), parse_quantity(quantity) if plain is None else plain))
    assert [(a["host"], a["product"], a["quantity"]) for a in allocations] == expected
    # Every record is accounted for: used, or ignored with a finding saying why (issue 14 item 6).
    assert len(allocations) + len({f["row"] for f in findings if f["ignored"]}) == records
    for finding in findings:
        assert finding["message"].strip() and finding["code"]


@given(host=st.text(max_size=12), product=st.text(max_size=12), quantity=st.text(max_size=12))
def test_csv_column_options_are_validated_clearly(host, product, quantity) -> None:
    try:
        read_allocation_csv("Host ID,Product,Quantity\nLS01,P,1\n", host_column=host, product_column=product,
                            quantity_column=quantity)
    except CtxlicError as exc:
        assert_clear_error(exc)
        assert isinstance(exc, InputError)


# ================================================================================================
# lmstat
# ================================================================================================

_feature = st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_", min_size=2, max_size=20)


@given(
    features=st.dictionaries(_feature, st.tuples(st.integers(0, 10**6), st.integers(0, 10**6)), max_size=8),
    port=st.integers(1, 65535),
    newline=st.sampled_from(["\n", "\r\n"]),
    indent=st.sampled_from(["", " ", "    "]),
)
def test_lmstat_in_the_seed_format_is_read_back_exactly(features, port, newline, indent) -> None:
    lines = [
        "lmstat - Copyright (c) 1989-2023 Flexera. All Rights Reserved.",
        "Flexible License Manager status on Sun 11/22/2026 12:00",
        "",
        f"License server status: {port}@localhost",
        f"{indent}License file(s) on localhost: C:\\Program Files (x86)\\Citrix\\Licensing\\MyFiles\\a.lic:",
        "",
        f"{indent}localhost: license server UP v11.17.2",
        "",
        "Vendor daemon status (on localhost):",
        "",
        f"{indent}CITRIX: UP v11.17.2",
        "",
        "Feature usage info:",
        "",
    ]
    for name, (issued, used) in features.items():
        noun_issued = "license" if issued == 1 else "licenses"
        noun_used = "license" if used == 1 else "licenses"
        lines.append(f"{indent}Users of {name}:  (Total of {issued} {noun_issued} issued;  "
                     f"Total of {used} {noun_used} in use)")
        lines.append("")
    result = parse_lmstat(newline.join(lines))
    assert result["parsed"] is True and result["port"] == port
    assert result["server"]["status"] == "UP" and result["vendor_daemons"]["CITRIX"]["status"] == "UP"
    assert {n: (f["issued"], f["in_use"]) for n, f in result["features"].items()} == features
    assume(not result["warnings"])
