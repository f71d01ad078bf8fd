# Copyright: (c) 2026, ctxlic maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""license_backup_plan: which MyFiles files are kept, the manifest rules, and the allocations to return."""

from __future__ import annotations

import datetime
import hashlib
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ansible_collections.ctxlic.license_server.plugins.plugin_utils._license import backup_plan as plan
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._common.errors import CtxlicError, InputError
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._license.license_parser import parse_license_file
from clock import TODAY

FIXTURES = Path(__file__).resolve().parents[3] / "fixtures" / "license_files"
NOW = datetime.datetime(2026, 11, 22, 3, 4, 5, tzinfo=datetime.UTC)
SHA_A = "a" * 64
SHA_B = "b" * 64


def report(name: str, fixture: str | None = None):
    return parse_license_file(name, (FIXTURES / (fixture or name)).read_bytes(), today=TODAY)


def entry(name: str, sha256: str = SHA_A, size: int = 10, sha1: str = "1" * 40) -> dict:
    return {"name": name, "server_path": rf"C:\L\MyFiles\{name}", "size": size, "sha1": sha1, "sha256": sha256,
            "mtime": None, "fetched_at": "2026-11-01T00:00:00Z"}


# -- which files ------------------------------------------------------------------------------------
@pytest.mark.parametrize(("names", "extra", "selected"), [
    (["FID_a.lic", "citrix_startup.lic", "CITRIX.opt", "notes.txt", "FID_b.lic.txt"], [],
     ["CITRIX.opt", "FID_a.lic", "citrix_startup.lic"]),
    (["UPPER.LIC", "citrix.OPT", "x.old"], [], ["UPPER.LIC", "citrix.OPT"]),  # any case: still an allocation
    (["x.old", "y.OLD", "z.bak"], ["*.old"], ["x.old", "y.OLD"]),
    ([], [], []),
])
def test_select_files(names, extra, selected):
    assert plan.select_files(names, extra) == (selected, [])


@pytest.mark.parametrize("name", [".hidden.lic", "a:b.lic", "a\x00.lic", "a\\b.lic"])
def test_names_unsafe_on_the_controller_are_reported_not_copied(name):
    selected, problems = plan.select_files([name, "ok.lic"])
    assert selected == ["ok.lic"]
    assert len(problems) == 1 and "copy it by hand" in problems[0]


@pytest.mark.parametrize("patterns", ["*.old", [""], ["dir/*.lic"], [3], {"a": 1}])
def test_bad_extra_patterns_are_refused(patterns):
    with pytest.raises(InputError, match="extra_patterns"):
        plan.select_files(["a.lic"], patterns)


def test_myfiles_dir():
    assert plan.myfiles_dir("D:\\Citrix\\Licensing\\") == r"D:\Citrix\Licensing\MyFiles"
    with pytest.raises(InputError):
        plan.myfiles_dir("")


# -- manifest ---------------------------------------------------------------------------------------
def test_check_manifest_accepts_its_own_and_refuses_others():
    good = plan.record_copy(plan.empty_manifest("ls01", r"C:\L"), {**entry("a.lic"), "server_path": "x"}, when=NOW)
    assert plan.check_manifest(good, "m.json") == good
    for bad in ({}, {"version": 2}, {**good, "files": "x"}, {**good, "files": [{"name": "a.lic"}]},
                {**good, "files": [entry("a.lic"), entry("a.lic")]},
                {**good, "files": [entry("../a.lic")]}, {**good, "files": [entry("a.lic", sha256="xyz")]}):
        with pytest.raises(CtxlicError, match=r"m\.json"):
            plan.check_manifest(bad, "m.json")


@pytest.mark.parametrize(("server", "recorded", "local", "action"), [
    # never backed up -> fetch
    ({"size": 10, "sha1": "1" * 40}, None, None, "fetch"),
    # copy matches manifest and server -> keep
    ({"size": 10, "sha1": "1" * 40}, entry("a.lic"), {"size": 10, "sha1": "1" * 40, "sha256": SHA_A}, "keep"),
    # server has no checksum: size decides
    ({"size": 10, "sha1": None}, entry("a.lic"), {"size": 10, "sha1": "1" * 40, "sha256": SHA_A}, "keep"),
    # the server's file changed -> replace (the old copy is kept)
    ({"size": 10, "sha1": "2" * 40}, entry("a.lic"), {"size": 10, "sha1": "1" * 40, "sha256": SHA_A}, "replace"),
    ({"size": 11, "sha1": "1" * 40}, entry("a.lic"), {"size": 10, "sha1": "1" * 40, "sha256": SHA_A}, "replace"),
    # the controller copy is gone or damaged -> fetch again (a damaged copy is not worth keeping)
    ({"size": 10, "sha1": "1" * 40}, entry("a.lic"), None, "fetch"),
    ({"size": 10, "sha1": "1" * 40}, entry("a.lic"), {"size": 10, "sha1": "1" * 40, "sha256": SHA_B}, "fetch"),
])
def test_decide(server, recorded, local, action):
    manifest = plan.empty_manifest("ls01", r"C:\L")
    if recorded:
        manifest["files"].append(recorded)
    decisions = plan.decide([{"name": "a.lic", "path": r"C:\L\MyFiles\a.lic", **server}], manifest, {"a.lic": local})
    assert [d["action"] for d in decisions] == [action]
    assert (decisions[0]["reason"] is None) == (action == "keep" or recorded is None)


