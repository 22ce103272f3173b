"""Every route × every kind of caller: only the owner and students with access get in, nothing leaks."""
from __future__ import annotations

import hashlib

import pytest

from chronos import create_app
from chronos.config import load_settings
from chronos.models import courses, creators, people
from chronos.operations import quiz as quiz_ops
from chronos.rag.chat import Asker
from tests.conftest import OWNER, add_video, process, sign_in_cookie
from tests.fakes.whop_server import FakeWhop, deliver, membership_event

SECRET = "ws_matrix_secret"
OPEN = {"auth.setup", "auth.login", "auth.join", "auth.logout", "static", "whop.start", "whop.callback",
        "whop.webhook", "resets.page"}
MEMBER = {"library.index", "library.video_page", "library.download_transcript", "library.media",
          "library.thumbnail", "chat.page", "chat.ask", "chat.sessions", "chat.session", "chat.rename",
          "chat.delete", "chat.edit", "chat.delete_message", "chat.rate", "chat.recent", "whop.experience",
          "courses.list_courses", "courses.get_course", "learn.catalog", "learn.course_page", "learn.player",
          "learn.thumbnail", "learn.heartbeat", "learn.mark_complete", "learn.course_progress",
          "quiz.video_quiz", "quiz.answer", "chapters.chapters", "chapters.chapters_vtt"}
MARKERS = ("SECRET LECTURE", "SECRET QUESTION", "SECRET COURSE", "SECRET QUIZ", "Grace Hopper", "user_gone")


@pytest.fixture(scope="module")
def world(tmp_path_factory, transcriber, embedder):
    """One Chronos holding a video, the owner's chat, and students in every state."""
    with FakeWhop() as fake:
        env = {"WHOP_CLIENT_ID": fake.client_id, "WHOP_CLIENT_SECRET": fake.client_secret,
               "WHOP_APP_ID": fake.app_id, "WHOP_API_KEY": fake.api_key, "WHOP_WEBHOOK_SECRET": SECRET,
               "WHOP_COMPANY_ID": fake.company_id, "WHOP_BASE_URL": fake.url}
        settings = load_settings(tmp_path_factory.mktemp("matrix"), env=env, whisper_model="tiny.en",
                                 run_scheduler=False)
        app = create_app(settings, transcriber=transcriber, embedder=embedder)
        sv = app.extensions["chronos"]
        with sv.db.connection() as conn:
            owner = creators.create_owner(conn, OWNER["name"], OWNER["password"])
        video = add_video(sv, "photosynthesis.mp4", title="SECRET LECTURE")
        process(sv, video.id)
        answer = sv.chat.ask_and_wait(Asker(owner.id), "SECRET QUESTION: which gas is released when water is split?")
        checkpoint = quiz_ops.generate(sv, owner.id, video.id, drafter="offline")["questions"][0]
        quiz_ops.edit_question(sv, owner.id, checkpoint["id"], {"prompt": "SECRET QUIZ: fill in _____", "status": "approved"})
        with sv.db.connection() as conn:
            course = courses.create_course(conn, owner.id, title="SECRET COURSE", published=True)
            module = courses.add_module(conn, course.id, owner.id, title="Week 1", video_ids=[video.id])
            thumb = settings.media_dir / "course_thumbnails" / "matrix.jpg"
            thumb.parent.mkdir(parents=True, exist_ok=True)
            thumb.write_bytes((settings.media_dir / "thumbnails" / f"{video.id}.jpg").read_bytes())
            courses.set_thumbnail(conn, course.id, owner.id, "course_thumbnails/matrix.jpg")
            invite, token = people.create_invite(conn, owner.id, expires_at=None, max_uses=None)
            grace = people.join_with_invite(conn, token, name="Grace Hopper", username="grace", password="x" * 10)
            revoked = people.join_with_invite(conn, token, name="Revoked", username="rev", password="x" * 10)
            people.set_owner_revoked(conn, revoked.id, True)
            creators.create_token(conn, owner.id)
        client = app.test_client()
        for event in (membership_event("membership.activated", "mem_gone", "user_gone", "active", "2026-10-01T00:00:00Z"),
                      membership_event("membership.deactivated", "mem_gone", "user_gone", "expired", "2026-10-05T00:00:00Z")):
            assert client.post("/webhooks/whop", data=deliver(event, SECRET)[0],
                               headers=deliver(event, SECRET)[1]).status_code == 200
        with sv.db.connection() as conn:
            ended = people.student_by_whop_user(conn, owner.id, "user_gone")
            assert ended.access == "revoked"
            ids = {"video_id": video.id, "session_id": answer["session_id"], "message_id": answer["message_id"],
                   "student_id": grace.id, "invite_id": invite.id, "event_id": 1, "fmt": "txt",
                   "token": "not-a-token", "experience_id": "exp_1", "company_id": fake.company_id,
                   "course_id": course.id, "module_id": module.id, "index": 0, "question_id": checkpoint["id"]}
        fake.access[("user_stranger", fake.company_id)] = "no_access"
        yield {"app": app, "fake": fake, "ids": ids, "students": {"grace": grace.id, "revoked": revoked.id,
                                                                   "ended": ended.id}}
        sv.close()


