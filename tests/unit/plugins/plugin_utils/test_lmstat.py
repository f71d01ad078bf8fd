# Copyright: (c) 2026, ctxlic maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Tests for the lmstat output parser (plugins/plugin_utils/_server/lmstat.py)."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ansible_collections.ctxlic.license_server.plugins.plugin_utils._server.lmstat import parse_lmstat

FIXTURES = Path(__file__).resolve().parents[3] / "fixtures" / "lmstat"
INTERNAL_FAILURE = "could not be read completely"
SEED_FILES = [
    "C:\\Program Files (x86)\\Citrix\\Licensing\\MyFiles\\citrix_startup.lic",
    "C:\\Program Files (x86)\\Citrix\\Licensing\\MyFiles\\License.lic",
]
SEED_COUNTS = {
    "CITRIX": (10000, 1),
    "CTXLSDIAG": (10000, 0),
    "XDT_PLT_CCS": (200000, 3),
}


def load(name: str) -> str:
    return (FIXTURES / name).read_text(encoding="utf-8")


def counts(result: dict) -> dict:
    return {name: (feature["issued"], feature["in_use"]) for name, feature in result["features"].items()}


@pytest.mark.parametrize(
    "text",
    [
        load("seed_004_numbered_wrapped.txt"),
        load("seed_004_unwrapped.txt"),
        load("seed_004_unwrapped.txt").replace("\n", "\r\n"),
        load("seed_004_numbered_wrapped.txt").replace("\n", "\r\n").encode("utf-8"),
    ],
    ids=["seed-as-printed", "unwrapped", "unwrapped-crlf", "seed-as-printed-crlf-bytes"],
)
def test_seed_example(text):
    result = parse_lmstat(text)
    json.dumps(result)
    assert result["parsed"] is True
    assert (result["port"], result["host"]) == (27000, "localhost")
    assert result["license_files"] == SEED_FILES
    assert result["server"] == {"name": "localhost", "status": "UP", "role": None, "version": "v11.15.0", "error": None}
    assert result["vendor_daemons"] == {"CITRIX": {"status": "UP", "version": "v11.15.0", "error": None}}
    assert counts(result) == SEED_COUNTS
    assert result["warnings"] == []


def test_seed_example_feature_details_and_checkouts():
    result = parse_lmstat(load("seed_004_numbered_wrapped.txt"))
    citrix = result["features"]["CITRIX"]
    assert (citrix["version"], citrix["vendor"], citrix["expiry"]) == ("v2038.0101", "CITRIX", "permanent")
    assert citrix["vendor_string"] == ";LT=SYS;GP=720;SA=0"
    xdt = result["features"]["XDT_PLT_CCS"]
    assert xdt["expiry"] == "01-dec-2018"
    assert (
        xdt["vendor_string"] == ";LT=Retail;GP=720;PSL=10;CL=VDS,VDA,VDE,VDP;SA=0;ODP=0;NUDURMIN=2880;NUDURMAX=525600"
    )
    assert len(xdt["checkouts"]) == xdt["in_use"] == 3
    assert xdt["checkouts"][0] == {
        "user": "XDT",
        "host": "DDCAux-0001.citrix.com",
        "display": "XDT",
        "extra": "00001E3A",
        "version": "v2018.0518",
        "server": "localhost",
        "port": 27000,
        "handle": 534201,
        "start": "Wed 5/9 15:17",
    }
    assert [item["handle"] for item in citrix["checkouts"]] == [102]
    assert result["features"]["CTXLSDIAG"]["checkouts"] == []


def test_flexnet_variants():
    result = parse_lmstat(load("flexnet_variants_master_singular_uncounted_error.txt"))
    assert result["server"]["role"] == "MASTER"
    assert result["server"]["version"] == "v11.17.2"
    assert result["host"] == "LS01"
    assert len(result["license_files"]) == 2
    features = result["features"]
    assert (features["CITRIX"]["issued"], features["CITRIX"]["in_use"]) == (10000, 1)
    assert (features["XDT_PLT_UD"]["issued"], features["XDT_PLT_UD"]["in_use"]) == (250, 0)
    assert features["CTX_NODE_TOOL"]["uncounted"] is True
    assert features["CTX_NODE_TOOL"]["issued"] is None
    assert features["XDT_ADV_CCS"]["error"] == "20 licenses, unsupported by licensed server"
    assert result["warnings"] == []


