"""The owner's people page and API: students, how they got in, revoke and restore; invites."""
from __future__ import annotations

from flask import Blueprint, jsonify, render_template, request, url_for

from chronos.models import people
from chronos.operations import people as people_ops
from chronos.web import services
from chronos.web.errors import error
from chronos.web.identity import api_owner_required, owner_required, who

bp = Blueprint("people", __name__)


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
def revoke(student_id: int):
    """Take a student's access away (their chats and progress are kept)."""
    return _set_revoked(student_id, True)


@bp.post("/api/students/<int:student_id>/restore")
@api_owner_required
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
def create_invite():
    """A new invite link: {"expires_in_days"?: 1..365, "max_uses"?: 1..10000, "note"?}."""
    body = request.get_json(silent=True) or request.form
    try:
        days, max_uses = _whole(body.get("expires_in_days")), _whole(body.get("max_uses"))
    except ValueError:
        return error("'expires_in_days' and 'max_uses' must be whole numbers.", 400)
    made = people_ops.create_invite(services(), who().creator_id, expires_in_days=days, max_uses=max_uses,
                                    note=str(body.get("note") or ""))
    link = public_base() + url_for("auth.join", token=made.token)
    return jsonify(made.invite.to_json() | {"url": link}), 201


def _whole(value) -> int | None:
    """A whole number from JSON or a form field; empty means none."""
    if value in (None, ""):
        return None
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value)
    raise ValueError(value)


@bp.delete("/api/invites/<int:invite_id>")
@api_owner_required
def revoke_invite(invite_id: int):
    """Withdraw an invite link (students who joined with it keep their access)."""
    return jsonify(people_ops.revoke_invite(services(), who().creator_id, invite_id).to_json())
