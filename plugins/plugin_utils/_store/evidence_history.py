"""Evidence history: every observed telemetry upload result per server, kept in SQLite on the controller.

Compliance is measured from the last *successful* upload (no more than 90 days ago: seed 000,
seed 001), but a License Server only keeps its *latest* attempt in
``upload_compliance_result.xml``. One failed retry overwrites the proof of yesterday's success.
Recording every observation lets a report say "last success 12 days ago" even when the latest
attempt failed, and lets the licensing owner prove compliance later, also for servers that have
since been decommissioned (recorded as events, e.g. ``kind="decommissioned"``), whose allocations
must be returned (seed 002).

Storage note: in short-lived execution environments (AWX / Ansible Automation Platform execution
environments, CI containers) the job's file system is discarded when the job ends. Put the
database on storage that outlives the job (a persistent volume or a mounted share), or the history,
and with it the proof, is lost after every run. SQLite's WAL mode needs a local file system; do not
put the database on NFS/SMB shares shared by several machines.

Several forks or jobs may write at once: every operation opens its own connection with a busy
timeout, writes run in ``BEGIN IMMEDIATE`` transactions, and the journal is in WAL mode so readers
do not block the writer. A fleet report is one operation: :meth:`EvidenceHistory.record_observations`
records every host's result in one connection and one transaction (all or nothing), and
:meth:`EvidenceHistory.last_successes` reads every host's last success in one connection, instead
of a connection and a transaction per host (about 3.7 ms each).
"""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from ansible_collections.ctxlic.license_server.plugins.plugin_utils._common.timeutil import normalize_time, parse_iso
from ansible_collections.ctxlic.license_server.plugins.plugin_utils._common.errors import CtxlicError, InputError

SCHEMA_VERSION = 2

#: Ordered schema migrations: (version, statements). A database at version N gets every later step.
MIGRATIONS: tuple[tuple[int, tuple[str, ...]], ...] = (
    (
        1,
        (
            """
            CREATE TABLE observations (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                host TEXT NOT NULL,
                upload_key TEXT NOT NULL,
                code_key TEXT NOT NULL,
                reason_key TEXT NOT NULL,
                status TEXT NOT NULL CHECK (status IN ('success', 'failure', 'unknown')),
                code TEXT,
                message TEXT,
                arg TEXT,
                upload_time TEXT,
                upload_type TEXT,
                reason TEXT,
                hint TEXT,
                first_observed_at TEXT NOT NULL,
                last_observed_at TEXT NOT NULL,
                UNIQUE (host, upload_key, code_key, reason_key)
            )
            """,
            "CREATE INDEX observations_host_status ON observations (host, status, upload_key)",
        ),
    ),
    (
        2,
        (
            """
            CREATE TABLE events (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                host TEXT NOT NULL,
                at TEXT NOT NULL,
                kind TEXT NOT NULL,
                detail TEXT NOT NULL,
                UNIQUE (host, at, kind)
            )
            """,
        ),
    ),
)

STATUSES = ("success", "failure", "unknown")
_ROW_COLUMNS = ("status", "code", "message", "arg", "upload_time", "upload_type", "reason", "hint")
_OBSERVATION_COLUMNS = (
    "host, status, code, message, arg, upload_time, upload_type, reason, hint, first_observed_at, last_observed_at"
)
_LAST_SUCCESS = "WHERE host = ? AND status = 'success' ORDER BY upload_key DESC, last_observed_at DESC, id DESC"
_LAST_OBSERVATION = "WHERE host = ? ORDER BY last_observed_at DESC, upload_key DESC, id DESC"


@dataclass(frozen=True)
class Observation:
    """One upload result checked and normalised for recording (made by :func:`prepare_observation`)."""

    host: str
    observed_at: str
    key: tuple[str, str, str, str]
    values: tuple[str | None, ...]


