"""The glossary page in a real browser (Debian's Chromium driven by Playwright), at phone width."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from chronos.models import creators
from tests.conftest import OWNER

pytest.importorskip("playwright.sync_api")
from playwright.sync_api import expect  # noqa: E402

pytestmark = pytest.mark.browser
SHOTS = Path("/tmp/chronos-shots")


@pytest.fixture
def phone(browser):
    """A phone-sized page (its own cookies), closed after the test."""
    ctx = browser.new_context(viewport={"width": 390, "height": 800}, is_mobile=True, has_touch=True)
    ctx.set_default_timeout(15_000)
    yield ctx.new_page()
    ctx.close()


def test_type_terms_save_with_the_shortcut_and_find_them_after_a_reload(phone, live_server):
    with live_server.app.extensions["chronos"].db.connection() as conn:
        creators.create_owner(conn, OWNER["name"], OWNER["password"])
    page = phone
    page.goto(live_server.url + "/login")
    page.fill("input[name=name]", OWNER["name"])
    page.fill("input[name=password]", OWNER["password"])
    page.click("button[type=submit]")
    expect(page).to_have_url(live_server.url + "/")
    page.wait_for_load_state()  # nav.js (deferred) wires the Menu button up by the load event
    page.click("#nav-toggle")  # on a phone the owner's navigation is behind Menu
    page.click("nav >> text=Glossary")
    expect(page).to_have_url(live_server.url + "/glossary")
    expect(page.locator("#glossary-empty")).to_contain_text("No terms yet.")
    # The page fits a phone: nothing scrolls sideways.
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")

    box = page.locator("#terms")
    box.fill("Solimoes\n  Rio Negro \nvarzea\nsolimoes\n")
    expect(page.locator("#glossary-status")).to_have_text("Not saved yet")
    box.press("Control+s")
    expect(page.locator("#glossary-status")).to_have_text("Saved 3 terms.")
    expect(box).to_have_value("Solimoes\nRio Negro\nvarzea")
    expect(page.locator("#glossary-empty")).to_be_hidden()

    page.reload()
    expect(page.locator("#terms")).to_have_value("Solimoes\nRio Negro\nvarzea")
    expect(page.locator("#term-count")).to_have_text("(3 terms)")
    expect(page.locator("#hint-fit")).to_have_text(re.compile(r"^27 of about 640 characters: every video gets them all"))
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "glossary-phone.png"), full_page=True)

    # A glossary too long to reach Whisper whole says so while it is typed: none of it would be sent.
    page.locator("#terms").fill("\n".join(f"Term number {i:02}" for i in range(50)))
    expect(page.locator("#hint-fit")).to_have_text(re.compile(r"too long for Whisper.*no video gets these hints"))
    expect(page.locator("#hint-fit")).to_have_class(re.compile(r"\bwarn\b"))
    page.screenshot(path=str(SHOTS / "glossary-too-long.png"), full_page=True)

    # A term too long is refused with the server's message, and the saved list stays.
    box = page.locator("#terms")
    box.fill("Solimoes\n" + "x" * 61)
    page.click("#save-glossary")
    expect(page.locator("#glossary-status")).to_have_text(re.compile(r"keep each term to 60 characters"))
    expect(page.locator("#glossary-status")).to_have_class(re.compile(r"\berror\b"))
    page.reload()
    expect(page.locator("#terms")).to_have_value("Solimoes\nRio Negro\nvarzea")
