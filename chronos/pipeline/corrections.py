"""The creator's corrections of a transcript: word times through an edit, what changed, and
putting stored edits back after a video is transcribed again.

Word times through an edit: the old and new word lists are aligned with difflib. A word the edit
left alone keeps its times; words that replace others share the replaced words' span, in
proportion to their length; words inserted where there were none share the gap between their
neighbours (zero-length at the boundary when the neighbours touch).

After a re-transcription (reapply_edits): an edit still applies when one segment of the new
transcript covers the same moment: the new segment that overlaps the edited span most, provided
the overlap is at least MATCH_IOU of the two spans together (intersection over union). The
creator's text wins over the new transcription of that moment; undo then returns to the new
transcription. An edit with no such segment (the moment was split or merged differently) is kept
as `unmatched` and no longer applied.
"""
from __future__ import annotations

import difflib
from collections.abc import Sequence

from chronos.db import Connection, transaction
from chronos.models import transcript_edits as edit_store
from chronos.models import transcripts
from chronos.models.transcripts import Segment, Word

MATCH_IOU = 0.6


def clean_text(text: str) -> str:
    """Text as a segment stores it: single spaces, no spaces at either end."""
    return " ".join(text.split())


def retime_words(words: Sequence[Word], new_text: str) -> list[Word]:
    """The words of `new_text`, timed from the segment's old words (see the module's rule)."""
    tokens = clean_text(new_text).split()
    if not words:
        return []  # a segment without word times stays timed by its start and end
    old = [w.text.strip() for w in words]
    timed: list[Word] = []
    matcher = difflib.SequenceMatcher(None, old, tokens, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            timed.extend(words[i1:i2])
        elif op in ("replace", "insert"):
            if op == "replace":
                start, end = words[i1].start_s, words[i2 - 1].end_s
            else:  # between the word before and the word after
                start = words[i1 - 1].end_s if i1 > 0 else words[0].start_s
                end = words[i1].start_s if i1 < len(words) else words[-1].end_s
                end = max(start, end)
            timed.extend(_share(tokens[j1:j2], start, end))
    return timed


def _share(tokens: Sequence[str], start: float, end: float) -> list[Word]:
    """Tokens spread over [start, end] in proportion to their length (one extra for the space)."""
    weights = [len(t) + 1 for t in tokens]
    total, at, out = sum(weights), start, []
    for token, weight in zip(tokens, weights):
        step = (end - start) * weight / total
        out.append(Word(round(at, 3), round(at + step, 3), " " + token, 1.0))
        at += step
    return out


def word_diff(old: str, new: str) -> list[list[str]]:
    """What an edit changed, word by word: [["equal"|"delete"|"insert", text], ...]."""
    a, b = old.split(), new.split()
    parts: list[list[str]] = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op == "equal":
            parts.append(["equal", " ".join(a[i1:i2])])
        if op in ("delete", "replace"):
            parts.append(["delete", " ".join(a[i1:i2])])
        if op in ("insert", "replace"):
            parts.append(["insert", " ".join(b[j1:j2])])
    return parts


def _overlap(a_start: float, a_end: float, b_start: float, b_end: float) -> float:
    """Intersection over union of two time spans (0 when they do not meet)."""
    inter = min(a_end, b_end) - max(a_start, b_start)
    union = max(a_end, b_end) - min(a_start, b_start)
    return inter / union if inter > 0 and union > 0 else 0.0


def reapply_edits(conn: Connection, video_id: int) -> tuple[int, int]:
    """Put the video's active edits back on its freshly saved transcript, in one transaction;
    returns (edits re-applied, edits left unmatched)."""
    applied = unmatched = 0
    with transaction(conn):
        active = edit_store.video_edits(conn, video_id, edit_store.ACTIVE)
        if not active:
            return 0, 0
        segments = transcripts.load_segments(conn, video_id)
        chains: dict[int, list[edit_store.Edit]] = {}
        for edit in active:  # the edits of one old segment, oldest first, apply as a chain
            chains.setdefault(edit.segment_index, []).append(edit)
        taken: set[int] = set()
        for chain in chains.values():
            first = chain[0]
            best = max(range(len(segments)), default=None,
                       key=lambda i: _overlap(first.start_s, first.end_s, segments[i].start_s, segments[i].end_s))
            if (best is None or best in taken
                    or _overlap(first.start_s, first.end_s, segments[best].start_s,
                                segments[best].end_s) < MATCH_IOU):
                for edit in chain:
                    edit_store.set_state(conn, edit.id, edit_store.UNMATCHED)
                unmatched += len(chain)
                continue
            taken.add(best)
            segment = segments[best]
            for edit in chain:  # each edit's "before" becomes the text it now applies to
                edit_store.rebase(conn, edit.id, segment, best)
                segment = Segment(segment.start_s, segment.end_s, edit.new_text,
                                  retime_words(segment.words, edit.new_text))
            transcripts.update_segment(conn, video_id, best, segment.text, segment.words)
            applied += len(chain)
    return applied, unmatched
