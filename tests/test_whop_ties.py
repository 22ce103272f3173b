"""Membership webhooks with the same event time: the later delivery wins, Whop's API settles it
when Chronos has a key, and an older event delivered late stays stale."""
from __future__ import annotations

import pytest

from chronos.db import _split_sql, connect, migrate
from chronos.models import whop_records
from chronos.models.schema import MIGRATIONS
from tests.conftest import csrf, signed_in
from tests.fakes.whop_server import FakeWhop, api_error, deliver, membership_event
from tests.test_whop_flow import SECRET, build_app, post_webhook, student_access, whop_env

USER, MEM = "user_tie", "mem_tie"
TIE = "2026-11-05T10:00:00Z"
READ_BACK = f"/api/v1/memberships/{MEM}"


@pytest.fixture
def fake():
    """A fake Whop of this test's own, so its count of read-backs starts at zero."""
    with FakeWhop() as whop:
        yield whop


@pytest.fixture
def make_app(tmp_path, fake, transcriber, embedder):
    """Chronos on this test's fake Whop, with or without an API key to read memberships back."""
    built = []

    def make(*, api_key: bool):
        env = {k: v for k, v in whop_env(fake).items() if api_key or k != "WHOP_API_KEY"}
        built.append(build_app(tmp_path / "data", env, transcriber, embedder))
        return built[-1]

    yield make
    for app in built:
        app.extensions["chronos"].close()


def event(kind: str, when: str = TIE) -> dict:
    status = "active" if kind == "membership.activated" else "expired"
    return membership_event(kind, MEM, USER, status, when)


def send(app, envelope: dict) -> dict:
    res = post_webhook(app.test_client(), *deliver(envelope, SECRET))
    assert res.status_code == 200
    return res.get_json()


def replay(app, envelope: dict) -> dict:
    owner = signed_in(app)
    with app.extensions["chronos"].db.connection() as conn:
        event_id = conn.execute("SELECT id FROM whop_events WHERE webhook_id = ?", (envelope["id"],)).fetchone()[0]
    res = owner.post(f"/api/webhooks/events/{event_id}/replay", headers={"X-CSRF-Token": csrf(owner)})
    assert res.status_code == 200
    return res.get_json()


@pytest.mark.parametrize("first, second, expected", [
    ("membership.activated", "membership.deactivated", "revoked"),
    ("membership.deactivated", "membership.activated", "active"),
])
def test_without_an_api_key_the_later_of_two_same_time_deliveries_wins(make_app, fake, first, second, expected):
    app = make_app(api_key=False)
    assert send(app, event(first))["outcome"] == "applied"
    reply = send(app, event(second))
    assert reply["outcome"] == "applied" and "the later delivery wins" in reply["detail"]
    assert student_access(app, USER) == expected
    assert fake.count(READ_BACK) == 0


def test_an_older_event_delivered_after_a_tie_stays_stale(make_app):
    app = make_app(api_key=False)
    send(app, event("membership.activated"))
    send(app, event("membership.deactivated"))
    late = send(app, event("membership.activated", "2026-11-05T09:59:59.999Z"))
    assert late["outcome"] == "stale" and student_access(app, USER) == "revoked"


def test_a_replay_keeps_its_place_in_the_order_deliveries_arrived(make_app):
    app = make_app(api_key=False)
    activated, deactivated = event("membership.activated"), event("membership.deactivated")
    send(app, activated)
    send(app, deactivated)
    # Replaying the earlier of the two tied deliveries does not undo the later one...
    assert replay(app, activated)["outcome"] == "stale"
    assert student_access(app, USER) == "revoked"
    # ...and replaying the later one applies it again, changing nothing.
    again = replay(app, deactivated)
    assert again["outcome"] == "applied" and student_access(app, USER) == "revoked"


def test_with_an_api_key_whop_settles_a_tie(make_app, fake):
    app = make_app(api_key=True)
    # Whop sent "deactivated" last, but its API says the membership is active (it was renewed).
    fake.add_membership(MEM, USER, "active", updated_at=TIE)
    activated = event("membership.activated")
    assert send(app, activated)["outcome"] == "applied"
    assert fake.count(READ_BACK) == 0  # no tie yet: Whop is not asked
    reply = send(app, event("membership.deactivated"))
    assert reply["outcome"] == "applied" and "Whop's API says active" in reply["detail"]
    assert fake.count(READ_BACK) == 1 and student_access(app, USER) == "active"
    # Whop's answer is recorded at the later delivery's place: replaying the earlier one is stale.
    assert replay(app, activated)["outcome"] == "stale"
    assert fake.count(READ_BACK) == 1 and student_access(app, USER) == "active"


def test_whop_reading_a_later_change_makes_events_before_it_stale(make_app, fake):
    app = make_app(api_key=True)
    fake.add_membership(MEM, USER, "expired", updated_at="2026-11-05T10:00:30Z")
    send(app, event("membership.activated"))
    assert "Whop's API says expired" in send(app, event("membership.deactivated"))["detail"]
    assert student_access(app, USER) == "revoked"
    between = send(app, event("membership.activated", "2026-11-05T10:00:10Z"))
    assert between["outcome"] == "stale" and student_access(app, USER) == "revoked"


def test_when_whop_cannot_be_read_back_the_later_delivery_still_wins(make_app, fake):
    app = make_app(api_key=True)
    send(app, event("membership.activated"))
    fake.script(api_error(503, "service_unavailable", "Whop is down for maintenance."))
    reply = send(app, event("membership.deactivated"))
    assert reply["outcome"] == "applied" and "the later delivery wins" in reply["detail"]
    assert "HTTP 503" in reply["detail"] and student_access(app, USER) == "revoked"


def test_memberships_recorded_before_the_receive_order_lose_a_tie_to_a_new_delivery(tmp_path):
    conn = connect(tmp_path / "old.db")
    conn.execute("CREATE TABLE schema_migrations (number INTEGER PRIMARY KEY, name TEXT NOT NULL,"
                 " applied_at TEXT NOT NULL DEFAULT 'then')")
    for number, name, sql in MIGRATIONS[:7]:  # as version 7 left it
        for statement in _split_sql(sql):
            conn.execute(statement)
        conn.execute("INSERT INTO schema_migrations(number, name) VALUES (?, ?)", (number, name))
    conn.executescript(f"""
      INSERT INTO creators(id, name) VALUES (1, 'Ada');
      INSERT INTO whop_memberships(id, creator_id, user_id, status, valid, event_time)
        VALUES ('{MEM}', 1, '{USER}', 'active', 1, '2026-11-05T10:00:00.000000Z');
    """)
    assert 10 in migrate(conn)  # the receive order
    assert conn.execute("SELECT received_order FROM whop_memberships").fetchone()[0] == 0
    tied = dict(membership_id=MEM, user_id=USER, product_id=None, plan_id=None, status="expired",
                valid=False, event_time="2026-11-05T10:00:00.000000Z")
    assert whop_records.apply_membership(conn, 1, **tied, received_order=1) is whop_records.Applied.TIED
    assert conn.execute("SELECT valid, received_order FROM whop_memberships").fetchone()[:] == (0, 1)
