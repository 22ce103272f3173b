"""Hybrid retrieval: vec0 KNN and FTS5 BM25 over the creator's chunks, fused, merged, floored."""
from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

import numpy as np

from chronos.ai.answerer import Passage, TimedSentence
from chronos.ai.embedder import Embedder
from chronos.db import Connection
from chronos.languages import fold, small_words
from chronos.models import chunks as chunk_store
from chronos.models import sentences as sentence_store
from chronos.models import transcripts, vector_index, videos
from chronos.pipeline.chunking import sentences_from_segments
from chronos.rag.moments import QUESTION_STOPWORDS, Candidate, is_vague, score_moments, weights_for
from chronos.rag.subject import search_question

RRF_K = 60  # the usual reciprocal-rank-fusion constant: damps the weight of the very top ranks
CANDIDATES = 30
# The KNN reads this many neighbours, though only CANDIDATES are fused: the rest cost almost
# nothing more (the scan is the same) and tell how similar a keyword candidate is without a read.
NEIGHBOURS = 2 * CANDIDATES
# Cosine similarity (MiniLM, normalised) below which a chunk is not about the question. On the
# test lectures on-topic questions scored 0.32-0.75 and off-topic ones 0.05-0.15.
RELEVANCE_FLOOR = 0.25
# "Ask about this moment": the window around the player's time, and the bonus it earns.
FOCUS_BEFORE_S, FOCUS_AFTER_S = 45.0, 15.0
FOCUS_BONUS = 1.0 / (RRF_K + 1)
# Sentences are scored in this many of the best fused passages (or k, if more), and the k passages
# whose best sentence scores highest are returned: on the hard benchmark the moment that answers
# is often in a passage fusion ranked below the first few (bench/README.md).
MOMENT_PASSAGES = 12
# What a sentence in the window being watched adds to its moment score (scores run to about 1.2).
FOCUS_MOMENT_BONUS = 0.3
# A vague question about the moment being watched is answered from the sentences around it: those
# spoken in the MOMENT_BEFORE_S before it and the MOMENT_AFTER_S after. The sentence that ended
# last before the moment weighs most, each earlier one MOMENT_DECAY less, the one being spoken a
# little less than the last finished one, later ones least; the question's likeness breaks ties.
MOMENT_BEFORE_S, MOMENT_AFTER_S = 40.0, 10.0
MOMENT_DECAY, MOMENT_SPEAKING, MOMENT_LATER = 0.12, 0.9, 0.5
MOMENT_LIKENESS = 0.3
# The question's nearest sentences (by context vector) each bring in the chunk that holds them, as a
# third ranked list in the fusion: the moment that answers is often a sentence whose chunk, diluted
# by its other sentences, neither the chunk KNN nor BM25 ranks high (bench/README.md).
SENTENCE_CANDIDATES = 30
MODES = ("hybrid", "vector", "keyword")
# The most chunks one keyword search may match: KEYWORD_MATCH_SHARE of the creator's library,
# within [KEYWORD_MATCH_MIN, KEYWORD_MATCH_CAP]. bm25() scores every match and reads each word's
# whole document list to weigh it, so the commonest words cost the most and weigh the least: past
# the cap the commonest words are left out (bench/RETRIEVAL.md: 1M chunks, keyword search CPU p95
# 73 -> 11 ms). Small libraries never reach KEYWORD_MATCH_MIN and keep exact BM25.
KEYWORD_MATCH_SHARE = 0.4
KEYWORD_MATCH_MIN, KEYWORD_MATCH_CAP = 500, 3000


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
    question_vector: np.ndarray | None = None  # the one embedding an answer costs


def fts_query(question: str) -> str:
    """An FTS5 query OR-ing the question's content words (quoted: no FTS syntax gets through)."""
    return " OR ".join(_fts_terms(question))


def _fts_terms(question: str) -> list[str]:
    """The question's content words, each a quoted FTS5 term, without repeats."""
    small = small_words(question)  # a Spanish, French or German question's own small words
    words = [w for w in re.findall(r"[\w']+", question.lower())
             if w not in QUESTION_STOPWORDS and fold(w) not in small and len(w) > 1]
    return [f'"{w}"' for w in dict.fromkeys(words)]


