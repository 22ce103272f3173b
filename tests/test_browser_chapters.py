"""Chapters in a real browser: a student clicks a chapter (in the list, on the timeline, by keyboard)
and the video plays from there, the chapter playing is marked, the course player shows each
video's chapters; the owner renames one in place (still so after a reload), splits at the moment
playing, sets a start, merges, and all of it on a phone too."""
from __future__ import annotations

import pytest

from chronos.models import chapters as chapter_store
from chronos.models import videos
from tests.test_browser_courses import (PLAYER_READY, contexts, course, owner_page, shot, site,  # noqa: F401
                                        student_page)

pytest.importorskip("playwright.sync_api")
from playwright.sync_api import expect  # noqa: E402

pytestmark = pytest.mark.browser
PHONE = {"width": 390, "height": 844}
LECTURE = [(0.0, "Volcanoes"), (34.96, "Honey bees")]


def chaptered(site, fixture: str = "two_topics.mp4", title: str = "Volcanoes and bees",  # noqa: F811
              chapters=LECTURE, duration_s: float = 66.6) -> int:
    """A ready video with these chapters stored (as processing would have left them)."""
    video_id = site.add(fixture, title)
    with site.sv.db.connection() as conn:
        videos.set_probe(conn, video_id, duration_s=duration_s, thumbnail_path=None)
        chapter_store.store_chapters(conn, video_id, [chapter_store.Chapter(s, t) for s, t in chapters],
                                     revision=0, edited=False)
    return video_id


def player(page, prop: str):
    return page.evaluate(f"document.getElementById('player').{prop}")


def playing_from(page, seconds: float) -> None:
    page.wait_for_function("(t) => { const p = document.getElementById('player');"
                           " return !p.seeking && p.currentTime >= t && p.currentTime < t + 3; }", arg=seconds)


def test_a_student_plays_a_chapter_from_the_list_the_timeline_and_the_keyboard(site, contexts):  # noqa: F811
    video_id = chaptered(site)
    page = student_page(contexts, site)
    page.goto(f"{site.url}/videos/{video_id}")
    page.wait_for_function(PLAYER_READY)
    page.evaluate("document.getElementById('player').muted = true")
    items = page.locator("#chapters .chapter-list > li")
    expect(items).to_have_count(2)
    expect(items.nth(1)).to_contain_text("0:34")
    expect(items.nth(1)).to_contain_text("Honey bees")
    expect(page.locator(".chapter-timeline .chapter-mark")).to_have_count(2)
    expect(page.locator("#chapters .chapter-tools")).to_have_count(0)  # a student edits nothing

    page.locator("#chapters .chapter-go", has_text="Honey bees").click()
    playing_from(page, 34.96)
    assert not player(page, "paused")
    expect(items.nth(1)).to_have_class("current")
    expect(items.nth(1).locator(".chapter-go")).to_have_attribute("aria-current", "true")
    expect(page.locator(".chapter-mark.current")).to_have_attribute("data-index", "1")

    # The marks on the timeline play from their chapter too.
    page.locator(".chapter-timeline .chapter-mark").first.click()
    playing_from(page, 0)
    expect(items.nth(0)).to_have_class("current")
    shot(page, "chapters-student")

    # By keyboard alone: Tab reaches a chapter, Enter plays it.
    page.evaluate("document.getElementById('player').pause()")
    page.locator("#chapters .chapter-go").first.focus()
    page.keyboard.press("Tab")
    expect(page.locator("#chapters .chapter-go").nth(1)).to_be_focused()
    page.keyboard.press("Enter")
    playing_from(page, 34.96)

    # On a phone: the chapters under the player, nothing wider than the screen, still a tap away.
    page.set_viewport_size(PHONE)
    page.wait_for_function("() => document.scrollingElement.scrollWidth <= 390")
    box = page.locator("#chapters").bounding_box()
    video = page.locator("#player").bounding_box()
    assert box["y"] > video["y"] + video["height"] and box["width"] <= 390
    page.locator("#chapters .chapter-go").first.click()
    playing_from(page, 0)
    shot(page, "chapters-student-phone")


