# Copyright: (c) 2026, ctxlic maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# Internal use only: this module is private to ctxlic.license_server and may change at any time.
"""Citrix license files (FlexNet format as Citrix ships it): dates, lexing and parsing into a report. No I/O.

Everything here works on names and bytes handed in by the caller, and on a ``today`` date the
caller chooses, so the rules can be tested with fixed dates and reused by every module (deploy,
info, prune, compliance report) without touching a host.

Source: Citrix Licensing 11.17.2 product documentation (seed ``004``): "License files" and
"License file format" (SERVER / VENDOR / USE_SERVER / INCREMENT lines, attributes, SUPERSEDE,
SUPERSEDE_SIGN), "Known issues" (the License Server ignores files with several ``HOSTNAME=``
lines; a one-digit-day expiry is shown as permanent in Studio, LIC-2556), "Download licenses"
(lower-case ``.lic``; copy tools append ``.txt``) and "Delete license files" (delete only when
every INCREMENT line is obsolete; never touch ``citrix_startup.lic`` or ``CITRIX.opt``). Seed
``002``: expired or inactive licenses still installed make a customer non-compliant.

Where the documents are silent the choices are written down next to the code that makes them:

* A backslash at the end of a physical line (trailing blanks allowed) joins the next physical
  line, also inside quotes. A ``{`` group left open (``SUPERSEDE_SIGN={`` in the seed example)
  continues onto the next line even without a backslash. A quote left open at the end of a line
  without a backslash ends the logical line as a truncation.
* ``SERVER this_host ANY`` is reported as binding kind ``any`` and ``SERVER this_host ID=...`` /
  ``INTERNET=...`` as kind ``other``, next to ``hostname``, ``mac``, ``none`` and ``multiple``: the
  seeds only document host name and MAC bindings, and the start-up license (assumed, see the
  fixture ``citrix_startup_like.lic``) binds to any host.
* FlexNet's FEATURE lines are read like INCREMENT lines (Citrix ships INCREMENT lines only); their
  counts are summed the same way by :func:`inventory_summary`.
* Signatures (``SIGN``, ``SIGN2``, the hex inside ``SUPERSEDE_SIGN``) never leave this module: a
  report keeps a ``signed`` flag and, privately, a SHA-256 digest used only to match a
  ``SUPERSEDE_SIGN`` entry to the exact line it disables.

The report types live in :mod:`.license_model`, file names in :mod:`.license_names`, binding checks in
:mod:`.license_binding` and the views across files (inventory, obsolete files) in :mod:`.license_inventory`.
"""

from __future__ import annotations

import datetime
import hashlib
import re
from dataclasses import dataclass
from typing import Iterable, Sequence

from ansible_collections.ctxlic.license_server.plugins.plugin_utils._common.constants import UTF8_BOM
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._common.errors import InputError
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._license.license_binding import normalize_mac
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._license.license_model import (
    Binding,
    Feature,
    Finding,
    LicenseFileReport,
    as_date,
    printable,
)
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._license.license_names import (
    is_protected,
    validate_file_name,
)

