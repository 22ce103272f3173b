"""A fake Whop: OAuth 2.1 + PKCE + OIDC, JWKS, the v1 REST API, and signed webhook deliveries.

    with FakeWhop(redirect_uris=["http://localhost/auth/whop/callback"]) as whop:
        whop.auto_approve = True            # else /oauth/authorize shows an Approve/Deny page
        whop.access[("user_ada", "prod_course")] = "customer"
        token = whop.sign_user_token("user_ada")            # an iframe x-whop-user-token
        body, headers = deliver(membership_event("membership.activated", "mem_1", "user_ada",
                                                 "active", "2026-01-02T03:04:05Z"), SECRET)

It checks requests like Whop does: client credentials, exact redirect_uri, PKCE S256, one-time
codes (a reused code also revokes what it issued), rotating refresh tokens, Bearer API keys.
A reply queued with `script()` answers the next request, whatever its path.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import html
import json
import re
import secrets
import threading
import time
import urllib.parse
from datetime import datetime, timezone
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric import ec
from jwt.algorithms import ECAlgorithm
from standardwebhooks import Webhook

from tests.fakes import Exchange, FakeServer, Recorded, Reply

TOKEN_ISSUER = "urn:whopcom:exp-proxy"
DEFAULT_USER = "user_ada1234"
PKCE_VERIFIER = re.compile(r"[A-Za-z0-9\-._~]{43,128}")


class WhopExchange(Exchange):
    """Exchange plus the two non-JSON replies the authorize page needs."""

    def html(self, status: int, text: str) -> None:
        data = text.encode()
        self._h.send_response(status)
        self._h.send_header("content-type", "text/html; charset=utf-8")
        self._h.send_header("content-length", str(len(data)))
        self._h.end_headers()
        self._h.wfile.write(data)

    def redirect(self, location: str) -> None:
        self._h.send_response(302)
        self._h.send_header("location", location)
        self._h.send_header("content-length", "0")
        self._h.end_headers()


class FakeWhop(FakeServer):
    """Whop's OAuth, JWKS and REST endpoints over test-set users, access levels, memberships and products."""

    def __init__(self, *, client_id: str = "app_fakechronos", client_secret: str = "fake-client-secret",
                 api_key: str = "fake-whop-api-key", company_id: str = "biz_fakecreator",
                 redirect_uris: tuple[str, ...] | list[str] = ()) -> None:
        self.client_id = client_id
        self.app_id = client_id  # Whop's app id is also its OAuth client id (app_…)
        self.client_secret = client_secret
        self.api_key = api_key
        self.company_id = company_id
        self.redirect_uris = set(redirect_uris)  # empty: accept any redirect_uri
        self.users: dict[str, dict[str, str]] = {
            DEFAULT_USER: {"username": "ada", "name": "Ada Lovelace", "email": "ada@example.com"}}
        self.next_user = DEFAULT_USER  # who the consent page signs in
        self.auto_approve = False
        self.access: dict[tuple[str, str], str] = {}  # (user_id, resource_id) -> access level
        self.memberships: list[dict] = []
        self.products: list[dict] = []
        self.max_page_size = 50
        self.access_ttl_s = 3600
        self.keys: dict[str, ec.EllipticCurvePrivateKey] = {"k1": new_key()}  # published
        self.unpublished_key = new_key()
        self._codes: dict[str, dict] = {}
        self._access_tokens: dict[str, dict] = {}
        self._refresh_tokens: dict[str, dict] = {}
        self._pending: dict[str, dict[str, str]] = {}
        self._state = threading.Lock()
        super().__init__()
        self._serve_get()

    def _serve_get(self) -> None:
        """The base fake answers POST only; Whop's sign-in, keys and REST API are GETs."""
        fake, base = self, self._httpd.RequestHandlerClass

        class Handler(base):  # type: ignore[misc, valid-type]
            def do_GET(self) -> None:
                request = Recorded("GET", self.path, {k.lower(): v for k, v in self.headers.items()}, None)
                with fake._lock:
                    fake.requests.append(request)
                try:
                    fake.route(request, WhopExchange(self, fake._closing))
                except (BrokenPipeError, ConnectionResetError):
                    self.close_connection = True

        self._httpd.RequestHandlerClass = Handler

    # ---- test helpers -------------------------------------------------------------------------

    def count(self, path: str, method: str | None = None) -> int:
        """How many requests reached a path (query ignored)."""
        return sum(1 for r in list(self.requests) if urllib.parse.urlsplit(r.path).path == path
                   and method in (None, r.method))

    def add_key(self, kid: str) -> ec.EllipticCurvePrivateKey:
        """Publish another signing key (a key rotation)."""
        self.keys[kid] = new_key()
        return self.keys[kid]

    def sign_user_token(self, user_id: str, app_id: str | None = None, *, exp_in: float = 300,
                        kid: str | None = "k1", key: ec.EllipticCurvePrivateKey | None = None,
                        iss: str = TOKEN_ISSUER, aud: Any = None) -> str:
        """An iframe `x-whop-user-token`: ES256, signed by published key `kid` unless `key` is given."""
        now = int(time.time())
        claims = {"sub": user_id, "aud": aud if aud is not None else (app_id or self.app_id),
                  "iss": iss, "iat": now, "exp": now + int(exp_in)}
        signer = key or self.keys[kid or "k1"]
        return jwt.encode(claims, signer, algorithm="ES256", headers={"kid": kid} if kid else None)

    def add_membership(self, membership_id: str, user_id: str, status: str = "active", **fields: Any) -> dict:
        """Store a membership (v1 shape) for the REST API to list; user details come from `users`."""
        user = {k: v for k, v in self.users.get(user_id, {}).items() if k in ("username", "name", "email")}
        fields = {"company_id": self.company_id, **user, **fields}
        item = membership_data(membership_id, user_id, status, **fields)
        self.memberships.append(item)
        return item

    def set_membership_status(self, membership_id: str, status: str, updated_at: str) -> dict:
        """Change a stored membership (a plan ending, say) as Whop would, with its update time."""
        item = next(i for i in self.memberships if i["id"] == membership_id)
        item.update(status=status, updated_at=updated_at)
        return item

    def add_product(self, product_id: str, title: str, route: str | None = None) -> dict:
        item = {"id": product_id, "title": title, "route": route or product_id.removeprefix("prod_"),
                "company": {"id": self.company_id}, "visibility": "visible",
                "created_at": "2026-01-01T00:00:00Z", "updated_at": "2026-01-01T00:00:00Z"}
        self.products.append(item)
        return item

    def expire_access_tokens(self) -> None:
        """Make every issued access token lapse now (to exercise refresh)."""
        with self._state:
            for info in self._access_tokens.values():
                info["expires_at"] = 0.0

    # ---- routing ------------------------------------------------------------------------------

    def route(self, request: Recorded, ex: Exchange) -> None:
        reply = self.next_reply()
        if reply:
            return reply(request, ex)
        url = urllib.parse.urlsplit(request.path)
        query = urllib.parse.parse_qs(url.query, keep_blank_values=True)
        path, method = url.path, request.method
        if (method, path) == ("GET", "/oauth/authorize") and isinstance(ex, WhopExchange):
            return self._authorize({k: v[0] for k, v in query.items()}, ex)
        if (method, path) == ("GET", "/oauth/authorize/decide") and isinstance(ex, WhopExchange):
            return self._decide({k: v[0] for k, v in query.items()}, ex)
        if (method, path) == ("POST", "/oauth/token"):
            return self._token(request.body, ex)
        if (method, path) == ("GET", "/oauth/userinfo"):
            return self._userinfo(request, ex)
        if (method, path) == ("GET", "/.well-known/jwks.json"):
            return ex.json(200, {"keys": [public_jwk(k, kid) for kid, k in list(self.keys.items())]})
        if method == "GET" and path.startswith("/api/v1/"):
            if request.headers.get("authorization") != f"Bearer {self.api_key}":
                return api_error(401, "unauthorized", "The API key is invalid or missing.")(request, ex)
            return self._api(path.removeprefix("/api/v1"), query, request, ex)
        api_error(404, "not_found", f"No route for {method} {path}")(request, ex)

    def _authorize(self, q: dict[str, str], ex: WhopExchange) -> None:
        redirect_uri = q.get("redirect_uri", "")
        if q.get("client_id") != self.client_id:
            return ex.html(400, "<h1>Unknown app</h1><p>client_id is not a Whop app.</p>")
        if not redirect_uri or (self.redirect_uris and redirect_uri not in self.redirect_uris):
            return ex.html(400, "<h1>Invalid redirect</h1><p>redirect_uri is not registered.</p>")
        scopes = q.get("scope", "").split()
        problem = ("response_type must be code" if q.get("response_type") != "code" else
                   "code_challenge is required" if not q.get("code_challenge") else
                   "code_challenge_method must be S256" if q.get("code_challenge_method") != "S256" else
                   "nonce is required with openid" if "openid" in scopes and not q.get("nonce") else "")
        if problem:
            return ex.redirect(_with_query(redirect_uri, error="invalid_request",
                                           error_description=problem, state=q.get("state")))
        request_id = secrets.token_urlsafe(12)
        with self._state:
            self._pending[request_id] = q
        if self.auto_approve:
            return self._decide({"rid": request_id, "approve": "1"}, ex)
        user = self.users.get(self.next_user, {})
        decide = f"/oauth/authorize/decide?rid={request_id}"
        ex.html(200, f"""<!doctype html><title>Sign in with Whop</title>
<h1>Sign in with Whop</h1>
<p>Signed in as <b>@{html.escape(user.get('username', self.next_user))}</b>.</p>
<p><b>{html.escape(self.client_id)}</b> wants to know who you are ({html.escape(' '.join(scopes))}).</p>
<p><a id="approve" href="{decide}&amp;approve=1">Approve</a>
   <a id="deny" href="{decide}&amp;approve=0">Deny</a></p>""")

    def _decide(self, q: dict[str, str], ex: WhopExchange) -> None:
        with self._state:
            pending = self._pending.pop(q.get("rid", ""), None)
            if pending is None:
                return ex.html(400, "<h1>This sign-in request has expired</h1>")
            redirect_uri, state = pending["redirect_uri"], pending.get("state")
            if q.get("approve") != "1":
                return ex.redirect(_with_query(redirect_uri, error="access_denied", state=state))
            code = "code_" + secrets.token_urlsafe(18)
            self._codes[code] = {**pending, "user": self.next_user, "used": False,
                                 "expires_at": time.time() + 600, "issued": []}
        ex.redirect(_with_query(redirect_uri, code=code, state=state))

    def _token(self, body: Any, ex: Exchange) -> None:
        if not isinstance(body, dict):
            return _oauth(ex, 400, "invalid_request", "Send the token request as a JSON object.")
        if (body.get("client_id"), body.get("client_secret")) != (self.client_id, self.client_secret):
            return _oauth(ex, 401, "invalid_client", "Client authentication failed.")
        with self._state:
            if body.get("grant_type") == "authorization_code":
                grant, problem = self._redeem_code(body)
            elif body.get("grant_type") == "refresh_token":
                grant, problem = self._redeem_refresh(body)
            else:
                return _oauth(ex, 400, "unsupported_grant_type", "Unsupported grant_type.")
            if grant is None:
                return _oauth(ex, 400, "invalid_grant" if "verifier is required" not in problem
                              else "invalid_request", problem)
            reply = self._issue(grant, id_token=body["grant_type"] == "authorization_code")
        ex.json(200, reply, {"cache-control": "no-store"})

    def _redeem_code(self, body: dict) -> tuple[dict | None, str]:
        grant = self._codes.get(str(body.get("code")))
        if grant is None:
            return None, "The authorization code is invalid."
        if grant["used"]:
            for token in grant["issued"]:  # a replayed code revokes everything it issued
                self._access_tokens.pop(token, None)
                self._refresh_tokens.pop(token, None)
            return None, "The authorization code has already been used."
        if grant["expires_at"] < time.time():
            return None, "The authorization code has expired."
        if body.get("redirect_uri") != grant["redirect_uri"]:
            return None, "redirect_uri does not match the authorization request."
        verifier = body.get("code_verifier")
        if not verifier:
            return None, "code_verifier is required."
        if not PKCE_VERIFIER.fullmatch(verifier) or _challenge(verifier) != grant["code_challenge"]:
            return None, "code_verifier does not match the code_challenge."
        grant["used"] = True
        return grant, ""

    def _redeem_refresh(self, body: dict) -> tuple[dict | None, str]:
        token = str(body.get("refresh_token"))
        grant = self._refresh_tokens.get(token)
        if grant is None:
            return None, "The refresh token is invalid, expired or already used."
        if grant.get("company_id") and body.get("company_id") != grant["company_id"]:
            return None, "company_id must match the original authorization."
        del self._refresh_tokens[token]  # rotation: each refresh token works once
        return grant, ""

    def _issue(self, grant: dict, *, id_token: bool) -> dict:
        access, refresh = "wat_" + secrets.token_urlsafe(24), "wrt_" + secrets.token_urlsafe(24)
        self._access_tokens[access] = {"grant": grant, "expires_at": time.time() + self.access_ttl_s}
        self._refresh_tokens[refresh] = grant
        grant["issued"] += [access, refresh]
        reply = {"access_token": access, "refresh_token": refresh, "token_type": "Bearer",
                 "expires_in": self.access_ttl_s, "scope": grant.get("scope", "")}
        if id_token and "openid" in grant.get("scope", "").split():
            now = int(time.time())
            claims = {"iss": self.url, "sub": grant["user"], "aud": self.client_id, "iat": now,
                      "exp": now + self.access_ttl_s, "nonce": grant.get("nonce")}
            reply["id_token"] = jwt.encode(claims, self.keys["k1"], algorithm="ES256",
                                           headers={"kid": "k1"})
        return reply

    def _userinfo(self, request: Recorded, ex: Exchange) -> None:
        token = request.headers.get("authorization", "").removeprefix("Bearer ")
        with self._state:
            info = self._access_tokens.get(token)
        if info is None or info["expires_at"] < time.time():
            return _oauth(ex, 401, "invalid_token", "The access token is invalid or expired.")
        user_id, scopes = info["grant"]["user"], info["grant"].get("scope", "").split()
        user = self.users.get(user_id, {})
        claims: dict[str, Any] = {"sub": user_id}
        if "profile" in scopes:
            claims.update(name=user.get("name"), preferred_username=user.get("username"),
                          picture=user.get("picture", f"https://assets.whop.test/{user_id}.png"))
        if "email" in scopes:
            claims.update(email=user.get("email"), email_verified=True)
        ex.json(200, claims)

    def _api(self, path: str, query: dict[str, list[str]], request: Recorded, ex: Exchange) -> None:
        if m := re.fullmatch(r"/users/([^/]+)/access/([^/]+)", path):
            user_id, resource = urllib.parse.unquote(m[1]), urllib.parse.unquote(m[2])
            level = self.access.get((user_id, resource), "no_access")
            return ex.json(200, {"has_access": level != "no_access", "access_level": level})
        if m := re.fullmatch(r"/memberships/([^/]+)", path):
            found = [item for item in self.memberships if item["id"] == urllib.parse.unquote(m[1])]
            if not found:
                return api_error(404, "not_found", "Membership not found.")(request, ex)
            return ex.json(200, found[0])
        if path not in ("/memberships", "/products"):
            return api_error(404, "not_found", f"No route for GET /api/v1{path}")(request, ex)
        company = (query.get("company_id") or [""])[0]
        if not company:
            return api_error(400, "bad_request", "company_id is required with an API key.")(request, ex)
        items = [i for i in (self.memberships if path == "/memberships" else self.products)
                 if i["company"]["id"] == company]
        for name, pick in (("user_ids", lambda i: i["user"]["id"]),
                           ("product_ids", lambda i: i["product"]["id"]),
                           ("plan_ids", lambda i: i["plan"]["id"]), ("statuses", lambda i: i["status"])):
            wanted = query.get(name + "[]", []) + query.get(name, [])
            if wanted:
                items = [i for i in items if pick(i) in wanted]
        self._page(items, query, request, ex)

    def _page(self, items: list[dict], query: dict[str, list[str]], request: Recorded, ex: Exchange) -> None:
        """Cursor pagination: `first` + `after` in, `data` + `page_info` out."""
        try:
            first = min(int((query.get("first") or ["10"])[0]), self.max_page_size)
            after = (query.get("after") or [""])[0]
            start = int(base64.urlsafe_b64decode(after).decode().removeprefix("i:")) if after else 0
        except ValueError:
            return api_error(400, "bad_request", "Invalid pagination cursor.")(request, ex)
        page = items[start:start + first]
        end = start + len(page)
        cursor = base64.urlsafe_b64encode(f"i:{end}".encode()).decode() if page else None
        ex.json(200, {"data": page, "page_info": {
            "end_cursor": cursor, "start_cursor": after or None,
            "has_next_page": end < len(items), "has_previous_page": start > 0}})


