#!/usr/bin/env python3
"""Benchmark the real Chronos pipeline on a generated lecture; print one JSON object.

    .venv/bin/python bench/pipeline.py                       # Whisper base, 10 minutes
    .venv/bin/python bench/pipeline.py --model tiny.en
    .venv/bin/python bench/pipeline.py --beam-size 1 --json-out bench/out/base-beam1.json

The lecture (espeak-ng speech muxed into an MP4 by scripts/make_lecture.py) is generated at run
time into bench/out/ (gitignored) and reused by later runs with the same text. It is made in a
child process so its memory does not count towards peak_rss_mb.

What is timed, and what is not:
  * model_load_s: loading Whisper and MiniLM and one warm-up call of each on a short sentence.
    Not part of wall_s (the app loads the models once and then processes many videos).
  * ingest_s: copying the file into the data folder and probing it (the upload), not in wall_s.
  * wall_s: `runner.process_until_done(video_id)`, i.e. every pipeline stage plus the database
    writes and progress events between them. rtf = wall_s / audio_s.
  * stages: the pipeline's own per-stage timings (chronos.models.stages.latest_timings) plus
    "other", the part of wall_s outside the stages.

Knobs the product's Settings exposes (--model, --beam-size, --threads, --language) go through
Settings. --no-vad builds the product's Transcriber with vad_filter=False. --batch-size,
--no-word-timestamps and --compute-type are experiments only: they use BenchTranscriber below,
which is not what the product runs, and the JSON says so ("product_config": false).
"""
from __future__ import annotations

import argparse
import hashlib
import json
import logging
import multiprocessing
import os
import platform
import re
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

from chronos.evaluation import word_errors

ROOT = Path(__file__).resolve().parents[1]
BENCH = Path(__file__).resolve().parent
for p in (str(ROOT), str(ROOT / "scripts"), str(BENCH)):
    if p not in sys.path:
        sys.path.insert(0, p)

from lecture_text import lecture_sentences  # noqa: E402
from report import emit  # noqa: E402

log = logging.getLogger("bench")
TARGET_RTF = 5 * 60 / 3600  # an hour of lecture in at most five minutes
VOICE, WPM, GAP = "en-us", 160, 0.35
CLEAN = 0.15  # a run is "clean" if other processes used less than this share of a CPU meanwhile


# -- the lecture ---------------------------------------------------------------------------------
def _generate(text: str, out: str, voice: str) -> dict:
    """Child-process entry point: run the repository's generator."""
    from make_lecture import make_lecture

    return make_lecture(text, Path(out), voice=voice, wpm=WPM, gap=GAP)


def lecture(minutes: float, out_dir: Path, voice: str, regenerate: bool) -> tuple[Path, dict, float]:
    """The MP4 and sidecar for a lecture of at least `minutes`, generated if not cached."""
    want_s = minutes * 60
    seconds = want_s
    for _ in range(4):
        text = " ".join(lecture_sentences(seconds, WPM, GAP))
        key = hashlib.sha256(f"{voice}|{WPM}|{GAP}|{text}".encode()).hexdigest()[:12]
        out = out_dir / f"lecture-{minutes:g}min-{key}.mp4"
        sidecar_path = out.with_suffix(".json")
        t0 = time.perf_counter()
        if regenerate or not (out.exists() and sidecar_path.exists()):
            out_dir.mkdir(parents=True, exist_ok=True)
            log.info("generating %s (%d words) ...", out.name, len(text.split()))
            ctx = multiprocessing.get_context("spawn")
            with ctx.Pool(1) as pool:
                pool.apply(_generate, (text, str(out), voice))
        gen_s = time.perf_counter() - t0
        sidecar = json.loads(sidecar_path.read_text())
        if sidecar["duration_s"] >= want_s:
            return out, sidecar, gen_s
        log.info("%s is %.0f s, short of %.0f s: adding sentences", out.name,
                 sidecar["duration_s"], want_s)
        seconds *= want_s / sidecar["duration_s"] * 1.02
    raise RuntimeError("could not generate a long enough lecture")


# -- word error rate -----------------------------------------------------------------------------
_ONES = ("zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
         "fifteen sixteen seventeen eighteen nineteen").split()
