# Copyright: (c) 2026, ctxlic maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# Internal use only: this module is private to ctxlic.license_server and may change at any time.
"""Planning for license file deployment and removal on a Citrix License Server. No I/O.

The action plugins ``license_file``, ``license_plan`` and ``reread`` gather facts from the host
(install directory, ``lmhostid`` output, existing files and their SHA-1 checksums) and hand them to
the functions here, which decide what to write, what to remove and what to refuse. Keeping the
decisions here makes every rule testable without a host and identical in check mode and in a run.

Rules, from seed 004 (Citrix Licensing 11.17.2 documentation):

* "Download licenses": license files go into ``<install>\\MyFiles`` with a lower-case ``.lic``
  extension; afterwards ``lmreread -c @localhost -all`` runs from ``<install>\\LS`` on the License
  Server itself ("Reread license and options files": it cannot run remotely); on a cluster
  ``lmreread -c @<client access point name> -all`` ("Clustered License Servers").
* "License file format" / ``lmhostid``: files are bound to the License Server host name exactly as
  ``lmhostid -hostname`` prints it (case-sensitive) or to a MAC address.
* "Delete license files": never delete ``citrix_startup.lic`` or ``CITRIX.opt``; place new files
  before deleting any; delete a file only when every INCREMENT line in it is obsolete or
  unnecessary ("incorrect removal ... might inadvertently lower the total licenses available");
  back up, stop the Citrix Licensing service, rename ``.lic`` to ``.old``, start the service,
  delete the ``.old`` file.

Choices made where the seeds are silent are documented on the functions that make them.
"""

from __future__ import annotations

import datetime
import hashlib
import ntpath
import re
from dataclasses import dataclass, field
from typing import Any, Iterable, Sequence

from ansible_collections.ctxlic.license_server.plugins.plugin_utils._common.install_dir import check_install_dir
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._common.errors import InputError
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._license.license_model import (
    Finding,
    LicenseFileReport,
)
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._license.license_binding import check_binding
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._license.license_inventory import (
    feature_summary,
    obsolete_files,
)
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._license.license_names import (
    is_protected,
    validate_file_name,
)

LICENSE_PATTERN = "*.lic"
OLD_EXTENSION = ".old"

# Binding findings that repeat what the parser already reported as an error.
_BINDING_DUPLICATES = {
    "binding_multiple": {"multiple_hostnames"},
}
# Refusals that force never overrides (besides every file name error).
_NEVER_FORCED = {"old_file_exists", "not_a_file"}
_CAP_RE = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9.\-_]{0,252}[A-Za-z0-9])?")


# --------------------------------------------------------------------------------------------
# Paths and command lines
# --------------------------------------------------------------------------------------------


def ls_dir(install_dir: str) -> str:
    """``<install>\\LS``, where the FlexNet tools live and must be run from."""
    return ntpath.join(check_install_dir(install_dir), "LS")


def myfiles_dir(install_dir: str) -> str:
    """``<install>\\MyFiles``, the only place the License Server reads license files from."""
    return ntpath.join(check_install_dir(install_dir), "MyFiles")


def myfiles_path(install_dir: str, name: str) -> str:
    """Full path of license file ``name``; ``name`` must already be a validated bare name."""
    return ntpath.join(myfiles_dir(install_dir), name)


def old_name(name: str) -> str:
    """``FID_x.lic`` -> ``FID_x.old`` (seed 004: change the extension from .lic to .old)."""
    stem, _ext = ntpath.splitext(name)
    return stem + OLD_EXTENSION


def normalize_cluster_access_point(value: Any) -> str | None:
    """The client access point name without a leading ``@``; None when not given.

    Refused when it is not a plain host name, because it becomes one argv element ``@<name>``.
    """
    if value is None:
        return None
    if not isinstance(value, str):
        raise InputError(f"cluster_access_point must be a host name string, got {type(value).__name__}")
    text = value.strip()
    if text.startswith("@"):
        text = text[1:]
    if not text:
        return None
    if not _CAP_RE.fullmatch(text):
        raise InputError(
            f"cluster_access_point {value!r} is not a valid client access point name (letters, digits, '.', '-', "
            "'_'; no spaces); give the cluster's client access point name as Failover Cluster Manager shows it"
        )
    return text


