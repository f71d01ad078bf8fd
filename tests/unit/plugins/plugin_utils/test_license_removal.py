# Copyright: (c) 2026, ctxlic maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Tests for the marker of an interrupted license file removal and the plan to finish it (pure)."""

from __future__ import annotations

import json

import pytest

from ansible_collections.ctxlic.license_server.plugins.plugin_utils._license import removal as license_removal
from clock import NOW

INSTALL = r"C:\Program Files (x86)\Citrix\Licensing"
MYFILES = INSTALL + r"\MyFiles"


def test_the_marker_lives_in_myfiles_where_the_server_ignores_it():
    assert license_removal.marker_path(INSTALL) == MYFILES + r"\ctxlic_removal_in_progress.json"
    assert license_removal.marker_beside(MYFILES + r"\FID_a.lic") == license_removal.marker_path(INSTALL)
    assert not license_removal.MARKER_NAME.endswith(".lic")


def test_marker_round_trip():
    data = license_removal.marker_content("FID_a.lic", service_was_running=True, now=NOW)
    assert json.loads(data)["started_at"] == "2026-11-22T12:00:00+00:00"
    marker = license_removal.parse_marker(data)
    assert marker == license_removal.Marker("FID_a.lic", True)


@pytest.mark.parametrize(("data", "problem"), [
    (b"\xff\xfe", "not readable JSON"),
    (b"[1, 2]", "not a JSON object"),
    (json.dumps({"file": r"..\..\Windows\x.lic", "service_was_running": True}).encode(), "no removable"),
    (json.dumps({"file": "citrix_startup.lic"}).encode(), "no removable"),
    (json.dumps({"file": 7, "service_was_running": "yes"}).encode(), "no removable"),
])
def test_a_damaged_or_foreign_marker_names_no_file(data: bytes, problem: str):
    marker = license_removal.parse_marker(data)
    assert marker.name is None and problem in marker.problem


def plan(marker, *, state="stopped", exists=True, lic=False, old=True):
    return license_removal.plan_recovery(marker, install_dir=INSTALL, service_exists=exists, service_state=state,
                                         lic_exists=lic, old_exists=old)


def test_killed_after_the_rename_starts_the_service_and_deletes_the_old_file():
    result = plan(license_removal.Marker("FID_a.lic", True))
    assert result.start_service and result.delete_old and result.old_path == MYFILES + r"\FID_a.old"
    assert result.to_dict()["notes"] == []


def test_killed_before_the_rename_only_starts_the_service():
    result = plan(license_removal.Marker("FID_a.lic", True), lic=True, old=False)
    assert result.start_service and not result.delete_old


@pytest.mark.parametrize("state", ["running", "started"])
def test_a_running_service_is_not_started_again(state: str):
    assert not plan(license_removal.Marker("FID_a.lic", True), state=state).start_service


def test_a_service_the_removal_found_stopped_stays_stopped():
    assert not plan(license_removal.Marker("FID_a.lic", False)).start_service


def test_a_damaged_marker_starts_a_stopped_service_but_deletes_nothing():
    result = plan(license_removal.Marker(None, None, "the marker is not readable JSON"))
    assert result.start_service and not result.delete_old and result.old_path is None
    assert result.notes == ["the marker is not readable JSON"]


def test_an_old_file_next_to_a_restored_lic_is_left_for_a_person():
    result = plan(license_removal.Marker("FID_a.lic", True), lic=True, old=True)
    assert not result.delete_old and "left alone" in result.notes[0]


def test_a_missing_service_is_noted_not_started():
    result = plan(license_removal.Marker("FID_a.lic", True), exists=False, state=None)
    assert not result.start_service and "does not exist" in result.notes[0]
