"""Tests for the SQLite evidence history (last success survives a failed latest attempt)."""

from __future__ import annotations

import sqlite3
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from ansible_collections.ctxlic.license_server.plugins.plugin_utils._store import evidence_history as eh
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


@pytest.fixture
def db(tmp_path: Path) -> EvidenceHistory:
    return EvidenceHistory(tmp_path / "nested" / "dir" / "evidence.sqlite")


def test_creates_database_with_parents_schema_version_and_wal(tmp_path: Path) -> None:
    path = tmp_path / "a" / "b" / "evidence.sqlite"
    history = EvidenceHistory(path)
    assert path.exists()
    assert history.schema_version() == eh.SCHEMA_VERSION
    with sqlite3.connect(path) as conn:
        assert conn.execute("SELECT version FROM schema_version").fetchall() == [(eh.SCHEMA_VERSION,)]
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert [v for v, _dummy in eh.MIGRATIONS] == list(range(1, eh.SCHEMA_VERSION + 1))


def test_reopening_keeps_data_and_does_not_remigrate(db: EvidenceHistory) -> None:
    db.record_observation("ls01", T0, upload("success", "2026-10-31T03:00:00Z"))
    again = EvidenceHistory(db.path)
    assert again.last_success("ls01")["time"] == "2026-10-31T03:00:00Z"
    with sqlite3.connect(db.path) as conn:
        assert conn.execute("SELECT COUNT(*) FROM schema_version").fetchone()[0] == 1


def test_last_success_survives_failed_latest_attempt(db: EvidenceHistory) -> None:
    db.record_observation("ls01", T0, upload("success", "2026-10-31T03:00:00Z"))
    db.record_observation("ls01", T0 + timedelta(days=1), upload("failure", "2026-11-01T03:00:00Z"))
    db.record_observation("ls01", T0 + timedelta(days=2), upload("unknown", None, reason="not well-formed XML"))
    assert db.last_observation("ls01")["status"] == "unknown"
    success = db.last_success("ls01")
    assert success["status"] == "success"
    assert success["time"] == "2026-10-31T03:00:00Z"
    now = datetime(2026, 11, 30, 3, 0, tzinfo=UTC)
    assert db.days_since_last_success("ls01", now) == pytest.approx(30.0)
    assert db.days_since_last_success("ls01", now.replace(tzinfo=None)) == pytest.approx(30.0)


def test_last_success_is_the_latest_upload_time(db: EvidenceHistory) -> None:
    db.record_observation("ls01", T0 + timedelta(days=5), upload("success", "2026-09-01T00:00:00Z"))
    db.record_observation("ls01", T0, upload("success", "2026-10-01T00:00:00Z"))
    assert db.last_success("ls01")["time"] == "2026-10-01T00:00:00Z"


def test_rerecord_is_idempotent_and_widens_observation_span(db: EvidenceHistory) -> None:
    result = upload("success", "2026-10-31T03:00:00Z")
    assert db.record_observation("ls01", T0, result) is True
    assert db.record_observation("ls01", T0 + timedelta(hours=6), result) is False
    assert db.record_observation("ls01", T0 - timedelta(hours=1), dict(result, age_days=9.0)) is False
    rows = db.export("ls01")
    assert len(rows) == 1
    assert rows[0]["first_observed_at"] == "2026-11-01T07:00:00Z"
    assert rows[0]["last_observed_at"] == "2026-11-01T14:00:00Z"


def test_same_time_different_code_is_a_different_observation(db: EvidenceHistory) -> None:
    db.record_observation("ls01", T0, upload("failure", "2026-10-31T03:00:00Z"))
    db.record_observation("ls01", T0, upload("failure", "2026-10-31T03:00:00Z", code="CTX_OTHER"))
    assert len(db.export("ls01")) == 2


