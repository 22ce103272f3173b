"""Turning a timed transcript into timed chunks along sentence boundaries."""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from chronos.models.chunks import ChunkDraft
from chronos.models.transcripts import Segment, ends_sentence

# Why these sizes: at lecture pace (130-160 words a minute) 50 words is about 20 s of speech, so a
# citation lands on a moment rather than a quarter of an hour, while still holding a whole idea for
# the embedding to capture. MiniLM reads at most 256 word pieces (~190 words), so the 90-word cap
# keeps every chunk fully embedded. One sentence of overlap makes an idea that straddles a boundary
# findable from either side.
TARGET_WORDS = 50
MAX_WORDS = 90
MAX_SECONDS = 40.0
OVERLAP_MAX_WORDS = 25


@dataclass(frozen=True)
class Sentence:
    start_s: float
    end_s: float
    text: str

    @property
    def words(self) -> int:
        return len(self.text.split())


def sentences_from_segments(segments: Iterable[Segment]) -> list[Sentence]:
    """Split the transcript into sentences, timed by their first and last word."""
    sentences: list[Sentence] = []
    buf: list[tuple[float, float, str]] = []

    def flush() -> None:
        if buf:
            text = "".join(w for _, _, w in buf).strip()
            if text:
                sentences.append(Sentence(buf[0][0], buf[-1][1], " ".join(text.split())))
            buf.clear()

    words = [w for seg in segments
             for w in ([(w.start_s, w.end_s, w.text) for w in seg.words] or [(seg.start_s, seg.end_s, " " + seg.text)])]
    for i, (start, end, text) in enumerate(words):
        buf.append((start, end, text))
        if ends_sentence(text, words[i + 1][2] if i + 1 < len(words) else None):
            flush()
    flush()
    return [s for piece in sentences for s in _split_long(piece)]


def _split_long(sentence: Sentence) -> list[Sentence]:
    """Cut a run-on sentence (speech without punctuation) into pieces of at most MAX_WORDS."""
    words = sentence.text.split()
    if len(words) <= MAX_WORDS:
        return [sentence]
    pieces, span = [], sentence.end_s - sentence.start_s
    for i in range(0, len(words), TARGET_WORDS):
        part = words[i:i + TARGET_WORDS]
        # Without word times inside the sentence, time is shared out by word count.
        start = sentence.start_s + span * i / len(words)
        end = sentence.start_s + span * min(len(words), i + TARGET_WORDS) / len(words)
        pieces.append(Sentence(round(start, 3), round(end, 3), " ".join(part)))
    return pieces


def chunk_sentences(sentences: list[Sentence]) -> list[ChunkDraft]:
    """Pack sentences into chunks near TARGET_WORDS, with one sentence of overlap."""
    chunks: list[ChunkDraft] = []
    current: list[Sentence] = []
    fresh = 0  # sentences in `current` not already in the previous chunk

    def emit() -> None:
        chunks.append(ChunkDraft(current[0].start_s, current[-1].end_s,
                                 " ".join(s.text for s in current)))

    for sentence in sentences:
        words = sum(s.words for s in current)
        too_big = words + sentence.words > MAX_WORDS
        too_long = current and sentence.end_s - current[0].start_s > MAX_SECONDS
        if current and fresh and (words >= TARGET_WORDS or too_big or too_long):
            emit()
            last = current[-1]
            keep = last.words <= OVERLAP_MAX_WORDS and last.words + sentence.words <= MAX_WORDS
            current = [last] if keep else []
            fresh = 0
        current.append(sentence)
        fresh += 1
    if current and fresh:
        emit()
    return chunks
