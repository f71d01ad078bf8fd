# Copyright: (c) 2026, ctxlic maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Tests for the evidence history (last success survives a failed latest attempt), on SQLite and PostgreSQL.

The ``history`` fixture yields a SQLite history and, when a PostgreSQL server is running for the tests
(scripts/postgres.sh, ``CTXLIC_TEST_PG_DSN``), a PostgreSQL one: the same behaviour tests run on both.
Tests of one database's own failure modes (a foreign file, WAL, locks) say which in their name.
"""

from __future__ import annotations

import sqlite3
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from ansible_collections.ctxlic.license_server.plugins.plugin_utils._store import evidence_history as eh
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._store import history_db
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._common.errors import CtxlicError, InputError
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._store.evidence_history import EvidenceHistory
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._telemetry.upload_result import parse_upload_result

FIXTURES = Path(__file__).resolve().parents[3] / "fixtures" / "upload_results"
T0 = datetime(2026, 11, 1, 8, 0, tzinfo=UTC)


def upload(status: str, time: str | None, code: str | None = None, **extra: object) -> dict:
    default_code = {"success": "CTX_UPLOADER_SUCCESS", "failure": "CTX_UPLOADER_ERROR_NETWORK_OPEN"}.get(status)
    return {
        "status": status,
        "code": code if code is not None else default_code,
        "message": "",
        "arg": None,
        "time": time,
        "upload_type": "CTX_UPLOAD_TYPE_COMPLIANCE",
        "reason": None if status != "unknown" else extra.get("reason", "file not found"),
        "hint": None,
        "age_days": 1.0,
    }


@pytest.fixture(params=["sqlite", "postgresql"])
def history(request: pytest.FixtureRequest, tmp_path: Path) -> EvidenceHistory:
    """An empty evidence history on each database (PostgreSQL skipped when no server runs for the tests)."""
    if request.param == "sqlite":
        return EvidenceHistory(tmp_path / "nested" / "dir" / "evidence.sqlite")
    return EvidenceHistory(request.getfixturevalue("pg_conninfo"))


def sql(history: EvidenceHistory, statement: str, params: tuple = ()) -> list[tuple]:
    """Run ``statement`` on the history's own database (autocommit) and return its rows as tuples."""
    with history._connection() as conn:
        cursor = conn.execute(statement, params)
        rows = cursor.fetchall() if cursor.description else []
    return [tuple(row[i] for i in range(len(cursor.description))) for row in rows]


def reopen(history: EvidenceHistory, **kwargs: object) -> EvidenceHistory:
    return EvidenceHistory(history.target, **kwargs)  # type: ignore[arg-type]


def test_schema_version_is_recorded_once(history: EvidenceHistory) -> None:
    assert history.schema_version() == eh.SCHEMA_VERSION
    assert sql(history, "SELECT version FROM schema_version") == [(eh.SCHEMA_VERSION,)]
    assert sql(history, "SELECT COUNT(*) FROM gathers") == [(0,)]


def test_sqlite_creates_database_with_parents_schema_version_and_wal(tmp_path: Path) -> None:
    path = tmp_path / "a" / "b" / "evidence.sqlite"
    history = EvidenceHistory(path)
    assert path.exists()
    assert history.schema_version() == eh.SCHEMA_VERSION
    with sqlite3.connect(path) as conn:
        assert conn.execute("SELECT version FROM schema_version").fetchall() == [(eh.SCHEMA_VERSION,)]
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert [v for v, _dummy in eh.MIGRATIONS] == list(range(1, eh.SCHEMA_VERSION + 1))


def test_reopening_keeps_data_and_does_not_remigrate(history: EvidenceHistory) -> None:
    history.record_observation("ls01", T0, upload("success", "2026-10-31T03:00:00Z"))
    again = reopen(history)
    assert again.last_success("ls01")["time"] == "2026-10-31T03:00:00Z"
    assert sql(again, "SELECT COUNT(*) FROM schema_version") == [(1,)]


