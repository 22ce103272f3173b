"""Hybrid retrieval: vec0 KNN and FTS5 BM25 over the creator's chunks, fused, merged, floored."""
from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

import numpy as np

from chronos.ai.answerer import Passage, TimedSentence
from chronos.ai.embedder import Embedder
from chronos.db import Connection
from chronos.models import chunks as chunk_store
from chronos.models import transcripts, videos
from chronos.pipeline.chunking import sentences_from_segments

RRF_K = 60  # the usual reciprocal-rank-fusion constant: damps the weight of the very top ranks
CANDIDATES = 30
# Cosine similarity (MiniLM, normalised) below which a chunk is not about the question. On the
# test lectures on-topic questions scored 0.32-0.75 and off-topic ones 0.05-0.15.
RELEVANCE_FLOOR = 0.25
# "Ask about this moment": the window around the player's time, and the bonus it earns.
FOCUS_BEFORE_S, FOCUS_AFTER_S = 45.0, 15.0
FOCUS_BONUS = 1.0 / (RRF_K + 1)
MODES = ("hybrid", "vector", "keyword")

_STOPWORDS = set("""a an and are as at be but by can do does for from has have how i if in into is it
its me my of on or so that the their then there these they this to was what when where which who
why will with you your about she he her his them would could should did we our us explain tell
say said mean means""".split())


@dataclass(frozen=True)
class Focus:
    """The student is watching video_id at at_s."""
    video_id: int
    at_s: float


@dataclass
class Retrieval:
    passages: list[Passage]
    best_similarity: float
    covered: bool
    scope: list[int] = field(default_factory=list)


def fts_query(question: str) -> str:
    """An FTS5 query OR-ing the question's content words (quoted: no FTS syntax gets through)."""
    terms = [w for w in re.findall(r"[\w']+", question.lower()) if w not in _STOPWORDS and len(w) > 1]
    return " OR ".join(f'"{t.replace(chr(34), "")}"' for t in dict.fromkeys(terms))


def retrieve(conn: Connection, embedder: Embedder, question: str, *, creator_id: int,
             video_ids: Sequence[int] | None = None, focus: Focus | None = None, k: int = 6,
             mode: str = "hybrid") -> Retrieval:
    """The passages that best answer a question, among the videos the asker may see."""
    allowed = videos.answerable_video_ids(conn, creator_id)
    if video_ids is not None:
        allowed = [v for v in allowed if v in set(video_ids)]
    if not allowed:
        return Retrieval([], 0.0, False, [])
    # Unfiltered KNN is fastest; filter only when some of the creator's chunks are out of scope.
    scope_filter = None if videos.videos_with_chunks(conn, creator_id) <= set(allowed) else allowed
    q_vec = embedder.embed_one(question)
    fused: dict[int, float] = {}
    known: dict[int, float] = {}  # similarities the KNN already computed (1 - cosine distance)
    if mode in ("hybrid", "vector"):
        for rank, hit in enumerate(chunk_store.nearest_chunks(conn, creator_id, q_vec, CANDIDATES, scope_filter)):
            fused[hit.chunk_id] = fused.get(hit.chunk_id, 0) + 1 / (RRF_K + rank + 1)
            known[hit.chunk_id] = 1.0 - hit.score
    query = fts_query(question)
    if mode in ("hybrid", "keyword") and query:
        for rank, hit in enumerate(chunk_store.keyword_chunks(conn, creator_id, query, CANDIDATES, scope_filter)):
            fused[hit.chunk_id] = fused.get(hit.chunk_id, 0) + 1 / (RRF_K + rank + 1)
    if focus is not None and focus.video_id in allowed:
        for c in chunk_store.chunks_in_window(conn, focus.video_id, focus.at_s - FOCUS_BEFORE_S,
                                              focus.at_s + FOCUS_AFTER_S):
            fused[c.id] = fused.get(c.id, 0) + FOCUS_BONUS
    if not fused:
        return Retrieval([], 0.0, False, allowed)
    similarity = known | _similarities(conn, q_vec, [c for c in fused if c not in known])
    focused = {c for c in fused if focus and _in_focus(conn, c, focus)}
    # The floor: a chunk must be about the question, unless it is the moment being watched.
    kept = {c: s for c, s in fused.items() if similarity[c] >= RELEVANCE_FLOOR or c in focused}
    best = max(similarity.values())
    ranked = sorted(kept, key=lambda c: kept[c], reverse=True)[: k * 2]
    merged = sorted(_merge(conn, ranked, similarity, kept), key=lambda rp: rp[0], reverse=True)
    # Timed sentences cost a transcript read each: only for the passages returned.
    passages = [replace(p, sentences=_timed_sentences(conn, p.video_id, p.start_s, p.end_s))
                for _, p in merged[:k]]
    return Retrieval(passages, best, bool(passages), allowed)


