#!/usr/bin/env python3
"""Benchmark answer quality and offline answer latency over generated lectures; print one JSON object.

    .venv/bin/python bench/answers.py                      # Whisper base (the product default)
    .venv/bin/python bench/answers.py --model tiny.en --json-out bench/out/answers-tiny.json
    .venv/bin/python bench/answers.py --set hard --help    # the larger set: bench/answers_hard.py

`--set small` (the default) is the set described here; `--set hard` hands every other argument to
bench/answers_hard.py (twelve lectures in twelve voices, 300+ questions asked over HTTP).

The six lectures and their questions are data in bench/answers_set.py. Each lecture is spoken by
espeak-ng into an MP4 with scripts/make_lecture.py (cached in bench/out/answers/; --regenerate
forces), then ingested into a FRESH data folder with the real pipeline
(build_services(settings).runner.process_until_done), as `chronos ingest` does.

Measured:
  * retrieval, for each mode (vector, keyword, hybrid): chronos.rag.retrieval.retrieve(..., k=5).
    hit@1: the first passage is in the gold video and its time range overlaps a gold sentence's
    (from make_lecture's sidecar, 1 s slack); hit@5: any of the five does. off_topic_rejected:
    off-topic questions with covered == False. false_not_covered: answerable questions with
    covered == False.
  * best_similarity (the highest cosine similarity among the candidates, what RELEVANCE_FLOOR is
    compared with) for answerable vs off-topic questions, and what each floor would do.
  * offline_answer: services.chat.ask_and_wait(Asker(creator_id), question) with the built-in
    offline answerer, after a warm-up (models loaded); every question is asked once, so the
    answer cache never serves one. citation_hit@1: the first citation overlaps a gold sentence.
"""
from __future__ import annotations

import argparse
import json
import logging
import os
import platform
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from chronos.evaluation import wer

ROOT = Path(__file__).resolve().parents[1]
BENCH = Path(__file__).resolve().parent
for p in (str(ROOT), str(ROOT / "scripts"), str(BENCH)):
    if p not in sys.path:
        sys.path.insert(0, p)

from answers_set import LECTURES, OFF_TOPIC_KINDS, QUESTIONS  # noqa: E402
from report import emit, pct  # noqa: E402

OUT = BENCH / "out" / "answers"
VOICE, WPM = "en-us", 160
SLACK_S = 1.0
TARGET_P95_MS = 250
MODES = ("vector", "keyword", "hybrid")
FLOORS = [round(0.10 + 0.05 * i, 2) for i in range(9)]  # 0.10 … 0.50


def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


# -- media ---------------------------------------------------------------------------------------
def lecture_media(slug: str, regenerate: bool) -> tuple[Path, dict]:
    """The lecture's MP4 and sidecar, generated unless an up-to-date one is cached."""
    from make_lecture import make_lecture, split_sentences

    lecture = LECTURES[slug]
    out = OUT / f"{slug}.mp4"
    side = out.with_suffix(".json")
    want = split_sentences(lecture["text"])
    if not regenerate and out.exists() and side.exists():
        sidecar = json.loads(side.read_text())
        if ([s["text"] for s in sidecar["sentences"]] == want and sidecar.get("voice") == VOICE
                and sidecar.get("wpm") == WPM):
            return out, sidecar
    log(f"generating {out.name} …")
    return out, make_lecture(lecture["text"], out, voice=VOICE, wpm=WPM)


def gold_ranges(sidecar: dict, phrases: tuple[str, ...], question: str) -> list[tuple[float, float]]:
    ranges = []
    for phrase in phrases:
        found = [s for s in sidecar["sentences"] if phrase in s["text"]]
        if len(found) != 1:
            raise SystemExit(f"gold phrase {phrase!r} of {question!r} matches {len(found)} sentences")
        ranges.append((found[0]["start_s"], found[0]["end_s"]))
    return ranges


def overlaps(video_id: int, start_s: float, end_s: float, gold_video: int,
             gold: list[tuple[float, float]]) -> bool:
    return video_id == gold_video and any(start_s - SLACK_S <= ge and gs <= end_s + SLACK_S for gs, ge in gold)


