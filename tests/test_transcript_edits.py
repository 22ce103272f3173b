"""Transcript corrections (issue 14, points 2 and 3): edit, undo, find and replace, and the re-index
that makes search, exports, captions and answers follow while the video stays online."""
from __future__ import annotations

import re
import shutil
import threading

import pytest

from chronos import create_app
from chronos.config import load_settings
from chronos.models import chunks as chunk_store
from chronos.models import creators, people, transcripts, videos
from chronos.models import sentences as sentence_store
from chronos.models import transcript_edits as edit_store
from chronos.models.transcripts import Word
from chronos.pipeline.corrections import retime_words
from chronos.pipeline.reindex import reindex_video
from chronos.rag.chat import Asker
from chronos.rag.retrieval import keyword_query, retrieve
from tests.conftest import ask, csrf, process, processed_library, signed_in

PHOTO, INTEREST = "photosynthesis.mp4", "interest.mp4"


@pytest.fixture(scope="module")
def template(tmp_path_factory, transcriber, embedder):
    """Two lectures processed once; each test gets its own copy of the data folder."""
    folder = tmp_path_factory.mktemp("edits-template") / "data"
    sv, _, ids = processed_library(folder, transcriber, embedder)
    sv.close()
    return folder, ids


@pytest.fixture
def lib(template, tmp_path, transcriber, embedder):
    """(app, owner client, {fixture name: video id}) on a fresh copy of the processed library."""
    folder, ids = template
    shutil.copytree(folder, tmp_path / "data")
    settings = load_settings(tmp_path / "data", env={}, whisper_model="tiny.en", run_scheduler=False,
                             retry_base_s=0.01)
    app = create_app(settings, transcriber=transcriber, embedder=embedder)
    app.config["TESTING"] = True
    yield app, signed_in(app), ids
    app.extensions["chronos"].close(wait=True)


def patch(client, video_id: int, index: int, body, headers=None):
    return client.patch(f"/api/videos/{video_id}/segments/{index}", json=body,
                        headers=headers if headers is not None else {"X-CSRF-Token": csrf(client)})


def post(client, url: str, body=None):
    return client.post(url, json=body, headers={"X-CSRF-Token": csrf(client)})


def segments(app, video_id: int) -> list[transcripts.Segment]:
    with app.extensions["chronos"].db.connection() as conn:
        return transcripts.load_segments(conn, video_id)


def line_with(app, video_id: int, word: str) -> tuple[int, transcripts.Segment]:
    return next((i, s) for i, s in enumerate(segments(app, video_id)) if word in s.text.lower())


def keyword_hits(app, video_id: int, question: str) -> list[int]:
    """The video's chunks keyword search finds for a question."""
    with app.extensions["chronos"].db.connection() as conn:
        creator = creators.get_owner(conn)
        query = keyword_query(conn, creator.id, question)
        return [h.chunk_id for h in chunk_store.keyword_chunks(conn, creator.id, query, 10, [video_id])]


def student_client(app):
    with app.extensions["chronos"].db.connection() as conn:
        _, token = people.create_invite(conn, creators.get_owner(conn).id, expires_at=None, max_uses=None)
        people.join_with_invite(conn, token, name="Grace", username="grace", password="x" * 10)
    return signed_in(app, {"name": "grace", "password": "x" * 10})


def pheophytin(text: str) -> str:
    return text.replace("chlorophyll", "pheophytin")


# -- word times ------------------------------------------------------------------------------------

