"""Quotes proven to be in the lecture (issue 16, point 2): rag.quotes.verify."""
from __future__ import annotations

import pytest

from chronos.models import chat, videos
from chronos.models import sentences as sentence_store
from chronos.rag.quotes import normalised, verify
from tests.conftest import processed_library


@pytest.fixture(scope="module")
def library(tmp_path_factory, transcriber, embedder):
    sv, creator, ids = processed_library(tmp_path_factory.mktemp("quotes"), transcriber, embedder,
                                         names=("photosynthesis.mp4",))
    yield sv, ids["photosynthesis.mp4"]
    sv.close()


def said(sv, video_id: int, word: str) -> sentence_store.StoredSentence:
    """The transcribed sentence with this word (its text as the transcript has it)."""
    with sv.db.connection() as conn:
        return next(s for s in sentence_store.video_sentences(conn, video_id) if word in s.text.lower())


def cite(video_id: int, start: float, end: float, text: str = "") -> chat.Citation:
    return chat.Citation(video_id, "Photosynthesis", start, end, 0.5, text)


def test_words_spoken_at_the_cited_time_are_verified(library):
    sv, video_id = library
    s = said(sv, video_id, "oxygen")
    with sv.db.connection() as conn:
        ok = verify(conn, cite(video_id, s.start_s, s.end_s), s.text)
        assert verify(conn, cite(video_id, s.start_s, s.end_s, s.text), "") is not None  # no quote: its text
    assert ok is not None and ok.verified


def test_words_never_said_or_said_elsewhere_are_not(library):
    sv, video_id = library
    oxygen, second = said(sv, video_id, "oxygen"), said(sv, video_id, "second stage")
    with sv.db.connection() as conn:
        assert verify(conn, cite(video_id, oxygen.start_s, oxygen.end_s), oxygen.text + " by the moon") is None
        # The right words at the wrong moment: the second stage is not what is said then.
        assert verify(conn, cite(video_id, oxygen.start_s, oxygen.end_s), second.text) is None
        assert verify(conn, cite(video_id, second.start_s, second.end_s), second.text) is not None
        assert verify(conn, cite(video_id + 999, 0, 5), "anything") is None  # no such video


def test_times_are_clamped_to_the_video(library):
    sv, video_id = library
    with sv.db.connection() as conn:
        last = sentence_store.video_sentences(conn, video_id)[-1]
        duration = videos.get_video(conn, video_id).duration_s
        ok = verify(conn, cite(video_id, last.start_s, duration + 500), last.text)
    assert ok is not None and ok.end_s == pytest.approx(duration, abs=0.01)


def test_comparison_ignores_case_punctuation_and_spacing():
    assert normalised("Chlorophyll  absorbs RED, and blue light.") == normalised("chlorophyll absorbs red and blue light")
    assert normalised("sugar.The") == normalised("sugar. The")
    assert normalised("Café") != normalised("Cafe")  # accents are letters: kept
