"""The Whop client (chronos.whop) driven against the loopback FakeWhop, plus webhook signatures."""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from datetime import datetime, timezone

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from standardwebhooks import Webhook, WebhookVerificationError

from chronos.whop.api import WhopAPI
from chronos.whop.oauth import (WhopError, WhopOAuthConfig, exchange_code, pkce_challenge, refresh,
                                start_authorization, userinfo)
from chronos.whop.user_tokens import JWKSCache, UserTokenError, token_from_headers, verify_user_token
from chronos.whop.webhooks import (WebhookSignatureError, iso_time, membership_view, parse_event,
                                   payment_view, verify)
from tests.fakes.whop_server import (FakeWhop, api_error, legacy_membership_event, membership_event,
                                     payment_event, sign_legacy, sign_webhook, stall)

CALLBACK = "http://chronos.test/auth/whop/callback"
WS_SECRET = "ws_2f1c0e9d8b7a6f5e4d3c2b1a09f8e7d6c5b4a3928170"
WHSEC = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"


@pytest.fixture
def whop():
    with FakeWhop(redirect_uris=[CALLBACK]) as fake:
        yield fake


@pytest.fixture
def cfg(whop) -> WhopOAuthConfig:
    return WhopOAuthConfig(client_id=whop.client_id, client_secret=whop.client_secret,
                           redirect_uri=CALLBACK, base_url=whop.url)


@pytest.fixture
def jwks(whop) -> JWKSCache:
    return JWKSCache(whop.url + "/.well-known/jwks.json")


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def _get(url: str) -> tuple[int, str, str]:
    """GET without following redirects: status, Location, body."""
    try:
        with urllib.request.build_opener(_NoRedirects).open(url, timeout=5) as response:
            return response.status, "", response.read().decode()
    except urllib.error.HTTPError as err:
        return err.code, err.headers.get("location", ""), err.read().decode()


def _callback(location: str) -> dict[str, str]:
    assert location.startswith(CALLBACK + "?")
    return dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(location).query))


def sign_in(whop: FakeWhop, cfg: WhopOAuthConfig):
    """Walk the authorize redirect with auto-approve; the AuthRequest and the callback's query."""
    whop.auto_approve = True
    auth = start_authorization(cfg)
    status, location, _ = _get(auth.url)
    assert status == 302
    return auth, _callback(location)


# ---- Sign in with Whop --------------------------------------------------------------------------

def test_authorize_url_carries_state_nonce_and_s256_challenge(cfg):
    first, second = start_authorization(cfg), start_authorization(cfg)
    query = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(first.url).query))
    assert first.url.startswith(cfg.base_url + "/oauth/authorize?")
    assert query == {"response_type": "code", "client_id": cfg.client_id, "redirect_uri": CALLBACK,
                     "scope": "openid profile email", "state": first.state, "nonce": first.nonce,
                     "code_challenge": pkce_challenge(first.code_verifier), "code_challenge_method": "S256"}
    assert re.fullmatch(r"[A-Za-z0-9\-._~]{43,128}", first.code_verifier)
    digest = hashlib.sha256(first.code_verifier.encode()).digest()
    assert query["code_challenge"] == base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
    assert len({first.state, second.state, first.nonce, second.nonce}) == 4
    assert first.code_verifier != second.code_verifier
    with_company = WhopOAuthConfig(**{**cfg.__dict__, "company_id": "biz_abc"})
    assert "company_id=biz_abc" in start_authorization(with_company).url


def test_sign_in_through_the_consent_page(whop, cfg, jwks):
    whop.users["user_grace"] = {"username": "grace", "name": "Grace Hopper", "email": "g@example.com"}
    whop.next_user = "user_grace"
    auth = start_authorization(cfg)
    status, _, page = _get(auth.url)
    assert status == 200 and "@grace" in page
    approve = re.search(r'id="approve" href="([^"]+)"', page)[1].replace("&amp;", "&")
    status, location, _ = _get(whop.url + approve)
    callback = _callback(location)
    assert status == 302 and callback["state"] == auth.state
    tokens = exchange_code(cfg, callback["code"], auth.code_verifier, expected_nonce=auth.nonce, jwks=jwks)
    assert tokens.id_token and tokens.refresh_token
    assert time.time() + 3500 < tokens.expires_at <= time.time() + 3600
    sent = [r.body for r in whop.requests if r.path == "/oauth/token"][0]
    assert sent == {"grant_type": "authorization_code", "code": callback["code"], "redirect_uri": CALLBACK,
                    "client_id": cfg.client_id, "client_secret": cfg.client_secret,
                    "code_verifier": auth.code_verifier}
    user = userinfo(cfg, tokens.access_token)
    assert (user.id, user.username, user.name, user.email) == (
        "user_grace", "grace", "Grace Hopper", "g@example.com")
    assert user.picture


