# Copyright: (c) 2026, ctxlic maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Tests for plugin_utils._server.upgrade_window: six calendar months, the floor, boundary days."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ansible_collections.ctxlic.license_server.plugins.plugin_utils._store.catalog import load_shipped
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._common.errors import InputError
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._server.version import parse_ls_version
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._server.release_catalog import (
    Catalog,
    Release,
    merge,
)
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._server.upgrade_window import (
    FLOOR,
    FLOOR_DEADLINE,
    add_months,
    evaluate_window,
    fail_decision,
    window_task_result,
)
from clock import TODAY

SHIPPED = load_shipped().releases


def rel(version: str, released: str, precision: str = "day") -> Release:
    return Release(parse_ls_version(version), date.fromisoformat(released), "test", precision)


# 51000 with the exact day a later vendor page might give (fixture whats_new_new_builds.html).
REFINED_51000 = merge(SHIPPED, [rel("11.17.2 build 51000", "2024-12-12")])
NEW_BUILDS = merge(
    SHIPPED,
    [
        rel("11.17.2 build 51000", "2024-12-12"),
        rel("11.17.2 build 52000", "2025-09-15"),
        rel("11.17.2 build 53000", "2026-02-03"),
    ],
)
# A release on the 31st: its deadline is clamped to the end of a shorter month.
MONTH_END = [rel("11.17.2 build 40000", "2022-10-19"), rel("11.17.2 build 60000", "2024-08-31")]


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        ("2024-08-31", 6, "2025-02-28"),
        ("2023-08-31", 6, "2024-02-29"),  # leap year
        ("2024-02-19", 6, "2024-08-19"),
        ("2024-12-01", 6, "2025-06-01"),
        ("2024-08-12", 6, "2025-02-12"),
        ("2024-05-31", 6, "2024-11-30"),
        ("2024-01-31", 1, "2024-02-29"),
        ("2024-03-31", -1, "2024-02-29"),
        ("2024-07-15", 6, "2025-01-15"),
        ("2024-12-31", 0, "2024-12-31"),
        ("2024-12-31", 12, "2025-12-31"),
    ],
)
def test_add_months(start: str, months: int, expected: str) -> None:
    assert add_months(date.fromisoformat(start), months) == date.fromisoformat(expected)


@settings(max_examples=200, deadline=None)
@given(st.dates(min_value=date(1900, 1, 1), max_value=date(2200, 12, 31)), st.integers(-120, 120))
def test_add_months_properties(start: date, months: int) -> None:
    result = add_months(start, months)
    assert (result.year * 12 + result.month) - (start.year * 12 + start.month) == months
    assert result.day <= start.day
    if result.day < start.day:  # clamped: it must be the last day of its month
        assert (result + timedelta(days=1)).day == 1


@pytest.mark.parametrize(("start", "months"), [(date(9999, 12, 1), 1), ("2024-01-01", 1), (date(2024, 1, 1), 1.0)])
def test_add_months_rejects_bad_input(start: Any, months: Any) -> None:
    with pytest.raises(InputError):
        add_months(start, months)


WITHIN, OVERDUE, BELOW = "within_window", "overdue", "below_floor"

