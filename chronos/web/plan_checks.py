"""Before the view, from the creator's plan: the tier kept fresh from Whop's API, and uploads the
tier cannot take refused from their headers, before a byte of the body is read."""
from __future__ import annotations

from flask import Flask, g, request, session

from chronos import tiers
from chronos.models import usage
from chronos.models.states import Role
from chronos.web import services
from chronos.web.identity import Identity, identify
from chronos.web.limits import UPLOAD_ENDPOINT
from chronos.web.errors import error


def install(app: Flask) -> None:
    """Refuse oversized uploads first of all, and read the tier once the caller is known."""
    # First: the sign-in check that runs next reads a form's CSRF field, and reading the form
    # reads the whole body.
    app.before_request_funcs.setdefault(None, []).insert(0, _refuse_upload_early)
    app.before_request(_keep_tier_fresh)


def _keep_tier_fresh():
    """Read the creator's plan from Whop at sign-in, on first use, and when the reading is old."""
    identity = getattr(g, "identity", None)
    if identity is not None and identity.role in (Role.OWNER, Role.STUDENT):
        _fresh_tier(identity)
    return None


def _fresh_tier(identity: Identity) -> None:
    """Bring the tier up to date from Whop if it is due (no-op without Whop's tier settings)."""
    sv = services()
    if sv.whop is None:
        return
    # A session without the mark is a new sign-in: read the plan now, whatever the interval.
    signing_in = identity.role == Role.OWNER and identity.via == "session" and not session.get("tier_read")
    if not sv.whop.tier_read_due(force=signing_in):
        return  # the common case: no connection opened on this request's behalf
    with sv.db.connection() as conn:
        sv.whop.keep_tier_fresh(conn, force=signing_in)
    if signing_in:
        session["tier_read"] = True


def _refuse_upload_early():
    """Answer an upload the tier cannot take from its Content-Length, before a byte of it is read.

    The reservation in ingest stays the atomic check; this only spares reading a body that will
    be refused (a body without Content-Length is stopped by the streaming check as it arrives).
    """
    if request.method != "POST" or request.endpoint != UPLOAD_ENDPOINT:
        return None
    identity = identify()
    if not isinstance(identity, Identity) or identity.role != Role.OWNER:
        return None  # the sign-in check answers everybody else
    _fresh_tier(identity)
    sv = services()
    with sv.db.connection() as conn:
        tier = tiers.creator_tier(conn, sv.settings, identity.creator_id)
        refusal = usage.early_refusal(conn, identity.creator_id, tier, request.content_length,
                                      sv.settings.max_upload_bytes)
    if refusal is None:
        return None
    return error(str(refusal), refusal.status)
