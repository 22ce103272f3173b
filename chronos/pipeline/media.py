"""Media with PyAV: probing what a file really is, 16 kHz mono audio, and a thumbnail frame."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import av
import numpy as np

from chronos.config import ACCEPTED_AUDIO, ACCEPTED_VIDEO

SAMPLE_RATE = 16_000
# PyAV's container format names (comma lists) mapped to the kinds we accept.
_FORMATS = {"mov": "mov/mp4", "mp4": "mov/mp4", "m4a": "mov/mp4", "3gp": "mov/mp4",
            "matroska": "mkv/webm", "webm": "mkv/webm", "avi": "avi", "mp3": "mp3", "wav": "wav"}


class MediaError(ValueError):
    """A file Chronos cannot use; the message tells the creator what is wrong and what to do."""


@dataclass(frozen=True)
class MediaInfo:
    container: str
    duration_s: float
    has_video: bool
    has_audio: bool


def probe(path: Path) -> MediaInfo:
    """Open the file by its content (not its name) and check it is usable lecture media."""
    path = Path(path)
    if not path.exists() or path.stat().st_size == 0:
        raise MediaError("The file is empty (0 bytes). Check the export finished and try again.")
    try:
        with av.open(str(path), metadata_errors="ignore") as container:
            names = container.format.name.split(",")
            kind = next((_FORMATS[n] for n in names if n in _FORMATS), None)
            if kind is None:
                raise MediaError(
                    f"This file is {container.format.long_name or names[0]}, which Chronos does not "
                    f"accept. Use a video ({', '.join(ACCEPTED_VIDEO)}) or audio "
                    f"({', '.join(ACCEPTED_AUDIO)}) file.")
            has_video = any(s.type == "video" and not _is_cover_art(s) for s in container.streams)
            audio = container.streams.audio
            duration = _duration_s(container)
            if not audio:
                raise MediaError("This file has no audio track, so there is nothing to transcribe. "
                                 "Export it again with sound.")
            _decode_some_audio(container, audio[0])
    except MediaError:
        raise
    except av.error.FFmpegError as exc:
        if _looks_like_media(path):
            raise MediaError("This file looks damaged or incomplete (it starts like a media file "
                             "but cannot be read to the end) — was the upload or export "
                             "interrupted? Export it again and re-upload.") from exc
        raise MediaError("This file is not a video or audio file Chronos can read. Check that it "
                         "plays on your computer, or export it again as MP4.") from exc
    if duration <= 0:
        raise MediaError("This file has no playable length. It may be damaged or incomplete.")
    return MediaInfo(kind, duration, has_video, True)


def _is_cover_art(stream) -> bool:
    # MP3 and M4A files often carry album art as a one-frame "video" stream.
    return bool(stream.disposition & av.stream.Disposition.attached_pic)


def _duration_s(container) -> float:
    if container.duration:
        return container.duration / av.time_base
    best = 0.0
    for s in container.streams:
        if s.duration and s.time_base:
            best = max(best, float(s.duration * s.time_base))
    return best


def _decode_some_audio(container, stream) -> None:
    """Decode the first audio frames: a truncated or corrupt file fails here, not hours later."""
    decoded = 0
    for frame in container.decode(stream):
        decoded += frame.samples
        if decoded >= SAMPLE_RATE:
            return
    if decoded == 0:
        raise MediaError("The audio track could not be decoded: the file looks damaged or "
                         "incomplete. Export it again and re-upload.")


# The first bytes of the containers we accept: a file that starts like one but will not open
# is a damaged or truncated media file rather than some other kind of file.
_SIGNATURES = ((4, b"ftyp"), (0, b"RIFF"), (0, b"\x1a\x45\xdf\xa3"), (0, b"ID3"), (0, b"\xff\xfb"),
               (0, b"\xff\xf3"), (0, b"\xff\xf2"), (4, b"moov"), (4, b"mdat"), (4, b"wide"))


def _looks_like_media(path: Path) -> bool:
    with path.open("rb") as fh:
        head = fh.read(16)
    return any(head[offset:offset + len(sig)] == sig for offset, sig in _SIGNATURES)


def _short(exc: Exception) -> str:
    text = getattr(exc, "strerror", None) or str(exc)
    return text.split(":")[-1].strip().rstrip(".") or type(exc).__name__


def load_audio(path: Path) -> np.ndarray:
    """The first audio track as 16 kHz mono float32 in [-1, 1]."""
    resampler = av.AudioResampler(format="s16", layout="mono", rate=SAMPLE_RATE)
    pieces: list[np.ndarray] = []
    try:
        with av.open(str(path), metadata_errors="ignore") as container:
            stream = container.streams.audio[0]
            for frame in container.decode(stream):
                for out in resampler.resample(frame):
                    pieces.append(out.to_ndarray().reshape(-1))
            for out in resampler.resample(None):  # flush the resampler's buffered tail
                pieces.append(out.to_ndarray().reshape(-1))
    except av.error.FFmpegError as exc:
        if not pieces:
            raise MediaError(f"The audio could not be decoded ({_short(exc)}).") from exc
        # A damaged tail: keep what decoded, as a player would.
    if not pieces:
        return np.zeros(0, dtype=np.float32)
    return np.concatenate(pieces).astype(np.float32) / 32768.0


def write_thumbnail(path: Path, out: Path, *, at_fraction: float = 0.1, width: int = 480) -> bool:
    """Save a JPEG of a frame about at_fraction into the video; False if there is no picture."""
    with av.open(str(path), metadata_errors="ignore") as container:
        streams = [s for s in container.streams.video if not _is_cover_art(s)]
        if not streams:
            return False
        stream = streams[0]
        duration = _duration_s(container)
        if duration > 2 and stream.time_base:
            container.seek(int(duration * at_fraction / stream.time_base), stream=stream)
        frame = next(container.decode(stream), None)
        if frame is None:
            return False
        height = max(2, round(frame.height * width / frame.width / 2) * 2)
        encoder = av.CodecContext.create("mjpeg", "w")
        encoder.width, encoder.height = width, height
        encoder.pix_fmt = "yuvj420p"
        encoder.time_base = stream.time_base or 1
        packets = encoder.encode(frame.reformat(width=width, height=height, format="yuvj420p"))
        packets += encoder.encode(None)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(b"".join(bytes(p) for p in packets))
    return True
