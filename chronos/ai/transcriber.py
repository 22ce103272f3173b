"""Speech to timed text with faster-whisper, loaded once from a local model folder."""
from __future__ import annotations

import os
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from chronos.ai.dropped_speech import fill_dropped
from chronos.ai.hint_copy import redo_copied, shift
from chronos.models.transcripts import Segment, Word, ends_sentence

SAMPLE_RATE = 16_000
# faster-whisper keeps the first max_length // 2 - 1 = 223 tokens of `hotwords` and cuts the rest
# mid-word; staying under that with whole terms keeps every hint intact (a few tokens to spare).
HINT_TOKENS = 220
# Whisper's own test for a decode stuck repeating itself: text that gzip shrinks more than this.
LOOPING = 2.4
# Seconds of audio either side of a stretch decoded again without hints (ai/hint_copy.py).
REDO_CONTEXT_S = 10.0
# The models whose 30 s windows are each decoded with the text of the windows before as their
# prompt (Whisper's own default); with hints the hint list is the prompt instead, as measured with
# them. Whisper base, on the twelve voices of the hard set without hints: pooled WER 20.9 % ->
# 18.6 %, better on eleven voices (up to 6 points), 1.3 points worse on one, 2 % more decoding
# time, sentences as many as before (bench/README.md, "Conditioning on the previous text").
# tiny.en gained nothing (WER better on three voices of six, worse on three) and lost its
# punctuation where it went wrong (one lecture 12 -> 4 full stops of 22; a fixture ran four
# sentences into one across a change of topic), and sentences are what answers cite: it hears
# each window alone.
CONDITIONED_MODELS = frozenset({"base"})
# Seconds before the point a transcription resumes from that Whisper hears again, their words not
# kept: the seam's last word is heard whole, whatever its saved end time. (The saved text as
# `initial_prompt` was tried too: with this overlap it once dropped a sentence after the seam,
# without it it was no better; bench/README.md, "Resuming".)
RESUME_CONTEXT_S = 5.0
# Windows of speech (30 s each) Whisper hears to detect a lecture's language: their probabilities
# are averaged, and it stops early once the average's best language is SURE_LANGUAGE likely.
# Stopping at the first window above 0.5 (faster-whisper's rule) took the hard set's Caribbean
# voice (en-029+f2) for Latin, as its second window said (la 0.59, en 0.21): the whole lecture was
# decoded as Latin, 87 s of it lost to noise, WER 56.6 % (31.8 % decoded as English; bench/README.md,
# "Which language"). A French espeak lecture was taken for Latin on one window too (la 0.38, fr
# 0.31). A clear voice is sure in its first window (0.9-0.99), so it costs nothing there.
DETECTION_WINDOWS = 5
SURE_LANGUAGE = 0.8
# Languages never detected, only set (the creator fixes a video's language, or whisper_language):
# Whisper base takes synthetic and accented speech for Latin. Averaged over five windows the
# Caribbean voice above still came out Latin (la 0.37; the hard set's Eocene voice la 0.51 against
# en 0.42); with Latin left out both are English, and every lecture of the hard set, the small set
# and the es/de/fr fixtures is detected right.
NOT_DETECTED = frozenset({"la"})


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


def by_sentence(segment: Segment) -> list[Segment]:
    """A segment cut after each word that ends a sentence, each piece timed by its words. The
    batched pipeline gives one segment per speech chunk (up to 30 s), and sequential decoding,
    conditioned on the text before, sometimes runs two sentences into one segment; captions,
    subtitles and the editor want a sentence a line."""
    pieces: list[list[Word]] = [[]]
    for i, word in enumerate(segment.words):
        pieces[-1].append(word)
        following = segment.words[i + 1].text if i + 1 < len(segment.words) else None
        if ends_sentence(word.text, following):
            pieces.append([])
    pieces = [p for p in pieces if p]
    if len(pieces) < 2:
        return [segment]
    return [Segment(p[0].start_s, p[-1].end_s, "".join(w.text for w in p).strip(), p) for p in pieces]


def words_after(segment: Segment, after_s: float) -> Segment | None:
    """The part of a segment spoken after after_s (each word by its middle), or None."""
    if not segment.words:
        return segment if segment.start_s >= after_s else None
    kept = [w for w in segment.words if (w.start_s + w.end_s) / 2 > after_s]
    if len(kept) == len(segment.words):
        return segment
    if not kept:
        return None
    return Segment(kept[0].start_s, kept[-1].end_s, "".join(w.text for w in kept).strip(), kept)


