"""The owner's account: first-run setup, sign-in, API tokens, and CSRF protection."""
from __future__ import annotations

import hmac
import secrets
from functools import wraps

from flask import (Blueprint, Flask, abort, flash, g, jsonify, redirect, render_template, request,
                   session, url_for)

from chronos.models import creators
from chronos.web import services

bp = Blueprint("auth", __name__)
UNSAFE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
OPEN_ENDPOINTS = {"auth.setup", "auth.login", "static"}
MIN_PASSWORD = 8


def install(app: Flask) -> None:
    """Identify the caller on every request and enforce CSRF on cookie-authenticated writes."""
    app.before_request(_identify)
    app.after_request(_security_headers)

    @app.context_processor
    def inject():
        return {"csrf_token": csrf_token(), "owner": g.get("creator")}


def csrf_token() -> str:
    """The session's CSRF token (made on first use)."""
    if "csrf" not in session:
        session["csrf"] = secrets.token_urlsafe(32)
    return session["csrf"]


def _identify():
    g.creator, g.via_token = None, False
    header = request.headers.get("Authorization", "")
    with services().db.connection() as conn:
        if header.lower().startswith("bearer "):
            g.creator = creators.creator_for_token(conn, header[7:].strip())
            g.via_token = g.creator is not None
            if g.creator is None:
                return jsonify(error="The API token is not valid or was revoked.", status=401), 401
        elif session.get("creator_id"):
            g.creator = creators.get_creator(conn, session["creator_id"])
        needs_setup = creators.get_owner(conn) is None
    if request.method in UNSAFE_METHODS and not g.via_token:
        sent = request.headers.get("X-CSRF-Token") or request.form.get("csrf_token", "")
        if not hmac.compare_digest(sent, session.get("csrf", "\0")):
            if request.path.startswith("/api/"):
                return jsonify(error="Missing or stale CSRF token; reload the page.", status=403), 403
            abort(403, "This form expired. Go back, reload the page and try again.")
    if (needs_setup and not g.via_token and request.endpoint not in OPEN_ENDPOINTS
            and not request.path.startswith(("/api/", "/ws/"))):
        return redirect(url_for("auth.setup"))
    return None


def _security_headers(response):
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    response.headers.setdefault("Content-Security-Policy", "frame-ancestors 'self'")
    return response


def owner_required(view):
    """Pages: sign in first."""
    @wraps(view)
    def wrapped(*args, **kwargs):
        if g.get("creator") is None:
            return redirect(url_for("auth.login", next=request.full_path))
        return view(*args, **kwargs)
    return wrapped


def api_owner_required(view):
    """API: a signed-in session or an owner Bearer token."""
    @wraps(view)
    def wrapped(*args, **kwargs):
        if g.get("creator") is None:
            return jsonify(error="Sign in or send an owner API token as 'Authorization: Bearer …'.",
                           status=401), 401
        return view(*args, **kwargs)
    return wrapped


@bp.route("/setup", methods=["GET", "POST"])
def setup():
    """First run: the creator names the owner account and sets its password."""
    with services().db.connection() as conn:
        if creators.get_owner(conn) is not None:
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
                owner = creators.create_owner(conn, name, password)
                _sign_in(owner.id)
                flash(f"Welcome, {owner.name}! Drop your first lecture video below.")
                return redirect(url_for("library.index"))
    return render_template("setup.html", error=error,
                           data_dir=services().settings.data_dir), 400 if error else 200


@bp.route("/login", methods=["GET", "POST"])
def login():
    """Sign the owner in."""
    error = None
    if request.method == "POST":
        with services().db.connection() as conn:
            owner = creators.check_owner_password(conn, request.form.get("name", ""),
                                                  request.form.get("password", ""))
        if owner:
            _sign_in(owner.id)
            target = request.args.get("next", "")
            # Only local paths: never bounce a signed-in owner to another site.
            if not target.startswith("/") or target.startswith("//"):
                target = url_for("library.index")
            return redirect(target)
        error = "That name and password don't match. Try again."
    return render_template("login.html", error=error), 401 if error else 200


@bp.post("/logout")
def logout():
    """Sign out."""
    session.clear()
    return redirect(url_for("auth.login"))


def _sign_in(creator_id: int) -> None:
    session.clear()  # a fresh session on sign-in defeats session fixation
    session["creator_id"] = creator_id
    session.permanent = True
    csrf_token()
