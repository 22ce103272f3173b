"""Sequential and batched decoding (the whisper_batch_size setting) both give transcripts whose
words and times the chunker can use, with progress and early stopping as the pipeline needs."""
from __future__ import annotations

from difflib import SequenceMatcher

import pytest

from chronos import create_app
from chronos.ai.transcriber import Transcriber, by_sentence
from chronos.ai.weights import whisper_model_dir
from chronos.config import load_settings
from chronos.models import chunks as chunk_store
from chronos.models import transcripts
from chronos.models.transcripts import Segment, Word
from chronos.pipeline import media
from chronos.pipeline.chunking import chunk_sentences, sentences_from_segments
from tests.conftest import FIXTURES, add_video, process, sidecar, wer
from tests.conftest import words as words_of


@pytest.fixture(scope="module")
def batched(models_dir) -> Transcriber:
    return Transcriber(whisper_model_dir("tiny.en", models_dir), name="tiny.en", device="cpu",
                       batch_size=8)


@pytest.fixture(params=["sequential", "batched"])
def either(request, transcriber, batched) -> Transcriber:
    return transcriber if request.param == "sequential" else batched


@pytest.mark.parametrize("name", ["photosynthesis.mp4", "interest.mp4"])
def test_words_and_times_are_what_the_chunker_needs(either, name):
    result = either.transcribe(media.load_audio(FIXTURES / name))
    spoken = sidecar(name)["sentences"]
    # tiny.en measured 2.8-4.3 % sequential and up to 12.8 % batched here (a word split in two).
    assert wer(" ".join(s["text"] for s in spoken), " ".join(s.text for s in result.segments)) < 0.16
    words = [w for seg in result.segments for w in seg.words]
    assert all(seg.words for seg in result.segments)
    # Each word sits inside its segment, and the words run forward in time.
    for seg in result.segments:
        assert all(seg.start_s - 0.05 <= w.start_s <= w.end_s <= seg.end_s + 0.05 for w in seg.words)
    assert all(a.start_s <= b.start_s for a, b in zip(words, words[1:]))
    # Each spoken sentence's first word, where it was heard right, is timed when it was said.
    heard = [(t, w) for w in words for t in words_of(w.text)]
    said = [(t, i) for i, s in enumerate(spoken) for t in words_of(s["text"])]
    first = {i: j for j, (_, i) in reversed(list(enumerate(said)))}  # sentence -> its first word
    firsts = {}
    blocks = SequenceMatcher(None, [t for t, _ in said], [t for t, _ in heard], autojunk=False)
    for block in blocks.get_matching_blocks():
        for k in range(block.size):
            i = said[block.a + k][1]
            if block.a + k == first[i]:
                firsts[i] = heard[block.b + k][1].start_s
    assert len(firsts) >= 0.7 * len(spoken)
    for i, start in firsts.items():
        assert abs(start - spoken[i]["start_s"]) < 0.7, (spoken[i], start)
    sentences = sentences_from_segments(result.segments)
    assert len(sentences) >= len(spoken) - 2
    chunks = chunk_sentences(sentences)
    assert chunks and all(c.start_s < c.end_s for c in chunks)
    assert all(a.start_s <= b.start_s for a, b in zip(chunks, chunks[1:]))


def test_progress_rises_to_the_end_and_a_stop_is_heard(either):
    audio = media.load_audio(FIXTURES / "interest.mp4")
    seen: list[float] = []
    either.transcribe(audio, seen.append)
    assert seen[-1] == 1.0 and seen == sorted(seen) and all(0.0 <= f <= 1.0 for f in seen)

    class Deleted(Exception):
        pass

    def stop(fraction: float) -> None:  # what the processor does when the video was deleted
        raise Deleted

    with pytest.raises(Deleted):
        either.transcribe(audio, stop)


def test_the_setting_reaches_the_pipeline_and_a_video_completes(tmp_path, embedder):
    settings = load_settings(tmp_path / "data", env={"CHRONOS_WHISPER_BATCH_SIZE": "4"},
                             whisper_model="tiny.en", run_scheduler=False)
    services = create_app(settings, embedder=embedder).extensions["chronos"]
    try:
        assert services.transcriber.batch_size == 4
        video = add_video(services, "photosynthesis.mp4")
        assert process(services, video.id).status == "completed"
        with services.db.connection() as conn:
            segments = transcripts.load_segments(conn, video.id)
            stored = chunk_store.chunks_for_video(conn, video.id)
        assert segments and stored
        assert any("chlorophyll" in w.text.lower() for s in segments for w in s.words)
    finally:
        services.close()


def test_a_batched_chunk_is_cut_into_sentences_by_its_word_times():
    words = [Word(0.0, 0.4, " Rivers"), Word(0.4, 0.9, " flow."), Word(1.5, 1.9, " Deltas"),
             Word(1.9, 2.3, " grow!"), Word(2.8, 3.1, " Then")]
    pieces = by_sentence(Segment(0.0, 3.1, "Rivers flow. Deltas grow! Then", words))
    assert [(p.start_s, p.end_s, p.text) for p in pieces] == [
        (0.0, 0.9, "Rivers flow."), (1.5, 2.3, "Deltas grow!"), (2.8, 3.1, "Then")]
    assert [w for p in pieces for w in p.words] == words
    single = Segment(0.0, 0.9, "Rivers flow.", words[:2])
    assert by_sentence(single) == [single]
