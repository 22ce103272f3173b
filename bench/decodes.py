"""One decode of a hard-set lecture by the product's Transcriber, kept in bench/out/decodes/ so that
bench/batched.py and bench/hints.py measure the same run (a decode takes minutes on this machine).

A decode is (lecture, decoder: "seq" or "batch<N>", with "-beam<B>" unless beam 5, hints: "none"
or "lecture"); it keeps the raw segments with their words, the wall and CPU time (all threads) and
the load average while it ran. With hints, it also keeps the transcript after the product's
guards (Transcriber.repair_hinted: hint copies, chronos/ai/hint_copy.py, then dropped speech,
chronos/ai/dropped_speech.py), the stretches they decoded again and what they said.
"""
from __future__ import annotations

import json
import os
import time
from dataclasses import asdict
from pathlib import Path

from answers_hard_set import LECTURES
from hints_glossaries import GLOSSARIES

from chronos.ai.hint_copy import copy_signs
from chronos.ai.transcriber import Transcriber, repair_hinted, speech_seconds
from chronos.models.transcripts import Segment, Word
from chronos.pipeline.hints import order_hints

CACHE = Path(__file__).resolve().parent / "out" / "decodes"
GUARD = 3  # the guards' version: 2 decodes a stretch again with context either side; 3 adds dropped speech


def lecture_hints(slug: str) -> list[str]:
    """What Chronos sends for a lecture whose glossary is exactly its own terms."""
    return order_hints(GLOSSARIES[slug], title=LECTURES[slug]["title"])


def segments_of(rows: list[dict]) -> list[Segment]:
    return [Segment(r["start_s"], r["end_s"], r["text"], [Word(**w) for w in r["words"]]) for r in rows]


def guard(out: dict, transcriber: Transcriber, audio) -> None:
    """Run the product's guards on a hinted decode, keeping each redo and speech check they made."""
    hint_list = lecture_hints(out["lecture"])
    redos: list[dict] = []
    speech: list[dict] = []

    def redo(start: float, end: float) -> list[Segment]:
        again = transcriber._redo(audio, start, end, out["language"])
        redos.append({"start_s": start, "end_s": end, "segments": [asdict(s) for s in again]})
        return again

    def heard(start: float, end: float) -> float:
        seconds = speech_seconds(audio, start, end)
        speech.append({"start_s": start, "end_s": end, "speech_s": seconds})
        return seconds

    t1 = time.perf_counter()
    guarded = transcriber.repair_hinted(audio, segments_of(out["segments"]), hint_list, out["language"],
                                        redo=redo, speech=heard)
    out.update(guard=GUARD, guard_s=round(time.perf_counter() - t1, 1), redos=redos, speech=speech,
               flagged=[r["text"] for r in out["segments"] if copy_signs(r["text"], hint_list)],
               guarded=[asdict(s) for s in guarded])


def replay_guard(run: dict) -> list[Segment]:
    """The guard's choice again on a cached hinted decode, from the redos it recorded (for trying
    the guard's rules without decoding again)."""
    redos = {(r["start_s"], r["end_s"]): segments_of(r["segments"]) for r in run["redos"]}
    speech = {(r["start_s"], r["end_s"]): r["speech_s"] for r in run["speech"]}
    return repair_hinted(segments_of(run["segments"]), lecture_hints(run["lecture"]), run["audio_s"],
                         lambda start, end: redos[(start, end)], lambda start, end: speech.get((start, end), 0.0))


def decode(transcriber: Transcriber, slug: str, audio, *, hints: bool, refresh: bool = False) -> dict:
    """The decode of one lecture with this transcriber's settings, from the cache when there."""
    decoder = f"batch{transcriber.batch_size}" if transcriber.batch_size else "seq"
    if transcriber.beam_size != 5:  # the product's default beam goes unnamed
        decoder += f"-beam{transcriber.beam_size}"
    path = CACHE / f"{transcriber.name}-{decoder}-{'lecture' if hints else 'none'}-{slug}.json"
    if path.exists() and not refresh:
        out = json.loads(path.read_text())
        if not hints or out.get("guard") == GUARD:
            return out
        guard(out, transcriber, audio)  # cached by an earlier guard: run today's on the decode
    else:
        load0 = os.getloadavg()[0]
        t0, cpu0 = time.perf_counter(), time.process_time()
        # The product's own steps (Transcriber.transcribe does these two), split so the raw decode
        # and the guarded one come from one run.
        hotwords = transcriber.hotwords(lecture_hints(slug)) if hints else None
        language, _, raw = transcriber._decode(audio, hotwords)
        wall, cpu = time.perf_counter() - t0, time.process_time() - cpu0
        out = {"lecture": slug, "decoder": decoder, "hints": hints, "language": language,
               "wall_s": round(wall, 1), "cpu_s": round(cpu, 1), "audio_s": round(len(audio) / 16_000, 1),
               "load_start": round(load0, 2), "load_end": round(os.getloadavg()[0], 2),
               "segments": [asdict(s) for s in raw]}
        if hints:
            guard(out, transcriber, audio)
    CACHE.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(out) + "\n")
    return out
