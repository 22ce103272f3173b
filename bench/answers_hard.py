#!/usr/bin/env python3
"""The hard answer benchmark (`bench/answers.py --set hard`): twelve lectures, 300+ student questions.

    .venv/bin/python bench/answers.py --set hard                          # media, ingest, serve, ask
    .venv/bin/python bench/answers.py --set hard --reuse                  # reuse bench/out/hard-data
    .venv/bin/python bench/answers.py --set hard --reuse --in-process     # no HTTP: fast iteration
    .venv/bin/python bench/answers.py --set hard --model tiny.en --data-dir bench/out/hard-tiny

The lectures and voices are data in answers_hard_set.py, the questions in answers_hard_questions.py.
Each lecture is spoken by its own espeak-ng voice into an MP4 with scripts/make_lecture.py (cached in
bench/out/hard/), then ingested with the real pipeline into a fresh data folder (kept, so that
--reuse can skip the ingest). The questions go, one each and each in a new chat, to a real
`chronos serve` child process through `POST /api/chat` with the offline answerer, or with
--in-process straight to services.chat.ask_and_wait.

A citation is a hit when it is in the gold video and its [start_s, end_s] overlaps a gold sentence's
time range (from make_lecture's sidecar) with SLACK_S of slack. hit@1: the first citation hits;
hit@5: one of the first five does; MRR: mean of 1/rank of the first hit (0 without one).
Off-topic and near-miss questions are rejected when the answer has no citations.
"""
from __future__ import annotations

import argparse
import http.client
import json
import logging
import os
import platform
import re
import statistics
import subprocess
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
BENCH = Path(__file__).resolve().parent
for p in (str(ROOT), str(ROOT / "scripts"), str(BENCH)):
    if p not in sys.path:
        sys.path.insert(0, p)

from answers_hard_set import LECTURES, OFF_TOPIC_KINDS, QUESTIONS, VOICES  # noqa: E402
from report import emit, pct  # noqa: E402

OUT = BENCH / "out" / "hard"
DEFAULT_DATA = BENCH / "out" / "hard-data"
SLACK_S = 1.0
WARM_UP = ("What is this course about?", "Which lecture should I watch first?")
STOPWORDS = set("""a about after all also an and any are as at be because been before being between
both but by can could did do does doing during each even ever for from had has have how i if in into
is it its just like long made make many may me more most much my no not of on once one only or other
our out over own same should so some such than that the their them then there these they this those
through to too under until up very was way we were what when where which while who whom whose why
will with would you your get got did does lecture lectures course said say says tell mean called call
kind thing things really actually""".split())


def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


# -- the set -------------------------------------------------------------------------------------
def lecture_media(slug: str, regenerate: bool) -> tuple[Path, dict]:
    """The lecture's MP4 and sidecar, generated unless an up-to-date one is cached."""
    from make_lecture import make_lecture, split_sentences

    voice, wpm = VOICES[slug]
    out = OUT / f"{slug}.mp4"
    side = out.with_suffix(".json")
    want = split_sentences(LECTURES[slug]["text"])
    if not regenerate and out.exists() and side.exists():
        sidecar = json.loads(side.read_text())
        if ([s["text"] for s in sidecar["sentences"]] == want and sidecar.get("voice") == voice
                and sidecar.get("wpm") == wpm):
            return out, sidecar
    log(f"generating {out.name} ({voice}, {wpm} wpm) …")
    return out, make_lecture(LECTURES[slug]["text"], out, voice=voice, wpm=wpm)


def stems(text: str) -> list[str]:
    """Content words of text, crudely stemmed (a prefix), for the paraphrase check."""
    return [w[:5] for w in re.findall(r"[a-z0-9]+", text.lower().replace("'s", "")) if w not in STOPWORDS]


