"""Quiz analytics: each question's attempts and correct rate, the video's and each student's score
(first try), wrong answers on the confusion map at their moment, and the CSV exports."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest

from tests.quiz_data import spoken_video
from tests.test_analytics_api import read_csv
from tests.test_courses_api import Api, student_client


@pytest.fixture
def answered(app, services, owner_client):
    """Leaves with three approved questions; Grace answers q1 wrong then right and q2 right, Henry
    answers q1 wrong and skips q2; nobody answers q3."""
    leaves = spoken_video(services, "photosynthesis.mp4", "Leaves")
    owner = Api(owner_client)
    qs = owner("POST", f"/api/videos/{leaves}/quiz/generate", {}).get_json()["questions"]
    for q in qs:
        owner("PATCH", f"/api/quiz/{q['id']}", {"status": "approved"})
    q1, q2, q3 = qs
    wrong = lambda q: (q["answer_index"] + 1) % len(q["choices"])  # noqa: E731
    people = {}
    for name, answers in (("grace", [(q1, wrong(q1)), (q1, q1["answer_index"]), (q2, q2["answer_index"])]),
                          ("henry", [(q1, wrong(q1)), (q2, None)])):
        client, student = student_client(app, services, name)
        api = Api(client)
        assert api("POST", "/api/progress", {"video_id": leaves, "position_s": 10, "watched_s": 10}).status_code == 200
        for q, choice in answers:
            assert api("POST", f"/api/quiz/{q['id']}/answer", {"choice": choice}).status_code == 200
        people[name] = student.id
    return {"video": leaves, "owner": owner, "q": (q1, q2, q3), **people}


def test_each_question_has_its_attempts_and_correct_rate(answered):
    q1, q2, q3 = answered["q"]
    listed = answered["owner"]("GET", f"/api/videos/{answered['video']}/quiz").get_json()
    stats = {q["id"]: q["stats"] for q in listed["questions"]}
    assert stats[q1["id"]] == {"attempts": 3, "correct": 1, "skipped": 0, "students": 2, "correct_rate": 33.3}
    assert stats[q2["id"]] == {"attempts": 1, "correct": 1, "skipped": 1, "students": 2, "correct_rate": 100.0}
    assert stats[q3["id"]]["attempts"] == 0 and stats[q3["id"]]["correct_rate"] is None
    # The video's score counts each student's first answer: Grace q1 wrong, q2 right; Henry q1 wrong.
    assert listed["score"] == {"answered": 3, "correct": 1, "percent": 33.3}


def test_each_student_has_a_quiz_score(answered):
    owner = answered["owner"]
    grace = owner("GET", f"/api/analytics/students/{answered['grace']}").get_json()["quiz"]
    assert grace == {"answered": 2, "correct": 1, "percent": 50.0,
                     "videos": [{"video_id": answered["video"], "title": "Leaves", "answered": 2, "correct": 1,
                                 "percent": 50.0}]}
    henry = owner("GET", f"/api/analytics/students/{answered['henry']}").get_json()["quiz"]
    assert (henry["answered"], henry["correct"], henry["percent"]) == (1, 0, 0.0)


def test_wrong_answers_light_up_the_confusion_map_at_their_moment(app, services, answered):
    q1, q2, q3 = answered["q"]
    # q3 is asked at 0:32 (the fourth bin) about the sentence said from 0:26 (the third).
    assert q3["at_s"] // 10 == 3 and q3["replay_at_s"] // 10 == 2
    ida, _ = student_client(app, services, "ida")
    Api(ida)("POST", f"/api/quiz/{q3['id']}/answer", {"choice": (q3["answer_index"] + 1) % len(q3["choices"])})
    cmap = answered["owner"]("GET", f"/api/analytics/videos/{answered['video']}/confusion?range=all").get_json()
    wrong = {i: b["wrong_answers"] for i, b in enumerate(cmap["bins"]) if b["wrong_answers"]}
    # Two wrong answers to q1 (Grace's first, Henry's), in the bin where its answering sentence begins.
    assert cmap["bin_s"] == 10 and wrong == {int(q1["replay_at_s"] // 10): 2, 2: 1}


def test_the_csv_exports_gain_quiz_columns_and_a_quiz_report(answered):
    owner, day = answered["owner"], datetime.now(timezone.utc).date().isoformat()
    videos = read_csv(owner("GET", f"/api/analytics/export?report=videos&from={day}&to={day}"))
    assert videos[0][-3:] == ["quiz_answered", "quiz_correct", "quiz_score"] and videos[1][-3:] == ["3", "1", "33.3"]
    students = read_csv(owner("GET", f"/api/analytics/export?report=students&from={day}&to={day}"))
    assert students[0][-3:] == ["quiz_answered", "quiz_correct", "quiz_score"]
    assert {r[0]: r[-3:] for r in students[1:]} == {str(answered["grace"]): ["2", "1", "50.0"],
                                                   str(answered["henry"]): ["1", "0", "0.0"]}
    q1, q2, q3 = answered["q"]
    report = read_csv(owner("GET", f"/api/analytics/export?report=quiz&from={day}&to={day}"))
    assert report[0] == ["video_id", "video", "question_id", "at_s", "kind", "prompt", "status", "attempts",
                         "correct", "correct_rate", "skipped"]
    assert [(r[2], r[7], r[8], r[9], r[10]) for r in report[1:]] == [
        (str(q1["id"]), "3", "1", "33.3", "0"), (str(q2["id"]), "1", "1", "100.0", "1"), (str(q3["id"]), "0", "0", "", "0")]
    # Another range: the questions are listed, with nothing answered in it.
    old = read_csv(owner("GET", "/api/analytics/export?report=quiz&from=2020-01-01&to=2020-01-02"))
    assert [r[7] for r in old[1:]] == ["0", "0", "0"]
