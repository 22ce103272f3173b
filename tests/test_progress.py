"""Watch progress: heartbeats credited only for real watching, completion at 90 % or when marked,
the daily video_analytics roll-up, course progress and where Continue leads."""
from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

import pytest

from chronos.models import people, progress
from tests.conftest import sign_in_cookie
from tests.test_courses_api import Api, add_video, student_client

T0 = datetime(2026, 3, 2, 12, 0, tzinfo=timezone.utc)
H = {"X-CSRF-Token": "student-csrf"}


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


@pytest.fixture
def setup(app, services, owner_client):
    """The owner, two ready videos (interest 39.2 s, rivers 20.7 s) and a signed-in student."""
    interest = add_video(services, "interest.mp4")
    rivers = add_video(services, "rivers.m4a")
    student, row = student_client(app, services)
    return {"interest": interest, "rivers": rivers, "student": student, "student_id": row.id,
            "api": Api(owner_client), "services": services}


def beat(services, student_id: int, video_id: int, t: float, **kw) -> progress.Beat:
    with services.db.connection() as conn:
        return progress.record_heartbeat(conn, student_id, video_id, now=at(t), **kw)


def day_row(services, video_id: int, date: str = "2026-03-02") -> dict:
    with services.db.connection() as conn:
        row = conn.execute("SELECT views, total_watch_s, completion_count FROM video_analytics"
                           " WHERE video_id = ? AND date = ?", (video_id, date)).fetchone()
    return dict(row) if row else {}


# -- the crediting rules (the model, with a controlled clock) -------------------------------------

def test_merge_range():
    assert progress.merge_range([], 5, 10) == [[5, 10]]
    assert progress.merge_range([[0, 5], [20, 30]], 5.2, 12) == [[0, 12], [20, 30]]
    assert progress.merge_range([[0, 5], [20, 30]], 4, 25) == [[0, 30]]
    assert progress.merge_range([[10, 20]], 0, 3) == [[0, 3], [10, 20]]


def test_honest_watching_completes_at_ninety_percent(setup):
    sv, sid, vid = setup["services"], setup["student_id"], setup["interest"]
    for i, t in enumerate((10, 20, 30)):
        b = beat(sv, sid, vid, t, position_s=t, watched_s=10, from_s=t - 10)
        assert b.credited_s == 10 and not b.progress.completed
    assert b.progress.watched_s == 30 and b.progress.position_s == 30
    b = beat(sv, sid, vid, 36, position_s=36, watched_s=6, from_s=30)  # 36 of 39.2 s: over 90 %
    assert b.newly_completed and b.progress.completed and b.progress.watched_s == 36
    again = beat(sv, sid, vid, 39, position_s=39.2, watched_s=3.2, from_s=36)
    assert again.progress.completed and not again.newly_completed
    assert day_row(sv, vid) == {"views": 1, "total_watch_s": pytest.approx(39.2), "completion_count": 1}


def test_seeking_ahead_does_not_count(setup):
    sv, sid, vid = setup["services"], setup["student_id"], setup["interest"]
    beat(sv, sid, vid, 5, position_s=5, watched_s=5, from_s=0)
    jumped = beat(sv, sid, vid, 6, position_s=36, watched_s=1, from_s=35)  # seeked to 35, watched 1 s
    assert jumped.credited_s == 1 and jumped.progress.position_s == 36
    assert jumped.progress.watched_s == 6 and not jumped.progress.completed
    # A client that claims the jump as watching is held to the wall clock and the position's advance.
    lying = beat(sv, sid, vid, 16, position_s=39.2, watched_s=39.2)
    assert lying.credited_s == pytest.approx(4.2)  # the position moved 3.2 s (+1 s slack) since the last beat
    assert not lying.progress.completed
    with sv.db.connection() as conn:
        ranges = conn.execute("SELECT watched_ranges FROM video_progress WHERE video_id = ?", (vid,)).fetchone()[0]
    assert ranges == "[[0.0, 5.0], [35.0, 39.2]]"


