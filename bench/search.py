#!/usr/bin/env python3
"""Benchmark Chronos retrieval latency at 10k, 100k and 1M chunks; print one JSON object.

    .venv/bin/python bench/search.py                          # 10k, 100k and 1M chunks
    .venv/bin/python bench/search.py --sizes 10000,100000 --json-out bench/out/search-small.json
    .venv/bin/python bench/search.py --sizes 1000000 --rebuild

What is built (once per size, cached in bench/out/search/chunks-<size>.db; --rebuild forces):
  a real Chronos database made by chronos.db.Database (the real migrations), holding 50 creators,
  videos of 40 chunks each (status 'completed', published), one transcript segment per chunk,
  video_chunks rows with ~50 words of synthetic text (Zipf-distributed words from a vocabulary of
  ~110 function words and 4000 pseudo-words; the FTS5 trigger indexes them) and one unit float32
  vector per chunk in chunk_vectors (partition key creator_id), random around a per-video topic
  vector so that a question's neighbours clear RELEVANCE_FLOOR as real ones do. Rows are inserted grouped
  by creator, in one transaction per creator; the FTS index is optimised at the end (a long-lived
  database is kept merged by FTS5's automerge).

What is timed (per question, a random creator each, after a warm-up):
  * total: chronos.rag.retrieval.retrieve(conn, stub, question, creator_id=..., k=6), the exact
    function the chat service calls, on a connection from chronos.db.connect. The stub embedder
    returns a precomputed random unit vector, so MODEL INFERENCE IS EXCLUDED; embed_ms_p50 is the
    real MiniLM embedding of a question, measured separately (add it to get the full cost).
  * a second, instrumented pass wraps the functions retrieve() calls and reports each part's
    p50/p95: vector (nearest_chunks, k=30), keyword (keyword_chunks, k=30), scope
    (answerable_video_ids + _all_chunked_videos), similarity (_similarities), merge (_merge).
  * connect_ms: opening a connection with chronos.db.connect (ChatService opens one per question).
  * experiments (--no-experiments skips): candidate fixes timed on the same questions, and
    retrieve() with them patched in. Chronos code is not changed; the FTS5 table with a creator
    column lives in bench/out/search/chunks-<size>-experiments.db (ATTACHed). See bench/RETRIEVAL.md.
"""
from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import statistics
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from chronos.db import Database, connect  # noqa: E402
from chronos.models import chunks as chunk_store  # noqa: E402
from chronos.models import videos as video_store  # noqa: E402
from chronos.rag import retrieval  # noqa: E402

OUT = Path(__file__).resolve().parent / "out" / "search"
TARGETS_MS = {"100000": 10, "1000000": 50}  # p95 of retrieve() without the embedding
BUILD_VERSION = 5  # bump when the synthetic data changes, so cached databases are rebuilt
CREATORS = 50
CHUNKS_PER_VIDEO = 40
WORDS_PER_CHUNK = 50
CONTENT_WORDS = 4000
DIMS = 384
CHUNK_SPREAD = 1.0  # chunk vs its video's topic: cos 0.71
QUESTION_SPREAD = 1.2  # question vs the chunk it is about: cos 0.64 (siblings ~0.32)
FUNCTION_SHARE = 0.40  # share of running text made of function words, as in English
FUNCTION_WORDS = sorted(retrieval._STOPWORDS | set(
    "not no all any some more most other such only own same than too very just also been being had "
    "were one two first new because over after before under between through during out up down".split()))


def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