# ---- replies to script ------------------------------------------------------------------------

def api_error(status: int, error_type: str, message: str) -> Reply:
    """A v1 REST error: `{"error": {"type", "message"}}`."""
    return lambda request, ex: ex.json(status, {"error": {"type": error_type, "message": message}})


def stall(seconds: float = 30) -> Reply:
    """Say nothing for a while (for client timeouts)."""
    return lambda request, ex: ex.stall(seconds)


def dropped() -> Reply:
    """Hang up without answering."""
    return lambda request, ex: ex.drop()


# ---- keys, tokens and webhook deliveries ------------------------------------------------------

def new_key() -> ec.EllipticCurvePrivateKey:
    """A fresh P-256 key (Whop signs user tokens with ES256)."""
    return ec.generate_private_key(ec.SECP256R1())


def public_jwk(key: ec.EllipticCurvePrivateKey, kid: str) -> dict:
    """The public half as a JWK, as Whop's jwks.json lists it."""
    jwk = ECAlgorithm.to_jwk(key.public_key(), as_dict=True)
    return {**jwk, "kid": kid, "alg": "ES256", "use": "sig"}


def sign_webhook(secret: str, body: bytes, *, msg_id: str, timestamp: int) -> dict[str, str]:
    """Standard Webhooks headers as Whop sends them, signed by the reference `standardwebhooks` code.

    A `ws_` secret is used as raw bytes (Whop's way), a `whsec_` one base64-decoded (the spec's).
    """
    key = secret if secret.startswith("whsec_") else base64.b64encode(secret.encode()).decode()
    when = datetime.fromtimestamp(timestamp, tz=timezone.utc)
    signature = Webhook(key).sign(msg_id, when, body.decode())
    return {"webhook-id": msg_id, "webhook-timestamp": str(timestamp), "webhook-signature": signature}


