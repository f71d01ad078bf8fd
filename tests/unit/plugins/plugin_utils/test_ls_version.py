# Copyright: (c) 2026, ctxlic maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Tests for plugin_utils._server.version: the spellings of License Server versions and their order."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ansible_collections.ctxlic.license_server.plugins.plugin_utils._common.errors import InputError
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._server.version import LSVersion, parse_ls_version


@pytest.mark.parametrize(
    ("text", "expected", "build_known"),
    [
        ("11.17.2.0 build 42000", (11, 17, 2, 42000), True),  # registry value (DESIGN.md)
        ("11.17.2 build 49000", (11, 17, 2, 49000), True),  # "What's new" heading (004)
        ("11.17.2.0 Build 45000", (11, 17, 2, 45000), True),
        ("11.16.6 build 34000", (11, 16, 6, 34000), True),
        ("11.17.2.0", (11, 17, 2, 0), False),
        ("  11.17.2.0   build   42000  ", (11, 17, 2, 42000), True),
        ("11.17.2.0\tbuild\t42000\x00", (11, 17, 2, 42000), True),
        ("11.17.2.0\u00a0build\u00a042000", (11, 17, 2, 42000), True),
        ("11.17.2.0 BUILD 51000\r\n", (11, 17, 2, 51000), True),
        ("11.17.2, build 40000", (11, 17, 2, 40000), True),
        ("11.12.1", (11, 12, 1, 0), False),
    ],
)
def test_parse_accepted_forms(text: str, expected: tuple[int, int, int, int], build_known: bool) -> None:
    version = parse_ls_version(text)
    assert (version.major, version.minor, version.patch, version.build) == expected
    assert version.build_known is build_known


@pytest.mark.parametrize(
    "text",
    [
        "banana",
        "",
        "   ",
        "11.x",
        "11.17",
        "11.17.2 build",
        "build 42000",
        "11.17.2.0.0",
        "11.17.2 build 4200a",
        "11.17.2 build -1",
        "v11.17.2 build 42000",
        "11.17.2 build 42000 beta",
        "1" * 40 + ".17.2 build 1",
    ],
)
def test_parse_rejects_and_names_the_text(text: str) -> None:
    with pytest.raises(InputError) as err:
        parse_ls_version(text)
    assert repr(text) in str(err.value)
    assert "11.17.2.0 build 42000" in str(err.value)  # says what to do: shows the expected form


@pytest.mark.parametrize("value", [None, 11.17, 42000, ["11.17.2 build 1"], b"11.17.2 build 1"])
def test_parse_rejects_non_strings(value: object) -> None:
    with pytest.raises(InputError, match="not a string"):
        parse_ls_version(value)


def test_parse_passes_an_lsversion_through() -> None:
    version = parse_ls_version("11.17.2 build 1")
    assert parse_ls_version(version) is version


@pytest.mark.parametrize(
    ("text", "canonical"),
    [
        ("11.17.2.0 Build 45000", "11.17.2 build 45000"),
        ("11.16.6 build 34000", "11.16.6 build 34000"),
        ("11.17.2.0", "11.17.2 (build unknown)"),
    ],
)
def test_str_is_canonical(text: str, canonical: str) -> None:
    assert str(parse_ls_version(text)) == canonical


def test_ordering_follows_major_minor_patch_build() -> None:
    texts = [
        "11.17.2 build 49000",
        "11.16.6 build 34000",
        "11.17.2.0 build 42000",
        "12.0.0 build 1",
        "11.17.10 build 1",
        "11.17.2 build 40000",
    ]
    ordered = [str(v) for v in sorted(parse_ls_version(t) for t in texts)]
    assert ordered == [
        "11.16.6 build 34000",
        "11.17.2 build 40000",
        "11.17.2 build 42000",
        "11.17.2 build 49000",
        "11.17.10 build 1",
        "12.0.0 build 1",
    ]


def test_spellings_of_one_version_are_equal_and_hash_alike() -> None:
    a = parse_ls_version("11.17.2.0 build 45000")
    b = parse_ls_version("11.17.2 Build 45000")
    assert a == b
    assert hash(a) == hash(b)
    assert a.text != b.text
    assert a < parse_ls_version("11.17.2 build 45001")


def test_version_is_frozen() -> None:
    version = parse_ls_version("11.17.2 build 45000")
    with pytest.raises(AttributeError):
        version.build = 1  # type: ignore[misc]


def test_to_dict_matches_the_server_record() -> None:
    assert parse_ls_version("11.17.2.0 build 45000").to_dict() == {
        "text": "11.17.2.0 build 45000",
        "major": 11,
        "minor": 17,
        "patch": 2,
        "build": 45000,
        "build_known": True,
    }
    unknown = parse_ls_version(" 11.17.2.0 ").to_dict()
    assert unknown["build"] is None
    assert unknown["build_known"] is False
    assert unknown["text"] == "11.17.2.0"


def test_release_property_drops_the_build() -> None:
    assert parse_ls_version("11.17.2 build 5").release == (11, 17, 2)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=60))
def test_parser_never_raises_anything_but_input_error(text: str) -> None:
    try:
        version = parse_ls_version(text)
    except InputError:
        return
    assert isinstance(version, LSVersion)


@settings(max_examples=200, deadline=None)
@given(
    st.integers(0, 999),
    st.integers(0, 999),
    st.integers(0, 999),
    st.integers(0, 10**9 - 1),
    st.booleans(),
    st.sampled_from(["build", "Build", "BUILD"]),
)
def test_round_trip(major: int, minor: int, patch: int, build: int, four_part: bool, word: str) -> None:
    text = f"{major}.{minor}.{patch}{'.0' if four_part else ''} {word} {build}"
    version = parse_ls_version(text)
    assert version == LSVersion(major, minor, patch, build)
    assert parse_ls_version(str(version)) == version
