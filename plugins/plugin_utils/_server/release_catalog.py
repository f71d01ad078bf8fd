# Copyright: (c) 2026, ctxlic maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# Internal use only: this module is private to ctxlic.license_server and may change at any time.
"""The License Server release catalog: which builds exist and when each was released.

The six-month upgrade rule (seeds 000, 002, 003) is only as good as the list of releases it is
measured against, and the vendor keeps shipping builds (seed 002 names 11.17.2 build 51000 from
December 2024; 004 stops at build 49000). So the catalog is data, never code:

* a shipped data file (``data/release_catalog.yml``, loaded by ``catalog_store``),
* plus releases fetched from the vendor's "What's new" page (HTML or its plain-text/markdown
  export, as in seed 004) or from an organisation-hosted JSON/YAML mirror.

This module holds the pure parts: the data model, the parsers, merging and staleness.
It does no I/O; ``catalog_store`` reads files and talks HTTP.

Release dates have a precision. Seed 004 gives full dates; seed 002 gives only "December 2024"
for build 51000. A month-precision date is stored as the first day of that month with
``date_precision: month``: the strict reading, so the six-month deadline is never later than
the real one.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import yaml

from ansible_collections.ctxlic.license_server.plugins.plugin_utils._common.lxml_import import etree, html, require_lxml
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._common.errors import InputError
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._server.version import LSVersion, parse_ls_version

PRECISIONS = ("day", "month")
MIRROR_FORMATS = ("json", "yaml")

_MONTHS = (
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
)

# "What's new in the License Server version 11.17.2 build 49000" (004 ~line 104); the 11.16.6
# heading omits "version" ("What's new in the License Server 11.16.6 build 34000", ~line 325).
_HEADING_RE = re.compile(
    r"what'?s\s+new\s+in\s+(?:the\s+)?(?:citrix\s+)?license\s+server\s+(?:version\s+)?"
    r"(?P<version>\d{1,9}\.\d{1,9}\.\d{1,9}(?:\.\d{1,9})?\s*,?\s*build\s*\d{1,9})",
    re.IGNORECASE,
)
# "Release date: Aug 12, 2024" / "Release date: December 07, 2023".
_RELEASE_DATE_RE = re.compile(
    r"release\s+date\s*:?\s*(?P<month>[a-z]{3,9})\.?\s+(?P<day>\d{1,2})(?:st|nd|rd|th)?\s*,?\s*(?P<year>\d{4})\b",
    re.IGNORECASE,
)
# How many non-empty lines after a heading may precede its "Release date:" line.
_DATE_LOOKAHEAD_LINES = 4
# Characters the PDF/markdown export and vendor HTML put around or inside headings.
_NOISE_TRANSLATION = str.maketrans(
    {
        "\u00a0": " ",
        "\u2007": " ",
        "\u202f": " ",
        "\u2009": " ",
        "\u200b": "",
        "\ufeff": "",
        "\u2018": "'",
        "\u2019": "'",
        "\u02bc": "'",
        "`": "'",
        "*": " ",
    }
)
_LOOKS_LIKE_HTML_RE = re.compile(
    r"<\s*(?:!doctype|html|head|body|h[1-6]|p|div|section|article|span|strong|b|main|table|ul|li)\b", re.IGNORECASE
)
_BLOCK_TAGS = frozenset(
    {
        "address",
        "article",
        "aside",
        "blockquote",
        "body",
        "dd",
        "div",
        "dl",
        "dt",
        "figcaption",
        "figure",
        "footer",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "header",
        "hr",
        "li",
        "main",
        "nav",
        "ol",
        "p",
        "pre",
        "section",
        "table",
        "td",
        "th",
        "tr",
        "ul",
    }
)
_DROP_TAGS = ("script", "style", "noscript", "template", "head")


@dataclass(frozen=True)
class Release:
    """One License Server release and where its date comes from."""

    version: LSVersion
    released: date
    source: str
    date_precision: str = "day"

    def __post_init__(self) -> None:
        if not isinstance(self.version, LSVersion) or not self.version.build_known:
            raise InputError(f"Release version {self.version!r} must be a parsed version with a build number.")
        if not isinstance(self.released, date) or isinstance(self.released, datetime):
            raise InputError(f"Release {self.version}: released {self.released!r} must be a date.")
        if self.date_precision not in PRECISIONS:
            raise InputError(
                f"Release {self.version}: date_precision {self.date_precision!r} must be one of "
                f"{', '.join(PRECISIONS)}."
            )
        if self.date_precision == "month" and self.released.day != 1:
            raise InputError(
                f"Release {self.version}: a month-precision date is recorded as the first day of the month "
                f"(the strict reading); got {self.released.isoformat()}."
            )

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form, the same schema as the shipped data file and mirrors."""
        return {
            "version": str(self.version),
            "released": self.released.isoformat(),
            "source": self.source,
            "date_precision": self.date_precision,
        }


