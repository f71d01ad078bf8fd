# Copyright: (c) 2026, ctxlic maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The upgrade_window action plugin: controller only (the host is never asked), the verdict, the cache path."""

from __future__ import annotations

from datetime import UTC, datetime

from ansible_collections.ctxlic.license_server.plugins.plugin_utils._store import catalog as catalog_store

OLD = "11.17.2.0 build 45000"


def test_an_old_version_is_overdue_and_fail_on_fails_the_task(run_action) -> None:
    args = {"installed_version": OLD, "as_of": "2026-12-01", "catalog_cache": ""}
    result = run_action("upgrade_window", args, None, diff=True)  # None: asking for the host fails the test
    assert not result.get("failed"), result.get("msg")
    assert result["changed"] is False and result["window"]["status"] == "overdue"
    assert result["msg"] == result["window"]["message"] and "diff" not in result
    failed = run_action("upgrade_window", {**args, "fail_on": "overdue"}, None)
    assert failed["failed"] is True
    assert failed["msg"].startswith("Upgrade window check failed (fail_on=overdue)")


def test_check_mode_gives_the_same_verdict(run_action) -> None:
    args = {"installed_version": OLD, "as_of": "2026-12-01", "catalog_cache": ""}
    assert (run_action("upgrade_window", args, None, check_mode=True)["window"]
            == run_action("upgrade_window", args, None)["window"])


def test_an_empty_catalog_cache_means_no_cache(run_action, tmp_path) -> None:
    result = run_action("upgrade_window", {"installed_version": OLD, "as_of": "2026-12-01", "catalog_cache": ""},
                        None, basedir=tmp_path)
    assert not result.get("failed"), result.get("msg")
    assert result["catalog"]["origin"] == catalog_store.load_shipped().origin
    assert list(tmp_path.iterdir()) == []


def test_a_relative_catalog_cache_is_read_from_the_playbook_directory(run_action, tmp_path) -> None:
    play = tmp_path / "play"
    play.mkdir()
    shipped = catalog_store.load_shipped()
    fetched = datetime(2026, 11, 30, 6, 0, tzinfo=UTC)
    catalog_store.save_cache(play / "catalog.json", shipped.releases, fetched, "https://mirror.example.test/rel.json")
    result = run_action("upgrade_window", {"installed_version": OLD, "as_of": "2026-12-01",
                                           "catalog_cache": "catalog.json"}, None, basedir=play)
    assert not result.get("failed"), result.get("msg")
    assert result["catalog"]["origin"] == "shipped+cache:https://mirror.example.test/rel.json"
    assert result["catalog"]["fetched_at"] == fetched.isoformat()


def test_bad_input_fails(run_action) -> None:
    for args, words in (
        ({"installed_version": "eleven", "catalog_cache": ""}, "eleven"),
        ({"installed_version": OLD, "as_of": "someday", "catalog_cache": ""}, "someday"),
        ({"installed_version": OLD, "fail_on": "always"}, "fail_on"),
        ({"installed_version": OLD, "ca_bundle": ""}, "empty path"),
        ({}, "installed_version"),
    ):
        result = run_action("upgrade_window", args, None)
        assert result["failed"] is True and words in result["msg"], (args, result)
