"""Issue 19's hostile requests, each one: a clear 4xx naming what to change, and nothing stored changes.

Ids too large for SQLite (in the address and in a body), values of the wrong type, a body that is
not an object, a 300-character time zone, a lone surrogate, 5,000 levels of nesting, Infinity and
NaN as numbers, a body over the JSON limit; and migration 23 repairing an Infinity stored before.
"""
from __future__ import annotations

import io
import json

import pytest

from chronos.db import migrate
from chronos.web.json_input import JSON_MAX_BYTES, JSON_MAX_DEPTH
from tests.conftest import csrf
from tests.stored_data import StoredData
from tests.test_courses_api import add_video, student_client

TOO_BIG = 2**63  # one more than the largest row id SQLite holds
SH = {"X-CSRF-Token": "student-csrf"}


@pytest.fixture
def world(app, services, owner_client):
    """An owner, a published video in a published course, a student who asked about a moment of it."""
    h = {"X-CSRF-Token": csrf(owner_client)}
    video = add_video(services, "rivers.m4a")
    course = owner_client.post("/api/courses", json={"title": "Rivers", "published": True}, headers=h).get_json()
    owner_client.post(f"/api/courses/{course['id']}/modules", json={"title": "One", "video_ids": [video]}, headers=h)
    student, row = student_client(app, services)
    asked = student.post("/api/chat", json={"message": "Where do rivers start?", "video_id": video, "at_s": 4.5},
                         headers=SH)
    assert asked.status_code == 200, asked.get_json()
    stored = StoredData(services)
    yield {"owner": owner_client, "h": h, "student": student, "student_id": row.id, "video": video,
           "course": course["id"], "session": asked.get_json()["session_id"], "stored": stored}
    stored.close()


def refused(res, status: int, field: str | None = None, words: str = "") -> dict:
    """The answer is a JSON error of that status (naming the field), saying `words`."""
    body = res.get_json()
    assert res.status_code == status, (res.status_code, body)
    assert body["status"] == status and words in body["error"], body
    if field is not None:
        assert field in body["fields"], body
    return body


def raw(client, method: str, url: str, text: str | bytes, headers: dict):
    """Send `text` as the body, exactly, as JSON."""
    return client.open(url, method=method, data=text, content_type="application/json", headers=headers)


def test_ids_too_large_for_sqlite_in_the_address_are_404s(world):
    owner = world["owner"]
    for url in (f"/api/videos/{TOO_BIG}", f"/api/analytics/students/{TOO_BIG}", f"/api/courses/{2**64}",
                f"/api/chat/sessions/{TOO_BIG}", "/api/videos/" + "9" * 5000):
        body = refused(owner.get(url), 404, words="ids are whole numbers from 1 to 9223372036854775807")
        assert body["error"].startswith("Nothing has the id ")
    refused(owner.delete(f"/api/courses/{world['course']}/modules/{TOO_BIG}", headers=world["h"]), 404)
    refused(owner.delete(f"/api/videos/{TOO_BIG}", headers=world["h"]), 404, words=f"Nothing has the id {TOO_BIG}")
    refused(owner.patch(f"/api/videos/{world['video']}/segments/{TOO_BIG}", json={"text": "x"}, headers=world["h"]),
            404)
    refused(world["student"].post(f"/api/chat/messages/{TOO_BIG}/rating", json={"helpful": True}, headers=SH), 404)
    # The largest id SQLite holds reaches the operation, which says there is no such video.
    refused(owner.get(f"/api/videos/{TOO_BIG - 1}"), 404, words=f"No video {TOO_BIG - 1}")
    assert not world["stored"].changed()


def test_ids_too_large_in_a_body_are_400s_naming_the_field(world):
    owner, h, student = world["owner"], world["h"], world["student"]
    limit = "must be at most 9223372036854775807"
    refused(owner.post("/api/chat", json={"message": "hi", "session_id": TOO_BIG}, headers=h), 400, "session_id", limit)
    refused(student.post("/api/chat", json={"message": "hi", "video_id": TOO_BIG}, headers=SH), 400, "video_id")
    refused(owner.put(f"/api/courses/{world['course']}/order", json={"modules": [{"id": TOO_BIG}]}, headers=h),
            400, "modules.0.id", limit)
    refused(owner.post("/api/transcripts/replace", json={"find": "a", "replace": "b", "video_ids": [TOO_BIG]},
                       headers=h), 400, "video_ids.0")
    refused(student.post("/api/progress", json={"video_id": TOO_BIG, "position_s": 1, "watched_s": 1},
                         headers=SH), 400, "video_id")
    refused(owner.post("/api/invites", json={"max_uses": TOO_BIG}, headers=h), 400, "max_uses", "at most 10000")
    assert not world["stored"].changed()


