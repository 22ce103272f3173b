"""The analytics dashboard in a real browser: headline numbers and charts equal to the hand-computed
story of tests/analytics_data.py, the range filter, the engagement formula, the confusion strip and
its moment links, the leaderboard and a student's page, live updates, empty states, phone widths."""
from __future__ import annotations

import math
import re
from pathlib import Path

import pytest

from chronos import create_app
from chronos.config import load_settings
from chronos.models import activity, creators, people
from chronos.rag.chat import Asker
from tests import analytics_data
from tests.analytics_data import EXPECTED_30D, LEADERBOARD
from tests.conftest import OWNER, LiveServer, add_video, process, sign_in_cookie

pytest.importorskip("playwright.sync_api")
from playwright.sync_api import Page, expect  # noqa: E402

pytestmark = pytest.mark.browser
UI_MS = 15_000
SHOTS = Path("/tmp/analytics-shots")
PHONE = {"width": 390, "height": 844}
NO_OVERFLOW = "document.documentElement.scrollWidth <= window.innerWidth"


@pytest.fixture(scope="module")
def world(tmp_path_factory, transcriber, embedder):
    """The analytics story for the local creator, plus one real, processed lecture to play."""
    settings = load_settings(tmp_path_factory.mktemp("analytics"), env={}, whisper_model="tiny.en",
                             run_scheduler=False)
    app = create_app(settings, transcriber=transcriber, embedder=embedder)
    sv = app.extensions["chronos"]
    with sv.db.connection() as conn:
        creators.create_owner(conn, OWNER["name"], OWNER["password"])
        data = analytics_data.build(conn, 1)
    lecture = process(sv, add_video(sv, "photosynthesis.mp4", title="Photosynthesis").id)
    server = LiveServer(app)
    yield {"url": server.url, "app": app, "sv": sv, "data": data, "lecture": lecture}
    server.stop()
    sv.close(wait=True)


@pytest.fixture
def owner(browser, world):
    """A signed-in owner's page (reduced motion: charts draw without animating); no script errors."""
    errors: list[str] = []
    ctx, page = signed_in(browser, world["url"], errors, viewport={"width": 1280, "height": 900})
    yield page
    ctx.close()
    assert errors == [], errors


def signed_in(browser, url: str, errors: list[str], **context):
    """A new browser context signed in as the owner (reduced motion); script errors go to `errors`."""
    ctx = browser.new_context(reduced_motion="reduce", **context)
    ctx.set_default_timeout(UI_MS)
    page = ctx.new_page()
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(url + "/login")
    page.fill("input[name=name]", OWNER["name"])
    page.fill("input[name=password]", OWNER["password"])
    page.click("button[type=submit]")
    expect(page).to_have_url(re.compile(r"/$"))
    return ctx, page


def chart(page: Page, name: str) -> dict:
    """What Chart.js is drawing on #chart-<name>: labels and each dataset's label and values."""
    return page.evaluate("""(name) => { const c = Chart.getChart(document.getElementById('chart-' + name));
        return { labels: c.data.labels, sets: c.data.datasets.map(d => ({ label: d.label, data: d.data })) }; }""",
                         name)


def headline(page: Page, metric: str) -> tuple[str, str]:
    card = page.locator(f".h-card[data-metric={metric}]")
    return card.locator("[data-value]").inner_text(), card.locator("[data-change]").inner_text()


def by_day(data, pairs, days: int) -> list:
    """A value per day of the range (oldest first) from (days ago, value) pairs, zeros elsewhere."""
    known = dict(pairs)
    return [known.get(n, 0) for n in range(days - 1, -1, -1)]


