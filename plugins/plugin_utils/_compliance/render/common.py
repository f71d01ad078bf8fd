# Copyright: (c) 2026, ctxlic maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# Internal use only: this module is private to ctxlic.license_server and may change at any time.
"""Text cleaning and escaping shared by every report format, the report's tones and labels, and how
rendered text is cut into pieces (pure)."""

from __future__ import annotations

import functools
import itertools
import operator
import re
from collections.abc import Callable, Iterator
from typing import Any
from markupsafe import Markup, escape


TONE_SYMBOLS = {"pass": "\u2714", "warn": "\u25b2", "fail": "\u2716", "unknown": "?"}
TONE_COLOURS = {"pass": "#1a7f37", "warn": "#9a6700", "fail": "#cf222e", "unknown": "#57606a"}
CHECK_LABELS = {"pass": "PASS", "warn": "WARN", "fail": "FAIL", "unknown": "UNKNOWN"}

_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
#: Characters that change how text around them displays, or display as nothing (Unicode bidi controls,
#: UAX #9; zero-width and invisible format characters): shown as <U+XXXX> in every format.
INVISIBLE = ("\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064"
             "\u2066-\u206f\u3164\ufe00-\ufe0f\ufeff\uffa0")
_INVISIBLE = re.compile(f"[{INVISIBLE}]")
_MD_SPECIAL = re.compile(r"([\\`*_\[\]|#~])")
_NEWLINES = re.compile("\r\n|[\r\n\u2028\u2029]")  # what editors and some renderers treat as line breaks
_CSV_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
_CLASS_SAFE = re.compile(r"[^A-Za-z0-9_.-]+")


# --------------------------------------------------------------------------- escaping helpers


def clean_text(value: Any) -> str:
    """``value`` as text with the characters XML 1.0 forbids (and other controls) removed.

    Invisible formatting characters (bidi overrides and isolates, zero-width characters, the soft
    hyphen, the BOM) are made visible as ``<U+202E>``: ``FID_\u202egnp.exe.lic`` would otherwise display
    as ``FID_cil.exe.png`` (issue 14 item 8). This is the one place every non-JSON format cleans text.
    """
    text = _FORBIDDEN.sub("", "" if value is None else str(value))
    return _INVISIBLE.sub(lambda match: f"<U+{ord(match.group()):04X}>", text)


_NEEDS_CLEANING = re.compile(f"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff{INVISIBLE}]")
#: The characters of ``_NEEDS_CLEANING`` an ASCII text can hold, as bytes (``bytes.translate`` deletes them).
_ASCII_CONTROLS = bytes([*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0x7F])


def needs_cleaning(text: str) -> bool:
    """Whether :func:`clean_text` changes ``text`` (a ``str``).

    The same answer as ``_NEEDS_CLEANING.search``, several times faster on ASCII text (most of a report):
    deleting the control bytes of its ASCII encoding is a C loop, the regular expression's large character
    class is tested character by character.
    """
    if text.isascii():
        data = text.encode("ascii")
        return len(data.translate(None, _ASCII_CONTROLS)) != len(data)
    return _NEEDS_CLEANING.search(text) is not None


def clean_output(value: Any) -> Any:
    """What a template writes: text cleaned (:func:`clean_text`), other values as they are (``finalize``)."""
    if value.__class__ is str:
        return clean_text(value) if _NEEDS_CLEANING.search(value) else value
    if isinstance(value, Markup) or not isinstance(value, str):
        return value
    return clean_text(value)


def md_escape(value: Any, *, newline: str = "<br>") -> str:
    """Escape text for a Markdown table cell (or, with ``newline=" "``, a heading or list item)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    return _md_text(value if value.__class__ is str else str(value), newline)


@functools.lru_cache(maxsize=65536)
def _md_text(value: str, newline: str) -> str:
    """:func:`md_escape` of one text, remembered: a report repeats its shared texts on many servers."""
    text = clean_text(value).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = _MD_SPECIAL.sub(r"\\\1", text)
    return _NEWLINES.sub(newline, text)


@functools.lru_cache(maxsize=65536)
def _clean_cached(value: str) -> str:
    """:func:`clean_text` of one text, remembered (the shared messages of a large fleet)."""
    return clean_text(value)


@functools.lru_cache(maxsize=65536)
def _html_text(value: str) -> Markup:
    """One shared text cleaned and HTML-escaped, remembered: written on many servers, escaped once."""
    return escape(clean_text(value))


def csv_cell(value: Any) -> Any:
    """Neutralise a CSV cell: numbers pass, text starting with a formula trigger gets a leading ``'``."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return value
    text = _clean_cached(value) if value.__class__ is str else clean_text(value)
    return "'" + text if text.startswith(_CSV_TRIGGERS) else text


def human_bytes(size: Any) -> str:
    """``123456`` -> ``120.6 KiB``; non-numbers -> empty text."""
    if isinstance(size, bool) or not isinstance(size, (int, float)):
        return ""
    value = float(size)
    for unit in ("B", "KiB", "MiB", "GiB", "TiB"):
        if abs(value) < 1024 or unit == "TiB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{size} B"


def _truncate(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "\u2026"


#: Template pieces joined into one: Jinja2 yields every literal and value on its own, and handing each of
#: those on by Python code cost a quarter of the HTML report's time; ``list(islice(...))`` and ``join`` do not.
_TEMPLATE_PIECES = 8192


def _batches(pieces: Iterator[str]) -> Iterator[list[str]]:
    while True:
        batch = list(itertools.islice(pieces, _TEMPLATE_PIECES))
        if not batch:
            return
        yield batch


#: Rows of CSV (suites of JUnit, servers of a Markdown section) written into one piece of a streamed report.
_ROWS_PER_PIECE = 500


#: Yes / no for a boolean cell.
_YES_NO = {True: "yes", False: "no"}
_CHECK_KEY = operator.itemgetter("id", "status", "message")  # what a check's row in "Details per server" shows


class _Built(dict):
    """A cache of texts: a missing key's text is built (by ``build``) and kept."""

    def __init__(self, build: Callable[[Any], str]) -> None:
        super().__init__()
        self._build = build

    def __missing__(self, key: Any) -> str:
        text = self[key] = self._build(key)
        return text
