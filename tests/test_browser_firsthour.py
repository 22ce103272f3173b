"""A creator's and a student's first hour in a real browser (issue 18): drafts and publishing,
editing titles, limits and upgrades, the reset link, the course player's chat, the drop target,
the error page, the app's dialogs, the phone navigation and the streamed offline answer."""
from __future__ import annotations

import re

import pytest

from tests.conftest import FIXTURES, OWNER, add_video, process
from tests.test_browser_courses import contexts, owner_page, site, student_page  # noqa: F401

pytest.importorskip("playwright.sync_api")
from playwright.sync_api import expect  # noqa: E402

pytestmark = pytest.mark.browser
ANSWER_MS = 30_000
QUESTION = "Which gas is released when water is split?"


def ask(page, question: str):
    """Ask on the Ask page and wait for the whole answer; returns its bubble."""
    page.locator("#chat textarea").fill(question)
    page.locator("#chat textarea").press("Enter")
    answer = page.locator(".msg.assistant").last
    expect(answer).not_to_have_class(re.compile("streaming"), timeout=ANSWER_MS)
    return answer


def test_a_draft_is_the_owners_until_published(site, contexts):  # noqa: F811
    video = add_video(site.sv, "photosynthesis.mp4", title="Photosynthesis", published=False)
    assert process(site.sv, video.id).status == "completed"
    owner = owner_page(contexts, site)
    row = owner.locator(f'#videos li.video[data-id="{video.id}"]')
    expect(row.locator("label.publish")).to_have_text("Draft")
    expect(owner.locator("#dropzone")).to_contain_text("New uploads are drafts")

    owner.goto(site.url + "/chat")
    owner.check("#as-student")
    expect(owner.locator("#as-student-note")).to_contain_text("only from published videos")
    expect(ask(owner, QUESTION).locator(".text")).to_contain_text("couldn't find this in the course videos")
    owner.uncheck("#as-student")
    answer = ask(owner, QUESTION)
    expect(answer.locator(".text")).to_contain_text("oxygen")
    expect(answer.locator("a.cite").first).to_contain_text("Photosynthesis")

    student = student_page(contexts, site)
    expect(student.locator(".empty")).to_contain_text("hasn't published any videos yet")
    assert student.goto(f"{site.url}/videos/{video.id}").status == 404

    owner.goto(site.url + "/")
    row.locator("label.publish input").check()
    expect(row.locator("label.publish")).to_have_text("Published")
    student.goto(site.url + "/")
    expect(student.locator(".catalog .card-title")).to_have_text(["Photosynthesis"])

    owner.goto(f"{site.url}/videos/{video.id}")
    expect(owner.locator("#published-label")).to_have_text("Published")
    owner.locator("#published").uncheck()
    expect(owner.locator("#published-label")).to_have_text("Draft")
    owner.reload()
    expect(owner.locator("#published")).not_to_be_checked()
    assert student.goto(f"{site.url}/videos/{video.id}").status == 404


def test_titles_and_descriptions_are_edited_in_place(site, contexts):  # noqa: F811
    video = add_video(site.sv, "photosynthesis.mp4")
    owner = owner_page(contexts, site)
    row = owner.locator(f'#videos li.video[data-id="{video.id}"]')
    expect(row.locator(".video-title")).to_have_text("Photosynthesis")  # from photosynthesis.mp4
    row.get_by_role("button", name="Edit Photosynthesis").click()
    form = row.locator("form.details-form")
    expect(form.get_by_label("Title")).to_be_focused()
    form.get_by_label("Title").fill("How leaves make sugar")
    form.get_by_label("Description").fill("Light, water and carbon dioxide.")
    form.get_by_label("Title").press("Enter")
    expect(row.locator(".video-title")).to_have_text("How leaves make sugar")
    expect(row.locator(".description")).to_have_text("Light, water and carbon dioxide.")
    owner.reload()
    expect(row.locator(".video-title")).to_have_text("How leaves make sugar")

    owner.goto(f"{site.url}/videos/{video.id}")
    expect(owner.locator("#video-description")).to_have_text("Light, water and carbon dioxide.")
    owner.get_by_role("button", name="Edit title and description").click()
    owner.locator(".details-form").get_by_label("Title").fill("Photosynthesis, part 1")
    owner.locator(".details-form").get_by_label("Description").press("Escape")  # cancelled: nothing saved
    expect(owner.locator("#video-title")).to_have_text("How leaves make sugar")
    owner.get_by_role("button", name="Edit title and description").click()
    owner.locator(".details-form").get_by_label("Title").fill("Photosynthesis, part 1")
    owner.get_by_role("button", name="Save").click()
    expect(owner.locator("#video-title")).to_have_text("Photosynthesis, part 1")
    owner.screenshot(path="/tmp/chronos-shots/firsthour-video-header.png")
    owner.reload()
    expect(owner.locator("#video-title")).to_have_text("Photosynthesis, part 1")