def describe(xs: list[float]) -> dict:
    xs = sorted(xs)
    return {"n": len(xs), "min": round(xs[0], 3), "p10": round(float(np.percentile(xs, 10)), 3),
            "median": round(float(np.median(xs)), 3), "max": round(xs[-1], 3),
            "values": [round(x, 3) for x in xs]} if xs else {"n": 0}


# -- the benchmark -------------------------------------------------------------------------------
def main(argv: list[str] | None = None) -> int:
    pick = argparse.ArgumentParser(add_help=False)
    pick.add_argument("--set", choices=("small", "hard"), default="small")
    chosen, rest = pick.parse_known_args(argv)
    if chosen.set == "hard":
        from answers_hard import main as hard_main

        return hard_main(rest)
    argv = rest
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--set", choices=("small", "hard"), default="small",
                    help="small: this set (default); hard: bench/answers_hard.py's")
    ap.add_argument("--model", default="base", choices=("base", "tiny.en"), help="Whisper model")
    ap.add_argument("--k", type=int, default=5, help="passages retrieved per question")
    ap.add_argument("--repeats", type=int, default=3,
                    help="times each question is asked for the latency (the answer cache is emptied first)")
    ap.add_argument("--no-thread-ab", action="store_true",
                    help="skip the interleaved comparison with torch limited to one thread")
    ap.add_argument("--regenerate", action="store_true", help="regenerate the lecture media")
    ap.add_argument("--keep-data", action="store_true", help="keep the data folder (path in the JSON)")
    ap.add_argument("--reuse-data", type=Path, help="a data folder kept by an earlier run with the same"
                    " --model: skip the ingest (for iterating on the measurements only)")
    ap.add_argument("--json-out", type=Path)
    args = ap.parse_args(argv)
    logging.getLogger("faster_whisper").setLevel(logging.WARNING)

    from chronos.config import load_settings
    from chronos.db import transaction
    from chronos.models.creators import local_creator
    from chronos.pipeline.ingest import ingest_path
    from chronos.rag import retrieval
    from chronos.rag.chat import Asker
    from chronos.services import build_services

    OUT.mkdir(parents=True, exist_ok=True)
    media = {slug: lecture_media(slug, args.regenerate) for slug in LECTURES}
    questions = []
    for q, kind, slug, phrases in QUESTIONS:
        gold = gold_ranges(media[slug][1], phrases, q) if slug else []
        questions.append({"q": q, "kind": kind, "lecture": slug, "gold": gold})
    answerable = [x for x in questions if x["kind"] not in OFF_TOPIC_KINDS]
    off_topic = [x for x in questions if x["kind"] in OFF_TOPIC_KINDS]

    reuse = args.reuse_data is not None
    data_dir = args.reuse_data.resolve() if reuse else Path(tempfile.mkdtemp(prefix=f"data-{args.model}-", dir=OUT))
    settings = load_settings(data_dir, env={}, whisper_model=args.model, run_scheduler=False,
                             answerer="offline")
    services = build_services(settings)
    try:
        # -- ingest, with the real pipeline -------------------------------------------------------
        video_ids, ingest_s, wers = {}, {}, {}
        with services.db.connection() as conn:
            creator_id = local_creator(conn).id
            # The bench asks a few hundred questions: put the creator on the unlimited tier so a
            # monthly answer quota (if this build has one) never refuses them. Bookkeeping still runs.
            with transaction(conn):
                conn.execute("UPDATE creators SET subscription_tier = 'enterprise' WHERE id = ?", (creator_id,))
            if reuse:
                for slug in media:
                    row = conn.execute("SELECT id, transcript FROM videos WHERE title = ? AND status ="
                                       " 'completed'", (LECTURES[slug]["title"],)).fetchone()
                    video_ids[slug] = row[0]
                    wers[slug] = round(wer(LECTURES[slug]["text"], row[1] or ""), 3)
            for slug, (path, sidecar) in ([] if reuse else media.items()):
                t0 = time.perf_counter()
                video = ingest_path(path, conn=conn, media_dir=settings.media_dir,
                                    incoming_dir=settings.upload_tmp_dir, creator_id=creator_id,
                                    max_bytes=settings.max_upload_bytes, title=LECTURES[slug]["title"], published=True)
                outcome = services.runner.process_until_done(video.id)
                if outcome.status != "completed":
                    raise SystemExit(f"{slug}: pipeline ended {outcome.status}: {outcome.error}")
                ingest_s[slug] = round(time.perf_counter() - t0, 1)
                video_ids[slug] = video.id
                transcript = conn.execute("SELECT transcript FROM videos WHERE id = ?",
                                          (video.id,)).fetchone()[0] or ""
                wers[slug] = round(wer(LECTURES[slug]["text"], transcript), 3)
                log(f"ingested {slug} ({sidecar['duration_s']:.0f} s) in {ingest_s[slug]} s, WER {wers[slug]}")
            n_chunks = conn.execute("SELECT count(*) FROM video_chunks").fetchone()[0]

        # -- retrieval per mode -------------------------------------------------------------------
        services.embedder.embed_one("warm up")
        per_q = {x["q"]: {"kind": x["kind"]} for x in questions}
        retrieval_out = {}
        best_sim: dict[str, dict[str, list[float]]] = {m: {"answerable": [], "off_topic": []} for m in MODES}
        captured: list[list[int]] = []
        retrieve_ms: dict[str, list[float]] = {}
        real_merge = retrieval._merge

        def capturing_merge(conn, ranked, *a, **kw):  # the fused chunk ranking, before merging
            captured.append(list(ranked))
            return real_merge(conn, ranked, *a, **kw)

        retrieval._merge = capturing_merge
        with services.db.connection() as conn:
            spans_of = {r[0]: (r[1], r[2], r[3]) for r in conn.execute(
                "SELECT id, video_id, start_s, end_s FROM video_chunks")}
            for mode in MODES:
                h1 = h5 = not_covered = rejected = c1 = c5 = 0
                spans = []
                for x in questions:
                    captured.clear()
                    t0 = time.perf_counter()
                    r = retrieval.retrieve(conn, services.embedder, x["q"], creator_id=creator_id,
                                           k=args.k, mode=mode)
                    retrieve_ms.setdefault(mode, []).append((time.perf_counter() - t0) * 1000)
                    group = "off_topic" if x["kind"] in OFF_TOPIC_KINDS else "answerable"
                    best_sim[mode][group].append(r.best_similarity)
                    per_q[x["q"]][f"{mode}_best_similarity"] = round(r.best_similarity, 3)
                    if group == "off_topic":
                        rejected += not r.covered
                        per_q[x["q"]][f"{mode}_covered"] = r.covered
                        continue
                    gv = video_ids[x["lecture"]]
                    ranks = [i for i, p in enumerate(r.passages[: args.k])
                             if overlaps(p.video_id, p.start_s, p.end_s, gv, x["gold"])]
                    h1 += bool(ranks) and ranks[0] == 0
                    h5 += bool(ranks)
                    ranked = captured[0] if captured else []
                    cranks = [i for i, cid in enumerate(ranked[: args.k]) if overlaps(*spans_of[cid], gv, x["gold"])]
                    c1 += bool(cranks) and cranks[0] == 0
                    c5 += bool(cranks)
                    per_q[x["q"]][f"{mode}_chunk_hit_rank"] = cranks[0] + 1 if cranks else None
                    not_covered += not r.covered
                    spans += [p.end_s - p.start_s for p in r.passages[:1]]
                    per_q[x["q"]][f"{mode}_hit_rank"] = ranks[0] + 1 if ranks else None
                n = len(answerable)
                retrieval_out[mode] = {
                    "hit@1": round(h1 / n, 3), "hit@5": round(h5 / n, 3),
                    "off_topic_rejected": f"{rejected}/{len(off_topic)}",
                    "off_topic_rejected_rate": round(rejected / len(off_topic), 3),
                    "false_not_covered": f"{not_covered}/{n}",
                    "false_not_covered_rate": round(not_covered / n, 3),
                    "first_passage_span_s_mean": round(statistics.fmean(spans), 1) if spans else None,
                    # Stricter: the single top-ranked ~20 s chunk (before adjacent chunks merge).
                    "chunk_hit@1": round(c1 / n, 3), "chunk_hit@5": round(c5 / n, 3),
                    # retrieve() with the real embedder (question embedding included), all questions.
                    "retrieve_ms_p50": pct(retrieve_ms[mode], 50), "retrieve_ms_p95": pct(retrieve_ms[mode], 95),
                }
                for kind in ("keyword", "paraphrase"):
                    sub = [x for x in answerable if x["kind"] == kind]
                    retrieval_out[mode][f"{kind}_hit@1"] = round(
                        sum(per_q[x["q"]][f"{mode}_hit_rank"] == 1 for x in sub) / len(sub), 3)
                    retrieval_out[mode][f"{kind}_hit@5"] = round(
                        sum(per_q[x["q"]][f"{mode}_hit_rank"] is not None for x in sub) / len(sub), 3)
                    retrieval_out[mode][f"{kind}_chunk_hit@1"] = round(
                        sum(per_q[x["q"]][f"{mode}_chunk_hit_rank"] == 1 for x in sub) / len(sub), 3)
                log(f"{mode}: {retrieval_out[mode]}")
        retrieval._merge = real_merge
        ranking = sorted(MODES, key=lambda m: (retrieval_out[m]["hit@1"], retrieval_out[m]["chunk_hit@1"],
                                               retrieval_out[m]["hit@5"],
                                               retrieval_out[m]["off_topic_rejected_rate"]), reverse=True)

        # The relevance floor: best_similarity (vector candidates hold the creator's best chunk, and
        # hybrid's candidates include them, so hybrid's best equals vector's) against each floor.
        ans_sim, off_sim = best_sim["hybrid"]["answerable"], best_sim["hybrid"]["off_topic"]
        sweep = [{"floor": f, "off_topic_rejected": sum(s < f for s in off_sim),
                  "answerable_not_covered": sum(s < f for s in ans_sim)} for f in FLOORS]
        gap = (max(off_sim), min(ans_sim))
        floor_analysis = {
            "current_floor": retrieval.RELEVANCE_FLOOR,
            "answerable_best_similarity": describe(ans_sim),
            "off_topic_best_similarity": describe(off_sim),
            "separable": gap[0] < gap[1],
            "midpoint_floor": round((gap[0] + gap[1]) / 2, 3) if gap[0] < gap[1] else None,
            "sweep": sweep,
            "off_topic_best_similarity_by_question": {x["q"]: per_q[x["q"]]["hybrid_best_similarity"]
                                                      for x in off_topic},
        }

        # -- offline answers through the chat service ---------------------------------------------
        asker = Asker(creator_id)
        for warm in ("What is this course about?", "Tell me about the first lecture."):
            services.chat.ask_and_wait(asker, warm)
        import torch

        default_threads = torch.get_num_threads()
        variants = [("product", default_threads)] + ([("torch_1_thread", 1)] if not args.no_thread_ab else [])
        times, cite_hits, cite_any, offline_nc, offline_off_nc = [], 0, 0, 0, 0
        ab_times: list[float] = []
        for rep in range(args.repeats):
            for x in questions:
                for variant, threads in (variants if rep % 2 == 0 else variants[::-1]):  # interleaved
                    torch.set_num_threads(threads)
                    with services.db.connection() as conn:  # never serve a repeat from the cache
                        conn.execute("DELETE FROM answer_cache")
                    t0 = time.perf_counter()
                    ans = services.chat.ask_and_wait(asker, x["q"])
                    elapsed = (time.perf_counter() - t0) * 1000
                    if ans["cached"]:
                        raise SystemExit(f"question answered from the cache: {x['q']!r}")
                    if variant == "product":
                        times.append(elapsed)
                        per_q[x["q"]].setdefault("offline_ms", []).append(round(elapsed, 1))
                        product_ans = ans
                    else:
                        ab_times.append(elapsed)
                torch.set_num_threads(default_threads)
                ans = product_ans
                if rep:
                    continue
                cites = ans["citations"]
                if x["kind"] in OFF_TOPIC_KINDS:
                    offline_off_nc += not cites
                    per_q[x["q"]]["offline_citations"] = len(cites)
                    continue
                gv = video_ids[x["lecture"]]
                hits = [overlaps(c["video_id"], c["start_s"], c["end_s"], gv, x["gold"]) for c in cites]
                cite_hits += bool(hits) and hits[0]
                cite_any += any(hits)
                offline_nc += not cites
                per_q[x["q"]]["offline_citation_hit"] = bool(hits) and hits[0]
                per_q[x["q"]]["offline_citations"] = [
                    [c["video_id"], round(c["start_s"], 1), round(c["end_s"], 1), round(c["score"], 3), h]
                    for c, h in zip(cites, hits)]
        # Where an offline answer's time goes: retrieve() as the chat service calls it (k from the
        # settings, question embedding included) and the offline answerer (it embeds the passages'
        # sentences to pick quotes); the rest is storage (session, messages, citations, analytics).
        part_retrieve, part_answerer = [], []
        with services.db.connection() as conn:
            for x in answerable:
                t0 = time.perf_counter()
                found = retrieval.retrieve(conn, services.embedder, x["q"], creator_id=creator_id,
                                           k=settings.retrieval_k)
                t1 = time.perf_counter()
                list(services.chat.answerer.stream(x["q"], found.passages, ()))
                t2 = time.perf_counter()
                part_retrieve.append((t1 - t0) * 1000)
                part_answerer.append((t2 - t1) * 1000)
        ans_times = [t for x in answerable for t in per_q[x["q"]]["offline_ms"]]
        offline = {"p50_ms": pct(times, 50), "p95_ms": pct(times, 95), "max_ms": round(max(times), 1),
                   "answerable_p95_ms": pct(ans_times, 95),
                   "citation_hit@1": round(cite_hits / len(answerable), 3),
                   "citation_hit_any": round(cite_any / len(answerable), 3),
                   "not_covered_on_answerable": f"{offline_nc}/{len(answerable)}",
                   "off_topic_not_covered": f"{offline_off_nc}/{len(off_topic)}",
                   "questions_timed": len(times), "repeats": args.repeats, "torch_threads": default_threads,
                   "parts_ms_p50": {"retrieve": pct(part_retrieve, 50), "answerer": pct(part_answerer, 50)},
                   "parts_ms_p95": {"retrieve": pct(part_retrieve, 95), "answerer": pct(part_answerer, 95)},
                   "parts_ms_mean": {"total_answerable": round(statistics.fmean(ans_times), 1),
                                     "retrieve": round(statistics.fmean(part_retrieve), 1),
                                     "answerer": round(statistics.fmean(part_answerer), 1)}}
        if ab_times:  # the same asks, interleaved with the product's, torch on one thread
            offline["experiment_torch_1_thread"] = {"p50_ms": pct(ab_times, 50), "p95_ms": pct(ab_times, 95),
                                                    "max_ms": round(max(ab_times), 1)}
        log(f"offline answers: {offline}")

        # The embedding share of an answer: the question plus the offline answerer's sentences.
        emb = []
        for x in questions[:20]:
            t0 = time.perf_counter()
            services.embedder.embed_one(x["q"])
            emb.append((time.perf_counter() - t0) * 1000)
    finally:
        services.close(wait=True)
        if not args.keep_data and not reuse:
            shutil.rmtree(data_dir, ignore_errors=True)

    result = {
        "inputs": {"whisper_model": args.model, "lectures": len(LECTURES), "chunks": n_chunks,
                   "audio_s": round(sum(m[1]["duration_s"] for m in media.values()), 1),
                   "answerable_questions": len(answerable),
                   "paraphrase": sum(x["kind"] == "paraphrase" for x in answerable),
                   "keyword": sum(x["kind"] == "keyword" for x in answerable),
                   "off_topic_questions": len(off_topic),
                   "near_miss": sum(x["kind"] == "near_miss" for x in off_topic),
                   "k": args.k, "slack_s": SLACK_S, "voice": VOICE, "wpm": WPM,
                   "relevance_floor": retrieval.RELEVANCE_FLOOR, "answerer": "offline",
                   "creator_tier": "enterprise",
                   "ingest_s": ingest_s, "transcript_wer": wers,
                   "embed_question_ms_p50": pct(emb, 50),
                   "data_dir": str(data_dir) if args.keep_data or reuse else None,
                   "reused_data": reuse,
                   "python": platform.python_version(), "cpus": os.cpu_count(),
                   "loadavg_at_end": [round(v, 2) for v in os.getloadavg()]},
        "retrieval": retrieval_out,
        "best_mode": ranking[0],
        "mode_ranking": ranking,
        "relevance_floor": floor_analysis,
        "offline_answer": offline,
        "target_p95_ms": TARGET_P95_MS,
        "meets_target": offline["p95_ms"] <= TARGET_P95_MS,
        "per_question": per_q,
    }
    emit(result, args.json_out, default=lambda o: o.item() if hasattr(o, "item") else str(o))
    return 0


if __name__ == "__main__":
    sys.exit(main())
