# Copyright: (c) 2026, ctxlic maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Tests for the allocation export / entitlement readers (seed 002: obsolete servers, surplus)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from ansible_collections.ctxlic.license_server.plugins.plugin_utils._license.allocations import (
    AllocationRead,
    obsolete_allocations,
    read_allocation_csv,
    read_entitlements,
    surplus,
)
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._common.errors import InputError

FIXTURES = Path(__file__).resolve().parents[3] / "fixtures" / "allocations"


def text(name: str) -> str:
    return (FIXTURES / name).read_bytes().decode("utf-8")  # keeps BOM and CRLF as they are in the file


# -- read_allocation_csv --------------------------------------------------------------------------


def test_comma_crlf_with_serial_column() -> None:
    data = text("portal_comma.csv")
    assert "\r\n" in data
    result = read_allocation_csv(data, serial_column="Serial")
    assert isinstance(result, AllocationRead)
    assert result.findings == []
    assert result.allocations == [
        {"host": "LS01", "product": "XDT_PLT_UD", "quantity": 100, "serial": "SN-1"},
        {"host": "MyLicenseServer1", "product": "XDT_PLT_UD", "quantity": 1000, "serial": "SN-2"},
        {"host": "MyLicenseServer1", "product": "XDT_ENT_UD", "quantity": 50, "serial": "SN-3"},
        {"host": "ls02", "product": "XDT_PLT_UD", "quantity": 25, "serial": "SN-4"},
    ]


def test_semicolon_with_bom_and_quoted_delimiter() -> None:
    data = text("portal_semicolon_bom.csv")
    assert data.startswith("\ufeff")
    allocations, findings = read_allocation_csv(data)
    assert findings == []
    assert allocations[1] == {
        "host": "MyLicenseServer1",
        "product": "Citrix Virtual Apps; Premium",
        "quantity": 1000,
        "serial": None,
    }


def test_tab_delimiter() -> None:
    allocations, findings = read_allocation_csv(text("portal_tab.tsv"))
    assert findings == []
    assert allocations == [{"host": "LS01", "product": "XDT_PLT_UD", "quantity": 100, "serial": None}]


def test_bad_rows_become_findings_with_row_numbers() -> None:
    allocations, findings = read_allocation_csv(text("bad_rows.csv"))
    # A malformed cell never drops a host (issue 15 item 2): only the row without a host is ignored.
    assert [a["host"] for a in allocations] == ["LS01", "LS03", "LS04", "LS05", "LS06"]
    assert [a["quantity"] for a in allocations] == [100, 5, None, None, 7]
    assert [(f["row"], f["code"]) for f in findings] == [
        (3, "missing_host"),
        (4, "missing_product"),
        (5, "bad_quantity"),
        (6, "bad_quantity"),
    ]
    assert findings[2]["message"].startswith("row 5:")
    assert "'many'" in findings[2]["message"]


def test_missing_required_column_names_columns_found() -> None:
    with pytest.raises(InputError) as caught:
        read_allocation_csv(text("missing_columns.csv"))
    message = str(caught.value)
    assert "'Host ID'" in message
    assert "'Server', 'License', 'Count'" in message


def test_configurable_columns_and_header_case() -> None:
    data = text("missing_columns.csv").replace("Server", " server ")
    allocations, findings = read_allocation_csv(
        data, host_column="Server", product_column="License", quantity_column="Count"
    )
    assert findings == []
    assert allocations == [{"host": "LS01", "product": "XDT_PLT_UD", "quantity": 100, "serial": None}]


def test_missing_serial_column_is_an_error_when_requested() -> None:
    with pytest.raises(InputError, match="'Serial'"):
        read_allocation_csv(text("portal_tab.tsv"), serial_column="Serial")