def keyword_query(conn: Connection, creator_id: int, question: str) -> str:
    """fts_query without the words too common in the creator's library to be worth their cost.

    Words are kept rarest first while their chunks add up to no more than the cap (see
    KEYWORD_MATCH_SHARE). A question made only of words that common gets no keyword search: they
    say little about which chunk answers it, and the vector search still does.
    """
    terms = _fts_terms(question)
    counts = chunk_store.term_chunk_counts(conn, creator_id, terms, KEYWORD_MATCH_CAP + 1)
    if sum(counts) <= KEYWORD_MATCH_MIN:
        return " OR ".join(terms)
    library = chunk_store.keyword_chunk_count(conn, creator_id, int(KEYWORD_MATCH_CAP / KEYWORD_MATCH_SHARE))
    cap = min(KEYWORD_MATCH_CAP, max(KEYWORD_MATCH_MIN, int(KEYWORD_MATCH_SHARE * library)))
    if sum(counts) <= cap:
        return " OR ".join(terms)
    kept, matched = set(), 0
    for n, term in sorted(zip(counts, terms)):
        if matched + n > cap:
            break
        kept.add(term)
        matched += n
    return " OR ".join(t for t in terms if t in kept)


def scope_of(conn: Connection, creator_id: int, video_ids: Sequence[int] | None, *,
             drafts: bool = False) -> list[int]:
    """The videos a question may be answered from: the answerable ones (with drafts, the owner's
    unpublished ones too), within video_ids if given."""
    allowed = videos.answerable_video_ids(conn, creator_id, drafts=drafts)
    if video_ids is None:
        return allowed
    wanted = set(video_ids)
    return [v for v in allowed if v in wanted]


def embed_question(conn: Connection, embedder: Embedder, question: str) -> np.ndarray:
    """The vector a question is searched by: of its subject, without the words that only frame it
    (rag/subject.py), in the model of the library's vectors (after `chronos reembed`, the new one);
    cached, and batched with the questions asked meanwhile."""
    embedder.follow(vector_index.current(conn).embedder)
    return embedder.embed_one(search_question(question))


def retrieve(conn: Connection, embedder: Embedder, question: str, *, creator_id: int,
             video_ids: Sequence[int] | None = None, focus: Focus | None = None, k: int = 6,
             mode: str = "hybrid", drafts: bool = False, question_vector: np.ndarray | None = None) -> Retrieval:
    """The passages that best answer a question, among the videos the asker may see (students'
    rule; with drafts, also the owner's unpublished videos). question_vector: the question's
    embed_question, when the caller already has it."""
    allowed = scope_of(conn, creator_id, video_ids, drafts=drafts)
    if not allowed:
        return Retrieval([], 0.0, False, [])
    # Unfiltered KNN is fastest; filter only when some of the creator's chunks are out of scope.
    scope_filter = None if videos.videos_with_chunks(conn, creator_id) <= set(allowed) else allowed
    vague = is_vague(question)
    q_vec = question_vector if question_vector is not None else embed_question(conn, embedder, question)
    question = search_question(question)  # keywords and moments are scored by the subject too
    if focus is not None and focus.video_id in allowed and vague:
        moment = _moment_passage(conn, embedder, q_vec, focus)
        if moment is not None:
            return Retrieval([moment], moment.score, True, allowed, q_vec)
    fused: dict[int, float] = {}
    known: dict[int, float] = {}  # similarities the KNN already computed (1 - cosine distance)
    others_below_floor = False  # whether every chunk the KNN did not return is below the floor
    if mode in ("hybrid", "vector"):
        hits = chunk_store.nearest_chunks(conn, creator_id, q_vec, NEIGHBOURS, scope_filter)
        for rank, hit in enumerate(hits[:CANDIDATES]):
            fused[hit.chunk_id] = fused.get(hit.chunk_id, 0) + 1 / (RRF_K + rank + 1)
        known = {hit.chunk_id: float(embedder.similarity(1.0 - hit.score)) for hit in hits}
        # Fewer hits than asked for: the rest have no vector (similarity 0). Otherwise the rest are
        # no more similar than the last neighbour.
        others_below_floor = len(hits) < NEIGHBOURS or known[hits[-1].chunk_id] < RELEVANCE_FLOOR
    if mode in ("hybrid", "vector"):
        seen: set[int] = set()
        for hit in sentence_store.nearest_sentences(conn, creator_id, q_vec, SENTENCE_CANDIDATES, scope_filter):
            fresh = [c for c in hit.chunk_ids if c not in seen]
            seen.update(fresh)
            for c in fresh:
                fused[c] = fused.get(c, 0) + 1 / (RRF_K + len(seen))
    if mode in ("hybrid", "keyword"):
        query = keyword_query(conn, creator_id, question)
        for rank, hit in enumerate(chunk_store.keyword_chunks(conn, creator_id, query, CANDIDATES, scope_filter)):
            fused[hit.chunk_id] = fused.get(hit.chunk_id, 0) + 1 / (RRF_K + rank + 1)
    focused: set[int] = set()
    if focus is not None and focus.video_id in allowed:
        for c in chunk_store.chunks_in_window(conn, focus.video_id, focus.at_s - FOCUS_BEFORE_S,
                                              focus.at_s + FOCUS_AFTER_S):
            fused[c.id] = fused.get(c.id, 0) + FOCUS_BONUS
            focused.add(c.id)
    if not fused:
        return Retrieval([], 0.0, False, allowed, q_vec)
    pool = max(k, MOMENT_PASSAGES)
    ranked, similarity = _rank_above_floor(conn, embedder, q_vec, fused, known, others_below_floor, focused, pool * 2)
    # The KNN's nearest chunk is the most similar of all candidates; without it, look at them all.
    best = max(known.values()) if known else max(similarity.values())
    kept = {c: fused[c] for c in ranked}
    merged = sorted(_merge(conn, ranked, similarity, kept), key=lambda rp: rp[0], reverse=True)
    # Timed sentences cost a read each: only for the passages whose sentences are scored.
    scored = [replace(p, sentences=_timed_sentences(conn, p.video_id, p.start_s, p.end_s))
              for _, p in merged[:pool]]
    passages = _by_best_moment(embedder, question, q_vec, scored, focus)[:k]
    return Retrieval(passages, best, bool(passages), allowed, q_vec)


