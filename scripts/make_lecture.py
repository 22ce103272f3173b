#!/usr/bin/env python3
"""Generate small synthetic "lecture" media files for tests and benchmarks.

Text is split into sentences, each sentence is spoken by espeak-ng, and the
speech is muxed with PyAV into a video whose background colour changes per
sentence (one "slide" per sentence), or into an audio-only file.  A sidecar
``OUT.json`` records the exact start/end of every sentence in the output.

Examples::

    python scripts/make_lecture.py --out demo.mp4 --text "Hello. This is a test."
    python scripts/make_lecture.py --out talk.m4a --audio-only --text-file talk.txt
    python scripts/make_lecture.py --out silent.mp4 --silent 6
    python scripts/make_lecture.py --out noaudio.mp4 --no-audio --silent 5
"""

from __future__ import annotations

import argparse
import colorsys
import json
import math
import re
import shutil
import subprocess
import sys
import tempfile
import wave
from fractions import Fraction
from pathlib import Path
from typing import Any

import av
import numpy as np

SAMPLE_RATE = 16_000
VIDEO_EXTS = {".mp4", ".mov", ".mkv", ".webm"}
AUDIO_CODECS = {".m4a": "aac", ".wav": "pcm_s16le", ".mp3": "libmp3lame"}
SILENCE_THRESHOLD = 300  # int16 amplitude below which espeak output counts as silence
TRIM_PAD_S = 0.02  # keep this much of espeak's own silence around each sentence
AUDIO_BITRATE = 48_000  # bits/s for lossy audio codecs; 32k hurt Whisper tiny.en accuracy


def split_sentences(text: str) -> list[str]:
    """Split text into sentences on ``.``, ``!`` or ``?`` followed by whitespace."""
    parts = re.split(r"(?<=[.!?])\s+", " ".join(text.split()))
    return [p.strip() for p in parts if p.strip()]


def _has_codec(name: str) -> bool:
    try:
        av.codec.Codec(name, "w")
        return True
    except Exception:  # noqa: BLE001 - PyAV raises several error types here
        return False


def resample_linear(samples: np.ndarray, src_rate: int, dst_rate: int) -> np.ndarray:
    """Resample a mono float signal with simple linear interpolation."""
    if src_rate == dst_rate or len(samples) == 0:
        return samples.astype(np.float32)
    n_out = int(round(len(samples) * dst_rate / src_rate))
    x_out = np.arange(n_out) * (src_rate / dst_rate)
    return np.interp(x_out, np.arange(len(samples)), samples).astype(np.float32)


def synthesize(sentence: str, voice: str, wpm: int) -> np.ndarray:
    """Speak one sentence with espeak-ng; return trimmed 16 kHz mono float32 audio."""
    if shutil.which("espeak-ng") is None:
        raise RuntimeError("espeak-ng is not installed (apt-get install espeak-ng)")
    with tempfile.TemporaryDirectory() as tmp:
        wav_path = Path(tmp) / "s.wav"
        subprocess.run(
            ["espeak-ng", "-v", voice, "-s", str(wpm), "-w", str(wav_path), "--stdin"],
            input=sentence.encode(), check=True, capture_output=True,
        )
        with wave.open(str(wav_path), "rb") as w:
            rate, channels = w.getframerate(), w.getnchannels()
            assert w.getsampwidth() == 2, "espeak-ng should write 16-bit PCM"
            pcm = np.frombuffer(w.readframes(w.getnframes()), dtype=np.int16)
    pcm = pcm.reshape(-1, channels).mean(axis=1)
    loud = np.nonzero(np.abs(pcm) > SILENCE_THRESHOLD)[0]
    if len(loud):  # trim espeak's leading/trailing silence so times are exact
        pad = int(TRIM_PAD_S * rate)
        pcm = pcm[max(0, loud[0] - pad): loud[-1] + pad + 1]
    return resample_linear(pcm / 32768.0, rate, SAMPLE_RATE)


def build_timeline(
    sentences: list[str], voice: str, wpm: int, gap: float, lead_in: float, tail: float
) -> tuple[np.ndarray, list[dict[str, Any]]]:
    """Concatenate the spoken sentences; return (audio, sentence timings)."""
    chunks = [np.zeros(int(round(lead_in * SAMPLE_RATE)), np.float32)]
    pos = len(chunks[0])
    timings: list[dict[str, Any]] = []
    for i, sentence in enumerate(sentences):
        if i:
            silence = np.zeros(int(round(gap * SAMPLE_RATE)), np.float32)
            chunks.append(silence)
            pos += len(silence)
        speech = synthesize(sentence, voice, wpm)
        timings.append({"text": sentence, "start_s": round(pos / SAMPLE_RATE, 3),
                        "end_s": round((pos + len(speech)) / SAMPLE_RATE, 3)})
        chunks.append(speech)
        pos += len(speech)
    chunks.append(np.zeros(int(round(tail * SAMPLE_RATE)), np.float32))
    return np.concatenate(chunks), timings


