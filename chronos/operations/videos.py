"""Video operations: add a file, edit its details, delete, retry, re-process, and the transcript downloads."""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

from chronos import languages, tiers
from chronos.db import Connection, Database, transaction
from chronos.models import chunks as chunk_store
from chronos.models import transcript_drafts as drafts
from chronos.models import transcripts, usage, videos
from chronos.models.states import VideoStatus
from chronos.operations import OperationError
from chronos.pipeline import subtitles
from chronos.pipeline.ingest import UploadError, delete_video_files, ingest_stream
from chronos.pipeline.processor import publish_video

if TYPE_CHECKING:
    from chronos.services import Services

TITLE_MAX = 200
DESCRIPTION_MAX = 5000
# A settled video may be run again from transcription (a better model, a fixed file, new hints).
REPROCESSABLE = (VideoStatus.COMPLETED, VideoStatus.FAILED)


@dataclass(frozen=True)
class Upload:
    """One file to add: its bytes, its name, and its size when known before reading it."""
    stream: BinaryIO
    filename: str
    declared_bytes: int | None = None


@dataclass(frozen=True)
class Refusal:
    """A file that was not added, and why."""
    filename: str
    error: str
    status: int


@dataclass(frozen=True)
class UploadResult:
    """The videos added by one upload, and the files refused."""
    created: list[videos.Video] = field(default_factory=list)
    refused: list[Refusal] = field(default_factory=list)


def require_video(conn: Connection, video_id: int, creator_id: int | None = None) -> videos.Video:
    """The video (the creator's, when given), or OperationError 404."""
    video = videos.get_video(conn, video_id, creator_id=creator_id)
    if video is None:
        raise OperationError(f"No video {video_id}.", 404)
    return video


def upload(sv: Services, creator_id: int, files: list[Upload], *, title: str | None = None,
           publish: bool | None = None) -> UploadResult:
    """Store each file as a pending video and queue it; a refused file does not stop the others.

    New videos are drafts unless `publish` (default: the publish_new_uploads setting) says otherwise.
    """
    result = UploadResult()
    published = sv.settings.publish_new_uploads if publish is None else bool(publish)
    with sv.db.connection() as conn:
        tier = tiers.creator_tier(conn, sv.settings, creator_id)
        for item in files:
            try:
                video = ingest_stream(
                    item.stream, item.filename, conn=conn, media_dir=sv.settings.media_dir,
                    incoming_dir=sv.settings.upload_tmp_dir, creator_id=creator_id,
                    max_bytes=sv.settings.max_upload_bytes, title=title if len(files) == 1 else None,
                    tier=tier, declared_bytes=item.declared_bytes, published=published)
            except UploadError as exc:
                result.refused.append(Refusal(item.filename, str(exc), exc.status))
                continue
            _queue(sv, conn, video.id)
            result.created.append(video)
    return result


def add_file(sv: Services, creator_id: int, path: Path, *, title: str | None = None,
             publish: bool | None = None) -> videos.Video:
    """Add a file already on this computer (the CLI); OperationError if it is refused."""
    path = Path(path)
    if not path.is_file():
        raise OperationError(f"{path}: no such file.", 404)
    with path.open("rb") as fh:
        found = upload(sv, creator_id, [Upload(fh, path.name, path.stat().st_size)], title=title,
                       publish=publish)
    if found.refused:
        raise OperationError(found.refused[0].error, found.refused[0].status)
    return found.created[0]


def process_here(sv: Services, video_id: int) -> videos.Video:
    """Process a video in this thread until it completes or fails (the CLI, without a scheduler)."""
    sv.runner.process_until_done(video_id)
    with sv.db.connection() as conn:
        return require_video(conn, video_id)


def update(sv: Services, creator_id: int, video_id: int, *, title: str | None = None,
           description: str | None = None, published: bool | None = None) -> videos.Video:
    """Change any of a video's title, description and visibility (draft or published)."""
    if title is not None:
        title = " ".join(title.split())
        if not title:
            raise OperationError("A title cannot be empty.", 400)
        title = title[:TITLE_MAX]
    if description is not None:
        description = description.strip()[:DESCRIPTION_MAX]
    with sv.db.connection() as conn:
        require_video(conn, video_id, creator_id)
        videos.update_video(conn, video_id, title=title, description=description, published=published)
        publish_video(conn, video_id, sv.bus.publish)
        return require_video(conn, video_id, creator_id)