_TENS = "_ _ twenty thirty forty fifty sixty seventy eighty ninety".split()


def number_words(n: int) -> str:
    """123 -> 'one hundred twenty three' (enough for the numbers Whisper writes as digits)."""
    if n < 20:
        return _ONES[n]
    if n < 100:
        return _TENS[n // 10] + ("" if n % 10 == 0 else " " + _ONES[n % 10])
    for size, name in ((10**9, "billion"), (10**6, "million"), (1000, "thousand"), (100, "hundred")):
        if n >= size:
            rest = n % size
            return f"{number_words(n // size)} {name}" + (f" {number_words(rest)}" if rest else "")
    raise AssertionError(n)


def normalise(text: str) -> list[str]:
    """Lower-case words: punctuation and hyphens dropped, digits spelled out."""
    text = text.lower().replace("%", " percent").replace("-", " ").replace("’", "'")
    text = re.sub(r"(\d),(\d)", r"\1\2", text)
    text = re.sub(r"\d+", lambda m: " " + number_words(int(m.group())) + " ", text)
    return re.findall(r"[a-z']+", text)


def wer_by_sentence(sidecar: dict, segments) -> tuple[int, int]:
    """(errors, reference words), aligning per sentence by time so long lectures stay cheap.

    Every transcribed word is given to the sentence whose time span (extended to the midpoint of
    the gaps around it) holds the word's midpoint; then each sentence is scored on its own.
    """
    sentences = sidecar["sentences"]
    bounds = [(sentences[i]["end_s"] + sentences[i + 1]["start_s"]) / 2
              for i in range(len(sentences) - 1)]
    heard: list[list[str]] = [[] for _ in sentences]
    import bisect

    for seg in segments:
        words = seg.words or []
        if not words:  # no word times: place the whole segment by its midpoint
            words = [type("W", (), {"start_s": seg.start_s, "end_s": seg.end_s, "text": seg.text})]
        for w in words:
            idx = bisect.bisect_right(bounds, (w.start_s + w.end_s) / 2)
            heard[idx].append(w.text)
    errors = total = 0
    for s, h in zip(sentences, heard):
        ref = normalise(s["text"])
        errors += word_errors(ref, normalise(" ".join(h)))
        total += len(ref)
    return errors, total


def show_errors(ref: list[str], hyp: list[str]) -> None:
    """Log where the transcript differs from the source (difflib: for reading, not scoring)."""
    import difflib

    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(a=ref, b=hyp, autojunk=False).get_opcodes():
        if op != "equal":
            log.info("%-7s said %-40r heard %r", op, " ".join(ref[i1:i2]), " ".join(hyp[j1:j2]))


# -- experiments the product's Transcriber does not expose ----------------------------------------
def bench_transcriber_class():
    from chronos.ai.transcriber import SAMPLE_RATE, Transcriber, Transcript
    from chronos.models.transcripts import Segment, Word

    class BenchTranscriber(Transcriber):
        """The product's Transcriber with extra knobs: batched decoding, word timestamps off,
        another compute type. Same output types, so the rest of the pipeline is unchanged."""

        def __init__(self, *args, batch_size: int = 0, word_timestamps: bool = True,
                     compute_type: str = "", **kwargs):
            super().__init__(*args, **kwargs)
            self.batch_size = batch_size
            self.word_timestamps = word_timestamps
            if compute_type:
                self.compute_type = compute_type

        def transcribe(self, audio, on_progress=None, *, hints=None, on_decoded=None):
            # Decodes the whole lecture at once: no draft is saved (on_decoded is not called), so
            # these experiments time the decode alone.
            model = self._load()
            duration = len(audio) / SAMPLE_RATE
            kwargs = dict(language=self.language, beam_size=self.beam_size,
                          word_timestamps=self.word_timestamps, vad_filter=self.vad_filter,
                          condition_on_previous_text=False,
                          hotwords=self.hotwords(hints) if hints else None)
            if self.batch_size:
                from faster_whisper import BatchedInferencePipeline

                kwargs.update(batch_size=self.batch_size, vad_filter=True,
                              without_timestamps=True)
                segments_iter, info = BatchedInferencePipeline(model).transcribe(audio, **kwargs)
            else:
                segments_iter, info = model.transcribe(audio, **kwargs)
            segments = []
            for seg in segments_iter:
                words = [Word(round(w.start, 3), round(w.end, 3), w.word, round(w.probability, 4))
                         for w in (seg.words or [])]
                segments.append(Segment(round(seg.start, 3), round(seg.end, 3), seg.text.strip(), words))
                if on_progress and duration > 0:
                    on_progress(min(1.0, seg.end / duration))
            if on_progress:
                on_progress(1.0)
            return Transcript(info.language, info.language_probability, duration, segments)

    return BenchTranscriber


# -- the run -------------------------------------------------------------------------------------
def cpu_seconds() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def machine_busy_s() -> float | None:
    """CPU seconds all processes on the machine have used since boot (Linux /proc/stat)."""
    try:
        fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    except (OSError, ValueError):
        return None
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)
    return (sum(fields[:8]) - idle) / os.sysconf("SC_CLK_TCK")


