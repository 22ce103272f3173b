"""The tier read from Whop's API (not only webhooks): at sign-in, on first use, when the reading is
old, and from the usage page's "Refresh from Whop" button; an outage keeps the last known tier."""
from __future__ import annotations

import socket

import pytest

from chronos.models import creators, whop_records
from tests.conftest import FIXTURES, OWNER, csrf, upload
from tests.fakes.whop_server import FakeWhop, api_error
from tests.test_tiers import a_student, ask

CREATOR = "user_creator"
PLANS = "plan_chronos_pro=pro,plan_chronos_starter=starter,prod_chronos_suite=enterprise"
PER_READ = 2  # Whop ANDs its filters: one query for the plans, one for the product
SMALL_FREE = {"free": {"videos_per_month": 1, "credits_per_month": 1}}


@pytest.fixture
def fake():
    with FakeWhop() as whop:
        yield whop


def whop_env(fake, base_url: str | None = None) -> dict:
    return {"WHOP_API_KEY": fake.api_key, "WHOP_COMPANY_ID": fake.company_id,
            "WHOP_APP_ID": fake.app_id, "WHOP_BASE_URL": base_url or fake.url}


def tier_of(owner) -> str:
    return owner.get("/api/usage").get_json()["tier"]


def refresh(owner):
    return owner.post("/api/usage/refresh", headers={"X-CSRF-Token": csrf(owner)})


def test_sign_in_reads_the_plan_and_the_next_upload_and_question_use_it(apps, fake):
    fake.add_membership("mem_c1", CREATOR, "active", plan_id="plan_chronos_pro",
                        updated_at="2026-11-01T00:00:00Z")
    fake.add_membership("mem_s1", "user_student", "active", plan_id="plan_fakemonthly")  # a course
    app, owner = apps(env=whop_env(fake), whop_tier_plans=PLANS, tiers=SMALL_FREE)
    assert fake.count("/api/v1/memberships") == 0  # nobody has used Chronos since it started
    # The first request of the new session reads the plan; this very upload already has Pro room.
    assert upload(owner, FIXTURES / "silent.mp4").status_code == 201
    assert fake.count("/api/v1/memberships") == PER_READ
    assert upload(owner, FIXTURES / "rivers.m4a").status_code == 201  # Free would allow one
    student = a_student(app, owner)
    assert ask(student, "What is a river?").status_code == 200
    assert ask(student, "What is a lake?").status_code == 200  # Free would allow one answer
    body = owner.get("/api/usage").get_json()
    assert body["tier"] == "pro" and body["whop"]["ok"] is True
    assert "Pro plan (plan_chronos_pro)" in body["whop"]["message"]
    assert fake.count("/api/v1/memberships") == PER_READ  # read once per sign-in, not per request
    query = next(r.path for r in fake.requests if r.path.startswith("/api/v1/memberships"))
    assert "plan_ids%5B%5D=plan_chronos_pro" in query and f"company_id={fake.company_id}" in query
    # Signing in again reads it again.
    again = app.test_client()
    assert again.post("/login", data={**OWNER, "csrf_token": csrf(again)}).status_code == 302
    assert tier_of(again) == "pro" and fake.count("/api/v1/memberships") == 2 * PER_READ


def test_the_button_reads_a_plan_that_ended_and_free_limits_apply_at_once(apps, fake):
    fake.add_membership("mem_c1", CREATOR, "active", plan_id="plan_chronos_pro",
                        updated_at="2026-11-01T00:00:00Z")
    app, owner = apps(env=whop_env(fake), whop_tier_plans=PLANS, tiers=SMALL_FREE)
    assert tier_of(owner) == "pro"
    assert upload(owner, FIXTURES / "silent.mp4").status_code == 201
    page = owner.get("/usage").get_data(as_text=True)
    assert 'id="refresh-whop"' in page and 'action="/usage/refresh"' in page and "plan_chronos_pro" in page
    fake.set_membership_status("mem_c1", "canceled", "2026-11-20T00:00:00Z")
    assert tier_of(owner) == "pro"  # Whop is not asked on every request
    res = owner.post("/usage/refresh", data={"csrf_token": csrf(owner)})
    assert res.status_code == 302 and res.headers["Location"].endswith("/usage")
    page = owner.get("/usage").get_data(as_text=True)
    assert "Whop lists no active Chronos plan for your company, so you are on the Free plan." in page
    assert 'id="tier-name">Free<' in page
    # The very next upload and question see the Free limits (one upload is used already).
    res = upload(owner, FIXTURES / "rivers.m4a")
    assert res.status_code == 402 and "1 upload a month" in res.get_json()["error"]
    student = a_student(app, owner)
    assert ask(student, "What is a river?").status_code == 200
    assert ask(student, "What is a lake?").status_code == 429
    # A late webhook-era activation older than what the API said cannot bring Pro back.
    with app.extensions["chronos"].db.connection() as conn:
        owner_id = creators.get_owner(conn).id
        assert not whop_records.apply_membership(
            conn, owner_id, membership_id="mem_c1", user_id=CREATOR, product_id=None,
            plan_id="plan_chronos_pro", status="active", valid=True, event_time="2026-11-10T00:00:00Z")