def prepare_observation(host: str, observed_at: datetime | str, upload: dict[str, Any], *,
                        not_after: datetime | None = None) -> Observation:
    """Check the ``upload`` block seen on ``host`` at ``observed_at``; raise InputError naming what is wrong.

    Separate from recording so that a caller can check a whole fleet first, report the bad
    results, and record the good ones in one transaction. With ``not_after`` (the report's clock),
    an upload dated on a later day is refused: a time in the future is not evidence, and once
    stored it would be read back as the "last success" on every later run (issue 14 item 5).
    """
    host = _host(host)
    seen = normalize_time(observed_at, "observed_at")
    row = _observation_row(upload)
    if not_after is not None and row["upload_time"] and row["upload_time"] >= _day_after(not_after):
        raise InputError(f"upload time {row['upload_time']} lies after {_aware(not_after, 'not_after').date()} (the "
                         "report's clock): a time in the future is not evidence and is not recorded; check the "
                         "clocks of the License Server and of the controller.")
    # Results with a time are identified by (host, time, code); results without one by their reason.
    reason_key = "" if row["upload_time"] else (row["reason"] or "")
    key = (host, row["upload_time"] or "", row["code"] or "", reason_key)
    return Observation(host=host, observed_at=seen, key=key, values=tuple(row[c] for c in _ROW_COLUMNS))