def test_unchanged_words_keep_their_times_and_changed_words_share_the_span():
    words = [Word(0.0, 0.5, " The"), Word(0.5, 1.0, " M&M"), Word(1.0, 1.4, " on"), Word(1.5, 2.0, " is"),
             Word(2.0, 2.6, " long.")]
    timed = retime_words(words, "The  Amazon is very long.")
    assert [w.text for w in timed] == [" The", " Amazon", " is", " very", " long."]
    assert timed[0] == words[0] and timed[2] == words[3] and timed[4] == words[4]
    assert (timed[1].start_s, timed[1].end_s) == (0.5, 1.4)  # "Amazon" takes the span of "M&M on"
    assert timed[3].start_s == timed[3].end_s == 2.0  # inserted where the neighbours touch
    # A word for a word takes its span; two words for one share it by length, in order, without a gap.
    one = retime_words([Word(1.0, 2.0, " Fogel"), Word(2.0, 3.0, " synthesis.")], "photo synthesis.")
    assert [(w.start_s, w.end_s, w.text) for w in one] == [(1.0, 2.0, " photo"), (2.0, 3.0, " synthesis.")]
    split = retime_words([Word(1.0, 3.0, " Fogel")], "a bc")
    assert [(w.start_s, w.end_s) for w in split] == [(1.0, 1.8), (1.8, 3.0)]  # weights 2 and 3 of 5


def test_patch_edits_a_line_keeping_word_times_and_undo_restores_it(lib):
    app, owner, ids = lib
    video_id = ids[PHOTO]
    index, before = line_with(app, video_id, "chlorophyll")
    res = patch(owner, video_id, index, {"text": "  " + pheophytin(before.text) + " "})
    assert res.status_code == 200, res.get_json()
    body = res.get_json()
    assert body["changed"] is True and body["index"]["state"] == "up_to_date"  # no scheduler: re-indexed now
    seg = body["segment"]
    assert seg["index"] == index and seg["text"] == pheophytin(before.text)
    assert seg["edit"]["old_text"] == before.text and seg["edit"]["source"] == "edit"
    assert ["delete", "chlorophyll"] in seg["edit"]["diff"] and ["insert", "pheophytin"] in seg["edit"]["diff"]
    after = segments(app, video_id)[index]
    assert (after.start_s, after.end_s) == (before.start_s, before.end_s)
    assert len(after.words) == len(before.words)  # one word for one: each keeps its place and times
    for old, new in zip(before.words, after.words):
        assert (new.start_s, new.end_s) == (old.start_s, old.end_s)
        assert new == old or (old.text.strip(), new.text.strip()) == ("chlorophyll", "pheophytin")
    # The transcript JSON numbers its segments.
    tj = owner.get(f"/api/videos/{video_id}/transcript").get_json()
    assert [s["index"] for s in tj["segments"]] == list(range(len(tj["segments"])))
    assert tj["segments"][index]["text"] == pheophytin(before.text)

    # Sending the same text again changes nothing and records no edit.
    again = patch(owner, video_id, index, {"text": pheophytin(before.text)}).get_json()
    assert again["changed"] is False
    assert len(owner.get(f"/api/videos/{video_id}/edits").get_json()["edits"]) == 1

    res = post(owner, f"/api/videos/{video_id}/segments/{index}/undo")
    assert res.status_code == 200, res.get_json()
    assert res.get_json()["segment"]["text"] == before.text and res.get_json()["segment"]["edit"] is None
    assert segments(app, video_id)[index] == before  # text and every word time as they were
    assert keyword_hits(app, video_id, "pheophytin") == [] and keyword_hits(app, video_id, "chlorophyll")
    edits = owner.get(f"/api/videos/{video_id}/edits").get_json()["edits"]
    assert [e["state"] for e in edits] == ["undone"] and edits[0]["created_at"] and edits[0]["state_at"]
    nothing = post(owner, f"/api/videos/{video_id}/segments/{index}/undo")
    assert nothing.status_code == 404 and "no edit to undo" in nothing.get_json()["error"]


def test_two_edits_of_a_line_undo_one_at_a_time(lib):
    app, owner, ids = lib
    video_id = ids[INTEREST]
    index, before = line_with(app, video_id, "savings")
    first = before.text.replace("savings", "deposits")
    assert patch(owner, video_id, index, {"text": first}).status_code == 200
    assert patch(owner, video_id, index, {"text": first + " Quite so."}).status_code == 200
    assert post(owner, f"/api/videos/{video_id}/segments/{index}/undo").get_json()["segment"]["text"] == first
    assert post(owner, f"/api/videos/{video_id}/segments/{index}/undo").get_json()["segment"]["text"] == before.text
    assert segments(app, video_id)[index] == before


