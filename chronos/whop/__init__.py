"""Whop client: Sign in with Whop, iframe user tokens, the REST API and webhooks (no Flask here).

Every Whop host is a setting (`base_url`), so tests point the real code at a loopback fake.
"""
from __future__ import annotations

import http.client
import json
import urllib.error
import urllib.parse
import urllib.request
from typing import Any

from chronos.turns import outside_turn

DEFAULT_BASE_URL = "https://api.whop.com"
USER_AGENT = "Chronos (self-hosted video tutor)"
# Membership statuses that keep a student's access. past_due stays valid: Whop retries the
# payment for a while and sends membership.deactivated when access actually ends. canceling is
# an active membership set to cancel at period end.
VALID_STATUSES = frozenset({"trialing", "active", "past_due", "canceling"})
_STATUS_HINTS = {
    401: "Whop rejected the credentials; check the Whop keys in your settings.",
    403: "The Whop key lacks a permission this needs; check the app's permissions on Whop.",
    404: "Whop doesn't know that id; check the ids in your settings.",
    429: "Whop is rate-limiting requests; try again in a minute.",
}


class WhopError(Exception):
    """A Whop call failed; the message says what to do, `.status` is the HTTP status (None if unreachable)."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


def request_json(method: str, url: str, *, json_body: dict | None = None, bearer: str | None = None,
                 timeout_s: float = 10.0, action: str = "the request") -> Any:
    """Send one request to Whop and return its JSON reply, raising WhopError on any failure."""
    headers = {"accept": "application/json", "user-agent": USER_AGENT}
    data = None
    if json_body is not None:
        data = json.dumps(json_body).encode()
        headers["content-type"] = "application/json"
    if bearer:
        headers["authorization"] = f"Bearer {bearer}"
    request = urllib.request.Request(url, data=data, headers=headers, method=method)
    host = urllib.parse.urlsplit(url).netloc
    try:
        with outside_turn(), urllib.request.urlopen(request, timeout=timeout_s) as response:
            raw = response.read()  # a request's turn (chronos/turns.py) is not held meanwhile
    except urllib.error.HTTPError as err:
        detail = _error_detail(err.read())
        hint = _STATUS_HINTS.get(err.code) or ("Whop is having trouble; try again shortly."
                                               if err.code >= 500 else "")
        message = f"Whop refused {action} (HTTP {err.code}{': ' + detail if detail else ''})."
        raise WhopError(f"{message} {hint}".strip(), err.code) from None
    except (urllib.error.URLError, OSError, http.client.HTTPException) as err:
        reason = getattr(err, "reason", err)
        if isinstance(reason, TimeoutError):
            raise WhopError(f"Whop at {host} didn't answer {action} within {timeout_s:g} s; "
                            "try again shortly.") from None
        raise WhopError(f"Couldn't reach Whop at {host} for {action} ({reason}); check the "
                        "internet connection and the Whop base URL setting.") from None
    try:
        return json.loads(raw)
    except ValueError:
        raise WhopError(f"Whop sent a reply to {action} that isn't JSON; check the Whop base "
                        "URL setting.") from None


def _error_detail(raw: bytes) -> str:
    """Whop's own words from an error body: OAuth's error/error_description or v1's error.message."""
    try:
        body = json.loads(raw)
    except ValueError:
        return raw.decode(errors="replace").strip()[:200]
    if not isinstance(body, dict):
        return ""
    error = body.get("error")
    if isinstance(error, dict):
        return str(error.get("message") or error.get("type") or "")
    parts = [str(p) for p in (error, body.get("error_description") or body.get("message")) if p]
    return ": ".join(parts)
