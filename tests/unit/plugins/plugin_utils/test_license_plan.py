# Copyright: (c) 2026, ctxlic maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Tests for license file deployment / removal / pruning decisions (seed 004 "Download licenses",
"Delete license files", "lmreread", "Clustered License Servers")."""

from __future__ import annotations

import hashlib
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ansible_collections.ctxlic.license_server.plugins.plugin_utils._license import plan as lp
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._common.errors import InputError
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._license.license_parser import parse_license_file
from clock import TODAY

INSTALL = r"C:\Program Files (x86)\Citrix\Licensing"
MYFILES = INSTALL + r"\MyFiles"
EXPIRED = date(2025, 6, 1)
VALID = date(2028, 12, 31)
MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")


def flex(day: date) -> str:
    return f"{day.day:02d}-{MONTHS[day.month - 1]}-{day.year}"


def text(binding: str = "HOSTNAME=LS01", *lines: dict, extra_server: str | None = None) -> bytes:
    """A license file: ``binding`` in the SERVER line, one INCREMENT per dict (feature, count, expiry,
    serial, issued, start, supersede)."""
    out = [f"SERVER this_host {binding}"]
    if extra_server:
        out.append(f"SERVER this_host {extra_server}")
    out += ["VENDOR CITRIX", "USE_SERVER"]
    for item in lines or ({"feature": "XDT_PLT_UD"},):
        expiry = item.get("expiry", VALID)
        expiry_text = "permanent" if expiry is None else flex(expiry)
        attrs = f"  DUP_GROUP=V ISSUED={flex(item.get('issued', date(2025, 1, 15)))}"
        if item.get("start"):
            attrs += f" START={flex(item['start'])}"
        if item.get("supersede"):
            attrs += f' SUPERSEDE="{item["supersede"]}"'
        serial = item.get("serial", "SN-" + item["feature"])
        sign = hashlib.sha256(f"{item['feature']}{serial}".encode()).hexdigest().upper()[:24]
        out += [
            f"INCREMENT {item['feature']} CITRIX 2027.0101 {expiry_text} {item.get('count', 10)} \\",
            "  VENDOR_STRING=;LT=Retail;GP=720;CL=VDS;SA=0;ODP=0 \\",
            f"{attrs} SN={serial} \\",
            f'  SIGN="{" ".join(sign[i:i + 4] for i in range(0, 24, 4))}"',
        ]
    return ("\r\n".join(out) + "\r\n").encode()


def report(name: str, data: bytes):
    return parse_license_file(name, data, today=TODAY)


def plan_write(name: str = "FID_a.lic", data: bytes | None = None, *, existing: str | None = None,
               hostname: str | None = "LS01", macs=(), force: bool = False) -> lp.WritePlan:
    data = text() if data is None else data
    return lp.plan_write(report(name, data), data, install_dir=INSTALL, existing_checksum=existing,
                         ls_hostname=hostname, macs=list(macs), force=force)


def codes(findings) -> list[str]:
    return [finding.code for finding in findings]


# -- paths and command lines ----------------------------------------------------------------------


def test_paths_under_the_install_dir() -> None:
    assert lp.ls_dir(INSTALL + "\\") == INSTALL + r"\LS"
    assert lp.myfiles_dir(INSTALL) == MYFILES
    assert lp.myfiles_path(INSTALL, "FID_a.lic") == MYFILES + r"\FID_a.lic"


@pytest.mark.parametrize(("name", "old"), [("FID_a.lic", "FID_a.old"), ("a.b.lic", "a.b.old")])
def test_old_name_changes_only_the_extension(name: str, old: str) -> None:
    assert lp.old_name(name) == old


@pytest.mark.parametrize(("cap", "target"), [
    (None, "@localhost"),
    ("", "@localhost"),
    ("LSCLUSTER", "@LSCLUSTER"),
    ("@ls-cap.corp.example", "@ls-cap.corp.example"),
])
def test_reread_argv(cap: str | None, target: str) -> None:
    assert lp.reread_argv(INSTALL, cap) == [INSTALL + r"\LS\lmreread.exe", "-c", target, "-all"]


@pytest.mark.parametrize("bad", ["client access point", "x;calc", "a&b", "-c", "@", 7])
def test_cluster_access_point_must_be_one_plain_name(bad: object) -> None:
    if bad == "@":
        assert lp.normalize_cluster_access_point(bad) is None
        return
    with pytest.raises(InputError, match="cluster_access_point"):
        lp.normalize_cluster_access_point(bad)


def test_lmhostid_argv() -> None:
    assert lp.lmhostid_argv(INSTALL) == [INSTALL + r"\LS\lmhostid.exe", "-hostname"]
    assert lp.lmhostid_argv(INSTALL, "ether") == [INSTALL + r"\LS\lmhostid.exe", "-ether"]
    with pytest.raises(InputError):
        lp.lmhostid_argv(INSTALL, "uuid")


def test_checksum_is_sha1_like_the_host_reports() -> None:
    assert lp.content_checksum(b"abc") == hashlib.sha1(b"abc").hexdigest()


@pytest.mark.parametrize(("name", "src", "expected"), [
    ("FID_x.lic", "/tmp/other.lic", "FID_x.lic"),
    (None, "/srv/licenses/FID_y.lic", "FID_y.lic"),
    ("", r"C:\downloads\FID_z.lic", "FID_z.lic"),
])
def test_license_name_for(name, src, expected) -> None:
    assert lp.license_name_for(name, src) == expected


def test_license_name_for_needs_one_of_them() -> None:
    with pytest.raises(InputError, match="name is required"):
        lp.license_name_for(None, None)


def test_duplicate_names_compare_like_ntfs() -> None:
    assert lp.duplicate_names(["a.lic", "B.lic", "A.lic", "b.lic", "c.lic"]) == ["a.lic", "B.lic"]
    assert lp.duplicate_names(["a.lic"]) == []


# -- writing ----------------------------------------------------------------------------------------


def test_new_file_is_created() -> None:
    plan = plan_write()
    assert plan.operation == "create" and plan.changed and not plan.refused
    assert plan.path == MYFILES + r"\FID_a.lic"
    assert plan.checksum == hashlib.sha1(text()).hexdigest()
    assert plan.features[0]["feature"] == "XDT_PLT_UD"


@pytest.mark.parametrize(("existing", "operation"), [
    (hashlib.sha1(text()).hexdigest(), "unchanged"),
    (hashlib.sha1(text()).hexdigest().upper(), "unchanged"),
    ("0" * 40, "replace"),
    ("", "replace"),
])
def test_idempotence_by_checksum(existing: str, operation: str) -> None:
    assert plan_write(existing=existing).operation == operation


@pytest.mark.parametrize(("hostname", "code"), [
    ("LS99", "binding_hostname_mismatch"),
    ("ls01", "binding_hostname_case"),
    ("LS01.corp.example", "binding_hostname_mismatch"),
    (None, "binding_unverifiable"),
])
def test_binding_errors_refuse_unless_forced(hostname: str | None, code: str) -> None:
    plan = plan_write(hostname=hostname)
    assert plan.refused and codes(plan.errors) == [code]
    assert "force=true" in lp.refusal_message(plan) and "nothing was written" in lp.refusal_message(plan)
    forced = plan_write(hostname=hostname, force=True)
    assert forced.operation == "create" and codes(forced.overridden) == [code]
    assert [f["severity"] for f in forced.findings()] == ["overridden"]


def test_binding_errors_refuse_even_when_the_content_is_already_there() -> None:
    plan = plan_write(hostname="LS99", existing=hashlib.sha1(text()).hexdigest())
    assert plan.refused


@pytest.mark.parametrize(("name", "code"), [
    ("citrix_startup.lic", "file_name_protected"),
    ("Citrix_Startup.lic", "file_name_protected"),
    ("FID_a.lic.txt", "file_name_extension"),
    ("FID_a.LIC", "file_name_extension"),
    (r"..\FID_a.lic", "file_name_path"),
    ("sub/FID_a.lic", "file_name_path"),
])
def test_file_name_errors_are_never_forced(name: str, code: str) -> None:
    plan = plan_write(name, force=True)
    assert plan.refused and code in codes(plan.errors) and plan.path == ""
    assert "force=true" not in lp.refusal_message(plan)


def test_several_hostname_lines_reported_once() -> None:
    data = text("HOSTNAME=LS01", extra_server="HOSTNAME=LS02")
    plan = plan_write(data=data)
    assert plan.refused and codes(plan.errors).count("multiple_hostnames") == 1
    assert "binding_multiple" not in codes(plan.errors)


def test_damaged_file_is_refused_without_a_second_binding_error() -> None:
    plan = plan_write(data=b"INCREMENT XDT_PLT_UD CITRIX\r\n")
    assert plan.refused and "binding_missing" not in codes(plan.errors)


@pytest.mark.parametrize(("macs", "refused"), [
    (["00:15:5d:aa:bb:01"], False),
    (["00155DAABB01", "001122334455"], False),
    (["001122334455"], True),
    ([], True),
])
def test_mac_binding(macs: list[str], refused: bool) -> None:
    plan = plan_write(data=text("00-15-5D-AA-BB-01"), hostname="LS01", macs=macs)
    assert plan.refused is refused
    assert lp.needs_macs([plan.report])


def test_warnings_do_not_refuse() -> None:
    plan = plan_write(data=text("HOSTNAME=LS01", {"feature": "XDT_PLT_UD", "expiry": EXPIRED}))
    assert plan.operation == "create" and "expired" in codes(plan.warnings)


def test_plan_write_wants_bytes() -> None:
    with pytest.raises(InputError, match="bytes"):
        lp.plan_write(report("a.lic", text()), "text", install_dir=INSTALL, existing_checksum=None,  # type: ignore[arg-type]
                      ls_hostname="LS01", macs=[])


@settings(max_examples=200, deadline=None)
@given(name=st.text(max_size=40), data=st.binary(max_size=600), host=st.one_of(st.none(), st.text(max_size=12)))
def test_plan_write_never_raises_for_any_file(name: str, data: bytes, host: str | None) -> None:
    plan = lp.plan_write(parse_license_file(name, data, today=TODAY), data, install_dir=INSTALL,
                         existing_checksum=None, ls_hostname=host, macs=[])
    assert plan.operation in ("create", "refuse")
    if plan.refused:
        assert plan.errors and lp.refusal_message(plan)


# -- removing ---------------------------------------------------------------------------------------


def remove(name: str = "FID_a.lic", data: bytes | None = None, others: dict[str, bytes] | None = None, *,
           exists: bool = True, old_exists: bool = False, is_dir: bool = False, force: bool = False,
           hostname: str | None = "LS01") -> lp.RemovePlan:
    data = text() if data is None else data
    return lp.plan_remove(
        name, install_dir=INSTALL, exists=exists, is_dir=is_dir, old_exists=old_exists,
        report=report(name, data) if exists and not is_dir else None,
        others=[report(n, d) for n, d in (others or {}).items()], ls_hostname=hostname, macs=[], today=TODAY,
        force=force)


@pytest.mark.parametrize("name", ["citrix_startup.lic", "CITRIX_STARTUP.LIC", "CITRIX.opt", "citrix.opt", "Citrix.OPT"])
def test_protected_files_are_never_removed(name: str) -> None:
    plan = remove(name, force=True)
    assert plan.refused and codes(plan.errors) == ["file_name_protected"]
    assert "never delete" in plan.errors[0].message


@pytest.mark.parametrize("name", ["FID_a.LIC", "x.lic.txt", r"..\x.lic", "C:x.lic"])
def test_only_bare_lic_names_are_removed(name: str) -> None:
    assert remove(name, force=True).refused


def test_missing_file_is_already_absent() -> None:
    plan = remove(exists=False)
    assert plan.operation == "absent" and not plan.changed and plan.features == []


def test_existing_old_file_or_directory_refuses() -> None:
    assert codes(remove(old_exists=True, force=True).errors) == ["old_file_exists"]
    assert codes(remove(is_dir=True, force=True).errors) == ["not_a_file"]
    assert "force=true" not in lp.refusal_message(remove(old_exists=True), what="removed")


def test_last_file_for_a_feature_is_refused_unless_forced() -> None:
    plan = remove(others={"FID_b.lic": text("HOSTNAME=LS01", {"feature": "XDT_ENT_UD"})})
    assert plan.refused and plan.lost_features == ["XDT_PLT_UD"]
    assert codes(plan.errors) == ["removal_loses_feature"]
    forced = remove(others={}, force=True)
    assert forced.operation == "remove" and codes(forced.overridden) == ["removal_loses_feature"]


def test_covered_feature_is_removed_with_a_warning() -> None:
    plan = remove(others={"FID_b.lic": text("HOSTNAME=LS01", {"feature": "XDT_PLT_UD", "serial": "B"})})
    assert plan.operation == "remove" and plan.lost_features == []
    assert "not_all_lines_obsolete" in codes(plan.warnings)


def test_expired_file_is_removed_without_objection() -> None:
    plan = remove(data=text("HOSTNAME=LS01", {"feature": "XDT_PLT_UD", "expiry": EXPIRED}))
    assert plan.operation == "remove" and "not_all_lines_obsolete" not in codes(plan.warnings)
    assert plan.features[0]["expiry"] == EXPIRED.isoformat()


def test_file_for_another_host_licenses_nothing_here() -> None:
    plan = remove(data=text("HOSTNAME=LS99"))
    assert plan.operation == "remove" and plan.lost_features == []


def test_files_the_server_ignores_do_not_cover_a_feature() -> None:
    others = {"FID_b.lic": text("HOSTNAME=LS99", {"feature": "XDT_PLT_UD"}),
              "FID_c.lic": text("HOSTNAME=LS01", extra_server="HOSTNAME=LS02")}
    assert remove(others=others).lost_features == ["XDT_PLT_UD"]


def test_active_supersede_covers_and_future_one_does_not() -> None:
    upgrade = {"feature": "MPS_ENT_CCU", "supersede": "XDT_PLT_UD", "issued": date(2026, 6, 1)}
    assert remove(others={"FID_up.lic": text("HOSTNAME=LS01", upgrade)}).operation == "remove"
    future = {**upgrade, "start": date(2030, 1, 1)}
    assert remove(others={"FID_up.lic": text("HOSTNAME=LS01", future)}).lost_features == ["XDT_PLT_UD"]


def test_unknown_host_name_errs_on_the_safe_side() -> None:
    others = {"FID_b.lic": text("HOSTNAME=LS01", {"feature": "XDT_PLT_UD", "serial": "B"})}
    plan = remove(others=others, hostname=None)
    assert plan.refused and plan.lost_features == ["XDT_PLT_UD"]
    expired = {"FID_x.lic": text("HOSTNAME=LS01", {"feature": "XDT_ENT_UD", "expiry": EXPIRED})}
    pruned = lp.plan_prune([report(n, d) for n, d in expired.items()], keep=[], ls_hostname=None, macs=[],
                           today=TODAY)
    assert pruned.remove == [] and [item["name"] for item in pruned.skipped] == ["FID_x.lic"]


def test_unreadable_file_is_removed_with_a_warning() -> None:
    plan = lp.plan_remove("FID_a.lic", install_dir=INSTALL, exists=True, old_exists=False, report=None, others=[],
                          ls_hostname="LS01", macs=[], today=TODAY)
    assert plan.operation == "remove" and codes(plan.warnings) == ["unreadable"]
    assert plan.old_path == MYFILES + r"\FID_a.old"


# -- pruning ----------------------------------------------------------------------------------------


STARTUP = b"""SERVER this_host ANY 27000\r
VENDOR CITRIX PORT=7279\r
USE_SERVER\r
INCREMENT CITRIX CITRIX 2038.0101 permanent uncounted \\\r
  VENDOR_STRING=;LT=SYS;GP=720;SA=0 HOSTID=ANY ISSUED=01-jan-2008 \\\r
  NOTICE="Citrix Systems" SIGN="0000 1111 2222 3333"\r
