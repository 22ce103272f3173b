"""Migration 7 backfills the analytics rollups from what earlier versions stored (UTC dates)."""
from __future__ import annotations

from chronos.db import _split_sql, connect, migrate
from chronos.models.schema import MIGRATIONS


def test_backfill_from_existing_history(tmp_path):
    conn = connect(tmp_path / "old.db")
    conn.execute("CREATE TABLE schema_migrations (number INTEGER PRIMARY KEY, name TEXT NOT NULL,"
                 " applied_at TEXT NOT NULL DEFAULT 'then')")
    for number, name, sql in MIGRATIONS[:6]:  # a database as version 6 left it
        for statement in _split_sql(sql):
            conn.execute(statement)
        conn.execute("INSERT INTO schema_migrations(number, name) VALUES (?, ?)", (number, name))
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
    assert migrate(conn) == [7]
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