def test_last_success_survives_failed_latest_attempt(history: EvidenceHistory) -> None:
    history.record_observation("ls01", T0, upload("success", "2026-10-31T03:00:00Z"))
    history.record_observation("ls01", T0 + timedelta(days=1), upload("failure", "2026-11-01T03:00:00Z"))
    history.record_observation("ls01", T0 + timedelta(days=2), upload("unknown", None, reason="not well-formed XML"))
    assert history.last_observation("ls01")["status"] == "unknown"
    success = history.last_success("ls01")
    assert success["status"] == "success"
    assert success["time"] == "2026-10-31T03:00:00Z"
    now = datetime(2026, 11, 30, 3, 0, tzinfo=UTC)
    assert history.days_since_last_success("ls01", now) == pytest.approx(30.0)
    assert history.days_since_last_success("ls01", now.replace(tzinfo=None)) == pytest.approx(30.0)


def test_last_success_is_the_latest_upload_time(history: EvidenceHistory) -> None:
    history.record_observation("ls01", T0 + timedelta(days=5), upload("success", "2026-09-01T00:00:00Z"))
    history.record_observation("ls01", T0, upload("success", "2026-10-01T00:00:00Z"))
    assert history.last_success("ls01")["time"] == "2026-10-01T00:00:00Z"


def test_rerecord_is_idempotent_and_widens_observation_span(history: EvidenceHistory) -> None:
    result = upload("success", "2026-10-31T03:00:00Z")
    assert history.record_observation("ls01", T0, result) is True
    assert history.record_observation("ls01", T0 + timedelta(hours=6), result) is False
    assert history.record_observation("ls01", T0 - timedelta(hours=1), dict(result, age_days=9.0)) is False
    rows = history.export("ls01")
    assert len(rows) == 1
    assert rows[0]["first_observed_at"] == "2026-11-01T07:00:00Z"
    assert rows[0]["last_observed_at"] == "2026-11-01T14:00:00Z"


def test_same_time_different_code_is_a_different_observation(history: EvidenceHistory) -> None:
    history.record_observation("ls01", T0, upload("failure", "2026-10-31T03:00:00Z"))
    history.record_observation("ls01", T0, upload("failure", "2026-10-31T03:00:00Z", code="CTX_OTHER"))
    assert len(history.export("ls01")) == 2


def test_unknown_results_are_idempotent_by_reason(history: EvidenceHistory) -> None:
    assert history.record_observation("ls01", T0, upload("unknown", None, reason="file not found"))
    again = upload("unknown", None, reason="file not found")
    assert not history.record_observation("ls01", T0 + timedelta(days=1), again)
    assert history.record_observation("ls01", T0 + timedelta(days=2), upload("unknown", None, reason="file is empty"))
    assert len(history.export("ls01")) == 2
    assert history.last_observation("ls01")["reason"] == "file is empty"
    assert history.last_success("ls01") is None
    assert history.days_since_last_success("ls01", T0) is None


def test_parsed_seed_sample_round_trips(history: EvidenceHistory) -> None:
    parsed = parse_upload_result((FIXTURES / "failure_network_open.xml").read_bytes(), now=T0)
    history.record_observation("ls01", T0, parsed)
    stored = history.last_observation("ls01")
    for key in ("status", "code", "message", "arg", "time", "upload_type", "hint"):
        assert stored[key] == parsed[key]


def test_events_hosts_and_export_order(history: EvidenceHistory) -> None:
    history.record_observation("ls02", T0, upload("success", "2026-10-30T00:00:00Z"))
    history.record_observation("ls01", T0 + timedelta(days=1), upload("failure", "2026-11-02T00:00:00Z"))
    history.record_observation("ls01", T0, upload("success", "2026-10-31T00:00:00Z"))
    assert history.record_event("old-ls", "2026-11-01T09:00:00+01:00", "decommissioned", {"by": "playbook"}) is True
    assert history.record_event("old-ls", "2026-11-01T08:00:00Z", "decommissioned", {"by": "again"}) is False
    assert history.hosts() == ["ls01", "ls02", "old-ls"]
    exported = history.export()
    assert [(r["host"], r["record"], r["at"]) for r in exported] == [
        ("ls01", "observation", "2026-11-01T08:00:00Z"),
        ("ls01", "observation", "2026-11-02T08:00:00Z"),
        ("ls02", "observation", "2026-11-01T08:00:00Z"),
        ("old-ls", "event", "2026-11-01T08:00:00Z"),
    ]
    assert exported[-1]["detail"] == {"by": "playbook"}
    assert history.events(kind="decommissioned")[0]["host"] == "old-ls"
    assert history.events(host="ls01") == []
    assert history.export("nobody") == []
    assert history.last_observation("nobody") is None


