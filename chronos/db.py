"""The one place that opens SQLite connections (pragmas, sqlite-vec) and runs migrations."""
from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

# The stdlib sqlite3 of many Python builds cannot load extensions; sqlean ships its own SQLite
# (3.50, with FTS5) that can, and is otherwise a drop-in replacement.
import sqlean as sqlite3
import sqlite_vec

from chronos.models.schema import MIGRATIONS

Connection = sqlite3.Connection
Row = sqlite3.Row
IntegrityError = sqlite3.IntegrityError
OperationalError = sqlite3.OperationalError


class DatabaseError(RuntimeError):
    """The database cannot be opened or lacks a required capability."""


def connect(path: Path | str) -> Connection:
    """Open a connection with Chronos's pragmas and sqlite-vec loaded."""
    # isolation_level=None: we issue BEGIN ourselves (see transaction()), so reads never hold
    # a write lock and every write is an explicit BEGIN IMMEDIATE … COMMIT.
    conn = sqlite3.connect(str(path), isolation_level=None, check_same_thread=False, timeout=30)
    conn.row_factory = sqlite3.Row
    try:
        conn.enable_load_extension(True)
        sqlite_vec.load(conn)
        conn.enable_load_extension(False)
        conn.execute("SELECT vec_version()").fetchone()
    except Exception as exc:  # noqa: BLE001 - any failure here means the same thing to the user
        conn.close()
        raise DatabaseError(
            "sqlite-vec could not be loaded into SQLite "
            f"({exc}). Reinstall Chronos's dependencies (pip install 'sqlite-vec==0.1.9' sqlean-py)."
        ) from exc
    conn.execute("PRAGMA journal_mode=WAL")
    # NORMAL is durable across application crashes in WAL mode; only an OS crash can lose the
    # last transactions, and it is ~150x faster than FULL for one-row commits.
    conn.execute("PRAGMA synchronous=NORMAL")
    conn.execute("PRAGMA foreign_keys=ON")
    conn.execute("PRAGMA busy_timeout=30000")
    return conn


@contextmanager
def transaction(conn: Connection) -> Iterator[Connection]:
    """Run a block as one write transaction, taking the write lock up front."""
    # BEGIN IMMEDIATE avoids the deadlock where two readers both try to upgrade to writers.
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield conn
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    else:
        conn.execute("COMMIT")


def migrate(conn: Connection) -> list[int]:
    """Apply the numbered migrations not yet recorded; return the numbers applied."""
    conn.execute(
        "CREATE TABLE IF NOT EXISTS schema_migrations ("
        " number INTEGER PRIMARY KEY, name TEXT NOT NULL,"
        " applied_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')))"
    )
    done = {r[0] for r in conn.execute("SELECT number FROM schema_migrations")}
    applied = []
    for number, name, sql in MIGRATIONS:
        if number in done:
            continue
        with transaction(conn):
            for statement in _split_sql(sql):
                conn.execute(statement)
            conn.execute("INSERT INTO schema_migrations(number, name) VALUES (?, ?)", (number, name))
        applied.append(number)
    return applied


def _split_sql(script: str) -> list[str]:
    """Split a migration script into statements (triggers keep their inner semicolons)."""
    statements, buf = [], ""
    for line in script.splitlines(keepends=True):
        buf += line
        if sqlite3.complete_statement(buf):
            if buf.strip():
                statements.append(buf.strip())
            buf = ""
    if buf.strip():
        statements.append(buf.strip())
    return statements


class Database:
    """A database file: hands out one connection per thread and runs migrations once."""

    def __init__(self, path: Path | str):
        self.path = Path(path)
        self._local = threading.local()
        with self.connection() as conn:
            migrate(conn)

    @contextmanager
    def connection(self) -> Iterator[Connection]:
        """A fresh connection, closed after the block."""
        conn = connect(self.path)
        try:
            yield conn
        finally:
            conn.close()

    def thread_connection(self) -> Connection:
        """A connection kept for the calling thread (for long-lived worker threads)."""
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = connect(self.path)
            self._local.conn = conn
        return conn

    def vec_version(self) -> str:
        """The loaded sqlite-vec version, proving the extension works."""
        with self.connection() as conn:
            return conn.execute("SELECT vec_version()").fetchone()[0]
