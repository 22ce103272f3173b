"""Sweep the moment scorer's weights on an ingested hard-set library, without asking the answerer.

Each answerable question goes through retrieval once; the sentences retrieval hands the moment
scorer (chronos.rag.moments) are kept, and each variant of its Weights re-scores them. The top
sentence is the first citation the offline answer makes, so `hit@1` here is the benchmark's hit@1
(the JSON also reports it for the weights shipped for the library's embedder, to check the two
agree). Two halves of the lectures are
scored apart as well: a weight that helps only one half is tuning to these questions.

    .venv/bin/python bench/moments_sweep.py --data-dir bench/out/hard-e5
"""
from __future__ import annotations

import argparse
import itertools
import json
import sys
from dataclasses import asdict, fields
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from answers_hard import LECTURES, OFF_TOPIC_KINDS, SLACK_S, build_questions, lecture_media, open_services, \
    prepare_library  # noqa: E402

from chronos.models import sentences as sentence_store  # noqa: E402
from chronos.rag import moments, retrieval  # noqa: E402


def capture(data_dir: Path, model: str) -> tuple[list[dict], object, str]:
    """Each answerable question with the candidates retrieval scored for it (times, vectors), the
    embedder's similarity scale and its model's name."""
    media = {slug: lecture_media(slug, False) for slug in LECTURES}
    questions = [q for q in build_questions({s: m[1] for s, m in media.items()})
                 if q["kind"] not in OFF_TOPIC_KINDS]
    creator_id, video_ids, _ = prepare_library(data_dir, model)
    seen: list = []
    original = retrieval._by_best_moment

    def recording(embedder, question, q_vec, passages, focus):
        seen.append((question, q_vec, passages))
        return original(embedder, question, q_vec, passages, focus)

    retrieval._by_best_moment = recording
    _, services = open_services(data_dir, model)
    rows = []
    try:
        with services.db.connection() as conn:
            for q in questions:
                seen.clear()
                retrieval.retrieve(conn, services.embedder, q["q"], creator_id=creator_id, k=5)
                if not seen:
                    rows.append({**q, "video_id": video_ids[q["lecture"]], "cands": []})
                    continue
                _, q_vec, passages = seen[-1]
                cands = [{"video_id": p.video_id, "title": p.title, "start_s": s.start_s, "end_s": s.end_s,
                          "text": s.text, "vector": s.vector, "window": s.window if s.window is not None else s.vector,
                          "passage": n}
                         for n, p in enumerate(passages) for s in p.sentences]
                rows.append({**q, "video_id": video_ids[q["lecture"]], "q_vec": q_vec, "cands": cands})
            means = {vid: mean_windows(sentence_store.video_sentences(conn, vid)) for vid in video_ids.values()}
        for row in rows:  # each candidate's context as the mean of its and its neighbours' vectors
            for c in row["cands"]:
                c["window_mean"] = means[c["video_id"]].get(c["start_s"], c["window"])
        similarity, name = services.embedder.similarity, services.embedder.name
    finally:
        services.close(wait=True)
    return rows, similarity, name


def mean_windows(spoken) -> dict[float, np.ndarray]:
    """Each sentence's start -> the normalised sum of its vector and its neighbours' (what a
    context vector would be if it were not embedded as one text)."""
    vectors = [s.vector for s in spoken]
    out = {}
    for i, s in enumerate(spoken):
        v = np.sum(vectors[max(0, i - 1):i + 2], axis=0)
        out[s.start_s] = v / (np.linalg.norm(v) or 1.0)
    return out


def is_hit(row: dict, cand: dict) -> bool:
    return cand["video_id"] == row["video_id"] and any(
        cand["start_s"] - SLACK_S <= ge and gs <= cand["end_s"] + SLACK_S for gs, ge in row["gold"])


def evaluate(rows: list[dict], similarity, weights: moments.Weights, window: str = "window") -> dict:
    """hit@1 / hit@3 / MRR of the scorer with these weights, overall and per half."""
    ranks = []
    for row in rows:
        if not row["cands"]:
            ranks.append(None)
            continue
        cands = [moments.Candidate(c["video_id"], c["title"], c["text"], c["vector"], c[window])
                 for c in row["cands"]]
        scores = moments.score_moments(row["q"], row["q_vec"], cands, similarity, weights).scores
        order = np.argsort(-scores, kind="stable")
        ranks.append(next((r for r, i in enumerate(order, 1) if is_hit(row, row["cands"][i])), None))
    slugs = list(LECTURES)
    halves = {"a": set(slugs[0::2]), "b": set(slugs[1::2])}

    def summary(pairs):
        n = len(pairs) or 1
        return {"n": len(pairs), "hit@1": round(sum(r == 1 for _, r in pairs) / n, 3),
                "hit@3": round(sum(r is not None and r <= 3 for _, r in pairs) / n, 3),
                "mrr": round(sum(1 / r for _, r in pairs if r) / n, 3)}

    pairs = list(zip(rows, ranks))
    return {"all": summary(pairs), **{h: summary([(r, k) for r, k in pairs if r["lecture"] in s])
                                      for h, s in halves.items()}}


GRID = {"sentence": (0.4, 0.6, 0.8), "window": (0.2, 0.4, 0.6), "keyword": (0.05, 0.1, 0.2, 0.3),
        "video_prior": (0.15, 0.3, 0.45)}
assert list(GRID) == [f.name for f in fields(moments.Weights)]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data-dir", type=Path, required=True)
    ap.add_argument("--model", default="base")
    ap.add_argument("--json-out", type=Path)
    args = ap.parse_args(argv)
    rows, similarity, embedder = capture(args.data_dir.resolve(), args.model)
    shipped = moments.weights_for(embedder)
    results = [{"weights": asdict(shipped), **evaluate(rows, similarity, shipped)}]
    mean_window = {"weights": asdict(shipped), **evaluate(rows, similarity, shipped, "window_mean")}
    for values in itertools.product(*GRID.values()):
        weights = moments.Weights(*values)
        if weights != shipped:
            results.append({"weights": asdict(weights), **evaluate(rows, similarity, weights)})
    best = sorted(results, key=lambda r: (-r["all"]["hit@1"], -r["all"]["mrr"]))
    out = {"data_dir": str(args.data_dir), "embedder": embedder, "questions": len(rows),
           "in_no_candidate": round(sum(not any(is_hit(r, c) for c in r["cands"]) for r in rows) / len(rows), 3),
           "shipped": results[0], "shipped_mean_windows": mean_window, "best": best[:15]}
    text = json.dumps(out, indent=1)
    print(text)
    if args.json_out:
        args.json_out.write_text(text + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