def test_denying_consent_returns_access_denied_with_state(whop, cfg):
    auth = start_authorization(cfg)
    _, _, page = _get(auth.url)
    deny = re.search(r'id="deny" href="([^"]+)"', page)[1].replace("&amp;", "&")
    _, location, _ = _get(whop.url + deny)
    assert _callback(location) == {"error": "access_denied", "state": auth.state}


def test_authorize_refuses_an_unregistered_redirect_uri(whop, cfg):
    other = WhopOAuthConfig(**{**cfg.__dict__, "redirect_uri": "http://evil.test/cb"})
    status, location, _ = _get(start_authorization(other).url)
    assert status == 400 and not location


def test_token_endpoint_refuses_a_wrong_pkce_verifier(whop, cfg):
    auth, callback = sign_in(whop, cfg)
    with pytest.raises(WhopError) as err:
        exchange_code(cfg, callback["code"], start_authorization(cfg).code_verifier)
    assert err.value.status == 400
    assert "code_verifier does not match" in str(err.value) and "Start the sign-in again" in str(err.value)
    assert exchange_code(cfg, callback["code"], auth.code_verifier).access_token


def test_a_code_works_once_and_its_replay_revokes_the_tokens(whop, cfg):
    auth, callback = sign_in(whop, cfg)
    tokens = exchange_code(cfg, callback["code"], auth.code_verifier)
    assert userinfo(cfg, tokens.access_token).id == "user_ada1234"
    with pytest.raises(WhopError, match="already been used"):
        exchange_code(cfg, callback["code"], auth.code_verifier)
    with pytest.raises(WhopError) as err:
        userinfo(cfg, tokens.access_token)
    assert err.value.status == 401 and "invalid_token" in str(err.value)


def test_wrong_client_secret_and_redirect_uri_are_refused(whop, cfg):
    auth, callback = sign_in(whop, cfg)
    with pytest.raises(WhopError) as err:
        exchange_code(WhopOAuthConfig(**{**cfg.__dict__, "client_secret": "nope"}), callback["code"],
                      auth.code_verifier)
    assert err.value.status == 401 and "invalid_client" in str(err.value)
    assert "check the Whop keys in your settings" in str(err.value)
    with pytest.raises(WhopError, match="redirect_uri does not match"):
        exchange_code(WhopOAuthConfig(**{**cfg.__dict__, "redirect_uri": CALLBACK + "x"}),
                      callback["code"], auth.code_verifier)


def test_nonce_is_checked_against_the_id_token(whop, cfg, jwks):
    for checker in (None, jwks):
        auth, callback = sign_in(whop, cfg)
        with pytest.raises(WhopError, match="nonce mismatch"):
            exchange_code(cfg, callback["code"], auth.code_verifier, expected_nonce="another-browser",
                          jwks=checker)


def test_id_token_signature_is_checked_when_given_the_key_set(whop, cfg, jwks):
    auth, callback = sign_in(whop, cfg)
    claims = {"sub": "user_ada1234", "aud": cfg.client_id, "nonce": auth.nonce, "iss": whop.url,
              "exp": int(time.time()) + 600}
    forged = jwt.encode(claims, whop.unpublished_key, algorithm="ES256", headers={"kid": "k1"})
    reply = {"access_token": "wat_x", "refresh_token": "wrt_x", "id_token": forged, "expires_in": 3600}
    jwks.keys()  # loaded now, so the scripted replies below answer the token requests
    whop.script(lambda request, ex: ex.json(200, reply))
    with pytest.raises(WhopError, match="id_token didn't check out"):
        exchange_code(cfg, callback["code"], auth.code_verifier, expected_nonce=auth.nonce, jwks=jwks)
    # Without the key set the client relies on TLS to the token endpoint (OIDC Core 3.1.3.7).
    whop.script(lambda request, ex: ex.json(200, reply))
    assert exchange_code(cfg, callback["code"], auth.code_verifier, expected_nonce=auth.nonce).id_token == forged