# -- find and replace -------------------------------------------------------------------------------

def test_replace_previews_every_match_then_applies_as_undoable_edits(lib):
    app, owner, ids = lib
    library_before = {v: segments(app, v) for v in ids.values()}
    expected = {v: sum(len(re.findall(r"(?<!\w)interest(?!\w)", s.text, re.I)) for s in segs)
                for v, segs in library_before.items()}
    res = post(owner, "/api/transcripts/replace", {"find": "INTEREST", "replace": "yield", "dry_run": True})
    assert res.status_code == 200, res.get_json()
    preview = res.get_json()
    assert preview["applied"] is False and preview["matches"] == sum(expected.values()) > 3
    assert [v["video_id"] for v in preview["videos"]] == [ids[INTEREST]]  # only where it occurs
    lines = preview["videos"][0]["lines"]
    assert sum(line["matches"] for line in lines) == preview["videos"][0]["matches"] == preview["matches"]
    assert all("interest" in line["before"].lower() and "interest" not in line["after"].lower() for line in lines)
    assert {v: segments(app, v) for v in ids.values()} == library_before  # a dry run changes nothing

    # Whole words only: "interest" does not match inside "interests" or "disinterest".
    none = post(owner, "/api/transcripts/replace", {"find": "interes", "replace": "x", "dry_run": True})
    assert none.get_json() == {**none.get_json(), "matches": 0, "videos": []}

    scoped = post(owner, "/api/transcripts/replace", {"find": "interest", "replace": "yield",
                                                      "video_ids": [ids[PHOTO]], "dry_run": True}).get_json()
    assert scoped["matches"] == 0

    applied = post(owner, "/api/transcripts/replace", {"find": "interest", "replace": "yield"}).get_json()
    assert applied["applied"] is True and applied["matches"] == preview["matches"]
    after = segments(app, ids[INTEREST])
    assert not any("interest" in s.text.lower() for s in after)
    for line in lines:
        assert after[line["index"]].text == line["after"]
    assert keyword_hits(app, ids[INTEREST], "yield") and not keyword_hits(app, ids[INTEREST], "interest")
    edits = owner.get(f"/api/videos/{ids[INTEREST]}/edits").get_json()["edits"]
    assert len(edits) == len(lines) and {e["source"] for e in edits} == {"replace"}
    undo = post(owner, f"/api/videos/{ids[INTEREST]}/segments/{lines[0]['index']}/undo").get_json()
    assert undo["segment"]["text"] == lines[0]["before"]


def test_a_replaced_term_goes_into_the_glossary_in_one_call(lib):
    app, owner, _ = lib
    res = post(owner, "/api/glossary/terms", {"term": "  Calvin   cycle "})
    assert res.status_code == 200 and res.get_json() == {"terms": ["Calvin cycle"], "added": True}
    again = post(owner, "/api/glossary/terms", {"term": "calvin CYCLE"}).get_json()
    assert again == {"terms": ["Calvin cycle"], "added": False}
    assert post(owner, "/api/glossary/terms", {"term": " "}).status_code == 400
    assert owner.get("/api/glossary").get_json() == {"terms": ["Calvin cycle"]}


# -- bad input ----------------------------------------------------------------------------------------

