"""The transcript editor's API: edit a line, undo, list edits, find and replace (owner only)."""
from __future__ import annotations

from typing import Annotated

from flask import Blueprint, jsonify
from pydantic import Field

from chronos.operations import transcripts as transcript_ops
from chronos.web import services
from chronos.web.identity import api_owner_required, who
from chronos.web.schemas import Body, Id, Text, accepts

bp = Blueprint("transcripts", __name__)


class SegmentEdit(Body):
    """A line's corrected text."""

    EXAMPLE = {"text": "The Amazon carries a fifth of the river water."}
    text: Text(2000, min_length=1)


class ReplaceAll(Body):
    """Find a phrase (whole words, any case) and replace it, in some videos or all."""

    EXAMPLE = {"find": "M&M on", "replace": "Amazon", "dry_run": True}
    find: Text(200, min_length=1)
    replace: Text(200)
    video_ids: Annotated[list[Id], Field(max_length=10_000)] | None = None
    dry_run: bool = False


@bp.patch("/api/videos/<int:video_id>/segments/<int:index>")
@api_owner_required
@accepts(SegmentEdit)
def edit(video_id: int, index: int, body: SegmentEdit):
    """The line's new text; answers the segment, its edit and the index state."""
    return jsonify(transcript_ops.edit_segment(services(), who().creator_id, video_id, index, body.text))


@bp.post("/api/videos/<int:video_id>/segments/<int:index>/undo")
@api_owner_required
@accepts()
def undo(video_id: int, index: int):
    """Take back the line's newest edit."""
    return jsonify(transcript_ops.undo_segment(services(), who().creator_id, video_id, index))


@bp.get("/api/videos/<int:video_id>/edits")
@api_owner_required
def edits(video_id: int):
    """Every edit of the video's transcript, oldest first."""
    return jsonify(edits=transcript_ops.edits(services(), who().creator_id, video_id))


@bp.post("/api/transcripts/replace")
@api_owner_required
@accepts(ReplaceAll)
def replace(body: ReplaceAll):
    """Whole words, any case; answers every line it changed (or would, with `dry_run`)."""
    return jsonify(transcript_ops.replace(services(), who().creator_id, body.find, body.replace,
                                          body.video_ids, body.dry_run))