def test_claimed_seconds_are_capped_by_wall_time(setup):
    sv, sid, vid = setup["services"], setup["student_id"], setup["interest"]
    beat(sv, sid, vid, 0, position_s=2, watched_s=2, from_s=0)
    b = beat(sv, sid, vid, 5, position_s=39, watched_s=37, from_s=2)  # 37 s of video in 5 s of time
    assert b.credited_s == 10  # at most 2x playback speed


def test_watching_the_same_part_again_does_not_complete(setup):
    sv, sid, vid = setup["services"], setup["student_id"], setup["interest"]
    for i in range(6):
        b = beat(sv, sid, vid, 10 * (i + 1), position_s=10, watched_s=10, from_s=0)
        assert b.credited_s == 10
    assert b.progress.watched_s == 10 and b.progress.watch_time_s == 60 and not b.progress.completed
    assert day_row(sv, vid)["total_watch_s"] == 60  # watch time counts re-watching; completion does not


def test_two_tabs_share_one_clock(setup):
    sv, sid = setup["services"], setup["student_id"]
    beat(sv, sid, setup["interest"], 10, position_s=10, watched_s=10, from_s=0)
    other = beat(sv, sid, setup["rivers"], 10, position_s=10, watched_s=10, from_s=0)
    assert other.credited_s == 0  # no time passed for this student since the last heartbeat
    later = beat(sv, sid, setup["rivers"], 15, position_s=15, watched_s=5, from_s=10)
    assert later.credited_s == 5


def test_playing_backwards_needs_its_starting_point(setup):
    sv, sid, vid = setup["services"], setup["student_id"], setup["interest"]
    beat(sv, sid, vid, 30, position_s=30, watched_s=10, from_s=20)
    assert beat(sv, sid, vid, 40, position_s=15, watched_s=5).credited_s == 0
    assert beat(sv, sid, vid, 50, position_s=20, watched_s=5, from_s=15).credited_s == 5


def test_views_are_counted_once_a_student_a_day(setup, app):
    sv, sid, vid = setup["services"], setup["student_id"], setup["interest"]
    beat(sv, sid, vid, 0, position_s=1, watched_s=1, from_s=0)
    beat(sv, sid, vid, 60, position_s=2, watched_s=1, from_s=1)
    _, second = student_client(app, sv, "ada")
    beat(sv, second.id, vid, 90, position_s=3, watched_s=3, from_s=0)
    assert day_row(sv, vid)["views"] == 2
    beat(sv, sid, vid, 86_400, position_s=4, watched_s=1, from_s=3)  # the next day
    assert day_row(sv, vid, "2026-03-03")["views"] == 1 and day_row(sv, vid)["views"] == 2


def test_marking_complete_counts_one_completion(setup):
    sv, sid, vid = setup["services"], setup["student_id"], setup["interest"]
    with sv.db.connection() as conn:
        first = progress.mark_complete(conn, sid, vid, now=at(0))
        progress.mark_complete(conn, sid, vid, now=at(1))
    assert first.completed and first.marked_complete
    b = beat(sv, sid, vid, 10, position_s=39, watched_s=10, from_s=29)
    assert b.progress.completed and not b.newly_completed
    assert day_row(sv, vid)["completion_count"] == 1


# -- the heartbeat API ----------------------------------------------------------------------------

def course_with(setup, *, published: bool = True) -> dict:
    api = setup["api"]
    course = api("POST", "/api/courses", {"title": "Rivers and money", "published": published}).get_json()
    module = api("POST", f"/api/courses/{course['id']}/modules",
                 {"title": "Everything", "video_ids": [setup["interest"], setup["rivers"]]}).get_json()
    return {"id": course["id"], "module_id": module["id"]}


def backdate(services, student_id: int, seconds: float) -> None:
    """Move the student's last heartbeats into the past, as if that much time had passed."""
    with services.db.connection() as conn:
        conn.execute("UPDATE video_progress SET last_beat_at = strftime('%Y-%m-%dT%H:%M:%fZ', last_beat_at, ?)"
                     " WHERE student_id = ? AND last_beat_at IS NOT NULL", (f"-{seconds} seconds", student_id))