def test_bad_edits_are_refused_clearly_and_change_nothing(lib):
    app, owner, ids = lib
    video_id = ids[PHOTO]
    before = segments(app, video_id)
    n = len(before)
    cases = [
        (patch(owner, video_id, n, {"text": "x"}), 404, f"lines are 0 to {n - 1}"),
        (patch(owner, 999, 0, {"text": "x"}), 404, "No video 999"),
        (patch(owner, video_id, 0, {"text": "   "}), 400, "'text' must not be empty"),
        (patch(owner, video_id, 0, {"text": 7}), 400, "'text' must be text"),
        (patch(owner, video_id, 0, {"words": "x"}), 400, "'text' is required"),
        (patch(owner, video_id, 0, {"text": "word " * 500}), 400, "at most 2000 characters"),
        (patch(owner, video_id, 0, {"text": "x"}, headers={}), 403, "CSRF"),
        (post(owner, "/api/transcripts/replace", {"find": "", "replace": "x"}), 400, "'find'"),
        (post(owner, "/api/transcripts/replace", {"find": "a" * 201, "replace": "x"}), 400, "at most 200 characters"),
        (post(owner, "/api/transcripts/replace", {"find": "water", "replace": " "}), 400, "'replace'"),
        (post(owner, "/api/transcripts/replace", {"find": "water", "replace": "y", "video_ids": "1"}), 400,
         "'video_ids' must be a list"),
        (post(owner, "/api/transcripts/replace", {"find": "water", "replace": "y", "video_ids": [999]}), 404,
         "No video 999"),
        (post(owner, "/api/transcripts/replace", {"find": "water", "replace": "y", "dry_run": "no"}), 400,
         "'dry_run' must be true or false"),
        (post(owner, "/api/transcripts/replace", {"replace": "y"}), 400, "'find' is required"),
    ]
    for res, status, words in cases:
        assert res.status_code == status, (status, res.get_json())
        assert words in res.get_json()["error"], (words, res.get_json())
        if "fields" in res.get_json():  # refused by the schema: a body that works comes with it
            assert set(res.get_json()["example"]) >= {"text"} or set(res.get_json()["example"]) >= {"find", "replace"}
    student = student_client(app)
    refused = patch(student, video_id, 0, {"text": "Hacked."})
    assert refused.status_code == 403 and "owner" in refused.get_json()["error"]
    assert post(student, "/api/transcripts/replace", {"find": "water", "replace": "wine"}).status_code == 403
    assert post(student, f"/api/videos/{video_id}/segments/0/undo").status_code == 403
    anonymous = app.test_client()
    assert patch(anonymous, video_id, 0, {"text": "x"}).status_code == 401

    # A video being processed is not edited under the pipeline's feet.
    with app.extensions["chronos"].db.connection() as conn:
        videos.requeue(conn, video_id)
    busy = patch(owner, video_id, 0, {"text": "x"})
    assert busy.status_code == 409 and "being processed" in busy.get_json()["error"]
    assert segments(app, video_id) == before
    assert owner.get(f"/api/videos/{video_id}/edits").get_json()["edits"] == []


# -- what follows an edit --------------------------------------------------------------------------

def test_after_an_edit_search_and_answers_find_the_new_word_and_not_the_old(lib, embedder):
    app, owner, ids = lib
    video_id = ids[PHOTO]
    sv = app.extensions["chronos"]
    index, before = line_with(app, video_id, "chlorophyll")
    assert keyword_hits(app, video_id, "chlorophyll") and not keyword_hits(app, video_id, "pheophytin")
    assert patch(owner, video_id, index, {"text": pheophytin(before.text)}).status_code == 200
    assert keyword_hits(app, video_id, "pheophytin") and not keyword_hits(app, video_id, "chlorophyll")
    with sv.db.connection() as conn:
        owner_id = creators.get_owner(conn).id
        found = retrieve(conn, embedder, "What does pheophytin absorb?", creator_id=owner_id)
        assert found.passages and found.passages[0].video_id == video_id
        assert "pheophytin" in found.passages[0].text and "chlorophyll" not in found.passages[0].text
        spoken = sentence_store.sentences_between(conn, video_id, -1, 1e9)
        assert any("pheophytin" in s.text for s in spoken) and not any("chlorophyll" in s.text for s in spoken)
        assert all(s.vector is not None and s.window is not None for s in spoken)
    answer = ask(owner, "What does pheophytin absorb?")
    cited = [c for c in answer["citations"] if c["video_id"] == video_id]
    assert cited and any(c["start_s"] <= before.start_s + 0.5 and before.start_s - 0.5 <= c["end_s"] for c in cited)
    assert "chlorophyll" not in answer["answer"].lower()