def test_refresh_tokens_rotate_and_the_old_one_is_refused(whop, cfg):
    auth, callback = sign_in(whop, cfg)
    first = exchange_code(cfg, callback["code"], auth.code_verifier)
    whop.expire_access_tokens()
    with pytest.raises(WhopError) as err:
        userinfo(cfg, first.access_token)
    assert err.value.status == 401
    second = refresh(cfg, first.refresh_token)
    assert second.refresh_token != first.refresh_token and second.access_token != first.access_token
    assert userinfo(cfg, second.access_token).id == "user_ada1234"
    with pytest.raises(WhopError, match="already used") as err:
        refresh(cfg, first.refresh_token)
    assert err.value.status == 400
    assert refresh(cfg, second.refresh_token).access_token


def test_refresh_resends_the_company_id(whop, cfg):
    company_cfg = WhopOAuthConfig(**{**cfg.__dict__, "company_id": "biz_fakecreator"})
    auth, callback = sign_in(whop, company_cfg)
    tokens = exchange_code(company_cfg, callback["code"], auth.code_verifier)
    with pytest.raises(WhopError, match="company_id must match"):
        refresh(cfg, tokens.refresh_token)
    assert refresh(company_cfg, tokens.refresh_token).access_token
    assert [r.body.get("company_id") for r in whop.requests if r.path == "/oauth/token"][-1] == "biz_fakecreator"


def test_whop_errors_say_what_to_do(whop, cfg):
    unreachable = WhopOAuthConfig(**{**cfg.__dict__, "base_url": "http://127.0.0.1:9"})
    with pytest.raises(WhopError, match="Couldn't reach Whop at 127.0.0.1:9") as err:
        userinfo(unreachable, "token")
    assert err.value.status is None
    whop.script(stall(5))
    with pytest.raises(WhopError, match="didn't answer the user-info request within 0.2 s"):
        userinfo(WhopOAuthConfig(**{**cfg.__dict__, "timeout_s": 0.2}), "token")
    whop.script(lambda request, ex: ex.json(503, {"error": {"type": "unavailable", "message": "Down"}}))
    with pytest.raises(WhopError, match=r"HTTP 503: Down\)\. Whop is having trouble") as err:
        userinfo(cfg, "token")
    assert err.value.status == 503


# ---- iframe user tokens -------------------------------------------------------------------------

def test_a_valid_user_token_names_the_user(whop, jwks):
    token = whop.sign_user_token("user_ada1234")
    assert token_from_headers({"X-Whop-User-Token": token}) == token
    assert token_from_headers({"Accept": "text/html"}) is None
    verified = verify_user_token(token, app_id=whop.app_id, jwks=jwks)
    assert (verified.user_id, verified.app_id) == ("user_ada1234", whop.app_id)
    assert verified.expires_at > time.time()


@pytest.mark.parametrize("kwargs, reason", [
    ({"exp_in": -120}, "expired"),
    ({"app_id": "app_someoneelse"}, "wrong audience"),
    ({"aud": ["app_fakechronos", "app_other"]}, "wrong audience"),
    ({"iss": "urn:whopcom:somewhere-else"}, "wrong issuer"),
    ({"key": "unpublished"}, "bad signature"),
    ({"key": "unpublished", "kid": "k-rogue"}, "unknown key"),
    ({"key": "unpublished", "kid": None}, "bad signature"),
])
def test_untrustworthy_user_tokens_are_refused_with_the_reason(whop, jwks, kwargs, reason):
    if kwargs.get("key") == "unpublished":
        kwargs = {**kwargs, "key": whop.unpublished_key}
    token = whop.sign_user_token("user_ada1234", **kwargs)
    with pytest.raises(UserTokenError, match=reason):
        verify_user_token(token, app_id=whop.app_id, jwks=jwks)


