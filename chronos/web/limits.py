"""Request rate limits checked before the view: per user and per address (the webhook counts only
its invalid deliveries, in its view), with uploads and questions also counted on their own limiters."""
from __future__ import annotations

import math

from flask import Flask, current_app, g, jsonify, request

from chronos.models.states import Role
from chronos.ratelimit import RateLimiter
from chronos.web.identity import Identity

UPLOAD_ENDPOINT = "api_videos.upload"
QUESTION_ENDPOINTS = ("chat.ask", "chat.edit")


def install(app: Flask) -> None:
    """Create the limiters from settings and check them before every request (after sign-in)."""
    s = app.extensions["chronos"].settings
    per_min = {"user": s.rate_per_user_per_min, "address": s.rate_per_address_per_min,
               "upload": s.rate_uploads_per_min, "question": s.rate_questions_per_min}
    app.extensions["rate_limiters"] = {k: RateLimiter(n, 60) for k, n in per_min.items() if n > 0}
    app.before_request(_check)


def too_many(seconds: int) -> str:
    """The refusal a rate limit gives."""
    return f"Too many requests. Try again in {seconds} second{'s' if seconds != 1 else ''}."


def _user_key(identity: Identity | None) -> str | None:
    if identity is not None and identity.role == Role.OWNER:
        return f"owner:{identity.creator_id}"
    if identity is not None and identity.student is not None:
        return f"student:{identity.student.id}"
    return None


def _keys() -> list[tuple[str, str]]:
    """The (limiter, key) pairs this request counts against."""
    address = str(request.remote_addr)
    if request.endpoint == "whop.webhook":  # Whop's deliveries are never refused for their number
        return []
    method, endpoint = request.method, request.endpoint
    return _caller_keys(getattr(g, "identity", None), address,
                        upload=method == "POST" and endpoint == UPLOAD_ENDPOINT,
                        question=method in ("POST", "PUT") and endpoint in QUESTION_ENDPOINTS)


def _caller_keys(identity: Identity | None, address: str, *, upload: bool = False,
                 question: bool = False) -> list[tuple[str, str]]:
    """The address and user keys, plus the upload or question key (per user, else per address)."""
    user = _user_key(identity)
    keys = [("address", address)] + ([("user", user)] if user else [])
    if upload:
        keys.append(("upload", user or address))
    if question:
        keys.append(("question", user or address))
    return keys


def _take(keys: list[tuple[str, str]]) -> int:
    """Count one event against every key, or none when any is over: seconds to wait (0: counted)."""
    limiters: dict[str, RateLimiter] = current_app.extensions["rate_limiters"]
    pairs = [(limiters[kind], key) for kind, key in keys if kind in limiters]
    wait = max((limiter.retry_after(key) for limiter, key in pairs), default=0.0)
    if wait > 0:
        return max(1, math.ceil(wait))
    for limiter, key in pairs:
        limiter.hit(key)
    return 0


def question_wait(identity: Identity, address: str) -> int:
    """Count a question asked over the websocket as POST /api/chat is counted; seconds to wait."""
    return _take(_caller_keys(identity, address, question=True))


def _check():
    if request.endpoint == "static":
        return None
    seconds = _take(_keys())
    if seconds:
        message = too_many(seconds)
        body = jsonify(error=message, status=429) if request.path.startswith(("/api/", "/webhooks/")) \
            else message
        return body, 429, {"Retry-After": str(seconds)}
    return None
