"""Shared test fixtures: a fresh app on a temporary data folder per test, real models shared."""
from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from chronos import create_app
from chronos.ai.embedder import Embedder
from chronos.ai.transcriber import Transcriber
from chronos.ai.weights import embedding_model_dir, whisper_model_dir
from chronos.config import load_settings
from chronos.models import creators
from chronos.evaluation import wer, words  # noqa: F401 - re-exported for the tests

FIXTURES = Path(__file__).parent / "fixtures"
OWNER = {"name": "Ada Lovelace", "password": "correct horse battery"}


def until(check, what: str, timeout_s: float = 30.0) -> None:
    """Return once check() is true; fail, naming what was awaited, after timeout_s."""
    import time

    deadline = time.monotonic() + timeout_s
    while not check():
        assert time.monotonic() < deadline, f"gave up waiting for {what}"
        time.sleep(0.01)


def sidecar(name: str) -> dict:
    """The generator's sidecar for a fixture: its sentences and when each is spoken."""
    return json.loads((FIXTURES / name).with_suffix(".json").read_text())


@pytest.fixture(scope="session")
def models_dir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("models")


@pytest.fixture(scope="session")
def transcriber(models_dir) -> Transcriber:
    """Whisper tiny.en, loaded once for the whole run (the fast model; base is benchmarked)."""
    return Transcriber(whisper_model_dir("tiny.en", models_dir), name="tiny.en", device="cpu")


@pytest.fixture(scope="session")
def embedder() -> Embedder:
    return Embedder(embedding_model_dir())


@pytest.fixture
def settings(tmp_path):
    """Settings for a fresh data folder; the environment is ignored so tests are hermetic."""
    return load_settings(tmp_path / "data", env={}, whisper_model="tiny.en", run_scheduler=False,
                         retry_base_s=0.01)


@pytest.fixture
def app(settings, transcriber, embedder):
    app = create_app(settings, transcriber=transcriber, embedder=embedder)
    app.config["TESTING"] = True
    yield app
    app.extensions["chronos"].close(wait=True)


@pytest.fixture
def services(app):
    return app.extensions["chronos"]


@pytest.fixture
def client(app):
    return app.test_client()


def csrf(client) -> str:
    """The CSRF token of the test client's session (made by visiting a page)."""
    with client.session_transaction() as sess:
        if "csrf" not in sess:
            sess["csrf"] = "test-csrf-token"
        return sess["csrf"]


def sign_in_cookie(app, *, creator_id: int | None = None, student_id: int | None = None) -> dict:
    """What a session cookie holds once that account signed in now (tests that skip the form)."""
    import time

    from chronos.models import people

    with app.extensions["chronos"].db.connection() as conn:
        if creator_id is not None:
            account = {"creator_id": creator_id,
                       "session_version": creators.get_creator(conn, creator_id).session_version}
        else:
            account = {"student_id": student_id,
                       "session_version": people.get_student(conn, student_id).session_version}
    return account | {"signed_in_at": time.time(), "seen_at": time.time()}


@pytest.fixture
def owner_client(client):
    """A test client signed in as the owner (created through the setup page)."""
    res = client.post("/setup", data={**OWNER, "confirm": OWNER["password"], "csrf_token": csrf(client)})
    assert res.status_code == 302, res.data
    return client


@pytest.fixture
def token(owner_client, services):
    """An owner API token, as `chronos token create` makes."""

    with services.db.connection() as conn:
        return creators.create_token(conn, creators.get_owner(conn).id)


def upload(client, path: Path, *, headers=None, name: str | None = None, data: bytes | None = None):
    """POST one file to /api/videos the way the upload page does."""
    import io

    body = data if data is not None else path.read_bytes()
    headers = dict(headers or {})
    if "Authorization" not in headers:
        headers.setdefault("X-CSRF-Token", csrf(client))
    return client.post("/api/videos", data={"file": (io.BytesIO(body), name or path.name)},
                       headers=headers, content_type="multipart/form-data")


def process(services, video_id: int):
    """Run the real pipeline on a video to the end, in this thread; return the final video."""
    from chronos.models import videos

    services.runner.process_until_done(video_id, sleep=lambda s: None)
    with services.db.connection() as conn:
        return videos.get_video(conn, video_id)


# Every Content-Security-Policy violation any browser test's page reports (issue 20.8): the
# browser below makes every context and page report them here, and each test must leave none.
CSP_VIOLATIONS: list[str] = []
# Chromium logs a refusal to the console; the event catches what it might only report.
REPORT_CSP = """document.addEventListener("securitypolicyviolation", (e) => console.error(
  `Content Security Policy violation: ${e.violatedDirective} blocked ${e.blockedURI || "inline"}`
  + ` at ${e.sourceFile}:${e.lineNumber}`));"""


def _watch_csp(target) -> None:
    """Collect CSP violations from a browser context or a page."""
    target.add_init_script(REPORT_CSP)
    target.on("console", lambda m: CSP_VIOLATIONS.append(f"{m.text} ({m.location.get('url')})")
              if "Content Security Policy" in m.text else None)


class CspWatchedBrowser:
    """The Playwright browser, except that every new context and page reports CSP violations."""

    def __init__(self, browser):
        self._browser = browser

    def __getattr__(self, name):
        return getattr(self._browser, name)

    def new_context(self, **kwargs):
        context = self._browser.new_context(**kwargs)
        _watch_csp(context)
        return context

    def new_page(self, **kwargs):
        page = self._browser.new_page(**kwargs)
        _watch_csp(page)
        return page