def test_unknown_host_has_no_success(history: EvidenceHistory) -> None:
    assert history.last_success("ls09") is None
    assert history.days_since_last_success("ls09", T0) is None


@pytest.mark.parametrize(
    ("host", "observed", "result", "match"),
    [
        ("", T0, upload("success", "2026-10-31T03:00:00Z"), "host"),
        ("ls01", "yesterday", upload("success", "2026-10-31T03:00:00Z"), "ISO 8601"),
        ("ls01", T0, {"status": "great"}, "upload block"),
        ("ls01", T0, upload("success", None), "without a time"),
        ("ls01", T0, upload("failure", "not-a-time"), "ISO 8601"),
        ("ls01", T0, dict(upload("failure", "2026-10-31T03:00:00Z"), code=5), "not text"),
    ],
)
def test_bad_observations_are_input_errors(
    history: EvidenceHistory, host: str, observed: object, result: dict, match: str
) -> None:
    with pytest.raises(InputError, match=match):
        history.record_observation(host, observed, result)  # type: ignore[arg-type]
    assert history.export() == []


def test_bad_events_are_input_errors(history: EvidenceHistory) -> None:
    with pytest.raises(InputError, match="kind"):
        history.record_event("ls01", T0, " ")
    with pytest.raises(InputError, match="JSON"):
        history.record_event("ls01", T0, "decommissioned", {"x": object()})


def test_newer_schema_is_refused(history: EvidenceHistory) -> None:
    sql(history, "UPDATE schema_version SET version = ?", (eh.SCHEMA_VERSION + 1,))
    with pytest.raises(CtxlicError, match="newer than this collection"):
        reopen(history)


def empty_database(history: EvidenceHistory) -> None:
    for table in ("gathers", "events", "observations", "schema_version"):
        sql(history, f"DROP TABLE {table}")


@pytest.mark.parametrize("old_version", [1, 2])
def test_older_schema_is_migrated(history: EvidenceHistory, old_version: int) -> None:
    """A database an earlier collection version wrote (schema 1 or 2) opens, keeps its rows and is migrated."""
    empty_database(history)
    sql(history, "CREATE TABLE schema_version (version INTEGER NOT NULL)")
    sql(history, "INSERT INTO schema_version VALUES (?)", (old_version,))
    for version in range(1, old_version + 1):
        for statement in eh.migration_statements(history.backend, version):
            sql(history, statement)
    sql(history,
        "INSERT INTO observations (host, upload_key, code_key, reason_key, status, code, upload_time, "
        "first_observed_at, last_observed_at) VALUES ('ls01', '2026-10-01T00:00:00Z', "
        "'CTX_UPLOADER_SUCCESS', '', 'success', 'CTX_UPLOADER_SUCCESS', '2026-10-01T00:00:00Z', "
        "'2026-10-02T00:00:00Z', '2026-10-02T00:00:00Z')")
    migrated = reopen(history)
    assert migrated.schema_version() == eh.SCHEMA_VERSION
    assert sql(migrated, "SELECT version FROM schema_version") == [(eh.SCHEMA_VERSION,)]
    assert migrated.last_success("ls01")["time"] == "2026-10-01T00:00:00Z"
    assert migrated.record_event("ls01", T0, "decommissioned") is True
    assert migrated.record_gathers("job-1", T0, {"ls01": {"server": {"version": "11.17"}}}) == 1


