"""The transcript editor in a real browser (Debian's Chromium driven by Playwright): edit a line
with Enter, Esc cancels, undo, find and replace with a preview, the re-index state and captions."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from chronos.models import creators, transcripts
from tests.conftest import OWNER, add_video, process

pytest.importorskip("playwright.sync_api")
from playwright.sync_api import expect  # noqa: E402

pytestmark = pytest.mark.browser
SHOTS = Path("/tmp/chronos-shots")


@pytest.fixture
def page(browser):
    ctx = browser.new_context(viewport={"width": 1280, "height": 900})
    ctx.set_default_timeout(20_000)
    yield ctx.new_page()
    ctx.close()


def test_edit_undo_and_find_and_replace_on_the_video_page(page, live_server):
    sv = live_server.app.extensions["chronos"]
    with sv.db.connection() as conn:
        creators.create_owner(conn, OWNER["name"], OWNER["password"])
    video = add_video(sv, "photosynthesis.mp4")
    assert process(sv, video.id).status == "completed"
    with sv.db.connection() as conn:
        segments = transcripts.load_segments(conn, video.id)
    waters = sum(len(re.findall(r"(?<!\w)water(?!\w)", s.text, re.I)) for s in segments)
    assert waters >= 2
    page.goto(live_server.url + "/login")
    page.fill("input[name=name]", OWNER["name"])
    page.fill("input[name=password]", OWNER["password"])
    page.click("button[type=submit]")
    page.goto(f"{live_server.url}/videos/{video.id}")
    badge = page.locator("#index-state")
    expect(badge).to_have_text("Up to date")

    index = page.locator("#transcript > li", has_text="chlorophyll").get_attribute("data-index")
    item = page.locator(f'#transcript > li[data-index="{index}"]')
    before = item.locator(".line-text").inner_text()
    # Enter on a focused line opens its editor; Esc cancels and changes nothing.
    item.locator(".line").focus()
    page.keyboard.press("Enter")
    box = item.locator("textarea.line-edit")
    expect(box).to_be_focused()
    expect(box).to_have_value(before)
    box.fill(before.replace("chlorophyll", "pheophytin"))
    page.keyboard.press("Escape")
    expect(box).to_have_count(0)
    expect(item.locator(".line-text")).to_have_text(before)
    expect(item.locator(".edit-line")).to_be_focused()
    expect(item.locator(".edit-note")).to_have_count(0)

    # Enter saves: the line, what changed, the re-index and the captions follow.
    page.keyboard.press("Enter")  # on the focused edit button: opens the editor again
    box = item.locator("textarea.line-edit")
    box.fill(before.replace("chlorophyll", "pheophytin"))
    box.press("Enter")
    fixed = before.replace("chlorophyll", "pheophytin")
    expect(item.locator(".line-text")).to_have_text(fixed)
    expect(item.locator(".edit-note del")).to_have_text("chlorophyll")
    expect(item.locator(".edit-note ins")).to_have_text("pheophytin")
    expect(badge).to_have_text("Up to date")
    expect(page.locator("#player track")).to_have_attribute("src", re.compile(r"\.vtt\?r=\d+$"))
    page.evaluate("document.querySelector('#player track').track.mode = 'hidden'")
    page.wait_for_function("""() => [...(document.querySelector('#player track').track.cues || [])]
                              .some((c) => c.text.includes('pheophytin'))""")
    vtt = page.request.get(live_server.url + page.locator("#player track").get_attribute("src")).text()
    assert "pheophytin" in vtt and "chlorophyll" not in vtt
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "editor-edited.png"), full_page=True)

    # Undo puts the line back.
    item.locator(".edit-note .undo").click()
    expect(item.locator(".line-text")).to_have_text(before)
    expect(item.locator(".edit-note")).to_have_count(0)
    expect(badge).to_have_text("Up to date")

    # Find and replace: a preview of every match first, nothing changed until Apply.
    page.locator("#replace-panel summary").click()
    page.fill("#replace-find", "WATER")
    page.fill("#replace-with", "H2O")
    page.click("#replace-preview")
    summary = page.locator("#replace-summary")
    expect(summary).to_have_text(f"{waters} matches in 1 video:")
    lines = len([s for s in segments if re.search(r"(?<!\w)water(?!\w)", s.text, re.I)])
    expect(page.locator(".replace-lines > li")).to_have_count(lines)
    expect(page.locator(".replace-lines del").first).to_have_text(re.compile("water", re.I))
    expect(page.locator("#transcript")).to_contain_text("water")
    page.screenshot(path=str(SHOTS / "editor-replace-preview.png"), full_page=True)
    page.click("#replace-apply")
    expect(summary).to_have_text(f"Replaced {waters} matches in 1 video.")
    expect(page.locator("#transcript .line-text", has_text="water")).to_have_count(0)
    expect(page.locator("#transcript .edit-note .edit-mark", has_text="Replaced").first).to_be_visible()
    expect(badge).to_have_text("Up to date")
    add = page.locator("#add-term")
    expect(add).to_have_text("Add «H2O» to glossary")
    add.click()
    expect(page.locator("#term-added")).to_have_text("Added «H2O» to the glossary.")
    assert page.request.get(live_server.url + "/api/glossary").json() == {"terms": ["H2O"]}

    # After a reload the page shows the edits from the server, and the search data follows them.
    page.reload()
    expect(page.locator("#transcript .edit-note")).to_have_count(lines)
    srt = page.request.get(f"{live_server.url}/videos/{video.id}/transcript.srt").text()
    assert "H2O" in srt and not re.search(r"(?<!\w)water(?!\w)", srt, re.I)

    # At phone width everything stays reachable without sideways scrolling.
    page.set_viewport_size({"width": 390, "height": 844})
    page.wait_for_function("() => document.scrollingElement.scrollWidth <= 390")
    assert page.locator("#transcript .edit-line").first.bounding_box()["width"] >= 44
    page.screenshot(path=str(SHOTS / "editor-phone.png"), full_page=True)