def test_leeway_and_tokens_without_kid(whop, jwks):
    whop.add_key("k2")
    assert verify_user_token(whop.sign_user_token("user_a", exp_in=-10), app_id=whop.app_id, jwks=jwks)
    token = whop.sign_user_token("user_b", kid=None, key=whop.keys["k2"])
    assert verify_user_token(token, app_id=whop.app_id, jwks=jwks).user_id == "user_b"


def _forge(header: dict, claims: dict, secret: bytes | None) -> str:
    def b64(data: bytes) -> str:
        return base64.urlsafe_b64encode(data).rstrip(b"=").decode()
    signing_input = b64(json.dumps(header).encode()) + "." + b64(json.dumps(claims).encode())
    signature = hmac.new(secret, signing_input.encode(), hashlib.sha256).digest() if secret else b""
    return signing_input + "." + b64(signature)


def test_algorithm_confusion_and_garbage_are_refused(whop, jwks):
    public_pem = whop.keys["k1"].public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    claims = {"sub": "user_evil", "aud": whop.app_id, "iss": "urn:whopcom:exp-proxy",
              "exp": int(time.time()) + 300}
    for header, secret in (({"alg": "HS256", "kid": "k1", "typ": "JWT"}, public_pem),
                           ({"alg": "none", "typ": "JWT"}, None)):
        with pytest.raises(UserTokenError, match="algorithm .* is not allowed"):
            verify_user_token(_forge(header, claims, secret), app_id=whop.app_id, jwks=jwks)
    for garbage in ("", "abc", "a.b.c"):
        with pytest.raises(UserTokenError, match="malformed"):
            verify_user_token(garbage, app_id=whop.app_id, jwks=jwks)


def test_the_key_set_is_cached_and_refetched_for_unknown_kids_with_a_cooldown(whop):
    now = [1000.0]
    jwks = JWKSCache(whop.url + "/.well-known/jwks.json", clock=lambda: now[0])
    fetches = lambda: whop.count("/.well-known/jwks.json")  # noqa: E731
    for _ in range(2):
        verify_user_token(whop.sign_user_token("user_a"), app_id=whop.app_id, jwks=jwks)
    assert fetches() == 1
    whop.add_key("k2")  # Whop rotates keys: the first token with the new kid triggers a refetch,
    now[0] += 30  # once the cooldown since the last fetch has passed
    assert verify_user_token(whop.sign_user_token("user_a", kid="k2"), app_id=whop.app_id, jwks=jwks)
    assert fetches() == 2
    rogue = whop.sign_user_token("user_a", kid="k9", key=whop.unpublished_key)
    for _ in range(3):  # within the cooldown: no more fetches, however many unknown kids arrive
        with pytest.raises(UserTokenError, match="unknown key"):
            verify_user_token(rogue, app_id=whop.app_id, jwks=jwks)
    assert fetches() == 2
    now[0] += 31
    with pytest.raises(UserTokenError, match="unknown key"):
        verify_user_token(rogue, app_id=whop.app_id, jwks=jwks)
    assert fetches() == 3
    now[0] += 12 * 3600 + 1  # past the 12 h TTL even a known kid refreshes the set
    verify_user_token(whop.sign_user_token("user_a"), app_id=whop.app_id, jwks=jwks)
    assert fetches() == 4


