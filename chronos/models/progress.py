"""Watching: where each student is in each video, what they really watched (rolled up by models.activity).

The player reports heartbeats: its position and the seconds it played since the last one. The
client is not trusted: a heartbeat is credited at most MAX_RATE seconds of video per second of wall
time since the student's previous heartbeat (on any video, so parallel tabs share one clock), and at
most how far the position moved since the segment began, so seeking ahead earns nothing. Credited
seconds become a watched range [position - credit, position]; a video is complete when its ranges
cover COMPLETE_AT of it, or when the student marks it. The owner's previews are not recorded.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timezone

from chronos.db import Connection, transaction
from chronos.models import activity
from chronos.models.states import LiveKind
from chronos.timefmt import iso_utc

COMPLETE_AT = 0.9
MAX_RATE = 2.0           # video seconds per wall second: playing at 2x speed is still watching
MAX_GAP_S = 120.0        # wall time one heartbeat can vouch for (a longer gap was not all watching)
FIRST_BEAT_S = 30.0      # wall time assumed before a student's very first heartbeat
POSITION_SLACK_S = 1.0   # the player reports its time a few times a second, not continuously


@dataclass(frozen=True)
class VideoProgress:
    video_id: int
    position_s: float
    watched_s: float        # distinct seconds of the video watched
    watch_time_s: float     # all credited watching, re-watching included
    marked_complete: bool
    completed_at: str | None

    @property
    def completed(self) -> bool:
        return self.completed_at is not None

    def to_json(self) -> dict:
        return {"video_id": self.video_id, "position_s": round(self.position_s, 2),
                "watched_s": round(self.watched_s, 2), "watch_time_s": round(self.watch_time_s, 2),
                "completed": self.completed, "marked_complete": self.marked_complete,
                "completed_at": self.completed_at}


@dataclass(frozen=True)
class Beat:
    """What one heartbeat changed."""
    progress: VideoProgress
    credited_s: float
    newly_completed: bool
    kind: LiveKind = LiveKind.HEARTBEAT  # as analytics counts it: view (first of the day), heartbeat, completion


@dataclass(frozen=True)
class CourseProgress:
    course_id: int
    total: int              # videos of the course a student may watch
    completed: int
    time_spent_s: float
    last_video_id: int | None
    last_module_id: int | None
    started: bool

    @property
    def percent(self) -> int:
        return int(100 * self.completed / self.total) if self.total else 0

    def to_json(self) -> dict:
        return {"course_id": self.course_id, "percent": self.percent, "completed": self.completed,
                "total": self.total, "time_spent_s": round(self.time_spent_s, 1),
                "last_video_id": self.last_video_id, "last_module_id": self.last_module_id,
                "started": self.started}


def _progress(row) -> VideoProgress:
    return VideoProgress(row["video_id"], row["position_s"], row["watched_s"], row["watch_time_s"],
                         bool(row["marked_complete"]), row["completed_at"])


def merge_range(ranges: list[list[float]], start: float, end: float) -> list[list[float]]:
    """Add [start, end] to sorted, disjoint ranges, merging where they touch."""
    out: list[list[float]] = []
    for a, b in sorted([*ranges, [start, end]]):
        if out and a <= out[-1][1] + 0.5:  # half a second apart is one stretch of watching
            out[-1][1] = max(out[-1][1], b)
        else:
            out.append([a, b])
    return out


def record_heartbeat(conn: Connection, student_id: int, video_id: int, *, position_s: float,
                     watched_s: float, from_s: float | None = None, course_id: int | None = None,
                     module_id: int | None = None, now: datetime | None = None) -> Beat:
    """Credit what a student watched since their last heartbeat; update progress and analytics."""
    moment = now or datetime.now(timezone.utc)
    stamp = iso_utc(moment)
    with transaction(conn):  # read-modify-write: the write lock is taken first
        # One read and one write with RETURNING: each statement on the writer's thread waits to
        # get the interpreter back from a busy class (bench/README.md, "Requests take turns").
        read = conn.execute(
            "SELECT v.duration_s AS video_duration_s, (SELECT max(last_beat_at) FROM video_progress"
            " WHERE student_id = ?1) AS anchor, p.* FROM videos v LEFT JOIN video_progress p"
            " ON p.student_id = ?1 AND p.video_id = v.id WHERE v.id = ?2", (student_id, video_id)).fetchone()
        duration, anchor = read["video_duration_s"], read["anchor"]
        row = read if read["student_id"] is not None else None
        elapsed = FIRST_BEAT_S if anchor is None else min(
            max((moment - datetime.fromisoformat(anchor)).total_seconds(), 0.0), MAX_GAP_S)
        position = _clamp(position_s, duration)
        start = _clamp(from_s if from_s is not None else
                       row["position_s"] if row else position - watched_s, duration)
        advance = position - start
        credit = 0.0
        if advance >= -POSITION_SLACK_S:  # played backwards without saying where from: not credited
            credit = max(0.0, min(watched_s, elapsed * MAX_RATE, advance + POSITION_SLACK_S, position))
        ranges = json.loads(row["watched_ranges"]) if row else []
        if credit > 0:
            ranges = merge_range(ranges, position - credit, position)
        watched = sum(b - a for a, b in ranges)
        watched = min(watched, duration) if duration else watched
        was_complete = bool(row and row["completed_at"])
        complete = was_complete or bool(duration and watched >= COMPLETE_AT * duration)
        saved = conn.execute(
            "INSERT INTO video_progress(student_id, video_id, position_s, watched_s, watched_ranges,"
            " watch_time_s, completed_at, last_beat_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
            " ON CONFLICT(student_id, video_id) DO UPDATE SET position_s = excluded.position_s,"
            " watched_s = excluded.watched_s, watched_ranges = excluded.watched_ranges,"
            " watch_time_s = watch_time_s + excluded.watch_time_s,"
            " completed_at = coalesce(completed_at, excluded.completed_at),"
            " last_beat_at = excluded.last_beat_at, updated_at = excluded.updated_at RETURNING *",
            (student_id, video_id, position, watched,
             json.dumps([[round(float(a), 2), round(float(b), 2)] for a, b in ranges]),
             credit, stamp if complete else None, stamp, stamp)).fetchall()[0]
        kind = activity.record_watch(conn, student_id, video_id, at=moment,
                              previous_beat_at=row["last_beat_at"] if row else None, watch_s=credit,
                              completed=complete and not was_complete, position_s=position,
                              first_touch=row is None)
        if course_id is not None:
            _course_visit(conn, student_id, course_id, video_id, module_id, stamp, min(credit, elapsed))
    return Beat(_progress(saved), round(credit, 3), complete and not was_complete, kind)


def mark_complete(conn: Connection, student_id: int, video_id: int, *, course_id: int | None = None,
                  module_id: int | None = None, now: datetime | None = None) -> VideoProgress:
    """The student says they are done with a video."""
    moment = now or datetime.now(timezone.utc)
    stamp = iso_utc(moment)
    with transaction(conn):
        row = conn.execute("SELECT completed_at FROM video_progress WHERE student_id = ? AND video_id = ?",
                           (student_id, video_id)).fetchone()
        conn.execute(
            "INSERT INTO video_progress(student_id, video_id, marked_complete, completed_at, updated_at)"
            " VALUES (?, ?, 1, ?, ?) ON CONFLICT(student_id, video_id) DO UPDATE SET marked_complete = 1,"
            " completed_at = coalesce(completed_at, excluded.completed_at), updated_at = excluded.updated_at",
            (student_id, video_id, stamp, stamp))
        if not (row and row["completed_at"]):
            activity.record_watch(conn, student_id, video_id, at=moment, previous_beat_at=None,
                                  watch_s=0.0, completed=True, heartbeat=False, first_touch=row is None)
        if course_id is not None:
            _course_visit(conn, student_id, course_id, video_id, module_id, stamp, 0.0)
        saved = conn.execute("SELECT * FROM video_progress WHERE student_id = ? AND video_id = ?",
                             (student_id, video_id)).fetchone()
    return _progress(saved)


def video_progress(conn: Connection, student_id: int, video_ids: list[int]) -> dict[int, VideoProgress]:
    """The student's progress in each of these videos that they have started."""
    if not video_ids:
        return {}
    marks = ",".join("?" * len(video_ids))
    rows = conn.execute(f"SELECT * FROM video_progress WHERE student_id = ? AND video_id IN ({marks})",
                        [student_id, *video_ids])
    return {r["video_id"]: _progress(r) for r in rows}


