"""An upload the tier cannot take is refused from its headers, before its body is read: a raw
client declares gigabytes, sends a few bytes, and gets the answer while the rest never comes."""
from __future__ import annotations

import http.client
import json
import re
import urllib.parse

import pytest

from chronos.db import Database
from chronos.models import creators, usage
from chronos.tiers import DEFAULT_TIERS
from tests.conftest import FIXTURES, OWNER, LiveServer
from tests.test_tiers import make_app

GB = 1024**3
MB = 1024**2
BOUNDARY = "chronosboundary"
# Safety net only: without the early check the server would wait for bytes that never come.
NEVER = 60


@pytest.fixture
def live(tmp_path, transcriber, embedder):
    """Start a live server on settings the test picks; returns (app, server, owner token)."""
    started = []

    def start(**overrides):
        # The server-wide cap is far above the tier's, so only the tier can refuse these bodies.
        app, _ = make_app(tmp_path / str(len(started)), transcriber, embedder,
                          max_upload_bytes=100 * GB, **overrides)
        with app.extensions["chronos"].db.connection() as conn:
            token = creators.create_token(conn, creators.get_owner(conn).id)
        server = LiveServer(app)
        started.append((app, server))
        return app, server, token
    yield start
    for app, server in started:
        server.stop()
        app.extensions["chronos"].close(wait=True)


def part_head(filename: str) -> bytes:
    return (f"--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{filename}\"\r\n"
            "Content-Type: video/mp4\r\n\r\n").encode()


def declare(server, declared: int, headers: dict, sent: bytes = b"\0" * 512):
    """POST /api/videos declaring `declared` bytes but sending only the first few; (status, body)."""
    host = urllib.parse.urlsplit(server.url)
    conn = http.client.HTTPConnection(host.hostname, host.port, timeout=NEVER)
    try:
        conn.putrequest("POST", "/api/videos")
        for name, value in {"Content-Type": f"multipart/form-data; boundary={BOUNDARY}",
                            "Content-Length": str(declared), **headers}.items():
            conn.putheader(name, value)
        conn.endheaders()
        conn.send(part_head("lecture.mp4") + sent)
        res = conn.getresponse()
        return res.status, json.loads(res.read())
    finally:
        conn.close()


def send_file(server, path, headers: dict) -> int:
    """A whole, honest upload over the same raw connection; its status."""
    body = part_head(path.name) + path.read_bytes() + f"\r\n--{BOUNDARY}--\r\n".encode()
    host = urllib.parse.urlsplit(server.url)
    conn = http.client.HTTPConnection(host.hostname, host.port, timeout=NEVER)
    try:
        conn.request("POST", "/api/videos", body=body,
                     headers={"Content-Type": f"multipart/form-data; boundary={BOUNDARY}", **headers})
        return conn.getresponse().status
    finally:
        conn.close()


def left_behind(app) -> tuple[list[str], int, int]:
    """(files under media/ other than the library's videos, video rows, open reservations)."""
    s = app.extensions["chronos"].settings
    files = [str(p.relative_to(s.media_dir)) for p in s.media_dir.rglob("*") if p.is_file()]
    with app.extensions["chronos"].db.connection() as conn:
        rows = conn.execute("SELECT count(*) FROM videos").fetchone()[0]
        held = conn.execute("SELECT count(*) FROM upload_reservations").fetchone()[0]
    return [f for f in files if not f.startswith("videos/")], rows, held


def test_a_six_gigabyte_declaration_is_refused_before_the_body(live):
    app, server, token = live()  # Free: 1 GB largest upload, 5 GB storage
    status, body = declare(server, 6 * GB, {"Authorization": f"Bearer {token}"})
    assert status == 413
    assert body["error"] == ("This upload (6 GB) is larger than the 1 GB upload limit of the Free plan. "
                             "Compress it, split it, or upgrade.")
    assert left_behind(app) == ([], 0, 0)
    assert list(app.extensions["chronos"].settings.upload_tmp_dir.iterdir()) == []


