"""Transcript drafts: the segments of a transcription still running, saved as Whisper decodes them,
so that a crash loses at most the last few seconds of work and the next attempt decodes only the rest.

A draft belongs to one Whisper model: decoding the rest with another would mix two transcriptions,
so a draft of another model is discarded instead of resumed. The draft goes when the finished
transcript is saved (in the same transaction), when the video is re-processed, or with the video.
"""
from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass

from chronos.db import Connection, transaction
from chronos.models.transcripts import Segment, Word, words_json
from chronos.timefmt import iso_utc


@dataclass(frozen=True)
class Draft:
    model: str
    language: str
    segments: list[Segment]

    @property
    def decoded_until_s(self) -> float:
        """Where the saved segments end: decoding resumes from here."""
        return self.segments[-1].end_s if self.segments else 0.0


def append_segments(conn: Connection, video_id: int, *, model: str, language: str,
                    segments: Sequence[Segment]) -> None:
    """Add segments after the draft's last (starting the draft if there is none), in one commit."""
    with transaction(conn):
        conn.execute(
            "INSERT INTO transcript_drafts(video_id, model, language, updated_at) VALUES (?, ?, ?, ?)"
            " ON CONFLICT(video_id) DO UPDATE SET updated_at = excluded.updated_at",
            (video_id, model, language, iso_utc()))
        after = conn.execute("SELECT coalesce(max(segment_index), -1) FROM transcript_draft_segments"
                             " WHERE video_id = ?", (video_id,)).fetchone()[0]
        conn.executemany(
            "INSERT INTO transcript_draft_segments(video_id, segment_index, start_s, end_s, text, words)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            [(video_id, after + 1 + i, s.start_s, s.end_s, s.text.strip(), words_json(s.words))
             for i, s in enumerate(segments)])


def load_draft(conn: Connection, video_id: int) -> Draft | None:
    """The video's draft with its segments in order, or None when it has none."""
    head = conn.execute("SELECT model, language FROM transcript_drafts WHERE video_id = ?",
                        (video_id,)).fetchone()
    if head is None:
        return None
    rows = conn.execute("SELECT start_s, end_s, text, words FROM transcript_draft_segments"
                        " WHERE video_id = ? ORDER BY segment_index", (video_id,))
    return Draft(head["model"], head["language"],
                 [Segment(r["start_s"], r["end_s"], r["text"], [Word(*w) for w in json.loads(r["words"])])
                  for r in rows])


def discard_draft(conn: Connection, video_id: int) -> None:
    """Forget the video's draft (its segments go with it)."""
    with transaction(conn):
        conn.execute("DELETE FROM transcript_drafts WHERE video_id = ?", (video_id,))
