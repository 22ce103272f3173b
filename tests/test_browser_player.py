"""The player in a real browser: speed remembered, keyboard controls (not while typing), the keys
shown by `?`, captions, and continuing where the student left off on a video's own page."""
from __future__ import annotations

import pytest

from tests.test_browser_courses import (PLAYER_READY, contexts, course, owner_page, shot, site,  # noqa: F401
                                        student_page)

pytest.importorskip("playwright.sync_api")
from playwright.sync_api import expect  # noqa: E402

pytestmark = pytest.mark.browser


def player(page, prop: str):
    return page.evaluate(f"document.getElementById('player').{prop}")


def at_rest(page, seconds: float) -> None:
    """Wait until the player has finished seeking to about `seconds`."""
    page.wait_for_function("(t) => { const p = document.getElementById('player');"
                           " return !p.seeking && Math.abs(p.currentTime - t) < 0.3; }", arg=seconds)


def test_keys_speed_and_help_on_a_video_page(site, contexts):  # noqa: F811
    leaves = site.add("photosynthesis.mp4", "Leaves")
    page = student_page(contexts, site)
    page.goto(f"{site.url}/videos/{leaves}")
    page.wait_for_function(PLAYER_READY)
    page.evaluate("document.getElementById('player').muted = true")
    page.locator("body").click(position={"x": 5, "y": 5})  # focus on the page, not a control

    page.keyboard.press("k")
    page.wait_for_function("() => !document.getElementById('player').paused")
    page.keyboard.press("k")
    page.wait_for_function("() => document.getElementById('player').paused")
    page.keyboard.press("Space")
    page.wait_for_function("() => !document.getElementById('player').paused")
    page.keyboard.press("Space")
    page.wait_for_function("() => document.getElementById('player').paused")

    page.evaluate("document.getElementById('player').currentTime = 20")
    at_rest(page, 20)
    for key, expected in (("l", 30), ("j", 20), ("ArrowRight", 25), ("ArrowLeft", 20), ("j", 10)):
        page.keyboard.press(key)
        at_rest(page, expected)
        assert abs(player(page, "currentTime") - expected) < 0.3, key
    expect(page.locator(".player-status")).to_have_text("−10 s")

    # Speed: the menu and < >, remembered on the next visit (and on other videos).
    page.select_option("#player-speed", "1.5")
    assert player(page, "playbackRate") == 1.5
    page.keyboard.press(">")
    assert player(page, "playbackRate") == 1.75
    page.keyboard.press("<")
    page.keyboard.press("<")
    assert player(page, "playbackRate") == 1.25
    page.reload()
    page.wait_for_function(PLAYER_READY)
    assert player(page, "playbackRate") == 1.25 and page.input_value("#player-speed") == "1.25"

    # Typing in a box is typing: k, j and Space do nothing to the player.
    page.evaluate("document.getElementById('player').currentTime = 20")
    at_rest(page, 20)
    box = page.locator("#chat textarea")
    box.click()
    box.type("kj l")
    expect(box).to_have_value("kj l")
    assert player(page, "paused") and abs(player(page, "currentTime") - 20) < 0.3

    # ? shows the keys (Escape hides them); keyboard alone reaches the speed menu.
    page.locator("body").click(position={"x": 5, "y": 5})
    page.keyboard.press("?")
    keys = page.locator("#player-keys")
    expect(keys).to_be_visible()
    expect(keys).to_contain_text("Back / forward 10 seconds")
    shot(page, "player-keys")
    page.keyboard.press("Escape")
    expect(keys).to_be_hidden()
    page.locator("#player-speed").focus()
    page.keyboard.press("ArrowDown")  # a focused select takes the arrows itself
    assert abs(player(page, "currentTime") - 20) < 0.3


def test_captions_full_screen_and_speed_in_the_course_player(site, contexts):  # noqa: F811
    leaves = site.add("photosynthesis.mp4", "Leaves")
    rivers = site.add("rivers.m4a", "Rivers")
    made = course(site, "Nature", [("Plants", [leaves, rivers])])
    page = student_page(contexts, site)
    page.goto(f"{site.url}/learn/{made.id}/watch/{leaves}")
    page.wait_for_function(PLAYER_READY)
    page.select_option("#player-speed", "2")
    page.locator("body").click(position={"x": 5, "y": 5})
    mode = "document.getElementById('player').textTracks[0].mode"
    assert page.evaluate(mode) != "showing"
    page.keyboard.press("c")
    assert page.evaluate(mode) == "showing"
    expect(page.locator(".player-status")).to_have_text("Captions on")
    page.keyboard.press("c")
    assert page.evaluate(mode) == "hidden"
    page.keyboard.press("f")
    page.wait_for_function("() => document.fullscreenElement === document.getElementById('player')")
    page.keyboard.press("f")
    page.wait_for_function("() => document.fullscreenElement === null")
    # The next video in the course keeps the chosen speed.
    page.click("#next-video")
    page.wait_for_function(f"() => document.getElementById('player').src.endsWith('/media/videos/{rivers}')")
    page.wait_for_function(PLAYER_READY)
    assert player(page, "playbackRate") == 2


def test_continue_where_you_left_off_on_a_video_page(site, contexts):  # noqa: F811
    leaves = site.add("photosynthesis.mp4", "Leaves")
    page = student_page(contexts, site, viewport={"width": 390, "height": 844})
    page.goto(f"{site.url}/videos/{leaves}")
    page.wait_for_function(PLAYER_READY)
    assert player(page, "currentTime") == 0
    page.evaluate("() => { const p = document.getElementById('player'); p.muted = true; p.currentTime = 15; }")
    at_rest(page, 15)
    page.evaluate("document.getElementById('player').play()")
    page.wait_for_function("() => document.getElementById('player').currentTime > 17.5")
    with page.expect_response(lambda r: r.url.endswith("/api/progress")) as res:
        page.evaluate("document.getElementById('player').pause()")
    saved = res.value.json()["video"]["position_s"]
    shot(page, "player-phone")
    page.reload()
    page.wait_for_function("() => { const p = document.getElementById('player');"
                           " return !!p && p.readyState >= 1 && p.currentTime > 0; }")
    assert abs(player(page, "currentTime") - (saved - 2)) < 0.3
    # A ?t= link still wins over the stored moment.
    page.goto(f"{site.url}/videos/{leaves}?t=5")
    page.wait_for_function("() => { const p = document.getElementById('player');"
                           " return !!p && p.readyState >= 1 && Math.abs(p.currentTime - 5) < 0.5; }")
    # The owner's own visits are not recorded and start at the beginning.
    owner = owner_page(contexts, site)
    owner.goto(f"{site.url}/videos/{leaves}")
    owner.wait_for_function(PLAYER_READY)
    assert player(owner, "currentTime") == 0
