"""Questions over the chat websocket count in the same questions-per-minute limits as POST /api/chat:
over the limit a friendly error frame says when to retry, the socket stays open, no credit is spent."""
from __future__ import annotations

import json

from simple_websocket import Client

from chronos.models import creators
from tests.conftest import LiveServer, sign_in_cookie
from tests.test_tiers import ask


def until_last(ws) -> dict:
    """The frame that ends an answer: done or error."""
    while True:
        event = json.loads(ws.receive(timeout=60))
        if event["type"] in ("done", "error"):
            return event


def credits_used(owner) -> int:
    return owner.get("/api/usage").get_json()["meters"]["credits"]["used"]


def previews(owner) -> int:
    """The owner's own questions answered this month (they spend no credits)."""
    return owner.get("/api/usage").get_json()["owner_previews"]


def test_websocket_questions_share_the_question_limit(apps):
    app, owner = apps(rate_questions_per_min=3)
    with app.extensions["chronos"].db.connection() as conn:
        token = creators.create_token(conn, creators.get_owner(conn).id)
    assert ask(owner, "What is a river?").status_code == 200  # one of the three, over HTTP
    server = LiveServer(app)
    try:
        ws = Client.connect(server.url.replace("http", "ws") + "/ws/chat",
                            headers={"Authorization": f"Bearer {token}"})
        for question in ("What is a lake?", "What is a delta?"):
            ws.send(json.dumps({"type": "ask", "message": question}))
            assert until_last(ws)["type"] == "done"
        ws.send(json.dumps({"type": "ask", "message": "What is an estuary?"}))
        refused = json.loads(ws.receive(timeout=60))
        # The socket is still open and still answers.
        ws.send("not json")
        still_open = json.loads(ws.receive(timeout=60))
        ws.close()
    finally:
        server.stop()
    assert refused["type"] == "error" and refused["retryable"] is True
    assert refused["error"].startswith("Too many requests. Try again in ")
    assert 1 <= refused["retry_after"] <= 60 and f"in {refused['retry_after']} second" in refused["error"]
    assert still_open["type"] == "error" and still_open["retryable"] is False
    assert still_open["error"].startswith("Send a JSON object, such as {\"message\"")
    assert previews(owner) == 3 and credits_used(owner) == 0  # the refused question counted nothing
    with app.extensions["chronos"].db.connection() as conn:
        asked = conn.execute("SELECT count(*) FROM chat_messages WHERE role = 'user'").fetchone()[0]
    assert asked == 3
    res = ask(owner, "What is a fjord?")  # the websocket's questions count for HTTP too
    assert res.status_code == 429 and "Too many requests" in res.get_json()["error"]


def test_a_students_websocket_questions_are_limited_too(apps):
    from tests.test_people import invite, join

    app, owner = apps(rate_questions_per_min=1)
    student, res = join(app, invite(owner))
    assert res.status_code == 302
    with app.extensions["chronos"].db.connection() as conn:
        sid = conn.execute("SELECT id FROM students").fetchone()[0]
    cookie = app.session_interface.get_signing_serializer(app).dumps(sign_in_cookie(app, student_id=sid))
    server = LiveServer(app)
    try:
        ws = Client.connect(server.url.replace("http", "ws") + "/ws/chat",
                            headers={"Cookie": f"{app.config['SESSION_COOKIE_NAME']}={cookie}"})
        ws.send(json.dumps({"type": "ask", "message": "What is a river?"}))
        assert until_last(ws)["type"] == "done"
        ws.send(json.dumps({"type": "ask", "message": "What is a lake?"}))
        refused = json.loads(ws.receive(timeout=60))
        ws.close()
    finally:
        server.stop()
    assert refused["type"] == "error" and "Too many requests" in refused["error"]
    assert credits_used(owner) == 1
