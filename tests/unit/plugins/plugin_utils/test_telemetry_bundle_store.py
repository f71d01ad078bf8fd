# Copyright: (c) 2026, ctxlic maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Tests for the controller-side store of telemetry_bundle (incoming copies, quarantine, manifest, bundles)."""

from __future__ import annotations

import hashlib
import json
import stat
import zipfile
from pathlib import Path

import pytest

from ansible_collections.ctxlic.license_server.plugins.plugin_utils._common.errors import CtxlicError, InputError
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._store.telemetry_bundles import (
    BundleStore,
    file_hashes,
    host_folder,
)
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._store.zip_safety import write_bundle


@pytest.fixture
def store(tmp_path: Path) -> BundleStore:
    result = BundleStore(tmp_path / "dest", "ls 01/../x")
    result.prepare()
    return result


def test_host_folder_name_is_sanitised_and_private(store: BundleStore, tmp_path: Path) -> None:
    assert store.root.parent == tmp_path / "dest"
    assert store.root.name.startswith("ls_01_.._x-") and len(store.root.name) == len("ls_01_.._x-") + 8
    assert stat.S_IMODE(store.incoming.stat().st_mode) == 0o700


@pytest.mark.parametrize(("a", "b"), [("ls 01", "ls_01"), ("ls/01", "ls:01")])
def test_hosts_whose_safe_names_collide_get_separate_folders(a: str, b: str) -> None:
    assert host_folder(a) != host_folder(b)
    assert host_folder("ls-01.corp.example").startswith("ls-01.corp.example-")


def test_host_folder_of_an_unusable_name_is_still_its_own() -> None:
    assert host_folder("..") != host_folder("@@")
    with pytest.raises(InputError):
        host_folder("")


def test_file_hashes(tmp_path: Path) -> None:
    path = tmp_path / "f"
    path.write_bytes(b"abc")
    assert file_hashes(path) == {"size": 3, "sha1": hashlib.sha1(b"abc").hexdigest(),
                                 "sha256": hashlib.sha256(b"abc").hexdigest()}
    with pytest.raises(CtxlicError, match="Cannot read"):
        file_hashes(tmp_path / "missing")


def test_manifest_round_trip_and_errors(store: BundleStore) -> None:
    empty = store.load_manifest()
    assert empty["bundles"] == [] and empty["schema"] == 1
    empty["bundles"].append({"name": "b_20261122_1.zip", "sha256": "0" * 64, "members": []})
    store.save_manifest(empty)
    assert store.load_manifest()["bundles"][0]["name"] == "b_20261122_1.zip"
    assert stat.S_IMODE(store.manifest_path.stat().st_mode) == 0o600
    assert not list(store.root.glob(".manifest.json.*")), "no temporary file is left behind"
    store.manifest_path.write_text("{not json", encoding="utf-8")
    with pytest.raises(CtxlicError, match="not valid JSON"):
        store.load_manifest()
    store.manifest_path.write_text(json.dumps({"schema": 7}), encoding="utf-8")
    with pytest.raises(InputError, match="schema 7"):
        store.load_manifest()


def test_incoming_accept_list_and_remove(store: BundleStore) -> None:
    part = store.part_path("compliance", "upload_compliance_1.zip")
    part.parent.mkdir(parents=True)
    part.write_bytes(b"zipdata")
    assert store.stale_parts() == [part]
    assert "compliance" not in {k[0] for k in store.incoming_files()}, "partial downloads are never listed"
    store.accept_incoming("compliance", "upload_compliance_1.zip", {"source_path": r"C:\x\upload_compliance_1.zip"})
    files = store.incoming_files()
    entry = files[("compliance", "upload_compliance_1.zip")]
    assert entry["size"] == 7 and entry["meta"]["source_path"] == r"C:\x\upload_compliance_1.zip"
    assert store.stale_parts() == []
    store.remove_incoming("compliance", "upload_compliance_1.zip")
    assert store.incoming_files() == {}


def test_quarantine_keeps_earlier_rejections(store: BundleStore) -> None:
    for content in (b"bad one", b"bad two"):
        path = store.incoming_path("usage", "upload_usage_1.zip")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
        target = Path(store.quarantine("usage", "upload_usage_1.zip",
                                       {"reason": "corrupt", "sha256": hashlib.sha256(content).hexdigest()}))
        assert target.read_bytes() == content
        assert json.loads(target.with_name(target.name + ".reason.json").read_text())["reason"] == "corrupt"
    assert len(list((store.rejected / "usage").glob("*.zip"))) == 2
    assert store.incoming_files() == {}