def shoot(page: Page, name: str) -> None:
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def test_overview_headline_charts_range_filter_and_phone(owner, world):
    page, data, exp = owner, world["data"], EXPECTED_30D
    page.click("nav >> text=Analytics")
    expect(page).to_have_url(world["url"] + "/analytics")
    expect(page.locator(".h-card[data-metric=students] [data-value]")).to_have_text("5")
    assert headline(page, "students") == ("5", "▲ 400.0 % vs previous (1)")
    assert headline(page, "videos") == ("3", "▲ 200.0 % vs previous (1)")
    assert headline(page, "messages") == ("6", "New: none in the previous period")
    assert headline(page, "engagement") == ("76.6", "▲ 155.3 % vs previous (30)")
    expect(page.locator("#welcome")).to_be_hidden()

    # The engagement formula shows on hover and on keyboard focus.
    formula = page.locator("#formula")
    expect(formula).to_be_hidden()
    page.hover("#formula-trigger")
    expect(formula).to_be_visible()
    expect(formula).to_contain_text("completion rate (completions / views)")
    page.mouse.move(5, 5)
    expect(formula).to_be_hidden()
    page.focus("#formula-trigger")
    expect(formula).to_be_visible()
    assert "completion rate" in page.get_attribute("#formula-trigger", "title")

    # Every chart draws the story's numbers.
    views = chart(page, "views")
    assert views["labels"] == [data.day(n) for n in range(29, -1, -1)]
    assert views["sets"][0]["data"] == by_day(data, [(d, v) for d, v, _ in exp["views"]], 30)
    assert views["sets"][1]["data"] == by_day(data, [(d, round(w / 60, 1)) for d, _, w in exp["views"]], 30)
    top = chart(page, "top-videos")
    assert top["labels"] == [name.title() for name, _, _ in exp["top_videos"]]
    assert top["sets"][0]["data"] == [n for _, n, _ in exp["top_videos"]]
    assert chart(page, "watch-time")["sets"][0]["data"] == exp["watch_time"]
    assert chart(page, "active")["sets"][0]["data"] == by_day(data, exp["daily_active"], 30)
    journey = chart(page, "journey")
    assert journey["labels"] == ["Joined", "Watched a video", "Asked a question", "Completed a course"]
    assert journey["sets"][0]["data"] == exp["journey"]
    assert chart(page, "messages-day")["sets"][0]["data"] == by_day(data, exp["messages"], 30)
    assert chart(page, "messages-hour")["sets"][0]["data"] == [exp["by_hour"].get(h, 0) for h in range(24)]
    asked = chart(page, "top-questions")
    assert list(zip(asked["labels"], asked["sets"][0]["data"])) == [(n.title(), q) for n, q in exp["top_by_questions"]]
    course = exp["course"]
    funnel = [course[k] for k in ("enrolled", "started", "half", "completed")]
    assert chart(page, "course-funnel")["sets"][0]["data"] == funnel
    modules = chart(page, "modules")
    assert modules["labels"] == ["Basics", "Functions"]
    assert list(zip(modules["sets"][0]["data"], modules["sets"][1]["data"])) == course["modules"]
    page.click("#active-per button[data-per=weekly]")
    expect(page.locator("#active-per button[data-per=weekly]")).to_have_attribute("aria-pressed", "true")
    assert all(re.fullmatch(r"\d{4}-W\d\d", p) for p in chart(page, "active")["labels"])
    expect(page.locator("#attention .attention-video")).to_have_text(["Intro", "Loops"])
    expect(page.locator("#retention tbody tr")).not_to_have_count(0)
    expect(page.locator("#empty-views")).to_be_hidden()
    shoot(page, "overview-desktop")

    # The range filter: key 1 is "7 days", kept in the URL, so a reload keeps it.
    page.keyboard.press("1")
    expect(page).to_have_url(world["url"] + "/analytics?range=7d")
    # d6..d0: Bob, Cara, Alice, Dan, Eve; d13..d7: Alice and Bob (joined d10). Videos 3 vs 2.
    expect(page.locator(".h-card[data-metric=students] [data-change]")).to_have_text("▲ 150.0 % vs previous (2)")
    assert headline(page, "videos") == ("3", "▲ 50.0 % vs previous (2)")
    assert len(chart(page, "views")["labels"]) == 7
    expect(page.locator("#range-filter [aria-current=true]")).to_have_attribute("data-range", "7d")
    page.reload()
    expect(page.locator("#range-filter [aria-current=true]")).to_have_attribute("data-range", "7d")
    expect(page.locator(".h-card[data-metric=students] [data-change]")).to_have_text("▲ 150.0 % vs previous (2)")
    page.click("#range-filter >> text=All time")
    expect(page).to_have_url(world["url"] + "/analytics?range=all")
    expect(page.locator(".h-card[data-metric=messages] [data-change]")).to_have_text("All time")
    page.locator("#range-filter [data-range='30d']").focus()
    page.keyboard.press("Enter")
    expect(page.locator(".h-card[data-metric=students] [data-change]")).to_have_text("▲ 400.0 % vs previous (1)")

    # CSV export: the dates follow the range; a reversed range is refused before downloading.
    expect(page.locator("#export-from")).to_have_value(data.day(29))
    expect(page.locator("#export-to")).to_have_value(data.day(0))
    page.select_option("#export-report", "students")
    with page.expect_download() as download:
        page.click("#export button[type=submit]")
    assert download.value.suggested_filename == f"chronos-students-{data.day(29)}-to-{data.day(0)}.csv"
    lines = Path(download.value.path()).read_text().splitlines()
    assert len(lines) == 1 + len(LEADERBOARD) and "," in lines[0]
    page.fill("#export-from", data.day(0))
    page.fill("#export-to", data.day(3))
    page.click("#export button[type=submit]")
    expect(page.locator("#export-error")).to_have_text("The start date must be on or before the end date.")
    expect(page).to_have_url(re.compile(r"/analytics\?range=30d$"))

    # A phone: one column, charts resized to fit, nothing spills sideways.
    page.set_viewport_size(PHONE)
    page.wait_for_function("() => document.getElementById('chart-views').getBoundingClientRect().width < 390")
    assert page.evaluate(NO_OVERFLOW)
    shoot(page, "overview-phone")


