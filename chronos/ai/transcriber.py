"""Speech to timed text with faster-whisper, loaded once from a local model folder."""
from __future__ import annotations

import os
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from chronos.models.transcripts import Segment, Word

SAMPLE_RATE = 16_000
# faster-whisper keeps the first max_length // 2 - 1 = 223 tokens of `hotwords` and cuts the rest
# mid-word; staying under that with whole terms keeps every hint intact (a few tokens to spare).
HINT_TOKENS = 220


@dataclass(frozen=True)
class Transcript:
    language: str
    language_probability: float
    duration_s: float
    segments: list[Segment]


def usable_cores() -> int:
    """The CPU cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # macOS and Windows
        return os.cpu_count() or 2


def default_threads() -> int:
    """Whisper's threads: every usable core, up to 8. Measured on a quiet 2-vCPU machine, two
    threads take Whisper base from RTF 0.146 to 0.083 (bench/README.md). More threads than cores
    makes CTranslate2 far slower, so never more than the cores this process may use."""
    return max(1, min(8, usable_cores()))


def pick_device(preference: str = "auto") -> tuple[str, str]:
    """(device, compute_type): CUDA float16 when a GPU is present, else int8 on the CPU."""
    if preference in ("auto", "cuda"):
        import ctranslate2

        if ctranslate2.get_cuda_device_count() > 0:
            return "cuda", "float16"
        if preference == "cuda":
            raise RuntimeError("whisper_device is 'cuda' but no CUDA device is available.")
    # float32 is ~10x slower than int8 on CPUs without fast float kernels, for ~2 points of WER.
    return "cpu", "int8"


class Transcriber:
    """A Whisper model behind one method; the model loads on first use and is then shared."""

    def __init__(self, model_dir: Path, *, name: str, device: str = "auto", threads: int = 0,
                 beam_size: int = 5, language: str = "", vad_filter: bool = True):
        self.model_dir = Path(model_dir)
        self.name = name
        self.device, self.compute_type = pick_device(device)
        self.threads = threads or default_threads()
        self.beam_size = beam_size
        self.language = language or None
        self.vad_filter = vad_filter
        self._model = None
        self._lock = threading.Lock()

    def _load(self):
        with self._lock:
            if self._model is None:
                from faster_whisper import WhisperModel

                self._model = WhisperModel(str(self.model_dir), device=self.device,
                                           compute_type=self.compute_type, cpu_threads=self.threads)
        return self._model

    def load(self) -> None:
        """Load the model now (a warm start), rather than at the first transcription."""
        self._load()

    def hotwords(self, hints: Sequence[str]) -> str | None:
        """The hints as one hotword phrase: whole terms in the given order, as many as fit
        Whisper's prompt (a term that does not fit is skipped so shorter later ones still can)."""
        tokenizer = self._load().hf_tokenizer
        kept: list[str] = []
        used = 0
        for term in hints:
            cost = len(tokenizer.encode(" " + term).ids) + (1 if kept else 0)  # the ", " before it
            if used + cost <= HINT_TOKENS:
                kept.append(term)
                used += cost
        return ", ".join(kept) or None

    def transcribe(self, audio: np.ndarray, on_progress: Callable[[float], None] | None = None,
                   *, hints: Sequence[str] | None = None) -> Transcript:
        """Transcribe 16 kHz mono float32 audio; on_progress gets the fraction done (0..1).

        hints: the words the lecture uses (names, terms, titles), most specific first. They go to
        Whisper as `hotwords`, which prefix every 30 s window; `initial_prompt` would reach only
        the first window, since each window is decoded without the previous one's text.
        """
        model = self._load()
        duration = len(audio) / SAMPLE_RATE
        segments_iter, info = model.transcribe(
            audio, language=self.language, beam_size=self.beam_size, word_timestamps=True,
            vad_filter=self.vad_filter, condition_on_previous_text=False,
            hotwords=self.hotwords(hints) if hints else None)
        segments: list[Segment] = []
        # The generator decodes lazily: each step is one ~30 s window, so progress is real.
        for seg in segments_iter:
            words = [Word(round(w.start, 3), round(w.end, 3), w.word, round(w.probability, 4))
                     for w in (seg.words or [])]
            segments.append(Segment(round(seg.start, 3), round(seg.end, 3), seg.text.strip(), words))
            if on_progress and duration > 0:
                on_progress(min(1.0, seg.end / duration))
        if on_progress:
            on_progress(1.0)
        return Transcript(info.language, info.language_probability, duration, segments)