# seed 004 "Clustered License Servers" (~4625, 4644, 4663): license files for a cluster name the client access
# point as the host name ("use the name of the client access point when prompted for the Host ID"; "Obtain license
# files that specify the client access point name of the License Server as the host name"), and "Because of a
# NetBios restriction, ensure that the client access point name is fewer than 15 characters".
CAP_NAME_LIMIT = 15


def binding_hostname(node_hostname: str | None, cluster_access_point: Any) -> str | None:
    """The host name a license file must be bound to: the client access point on a cluster, else the node's name.

    ``node_hostname`` is what ``lmhostid -hostname`` (or the computer name) reports on the node; on a cluster the
    files name the client access point instead (Citrix Licensing 11.17.2 build 49000 documentation, Clustered
    License Servers), so every binding check compares against it when one is given.
    """
    cap = normalize_cluster_access_point(cluster_access_point)
    return cap if cap else node_hostname


def cluster_access_point_warnings(cluster_access_point: Any) -> list[str]:
    """A warning when the client access point name is 15 characters or longer (NetBIOS limit, seed 004)."""
    cap = normalize_cluster_access_point(cluster_access_point)
    if not cap or len(cap.split(".", 1)[0]) < CAP_NAME_LIMIT:
        return []
    return [
        f"cluster_access_point {cap!r} is {len(cap.split('.', 1)[0])} characters long; the client access point "
        f"name must be fewer than {CAP_NAME_LIMIT} characters because of a NetBIOS restriction (Citrix Licensing "
        "11.17.2 build 49000 documentation, Clustered License Servers) - check the name in Failover Cluster "
        "Manager"
    ]


def reread_argv(install_dir: str, cluster_access_point: str | None = None) -> list[str]:
    """``<install>\\LS\\lmreread.exe -c @localhost -all`` (or ``-c @<client access point> -all``)."""
    cap = normalize_cluster_access_point(cluster_access_point)
    target = f"@{cap}" if cap else "@localhost"
    return [ntpath.join(ls_dir(install_dir), "lmreread.exe"), "-c", target, "-all"]


def lmstat_argv(install_dir: str, cluster_access_point: str | None = None) -> list[str]:
    """``<install>\\LS\\lmstat.exe -a -c @localhost`` (or ``-c @<client access point>``), seed 004 "lmstat"."""
    cap = normalize_cluster_access_point(cluster_access_point)
    return [ntpath.join(ls_dir(install_dir), "lmstat.exe"), "-a", "-c", f"@{cap}" if cap else "@localhost"]


def lmhostid_argv(install_dir: str, kind: str = "hostname") -> list[str]:
    """``lmhostid -hostname`` or ``lmhostid -ether``, run from ``<install>\\LS``."""
    if kind not in ("hostname", "ether"):
        raise InputError(f"lmhostid kind must be 'hostname' or 'ether', got {kind!r}")
    return [ntpath.join(ls_dir(install_dir), "lmhostid.exe"), f"-{kind}"]


def content_checksum(data: bytes) -> str:
    """SHA-1 hex digest, the algorithm ``win_stat`` / ``stat`` report with checksum_algorithm=sha1."""
    return hashlib.sha1(data).hexdigest()  # noqa: S324 - matches the host's checksum, not a security use


def license_name_for(name: Any, src: Any) -> str:
    """The file name in MyFiles: ``name``, else the base name of ``src`` (either separator)."""
    if isinstance(name, str) and name.strip():
        return name
    if isinstance(src, str) and src.strip():
        return re.split(r"[\\/]", src.rstrip("\\/"))[-1]
    raise InputError("name is required when src is not given: give the file name to use in MyFiles")


