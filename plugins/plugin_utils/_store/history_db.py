# Copyright: (c) 2026, ctxlic maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# Internal use only: this module is private to ctxlic.license_server and may change at any time.
"""Where the evidence history lives: a SQLite file on the controller, or a PostgreSQL database.

``history_db`` (fleet_report, evidence_event, the roles' ``*_history_db`` variables) is either a file
path (SQLite, the embedded default) or a PostgreSQL connection: a ``postgresql://`` (or
``postgres://``) URL, or a libpq keyword string such as ``host=db.example.com dbname=ctxlic user=ctxlic``.
The password never has to be in it: libpq reads ``PGPASSWORD`` or the password file (``PGPASSFILE``,
``~/.pgpass``) itself, and ``history_db_password`` passes one from an Ansible vault variable. Whatever
the connection holds, only :attr:`HistoryTarget.display` (the password replaced by ``***``) is ever
shown in a result, a message or a report.

This module holds the two database dialects behind one small connection interface, so that
evidence_history.py writes its SQL once: ``?`` placeholders (rewritten to ``%s`` for psycopg), rows
readable by position and by column name, explicit transactions, and the one statement that differs
(the write lock). psycopg 3 is imported only when a PostgreSQL connection is opened.
"""

from __future__ import annotations

import os
import re
import sqlite3
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, unquote, urlencode, urlsplit, urlunsplit

from ansible_collections.ctxlic.license_server.plugins.plugin_utils._common.errors import CtxlicError, InputError

SQLITE = "sqlite"
POSTGRESQL = "postgresql"

#: The libpq connection keywords (PostgreSQL documentation, "Parameter Key Words"): a value that starts
#: with one of them followed by ``=`` is a keyword connection string, not a file name.
LIBPQ_KEYWORDS = (
    "host", "hostaddr", "port", "dbname", "user", "password", "passfile", "require_auth", "channel_binding",
    "connect_timeout", "client_encoding", "options", "application_name", "fallback_application_name",
    "keepalives", "keepalives_idle", "keepalives_interval", "keepalives_count", "tcp_user_timeout",
    "replication", "gssencmode", "sslmode", "requiressl", "sslcompression", "sslcert", "sslkey", "sslpassword",
    "sslcertmode", "sslrootcert", "sslcrl", "sslcrldir", "sslsni", "requirepeer", "ssl_min_protocol_version",
    "ssl_max_protocol_version", "krbsrvname", "gsslib", "gssdelegation", "service", "target_session_attrs",
    "load_balance_hosts",
)
_KEYWORD_START = re.compile(r"^\s*(?:" + "|".join(LIBPQ_KEYWORDS) + r")\s*=")
_URL_START = re.compile(r"^\s*postgres(?:ql)?://", re.IGNORECASE)
# password=value in a keyword string: a single-quoted value (with \' and \\ escapes) or a bare word.
_KEYWORD_PASSWORD = re.compile(r"(\bpassword\s*=\s*)('(?:[^'\\]|\\.)*'|\S+)")
#: Advisory lock key that serialises schema migrations of concurrent jobs on one PostgreSQL database.
_MIGRATION_LOCK = 0x63746C78  # "ctlx"
PSYCOPG_MISSING = (
    "history_db is a PostgreSQL connection, but the Python package psycopg (version 3) is not installed on the "
    "controller (or in the execution environment): install it with 'pip install \"psycopg[binary]\"' (it is an "
    "optional controller requirement in the collection's requirements.txt), or use a SQLite file path."
)


def is_postgres(value: Any) -> bool:
    """Whether ``value`` names a PostgreSQL connection (URL or libpq keywords) rather than a SQLite file."""
    return isinstance(value, str) and bool(_URL_START.match(value) or _KEYWORD_START.match(value))