# (installed, as_of, releases, status, deadline, days_left, days_overdue, build of required release, due_soon)
WINDOW_TABLE = [
    # 49000 (2024-08-12) is the newest on 2024-09-01: 51000 (December 2024) did not exist yet.
    ("11.17.2 build 49000", "2024-09-01", SHIPPED, "current", None, None, None, None, False),
    # 51000 recorded as 2024-12-01 (month precision, strict reading): deadline 2025-06-01.
    ("11.17.2 build 49000", "2024-12-01", SHIPPED, WITHIN, "2025-06-01", 182, None, 51000, False),
    ("11.17.2 build 49000", "2025-05-02", SHIPPED, WITHIN, "2025-06-01", 30, None, 51000, True),
    ("11.17.2 build 49000", "2025-05-01", SHIPPED, WITHIN, "2025-06-01", 31, None, 51000, False),
    ("11.17.2 build 49000", "2025-06-01", SHIPPED, WITHIN, "2025-06-01", 0, None, 51000, True),
    ("11.17.2 build 49000", "2025-06-02", SHIPPED, OVERDUE, "2025-06-01", None, 1, 51000, False),
    # With the exact day 2024-12-12 the deadline moves to 2025-06-12.
    ("11.17.2 build 49000", "2025-06-02", REFINED_51000, WITHIN, "2025-06-12", 10, None, 51000, True),
    ("11.17.2 build 49000", "2025-06-12", REFINED_51000, WITHIN, "2025-06-12", 0, None, 51000, True),
    ("11.17.2 build 49000", "2025-06-13", REFINED_51000, OVERDUE, "2025-06-12", None, 1, 51000, False),
    # The latest known build is current only while the catalog can exclude a newer release: its newest
    # release (2024-12-01 for the shipped 51000) is at most 180 days old. Issue 13: it is not current today.
    ("11.17.2.0 build 51000", "2025-05-30", SHIPPED, "current", None, None, None, None, False),
    ("11.17.2.0 build 51000", "2025-05-31", SHIPPED, "unknown", None, None, None, None, False),
    ("11.17.2.0 build 51000", "2026-11-22", SHIPPED, "unknown", None, None, None, None, False),
    ("11.17.2.0 build 51000", "2026-12-02", SHIPPED, "unknown", None, None, None, None, False),
    # A known newer release decides however old the catalog is: the oldest unmet one (52000).
    ("11.17.2.0 build 51000", "2026-11-22", NEW_BUILDS, OVERDUE, "2026-03-15", None, 252, 52000, False),
    ("11.17.2.0 build 53000", "2026-08-02", NEW_BUILDS, "current", None, None, None, None, False),
    ("11.17.2.0 build 53000", "2026-08-03", NEW_BUILDS, "unknown", None, None, None, None, False),
    ("11.17.2.0 build 53000", "2026-11-22", NEW_BUILDS, "unknown", None, None, None, None, False),
    # The earliest unmet deadline decides, not the latest release: 46000 (2024-02-19) -> 2024-08-19.
    ("11.17.2 build 45000", "2024-08-19", SHIPPED, WITHIN, "2024-08-19", 0, None, 46000, True),
    ("11.17.2 build 45000", "2024-08-20", SHIPPED, OVERDUE, "2024-08-19", None, 1, 46000, False),
    ("11.17.2 build 45000", "2024-07-20", SHIPPED, WITHIN, "2024-08-19", 30, None, 46000, True),
    ("11.17.2 build 45000", "2024-07-19", SHIPPED, WITHIN, "2024-08-19", 31, None, 46000, False),
    ("11.17.2 build 45000", "2023-12-06", SHIPPED, "current", None, None, None, None, False),
    # The floor: exactly build 40000 is not below it.
    ("11.17.2 build 40000", "2023-03-31", SHIPPED, WITHIN, "2023-06-22", 83, None, 41000, False),
    ("11.17.2 build 39000", "2023-01-01", SHIPPED, BELOW, "2023-03-31", 89, None, 40000, False),
    ("11.17.2 build 39000", "2023-03-31", SHIPPED, BELOW, "2023-03-31", 0, None, 40000, True),
    ("11.17.2 build 39000", "2023-04-01", SHIPPED, BELOW, "2023-03-31", None, 1, 40000, False),
    # Below the floor and already behind a release whose six months ran out first (39000 -> 2022-11-11).
    ("11.17.2 build 37000", "2023-01-01", SHIPPED, BELOW, "2022-11-11", None, 51, 39000, False),
    ("11.16.6 build 34000", "2026-11-22", SHIPPED, BELOW, "2021-12-16", None, 1802, 35000, False),
    # End-of-month clamping: released 2024-08-31 -> deadline 2025-02-28.
    ("11.17.2 build 50000", "2025-02-28", MONTH_END, WITHIN, "2025-02-28", 0, None, 60000, True),
    ("11.17.2 build 50000", "2025-03-01", MONTH_END, OVERDUE, "2025-02-28", None, 1, 60000, False),
    # Versions without a build number.
    ("11.17.2.0", "2025-01-01", SHIPPED, "unknown", None, None, None, None, False),
    ("11.16.6.0", "2025-01-01", SHIPPED, BELOW, "2021-12-16", None, 1112, 35000, False),
    # Newer than everything the catalog lists: the catalog is missing releases, nothing is proven.
    ("11.18.0.0", "2025-01-01", SHIPPED, "unknown", None, None, None, None, False),
    ("12.0.0 build 1", "2026-11-22", NEW_BUILDS, "unknown", None, None, None, None, False),
    ("11.17.2 build 52100", "2025-01-01", SHIPPED, "unknown", None, None, None, None, False),
]


