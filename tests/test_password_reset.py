"""Password reset links (issue 18, point 9): the owner issues one, it works once, it expires, a
newer one replaces it, and the sign-in page says whom to ask."""
from __future__ import annotations

from chronos.models import password_resets, people
from tests.conftest import OWNER, csrf, signed_in
from tests.test_people import STUDENT, invite, join

NEW_PASSWORD = "a brand new secret"


def reset_link(owner_client, student_id: int):
    return owner_client.post(f"/api/students/{student_id}/reset-link", headers={"X-CSRF-Token": csrf(owner_client)})


def joined_student(app, owner_client) -> int:
    _, res = join(app, invite(owner_client))
    assert res.status_code == 302
    return owner_client.get("/api/students").get_json()[0]["id"]


def set_password(app, path: str, password: str = NEW_PASSWORD, confirm: str | None = None):
    c = app.test_client()
    return c, c.post(path, data={"password": password, "confirm": confirm or password, "csrf_token": csrf(c)})


def test_a_reset_link_sets_a_new_password_once(app, owner_client):
    student_id = joined_student(app, owner_client)
    res = reset_link(owner_client, student_id)
    assert res.status_code == 201
    path = res.get_json()["url"].split("localhost", 1)[-1]
    assert path.startswith("/reset/")
    page = app.test_client().get(path).get_data(as_text=True)
    assert "Choose a new password" in page and "grace" in page

    _, differs = set_password(app, path, confirm="something else entirely")
    assert differs.status_code == 400 and "differ" in differs.get_data(as_text=True)
    _, short = set_password(app, path, "short")
    assert short.status_code == 400 and "at least 8" in short.get_data(as_text=True)

    student, done = set_password(app, path)
    assert done.status_code == 302
    assert student.get("/").status_code == 200 and "Sign out" in student.get("/").get_data(as_text=True)
    signed_in(app, {"name": STUDENT["username"], "password": NEW_PASSWORD})
    old = app.test_client()
    refused = old.post("/login", data={"name": STUDENT["username"], "password": STUDENT["password"],
                                       "csrf_token": csrf(old)})
    assert refused.status_code == 401

    _, again = set_password(app, path, "yet another password")
    assert again.status_code == 410 and "used already" in again.get_data(as_text=True)
    assert app.test_client().get(path).status_code == 410


def test_a_newer_link_replaces_the_older_and_links_expire(app, owner_client, services):
    student_id = joined_student(app, owner_client)
    first = reset_link(owner_client, student_id).get_json()["url"].split("localhost", 1)[-1]
    second = reset_link(owner_client, student_id).get_json()["url"].split("localhost", 1)[-1]
    _, replaced = set_password(app, first)
    assert replaced.status_code == 410 and "replaced by a newer one" in replaced.get_data(as_text=True)
    with services.db.connection() as conn:
        _, token = password_resets.create_reset(conn, student_id, expires_at="2000-01-01T00:00:00.000Z")
    _, expired = set_password(app, f"/reset/{token}")
    assert expired.status_code == 410 and "expired" in expired.get_data(as_text=True)
    _, second_replaced = set_password(app, second)  # the expired one, made later, replaced it
    assert second_replaced.status_code == 410
    assert app.test_client().get("/reset/not-a-real-token").status_code == 410


def test_only_the_owner_issues_links_and_only_for_invited_students(app, owner_client, services):
    student_id = joined_student(app, owner_client)
    student = signed_in(app, {"name": STUDENT["username"], "password": STUDENT["password"]})
    assert reset_link(student, student_id).status_code == 403
    assert app.test_client().post(f"/api/students/{student_id}/reset-link").status_code in (401, 403)
    assert reset_link(owner_client, 999).status_code == 404
    with services.db.connection() as conn:
        whop = people.upsert_whop_student(conn, 1, whop_user_id="user_1", name="Whop Student",
                                          username=None, email=None)
    refused = reset_link(owner_client, whop.id)
    assert refused.status_code == 400 and "Whop" in refused.get_json()["error"]
    assert b"data-reset" in owner_client.get("/people").data


def test_the_sign_in_page_says_whom_to_ask(app, owner_client):
    page = app.test_client().get("/login").get_data(as_text=True)
    assert f"Forgot your password? Ask {OWNER['name']}, who can send you a reset link." in page