def _in_focus(conn: Connection, chunk_id: int, focus: Focus) -> bool:
    c = chunk_store.get_chunks(conn, [chunk_id])[chunk_id]
    return (c.video_id == focus.video_id and c.end_s >= focus.at_s - FOCUS_BEFORE_S
            and c.start_s <= focus.at_s + FOCUS_AFTER_S)


def _similarities(conn: Connection, q_vec: np.ndarray, chunk_ids: list[int]) -> dict[int, float]:
    """Cosine similarity of each candidate to the question (vectors are unit length)."""
    vectors = chunk_store.vectors_for(conn, chunk_ids)
    ids = [c for c in chunk_ids if c in vectors]
    if not ids:
        return {c: 0.0 for c in chunk_ids}
    sims = np.stack([vectors[c] for c in ids]) @ q_vec  # one matrix product over the candidates
    out = {c: 0.0 for c in chunk_ids}
    out.update({c: float(s) for c, s in zip(ids, sims)})
    return out


def _merge(conn: Connection, ranked: list[int], similarity: dict[int, float],
           fused: dict[int, float]) -> list[tuple[float, Passage]]:
    """Join adjacent or overlapping chunks of one video into one passage; drop near-duplicates.

    Passages rank by their best fused score; their `score` is the cosine similarity a person sees.
    """
    chunks = chunk_store.get_chunks(conn, ranked)
    titles = videos.titles(conn, sorted({c.video_id for c in chunks.values()}))
    by_video: dict[int, list] = {}
    for cid in ranked:
        by_video.setdefault(chunks[cid].video_id, []).append(chunks[cid])
    groups: list[list] = []
    for video_chunks in by_video.values():
        video_chunks.sort(key=lambda c: c.chunk_index)
        for c in video_chunks:
            last = groups[-1][-1] if groups and groups[-1][-1].video_id == c.video_id else None
            if last is not None and (c.chunk_index - last.chunk_index <= 1 or c.start_s <= last.end_s):
                groups[-1].append(c)
            else:
                groups.append([c])
    passages: list[tuple[float, Passage]] = []
    for group in groups:
        text = group[0].text
        for c in group[1:]:
            text = _join_overlapping(text, c.text)
        start, end = group[0].start_s, max(c.end_s for c in group)
        passage = Passage(group[0].video_id, titles.get(group[0].video_id, ""), start, end, text,
                          round(max(0.0, min(1.0, max(similarity[c.id] for c in group))), 4))
        if not any(_near_duplicate(passage.text, p.text) for _, p in passages):
            passages.append((max(fused[c.id] for c in group), passage))
    return passages


def _timed_sentences(conn: Connection, video_id: int, start_s: float,
                     end_s: float) -> tuple[TimedSentence, ...]:
    """The passage's sentences with the times they are spoken (from the words' timestamps)."""
    segments = transcripts.segments_between(conn, video_id, start_s, end_s)
    return tuple(TimedSentence(s.start_s, s.end_s, s.text) for s in sentences_from_segments(segments)
                 if s.end_s > start_s + 0.01 and s.start_s < end_s - 0.01)


def _join_overlapping(a: str, b: str) -> str:
    """a + b without the sentence(s) b repeats from a's end (chunks overlap by a sentence)."""
    for cut in range(min(len(a), len(b)), 0, -1):
        if a.endswith(b[:cut]) and (cut == len(b) or b[cut] == " "):
            return a + b[cut:]
    return a + " " + b


def _near_duplicate(a: str, b: str) -> bool:
    """The same words, mostly (a video uploaded twice, say)."""
    wa, wb = set(a.lower().split()), set(b.lower().split())
    return len(wa & wb) / max(1, len(wa | wb)) > 0.8
