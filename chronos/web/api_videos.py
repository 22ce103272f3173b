"""The videos JSON API: upload, list, read, retry, rename, delete, transcripts."""
from __future__ import annotations

import json

from flask import Blueprint, Response, g, jsonify, request

from chronos import tiers
from chronos.models import chunks as chunk_store
from chronos.models import stages, transcripts, videos
from chronos.pipeline import subtitles
from chronos.pipeline.ingest import UploadError, delete_video_files, ingest_stream
from chronos.pipeline.processor import publish_video
from chronos.web import services
from chronos.web.identity import api_owner_required

bp = Blueprint("api_videos", __name__, url_prefix="/api/videos")


def _error(message: str, status: int):
    return jsonify(error=message, status=status), status


def video_json(conn, video: videos.Video) -> dict:
    """A video as the API shows it, with stage timings and links."""
    return {**video.to_json(), "stage_timings": stages.latest_timings(conn, video.id),
            "thumbnail_url": f"/media/thumbnails/{video.id}" if video.thumbnail_path else None,
            "media_url": f"/media/videos/{video.id}"}


@bp.get("")
@api_owner_required
def list_videos():
    """Every video of the owner."""
    with services().db.connection() as conn:
        return jsonify([video_json(conn, v) for v in videos.list_videos(conn, g.creator.id)])


@bp.post("")
@api_owner_required
def upload():
    """Multipart upload of one or more files (field `file`); each is queued for processing."""
    files = request.files.getlist("file")
    if not files:
        return _error("Attach the video as multipart form field 'file'.", 400)
    sv = services()
    created, errors = [], []
    with sv.db.connection() as conn:
        tier = tiers.creator_tier(conn, sv.settings, g.creator.id)
        for fs in files:
            try:
                video = ingest_stream(
                    fs.stream, fs.filename or "upload", conn=conn, media_dir=sv.settings.media_dir,
                    incoming_dir=sv.settings.upload_tmp_dir, creator_id=g.creator.id,
                    max_bytes=sv.settings.max_upload_bytes,
                    title=request.form.get("title") if len(files) == 1 else None,
                    tier=tier,
                    declared_bytes=_declared_size(fs))
            except UploadError as exc:
                errors.append({"filename": fs.filename, "error": str(exc), "status": exc.status})
                continue
            if sv.runner.scheduler is not None:
                sv.runner.enqueue(video.id)
            publish_video(conn, video.id, sv.bus.publish)
            created.append(video_json(conn, video))
    if not created:
        first = errors[0]
        return jsonify(error=first["error"], status=first["status"], errors=errors), first["status"]
    body = created[0] if len(files) == 1 else {"videos": created, "errors": errors}
    return jsonify(body), 201


def _declared_size(fs) -> int | None:
    """The part's size before it is stored in the library, for the quota check up front."""
    if fs.content_length:
        return fs.content_length
    try:  # Werkzeug has spooled the part to a temporary file: its length is exact
        pos = fs.stream.tell()
        size = fs.stream.seek(0, 2) - pos
        fs.stream.seek(pos)
        return size
    except (AttributeError, OSError, ValueError):
        return None


def _owned(conn, video_id: int) -> videos.Video | None:
    return videos.get_video(conn, video_id, creator_id=g.creator.id)


@bp.get("/<int:video_id>")
@api_owner_required
def get_video(video_id: int):
    """One video."""
    with services().db.connection() as conn:
        video = _owned(conn, video_id)
        if video is None:
            return _error(f"No video {video_id}.", 404)
        return jsonify(video_json(conn, video))


@bp.patch("/<int:video_id>")
@api_owner_required
def rename(video_id: int):
    """Change a video's title."""
    title = ((request.get_json(silent=True) or {}).get("title") or "").strip()
    if not title:
        return _error("Send a non-empty 'title'.", 400)
    with services().db.connection() as conn:
        if _owned(conn, video_id) is None:
            return _error(f"No video {video_id}.", 404)
        videos.rename_video(conn, video_id, title[:200])
        publish_video(conn, video_id, services().bus.publish)
        return jsonify(video_json(conn, _owned(conn, video_id)))


@bp.delete("/<int:video_id>")
@api_owner_required
def delete(video_id: int):
    """Delete a video with its file, transcript, chunks, vectors and index rows."""
    sv = services()
    with sv.db.connection() as conn:
        video = _owned(conn, video_id)
        if video is None:
            return _error(f"No video {video_id}.", 404)
        sv.runner.cancel(video_id)
        videos.delete_video(conn, video_id)
        delete_video_files(video, sv.settings.media_dir)
    sv.bus.publish({"type": "video_deleted", "video_id": video_id,
                    "video": {"id": video_id, "creator_id": g.creator.id}})
    return jsonify(deleted=video_id)


@bp.post("/<int:video_id>/retry")
@api_owner_required
def retry(video_id: int):
    """Queue a failed video again from where it stopped."""
    sv = services()
    with sv.db.connection() as conn:
        video = _owned(conn, video_id)
        if video is None:
            return _error(f"No video {video_id}.", 404)
        if video.status != "failed":
            return _error(f"Video {video_id} is {video.status}; only failed videos can be retried.", 409)
        videos.reset_for_retry(conn, video_id)
        if sv.runner.scheduler is not None:
            sv.runner.enqueue(video_id)
        publish_video(conn, video_id, sv.bus.publish)
        return jsonify(video_json(conn, _owned(conn, video_id)))


@bp.get("/<int:video_id>/transcript")
@api_owner_required
def transcript(video_id: int):
    """The transcript as json (default), txt, srt or vtt."""
    fmt = request.args.get("format", "json")
    if fmt not in subtitles.FORMATS:
        return _error(f"Unknown format {fmt!r}; use one of {', '.join(subtitles.FORMATS)}.", 400)
    with services().db.connection() as conn:
        video = _owned(conn, video_id)
        if video is None:
            return _error(f"No video {video_id}.", 404)
        body = render_transcript(conn, video, fmt)
    return Response(body, mimetype=subtitles.MIME[fmt])


def render_transcript(conn, video: videos.Video, fmt: str) -> str:
    """A video's transcript in one of the download formats."""
    segments = transcripts.load_segments(conn, video.id)
    if fmt == "json":
        return json.dumps(subtitles.to_json(video.id, video.language, segments,
                                            chunk_store.chunks_for_video(conn, video.id)))
    return {"txt": subtitles.to_txt, "srt": subtitles.to_srt, "vtt": subtitles.to_vtt}[fmt](segments)