# --------------------------------------------------------------------------------------------
# Which files the License Server actually serves
# --------------------------------------------------------------------------------------------


def serves(
    report: LicenseFileReport, *, ls_hostname: str | None, macs: Sequence[str], when_unknown: bool = False
) -> bool:
    """True when the License Server would read the file: no errors and the binding matches it.

    When the binding cannot be checked (host name or MACs unknown) the answer is ``when_unknown``:
    callers pick the conservative side (a file to remove is assumed served, so its features are
    protected; a file that would cover a feature is assumed not served, so it protects nothing).
    """
    if not report.valid:
        return False
    findings = check_binding(report, ls_hostname=ls_hostname, macs=list(macs or []))
    if findings and all(finding.code == "binding_unverifiable" for finding in findings):
        return when_unknown
    return not findings


def serving_reports(
    reports: Iterable[LicenseFileReport], *, ls_hostname: str | None, macs: Sequence[str]
) -> list[LicenseFileReport]:
    """The reports of files the License Server reads (see :func:`serves`)."""
    return [report for report in reports if serves(report, ls_hostname=ls_hostname, macs=macs)]


def needs_macs(reports: Iterable[LicenseFileReport]) -> bool:
    """True when some file is bound to a MAC address, so the host's MACs must be looked up."""
    return any(report.binding.kind == "mac" for report in reports)


def lost_features(
    target: LicenseFileReport,
    remaining: Iterable[LicenseFileReport],
    *,
    ls_hostname: str | None,
    macs: Sequence[str],
) -> list[str]:
    """Features that only ``target`` still licenses, so removing it would lose them.

    A feature is needed when ``target`` (read by the server) has an unexpired line for it (a
    future START counts: removing it loses an entitlement). It stays covered when a remaining
    served file has an active line for it, or an active line that names it in SUPERSEDE /
    SUPERSEDE_SIGN (an edition upgrade replaces the old feature). Files the server ignores
    (errors, other host) license nothing, so removing one loses nothing. An unverifiable binding
    counts as served for ``target`` and as not served for the others (see :func:`serves`).
    """
    if not serves(target, ls_hostname=ls_hostname, macs=macs, when_unknown=True):
        return []
    needed = {line.feature for line in target.features if not line.expired}
    covered: set[str] = set()
    for report in serving_reports(remaining, ls_hostname=ls_hostname, macs=macs):
        for line in report.features:
            if not line.expired and not line.not_yet_started:
                covered.add(line.feature)
                covered.update(line.supersede)
                covered.update(line.supersede_sign)
    return sorted(needed - covered)


# --------------------------------------------------------------------------------------------
# Writing one file
# --------------------------------------------------------------------------------------------


def _findings_dicts(findings: Iterable[Finding]) -> list[dict[str, Any]]:
    return [finding.to_dict() for finding in findings]


@dataclass
class WritePlan:
    """What deploying one license file would do.

    ``operation``: ``create`` (new file), ``replace`` (different content), ``unchanged`` (same
    SHA-1) or ``refuse`` (errors and no ``force``, or a file name error, which ``force`` never
    overrides). ``overridden`` lists the errors ``force`` let through.
    """

    name: str
    path: str
    operation: str
    checksum: str
    existing_checksum: str | None
    report: LicenseFileReport
    errors: list[Finding] = field(default_factory=list)
    warnings: list[Finding] = field(default_factory=list)
    overridden: list[Finding] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return self.operation in ("create", "replace")

    @property
    def refused(self) -> bool:
        return self.operation == "refuse"

    @property
    def features(self) -> list[dict[str, Any]]:
        return feature_summary(self.report)

    def findings(self) -> list[dict[str, Any]]:
        """Errors, overridden errors (severity ``overridden``) and warnings, as plain data."""
        overridden = [
            {**finding.to_dict(), "severity": "overridden"} for finding in self.overridden
        ]
        return _findings_dicts(self.errors) + overridden + _findings_dicts(self.warnings)

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "path": self.path,
            "operation": self.operation,
            "changed": self.changed,
            "checksum": self.checksum,
            "existing_checksum": self.existing_checksum,
            "binding": self.report.binding.to_dict(),
            "features": self.features,
            "findings": self.findings(),
        }


