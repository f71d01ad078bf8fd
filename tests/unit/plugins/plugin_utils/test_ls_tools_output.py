# Copyright: (c) 2026, ctxlic maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""ls_tools readers of the License Server tools' output: lmhostid, the management service query, lmreread."""

from __future__ import annotations

import pytest

from ansible_collections.ctxlic.license_server.plugins.plugin_utils._server import ls_tools


@pytest.mark.parametrize(
    "stdout, ids",
    [
        ('lmhostid - Copyright...\nThe FlexNet host ID of this machine is "HOSTNAME=LS01"\n', ["LS01"]),
        ('The FlexNet host ID of this machine is "0015c5f0a1b2 00155d000001"', ["0015c5f0a1b2", "00155d000001"]),
        ("nothing useful", []),
        ("", []),
        (None, []),
    ],
)
def test_parse_lmhostid(stdout, ids):
    assert ls_tools.parse_lmhostid(stdout) == ids


@pytest.mark.parametrize(
    "stdout, enabled",
    [
        ("License Management Service is enabled.", True),
        ("License Management Service is DISABLED", False),
        ("status: enabled (was disabled)", None),  # ambiguous: never guess
        ("Something else", None),
        ("", None),
        (None, None),
    ],
)
def test_parse_management_query(stdout, enabled):
    assert ls_tools.parse_management_query(stdout) is enabled


@pytest.mark.parametrize(
    "rc, stdout, stderr, ok",
    [
        (0, "lmreread - banner\n\nlmreread successful\n", "", True),
        (0, "lmreread - banner\n", "", False),  # no success line: not trusted
        (1, "", "lmreread failed: Cannot connect to license server system.", False),
        (0, "lmreread successful", "lmreread failed: x", False),
    ],
)
def test_lmreread_succeeded(rc, stdout, stderr, ok):
    assert ls_tools.lmreread_succeeded(rc, stdout, stderr) is ok
