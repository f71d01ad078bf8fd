# Copyright: (c) 2026, ctxlic maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# Internal use only: this module is private to ctxlic.license_server and may change at any time.
"""The JUnit XML report (pure): one suite for the fleet and one per server, written as text exactly as
ElementTree writes it."""

from __future__ import annotations

import collections
import functools
import itertools
import operator
import re
from collections.abc import Iterator
from typing import Any
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._compliance.render.common import (
    _CHECK_KEY,
    _CLASS_SAFE,
    _NEEDS_CLEANING,
    _ROWS_PER_PIECE,
    _clean_cached,
    _truncate,
    clean_text,
)
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._compliance.render.shared import (
    SharedModel,
)


#: What ElementTree writes for each character it escapes in an attribute, in its order (``&`` first); character
#: data escapes the first three only.
_XML_ATTR_ESCAPES = (("&", "&amp;"), ("<", "&lt;"), (">", "&gt;"), ('"', "&quot;"), ("\r", "&#13;"), ("\n", "&#10;"),
                     ("\t", "&#09;"))
_XML_TEXT_ESCAPES = _XML_ATTR_ESCAPES[:3]


def _escaped(text: str, escapes: tuple) -> str:
    """``text`` with each character of ``escapes`` replaced by its entity, in order (a copy only where one occurs)."""
    for char, entity in escapes:
        if char in text:
            text = text.replace(char, entity)
    return text


def _xml_attr(text: str) -> str:
    """``text`` as a double-quoted XML attribute value, escaped exactly as ElementTree writes it.

    ``& < > "`` become entities; CR, LF and tab become character references (``&#13;`` ``&#10;`` ``&#09;``)
    so that attribute-value normalization keeps them. Text must be cleaned (:func:`clean_text`) first.
    """
    return _escaped(text, _XML_ATTR_ESCAPES)


def _xml_text(text: str) -> str:
    """``text`` as XML character data, escaped exactly as ElementTree writes it: ``& < >`` become entities.

    Text must be cleaned (:func:`clean_text`) first. CR is written as it is (as ElementTree does), so a
    parser reads it as a line break.
    """
    return _escaped(text, _XML_TEXT_ESCAPES)


#: The characters :func:`clean_text` or :func:`_xml_attr` change: a text with none of them is written as it is.
_XML_ATTR_WORK = re.compile(_NEEDS_CLEANING.pattern[:-1] + '&<>"\r\n\t]')


@functools.lru_cache(maxsize=4096)
def _xml_attr_cached(value: Any) -> str:
    """:func:`clean_text` then :func:`_xml_attr` of one shared value (a status, a flag, a check id), remembered."""
    return _xml_attr(clean_text(value))


def _junit_case_body(status: Any, message: Any, detail: Any, warn_fails: bool) -> tuple[str, int, int]:
    """What a test case with ``status`` writes after its ``time`` attribute, and its (failures, skipped).

    A failure carries the message (cut to 1000 characters) and the detail; a skipped case the message;
    a passing or warning case the detail as ``system-out`` (none when there is no detail).
    """
    status, message, detail = _clean_cached(str(status)), _clean_cached(str(message)), _clean_cached(str(detail))
    if status == "fail" or (status == "warn" and warn_fails):
        failure = f'<failure message="{_xml_attr(_truncate(message, 1000))}" type="{_xml_attr(status)}"'
        failure += f">{_xml_text(detail)}</failure>" if detail else " />"
        return f">\n      {failure}\n    </testcase>", 1, 0
    if status == "unknown":
        return f'>\n      <skipped message="{_xml_attr(_truncate(message, 1000))}" />\n    </testcase>', 0, 1
    if detail:
        return f">\n      <system-out>{_xml_text(f'{status.upper()}: {detail}')}</system-out>\n    </testcase>", 0, 0
    return " />", 0, 0


