"""The one writer (models/writer.py): heartbeats, "last active" stamps and question analytics go
through one thread in batched transactions; they land, survive a graceful stop, never meet
"database is locked", and a failing write undoes only itself."""
from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta, timezone

import pytest

from chronos import db
from chronos.models import people
from chronos.operations import progress as progress_ops
from chronos.timefmt import iso_utc
from tests.test_courses_api import add_video, student_client

H = {"X-CSRF-Token": "student-csrf"}


def _students(services, n: int) -> list[int]:
    with services.db.connection() as conn:
        _, token = people.create_invite(conn, 1, expires_at=None, max_uses=None)
        return [people.join_with_invite(conn, token, name=f"S{i}", username=f"s{i}", password="x" * 10).id
                for i in range(n)]


def _count(services, sql: str, *args):
    with services.db.connection() as conn:
        return conn.execute(sql, args).fetchone()[0]


def test_a_heartbeat_lands_through_the_writer_and_answers_with_progress(app, services, owner_client):
    video = add_video(services, "interest.mp4")
    student, row = student_client(app, services)
    before = services.writer.stats.jobs
    res = student.post("/api/progress", json={"video_id": video, "position_s": 10, "watched_s": 10,
                                              "from_s": 0}, headers=H)
    assert res.status_code == 200
    assert res.get_json()["video"]["position_s"] == 10 and res.get_json()["credited_s"] == 10
    assert services.writer.stats.jobs > before  # it went through the writer
    assert _count(services, "SELECT watched_s FROM video_progress WHERE student_id = ?", row.id) == 10
    assert _count(services, "SELECT total_watch_s FROM video_analytics WHERE video_id = ?", video) == 10


def test_many_threads_heartbeating_at_once_never_meet_a_locked_database(app, services, owner_client):
    video = add_video(services, "interest.mp4")
    students = _students(services, 24)
    barrier = threading.Barrier(len(students))

    def watch(student_id: int) -> int:
        # This thread's own connection gives up on the write lock at once: had a heartbeat written
        # from here while another held the lock, it would raise "database is locked".
        with services.db.connection() as conn:
            conn.execute("PRAGMA busy_timeout=0")
        barrier.wait()
        for beat in range(1, 6):
            progress_ops.heartbeat(services, 1, student_id, video_id=video, position_s=2.0 * beat,
                                   watched_s=2.0)
        return student_id

    with ThreadPoolExecutor(len(students)) as pool:
        assert sorted(pool.map(watch, students)) == sorted(students)  # none raised
    assert _count(services, "SELECT count(*) FROM video_progress WHERE video_id = ? AND position_s = 10",
                  video) == len(students)
    stats = services.writer.stats
    assert stats.failed == 0 and stats.batches < stats.jobs  # batched: fewer transactions than writes


def test_deferred_writes_queued_behind_a_slow_one_land_at_a_graceful_stop(app, services, owner_client):
    ids = _students(services, 5)
    old = datetime.now(timezone.utc) - timedelta(minutes=5)
    with services.db.connection() as conn, db.transaction(conn):
        conn.execute("UPDATE students SET last_active_at = ?", (iso_utc(old),))
    with services.db.connection() as conn:
        stale = [people.get_student(conn, i) for i in ids]
    busy, release = threading.Event(), threading.Event()
    before = services.writer.stats.jobs

    def slow(conn):  # holds the writer thread so the stamps below wait in its queue
        busy.set()
        release.wait()

    services.writer.defer(slow)
    assert busy.wait(10)
    for student in stale:
        assert people.touch_active(services.writer, student) is True
    assert people.touch_active(services.writer, stale[0]) is True  # pending already: not queued twice
    assert _count(services, "SELECT count(*) FROM students WHERE last_active_at > ?", iso_utc(old)) == 0
    threading.Timer(0.05, release.set).start()  # the slow write finishes while close() waits
    services.writer.close()  # what serve() does on SIGTERM / Ctrl+C, before exiting
    assert _count(services, "SELECT count(*) FROM students WHERE last_active_at > ?", iso_utc(old)) == 5
    assert services.writer.stats.jobs == before + 1 + 5
    # Closed: a later write runs on the caller's own connection and still lands.
    assert people.touch_active(services.writer, stale[0], now=datetime.now(timezone.utc) + timedelta(hours=1))
    assert _count(services, "SELECT max(last_active_at) FROM students") > iso_utc(datetime.now(timezone.utc))


def test_a_failing_write_undoes_only_itself(services):
    writer = services.writer

    def insert(conn, name: str, fail: bool = False):
        conn.execute("INSERT INTO creators(name) VALUES (?)", (name,))
        if fail:
            raise ValueError("refused")
        return name

    with ThreadPoolExecutor(8) as pool:
        futures = [pool.submit(writer.call, lambda c, i=i: insert(c, f"c{i}", fail=i % 3 == 0)) for i in range(12)]
        outcomes = ["refused" if f.exception() else f.result() for f in futures]
    assert outcomes == ["refused" if i % 3 == 0 else f"c{i}" for i in range(12)]
    assert _count(services, "SELECT count(*) FROM creators WHERE name LIKE 'c%'") == 8
    assert writer.stats.failed == 4


def test_a_write_asked_for_inside_an_open_transaction_is_refused(services):
    with services.db.connection() as conn, db.transaction(conn):
        with pytest.raises(RuntimeError, match="open transaction"):
            services.writer.call(lambda w: None)


def test_a_question_and_its_cached_answer_are_one_write(app, services, owner_client):
    from tests.conftest import add_video as upload_video, process

    video = upload_video(services, "interest.mp4").id
    assert process(services, video).status == "completed"
    student, row = student_client(app, services)
    ask = {"message": "What is compound interest?"}
    assert student.post("/api/chat", json=ask, headers=H).status_code == 200
    services.writer.flush()
    before = services.writer.stats.jobs
    again = student.post("/api/chat", json=ask, headers=H).get_json()
    assert again["cached"] is True
    services.writer.flush()  # one more job, counted
    assert services.writer.stats.jobs == before + 2  # the question, its answer and analytics: one
    assert _count(services, "SELECT questions FROM student_summary WHERE student_id = ?", row.id) == 2
    assert _count(services, "SELECT hits FROM answer_cache") == 1
