"""The operations called directly, as the blueprints and the CLI call them."""
from __future__ import annotations

import io

import pytest

from chronos.models import creators, people, videos
from chronos.models.states import VideoStatus
from chronos.operations import OperationError
from chronos.operations import courses as course_ops
from chronos.operations import people as people_ops
from chronos.operations import videos as video_ops
from tests.conftest import FIXTURES, add_video, process

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def _owner(services) -> int:
    with services.db.connection() as conn:
        return creators.local_creator(conn).id


def _counts(services, video_id: int) -> dict[str, int]:
    with services.db.connection() as conn:
        ids = [r[0] for r in conn.execute("SELECT id FROM video_chunks WHERE video_id = ?", (video_id,))]
        marks = ",".join("?" * len(ids)) or "NULL"
        return {
            "chunks": len(ids),
            "vectors": conn.execute(f"SELECT count(*) FROM chunk_vectors WHERE rowid IN ({marks})", ids).fetchone()[0],
            "keywords": conn.execute("SELECT count(*) FROM chunks_fts WHERE chunks_fts MATCH 'text:light'"
                                     ).fetchone()[0],
            "segments": conn.execute("SELECT count(*) FROM transcript_segments WHERE video_id = ?",
                                     (video_id,)).fetchone()[0],
            "stages": conn.execute("SELECT count(*) FROM processing_stages WHERE video_id = ?",
                                   (video_id,)).fetchone()[0],
        }


def _drain(events) -> list[dict]:
    found = []
    while not events.empty():
        found.append(events.get_nowait())
    return found


def test_upload_queues_each_file_and_reports_the_refused_ones(services):
    owner = _owner(services)
    with services.bus.subscribe() as events:
        result = video_ops.upload(services, owner, [
            video_ops.Upload(io.BytesIO((FIXTURES / "rivers.m4a").read_bytes()), "rivers.m4a"),
            video_ops.Upload(io.BytesIO(b"not a video"), "notes.txt")])
        published = _drain(events)
    assert [v.title for v in result.created] == ["Rivers"]
    assert result.created[0].status == VideoStatus.PENDING
    assert [(r.filename, r.status) for r in result.refused] == [("notes.txt", 415)]
    assert "not a supported type" in result.refused[0].error
    assert [e["video"]["id"] for e in published if e["type"] == "video"] == [result.created[0].id]


def test_delete_removes_rows_vectors_files_and_tells_live_pages(services):
    owner = _owner(services)
    video = add_video(services, "photosynthesis.mp4")
    done = process(services, video.id)
    before = _counts(services, video.id)
    assert done.thumbnail_path and all(before.values()), before
    media, thumb = services.settings.media_dir / done.media_path, services.settings.media_dir / done.thumbnail_path
    assert media.exists() and thumb.exists()

    with services.bus.subscribe() as events:
        video_ops.delete(services, owner, video.id)
        published = _drain(events)

    assert _counts(services, video.id) == {k: 0 for k in before}
    assert not media.exists() and not thumb.exists()
    with services.db.connection() as conn:
        assert videos.get_video(conn, video.id) is None
    assert published == [{"type": "video_deleted", "video_id": video.id,
                          "video": {"id": video.id, "creator_id": owner}}]
    with pytest.raises(OperationError) as gone:
        video_ops.delete(services, owner, video.id)
    assert gone.value.status == 404 and f"No video {video.id}" in gone.value.message


def test_another_creators_video_is_not_found(services):
    owner = _owner(services)
    with services.db.connection() as conn:
        other = conn.execute("INSERT INTO creators(name) VALUES ('Someone else')").lastrowid
    theirs = add_video(services, "rivers.m4a", creator_id=other)
    for act in (lambda: video_ops.delete(services, owner, theirs.id),
                lambda: video_ops.update(services, owner, theirs.id, title="mine now"),
                lambda: video_ops.reprocess(services, owner, theirs.id)):
        with pytest.raises(OperationError) as refused:
            act()
        assert refused.value.status == 404
    with services.db.connection() as conn:
        assert videos.get_video(conn, theirs.id).title == "Rivers"


