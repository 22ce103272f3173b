"""Hint-only tutor mode, per course (issue 15, point 5): hint mode never quotes the answering sentence.

The offline answerer cites the moments answer mode cites, without their words; Claude and an
OpenAI-compatible server are told to guide; the answer cache never serves one mode for the other;
questions outside a course and the owner's own follow the creator's default (`tutor_mode`).
"""
from __future__ import annotations

import re
from dataclasses import replace

import pytest

from chronos import create_app
from chronos.ai.answerer import HINT, HINT_MODE_INSTRUCTIONS, Passage, TimedSentence
from chronos.ai.openai_compat import OpenAICompatAnswerer
from chronos.config import SettingsError, load_settings
from chronos.models import courses, creators, people
from chronos.models import sentences as sentence_store
from chronos.rag.chat import Asker, ChatService
from chronos.rag.quotes import normalised
from tests.conftest import OWNER, add_video, ask, csrf, process, signed_in
from tests.fakes import openai_server as oas
from tests.fakes.claude_server import FakeClaude, answer, search_results

STUDENT = {"name": "grace", "password": "compilers rule"}
# Questions whose answering sentence holds words the question does not (the answer itself).
QUESTIONS = ("Which gas is released when water is split?",
             "What does chlorophyll absorb and reflect?",
             "What is the second stage called?",
             "What is the interest rate?",
             "How long does it take to double your money at eight percent?")
# Words that are no answer's content, for comparing a sentence's words with a hint's.
_PLAIN = frozenset("""the a an and or but is are was were be been it its in on of to for with at by from
this that these those they them their there then than so as into also about what which who how when
where why does do did can will would could you your we our us she he her his after before more most
other some any all each""".split())


def content_words(text: str) -> list[str]:
    return [w for w in re.findall(r"[a-z0-9]+", text.lower()) if w not in _PLAIN and len(w) > 2]


def in_order(words: list[str], text_words: list[str]) -> int:
    """How many of `words` appear in `text_words` in the same order (the longest common subsequence)."""
    best = [0] * (len(text_words) + 1)
    for w in words:
        previous = 0
        for j, t in enumerate(text_words, 1):
            previous, best[j] = best[j], max(best[j], best[j - 1], previous + 1 if w == t else 0)
    return best[-1]


def student(sv) -> int:
    with sv.db.connection() as conn:
        _, token = people.create_invite(conn, 1, expires_at=None, max_uses=None)
        return people.join_with_invite(conn, token, name="Grace Hopper", username=STUDENT["name"],
                                       password=STUDENT["password"]).id


def two_courses(sv, video_ids: list[int]) -> tuple[int, int]:
    """Two published courses of the same lectures (so the same scope): one answers, one hints."""
    with sv.db.connection() as conn:
        made = []
        for title, mode in (("Answers", "answer"), ("Hints", "hint")):
            course = courses.create_course(conn, 1, title=title, published=True, tutor_mode=mode)
            courses.add_module(conn, course.id, 1, title="All", video_ids=video_ids)
            made.append(course.id)
    return made[0], made[1]


@pytest.fixture(scope="module")
def app(tmp_path_factory, transcriber, embedder):
    """The offline answerer on two processed lectures, titled with words no sentence says."""
    settings = load_settings(tmp_path_factory.mktemp("hint-data"), env={}, whisper_model="tiny.en",
                             run_scheduler=False)
    app = create_app(settings, transcriber=transcriber, embedder=embedder)
    sv = app.extensions["chronos"]
    with sv.db.connection() as conn:
        creators.create_owner(conn, OWNER["name"], OWNER["password"])
    ids = []
    for name, title in (("photosynthesis.mp4", "Leaves"), ("interest.mp4", "Savings")):
        video = add_video(sv, name, title=title)
        assert process(sv, video.id).status == "completed"
        ids.append(video.id)
    app.config["student_id"] = student(sv)
    app.config["answers"], app.config["hints"] = two_courses(sv, ids)
    app.config["video_ids"] = ids
    yield app
    sv.close()


@pytest.fixture(scope="module")
def grace(app):
    return signed_in(app, STUDENT)


@pytest.mark.parametrize("question", QUESTIONS)
def test_hint_mode_never_quotes_the_answering_sentence(app, grace, question):
    sv = app.extensions["chronos"]
    told = ask(grace, question, course_id=app.config["answers"])
    hinted = ask(grace, question, course_id=app.config["hints"])
    assert told["tutor_mode"] == "answer" and hinted["tutor_mode"] == "hint"
    assert told["citations"] and all(c["text"] for c in told["citations"])
    # The same moments as answer mode, each proven against the transcript, sent without its words.
    assert [(c["video_id"], c["start_s"]) for c in hinted["citations"]] == \
        [(c["video_id"], c["start_s"]) for c in told["citations"]]
    assert all(c["verified"] and c["text"] == "" for c in hinted["citations"])
    text = hinted["answer"]
    assert "Rewatch" in text and "Ask yourself" in text and ">" not in text
    said = normalised(text)
    hint_words = content_words(text)
    with sv.db.connection() as conn:
        spoken = [s.text for v in app.config["video_ids"] for s in sentence_store.video_sentences(conn, v)]
    for sentence in spoken:
        assert normalised(sentence) not in said, (sentence, text)
        words = content_words(sentence)
        assert in_order(words, hint_words) * 2 <= len(words), (sentence, text)
    # The answering sentence's own words, those the question does not already hold, are not there.
    asked = set(content_words(question))
    answering = told["citations"][0]["text"]
    leaked = [w for w in content_words(answering) if w not in asked and w in hint_words]
    assert leaked == [], (answering, text)
    # What is stored, and what a reload of the player shows, carry no quote either.
    recent = grace.get(f"/api/chat/recent?course_id={app.config['hints']}").get_json()["messages"]
    assert recent[-1]["tutor_mode"] == "hint" and recent[-1]["content"] == text
    assert all(c["text"] == "" for c in recent[-1]["citations"])


