# Copyright: (c) 2026, ctxlic maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# Internal use only: this module is private to ctxlic.license_server and may change at any time.
"""Read and edit the License Server proxy setting in ``SimpleLicenseServiceConfig.xml``.

Seed 004 "Step 5 Configure a proxy server" (~line 2939): the License Server (LS) sends license
downloads and telemetry uploads through a proxy when the file
``<Citrix Licensing>\\WebServicesForLicensing\\SimpleLicenseServiceConfig.xml`` holds a line
``<Proxy>proxy server name:port number</Proxy>`` inside ``<Configurations>``; "the .xml tags are
case-sensitive" and "we do not support authenticated proxies". The seed's sample::

    <Configurations>
    <EncoreConfiguration>
    <SamplingPeriod>15</SamplingPeriod>
    <RetentionTime>180</RetentionTime>
    <Enabled>true</Enabled>
    </EncoreConfiguration>
    <Proxy>10.211.55.5:808</Proxy>
    </Configurations>

The Citrix Licensing Manager UI (seed 004 ~line 3525) takes "IPAddress:Port or Hostname:Port".
The seed also says (Call Home field ``SLSProxy``, ~line 840) that the LS picks its proxy from
WinHTTP auto-proxy, then Internet Explorer settings, then the WinHTTP default, and only then from
this file: a value here can be overridden by Windows proxy settings.

Choices where the seeds are silent (documented here, configurable where it matters):

- The address itself (IPv6, host names, ports) is parsed by :mod:`.proxy_address`, which does not
  import lxml.
- Two ``<Proxy>`` elements: which one the LS uses is not documented, so :func:`read_proxy`
  reports ``configured=None`` ("cannot tell") instead of guessing, and :func:`set_proxy` refuses to
  set a value until the file is fixed by hand; removing (``proxy=None``) removes all of them.
- ``<proxy>``/``<PROXY>`` (wrong case) and a ``<Proxy>`` that is not a direct child of
  ``<Configurations>`` are not the setting (tags are case-sensitive; the seed puts it directly
  inside ``<Configurations>``). They are reported as findings and left untouched.
- An empty ``<Proxy/>`` counts as "not configured" (reported as a finding).
- A value with surrounding whitespace is reported verbatim (the LS may not trim it);
  :func:`set_proxy` rewrites it without the whitespace.

Editing is byte-preserving: :func:`set_proxy` splices the original bytes, so everything outside the
changed element text (or the inserted/removed line) is kept exactly: XML declaration, encoding,
byte-order mark, comments, element order, unknown elements, indentation and line endings. Files
are validated with lxml before any edit (entities never resolved, no network, no DTD), documents
with a DOCTYPE or entity declaration are refused outright, and every result is re-parsed before it
is returned.

This module is pure: it takes and returns bytes and does no I/O.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass, field
from typing import Any

from ansible_collections.ctxlic.license_server.plugins.plugin_utils._telemetry.proxy_address import (
    ProxyConfigError,
    echo_text,
    parse_proxy_address,
    redact_credentials,
)
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._common.lxml_import import etree, require_lxml
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._common.errors import CtxlicError, InputError

#: Where the file lives, relative to the Citrix Licensing install directory (seed 004).
CONFIG_FILE_RELATIVE = r"WebServicesForLicensing\SimpleLicenseServiceConfig.xml"
DEFAULT_SOURCE = "SimpleLicenseServiceConfig.xml"

ROOT_TAG = "Configurations"
PROXY_TAG = "Proxy"

#: The config file is a few hundred bytes; refusing huge input bounds parser work.
DEFAULT_MAX_BYTES = 1024 * 1024


# (byte-order mark, codec that decodes what follows it), longest marks first.
_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_BOMLESS_UTF16: tuple[tuple[bytes, str], ...] = ((b"<\x00?\x00", "utf-16-le"), (b"\x00<\x00?", "utf-16-be"))
_DECLARED_ENCODING_RE = re.compile(rb"""^<\?xml[^>]*?\sencoding\s*=\s*["']([A-Za-z][A-Za-z0-9._\-]*)["']""")
# Codecs that write their own byte-order mark: we only round-trip when the mark is split off.
_BOM_WRITING_CODECS = frozenset({"utf-16", "utf-32", "utf-8-sig"})
# Comments and CDATA may mention "<!DOCTYPE" harmlessly; declarations are searched outside them.
# An unterminated section runs to the end of the text (\Z): without that alternative every later
# '<!--' would rescan to the end again, quadratic time on a file of '<!--' runs. Hiding the rest of
# such a text is safe because it is never well-formed, so lxml refuses it right after this check.
_COMMENT_OR_CDATA_RE = re.compile(r"<!--.*?(?:-->|\Z)|<!\[CDATA\[.*?(?:\]\]>|\Z)", re.DOTALL)
_DECLARATION_RE = re.compile(r"<!\s*(?:DOCTYPE|ENTITY|ELEMENT|ATTLIST|NOTATION)", re.IGNORECASE)
_RAW_NAME_RE = re.compile(r"[^\s/>=\"'<]+")

# File problems that read_proxy reports as findings and set_proxy refuses.
_FILE_CODES = frozenset(
    {
        "empty_file",
        "too_large",
        "undecodable",
        "unsupported_encoding",
        "doctype_refused",
        "not_parseable",
    }
)


# --------------------------------------------------------------------------------------------
# Document loading: bytes -> decoded text + lxml tree + element offsets
# --------------------------------------------------------------------------------------------


@dataclass
class _Element:
    """Where one element sits in the decoded text (character offsets)."""

    name: str
    parent: int | None
    start: int  # offset of '<'
    start_end: int  # offset just after the start tag's '>'
    end_start: int = -1  # offset of '</' (start_end for a self-closing element)
    end: int = -1  # offset just after the end tag's '>'
    self_closing: bool = False
    children: list[int] = field(default_factory=list)


@dataclass
class _Doc:
    data: bytes
    bom: bytes
    codec: str
    text: str
    root: Any  # lxml element
    lx: list[Any]  # lxml elements in document order
    spans: list[_Element]  # same order as lx; empty unless loaded for editing


class _ScanError(Exception):
    """The text did not tokenize the way lxml parsed it (internal consistency failure)."""


def _file_error(code: str, source: str, problem: str, action: str) -> ProxyConfigError:
    return ProxyConfigError(code, f"{source}: {problem}; {action}")


def _detect_encoding(data: bytes, source: str) -> tuple[bytes, str]:
    """Return (byte-order mark, codec for the bytes after it) the way an XML parser would."""
    for bom, codec in _BOMS:
        if data.startswith(bom):
            return bom, codec
    for prefix, codec in _BOMLESS_UTF16:
        if data.startswith(prefix):
            return b"", codec
    match = _DECLARED_ENCODING_RE.match(data)
    if not match:
        return b"", "utf-8"
    declared = match.group(1).decode("ascii")
    try:
        codec = codecs.lookup(declared).name
    except LookupError:
        raise _file_error(
            "unsupported_encoding",
            source,
            f"declares encoding {declared!r}, which Python does not know",
            "save the file as UTF-8 or UTF-16 with a byte-order mark",
        ) from None
    if codec in _BOM_WRITING_CODECS:
        raise _file_error(
            "unsupported_encoding",
            source,
            f"declares encoding {declared!r} but has no byte-order mark matching it",
            "save the file as UTF-8, or as UTF-16 with a byte-order mark",
        )
    return b"", codec


def _decode(data: bytes, source: str) -> tuple[bytes, str, str]:
    bom, codec = _detect_encoding(data, source)
    try:
        text = data[len(bom) :].decode(codec)
    except (UnicodeDecodeError, LookupError):
        raise _file_error(
            "undecodable",
            source,
            f"is not valid {codec} text",
            "check that the file's encoding matches its XML declaration, or restore it from a backup",
        ) from None
    if bom + text.encode(codec) != data:
        raise _file_error(
            "unsupported_encoding",
            source,
            f"does not round-trip through the {codec} codec byte for byte",
            "save the file as UTF-8 or UTF-16 with a byte-order mark",
        )
    return bom, codec, text


def _safe_parser() -> Any:
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        huge_tree=False,
        dtd_validation=False,
        attribute_defaults=False,
        remove_blank_text=False,
        remove_comments=False,
        remove_pis=False,
        recover=False,
    )


