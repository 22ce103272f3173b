"""Chapters: how often a chapter starts where the lecture's topic really turns.

Lectures are put together from bench/lecture_text.py's sections (one topic each, about a minute):
3 sections (3 minutes), all 14 (the 14-minute survey) and the 14 three times over in shuffled
orders (41 minutes). Each sentence is timed as espeak-ng would speak it at 160 words a minute and
embedded with the real model, as ingest does; then pipeline/chapters.py splits and titles them.
A chapter start is "exact" on a section's first sentence, "near" within one sentence of it.
No audio: this measures the split, not Whisper (tests/test_chapters.py does both on a fixture).

    python bench/chapters.py [--out bench/results/chapters.json]
"""
from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.lecture_text import SECTIONS  # noqa: E402
from bench.report import emit  # noqa: E402
from chronos.ai.embedder import Embedder  # noqa: E402
from chronos.ai.weights import embedding_model_dir  # noqa: E402
from chronos.models.sentences import StoredSentence  # noqa: E402
from chronos.pipeline import chapters  # noqa: E402

WPM, GAP_S = 160, 0.35


def lecture(sections: list[list[str]], embedder: Embedder) -> tuple[list[StoredSentence], float, list[int]]:
    """The sections' sentences, timed and embedded; the video's length; each section's first sentence."""
    texts, edges = [], []
    for section in sections:
        edges.append(len(texts))
        texts.extend(section)
    t, timed = 0.5, []
    for text in texts:
        spoken = len(text.split()) / WPM * 60
        timed.append((t, t + spoken))
        t += spoken + GAP_S
    vectors = embedder.embed(texts)
    return ([StoredSentence(i, 1, i, a, b, text, "", np.asarray(v))
             for i, ((a, b), text, v) in enumerate(zip(timed, texts, vectors))], t + 0.5, edges[1:])


def measure(name: str, sections: list[list[str]], embedder: Embedder) -> dict:
    spoken, duration, turns = lecture(sections, embedder)
    t0 = time.perf_counter()
    parts = chapters.segment(spoken, duration)
    titles = chapters.offline_titles([[s.text for s in spoken[p.first:p.stop]] for p in parts])
    ms = (time.perf_counter() - t0) * 1000
    starts = [p.first for p in parts[1:]]
    exact = sum(s in turns for s in starts)
    near = sum(min(abs(s - t) for t in turns) <= 1 for s in starts)
    lengths = [p.end_s - p.start_s for p in parts]
    return {"lecture": name, "minutes": round(duration / 60, 1), "sentences": len(spoken), "topics": len(sections),
            "chapters": len(parts), "starts_exact": exact, "starts_near": near, "starts": len(starts),
            "shortest_s": round(min(lengths), 1), "longest_s": round(max(lengths), 1), "ms": round(ms, 1),
            "titles": titles}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path)
    args = ap.parse_args()
    embedder = Embedder(embedding_model_dir())
    rng = random.Random(3)
    long = []
    for _ in range(3):
        order = list(range(len(SECTIONS)))
        rng.shuffle(order)
        long += [SECTIONS[i] for i in order]
    rows = [measure("3 sections", SECTIONS[:3], embedder), measure("survey", SECTIONS, embedder),
            measure("survey x3 shuffled", long, embedder)]
    emit({"bench": "chapters", "model": embedder.name, "block": chapters.BLOCK, "min_depth": chapters.MIN_DEPTH,
          "lectures": rows}, args.out)


if __name__ == "__main__":
    main()