def test_values_of_the_wrong_type_are_400s_naming_the_field(world):
    owner, h, video = world["owner"], world["h"], world["video"]
    body = refused(owner.patch(f"/api/videos/{video}", json={"title": 5}, headers=h), 400, "title", "'title' must be text")
    assert body["error"] == "'title' must be text." and body["fields"] == {"title": "must be text"}
    assert body["example"] == {"title": "Rivers of the Amazon", "published": True}
    body = refused(owner.patch(f"/api/videos/{video}", json=1.5, headers=h), 400, "body", "Send a JSON object")
    assert body["error"].endswith('Send JSON like {"title": "Rivers of the Amazon", "published": true}.')
    refused(owner.post("/api/chat", json=[1, 2], headers=h), 400, "body", "Send a JSON object")
    refused(owner.post("/api/invites", json="str", headers=h), 400, "body", "Send a JSON object")
    refused(owner.post("/api/courses", json={"title": 5}, headers=h), 400, "title", "must be text")
    refused(owner.put("/api/glossary", json={"terms": {"a": 1}}, headers=h), 400, "terms", "must be a list")
    refused(world["student"].patch(f"/api/chat/sessions/{world['session']}", json={"title": ["x"]}, headers=SH),
            400, "title", "must be text")
    refused(owner.get("/api/analytics/students?limit=many"), 400, "limit", "must be a whole number")
    refused(owner.get("/api/analytics/overview?range=forever"), 400, "range", "must be one of")
    refused(owner.get(f"/api/videos/{video}/transcript?format=docx"), 400, "format", '"json", "txt", "srt" or "vtt"')
    # Only JSON is read as JSON: a form or plain text is refused with what to send instead.
    res = owner.post("/api/courses", data="title=Rivers", content_type="text/plain", headers=h)
    refused(res, 400, "body", "Content-Type: application/json")
    assert not world["stored"].changed()


def test_a_time_zone_too_long_for_a_file_name_is_a_400(world):
    owner, h = world["owner"], world["h"]
    for zone in ("x" * 300, "Europe/" + "y" * 250, "America", "../../etc/passwd", "Mars/\x00Olympus"):
        res = owner.put("/api/analytics/settings", json={"timezone": zone}, headers=h)
        assert res.status_code == 400, (zone, res.get_json())
        assert "IANA name" in res.get_json()["error"] or "at most 64 characters" in res.get_json()["error"]
    assert owner.get("/api/analytics/settings").get_json()["timezone"] == "UTC"
    assert not world["stored"].changed()


def test_a_lone_surrogate_is_refused_and_control_characters_are_removed(world):
    owner, h = world["owner"], world["h"]
    for url, method, text in (("/api/courses", "POST", '{"title": "\\ud800"}'),
                              (f"/api/videos/{world['video']}", "PATCH", '{"title": "Rivers \\udfff"}'),
                              ("/api/chat", "POST", '{"message": "why \\ud83d?"}'),
                              ("/api/glossary/terms", "POST", '{"term": "\\udc00x"}')):
        body = refused(raw(owner, method, url, text, h), 400, words="lone UTF-16 surrogate")
        assert set(body["fields"]) <= {"title", "message", "term"}
    assert not world["stored"].changed()
    # A pair is a real character; control characters go, lines stay where a field holds lines.
    res = raw(owner, "POST", "/api/courses",
              '{"title": "Rivers\\u0000 of\\tthe\\nworld \\ud83c\\udf0a\\u001b", '
              '"description": "line one\\r\\nline two\\tend\\u0007"}', h)
    assert res.status_code == 201, res.get_json()
    assert res.get_json()["title"] == "Rivers of the world 🌊"
    assert res.get_json()["description"] == "line one\nline two\tend"


def test_deep_nesting_is_refused_before_it_recurses(world):
    owner, h = world["owner"], world["h"]
    deep = '{"message": ' + "[" * 5000 + "]" * 5000 + "}"
    refused(raw(owner, "POST", "/api/chat", deep, h), 400, "body", f"nested more than {JSON_MAX_DEPTH} levels")
    just_over = '{"message": ' + "[" * JSON_MAX_DEPTH + "]" * JSON_MAX_DEPTH + "}"  # parses; still too deep
    refused(raw(owner, "POST", "/api/chat", just_over, h), 400, "body", "nested more than")
    refused(raw(owner, "PUT", "/api/glossary", '{"terms": ' + "{" * 3000, h), 400, "body")
    assert not world["stored"].changed()


