"""A video's chapters as students and the creator see them, and the creator's edits: rename, move a
chapter's start, merge with the next, split at a time, and back to the computed chapters.

Chapters are stored when a video is processed (pipeline/chaptering.py); a video of an older
library has them computed on the fly, offline, until the start-up backfill stores them. Every edit
stores the whole set as the creator's, which re-indexing and re-processing then keep as it is.
"""
from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from chronos.db import Connection, transaction
from chronos.models import chapters as chapter_store
from chronos.models import sentences as sentence_store
from chronos.models import transcript_edits as edit_store
from chronos.models import videos
from chronos.models.chapters import Chapter
from chronos.models.states import VideoStatus
from chronos.operations import OperationError
from chronos.operations.videos import require_video
from chronos.pipeline import subtitles
from chronos.pipeline.chaptering import compute_chapters, refresh_chapters
from chronos.pipeline.chapters import clean_title, offline_titles
from chronos.timefmt import clock

if TYPE_CHECKING:
    from chronos.services import Services

MIN_EDIT_S = 5.0  # no chapter the creator makes may be shorter than this


def _end_s(conn: Connection, video: videos.Video) -> float:
    """Where the last chapter ends: the video's duration, else its last sentence's end."""
    return max(video.duration_s or 0.0, chapter_store.spoken_until(conn, video.id))


def _current(conn: Connection, video: videos.Video) -> tuple[list[Chapter], chapter_store.ChapterSet | None]:
    """The video's chapters: stored, else computed now (offline, not stored); [] while they cannot be."""
    stored = chapter_store.get_chapters(conn, video.id)
    if stored is not None:
        return stored.chapters, stored
    if video.status != VideoStatus.COMPLETED:
        return [], None
    return compute_chapters(conn, video) or [], None


def chapters_json(conn: Connection, video: videos.Video) -> dict:
    """What the player and the API show: each chapter's start, end and title, and their state."""
    chapters, stored = _current(conn, video)
    end = _end_s(conn, video)
    return {"video_id": video.id, "state": "ready" if chapters else "pending",
            "edited": bool(stored and stored.edited), "edited_at": stored.edited_at if stored else None,
            "chapters": [{"index": i, "start_s": round(c.start_s, 3),
                          "end_s": round(chapters[i + 1].start_s if i + 1 < len(chapters) else end, 3),
                          "title": c.title, "title_by": c.title_by} for i, c in enumerate(chapters)],
            "vtt_url": f"/videos/{video.id}/chapters.vtt"}


def visible_video(conn: Connection, creator_id: int, video_id: int, *, student: bool) -> videos.Video:
    """The video if the asker may see it (a student: published and available), else 404."""
    video = require_video(conn, video_id, creator_id)
    if student and not video.visible_to_students:
        raise OperationError(f"No video {video_id}.", 404)
    return video


def for_viewer(sv: Services, creator_id: int, video_id: int, *, student: bool) -> dict:
    """The video's chapters for its owner or a student who may watch it."""
    with sv.db.connection() as conn:
        return chapters_json(conn, visible_video(conn, creator_id, video_id, student=student))


def as_vtt(conn: Connection, video: videos.Video) -> str:
    """The chapters as a WebVTT chapters file."""
    shown = chapters_json(conn, video)["chapters"]
    return subtitles.to_vtt_chapters([(c["start_s"], c["end_s"], c["title"]) for c in shown])


# -- the creator's edits ---------------------------------------------------------------------------

def update(sv: Services, creator_id: int, video_id: int, index: int, *, title: str | None = None,
           start_s: float | None = None) -> dict:
    """Rename chapter `index`, move its start (the boundary with the chapter before it), or both."""
    if title is None and start_s is None:
        raise OperationError("Send the chapter's new 'title', its new 'start_s', or both.", 400)
    name = _title(title) if title is not None else None

    def change(conn: Connection, video: videos.Video, chapters: list[Chapter]) -> list[Chapter]:
        i = _at(chapters, index)
        chapter = chapters[i]
        if start_s is not None and start_s != chapter.start_s:
            _check_start(conn, video, chapters, i, start_s)
            chapter = replace(chapter, start_s=start_s)
        if name is not None:
            chapter = replace(chapter, title=name, title_by=chapter_store.CREATOR)
        return _set(chapters, i, chapter)
    return _edit(sv, creator_id, video_id, change)


def _check_start(conn: Connection, video: videos.Video, chapters: list[Chapter], i: int, start_s: float) -> None:
    if i == 0:
        raise OperationError("The first chapter starts with the video; move the start of the next one.", 400)
    low = chapters[i - 1].start_s + MIN_EDIT_S
    high = (chapters[i + 1].start_s if i + 1 < len(chapters) else _end_s(conn, video)) - MIN_EDIT_S
    if not low <= start_s <= high:
        raise OperationError(f"Chapter {i + 1} can start between {clock(low)} and {clock(high)} (each "
                             f"chapter lasts at least {MIN_EDIT_S:g} s); {clock(start_s)} is outside.", 400)


