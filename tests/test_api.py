"""The owner sign-in, API tokens, CSRF and the videos JSON API, driven like a user would."""
from __future__ import annotations

from chronos.models import creators
from tests.conftest import FIXTURES, OWNER, csrf, process, upload


def test_first_start_asks_for_the_owner_account(client):
    res = client.get("/")
    assert res.status_code == 302 and res.headers["Location"].endswith("/setup")
    page = client.get("/setup").get_data(as_text=True)
    assert "Create the owner account" in page


def test_setup_validates_and_stores_a_hashed_password(client, services):
    bad = client.post("/setup", data={"name": "Ada", "password": "short", "confirm": "short",
                                      "csrf_token": csrf(client)})
    assert bad.status_code == 400 and "at least 8 characters" in bad.get_data(as_text=True)
    mismatch = client.post("/setup", data={"name": "Ada", "password": "longenough1",
                                           "confirm": "longenough2", "csrf_token": csrf(client)})
    assert "passwords differ" in mismatch.get_data(as_text=True)
    ok = client.post("/setup", data={**OWNER, "confirm": OWNER["password"], "csrf_token": csrf(client)})
    assert ok.status_code == 302
    with services.db.connection() as conn:
        stored = conn.execute("SELECT password_hash FROM creators").fetchone()[0]
    assert OWNER["password"] not in stored and stored.startswith(("scrypt:", "pbkdf2:"))
    # Setup happens once.
    assert client.get("/setup").status_code == 302


def test_library_requires_sign_in_and_login_works(owner_client, app):
    owner_client.post("/logout", data={"csrf_token": csrf(owner_client)})
    assert owner_client.get("/").headers["Location"].startswith("/login")
    wrong = owner_client.post("/login", data={"name": OWNER["name"], "password": "nope",
                                              "csrf_token": csrf(owner_client)})
    assert wrong.status_code == 401 and "match. Try again" in wrong.get_data(as_text=True)
    right = owner_client.post("/login?next=/videos/1", data={**OWNER, "csrf_token": csrf(owner_client)})
    assert right.status_code == 302 and right.headers["Location"] == "/videos/1"
    assert owner_client.get("/").status_code == 200


def test_login_never_redirects_off_site(owner_client):
    owner_client.post("/logout", data={"csrf_token": csrf(owner_client)})
    res = owner_client.post("/login?next=//evil.example/", data={**OWNER, "csrf_token": csrf(owner_client)})
    assert res.headers["Location"] == "/"


def test_api_needs_a_session_or_a_token(client, owner_client, token):
    anon = client.application.test_client()
    res = anon.get("/api/videos")
    assert res.status_code == 401 and "Bearer" in res.get_json()["error"]
    assert anon.get("/api/videos", headers={"Authorization": "Bearer chr_wrong"}).status_code == 401
    assert anon.get("/api/videos", headers={"Authorization": f"Bearer {token}"}).get_json() == []


def test_writes_without_csrf_token_are_refused(owner_client):
    res = upload(owner_client, FIXTURES / "rivers.m4a", headers={"X-CSRF-Token": "forged"})
    assert res.status_code == 403 and "CSRF" in res.get_json()["error"]
    assert owner_client.get("/api/videos").get_json() == []