def test_heartbeats_build_course_progress(setup):
    sv, student, course = setup["services"], setup["student"], course_with(setup)
    first = student.post("/api/progress", json={"video_id": setup["interest"], "position_s": 20, "watched_s": 20,
                                                 "from_s": 0, "course_id": course["id"]}, headers=H)
    assert first.status_code == 200
    body = first.get_json()
    assert body["video"]["position_s"] == 20 and body["video"]["watched_s"] == 20 and not body["video"]["completed"]
    assert body["course"]["completed"] == 0 and body["course"]["total"] == 2
    assert body["course"]["time_spent_s"] == 20 and body["course"]["last_video_id"] == setup["interest"]

    backdate(sv, setup["student_id"], 19)
    done = student.post("/api/progress", json={"video_id": setup["interest"], "position_s": 39.2, "watched_s": 19.2,
                                                "from_s": 20, "course_id": course["id"]}, headers=H).get_json()
    assert done["video"]["completed"] and done["newly_completed"]
    assert done["course"]["percent"] == 50 and done["course"]["completed"] == 1

    read = student.get(f"/api/courses/{course['id']}/progress").get_json()
    assert read["course"]["percent"] == 50 and read["preview"] is False
    assert [v["completed"] for v in read["videos"]] == [True, False]
    # The course page leads on to the next unfinished video; the catalog shows the progress.
    page = student.get(f"/learn/{course['id']}").get_data(as_text=True)
    link = f'/learn/{course["id"]}/watch/{setup["rivers"]}?module={course["module_id"]}'
    assert re.search(rf'id="start"[^>]*href="{re.escape(link)}"', page)
    assert "Continue: Rivers" in page and "1 of 2 videos watched" in page  # uploads get readable titles
    assert "50% · 1 of 2 watched" in student.get("/learn").get_data(as_text=True)

    marked = student.post("/api/progress/complete", json={"video_id": setup["rivers"], "course_id": course["id"]},
                          headers=H).get_json()
    assert marked["video"]["marked_complete"] and marked["course"]["percent"] == 100
    assert "Watch again" in student.get(f"/learn/{course['id']}").get_data(as_text=True)
    assert "Completed ✓" in student.get("/learn").get_data(as_text=True)
    assert day_row(sv, setup["rivers"], datetime.now(timezone.utc).strftime("%Y-%m-%d"))["completion_count"] == 1


def test_continue_returns_to_the_unfinished_video(setup):
    student, course = setup["student"], course_with(setup)
    page = student.get(f"/learn/{course['id']}").get_data(as_text=True)
    assert "Start course" in page and "0 of 2 videos watched" in page
    student.post("/api/progress", json={"video_id": setup["rivers"], "position_s": 8, "watched_s": 8, "from_s": 0,
                                        "course_id": course["id"]}, headers=H)
    page = student.get(f"/learn/{course['id']}").get_data(as_text=True)
    assert re.search(rf'id="start"[^>]*href="/learn/{course["id"]}/watch/{setup["rivers"]}', page)
    assert "at 0:08 of" in page  # the lesson list shows where the student stopped
    player = student.get(f"/learn/{course['id']}/watch/{setup['rivers']}").get_data(as_text=True)
    assert '"position_s": 8.0' in player


def test_owner_watching_is_not_recorded(setup):
    api, sv, course = setup["api"], setup["services"], course_with(setup)
    res = api("POST", "/api/progress", {"video_id": setup["interest"], "position_s": 10, "watched_s": 10,
                                        "course_id": course["id"]})
    assert res.status_code == 204 and res.data == b""
    assert api("POST", "/api/progress/complete", {"video_id": setup["interest"]}).status_code == 204
    with sv.db.connection() as conn:
        assert conn.execute("SELECT count(*) FROM video_progress").fetchone()[0] == 0
        assert conn.execute("SELECT count(*) FROM video_analytics").fetchone()[0] == 0
    preview = api("GET", f"/api/courses/{course['id']}/progress").get_json()
    assert preview["preview"] is True and preview["course"]["percent"] == 0


