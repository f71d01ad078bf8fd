# Copyright: (c) 2026, ctxlic maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The evidence history's databases for the tests: SQLite always, PostgreSQL when one is running.

``scripts/postgres.sh start`` (run by scripts/test.sh) starts a throw-away PostgreSQL server and exports
``CTXLIC_TEST_PG_DSN``; without it the PostgreSQL variants are skipped, saying why. Each test gets its
own schema (``search_path`` in the libpq ``options``), dropped afterwards, so tests never see each
other's rows.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from postgres_for_tests import PG_DSN_VARIABLE, fresh_schema

__all__ = ["PG_DSN_VARIABLE"]


@pytest.fixture
def pg_conninfo() -> Iterator[str]:
    """A connection string to a fresh, empty schema of the test PostgreSQL server (libpq keyword form)."""
    with fresh_schema() as (dsn, schema):
        import psycopg  # present: fresh_schema skipped (or failed) otherwise

        yield psycopg.conninfo.make_conninfo(dsn, options=f"-c search_path={schema}")
