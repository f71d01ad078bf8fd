"""Unit tests for the foundation's pure helpers: path mapping, time parsing, tool output, records."""

from __future__ import annotations

import base64
from datetime import UTC, datetime

import pytest

from ansible_collections.ctxlic.license_server.plugins.plugin_utils._server import ls_tools
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._server.info_record import (
    build_record,
    failed_record,
)
from ansible_collections.ctxlic.license_server.plugins.plugin_utils.lab.layout import (
    LabPathError,
    lab_to_win,
    split_windows_path,
    win_to_lab,
)
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._common.timeutil import iso_z, parse_iso


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


@pytest.mark.parametrize(
    "text, expected",
    [
        ("2026-11-22T10:00:00Z", datetime(2026, 11, 22, 10, tzinfo=UTC)),
        ("2026-11-22T10:00:00.1234567Z", datetime(2026, 11, 22, 10, 0, 0, 123456, tzinfo=UTC)),
        ("2026-11-22T11:00:00+01:00", datetime(2026, 11, 22, 10, tzinfo=UTC)),
        ("2026-11-22T10:00:00", datetime(2026, 11, 22, 10, tzinfo=UTC)),
        ("garbage", None),
        ("", None),
        (None, None),
        (12, None),
    ],
)
def test_parse_iso(text, expected):
    assert parse_iso(text) == expected


def test_iso_z():
    assert iso_z(datetime(2026, 1, 2, 3, 4, 5, 999, tzinfo=UTC)) == "2026-01-02T03:04:05Z"
    assert iso_z(None) is None


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


def _raw(**overrides):
    raw = {
        "collector": "lab",
        "now": "2026-11-22T10:00:00+00:00",
        "computer_name": "LS01",
        "macs": ["00:15:5d:00:00:01"],
        "registry": {"Version": "11.17.2.0 build 45000", "LS_Install_Dir": r"C:\Program Files (x86)\Citrix\Licensing"},
        "install_dir": r"C:\Program Files (x86)\Citrix\Licensing",
        "install_dir_exists": True,
        "services": [
            {"name": n, "exists": True, "state": "running", "start_mode": "auto"}
            for n in ("Citrix Licensing", "CitrixWebServicesforLicensing", "CitrixLicensingSupportService")
        ],
        "lmhostid": {"rc": 0, "stdout": 'The FlexNet host ID of this machine is "HOSTNAME=Ls01"'},
        "management_service": {
            "path": r"C:\x\LS\ctx_license_management_service.exe",
            "exists": True,
            "rc": 0,
            "stdout": "License Management Service is disabled.",
        },
        "myfiles": [
            {
                "name": "a.lic",
                "path": r"C:\x\MyFiles\a.lic",
                "size": 3,
                "mtime": "2026-01-01T00:00:00Z",
                "content_b64": base64.b64encode(b"abc").decode(),
            },
            {"name": "CITRIX.opt", "path": r"C:\x\MyFiles\CITRIX.opt", "size": 1, "mtime": "2026-01-01T00:00:00Z"},
        ],
        "disk": {"free_bytes": 10, "total_bytes": 20},
    }
    raw.update(overrides)
    return raw


def test_build_record_reads_a_healthy_server():
    record = build_record("ls01", _raw())
    assert record["installed"] is True
    assert record["version"]["build"] == 45000
    assert record["hostname"] == "Ls01"  # lmhostid wins over the computer name, case kept
    assert record["reporting_mode"] == "manual"
    assert record["observed_at"] == "2026-11-22T10:00:00Z"
    assert [f["name"] for f in record["licenses"]["files"]] == ["a.lic"]
    assert record["myfiles"] == ["a.lic", "CITRIX.opt"]
    assert record["problems"] == []


def test_build_record_flags_problems_without_raising():
    raw = _raw(
        registry={"Version": "banana", "LS_Install_Dir": r"C:\gone"},
        install_dir_exists=False,
        lmhostid=None,
        management_service={"path": "p", "exists": True, "rc": 0, "stdout": "who knows"},
    )
    raw["services"][0]["state"] = "stopped"
    record = build_record("ls01", raw)
    assert record["version"]["error"] and record["version"]["build"] is None
    assert record["hostname"] == "LS01"  # fell back to the computer name
    assert record["reporting_mode"] == "unknown"
    joined = " | ".join(record["problems"])
    assert "malformed" in joined and "does not exist" in joined and "not running: Citrix Licensing" in joined
    assert "could not tell" in joined


@pytest.mark.parametrize("raw", [None, [], "text", 42])
def test_build_record_of_non_object_is_a_failed_record(raw):
    record = build_record("ls01", raw)
    assert record["failed"] is True and "not an object" in record["error"]


def test_failed_record_keeps_the_host():
    record = failed_record("ls09", "unreachable", reachable=False)
    assert record["host"] == "ls09" and record["reachable"] is False and record["failed"] is True