def rss_mb() -> float:
    """Current resident memory of this process."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def wait_until_idle(limit_s: float) -> float:
    """Wait (up to limit_s) until other processes use under 0.15 of a CPU; return seconds waited."""
    t0 = time.perf_counter()
    while time.perf_counter() - t0 < limit_s:
        busy0, own0 = machine_busy_s(), cpu_seconds()
        if busy0 is None:
            break
        time.sleep(5)
        others = (machine_busy_s() - busy0) - (cpu_seconds() - own0)
        if others / 5 < 0.15:
            break
        log.info("waiting for the machine to be idle (others use %.2f CPU)", others / 5)
    return time.perf_counter() - t0


def run(args) -> dict:
    from chronos.ai.transcriber import default_threads
    from make_lecture import synthesize

    media, sidecar, gen_s = lecture(args.minutes, args.out_dir, args.voice, args.regenerate)
    audio_s = sidecar["duration_s"]
    log.info("lecture %s: %.1f s, %d sentences", media.name, audio_s, len(sidecar["sentences"]))

    experiment = bool(args.batch_size or not args.word_timestamps or args.compute_type)
    t0 = time.perf_counter()
    services = make_services(args, experiment)
    setup_s = time.perf_counter() - t0  # includes joining Whisper base's two halves

    # Load both models and run each once on a short input, outside the timed processing.
    warm = synthesize("This sentence warms up the speech model before the benchmark.",
                      args.voice, WPM)
    t0 = time.perf_counter()
    services.transcriber._load()
    whisper_load_s = time.perf_counter() - t0
    services.transcriber.transcribe(warm)
    services.embedder.embed(["This sentence warms up the embedding model."])
    model_load_s = time.perf_counter() - t0
    rss_models_mb = rss_mb()
    maxrss_models_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    runs = []
    for i in range(max(1, args.repeats)):
        if i:  # a fresh data folder, so no embedding is reused from the cache; same models
            services = make_services(args, experiment, services.transcriber, services.embedder)
        try:
            runs.append(process_once(services, media, args))
        finally:
            services.close()
            if not args.keep:
                shutil.rmtree(services.settings.data_dir, ignore_errors=True)
        log.info("run %d: wall %.1f s, other processes used %s CPU", i + 1, runs[-1]["wall_s"],
                 runs[-1]["others_cpu_per_wall"])
        if args.until_clean and (runs[-1]["others_cpu_per_wall"] or 0) < CLEAN:
            break

    # Report the least disturbed run: the fewest CPU-seconds taken by other processes.
    best = min(runs, key=lambda r: (r["others_cpu_per_wall"] or 0, r["wall_s"]))
    wall_s, timings = best["wall_s"], best["timings"]
    reference = " ".join(s["text"] for s in sidecar["sentences"])
    ref_words = normalise(reference)
    t_wer = time.perf_counter()
    if len(ref_words) <= 4000:  # whole-text edit distance: exact, O(n^2)
        errors = word_errors(ref_words, normalise(best["transcript"]))
        wer_method = "whole transcript"
    else:  # an hour is ~9k words: align by sentence times instead
        errors, _ = wer_by_sentence(sidecar, best["segments"])
        wer_method = "per sentence, words placed by time"
    log.info("WER computed in %.1f s", time.perf_counter() - t_wer)
    if args.show_errors:
        show_errors(ref_words, normalise(best["transcript"]))

    stage_s = {k: round(timings[k], 2) for k in ("probe", "audio", "transcribe", "chunk", "embed")
               if k in timings}
    stage_s["other"] = round(wall_s - sum(timings.values()), 2)
    rtf = wall_s / audio_s
    peak_rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    tr = services.transcriber
    return {
        "audio_s": round(audio_s, 1),
        "wall_s": round(wall_s, 1),
        "rtf": round(rtf, 4),
        "stages": stage_s,
        "wer": round(errors / max(1, len(ref_words)), 4),
        "peak_rss_mb": round(peak_rss_mb, 1),
        "model": args.model,
        "target_rtf": round(TARGET_RTF, 4),
        "meets_target": rtf <= TARGET_RTF,
        "hour_projection_s": round(rtf * 3600, 1),
        "transcribe_rtf": round(timings.get("transcribe", 0) / audio_s, 4),
        "model_load_s": round(model_load_s, 2),
        "whisper_load_s": round(whisper_load_s, 2),
        "setup_s": round(setup_s, 2),
        "ingest_s": round(best["ingest_s"], 2),
        "generate_s": round(gen_s, 1),
        "cpu_s": round(best["cpu_s"], 1),
        "cpu_per_wall": round(best["cpu_s"] / wall_s, 2),
        # CPU used by other processes meanwhile: near 0 means the numbers are clean.
        "others_cpu_per_wall": best["others_cpu_per_wall"],
        "clean": best["others_cpu_per_wall"] is not None and best["others_cpu_per_wall"] < CLEAN,
        "runs": [{"wall_s": round(r["wall_s"], 1), "others_cpu_per_wall": r["others_cpu_per_wall"],
                  "loadavg_before": r["loadavg_before"]} for r in runs],
        "rss_mb": {"after_model_load": round(rss_models_mb, 1),
                   "peak_before_processing": round(maxrss_models_mb, 1),
                   "peak": round(peak_rss_mb, 1)},
        "words": {"reference": len(ref_words), "errors": errors, "wer_method": wer_method,
                  "segments": len(best["segments"]), "chunks": best["chunks"]},
        "language": best["language"],
        "inputs": {
            "minutes": args.minutes, "model": args.model, "beam": tr.beam_size,
            "threads": tr.threads, "threads_default": default_threads(), "vad": tr.vad_filter,
            "language": args.language or "detect", "device": tr.device,
            "compute_type": tr.compute_type,
            "batch_size": args.batch_size, "word_timestamps": args.word_timestamps,
            "product_config": not experiment,
            "cpu_count": os.cpu_count(),
            "usable_cpus": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None,
            "voice": args.voice, "wpm": WPM, "sentences": len(sidecar["sentences"]),
            "lecture": media.name, "python": platform.python_version(),
        },
    }


def make_services(args, experiment: bool, transcriber=None, embedder=None):
    """The product's services on a new data folder under out-dir (models shared if given)."""
    from chronos.ai.transcriber import Transcriber
    from chronos.ai.weights import whisper_model_dir
    from chronos.config import load_settings
    from chronos.services import build_services

    args.out_dir.mkdir(parents=True, exist_ok=True)
    data_dir = Path(tempfile.mkdtemp(prefix="chronos-bench-", dir=args.out_dir))
    settings = load_settings(data_dir, env={}, whisper_model=args.model,
                             whisper_beam_size=args.beam_size, whisper_threads=args.threads,
                             whisper_language=args.language, run_scheduler=False)
    if transcriber is None and (experiment or not args.vad):
        cls = bench_transcriber_class() if experiment else Transcriber
        extra = (dict(batch_size=args.batch_size, word_timestamps=args.word_timestamps,
                      compute_type=args.compute_type) if experiment else {})
        transcriber = cls(whisper_model_dir(settings.whisper_model, settings.models_dir),
                          name=settings.whisper_model, device=settings.whisper_device,
                          threads=settings.whisper_threads, beam_size=settings.whisper_beam_size,
                          language=settings.whisper_language, vad_filter=args.vad, **extra)
    return build_services(settings, transcriber=transcriber, embedder=embedder)


