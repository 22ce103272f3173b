"""Facts about the database itself: its schema version and the scheduler's persisted jobs."""
from __future__ import annotations

from chronos.db import Connection
from chronos.models.schema import MIGRATIONS


def known_schema_version() -> int:
    """The newest migration this Chronos knows."""
    return max(number for number, _, _ in MIGRATIONS)


def schema_version(conn: Connection) -> int:
    """The newest migration applied to this database (0 for an empty one)."""
    if not _has_table(conn, "schema_migrations"):
        return 0
    return conn.execute("SELECT coalesce(max(number), 0) FROM schema_migrations").fetchone()[0]


def integrity_problems(conn: Connection) -> list[str]:
    """SQLite's own check of every page and index; empty when the file is sound."""
    rows = [r[0] for r in conn.execute("PRAGMA integrity_check")]
    return [] if rows == ["ok"] else rows


def make_self_contained(conn: Connection) -> None:
    """Leave the WAL journal for a rollback one: the file alone then holds every page, no -wal beside it."""
    conn.execute("PRAGMA journal_mode=DELETE")


def clear_scheduled_jobs(conn: Connection) -> int:
    """Forget APScheduler's persisted jobs; return how many there were.

    A job names its runner by the database's absolute path, so after a restore into another folder
    the old jobs would never run; start-up recovery queues every unfinished video again anyway.
    """
    if not _has_table(conn, "apscheduler_jobs"):
        return 0
    return conn.execute("DELETE FROM apscheduler_jobs").rowcount


def _has_table(conn: Connection, name: str) -> bool:
    return conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?",
                        (name,)).fetchone() is not None
