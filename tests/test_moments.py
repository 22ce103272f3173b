"""The right moment first: sentences scored with their context, titles and sound-alike words (issue 13, point 3)."""
from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from chronos import create_app
from chronos.config import load_settings
from chronos.models import videos
from chronos.models import sentences as sentence_store
from chronos.models.sentences import window_text
from chronos.rag.chat import Asker
from chronos.rag.moments import WEIGHTS, Candidate, Weights, keyword_scores, score_moments, weights_for
from chronos.rag.retrieval import retrieve
from tests.conftest import add_video, process, processed_library


def candidates(embedder, video_sentences: dict[tuple[int, str], list[str]]) -> list[Candidate]:
    """Each sentence as a candidate, with its real vector and the vector of it with its neighbours."""
    out = []
    for (video_id, title), texts in video_sentences.items():
        vectors = embedder.embed(texts)
        windows = embedder.embed([" ".join(texts[max(0, i - 1):i + 2]) for i in range(len(texts))])
        out += [Candidate(video_id, title, t, v, w) for t, v, w in zip(texts, vectors, windows)]
    return out


def test_a_misspelled_name_still_finds_its_moment(embedder):
    # Transcription heard "quipu" as "quibu"; the other lecture says "knots" and "records" too.
    cands = candidates(embedder, {
        (1, "The Inca Empire"): ["The Inca built roads across the Andes mountains.",
                                 "Officials kept the census on a quibu of knotted cotton strings.",
                                 "Runners carried messages between the stations."],
        (2, "Sailing ships"): ["Sailors tie knots in rope to keep records of a ship's speed.",
                               "The log line was thrown over the stern every hour."],
    })
    question = "How did Inca officials record numbers on a quipu?"
    scored = score_moments(question, embedder.embed_one(question), cands)
    assert cands[int(np.argmax(scored.scores))].text.startswith("Officials kept the census")
    keyword = keyword_scores("quipu", [c.text for c in cands])
    assert keyword[1] > 0 and not keyword[[0, 2, 3, 4]].any()


def test_a_sentence_that_leans_on_its_neighbour_is_lifted_by_its_context(embedder):
    # "It reflects green light" answers the question, but only its neighbour says "chlorophyll".
    cands = candidates(embedder, {
        (1, "Plants"): ["Roots take up water from the soil.",
                        "Chlorophyll is the pigment in the leaves of a plant.",
                        "It reflects green light and absorbs red and blue light.",
                        "Stems carry sugar to the roots."],
        (2, "Optics"): ["A prism splits white light into a rainbow of colours.",
                        "Red light bends less than blue light in glass.",
                        "A green filter lets green light through."],
    })
    question = "What colour does chlorophyll bounce back?"
    q_vec = embedder.embed_one(question)
    with_context = score_moments(question, q_vec, cands).scores
    alone = score_moments(question, q_vec, [replace(c, window=c.vector) for c in cands]).scores
    answer, optics = 2, slice(4, 7)
    assert with_context[answer] - with_context[optics].max() > max(0.0, alone[answer] - alone[optics].max())
    assert with_context[answer] > with_context[optics].max()


def test_each_embedder_scores_with_its_own_measured_weights():
    assert weights_for("multilingual-e5-small") == Weights(sentence=0.8, window=0.2, keyword=0.1, video_prior=0.3)
    assert weights_for("all-MiniLM-L6-v2") == Weights(sentence=0.6, window=0.4, keyword=0.2, video_prior=0.3)
    assert weights_for("a model never measured") == WEIGHTS["all-MiniLM-L6-v2"]


def test_the_weights_decide_between_the_sentence_like_the_question_and_the_one_sharing_its_words():
    # Unit vectors: the first sentence is closer in meaning, the second shares the question's word.
    q = np.array([1.0, 0.0])
    near, far = np.array([0.8, 0.6]), np.array([0.6, 0.8])
    cands = [Candidate(1, "A", "the river rises in spring", near, near),
             Candidate(1, "A", "floods of the Amazon", far, far)]
    meaning = Weights(sentence=0.8, window=0.2, keyword=0.0, video_prior=0.0)
    words = Weights(sentence=0.8, window=0.2, keyword=0.5, video_prior=0.0)
    assert np.argmax(score_moments("When does the Amazon flood?", q, cands, weights=meaning).scores) == 0
    assert np.argmax(score_moments("When does the Amazon flood?", q, cands, weights=words).scores) == 1


