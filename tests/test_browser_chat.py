"""Asking in a real browser: the answer streams, a citation opens the player at that second."""
from __future__ import annotations

import re

import pytest

from chronos.models import creators, videos
from tests.conftest import OWNER, add_video, process, sidecar

pytest.importorskip("playwright.sync_api")
from playwright.sync_api import expect  # noqa: E402

pytestmark = pytest.mark.browser
UI_MS = 20_000


@pytest.fixture
def ready(live_server, browser):
    """A running Chronos with photosynthesis.mp4 processed and a signed-in owner page."""
    sv = live_server.app.extensions["chronos"]
    with sv.db.connection() as conn:
        creators.create_owner(conn, OWNER["name"], OWNER["password"])
    video = add_video(sv, "photosynthesis.mp4")
    assert process(sv, video.id).status == "completed"
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(live_server.url + "/login")
    page.fill("input[name=name]", OWNER["name"])
    page.fill("input[name=password]", OWNER["password"])
    page.click("button[type=submit]")
    expect(page).to_have_url(re.compile(r"/$"))
    yield live_server, page, video
    context.close()


def test_answer_streams_and_citation_plays_that_second(ready):
    server, page, video = ready
    frames = []
    page.on("websocket", lambda ws: ws.on("framereceived", lambda f: frames.append(f)))
    page.goto(server.url + "/chat")
    expect(page.locator(".chat-empty")).to_be_visible()
    box = page.locator("#chat textarea")
    box.fill("Which gas is released when water is split?")
    expect(page.locator(".count")).to_have_text("42 / 4000")
    box.press("Enter")
    answer = page.locator(".msg.assistant").last
    expect(answer).not_to_have_class(re.compile("streaming"), timeout=UI_MS)
    expect(answer.locator(".text")).to_contain_text("oxygen is released")
    deltas = [f for f in frames if '"type": "delta"' in f]
    assert len(deltas) >= 2, "the answer did not arrive in pieces"
    card = answer.locator("a.cite").first
    expect(card).to_contain_text("Photosynthesis")
    gold = next(s for s in sidecar("photosynthesis.mp4")["sentences"] if "oxygen is released" in s["text"])
    start = float(card.get_attribute("data-start"))
    assert abs(start - gold["start_s"]) < 1.0
    # The session appears in the sidebar, titled from the question.
    expect(page.locator("#session-list li").first).to_contain_text("Which gas is released")
    card.click()
    expect(page).to_have_url(re.compile(rf"/videos/{video.id}\?t=\d+"))
    page.wait_for_function("() => { const p = document.getElementById('player');"
                           " return p && p.readyState >= 1 && p.currentTime > 0; }", timeout=UI_MS)
    at = page.evaluate("document.getElementById('player').currentTime")
    assert abs(at - int(start)) < 0.5


def test_script_injection_renders_inert(ready):
    server, page, video = ready
    sv = server.app.extensions["chronos"]
    with sv.db.connection() as conn:  # a hostile title reaches answers, cards and pages
        videos.update_video(conn, video.id, title='<img src=x onerror="window.__pwned=1">Leaves')
        conn.execute("UPDATE transcript_segments SET text = '<script>window.__pwned=2</script>' ||"
                     " text WHERE video_id = ? AND segment_index = 0", (video.id,))
    page.goto(server.url + "/chat")
    page.locator("#chat textarea").fill('<img src=x onerror="window.__pwned=3"> What does chlorophyll reflect?')
    page.locator("#chat textarea").press("Enter")
    answer = page.locator(".msg.assistant").last
    expect(answer).not_to_have_class(re.compile("streaming"), timeout=UI_MS)
    expect(page.locator(".msg.user .text").last).to_contain_text('<img src=x onerror="window.__pwned=3">')
    expect(answer.locator(".cite-title").first).to_contain_text("<img src=x")
    page.goto(server.url + f"/videos/{video.id}")
    expect(page.locator("#transcript")).to_contain_text("<script>window.__pwned=2</script>")
    expect(page.locator("#video-title")).to_contain_text("<img src=x")
    assert page.evaluate("window.__pwned") is None
    assert page.locator("img[src=x]").count() == 0


def test_ask_about_this_moment_beside_the_player(ready):
    server, page, video = ready
    page.goto(server.url + f"/videos/{video.id}")
    page.wait_for_function("() => document.getElementById('player').readyState >= 1", timeout=UI_MS)
    calvin = next(s for s in sidecar("photosynthesis.mp4")["sentences"] if "Calvin" in s["text"])
    page.evaluate(f"document.getElementById('player').currentTime = {calvin['start_s'] + 1}")
    box = page.locator("#chat textarea")
    box.fill("What is this stage called, and what does it make?")
    box.press("Enter")
    expect(page.locator(".msg.user .meta").last).to_contain_text("at 0:")
    answer = page.locator(".msg.assistant").last
    expect(answer).not_to_have_class(re.compile("streaming"), timeout=UI_MS)
    card = answer.locator("a.cite").first
    start = float(card.get_attribute("data-start"))
    assert calvin["start_s"] - 10 <= start <= calvin["end_s"]
    # A citation of the video being watched seeks this player instead of leaving the page.
    page.evaluate("document.getElementById('player').currentTime = 1")
    card.click()
    expect(page).to_have_url(re.compile(rf"/videos/{video.id}$"))
    page.wait_for_function(f"() => Math.abs(document.getElementById('player').currentTime - {start}) < 0.5",
                           timeout=UI_MS)


