"""Courses in a real browser: drag-and-drop building that survives a reload, a student resuming at
the right second, completion and progress, the chat beside the course player, and phone layouts."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from chronos.models import courses, creators, people, videos
from chronos.pipeline.ingest import ingest_path
from tests.conftest import FIXTURES, OWNER, process, sidecar

pytest.importorskip("playwright.sync_api")
from playwright.sync_api import Page, expect  # noqa: E402

pytestmark = pytest.mark.browser
UI_MS = 15_000
SHOTS = Path("/tmp/chronos-shots")
STUDENT = {"name": "Grace Hopper", "username": "grace", "password": "compilers rule"}
# The player has its metadata (null-safe: the check may run while the next page is still arriving).
PLAYER_READY = "() => { const p = document.getElementById('player'); return !!p && p.readyState >= 1; }"


# -- helpers --------------------------------------------------------------------------------------

@pytest.fixture
def site(live_server):
    """The live app with its owner; add(fixture, title) stores a ready video (no processing)."""
    sv = live_server.app.extensions["chronos"]
    with sv.db.connection() as conn:
        creators.create_owner(conn, OWNER["name"], OWNER["password"])

    def add(fixture: str, title: str, *, ready: bool = True) -> int:
        s = sv.settings
        with sv.db.connection() as conn:
            video = ingest_path(FIXTURES / fixture, conn=conn, media_dir=s.media_dir, incoming_dir=s.upload_tmp_dir,
                                creator_id=1, max_bytes=s.max_upload_bytes, title=title, published=True)
            if ready:
                videos.set_status(conn, video.id, "completed")
        return video.id

    live_server.sv, live_server.add = sv, add
    return live_server


def course(site, title: str, layout: list[tuple[str, list[int]]], *, published: bool = True, **fields) -> dict:
    """A course made through the model: [(module title, [video ids])]."""
    with site.sv.db.connection() as conn:
        made = courses.create_course(conn, 1, title=title, published=published, **fields)
        for name, ids in layout:
            courses.add_module(conn, made.id, 1, title=name, video_ids=ids)
        return courses.get_course(conn, made.id, 1)


@pytest.fixture
def contexts(browser):
    """New browser contexts (own cookies); any script error on their pages fails the test."""
    made, errors = [], []

    def make(**kwargs):
        # Reduced motion turns SortableJS's 150 ms slide off, so a drag on a busy machine never
        # lands while the list is still animating (which Sortable ignores).
        ctx = browser.new_context(**{"viewport": {"width": 1280, "height": 900},
                                     "reduced_motion": "reduce", **kwargs})
        ctx.set_default_timeout(UI_MS)
        ctx.on("page", lambda page: page.on("pageerror", lambda exc: errors.append(str(exc))))
        made.append(ctx)
        return ctx

    yield make
    for ctx in made:
        ctx.close()
    assert errors == [], errors


def sign_in(page: Page, site, name: str, password: str) -> None:
    page.goto(site.url + "/login")
    page.fill("input[name=name]", name)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    expect(page).to_have_url(re.compile(r"/$"))


def student_page(contexts, site, **context) -> Page:
    with site.sv.db.connection() as conn:
        _, token = people.create_invite(conn, 1, expires_at=None, max_uses=None)
        people.join_with_invite(conn, token, name=STUDENT["name"], username=STUDENT["username"],
                                password=STUDENT["password"])
    page = contexts(**context).new_page()
    sign_in(page, site, STUDENT["username"], STUDENT["password"])
    return page


def owner_page(contexts, site, **context) -> Page:
    page = contexts(**context).new_page()
    sign_in(page, site, OWNER["name"], OWNER["password"])
    return page


def builder_order(page: Page) -> list[tuple[str, list[str]]]:
    return [tuple(x) for x in page.evaluate("""() => [...document.querySelectorAll('#modules > .module')].map(m =>
        [m.querySelector('.module-title').value,
         [...m.querySelectorAll('.video-label')].map(x => x.textContent)])""")]


def stored_order(site, course_id: int) -> list[tuple[str, list[str]]]:
    with site.sv.db.connection() as conn:
        found = courses.get_course(conn, course_id, 1)
    return [(m.title, [v.title for v in m.videos]) for m in found.modules]


def drag(page: Page, handle, target, *, upper: bool = True, at_end: bool = False,
         lane_x: float | None = None) -> None:
    """Press on a handle and move to the target in small steps: SortableJS follows pointer moves.

    upper: drop on the target's upper part (else its lower part); at_end: drop in the list's own
    padding below its last item, where SortableJS appends. lane_x: travel down a column outside
    every list first, so no list on the way takes the item.
    """
    start, goal = handle.bounding_box(), target.bounding_box()
    x, y = start["x"] + start["width"] / 2, start["y"] + start["height"] / 2
    gx = goal["x"] + goal["width"] / 2
    gy = goal["y"] + goal["height"] - 3 if at_end else goal["y"] + goal["height"] * (0.3 if upper else 0.7)
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x + 4, y + 6, steps=4)
    if lane_x is not None:
        page.mouse.move(lane_x, y, steps=15)
        page.mouse.move(lane_x, gy, steps=15)
    page.mouse.move(gx, gy, steps=25)
    page.mouse.move(gx, gy + (1 if upper else -1), steps=2)
    page.mouse.up()


def saved_order(page: Page):
    return page.expect_response(lambda r: r.url.endswith("/order") and r.request.method == "PUT")


def shot(page: Page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


# -- building ---------------------------------------------------------------------------------------

def test_drag_and_drop_builds_a_course_that_survives_a_reload(site, contexts):
    leaves, money, rivers = (site.add(f, t) for f, t in (("photosynthesis.mp4", "Leaves"), ("interest.mp4", "Money"),
                                                          ("rivers.m4a", "Rivers")))
    site.add("silent.mp4", "Silence")
    made = course(site, "Nature", [("First", [leaves, money]), ("Second", [rivers])], published=False)
    page = owner_page(contexts, site, viewport={"width": 1280, "height": 1200})  # no scrolling mid-drag
    page.goto(site.url + "/courses")
    page.click("text=Nature")
    expect(page).to_have_url(f"{site.url}/courses/{made.id}/edit")
    expect(page.locator("#modules .module-video")).to_have_count(3)
    assert builder_order(page) == [("First", ["Leaves", "Money"]), ("Second", ["Rivers"])]
    modules = page.locator("#modules > .module")

    # 1. The second module is dragged above the first.
    with saved_order(page) as res:
        drag(page, modules.nth(1).locator(".module-handle"), modules.nth(0).locator(".module-head"))
    assert res.value.ok
    assert builder_order(page) == [("Second", ["Rivers"]), ("First", ["Leaves", "Money"])]

    # 2. "Money" moves from First into Second, above Rivers.
    second, first = modules.nth(0), modules.nth(1)
    with saved_order(page) as res:
        drag(page, first.locator(".module-video", has_text="Money").locator(".video-handle"),
             second.locator(".module-video", has_text="Rivers"))
    assert res.value.ok
    assert builder_order(page) == [("Second", ["Money", "Rivers"]), ("First", ["Leaves"])]

    # 3. "Silence" comes in from the searchable library panel, into First.
    page.fill("#library-search", "sil")
    expect(page.locator("#library .library-item:visible")).to_have_count(1)
    with saved_order(page) as res:
        drag(page, page.locator("#library .library-item", has_text="Silence").locator(".video-handle"),
             first.locator(".module-videos"), at_end=True, lane_x=page.locator("#modules").bounding_box()["x"] - 40)
    assert res.value.ok
    assert builder_order(page) == [("Second", ["Money", "Rivers"]), ("First", ["Leaves", "Silence"])]
    expect(page.locator("#library .library-item", has_text="Silence")).to_have_count(1)  # still in the library

    # 4. The same without dragging: Move up (keyboard) and Remove.
    up = first.locator(".module-video", has_text="Silence").locator('[data-act="video-up"]')
    up.focus()
    with saved_order(page) as res:
        page.keyboard.press("Enter")
    assert res.value.ok
    expect(page.locator(":focus")).to_have_attribute("aria-label", "Move Silence up")  # focus follows the row
    with saved_order(page) as res:
        page.keyboard.press("Enter")  # past the top of First: into the end of Second
    assert builder_order(page) == [("Second", ["Money", "Rivers", "Silence"]), ("First", ["Leaves"])]
    with saved_order(page) as res:
        second.locator(".module-video", has_text="Rivers").locator('[data-act="video-remove"]').click()
    expected = [("Second", ["Money", "Silence"]), ("First", ["Leaves"])]
    expect(page.locator("#save-state")).to_have_text("All changes saved ✓")
    shot(page, "courses-builder-desktop")

    page.reload()
    expect(page.locator("#modules .module-video")).to_have_count(3)
    assert builder_order(page) == expected
    assert stored_order(site, made.id) == expected
    api = page.request.get(f"{site.url}/api/courses/{made.id}").json()
    names = {leaves: "Leaves", money: "Money", rivers: "Rivers"}
    assert [[names.get(v, "Silence") for v in m["video_ids"]] for m in api["modules"]] == \
        [["Money", "Silence"], ["Leaves"]]


def test_builder_details_modules_and_refusals(site, contexts):
    leaves = site.add("photosynthesis.mp4", "Leaves")
    page = owner_page(contexts, site)
    page.goto(site.url + "/courses")
    expect(page.locator("#courses-empty")).to_contain_text("No courses yet")
    page.fill("#new-course-title", "Plants")
    page.click("text=Create course")
    expect(page).to_have_url(re.compile(r"/courses/\d+/edit$"))
    course_id = int(page.url.rstrip("/edit").rsplit("/", 1)[1])
    expect(page.locator("#modules-empty")).to_be_visible()
    page.fill("#add-module input", "Light")
    page.click("text=Add module")
    expect(page.locator("#modules > .module")).to_have_count(1)
    with saved_order(page):
        page.locator("#library .library-item", has_text="Leaves").locator("text=Add").click()
    # Adding it again to the same module is refused before anything is sent.
    page.locator("#library .library-item", has_text="Leaves").locator("text=Add").click()
    expect(page.locator("#save-state")).to_have_text("That module already has this lecture.")
    # Details save as they change.
    details = page.locator("#details")
    with page.expect_response(lambda r: r.url.endswith(f"/api/courses/{course_id}") and r.request.method == "PUT"):
        details.locator("input[name=topic]").fill("Biology")
        details.locator("input[name=topic]").press("Tab")
    with page.expect_response(lambda r: r.url.endswith(f"/api/courses/{course_id}") and r.request.method == "PUT"):
        details.locator("input[name=published]").check()
    expect(page.locator("#course-state")).to_have_text("Published")
    expect(page.locator("#course-stats")).to_contain_text("1 module · 1 lecture · 38 s")
    # An empty module title is refused and the stored one comes back.
    title = page.locator(".module-title")
    title.fill("")
    title.press("Tab")
    expect(page.locator("#save-state")).to_have_text("Not saved: 'title' must not be empty.")
    expect(page.locator(".module-title")).to_have_value("Light")
    page.set_input_files("#thumb-input", files=[{"name": "cover.png", "mimeType": "image/png",
                                                 "buffer": b"\x89PNG\r\n\x1a\n" + b"\x00" * 32}])
    expect(page.locator("#thumb-preview")).to_be_visible()
    page.set_input_files("#thumb-input", files=[{"name": "cover.png", "mimeType": "image/png",
                                                 "buffer": b"not an image"}])
    expect(page.locator("#save-state")).to_contain_text("not a JPEG, PNG or WebP")
    with site.sv.db.connection() as conn:
        stored = courses.get_course(conn, course_id, 1)
    assert (stored.title, stored.topic, stored.published) == ("Plants", "Biology", True)
    assert stored.modules[0].video_ids == [leaves]
    assert stored.thumbnail_path
    page.click("#delete-course")
    page.locator("dialog.app-dialog").get_by_role("button", name="Delete course").click()  # the app's own dialog
    expect(page).to_have_url(site.url + "/courses")
    expect(page.locator("#courses-empty")).to_be_visible()


# -- watching ---------------------------------------------------------------------------------------

def test_student_resumes_at_the_right_second(site, contexts):
    leaves = site.add("photosynthesis.mp4", "Leaves")
    rivers = site.add("rivers.m4a", "Rivers")
    made = course(site, "Nature", [("Plants", [leaves]), ("Water", [rivers])], topic="Science")
    page = student_page(contexts, site)
    page.click("nav >> text=Courses")
    page.click("text=Nature")
    expect(page.locator("#start")).to_have_text("Start course")
    page.click("#start")
    expect(page).to_have_url(re.compile(rf"/learn/{made.id}/watch/{leaves}"))
    page.wait_for_function(PLAYER_READY)
    page.evaluate("() => { const p = document.getElementById('player'); p.muted = true; p.currentTime = 20; }")
    page.wait_for_function("() => !document.getElementById('player').seeking")
    page.evaluate("document.getElementById('player').play()")
    page.wait_for_function("() => document.getElementById('player').currentTime > 22.5")
    with page.expect_response(lambda r: r.url.endswith("/api/progress")) as res:
        page.evaluate("document.getElementById('player').pause()")
    stopped = page.evaluate("document.getElementById('player').currentTime")
    saved = res.value.json()["video"]
    assert abs(saved["position_s"] - stopped) < 0.5
    assert 1.5 < saved["watched_s"] < 4  # the jump to 20 s was not counted as watching

    page.reload()
    page.wait_for_function("() => { const p = document.getElementById('player');"
                           " return !!p && p.readyState >= 1 && p.currentTime > 0; }")
    resumed = page.evaluate("document.getElementById('player').currentTime")
    assert abs(resumed - (saved["position_s"] - 2)) < 0.3  # a couple of seconds before where it stopped
    # The course page offers to continue that video.
    page.goto(f"{site.url}/learn/{made.id}")
    expect(page.locator("#start")).to_have_text("Continue: Leaves")
    expect(page.locator(".lesson", has_text="Leaves")).to_contain_text("at 0:2")


def test_completion_auto_advance_and_progress(site, contexts):
    warm = site.add("silent.mp4", "Warm-up")
    cool = site.add("silent.mp4", "Cool-down")
    made = course(site, "Stretching", [("Routine", [warm, cool])])
    page = student_page(contexts, site)
    page.goto(f"{site.url}/learn/{made.id}/watch/{warm}")
    expect(page.locator("#progress-count")).to_have_text("0 of 2")
    page.check("#auto-advance")
    page.wait_for_function(PLAYER_READY)
    with page.expect_response(lambda r: r.url.endswith("/api/progress") and r.json()["video"]["completed"]):
        page.evaluate("() => { const p = document.getElementById('player'); p.muted = true; p.play(); }")
    # Watched to the end: checked off, counted, and on to the next video by itself.
    expect(page).to_have_url(re.compile(rf"/watch/{cool}\?module="))
    expect(page.locator("#now-title")).to_have_text("Cool-down")
    expect(page.locator(f'.nav-video[data-video-id="{warm}"] .check')).to_have_class(re.compile(r"\bdone\b"))
    expect(page.locator("#progress-count")).to_have_text("1 of 2")
    expect(page.locator("#progress-percent")).to_have_text("50%")
    expect(page.locator("#course-bar")).to_have_attribute("aria-valuenow", "50")
    expect(page.locator("#next-video")).to_be_disabled()
    page.evaluate("document.getElementById('player').pause()")
    page.click("#mark-complete")
    expect(page.locator("#mark-complete")).to_have_text("✓ Completed")
    expect(page.locator("#progress-percent")).to_have_text("100%")
    expect(page.locator("#player-note")).to_contain_text("finished this course")
    shot(page, "courses-player-desktop")
    page.reload()
    expect(page.locator(".nav-video .check.done")).to_have_count(2)
    expect(page.locator(".nav-module-count")).to_have_text("2/2")
    page.goto(f"{site.url}/learn/{made.id}")
    expect(page.locator("#start")).to_have_text("Watch again")
    shot(page, "courses-course-desktop")
    page.goto(f"{site.url}/learn")
    expect(page.locator(".course-card")).to_contain_text("Completed ✓")
    with site.sv.db.connection() as conn:
        rows = {r["video_id"]: dict(r) for r in conn.execute("SELECT * FROM video_analytics")}
    assert rows[warm]["views"] == 1 and rows[warm]["completion_count"] == 1 and rows[warm]["total_watch_s"] > 5
    assert rows[cool]["completion_count"] == 1


def test_chat_beside_the_player_knows_the_course_and_the_moment(site, contexts):
    leaves = site.add("photosynthesis.mp4", "Leaves", ready=False)
    assert process(site.sv, leaves).status == "completed"
    warm = site.add("silent.mp4", "Warm-up")
    made = course(site, "Plants", [("Intro", [warm]), ("Light", [leaves])])
    page = student_page(contexts, site)
    sent = []
    page.on("websocket", lambda ws: ws.on("framesent", lambda f: sent.append(json.loads(f))))
    page.goto(f"{site.url}/learn/{made.id}/watch/{warm}")
    page.click(f'.nav-video[data-video-id="{leaves}"]')
    expect(page.locator("#now-title")).to_have_text("Leaves")
    page.wait_for_function(PLAYER_READY)
    calvin = next(s for s in sidecar("photosynthesis.mp4")["sentences"] if "Calvin" in s["text"])
    page.evaluate("(t) => { const p = document.getElementById('player'); p.muted = true; p.currentTime = t; }",
                  calvin["start_s"] + 1)
    box = page.locator("#chat textarea")
    box.fill("What is this stage called, and what does it make?")
    box.press("Enter")
    answer = page.locator(".msg.assistant").last
    expect(answer).not_to_have_class(re.compile("streaming"), timeout=30_000)
    asked = [m for m in sent if m.get("type") == "ask"][-1]
    assert asked["course_id"] == made.id and asked["video_id"] == leaves
    assert abs(asked["at_s"] - (calvin["start_s"] + 1)) < 0.5
    card = answer.locator("a.cite").first
    start = float(card.get_attribute("data-start"))
    # A cited moment of this course plays here, in the course player.
    page.click(f'.nav-video[data-video-id="{warm}"]')
    expect(page.locator("#now-title")).to_have_text("Warm-up")
    card.click()
    expect(page.locator("#now-title")).to_have_text("Leaves")
    expect(page).to_have_url(re.compile(rf"/learn/{made.id}/watch/{leaves}"))
    page.wait_for_function(f"() => Math.abs(document.getElementById('player').currentTime - {start}) < 0.6")


# -- phones -----------------------------------------------------------------------------------------

# A checkbox is tapped through its label, so the label is what is measured.
SMALL_TARGETS_JS = """(selector) => [...document.querySelectorAll(selector)]
  .filter(e => e.offsetParent !== null)
  .map(e => (e.type === "checkbox" && e.closest("label")) || e)
  .map(e => { const r = e.getBoundingClientRect();
              return {text: (e.textContent || e.name || e.className).trim().slice(0, 30), w: r.width, h: r.height}; })
  .filter(r => r.h < 44 || r.w < 44)"""
TAPPABLE = ("main a, main button, main input, main select, main summary, main .check-row")


@pytest.mark.parametrize("width, height", [(390, 844), (844, 390)])
def test_phone_layouts(site, contexts, width, height):
    leaves = site.add("photosynthesis.mp4", "Leaves: how plants turn light into sugar")
    money = site.add("interest.mp4", "Compound interest")
    made = course(site, "A long course title that has to wrap on a small phone screen",
                  [("Light and leaves", [leaves]), ("Money", [money])], topic="Science",
                  description="Two short lectures, one about plants and one about money.")
    phone = {"viewport": {"width": width, "height": height}, "is_mobile": True, "has_touch": True}
    page = student_page(contexts, site, **phone)
    shape = "portrait" if height > width else "landscape"
    for name, path in (("catalog", "/learn"), ("course", f"/learn/{made.id}"),
                       ("player", f"/learn/{made.id}/watch/{leaves}")):
        page.goto(site.url + path)
        if name == "player":
            page.wait_for_function(PLAYER_READY)
            player = page.locator("#player").bounding_box()
            assert player["height"] <= height and player["width"] <= width
        assert page.evaluate("document.documentElement.scrollWidth") <= width, f"{name} scrolls sideways"
        small = page.evaluate(SMALL_TARGETS_JS, TAPPABLE + ", .nav-video, .lesson")
        small = [s for s in small if s["h"] < 44]  # inline text links are wide; height is what a thumb needs
        assert small == [], (name, shape, small)
        shot(page, f"courses-{name}-{shape}")
    owner = owner_page(contexts, site, **phone)
    owner.goto(f"{site.url}/courses/{made.id}/edit")
    assert owner.evaluate("document.documentElement.scrollWidth") <= width
    targets = owner.evaluate(SMALL_TARGETS_JS, "#modules button, #library button, .handle, #add-module *")
    small = [s for s in targets if s["h"] < 44]
    assert small == []
    shot(owner, f"courses-builder-{shape}")