@pytest.mark.parametrize(
    ("csv_text", "expected_hosts", "codes"),
    [
        ("", None, None),
        ("Host ID,Product,Quantity\n", [], []),
        ("\n\nHost ID,Product,Quantity\n\nLS01,P,+3\n", ["LS01"], []),
        ("Host ID,Product,Quantity\nLS01,P\n", ["LS01"], ["bad_quantity"]),
        ("Host ID,Product,Quantity\nLS01,P,1,extra,fields\n", ["LS01"], []),
        ("Host ID,Product,Quantity\n  LS01  ,P, 7 \n", ["LS01"], []),
        ("Host ID,Product,Quantity\nLS01,P,1.5\nLS02,P,١٢\n", ["LS01", "LS02"], ["bad_quantity", "bad_quantity"]),
    ],
)
def test_edge_cases(csv_text: str, expected_hosts: list | None, codes: list | None) -> None:
    if expected_hosts is None:
        with pytest.raises(InputError, match="columns found: none"):
            read_allocation_csv(csv_text)
        return
    allocations, findings = read_allocation_csv(csv_text)
    assert [a["host"] for a in allocations] == expected_hosts
    assert [f["code"] for f in findings] == codes


def test_over_long_field_spoils_only_its_row() -> None:
    """Issue 14 item 6: an over-long field used to stop reading; now only its row is marked."""
    import csv

    limit = csv.field_size_limit()
    data = 'Host ID,Product,Quantity\nLS01,P,1\nLS02,"' + "x" * (limit + 10) + '",2\nLS03,P,3\n'
    allocations, findings = read_allocation_csv(data)
    assert [a["host"] for a in allocations] == ["LS01", "LS02", "LS03"]
    assert [a["quantity"] for a in allocations] == [1, None, 3]
    assert [(f["row"], f["code"], f["ignored"]) for f in findings] == [(3, "bad_row", False),
                                                                       (3, "long_field", False)]


@pytest.mark.parametrize("bad", [b"Host ID,Product,Quantity", None, 5])
def test_non_text_is_rejected(bad: object) -> None:
    with pytest.raises(InputError, match="must be text"):
        read_allocation_csv(bad)  # type: ignore[arg-type]


_cell = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=12)


@settings(max_examples=200, deadline=None)
@given(
    rows=st.lists(st.lists(_cell, min_size=0, max_size=5), max_size=8),
    delimiter=st.sampled_from([",", ";", "\t", "|"]),
    header=st.booleans(),
    raw=st.text(max_size=200),
    use_raw=st.booleans(),
)
def test_fuzz_read_allocation_csv(rows: list, delimiter: str, header: bool, raw: str, use_raw: bool) -> None:
    lines = [delimiter.join(["Host ID", "Product", "Quantity"])] if header else []
    lines += [delimiter.join(r) for r in rows]
    data = raw if use_raw else "\n".join(lines)
    try:
        allocations, findings = read_allocation_csv(data)
    except InputError:
        return
    for item in allocations:
        assert item["host"] and isinstance(item["product"], str)
        assert item["quantity"] is None or (isinstance(item["quantity"], int) and item["quantity"] >= 0)
    for finding in findings:
        assert isinstance(finding["row"], int) and finding["row"] >= 2
    # Every row is accounted for: used (possibly with findings) or ignored with a finding.
    ignored = {f["row"] for f in findings if f["ignored"]}
    data_lines = [line for line in re.split(r"\r\n|\r|\n", data.removeprefix("\ufeff"))
                  if line.strip(" \t,;\"'")]
    assert len(allocations) + len(ignored) == max(len(data_lines) - 1, 0)


# -- obsolete_allocations -------------------------------------------------------------------------


def test_obsolete_and_case_mismatch() -> None:
    allocations, _dummy = read_allocation_csv(text("portal_comma.csv"))
    result = obsolete_allocations(allocations, ["ls01.corp.example", "LS02"])
    assert result == [
        {
            "host": "LS01",
            "products": ["XDT_PLT_UD"],
            "quantity_total": 100,
            "case_mismatch": True,
            "inventory_host": "ls01",
        },
        {
            "host": "ls02",
            "products": ["XDT_PLT_UD"],
            "quantity_total": 25,
            "case_mismatch": True,
            "inventory_host": "LS02",
        },
        {
            "host": "MyLicenseServer1",
            "products": ["XDT_ENT_UD", "XDT_PLT_UD"],
            "quantity_total": 1050,
            "case_mismatch": False,
            "inventory_host": None,
        },
    ]


def test_obsolete_exact_matches_are_not_reported() -> None:
    allocations, _dummy = read_allocation_csv(text("portal_comma.csv"))
    result = obsolete_allocations(allocations, ["LS01", "ls02"])
    assert [(e["host"], e["case_mismatch"]) for e in result] == [("MyLicenseServer1", False)]


