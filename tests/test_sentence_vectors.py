"""Sentence vectors made once at ingest: an answer costs one embedding (issue 13, point 2 and 4)."""
from __future__ import annotations

import threading
import uuid
from concurrent.futures import Future

import numpy as np
import pytest

from chronos import create_app
from chronos.ai.embedder import Embedder
from chronos.config import load_settings
from chronos.models import transcripts, videos
from chronos.models import sentences as sentence_store
from chronos.pipeline.chunking import sentences_from_segments
from chronos.rag.chat import Asker
from chronos.rag.retrieval import retrieve
from tests.conftest import add_video, process, processed_library


@pytest.fixture(scope="module")
def library(tmp_path_factory, transcriber, embedder):
    """Two lectures processed through the real pipeline, once for this module."""
    sv, creator, ids = processed_library(tmp_path_factory.mktemp("sentences"), transcriber, embedder)
    yield sv, creator, ids
    sv.close()


def stored(sv, video_id: int) -> list[sentence_store.StoredSentence]:
    with sv.db.connection() as conn:
        return sentence_store.sentences_between(conn, video_id, -1.0, 1e9)


def count_embeddings(monkeypatch, embedder) -> list[list[str]]:
    """Record every batch of texts the model is run on."""
    calls: list[list[str]] = []
    real = embedder.embed

    def counted(texts, **kwargs):  # query=True for the questions
        calls.append(list(texts))
        return real(texts, **kwargs)

    monkeypatch.setattr(embedder, "embed", counted)
    return calls


def test_ingest_stores_every_sentence_with_its_time_and_vector(library, embedder):
    sv, _, ids = library
    with sv.db.connection() as conn:
        spoken = sentences_from_segments(transcripts.load_segments(conn, ids["photosynthesis.mp4"]))
    rows = stored(sv, ids["photosynthesis.mp4"])
    assert [(r.start_s, r.end_s, r.text) for r in rows] == [(s.start_s, s.end_s, s.text) for s in spoken]
    assert all(r.vector is not None and r.vector.shape == (embedder.dims,) for r in rows)
    chlorophyll = next(r for r in rows if "chlorophyll" in r.text.lower())
    assert np.allclose(chlorophyll.vector, embedder.embed([chlorophyll.text])[0], atol=1e-5)


def test_retrieval_attaches_the_stored_sentence_vectors(library, embedder):
    sv, creator, _ = library
    with sv.db.connection() as conn:
        found = retrieve(conn, embedder, "What colour of light does chlorophyll reflect?",
                         creator_id=creator.id)
    assert found.covered and found.question_vector is not None
    sentences = [s for p in found.passages for s in p.sentences]
    assert sentences and all(s.vector is not None for s in sentences)


def test_an_answer_embeds_only_the_question(library, embedder, monkeypatch):
    sv, creator, _ = library
    calls = count_embeddings(monkeypatch, embedder)
    question = f"What colour of light does chlorophyll reflect, {uuid.uuid4().hex[:6]}?"
    answer = sv.chat.ask_and_wait(Asker(creator.id), question)
    assert answer["citations"] and "green" in answer["citations"][0]["text"].lower()
    assert calls == [[question]]
    # Asked again (a new chat, so the answer cache is not what saves the work): no model run at all.
    calls.clear()
    with sv.db.connection() as conn:
        found = retrieve(conn, embedder, question, creator_id=creator.id)
    assert found.covered and calls == []


def test_an_off_topic_question_still_gets_no_citations(library):
    sv, creator, _ = library
    answer = sv.chat.ask_and_wait(Asker(creator.id), "Who won the football world cup in 1966?")
    assert answer["citations"] == []


def test_a_reprocessed_video_does_not_answer_from_stale_vectors(tmp_path, transcriber, embedder):
    settings = load_settings(tmp_path / "data", env={}, whisper_model="tiny.en", run_scheduler=False)
    sv = create_app(settings, transcriber=transcriber, embedder=embedder).extensions["chronos"]
    try:
        video = add_video(sv, "photosynthesis.mp4")
        assert process(sv, video.id).status == "completed"
        with sv.db.connection() as conn:
            creator_id = videos.get_video(conn, video.id).creator_id
            old = transcripts.load_segments(conn, video.id)
            # The creator's corrected transcript: the colour sentence now says something else.
            new = [transcripts.Segment(s.start_s, s.end_s, s.text.replace("green", "purple"),
                                       [transcripts.Word(w.start_s, w.end_s, w.text.replace("green", "purple"),
                                                         w.probability) for w in s.words]) for s in old]
            transcripts.save_transcript(conn, video.id, "en", new)
            videos.set_status(conn, video.id, "chunking")
        assert process(sv, video.id).status == "completed"
        rows = stored(sv, video.id)
        assert not any("green" in r.text for r in rows)
        purple = next(r for r in rows if "purple" in r.text)
        assert np.allclose(purple.vector, embedder.embed([purple.text])[0], atol=1e-5)
        answer = sv.chat.ask_and_wait(Asker(creator_id), "What colour of light does chlorophyll reflect?")
        assert answer["citations"] and all("green" not in c["text"] for c in answer["citations"])
    finally:
        sv.close()


