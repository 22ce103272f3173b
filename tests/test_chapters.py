"""Chapters: a two-topic lecture split at its topic turn and each part titled from its own words
(through the real pipeline, Whisper included), the limits that keep chapters a sensible length,
WebVTT and JSON exports, an older library's videos, Claude's titles, who may see them."""
from __future__ import annotations

import re

import numpy as np
import pytest

from chronos import create_app
from chronos.ai.claude import ClaudeTitler
from chronos.config import load_settings
from chronos.models import chapters as chapter_store
from chronos.models import creators, videos
from chronos.models.sentences import StoredSentence
from chronos.pipeline import chapters as chaptering
from chronos.pipeline.chaptering import compute_chapters
from tests.conftest import OWNER, add_video, process, sidecar, signed_in
from tests.fakes.claude_server import FakeClaude, message, server_error
from tests.test_courses_api import student_client


# -- segmentation and titles, on vectors made to order ---------------------------------------------

def spoken(topics: list[int], *, seconds: float = 5.0, texts: list[str] | None = None) -> list[StoredSentence]:
    """Sentences `seconds` long whose vectors lie near their topic's direction (a little noise)."""
    rng = np.random.default_rng(7)
    axes = np.eye(16, dtype=np.float32)
    out = []
    for i, topic in enumerate(topics):
        v = axes[topic] + rng.normal(0, 0.1, 16).astype(np.float32)
        out.append(StoredSentence(i, 1, i, i * seconds, i * seconds + seconds - 0.3,
                                  texts[i] if texts else f"sentence {i}", "", v / np.linalg.norm(v)))
    return out


def test_the_split_falls_where_the_topic_turns():
    parts = chaptering.segment(spoken([0] * 8 + [1] * 8))
    assert [(p.first, p.stop) for p in parts] == [(0, 8), (8, 16)]
    assert parts[0].start_s == 0 and parts[1].start_s == 40.0 and parts[1].end_s == pytest.approx(79.7)


def test_one_topic_is_one_chapter_and_no_chapter_is_a_sentence_or_two():
    assert len(chaptering.segment(spoken([0] * 16))) == 1
    # A two-sentence aside is no chapter of its own: too short however different.
    parts = chaptering.segment(spoken([0] * 7 + [2, 2] + [0] * 7))
    assert all(p.stop - p.first >= chaptering.MIN_SENTENCES for p in parts)
    # Nor is a turn that leaves a chapter shorter than the limit for the video's length.
    parts = chaptering.segment(spoken([0] * 3 + [1] * 40, seconds=2.0))
    assert all(p.end_s - p.start_s >= chaptering.limits(86).min_s for p in parts) and len(parts) == 1