def test_sqlite_file_of_the_previous_release_migrates(tmp_path: Path) -> None:
    """The exact statements schema 2 ran (before PostgreSQL existed), on a file: it opens and gains gathers."""
    path = tmp_path / "evidence.sqlite"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE schema_version (version INTEGER NOT NULL)")
        conn.execute("INSERT INTO schema_version VALUES (2)")
        for version in (1, 2):
            for statement in eh.migration_statements("sqlite", version):
                assert "{" not in statement and "COLLATE" not in statement
                conn.execute(statement)
        conn.execute("INSERT INTO events (host, at, kind, detail) VALUES ('ls01', '2026-10-01T00:00:00Z', "
                     "'decommissioned', '{}')")
    history = EvidenceHistory(path)
    assert history.schema_version() == 3
    assert history.events()[0]["kind"] == "decommissioned"
    assert history.record_gathers("run", T0, {"ls01": {}}) == 1


def test_foreign_file_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "evidence.sqlite"
    path.write_bytes(b"this is not a database" * 100)
    with pytest.raises(CtxlicError, match="SQLite file made by this collection"):
        EvidenceHistory(path)


def test_unwritable_parent_is_a_clear_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(CtxlicError, match="Cannot create the folder"):
        EvidenceHistory(blocker / "sub" / "evidence.sqlite")


def test_concurrent_writers(history: EvidenceHistory) -> None:
    errors: list[BaseException] = []
    target = history.target

    def writer(worker: int) -> None:
        try:
            history = EvidenceHistory(target, timeout=30)
            for i in range(25):
                when = f"2026-10-{1 + i:02d}T00:00:00Z"
                history.record_observation(f"ls{worker:02d}", T0, upload("success", when))
                history.record_observation("shared", T0, upload("success", when))
        except BaseException as exc:  # collected and asserted below
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert len(history.hosts()) == 9
    assert len(history.export("shared")) == 25
    assert len(history.export()) == 9 * 25


# -- a whole fleet at once ---------------------------------------------------------------------------


def fleet(count: int, status: str = "success") -> list[eh.Observation]:
    return [eh.prepare_observation(f"ls{n:03d}", T0, upload(status, f"2026-10-{1 + n % 28:02d}T03:00:00Z"))
            for n in range(count)]