def test_unknown_results_are_idempotent_by_reason(db: EvidenceHistory) -> None:
    assert db.record_observation("ls01", T0, upload("unknown", None, reason="file not found"))
    assert not db.record_observation("ls01", T0 + timedelta(days=1), upload("unknown", None, reason="file not found"))
    assert db.record_observation("ls01", T0 + timedelta(days=2), upload("unknown", None, reason="file is empty"))
    assert len(db.export("ls01")) == 2
    assert db.last_observation("ls01")["reason"] == "file is empty"
    assert db.last_success("ls01") is None
    assert db.days_since_last_success("ls01", T0) is None


def test_parsed_seed_sample_round_trips(db: EvidenceHistory) -> None:
    parsed = parse_upload_result((FIXTURES / "failure_network_open.xml").read_bytes(), now=T0)
    db.record_observation("ls01", T0, parsed)
    stored = db.last_observation("ls01")
    for key in ("status", "code", "message", "arg", "time", "upload_type", "hint"):
        assert stored[key] == parsed[key]


def test_events_hosts_and_export_order(db: EvidenceHistory) -> None:
    db.record_observation("ls02", T0, upload("success", "2026-10-30T00:00:00Z"))
    db.record_observation("ls01", T0 + timedelta(days=1), upload("failure", "2026-11-02T00:00:00Z"))
    db.record_observation("ls01", T0, upload("success", "2026-10-31T00:00:00Z"))
    assert db.record_event("old-ls", "2026-11-01T09:00:00+01:00", "decommissioned", {"by": "playbook"}) is True
    assert db.record_event("old-ls", "2026-11-01T08:00:00Z", "decommissioned", {"by": "again"}) is False
    assert db.hosts() == ["ls01", "ls02", "old-ls"]
    exported = db.export()
    assert [(r["host"], r["record"], r["at"]) for r in exported] == [
        ("ls01", "observation", "2026-11-01T08:00:00Z"),
        ("ls01", "observation", "2026-11-02T08:00:00Z"),
        ("ls02", "observation", "2026-11-01T08:00:00Z"),
        ("old-ls", "event", "2026-11-01T08:00:00Z"),
    ]
    assert exported[-1]["detail"] == {"by": "playbook"}
    assert db.events(kind="decommissioned")[0]["host"] == "old-ls"
    assert db.events(host="ls01") == []
    assert db.export("nobody") == []
    assert db.last_observation("nobody") is None


def test_unknown_host_has_no_success(db: EvidenceHistory) -> None:
    assert db.last_success("ls09") is None
    assert db.days_since_last_success("ls09", T0) is None


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
    db: EvidenceHistory, host: str, observed: object, result: dict, match: str
) -> None:
    with pytest.raises(InputError, match=match):
        db.record_observation(host, observed, result)  # type: ignore[arg-type]
    assert db.export() == []


def test_bad_events_are_input_errors(db: EvidenceHistory) -> None:
    with pytest.raises(InputError, match="kind"):
        db.record_event("ls01", T0, " ")
    with pytest.raises(InputError, match="JSON"):
        db.record_event("ls01", T0, "decommissioned", {"x": object()})


def test_newer_schema_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "evidence.sqlite"
    EvidenceHistory(path)
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE schema_version SET version = ?", (eh.SCHEMA_VERSION + 1,))
    with pytest.raises(CtxlicError, match="newer than this collection"):
        EvidenceHistory(path)


def test_older_schema_is_migrated(tmp_path: Path) -> None:
    path = tmp_path / "evidence.sqlite"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE schema_version (version INTEGER NOT NULL)")
        conn.execute("INSERT INTO schema_version VALUES (1)")
        for statement in eh.MIGRATIONS[0][1]:
            conn.execute(statement)
        conn.execute(
            "INSERT INTO observations (host, upload_key, code_key, reason_key, status, code, upload_time, "
            "first_observed_at, last_observed_at) VALUES ('ls01', '2026-10-01T00:00:00Z', "
            "'CTX_UPLOADER_SUCCESS', '', 'success', 'CTX_UPLOADER_SUCCESS', '2026-10-01T00:00:00Z', "
            "'2026-10-02T00:00:00Z', '2026-10-02T00:00:00Z')"
        )
    history = EvidenceHistory(path)
    assert history.schema_version() == eh.SCHEMA_VERSION
    assert history.last_success("ls01")["time"] == "2026-10-01T00:00:00Z"
    assert history.record_event("ls01", T0, "decommissioned") is True


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


