"""The transcript editor's API: edit a line, undo, list edits, find and replace (owner only)."""
from __future__ import annotations

from flask import Blueprint, jsonify, request

from chronos.operations import transcripts as transcript_ops
from chronos.web import services
from chronos.web.errors import error
from chronos.web.identity import api_owner_required, who

bp = Blueprint("transcripts", __name__)


def _body() -> dict | None:
    body = request.get_json(silent=True)
    return body if isinstance(body, dict) else None


@bp.patch("/api/videos/<int:video_id>/segments/<int:index>")
@api_owner_required
def edit(video_id: int, index: int):
    """{"text": "..."}: the line's new text; answers the segment, its edit and the index state."""
    body = _body()
    if body is None or "text" not in body:
        return error('Send JSON like {"text": "The corrected line."}.', 400)
    return jsonify(transcript_ops.edit_segment(services(), who().creator_id, video_id, index, body["text"]))


@bp.post("/api/videos/<int:video_id>/segments/<int:index>/undo")
@api_owner_required
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
def replace():
    """{"find", "replace", "video_ids"?, "dry_run"?}: whole words, any case; answers every line."""
    body = _body()
    if body is None or "find" not in body or "replace" not in body:
        return error('Send JSON like {"find": "M&M on", "replace": "Amazon", "dry_run": true}.', 400)
    return jsonify(transcript_ops.replace(services(), who().creator_id, body["find"], body["replace"],
                                          body.get("video_ids"), body.get("dry_run", False)))