MAX_FILE_BYTES = 1024 * 1024
"""Real license files are a few KiB; anything larger is refused unparsed to bound the work done."""
_MONTHS = {
    name: number
    for number, name in enumerate(
        ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), start=1
    )
}
_DATE_RE = re.compile(r"(\d{1,2})-([A-Za-z]{3})-(\d{1,4})")
_CSS_RE = re.compile(r"(\d{4})\.(\d{4})")
_VERSION_RE = re.compile(r"\d+(?:\.\d+)?")
_FEATURE_NAME_RE = re.compile(r"[A-Za-z0-9_\-]{1,64}")
_KEY_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_\-]*")
_HEX_GROUP_RE = re.compile(r"[0-9A-Fa-f]{2,8}")
_SUPERSEDE_SIGN_ENTRY_RE = re.compile(r"([A-Za-z0-9_\-]+)\s*:\s*((?:[0-9A-Fa-f]+\b(?!\s*:)\s*)+)")
_CITRIXTERM_RE = re.compile(r"#\s*CITRIXTERM\s+FEATURE\s+(\S+)\s+(\S+)\s+([A-Za-z_\-]+)\s+(.+)")
_LINE_SPLIT_RE = re.compile(r"\r\n|\r|\n")
_RAW_TOKEN_RE = re.compile(r'(?:[^\s"{]+|"[^"]*(?:"|$)|\{[^}]*(?:\}|$))+')
_INCREMENT_KEYWORDS = frozenset({"INCREMENT", "FEATURE"})
_UNSUPPORTED_KEYWORDS = frozenset({"UPGRADE", "PACKAGE", "FEATURESET"})
_VENDOR_KEYWORDS = frozenset({"VENDOR", "DAEMON"})
_LINE_KEYWORDS = _INCREMENT_KEYWORDS | _UNSUPPORTED_KEYWORDS | _VENDOR_KEYWORDS | {"SERVER", "USE_SERVER"}
_SIGNATURE_KEYS = frozenset({"SIGN", "SIGN2"})
_FLAG_WORDS = frozenset(
    {"SUPERSEDE", "TS_OK", "ONE_TS_OK", "CAPACITY", "BORROW", "FLOAT_OK", "USER_BASED", "HOST_BASED", "MINIMUM"}
)
_KNOWN_ATTRIBUTES = frozenset(
    {
        "VENDOR_STRING",
        "DUP_GROUP",
        "ISSUED",
        "ISSUER",
        "NOTICE",
        "SN",
        "START",
        "SUPERSEDE",
        "SUPERSEDE_SIGN",
        "OVERDRAFT",
    }
    | _SIGNATURE_KEYS
)
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")


@dataclass(frozen=True)
class _Date:
    value: datetime.date | None = None
    permanent: bool = False
    single_digit_day: bool = False
    error: str | None = None


def _parse_flex_date(text: str, *, allow_permanent: bool) -> _Date:
    """Read ``dd-mmm-yyyy`` (month any case, one- or two-digit day), ``permanent`` or year 0.

    FlexNet treats year 0 (``1-jan-0``, ``01-jan-00``, ``1-jan-0000``) as "never expires"; that
    only makes sense for an expiry, so START/ISSUED with year 0 is an error. Two- and three-digit
    years other than 0 are refused: Citrix writes four digits and guessing a century is unsafe.
    """
    stripped = text.strip()
    if allow_permanent and stripped.lower() == "permanent":
        return _Date(permanent=True)
    match = _DATE_RE.fullmatch(stripped)
    if not match:
        return _Date(error="is not a date in the form dd-mmm-yyyy")
    day_text, month_text, year_text = match.groups()
    month = _MONTHS.get(month_text.lower())
    if month is None:
        return _Date(error="has an unknown month name")
    year = int(year_text)
    if year == 0:
        if allow_permanent:
            return _Date(permanent=True)
        return _Date(error="has year 0")
    if len(year_text) != 4:
        return _Date(error="needs a four-digit year")
    try:
        value = datetime.date(year, month, int(day_text))
    except ValueError:
        return _Date(error="is not a real calendar date")
    return _Date(value=value, single_digit_day=len(day_text) == 1)


def _parse_css(version: str) -> tuple[datetime.date | None, str | None]:
    """Read the version field: ``YYYY.MMDD`` is the Customer Success Services date.

    Returns ``(date, problem)``; a plain FlexNet version such as ``1.0`` gives ``(None, None)``.
    """
    match = _CSS_RE.fullmatch(version)
    if match:
        year, monthday = match.groups()
        try:
            return datetime.date(int(year), int(monthday[:2]), int(monthday[2:])), None
        except ValueError:
            return None, "css_date_invalid"
    if _VERSION_RE.fullmatch(version):
        return None, None
    return None, "malformed"


@dataclass
class _LogicalLine:
    text: str
    line: int
    truncated: str | None = None


@dataclass
class _Token:
    raw: str
    key: str | None = None
    value: str | None = None
    quoted: bool = False