def test_concurrent_first_requests_fetch_the_key_set_once(whop, jwks):
    token = whop.sign_user_token("user_a")
    results: list[str] = []
    threads = [threading.Thread(target=lambda: results.append(
        verify_user_token(token, app_id=whop.app_id, jwks=jwks).user_id)) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == ["user_a"] * 8 and whop.count("/.well-known/jwks.json") == 1


def test_key_set_outage_keeps_known_keys_and_reports_when_there_are_none(whop):
    now = [0.0]
    jwks = JWKSCache(whop.url + "/.well-known/jwks.json", clock=lambda: now[0])
    assert verify_user_token(whop.sign_user_token("user_a"), app_id=whop.app_id, jwks=jwks)
    now[0] += 13 * 3600
    whop.script(api_error(500, "internal", "boom"))
    assert verify_user_token(whop.sign_user_token("user_a"), app_id=whop.app_id, jwks=jwks)
    down = JWKSCache("http://127.0.0.1:9/.well-known/jwks.json")
    with pytest.raises(WhopError, match="Couldn't load Whop's signing keys"):
        verify_user_token(whop.sign_user_token("user_a"), app_id=whop.app_id, jwks=down)


# ---- REST API -------------------------------------------------------------------------------------

def test_access_check(whop):
    api = WhopAPI(whop.api_key, base_url=whop.url)
    whop.access[("user_a", "prod_course")] = "customer"
    whop.access[("user_b", "biz_fakecreator")] = "admin"
    assert api.check_access("user_a", "prod_course").__dict__ == {"has_access": True, "access_level": "customer"}
    assert api.check_access("user_b", "biz_fakecreator").access_level == "admin"
    assert api.check_access("user_c", "prod_course").__dict__ == {"has_access": False, "access_level": "no_access"}
    assert api.check_access("user/../x", "exp_1").has_access is False
    assert whop.requests[-1].path == "/api/v1/users/user%2F..%2Fx/access/exp_1"
    assert whop.requests[-1].headers["authorization"] == f"Bearer {whop.api_key}"
    with pytest.raises(WhopError, match=r"HTTP 401: The API key is invalid.*check the Whop keys") as err:
        WhopAPI("wrong", base_url=whop.url).check_access("user_a", "prod_course")
    assert err.value.status == 401


def test_memberships_are_listed_across_pages_with_filters(whop):
    whop.max_page_size = 3
    statuses = ["active", "trialing", "past_due", "canceled", "expired", "canceling", "completed"]
    for n, status in enumerate(statuses):
        whop.add_membership(f"mem_{n}", f"user_{n}", status, updated_at=f"2026-02-0{n + 1}T00:00:00Z")
    whop.add_membership("mem_other", "user_x", product_id="prod_other")
    whop.add_membership("mem_elsewhere", "user_y", company_id="biz_someone_else")
    api = WhopAPI(whop.api_key, base_url=whop.url)
    listed = api.list_memberships(whop.company_id)
    assert [m.id for m in listed] == [f"mem_{n}" for n in range(7)] + ["mem_other"]
    assert whop.count("/api/v1/memberships") == 3
    assert {m.id: m.valid for m in listed if m.id != "mem_other"} == {
        "mem_0": True, "mem_1": True, "mem_2": True, "mem_3": False, "mem_4": False, "mem_5": True,
        "mem_6": False}
    assert listed[0].__dict__ == {"id": "mem_0", "user_id": "user_0", "status": "active",
                                  "product_id": "prod_fakecourse", "plan_id": "plan_fakemonthly",
                                  "valid": True, "updated_at": "2026-02-01T00:00:00.000000Z"}
    filtered = api.list_memberships(whop.company_id, user_ids=["user_0", "user_x"],
                                    product_ids=["prod_fakecourse"], statuses=["active", "trialing"])
    assert [m.id for m in filtered] == ["mem_0"]
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(whop.requests[-1].path).query)
    assert query["user_ids[]"] == ["user_0", "user_x"] and query["statuses[]"] == ["active", "trialing"]


def test_single_membership_products_and_errors(whop):
    api = WhopAPI(whop.api_key, base_url=whop.url)
    whop.add_membership("mem_1", "user_ada1234", "trialing")
    whop.add_product("prod_course", "The Course", "the-course")
    whop.add_product("prod_vip", "VIP")
    member = api.get_membership("mem_1")
    assert (member.user_id, member.status, member.valid) == ("user_ada1234", "trialing", True)
    with pytest.raises(WhopError, match="Membership not found") as err:
        api.get_membership("mem_missing")
    assert err.value.status == 404
    assert [(p.id, p.title, p.route) for p in api.list_products(whop.company_id)] == [
        ("prod_course", "The Course", "the-course"), ("prod_vip", "VIP", "vip")]
    with pytest.raises(WhopError, match="company_id is required") as err:
        api.list_products("")
    assert err.value.status == 400


# ---- webhooks: signatures -------------------------------------------------------------------------

