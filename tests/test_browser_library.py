"""The library and video pages in a real browser (Debian's Chromium driven by Playwright).

Each test runs against a fresh `live_server` (real app, real scheduler, Whisper tiny.en) and
waits with Playwright's auto-waiting assertions, never with sleeps.
"""
from __future__ import annotations

import base64
import re
from pathlib import Path

import pytest

from tests.conftest import FIXTURES, OWNER, sidecar

pytest.importorskip("playwright.sync_api")
from playwright.sync_api import Page, expect  # noqa: E402

pytestmark = pytest.mark.browser

SHOTS = Path("/tmp/chronos-shots")
PROCESS_MS = 120_000  # the whole pipeline of one file, generous for a 2-vCPU box
UI_MS = 15_000

# Records what the library shows over time, so a test can assert on states that came and went
# (upload rows are removed a few seconds after success; video rows are replaced on each event).
RECORDER_JS = """
() => {
  window.__marker = "set-before-upload";           // lost if the page reloads
  window.__seen = {};      // video title -> distinct data-status values, in order
  window.__bars = {};      // video title -> progressbar aria-valuenow values seen
  window.__uploads = {};   // file name -> {now: [...], width: [...], text: [...], cls: [...]}
  const push = (arr, v) => { if (v !== null && v !== undefined && arr[arr.length - 1] !== v) arr.push(v); };
  const record = () => {
    for (const li of document.querySelectorAll("#videos li.video")) {
      const title = li.querySelector(".video-title").textContent;
      push(window.__seen[title] ||= [], li.dataset.status);
      const bar = li.querySelector('[role="progressbar"]');
      if (bar) push(window.__bars[title] ||= [], bar.getAttribute("aria-valuenow"));
    }
    for (const li of document.querySelectorAll("#uploads li.upload")) {
      const u = window.__uploads[li.dataset.name] ||= {now: [], width: [], text: [], cls: []};
      const bar = li.querySelector('[role="progressbar"]');
      push(u.now, bar && bar.getAttribute("aria-valuenow"));
      push(u.width, li.querySelector(".bar").style.width);
      push(u.text, li.lastElementChild.textContent);
      push(u.cls, li.className);
    }
  };
  record();
  new MutationObserver(record).observe(document.body,
    {subtree: true, childList: true, attributes: true, characterData: true});
}
"""


# -- helpers --------------------------------------------------------------------------------------

@pytest.fixture
def context_factory(browser):
    """New isolated browser contexts (own cookies), closed after the test."""
    made = []

    def make(**kwargs):
        ctx = browser.new_context(**kwargs)
        ctx.set_default_timeout(UI_MS)
        made.append(ctx)
        return ctx

    yield make
    for ctx in made:
        ctx.close()


@pytest.fixture
def page(context_factory) -> Page:
    return context_factory(viewport={"width": 1280, "height": 900}).new_page()


def create_owner(live_server) -> None:
    from chronos.models import creators

    with live_server.app.extensions["chronos"].db.connection() as conn:
        creators.create_owner(conn, OWNER["name"], OWNER["password"])


def sign_in(page: Page, live_server) -> None:
    """Create the owner directly, sign in through /login, and wait for live updates."""
    create_owner(live_server)
    page.goto(live_server.url + "/")
    expect(page).to_have_url(re.compile(r"/login"))
    page.fill("input[name=name]", OWNER["name"])
    page.fill("input[name=password]", OWNER["password"])
    page.click("button[type=submit]")
    expect(page).to_have_url(live_server.url + "/")
    wait_live(page)


def wait_live(page: Page) -> None:
    """The library's websocket is connected (events published before this would be missed)."""
    expect(page.locator("#live")).to_have_text("live")
    expect(page.locator("#live")).to_have_class(re.compile(r"\bon\b"))


def video_row(page: Page, title: str):
    return page.locator("#videos li.video", has=page.locator(".video-title", has_text=title))


