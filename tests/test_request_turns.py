"""Requests take turns (chronos/server.py, RequestTurns): `chronos serve` works on at most
request_turns page, API and media requests at once, the others waiting in order; websockets,
questions over HTTP and uploads never wait for a turn."""
from __future__ import annotations

import http.client
import json
import threading

import pytest
from simple_websocket import Client

from chronos.config import SettingsError, load_settings
from chronos.server import RequestTurns, make_server
from tests.conftest import until

WAIT_S = 30


class Held:
    """Under the gate: a request for /held stays inside until released; the rest go to the app."""

    def __init__(self, app):
        self.app = app
        self.inside = 0
        self.entered: list[str] = []  # the other requests, in the order they got in
        self.release = threading.Semaphore(0)  # one release lets one held request go
        self._lock = threading.Lock()

    def __call__(self, environ, start_response):
        if environ["PATH_INFO"] != "/held":
            with self._lock:
                self.entered.append(f"{environ['PATH_INFO']}?{environ['QUERY_STRING']}")
            return self.app(environ, start_response)
        with self._lock:
            self.inside += 1
        self.release.acquire(timeout=WAIT_S)
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [b"held"]


@pytest.fixture
def gated(app):
    """The app on the pooled server with two request turns, /held under the gate."""
    held = app.wsgi_app = Held(app.wsgi_app)
    server = make_server(app, "127.0.0.1", 0, threads=16, timeout_s=30, request_turns=2)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    server.hold = lambda out: _get(server.port, "/held", out)
    yield server, held, app.wsgi_app
    held.release.release(2)
    server.shutdown()
    thread.join(timeout=10)
    server.pool.shutdown(wait=False)


def _get(port: int, path: str, out: list, **kw) -> threading.Thread:
    def run():
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=WAIT_S)
        conn.request(kw.get("method", "GET"), path, body=kw.get("body"), headers=kw.get("headers", {}))
        response = conn.getresponse()
        out.append((path, response.status, response.read()))
        conn.close()
    thread = threading.Thread(target=run)
    thread.start()
    return thread


def test_requests_beyond_the_turns_wait_and_then_are_served_in_order(gated):
    server, held, gate = gated
    assert isinstance(gate, RequestTurns)
    done: list = []
    holders = [server.hold(done) for _ in range(2)]
    until(lambda: held.inside == 2, "two requests inside")
    waiters = []
    for i in range(3):  # each queued before the next comes
        waiters.append(_get(server.port, f"/login?n={i}", done))
        until(lambda: len(gate.turns._waiting) == i + 1, f"request {i} to queue")
    assert done == [] and held.entered == []  # nobody got past the two turns
    held.release.release()  # one turn comes free: the waiters take it one after another
    for t in waiters:
        t.join(WAIT_S)
    assert held.entered == [f"/login?n={i}" for i in range(3)]
    assert len(done) == 4 and held.inside == 2  # the other holder still has its turn
    held.release.release()
    for t in holders:
        t.join(WAIT_S)
    assert [status for _, status, _ in done] == [200] * 5


def test_websockets_and_questions_do_not_wait_for_a_turn(gated, token):
    server, held, gate = gated
    done: list = []
    holders = [server.hold(done) for _ in range(2)]
    until(lambda: held.inside == 2, "both turns taken")
    auth = {"Authorization": f"Bearer {token}"}
    live = Client.connect(f"ws://127.0.0.1:{server.port}/ws/live", headers=auth)
    assert json.loads(live.receive(timeout=WAIT_S))["type"] == "hello"
    live.close()
    asked: list = []
    _get(server.port, "/api/chat", asked, method="POST", body=json.dumps({"message": "What is compound interest?"}),
         headers={**auth, "Content-Type": "application/json"}).join(WAIT_S)
    assert asked and asked[0][1] == 200, asked
    assert json.loads(asked[0][2])["answer"]
    assert done == [] and not gate.turns._waiting  # the holders still hold both turns
    held.release.release(2)
    for t in holders:
        t.join(WAIT_S)


