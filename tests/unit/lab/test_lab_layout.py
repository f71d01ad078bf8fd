# Copyright: (c) 2026, ctxlic maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The lab's Windows path mapping (lab.layout): drive and parts of a Windows path, and the way back."""

from __future__ import annotations

import pytest

from ansible_collections.ctxlic.license_server.plugins.plugin_utils.lab.layout import (
    LabPathError,
    lab_to_win,
    split_windows_path,
    win_to_lab,
)


@pytest.mark.parametrize(
    "path, drive, parts",
    [
        (r"C:\Program Files (x86)\Citrix", "C", ["Program Files (x86)", "Citrix"]),
        ("c:/a/b/c", "C", ["a", "b", "c"]),
        ("D:\\", "D", []),
        (r"C:\a\.\b\\c", "C", ["a", "b", "c"]),
    ],
)
def test_split_windows_path(path, drive, parts):
    assert split_windows_path(path) == (drive, parts)


@pytest.mark.parametrize(
    "bad", [r"\\server\share\x", "relative\\path", "", "C:", r"C:\..\x", "c:/a/../b", "C:rel", "x\x00y", "1:\\a"]
)
def test_split_windows_path_refuses(bad):
    with pytest.raises(LabPathError):
        split_windows_path(bad)


def test_win_to_lab_matches_existing_components_case_insensitively(tmp_path):
    (tmp_path / "fs" / "C" / "Program Files (x86)" / "Citrix").mkdir(parents=True)
    mapped = win_to_lab(tmp_path, r"c:\PROGRAM FILES (X86)\citrix\New")
    assert mapped == tmp_path / "fs" / "C" / "Program Files (x86)" / "Citrix" / "New"
    assert lab_to_win(tmp_path, mapped) == r"C:\Program Files (x86)\Citrix\New"
