# Copyright: (c) 2026, ctxlic maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Tests for vendor-zip checks and bundle writing/verification (all zips generated in tmp_path)."""

from __future__ import annotations

import hashlib
import os
import stat
import warnings
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ansible_collections.ctxlic.license_server.plugins.plugin_utils._common.errors import CtxlicError, InputError
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._telemetry.bundles import plan_bundles
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._store.zip_safety import (
    sha256_file,
    unsafe_member_name,
    verify_bundle,
    verify_vendor_zip,
    write_bundle,
)
from clock import TODAY


def make_zip(path: Path, members: dict[str, bytes], compression: int = zipfile.ZIP_DEFLATED) -> Path:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # duplicate-name warnings are what some tests want
        with zipfile.ZipFile(path, "w", compression=compression) as archive:
            for name, data in members.items() if isinstance(members, dict) else members:
                archive.writestr(zipfile.ZipInfo(name, date_time=(2026, 11, 1, 0, 0, 0)), data, compression)
    return path


def patch_bytes(path: Path, old: bytes, new: bytes) -> None:
    data = path.read_bytes()
    assert data.count(old) >= 1
    path.write_bytes(data.replace(old, new))


@pytest.fixture
def valid_zip(tmp_path: Path) -> Path:
    return make_zip(tmp_path / "upload_compliance_1.zip", {"payload.json": b'{"a": 1}' * 50, "meta/info.xml": b"<x/>"})


# -- verify_vendor_zip ------------------------------------------------------------------------------


def test_valid_zip_is_ok(valid_zip: Path) -> None:
    result = verify_vendor_zip(valid_zip)
    assert result["ok"] is True
    assert result["reason"] is None
    assert [m["name"] for m in result["members"]] == ["payload.json", "meta/info.xml"]
    assert result["members"][0]["size"] == 400


@pytest.mark.parametrize(
    ("name", "why"),
    [
        ("../../evil", "'..' segment"),
        ("a/../../b", "'..' segment"),
        ("..\\..\\evil", "'..' segment"),
        ("a\\..\\b", "'..' segment"),
        ("C:\\x", "drive letter"),
        ("c:x", "drive letter"),
        ("/abs", "absolute"),
        ("\\\\server\\share\\x", "absolute"),
    ],
)
def test_zip_slip_names_are_rejected(tmp_path: Path, name: str, why: str) -> None:
    path = make_zip(tmp_path / "slip.zip", {"ok.txt": b"fine", name: b"evil"})
    result = verify_vendor_zip(path)
    assert result["ok"] is False
    assert why in result["reason"]
    assert repr(name) in result["reason"]


def test_nul_in_member_name_is_rejected(tmp_path: Path) -> None:
    path = make_zip(tmp_path / "nul.zip", {"evil.txtQsafe": b"x"})
    patch_bytes(path, b"evil.txtQsafe", b"evil.txt\x00safe")
    result = verify_vendor_zip(path)
    assert result["ok"] is False
    assert "NUL" in result["reason"]


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("a/b.txt", None),
        ("a..b", None),
        ("..", "contains a '..' segment"),
        ("", "is empty"),
        ("/x", "is an absolute path"),
    ],
)
def test_unsafe_member_name(name: str, expected: str | None) -> None:
    assert unsafe_member_name(name) == expected


def test_high_ratio_member_is_rejected(tmp_path: Path) -> None:
    path = make_zip(tmp_path / "bomb.zip", {"zeros.bin": b"\0" * (5 * 1024 * 1024)})
    assert path.stat().st_size < 64 * 1024
    result = verify_vendor_zip(path)
    assert result["ok"] is False
    assert "ratio above 200" in result["reason"]
    assert "zeros.bin" in result["reason"]


def test_high_total_ratio_of_small_members_is_rejected(tmp_path: Path) -> None:
    members = {f"part{i}.bin": b"\0" * (100 * 1024) for i in range(20)}
    path = make_zip(tmp_path / "many.zip", members)
    result = verify_vendor_zip(path)
    assert result["ok"] is False
    assert "in total" in result["reason"]


