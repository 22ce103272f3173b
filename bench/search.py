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
    Each question's CPU time (time.process_time) is reported next to its wall time, with the
    1-minute load average before and after, so that a run on a busy machine can be read.
  * a second, instrumented pass wraps the functions retrieve() calls and reports each part's
    p50/p95: vector (nearest_chunks, k=30), keyword_terms (keyword_query: which words to search),
    keyword (keyword_chunks, k=30), scope (answerable_video_ids + videos_with_chunks), similarity
    (_similarities), merge (_merge), sentences (_timed_sentences).
  * source_chunk_in_passages: how often the chunk a question was made from is in the answer.
  * connect_ms: opening a connection with chronos.db.connect (ChatService opens one per question).
  * experiments (--no-experiments skips): the keyword search with every word of the question
    (exact BM25) against the product's, which drops words common in a large library: time, and how
    often the source chunk is among the 30 candidates; retrieve() with every word kept. See
    bench/RETRIEVAL.md.
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
from pipeline import CLEAN, machine_busy_s, wait_until_idle  # noqa: E402
import report  # noqa: E402

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

    def follow(self, model_name: str) -> None:
        """The stub answers for whichever model the library records."""

    def similarity(self, dots):
        return dots


def pct(xs: list[float], q: float) -> float | None:
    return report.pct(xs, q, digits=3)


@contextlib.contextmanager
def instrumented(parts: dict[str, float]):
    """Wrap the functions retrieve() calls so each call's time adds to parts[name]."""
    targets = [(chunk_store, "nearest_chunks", "vector"), (chunk_store, "keyword_chunks", "keyword"),
               (retrieval, "keyword_query", "keyword_terms"),
               (video_store, "answerable_video_ids", "scope"), (video_store, "videos_with_chunks", "scope"),
               (retrieval, "_similarities", "similarity"), (retrieval, "_merge", "merge"),
               (retrieval, "_timed_sentences", "sentences")]
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


def timed_retrievals(conn, stub, run: list[tuple[str, int]]) -> tuple[list[float], list[float], list]:
    """retrieve() on each question: wall ms, CPU ms of this process, and the results."""
    walls, cpus, results = [], [], []
    for q, c in run:
        t, p = time.perf_counter(), time.process_time()
        r = retrieval.retrieve(conn, stub, q, creator_id=c, k=6)
        walls.append((time.perf_counter() - t) * 1000)
        cpus.append((time.process_time() - p) * 1000)
        results.append(r)
    return walls, cpus, results


def source_found(conn, made: list, results: list) -> float:
    """Share of questions whose source chunk lies inside one of the returned passages."""
    found = 0
    for (_, _, _, cid), r in zip(made, results):
        vid, start, end = conn.execute("SELECT video_id, start_s, end_s FROM video_chunks WHERE id = ?",
                                       (cid,)).fetchone()
        found += any(p.video_id == vid and p.start_s <= start and p.end_s >= end for p in r.passages)
    return round(found / len(made), 3)


def measure(size: int, queries: int, warmup: int, seed: int, with_experiments: bool = True,
            wait_idle_s: float = 0.0) -> dict:
    path = db_path(size)
    rng = np.random.default_rng(seed * 7 + 1)
    conn = connect(path)
    made = make_questions(conn, rng, queries + warmup)
    stub = StubEmbedder({q: v for q, _, v, _ in made})
    run = [(q, c) for q, c, _, _ in made]
    timed_retrievals(conn, stub, run[:warmup])
    measured, made = run[warmup:], made[warmup:]

    waited = wait_until_idle(wait_idle_s) if wait_idle_s else 0.0
    load_before, busy0, own0, t0 = os.getloadavg(), machine_busy_s(), time.process_time(), time.perf_counter()
    walls, cpus, results = timed_retrievals(conn, stub, measured)
    load_after, busy1, own1 = os.getloadavg(), machine_busy_s(), time.process_time()
    # CPU that other processes used meanwhile, per second of the run: near 0 means clean numbers.
    others = None if busy0 is None else round(((busy1 - busy0) - (own1 - own0)) / (time.perf_counter() - t0), 3)

    split: dict[str, list[float]] = {}
    with instrumented(parts := {}):
        for q, c in measured:
            parts.clear()
            retrieval.retrieve(conn, stub, q, creator_id=c, k=6)
            for name, ms in parts.items():
                split.setdefault(name, []).append(ms)
    exp = None
    if with_experiments:
        log(f"  [{size}] experiments …")
        exp = experiments(conn, stub, made)
    found = source_found(conn, made, results)
    conn.close()

    connects = []
    for _ in range(30):
        t = time.perf_counter()
        connect(path).close()
        connects.append((time.perf_counter() - t) * 1000)

    res = {"chunks": size, "queries": len(measured),
           "p50_ms": pct(walls, 50), "p95_ms": pct(walls, 95), "max_ms": round(max(walls), 3),
           "mean_ms": round(statistics.fmean(walls), 3),
           "cpu_p50_ms": pct(cpus, 50), "cpu_p95_ms": pct(cpus, 95),
           "loadavg_1m_before": round(load_before[0], 2), "loadavg_1m_after": round(load_after[0], 2),
           "others_cpu_per_wall": others, "clean": others is not None and others < CLEAN,
           "waited_for_idle_s": round(waited, 1)}
    for name in ("vector", "keyword_terms", "keyword", "scope", "similarity", "merge", "sentences"):
        res[f"{name}_ms_p50"] = pct(split.get(name, []), 50)
        res[f"{name}_ms_p95"] = pct(split.get(name, []), 95)
    res |= {"connect_ms_p50": pct(connects, 50),
            "mean_passages": round(statistics.fmean(len(r.passages) for r in results), 2),
            "covered_share": round(sum(r.covered for r in results) / len(results), 3),
            "source_chunk_in_passages": found, "build": build_info(path)}
    if exp is not None:
        res["experiments"] = exp
    target = TARGETS_MS.get(str(size))
    if target is not None:
        res["target_p95_ms"] = target
        res["meets_target"] = res["p95_ms"] <= target
    return res