def test_token_client_uploads_lists_reads_and_downloads_transcripts(app, token, services):
    api = app.test_client()
    auth = {"Authorization": f"Bearer {token}"}
    res = upload(api, FIXTURES / "rivers.m4a", headers=auth)
    assert res.status_code == 201
    created = res.get_json()
    assert created["status"] == "pending" and created["title"] == "Rivers"
    assert abs(created["duration_s"] - 20.7) < 0.5
    process(services, created["id"])
    one = api.get(f"/api/videos/{created['id']}", headers=auth).get_json()
    assert one["status"] == "completed" and one["chunks"] >= 1 and one["language"] == "en"
    assert set(one["stage_timings"]) == {"probe", "audio", "transcribe", "chunk", "embed", "chapters"}
    listing = api.get("/api/videos", headers=auth).get_json()
    assert [v["id"] for v in listing] == [created["id"]]
    tj = api.get(f"/api/videos/{created['id']}/transcript", headers=auth).get_json()
    assert tj["video_id"] == created["id"] and tj["language"] == "en"
    assert tj["segments"] and {"start_s", "end_s", "text"} <= set(tj["segments"][0])
    assert tj["chunks"] and "delta" in " ".join(c["text"] for c in tj["chunks"]).lower()
    srt = api.get(f"/api/videos/{created['id']}/transcript?format=srt", headers=auth).get_data(as_text=True)
    assert srt.startswith("1\n00:00:0") and " --> " in srt
    vtt = api.get(f"/api/videos/{created['id']}/transcript?format=vtt", headers=auth).get_data(as_text=True)
    assert vtt.startswith("WEBVTT") and "." in vtt.splitlines()[2]
    bad = api.get(f"/api/videos/{created['id']}/transcript?format=doc", headers=auth)
    assert bad.status_code == 400


def test_multiple_files_in_one_request(app, token):
    api = app.test_client()
    import io
    data = {"file": [(io.BytesIO((FIXTURES / "rivers.m4a").read_bytes()), "a.m4a"),
                     (io.BytesIO(b""), "empty.mp4")]}
    res = api.post("/api/videos", data=data, headers={"Authorization": f"Bearer {token}"},
                   content_type="multipart/form-data")
    body = res.get_json()
    assert res.status_code == 201
    assert len(body["videos"]) == 1 and body["errors"][0]["filename"] == "empty.mp4"


def test_unknown_video_is_404_and_rename_works(owner_client):
    assert owner_client.get("/api/videos/999").status_code == 404
    created = upload(owner_client, FIXTURES / "rivers.m4a").get_json()
    res = owner_client.patch(f"/api/videos/{created['id']}", json={"title": "  Rivers 101 "},
                             headers={"X-CSRF-Token": csrf(owner_client)})
    assert res.get_json()["title"] == "Rivers 101"


def test_pages_and_media_with_range_requests(owner_client, services):
    created = upload(owner_client, FIXTURES / "photosynthesis.mp4").get_json()
    process(services, created["id"])
    page = owner_client.get(f"/videos/{created['id']}").get_data(as_text=True)
    assert "chlorophyll" in page.lower() and 'data-start="' in page
    ranged = owner_client.get(f"/media/videos/{created['id']}", headers={"Range": "bytes=0-99"})
    assert ranged.status_code == 206 and len(ranged.data) == 100
    thumb = owner_client.get(f"/media/thumbnails/{created['id']}")
    assert thumb.status_code == 200 and thumb.data[:2] == b"\xff\xd8"  # a JPEG
    txt = owner_client.get(f"/videos/{created['id']}/transcript.txt")
    assert txt.status_code == 200 and "attachment" in txt.headers["Content-Disposition"]
    assert txt.get_data(as_text=True).startswith("[0:0")


def test_script_in_titles_renders_inert(owner_client, services):
    created = upload(owner_client, FIXTURES / "rivers.m4a", name="<script>alert(1)</script>.m4a").get_json()
    page = owner_client.get(f"/videos/{created['id']}").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in page
    library = owner_client.get("/").get_data(as_text=True)
    assert "<script>alert(1)" not in library  # the JSON island escapes it


def test_cli_token_is_accepted(app, owner_client, services):
    with services.db.connection() as conn:
        owner = creators.get_owner(conn)
        tok = creators.create_token(conn, owner.id, "ci")
        assert creators.list_tokens(conn, owner.id)[0].name == "ci"
        api = app.test_client()
        assert api.get("/api/videos", headers={"Authorization": f"Bearer {tok}"}).status_code == 200
        creators.revoke_token(conn, owner.id, creators.list_tokens(conn, owner.id)[0].id)
    assert api.get("/api/videos", headers={"Authorization": f"Bearer {tok}"}).status_code == 401
