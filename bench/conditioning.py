"""Word errors with and without conditioning on the previous text, on the hard set's voices.

The product's Transcriber (Whisper base, beam 5, no hints) decodes each lecture twice: once with
each 30 s window hearing the text of the windows before it as its prompt (Whisper's default and
the product's for base, CONDITIONED_MODELS), once without (the product before 2026-12-04). Prints
and writes one JSON: per lecture its voice, WER and decode time each way, and the pooled WER.

    nice .venv/bin/python bench/conditioning.py                     # all twelve lectures
    nice .venv/bin/python bench/conditioning.py --lectures amazon,dna
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH.parent))
sys.path.insert(0, str(BENCH))

from answers_hard_set import LECTURES, VOICES  # noqa: E402
from report import emit  # noqa: E402

from chronos.ai.transcriber import Transcriber  # noqa: E402
from chronos.ai.weights import whisper_model_dir  # noqa: E402
from chronos.evaluation import word_errors, words  # noqa: E402
from chronos.pipeline import media  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--lectures", default="all", help="slugs, or 'all'")
    ap.add_argument("--media", type=Path, default=BENCH / "out" / "hard",
                    help="the hard set's media (made by bench/answers.py --set hard)")
    ap.add_argument("--models-dir", type=Path, default=BENCH / "out" / "models")
    ap.add_argument("--json-out", type=Path, default=BENCH / "results" / "conditioning.json")
    args = ap.parse_args(argv)
    slugs = list(LECTURES) if args.lectures == "all" else args.lectures.split(",")
    transcriber = Transcriber(whisper_model_dir("base", args.models_dir), name="base", device="cpu")
    transcriber.load()
    lectures, totals = [], {"conditioned": [0, 0], "unconditioned": [0, 0]}
    for slug in slugs:
        sidecar = json.loads((args.media / f"{slug}.json").read_text())
        reference = words(" ".join(s["text"] for s in sidecar["sentences"]))
        audio = media.load_audio(args.media / f"{slug}.mp4")
        lec = {"lecture": slug, "voice": VOICES[slug][0], "wpm": VOICES[slug][1], "words": len(reference)}
        for way, condition in (("unconditioned", False), ("conditioned", True)):
            transcriber.condition_on_previous_text = condition
            t0 = time.perf_counter()
            _, _, segments = transcriber._decode(audio, None)
            errors = word_errors(reference, words(" ".join(s.text for s in segments)))
            lec[way] = {"wer": round(errors / len(reference), 4), "decode_s": round(time.perf_counter() - t0, 1)}
            totals[way][0] += errors
            totals[way][1] += len(reference)
            print(slug, way, lec[way], file=sys.stderr, flush=True)
        lectures.append(lec)
    pooled = {way: round(e / max(1, n), 4) for way, (e, n) in totals.items()}
    emit({"bench": "conditioning", "model": "base", "beam_size": transcriber.beam_size,
          "threads": transcriber.threads, "pooled_wer": pooled,
          "better": sum(lec["conditioned"]["wer"] < lec["unconditioned"]["wer"] for lec in lectures),
          "worse": sum(lec["conditioned"]["wer"] > lec["unconditioned"]["wer"] for lec in lectures),
          "lectures": lectures}, args.json_out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
