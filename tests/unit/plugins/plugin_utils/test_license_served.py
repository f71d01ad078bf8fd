# Copyright: (c) 2026, ctxlic maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Tests for the comparison of lmstat -a with the license files in MyFiles (pure)."""

from __future__ import annotations

import base64
import datetime

import pytest

from ansible_collections.ctxlic.license_server.plugins.plugin_utils._license import served as license_served
from ansible_collections.ctxlic.license_server.plugins.plugin_utils.lab import licgen
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._license.license_parser import parse_license_file
from clock import TODAY

HOST = "LS01"


def line(feature: str, count: int | str = 10, *, expiry: datetime.date | None = None, start=None,
         supersede: str | None = None, keyword: str = "INCREMENT", overdraft: int | None = None, serial="S") -> str:
    expiry_text = "permanent" if expiry is None else licgen.flex_date(expiry)
    attrs = "\tDUP_GROUP=V ISSUED=15-jan-2025"
    if start:
        attrs += f" START={licgen.flex_date(start)}"
    if supersede:
        attrs += f' SUPERSEDE="{supersede}"'
    if overdraft is not None:
        attrs += f" OVERDRAFT={overdraft}"
    return (f"{keyword} {feature} CITRIX 2027.0101 {expiry_text} {count} \\\r\n"
            "\tVENDOR_STRING=;LT=Retail;GP=720;CL=VDS,VDA;SA=0;ODP=0 \\\r\n"
            f"{attrs} SN={serial}-{feature} \\\r\n"
            '\tSIGN="0123 4567 89AB CDEF 0123 4567"\r\n')


def report(name: str, *lines: str, hostname: str = HOST):
    text = f"SERVER this_host HOSTNAME={hostname}\r\nVENDOR CITRIX\r\nUSE_SERVER\r\n" + "".join(lines)
    parsed = parse_license_file(name, text.encode(), today=TODAY)
    assert not parsed.errors, parsed.errors
    return parsed


def minimum(*reports, hostname: str | None = HOST):
    return license_served.required_minimum(reports, ls_hostname=hostname, macs=[], today=TODAY)


def lmstat(features: dict[str, int | str | None]) -> dict:
    text = ["lmstat - Copyright (c) 1989-2023 Flexera. All Rights Reserved.",
            "License Server status: 27000@localhost", "  localhost: license server UP v11.17.2",
            "Vendor daemon status (on localhost):", "    CITRIX: UP v11.17.2", "Feature usage info:"]
    for feature, issued in features.items():
        if issued is None:
            text.append(f"Users of {feature}:  (Uncounted, node-locked)")
        elif isinstance(issued, str):
            text.append(f"Users of {feature}:  (Error: {issued})")
        else:
            text.append(f"Users of {feature}:  (Total of {issued} licenses issued;  Total of 0 licenses in use)")
    return {"rc": 0, "stdout": "\n".join(text) + "\n", "stderr": ""}


# -- what must be served ----------------------------------------------------------------------------
def test_increment_lines_of_served_files_add_up():
    assert minimum(report("a.lic", line("XDT_PLT_UD", 10), line("XDT_PLT_UD", 5, serial="T")),
                   report("b.lic", line("XDT_PLT_UD", 20))) == {"XDT_PLT_UD": 35}


def test_a_feature_line_counts_its_largest_line_only():
    assert minimum(report("a.lic", line("XDT_PLT_UD", 10, keyword="FEATURE"), line("XDT_PLT_UD", 5, serial="T"))) \
        == {"XDT_PLT_UD": 10}


def test_uncounted_lines_must_only_be_listed():
    assert minimum(report("a.lic", line("CTXLSDIAG", "uncounted"), line("CTXLSDIAG", 3, serial="T"))) \
        == {"CTXLSDIAG": None}


@pytest.mark.parametrize(("expiry", "start", "required"), [
    (TODAY - datetime.timedelta(days=30), None, False),  # expired
    (TODAY + datetime.timedelta(days=1), None, False),  # expires within the clock margin
    (TODAY + datetime.timedelta(days=2), None, True),
    (None, TODAY + datetime.timedelta(days=30), False),  # not started yet
    (None, TODAY, False),  # starts within the clock margin
    (None, TODAY - datetime.timedelta(days=1), True),
])
def test_only_surely_active_lines_are_required(expiry, start, required):
    assert ("XDT_PLT_UD" in minimum(report("a.lic", line("XDT_PLT_UD", expiry=expiry, start=start)))) is required


def test_files_the_server_does_not_read_require_nothing():
    other_host = report("other.lic", line("XDT_ENT_UD"), hostname="LS99")
    assert minimum(other_host) == {}
    # An unknown host name never makes a file required: a reread on every run would follow.
    assert minimum(report("a.lic", line("XDT_PLT_UD")), hostname=None) == {}


def test_superseded_features_are_not_required_and_a_self_superseding_feature_is_not_counted():
    upgrade = report("up.lic", line("MPS_ENT_CCU", 5, supersede="MPS_STD_CCU"))
    renewal = report("renew.lic", line("XDT_PLT_UD", 7, supersede="XDT_PLT_UD"))
    old = report("old.lic", line("MPS_STD_CCU", 5), line("XDT_PLT_UD", 7, serial="T"))
    assert minimum(upgrade, renewal, old) == {"MPS_ENT_CCU": 5, "XDT_PLT_UD": None}


