"""Finding speech a hinted decode left out, and decoding it again without hints.

With hints, Whisper sometimes skips a stretch of a window: the decode goes on 10-20 s later and
the words between are gone (the hard set's Miocene lecture lost 140.5-150.6 s, the Thirty Years'
War 57-79 s; without hints both were whole). Those are the voices whose word errors hints raised
(bench/README.md, "Dropped speech"). Such a stretch shows as a gap between two words that is far
longer than a pause between sentences and in which voice activity detection still hears speech.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from chronos.models.transcripts import Segment

# A gap between words worth a look: espeak's pause between sentences is 0.35 s, a speaker's
# breath under a second; the dropped stretches of the hard set were 3-22 s.
GAP_S = 1.5
# Speech the voice activity detector must hear in a gap before it is decoded again, in seconds
# and as a share of the gap: a cough, an "um" or a word's trailing sound in a pause is not a
# dropped sentence (the hard set's dropped stretches were 95-99 % speech), and each redo costs a
# decode of up to 30 s of audio.
MIN_SPEECH_S = 1.0
MIN_SPEECH_SHARE = 0.5


def gaps(segments: list[Segment], duration_s: float) -> list[tuple[float, float]]:
    """The stretches longer than GAP_S with no word in them: before the first word, between
    words, and after the last."""
    words = [w for s in segments for w in s.words]
    if not words:
        return [(0.0, duration_s)] if duration_s > GAP_S else []
    edges = [(0.0, words[0].start_s), *((a.end_s, b.start_s) for a, b in zip(words, words[1:])),
             (words[-1].end_s, duration_s)]
    return [(start, end) for start, end in edges if end - start > GAP_S]


def fill_dropped(segments: list[Segment], duration_s: float, speech_s: Callable[[float, float], float],
                 redo: Callable[[float, float], list[Segment]]) -> list[Segment]:
    """The transcript with the speech of each wordless gap put back: redo(start, end) decodes the
    gap without hints, for every gap where speech_s(start, end), the seconds of speech detected,
    reaches MIN_SPEECH_S and MIN_SPEECH_SHARE of it. A segment whose words lie on both sides of a
    gap is split at it."""
    out = list(segments)
    for start, end in gaps(segments, duration_s):
        speech = speech_s(start, end)
        if speech < MIN_SPEECH_S or speech < MIN_SPEECH_SHARE * (end - start):
            continue
        heard = [s for s in redo(start, end) if s.words]
        if heard:
            out = _insert(out, start, end, heard)
    return out


def _insert(segments: list[Segment], start: float, end: float, heard: list[Segment]) -> list[Segment]:
    before, after = [], []
    for seg in segments:
        if seg.words and seg.words[0].start_s < end and seg.words[-1].end_s > start:  # spans the gap
            first, second = _split(seg, (start + end) / 2)
            before += [first] if first else []
            after += [second] if second else []
        elif (seg.words[-1].end_s if seg.words else seg.end_s) <= start:
            before.append(seg)
        else:
            after.append(seg)
    return [*before, *heard, *after]


def _split(seg: Segment, at_s: float) -> tuple[Segment | None, Segment | None]:
    """A segment cut at a moment between its words: (the words before, the words after)."""
    halves = ([w for w in seg.words if w.end_s <= at_s], [w for w in seg.words if w.end_s > at_s])
    return tuple(replace(seg, start_s=words[0].start_s if i else seg.start_s,
                         end_s=seg.end_s if i else words[-1].end_s,
                         text="".join(w.text for w in words).strip(), words=words) if words else None
                 for i, words in enumerate(halves))