@dataclass(frozen=True)
class Catalog:
    """Releases known at one moment, sorted by version, with where they came from."""

    releases: tuple[Release, ...]
    fetched_at: datetime | None = None
    origin: str = "shipped"

    def __post_init__(self) -> None:
        object.__setattr__(self, "releases", tuple(sorted(self.releases, key=lambda r: r.version)))

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "releases": [r.to_dict() for r in self.releases],
            "fetched_at": self.fetched_at.isoformat() if self.fetched_at else None,
            "origin": self.origin,
        }


# --------------------------------------------------------------------------------------------
# Structured data: shipped file, mirrors, caches
# --------------------------------------------------------------------------------------------


def _parse_release_date(value: Any, where: str) -> tuple[date, str | None]:
    """Turn a ``released`` value into a date; the second item is the precision the value implies."""
    if isinstance(value, datetime):
        return value.date(), None
    if isinstance(value, date):
        return value, None
    if isinstance(value, str):
        text = value.strip()
        if re.fullmatch(r"\d{4}-\d{2}", text):
            try:
                return date(int(text[:4]), int(text[5:7]), 1), "month"
            except ValueError:
                pass
        elif re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            try:
                return date.fromisoformat(text), None
            except ValueError:
                pass
    raise InputError(
        f"{where}: released {value!r} is not a date; use YYYY-MM-DD (or YYYY-MM with date_precision month)."
    )


def _release_from_entry(entry: Any, where: str, default_source: str) -> Release:
    if not isinstance(entry, Mapping):
        raise InputError(f"{where} must be a mapping with version and released, got {type(entry).__name__}.")
    version_text = entry.get("version")
    if not isinstance(version_text, str):
        raise InputError(f"{where}: version {version_text!r} must be a string such as '11.17.2 build 51000'.")
    try:
        version = parse_ls_version(version_text)
    except InputError as exc:
        raise InputError(f"{where}: {exc}") from None
    if not version.build_known:
        raise InputError(f"{where}: version {version_text!r} has no build number; catalog entries need one.")
    released, implied = _parse_release_date(entry.get("released"), where)
    precision = entry.get("date_precision", implied or "day")
    if precision not in PRECISIONS:
        raise InputError(f"{where}: date_precision {precision!r} must be one of {', '.join(PRECISIONS)}.")
    if implied == "month" and precision != "month":
        raise InputError(f"{where}: released {entry.get('released')!r} names a month only; set date_precision: month.")
    source = entry.get("source", default_source)
    if not isinstance(source, str) or not source.strip():
        raise InputError(f"{where}: source {source!r} must be a non-empty string naming where the date comes from.")
    try:
        return Release(version=version, released=released, source=source.strip(), date_precision=precision)
    except InputError as exc:
        raise InputError(f"{where}: {exc}") from None


def releases_from_data(data: Any, *, where: str, default_source: str | None = None) -> list[Release]:
    """Validate ``{releases: [{version, released, source, date_precision}]}`` and build releases.

    Duplicate versions are an error here: a data file that dates one build twice is ambiguous.
    """
    if not isinstance(data, Mapping):
        raise InputError(f"{where} must be a mapping with a 'releases' list, got {type(data).__name__}.")
    entries = data.get("releases")
    if not isinstance(entries, list):
        raise InputError(f"{where}: 'releases' must be a list of {{version, released, source, date_precision}}.")
    releases: list[Release] = []
    seen: dict[LSVersion, int] = {}
    for index, entry in enumerate(entries):
        entry_where = f"{where}: releases[{index}]"
        release = _release_from_entry(entry, entry_where, default_source or where)
        if release.version in seen:
            raise InputError(
                f"{entry_where}: version {release.version} is already listed at releases[{seen[release.version]}]."
            )
        seen[release.version] = index
        releases.append(release)
    return sorted(releases, key=lambda r: r.version)


def catalog_from_data(data: Any, *, origin: str = "shipped", fetched_at: datetime | None = None) -> Catalog:
    """Build a :class:`Catalog` from the shipped data file's content (already YAML-decoded)."""
    return Catalog(releases=tuple(releases_from_data(data, where=origin)), fetched_at=fetched_at, origin=origin)