def build_questions(sidecars: dict[str, dict]) -> list[dict]:
    """The questions with their gold ranges; each gold phrase must name exactly one sentence."""
    seen, out, problems = set(), [], []
    for q, kind, slug, phrases in QUESTIONS:
        if q in seen:
            problems.append(f"repeated question {q!r}")
        seen.add(q)
        if (slug is None) != (kind in OFF_TOPIC_KINDS) or (slug is not None and not phrases):
            problems.append(f"{q!r}: kind {kind} does not fit lecture {slug} / gold {phrases}")
            continue
        gold, texts = [], []
        for phrase in phrases:
            found = [s for s in sidecars[slug]["sentences"] if phrase in s["text"]] if slug else []
            if len(found) != 1:
                problems.append(f"gold phrase {phrase!r} of {q!r} matches {len(found)} sentences of {slug}")
                continue
            gold.append((found[0]["start_s"], found[0]["end_s"]))
            texts.append(found[0]["text"])
        qs = stems(q)
        gs = set(stems(" ".join(texts)))
        overlap = sum(w in gs for w in qs) / len(qs) if qs and texts else None
        out.append({"q": q, "kind": kind, "lecture": slug, "gold": gold, "gold_text": " ".join(texts),
                    "overlap": overlap})
    if problems:
        raise SystemExit("the question set is broken:\n  " + "\n  ".join(problems))
    return out


def overlap_report(questions: list[dict]) -> dict:
    """How much of each question's wording the gold sentence shares: a check that the set paraphrases."""
    vals = [x["overlap"] for x in questions if x["overlap"] is not None]
    buckets = Counter(min(int(v * 5), 4) for v in vals)  # 0-0.2, …, 0.8-1.0
    by_kind = defaultdict(list)
    for x in questions:
        if x["overlap"] is not None:
            by_kind[x["kind"]].append(x["overlap"])
    high = sorted((x for x in questions if x["overlap"] is not None and x["overlap"] >= 0.75),
                  key=lambda x: -x["overlap"])
    return {"mean": round(statistics.fmean(vals), 3), "median": round(statistics.median(vals), 3),
            "histogram": {f"{b / 5:.1f}-{(b + 1) / 5:.1f}": buckets.get(b, 0) for b in range(5)},
            "mean_by_kind": {k: round(statistics.fmean(v), 3) for k, v in sorted(by_kind.items())},
            "at_least_0.75": [{"q": x["q"], "kind": x["kind"], "overlap": round(x["overlap"], 2)} for x in high]}


# -- ingest --------------------------------------------------------------------------------------
def open_services(data_dir: Path, model: str):
    from chronos.config import load_settings
    from chronos.services import build_services

    settings = load_settings(data_dir, env={}, whisper_model=model, run_scheduler=False, answerer="offline")
    return settings, build_services(settings)


def ingest(data_dir: Path, model: str, media: dict[str, tuple[Path, dict]]) -> dict[str, float]:
    """Every lecture through the real pipeline into data_dir, as `chronos ingest` does; seconds each."""
    from chronos.models.creators import local_creator
    from chronos.pipeline.ingest import ingest_path

    settings, services = open_services(data_dir, model)
    took = {}
    try:
        with services.db.connection() as conn:
            creator_id = local_creator(conn).id
            for slug, (path, sidecar) in media.items():
                t0 = time.perf_counter()
                video = ingest_path(path, conn=conn, media_dir=settings.media_dir,
                                    incoming_dir=settings.upload_tmp_dir, creator_id=creator_id,
                                    max_bytes=settings.max_upload_bytes, title=LECTURES[slug]["title"], published=True)
                outcome = services.runner.process_until_done(video.id)
                if outcome.status != "completed":
                    raise SystemExit(f"{slug}: pipeline ended {outcome.status}: {outcome.error}")
                took[slug] = round(time.perf_counter() - t0, 1)
                log(f"ingested {slug} ({sidecar['duration_s']:.0f} s) in {took[slug]} s")
    finally:
        services.close(wait=True)
    (data_dir / "bench-hard.json").write_text(json.dumps({"model": model, "ingest_s": took}) + "\n")
    return took


def prepare_library(data_dir: Path, model: str) -> tuple[int, dict[str, int], dict[str, float]]:
    """The creator, each lecture's video id and its transcript's WER; unlimited tier, empty answer cache."""
    from chronos.db import transaction
    from chronos.evaluation import wer
    from chronos.models import answer_cache
    from chronos.models.creators import local_creator

    _, services = open_services(data_dir, model)
    try:
        with services.db.connection() as conn:
            creator_id = local_creator(conn).id
            # A few hundred questions: the unlimited tier, so a monthly quota never refuses one.
            with transaction(conn):
                conn.execute("UPDATE creators SET subscription_tier = 'enterprise' WHERE id = ?", (creator_id,))
            answer_cache.clear(conn, creator_id)  # a reused folder must not answer from an earlier run
            video_ids, wers = {}, {}
            for slug, lecture in LECTURES.items():
                row = conn.execute("SELECT id, transcript FROM videos WHERE title = ? AND status = 'completed'"
                                   " ORDER BY id DESC", (lecture["title"],)).fetchone()
                if row is None:
                    raise SystemExit(f"{data_dir} has no processed video {lecture['title']!r}: ingest it"
                                     " (run without --reuse into a new --data-dir)")
                video_ids[slug] = row[0]
                wers[slug] = round(wer(lecture["text"], row[1] or ""), 3)
    finally:
        services.close(wait=True)
    return creator_id, video_ids, wers


