"""Whop on the web: Sign in with Whop, the iframe entry points, the webhook endpoint and its log."""
from __future__ import annotations

import logging

from flask import (Blueprint, abort, current_app, jsonify, redirect, render_template, request, session,
                   url_for)

from chronos.models import whop_records
from chronos.models.states import Role
from chronos.ratelimit import RateLimiter
from chronos.web import services
from chronos.web.auth import sign_in
from chronos.web.identity import api_owner_required, member_required, owner_required, who
from chronos.web.redirects import local_path
from chronos.web.schemas import accepts
from chronos.whop.oauth import WhopError, exchange_code, start_authorization, userinfo
from chronos.web.errors import error

log = logging.getLogger(__name__)
bp = Blueprint("whop", __name__)


def _whop():
    sv = services()
    if sv.whop is None:
        abort(404, "Whop is not set up on this Chronos.")
    return sv.whop


def _redirect_uri() -> str:
    base = (services().settings.public_url or request.host_url).rstrip("/")
    return base + url_for("whop.callback")


@bp.get("/auth/whop/start")
def start():
    """Send the student to Whop to sign in (OAuth 2.1 with PKCE, state and nonce)."""
    whop = _whop()
    if not services().settings.whop_enabled:
        abort(404, "Sign in with Whop needs WHOP_CLIENT_ID and WHOP_CLIENT_SECRET.")
    auth = start_authorization(whop.oauth_config(_redirect_uri()))
    session["whop_oauth"] = {"state": auth.state, "nonce": auth.nonce, "verifier": auth.code_verifier,
                             "next": request.args.get("next", "")}
    return redirect(auth.url)


@bp.get("/auth/whop/callback")
def callback():
    """Back from Whop: check state, exchange the code, check access, sign in or explain."""
    whop = _whop()
    pending = session.pop("whop_oauth", None)
    if request.args.get("error"):
        return _problem("Whop sign-in was cancelled or refused: "
                        + request.args.get("error_description", request.args["error"]), 400)
    if not pending or request.args.get("state") != pending["state"]:
        return _problem("This sign-in link is stale or was not started here. Start again.", 400)
    cfg = whop.oauth_config(_redirect_uri())
    try:
        tokens = exchange_code(cfg, request.args.get("code", ""), pending["verifier"],
                               expected_nonce=pending["nonce"])
        user = userinfo(cfg, tokens.access_token)
        with services().db.connection() as conn:
            decision = whop.decide(conn, user)
            if decision.student is not None:
                whop_records.save_tokens(conn, decision.student.id, tokens.access_token,
                                         tokens.refresh_token, tokens.expires_at)
    except WhopError as exc:
        return _problem(f"Whop sign-in failed: {exc}", 502)
    if decision.role == Role.OWNER:
        sign_in(creator_id=decision.creator_id)
    elif decision.role == Role.STUDENT:
        sign_in(student_id=decision.student.id)
    else:
        return render_template("no_access.html", student=decision.student, reason=decision.reason,
                               checkout_url=services().settings.whop_checkout_url), 403
    return redirect(local_path(pending.get("next"), url_for("library.index")))


def _problem(message: str, status: int):
    return render_template("error.html", title="Whop sign-in", message=message), status


@bp.get("/experiences/<experience_id>")
@member_required
def experience(experience_id: str):
    """Whop's student view of the app (inside its iframe)."""
    from chronos.web.library import index

    return index()


@bp.get("/dashboard/<company_id>")
@owner_required
def dashboard(company_id: str):
    """Whop's creator view of the app: the owner's library."""
    expected = services().settings.whop_company_id
    if expected and company_id != expected:
        abort(404, "This Chronos belongs to another Whop company.")
    from chronos.web.library import index

    return index()


@bp.post("/webhooks/whop")
def webhook():
    """Whop's webhooks: verified on the raw body, stored, then applied; answered fast."""
    whop = _whop()
    # Only invalid deliveries count: behind a tunnel every sender is 127.0.0.1, so counting Whop's
    # own deliveries too would let a forger lock them out. Past the limit a delivery is still
    # checked (an HMAC, cheap) and a signed one goes through; the rest are refused unlogged.
    per_min = services().settings.rate_webhooks_per_min
    limiter: RateLimiter | None = current_app.extensions.setdefault(
        "invalid_webhook_limiter", RateLimiter(per_min, 60) if per_min > 0 else None)
    key = str(request.remote_addr)
    raw = request.get_data(cache=False)  # the exact bytes that were signed
    if limiter is not None and limiter.retry_after(key) and not whop.is_signed(request.headers, raw):
        return error("Too many invalid deliveries from this address.", 429)
    with services().db.connection() as conn:
        result = whop.receive_webhook(conn, request.headers, raw)
    if result.status >= 400 and limiter is not None:
        limiter.hit(key)
    return jsonify(result.body), result.status


@bp.get("/webhooks")
@owner_required
def events_page():
    """The owner's log of webhook deliveries, their outcomes, and Replay."""
    with services().db.connection() as conn:
        events = whop_records.list_events(conn)
    return render_template("webhooks.html", events=events, configured=services().whop is not None)


@bp.get("/api/webhooks/events")
@api_owner_required
def list_events():
    with services().db.connection() as conn:
        return jsonify([e.to_json() for e in whop_records.list_events(conn)])


@bp.post("/api/webhooks/events/<int:event_id>/replay")
@api_owner_required
@accepts()
def replay(event_id: int):
    """Apply a stored event again (ordering rules still hold: an old event stays stale)."""
    whop = _whop()
    with services().db.connection() as conn:
        stored = whop_records.get_event(conn, event_id)
        if stored is None:
            return error(f"No event {event_id}.", 404)
        whop.apply(conn, stored)
        return jsonify(whop_records.get_event(conn, event_id).to_json())


__all__ = ["bp", "who"]
