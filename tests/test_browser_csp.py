"""Issue 20.8: the Content-Security-Policy holds on every main page: no page of Chronos needs an
inline script, an inline handler or a style attribute, and an injected inline script does not run."""
from __future__ import annotations

import pytest

from chronos.models import courses, people
from tests.conftest import OWNER, add_video, process

pytest.importorskip("playwright.sync_api")
from playwright.sync_api import expect  # noqa: E402

pytestmark = pytest.mark.browser
STUDENT = {"name": "Grace Hopper", "username": "grace", "password": "compilers rule"}
OWNER_PAGES = ["/", "/videos/{video}", "/courses", "/courses/{course}/edit", "/glossary", "/chat",
               "/people", "/analytics", "/analytics/students", "/analytics/students/{student}",
               "/usage", "/webhooks", "/api", "/learn", "/learn/{course}"]
STUDENT_PAGES = ["/", "/videos/{video}", "/learn", "/learn/{course}", "/learn/{course}/watch/{video}", "/chat"]


@pytest.fixture
def site(live_server):
    """The live app: an owner, one processed video in a published course, one student."""
    sv = live_server.app.extensions["chronos"]
    with sv.db.connection() as conn:
        from chronos.models import creators

        creators.create_owner(conn, OWNER["name"], OWNER["password"])
    video = add_video(sv, "rivers.m4a", title="Rivers")
    assert process(sv, video.id).status == "completed"
    with sv.db.connection() as conn:
        course = courses.create_course(conn, 1, title="Water", published=True, topic="Earth")
        courses.add_module(conn, course.id, 1, title="Flow", video_ids=[video.id])
        _, token = people.create_invite(conn, 1, expires_at=None, max_uses=None)
        student = people.join_with_invite(conn, token, name=STUDENT["name"], username=STUDENT["username"],
                                          password=STUDENT["password"])
    live_server.ids = {"video": video.id, "course": course.id, "student": student.id}
    return live_server


def _sign_in(browser, site, name: str, password: str):
    page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    page.set_default_timeout(15_000)
    page.goto(site.url + "/login")
    page.fill("input[name=name]", name)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    expect(page).to_have_url(site.url + "/")
    return page


def _visit_all(page, site, paths, csp_violations) -> None:
    for path in paths:
        res = page.goto(site.url + path.format(**site.ids))
        assert res.status == 200, path
        page.wait_for_load_state("networkidle")
        assert not csp_violations, (path, csp_violations)


def test_main_pages_keep_the_policy_for_owner_student_and_visitor(browser, site, csp_violations):
    owner = _sign_in(browser, site, OWNER["name"], OWNER["password"])
    _visit_all(owner, site, OWNER_PAGES, csp_violations)
    student = _sign_in(browser, site, STUDENT["username"], STUDENT["password"])
    _visit_all(student, site, STUDENT_PAGES, csp_violations)
    # Widths that templates give as data-width (style="" is refused) are applied by page.js.
    student.goto(site.url + "/learn/{course}".format(**site.ids))
    widths = student.evaluate("""() => [...document.querySelectorAll('[data-width]')].map(
        (n) => [n.dataset.width + '%', n.style.width])""")
    assert widths and all(want == got for want, got in widths), widths
    visitor = browser.new_page()
    _visit_all(visitor, site, ["/login"], csp_violations)
    for page in (owner, student, visitor):
        page.context.close()


def test_the_policy_is_enforced_and_violations_are_seen(browser, site, csp_violations):
    page = browser.new_page()
    res = page.goto(site.url + "/login")
    policy = res.headers["content-security-policy"]
    assert "script-src 'self'" in policy and "style-src 'self'" in policy
    assert res.headers["x-content-type-options"] == "nosniff"
    page.evaluate("""() => { const s = document.createElement('script');
                            s.textContent = 'window.injected = true'; document.body.append(s);
                            const d = document.createElement('div'); d.setAttribute('style', 'color: red');
                            document.body.append(d); }""")
    expect(page.locator("body")).to_be_visible()
    assert page.evaluate("window.injected") is None
    page.wait_for_function("() => true")  # let the violation events arrive
    page.context.close()
    assert any("script-src" in v for v in csp_violations), csp_violations
    assert any("style-src" in v for v in csp_violations), csp_violations
    csp_violations.clear()  # provoked on purpose