def redact(conninfo: str) -> str:
    """``conninfo`` with any password replaced by ``***`` (URL user-info, URL query, or keyword form)."""
    if _URL_START.match(conninfo):
        try:
            parts = urlsplit(conninfo.strip())
        except ValueError:
            return "postgresql://***"  # unparseable: show nothing of it
        netloc = parts.netloc
        if "@" in netloc:
            userinfo, hostinfo = netloc.rsplit("@", 1)
            if ":" in userinfo:
                userinfo = userinfo.split(":", 1)[0] + ":***"
            netloc = f"{userinfo}@{hostinfo}"
        query = parts.query
        if query:
            pairs = parse_qsl(query, keep_blank_values=True)
            query = urlencode([(k, "***" if k.lower() == "password" else v) for k, v in pairs], safe="*/")
        return urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment))
    return _KEYWORD_PASSWORD.sub(lambda m: m.group(1) + "***", conninfo)


def _password_in(conninfo: str) -> list[str]:
    """Every password written in ``conninfo`` (to scrub it from driver messages as well)."""
    found = []
    if _URL_START.match(conninfo):
        try:
            parts = urlsplit(conninfo.strip())
            if parts.password:
                found.append(parts.password)
                found.append(unquote(parts.password))
            found += [v for k, v in parse_qsl(parts.query) if k.lower() == "password"]
            found += [p.split("=", 1)[1] for p in parts.query.split("&") if p.lower().startswith("password=")]
        except ValueError:
            pass
    else:
        for match in _KEYWORD_PASSWORD.finditer(conninfo):
            value = match.group(2)
            found.append(value)
            if value.startswith("'") and value.endswith("'"):
                found.append(value[1:-1].replace("\\'", "'").replace("\\\\", "\\"))
    return [p for p in found if p]


@dataclass(frozen=True)
class HistoryTarget:
    """A resolved ``history_db``: the kind, what to connect to, and the text that may be shown."""

    kind: str
    location: str  # SQLite: the file path; PostgreSQL: the connection string as given (may hold a password)
    display: str   # safe to show: the path, or the connection with its password as ***
    password: str | None = None  # from history_db_password (an Ansible vault variable), never shown

    @property
    def secrets(self) -> list[str]:
        """Passwords to scrub from any text shown (driver error messages included)."""
        return [p for p in [self.password, *(_password_in(self.location) if self.kind == POSTGRESQL else [])] if p]

    def scrub(self, text: str) -> str:
        """``text`` without any password of this target."""
        for secret in sorted(set(self.secrets), key=len, reverse=True):
            text = text.replace(secret, "***")
        return text


def resolve_target(value: Any, *, password: str | None = None,
                   path_rule: Callable[[str], str] | None = None) -> HistoryTarget:
    """The ``history_db`` option value as a :class:`HistoryTarget`.

    A PostgreSQL connection is kept as given. Anything else is a SQLite file path: environment variables
    and ``~`` expanded (as Ansible's ``type: path`` did), then ``path_rule`` (the action's controller-path
    rule: a relative path is taken from the playbook directory). An empty value
    is refused, as an empty path would mean the current directory.
    """
    if isinstance(value, os.PathLike):
        value = os.fspath(value)
    if not isinstance(value, str) or not value.strip():
        raise InputError(f"history_db {value!r} is empty: give a SQLite file path or a PostgreSQL connection "
                         "(postgresql://user@host/dbname, or libpq keywords such as 'host=db dbname=ctxlic').")
    if password is not None and not isinstance(password, str):
        raise InputError("history_db_password is not text: pass the password as a string (an Ansible vault variable).")
    if is_postgres(value):
        return HistoryTarget(POSTGRESQL, value.strip(), redact(value.strip()), password or None)
    if password:
        raise InputError("history_db_password is set but history_db is a SQLite file path, which takes no password: "
                         "give a PostgreSQL connection (postgresql://user@host/dbname) or drop the password.")
    value = os.path.expanduser(os.path.expandvars(value))  # what Ansible's type "path" did for this option
    path = path_rule(value) if path_rule else value
    return HistoryTarget(SQLITE, path, path)


class Row:
    """A result row readable by position and by column name (like ``sqlite3.Row``)."""

    __slots__ = ("_names", "_values")

    def __init__(self, names: Sequence[str], values: Sequence[Any]) -> None:
        self._names = names
        self._values = values

    def __getitem__(self, key: int | str) -> Any:
        if isinstance(key, int):
            return self._values[key]
        return self._values[self._names.index(key)]

    def keys(self) -> list[str]:
        return list(self._names)