def test_the_maximum_counts_every_line_of_every_file_with_its_overdraft():
    files = [report("a.lic", line("XDT_PLT_UD", 10, expiry=TODAY - datetime.timedelta(days=300)),
                    line("XDT_PLT_UD", 5, overdraft=2, serial="T")),
             report("b.lic", line("XDT_ENT_UD", 3), hostname="LS99"),
             report("c.lic", line("CITRIX", "uncounted"), line("CITRIX", 4, serial="T"))]
    assert license_served.possible_maximum(files) == {"XDT_PLT_UD": 17, "XDT_ENT_UD": 3, "CITRIX": None}


# -- the comparison ---------------------------------------------------------------------------------
def test_compare_names_every_difference():
    check = license_served.compare({"A": 5, "C": 9, "D": 4, "E": 0, "U": None},
                                   {"A": 10, "B": 1, "U": 3}, {"A": 10, "C": 5, "U": 3})
    assert check.checked and check.stale
    assert check.missing == ["B"] and check.short == [{"feature": "A", "served": 5, "expected_at_least": 10}]
    assert check.unexpected == ["D"], "a feature with no license issued is not served"
    assert check.surplus == [{"feature": "C", "served": 9, "expected_at_most": 5}]
    summary = check.summary()
    assert "not served: B" in summary and "A served 5 of at least 10" in summary and "without a license file: D" \
        in summary and "C served 9, the files hold at most 5" in summary


def test_without_a_maximum_only_missing_and_short_features_count():
    check = license_served.compare({"A": 10, "X": 3}, {"A": 10}, None)
    assert check.checked and not check.stale and check.to_dict()["stale"] is False


def test_a_converged_server_is_not_stale():
    files = [report("a.lic", line("XDT_PLT_UD", 10), line("XDT_ENT_UD", 5, expiry=TODAY - datetime.timedelta(
        days=300))), report("startup.lic", line("CITRIX", "uncounted"))]
    # The expired line may or may not be served; both are converged.
    for served in ({"XDT_PLT_UD": 10, "CITRIX": None}, {"XDT_PLT_UD": 10, "XDT_ENT_UD": 5, "CITRIX": 10000}):
        check = license_served.check_lmstat(lmstat(served), files, ls_hostname=HOST, macs=[], today=TODAY,
                                            complete=True)
        assert check.checked and not check.stale, check.summary()


def test_features_with_an_error_count_as_not_served():
    check = license_served.check_lmstat(lmstat({"XDT_PLT_UD": "expired feature"}), [report("a.lic", line(
        "XDT_PLT_UD"))], ls_hostname=HOST, macs=[], today=TODAY, complete=True)
    assert check.missing == ["XDT_PLT_UD"] and check.unexpected == []


@pytest.mark.parametrize(("run", "reason"), [
    (None, "not found"),
    ({"rc": 1, "stdout": "", "stderr": "lmstat failed: Cannot connect to license server system."}, "did not answer"),
    ({"rc": 0, "stdout": "garbage", "stderr": ""}, "not recognised"),
    ({"rc": 0, "stdout": "License Server status: 27000@localhost\nlmgrd is not running: License server machine is "
                         "down or not responding.", "stderr": ""}, "down"),
])
def test_no_verdict_without_a_readable_answer(run, reason):
    check = license_served.check_lmstat(run, [report("a.lic", line("XDT_PLT_UD"))], ls_hostname=HOST, macs=[],
                                        today=TODAY, complete=True)
    assert not check.checked and not check.stale and reason in check.reason
    assert check.summary().startswith("not checked")


# -- from the one-shot collection -------------------------------------------------------------------
def entry(name: str, text: str | None) -> dict:
    return {"name": name, "content_b64": None if text is None else base64.b64encode(text.encode()).decode()}


def collection(*entries: dict, features: dict, **extra) -> dict:
    raw = {"install_dir_exists": True, "now": "2026-11-22T12:00:00+00:00", "computer_name": HOST,
           "lmhostid": {"rc": 0, "stdout": f'The FlexNet host ID of this machine is "HOSTNAME={HOST}"'},
           "macs": [], "myfiles": list(entries), "lmstat": lmstat(features)}
    raw.update(extra)
    return raw


PLT = licgen.license_text([HOST], [{"feature": "XDT_PLT_UD", "count": 10, "serial": "P"}])


def test_collection_of_a_server_still_serving_a_removed_file_is_stale():
    raw = collection(entry("FID_plt.lic", PLT), entry("CITRIX.opt", None),
                     features={"XDT_PLT_UD": 10, "XDT_ENT_UD": 5})
    check = license_served.check_collection(raw, default_today=TODAY)
    assert check.unexpected == ["XDT_ENT_UD"] and not check.missing


def test_an_unreadable_license_file_may_hold_anything():
    raw = collection(entry("FID_plt.lic", PLT), entry("FID_huge.lic", None),
                     features={"XDT_PLT_UD": 10, "XDT_ENT_UD": 5})
    assert not license_served.check_collection(raw, default_today=TODAY).stale


def test_collection_without_lmhostid_uses_the_computer_name_and_the_hosts_clock():
    raw = collection(entry("FID_plt.lic", PLT), features={}, lmhostid=None, now="2030-01-01T00:00:00Z")
    assert license_served.check_collection(raw, default_today=TODAY).missing == ["XDT_PLT_UD"]
    assert license_served.collection_today(raw, TODAY) == datetime.date(2030, 1, 1)
    assert license_served.collection_today({"now": "yesterday"}, TODAY) == TODAY


def test_a_cluster_lmstat_run_replaces_the_collected_one_and_a_missing_install_is_not_checked():
    raw = collection(entry("FID_plt.lic", PLT), features={})
    check = license_served.check_collection(raw, default_today=TODAY, lmstat_run=lmstat({"XDT_PLT_UD": 10}))
    assert check.checked and not check.stale
    assert not license_served.check_collection({"install_dir_exists": False}, default_today=TODAY).checked
