"""Which language a lecture is transcribed in: averaged over windows of speech, never Latin."""
from __future__ import annotations

from types import SimpleNamespace

import numpy as np

from chronos.ai import transcriber as transcriber_module
from chronos.ai.transcriber import Transcriber

WINDOW = 16_000  # one "window" of this fake model is a second of audio


class FakeWhisper:
    """Whisper's language detection, window by window, as faster-whisper returns it."""

    def __init__(self, windows: list[dict[str, float]]):
        self.windows = windows
        self.heard = 0
        self.model = SimpleNamespace(is_multilingual=True)
        self.feature_extractor = SimpleNamespace(n_samples=WINDOW)

    def detect_language(self, audio):
        probabilities = sorted(self.windows[self.heard].items(), key=lambda kv: -kv[1])
        self.heard += 1
        return probabilities[0][0], probabilities[0][1], probabilities


def detect(windows: list[dict[str, float]]) -> tuple[tuple[str, float], int]:
    t = Transcriber("unused", name="base", device="cpu")
    t._model = FakeWhisper(windows)
    # Silence: with no speech found, detection hears the audio as it is, window by window.
    audio = np.zeros(WINDOW * len(windows), dtype=np.float32)
    return t.detect_language(audio), t._model.heard


def test_a_sure_first_window_decides_alone():
    (language, probability), heard = detect([{"en": 0.95, "la": 0.02}, {"la": 0.9, "en": 0.05}])
    assert (language, heard) == ("en", 1) and probability == 0.95


def test_unsure_windows_are_averaged_and_latin_is_never_detected():
    # The hard set's Caribbean voice: Latin wins most windows, English comes next.
    windows = [{"la": 0.40, "en": 0.14, "yo": 0.12}, {"la": 0.59, "en": 0.21, "cy": 0.05},
               {"en": 0.59, "la": 0.20}, {"la": 0.47, "en": 0.38}, {"en": 0.47, "la": 0.30},
               {"la": 0.9, "en": 0.05}]
    (language, probability), heard = detect(windows)
    assert language == "en" and heard == transcriber_module.DETECTION_WINDOWS == 5
    assert abs(probability - (0.14 + 0.21 + 0.59 + 0.38 + 0.47) / 5) < 1e-3


def test_the_language_likeliest_on_average_wins_over_the_one_a_window_favours():
    windows = [{"fr": 0.45, "br": 0.40}, {"br": 0.6, "fr": 0.3}, {"fr": 0.6, "br": 0.3}]
    (language, _), heard = detect(windows)
    assert language == "fr" and heard == 3