# -- asking --------------------------------------------------------------------------------------
def server_env(model: str) -> dict[str, str]:
    """The product's defaults with the offline answerer, no keys, and no rate limit on one asker."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("CHRONOS_", "ANTHROPIC_", "OPENAI_", "WHOP_"))}
    env.update({"PYTHONPATH": str(ROOT), "CHRONOS_WHISPER_MODEL": model, "CHRONOS_ANSWERER": "offline",
                "CHRONOS_RATE_QUESTIONS_PER_MIN": "0", "CHRONOS_RATE_PER_USER_PER_MIN": "0",
                "CHRONOS_RATE_PER_ADDRESS_PER_MIN": "0"})
    return env


class HttpAsker:
    """A real `chronos serve` child process on a free loopback port, asked with an owner token."""

    def __init__(self, data_dir: Path, model: str):
        from tests.procs import free_port

        env = server_env(model)
        cli = [sys.executable, "-m", "chronos"]
        self.token = subprocess.run(cli + ["token", "create", "--data-dir", str(data_dir), "--name", "bench"],
                                    capture_output=True, text=True, env=env, check=True).stdout.strip()
        self.port = free_port()
        self.log = open(data_dir / "bench-serve.log", "w")
        t0 = time.perf_counter()
        self.proc = subprocess.Popen(cli + ["serve", "--data-dir", str(data_dir), "--port", str(self.port),
                                            "--no-browser"], stdout=subprocess.PIPE, stderr=self.log,
                                     text=True, env=env)
        for line in self.proc.stdout:  # blocks until the server says it is listening
            if "Chronos is running at" in line:
                break
        else:
            raise SystemExit(f"chronos serve exited with {self.proc.wait()}; see {self.log.name}")
        self.listening_s = round(time.perf_counter() - t0, 2)
        self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)

    def ask(self, question: str) -> tuple[dict, float]:
        """POST /api/chat in a new chat; the answer's JSON and the HTTP round trip in ms."""
        body = json.dumps({"message": question})
        t0 = time.perf_counter()
        self.conn.request("POST", "/api/chat", body=body, headers={
            "Authorization": f"Bearer {self.token}", "Content-Type": "application/json"})
        res = self.conn.getresponse()
        data = res.read()
        ms = (time.perf_counter() - t0) * 1000
        if res.status != 200:
            raise SystemExit(f"POST /api/chat {question!r}: HTTP {res.status}: {data[:300]!r}")
        return json.loads(data), ms

    def close(self) -> None:
        self.conn.close()
        if self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=60)
        self.log.close()


class InProcessAsker:
    """services.chat.ask_and_wait in this process: no HTTP, for fast iteration on retrieval."""

    def __init__(self, data_dir: Path, model: str, creator_id: int):
        from chronos.rag.chat import Asker

        self.listening_s = None
        _, self.services = open_services(data_dir, model)
        self.asker = Asker(creator_id)

    def ask(self, question: str) -> tuple[dict, float]:
        t0 = time.perf_counter()
        ans = self.services.chat.ask_and_wait(self.asker, question)
        return ans, (time.perf_counter() - t0) * 1000

    def close(self) -> None:
        self.services.close(wait=True)


# -- scoring -------------------------------------------------------------------------------------
def hit_rank(citations: list[dict], video_id: int, gold: list[tuple[float, float]]) -> int | None:
    """1-based rank of the first citation in the gold video overlapping a gold range (with slack)."""
    for i, c in enumerate(citations, 1):
        if c["video_id"] == video_id and any(c["start_s"] - SLACK_S <= ge and gs <= c["end_s"] + SLACK_S
                                             for gs, ge in gold):
            return i
    return None


