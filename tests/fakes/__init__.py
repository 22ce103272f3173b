"""Loopback fakes of the outside services Chronos talks to, speaking their real wire protocols.

Each fake is an HTTP/1.1 server on 127.0.0.1 (port 0) in a background thread. Tests queue the
replies they want with `script(...)`; with nothing queued a fake gives its normal reply. Every
request is recorded in `requests` before it is answered.
"""
from __future__ import annotations

import json
import threading
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Self


@dataclass(frozen=True)
class Recorded:
    """One request as the fake received it."""
    method: str
    path: str
    headers: dict[str, str]  # lower-case names
    body: Any  # parsed JSON, or None


class Exchange:
    """The reply side of one request: a JSON reply, a chunked event stream, or a dropped line."""

    def __init__(self, handler: BaseHTTPRequestHandler, closing: threading.Event) -> None:
        self._h = handler
        self.closing = closing  # set when the fake shuts down; stalls wait on it

    def json(self, status: int, body: Any, headers: dict[str, str] | None = None) -> None:
        data = json.dumps(body).encode()
        self._h.send_response(status)
        for name, value in {"content-type": "application/json", **(headers or {})}.items():
            self._h.send_header(name, value)
        self._h.send_header("content-length", str(len(data)))
        self._h.end_headers()
        self._h.wfile.write(data)

    def start_stream(self, headers: dict[str, str] | None = None) -> None:
        self._h.send_response(200)
        for name, value in {"content-type": "text/event-stream", "cache-control": "no-cache",
                            **(headers or {})}.items():
            self._h.send_header(name, value)
        self._h.send_header("transfer-encoding", "chunked")
        self._h.end_headers()

    def send(self, text: str) -> None:
        """Send one chunk of the stream, flushed so the client sees it now."""
        data = text.encode()
        self._h.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))
        self._h.wfile.flush()

    def end_stream(self) -> None:
        self._h.wfile.write(b"0\r\n\r\n")
        self._h.wfile.flush()

    def drop(self) -> None:
        """Close the connection without finishing the reply, like a crashed server."""
        self._h.close_connection = True

    def stall(self, seconds: float) -> None:
        """Say nothing for `seconds` (cut short when the fake shuts down)."""
        self.closing.wait(seconds)
        self._h.close_connection = True


Reply = Callable[[Recorded, Exchange], None]


class FakeServer:
    """Base of the fakes: the server thread, the script of replies and the request log."""

    def __init__(self) -> None:
        self.requests: list[Recorded] = []
        self._replies: deque[Reply] = deque()
        self._lock = threading.Lock()
        self._closing = threading.Event()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:
                raw = self.rfile.read(int(self.headers.get("content-length") or 0))
                try:
                    body = json.loads(raw) if raw else None
                except ValueError:
                    body = None
                request = Recorded("POST", self.path, {k.lower(): v for k, v in self.headers.items()},
                                   body)
                with fake._lock:
                    fake.requests.append(request)
                try:
                    fake.route(request, Exchange(self, fake._closing))
                except (BrokenPipeError, ConnectionResetError):
                    self.close_connection = True  # the client hung up mid-reply, as clients may

            def log_message(self, format: str, *args: Any) -> None:
                pass  # keep test output quiet

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._httpd.daemon_threads = True
        # A short poll interval so that close() (which waits for the serving loop) is quick.
        self._thread = threading.Thread(target=self._httpd.serve_forever, args=(0.02,), daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}"

    def script(self, *replies: Reply) -> None:
        """Queue replies for the next requests, in order."""
        with self._lock:
            self._replies.extend(replies)

    def next_reply(self) -> Reply | None:
        """The next scripted reply, or None when the script is used up."""
        with self._lock:
            return self._replies.popleft() if self._replies else None

    def route(self, request: Recorded, ex: Exchange) -> None:
        """Answer one request (subclasses: check it like the real service, then reply)."""
        raise NotImplementedError

    def close(self) -> None:
        self._closing.set()
        self._httpd.shutdown()
        self._httpd.server_close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
