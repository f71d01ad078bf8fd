# Copyright: (c) 2026, ctxlic maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""ceip_readback: CITRIX.opt lines that mention CEIP / Call Home are evidence; only the operator's pattern judges.

Seed 004 ~590 (Licensing elements): CITRIX.opt stores the CEIP and Call Home configuration; no document gives the
line format, so every line below is made up by the test.
"""

from __future__ import annotations

import pytest

from ansible_collections.ctxlic.license_server.plugins.plugin_utils._common.errors import InputError
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._server import ceip_readback as cr

PATH = r"C:\Program Files (x86)\Citrix\Licensing\MyFiles\CITRIX.opt"


@pytest.mark.parametrize("line", ["x CEIP y", "ceip=1", "CallHome on", "call home", "CALL_HOME", "Call-Home",
                                  "Customer Experience Improvement Program", "CEILOPTIN=NONE", "CEIPOPTIN=NONE"])
def test_lines_that_use_the_documents_words_are_evidence(line):
    assert cr.mention_lines(f"# head\r\n{line}\r\nother\r\n") == [line]


@pytest.mark.parametrize("line", ["", "INCLUDE x", "# options", "REPORTLOG +x.rl", "homecall"])
def test_other_lines_are_not(line):
    assert cr.mention_lines(line) == []


def test_without_an_expectation_nothing_is_judged():
    check = cr.readback("A CEIP line\n", PATH, expect=None, passed="CEILOPTIN=NONE")
    assert check["verified"] is None and check["lines"] == ["A CEIP line"] and check["passed"] == "CEILOPTIN=NONE"
    assert cr.mismatch_message(check) is None


def test_the_expectation_is_matched_line_by_line():
    check = cr.readback("a\nTEST_ONLY ceip 1\nb\n", PATH, expect=r"^TEST_ONLY ceip \d$", passed=None)
    assert check["verified"] is True and check["matched"] == ["TEST_ONLY ceip 1"]
    miss = cr.readback("a\nTEST_ONLY ceip 1\n", PATH, expect="ceip 2", passed=None)
    assert miss["verified"] is False
    message = cr.mismatch_message(miss)
    assert PATH in message and "'ceip 2'" in message and "'TEST_ONLY ceip 1'" in message


def test_evidence_is_capped():
    text = "\n".join(f"CEIP {i} " + "x" * 900 for i in range(200))
    lines = cr.mention_lines(text)
    assert len(lines) == cr.MAX_LINES and all(len(line) == cr.MAX_LINE_CHARS for line in lines)


@pytest.mark.parametrize("bad", ["(", "[a-", "*x", 5])
def test_a_bad_pattern_is_refused_with_a_clear_message(bad):
    with pytest.raises(InputError, match="ceip_expect"):
        cr.check_expect(bad)
