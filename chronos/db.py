"""The one place that opens SQLite connections (pragmas, sqlite-vec) and runs migrations."""
from __future__ import annotations

import itertools
import logging
import threading
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

# The stdlib sqlite3 of many Python builds cannot load extensions; sqlean ships its own SQLite
# (3.50, with FTS5) that can, and is otherwise a drop-in replacement.
import sqlean as sqlite3
import sqlite_vec

from chronos.models.schema import MIGRATIONS

log = logging.getLogger(__name__)

Connection = sqlite3.Connection
Row = sqlite3.Row
IntegrityError = sqlite3.IntegrityError
OperationalError = sqlite3.OperationalError
ProgrammingError = sqlite3.ProgrammingError  # e.g. using a closed connection


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
    """Run a block as one write transaction, or as part of the caller's when one is open.

    Outside a transaction this is BEGIN IMMEDIATE … COMMIT (ROLLBACK on any exception). Inside
    one, the block joins it through a SAVEPOINT: its writes commit or roll back with the
    caller's, and an exception in the block undoes only the block's writes before it propagates,
    so the caller decides. That is how a service makes several model functions, each written
    with its own `with transaction(conn):`, land or fail together.
    """
    if conn.in_transaction:
        name = f"chronos_{next(_savepoint_names)}"
        conn.execute(f"SAVEPOINT {name}")
        try:
            yield conn
        except BaseException:
            if conn.in_transaction:  # some errors (a full disk) end the whole transaction
                conn.execute(f"ROLLBACK TO {name}")
                conn.execute(f"RELEASE {name}")
            raise
        else:
            conn.execute(f"RELEASE {name}")
        return
    # BEGIN IMMEDIATE avoids the deadlock where two readers both try to upgrade to writers.
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield conn
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
    else:
        conn.execute("COMMIT")


_savepoint_names = itertools.count(1)  # unique, so a savepoint never shadows an enclosing one


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


class _Lease:
    """One thread's connection, and how deeply that thread's `with db.connection()` blocks nest."""
    __slots__ = ("conn", "depth", "closing", "close", "__weakref__")

    def __init__(self, conn: Connection):
        self.conn, self.depth, self.closing = conn, 0, False
        # Runs once: at Database.close(), or when the thread (and so its lease) is gone.
        self.close = weakref.finalize(self, conn.close)


class Database:
    """A database file: one connection per thread, reused by every block; migrations run once.

    A connection (its extension load and pragmas) is opened the first time a thread asks and
    kept for that thread until the thread ends or close() is called. Since a thread has one
    connection, nested `with db.connection()` blocks share it, and a transaction open in an
    outer block is joined by `transaction()` in an inner one. A connection is never shared
    between threads: hand a thread the Database, never a connection.
    """

    def __init__(self, path: Path | str):
        self.path = Path(path)
        self._local = threading.local()  # the calling thread's _Lease; dropped when it ends
        self._leases: weakref.WeakSet[_Lease] = weakref.WeakSet()  # every open one, for close()
        self._lock = threading.Lock()  # lease depth and closing change together
        with self.connection() as conn:
            migrate(conn)

    @contextmanager
    def connection(self) -> Iterator[Connection]:
        """The calling thread's connection for the block (opened on first use, kept after).

        At the end of the outermost block no transaction may be open: one that is is a bug
        (rolled back, and raised unless the block already failed). Don't hold a connection
        across a `yield` that another thread might resume: take it again after the yield.
        """
        lease = self._lease()
        try:
            yield lease.conn
        except BaseException:
            self._release(lease, failing=True)
            raise
        else:
            self._release(lease, failing=False)

    def _lease(self) -> _Lease:
        lease = getattr(self._local, "lease", None)
        with self._lock:
            # A lease being closed is still this thread's inside its ongoing block, never after.
            if lease is not None and lease.close.alive and (lease.depth or not lease.closing):
                lease.depth += 1
                return lease
        lease = _Lease(connect(self.path))
        lease.depth = 1
        with self._lock:
            self._leases.add(lease)
        self._local.lease = lease
        return lease

    def _release(self, lease: _Lease, *, failing: bool) -> None:
        # Only the owning thread changes a lease's depth, so reading it here needs no lock.
        left_open = lease.depth == 1 and lease.close.alive and lease.conn.in_transaction
        if left_open:
            lease.conn.execute("ROLLBACK")
        with self._lock:
            lease.depth -= 1
            close = lease.depth == 0 and lease.closing
        if close:
            lease.close()
        if left_open:
            message = "a transaction was left open at the end of `with db.connection()`; rolled back"
            if not failing:
                raise RuntimeError(message)
            log.error(message)

    def in_transaction(self) -> bool:
        """True when the calling thread's connection has a transaction open."""
        lease = getattr(self._local, "lease", None)
        return bool(lease is not None and lease.close.alive and lease.conn.in_transaction)

    def close(self) -> None:
        """Close every connection this Database handed out (one in use closes when its block ends).

        For teardown, and before the file is replaced or must be released; a later connection()
        opens a new connection.
        """
        with self._lock:
            leases = list(self._leases)
            idle = [lease for lease in leases if lease.depth == 0]
            for lease in leases:
                lease.closing = True
        for lease in idle:
            lease.close()

    def vec_version(self) -> str:
        """The loaded sqlite-vec version, proving the extension works."""
        with self.connection() as conn:
            return conn.execute("SELECT vec_version()").fetchone()[0]
