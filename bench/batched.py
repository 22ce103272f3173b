#!/usr/bin/env python3
"""Sequential against batched decoding (faster-whisper's BatchedInferencePipeline) on the hard
set's voices: WER per voice, citation-time agreement, RTF both ways; one JSON object.

    nice .venv/bin/python bench/batched.py                          # twelve lectures, batch 8
    nice .venv/bin/python bench/batched.py --lectures amazon,andes --batch-size 16

Each lecture (bench/out/hard/<slug>.mp4 and its sidecar, made by the hard-set generator) is
decoded by the product's Transcriber both ways, with the same model, beam and threads, one after
the other so both see the same machine load. Decodes are cached in bench/out/decodes/ (--refresh
decodes again). Citation times: every reference sentence is found in each transcript by aligning
words; its citation time is the start of the chunker's sentence (pipeline/chunking.py) holding
the first word heard right, which is what an answer would cite. The agreement compares those
times sequential vs batched (median, p95, max, share within 0.5 s), and each against the
sentence's true start in the sidecar. --speed ROUNDS only times sequential, batched and batched
at beam 1 in turn on the lectures' openings (wall and CPU seconds), for ratios under equal load.
"""
from __future__ import annotations

import argparse
import os
import sys
import time
from difflib import SequenceMatcher
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BENCH = Path(__file__).resolve().parent
for p in (str(ROOT), str(BENCH)):
    if p not in sys.path:
        sys.path.insert(0, p)

import json  # noqa: E402

import numpy as np  # noqa: E402
from answers_hard_set import LECTURES, VOICES  # noqa: E402
from decodes import decode, segments_of  # noqa: E402
from report import emit, pct  # noqa: E402

from chronos.ai.transcriber import Transcriber  # noqa: E402
from chronos.ai.weights import whisper_model_dir  # noqa: E402
from chronos.evaluation import word_errors, words  # noqa: E402
from chronos.pipeline import media  # noqa: E402
from chronos.pipeline.chunking import chunk_sentences, sentences_from_segments  # noqa: E402

FIRST_SIX = ["amazon", "andes", "thirty-years-war", "dna", "eocene", "immunity"]


def citation_times(reference: list[dict], rows: list[dict]) -> list[float | None]:
    """For each reference sentence, the start of the chunker's sentence that holds its first word
    heard right (None when none of its words was heard)."""
    spoken = sentences_from_segments(segments_of(rows))
    heard: list[tuple[str, float]] = []  # each transcript word with its chunker sentence's start
    for s in spoken:
        heard += [(w, s.start_s) for w in words(s.text)]
    ref_words, owner = [], []
    for i, sentence in enumerate(reference):
        for w in words(sentence["text"]):
            ref_words.append(w)
            owner.append(i)
    found: list[float | None] = [None] * len(reference)
    matcher = SequenceMatcher(None, ref_words, [w for w, _ in heard], autojunk=False)
    for block in matcher.get_matching_blocks():
        for k in range(block.size):
            i = owner[block.a + k]
            if found[i] is None:
                found[i] = heard[block.b + k][1]
    return found


def agreement(a: list[float | None], b: list[float | None]) -> dict:
    """How far apart two sets of citation times are, sentence by sentence."""
    diffs = [abs(x - y) for x, y in zip(a, b) if x is not None and y is not None]
    return {"sentences": len(diffs), "median_s": pct(diffs, 50, 2), "p95_s": pct(diffs, 95, 2),
            "max_s": round(max(diffs), 2) if diffs else None,
            "within_0_5s": round(float(np.mean([d <= 0.5 for d in diffs])), 3) if diffs else None}


def measure(slug: str, reference: list[dict], run: dict) -> dict:
    """WER, chunk count and RTF of one decode."""
    ref = words(" ".join(s["text"] for s in reference))
    heard = words(" ".join(r["text"] for r in run["segments"]))
    errors = word_errors(ref, heard)
    spoken = sentences_from_segments(segments_of(run["segments"]))
    return {"wer": round(errors / len(ref), 4), "errors": errors, "words": len(ref),
            "segments": len(run["segments"]), "chunks": len(chunk_sentences(spoken)),
            "longest_segment_s": round(max((r["end_s"] - r["start_s"] for r in run["segments"]),
                                           default=0.0), 1),
            "wall_s": run["wall_s"], "rtf": round(run["wall_s"] / run["audio_s"], 3),
            "load": [run["load_start"], run["load_end"]]}


def summary(lectures: list[dict]) -> dict:
    """Pooled WER and RTF each way, and citation agreement over every sentence."""
    out = {}
    for way in ("seq", "batch"):
        runs = [lec[way] for lec in lectures]
        out[way] = {"wer": round(sum(r["errors"] for r in runs) / sum(r["words"] for r in runs), 4),
                    "rtf": round(sum(r["wall_s"] for r in runs)
                                 / sum(lec["audio_s"] for lec in lectures), 3)}
    out["rtf_ratio_batch_over_seq"] = round(out["batch"]["rtf"] / out["seq"]["rtf"], 3)
    out["wer_points_batch_minus_seq"] = round(100 * (out["batch"]["wer"] - out["seq"]["wer"]), 2)
    pairs = {k: ([t for lec in lectures for t in lec["_times"][a]],
                 [t for lec in lectures for t in lec["_times"][b]])
             for k, (a, b) in {"seq_vs_batch": ("seq", "batch"), "seq_vs_truth": ("seq", "truth"),
                               "batch_vs_truth": ("batch", "truth")}.items()}
    out["citation_agreement"] = {k: agreement(*v) for k, v in pairs.items()}
    out["per_voice_wer"] = {lec["voice"]: {"seq": lec["seq"]["wer"], "batch": lec["batch"]["wer"]}
                            for lec in lectures}
    return out


