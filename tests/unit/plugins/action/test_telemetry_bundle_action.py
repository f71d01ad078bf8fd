# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The telemetry_bundle action plugin; the server holds the manual-upload zips a lab host wrote (recorded)."""

from __future__ import annotations

import base64
import zipfile
from pathlib import Path

from act2_recorded import recorded, registry_of
from fake_host import FakeHost


def server() -> FakeHost:
    data = recorded("act2_telemetry_zips.json")
    return FakeHost(files={p: base64.b64decode(v) for p, v in data["files"].items()},
                    registry=registry_of({"registry": data["registry"]}))


ZIPS = sorted(recorded("act2_telemetry_zips.json")["files"])
DAY = "2026-11-22"


def bundle(run_action, host, tmp_path: Path, **options):
    check, diff = options.pop("check_mode", False), options.pop("diff", False)
    return run_action("telemetry_bundle", {"dest": str(tmp_path / "t"), "bundle_date": DAY, **options}, host,
                      check_mode=check, diff=diff)


def test_pending_zips_are_fetched_checked_and_bundled(run_action, tmp_path) -> None:
    host = server()
    result = bundle(run_action, host, tmp_path)
    assert result["changed"] is True and not result.get("failed"), result
    assert result["fetched"] == ZIPS and result["deleted"] == [] and result["errors"] == []
    assert sorted(src for b in result["bundles"] for src in b["sources"]) == ZIPS
    for item in result["bundles"]:
        with zipfile.ZipFile(item["path"]) as archive:
            assert archive.testzip() is None and sorted(archive.namelist()) == sorted(item["members"])
    assert Path(result["manifest"]).is_file()
    assert result["msg"].startswith(f"4 pending zip(s) on the server; fetch 4; write {len(result['bundles'])} "
                                    "bundle(s); manifest ")
    assert sorted(args[0] for op, args in host.log if op == "fetch_file") == ZIPS
    assert [sorted(args[0]) for op, args in host.log if op == "stat_files"] == [ZIPS], "one call for all SHA-1s"
    assert "stat" not in host.operations()
    assert host.changes() == []  # without cleanup nothing on the server changes


def test_a_second_run_finds_everything_bundled(run_action, tmp_path) -> None:
    bundle(run_action, server(), tmp_path)
    host = server()
    again = bundle(run_action, host, tmp_path)
    assert again["changed"] is False and again["fetched"] == [] and again["bundles"] == []
    assert sorted(again["already_bundled"]) == ZIPS and "fetch_file" not in host.operations()


def test_cleanup_deletes_only_bundled_zips_and_the_diff_shows_them_gone(run_action, tmp_path) -> None:
    host = server()
    result = bundle(run_action, host, tmp_path, cleanup=True, diff=True)
    assert sorted(result["deleted"]) == ZIPS and not result.get("failed"), result
    removals = [args for op, args in host.changes() if op == "remove_verified"]
    assert len(removals) == 1 and sorted(removals[0][0]) == ZIPS, "one remote call deletes every bundled zip"
    assert not [args for op, args in host.log if op == "remove" and args[0] in ZIPS]
    assert all(host.content(path) is None for path in ZIPS)
    assert result["diff"]["before"] == "".join(f"{p}\n" for p in ZIPS) and result["diff"]["after"] == ""
    assert "delete 4 bundled zip(s) on the server" in result["msg"]


def test_check_mode_changes_nothing_anywhere(run_action, tmp_path) -> None:
    host = server()
    result = bundle(run_action, host, tmp_path, cleanup=True, check_mode=True)
    assert result["changed"] is True and result["fetched"] == ZIPS and sorted(result["deleted"]) == ZIPS
    assert result["msg"].startswith("4 pending zip(s) on the server; would fetch 4; would write")
    assert host.changes() == [] and "fetch_file" not in host.operations()
    assert not any(p.is_file() and p.suffix == ".zip" for p in (tmp_path / "t").rglob("*"))


def test_a_relative_dest_is_taken_from_the_playbook_directory(run_action, tmp_path) -> None:
    result = run_action("telemetry_bundle", {"dest": "telemetry", "bundle_date": DAY}, server(), basedir=tmp_path)
    assert result["manifest"].startswith(str(tmp_path / "telemetry") + "/"), result["manifest"]


def test_bad_input_fails_before_the_host_is_touched(run_action, tmp_path) -> None:
    result = bundle(run_action, None, tmp_path, max_bundle_bytes=0)
    assert result["failed"] is True and "max_bundle_bytes=0" in result["msg"]
    result = bundle(run_action, None, tmp_path, bundle_date="22.11.2026")
    assert result["failed"] is True and "is not a date" in result["msg"]
    assert not (tmp_path / "t").exists()


def test_cleanup_keeps_a_zip_whose_content_changed_and_reports_one_it_could_not_delete(run_action, tmp_path) -> None:
    bundle(run_action, server(), tmp_path)  # everything bundled and verified, nothing deleted yet
    host = server()
    changed, locked = ZIPS[0], ZIPS[1]
    original = host.content(changed)
    real_remove = host.remove_verified

    def rewritten_in_between(files):
        host._store(changed, b"Z" * len(original))  # the License Server rewrote it after the listing
        return real_remove(files)

    host.remove_verified = rewritten_in_between
    host.fail_removal = {locked}
    result = bundle(run_action, host, tmp_path, cleanup=True)
    assert sorted(result["deleted"]) == sorted(ZIPS[2:]), result
    assert host.content(changed) == b"Z" * len(original) and host.content(locked) is not None
    assert result["failed"] is True and len(result["errors"]) == 1
    assert result["errors"][0].startswith(f"{locked}: could not delete it (The process cannot access the file")
    assert any(changed in w and "no longer the one bundled" in w for w in result.get("warnings", [])), result
    assert [op for op in host.operations() if op == "remove_verified"] == ["remove_verified"]
    assert not [args for op, args in host.log if op == "remove" and args[0] in ZIPS]