@pytest.fixture
def running(tmp_path, transcriber, embedder, browser):
    """running(**settings): a Chronos on those settings with its owner signed in: (server, page)."""
    from tests.conftest import LiveServer, make_app

    made = []

    def start(**overrides):
        app, _ = make_app(tmp_path / str(len(made)), transcriber, embedder, **overrides)
        server = LiveServer(app)
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        made.append((app, server, context))
        page = context.new_page()
        page.goto(server.url + "/login")
        page.fill("input[name=name]", OWNER["name"])
        page.fill("input[name=password]", OWNER["password"])
        page.click("button[type=submit]")
        expect(page).to_have_url(server.url + "/")
        page.wait_for_load_state("load")  # library.js wires the file input up by the load event
        return server, page
    yield start
    for app, server, context in made:
        context.close()
        server.stop()
        app.extensions["chronos"].close(wait=True)


def test_the_limit_shown_is_the_limit_enforced(running):
    server, page = running(tiers={"free": {"max_upload_bytes": 200_000}})
    expect(page.locator("#dropzone")).to_contain_text("up to 195.3 KB each (the Free plan's limit)")
    page.set_input_files("#file-input", str(FIXTURES / "photosynthesis.mp4"))  # 268.5 KB
    expect(page.locator("#uploads li.upload")).to_contain_text(
        "Too large: the limit is 195.3 KB (the Free plan's limit)")
    page.goto(server.url + "/usage")
    expect(page.locator("#upload-limit")).to_have_text("195.3 KB")


def test_the_upgrade_prompt_without_a_checkout_says_how_to_raise_the_limit(running):
    server, page = running(tiers={"free": {"videos_per_month": 2}})
    add_video(server.app.extensions["chronos"], "silent.mp4")
    add_video(server.app.extensions["chronos"], "rivers.m4a")
    page.goto(server.url + "/usage")
    prompt = page.locator("#upgrade")
    expect(prompt).to_contain_text("Videos this month 100 %")
    expect(prompt.locator("#compare")).to_contain_text("Starter")
    expect(prompt.locator("#upgrade-link")).to_have_count(0)
    expect(prompt.locator("#raise-snippet")).to_have_text("[tiers.free]\nvideos_per_month = 50\n")
    expect(prompt.locator("#settings-file")).to_contain_text("settings.toml")
    expect(prompt).to_contain_text("checkout_url")
    page.click("#copy-snippet")
    expect(page.locator("#copy-snippet")).not_to_have_text("Copy")
    page.screenshot(path="/tmp/chronos-shots/firsthour-raise-limit.png", full_page=True)

    # With a checkout configured, the prompt is a real button to it.
    server, page = running(tiers={"free": {"videos_per_month": 1},
                                  "starter": {"checkout_url": "https://whop.com/checkout/plan_s"}})
    add_video(server.app.extensions["chronos"], "silent.mp4")
    page.goto(server.url + "/usage")
    link = page.locator("#upgrade #upgrade-link")
    expect(link).to_have_attribute("href", "https://whop.com/checkout/plan_s")
    expect(link).to_have_text("Upgrade to Starter")
    expect(page.locator("#raise-limit")).to_have_count(0)


