"""The usage page in a real browser: coloured meters, counters that count up, the upgrade prompt."""
from __future__ import annotations

from pathlib import Path

import pytest

from chronos import create_app
from chronos.config import load_settings
from chronos.models import creators
from tests.conftest import OWNER, LiveServer, add_video

SHOTS = Path("/tmp/chronos-shots")
CHECKOUT = "https://whop.com/checkout/plan_starter"
SILENT = (Path(__file__).parent / "fixtures" / "silent.mp4").stat().st_size


@pytest.fixture
def server(tmp_path, transcriber, embedder):
    """Four videos on a Free plan that allows five (80 %: yellow) in 4 % more room than they take
    (red); two answers of twenty (green)."""
    settings = load_settings(tmp_path / "data", env={}, whisper_model="tiny.en", run_scheduler=False,
                             tiers={"free": {"videos_per_month": 5, "storage_bytes": int(4 * SILENT * 1.04),
                                             "credits_per_month": 20},
                                    "starter": {"checkout_url": CHECKOUT}})
    app = create_app(settings, transcriber=transcriber, embedder=embedder)
    sv = app.extensions["chronos"]
    with sv.db.connection() as conn:
        creators.create_owner(conn, OWNER["name"], OWNER["password"])
    for i in range(4):
        add_video(sv, "silent.mp4", title=f"Lesson {i + 1}")
    from chronos.models import people
    from chronos.rag.chat import Asker
    with sv.db.connection() as conn:  # a student's answers spend credits (the owner's are previews)
        _, token = people.create_invite(conn, 1, expires_at=None, max_uses=None)
        student = people.join_with_invite(conn, token, name="Grace", username="grace", password="x" * 10)
    for q in ("What is a river?", "What is a lake?"):
        sv.chat.ask_and_wait(Asker(1, student.id), q)
    live = LiveServer(app)
    yield live
    live.stop()
    sv.close(wait=True)


@pytest.mark.parametrize("width,name", [(1280, "usage-desktop"), (390, "usage-phone")])
def test_meters_counters_and_upgrade_prompt(server, browser, width, name):
    from playwright.sync_api import expect

    page = browser.new_page(viewport={"width": width, "height": 900})
    page.goto(server.url + "/login")
    page.fill("input[name=name]", OWNER["name"])
    page.fill("input[name=password]", OWNER["password"])
    page.click("button[type=submit]")
    expect(page).to_have_url(server.url + "/")
    if width < 760:
        page.wait_for_load_state()  # nav.js (deferred) wires the Menu button up by the load event
        page.click("#nav-toggle")  # on a phone the owner's navigation is behind Menu
    page.click("nav >> text=Usage")
    expect(page).to_have_url(server.url + "/usage")
    meters = {m: page.locator(f"[data-meter={m}]") for m in ("videos", "storage_bytes", "credits", "students")}
    expect(meters["videos"]).to_have_attribute("data-level", "yellow")
    expect(meters["storage_bytes"]).to_have_attribute("data-level", "red")
    expect(meters["credits"]).to_have_attribute("data-level", "green")
    expect(meters["students"]).to_have_attribute("data-level", "green")
    # The counters run up from 0 and stop at the real figures.
    for meter, final in (("videos", "4"), ("credits", "2"), ("storage_bytes", f"{SILENT * 4 / 1024:.1f} KB")):
        counter = meters[meter].locator(".counter")
        expect(counter).to_have_attribute("data-done", "1")
        expect(counter).to_have_text(final)
    # The bars are drawn in their colours at their widths.
    colors = page.evaluate("""() => Object.fromEntries([...document.querySelectorAll('[data-meter]')].map(
        m => [m.dataset.meter, getComputedStyle(m.querySelector('.fill')).backgroundColor]))""")
    assert colors == {"videos": "rgb(234, 179, 8)", "storage_bytes": "rgb(220, 38, 38)",
                      "credits": "rgb(22, 163, 74)", "students": "rgb(22, 163, 74)"}
    page.wait_for_function("""() => { const f = document.querySelector('[data-meter=videos] .fill');
        return Math.abs(f.getBoundingClientRect().width / f.parentElement.getBoundingClientRect().width - 0.8) < 0.02; }""")
    # At 80 % the upgrade prompt compares Free with Starter and links to Starter's checkout.
    prompt = page.locator("#upgrade")
    expect(prompt).to_be_visible()
    expect(prompt.locator("#compare thead")).to_contain_text("Free")
    expect(prompt.locator("#compare thead")).to_contain_text("Starter")
    expect(prompt.locator("#upgrade-link")).to_have_attribute("href", CHECKOUT)
    expect(prompt.locator("#upgrade-link")).to_have_text("Upgrade to Starter")
    expect(page.locator("#costs")).to_contain_text("AI answers")
    # Nothing spills sideways on a phone.
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)
    page.close()
