# Copyright: (c) 2026, ctxlic maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# Internal use only: this module is private to ctxlic.license_server and may change at any time.
"""Parse the License Server's last-upload result file (``upload_compliance_result.xml``).

The License Server (LS) records the outcome of its latest telemetry upload, automatic or manual,
in ``<install>\\LS\\resource\\cache\\upload_compliance_result.xml`` (seed 001 "Reporting options",
seed 004 ~line 750). The file is a single ``CtxUploaderResult`` element::

    <CtxUploaderResult><Code>CTX_UPLOADER_SUCCESS</Code><Msg></Msg><t>1679283497</t>
    <UploadType>CTX_UPLOAD_TYPE_COMPLIANCE</UploadType></CtxUploaderResult>

with ``Code``, ``Msg`` (may span lines), an optional ``Arg`` (the failure's argument, for
example ``cis.citrix.com:443``), ``t`` (unix seconds) and ``UploadType``.

Compliance hinges on this file: the days since the last *successful* upload must not exceed 90
(seed 000, seed 001). A file we cannot read must therefore never look like a success and never
crash a fleet report: every malformed input yields ``status: unknown`` with a ``reason``.

This module is pure: it takes the file's bytes and ``now`` and does no I/O.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from ansible_collections.ctxlic.license_server.plugins.plugin_utils._common.lxml_import import etree, require_lxml
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._common.constants import UTF8_BOM
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._common.errors import InputError

#: Where the LS keeps the file, relative to the install directory (Windows path).
RESULT_FILE_RELATIVE = r"LS\resource\cache\upload_compliance_result.xml"

ROOT_TAG = "CtxUploaderResult"
SUCCESS_CODE = "CTX_UPLOADER_SUCCESS"

#: Files larger than this are not an uploader result; refusing them bounds parser work.
DEFAULT_MAX_BYTES = 1024 * 1024

_UNIX_SECONDS = re.compile(r"^[0-9]{1,12}$")

# Codes and their certainty: the seeds document exactly two result codes, CTX_UPLOADER_SUCCESS
# and CTX_UPLOADER_ERROR_NETWORK_OPEN (seed 001 "Sample data", seed 004 ~line 755), and one upload
# type, CTX_UPLOAD_TYPE_COMPLIANCE. Any other code the LS writes is kept verbatim in `code`,
# treated as a failure (only CTX_UPLOADER_SUCCESS is a success) and given GENERIC_FAILURE_HINT;
# we do not guess the meaning of codes the vendor has not documented.
REMEDIATION_HINTS: dict[str, str] = {
    "CTX_UPLOADER_ERROR_NETWORK_OPEN": (
        "The License Server could not open a connection to the Citrix upload endpoint (DNS, firewall "
        "or proxy). Check that the License Server resolves and reaches https://cis.citrix.com:443 "
        "outbound; if traffic must go through a proxy, set it with ctxlic.license_server.proxy "
        "(authenticated proxies are not supported); probe the path with "
        "ctxlic.license_server.connectivity. The License Server retries every 24 hours."
    ),
}

GENERIC_FAILURE_HINT = (
    "The License Server reported upload code {code}, which the vendor documentation used by this "
    "collection does not describe. Read the message, check outbound https://cis.citrix.com:443 "
    "(ctxlic.license_server.connectivity) and the proxy (ctxlic.license_server.proxy); if uploads keep "
    "failing, upload the telemetry manually through Citrix Insight Services (CTX472950) within 90 days "
    "of the last successful upload and contact Citrix support with the code."
)

UNKNOWN_HINT = (
    "The last upload result could not be read, so this server cannot be shown to have uploaded. "
    "The License Server writes the file after its first upload attempt (about five minutes after "
    "the service starts, then daily); check that the License Server is installed and running, and "
    "that the file is the License Server's own."
)


def result_file_path(install_dir: str) -> str:
    """Return the Windows path of the result file below ``install_dir``."""
    if not isinstance(install_dir, str) or not install_dir.strip():
        raise InputError(
            f"install_dir {install_dir!r} is not a directory path: pass the License Server install "
            "directory, for example 'C:\\Program Files (x86)\\Citrix\\Licensing'."
        )
    return install_dir.strip().rstrip("\\/").replace("/", "\\") + "\\" + RESULT_FILE_RELATIVE


def hint_for(code: str | None) -> str:
    """Return the remediation hint for a failure ``code`` (generic for undocumented codes)."""
    if code in REMEDIATION_HINTS:
        return REMEDIATION_HINTS[code]
    return GENERIC_FAILURE_HINT.format(code=code if code else "(none)")


def parse_upload_result(
    data: bytes | None,
    *,
    now: datetime,
    reason_if_missing: str = "file not found",
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> dict[str, Any]:
    """Turn the result file's bytes into the ``upload`` block of the per-server record.

    ``data`` is None when the file does not exist (``reason_if_missing`` then explains why, so the
    caller can say "License Server not installed" instead of "file not found"). ``now`` is the
    reference time for ``age_days``; a naive datetime is taken as UTC.

    Returns a dict with ``status`` (success | failure | unknown), ``code``, ``message``, ``arg``,
    ``time`` (UTC ISO ``...Z``), ``upload_type``, ``reason`` (why unknown), ``hint`` and
    ``age_days`` (days from ``time`` to ``now``, negative if the LS clock runs ahead; None when the
    time is unknown). Never raises on bad file content; raises InputError only when lxml is missing.
    When a file names a code but its time is missing or invalid, the fields that could be read are
    kept and ``status`` is ``unknown``: an upload without a time cannot count towards compliance.
    """
    now_utc = _as_utc(now)
    if data is None:
        return _unknown(reason_if_missing)
    if not isinstance(data, (bytes, bytearray)):
        return _unknown(f"file content is {type(data).__name__}, not bytes")
    if not data.strip():
        return _unknown("file is empty")
    if len(data) > max_bytes:
        return _unknown(f"file is {len(data)} bytes, larger than {max_bytes}: not an uploader result")
    require_lxml("Reading upload_compliance_result.xml")
    root, reason = _parse_xml(bytes(data))
    if root is None:
        return _unknown(reason)
    return _from_root(root, now_utc)


def _as_utc(now: datetime) -> datetime:
    if not isinstance(now, datetime):
        raise InputError(f"now={now!r} is not a datetime: pass the reference time as a datetime in UTC.")
    if now.tzinfo is None:
        return now.replace(tzinfo=UTC)
    return now.astimezone(UTC)


def _unknown(reason: str, **fields: Any) -> dict[str, Any]:
    result = _empty_result()
    result.update(fields)
    result.update(status="unknown", reason=reason, hint=UNKNOWN_HINT)
    return result


def _empty_result() -> dict[str, Any]:
    return {
        "status": "unknown",
        "code": None,
        "message": None,
        "arg": None,
        "time": None,
        "upload_type": None,
        "reason": None,
        "hint": None,
        "age_days": None,
    }


def _parse_xml(data: bytes) -> tuple[Any, str]:
    """Parse safely; return (root, "") or (None, reason)."""
    if not data.startswith(UTF8_BOM) and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        # Stray whitespace before an XML declaration is a syntax error; it carries no meaning here.
        data = data.lstrip(b" \t\r\n")
    parser = etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
    )
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        return None, f"not well-formed XML (truncated or not an uploader result): {exc}"
    except (ValueError, TypeError, LookupError) as exc:  # e.g. unknown encoding declarations
        return None, f"cannot decode the XML: {exc}"
    docinfo = root.getroottree().docinfo
    if docinfo.doctype or docinfo.internalDTD is not None:
        return None, "the file declares a DOCTYPE/ENTITY, which the uploader never writes; refusing it"
    if any(node.tag is etree.Entity for node in root.iter()):
        return None, "the file contains entity references, which the uploader never writes; refusing it"
    if _localname(root.tag) != ROOT_TAG:
        return None, f"root element is <{_localname(root.tag)}>, expected <{ROOT_TAG}>"
    return root, ""


def _localname(tag: Any) -> str:
    if not isinstance(tag, str):
        return str(tag)
    return tag.rsplit("}", 1)[-1]


def _child_text(root: Any, name: str) -> str | None:
    for child in root:
        if isinstance(child.tag, str) and _localname(child.tag) == name:
            return "".join(child.itertext())
    return None


def _from_root(root: Any, now: datetime) -> dict[str, Any]:
    code = (_child_text(root, "Code") or "").strip() or None
    message_raw = _child_text(root, "Msg")
    message = message_raw.strip() if message_raw is not None else ""
    arg = (_child_text(root, "Arg") or "").strip() or None
    upload_type = (_child_text(root, "UploadType") or "").strip() or None
    fields = {"code": code, "message": message, "arg": arg, "upload_type": upload_type}

    if code is None:
        return _unknown("no <Code> element (or it is empty)", **fields)
    t_text = _child_text(root, "t")
    if t_text is None:
        return _unknown("no <t> element: the upload time is unknown", **fields)
    when, t_reason = _unix_to_utc(t_text.strip())
    if when is None:
        return _unknown(t_reason, **fields)

    success = code == SUCCESS_CODE
    result = _empty_result()
    result.update(fields)
    result.update(
        status="success" if success else "failure",
        time=when.strftime("%Y-%m-%dT%H:%M:%SZ"),
        hint=None if success else hint_for(code),
        age_days=(now - when).total_seconds() / 86400.0,
    )
    return result


def _unix_to_utc(text: str) -> tuple[datetime | None, str]:
    if not _UNIX_SECONDS.match(text):
        return None, f"<t> is {text[:40]!r}, not unix seconds: the upload time is unknown"
    try:
        return datetime.fromtimestamp(int(text), tz=UTC), ""
    except (OverflowError, OSError, ValueError):
        return None, f"<t> is {text!r}, outside the range of dates: the upload time is unknown"