def speed(transcribers: dict[str, Transcriber], audios: list, rounds: int) -> dict:
    """Decode the same pieces of audio each way in turn, round after round, so every way meets the
    same machine load; the wall and CPU seconds (all threads) per audio second of each way, and
    their ratios to sequential decoding (the first way)."""
    spent = {way: {"wall": [], "cpu": []} for way in transcribers}
    for r in range(rounds):
        for piece in audios:
            for way, transcriber in transcribers.items():
                t0, cpu0 = time.perf_counter(), time.process_time()
                transcriber.transcribe(piece)
                spent[way]["wall"].append(time.perf_counter() - t0)
                spent[way]["cpu"].append(time.process_time() - cpu0)
                print(f"round {r} {way:12s} wall {spent[way]['wall'][-1]:.1f}s "
                      f"load {os.getloadavg()[0]:.1f}", file=sys.stderr, flush=True)
    audio_s = rounds * sum(len(a) for a in audios) / 16_000
    first = next(iter(transcribers))
    out = {way: {"rtf_wall": round(sum(t["wall"]) / audio_s, 3),
                 "cpu_s_per_audio_s": round(sum(t["cpu"]) / audio_s, 3)} for way, t in spent.items()}
    for way in transcribers:
        out[way]["wall_ratio"] = round(sum(spent[way]["wall"]) / sum(spent[first]["wall"]), 3)
        out[way]["cpu_ratio"] = round(sum(spent[way]["cpu"]) / sum(spent[first]["cpu"]), 3)
    return {"audio_s": round(audio_s, 1), "rounds": rounds, "ways": out,
            "load_after": round(os.getloadavg()[0], 2)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--lectures", default="all", help="slugs, or 'all' (the twelve)")
    ap.add_argument("--media", type=Path, default=BENCH / "out" / "hard")
    ap.add_argument("--model", default="base")
    ap.add_argument("--models-dir", type=Path, default=BENCH / "out" / "models")
    ap.add_argument("--batch-size", type=int, default=8)
    ap.add_argument("--beam-size", type=int, default=5)
    ap.add_argument("--refresh", action="store_true", help="decode again, not from the cache")
    ap.add_argument("--speed", type=int, default=0, metavar="ROUNDS",
                    help="only time each way in turn on the lectures' first --speed-seconds")
    ap.add_argument("--speed-seconds", type=float, default=90.0)
    ap.add_argument("--json-out", type=Path, default=BENCH / "results" / "batched-2026-12-02.json")
    args = ap.parse_args()
    slugs = ([*FIRST_SIX, *(s for s in LECTURES if s not in FIRST_SIX)] if args.lectures == "all"
             else args.lectures.split(","))
    model_dir = whisper_model_dir(args.model, args.models_dir)
    seq = Transcriber(model_dir, name=args.model, device="cpu", beam_size=args.beam_size)
    batch = Transcriber(model_dir, name=args.model, device="cpu", beam_size=args.beam_size,
                        batch_size=args.batch_size)
    batch._model = seq._load()  # one model in memory; only the decoding differs
    if args.speed:
        fast = Transcriber(model_dir, name=args.model, device="cpu", beam_size=1,
                           batch_size=args.batch_size)
        fast._model = seq._model
        pieces = [media.load_audio(args.media / f"{slug}.mp4")[:int(args.speed_seconds * 16_000)]
                  for slug in slugs]
        ways = {"seq": seq, f"batch{args.batch_size}": batch, f"batch{args.batch_size}-beam1": fast}
        emit({"bench": "batched-speed", "model": args.model, "beam_size": args.beam_size,
              "threads": seq.threads, "lectures": slugs, **speed(ways, pieces, args.speed)},
             args.json_out)
        return
    result = {"bench": "batched", "model": args.model, "beam_size": args.beam_size,
              "threads": seq.threads, "batch_size": args.batch_size}
    lectures: list[dict] = []
    for slug in slugs:
        sidecar = json.loads((args.media / f"{slug}.json").read_text())
        audio = media.load_audio(args.media / f"{slug}.mp4")
        lec = {"lecture": slug, "voice": VOICES[slug][0], "audio_s": round(len(audio) / 16_000, 1),
               "_times": {"truth": [s["start_s"] for s in sidecar["sentences"]]}}
        for way, transcriber in (("seq", seq), ("batch", batch)):
            run = decode(transcriber, slug, audio, hints=False, refresh=args.refresh)
            lec[way] = measure(slug, sidecar["sentences"], run)
            lec["_times"][way] = citation_times(sidecar["sentences"], run["segments"])
            print(f"{slug:22s} {way:5s} wer {lec[way]['wer']:.3f} rtf {lec[way]['rtf']:.3f} "
                  f"load {run['load_start']}", file=sys.stderr, flush=True)
        lec["citation_agreement"] = agreement(lec["_times"]["seq"], lec["_times"]["batch"])
        lectures.append(lec)
        public = [{k: v for k, v in x.items() if k != "_times"} for x in lectures]
        args.json_out.parent.mkdir(parents=True, exist_ok=True)  # kept after every lecture
        args.json_out.write_text(json.dumps({**result, **summary(lectures), "lectures": public},
                                            indent=2) + "\n")
    emit({**result, **summary(lectures), "lectures": public}, args.json_out)

if __name__ == "__main__":
    main()