def scores(rows: list[dict]) -> dict:
    """hit@1, hit@5, MRR and no-citation count of answerable rows; rejection rate of off-topic rows."""
    ans = [r for r in rows if r["kind"] not in OFF_TOPIC_KINDS]
    off = [r for r in rows if r["kind"] in OFF_TOPIC_KINDS]
    out: dict = {"n": len(ans)} if ans else {}
    if ans:
        out.update({
            "hit@1": round(sum(r["rank"] == 1 for r in ans) / len(ans), 3),
            "hit@5": round(sum(r["rank"] is not None and r["rank"] <= 5 for r in ans) / len(ans), 3),
            "mrr": round(statistics.fmean(1 / r["rank"] if r["rank"] else 0.0 for r in ans), 3),
            "no_citations": sum(not r["citations"] for r in ans),
            "right_video_first": round(sum(bool(r["citations"]) and r["citations"][0]["video_id"]
                                           == r["gold_video"] for r in ans) / len(ans), 3)})
    if off:
        out.update({"off_topic_n": len(off),
                    "off_topic_rejected": round(sum(not r["citations"] for r in off) / len(off), 3)})
    return out


def trim(text: str, n: int = 200) -> str:
    text = " ".join(text.split())
    return text if len(text) <= n else text[: n - 1] + "…"


def misses(rows: list[dict], titles: dict[int, str]) -> list[dict]:
    """Why questions missed: the gold sentence beside what was cited first."""
    out = []
    for r in rows:
        first = r["citations"][0] if r["citations"] else None
        cited = first and {"video": titles.get(first["video_id"], first["video_id"]),
                           "start_s": round(first["start_s"], 1), "end_s": round(first["end_s"], 1),
                           "score": round(first["score"], 3) if first.get("score") is not None else None,
                           "text": trim(first["text"] or "")}
        if r["kind"] in OFF_TOPIC_KINDS:
            if first:
                out.append({"q": r["q"], "kind": r["kind"], "gold": None, "first_citation": cited})
        elif r["rank"] != 1:
            out.append({"q": r["q"], "kind": r["kind"], "lecture": r["lecture"], "hit_rank": r["rank"],
                        "gold": {"ranges": [[round(a, 1), round(b, 1)] for a, b in r["gold"]],
                                 "text": trim(r["gold_text"])},
                        "first_citation": cited})
    return out


