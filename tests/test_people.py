"""Invites, student sign-in, revoke and restore, login limits, and who may see what."""
from __future__ import annotations

import re

import pytest

from chronos import create_app
from chronos.config import load_settings
from chronos.models import people
from tests.conftest import OWNER, add_video, csrf, process, sign_in_cookie, signed_in

STUDENT = {"name": "Grace Hopper", "username": "grace", "password": "compilers rule"}


def invite(owner_client, **body) -> str:
    res = owner_client.post("/api/invites", json=body, headers={"X-CSRF-Token": csrf(owner_client)})
    assert res.status_code == 201, res.get_json()
    return res.get_json()["url"]


def join(app, url: str, student=STUDENT):
    c = app.test_client()
    path = url.split("localhost", 1)[-1]
    return c, c.post(path, data={**student, "confirm": student["password"], "csrf_token": csrf(c)})


def test_invite_join_and_student_sees_only_the_student_side(app, owner_client, services):
    url = invite(owner_client, expires_in_days=7, max_uses=2, note="Spring")
    assert re.search(r"/join/[\w-]{20,}$", url)
    student, res = join(app, url)
    assert res.status_code == 302
    home = student.get("/").get_data(as_text=True)
    assert "Lectures" in home and "Drop videos" not in home
    assert student.get("/people").status_code == 403
    assert student.get("/api/videos").status_code == 403
    assert student.get("/api/students").status_code == 403
    listed = owner_client.get("/api/students").get_json()
    assert listed[0]["name"] == "Grace Hopper" and listed[0]["source"] == "invite"
    assert listed[0]["access"] == "active" and listed[0]["whop_user_id"] is None
    assert set(listed[0]) >= {"id", "name", "email", "whop_user_id", "access", "source", "last_active_at"}


def test_invite_limits(app, owner_client):
    url = invite(owner_client, max_uses=1)
    _, first = join(app, url)
    assert first.status_code == 302
    _, second = join(app, url, {**STUDENT, "username": "grace2"})
    assert second.status_code == 410 and "used as many times" in second.get_data(as_text=True)
    bad = owner_client.post("/api/invites", json={"expires_in_days": 0.5}, headers={"X-CSRF-Token": csrf(owner_client)})
    assert bad.status_code == 400
    assert app.test_client().get("/join/not-a-real-token").status_code == 410


def test_withdrawn_invite_and_taken_username(app, owner_client):
    url = invite(owner_client)
    join(app, url)
    _, dup = join(app, url, {**STUDENT, "name": "Another"})
    assert dup.status_code == 400 and "username is taken" in dup.get_data(as_text=True)
    invite_id = owner_client.get("/api/invites").get_json()[0]["id"]
    owner_client.delete(f"/api/invites/{invite_id}", headers={"X-CSRF-Token": csrf(owner_client)})
    _, res = join(app, url, {**STUDENT, "username": "late"})
    assert res.status_code == 410 and "withdrawn" in res.get_data(as_text=True)


def test_revoked_student_keeps_data_but_loses_access(app, owner_client, services):
    student, _ = join(app, invite(owner_client))
    with services.db.connection() as conn:
        sid = people.list_students(conn, 1)[0].id
        session = conn.execute("INSERT INTO chat_sessions(creator_id, student_id, title) VALUES (1, ?, 'mine')",
                               (sid,)).lastrowid
    assert student.get(f"/api/chat/sessions/{session}").status_code == 200
    h = {"X-CSRF-Token": csrf(owner_client)}
    assert owner_client.post(f"/api/students/{sid}/revoke", headers=h).get_json()["access"] == "revoked"
    page = student.get("/")
    assert page.status_code == 403 and "access has ended" in page.get_data(as_text=True).lower()
    assert student.get(f"/api/chat/sessions/{session}").status_code == 403
    assert owner_client.post(f"/api/students/{sid}/restore", headers=h).get_json()["access"] == "active"
    assert student.get(f"/api/chat/sessions/{session}").status_code == 401  # the revoke ended that sign-in
    again = signed_in(app, {"name": STUDENT["username"], "password": STUDENT["password"]})
    assert again.get(f"/api/chat/sessions/{session}").status_code == 200  # the chat survived


def test_students_cannot_read_each_others_chats(app, owner_client, services):
    url = invite(owner_client, max_uses=5)
    a, _ = join(app, url)
    b, _ = join(app, url, {**STUDENT, "username": "ada2", "name": "Ada"})
    with services.db.connection() as conn:
        ids = {s.username: s.id for s in people.list_students(conn, 1)}
        mine = conn.execute("INSERT INTO chat_sessions(creator_id, student_id, title) VALUES (1, ?, 'a')",
                            (ids["grace"],)).lastrowid
    assert a.get(f"/api/chat/sessions/{mine}").status_code == 200
    assert b.get(f"/api/chat/sessions/{mine}").status_code == 404
    assert [s["id"] for s in b.get("/api/chat/sessions").get_json()] == []
    assert owner_client.get(f"/api/chat/sessions/{mine}").status_code == 404  # the owner's chats are separate