def test_leaderboard_sorts_and_student_page_shows_timeline(owner, world):
    page, data = owner, world["data"]
    page.goto(world["url"] + "/analytics")
    page.click("#to-students")
    expect(page).to_have_url(world["url"] + "/analytics/students?range=30d")
    rows = page.locator("#board-rows tr")
    expect(rows).to_have_count(len(LEADERBOARD))

    def column(name: str) -> list[int]:
        return [int(t) for t in page.locator(f"#board-rows td[data-col={name}]").all_inner_texts()]

    def names() -> list[str]:
        return page.locator("#board-rows td:nth-child(2) a").all_inner_texts()

    expect(page.locator("th[data-sort=videos]")).to_have_attribute("aria-sort", "descending")
    assert column("videos") == sorted((v for v, _, _ in LEADERBOARD.values()), reverse=True)
    assert names()[0] == "Alice"
    page.click("th[data-sort=questions] button")
    expect(page.locator("th[data-sort=questions]")).to_have_attribute("aria-sort", "descending")
    expect(rows.first).to_contain_text("Bob")
    assert column("questions") == sorted((q for _, q, _ in LEADERBOARD.values()), reverse=True)
    assert dict(zip(names(), column("questions"))) == {n.title(): q for n, (_, q, _) in LEADERBOARD.items()}
    # Sorting by keyboard: Enter on a header, then again for the other direction.
    page.focus("th[data-sort=courses] button")
    page.keyboard.press("Enter")
    expect(page.locator("th[data-sort=courses]")).to_have_attribute("aria-sort", "descending")
    expect(rows.first).to_contain_text("Alice")
    page.keyboard.press("Enter")
    expect(page.locator("th[data-sort=courses]")).to_have_attribute("aria-sort", "ascending")
    expect(rows.last).to_contain_text("Alice")
    assert column("courses") == sorted(c for _, _, c in LEADERBOARD.values())
    expect(page).to_have_url(re.compile(r"sort=courses&order=asc"))
    expect(page.locator("#pager")).to_be_hidden()  # five students fit on one page

    # Bob's page: his questions newest first, then his watching, sign-in and joining.
    page.click("#board-rows a >> text=Bob")
    expect(page).to_have_url(world["url"] + f"/analytics/students/{data.students['bob']}")
    items = page.locator("#timeline li")
    expect(items).to_have_count(6)
    expect(items.first).to_contain_text("Is the end index inclusive?")
    assert page.locator("#timeline li").evaluate_all("ls => ls.map(l => l.dataset.kind)") == \
        ["asked", "asked", "asked", "watched", "signed_in", "joined"]
    expect(items.nth(3).locator("a")).to_have_attribute("href", f"/videos/{data.videos['intro']}?t=60")
    progress = page.locator("#course-progress li")
    expect(progress).to_have_count(1)
    expect(progress).to_contain_text("Python basics")
    expect(progress.locator("[role=progressbar]")).to_have_attribute("aria-valuenow", "0")
    shoot(page, "student-desktop")
    page.set_viewport_size(PHONE)
    assert page.evaluate(NO_OVERFLOW)
    shoot(page, "student-phone")
    page.goto(world["url"] + "/analytics/students")
    expect(rows).to_have_count(len(LEADERBOARD))
    assert page.evaluate(NO_OVERFLOW)
    shoot(page, "leaderboard-phone")