def test_a_long_lecture_gets_chapters_no_longer_than_the_maximum():
    # Forty minutes of one topic with a faint drift: no turn, yet no chapter over MAX_S.
    topics = [0] * 480
    parts = chaptering.segment(spoken(topics))
    assert len(parts) >= 3 and all(p.end_s - p.start_s <= chaptering.MAX_S for p in parts)
    # Many clear turns: never more chapters than the limit for its length.
    parts = chaptering.segment(spoken([i // 24 % 6 for i in range(480)]))
    assert 2 < len(parts) <= chaptering.limits(2400).max_chapters
    assert all(p.first % 24 == 0 for p in parts)


def test_limits_suit_three_to_sixty_minute_lectures():
    assert chaptering.limits(180) == chaptering.Limits(min_s=15.0, max_chapters=4)
    assert chaptering.limits(600).min_s == 50.0 and chaptering.limits(600).max_chapters == 7
    assert chaptering.limits(3600) == chaptering.Limits(min_s=180.0, max_chapters=15)


def test_offline_titles_are_each_chapters_most_distinctive_phrase():
    money = ["Today we will learn about compound interest.", "The interest rate is what the bank pays.",
             "With compound interest you earn interest on interest."]
    rivers = ["Now we look at how rivers shape the land.", "The river carries sand downstream.",
              "Near the sea the river drops its sediment in a delta."]
    assert chaptering.offline_titles([money, rivers]) == ["Compound interest", "Rivers"]
    # Against a library that talks of interest everywhere, the chapter's own term stands out.
    library = ["interest interest rate interest interest"] * 5
    assert chaptering.offline_titles([money + ["The bank compounds monthly."]], library) == ["Compound interest"]
    # No two chapters share a title; a chapter with nothing to say is numbered.
    same, again, empty = chaptering.offline_titles([rivers, rivers, ["It is so."]])
    assert same == "Rivers" and again != same and again.lower() in " ".join(rivers).lower()
    assert empty == "Chapter 3"
    # Deterministic: the same words, the same titles.
    assert chaptering.offline_titles([money, rivers]) == chaptering.offline_titles([money, rivers])


# -- the real pipeline: a two-topic lecture ---------------------------------------------------------

@pytest.fixture(scope="module")
def lectures(tmp_path_factory, transcriber, embedder):
    """The two-topic lecture and a one-topic one, processed once (Whisper included)."""
    settings = load_settings(tmp_path_factory.mktemp("chapters") / "data", env={}, whisper_model="tiny.en",
                             run_scheduler=False)
    app = create_app(settings, transcriber=transcriber, embedder=embedder)
    app.config["TESTING"] = True
    sv = app.extensions["chronos"]
    with sv.db.connection() as conn:
        creators.create_owner(conn, OWNER["name"], OWNER["password"])
    ids = {}
    for name in ("two_topics.mp4", "photosynthesis.mp4"):
        video = add_video(sv, name)
        assert process(sv, video.id).status == "completed"
        ids[name] = video.id
    yield app, sv, ids
    sv.close()


def words_of(texts) -> set[str]:
    return {w.rstrip("s") for t in texts for w in re.findall(r"[a-z]+", t.lower())}


def test_a_two_topic_lecture_splits_at_the_turn_and_each_title_comes_from_its_part(lectures):
    app, sv, ids = lectures
    owner = signed_in(app)
    res = owner.get(f"/api/videos/{ids['two_topics.mp4']}/chapters")
    assert res.status_code == 200
    body = res.get_json()
    assert body["state"] == "ready" and body["edited"] is False
    first, second = body["chapters"]  # two topics, two chapters
    script = sidecar("two_topics.mp4")
    turn = next(i for i, s in enumerate(script["sentences"]) if s["text"].startswith("Our second topic"))
    starts = [s["start_s"] for s in script["sentences"]]
    # Within one sentence of the turn: after the start of the sentence before it, before the next one's.
    assert starts[turn - 1] < second["start_s"] < starts[turn + 1]
    assert abs(second["start_s"] - starts[turn]) < 1.0  # in fact at the turn (Whisper's own timing)
    assert first["start_s"] == 0 and first["end_s"] == second["start_s"]
    assert second["end_s"] == pytest.approx(script["duration_s"], abs=0.5)
    # Each title is words of its own part, and none that only the other part says.
    volcanoes = words_of(s["text"] for s in script["sentences"][:turn])
    bees = words_of(s["text"] for s in script["sentences"][turn:])
    for chapter, own, other in ((first, volcanoes, bees), (second, bees, volcanoes)):
        title = words_of([chapter["title"]])
        assert title and title <= own | {"upped"}, chapter  # ("they're upped": Whisper's "they erupt")
        assert not title & (other - own), chapter
        assert chapter["title_by"] == "offline"


def test_a_one_topic_lecture_is_one_chapter_and_exports_carry_the_chapters(lectures):
    app, sv, ids = lectures
    owner = signed_in(app)
    leaves = owner.get(f"/api/videos/{ids['photosynthesis.mp4']}/chapters").get_json()["chapters"]
    assert len(leaves) == 1 and leaves[0]["start_s"] == 0
    video_id = ids["two_topics.mp4"]
    chapters = owner.get(f"/api/videos/{video_id}/chapters").get_json()["chapters"]
    # In the video's JSON.
    assert owner.get(f"/api/videos/{video_id}").get_json()["chapters"] == chapters
    # As WebVTT chapters: one numbered cue each, from its start to the next one's.
    vtt = owner.get(f"/videos/{video_id}/chapters.vtt")
    assert vtt.status_code == 200 and vtt.mimetype == "text/vtt"
    text = vtt.get_data(as_text=True)
    cues = re.findall(r"(\d+)\n(\d\d:\d\d:\d\d\.\d{3}) --> (\d\d:\d\d:\d\d\.\d{3})\n(.+)\n", text)
    assert text.startswith("WEBVTT\n\n")
    assert [(n, title) for n, _, _, title in cues] == [(str(i + 1), c["title"]) for i, c in enumerate(chapters)]
    assert cues[0][1] == "00:00:00.000" and cues[0][2] == cues[1][1]


def test_an_older_librarys_video_gets_chapters_on_first_request_and_from_the_backfill(lectures):
    app, sv, ids = lectures
    video_id = ids["two_topics.mp4"]
    owner = signed_in(app)
    before = owner.get(f"/api/videos/{video_id}/chapters").get_json()
    with sv.db.connection() as conn:
        chapter_store.forget_chapters(conn, video_id)  # as if processed before chapters existed
        assert chapter_store.videos_needing_chapters(conn) == [video_id]
    # Shown at once, computed from the stored sentence vectors (nothing is written by a read).
    assert owner.get(f"/api/videos/{video_id}/chapters").get_json() == before
    with sv.db.connection() as conn:
        assert chapter_store.get_chapters(conn, video_id) is None
    # The start-up backfill stores them.
    assert sv.runner.backfill_chapters() == [video_id]
    with sv.db.connection() as conn:
        stored = chapter_store.get_chapters(conn, video_id)
        assert stored is not None and not stored.edited and chapter_store.videos_needing_chapters(conn) == []
    assert owner.get(f"/api/videos/{video_id}/chapters").get_json() == before


def test_claude_titles_each_chapter_from_its_text_and_offline_titles_stand_when_it_fails(lectures):
    _, sv, ids = lectures
    with sv.db.connection() as conn:
        video = videos.get_video(conn, ids["two_topics.mp4"])
        offline = compute_chapters(conn, video)
        with FakeClaude() as claude:
            titler = ClaudeTitler(claude.api_key, model="claude-test", base_url=claude.url, max_retries=0)
            claude.script(message('Here you are:\n["How volcanoes erupt", "\\"How bees make honey.\\""]'))
            titled = compute_chapters(conn, video, titler)
            sent = claude.requests[-1].body
            claude.script(server_error())
            fallback = compute_chapters(conn, video, titler)
            claude.script(message('["Only one title"]'))
            miscounted = compute_chapters(conn, video, titler)
    assert [(c.title, c.title_by) for c in titled] == [("How volcanoes erupt", "claude"),
                                                       ("How bees make honey", "claude")]
    assert [c.start_s for c in titled] == [c.start_s for c in offline]
    # One request with each chapter's own words, in order.
    assert "stream" not in sent and sent["model"] == "claude-test"
    parts = re.findall(r'<chapter n="(\d)">(.*?)</chapter>', sent["messages"][0]["content"], re.S)
    assert [n for n, _ in parts] == ["1", "2"]
    assert "magma" in parts[0][1].lower() and "magma" not in parts[1][1].lower()
    assert "nectar" in parts[1][1].lower() and "nectar" not in parts[0][1].lower()
    assert fallback == offline and miscounted == offline


def test_claude_titles_chapters_only_when_it_is_the_answerer(tmp_path, transcriber, embedder):
    for env, expected in (({"ANTHROPIC_API_KEY": "sk-ant-x"}, ClaudeTitler), ({}, type(None)),
                          ({"ANTHROPIC_API_KEY": "sk-ant-x", "CHRONOS_ANSWERER": "offline"}, type(None))):
        settings = load_settings(tmp_path / str(len(env)) / "data", env=env, run_scheduler=False)
        sv = create_app(settings, transcriber=transcriber, embedder=embedder).extensions["chronos"]
        assert type(sv.runner.pipeline.titler) is expected, env
        sv.close()


def test_students_see_the_chapters_of_what_they_may_watch_and_cannot_edit(lectures):
    app, sv, ids = lectures
    video_id = ids["two_topics.mp4"]
    student, _ = student_client(app, sv, "chapter-reader")
    res = student.get(f"/api/videos/{video_id}/chapters")
    assert res.status_code == 200 and len(res.get_json()["chapters"]) == 2
    assert student.get(f"/videos/{video_id}/chapters.vtt").status_code == 200
    headers = {"X-CSRF-Token": "student-csrf"}
    assert student.patch(f"/api/videos/{video_id}/chapters/0", json={"title": "Mine"}, headers=headers).status_code == 403
    assert student.post(f"/api/videos/{video_id}/chapters/split", json={"at_s": 20}, headers=headers).status_code == 403
    with sv.db.connection() as conn:
        videos.update_video(conn, video_id, published=False)
    try:
        assert student.get(f"/api/videos/{video_id}/chapters").status_code == 404
        assert student.get(f"/videos/{video_id}/chapters.vtt").status_code == 404
    finally:
        with sv.db.connection() as conn:
            videos.update_video(conn, video_id, published=True)
