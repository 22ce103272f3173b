"""Whop's iframe sign-in: verify the `x-whop-user-token` JWT its proxy adds to every request."""
from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import jwt
from jwt import PyJWK, PyJWKSet

from chronos.whop import WhopError, request_json

USER_TOKEN_HEADER = "x-whop-user-token"
TOKEN_ISSUER = "urn:whopcom:exp-proxy"
TOKEN_ALGORITHM = "ES256"


class UserTokenError(ValueError):
    """The user token can't be trusted; the message says why."""


@dataclass(frozen=True)
class UserToken:
    """Who Whop's proxy says is making this request."""
    user_id: str
    app_id: str
    expires_at: float


class JWKSCache:
    """Whop's public keys: kept `ttl_s`, refetched for an unknown kid at most once per cooldown."""

    def __init__(self, jwks_url: str, *, ttl_s: float = 12 * 3600, cooldown_s: float = 30,
                 fetch: Callable[[str], Any] | None = None, timeout_s: float = 10.0,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.jwks_url = jwks_url
        self._ttl_s = ttl_s
        self._cooldown_s = cooldown_s
        self._fetch = fetch or (lambda url: request_json("GET", url, timeout_s=timeout_s,
                                                         action="the key set request"))
        self._clock = clock
        self._lock = threading.Lock()  # one fetch at a time; other threads wait for its result
        self._keys: list[PyJWK] = []
        self._fetched_at: float | None = None
        self._attempted_at: float | None = None
        self._last_error = ""

    def keys(self, *, refresh: bool = False) -> list[PyJWK]:
        """The current keys; `refresh` asks for a refetch, which the cooldown may decline."""
        with self._lock:
            now = self._clock()
            stale = self._fetched_at is None or now - self._fetched_at > self._ttl_s
            cooled = self._attempted_at is None or now - self._attempted_at >= self._cooldown_s
            if (stale or refresh) and cooled:
                self._refetch_locked(now)
            if not self._keys:
                raise WhopError(f"Couldn't load Whop's signing keys from {self.jwks_url}: "
                                f"{self._last_error}")
            return list(self._keys)

    def key(self, kid: str) -> PyJWK | None:
        """The key with this kid, refetching once (cooldown permitting) if it isn't known yet."""
        for refresh in (False, True):
            found = [k for k in self.keys(refresh=refresh) if k.key_id == kid]
            if found:
                return found[0]
        return None

    def _refetch_locked(self, now: float) -> None:
        self._attempted_at = now
        try:
            self._keys = PyJWKSet.from_dict(self._fetch(self.jwks_url)).keys
        except (WhopError, jwt.PyJWTError, TypeError, AttributeError, KeyError) as err:
            self._last_error = str(err)  # keep serving the keys we have, if any
            return
        self._fetched_at = now


def token_from_headers(headers: Mapping[str, str]) -> str | None:
    """The `x-whop-user-token` header's value (any capitalisation), or None."""
    for name, value in headers.items():
        if name.lower() == USER_TOKEN_HEADER:
            return value.strip() or None
    return None


def verify_user_token(token: str, *, app_id: str, jwks: JWKSCache, leeway_s: float = 30) -> UserToken:
    """Check a Whop iframe token (ES256, Whop's issuer, our app, unexpired) and say whose it is."""
    try:
        header = jwt.get_unverified_header(token)
    except jwt.PyJWTError as err:
        raise UserTokenError(f"malformed token: {err}") from None
    if header.get("alg") != TOKEN_ALGORITHM:
        raise UserTokenError(f"algorithm {header.get('alg')!r} is not allowed (only ES256)")
    kid = header.get("kid")
    if kid:
        key = jwks.key(str(kid))
        if key is None:
            raise UserTokenError(f"unknown key {kid!r}: not in Whop's published key set")
        claims = _decode(token, [key], app_id=app_id, leeway_s=leeway_s)
    else:
        # Tokens minted before Whop added kids: try every key, then once more after a refetch.
        try:
            claims = _decode(token, jwks.keys(), app_id=app_id, leeway_s=leeway_s)
        except UserTokenError as err:
            if not str(err).startswith("bad signature"):
                raise
            claims = _decode(token, jwks.keys(refresh=True), app_id=app_id, leeway_s=leeway_s)
    return UserToken(user_id=claims["sub"], app_id=claims["aud"], expires_at=float(claims["exp"]))


def _decode(token: str, keys: Sequence[PyJWK], *, app_id: str, leeway_s: float) -> dict[str, Any]:
    """The token's claims, verified against the first of `keys` whose signature matches."""
    for key in keys:
        try:
            claims = jwt.decode(token, key.key, algorithms=[TOKEN_ALGORITHM], issuer=TOKEN_ISSUER,
                                audience=app_id, leeway=leeway_s,
                                options={"require": ["exp", "iss", "aud", "sub"]})
        except (jwt.InvalidSignatureError, jwt.InvalidKeyError):
            continue  # PyJWT checks the signature before any claim, so other errors mean a good key
        except jwt.ExpiredSignatureError:
            raise UserTokenError("expired token") from None
        except jwt.InvalidAudienceError:
            raise UserTokenError(f"wrong audience: the token is not for app {app_id!r}") from None
        except jwt.InvalidIssuerError:
            raise UserTokenError(f"wrong issuer: expected {TOKEN_ISSUER!r}") from None
        except jwt.MissingRequiredClaimError as err:
            raise UserTokenError(f"malformed token: {err}") from None
        except jwt.PyJWTError as err:
            raise UserTokenError(f"malformed token: {err}") from None
        if not isinstance(claims["aud"], str):
            raise UserTokenError("wrong audience: Whop tokens name exactly one app")
        return claims
    raise UserTokenError("bad signature: no published Whop key signed this token")
