"""The usage page's "Refresh from Whop" button in a real browser: the plan Whop lists becomes the
tier, an outage keeps it and says so."""
from __future__ import annotations

from pathlib import Path

import pytest

from chronos import create_app
from chronos.config import load_settings
from chronos.models import creators
from tests.conftest import OWNER, LiveServer
from tests.fakes.whop_server import FakeWhop, api_error

SHOTS = Path("/tmp/chronos-shots")


@pytest.fixture
def whop():
    with FakeWhop() as fake:
        yield fake


@pytest.fixture
def server(tmp_path, transcriber, embedder, whop):
    env = {"WHOP_API_KEY": whop.api_key, "WHOP_COMPANY_ID": whop.company_id, "WHOP_BASE_URL": whop.url}
    settings = load_settings(tmp_path / "data", env=env, whisper_model="tiny.en", run_scheduler=False,
                             whop_tier_plans="plan_chronos_pro=pro")
    app = create_app(settings, transcriber=transcriber, embedder=embedder)
    with app.extensions["chronos"].db.connection() as conn:
        creators.create_owner(conn, OWNER["name"], OWNER["password"])
    live = LiveServer(app)
    yield live
    live.stop()
    app.extensions["chronos"].close(wait=True)


def test_refresh_from_whop_button(server, whop, browser):
    from playwright.sync_api import expect

    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(server.url + "/login")
    page.fill("input[name=name]", OWNER["name"])
    page.fill("input[name=password]", OWNER["password"])
    page.click("button[type=submit]")
    page.goto(server.url + "/usage")
    expect(page.locator("#tier-name")).to_have_text("Free")
    expect(page.locator("#whop-reading")).to_contain_text("Whop lists no active Chronos plan")
    whop.add_membership("mem_c1", "user_creator", "active", plan_id="plan_chronos_pro")
    page.click("#refresh-whop")
    expect(page).to_have_url(server.url + "/usage")
    expect(page.locator(".flash")).to_have_text("Whop says you hold the Pro plan (plan_chronos_pro).")
    expect(page.locator("#tier-name")).to_have_text("Pro")
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / "usage-whop-refresh.png"), full_page=True)
    whop.script(api_error(502, "bad_gateway", "Upstream failure."))
    page.click("#refresh-whop")
    expect(page.locator(".flash-error[role=alert]")).to_contain_text("Chronos keeps you on the Pro plan until Whop answers")
    expect(page.locator("#tier-name")).to_have_text("Pro")
    expect(page.locator("#whop-reading")).to_have_attribute("data-ok", "false")
    page.screenshot(path=str(SHOTS / "usage-whop-outage.png"), full_page=True)
    page.close()