def test_confusion_strip_moments_and_live_update(owner, world):
    page, data, sv, lecture = owner, world["data"], world["sv"], world["lecture"]
    page.goto(world["url"] + "/analytics")
    # The video needing attention most (Intro) is on the strip: Q1-Q3 point into 100-120 s.
    strip = page.locator("#confusion")
    expect(page.locator("#video-pick")).to_have_value(str(data.videos["intro"]))
    expect(strip.locator(".cf-bin")).to_have_count(60)
    hot = strip.locator(".cf-bin.hot").evaluate_all("bs => bs.map(b => [+b.dataset.start, +b.dataset.questions])")
    assert hot == [[100.0, 3], [110.0, 3]]
    moment = strip.locator(".cf-moments li").first
    expect(moment.locator(".cf-play")).to_have_attribute("href", f"/videos/{data.videos['intro']}?t=100")
    expect(moment.locator(".cf-samples li")).to_have_count(3)
    expect(moment).to_contain_text("Is the end index inclusive?")
    page.hover(".cf-bin.hot >> nth=0")
    expect(strip.locator(".cf-tip")).to_contain_text("1:40–1:50: 3 questions")
    page.click("#attention .attention-video >> text=Loops")
    expect(page.locator("#video-pick")).to_have_value(str(data.videos["loops"]))
    # (a locator matching several elements fails at once, so first wait for Loops' strip to be drawn)
    expect(strip).to_have_attribute("data-video-id", str(data.videos["loops"]))
    expect(strip.locator(".cf-bin.hot")).to_have_attribute("data-start", "30")

    # Live: a student asks about the real lecture while the page is open; no reload happens.
    wait_live(page)
    page.evaluate("window.__same_page = true")
    drawn = page.evaluate_handle("Chart.getChart(document.getElementById('chart-messages-hour'))")
    answer = sv.chat.ask_and_wait(Asker(1, data.students["eve"]), "Which gas is released when water is split?")
    cited = [c for c in answer["citations"] if c["video_id"] == lecture.id]
    assert cited, answer
    expect(page.locator(".h-card[data-metric=messages] [data-value]")).to_have_text("7")
    assert page.evaluate("window.__same_page") is True
    assert page.evaluate("(c) => c === Chart.getChart(document.getElementById('chart-messages-hour'))", drawn)
    assert page.evaluate("(c) => c.data.datasets[0].data.reduce((a, b) => a + b, 0)", drawn) == 7

    # The lecture's strip lights the bins the answer cited; its moment plays from that second.
    page.select_option("#video-pick", str(lecture.id))
    # 10-second bins (the lecture is under ten minutes); a citation lights every bin it touches.
    covered = {10 * b for c in cited for b in range(int(c["start_s"] // 10), int((c["end_s"] - 1e-6) // 10) + 1)}
    expect(strip.locator(".cf-bin")).to_have_count(math.ceil(lecture.duration_s / 10))
    expect(strip.locator(".cf-bin.hot")).not_to_have_count(0)
    hot = strip.locator(".cf-bin.hot").evaluate_all("bs => bs.map(b => +b.dataset.start)")
    assert set(hot) <= covered, (hot, cited)
    play = strip.locator(".cf-play").first
    second = int(float(play.get_attribute("data-start")))
    assert second in covered
    play.click()
    expect(page).to_have_url(world["url"] + f"/videos/{lecture.id}?t={second}")
    page.wait_for_function("(t) => { const p = document.getElementById('player');"
                           " return p && p.readyState >= 1 && Math.abs(p.currentTime - t) < 0.5; }", arg=second)
    # The owner's strip under the player plays a moment in place.
    below = page.locator("#video-confusion")
    expect(below.locator(".cf-bin")).to_have_count(math.ceil(lecture.duration_s / 10))
    page.evaluate("window.__same_page = true; document.getElementById('player').currentTime = 0")
    below.locator(".cf-play").first.click()
    page.wait_for_function("(t) => Math.abs(document.getElementById('player').currentTime - t) < 0.5", arg=second)
    assert page.evaluate("window.__same_page") is True
    shoot(page, "video-strip-desktop")
    page.set_viewport_size(PHONE)
    assert page.evaluate(NO_OVERFLOW)
    shoot(page, "video-strip-phone")


def open_live(page: Page, url: str) -> None:
    page.goto(url)
    wait_live(page)


def wait_live(page: Page) -> None:
    """The page's /ws/live is subscribed: its dot turns live on the server's hello, so no event is missed."""
    expect(page.locator("#live")).to_have_text("live")
    expect(page.locator("#live")).to_have_class(re.compile(r"\bon\b"))


def test_leaderboard_and_student_page_update_live(owner, world):
    """A heartbeat and a question while the pages are open update them without a reload."""
    page, data, app, lecture = owner, world["data"], world["app"], world["lecture"]
    eve = data.students["eve"]
    open_live(page, world["url"] + "/analytics/students")
    row = page.locator("#board-rows tr", has_text="Eve")
    expect(row).to_have_count(1)
    before = int(row.locator("td[data-col=videos]").inner_text())
    page.evaluate("window.__same_page = true")
    student = app.test_client()
    with student.session_transaction() as session:
        session.update(sign_in_cookie(app, student_id=eve), csrf="eve-csrf")
    beat = student.post("/api/progress", json={"video_id": lecture.id, "position_s": 10, "watched_s": 10,
                                               "from_s": 0}, headers={"X-CSRF-Token": "eve-csrf"})
    assert beat.status_code == 200, beat.get_data(as_text=True)
    expect(row.locator("td[data-col=videos]")).to_have_text(str(before + 1))
    assert page.evaluate("window.__same_page") is True

    open_live(page, world["url"] + f"/analytics/students/{eve}")
    expect(page.locator("#timeline li").first).to_contain_text("Watched “Photosynthesis”")
    asked = page.locator("#timeline li[data-kind=asked]")
    questions = asked.count()
    page.evaluate("window.__same_page = true")
    world["sv"].chat.ask_and_wait(Asker(1, eve), "What does chlorophyll absorb?")
    expect(asked).to_have_count(questions + 1)
    expect(page.locator("#timeline li").first).to_contain_text("What does chlorophyll absorb?")
    assert page.evaluate("window.__same_page") is True


def test_students_are_refused_and_never_see_the_strip(world):
    app, data, lecture = world["app"], world["data"], world["lecture"]
    client = app.test_client()
    with client.session_transaction() as s:
        s.update(sign_in_cookie(app, student_id=data.students["alice"]))
    for url in ("/analytics", "/analytics/students", f"/analytics/students/{data.students['bob']}"):
        res = client.get(url)
        body = res.get_data(as_text=True)
        assert res.status_code == 403 and "This page is for the course owner." in body, url
        assert "Bob" not in body and "analytics.js" not in body, url
    page = client.get(f"/videos/{lecture.id}").get_data(as_text=True)
    assert "Photosynthesis" in page and "video-confusion" not in page and "confusion.js" not in page
    anonymous = app.test_client().get("/analytics")
    assert anonymous.status_code == 302 and "/login" in anonymous.headers["Location"]


def test_fresh_creator_sees_a_friendly_empty_dashboard_then_pages_of_students(browser, live_server):
    sv = live_server.app.extensions["chronos"]
    with sv.db.connection() as conn:
        creators.create_owner(conn, OWNER["name"], OWNER["password"])
    errors: list[str] = []
    ctx, page = signed_in(browser, live_server.url, errors, viewport=PHONE)
    page.goto(live_server.url + "/analytics")
    expect(page.locator("#welcome")).to_be_visible()
    expect(page.locator("#welcome")).to_contain_text("No student activity yet")
    for metric in ("students", "videos", "messages"):
        expect(page.locator(f".h-card[data-metric={metric}] [data-value]")).to_have_text("0")
    for card in ("views", "top-videos", "journey", "messages-day", "retention", "attention"):
        expect(page.locator(f"#empty-{card}")).to_be_visible()
    expect(page.locator("#card-views .chart-box")).to_be_hidden()
    expect(page.locator("#confusion")).to_contain_text("Upload a video")
    assert page.evaluate(NO_OVERFLOW)
    shoot(page, "empty-phone")
    page.goto(live_server.url + "/analytics/students")
    expect(page.locator("#board-empty")).to_be_visible()

    # 26 students who joined but did nothing yet: two pages of the leaderboard.
    with sv.db.connection() as conn:
        _, token = people.create_invite(conn, 1, expires_at=None, max_uses=None)
        for i in range(26):
            joined = people.join_with_invite(conn, token, name=f"Student {i:02}", username=f"s{i:02}",
                                             password="x" * 10)
            activity.record_join(conn, joined.id)
    page.reload()
    expect(page.locator("#board-rows tr")).to_have_count(25)
    expect(page.locator("#page-note")).to_have_text("1–25 of 26")
    expect(page.locator("#prev")).to_be_disabled()
    page.click("#next")
    expect(page.locator("#page-note")).to_have_text("26–26 of 26")
    expect(page.locator("#board-rows tr")).to_have_count(1)
    expect(page.locator("#board-rows td").first).to_have_text("26")
    expect(page.locator("#next")).to_be_disabled()
    page.click("#prev")
    expect(page.locator("#board-rows tr")).to_have_count(25)
    ctx.close()
    assert errors == [], errors


def test_reporting_time_zone_is_picked_on_the_page_and_kept(browser, live_server):
    """The browser's zone is suggested first; picking it saves, relabels the range, survives a reload."""
    sv = live_server.app.extensions["chronos"]
    with sv.db.connection() as conn:
        creators.create_owner(conn, OWNER["name"], OWNER["password"])
    errors: list[str] = []
    ctx, page = signed_in(browser, live_server.url, errors, timezone_id="Asia/Tokyo")
    page.goto(live_server.url + "/analytics")
    zone = page.locator("#tz")
    expect(zone).to_have_value("UTC")
    expect(page.locator("#range-note")).to_contain_text("(UTC)")
    expect(page.locator("#tz-note")).to_contain_text("from the moment it is set")
    expect(zone.locator("optgroup").first).to_have_attribute("label", "This browser's zone")
    assert zone.locator("option").first.inner_text() == "Asia/Tokyo"
    options = zone.locator("optgroup").last.locator("option").all_inner_texts()
    assert options == sorted(options) and {"UTC", "Europe/Paris", "America/New_York"} <= set(options)

    zone.select_option("Asia/Tokyo")
    expect(page.locator("#tz-status")).to_have_text("Saved: counting in Asia/Tokyo from now on.")
    expect(page.locator("#range-note")).to_contain_text("(Asia/Tokyo)")
    page.reload()
    expect(zone).to_have_value("Asia/Tokyo")
    expect(page.locator("#range-note")).to_contain_text("(Asia/Tokyo)")
    expect(zone.locator("optgroup")).to_have_count(0)  # the browser's zone is the one in use now
    assert page.evaluate("fetch('/api/analytics/settings').then(r => r.json())")["timezone"] == "Asia/Tokyo"
    ctx.close()
    assert errors == [], errors
