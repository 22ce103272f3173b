"""The dashboard overview against hand-computed expectations (tests/analytics_data.py), range
boundaries, the previous period and the reporting time zone."""
from __future__ import annotations

from datetime import date, datetime, timezone

import pytest

from chronos.models import activity, creators
from chronos.models.analytics_overview import overview
from chronos.models.analytics_range import RangeError, resolve
from chronos.web.analytics_json import overview_json
from tests import analytics_data
from tests.analytics_data import EXPECTED_30D as E

TODAY = date(2026, 11, 24)  # a Tuesday: Alice and Bob join in 2026-W46, Cara in W47, Eve in W48
NOON = datetime(2026, 11, 24, 12, 0, tzinfo=timezone.utc)


@pytest.fixture
def data(services):
    with services.db.connection() as conn:
        owner = creators.create_owner(conn, "Ada", "correct horse battery")
        return analytics_data.build(conn, owner.id, today=TODAY), owner.id


def run(services, creator_id: int, key: str, now: datetime = NOON) -> dict:
    """The overview for a range as GET /api/analytics/overview returns it."""
    with services.db.connection() as conn:
        return overview_json(overview(conn, creator_id, resolve(conn, creator_id, key, now=now)))


def test_headline_numbers_and_previous_period(services, data):
    ds, cid = data
    got = run(services, cid, "30d")
    assert got["range"] == {"key": "30d", "from": "2026-10-26", "to": "2026-11-24", "timezone": "UTC",
                            "previous_from": "2026-09-26", "previous_to": "2026-10-25"}
    head = got["headline"]
    for key, expected in E["headline"].items():
        assert {k: head[key][k] for k in ("value", "previous", "change_pct")} == expected, key
    assert "completion rate" in head["engagement"]["formula"]


def test_charts_over_time(services, data):
    ds, cid = data
    got = run(services, cid, "30d")
    assert len(got["views_over_time"]) == 30 and got["views_over_time"][-1]["date"] == "2026-11-24"
    nonzero = [(d["date"], d["views"], d["watch_s"]) for d in got["views_over_time"] if d["views"]]
    assert nonzero == [(ds.day(n), v, w) for n, v, w in E["views"]]
    assert [(v["video_id"], v["views"], v["watch_s"]) for v in got["top_videos"]] == [
        (ds.videos[name], views, watch) for name, views, watch in E["top_videos"]]
    assert [b["students"] for b in got["watch_time"]] == E["watch_time"]
    daily = [(d["period"], d["students"]) for d in got["active_students"]["daily"] if d["students"]]
    assert daily == [(ds.day(n), k) for n, k in E["daily_active"]]
    # every week touching Oct 26 - Nov 24, zeros included; W46: Alice, Bob; W47: Bob (d5, and his
    # sign-in d6), Cara (d3), Alice (d7, d2); W48 (Mon-Tue): Cara, Dan, Eve
    weekly = [(p["period"], p["students"]) for p in got["active_students"]["weekly"]]
    assert weekly == [("2026-W44", 0), ("2026-W45", 0), ("2026-W46", 2), ("2026-W47", 3), ("2026-W48", 3)]
    monthly = [(p["period"], p["students"]) for p in got["active_students"]["monthly"]]
    assert monthly == [("2026-10", 0), ("2026-11", 5)]
    assert [s["students"] for s in got["journey"]] == E["journey"]
    messages = [(m["date"], m["messages"]) for m in got["messages_per_day"] if m["messages"]]
    assert messages == [(ds.day(n), k) for n, k in E["messages"]]
    assert got["messages_by_hour"] == [E["by_hour"].get(h, 0) for h in range(24)]
    assert [(v["video_id"], v["questions"]) for v in got["top_videos_by_questions"]] == [
        (ds.videos[name], n) for name, n in E["top_by_questions"]]


def test_retention_cohorts(services, data):
    got = run(services, data[1], "30d")["retention"]
    assert [(c["cohort"], c["size"]) for c in got] == [("2026-W46", 2), ("2026-W47", 1), ("2026-W48", 1)]
    w46, w47, w48 = (c["days"] for c in got)
    # Alice: days 0, 1, 3 (sign-in d7), 8; Bob: days 0, 4 (sign-in d6), 5; today is day 10
    assert w46[:11] == [100.0, 50.0, 0.0, 50.0, 50.0, 50.0, 0.0, 0.0, 50.0, 0.0, 0.0]
    assert w46[11:] == [None] * 20
    assert w47 == [100.0, 0.0, 100.0, 0.0] + [None] * 27  # Cara: days 0 and 2; today is day 3
    assert w48 == [100.0] + [None] * 30