def plan_write(
    report: LicenseFileReport,
    data: bytes,
    *,
    install_dir: str,
    existing_checksum: str | None,
    ls_hostname: str | None,
    macs: Sequence[str],
    force: bool = False,
) -> WritePlan:
    """Decide whether to write ``data`` (already parsed into ``report``) to ``MyFiles``.

    File name errors (path parts, wrong extension, the protected start-up license / options
    file, reserved names) are never overridable: the name decides where the file lands and
    whether the server reads it. Content and binding errors refuse the change unless ``force``.
    A file that is already there with the same content is ``unchanged``, but its errors are
    still reported as a refusal: the deployment is wrong even though nothing would change.
    """
    if not isinstance(data, bytes):
        raise InputError(f"license file {report.name!r}: content must be bytes, got {type(data).__name__}")
    name = report.name
    name_errors = validate_file_name(name)
    checksum = content_checksum(data)
    path = "" if name_errors else myfiles_path(install_dir, name)
    content_errors = [finding for finding in report.errors if not finding.code.startswith("file_name_")]
    codes = {finding.code for finding in content_errors}
    binding_errors = [
        finding
        for finding in check_binding(report, ls_hostname=ls_hostname, macs=list(macs or []))
        if not (finding.code == "binding_missing" and content_errors)
        and not (codes & _BINDING_DUPLICATES.get(finding.code, set()))
    ]
    overridable = content_errors + binding_errors
    plan = WritePlan(
        name=name,
        path=path,
        operation="unchanged",
        checksum=checksum,
        existing_checksum=existing_checksum,
        report=report,
        warnings=list(report.warnings),
    )
    if name_errors:
        plan.operation = "refuse"
        plan.errors = name_errors + overridable
        return plan
    if overridable and not force:
        plan.operation = "refuse"
        plan.errors = overridable
        return plan
    plan.overridden = overridable
    if existing_checksum is None:
        plan.operation = "create"
    elif existing_checksum.lower() != checksum:
        plan.operation = "replace"
    return plan


def _forceable(finding: Finding) -> bool:
    return not finding.code.startswith("file_name_") and finding.code not in _NEVER_FORCED


def refusal_message(plan: WritePlan | RemovePlan, *, what: str = "written") -> str:
    """One message naming the file, every error, and what to do."""
    prefix = f"{plan.name}: "
    problems = "; ".join(
        finding.message[len(prefix):] if finding.message.startswith(prefix) else finding.message
        for finding in plan.errors
    )
    hint = ""
    if plan.errors and all(_forceable(finding) for finding in plan.errors):
        # The binding advice only where a binding error is among the reasons (issue 15 item 11).
        binding = any(finding.code.startswith("binding_") or finding.code == "multiple_hostnames"
                      for finding in plan.errors)
        cause = " (for a binding error: allocate and download the file for this License Server)" if binding else ""
        hint = f" Fix the cause{cause} or set force=true to override."
    return f"{plan.name} refused, nothing was {what}: {problems}.{hint}"


# --------------------------------------------------------------------------------------------
# Removing one file
# --------------------------------------------------------------------------------------------


