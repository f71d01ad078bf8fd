# Copyright: (c) 2026, ctxlic maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# Internal use only: this module is private to ctxlic.license_server and may change at any time.
"""What the license file modules report: findings, bindings, INCREMENT lines and the per-file report. No I/O.

The parser (:mod:`.license_parser`) fills these; file names (:mod:`.license_names`), binding checks
(:mod:`.license_binding`) and the views across files (:mod:`.license_inventory`) read them.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from ansible_collections.ctxlic.license_server.plugins.plugin_utils._common.errors import InputError
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._common.timeutil import iso_day

MAX_FINDINGS_PER_CODE = 50
"""A damaged file can repeat one problem thousands of times; later repeats are only counted."""


@dataclass(frozen=True)
class Finding:
    """One problem found in a file name, a license file or a binding check."""

    code: str
    message: str
    severity: str = "error"
    line: int | None = None
    feature: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """Plain data for Ansible results."""
        return {
            "code": self.code,
            "message": self.message,
            "severity": self.severity,
            "line": self.line,
            "feature": self.feature,
        }


@dataclass
class Binding:
    """What the SERVER line(s) bind the file to.

    ``kind`` is ``hostname``, ``mac``, ``any``, ``other``, ``none`` (no SERVER line) or
    ``multiple`` (several SERVER lines; ``entries`` lists each). ``value`` is the host name as
    written, or the MAC address normalised to twelve upper-case hex digits.
    """

    kind: str = "none"
    value: str | None = None
    entries: list[dict[str, str | None]] = field(default_factory=list)

    @property
    def values(self) -> list[str]:
        """Every bound value, in file order (one for a single SERVER line)."""
        return [entry["value"] for entry in self.entries if entry["value"] is not None]

    def to_dict(self) -> dict[str, Any]:
        """Plain data for Ansible results."""
        return {
            "kind": self.kind,
            "value": self.value,
            "values": self.values,
            "entries": [dict(entry) for entry in self.entries],
        }


@dataclass
class Feature:
    """One INCREMENT (or FEATURE) line.

    Dates are kept as ``datetime.date`` here and rendered as ISO strings by :meth:`to_dict`.
    ``sign_digest`` and ``supersede_sign_digests`` are SHA-256 digests of normalised signatures,
    used only to match SUPERSEDE_SIGN entries; they are never exported.
    """

    feature: str
    keyword: str = "INCREMENT"
    vendor: str | None = None
    version: str | None = None
    css_date: datetime.date | None = None
    expiry_date: datetime.date | None = None
    permanent: bool = False
    count: int | None = None
    uncounted: bool = False
    start: datetime.date | None = None
    issued: datetime.date | None = None
    issuer: str | None = None
    serial: str | None = None
    notice: str | None = None
    dup_group: str | None = None
    overdraft: int | None = None
    vendor_string: str | None = None
    vendor_string_fields: dict[str, str] = field(default_factory=dict)
    supersede: list[str] = field(default_factory=list)
    supersede_sign: list[str] = field(default_factory=list)
    friendly_name: str | None = None
    expired: bool = False
    not_yet_started: bool = False
    days_to_expiry: int | None = None
    signed: bool = False
    attributes: dict[str, str] = field(default_factory=dict)
    flags: list[str] = field(default_factory=list)
    line: int | None = None
    sign_digest: str | None = field(default=None, repr=False)
    supersede_sign_digests: list[tuple[str, str]] = field(default_factory=list, repr=False)

    @property
    def expiry(self) -> str | None:
        """``permanent``, the ISO expiry date, or None when the field could not be read."""
        if self.permanent:
            return "permanent"
        return self.expiry_date.isoformat() if self.expiry_date else None

    @property
    def effective_issued(self) -> datetime.date | None:
        """ISSUED, or START when ISSUED is absent (FlexNet compares these for SUPERSEDE)."""
        return self.issued or self.start

    def to_dict(self) -> dict[str, Any]:
        """Plain data for Ansible results; never contains signature material."""
        return {
            "feature": self.feature,
            "keyword": self.keyword,
            "vendor": self.vendor,
            "version": self.version,
            "css_date": iso_day(self.css_date),
            "expiry": self.expiry,
            "permanent": self.permanent,
            "count": self.count,
            "uncounted": self.uncounted,
            "start": iso_day(self.start),
            "issued": iso_day(self.issued),
            "issuer": self.issuer,
            "serial": self.serial,
            "notice": self.notice,
            "dup_group": self.dup_group,
            "overdraft": self.overdraft,
            "vendor_string": self.vendor_string,
            "vendor_string_fields": dict(self.vendor_string_fields),
            "supersede": list(self.supersede),
            "supersede_sign": list(self.supersede_sign),
            "friendly_name": self.friendly_name,
            "expired": self.expired,
            "not_yet_started": self.not_yet_started,
            "days_to_expiry": self.days_to_expiry,
            "signed": self.signed,
            "attributes": dict(self.attributes),
            "flags": list(self.flags),
            "line": self.line,
        }


@dataclass
class LicenseFileReport:
    """Everything learnt from one license file. ``valid`` means no errors."""

    name: str
    protected: bool = False
    binding: Binding = field(default_factory=Binding)
    server_port: int | None = None
    vendor: str | None = None
    vendor_path: str | None = None
    use_server: bool = False
    features: list[Feature] = field(default_factory=list)
    product_names: dict[str, str] = field(default_factory=dict)
    errors: list[Finding] = field(default_factory=list)
    warnings: list[Finding] = field(default_factory=list)
    size: int = 0
    bom: bool = False
    line_endings: str | None = None
    replaced_bytes: int = 0
    suppressed: dict[str, int] = field(default_factory=dict, repr=False)
    recorded: dict[str, int] = field(default_factory=dict, repr=False)

    @property
    def valid(self) -> bool:
        """True when the file has no errors (warnings allowed)."""
        return not self.errors

    def error(self, code: str, message: str, **kwargs: Any) -> None:
        """Record an error (repeats beyond :data:`MAX_FINDINGS_PER_CODE` are only counted)."""
        self._add(self.errors, Finding(code, message, "error", **kwargs))

    def warn(self, code: str, message: str, **kwargs: Any) -> None:
        """Record a warning (repeats beyond :data:`MAX_FINDINGS_PER_CODE` are only counted)."""
        self._add(self.warnings, Finding(code, message, "warning", **kwargs))

    def _add(self, findings: list[Finding], finding: Finding) -> None:
        key = f"{finding.severity}:{finding.code}"
        if self.recorded.get(key, 0) >= MAX_FINDINGS_PER_CODE:
            self.suppressed[finding.code] = self.suppressed.get(finding.code, 0) + 1
            return
        self.recorded[key] = self.recorded.get(key, 0) + 1
        findings.append(finding)

    def to_dict(self) -> dict[str, Any]:
        """Plain data for Ansible results; never contains signature material."""
        return {
            "name": self.name,
            "valid": self.valid,
            "protected": self.protected,
            "binding": self.binding.to_dict(),
            "server_port": self.server_port,
            "vendor": self.vendor,
            "vendor_path": self.vendor_path,
            "use_server": self.use_server,
            "features": [feature.to_dict() for feature in self.features],
            "product_names": dict(self.product_names),
            "errors": [finding.to_dict() for finding in self.errors],
            "warnings": [finding.to_dict() for finding in self.warnings],
            "size": self.size,
            "bom": self.bom,
            "line_endings": self.line_endings,
            "replaced_bytes": self.replaced_bytes,
        }


def printable(text: str, limit: int = 120) -> str:
    cleaned = "".join(ch if ch.isprintable() else "?" for ch in text)
    return cleaned if len(cleaned) <= limit else cleaned[:limit] + "..."


def as_date(value: Any, what: str = "today") -> datetime.date:
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    raise InputError(f"{what} must be a datetime.date, got {type(value).__name__}: pass the date to evaluate against")