@pytest.mark.parametrize(
    ("installed", "as_of", "releases", "status", "deadline", "days_left", "days_overdue", "required", "due_soon"),
    WINDOW_TABLE,
)
def test_window_table(
    installed: str,
    as_of: str,
    releases: list[Release],
    status: str,
    deadline: str | None,
    days_left: int | None,
    days_overdue: int | None,
    required: int | None,
    due_soon: bool,
) -> None:
    result = evaluate_window(parse_ls_version(installed), releases, date.fromisoformat(as_of), warn_days=30)
    got = (
        result["status"],
        result["deadline"],
        result["days_left"],
        result["days_overdue"],
        (result["required_release"] or {}).get("version"),
        result["due_soon"],
    )
    expected_required = f"11.17.2 build {required}" if required else None
    assert got == (status, deadline, days_left, days_overdue, expected_required, due_soon)
    assert result["past_deadline"] is (days_overdue is not None)
    assert result["as_of"] == as_of
    assert result["message"]


def test_month_precision_is_visible_in_the_result() -> None:
    result = evaluate_window(parse_ls_version("11.17.2 build 49000"), SHIPPED, date(2025, 6, 2))
    assert result["required_release"]["date_precision"] == "month"
    assert result["required_release"]["released"] == "2024-12-01"
    assert "Citrix licensing telemetry and compliance status" in result["required_release"]["source"]
    assert "month only" in result["message"]


def test_result_shape() -> None:
    result = evaluate_window(parse_ls_version("11.17.2.0 build 45000"), SHIPPED, date(2024, 9, 1))
    assert result == {
        "status": "overdue",
        "installed": "11.17.2 build 45000",
        "installed_version": parse_ls_version("11.17.2.0 build 45000").to_dict(),
        "as_of": "2024-09-01",
        "deadline": "2024-08-19",
        "days_left": None,
        "days_overdue": 13,
        "past_deadline": True,
        "due_soon": False,
        "warn_days": 30,
        "latest": "11.17.2 build 49000",
        "latest_date": "2024-08-12",
        "required_release": result["required_release"],
        "newer_releases": ["11.17.2 build 46000", "11.17.2 build 47000", "11.17.2 build 48000", "11.17.2 build 49000"],
        "floor": "11.17.2 build 40000",
        "floor_deadline": "2023-03-31",
        "unknown_reason": None,
        "catalog_complete_through": "2024-08-12",
        "catalog_max_age_days": 180,
        "message": (
            "Installed 11.17.2 build 45000 is behind: 11.17.2 build 46000 released 2024-02-19 had to be installed "
            "within 6 months; the deadline 2024-08-19 passed 13 day(s) ago. Latest known release: 11.17.2 build 49000."
        ),
    }


