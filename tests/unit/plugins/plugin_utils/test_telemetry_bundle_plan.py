# Copyright: (c) 2026, ctxlic maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Tests for manual-upload bundle planning (seed 001/004 "Reporting options", CTX131233 size limit)."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime

import pytest

from ansible_collections.ctxlic.license_server.plugins.plugin_utils._common.errors import InputError
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._telemetry.bundles import (
    ZIP_ARCHIVE_OVERHEAD,
    classify_pending,
    deletable,
    estimated_member_overhead,
    manifest,
    pending_zip_dirs,
    plan_bundles,
    sanitize_host,
)
from clock import TODAY

INSTALL = r"C:\Program Files (x86)\Citrix\Licensing"


def sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def files(*sizes: int, prefix: str = "upload_compliance_") -> list[dict]:
    return [
        {"name": f"{prefix}{i}.zip", "size": size, "sha256": sha(str(i)), "source_path": rf"C:\x\{prefix}{i}.zip"}
        for i, size in enumerate(sizes)
    ]


def names(plan: list[dict]) -> list[list[str]]:
    return [[m["name"] for m in b["members"]] for b in plan]


# -- pending zips ---------------------------------------------------------------------------------


def test_pending_zip_dirs_cover_both_folder_spellings() -> None:
    assert pending_zip_dirs(INSTALL) == [
        (INSTALL + r"\LS\resource\usage", "upload_compliance*.zip"),
        (INSTALL + r"\LS\resource\cis_bundles\ul_usage", "upload_usage*.zip"),
        (INSTALL + r"\LS\resource\cis bundles\ul_usage", "upload_usage*.zip"),
    ]


def test_pending_zip_dirs_normalise_slashes_and_trailing_separator() -> None:
    assert pending_zip_dirs("D:/Citrix/Licensing/")[0][0] == r"D:\Citrix\Licensing\LS\resource\usage"


@pytest.mark.parametrize("bad", ["", "   ", None, 5])
def test_pending_zip_dirs_reject_bad_install_dir(bad: object) -> None:
    with pytest.raises(InputError, match="install_dir"):
        pending_zip_dirs(bad)  # type: ignore[arg-type]


def test_classify_pending_summarises_and_normalises_times() -> None:
    found = [
        {"path": r"C:\L\LS\resource\usage\upload_compliance_2.zip", "size": 20, "mtime": 1795651200},
        {"path": r"C:\L\LS\resource\usage\upload_compliance_1.zip", "size": 10, "mtime": "2026-08-01T00:00:00Z"},
        {"path": r"C:\L\LS\resource\cis_bundles\ul_usage\upload_usage_1.zip", "size": 5, "mtime": None},
        {"path": r"c:\l\ls\resource\usage\UPLOAD_COMPLIANCE_1.zip", "size": 10, "mtime": 0},  # same file
    ]
    result = classify_pending(found)
    assert result["count"] == 3
    assert result["bytes"] == 35
    assert result["oldest"] == "2026-08-01T00:00:00Z"
    assert result["newest"] == "2026-11-26T00:00:00Z"
    assert [f["path"].rsplit("\\", 1)[1] for f in result["files"]] == [
        "upload_usage_1.zip",
        "upload_compliance_1.zip",
        "upload_compliance_2.zip",
    ]


def test_classify_pending_empty() -> None:
    assert classify_pending([]) == {"count": 0, "bytes": 0, "oldest": None, "newest": None, "files": []}


@pytest.mark.parametrize(
    "bad",
    [
        [{"path": "a", "size": -1, "mtime": None}],
        [{"path": "a", "size": True, "mtime": None}],
        [{"path": "", "size": 1, "mtime": None}],
        [{"path": "a", "size": 1, "mtime": "yesterday"}],
        [{"path": "a", "size": 1, "mtime": 10**20}],
        ["a"],
    ],
)
def test_classify_pending_rejects_bad_entries(bad: list) -> None:
    with pytest.raises(InputError):
        classify_pending(bad)


# -- planning -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("host", "expected"),
    [
        ("ls01", "ls01"),
        ("LS 01/prod", "LS_01_prod"),
        ("..\\..\\evil", "_.._evil"),
        ("ls01.corp.example", "ls01.corp.example"),
    ],
)
def test_sanitize_host(host: str, expected: str) -> None:
    assert sanitize_host(host) == expected


@pytest.mark.parametrize("bad", ["", "...", "/", None])
def test_sanitize_host_rejects_unusable(bad: object) -> None:
    with pytest.raises(InputError):
        sanitize_host(bad)


