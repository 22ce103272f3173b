"""Transcript segments for tests of the transcript guards."""
from __future__ import annotations

from chronos.models.transcripts import Segment, Word


def seg(start: float, end: float, text: str) -> Segment:
    """A segment whose words share its span evenly."""
    parts = text.split()
    step = (end - start) / len(parts)
    return Segment(start, end, text, [Word(round(start + i * step, 3), round(start + (i + 1) * step, 3),
                                           " " + w) for i, w in enumerate(parts)])