def test_login_attempts_are_rate_limited(tmp_path, transcriber, embedder):
    settings = load_settings(tmp_path / "d", env={}, whisper_model="tiny.en", run_scheduler=False,
                             login_attempts=3)
    app = create_app(settings, transcriber=transcriber, embedder=embedder)
    try:
        c = app.test_client()
        c.post("/setup", data={**OWNER, "confirm": OWNER["password"], "csrf_token": csrf(c)})
        c.post("/logout", data={"csrf_token": csrf(c)})
        codes = [c.post("/login", data={"name": OWNER["name"], "password": "wrong", "csrf_token": csrf(c)}).status_code
                 for _ in range(4)]
        assert codes == [401, 401, 401, 429]
        blocked = c.post("/login", data={**OWNER, "csrf_token": csrf(c)})
        assert blocked.status_code == 429 and "Too many sign-in attempts" in blocked.get_data(as_text=True)
    finally:
        app.extensions["chronos"].close()


def test_session_cookie_flags(owner_client):
    res = owner_client.post("/login", data={**OWNER, "csrf_token": csrf(owner_client)})
    cookie = res.headers.get("Set-Cookie", "")
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_pages_refuse_framing_outside_whop(owner_client):
    csp = owner_client.get("/").headers["Content-Security-Policy"]
    assert "frame-ancestors 'self' https://whop.com https://*.whop.com" in csp


def test_students_see_only_published_completed_videos(app, owner_client, services):
    done, queued = add_video(services, "rivers.m4a"), add_video(services, "silent.mp4")
    process(services, done.id)
    student, _ = join(app, invite(owner_client))
    assert "Rivers" in student.get("/").get_data(as_text=True)
    assert student.get(f"/videos/{done.id}").status_code == 200
    assert student.get(f"/media/videos/{done.id}").status_code == 200
    assert student.get(f"/videos/{queued.id}").status_code == 404
    assert student.get(f"/media/videos/{queued.id}").status_code == 404
    page = student.get(f"/videos/{done.id}").get_data(as_text=True)
    assert "Delete video" not in page and "Processing" not in page


def test_chat_websocket_admits_students_with_access_only(app, owner_client, services):
    import json

    from simple_websocket import Client, ConnectionClosed

    from tests.conftest import LiveServer

    student, _ = join(app, invite(owner_client))
    with services.db.connection() as conn:
        sid = people.list_students(conn, 1)[0].id
    cookie = app.session_interface.get_signing_serializer(app).dumps(sign_in_cookie(app, student_id=sid))
    server = LiveServer(app)
    try:
        url = server.url.replace("http", "ws") + "/ws/chat"
        headers = {"Cookie": f"{app.config['SESSION_COOKIE_NAME']}={cookie}"}
        ws = Client.connect(url, headers=headers)
        ws.send(json.dumps({"type": "ask", "message": "anything at all?"}))
        first = json.loads(ws.receive(timeout=30))
        assert first["type"] == "session" and first["session"]["student_id"] == sid
        ws.close()
        owner_client.post(f"/api/students/{sid}/revoke", headers={"X-CSRF-Token": csrf(owner_client)})
        ws = Client.connect(url, headers=headers)
        # The server closes the socket at once: the send finds it closed, or (when the client's
        # reader thread has already shut the socket) its file descriptor gone.
        with pytest.raises((ConnectionClosed, OSError)):
            ws.send(json.dumps({"type": "ask", "message": "still here?"}))
            ws.receive(timeout=10)
    finally:
        server.stop()


def test_invites_stop_at_the_tiers_active_student_limit(tmp_path, transcriber, embedder):
    settings = load_settings(tmp_path / "d", env={"CHRONOS_TIERS": '{"free": {"active_students": 1}}'},
                             whisper_model="tiny.en", run_scheduler=False)
    app = create_app(settings, transcriber=transcriber, embedder=embedder)
    try:
        owner = app.test_client()
        owner.post("/setup", data={**OWNER, "confirm": OWNER["password"], "csrf_token": csrf(owner)})
        url = invite(owner, max_uses=5)
        _, first = join(app, url)
        assert first.status_code == 302
        _, second = join(app, url, {**STUDENT, "username": "second"})
        page = second.get_data(as_text=True)
        assert second.status_code == 400 and "already has its 1 active students" in page
        assert len(owner.get("/api/students").get_json()) == 1
        assert owner.get("/api/invites").get_json()[0]["uses"] == 1  # the refused join used nothing
    finally:
        app.extensions["chronos"].close()