def callers(world):
    """(name, test client, extra headers) for every kind of caller."""
    app, fake, students = world["app"], world["fake"], world["students"]

    def session_client(**account):
        c = app.test_client()
        with c.session_transaction() as s:
            s.update(sign_in_cookie(app, **account) if account else {})
            s["csrf"] = "matrix-csrf"
        return c, {"X-CSRF-Token": "matrix-csrf"}

    yield "anonymous", *session_client()
    yield "student revoked by owner", *session_client(student_id=students["revoked"])
    yield "student whose membership ended", *session_client(student_id=students["ended"])
    c, _ = session_client()
    yield "whop user of another company", c, {"x-whop-user-token": fake.sign_user_token("user_stranger")}
    yield "student", *session_client(student_id=students["grace"])
    yield "owner", *session_client(creator_id=1)


def routes(app, ids):
    for rule in app.url_map.iter_rules():
        if getattr(rule, "websocket", False) or rule.endpoint == "static":
            continue
        url = rule.rule
        for name in rule.arguments:
            url = url.replace(f"<int:{name}>", str(ids[name])).replace(f"<{name}>", str(ids[name]))
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            yield rule.endpoint, method, url


def db_fingerprint(app) -> str:
    with app.extensions["chronos"].db.connection() as conn:
        parts = []
        for table in ("videos", "video_chunks", "chat_sessions", "chat_messages", "students", "invites",
                      "whop_events", "api_tokens", "creators", "courses", "course_modules", "module_videos",
                      "course_prerequisites", "video_progress", "course_progress", "video_analytics",
                      "quiz_questions", "quiz_answers"):
            rows = conn.execute(f"SELECT * FROM {table} ORDER BY rowid").fetchall()
            parts.append(repr([tuple(r) for r in rows]))
    return hashlib.sha256("".join(parts).encode()).hexdigest()


def refused(res) -> bool:
    if res.status_code in (401, 403, 404, 405, 410):
        return True
    return res.status_code == 302 and "/login" in res.headers.get("Location", "")


def test_every_route_for_every_caller(world):
    app, ids = world["app"], world["ids"]
    table = list(routes(app, ids))
    assert len(table) > 40
    for who, client, headers in callers(world):
        for endpoint, method, url in table:
            if endpoint in OPEN:
                continue
            allowed = who == "owner" or (who == "student" and endpoint in MEMBER)
            if allowed and method != "GET":
                continue  # writes by allowed callers are exercised by the feature tests
            before = db_fingerprint(app) if method != "GET" else None
            res = client.open(url, method=method, headers=headers, json={"message": "x", "title": "x"}
                              if method in ("POST", "PUT", "PATCH") else None)
            body = res.get_data().decode("utf-8", "replace")
            if allowed:
                assert not refused(res) or res.status_code == 404 and who == "student", (who, method, url, res.status_code)
                continue
            assert refused(res), (who, method, url, res.status_code)
            assert not any(m in body for m in MARKERS), (who, method, url)
            if before is not None:
                assert db_fingerprint(app) == before, (who, method, url)


def test_students_never_see_the_owners_chat(world):
    ids = world["ids"]
    for who, client, headers in callers(world):
        if who == "owner":
            continue
        res = client.get(f"/api/chat/sessions/{ids['session_id']}", headers=headers)
        assert res.status_code in (401, 403, 404) and "SECRET QUESTION" not in res.get_data(as_text=True)