@pytest.fixture(scope="module")
def library(tmp_path_factory, transcriber, embedder):
    """Two lectures processed through the real pipeline, once for this module."""
    sv, creator, ids = processed_library(tmp_path_factory.mktemp("moments"), transcriber, embedder)
    yield sv, creator, ids
    sv.close()


def assert_windows_are_the_sentences_with_their_neighbours(sv, video_id: int, embedder) -> None:
    with sv.db.connection() as conn:
        rows = sentence_store.video_sentences(conn, video_id)
    assert len(rows) > 3 and all(r.window is not None and r.window.shape == (embedder.dims,) for r in rows)
    expected = embedder.embed([window_text(rows, i) for i in (0, 2, len(rows) - 1)])
    for got, want in zip([rows[0].window, rows[2].window, rows[-1].window], expected):
        assert np.allclose(got, want, atol=1e-5)


def test_ingest_stores_a_context_vector_for_every_sentence(library, embedder):
    sv, _, ids = library
    assert_windows_are_the_sentences_with_their_neighbours(sv, ids["photosynthesis.mp4"], embedder)


def test_retrieval_returns_the_passage_with_the_best_moment_first(library, embedder):
    sv, creator, ids = library
    with sv.db.connection() as conn:
        found = retrieve(conn, embedder, "Which colour does chlorophyll bounce back?", creator_id=creator.id, k=3)
    assert found.covered and len(found.passages) <= 3
    best = [max(s.score for s in p.sentences) for p in found.passages]
    assert best == sorted(best, reverse=True)
    top = max(found.passages[0].sentences, key=lambda s: s.score)
    assert found.passages[0].video_id == ids["photosynthesis.mp4"] and "green" in top.text.lower()


def test_the_first_citation_is_the_best_moment(library):
    sv, creator, ids = library
    answer = sv.chat.ask_and_wait(Asker(creator.id), "Which colour does chlorophyll bounce back?")
    first = answer["citations"][0]
    assert first["video_id"] == ids["photosynthesis.mp4"] and "green" in first["text"].lower()


@pytest.mark.parametrize("question", ["Who won the football world cup in 1966?",
                                      "What is the best recipe for chocolate cake?"])
def test_off_topic_questions_still_get_no_citations(library, question):
    sv, creator, _ = library
    answer = sv.chat.ask_and_wait(Asker(creator.id), question)
    assert answer["citations"] == []


def test_an_older_library_gets_its_context_vectors_backfilled(tmp_path, transcriber, embedder):
    settings = load_settings(tmp_path / "data", env={}, whisper_model="tiny.en", run_scheduler=False)
    sv = create_app(settings, transcriber=transcriber, embedder=embedder).extensions["chronos"]
    video = add_video(sv, "interest.mp4")
    assert process(sv, video.id).status == "completed"
    with sv.db.connection() as conn:
        creator_id = videos.get_video(conn, video.id).creator_id
        before = sentence_store.video_sentences(conn, video.id)
        # The library as it was before migration 11: sentence vectors, no context vectors (and so
        # none of migration 20's sentence index built on them).
        for trigger in ("transcript_sentences_window", "transcript_sentences_ai", "transcript_sentences_ad"):
            conn.execute(f"DROP TRIGGER {trigger}")
        conn.execute("DROP TABLE sentence_vectors")
        conn.execute("ALTER TABLE transcript_sentences DROP COLUMN window_vector")
        conn.execute("DELETE FROM schema_migrations WHERE number IN (11, 20)")
    sv.close()
    sv = create_app(settings, transcriber=transcriber, embedder=embedder).extensions["chronos"]
    try:
        with sv.db.connection() as conn:
            assert all(r.window is None for r in sentence_store.video_sentences(conn, video.id))
            assert sentence_store.videos_needing_sentences(conn) == [video.id]
        # Until the backfill has run, moments are scored by the sentence vectors alone.
        assert sv.chat.ask_and_wait(Asker(creator_id), "How long does it take to double money?")["citations"]
        assert sv.runner.backfill_sentences() == [video.id]  # what `chronos serve` queues at start-up
        assert_windows_are_the_sentences_with_their_neighbours(sv, video.id, embedder)
        with sv.db.connection() as conn:
            after = sentence_store.video_sentences(conn, video.id)
            assert sentence_store.videos_needing_sentences(conn) == []
        assert [(r.id, r.text) for r in after] == [(r.id, r.text) for r in before]
        assert all(np.array_equal(a.vector, b.vector) for a, b in zip(after, before))
    finally:
        sv.close()
