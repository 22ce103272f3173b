"""Bad uploads each get their own clear message and leave everything already stored untouched."""
from __future__ import annotations

import pytest

from chronos import create_app
from chronos.config import load_settings
from tests.conftest import FIXTURES, OWNER, csrf, process, upload


def stored_files(services) -> list[str]:
    media = services.settings.media_dir
    return sorted(str(p.relative_to(media)) for p in media.rglob("*") if p.is_file())


@pytest.fixture
def existing(owner_client, services):
    """A library that already holds one good video, to prove bad uploads leave it alone."""
    res = upload(owner_client, FIXTURES / "rivers.m4a")
    assert res.status_code == 201
    video = res.get_json()
    return video, stored_files(services)


def _assert_untouched(owner_client, services, existing):
    video, files = existing
    listing = owner_client.get("/api/videos").get_json()
    assert [v["id"] for v in listing] == [video["id"]]
    assert stored_files(services) == files
    assert not any(services.settings.upload_tmp_dir.iterdir()), "a partial upload was left behind"


truncated = (FIXTURES / "photosynthesis.mp4").read_bytes()[: 140_000]

CASES = [
    ("empty.mp4", b"", 422, "empty (0 bytes)"),
    ("notes.mp4", b"These are my lecture notes, not a video.\n" * 50, 422,
     "not a video or audio file"),
    ("cut-off.mp4", truncated, 422, "damaged or incomplete"),
    ("noaudio.mp4", (FIXTURES / "noaudio.mp4").read_bytes(), 422, "no audio track"),
    ("slides.pdf", b"%PDF-1.4 not a video", 415, "not a supported type"),
]


@pytest.mark.parametrize("name,body,status,message", CASES, ids=[c[0] for c in CASES])
def test_bad_upload_is_refused_with_its_own_message(owner_client, services, existing, name, body,
                                                     status, message):
    res = upload(owner_client, FIXTURES / "rivers.m4a", name=name, data=body)
    assert res.status_code == status
    assert message in res.get_json()["error"]
    assert name in res.get_json()["error"]  # the creator sees which file it was
    _assert_untouched(owner_client, services, existing)


def test_oversize_upload_is_refused_before_it_is_stored(tmp_path, transcriber, embedder):
    settings = load_settings(tmp_path / "data", env={}, whisper_model="tiny.en", run_scheduler=False,
                             max_upload_bytes=100_000)
    app = create_app(settings, transcriber=transcriber, embedder=embedder)
    client = app.test_client()
    client.post("/setup", data={**OWNER, "confirm": OWNER["password"], "csrf_token": csrf(client)})
    res = upload(client, FIXTURES / "photosynthesis.mp4")  # 275 KB against a 98 KB limit
    assert res.status_code == 413
    assert "larger than the 97.7 KB upload limit" in res.get_json()["error"]
    assert client.get("/api/videos").get_json() == []
    media = settings.media_dir
    assert [p for p in media.rglob("*") if p.is_file()] == []
    app.extensions["chronos"].close()


def test_silent_video_fails_with_a_reason_and_can_be_retried(owner_client, services, existing):
    res = upload(owner_client, FIXTURES / "silent.mp4")
    assert res.status_code == 201
    video = process(services, res.get_json()["id"])
    assert video.status == "failed"
    assert "No speech was found" in video.error
    assert video.attempts == 1, "a permanent problem must not be retried automatically"
    retry = owner_client.post(f"/api/videos/{video.id}/retry", headers={"X-CSRF-Token": csrf(owner_client)})
    assert retry.status_code == 200 and retry.get_json()["status"] == "pending"
    # The good video is still there and still fine.
    first = owner_client.get(f"/api/videos/{existing[0]['id']}").get_json()
    assert first["status"] == "pending" and first["title"] == "Rivers"


def test_retry_is_refused_for_a_video_that_has_not_failed(owner_client, existing):
    res = owner_client.post(f"/api/videos/{existing[0]['id']}/retry",
                            headers={"X-CSRF-Token": csrf(owner_client)})
    assert res.status_code == 409 and "only failed videos" in res.get_json()["error"]


def test_a_transient_failure_is_retried_with_backoff_then_marked_failed(owner_client, services, existing):
    video_id = existing[0]["id"]
    waits = []
    calls = []

    def broken(audio, on_progress=None, **options):
        calls.append(1)
        raise RuntimeError("GPU fell off the bus")

    services.runner.pipeline.transcriber = type("Broken", (), {"name": "tiny.en",
                                                               "transcribe": staticmethod(broken)})()
    outcome = services.runner.process_until_done(video_id, sleep=waits.append)
    assert outcome.status == "failed"
    assert len(calls) == 4, "one attempt and three retries"
    base = services.settings.retry_base_s
    assert waits == [base, base * 2, base * 4]  # exponential backoff
    video = owner_client.get(f"/api/videos/{video_id}").get_json()
    assert video["status"] == "failed"
    assert "after 4 attempts" in video["error"] and "GPU fell off the bus" in video["error"]


def test_interrupted_upload_leaves_nothing_behind(live_server):
    """The browser or network dies halfway through the body: no file, no row."""
    import socket

    from chronos.models import creators

    sv = live_server.app.extensions["chronos"]
    with sv.db.connection() as conn:
        token = creators.create_token(conn, creators.local_creator(conn).id)
    payload = (FIXTURES / "photosynthesis.mp4").read_bytes()
    boundary = "chronosboundary"
    head = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"cut.mp4\"\r\n"
            "Content-Type: video/mp4\r\n\r\n").encode()
    body_len = len(head) + len(payload) + len(f"\r\n--{boundary}--\r\n")
    host, port = live_server.url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port))) as s:
        s.sendall((f"POST /api/videos HTTP/1.1\r\nHost: {host}\r\nAuthorization: Bearer {token}\r\n"
                   f"Content-Type: multipart/form-data; boundary={boundary}\r\n"
                   f"Content-Length: {body_len}\r\n\r\n").encode() + head + payload[: len(payload) // 3])
        s.shutdown(socket.SHUT_WR)  # the connection drops two thirds short
        reply = s.recv(65536)  # the server answers (or closes) once it sees the body end early
    assert not reply.startswith(b"HTTP/1.1 201")
    with sv.db.connection() as conn:
        assert conn.execute("SELECT count(*) FROM videos").fetchone()[0] == 0
    media = sv.settings.media_dir
    assert [p for p in media.rglob("*") if p.is_file()] == []
