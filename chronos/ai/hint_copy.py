"""Finding where Whisper wrote its hint list instead of the speech, and decoding those stretches
again without hints.

Hints reach Whisper as a comma-separated list before every window. On a hard-to-hear voice it
sometimes copies that list ("Cotopaxi, Cotopaxi, Chimborazo, La Paz, ...") or imitates its shape
(short phrases, each capitalised after a comma: "de Marcanos, The highest summit, And on the whole
..."). bench/README.md ("Hint copying") has what these signs catch and what they cost.
"""
from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import replace
from difflib import SequenceMatcher

from chronos.models.transcripts import Segment, Word

# Three hint terms in a row with nothing but punctuation between them is the list, not speech:
# the twelve hard-set lectures (their own glossaries) never say three of their terms that way.
RUN_TERMS = 3
# Segments mostly made of hint words, once they are this long, are the list too.
DENSE_WORDS = 4
DENSE_SHARE = 0.6
# Whisper writes a common word capitalised after a comma only when it imitates the list's shape.
LIST_CAPITALS = 2
# A stretch is taken from the hint-free decode only when the two decodes share less than this
# (difflib's ratio over their words): where they agree, the hinted one heard the same speech and
# has the names right; where they differ, the hinted one wrote something other than the speech.
# On the hard set, name-dense speech heard right with hints shared 0.47-0.48 with the plain
# decode (which misheard the names); a copied stretch shared 0.0.
SAME_SPEECH = 0.35
# A list's commas: at least this many, and one for every COMMA_WORDS words or fewer.
LIST_COMMAS = 4
COMMA_WORDS = 4
_COMMON = frozenset(
    "a about after all also an and as at because before but by for from he her his how i if in "
    "into is it its no not now of on or our over so some that the their then there these they "
    "this those to under was we were what when where which while who why with you".split())
_WORD = re.compile(r"[\w']+")
_CAPITAL_AFTER_COMMA = re.compile(r",\s+([A-Z][a-z']*)\b")


def _key(text: str) -> list[str]:
    return _WORD.findall(text.casefold())


def copy_signs(text: str, hints: Sequence[str]) -> int:
    """How many signs of the hint list a segment's text shows (0 for ordinary speech): a hint term
    repeated back to back, runs of RUN_TERMS or more hint terms with only punctuation between,
    a segment mostly of hint words, common words capitalised after commas, and a comma every few
    words."""
    words = _key(text)
    terms = sorted({tuple(_key(h)) for h in hints if _key(h)}, key=len, reverse=True)
    # Where each hint term starts and ends in the text (longest first, no overlaps).
    found: list[tuple[int, int, tuple[str, ...]]] = []
    i = 0
    while i < len(words):
        term = next((t for t in terms if tuple(words[i:i + len(t)]) == t), None)
        if term:
            found.append((i, i + len(term), term))
            i += len(term)
        else:
            i += 1
    signs = 0
    run = 1
    for (_, end, term), (start, _, nxt) in zip(found, found[1:]):
        adjacent = start == end and _only_punctuation_between(text, term, nxt)
        if adjacent and term == nxt:
            signs += 1
        run = run + 1 if adjacent else 1
        if run == RUN_TERMS:
            signs += 1
    hinted = sum(end - start for start, end, _ in found)
    if len(words) >= DENSE_WORDS and hinted >= DENSE_SHARE * len(words):
        signs += 1
    capitals = sum(1 for w in _CAPITAL_AFTER_COMMA.findall(text) if w.casefold() in _COMMON)
    if capitals >= LIST_CAPITALS:
        signs += 1
    commas = text.count(",")
    if commas >= LIST_COMMAS and commas * COMMA_WORDS >= len(words):
        signs += 1
    return signs


def _only_punctuation_between(text: str, first: tuple[str, ...], second: tuple[str, ...]) -> bool:
    """Whether the text has the two terms joined by punctuation alone (not by 'and', 'the', ...)."""
    sep = r"[\s,;.:!?\-]*"
    pattern = (r"\b" + r"\W+".join(map(re.escape, first)) + sep
               + r"\W+".join(map(re.escape, second)) + r"\b")
    return re.search(pattern, text.casefold()) is not None


def redo_copied(segments: list[Segment], hints: list[str],
                redo: Callable[[float, float], list[Segment]]) -> list[Segment]:
    """The transcript with each run of segments that shows hint-list signs replaced by redo(start,
    end), a decode of that stretch without hints, when that decode shows fewer signs and says
    something else (less than SAME_SPEECH alike). The stretch runs from the end of the segment
    before to the start of the one after, so no speech is lost between them and none heard twice."""
    flagged = [copy_signs(s.text, hints) > 0 for s in segments]
    out: list[Segment] = []
    i = 0
    while i < len(segments):
        if not flagged[i]:
            out.append(segments[i])
            i += 1
            continue
        j = i
        while j < len(segments) and flagged[j]:
            j += 1
        start = segments[i - 1].end_s if i > 0 else 0.0
        end = segments[j].start_s if j < len(segments) else segments[j - 1].end_s + 1.0
        again = redo(start, end)
        before = sum(copy_signs(s.text, hints) for s in segments[i:j])
        after = sum(copy_signs(s.text, hints) for s in again)
        alike = SequenceMatcher(None, _key(" ".join(s.text for s in segments[i:j])),
                                _key(" ".join(s.text for s in again)), autojunk=False).ratio()
        out.extend(again if after < before and alike < SAME_SPEECH else segments[i:j])
        i = j
    return out


def shift(segment: Segment, offset_s: float) -> Segment:
    """A segment decoded from a piece of audio, moved onto the whole recording's clock."""
    def at(t: float) -> float:
        return round(t + offset_s, 3)

    return replace(segment, start_s=at(segment.start_s), end_s=at(segment.end_s),
                   words=[Word(at(w.start_s), at(w.end_s), w.text, w.probability) for w in segment.words])
