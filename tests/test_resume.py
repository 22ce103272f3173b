"""Queued and half-done videos resume after Chronos restarts, even after kill -9."""
from __future__ import annotations

import json

from simple_websocket import Client

from chronos.db import Database
from chronos.models import stages, videos
from chronos.models.schema import INTERRUPTED_NOTE
from tests.conftest import FIXTURES
from tests.procs import Server, get_json, run_cli, upload_file


def wait_for(ws: Client, predicate, limit: int = 10_000) -> dict:
    """Read live events until one satisfies predicate."""
    for _ in range(limit):
        event = json.loads(ws.receive(timeout=180))
        if predicate(event):
            return event
    raise AssertionError("expected event never came")


def test_kill_dash_nine_mid_transcription_then_restart_completes(tmp_path):
    data = tmp_path / "data"
    token = run_cli("token", "create", "--data-dir", str(data)).stdout.strip()
    auth = {"Authorization": f"Bearer {token}"}

    server = Server(data)
    try:
        ws = Client.connect(server.url.replace("http", "ws") + "/ws/live", headers=auth)
        assert json.loads(ws.receive(timeout=30))["type"] == "hello"
        first = upload_file(server.url, token, FIXTURES / "photosynthesis.mp4")
        second = upload_file(server.url, token, FIXTURES / "interest.mp4")
        wait_for(ws, lambda e: e.get("video", {}).get("id") == first["id"]
                 and e["video"]["status"] == "transcribing" and e["video"].get("stage") == "transcribe")
        server.kill()
    finally:
        server.stop()

    db = Database(data / "chronos.db")
    with db.connection() as conn:
        assert videos.get_video(conn, first["id"]).status == "transcribing"  # caught half-done
        assert videos.get_video(conn, second["id"]).status == "pending"      # still queued

    server = Server(data)
    try:
        ws = Client.connect(server.url.replace("http", "ws") + "/ws/live", headers=auth)
        wait_for(ws, lambda e: e["type"] == "hello")
        pending = {v["id"] for v in get_json(server.url, token, "/api/videos") if v["status"] != "completed"}
        while pending:
            event = wait_for(ws, lambda e: e.get("video", {}).get("status") in ("completed", "failed"))
            assert event["video"]["status"] == "completed", event
            pending.discard(event["video"]["id"])
        listing = {v["id"]: v for v in get_json(server.url, token, "/api/videos")}
    finally:
        server.stop()
    assert listing[first["id"]]["status"] == listing[second["id"]]["status"] == "completed"
    assert listing[first["id"]]["chunks"] > 0 and listing[second["id"]]["chunks"] > 0
    with db.connection() as conn:
        every = stages.list_stages(conn, first["id"])
        resumed = videos.get_video(conn, first["id"])
    runs = [r for r in every if r.stage == "transcribe"]
    # The kill is no failed attempt: the restart carried the first on to completion, and closed
    # the run it killed (if one had begun) as interrupted.
    assert resumed.attempts == 1
    assert runs[-1].attempt == 1 and runs[-1].error is None and runs[-1].finished_at
    assert all(r.finished_at and r.error in (None, INTERRUPTED_NOTE) for r in every)


def test_websocket_refuses_anonymous_and_foreign_origin(live_server):
    import pytest
    from simple_websocket import ConnectionClosed

    from chronos.models import creators

    url = live_server.url.replace("http", "ws") + "/ws/live"
    ws = Client.connect(url)
    with pytest.raises(ConnectionClosed):
        ws.receive(timeout=10)
    with live_server.app.extensions["chronos"].db.connection() as conn:
        token = creators.create_token(conn, creators.local_creator(conn).id)
    auth = {"Authorization": f"Bearer {token}"}
    foreign = Client.connect(url, headers={**auth, "Origin": "http://evil.example"})
    with pytest.raises(ConnectionClosed):
        foreign.receive(timeout=10)
    # simple_websocket sends "Host: 127.0.0.1" without the port; a browser sends both with it.
    own = Client.connect(url, headers={**auth, "Origin": "http://127.0.0.1"})
    assert json.loads(own.receive(timeout=10))["type"] == "hello"
    own.close()
