# Copyright: (c) 2026, ctxlic maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""info_record.build_record on a healthy raw collection, on one with problems, and on raw collections whose
fields have the wrong type; failed_record for a host that gave nothing.

The collectors (collect_info.ps1, labctl collect-info) emit one documented shape; anything else
(a PowerShell one-item array that arrives as an object, an older collector, a broken host) must
come back as a record whose ``problems`` name the odd field, with the rest of the record intact.
"""

from __future__ import annotations

import base64
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ansible_collections.ctxlic.license_server.plugins.plugin_utils._store import catalog as catalog_store
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._server.info_record import (
    build_record,
    failed_record,
)
from clock import NOW

SERVICES = ("Citrix Licensing", "CitrixWebServicesforLicensing", "CitrixLicensingSupportService")
PROXY_XML = b"<Configurations>\n<Proxy>10.211.55.5:808</Proxy>\n</Configurations>\n"
UPLOAD_XML = b"<CtxUploaderResult><Code>CTX_UPLOADER_SUCCESS</Code><t>1795000000</t></CtxUploaderResult>"


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def _raw(**overrides) -> dict:
    """A healthy collection of the documented shape: its record has no problems."""
    raw = {
        "collector": "powershell",
        "now": "2026-11-22T12:00:00.1234567Z",
        "computer_name": "LS01",
        "macs": ["00:15:5D:00:00:01"],
        "registry": {"Version": "11.17.2.0 build 45000", "LS_Install_Dir": "C:\\x"},
        "install_dir": "C:\\x",
        "install_dir_exists": True,
        "services": [{"name": n, "exists": True, "state": "running", "start_mode": "auto"} for n in SERVICES],
        "lmhostid": {"rc": 0, "stdout": 'The FlexNet host ID of this machine is "HOSTNAME=LS01"', "stderr": ""},
        "management_service": {
            "path": "C:\\x\\LS\\ctx_license_management_service.exe",
            "exists": True,
            "rc": 0,
            "stdout": "License Management Service is enabled.",
            "stderr": "",
        },
        "myfiles": [{"name": "CITRIX.opt", "path": "C:\\x\\MyFiles\\CITRIX.opt", "size": 1, "mtime": "2026-01-01"}],
        "upload_result": {"path": "C:\\x\\r.xml", "name": "r.xml", "size": 90, "content_b64": _b64(UPLOAD_XML)},
        "proxy_config": {"path": "C:\\x\\p.xml", "name": "p.xml", "size": 60, "content_b64": _b64(PROXY_XML)},
        "pending": [],
        "lmstat": None,
        "disk": {"free_bytes": 10**10, "total_bytes": 10**11},
    }
    raw.update(overrides)
    return raw


def _record(**overrides) -> dict:
    record = build_record("ls01", _raw(**overrides), now=NOW)
    json.dumps(record)  # the record goes into Ansible results and the report as JSON
    return record


def test_the_healthy_collection_has_no_problems() -> None:
    record = _record()
    assert record["problems"] == []
    assert record["version"]["build"] == 45000 and record["hostname"] == "LS01"
    assert record["reporting_mode"] == "automatic" and record["proxy"]["value"] == "10.211.55.5:808"
    assert record["upload"]["status"] == "success" and record["disk"]["free_bytes"] == 10**10


@pytest.mark.parametrize(
    ("overrides", "field", "expected"),
    [
        # a one-item PowerShell array that arrived as the item itself
        ({"services": {"name": "Citrix Licensing", "exists": True}}, "services is an object, not a list",
         {"services": []}),
        ({"services": ["Citrix Licensing"]}, "services[0] is text, not an object", {"services": []}),
        ({"macs": "00:15:5D:00:00:01"}, "macs is text, not a list", {"macs": []}),
        ({"macs": ["00:15:5D:00:00:01", 7]}, "macs[1] is a number, not text", {"macs": ["00:15:5D:00:00:01"]}),
        ({"disk": "C: 10 GB free"}, "disk is text", {"disk": {"free_bytes": None, "total_bytes": None}}),
        ({"disk": {"free_bytes": -1, "total_bytes": True}}, "disk.free_bytes is a number, not a whole number >= 0",
         {"disk": {"free_bytes": None, "total_bytes": None}}),
        ({"collector": ["powershell"]}, "collector is a list, not text", {"collector": None}),
        ({"computer_name": 12, "lmhostid": None}, "computer_name is a number", {"hostname": None}),
        ({"install_dir": {"path": "C:\\x"}}, "install_dir is an object", {"install_dir": None}),
    ],
)
def test_a_field_of_the_wrong_type_is_ignored_and_named(overrides: dict, field: str, expected: dict) -> None:
    record = _record(**overrides)
    assert any(field in problem for problem in record["problems"]), record["problems"]
    for key, value in expected.items():
        assert record[key] == value
    assert record["version"]["build"] == 45000  # the rest of the record is still read


def test_a_service_without_a_name_is_dropped_and_the_others_kept() -> None:
    services = [{"name": None, "exists": False}, {"name": "Citrix Licensing", "exists": True, "state": "stopped"}]
    record = _record(services=services)
    assert [s["name"] for s in record["services"]] == ["Citrix Licensing"]
    assert any("services[0] has no service name (null)" in p for p in record["problems"])
    assert "services not running: Citrix Licensing" in record["problems"]


def test_a_registry_that_is_not_an_object_still_means_installed_with_an_unknown_version() -> None:
    raw = _raw(registry="11.17.2.0 build 45000")
    record = build_record("ls01", raw, now=NOW, releases=list(catalog_store.load_shipped().releases))
    assert record["installed"] is True
    assert record["version"]["build"] is None and record["version"]["error"]
    assert any("registry is text, not an object" in p for p in record["problems"])
    assert record["window"]["status"] == "unknown"  # never computed from a guessed version


def test_tool_output_of_the_wrong_type_is_ignored() -> None:
    record = _record(lmhostid={"rc": 0, "stdout": 12345}, management_service={"exists": True, "rc": "0"})
    assert record["hostname"] == "LS01"  # falls back to the computer name
    assert record["management_service"]["enabled"] is None and record["reporting_mode"] == "unknown"
    joined = " | ".join(record["problems"])
    assert "lmhostid.stdout is a number, not text" in joined
    assert "management_service.rc is text, not a whole number" in joined


def test_content_that_is_not_base64_is_named_for_each_file() -> None:
    bad = {"path": "C:\\x\\f", "name": "f", "size": 3, "content_b64": "not base64!"}
    record = _record(
        upload_result=bad,
        proxy_config=bad,
        myfiles=[{**bad, "name": "a.lic"}, {**bad, "name": "b.lic", "content_b64": "YWJj\u00e9"}],
    )
    assert record["upload"]["status"] == "unknown"
    assert "upload_result.content_b64 is not valid base64" in record["upload"]["reason"]
    assert record["proxy"]["configured"] is None
    assert record["proxy"]["findings"][0]["code"] == "not_read"
    assert "proxy_config.content_b64 is not valid base64" in record["proxy"]["findings"][0]["message"]
    errors = [f["errors"][0] for f in record["licenses"]["files"]]
    assert [e["code"] for e in errors] == ["not_read", "not_read"]
    assert "myfiles[1].content_b64 is not valid base64" in errors[1]["message"]
    assert sum("is not valid base64" in p for p in record["problems"]) == 4


def test_a_license_file_larger_than_the_limit_is_still_reported_as_not_read() -> None:
    record = _record(myfiles=[{"name": "a.lic", "path": "C:\\x\\MyFiles\\a.lic", "size": 9, "content_b64": None}])
    (entry,) = record["licenses"]["files"]
    assert entry["errors"][0]["code"] == "not_read" and "max_file_bytes" in entry["errors"][0]["message"]
    assert record["problems"] == []


def test_a_file_entry_that_is_not_an_object_is_not_mistaken_for_a_missing_file() -> None:
    record = _record(upload_result="C:\\x\\r.xml", proxy_config=["C:\\x\\p.xml"])
    assert "upload_result is text, not an object" in record["upload"]["reason"]
    assert "not found" not in record["upload"]["reason"]
    assert record["proxy"]["findings"][0]["code"] == "not_read"
    assert "proxy_config is a list" in record["proxy"]["findings"][0]["message"]


def test_pending_that_is_not_a_list_is_named() -> None:
    record = _record(pending=5)
    assert record["pending_uploads"]["count"] == 0
    assert any("pending is a number, not a list" in p for p in record["problems"])


@pytest.mark.parametrize("now", ["0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-14:00", "garbage", ""])
def test_an_unreadable_host_clock_falls_back_to_the_controller_time(now: str) -> None:
    record = _record(now=now)
    assert record["observed_at"] == "2026-11-22T12:00:00Z"
    assert any("host clock reading" in p and "was ignored" in p for p in record["problems"])
    assert record["upload"]["age_days"] is not None  # ages are still computed, at the controller's time


def test_a_missing_host_clock_is_not_a_problem() -> None:
    record = _record(now=None)
    assert record["observed_at"] == "2026-11-22T12:00:00Z" and record["problems"] == []


# JSON values of every kind, as a broken collector could send them.
_JSON = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**70), 2**70) | st.floats(allow_nan=False) | st.text(max_size=12),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=8,
)
_NESTED = ["registry", "disk", "lmhostid", "management_service", "upload_result", "proxy_config", "services", "myfiles"]


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(sorted(_raw())), _JSON)
def test_any_json_in_any_top_level_field_never_raises(key: str, value) -> None:
    record = _record(**{key: value})
    assert all(isinstance(p, str) and p.strip() for p in record["problems"])


@settings(max_examples=300, deadline=None)
@given(
    st.sampled_from(_NESTED),
    st.sampled_from(["name", "exists", "state", "Version", "rc", "stdout", "stderr", "path", "size", "mtime",
                     "content_b64", "free_bytes", "total_bytes"]),
    _JSON,
)
def test_any_json_in_any_nested_field_never_raises(key: str, inner: str, value) -> None:
    raw = _raw(myfiles=[{"name": "a.lic", "path": "C:\\x\\a.lic", "size": 3, "content_b64": _b64(b"abc")}])
    target = raw[key][0] if isinstance(raw[key], list) else raw[key]
    target[inner] = value
    record = build_record("ls01", raw, now=NOW)
    json.dumps(record)
    assert all(isinstance(p, str) and p.strip() for p in record["problems"])


# -- a healthy collection and the problems a record names ---------------------------------------------
def _collection(**overrides):
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
    record = build_record("ls01", _collection())
    assert record["installed"] is True
    assert record["version"]["build"] == 45000
    assert record["hostname"] == "Ls01"  # lmhostid wins over the computer name, case kept
    assert record["reporting_mode"] == "manual"
    assert record["observed_at"] == "2026-11-22T10:00:00Z"
    assert [f["name"] for f in record["licenses"]["files"]] == ["a.lic"]
    assert record["myfiles"] == ["a.lic", "CITRIX.opt"]
    assert record["problems"] == []


def test_build_record_flags_problems_without_raising():
    raw = _collection(
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