def parse_mirror(text: str | bytes, fmt: str, *, source: str = "mirror") -> list[Release]:
    """Parse an organisation-hosted mirror of the release list (JSON or YAML).

    Schema: ``{releases: [{version: "11.17.2 build 51000", released: "2024-12-01",
    source: "...", date_precision: "month"}]}``; ``source`` defaults to *source* and
    ``date_precision`` to ``day``.
    """
    if fmt not in MIRROR_FORMATS:
        raise InputError(f"Mirror format {fmt!r} is not supported; use one of {', '.join(MIRROR_FORMATS)}.")
    if isinstance(text, bytes):
        text = text.decode("utf-8", errors="replace")
    if not isinstance(text, str):
        raise InputError(f"{source}: mirror content must be text, got {type(text).__name__}.")
    try:
        data = json.loads(text) if fmt == "json" else yaml.safe_load(text)
    except json.JSONDecodeError as exc:
        raise InputError(f"{source} is not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg}).") from None
    except yaml.YAMLError as exc:
        raise InputError(f"{source} is not valid YAML ({_one_line(str(exc))}).") from None
    except (ValueError, RecursionError) as exc:
        raise InputError(f"{source} could not be decoded as {fmt.upper()} ({_one_line(str(exc))}).") from None
    return releases_from_data(data, where=source, default_source=source)


def _one_line(text: str, limit: int = 300) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 3] + "..."


# --------------------------------------------------------------------------------------------
# The vendor "What's new" page
# --------------------------------------------------------------------------------------------


def _month_number(name: str) -> int | None:
    """``Aug``, ``August``, ``Sept`` -> month number; anything else -> None."""
    lowered = name.lower()
    for number, full in enumerate(_MONTHS, start=1):
        if len(lowered) >= 3 and full.startswith(lowered):
            return number
    return None


def _date_from_match(match: re.Match[str]) -> date | None:
    month = _month_number(match.group("month"))
    if month is None:
        return None
    try:
        return date(int(match.group("year")), month, int(match.group("day")))
    except ValueError:
        return None


def _clean_line(line: str) -> str:
    """Drop markup noise (markdown #/** marks, nbsp, typographic apostrophes) from one line."""
    line = line.translate(_NOISE_TRANSLATION)
    line = re.sub(r"^\s*(?:#{1,6}|>|[-+]\s)\s*", "", line)
    line = re.sub(r"(?<!\w)__|__(?!\w)", " ", line)
    return " ".join(line.split())


def _releases_from_lines(lines: Sequence[str], source: str) -> list[Release]:
    """Find each "What's new ... build N" heading and the "Release date:" just after it."""
    cleaned = [_clean_line(line) for line in lines]
    cleaned = [line for line in cleaned if line]
    found: dict[LSVersion, Release] = {}
    for index, line in enumerate(cleaned):
        heading = _HEADING_RE.search(line)
        if not heading:
            continue
        version = parse_ls_version(heading.group("version"))
        released = _find_release_date(cleaned, index, heading.end())
        if released is None or version in found:
            continue
        section = line[heading.start() : heading.end()]
        found[version] = Release(version=version, released=released, source=f'{source}, section "{section}"')
    return sorted(found.values(), key=lambda r: r.version)


def _find_release_date(lines: Sequence[str], heading_index: int, heading_end: int) -> date | None:
    """The date on the heading line itself (markup collapsed) or within the next few lines.

    The lines are joined so "Release date:" and the date may sit on different lines (``<br>``).
    """
    candidates = [lines[heading_index][heading_end:]]
    for line in lines[heading_index + 1 : heading_index + 1 + _DATE_LOOKAHEAD_LINES]:
        if _HEADING_RE.search(line):
            break
        candidates.append(line)
    match = _RELEASE_DATE_RE.search(" ".join(candidates))
    return _date_from_match(match) if match else None


def parse_whats_new_text(text: str | bytes, *, source: str = "What's new page") -> list[Release]:
    """Parse the plain-text / markdown export of the "What's new" page (the seed 004 format)."""
    if isinstance(text, bytes):
        text = text.decode("utf-8", errors="replace")
    if not isinstance(text, str):
        raise InputError(f"{source}: expected text, got {type(text).__name__}.")
    return _releases_from_lines(text.splitlines(), source)


