"""The server Chronos runs on: keep-alive and websockets on the pooled server, the exposure
warning, the first-run browser decision, and a graceful stop on SIGTERM (real child processes)."""
from __future__ import annotations

import http.client
import json
import signal
import subprocess
import sys
import threading
import time

import pytest
from simple_websocket import Client

from chronos.db import Database
from chronos.models import transcripts, videos
from chronos.server import exposure_warning, make_server, should_open_browser
from tests.conftest import FIXTURES
from tests.procs import chronos_env, free_port, run_cli, upload_file


@pytest.mark.parametrize("host", ["127.0.0.1", "127.0.0.2", "::1", "localhost"])
def test_loopback_hosts_need_no_warning(host):
    assert exposure_warning(host) is None


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "192.168.1.20", "chronos.example.com"])
def test_reachable_hosts_are_warned_about_with_the_way_out(host):
    warning = exposure_warning(host)
    assert warning.startswith("Warning:") and "tunnel" in warning and "127.0.0.1" in warning


DESKTOP = {"DISPLAY": ":0"}


@pytest.mark.parametrize("case, expected", [
    (dict(has_owner=False), True),                           # first run of `chronos serve`
    (dict(has_owner=True), False),                           # later runs stay quiet
    (dict(has_owner=True, frozen=True), True),               # the double-clicked executable
    (dict(has_owner=False, no_browser=True), False),         # --no-browser
    (dict(has_owner=False, env={"CHRONOS_NO_BROWSER": "1", **DESKTOP}), False),
    (dict(has_owner=False, interactive=False), False),       # a service, a test, CI
    (dict(has_owner=False, env={}), False),                  # Linux without a display
    (dict(has_owner=False, env={}, platform="win32"), True),  # Windows always has one
])
def test_browser_opens_only_for_a_person_at_a_screen(case, expected):
    args = dict(no_browser=False, env=DESKTOP, interactive=True, frozen=False, platform="linux")
    assert should_open_browser(**(args | case)) is expected


@pytest.fixture
def pooled(app, token):
    """The app on the pooled server, in this process."""
    server = make_server(app, "127.0.0.1", 0, threads=8, timeout_s=30)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    thread.join(timeout=10)
    server.pool.shutdown(wait=False)


def test_pooled_server_keeps_connections_alive(pooled, token):
    conn = http.client.HTTPConnection("127.0.0.1", pooled.port, timeout=30)
    conn.request("GET", "/api/videos", headers={"Authorization": f"Bearer {token}"})
    first = conn.getresponse()
    assert first.status == 200 and json.loads(first.read()) == []
    sock = conn.sock
    conn.request("GET", "/login")
    second = conn.getresponse()
    second.read()
    assert second.status == 200 and second.version == 11
    assert conn.sock is sock  # the same TCP connection served both requests
    conn.close()


def test_pooled_server_carries_several_websockets_at_once(pooled, token):
    auth = {"Authorization": f"Bearer {token}"}
    sockets = [Client.connect(f"ws://127.0.0.1:{pooled.port}/ws/live", headers=auth) for _ in range(3)]
    try:
        for ws in sockets:
            assert json.loads(ws.receive(timeout=30))["type"] == "hello"
        chat = Client.connect(f"ws://127.0.0.1:{pooled.port}/ws/chat", headers=auth)
        chat.send(json.dumps({"type": "ask", "message": "What is compound interest?"}))
        events = []
        while not events or events[-1]["type"] not in ("done", "error"):
            events.append(json.loads(chat.receive(timeout=60)))
        chat.close()
        assert events[-1]["type"] == "done", events[-1]
    finally:
        for ws in sockets:
            ws.close()


class ChildServer:
    """`chronos serve` in a child process with extra settings in its environment."""

    def __init__(self, data_dir, *args: str, **env: str):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "chronos", "serve", "--data-dir", str(data_dir),
             "--port", str(self.port), *args],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=chronos_env(**env))
        self.lines = []
        for line in self.proc.stdout:  # blocks until the server says it is listening
            self.lines.append(line)
            if "Chronos is running at" in line:
                return
        raise RuntimeError(f"chronos serve exited with {self.proc.wait()}: {''.join(self.lines)}")

    def terminate(self) -> tuple[int, str]:
        """SIGTERM, then the exit code and everything printed."""
        self.proc.send_signal(signal.SIGTERM)
        rest = self.proc.stdout.read()
        return self.proc.wait(timeout=300), "".join(self.lines) + rest


def _upload_and_wait_for_transcription(server: ChildServer, token: str) -> int:
    auth = {"Authorization": f"Bearer {token}"}
    ws = Client.connect(server.url.replace("http", "ws") + "/ws/live", headers=auth)
    assert json.loads(ws.receive(timeout=30))["type"] == "hello"
    video = upload_file(server.url, token, FIXTURES / "interest.mp4")
    while True:
        event = json.loads(ws.receive(timeout=180)).get("video", {})
        if event.get("id") == video["id"] and event.get("stage") == "transcribe":
            ws.close()
            return video["id"]


def test_sigterm_lets_the_running_stage_finish(tmp_path):
    data = tmp_path / "data"
    token = run_cli("token", "create", "--data-dir", str(data)).stdout.strip()
    server = ChildServer(data, CHRONOS_SHUTDOWN_GRACE_S="600")
    video_id = _upload_and_wait_for_transcription(server, token)
    code, output = server.terminate()
    assert code == 0, output
    assert "letting the current processing stage finish" in output and "Stopped." in output
    with Database(data / "chronos.db").connection() as conn:
        stopped_at = videos.get_video(conn, video_id)
        # Transcription finished (its transcript is kept); no later stage started after the stop,
        # unless the whole video was already done before the signal arrived.
        assert stopped_at.status in ("chunking", "embedding", "completed") and stopped_at.error is None
        assert transcripts.load_segments(conn, video_id)
    restarted = ChildServer(data)  # the next start picks the video up where it stopped
    try:
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline:
            with Database(data / "chronos.db").connection() as conn:
                if videos.get_video(conn, video_id).status == "completed":
                    break
            time.sleep(0.2)
        with Database(data / "chronos.db").connection() as conn:
            assert videos.get_video(conn, video_id).status == "completed"
    finally:
        restarted.terminate()


def test_sigterm_after_the_grace_period_leaves_the_stage_to_resume(tmp_path):
    data = tmp_path / "data"
    token = run_cli("token", "create", "--data-dir", str(data)).stdout.strip()
    server = ChildServer(data, CHRONOS_SHUTDOWN_GRACE_S="0")
    video_id = _upload_and_wait_for_transcription(server, token)
    code, output = server.terminate()
    assert code == 0, output
    assert "resumes at the next start" in output
    with Database(data / "chronos.db").connection() as conn:
        assert videos.get_video(conn, video_id).status == "transcribing"  # resumed by recover()


def test_serve_on_every_interface_prints_the_exposure_warning(tmp_path):
    server = ChildServer(tmp_path / "data", "--host", "0.0.0.0")
    code, output = server.terminate()
    assert code == 0, output
    assert "Warning: Chronos is listening on every network interface" in output
    assert "Opening" not in output  # no terminal here, so no browser either
