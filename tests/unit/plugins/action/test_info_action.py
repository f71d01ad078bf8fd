# Copyright: (c) 2026, ctxlic maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The info action plugin on a fake host that answers ``collect`` with a collection recorded from a lab host."""

from __future__ import annotations

from fake_host import FakeHost, recorded_collect

LAS = {"registered": True, "activated": True, "mode": "online", "last_contact": "2026-11-21"}


def server() -> FakeHost:
    return FakeHost(collect=recorded_collect("ls01"))


def test_one_collection_makes_the_record_and_nothing_changes(run_action, tmp_path) -> None:
    host = server()
    result = run_action("info", {"catalog_cache": str(tmp_path / "none.json")}, host, diff=True)
    assert not result.get("failed"), result.get("msg")
    assert result["changed"] is False and "diff" not in result
    assert host.log == [("collect", (None, 1048576))]
    assert result["backend"] == "fake"
    record = result["server"]
    assert record["host"] == "ls1.example.test"
    # What the lab host held when it was recorded (tests/fixtures/collect/README.md).
    assert record["version"]["text"] == "11.17.2.0 build 45000" and record["hostname"] == "LS01"
    assert record["reporting_mode"] == "manual" and record["pending_uploads"]["count"] == 2
    assert [f["name"] for f in record["licenses"]["files"]] == ["FID_ctxlic_cvad.lic", "citrix_startup.lic"]
    assert record["window"]["status"] != "unknown"  # the shipped catalog was given


def test_check_mode_collects_the_same_record(run_action, tmp_path) -> None:
    args = {"catalog_cache": str(tmp_path / "none.json"), "max_file_bytes": 4096, "install_dir": r"D:\Licensing"}
    host = server()
    result = run_action("info", args, host, check_mode=True)
    assert result["changed"] is False and host.changes() == []
    assert host.log == [("collect", (r"D:\Licensing", 4096))]


def test_a_relative_catalog_cache_is_read_from_the_playbook_directory(run_action, tmp_path) -> None:
    play = tmp_path / "play"
    play.mkdir()
    (play / "catalog.json").write_text("not json", encoding="utf-8")
    result = run_action("info", {"catalog_cache": "catalog.json"}, server(), basedir=play)
    assert not result.get("failed"), result.get("msg")
    assert any(str(play / "catalog.json") in w and "not valid JSON" in w for w in result["warnings"]), result


def test_the_las_host_variable_and_the_cluster_access_point_reach_the_record(run_action, tmp_path) -> None:
    result = run_action("info", {"catalog_cache": str(tmp_path / "none.json")}, server(),
                        task_vars={"ctxlic_las": LAS, "ctxlic_cluster_access_point": "lscluster.example.test"})
    assert not result.get("failed"), result.get("msg")
    assert result["server"]["cluster_access_point"] == "lscluster.example.test"
    assert result["server"]["licensing"]["las"]["registered"] is True


def test_bad_input_fails_before_the_host_is_touched(run_action) -> None:
    for args, words in (
        ({"las": {"registered": "maybe"}}, "las"),
        ({"catalog_cache": ""}, "empty path"),
        ({"cluster_access_point": "bad name!"}, "cluster_access_point"),
        ({"bogus": 1}, "bogus"),
    ):
        result = run_action("info", args, None)
        assert result["failed"] is True and words in result["msg"], (args, result)
