"""Signing in and out: first-run setup, owner and student sign-in, invites, and CSRF protection."""
from __future__ import annotations

import hmac
import secrets
import time
from types import SimpleNamespace

from flask import (Blueprint, Flask, abort, current_app, flash, g, jsonify, redirect, render_template,
                   request, session, url_for)

from chronos import tiers
from chronos.models import activity, creators, people
from chronos.models.states import LiveKind, Role
from chronos.operations import sessions
from chronos.ratelimit import RateLimiter
from chronos.web import services
from chronos.web.identity import Identity, identify
from chronos.web.redirects import local_path

bp = Blueprint("auth", __name__)
UNSAFE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
OPEN_ENDPOINTS = {"auth.setup", "auth.login", "auth.join", "static", "whop.webhook"}
# Header-authenticated callers (API tokens, Whop's iframe proxy) carry no cookie to forge.
HEADER_AUTH = {"token", "whop-iframe"}
MIN_PASSWORD = 8


def install(app: Flask) -> None:
    """Identify the caller on every request and enforce CSRF on cookie-authenticated writes."""
    settings = app.extensions["chronos"].settings
    # Per address and name; and per address alone, so one address cannot try names endlessly.
    app.extensions["login_limiters"] = (
        RateLimiter(settings.login_attempts, settings.login_window_s),
        RateLimiter(settings.login_attempts * 4, settings.login_window_s))
    app.before_request(_before)

    @app.context_processor
    def inject():
        ident = g.get("identity")
        return {"csrf_token": csrf_token(), "identity": ident,
                "owner": g.get("creator"), "student": ident.student if ident else None}


def csrf_token() -> str:
    """The session's CSRF token (made on first use)."""
    if "csrf" not in session:
        session["csrf"] = secrets.token_urlsafe(32)
    return session["csrf"]


def _before():
    if request.endpoint == "static":
        return None
    found = identify()
    if not isinstance(found, Identity):
        return found  # an error response (a bad token)
    g.identity = found
    g.creator = SimpleNamespace(id=found.creator_id) if found.role == Role.OWNER else None
    if request.method in UNSAFE_METHODS and found.via not in HEADER_AUTH and request.endpoint not in (
            "whop.webhook",):
        sent = request.headers.get("X-CSRF-Token") or request.form.get("csrf_token", "")
        if not hmac.compare_digest(sent, session.get("csrf", "\0")):
            if request.path.startswith("/api/"):
                return jsonify(error="Missing or stale CSRF token; reload the page.", status=403), 403
            abort(403, "This form expired. Go back, reload the page and try again.")
    if (found.via not in HEADER_AUTH and request.endpoint not in OPEN_ENDPOINTS
            and not request.path.startswith(("/api/", "/ws/", "/webhooks/", "/auth/whop"))):
        with services().db.connection() as conn:
            if creators.get_owner(conn) is None:
                return redirect(url_for("auth.setup"))
    return None


@bp.route("/setup", methods=["GET", "POST"])
def setup():
    """First run: the creator names the owner account and sets its password."""
    with services().db.connection() as conn:
        if creators.get_owner(conn) is not None:
            if request.method == "POST":
                flash("This Chronos is already set up. Sign in with the owner's name.", "error")
            return redirect(url_for("auth.login"))
        error = None
        if request.method == "POST":
            name = request.form.get("name", "").strip()
            password = request.form.get("password", "")
            if not name:
                error = "Enter your name or your school's name."
            elif len(password) < MIN_PASSWORD:
                error = f"Choose a password of at least {MIN_PASSWORD} characters."
            elif password != request.form.get("confirm", ""):
                error = "The two passwords differ. Type the same password twice."
            else:
                try:
                    owner = creators.create_owner(conn, name, password)
                except creators.OwnerExists as exc:  # another request set it up a moment ago
                    flash(str(exc), "error")
                    return redirect(url_for("auth.login"))
                sign_in(creator_id=owner.id)
                flash(f"Welcome, {owner.name}! Drop your first lecture video below.")
                return redirect(url_for("library.index"))
    return render_template("setup.html", error=error,
                           data_dir=services().settings.data_dir), 400 if error else 200


