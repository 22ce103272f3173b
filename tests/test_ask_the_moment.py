""""Ask about this moment" (issue 18, point 1): a vague question is answered from the sentences
around the moment being watched, the ones just before it first; a specific question still
searches the whole scope, the moment only breaking ties."""
from __future__ import annotations

import pytest

from chronos.rag.chat import Asker
from chronos.rag.moments import is_vague
from tests.conftest import processed_library, sidecar


@pytest.fixture(scope="module")
def library(tmp_path_factory, transcriber, embedder):
    sv, creator, ids = processed_library(tmp_path_factory.mktemp("moment"), transcriber, embedder)
    yield sv, creator, ids
    sv.close()


def spoken(name: str) -> list[dict]:
    return sidecar(name)["sentences"]


@pytest.mark.parametrize("question", ["Can you explain this?", "What happened here?", "What city is this about?",
                                      "I don't get it", "Why?", "what does this mean", "Explain that again please"])
def test_questions_that_point_at_the_moment_are_vague(question):
    assert is_vague(question)


@pytest.mark.parametrize("question", ["What is photosynthesis?", "Where does the Calvin cycle happen?",
                                      "How does compound interest grow over time?", "What does chlorophyll absorb?"])
def test_questions_with_a_subject_of_their_own_are_not(question):
    assert not is_vague(question)


@pytest.mark.parametrize("question", ["Can you explain this?", "What happened here?", "What is this about?"])
def test_a_vague_question_cites_the_sentences_just_before_the_moment(library, question):
    sv, creator, ids = library
    sentences = spoken("photosynthesis.mp4")
    at = sentences[4]["start_s"] + 1.5  # while "water is split, and oxygen is released" is spoken
    answer = sv.chat.ask_and_wait(Asker(creator.id), question, video_id=ids["photosynthesis.mp4"], at_s=at)
    assert "around this moment" in answer["answer"] and "no single passage" not in answer["answer"]
    cited = answer["citations"]
    assert cited and all(c["video_id"] == ids["photosynthesis.mp4"] for c in cited)
    # The first citation is the sentence that had just ended (thylakoids) or the one being spoken.
    assert sentences[3]["start_s"] - 1 <= cited[0]["start_s"] <= sentences[4]["start_s"] + 1
    assert all(at - 41 <= c["start_s"] <= at + 11 for c in cited)


def test_a_vague_question_early_in_the_video_cites_what_is_being_said(library):
    sv, creator, ids = library
    at = spoken("photosynthesis.mp4")[0]["start_s"] + 1
    answer = sv.chat.ask_and_wait(Asker(creator.id), "Can you explain this?", video_id=ids["photosynthesis.mp4"], at_s=at)
    assert answer["citations"] and answer["citations"][0]["start_s"] <= 4.0


def test_a_specific_question_still_searches_the_whole_scope(library):
    """Watching photosynthesis, asking about compound interest: the answer comes from that lecture."""
    sv, creator, ids = library
    at = spoken("photosynthesis.mp4")[2]["start_s"] + 1
    answer = sv.chat.ask_and_wait(Asker(creator.id), "How does compound interest grow over time?",
                                  video_id=ids["photosynthesis.mp4"], at_s=at)
    assert answer["citations"] and answer["citations"][0]["video_id"] == ids["interest.mp4"]
    assert "around this moment" not in answer["answer"]


def test_the_moment_breaks_ties_for_a_specific_question(library):
    """Asked about the Calvin cycle while it plays, its sentence comes first."""
    sv, creator, ids = library
    calvin = next(s for s in spoken("photosynthesis.mp4") if "Calvin" in s["text"])
    answer = sv.chat.ask_and_wait(Asker(creator.id), "Where is carbon dioxide fixed into sugar?",
                                  video_id=ids["photosynthesis.mp4"], at_s=calvin["end_s"] + 1)
    assert answer["citations"][0]["start_s"] == pytest.approx(calvin["start_s"], abs=1.5)


def test_a_vague_question_without_a_moment_is_not_answered_from_one(library):
    sv, creator, _ = library
    answer = sv.chat.ask_and_wait(Asker(creator.id), "Can you explain this?")
    assert "around this moment" not in answer["answer"]