def set_language(sv: Services, creator_id: int, video_id: int, language: str | None) -> videos.Video:
    """Fix the language a video is spoken in (None: detect it). A video already transcribed in
    another language is transcribed again in this one (students keep the old one meanwhile)."""
    if language is not None and language not in languages.CHOICES:
        raise OperationError(f"'language' must be one of {', '.join(languages.CHOICES)}, or null to detect it.", 400)
    with sv.db.connection() as conn:
        video = require_video(conn, video_id, creator_id)
        videos.set_spoken_language(conn, video_id, language)
        if language is not None and video.language not in (None, language) and video.status in REPROCESSABLE:
            return reprocess(sv, creator_id, video_id)
        publish_video(conn, video_id, sv.bus.publish)
        return require_video(conn, video_id, creator_id)


def delete(sv: Services, creator_id: int, video_id: int) -> None:
    """Delete a video with its file, thumbnail, transcript, chunks, vectors and index rows."""
    with sv.db.connection() as conn:
        video = require_video(conn, video_id, creator_id)
        sv.runner.cancel(video_id)
        with transaction(conn):  # deleted before it ever completed: its upload is given back
            usage.refund_upload(conn, video_id)
            videos.delete_video(conn, video_id)
    # Files after the rows: a crash between the two leaves an orphan file, never a row without its file.
    delete_video_files(video, sv.settings.media_dir)
    sv.bus.publish({"type": "video_deleted", "video_id": video_id,
                    "video": {"id": video_id, "creator_id": creator_id}})


def retry(sv: Services, creator_id: int, video_id: int) -> videos.Video:
    """Queue a failed video again, with a fresh attempt budget (its transcription resumes from
    whatever the failed attempts had saved)."""
    with sv.db.connection() as conn:
        video = require_video(conn, video_id, creator_id)
        if video.status != VideoStatus.FAILED:
            raise OperationError(f"Video {video_id} is {video.status}; only failed videos can be retried.", 409)
        _recharge(sv, conn, creator_id, video_id)
        videos.requeue(conn, video_id)
        _queue(sv, conn, video_id)
        return require_video(conn, video_id, creator_id)


def reprocess(sv: Services, creator_id: int, video_id: int) -> videos.Video:
    """Run a completed or failed video again from transcription, from the start: what a failed
    transcription had saved is dropped (a retry resumes from it instead).

    A video students could already see stays visible meanwhile (its old transcript and chunks
    answer until the new ones replace them): see models/visibility.py.
    """
    with sv.db.connection() as conn:
        video = require_video(conn, video_id, creator_id)
        if video.status not in REPROCESSABLE:
            raise OperationError(f"Video {video_id} is still being processed ({video.status}); "
                                 "wait until it completes or fails.", 409)
        _recharge(sv, conn, creator_id, video_id)
        with transaction(conn):
            videos.requeue(conn, video_id)
            drafts.discard_draft(conn, video_id)
        _queue(sv, conn, video_id)
        return require_video(conn, video_id, creator_id)


def _recharge(sv: Services, conn: Connection, creator_id: int, video_id: int) -> None:
    """A video whose upload was given back (it failed) takes one again to be tried again."""
    try:
        usage.recharge_upload(conn, video_id, tiers.creator_tier(conn, sv.settings, creator_id))
    except usage.QuotaExceeded as exc:
        raise OperationError(str(exc), exc.status) from None


def _queue(sv: Services, conn: Connection, video_id: int) -> None:
    """Hand the video to the background queue (when one runs here) and tell live pages."""
    if sv.runner.scheduler is not None:
        sv.runner.enqueue(video_id)
    publish_video(conn, video_id, sv.bus.publish)


def check_format(fmt: str) -> str:
    """A transcript download format, or OperationError naming the ones there are."""
    if fmt not in subtitles.FORMATS:
        raise OperationError(f"Unknown format {fmt!r}; use one of {', '.join(subtitles.FORMATS)}.", 400)
    return fmt


def transcript(db: Database, video_id: int, fmt: str, *, creator_id: int | None = None) -> str:
    """A video's transcript as json, txt, srt or vtt (the creator's video, when creator_id is given)."""
    check_format(fmt)
    with db.connection() as conn:
        return render_transcript(conn, require_video(conn, video_id, creator_id), fmt)


def render_transcript(conn: Connection, video: videos.Video, fmt: str) -> str:
    """A video's transcript in one of the download formats."""
    if check_format(fmt) == "json":  # the one format with each word's time
        segments = transcripts.load_segments(conn, video.id)
        return json.dumps(subtitles.to_json(video.id, video.language, segments,
                                            chunk_store.chunks_for_video(conn, video.id)))
    segments = transcripts.load_lines(conn, video.id)
    return {"txt": subtitles.to_txt, "srt": subtitles.to_srt, "vtt": subtitles.to_vtt}[fmt](segments)
