"""Videos that need the creator's attention: many questions per view, or viewers stopping early.

A video is listed when, in the range, it had at least MIN_VIEWS views and either its student
questions per view reach QUESTIONS_PER_VIEW, or at least EARLY_STOP_SHARE of the students who
started it stopped (without completing) in its first EARLY_PART. Worst first: the larger of the
two ratios to its threshold.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from chronos.db import Connection
from chronos.models import analytics_confusion as maps
from chronos.models.analytics_range import Range

if TYPE_CHECKING:
    from chronos.models.analytics_overview import VideoTotals

MIN_VIEWS = 3
QUESTIONS_PER_VIEW = 0.25
EARLY_STOP_SHARE = 0.4
EARLY_PART = 0.25
CANDIDATES = 10
LIMIT = 10


@dataclass
class AttentionVideo:
    """A video flagged for attention, with the facts behind it (the web layer words the reason)."""

    video_id: int
    title: str
    views: int
    questions: int
    many_questions: bool     # questions per view reached QUESTIONS_PER_VIEW
    peak_s: float | None     # the middle of the bin most questions point at
    early_stops: int         # students who stopped in the first EARLY_PART without finishing
    started: int             # students who started it
    stops_early: bool        # early_stops / started reached EARLY_STOP_SHARE
    severity: float


def needs_attention(conn: Connection, creator_id: int, rng: Range,
                    videos: dict[int, VideoTotals]) -> list[AttentionVideo]:
    """At most LIMIT videos, worst first (`videos`: the range's per-video totals)."""
    seen = [v for v in videos.values() if v.views >= MIN_VIEWS]
    by_questions = sorted(seen, key=lambda v: -v.questions / v.views)[:CANDIDATES]
    by_completion = sorted(seen, key=lambda v: v.completions / v.views)[:CANDIDATES]
    flagged = []
    for v in {v.video_id: v for v in by_questions + by_completion}.values():
        per_view = v.questions / v.views
        started, early = conn.execute(
            "SELECT count(*), coalesce(sum(completed_at IS NULL AND position_s < ?), 0) FROM video_progress"
            " WHERE video_id = ?", (EARLY_PART * (v.duration_s or 0), v.video_id)).fetchone()
        early_share = early / started if started >= MIN_VIEWS else 0.0
        severity = max(per_view / QUESTIONS_PER_VIEW, early_share / EARLY_STOP_SHARE)
        if severity >= 1:
            flagged.append((severity, v, per_view, early_share, early, started))
    flagged.sort(key=lambda f: (-f[0], f[1].video_id))
    return [AttentionVideo(v.video_id, v.title, v.views, v.questions, per_view >= QUESTIONS_PER_VIEW,
                           _peak_s(conn, v, rng), early, started, early_share >= EARLY_STOP_SHARE,
                           round(severity, 2))
            for severity, v, per_view, early_share, early, started in flagged[:LIMIT]]


def _peak_s(conn: Connection, video: VideoTotals, rng: Range) -> float | None:
    """The middle of the bin the most questions point at (None without questions)."""
    duration = float(video.duration_s or 0.0)
    bin_s = maps.bin_size(duration)
    bins = maps.question_bins(maps.cited_questions(conn, video.video_id, rng), bin_s,
                              maps.bin_count(duration, bin_s))
    if not bins:
        return None
    best = max(sorted(bins), key=lambda i: len(bins[i]))
    return round((best + 0.5) * bin_s, 1)