def test_retry_is_only_for_failed_videos(services):
    owner = _owner(services)
    video = add_video(services, "rivers.m4a")
    with pytest.raises(OperationError) as refused:
        video_ops.retry(services, owner, video.id)
    assert refused.value.status == 409 and "only failed videos" in refused.value.message

    with services.db.connection() as conn:
        videos.set_status(conn, video.id, VideoStatus.FAILED, error="The disk was full.")
        videos.count_attempt(conn, video.id, 1)
    with services.bus.subscribe() as events:
        again = video_ops.retry(services, owner, video.id)
        published = _drain(events)
    assert (again.status, again.error, again.attempts) == (VideoStatus.PENDING, None, 0)
    assert [e["video"]["status"] for e in published] == ["pending"]
    assert process(services, video.id).status == VideoStatus.COMPLETED


def test_reprocess_runs_a_settled_video_again_from_transcription(services):
    owner = _owner(services)
    video = add_video(services, "rivers.m4a")
    with pytest.raises(OperationError) as busy:
        video_ops.reprocess(services, owner, video.id)  # still pending: nothing to redo yet
    assert busy.value.status == 409 and "still being processed" in busy.value.message
    first = process(services, video.id)
    with services.db.connection() as conn:
        transcribed = conn.execute("SELECT count(*) FROM processing_stages WHERE video_id = ? AND"
                                   " stage = 'transcribe'", (video.id,)).fetchone()[0]

    queued = video_ops.reprocess(services, owner, video.id)
    assert queued.status == VideoStatus.PENDING and queued.attempts == 0
    again = process(services, video.id)
    assert again.status == VideoStatus.COMPLETED and again.chunks == first.chunks
    with services.db.connection() as conn:
        assert conn.execute("SELECT count(*) FROM processing_stages WHERE video_id = ? AND stage = 'transcribe'",
                            (video.id,)).fetchone()[0] == transcribed + 1


def test_rename_and_transcript(services):
    owner = _owner(services)
    video = add_video(services, "rivers.m4a")
    process(services, video.id)
    with pytest.raises(OperationError) as empty:
        video_ops.update(services, owner, video.id, title="   ")
    assert empty.value.status == 400
    assert video_ops.update(services, owner, video.id, title="  Rivers of  the world ").title == "Rivers of the world"
    text = video_ops.transcript(services.db, video.id, "txt").lower()
    assert "river" in text
    assert video_ops.transcript(services.db, video.id, "vtt").startswith("WEBVTT")
    with pytest.raises(OperationError) as unknown:
        video_ops.transcript(services.db, video.id, "docx")
    assert unknown.value.status == 400 and "json, txt, srt, vtt" in unknown.value.message


def test_course_operations(services):
    owner = _owner(services)
    video = add_video(services, "rivers.m4a")
    basics = course_ops.create_course(services, owner, title="Basics")
    course = course_ops.create_course(services, owner, title="  Rivers  ", prerequisites=[basics.id])
    assert course.title == "Rivers" and course.prerequisites == (basics.id,)
    with pytest.raises(OperationError) as loop:
        course_ops.update_course(services, owner, basics.id, prerequisites=[course.id])
    assert loop.value.status == 400 and "loop" in loop.value.message

    first = course_ops.add_module(services, owner, course.id, title="One", video_ids=[video.id])
    second = course_ops.add_module(services, owner, course.id, title="Two")
    ordered = course_ops.set_order(services, owner, course.id, [(second.id, [video.id]), (first.id, [])])
    assert [(m.id, m.video_ids) for m in ordered.modules] == [(second.id, [video.id]), (first.id, [])]
    with pytest.raises(OperationError) as partial:
        course_ops.set_order(services, owner, course.id, [(second.id, [])])
    assert partial.value.status == 400 and "missing: module" in partial.value.message

    with_picture = course_ops.set_thumbnail(services, owner, course.id, io.BytesIO(PNG))
    picture = course_ops.thumbnail_file(services.settings.media_dir, with_picture)
    assert picture is not None and picture.read_bytes() == PNG
    with pytest.raises(OperationError) as not_image:
        course_ops.set_thumbnail(services, owner, course.id, io.BytesIO(b"GIF89a" + b"\x00" * 32))
    assert not_image.value.status == 400 and picture.exists()

    course_ops.delete_module(services, owner, course.id, first.id)
    course_ops.delete_course(services, owner, course.id)
    assert not picture.exists()
    with pytest.raises(OperationError) as gone:
        course_ops.update_course(services, owner, course.id, title="Back")
    assert gone.value.status == 404
    with services.db.connection() as conn:
        assert videos.get_video(conn, video.id) is not None  # the library keeps the video


