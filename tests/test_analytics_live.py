"""Real writers feed the rollups: a student's sign-in, heartbeats over POST and a question through the
chat service; each is announced on the owner's /ws/live (and never to another creator's owner)."""
from __future__ import annotations

import json

from simple_websocket import Client

from chronos.models import creators, people, videos
from tests.conftest import add_video, ask, csrf, process
from tests.test_courses_api import student_client

H = {"X-CSRF-Token": "student-csrf"}


def analytics_event(ws: Client, limit: int = 1000) -> dict:
    """The next analytics event on the websocket (pings and pipeline events skipped)."""
    for _ in range(limit):
        event = json.loads(ws.receive(timeout=30))
        if event.get("type") == "analytics":
            return event
    raise AssertionError("no analytics event came")


def test_events_reach_the_owners_live_socket(live_server):
    app = live_server.app
    services = app.extensions["chronos"]
    with services.db.connection() as conn:
        owner = creators.create_owner(conn, "Ada", "correct horse battery")
        token = creators.create_token(conn, owner.id)
        video = videos.create_video(conn, creator_id=owner.id, title="Intro", original_filename="i.mp4",
                                    media_path="i.mp4", container="mp4", size_bytes=1, has_video=True,
                                    duration_s=100.0, published=True)
        videos.set_status(conn, video.id, "completed")
        _, invite = people.create_invite(conn, owner.id, expires_at=None, max_uses=None)
    ws = Client.connect(live_server.url.replace("http", "ws") + "/ws/live",
                        headers={"Authorization": f"Bearer {token}"})
    assert json.loads(ws.receive(timeout=30))["type"] == "hello"
    try:
        services.bus.publish({"type": "analytics", "creator_id": owner.id + 1, "kind": "view"})  # not ours
        student = app.test_client()
        res = student.post(f"/join/{invite}", data={"name": "Grace", "username": "grace", "password": "x" * 10,
                                                   "confirm": "x" * 10, "csrf_token": csrf(student)})
        assert res.status_code == 302, res.get_data(as_text=True)
        assert analytics_event(ws) == {"type": "analytics", "creator_id": owner.id, "kind": "signin"}
        beat = lambda pos: student.post("/api/progress", json={"video_id": video.id, "position_s": pos,
                                                               "watched_s": 10, "from_s": pos - 10},
                                        headers={"X-CSRF-Token": csrf(student)})
        credited = []
        for position, kind in ((10, "view"), (20, "heartbeat")):
            res = beat(position)
            assert res.status_code == 200
            credited.append(res.get_json()["credited_s"])  # the second: what the wall clock allows
            assert analytics_event(ws)["kind"] == kind
    finally:
        ws.close()
    with services.db.connection() as conn:
        day = conn.execute("SELECT views, watch_s, sign_ins FROM student_days WHERE views > 0").fetchone()
        assert (day[0], round(day[1], 3), day[2]) == (1, round(sum(credited), 3), 1) and credited[0] == 10
        views, watch_s = conn.execute("SELECT views, total_watch_s FROM video_analytics WHERE video_id = ?",
                                      (video.id,)).fetchone()
        assert (views, round(watch_s, 3)) == (1, round(sum(credited), 3))
        kinds = [r[0] for r in conn.execute("SELECT kind FROM activity_log ORDER BY id")]
        assert kinds == ["joined", "signed_in", "watched"]


def test_a_real_question_feeds_the_rollups(app, services, owner_client):
    """Asked through POST /api/chat (the chat service, offline answerer): counted once, with its citations."""
    video_id = add_video(services, "interest.mp4").id
    assert process(services, video_id).status == "completed"
    student, row = student_client(app, services)
    with services.bus.subscribe() as events:
        answer = ask(student, "How long does it take to double money at eight percent interest?")
        announced = []
        while not events.empty():
            e = events.get_nowait()
            if e.get("type") == "analytics":
                announced.append(e)
    assert answer["citations"], answer
    assert announced == [{"type": "analytics", "creator_id": 1, "kind": "message"}]
    with services.db.connection() as conn:
        assert conn.execute("SELECT sum(questions) FROM student_days WHERE student_id = ?",
                            (row.id,)).fetchone()[0] == 1
        assert conn.execute("SELECT sum(questions) FROM video_analytics WHERE video_id = ?",
                            (video_id,)).fetchone()[0] == 1
        assert conn.execute("SELECT sum(messages) FROM creator_days").fetchone()[0] == 1
    overview = owner_client.get("/api/analytics/overview?range=7d").get_json()
    assert overview["headline"]["messages"]["value"] == 1
    assert overview["top_videos_by_questions"][0]["video_id"] == video_id
    confusion = owner_client.get(f"/api/analytics/videos/{video_id}/confusion").get_json()
    assert sum(b["questions"] for b in confusion["bins"]) >= 1
    assert confusion["moments"][0]["samples"] == ["How long does it take to double money at eight percent interest?"]
    # the owner's own preview question is not a student question
    ask(owner_client, "How long does money take to double at eight percent?")
    with services.db.connection() as conn:
        assert conn.execute("SELECT sum(messages) FROM creator_days").fetchone()[0] == 1


def test_a_question_counts_when_the_client_leaves_mid_answer(app, services, owner_client):
    """The student closes the chat after the first event: the answer never finishes, the question counts."""
    from chronos.rag.chat import Asker

    video_id = add_video(services, "interest.mp4").id
    assert process(services, video_id).status == "completed"
    _, row = student_client(app, services)
    stream = services.chat.ask(Asker(1, row.id), "How long does it take to double money at eight percent?")
    with services.bus.subscribe() as events:
        assert next(stream)["type"] == "session"
        stream.close()  # what the websocket does when its client disconnects
        announced = _drain(events)
    assert announced == [{"type": "analytics", "creator_id": 1, "kind": "message"}]
    with services.db.connection() as conn:
        assert conn.execute("SELECT sum(questions) FROM student_days WHERE student_id = ?",
                            (row.id,)).fetchone()[0] == 1
        assert conn.execute("SELECT count(*) FROM chat_messages WHERE role = 'assistant'").fetchone()[0] == 0
    assert owner_client.get("/api/analytics/overview?range=7d").get_json()["headline"]["messages"]["value"] == 1


def _drain(events) -> list[dict]:
    """The analytics events already published."""
    out = []
    while not events.empty():
        e = events.get_nowait()
        if e.get("type") == "analytics":
            out.append(e)
    return out
