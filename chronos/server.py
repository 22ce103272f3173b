"""Serving Chronos: a bounded pool of request threads that carries the websockets, a graceful
stop, the exposure warning, and opening the browser on first run.

The server is Werkzeug's (pure Python, so the same on Windows, macOS and Linux, and it hands the
raw socket to flask-sock) with a fixed thread pool instead of a thread per connection; the
choice was made by bench/load.py (bench/results/load-*.json).
"""
from __future__ import annotations

import ipaddress
import os
import sys
import threading
import webbrowser
from collections.abc import Mapping
from contextlib import ExitStack
from concurrent.futures import ThreadPoolExecutor

from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler

from chronos.turns import Turns

SERVER_NAME = "Chronos"
# simple-websocket pings idle sockets this often, so a quiet websocket never trips the socket
# timeout below (a ping's pong is traffic) and a vanished browser is noticed.
WS_PING_INTERVAL_S = 25


class PooledWSGIServer(BaseWSGIServer):
    """Werkzeug's HTTP/1.1 server, each connection handled by one of `threads` pooled threads.

    A websocket holds its thread while it is open, so `threads` bounds the number of students
    connected at once; connections beyond it wait in the pool's queue.
    """

    multithread = True

    def __init__(self, host: str, port: int, app, *, threads: int, timeout_s: float):
        handler = type("ChronosHandler", (WSGIRequestHandler,), {
            "protocol_version": "HTTP/1.1",  # keep-alive
            "timeout": timeout_s,            # an idle or stalled connection is closed after this
            # The Server header: not "Werkzeug/3.1.9 Python/3.13.5", a list of what to attack.
            "version_string": lambda self: SERVER_NAME,
        })
        super().__init__(host, port, app, handler=handler)
        self.pool = ThreadPoolExecutor(threads, thread_name_prefix="chronos-http")

    def process_request(self, request, client_address) -> None:
        """Hand the accepted connection to the pool instead of handling it in the accept loop."""
        self.pool.submit(self._handle, request, client_address)

    def _handle(self, request, client_address) -> None:
        try:
            self.finish_request(request, client_address)
        except Exception:  # noqa: BLE001 - one broken connection must not kill its pool thread
            self.handle_error(request, client_address)
        finally:
            self.shutdown_request(request)


class RequestTurns:
    """WSGI middleware: at most n requests are worked on at once, the rest wait in arrival order.

    Python runs one thread at a time. When a class of 200 opens its pages at once, 200 request
    threads share one core by the interpreter's 5 ms slices, and a thread coming back from SQLite
    (the writer committing a heartbeat) waits for its slice behind all of them. Through the gate,
    the requests beyond n sleep on their own lock (costing nothing) until it is their turn, so
    the ones ahead finish first and the writer competes with a few threads, not hundreds.

    Not gated: websockets (they hold their thread while open) and `POST /api/chat` (a question
    waits for its own answer turn, chronos/turns.py, and a Claude answer for the network), and
    request bodies over UPLOAD_BYTES (an upload is read at the client's pace). A response's body
    (a media file's bytes) is sent after the turn is handed on, and a wait for another server
    inside a request (Whop's API, Claude) hands it on meanwhile (`chronos.turns.outside_turn`).
    """

    UPLOAD_BYTES = 1024 * 1024
    OWN_TURNS = frozenset({"/api/chat"})

    def __init__(self, app, n: int):
        self.app = app
        self.turns = Turns(n)

    def __call__(self, environ, start_response):
        if not self._takes_a_turn(environ):
            return self.app(environ, start_response)
        with self.turns.turn():
            return self.app(environ, start_response)

    @classmethod
    def _takes_a_turn(cls, environ) -> bool:
        if environ.get("HTTP_UPGRADE", "").lower() == "websocket":
            return False
        if environ.get("REQUEST_METHOD") == "POST" and environ.get("PATH_INFO") in cls.OWN_TURNS:
            return False
        if "chunked" in environ.get("HTTP_TRANSFER_ENCODING", "").lower():
            return False
        try:
            return int(environ.get("CONTENT_LENGTH") or 0) <= cls.UPLOAD_BYTES
        except ValueError:
            return True  # Werkzeug refuses it: a short request


def make_server(app, host: str, port: int, *, threads: int, timeout_s: float,
                request_turns: int = 0) -> PooledWSGIServer:
    """The production server for the app; port 0 picks a free port; request_turns > 0 gates
    the requests (RequestTurns)."""
    app.config.setdefault("SOCK_SERVER_OPTIONS", {"ping_interval": WS_PING_INTERVAL_S})
    if request_turns:
        app.wsgi_app = RequestTurns(app.wsgi_app, request_turns)
    return PooledWSGIServer(host, port, app, threads=threads, timeout_s=timeout_s)


