# Copyright: (c) 2026, ctxlic maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Tests for plugin_utils._store.license_backups's manifest writing (private, atomic, read back by the next run)."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from ansible_collections.ctxlic.license_server.plugins.plugin_utils._store import atomic_file
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._common.errors import CtxlicError
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._store.license_backups import LicenseBackupStore

SHA = "ab" * 32


def manifest(store: LicenseBackupStore) -> dict:
    data = store.load_manifest("C:\\Program Files (x86)\\Citrix\\Licensing")
    data["files"].append({"name": "site.lic", "server_path": "C:\\LS\\MyFiles\\site.lic", "size": 3,
                          "sha1": "cd" * 20, "sha256": SHA})
    return data


@pytest.fixture
def store(tmp_path: Path) -> LicenseBackupStore:
    backup = LicenseBackupStore(tmp_path, "ls01")
    backup.prepare()
    return backup


def test_save_writes_private_manifest_and_sums_that_load_back(store: LicenseBackupStore) -> None:
    data = manifest(store)
    store.save(data)
    assert store.load_manifest("ignored") == data
    assert store.sums_path.read_text(encoding="utf-8") == f"{SHA}  files/site.lic\n"
    for path in (store.manifest_path, store.sums_path):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert sorted(p.name for p in store.root.iterdir()) == ["SHA256SUMS", "files", "manifest.json"]


def test_failed_save_keeps_the_previous_manifest(store: LicenseBackupStore, monkeypatch: pytest.MonkeyPatch) -> None:
    store.save(store.load_manifest("C:\\LS"))
    before = store.manifest_path.read_bytes()

    def refuse(src: str, dst: str) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(atomic_file.os, "replace", refuse)
    with pytest.raises(CtxlicError, match="No space left on device"):
        store.save(manifest(store))
    assert store.manifest_path.read_bytes() == before
    assert sorted(p.name for p in store.root.iterdir()) == ["SHA256SUMS", "files", "manifest.json"]
