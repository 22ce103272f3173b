"""The glossary: its API and page, and its terms reaching Whisper as hints in the transcribe stage."""
from __future__ import annotations

import pytest

from chronos.operations.glossary import TERM_MAX, TERMS_MAX
from chronos.pipeline.hints import order_hints
from tests.conftest import add_video, csrf, make_app, process, sidecar, wer
from tests.test_courses_api import student_client


def put(client, body):
    return client.put("/api/glossary", json=body, headers={"X-CSRF-Token": csrf(client)})


def test_glossary_starts_empty_and_keeps_what_is_put(owner_client):
    assert owner_client.get("/api/glossary").get_json() == {"terms": []}
    res = put(owner_client, {"terms": ["  Rio   Negro ", "Manaus", "", "manaus", "arapaima", "RIO NEGRO"]})
    assert res.status_code == 200
    assert res.get_json() == {"terms": ["Rio Negro", "Manaus", "arapaima"]}
    assert owner_client.get("/api/glossary").get_json() == {"terms": ["Rio Negro", "Manaus", "arapaima"]}
    assert put(owner_client, {"terms": []}).get_json() == {"terms": []}
    assert owner_client.get("/api/glossary").get_json() == {"terms": []}


@pytest.mark.parametrize("body, message", [
    ({"words": ["Manaus"]}, "'terms' is required"),
    ({"terms": "Manaus, Rio Negro"}, "'terms' must be a list"),
    ({"terms": ["Manaus", 7]}, "'terms.1' must be text"),
    ({"terms": ["x" * (TERM_MAX + 1)]}, f"keep each term to {TERM_MAX} characters"),
    ({"terms": [f"term {i}" for i in range(TERMS_MAX + 1)]}, f"keep it to {TERMS_MAX}"),
])
def test_bad_glossaries_are_refused_with_what_to_change(owner_client, body, message):
    put(owner_client, {"terms": ["Manaus"]})
    res = put(owner_client, body)
    assert res.status_code == 400
    assert message in res.get_json()["error"]
    if "fields" in res.get_json():  # refused by the schema: a body that works comes with it
        assert res.get_json()["example"] == {"terms": ["Manaus", "Rio Negro"]}
    assert owner_client.get("/api/glossary").get_json() == {"terms": ["Manaus"]}  # nothing changed


def test_students_and_strangers_are_refused(app, services, owner_client):
    student, _ = student_client(app, services)
    assert student.get("/api/glossary").status_code == 403
    res = student.put("/api/glossary", json={"terms": ["x"]}, headers={"X-CSRF-Token": "student-csrf"})
    assert res.status_code == 403 and "owner" in res.get_json()["error"]
    assert student.get("/glossary").status_code == 403
    assert app.test_client().get("/api/glossary").status_code == 401


def test_the_page_lists_the_terms_and_explains_itself(owner_client):
    page = owner_client.get("/glossary").get_data(as_text=True)
    assert "No terms yet." in page and 'href="/glossary"' in page
    assert "Hints are off on this Chronos" in page  # whisper_hints is off by default
    put(owner_client, {"terms": ["Solimoes", "varzea"]})
    page = owner_client.get("/glossary").get_data(as_text=True)
    assert "Solimoes\nvarzea</textarea>" in page and "No terms yet." not in page


def test_hints_put_the_title_and_the_terms_it_mentions_first():
    hints = order_hints(["igapo", "Amazon", "Manaus", "amazon"], title="The Amazon River",
                        description="From the Andes to Manaus. " + "word " * 100,
                        course_titles=["South America"])
    assert hints[:5] == ["The Amazon River", "Amazon", "Manaus", "igapo", "South America"]
    assert hints[5].startswith("From the Andes to Manaus.") and len(hints[5]) <= 300
    assert len(hints) == 6


def test_no_hints_without_a_glossary_or_with_one_too_long_to_fit():
    assert order_hints([], title="Manaus and the Rio Negro", course_titles=["South America"]) == []
    library = ["Manaus"] + [f"Term number {i}" for i in range(60)]
    assert order_hints(library, title="Manaus and the Rio Negro") == []
    assert len(order_hints(library[:20], title="Manaus and the Rio Negro")) == 21  # fits: all of it


class RecordingTranscriber:
    """The real Whisper transcriber, noting the hints each call receives (an observation, not a fake)."""

    def __init__(self, inner):
        self.inner = inner
        self.hints: list = []

    def __getattr__(self, name):
        return getattr(self.inner, name)

    def transcribe(self, audio, on_progress=None, *, hints=None, **options):
        self.hints.append(hints)
        return self.inner.transcribe(audio, on_progress, hints=hints, **options)


@pytest.mark.parametrize("hints_on", [True, False])
def test_the_transcribe_stage_passes_glossary_title_and_course(tmp_path, transcriber, embedder, hints_on):
    recorder = RecordingTranscriber(transcriber)
    app, owner = make_app(tmp_path, recorder, embedder, whisper_hints=hints_on)
    try:
        sv = app.extensions["chronos"]
        assert put(owner, {"terms": ["sediment", "delta", "meander"]}).status_code == 200
        video = add_video(sv, "rivers.m4a", title="How rivers shape the land")
        headers = {"X-CSRF-Token": csrf(owner)}
        course = owner.post("/api/courses", json={"title": "Physical geography"}, headers=headers).get_json()
        assert owner.post(f"/api/courses/{course['id']}/modules", json={"title": "Water",
                          "video_ids": [video.id]}, headers=headers).status_code in (200, 201)
        done = process(sv, video.id)
        assert done.status == "completed"
        if hints_on:
            assert recorder.hints == [["How rivers shape the land", "sediment", "delta", "meander",
                                       "Physical geography"]]
        else:
            assert recorder.hints == [None]
        heard = owner.get(f"/videos/{video.id}/transcript.txt").get_data(as_text=True)
        spoken = " ".join(s["text"] for s in sidecar("rivers.m4a")["sentences"])
        assert wer(spoken, heard) < 0.25  # the hints did not derail the real model
    finally:
        app.extensions["chronos"].close(wait=True)
