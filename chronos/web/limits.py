"""Request rate limits per signed-in user and per address; the webhook has its own flood limit."""
from __future__ import annotations

import math

from flask import Flask, current_app, g, jsonify, request

from chronos.ratelimit import RateLimiter



def install(app: Flask) -> None:
    """Create the limiters from settings and check them before every request (after sign-in)."""
    s = app.extensions["chronos"].settings
    per_min = {"user": s.rate_per_user_per_min, "address": s.rate_per_address_per_min,
               "upload": s.rate_uploads_per_min, "question": s.rate_questions_per_min,
               "webhook": s.rate_webhooks_per_min}
    app.extensions["rate_limiters"] = {k: RateLimiter(n, 60) for k, n in per_min.items() if n > 0}
    app.before_request(_check)


def _keys() -> list[tuple[str, str]]:
    """The (limiter, key) pairs this request counts against."""
    address = str(request.remote_addr)
    if request.endpoint == "whop.webhook":  # exempt from user limits; its own flood limit
        return [("webhook", address)]
    identity = getattr(g, "identity", None)
    user = None
    if identity is not None and identity.role == "owner":
        user = f"owner:{identity.creator_id}"
    elif identity is not None and identity.student is not None:
        user = f"student:{identity.student.id}"
    keys = [("address", address)]
    if user:
        keys.append(("user", user))
    if request.method == "POST" and request.endpoint == "api_videos.upload":
        keys.append(("upload", user or address))
    if request.method == "POST" and request.endpoint in ("chat.ask", "chat.edit"):
        keys.append(("question", user or address))
    return keys


def _check():
    if request.endpoint == "static":
        return None
    limiters: dict[str, RateLimiter] = current_app.extensions["rate_limiters"]
    keys = [(limiters[kind], key) for kind, key in _keys() if kind in limiters]
    wait = max((limiter.retry_after(key) for limiter, key in keys), default=0.0)
    if wait > 0:
        seconds = max(1, math.ceil(wait))
        message = f"Too many requests. Try again in {seconds} second{'s' if seconds != 1 else ''}."
        body = jsonify(error=message, status=429) if request.path.startswith(("/api/", "/webhooks/")) \
            else message
        return body, 429, {"Retry-After": str(seconds)}
    for limiter, key in keys:
        limiter.hit(key)
    return None
