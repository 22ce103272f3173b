"""Quiz checkpoints: the offline drafts (deterministic, each answer said at its time), the creator's
review (edit, approve, delete, add, draft again), and what students may see and answer."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from chronos.ai.quiz_drafts import Lecture, LectureSentence, contains_words, default_count
from chronos.ai.quiz_offline import draft_offline
from chronos.models import courses, quiz, sentences
from tests.conftest import sidecar
from tests.quiz_data import said_at, spoken_video
from tests.test_courses_api import Api, student_client

FIXTURES = ("photosynthesis.mp4", "interest.mp4", "rivers.m4a")


def lecture(fixture: str, *others: str) -> Lecture:
    said = sidecar(fixture)["sentences"]
    return Lecture(fixture, tuple(LectureSentence(i, s["start_s"], s["end_s"], s["text"]) for i, s in enumerate(said)),
                   tuple(s["text"] for o in others for s in sidecar(o)["sentences"]))


# -- drafting offline -------------------------------------------------------------------------------

DRAFT_ALL = """
import json, sys
from tests.test_quiz import FIXTURES, lecture
from chronos.ai.quiz_offline import draft_offline
out = {f: [q.__dict__ for q in draft_offline(lecture(f, *[o for o in FIXTURES if o != f]), 6).questions] for f in FIXTURES}
print(json.dumps(out, sort_keys=True))
"""


def test_offline_drafts_are_the_same_every_run():
    """Two interpreters with different hash seeds (set and dict order differ) draft the same quiz."""
    root = Path(__file__).parent.parent
    runs = [subprocess.run([sys.executable, "-c", DRAFT_ALL], cwd=root, capture_output=True, text=True, check=True,
                           env={**os.environ, "PYTHONPATH": str(root), "PYTHONHASHSEED": seed}).stdout
            for seed in ("1", "4242")]
    assert runs[0] == runs[1]
    drafted = json.loads(runs[0])
    assert all(len(drafted[f]) >= 2 for f in FIXTURES)
    here = {f: [q.__dict__ for q in draft_offline(lecture(f, *[o for o in FIXTURES if o != f]), 6).questions]
            for f in FIXTURES}
    assert json.loads(json.dumps(here, sort_keys=True)) == drafted


@pytest.mark.parametrize("fixture", FIXTURES)
def test_every_offline_answer_is_said_at_its_moment(fixture):
    for others in ((), tuple(o for o in FIXTURES if o != fixture)):
        lec = lecture(fixture, *others)
        drafted = draft_offline(lec, 8)
        assert drafted.drafter == "offline" and drafted.questions
        for q in drafted.questions:
            spoken = said_at(fixture, q.at_s)  # the transcript's sentence at the checkpoint
            answer = q.choices[q.answer_index]
            assert contains_words(spoken["text"], answer), (q, spoken)
            assert (q.replay_at_s, q.source_text) == (spoken["start_s"], spoken["text"])
            assert len(q.choices) in (3, 4) and len({c.lower() for c in q.choices}) == len(q.choices)
            assert not contains_words(q.prompt, answer)
            assert q.kind in ("choice", "blank") and (q.kind == "choice" or "_____" in q.prompt)
            # Distractors are the lecture's (or course's) words of the same kind, not said in that sentence.
            wrong = [c for i, c in enumerate(q.choices) if i != q.answer_index]
            assert not any(contains_words(spoken["text"], c) for c in wrong), q
        times = [q.at_s for q in drafted.questions]
        assert times == sorted(times) and len(set(times)) == len(times)


def test_offline_draft_kinds_and_distractors():
    by_prompt = {q.prompt: q for q in draft_offline(lecture("interest.mp4"), 8).questions}
    principal = by_prompt["Which term means the amount of money you first invest or borrow?"]
    assert principal.kind == "choice" and principal.choices[principal.answer_index] == "principal"
    rule = next(q for p, q in by_prompt.items() if p.startswith("Fill in the blank: The rule of _____"))
    assert rule.choices[rule.answer_index] == "seventy two"
    assert all(c.replace(" ", "").isalpha() for c in rule.choices)  # numbers written as the lecture says them
    called = {q.prompt: q for q in draft_offline(lecture("photosynthesis.mp4"), 8).questions}["What is the second stage called?"]
    assert called.choices[called.answer_index] == "Calvin cycle"
    assert default_count(lecture("photosynthesis.mp4")) == 3


# -- the creator's review ---------------------------------------------------------------------------

@pytest.fixture
def leaves(services, owner_client):
    return spoken_video(services, "photosynthesis.mp4", "Leaves")


def test_generate_answers_drafts_tied_to_the_transcript(owner_client, services, leaves):
    api = Api(owner_client)
    res = api("POST", f"/api/videos/{leaves}/quiz/generate", {})
    assert res.status_code == 200, res.get_json()
    body = res.get_json()
    assert body["drafter"] == "offline" and len(body["questions"]) == 3
    with services.db.connection() as conn:
        said = sentences.video_sentences(conn, leaves)
    for q in body["questions"]:
        assert {"id", "at_s", "prompt", "choices", "answer_index", "source_text", "status"} <= q.keys()
        assert q["status"] == "draft"
        spoken = next(s for s in said if s.start_s <= q["at_s"] <= s.end_s + 0.01)
        assert contains_words(spoken.text, q["choices"][q["answer_index"]]) and q["source_text"] == spoken.text
    listed = api("GET", f"/api/videos/{leaves}/quiz").get_json()
    assert [q["id"] for q in listed["questions"]] == [q["id"] for q in body["questions"]]
    assert listed["questions"][0]["stats"] == {"attempts": 0, "correct": 0, "skipped": 0, "students": 0,
                                               "correct_rate": None}


def test_edit_approve_delete_and_add(owner_client, services, leaves):
    api = Api(owner_client)
    first, second, third = api("POST", f"/api/videos/{leaves}/quiz/generate", {}).get_json()["questions"]
    res = api("PATCH", f"/api/quiz/{first['id']}", {"prompt": "Which gas goes in?", "kind": "choice",
                                                     "choices": ["oxygen", "carbon dioxide", "nitrogen"],
                                                     "answer_index": 1, "at_s": 9.5, "status": "approved"})
    assert res.status_code == 200, res.get_json()
    assert {k: res.get_json()[k] for k in ("prompt", "choices", "answer_index", "at_s", "status", "edited")} == {
        "prompt": "Which gas goes in?", "choices": ["oxygen", "carbon dioxide", "nitrogen"], "answer_index": 1,
        "at_s": 9.5, "status": "approved", "edited": True}
    assert res.get_json()["replay_at_s"] == first["replay_at_s"]
    refusals = [({"answer_index": 3}, "answer_index"), ({"choices": ["a", "A", "b"]}, "same"),
                ({"at_s": 500}, "after the video's end"), ({"kind": "blank"}, "needs a blank"),
                ({"status": "published"}, "status"), ({"choices": ["only one"]}, "choices"), ({"prompt": " "}, "prompt"),
                ({"answer_index": True}, "answer_index")]
    for body, words in refusals:
        res = api("PATCH", f"/api/quiz/{first['id']}", body)
        assert res.status_code == 400 and words in res.get_json()["error"], (body, res.get_json())
    assert api("DELETE", f"/api/quiz/{second['id']}").status_code == 204
    assert api("DELETE", f"/api/quiz/{second['id']}").status_code == 404
    assert api("PATCH", "/api/quiz/9999", {"status": "approved"}).status_code == 404
    mine = api("POST", f"/api/videos/{leaves}/quiz", {"at_s": 20, "prompt": "What is split?",
                                                      "choices": ["water", "sugar", "light"], "answer_index": 0})
    assert mine.status_code == 201 and mine.get_json()["origin"] == "creator"
    assert mine.get_json()["replay_at_s"] == 18.7 and "water is split" in mine.get_json()["source_text"]

    # Drafting again replaces only the drafts nobody touched; the approved, edited and own ones stay,
    # and no sentence they ask about is asked twice.
    again = api("POST", f"/api/videos/{leaves}/quiz/generate", {}).get_json()
    assert again["replaced"] == 1
    kept = api("GET", f"/api/videos/{leaves}/quiz").get_json()["questions"]
    ids = [q["id"] for q in kept]
    assert first["id"] in ids and mine.get_json()["id"] in ids and third["id"] not in ids
    replays = [q["replay_at_s"] for q in kept]
    assert len(replays) == len(set(replays))


def test_only_the_owner_reviews(app, services, owner_client, leaves):
    drafted = Api(owner_client)("POST", f"/api/videos/{leaves}/quiz/generate", {}).get_json()["questions"]
    student, _ = student_client(app, services)
    api = Api(student)
    assert api("POST", f"/api/videos/{leaves}/quiz/generate", {}).status_code == 403
    assert api("PATCH", f"/api/quiz/{drafted[0]['id']}", {"status": "approved"}).status_code == 403
    assert api("DELETE", f"/api/quiz/{drafted[0]['id']}").status_code == 403
    assert api("POST", f"/api/videos/{leaves}/quiz", {"at_s": 1, "prompt": "x", "choices": ["a", "b"],
                                                      "answer_index": 0}).status_code == 403
    anonymous = app.test_client()
    assert anonymous.get(f"/api/videos/{leaves}/quiz").status_code == 401


def test_a_video_still_processing_has_no_drafts(owner_client, services, leaves):
    from chronos.models import videos

    with services.db.connection() as conn:
        videos.set_status(conn, leaves, "embedding")
    res = Api(owner_client)("POST", f"/api/videos/{leaves}/quiz/generate", {})
    assert res.status_code == 409 and "once processing completes" in res.get_json()["error"]
    assert Api(owner_client)("POST", f"/api/videos/{leaves}/quiz/generate", {"drafter": "claude"}).status_code == 409
    with services.db.connection() as conn:
        videos.set_status(conn, leaves, "completed")
    res = Api(owner_client)("POST", f"/api/videos/{leaves}/quiz/generate", {"drafter": "claude"})
    assert res.status_code == 400 and "ANTHROPIC_API_KEY" in res.get_json()["error"]


# -- what students see -----------------------------------------------------------------------------

def test_unapproved_questions_never_reach_a_student(app, services, owner_client, leaves):
    owner = Api(owner_client)
    drafted = owner("POST", f"/api/videos/{leaves}/quiz/generate", {}).get_json()["questions"]
    owner("PATCH", f"/api/quiz/{drafted[1]['id']}", {"status": "approved"})
    student, _ = student_client(app, services)
    api = Api(student)
    shown = api("GET", f"/api/videos/{leaves}/quiz").get_json()["questions"]
    assert [q["id"] for q in shown] == [drafted[1]["id"]]
    assert not {"answer_index", "source_text", "replay_at_s"} & shown[0].keys()
    for draft in (drafted[0], drafted[2]):
        res = api("POST", f"/api/quiz/{draft['id']}/answer", {"choice": draft["answer_index"]})
        assert res.status_code == 404
    # The owner's "as students see it" shows the same; back to draft hides it again.
    assert [q["id"] for q in owner("GET", f"/api/videos/{leaves}/quiz?view=student").get_json()["questions"]] == [
        drafted[1]["id"]]
    owner("PATCH", f"/api/quiz/{drafted[1]['id']}", {"status": "draft"})
    assert api("GET", f"/api/videos/{leaves}/quiz").get_json()["questions"] == []
    assert api("POST", f"/api/quiz/{drafted[1]['id']}/answer", {"choice": 0}).status_code == 404
    with services.db.connection() as conn:
        assert conn.execute("SELECT count(*) FROM quiz_answers").fetchone()[0] == 0


def test_questions_of_a_video_students_cannot_see_do_not_leak(app, services, owner_client):
    hidden = spoken_video(services, "rivers.m4a", "Rivers", published=False)
    owner = Api(owner_client)
    drafted = owner("POST", f"/api/videos/{hidden}/quiz/generate", {}).get_json()["questions"]
    for q in drafted:
        owner("PATCH", f"/api/quiz/{q['id']}", {"status": "approved"})
    student, _ = student_client(app, services)
    api = Api(student)
    assert api("GET", f"/api/videos/{hidden}/quiz").status_code == 404
    assert api("POST", f"/api/quiz/{drafted[0]['id']}/answer", {"choice": 0}).status_code == 404
    assert api("GET", "/api/videos/9999/quiz").status_code == 404
    owner("PATCH", f"/api/videos/{hidden}", {"published": True})
    assert [q["id"] for q in api("GET", f"/api/videos/{hidden}/quiz").get_json()["questions"]] == [q["id"] for q in drafted]


def test_answers_feedback_and_skips(app, services, owner_client, leaves):
    owner = Api(owner_client)
    q, other, _ = owner("POST", f"/api/videos/{leaves}/quiz/generate", {}).get_json()["questions"]
    for x in (q, other):
        owner("PATCH", f"/api/quiz/{x['id']}", {"status": "approved"})
    student, grace = student_client(app, services)
    api = Api(student)
    wrong = (q["answer_index"] + 1) % len(q["choices"])
    res = api("POST", f"/api/quiz/{q['id']}/answer", {"choice": wrong}).get_json()
    assert res == {"correct": False, "skipped": False, "replay_at_s": q["replay_at_s"]}  # the answer is not given
    listed = {x["id"]: x for x in api("GET", f"/api/videos/{leaves}/quiz").get_json()["questions"]}
    assert "answer_index" not in listed[q["id"]] and listed[q["id"]]["answered"]["attempts"] == 1
    res = api("POST", f"/api/quiz/{q['id']}/answer", {"choice": q["answer_index"]}).get_json()
    assert res == {"correct": True, "skipped": False, "replay_at_s": q["replay_at_s"], "answer_index": q["answer_index"],
                   "source_text": q["source_text"]}
    assert api("POST", f"/api/quiz/{other['id']}/answer", {"choice": None}).get_json()["skipped"] is True
    listed = {x["id"]: x for x in api("GET", f"/api/videos/{leaves}/quiz").get_json()["questions"]}
    assert listed[q["id"]]["answer_index"] == q["answer_index"] and listed[q["id"]]["answered"]["ever_correct"]
    assert listed[other["id"]]["answered"]["skipped"] and "answer_index" not in listed[other["id"]]
    for body in ({"choice": 9}, {"choice": "1"}, {}, {"choice": 1.5}, {"choice": -1}):
        assert api("POST", f"/api/quiz/{q['id']}/answer", body).status_code == 400, body
    assert api("POST", f"/api/quiz/{q['id']}/answer", {"choice": len(q["choices"])}).status_code == 400
    # The owner's preview is checked but not recorded.
    assert owner("POST", f"/api/quiz/{q['id']}/answer", {"choice": q["answer_index"]}).get_json()["correct"]
    with services.db.connection() as conn:
        rows = conn.execute("SELECT question_id, student_id, choice, correct FROM quiz_answers ORDER BY id").fetchall()
    assert [tuple(r) for r in rows] == [(q["id"], grace.id, wrong, 0), (q["id"], grace.id, q["answer_index"], 1),
                                        (other["id"], grace.id, None, 0)]


def test_course_lectures_lend_their_terms_to_the_distractors(services, owner_client):
    leaves = spoken_video(services, "photosynthesis.mp4", "Leaves")
    money = spoken_video(services, "interest.mp4", "Money")
    with services.db.connection() as conn:
        made = courses.create_course(conn, 1, title="Mixed")
        courses.add_module(conn, made.id, 1, title="All", video_ids=[leaves, money])
        assert quiz.course_sentences(conn, leaves) == [s["text"] for s in sidecar("interest.mp4")["sentences"]]
        assert quiz.course_sentences(conn, money)[0] == sidecar("photosynthesis.mp4")["sentences"][0]["text"]
    # A lecture saying one number: the wrong choices are the course's numbers, written as it says them.
    lec = Lecture("Rivers", (LectureSentence(0, 0.0, 4.0, "The river carries about twenty percent of all the water."),),
                  ("The Nile flows for about sixty days to the sea.", "Its delta grows 12 metres a year."))
    (q,) = draft_offline(lec, 2).questions
    assert q.choices[q.answer_index] == "twenty" and "sixty" in q.choices and "12" not in q.choices