def test_short_name_matching_can_be_disabled_and_ignores_ips() -> None:
    allocations = [
        {"host": "ls01", "product": "P", "quantity": 1, "serial": None},
        {"host": "10", "product": "P", "quantity": 1, "serial": None},
    ]
    assert [e["host"] for e in obsolete_allocations(allocations, ["ls01.corp.example", "10.0.0.5"])] == ["10"]
    result = obsolete_allocations(allocations, ["ls01.corp.example"], match_short_names=False)
    assert [e["host"] for e in result] == ["10", "ls01"]


def test_each_portal_spelling_is_reported_separately() -> None:
    allocations = [
        {"host": "OLD-LS", "product": "P", "quantity": 1, "serial": None},
        {"host": "old-ls", "product": "Q", "quantity": 2, "serial": None},
    ]
    result = obsolete_allocations(allocations, [])
    assert [(e["host"], e["quantity_total"]) for e in result] == [("OLD-LS", 1), ("old-ls", 2)]


@pytest.mark.parametrize(
    ("allocations", "inventory"),
    [("x", []), ([{"host": "a"}], []), ([{"host": "a", "product": "P", "quantity": True}], []), ([], "ls01")],
)
def test_obsolete_rejects_bad_input(allocations: object, inventory: object) -> None:
    with pytest.raises(InputError):
        obsolete_allocations(allocations, inventory)  # type: ignore[arg-type]


# -- entitlements and surplus ---------------------------------------------------------------------


def test_read_entitlements_from_yaml_sums_repeated_features() -> None:
    data = yaml.safe_load((FIXTURES / "entitlements.yml").read_text())
    assert read_entitlements(data) == {"XDT_PLT_UD": 100, "XDT_ENT_UD": 50}


@pytest.mark.parametrize(
    ("data", "match"),
    [
        (None, "'entitlements' list"),
        ({"entitlements": {"XDT": 1}}, "'entitlements' list"),
        ({"entitlements": ["XDT"]}, r"entitlements\[0\]"),
        ({"entitlements": [{"feature": "", "purchased": 1}]}, "feature"),
        ({"entitlements": [{"feature": "X", "purchased": -1}]}, "purchased"),
        ({"entitlements": [{"feature": "X", "purchased": "10"}]}, "purchased"),
        ({"entitlements": [{"feature": "X", "purchased": True}]}, "purchased"),
    ],
)
def test_read_entitlements_rejects_bad_data(data: object, match: str) -> None:
    with pytest.raises(InputError, match=match):
        read_entitlements(data)


def test_surplus() -> None:
    installed = {"XDT_PLT_UD": 120, "XDT_ENT_UD": 50, "XDT_ADV_UD": 5, "XDT_STD_CCU": 0}
    purchased = {"XDT_PLT_UD": 100, "XDT_ENT_UD": 50, "UNUSED": 10}
    assert surplus(installed, purchased) == [
        {"feature": "XDT_ADV_UD", "installed": 5, "purchased": 0, "surplus": 5},
        {"feature": "XDT_PLT_UD", "installed": 120, "purchased": 100, "surplus": 20},
    ]


@pytest.mark.parametrize(("installed", "purchased"), [({"X": -1}, {}), ({"X": 1}, {"X": "1"}), ([], {})])
def test_surplus_rejects_bad_counts(installed: object, purchased: object) -> None:
    with pytest.raises(InputError):
        surplus(installed, purchased)  # type: ignore[arg-type]


def test_a_line_that_only_opens_a_quoted_cell_is_not_skipped_as_blank() -> None:
    # Found by tests/fuzz/test_fuzz_parsers.py: `,"` alone looks blank, but it opens the quoted product
    # cell that ends on the next line. Skipping it read `0",0` as a row with the host '0"'.
    text = 'Host ID,Product,Quantity\r\n,"\r\n0",0\r\nls01,CVAD,5\r\n'
    allocations, findings = read_allocation_csv(text)
    assert [(a["host"], a["quantity"]) for a in allocations] == [("ls01", 5)]
    assert [(f["row"], f["ignored"]) for f in findings] == [(2, True)]
