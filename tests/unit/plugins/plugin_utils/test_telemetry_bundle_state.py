# Copyright: (c) 2026, ctxlic maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Tests for the per-run decisions of telemetry_bundle (resume, no loss, no duplicates, safe deletion)."""

from __future__ import annotations

import contextlib
import hashlib
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ansible_collections.ctxlic.license_server.plugins.plugin_utils._telemetry import bundle_run as s
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._common.errors import InputError
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._telemetry.bundles import manifest, plan_bundles
from clock import NOW, TODAY

INSTALL = r"C:\Program Files (x86)\Citrix\Licensing"
USAGE = INSTALL + r"\LS\resource\usage"
UL = INSTALL + r"\LS\resource\cis_bundles\ul_usage"
UL_SPACE = INSTALL + r"\LS\resource\cis bundles\ul_usage"


def sha1(text: str) -> str:
    return hashlib.sha1(text.encode()).hexdigest()


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def server(path: str, content: str = "a", size: int = 100) -> dict:
    return {"path": path, "size": size, "sha1": sha1(path + content), "mtime": 1795000000}


def with_bundle(name: str, members: list[dict], content: str = "a") -> dict:
    data = s.empty_manifest("ls01")
    data["bundles"].append(
        {
            "name": name,
            "size": 1,
            "sha256": sha256(name),
            "warnings": [],
            "members": [
                {
                    "source_path": m["path"],
                    "name": m["path"].rsplit("\\", 1)[1],
                    "size": m["size"],
                    "sha256": sha256(m["path"] + content),
                    "sha1": m["sha1"],
                }
                for m in members
            ],
        }
    )
    return data


# -- sources ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        (USAGE + r"\upload_compliance_1.zip", ("compliance", "compliance")),
        (UL + r"\upload_usage_1.zip", ("usage", "usage")),
        (UL_SPACE + r"\upload_usage_1.zip", ("usage_space", "usage")),
        (USAGE.upper() + r"\UPLOAD_COMPLIANCE_1.ZIP", ("compliance", "compliance")),  # Windows: case-insensitive
    ],
)
def test_source_of_maps_each_pending_folder(path: str, expected: tuple[str, str]) -> None:
    assert s.source_of(path, INSTALL) == expected


@pytest.mark.parametrize("path", [INSTALL + r"\MyFiles\x.zip", r"D:\other\LS\resource\usage\u.zip", ""])
def test_source_of_refuses_files_outside_the_pending_folders(path: str) -> None:
    with pytest.raises(InputError):
        s.source_of(path, INSTALL)


# -- decisions -----------------------------------------------------------------------------------


def test_decide_fetches_new_files_and_reuses_matching_copies() -> None:
    a, b = server(USAGE + r"\upload_compliance_1.zip"), server(UL + r"\upload_usage_1.zip")
    incoming = {("usage", "upload_usage_1.zip"): {"size": b["size"], "sha1": b["sha1"], "sha256": "x"}}
    result = s.decide([b, a], install_dir=INSTALL, manifest=s.empty_manifest("ls01"), verified=[], incoming=incoming)
    assert [(d["name"], d["action"]) for d in result] == [
        ("upload_usage_1.zip", "have"),
        ("upload_compliance_1.zip", "fetch"),
    ]


@pytest.mark.parametrize(
    ("local", "why"),
    [
        ({"size": 50, "sha1": "0" * 40}, "size differs"),  # truncated transfer
        ({"size": 100, "sha1": "0" * 40}, "SHA-1 differs"),  # same size, other bytes
    ],
)
def test_decide_refetches_a_copy_that_does_not_match_the_server(local: dict, why: str) -> None:
    a = server(USAGE + r"\upload_compliance_1.zip")
    result = s.decide(
        [a],
        install_dir=INSTALL,
        manifest=s.empty_manifest("ls01"),
        verified=[],
        incoming={("compliance", "upload_compliance_1.zip"): {**local, "sha256": "x"}},
    )
    assert result[0]["action"] == "fetch" and why in result[0]["reason"]


def test_decide_never_refetches_a_file_in_a_verified_bundle() -> None:
    a = server(USAGE + r"\upload_compliance_1.zip")
    data = with_bundle("ls01_compliance_20261122_1.zip", [a])
    result = s.decide([a], install_dir=INSTALL, manifest=data, verified=["ls01_compliance_20261122_1.zip"], incoming={})
    assert result[0]["action"] == "bundled" and result[0]["bundle"] == "ls01_compliance_20261122_1.zip"