def test_server_down():
    result = parse_lmstat(load("server_down_cannot_connect.txt"))
    assert result["parsed"] is True
    assert result["server"]["status"] == "DOWN"
    assert result["server"]["error"].startswith("Cannot connect to license server system")
    assert "(-15,10:10061" in result["server"]["error"]
    assert result["features"] == {}


@pytest.mark.parametrize(
    ("text", "status"),
    [
        ("lmgrd is not running: License server machine is down or not responding. (-96,7)", "DOWN"),
        ("License server status: 27000@ls9\n  ls9: license server DOWN\n", "DOWN"),
    ],
)
def test_other_server_down_forms(text, status):
    result = parse_lmstat(text)
    assert result["parsed"] is True
    assert result["server"]["status"] == status


def test_vendor_daemon_down():
    result = parse_lmstat(load("vendor_daemon_down.txt"))
    assert result["server"]["status"] == "UP"
    assert result["vendor_daemons"]["CITRIX"]["status"] == "DOWN"
    assert "(-97,121)" in result["vendor_daemons"]["CITRIX"]["error"]
    assert result["license_files"] == ["C:\\Program Files (x86)\\Citrix\\Licensing\\MyFiles\\citrix_startup.lic"]


def test_unreadable_counts_are_reported_not_raised():
    result = parse_lmstat("Users of XDT_PLT_UD: (Total of lots of licenses)\n")
    assert result["parsed"] is True
    assert result["features"]["XDT_PLT_UD"]["issued"] is None
    assert result["warnings"] == ["Users of XDT_PLT_UD: license counts could not be read"]


@pytest.mark.parametrize(
    "value",
    [load("garbage.txt"), load("empty.txt"), None, b"\x00\xff\xfe", "Users of", 12345, "\n\n\n"],
    ids=["garbage", "empty", "none", "binary", "fragment", "not-text", "blank-lines"],
)
def test_garbage_is_not_parsed(value):
    result = parse_lmstat(value)
    assert result["parsed"] is False
    assert result["features"] == {}
    assert result["server"]["status"] is None
    assert all(INTERNAL_FAILURE not in warning for warning in result["warnings"])


def test_listing_numbers_are_kept_when_only_some_lines_have_them():
    text = "Users of XDT_PLT_UD: (Total of 25 licenses issued; Total of 2 licenses in use)\n1 unrelated line\n"
    assert counts(parse_lmstat(text)) == {"XDT_PLT_UD": (25, 2)}


def check(result: dict) -> None:
    json.dumps(result)
    assert isinstance(result["parsed"], bool)
    assert all(INTERNAL_FAILURE not in warning for warning in result["warnings"])


@settings(max_examples=200, deadline=None)
@given(data=st.one_of(st.binary(max_size=2048), st.text(max_size=2048)))
def test_fuzz_random_input(data):
    check(parse_lmstat(data))


SEED_TEXTS = [load(name) for name in sorted(path.name for path in FIXTURES.iterdir())]


@settings(max_examples=200, deadline=None)
@given(base=st.sampled_from(SEED_TEXTS), seed=st.integers(0, 2**32 - 1), edits=st.integers(1, 10))
def test_fuzz_mutated_output(base, seed, edits):
    rng = random.Random(seed)
    text = list(base)
    for _dummy in range(edits):
        position = rng.randrange(len(text) + 1)
        choice = rng.random()
        if choice < 0.4 and text:
            del text[position : position + rng.randint(1, 30)]
        elif choice < 0.8:
            text[position:position] = list(
                rng.choice(["\n", "   ", "(", ")", ":", ";", "\\", "/", "Users of ", "Total of 9"])
            )
        else:
            del text[position:]
    check(parse_lmstat("".join(text)))