def test_invites_and_student_access(services):
    owner = _owner(services)
    for days, uses in ((0, None), (366, None), (None, 0), (None, 10_001)):
        with pytest.raises(OperationError) as refused:
            people_ops.create_invite(services, owner, expires_in_days=days, max_uses=uses)
        assert refused.value.status == 400
    made = people_ops.create_invite(services, owner, expires_in_days=7, max_uses=2, note="x" * 300)
    assert made.invite.usable and made.invite.expires_at and len(made.invite.note) == 200
    with services.db.connection() as conn:
        student = people.join_with_invite(conn, made.token, name="Bo", username="bo", password="pw-123456")

    withdrawn = people_ops.revoke_invite(services, owner, made.invite.id)
    assert withdrawn.revoked_at and not withdrawn.usable
    with pytest.raises(OperationError) as missing:
        people_ops.revoke_invite(services, owner, made.invite.id + 99)
    assert missing.value.status == 404

    assert people_ops.set_revoked(services, owner, student.id, True).access == "revoked"
    assert people_ops.set_revoked(services, owner, student.id, False).access == "active"
    with services.db.connection() as conn:
        other = conn.execute("INSERT INTO creators(name) VALUES ('Someone else')").lastrowid
    with pytest.raises(OperationError) as foreign:
        people_ops.set_revoked(services, other, student.id, True)
    assert foreign.value.status == 404


# -- what a student may see: one rule, apart from the processing stage ----------------------------

def _student_sees(student, video_id: int, course_id: int) -> dict[str, int]:
    """The status of each student-facing route that shows or plays this video."""
    catalog = student.get("/").get_data(as_text=True)
    return {"catalog": 200 if f"/videos/{video_id}" in catalog else 404,
            "page": student.get(f"/videos/{video_id}").status_code,
            "media": student.get(f"/media/videos/{video_id}").status_code,
            "captions": student.get(f"/videos/{video_id}/transcript.vtt").status_code,
            "player": student.get(f"/learn/{course_id}/watch/{video_id}").status_code,
            "heartbeat": student.post("/api/progress", json={"video_id": video_id, "position_s": 2, "watched_s": 2},
                                      headers={"X-CSRF-Token": "student-csrf"}).status_code}


