"""Rating an answer: stored, changed, checked, counted in the dashboard's helpful share, listed with
its reason, and in the chat CSV export."""
from __future__ import annotations

import csv
import io
from datetime import datetime, timezone

import pytest

from chronos.models import activity, chat
from chronos.operations.ratings import COMMENT_MAX
from tests.conftest import add_video, csrf
from tests.test_courses_api import student_client


def exchange(conn, student_id: int | None, question: str, video_id: int, start_s: float) -> tuple[int, int]:
    """A question and its answer citing video_id at start_s, in a new chat of the student (None: owner)."""
    session = chat.create_session(conn, 1, student_id, question)
    question_id = chat.add_message(conn, session.id, "user", question)
    answer_id = chat.add_message(conn, session.id, "assistant", f"The answer to {question}", answerer="offline",
                                 citations=[chat.Citation(video_id, "", start_s, start_s + 5, 0.8, "quoted")])
    if student_id is not None:
        activity.record_question(conn, student_id, question_id)
    return session.id, answer_id


@pytest.fixture
def world(app, services, owner_client):
    video = add_video(services, "photosynthesis.mp4", title="Leaves")
    grace, grace_user = student_client(app, services, "grace")
    henry, henry_user = student_client(app, services, "henry")
    with services.db.connection() as conn:
        g1 = exchange(conn, grace_user.id, "What is chlorophyll?", video.id, 12.7)
        g2 = exchange(conn, grace_user.id, "Why are leaves green?", video.id, 30.0)
        h1 = exchange(conn, henry_user.id, "What does light do?", video.id, 44.0)
        own = exchange(conn, None, "Is my lecture clear?", video.id, 3.0)
    return {"video": video.id, "grace": grace, "henry": henry, "owner": owner_client,
            "grace_id": grace_user.id, "g1": g1, "g2": g2, "h1": h1, "own": own}


def rate(client, message_id: int, body: dict):
    return client.post(f"/api/chat/messages/{message_id}/rating", json=body, headers={"X-CSRF-Token": csrf(client)})


def test_a_rating_is_stored_changed_and_shown_with_the_chat(world):
    grace, (session_id, answer_id) = world["grace"], world["g1"]
    res = rate(grace, answer_id, {"helpful": True})
    assert res.status_code == 200 and res.get_json()["helpful"] is True
    res = rate(grace, answer_id, {"helpful": False, "reason": "wrong_moment", "comment": "  It is at 0:40.  "})
    assert res.status_code == 200
    assert res.get_json() | {"updated_at": None} == {"message_id": answer_id, "student_id": world["grace_id"],
                                                    "helpful": False, "reason": "wrong_moment",
                                                    "comment": "It is at 0:40.", "updated_at": None}
    messages = grace.get(f"/api/chat/sessions/{session_id}").get_json()["messages"]
    assert [m["rating"] and m["rating"]["reason"] for m in messages] == [None, "wrong_moment"]
    # Changed, not added: one rating per rater per answer.
    rate(grace, answer_id, {"helpful": True})
    messages = grace.get(f"/api/chat/sessions/{session_id}").get_json()["messages"]
    assert messages[1]["rating"]["helpful"] is True and messages[1]["rating"]["reason"] is None


def test_ratings_are_checked(world):
    grace, answer_id = world["grace"], world["g1"][1]
    question_id = answer_id - 1
    cases = [({"helpful": "yes"}, 400), ({}, 400), ({"helpful": False, "reason": "boring"}, 400),
             ({"helpful": True, "reason": "wrong_answer"}, 400),
             ({"helpful": False, "comment": "x" * (COMMENT_MAX + 1)}, 400), ({"helpful": False, "comment": 5}, 400)]
    for body, status in cases:
        res = rate(grace, answer_id, body)
        assert res.status_code == status, (body, res.get_json())
        assert "error" in res.get_json()
    assert rate(grace, answer_id, {"helpful": False, "comment": "x" * COMMENT_MAX}).status_code == 200
    assert rate(grace, question_id, {"helpful": True}).status_code == 400
    # Only the asker of that chat, or the owner, may rate it.
    assert rate(world["henry"], answer_id, {"helpful": False}).status_code == 404
    assert rate(grace, world["own"][1], {"helpful": True}).status_code == 404
    assert rate(grace, 10_000, {"helpful": True}).status_code == 404
    assert rate(world["owner"], world["h1"][1], {"helpful": False, "reason": "other"}).status_code == 200
    assert rate(world["owner"], world["own"][1], {"helpful": True}).status_code == 200
    anonymous = world["grace"].application.test_client()
    assert rate(anonymous, answer_id, {"helpful": True}).status_code in (401, 403)


def test_the_dashboard_counts_the_share_and_lists_the_unhelpful(world):
    owner = world["owner"]
    rate(world["grace"], world["g1"][1], {"helpful": True})
    rate(world["grace"], world["g2"][1], {"helpful": False, "reason": "not_in_course", "comment": "Nothing on stomata"})
    rate(world["henry"], world["h1"][1], {"helpful": True})
    rate(owner, world["own"][1], {"helpful": False, "reason": "wrong_answer"})  # listed, not in the share
    got = owner.get("/api/analytics/overview?range=7d").get_json()
    helpful = got["headline"]["helpful"]
    assert (helpful["value"], helpful["rated"], helpful["helpful"]) == (66.7, 3, 2)
    assert helpful["previous"] is None and helpful["change_pct"] is None
    listed = {u["message_id"]: u for u in got["unhelpful"]}
    assert set(listed) == {world["g2"][1], world["own"][1]}
    stomata = listed[world["g2"][1]]
    assert stomata["question"] == "Why are leaves green?" and stomata["answer"] == "The answer to Why are leaves green?"
    assert (stomata["reason"], stomata["reason_label"], stomata["comment"], stomata["rater"]) == \
        ("not_in_course", "Not in the course", "Nothing on stomata", "Grace")
    assert [(c["title"], c["at"], c["url"]) for c in stomata["citations"]] == \
        [("Leaves", "0:30", f"/videos/{world['video']}?t=30")]
    assert listed[world["own"][1]]["rater"] == "You"
    # Changing a rating changes the share: Grace now found both helpful.
    rate(world["grace"], world["g2"][1], {"helpful": True})
    got = owner.get("/api/analytics/overview?range=7d").get_json()
    assert got["headline"]["helpful"]["value"] == 100.0 and [u["message_id"] for u in got["unhelpful"]] == [world["own"][1]]


def test_no_ratings_is_no_share(world):
    helpful = world["owner"].get("/api/analytics/overview?range=30d").get_json()["headline"]["helpful"]
    assert helpful == {"value": None, "previous": None, "change_pct": None, "rated": 0, "helpful": 0}


def test_the_chat_export_has_the_rating(world, services):
    rate(world["grace"], world["g2"][1], {"helpful": False, "reason": "wrong_moment", "comment": "later"})
    rate(world["henry"], world["h1"][1], {"helpful": True})
    rate(world["owner"], world["g1"][1], {"helpful": False})  # the owner's rating is not the student's
    with services.db.connection() as conn:
        today = activity.creator_date(conn, 1, datetime.now(timezone.utc))
    res = world["owner"].get(f"/api/analytics/export?report=chat&from={today}&to={today}")
    rows = list(csv.DictReader(io.StringIO(res.get_data(as_text=True))))
    got = {r["question"]: (r["rating"], r["rating_reason"], r["rating_comment"]) for r in rows}
    assert got == {"What is chlorophyll?": ("", "", ""), "Why are leaves green?": ("not helpful", "wrong_moment", "later"),
                   "What does light do?": ("helpful", "", "")}
