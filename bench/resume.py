#!/usr/bin/env python3
"""How much decoding a resumed transcription saves, and what saving segments as they stream costs;
print one JSON object.

    .venv/bin/python bench/resume.py                          # Whisper base, a 10-minute lecture
    .venv/bin/python bench/resume.py --model tiny.en --minutes 3 --at 0.5,0.9

1. The real pipeline (`runner.process_until_done`) on a generated lecture (bench/pipeline.py's
   generator, cached in bench/out/), with the time spent committing the transcript draft
   (`models/transcript_drafts.append_segments`) measured apart: `draft_commit_s` against the
   transcribe stage's seconds, and how many commits.
2. For each cut fraction (--at): the transcription resumed from the segments of run 1 that end
   before that point of the audio, as after a crash there (`Transcriber.transcribe(resume=...)`):
   the decode's seconds against the whole decode's, the audio seconds not decoded again, and the
   resumed transcript's WER beside the uninterrupted one's.
"""
from __future__ import annotations

import argparse
import logging
import shutil
import sys
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
for p in (str(ROOT), str(ROOT / "scripts"), str(BENCH)):
    if p not in sys.path:
        sys.path.insert(0, p)

from pipeline import lecture, machine_busy_s, normalise  # noqa: E402
from report import emit  # noqa: E402

from chronos.evaluation import word_errors  # noqa: E402

log = logging.getLogger("bench.resume")


def wer(reference: str, heard: str) -> float:
    ref = normalise(reference)
    return round(word_errors(ref, normalise(heard)) / max(1, len(ref)), 4)


def run(args) -> dict:
    from chronos.ai.transcriber import RESUME_CONTEXT_S
    from chronos.config import load_settings
    from chronos.models import creators, stages, transcripts
    from chronos.models import transcript_drafts as drafts
    from chronos.pipeline import media as media_io
    from chronos.pipeline.ingest import ingest_path
    from chronos.services import build_services

    media, sidecar, _ = lecture(args.minutes, args.out_dir, "en-us", False)
    truth = " ".join(s["text"] for s in sidecar["sentences"])
    data_dir = args.out_dir / "resume-data"
    shutil.rmtree(data_dir, ignore_errors=True)
    sv = build_services(load_settings(data_dir, env={}, whisper_model=args.model, run_scheduler=False))
    commits: list[float] = []
    append = drafts.append_segments

    def timed_append(*a, **kw):
        t0 = time.perf_counter()
        append(*a, **kw)
        commits.append(time.perf_counter() - t0)

    drafts.append_segments = timed_append  # the processor calls it through the module
    try:
        sv.transcriber.load()
        with sv.db.connection() as conn:
            video = ingest_path(media, conn=conn, media_dir=sv.settings.media_dir,
                                incoming_dir=sv.settings.upload_tmp_dir,
                                creator_id=creators.local_creator(conn).id,
                                max_bytes=sv.settings.max_upload_bytes)
        busy0, t0 = machine_busy_s(), time.perf_counter()
        assert sv.runner.process_until_done(video.id).status == "completed"
        wall_s = time.perf_counter() - t0
        with sv.db.connection() as conn:
            transcribe_s = stages.latest_timings(conn, video.id)["transcribe"]
            full = transcripts.load_segments(conn, video.id)
        audio = media_io.load_audio(media)
        duration_s = len(audio) / media_io.SAMPLE_RATE
        heard = " ".join(s.text for s in full)
        cuts = []
        for at in args.at:
            saved = [s for s in full if s.end_s <= at * duration_s]
            t0 = time.perf_counter()
            resumed = sv.transcriber.transcribe(audio, resume=saved, language="en")
            decode_s = time.perf_counter() - t0
            cuts.append({"crash_at": at, "resume_from_s": round(saved[-1].end_s, 1),
                         "segments_saved": len(saved), "decode_s": round(decode_s, 2),
                         "decode_saved_s": round(transcribe_s - decode_s, 2),
                         "audio_not_decoded_again_s": round(saved[-1].end_s - RESUME_CONTEXT_S, 1),
                         "wer": wer(truth, " ".join(s.text for s in resumed.segments))})
        busy1 = machine_busy_s()
    finally:
        drafts.append_segments = append
        sv.close()
        shutil.rmtree(data_dir, ignore_errors=True)
    return {
        "model": args.model, "audio_s": round(duration_s, 1), "pipeline_wall_s": round(wall_s, 1),
        "transcribe_s": round(transcribe_s, 2), "segments": len(full),
        "draft_commits": len(commits), "draft_commit_s": round(sum(commits), 4),
        "draft_commit_share": round(sum(commits) / transcribe_s, 5),
        "draft_commit_max_ms": round(max(commits) * 1000, 2) if commits else None,
        "wer_uninterrupted": wer(truth, heard), "resumed": cuts,
        "machine_cpu_s_meanwhile": None if busy0 is None or busy1 is None else round(busy1 - busy0, 1),
    }


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--model", default="base")
    p.add_argument("--minutes", type=float, default=10)
    p.add_argument("--at", type=lambda s: [float(x) for x in s.split(",")], default=[0.5, 0.9],
                   help="crash points, as fractions of the audio (default 0.5,0.9)")
    p.add_argument("--out-dir", type=Path, default=BENCH / "out")
    p.add_argument("--json-out", type=Path)
    args = p.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(message)s", stream=sys.stderr)
    emit(run(args), args.json_out)


if __name__ == "__main__":
    main()