def test_concurrent_writers(tmp_path: Path) -> None:
    path = tmp_path / "evidence.sqlite"
    errors: list[BaseException] = []

    def writer(worker: int) -> None:
        try:
            history = EvidenceHistory(path, timeout=30)
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
    history = EvidenceHistory(path)
    assert len(history.hosts()) == 9
    assert len(history.export("shared")) == 25
    assert len(history.export()) == 9 * 25


# -- a whole fleet at once ---------------------------------------------------------------------------


def fleet(count: int, status: str = "success") -> list[eh.Observation]:
    return [eh.prepare_observation(f"ls{n:03d}", T0, upload(status, f"2026-10-{1 + n % 28:02d}T03:00:00Z"))
            for n in range(count)]


@pytest.fixture
def connections(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Counts the SQLite connections the history opens from now on."""
    opened: list[str] = []
    real = sqlite3.connect

    def connect(*args: object, **kwargs: object) -> sqlite3.Connection:
        opened.append(str(args[0]))
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(eh.sqlite3, "connect", connect)
    return opened


def test_a_fleet_is_recorded_and_read_in_one_connection_each(db: EvidenceHistory, connections: list[str]) -> None:
    assert db.record_observations(fleet(40)) == [True] * 40
    assert len(connections) == 1
    found = db.last_successes([f"ls{n:03d}" for n in range(40)] + ["never-seen"])
    assert len(connections) == 2
    assert found["never-seen"] is None
    assert found["ls005"]["time"] == "2026-10-06T03:00:00Z"
    assert all(found[f"ls{n:03d}"] == db.last_success(f"ls{n:03d}") for n in range(40))


def test_batch_results_match_single_records(db: EvidenceHistory) -> None:
    first = eh.prepare_observation("ls01", T0, upload("success", "2026-10-31T03:00:00Z"))
    later = eh.prepare_observation("ls01", T0 + timedelta(hours=6), upload("success", "2026-10-31T03:00:00Z"))
    other = eh.prepare_observation("ls02", T0, upload("failure", "2026-10-31T03:00:00Z"))
    assert db.record_observations([first, later, other]) == [True, False, True]  # the repeat widens the span
    assert db.record_observations([other]) == [False]
    (row,) = db.export("ls01")
    assert (row["first_observed_at"], row["last_observed_at"]) == ("2026-11-01T08:00:00Z", "2026-11-01T14:00:00Z")


def test_empty_batch_opens_nothing(db: EvidenceHistory, connections: list[str]) -> None:
    assert db.record_observations([]) == []
    assert db.last_successes([]) == {}
    assert connections == []
    assert db.export() == []


def test_batch_takes_only_prepared_observations(db: EvidenceHistory) -> None:
    with pytest.raises(InputError, match="prepare_observation"):
        db.record_observations([("ls01", T0, upload("success", "2026-10-31T03:00:00Z"))])  # type: ignore[list-item]
    with pytest.raises(InputError, match="host"):
        db.last_successes(["ls01", " "])


def test_a_failure_mid_batch_records_nothing(db: EvidenceHistory) -> None:
    with sqlite3.connect(db.path) as conn:
        conn.execute(
            "CREATE TRIGGER refuse BEFORE INSERT ON observations WHEN NEW.host = 'ls030' "
            "BEGIN SELECT RAISE(ABORT, 'refused by test trigger'); END"
        )
    with pytest.raises(CtxlicError, match="refused by test trigger"):
        db.record_observations(fleet(40))
    assert db.export() == []  # ls000..ls029 were inserted in the same transaction and rolled back


def test_a_locked_database_records_nothing_and_says_so(tmp_path: Path) -> None:
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