def test_infinity_and_nan_are_not_numbers(world):
    student, video = world["student"], world["video"]
    for number in ("Infinity", "-Infinity", "NaN", "1e999", "-1e400"):
        text = '{"message": "Where is the source?", "video_id": %d, "at_s": %s}' % (video, number)
        body = refused(raw(student, "POST", "/api/chat", text, SH), 400, "body", "not valid JSON")
        assert number.lstrip("-").split("e")[0] in body["error"] or "too large" in body["error"]
        text = '{"video_id": %d, "position_s": %s, "watched_s": 1}' % (video, number)
        refused(raw(student, "POST", "/api/progress", text, SH), 400, "body")
    # The operations refuse them too, for the CLI and anything else that calls them.
    from chronos.operations import OperationError
    from chronos.operations.progress import heartbeat

    with pytest.raises(OperationError, match="'position_s' must be a number of seconds"):
        heartbeat(world["stored"].services, 1, world["student_id"], video_id=video, position_s=float("inf"),
                  watched_s=1)
    assert not world["stored"].changed()


def test_a_body_over_the_json_limit_is_refused_before_it_is_read(world):
    owner, h = world["owner"], world["h"]
    big = json.dumps({"terms": ["x" * 1000] * (JSON_MAX_BYTES // 1000 + 10)})
    refused(raw(owner, "PUT", "/api/glossary", big, h), 413, words="larger than 1 MB")
    # Without a declared length, Werkzeug stops reading at the limit.
    res = owner.open("/api/glossary", method="PUT", input_stream=io.BytesIO(big.encode()),
                     content_type="application/json", headers=h, environ_overrides={"wsgi.input_terminated": True})
    refused(res, 413, words="send a smaller JSON body")
    # A page's form is held to it too (answered with the error page); an upload is not a JSON body.
    page = owner.post("/login", data={"csrf_token": csrf(owner), "name": "y" * (JSON_MAX_BYTES + 10)})
    assert page.status_code == 413 and "larger than 1 MB" in page.get_data(as_text=True)
    junk = owner.post("/api/videos", data={"file": (io.BytesIO(b"\0" * (2 * JSON_MAX_BYTES)), "big.mp4")},
                      headers=h, content_type="multipart/form-data")
    assert junk.status_code == 422 and "not a video or audio file" in junk.get_json()["error"]
    assert not world["stored"].changed()


def test_migration_23_repairs_an_infinity_stored_before_the_checks(world, services):
    """A question stored with `"at_s": Infinity` broke the student's timeline (500) and the chat."""
    owner, student_id = world["owner"], world["student_id"]
    with services.db.connection() as conn:
        conn.execute("UPDATE chat_messages SET at_s = 9e999 WHERE at_s IS NOT NULL")
        conn.execute("UPDATE activity_log SET at_s = -9e999 WHERE at_s IS NOT NULL")
        conn.execute("INSERT INTO video_progress(student_id, video_id, position_s, watched_s, watched_ranges,"
                     " watch_time_s) VALUES (?, ?, 9e999, 9e999, '[[0, Infinity]]', 9e999)",
                     (student_id, world["video"]))
        conn.execute("UPDATE student_summary SET watch_s = 9e999 WHERE student_id = ?", (student_id,))
    with pytest.raises(OverflowError):  # what the owner saw as a 500
        owner.get(f"/api/analytics/students/{student_id}")
    with services.db.connection() as conn:
        conn.execute("DELETE FROM schema_migrations WHERE number = 23")
        assert migrate(conn) == [23]
        left = conn.execute(
            "SELECT (SELECT count(*) FROM chat_messages WHERE at_s IN (9e999, -9e999))"
            " + (SELECT count(*) FROM activity_log WHERE at_s IN (9e999, -9e999))"
            " + (SELECT count(*) FROM video_progress WHERE 9e999 IN (position_s, watched_s, watch_time_s)"
            "    OR watched_ranges LIKE '%Infinity%')"
            " + (SELECT count(*) FROM student_summary WHERE watch_s IN (9e999, -9e999))").fetchone()[0]
        assert left == 0
        assert tuple(conn.execute("SELECT position_s, watched_s, watched_ranges, watch_time_s FROM video_progress"
                                  " WHERE student_id = ?", (student_id,)).fetchone()) == (0.0, 0.0, "[]", 0.0)
    timeline = owner.get(f"/api/analytics/students/{student_id}")
    assert timeline.status_code == 200 and "Infinity" not in timeline.get_data(as_text=True)
    chat = world["student"].get(f"/api/chat/sessions/{world['session']}")
    assert chat.status_code == 200 and "Infinity" not in chat.get_data(as_text=True)
    assert chat.get_json()["messages"][0]["at_s"] is None  # the moment is unknown now; the question stays
