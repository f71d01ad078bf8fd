# Copyright: (c) 2026, ctxlic maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# Internal use only: this module is private to ctxlic.license_server and may change at any time.
"""Does the License Server serve what its license files hold? Compares ``lmstat -a`` with MyFiles. No I/O.

Seed 004 says license files added to MyFiles are served only after ``lmreread -c @localhost -all``
(or a restart of the Citrix Licensing service). A run that wrote the files but whose reread failed
therefore leaves files in place that the vendor daemon does not serve; a later run must notice that
from the host itself, because the file content is already right and nothing would be written again.

The comparison is built so that a converged License Server is never found stale (a stale verdict
means another ``lmreread`` on every run, which breaks idempotence). It only calls the server stale
on evidence:

* **too little served**: a line that is surely active (not expired, started, with a day of margin
  for the host's clock and time zone) in a file the server reads (no errors, bound to this host)
  licenses a feature that ``lmstat`` does not list, or lists with fewer licenses issued than those
  lines add up to. Features superseded by an active line of another feature are not required
  (FlexNet stops serving them); a feature whose own newer line supersedes it is required to be
  listed, not counted. Uncounted lines only require the feature to be listed.
* **too much served** (only when every ``.lic`` in MyFiles could be read): ``lmstat`` lists a
  feature that no license file in MyFiles names at all, or more licenses than every line for it
  in every file adds up to (count plus ``OVERDRAFT``), as after a file was removed without a reread.

Anything the comparison cannot judge (lmstat did not answer, output not recognised) is reported as
not checked, never as stale.
"""

from __future__ import annotations

import base64
import binascii
import datetime
from dataclasses import dataclass, field
from typing import Any, Iterable, Sequence

from ansible_collections.ctxlic.license_server.plugins.plugin_utils._license.license_model import (
    Feature,
    LicenseFileReport,
)
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._license.license_parser import parse_license_file
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._license.plan import serves
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._server.lmstat import parse_lmstat
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._server.ls_tools import parse_lmhostid

# The host's clock and time zone may differ from the controller's by up to a day around an expiry or
# START date; a line that close to either date is not required to be served.
_CLOCK_MARGIN = datetime.timedelta(days=1)


@dataclass
class ServedCheck:
    """The verdict: ``checked`` says whether lmstat could be compared at all, ``stale`` whether a reread is due."""

    checked: bool
    reason: str | None = None
    missing: list[str] = field(default_factory=list)
    short: list[dict[str, Any]] = field(default_factory=list)
    unexpected: list[str] = field(default_factory=list)
    surplus: list[dict[str, Any]] = field(default_factory=list)

    @property
    def stale(self) -> bool:
        return bool(self.missing or self.short or self.unexpected or self.surplus)

    def summary(self) -> str:
        """One sentence naming every difference (or why nothing was compared)."""
        if not self.checked:
            return f"not checked: {self.reason}"
        if not self.stale:
            return "lmstat -a serves what the license files hold"
        parts = []
        if self.missing:
            parts.append(f"not served: {', '.join(self.missing)}")
        parts += [f"{item['feature']} served {item['served']} of at least {item['expected_at_least']}"
                  for item in self.short]
        if self.unexpected:
            parts.append(f"served without a license file: {', '.join(self.unexpected)}")
        parts += [f"{item['feature']} served {item['served']}, the files hold at most {item['expected_at_most']}"
                  for item in self.surplus]
        return "; ".join(parts)

    def to_dict(self) -> dict[str, Any]:
        return {
            "checked": self.checked,
            "stale": self.stale,
            "reason": self.reason,
            "missing": list(self.missing),
            "short": [dict(item) for item in self.short],
            "unexpected": list(self.unexpected),
            "surplus": [dict(item) for item in self.surplus],
            "summary": self.summary(),
        }


