"""Sentences searchable by KNN (migration 20): the index follows the sentences, and a question's
nearest sentences bring in the passages around them (issue 13, point 3)."""
from __future__ import annotations

import pytest

from chronos.db import migrate, transaction
from chronos.models import sentences as sentence_store
from chronos.models import videos
from chronos.rag import retrieval
from chronos.rag.retrieval import retrieve
from tests.conftest import processed_library


@pytest.fixture(scope="module")
def library(tmp_path_factory, transcriber, embedder):
    sv, creator, ids = processed_library(tmp_path_factory.mktemp("sentence-index"), transcriber, embedder)
    yield sv, creator, ids
    sv.close()


def indexed(conn, video_id: int) -> set[int]:
    return {r[0] for r in conn.execute("SELECT rowid FROM sentence_vectors WHERE video_id = ?", (video_id,))}


def sentence_ids(conn, video_id: int) -> set[int]:
    return {s.id for s in sentence_store.video_sentences(conn, video_id)}


def test_every_sentence_of_a_processed_video_is_indexed(library):
    sv, _, ids = library
    with sv.db.connection() as conn:
        for video_id in ids.values():
            assert sentence_ids(conn, video_id)
            assert indexed(conn, video_id) == sentence_ids(conn, video_id)


def test_nearest_sentences_finds_the_sentence_and_the_chunks_that_hold_it(library, embedder):
    sv, creator, ids = library
    video_id = ids["photosynthesis.mp4"]
    with sv.db.connection() as conn:
        target = next(s for s in sentence_store.video_sentences(conn, video_id) if "chlorophyll" in s.text.lower())
        hits = sentence_store.nearest_sentences(conn, creator.id, target.window, 3)
        assert hits[0].sentence_id == target.id and hits[0].distance < 0.01
        holders = conn.execute("SELECT id, start_s, end_s FROM video_chunks WHERE id IN (%s)"
                               % ",".join("?" * len(hits[0].chunk_ids)), hits[0].chunk_ids).fetchall()
        assert holders and all(r["start_s"] <= target.start_s + 0.05 and r["end_s"] >= target.end_s - 0.05
                               for r in holders)
        assert sentence_store.nearest_sentences(conn, creator.id, target.window, 3, [ids["interest.mp4"]])[0] \
            .video_id == ids["interest.mp4"]
        assert sentence_store.nearest_sentences(conn, creator.id, target.window, 3, []) == []
        assert sentence_store.nearest_sentences(conn, creator.id + 1, target.window, 3) == []


def test_sentence_hits_alone_bring_in_the_passage(library, embedder, monkeypatch):
    """With the chunk KNN read to no depth, the passage still comes, from the sentence KNN."""
    sv, creator, ids = library
    monkeypatch.setattr(retrieval, "CANDIDATES", 0)
    monkeypatch.setattr(retrieval, "NEIGHBOURS", 1)
    with sv.db.connection() as conn:
        found = retrieve(conn, embedder, "What pigment makes leaves green?", creator_id=creator.id,
                         mode="vector")
    assert found.passages and found.passages[0].video_id == ids["photosynthesis.mp4"]
    assert "chlorophyll" in found.passages[0].text.lower()
    monkeypatch.setattr(retrieval, "SENTENCE_CANDIDATES", 0)
    with sv.db.connection() as conn:
        found = retrieve(conn, embedder, "What pigment makes leaves green?", creator_id=creator.id,
                         mode="vector")
    assert not found.passages or "chlorophyll" not in found.passages[0].text.lower()


def test_replacing_and_deleting_sentences_keeps_the_index_in_step(tmp_path_factory, transcriber, embedder):
    sv, _, ids = processed_library(tmp_path_factory.mktemp("sentence-index-rw"), transcriber, embedder)
    try:
        video_id, other = ids["photosynthesis.mp4"], ids["interest.mp4"]
        with sv.db.connection() as conn:
            old = sentence_ids(conn, video_id)
            creator_id = conn.execute("SELECT creator_id FROM videos WHERE id = ?", (video_id,)).fetchone()[0]
            drafts = [sentence_store.SentenceDraft(s.start_s, s.end_s, s.text)
                      for s in sentence_store.video_sentences(conn, video_id)]
            sentence_store.replace_sentences(conn, video_id, creator_id, drafts)
            assert indexed(conn, video_id) == set()  # new rows have no context vector yet: not searchable
            fresh = sentence_store.video_sentences(conn, video_id)
            assert not (old & {s.id for s in fresh})
            sentence_store.store_windows(conn, embedder.name, fresh, [s.content_hash for s in fresh],
                                         embedder.embed([s.text for s in fresh]))
            assert indexed(conn, video_id) == {s.id for s in fresh}
            videos.delete_video(conn, video_id)  # sentences go by ON DELETE CASCADE
            assert indexed(conn, video_id) == set()
            assert indexed(conn, other) == sentence_ids(conn, other)
    finally:
        sv.close()


def test_the_migration_indexes_a_library_that_had_context_vectors(tmp_path_factory, transcriber, embedder):
    """A library from before migration 20: its stored context vectors become searchable."""
    sv, _, ids = processed_library(tmp_path_factory.mktemp("sentence-index-mig"), transcriber, embedder)
    try:
        with sv.db.connection() as conn:
            with transaction(conn):  # back to the schema before migration 20
                for name in ("transcript_sentences_window", "transcript_sentences_ai", "transcript_sentences_ad"):
                    conn.execute(f"DROP TRIGGER {name}")
                conn.execute("DROP TABLE sentence_vectors")
                conn.execute("DELETE FROM schema_migrations WHERE number = 20")
            assert migrate(conn) == [20]
            for video_id in ids.values():
                assert indexed(conn, video_id) == sentence_ids(conn, video_id)
    finally:
        sv.close()