def course_progress(conn: Connection, student_id: int | None, course_id: int,
                    video_ids: list[int]) -> CourseProgress:
    """How far a student is through a course whose watchable videos are video_ids (None: nobody)."""
    if student_id is None:
        return CourseProgress(course_id, len(video_ids), 0, 0.0, None, None, False)
    done = sum(p.completed for p in video_progress(conn, student_id, video_ids).values())
    row = conn.execute("SELECT * FROM course_progress WHERE student_id = ? AND course_id = ?",
                       (student_id, course_id)).fetchone()
    if row is None:
        return CourseProgress(course_id, len(video_ids), done, 0.0, None, None, done > 0)
    return CourseProgress(course_id, len(video_ids), done, row["time_spent_s"], row["last_video_id"],
                          row["last_module_id"], True)


def _clamp(seconds: float, duration: float | None) -> float:
    return max(0.0, min(seconds, duration) if duration else seconds)


def _course_visit(conn: Connection, student_id: int, course_id: int, video_id: int,
                  module_id: int | None, stamp: str, spent_s: float) -> None:
    conn.execute(
        "INSERT INTO course_progress(student_id, course_id, last_video_id, last_module_id, time_spent_s,"
        " started_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT(student_id, course_id) DO UPDATE"
        " SET last_video_id = excluded.last_video_id, last_module_id = excluded.last_module_id,"
        " time_spent_s = time_spent_s + excluded.time_spent_s, updated_at = excluded.updated_at",
        (student_id, course_id, video_id, module_id, spent_s, stamp, stamp))