class EvidenceHistory:
    """The evidence database at ``path`` (created with its parent folders on first use).

    Observations are idempotent on (host, upload time, code) (and, for results without a time, the
    reason they are unknown): recording the same result again only widens the
    ``first_observed_at`` / ``last_observed_at`` span, so re-running a report never duplicates rows.
    Errors (unwritable path, not a database, schema from a newer collection) raise CtxlicError.
    """

    def __init__(self, path: str | os.PathLike[str], *, timeout: float = 30.0) -> None:
        if not isinstance(path, (str, os.PathLike)) or not os.fspath(path):
            raise InputError(f"evidence database path {path!r} is not a file path: set the history database path.")
        self.path = Path(path)
        self.timeout = timeout
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise CtxlicError(
                f"Cannot create the folder of evidence database {str(self.path)!r}: {exc}. "
                "Choose a writable path on storage that outlives the job."
            ) from exc
        self._migrate()

    # -- connection and schema -------------------------------------------------------------------

    @contextlib.contextmanager
    def _connection(self) -> Iterator[sqlite3.Connection]:
        try:
            conn = sqlite3.connect(self.path, timeout=self.timeout, isolation_level=None)
        except sqlite3.Error as exc:
            raise self._error("open", exc) from exc
        try:
            conn.row_factory = sqlite3.Row
            yield conn
        except sqlite3.Error as exc:
            if conn.in_transaction:
                conn.rollback()
            raise self._error("use", exc) from exc
        finally:
            conn.close()

    def _error(self, action: str, exc: Exception) -> CtxlicError:
        return CtxlicError(
            f"Cannot {action} evidence database {str(self.path)!r}: {exc}. Check that the path is a writable "
            "SQLite file made by this collection (move a foreign or damaged file away)."
        )

    def _migrate(self) -> None:
        with self._connection() as conn:
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("BEGIN IMMEDIATE")
            conn.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)")
            row = conn.execute("SELECT MAX(version) FROM schema_version").fetchone()
            current = row[0] or 0
            if current > SCHEMA_VERSION:
                conn.rollback()
                raise CtxlicError(
                    f"Evidence database {str(self.path)!r} has schema version {current}, newer than this "
                    f"collection understands ({SCHEMA_VERSION}): upgrade ctxlic.license_server or use another path."
                )
            for version, statements in MIGRATIONS:
                if version > current:
                    for statement in statements:
                        conn.execute(statement)
            if current < SCHEMA_VERSION:
                conn.execute("DELETE FROM schema_version")
                conn.execute("INSERT INTO schema_version (version) VALUES (?)", (SCHEMA_VERSION,))
            conn.commit()

    def schema_version(self) -> int:
        """Return the schema version stored in the database."""
        with self._connection() as conn:
            return int(conn.execute("SELECT MAX(version) FROM schema_version").fetchone()[0])

    # -- writing ---------------------------------------------------------------------------------

    def record_observation(self, host: str, observed_at: datetime | str, upload: dict[str, Any]) -> bool:
        """Record the ``upload`` block seen on ``host`` at ``observed_at``; return True if it is new."""
        return self.record_observations([prepare_observation(host, observed_at, upload)])[0]

    def record_observations(self, observations: Sequence[Observation]) -> list[bool]:
        """Record many observations in one connection and one transaction; return, for each, whether it is new.

        All or nothing: when the database stays locked beyond the timeout, or is damaged, nothing
        is recorded and CtxlicError is raised. The same observation twice in one call counts as
        new once.
        """
        for item in observations:
            if not isinstance(item, Observation):
                raise InputError(f"observation {item!r} was not made by prepare_observation(): pass its result.")
        if not observations:
            return []
        with self._connection() as conn:
            conn.execute("BEGIN IMMEDIATE")
            new = [self._upsert(conn, item) for item in observations]
            conn.commit()
        return new

    @staticmethod
    def _upsert(conn: sqlite3.Connection, item: Observation) -> bool:
        """Insert ``item`` or widen the observation span of the row it matches; True when inserted."""
        existing = conn.execute(
            "SELECT id FROM observations WHERE host = ? AND upload_key = ? AND code_key = ? AND reason_key = ?",
            item.key,
        ).fetchone()
        if existing:
            conn.execute(
                "UPDATE observations SET first_observed_at = MIN(first_observed_at, ?), "
                "last_observed_at = MAX(last_observed_at, ?) WHERE id = ?",
                (item.observed_at, item.observed_at, existing["id"]),
            )
            return False
        conn.execute(
            "INSERT INTO observations (host, upload_key, code_key, reason_key, status, code, message, arg, "
            "upload_time, upload_type, reason, hint, first_observed_at, last_observed_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (*item.key, *item.values, item.observed_at, item.observed_at),
        )
        return True

    def record_event(self, host: str, at: datetime | str, kind: str, detail: dict[str, Any] | None = None) -> bool:
        """Record an event (e.g. ``kind="decommissioned"``); idempotent on (host, at, kind). True if new."""
        host = _host(host)
        when = normalize_time(at, "at")
        if not isinstance(kind, str) or not kind.strip():
            raise InputError(f"event kind {kind!r} is not a name: use a word such as 'decommissioned'.")
        try:
            text = json.dumps(detail or {}, sort_keys=True)
        except (TypeError, ValueError) as exc:
            raise InputError(f"event detail for {host} is not JSON-serialisable ({exc}): pass plain data.") from exc
        with self._connection() as conn:
            cursor = conn.execute(
                "INSERT INTO events (host, at, kind, detail) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING",
                (host, when, kind.strip(), text),
            )
            return cursor.rowcount == 1

    # -- reading ---------------------------------------------------------------------------------

    def last_success(self, host: str) -> dict[str, Any] | None:
        """Return the successful upload with the latest upload time for ``host``, or None."""
        return self._one(_LAST_SUCCESS, host)

    def last_successes(self, hosts: Iterable[str]) -> dict[str, dict[str, Any] | None]:
        """:meth:`last_success` of every host in ``hosts``, read in one connection: ``{host: row or None}``."""
        names = {given: _host(given) for given in hosts}
        if not names:
            return {}
        with self._connection() as conn:
            return {given: self._first(conn, _LAST_SUCCESS, name) for given, name in names.items()}

    def success_candidates(self, hosts: Iterable[str], as_of: datetime) -> dict[str, list[dict[str, Any]]]:
        """For each host, the rows that may prove its last successful upload at ``as_of``, read in one connection.

        Per host: the latest recorded success dated no later than ``as_of``'s day, the latest one
        dated after it (a time in the future: the evaluation shows it and never credits it), and the
        same two for manual uploads an operator recorded with the ``evidence_event`` module (events of
        kind ``manual_upload``; row ``source: manual_upload`` with ``recorded_by`` and ``recorded_at``).
        A row stored before this check existed with a time in the future (or an unreadable event
        detail) is returned as such and judged by the evaluation; it never stops the report.
        """
        names = {given: _host(given) for given in hosts}
        if not names:
            return {}
        limit = _day_after(as_of)
        result: dict[str, list[dict[str, Any]]] = {}
        with self._connection() as conn:
            for given, name in names.items():
                rows: list[dict[str, Any]] = []
                for op, order in (("<", "DESC"), (">=", "ASC")):
                    row = conn.execute(
                        f"SELECT {_OBSERVATION_COLUMNS} FROM observations WHERE host = ? AND status = 'success' "  # noqa: S608
                        f"AND upload_key {op} ? ORDER BY upload_key {order}, last_observed_at DESC, id DESC LIMIT 1",
                        (name, limit),
                    ).fetchone()
                    if row:
                        rows.append(_observation_dict(row))
                    event = conn.execute(
                        f"SELECT host, at, kind, detail FROM events WHERE host = ? AND kind = 'manual_upload' "  # noqa: S608
                        f"AND at {op} ? ORDER BY at {order}, id DESC LIMIT 1",
                        (name, limit),
                    ).fetchone()
                    if event:
                        rows.append(manual_upload_row(_event_dict(event)))
                result[given] = rows
        return result

    def last_observation(self, host: str) -> dict[str, Any] | None:
        """Return the most recently observed upload result for ``host`` (whatever its status), or None."""
        return self._one(_LAST_OBSERVATION, host)

    def _one(self, where_order: str, host: str) -> dict[str, Any] | None:
        name = _host(host)
        with self._connection() as conn:
            return self._first(conn, where_order, name)

    @staticmethod
    def _first(conn: sqlite3.Connection, where_order: str, host: str) -> dict[str, Any] | None:
        row = conn.execute(
            f"SELECT {_OBSERVATION_COLUMNS} FROM observations {where_order} LIMIT 1",  # noqa: S608 - constants
            (host,),
        ).fetchone()
        return _observation_dict(row) if row else None

    def days_since_last_success(self, host: str, now: datetime) -> float | None:
        """Return days from the last successful upload to ``now`` (naive = UTC), or None if there is none."""
        success = self.last_success(host)
        if success is None:
            return None
        then = parse_iso(success["time"])
        if then is None:
            raise CtxlicError(f"{self.path}: the stored time {success['time']!r} of {host} is not an ISO 8601 time; "
                              "the evidence history is damaged.")
        return (_aware(now, "now") - then).total_seconds() / 86400.0

    def hosts(self) -> list[str]:
        """Return every host with an observation or an event, sorted."""
        with self._connection() as conn:
            rows = conn.execute("SELECT host FROM observations UNION SELECT host FROM events ORDER BY host").fetchall()
        return [r[0] for r in rows]

    def events(self, host: str | None = None, kind: str | None = None) -> list[dict[str, Any]]:
        """Return events, optionally for one host and/or kind, ordered by host and time."""
        clauses, params = [], []
        if host is not None:
            clauses.append("host = ?")
            params.append(_host(host))
        if kind is not None:
            clauses.append("kind = ?")
            params.append(kind)
        where = f"WHERE {' AND '.join(clauses)}" if clauses else ""
        with self._connection() as conn:
            rows = conn.execute(
                f"SELECT host, at, kind, detail FROM events {where} ORDER BY host, at, id",  # noqa: S608 - constants
                params,
            ).fetchall()
        return [_event_dict(r) for r in rows]

    def export(self, host: str | None = None) -> list[dict[str, Any]]:
        """Return all observations and events (optionally of one host) as dicts, in a stable order.

        Each dict has ``record`` (``observation`` | ``event``), ``host`` and ``at`` (first observed /
        event time); ordered by host, then ``at``, observations before events at the same time.
        """
        where, params = ("WHERE host = ?", (_host(host),)) if host is not None else ("", ())
        with self._connection() as conn:
            observation_sql = f"SELECT id, {_OBSERVATION_COLUMNS} FROM observations {where}"  # noqa: S608
            event_sql = f"SELECT id, host, at, kind, detail FROM events {where}"  # noqa: S608 - constants only
            observations = conn.execute(observation_sql, params).fetchall()
            events = conn.execute(event_sql, params).fetchall()
        records = [(r["host"], r["first_observed_at"], 0, r["id"], _observation_dict(r)) for r in observations]
        records += [(r["host"], r["at"], 1, r["id"], _event_dict(r)) for r in events]
        records.sort(key=lambda item: item[:4])
        return [item[4] for item in records]