@bp.route("/login", methods=["GET", "POST"])
def login():
    """Sign in the owner (by name) or a student (by username); attempts are rate-limited."""
    error, status = None, 200
    if request.method == "POST":
        name = request.form.get("name", "").strip()
        by_name, by_ip = current_app.extensions["login_limiters"]
        name_key, ip_key = f"{request.remote_addr}:{name.lower()}", str(request.remote_addr)
        wait = max(by_name.retry_after(name_key), by_ip.retry_after(ip_key))
        if wait:
            minutes = max(1, round(wait / 60))
            error, status = (f"Too many sign-in attempts. Wait {minutes} minute"
                             f"{'s' if minutes != 1 else ''} and try again."), 429
        else:
            password = request.form.get("password", "")
            with services().db.connection() as conn:
                owner = creators.check_owner_password(conn, name, password)
                student = None if owner else people.check_student_password(conn, name, password)
            if owner or student:
                by_name.reset(name_key)
                sign_in(creator_id=owner.id) if owner else sign_in(student_id=student.id)
                return redirect(local_path(request.args.get("next"), url_for("library.index")))
            by_name.hit(name_key)
            by_ip.hit(ip_key)
            error, status = "That name and password don't match. Try again.", 401
    return render_template("login.html", error=error, owner_name=_owner_name(),
                           whop_enabled=services().settings.whop_enabled), status


@bp.route("/join/<token>", methods=["GET", "POST"])
def join(token: str):
    """A student accepts an invite: chooses a name, a username and a password."""
    error = None
    with services().db.connection() as conn:
        invite = people.invite_for_token(conn, token)
        problem = "This invite link is not valid. Check you copied all of it." if invite is None else invite.problem()
        if problem:
            return render_template("error.html", title="Invite not usable", message=problem), 410
        if request.method == "POST":
            form = request.form
            name, username = form.get("name", "").strip(), form.get("username", "").strip()
            password = form.get("password", "")
            if not name or not username:
                error = "Enter your name and choose a username."
            elif len(password) < MIN_PASSWORD:
                error = f"Choose a password of at least {MIN_PASSWORD} characters."
            elif password != form.get("confirm", ""):
                error = "The two passwords differ. Type the same password twice."
            else:
                try:
                    limit = tiers.creator_tier(conn, services().settings, invite.creator_id).active_students
                    student = people.join_with_invite(conn, token, name=name, username=username,
                                                      password=password, student_limit=limit)
                except people.PeopleError as exc:
                    error = str(exc)
                else:
                    sign_in(student_id=student.id)
                    flash(f"Welcome, {student.name}!")
                    return redirect(url_for("library.index"))
    return render_template("join.html", error=error), 400 if error else 200


@bp.post("/logout")
def logout():
    """Sign out: this session and every other session of the account (a copied cookie too)."""
    # identify() has already dropped a stale sign-in: what is left is this account's, current.
    if session.get("creator_id") or session.get("student_id"):
        sessions.sign_out_everywhere(services(), creator_id=session.get("creator_id"),
                                     student_id=session.get("student_id"))
    session.clear()
    return redirect(url_for("auth.login"))


def sign_in(*, creator_id: int | None = None, student_id: int | None = None) -> None:
    """Make this session the account's: its session version, when it began, when last seen."""
    session.clear()  # a fresh session on sign-in defeats session fixation
    with services().db.connection() as conn:
        if creator_id is not None:
            session["creator_id"] = creator_id
            session["session_version"] = creators.get_creator(conn, creator_id).session_version
        if student_id is not None:
            session["student_id"] = student_id
            session["session_version"] = people.get_student(conn, student_id).session_version
    if student_id is not None:
        _record_sign_in(student_id)
    session["signed_in_at"] = session["seen_at"] = time.time()
    session.permanent = True
    csrf_token()


def _record_sign_in(student_id: int) -> None:
    """Count a student's sign-in and tell their creator's open dashboards."""
    sv = services()
    with sv.db.connection() as conn:
        activity.announce(sv.bus.publish, activity.record_sign_in(conn, student_id), LiveKind.SIGNIN)


def _owner_name() -> str | None:
    """Whom a student who forgot their password asks for a reset link."""
    with services().db.connection() as conn:
        owner = creators.get_owner(conn)
    return owner.name if owner else None