def _bundle(store: BundleStore, tmp_path: Path, name: str) -> dict:
    member = tmp_path / "upload_compliance_1.zip"
    member.write_bytes(b"member data")
    size, digest = write_bundle(store.bundle_path(name), [(member, member.name)])
    return {"name": name, "size": size, "sha256": digest,
            "members": [{"source_path": r"C:\x\upload_compliance_1.zip", "name": member.name, "size": 11,
                         "sha256": hashlib.sha256(b"member data").hexdigest()}]}


def test_verify_listed_detects_missing_changed_and_wrong_members(store: BundleStore, tmp_path: Path) -> None:
    good = _bundle(store, tmp_path, "ls_20261122_1.zip")
    changed = _bundle(store, tmp_path, "ls_20261122_2.zip")
    store.bundle_path(changed["name"]).write_bytes(b"PK not the same")
    wrong = _bundle(store, tmp_path, "ls_20261122_3.zip")
    wrong["members"][0]["sha256"] = "0" * 64
    missing = {**good, "name": "ls_20261122_4.zip"}
    verified, problems = store.verify_listed({"bundles": [good, changed, wrong, missing]})
    assert verified == {"ls_20261122_1.zip"}
    assert "SHA-256" in problems["ls_20261122_2.zip"]
    assert "expected" in problems["ls_20261122_3.zip"]
    assert "missing" in problems["ls_20261122_4.zip"]


def test_orphans_are_unrecorded_bundles_and_temporary_files_only(store: BundleStore, tmp_path: Path) -> None:
    listed = _bundle(store, tmp_path, "ls_20261122_1.zip")
    _bundle(store, tmp_path, "ls_20261122_2.zip")
    (store.bundles / ".ls_20261122_3.zip.abc.tmp").write_bytes(b"half")
    (store.bundles / "README.txt").write_text("operator file", encoding="utf-8")
    with zipfile.ZipFile(store.bundles / "uploaded-by-hand.zip", "w") as archive:
        archive.writestr("a", "b")
    orphans = [p.name for p in store.orphans({"bundles": [listed], "invalid": []})]
    assert orphans == [".ls_20261122_3.zip.abc.tmp", "ls_20261122_2.zip"]


# -- issue 14 item 1: an unrecorded bundle is only "left by an interrupted run" when that is proven -------------
def test_unrecorded_bundle_members_are_known_only_when_held_elsewhere(store: BundleStore, tmp_path: Path) -> None:
    zip_a = tmp_path / "upload_compliance_a.zip"
    zip_b = tmp_path / "upload_compliance_b.zip"
    zip_a.write_bytes(b"PK-a" * 10)
    zip_b.write_bytes(b"PK-b" * 10)
    orphan = store.bundle_path("ls_20261122_001.zip")
    write_bundle(orphan, [(zip_a, "a.zip"), (zip_b, "b.zip")])
    members = store.member_sha256s(orphan)
    assert members == [hashlib.sha256(zip_a.read_bytes()).hexdigest(), hashlib.sha256(zip_b.read_bytes()).hexdigest()]
    manifest = {"bundles": [], "invalid": []}
    # Only zip_a is still in incoming: the bundle is the only place zip_b is kept.
    incoming = store.incoming_path("compliance", zip_a.name)
    incoming.parent.mkdir(parents=True, exist_ok=True)
    incoming.write_bytes(zip_a.read_bytes())
    known = store.known_sha256s(manifest, set())
    assert set(members) - known == {members[1]}
    kept = store.keep_unrecorded(orphan)
    assert kept.parent.name == "unrecorded" and kept.is_file() and not orphan.exists()
    assert store.member_sha256s(tmp_path / "missing.zip") is None


def test_deeply_nested_manifest_is_a_message(store: BundleStore) -> None:
    store.manifest_path.write_text("[" * 100000 + "]" * 100000, encoding="utf-8")
    with pytest.raises(CtxlicError, match="nested too deeply"):
        store.load_manifest()


def test_legacy_folder_of_this_host_is_adopted(tmp_path: Path) -> None:
    dest = tmp_path / "dest"
    legacy = dest / "ls01"
    legacy.mkdir(parents=True)
    (legacy / "manifest.json").write_text(json.dumps({"host": "ls01"}), encoding="utf-8")
    other = BundleStore(dest, "ls01")
    notes = other.adopt_legacy()
    assert not legacy.exists() and (other.root / "manifest.json").is_file() and "moved" in notes[0]