@dataclass
class RemovePlan:
    """What removing one license file would do.

    ``operation``: ``remove`` (follow the documented procedure), ``absent`` (nothing to do) or
    ``refuse``. ``lost_features`` are features no other served file covers.
    """

    name: str
    path: str
    old_path: str
    operation: str
    report: LicenseFileReport | None = None
    errors: list[Finding] = field(default_factory=list)
    warnings: list[Finding] = field(default_factory=list)
    overridden: list[Finding] = field(default_factory=list)
    lost_features: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return self.operation == "remove"

    @property
    def refused(self) -> bool:
        return self.operation == "refuse"

    @property
    def features(self) -> list[dict[str, Any]]:
        return feature_summary(self.report) if self.report is not None else []

    def findings(self) -> list[dict[str, Any]]:
        overridden = [{**finding.to_dict(), "severity": "overridden"} for finding in self.overridden]
        return _findings_dicts(self.errors) + overridden + _findings_dicts(self.warnings)

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "path": self.path,
            "old_path": self.old_path,
            "operation": self.operation,
            "changed": self.changed,
            "features": self.features,
            "lost_features": list(self.lost_features),
            "findings": self.findings(),
        }


def removal_name_errors(name: str) -> list[Finding]:
    """Why ``name`` cannot be removed with the documented procedure (empty when it can).

    The start-up license and the options file are refused in any letter case (seed 004:
    "Never delete the options file or startup license"). Only ``*.lic`` files are managed: the
    procedure renames ``.lic`` to ``.old``.
    """
    if isinstance(name, str) and is_protected(name):
        return [
            Finding(
                "file_name_protected",
                f"{name!r} is the start-up license or the options file; Citrix Licensing 11.17.2 build 49000 "
                "documentation says never delete it",
            )
        ]
    findings = validate_file_name(name)
    return [
        Finding(
            finding.code,
            finding.message
            + (
                " (state=absent only removes license files ending in lower-case .lic from MyFiles)"
                if finding.code == "file_name_extension"
                else ""
            ),
        )
        for finding in findings
    ]


def plan_remove(
    name: str,
    *,
    install_dir: str,
    exists: bool,
    is_dir: bool = False,
    old_exists: bool,
    report: LicenseFileReport | None,
    others: Sequence[LicenseFileReport],
    ls_hostname: str | None,
    macs: Sequence[str],
    today: datetime.date,
    force: bool = False,
) -> RemovePlan:
    """Decide whether ``name`` can be removed from MyFiles.

    Refused, whatever ``force`` says: protected files, bad names, a directory with that name, an
    existing ``.old`` file of the same stem (it would be overwritten; it is probably left from an
    interrupted removal and needs a look). Refused unless ``force``: the file is the last one
    licensing a feature (:func:`lost_features`). Warned: the file still has lines that are not
    obsolete (seed 004: delete only when every INCREMENT line is obsolete or unnecessary).
    """
    name_errors = removal_name_errors(name)
    if name_errors:
        return RemovePlan(name=name, path="", old_path="", operation="refuse", errors=name_errors)
    path = myfiles_path(install_dir, name)
    old_path = myfiles_path(install_dir, old_name(name))
    plan = RemovePlan(name=name, path=path, old_path=old_path, operation="absent", report=report)
    if not exists:
        return plan
    if is_dir:
        plan.operation = "refuse"
        plan.errors = [Finding("not_a_file", f"{path} is a directory, not a license file; nothing was removed")]
        return plan
    if old_exists:
        plan.operation = "refuse"
        plan.errors = [
            Finding(
                "old_file_exists",
                f"{old_path} already exists (left from an earlier removal?); renaming {name} would overwrite it - "
                "look at it, delete or move it, then run again",
            )
        ]
        return plan
    if report is None:
        plan.operation = "remove"
        plan.warnings = [Finding("unreadable", f"{name} could not be read; removing it unchecked", "warning")]
        return plan
    plan.warnings = list(report.warnings)
    plan.lost_features = lost_features(report, others, ls_hostname=ls_hostname, macs=macs)
    if plan.lost_features:
        finding = Finding(
            "removal_loses_feature",
            f"{name} is the last installed file that licenses {', '.join(plan.lost_features)}; removing it lowers "
            "the licenses available to zero (Citrix Licensing 11.17.2 build 49000 documentation: place new license "
            "files before deleting any)",
        )
        if not force:
            plan.operation = "refuse"
            plan.errors = [finding]
            return plan
        plan.overridden = [finding]
    elif serves(report, ls_hostname=ls_hostname, macs=macs, when_unknown=True):
        kept = serving_reports(others, ls_hostname=ls_hostname, macs=macs)
        if name not in obsolete_files([*kept, report], today=today):
            plan.warnings.append(
                Finding(
                    "not_all_lines_obsolete",
                    f"{name} still has INCREMENT lines that are neither expired nor superseded; removing it lowers "
                    "the installed license counts (Citrix Licensing 11.17.2 build 49000 documentation: delete a file "
                    "only when every line is obsolete or "
                    "unnecessary)",
                    "warning",
                )
            )
    plan.operation = "remove"
    return plan