def _day_after(moment: datetime) -> str:
    """Midnight UTC after ``moment``'s day as ``YYYY-MM-DDTHH:MM:SSZ`` (``9999-12-31T23:59:59Z`` at the end of time).

    Stored times are in this format, so text comparison orders them like times.
    """
    day = _aware(moment, "as_of").date()
    try:
        return f"{date.fromordinal(day.toordinal() + 1).isoformat()}T00:00:00Z"
    except (ValueError, OverflowError):
        return "9999-12-31T23:59:59Z"


def _host(host: Any) -> str:
    if not isinstance(host, str) or not host.strip():
        raise InputError(f"host {host!r} is not a host name: pass the inventory host name.")
    return host.strip()


def _aware(value: datetime, label: str) -> datetime:
    if not isinstance(value, datetime):
        raise InputError(f"{label} {value!r} is not a datetime.")
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _observation_row(upload: Any) -> dict[str, Any]:
    if not isinstance(upload, dict) or upload.get("status") not in STATUSES:
        raise InputError(
            f"upload {upload!r} is not an upload block: pass the dict parse_upload_result returned "
            f"(status one of {', '.join(STATUSES)})."
        )
    row = {k: upload.get(k) for k in ("status", "code", "message", "arg", "upload_type", "reason", "hint")}
    for key, value in row.items():
        if value is not None and not isinstance(value, str):
            raise InputError(f"upload {key} {value!r} is not text.")
    row["upload_time"] = normalize_time(upload["time"], "upload time") if upload.get("time") else None
    if row["status"] == "success" and row["upload_time"] is None:
        raise InputError("a successful upload without a time cannot be evidence: the upload block needs 'time'.")
    return row


