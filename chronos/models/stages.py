"""Stage timings: how long each pipeline stage of each attempt took, and how it ended."""
from __future__ import annotations

from dataclasses import dataclass

from chronos.db import Connection, transaction
from chronos.models.schema import INTERRUPTED_NOTE
from chronos.timefmt import iso_utc


@dataclass(frozen=True)
class StageRun:
    stage: str
    attempt: int
    started_at: str
    finished_at: str | None
    seconds: float | None
    error: str | None


def start_stage(conn: Connection, video_id: int, stage: str, attempt: int) -> int:
    """Record that a stage began; returns the run's id."""
    with transaction(conn):
        cur = conn.execute(
            "INSERT INTO processing_stages(video_id, stage, attempt, started_at) VALUES (?, ?, ?, ?)",
            (video_id, stage, attempt, iso_utc()))
    return cur.lastrowid


def finish_stage(conn: Connection, run_id: int, seconds: float, error: str | None = None) -> None:
    """Record how a stage run ended."""
    with transaction(conn):
        conn.execute("UPDATE processing_stages SET finished_at = ?, seconds = ?, error = ? WHERE id = ?",
                     (iso_utc(), seconds, error, run_id))


def close_interrupted(conn: Connection, video_id: int) -> int:
    """Close the video's stage runs a crash left open (no finished_at): each ends when it was last
    seen working (the video's or its draft's last write, before the next run began) and is marked
    interrupted. Call it only where no run of this video can be under way. Returns the runs closed."""
    with transaction(conn):
        rows = conn.execute(
            "SELECT s.id, max(s.started_at, min("
            "  coalesce((SELECT min(n.started_at) FROM processing_stages n"
            "            WHERE n.video_id = s.video_id AND n.id > s.id), '9999'),"
            "  max(v.updated_at, coalesce(d.updated_at, ''))))"
            " FROM processing_stages s JOIN videos v ON v.id = s.video_id"
            " LEFT JOIN transcript_drafts d ON d.video_id = s.video_id"
            " WHERE s.video_id = ? AND s.finished_at IS NULL", (video_id,)).fetchall()
        for run_id, last_seen in rows:
            conn.execute(
                "UPDATE processing_stages SET finished_at = ?1, error = ?2,"
                " seconds = round((julianday(?1) - julianday(started_at)) * 86400, 3) WHERE id = ?3",
                (last_seen, INTERRUPTED_NOTE, run_id))
    return len(rows)


def list_stages(conn: Connection, video_id: int) -> list[StageRun]:
    """Every stage run of a video, in order."""
    rows = conn.execute(
        "SELECT stage, attempt, started_at, finished_at, seconds, error FROM processing_stages"
        " WHERE video_id = ? ORDER BY id", (video_id,))
    return [StageRun(*r) for r in rows]


def latest_timings(conn: Connection, video_id: int) -> dict[str, float]:
    """Seconds per stage from the most recent successful run of each stage."""
    rows = conn.execute(
        "SELECT stage, seconds FROM processing_stages WHERE video_id = ? AND error IS NULL"
        " AND seconds IS NOT NULL ORDER BY id", (video_id,))
    return {r["stage"]: r["seconds"] for r in rows}