def test_a_vague_question_about_the_paused_moment_cites_it(ready):
    """Paused mid-lecture, "Can you explain this?" is answered from what was just said (issue 18)."""
    server, page, video = ready
    page.goto(server.url + f"/videos/{video.id}")
    page.wait_for_function("() => document.getElementById('player').readyState >= 1", timeout=UI_MS)
    spoken = sidecar("photosynthesis.mp4")["sentences"]
    at = spoken[4]["start_s"] + 1.5
    page.evaluate(f"document.getElementById('player').currentTime = {at}")
    expect(page.locator("#chat input[type=checkbox]")).to_be_checked()
    box = page.locator("#chat textarea")
    box.fill("Can you explain this?")
    box.press("Enter")
    answer = page.locator(".msg.assistant").last
    expect(answer).not_to_have_class(re.compile("streaming"), timeout=UI_MS)
    expect(answer).to_contain_text("around this moment")
    expect(answer).not_to_contain_text("no single passage")
    expect(answer.locator("a.cite").first).to_contain_text("quote checked")  # issue 16: verified quotes
    start = float(answer.locator("a.cite").first.get_attribute("data-start"))
    assert spoken[3]["start_s"] - 1 <= start <= spoken[4]["start_s"] + 1


def test_edit_delete_and_shift_enter(ready):
    server, page, _ = ready
    page.goto(server.url + "/chat")
    box = page.locator("#chat textarea")
    box.fill("first line")
    box.press("Shift+Enter")
    box.type("second line")
    assert page.locator(".msg.user").count() == 0  # Shift+Enter did not send
    box.fill("Where does the Calvin cycle happen?")
    box.press("Enter")
    expect(page.locator(".msg.assistant").last).not_to_have_class(re.compile("streaming"), timeout=UI_MS)
    page.locator(".msg.user button", has_text="Edit").click()
    edit = page.locator("dialog.app-dialog")  # the app's own dialog, not the browser's prompt()
    expect(edit.get_by_role("textbox")).to_have_value("Where does the Calvin cycle happen?")
    edit.get_by_role("textbox").fill("Which gas is released when water is split?")
    edit.get_by_role("button", name="Ask again").click()
    expect(page.locator(".msg.user .text")).to_have_text("Which gas is released when water is split?")
    answer = page.locator(".msg.assistant").last
    expect(answer.locator(".text")).to_contain_text("oxygen", timeout=UI_MS)
    assert page.locator(".msg.assistant").count() == 1
    page.reload()  # the edited exchange survived
    expect(page.locator(".msg.user .text")).to_have_text("Which gas is released when water is split?")
    page.locator(".msg.user button", has_text="Delete").click()
    page.locator("dialog.app-dialog").get_by_role("button", name="Delete").click()
    expect(page.locator(".msg")).to_have_count(0)


def test_chat_reconnects_after_the_server_drops_it(ready):
    """A drop mid-answer marks it failed with Retry; the page reconnects by itself, Retry and new
    questions stream on the new socket."""
    server, page, _ = ready
    sockets, drop = [], {"after_delta": True}

    def through(ws):
        upstream = ws.connect_to_server()
        sockets.append(upstream)
        ws.on_message(upstream.send)
        cut = {"done": False}  # this connection's: the reconnected one forwards everything

        def down(message):
            if cut["done"]:
                return  # frames the server had already sent when its end went away never arrive
            ws.send(message)
            if drop["after_delta"] and '"type": "delta"' in message:
                drop["after_delta"] = False
                cut["done"] = True
                upstream.close()  # the server end goes away with the answer half written

        upstream.on_message(down)

    page.route_web_socket(re.compile(r"/ws/chat$"), through)
    page.goto(server.url + "/chat")
    page.evaluate("""() => { window.__states = [];
      const s = document.querySelector('#chat .conn');
      new MutationObserver(() => window.__states.push(s.textContent)).observe(s, { childList: true }); }""")
    box = page.locator("#chat textarea")
    box.fill("Which gas is released when water is split?")
    box.press("Enter")
    cut = page.locator(".msg.assistant").last
    expect(cut.locator(".error")).to_contain_text("The connection dropped before the answer finished.",
                                                 timeout=UI_MS)
    page.wait_for_function("() => window.__states.includes('Reconnecting…') && window.__states.at(-1) === ''",
                           timeout=UI_MS)
    assert len(sockets) == 2
    cut.locator("button", has_text="Retry").click()
    answer = page.locator(".msg.assistant").last
    expect(answer).not_to_have_class(re.compile("streaming|failed"), timeout=UI_MS)
    expect(answer.locator(".text")).to_contain_text("oxygen is released")
    box.fill("Where does the Calvin cycle happen?")
    box.press("Enter")
    expect(page.locator(".msg.assistant")).to_have_count(2)
    expect(page.locator(".msg.assistant").last).not_to_have_class(re.compile("streaming|failed"), timeout=UI_MS)
    expect(page.locator(".msg.assistant").last.locator("a.cite").first).to_be_visible()
    assert len(sockets) == 2  # both went over the one reconnected socket
    assert page.locator("#chat .conn").text_content() == ""