def sign_legacy(secret: str, body: bytes, timestamp: int) -> dict[str, str]:
    """The v5 header: `x-whop-signature: t=<ts>,v1=<hex HMAC-SHA256 of "{t}.{body}">`."""
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return {"x-whop-signature": f"t={timestamp},v1={digest}"}


def deliver(event: dict, secret: str, *, timestamp: int | None = None,
            legacy: bool = False) -> tuple[bytes, dict[str, str]]:
    """A ready-to-POST delivery of `event`: its body and signed headers (msg id from the envelope)."""
    body = json.dumps(event).encode()
    timestamp = int(time.time()) if timestamp is None else timestamp
    headers = (sign_legacy(secret, body, timestamp) if legacy else
               sign_webhook(secret, body, msg_id=event.get("id") or _msg_id(), timestamp=timestamp))
    return body, {"content-type": "application/json", **headers}


def membership_data(membership_id: str, user_id: str, status: str, *, product_id: str = "prod_fakecourse",
                    plan_id: str = "plan_fakemonthly", company_id: str = "biz_fakecreator",
                    username: str | None = None, name: str | None = None, email: str | None = None,
                    product_title: str = "The Course", created_at: str = "2026-01-01T00:00:00Z",
                    updated_at: str | None = None, cancel_at_period_end: bool = False,
                    plan_metadata: dict | None = None, product_metadata: dict | None = None) -> dict:
    """A membership in API v1's shape (REST objects and webhook `data` alike)."""
    return {
        "id": membership_id, "status": status, "cancel_at_period_end": cancel_at_period_end,
        "user": {"id": user_id, "username": username or user_id.removeprefix("user_"), "name": name,
                 "email": email},
        "plan": {"id": plan_id, "metadata": plan_metadata or {}},
        "product": {"id": product_id, "title": product_title, "metadata": product_metadata or {}},
        "company": {"id": company_id, "title": "Fake Creator"},
        "member": {"id": "mber_" + user_id.removeprefix("user_")},
        "renewal_period_start": created_at, "renewal_period_end": None,
        "created_at": created_at, "updated_at": updated_at or created_at,
        "manage_url": f"https://whop.com/orders/{membership_id}/manage", "metadata": {}}


