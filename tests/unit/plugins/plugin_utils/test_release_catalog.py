# Copyright: (c) 2026, ctxlic maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Tests for plugin_utils._server.release_catalog: What's new parsing, mirrors, merging, staleness."""

from __future__ import annotations

import contextlib
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ansible_collections.ctxlic.license_server.plugins.plugin_utils._common.errors import InputError
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._server.version import parse_ls_version
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._server.release_catalog import (
    Catalog,
    Release,
    catalog_from_data,
    merge,
    merge_with_conflicts,
    newest,
    parse_mirror,
    parse_whats_new_html,
    parse_whats_new_text,
    releases_from_data,
    staleness,
    complete_through,
)
from clock import TODAY

FIXTURES = Path(__file__).resolve().parents[3] / "fixtures" / "catalog"

# Every dated release in seed 004 "What's new" (~lines 96-350).
SEED_004_DATES = {
    "11.16.6 build 34000": "2021-03-17",
    "11.17.2 build 35000": "2021-06-16",
    "11.17.2 build 36000": "2021-09-16",
    "11.17.2 build 37000": "2021-12-13",
    "11.17.2 build 39000": "2022-05-11",
    "11.17.2 build 40000": "2022-10-19",
    "11.17.2 build 41000": "2022-12-22",
    "11.17.2 build 42000": "2023-02-01",
    "11.17.2 build 43000": "2023-05-22",
    "11.17.2 build 44000": "2023-07-26",
    "11.17.2 build 45000": "2023-12-07",
    "11.17.2 build 46000": "2024-02-19",
    "11.17.2 build 47000": "2024-04-15",
    "11.17.2 build 48000": "2024-06-27",
    "11.17.2 build 49000": "2024-08-12",
}


def rel(version: str, released: str, precision: str = "day", source: str = "test") -> Release:
    return Release(parse_ls_version(version), date.fromisoformat(released), source, precision)


def as_dates(releases: list[Release]) -> dict[str, str]:
    return {str(r.version): r.released.isoformat() for r in releases}


# ---------------------------------------------------------------------------------------------
# What's new page
# ---------------------------------------------------------------------------------------------


def test_vendor_html_page_yields_every_dated_build() -> None:
    releases = parse_whats_new_html((FIXTURES / "whats_new_49000.html").read_bytes(), source="vendor page")
    assert as_dates(releases) == SEED_004_DATES
    assert [r.version for r in releases] == sorted(r.version for r in releases)
    assert all(r.date_precision == "day" for r in releases)


def test_vendor_html_ignores_scripts_styles_and_comments() -> None:
    releases = parse_whats_new_html((FIXTURES / "whats_new_49000.html").read_text(encoding="utf-8"))
    builds = {r.version.build for r in releases}
    assert not builds & {97000, 98000, 99000}


def test_source_names_the_page_and_the_heading() -> None:
    releases = parse_whats_new_html((FIXTURES / "whats_new_49000.html").read_bytes(), source="https://x/whats-new")
    by_build = {r.version.build: r for r in releases}
    assert by_build[49000].source == (
        'https://x/whats-new, section "What\'s new in the License Server version 11.17.2 build 49000"'
    )
    assert "What's new in the License Server 11.16.6 build 34000" in by_build[34000].source


def test_seed_004_markdown_export_yields_the_same_dates() -> None:
    text = (FIXTURES / "whats_new_export_004.md").read_text(encoding="utf-8")
    assert as_dates(parse_whats_new_html(text)) == SEED_004_DATES
    assert as_dates(parse_whats_new_text(text.encode("utf-8"))) == SEED_004_DATES


def test_page_with_new_builds() -> None:
    releases = parse_whats_new_html((FIXTURES / "whats_new_new_builds.html").read_bytes())
    assert as_dates(releases) == {
        "11.17.2 build 49000": "2024-08-12",
        "11.17.2 build 51000": "2024-12-12",
        "11.17.2 build 52000": "2025-09-15",  # "Sept 15, 2025"
        "11.17.2 build 53000": "2026-02-03",  # "Feb 03, 2026"
    }


def test_malformed_html_yields_nothing() -> None:
    assert parse_whats_new_html((FIXTURES / "malformed.html").read_bytes()) == []


