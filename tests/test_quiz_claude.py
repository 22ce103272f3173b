"""Quiz drafts from Claude: the real SDK against the fake Messages API; structured drafts parsed,
each tied to the sentence it cites, bad drafts refused, failures told to the creator."""
from __future__ import annotations

import pytest

from chronos.models import courses
from tests.conftest import sidecar
from tests.fakes.claude_server import FakeClaude, message, overloaded, quiz_drafts, sentences_asked, unauthorized
from tests.quiz_data import spoken_video
from tests.test_courses_api import Api

SAID = [s["text"] for s in sidecar("photosynthesis.mp4")["sentences"]]
GOOD_CHOICE = {"sentence": 4, "kind": "choice", "prompt": "Which gas is released when water is split?",
               "choices": ["Nitrogen", "Oxygen", "Carbon dioxide", "Hydrogen"], "answer_index": 1}
GOOD_BLANK = {"sentence": 2, "kind": "blank",
              "prompt": "The green pigment _____ absorbs red and blue light, but it reflects green light.",
              "choices": ["chloroplast", "ATP", "chlorophyll"], "answer_index": 2}


@pytest.fixture(scope="module")
def claude():
    with FakeClaude() as fake:
        yield fake


@pytest.fixture
def world(apps, claude):
    app, owner = apps(env={"ANTHROPIC_API_KEY": claude.api_key, "ANTHROPIC_BASE_URL": claude.url,
                           "CHRONOS_ANTHROPIC_MAX_RETRIES": "0", "CHRONOS_ANTHROPIC_MODEL": "claude-sonnet-4-6"})
    sv = app.extensions["chronos"]
    return sv, Api(owner), spoken_video(sv, "photosynthesis.mp4", "Leaves")


def generate(api, video_id: int, body: dict | None = None):
    return api("POST", f"/api/videos/{video_id}/quiz/generate", body or {})


def test_claude_drafts_are_parsed_each_tied_to_its_sentence(world, claude):
    sv, api, leaves = world
    claude.script(quiz_drafts(GOOD_CHOICE, GOOD_BLANK))
    res = generate(api, leaves, {"count": 4})
    assert res.status_code == 200, res.get_json()
    body = res.get_json()
    assert body["drafter"] == "claude" and body["refused"] == []
    said = sidecar("photosynthesis.mp4")["sentences"]
    # In time order: the blank (sentence 2) before the choice (sentence 4).
    assert [(q["kind"], q["at_s"], q["replay_at_s"], q["source_text"], q["origin"]) for q in body["questions"]] == [
        ("blank", said[2]["end_s"], said[2]["start_s"], said[2]["text"], "claude"),
        ("choice", said[4]["end_s"], said[4]["start_s"], said[4]["text"], "claude")]
    assert body["questions"][1]["choices"] == GOOD_CHOICE["choices"] and body["questions"][1]["answer_index"] == 1
    request = claude.requests[-1]
    assert request.body.get("stream") is not True and request.body["model"] == "claude-sonnet-4-6"
    assert [t["name"] for t in request.body["tools"]] == ["draft_quiz"]
    assert request.body["tool_choice"] == {"type": "tool", "name": "draft_quiz"}
    assert sentences_asked(request.body) == list(enumerate(SAID))  # every sentence, numbered
    assert "Draft 4 questions." in request.body["messages"][0]["content"]
    assert "word for word" in request.body["system"]


def test_bad_drafts_are_refused_and_the_good_kept(world, claude):
    sv, api, leaves = world
    bad = [
        {**GOOD_CHOICE, "sentence": 99},                                             # no such sentence
        {**GOOD_CHOICE, "choices": ["Nitrogen", "Glucose", "Helium"], "answer_index": 1},  # not said there
        {**GOOD_CHOICE, "choices": ["Oxygen", "Nitrogen"], "answer_index": 0},      # two choices
        {**GOOD_CHOICE, "choices": ["Oxygen", "oxygen", "Helium"], "answer_index": 0},  # the same twice
        {**GOOD_CHOICE, "prompt": "Is oxygen released when water is split?"},         # gives it away
        {**GOOD_BLANK, "prompt": "Which pigment absorbs red light?", "kind": "blank"},  # no blank
        {**GOOD_CHOICE, "answer_index": 7},                                          # no such choice
        {**GOOD_CHOICE, "kind": "essay"},                                            # no such kind
        "Question 3: what is ATP?",                                                  # not an object
        {**GOOD_BLANK, "choices": None},                                             # no choices
    ]
    claude.script(quiz_drafts(GOOD_CHOICE, *bad, GOOD_CHOICE))                      # the last: sentence 4 again
    res = generate(api, leaves)
    assert res.status_code == 200, res.get_json()
    body = res.get_json()
    assert [q["prompt"] for q in body["questions"]] == [GOOD_CHOICE["prompt"]]
    assert len(body["refused"]) == len(bad) + 1
    reasons = " ".join(body["refused"])
    for words in ("sentence 99", "“Glucose” is not said in sentence 4", "not three or four", "the same",
                  "gives the answer “Oxygen” away", "needs a blank", "answer_index 7", "'essay'",
                  "not an object", "already has a question"):
        assert words in reasons, words
    # Nothing refused was stored.
    listed = api("GET", f"/api/videos/{leaves}/quiz").get_json()["questions"]
    assert [q["prompt"] for q in listed] == [GOOD_CHOICE["prompt"]]


def test_drafts_that_are_all_bad_or_missing_are_a_clear_error(world, claude):
    sv, api, leaves = world
    claude.script(quiz_drafts({**GOOD_CHOICE, "sentence": -1}))
    res = generate(api, leaves)
    assert res.status_code == 502 and "Refused: Draft 1: it cites sentence -1" in res.get_json()["error"]
    claude.script(message({"type": "text", "text": "I would rather not."}))
    res = generate(api, leaves)
    assert res.status_code == 502 and "held no quiz drafts" in res.get_json()["error"]
    claude.script(overloaded())
    res = generate(api, leaves)
    assert res.status_code == 503 and "overloaded" in res.get_json()["error"].lower()
    claude.script(unauthorized())
    res = generate(api, leaves)
    assert res.status_code == 502 and "API key was refused" in res.get_json()["error"]
    assert api("GET", f"/api/videos/{leaves}/quiz").get_json()["questions"] == []


def test_offline_on_request_and_the_course_terms_sent(world, claude):
    sv, api, leaves = world
    before = len(claude.requests)
    res = generate(api, leaves, {"drafter": "offline"})
    assert res.get_json()["drafter"] == "offline" and len(claude.requests) == before
    money = spoken_video(sv, "interest.mp4", "Money")
    with sv.db.connection() as conn:
        made = courses.create_course(conn, 1, title="Mixed")
        courses.add_module(conn, made.id, 1, title="All", video_ids=[leaves, money])
    res = generate(api, leaves)  # nothing scripted: the fake's own drafts, one per sentence it picks
    assert res.status_code == 200 and res.get_json()["drafter"] == "claude" and res.get_json()["questions"]
    sent = claude.requests[-1].body["messages"][0]["content"]
    terms = sent.split("Other terms from the course (for wrong choices): ")[1]
    assert "principal" in terms and "compound interest" in terms and "chlorophyll" not in terms
