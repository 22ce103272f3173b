"""The creator's chapter edits: rename, split at a time, move a start, merge, back to automatic;
each persists, survives a transcript correction, and is refused with a message when it can't be
done. A correction recomputes chapters the creator left alone.

The lecture's transcript here is its script (the fixture's sidecar) rather than Whisper's, so the
rest of the real pipeline (chunks, sentence vectors, chapters) runs in a second or two."""
from __future__ import annotations

import pytest

from chronos.models import chapters as chapter_store
from chronos.models import transcripts, videos
from chronos.models.states import VideoStatus
from chronos.models.transcripts import Segment, Word
from chronos.operations import transcripts as transcript_ops
from tests.conftest import add_video, csrf, process, sidecar


def scripted_video(sv, fixture: str) -> int:
    """A fixture lecture whose transcript is its script, processed from there on (no Whisper)."""
    script = sidecar(fixture)
    video = add_video(sv, fixture)
    segments = []
    for s in script["sentences"]:
        words = s["text"].split()
        step = (s["end_s"] - s["start_s"]) / len(words)
        segments.append(Segment(s["start_s"], s["end_s"], s["text"],
                                [Word(s["start_s"] + i * step, s["start_s"] + (i + 1) * step, " " + w)
                                 for i, w in enumerate(words)]))
    with sv.db.connection() as conn:
        videos.set_probe(conn, video.id, duration_s=script["duration_s"], thumbnail_path=None)
        transcripts.save_transcript(conn, video.id, "en", segments)
        videos.set_status(conn, video.id, VideoStatus.CHUNKING)
    assert process(sv, video.id).status == "completed"
    return video.id


class Owner:
    def __init__(self, client, video_id: int):
        self.client, self.base = client, f"/api/videos/{video_id}/chapters"

    def get(self) -> dict:
        return self.client.get(self.base).get_json()

    def call(self, method: str, tail: str = "", body: dict | None = None, status: int = 200) -> dict:
        res = self.client.open(self.base + tail, method=method, json=body, headers={"X-CSRF-Token": csrf(self.client)})
        assert res.status_code == status, res.get_json()
        return res.get_json()


@pytest.fixture
def lecture(app, services, owner_client):
    video_id = scripted_video(services, "two_topics.mp4")
    return services, video_id, Owner(owner_client, video_id)


def shape(body: dict) -> list[tuple[float, str, str]]:
    return [(c["start_s"], c["title"], c["title_by"]) for c in body["chapters"]]


def test_creator_edits_persist_and_are_kept_through_a_correction(lecture, client):
    sv, video_id, owner = lecture
    computed = owner.get()
    (start0, title0, _), (turn, _, _) = shape(computed)
    assert computed["edited"] is False and turn == pytest.approx(sidecar("two_topics.mp4")["sentences"][8]["start_s"])

    owner.call("PATCH", "/1", {"title": "  How bees make honey "})
    split = owner.call("POST", "/split", {"at_s": 58.0})  # at "While they gather nectar…"
    assert shape(split)[2][0] == 58.0 and shape(split)[2][2] == "offline"
    assert set(shape(split)[2][1].lower().split()) <= set("while they gather nectar bees also carry pollen from "
                                                            "flower to flower this pollination helps plants "
                                                            "make fruit and seeds".split())
    owner.call("PATCH", "/2", {"title": "Pollination", "start_s": 58.3})
    owner.call("PATCH", "/1", {"start_s": 34.5})
    merged = owner.call("POST", "/0/merge")  # volcanoes with bees, under the first one's title
    owner.call("POST", "/split", {"at_s": 34.5, "title": "How bees make honey"})
    expected = [(0.0, title0, "offline"), (34.5, "How bees make honey", "creator"), (58.3, "Pollination", "creator")]
    assert shape(merged) == [(0.0, title0, "offline"), (58.3, "Pollination", "creator")]
    assert start0 == 0.0

    # Persisted: read again (a new request, the page after a reload), and stored as the creator's.
    again = owner.get()
    assert shape(again) == expected and again["edited"] is True and again["edited_at"]
    assert [c["end_s"] for c in again["chapters"]] == [34.5, 58.3, pytest.approx(66.6, abs=0.01)]
    with sv.db.connection() as conn:
        assert chapter_store.get_chapters(conn, video_id).edited

    # A transcript correction re-indexes the video; the creator's chapters stay as they were left.
    transcript_ops.edit_segment(sv, 1, video_id, 9, "A worker bee visits hundreds of meadows to collect sweet nectar.")
    with sv.db.connection() as conn:
        assert transcripts.get_segment(conn, video_id, 9).text.startswith("A worker bee visits hundreds of meadows")
    assert shape(owner.get()) == expected and owner.get()["edited"] is True

    # Back to automatic: computed again from the transcript.
    reset = owner.call("POST", "/reset")
    assert reset["edited"] is False and [c[0] for c in shape(reset)] == [0.0, turn]


def test_chapters_the_creator_left_alone_follow_a_correction(lecture):
    sv, video_id, owner = lecture
    (_, first, _), (_, second, _) = shape(owner.get())
    # Replace the first chapter's title phrase wherever it is said: its title follows the words.
    done = transcript_ops.replace(sv, 1, first, "Geysers", [video_id])
    assert done["matches"] >= 1
    (_, renamed, _), (_, kept, _) = shape(owner.get())
    assert renamed == "Geysers" and kept == second
    with sv.db.connection() as conn:
        stored = chapter_store.get_chapters(conn, video_id)
    assert not stored.edited and stored.revision == 1


REFUSED = [  # (method, path after .../chapters, body, status, words of the message)
    ("POST", "/split", {"at_s": 36.0}, 400, "at least 5 s from its start (0:34)"),
    ("POST", "/split", {"at_s": 66.0}, 400, "too close"),
    ("PATCH", "/1", {"start_s": 2.0}, 400, "Chapter 2 can start between 0:05 and 1:01"),
    ("PATCH", "/0", {"start_s": 3.0}, 400, "The first chapter starts with the video"),
    ("POST", "/1/merge", None, 400, "the last one"),
    ("PATCH", "/7", {"title": "Seven"}, 404, "chapters are 0 to 1"),
    ("PATCH", "/0", {}, 400, "'title', its new 'start_s', or both"),
    ("PATCH", "/0", {"title": "   "}, 400, "'title' must not be empty"),
    ("PATCH", "/0", {"title": 3}, 400, "'title' must be text"),
    ("PATCH", "/0", {"start_s": "12"}, 400, "'start_s' must be a finite number"),
    ("POST", "/split", {"at_s": -4}, 400, "'at_s' must be at least 0"),
    ("POST", "/split", {}, 400, "'at_s' is required"),
]


def test_edits_that_cannot_be_done_are_refused_with_a_message_and_change_nothing(lecture):
    _, _, owner = lecture
    before = owner.get()
    for method, tail, body, status, words in REFUSED:
        refused = owner.call(method, tail, body, status)
        assert words in refused["error"], (method, tail, body)
    assert owner.get() == before


def test_a_video_still_processing_has_no_chapters_to_edit(app, services, owner_client):
    video = add_video(services, "photosynthesis.mp4")
    owner = Owner(owner_client, video.id)
    assert owner.get() == {"video_id": video.id, "state": "pending", "edited": False, "edited_at": None,
                           "chapters": [], "vtt_url": f"/videos/{video.id}/chapters.vtt"}
    refused = owner.call("POST", "/split", {"at_s": 10.0}, 409)
    assert "when its processing completes" in refused["error"]