def test_decide_refetches_when_the_bundle_is_not_verified_or_the_content_changed() -> None:
    a = server(USAGE + r"\upload_compliance_1.zip")
    data = with_bundle("b_20261122_1.zip", [a])
    unverified = s.decide([a], install_dir=INSTALL, manifest=data, verified=[], incoming={})
    assert unverified[0]["action"] == "fetch"
    rewritten = server(a["path"], content="newer")  # the LS reused the name for new data
    changed = s.decide([rewritten], install_dir=INSTALL, manifest=data, verified=["b_20261122_1.zip"], incoming={})
    assert changed[0]["action"] == "fetch"


def test_decide_leaves_known_rejections_alone_until_the_file_changes() -> None:
    a = server(USAGE + r"\upload_compliance_1.zip")
    data = s.empty_manifest("ls01")
    data["rejected"].append({"source_path": a["path"], "size": a["size"], "sha1": a["sha1"], "reason": "corrupt"})
    assert s.decide([a], install_dir=INSTALL, manifest=data, verified=[], incoming={})[0]["action"] == "rejected"
    changed = server(a["path"], content="fixed")
    assert s.decide([changed], install_dir=INSTALL, manifest=data, verified=[], incoming={})[0]["action"] == "fetch"


def test_a_missing_server_checksum_never_counts_as_bundled() -> None:
    a = server(USAGE + r"\upload_compliance_1.zip")
    data = with_bundle("b_20261122_1.zip", [a])
    blind = {**a, "sha1": None}
    result = s.decide([blind], install_dir=INSTALL, manifest=data, verified=["b_20261122_1.zip"], incoming={})
    assert result[0]["action"] == "fetch"
    assert s.deletions(data, ["b_20261122_1.zip"], [blind]) == []


@pytest.mark.parametrize(
    ("server_size", "server_sha1", "local_size", "local_sha1", "problem"),
    [
        (10, "a" * 40, 10, "a" * 40, None),
        (10, None, 10, "b" * 40, None),  # no server checksum: size only
        (10, "a" * 40, 9, "a" * 40, "size differs"),
        (10, "a" * 40, 10, "b" * 40, "SHA-1 differs"),
    ],
)
def test_transfer_problem(server_size, server_sha1, local_size, local_sha1, problem) -> None:
    found = s.transfer_problem(server_size, server_sha1, local_size, local_sha1)
    assert (found is None) if problem is None else (problem in found)


# -- names and bundles ---------------------------------------------------------------------------


def test_assign_arcnames_keeps_names_and_separates_duplicates_across_spellings() -> None:
    files = [
        {"kind": "usage", "tag": "usage", "name": "upload_usage_1.zip"},
        {"kind": "usage", "tag": "usage_space", "name": "upload_usage_1.zip"},
        {"kind": "compliance", "tag": "compliance", "name": "upload_usage_1.zip"},
    ]
    names = {(f["kind"], f["tag"]): f["arcname"] for f in s.assign_arcnames(files)}
    assert names == {
        ("usage", "usage"): "upload_usage_1.zip",
        ("usage", "usage_space"): "usage_space_upload_usage_1.zip",
        ("compliance", "compliance"): "upload_usage_1.zip",
    }


def test_renumber_continues_after_names_already_taken() -> None:
    plan = [{"bundle_name": "ls01_usage_20261122_1.zip"}, {"bundle_name": "ls01_usage_20261122_2.zip"}]
    taken = ["ls01_usage_20261122_1.zip", "ls01_usage_20261122_3.zip", "ls01_compliance_20261122_9.zip"]
    renamed = s.renumber(plan, label="ls01_usage", day=TODAY, taken=taken)
    assert [b["bundle_name"] for b in renamed] == ["ls01_usage_20261122_4.zip", "ls01_usage_20261122_5.zip"]
    fresh = s.renumber(plan, label="ls01_usage", day=date(2026, 11, 23), taken=taken)
    assert [b["bundle_name"] for b in fresh] == ["ls01_usage_20261123_1.zip", "ls01_usage_20261123_2.zip"]


def test_plan_groups_split_by_kind_or_not() -> None:
    files = [{"kind": "usage", "n": 1}, {"kind": "compliance", "n": 2}, {"kind": "usage", "n": 3}]
    assert [(k, [f["n"] for f in g]) for k, g in s.plan_groups(files, True)] == [("compliance", [2]), ("usage", [1, 3])]
    assert [(k, len(g)) for k, g in s.plan_groups(files, False)] == [(None, 3)]
    assert s.plan_groups([], False) == []


@pytest.mark.parametrize(
    ("name", "ours"),
    [
        ("ls01_usage_20261122_1.zip", True),
        ("ls-01.x_20261122_12.zip", True),
        ("notes.zip", False),
        ("ls01_20261122_1.zip.tmp", False),
    ],
)
def test_is_bundle_name(name: str, ours: bool) -> None:
    assert s.is_bundle_name(name) is ours


