# Copyright: (c) 2026, ctxlic maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Tests for the License Management Service helpers in ls_tools (seed 004 command line, seed 001 manual mode)."""

from __future__ import annotations

import pytest

from ansible_collections.ctxlic.license_server.plugins.plugin_utils._server import ls_tools
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._common.errors import InputError

INSTALL = r"C:\Program Files (x86)\Citrix\Licensing"


def test_executable_lives_in_the_ls_directory():
    assert ls_tools.management_service_exe(INSTALL) == INSTALL + r"\LS\ctx_license_management_service.exe"
    assert ls_tools.ls_program_dir(r"D:\Citrix\Licensing") == r"D:\Citrix\Licensing\LS"


@pytest.mark.parametrize(
    ("state", "current", "expected"),
    [
        ("enabled", True, (False, None)),
        ("enabled", False, (True, "-enable")),
        ("disabled", True, (True, "-disable")),
        ("disabled", False, (False, None)),
        ("query", True, (False, None)),
        ("query", False, (False, None)),
    ],
)
def test_plan_runs_a_switch_only_when_the_state_differs(state, current, expected):
    assert ls_tools.plan_management_service(state, current) == expected


def test_plan_refuses_an_unknown_state():
    with pytest.raises(InputError, match="'on' is not one of enabled, disabled, query"):
        ls_tools.plan_management_service("on", True)


@pytest.mark.parametrize(("enabled", "mode"), [(True, "automatic"), (False, "manual"), (None, "unknown")])
def test_reporting_mode(enabled, mode):
    assert ls_tools.reporting_mode(enabled) == mode
    assert f"reporting_mode: {mode}" in ls_tools.management_state_text(enabled)


def test_manual_upload_dirs_cover_both_spellings_of_cis_bundles():
    assert ls_tools.manual_upload_dirs(INSTALL) == [
        INSTALL + r"\LS\resource\usage",
        INSTALL + r"\LS\resource\cis_bundles\ul_usage",
        INSTALL + r"\LS\resource\cis bundles\ul_usage",
    ]


def test_manual_reporting_warning_names_the_duty_and_the_files():
    text = ls_tools.manual_reporting_warning(r"D:\Lic")
    for needle in ("90 days", "upload_compliance*.zip", r"D:\Lic\LS\resource\usage", "upload_usage*.zip",
                   r"D:\Lic\LS\resource\cis_bundles\ul_usage", "delete", "CTX472950"):
        assert needle in text


@pytest.mark.parametrize(
    ("stdout", "expected"),
    [
        ("License Management Service is enabled.\n", True),
        ("License Management Service is disabled.\n", False),
        ("", None),
        ("Usage: ctx_license_management_service.exe (-enable | -disable | -query)", None),
        ("enabled ... disabled", None),
    ],
)
def test_existing_query_parser_is_unchanged(stdout, expected):
    assert ls_tools.parse_management_query(stdout) is expected
