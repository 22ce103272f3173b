"""Hint mode in a real browser (issue 15, point 5): the builder's switch, the course player's notice,
and a hint's rewatch links with no quote, on a desktop and on a phone."""
from __future__ import annotations

import re

import pytest

from chronos.models import courses
from tests.conftest import process
from tests.test_browser_courses import (PLAYER_READY, contexts, course, owner_page, shot,  # noqa: F401
                                        site, student_page)

pytest.importorskip("playwright.sync_api")
from playwright.sync_api import Page, expect  # noqa: E402

pytestmark = pytest.mark.browser
QUESTION = "Which gas is released when water is split?"


def ask_in_player(page: Page, question: str):
    """Ask from the course player's chat (not about the moment) and wait for the whole answer."""
    page.locator("#chat .moment input").uncheck()
    box = page.locator("#chat textarea")
    box.fill(question)
    box.press("Enter")
    answer = page.locator(".msg.assistant").last
    expect(answer).not_to_have_class(re.compile("streaming"), timeout=30_000)
    return answer


def expect_a_hint(answer, oxygen: str) -> None:
    """Rewatch links, a guiding question, and no quote of the lecture anywhere in the answer."""
    expect(answer.locator("a.cite.rewatch").first).to_be_visible()
    expect(answer.locator("a.cite.rewatch").first).to_contain_text("Rewatch")
    expect(answer.locator(".text")).to_contain_text("Ask yourself")
    expect(answer.locator("blockquote")).to_have_count(0)
    expect(answer.locator("a.cite:not(.rewatch)")).to_have_count(0)
    assert "oxygen" not in answer.inner_text().lower()
    titles = answer.locator("a.cite").evaluate_all("(cards) => cards.map((c) => c.title)")
    assert titles and not any(oxygen.lower() in t.lower() for t in titles)


def test_hint_mode_in_the_builder_and_the_course_player(site, contexts):  # noqa: F811
    leaves = site.add("photosynthesis.mp4", "Leaves", ready=False)
    assert process(site.sv, leaves).status == "completed"
    made = course(site, "Plants", [("Light", [leaves])])
    owner = owner_page(contexts, site)
    owner.goto(f"{site.url}/courses/{made.id}/edit")
    expect(owner.locator("#course-tutor")).to_be_hidden()
    owner.click("#details-box summary")  # the course has modules: its details start folded
    with owner.expect_response(lambda r: r.url.endswith(f"/api/courses/{made.id}") and r.request.method == "PUT"):
        owner.locator("#details input[name=tutor_mode]").check()
    expect(owner.locator("#course-tutor")).to_have_text("Hint mode")
    expect(owner.locator("#save-state")).to_contain_text("All changes saved")
    with site.sv.db.connection() as conn:
        assert courses.get_course(conn, made.id, 1).tutor_mode == "hint"
    shot(owner, "hint-builder-desktop")

    page = student_page(contexts, site)
    page.goto(f"{site.url}/learn/{made.id}")
    expect(page.locator("#tutor-badge")).to_have_text("Hint mode")
    page.goto(f"{site.url}/learn/{made.id}/watch/{leaves}")
    page.wait_for_function(PLAYER_READY)
    expect(page.locator("#tutor-note")).to_be_visible()
    expect(page.locator("#tutor-note")).to_contain_text("Hint mode")
    expect(page.locator("#tutor-note")).to_contain_text("won't give you the answer")
    oxygen = "water is split and oxygen is released"
    answer = ask_in_player(page, QUESTION)
    expect_a_hint(answer, oxygen)
    page.evaluate("() => { document.querySelector('#chat .messages').scrollTop = 0; }")  # the hint's start
    shot(page, "hint-player-desktop")
    # A rewatch link plays its moment here, in the course player.
    card = answer.locator("a.cite.rewatch").first
    start = float(card.get_attribute("data-start"))
    card.click()
    page.wait_for_function(f"() => Math.abs(document.getElementById('player').currentTime - {start}) < 0.6")
    # After a reload the player's recent conversation shows the hint the same way.
    page.reload()
    expect_a_hint(page.locator(".msg.assistant").last, oxygen)

    # The owner's preview follows the creator's default (answers): a quote, and the notice says so.
    owner.goto(f"{site.url}/learn/{made.id}/watch/{leaves}")
    expect(owner.locator("#tutor-note")).to_contain_text("Your own questions follow your default (answers)")
    owned = ask_in_player(owner, QUESTION)
    expect(owned.locator("blockquote").first).to_contain_text("oxygen")
    expect(owned.locator("a.cite.rewatch")).to_have_count(0)


def test_hint_mode_on_a_phone(site, contexts):  # noqa: F811
    leaves = site.add("photosynthesis.mp4", "Leaves: how plants turn light into sugar", ready=False)
    assert process(site.sv, leaves).status == "completed"
    made = course(site, "Plants", [("Light", [leaves])], tutor_mode="hint", topic="Biology")
    page = student_page(contexts, site, viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    page.goto(f"{site.url}/learn/{made.id}")
    expect(page.locator("#tutor-badge")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    shot(page, "hint-course-phone")
    page.goto(f"{site.url}/learn/{made.id}/watch/{leaves}")
    page.wait_for_function(PLAYER_READY)
    note = page.locator("#tutor-note")
    note.scroll_into_view_if_needed()
    expect(note).to_be_visible()
    box = note.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 390
    answer = ask_in_player(page, QUESTION)
    expect_a_hint(answer, "water is split and oxygen is released")
    card = answer.locator("a.cite.rewatch").first.bounding_box()
    assert card["height"] >= 44 and card["x"] + card["width"] <= 390
    assert page.evaluate("document.documentElement.scrollWidth") <= 390, "the player scrolls sideways"
    answer.scroll_into_view_if_needed()
    shot(page, "hint-player-phone")