def _scan_state(text: str, in_quote: bool, depth: int) -> tuple[bool, int]:
    """Track quote and brace nesting across a physical line."""
    for char in text:
        if char == '"':
            in_quote = not in_quote
        elif not in_quote and char == "{":
            depth += 1
        elif not in_quote and char == "}":
            depth = max(0, depth - 1)
    return in_quote, depth


def _logical_lines(text: str) -> tuple[list[_LogicalLine], list[tuple[int, str]]]:
    """Join continuations; return logical lines and comment lines (with physical line numbers)."""
    lines: list[_LogicalLine] = []
    comments: list[tuple[int, str]] = []
    buffer: list[str] = []
    start = 0
    in_quote = False
    depth = 0
    continued = False
    physical = _LINE_SPLIT_RE.split(text)
    if physical and physical[-1] == "":
        physical.pop()  # the newline that ends the last line does not start another one
    for number, raw in enumerate(physical, start=1):
        if not buffer:
            stripped = raw.strip()
            if not stripped:
                continue
            if stripped.startswith("#"):
                comments.append((number, stripped))
                continue
            start = number
        content = raw.rstrip()
        continued = content.endswith("\\")
        if continued:
            content = content[:-1]
        in_quote, depth = _scan_state(content, in_quote, depth)
        buffer.append(content)
        if continued or (depth > 0 and not in_quote):
            continue
        lines.append(_LogicalLine(" ".join(buffer), start, "unterminated_quote" if in_quote else None))
        buffer, in_quote, depth = [], False, 0
    if buffer:
        if in_quote:
            reason = "unterminated_quote"
        elif depth > 0 and not continued:
            reason = "unterminated_brace"
        else:
            reason = "continuation_at_eof"
        lines.append(_LogicalLine(" ".join(buffer), start, reason))
    return lines, comments


def _split_raw_tokens(text: str) -> list[str]:
    """Whitespace-separated words; a quoted string or a ``{...}`` group stays inside one word."""
    return _RAW_TOKEN_RE.findall(text)


def _unquote(value: str) -> tuple[str, bool]:
    if value.startswith('"'):
        inner = value[1:-1] if len(value) >= 2 and value.endswith('"') else value[1:]
        return " ".join(inner.split()), True
    return value, False


def _tokenize(text: str) -> list[_Token]:
    """Split a logical line into bare words and ``KEY=value`` pairs (quotes and braces kept whole)."""
    tokens: list[_Token] = []
    for raw in _split_raw_tokens(text):
        key, sep, value = raw.partition("=")
        if sep and _KEY_RE.fullmatch(key):
            unquoted, quoted = _unquote(value)
            tokens.append(_Token(raw, key.upper(), unquoted, quoted))
        else:
            tokens.append(_Token(raw))
    return tokens


def parse_license_file(
    name: str, data: bytes, *, today: datetime.date, expiry_warning_days: int = 30
) -> LicenseFileReport:
    """Parse one license file; never raises for any ``data``.

    ``today`` decides expired / not yet started / expiring soon; ``expiry_warning_days`` is how
    many days ahead an expiry becomes a warning. File-name problems from
    :func:`validate_file_name` are errors here too, except ``file_name_protected``: the start-up
    license is a legitimate file on every License Server (the report's ``protected`` flag says
    so); callers that *deploy* a file must call :func:`validate_file_name` themselves.
    Raises :class:`InputError` only for wrong argument types (a programming error, not bad data).
    """
    if not isinstance(name, str):
        raise InputError(f"license file name must be a string, got {type(name).__name__}")
    if isinstance(data, str):
        data = data.encode("utf-8", errors="surrogatepass")
    elif isinstance(data, (bytearray, memoryview)):
        data = bytes(data)
    elif not isinstance(data, bytes):
        raise InputError(f"license file {name!r}: content must be bytes, got {type(data).__name__}")
    today = as_date(today)
    if not isinstance(expiry_warning_days, int) or isinstance(expiry_warning_days, bool) or expiry_warning_days < 0:
        raise InputError(f"expiry_warning_days must be a non-negative integer, got {expiry_warning_days!r}")

    report = LicenseFileReport(name=name, protected=is_protected(name), size=len(data))
    for finding in validate_file_name(name):
        if finding.code != "file_name_protected":
            report.errors.append(finding)
    text = _decode(report, data)
    if text is None:
        return report
    _parse_text(report, text, today, expiry_warning_days)
    if report.suppressed:
        repeats = ", ".join(f"{code} x{count}" for code, count in sorted(report.suppressed.items()))
        report.warnings.append(
            Finding("findings_truncated", f"{name}: further repeats not listed: {repeats}", "warning")
        )
    return report