def test_floor_constants_come_from_the_seeds() -> None:
    assert str(FLOOR) == "11.17.2 build 40000"
    assert date(2023, 3, 31) == FLOOR_DEADLINE


def test_below_floor_with_an_empty_catalog_still_has_the_floor_deadline() -> None:
    result = evaluate_window(parse_ls_version("11.17.2 build 39000"), [], date(2023, 4, 1))
    assert (result["status"], result["deadline"], result["days_overdue"]) == ("below_floor", "2023-03-31", 1)
    assert result["required_release"]["version"] == "11.17.2 build 40000"
    assert result["latest"] is None
    assert "older than the floor" in result["message"]


def test_earliest_deadline_wins_even_when_dates_do_not_follow_build_order() -> None:
    releases = [rel("11.17.2 build 50000", "2025-01-10"), rel("11.17.2 build 51000", "2024-12-01", "month")]
    result = evaluate_window(parse_ls_version("11.17.2 build 49000"), releases, date(2025, 3, 1))
    assert (result["deadline"], result["required_release"]["version"]) == ("2025-06-01", "11.17.2 build 51000")
    assert result["latest"] == "11.17.2 build 51000"


def test_warn_days_zero_flags_only_the_deadline_day() -> None:
    installed = parse_ls_version("11.17.2 build 45000")
    assert evaluate_window(installed, SHIPPED, date(2024, 8, 19), warn_days=0)["due_soon"] is True
    assert evaluate_window(installed, SHIPPED, date(2024, 8, 18), warn_days=0)["due_soon"] is False


@pytest.mark.parametrize(
    ("installed", "releases", "as_of", "warn_days", "message"),
    [
        ("11.17.2 build 1", SHIPPED, date(2025, 1, 1), 30, "must be a parsed"),
        (parse_ls_version("11.17.2 build 1"), SHIPPED, "2025-01-01", 30, "must be a date"),
        (parse_ls_version("11.17.2 build 1"), SHIPPED, date(2025, 1, 1), -1, "warn_days"),
        (parse_ls_version("11.17.2 build 1"), SHIPPED, date(2025, 1, 1), True, "warn_days"),
        (parse_ls_version("11.17.2 build 1"), ["11.17.2 build 2"], date(2025, 1, 1), 30, "Release objects"),
    ],
)
def test_evaluate_window_rejects_bad_arguments(
    installed: Any, releases: Any, as_of: Any, warn_days: Any, message: str
) -> None:
    with pytest.raises(InputError, match=message):
        evaluate_window(installed, releases, as_of, warn_days)


def test_evaluate_window_accepts_a_datetime_as_of() -> None:
    result = evaluate_window(parse_ls_version("11.17.2 build 45000"), SHIPPED, datetime(2024, 8, 19, 23, 59))
    assert result["days_left"] == 0


def window(status: str, *, past: bool = False, due_soon: bool = False) -> dict[str, Any]:
    return {"status": status, "past_deadline": past, "due_soon": due_soon}


@pytest.mark.parametrize(
    ("result", "fail_on", "unknown_fails", "expected"),
    [
        (window("current"), "overdue", True, False),
        (window("current"), "due_soon", True, False),
        (window("within_window"), "due_soon", True, False),
        (window("within_window", due_soon=True), "due_soon", True, True),
        (window("within_window", due_soon=True), "overdue", True, False),
        (window("overdue", past=True), "overdue", True, True),
        (window("overdue", past=True), "due_soon", True, True),
        (window("overdue", past=True), "never", True, False),
        (window("below_floor", past=True), "overdue", True, True),
        (window("below_floor"), "overdue", True, False),
        (window("below_floor", due_soon=True), "due_soon", True, True),
        (window("unknown"), "overdue", True, True),
        (window("unknown"), "overdue", False, False),
        (window("unknown"), "never", True, False),
    ],
)
def test_fail_decision(result: dict[str, Any], fail_on: str, unknown_fails: bool, expected: bool) -> None:
    assert fail_decision(result, fail_on, unknown_fails=unknown_fails) is expected


