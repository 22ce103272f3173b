"""Tiers and usage: limits at their edges, friendly refusals, the usage API and page, rate limits,
and a tier change through a Whop webhook taking effect on the very next request."""
from __future__ import annotations

import json

import pytest

from chronos.config import load_settings
from chronos.models import videos
from chronos.tiers import DEFAULT_TIERS, GB, next_tier, tier_for, tier_table
from tests.conftest import FIXTURES, OWNER, csrf, make_app, upload  # noqa: F401 - make_app for importers
from tests.fakes.whop_server import FakeWhop, deliver, membership_event, payment_event
from tests.test_people import invite, join

SIZE = {name: (FIXTURES / name).stat().st_size for name in ("rivers.m4a", "silent.mp4", "photosynthesis.mp4")}


def stored(app) -> tuple[int, int, int, int]:
    """(video rows, files in the library, leftover .part files, open reservations)."""
    s = app.extensions["chronos"].settings
    with app.extensions["chronos"].db.connection() as conn:
        rows = conn.execute("SELECT count(*) FROM videos").fetchone()[0]
        held = conn.execute("SELECT count(*) FROM upload_reservations").fetchone()[0]
    files = len(list((s.media_dir / "videos").glob("*"))) if (s.media_dir / "videos").exists() else 0
    return rows, files, len(list(s.upload_tmp_dir.glob("*.part"))), held


def ask(client, message: str):
    return client.post("/api/chat", json={"message": message}, headers={"X-CSRF-Token": csrf(client)})


def a_student(app, owner, username: str = "grace"):
    """A client signed in as a student who joined through the owner's invite (students spend credits;
    the owner's own questions are previews and do not)."""
    student, res = join(app, invite(owner), {"name": username.title(), "username": username,
                                             "password": "compilers rule"})
    assert res.status_code == 302
    return student


def test_tier_table_defaults_and_overrides_from_settings(tmp_path):
    assert list(DEFAULT_TIERS) == ["free", "starter", "pro", "enterprise"]
    (tmp_path / "d").mkdir()
    (tmp_path / "d" / "settings.toml").write_text(
        '[tiers.pro]\nvideos_per_month = 7\nstorage_bytes = -1\ncheckout_url = "https://whop.com/checkout/plan_pro"\n')
    settings = load_settings(tmp_path / "d", env={})
    pro = tier_for(settings, "pro")
    assert pro.videos_per_month == 7 and pro.storage_bytes is None  # -1: unlimited
    assert pro.checkout_url.endswith("plan_pro") and pro.credits_per_month == DEFAULT_TIERS["pro"].credits_per_month
    assert tier_for(settings, "no-such-tier").name == "free"
    assert next_tier(settings, tier_for(settings, "starter")).name == "pro"
    assert next_tier(settings, tier_for(settings, "enterprise")) is None
    env = load_settings(tmp_path / "e", env={"CHRONOS_TIERS": json.dumps({"free": {"storage_bytes": GB}})})
    assert tier_table(env)["free"].storage_bytes == GB
    with pytest.raises(ValueError):
        tier_table(load_settings(tmp_path / "f", env={}, tiers={"free": {"bogus": 1}}))


def test_storage_limit_at_its_edge(apps):
    limit = SIZE["rivers.m4a"] + SIZE["silent.mp4"]  # exactly two files
    app, owner = apps(tiers={"free": {"storage_bytes": limit}})
    assert upload(owner, FIXTURES / "rivers.m4a").status_code == 201
    assert upload(owner, FIXTURES / "silent.mp4").status_code == 201  # fills it to the byte
    res = upload(owner, FIXTURES / "silent.mp4")
    assert res.status_code == 413 and "storage" in res.get_json()["error"]
    assert stored(app) == (2, 2, 0, 0)  # refused before it was stored: no file, no row, no hold