def _planned(files: list[dict]) -> tuple[list[dict], dict]:
    items = s.assign_arcnames(
        [
            {
                **f,
                "tag": "compliance",
                "kind": "compliance",
                "name": f["path"].rsplit("\\", 1)[1],
                "sha256": sha256(f["path"]),
            }
            for f in files
        ]
    )
    plan = plan_bundles([s.plan_member(i) for i in items], host="ls01", date=TODAY, max_bytes=10**6)
    written = {b["bundle_name"]: (123, sha256(b["bundle_name"])) for b in plan}
    return plan, manifest(plan, host="ls01", created=NOW, written=written)


def test_merge_manifest_keeps_sha1_and_accumulates_runs() -> None:
    a, b = server(USAGE + r"\upload_compliance_1.zip"), server(USAGE + r"\upload_compliance_2.zip")
    plan, run = _planned([a])
    first = s.merge_manifest(s.empty_manifest("ls01"), run, plan, when=NOW)
    plan2, run2 = _planned([b])
    plan2 = s.renumber(plan2, label="ls01", day=TODAY, taken=[x["name"] for x in first["bundles"]])
    run2 = manifest(plan2, host="ls01", created=NOW, written={x["bundle_name"]: (1, sha256("x")) for x in plan2})
    second = s.merge_manifest(first, run2, plan2, when=NOW)
    assert [x["name"] for x in second["bundles"]] == ["ls01_20261122_1.zip", "ls01_20261122_2.zip"]
    assert second["bundles"][0]["members"][0]["sha1"] == a["sha1"]
    assert second["bundles"][1]["members"][0]["kind"] == "compliance"
    assert second["updated"] == "2026-11-22T12:00:00Z"
    assert first["bundles"] is not second["bundles"], "the input manifest is not modified"


# -- deletion ------------------------------------------------------------------------------------


def test_deletions_only_name_unchanged_members_of_verified_bundles() -> None:
    a, b, c = (server(USAGE + rf"\upload_compliance_{i}.zip") for i in (1, 2, 3))
    data = with_bundle("v_20261122_1.zip", [a, b])
    data["bundles"].append({**with_bundle("u_20261122_1.zip", [b])["bundles"][0]})
    rewritten_a = server(a["path"], content="new")
    # b also sits in an unverified bundle: kept; a was rewritten: kept; c was never bundled: kept.
    assert s.deletions(data, ["v_20261122_1.zip"], [rewritten_a, b, c]) == []
    assert [d["path"] for d in s.deletions(data, ["v_20261122_1.zip"], [a, b, c])] == [a["path"]]
    assert [d["path"] for d in s.deletions(data, ["v_20261122_1.zip", "u_20261122_1.zip"], [a, b, c])] == [
        a["path"],
        b["path"],
    ]


def test_retire_bundles_moves_failed_bundles_out_of_the_way_of_deletion() -> None:
    a = server(USAGE + r"\upload_compliance_1.zip")
    data = with_bundle("old_20261122_1.zip", [a])
    data["bundles"].append(with_bundle("new_20261122_1.zip", [a])["bundles"][0])
    retired = s.retire_bundles(data, {"old_20261122_1.zip": "missing"}, when=NOW)
    assert [b["name"] for b in retired["bundles"]] == ["new_20261122_1.zip"]
    assert retired["invalid"][0]["invalid_reason"] == "missing"
    assert [d["path"] for d in s.deletions(retired, ["new_20261122_1.zip"], [a])] == [a["path"]]
    assert s.retire_bundles(data, {}, when=NOW) is data


# -- manifest validation -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ([], "not a telemetry_bundle manifest"),
        ({"schema": 99, "bundles": []}, "schema 99"),
        ({"schema": 1, "bundles": {}}, "'bundles' is not a list"),
        ({"schema": 1, "bundles": [{"name": "x"}]}, "bundles[0]"),
        ({"schema": 1, "bundles": [{"name": "x", "sha256": "y", "members": [{"name": "m"}]}]}, "bundles[0]"),
    ],
)
def test_check_manifest_refuses_what_it_cannot_trust(data, message: str) -> None:
    with pytest.raises(InputError, match=message.replace("[", r"\[").replace("]", r"\]")):
        s.check_manifest(data, "/d/ls01/manifest.json")


def test_check_manifest_fills_missing_lists() -> None:
    data = s.check_manifest({"schema": 1, "bundles": []}, "m.json")
    assert data["invalid"] == [] and data["rejected"] == [] and data["deleted"] == []


@settings(max_examples=200, deadline=None)
@given(
    st.recursive(
        st.none() | st.booleans() | st.integers() | st.text(max_size=8),
        lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=8), children, max_size=3),
        max_leaves=12,
    )
)
def test_check_manifest_raises_only_input_error(data) -> None:
    with contextlib.suppress(InputError):
        s.check_manifest(data, "m.json")
