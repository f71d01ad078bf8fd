"""The evidence history's databases for the tests: SQLite always, PostgreSQL when one is running.

``scripts/postgres.sh start`` (run by scripts/test.sh) starts a throw-away PostgreSQL server and exports
``CTXLIC_TEST_PG_DSN``; without it the PostgreSQL variants are skipped, saying why. Each test gets its
own schema (``search_path`` in the libpq ``options``), dropped afterwards, so tests never see each
other's rows.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pytest

PG_DSN_VARIABLE = "CTXLIC_TEST_PG_DSN"


@pytest.fixture
def pg_conninfo() -> Iterator[str]:
    """A connection string to a fresh, empty schema of the test PostgreSQL server (libpq keyword form)."""
    dsn = os.environ.get(PG_DSN_VARIABLE)
    if not dsn:
        pytest.skip(f"no PostgreSQL for this run: start one with scripts/postgres.sh and export {PG_DSN_VARIABLE}")
    psycopg = pytest.importorskip("psycopg")
    schema = f"t_{uuid.uuid4().hex[:16]}"
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {schema}")
    try:
        yield psycopg.conninfo.make_conninfo(dsn, options=f"-c search_path={schema}")
    finally:
        with psycopg.connect(dsn, autocommit=True) as conn:
            conn.execute(f"DROP SCHEMA {schema} CASCADE")