VECTOR = {"secret": WHSEC, "msg_id": "msg_p5jXN8AQM9LWM0D4loKWxJek", "timestamp": 1614265330,
          "body": b'{"test": 2432232314}', "signature": "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="}


def test_standard_webhooks_reference_vector():
    when = datetime.fromtimestamp(VECTOR["timestamp"], tz=timezone.utc)
    assert Webhook(WHSEC).sign(VECTOR["msg_id"], when, VECTOR["body"].decode()) == VECTOR["signature"]
    headers = {"webhook-id": VECTOR["msg_id"], "webhook-timestamp": str(VECTOR["timestamp"]),
               "webhook-signature": VECTOR["signature"]}
    delivery = verify(headers, VECTOR["body"], WHSEC, now=VECTOR["timestamp"])
    assert delivery.__dict__ == {"webhook_id": VECTOR["msg_id"], "timestamp": 1614265330, "scheme": "standard"}
    with pytest.raises(WebhookSignatureError, match="no matching signature"):
        verify(headers, b'{"test": 2432232315}', WHSEC, now=VECTOR["timestamp"])


def test_our_verify_agrees_with_the_reference_library_for_whsec_secrets():
    now = int(time.time())
    body = json.dumps(membership_event("membership.activated", "mem_1", "user_a", "active",
                                       "2026-01-01T00:00:00Z")).encode()
    good = sign_webhook(WHSEC, body, msg_id="msg_1", timestamp=now)
    wrong_key = sign_webhook("whsec_" + base64.b64encode(b"another key!").decode(), body,
                             msg_id="msg_1", timestamp=now)
    cases = [
        (good, body),
        (good, body + b" "),
        ({**good, "webhook-id": "msg_2"}, body),
        (wrong_key, body),
        ({**good, "webhook-signature": wrong_key["webhook-signature"] + " " + good["webhook-signature"]}, body),
        ({**good, "webhook-signature": good["webhook-signature"].replace("v1,", "v2,")}, body),
        ({k: v for k, v in good.items() if k != "webhook-id"}, body),
        (sign_webhook(WHSEC, body, msg_id="msg_1", timestamp=now - 400), body),
        (sign_webhook(WHSEC, body, msg_id="msg_1", timestamp=now - 200), body),
        (sign_webhook(WHSEC, body, msg_id="msg_1", timestamp=now + 200), body),
        (sign_webhook(WHSEC, body, msg_id="msg_1", timestamp=now + 400), body),
        ({**good, "webhook-timestamp": "soon"}, body),
    ]
    for headers, payload in cases:
        try:
            Webhook(WHSEC).verify(payload, headers)
            reference = True
        except WebhookVerificationError:
            reference = False
        try:
            verify(headers, payload, WHSEC)
            ours = True
        except WebhookSignatureError:
            ours = False
        assert ours == reference, headers
    assert sum(1 for h, p in cases if _accepts(h, p, WHSEC)) == 4


def _accepts(headers: dict, body: bytes, secret: str, **kwargs) -> bool:
    try:
        verify(headers, body, secret, **kwargs)
        return True
    except WebhookSignatureError:
        return False


def test_whop_ws_secrets_are_raw_bytes_and_whsec_accepts_raw_too():
    body, ts = b'{"type":"membership.activated","data":{}}', 1_800_000_000
    raw_mac = hmac.new(WS_SECRET.encode(), f"msg_9.{ts}.".encode() + body, hashlib.sha256).digest()
    headers = {"Webhook-Id": "msg_9", "Webhook-Timestamp": str(ts),
               "Webhook-Signature": "v1," + base64.b64encode(raw_mac).decode()}
    assert verify(headers, body, WS_SECRET, now=ts).webhook_id == "msg_9"
    assert verify(sign_webhook(WS_SECRET, body, msg_id="msg_9", timestamp=ts), body, WS_SECRET, now=ts)
    assert not _accepts(sign_webhook(WS_SECRET, body, msg_id="msg_9", timestamp=ts), body,
                        WS_SECRET.removeprefix("ws_"), now=ts)
    # Whop's backend HMACs with the secret's literal bytes whatever its prefix (see signing_keys).
    whsec_raw = hmac.new(WHSEC.encode(), f"msg_9.{ts}.".encode() + body, hashlib.sha256).digest()
    assert verify({**headers, "Webhook-Signature": "v1," + base64.b64encode(whsec_raw).decode()},
                  body, WHSEC, now=ts)