def test_the_answer_cache_never_serves_one_mode_for_the_other(app, grace):
    question = "Where do the light reactions happen?"
    first = ask(grace, question, course_id=app.config["answers"])
    assert first["tutor_mode"] == "answer" and not first["cached"]
    again = ask(grace, question, course_id=app.config["answers"])
    assert again["cached"] and again["answer"] == first["answer"]
    # Same question, same lectures (the same scope): the course in hint mode gets a hint, not the cache.
    hint = ask(grace, question, course_id=app.config["hints"])
    assert not hint["cached"] and hint["tutor_mode"] == "hint" and hint["answer"] != first["answer"]
    assert ask(grace, question, course_id=app.config["hints"])["cached"]
    # The owner switches the answering course to hints: it now gets the hint, never the old answer.
    owner = signed_in(app)
    res = owner.put(f"/api/courses/{app.config['answers']}", json={"tutor_mode": "hint"},
                    headers={"X-CSRF-Token": csrf(owner)})
    assert res.status_code == 200 and res.get_json()["tutor_mode"] == "hint"
    try:
        switched = ask(grace, question, course_id=app.config["answers"])
        assert switched["tutor_mode"] == "hint" and switched["answer"] == hint["answer"]
        assert all(c["text"] == "" for c in switched["citations"])
    finally:
        owner.put(f"/api/courses/{app.config['answers']}", json={"tutor_mode": "answer"},
                  headers={"X-CSRF-Token": csrf(owner)})


def test_a_question_edited_or_retried_is_answered_in_its_courses_mode(app, grace):
    asked = ask(grace, "What does chlorophyll absorb?", course_id=app.config["hints"])
    with app.extensions["chronos"].db.connection() as conn:
        question_id = conn.execute("SELECT max(id) FROM chat_messages WHERE role = 'user'").fetchone()[0]
    assert asked["tutor_mode"] == "hint"
    res = grace.put(f"/api/chat/messages/{question_id}", json={"message": "What does chlorophyll reflect?"},
                    headers={"X-CSRF-Token": csrf(grace)})
    assert res.status_code == 200
    edited = res.get_json()
    assert edited["tutor_mode"] == "hint" and edited["citations"]
    assert all(c["text"] == "" for c in edited["citations"]) and "Rewatch" in edited["answer"]


def test_outside_a_course_and_the_owners_preview_follow_the_creators_default(app, grace):
    question = "What does chlorophyll reflect?"
    outside = ask(grace, question)  # the Ask page: no course
    assert outside["tutor_mode"] == "answer" and any(c["text"] for c in outside["citations"])
    owner = signed_in(app)
    preview = ask(owner, question, course_id=app.config["hints"])  # the owner in the course player
    assert preview["tutor_mode"] == "answer" and preview["citations"][0]["text"]
    # A creator whose default is hints: the student's question outside any course gets a hint.
    sv = app.extensions["chronos"]
    hinting = ChatService(sv.db, sv.embedder, sv.chat.answerer, writer=sv.writer, k=sv.chat.k,
                          settings=replace(sv.settings, tutor_mode="hint"))
    result = hinting.ask_and_wait(Asker(1, app.config["student_id"]), question)
    assert result["tutor_mode"] == "hint" and result["citations"]
    assert all(c["text"] == "" for c in result["citations"])
    assert normalised(outside["citations"][0]["text"]) not in normalised(result["answer"])
    owners = hinting.ask_and_wait(Asker(1), question, course_id=app.config["answers"],
                                  video_ids=app.config["video_ids"])
    assert owners["tutor_mode"] == "hint"  # the owner's own questions follow the default, whatever the course