def test_video_quota_and_largest_upload_at_their_edges(apps):
    app, owner = apps(tiers={"free": {"videos_per_month": 2, "max_upload_bytes": SIZE["rivers.m4a"]}})
    assert upload(owner, FIXTURES / "rivers.m4a").status_code == 201  # exactly the largest allowed
    res = upload(owner, FIXTURES / "rivers.m4a", data=(FIXTURES / "rivers.m4a").read_bytes() + b"\0")
    assert res.status_code == 413 and "upload limit of the Free plan" in res.get_json()["error"]  # 1 byte over
    assert upload(owner, FIXTURES / "silent.mp4").status_code == 201
    res = upload(owner, FIXTURES / "silent.mp4")
    assert res.status_code == 402 and "2 uploads a month" in res.get_json()["error"]
    assert "reset on" in res.get_json()["error"]
    assert stored(app) == (2, 2, 0, 0)
    # Deleting a video that completed frees storage but not the month's uploads (one deleted
    # before it ever completed gives its upload back: tests/test_fair_quota.py).
    vid = owner.get("/api/videos").get_json()[0]["id"]
    with app.extensions["chronos"].db.connection() as conn:
        videos.set_status(conn, vid, "completed")
    assert owner.delete(f"/api/videos/{vid}", headers={"X-CSRF-Token": csrf(owner)}).status_code in (200, 204)
    assert upload(owner, FIXTURES / "silent.mp4").status_code == 402


def test_credits_and_the_daily_question_limit(apps):
    app, owner = apps(tiers={"free": {"credits_per_month": 3, "questions_per_student_per_day": 1}})
    student = a_student(app, owner)
    assert ask(student, "What is a river?").status_code == 200
    refused = ask(student, "Why is the sky blue?")
    assert refused.status_code == 429
    assert "ask again from" in refused.get_json()["error"] and "00:00 UTC" in refused.get_json()["error"]
    for question in ("What is a valley?", "What is a gorge?"):  # the owner's previews spend no credit
        assert ask(owner, question).status_code == 200
    assert ask(a_student(app, owner, "ada"), "What is a delta?").status_code == 200
    assert ask(a_student(app, owner, "alan"), "What is a lake?").status_code == 200  # the last credit
    refused = ask(a_student(app, owner, "edsger"), "What is an estuary?")
    assert refused.status_code == 429 and "reset on" in refused.get_json()["error"]
    assert ask(owner, "What is an estuary?").status_code == 200  # previews go on when credits are used up
    body = owner.get("/api/usage").get_json()
    assert body["meters"]["credits"] == {"used": 3, "limit": 3} and body["owner_previews"] == 3


def test_a_cached_answer_gives_its_credit_back(apps):
    app, owner = apps(tiers={"free": {"credits_per_month": 2}})
    student = a_student(app, owner)
    assert ask(student, "What is a river?").status_code == 200
    again = ask(student, "What is a river?")
    assert again.status_code == 200 and again.get_json()["cached"]
    assert owner.get("/api/usage").get_json()["meters"]["credits"]["used"] == 1


def test_api_usage_shape_and_the_usage_page(apps):
    app, owner = apps(tiers={"free": {"videos_per_month": 1, "checkout_url": "x"},
                             "starter": {"checkout_url": "https://whop.com/checkout/plan_starter"}})
    assert upload(owner, FIXTURES / "silent.mp4").status_code == 201
    body = owner.get("/api/usage").get_json()
    assert body["tier"] == "free" and len(body["period_start"]) == 10 and body["period_start"].endswith("-01")
    assert set(body["meters"]) == {"videos", "storage_bytes", "credits", "students"}
    assert body["meters"]["videos"] == {"used": 1, "limit": 1}
    assert body["meters"]["storage_bytes"]["used"] == SIZE["silent.mp4"]
    page = owner.get("/usage").get_data(as_text=True)
    assert 'id="upgrade"' in page and "Upgrade to Starter" in page
    assert "https://whop.com/checkout/plan_starter" in page and 'data-level="red"' in page
    anonymous = app.test_client()
    assert anonymous.get("/api/usage").status_code == 401


def test_rate_limits_per_user_per_address_and_for_questions(apps):
    app, owner = apps(rate_per_user_per_min=5)
    codes = [owner.get("/api/videos").status_code for _ in range(6)]
    assert codes == [200] * 5 + [429]  # the sign-in counted against the address only
    res = owner.get("/api/videos")
    assert int(res.headers["Retry-After"]) >= 1 and "Too many requests" in res.get_json()["error"]
    other = app.test_client()  # same address, nobody signed in: the address limit is far off
    assert other.get("/login").status_code == 200
    _, owner2 = apps(rate_per_address_per_min=3)
    assert [owner2.get("/api/usage").status_code for _ in range(3)] == [200, 200, 429]  # sign-in was 1
    _, owner3 = apps(rate_questions_per_min=1)
    assert ask(owner3, "What is a river?").status_code == 200
    assert ask(owner3, "What is a lake?").status_code == 429


