# Copyright: (c) 2026, ctxlic maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Tests for the license-file parser and the rules built on it
(plugins/plugin_utils/_license/license_{model,names,parser,binding,inventory}.py)."""

from __future__ import annotations

import datetime
import itertools
import json
import random
import re
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from ansible_collections.ctxlic.license_server.plugins.plugin_utils._common.errors import InputError
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._license.license_parser import (
    MAX_FILE_BYTES,
    parse_license_file,
    parse_vendor_string,
)
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._license.license_model import (
    MAX_FINDINGS_PER_CODE,
    LicenseFileReport,
)
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._license.license_names import (
    PROTECTED_FILES,
    is_protected,
    validate_file_name,
)
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._license.license_binding import (
    check_binding,
    normalize_mac,
)
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._license.license_inventory import (
    feature_summary,
    inventory_summary,
    obsolete_files,
)
from clock import TODAY

FIXTURES = Path(__file__).resolve().parents[3] / "fixtures" / "license_files"
EXPECTED = yaml.safe_load((FIXTURES / "EXPECTED.yml").read_text(encoding="utf-8"))["fixtures"]
HEADER = "SERVER this_host HOSTNAME=LS01\nVENDOR CITRIX\nUSE_SERVER\n"


def fixture_bytes(file_name: str) -> bytes:
    return (FIXTURES / file_name).read_bytes()


def parse_fixture(file_name: str, name: str | None = None, today: datetime.date = TODAY) -> LicenseFileReport:
    entry = next((item for item in EXPECTED if item["file"] == file_name), {})
    return parse_license_file(name or entry.get("name", file_name), fixture_bytes(file_name), today=today)


def parse_text(text: str, name: str = "inline.lic", **kwargs) -> LicenseFileReport:
    kwargs.setdefault("today", TODAY)
    return parse_license_file(name, text.encode("utf-8"), **kwargs)


def increment(
    feature: str = "XDT_PLT_UD",
    expiry: str = "permanent",
    count: str | int = 10,
    sign: str = "AAAA BBBB CCCC DDDD",
    extra: str = "",
    css: str = "2027.0101",
) -> str:
    return (
        f"INCREMENT {feature} CITRIX {css} {expiry} {count} \\\n"
        f'  VENDOR_STRING=;LT=Retail;GP=720;SA=0;ODP=0 DUP_GROUP=V NOTICE="Example" {extra}\\\n'
        f'  SN=SN-1 SIGN="{sign}"\n'
    )


def codes(findings) -> list[str]:
    return sorted(finding.code for finding in findings)


# --------------------------------------------------------------------------------------------
# Fixture corpus
# --------------------------------------------------------------------------------------------


def test_corpus_is_large_and_fully_classified():
    on_disk = {path.name for path in FIXTURES.iterdir() if path.name != "EXPECTED.yml"}
    listed = [entry["file"] for entry in EXPECTED]
    assert len(on_disk) >= 25
    assert sorted(listed) == sorted(on_disk), "every fixture needs exactly one EXPECTED.yml entry"


@pytest.mark.parametrize("entry", EXPECTED, ids=[entry["file"] for entry in EXPECTED])
def test_fixture_classification(entry):
    report = parse_fixture(entry["file"])
    assert report.binding.kind == entry["binding"]["kind"]
    assert report.binding.value == entry["binding"]["value"]
    assert [[feature.feature, feature.count] for feature in report.features] == entry["features"]
    assert codes(report.errors) == sorted(entry["errors"])
    assert codes(report.warnings) == sorted(entry["warnings"])
    assert report.valid is (not entry["errors"])
    result = report.to_dict()
    json.dumps(result)
    assert result["valid"] is report.valid
    assert all(finding["severity"] == "error" for finding in result["errors"])
    assert all(finding["severity"] == "warning" for finding in result["warnings"])


def test_seed_mps_example_details():
    report = parse_fixture("seed_mps_ent_ccu_hostname.lic")
    assert (report.vendor, report.use_server, report.server_port) == ("CITRIX", True, None)
    feature = report.features[0].to_dict()
    assert feature["css_date"] == "2006-04-28"
    assert feature["expiry"] == "2006-05-01"
    assert feature["issued"] == "2004-03-12"
    assert feature["start"] == "2004-03-11"
    assert feature["serial"] == "LA-0000150712-86261:872"
    assert feature["notice"] == "eMail Test - Citrix"
    assert feature["dup_group"] == "V"
    assert feature["vendor_string_fields"] == {"LT": "Retail", "GP": "720", "CL": "ENT,ADV,STD", "SA": "0", "ODP": "0"}
    assert feature["friendly_name"] == "Citrix Presentation Server Enterprise|Concurrent User"
    assert feature["signed"] is True
    assert feature["expired"] is True
    assert report.product_names["MPS_STD_CCU"] == "Citrix Presentation Server Standard|Concurrent User"


def test_seed_xdt_saas_continuation_inside_quotes():
    feature = parse_fixture("seed_xdt_plt_ccs_saas.lic").features[0]
    assert feature.notice == "Citrix Systems Inc."
    assert feature.overdraft == 1
    assert feature.serial == "RetailSSaaS"
    assert feature.vendor_string_fields["CL"] == "VDS,VDA,VDE,VDP,SaaS"
    assert feature.vendor_string_fields["AP"] == "ADMIN/INT/14"
    assert feature.friendly_name == "Citrix Virtual Apps and Desktops Premium|Concurrent System"


def test_quoted_values_spanning_lines_are_joined():
    feature = parse_fixture("notice_issuer_quoted_continuations.lic").features[0]
    assert feature.notice == "Example Holding Europe B.V."
    assert feature.issuer == "Citrix Systems, Inc."
    assert feature.signed


def test_supersede_sign_lists_feature_names_only():
    renewal = parse_fixture("seed_cbr_renewal_supersede_sign.lic").features[0]
    assert renewal.supersede_sign == ["CBR_100_SSERVER"]
    assert parse_fixture("supersede_sign_two_entries_multiline.lic").features[0].supersede_sign == [
        "XDT_PLT_UD",
        "XDT_PLT_CCS",
    ]


def test_supersede_attribute_and_dates():
    feature = parse_fixture("supersede_edition_upgrade.lic").features[0]
    assert feature.supersede == ["MPS_ADV_CCU", "MPS_STD_CCU"]
    assert feature.issued == datetime.date(2026, 11, 1)
    start = parse_fixture("seed_mps_ent_ccu_2008_one_digit_start.lic").features[0]
    assert (start.start, start.issued, start.permanent) == (datetime.date(2007, 6, 6), datetime.date(2007, 6, 6), True)


@pytest.mark.parametrize(
    ("file_name", "expected"),
    [
        ("expiry_year_zero_forms.lic", [("permanent", True), ("permanent", True)]),
        ("month_names_mixed_case.lic", [("2027-12-15", False)]),
        ("one_digit_day_expiry.lic", [("2027-06-06", False)]),
        ("seed_cbr_base_permanent.lic", [("permanent", True)]),
    ],
)
def test_expiry_forms(file_name, expected):
    assert [(feature.expiry, feature.permanent) for feature in parse_fixture(file_name).features] == expected


def test_mixed_case_issued_and_one_digit_start():
    feature = parse_fixture("month_names_mixed_case.lic").features[0]
    assert (feature.issued, feature.start) == (datetime.date(2025, 2, 3), datetime.date(2025, 2, 3))


def test_date_flags_and_days():
    soon = parse_fixture("expiring_soon_term.lic").features[0]
    assert (soon.days_to_expiry, soon.expired) == (18, False)
    future = parse_fixture("future_start_date.lic").features[0]
    assert future.not_yet_started and not future.expired
    assert parse_fixture("expired_term_license.lic").features[0].expired


def test_expiry_warning_days_is_honoured():
    assert codes(parse_fixture("expiring_soon_term.lic").warnings) == ["expiring_soon"]
    quiet = parse_license_file("x.lic", fixture_bytes("expiring_soon_term.lic"), today=TODAY, expiry_warning_days=10)
    assert quiet.warnings == []


@pytest.mark.parametrize(
    ("file_name", "bom", "endings"),
    [
        ("utf8_bom.lic.bin", True, "lf"),
        ("crlf_line_endings.lic.bin", False, "crlf"),
        ("utf8_bom_crlf.lic.bin", True, "crlf"),
        ("mac_bound_plain.lic", False, "lf"),
    ],
)
def test_encoding_facts(file_name, bom, endings):
    report = parse_fixture(file_name)
    assert (report.bom, report.line_endings) == (bom, endings)


def test_latin1_bytes_are_replaced_and_reported():
    report = parse_fixture("latin1_notice.lic.bin")
    assert report.features[0].notice == "M\ufffdller Stahlbau GmbH"
    assert report.replaced_bytes == 1
    assert report.warnings[0].line is not None


def test_startup_license_is_protected_and_bound_to_any_host():
    report = parse_fixture("citrix_startup_like.lic")
    assert report.protected and report.valid
    assert [feature.version for feature in report.features] == ["2038.0101", "2038.0101"]
    assert report.features[1].friendly_name == "Citrix License Server Diagnostics License|Server"
    assert check_binding(report, ls_hostname="LS01", macs=[]) == []


def test_server_port_and_uncounted():
    assert parse_fixture("server_line_with_port.lic").server_port == 27000
    feature = parse_fixture("uncounted_nodelocked.lic").features[0]
    assert (feature.count, feature.uncounted, feature.flags, feature.attributes) == (
        0,
        True,
        ["TS_OK"],
        {"HOSTID": "ANY"},
    )


def test_multiple_hostnames_binding_lists_every_value():
    report = parse_fixture("multiple_hostnames_two_servers.lic")
    assert report.binding.values == ["ls01", "ls02"]
    assert "ignores" in report.errors[0].message


def test_seed_rendering_with_lost_backslash_reports_orphan_line():
    report = parse_fixture("seed_xdt_literal_missing_backslash.lic")
    unknown = next(finding for finding in report.warnings if finding.code == "unknown_line")
    assert unknown.line == 6  # line 5 (VENDOR_STRING) still belongs to the INCREMENT
    assert report.features[0].signed is False


# --------------------------------------------------------------------------------------------
# Lexer and attribute details (inline texts)
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "errors", "warnings"),
    [
        (increment(count="many"), ["malformed_increment"], []),
        (increment(expiry="31-feb-2027"), ["malformed_increment"], []),
        (increment(expiry="01-jan-27"), ["malformed_increment"], []),
        (increment(expiry="01-foo-2027"), ["malformed_increment"], []),
        (increment(extra="START=1-jan-0 "), ["malformed_increment"], []),
        (increment(extra="ISSUED=yesterday "), [], ["bad_attribute"]),
        (increment(extra="OVERDRAFT=lots "), [], ["bad_attribute"]),
        (increment(css="2027.1301"), [], ["css_date_invalid"]),
        (increment(css="abc"), ["malformed_increment"], []),
        (increment(css="1.0"), [], []),
        (increment(feature="BAD$NAME"), ["malformed_increment"], []),
        (increment(extra='NOTICE="again" '), [], ["duplicate_attribute"]),
        (increment(extra="WHATEVER "), [], ["unexpected_token"]),
        (increment().replace(" CITRIX ", " OTHERVENDOR ", 1), [], ["foreign_vendor"]),
        ('UPGRADE F CITRIX 1.0 2.0 permanent 1 SIGN="AAAA"\n' + increment(), [], ["unsupported_line"]),
        (
            'INCREMENT XDT_PLT_UD CITRIX 2027.0101 permanent VENDOR_STRING=;SA=0 SIGN="AA"\n',
            ["malformed_increment"],
            [],
        ),
        (increment().replace('SIGN="AAAA BBBB CCCC DDDD"', ""), ["missing_signature"], []),
        (increment().replace('SIGN="AAAA BBBB CCCC DDDD"', 'SIGN=""'), ["missing_signature"], []),
        (increment(extra='SUPERSEDE_SIGN={"XDT_PLT_UD:AAAA '), ["truncated_increment"], []),
        ("", [], ["no_feature_lines"]),
    ],
)
def test_line_level_findings(body, errors, warnings):
    report = parse_text(HEADER + body)
    assert codes(report.errors) == errors
    assert codes(report.warnings) == warnings


def test_two_server_lines_without_hostname_are_a_warning_only():
    report = parse_text("SERVER this_host 0015C5F0A1B2\nSERVER this_host 0015C5F0A1B3\nVENDOR CITRIX\n" + increment())
    assert report.binding.kind == "multiple"
    assert codes(report.errors) == []
    assert codes(report.warnings) == ["multiple_server_lines"]


def test_server_line_without_binding_is_an_error():
    report = parse_text("SERVER this_host\nVENDOR CITRIX\n" + increment())
    assert codes(report.errors) == ["malformed_server_line"]
    assert report.binding.kind == "none"


def test_missing_vendor_line_is_a_warning():
    report = parse_text("SERVER this_host HOSTNAME=LS01\n" + increment())
    assert codes(report.warnings) == ["no_vendor_line"]


def test_vendor_path_and_daemon_synonym():
    report = parse_text('SERVER this_host HOSTNAME=LS01\nVENDOR CITRIX "C:\\Program Files\\CITRIX.exe"\n' + increment())
    assert (report.vendor, report.vendor_path) == ("CITRIX", "C:\\Program Files\\CITRIX.exe")
    assert parse_text("SERVER this_host HOSTNAME=LS01\nDAEMON CITRIX\n" + increment()).vendor == "CITRIX"


def test_bare_supersede_means_own_feature():
    feature = parse_text(HEADER + increment(extra="SUPERSEDE ISSUED=01-nov-2026 ")).features[0]
    assert feature.supersede == ["XDT_PLT_UD"]
    assert feature.flags == ["SUPERSEDE"]


def test_unquoted_signature_after_empty_sign_is_absorbed():
    text = HEADER + "INCREMENT XDT_PLT_UD CITRIX 2027.0101 permanent 5 SN=1 SIGN= \\\n  0A1B 2C3D \\\n  4E5F 6A7B\n"
    report = parse_text(text)
    assert report.valid and report.warnings == []
    assert report.features[0].signed


def test_lowercase_keyword_and_ether_key():
    # Keywords are upper case (Citrix Licensing 11.17.2 build 49000 documentation, License file format; issue 17
    # item 8): lower-case lines are not read, as the lab's daemon does not read them.
    report = parse_text(
        "server this_host ETHER=00-15-c5-f0-a1-b2\nvendor CITRIX\n"
        + increment().lower().replace("xdt_plt_ud", "XDT_PLT_UD")
    )
    assert report.binding.kind == "none" and report.features == []
    assert {w.code for w in report.warnings} == {"keyword_case"}
    report = parse_text("SERVER this_host ETHER=00-15-c5-f0-a1-b2\nVENDOR CITRIX\n" + increment())
    assert report.binding.kind == "mac"
    assert report.binding.value == "0015C5F0A1B2"


def test_other_binding_kinds():
    report = parse_text("SERVER this_host ID=1234-5678\nVENDOR CITRIX\n" + increment())
    assert (report.binding.kind, report.binding.value) == ("other", "ID=1234-5678")
    assert codes(check_binding(report, ls_hostname="LS01", macs=[])) == ["binding_unsupported"]


def test_citrixterm_prefers_english():
    comments = (
        "#CITRIXTERM FEATURE 2.0 XDT_PLT_UD DE Citrix Virtual Apps Premium (de)\n"
        "#CITRIXTERM FEATURE 2.0 XDT_PLT_UD EN Citrix Virtual Apps Premium\n"
        "#CITRIXTERM FEATURE 2.0 XDT_PLT_UD FR Citrix Virtual Apps Premium (fr)\n"
        "#CITRIXTERM FEATURE 2.0 XDT_ADV_CCS JA Advanced (ja)\n"
    )
    report = parse_text(HEADER + increment() + comments)
    assert report.product_names == {"XDT_PLT_UD": "Citrix Virtual Apps Premium", "XDT_ADV_CCS": "Advanced (ja)"}
    assert report.features[0].friendly_name == "Citrix Virtual Apps Premium"


def test_unclosed_brace_at_eof_is_truncated():
    report = parse_text(HEADER + 'INCREMENT F CITRIX 2027.0101 permanent 1 SUPERSEDE_SIGN={\n "F:AAAA"\n')
    assert codes(report.errors) == ["truncated_increment"]


def test_truncated_server_line_is_an_error():
    report = parse_text('SERVER this_host HOSTNAME="LS01\nVENDOR CITRIX\n' + increment())
    assert "malformed_line" in codes(report.errors)


@pytest.mark.parametrize(
    ("value", "fields"),
    [
        (
            ";LT=Retail;GP=720;CL=ENT,ADV;SA=0;ODP=0",
            {"LT": "Retail", "GP": "720", "CL": "ENT,ADV", "SA": "0", "ODP": "0"},
        ),
        (";ODP=0; NUDURMIN=2880", {"ODP": "0", "NUDURMIN": "2880"}),
        ("", {}),
        (";;FLAG;", {"FLAG": ""}),
    ],
)
def test_parse_vendor_string(value, fields):
    assert parse_vendor_string(value) == fields


def test_str_and_bytearray_input_accepted():
    text = HEADER + increment()
    assert parse_license_file("a.lic", text, today=TODAY).valid
    assert parse_license_file("a.lic", bytearray(text.encode()), today=TODAY).valid


def test_datetime_today_is_accepted():
    report = parse_license_file(
        "a.lic", fixture_bytes("expired_term_license.lic"), today=datetime.datetime(2026, 11, 22, 8, 0)
    )
    assert report.features[0].expired


@pytest.mark.parametrize(
    "kwargs",
    [
        {"today": "2026-11-22"},
        {"today": TODAY, "expiry_warning_days": -1},
        {"today": TODAY, "expiry_warning_days": True},
    ],
)
def test_bad_arguments_raise_input_error(kwargs):
    with pytest.raises(InputError):
        parse_license_file("a.lic", b"", **kwargs)


def test_bad_data_type_raises_input_error():
    with pytest.raises(InputError):
        parse_license_file("a.lic", 42, today=TODAY)
    with pytest.raises(InputError):
        parse_license_file(None, b"", today=TODAY)


def test_oversized_input_is_refused_without_parsing():
    report = parse_license_file("big.lic", b"#" * (MAX_FILE_BYTES + 1), today=TODAY)
    assert codes(report.errors) == ["not_a_license_file"]


def test_repeated_findings_are_capped_and_counted():
    report = parse_text(HEADER + increment() + "ORPHAN=1\n" * (MAX_FINDINGS_PER_CODE + 6))
    assert codes(report.warnings) == ["findings_truncated"] + ["unknown_line"] * MAX_FINDINGS_PER_CODE
    assert report.warnings[-1].code == "findings_truncated"
    assert "unknown_line x6" in report.warnings[-1].message


def test_one_warning_per_line_for_repeated_attributes():
    report = parse_text(HEADER + increment(extra="X=1 X=2 Y=1 Y=2 " * 20))
    assert codes(report.warnings) == ["duplicate_attribute"]
    assert "X, Y" in report.warnings[0].message


# --------------------------------------------------------------------------------------------
# File names
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("FID_30d0000_0000_xxxx_c800_00xyy000zz7.lic", []),
        ("my licenses 2026.lic", []),
        ("license.LIC", ["file_name_extension"]),
        ("license.Lic", ["file_name_extension"]),
        ("license.lic.txt", ["file_name_extension"]),
        ("license.txt", ["file_name_extension"]),
        ("license", ["file_name_extension"]),
        ("license.old", ["file_name_extension"]),
        ("", ["file_name_empty"]),
        ("   ", ["file_name_empty"]),
        (None, ["file_name_empty"]),
        (".lic", ["file_name_empty"]),
        ("../evil.lic", ["file_name_path"]),
        ("..\\evil.lic", ["file_name_path"]),
        ("..\\..\\Windows\\System32\\evil.lic", ["file_name_path"]),
        ("sub/x.lic", ["file_name_path"]),
        ("C:x.lic", ["file_name_path"]),
        ("C:\\x.lic", ["file_name_path"]),
        ("\\\\server\\share\\x.lic", ["file_name_path"]),
        ("..", ["file_name_path"]),
        ("citrix_startup.lic", ["file_name_protected"]),
        ("CITRIX_STARTUP.LIC", ["file_name_extension", "file_name_protected"]),
        ("CITRIX.opt", ["file_name_extension", "file_name_protected"]),
        ("citrix.OPT", ["file_name_extension", "file_name_protected"]),
        ("CON.lic", ["file_name_reserved"]),
        ("lpt1.lic", ["file_name_reserved"]),
        ("a<b.lic", ["file_name_invalid_chars"]),
        ("a\tb.lic", ["file_name_invalid_chars"]),
        ("x.lic:stream", ["file_name_extension", "file_name_invalid_chars"]),
        ("x.lic ", ["file_name_extension", "file_name_invalid_chars"]),
        (" x.lic", ["file_name_invalid_chars"]),
        ("a" * 252 + ".lic", ["file_name_too_long"]),
        ("FID_%TEMP%.lic", ["file_name_expands"]),
        ("FID_100%.lic", []),
    ],
)
def test_validate_file_name(name, expected):
    assert codes(validate_file_name(name)) == sorted(expected)


@pytest.mark.parametrize(
    ("name", "needle"),
    [("x.LIC", "lower-case"), ("x.lic.txt", "appended '.txt'"), ("citrix_startup.lic", "never"),
     ("a%b%.lic", "at most one '%'")],
)
def test_file_name_messages_say_what_to_do(name, needle):
    assert needle in " ".join(finding.message for finding in validate_file_name(name))


def test_validate_file_name_rejects_non_strings():
    with pytest.raises(InputError):
        validate_file_name(42)


@pytest.mark.parametrize(
    ("name", "protected"),
    [
        ("citrix_startup.lic", True),
        ("Citrix_Startup.LIC", True),
        ("CITRIX.opt", True),
        ("citrix.opt", True),
        ("citrix.opt.old", False),
        ("FID_1.lic", False),
        (None, False),
    ],
)
def test_is_protected(name, protected):
    assert is_protected(name) is protected
    assert PROTECTED_FILES == ("citrix_startup.lic", "CITRIX.opt")


def test_protected_name_is_not_an_error_when_parsing():
    report = parse_license_file("CITRIX_startup.lic", fixture_bytes("citrix_startup_like.lic"), today=TODAY)
    assert report.protected and report.valid


# --------------------------------------------------------------------------------------------
# Bindings
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("ls_hostname", "expected"),
    [
        ("LicServer01", []),
        ("licserver01", ["binding_hostname_case"]),
        ("LICSERVER01", ["binding_hostname_case"]),
        ("LicServer02", ["binding_hostname_mismatch"]),
        ("LicServer01.corp.example", ["binding_hostname_mismatch"]),
        (None, ["binding_unverifiable"]),
        ("  ", ["binding_unverifiable"]),
    ],
)
def test_check_binding_hostname(ls_hostname, expected):
    report = parse_fixture("hostname_mixed_case.lic")
    assert codes(check_binding(report, ls_hostname=ls_hostname, macs=[])) == expected


def test_case_only_difference_is_explained():
    report = parse_fixture("hostname_mixed_case.lic")
    message = check_binding(report, ls_hostname="licserver01", macs=[])[0].message
    assert "only in case" in message and "case-sensitive" in message
    fqdn = check_binding(report, ls_hostname="LicServer01.corp.example", macs=[])[0].message
    assert "fully qualified" in fqdn


@pytest.mark.parametrize("file_name", ["mac_bound_plain.lic", "mac_bound_dashes.lic", "mac_bound_colons_lowercase.lic"])
@pytest.mark.parametrize(
    ("macs", "expected"),
    [
        (["0015C5F0A1B2"], []),
        (["00-15-c5-f0-a1-b2"], []),
        (["AA:BB:CC:DD:EE:FF", "00:15:C5:F0:A1:B2"], []),
        (["0015C5F0A1B3"], ["binding_mac_mismatch"]),
        (["not-a-mac", "00-15-C5-F0-A1-B3"], ["binding_mac_mismatch"]),
        ([], ["binding_unverifiable"]),
        (["garbage"], ["binding_unverifiable"]),
    ],
)
def test_check_binding_mac(file_name, macs, expected):
    report = parse_fixture(file_name)
    assert codes(check_binding(report, ls_hostname="LS01", macs=macs)) == expected


@pytest.mark.parametrize(
    ("file_name", "expected"),
    [
        ("multiple_hostnames_two_servers.lic", ["binding_multiple"]),
        ("no_server_line.lic", ["binding_missing"]),
        ("citrix_startup_like.lic", []),
    ],
)
def test_check_binding_other_kinds(file_name, expected):
    assert codes(check_binding(parse_fixture(file_name), ls_hostname="ls01", macs=["0015C5F0A1B2"])) == expected


def test_check_binding_rejects_a_string_of_macs():
    with pytest.raises(InputError):
        check_binding(parse_fixture("mac_bound_plain.lic"), ls_hostname=None, macs="0015C5F0A1B2")


@pytest.mark.parametrize(
    ("value", "normalized"),
    [
        ("0015C5F0A1B2", "0015C5F0A1B2"),
        ("00-15-c5-f0-a1-b2", "0015C5F0A1B2"),
        ("00:15:C5:F0:A1:B2", "0015C5F0A1B2"),
        ("00-15:C5-F0-A1-B2", None),
        ("0015C5F0A1B", None),
        ("HOSTNAME=x", None),
        (42, None),
    ],
)
def test_normalize_mac(value, normalized):
    assert normalize_mac(value) == normalized


# --------------------------------------------------------------------------------------------
# Summaries
# --------------------------------------------------------------------------------------------


def test_feature_summary_is_small_and_signature_free():
    summary = feature_summary(parse_fixture("several_increments_features.lic"))
    assert summary == [
        {
            "feature": "XDT_PLT_UD",
            "count": 100,
            "expiry": "permanent",
            "css_date": "2027-01-01",
            "serial": "FID-A:1",
            "friendly_name": "Citrix Virtual Apps and Desktops Premium|User/Device",
        },
        {
            "feature": "XDT_ADV_CCS",
            "count": 50,
            "expiry": "permanent",
            "css_date": "2027-01-01",
            "serial": "FID-A:2",
            "friendly_name": "Citrix Virtual Apps and Desktops Advanced|Concurrent System",
        },
        {
            "feature": "XDT_PLT_UD",
            "count": 25,
            "expiry": "permanent",
            "css_date": "2027-01-01",
            "serial": "FID-A:3",
            "friendly_name": "Citrix Virtual Apps and Desktops Premium|User/Device",
        },
    ]


def test_inventory_summary():
    reports = [
        parse_fixture(name)
        for name in (
            "citrix_startup_like.lic",
            "several_increments_features.lic",
            "expired_and_current_lines.lic",
            "future_start_date.lic",
            "seed_cbr_base_permanent.lic",
            "seed_cbr_renewal_supersede_sign.lic",
            "multiple_hostnames_two_servers.lic",
            "uncounted_nodelocked.lic",
        )
    ]
    summary = inventory_summary(reports, today=TODAY)
    json.dumps(summary)
    features = summary["features"]
    assert features["XDT_PLT_UD"]["installed"] == 135
    assert features["XDT_PLT_UD"]["active_lines"] == 3
    assert features["XDT_PLT_UD"]["files"] == ["several_increments_features.lic", "expired_and_current_lines.lic"]
    assert features["XDT_ADV_CCS"]["installed"] == 50
    assert features["XDT_ADV_CCS"]["expired_lines"] == 1
    assert features["XDT_PLT_CCS"]["installed"] == 0
    assert features["XDT_PLT_CCS"]["not_started_lines"] == 1
    assert features["CBR_100_SSERVER"]["installed"] == 10
    assert features["CBR_100_SSERVER"]["superseded_lines"] == 1
    assert features["CBR_100_SSERVER"]["latest_css_date"] == "2017-12-01"
    assert features["CTX_NODE_TOOL"]["uncounted"] is True
    assert features["XDT_PLT_UD"]["earliest_expiry"] == "permanent"
    assert set(summary["system_features"]) == {"CITRIX", "CTXLSDIAG"}
    assert "CITRIX" not in features
    assert summary["expired"] == [
        {"file": "expired_and_current_lines.lic", "feature": "XDT_ADV_CCS", "count": 10, "expiry": "2026-01-01"}
    ]
    assert [item["feature"] for item in summary["not_yet_started"]] == ["XDT_PLT_CCS"]
    assert summary["superseded"] == [
        {
            "file": "seed_cbr_base_permanent.lic",
            "feature": "CBR_100_SSERVER",
            "count": 10,
            "expiry": "permanent",
            "superseded_by": "seed_cbr_renewal_supersede_sign.lic",
        }
    ]
    assert summary["files_with_errors"] == [
        {"file": "multiple_hostnames_two_servers.lic", "errors": ["multiple_hostnames"]}
    ]
    assert (summary["files"], summary["valid_files"]) == (8, 7)


def test_inventory_earliest_expiry_prefers_dated_lines():
    reports = [parse_fixture("expiring_soon_term.lic"), parse_fixture("expiry_year_zero_forms.lic")]
    assert inventory_summary(reports, today=TODAY)["features"]["XDT_PLT_CCS"]["earliest_expiry"] == "2026-12-10"


# --------------------------------------------------------------------------------------------
# obsolete_files
# --------------------------------------------------------------------------------------------


def report_from(name: str, body: str, header: str = HEADER) -> LicenseFileReport:
    return parse_text(header + body, name=name)


@pytest.mark.parametrize(
    ("files", "expected"),
    [
        (["seed_cbr_base_permanent.lic", "seed_cbr_renewal_supersede_sign.lic"], ["seed_cbr_base_permanent.lic"]),
        (["seed_cbr_renewal_supersede_sign.lic", "seed_cbr_base_permanent.lic"], ["seed_cbr_base_permanent.lic"]),
        (["seed_cbr_base_permanent.lic"], []),
        (
            ["notice_issuer_quoted_continuations.lic", "supersede_sign_two_entries_multiline.lic"],
            ["notice_issuer_quoted_continuations.lic"],
        ),
        (["edition_standard_base.lic", "supersede_edition_upgrade.lic"], ["edition_standard_base.lic"]),
        (["expired_term_license.lic", "several_increments_features.lic"], ["expired_term_license.lic"]),
        (["seed_mps_ent_ccu_hostname.lic"], ["seed_mps_ent_ccu_hostname.lic"]),
        (["expired_and_current_lines.lic"], []),
        (["future_start_date.lic"], []),
        (["citrix_startup_like.lic", "comments_only.lic", "empty.lic"], []),
    ],
)
def test_obsolete_files_on_fixtures(files, expected):
    assert obsolete_files([parse_fixture(name) for name in files], today=TODAY) == expected


def test_supersede_sign_for_another_line_of_the_same_feature_does_not_prune():
    other = report_from("other.lic", increment(sign="0101 0202 0303"))
    renewal = report_from("renewal.lic", increment(extra='SUPERSEDE_SIGN={"XDT_PLT_UD:0909 0808"} '))
    assert obsolete_files([other, renewal], today=TODAY) == []


def test_supersede_sign_matches_signature_whitespace_insensitively():
    base = report_from("base.lic", increment(sign="0101 0202 0303"))
    renewal = report_from(
        "renewal.lic", increment(sign="0A0A", extra='SUPERSEDE_SIGN={"XDT_PLT_UD:01010202 \\\n 0303"} ')
    )
    assert obsolete_files([base, renewal], today=TODAY) == ["base.lic"]


@pytest.mark.parametrize(
    ("base_issued", "upgrade_issued", "pruned"),
    [
        ("01-mar-2024", "01-nov-2026", True),
        ("01-nov-2026", "01-mar-2024", False),
        ("01-nov-2026", "01-nov-2026", False),
        (None, "01-nov-2026", False),
    ],
)
def test_supersede_needs_a_newer_issued_date(base_issued, upgrade_issued, pruned):
    base_extra = f"ISSUED={base_issued} " if base_issued else ""
    base = report_from("std.lic", increment(feature="MPS_STD_CCU", sign="1111", extra=base_extra))
    upgrade = report_from(
        "ent.lic",
        increment(feature="MPS_ENT_CCU", sign="2222", extra=f'ISSUED={upgrade_issued} SUPERSEDE="MPS_STD_CCU" '),
    )
    assert obsolete_files([base, upgrade], today=TODAY) == (["std.lic"] if pruned else [])


def test_start_date_stands_in_for_missing_issued():
    base = report_from("std.lic", increment(feature="MPS_STD_CCU", sign="1111", extra="START=01-jan-2020 "))
    upgrade = report_from(
        "ent.lic", increment(feature="MPS_ENT_CCU", sign="2222", extra='START=01-jan-2026 SUPERSEDE="MPS_STD_CCU" ')
    )
    assert obsolete_files([base, upgrade], today=TODAY) == ["std.lic"]


@pytest.mark.parametrize(
    ("renewal_extra", "renewal_expiry"),
    [
        ("START=01-jan-2027 ", "permanent"),
        ("", "01-nov-2026"),
    ],
    ids=["superseder-not-started", "superseder-expired"],
)
def test_inactive_superseder_does_not_count(renewal_extra, renewal_expiry):
    base = report_from("base.lic", increment(sign="0101 0202"))
    renewal = report_from(
        "renewal.lic",
        increment(sign="0A0A", expiry=renewal_expiry, extra=renewal_extra + 'SUPERSEDE_SIGN={"XDT_PLT_UD:0101 0202"} '),
    )
    assert "base.lic" not in obsolete_files([base, renewal], today=TODAY)


def test_superseder_in_a_file_with_errors_does_not_count():
    base = report_from("base.lic", increment(sign="0101 0202"))
    renewal = report_from("renewal.LIC", increment(sign="0A0A", extra='SUPERSEDE_SIGN={"XDT_PLT_UD:0101 0202"} '))
    assert not renewal.valid
    assert obsolete_files([base, renewal], today=TODAY) == []


def test_protected_and_invalid_files_are_never_pruned():
    startup = report_from("citrix_startup.lic", increment(expiry="01-jan-2020"))
    broken = report_from(
        "broken.lic",
        increment(expiry="01-jan-2020"),
        header="SERVER a HOSTNAME=a\nSERVER b HOSTNAME=b\nVENDOR CITRIX\n",
    )
    empty_but_valid = parse_text(HEADER, name="server_only.lic")
    assert empty_but_valid.valid
    assert obsolete_files([startup, broken, empty_but_valid], today=TODAY) == []


def test_safety_rule_keeps_a_file_whose_feature_would_reappear():
    # a.lic F is superseded by b.lic; b.lic (feature G) is superseded by c.lic (feature H).
    # Pruning both would leave nothing that licenses or supersedes F, so a.lic stays.
    a = report_from("a.lic", increment(feature="F", sign="AAAA"))
    b = report_from("b.lic", increment(feature="G", sign="BBBB", extra='SUPERSEDE_SIGN={"F:AAAA"} '))
    c = report_from("c.lic", increment(feature="H", sign="CCCC", extra='SUPERSEDE_SIGN={"G:BBBB"} '))
    assert obsolete_files([a, b, c], today=TODAY) == ["b.lic"]


def test_expired_only_features_may_all_go():
    first = report_from("old1.lic", increment(feature="OLD", expiry="01-jan-2020", sign="0001"))
    second = report_from("old2.lic", increment(feature="OLD", expiry="01-jan-2021", sign="0002"))
    assert obsolete_files([first, second], today=TODAY) == ["old1.lic", "old2.lic"]


def test_superseded_within_the_same_file_only_does_not_prune():
    body = increment(sign="0101") + increment(sign="0202", extra='SUPERSEDE_SIGN={"XDT_PLT_UD:0101"} ')
    assert obsolete_files([report_from("self.lic", body)], today=TODAY) == []


def test_obsolete_files_rejects_bad_today():
    with pytest.raises(InputError):
        obsolete_files([], today="today")


# --------------------------------------------------------------------------------------------
# Signatures never leave the module
# --------------------------------------------------------------------------------------------

_SIGNED_VALUE_RE = re.compile(r'(?:SIGN2?|SUPERSEDE_SIGN)=\s*(\{[^}]*\}|"[^"]*"|(?:\s*\\?\s*[0-9A-F]{4})+)', re.I)


def signature_groups(text: str) -> list[str]:
    groups: list[str] = []
    for value in _SIGNED_VALUE_RE.findall(text):
        groups.extend(re.findall(r"\b[0-9A-Fa-f]{4}\b", value))
    return groups


@pytest.mark.parametrize("entry", EXPECTED, ids=[entry["file"] for entry in EXPECTED])
def test_no_signature_material_in_output(entry):
    raw = fixture_bytes(entry["file"]).decode("utf-8", errors="replace")
    report = parse_fixture(entry["file"])
    dumped = json.dumps([report.to_dict(), feature_summary(report), inventory_summary([report], today=TODAY)])
    groups = signature_groups(raw)
    for first, second in itertools.pairwise(groups):
        assert f"{first} {second}" not in dumped
        assert f"{first}{second}" not in dumped
    for feature in report.features:
        assert feature.sign_digest is None or feature.sign_digest not in dumped
        assert all(digest not in dumped for _name, digest in feature.supersede_sign_digests)
    assert '"SIGN' not in dumped.upper().replace('"SIGNED"', "")


def test_signature_groups_helper_finds_signatures():
    groups = signature_groups((FIXTURES / "seed_cbr_renewal_supersede_sign.lic").read_text())
    assert groups[:3] == ["1B19", "C213", "7517"]
    assert "6919" in groups


def test_unexpected_tokens_are_not_echoed():
    report = parse_text(HEADER + increment(extra="0F76 2946 4790 "))
    dumped = json.dumps(report.to_dict())
    assert codes(report.warnings) == ["unexpected_token"]
    assert "3 word(s)" in report.warnings[0].message
    assert "0F76" not in dumped and "2946" not in dumped


# --------------------------------------------------------------------------------------------
# Property tests: no input makes the parser raise
# --------------------------------------------------------------------------------------------

CORPUS = [fixture_bytes(entry["file"]) for entry in EXPECTED if entry["file"] != "binary_garbage.bin"]


def check_report(report: LicenseFileReport) -> None:
    assert isinstance(report, LicenseFileReport)
    json.dumps(report.to_dict())
    feature_summary(report)
    check_binding(report, ls_hostname="LS01", macs=["0015C5F0A1B2"])


@settings(max_examples=200, deadline=None)
@given(data=st.binary(max_size=4096), name=st.text(max_size=40))
def test_fuzz_random_bytes(data, name):
    check_report(parse_license_file(name, data, today=TODAY))


@st.composite
def mutated_fixture(draw) -> bytes:
    data = bytearray(draw(st.sampled_from(CORPUS)))
    rng = random.Random(draw(st.integers(0, 2**32 - 1)))
    for _dummy in range(draw(st.integers(1, 8))):
        operation = rng.choice(("delete", "insert", "flip", "duplicate", "truncate"))
        position = rng.randrange(len(data) + 1)
        if operation == "delete" and data:
            del data[position : position + rng.randint(1, 20)]
        elif operation == "insert":
            data[position:position] = rng.choice(
                [b"\\", b'"', b"{", b"}", b"\n", b"\r\n", b" ", b"=", b"\\\n", b"\xff"]
            )
        elif operation == "flip" and data:
            data[min(position, len(data) - 1)] = rng.randrange(256)
        elif operation == "duplicate" and data:
            data[position:position] = data[position : position + rng.randint(1, 80)]
        elif operation == "truncate":
            del data[position:]
    return bytes(data)


@settings(max_examples=200, deadline=None)
@given(data=mutated_fixture())
def test_fuzz_mutated_fixtures(data):
    report = parse_license_file("mutated.lic", data, today=TODAY)
    check_report(report)
    obsolete_files([report, parse_fixture("several_increments_features.lic")], today=TODAY)
    inventory_summary([report], today=TODAY)


@settings(max_examples=200, deadline=None)
@given(
    text=st.text(alphabet=st.sampled_from(list('INCREMENT SERVER HOSTNAME=ab"\\{}\n#:-0129permanent')), max_size=300)
)
def test_fuzz_license_like_text(text):
    check_report(parse_license_file("t.lic", text.encode(), today=TODAY))


@settings(max_examples=200, deadline=None)
@given(name=st.text(max_size=300))
def test_fuzz_file_names(name):
    findings = validate_file_name(name)
    assert all(finding.severity == "error" for finding in findings)
    assert is_protected(name) in (True, False)


def test_fqdn_binding_on_its_short_host_name_is_unknown_not_a_mismatch():
    """Citrix Licensing 11.17.2 build 49000 documentation, Disaster recovery (seed 004 ~4786): a binding is to "the
    server name or FQDN or MAC address"; lmhostid -hostname shows the short name, so an FQDN binding whose first
    label is exactly the host name cannot be proven from it either way."""

    text = ("SERVER this_host HOSTNAME=LicServer01.corp.example\nVENDOR CITRIX\nUSE_SERVER\n"
            "INCREMENT XDT_PLT_UD CITRIX 2027.0101 31-dec-2028 10 DUP_GROUP=V SN=1 SIGN=\"0000 0000\"\n")
    report = parse_license_file("fqdn.lic", text.encode(), today=TODAY)
    [finding] = check_binding(report, ls_hostname="LicServer01", macs=[])
    assert finding.code == "binding_unverifiable" and "Disaster recovery" in finding.message
    assert codes(check_binding(report, ls_hostname="licserver01", macs=[])) == ["binding_hostname_mismatch"]
    assert codes(check_binding(report, ls_hostname="OtherServer", macs=[])) == ["binding_hostname_mismatch"]


@pytest.mark.parametrize("edited, code", [
    ("server this_host HOSTNAME=LS01", "binding_missing"),
    ("SERVER this_host hostname=LS01", "binding_unsupported"),
    ("SERVER this_host any", "binding_unsupported"),
])
def test_keywords_are_upper_case_as_the_documents_write_them(edited, code):
    """Citrix Licensing 11.17.2 build 49000 documentation, License file format (seed 004 ~1978-2210): keywords are
    upper case (SERVER this_host HOSTNAME=..., INCREMENT, ANY); the lab's daemon reads them only so, and the product
    agrees: an edited keyword is not read as one."""

    body = ("VENDOR CITRIX\nUSE_SERVER\n"
            "INCREMENT XDT_PLT_UD CITRIX 2027.0101 31-dec-2028 10 DUP_GROUP=V SN=1 SIGN=\"0\"\n")
    report = parse_license_file("e.lic", (edited + "\n" + body).encode(), today=TODAY)
    assert codes(check_binding(report, ls_hostname="LS01", macs=[])) == [code]


def test_lower_case_increment_is_not_counted():

    text = ("SERVER this_host HOSTNAME=LS01\nVENDOR CITRIX\nUSE_SERVER\n"
            "increment XDT_PLT_UD CITRIX 2027.0101 31-dec-2028 10 DUP_GROUP=V SN=1 SIGN=\"0\"\n")
    report = parse_license_file("e.lic", text.encode(), today=TODAY)
    assert report.features == [] and "keyword_case" in [w.code for w in report.warnings]