def test_a_forgotten_password_is_reset_with_the_owners_link(site, contexts):  # noqa: F811
    from chronos.models import people
    from tests.test_browser_courses import STUDENT, sign_in

    with site.sv.db.connection() as conn:
        _, token = people.create_invite(conn, 1, expires_at=None, max_uses=None)
        people.join_with_invite(conn, token, name=STUDENT["name"], username=STUDENT["username"],
                                password=STUDENT["password"])
    student = contexts().new_page()
    student.goto(site.url + "/login")
    expect(student.locator("#forgot")).to_have_text(
        f"Forgot your password? Ask {OWNER['name']}, who can send you a reset link.")

    owner = owner_page(contexts, site)
    owner.goto(site.url + "/people")
    owner.get_by_role("button", name="Reset link").click()
    expect(owner.locator("#reset-for")).to_contain_text("Send this link to Grace Hopper")
    link = owner.locator("#reset-url").text_content()
    assert re.fullmatch(re.escape(site.url) + r"/reset/[\w-]{40,}", link)
    owner.screenshot(path="/tmp/chronos-shots/firsthour-reset-link.png")

    student.goto(link)
    expect(student.locator("h1")).to_have_text("Choose a new password")
    student.screenshot(path="/tmp/chronos-shots/firsthour-reset-page.png")
    student.get_by_label("New password (at least 8 characters)").fill("my new password")
    student.get_by_label("New password again").fill("my new password")
    student.get_by_role("button", name="Set my new password").click()
    expect(student).to_have_url(site.url + "/")
    expect(student.locator(".flash")).to_have_text("Your new password is set. Use it next time you sign in.")
    student.get_by_role("button", name="Sign out").click()
    sign_in(student, site, STUDENT["username"], "my new password")
    assert student.goto(link).status == 410  # used once
    expect(student.locator("main")).to_contain_text("used already")


def test_the_course_players_chat_remembers_after_a_reload(site, contexts):  # noqa: F811
    import json

    from tests.test_browser_courses import course

    leaves = site.add("photosynthesis.mp4", "Leaves", ready=False)
    assert process(site.sv, leaves).status == "completed"
    warm = site.add("silent.mp4", "Warm-up")
    made = course(site, "Plants", [("Intro", [warm, leaves])])
    other = course(site, "Other", [("Only", [leaves])])
    page = student_page(contexts, site)
    sent = []
    page.on("websocket", lambda ws: ws.on("framesent", lambda f: sent.append(json.loads(f))))
    page.goto(f"{site.url}/learn/{made.id}/watch/{leaves}")
    expect(page.locator(".chat-empty")).to_be_visible()
    page.locator("#chat .moment input").uncheck()  # a question about the whole course
    page.locator("#chat textarea").fill(QUESTION)
    page.locator("#chat textarea").press("Enter")
    answer = page.locator("#chat .msg.assistant").last
    expect(answer).not_to_have_class(re.compile("streaming"), timeout=ANSWER_MS)
    expect(answer.locator(".text")).to_contain_text("oxygen")

    page.reload()
    expect(page.locator("#chat .msg.user .text")).to_have_text([QUESTION])
    expect(page.locator("#chat .msg.assistant .text")).to_contain_text("oxygen")
    expect(page.locator("#chat .msg.assistant a.cite").first).to_contain_text("Leaves")
    expect(page.locator(".chat-empty")).to_be_hidden()
    page.screenshot(path="/tmp/chronos-shots/firsthour-course-chat-reload.png")

    # Another video of the same course: the same conversation, and a follow-up continues its chat.
    page.goto(f"{site.url}/learn/{made.id}/watch/{warm}")
    expect(page.locator("#chat .msg.user .text")).to_have_text([QUESTION])
    page.locator("#chat textarea").fill("And what does the plant make from carbon dioxide?")
    page.locator("#chat textarea").press("Enter")
    expect(page.locator("#chat .msg.assistant").last).not_to_have_class(re.compile("streaming"), timeout=ANSWER_MS)
    first, follow_up = [m for m in sent if m.get("type") == "ask"]
    assert first["session_id"] is None and isinstance(follow_up["session_id"], int)

    # Another course's player has its own conversation.
    page.goto(f"{site.url}/learn/{other.id}/watch/{leaves}")
    expect(page.locator(".chat-empty")).to_be_visible()
    expect(page.locator("#chat .msg")).to_have_count(0)


