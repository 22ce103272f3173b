#!/usr/bin/env python3
"""Word error rate with and without vocabulary hints, on the hard set's many voices; one JSON object.

    nice .venv/bin/python bench/hints.py                      # six lectures, six voices
    nice .venv/bin/python bench/hints.py --lectures all

Each lecture (bench/out/hard/<slug>.mp4 and its sidecar, made by the hard-set generator; --media
points elsewhere) is transcribed by the product's Transcriber (Whisper base, the default) three
times, with the hints chronos.pipeline.hints builds from:
  * none:    no hints (as before this change);
  * title:   the title and the course title only (no glossary);
  * lecture: the lecture's own glossary (bench/hints_glossaries.py) and its title: a creator
             whose glossary is exactly this lecture's words;
  * course:  the glossary of the lecture's course (its three lectures' terms), the title and the
             course title, cut to what fits: a creator whose library is one subject;
  * library: the glossary of the whole twelve-lecture library (every lecture's terms, in course
             order), the title and the course title, cut to what fits: most of it is about
             other lectures.
  * guarded: the lecture variant's decode after the hint-copy guard (chronos/ai/hint_copy.py):
             segments showing signs of the hint list decoded again without hints.
none, lecture and guarded come from bench/decodes.py's cache (shared with bench/batched.py);
--batch-size decodes batched as the product does with whisper_batch_size.
title, course and library are what hints were first built as; they measured worse than none, so
pipeline/hints.py now sends no hints for them (no glossary, or one too long to fit whole).
term_recall: of the lecture's glossary terms that are in the reference, the share the transcript
has word for word. The result is rewritten after every lecture, so a cut-short run keeps its part;
--resume keeps the (lecture, variant) runs already in --json-out and runs only the missing ones.
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BENCH = Path(__file__).resolve().parent
for p in (str(ROOT), str(BENCH)):
    if p not in sys.path:
        sys.path.insert(0, p)

import json  # noqa: E402

from answers_hard_set import LECTURES, VOICES  # noqa: E402
from hints_glossaries import COURSES, GLOSSARIES  # noqa: E402
from report import emit  # noqa: E402

from decodes import decode, replay_guard  # noqa: E402

from chronos.ai.transcriber import Transcriber  # noqa: E402
from chronos.ai.weights import whisper_model_dir  # noqa: E402
from chronos.evaluation import word_errors, words  # noqa: E402
from chronos.pipeline import media  # noqa: E402
from chronos.pipeline.hints import order_hints  # noqa: E402

DEFAULT_SIX = ["amazon", "thirty-years-war", "dna", "eocene", "andes", "immunity"]
VARIANTS = ("none", "title", "lecture", "guarded", "course", "library")
CACHED = ("none", "lecture", "guarded")


def _phrase(text: str) -> str:
    return " " + " ".join(words(text)) + " "


def hints_for(slug: str, variant: str) -> list[str] | None:
    """The hints one variant sends for a lecture (None: no hints)."""
    title, course = LECTURES[slug]["title"], COURSES[slug]
    if variant == "title":
        return [title, course]
    if variant in ("lecture", "guarded"):  # exactly what the product sends for such a glossary
        return order_hints(GLOSSARIES[slug], title=title)
    if variant in ("course", "library"):
        terms = [t for s in LECTURES if variant == "library" or COURSES[s] == course
                 for t in GLOSSARIES[s]]
        return cut(terms, title, course)
    return None


def cut(terms: list[str], title: str, course: str) -> list[str]:
    """A glossary too long to fit, as hints were first built: the title, the terms it mentions,
    the course title, the other terms (the Transcriber keeps what fits, so most are cut)."""
    about = f"{title} {course}".casefold()
    ordered = [title, *(t for t in terms if t.casefold() in about), course,
               *(t for t in terms if t.casefold() not in about)]
    return list(dict.fromkeys(ordered))


def score(slug: str, reference: str, heard: str) -> dict:
    """WER and the glossary terms heard word for word."""
    ref, hyp = words(reference), words(heard)
    errors = word_errors(ref, hyp)
    spoken = [t for t in GLOSSARIES[slug] if _phrase(t) in _phrase(reference)]
    missed = [t for t in spoken if _phrase(t) not in _phrase(heard)]
    return {"wer": round(errors / len(ref), 4), "errors": errors, "words": len(ref),
            "terms_spoken": len(spoken), "terms_heard": len(spoken) - len(missed),
            "term_recall": round((len(spoken) - len(missed)) / max(1, len(spoken)), 3),
            "missed": missed}


def summary(lectures: list[dict]) -> dict:
    """Overall WER (pooled words) and recall (pooled terms) per variant, and WER per voice."""
    overall = {}
    for v in VARIANTS:
        runs = [lec["variants"][v] for lec in lectures if v in lec["variants"]]
        if runs:
            overall[v] = {
                "wer": round(sum(r["errors"] for r in runs) / sum(r["words"] for r in runs), 4),
                "term_recall": round(sum(r["terms_heard"] for r in runs)
                                     / max(1, sum(r["terms_spoken"] for r in runs)), 3),
                "rtf": round(sum(r["wall_s"] for r in runs)
                             / sum(lec["audio_s"] for lec in lectures if v in lec["variants"]), 3),
                "lectures": len(runs),
            }
            same = [lec for lec in lectures if v in lec["variants"] and "none" in lec["variants"]]
            if same:  # the same lectures without hints, so variants run on fewer compare fairly
                overall[v]["none_wer_same_lectures"] = round(
                    sum(lec["variants"]["none"]["errors"] for lec in same)
                    / sum(lec["variants"]["none"]["words"] for lec in same), 4)
    per_voice = {lec["voice"]: {v: r["wer"] for v, r in lec["variants"].items()} for lec in lectures}
    return {"overall": overall, "per_voice_wer": per_voice}


def save(path: Path, result: dict) -> None:
    """Write the result so far (after every run: a cut-short run keeps what it measured)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({**result, **summary(result["lectures"])}, indent=2) + "\n")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--lectures", default=",".join(DEFAULT_SIX), help="slugs, or 'all'")
    ap.add_argument("--media", type=Path, default=BENCH / "out" / "hard")
    ap.add_argument("--model", default="base")
    ap.add_argument("--models-dir", type=Path, default=BENCH / "out" / "models")
    ap.add_argument("--json-out", type=Path, default=BENCH / "results" / "hints-guard-2026-12-02.json")
    ap.add_argument("--variants", default=",".join(VARIANTS), help="which of " + ", ".join(VARIANTS))
    ap.add_argument("--resume", action="store_true", help="keep the runs already in --json-out")
    ap.add_argument("--batch-size", type=int, default=0, help="decode batched (0: sequentially)")
    args = ap.parse_args()
    slugs = ([*DEFAULT_SIX, *(s for s in LECTURES if s not in DEFAULT_SIX)] if args.lectures == "all"
             else args.lectures.split(","))
    args.models_dir.mkdir(parents=True, exist_ok=True)
    transcriber = Transcriber(whisper_model_dir(args.model, args.models_dir), name=args.model,
                              device="cpu", batch_size=args.batch_size)
    transcriber.load()
    done: dict[str, dict] = {}
    if args.resume and args.json_out.exists():
        done = {lec["lecture"]: lec for lec in json.loads(args.json_out.read_text())["lectures"]}
    lectures: list[dict] = []
    result = {"bench": "hints", "model": args.model, "beam_size": transcriber.beam_size,
              "threads": transcriber.threads, "batch_size": args.batch_size,
              "variants": list(VARIANTS)}
    for slug in slugs:
        sidecar = json.loads((args.media / f"{slug}.json").read_text())
        reference = " ".join(s["text"] for s in sidecar["sentences"])
        audio = media.load_audio(args.media / f"{slug}.mp4")
        lec = {"lecture": slug, "voice": VOICES[slug][0], "wpm": VOICES[slug][1],
               "audio_s": round(len(audio) / 16_000, 1), "variants": {}}
        kept = done.get(slug, {}).get("variants", {})
        for variant in [v for v in VARIANTS if v in kept or v in args.variants.split(",")]:
            if variant in kept:
                lec["variants"][variant] = kept[variant]
                continue
            hints = hints_for(slug, variant)
            extra = {}
            if variant in CACHED:
                run = decode(transcriber, slug, audio, hints=variant != "none")
                # The guard's choice by today's rules, from the stretches it decoded again.
                heard = " ".join(s.text for s in replay_guard(run)) if variant == "guarded" \
                    else " ".join(r["text"] for r in run["segments"])
                wall = run["wall_s"] + (run["guard_s"] if variant == "guarded" else 0.0)
                if variant == "guarded":
                    extra = {"flagged": run["flagged"], "guard_s": run["guard_s"]}
            else:
                t0 = time.perf_counter()
                out = transcriber.transcribe(audio, hints=hints)
                wall = time.perf_counter() - t0
                heard = " ".join(s.text for s in out.segments)
            lec["variants"][variant] = {
                **score(slug, reference, heard), "wall_s": round(wall, 1), **extra,
                "hotwords": transcriber.hotwords(hints) if hints else None}
            print(f"{slug:22s} {variant:8s} wer {lec['variants'][variant]['wer']:.3f} "
                  f"recall {lec['variants'][variant]['term_recall']:.2f} {wall:.0f}s",
                  file=sys.stderr, flush=True)
            save(args.json_out, {**result, "lectures": [*lectures, lec, *(
                d for s, d in done.items() if s not in slugs[:len(lectures) + 1])]})
        lectures.append(lec)
    emit({**result, **summary(lectures), "lectures": lectures}, args.json_out)


if __name__ == "__main__":
    main()
