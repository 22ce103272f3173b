"""The owner's people page and API: students, how they got in, revoke and restore; invites."""
from __future__ import annotations

from typing import Annotated

from flask import Blueprint, jsonify, render_template, request, url_for
from pydantic import Field

from chronos.models import people
from chronos.operations import people as people_ops
from chronos.web import services
from chronos.web.identity import api_owner_required, owner_required, who
from chronos.web.schemas import Body, Text, accepts

bp = Blueprint("people", __name__)


class NewInvite(Body):
    """An invite link: how long it lasts and how many may join with it (absent: no limit)."""

    EXAMPLE = {"expires_in_days": 14, "max_uses": 30, "note": "Spring cohort"}
    expires_in_days: Annotated[int, Field(ge=1, le=365)] | None = None
    max_uses: Annotated[int, Field(ge=1, le=10_000)] | None = None
    note: Text(people_ops.NOTE_MAX) = ""


def public_base() -> str:
    """The address students use (a tunnel URL when set), for links the owner shares."""
    return (services().settings.public_url or request.host_url).rstrip("/")


@bp.get("/people")
@owner_required
def page():
    """Students and invites."""
    with services().db.connection() as conn:
        students = people.list_students(conn, who().creator_id)
        invites = people.list_invites(conn, who().creator_id)
    return render_template("people.html", students=students, invites=invites,
                           whop_enabled=services().whop is not None)


@bp.get("/api/students")
@api_owner_required
def list_students():
    """Every student: how they got access, its state, when they were last active."""
    with services().db.connection() as conn:
        return jsonify([s.to_json() for s in people.list_students(conn, who().creator_id)])


def _set_revoked(student_id: int, revoked: bool):
    return jsonify(people_ops.set_revoked(services(), who().creator_id, student_id, revoked).to_json())


@bp.post("/api/students/<int:student_id>/revoke")
@api_owner_required
@accepts()
def revoke(student_id: int):
    """Take a student's access away (their chats and progress are kept)."""
    return _set_revoked(student_id, True)


@bp.post("/api/students/<int:student_id>/restore")
@api_owner_required
@accepts()
def restore(student_id: int):
    """Give a revoked student their access back (Whop students still need a valid membership)."""
    return _set_revoked(student_id, False)


@bp.get("/api/invites")
@api_owner_required
def list_invites():
    with services().db.connection() as conn:
        return jsonify([i.to_json() for i in people.list_invites(conn, who().creator_id)])


@bp.post("/api/invites")
@api_owner_required
@accepts(NewInvite, form=True)
def create_invite(body: NewInvite):
    """A new invite link: {"expires_in_days"?: 1..365, "max_uses"?: 1..10000, "note"?}."""
    made = people_ops.create_invite(services(), who().creator_id, expires_in_days=body.expires_in_days,
                                    max_uses=body.max_uses, note=body.note)
    link = public_base() + url_for("auth.join", token=made.token)
    return jsonify(made.invite.to_json() | {"url": link}), 201



@bp.delete("/api/invites/<int:invite_id>")
@api_owner_required
def revoke_invite(invite_id: int):
    """Withdraw an invite link (students who joined with it keep their access)."""
    return jsonify(people_ops.revoke_invite(services(), who().creator_id, invite_id).to_json())
