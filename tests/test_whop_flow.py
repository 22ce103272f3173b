"""Whop end to end: sign-in, the iframe, and webhooks, against the fake Whop on 127.0.0.1."""
from __future__ import annotations

import json
import random
import re
import time
from urllib.error import HTTPError
from urllib.parse import urlsplit
from urllib.request import HTTPRedirectHandler, build_opener

import pytest

from chronos import create_app
from chronos.config import load_settings
from chronos.models import creators, people, whop_records
from tests.conftest import OWNER, csrf
from tests.fakes.whop_server import (FakeWhop, deliver, legacy_membership_event, membership_event,
                                     payment_event)

SECRET = "ws_chronos_test_secret"
CUSTOMER = "user_ada1234"
CHECKOUT = "https://whop.com/checkout/plan_fakemonthly"


@pytest.fixture(scope="module")
def fake():
    with FakeWhop() as whop:
        whop.auto_approve = True
        yield whop


def whop_env(fake) -> dict:
    return {"WHOP_CLIENT_ID": fake.client_id, "WHOP_CLIENT_SECRET": fake.client_secret,
            "WHOP_APP_ID": fake.app_id, "WHOP_API_KEY": fake.api_key, "WHOP_WEBHOOK_SECRET": SECRET,
            "WHOP_COMPANY_ID": fake.company_id, "WHOP_BASE_URL": fake.url,
            "CHRONOS_WHOP_CHECKOUT_URL": CHECKOUT}


def build_app(data_dir, env: dict, transcriber, embedder):
    """Chronos on the fake Whop, with its owner; the caller closes it."""
    settings = load_settings(data_dir, env=env, whisper_model="tiny.en", run_scheduler=False)
    app = create_app(settings, transcriber=transcriber, embedder=embedder)
    with app.extensions["chronos"].db.connection() as conn:
        creators.create_owner(conn, OWNER["name"], OWNER["password"])
    return app


@pytest.fixture
def app(tmp_path, fake, transcriber, embedder):
    fake.access.clear()
    fake.memberships.clear()
    app = build_app(tmp_path / "data", whop_env(fake), transcriber, embedder)
    yield app
    app.extensions["chronos"].close()


@pytest.fixture
def app_without_api_key(tmp_path, fake, transcriber, embedder):
    """Whop by webhooks and sign-in alone: Chronos cannot read anything back from Whop's API."""
    fake.access.clear()
    fake.memberships.clear()
    env = {k: v for k, v in whop_env(fake).items() if k != "WHOP_API_KEY"}
    app = build_app(tmp_path / "data", env, transcriber, embedder)
    yield app
    app.extensions["chronos"].close()