def _load(xml: bytes, source: str, max_bytes: int, *, spans: bool) -> _Doc:
    """Validate and decode a config file; raise ProxyConfigError for anything unsafe or broken.

    ``spans=True`` (editing) also maps every element onto its character offsets in the text;
    reading does not need them, so a mapping problem can never break a read.
    """
    if not isinstance(xml, (bytes, bytearray, memoryview)):
        raise ProxyConfigError("not_bytes", f"{source}: the file content must be bytes, got {type(xml).__name__}")
    data = bytes(xml)
    require_lxml("Reading SimpleLicenseServiceConfig.xml")
    if len(data) > max_bytes:
        raise _file_error(
            "too_large",
            source,
            f"is {len(data)} bytes, more than the {max_bytes} a License Server config file can plausibly be",
            "check that the path points at SimpleLicenseServiceConfig.xml",
        )
    if not data:
        raise _file_error("empty_file", source, "is empty", "restore it from a backup or reinstall Citrix Licensing")
    bom, codec, text = _decode(data, source)
    if text.strip() == "":
        raise _file_error(
            "empty_file", source, "holds only whitespace", "restore it from a backup or reinstall Citrix Licensing"
        )
    if _DECLARATION_RE.search(_COMMENT_OR_CDATA_RE.sub("", text)):
        raise _doctype_error(source)
    try:
        root = etree.fromstring(data, _safe_parser())
    except (etree.LxmlError, ValueError) as exc:
        raise _file_error(
            "not_parseable",
            source,
            f"is not well-formed XML ({_lxml_reason(exc)})",
            "fix the file by hand or restore it from a backup; it was not changed",
        ) from None
    docinfo = root.getroottree().docinfo
    if docinfo.internalDTD is not None or docinfo.externalDTD is not None or docinfo.doctype:
        raise _doctype_error(source)
    lx = [el for el in root.iter() if isinstance(el.tag, str)]
    if not spans:
        return _Doc(data=data, bom=bom, codec=codec, text=text, root=root, lx=lx, spans=[])
    found = _scan_elements(text)
    if len(found) != len(lx) or any(_local(span.name) != _local(el.tag) for span, el in zip(found, lx, strict=False)):
        raise CtxlicError(
            f"{source}: could not map the parsed elements onto the file's text; the file was not changed. "
            "Please report this with a copy of the file"
        )
    return _Doc(data=data, bom=bom, codec=codec, text=text, root=root, lx=lx, spans=found)