# -- synthetic text ------------------------------------------------------------------------------
def make_vocab(seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Pseudo-words and their unigram probabilities (function words, then Zipfian content words)."""
    rng = np.random.default_rng(seed)
    onsets = "b c d f g h j k l m n p r s t v w z br cl dr fl gr pl pr st tr sh ch th".split()
    vowels = "a e i o u ai ea ou io".split()
    codas = ["", "", "n", "r", "s", "l", "m", "t", "nd", "st", "ck"]
    content: list[str] = []
    seen = set(FUNCTION_WORDS)
    while len(content) < CONTENT_WORDS:
        n = rng.integers(2, 4)
        w = "".join(rng.choice(onsets) + rng.choice(vowels) for _ in range(n)) + rng.choice(codas)
        if w not in seen:
            seen.add(w)
            content.append(w)
    words = np.array(FUNCTION_WORDS + content, dtype=object)
    fz = 1.0 / np.arange(1, len(FUNCTION_WORDS) + 1)
    cz = 1.0 / np.arange(1, CONTENT_WORDS + 1) ** 1.05
    p = np.concatenate([FUNCTION_SHARE * fz / fz.sum(), (1 - FUNCTION_SHARE) * cz / cz.sum()])
    return words, p


def chunk_texts(rng: np.random.Generator, words: np.ndarray, p: np.ndarray, n: int) -> list[str]:
    toks = rng.choice(len(words), size=(n, WORDS_PER_CHUNK), p=p)
    out = []
    for row in toks:
        w = words[row].tolist()
        for j in range(11, WORDS_PER_CHUNK, 12):  # sentences of ~12 words
            w[j] += "."
        w[-1] = w[-1].rstrip(".") + "."
        w[0] = w[0].capitalize()
        out.append(" ".join(w))
    return out


def unit_vectors(rng: np.random.Generator, n: int) -> np.ndarray:
    v = rng.standard_normal((n, DIMS), dtype=np.float32)
    v /= np.linalg.norm(v, axis=1, keepdims=True)
    return v


def near(rng: np.random.Generator, centres: np.ndarray, spread: float) -> np.ndarray:
    """Unit vectors around centres: cos(result, centre) = 1/sqrt(1 + spread**2)."""
    v = centres + spread * unit_vectors(rng, len(centres))
    return (v / np.linalg.norm(v, axis=1, keepdims=True)).astype(np.float32)


TEMPLATES = ["What is {} {}?", "How does {} affect {} {}?", "Why do {} and {} {}?",
             "Explain the {} of {}.", "When should I use {} {} instead of {} {}?",
             "What is the difference between {} and {}?"]


def make_questions(conn, rng: np.random.Generator, n: int) -> list[tuple[str, int, np.ndarray, int]]:
    """Student-like questions, each about one random chunk of a random creator.

    The words are some of that chunk's content words in a template, the vector lies near the
    chunk's (QUESTION_SPREAD), so both searches have a right answer to find.
    """
    function = set(FUNCTION_WORDS)
    out, ranges = [], {}
    for _ in range(n):
        creator = int(rng.integers(1, CREATORS + 1))
        if creator not in ranges:
            ranges[creator] = conn.execute(
                "SELECT min(c.id), max(c.id) FROM video_chunks c WHERE c.video_id IN"
                " (SELECT id FROM videos WHERE creator_id = ?)", (creator,)).fetchone()
        lo, hi = ranges[creator]  # chunk ids are contiguous per creator (built grouped)
        cid = int(rng.integers(lo, hi + 1))
        text = conn.execute("SELECT text FROM video_chunks WHERE id = ?", (cid,)).fetchone()[0]
        vec = np.frombuffer(conn.execute("SELECT embedding FROM chunk_vectors WHERE rowid = ?",
                                         (cid,)).fetchone()[0], dtype=np.float32)
        content = [w for w in dict.fromkeys(w.strip(".").lower() for w in text.split())
                   if w not in function]
        t = TEMPLATES[rng.integers(len(TEMPLATES))]
        picked = rng.choice(content, size=t.count("{}"), replace=False).tolist()
        q = t.format(*picked)
        out.append((q, creator, near(rng, vec[None, :], QUESTION_SPREAD)[0], cid))
    return out


# -- the database --------------------------------------------------------------------------------
def db_path(size: int) -> Path:
    return OUT / f"chunks-{size}.db"


def cached_ok(path: Path, size: int, seed: int) -> bool:
    if not path.exists():
        return False
    try:
        conn = connect(path)
        row = conn.execute("SELECT value FROM bench_meta WHERE key = 'params'").fetchone()
        conn.close()
    except Exception:  # noqa: BLE001 - anything wrong with the cache means rebuild
        return False
    return bool(row) and json.loads(row[0]) == build_params(size, seed)


def build_params(size: int, seed: int) -> dict:
    return {"version": BUILD_VERSION, "chunks": size, "creators": CREATORS, "seed": seed,
            "chunks_per_video": CHUNKS_PER_VIDEO, "words_per_chunk": WORDS_PER_CHUNK,
            "vocab": len(FUNCTION_WORDS) + CONTENT_WORDS}


def build(size: int, seed: int) -> dict:
    """Build the database for one size into a temporary file, then move it into place."""
    OUT.mkdir(parents=True, exist_ok=True)
    final = db_path(size)
    tmp = OUT / f".building-{size}-{os.getpid()}.db"
    for f in (tmp, Path(str(tmp) + "-wal"), Path(str(tmp) + "-shm")):
        f.unlink(missing_ok=True)
    t0 = time.perf_counter()
    Database(tmp)  # the real migrations
    conn = connect(tmp)
    conn.execute("PRAGMA synchronous=OFF")
    conn.execute("PRAGMA cache_size=-262144")  # 256 MB for the build only
    words, p = make_vocab(seed)
    rng = np.random.default_rng(seed + size)
    per_creator = [size // CREATORS + (1 if c < size % CREATORS else 0) for c in range(CREATORS)]
    conn.execute("BEGIN")
    conn.executemany("INSERT INTO creators(id, name) VALUES (?, ?)",
                     [(c + 1, f"Creator {c + 1}") for c in range(CREATORS)])
    conn.execute("COMMIT")
    chunk_id, video_id, done = 0, 0, 0
    times = {"text_s": 0.0, "rows_s": 0.0, "vectors_s": 0.0}
    for c in range(CREATORS):
        creator_id, n = c + 1, per_creator[c]
        ta = time.perf_counter()
        texts = chunk_texts(rng, words, p, n)
        # A video is about one topic: its chunks lie near a topic vector (cos ~0.7 to it, ~0.5 to
        # each other), so a question near one chunk also finds its neighbours, as with real text.
        topics = unit_vectors(rng, -(-n // CHUNKS_PER_VIDEO))
        vecs = near(rng, np.repeat(topics, CHUNKS_PER_VIDEO, axis=0)[:n], CHUNK_SPREAD)
        tb = time.perf_counter()
        n_videos = -(-n // CHUNKS_PER_VIDEO)
        video_rows, chunk_rows, seg_rows, vec_rows = [], [], [], []
        i = 0
        for v in range(n_videos):
            video_id += 1
            m = min(CHUNKS_PER_VIDEO, n - i)
            video_rows.append((video_id, creator_id, f"Lecture {v + 1} of creator {creator_id}",
                               f"v{video_id}.mp4", f"videos/v{video_id}.mp4", "mp4", 1_000_000,
                               m * 18.0 + 4))
            for j in range(m):
                chunk_id += 1
                start, end = j * 18.0, j * 18.0 + 22.0  # ~20 s chunks, a sentence of overlap
                text = texts[i]
                chunk_rows.append((chunk_id, video_id, creator_id, j, text, start, end,
                                   chunk_store.content_hash(text)))
                seg_rows.append((video_id, j, start, end, text))
                vec_rows.append((chunk_id, creator_id, vecs[i].tobytes(), video_id))
                i += 1
        conn.execute("BEGIN")
        conn.executemany(
            "INSERT INTO videos(id, creator_id, title, original_filename, media_path, container,"
            " size_bytes, duration_s, status, progress, published, completed_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'completed', 1, 1, '2026-11-24T00:00:00Z')", video_rows)
        conn.executemany(
            "INSERT INTO transcript_segments(video_id, segment_index, start_s, end_s, text)"
            " VALUES (?, ?, ?, ?, ?)", seg_rows)
        conn.executemany(
            "INSERT INTO video_chunks(id, video_id, creator_id, chunk_index, text, start_s, end_s,"
            " content_hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?)", chunk_rows)
        tc = time.perf_counter()
        conn.executemany("INSERT INTO chunk_vectors(rowid, creator_id, embedding, video_id)"
                         " VALUES (?, ?, ?, ?)", vec_rows)
        conn.execute("COMMIT")
        td = time.perf_counter()
        times["text_s"] += tb - ta
        times["rows_s"] += tc - tb
        times["vectors_s"] += td - tc
        done += n
        log(f"  [{size}] creator {creator_id}/{CREATORS}: {done}/{size} chunks, "
            f"{time.perf_counter() - t0:.0f} s (rows+fts {times['rows_s']:.0f} s, "
            f"vectors {times['vectors_s']:.0f} s)")
    tf = time.perf_counter()
    log(f"  [{size}] optimising FTS index and ANALYZE …")
    conn.execute("INSERT INTO chunks_fts(chunks_fts) VALUES ('optimize')")
    conn.execute("ANALYZE")
    times["optimize_s"] = time.perf_counter() - tf
    conn.execute("CREATE TABLE bench_meta(key TEXT PRIMARY KEY, value TEXT)")
    conn.execute("INSERT INTO bench_meta VALUES ('params', ?)", (json.dumps(build_params(size, seed)),))
    conn.execute("INSERT INTO bench_meta VALUES ('build', ?)", (json.dumps(
        {k: round(v, 1) for k, v in times.items()} | {"total_s": round(time.perf_counter() - t0, 1)}),))
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    for suffix in ("-wal", "-shm"):
        Path(str(tmp) + suffix).unlink(missing_ok=True)
    for suffix in ("", "-wal", "-shm"):
        Path(str(final) + suffix).unlink(missing_ok=True)
    os.replace(tmp, final)
    log(f"  [{size}] built in {time.perf_counter() - t0:.0f} s → {final}")
    return build_info(final)


def build_info(path: Path) -> dict:
    conn = connect(path)
    row = conn.execute("SELECT value FROM bench_meta WHERE key = 'build'").fetchone()
    conn.close()
    return {"db_mb": round(path.stat().st_size / 1e6), **(json.loads(row[0]) if row else {})}


# -- measuring -----------------------------------------------------------------------------------
class StubEmbedder:
    """Stands in for MiniLM: returns the question's precomputed unit vector (no inference)."""
    name, dims = "stub", DIMS

    def __init__(self, vectors: dict[str, np.ndarray]):
        self.vectors = vectors

    def embed_one(self, text: str) -> np.ndarray:
        return self.vectors[text]

    def embed(self, texts):
        return np.stack([self.vectors[t] for t in texts])


def pct(xs: list[float], q: float) -> float:
    return round(float(np.percentile(xs, q)), 3) if xs else 0.0


@contextlib.contextmanager
def instrumented(parts: dict[str, float]):
    """Wrap the functions retrieve() calls so each call's time adds to parts[name]."""
    targets = [(chunk_store, "nearest_chunks", "vector"), (chunk_store, "keyword_chunks", "keyword"),
               (video_store, "answerable_video_ids", "scope"), (video_store, "videos_with_chunks", "scope"),
               (retrieval, "_similarities", "similarity"), (retrieval, "_merge", "merge")]
    originals = []
    for mod, attr, part in targets:
        fn = getattr(mod, attr)
        originals.append((mod, attr, fn))

        def wrapper(*a, __fn=fn, __part=part, **kw):
            t = time.perf_counter()
            try:
                return __fn(*a, **kw)
            finally:
                parts[__part] = parts.get(__part, 0.0) + (time.perf_counter() - t) * 1000

        setattr(mod, attr, wrapper)
    try:
        yield
    finally:
        for mod, attr, fn in originals:
            setattr(mod, attr, fn)


def measure(size: int, queries: int, warmup: int, seed: int, with_experiments: bool = True) -> dict:
    path = db_path(size)
    rng = np.random.default_rng(seed * 7 + 1)
    conn = connect(path)
    made = make_questions(conn, rng, queries + warmup)
    stub = StubEmbedder({q: v for q, _, v, _ in made})
    run = [(q, c) for q, c, _, _ in made]
    for q, c in run[:warmup]:
        retrieval.retrieve(conn, stub, q, creator_id=c, k=6)
    measured = run[warmup:]

    totals, passages, covered = [], [], 0
    for q, c in measured:
        t = time.perf_counter()
        r = retrieval.retrieve(conn, stub, q, creator_id=c, k=6)
        totals.append((time.perf_counter() - t) * 1000)
        passages.append(len(r.passages))
        covered += r.covered

    split: dict[str, list[float]] = {}
    with instrumented(parts := {}):
        for q, c in measured:
            parts.clear()
            retrieval.retrieve(conn, stub, q, creator_id=c, k=6)
            for name, ms in parts.items():
                split.setdefault(name, []).append(ms)

    # Diagnostics: how much of the FTS work is other creators' chunks.
    matches_all, matches_creator = [], []
    for q, c in measured[:50]:
        fq = retrieval.fts_query(q)
        matches_all.append(conn.execute("SELECT count(*) FROM chunks_fts WHERE chunks_fts MATCH ?",
                                        (fq,)).fetchone()[0])
        matches_creator.append(conn.execute(
            "SELECT count(*) FROM chunks_fts JOIN video_chunks c ON c.id = chunks_fts.rowid"
            " WHERE chunks_fts MATCH ? AND c.creator_id = ?", (fq, c)).fetchone()[0])
    exp = None
    if with_experiments:
        log(f"  [{size}] experiments …")
        exp = experiments(conn, size, made[warmup:])
    conn.close()

    connects = []
    for _ in range(30):
        t = time.perf_counter()
        connect(path).close()
        connects.append((time.perf_counter() - t) * 1000)

    res = {"chunks": size, "queries": len(measured),
           "p50_ms": pct(totals, 50), "p95_ms": pct(totals, 95), "max_ms": round(max(totals), 3),
           "mean_ms": round(statistics.fmean(totals), 3)}
    for name in ("vector", "keyword", "scope", "similarity", "merge"):
        res[f"{name}_ms_p50"] = pct(split.get(name, []), 50)
        res[f"{name}_ms_p95"] = pct(split.get(name, []), 95)
    res |= {"connect_ms_p50": pct(connects, 50),
            "fts_matches_all_creators_mean": round(statistics.fmean(matches_all)),
            "fts_matches_this_creator_mean": round(statistics.fmean(matches_creator)),
            "mean_passages": round(statistics.fmean(passages), 2), "covered_share": round(covered / len(measured), 3),
            "build": build_info(path)}
    if exp is not None:
        res["experiments"] = exp
    target = TARGETS_MS.get(str(size))
    if target is not None:
        res["target_p95_ms"] = target
        res["meets_target"] = res["p95_ms"] <= target
    return res


# -- experiments: candidate fixes, measured on the same questions (chronos code is not changed) ----
DF_PRUNE_SHARE = 0.10  # keyword fix: drop query terms found in more than this share of all chunks


def all_chunked_videos_fixed(conn, creator_id: int) -> set[int]:
    """_all_chunked_videos through indexed tables (videos by creator, then idx_chunks_video)."""
    return {r[0] for r in conn.execute(
        "SELECT v.id FROM videos v WHERE v.creator_id = ?"
        " AND EXISTS (SELECT 1 FROM video_chunks c WHERE c.video_id = v.id)", (creator_id,))}


def similarities_fixed(conn, q_vec: np.ndarray, chunk_ids: list[int]) -> dict[int, float]:
    """_similarities with vectors_for reading each vector by `rowid = ?` (a point lookup in vec0)
    instead of `rowid IN (...)`, which vec0 0.1.9 answers with a scan of every stored vector."""
    out = {c: 0.0 for c in chunk_ids}
    ids, rows = [], []
    for c in chunk_ids:
        r = conn.execute("SELECT embedding FROM chunk_vectors WHERE rowid = ?", (c,)).fetchone()
        if r is not None:
            ids.append(c)
            rows.append(np.frombuffer(r[0], dtype=np.float32))
    if ids:
        out.update({c: float(s) for c, s in zip(ids, np.stack(rows) @ q_vec)})
    return out


def similarities_knn_in(conn, q_vec: np.ndarray, chunk_ids: list[int]) -> dict[int, float]:
    """Alternative: one vec0 KNN restricted to the candidates (rowid IN) inside the creator's
    partition; distance is cosine distance, so similarity = 1 - distance."""
    out = {c: 0.0 for c in chunk_ids}
    if not chunk_ids:
        return out
    creator = conn.execute("SELECT creator_id FROM video_chunks WHERE id = ?", (chunk_ids[0],)).fetchone()[0]
    marks = ",".join("?" * len(chunk_ids))
    for r in conn.execute(f"SELECT rowid, distance FROM chunk_vectors WHERE embedding MATCH ? AND k = ?"
                          f" AND creator_id = ? AND rowid IN ({marks})",
                          [np.asarray(q_vec, dtype=np.float32).tobytes(), len(chunk_ids), creator, *chunk_ids]):
        out[r[0]] = 1.0 - r[1]
    return out


class KeywordFix:
    """keyword_chunks variants: a creator tag column in FTS5, and dropping very common terms."""

    def __init__(self, conn, size: int):
        self.conn = conn
        self.total = conn.execute("SELECT count(*) FROM video_chunks").fetchone()[0]
        exp_path = OUT / f"chunks-{size}-experiments.db"
        conn.execute("ATTACH DATABASE ? AS exp", (str(exp_path),))
        if not conn.execute("SELECT 1 FROM exp.sqlite_master WHERE name = 'fts_c'").fetchone():
            log(f"  [{size}] experiments: building an FTS5 table with a creator column in {exp_path.name} …")
            conn.execute("CREATE VIRTUAL TABLE exp.fts_c USING fts5(text, ctag, tokenize='porter unicode61')")
            conn.execute("BEGIN")
            conn.execute("INSERT INTO exp.fts_c(rowid, text, ctag) SELECT id, text, 'c' || creator_id"
                         " FROM video_chunks ORDER BY creator_id, id")
            conn.execute("COMMIT")
            conn.execute("INSERT INTO exp.fts_c(fts_c) VALUES ('optimize')")
        conn.execute("CREATE VIRTUAL TABLE IF NOT EXISTS temp.df USING fts5vocab(main, chunks_fts, 'row')")
        conn.execute("CREATE VIRTUAL TABLE IF NOT EXISTS temp.qtok USING fts5(w, tokenize='porter unicode61')")
        conn.execute("CREATE VIRTUAL TABLE IF NOT EXISTS temp.qtok_i USING fts5vocab(temp, qtok, 'instance')")

    def pruned_query(self, fts: str) -> str:
        """The OR query without terms in more than DF_PRUNE_SHARE of chunks (rare terms carry BM25)."""
        words = [w.strip('"') for w in fts.split(" OR ") if w]
        if not words:
            return ""
        c = self.conn
        c.execute("DELETE FROM temp.qtok")
        c.executemany("INSERT INTO temp.qtok(rowid, w) VALUES (?, ?)", list(enumerate(words, 1)))
        stem = {r[1]: r[0] for r in c.execute("SELECT term, doc FROM temp.qtok_i")}
        keep = []
        for i, w in enumerate(words, 1):
            row = c.execute("SELECT doc FROM temp.df WHERE term = ?", (stem.get(i, w),)).fetchone()
            if row is None or row[0] <= DF_PRUNE_SHARE * self.total:
                keep.append(w)
        if not keep:  # every term is common: keep the rarest one rather than search nothing
            keep = words[:1]
        return " OR ".join(f'"{w}"' for w in keep)

    def creator_column(self, creator_id: int, fts: str, k: int = 30):
        # bm25 weight 0 for the tag column: ranking is by the text alone, as in the product.
        return [chunk_store.ChunkHit(r[0], 0, r[1]) for r in self.conn.execute(
            "SELECT rowid, bm25(fts_c, 1.0, 0.0) AS s FROM exp.fts_c WHERE fts_c MATCH ?"
            " ORDER BY s LIMIT ?", (f'ctag:"c{creator_id}" AND ({fts})', k))]

    def keyword_chunks_fixed(self, conn, creator_id, fts_query, k=10, video_ids=None, prune=False):
        """keyword_chunks through the creator column (and, with prune, without common terms)."""
        hits = self.creator_column(creator_id, self.pruned_query(fts_query) if prune else fts_query, k)
        if not hits:
            return []
        ids = [h.chunk_id for h in hits]
        vid = dict(conn.execute(f"SELECT id, video_id FROM video_chunks WHERE id IN"
                                f" ({','.join('?' * len(ids))})", ids).fetchall())
        return [chunk_store.ChunkHit(h.chunk_id, vid[h.chunk_id], h.score) for h in hits]


def experiments(conn, size: int, made: list) -> dict:
    """Time each suggested fix on the measured questions, and retrieve() with all of them."""
    fix = KeywordFix(conn, size)
    t = {k: [] for k in ("scope_old", "scope_fixed", "similarity_old", "similarity_fixed",
                         "similarity_knn_rowid_in", "keyword_old", "keyword_df_pruned",
                         "keyword_creator_column", "keyword_both")}
    overlap_pruned, overlap_both = [], []
    found = {"vector": 0, "keyword_old": 0, "keyword_creator_column": 0, "keyword_df_pruned": 0,
             "keyword_both": 0}
    sim_err = 0.0

    def timed(name, fn, *a):
        t0 = time.perf_counter()
        r = fn(*a)
        t[name].append((time.perf_counter() - t0) * 1000)
        return r

    for q, c, v, target in made:
        fq = retrieval.fts_query(q)
        timed("scope_old", video_store.videos_with_chunks, conn, c)
        timed("scope_fixed", all_chunked_videos_fixed, conn, c)
        old = timed("keyword_old", chunk_store.keyword_chunks, conn, c, fq, 30)
        pruned = timed("keyword_df_pruned", lambda: chunk_store.keyword_chunks(conn, c, fix.pruned_query(fq), 30))
        column = timed("keyword_creator_column", fix.keyword_chunks_fixed, conn, c, fq, 30)
        both = timed("keyword_both", lambda: fix.keyword_chunks_fixed(conn, c, fq, 30, prune=True))
        ref = {h.chunk_id for h in old[:10]}
        if ref:
            overlap_pruned.append(len(ref & {h.chunk_id for h in pruned}) / len(ref))
            overlap_both.append(len(ref & {h.chunk_id for h in both}) / len(ref))
        knn = chunk_store.nearest_chunks(conn, c, v, 30)
        for name, hits in (("vector", knn), ("keyword_old", old), ("keyword_creator_column", column),
                           ("keyword_df_pruned", pruned), ("keyword_both", both)):
            found[name] += target in {h.chunk_id for h in hits}
        cands = list(dict.fromkeys([h.chunk_id for h in knn] + [h.chunk_id for h in old]))
        a = timed("similarity_old", retrieval._similarities, conn, v, cands)
        b = timed("similarity_fixed", similarities_fixed, conn, v, cands)
        d = timed("similarity_knn_rowid_in", similarities_knn_in, conn, v, cands)
        sim_err = max(sim_err, max(max(abs(a[i] - b[i]), abs(a[i] - d[i])) for i in cands))
    out = {f"{k}_ms_p50": pct(x, 50) for k, x in t.items()}
    out |= {f"{k}_ms_p95": pct(x, 95) for k, x in t.items()}
    out = dict(sorted(out.items()))
    out["similarity_fixed_max_abs_error"] = round(sim_err, 6)
    out["keyword_df_pruned_top10_recall"] = round(statistics.fmean(overlap_pruned), 3) if overlap_pruned else None
    out["keyword_both_top10_recall"] = round(statistics.fmean(overlap_both), 3) if overlap_both else None
    # The chunk each question was made from, found among the 30 candidates (a quality check).
    out |= {f"target_in_top30_{k}": round(v / len(made), 3) for k, v in found.items()}

    # retrieve() itself with the fixes patched in: scope, similarity and the creator column (these
    # three leave the results unchanged), then also with common terms pruned (changes results).
    stub = StubEmbedder({q: v for q, _, v, _ in made})
    saved = (video_store.videos_with_chunks, retrieval._similarities, chunk_store.keyword_chunks)
    for label, prune in (("retrieve_with_fixes", False), ("retrieve_with_fixes_and_df_pruning", True)):
        video_store.videos_with_chunks, retrieval._similarities = all_chunked_videos_fixed, similarities_fixed
        chunk_store.keyword_chunks = (lambda *a, __p=prune, **kw: fix.keyword_chunks_fixed(*a, prune=__p, **kw))
        totals = []
        try:
            for q, c, _, _ in made:
                t0 = time.perf_counter()
                retrieval.retrieve(conn, stub, q, creator_id=c, k=6)
                totals.append((time.perf_counter() - t0) * 1000)
        finally:
            video_store.videos_with_chunks, retrieval._similarities, chunk_store.keyword_chunks = saved
        out[f"{label}_ms_p50"] = pct(totals, 50)
        out[f"{label}_ms_p95"] = pct(totals, 95)
    out["df_prune_share"] = DF_PRUNE_SHARE
    return out


def embed_time(n: int = 30) -> float | None:
    """p50 ms of embedding one question with the real MiniLM (model loaded and warmed first)."""
    try:
        from chronos.ai.embedder import Embedder
        from chronos.ai.weights import embedding_model_dir

        emb = Embedder(embedding_model_dir())
        emb.embed_one("warm up the model")
        qs = [f"How does the water cycle move heat number {i}?" for i in range(n)]
        ts = []
        for q in qs:
            t = time.perf_counter()
            emb.embed_one(q)
            ts.append((time.perf_counter() - t) * 1000)
        return pct(ts, 50)
    except Exception as exc:  # noqa: BLE001 - report, don't fail the benchmark
        log(f"embedding timing failed: {exc}")
        return None


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", default="10000,100000,1000000")
    ap.add_argument("--queries", type=int, default=200)
    ap.add_argument("--warmup", type=int, default=30)
    ap.add_argument("--seed", type=int, default=1234)
    ap.add_argument("--rebuild", action="store_true", help="rebuild cached databases")
    ap.add_argument("--no-embed", action="store_true", help="skip timing the real embedder")
    ap.add_argument("--no-experiments", action="store_true", help="skip timing the suggested fixes")
    ap.add_argument("--build-only", action="store_true", help="build (or check) the databases and stop")
    ap.add_argument("--json-out", type=Path)
    args = ap.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    results = []
    for size in sizes:
        if args.rebuild or not cached_ok(db_path(size), size, args.seed):
            log(f"building {size} chunks …")
            build(size, args.seed)
        else:
            log(f"reusing {db_path(size)}")
        if args.build_only:
            continue
        log(f"measuring {size} chunks …")
        r = measure(size, args.queries, args.warmup, args.seed, not args.no_experiments)
        log(f"  [{size}] p50 {r['p50_ms']} ms, p95 {r['p95_ms']} ms (vector p95 {r['vector_ms_p95']},"
            f" keyword p95 {r['keyword_ms_p95']}, scope p95 {r['scope_ms_p95']})")
        results.append(r)
    if args.build_only:
        return 0
    embed_ms = None if args.no_embed else embed_time()
    checked = [r for r in results if "meets_target" in r]
    conn = connect(":memory:")
    versions = {"sqlite": conn.execute("SELECT sqlite_version()").fetchone()[0],
                "sqlite_vec": conn.execute("SELECT vec_version()").fetchone()[0]}
    conn.close()
    out = {
        "inputs": {"sizes": sizes, "creators": CREATORS, "chunks_per_video": CHUNKS_PER_VIDEO,
                   "words_per_chunk": WORDS_PER_CHUNK, "vocab": len(FUNCTION_WORDS) + CONTENT_WORDS,
                   "queries_per_size": args.queries, "warmup": args.warmup, "seed": args.seed,
                   "retrieve_k": 6, "candidates": retrieval.CANDIDATES, "mode": "hybrid",
                   "embedding": "excluded (stub embedder returns a precomputed unit vector)",
                   "embed_ms_p50": embed_ms, "fts_optimized": True, "transcript_segments": True,
                   **versions, "python": platform.python_version(), "cpus": os.cpu_count(),
                   "loadavg_at_end": [round(x, 2) for x in os.getloadavg()]},
        "results": results,
        "targets": TARGETS_MS,
        "meets_targets": bool(checked) and all(r["meets_target"] for r in checked),
    }
    text = json.dumps(out, indent=2)
    if args.json_out:
        args.json_out.parent.mkdir(parents=True, exist_ok=True)
        args.json_out.write_text(text + "\n")
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