def test_exports_and_captions_show_the_fix(lib):
    app, owner, ids = lib
    video_id = ids[PHOTO]
    index, before = line_with(app, video_id, "chlorophyll")
    patch(owner, video_id, index, {"text": pheophytin(before.text)})
    for fmt in ("txt", "srt", "vtt"):
        body = owner.get(f"/videos/{video_id}/transcript.{fmt}").get_data(as_text=True)
        assert "pheophytin" in body and "chlorophyll" not in body, fmt
        api = owner.get(f"/api/videos/{video_id}/transcript?format={fmt}").get_data(as_text=True)
        assert api == body, fmt
    page = owner.get(f"/videos/{video_id}").get_data(as_text=True)
    assert "pheophytin" in page and '"old_text": "' + before.text in page  # the editor's starting state


def test_only_the_chunks_and_sentences_an_edit_changed_are_embedded_again(lib, embedder, monkeypatch):
    app, owner, ids = lib
    sv = app.extensions["chronos"]
    video_id = ids[PHOTO]
    with sv.db.connection() as conn:
        old_chunks = chunk_store.chunks_for_video(conn, video_id)
    index, before = line_with(app, video_id, "chlorophyll")
    with sv.db.connection() as conn:  # change the transcript directly, then re-index by hand
        transcripts.update_segment(conn, video_id, index, pheophytin(before.text),
                                   retime_words(before.words, pheophytin(before.text)))
        edit_store.bump_revision(conn, video_id)
    calls: list[list[str]] = []
    real = embedder.embed
    monkeypatch.setattr(embedder, "embed", lambda texts: calls.append(list(texts)) or real(texts))
    with sv.db.connection() as conn:
        done = reindex_video(video_id, conn=conn, embedder=embedder, publish=sv.bus.publish)
        new_chunks = chunk_store.chunks_for_video(conn, video_id)
        assert chunk_store.vector_count(conn, video_id) == len(new_chunks)
        assert edit_store.index_state(conn, video_id).up_to_date
    changed = [c for c in new_chunks if c.content_hash not in {o.content_hash for o in old_chunks}]
    assert changed and len(changed) < len(new_chunks)
    assert done.embedded_chunks == len(changed)
    embedded = [t for batch in calls for t in batch]
    assert all("pheophytin" in t for t in embedded), embedded  # nothing unchanged went to the model
    # The sentence itself and the three windows holding it.
    assert done.embedded_sentences == len(embedded) - len(changed) <= 4
    with sv.db.connection() as conn:
        assert reindex_video(video_id, conn=conn, embedder=embedder, publish=sv.bus.publish) is None


def test_a_cached_answer_is_not_served_stale_after_an_edit(lib):
    app, owner, ids = lib
    video_id = ids[PHOTO]
    question = "Which pigment absorbs red and blue light?"
    first = ask(owner, question)
    assert "chlorophyll" in first["answer"].lower()
    assert ask(owner, question)["cached"] is True
    index, before = line_with(app, video_id, "chlorophyll")
    patch(owner, video_id, index, {"text": pheophytin(before.text)})
    fresh = ask(owner, question)
    assert fresh["cached"] is False
    assert "pheophytin" in fresh["answer"].lower() and "chlorophyll" not in fresh["answer"].lower()


def test_a_student_watches_and_asks_while_the_reindex_runs(lib, embedder, monkeypatch):
    app, owner, ids = lib
    sv = app.extensions["chronos"]
    video_id = ids[PHOTO]
    student = student_client(app)
    index, before = line_with(app, video_id, "chlorophyll")
    asker_id = None
    with sv.db.connection() as conn:
        asker_id = creators.get_owner(conn).id
    # The re-index is stopped half-way (its new vectors computed, nothing swapped yet) until the
    # student has watched and asked.
    embedding, release = threading.Event(), threading.Event()
    real = embedder.embed

    def held(texts):
        if any("pheophytin" in t for t in texts):
            embedding.set()
            assert release.wait(60)
        return real(texts)

    monkeypatch.setattr(embedder, "embed", held)
    result: dict = {}
    editor = threading.Thread(target=lambda: result.update(
        res=patch(owner, video_id, index, {"text": pheophytin(before.text)})))
    editor.start()
    assert embedding.wait(60)
    with sv.db.connection() as conn:
        assert videos.get_video(conn, video_id).status == "completed"
        assert not edit_store.index_state(conn, video_id).up_to_date  # re-indexing now
    media = student.get(f"/media/videos/{video_id}", headers={"Range": "bytes=0-1023"})
    assert media.status_code == 206 and len(media.data) == 1024
    assert student.get(f"/videos/{video_id}").status_code == 200
    during = sv.chat.ask_and_wait(Asker(asker_id, None), "Which pigment absorbs red and blue light?")
    assert any(c["video_id"] == video_id for c in during["citations"])  # answered from the old index
    release.set()
    editor.join(60)
    assert result["res"].status_code == 200
    after = ask(student, "Which pigment absorbs red and blue light?")
    assert any(c["video_id"] == video_id for c in after["citations"])
    assert "pheophytin" in after["answer"].lower() and not after["cached"]


