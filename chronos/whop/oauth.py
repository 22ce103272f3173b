"""Sign in with Whop: OAuth 2.1 authorization code + PKCE, with OpenID Connect's id_token and userinfo."""
from __future__ import annotations

import base64
import hashlib
import secrets
import time
import urllib.parse
from dataclasses import dataclass
from typing import Any

import jwt

from chronos.whop import DEFAULT_BASE_URL, WhopError, request_json
from chronos.whop.user_tokens import JWKSCache

__all__ = ["AuthRequest", "Tokens", "WhopError", "WhopOAuthConfig", "WhopUser", "exchange_code",
           "refresh", "start_authorization", "userinfo"]
ID_TOKEN_ALGORITHMS = ["ES256", "RS256"]  # asymmetric only: never none or HS*
LEEWAY_S = 60


@dataclass(frozen=True)
class WhopOAuthConfig:
    """The app's OAuth client as registered on Whop."""
    client_id: str
    client_secret: str
    redirect_uri: str
    base_url: str = DEFAULT_BASE_URL
    company_id: str = ""
    scope: str = "openid profile email"
    timeout_s: float = 10.0

    def endpoint(self, path: str) -> str:
        return self.base_url.rstrip("/") + path


@dataclass(frozen=True)
class AuthRequest:
    """Where to send the browser, and what to keep in the session until Whop sends it back."""
    url: str
    state: str
    nonce: str
    code_verifier: str


@dataclass(frozen=True)
class Tokens:
    """A Whop sign-in's tokens; `expires_at` is when the access token lapses (unix seconds)."""
    access_token: str
    refresh_token: str
    id_token: str | None
    expires_at: float


@dataclass(frozen=True)
class WhopUser:
    """The signed-in Whop user, from the userinfo endpoint."""
    id: str
    username: str | None
    name: str | None
    email: str | None
    picture: str | None


def start_authorization(cfg: WhopOAuthConfig) -> AuthRequest:
    """A fresh state, nonce and PKCE pair, and the authorize URL that carries them."""
    state, nonce = secrets.token_urlsafe(24), secrets.token_urlsafe(24)
    verifier = secrets.token_urlsafe(48)  # 64 characters of [A-Za-z0-9_-], within PKCE's 43-128
    params = {"response_type": "code", "client_id": cfg.client_id, "redirect_uri": cfg.redirect_uri,
              "scope": cfg.scope, "state": state, "nonce": nonce,
              "code_challenge": pkce_challenge(verifier), "code_challenge_method": "S256"}
    if cfg.company_id:
        params["company_id"] = cfg.company_id
    url = cfg.endpoint("/oauth/authorize") + "?" + urllib.parse.urlencode(params)
    return AuthRequest(url=url, state=state, nonce=nonce, code_verifier=verifier)


def pkce_challenge(verifier: str) -> str:
    """The S256 code challenge: unpadded base64url of the verifier's SHA-256."""
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def exchange_code(cfg: WhopOAuthConfig, code: str, code_verifier: str, *,
                  expected_nonce: str | None = None, jwks: JWKSCache | None = None) -> Tokens:
    """Trade the code Whop sent back for tokens, checking the id_token's nonce when given one."""
    body = {"grant_type": "authorization_code", "code": code, "redirect_uri": cfg.redirect_uri,
            "client_id": cfg.client_id, "client_secret": cfg.client_secret,
            "code_verifier": code_verifier}
    tokens = _token_request(cfg, body, "the sign-in code")
    if expected_nonce is not None:
        if not tokens.id_token:
            raise WhopError("Whop sent no id_token to check the sign-in against; make sure the "
                            "scope includes openid.")
        claims = id_token_claims(cfg, tokens.id_token, jwks=jwks)
        if not secrets.compare_digest(str(claims.get("nonce", "")), expected_nonce):
            raise WhopError("The sign-in reply doesn't match this browser's sign-in (nonce "
                            "mismatch); start the sign-in again.")
    return tokens


def id_token_claims(cfg: WhopOAuthConfig, id_token: str, *, jwks: JWKSCache | None = None) -> dict[str, Any]:
    """The id_token's claims, after checking audience, expiry and, given `jwks`, its signature.

    Without `jwks` the signature is not checked: OIDC Core 3.1.3.7 lets a client that received
    the id_token straight from the token endpoint over TLS, as here, rely on TLS instead.
    """
    options: dict[str, Any] = {"require": ["exp", "aud", "sub"]}
    try:
        if jwks is None:
            return jwt.decode(id_token, options={**options, "verify_signature": False,
                                                 "verify_exp": True, "verify_aud": True},
                              audience=cfg.client_id, leeway=LEEWAY_S)
        header = jwt.get_unverified_header(id_token)
        kid = header.get("kid")
        keys = [jwks.key(kid)] if kid else jwks.keys()
        for key in filter(None, keys):
            try:
                return jwt.decode(id_token, key.key, algorithms=ID_TOKEN_ALGORITHMS, options=options,
                                  audience=cfg.client_id, leeway=LEEWAY_S)
            except (jwt.InvalidSignatureError, jwt.InvalidKeyError, jwt.InvalidAlgorithmError):
                continue
        raise jwt.InvalidSignatureError("no key in Whop's key set signed it")
    except jwt.PyJWTError as err:
        raise WhopError(f"Whop's id_token didn't check out ({err}); start the sign-in again.") from None


def refresh(cfg: WhopOAuthConfig, refresh_token: str) -> Tokens:
    """New tokens from a refresh token; Whop rotates it, so store the returned one and drop the old."""
    body = {"grant_type": "refresh_token", "refresh_token": refresh_token,
            "client_id": cfg.client_id, "client_secret": cfg.client_secret}
    if cfg.company_id:
        body["company_id"] = cfg.company_id  # Whop wants the same company_id as the first grant
    return _token_request(cfg, body, "the refresh token")


def userinfo(cfg: WhopOAuthConfig, access_token: str) -> WhopUser:
    """Who the access token belongs to."""
    info = request_json("GET", cfg.endpoint("/oauth/userinfo"), bearer=access_token,
                        timeout_s=cfg.timeout_s, action="the user-info request")
    if not isinstance(info, dict) or not info.get("sub"):
        raise WhopError("Whop's user info has no user id (sub); try signing in again.")
    return WhopUser(id=str(info["sub"]), username=info.get("preferred_username"),
                    name=info.get("name"), email=info.get("email"), picture=info.get("picture"))


def _token_request(cfg: WhopOAuthConfig, body: dict[str, str], what: str) -> Tokens:
    """POST the token endpoint and read its reply."""
    sent_at = time.time()
    try:
        reply = request_json("POST", cfg.endpoint("/oauth/token"), json_body=body,
                             timeout_s=cfg.timeout_s, action=what)
    except WhopError as err:
        if err.status == 400:  # invalid_grant and friends: the code or refresh token is spent
            raise WhopError(f"{err} Start the sign-in again.", err.status) from None
        raise
    if not isinstance(reply, dict) or not reply.get("access_token"):
        raise WhopError(f"Whop's answer to {what} has no access token; start the sign-in again.")
    return Tokens(access_token=reply["access_token"], refresh_token=reply.get("refresh_token") or "",
                  id_token=reply.get("id_token"),
                  expires_at=sent_at + float(reply.get("expires_in") or 3600))