"""


def prune(files: dict[str, bytes], keep=()) -> lp.PrunePlan:
    return lp.plan_prune([report(n, d) for n, d in files.items()], keep=keep, ls_hostname="LS01", macs=[], today=TODAY)


def test_prune_removes_expired_and_superseded_files_only() -> None:
    files = {
        "citrix_startup.lic": STARTUP,
        "FID_expired.lic": text("HOSTNAME=LS01", {"feature": "XDT_ENT_UD", "expiry": EXPIRED}),
        "FID_std.lic": text("HOSTNAME=LS01", {"feature": "MPS_STD_CCU", "expiry": None}),
        "FID_upgrade.lic": text("HOSTNAME=LS01", {"feature": "MPS_ENT_CCU", "supersede": "MPS_STD_CCU",
                                                  "issued": date(2026, 6, 1), "expiry": None}),
        "FID_live.lic": text("HOSTNAME=LS01", {"feature": "XDT_PLT_UD"},
                             {"feature": "XDT_ADV_UD", "expiry": EXPIRED}),
    }
    plan = prune(files)
    assert plan.remove == ["FID_expired.lic", "FID_std.lic"]
    assert plan.skipped == []


def test_prune_keeps_the_last_file_for_a_feature() -> None:
    files = {
        "FID_last.lic": text("HOSTNAME=LS01", {"feature": "XDT_ADV_UD", "expiry": None}),
        "FID_future.lic": text("HOSTNAME=LS01", {"feature": "XDT_ADV_UD", "supersede": "XDT_ADV_UD", "serial": "F",
                                                 "issued": date(2026, 6, 1), "start": date(2030, 1, 1),
                                                 "expiry": None}),
    }
    assert prune(files).remove == []


def test_prune_skips_deployed_and_ignored_files() -> None:
    files = {
        "FID_new_but_expired.lic": text("HOSTNAME=LS01", {"feature": "XDT_ENT_UD", "expiry": EXPIRED}),
        "FID_other.lic": text("HOSTNAME=LS99", {"feature": "XDT_ENT_UD", "expiry": EXPIRED}),
    }
    plan = prune(files, keep=["fid_NEW_but_expired.lic"])
    assert plan.remove == []
    assert {item["name"] for item in plan.skipped} == {"FID_new_but_expired.lic", "FID_other.lic"}
    assert plan.to_dict()["skipped"][0]["reason"]


def test_prune_never_proposes_protected_files() -> None:
    expired_startup = STARTUP.replace(b"permanent", flex(EXPIRED).encode())
    assert prune({"citrix_startup.lic": expired_startup}).remove == []


# -- diff text --------------------------------------------------------------------------------------


def test_features_text_shows_counts_and_dates_never_signatures() -> None:
    data = text("HOSTNAME=LS01", {"feature": "XDT_PLT_UD", "count": 42, "serial": "S-9"})
    rendered = lp.features_text(report("FID_a.lic", data))
    assert "binding: hostname LS01" in rendered
    assert "XDT_PLT_UD: count=42 expiry=2028-12-31 css_date=2027-01-01 serial=S-9" in rendered
    sign = data.decode().split('SIGN="')[1].split('"')[0]
    assert "SIGN" not in rendered and sign.split()[0] not in rendered
    assert lp.features_text(None) == ""
    assert "(none)" in lp.features_text(report("x.lic", b"SERVER this_host HOSTNAME=LS01\r\nVENDOR CITRIX\r\n"))


# Citrix Licensing 11.17.2 build 49000 documentation, Clustered License Servers (seed 004 ~4625, 4644, 4663): the
# files of a cluster name the client access point as the host name; the name must be fewer than 15 characters.
def test_cluster_bindings_are_checked_against_the_client_access_point() -> None:
    assert lp.binding_hostname("NODE1", None) == "NODE1"
    assert lp.binding_hostname("NODE1", "@LSCLUSTER") == "LSCLUSTER"
    with pytest.raises(InputError, match="cluster_access_point"):
        lp.binding_hostname("NODE1", "bad name")


def test_cluster_access_point_of_15_characters_or_more_is_warned() -> None:
    assert lp.cluster_access_point_warnings("LSCLUSTER0001") == []
    assert lp.cluster_access_point_warnings("LSCLUSTER00001.corp.example") == []  # the NetBIOS name is 14
    [warning] = lp.cluster_access_point_warnings("LSCLUSTER000001")
    assert "fewer than 15 characters" in warning and "Clustered License Servers" in warning
    assert "seed" not in warning