def surely_active(line: Feature, today: datetime.date) -> bool:
    """True when the line is served today on any clock within a day of ``today``."""
    if line.start is not None and line.start > today - _CLOCK_MARGIN:
        return False
    if line.permanent:
        return True
    return line.expiry_date is not None and line.expiry_date > today + _CLOCK_MARGIN


def required_minimum(
    reports: Iterable[LicenseFileReport], *, ls_hostname: str | None, macs: Sequence[str], today: datetime.date
) -> dict[str, int | None]:
    """Feature -> the fewest licenses lmstat must list (None: it must only be listed).

    Only files the server surely reads count: a binding that cannot be checked counts as not read,
    so an unknown host name never causes a reread. ``INCREMENT`` lines add up; a ``FEATURE`` line
    replaces the others, so a feature with one counts its largest line only.
    """
    lines = [line for report in reports
             if serves(report, ls_hostname=ls_hostname, macs=macs, when_unknown=False)
             for line in report.features if surely_active(line, today)]
    superseded = {(line.feature, name) for line in lines for name in [*line.supersede, *line.supersede_sign]}
    by_other = {name for owner, name in superseded if owner != name}
    by_self = {name for owner, name in superseded if owner == name}
    counts: dict[str, list[int | None]] = {}
    keywords: dict[str, set[str]] = {}
    for line in lines:
        if line.feature in by_other:
            continue
        counts.setdefault(line.feature, []).append(None if line.uncounted else line.count)
        keywords.setdefault(line.feature, set()).add(line.keyword.upper())
    minimum: dict[str, int | None] = {}
    for feature, values in counts.items():
        counted = [value for value in values if value is not None]
        if feature in by_self or len(counted) < len(values):
            minimum[feature] = None
        elif "FEATURE" in keywords[feature]:
            minimum[feature] = max(counted)
        else:
            minimum[feature] = sum(counted)
    return minimum


def possible_maximum(reports: Iterable[LicenseFileReport]) -> dict[str, int | None]:
    """Feature -> the most licenses any reading of the files could serve (None: no upper bound).

    Every line of every file counts, whatever its dates, errors or binding, so this bound never
    claims too little.
    """
    maximum: dict[str, int | None] = {}
    for report in reports:
        for line in report.features:
            if line.uncounted or line.count is None:
                maximum[line.feature] = None
                continue
            if line.feature in maximum and maximum[line.feature] is None:
                continue
            maximum[line.feature] = (maximum.get(line.feature) or 0) + line.count + (line.overdraft or 0)
    return maximum


def served_features(lmstat_output: str | None) -> tuple[dict[str, int | None] | None, str | None]:
    """(feature -> licenses issued, None when uncounted) from lmstat output, or (None, why not)."""
    parsed = parse_lmstat(lmstat_output)
    if not parsed["parsed"]:
        return None, "the lmstat -a output was not recognised"
    if parsed["server"]["status"] == "DOWN":
        return None, f"lmstat -a reports the license server down: {parsed['server']['error'] or 'DOWN'}"
    return {name: (None if entry["uncounted"] else entry["issued"])
            for name, entry in parsed["features"].items() if entry["error"] is None}, None


def compare(
    served: dict[str, int | None],
    minimum: dict[str, int | None],
    maximum: dict[str, int | None] | None,
) -> ServedCheck:
    """Compare what lmstat serves with the bounds; ``maximum`` None skips the too-much side."""
    check = ServedCheck(checked=True)
    for feature in sorted(minimum):
        if feature not in served:
            check.missing.append(feature)
            continue
        need, have = minimum[feature], served[feature]
        if need is not None and have is not None and have < need:
            check.short.append({"feature": feature, "served": have, "expected_at_least": need})
    if maximum is None:
        return check
    for feature in sorted(served):
        have = served[feature]
        if feature not in maximum:
            if have != 0:
                check.unexpected.append(feature)
            continue
        limit = maximum[feature]
        if limit is not None and have is not None and have > limit:
            check.surplus.append({"feature": feature, "served": have, "expected_at_most": limit})
    return check