SECRET = "ws_tiers_secret"


@pytest.fixture(scope="module")
def fake():
    with FakeWhop() as whop:
        yield whop


def test_a_tier_change_through_a_webhook_applies_at_once(apps, fake):
    env = {"WHOP_CLIENT_ID": fake.client_id, "WHOP_CLIENT_SECRET": fake.client_secret,
           "WHOP_APP_ID": fake.app_id, "WHOP_API_KEY": fake.api_key, "WHOP_WEBHOOK_SECRET": SECRET,
           "WHOP_COMPANY_ID": fake.company_id, "WHOP_BASE_URL": fake.url}
    app, owner = apps(env=env, whop_tier_plans="plan_chronos_pro=pro,plan_chronos_starter=starter",
                      tiers={"free": {"videos_per_month": 1, "credits_per_month": 1}}, rate_webhooks_per_min=4)
    hook = app.test_client()
    student = a_student(app, owner)
    assert upload(owner, FIXTURES / "silent.mp4").status_code == 201
    assert upload(owner, FIXTURES / "rivers.m4a").status_code == 402
    assert ask(student, "What is a river?").status_code == 200
    assert ask(student, "What is a lake?").status_code == 429
    pay = payment_event("payment.succeeded", "pay_t1", "mem_c1", "user_creator", usd_total=99.0,
                        paid_at="2026-11-03T09:00:00Z", plan_id="plan_chronos_pro")
    res = hook.post("/webhooks/whop", data=(d := deliver(pay, SECRET))[0], headers=d[1])
    assert res.status_code == 200 and res.get_json()["outcome"] == "applied"
    # The very next requests see the Pro limits.
    assert owner.get("/api/usage").get_json()["tier"] == "pro"
    assert upload(owner, FIXTURES / "rivers.m4a").status_code == 201
    assert ask(student, "What is a lake?").status_code == 200
    # The plan's membership ending drops the creator to Free at once.
    gone = membership_event("membership.deactivated", "mem_c1", "user_creator", "canceled",
                            "2026-11-04T09:00:00Z", plan_id="plan_chronos_pro")
    res = hook.post("/webhooks/whop", data=(d := deliver(gone, SECRET))[0], headers=d[1])
    assert res.get_json()["outcome"] == "applied" and "tier free" in res.get_json()["detail"]
    assert owner.get("/api/usage").get_json()["tier"] == "free"
    assert upload(owner, FIXTURES / "silent.mp4").status_code == 402
    late = membership_event("membership.activated", "mem_c1", "user_creator", "active",
                            "2026-11-02T09:00:00Z", plan_id="plan_chronos_pro")
    res = hook.post("/webhooks/whop", data=(d := deliver(late, SECRET))[0], headers=d[1])
    assert res.get_json()["outcome"] == "stale"  # an older activation arriving late changes nothing
    assert owner.get("/api/usage").get_json()["tier"] == "free"
    # Webhooks skip the user limits; a flood of invalid deliveries from one address is cut off.
    assert [hook.post("/webhooks/whop", data=b"{}").status_code for _ in range(5)] == [401] * 4 + [429]


def test_the_websocket_says_when_questions_reset(apps):
    from simple_websocket import Client

    from tests.conftest import LiveServer, sign_in_cookie

    app, owner = apps(tiers={"free": {"credits_per_month": 0}})
    a_student(app, owner)
    with app.extensions["chronos"].db.connection() as conn:
        sid = conn.execute("SELECT id FROM students").fetchone()[0]
    cookie = app.session_interface.get_signing_serializer(app).dumps(sign_in_cookie(app, student_id=sid))
    server = LiveServer(app)
    try:
        ws = Client.connect(server.url.replace("http", "ws") + "/ws/chat",
                            headers={"Cookie": f"{app.config['SESSION_COOKIE_NAME']}={cookie}"})
        ws.send(json.dumps({"type": "ask", "message": "What is a river?"}))
        event = json.loads(ws.receive(timeout=30))
        ws.close()
    finally:
        server.stop()
    assert event["type"] == "error" and "reset on" in event["error"] and event["retryable"] is False