def _moment_passage(conn: Connection, embedder: Embedder, q_vec: np.ndarray, focus: Focus) -> Passage | None:
    """The sentences around the moment being watched, as one passage, scored by nearness to it."""
    spoken = _timed_sentences(conn, focus.video_id, focus.at_s - MOMENT_BEFORE_S, focus.at_s + MOMENT_AFTER_S)
    if not spoken:
        return None
    finished = [i for i, s in enumerate(spoken) if s.end_s <= focus.at_s + 0.25]
    last = finished[-1] if finished else -1
    scored, later = [], 0
    for i, s in enumerate(spoken):
        if i <= last:
            near = 1.0 - MOMENT_DECAY * (last - i)
        elif s.start_s <= focus.at_s:
            near = MOMENT_SPEAKING
        else:
            near, later = MOMENT_LATER - MOMENT_DECAY * later, later + 1
        likeness = float(embedder.similarity(s.vector @ q_vec)) if s.vector is not None else 0.0
        scored.append(replace(s, score=round(max(near, 0.0) + MOMENT_LIKENESS * likeness, 4),
                              similarity=round(likeness, 4)))
    title = videos.titles(conn, [focus.video_id]).get(focus.video_id, "")
    language = videos.spoken_languages(conn, [focus.video_id]).get(focus.video_id)
    best = max(s.score for s in scored)
    return Passage(focus.video_id, title, spoken[0].start_s, spoken[-1].end_s,
                   " ".join(s.text for s in spoken), round(min(1.0, best), 4), tuple(scored), at_moment=True,
                   language=language)


def _by_best_moment(embedder: Embedder, question: str, q_vec: np.ndarray, passages: list[Passage],
                    focus: Focus | None) -> list[Passage]:
    """The passages with their sentences scored as moments, best-scoring sentence's passage first."""
    sentences = [(i, j, s) for i, p in enumerate(passages) for j, s in enumerate(p.sentences)]
    vectors = [s.vector for _, _, s in sentences]
    missing = [n for n, v in enumerate(vectors) if v is None]
    if missing:  # sentences of a video whose vectors the backfill has not stored yet
        for n, vec in zip(missing, embedder.embed([sentences[n][2].text for n in missing])):
            vectors[n] = vec
    windows = [s.window if s.window is not None else vectors[n] for n, (_, _, s) in enumerate(sentences)]
    candidates = [Candidate(passages[i].video_id, passages[i].title, s.text, vec, win)
                  for (i, _, s), vec, win in zip(sentences, vectors, windows)]
    moments = score_moments(question, q_vec, candidates, embedder.similarity, weights_for(embedder.name))
    scores = moments.scores.copy()
    if focus is not None:  # "ask about this moment": what is playing answers a vague question
        for n, (i, _, s) in enumerate(sentences):
            if (passages[i].video_id == focus.video_id and s.end_s >= focus.at_s - FOCUS_BEFORE_S
                    and s.start_s <= focus.at_s + FOCUS_AFTER_S):
                scores[n] += FOCUS_MOMENT_BONUS
    rescored: list[list[TimedSentence]] = [list(p.sentences) for p in passages]
    best = [float("-inf")] * len(passages)
    for n, (i, j, s) in enumerate(sentences):
        rescored[i][j] = replace(s, vector=vectors[n], score=round(float(scores[n]), 4),
                                 similarity=round(float(moments.similarities[n]), 4))
        best[i] = max(best[i], float(scores[n]))
    order = sorted(range(len(passages)), key=lambda i: best[i], reverse=True)  # stable: fused order breaks ties
    return [replace(passages[i], sentences=tuple(rescored[i])) for i in order]


