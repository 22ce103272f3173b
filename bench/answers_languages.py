#!/usr/bin/env python3
"""Cross-lingual answers: Spanish, German and French lectures asked in English and in their own
language, with MiniLM and with multilingual-e5; print one JSON object.

    .venv/bin/python bench/answers_languages.py                 # media, ingest (Whisper base), ask
    .venv/bin/python bench/answers_languages.py --reuse         # ask the kept libraries again

The five lectures (answers_languages_set.py) are spoken by espeak-ng's es, de and fr voices
(scripts/make_lecture.py, cached in bench/out/languages/), ingested once with the real pipeline and
language detection into a MiniLM library (bench/out/languages-minilm); a lecture whose language was
detected wrongly is fixed as its creator would (operations.videos.set_language) and processed again;
a copy is re-embedded with
multilingual-e5 by the code `chronos reembed` runs (bench/out/languages-e5), so both libraries hold
the same transcripts. Every question is asked once per library in-process (services.chat, offline
answerer). hit@1 / hit@5 / MRR as in answers_hard.py: a citation hits when it is in the gold video
and overlaps the gold sentence's time range (from the sidecar) with 1 s of slack.
"""
from __future__ import annotations

import argparse
import json
import logging
import shutil
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BENCH = Path(__file__).resolve().parent
for p in (str(ROOT), str(ROOT / "scripts"), str(BENCH)):
    if p not in sys.path:
        sys.path.insert(0, p)

from answers_languages_set import LECTURES, QUESTIONS  # noqa: E402
from report import emit, pct  # noqa: E402

OUT = BENCH / "out" / "languages"
SLACK_S = 1.0


def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def media(slug: str) -> tuple[Path, dict]:
    from make_lecture import make_lecture, split_sentences

    voice, wpm, _, _, text = LECTURES[slug]
    out = OUT / f"{slug}.mp4"
    if out.exists() and out.with_suffix(".json").exists():
        side = json.loads(out.with_suffix(".json").read_text())
        if [s["text"] for s in side["sentences"]] == split_sentences(text) and side.get("voice") == voice:
            return out, side
    log(f"generating {out.name} ({voice}, {wpm} wpm) …")
    return out, make_lecture(text, out, voice=voice, wpm=wpm)


def open_services(data_dir: Path, **overrides):
    from chronos.config import load_settings
    from chronos.services import build_services

    return build_services(load_settings(data_dir, env={}, run_scheduler=False, answerer="offline", **overrides))


def ingest(data_dir: Path, sidecars: dict) -> dict:
    """A fresh MiniLM library of the five lectures; per lecture: seconds, detected language, WER."""
    from chronos.db import transaction
    from chronos.evaluation import wer
    from chronos.models.creators import local_creator
    from chronos.operations.videos import set_language
    from chronos.pipeline.ingest import ingest_path

    sv = open_services(data_dir, embedder="minilm")
    report = {}
    try:
        with sv.db.connection() as conn:
            creator = local_creator(conn).id
            with transaction(conn):
                conn.execute("UPDATE creators SET subscription_tier = 'enterprise' WHERE id = ?", (creator,))
            for slug, (path, _) in sidecars.items():
                t0 = time.perf_counter()
                video = ingest_path(path, conn=conn, media_dir=sv.settings.media_dir,
                                    incoming_dir=sv.settings.upload_tmp_dir, creator_id=creator,
                                    max_bytes=sv.settings.max_upload_bytes, title=LECTURES[slug][2], published=True)
                done = sv.runner.process_until_done(video.id)
                if done.status != "completed":
                    raise SystemExit(f"{slug}: {done.status} {done.error}")
                language, transcript = conn.execute("SELECT language, transcript FROM videos WHERE id = ?",
                                                    (video.id,)).fetchone()
                report[slug] = {"ingest_s": round(time.perf_counter() - t0, 1), "language": language,
                                "expected": LECTURES[slug][3], "wer": round(wer(LECTURES[slug][4], transcript), 3)}
                if language != LECTURES[slug][3]:  # detected wrongly: fixed as a creator would (Spoken in)
                    set_language(sv, creator, video.id, LECTURES[slug][3])
                    sv.runner.process_until_done(video.id)
                    transcript = conn.execute("SELECT transcript FROM videos WHERE id = ?", (video.id,)).fetchone()[0]
                    report[slug]["fixed_wer"] = round(wer(LECTURES[slug][4], transcript), 3)
                log(f"ingested {slug}: {report[slug]}")
    finally:
        sv.close()
    return report