# --------------------------------------------------------------------------------------------
# Deploying a set of files and pruning
# --------------------------------------------------------------------------------------------


@dataclass
class PrunePlan:
    """Files to remove because every INCREMENT line in them is expired or superseded."""

    remove: list[str] = field(default_factory=list)
    skipped: list[dict[str, str]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"remove": list(self.remove), "skipped": [dict(item) for item in self.skipped]}


def plan_prune(
    reports: Sequence[LicenseFileReport],
    *,
    keep: Iterable[str],
    ls_hostname: str | None,
    macs: Sequence[str],
    today: datetime.date,
) -> PrunePlan:
    """Which installed files to prune, given the reports of every file after deployment.

    Uses :func:`license_file.obsolete_files` on the files the server serves, which never
    proposes protected files and never leaves a still-licensed feature without a file. Files the
    server ignores (errors, bound to another host) or whose binding cannot be checked are reported
    in ``skipped``, never pruned
    automatically: they are misplaced rather than obsolete and need a person. Files in ``keep``
    (the ones being deployed) are skipped too, or deploy and prune would undo each other on
    every run.
    """
    keep_folded = {name.casefold() for name in keep}
    served = serving_reports(reports, ls_hostname=ls_hostname, macs=macs)
    served_ids = {id(report) for report in served}
    plan = PrunePlan()
    for report in reports:
        if id(report) not in served_ids and not report.protected:
            plan.skipped.append(
                {"name": report.name, "reason": "the License Server ignores this file (errors, bound to another host) "
                                                "or its binding could not be checked; remove it by hand after "
                                                "checking it"}
            )
    for name in obsolete_files(served, today=today):
        if is_protected(name):
            continue
        if name.casefold() in keep_folded:
            plan.skipped.append(
                {"name": name, "reason": "obsolete, but it is one of the files being deployed; remove it from the "
                                         "source directory"}
            )
            continue
        plan.remove.append(name)
    return plan


def duplicate_names(names: Iterable[str]) -> list[str]:
    """Names that occur more than once, compared case-insensitively as NTFS does."""
    seen: dict[str, str] = {}
    duplicates: list[str] = []
    for name in names:
        folded = name.casefold()
        if folded in seen and seen[folded] not in duplicates:
            duplicates.append(seen[folded])
        seen.setdefault(folded, name)
    return duplicates


# --------------------------------------------------------------------------------------------
# Diff rendering
# --------------------------------------------------------------------------------------------


def features_text(report: LicenseFileReport | None) -> str:
    """What a diff shows for a file: binding and one line per INCREMENT, never signatures.

    Empty text for no file, so a created file diffs from nothing and a removed one to nothing.
    """
    if report is None:
        return ""
    binding = report.binding
    bound = ", ".join(binding.values) or binding.kind
    lines = [f"file: {report.name}", f"binding: {binding.kind} {bound}".rstrip(), "features:"]
    summary = feature_summary(report)
    if not summary:
        lines.append("  (none)")
    for item in summary:
        count = "uncounted" if item["count"] is None else item["count"]
        lines.append(
            f"  - {item['feature']}: count={count} expiry={item['expiry']} css_date={item['css_date']} "
            f"serial={item['serial']}"
        )
    return "\n".join(lines) + "\n"
