"""Transcript downloads: plain text, SRT and WebVTT, and the JSON shape of the CLI and API; chapters
as WebVTT chapters."""
from __future__ import annotations

from collections.abc import Sequence

from chronos.models.chunks import Chunk
from chronos.models.transcripts import Segment

FORMATS = ("json", "txt", "srt", "vtt")
MIME = {"json": "application/json", "txt": "text/plain; charset=utf-8",
        "srt": "application/x-subrip; charset=utf-8", "vtt": "text/vtt; charset=utf-8"}


def _stamp(seconds: float, sep: str) -> str:
    ms = max(0, round(seconds * 1000))
    h, ms = divmod(ms, 3_600_000)
    m, ms = divmod(ms, 60_000)
    s, ms = divmod(ms, 1000)
    return f"{h:02d}:{m:02d}:{s:02d}{sep}{ms:03d}"


def to_txt(segments: Sequence[Segment]) -> str:
    """One line per segment, each led by its [m:ss] start."""
    lines = []
    for seg in segments:
        m, s = divmod(int(seg.start_s), 60)
        lines.append(f"[{m}:{s:02d}] {seg.text}")
    return "\n".join(lines) + ("\n" if lines else "")


def to_srt(segments: Sequence[Segment]) -> str:
    """SubRip subtitles."""
    blocks = [f"{i}\n{_stamp(s.start_s, ',')} --> {_stamp(s.end_s, ',')}\n{s.text}\n"
              for i, s in enumerate(segments, 1)]
    return "\n".join(blocks)


def to_vtt(segments: Sequence[Segment]) -> str:
    """WebVTT subtitles (what the browser's <track> reads)."""
    blocks = [f"{_stamp(s.start_s, '.')} --> {_stamp(s.end_s, '.')}\n{s.text}\n" for s in segments]
    return "WEBVTT\n\n" + "\n".join(blocks)


def to_vtt_chapters(chapters: Sequence[tuple[float, float, str]]) -> str:
    """WebVTT chapters (a <track kind="chapters">): one cue per (start_s, end_s, title), numbered."""
    def text(title: str) -> str:  # a cue's text is markup: escape it; "-->" would end the cue
        return title.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    blocks = [f"{i}\n{_stamp(start, '.')} --> {_stamp(end, '.')}\n{text(title)}\n"
              for i, (start, end, title) in enumerate(chapters, 1)]
    return "WEBVTT\n\n" + "\n".join(blocks)


def to_json(video_id: int, language: str | None, segments: Sequence[Segment],
            chunks: Sequence[Chunk]) -> dict:
    """The transcript JSON of `chronos transcript --format json` and the API."""
    return {
        "video_id": video_id,
        "language": language,
        "segments": [{"index": i, "start_s": s.start_s, "end_s": s.end_s, "text": s.text}
                     for i, s in enumerate(segments)],
        "chunks": [{"start_s": c.start_s, "end_s": c.end_s, "text": c.text} for c in chunks],
    }