def reembed(source: Path, target: Path) -> dict:
    """A copy of the MiniLM library re-embedded with multilingual-e5, as `chronos reembed` does."""
    from chronos.ai.embedder import make_embedder
    from chronos.ai.transcriber import usable_cores
    from chronos.db import Database
    from chronos.pipeline.reembed import reembed_library

    shutil.rmtree(target, ignore_errors=True)
    shutil.copytree(source, target)
    db = Database(target / "chronos.db")
    t0 = time.perf_counter()
    with db.connection() as conn:
        done = reembed_library(conn, make_embedder("multilingual-e5", threads=usable_cores()))
    db.close()
    seconds = time.perf_counter() - t0
    return {"texts": done.texts, "seconds": round(seconds, 1), "texts_per_s": round(done.texts / seconds, 1)}


def ask_all(data_dir: Path, sidecars: dict) -> dict:
    """Every question once, in-process; hit@1/hit@5/MRR overall, by question language and lecture language."""
    from chronos import languages
    from chronos.models.creators import local_creator
    from chronos.rag.chat import Asker

    sv = open_services(data_dir)
    rows = []
    try:
        with sv.db.connection() as conn:
            creator = local_creator(conn).id
            ids = {slug: conn.execute("SELECT id FROM videos WHERE title = ?", (LECTURES[slug][2],)).fetchone()[0]
                   for slug in LECTURES}
        sv.chat.ask_and_wait(Asker(creator), "warm up")
        for question, slug, phrase in QUESTIONS:
            gold = [s for s in sidecars[slug][1]["sentences"] if phrase in s["text"]]
            assert len(gold) == 1, (phrase, len(gold))
            t0 = time.perf_counter()
            answer = sv.chat.ask_and_wait(Asker(creator), question)
            ms = (time.perf_counter() - t0) * 1000
            rank = next((i + 1 for i, c in enumerate(answer["citations"][:5]) if c["video_id"] == ids[slug]
                         and c["start_s"] - SLACK_S <= gold[0]["end_s"] and gold[0]["start_s"] <= c["end_s"] + SLACK_S),
                        None)
            asked = "en" if languages.guess(question) == "en" else "native"
            rows.append({"q": question, "lecture": slug, "lecture_language": LECTURES[slug][3], "asked_in": asked,
                         "rank": rank, "ms": round(ms, 1),
                         "first": (answer["citations"][0]["text"][:80] if answer["citations"] else None)})
        model = sv.embedder.name
    finally:
        sv.close()

    def summary(sel: list[dict]) -> dict:
        return {"n": len(sel), "hit@1": round(sum(r["rank"] == 1 for r in sel) / len(sel), 3),
                "hit@5": round(sum(r["rank"] is not None for r in sel) / len(sel), 3),
                "mrr": round(statistics.fmean(1 / r["rank"] if r["rank"] else 0 for r in sel), 3)}

    return {"embedder": model, "overall": summary(rows),
            "by_question_language": {k: summary([r for r in rows if r["asked_in"] == k]) for k in ("en", "native")},
            "by_lecture_language": {k: summary([r for r in rows if r["lecture_language"] == k]) for k in ("es", "de", "fr")},
            "latency_ms": {"p50": pct([r["ms"] for r in rows], 50), "p95": pct([r["ms"] for r in rows], 95)},
            "per_question": rows}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--reuse", action="store_true", help="ask the kept libraries again (no ingest)")
    ap.add_argument("--json-out", type=Path)
    args = ap.parse_args(argv)
    logging.getLogger("faster_whisper").setLevel(logging.WARNING)
    import os

    OUT.mkdir(parents=True, exist_ok=True)
    sidecars = {slug: media(slug) for slug in LECTURES}
    minilm, e5 = BENCH / "out" / "languages-minilm", BENCH / "out" / "languages-e5"
    result: dict = {"set": "languages", "lectures": len(LECTURES), "questions": len(QUESTIONS),
                    "load_average_start": [round(x, 2) for x in os.getloadavg()]}
    if not args.reuse:
        shutil.rmtree(minilm, ignore_errors=True)
        result["ingest"] = ingest(minilm, sidecars)
        result["reembed_e5"] = reembed(minilm, e5)
        log(f"re-embedded with multilingual-e5: {result['reembed_e5']}")
    result["minilm"] = ask_all(minilm, sidecars)
    result["multilingual_e5"] = ask_all(e5, sidecars)
    result["load_average_end"] = [round(x, 2) for x in os.getloadavg()]
    emit(result, args.json_out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
