"""The analytics API: confusion map, leaderboard, student page, CSV export and the reporting zone,
through the owner's HTTP client on the data of tests/analytics_data.py (dated relative to today)."""
from __future__ import annotations

import csv
import io

import pytest

from tests import analytics_data
from tests.analytics_data import LEADERBOARD, QUESTIONS
from tests.conftest import csrf
from tests.test_courses_api import student_client


@pytest.fixture
def ds(owner_client, services):
    with services.db.connection() as conn:
        return analytics_data.build(conn, 1)


def get(client, url: str):
    res = client.get(url)
    assert res.status_code == 200, res.get_data(as_text=True)
    return res.get_json()


def test_overview_answers_for_every_range(owner_client, ds):
    for key in ("7d", "30d", "90d", "all"):
        got = get(owner_client, f"/api/analytics/overview?range={key}")
        assert got["range"]["key"] == key and got["range"]["to"] == ds.day(0)
        assert got["headline"]["messages"]["value"] == 6
    assert get(owner_client, "/api/analytics/overview")["range"]["key"] == "30d"
    res = owner_client.get("/api/analytics/overview?range=14d")
    assert res.status_code == 400 and '\'range\' must be one of "7d", "30d", "90d" or "all"' in res.get_json()["error"]


def test_confusion_map(owner_client, ds):
    got = get(owner_client, f"/api/analytics/videos/{ds.videos['intro']}/confusion?range=30d")
    assert got["duration_s"] == 600.0 and got["bin_s"] == 10.0 and len(got["bins"]) == 60
    bins = got["bins"]
    # Q1 100-115 and Q2 105-112 point into bins 10-11, Q3 108-125 into 10-12, Q6 200-205 into 20
    assert {i: b["questions"] for i, b in enumerate(bins) if b["questions"]} == {10: 3, 11: 3, 12: 1, 20: 1}
    # not completed: Bob stopped at 120 s (bin 12), Dan at 60 s (bin 6)
    assert {i: b["stops"] for i, b in enumerate(bins) if b["stops"]} == {6: 1, 12: 1}
    # Alice and Cara watched it all, Bob 0-120 s, Dan 0-60 s
    assert [b["viewers"] for b in bins] == [4] * 6 + [3] * 6 + [2] * 48
    assert got["moments"] == [{"start_s": 100.0, "end_s": 120.0, "questions": 3,
                               "samples": [QUESTIONS[q][4] for q in ("Q3", "Q2", "Q1")]}]
    # "7d" starts at d6: Bob's questions (d5) are still in; and another creator's video is a 404
    assert get(owner_client, f"/api/analytics/videos/{ds.videos['loops']}/confusion?range=7d")["bins"][3][
        "questions"] == 1
    assert owner_client.get("/api/analytics/videos/999/confusion").status_code == 404


def test_leaderboard_sorts(owner_client, ds):
    got = get(owner_client, "/api/analytics/students?range=30d")
    assert got["total"] == 5
    names = {v: k for k, v in ds.students.items()}
    rows = {names[s["id"]]: (s["videos_watched"], s["questions"], s["courses_completed"]) for s in got["students"]}
    assert rows == LEADERBOARD
    order = lambda q: [names[s["id"]] for s in get(owner_client, f"/api/analytics/students?{q}")["students"]]
    assert order("sort=videos") == ["alice", "cara", "dan", "bob", "eve"]  # Dan and Bob tie: by id (Dan first)
    assert order("sort=questions&order=desc") == ["bob", "alice", "cara", "dan", "eve"]
    assert order("sort=questions&order=asc") == ["dan", "eve", "cara", "alice", "bob"]
    assert order("sort=courses&limit=1") == ["alice"]
    assert order("sort=questions&limit=2&offset=1") == ["alice", "cara"]
    # all time: Dan also started Intro (d40); everyone who joined is listed
    every = get(owner_client, "/api/analytics/students?range=all&sort=videos")
    assert [(names[s["id"]], s["videos_watched"]) for s in every["students"]] == [
        ("alice", 3), ("dan", 2), ("cara", 2), ("bob", 1), ("eve", 0)]
    assert owner_client.get("/api/analytics/students?sort=name").status_code == 400
    assert owner_client.get("/api/analytics/students?limit=0").status_code == 400


def test_student_timeline_and_courses(owner_client, ds):
    got = get(owner_client, f"/api/analytics/students/{ds.students['alice']}")
    assert got["student"]["name"] == "Alice" and got["student"]["joined_at"].startswith(ds.day(10))
    assert [e["kind"] for e in got["timeline"]] == [
        "asked", "asked", "completed_course", "completed_video", "watched", "signed_in",
        "completed_video", "watched", "completed_video", "watched", "joined"]
    assert got["timeline"][0]["text"] == "Asked “What is a default argument?”"
    assert got["timeline"][2]["text"] == "Completed the course “Python basics”"
    assert got["timeline"][4]["video_id"] == ds.videos["functions"]
    assert got["courses"] == [{"course_id": ds.course_id, "title": "Python basics", "percent": 100.0,
                               "completed": True, "last_video_id": None}]
    bob = get(owner_client, f"/api/analytics/students/{ds.students['bob']}")
    assert bob["courses"][0]["percent"] == 0.0 and not bob["courses"][0]["completed"]
    assert owner_client.get("/api/analytics/students/999").status_code == 404