def test_small_compressible_member_is_not_a_bomb(tmp_path: Path) -> None:
    path = make_zip(tmp_path / "small.zip", {"zeros.bin": b"\0" * 100_000})
    assert verify_vendor_zip(path)["ok"] is True
    assert verify_vendor_zip(path, ratio_min_bytes=1)["ok"] is False


def test_too_many_members(tmp_path: Path) -> None:
    path = make_zip(tmp_path / "count.zip", {f"f{i}": b"x" for i in range(11)})
    assert verify_vendor_zip(path, max_members=11)["ok"] is True
    result = verify_vendor_zip(path, max_members=10)
    assert result["ok"] is False
    assert "11 members" in result["reason"]


def test_too_large_in_total(tmp_path: Path) -> None:
    path = make_zip(tmp_path / "big.zip", {"a": b"x" * 600, "b": b"y" * 600}, zipfile.ZIP_STORED)
    assert verify_vendor_zip(path, max_total_uncompressed=1200)["ok"] is True
    result = verify_vendor_zip(path, max_total_uncompressed=1199)
    assert result["ok"] is False
    assert "1200 bytes in total" in result["reason"]


def test_truncated_zip_is_rejected(valid_zip: Path) -> None:
    valid_zip.write_bytes(valid_zip.read_bytes()[:-30])
    result = verify_vendor_zip(valid_zip)
    assert result["ok"] is False
    assert "not a readable zip" in result["reason"]


def test_crc_corruption_is_caught(tmp_path: Path) -> None:
    path = make_zip(tmp_path / "crc.zip", {"data.txt": b"HELLO-TELEMETRY-DATA"}, zipfile.ZIP_STORED)
    patch_bytes(path, b"HELLO-TELEMETRY-DATA", b"HELLO-TELEMETRY-DATB")
    result = verify_vendor_zip(path)
    assert result["ok"] is False
    assert "corrupt" in result["reason"]
    assert "data.txt" in result["reason"]


def test_broken_deflate_stream_is_caught(tmp_path: Path) -> None:
    payload = os.urandom(4096)
    path = make_zip(tmp_path / "deflate.zip", {"data.bin": payload})
    raw = bytearray(path.read_bytes())
    start = 30 + len("data.bin")
    for i in range(start + 10, start + 60):
        raw[i] ^= 0xFF
    path.write_bytes(bytes(raw))
    result = verify_vendor_zip(path)
    assert result["ok"] is False


def test_not_a_zip_and_missing_file(tmp_path: Path) -> None:
    text = tmp_path / "x.zip"
    text.write_text("not a zip")
    assert verify_vendor_zip(text)["ok"] is False
    missing = verify_vendor_zip(tmp_path / "missing.zip")
    assert missing["ok"] is False
    assert missing["members"] == []


def test_duplicate_member_names_are_rejected(tmp_path: Path) -> None:
    path = make_zip(tmp_path / "dup.zip", [("a.txt", b"1"), ("a.txt", b"2")])  # type: ignore[arg-type]
    result = verify_vendor_zip(path)
    assert result["ok"] is False
    assert "twice" in result["reason"]


def test_symlink_member_is_rejected(tmp_path: Path) -> None:
    path = tmp_path / "link.zip"
    info = zipfile.ZipInfo("link")
    info.external_attr = (stat.S_IFLNK | 0o777) << 16
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr(info, "/etc/passwd")
    result = verify_vendor_zip(path)
    assert result["ok"] is False
    assert "symbolic link" in result["reason"]


def _mark_encrypted(path: Path) -> None:
    raw = bytearray(path.read_bytes())
    local = raw.find(b"PK\x03\x04")
    central = raw.find(b"PK\x01\x02")
    raw[local + 6] |= 0x01
    raw[central + 8] |= 0x01
    path.write_bytes(bytes(raw))