# -- experiments: what dropping common words costs in quality and saves in time -------------------
def keyword_cap_settings() -> dict:
    return {"keyword_match_share": retrieval.KEYWORD_MATCH_SHARE, "keyword_match_min": retrieval.KEYWORD_MATCH_MIN,
            "keyword_match_cap": retrieval.KEYWORD_MATCH_CAP}


def experiments(conn, stub, made: list) -> dict:
    """The keyword search with every word (exact BM25) against the product's, on the same questions.

    Reports each one's time, how often the question's source chunk is among its 30 candidates, and
    retrieve() as a whole with every word kept (the product before common words were dropped).
    """
    t: dict[str, list[float]] = {"keyword_all_words": [], "keyword_product": []}
    found = {"vector": 0, "keyword_all_words": 0, "keyword_product": 0}
    dropped = 0
    for q, c, v, target in made:
        full = retrieval.fts_query(q)
        t0 = time.perf_counter()
        hits = chunk_store.keyword_chunks(conn, c, full, retrieval.CANDIDATES)
        t["keyword_all_words"].append((time.perf_counter() - t0) * 1000)
        found["keyword_all_words"] += target in {h.chunk_id for h in hits}
        t0 = time.perf_counter()
        pruned = retrieval.keyword_query(conn, c, q)
        hits = chunk_store.keyword_chunks(conn, c, pruned, retrieval.CANDIDATES)
        t["keyword_product"].append((time.perf_counter() - t0) * 1000)
        found["keyword_product"] += target in {h.chunk_id for h in hits}
        dropped += pruned != full
        found["vector"] += target in {h.chunk_id for h in chunk_store.nearest_chunks(conn, c, v, retrieval.CANDIDATES)}
    out = {f"{k}_ms_p50": pct(x, 50) for k, x in t.items()} | {f"{k}_ms_p95": pct(x, 95) for k, x in t.items()}
    out |= {f"source_in_top30_{k}": round(n / len(made), 3) for k, n in found.items()}
    out["questions_with_words_dropped"] = round(dropped / len(made), 3)
    saved = retrieval.KEYWORD_MATCH_MIN, retrieval.KEYWORD_MATCH_CAP
    retrieval.KEYWORD_MATCH_MIN = retrieval.KEYWORD_MATCH_CAP = 10**12  # keep every word
    try:
        walls, cpus, results = timed_retrievals(conn, stub, [(q, c) for q, c, _, _ in made])
    finally:
        retrieval.KEYWORD_MATCH_MIN, retrieval.KEYWORD_MATCH_CAP = saved
    out |= {"retrieve_all_words_ms_p50": pct(walls, 50), "retrieve_all_words_ms_p95": pct(walls, 95),
            "retrieve_all_words_cpu_p95_ms": pct(cpus, 95),
            "retrieve_all_words_source_chunk_in_passages": source_found(conn, made, results),
            **keyword_cap_settings()}
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
    ap.add_argument("--keyword-match-cap", type=int,
                    help="override chronos.rag.retrieval.KEYWORD_MATCH_CAP for this run (to compare values)")
    ap.add_argument("--wait-idle", type=float, default=0.0, metavar="S",
                    help="before each timed pass, wait up to S seconds for other processes to go quiet")
    ap.add_argument("--json-out", type=Path)
    args = ap.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    if args.keyword_match_cap is not None:
        retrieval.KEYWORD_MATCH_CAP = args.keyword_match_cap
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
        r = measure(size, args.queries, args.warmup, args.seed, not args.no_experiments, args.wait_idle)
        log(f"  [{size}] p50 {r['p50_ms']} ms, p95 {r['p95_ms']} ms (vector p95 {r['vector_ms_p95']},"
            f" keyword p95 {r['keyword_ms_p95']}, cpu p95 {r['cpu_p95_ms']}, others' CPU {r['others_cpu_per_wall']})")
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
                   **keyword_cap_settings(),
                   "embed_ms_p50": embed_ms, "fts_optimized": True, "transcript_segments": True,
                   **versions, "python": platform.python_version(), "cpus": os.cpu_count(),
                   "loadavg_at_end": [round(x, 2) for x in os.getloadavg()]},
        "results": results,
        "targets": TARGETS_MS,
        "meets_targets": bool(checked) and all(r["meets_target"] for r in checked),
    }
    report.emit(out, args.json_out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
