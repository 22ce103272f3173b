"""What Whisper hears before each window (chronos/ai/transcriber.py, CONDITION_ON_PREVIOUS_TEXT):
the text of the windows before it, or with hints the hint list instead; and a sentence a segment."""
from __future__ import annotations

from chronos.models.transcripts import ends_sentence
from chronos.pipeline import media
from tests.conftest import FIXTURES, wer


def test_windows_hear_the_text_before_them_unless_hints_are_given(transcriber, monkeypatch):
    audio = media.load_audio(FIXTURES / "photosynthesis.mp4")
    reference = (FIXTURES / "photosynthesis.txt").read_text()
    model = transcriber._load()
    real, asked = model.transcribe, []

    def recording(*args, **options):
        asked.append((options["condition_on_previous_text"], options["hotwords"]))
        return real(*args, **options)

    monkeypatch.setattr(model, "transcribe", recording)
    plain = transcriber.transcribe(audio)
    assert asked == [(True, None)]
    assert wer(reference, " ".join(s.text for s in plain.segments)) < 0.25
    for segment in plain.segments:  # a sentence a line: no sentence ends inside a segment
        inner = segment.words[:-1]
        assert not any(ends_sentence(w.text, segment.words[i + 1].text) for i, w in enumerate(inner)), segment.text
    asked.clear()
    transcriber.transcribe(audio, hints=["photosynthesis", "chlorophyll"])
    condition, hotwords = asked[0]  # the hinted decode (any redo of the guards comes after it)
    assert condition is False and "chlorophyll" in hotwords
