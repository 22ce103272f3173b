"""Quiz checkpoints in a real browser: the creator reviews drafts on the video page (edit, move,
approve, delete, add their own), and a student meets the approved ones in the course player (pause,
answer, feedback, rewatch the moment, skip), on a desktop and at a phone's size."""
from __future__ import annotations

import pytest

from chronos.models import quiz
from chronos.operations import quiz as quiz_ops
from tests.quiz_data import spoken_video
from tests.test_browser_courses import SHOTS, PLAYER_READY, contexts, course, owner_page, shot, site, student_page  # noqa: F401

pytest.importorskip("playwright.sync_api")
from playwright.sync_api import expect  # noqa: E402

pytestmark = pytest.mark.browser
PHONE = {"width": 390, "height": 844}


def stored(live, video_id: int) -> list[quiz.Question]:
    with live.sv.db.connection() as conn:
        return quiz.video_questions(conn, video_id)


def test_the_creator_reviews_drafts_on_the_video_page(site, contexts):  # noqa: F811
    leaves = spoken_video(site.sv, "photosynthesis.mp4", "Leaves")
    page = owner_page(contexts, site)
    page.goto(f"{site.url}/videos/{leaves}")
    review = page.locator("#quiz-review")
    expect(review).to_contain_text("No questions yet")
    page.click("#quiz-generate")
    expect(page.locator("#quiz-note")).to_contain_text("Drafted 3 questions (offline)")
    items = page.locator("#quiz-list .quiz-item")
    expect(items).to_have_count(3)
    expect(items.first.locator(".badge")).to_have_text("Draft")
    shot(page, "quiz-review")

    # Edit the first: a new prompt, a choice changed, the right answer moved, asked a second later.
    first = stored(site, leaves)[0]
    items.first.get_by_role("button", name="Edit").click()
    form = items.first.locator("form")
    form.get_by_label("Question", exact=True).fill("Which gas does a plant take in to make sugar?")
    form.get_by_label("Asked at").fill("0:09")
    form.get_by_label("Choice", exact=True).nth(1).fill("nitrogen")
    form.get_by_label("The right answer").nth(first.answer_index).check()
    shot(page, "quiz-review-edit")
    form.get_by_role("button", name="Save").click()
    expect(form.locator(".error")).to_contain_text("needs a blank")  # the server's check, shown in the form
    form.get_by_label("Kind").select_option("choice")
    form.get_by_role("button", name="Save").click()
    expect(items.first.locator(".quiz-prompt-text")).to_have_text("Which gas does a plant take in to make sugar?")
    edited = stored(site, leaves)[0]
    assert (edited.prompt, edited.kind, edited.at_s, edited.choices[1], edited.answer_index, edited.status) == (
        "Which gas does a plant take in to make sugar?", "choice", 9.0, "nitrogen", first.answer_index, "draft")
    assert edited.replay_at_s == first.replay_at_s  # moving the checkpoint keeps the sentence that answers it

    # Approve it; delete the second; add one of the creator's own at the player's time.
    items.first.get_by_role("button", name="Approve").click()
    expect(items.first.locator(".badge")).to_have_text("Approved")
    items.nth(1).get_by_role("button", name="Delete").click()
    page.locator("dialog.app-dialog").get_by_role("button", name="Delete").click()
    expect(items).to_have_count(2)
    page.evaluate("document.getElementById('player').currentTime = 21")
    page.click("#quiz-add")
    new = page.locator(".quiz-item.new form")
    expect(new.get_by_label("Asked at")).to_have_value("0:21")
    new.get_by_label("Question", exact=True).fill("What is split in the light reactions?")
    for i, text in enumerate(("water", "sugar", "light")):
        new.get_by_label("Choice", exact=True).nth(i).fill(text)
    new.get_by_role("button", name="Save").click()
    expect(new.locator(".error")).to_have_text("Mark the right answer.")
    new.get_by_label("The right answer").first.check()
    new.get_by_role("button", name="Save").click()
    expect(page.locator(".quiz-item.new")).to_have_count(0)  # saved: the list is drawn again from the server
    expect(items).to_have_count(3)
    mine = next(q for q in stored(site, leaves) if q.origin == "creator")
    assert (mine.at_s, mine.choices, mine.answer_index, mine.status) == (21.0, ("water", "sugar", "light"), 0, "draft")
    assert "water is split" in mine.source_text  # it replays from the sentence spoken at 0:21
    expect(page.locator("#quiz-summary")).to_have_text("3 questions · 1 approved")

    # On a phone the review still reads and works.
    phone = owner_page(contexts, site, viewport=PHONE)
    phone.goto(f"{site.url}/videos/{leaves}")
    expect(phone.locator("#quiz-list .quiz-item")).to_have_count(3)
    phone.locator("#quiz-review").scroll_into_view_if_needed()
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    shot(phone, "quiz-review-phone")
    phone.locator("#quiz-review").screenshot(path=str(SHOTS / "quiz-review-phone-section.png"))


