# Copyright: (c) 2026, ctxlic maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# Internal use only: this module is private to ctxlic.license_server and may change at any time.
"""Parse the output of ``lmstat -a -c @localhost`` (Citrix Licensing, FlexNet). No I/O.

Source: seed ``004``, "Determine licensing status (lmstat)": a header with the server port and
host (``License Server status: 27000@localhost``), the license files, the License Server line
(``localhost: license server UP v11.15.0``), the vendor daemon status (``CITRIX: UP v11.15.0``),
then per feature ``Users of FEATURE: (Total of N licenses issued; Total of M licenses in use)``,
the feature's version / expiry / vendor_string and one line per checkout.

The documentation warns that "the lines in the example might break because of the screen space",
and its example is a numbered listing with wrapped lines. The parser therefore works on the text
with line breaks folded into single spaces (a line ending in ``\\`` or ``/`` - a wrapped Windows
path - is joined without a space), and strips leading listing numbers when most lines carry one.
Real FlexNet variants handled as well: ``Total of 1 license issued`` (singular), ``(Uncounted,
node-locked)``, ``(Error: ...)`` feature lines, ``license server UP (MASTER)``, a vendor daemon that
"is down", and the "Cannot connect to license server" / "lmgrd is not running" failures.

:func:`parse_lmstat` never raises on any text: it returns what it could read and ``parsed``
says whether the text looked like lmstat output at all.
"""

from __future__ import annotations

import re
from typing import Any

_LISTING_NUMBER_RE = re.compile(r"^\s*\d+(?:\s+|$)")
_STATUS_HEADER_RE = re.compile(r"License server status:\s*(\d+)\s*@\s*([^\s,]+)", re.IGNORECASE)
_LICENSE_FILES_RE = re.compile(r"License file\(s\) on\s+([^\s:]+)\s*:", re.IGNORECASE)
_LICENSE_FILES_END_RE = re.compile(
    r"license server\s+(?:UP|DOWN)\b|Vendor daemon status|Feature usage info|Users of |Error getting status|"
    r"Cannot connect to license server|lmgrd is not running",
    re.IGNORECASE,
)
_SERVER_UP_DOWN_RE = re.compile(
    r"(?<!\S)([^\s:]+):\s+license server\s+(UP|DOWN)\b(?:\s*\((\w+)\))?(?:\s+(v\d+(?:\.\d+)*))?", re.IGNORECASE
)
_SERVER_FAILURE_RE = re.compile(
    r"(Cannot connect to license server[^.(]*|lmgrd is not running[^.(]*|License server machine is down[^.(]*)"
    r"[.]?\s*(\(-?\d+,\s*-?\d+(?::\d+)?[^)]*\))?",
    re.IGNORECASE,
)
_VENDOR_SECTION_RE = re.compile(
    r"Vendor daemon status \(on ([^)]*)\):(.*?)(?=Feature usage info|Users of |$)", re.IGNORECASE
)
_VENDOR_UP_DOWN_RE = re.compile(r"(?<![A-Za-z0-9_])([A-Za-z0-9_]+):\s+(UP|DOWN)\b(?:\s+(v\d+(?:\.\d+)*))?")
_VENDOR_IS_DOWN_RE = re.compile(
    r"(?<![A-Za-z0-9_])([A-Za-z0-9_]+):\s+The desired vendor daemon is down[^(]*(\(-?\d+,\s*-?\d+\))?"
)
_USERS_OF_RE = re.compile(r"Users of\s+([^\s:]+)\s*:")
_COUNTS_RE = re.compile(
    r"^\s*\(\s*Total of\s+(\d+)\s+licenses?\s+issued\s*;\s*Total of\s+(\d+)\s+licenses?\s+in\s+use\s*\)",
    re.IGNORECASE,
)
_UNCOUNTED_RE = re.compile(r"^\s*\(\s*Uncounted,\s*node-locked\s*\)", re.IGNORECASE)
_FEATURE_ERROR_RE = re.compile(r"^\s*\(\s*Error:\s*([^)]*)\)", re.IGNORECASE)
_DETAIL_RE = re.compile(r"\"([^\"\s]+)\"\s+(v[\d.]+),\s*vendor:\s*(\S+?),\s*expiry:\s*([A-Za-z0-9\-]+)", re.IGNORECASE)
_VENDOR_STRING_RE = re.compile(r"vendor_string:\s*((?:[^\s;]*;\s*)*[^\s;]*)", re.IGNORECASE)
_CHECKOUT_RE = re.compile(
    r"(?<!\S)(?P<user>[^\s()]+)\s+(?P<host>[^\s()]+)\s+(?P<display>[^\s()]+)(?:\s+(?P<extra>[^\s()]+))?\s+"
    r"\((?P<version>v[\d.]+)\)\s+\((?P<server>[^\s/()]+)\s*/\s*(?P<port>\d+)\s+(?P<handle>\d+)\),\s*"
    r"start\s+(?P<start>\w{3}\s+\d{1,2}/\d{1,2}\s+\d{1,2}:\d{2})"
)
_MAX_TEXT = 20 * 1024 * 1024
_HEADER_WINDOW = 256 * 1024