def test_the_button_needs_the_owner_and_a_csrf_token(apps, fake):
    app, owner = apps(env=whop_env(fake), whop_tier_plans=PLANS)
    assert owner.post("/usage/refresh").status_code == 403  # no CSRF token
    assert app.test_client().post("/api/usage/refresh").status_code in (401, 403)
    assert fake.count("/api/v1/memberships") == 0
    assert tier_of(owner) == "free"  # the sign-in's reading
    before = fake.count("/api/v1/memberships")
    assert refresh(owner).status_code == 200
    assert fake.count("/api/v1/memberships") == before + PER_READ


def test_an_outage_keeps_the_last_known_tier_and_says_so(apps, fake):
    fake.add_membership("mem_c1", CREATOR, "active", plan_id="plan_chronos_pro")
    app, owner = apps(env=whop_env(fake), whop_tier_plans=PLANS, tiers=SMALL_FREE)
    assert tier_of(owner) == "pro"
    fake.script(api_error(503, "service_unavailable", "Whop is down for maintenance."))
    res = refresh(owner)
    body = res.get_json()
    assert res.status_code == 502 and body["tier"] == "pro" and body["ok"] is False
    assert "HTTP 503" in body["error"] and "keeps you on the Pro plan until Whop answers" in body["error"]
    assert tier_of(owner) == "pro"
    assert upload(owner, FIXTURES / "silent.mp4").status_code == 201
    assert upload(owner, FIXTURES / "rivers.m4a").status_code == 201  # still Pro room
    page = owner.get("/usage").get_data(as_text=True)
    assert 'data-ok="false"' in page and "keeps you on the Pro plan" in page
    fake.script(api_error(401, "unauthorized", "The API key is invalid."))  # a bad key keeps it too
    assert refresh(owner).status_code == 502 and tier_of(owner) == "pro"
    assert refresh(owner).get_json()["tier"] == "pro"  # Whop back: still Pro


def test_an_unreachable_whop_keeps_the_tier(apps, fake):
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        dead = f"http://127.0.0.1:{s.getsockname()[1]}"
    app, owner = apps(env=whop_env(fake, dead), whop_tier_plans=PLANS)
    with app.extensions["chronos"].db.connection() as conn:
        whop_records.set_tier(conn, creators.get_owner(conn).id, "starter")
    assert tier_of(owner) == "starter"  # the sign-in read failed and kept it
    res = refresh(owner)
    assert res.status_code == 502 and "Couldn't reach Whop" in res.get_json()["error"]
    assert "keeps you on the Starter plan" in res.get_json()["error"] and tier_of(owner) == "starter"


def test_products_metadata_and_the_highest_plan_decide_and_the_reading_gets_old(apps, fake):
    fake.add_membership("mem_a", CREATOR, "active", plan_id="plan_chronos_starter")
    app, owner = apps(env=whop_env(fake), whop_tier_plans=PLANS)
    with app.extensions["chronos"].db.connection() as conn:
        token = creators.create_token(conn, creators.get_owner(conn).id)
    api = app.test_client()
    bearer = {"Authorization": f"Bearer {token}"}
    assert tier_of(owner) == "starter"
    # A product named in whop_tier_plans, and a plan whose metadata names the tier: highest wins.
    fake.add_membership("mem_b", CREATOR, "trialing", plan_id="plan_suite_yearly",
                        product_id="prod_chronos_suite")
    assert refresh(owner).get_json()["tier"] == "enterprise"
    fake.set_membership_status("mem_b", "expired", "2026-11-21T00:00:00Z")
    fake.add_membership("mem_c", CREATOR, "active", plan_id="plan_chronos_starter",
                        plan_metadata={"tier": "pro"})
    assert refresh(owner).get_json()["tier"] == "pro"
    # A token caller has no session: it reads only when the last reading is old.
    fake.set_membership_status("mem_c", "canceled", "2026-11-22T00:00:00Z")
    asked = fake.count("/api/v1/memberships")
    assert api.get("/api/usage", headers=bearer).get_json()["tier"] == "pro"
    assert fake.count("/api/v1/memberships") == asked
    whop = app.extensions["chronos"].whop
    whop._tier_read_at -= app.extensions["chronos"].settings.whop_tier_refresh_s  # an interval ago
    assert api.get("/api/usage", headers=bearer).get_json()["tier"] == "starter"  # mem_a remains
    assert fake.count("/api/v1/memberships") > asked


def test_without_tier_plans_whop_is_not_asked(apps, fake):
    app, owner = apps(env=whop_env(fake))
    assert owner.get("/api/usage").get_json()["whop"] is None
    assert 'id="refresh-whop"' not in owner.get("/usage").get_data(as_text=True)
    res = refresh(owner)
    assert res.status_code == 503 and "whop_tier_plans" in res.get_json()["error"]
    assert fake.count("/api/v1/memberships") == 0