def approved_quiz(live, video_id: int) -> list[quiz.Question]:
    """Draft the video's quiz offline, approve all but the last question; answers the approved."""
    drafted = quiz_ops.generate(live.sv, 1, video_id, drafter="offline")["questions"]
    for q in drafted[:-1]:
        quiz_ops.edit_question(live.sv, 1, q["id"], {"status": "approved"})
    return approved(live, video_id)


def approved(live, video_id: int) -> list[quiz.Question]:
    return [q for q in stored(live, video_id) if q.status == "approved"]


def wait_asked(page, question: quiz.Question) -> None:
    page.wait_for_function("() => !document.getElementById('quiz-card').hidden")
    expect(page.locator("#quiz-prompt")).to_have_text(question.prompt)
    assert page.evaluate("document.getElementById('player').paused")
    at = page.evaluate("document.getElementById('player').currentTime")
    assert question.at_s <= at < question.at_s + 2.0  # the next timeupdate after it (4 a second, or later when busy)


def play_from(page, seconds: float) -> None:
    page.evaluate("(t) => { const p = document.getElementById('player'); p.muted = true; p.currentTime = t;"
                  " p.play(); }", seconds)


@pytest.mark.parametrize("viewport", [{"width": 1280, "height": 900}, PHONE], ids=["desktop", "phone"])
def test_a_student_meets_the_checkpoints_in_the_course_player(site, contexts, viewport):  # noqa: F811
    leaves = spoken_video(site.sv, "photosynthesis.mp4", "Leaves")
    first, second, *_ = approved_quiz(site, leaves)
    draft = next(q for q in stored(site, leaves) if q.status == "draft")
    made = course(site, "Plants", [("Basics", [leaves])])
    page = student_page(contexts, site, viewport=viewport)
    its_quiz = lambda r: r.url.endswith(f"/api/videos/{leaves}/quiz?view=student")  # noqa: E731
    with page.expect_response(its_quiz) as loaded:
        page.goto(f"{site.url}/learn/{made.id}/watch/{leaves}")
    page.wait_for_function(PLAYER_READY)
    shown = loaded.value.json()["questions"]
    assert [q["id"] for q in shown] == [q.id for q in approved(site, leaves)]  # a draft never reaches a student
    assert draft.id not in [q["id"] for q in shown]
    assert all("answer_index" not in q and "source_text" not in q and "replay_at_s" not in q for q in shown)

    # Playback reaches the first checkpoint: the player pauses and asks.
    play_from(page, first.at_s - 1.2)
    wait_asked(page, first)
    card = page.locator("#quiz-card")
    expect(card.locator(".quiz-choice")).to_have_count(len(first.choices))
    shot(page, f"quiz-player-ask-{viewport['width']}")
    if viewport == PHONE:
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        box = card.bounding_box()
        assert box["y"] >= 0 and box["y"] + 120 <= PHONE["height"]  # the question is on screen

    # A wrong answer: told so, and offered the moment that answers it; rewatching plays from there.
    wrong = next(i for i in range(len(first.choices)) if i != first.answer_index)
    card.locator(".quiz-choice").nth(wrong).click()
    expect(card.locator(".quiz-feedback")).to_contain_text("Not quite")
    expect(card.locator(".quiz-choice").nth(wrong)).to_have_class("quiz-choice wrong")
    rewatch = card.get_by_role("button", name="Rewatch this moment")
    shot(page, f"quiz-player-wrong-{viewport['width']}")
    page.evaluate("() => { window.seeks = []; document.getElementById('player').addEventListener('seeked',"
                  " (e) => window.seeks.push(e.target.currentTime)); }")
    rewatch.click()
    expect(card).to_be_hidden()
    page.wait_for_function("() => window.seeks.length > 0 && !document.getElementById('player').paused")
    assert abs(page.evaluate("window.seeks[0]") - first.replay_at_s) < 0.1  # from the sentence that answers it
    # Playing on from there reaches the checkpoint again, which asks again; the right answer now.
    wait_asked(page, first)
    card.locator(".quiz-choice").nth(first.answer_index).click()
    expect(card.locator(".quiz-feedback")).to_have_text("✓ Right!")
    expect(card.locator(".quiz-because")).to_contain_text(first.source_text)
    shot(page, f"quiz-player-right-{viewport['width']}")
    card.get_by_role("button", name="Continue").click()
    page.wait_for_function("() => !document.getElementById('player').paused")

    # The next checkpoint: skipped.
    play_from(page, second.at_s - 1.2)
    wait_asked(page, second)
    with page.expect_response(lambda r: r.url.endswith(f"/api/quiz/{second.id}/answer")) as skipped:
        card.get_by_role("button", name="Skip").click()
    assert skipped.value.json()["skipped"] is True
    expect(card).to_be_hidden()
    page.wait_for_function("() => !document.getElementById('player').paused")

    with site.sv.db.connection() as conn:
        rows = conn.execute("SELECT question_id, choice, correct FROM quiz_answers ORDER BY id").fetchall()
    assert [tuple(r) for r in rows] == [(first.id, wrong, 0), (first.id, first.answer_index, 1), (second.id, None, 0)]
    # After a reload the first question shows its answer (answered right); neither is asked again.
    with page.expect_response(its_quiz) as loaded:
        page.reload()
    page.wait_for_function(PLAYER_READY)
    again = {q["id"]: q for q in loaded.value.json()["questions"]}
    assert again[first.id]["answer_index"] == first.answer_index and "answer_index" not in again[second.id]
    play_from(page, first.at_s - 1.0)
    page.wait_for_function("(t) => document.getElementById('player').currentTime > t + 0.5", arg=first.at_s)
    expect(page.locator("#quiz-card")).to_be_hidden()