class _NoRedirect(HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def whop_sign_in(client) -> object:
    """Walk the OAuth redirects: Chronos -> Whop (auto-approve) -> Chronos's callback."""
    start = client.get("/auth/whop/start?next=/chat")
    assert start.status_code == 302
    authorize = start.headers["Location"]
    query = dict(p.split("=", 1) for p in authorize.split("?", 1)[1].split("&"))
    assert {"state", "nonce", "code_challenge"} <= set(query) and query["code_challenge_method"] == "S256"
    try:
        build_opener(_NoRedirect).open(authorize)
        raise AssertionError("the fake Whop did not redirect back")
    except HTTPError as back:  # the 302 back to our callback
        callback = back.headers["Location"]
    parts = urlsplit(callback)
    return client.get(f"{parts.path}?{parts.query}")


def test_sign_in_with_whop_as_a_paying_member(app, fake):
    fake.access[(CUSTOMER, fake.company_id)] = "customer"
    fake.add_membership("mem_ada", CUSTOMER, "active")
    client = app.test_client()
    res = whop_sign_in(client)
    assert res.status_code == 302 and res.headers["Location"] == "/chat"
    assert "Lectures" in client.get("/").get_data(as_text=True)
    token_request = next(r for r in fake.requests if r.path == "/oauth/token")
    assert token_request.body["code_verifier"] and token_request.body["client_secret"]
    owner = app.test_client()
    owner.post("/login", data={**OWNER, "csrf_token": csrf(owner)})
    student = owner.get("/api/students").get_json()[0]
    assert student["whop_user_id"] == CUSTOMER and student["source"] == "whop"
    assert student["access"] == "active" and student["name"] == "Ada Lovelace"


def test_sign_in_without_access_explains_and_links_to_buy(app, fake):
    fake.access[(CUSTOMER, fake.company_id)] = "no_access"
    client = app.test_client()
    res = whop_sign_in(client)
    page = res.get_data(as_text=True)
    assert res.status_code == 403 and "access" in page.lower() and CHECKOUT in page
    assert client.get("/").status_code == 302  # not signed in


def test_company_admin_signs_in_as_the_owner(app, fake):
    fake.access[(CUSTOMER, fake.company_id)] = "admin"
    client = app.test_client()
    whop_sign_in(client)
    assert "Drop videos" in client.get("/").get_data(as_text=True)


def test_a_stale_or_forged_callback_is_refused(app, fake):
    client = app.test_client()
    client.get("/auth/whop/start")
    res = client.get("/auth/whop/callback?code=x&state=not-the-state")
    assert res.status_code == 400 and "stale" in res.get_data(as_text=True)


# -- the iframe -------------------------------------------------------------------------------

def iframe(client, path: str, token: str, method: str = "GET", **kw):
    return client.open(path, method=method, headers={"x-whop-user-token": token}, **kw)


def test_iframe_tokens(app, fake):
    fake.access[(CUSTOMER, fake.company_id)] = "customer"
    fake.add_membership("mem_ada", CUSTOMER, "active")
    c = app.test_client()
    good = iframe(c, "/experiences/exp_1", fake.sign_user_token(CUSTOMER))
    assert good.status_code == 200 and "Lectures" in good.get_data(as_text=True)
    assert iframe(c, "/experiences/exp_1", fake.sign_user_token(CUSTOMER, kid=None)).status_code == 200
    for bad in (fake.sign_user_token(CUSTOMER, exp_in=-120),
                fake.sign_user_token(CUSTOMER, aud="app_someoneelse"),
                fake.sign_user_token(CUSTOMER, key=fake.unpublished_key),
                "not-a-jwt"):
        res = iframe(c, "/experiences/exp_1", bad)
        assert res.status_code == 403 and "could not be verified" in res.get_data(as_text=True)
    # Header-authenticated writes need no cookie, so no CSRF token either; owner APIs stay closed.
    token = fake.sign_user_token(CUSTOMER)
    assert iframe(c, "/api/chat", token, "POST", json={"message": "hello"}).status_code == 200
    assert iframe(c, "/api/videos", token).status_code == 403
    assert iframe(c, f"/dashboard/{fake.company_id}", token).status_code == 403


def test_iframe_admin_gets_the_dashboard_and_other_companies_do_not(app, fake):
    boss = "user_boss"
    fake.access[(boss, fake.company_id)] = "admin"
    c = app.test_client()
    token = fake.sign_user_token(boss)
    assert "Drop videos" in iframe(c, f"/dashboard/{fake.company_id}", token).get_data(as_text=True)
    assert iframe(c, "/dashboard/biz_another", token).status_code == 404
    stranger = "user_other_company"
    fake.access[(stranger, fake.company_id)] = "no_access"
    res = iframe(c, "/experiences/exp_1", fake.sign_user_token(stranger))
    assert res.status_code == 403 and CHECKOUT in res.get_data(as_text=True)


def test_framing_headers_allow_whop_only(app, fake):
    c = app.test_client()
    res = iframe(c, "/experiences/exp_1", fake.sign_user_token(CUSTOMER))
    assert "frame-ancestors 'self' https://whop.com https://*.whop.com" in res.headers["Content-Security-Policy"]


# -- webhooks ---------------------------------------------------------------------------------

def post_webhook(client, body: bytes, headers: dict):
    return client.post("/webhooks/whop", data=body, headers=headers)


def student_access(app, user_id: str) -> str | None:
    with app.extensions["chronos"].db.connection() as conn:
        s = people.student_by_whop_user(conn, 1, user_id)
        return s.access if s else None


def test_membership_webhooks_grant_revoke_and_ignore_late_activations(app):
    c = app.test_client()
    act = membership_event("membership.activated", "mem_1", "user_bob", "active", "2026-11-01T10:00:00Z")
    deact = membership_event("membership.deactivated", "mem_1", "user_bob", "expired", "2026-11-02T10:00:00Z")
    assert post_webhook(c, *deliver(act, SECRET)).status_code == 200
    assert student_access(app, "user_bob") == "active"
    assert post_webhook(c, *deliver(deact, SECRET)).get_json()["outcome"] == "applied"
    assert student_access(app, "user_bob") == "revoked"
    late = membership_event("membership.activated", "mem_1", "user_bob", "active", "2026-11-01T12:00:00Z")
    assert post_webhook(c, *deliver(late, SECRET)).get_json()["outcome"] == "stale"
    assert student_access(app, "user_bob") == "revoked"  # a late activation never revives it
    again = post_webhook(c, *deliver(deact, SECRET))  # the same webhook-id again
    assert again.status_code == 200 and again.get_json()["duplicate"] is True


def test_bad_signatures_unknown_types_legacy_payments_and_replay(app):
    c = app.test_client()
    event = membership_event("membership.activated", "mem_2", "user_eve", "active", "2026-11-01T10:00:00Z")
    body, headers = deliver(event, "ws_wrong_secret")
    res = post_webhook(c, body, headers)
    assert res.status_code == 401 and student_access(app, "user_eve") is None
    stale_ts = int(time.time()) - 400
    assert post_webhook(c, *deliver(event, SECRET, timestamp=stale_ts)).status_code == 401
    odd = {"id": "msg_odd", "api_version": "v1", "type": "dispute.created",
           "timestamp": "2026-11-01T10:00:00Z", "data": {"id": "dspt_1"}}
    assert post_webhook(c, *deliver(odd, SECRET)).get_json()["outcome"] == "ignored"
    legacy = legacy_membership_event("membership.went_valid", "mem_3", "user_leg", valid=True,
                                     status="active", updated_at=1_790_000_000)
    assert post_webhook(c, *deliver(legacy, SECRET, legacy=True)).status_code == 200
    assert student_access(app, "user_leg") == "active"
    pay = payment_event("payment.succeeded", "pay_1", "mem_3", "user_leg", usd_total=29.0,
                        paid_at="2026-11-03T09:00:00Z")
    pay["data"]["plan"]["metadata"] = {"tier": "pro"}
    assert post_webhook(c, *deliver(pay, SECRET)).get_json()["outcome"] == "applied"
    with app.extensions["chronos"].db.connection() as conn:
        assert whop_records.revenue_usd(conn, 1) == 29.0
        assert creators.get_creator(conn, 1).subscription_tier == "pro"
        events = whop_records.list_events(conn)
    assert {e.event_type for e in events} >= {"dispute.created", "membership.went_valid", "payment.succeeded"}
    assert not any(e.event_type == "membership.activated" for e in events)  # forged ones never stored
    owner = app.test_client()
    owner.post("/login", data={**OWNER, "csrf_token": csrf(owner)})
    page = owner.get("/webhooks").get_data(as_text=True)
    assert "payment.succeeded" in page and "Replay" in page
    pay_event = next(e for e in events if e.event_type == "payment.succeeded")
    replayed = owner.post(f"/api/webhooks/events/{pay_event.id}/replay", headers={"X-CSRF-Token": csrf(owner)})
    assert replayed.get_json()["outcome"] == "stale"
    with app.extensions["chronos"].db.connection() as conn:
        assert whop_records.revenue_usd(conn, 1) == 29.0  # replay never double-counts revenue


@pytest.mark.parametrize("api_key", [True, False], ids=["read-back", "no-api-key"])
def test_a_storm_of_deliveries_ends_with_exactly_the_right_access(request, fake, api_key):
    """Hundreds of deliveries, with duplicates, reordering, forgeries and same-second flips."""
    app = request.getfixturevalue("app" if api_key else "app_without_api_key")
    rng = random.Random(7)
    c = app.test_client()
    truth, deliveries, ties = {}, [], {}
    for n in range(60):
        user, mem = f"user_m{n:03d}", f"mem_m{n:03d}"
        t0 = 1_790_000_000 + n * 17
        steps = rng.randint(1, 5)
        valid = False
        for step in range(steps):
            valid = not valid if step else True  # starts activated, then flips
            kind = "membership.activated" if valid else "membership.deactivated"
            when = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(t0 + step * 3600))
            event = membership_event(kind, mem, user, "active" if valid else "expired", when)
            for _ in range(rng.randint(1, 3)):  # at-least-once delivery: duplicates
                deliveries.append(("ok", event))
        truth[user] = "active" if valid else "revoked"
        if rng.random() < 0.4:  # activated and deactivated within one second, after all the rest
            when = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(t0 + steps * 3600))
            pair = [membership_event("membership.activated", mem, user, "active", when),
                    membership_event("membership.deactivated", mem, user, "expired", when)]
            deliveries += [("ok", e) for e in pair for _ in range(rng.randint(1, 2))]
            ties[user] = pair
            # What Whop's API says now, whichever of the two it happened to send last.
            fake.add_membership(mem, user, rng.choice(["active", "expired"]), updated_at=when)
        if rng.random() < 0.5:  # a forger tries to flip the outcome
            forged = membership_event("membership.activated", mem, user, "active", "2099-01-01T00:00:00Z")
            deliveries.append(("forged", forged))
    rng.shuffle(deliveries)  # unordered delivery
    assert len(deliveries) >= 200 and len(ties) > 10
    read_backs = [f"/api/v1/memberships/mem_m{n:03d}" for n in range(60)]
    before = sum(fake.count(path) for path in read_backs)
    seen = {"ok": 0, "forged": 0}
    for kind, event in deliveries:
        body, headers = deliver(event, SECRET if kind == "ok" else "ws_forger")
        res = post_webhook(c, body, headers)
        assert res.status_code == (200 if kind == "ok" else 401)
        seen[kind] += 1
    assert seen["forged"] > 10
    first_seen = {}
    for position, (_, event) in enumerate(deliveries):
        first_seen.setdefault(event["id"], position)  # a duplicate after that is dropped unread
    for user, pair in ties.items():
        if api_key:  # Whop's API settles the tie
            status = next(m["status"] for m in fake.memberships if m["user"]["id"] == user)
        else:  # the later of the two deliveries wins
            status = max(pair, key=lambda e: first_seen[e["id"]])["data"]["status"]
        truth[user] = "active" if status == "active" else "revoked"
    for user, expected in truth.items():
        assert student_access(app, user) == expected, user
    # Whop is asked once per tie, and never otherwise.
    assert sum(fake.count(path) for path in read_backs) - before == (len(ties) if api_key else 0)
    with app.extensions["chronos"].db.connection() as conn:
        stored = conn.execute("SELECT count(*) FROM whop_events").fetchone()[0]
    assert stored == len({json.dumps(e, sort_keys=True) for k, e in deliveries if k == "ok"})