@pytest.mark.parametrize("body, status, message", [
    ({}, 400, "'video_id' is required"),
    ({"video_id": "seven", "position_s": 1, "watched_s": 1}, 400, "'video_id' must be a whole number"),
    ({"video_id": 1.5, "position_s": 1, "watched_s": 1}, 400, "'video_id' must be a whole number"),
    ({"video_id": "V", "position_s": -1, "watched_s": 1}, 400, "'position_s' must be at least 0"),
    ({"video_id": "V", "position_s": "NaN", "watched_s": 1}, 400, "'position_s' must be a finite number"),
    ({"video_id": "V", "position_s": 1, "watched_s": True}, 400, "'watched_s' must be a finite number"),
    ({"video_id": "V", "position_s": 1}, 400, "'watched_s' is required"),
    ({"video_id": 9999, "position_s": 1, "watched_s": 1}, 404, "No video 9999"),
    ({"video_id": "V", "position_s": 1, "watched_s": 1, "course_id": 9999}, 404, "No course 9999"),
    ({"video_id": "HIDDEN", "position_s": 1, "watched_s": 1}, 404, "No video"),
    ({"video_id": "V", "position_s": 1, "watched_s": 1, "course_id": "DRAFT"}, 404, "No course"),
    ({"video_id": "OTHER", "position_s": 1, "watched_s": 1, "course_id": "C"}, 400, "is not part of course"),
])
def test_heartbeat_refuses_bad_input(setup, body, status, message):
    sv, student = setup["services"], setup["student"]
    course, draft = course_with(setup), course_with(setup, published=False)
    hidden = add_video(sv, "silent.mp4", status="embedding")
    other = add_video(sv, "photosynthesis.mp4")
    names = {"V": setup["interest"], "HIDDEN": hidden, "OTHER": other, "C": course["id"], "DRAFT": draft["id"]}
    body = {k: names.get(v, v) if isinstance(v, str) else v for k, v in body.items()}
    res = student.post("/api/progress", json=body, headers=H)
    assert res.status_code == status and message in res.get_json()["error"], res.get_json()
    with sv.db.connection() as conn:
        assert conn.execute("SELECT count(*) FROM video_progress").fetchone()[0] == 0


def test_a_beacon_form_post_with_the_csrf_field_is_accepted(setup):
    student = setup["student"]
    res = student.post("/api/progress", data={"video_id": str(setup["interest"]), "position_s": "12.5",
                                              "watched_s": "12.5", "from_s": "0", "csrf_token": "student-csrf"})
    assert res.status_code == 200 and res.get_json()["video"]["position_s"] == 12.5
    assert student.post("/api/progress", data={"video_id": str(setup["interest"]), "position_s": "1",
                                               "watched_s": "1"}).status_code == 403  # no token: refused


def test_students_progress_is_their_own_and_survives_revocation(setup, app):
    sv, course = setup["services"], course_with(setup)
    setup["student"].post("/api/progress/complete", json={"video_id": setup["interest"], "course_id": course["id"]},
                          headers=H)
    other, _ = student_client(app, sv, "ada")
    assert other.get(f"/api/courses/{course['id']}/progress").get_json()["course"]["completed"] == 0
    with sv.db.connection() as conn:
        people.set_owner_revoked(conn, setup["student_id"], True)
    refused = setup["student"].post("/api/progress", json={"video_id": setup["interest"], "position_s": 1,
                                                           "watched_s": 1}, headers=H)
    assert refused.status_code == 403
    with sv.db.connection() as conn:
        people.set_owner_revoked(conn, setup["student_id"], False)
    # The revoke ended that sign-in; signed in again, the student finds their progress kept.
    assert setup["student"].get(f"/api/courses/{course['id']}/progress").status_code == 401
    again = app.test_client()
    with again.session_transaction() as s:
        s.update(sign_in_cookie(app, student_id=setup["student_id"]))
    assert again.get(f"/api/courses/{course['id']}/progress").get_json()["course"]["completed"] == 1