def test_the_next_video_asks_its_own_and_the_owner_sees_the_results(site, contexts):  # noqa: F811
    leaves = spoken_video(site.sv, "photosynthesis.mp4", "Leaves")
    money = spoken_video(site.sv, "interest.mp4", "Money")
    approved_quiz(site, leaves)
    first = approved_quiz(site, money)[0]
    made = course(site, "Mixed", [("All", [leaves, money])])
    page = student_page(contexts, site)
    page.goto(f"{site.url}/learn/{made.id}/watch/{leaves}")
    page.wait_for_function(PLAYER_READY)
    with page.expect_response(lambda r: r.url.endswith(f"/api/videos/{money}/quiz?view=student")):
        page.click("#next-video")  # the course player changes videos in place
    page.wait_for_function(PLAYER_READY)
    play_from(page, first.at_s - 1.2)
    wait_asked(page, first)
    page.locator("#quiz-card .quiz-choice").nth((first.answer_index + 1) % len(first.choices)).click()
    expect(page.locator("#quiz-card .quiz-feedback")).to_contain_text("Not quite")

    owner = owner_page(contexts, site)
    owner.goto(f"{site.url}/videos/{money}")
    wrong_bin = owner.locator(f"#video-confusion .cf-bin[data-wrong='1'][data-start='{int(first.replay_at_s // 10) * 10}']")
    expect(wrong_bin).to_have_count(1)
    expect(owner.locator("#video-confusion .cf-legend")).to_contain_text("Quiz answers wrong here")
    item = owner.locator(f"#quiz-list .quiz-item[data-id='{first.id}']")
    expect(item.locator(".quiz-stats")).to_have_text("1 attempt · 0 % right")
    expect(owner.locator("#quiz-summary")).to_contain_text("students' score 0 % at first try (1 answer)")
    owner.locator(".video-confusion").screenshot(path=str(SHOTS / "quiz-confusion.png"))
    owner.goto(f"{site.url}/analytics/students/1")
    expect(owner.locator("#quiz-score")).to_have_text("0 % right at first try · 0 of 1 questions")
    expect(owner.locator("#quiz-videos")).to_contain_text("Money")
    shot(owner, "quiz-student-analytics")
