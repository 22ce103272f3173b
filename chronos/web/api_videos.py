"""The videos JSON API: upload, list, read, retry, re-process, edit, delete, transcripts."""
from __future__ import annotations

from flask import Blueprint, Response, g, jsonify, request

from typing import Literal

from chronos.models import stages, videos
from chronos.operations import OperationError
from chronos.operations import chapters as chapter_ops
from chronos.operations import videos as video_ops
from chronos.pipeline import subtitles
from chronos.web import services
from chronos.web.errors import error
from chronos.web.identity import api_owner_required
from chronos.web.schemas import Body, LanguageCode, Query, Text, accepts

bp = Blueprint("api_videos", __name__, url_prefix="/api/videos")


def video_json(conn, video: videos.Video) -> dict:
    """A video as the API shows it, with stage timings and links."""
    return {**video.to_json(), "stage_timings": stages.latest_timings(conn, video.id),
            "thumbnail_url": f"/media/thumbnails/{video.id}" if video.thumbnail_path else None,
            "media_url": f"/media/videos/{video.id}"}


def _one(video: videos.Video):
    with services().db.connection() as conn:
        return jsonify(video_json(conn, video))


@bp.get("")
@api_owner_required
def list_videos():
    """Every video of the owner."""
    with services().db.connection() as conn:
        return jsonify([video_json(conn, v) for v in videos.list_videos(conn, g.creator.id)])


class UploadFields(Body):
    """The form fields beside the files of an upload."""

    EXAMPLE = {"title": "Rivers of the Amazon", "publish": "true"}
    title: Text(video_ops.TITLE_MAX) | None = None
    publish: bool | None = None  # absent: the publish_new_uploads setting decides


class VideoChange(Body):
    """Any of a video's title, description and visibility."""

    EXAMPLE = {"title": "Rivers of the Amazon", "published": True}
    title: Text(video_ops.TITLE_MAX, min_length=1) | None = None
    description: Text(video_ops.DESCRIPTION_MAX, multiline=True) | None = None
    published: bool | None = None
    language: LanguageCode | None = None  # the language it is spoken in (re-transcribed); null: detect it


class TranscriptFormat(Query):
    format: Literal[subtitles.FORMATS] = "json"


@bp.post("")
@api_owner_required
@accepts(UploadFields, files=("file",))
def upload(body: UploadFields):
    """Multipart upload of one or more files (field `file`); each is queued for processing."""
    files = request.files.getlist("file")
    if not files:
        return error("Attach the video as multipart form field 'file'.", 400)
    result = video_ops.upload(services(), g.creator.id,
                              [video_ops.Upload(fs.stream, fs.filename or "upload", _declared_size(fs))
                               for fs in files], title=body.title, publish=body.publish)
    refused = [{"filename": r.filename, "error": r.error, "status": r.status} for r in result.refused]
    if not result.created:
        first = refused[0]
        return jsonify(error=first["error"], status=first["status"], errors=refused), first["status"]
    with services().db.connection() as conn:
        created = [video_json(conn, v) for v in result.created]
    body = created[0] if len(files) == 1 else {"videos": created, "errors": refused}
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


@bp.get("/<int:video_id>")
@api_owner_required
def get_video(video_id: int):
    """One video, with its chapters."""
    with services().db.connection() as conn:
        video = video_ops.require_video(conn, video_id, g.creator.id)
        return jsonify({**video_json(conn, video), "chapters": chapter_ops.chapters_json(conn, video)["chapters"]})


@bp.patch("/<int:video_id>")
@api_owner_required
@accepts(VideoChange)
def edit(video_id: int, body: VideoChange):
    """Change any of {title, description, published, language}."""
    given = body.given()
    fields = {name: value for name, value in given.items() if value is not None and name != "language"}
    if "language" in given:
        video = video_ops.set_language(services(), g.creator.id, video_id, given["language"])
        if not fields:
            return _one(video)
    if not fields:
        raise OperationError("Send any of 'title', 'description', 'published' and 'language'.", 400)
    return _one(video_ops.update(services(), g.creator.id, video_id, **fields))


@bp.delete("/<int:video_id>")
@api_owner_required
def delete(video_id: int):
    """Delete a video with its file, transcript, chunks, vectors and index rows."""
    video_ops.delete(services(), g.creator.id, video_id)
    return jsonify(deleted=video_id)


@bp.post("/<int:video_id>/retry")
@api_owner_required
@accepts()
def retry(video_id: int):
    """Queue a failed video again."""
    return _one(video_ops.retry(services(), g.creator.id, video_id))


@bp.post("/<int:video_id>/reprocess")
@api_owner_required
@accepts()
def reprocess(video_id: int):
    """Run a completed or failed video again from transcription (students keep seeing it meanwhile)."""
    return _one(video_ops.reprocess(services(), g.creator.id, video_id))


@bp.get("/<int:video_id>/transcript")
@api_owner_required
@accepts(query=TranscriptFormat)
def transcript(video_id: int, query: TranscriptFormat):
    """The transcript as json (default), txt, srt or vtt."""
    body = video_ops.transcript(services().db, video_id, query.format, creator_id=g.creator.id)
    return Response(body, mimetype=subtitles.MIME[query.format])
