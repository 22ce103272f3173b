"""A video's details: new uploads are drafts, students see published videos only (catalog,
courses, pages, media, transcripts, thumbnails, answers), the owner asks from drafts too unless
asking as the students see it; `publish` on the upload API, the setting and `chronos ingest`;
readable titles from file names, and titles and descriptions edited through the API."""
from __future__ import annotations

import io
import json

from chronos.ai.answerer import NOT_COVERED
from chronos.models import courses
from tests.conftest import FIXTURES, add_video, csrf, process, upload
from tests.procs import run_cli
from tests.test_courses_api import student_client

RIVERS = (FIXTURES / "rivers.m4a").read_bytes()
QUESTION = "Where does the river drop its sediment?"


def _post(client, **form):
    return client.post("/api/videos", data={"file": (io.BytesIO(RIVERS), "rivers.m4a"), **form},
                       headers={"X-CSRF-Token": csrf(client)}, content_type="multipart/form-data")


def test_uploads_are_drafts_unless_published(owner_client, apps):
    assert upload(owner_client, FIXTURES / "rivers.m4a").get_json()["published"] is False
    assert _post(owner_client, publish="true").get_json()["published"] is True
    assert _post(owner_client, publish="false").get_json()["published"] is False
    bad = _post(owner_client, publish="maybe")
    assert bad.status_code == 400 and "'publish' must be true or false" in bad.get_json()["error"]
    listing = owner_client.get("/api/videos").get_json()
    assert [v["published"] for v in listing] == [False, True, False]

    _, owner = apps(publish_new_uploads=True)
    assert upload(owner, FIXTURES / "rivers.m4a").get_json()["published"] is True
    assert _post(owner, publish="false").get_json()["published"] is False
    assert "New uploads are published" in owner.get("/").get_data(as_text=True)


def _ask(client, token=None, **extra) -> dict:
    headers = {"Authorization": f"Bearer {token}"} if token else {"X-CSRF-Token": csrf(client)}
    res = client.post("/api/chat", json={"message": QUESTION, **extra}, headers=headers)
    assert res.status_code == 200, res.get_json()
    return res.get_json()


def _student_sees(student, video_id: int, course_id: int) -> dict[str, bool]:
    pages = {"page": f"/videos/{video_id}", "media": f"/media/videos/{video_id}",
             "thumbnail": f"/media/thumbnails/{video_id}", "transcript": f"/videos/{video_id}/transcript.txt"}
    seen = {name: student.get(url).status_code != 404 for name, url in pages.items()}
    seen["catalog"] = f"/videos/{video_id}\"" in student.get("/").get_data(as_text=True)
    seen["course"] = "Rivers" in student.get(f"/learn/{course_id}").get_data(as_text=True)
    seen["answer"] = any(c["video_id"] == video_id for c in _ask(student)["citations"])
    return seen


def test_students_see_published_videos_only_and_the_owner_asks_from_drafts(app, services, owner_client, token):
    video = add_video(services, "photosynthesis.mp4", published=False)  # the thumbnail needs a picture
    assert process(services, video.id).status == "completed"
    rivers = add_video(services, "rivers.m4a", title="Rivers", published=False)
    assert process(services, rivers.id).status == "completed"
    with services.db.connection() as conn:
        course = courses.create_course(conn, 1, title="Earth", published=True)
        courses.add_module(conn, course.id, 1, title="Water", video_ids=[rivers.id, video.id])
    student, _ = student_client(app, services)

    assert _student_sees(student, rivers.id, course.id) == dict.fromkeys(
        ("page", "media", "thumbnail", "transcript", "catalog", "course", "answer"), False)
    assert _student_sees(student, video.id, course.id)["thumbnail"] is False
    # The owner's own questions answer from the draft; "as my students see it" does not.
    assert any(c["video_id"] == rivers.id for c in _ask(owner_client, token)["citations"])
    as_students = _ask(owner_client, token, as_student=True)
    assert as_students["citations"] == [] and as_students["answer"] == NOT_COVERED
    # A student cannot ask for drafts by claiming to be previewing.
    assert _ask(student, as_student=False)["citations"] == []

    res = owner_client.patch(f"/api/videos/{rivers.id}", json={"published": True},
                             headers={"X-CSRF-Token": csrf(owner_client)})
    assert res.status_code == 200 and res.get_json()["published"] is True
    assert _student_sees(student, rivers.id, course.id) == dict.fromkeys(
        ("page", "media", "thumbnail", "transcript", "catalog", "course", "answer"), True) | {"thumbnail": False}
    owner_client.patch(f"/api/videos/{video.id}", json={"published": True}, headers={"X-CSRF-Token": csrf(owner_client)})
    assert _student_sees(student, video.id, course.id)["thumbnail"] is True
    bad = owner_client.patch(f"/api/videos/{rivers.id}", json={"published": "yes"},
                             headers={"X-CSRF-Token": csrf(owner_client)})
    assert bad.status_code == 400 and "'published' must be true or false" in bad.get_json()["error"]


def test_chronos_ingest_takes_publish(tmp_path):
    data = str(tmp_path / "data")
    published = run_cli("ingest", str(FIXTURES / "silent.mp4"), "--publish", "--json", "--data-dir", data)
    draft = run_cli("ingest", str(FIXTURES / "silent.mp4"), "--json", "--data-dir", data)
    status = json.loads(run_cli("status", "--json", "--data-dir", data).stdout)
    assert [json.loads(published.stdout)[0]["published"], json.loads(draft.stdout)[0]["published"]] == [True, False]
    assert {v["id"]: v["published"] for v in status} == {1: True, 2: False}


def test_titles_and_descriptions_are_edited_through_the_api(owner_client):
    created = upload(owner_client, FIXTURES / "rivers.m4a", name="volcanoes_101-final.mp4").get_json()
    assert created["title"] == "Volcanoes 101 final" and created["description"] == ""
    res = owner_client.patch(f"/api/videos/{created['id']}", json={"title": "  Volcanoes,   part 1 ",
                                                                    "description": " Lava and ash. "},
                             headers={"X-CSRF-Token": csrf(owner_client)})
    assert res.status_code == 200
    assert (res.get_json()["title"], res.get_json()["description"]) == ("Volcanoes, part 1", "Lava and ash.")
    empty = owner_client.patch(f"/api/videos/{created['id']}", json={"title": "  "},
                               headers={"X-CSRF-Token": csrf(owner_client)})
    assert empty.status_code == 400 and "'title' must not be empty" in empty.get_json()["error"]
    nothing = owner_client.patch(f"/api/videos/{created['id']}", json={}, headers={"X-CSRF-Token": csrf(owner_client)})
    assert nothing.status_code == 400
    page = owner_client.get(f"/videos/{created['id']}").get_data(as_text=True)
    assert "Volcanoes, part 1" in page and "Lava and ash." in page