@functools.lru_cache(maxsize=65536)
def _junit_check(check_id: Any, status: Any, message: str, rule: Any, fix: Any,
                 warn_fails: bool) -> tuple[str, str, int, int]:
    """One server check as a test case, less the server's own parts, remembered (the checks repeat the model's
    shared texts on many servers): the name's tail and what follows the classname, and (failures, skipped)."""
    detail = "\n".join(p for p in (message, f"Rule: {rule or ''}", f"Fix: {fix or ''}") if not p.endswith(": "))
    body, failures, skipped = _junit_case_body(status, message, detail, warn_fails)
    return _xml_attr(clean_text(f" :: {check_id}")) + '" classname="', '" time="0"' + body, failures, skipped


def _junit_outcome(status: Any, warn_fails: bool) -> tuple[int, int]:
    """(failures, skipped) one test case with ``status`` counts for (what :func:`_junit_case_body` writes)."""
    status = _clean_cached(str(status))
    if status == "fail" or (status == "warn" and warn_fails):
        return 1, 0
    return (0, 1) if status == "unknown" else (0, 0)


def _junit_suite(name: str, tests: int, failures: int, skipped: int, timestamp: str, properties: str,
                 cases: str) -> str:
    """One suite as ``ElementTree.indent`` lays it out inside the root.

    ``name`` and ``timestamp`` are escaped already; ``properties`` (see :func:`_junit_property`) and ``cases`` written.
    """
    return (f'\n  <testsuite name="{name}" tests="{tests}" failures="{failures}" errors="0" skipped="{skipped}"'
            f' time="0" timestamp="{timestamp}">'
            + (f"\n    <properties>{properties}\n    </properties>" if properties else "\n    <properties />")
            + f"{cases}\n  </testsuite>")


def _junit_property(name: str, value: str) -> str:
    """One property of a suite; ``name`` and ``value`` escaped."""
    return f'\n      <property name="{name}" value="{value}" />'


