"""In a real browser: the owner finds the API page from the navigation, and the People page's invite
form sends its numbers as JSON numbers (the API refuses "14" for 14)."""
from __future__ import annotations

import json

import pytest

from chronos.models import creators
from tests.conftest import OWNER

pytest.importorskip("playwright.sync_api")
from playwright.sync_api import expect  # noqa: E402

pytestmark = pytest.mark.browser


@pytest.fixture
def owner_page(browser, live_server):
    with live_server.app.extensions["chronos"].db.connection() as conn:
        creators.create_owner(conn, OWNER["name"], OWNER["password"])
    page = browser.new_context(viewport={"width": 390, "height": 844}).new_page()
    page.set_default_timeout(15_000)
    page.goto(live_server.url + "/login")
    page.fill("input[name=name]", OWNER["name"])
    page.fill("input[name=password]", OWNER["password"])
    page.click("button[type=submit]")
    expect(page).to_have_url(live_server.url + "/")
    page.wait_for_load_state("load")
    return page


def test_the_api_page_from_the_navigation_on_a_phone(owner_page, live_server, csp_violations):
    page = owner_page
    page.click("#nav-toggle")
    page.click("#site-nav >> text=API")
    expect(page).to_have_url(live_server.url + "/api")
    expect(page.locator("h1")).to_have_text("API")
    assert page.locator("article.api-op").count() > 50
    expect(page.locator("#post--api-chat .api-code")).to_contain_text('"message": "What is the Calvin cycle?"')
    # Nothing wider than the phone: long paths and examples wrap or scroll inside their box.
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 390
    page.click("#openapi-link")
    assert json.loads(page.inner_text("body"))["openapi"] == "3.1.0"
    assert not csp_violations


def test_the_invite_form_sends_numbers(owner_page, live_server):
    page = owner_page
    page.goto(live_server.url + "/people")
    page.fill("input[name=expires_in_days]", "7")
    page.fill("input[name=max_uses]", "")  # no limit
    page.fill("input[name=note]", "Spring cohort")
    page.click("#invite-form button[type=submit]")
    expect(page.locator("#invite-url")).to_contain_text("/join/")
    with live_server.app.extensions["chronos"].db.connection() as conn:
        row = conn.execute("SELECT note, max_uses, expires_at FROM invites").fetchone()
    assert row["note"] == "Spring cohort" and row["max_uses"] is None and row["expires_at"]