def test_tolerance_edges_tampering_and_missing_headers():
    body, ts = b'{"type":"payment.succeeded","data":{}}', 1_800_000_000
    headers = sign_webhook(WS_SECRET, body, msg_id="msg_1", timestamp=ts)
    assert verify(headers, body, WS_SECRET, now=ts + 300)
    assert verify(headers, body, WS_SECRET, now=ts - 300)
    with pytest.raises(WebhookSignatureError, match="too old"):
        verify(headers, body, WS_SECRET, now=ts + 301)
    with pytest.raises(WebhookSignatureError, match="too new"):
        verify(headers, body, WS_SECRET, now=ts - 301)
    assert verify(headers, body, WS_SECRET, now=ts + 500, tolerance_s=600)
    with pytest.raises(WebhookSignatureError, match="no matching signature"):
        verify(headers, body.replace(b"succeeded", b"failed"), WS_SECRET, now=ts)
    with pytest.raises(WebhookSignatureError, match="missing signature headers"):
        verify({"content-type": "application/json"}, body, WS_SECRET, now=ts)
    with pytest.raises(WebhookSignatureError, match=r"missing signature headers \(webhook-signature\)"):
        verify({**headers, "webhook-signature": ""}, body, WS_SECRET, now=ts)
    with pytest.raises(WebhookSignatureError, match="no webhook secret"):
        verify(headers, body, "", now=ts)
    junk = {**headers, "webhook-signature": "v1,%%% v1 nonsense " + headers["webhook-signature"]}
    assert verify(junk, body, WS_SECRET, now=ts)


def test_legacy_v5_signatures():
    body = json.dumps(legacy_membership_event("membership.went_valid", "mem_1", "user_a",
                                              valid=True, status="active")).encode()
    ts = 1_800_000_000
    delivery = verify(sign_legacy(WS_SECRET, body, ts), body, WS_SECRET, now=ts + 299)
    assert delivery.scheme == "legacy-v5" and delivery.timestamp == ts
    retry = verify(sign_legacy(WS_SECRET, body, ts + 10), body, WS_SECRET, now=ts + 10)
    assert retry.webhook_id == delivery.webhook_id  # a retry is recognisable without webhook-id
    other = body.replace(b"mem_1", b"mem_2")
    assert verify(sign_legacy(WS_SECRET, other, ts), other, WS_SECRET, now=ts).webhook_id != delivery.webhook_id
    for headers, now, reason in (
            (sign_legacy("ws_wrong", body, ts), ts, "no matching signature"),
            (sign_legacy(WS_SECRET, body, ts), ts + 301, "too old"),
            ({"X-Whop-Signature": "v1=abc"}, ts, "malformed"),
            ({"x-whop-signature": "t=1800000000"}, ts, "malformed")):
        with pytest.raises(WebhookSignatureError, match=reason):
            verify(headers, body, WS_SECRET, now=now)
    with pytest.raises(WebhookSignatureError, match="no matching signature"):
        verify(sign_legacy(WS_SECRET, body, ts), body + b"\n", WS_SECRET, now=ts)


# ---- webhooks: events -----------------------------------------------------------------------------

def _event(envelope: dict, **kwargs):
    return parse_event(json.dumps(envelope).encode(), **kwargs)