def parse_lmstat(output: str | bytes | None) -> dict[str, Any]:
    """Read ``lmstat -a -c @localhost`` output into plain data.

    Returns::

        {
          "parsed": bool,            # the text looked like lmstat output
          "port": int | None, "host": str | None,
          "license_files": [str],
          "server": {"name": str | None, "status": "UP" | "DOWN" | None, "role": str | None,
                     "version": str | None, "error": str | None},
          "vendor_daemons": {"CITRIX": {"status": "UP" | "DOWN", "version": str | None,
                                        "error": str | None}},
          "features": {"XDT_PLT_CCS": {"issued": int | None, "in_use": int | None,
                                       "uncounted": bool, "error": str | None,
                                       "version": str | None, "vendor": str | None,
                                       "expiry": str | None, "vendor_string": str | None,
                                       "checkouts": [{"user", "host", "display", "extra",
                                                      "version", "server", "port", "handle",
                                                      "start"}]}},
          "warnings": [str],
        }
    """
    result = _empty_result()
    try:
        text = _to_text(output)
        flat = _flatten(text)
        _read_header(flat, result)
        _read_vendor_daemons(flat, result)
        _read_features(flat, result)
    except Exception as exc:  # the contract is "never raise on garbage"; tests assert this never happens
        result["warnings"].append(f"lmstat output could not be read completely ({type(exc).__name__})")
    result["parsed"] = bool(
        result["port"] is not None
        or result["server"]["status"] is not None
        or result["vendor_daemons"]
        or result["features"]
    )
    return result


def _empty_result() -> dict[str, Any]:
    return {
        "parsed": False,
        "port": None,
        "host": None,
        "license_files": [],
        "server": {"name": None, "status": None, "role": None, "version": None, "error": None},
        "vendor_daemons": {},
        "features": {},
        "warnings": [],
    }


def _to_text(output: str | bytes | None) -> str:
    if output is None:
        return ""
    if isinstance(output, (bytes, bytearray, memoryview)):
        output = bytes(output).decode("utf-8", errors="replace")
    if not isinstance(output, str):
        return ""
    return output[:_MAX_TEXT]


def _flatten(text: str) -> str:
    """Fold wrapped lines into one line of text (see module docstring)."""
    lines = [line.rstrip() for line in re.split(r"\r\n|\r|\n", text.replace("\x00", ""))]
    content = [line for line in lines if line.strip()]
    numbered = [line for line in content if _LISTING_NUMBER_RE.match(line)]
    if content and len(numbered) * 10 >= len(content) * 6:
        lines = [_LISTING_NUMBER_RE.sub("", line, count=1) for line in lines]
    parts: list[str] = []
    for line in lines:
        piece = line.strip()
        if not piece:
            continue
        if parts and parts[-1].endswith(("\\", "/")):
            parts[-1] += piece
        else:
            parts.append(piece)
    return " ".join(parts)


def _read_header(flat: str, result: dict[str, Any]) -> None:
    window = flat[:_HEADER_WINDOW]
    header = _STATUS_HEADER_RE.search(window)
    if header:
        result["port"] = int(header.group(1))
        result["host"] = header.group(2)
    files = _LICENSE_FILES_RE.search(window)
    if files:
        rest = window[files.end() :]
        end = _LICENSE_FILES_END_RE.search(rest)
        listed = rest[: end.start()] if end else rest
        if end and end.group(0).lower().startswith("license server"):
            listed = _drop_trailing_host(listed)
        result["license_files"] = _split_license_files(listed)
    server = result["server"]
    status = _SERVER_UP_DOWN_RE.search(window)
    if status:
        server["name"] = status.group(1)
        server["status"] = status.group(2).upper()
        server["role"] = status.group(3)
        server["version"] = status.group(4)
        return
    failure = _SERVER_FAILURE_RE.search(window)
    if failure:
        server["status"] = "DOWN"
        server["error"] = " ".join(part for part in failure.groups() if part).strip()


