"""Migration 7 backfills the analytics rollups from what earlier versions stored (UTC dates)."""
from __future__ import annotations

from chronos.db import _split_sql, connect, migrate
from chronos.models.schema import MIGRATIONS


def version_6_database(path):
    """A database as version 6 left it: every migration before analytics applied."""
    conn = connect(path)
    conn.execute("CREATE TABLE schema_migrations (number INTEGER PRIMARY KEY, name TEXT NOT NULL,"
                 " applied_at TEXT NOT NULL DEFAULT 'then')")
    for number, name, sql in MIGRATIONS[:6]:
        for statement in _split_sql(sql):
            conn.execute(statement)
        conn.execute("INSERT INTO schema_migrations(number, name) VALUES (?, ?)", (number, name))
    return conn


def test_backfill_from_existing_history(tmp_path):
    conn = version_6_database(tmp_path / "old.db")
    conn.executescript("""
      INSERT INTO creators(id, name) VALUES (1, 'Ada');
      INSERT INTO students(id, creator_id, name, created_at) VALUES
        (1, 1, 'Bob', '2026-11-01T10:00:00.000Z'), (2, 1, 'Cara', '2026-11-03T10:00:00.000Z');
      INSERT INTO videos(id, creator_id, title, original_filename, media_path, container, size_bytes, duration_s)
        VALUES (1, 1, 'Intro', 'i.mp4', 'i.mp4', 'mp4', 1, 100);
      INSERT INTO video_progress(student_id, video_id, position_s, watched_s, watch_time_s, completed_at,
        last_beat_at, created_at) VALUES
        (1, 1, 100, 100, 120, '2026-11-02T11:00:00.000Z', '2026-11-02T11:00:00.000Z', '2026-11-02T10:58:00.000Z');
      INSERT INTO chat_sessions(id, creator_id, student_id) VALUES (1, 1, 1), (2, 1, NULL);
      INSERT INTO chat_messages(id, session_id, role, content, created_at) VALUES
        (1, 1, 'user', 'why?', '2026-11-02T12:30:00.000Z'), (2, 1, 'assistant', 'because', '2026-11-02T12:30:01.000Z'),
        (3, 2, 'user', 'owner preview', '2026-11-02T13:00:00.000Z');
    """)
    assert migrate(conn) == [number for number, _, _ in MIGRATIONS[6:]]  # 7 and any later
    summary = [tuple(r) for r in conn.execute(
        "SELECT student_id, joined_date, first_video_at IS NOT NULL, first_question_at, questions, watch_s,"
        " active_days FROM student_summary ORDER BY student_id")]
    assert summary == [(1, "2026-11-01", 1, "2026-11-02T12:30:00.000Z", 1, 120.0, 2),
                       (2, "2026-11-03", 0, None, 0, 0.0, 1)]
    days = [tuple(r) for r in conn.execute("SELECT date, active_students, joins, messages, views FROM creator_days"
                                           " ORDER BY date")]
    assert days == [("2026-11-01", 1, 1, 0, 0), ("2026-11-02", 1, 0, 1, 1), ("2026-11-03", 1, 1, 0, 0)]
    assert conn.execute("SELECT hour, messages FROM creator_hours").fetchall()[0][:] == (12, 1)
    retention = conn.execute("SELECT day_n, students FROM retention_days WHERE joined_date = '2026-11-01'"
                             " ORDER BY day_n").fetchall()
    assert [tuple(r) for r in retention] == [(0, 1), (1, 1)]
    kinds = sorted(r[0] for r in conn.execute("SELECT kind FROM activity_log"))
    assert kinds == ["asked", "completed_video", "joined", "joined"]  # the owner's preview is not a question