@pytest.mark.parametrize(
    ("snippet", "version", "released"),
    [
        (
            "## **What's new in the License Server version 11.17.2 build 49000**\n\nRelease date: Aug 12, 2024",
            "11.17.2 build 49000",
            "2024-08-12",
        ),
        (
            "### What\u2019s new in the License Server version 11.17.2 build 42000\n\nRelease date: February 01, 2023",
            "11.17.2 build 42000",
            "2023-02-01",
        ),
        (
            "<h2>What&#8217;s&nbsp;new in the License&nbsp;Server version 11.17.2 build 45000</h2>"
            "<p>Release date:&nbsp;December 07, 2023</p>",
            "11.17.2 build 45000",
            "2023-12-07",
        ),
        (
            "<h3><strong>What's new</strong> in the <em>License Server</em> version <span>11.17.2.0</span> "
            "build 46000</h3><div><p><b>Release date</b>: Feb. 19, 2024</p></div>",
            "11.17.2 build 46000",
            "2024-02-19",
        ),
        (
            "<h2>What's new in the License Server version 11.17.2 build 44000</h2><p>Release date:<br/>Jul 26 2023</p>",
            "11.17.2 build 44000",
            "2023-07-26",
        ),
        (
            "<p><strong>What's new in the License Server version 11.17.2 build 36000</strong> Release date: "
            "Sept 16, 2021</p>",
            "11.17.2 build 36000",
            "2021-09-16",
        ),
        (
            "**What's new in the License Server 11.16.6 build 34000**\nRelease date: March 17th, 2021",
            "11.16.6 build 34000",
            "2021-03-17",
        ),
    ],
)
def test_heading_and_date_tolerate_markup_noise(snippet: str, version: str, released: str) -> None:
    assert as_dates(parse_whats_new_html(snippet)) == {version: released}


@pytest.mark.parametrize(
    "snippet",
    [
        # A heading without a date must not borrow the next section's date.
        "## What's new in the License Server version 11.17.2 build 50000\nNotes\n"
        "## What's new in the License Server version 11.17.2 build 49000\nRelease date: Aug 12, 2024",
        # A date too far below the heading does not belong to it.
        "## What's new in the License Server version 11.17.2 build 50000\n"
        + "\n".join(f"paragraph {i}" for i in range(6))
        + "\nRelease date: Aug 12, 2024\n## What's new in the License Server version 11.17.2 build 49000\n"
        "Release date: Aug 12, 2024",
        # Impossible or unknown dates are skipped, not guessed.
        "## What's new in the License Server version 11.17.2 build 50000\nRelease date: February 30, 2024\n"
        "## What's new in the License Server version 11.17.2 build 49000\nRelease date: Aug 12, 2024",
        "## What's new in the License Server version 11.17.2 build 50000\nRelease date: Smarch 3, 2024\n"
        "## What's new in the License Server version 11.17.2 build 49000\nRelease date: Aug 12, 2024",
        # "Fixed issues" headings are not release headings.
        "## Fixed issues in License Server version 11.17.2 build 50000\nRelease date: Aug 30, 2024\n"
        "## What's new in the License Server version 11.17.2 build 49000\nRelease date: Aug 12, 2024",
    ],
)
def test_only_the_dated_heading_counts(snippet: str) -> None:
    assert as_dates(parse_whats_new_html(snippet)) == {"11.17.2 build 49000": "2024-08-12"}


def test_a_build_listed_twice_keeps_its_first_date() -> None:
    text = (
        "## What's new in the License Server version 11.17.2 build 49000\nRelease date: Aug 12, 2024\n"
        "## What's new in the License Server version 11.17.2 build 49000\nRelease date: Aug 13, 2024\n"
    )
    assert as_dates(parse_whats_new_html(text)) == {"11.17.2 build 49000": "2024-08-12"}


def test_html_bytes_use_the_declared_charset() -> None:
    page = (
        '<html><head><meta charset="windows-1252"></head><body>'
        "<h2>What\u2019s new in the License Server version 11.17.2 build 49000</h2>"
        "<p>Release date: Aug 12, 2024</p></body></html>"
    ).encode("cp1252")
    assert as_dates(parse_whats_new_html(page)) == {"11.17.2 build 49000": "2024-08-12"}


@pytest.mark.parametrize("content", ["", "   \n", b"", "plain text without headings", "<html></html>"])
def test_empty_or_headless_content_yields_nothing(content: str | bytes) -> None:
    assert parse_whats_new_html(content) == []


@pytest.mark.parametrize("content", [None, 42, ["<h2>"]])
def test_html_parser_rejects_non_text(content: object) -> None:
    with pytest.raises(InputError, match="expected HTML text or bytes"):
        parse_whats_new_html(content)  # type: ignore[arg-type]


