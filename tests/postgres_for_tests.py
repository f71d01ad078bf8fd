# Copyright: (c) 2026, ctxlic maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The test PostgreSQL server's connection string, or a skip (a failure where the suite requires one).

``scripts/test.sh`` starts a throw-away server (scripts/postgres.sh), exports ``CTXLIC_TEST_PG_DSN`` and
sets ``CTXLIC_REQUIRE_PG=1``: then a missing server fails the PostgreSQL tests instead of skipping them,
so CI cannot pass with the PostgreSQL half of the suite silently skipped.
"""

from __future__ import annotations

import contextlib
import os
import uuid
from collections.abc import Iterator

import pytest

PG_DSN_VARIABLE = "CTXLIC_TEST_PG_DSN"


def test_dsn() -> str:
    dsn = os.environ.get(PG_DSN_VARIABLE)
    if dsn:
        return dsn
    reason = f"no PostgreSQL for this run: start one with scripts/postgres.sh and export {PG_DSN_VARIABLE}"
    if os.environ.get("CTXLIC_REQUIRE_PG") == "1":
        pytest.fail(reason + " (CTXLIC_REQUIRE_PG=1: this run requires it)")
    pytest.skip(reason)
    raise AssertionError("unreachable")


test_dsn.__test__ = False  # a helper, not a test


@contextlib.contextmanager
def fresh_schema() -> Iterator[tuple[str, str]]:
    """(server DSN, name of a new empty schema on it); the schema is dropped afterwards, so tests never share rows."""
    dsn = test_dsn()
    psycopg = pytest.importorskip("psycopg")
    schema = f"t_{uuid.uuid4().hex[:16]}"
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {schema}")
    try:
        yield dsn, schema
    finally:
        with psycopg.connect(dsn, autocommit=True) as conn:
            conn.execute(f"DROP SCHEMA {schema} CASCADE")
