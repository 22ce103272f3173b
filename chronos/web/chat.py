"""The chat: its page, the JSON API, and the websocket that streams answers as they are written."""
from __future__ import annotations

import json
from dataclasses import replace
from typing import Literal

from flask import Blueprint, Flask, jsonify, render_template, request
from flask_sock import Sock
from pydantic import ValidationError

from chronos.models import chat as chat_store
from chronos.models import courses, ratings, videos
from chronos.models.states import Role
from chronos.operations import ratings as rating_ops
from chronos.rag.chat import MAX_QUESTION_CHARS, Asker, ChatError, answer_json
from chronos.timefmt import human_bytes
from chronos.web import json_input, limits, services
from chronos.web.errors import error
from chronos.web.identity import api_member_required, member_required, who
from chronos.web.live import same_origin
from chronos.web.schemas import Body, Id, Query, Seconds, Text, accepts, field_errors

bp = Blueprint("chat", __name__)
TITLE_MAX = 120


class QuestionEdit(Body):
    """A question's new wording; its answer is written again."""

    EXAMPLE = {"message": "Where does a river drop its sediment?"}
    # Empty is the chat service's to refuse ("Type a question first.").
    message: Text(MAX_QUESTION_CHARS, multiline=True) = ""
    as_student: bool = False  # the owner only: answer from published videos, as students see it


class Question(QuestionEdit):
    """A question, asked in a chat, beside a video (at a moment of it) or in a course player."""

    EXAMPLE = {"message": "What is the Calvin cycle?", "video_id": 1, "at_s": 42.5}
    session_id: Id | None = None  # continue this chat (default: a new one)
    video_id: Id | None = None
    at_s: Seconds | None = None  # the moment of `video_id` the question is about
    course_id: Id | None = None  # asked in this course's player: its videos are the scope


class SocketMessage(Question):
    """What the chat websocket receives: a question, or an edit of one."""

    type: Literal["ask", "edit"] = "ask"
    message_id: Id | None = None  # for "edit"


class Rename(Body):
    EXAMPLE = {"title": "Photosynthesis questions"}
    title: Text(TITLE_MAX, min_length=1)


class Rating(Body):
    """Thumbs up or down on an answer; a thumbs down may say why."""

    EXAMPLE = {"helpful": False, "reason": "wrong_moment", "comment": "The cited moment is about rivers."}
    helpful: bool
    reason: Literal[tuple(ratings.REASONS)] | None = None
    comment: Text(rating_ops.COMMENT_MAX, multiline=True) | None = None


class SessionSearch(Query):
    q: Text(200) = ""  # searches chat titles and messages


class RecentPlace(Query):
    """Where the recent conversation was had: one of a course player or a video page."""

    course_id: Id | None = None
    video_id: Id | None = None


def _asker(body: QuestionEdit | None = None) -> Asker:
    """The owner's own chats or a student's chats; the owner may ask "as my students see it"
    (`as_student`: published videos only) instead of from every video, drafts included."""
    asker = who().asker
    if body is not None and body.as_student and asker.student_id is None:
        return replace(asker, as_student=True)
    return asker


def _ask_kwargs(body: Question) -> dict:
    """The optional parts of a question."""
    kwargs = {name: getattr(body, name) for name in ("session_id", "video_id", "at_s")
              if getattr(body, name) is not None}
    if "at_s" in kwargs and "video_id" not in kwargs:
        raise ChatError("'at_s' needs the 'video_id' it is a moment of.")
    if body.course_id is not None:
        kwargs.update(_course_scope(body.course_id, kwargs))
    return kwargs


def _course_scope(course_id: int, kwargs: dict) -> dict:
    """Asked in a course player: the course's videos are the scope (a moment still focuses it)."""
    with services().db.connection() as conn:
        video_ids = courses.scope_video_ids(conn, course_id, who().creator_id, student=who().role == Role.STUDENT)
    if video_ids is None:
        raise ChatError("That course does not exist.", 404)
    if "at_s" not in kwargs:
        kwargs.pop("video_id", None)  # without a moment, the question is about the whole course
    return {"video_ids": video_ids, "course_id": course_id}


@bp.get("/chat")
@member_required
def page():
    """The chat page: sessions on the side, the conversation, the question box."""
    return render_template("chat.html", is_owner=who().role == Role.OWNER)


@bp.post("/api/chat")
@api_member_required
@accepts(Question)
def ask(body: Question):
    """Ask and wait for the whole answer: {message, session_id?, video_id?, at_s?, course_id?}."""
    try:
        return jsonify(services().chat.ask_and_wait(_asker(body), body.message, **_ask_kwargs(body)))
    except ChatError as exc:
        return error(str(exc), exc.status)


@bp.get("/api/chat/sessions")
@api_member_required
@accepts(query=SessionSearch)
def sessions(query: SessionSearch):
    """The asker's chats, newest first; ?q= searches titles and messages."""
    asker = _asker()
    with services().db.connection() as conn:
        found = chat_store.list_sessions(conn, asker.creator_id, asker.student_id, query.q)
    return jsonify([s.to_json() for s in found])


def _session_or_404(conn, session_id: int):
    asker = _asker()
    return chat_store.get_session(conn, session_id, asker.creator_id, asker.student_id)


@bp.get("/api/chat/recent")
@api_member_required
@accepts(query=RecentPlace)
def recent(query: RecentPlace):
    """The asker's recent questions and answers in a course player (?course_id=) or beside a
    video (?video_id=), oldest first, and the chat to continue (the latest one's)."""
    course_id, video_id = query.course_id, query.video_id
    if (course_id is None) == (video_id is None):
        return error("Send one of 'course_id' or 'video_id'.", 400)
    asker = _asker()
    with services().db.connection() as conn:
        messages = chat_store.recent_messages(conn, asker.creator_id, asker.student_id,
                                              course_id=course_id, video_id=video_id)
    return jsonify(session_id=messages[-1].session_id if messages else None,
                   messages=[m.to_json() for m in messages])


