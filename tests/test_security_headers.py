"""Issue 20.8: every response carries a real Content-Security-Policy, nosniff and a referrer
policy; the server does not announce Werkzeug and Python; no template needs inline script."""
from __future__ import annotations

import http.client
import re
import threading
from pathlib import Path

import pytest

from chronos.server import make_server

TEMPLATES = Path(__file__).parent.parent / "chronos" / "templates"


@pytest.mark.parametrize("path", ["/login", "/setup", "/api/students", "/static/common.js", "/no-such-page"])
def test_every_response_carries_the_headers(client, path):
    res = client.get(path)
    policy = dict(part.strip().split(" ", 1) for part in res.headers["Content-Security-Policy"].split(";"))
    assert policy["script-src"] == "'self'" and policy["style-src"] == "'self'"
    assert policy["default-src"] == "'self'" and policy["object-src"] == "'none'"
    assert "blob:" in policy["media-src"] and "blob:" in policy["img-src"]
    assert policy["connect-src"] == "'self' ws://localhost wss://localhost"
    assert policy["frame-ancestors"] == "'self' https://whop.com https://*.whop.com"
    assert res.headers["X-Content-Type-Options"] == "nosniff"
    assert res.headers["Referrer-Policy"] == "same-origin"


def test_the_server_does_not_name_werkzeug_or_python(app):
    server = make_server(app, "127.0.0.1", 0, threads=4, timeout_s=5)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
        conn.request("GET", "/login")
        res = conn.getresponse()
        res.read()
        conn.close()
    finally:
        server.shutdown()
        server.server_close()
    assert res.status == 200 and res.getheader("Server") == "Chronos"


@pytest.mark.parametrize("template", sorted(TEMPLATES.glob("*.html")), ids=lambda p: p.name)
def test_no_template_needs_what_the_policy_refuses(template):
    html = template.read_text()
    inline = [tag for tag in re.findall(r"<script\b[^>]*>", html)
              if "src=" not in tag and 'type="application/json"' not in tag]
    assert not inline, inline
    assert not re.findall(r"\son[a-z]+\s*=", html)  # onclick=, onchange=, …
    assert not re.findall(r"\sstyle\s*=", html)
    assert "javascript:" not in html