def slide_colour(index: int) -> tuple[int, int, int]:
    """A distinct, fairly dark RGB colour for slide ``index`` (golden-ratio hues)."""
    r, g, b = colorsys.hsv_to_rgb((index * 0.618034) % 1.0, 0.6, 0.75)
    return int(r * 255), int(g * 255), int(b * 255)


def render_frame(width: int, height: int, slide: int, progress: float) -> np.ndarray:
    """RGB frame: slide-coloured background, a white title bar and a progress bar."""
    frame = np.empty((height, width, 3), np.uint8)
    frame[:] = slide_colour(slide)
    frame[height // 8: height // 8 + max(2, height // 12), width // 10: width * 9 // 10] = 255
    frame[-max(2, height // 30):, : int(width * min(max(progress, 0.0), 1.0))] = 230
    return frame


def _audio_codec_for(out: Path, audio_only: bool) -> str:
    ext = out.suffix.lower()
    if audio_only:
        if ext not in AUDIO_CODECS:
            raise ValueError(f"--audio-only supports {sorted(AUDIO_CODECS)}, not {ext!r}")
        codec = AUDIO_CODECS[ext]
    elif ext == ".webm":
        codec = "libopus" if _has_codec("libopus") else "libvorbis"
    elif ext in VIDEO_EXTS:
        codec = "aac"
    else:
        raise ValueError(f"unsupported video extension {ext!r}; use one of {sorted(VIDEO_EXTS)}")
    if not _has_codec(codec):
        raise RuntimeError(f"this PyAV build has no {codec!r} encoder (needed for {ext})")
    return codec


def _video_codec_for(out: Path) -> str:
    if out.suffix.lower() == ".webm":
        return "libvpx-vp9" if _has_codec("libvpx-vp9") else "libvpx"
    return "libx264" if _has_codec("libx264") else "mpeg4"


def write_media(
    out: Path, audio: np.ndarray | None, duration: float, timings: list[dict[str, Any]],
    *, audio_only: bool = False, width: int = 320, height: int = 180, fps: int = 5,
) -> None:
    """Mux ``audio`` (16 kHz mono float32, or None) and generated slides into ``out``."""
    audio_codec = _audio_codec_for(out, audio_only) if audio is not None else None
    with av.open(str(out), "w") as container:
        vstream = None
        if not audio_only:
            vstream = container.add_stream(_video_codec_for(out), rate=fps)
            vstream.width, vstream.height, vstream.pix_fmt = width, height, "yuv420p"
            vstream.codec_context.time_base = Fraction(1, fps)
            vstream.codec_context.gop_size = 2 * fps  # a keyframe every 2 s keeps seeking cheap
            if vstream.codec_context.name == "libx264":
                vstream.codec_context.options = {"preset": "veryfast", "crf": "30"}
            else:
                vstream.bit_rate = 100_000
        astream = None
        if audio is not None:
            rate = 48_000 if audio_codec == "libopus" else SAMPLE_RATE
            astream = container.add_stream(audio_codec, rate=rate, layout="mono")
            astream.codec_context.time_base = Fraction(1, rate)
            if audio_codec != "pcm_s16le":
                astream.bit_rate = AUDIO_BITRATE

        if vstream is not None:
            starts = [t["start_s"] for t in timings]
            for i in range(max(1, math.ceil(duration * fps))):
                t = i / fps
                slide = max(0, sum(1 for s in starts if s <= t) - 1)
                rgb = render_frame(width, height, slide, t / duration if duration else 1.0)
                frame = av.VideoFrame.from_ndarray(rgb, format="rgb24").reformat(format="yuv420p")
                frame.pts, frame.time_base = i, Fraction(1, fps)
                container.mux(vstream.encode(frame))
            container.mux(vstream.encode(None))

        if astream is not None and audio is not None:
            # PyAV's encoder resamples/re-chunks to the codec's format and frame size.
            block = 4096
            for start in range(0, len(audio), block):
                chunk = audio[start: start + block].reshape(1, -1)
                frame = av.AudioFrame.from_ndarray(chunk, format="flt", layout="mono")
                frame.sample_rate, frame.pts = SAMPLE_RATE, start
                frame.time_base = Fraction(1, SAMPLE_RATE)
                container.mux(astream.encode(frame))
            container.mux(astream.encode(None))


def probe(path: Path) -> dict[str, Any]:
    """Open ``path`` with PyAV and report its duration and stream kinds."""
    with av.open(str(path)) as c:
        duration = c.duration / av.time_base if c.duration else 0.0
        return {"duration_s": duration, "streams": [s.type for s in c.streams]}


def make_lecture(
    text: str, out: Path, *, voice: str = "en-us", wpm: int = 160, gap: float = 0.35,
    lead_in: float = 0.5, tail: float = 0.5, width: int = 320, height: int = 180,
    fps: int = 5, no_audio: bool = False, silent: float | None = None,
    audio_only: bool = False,
) -> dict[str, Any]:
    """Create a lecture media file plus ``out.with_suffix('.json')``; return the sidecar.

    With empty ``text`` and ``silent`` set, the file lasts ``silent`` seconds and its
    audio track (unless ``no_audio``) is pure digital silence.
    """
    out = Path(out)
    if no_audio and audio_only:
        raise ValueError("--no-audio and --audio-only are mutually exclusive")
    _audio_codec_for(out, audio_only)  # fail fast on unsupported extensions/encoders
    sentences = split_sentences(text or "")
    if sentences:
        audio, timings = build_timeline(sentences, voice, wpm, gap, lead_in, tail)
        if silent:  # pad to at least `silent` seconds
            audio = np.pad(audio, (0, max(0, int(round(silent * SAMPLE_RATE)) - len(audio))))
    elif silent:
        audio, timings = np.zeros(int(round(silent * SAMPLE_RATE)), np.float32), []
    else:
        raise ValueError("give some text or a --silent duration")
    if not audio_only:  # end on a whole video frame so audio and video durations match
        frames = math.ceil(len(audio) * fps / SAMPLE_RATE - 1e-9)
        audio = np.pad(audio, (0, max(0, round(frames * SAMPLE_RATE / fps) - len(audio))))
    duration = len(audio) / SAMPLE_RATE
    out.parent.mkdir(parents=True, exist_ok=True)
    write_media(out, None if no_audio else audio, duration, timings,
                audio_only=audio_only, width=width, height=height, fps=fps)

    info = probe(out)
    expected = ["audio"] if audio_only else (["video"] if no_audio else ["video", "audio"])
    if sorted(info["streams"]) != sorted(expected) or abs(info["duration_s"] - duration) > 0.5:
        raise RuntimeError(f"{out}: unexpected result {info}, wanted {expected} ~{duration:.2f}s")
    sidecar = {"file": out.name, "duration_s": round(duration, 3), "voice": voice,
               "wpm": wpm, "sentences": timings}
    out.with_suffix(".json").write_text(json.dumps(sidecar, indent=2) + "\n")
    return sidecar


def main(argv: list[str] | None = None) -> None:
    """Command-line entry point."""
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--out", type=Path, required=True, help="output file; extension picks container")
    src = p.add_mutually_exclusive_group()
    src.add_argument("--text", help="lecture text")
    src.add_argument("--text-file", type=Path, help="file containing the lecture text")
    p.add_argument("--voice", default="en-us", help="espeak-ng voice (default en-us)")
    p.add_argument("--wpm", type=int, default=160, help="speaking rate in words per minute")
    p.add_argument("--gap", type=float, default=0.35, help="silence between sentences (s)")
    p.add_argument("--lead-in", type=float, default=0.5, help="silence before the first sentence (s)")
    p.add_argument("--tail", type=float, default=0.5, help="silence after the last sentence (s)")
    p.add_argument("--width", type=int, default=320)
    p.add_argument("--height", type=int, default=180)
    p.add_argument("--fps", type=int, default=5)
    mode = p.add_mutually_exclusive_group()
    mode.add_argument("--no-audio", action="store_true", help="write a video without an audio stream")
    mode.add_argument("--audio-only", action="store_true", help="write .m4a, .wav or .mp3 only")
    p.add_argument("--silent", type=float, metavar="SECONDS",
                   help="without text: this many seconds of silence; with text: minimum duration")
    args = p.parse_args(argv)

    text = args.text_file.read_text() if args.text_file else (args.text or "")
    if not text.strip() and not args.silent:
        p.error("give --text/--text-file or --silent SECONDS")
    try:
        sidecar = make_lecture(
            text, args.out, voice=args.voice, wpm=args.wpm, gap=args.gap,
            lead_in=args.lead_in, tail=args.tail, width=args.width, height=args.height,
            fps=args.fps, no_audio=args.no_audio, silent=args.silent,
            audio_only=args.audio_only,
        )
    except (ValueError, RuntimeError, subprocess.CalledProcessError) as exc:
        sys.exit(f"error: {exc}")
    print(f"wrote {args.out} ({sidecar['duration_s']:.2f} s, "
          f"{len(sidecar['sentences'])} sentences) + {args.out.with_suffix('.json').name}")


if __name__ == "__main__":
    main()