def _iter_junit(shared: SharedModel) -> Iterator[str]:
    """One suite for the fleet (FAQ status, obsolete allocations, fleet-wide findings), one per server.

    Written as text, suite by suite, exactly as ElementTree would write the whole tree indented by
    ``ElementTree.indent`` (same layout, same escaping: :func:`_xml_attr`, :func:`_xml_text`): the totals the root
    element carries are counted first (from the checks' statuses), then each suite is written and dropped.
    Cleaning and escaping of the texts the model shares (messages, rules, fixes) is remembered; host names
    are cleaned and escaped once per server.
    """
    model = shared.source
    meta, fleet = model["meta"], model["fleet"]
    messages, remediations = model.get("messages") or [], model.get("remediations") or {}
    rules = {cid: entry.get("rule") for cid, entry in (model.get("checks") or {}).items()}
    warn_fails = bool(meta.get("options", {}).get("junit_warn_as_failure"))
    stamp = _xml_attr(clean_text(meta["generated_at"])[:19])
    verdict = model.get("verdict") or {}
    fleet_props = {"verdict": verdict.get("headline", ""), "verdict_tone": verdict.get("tone", ""),
                   "fleet_status": fleet["status"], "fleet_action_required": str(fleet["action_required"]).lower(),
                   "as_of": meta["as_of"], "collection_version": meta.get("collection_version") or ""}

    for count in (model.get("licensing") or {}).get("counts") or ():
        fleet_props[f"licensing_{count['technology']}"] = str(count["servers"])
    faq_status = {"Compliant": "pass", "Unknown": "unknown"}.get(fleet["status"], "fail")
    cases = []
    if verdict:
        cases.append(("fleet :: overall verdict", verdict["tone"],
                      f"{verdict['headline']}. {verdict.get('detail') or ''}".strip()))
    cases.append(("fleet :: telemetry status (Citrix License Telemetry FAQ)", faq_status,
                  f"{fleet['status']}: {fleet['status_reason']}"))
    cases += [(f"fleet :: obsolete allocation :: {o['host']}", "fail", o["message"])
              for o in model["obsolete_allocations"]]
    cases += [(f"fleet :: {f['id']}", f["severity"], f["message"]) for f in fleet["other_findings"] if not f["hosts"]]
    inputs = model.get("input_rows") or {}
    cases += [(f"fleet :: input :: {inputs.get('option')} row {f.get('row')}", "warn",
               f"{inputs.get('option')}: {f.get('message')}") for f in inputs.get("findings") or ()]
    licensing = model.get("licensing")
    if licensing:
        cases.append(("fleet :: licensing technology (LAS)", licensing["tone"], licensing["headline"]))
    failures = skipped = 0
    written = []
    for name, status, message in cases:
        body, f, s = _junit_case_body(status, message, message, warn_fails)
        written.append(f'\n    <testcase name="{_xml_attr(clean_text(name))}" classname="ctxlic.license_server.fleet"'
                       f' time="0"{body}')
        failures, skipped = failures + f, skipped + s
    properties = "".join(_junit_property(_xml_attr(clean_text(k)), _xml_attr(clean_text(v)))
                         for k, v in fleet_props.items())
    batch = [_junit_suite("fleet", len(cases), failures, skipped, stamp, properties, "".join(written))]
    totals = [len(cases), failures, skipped]
    statuses = collections.Counter(map(operator.itemgetter("status"), itertools.chain.from_iterable(
        map(operator.itemgetter("checks"), model["servers"]))))
    for status, count in statuses.items():
        f, s = _junit_outcome(status, warn_fails)
        totals = [totals[0] + count, totals[1] + f * count, totals[2] + s * count]
    yield (f'<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="{_xml_attr(clean_text(meta["title"]))}"'
           f' tests="{totals[0]}" failures="{totals[1]}" errors="0" skipped="{totals[2]}" time="0">')

    checks: dict[tuple, tuple[str, str, int]] = {}  # a check's test case less the server's parts, by what it shows

    def case(key: tuple) -> tuple[str, str, int]:
        (check_id, status, message), fix = key
        tail, rest, f, s = _junit_check(check_id, status, messages[message] if message is not None else "",
                                        rules.get(check_id), remediations.get(fix), warn_fails)
        entry = checks[key] = (tail, rest, f + 2 * s)  # the outcome: 1 failure, 2 skipped (never both)
        return entry

    outcome, shows = operator.itemgetter(2), _CHECK_KEY
    for number, server in enumerate(model["servers"], 1):
        # Fleet properties live in the fleet suite only, and each server's are named after it: xunitparser
        # keeps every suite's properties in one table and rejects a name seen twice (issue 15 item 12).
        host, hostname = server["host"], server["hostname"] or ""
        if host.__class__ is str and _XML_ATTR_WORK.search(host) is None:  # nothing to clean or escape
            name = host
        else:
            host = clean_text(host)
            name = _xml_attr(host)
        if hostname.__class__ is not str or _XML_ATTR_WORK.search(hostname) is not None:
            hostname = _xml_attr(clean_text(hostname))
        # Only [A-Za-z0-9_.-] is left: nothing to escape.
        classname = "ctxlic.license_server." + (_CLASS_SAFE.sub("_", host) or "host")
        entries = [checks.get(key := (shows(check), check.get("remediation"))) or case(key)
                   for check in server["checks"]]
        outcomes, reporting = list(map(outcome, entries)), server["reporting"]
        cases_text = "".join([f'\n    <testcase name="{name}{tail}{classname}{rest}' for tail, rest, _o in entries])
        batch.append(
            f'\n  <testsuite name="{name}" tests="{len(entries)}" failures="{outcomes.count(1)}" errors="0"'
            f' skipped="{outcomes.count(2)}" time="0" timestamp="{stamp}">\n    <properties>'
            f'\n      <property name="{name} :: hostname" value="{hostname}" />'
            f'\n      <property name="{name} :: server_status" value="{_xml_attr_cached(server["status"])}" />'
            f'\n      <property name="{name} :: reporting" value="{_xml_attr_cached(str(reporting).lower())}" />'
            f"\n    </properties>{cases_text}\n  </testsuite>")
        if number % _ROWS_PER_PIECE == 0:
            yield "".join(batch)
            batch = []
    if batch:
        yield "".join(batch)
    yield "\n</testsuites>\n"