@pytest.fixture
def connections(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Counts the database connections the history opens from now on (either database)."""
    opened: list[str] = []
    real = EvidenceHistory._raw_connect

    def connect(self: EvidenceHistory) -> object:
        opened.append(self.display)
        return real(self)

    monkeypatch.setattr(EvidenceHistory, "_raw_connect", connect)
    return opened


def test_a_fleet_is_recorded_and_read_in_one_connection_each(history: EvidenceHistory, connections: list[str]) -> None:
    assert history.record_observations(fleet(40)) == [True] * 40
    assert len(connections) == 1
    found = history.last_successes([f"ls{n:03d}" for n in range(40)] + ["never-seen"])
    assert len(connections) == 2
    assert found["never-seen"] is None
    assert found["ls005"]["time"] == "2026-10-06T03:00:00Z"
    assert all(found[f"ls{n:03d}"] == history.last_success(f"ls{n:03d}") for n in range(40))


def test_batch_results_match_single_records(history: EvidenceHistory) -> None:
    first = eh.prepare_observation("ls01", T0, upload("success", "2026-10-31T03:00:00Z"))
    later = eh.prepare_observation("ls01", T0 + timedelta(hours=6), upload("success", "2026-10-31T03:00:00Z"))
    other = eh.prepare_observation("ls02", T0, upload("failure", "2026-10-31T03:00:00Z"))
    assert history.record_observations([first, later, other]) == [True, False, True]  # the repeat widens the span
    assert history.record_observations([other]) == [False]
    (row,) = history.export("ls01")
    assert (row["first_observed_at"], row["last_observed_at"]) == ("2026-11-01T08:00:00Z", "2026-11-01T14:00:00Z")


def test_empty_batch_opens_nothing(history: EvidenceHistory, connections: list[str]) -> None:
    assert history.record_observations([]) == []
    assert history.last_successes([]) == {}
    assert connections == []
    assert history.export() == []


def test_batch_takes_only_prepared_observations(history: EvidenceHistory) -> None:
    with pytest.raises(InputError, match="prepare_observation"):
        history.record_observations([("ls01", T0, upload("success", "2026-10-31T03:00:00Z"))])  # type: ignore[list-item]
    with pytest.raises(InputError, match="host"):
        history.last_successes(["ls01", " "])


def refuse_host(history: EvidenceHistory, table: str, host: str) -> None:
    """A trigger that makes inserting ``host`` into ``table`` fail, like a database error mid-transaction."""
    if history.backend == "sqlite":
        sql(history, f"CREATE TRIGGER refuse BEFORE INSERT ON {table} WHEN NEW.host = '{host}' "
                     "BEGIN SELECT RAISE(ABORT, 'refused by test trigger'); END")
        return
    sql(history, "CREATE FUNCTION refuse() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
                 f"IF NEW.host = '{host}' THEN RAISE EXCEPTION 'refused by test trigger'; END IF; RETURN NEW; END $$")
    sql(history, f"CREATE TRIGGER refuse BEFORE INSERT ON {table} FOR EACH ROW EXECUTE FUNCTION refuse()")


def test_a_failure_mid_batch_records_nothing(history: EvidenceHistory) -> None:
    refuse_host(history, "observations", "ls030")
    with pytest.raises(CtxlicError, match="refused by test trigger"):
        history.record_observations(fleet(40))
    assert history.export() == []  # ls000..ls029 were inserted in the same transaction and rolled back


def test_sqlite_locked_database_records_nothing_and_says_so(tmp_path: Path) -> None:
    path = tmp_path / "evidence.sqlite"
    EvidenceHistory(path)
    history = EvidenceHistory(path, timeout=0.2)
    holder = sqlite3.connect(path, isolation_level=None)
    try:
        holder.execute("BEGIN IMMEDIATE")  # another job is writing
        with pytest.raises(CtxlicError, match="database is locked"):
            history.record_observations(fleet(5))
        assert history.last_successes(["ls001"]) == {"ls001": None}  # WAL: reading still works
    finally:
        holder.rollback()
        holder.close()
    assert history.export() == []
    assert history.record_observations(fleet(5)) == [True] * 5


def test_a_database_damaged_after_creation_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "evidence.sqlite"
    history = EvidenceHistory(path)
    history.record_observations(fleet(3))
    path.write_bytes(b"overwritten by something else" * 200)
    for wal in tmp_path.glob("evidence.sqlite-*"):
        wal.unlink()
    with pytest.raises(CtxlicError, match="SQLite file made by this collection"):
        history.record_observations(fleet(3))
    with pytest.raises(CtxlicError, match="SQLite file made by this collection"):
        history.last_successes(["ls001"])


def test_postgresql_locked_table_records_nothing_and_says_so(pg_conninfo: str) -> None:
    import psycopg

    history = EvidenceHistory(pg_conninfo, timeout=0.2)
    holder = psycopg.connect(pg_conninfo, autocommit=True)
    try:
        holder.execute("BEGIN")
        holder.execute("LOCK TABLE observations IN SHARE ROW EXCLUSIVE MODE")  # another job is writing
        with pytest.raises(CtxlicError, match="lock timeout"):
            history.record_observations(fleet(5))
        assert history.last_successes(["ls001"]) == {"ls001": None}  # readers do not wait for writers
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert history.export() == []
    assert history.record_observations(fleet(5)) == [True] * 5


# -- gathers of sliced runs (issue 19 item 2) -----------------------------------------------------------------


def info_result(version: str) -> dict:
    return {"changed": False, "server": {"version": {"text": version}, "observed_at": "2026-11-01T08:00:00Z"}}


def test_gathers_keep_each_hosts_latest_fresh_result(history: EvidenceHistory) -> None:
    assert history.record_gathers("slice-1", T0, {"ls01": info_result("11.17.2"), "ls02": info_result("11.16")}) == 2
    assert history.record_gathers("slice-2", T0 + timedelta(hours=2), {"ls01": info_result("11.17.3")}) == 1
    latest = history.latest_gathers(["ls01", "ls02", "ls03"], since=T0 - timedelta(hours=24))
    assert latest["ls01"]["run_id"] == "slice-2"
    assert latest["ls01"]["result"]["server"]["version"]["text"] == "11.17.3"
    assert latest["ls01"]["gathered_at"] == "2026-11-01T10:00:00Z"
    assert latest["ls02"]["result"] == info_result("11.16")
    assert latest["ls03"] is None
    stale = history.latest_gathers(["ls01", "ls02"], since=T0 + timedelta(hours=1))
    assert stale["ls02"] is None  # gathered before the freshness limit: not gathered for this report
    assert stale["ls01"]["run_id"] == "slice-2"


def test_regathering_the_same_run_replaces_its_rows(history: EvidenceHistory) -> None:
    history.record_gathers("job-7", T0, {"ls01": info_result("a")})
    history.record_gathers("job-7", T0 + timedelta(minutes=5), {"ls01": info_result("b")})
    (row,) = history.gathers("ls01")
    assert row["result"]["server"]["version"]["text"] == "b"
    assert row["gathered_at"] == "2026-11-01T08:05:00Z"


def test_bad_gathers_are_input_errors(history: EvidenceHistory) -> None:
    with pytest.raises(InputError, match="run id"):
        history.record_gathers(" ", T0, {"ls01": {}})
    with pytest.raises(InputError, match="host"):
        history.record_gathers("r", T0, {"": {}})
    with pytest.raises(InputError, match="ISO 8601"):
        history.latest_gathers(["ls01"], since="last week")
    assert history.record_gathers("r", T0, {}) == 0
    assert history.gathers() == []


def test_a_failure_mid_gather_records_nothing(history: EvidenceHistory) -> None:
    refuse_host(history, "gathers", "ls030")
    with pytest.raises(CtxlicError, match="refused by test trigger"):
        history.record_gathers("slice-3", T0, {f"ls{n:03d}": info_result("x") for n in range(40)})
    assert history.gathers() == []


def test_concurrent_slices_lose_and_duplicate_nothing(history: EvidenceHistory) -> None:
    """Four slices record their hosts' gathers and observations at once, each several times (retries)."""
    errors: list[BaseException] = []
    target = history.target

    def slice_job(number: int) -> None:
        try:
            mine = EvidenceHistory(target, timeout=30)
            hosts = [f"ls{n:03d}" for n in range(number, 40, 4)]
            for attempt in range(3):
                mine.record_gathers(f"slice-{number}", T0 + timedelta(seconds=attempt),
                                    {h: info_result(f"{number}.{attempt}") for h in hosts})
                mine.record_observations([eh.prepare_observation(h, T0, upload("success", "2026-10-31T03:00:00Z"))
                                          for h in hosts])
        except BaseException as exc:  # collected and asserted below
            errors.append(exc)

    threads = [threading.Thread(target=slice_job, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    rows = history.gathers()
    assert sorted(r["host"] for r in rows) == [f"ls{n:03d}" for n in range(40)]
    assert all(r["result"]["server"]["version"]["text"].endswith(".2") for r in rows)
    assert len(history.export()) == 40


# -- where the history is: SQLite path or PostgreSQL connection, and the password never shown ------------------

SECRET = "s3cr:et@pw"


@pytest.mark.parametrize(
    ("value", "kind", "display"),
    [
        ("/var/lib/ctxlic/evidence.sqlite", "sqlite", "/var/lib/ctxlic/evidence.sqlite"),
        ("relative/evidence.sqlite", "sqlite", "relative/evidence.sqlite"),
        ("hostname=not-a-libpq-keyword.sqlite", "sqlite", "hostname=not-a-libpq-keyword.sqlite"),
        ("postgresql://ctxlic@db.example.com/ctxlic", "postgresql", "postgresql://ctxlic@db.example.com/ctxlic"),
        ("postgresql://ctxlic:s3cr%3Aet%40pw@db:5432/ctxlic?sslmode=require",
         "postgresql", "postgresql://ctxlic:***@db:5432/ctxlic?sslmode=require"),
        ("postgres://u@db/ctxlic?password=s3cr%3Aet%40pw&sslmode=verify-full", "postgresql",
         "postgres://u@db/ctxlic?password=***&sslmode=verify-full"),
        ("host=db dbname=ctxlic user=ctxlic password='s3cr:et@pw'", "postgresql",
         "host=db dbname=ctxlic user=ctxlic password=***"),
        ("  dbname=ctxlic password=s3cr:et@pw host=/run/postgresql", "postgresql",
         "dbname=ctxlic password=*** host=/run/postgresql"),
    ],
)
def test_history_db_is_a_path_or_a_postgresql_connection(value: str, kind: str, display: str) -> None:
    target = history_db.resolve_target(value)
    assert (target.kind, target.display) == (kind, display)
    assert SECRET not in target.display and "s3cr%3Aet" not in target.display
    assert target.scrub(f"error for {value}").count("s3cr") == 0


def test_history_db_refusals() -> None:
    with pytest.raises(InputError, match="empty"):
        history_db.resolve_target("  ")
    with pytest.raises(InputError, match="SQLite file path, which takes no password"):
        history_db.resolve_target("/tmp/e.sqlite", password="x")
    target = history_db.resolve_target("host=db dbname=x", password=SECRET)
    assert target.scrub(f"auth failed for {SECRET}") == "auth failed for ***"


def test_sqlite_path_rule_is_applied_only_to_paths() -> None:
    def rule(value: str) -> str:  # the action's controller-path rule
        return "/play/" + value

    assert history_db.resolve_target("e.sqlite", path_rule=rule).location == "/play/e.sqlite"
    assert history_db.resolve_target("postgresql://u@h/d", path_rule=rule).location == "postgresql://u@h/d"


def test_sqlite_path_expands_variables_and_home_like_a_path_option(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CTXLIC_TEST_DIR", "/srv/ctxlic")
    monkeypatch.setenv("HOME", "/home/ops")
    assert history_db.resolve_target("$CTXLIC_TEST_DIR/e.sqlite").location == "/srv/ctxlic/e.sqlite"
    assert history_db.resolve_target("~/e.sqlite").location == "/home/ops/e.sqlite"
    assert history_db.resolve_target("postgresql://u:$X@h/d").location == "postgresql://u:$X@h/d"  # never expanded


def test_postgresql_without_psycopg_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    import builtins

    real_import = builtins.__import__

    def no_psycopg(name: str, *args: object, **kwargs: object) -> object:
        if name == "psycopg" or name.startswith("psycopg."):
            raise ImportError("No module named 'psycopg'")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_psycopg)
    with pytest.raises(CtxlicError, match=r"psycopg \(version 3\) is not installed.*pip install"):
        EvidenceHistory("postgresql://ctxlic@127.0.0.1:1/ctxlic")


def test_postgresql_wrong_password_never_shows_it(pg_conninfo: str) -> None:
    import psycopg

    params = psycopg.conninfo.conninfo_to_dict(pg_conninfo)
    params.pop("password", None)
    url = (f"postgresql://{params['user']}:{SECRET.replace(':', '%3A').replace('@', '%40')}@{params['host']}:"
           f"{params['port']}/{params['dbname']}")
    with pytest.raises(CtxlicError) as caught:
        EvidenceHistory(url, timeout=5)
    text = str(caught.value)
    assert "password authentication failed" in text and "***" in text
    assert "s3cr" not in text
    with pytest.raises(CtxlicError) as caught:
        EvidenceHistory(psycopg.conninfo.make_conninfo(**params), password=SECRET, timeout=5)
    assert "password authentication failed" in str(caught.value) and "s3cr" not in str(caught.value)


def test_postgresql_password_from_the_option_or_the_environment(pg_conninfo: str,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    import psycopg

    params = psycopg.conninfo.conninfo_to_dict(pg_conninfo)
    password = params.pop("password")
    bare = psycopg.conninfo.make_conninfo(**params)
    assert "password" not in bare
    EvidenceHistory(bare, password=password).record_event("ls01", T0, "decommissioned")
    monkeypatch.setenv("PGPASSWORD", password)
    assert [e["host"] for e in EvidenceHistory(bare).events()] == ["ls01"]