def not_checked(reason: str) -> ServedCheck:
    return ServedCheck(checked=False, reason=reason)


def check_lmstat(
    lmstat_run: dict[str, Any] | None,
    reports: Sequence[LicenseFileReport],
    *,
    ls_hostname: str | None,
    macs: Sequence[str],
    today: datetime.date,
    complete: bool,
) -> ServedCheck:
    """The verdict for ``reports`` against one lmstat run ({rc, stdout, stderr}).

    ``complete`` says the reports are every ``.lic`` file in MyFiles (each one read); only then can
    a served feature be called one that no file holds.
    """
    if not lmstat_run:
        return not_checked("lmstat.exe was not found")
    if lmstat_run.get("rc") != 0:
        output = (lmstat_run.get("stderr") or lmstat_run.get("stdout") or "").strip()
        return not_checked(f"lmstat -a did not answer (rc={lmstat_run.get('rc')}): {output[:300] or 'no output'}")
    served, why = served_features(lmstat_run.get("stdout"))
    if served is None:
        return not_checked(why or "lmstat -a could not be read")
    minimum = required_minimum(reports, ls_hostname=ls_hostname, macs=macs, today=today)
    return compare(served, minimum, possible_maximum(reports) if complete else None)


def _collected_reports(raw: dict[str, Any], today: datetime.date) -> tuple[list[LicenseFileReport], bool]:
    """(reports of every ``.lic`` in MyFiles the collection carried, whether every one could be read)."""
    reports, complete = [], True
    for item in raw.get("myfiles") or []:
        name = str(item.get("name", ""))
        if not name.lower().endswith(".lic"):
            continue
        if item.get("content_b64") is None:
            complete = False  # too large to carry: it may hold any feature
            continue
        try:
            data = base64.b64decode(item["content_b64"], validate=True)
        except (binascii.Error, ValueError, TypeError):
            complete = False
            continue
        reports.append(parse_license_file(name, data, today=today))
    return reports, complete


def _collected_hostname(raw: dict[str, Any]) -> str | None:
    """``lmhostid -hostname`` as collected, else the Windows computer name (as IdentityProbe does)."""
    run = raw.get("lmhostid") or {}
    ids = parse_lmhostid(run.get("stdout")) if run.get("rc") == 0 else []
    if ids and ids[0]:
        return ids[0]
    name = raw.get("computer_name")
    return str(name) if name else None


def collection_today(raw: dict[str, Any], default: datetime.date) -> datetime.date:
    """The host's date from the collection's ``now`` (its own clock decides expiry), else ``default``."""
    now = raw.get("now")
    if isinstance(now, str):
        try:
            return datetime.datetime.fromisoformat(now.replace("Z", "+00:00")).date()
        except ValueError:
            return default
    return default


def check_collection(
    raw: dict[str, Any], *, default_today: datetime.date, lmstat_run: dict[str, Any] | None = None,
    cluster_access_point: str | None = None,
) -> ServedCheck:
    """The verdict for the whole of MyFiles from one ``collect`` (files, lmhostid, MACs, lmstat).

    ``lmstat_run`` replaces the collection's own ``lmstat -c @localhost`` (a cluster asks its client
    access point). With ``cluster_access_point`` host name bindings are judged against it: license files for a
    cluster name the client access point as the host name (seed 004 "Clustered License Servers", ~4644).
    """
    if not raw.get("install_dir_exists"):
        return not_checked("the License Server installation directory does not exist")
    today = collection_today(raw, default_today)
    reports, complete = _collected_reports(raw, today)
    macs = [str(mac) for mac in raw.get("macs") or [] if isinstance(mac, str)]
    return check_lmstat(lmstat_run if lmstat_run is not None else raw.get("lmstat"), reports,
                        ls_hostname=cluster_access_point or _collected_hostname(raw), macs=macs, today=today,
                        complete=complete)