def test_a_lecture_lands_in_the_module_under_the_pointer(site, contexts):  # noqa: F811
    from tests.test_browser_courses import builder_order, course, drag, saved_order

    ids = [site.add(f, t) for f, t in (("photosynthesis.mp4", "Leaves"), ("interest.mp4", "Money"),
                                        ("rivers.m4a", "Rivers"))]
    site.add("silent.mp4", "Silence")
    made = course(site, "Nature", [("Full", ids), ("Empty", [])], published=False)
    page = owner_page(contexts, site, viewport={"width": 1280, "height": 1400})  # no scrolling mid-drag
    page.goto(f"{site.url}/courses/{made.id}/edit")
    full, empty = page.locator("#modules > .module").nth(0), page.locator("#modules > .module").nth(1)
    expect(full.locator(".module-video")).to_have_count(3)

    # From the library, diagonally down across the full module's lectures into the empty one.
    source = page.locator("#library .library-item", has_text="Silence").locator(".video-handle")
    assert source.bounding_box()["y"] < full.locator(".module-videos").bounding_box()["y"] + 60
    with saved_order(page) as res:
        drag(page, source, empty.locator(".module-videos"))
    assert res.value.ok
    assert builder_order(page) == [("Full", ["Leaves", "Money", "Rivers"]), ("Empty", ["Silence"])]

    # A lecture of the full module, diagonally past its neighbours, into the module below.
    with saved_order(page) as res:
        drag(page, full.locator(".module-video", has_text="Leaves").locator(".video-handle"),
             empty.locator(".module-video", has_text="Silence"), upper=False)
    assert res.value.ok
    assert builder_order(page) == [("Full", ["Money", "Rivers"]), ("Empty", ["Silence", "Leaves"])]
    page.reload()
    assert builder_order(page) == [("Full", ["Money", "Rivers"]), ("Empty", ["Silence", "Leaves"])]

    # Released over a module that has the lecture already: refused, and said so.
    empty = page.locator("#modules > .module").nth(1)
    drag(page, page.locator("#library .library-item", has_text="Leaves").locator(".video-handle"),
         empty.locator(".module-videos"), at_end=True)
    expect(page.locator("#save-state")).to_have_text("That module already has this lecture.")
    assert builder_order(page) == [("Full", ["Money", "Rivers"]), ("Empty", ["Silence", "Leaves"])]


def test_error_pages_dialogs_disabled_buttons_and_the_streamed_answer(site, contexts):  # noqa: F811
    video = add_video(site.sv, "photosynthesis.mp4", title="Photosynthesis")
    assert process(site.sv, video.id).status == "completed"
    owner = owner_page(contexts, site)
    native = []
    owner.on("dialog", lambda d: (native.append(d.message), d.dismiss()))

    # An unknown video, or any unknown page: Chronos's error page; the API keeps answering JSON.
    res = owner.goto(f"{site.url}/videos/9999")
    assert res.status == 404
    expect(owner.locator("main h1")).to_have_text("Page not found")
    expect(owner.locator("main")).to_contain_text("This video does not exist or was deleted.")
    expect(owner.locator(".topbar .brand")).to_be_visible()
    assert owner.goto(f"{site.url}/no/such/page").status == 404
    expect(owner.locator("main")).to_contain_text("There is nothing at this address.")
    assert owner.request.get(f"{site.url}/api/videos/9999").json()["status"] == 404
    icon = owner.locator("link[rel=icon]").get_attribute("href")
    assert owner.request.get(site.url + icon).headers["content-type"].startswith("image/svg+xml")

    # The answer is seen being written: its text changes over several frames before it is done.
    received = []
    owner.on("websocket", lambda ws: ws.on("framereceived", lambda f: received.append(f)))
    owner.goto(site.url + "/chat")
    owner.evaluate("""() => { window.frames_ = 0; window.seen = new Set();
        const tick = () => { window.frames_++; requestAnimationFrame(tick); }; tick();
        new MutationObserver(() => { const t = [...document.querySelectorAll('.msg.assistant .text')].pop();
            if (t && t.textContent) window.seen.add(window.frames_ + ':' + t.textContent.length); })
          .observe(document.getElementById('chat'), {subtree: true, childList: true, characterData: true}); }""")
    answer = ask(owner, QUESTION)
    expect(answer.locator(".text")).to_contain_text("oxygen")
    states = owner.evaluate("[...window.seen].map(s => s.split(':').map(Number))")
    deltas = [f for f in received if '"type": "delta"' in f]
    assert len(deltas) >= 2, "the answer did not leave the server in pieces"
    # Each piece was on the page in a frame of its own (they reach the page within milliseconds).
    lengths_by_frame = {}
    for frame, length in states:
        lengths_by_frame[frame] = max(length, lengths_by_frame.get(frame, 0))
    assert len(lengths_by_frame) >= len(deltas), states
    assert sorted(lengths_by_frame.values()) == [n for _, n in sorted(lengths_by_frame.items())]

    # A disabled button looks disabled, not like the primary Send beside it.
    send = owner.get_by_role("button", name="Send")
    enabled_bg = send.evaluate("b => getComputedStyle(b).backgroundColor")
    send.evaluate("b => { b.disabled = true; }")
    assert send.evaluate("b => getComputedStyle(b).backgroundColor") != enabled_bg
    assert send.evaluate("b => getComputedStyle(b).cursor") == "not-allowed"
    send.evaluate("b => { b.disabled = false; }")

    # Rename and delete a chat with the app's own dialog.
    session = owner.locator("#session-list li").first
    session.get_by_role("button", name=re.compile("^Rename")).click()
    dialog = owner.locator("dialog.app-dialog")
    expect(dialog).to_be_visible()
    expect(dialog.get_by_role("textbox")).to_have_value(QUESTION)
    dialog.get_by_role("textbox").fill("Oxygen from water")
    owner.screenshot(path="/tmp/chronos-shots/firsthour-dialog.png")
    dialog.get_by_role("textbox").press("Enter")
    expect(owner.locator("#session-list li").first).to_contain_text("Oxygen from water")
    expect(dialog).to_have_count(0)
    owner.locator("#session-list li").first.get_by_role("button", name=re.compile("^Delete")).click()
    expect(dialog).to_contain_text("Delete the chat “Oxygen from water”?")
    dialog.get_by_role("button", name="Cancel").click()
    expect(owner.locator("#session-list li")).to_have_count(1)
    owner.locator("#session-list li").first.get_by_role("button", name=re.compile("^Delete")).click()
    dialog.get_by_role("button", name="Delete").click()
    expect(owner.locator("#session-list li")).to_have_count(0)
    assert native == []


