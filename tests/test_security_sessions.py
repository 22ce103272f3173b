"""Issue 20.2: a session ends on the server: sign-out, a password change and a revoke end every
session of that account (a copied cookie too), and sessions have an idle and an absolute lifetime."""
from __future__ import annotations

import time

import pytest
from werkzeug.security import generate_password_hash

from chronos.config import SettingsError, load_settings
from chronos.models import creators, people
from tests.conftest import OWNER, csrf, signed_in
from tests.test_people import STUDENT, invite, join

COOKIE = "session"


def _copy(app, client):
    """Another browser holding the same cookie (an attacker who copied it)."""
    thief = app.test_client()
    thief.set_cookie(COOKIE, client.get_cookie(COOKIE).value)
    return thief


def _owner_api_works(client) -> bool:
    students = client.get("/api/students").status_code
    made = client.post("/api/invites", json={}, headers={"X-CSRF-Token": csrf(client)}).status_code
    assert (students, made) in ((200, 201), (401, 401)), (students, made)
    return students == 200


def test_a_copied_cookie_is_dead_after_sign_out(apps):
    app, owner = apps()
    thief = _copy(app, owner)
    assert _owner_api_works(thief)
    other_browser = signed_in(app)
    assert owner.post("/logout", data={"csrf_token": csrf(owner)}).status_code == 302
    assert not _owner_api_works(thief)
    assert not _owner_api_works(other_browser)  # every session of the account ends
    assert _owner_api_works(signed_in(app))  # signing in again works


def test_a_password_change_ends_every_session(apps):
    app, owner = apps()
    student, _ = join(app, invite(owner))
    assert student.get("/api/chat/sessions").status_code == 200
    with app.extensions["chronos"].db.connection() as conn:
        # Whatever path changes a password (a reset link, the CLI) goes through this column.
        conn.execute("UPDATE creators SET password_hash = ? WHERE id = ?",
                     (generate_password_hash("a brand new password"), creators.get_owner(conn).id))
        conn.execute("UPDATE students SET password_hash = ? WHERE username = ?",
                     (generate_password_hash("another new one"), STUDENT["username"]))
    assert not _owner_api_works(owner)
    assert student.get("/api/chat/sessions").status_code == 401
    assert _owner_api_works(signed_in(app, {"name": OWNER["name"], "password": "a brand new password"}))


def test_a_revoke_ends_the_students_sessions_for_good(apps):
    app, owner = apps()
    student, _ = join(app, invite(owner))
    thief = _copy(app, student)
    with app.extensions["chronos"].db.connection() as conn:
        sid = people.list_students(conn, 1)[0].id
    h = {"X-CSRF-Token": csrf(owner)}
    assert owner.post(f"/api/students/{sid}/revoke", headers=h).status_code == 200
    assert thief.get("/api/chat/sessions").status_code == 403  # "your access has ended"
    assert owner.post(f"/api/students/{sid}/restore", headers=h).status_code == 200
    assert thief.get("/api/chat/sessions").status_code == 401  # the restore does not revive it
    assert student.get("/api/chat/sessions").status_code == 401
    again = signed_in(app, {"name": STUDENT["username"], "password": STUDENT["password"]})
    assert again.get("/api/chat/sessions").status_code == 200


def _age(client, **seconds_ago):
    with client.session_transaction() as s:
        for key, ago in seconds_ago.items():
            s[key] = time.time() - ago


def test_idle_and_absolute_lifetimes(apps):
    app, owner = apps(session_idle_s=3600, session_lifetime_s=86400)
    _age(owner, seen_at=3500)  # idle, but not for long enough
    assert _owner_api_works(owner)
    with owner.session_transaction() as s:
        assert time.time() - s["seen_at"] < 60  # the visit was noted: idle time starts again
    _age(owner, seen_at=3700)
    assert not _owner_api_works(owner)

    busy = signed_in(app)
    _age(busy, signed_in_at=86400 + 60, seen_at=5)  # in use a moment ago, signed in too long ago
    assert not _owner_api_works(busy)
    assert owner.get("/").headers["Location"].startswith("/login")


def test_lifetimes_must_be_sensible(tmp_path):
    with pytest.raises(SettingsError, match="session_idle_s"):
        load_settings(tmp_path, env={"CHRONOS_SESSION_IDLE_S": "5"})
    with pytest.raises(SettingsError, match="session_lifetime_s"):
        load_settings(tmp_path, env={"CHRONOS_SESSION_LIFETIME_S": "0"})


def test_the_cookie_itself_expires_with_the_lifetime(apps):
    app, _ = apps(session_lifetime_s=7200)
    client = app.test_client()
    res = client.post("/login", data={**OWNER, "csrf_token": csrf(client)})
    cookie = client.get_cookie(COOKIE)
    assert res.status_code == 302 and 7000 < cookie.expires.timestamp() - time.time() <= 7200