def test_browser_walks_the_whole_oauth_redirect(tmp_path, fake, browser, transcriber, embedder):
    from playwright.sync_api import expect

    from tests.conftest import LiveServer

    fake.auto_approve = False
    fake.access[(CUSTOMER, fake.company_id)] = "customer"
    fake.add_membership("mem_ada", CUSTOMER, "active")
    settings = load_settings(tmp_path / "data", env=whop_env(fake), whisper_model="tiny.en")
    app = create_app(settings, transcriber=transcriber, embedder=embedder)
    with app.extensions["chronos"].db.connection() as conn:
        creators.create_owner(conn, OWNER["name"], OWNER["password"])
    server = LiveServer(app)
    page = browser.new_page()
    try:
        page.goto(server.url + "/login")
        page.click("text=Sign in with Whop")
        expect(page).to_have_url(re.compile(re.escape(fake.url) + r"/oauth/authorize"))
        page.click("#approve")
        expect(page).to_have_url(re.compile(re.escape(server.url) + r"/$"))
        expect(page.locator("h1")).to_have_text("Lectures")
        expect(page.locator("nav")).to_contain_text("Ask")
    finally:
        fake.auto_approve = True
        page.close()
        server.stop()
        app.extensions["chronos"].close()


def test_expired_whop_sign_in_is_refreshed_with_rotation(app, fake):
    fake.access[(CUSTOMER, fake.company_id)] = "customer"
    fake.add_membership("mem_ada", CUSTOMER, "active")
    client = app.test_client()
    whop_sign_in(client)
    with app.extensions["chronos"].db.connection() as conn:
        sid = people.student_by_whop_user(conn, 1, CUSTOMER).id
        first = whop_records.get_tokens(conn, sid)
        conn.execute("UPDATE whop_tokens SET expires_at = 0 WHERE student_id = ?", (sid,))
    assert client.get("/").status_code == 200  # refreshed behind the scenes
    with app.extensions["chronos"].db.connection() as conn:
        second = whop_records.get_tokens(conn, sid)
    assert second.refresh_token != first.refresh_token and second.expires_at > time.time()
    # Whop revokes the membership; the next renewal re-checks access and closes the door.
    fake.access[(CUSTOMER, fake.company_id)] = "no_access"
    with app.extensions["chronos"].db.connection() as conn:
        conn.execute("UPDATE whop_tokens SET expires_at = 0 WHERE student_id = ?", (sid,))
        conn.execute("UPDATE whop_memberships SET valid = 0, status = 'canceled' WHERE user_id = ?", (CUSTOMER,))
    assert client.get("/").status_code == 403
    # A refresh token that was already used is refused: the student must sign in again.
    with app.extensions["chronos"].db.connection() as conn:
        conn.execute("UPDATE whop_tokens SET expires_at = 0, refresh_token = ? WHERE student_id = ?",
                     (first.refresh_token, sid))
    res = client.get("/")
    assert res.status_code == 302 and "/login" in res.headers["Location"]


def test_whop_sign_in_respects_the_student_limit(tmp_path, fake, transcriber, embedder):
    env = whop_env(fake) | {"CHRONOS_TIERS": '{"free": {"active_students": 0}}'}
    settings = load_settings(tmp_path / "full", env=env, whisper_model="tiny.en", run_scheduler=False)
    app = create_app(settings, transcriber=transcriber, embedder=embedder)
    try:
        fake.access[(CUSTOMER, fake.company_id)] = "customer"
        res = whop_sign_in(app.test_client())
        assert res.status_code == 403 and "active students for this month" in res.get_data(as_text=True)
    finally:
        app.extensions["chronos"].close()