def merge(sv: Services, creator_id: int, video_id: int, index: int) -> dict:
    """Join chapter `index` with the one after it, under the first one's title."""
    def change(conn: Connection, video: videos.Video, chapters: list[Chapter]) -> list[Chapter]:
        i = _at(chapters, index)
        if i + 1 >= len(chapters):
            raise OperationError(f"Chapter {i + 1} is the last one: there is no next chapter to merge it with.", 400)
        return chapters[:i + 1] + chapters[i + 2:]
    return _edit(sv, creator_id, video_id, change)


def split(sv: Services, creator_id: int, video_id: int, at_s: float, title: str | None = None) -> dict:
    """Start a new chapter at `at_s`, inside the chapter playing then; titled `title`, or from its
    own words."""
    name = _title(title) if title is not None else None
    with sv.db.connection() as conn:  # read before the write: the titles stand out from the library
        library = chapter_store.library_documents(conn, creator_id, video_id) if name is None else []

    def change(conn: Connection, video: videos.Video, chapters: list[Chapter]) -> list[Chapter]:
        i = max((j for j, c in enumerate(chapters) if c.start_s <= at_s), default=0)
        stop = chapters[i + 1].start_s if i + 1 < len(chapters) else _end_s(conn, video)
        if not chapters[i].start_s + MIN_EDIT_S <= at_s <= stop - MIN_EDIT_S:
            raise OperationError(f"Split chapter {i + 1} at least {MIN_EDIT_S:g} s from its start "
                                 f"({clock(chapters[i].start_s)}) and its end ({clock(stop)}); "
                                 f"{clock(at_s)} is too close.", 400)
        starts = [c.start_s for c in chapters[:i + 1]] + [at_s] + [c.start_s for c in chapters[i + 1:]]
        new = Chapter(at_s, name or _title_from_words(conn, video.id, starts, i + 1, library),
                      chapter_store.CREATOR if name else chapter_store.OFFLINE)
        return chapters[:i + 1] + [new] + chapters[i + 1:]
    return _edit(sv, creator_id, video_id, change)


def reset(sv: Services, creator_id: int, video_id: int) -> dict:
    """Drop the creator's chapters and compute them again from the transcript."""
    with sv.db.connection() as conn:
        video = _editable(conn, video_id, creator_id)
        chapter_store.forget_chapters(conn, video_id)
        refresh_chapters(conn, video_id, sv.runner.pipeline.titler)
        return chapters_json(conn, video)


def _edit(sv: Services, creator_id: int, video_id: int, change) -> dict:
    """Apply one edit to the current chapters and store them all as the creator's."""
    with sv.db.connection() as conn:
        video = _editable(conn, video_id, creator_id)
        computed, _ = _current(conn, video)  # outside the write: computing reads the whole library
        with transaction(conn):
            stored = chapter_store.get_chapters(conn, video_id)
            chapters = stored.chapters if stored is not None else computed
            if not chapters:
                raise OperationError(f"Video {video_id} has no chapters yet; they are made when its "
                                     "processing completes.", 409)
            chapter_store.store_chapters(conn, video_id, change(conn, video, list(chapters)),
                                         revision=edit_store.index_state(conn, video_id).indexed_revision,
                                         edited=True)
        return chapters_json(conn, video)


def _editable(conn: Connection, video_id: int, creator_id: int) -> videos.Video:
    video = require_video(conn, video_id, creator_id)
    if video.status != VideoStatus.COMPLETED and chapter_store.get_chapters(conn, video_id) is None:
        raise OperationError(f"Video {video_id} has no chapters yet; they are made when its processing "
                             "completes.", 409)
    return video


def _at(chapters: list[Chapter], index: int) -> int:
    if not 0 <= index < len(chapters):
        raise OperationError(f"There is no chapter {index}; this video's chapters are 0 to {len(chapters) - 1}.", 404)
    return index


def _set(chapters: list[Chapter], index: int, chapter: Chapter) -> list[Chapter]:
    return chapters[:index] + [chapter] + chapters[index + 1:]


def _title(title: str) -> str:
    name = clean_title(title)
    if not name:
        raise OperationError("Give the chapter a title, e.g. \"How magma rises\".", 400)
    return name


def _title_from_words(conn: Connection, video_id: int, starts: list[float], i: int,
                      library: list[str]) -> str:
    """Chapter i's most distinctive phrase, against the video's other chapters and the library."""
    spoken = sentence_store.video_sentences(conn, video_id)
    edges = [*starts, float("inf")]
    parts = [[s.text for s in spoken if a <= s.start_s + 0.05 < b] for a, b in zip(edges, edges[1:])]
    return offline_titles(parts, library)[i] if parts[i] else f"Chapter {i + 1}"