def test_a_completed_video_being_reprocessed_stays_visible_to_students(app, services, owner_client):
    from tests.test_courses_api import student_client

    owner = _owner(services)
    rivers = add_video(services, "rivers.m4a")
    process(services, rivers.id)
    fresh = add_video(services, "interest.mp4")  # never processed yet
    course = course_ops.create_course(services, owner, title="Rivers", published=True)
    course_ops.add_module(services, owner, course.id, title="All", video_ids=[rivers.id, fresh.id])
    student, _ = student_client(app, services)
    visible = dict.fromkeys(("catalog", "page", "media", "captions", "player", "heartbeat"), 200)
    hidden = dict.fromkeys(visible, 404)
    assert _student_sees(student, rivers.id, course.id) == visible
    assert _student_sees(student, fresh.id, course.id) == hidden

    video_ops.reprocess(services, owner, rivers.id)
    with services.db.connection() as conn:  # as the running job leaves it mid-way
        videos.set_status(conn, rivers.id, VideoStatus.TRANSCRIBING, progress=0.4)
        videos.set_status(conn, fresh.id, VideoStatus.TRANSCRIBING, progress=0.4)
    assert _student_sees(student, rivers.id, course.id) == visible
    assert _student_sees(student, fresh.id, course.id) == hidden
    listed = student.get(f"/api/courses/{course.id}").get_json()
    assert [v["id"] for m in listed["modules"] for v in m["videos"]] == [rivers.id]
    answer = student.post("/api/chat", json={"message": "How does a river build a delta?"},
                          headers={"X-CSRF-Token": "student-csrf"}).get_json()
    assert [c["video_id"] for c in answer["citations"]] and {c["video_id"] for c in answer["citations"]} == {rivers.id}

    assert process(services, rivers.id).status == VideoStatus.COMPLETED
    assert _student_sees(student, rivers.id, course.id) == visible
    with services.db.connection() as conn:
        conn.execute("UPDATE videos SET published = 0 WHERE id = ?", (rivers.id,))
    assert _student_sees(student, rivers.id, course.id) == hidden  # unpublished hides it, whatever its stage


def test_migration_8_makes_videos_completed_before_it_available(tmp_path):
    from chronos.db import _split_sql, connect, migrate
    from chronos.models.schema import MIGRATIONS

    conn = connect(tmp_path / "old.db")
    conn.execute("CREATE TABLE schema_migrations (number INTEGER PRIMARY KEY, name TEXT NOT NULL,"
                 " applied_at TEXT NOT NULL DEFAULT 'then')")
    for number, name, sql in [m for m in MIGRATIONS if m[0] < 8]:
        for statement in _split_sql(sql):
            conn.execute(statement)
        conn.execute("INSERT INTO schema_migrations(number, name) VALUES (?, ?)", (number, name))
    conn.executescript("""
      INSERT INTO creators(id, name) VALUES (1, 'Ada');
      INSERT INTO videos(id, creator_id, title, original_filename, media_path, container, size_bytes, status,
        completed_at) VALUES (1, 1, 'Done', 'd.mp4', 'd.mp4', 'mp4', 1, 'completed', '2026-11-02T10:00:00.000Z'),
        (2, 1, 'Queued', 'q.mp4', 'q.mp4', 'mp4', 1, 'pending', NULL),
        (3, 1, 'Broken', 'b.mp4', 'b.mp4', 'mp4', 1, 'failed', NULL);
    """)
    assert 8 in migrate(conn)
    found = {r[0]: r[1] for r in conn.execute("SELECT id, available_at FROM videos")}
    assert found == {1: "2026-11-02T10:00:00.000Z", 2: None, 3: None}
    assert videos.answerable_video_ids(conn, 1) == [1]
    conn.close()


def test_the_api_answers_an_operation_error_with_its_message_and_status(services, owner_client):
    from tests.conftest import csrf

    video = add_video(services, "rivers.m4a")
    headers = {"X-CSRF-Token": csrf(owner_client)}
    busy = owner_client.post(f"/api/videos/{video.id}/reprocess", headers=headers)
    assert busy.status_code == 409 and busy.get_json() == {
        "error": f"Video {video.id} is still being processed (pending); wait until it completes or fails.",
        "status": 409}
    missing = owner_client.post("/api/videos/4242/reprocess", headers=headers)
    assert missing.status_code == 404 and missing.get_json() == {"error": "No video 4242.", "status": 404}
    process(services, video.id)
    queued = owner_client.post(f"/api/videos/{video.id}/reprocess", headers=headers)
    assert queued.status_code == 200 and queued.get_json()["status"] == "pending"