class Transcriber:
    """A Whisper model behind one method; the model loads on first use and is then shared."""

    def __init__(self, model_dir: Path, *, name: str, device: str = "auto", threads: int = 0,
                 beam_size: int = 5, language: str = "", vad_filter: bool = True,
                 batch_size: int = 0):
        self.model_dir = Path(model_dir)
        self.name = name
        self.device, self.compute_type = pick_device(device)
        self.threads = threads or default_threads()
        self.beam_size = beam_size
        self.language = language or None
        self.vad_filter = vad_filter
        # > 0: faster-whisper's batched pipeline decodes this many speech chunks at once (it cuts
        # the audio with its voice detector, so VAD is always on then); 0: one window at a time.
        self.batch_size = max(0, batch_size)
        self.condition_on_previous_text = name in CONDITIONED_MODELS  # bench/conditioning.py compares
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
                   *, hints: Sequence[str] | None = None, resume: Sequence[Segment] = (),
                   language: str | None = None,
                   on_decoded: Callable[[str, list[Segment]], None] | None = None) -> Transcript:
        """Transcribe 16 kHz mono float32 audio; on_progress gets the fraction done (0..1).

        hints: the words the lecture uses (names, terms, titles), most specific first. They go to
        Whisper as `hotwords`, which prefix every 30 s window (and take the place of the previous
        windows' text as its prompt, CONDITIONED_MODELS); `initial_prompt` would reach only
        the first window.
        language: the language it is spoken in, fixed by the creator for this video; otherwise the
        whisper_language setting's, and without that Whisper detects it from the first 30 s.
        resume: the segments an interrupted transcription of this audio saved, decoded in
        `language`: only the speech after the last of them is decoded, and the transcript starts
        with them. on_decoded(language, segments) gets the new segments as each step of the
        decode ends (before any hint copy is decoded again), so they can be saved as they come.
        """
        duration = len(audio) / SAMPLE_RATE
        hotwords = self.hotwords(hints) if hints else None

        def progress(seconds: float) -> None:
            if on_progress and duration > 0:
                on_progress(min(1.0, seconds / duration))

        language, probability, segments = self._decode(
            audio, hotwords, progress, language=language, after_s=resume[-1].end_s if resume else 0.0,
            on_step=on_decoded)
        segments = [*resume, *segments]
        if hotwords:
            segments = self.repair_hinted(audio, segments, hints, language)
        if on_progress:
            on_progress(1.0)
        return Transcript(language, probability, duration, segments)

    def _decode(self, audio: np.ndarray, hotwords: str | None,
                progress: Callable[[float], None] = lambda seconds: None,
                language: str | None = None, batched: bool = True, after_s: float = 0.0,
                on_step: Callable[[str, list[Segment]], None] | None = None,
                ) -> tuple[str, float, list[Segment]]:
        """Decode the speech after after_s (all of it by default), batched when batch_size is set
        and batched is true, else one window at a time; progress gets the seconds decoded so far
        and on_step the segments of each step. A decode after after_s starts RESUME_CONTEXT_S
        before it, so Whisper hears the words that lead up to it, and keeps only the words after."""
        model = self._load()
        first = max(0.0, after_s - RESUME_CONTEXT_S)
        piece = audio[round(first * SAMPLE_RATE):] if first else audio
        detected = None if language or self.language else self.detect_language(piece)
        options = dict(language=language or self.language or detected[0], beam_size=self.beam_size,
                       word_timestamps=True, hotwords=hotwords,
                       condition_on_previous_text=self.condition_on_previous_text and not hotwords)
        batched = batched and self.batch_size > 0
        if batched:
            from faster_whisper import BatchedInferencePipeline

            # A pipeline per call: it carries the last word's time from one batch to the next.
            # Without timestamp tokens: with them, a chunk's speech after its last timestamp is
            # dropped (sequential decoding goes back for it; the batched pipeline does not).
            segments_iter, info = BatchedInferencePipeline(model).transcribe(
                piece, batch_size=self.batch_size, without_timestamps=True, vad_filter=True,
                **options)
        else:
            segments_iter, info = model.transcribe(piece, vad_filter=self.vad_filter, **options)
        segments: list[Segment] = []
        # The generator decodes lazily (one window, or one batch of chunks, per step), so
        # progress is real and a cancelled video stops at the next step.
        for seg in segments_iter:
            words = [Word(round(w.start, 3), round(w.end, 3), w.word, round(w.probability, 4))
                     for w in (seg.words or [])]
            whole = shift(Segment(round(seg.start, 3), round(seg.end, 3), seg.text.strip(), words), first)
            if batched and seg.compression_ratio > LOOPING:
                # The batched pipeline has no fallback for a decode stuck repeating itself;
                # sequential decoding retries such a window at higher temperatures.
                step = self._redo(audio, whole.start_s, whole.end_s, info.language,
                                  hotwords=hotwords, batched=False)
            else:
                step = by_sentence(whole)
            if after_s:
                step = [kept for s in step if (kept := words_after(s, after_s)) is not None]
            segments.extend(step)
            if on_step and step:
                on_step(info.language, step)
            progress(whole.end_s)
        return info.language, detected[1] if detected else info.language_probability, segments

    def detect_language(self, audio: np.ndarray) -> tuple[str, float]:
        """The language the audio is spoken in and how likely, averaged over up to
        DETECTION_WINDOWS windows of its speech (see SURE_LANGUAGE), never one of NOT_DETECTED
        (the batched pipeline would look at one window only, however unsure it is)."""
        model = self._load()
        if not model.model.is_multilingual:  # tiny.en and the like: English, nothing to detect
            return "en", 1.0
        from faster_whisper.vad import VadOptions, collect_chunks, get_speech_timestamps

        chunks, _ = collect_chunks(audio, get_speech_timestamps(audio, VadOptions()))
        speech = np.concatenate(chunks) if chunks else audio[:0]
        if not len(speech):  # no speech found: Whisper hears what there is
            speech = audio
        window = model.feature_extractor.n_samples
        totals: dict[str, float] = {}
        heard = 0
        for start in range(0, max(1, len(speech)), window):
            _, _, probabilities = model.detect_language(audio=speech[start:start + window])
            heard += 1
            for language, probability in probabilities:
                if language not in NOT_DETECTED:
                    totals[language] = totals.get(language, 0.0) + probability
            best = max(totals, key=totals.get)
            if totals[best] / heard >= SURE_LANGUAGE or heard == DETECTION_WINDOWS:
                break
        return best, round(totals[best] / heard, 4)

    def repair_hinted(self, audio: np.ndarray, segments: list[Segment], hints: Sequence[str], language: str,
                      redo: Callable[[float, float], list[Segment]] | None = None,
                      speech: Callable[[float, float], float] | None = None) -> list[Segment]:
        """A hinted decode with what hints can do wrong decoded again without them: stretches that
        copy the hint list (ai/hint_copy.py), then speech left out (ai/dropped_speech.py).
        redo(start, end) decodes a stretch without hints and speech(start, end) says how many
        seconds of it are speech (by default _redo and speech_seconds on this audio)."""
        return repair_hinted(segments, hints, len(audio) / SAMPLE_RATE,
                             redo or (lambda start, end: self._redo(audio, start, end, language)),
                             speech or (lambda start, end: speech_seconds(audio, start, end)))

    def _redo(self, audio: np.ndarray, start_s: float, end_s: float, language: str, *,
              hotwords: str | None = None, batched: bool = True) -> list[Segment]:
        """The speech between start_s and end_s decoded again (without hints unless given), on
        the whole recording's clock, in the language already detected. Whisper hears a few
        seconds alone badly, so the stretch is decoded with up to REDO_CONTEXT_S either side and
        only the words inside it are kept."""
        duration = len(audio) / SAMPLE_RATE
        pad = max(0.0, min(REDO_CONTEXT_S, (30.0 - (end_s - start_s)) / 2))
        first, last = max(0.0, start_s - pad), min(duration, end_s + pad)
        piece = audio[int(first * SAMPLE_RATE):int(last * SAMPLE_RATE)]
        _, _, segments = self._decode(piece, hotwords, language=language, batched=batched)
        inside = [w for seg in segments for w in shift(seg, first).words
                  if start_s <= (w.start_s + w.end_s) / 2 <= end_s]
        if not inside:
            return []
        whole = "".join(w.text for w in inside).strip()
        return by_sentence(Segment(inside[0].start_s, inside[-1].end_s, whole, inside))


def repair_hinted(segments: list[Segment], hints: Sequence[str], duration_s: float,
                  redo: Callable[[float, float], list[Segment]],
                  speech: Callable[[float, float], float]) -> list[Segment]:
    """The two guards on a hinted decode, in order: hint copies, then dropped speech (what
    Transcriber.repair_hinted runs; bench/decodes.py replays it from recorded redos)."""
    return fill_dropped(redo_copied(segments, list(hints), redo), duration_s, speech, redo)


def speech_seconds(audio: np.ndarray, start_s: float, end_s: float) -> float:
    """Seconds of speech Silero's voice activity detector (shipped inside faster-whisper) hears in
    a stretch of 16 kHz audio."""
    from faster_whisper.vad import VadOptions, get_speech_timestamps

    piece = audio[int(start_s * SAMPLE_RATE):int(end_s * SAMPLE_RATE)]
    if len(piece) < SAMPLE_RATE // 10:
        return 0.0
    found = get_speech_timestamps(piece, VadOptions(min_silence_duration_ms=300, speech_pad_ms=0))
    return sum(t["end"] - t["start"] for t in found) / SAMPLE_RATE