# -- the benchmark -------------------------------------------------------------------------------
def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="answers.py --set hard", description=__doc__.split("\n\n")[0])
    ap.add_argument("--model", default="base", choices=("base", "tiny.en"), help="Whisper model for the ingest")
    ap.add_argument("--data-dir", type=Path, default=DEFAULT_DATA,
                    help=f"the data folder to ingest into (must not exist) or reuse (default {DEFAULT_DATA})")
    ap.add_argument("--reuse", action="store_true", help="skip the ingest: ask the already ingested --data-dir")
    ap.add_argument("--in-process", action="store_true",
                    help="ask services.chat.ask_and_wait in this process instead of a `chronos serve` over HTTP")
    ap.add_argument("--ingest-only", action="store_true", help="make the media and the library, ask nothing")
    ap.add_argument("--limit", type=int, help="ask only every n-th question, about this many (a quick check)")
    ap.add_argument("--regenerate", action="store_true", help="regenerate the lecture media")
    ap.add_argument("--json-out", type=Path)
    args = ap.parse_args(argv)
    logging.getLogger("faster_whisper").setLevel(logging.WARNING)
    data_dir = args.data_dir.resolve()

    OUT.mkdir(parents=True, exist_ok=True)
    media = {slug: lecture_media(slug, args.regenerate) for slug in LECTURES}
    questions = build_questions({slug: m[1] for slug, m in media.items()})
    paraphrase_check = overlap_report(questions) if questions else {}
    log(f"{len(questions)} questions; question words found in the gold sentence: "
        f"{ {k: v for k, v in paraphrase_check.items() if k != 'at_least_0.75'} }")
    for x in paraphrase_check.get("at_least_0.75", []):
        log(f"  high overlap {x['overlap']:.2f} [{x['kind']}] {x['q']}")

    if args.limit:
        questions = questions[:: max(1, len(questions) // args.limit)]
    if args.reuse and not (data_dir / "chronos.db").exists():
        raise SystemExit(f"{data_dir} holds no Chronos library to reuse: run once without --reuse to ingest it")
    ingest_s = None
    if not args.reuse:
        if data_dir.exists() and any(data_dir.iterdir()):
            raise SystemExit(f"{data_dir} exists: pass --reuse to ask it, or remove it / choose another"
                             " --data-dir for a fresh ingest")
        ingest_s = ingest(data_dir, args.model, media)
    else:  # how long the reused folder's ingest took, as its run recorded it
        record = data_dir / "bench-hard.json"
        ingest_s = json.loads(record.read_text()).get("ingest_s") if record.exists() else None
    creator_id, video_ids, wers = prepare_library(data_dir, args.model)
    log(f"transcript WER: {wers}")
    if args.ingest_only:
        emit({"data_dir": str(data_dir), "ingest_s": ingest_s, "transcript_wer": wers}, args.json_out)
        return 0

    t0 = time.perf_counter()
    asker = InProcessAsker(data_dir, args.model, creator_id) if args.in_process else HttpAsker(data_dir, args.model)
    warm_ms, rows = [], []
    try:
        for q in WARM_UP:  # the first one pays for loading the models, unless the server preloads them
            warm_ms.append(round(asker.ask(q)[1], 1))
        for i, x in enumerate(questions, 1):
            ans, ms = asker.ask(x["q"])  # no session_id: every question starts a new chat
            if ans["cached"]:
                raise SystemExit(f"answered from the answer cache: {x['q']!r}")
            gv = video_ids.get(x["lecture"])
            rows.append({**x, "gold_video": gv, "ms": ms, "citations": ans["citations"],
                         "rank": hit_rank(ans["citations"], gv, x["gold"]) if gv else None})
            if i % 50 == 0:
                log(f"asked {i}/{len(questions)}: {scores(rows)}")
    finally:
        asker.close()
    ask_wall_s = round(time.perf_counter() - t0, 1)

    titles = {v: LECTURES[s]["title"] for s, v in video_ids.items()}
    ms_all = [r["ms"] for r in rows]
    ms_ans = [r["ms"] for r in rows if r["kind"] not in OFF_TOPIC_KINDS]
    per_voice = {}
    for slug in LECTURES:
        voice, wpm = VOICES[slug]
        per_voice[voice] = {"lecture": slug, "wpm": wpm, "wer": wers[slug],
                            "audio_s": media[slug][1]["duration_s"],
                            **scores([r for r in rows if r["lecture"] == slug])}
    kinds = sorted({r["kind"] for r in rows})
    result = {
        "set": "hard",
        "inputs": {"whisper_model": args.model, "lectures": len(LECTURES),
                   "audio_s": round(sum(m[1]["duration_s"] for m in media.values()), 1),
                   "questions": len(rows), "by_kind": dict(Counter(r["kind"] for r in rows)),
                   "slack_s": SLACK_S, "answerer": "offline", "creator_tier": "enterprise",
                   "mode": "in-process" if args.in_process else "http", "data_dir": str(data_dir),
                   "reused_data": args.reuse, "ingest_s": ingest_s,
                   "python": platform.python_version(), "cpus": os.cpu_count(),
                   "loadavg_at_end": [round(v, 2) for v in os.getloadavg()]},
        "overall": scores(rows),
        "per_kind": {k: scores([r for r in rows if r["kind"] == k]) for k in kinds},
        "per_voice": per_voice,
        "latency_ms": {"p50": pct(ms_all, 50), "p95": pct(ms_all, 95), "mean": round(statistics.fmean(ms_all), 1),
                       "max": round(max(ms_all), 1), "answerable_p95": pct(ms_ans, 95),
                       "warm_up_first_two": warm_ms, "server_listening_s": asker.listening_s,
                       "ask_wall_s": ask_wall_s},
        "wer": {"mean": round(float(np.mean(list(wers.values()))), 3), "per_voice":
                {VOICES[s][0]: w for s, w in wers.items()}},
        "paraphrase_check": paraphrase_check,
        "misses": misses(rows, titles),
        # One row a question: [question, kind, lecture, hit rank, ms, first citation's video id and score].
        "per_question": [[r["q"], r["kind"], r["lecture"], r["rank"], round(r["ms"], 1)]
                         + ([r["citations"][0]["video_id"], r["citations"][0]["score"]] if r["citations"] else [])
                         for r in rows],
    }
    emit(result, args.json_out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