def _doctype_error(source: str) -> ProxyConfigError:
    return _file_error(
        "doctype_refused",
        source,
        "contains a DOCTYPE or entity declaration, which SimpleLicenseServiceConfig.xml never has "
        "(entities are not expanded here)",
        "remove the declaration by hand or restore the file from a backup",
    )


def _lxml_reason(exc: Exception) -> str:
    reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return ascii(reason[:200])[1:-1]


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1].rsplit(":", 1)[-1]


def _scan_elements(text: str) -> list[_Element]:
    """Tokenize well-formed XML text into element spans, in document order.

    Runs only after lxml accepted the document, so a simple scanner suffices: text content cannot
    hold a raw '<', attribute values are quoted, and comments/CDATA/PIs are skipped whole.
    """
    try:
        return _scan(text)
    except (_ScanError, IndexError, AttributeError):
        return []


def _raw_name(text: str, pos: int) -> str:
    """The element name that starts at ``pos`` (after ``<`` or ``</``)."""
    match = _RAW_NAME_RE.match(text, pos)
    if match is None:
        raise _ScanError("name")
    return match.group(0)


def _scan(text: str) -> list[_Element]:
    spans: list[_Element] = []
    stack: list[int] = []
    pos = 0
    while True:
        lt = text.find("<", pos)
        if lt < 0:
            break
        if text.startswith("<!--", lt):
            pos = _after(text, "-->", lt + 4)
        elif text.startswith("<![CDATA[", lt):
            pos = _after(text, "]]>", lt + 9)
        elif text.startswith("<?", lt):
            pos = _after(text, "?>", lt + 2)
        elif text.startswith("<!", lt):
            raise _ScanError("declaration")
        elif text.startswith("</", lt):
            name = _raw_name(text, lt + 2)
            if not stack or spans[stack[-1]].name != name:
                raise _ScanError("unbalanced")
            span = spans[stack.pop()]
            span.end_start, span.end = lt, _after(text, ">", lt + 2)
            pos = span.end
        else:
            name = _raw_name(text, lt + 1)
            close = _start_tag_close(text, lt + 1 + len(name))
            span = _Element(name=name, parent=stack[-1] if stack else None, start=lt, start_end=close + 1)
            index = len(spans)
            spans.append(span)
            if span.parent is not None:
                spans[span.parent].children.append(index)
            if text[close - 1] == "/":
                span.self_closing, span.end_start, span.end = True, close + 1, close + 1
            else:
                stack.append(index)
            pos = close + 1
    if stack:
        raise _ScanError("unclosed")
    return spans


