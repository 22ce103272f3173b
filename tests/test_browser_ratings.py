"""Rating an answer in a real browser: a student's thumbs down with a reason and a comment, then the
creator's dashboard showing the share and the answer with its reason and the cited moment."""
from __future__ import annotations

import pytest

from chronos.models import people, ratings
from tests.test_browser_courses import STUDENT, contexts, owner_page, shot, sign_in, site  # noqa: F401
from tests.test_ratings import exchange

pytest.importorskip("playwright.sync_api")
from playwright.sync_api import expect  # noqa: E402

pytestmark = pytest.mark.browser


def test_thumbs_down_with_a_reason_reaches_the_dashboard(site, contexts):  # noqa: F811
    leaves = site.add("photosynthesis.mp4", "Leaves")
    with site.sv.db.connection() as conn:
        _, token = people.create_invite(conn, 1, expires_at=None, max_uses=None)
        student = people.join_with_invite(conn, token, name=STUDENT["name"], username=STUDENT["username"],
                                          password=STUDENT["password"])
        session_id, answer_id = exchange(conn, student.id, "Why are leaves green?", leaves, 31.4)
    page = contexts(viewport={"width": 390, "height": 844}).new_page()  # a phone
    sign_in(page, site, STUDENT["username"], STUDENT["password"])
    page.goto(f"{site.url}/chat?session={session_id}")
    answer = page.locator(".msg.assistant").last
    down = answer.locator("button.rate-thumb[aria-label='Not helpful']")
    expect(down).to_have_attribute("aria-pressed", "false")
    with page.expect_response(lambda r: r.url.endswith(f"/messages/{answer_id}/rating")):
        down.click()
    expect(down).to_have_attribute("aria-pressed", "true")
    form = answer.locator("form.rate-form")
    expect(form).to_be_visible()
    form.get_by_label("Wrong moment").check()
    form.get_by_label("Comment").fill("The green part is explained at 0:40.")
    shot(page, "rating-form-phone")
    with page.expect_response(lambda r: r.url.endswith(f"/messages/{answer_id}/rating")):
        form.get_by_role("button", name="Send").click()
    expect(form).to_have_count(0)
    expect(answer.locator(".rate [role=status]")).to_contain_text("Thanks")
    with site.sv.db.connection() as conn:
        stored = ratings.get_rating(conn, answer_id, student.id)
    assert (stored.helpful, stored.reason, stored.comment) == (False, "wrong_moment", "The green part is explained at 0:40.")
    # Reloaded, the chat remembers the rating.
    page.reload()
    expect(page.locator(".msg.assistant").last.locator("button.rate-thumb[aria-label='Not helpful']")) \
        .to_have_attribute("aria-pressed", "true")

    owner = owner_page(contexts, site)
    owner.goto(f"{site.url}/analytics?range=7d")
    card = owner.locator('.h-card[data-metric="helpful"]')
    expect(card.locator("[data-value]")).to_have_text("0.0 %")
    expect(card.locator("[data-change]")).to_have_text("0 of 1 rating")
    item = owner.locator(f"#unhelpful li[data-message-id='{answer_id}']")
    expect(item).to_contain_text("Why are leaves green?")
    expect(item.locator(".u-reason")).to_have_text("Wrong moment")
    expect(item).to_contain_text("The green part is explained at 0:40.")
    link = item.locator("a.u-cite")
    expect(link).to_have_attribute("href", f"/videos/{leaves}?t=31")
    item.scroll_into_view_if_needed()
    shot(owner, "rating-dashboard")
    link.click()
    owner.wait_for_function("() => { const p = document.getElementById('player');"
                            " return !!p && p.readyState >= 1 && p.currentTime > 30; }")