def _html_lines(content: str | bytes, source: str) -> list[str]:
    """Render HTML to text lines, one per block element, with scripts and styles dropped."""
    require_lxml(f"Parsing the HTML page {source}")
    data = content.encode("utf-8") if isinstance(content, str) else content
    parser = html.HTMLParser(
        encoding="utf-8" if isinstance(content, str) else None,
        no_network=True,
        remove_comments=True,
        remove_pis=True,
        huge_tree=False,
    )
    try:
        root = html.document_fromstring(data, parser=parser)
    except (etree.ParserError, etree.XMLSyntaxError, ValueError, LookupError) as exc:
        raise InputError(f"{source} could not be parsed as HTML ({_one_line(str(exc))}).") from None
    if root is None:
        return []
    for element in list(root.iter(*_DROP_TAGS)):
        if element.getparent() is not None:
            element.drop_tree()
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        tag = element.tag.lower()
        if tag in _BLOCK_TAGS:
            element.text = "\n" + (element.text or "")
            element.tail = "\n" + (element.tail or "")
        elif tag == "br":
            element.tail = "\n" + (element.tail or "")
    return root.text_content().splitlines()


def parse_whats_new_html(content: str | bytes, *, source: str = "What's new page") -> list[Release]:
    """Parse the vendor's "What's new" page into releases.

    Finds every heading "What's new in the License Server version X build N" and the
    "Release date: <Month DD, YYYY | Mon DD, YYYY>" that follows it, tolerating markup noise
    (nested tags, ``&nbsp;``, typographic apostrophes, ``**``/``##`` marks). Content that is not
    HTML is read as the plain-text/markdown export (seed 004). Headings without a readable date
    are skipped; a build listed twice keeps its first date. An empty result means the page held
    no dated releases, which callers treat as an error.
    """
    if isinstance(content, bytes | bytearray):
        content = bytes(content)
        sniff = content[:65536].decode("utf-8", errors="replace")
    elif isinstance(content, str):
        sniff = content[:65536]
    else:
        raise InputError(f"{source}: expected HTML text or bytes, got {type(content).__name__}.")
    if not sniff.strip():
        return []
    if not _LOOKS_LIKE_HTML_RE.search(sniff):
        return parse_whats_new_text(content, source=source)
    return _releases_from_lines(_html_lines(content, source), source)


# --------------------------------------------------------------------------------------------
# Combining and judging catalogs
# --------------------------------------------------------------------------------------------


def merge_with_conflicts(shipped: Iterable[Release], fetched: Iterable[Release]) -> tuple[list[Release], list[str]]:
    """Union by version, with the reasons for every choice that was not obvious.

    * Only in one list: kept.
    * Same date: the fetched entry is kept (it carries the fresher source).
    * Shipped month-precision date, fetched exact date in that month: the exact date wins
      (a refinement, not a conflict).
    * Fetched month-precision date, shipped exact date in that month: the exact date wins.
    * Any other difference is a conflict: the fetched date is kept and the conflict reported,
      because the fetched source is the one the operator chose to trust now.
    """
    merged: dict[LSVersion, Release] = {r.version: r for r in shipped}
    conflicts: list[str] = []
    for new in fetched:
        old = merged.get(new.version)
        if old is None or old.released == new.released:
            merged[new.version] = new
            continue
        same_month = (old.released.year, old.released.month) == (new.released.year, new.released.month)
        if same_month and old.date_precision == "month" and new.date_precision == "day":
            merged[new.version] = new
        elif same_month and old.date_precision == "day" and new.date_precision == "month":
            continue
        else:
            conflicts.append(
                f"Release {new.version}: the fetched date {new.released.isoformat()} ({new.source}) differs from "
                f"the shipped date {old.released.isoformat()} ({old.source}); using the fetched date."
            )
            merged[new.version] = new
    return sorted(merged.values(), key=lambda r: r.version), conflicts


def merge(shipped: Iterable[Release], fetched: Iterable[Release]) -> list[Release]:
    """Union of *shipped* and *fetched* by version (see :func:`merge_with_conflicts`)."""
    return merge_with_conflicts(shipped, fetched)[0]


def newest(catalog: Catalog) -> Release | None:
    """The highest version in the catalog (None for an empty catalog)."""
    return catalog.releases[-1] if catalog.releases else None


#: How old (in days) the catalog's knowledge may be before it can no longer exclude a newer release.
#: 180 days, about the six-month upgrade window (000 CTX477614): a release the catalog does not know
#: that came out right after its newest one would be due about 180 days later, so past that age a
#: server on the newest known build may already be overdue. ``upgrade_window`` option
#: ``catalog_max_age_days``.
DEFAULT_MAX_AGE_DAYS = 180