@settings(max_examples=200, deadline=None)
@given(
    st.one_of(
        st.text(max_size=400),
        st.binary(max_size=400),
        st.lists(
            st.sampled_from(
                [
                    "<h2>",
                    "</h2>",
                    "<p>",
                    "<br>",
                    "<script>",
                    "&nbsp;",
                    "**",
                    "## ",
                    "What's new in the License Server version 11.17.2 build 4",
                    "Release date: ",
                    "Aug 12, 2024",
                    "February 30, 2024",
                    "\n",
                    "\x00",
                    "<?xml version='1.0' encoding='utf-8'?>",
                ]
            ),
            max_size=30,
        ).map("".join),
    )
)
def test_html_parser_raises_only_input_error(content: str | bytes) -> None:
    try:
        releases = parse_whats_new_html(content)
    except InputError:
        return
    assert all(isinstance(r, Release) for r in releases)


# ---------------------------------------------------------------------------------------------
# Mirrors and structured data
# ---------------------------------------------------------------------------------------------


def test_json_mirror() -> None:
    releases = parse_mirror((FIXTURES / "mirror.json").read_text(encoding="utf-8"), "json", source="https://m/x.json")
    assert as_dates(releases) == {
        "11.17.2 build 49000": "2024-08-12",
        "11.17.2 build 51000": "2024-12-12",
        "11.17.2 build 52000": "2025-09-15",
    }
    assert all(r.date_precision == "day" for r in releases)


def test_yaml_mirror_defaults_and_month_forms() -> None:
    releases = parse_mirror((FIXTURES / "mirror.yaml").read_bytes(), "yaml", source="https://m/x.yaml")
    by_build = {r.version.build: r for r in releases}
    assert by_build[51000].date_precision == "month"
    assert by_build[51000].released == date(2024, 12, 1)
    assert by_build[52000].released == date(2025, 9, 15)  # unquoted YAML date
    assert by_build[52000].date_precision == "day"
    assert by_build[53000].released == date(2026, 2, 1)  # "2026-02" -> month precision
    assert by_build[53000].date_precision == "month"
    assert by_build[53000].source == "https://m/x.yaml"  # source defaults to where the data came from


@pytest.mark.parametrize(
    ("text", "fmt", "message"),
    [
        ('{"releases": [', "json", r"not valid JSON \(line 1"),
        ("releases: [a, b", "yaml", "not valid YAML"),
        ("[]", "json", "must be a mapping with a 'releases' list"),
        ('{"releases": {}}', "json", "'releases' must be a list"),
        ('{"releases": ["x"]}', "json", r"releases\[0\] must be a mapping"),
        ('{"releases": [{"version": "banana", "released": "2024-01-01"}]}', "json", "Cannot parse.*'banana'"),
        ('{"releases": [{"version": 5, "released": "2024-01-01"}]}', "json", "must be a string"),
        ('{"releases": [{"version": "11.17.2.0", "released": "2024-01-01"}]}', "json", "has no build number"),
        ('{"releases": [{"version": "11.17.2 build 1", "released": "2024-13-01"}]}', "json", "is not a date"),
        ('{"releases": [{"version": "11.17.2 build 1", "released": "Dec 2024"}]}', "json", "is not a date"),
        ('{"releases": [{"version": "11.17.2 build 1"}]}', "json", "None is not a date"),
        (
            '{"releases": [{"version": "11.17.2 build 1", "released": "2024-12-01", "date_precision": "week"}]}',
            "json",
            "date_precision 'week'",
        ),
        (
            '{"releases": [{"version": "11.17.2 build 1", "released": "2024-12-05", "date_precision": "month"}]}',
            "json",
            "first day of the month",
        ),
        (
            '{"releases": [{"version": "11.17.2 build 1", "released": "2024-12", "date_precision": "day"}]}',
            "json",
            "names a month only; set date_precision: month",
        ),
        (
            '{"releases": [{"version": "11.17.2 build 1", "released": "2024-12-01", "source": ""}]}',
            "json",
            "source '' must be a non-empty string",
        ),
        (
            '{"releases": [{"version": "11.17.2 build 1", "released": "2024-12-01"},'
            ' {"version": "11.17.2.0 build 1", "released": "2024-12-02"}]}',
            "json",
            r"releases\[1\]: version 11.17.2 build 1 is already listed at releases\[0\]",
        ),
    ],
)
def test_mirror_errors_name_the_entry_and_the_problem(text: str, fmt: str, message: str) -> None:
    with pytest.raises(InputError, match=message) as err:
        parse_mirror(text, fmt, source="https://m/list")
    assert "https://m/list" in str(err.value)


