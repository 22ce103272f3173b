"""Whop students in the analytics: joins and sign-ins through the real OAuth, iframe and webhook flows
(against the fake Whop on 127.0.0.1), shown on the overview's journey and each student's timeline."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from chronos.models import activity, people
from tests.conftest import OWNER, csrf
from tests.fakes.whop_server import deliver, membership_event
from tests.test_whop_flow import SECRET, app, fake, iframe, post_webhook, whop_sign_in  # noqa: F401

OAUTH_USER, IFRAME_USER = "user_ada1234", "user_grace99"


def owner_of(app):  # noqa: F811 - `app` is the Whop flow's fixture value here
    owner = app.test_client()
    owner.post("/login", data={**OWNER, "csrf_token": csrf(owner)})
    return owner


def student_id(app, whop_user: str) -> int:  # noqa: F811
    with app.extensions["chronos"].db.connection() as conn:
        return people.student_by_whop_user(conn, 1, whop_user).id


def kinds(owner, whop_student: int) -> list[str]:
    """The student's timeline, oldest first."""
    detail = owner.get(f"/api/analytics/students/{whop_student}").get_json()
    return [e["kind"] for e in reversed(detail["timeline"])]


def test_oauth_and_iframe_students_join_and_sign_in(app, fake):  # noqa: F811
    for user, membership in ((OAUTH_USER, "mem_ada"), (IFRAME_USER, "mem_grace")):
        fake.access[(user, fake.company_id)] = "customer"
        fake.add_membership(membership, user, "active")
    services = app.extensions["chronos"]
    with services.bus.subscribe() as events:
        assert whop_sign_in(app.test_client()).status_code == 302
        browser = app.test_client()
        for _ in range(3):  # one visit of three page loads, each carrying Whop's token
            assert iframe(browser, "/experiences/exp_1", fake.sign_user_token(IFRAME_USER)).status_code == 200
        announced = []
        while not events.empty():
            event = events.get_nowait()
            if event.get("type") == "analytics":
                announced.append(event["kind"])
    assert announced == ["signin", "signin"]
    owner = owner_of(app)
    journey = owner.get("/api/analytics/overview?range=7d").get_json()["journey"]
    assert journey[0] == {"step": "joined", "students": 2}
    assert kinds(owner, student_id(app, OAUTH_USER)) == ["joined", "signed_in"]
    grace = owner.get(f"/api/analytics/students/{student_id(app, IFRAME_USER)}").get_json()
    assert [e["text"] for e in reversed(grace["timeline"])] == ["Joined", "Signed in"]
    assert grace["student"]["last_active_at"] is not None  # the iframe keeps "last active" too


def test_an_iframe_visit_is_a_new_sign_in_after_half_an_hour_away(app, fake):  # noqa: F811
    fake.access[(IFRAME_USER, fake.company_id)] = "customer"
    fake.add_membership("mem_grace", IFRAME_USER, "active")
    assert iframe(app.test_client(), "/experiences/exp_1", fake.sign_user_token(IFRAME_USER)).status_code == 200
    grace = student_id(app, IFRAME_USER)
    now = datetime.now(timezone.utc)
    with app.extensions["chronos"].db.connection() as conn:
        # page loads every 20 minutes keep one visit going; 31 minutes away starts a new one
        counted = [activity.record_visit(conn, grace, at=now + timedelta(minutes=m)) is not None
                   for m in (20, 40, 71, 71.5)]
    assert counted == [False, False, True, False]
    assert kinds(owner_of(app), grace) == ["joined", "signed_in", "signed_in"]


def test_a_buyer_announced_by_webhook_has_joined_before_their_first_visit(app):  # noqa: F811
    c = app.test_client()
    bought = membership_event("membership.activated", "mem_7", "user_bob", "active", "2026-11-01T10:00:00Z")
    unpaid = membership_event("membership.deactivated", "mem_8", "user_eve", "expired", "2026-11-01T10:00:00Z")
    for event in (bought, unpaid):
        assert post_webhook(c, *deliver(event, SECRET)).get_json()["outcome"] == "applied"
    owner = owner_of(app)
    assert owner.get("/api/analytics/overview?range=7d").get_json()["journey"][0]["students"] == 1
    assert kinds(owner, student_id(app, "user_bob")) == ["joined"]
    assert kinds(owner, student_id(app, "user_eve")) == []  # no valid membership: not a member yet
