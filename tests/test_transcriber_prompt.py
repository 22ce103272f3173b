"""What Whisper hears before each window (chronos/ai/transcriber.py, CONDITIONED_MODELS): with
base, the text of the windows before it, or with hints the hint list instead; tiny.en hears each
window alone. And a sentence a segment."""
from __future__ import annotations

import pytest

from chronos.ai.transcriber import Transcriber
from chronos.ai.weights import whisper_model_dir
from chronos.models.transcripts import ends_sentence
from chronos.pipeline import media
from tests.conftest import FIXTURES, wer


def _decode_recording(transcriber: Transcriber, monkeypatch, **options):
    """Transcribe the photosynthesis fixture; returns the transcript and what each decode was asked."""
    model = transcriber._load()
    real, asked = model.transcribe, []

    def recording(*args, **kw):
        asked.append((kw["condition_on_previous_text"], kw["hotwords"]))
        return real(*args, **kw)

    monkeypatch.setattr(model, "transcribe", recording)
    transcript = transcriber.transcribe(media.load_audio(FIXTURES / "photosynthesis.mp4"), **options)
    monkeypatch.undo()
    return transcript, asked


@pytest.fixture(scope="module")
def base(models_dir) -> Transcriber:
    return Transcriber(whisper_model_dir("base", models_dir), name="base", device="cpu")


def test_base_hears_the_text_before_each_window_unless_hints_are_given(base, monkeypatch):
    plain, asked = _decode_recording(base, monkeypatch, language="en")
    assert asked == [(True, None)]
    reference = (FIXTURES / "photosynthesis.txt").read_text()
    assert wer(reference, " ".join(s.text for s in plain.segments)) < 0.25
    for segment in plain.segments:  # a sentence a line: no sentence ends inside a segment
        inner = segment.words[:-1]
        assert not any(ends_sentence(w.text, segment.words[i + 1].text) for i, w in enumerate(inner)), segment.text
    _, asked = _decode_recording(base, monkeypatch, language="en", hints=["photosynthesis", "chlorophyll"])
    condition, hotwords = asked[0]  # the hinted decode (any redo of the guards comes after it)
    assert condition is False and "chlorophyll" in hotwords


def test_tiny_en_hears_each_window_alone(transcriber, monkeypatch):
    _, asked = _decode_recording(transcriber, monkeypatch)
    assert asked == [(False, None)]