def test_mirror_format_must_be_known() -> None:
    with pytest.raises(InputError, match="Mirror format 'xml'"):
        parse_mirror("{}", "xml")


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=200), st.sampled_from(["json", "yaml"]))
def test_mirror_parser_raises_only_input_error(text: str, fmt: str) -> None:
    with contextlib.suppress(InputError):
        parse_mirror(text, fmt)


def test_catalog_from_data_sorts_and_records_origin() -> None:
    data = {
        "releases": [
            {"version": "11.17.2 build 49000", "released": "2024-08-12", "source": "a"},
            {"version": "11.16.6 build 34000", "released": "2021-03-17", "source": "b"},
        ]
    }
    catalog = catalog_from_data(data, origin="shipped")
    assert [str(r.version) for r in catalog.releases] == ["11.16.6 build 34000", "11.17.2 build 49000"]
    assert catalog.origin == "shipped"
    assert catalog.fetched_at is None
    assert catalog.to_dict()["releases"][1] == {
        "version": "11.17.2 build 49000",
        "released": "2024-08-12",
        "source": "a",
        "date_precision": "day",
    }


def test_releases_from_data_accepts_date_objects() -> None:
    releases = releases_from_data(
        {"releases": [{"version": "11.17.2 build 1", "released": datetime(2024, 1, 2, 3, 4)}]}, where="x"
    )
    assert releases[0].released == date(2024, 1, 2)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"released": datetime(2024, 1, 1)}, "must be a date"),
        ({"date_precision": "year"}, "date_precision 'year'"),
        ({"released": date(2024, 12, 2), "date_precision": "month"}, "first day of the month"),
        ({"version": parse_ls_version("11.17.2.0")}, "with a build number"),
    ],
)
def test_release_validates_itself(kwargs: dict[str, object], message: str) -> None:
    fields: dict[str, object] = {
        "version": parse_ls_version("11.17.2 build 1"),
        "released": date(2024, 12, 1),
        "source": "s",
        "date_precision": "day",
    }
    fields.update(kwargs)
    with pytest.raises(InputError, match=message):
        Release(**fields)  # type: ignore[arg-type]


# ---------------------------------------------------------------------------------------------
# merge / newest / staleness
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("shipped", "fetched", "expected", "conflict_count"),
    [
        # Only in one list: union.
        ([rel("11.17.2 build 49000", "2024-08-12")], [rel("11.17.2 build 52000", "2025-09-15")], None, 0),
        # A fetched exact date beats a shipped month-precision date in the same month.
        (
            [rel("11.17.2 build 51000", "2024-12-01", "month")],
            [rel("11.17.2 build 51000", "2024-12-12")],
            ("2024-12-12", "day"),
            0,
        ),
        # A fetched month-precision date does not overwrite a shipped exact date in that month.
        (
            [rel("11.17.2 build 51000", "2024-12-12")],
            [rel("11.17.2 build 51000", "2024-12-01", "month")],
            ("2024-12-12", "day"),
            0,
        ),
        # Different dates: conflict, the fetched one is kept and reported.
        (
            [rel("11.17.2 build 49000", "2024-08-12")],
            [rel("11.17.2 build 49000", "2024-08-20")],
            ("2024-08-20", "day"),
            1,
        ),
        # Month precision in a different month is a conflict too.
        (
            [rel("11.17.2 build 51000", "2024-12-01", "month")],
            [rel("11.17.2 build 51000", "2025-01-09")],
            ("2025-01-09", "day"),
            1,
        ),
        # Same date: no conflict.
        (
            [rel("11.17.2 build 49000", "2024-08-12")],
            [rel("11.17.2 build 49000", "2024-08-12")],
            ("2024-08-12", "day"),
            0,
        ),
    ],
)
def test_merge_rules(
    shipped: list[Release], fetched: list[Release], expected: tuple[str, str] | None, conflict_count: int
) -> None:
    merged, conflicts = merge_with_conflicts(shipped, fetched)
    assert len(conflicts) == conflict_count
    assert merge(shipped, fetched) == merged
    assert [r.version for r in merged] == sorted({r.version for r in shipped + fetched})
    if expected is not None:
        (only,) = merged
        assert (only.released.isoformat(), only.date_precision) == expected


def test_conflict_message_names_both_dates_and_sources() -> None:
    _dummy, conflicts = merge_with_conflicts(
        [rel("11.17.2 build 49000", "2024-08-12", source="seed 004")],
        [rel("11.17.2 build 49000", "2024-08-20", source="https://mirror")],
    )
    assert conflicts == [
        "Release 11.17.2 build 49000: the fetched date 2024-08-20 (https://mirror) differs from the shipped "
        "date 2024-08-12 (seed 004); using the fetched date."
    ]