def _drop_trailing_host(listed: str) -> str:
    """Remove the ``localhost:`` that starts the "license server UP" line after the file list."""
    stripped = listed.rstrip()
    if not stripped.endswith(":"):
        return listed
    head, _space, last = stripped[:-1].rpartition(" ")
    if last and not any(char in last for char in ":\\/"):
        return head
    return listed


def _split_license_files(text: str) -> list[str]:
    """``C:\\a\\x.lic:C:\\a\\y.lic:`` -> two paths (FlexNet separates them with ``:`` on Windows)."""
    cleaned = text.strip().rstrip(":;").strip()
    if not cleaned:
        return []
    pieces = re.split(r"[:;]\s*(?=[A-Za-z]:[\\/])|;", cleaned)
    if len(pieces) == 1 and not re.match(r"[A-Za-z]:[\\/]", cleaned):
        pieces = cleaned.split(":")
    return [piece.strip() for piece in pieces if piece.strip()]


def _read_vendor_daemons(flat: str, result: dict[str, Any]) -> None:
    section = _VENDOR_SECTION_RE.search(flat)
    if not section:
        return
    body = section.group(2)
    daemons: dict[str, dict[str, Any]] = result["vendor_daemons"]
    for match in _VENDOR_UP_DOWN_RE.finditer(body):
        daemons[match.group(1)] = {"status": match.group(2).upper(), "version": match.group(3), "error": None}
    for match in _VENDOR_IS_DOWN_RE.finditer(body):
        daemons[match.group(1)] = {
            "status": "DOWN",
            "version": None,
            "error": ("The desired vendor daemon is down " + (match.group(2) or "")).strip(),
        }


def _read_features(flat: str, result: dict[str, Any]) -> None:
    matches = list(_USERS_OF_RE.finditer(flat))
    for position, match in enumerate(matches):
        end = matches[position + 1].start() if position + 1 < len(matches) else len(flat)
        name = match.group(1)
        segment = flat[match.end() : end]
        entry = result["features"].get(name) or _empty_feature()
        result["features"][name] = entry
        _read_counts(segment, entry, name, result["warnings"])
        _read_details(segment, entry)
        entry["checkouts"].extend(_read_checkouts(segment))


def _empty_feature() -> dict[str, Any]:
    return {
        "issued": None,
        "in_use": None,
        "uncounted": False,
        "error": None,
        "version": None,
        "vendor": None,
        "expiry": None,
        "vendor_string": None,
        "checkouts": [],
    }


def _read_counts(segment: str, entry: dict[str, Any], name: str, warnings: list[str]) -> None:
    counts = _COUNTS_RE.match(segment)
    if counts:
        entry["issued"] = int(counts.group(1))
        entry["in_use"] = int(counts.group(2))
        return
    if _UNCOUNTED_RE.match(segment):
        entry["uncounted"] = True
        return
    error = _FEATURE_ERROR_RE.match(segment)
    if error:
        entry["error"] = error.group(1).strip()
        return
    warnings.append(f"Users of {name}: license counts could not be read")


def _read_details(segment: str, entry: dict[str, Any]) -> None:
    detail = _DETAIL_RE.search(segment)
    if detail:
        entry["version"] = detail.group(2)
        entry["vendor"] = detail.group(3)
        entry["expiry"] = detail.group(4)
    vendor_string = _VENDOR_STRING_RE.search(segment)
    if vendor_string:
        entry["vendor_string"] = re.sub(r";\s+", ";", vendor_string.group(1).strip())


def _read_checkouts(segment: str) -> list[dict[str, Any]]:
    checkouts = []
    for match in _CHECKOUT_RE.finditer(segment):
        item = match.groupdict()
        item["port"] = int(item["port"])
        item["handle"] = int(item["handle"])
        item["start"] = " ".join(item["start"].split())
        checkouts.append(item)
    return checkouts
