"""The owner's library pages: upload and live status, a video's page, media and downloads."""
from __future__ import annotations

from flask import Blueprint, Response, abort, render_template, send_file

from chronos import tiers
from chronos.config import ACCEPTED_AUDIO, ACCEPTED_VIDEO
from chronos.models import progress, stages, transcripts, videos
from chronos.models.states import Role
from chronos.operations import transcripts as transcript_ops
from chronos.operations.videos import render_transcript
from chronos.pipeline import subtitles
from chronos.web import services
from chronos.web.api_videos import video_json
from chronos.web.downloads import disposition
from chronos.web.identity import member_required, who

bp = Blueprint("library", __name__)


@bp.get("/")
@member_required
def index():
    """The owner's library (drop zone, live status); a student's catalog of lectures."""
    sv = services()
    ident = who()
    if ident.role == Role.STUDENT:
        with sv.db.connection() as conn:
            items = [v for v in videos.list_videos(conn, ident.creator_id) if v.visible_to_students]
        return render_template("catalog.html", videos=items)
    with sv.db.connection() as conn:
        items = [video_json(conn, v) for v in videos.list_videos(conn, ident.creator_id)]
        tier = tiers.creator_tier(conn, sv.settings, ident.creator_id)
    max_bytes, whose = tiers.upload_limit(sv.settings, tier)
    accept = ",".join("." + e for e in (*ACCEPTED_VIDEO, *ACCEPTED_AUDIO))
    return render_template("library.html", videos=items, accept=accept, max_bytes=max_bytes,
                           limit_whose=f"the {tier.label} plan's limit" if whose == "plan" else "this server's limit",
                           publish_new=sv.settings.publish_new_uploads, embedder_notice=sv.embedder_notice,
                           accepted=", ".join((*ACCEPTED_VIDEO, *ACCEPTED_AUDIO)))


def _owned_or_404(conn, video_id: int) -> videos.Video:
    """The video if the caller may see it: the owner sees all, a student published ones."""
    ident = who()
    video = videos.get_video(conn, video_id, creator_id=ident.creator_id)
    if video is None or (ident.role == Role.STUDENT and not video.visible_to_students):
        abort(404, "This video does not exist or was deleted.")
    return video


@bp.get("/videos/<int:video_id>")
@member_required
def video_page(video_id: int):
    """A video: the player, its details, stage timings and the clickable transcript."""
    with services().db.connection() as conn:
        video = _owned_or_404(conn, video_id)
        is_owner = who().role == Role.OWNER
        student = who().student
        mine = progress.video_progress(conn, student.id, [video_id]).get(video_id) if student else None
        return render_template("video.html", video=video, info=video_json(conn, video), is_owner=is_owner,
                               editor=transcript_ops.editor_state(conn, video) if is_owner else None,
                               position_s=mine.position_s if mine else 0,
                               segments=transcripts.load_lines(conn, video_id),
                               stage_runs=stages.list_stages(conn, video_id),
                               timings=stages.latest_timings(conn, video_id))


@bp.get("/videos/<int:video_id>/transcript.<fmt>")
@member_required
def download_transcript(video_id: int, fmt: str):
    """Download the transcript as TXT, SRT, VTT or JSON."""
    if fmt not in subtitles.FORMATS:
        abort(404)
    with services().db.connection() as conn:
        video = _owned_or_404(conn, video_id)
        body = render_transcript(conn, video, fmt)
    name = "".join(c if c.isalnum() or c in " -_" else "_" for c in video.title).strip() or "transcript"
    # The players load the VTT as captions: inline. Others are saved.
    return Response(body, mimetype=subtitles.MIME[fmt],
                    headers={"Content-Disposition": disposition(f"{name}.{fmt}", inline=fmt == "vtt")})


@bp.get("/media/videos/<int:video_id>")
@member_required
def media(video_id: int):
    """The media file, with range requests so the player can seek."""
    sv = services()
    with sv.db.connection() as conn:
        video = _owned_or_404(conn, video_id)
    path = sv.settings.media_dir / video.media_path
    if not path.exists():
        abort(404, "The media file is missing from the data folder.")
    response = send_file(path, conditional=True)
    response.headers["Content-Disposition"] = disposition(video.original_filename, inline=True)
    return response


@bp.get("/media/thumbnails/<int:video_id>")
@member_required
def thumbnail(video_id: int):
    """The video's thumbnail frame."""
    sv = services()
    with sv.db.connection() as conn:
        video = _owned_or_404(conn, video_id)
    if not video.thumbnail_path or not (sv.settings.media_dir / video.thumbnail_path).exists():
        abort(404)
    return send_file(sv.settings.media_dir / video.thumbnail_path, mimetype="image/jpeg")