@pytest.fixture
def csp_violations():
    """The CSP violations reported so far in this test (a test that provokes some clears them)."""
    return CSP_VIOLATIONS


@pytest.fixture(autouse=True)
def _no_csp_violations():
    """Every test: no page broke the Content-Security-Policy (inline script, style attributes)."""
    CSP_VIOLATIONS.clear()
    yield
    found, CSP_VIOLATIONS[:] = list(CSP_VIOLATIONS), []
    assert not found, "Content-Security-Policy violations:\n" + "\n".join(found)


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium driven by Playwright (never a browser download), reporting every
    Content-Security-Policy violation to CSP_VIOLATIONS."""
    # Outside CI a machine without a browser skips these tests; in CI a missing one is a failure.
    if os.environ.get("CI"):
        import playwright.sync_api as playwright  # installed by `make test` (the [test] extra)
    else:
        playwright = pytest.importorskip("playwright.sync_api")
    exe = "/usr/bin/chromium"
    if not os.path.exists(exe):
        if os.environ.get("CI"):
            pytest.fail("Chromium is missing in CI: `make system-deps` should have installed it.")
        pytest.skip("chromium is not installed (apt-get install chromium)")
    with playwright.sync_playwright() as p:
        b = p.chromium.launch(executable_path=exe, args=[
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--no-first-run"])
        yield CspWatchedBrowser(b)
        b.close()


class LiveServer:
    """The real app on Werkzeug's threaded server (the one `chronos serve` uses), on a free port."""

    def __init__(self, app):
        import threading

        from werkzeug.serving import make_server

        self.app = app
        self.server = make_server("127.0.0.1", 0, app, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self):
        self.server.shutdown()
        self.thread.join(timeout=10)


@pytest.fixture
def live_server(tmp_path, transcriber, embedder):
    """A running Chronos with its scheduler on, as a creator would have it."""
    settings = load_settings(tmp_path / "live-data", env={}, whisper_model="tiny.en",
                             retry_base_s=0.01)
    app = create_app(settings, transcriber=transcriber, embedder=embedder)
    server = LiveServer(app)
    yield server
    server.stop()
    app.extensions["chronos"].close(wait=True)


def add_video(services, name: str, *, creator_id: int | None = None, title: str | None = None,
              published: bool = True):
    """Ingest a committed fixture file as a (pending) video of the creator (the local one by default),
    published unless told otherwise (uploads through the app are drafts by default)."""
    from chronos.pipeline.ingest import ingest_path

    s = services.settings
    with services.db.connection() as conn:
        owner_id = creator_id or creators.local_creator(conn).id
        return ingest_path(FIXTURES / name, conn=conn, media_dir=s.media_dir, incoming_dir=s.upload_tmp_dir,
                           creator_id=owner_id, max_bytes=s.max_upload_bytes, title=title, published=published)


def signed_in(app, who: dict = OWNER):
    """A test client signed in through the login form."""
    client = app.test_client()
    res = client.post("/login", data={**who, "csrf_token": csrf(client)})
    assert res.status_code == 302, res.get_data(as_text=True)
    return client


def ask(client, message: str, **extra) -> dict:
    """POST /api/chat and return the answer JSON."""
    res = client.post("/api/chat", json={"message": message, **extra}, headers={"X-CSRF-Token": csrf(client)})
    assert res.status_code == 200, res.get_json()
    return res.get_json()


def make_app(tmp_path, transcriber, embedder, env=None, **overrides):
    """A fresh app with its owner, on settings the test chooses; returns (app, owner client)."""
    settings = load_settings(tmp_path / "data", env=env or {}, whisper_model="tiny.en",
                             run_scheduler=False, **overrides)
    app = create_app(settings, transcriber=transcriber, embedder=embedder)
    app.config["TESTING"] = True
    with app.extensions["chronos"].db.connection() as conn:
        creators.create_owner(conn, OWNER["name"], OWNER["password"])
    owner = app.test_client()
    assert owner.post("/login", data={**OWNER, "csrf_token": csrf(owner)}).status_code == 302
    return app, owner


@pytest.fixture
def apps(tmp_path, transcriber, embedder):
    """make_app for the test, closing every app it made."""
    made = []

    def build(**overrides):
        app, owner = make_app(tmp_path / str(len(made)), transcriber, embedder, **overrides)
        made.append(app)
        return app, owner
    yield build
    for app in made:
        app.extensions["chronos"].close(wait=True)


def processed_library(folder, transcriber, embedder, names=("photosynthesis.mp4", "interest.mp4")):
    """Services on a fresh data folder with an owner and these fixtures processed through the real
    pipeline: (services, creator, {name: video id}). The caller closes the services."""
    settings = load_settings(folder, env={}, whisper_model="tiny.en", run_scheduler=False)
    sv = create_app(settings, transcriber=transcriber, embedder=embedder).extensions["chronos"]
    with sv.db.connection() as conn:
        creator = creators.create_owner(conn, OWNER["name"], OWNER["password"])
    ids = {}
    for name in names:
        video = add_video(sv, name)
        assert process(sv, video.id).status == "completed"
        ids[name] = video.id
    return sv, creator, ids
