"""Keyword search in a large library leaves out the words too common to be worth their cost."""
from __future__ import annotations

import pytest

from chronos.db import Database, connect
from chronos.models import chunks as chunk_store
from chronos.models import videos
from chronos.models.chunks import ChunkDraft
from chronos.rag import retrieval


def _library(conn, creator_id: int, texts: list[str]) -> int:
    """One video of the creator holding one chunk per text (the FTS5 trigger indexes them)."""
    video = videos.create_video(conn, creator_id=creator_id, title="Cells", original_filename="cells.mp4",
                                media_path="videos/cells.mp4", container="mp4", size_bytes=1,
                                has_video=True, duration_s=20.0 * len(texts), published=True)
    chunk_store.replace_chunks(conn, video.id, creator_id,
                               [ChunkDraft(20.0 * i, 20.0 * i + 20, t) for i, t in enumerate(texts)])
    return video.id


@pytest.fixture
def conn(tmp_path):
    Database(tmp_path / "chronos.db")
    conn = connect(tmp_path / "chronos.db")
    yield conn
    conn.close()


def _creator(conn, name: str) -> int:
    return conn.execute("INSERT INTO creators(name) VALUES (?)", (name,)).lastrowid


def _large_library(conn, creator_id: int) -> list[str]:
    """More chunks than KEYWORD_MATCH_CAP: "energy" in all, "cell" in a quarter, "mitochondria" in one."""
    n = retrieval.KEYWORD_MATCH_CAP + 200
    texts = [f"Energy flows through part {i} of the {'tissue' if i % 4 else 'cell'} today."
             for i in range(n)]
    texts[7] = "Energy is made by the mitochondria of the cell."
    _library(conn, creator_id, texts)
    return texts


def test_term_counts_are_per_creator_and_stop_at_the_limit(conn):
    mine, theirs = _creator(conn, "Mine"), _creator(conn, "Theirs")
    _library(conn, mine, ["Quartz lattice.", "A lattice of ions.", "Lattices repeat.", "Salt dissolves."])
    _library(conn, theirs, ["Lattice energy."] * 5)

    assert chunk_store.term_chunk_counts(conn, mine, ['"lattice"', '"salt"', '"granite"'], 10) == [3, 1, 0]
    assert chunk_store.term_chunk_counts(conn, mine, ['"lattice"', '"salt"'], 2) == [2, 1]
    assert chunk_store.term_chunk_counts(conn, theirs, ['"lattice"'], 10) == [5]
    assert chunk_store.keyword_chunk_count(conn, mine, 10) == 4
    assert chunk_store.keyword_chunk_count(conn, theirs, 3) == 3


def test_small_library_searches_every_word(conn):
    creator = _creator(conn, "Small")
    _library(conn, creator, ["Energy reaches the cell.", "Energy is stored as sugar.", "The mitochondria."])

    assert retrieval.keyword_query(conn, creator, "How does energy reach the mitochondria?") == \
        retrieval.fts_query("How does energy reach the mitochondria?") == '"energy" OR "reach" OR "mitochondria"'


def test_large_library_drops_words_found_in_most_chunks(conn):
    creator = _creator(conn, "Large")
    texts = _large_library(conn, creator)

    query = retrieval.keyword_query(conn, creator, "How does energy reach the mitochondria?")

    assert query == '"reach" OR "mitochondria"'  # "reach" is in no chunk: it costs nothing, so it stays
    hits = chunk_store.keyword_chunks(conn, creator, query, k=5)
    top = chunk_store.get_chunks(conn, [hits[0].chunk_id])[hits[0].chunk_id]
    assert top.text == texts[7]


def test_the_rarest_words_are_kept_while_their_matches_fit_the_cap(conn):
    creator = _creator(conn, "Large")
    _large_library(conn, creator)

    assert retrieval.keyword_query(conn, creator, "Which energy does a cell use?") == '"cell" OR "use"'


def test_a_question_of_only_very_common_words_gets_no_keyword_search(conn):
    creator = _creator(conn, "Large")
    _large_library(conn, creator)

    assert retrieval.keyword_query(conn, creator, "Energy?") == ""
    assert chunk_store.keyword_chunks(conn, creator, "", k=5) == []


def test_a_small_creator_in_a_large_database_searches_every_word(conn):
    small, large = _creator(conn, "Small"), _creator(conn, "Large")
    _large_library(conn, large)
    _library(conn, small, ["Energy reaches the cell.", "Mitochondria."])

    assert retrieval.keyword_query(conn, small, "cell energy") == '"cell" OR "energy"'


def test_the_cap_is_a_share_of_a_mid_sized_library(conn):
    creator = _creator(conn, "Mid")
    n = 2000
    cap = min(retrieval.KEYWORD_MATCH_CAP, max(retrieval.KEYWORD_MATCH_MIN, int(retrieval.KEYWORD_MATCH_SHARE * n)))
    assert retrieval.KEYWORD_MATCH_MIN < 750 <= cap < 1000 < retrieval.KEYWORD_MATCH_CAP  # what this test relies on
    words = ["osmosis"] * 700 + ["diffusion"] * 300 + ["water"] * 450 + ["membrane"] * (n - 1450)
    _library(conn, creator, [f"Step {i} is about {w}." for i, w in enumerate(words)])

    # 300 + 450 matches fit the cap; adding osmosis's 700 would not.
    assert retrieval.keyword_query(conn, creator, "diffusion, water or osmosis?") == '"diffusion" OR "water"'