def test_backfill_rebuilds_course_and_module_steps(tmp_path):
    """Course history from before analytics: started, half and completed steps dated by the progress."""
    conn = version_6_database(tmp_path / "old.db")
    conn.executescript("""
      INSERT INTO creators(id, name) VALUES (1, 'Ada');
      INSERT INTO students(id, creator_id, name, created_at) VALUES
        (1, 1, 'Bob', '2026-11-01T10:00:00.000Z'), (2, 1, 'Cara', '2026-11-01T11:00:00.000Z');
      INSERT INTO videos(id, creator_id, title, original_filename, media_path, container, size_bytes, duration_s)
        VALUES (1, 1, 'A', 'a.mp4', 'a.mp4', 'mp4', 1, 60), (2, 1, 'B', 'b.mp4', 'b.mp4', 'mp4', 1, 60),
               (3, 1, 'C', 'c.mp4', 'c.mp4', 'mp4', 1, 60);
      INSERT INTO courses(id, creator_id, title) VALUES (1, 1, 'Python');
      INSERT INTO course_modules(id, course_id, title) VALUES (1, 1, 'Basics'), (2, 1, 'Loops');
      INSERT INTO module_videos(module_id, video_id, position) VALUES (1, 1, 0), (1, 2, 1), (2, 3, 0);
      -- Bob: A on the 2nd, B on the 3rd (Basics done, the course half done), C on the 5th (all done).
      -- Cara: started A on the 4th, nothing completed.
      INSERT INTO video_progress(student_id, video_id, completed_at, last_beat_at, created_at) VALUES
        (1, 1, '2026-11-02T09:00:00.000Z', '2026-11-02T09:00:00.000Z', '2026-11-02T08:50:00.000Z'),
        (1, 2, '2026-11-03T09:00:00.000Z', '2026-11-03T09:00:00.000Z', '2026-11-03T08:50:00.000Z'),
        (1, 3, '2026-11-05T09:00:00.000Z', '2026-11-05T09:00:00.000Z', '2026-11-04T08:50:00.000Z'),
        (2, 1, NULL, '2026-11-04T12:00:00.000Z', '2026-11-04T11:50:00.000Z');
    """)
    assert migrate(conn) == [number for number, _, _ in MIGRATIONS[6:]]  # 7 and any later
    module_days = [tuple(r) for r in conn.execute(
        "SELECT module_id, date, started, completed FROM module_days ORDER BY module_id, date")]
    assert module_days == [(1, "2026-11-02", 1, 0), (1, "2026-11-03", 0, 1), (1, "2026-11-04", 1, 0),
                           (2, "2026-11-04", 1, 0), (2, "2026-11-05", 0, 1)]
    course_days = [tuple(r) for r in conn.execute(
        "SELECT date, started, half, completed FROM course_days WHERE course_id = 1 ORDER BY date")]
    assert course_days == [("2026-11-02", 1, 0, 0), ("2026-11-03", 0, 1, 0), ("2026-11-04", 1, 0, 0),
                           ("2026-11-05", 0, 0, 1)]
    finished = conn.execute("SELECT student_id, date, course_id FROM activity_log"
                            " WHERE kind = 'completed_course'").fetchall()
    assert [tuple(r) for r in finished] == [(1, "2026-11-05", 1)]
    summary = [tuple(r) for r in conn.execute(
        "SELECT student_id, courses_completed, first_course_completed_at FROM student_summary ORDER BY student_id")]
    assert summary == [(1, 1, "2026-11-05T09:00:00.000Z"), (2, 0, None)]
    journey = conn.execute("SELECT joined, first_video, first_course_completed FROM journey_days"
                           " WHERE joined_date = '2026-11-01'").fetchone()
    assert tuple(journey) == (2, 2, 1)
    completions = [tuple(r) for r in conn.execute("SELECT date, completions FROM creator_days"
                                                  " WHERE completions > 0 ORDER BY date")]
    assert completions == [("2026-11-02", 1), ("2026-11-03", 1), ("2026-11-05", 1)]
    assert not conn.execute("SELECT 1 FROM sqlite_temp_master WHERE name LIKE 'backfill_%'").fetchone()