def read_csv(res) -> list[list[str]]:
    return list(csv.reader(io.StringIO(res.get_data(as_text=True))))


def test_csv_exports(owner_client, ds):
    url = f"/api/analytics/export?report=videos&from={ds.day(29)}&to={ds.day(0)}"
    res = owner_client.get(url)
    assert res.status_code == 200 and res.mimetype == "text/csv"
    assert res.headers["Content-Disposition"].startswith("attachment;")
    assert read_csv(res) == [
        ["video_id", "title", "duration_s", "views", "watch_minutes", "completions", "questions", "quiz_answered",
         "quiz_correct", "quiz_score"],
        [str(ds.videos["intro"]), "Intro", "600.0", "3", "22.0", "2", "4", "0", "0", ""],
        [str(ds.videos["loops"]), "Loops", "300.0", "3", "11.0", "2", "1", "0", "0", ""],
        [str(ds.videos["functions"]), "Functions", "1200.0", "1", "20.0", "1", "2", "0", "0", ""]]
    # the date filter: only d5 (Bob's day)
    day5 = read_csv(owner_client.get(f"/api/analytics/export?report=students&from={ds.day(5)}&to={ds.day(5)}"))
    assert day5 == [["student_id", "name", "email", "active_days", "videos_watched", "watch_minutes",
                     "questions", "sign_ins", "courses_completed", "quiz_answered", "quiz_correct", "quiz_score"],
                    [str(ds.students["bob"]), "Bob", "", "1", "1", "2.0", "3", "0", "0", "0", "0", ""]]
    chat = read_csv(owner_client.get(f"/api/analytics/export?report=chat&from={ds.day(2)}&to={ds.day(1)}"))
    assert chat[0][:5] == ["asked_at", "date", "student_id", "student", "question"]
    assert [(r[1], r[3], r[4]) for r in chat[1:]] == [
        (ds.day(2), "Alice", QUESTIONS["Q4"][4]), (ds.day(2), "Alice", QUESTIONS["Q5"][4]),
        (ds.day(1), "Cara", QUESTIONS["Q6"][4])]


def test_csv_streams_and_refuses_bad_input(app, owner_client, ds):
    res = owner_client.get(f"/api/analytics/export?report=chat&from={ds.day(9)}&to={ds.day(0)}",
                           buffered=False)
    assert res.is_streamed
    chunks = list(res.response)  # the generator's items: one CSV line each, header first
    assert len(chunks) == 1 + 6 and all(c.count(b"\n") == 1 for c in chunks)
    res.close()
    for query, message in (("report=money&from=2026-01-01&to=2026-01-02", '\'report\' must be one of "videos"'),
                           ("report=videos&from=yesterday&to=2026-01-02", "'from' must be a date like 2026-11-24"),
                           ("report=videos&from=2026-01-01", "'to' is required"),
                           ("report=videos&from=2026-02-01&to=2026-01-02", "is after")):
        res = owner_client.get(f"/api/analytics/export?{query}")
        assert res.status_code == 400 and message in res.get_json()["error"], query


def test_students_and_strangers_are_refused(app, services, ds):
    student, _ = student_client(app, services, username="mallory")
    stranger = app.test_client()
    for url in ("/api/analytics/overview", f"/api/analytics/videos/{ds.videos['intro']}/confusion",
                "/api/analytics/students", f"/api/analytics/students/{ds.students['bob']}",
                "/api/analytics/export?report=videos&from=2026-01-01&to=2026-01-02",
                "/api/analytics/settings"):
        assert student.get(url).status_code == 403, url
        assert stranger.get(url).status_code == 401, url
    res = student.put("/api/analytics/settings", json={"timezone": "UTC"},
                      headers={"X-CSRF-Token": "student-csrf"})
    assert res.status_code == 403


def test_reporting_zone_setting(owner_client):
    put = lambda zone: owner_client.put("/api/analytics/settings", json={"timezone": zone},
                                        headers={"X-CSRF-Token": csrf(owner_client)})
    assert get(owner_client, "/api/analytics/settings")["timezone"] == "UTC"
    res = put("America/New_York")
    assert res.status_code == 200 and res.get_json()["timezone"] == "America/New_York"
    assert get(owner_client, "/api/analytics/overview?range=7d")["range"]["timezone"] == "America/New_York"
    bad = put("Mars/Olympus")
    assert bad.status_code == 400 and "IANA" in bad.get_json()["error"]
    assert get(owner_client, "/api/analytics/settings")["timezone"] == "America/New_York"