def test_encrypted_member_policy(tmp_path: Path) -> None:
    path = make_zip(tmp_path / "enc.zip", {"secret.bin": b"x" * 100}, zipfile.ZIP_STORED)
    _mark_encrypted(path)
    assert verify_vendor_zip(path)["ok"] is True
    result = verify_vendor_zip(path, allow_encrypted=False)
    assert result["ok"] is False
    assert "encrypted" in result["reason"]


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_fuzz_mutated_zip_never_raises(tmp_path: Path, data: st.DataObject) -> None:
    base = tmp_path / "base.zip"
    if not base.exists():
        make_zip(base, {"a.json": b'{"k": "v"}' * 40, "b/c.xml": b"<r/>" * 10})
    raw = bytearray(base.read_bytes())
    for _dummy in range(data.draw(st.integers(min_value=1, max_value=8))):
        raw[data.draw(st.integers(min_value=0, max_value=len(raw) - 1))] = data.draw(st.integers(0, 255))
    cut = data.draw(st.integers(min_value=0, max_value=len(raw)))
    target = tmp_path / "mutated.zip"
    target.write_bytes(bytes(raw[:cut]) if data.draw(st.booleans()) else bytes(raw))
    result = verify_vendor_zip(target)
    assert set(result) == {"ok", "members", "reason"}
    assert result["ok"] is (result["reason"] is None)


# -- sha256, write_bundle, verify_bundle ------------------------------------------------------------


def test_sha256_file(tmp_path: Path) -> None:
    path = tmp_path / "f"
    path.write_bytes(b"abc")
    assert sha256_file(path) == hashlib.sha256(b"abc").hexdigest()
    with pytest.raises(InputError, match="Cannot read"):
        sha256_file(tmp_path / "missing")


def _sources(tmp_path: Path, count: int = 3) -> list[tuple[Path, str]]:
    out = []
    for i in range(count):
        src = make_zip(tmp_path / f"upload_compliance_{i}.zip", {"p.json": os.urandom(200)})
        out.append((src, src.name))
    return out


def _expected(sources: list[tuple[Path, str]]) -> list[dict]:
    return [{"name": arc, "size": src.stat().st_size, "sha256": sha256_file(src)} for src, arc in sources]


def test_write_bundle_round_trip(tmp_path: Path) -> None:
    sources = _sources(tmp_path)
    bundle = tmp_path / "out" / "deeper" / "ls01_20261122_1.zip"
    size, digest = write_bundle(bundle, sources)
    assert size == bundle.stat().st_size
    assert digest == sha256_file(bundle)
    assert stat.S_IMODE(bundle.stat().st_mode) == 0o600
    with zipfile.ZipFile(bundle) as archive:
        assert {i.compress_type for i in archive.infolist()} == {zipfile.ZIP_STORED}
    assert verify_bundle(bundle, _expected(sources)) == (True, "")
    assert [p.name for p in bundle.parent.iterdir()] == [bundle.name]  # no temporary file left
    assert verify_vendor_zip(bundle)["ok"] is True


def test_write_bundle_is_deterministic(tmp_path: Path) -> None:
    sources = _sources(tmp_path)
    first = write_bundle(tmp_path / "a.zip", sources)
    second = write_bundle(tmp_path / "b.zip", sources)
    assert first == second


def test_failed_write_keeps_previous_bundle_and_leaves_no_temp(tmp_path: Path) -> None:
    bundle = tmp_path / "out" / "b.zip"
    bundle.parent.mkdir()
    bundle.write_bytes(b"previous")
    with pytest.raises(CtxlicError, match="Nothing was written"):
        write_bundle(bundle, [(tmp_path / "missing.zip", "missing.zip")])
    assert bundle.read_bytes() == b"previous"
    assert [p.name for p in bundle.parent.iterdir()] == ["b.zip"]