def _rank_above_floor(conn: Connection, embedder: Embedder, q_vec: np.ndarray, fused: dict[int, float],
                      known: dict[int, float], others_below_floor: bool, focused: set[int], n: int
                      ) -> tuple[list[int], dict[int, float]]:
    """The n best fused candidates that clear the floor, and the similarities looked at.

    The floor: a chunk must be about the question, unless it is the moment being watched. Vectors
    the KNN did not return are read one at a time, best fused first, only until n are kept, and
    only when the KNN cannot already tell that they are below the floor.
    """
    similarity = dict(known) if known else _similarities(conn, embedder, q_vec, list(fused))
    ranked: list[int] = []
    for c in sorted(fused, key=lambda c: fused[c], reverse=True):
        if c not in similarity:
            if others_below_floor and c not in focused:
                continue
            similarity |= _similarities(conn, embedder, q_vec, [c])
        if similarity[c] >= RELEVANCE_FLOOR or c in focused:
            ranked.append(c)
            if len(ranked) == n:
                break
    return ranked, similarity


def _similarities(conn: Connection, embedder: Embedder, q_vec: np.ndarray,
                  chunk_ids: list[int]) -> dict[int, float]:
    """Cosine similarity of each candidate to the question (vectors are unit length), on the
    embedder's scale."""
    vectors = chunk_store.vectors_for(conn, chunk_ids)
    ids = [c for c in chunk_ids if c in vectors]
    if not ids:
        return {c: 0.0 for c in chunk_ids}
    sims = embedder.similarity(np.stack([vectors[c] for c in ids]) @ q_vec)  # one product for all
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
    spoken = videos.spoken_languages(conn, sorted(titles))
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
    kept_words: list[set[str]] = []
    for group in groups:
        text = group[0].text
        for c in group[1:]:
            text = _join_overlapping(text, c.text)
        start, end = group[0].start_s, max(c.end_s for c in group)
        passage = Passage(group[0].video_id, titles.get(group[0].video_id, ""), start, end, text,
                          round(max(0.0, min(1.0, max(similarity[c.id] for c in group))), 4),
                          language=spoken.get(group[0].video_id))
        words = set(text.lower().split())
        if not any(_near_duplicate(words, other) for other in kept_words):
            passages.append((max(fused[c.id] for c in group), passage))
            kept_words.append(words)
    return passages


def _timed_sentences(conn: Connection, video_id: int, start_s: float,
                     end_s: float) -> tuple[TimedSentence, ...]:
    """The passage's sentences with the times they are spoken, and their stored vectors."""
    stored = sentence_store.sentences_between(conn, video_id, start_s, end_s)
    if stored:
        return tuple(TimedSentence(s.start_s, s.end_s, s.text, s.vector, s.window) for s in stored)
    # A video of an older library whose sentences the backfill has not stored yet: time them from
    # the words' timestamps (they are embedded to be scored).
    segments = transcripts.segments_between(conn, video_id, start_s, end_s)
    return tuple(TimedSentence(s.start_s, s.end_s, s.text) for s in sentences_from_segments(segments)
                 if s.end_s > start_s + 0.01 and s.start_s < end_s - 0.01)


def _join_overlapping(a: str, b: str) -> str:
    """a + b without the sentence(s) b repeats from a's end (chunks overlap by a sentence)."""
    for cut in range(min(len(a), len(b)), 0, -1):
        if (cut == len(b) or b[cut] == " ") and a.endswith(b[:cut]):  # the cheap test first
            return a + b[cut:]
    return a + " " + b


def _near_duplicate(wa: set[str], wb: set[str]) -> bool:
    """The same words, mostly (a video uploaded twice, say)."""
    return len(wa & wb) / max(1, len(wa | wb)) > 0.8
