"""Who is asking: the owner, a student, or nobody; and the decorators every route uses to check."""
from __future__ import annotations

import time
from dataclasses import dataclass
from functools import wraps

from flask import g, jsonify, redirect, render_template, request, session, url_for

from chronos.models import activity, creators, people
from chronos.models.states import LiveKind, Role
from chronos.rag.chat import Asker
from chronos.web import services


@dataclass(frozen=True)
class Identity:
    role: Role
    creator_id: int | None = None
    student: people.Student | None = None
    via: str = "session"  # session | token | whop-iframe
    revoked: people.Student | None = None  # a student whose access ended (to say so)
    reason: str = ""

    @property
    def asker(self) -> Asker:
        return Asker(self.creator_id, self.student.id if self.student else None)


ANONYMOUS = Identity(Role.NONE)


def identify() -> Identity | tuple:
    """Work out the caller from a Bearer token, Whop's iframe token or the session cookie (once a
    request: the early upload check asks before the sign-in check does)."""
    if "identified" not in g:
        g.identified = _identify()
    return g.identified


def _identify() -> Identity | tuple:
    header = request.headers.get("Authorization", "")
    sv = services()
    with sv.db.connection() as conn:
        if header.lower().startswith("bearer "):
            creator = creators.creator_for_token(conn, header[7:].strip())
            if creator is None:
                return jsonify(error="The API token is not valid or was revoked.", status=401), 401
            return Identity(Role.OWNER, creator.id, via="token")
        if sv.whop is not None and request.headers.get("x-whop-user-token"):
            d = sv.whop.identify_iframe(conn, request.headers["x-whop-user-token"])
            if d.role == Role.STUDENT and not people.seen_lately(d.student):  # see record_visit
                _note_visit(sv, d.student.id)
            return Identity(d.role, d.creator_id, d.student if d.role == Role.STUDENT else None,
                            via="whop-iframe", revoked=d.student if d.role == Role.NONE else None,
                            reason=d.reason)
        if session.get("creator_id"):
            creator = creators.get_creator(conn, session["creator_id"])
            if creator is None or not _session_current(creator.session_version):
                return _signed_out()
            return Identity(Role.OWNER, creator.id)
        if session.get("student_id"):
            student = people.get_student(conn, session["student_id"])
            if student is None:
                return _signed_out()
            if not _session_current(student.session_version):
                # An invited student revoked since is told so on every visit (the cookie can do
                # nothing else); after a restore, or for any other ended sign-in, sign in again.
                if student.access != "active" and student.source == "invite":
                    return Identity(Role.NONE, student.creator_id, revoked=student)
                return _signed_out()
            if student.source == "whop" and sv.whop is not None:
                student = sv.whop.keep_fresh(conn, student)
                if student is None:  # the Whop sign-in expired for good: sign in again
                    return _signed_out()
            if student.access != "active":
                return Identity(Role.NONE, student.creator_id, revoked=student)
            people.touch_active(sv.writer, student)
            return Identity(Role.STUDENT, student.creator_id, student)
    return ANONYMOUS


SIGN_IN_KEYS = ("creator_id", "student_id", "session_version", "signed_in_at", "seen_at")
SEEN_EVERY_S = 60  # how fresh "seen_at" is kept: rewriting the cookie on every request is waste


def _session_current(version: int) -> bool:
    """Whether the cookie's sign-in still holds: its account's session version (raised by
    sign-out, a password change, a revoke), and neither idle nor absolute lifetime passed."""
    settings, now = services().settings, time.time()
    if session.get("session_version") != version:
        return False
    if now - session.get("signed_in_at", 0) > settings.session_lifetime_s:
        return False
    if now - session.get("seen_at", 0) > settings.session_idle_s:
        return False
    if now - session["seen_at"] > SEEN_EVERY_S:
        session["seen_at"] = now
    return True


def _signed_out() -> Identity:
    """Forget the sign-in the cookie holds (its CSRF token stays, for the sign-in form)."""
    for key in SIGN_IN_KEYS:
        session.pop(key, None)
    return ANONYMOUS


def _note_visit(sv, student_id: int) -> None:
    """Every Whop iframe page load signs the student in: once a minute, note them active (a sign-in
    when they were away) through the writer, and tell the dashboards."""
    creator_id = sv.writer.call(lambda conn: activity.record_visit(conn, student_id))
    activity.announce(sv.bus.publish, creator_id, LiveKind.SIGNIN)


def who() -> Identity:
    return g.get("identity", ANONYMOUS)


def _no_access_page():
    ident = who()
    if ident.revoked is not None or ident.via == "whop-iframe":
        return render_template("no_access.html", student=ident.revoked, reason=ident.reason,
                               checkout_url=services().settings.whop_checkout_url), 403
    return redirect(url_for("auth.login", next=request.full_path))


def owner_required(view):
    """Pages for the owner only; others sign in first (students get a 403)."""
    @wraps(view)
    def wrapped(*args, **kwargs):
        role = who().role
        if role == Role.OWNER:
            return view(*args, **kwargs)
        if role == Role.STUDENT:
            return render_template("error.html", title="For the course owner",
                                   message="This page is for the course owner."), 403
        return _no_access_page()
    return wrapped


def member_required(view):
    """Pages for the owner and students with access."""
    @wraps(view)
    def wrapped(*args, **kwargs):
        if who().role in (Role.OWNER, Role.STUDENT):
            return view(*args, **kwargs)
        return _no_access_page()
    return wrapped


def _api_refusal(owner_only: bool):
    ident = who()
    if ident.role == Role.STUDENT and owner_only:
        return jsonify(error="Only the course owner can do this.", status=403), 403
    if ident.revoked is not None:
        return jsonify(error="Your access to this course has ended.", status=403), 403
    return jsonify(error="Sign in or send an owner API token as 'Authorization: Bearer …'.",
                   status=401), 401


def api_owner_required(view):
    """API for the owner: a signed-in session or an owner Bearer token."""
    @wraps(view)
    def wrapped(*args, **kwargs):
        if who().role == Role.OWNER:
            return view(*args, **kwargs)
        return _api_refusal(owner_only=True)
    wrapped.role = "owner"  # read by the OpenAPI document
    return wrapped


def api_member_required(view):
    """API for the owner and students with access."""
    @wraps(view)
    def wrapped(*args, **kwargs):
        if who().role in (Role.OWNER, Role.STUDENT):
            return view(*args, **kwargs)
        return _api_refusal(owner_only=False)
    wrapped.role = "member"
    return wrapped