def test_v1_membership_events():
    activated = _event(membership_event("membership.activated", "mem_1", "user_a", "active",
                                        "2026-03-01T10:00:00Z", username="ada", name="Ada L",
                                        email="a@example.com", product_id="prod_course"))
    assert (activated.type, activated.event_time, activated.company_id, activated.api_version) == (
        "membership.activated", "2026-03-01T10:00:00.000000Z", "biz_fakecreator", "v1")
    change = membership_view(activated)
    assert change.__dict__ == {
        "membership_id": "mem_1", "user_id": "user_a", "username": "ada", "name": "Ada L",
        "email": "a@example.com", "product_id": "prod_course", "plan_id": "plan_fakemonthly",
        "status": "active", "valid": True, "event_time": "2026-03-01T10:00:00.000000Z"}
    assert payment_view(activated) is None
    for kind, status, valid in (("membership.deactivated", "canceled", False),
                                ("membership.deactivated", "active", False),
                                ("membership.activated", "expired", True),
                                ("membership.cancel_at_period_end_changed", "canceling", True),
                                ("membership.cancel_at_period_end_changed", "past_due", True),
                                ("membership.updated", "expired", False)):
        event = _event(membership_event(kind, "mem_1", "user_a", status, "2026-03-02T00:00:00Z"))
        assert membership_view(event).valid is valid, (kind, status)


def test_legacy_v5_membership_events():
    went_valid = _event(legacy_membership_event("membership.went_valid", "mem_1", "user_a",
                                                valid=True, status="active", created_at=1_767_225_600))
    assert (went_valid.type, went_valid.api_version, went_valid.company_id) == (
        "membership.went_valid", "v5", "biz_fakecreator")
    assert went_valid.event_time == "2026-01-01T00:00:00.000000Z"
    change = membership_view(went_valid)
    assert (change.membership_id, change.user_id, change.product_id, change.plan_id, change.valid) == (
        "mem_1", "user_a", "prod_fakecourse", "plan_fakemonthly", True)
    assert membership_view(_event(legacy_membership_event(
        "membership.went_invalid", "mem_1", "user_a", valid=True, status="expired"))).valid is False
    assert membership_view(_event(legacy_membership_event(
        "app_membership.went_valid", "mem_1", "user_a", valid=False, status="active"))).valid is True
    assert membership_view(_event(legacy_membership_event(
        "membership.updated", "mem_1", "user_a", valid=False, status="active"))).valid is False
    undated = _event(legacy_membership_event("membership.went_valid", "m", "u", valid=True, status="active"))
    assert undated.event_time == ""
    dated = _event(legacy_membership_event("membership.went_valid", "m", "u", valid=True, status="active"),
                   fallback_ts=1_767_225_600)
    assert dated.event_time == "2026-01-01T00:00:00.000000Z"


def test_payment_events():
    event = _event(payment_event("payment.succeeded", "pay_1", "mem_1", "user_a", usd_total=29.0,
                                 paid_at="2026-03-01T10:00:00Z"))
    assert membership_view(event) is None
    assert payment_view(event).__dict__ == {
        "id": "pay_1", "membership_id": "mem_1", "user_id": "user_a", "product_id": "prod_fakecourse",
        "plan_id": "plan_fakemonthly", "usd_total": 29.0, "currency": "usd",
        "paid_at": "2026-03-01T10:00:00.000000Z", "status": "paid"}
    legacy = _event({"action": "payment.succeeded", "data": {
        "id": "pay_2", "membership_id": "mem_2", "user_id": "user_b", "plan_id": "plan_x",
        "final_amount": 10, "currency": "usd", "paid_at": 1_767_225_600, "status": "paid"}})
    change = payment_view(legacy)
    assert (change.membership_id, change.user_id, change.usd_total, change.paid_at) == (
        "mem_2", "user_b", 10.0, "2026-01-01T00:00:00.000000Z")


@pytest.mark.parametrize("body", [b"not json", b"\xff\xfe", b"[]", b'{"type": "x"}',
                                  b'{"data": {}}', b'{"type": 5, "data": {}}'])
def test_malformed_event_bodies_raise_value_error(body):
    with pytest.raises(ValueError):
        parse_event(body)


def test_event_times_share_one_format_so_they_order_as_strings():
    assert iso_time("2026-01-01T00:00:00Z") == iso_time("2026-01-01T01:00:00+01:00") == iso_time(1_767_225_600)
    assert iso_time("2026-01-01T00:00:00.5Z") > iso_time("2026-01-01T00:00:00Z")
    assert iso_time("2026-01-01T00:00:00") == "2026-01-01T00:00:00.000000Z"  # naive: taken as UTC
    assert iso_time("yesterday") == "yesterday" and iso_time("") is None and iso_time(None) is None
