# Copyright: (c) 2026, ctxlic maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Fuzz: hostile times, limits and text (issue 14 items 5-8, issue 15 item 3).

Properties: the telemetry evaluation never raises on any time a datetime can hold (year 1 to 9999) or
any limit up to the module's maximum, never credits a success dated after the report's day, and never
shows a negative day count; the history never stores such a time; every report format shows bidi and
zero-width characters as visible escapes.
"""

from __future__ import annotations

import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "unit" / "plugins" / "plugin_utils"))

from report_factory import AS_OF, make_record

from ansible_collections.ctxlic.license_server.plugins.plugin_utils._compliance.fleet import evaluate_fleet
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._compliance.server_checks import evaluate_server
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._common.errors import InputError
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._store.evidence_history import (
    prepare_observation,
)
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._compliance.report_model import build_report
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._compliance.report_render import (
    INVISIBLE,
    render,
)

_moment = st.datetimes(min_value=datetime(1, 1, 2), max_value=datetime(9999, 12, 30), timezones=st.just(UTC))
_limit = st.one_of(st.integers(1, 3650), st.sampled_from([1, 90, 3650, 999_999_999]))


def _iso(moment: datetime) -> str:
    return moment.replace(microsecond=0).isoformat().replace("+00:00", "Z")


@given(upload=_moment, history=st.lists(_moment, max_size=3), as_of=_moment, limit=_limit)
def test_no_time_crashes_and_no_future_time_is_credited(upload, history, as_of, limit):
    rows = [{"status": "success", "time": _iso(h)} for h in history]
    result = evaluate_server(make_record("ls01", upload={"time": _iso(upload)}), as_of=as_of,
                             last_success=rows or None, max_upload_age_days=limit)
    check = next(c for c in result["checks"] if c["id"] == "telemetry_upload")
    days = check["evidence"]["days_since_success"]
    credited = [t for t in [upload, *history] if t.date() <= as_of.date()]
    if credited:
        assert days == (as_of.date() - max(credited).date()).days >= 0
    else:
        assert days is None and result["reporting"] is False
    if any(t.date() > as_of.date() for t in [upload, *history]):
        assert check["evidence"]["future_success"] and "future" in check["message"]
    assert result["reporting"] is (days is not None and days <= limit)
    evaluate_fleet([result], as_of=as_of)


@given(upload=_moment, observed=_moment)
def test_the_history_never_stores_a_time_after_the_clock(upload, observed):
    try:
        prepared = prepare_observation("ls01", observed, {"status": "success", "time": _iso(upload)},
                                       not_after=observed)
    except InputError as exc:
        assert upload.date() > observed.date() and "future" in str(exc)
        return
    assert upload.date() <= observed.date() and prepared.key[1] == _iso(upload)


_invisible = st.sampled_from(sorted({chr(c) for c in range(0x10000) if __import__("re").fullmatch(f"[{INVISIBLE}]",
                                                                                                  chr(c))}))


@given(prefix=st.text(max_size=8), mark=_invisible, suffix=st.text(max_size=8))
def test_invisible_characters_are_escaped_in_every_format(prefix, mark, suffix):
    host = f"ls{prefix}{mark}{suffix}"
    result = evaluate_server(make_record(host), as_of=AS_OF, last_success={"time": _iso(AS_OF - timedelta(days=1))})
    model = build_report(evaluate_fleet([result], as_of=AS_OF), [result], generated_at=AS_OF, title="t",
                         catalog=None, as_of=AS_OF, options={})
    for fmt in ("html", "markdown", "csv", "junit", "json"):
        assert mark not in render(model, fmt), (fmt, hex(ord(mark)))