def complete_through(catalog: Catalog, as_of: date) -> tuple[date | None, str]:
    """The last day up to which *catalog* is known to list every release, and why.

    Two facts prove it: the newest release published on or before *as_of* (nothing older than a
    listed release can be missing from a version-ordered list the vendor publishes) and a
    successful fetch of the release list (``fetched_at``: every release published by then was on
    the page). The later of the two counts, never later than *as_of*. ``(None, "none")`` when the
    catalog lists nothing published by *as_of* and was never fetched.
    """
    if isinstance(as_of, datetime):
        as_of = as_of.date()
    if not isinstance(as_of, date):
        raise InputError(f"as_of {as_of!r} must be a date.")
    published = [r.released for r in catalog.releases if r.released <= as_of]
    newest_day = max(published) if published else None
    fetched_day = min(catalog.fetched_at.date(), as_of) if catalog.fetched_at else None
    if fetched_day is not None and (newest_day is None or fetched_day > newest_day):
        return fetched_day, "fetched"
    if newest_day is not None:
        return newest_day, "newest_release"
    return None, "none"


def staleness(catalog: Catalog, as_of: date, max_age_days: int = DEFAULT_MAX_AGE_DAYS) -> dict[str, Any]:
    """Judge whether the catalog can still exclude a release it does not list.

    The catalog is known complete up to :func:`complete_through` (its newest release, or its last
    successful fetch if later). When that day is more than *max_age_days* before *as_of*, a newer
    release may exist that the catalog does not know, and it may already be past its six-month
    deadline: the catalog is ``stale`` and ``upgrade_window`` reports servers on the newest known
    build as ``unknown`` instead of ``current``. A fresh fetch of the release list makes the catalog
    fresh even when the vendor has not released anything for a long time.
    """
    if isinstance(as_of, datetime):
        as_of = as_of.date()
    if not isinstance(as_of, date):
        raise InputError(f"as_of {as_of!r} must be a date.")
    if isinstance(max_age_days, bool) or not isinstance(max_age_days, int) or max_age_days < 0:
        raise InputError(f"max_age_days {max_age_days!r} must be a whole number of days, 0 or more.")
    published = [r for r in catalog.releases if r.released <= as_of]
    top = max(published, key=lambda r: (r.released, r.version)) if published else None
    through, basis = complete_through(catalog, as_of)
    fetched = (
        f" (last refreshed {catalog.fetched_at.isoformat()})" if catalog.fetched_at else " (never refreshed)"
    )
    fix = (
        "Refresh it: set catalog_url of ctxlic.license_server.upgrade_window (ctxlic_telemetry_catalog_url for "
        "playbooks/fleet_report.yml) to the vendor's What's new page or your mirror."
    )
    base = {
        "newest_release": str(top.version) if top else None,
        "newest_release_date": top.released.isoformat() if top else None,
        "complete_through": through.isoformat() if through else None,
        "complete_through_basis": basis,
        "max_age_days": max_age_days,
    }
    if through is None:
        return {
            **base,
            "stale": True,
            "age_days": None,
            "message": (
                f"The release catalog from {catalog.origin}{fetched} lists no release published by "
                f"{as_of.isoformat()}, so it cannot show that any server is current. {fix}"
            ),
        }
    age = (as_of - through).days
    stale = age > max_age_days
    approx = " (month precision)" if top is not None and top.date_precision == "month" else ""
    newest = (
        f"its newest release is {top.version}, released {top.released.isoformat()}{approx}"
        if top
        else "it lists no release published by then"
    )
    if basis == "fetched":
        known = f"it was last refreshed {through.isoformat()}, {age} days before {as_of.isoformat()}"
    else:
        known = f"{age} days before {as_of.isoformat()}"
    if stale:
        message = (
            f"The release catalog from {catalog.origin}{fetched} is stale: {newest}; its knowledge ends "
            f"{through.isoformat()}, {age} days before {as_of.isoformat()} (more than {max_age_days}). It cannot "
            "exclude a newer release that may already be past its six-month deadline, so servers on the newest "
            f"known build are reported as unknown, not current. {fix}"
        )
    elif basis == "fetched":
        message = (
            f"The release catalog from {catalog.origin} is fresh: {known} (limit {max_age_days}), and {newest}. "
            "Releases published up to the refresh are known."
        )
    else:
        message = (
            f"The release catalog from {catalog.origin}{fetched} is fresh enough: {newest}, {known} "
            f"(limit {max_age_days}). Keep refreshing it (catalog_url)."
        )
    return {**base, "stale": stale, "age_days": age, "message": message}