@pytest.mark.parametrize(
    ("result", "fail_on"), [(window("current"), "always"), ({"status": "odd"}, "overdue"), (None, "never")]
)
def test_fail_decision_rejects_bad_arguments(result: Any, fail_on: str) -> None:
    with pytest.raises(InputError):
        fail_decision(result, fail_on)


def test_task_result_for_an_overdue_server_with_fail_on_overdue() -> None:
    catalog = Catalog(tuple(SHIPPED), origin="shipped")
    result = window_task_result(
        "11.17.2.0 build 45000", catalog, as_of=date(2024, 9, 1), fail_on="overdue", refresh_warnings=["refresh broke"]
    )
    assert result["failed"] is True
    assert result["changed"] is False
    assert result["msg"].startswith("Upgrade window check failed (fail_on=overdue): Installed 11.17.2 build 45000")
    assert result["window"]["status"] == "overdue"
    assert result["catalog"] == {
        "newest": "11.17.2 build 51000",
        "newest_date": "2024-12-01",
        "newest_date_precision": "month",
        "fetched_at": None,
        "origin": "shipped",
        "stale": False,
        "stale_message": result["catalog"]["stale_message"],
        "age_days": 20,
        "complete_through": "2024-08-12",
        "max_age_days": 180,
        "releases_known": 16,
    }
    assert result["warnings"] == ["refresh broke"]


def test_task_result_for_the_newest_known_build_with_a_stale_catalog_is_unknown() -> None:
    result = window_task_result("11.17.2 build 51000", Catalog(tuple(SHIPPED)), as_of=TODAY)
    assert result["failed"] is False  # fail_on=never
    assert result["window"]["status"] == "unknown"
    assert result["window"]["unknown_reason"] == "catalog_stale"
    assert result["catalog"]["stale"] is True
    assert len(result["warnings"]) == 2
    assert "cannot exclude a newer release" in result["warnings"][0]
    assert "Upgrade window not proven" in result["warnings"][1]
    assert "newer builds probably exist" not in " ".join(result["warnings"])
    strict = window_task_result("11.17.2 build 51000", Catalog(tuple(SHIPPED)), as_of=TODAY,
                                fail_on="overdue")
    assert strict["failed"] is True
    assert "catalog_url" in strict["msg"]


def test_task_result_for_an_unknown_build() -> None:
    result = window_task_result("11.17.2.0", Catalog(tuple(SHIPPED)), as_of=date(2024, 9, 1), fail_on="overdue")
    assert result["failed"] is True
    assert any("no build number" in w for w in result["warnings"])
    relaxed = window_task_result(
        "11.17.2.0", Catalog(tuple(SHIPPED)), as_of=date(2024, 9, 1), fail_on="overdue", unknown_fails=False
    )
    assert relaxed["failed"] is False


@pytest.mark.parametrize(("installed", "fail_on"), [("banana", "never"), ("11.17.2 build 1", "sometimes")])
def test_task_result_rejects_bad_input(installed: str, fail_on: str) -> None:
    with pytest.raises(InputError) as err:
        window_task_result(installed, Catalog(tuple(SHIPPED)), as_of=date(2024, 9, 1), fail_on=fail_on)
    assert repr(installed if installed == "banana" else fail_on) in str(err.value)


# --------------------------------------------------------------------------------------------
# Issue 13: never claim what the catalog cannot prove
# --------------------------------------------------------------------------------------------


