"""The embedder setting, `chronos reembed`, and a library that records which model made its vectors."""
from __future__ import annotations

import numpy as np
import pytest

from chronos import cli, create_app
from chronos.ai.embedder import E5Embedder
from chronos.ai.weights import e5_model_file
from chronos.config import SettingsError, load_settings
from chronos.models import chunks as chunk_store
from chronos.models import creators, vector_index
from chronos.models.transcripts import ends_sentence
from chronos.pipeline.chunking import sentences_from_segments
from chronos.pipeline.reembed import reembed_library
from chronos.rag.chat import Asker
from tests.conftest import processed_library, signed_in


def test_the_embedder_setting_names_its_choices(tmp_path):
    with pytest.raises(SettingsError, match="'embedder'.*minilm, multilingual-e5"):
        load_settings(tmp_path, env={"CHRONOS_EMBEDDER": "bert"})
    assert load_settings(tmp_path, env={"CHRONOS_EMBEDDER": "minilm"}).embedder == "minilm"


def test_reembed_moves_a_minilm_library_to_e5_with_progress_and_it_keeps_answering(tmp_path, transcriber,
                                                                                  embedder, capsys):
    folder = tmp_path / "data"
    sv, creator, ids = processed_library(folder, transcriber, embedder, names=("interest.mp4",))
    try:
        with sv.db.connection() as conn:
            assert vector_index.current(conn).embedder == "all-MiniLM-L6-v2"
        assert cli.main(["reembed", "--embedder", "multilingual-e5", "--data-dir", str(folder)]) == 0
        out = capsys.readouterr()
        assert "Re-embedding [####################]" in out.err and "(100%)" in out.err
        assert "with multilingual-e5-small" in out.out
        # The running services follow the library's new model at their next question.
        answer = sv.chat.ask_and_wait(Asker(creator.id), "What does the rule of 72 estimate?")
        assert sv.embedder.name == "multilingual-e5-small"
        assert answer["citations"] and answer["citations"][0]["video_id"] == ids["interest.mp4"]
        with sv.db.connection() as conn:
            index = vector_index.current(conn)
            sentences = conn.execute("SELECT count(*) FROM transcript_sentences").fetchone()[0]
            e5_vectors = conn.execute("SELECT count(*) FROM sentence_vectors").fetchone()[0]
        assert (index.embedder, index.dims, e5_vectors) == ("multilingual-e5-small", 384, sentences)
    finally:
        sv.close(wait=True)
    assert cli.main(["reembed", "--embedder", "multilingual-e5", "--data-dir", str(folder)]) == 0
    assert "already made with multilingual-e5-small" in capsys.readouterr().out
    # A setting that asks for another model than the library's: the owner is told; nothing mixes.
    settings = load_settings(folder, env={"CHRONOS_EMBEDDER": "minilm"}, run_scheduler=False)
    sv_app = create_app(settings, transcriber=transcriber)
    sv = sv_app.extensions["chronos"]
    try:
        assert sv.embedder.name == "multilingual-e5-small"
        assert "chronos reembed" in sv.embedder_notice and "'minilm'" in sv.embedder_notice
        page = signed_in(sv_app).get("/").get_data(as_text=True)
        assert 'id="embedder-notice"' in page and "chronos reembed" in page
    finally:
        sv.close(wait=True)


def test_a_new_dimension_rebuilds_the_vector_tables_and_a_missing_vector_changes_nothing(tmp_path, transcriber,
                                                                                        embedder):
    sv, creator, _ = processed_library(tmp_path / "data", transcriber, embedder, names=("interest.mp4",))
    try:
        with sv.db.connection() as conn:
            texts = vector_index.library_texts(conn)
            rng = np.random.default_rng(7)
            made = {t.content_hash: (v / np.linalg.norm(v)).astype(np.float32).tobytes()
                    for t, v in zip(texts, rng.normal(size=(len(texts), 8)))}
            with pytest.raises(KeyError):
                vector_index.swap(conn, "toy-8", 8, dict(list(made.items())[1:]))
            assert vector_index.current(conn) == vector_index.VectorIndex("all-MiniLM-L6-v2", 384)
            written = vector_index.swap(conn, "toy-8", 8, made)
            assert vector_index.current(conn) == vector_index.VectorIndex("toy-8", 8)
            chunks = conn.execute("SELECT count(*) FROM video_chunks").fetchone()[0]
            assert written == chunks + 2 * conn.execute("SELECT count(*) FROM transcript_sentences").fetchone()[0]
            query = np.frombuffer(next(iter(made.values())), dtype=np.float32)
            assert len(chunk_store.nearest_chunks(conn, creator.id, query, k=3)) == min(3, chunks)
    finally:
        sv.close(wait=True)


def test_a_re_embed_stopped_half_way_resumes_from_the_cache(tmp_path, transcriber, embedder):
    sv, _, _ = processed_library(tmp_path / "data", transcriber, embedder, names=("interest.mp4",))
    e5 = E5Embedder(e5_model_file())
    try:
        with sv.db.connection() as conn:
            total = len(vector_index.library_texts(conn))
            first = vector_index.library_texts(conn)[: total // 2]
            vector_index.cache_vectors(conn, e5.name, first, e5.embed([t.text for t in first]))
            seen = []
            done = reembed_library(conn, e5, lambda n, of: seen.append((n, of)))
        assert (done.texts, done.embedded) == (total, total - len(first))
        assert seen[0] == (len(first), total) and seen[-1] == (total, total)
    finally:
        sv.close(wait=True)


@pytest.mark.parametrize("word, following, ends", [
    ("fin.", "El", True), ("Sr.", "García", False), ("Dr.", "Müller", False), ("z.", "B.", False),
    ("p.ej.", "la", False), ("14.", "Juli", False), ("18.", "Jahrhundert", False), ("1789.", "Dann", True),
    ("etc.", "and", False), ("etc.", "The", True), ("¿Por", "qué?", False), ("qué?", "No", True),
    ("fin.»", "Il", True), ("3,5.", "Das", True),
])
def test_what_ends_a_sentence_in_spanish_french_and_german(word, following, ends):
    assert ends_sentence(word, following) is ends


def test_sentences_keep_abbreviations_and_ordinals_whole():
    from chronos.models.transcripts import Segment, Word

    text = "Am 14. Juli 1789 sprach Dr. Weber. Sr. García llegó, p.ej. a las 3,5 horas. Fin."
    words = [Word(i, i + 0.5, " " + w) for i, w in enumerate(text.split())]
    spoken = sentences_from_segments([Segment(0, len(words), text, words)])
    assert [s.text for s in spoken] == ["Am 14. Juli 1789 sprach Dr. Weber.",
                                        "Sr. García llegó, p.ej. a las 3,5 horas.", "Fin."]


def test_a_library_without_vectors_takes_the_setting(tmp_path, transcriber):
    settings = load_settings(tmp_path / "data", env={"CHRONOS_EMBEDDER": "minilm"}, run_scheduler=False)
    sv = create_app(settings, transcriber=transcriber).extensions["chronos"]
    try:
        with sv.db.connection() as conn:
            assert vector_index.current(conn).embedder == "all-MiniLM-L6-v2"
            creators.local_creator(conn)
        assert sv.embedder.name == "all-MiniLM-L6-v2" and sv.embedder_notice is None
    finally:
        sv.close(wait=True)
