"""Taking in a file: stream it to disk in pieces, check its content, and record a pending video."""
from __future__ import annotations

import os
import uuid
from pathlib import Path
from typing import BinaryIO

from chronos.config import ACCEPTED_AUDIO, ACCEPTED_VIDEO
from chronos.db import Connection
from chronos.models import usage, videos
from chronos.pipeline import media
from chronos.timefmt import human_bytes

CHUNK_BYTES = 1024 * 1024
_EXTENSIONS = {"." + e for e in (*ACCEPTED_VIDEO, *ACCEPTED_AUDIO)}


class UploadError(ValueError):
    """An upload refused for a reason the creator can fix; `status` is the HTTP status to send."""

    def __init__(self, message: str, status: int = 400):
        super().__init__(message)
        self.status = status


def title_from_filename(filename: str) -> str:
    """A readable title: 'volcanoes_101-final.mp4' -> 'Volcanoes 101 final'."""
    stem = " ".join(Path(filename).stem.replace("_", " ").replace("-", " ").split())
    return stem[:1].upper() + stem[1:] if stem else "Untitled video"


def ingest_stream(stream: BinaryIO, filename: str, *, conn: Connection, media_dir: Path,
                  incoming_dir: Path, creator_id: int, max_bytes: int,
                  title: str | None = None, tier=None, declared_bytes: int | None = None,
                  published: bool = False) -> videos.Video:
    """Store an upload and record it as a pending draft (or published); on any refusal nothing is left behind.

    With a tier, its limits are checked before the first byte is stored (holding room for the
    declared size) and again, with the real size, in the transaction that records the video.
    """
    filename = os.path.basename(filename or "").strip() or "upload"
    ext = Path(filename).suffix.lower()
    if ext and ext not in _EXTENSIONS:
        raise UploadError(f"“{filename}” is not a supported type. Upload a video "
                          f"({', '.join(ACCEPTED_VIDEO)}) or audio ({', '.join(ACCEPTED_AUDIO)}) file.",
                          415)
    reservation = None
    if tier is not None:
        try:
            reservation = usage.reserve_upload(conn, creator_id, tier, declared_bytes, filename)
        except usage.QuotaExceeded as exc:
            raise UploadError(str(exc), exc.status) from None
        if tier.max_upload_bytes is not None:
            max_bytes = min(max_bytes, tier.max_upload_bytes)
    incoming_dir.mkdir(parents=True, exist_ok=True)
    part = incoming_dir / f"{uuid.uuid4().hex}.part"
    try:
        size = _copy_limited(stream, part, max_bytes, filename)
        try:
            info = media.probe(part)
        except media.MediaError as exc:
            raise UploadError(f"“{filename}”: {exc}", 422) from exc
        final_rel = Path("videos") / f"{uuid.uuid4().hex}{ext or '.' + info.container.split('/')[0]}"
        (media_dir / final_rel).parent.mkdir(parents=True, exist_ok=True)
        os.replace(part, media_dir / final_rel)
        try:
            video_id = usage.commit_upload(
                conn, reservation, creator_id, tier, title=(title or title_from_filename(filename))[:200],
                original_filename=filename, media_path=str(final_rel), container=info.container,
                size_bytes=size, has_video=info.has_video, duration_s=info.duration_s, published=published)
            reservation = None  # the commit removed it
            return videos.get_video(conn, video_id)
        except usage.QuotaExceeded as exc:
            (media_dir / final_rel).unlink(missing_ok=True)
            raise UploadError(str(exc), exc.status) from None
        except BaseException:
            (media_dir / final_rel).unlink(missing_ok=True)
            raise
    finally:
        part.unlink(missing_ok=True)
        if reservation is not None:
            usage.release_upload(conn, reservation)


def _copy_limited(stream: BinaryIO, dest: Path, max_bytes: int, filename: str) -> int:
    """Copy in 1 MB pieces, stopping as soon as the size limit is passed."""
    size = 0
    with dest.open("wb") as out:
        while True:
            piece = stream.read(CHUNK_BYTES)
            if not piece:
                break
            size += len(piece)
            if size > max_bytes:
                raise UploadError(f"“{filename}” is larger than the {human_bytes(max_bytes)} upload "
                                  "limit. Compress it or split it into parts.", 413)
            out.write(piece)
    if size == 0:
        raise UploadError(f"“{filename}” is empty (0 bytes). Check the export finished and try again.", 422)
    return size


def ingest_path(path: Path, **kwargs) -> videos.Video:
    """Ingest a file already on this computer (the CLI)."""
    with Path(path).open("rb") as fh:
        return ingest_stream(fh, Path(path).name, **kwargs)


def delete_video_files(video: videos.Video, media_dir: Path) -> None:
    """Remove a video's media and thumbnail from disk."""
    (media_dir / video.media_path).unlink(missing_ok=True)
    if video.thumbnail_path:
        (media_dir / video.thumbnail_path).unlink(missing_ok=True)


__all__ = ["UploadError", "ingest_stream", "ingest_path", "delete_video_files"]
