# Copyright: (c) 2026, ctxlic maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# Internal use only: this module is private to ctxlic.license_server and may change at any time.
"""Read the CEIP / Call Home choice back from ``MyFiles\\CITRIX.opt`` after an install or upgrade (pure, no I/O).

Why: the documents spell the installer property ``CEILOPTIN`` (seed 004, every command line), public install
scripts ``CEIPOPTIN``; an installer that does not know the name it is given ignores it, and the install reports
success either way. Where the setting lands: "The Customer Experience Improvement Program (CEIP) and Call Home
configurations are stored in this file" (seed 004 ~590, the options file ``CITRIX.opt``; Licensing elements,
https://docs.citrix.com/en-us/licensing/11-17-2-37000/license-server/licensing-elements.html). CTX220679 ("How to
Configure CEIP / Call Home for the Citrix License Server") says to open ``CITRIX.opt`` to verify the setting after
an install or a change.

What is not documented: the line format of that setting. No vendor document available gives it, so this module
never judges a line by a format of its own. It returns, verbatim, the lines that mention the programs by the words
the documents use (CEIP, Call Home, Customer Experience Improvement Program, the installer property names) as
evidence, with ``verified: None``. Only the operator's own expectation (``ceip_expect``: a regular expression taken
from a server whose choice they verified in the Citrix Licensing Manager) turns the read-back into a check.
"""

from __future__ import annotations

import ntpath
import re
from typing import Any

from ansible_collections.ctxlic.license_server.plugins.plugin_utils._common.errors import InputError

OPTIONS_FILE = "CITRIX.opt"
#: The words the documents use for the two programs and the installer property (both spellings), any case.
MENTIONS = re.compile(r"ceip|ceiloptin|call[\s_-]*home|customer\s+experience\s+improvement", re.IGNORECASE)
MAX_LINES = 50
MAX_LINE_CHARS = 500
MISMATCH_CHOICES = ("warn", "fail")

NOT_DOCUMENTED = (
    "not verified: the Citrix Licensing documentation says CITRIX.opt stores the CEIP and Call Home configuration "
    "(Licensing elements) and How to Configure CEIP / Call Home for the Citrix License Server (CTX220679) says to "
    "open it to verify the setting, but no vendor document available gives the line format. Compare 'lines' with "
    "the choice shown in the Citrix Licensing Manager, or set ceip_expect to a regular expression taken from a "
    "server whose choice you verified there."
)


def options_file_path(install_dir: str) -> str:
    return ntpath.join(install_dir, "MyFiles", OPTIONS_FILE)


def check_expect(value: Any) -> re.Pattern[str] | None:
    """The operator's ``ceip_expect`` pattern, compiled; a bad one is refused before the host is asked anything."""
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise InputError(f"ceip_expect {value!r} must be a string: a regular expression matched against each line "
                         f"of {OPTIONS_FILE}.")
    try:
        return re.compile(value)
    except re.error as exc:
        raise InputError(
            f"ceip_expect {value!r} is not a valid regular expression ({exc}). Give a Python regular expression "
            f"that matches the CEIP / Call Home line of {OPTIONS_FILE} on a server whose choice you verified in the "
            "Citrix Licensing Manager (quote it in YAML; a literal '.' or '(' needs a backslash)."
        ) from exc


def check_mismatch(value: Any) -> str:
    if value not in MISMATCH_CHOICES:
        raise InputError(f"ceip_mismatch {value!r} must be one of {', '.join(MISMATCH_CHOICES)}.")
    return str(value)


def _lines(text: str) -> list[str]:
    return [line.rstrip("\r") for line in text.splitlines()]


def mention_lines(text: str) -> list[str]:
    """The lines of ``CITRIX.opt`` that mention CEIP / Call Home, verbatim (line endings removed), capped."""
    found = [line for line in _lines(text) if MENTIONS.search(line)]
    return [line[:MAX_LINE_CHARS] for line in found[:MAX_LINES]]


def readback(text: str | None, path: str, *, expect: str | None, passed: str | None) -> dict[str, Any]:
    """The ``ceip`` result of an install or upgrade.

    ``text``: the decoded ``CITRIX.opt`` (None: not found). ``expect``: the operator's pattern (validated by
    :func:`check_expect`). ``passed``: ``PROPERTY=value`` given to the installer, None when none was.
    ``verified``: None without an expectation, else whether a line of the file matches it.
    """
    result: dict[str, Any] = {"file": path, "found": text is not None, "passed": passed, "expected": expect,
                              "lines": mention_lines(text or ""), "matched": [], "verified": None, "reason": ""}
    pattern = check_expect(expect)
    if pattern is None:
        result["reason"] = (f"{path} was not found after the install; " if text is None else "") + NOT_DOCUMENTED
        return result
    if text is None:
        result.update(verified=False, reason=f"{path} was not found after the install, so ceip_expect cannot match.")
        return result
    matched = [line[:MAX_LINE_CHARS] for line in _lines(text) if pattern.search(line)][:MAX_LINES]
    result["matched"] = matched
    result["verified"] = bool(matched)
    result["reason"] = (f"a line of {path} matches ceip_expect." if matched
                        else f"no line of {path} matches ceip_expect.")
    return result


def mismatch_message(check: dict[str, Any]) -> str | None:
    """The warning or failure text when the operator's expectation did not match (None: nothing to say)."""
    if check.get("verified") is not False:
        return None
    lines = check.get("lines") or []
    found = ("the lines that mention CEIP / Call Home: " + " | ".join(repr(line) for line in lines)) if lines \
        else "no line mentions CEIP / Call Home"
    passed = check.get("passed")
    hint = (f" The installer was given {passed}; if your installer build expects the other property name "
            "(CEILOPTIN in the Citrix Licensing 11.17.2 build 49000 documentation, CEIPOPTIN in community scripts), "
            "set ceip_property and run again, or change the choice in the Citrix Licensing Manager.") if passed \
        else " No CEIP property was passed (ceip unset), so the installer kept or chose its default."
    if not check.get("found"):
        return f"CEIP / Call Home setting not confirmed: {check['file']} was not found after the install.{hint}"
    return (f"CEIP / Call Home setting not confirmed: no line of {check['file']} matches ceip_expect "
            f"{check.get('expected')!r}; {found}.{hint}")