def test_newest() -> None:
    catalog = Catalog((rel("11.17.2 build 51000", "2024-12-01", "month"), rel("11.17.2 build 49000", "2024-08-12")))
    assert str(newest(catalog).version) == "11.17.2 build 51000"
    assert newest(Catalog(())) is None


@pytest.mark.parametrize(
    ("as_of", "stale", "age"),
    [
        ("2025-05-30", False, 180),  # exactly max_age_days old: still fresh
        ("2025-05-31", True, 181),
        ("2024-12-01", False, 0),
        ("2024-11-30", False, 110),  # 51000 not yet released: 49000 (2024-08-12) is the newest then
    ],
)
def test_staleness_boundaries(as_of: str, stale: bool, age: int) -> None:
    catalog = Catalog((rel("11.17.2 build 51000", "2024-12-01", "month"), rel("11.17.2 build 49000", "2024-08-12")))
    verdict = staleness(catalog, date.fromisoformat(as_of), 180)
    assert verdict["stale"] is stale
    assert verdict["age_days"] == age
    assert verdict["max_age_days"] == 180
    assert ("cannot exclude a newer release" in verdict["message"]) is stale


def test_staleness_message_for_a_stale_catalog() -> None:
    catalog = Catalog(
        (rel("11.17.2 build 51000", "2024-12-01", "month"),),
        fetched_at=datetime(2025, 1, 1, tzinfo=UTC),
        origin="shipped+cache:https://x",
    )
    verdict = staleness(catalog, TODAY, 180)
    assert verdict == {
        "stale": True,
        "newest_release": "11.17.2 build 51000",
        "newest_release_date": "2024-12-01",
        "complete_through": "2025-01-01",  # the last fetch proves more than the newest release
        "complete_through_basis": "fetched",
        "max_age_days": 180,
        "age_days": 690,
        "message": verdict["message"],
    }
    for part in ("shipped+cache:https://x", "2025-01-01T00:00:00+00:00", "month precision", "690 days", "catalog_url",
                 "unknown, not current"):
        assert part in verdict["message"]


def test_staleness_right_after_a_successful_refresh_is_fresh_and_says_so() -> None:
    """Issue 13: the stale text said "newer builds probably exist" right after a successful refresh."""
    catalog = Catalog(
        (rel("11.17.2 build 51000", "2024-12-01", "month"),),
        fetched_at=datetime(2026, 12, 2, 6, 0, tzinfo=UTC),
        origin="shipped+fetched:https://x",
    )
    verdict = staleness(catalog, date(2026, 12, 2), 180)
    assert verdict["stale"] is False
    assert verdict["age_days"] == 0
    assert verdict["complete_through"] == "2026-12-02"
    assert "probably" not in verdict["message"]
    assert "is fresh" in verdict["message"]
    assert "Releases published up to the refresh are known" in verdict["message"]


def test_complete_through_takes_the_later_of_newest_release_and_fetch() -> None:
    catalog = Catalog((rel("11.17.2 build 49000", "2024-08-12"),), fetched_at=datetime(2024, 6, 1))
    assert complete_through(catalog, date(2025, 1, 1)) == (date(2024, 8, 12), "newest_release")
    later = Catalog(catalog.releases, fetched_at=datetime(2025, 2, 1))
    assert complete_through(later, date(2025, 3, 1)) == (date(2025, 2, 1), "fetched")
    assert complete_through(later, date(2025, 1, 15)) == (date(2025, 1, 15), "fetched")  # never after as_of
    assert complete_through(Catalog(()), date(2025, 1, 1)) == (None, "none")


def test_staleness_of_an_empty_catalog() -> None:
    verdict = staleness(Catalog(()), date(2026, 1, 1), 180)
    assert verdict["stale"] is True
    assert verdict["newest_release"] is None
    assert "cannot show that any server is current" in verdict["message"]


@pytest.mark.parametrize(
    ("as_of", "max_age"), [("2026-01-01", -1), ("2026-01-01", True), ("2026-01-01", 1.5), ("x", 1)]
)
def test_staleness_rejects_bad_arguments(as_of: str, max_age: object) -> None:
    when = date.fromisoformat(as_of) if as_of != "x" else as_of
    with pytest.raises(InputError):
        staleness(Catalog(()), when, max_age)  # type: ignore[arg-type]