def _after(text: str, token: str, start: int) -> int:
    found = text.find(token, start)
    if found < 0:
        raise _ScanError(token)
    return found + len(token)


def _start_tag_close(text: str, pos: int) -> int:
    quote = ""
    while pos < len(text):
        char = text[pos]
        if quote:
            if char == quote:
                quote = ""
        elif char in "\"'":
            quote = char
        elif char == ">":
            return pos
        pos += 1
    raise _ScanError("start tag")


# --------------------------------------------------------------------------------------------
# Reading
# --------------------------------------------------------------------------------------------


@dataclass
class ProxyState:
    """What the file says about the proxy.

    ``configured``: True (one usable-looking ``<Proxy>``), False (none, or empty), None (cannot
    tell: the file is broken or refused, its root is not ``<Configurations>``, or it is ambiguous).
    ``value``: the ``<Proxy>`` text exactly as in the file (entities resolved), else None; anything
    that looks like credentials (``user:pass@``, never valid for the LS) is masked as ``***@``.
    ``candidates``: texts of every ``<Proxy>`` directly under ``<Configurations>``, in file order.
    ``findings``: ``{"code", "message"}`` dicts describing anything odd.
    """

    configured: bool | None
    value: str | None
    findings: list[dict[str, str]] = field(default_factory=list)
    candidates: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "configured": self.configured,
            "value": self.value,
            "findings": [dict(item) for item in self.findings],
            "candidates": list(self.candidates),
        }


@dataclass
class _Analysis:
    root_ok: bool
    proxies: list[int]  # indexes into doc.lx / doc.spans: <Proxy> directly under the root
    findings: list[dict[str, str]]


def _finding(code: str, message: str) -> dict[str, str]:
    return {"code": code, "message": message}


def _text_of(element: Any) -> str:
    return element.text or ""


def _analyze(doc: _Doc, source: str) -> _Analysis:
    findings: list[dict[str, str]] = []
    root_ok = doc.root.tag == ROOT_TAG
    if not root_ok:
        findings.append(
            _finding(
                "root_not_configurations",
                f"{source}: the root element is {echo_text(doc.root.tag)}, not <{ROOT_TAG}> (tags are case-sensitive, "
                "no namespace); the License Server reads its proxy only from <Configurations>",
            )
        )
    proxies: list[int] = []
    for index, element in enumerate(doc.lx):
        line = element.sourceline
        if element.tag == PROXY_TAG:
            parent = element.getparent()
            if root_ok and parent is doc.root:
                proxies.append(index)
            else:
                findings.append(
                    _finding(
                        "proxy_outside_configurations",
                        f"{source} line {line}: <Proxy> is not directly inside <Configurations>, so it is not the "
                        "License Server's proxy setting; it is left as it is",
                    )
                )
        elif _local(element.tag) == PROXY_TAG:
            findings.append(
                _finding(
                    "namespaced_tag",
                    f"{source} line {line}: <Proxy> is in an XML namespace ({echo_text(element.tag)}); the License "
                    "Server expects <Proxy> without a namespace, so it is not the proxy setting",
                )
            )
        elif _local(element.tag).lower() == PROXY_TAG.lower():
            findings.append(
                _finding(
                    "wrong_case_tag",
                    f"{source} line {line}: element {echo_text(element.tag)} is not <Proxy>; the tags are "
                    "case-sensitive (Citrix Licensing 11.17.2 build 49000 documentation), so the License Server "
                    "ignores it. Remove it by hand",
                )
            )
    if len(proxies) > 1:
        values = ", ".join(echo_text(_text_of(doc.lx[i])) for i in proxies)
        findings.append(
            _finding(
                "duplicate_proxy",
                f"{source}: {len(proxies)} <Proxy> elements ({values}); which one the License Server uses is not "
                "documented. Fix the file by hand so that it has exactly one",
            )
        )
    for index in proxies:
        findings.extend(_value_findings(doc.lx[index], source))
    return _Analysis(root_ok=root_ok, proxies=proxies, findings=findings)


