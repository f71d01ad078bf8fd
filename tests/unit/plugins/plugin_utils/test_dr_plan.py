# Copyright: (c) 2026, ctxlic maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Tests for the disaster-recovery decisions (seed 004 "Disaster recovery backup and redundancy",
"Clustered License Servers")."""

from __future__ import annotations

import contextlib
from datetime import datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ansible_collections.ctxlic.license_server.plugins.plugin_utils._dr import backup as bkp
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._dr import primary as pri
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._dr import restore as rst
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._common.errors import InputError
from ansible_collections.ctxlic.license_server.plugins.plugin_utils.lab.licgen import license_text
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._license.plan import content_checksum
from clock import NOW, TODAY

INSTALL = r"C:\Program Files (x86)\Citrix\Licensing"
PRIMARY_MAC = "00:15:5d:00:00:01"
DR_MAC = "00:15:5d:00:00:02"


def lic(*features: str, host: str = "LICSRV01", mac: str | None = None, hosts: list[str] | None = None) -> bytes:
    names = hosts if hosts is not None else ([] if mac else [host])
    items = [{"feature": f, "count": 10, "serial": f"SN-{f}"} for f in features or ("XDT_PLT_UD",)]
    return license_text(names, items, mac=mac).encode("utf-8")


def manifest_for(files: dict[str, bytes], *, ls_hostname: str = "LICSRV01", served: list[str] | None = None,
                 version: str | None = "11.17.2.0 build 45000", generation: str = "20261122T120000Z") -> dict:
    entries = [bkp.file_entry(bkp.BackupSource(path, bkp.host_path(INSTALL, path), bkp.kind_of(path)), data)
               for path, data in files.items()]
    return bkp.build_manifest(
        generation=generation, created_at=NOW, source_host="primary", ls_hostname=ls_hostname,
        ls_hostname_source="lmhostid", cluster_access_point=None, macs=[PRIMARY_MAC], ls_version=version,
        install_dir=INSTALL, ports={"license_server_port": 27000, "vendor_daemon_port": 7279},
        observed_at="2026-11-22T12:00:00Z", served_features=served, files=entries)


def with_data(manifest: dict, files: dict[str, bytes]) -> list[tuple[dict, bytes]]:
    return [(entry, files[entry["path"]]) for entry in manifest["files"]]


# -- names and paths ----------------------------------------------------------------------------------
@pytest.mark.parametrize(("given", "expected"), [
    ("licsrv01", "licsrv01"),
    ("ls-01.corp.example", "ls-01.corp.example"),
    ("ls 01/x", "ls_01_x"),
    ("..", None),
    ("", None),
    ("  ", None),
])
def test_safe_set_name(given, expected):
    if expected is None:
        with pytest.raises(InputError):
            bkp.safe_set_name(given)
    else:
        assert bkp.safe_set_name(given) == expected


def test_generation_names_are_unique_and_sort_by_time_then_suffix():
    first = bkp.generation_name(NOW, [])
    assert first == "20261122T120000Z"
    assert bkp.generation_name(NOW, [first]) == "20261122T120000Z-2"
    taken = [first] + [f"{first}-{n}" for n in range(2, 11)]
    assert bkp.generation_name(NOW, taken) == "20261122T120000Z-11"
    shuffled = ["20261122T120000Z-10", "20261121T000000Z", "20261122T120000Z-2", "20261122T120000Z"]
    assert sorted(shuffled, key=bkp.generation_sort_key) == [
        "20261121T000000Z", "20261122T120000Z", "20261122T120000Z-2", "20261122T120000Z-10"]
    with pytest.raises(InputError):
        bkp.generation_name(datetime(2026, 11, 22), [])


@pytest.mark.parametrize(("name", "ok"), [
    ("20261122T120000Z", True), ("20261122T120000Z-2", True), ("20261122T120000Z-1", False),
    ("20261122T120000Z-02", False), (".tmp-20261122T120000Z-abc", False), ("latest", False), ("", False),
])
def test_is_generation_name(name, ok):
    assert bkp.is_generation_name(name) is ok


@pytest.mark.parametrize(("relpath", "kind"), [
    ("MyFiles/FID_a.lic", "license"),
    ("MyFiles/citrix_startup.lic", "startup"),
    ("MyFiles/Citrix_Startup.lic", "startup"),
    ("MyFiles/CITRIX.opt", "options"),
    ("MyFiles/citrix.OPT", "options"),
    ("WebServicesForLicensing/SimpleLicenseServiceConfig.xml", "proxy_config"),
    ("MyFiles/FID_a.LIC", None),
    ("MyFiles/FID_a.old", None),
    ("MyFiles/../../Windows/x.lic", None),
    ("MyFiles/sub/x.lic", None),
    ("MyFiles/..", None),
    ("LS/x.lic", None),
    ("MyFiles/a:b.lic", None),
    ("../manifest.json", None),
    # seed 004 ~2936: server.crt and server.key in LS\\conf; ~3579-3581: LS\\conf and LS\\resource\\cache
    ("LS/conf/server.crt", "certificate"),
    ("LS/conf/Server.KEY", "certificate"),
    ("LS/conf/other.cfg", "conf"),
    ("LS/conf/sub/server.crt", "conf"),
    ("LS/resource/cache/ud.bin", "cache"),
    ("LS/resource/cache/sub/x", "cache"),
    ("LS/conf", None),
    ("LS/resource/cache", None),
    ("LS/resource/cache/../../x", None),
    ("LS/Conf/server.crt", None),  # generation paths are written in one spelling
    ("LS/resource/usage/x.zip", None),
])
def test_kind_of_accepts_only_what_a_backup_writes(relpath, kind):
    if kind is None:
        with pytest.raises(InputError):
            bkp.kind_of(relpath)
    else:
        assert bkp.kind_of(relpath) == kind


def test_backup_sources_take_license_options_and_proxy_files_only():
    selected, skipped = bkp.backup_sources(INSTALL, [
        "FID_b.lic", "CITRIX.opt", "citrix_startup.lic", "FID_a.lic", "FID_old.old", "FID_x.LIC",
        "FID_a.lic.1234.2026-11-22@10:00~"])
    assert [s.relpath for s in selected] == [
        "MyFiles/CITRIX.opt", "MyFiles/citrix_startup.lic", "MyFiles/FID_a.lic", "MyFiles/FID_b.lic",
        bkp.PROXY_CONFIG_RELPATH]
    assert [s.kind for s in selected] == ["options", "startup", "license", "license", "proxy_config"]
    assert selected[2].host_path == INSTALL + r"\MyFiles\FID_a.lic"
    assert selected[-1].host_path == INSTALL + r"\WebServicesForLicensing\SimpleLicenseServiceConfig.xml"
    assert skipped == ["FID_a.lic.1234.2026-11-22@10:00~", "FID_old.old", "FID_x.LIC"]


@pytest.mark.parametrize(("given", "expected"), [
    (r"LS\resource\cache\ud.bin", "LS/resource/cache/ud.bin"),
    (r"ls\RESOURCE\Cache\ud.bin", "LS/resource/cache/ud.bin"),
    ("LS/resource/cache/", "LS/resource/cache"),
    (r"LS\conf", "LS/conf"),
    (r"LS\conf\sub\x.cfg", "LS/conf/sub/x.cfg"),
    (r"C:\Program Files (x86)\Citrix\Licensing\LS\conf\x", None),
    (r"\LS\conf\x", None),
    (r"\\server\share\LS\conf\x", None),
    (r"LS\conf\..\..\Windows\x", None),
    (r"LS\logs\lmgrd.log", None),
    (r"MyFiles\x.lic", None),
    (r"LS\resource", None),
    ("", None),
    (None, None),
])
def test_extra_relpath_only_under_ls_conf_and_the_cache(given, expected):
    if expected is None:
        with pytest.raises(InputError, match="extra_paths item"):
            bkp.extra_relpath(given)
    else:
        assert bkp.extra_relpath(given) == expected


def test_state_sources_take_the_certificate_pair_and_the_listed_files_only():
    """Seed 004 ~2936 names server.crt and server.key in LS\\conf; nothing else there or in the cache is named."""
    sources = bkp.state_sources(INSTALL, ["server.key", "Server.crt", "other.cfg", "server.pfx"],
                                ["LS/resource/cache/ud.bin", "LS/conf/server.key"])
    assert [(s.relpath, s.kind) for s in sources] == [
        ("LS/conf/Server.crt", "certificate"), ("LS/conf/server.key", "certificate"),
        ("LS/resource/cache/ud.bin", "cache")]
    assert sources[2].host_path == INSTALL + r"\LS\resource\cache\ud.bin"
    assert bkp.state_sources(INSTALL, [], []) == []


def test_untaken_warning_names_unlisted_files_but_not_the_upload_result():
    assert bkp.untaken_warning(bkp.LS_CACHE, ["upload_compliance_result.xml"], []) is None
    warning = bkp.untaken_warning(bkp.LS_CACHE, ["b.bin", "upload_compliance_result.xml", "a.bin"],
                                  ["LS/resource/cache/b.bin"])
    assert warning is not None and warning.startswith(r"LS\resource\cache holds a.bin, which the backup does not take")
    assert "user/device data" in warning and "ctxlic_dr_extra_paths" in warning
    conf = bkp.untaken_warning(bkp.LS_CONF, ["server.crt", "x.cfg"], ["LS/conf/server.crt"])
    assert conf is not None and conf.startswith(r"LS\conf holds x.cfg,")
    assert bkp.untaken_warning(bkp.LS_CONF, ["server.crt"], ["LS/conf/server.crt"]) is None


def test_a_format_1_manifest_is_read_but_may_hold_only_the_old_kinds():
    old = manifest_for({"MyFiles/FID_a.lic": lic()})
    old["format_version"] = 1
    assert bkp.validate_manifest(old, "m") is old
    new = manifest_for({"MyFiles/FID_a.lic": lic(), "LS/conf/server.crt": b"crt"})
    assert new["format_version"] == bkp.MANIFEST_VERSION == 2
    new["format_version"] = 1
    with pytest.raises(InputError, match="a format 1 manifest never holds"):
        bkp.validate_manifest(new, "m")


# -- manifest -----------------------------------------------------------------------------------------
def test_manifest_round_trip_records_hashes_and_identity():
    files = {"MyFiles/FID_a.lic": lic("XDT_PLT_UD"), "MyFiles/CITRIX.opt": b"# opt\r\n"}
    manifest = manifest_for(files, served=["XDT_PLT_UD", "CITRIX"])
    assert manifest["ls_hostname"] == "LICSRV01"
    assert manifest["served_features"] == ["CITRIX", "XDT_PLT_UD"]
    assert manifest["created_at"] == "2026-11-22T12:00:00Z"
    entry = next(f for f in manifest["files"] if f["path"] == "MyFiles/FID_a.lic")
    assert entry["sha256"] == bkp.sha256_hex(files["MyFiles/FID_a.lic"]) and entry["kind"] == "license"
    assert bkp.validate_manifest(manifest, "m") is manifest
    assert "MyFiles/FID_a.lic" in bkp.listing(manifest)


def _tampered(change) -> dict:
    manifest = manifest_for({"MyFiles/FID_a.lic": lic()})
    change(manifest)
    return manifest


@pytest.mark.parametrize(("change", "message"), [
    (lambda m: m["files"][0].update(path="MyFiles/../../evil.lic"), "MyFiles/<name>"),
    (lambda m: m["files"][0].update(path="C:/Windows/x.lic"), "MyFiles/<name>"),
    (lambda m: m["files"][0].update(kind="options"), "recorded as kind"),
    (lambda m: m["files"][0].update(sha256="ABC"), "sha256"),
    (lambda m: m["files"][0].update(size=-1), "size"),
    (lambda m: m["files"][0].update(size=True), "size"),
    (lambda m: m["files"].append(dict(m["files"][0], path="MyFiles/fid_a.LIC".replace("LIC", "lic"))), "twice"),
    (lambda m: m.update(format="other"), "format"),
    (lambda m: m.update(format_version=3), "format_version"),
    (lambda m: m.update(format_version=True), "format_version"),
    (lambda m: m.update(ls_hostname=" "), "ls_hostname"),
    (lambda m: m.pop("files"), "files"),
    (lambda m: m.update(served_features="XDT"), "served_features"),
    (lambda m: m.update(ports=[]), "ports"),
])
def test_validate_manifest_refuses_tampering(change, message):
    with pytest.raises(InputError, match=message):
        bkp.validate_manifest(_tampered(change), "manifest.json")


@settings(max_examples=200, deadline=None)
@given(st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(
        st.sampled_from(["format", "format_version", "files", "path", "kind", "size", "sha256", "ls_hostname",
                         "generation", "x"]), children, max_size=6),
    max_leaves=20))
def test_validate_manifest_raises_only_input_error(data):
    with contextlib.suppress(InputError):
        bkp.validate_manifest(data, "m")


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=60))
def test_kind_of_raises_only_input_error(relpath):
    with contextlib.suppress(InputError):
        assert bkp.kind_of(relpath) in bkp.KINDS


def test_fingerprint_ignores_time_but_not_content_or_version():
    files = {"MyFiles/FID_a.lic": lic()}
    first = manifest_for(files)
    later = manifest_for(files, generation="20261123T000000Z", served=["XDT_PLT_UD"])
    assert bkp.content_fingerprint(first) == bkp.content_fingerprint(later)
    changed = manifest_for({"MyFiles/FID_a.lic": lic("XDT_ENT_UD")})
    upgraded = manifest_for(files, version="11.17.2.0 build 49000")
    assert bkp.content_fingerprint(first) != bkp.content_fingerprint(changed)
    assert bkp.content_fingerprint(first) != bkp.content_fingerprint(upgraded)


# -- verification and retention -----------------------------------------------------------------------
def test_verify_files_names_missing_and_changed_files():
    files = {"MyFiles/FID_a.lic": lic(), "MyFiles/FID_b.lic": lic("XDT_ENT_UD")}
    manifest = manifest_for(files)
    good = {p: (len(d), bkp.sha256_hex(d)) for p, d in files.items()}
    assert bkp.verify_files(manifest, good) == []
    bad = dict(good, **{"MyFiles/FID_a.lic": (len(files["MyFiles/FID_a.lic"]), "0" * 64)})
    del bad["MyFiles/FID_b.lic"]
    problems = bkp.verify_files(manifest, bad)
    assert any("FID_a.lic does not match the manifest" in p for p in problems)
    assert any("FID_b.lic is missing" in p for p in problems)


def _gen(name: str, verified: bool = True) -> bkp.GenerationState:
    return bkp.GenerationState(name, {"files": []}, [] if verified else ["broken"])


@pytest.mark.parametrize(("generations", "keep", "kept", "deleted"), [
    ([_gen("20261101T000000Z"), _gen("20261102T000000Z"), _gen("20261103T000000Z")], 2,
     ["20261103T000000Z", "20261102T000000Z"], ["20261101T000000Z"]),
    ([_gen("20261101T000000Z"), _gen("20261102T000000Z", False), _gen("20261103T000000Z", False)], 2,
     ["20261103T000000Z", "20261102T000000Z", "20261101T000000Z"], []),
    ([_gen("20261101T000000Z"), _gen("20261101T000000Z-2"), _gen("20261101T000000Z-10")], 1,
     ["20261101T000000Z-10"], ["20261101T000000Z-2", "20261101T000000Z"]),
    ([_gen("20261101T000000Z", False)], 1, ["20261101T000000Z"], []),
    ([], 3, [], []),
    # A broken generation beyond `keep` may hold the only copy of a file: retention never deletes it.
    ([_gen("20261101T000000Z", False), _gen("20261102T000000Z"), _gen("20261103T000000Z"),
      _gen("20261104T000000Z")], 1,
     ["20261104T000000Z", "20261101T000000Z"], ["20261103T000000Z", "20261102T000000Z"]),
])
def test_retention_keeps_n_and_never_the_newest_verified(generations, keep, kept, deleted):
    assert bkp.plan_retention(generations, keep) == (kept, deleted)


def test_broken_generations_kept_only_for_being_broken_are_named():
    gens = [_gen("20261101T000000Z", False), _gen("20261102T000000Z", False), _gen("20261103T000000Z")]
    assert [g.name for g in bkp.broken_beyond_keep(gens, 2)] == ["20261101T000000Z"]
    assert bkp.broken_beyond_keep(gens, 3) == []


@pytest.mark.parametrize("keep", [0, -1, True, "3"])
def test_retention_refuses_bad_keep(keep):
    with pytest.raises(InputError, match="keep"):
        bkp.plan_retention([_gen("20261101T000000Z")], keep)


def test_select_generation_newest_or_named_never_silently_older():
    names = ["20261101T000000Z", "20261103T000000Z", ".tmp-x", "20261102T000000Z"]
    assert bkp.select_generation(names, None, "/b") == "20261103T000000Z"
    assert bkp.select_generation(names, "20261101T000000Z", "/b") == "20261101T000000Z"
    with pytest.raises(InputError, match="available: 20261103T000000Z, 20261102T000000Z"):
        bkp.select_generation(names, "20261104T000000Z", "/b")
    with pytest.raises(InputError, match="run the backup"):
        bkp.select_generation([".tmp-x"], None, "/b")


# -- identity, install --------------------------------------------------------------------------------
def test_identity_prefers_cluster_access_point_then_lmhostid():
    raw = {"lmhostid": {"stdout": 'The FlexNet host ID of this machine is "HOSTNAME=LICSRV01"'}}
    assert bkp.identity(raw, "LICSRV01", None) == ("LICSRV01", "lmhostid")
    assert bkp.identity({}, "LICSRV01", None) == ("LICSRV01", "computer_name")
    assert bkp.identity(raw, "NODE1", "LICCLUSTER") == ("LICCLUSTER", "cluster_access_point")


@pytest.mark.parametrize(("dr", "expected"), [
    ("LICSRV01", None),
    ("licsrv01", "differ only in case"),
    ("LicSrv01", "differ only in case"),
    ("LICSRV02", "identical host name"),
    ("LICSRV01.corp.example", "identical host name"),
    (None, "could not be read"),
])
def test_identity_refusals(dr, expected):
    refusals = rst.identity_refusals(dr, "computer_name", "LICSRV01")
    if expected is None:
        assert refusals == []
    else:
        assert len(refusals) == 1 and expected in refusals[0] and "nothing was changed" in refusals[0]


V45, V49, V51 = "11.17.2.0 build 45000", "11.17.2.0 build 49000", "11.17.2.0 build 51000"


@pytest.mark.parametrize(("installed", "installer", "clustered", "action", "refusal"), [
    (None, V49, False, "install", None),
    (None, V45, False, "install", None),
    (None, None, False, "install", "give the installer"),
    (None, "11.17.2.0 build 40000", False, "install", "older than the primary"),
    (None, "11.17.2.0", False, "none", "no build number"),
    (None, "eleven", False, "none", "cannot be read"),
    ("11.17.2.0 build 42000", V49, False, "upgrade", None),
    (V45, None, False, "none", None),
    (V51, V49, False, "none", None),
    ("garbage", V49, False, "none", "repair the DR installation"),
    (None, V49, True, "install", "Last Node in the Cluster"),
    ("11.17.2.0 build 42000", V49, True, "upgrade", "Last Node in the Cluster"),
    (V49, None, True, "none", None),
])
def test_plan_install(installed, installer, clustered, action, refusal):
    plan = rst.plan_install(backup_version=V45, installed_version=installed, installer_version=installer,
                            clustered=clustered)
    assert plan.action == action
    if refusal is None:
        assert plan.refusals == []
    else:
        assert len(plan.refusals) == 1 and refusal in plan.refusals[0]


def test_plan_install_with_an_unreadable_primary_version_warns_and_installs():
    plan = rst.plan_install(backup_version="unknown", installed_version=None, installer_version=V49, clustered=False)
    assert plan.action == "install" and plan.refusals == [] and "cannot be compared" in plan.warnings[0]
    assert rst.plan_install(backup_version="unknown", installed_version=V45, installer_version=None,
                            clustered=False).action == "none"


# -- restore plan -------------------------------------------------------------------------------------
def restore(files: dict[str, bytes], *, dr: str | None = "LICSRV01", dr_macs=(DR_MAC,), existing=None,
            exclude=(), served=None):
    manifest = manifest_for(files, served=served)
    return rst.plan_restore(with_data(manifest, files), manifest, install_dir=INSTALL, existing=existing or {},
                            dr_hostname=dr, dr_macs=list(dr_macs), exclude=list(exclude), today=TODAY)


def ops(plan) -> dict[str, str]:
    return {a.path.split("/")[-1]: a.operation for a in plan.actions}


def test_restore_to_the_same_name_restores_everything_but_the_startup_license():
    files = {"MyFiles/FID_a.lic": lic("XDT_PLT_UD"), "MyFiles/citrix_startup.lic": b"SERVER this_host ANY 27000\r\n",
             "MyFiles/CITRIX.opt": b"# opt", bkp.PROXY_CONFIG_RELPATH: b"<Configurations/>"}
    plan = restore(files, served=["CITRIX", "XDT_PLT_UD"])
    assert ops(plan) == {"FID_a.lic": "create", "citrix_startup.lic": "skip", "CITRIX.opt": "create",
                         "SimpleLicenseServiceConfig.xml": "create"}
    assert plan.refusals == [] and plan.changed and plan.myfiles_changed and plan.proxy_changed
    assert plan.expected_features == ["XDT_PLT_UD"]
    assert next(a for a in plan.actions if a.kind == "license").host_path == INSTALL + r"\MyFiles\FID_a.lic"


def test_restore_is_idempotent_by_checksum():
    files = {"MyFiles/FID_a.lic": lic(), "MyFiles/CITRIX.opt": b"# opt"}
    existing = {path: content_checksum(data) for path, data in files.items()}
    plan = restore(files, existing=existing)
    assert ops(plan) == {"FID_a.lic": "unchanged", "CITRIX.opt": "unchanged"}
    assert not plan.changed and not plan.myfiles_changed
    replaced = restore(files, existing={"MyFiles/CITRIX.opt": "0" * 40})
    assert ops(replaced)["CITRIX.opt"] == "replace" and replaced.myfiles_changed and not replaced.proxy_changed


def test_restore_to_a_name_that_differs_in_case_is_refused_per_file():
    plan = restore({"MyFiles/FID_a.lic": lic()}, dr="licsrv01")
    assert len(plan.refusals) == 1 and "differ only in case" in plan.refusals[0]
    assert "ctxlic_dr_exclude" in plan.refusals[0]


def test_a_file_the_primary_could_not_use_is_skipped_with_a_warning():
    files = {"MyFiles/FID_a.lic": lic("XDT_PLT_UD"), "MyFiles/FID_other.lic": lic("XDT_ENT_UD", host="OTHERHOST"),
             "MyFiles/FID_two.lic": lic("XDT_ADV_UD", hosts=["LICSRV01", "OTHER"])}
    plan = restore(files)
    assert plan.refusals == []
    assert ops(plan) == {"FID_a.lic": "create", "FID_other.lic": "skip", "FID_two.lic": "skip"}
    assert len(plan.warnings) == 2 and all("the primary could not use it either" in w for w in plan.warnings)
    assert plan.expected_features == ["XDT_PLT_UD"]


def test_a_mac_bound_file_of_the_primary_is_refused_unless_excluded():
    files = {"MyFiles/FID_a.lic": lic("XDT_PLT_UD"), "MyFiles/FID_mac.lic": lic("XDT_ENT_UD", mac=PRIMARY_MAC)}
    plan = restore(files)
    assert len(plan.refusals) == 1 and "FID_mac.lic" in plan.refusals[0] and "primary served it" in plan.refusals[0]
    excluded = restore(files, exclude=["fid_mac.lic", "FID_gone.lic"])
    assert excluded.refusals == [] and ops(excluded)["FID_mac.lic"] == "skip"
    assert excluded.expected_features == ["XDT_PLT_UD"]
    assert any("FID_gone.lic" in w for w in excluded.warnings)
    same_mac = restore(files, dr_macs=[PRIMARY_MAC])
    assert same_mac.refusals == [] and same_mac.expected_features == ["XDT_ENT_UD", "XDT_PLT_UD"]


def test_expected_features_without_recorded_served_features_are_all_restored_ones():
    files = {"MyFiles/FID_a.lic": lic("XDT_PLT_UD", "XDT_ENT_UD")}
    assert restore(files, served=None).expected_features == ["XDT_ENT_UD", "XDT_PLT_UD"]
    assert restore(files, served=["XDT_ENT_UD"]).expected_features == ["XDT_ENT_UD"]
    assert rst.missing_features(["A", "B"], ["B", "C"]) == ["A"]


def test_unserved_before_restore_owes_a_reread_only_on_evidence():
    # Files in place but not served: an earlier run stopped between the restore and its lmreread.
    assert rst.unserved_before_restore(["A", "B"], ["B"]) == ["A"]
    assert rst.unserved_before_restore(["A", "B"], ["A", "B", "C"]) == []
    assert rst.unserved_before_restore([], []) == []
    # lmstat did not answer: no evidence, the verification reports it instead.
    assert rst.unserved_before_restore(["A"], None) == []


# -- the primary --------------------------------------------------------------------------------------
SERVICES = list(pri.DEFAULT_PRIMARY_SERVICES)


def test_unreachable_primary_needs_confirmation():
    refused = pri.plan_primary("ls1", reachable=False, error="timeout", states={}, services=SERVICES,
                               confirmed_down=False)
    assert refused.refusal and "ctxlic_dr_primary_confirmed_down=true" in refused.refusal
    assert "timeout" in refused.refusal and refused.stop == []
    confirmed = pri.plan_primary("ls1", reachable=False, error="timeout", states={}, services=SERVICES,
                                 confirmed_down=True)
    assert confirmed.refusal is None and confirmed.stop == [] and "confirmed" in confirmed.notes[0]


@pytest.mark.parametrize(("states", "stop"), [
    ({"Citrix Licensing": (True, "running"), "CitrixWebServicesforLicensing": (True, "running")}, SERVICES),
    ({"Citrix Licensing": (True, "started"), "CitrixWebServicesforLicensing": (True, "stopped")},
     ["Citrix Licensing"]),
    ({"Citrix Licensing": (True, "start_pending")}, ["Citrix Licensing"]),
    ({"Citrix Licensing": (True, "stopped"), "CitrixWebServicesforLicensing": (False, None)}, []),
    ({}, []),
])
def test_reachable_primary_stops_what_is_not_stopped_even_when_confirmed(states, stop):
    plan = pri.plan_primary("ls1", reachable=True, error=None, states=states, services=SERVICES, confirmed_down=True)
    assert plan.refusal is None and plan.stop == stop
    assert pri.still_running(states, SERVICES) == stop


@pytest.mark.parametrize("services", [[], "Citrix Licensing", ["CitrixWebServicesforLicensing"], [""], [1]])
def test_check_services_refuses_lists_without_the_licensing_service(services):
    with pytest.raises(InputError):
        pri.check_services(services)


def test_ports_for_the_server_role_and_port_warnings():
    ports = {"license_server_port": 27010, "vendor_daemon_port": 7280, "web_services_port": 8090, "other": 1}
    assert rst.server_role_ports(ports) == {"license_server": 27010, "vendor_daemon": 7280, "web_services": 8090}
    warnings = rst.port_warnings({"license_server_port": 27010}, {"license_server_port": 27000})
    assert len(warnings) == 1 and "27000" in warnings[0] and "27010" in warnings[0]
    assert rst.port_warnings({"license_server_port": 27000}, {"license_server_port": 27000}) == []


# -- restore order and read-back ------------------------------------------------------------------------
def test_write_phases_put_state_files_first_whatever_their_names():
    """Seed 004 ~2934-2937: stop Citrix Licensing, copy the certificate pair, start it; then license files and reread
    (~4745). The order must come from the kinds, not from the alphabet."""
    files = {"MyFiles/A.lic": lic(), "MyFiles/CITRIX.opt": b"o", "LS/conf/server.crt": b"c",
             "LS/resource/cache/z.bin": b"z", bkp.PROXY_CONFIG_RELPATH: b"p"}
    manifest = manifest_for(files)
    entries = {e["path"]: e for e in manifest["files"]}
    ordered = [(entries[p], files[p]) for p in (bkp.PROXY_CONFIG_RELPATH, "MyFiles/A.lic", "LS/resource/cache/z.bin",
                                                "MyFiles/CITRIX.opt", "LS/conf/server.crt")]
    plan = rst.plan_restore(ordered, manifest, install_dir=INSTALL, existing={}, dr_hostname="LICSRV01",
                            dr_macs=[], exclude=[], today=TODAY)
    stopped, running = rst.write_phases(plan)
    assert [a.path for a in stopped] == ["LS/resource/cache/z.bin", "LS/conf/server.crt"]
    assert [a.path for a in running] == [bkp.PROXY_CONFIG_RELPATH, "MyFiles/A.lic", "MyFiles/CITRIX.opt"]
    assert plan.state_changed and plan.myfiles_changed
    same = rst.plan_restore(ordered, manifest, install_dir=INSTALL, dr_hostname="LICSRV01", dr_macs=[], exclude=[],
                            today=TODAY, existing={"LS/conf/server.crt": content_checksum(b"c"),
                                                   "LS/resource/cache/z.bin": content_checksum(b"z")})
    assert not same.state_changed and rst.write_phases(same)[0] == []
    excluded = rst.plan_restore(ordered, manifest, install_dir=INSTALL, existing={}, dr_hostname="LICSRV01",
                                dr_macs=[], exclude=["z.bin", "server.crt"], today=TODAY)
    assert rst.write_phases(excluded)[0] == []


def test_existing_checksums_ask_the_host_for_state_files():
    files = [({"path": "LS/conf/server.key", "kind": "certificate"}, b"k"),
             ({"path": "MyFiles/CITRIX.opt", "kind": "options"}, b"o")]
    known, ask = rst.existing_checksums({"myfiles": []}, files)
    assert ask == ["LS/conf/server.key"] and known == {"MyFiles/CITRIX.opt": None}


def test_readback_problems_compare_sha256():
    manifest = manifest_for({"LS/conf/server.crt": b"crt", "MyFiles/CITRIX.opt": b"opt"})
    actions = [rst.FileAction(e["path"], e["kind"], e["host_path"], "create", e["sha256"]) for e in manifest["files"]]
    assert rst.readback_problems(actions, {"LS/conf/server.crt": b"crt", "MyFiles/CITRIX.opt": b"opt"}) == []
    problems = rst.readback_problems(actions, {"LS/conf/server.crt": b"crx", "MyFiles/CITRIX.opt": None})
    assert len(problems) == 2
    assert problems[0].startswith(INSTALL + r"\LS\conf\server.crt on the DR host has sha256 ")
    assert problems[1] == INSTALL + r"\MyFiles\CITRIX.opt is not on the DR host after it was written"
