"""Requests that have nothing to record take no write lock: a class's page loads never queue
behind SQLite's one writer, and "last active" / "last used" are still kept to the minute."""
from __future__ import annotations

from contextlib import contextmanager
from datetime import datetime, timedelta, timezone

from chronos import db
from chronos.models import creators, people
from chronos.timefmt import iso_utc
from tests.test_people import invite, join


@contextmanager
def writer_elsewhere(services):
    """Another connection holds the write lock; this thread's connection gives up on it at once."""
    with services.db.connection() as conn:  # the test client's requests run on this thread's one
        conn.execute("PRAGMA busy_timeout=0")
    other = db.connect(services.settings.db_path)
    other.execute("BEGIN IMMEDIATE")
    try:
        yield
    finally:
        other.execute("ROLLBACK")
        other.close()
        with services.db.connection() as conn:
            conn.execute("PRAGMA busy_timeout=30000")


def _student(services):
    with services.db.connection() as conn:
        student_id = conn.execute("SELECT id FROM students").fetchone()[0]
        return people.get_student(conn, student_id)


def _set(services, sql: str, *args) -> None:
    with services.db.connection() as conn, db.transaction(conn):
        conn.execute(sql, args)


def test_a_students_pages_write_nothing_within_the_minute(app, owner_client, services):
    student, _ = join(app, invite(owner_client))
    assert student.get("/").status_code == 200
    joined_at = _student(services).last_active_at
    with writer_elsewhere(services):  # a write would fail: "database is locked"
        for path in ("/", "/learn", "/chat", "/api/chat/sessions"):
            assert student.get(path).status_code == 200, path
    assert _student(services).last_active_at == joined_at


def test_last_active_is_renewed_once_it_is_a_minute_old(app, owner_client, services):
    student, _ = join(app, invite(owner_client))
    old = iso_utc(datetime.now(timezone.utc) - timedelta(minutes=2))
    _set(services, "UPDATE students SET last_active_at = ?", old)
    assert student.get("/").status_code == 200
    services.writer.flush()  # the stamp is a deferred write
    renewed = _student(services).last_active_at
    assert renewed > old
    assert student.get("/learn").status_code == 200
    assert _student(services).last_active_at == renewed


def test_touch_active_decides_on_the_row_it_is_given(app, owner_client, services):
    join(app, invite(owner_client))
    now = datetime.now(timezone.utc)
    fresh = _student(services)
    assert people.touch_active(services.writer, fresh, now=now) is False
    later = now + people.TOUCH_EVERY + timedelta(seconds=1)
    assert people.touch_active(services.writer, fresh, now=later) is True
    services.writer.flush()  # the stamp is a deferred write
    assert _student(services).last_active_at == iso_utc(later)


def test_an_api_token_used_often_writes_its_use_once_a_minute(app, services):
    with services.db.connection() as conn:
        token = creators.create_token(conn, creators.local_creator(conn).id, "script")
    api = app.test_client()
    bearer = {"Authorization": f"Bearer {token}"}
    assert api.get("/api/videos", headers=bearer).status_code == 200
    with services.db.connection() as conn:
        (first_use,) = [t.last_used_at for t in creators.list_tokens(conn, creators.local_creator(conn).id)]
    assert first_use is not None
    with writer_elsewhere(services):
        assert api.get("/api/videos", headers=bearer).status_code == 200
    old = iso_utc(datetime.now(timezone.utc) - timedelta(minutes=2))
    _set(services, "UPDATE api_tokens SET last_used_at = ?", old)
    assert api.get("/api/videos", headers=bearer).status_code == 200
    with services.db.connection() as conn:
        (renewed,) = [t.last_used_at for t in creators.list_tokens(conn, creators.local_creator(conn).id)]
    assert renewed > old
