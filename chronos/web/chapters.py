"""A video's chapters: read by the players and the API, downloaded as WebVTT, edited by the owner
(rename, merge with the next, split at a time, move a start, back to the computed ones)."""
from __future__ import annotations

from typing import Annotated

from flask import Blueprint, Response, jsonify
from pydantic import Field

from chronos.models.states import Role
from chronos.operations import chapters as chapter_ops
from chronos.pipeline import subtitles
from chronos.web import services
from chronos.web.downloads import disposition
from chronos.web.identity import api_member_required, api_owner_required, member_required, who
from chronos.web.schemas import Body, Text, accepts

bp = Blueprint("chapters", __name__)

# A moment of a video, in seconds (two days is longer than any lecture).
Seconds = Annotated[float, Field(ge=0, le=172_800)]


class ChapterEdit(Body):
    """A chapter's new title, or its new start (the boundary with the chapter before), or both."""

    EXAMPLE = {"title": "How magma rises", "start_s": 34.9}
    title: Text(80, min_length=1) | None = None
    start_s: Seconds | None = None


class ChapterSplit(Body):
    """Where the new chapter starts, and optionally its title (else one from its own words)."""

    EXAMPLE = {"at_s": 61.5, "title": "Pollination"}
    at_s: Seconds
    title: Text(80, min_length=1) | None = None


def _ids() -> tuple[int, bool]:
    return who().creator_id, who().role == Role.STUDENT


@bp.get("/api/videos/<int:video_id>/chapters")
@api_member_required
def chapters(video_id: int):
    """The video's chapters: start, end and title of each (students: of a video they may watch)."""
    creator_id, student = _ids()
    return jsonify(chapter_ops.for_viewer(services(), creator_id, video_id, student=student))


@bp.get("/videos/<int:video_id>/chapters.vtt")
@member_required
def chapters_vtt(video_id: int):
    """The chapters as a WebVTT chapters file."""
    creator_id, student = _ids()
    with services().db.connection() as conn:
        video = chapter_ops.visible_video(conn, creator_id, video_id, student=student)
        body = chapter_ops.as_vtt(conn, video)
    name = "".join(c if c.isalnum() or c in " -_" else "_" for c in video.title).strip() or "chapters"
    return Response(body, mimetype=subtitles.MIME["vtt"],
                    headers={"Content-Disposition": disposition(f"{name} chapters.vtt", inline=True)})


@bp.patch("/api/videos/<int:video_id>/chapters/<int:index>")
@api_owner_required
@accepts(ChapterEdit)
def edit(video_id: int, index: int, body: ChapterEdit):
    """Rename chapter `index` and/or move its start; answers every chapter."""
    return jsonify(chapter_ops.update(services(), who().creator_id, video_id, index,
                                      title=body.title, start_s=body.start_s))


@bp.post("/api/videos/<int:video_id>/chapters/<int:index>/merge")
@api_owner_required
@accepts()
def merge(video_id: int, index: int):
    """Join chapter `index` with the next one."""
    return jsonify(chapter_ops.merge(services(), who().creator_id, video_id, index))


@bp.post("/api/videos/<int:video_id>/chapters/split")
@api_owner_required
@accepts(ChapterSplit)
def split(video_id: int, body: ChapterSplit):
    """Start a new chapter at `at_s`."""
    return jsonify(chapter_ops.split(services(), who().creator_id, video_id, body.at_s, body.title))


@bp.post("/api/videos/<int:video_id>/chapters/reset")
@api_owner_required
@accepts()
def reset(video_id: int):
    """Forget the owner's edits and compute the chapters again from the transcript."""
    return jsonify(chapter_ops.reset(services(), who().creator_id, video_id))