def _value_findings(element: Any, source: str) -> list[dict[str, str]]:
    line = element.sourceline
    if len(element):
        return [
            _finding(
                "proxy_has_markup",
                f"{source} line {line}: <Proxy> contains elements, comments or processing instructions; what the "
                "License Server reads from it is unknown. Fix it by hand to <Proxy>host:port</Proxy>",
            )
        ]
    text = _text_of(element)
    if text.strip() == "":
        return [
            _finding(
                "empty_proxy",
                f"{source} line {line}: <Proxy> is empty, so no proxy is configured; set one or remove the element",
            )
        ]
    findings: list[dict[str, str]] = []
    if text != text.strip():
        findings.append(
            _finding(
                "proxy_whitespace",
                f"{source} line {line}: the <Proxy> value {echo_text(text)} has surrounding whitespace, which the "
                "License Server may not ignore; setting the proxy again rewrites it without",
            )
        )
    try:
        parse_proxy_address(text.strip())
    except ProxyConfigError as exc:
        findings.append(_finding("invalid_proxy_value", f"{source} line {line}: {exc}"))
    return findings


def read_proxy(xml: bytes, *, source: str = DEFAULT_SOURCE, max_bytes: int = DEFAULT_MAX_BYTES) -> ProxyState:
    """Report the proxy configured in SimpleLicenseServiceConfig.xml content.

    File problems (empty, undecodable, DOCTYPE/entities, not well-formed) do not raise: they come
    back as ``configured=None`` with a finding, so a fleet-wide report keeps going. Raises
    InputError only for a caller error (content not bytes) or when lxml is missing.
    """
    try:
        doc = _load(xml, source, max_bytes, spans=False)
    except ProxyConfigError as exc:
        if exc.code in _FILE_CODES:
            return ProxyState(configured=None, value=None, findings=[_finding(exc.code, str(exc))])
        raise
    analysis = _analyze(doc, source)
    candidates = [redact_credentials(_text_of(doc.lx[i])) for i in analysis.proxies]
    codes = {item["code"] for item in analysis.findings}
    if not analysis.root_ok or codes & {"duplicate_proxy", "proxy_has_markup"}:
        return ProxyState(configured=None, value=None, findings=analysis.findings, candidates=candidates)
    if not candidates or candidates[0].strip() == "":
        return ProxyState(configured=False, value=None, findings=analysis.findings, candidates=candidates)
    return ProxyState(configured=True, value=candidates[0], findings=analysis.findings, candidates=candidates)


# --------------------------------------------------------------------------------------------
# Editing
# --------------------------------------------------------------------------------------------


@dataclass
class EditResult:
    """Outcome of :func:`set_proxy`.

    ``content`` is the new file (the input object itself when nothing changed); ``before`` is the
    old ``<Proxy>`` text (None when there was none; several values are joined with ", ";
    credentials masked as in :class:`ProxyState`);
    ``after`` the new value (None when removed); ``findings`` describe the file as it was read.
    """

    content: bytes
    changed: bool
    before: str | None
    after: str | None
    findings: list[dict[str, str]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "changed": self.changed,
            "before": self.before,
            "after": self.after,
            "findings": [dict(item) for item in self.findings],
        }