def test_the_owners_navigation_folds_on_a_phone(site, contexts):  # noqa: F811
    owner = owner_page(contexts, site, viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    bar = owner.locator("header.topbar")
    assert bar.bounding_box()["height"] < 0.25 * 844
    expect(owner.locator("#site-nav")).to_be_hidden()
    owner.screenshot(path="/tmp/chronos-shots/firsthour-phone-nav-closed.png")
    owner.get_by_role("button", name="Menu").click()
    expect(owner.get_by_role("button", name="Menu")).to_have_attribute("aria-expanded", "true")
    expect(owner.locator("#site-nav")).to_be_visible()
    owner.screenshot(path="/tmp/chronos-shots/firsthour-phone-nav-open.png")
    owner.locator("#site-nav").get_by_role("link", name="People").click()
    expect(owner).to_have_url(site.url + "/people")
    expect(owner.locator("#site-nav")).to_be_hidden()
    # A wide screen shows the navigation and no Menu button.
    owner.set_viewport_size({"width": 1280, "height": 900})
    expect(owner.locator("#site-nav")).to_be_visible()
    expect(owner.get_by_role("button", name="Menu")).to_be_hidden()


def test_deleting_a_video_asks_in_the_apps_own_dialog(site, contexts):  # noqa: F811
    """The video page's Delete asks in Chronos's dialog (no browser confirm), and Cancel keeps it."""
    video = add_video(site.sv, "photosynthesis.mp4", title="Photosynthesis")
    assert process(site.sv, video.id).status == "completed"
    owner = owner_page(contexts, site)
    native = []
    owner.on("dialog", lambda d: (native.append(d.message), d.dismiss()))
    owner.goto(f"{site.url}/videos/{video.id}")
    owner.click("#delete")
    box = owner.locator("dialog.app-dialog")
    expect(box).to_contain_text("Delete this video, its file and its transcript?")
    box.get_by_role("button", name="Cancel").click()
    expect(box).to_have_count(0)
    assert owner.request.get(f"{site.url}/api/videos/{video.id}").ok
    owner.click("#delete")
    owner.locator("dialog.app-dialog").get_by_role("button", name="Delete").click()
    expect(owner).to_have_url(re.compile(r"/$"))
    assert owner.request.get(f"{site.url}/api/videos/{video.id}").status == 404
    assert native == []