def test_bundle_names_use_sanitised_host_date_and_counter() -> None:
    plan = plan_bundles(files(60, 40, 100, 1), host="LS 01", date=TODAY, max_bytes=100, account_zip_overhead=False)
    assert [b["bundle_name"] for b in plan] == [
        "LS_01_20261122_1.zip",
        "LS_01_20261122_2.zip",
        "LS_01_20261122_3.zip",
    ]


def test_first_fit_exact_limit_and_one_over() -> None:
    plan = plan_bundles(files(60, 40, 100, 1), host="ls01", date=TODAY, max_bytes=100, account_zip_overhead=False)
    assert names(plan) == [
        ["upload_compliance_0.zip", "upload_compliance_1.zip"],
        ["upload_compliance_2.zip"],
        ["upload_compliance_3.zip"],
    ]
    assert [b["size"] for b in plan] == [100, 100, 1]
    assert all(not b["warnings"] for b in plan)
    over = plan_bundles(files(60, 41), host="ls01", date=TODAY, max_bytes=100, account_zip_overhead=False)
    assert names(over) == [["upload_compliance_0.zip"], ["upload_compliance_1.zip"]]


def test_first_fit_backfills_earlier_bundles() -> None:
    plan = plan_bundles(files(70, 50, 30, 20), host="ls01", date=TODAY, max_bytes=100, account_zip_overhead=False)
    assert names(plan) == [
        ["upload_compliance_0.zip", "upload_compliance_2.zip"],
        ["upload_compliance_1.zip", "upload_compliance_3.zip"],
    ]


def test_oversize_file_gets_own_bundle_and_warning() -> None:
    plan = plan_bundles(files(10, 150, 20), host="ls01", date=TODAY, max_bytes=100, account_zip_overhead=False)
    assert names(plan) == [
        ["upload_compliance_0.zip", "upload_compliance_2.zip"],
        ["upload_compliance_1.zip"],
    ]
    assert plan[0]["warnings"] == []
    assert "cannot be split" in plan[1]["warnings"][0]
    assert plan[1]["size"] == 150


def test_oversize_bundle_is_closed_to_other_files() -> None:
    plan = plan_bundles(files(150, 10), host="ls01", date=TODAY, max_bytes=100, account_zip_overhead=False)
    assert names(plan) == [["upload_compliance_0.zip"], ["upload_compliance_1.zip"]]


def test_order_is_by_name_not_input_order() -> None:
    forward = files(30, 80, 20)
    plan_a = plan_bundles(forward, host="h", date=TODAY, max_bytes=100, account_zip_overhead=False)
    plan_b = plan_bundles(list(reversed(forward)), host="h", date=TODAY, max_bytes=100, account_zip_overhead=False)
    assert plan_a == plan_b


def test_zip_overhead_is_budgeted() -> None:
    member = files(1000)
    cost = 1000 + estimated_member_overhead(member[0]["name"]) + ZIP_ARCHIVE_OVERHEAD
    assert plan_bundles(member, host="h", date=TODAY, max_bytes=cost)[0]["warnings"] == []
    assert plan_bundles(member, host="h", date=TODAY, max_bytes=cost - 1)[0]["warnings"]
    two = files(1000, 1000)
    assert len(plan_bundles(two, host="h", date=TODAY, max_bytes=2 * cost)) == 1


def test_members_keep_extra_keys_and_are_copies() -> None:
    src = files(5)
    plan = plan_bundles(src, host="h", date=TODAY, max_bytes=100, account_zip_overhead=False)
    assert plan[0]["members"][0]["source_path"] == src[0]["source_path"]
    plan[0]["members"][0]["name"] = "changed"
    assert src[0]["name"] == "upload_compliance_0.zip"


def test_no_files_no_bundles() -> None:
    assert plan_bundles([], host="h", date=TODAY, max_bytes=1) == []


@pytest.mark.parametrize(
    ("bad_files", "kwargs", "match"),
    [
        (files(1), {"max_bytes": 0}, "max_bytes"),
        (files(1), {"max_bytes": True}, "max_bytes"),
        (files(1), {"max_bytes": 10, "date": "2026-11-22"}, "date"),
        ([{"name": "a/b.zip", "size": 1, "sha256": sha("a")}], {}, "plain file name"),
        ([{"name": "..", "size": 1, "sha256": sha("a")}], {}, "plain file name"),
        ([{"name": "a.zip", "size": 1, "sha256": "XYZ"}], {}, "sha256"),
        ([{"name": "a.zip", "size": "1", "sha256": sha("a")}], {}, "size"),
        (files(1) + files(2), {}, "appears twice"),
        ("nope", {}, "list"),
    ],
)
def test_plan_bundles_rejects_bad_input(bad_files: object, kwargs: dict, match: str) -> None:
    args = {"host": "h", "date": TODAY, "max_bytes": 100, **kwargs}
    with pytest.raises(InputError, match=match):
        plan_bundles(bad_files, **args)  # type: ignore[arg-type]