def process_once(services, media: Path, args) -> dict:
    """Ingest the lecture as a new video and time the pipeline on it."""
    from chronos.models import chunks as chunk_store
    from chronos.models import creators, stages, transcripts, videos
    from chronos.pipeline.ingest import ingest_path

    settings = services.settings
    with services.db.connection() as conn:
        t0 = time.perf_counter()
        creator = creators.local_creator(conn)
        video = ingest_path(media, conn=conn, media_dir=settings.media_dir,
                            incoming_dir=settings.upload_tmp_dir, creator_id=creator.id,
                            max_bytes=settings.max_upload_bytes, published=True)
        ingest_s = time.perf_counter() - t0
    if args.wait_idle:
        wait_until_idle(args.wait_idle)
    load_before = os.getloadavg()
    busy0, cpu0, t0 = machine_busy_s(), cpu_seconds(), time.perf_counter()
    outcome = services.runner.process_until_done(video.id)
    wall_s = time.perf_counter() - t0
    cpu_s = cpu_seconds() - cpu0
    busy1 = machine_busy_s()
    others = None if busy0 is None or busy1 is None else (busy1 - busy0 - cpu_s) / wall_s
    if outcome.status != "completed":
        raise RuntimeError(f"processing ended {outcome.status}: {outcome.error}")
    with services.db.connection() as conn:
        transcript = conn.execute("SELECT transcript FROM videos WHERE id = ?",
                                  (video.id,)).fetchone()[0] or ""
        return {"wall_s": wall_s, "cpu_s": cpu_s, "ingest_s": ingest_s,
                "others_cpu_per_wall": None if others is None else round(max(0.0, others), 2),
                "loadavg_before": [round(x, 2) for x in load_before],
                "timings": stages.latest_timings(conn, video.id),
                "segments": transcripts.load_segments(conn, video.id),
                "chunks": len(chunk_store.chunks_for_video(conn, video.id)),
                "language": videos.get_video(conn, video.id).language,
                "transcript": transcript}


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--model", choices=("base", "tiny.en"), default="base")
    p.add_argument("--minutes", type=float, default=10.0, help="lecture length (at least this)")
    p.add_argument("--beam-size", type=int, default=None, help="default: the product's (5)")
    p.add_argument("--threads", type=int, default=None,
                   help="Whisper cpu_threads; default: the product's choice (half the cores)")
    p.add_argument("--language", default=None, help="e.g. en: skip language detection")
    p.add_argument("--no-vad", dest="vad", action="store_false", help="vad_filter=False")
    p.add_argument("--batch-size", type=int, default=0,
                   help="experiment: faster-whisper's BatchedInferencePipeline with this batch")
    p.add_argument("--no-word-timestamps", dest="word_timestamps", action="store_false",
                   help="experiment: word_timestamps=False (chunk times then come from segments)")
    p.add_argument("--compute-type", default="", help="experiment: e.g. int8_float32, float32")
    p.add_argument("--voice", default=VOICE, help="espeak-ng voice")
    p.add_argument("--out-dir", type=Path, default=BENCH / "out")
    p.add_argument("--regenerate", action="store_true", help="remake the lecture even if cached")
    p.add_argument("--keep", action="store_true", help="keep the data folder")
    p.add_argument("--wait-idle", type=float, default=0, metavar="SECONDS",
                   help="before timing, wait up to this long for other processes to go quiet")
    p.add_argument("--repeats", type=int, default=1,
                   help="process the lecture this many times (as new videos, models stay loaded) "
                        "and report the run least disturbed by other processes")
    p.add_argument("--until-clean", action="store_true",
                   help="with --repeats: stop at the first run other processes did not disturb")
    p.add_argument("--show-errors", action="store_true", help="log each transcription error")
    p.add_argument("--json-out", type=Path, help="also write the JSON here")
    args = p.parse_args(argv)
    logging.basicConfig(level=logging.INFO, stream=sys.stderr,
                        format="%(asctime)s %(name)s %(levelname)s %(message)s")
    result = run(args)
    emit(result, args.json_out)


if __name__ == "__main__":
    main()