def shot(page: Page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def drop_files(page: Page, files: list[tuple[str, bytes, str]]) -> None:
    """Dispatch real dragover/drop events on the drop zone with a DataTransfer of Files."""
    payload = [{"name": n, "b64": base64.b64encode(b).decode(), "type": t} for n, b, t in files]
    page.evaluate("""(files) => {
      const dt = new DataTransfer();
      for (const f of files) {
        const bytes = Uint8Array.from(atob(f.b64), (c) => c.charCodeAt(0));
        dt.items.add(new File([bytes], f.name, {type: f.type}));
      }
      const zone = document.getElementById("dropzone");
      const opts = {dataTransfer: dt, bubbles: true, cancelable: true};
      zone.dispatchEvent(new DragEvent("dragenter", opts));
      const over = new DragEvent("dragover", opts);
      zone.dispatchEvent(over);
      window.__dragoverPrevented = over.defaultPrevented;
      window.__overClass = zone.classList.contains("over");
      const drop = new DragEvent("drop", opts);
      zone.dispatchEvent(drop);
      window.__dropPrevented = drop.defaultPrevented;
    }""", payload)


def list_db_videos(live_server):
    from chronos.models import creators, videos

    with live_server.app.extensions["chronos"].db.connection() as conn:
        return videos.list_videos(conn, creators.get_owner(conn).id)


# -- 1. first run -----------------------------------------------------------------------------------

def test_first_run_setup_in_the_browser(page, live_server):
    page.goto(live_server.url + "/")
    expect(page).to_have_url(live_server.url + "/setup")
    expect(page.locator("h1")).to_have_text("Welcome to Chronos")

    # Two different passwords: the page says so and keeps the name typed.
    page.fill("input[name=name]", OWNER["name"])
    page.fill("input[name=password]", OWNER["password"])
    page.fill("input[name=confirm]", OWNER["password"] + "!")
    page.click("button[type=submit]")
    expect(page.locator("p.error[role=alert]")).to_contain_text("The two passwords differ")
    expect(page.locator("input[name=name]")).to_have_value(OWNER["name"])

    page.fill("input[name=password]", OWNER["password"])
    page.fill("input[name=confirm]", OWNER["password"])
    page.click("button[type=submit]")

    expect(page).to_have_url(live_server.url + "/")
    expect(page.locator(".flash")).to_contain_text(f"Welcome, {OWNER['name']}!")
    expect(page.locator("#empty")).to_be_visible()
    expect(page.locator("#empty")).to_contain_text("No videos yet")
    expect(page.locator("#videos li")).to_have_count(0)
    expect(page.locator("#dropzone")).to_be_visible()
    wait_live(page)
    # Setup happens once: it now sends the owner to sign in instead.
    page.goto(live_server.url + "/setup")
    expect(page).to_have_url(re.compile(r"/login"))


# -- 2. two uploads at once, live status ------------------------------------------------------------

def test_upload_two_files_with_progress_and_live_status(page, live_server):
    sign_in(page, live_server)
    page.evaluate(RECORDER_JS)
    names = ["photosynthesis.mp4", "rivers.m4a"]

    page.set_input_files("#file-input", [str(FIXTURES / n) for n in names])

    # One upload row per file, each with its own progress bar.
    for name in names:
        item = page.locator(f'#uploads li.upload[data-name="{name}"]')
        expect(item).to_have_count(1)
        expect(item.locator('[role="progressbar"] .bar')).to_have_count(1)
        expect(item.locator(".upload-name")).to_contain_text(name)

    # Both videos appear and reach completed through websocket events alone.
    for title in ("photosynthesis", "rivers"):
        expect(video_row(page, title)).to_have_count(1)
    for title in ("photosynthesis", "rivers"):
        expect(video_row(page, title)).to_have_attribute("data-status", "completed", timeout=PROCESS_MS)
    expect(page.locator("#videos li.video")).to_have_count(2)
    expect(page.locator("#video-count")).to_have_text("(2)")
    expect(page.locator("#empty")).to_be_hidden()
    assert page.evaluate("window.__marker") == "set-before-upload", "the page reloaded"

    seen = page.evaluate("window.__seen")
    bars = page.evaluate("window.__bars")
    for title in ("Photosynthesis", "Rivers"):
        assert seen[title][-1] == "completed", seen
        # Intermediate states were shown while it processed, with a progress bar.
        assert [s for s in seen[title] if s != "completed"], seen
        assert bars.get(title), bars
    # States only the websocket reports (the upload response says "pending").
    assert {"transcribing", "chunking", "embedding"} & set(seen["Photosynthesis"] + seen["Rivers"]), seen

    # Per-file upload progress reached 100 for each file, and each ended as uploaded.
    uploads = page.evaluate("window.__uploads")
    for name in names:
        u = uploads[name]
        assert "100%" in u["width"], (name, u)
        assert "100" in u["now"], (name, u)
        assert any("done" in c.split() for c in u["cls"]), (name, u)
        assert any("queued for transcription" in t for t in u["text"]), (name, u)

    # The finished rows show what was found: a duration, passages and the language.
    row = video_row(page, "photosynthesis")
    expect(row.locator(".meta")).to_contain_text("passages")
    expect(row.locator(".meta")).to_contain_text("EN")
    expect(row.locator(".badge")).to_have_text("Ready")
    expect(row.locator('[role="progressbar"]')).to_have_count(0)
    expect(row.locator(".thumb img")).to_have_count(1)            # a video: its thumbnail
    expect(video_row(page, "rivers").locator(".thumb-blank")).to_have_text("♪")  # audio only
    # Upload rows tidy themselves away after success.
    expect(page.locator("#uploads li.upload")).to_have_count(0, timeout=UI_MS)
    shot(page, "library-desktop")


# -- 3. drag and drop of bad files ------------------------------------------------------------------

def test_drop_of_bad_files_shows_clear_errors_and_adds_no_video(page, live_server):
    sign_in(page, live_server)
    page.evaluate(RECORDER_JS)
    drop_files(page, [("notes.mp4", b"These are my lecture notes, not a video.\n" * 20, "video/mp4"),
                      ("slides.pdf", b"%PDF-1.4 not a lecture\n", "application/pdf")])
    assert page.evaluate("window.__dragoverPrevented"), "dragover must be cancelled to allow a drop"
    assert page.evaluate("window.__overClass"), "the drop zone highlights while dragging"
    assert page.evaluate("window.__dropPrevented"), "the browser must not open the dropped file"
    expect(page.locator("#dropzone")).not_to_have_class(re.compile(r"\bover\b"))

    notes = page.locator('#uploads li.upload[data-name="notes.mp4"]')
    expect(notes).to_have_class(re.compile(r"\bfailed\b"))
    expect(notes).to_contain_text("notes.mp4")
    expect(notes).to_contain_text("not a video or audio file Chronos can read")
    pdf = page.locator('#uploads li.upload[data-name="slides.pdf"]')
    expect(pdf).to_have_class(re.compile(r"\bfailed\b"))
    expect(pdf).to_contain_text("is not a supported type")

    # Nothing was added, on the page or in the database, and the error rows stay.
    expect(page.locator("#videos li")).to_have_count(0)
    expect(page.locator("#empty")).to_be_visible()
    assert list_db_videos(live_server) == []
    assert page.evaluate("window.__seen") == {}
    expect(page.locator("#uploads li.upload.failed")).to_have_count(2)
    incoming = live_server.app.extensions["chronos"].settings.upload_tmp_dir
    assert not incoming.exists() or list(incoming.iterdir()) == []   # no partial files left


# -- 4. the video page: seek by transcript, downloads ------------------------------------------------

def test_video_page_transcript_seeks_player_and_downloads(page, live_server):
    sign_in(page, live_server)
    page.set_input_files("#file-input", str(FIXTURES / "photosynthesis.mp4"))
    row = video_row(page, "photosynthesis")
    expect(row).to_have_attribute("data-status", "completed", timeout=PROCESS_MS)
    row.locator(".video-title").click()
    expect(page).to_have_url(re.compile(r"/videos/\d+$"))
    video_id = int(page.url.rsplit("/", 1)[1])

    expect(page.locator("#status")).to_have_attribute("data-status", "completed")
    expect(page.locator("#progress-wrap")).to_be_hidden()
    lines = page.locator("#transcript .line")
    expect(lines.first).to_be_visible()
    n = lines.count()
    assert n >= 4, n
    starts = [float(lines.nth(i).get_attribute("data-start")) for i in range(n)]
    assert starts == sorted(starts), starts
    # Lines start where the generator put the sentences (tiny.en keeps within 0.5 s).
    truth = [s["start_s"] for s in sidecar("photosynthesis.mp4")["sentences"]]
    assert all(min(abs(s - t) for t in truth) < 1.0 for s in starts), (starts, truth)

    # The media is served with byte ranges, which seeking needs.
    media_url = page.locator("#player").get_attribute("src")
    part = page.request.get(live_server.url + media_url, headers={"Range": "bytes=0-1023"})
    assert part.status == 206, part.status
    assert part.headers["content-range"].startswith("bytes 0-1023/")
    assert len(part.body()) == 1024

    page.wait_for_function("() => document.getElementById('player').readyState >= 1", timeout=UI_MS)
    assert page.evaluate("document.getElementById('player').duration") == pytest.approx(37.8, abs=0.5)
    page.evaluate("""() => {
      const p = document.getElementById("player");
      window.__seeked = [];
      p.addEventListener("seeked", () => window.__seeked.push(p.currentTime));
    }""")
    target = lines.nth(3)
    start = float(target.get_attribute("data-start"))
    assert start > 5, start
    target.click()
    page.wait_for_function("() => window.__seeked.length > 0", timeout=UI_MS)
    landed = page.evaluate("window.__seeked[0]")
    assert abs(landed - start) <= 0.5, (landed, start)
    now = page.evaluate("document.getElementById('player').currentTime")
    assert start - 0.5 <= now <= start + 5, (now, start)   # still there (or playing on from there)
    expect(target).to_have_class(re.compile(r"\bcurrent\b"))

    # Downloads: each link answers 200 with its format.
    links = {a.inner_text().strip(): a.get_attribute("href")
             for a in page.locator(".downloads a").all()}
    assert set(links) == {"TXT", "SRT", "VTT"}, links
    bodies = {}
    for fmt, href in links.items():
        assert href == f"/videos/{video_id}/transcript.{fmt.lower()}"
        res = page.request.get(live_server.url + href)
        assert res.status == 200, (fmt, res.status)
        bodies[fmt] = (res.headers, res.text())
    headers, txt = bodies["TXT"]
    assert headers["content-type"].startswith("text/plain")
    assert 'attachment; filename="Photosynthesis.txt"' == headers["content-disposition"]
    assert re.match(r"\[0:0\d\] ", txt) and "photosynthesis" in txt.lower()
    assert len(txt.strip().splitlines()) == n
    headers, srt = bodies["SRT"]
    assert headers["content-type"].startswith("application/x-subrip")
    assert re.match(r"1\n00:00:\d\d,\d{3} --> 00:00:\d\d,\d{3}\n\S", srt), srt[:80]
    assert srt.count(" --> ") == n
    headers, vtt = bodies["VTT"]
    assert headers["content-type"].startswith("text/vtt")
    assert vtt.startswith("WEBVTT\n\n")
    assert re.search(r"\n00:00:\d\d\.\d{3} --> 00:00:\d\d\.\d{3}\n", vtt)
    assert vtt.count(" --> ") == n
    # The player's caption track is that VTT.
    assert page.locator("#player track").get_attribute("src") == links["VTT"]

    # The transcript filter hides lines that do not match.
    page.fill("#transcript-filter", "chlorophyll")
    visible = page.locator("#transcript li:not([hidden])")
    expect(visible.first).to_contain_text("chlorophyll")
    assert 0 < visible.count() < n
    page.fill("#transcript-filter", "")
    expect(page.locator("#transcript li:not([hidden])")).to_have_count(n)
    page.evaluate("document.getElementById('player').pause()")
    page.locator("#transcript-filter").blur()
    shot(page, "video-desktop")

    # On a phone the page stacks into one column without sideways scrolling.
    page.set_viewport_size({"width": 390, "height": 844})
    page.wait_for_function("() => document.scrollingElement.scrollWidth <= 390", timeout=UI_MS)
    player, transcript = page.locator("#player").bounding_box(), page.locator("#transcript").bounding_box()
    assert player["width"] <= 390 and transcript["y"] > player["y"] + player["height"], (player, transcript)
    assert target.bounding_box()["height"] >= 44
    shot(page, "video-phone")


# -- 5. a failed video ------------------------------------------------------------------------------

def test_failed_video_shows_reason_and_retry(page, live_server):
    sign_in(page, live_server)
    page.evaluate(RECORDER_JS)
    page.set_input_files("#file-input", str(FIXTURES / "silent.mp4"))
    row = video_row(page, "silent")
    expect(row).to_have_attribute("data-status", "failed", timeout=PROCESS_MS)
    expect(row.locator("p.error")).to_contain_text("No speech was found")
    expect(row.locator(".badge")).to_have_text("Failed")
    expect(row.locator(".thumb img")).to_have_count(1)  # it has a picture track: its first frame
    retry = row.get_by_role("button", name="Retry")
    expect(retry).to_be_visible()
    assert page.evaluate("window.__seen")["Silent"][0] != "failed"  # it was shown processing first

    # Retry queues it again (the row leaves "failed"), and it fails again with the same reason.
    page.evaluate("window.__seen = {}")
    retry.click()
    expect(row).to_have_attribute("data-status", "failed", timeout=PROCESS_MS)
    page.wait_for_function("() => (window.__seen.Silent || []).at(-1) === 'failed'", timeout=PROCESS_MS)
    seen = page.evaluate("window.__seen.Silent")
    assert seen[0] != "failed" and seen[-1] == "failed", seen
    expect(row.locator("p.error")).to_contain_text("No speech was found")
    assert page.evaluate("window.__marker") == "set-before-upload", "the page reloaded"
    shot(page, "library-failed-desktop")

    # The video's own page says the same, with its own Retry button.
    row.locator(".video-title").click()
    expect(page.locator("#status")).to_have_attribute("data-status", "failed")
    expect(page.locator("#error")).to_be_visible()
    expect(page.locator("#error")).to_contain_text("No speech was found")
    expect(page.locator("#retry")).to_be_visible()
    expect(page.locator(".transcript-col")).to_contain_text("No transcript: processing failed.")


# -- 6. phone width -----------------------------------------------------------------------------------

def test_library_fits_a_phone(context_factory, live_server):
    ctx = context_factory(viewport={"width": 390, "height": 844}, device_scale_factor=2,
                          is_mobile=True, has_touch=True)
    page = ctx.new_page()
    sign_in(page, live_server)
    # Long unbroken names are the usual cause of sideways scrolling.
    long_name = "week-01_introduction-to-thermodynamics-and-statistical-mechanics-final-v2.mp4"
    page.set_input_files("#file-input", {"name": long_name, "mimeType": "video/mp4",
                                         "buffer": (FIXTURES / "silent.mp4").read_bytes()})
    drop_files(page, [("a-very-long-file-name-without-any-spaces-that-is-not-a-video.mp4",
                       b"plain text\n" * 10, "video/mp4")])
    row = page.locator("#videos li.video")
    expect(row).to_have_attribute("data-status", "failed", timeout=PROCESS_MS)
    expect(page.locator("#uploads li.upload.failed")).to_have_count(1)

    width = page.evaluate("document.scrollingElement.scrollWidth")
    assert width <= 390, f"the library scrolls sideways on a phone ({width}px wide)"
    overflowing = page.evaluate("""() => [...document.querySelectorAll("body *")]
        .filter((e) => { const r = e.getBoundingClientRect(); return r.width && (r.right > 391 || r.left < -1); })
        .map((e) => e.tagName + "." + e.className)""")
    assert overflowing == [], overflowing

    def height(selector: str) -> float:
        box = page.locator(selector).first.bounding_box()
        assert box is not None, selector
        return box["height"]

    # The upload target, the row actions and the nav are comfortable to tap.
    assert height("#dropzone") >= 44
    assert page.locator("#dropzone").bounding_box()["width"] >= 300
    for name in ("Retry", "Delete"):
        box = row.get_by_role("button", name=re.compile(name)).bounding_box()
        assert box["height"] >= 44, (name, box)
    assert height("#nav-toggle") >= 44  # the navigation folds behind Menu on a phone
    page.click("#nav-toggle")
    assert height(".nav button") >= 44
    assert height(".nav a") >= 44
    page.click("#nav-toggle")
    # ("choose files" itself is a 24 px text link, but it sits inside the drop zone, and a tap
    # anywhere on the zone opens the chooser.)
    shot(page, "library-phone")
    # Tapping the drop zone opens the file chooser.
    with page.expect_file_chooser() as chooser:
        page.locator("#dropzone").tap()
    assert chooser.value.is_multiple()