def test_the_course_player_shows_the_chapters_of_the_video_playing(site, contexts):  # noqa: F811
    bees = chaptered(site)
    leaves = chaptered(site, "photosynthesis.mp4", "Leaves", [(0.0, "Photosynthesis"), (14.17, "Light reactions"),
                                                              (26.29, "Calvin cycle")], 37.8)
    made = course(site, "Nature", [("Week 1", [bees, leaves])])
    page = student_page(contexts, site)
    page.goto(f"{site.url}/learn/{made.id}/watch/{bees}")
    page.wait_for_function(PLAYER_READY)
    page.evaluate("document.getElementById('player').muted = true")
    titles = page.locator("#chapters .chapter-title")
    expect(titles).to_have_text(["Volcanoes", "Honey bees"])
    page.click("#next-video")
    expect(titles).to_have_text(["Photosynthesis", "Light reactions", "Calvin cycle"])
    page.locator("#chapters .chapter-go", has_text="Calvin cycle").click()
    playing_from(page, 26.29)
    expect(page.locator("#chapters .chapter-list > li.current")).to_have_text("0:26Calvin cycle")
    shot(page, "chapters-course-player")
    page.set_viewport_size(PHONE)
    page.wait_for_function("() => document.scrollingElement.scrollWidth <= 390")
    page.locator("#chapters .chapter-go", has_text="Light reactions").click()
    playing_from(page, 14.17)
    shot(page, "chapters-course-player-phone")


def test_the_owner_edits_chapters_on_the_video_page_and_they_persist(site, contexts):  # noqa: F811
    video_id = chaptered(site)
    page = owner_page(contexts, site)
    page.goto(f"{site.url}/videos/{video_id}")
    page.wait_for_function(PLAYER_READY)
    items = page.locator("#chapters .chapter-list > li")
    expect(items).to_have_count(2)

    # Rename in place: Esc cancels, Enter saves; the name is still there after a reload.
    items.nth(0).locator(".chapter-rename").click()
    box = items.nth(0).locator("input.chapter-input")
    expect(box).to_be_focused()
    box.fill("Not this")
    box.press("Escape")
    expect(items.nth(0).locator(".chapter-title")).to_have_text("Volcanoes")
    items.nth(0).locator(".chapter-rename").click()
    items.nth(0).locator("input.chapter-input").fill("How volcanoes erupt")
    items.nth(0).locator("input.chapter-input").press("Enter")
    expect(items.nth(0).locator(".chapter-title")).to_have_text("How volcanoes erupt")
    expect(items.nth(0).locator(".chapter-go")).to_be_focused()
    page.reload()
    page.wait_for_function(PLAYER_READY)
    expect(items.nth(0).locator(".chapter-title")).to_have_text("How volcanoes erupt")
    expect(page.locator("#chapter-reset")).to_be_visible()

    # Split at the moment playing; the new chapter starts there.
    page.evaluate("document.getElementById('player').currentTime = 50")
    expect(page.locator("#chapter-split")).to_have_text("Split at 0:50")
    page.click("#chapter-split")
    expect(items).to_have_count(3)
    expect(items.nth(2).locator("time")).to_have_text("0:50")

    # Set when a chapter starts by typing the time; a time that can't be is refused with a reason.
    items.nth(2).locator(".chapter-start").click()
    start = items.nth(2).locator("input.chapter-input")
    start.fill("0:30")
    start.press("Enter")
    expect(page.locator(".chapter-status")).to_contain_text("Chapter 3 can start between 0:39 and 1:01")
    start.fill("0:55")
    start.press("Enter")
    expect(items.nth(2).locator("time")).to_have_text("0:55")

    # Merge chapter 2 with the next.
    items.nth(1).locator(".chapter-merge").click()
    expect(items).to_have_count(2)
    shot(page, "chapters-owner")
    page.reload()
    page.wait_for_function(PLAYER_READY)
    expect(page.locator("#chapters .chapter-title")).to_have_text(["How volcanoes erupt", "Honey bees"])
    with site.sv.db.connection() as conn:
        stored = chapter_store.get_chapters(conn, video_id)
    assert stored.edited and [(c.start_s, c.title) for c in stored.chapters] == [(0.0, "How volcanoes erupt"),
                                                                                 (34.96, "Honey bees")]

    # Drag the second chapter's mark on the timeline to move where it starts.
    handle = page.locator(".chapter-timeline .chapter-handle")
    expect(handle).to_have_count(1)
    bar = page.locator(".chapter-timeline").bounding_box()
    grip = handle.bounding_box()
    page.mouse.move(grip["x"] + grip["width"] / 2, grip["y"] + grip["height"] / 2)
    page.mouse.down()
    page.mouse.move(bar["x"] + bar["width"] * 0.65, grip["y"] + grip["height"] / 2, steps=8)
    page.mouse.up()
    expect(items.nth(1).locator("time")).to_have_text("0:43")  # 65 % of 66.6 s
    page.set_viewport_size(PHONE)
    page.wait_for_function("() => document.scrollingElement.scrollWidth <= 390")
    shot(page, "chapters-owner-phone")