def test_interrupted_write_keeps_previous_bundle_and_leaves_no_temp(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sources = _sources(tmp_path)
    bundle = tmp_path / "out" / "b.zip"
    bundle.parent.mkdir()
    bundle.write_bytes(b"previous")
    real_write = zipfile.ZipFile.write

    def write_then_interrupt(self: zipfile.ZipFile, filename: object, arcname: object = None, *args: object) -> None:
        real_write(self, filename, arcname, *args)  # type: ignore[arg-type]
        if arcname == sources[1][1]:
            raise KeyboardInterrupt  # Ctrl-C on the controller half-way through the bundle

    monkeypatch.setattr(zipfile.ZipFile, "write", write_then_interrupt)
    with pytest.raises(KeyboardInterrupt):
        write_bundle(bundle, sources)
    assert bundle.read_bytes() == b"previous"
    assert [p.name for p in bundle.parent.iterdir()] == ["b.zip"]


@pytest.mark.parametrize(
    ("members", "match"),
    [
        ([], "non-empty"),
        ([("x", "../x.zip")], "'..' segment"),
        ([("x", "C:\\x.zip")], "drive letter"),
        ([("x", "a.zip"), ("y", "a.zip")], "used twice"),
        ([("x",)], "pair"),
    ],
)
def test_write_bundle_rejects_bad_members(tmp_path: Path, members: list, match: str) -> None:
    with pytest.raises(InputError, match=match):
        write_bundle(tmp_path / "b.zip", members)
    assert not (tmp_path / "b.zip").exists()


def test_verify_bundle_detects_mismatches(tmp_path: Path) -> None:
    sources = _sources(tmp_path)
    bundle = tmp_path / "b.zip"
    write_bundle(bundle, sources)
    expected = _expected(sources)

    wrong_hash = [dict(expected[0], sha256="0" * 64), *expected[1:]]
    ok, reason = verify_bundle(bundle, wrong_hash)
    assert not ok and "sha256" in reason

    wrong_size = [dict(expected[0], size=expected[0]["size"] + 1), *expected[1:]]
    ok, reason = verify_bundle(bundle, wrong_size)
    assert not ok and "bytes, expected" in reason

    ok, reason = verify_bundle(bundle, expected[:-1])
    assert not ok and "unexpected" in reason

    extra = [*expected, {"name": "other.zip", "size": 1, "sha256": "0" * 64}]
    ok, reason = verify_bundle(bundle, extra)
    assert not ok and "missing ['other.zip']" in reason

    ok, reason = verify_bundle(bundle, [*expected, expected[0]])
    assert not ok and "twice" in reason

    ok, reason = verify_bundle(bundle, [{"size": 1}])
    assert not ok


def test_verify_bundle_detects_corruption_and_absence(tmp_path: Path) -> None:
    sources = _sources(tmp_path, 1)
    bundle = tmp_path / "b.zip"
    write_bundle(bundle, sources)
    raw = bytearray(bundle.read_bytes())
    raw[100] ^= 0xFF  # inside the stored member's data
    bundle.write_bytes(bytes(raw))
    ok, reason = verify_bundle(bundle, _expected(sources))
    assert not ok
    assert reason
    assert verify_bundle(tmp_path / "missing.zip", _expected(sources))[0] is False


@pytest.mark.parametrize("name_len", [5, 60])
def test_planned_bundle_written_stays_within_limit(tmp_path: Path, name_len: int) -> None:
    files = []
    sources = []
    for i in range(6):
        name = f"upload_usage_{'é' * name_len}_{i}.zip"
        src = tmp_path / name
        src.write_bytes(os.urandom(1000 + 37 * i))
        files.append({"name": name, "size": src.stat().st_size, "sha256": sha256_file(src), "source": src})
        sources.append(src)
    limit = 3500
    plan = plan_bundles(files, host="ls01", date=TODAY, max_bytes=limit)
    assert len(plan) > 1
    for bundle in plan:
        assert not bundle["warnings"]
        path = tmp_path / "bundles" / bundle["bundle_name"]
        size, _dummy = write_bundle(path, [(m["source"], m["name"]) for m in bundle["members"]])
        assert size <= bundle["size"] <= limit
        assert verify_bundle(path, bundle["members"]) == (True, "")
