# Copyright: (c) 2026, ctxlic maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The tests' one clock: the lab's default start, 2026-11-22 12:00 UTC (``make_fleet`` and ``labctl create``
start there), and its day.

Tests that need "now" import it from here (``tests/`` is on ``sys.path`` through ``tests/conftest.py``) rather
than spelling the date again. A test whose point is a different instant (a time with distinct fields, a date in
another year) keeps its own constant and says why.
"""

from __future__ import annotations

from datetime import UTC, datetime

NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)
TODAY = NOW.date()