def membership_event(type: str, membership_id: str, user_id: str, status: str, event_time: str, *,
                     msg_id: str | None = None, **fields: Any) -> dict:
    """A v1 membership webhook envelope (`membership.activated`, `.deactivated`, ...)."""
    data = membership_data(membership_id, user_id, status, updated_at=event_time, **fields)
    return {"id": msg_id or _msg_id(), "api_version": "v1", "type": type, "timestamp": event_time,
            "company_id": data["company"]["id"], "data": data}


def payment_event(type: str, payment_id: str, membership_id: str, user_id: str, *, usd_total: float,
                  paid_at: str, status: str = "paid", currency: str = "usd",
                  product_id: str = "prod_fakecourse", plan_id: str = "plan_fakemonthly",
                  company_id: str = "biz_fakecreator", msg_id: str | None = None) -> dict:
    """A v1 payment webhook envelope (`payment.succeeded`, `payment.failed`, ...)."""
    data = {"id": payment_id, "status": status, "substatus": "succeeded" if status == "paid" else status,
            "total": usd_total, "subtotal": usd_total, "usd_total": usd_total, "currency": currency,
            "paid_at": paid_at, "billing_reason": "subscription_create",
            "user": {"id": user_id, "username": user_id.removeprefix("user_"), "email": None},
            "membership": {"id": membership_id, "status": "active"}, "plan": {"id": plan_id},
            "product": {"id": product_id, "title": "The Course", "route": "the-course"},
            "company": {"id": company_id, "title": "Fake Creator", "route": "fake-creator"},
            "metadata": {}}
    return {"id": msg_id or _msg_id(), "api_version": "v1", "type": type, "timestamp": paid_at,
            "company_id": company_id, "data": data}


def legacy_membership_event(action: str, membership_id: str, user_id: str, *, valid: bool, status: str,
                            product_id: str = "prod_fakecourse", plan_id: str = "plan_fakemonthly",
                            page_id: str = "biz_fakecreator", created_at: int | None = None,
                            updated_at: int | None = None) -> dict:
    """A legacy v5 body: `action` instead of `type`, flat ids, unix-second times."""
    data: dict[str, Any] = {"id": membership_id, "product_id": product_id, "user_id": user_id,
                            "plan_id": plan_id, "page_id": page_id, "status": status, "valid": valid}
    data.update({k: v for k, v in (("created_at", created_at), ("updated_at", updated_at)) if v})
    return {"action": action, "data": data}


def _msg_id() -> str:
    return "msg_" + secrets.token_hex(12)


def _challenge(verifier: str) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()


def _with_query(url: str, **params: str | None) -> str:
    extra = urllib.parse.urlencode({k: v for k, v in params.items() if v is not None})
    return url + ("&" if urllib.parse.urlsplit(url).query else "?") + extra


def _oauth(ex: Exchange, status: int, error: str, description: str) -> None:
    ex.json(status, {"error": error, "error_description": description})
