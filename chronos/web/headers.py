"""The security headers of every response: a Content-Security-Policy, no MIME sniffing, a
referrer policy. (The Server banner is set by chronos/server.py.)"""
from __future__ import annotations

from flask import Flask, request

# Whop shows apps in an iframe on its own domains; nobody else may frame Chronos.
WHOP_FRAME_ANCESTORS = "'self' https://whop.com https://*.whop.com"


def content_security_policy(host: str) -> str:
    """Scripts and styles only from Chronos's own files (no inline script, no style attributes);
    media and images also from blob: and data: URLs; websockets back to this host."""
    return "; ".join((
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' blob: data:",
        "media-src 'self' blob:",
        # 'self' covers ws: and wss: only in CSP Level 3 browsers; older ones need them named.
        f"connect-src 'self' ws://{host} wss://{host}",
        "font-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        f"frame-ancestors {WHOP_FRAME_ANCESTORS}",
    ))


def install(app: Flask) -> None:
    """Add the headers to every response (a view may set its own first)."""

    @app.after_request
    def security_headers(response):
        # request.host passed the Host check (web/hosts.py): a known name and a numeric port.
        response.headers.setdefault("Content-Security-Policy", content_security_policy(request.host))
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        return response