def test_done_when_shipped_catalog_does_not_call_build_51000_current_on_2026_12_02() -> None:
    """The shipped catalog, no refresh, build 51000 as of 2026-12-02: neither current nor within_window."""
    result = window_task_result("11.17.2.0 build 51000", load_shipped(), as_of=date(2026, 12, 2))
    window = result["window"]
    assert window["status"] not in ("current", "within_window")
    assert window["status"] == "unknown"
    assert window["unknown_reason"] == "catalog_stale"
    assert window["catalog_complete_through"] == "2024-12-01"
    assert (window["deadline"], window["days_left"]) == (None, None)
    for part in ("not proven", "731 days", "catalog_max_age_days=180", "Refresh the release catalog", "catalog_url"):
        assert part in window["message"]


def test_done_when_a_known_newer_release_decides_deadline_and_days_from_the_oldest_unmet_one() -> None:
    newer = [*SHIPPED, rel("11.17.2 build 52100", "2025-07-10"), rel("11.17.2 build 56200", "2026-08-17")]
    result = evaluate_window(parse_ls_version("11.17.2.0 build 51000"), newer, date(2026, 12, 2))
    assert result["status"] == "overdue"
    assert result["required_release"]["version"] == "11.17.2 build 52100"
    assert result["deadline"] == "2026-01-10"  # 2025-07-10 + 6 months, not 56200's 2027-02-17
    assert result["days_overdue"] == (date(2026, 12, 2) - date(2026, 1, 10)).days
    assert result["unknown_reason"] is None
    assert "11.17.2 build 52100 released 2025-07-10" in result["message"]


def test_a_stale_catalog_does_not_hide_a_provable_within_window_deadline() -> None:
    # The catalog's knowledge is 181 days old, but 51000 is known and its deadline is one day away:
    # any release the catalog missed is newer, so it is due later. within_window is proven.
    result = evaluate_window(parse_ls_version("11.17.2 build 49000"), SHIPPED, date(2025, 5, 31))
    assert (result["status"], result["deadline"], result["days_left"]) == ("within_window", "2025-06-01", 1)


def test_a_successful_fetch_proves_completeness_through_its_day() -> None:
    refreshed = Catalog(tuple(SHIPPED), fetched_at=datetime(2026, 12, 1, 9, 0), origin="shipped+fetched:https://x")
    result = evaluate_window(parse_ls_version("11.17.2 build 51000"), refreshed, date(2026, 12, 2))
    assert result["status"] == "current"
    assert result["catalog_complete_through"] == "2026-12-01"
    assert "complete through 2026-12-01" in result["message"]
    stale_fetch = Catalog(tuple(SHIPPED), fetched_at=datetime(2025, 6, 1), origin="shipped+cache:https://x")
    assert evaluate_window(parse_ls_version("11.17.2 build 51000"), stale_fetch, date(2026, 12, 2))["status"] == (
        "unknown"
    )


def test_installed_build_newer_than_the_catalog_is_unknown_even_with_a_fresh_catalog() -> None:
    refreshed = Catalog(tuple(SHIPPED), fetched_at=datetime(2026, 12, 2), origin="shipped+fetched:https://x")
    result = evaluate_window(parse_ls_version("11.17.2.0 build 56200"), refreshed, date(2026, 12, 2))
    assert (result["status"], result["unknown_reason"]) == ("unknown", "installed_not_catalogued")
    assert "newer than every release the catalog lists" in result["message"]


@pytest.mark.parametrize(("max_age_days", "status"), [(180, "current"), (90, "unknown"), (0, "unknown")])
def test_max_age_days_is_the_threshold_for_current(max_age_days: int, status: str) -> None:
    result = evaluate_window(
        parse_ls_version("11.17.2 build 51000"), SHIPPED, date(2025, 5, 30), max_age_days=max_age_days
    )
    assert result["status"] == status
    assert result["catalog_max_age_days"] == max_age_days


@pytest.mark.parametrize("bad", [-1, True, 1.5, "180"])
def test_max_age_days_must_be_whole_days(bad: Any) -> None:
    with pytest.raises(InputError, match="max_age_days"):
        evaluate_window(parse_ls_version("11.17.2 build 51000"), SHIPPED, date(2025, 5, 30), max_age_days=bad)
