# Copyright: (c) 2026, ctxlic maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Fuzzing ``info_record.build_record`` with random raw collections.

``build_record`` turns what ``collect_info.ps1`` / ``labctl collect-info`` return into the per-server
record; its contract is "never raises for odd host data". The first test generates collections of
the documented shape (the keys and types both collectors produce) with random, often broken,
contents: random file bytes, license-like files with signatures, XML-ish upload results and proxy
files, lmstat and lmhostid text, versions, times, sizes. The table after it pins type-confused
collections that used to crash it; each must now come back as a record that names the odd field.
"""

from __future__ import annotations

import base64
import json
import random
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ansible_collections.ctxlic.license_server.plugins.plugin_utils._store import catalog as catalog_store
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._common.errors import CtxlicError
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._server.info_record import (
    build_record,
    empty_record,
)
from ansible_collections.ctxlic.license_server.plugins.plugin_utils.lab import licgen
from clock import NOW

RELEASES = list(catalog_store.load_shipped().releases)
SERVICES = ("Citrix Licensing", "CitrixWebServicesforLicensing", "CitrixLicensingSupportService")
RECORD_KEYS = set(empty_record("h"))

# Generating deep structures through hypothesis costs ~100 ms per example here, so a collection is
# built from one drawn seed with random.Random: cheap, and a failure is reproduced from its seed.
ODD_TEXT = [
    "",
    " ",
    "x",
    "\x00",
    "<script>alert(1)</script>",
    "ä€漢",
    "a" * 300,
    "\r\n",
    "C:\\x",
    "=cmd|' /C calc'!A0",
    '"quoted"',
    "&amp;",
    "\ufffd",
    "null",
]
WHEN = [
    "",
    "garbage",
    "2026-13-01",
    "2026-11-22T10:00:00.1234567Z",
    "2026-11-22T10:00:00+05:30",
    "2026-11-22",
    "1970-01-01T00:00:00Z",
    "2100-01-01T00:00:00-12:00",
    None,
]
VERSIONS = [
    "11.17.2.0 build 45000",
    "11.17.2 build 51000",
    "11.16.6.0 build 31000",
    "11.17.2.0",
    "",
    "11.17.2.0 build 45000\x00\x00",
    " 11.17.2.0  Build 40000 ",
    "11.11.1.0 build 12000",
    "v11",
    "12.0.0 build 1",
]
UPLOAD_CODES = ["CTX_UPLOADER_SUCCESS", "CTX_UPLOADER_ERROR_NETWORK_OPEN", "", "<x/>", "CTX_OTHER"]
PROXY_FILES = [
    b"<Configurations><Proxy>p:1</Proxy></Configurations>",
    b"<Configurations><proxy>p:1</proxy></Configurations>",
    b"<Configurations><Proxy>user:pw@p:1</Proxy></Configurations>",
    b'<!DOCTYPE C [<!ENTITY e "x">]><Configurations><Proxy>&e;</Proxy></Configurations>',
    b"<Configurations>",
    b"",
    b"\xff\xfe<\x00C\x00",
    b"<Configurations><Proxy>[::1]:99999</Proxy></Configurations>",
]
SIGN_HEX = "0123456789ABCDEF"


def _text(rng: random.Random) -> str:
    if rng.random() < 0.5:
        return rng.choice(ODD_TEXT)
    return "".join(rng.choice("abcXYZ09 .:-<&\"'\\\n\x00é") for _i in range(rng.randint(0, 16)))


def _when(rng: random.Random):
    if rng.random() < 0.6:
        return datetime.fromtimestamp(rng.randint(31_622_400, 4_102_444_800), UTC).isoformat()
    return rng.choice(WHEN)


def _bytes(rng: random.Random, size: int) -> bytes:
    return bytes(rng.randrange(256) for _i in range(rng.randint(0, size)))


def _license(rng: random.Random, signatures: list[str]) -> dict:
    name = rng.choice(["FID_a.lic", "FID_b.LIC", "x.lic.txt", "citrix_startup.lic", "CITRIX.opt", "b.lic"])
    kind = rng.choice(["license", "license", "bytes", "none"])
    content = None
    if kind == "license":
        text = licgen.license_text(
            [rng.choice(["LS01", "ls01", "OTHER"])],
            [{"feature": "XDT_PLT_UD", "count": rng.randint(0, 10**6)}],
            newline=rng.choice(["\r\n", "\n"]),
        )
        groups = ["F" + "".join(rng.choice(SIGN_HEX) for _i in range(7)) for _i in range(rng.randint(2, 4))]
        text = text.replace('SIGN="', f'SIGN="{" ".join(groups)} ', 1)
        signatures.extend(groups)
        data = text.encode()
        content = base64.b64encode(data[: rng.randint(len(data) // 2, len(data))]).decode()
    elif kind == "bytes":
        content = base64.b64encode(_bytes(rng, 300)).decode()
    return {
        "name": name,
        "path": "C:\\x\\MyFiles\\" + name,
        "size": rng.randint(0, 10**7),
        "mtime": _when(rng),
        "content_b64": content,
    }


def _file(rng: random.Random, data: bytes) -> dict | None:
    if rng.random() < 0.2:
        return None
    readable = rng.random() < 0.9
    return {
        "path": "C:\\x\\f.xml",
        "size": len(data),
        "mtime": _when(rng),
        "content_b64": base64.b64encode(data).decode() if readable else None,
    }


def _upload(rng: random.Random) -> bytes:
    if rng.random() < 0.3:
        return _bytes(rng, 200)
    t = rng.choice([str(rng.randint(-10, 10**13)), _text(rng).replace("<", "")])
    msg = _text(rng).replace("&", "&amp;").replace("<", "&lt;")
    return (
        f"<CtxUploaderResult><Code>{rng.choice(UPLOAD_CODES)}</Code><Msg>{msg}</Msg><t>{t}</t>"
        f"</CtxUploaderResult>".encode("utf-8", "surrogatepass")
    )


def _tool(rng: random.Random, good: str) -> dict | None:
    roll = rng.random()
    if roll < 0.2:
        return None
    if roll < 0.6:
        return {"rc": 0, "stdout": good, "stderr": ""}
    return {"rc": rng.randint(-1, 3), "stdout": _text(rng), "stderr": _text(rng)}


def build_raw(rng: random.Random) -> tuple[dict, list[str]]:
    """One raw collection of the documented shape with random contents (and random missing keys)."""
    signatures: list[str] = []
    registry = None
    if rng.random() < 0.8:
        registry = {
            "Version": rng.choice(VERSIONS) if rng.random() < 0.8 else _text(rng),
            "LS_Install_Dir": rng.choice(["C:\\x", "C:\\Program Files (x86)\\Citrix\\Licensing"]),
        }
    issued, used = rng.randint(0, 10**6), rng.randint(0, 10**6)
    raw = {
        "collector": rng.choice(["lab", "windows", _text(rng)]),
        "now": _when(rng),
        "computer_name": rng.choice([None, "LS01", _text(rng)]),
        "macs": [rng.choice(["00:15:5d:00:00:01", "0015C5F0A1B2", "zz", ""]) for _i in range(rng.randint(0, 3))],
        "registry": registry,
        "install_dir": rng.choice([None, "C:\\x"]),
        "install_dir_exists": rng.random() < 0.8,
        "services": [
            {
                "name": rng.choice([*SERVICES, _text(rng) or "svc"]),
                "exists": rng.random() < 0.8,
                "state": rng.choice([None, "running", "stopped", "start_pending", "paused"]),
                "start_mode": rng.choice([None, "auto", "manual", "disabled"]),
            }
            for _i in range(rng.randint(0, 4))
        ],
        "lmhostid": _tool(rng, f'The FlexNet host ID of this machine is "HOSTNAME={_text(rng).replace(chr(34), "")}"'),
        "management_service": None
        if rng.random() < 0.2
        else {
            **(_tool(rng, f"License Management Service is {rng.choice(['enabled', 'disabled'])}.") or {}),
            "path": "C:\\x\\LS\\ctx_license_management_service.exe",
            "exists": rng.random() < 0.9,
        },
        "myfiles": [_license(rng, signatures) for _i in range(rng.randint(0, 4))],
        "upload_result": _file(rng, _upload(rng)),
        "proxy_config": _file(rng, rng.choice(PROXY_FILES) if rng.random() < 0.8 else _bytes(rng, 200)),
        "pending": [
            {
                "path": rng.choice(
                    [
                        "C:\\x\\LS\\resource\\usage\\upload_compliance_1.zip",
                        "C:\\X\\LS\\RESOURCE\\USAGE\\UPLOAD_COMPLIANCE_1.ZIP",
                        _text(rng) or "p",
                    ]
                ),
                "name": _text(rng),
                "size": rng.randint(0, 10**9),
                "mtime": rng.choice([_when(rng) or "2026-11-22T00:00:00Z", rng.randint(0, 4 * 10**9)]),
            }
            for _i in range(rng.randint(0, 4))
        ],
        "lmstat": _tool(
            rng,
            "License server status: 27000@localhost\n  localhost: license server UP v11.17.2\n"
            f"Users of XDT_PLT_UD:  (Total of {issued} licenses issued;  Total of {used} licenses "
            "in use)\n",
        ),
        "disk": {
            "free_bytes": rng.choice([None, rng.randint(0, 2**50)]),
            "total_bytes": rng.choice([None, rng.randint(0, 2**50)]),
        },
    }
    for key in rng.sample(sorted(raw), rng.randint(0, 3)):  # older collectors may omit keys
        del raw[key]
    return raw, signatures


@given(st.integers(0, 2**64 - 1), st.sampled_from([None, RELEASES]), st.integers(0, 400))
def test_build_record_never_raises_on_documented_shapes(seed: int, releases, warn_days: int) -> None:
    raw, signatures = build_raw(random.Random(seed))
    record = build_record("ls01", raw, now=NOW, releases=releases, expiry_warning_days=warn_days, warn_days=warn_days)
    assert set(record) >= RECORD_KEYS
    text = json.dumps(record)  # the record goes into Ansible results and the report as JSON
    assert record["host"] == "ls01" and record["installed"] == bool(raw.get("registry"))
    assert all(isinstance(p, str) and p.strip() for p in record["problems"])
    for group in signatures:
        assert group not in text, "a license signature reached the info record"


def _base() -> dict:
    return {
        "collector": "windows",
        "now": "2026-11-22T12:00:00Z",
        "computer_name": "LS01",
        "macs": [],
        "registry": {"Version": "11.17.2.0 build 45000", "LS_Install_Dir": "C:\\x"},
        "install_dir": "C:\\x",
        "install_dir_exists": True,
        "services": [],
        "lmhostid": None,
        "management_service": None,
        "myfiles": [],
        "upload_result": None,
        "proxy_config": None,
        "pending": [],
        "lmstat": None,
        "disk": {"free_bytes": 1, "total_bytes": 2},
    }


# Each case once crashed build_record with a non-CtxlicError (info then failed with "Unexpected exception"
# instead of a record that says what is odd). build_record now checks the raw collection's shape once where
# it enters (info_record._Shape) and turns each mismatch into a problem; timeutil.parse_iso returns None for
# times that overflow when converted to UTC. The ids keep the line each case used to crash at.
TYPE_CONFUSED = [
    pytest.param(
        {"services": {"name": "Citrix Licensing", "exists": True, "state": "running"}},
        id="services-single-object-info_record.py:100",
    ),
    pytest.param({"disk": "C: 10 GB free"}, id="disk-not-a-dict-info_record.py:90"),
    pytest.param({"registry": "11.17.2.0 build 45000"}, id="registry-not-a-dict-info_record.py:106"),
    pytest.param(
        {"upload_result": {"path": "C:\\x\\r.xml", "content_b64": "not base64!"}},
        id="upload-content-not-base64-info_record.py:32",
    ),
    pytest.param({"now": "0001-01-01T00:00:00+14:00"}, id="now-out-of-range-timeutil.py:23"),
    pytest.param({"lmhostid": {"rc": 0, "stdout": 12345}}, id="lmhostid-stdout-not-text-info_record.py:134"),
    pytest.param({"services": [{"name": None, "exists": False}]}, id="service-name-null-info_record.py:129"),
]


@pytest.mark.parametrize("change", TYPE_CONFUSED)
def test_build_record_survives_type_confused_collections(change: dict) -> None:
    raw = {**_base(), **change}
    try:
        record = build_record("ls01", raw, now=NOW + timedelta(0), releases=RELEASES)
    except CtxlicError as exc:  # a clear error of the collection's own would be acceptable too
        assert str(exc).strip()
        return
    json.dumps(record)
    assert record["problems"], "the odd collection should be named as a problem"