def _observation_dict(row: sqlite3.Row) -> dict[str, Any]:
    return {
        "record": "observation",
        "host": row["host"],
        "at": row["first_observed_at"],
        "status": row["status"],
        "code": row["code"],
        "message": row["message"],
        "arg": row["arg"],
        "time": row["upload_time"],
        "upload_type": row["upload_type"],
        "reason": row["reason"],
        "hint": row["hint"],
        "first_observed_at": row["first_observed_at"],
        "last_observed_at": row["last_observed_at"],
    }


def _event_dict(row: sqlite3.Row) -> dict[str, Any]:
    try:
        detail = json.loads(row["detail"])
    except (TypeError, ValueError, RecursionError):
        detail = {"unreadable_detail": str(row["detail"])[:200]}  # a damaged row must not stop a report
    return {
        "record": "event",
        "host": row["host"],
        "at": row["at"],
        "kind": row["kind"],
        "detail": detail if isinstance(detail, dict) else {"value": detail},
    }


def manual_upload_row(event: dict[str, Any]) -> dict[str, Any]:
    """A ``manual_upload`` event as a success row the compliance evaluation reads (operator-attested).

    The operator's upload through Citrix Insight Services leaves no trace the collection can read
    on the server (seed 001 says ``upload_compliance_result.xml`` records manual uploads too, but an
    air-gapped server uploads from another machine), so the event is the evidence: who recorded it
    and when is kept with it and shown in the report.
    """
    detail = event.get("detail") if isinstance(event.get("detail"), dict) else {}
    return {
        "record": "event",
        "source": "manual_upload",
        "status": "success",
        "host": event.get("host"),
        "time": event.get("at"),
        "recorded_by": detail.get("recorded_by"),
        "recorded_at": detail.get("recorded_at"),
        "note": detail.get("note"),
    }