def test_storage_and_the_video_quota_are_checked_from_the_headers(live):
    app, server, token = live(tiers={"free": {"storage_bytes": 300 * MB, "videos_per_month": 1}})
    auth = {"Authorization": f"Bearer {token}"}
    status, body = declare(server, 400 * MB, auth)  # under the 1 GB largest upload, over the storage
    assert status == 413 and body["error"].startswith("This upload (400 MB) does not fit: 300 MB of")
    assert "Free plan's 300 MB storage is free. Delete videos or upgrade." in body["error"]
    assert send_file(server, FIXTURES / "silent.mp4", auth) == 201  # an honest upload still lands
    status, body = declare(server, 10 * MB, auth)
    assert status == 402 and "allows 1 upload a month and they are used" in body["error"]
    assert left_behind(app) == ([], 1, 0)


def test_a_browser_session_posting_the_csrf_field_in_the_form_is_refused_early_too(live):
    """The sign-in check reads a form's csrf_token field, which would read the body first."""
    app, server, _ = live()
    host = urllib.parse.urlsplit(server.url)
    conn = http.client.HTTPConnection(host.hostname, host.port, timeout=NEVER)
    conn.request("GET", "/login")
    res = conn.getresponse()
    page, cookie = res.read().decode(), res.getheader("Set-Cookie").split(";")[0]
    token = re.search(r'name="csrf_token" value="([^"]+)"', page)[1]
    conn.close()
    conn = http.client.HTTPConnection(host.hostname, host.port, timeout=NEVER)
    form = urllib.parse.urlencode({**OWNER, "csrf_token": token})
    conn.request("POST", "/login", body=form, headers={
        "Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie})
    res = conn.getresponse()
    res.read()
    assert res.status == 302
    cookie = res.getheader("Set-Cookie").split(";")[0]
    conn.close()
    status, body = declare(server, 6 * GB, {"Cookie": cookie})  # no X-CSRF-Token header
    assert status == 413 and "larger than the 1 GB upload limit of the Free plan" in body["error"]
    assert left_behind(app) == ([], 0, 0)


def test_a_chunked_upload_without_a_length_is_still_stopped_and_leaves_nothing(live):
    big = FIXTURES / "photosynthesis.mp4"  # 275 KB against a 100 KB largest upload
    app, server, token = live(tiers={"free": {"max_upload_bytes": 100_000}})
    body = part_head(big.name) + big.read_bytes() + f"\r\n--{BOUNDARY}--\r\n".encode()
    host = urllib.parse.urlsplit(server.url)
    conn = http.client.HTTPConnection(host.hostname, host.port, timeout=NEVER)
    try:
        pieces = iter([body[i:i + 65536] for i in range(0, len(body), 65536)])
        conn.request("POST", "/api/videos", body=pieces,
                     headers={"Content-Type": f"multipart/form-data; boundary={BOUNDARY}",
                              "Authorization": f"Bearer {token}"}, encode_chunked=True)
        res = conn.getresponse()
        status, error = res.status, json.loads(res.read())["error"]
    finally:
        conn.close()
    assert status == 413 and "larger than the 97.7 KB upload limit of the Free plan" in error
    assert left_behind(app) == ([], 0, 0)


def test_the_server_cap_below_the_plan_is_worded_as_the_server_s_with_no_upgrade_offered(tmp_path):
    with Database(tmp_path / "c.db").connection() as conn:
        conn.execute("INSERT INTO creators(id, name) VALUES (1, 'Ada')")
        free = DEFAULT_TIERS["free"]  # 1 GB largest upload
        server_cap = usage.early_refusal(conn, 1, free, 600 * MB, server_max=500 * MB)
        plan_cap = usage.early_refusal(conn, 1, free, 2 * GB, server_max=100 * GB)
        fits = usage.early_refusal(conn, 1, free, 400 * MB, server_max=500 * MB)
    assert str(server_cap) == "This upload (600 MB) is larger than the 500 MB upload limit. Compress it or split it."
    assert server_cap.status == 413 and server_cap.meter == "max_upload_bytes"
    assert str(plan_cap).endswith("the 1 GB upload limit of the Free plan. Compress it, split it, or upgrade.")
    assert fits is None