# -- manifest and deletion ------------------------------------------------------------------------


def _manifest_for(plan: list[dict]) -> dict:
    written = {b["bundle_name"]: (b["size"], sha(b["bundle_name"])) for b in plan}
    return manifest(plan, host="ls01", created=datetime(2026, 11, 22, 10, 0, tzinfo=UTC), written=written)


def test_manifest_shape() -> None:
    plan = plan_bundles(files(60, 40, 100), host="ls01", date=TODAY, max_bytes=100, account_zip_overhead=False)
    result = _manifest_for(plan)
    assert result["host"] == "ls01"
    assert result["created"] == "2026-11-22T10:00:00Z"
    first = result["bundles"][0]
    assert first["name"] == "ls01_20261122_1.zip"
    assert first["size"] == 100
    assert first["sha256"] == sha("ls01_20261122_1.zip")
    assert first["members"][0] == {
        "source_path": r"C:\x\upload_compliance_0.zip",
        "name": "upload_compliance_0.zip",
        "size": 60,
        "sha256": sha("0"),
    }


def test_manifest_requires_every_bundle_written_and_source_paths() -> None:
    plan = plan_bundles(files(60, 60), host="ls01", date=TODAY, max_bytes=100, account_zip_overhead=False)
    created = datetime(2026, 11, 22, tzinfo=UTC)
    with pytest.raises(InputError, match="no written"):
        manifest(plan, host="ls01", created=created, written={plan[0]["bundle_name"]: (1, sha("x"))})
    plan[0]["members"][0].pop("source_path")
    with pytest.raises(InputError, match="source_path"):
        manifest(plan, host="ls01", created=created, written={b["bundle_name"]: (1, sha("x")) for b in plan})


def test_deletable_only_members_of_verified_bundles() -> None:
    plan = plan_bundles(files(60, 40, 100, 1), host="ls01", date=TODAY, max_bytes=100, account_zip_overhead=False)
    result = _manifest_for(plan)
    assert deletable(result, set()) == []
    assert deletable(result, {"ls01_20261122_2.zip"}) == [r"C:\x\upload_compliance_2.zip"]
    assert deletable(result, {"ls01_20261122_1.zip", "ls01_20261122_3.zip", "not_a_bundle.zip"}) == [
        r"C:\x\upload_compliance_0.zip",
        r"C:\x\upload_compliance_1.zip",
        r"C:\x\upload_compliance_3.zip",
    ]


def test_deletable_keeps_a_path_that_is_also_in_an_unverified_bundle() -> None:
    doc = {
        "bundles": [
            {"name": "a.zip", "members": [{"source_path": "P1"}, {"source_path": "P2"}]},
            {"name": "b.zip", "members": [{"source_path": "P2"}]},
        ]
    }
    assert deletable(doc, {"a.zip"}) == ["P1"]


def test_deletable_rejects_non_manifest() -> None:
    with pytest.raises(InputError):
        deletable({"nope": 1}, set())


@pytest.mark.parametrize("member", [
    {"source_path": "C:\\x\\a.zip"},
    {"source_path": "C:\\x\\a.zip", "name": "a.zip", "size": "big", "sha256": "0" * 64},
])
def test_manifest_refuses_incomplete_members_with_its_own_error(member):
    from ansible_collections.ctxlic.license_server.plugins.plugin_utils._common.errors import InputError
    from ansible_collections.ctxlic.license_server.plugins.plugin_utils._telemetry.bundles import manifest

    plan = [{"bundle_name": "h_20261122_1.zip", "members": [member], "size": 1, "warnings": []}]
    with pytest.raises(InputError):
        manifest(plan, host="h", created="2026-11-22T00:00:00Z", written={"h_20261122_1.zip": (1, "0" * 64)})


@pytest.mark.parametrize("members", [[{"source_path": ["not", "a", "string"]}], "nope"])
def test_deletable_refuses_malformed_manifests_with_its_own_error(members):
    from ansible_collections.ctxlic.license_server.plugins.plugin_utils._common.errors import InputError
    from ansible_collections.ctxlic.license_server.plugins.plugin_utils._telemetry.bundles import deletable

    with pytest.raises(InputError):
        deletable({"bundles": [{"name": "b", "members": members}]}, {"b"})