def test_an_older_library_gets_its_sentence_vectors_rebuilt(tmp_path, transcriber, embedder, monkeypatch):
    settings = load_settings(tmp_path / "data", env={}, whisper_model="tiny.en", run_scheduler=False)
    sv = create_app(settings, transcriber=transcriber, embedder=embedder).extensions["chronos"]
    video = add_video(sv, "interest.mp4")
    assert process(sv, video.id).status == "completed"
    with sv.db.connection() as conn:
        creator_id = videos.get_video(conn, video.id).creator_id
        expected = [(r.start_s, r.text) for r in sentence_store.sentences_between(conn, video.id, -1, 1e9)]
        # The library as it was before migration 9.
        conn.execute("DROP TABLE transcript_sentences")
        conn.execute("DELETE FROM schema_migrations WHERE number IN (9, 11)")
    sv.close()
    sv = create_app(settings, transcriber=transcriber, embedder=embedder).extensions["chronos"]
    try:
        with sv.db.connection() as conn:
            assert sentence_store.videos_needing_sentences(conn) == [video.id]
        # Until the backfill has run, answers still work (the answerer embeds the sentences itself).
        answer = sv.chat.ask_and_wait(Asker(creator_id), "How long does it take to double money?")
        assert answer["citations"]
        with sv.bus.subscribe() as events:
            sv.runner.start()  # what `chronos serve` does: the backfill is queued at start-up
            event = events.get(timeout=300)  # the backfill announces each video it has done
        assert event["type"] == "video" and event["video"]["id"] == video.id
        sv.runner.shutdown(wait=True)
        rows = stored(sv, video.id)
        assert [(r.start_s, r.text) for r in rows] == expected and all(r.vector is not None for r in rows)
        with sv.db.connection() as conn:
            assert sentence_store.videos_needing_sentences(conn) == []
        calls = count_embeddings(monkeypatch, embedder)
        question = f"How long does it take to double money, {uuid.uuid4().hex[:6]}?"
        assert sv.chat.ask_and_wait(Asker(creator_id), question)["citations"]
        assert calls == [[question]]
    finally:
        sv.close()


def sharing(embedder: Embedder, **kwargs) -> Embedder:
    """A fresh Embedder (own cache and batcher) on the already-loaded model."""
    fresh = Embedder(embedder.model_dir, **kwargs)
    fresh._model = embedder._load()
    return fresh


def test_question_vectors_are_cached_by_their_text(embedder, monkeypatch):
    e = sharing(embedder, cache_size=2)
    calls = count_embeddings(monkeypatch, e)
    a, b, c = "What is compound interest?", "What is photosynthesis?", "Where do rivers drop sediment?"
    first = e.embed_one(a)
    assert np.array_equal(e.embed_one(a), first) and calls == [[a]]
    e.embed_one(b)
    e.embed_one(c)  # the cache holds two: the least recently used (a) goes
    e.embed_one(c)
    e.embed_one(a)
    assert calls == [[a], [b], [c], [a]]


def test_queued_questions_are_embedded_as_one_batch(embedder):
    e = sharing(embedder)
    texts = [f"Question number {i} about interest rates?" for i in range(16)]
    futures = [Future() for _ in texts]
    for text, future in zip(texts, futures):  # all queued before the worker starts
        e._queue.put((text, future))
    e._ensure_worker()
    batched = np.stack([f.result(timeout=60) for f in futures])
    assert e.batches == [16]
    assert np.allclose(batched, embedder.embed(texts), atol=1e-5)


def test_concurrent_callers_get_the_same_vectors_as_unbatched(embedder):
    e = sharing(embedder)
    texts = [f"How does photosynthesis work in plant number {i}?" for i in range(32)]
    results: dict[int, np.ndarray] = {}
    start = threading.Barrier(len(texts))

    def ask(i: int) -> None:
        start.wait()
        results[i] = e.embed_one(texts[i])

    threads = [threading.Thread(target=ask, args=(i,)) for i in range(len(texts))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sum(e.batches) == len(texts)  # every question embedded exactly once
    for i, text in enumerate(texts):
        assert np.allclose(results[i], embedder.embed([text])[0], atol=1e-5)