def test_courses_and_needs_attention(services, data):
    ds, cid = data
    got = run(services, cid, "30d")
    [course] = got["courses"]
    want = E["course"]
    assert {k: course[k] for k in ("enrolled", "started", "half", "completed")} == {
        k: want[k] for k in ("enrolled", "started", "half", "completed")}
    assert [(m["module_id"], m["started"], m["completed"]) for m in course["modules"]] == [
        (mid, s, c) for mid, (s, c) in zip(ds.modules, want["modules"])]
    attention = got["needs_attention"]
    assert [(a["video_id"], a["questions"], a["peak_s"]) for a in attention] == [
        (ds.videos[name], q, peak) for name, q, peak in E["attention"]]
    assert attention[0]["reason"] == ("4 questions in 3 views, most about 1:45; 2 of 4 students stopped"
                                      " in the first quarter without finishing.")
    assert attention[1]["reason"] == "1 question in 3 views, most about 0:35."  # not "1 questions"


def test_seven_day_boundaries(services, data):
    """Bob's sign-in on the first day of "7d" (d6 00:30) counts; Alice's on the day before does not."""
    ds, cid = data
    got = run(services, cid, "7d")
    assert got["range"]["from"] == ds.day(6) and got["range"]["previous_to"] == ds.day(7)
    daily = [(d["period"], d["students"]) for d in got["active_students"]["daily"]]
    assert daily == [(ds.day(n), k) for n, k in ((6, 1), (5, 1), (4, 0), (3, 1), (2, 1), (1, 1), (0, 2))]
    # the 7 days before (d13..d7): Alice (d10, d9, d7) and Bob (d10)
    assert got["headline"]["students"] == {"value": 5, "previous": 2, "change_pct": 150.0}
    assert got["headline"]["messages"]["value"] == 6
    assert sum(d["views"] for d in got["views_over_time"]) == 5  # d5, d3, d2, d1, d0


def test_all_time_uses_whole_history(services, data):
    ds, cid = data
    got = run(services, cid, "all")
    assert got["range"]["from"] == ds.day(45) and got["range"]["previous_from"] is None
    assert got["headline"]["students"] == {"value": 5, "previous": None, "change_pct": None}
    assert got["headline"]["videos"]["value"] == 3
    assert len(got["views_over_time"]) == 46
    # Dan joined in October: the journey counts all five
    assert [s["students"] for s in got["journey"]] == [5, 4, 3, 1]
    weekly = {p["period"]: p["students"] for p in got["active_students"]["weekly"]}
    assert weekly["2026-W46"] == 2 and weekly["2026-W48"] == 3 and sum(weekly.values()) == 11
    monthly = {p["period"]: p["students"] for p in got["active_students"]["monthly"]}
    assert monthly == {"2026-10": 1, "2026-11": 5}


def test_reporting_time_zone_shifts_dates_and_hours(services):
    """03:30 UTC on Nov 20 is 22:30 on Nov 19 in New York: the question lands on the 19th, hour 22."""
    with services.db.connection() as conn:
        owner = creators.create_owner(conn, "Ada", "correct horse battery")
        ds = analytics_data.build(conn, owner.id, today=TODAY)
        activity.set_zone(conn, owner.id, "America/New_York")
        at = datetime(2026, 11, 20, 3, 30, tzinfo=timezone.utc)
        analytics_data.ask(conn, owner.id, ds.students["eve"], "Late question?", [], at)
    got = run(services, owner.id, "7d", now=datetime(2026, 11, 24, 12, tzinfo=timezone.utc))
    assert got["range"]["timezone"] == "America/New_York"
    per_day = {m["date"]: m["messages"] for m in got["messages_per_day"]}
    assert per_day["2026-11-19"] == 3 + 1 and per_day["2026-11-20"] == 0  # Bob's three (d5) + this one
    assert got["messages_by_hour"][22] == 1 and got["messages_by_hour"][3] == 0
    # the earlier questions keep the UTC dates and hours they were recorded under
    assert got["messages_by_hour"][10] == 3


def test_today_follows_the_zone(services):
    """At 02:00 UTC it is still yesterday in New York, so "7d" ends a day earlier."""
    with services.db.connection() as conn:
        owner = creators.create_owner(conn, "Ada", "correct horse battery")
        early = datetime(2026, 11, 24, 2, 0, tzinfo=timezone.utc)
        assert resolve(conn, owner.id, "7d", now=early).last == "2026-11-24"
        activity.set_zone(conn, owner.id, "America/New_York")
        rng = resolve(conn, owner.id, "7d", now=early)
        assert (rng.first, rng.last) == ("2026-11-17", "2026-11-23")
        with pytest.raises(RangeError):
            resolve(conn, owner.id, "14d")
        with pytest.raises(activity.ZoneError):
            activity.set_zone(conn, owner.id, "Mars/Olympus")