def test_record_copy_keeps_the_replaced_copy_and_sums_list_every_copy():
    first = plan.record_copy(plan.empty_manifest("ls01", r"C:\L"), entry("a.lic"), when=NOW)
    later = NOW + datetime.timedelta(days=1)
    moved = plan.previous_path("a.lic", later)
    assert moved == "previous/20261123T030405Z/a.lic"
    second = plan.record_copy(first, entry("a.lic", sha256=SHA_B), when=later, retired=moved)
    assert [e["sha256"] for e in second["files"]] == [SHA_B]
    assert second["previous"] == [{"name": "a.lic", "path": moved, "size": 10, "sha256": SHA_A,
                                   "fetched_at": "2026-11-22T03:04:05Z", "replaced_at": "2026-11-23T03:04:05Z"}]
    assert plan.sha256sums(second) == f"{SHA_B}  files/a.lic\n{SHA_A}  {moved}\n"
    assert plan.check_manifest(second, "m") == second
    assert first["previous"] == [], "the input manifest is not changed"


def test_verify_copies_and_gone_from_server():
    manifest = plan.record_copy(plan.empty_manifest("ls01", r"C:\L"), entry("a.lic"), when=NOW)
    manifest = plan.record_copy(manifest, entry("b.lic", sha256=SHA_B), when=NOW)
    assert plan.verify_copies(manifest, {"a.lic": {"size": 10, "sha256": SHA_A},
                                         "b.lic": {"size": 10, "sha256": SHA_B}}) == []
    problems = plan.verify_copies(manifest, {"a.lic": None, "b.lic": {"size": 10, "sha256": SHA_A}})
    assert problems[0] == "a.lic: the controller copy is missing" and "is not the recorded" in problems[1]
    assert [e["name"] for e in plan.gone_from_server(manifest, ["a.lic"])] == ["b.lic"]


# -- allocations ------------------------------------------------------------------------------------
def test_allocations_list_serials_and_counts_without_signatures():
    result = plan.allocations([report("FID_several.lic", "several_increments_features.lic"),
                               report("citrix_startup.lic", "citrix_startup_like.lic")], today=TODAY)
    assert result["host_ids"] == ["LS01"]
    assert [(e["serial"], e["feature"], e["count"]) for e in result["entries"]] == [
        ("FID-A:1", "XDT_PLT_UD", 100), ("FID-A:2", "XDT_ADV_CCS", 50), ("FID-A:3", "XDT_PLT_UD", 25)]
    assert result["by_feature"] == {
        "XDT_ADV_CCS": {"count": 50, "uncounted": False, "serials": ["FID-A:2"]},
        "XDT_PLT_UD": {"count": 125, "uncounted": False, "serials": ["FID-A:1", "FID-A:3"]}}
    assert result["lines"][0] == "SN FID-A:1: XDT_PLT_UD count 100, expires permanent (FID_several.lic)"
    assert result["totals"] == ["XDT_ADV_CCS: 50 (FID-A:2)", "XDT_PLT_UD: 125 (FID-A:1, FID-A:3)"]
    assert "STARTUP" not in str(result), "the start-up license is not allocated on the portal"
    assert "SIGN" not in str(result) and "E032" not in str(result)


def test_expired_uncounted_and_unreadable_files_are_listed():
    result = plan.allocations([report("old.lic", "seed_mps_ent_ccu_hostname.lic"),
                               report("node.lic", "uncounted_nodelocked.lic"),
                               report("empty.lic", "empty.lic")], today=TODAY)
    by_serial = {e["serial"]: e for e in result["entries"]}
    assert by_serial["LA-0000150712-86261:872"]["expired"] is True, "expired licenses must be returned too (002)"
    assert by_serial["NL-1"]["uncounted"] is True
    assert any(line.endswith("EXPIRED (old.lic)") for line in result["lines"])
    assert any("uncounted" in line for line in result["lines"])
    assert [u["file"] for u in result["unreadable"]] == ["empty.lic"]
    assert result["lines"][-1].startswith("empty.lic: could not be read")


def test_a_line_without_serial_says_where_to_look():
    text = (FIXTURES / "several_increments_features.lic").read_text().replace("SN=FID-A:1 ", "")
    result = plan.allocations([parse_license_file("x.lic", text.encode(), today=TODAY)], today=TODAY)
    assert result["entries"][-1]["serial"] is None
    assert "no SN on the line" in result["lines"][-1]


def test_allocations_refuse_a_bad_today():
    with pytest.raises(InputError):
        plan.allocations([], today="2026-11-22")


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text(min_size=0, max_size=20), max_size=8), st.lists(st.text(max_size=8), max_size=3))
def test_select_files_never_raises_anything_but_input_error(names, patterns):
    try:
        selected, problems = plan.select_files(names, patterns)
    except InputError:
        return
    assert all(plan.safe_name(n) is None for n in selected)
    assert len(selected) + len(problems) <= len(set(names))


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=400))
def test_allocations_of_any_bytes_never_raise(data):
    parsed = parse_license_file("any.lic", data, today=TODAY)
    result = plan.allocations([parsed], today=TODAY)
    assert len(result["lines"]) == len(result["entries"]) + len(result["unreadable"])


def test_hashes_in_the_manifest_are_the_files_hashes(tmp_path):
    """The sums file is what ``sha256sum -c`` reads: the digests must be plain lower-case hex of the bytes."""
    data = b"INCREMENT X CITRIX 2027.0101 permanent 1\n"
    digest = hashlib.sha256(data).hexdigest()
    manifest = plan.record_copy(plan.empty_manifest("h", r"C:\L"), {**entry("x.lic", sha256=digest)}, when=NOW)
    assert plan.sha256sums(manifest) == f"{digest}  files/x.lic\n"