def test_an_upload_sized_body_does_not_wait_for_a_turn(gated, token):
    server, held, gate = gated
    done: list = []
    holders = [server.hold(done) for _ in range(2)]
    until(lambda: held.inside == 2, "both turns taken")
    body = b"x" * (RequestTurns.UPLOAD_BYTES + 1)
    uploaded: list = []
    _get(server.port, "/api/videos", uploaded, method="POST", body=body,
         headers={"Authorization": f"Bearer {token}", "Content-Type": "application/octet-stream"}).join(WAIT_S)
    assert uploaded and uploaded[0][1] == 400, uploaded  # refused (no multipart file), not held
    assert not gate.turns._waiting
    held.release.release(2)
    for t in holders:
        t.join(WAIT_S)


def test_no_gate_with_zero_turns(app):
    make_server(app, "127.0.0.1", 0, threads=2, timeout_s=5, request_turns=0).server_close()
    assert not isinstance(app.wsgi_app, RequestTurns)


def test_request_turns_must_not_be_negative(tmp_path):
    assert load_settings(tmp_path, env={"CHRONOS_REQUEST_TURNS": "0"}).request_turns == 0
    with pytest.raises(SettingsError, match="request_turns"):
        load_settings(tmp_path, env={"CHRONOS_REQUEST_TURNS": "-1"})


class SlowServer:
    """A server on 127.0.0.1 that answers {"ok": true} once released."""

    def __init__(self):
        import http.server

        release = self.release = threading.Event()

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                release.wait(WAIT_S)
                body = b'{"ok": true}'
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.release.set()
        self.server.shutdown()


def test_a_wait_for_whop_gives_the_turn_to_the_next_in_line():
    from chronos.turns import Turns
    from chronos.whop import request_json

    turns, slow, got = Turns(1), SlowServer(), {}
    try:
        def ask_whop():
            with turns.turn():
                got["reply"] = request_json("GET", slow.url, action="the test")
                got["back"] = True  # the turn is held again here

        asker = threading.Thread(target=ask_whop)
        asker.start()
        until(lambda: turns._free == 1, "the asker to hand its turn on while Whop answers")
        with turns.turn():  # another request gets the one turn meanwhile
            slow.release.set()
            until(lambda: len(turns._waiting) == 1, "the asker to queue for its turn again")
            assert "back" not in got  # it waits until this turn is given back
        asker.join(WAIT_S)
        assert got == {"reply": {"ok": True}, "back": True}
    finally:
        slow.close()


def test_a_thread_without_a_turn_steps_out_without_waiting_for_one():
    from chronos.turns import Turns, outside_turn

    turns, held, release = Turns(1), threading.Event(), threading.Event()

    def holder():
        with turns.turn():
            held.set()
            release.wait(WAIT_S)

    threading.Thread(target=holder).start()
    assert held.wait(WAIT_S)
    ran = []

    def step_out():
        with outside_turn():
            ran.append(True)

    stepper = threading.Thread(target=step_out)
    stepper.start()
    stepper.join(WAIT_S)
    assert ran == [True] and turns._free == 0 and not turns._waiting  # nothing given or taken
    release.set()


def test_a_wait_for_claude_gives_the_turn_to_the_next_in_line():
    from chronos.ai.claude import ClaudeTitler
    from chronos.turns import Turns
    from tests.fakes.claude_server import FakeClaude, message

    release = threading.Event()
    whole = message('["How volcanoes erupt", "How bees make honey"]')

    def held_reply(request, ex):
        release.wait(WAIT_S)
        whole(request, ex)

    turns, got = Turns(1), {}
    with FakeClaude() as claude:
        claude.script(held_reply)
        titler = ClaudeTitler(claude.api_key, model="claude-sonnet-4-6", base_url=claude.url,
                              timeout_s=30, max_retries=0)

        def title():
            with turns.turn():
                got["titles"] = titler.titles(["Volcanoes erupt …", "Bees make honey …"])

        asker = threading.Thread(target=title)
        asker.start()
        until(lambda: turns._free == 1, "the titler to hand its turn on while Claude works")
        release.set()
        asker.join(WAIT_S)
    assert got == {"titles": ["How volcanoes erupt", "How bees make honey"]}