def _decode(report: LicenseFileReport, data: bytes) -> str | None:
    """Bytes to text; records BOM, line endings, replaced bytes; None when not a text file."""
    if len(data) > MAX_FILE_BYTES:
        report.error(
            "not_a_license_file",
            f"{report.name}: {len(data)} bytes is far larger than any license file "
            f"(limit {MAX_FILE_BYTES}); check you picked the right file",
        )
        return None
    if data.startswith(_UTF16_BOMS):
        report.error(
            "unsupported_encoding",
            f"{report.name}: the file is saved as UTF-16; license files are UTF-8/ASCII text. Download the "
            "file again instead of re-saving it (editing makes license files unusable)",
        )
        return None
    if data.startswith(UTF8_BOM):
        report.bom = True
        data = data[len(UTF8_BOM) :]
    if not data.strip():
        report.error("empty_file", f"{report.name}: the file is empty; download the license file again")
        return None
    if b"\x00" in data:
        report.error("not_a_license_file", f"{report.name}: the file contains binary data, not license text")
        return None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        text = data.decode("utf-8", errors="replace")
        report.replaced_bytes = max(1, text.count("\ufffd"))
        first_line = data[: exc.start].count(b"\n") + 1
        report.warn(
            "undecodable_bytes",
            f"{report.name}: bytes that are not UTF-8 (first at line {first_line}) were replaced "
            f"({report.replaced_bytes} replacement character(s)); the file was probably re-saved in another "
            "encoding - download it again",
            line=first_line,
        )
    if _looks_binary(text):
        report.error("not_a_license_file", f"{report.name}: the file contains binary data, not license text")
        return None
    report.line_endings = _line_endings(text)
    return text