def is_loopback(host: str) -> bool:
    """True when only this computer can reach the address."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:  # a host name: it may resolve to anything
        return False


def exposure_warning(host: str) -> str | None:
    """The warning printed when Chronos listens on an address other computers can reach."""
    if is_loopback(host):
        return None
    where = "every network interface" if host in ("0.0.0.0", "::") else f"{host}"
    return (f"Warning: Chronos is listening on {where}. Anyone who can reach this computer over "
            "the network can reach Chronos, without HTTPS. To let students in, keep the default "
            "--host 127.0.0.1 and use a tunnel instead (README: \"Reach Chronos from outside\").")


def browse_url(host: str, port: int) -> str:
    """The address to open on this computer (a wildcard host is reached through loopback)."""
    if host in ("0.0.0.0", "::") or not host:
        host = "127.0.0.1"
    if ":" in host:
        host = f"[{host}]"
    return f"http://{host}:{port}/"


def should_open_browser(*, has_owner: bool, no_browser: bool, env: Mapping[str, str],
                        interactive: bool, frozen: bool, platform: str = sys.platform) -> bool:
    """Open a browser tab only for a person at this computer: first run, or the executable.

    Skipped with --no-browser or CHRONOS_NO_BROWSER=1, when there is no terminal (a service,
    a test, CI), and on Linux/BSD when there is no graphical display.
    """
    if no_browser or env.get("CHRONOS_NO_BROWSER", "").strip().lower() in {"1", "true", "yes", "on"}:
        return False
    if not interactive:
        return False
    if platform.startswith(("linux", "freebsd", "openbsd")) and not (
            env.get("DISPLAY") or env.get("WAYLAND_DISPLAY")):
        return False
    return frozen or not has_owner


def open_browser(url: str) -> None:
    """Open url in the default browser without holding up start-up."""
    threading.Thread(target=webbrowser.open, args=(url,), daemon=True).start()


def is_frozen() -> bool:
    """True inside the PyInstaller executable."""
    return bool(getattr(sys, "frozen", False))


def interactive() -> bool:
    """True when a person is at a terminal (a double-clicked executable opens one)."""
    try:
        return os.isatty(sys.stdout.fileno())
    except (AttributeError, OSError, ValueError):
        return False


def serve(settings, *, no_browser: bool = False) -> int:
    """Run Chronos until SIGINT/SIGTERM, then stop gracefully; returns the exit code."""
    import logging
    import signal

    from chronos import create_app
    from chronos.models import creators

    from chronos.backup import DataFolderBusy, using_data_folder

    warning = exposure_warning(settings.host)
    if warning:
        print(warning, file=sys.stderr, flush=True)
    # Held until the process exits (serve ends in os._exit; the kernel drops the lock), so a
    # restore cannot replace the data under a running server, nor a server start mid-restore.
    in_use = ExitStack()
    try:
        in_use.enter_context(using_data_folder(settings.data_dir))
    except DataFolderBusy as exc:
        print(exc, file=sys.stderr, flush=True)
        return 1
    app = create_app(settings)
    services = app.extensions["chronos"]
    server = make_server(app, settings.host, settings.port, threads=settings.server_threads,
                         timeout_s=settings.server_timeout_s, request_turns=settings.request_turns)
    # Handlers first: a stop request that comes right after the address is printed is honoured.
    stopping = threading.Event()

    def on_signal(signum, _frame):
        if stopping.is_set():  # a second Ctrl+C: stop waiting; the stage resumes next start
            print("Stopping now.", file=sys.stderr, flush=True)
            _exit(130)
        stopping.set()
        threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    url = browse_url(settings.host, server.port)
    with services.db.connection() as conn:
        has_owner = creators.get_owner(conn) is not None
    print(f"Chronos is running at {url}\nData folder: {settings.data_dir}\nPress Ctrl+C to stop.",
          flush=True)
    # Listening first, loading after: the models take seconds, the first student should not.
    services.warm_up(lambda line: print(line, flush=True))
    if should_open_browser(has_owner=has_owner, no_browser=no_browser, env=os.environ,
                           interactive=interactive(), frozen=is_frozen()):
        page = url if has_owner else url + "setup"
        print(f"Opening {page} in your browser.", flush=True)
        open_browser(page)

    try:
        server.serve_forever()
    finally:
        server.server_close()  # no new connections; requests in progress go on meanwhile
        services.writer.flush()  # the queued heartbeats and stamps land before any wait below
        print(f"Stopping: letting the current processing stage finish (up to "
              f"{settings.shutdown_grace_s:g} s; Ctrl+C again to stop now)…", file=sys.stderr, flush=True)
        if services.runner.stop(settings.shutdown_grace_s):
            print("Stopped.", file=sys.stderr, flush=True)
        else:
            print("Stopped; the unfinished stage resumes at the next start.", file=sys.stderr,
                  flush=True)
        services.writer.close()  # what requests queued meanwhile; a later write runs on its own thread
        logging.shutdown()
    # Open websockets hold pool threads that would keep the interpreter waiting at exit.
    _exit(0)


def _exit(code: int) -> None:
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)