def _xml_escape(value: str) -> str:
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def set_proxy(
    xml: bytes,
    proxy: str | None,
    *,
    source: str = DEFAULT_SOURCE,
    allow_ipv6: bool = True,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> EditResult:
    """Set (``proxy="host:port"``) or remove (``proxy=None``) the LS proxy in config file content.

    Validates the address and the whole file before touching anything and refuses (raises
    :class:`ProxyConfigError`, content untouched) a file that is empty, undecodable, not
    well-formed, has a DOCTYPE/entities, has a root other than ``<Configurations>``, or, when
    setting, holds two ``<Proxy>`` elements or markup inside ``<Proxy>``. ``max_bytes`` bounds the
    file as read and as it would be written (code ``too_large`` when the edit would grow it past the
    limit), so every file this function returns can be read back. Idempotent: when the file already
    says what was asked, returns ``changed=False`` and the input bytes unchanged.
    """
    target = None if proxy is None else str(parse_proxy_address(proxy, allow_ipv6=allow_ipv6))
    doc = _load(xml, source, max_bytes, spans=True)
    analysis = _analyze(doc, source)
    _refuse_unsafe_edit(analysis, target is not None)
    values = [_text_of(doc.lx[i]) for i in analysis.proxies]
    before = ", ".join(redact_credentials(value) for value in values) if values else None
    if target is None:
        edits = [_removal(doc, doc.spans[i]) for i in analysis.proxies]
    elif values == [target]:
        edits = []
    elif values:
        edits = [_replacement(doc, doc.spans[analysis.proxies[0]], target)]
    else:
        edits = [_insertion(doc, doc.spans[0], target)]
    if not edits:
        return EditResult(content=doc.data, changed=False, before=before, after=target, findings=analysis.findings)
    content = _splice(doc, edits)
    _refuse_oversized_result(content, len(doc.data), source, max_bytes)
    _verify(content, target, source, max_bytes)
    return EditResult(content=content, changed=True, before=before, after=target, findings=analysis.findings)


def _refuse_unsafe_edit(analysis: _Analysis, setting: bool) -> None:
    refusing = {"root_not_configurations"}
    if setting:
        refusing |= {"duplicate_proxy", "proxy_has_markup"}
    for item in analysis.findings:
        if item["code"] in refusing:
            raise ProxyConfigError(item["code"], item["message"] + "; the file was not changed")


def _replacement(doc: _Doc, span: _Element, target: str) -> tuple[int, int, str]:
    escaped = _xml_escape(target)
    if span.self_closing:
        opening = doc.text[span.start : span.start_end][:-2].rstrip() + ">"
        return span.start, span.start_end, f"{opening}{escaped}</{PROXY_TAG}>"
    return span.start_end, span.end_start, escaped


def _removal(doc: _Doc, span: _Element) -> tuple[int, int, str]:
    """Remove the element; when it is alone on its line, remove the whole line with its newline."""
    text = doc.text
    line_start = max(text.rfind("\n", 0, span.start), text.rfind("\r", 0, span.start)) + 1
    line_end = _next_newline(text, span.end)
    if text[line_start : span.start].strip(" \t") == "" and text[span.end : line_end].strip(" \t") == "":
        newline = _newline_at(text, line_end)
        if newline:
            return line_start, line_end + len(newline), ""
    return span.start, span.end, ""


def _insertion(doc: _Doc, root: _Element, target: str) -> tuple[int, int, str]:
    """Add <Proxy> as the last child of the root, on its own line when the layout allows it."""
    text = doc.text
    element = f"<{PROXY_TAG}>{_xml_escape(target)}</{PROXY_TAG}>"
    if root.self_closing:
        opening = text[root.start : root.start_end][:-2].rstrip() + ">"
        return root.start, root.start_end, f"{opening}{element}</{ROOT_TAG}>"
    line_start = max(text.rfind("\n", 0, root.end_start), text.rfind("\r", 0, root.end_start)) + 1
    if line_start > root.start_end and text[line_start : root.end_start].strip(" \t") == "":
        newline = _newline_before(text, line_start)
        indent = _child_indent(doc, root)
        return line_start, line_start, f"{indent}{element}{newline}"
    children = [doc.spans[i] for i in root.children]
    anchor = children[-1].end if children else root.start_end
    return anchor, anchor, element


def _child_indent(doc: _Doc, root: _Element) -> str:
    """Indentation of the root's children, from the last child that starts its own line."""
    text = doc.text
    for index in reversed(root.children):
        leading = _leading_on_line(text, doc.spans[index].start)
        if leading is not None:
            return leading
    root_indent = _leading_on_line(text, root.start) or ""
    unit = re.search(r"(?m)^([ \t]+)<", text)
    return root_indent + (unit.group(1) if unit else "")


def _leading_on_line(text: str, pos: int) -> str | None:
    line_start = max(text.rfind("\n", 0, pos), text.rfind("\r", 0, pos)) + 1
    leading = text[line_start:pos]
    return leading if leading.strip(" \t") == "" else None


def _next_newline(text: str, pos: int) -> int:
    positions = [p for p in (text.find("\n", pos), text.find("\r", pos)) if p >= 0]
    return min(positions) if positions else len(text)


def _newline_at(text: str, pos: int) -> str:
    if text.startswith("\r\n", pos):
        return "\r\n"
    if pos < len(text) and text[pos] in "\r\n":
        return text[pos]
    return ""


def _newline_before(text: str, line_start: int) -> str:
    if text[line_start - 2 : line_start] == "\r\n":
        return "\r\n"
    return text[line_start - 1]


def _byte_offset(doc: _Doc, char_offset: int) -> int:
    return len(doc.bom) + len(doc.text[:char_offset].encode(doc.codec))


def _splice(doc: _Doc, edits: list[tuple[int, int, str]]) -> bytes:
    """Apply text edits to the original bytes; bytes outside the edited ranges are copied as-is."""
    content = doc.data
    for start, end, replacement in sorted(edits, reverse=True):
        content = (
            content[: _byte_offset(doc, start)] + replacement.encode(doc.codec) + content[_byte_offset(doc, end) :]
        )
    return content


def _refuse_oversized_result(content: bytes, size_before: int, source: str, max_bytes: int) -> None:
    """``max_bytes`` holds for the file as written too: a file grown past it could not be read back.

    Only setting a proxy grows the file (by the ``<Proxy>`` line), so an input just under the limit
    can be read and removed from, but not set; the next read or idempotent run would refuse it.
    """
    if len(content) <= max_bytes:
        return
    raise _file_error(
        "too_large",
        source,
        f"is {size_before} bytes and would be {len(content)} bytes with this edit, more than the {max_bytes} "
        "a License Server config file can plausibly be (the limit applies to the written file too, so that it "
        "can be read back)",
        "the file was not changed; check that the path points at SimpleLicenseServiceConfig.xml and remove "
        "whatever makes it this large",
    )


def _verify(content: bytes, target: str | None, source: str, max_bytes: int) -> None:
    """Re-read the edited content; an edit that does not read back as intended is never returned."""
    try:
        state = read_proxy(content, source=source, max_bytes=max_bytes)
    except InputError as exc:
        raise CtxlicError(f"{source}: the edited file did not read back ({exc}); the file was not changed") from None
    expected = (True, target) if target is not None else (False, None)
    if (state.configured, state.value) != expected:
        raise CtxlicError(
            f"{source}: the edited file reads back as configured={state.configured} "
            f"value={echo_text(str(state.value))} instead of the requested proxy; the file was not changed. Please "
            "report this with a copy of the file"
        )


# --------------------------------------------------------------------------------------------
# Diff
# --------------------------------------------------------------------------------------------


_PROXY_TEXT_RE = re.compile(r"(<proxy\b[^<>]*>)([^<]*)(</proxy\s*>)", re.IGNORECASE)


def _display_text(content: bytes) -> str:
    if not isinstance(content, (bytes, bytearray, memoryview)):
        raise InputError(f"diff_text needs file content as bytes, got {type(content).__name__}")
    data = bytes(content)
    try:
        bom, codec = _detect_encoding(data, DEFAULT_SOURCE)
    except ProxyConfigError:
        bom, codec = b"", "utf-8"
    text = data[len(bom) :].decode(codec, errors="replace")
    return _PROXY_TEXT_RE.sub(lambda m: m.group(1) + redact_credentials(m.group(2)) + m.group(3), text)


def diff_text(before: bytes, after: bytes, path: str) -> dict[str, str]:
    """Ansible ``diff`` for a file edit: ``{"before", "after", "before_header", "after_header"}``.

    Both sides are decoded the way the file is encoded (byte-order mark dropped, undecodable bytes
    replaced) so UTF-16 files diff as text. Credentials inside a ``<Proxy>`` value (never valid for
    the LS, but operators do paste them) are masked so they do not reach logs.
    """
    return {
        "before": _display_text(before),
        "after": _display_text(after),
        "before_header": str(path),
        "after_header": str(path),
    }