def test_students_see_the_mode_and_bad_modes_are_refused(app, grace):
    owner = signed_in(app)
    url = f"/api/courses/{app.config['hints']}"
    for bad in ("Hint", "hints", 1, None, True, ["hint"]):
        res = owner.put(url, json={"tutor_mode": bad}, headers={"X-CSRF-Token": csrf(owner)})
        assert res.status_code == 400, bad
        assert '"answer"' in res.get_json()["error"] and '"hint"' in res.get_json()["error"]
    assert grace.get(url).get_json()["tutor_mode"] == "hint"  # unchanged, and a student sees it
    created = owner.post("/api/courses", json={"title": "Hinted from the start", "tutor_mode": "hint"},
                         headers={"X-CSRF-Token": csrf(owner)})
    assert created.status_code == 201 and created.get_json()["tutor_mode"] == "hint"
    with app.extensions["chronos"].db.connection() as conn:
        with pytest.raises(courses.CourseError):
            courses.update_course(conn, app.config["hints"], 1, tutor_mode="quiz")
    page = grace.get(f"/learn/{app.config['hints']}").get_data(as_text=True)
    assert "Hint mode" in page
    assert "Hint mode" not in grace.get(f"/learn/{app.config['answers']}").get_data(as_text=True)


def test_the_default_must_be_a_known_mode(tmp_path):
    with pytest.raises(SettingsError, match="tutor_mode.*answer, hint"):
        load_settings(tmp_path, env={"CHRONOS_TUTOR_MODE": "hints"})
    assert load_settings(tmp_path, env={"CHRONOS_TUTOR_MODE": "hint"}).tutor_mode == "hint"


# -- Claude and an OpenAI-compatible server are told -----------------------------------------------

@pytest.fixture(scope="module")
def claude():
    with FakeClaude() as fake:
        yield fake


@pytest.fixture(scope="module")
def claude_app(tmp_path_factory, transcriber, embedder, claude):
    env = {"ANTHROPIC_API_KEY": claude.api_key, "ANTHROPIC_BASE_URL": claude.url,
           "CHRONOS_ANTHROPIC_MAX_RETRIES": "0"}
    settings = load_settings(tmp_path_factory.mktemp("hint-claude"), env=env, whisper_model="tiny.en",
                             run_scheduler=False)
    app = create_app(settings, transcriber=transcriber, embedder=embedder)
    sv = app.extensions["chronos"]
    with sv.db.connection() as conn:
        creators.create_owner(conn, OWNER["name"], OWNER["password"])
    video = add_video(sv, "photosynthesis.mp4", title="Leaves")
    assert process(sv, video.id).status == "completed"
    student(sv)
    app.config["answers"], app.config["hints"] = two_courses(sv, [video.id])
    app.config["video_id"] = video.id
    yield app
    sv.close()


def test_claude_is_told_to_give_hints_and_its_citations_still_point_at_the_moment(claude_app, claude):
    def guide_to_oxygen(request, ex):
        # Claude in hint mode: no answer in its words, a citation of the block that answers.
        first = search_results(request.body)[0]
        block = next(i for i, b in enumerate(first["content"]) if "oxygen" in b["text"].lower())
        answer(("Rewatch the part about what happens when water is split. ", 0, block, block + 1),
               "What comes out of the water there?", follow_ups=())(request, ex)

    grace = signed_in(claude_app, STUDENT)
    claude.script(guide_to_oxygen)
    result = ask(grace, "Which gas is released when water is split?", course_id=claude_app.config["hints"])
    system = claude.requests[-1].body["system"][0]["text"]
    assert system.endswith(HINT_MODE_INSTRUCTIONS) and "Do not state the answer" in system
    assert result["tutor_mode"] == "hint" and result["answerer"] == "claude"
    [cite] = result["citations"]
    with claude_app.extensions["chronos"].db.connection() as conn:
        oxygen = next(s for s in sentence_store.video_sentences(conn, claude_app.config["video_id"])
                      if "oxygen" in s.text.lower())
    assert cite["video_id"] == claude_app.config["video_id"] and cite["verified"] and cite["text"] == ""
    assert abs(cite["start_s"] - oxygen.start_s) < 0.5 and abs(cite["end_s"] - oxygen.end_s) < 0.5
    # The same question in the answering course: Claude gets no hint-mode instructions.
    claude.script(guide_to_oxygen)
    told = ask(grace, "Which gas is released when water is split?", course_id=claude_app.config["answers"])
    assert HINT_MODE_INSTRUCTIONS not in claude.requests[-1].body["system"][0]["text"]
    assert told["tutor_mode"] == "answer" and "oxygen" in told["citations"][0]["text"].lower()


def test_an_openai_compatible_server_gets_the_same_instructions():
    passages = [Passage(7, "Leaves", 12.0, 20.0, "Oxygen is released.", 0.9,
                        (TimedSentence(12.0, 20.0, "Oxygen is released."),))]
    with oas.FakeOpenAI() as llm:
        answerer = OpenAICompatAnswerer(llm.base_url, model="llama3.1", timeout_s=5)
        list(answerer.stream("Which gas?", passages, mode=HINT))
        hinted = llm.requests[-1].body["messages"][0]["content"]
        list(answerer.stream("Which gas?", passages))
        told = llm.requests[-1].body["messages"][0]["content"]
    assert HINT_MODE_INSTRUCTIONS in hinted and HINT_MODE_INSTRUCTIONS not in told
    assert hinted.replace(HINT_MODE_INSTRUCTIONS, "") == told  # the rest, numbered citations too, stays