@bp.get("/api/chat/sessions/<int:session_id>")
@api_member_required
def session(session_id: int):
    """One chat with its messages and citations."""
    with services().db.connection() as conn:
        found = _session_or_404(conn, session_id)
        if found is None:
            return error("That chat does not exist.", 404)
        messages = chat_store.list_messages(conn, session_id)
        thumbs = _thumbnails(conn, messages)
        mine = ratings.ratings_in_session(conn, session_id, who().asker.student_id)
    return jsonify(found.to_json() | {"thumbnails": thumbs, "messages": [
        m.to_json() | {"rating": mine[m.id].to_json() if m.id in mine else None} for m in messages]})


def _thumbnails(conn, messages) -> dict[str, str | None]:
    ids = sorted({c.video_id for m in messages for c in m.citations})
    out = {}
    for video_id in ids:
        v = videos.get_video(conn, video_id)
        out[str(video_id)] = f"/media/thumbnails/{video_id}" if v and v.thumbnail_path else None
    return out


@bp.patch("/api/chat/sessions/<int:session_id>")
@api_member_required
@accepts(Rename)
def rename(session_id: int, body: Rename):
    """Give a chat a new title."""
    title = " ".join(body.title.split())
    with services().db.connection() as conn:
        if _session_or_404(conn, session_id) is None:
            return error("That chat does not exist.", 404)
        chat_store.rename_session(conn, session_id, title)
        return jsonify(_session_or_404(conn, session_id).to_json())


@bp.delete("/api/chat/sessions/<int:session_id>")
@api_member_required
def delete(session_id: int):
    with services().db.connection() as conn:
        if _session_or_404(conn, session_id) is None:
            return error("That chat does not exist.", 404)
        chat_store.delete_session(conn, session_id)
    return jsonify(deleted=session_id)


def _message_in_own_session(conn, message_id: int) -> bool:
    sid = chat_store.message_session(conn, message_id)
    return sid is not None and _session_or_404(conn, sid) is not None


@bp.put("/api/chat/messages/<int:message_id>")
@api_member_required
@accepts(QuestionEdit)
def edit(message_id: int, body: QuestionEdit):
    """Change a question and regenerate its answer (later turns are dropped)."""
    try:
        return jsonify(services().chat.ask_and_wait(_asker(body), body.message, edit_message_id=message_id))
    except ChatError as exc:
        return error(str(exc), exc.status)


@bp.delete("/api/chat/messages/<int:message_id>")
@api_member_required
def delete_message(message_id: int):
    """Delete a question with its answer."""
    with services().db.connection() as conn:
        if not _message_in_own_session(conn, message_id):
            return error("That message does not exist.", 404)
        removed = chat_store.delete_exchange(conn, message_id)
    return jsonify(deleted=message_id, removed=removed)


@bp.post("/api/chat/messages/<int:message_id>/rating")
@api_member_required
@accepts(Rating)
def rate(message_id: int, body: Rating):
    """{"helpful": bool, "reason"?, "comment"?}: the asker's (or the owner's) rating of an answer."""
    asker = who().asker
    rating = rating_ops.rate_answer(services(), asker.creator_id, asker.student_id, message_id,
                                    helpful=body.helpful, reason=body.reason, comment=body.comment)
    return jsonify(rating.to_json())


def register(app: Flask) -> None:
    """The /ws/chat websocket: send {"type": "ask"|"edit", ...}, receive the answer as it streams."""
    app.register_blueprint(bp)
    sock = Sock(app)

    @sock.route("/ws/chat")
    def stream(ws):
        if who().role not in (Role.OWNER, Role.STUDENT) or not same_origin():
            ws.close(reason=1008, message="Sign in first.")
            return
        chat_service = services().chat
        while True:
            message = ws.receive()
            if message is not None and len(message) > json_input.JSON_MAX_BYTES:
                ws.send(json.dumps({"type": "error", "retryable": False, "error":
                                    f"The message is larger than {human_bytes(json_input.JSON_MAX_BYTES)}: ask a shorter question."}))
                continue
            try:
                request_body = SocketMessage.model_validate(json_input.loads(message))
            except (TypeError, ValueError) as exc:  # a ValidationError is a ValueError
                ws.send(json.dumps({"type": "error", "error": _socket_refusal(exc), "retryable": False}))
                continue
            wait = limits.question_wait(who(), str(request.remote_addr))
            if wait:  # counted like POST /api/chat; nothing is asked, the socket stays open
                ws.send(json.dumps({"type": "error", "error": limits.too_many(wait), "retryable": True,
                                    "retry_after": wait}))
                continue
            try:
                asker = _asker(request_body)
                if request_body.type == "edit":
                    events = chat_service.ask(asker, request_body.message,
                                              edit_message_id=request_body.message_id or 0)
                else:
                    events = chat_service.ask(asker, request_body.message, **_ask_kwargs(request_body))
                for event in events:
                    if event["type"] in ("done", "error") and "message" in event:
                        event = event | {"answer": answer_json(event["message"])}
                    ws.send(json.dumps(event))
            except ChatError as exc:
                ws.send(json.dumps({"type": "error", "error": str(exc), "retryable": False}))


def _socket_refusal(exc: Exception) -> str:
    """Why a websocket message was not asked, in the words the API's refusals use."""
    if isinstance(exc, ValidationError):
        name, reason = next(iter(field_errors(exc).items()))
        return f"'{name}' {reason}." if name != "body" else f"The message {reason}."
    return "Send a JSON object, such as " + json.dumps(Question.EXAMPLE) + "."