class Connection:
    """One database connection of either dialect, in autocommit mode with explicit transactions."""

    def __init__(self, kind: str, raw: Any) -> None:
        self.kind = kind
        self.raw = raw

    def execute(self, sql: str, params: Sequence[Any] = ()) -> Any:
        if self.kind == POSTGRESQL:
            return self.raw.execute(sql.replace("?", "%s"), tuple(params))
        return self.raw.execute(sql, tuple(params))

    def begin(self, *, lock: str | None = None) -> None:
        """Start a write transaction; ``lock`` names a table whose writers must queue behind this one.

        SQLite: ``BEGIN IMMEDIATE`` takes the database's one write lock at once, whatever ``lock`` is.
        PostgreSQL: ``BEGIN``, and for ``lock`` a SHARE ROW EXCLUSIVE table lock, which only other
        writers of that table wait for (readers do not), so a check-then-insert cannot race.
        """
        if self.kind == SQLITE:
            self.raw.execute("BEGIN IMMEDIATE")
            return
        self.raw.execute("BEGIN")
        if lock:
            self.raw.execute(f"LOCK TABLE {lock} IN SHARE ROW EXCLUSIVE MODE")

    def begin_migration(self) -> None:
        """Start the schema transaction; concurrent jobs opening a new database migrate one after another."""
        if self.kind == SQLITE:
            self.raw.execute("PRAGMA journal_mode=WAL")
            self.raw.execute("BEGIN IMMEDIATE")
            return
        self.raw.execute("BEGIN")
        self.raw.execute("SELECT pg_advisory_xact_lock(%s)", (_MIGRATION_LOCK,))

    def commit(self) -> None:
        self.raw.execute("COMMIT")

    def rollback(self) -> None:
        if self.in_transaction:
            self.raw.execute("ROLLBACK")

    @property
    def in_transaction(self) -> bool:
        if self.kind == SQLITE:
            return self.raw.in_transaction
        from psycopg import pq  # imported already: this is a psycopg connection

        return self.raw.info.transaction_status != pq.TransactionStatus.IDLE

    def close(self) -> None:
        self.raw.close()


def _psycopg() -> Any:
    try:
        import psycopg
    except ImportError as exc:
        raise CtxlicError(PSYCOPG_MISSING) from exc
    return psycopg


def driver_errors(kind: str) -> tuple[type[Exception], ...]:
    """The exception classes of the driver of ``kind`` (psycopg's only once it is imported)."""
    if kind == SQLITE:
        return (sqlite3.Error,)
    return (_psycopg().Error,)


def _pg_row_factory(cursor: Any) -> Callable[[Sequence[Any]], Row]:
    names = [column.name for column in cursor.description or ()]
    return lambda values: Row(names, values)


def connect(target: HistoryTarget, timeout: float) -> Connection:
    """Open a connection to ``target``; driver errors propagate (the caller words them)."""
    if target.kind == SQLITE:
        raw = sqlite3.connect(Path(target.location), timeout=timeout, isolation_level=None)
        raw.row_factory = sqlite3.Row
        return Connection(SQLITE, raw)
    psycopg = _psycopg()
    kwargs: dict[str, Any] = {"autocommit": True, "row_factory": _pg_row_factory}
    params = psycopg.conninfo.conninfo_to_dict(target.location)
    if "connect_timeout" not in params and not os.environ.get("PGCONNECT_TIMEOUT"):
        kwargs["connect_timeout"] = max(2, int(timeout))
    if "application_name" not in params and not os.environ.get("PGAPPNAME"):
        kwargs["application_name"] = "ctxlic.license_server evidence history"
    if target.password:
        kwargs["password"] = target.password
    raw = psycopg.connect(target.location, **kwargs)
    # A writer waiting for another job's lock gives up after the same time a SQLite writer waits for its busy lock.
    raw.execute(f"SET lock_timeout = {max(1, int(timeout * 1000))}")
    return Connection(POSTGRESQL, raw)