def test_edits_survive_reprocessing(lib):
    app, owner, ids = lib
    sv = app.extensions["chronos"]
    video_id = ids[PHOTO]
    index, before = line_with(app, video_id, "chlorophyll")
    patch(owner, video_id, index, {"text": pheophytin(before.text)})
    other, second = line_with(app, video_id, "cycle")  # tiny.en sometimes hears "Kelvin cycle"
    patch(owner, video_id, other, {"text": second.text + " Inside the chloroplast."})
    post(owner, f"/api/videos/{video_id}/segments/{other}/undo")  # undone: stays undone
    assert post(owner, f"/api/videos/{video_id}/reprocess").status_code == 200
    assert process(sv, video_id).status == "completed"
    after = segments(app, video_id)
    fixed = next(i for i, s in enumerate(after) if "pheophytin" in s.text)
    assert after[fixed].text == pheophytin(before.text) and abs(after[fixed].start_s - before.start_s) < 0.5
    assert not any("Inside the chloroplast." in s.text for s in after)
    assert keyword_hits(app, video_id, "pheophytin") and not keyword_hits(app, video_id, "chlorophyll")
    edits = owner.get(f"/api/videos/{video_id}/edits").get_json()["edits"]
    assert [e["state"] for e in edits] == ["active", "undone"] and edits[0]["index"] == fixed
    with sv.db.connection() as conn:
        assert edit_store.index_state(conn, video_id).up_to_date
    # Undo after the re-transcription returns to what Whisper heard this time.
    undo = post(owner, f"/api/videos/{video_id}/segments/{fixed}/undo").get_json()
    assert "chlorophyll" in undo["segment"]["text"].lower()


def test_a_reindex_cut_short_runs_at_the_next_start_in_the_background(template, tmp_path, transcriber,
                                                                        embedder):
    folder, ids = template
    shutil.copytree(folder, tmp_path / "data")
    settings = load_settings(tmp_path / "data", env={}, whisper_model="tiny.en", run_scheduler=False)
    stopped = create_app(settings, transcriber=transcriber, embedder=embedder)
    sv = stopped.extensions["chronos"]
    video_id = ids[PHOTO]
    index, before = line_with(stopped, video_id, "chlorophyll")
    with sv.db.connection() as conn:  # an edit committed, then Chronos stopped before its re-index
        transcripts.update_segment(conn, video_id, index, pheophytin(before.text),
                                   retime_words(before.words, pheophytin(before.text)))
        edit_store.bump_revision(conn, video_id)
    sv.close()

    settings = load_settings(tmp_path / "data", env={}, whisper_model="tiny.en", run_scheduler=True)
    app = create_app(settings, transcriber=transcriber, embedder=embedder)
    sv = app.extensions["chronos"]
    try:
        with sv.bus.subscribe() as events, sv.db.connection() as conn:
            while not edit_store.index_state(conn, video_id).up_to_date:
                event = events.get(timeout=120)
                if event.get("type") == "transcript_index":
                    assert event["state"] != "failed", event
            assert videos.get_video(conn, video_id).status == "completed"
        assert keyword_hits(app, video_id, "pheophytin") and not keyword_hits(app, video_id, "chlorophyll")
    finally:
        sv.close()