def _looks_binary(text: str) -> bool:
    controls = sum(1 for ch in text if (ord(ch) < 32 and ch not in "\t\n\r\f\v") or ord(ch) == 0x7F)
    replaced = text.count("\ufffd")
    return controls > max(2, len(text) // 100) or replaced > max(8, len(text) // 10)


def _line_endings(text: str) -> str | None:
    crlf = text.count("\r\n")
    lone_cr = text.count("\r") - crlf
    lone_lf = text.count("\n") - crlf
    kinds = [kind for kind, count in (("crlf", crlf), ("cr", lone_cr), ("lf", lone_lf)) if count]
    if not kinds:
        return None
    return kinds[0] if len(kinds) == 1 else "mixed"


def _parse_text(report: LicenseFileReport, text: str, today: datetime.date, warning_days: int) -> None:
    logical, comments = _logical_lines(text)
    report.product_names = _citrixterm_names(comments)
    server_lines: list[tuple[_LogicalLine, list[_Token]]] = []
    hostname_lines = 0
    increment_lines = 0
    for line in logical:
        tokens = _tokenize(line.text)
        if not tokens:
            continue
        if any(token.raw.startswith("HOSTNAME=") or (token.value or "").startswith("HOSTNAME=") for token in tokens):
            hostname_lines += 1
        keyword = tokens[0].raw if tokens[0].key is None else ""
        if keyword != keyword.upper() and keyword.upper() in _LINE_KEYWORDS:
            # seed 004 "License file format" (~1978-2210): keywords are upper case; the lab reads them so too.
            report.warn(
                "keyword_case",
                f"{report.name}: line {line.line} starts with {keyword!r}; license file keywords are upper case "
                f"({keyword.upper()}, Citrix Licensing 11.17.2 build 49000 documentation, License file format), so "
                "the line was not evaluated - the file was edited: download it again, never edit license files",
                line=line.line,
            )
            continue
        if keyword == "SERVER":
            _flag_truncated_other(report, line, keyword)
            server_lines.append((line, tokens))
        elif keyword in _VENDOR_KEYWORDS:
            _flag_truncated_other(report, line, keyword)
            _parse_vendor(report, line, tokens)
        elif keyword == "USE_SERVER":
            report.use_server = True
        elif keyword in _INCREMENT_KEYWORDS:
            increment_lines += 1
            feature = _parse_increment(report, line, tokens, keyword, today, warning_days)
            if feature is not None:
                report.features.append(feature)
        elif keyword in _UNSUPPORTED_KEYWORDS:
            report.warn(
                "unsupported_line",
                f"{report.name}: line {line.line} is a FlexNet {keyword} line, which Citrix license files do not "
                "use; it was not evaluated",
                line=line.line,
            )
        else:
            report.warn(
                "unknown_line",
                f"{report.name}: line {line.line} does not start with SERVER, VENDOR, USE_SERVER, INCREMENT or "
                "FEATURE; the License Server cannot use it (a backslash continuation on the line before may be "
                "missing)",
                line=line.line,
            )
    _apply_binding(report, server_lines, hostname_lines)
    _file_level_checks(report, len(server_lines), increment_lines)
    for feature in report.features:
        feature.friendly_name = report.product_names.get(feature.feature)


def _flag_truncated_other(report: LicenseFileReport, line: _LogicalLine, keyword: str) -> None:
    if line.truncated:
        report.error(
            "malformed_line",
            f"{report.name}: the {keyword} line at line {line.line} is cut off ({_truncation_text(line.truncated)}); "
            "download the license file again",
            line=line.line,
        )


def _truncation_text(reason: str) -> str:
    return {
        "unterminated_quote": "a quoted value is not closed",
        "unterminated_brace": "a '{' group is not closed",
        "continuation_at_eof": "the file ends after a '\\' continuation",
    }.get(reason, reason)


def _citrixterm_names(comments: Iterable[tuple[int, str]]) -> dict[str, str]:
    """Map feature -> friendly product name from ``#CITRIXTERM FEATURE`` comments (English first)."""
    names: dict[str, str] = {}
    english: set[str] = set()
    for _number, comment in comments:
        match = _CITRIXTERM_RE.fullmatch(comment)
        if not match:
            continue
        _version, feature, language, friendly = match.groups()
        friendly = friendly.strip()
        if language.upper() == "EN" and feature not in english:
            names[feature] = friendly
            english.add(feature)
        elif feature not in names:
            names[feature] = friendly
    return names


def _parse_vendor(report: LicenseFileReport, line: _LogicalLine, tokens: list[_Token]) -> None:
    if len(tokens) < 2 or tokens[1].key is not None:
        report.warn("malformed_line", f"{report.name}: VENDOR line at line {line.line} names no vendor", line=line.line)
        return
    report.vendor = tokens[1].raw
    if len(tokens) > 2 and tokens[2].key is None:
        report.vendor_path = _unquote(tokens[2].raw)[0]


def _classify_hostid(token: _Token) -> dict[str, str | None]:
    # License file keywords are upper case (seed 004 "License file format", ~1978-2210: SERVER this_host
    # HOSTNAME=..., ANY); a lower-case ``hostname=`` or ``any`` is an edited file the product does not read as a
    # binding, as the lab's daemon does not (docs/compliance.md).
    if token.key == "HOSTNAME" and token.raw.startswith("HOSTNAME="):
        return {"kind": "hostname", "value": token.value}
    if token.key == "ETHER":
        mac = normalize_mac(token.value or "")
        return {"kind": "mac", "value": mac} if mac else {"kind": "other", "value": token.raw}
    if token.key is None:
        if token.raw == "ANY":
            return {"kind": "any", "value": "ANY"}
        mac = normalize_mac(token.raw)
        if mac:
            return {"kind": "mac", "value": mac}
    return {"kind": "other", "value": _unquote(token.raw)[0]}


def _apply_binding(
    report: LicenseFileReport, server_lines: list[tuple[_LogicalLine, list[_Token]]], hostname_lines: int
) -> None:
    entries: list[dict[str, str | None]] = []
    for line, tokens in server_lines:
        if len(tokens) < 3:
            report.error(
                "malformed_server_line",
                f"{report.name}: SERVER line at line {line.line} has no binding identifier (host name or MAC)",
                line=line.line,
            )
            continue
        entries.append(_classify_hostid(tokens[2]))
        for token in tokens[3:]:
            if token.key is None and token.raw.isdigit() and report.server_port is None:
                report.server_port = int(token.raw)
            elif token.key == "PORT" and (token.value or "").isdigit() and report.server_port is None:
                report.server_port = int(token.value or "0")
    if len(entries) == 1:
        report.binding = Binding(entries[0]["kind"] or "other", entries[0]["value"], entries)
    elif len(entries) > 1:
        report.binding = Binding("multiple", None, entries)
    if hostname_lines > 1:
        report.error(
            "multiple_hostnames",
            f"{report.name}: {hostname_lines} lines reference HOSTNAME=; the License Server ignores license files "
            "with several HOSTNAME= lines and their licenses cannot be checked out (Citrix Licensing 11.17.2 build "
            "49000 documentation, Known issues). "
            "Download a separate license file for each License Server host name",
        )
    elif len(server_lines) > 1:
        report.warn(
            "multiple_server_lines",
            f"{report.name}: {len(server_lines)} SERVER lines; Citrix license files carry one binding",
        )


def _file_level_checks(report: LicenseFileReport, server_lines: int, increment_lines: int) -> None:
    if not server_lines and not increment_lines:
        report.error(
            "not_a_license_file",
            f"{report.name}: no SERVER and no INCREMENT/FEATURE line; this is not a license file",
        )
        return
    if not server_lines:
        report.error(
            "no_server_line",
            f"{report.name}: no SERVER line, so the file is bound to no License Server; download the license "
            "file again",
        )
    if not increment_lines:
        report.warn("no_feature_lines", f"{report.name}: no INCREMENT line, the file licenses nothing")
    elif report.vendor is None:
        report.warn("no_vendor_line", f"{report.name}: no 'VENDOR CITRIX' line")


def _parse_increment(
    report: LicenseFileReport,
    line: _LogicalLine,
    tokens: list[_Token],
    keyword: str,
    today: datetime.date,
    warning_days: int,
) -> Feature | None:
    positional: list[str] = []
    for token in tokens[1:6]:
        if token.key is not None:
            break
        positional.append(token.raw)
    where = f"{report.name}: {keyword} line at line {line.line}"
    if len(positional) < 5:
        complete = len(tokens) >= 6
        report.error(
            "malformed_increment" if complete else "truncated_increment",
            f"{where} has {len(positional)} of the 5 fixed fields after {keyword} (feature, vendor, CSS date, "
            "expiry, count); the file is damaged or edited - download it again",
            line=line.line,
            feature=positional[0] if positional else None,
        )
        return None
    feature = Feature(
        feature=positional[0], keyword=keyword, vendor=positional[1], version=positional[2], line=line.line
    )
    if line.truncated:
        report.error(
            "truncated_increment",
            f"{where} is cut off: {_truncation_text(line.truncated)}; download the license file again",
            line=line.line,
            feature=feature.feature,
        )
    _read_fixed_fields(report, feature, positional, where)
    _read_attributes(report, feature, tokens[6:], where)
    if not feature.signed and not line.truncated:
        report.error(
            "missing_signature",
            f"{where} ({feature.feature}) has no SIGN= signature, so the License Server rejects it; the line was "
            "cut or edited - download the license file again",
            line=line.line,
            feature=feature.feature,
        )
    _date_findings(report, feature, today, warning_days, where)
    return feature


def _read_fixed_fields(report: LicenseFileReport, feature: Feature, positional: list[str], where: str) -> None:
    def bad(field_name: str, why: str) -> None:
        report.error(
            "malformed_increment",
            f"{where} ({printable(feature.feature, 40)}): the {field_name} field {why}; download the license "
            "file again",
            line=feature.line,
            feature=feature.feature,
        )

    if not _FEATURE_NAME_RE.fullmatch(feature.feature):
        bad("feature", "contains characters a FlexNet feature name cannot have")
    if (feature.vendor or "").upper() != "CITRIX":
        report.warn(
            "foreign_vendor",
            f"{where}: vendor {printable(feature.vendor or '', 40)!r} is not CITRIX; the Citrix vendor daemon "
            "does not serve it",
            line=feature.line,
            feature=feature.feature,
        )
    css, problem = _parse_css(positional[2])
    feature.css_date = css
    if problem == "css_date_invalid":
        report.warn(
            "css_date_invalid",
            f"{where}: version {positional[2]!r} looks like a CSS date (YYYY.MMDD) but is not a real date",
            line=feature.line,
            feature=feature.feature,
        )
    elif problem:
        bad("version (CSS date)", "is neither YYYY.MMDD nor a version number")
    expiry = _parse_flex_date(positional[3], allow_permanent=True)
    if expiry.error:
        bad("expiry", f"{expiry.error} (nor 'permanent')")
    feature.permanent = expiry.permanent
    feature.expiry_date = expiry.value
    if expiry.single_digit_day:
        report.warn(
            "expiry_single_digit_day",
            f"{where}: expiry {positional[3]!r} has a one-digit day; Studio shows such licenses as permanent "
            "(LIC-2556) - use the Citrix Licensing Manager to see the real expiry",
            line=feature.line,
            feature=feature.feature,
        )
    count_text = positional[4]
    if count_text.lower() == "uncounted":
        feature.count, feature.uncounted = 0, True
    elif count_text.isdigit():
        feature.count = int(count_text)
        feature.uncounted = feature.count == 0
    else:
        bad("count", "is not a number (or 'uncounted')")


def _read_attributes(report: LicenseFileReport, feature: Feature, tokens: Sequence[_Token], where: str) -> None:
    seen: set[str] = set()
    duplicates: list[str] = []
    unexpected: list[int] = []
    index = 0
    while index < len(tokens):
        token = tokens[index]
        index += 1
        if token.key is None:
            word = token.raw.upper()
            if word in _FLAG_WORDS:
                feature.flags.append(word)
                if word == "SUPERSEDE" and feature.feature not in feature.supersede:
                    feature.supersede.append(feature.feature)
            else:
                unexpected.append(index + 5)
            continue
        key = token.key
        if key in seen and key not in _SIGNATURE_KEYS and key not in duplicates:
            duplicates.append(key)
        seen.add(key)
        value = token.value or ""
        if key in _SIGNATURE_KEYS and not value and not token.quoted:
            absorbed: list[str] = []
            while index < len(tokens) and tokens[index].key is None and _HEX_GROUP_RE.fullmatch(tokens[index].raw):
                absorbed.append(tokens[index].raw)
                index += 1
            value = " ".join(absorbed)
        _apply_attribute(report, feature, key, value, where)
    if duplicates:
        report.warn(
            "duplicate_attribute",
            f"{where}: attribute(s) {', '.join(duplicates[:10])} appear more than once; the last value was used",
            line=feature.line,
            feature=feature.feature,
        )
    if unexpected:
        shown = ", ".join(str(position) for position in unexpected[:10]) + (", ..." if len(unexpected) > 10 else "")
        report.warn(
            "unexpected_token",
            f"{where}: {len(unexpected)} word(s) (position {shown} after the keyword) are neither KEY=value nor a "
            "known flag and were ignored; their text is not shown in case it is part of a signature",
            line=feature.line,
            feature=feature.feature,
        )


def _apply_attribute(report: LicenseFileReport, feature: Feature, key: str, value: str, where: str) -> None:
    if key in _SIGNATURE_KEYS:
        digest = _signature_digest(value)
        if digest:
            feature.signed = True
            if key == "SIGN":
                feature.sign_digest = digest
        return
    if key == "SUPERSEDE_SIGN":
        for entry_feature, signature in _SUPERSEDE_SIGN_ENTRY_RE.findall(value):
            digest = _signature_digest(signature)
            if entry_feature not in feature.supersede_sign:
                feature.supersede_sign.append(entry_feature)
            if digest:
                feature.supersede_sign_digests.append((entry_feature, digest))
        return
    if key == "VENDOR_STRING":
        feature.vendor_string = value
        feature.vendor_string_fields = parse_vendor_string(value)
    elif key == "DUP_GROUP":
        feature.dup_group = value
    elif key == "ISSUER":
        feature.issuer = value
    elif key == "NOTICE":
        feature.notice = value
    elif key == "SN":
        feature.serial = value
    elif key == "SUPERSEDE":
        feature.supersede = value.split() if value else [feature.feature]
    elif key == "OVERDRAFT":
        if value.isdigit():
            feature.overdraft = int(value)
        else:
            report.warn(
                "bad_attribute", f"{where}: OVERDRAFT is not a number", line=feature.line, feature=feature.feature
            )
    elif key in ("ISSUED", "START"):
        _apply_date_attribute(report, feature, key, value, where)
    elif "SIGN" not in key and "AUTH" not in key and key != "CK":
        feature.attributes[key] = value


def _apply_date_attribute(report: LicenseFileReport, feature: Feature, key: str, value: str, where: str) -> None:
    parsed = _parse_flex_date(value, allow_permanent=False)
    if parsed.error:
        if key == "START":
            report.error(
                "malformed_increment",
                f"{where} ({feature.feature}): START {parsed.error}; the License Server cannot use the line",
                line=feature.line,
                feature=feature.feature,
            )
        else:
            report.warn("bad_attribute", f"{where}: ISSUED {parsed.error}", line=feature.line, feature=feature.feature)
        return
    if key == "START":
        feature.start = parsed.value
    else:
        feature.issued = parsed.value


def _signature_digest(value: str) -> str | None:
    normalized = "".join(value.split()).upper()
    if not normalized:
        return None
    return hashlib.sha256(normalized.encode("utf-8", errors="replace")).hexdigest()


def parse_vendor_string(value: str) -> dict[str, str]:
    """``;LT=Retail;GP=720;CL=ENT,ADV;SA=0`` -> ``{"LT": "Retail", "GP": "720", ...}``.

    Items without ``=`` are kept with an empty value; blanks around items are dropped (a
    continuation or PDF wrap can leave ``ODP=0; NUDURMIN=2880``).
    """
    fields: dict[str, str] = {}
    for item in value.split(";"):
        item = item.strip()
        if not item:
            continue
        key, _sep, item_value = item.partition("=")
        fields["".join(key.split())] = "".join(item_value.split())
    return fields


def _date_findings(
    report: LicenseFileReport, feature: Feature, today: datetime.date, warning_days: int, where: str
) -> None:
    name = feature.feature
    if feature.expiry_date is not None and not feature.permanent:
        feature.days_to_expiry = (feature.expiry_date - today).days
        if feature.expiry_date < today:
            feature.expired = True
            report.warn(
                "expired",
                f"{where}: {name} expired on {feature.expiry_date.isoformat()}; expired licenses still installed "
                "make the customer non-compliant (Citrix licensing telemetry and compliance status) - remove the file "
                "once nothing in it is needed",
                line=feature.line,
                feature=name,
            )
        elif feature.days_to_expiry <= warning_days:
            report.warn(
                "expiring_soon",
                f"{where}: {name} expires on {feature.expiry_date.isoformat()} (in {feature.days_to_expiry} days)",
                line=feature.line,
                feature=name,
            )
    if feature.start is not None and feature.start > today:
        feature.not_yet_started = True
        report.warn(
            "not_yet_started",
            f"{where}: {name} starts on {feature.start.isoformat()}; the License Server does not show or serve "
            "these licenses before their START date",
            line=feature.line,
            feature=name,
        )
    if feature.css_date is not None and feature.css_date < today:
        report.warn(
            "css_expired",
            f"{where}: {name} Customer Success Services date {feature.css_date.isoformat()} has passed; product "
            "versions released after it are not licensed",
            line=feature.line,
            feature=name,
        )
