"""A question wrapped in words about the lecture ("What did the lecture say about the principal?")
is searched for by its subject, and cites the moment that subject is explained."""
from __future__ import annotations

import pytest

from chronos.ai.embedder import make_embedder
from chronos.rag.chat import Asker
from chronos.rag.subject import search_question
from tests.conftest import processed_library, sidecar

SLACK_S = 1.0


@pytest.mark.parametrize("asked, searched", [
    ("What did the lecture say about the principal?", "What is the principal?"),
    ("what does the professor mean by opportunity cost", "What is opportunity cost?"),
    ("I didn't get the Calvin cycle, help?", "What is the Calvin cycle?"),
    ("Where in the video is compounding frequency explained?", "What is compounding frequency?"),
    ("Could you go over the rule of seventy two once more?", "What is the rule of seventy two?"),
    ("Give me a quick summary of the light reactions", "What is the light reactions?"),
    ("Can you explain where the oxygen comes from again?", "Where the oxygen comes from?"),
    ("I'm confused about ATP synthase", "What is ATP synthase?"),
])
def test_the_frame_is_taken_off_and_the_subject_asked_plainly(asked, searched):
    assert search_question(asked) == searched


@pytest.mark.parametrize("asked", [
    "What is compound interest?", "Why did the Swedish king land in Germany?",
    "What did Luther say about indulgences?",  # a person's words are the subject, not a frame
    "Can you explain this again?", "What did he say?", "What happened here?",  # nothing named: asked as is
    "¿Qué dijo la lección sobre el ciclo del agua?", "Was sagt die Vorlesung über die Alpen?",
])
def test_a_question_without_a_frame_or_without_a_subject_is_searched_as_asked(asked):
    assert search_question(asked) == asked


@pytest.fixture(scope="module")
def library(tmp_path_factory, transcriber):
    # multilingual-e5, a new library's embedder: framed, these questions got no citation at all.
    sv, creator, ids = processed_library(tmp_path_factory.mktemp("frames"), transcriber,
                                         make_embedder("multilingual-e5"))
    yield sv, creator, ids
    sv.close()


@pytest.mark.parametrize("question, name, phrase", [
    ("What did the lecture say about the principal?", "interest.mp4", "The principal is"),
    ("Where in the video is the principal explained?", "interest.mp4", "The principal is"),
    ("What did the lecture say about the rule of seventy two?", "interest.mp4", "The rule of seventy two"),
    ("What did the lecture say about interest on past interest?", "interest.mp4", "past interest"),
])
def test_a_framed_question_cites_the_moment_its_subject_is_explained(library, question, name, phrase):
    sv, creator, ids = library
    gold = next(s for s in sidecar(name)["sentences"] if phrase in s["text"])
    answer = sv.chat.ask_and_wait(Asker(creator.id), question)
    assert answer["citations"], answer
    first = answer["citations"][0]
    assert first["video_id"] == ids[name]
    assert first["start_s"] - SLACK_S <= gold["end_s"] and gold["start_s"] <= first["end_s"] + SLACK_S, (first, gold)
