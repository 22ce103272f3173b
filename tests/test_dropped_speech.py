"""Speech a hinted decode left out is found and decoded again without hints."""
from __future__ import annotations

import json
from pathlib import Path

from chronos.ai.dropped_speech import fill_dropped, gaps
from chronos.ai.transcriber import speech_seconds
from chronos.models.transcripts import Segment, Word
from tests.segments import seg
from chronos.pipeline.media import load_audio

FIXTURES = Path(__file__).parent / "fixtures"


def test_only_gaps_longer_than_a_pause_count():
    segments = [seg(0.5, 4.0, "one two three four"), seg(4.3, 8.0, "five six seven"),
                seg(12.0, 15.0, "eight nine ten")]
    assert gaps(segments, 15.5) == [(8.0, 12.0)]  # 0.5 s before, 0.3 s between, 0.5 s after: pauses
    assert gaps(segments, 20.0) == [(8.0, 12.0), (15.0, 20.0)]
    assert gaps([], 10.0) == [(0.0, 10.0)]


def test_a_gap_with_speech_gets_its_words_back_in_order():
    segments = [seg(0.0, 4.0, "the river rises"), seg(9.0, 12.0, "and floods the plain")]
    redos = []

    def redo(start, end):
        redos.append((start, end))
        return [seg(4.4, 8.6, "in the Andes each spring")]

    out = fill_dropped(segments, 12.0, lambda start, end: 4.0, redo)
    assert redos == [(4.0, 9.0)]
    assert [s.text for s in out] == ["the river rises", "in the Andes each spring", "and floods the plain"]


def test_a_silent_gap_is_left_alone_and_costs_no_decode():
    segments = [seg(0.0, 4.0, "the river rises"), seg(9.0, 12.0, "and floods the plain")]

    def redo(start, end):
        raise AssertionError("a gap without speech was decoded again")

    assert fill_dropped(segments, 12.0, lambda start, end: 0.2, redo) == segments
    # A five-second pause with a cough in it: a second of speech, but a fifth of the gap.
    assert fill_dropped(segments, 12.0, lambda start, end: 1.0, redo) == segments


def test_a_segment_spanning_the_gap_is_split_around_the_words_put_back():
    words = [Word(0.0, 1.0, " the"), Word(1.0, 2.0, " river"), Word(8.0, 9.0, " floods"),
             Word(9.0, 10.0, " plains.")]
    spanning = Segment(0.0, 10.0, "the river floods plains.", words)
    out = fill_dropped([spanning], 10.0, lambda start, end: 5.0,
                       lambda start, end: [seg(2.5, 7.5, "rises in spring and")])
    assert [s.text for s in out] == ["the river", "rises in spring and", "floods plains."]
    assert (out[0].start_s, out[0].end_s, out[2].start_s, out[2].end_s) == (0.0, 2.0, 8.0, 10.0)


def test_silero_hears_the_lecture_and_not_the_silence():
    speech = load_audio(FIXTURES / "photosynthesis.mp4")
    assert speech_seconds(speech, 8.0, 14.0) > 4.0  # a sentence about chlorophyll
    silence = load_audio(FIXTURES / "silent.mp4")
    assert speech_seconds(silence, 0.0, 3.0) == 0.0


def test_a_stretch_dropped_from_a_real_decode_comes_back(transcriber):
    """Whisper's own transcript of the lecture with one sentence's words taken out, as a hinted
    decode leaves them out: the real VAD finds speech there and the real decode puts it back."""
    audio = load_audio(FIXTURES / "photosynthesis.mp4")
    whole = transcriber.transcribe(audio).segments
    spoken = json.loads((FIXTURES / "photosynthesis.json").read_text())["sentences"]
    chlorophyll = next(s for s in spoken if "chlorophyll" in s["text"])
    start, end = chlorophyll["start_s"] - 0.2, chlorophyll["end_s"] + 0.2
    kept = [Segment(s.start_s, s.end_s, "".join(w.text for w in ws).strip(), ws)
            for s in whole if (ws := [w for w in s.words if w.end_s <= start or w.start_s >= end])]
    assert not any("chlorophyll" in s.text.lower() for s in kept)
    repaired = transcriber.repair_hinted(audio, kept, ["Photosynthesis", "chlorophyll"], "en")
    text = " ".join(s.text for s in repaired).lower()
    assert "chlorophyll" in text and "green light" in text
    starts = [s.start_s for s in repaired]
    assert starts == sorted(starts)
