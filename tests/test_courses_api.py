"""The courses JSON API: create, read, update, delete, modules, the whole order at once, thumbnails,
what students may see, and refusals of bad input and of another creator's ids."""
from __future__ import annotations

import io
import json

import pytest

from chronos.models import people, videos
from chronos.pipeline.ingest import ingest_path
from tests.conftest import FIXTURES, csrf, process, sign_in_cookie

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64
WEBP = b"RIFF\x24\x00\x00\x00WEBPVP8 " + b"\x00" * 64


# -- helpers (also used by the progress and browser tests) ---------------------------------------

def add_video(services, fixture: str = "photosynthesis.mp4", *, title: str | None = None,
              status: str = "completed", creator_id: int = 1, published: bool = True) -> int:
    """Store a fixture as a video of creator_id, marked with status (processing is not run)."""
    s = services.settings
    with services.db.connection() as conn:
        video = ingest_path(FIXTURES / fixture, conn=conn, media_dir=s.media_dir, incoming_dir=s.upload_tmp_dir,
                            creator_id=creator_id, max_bytes=s.max_upload_bytes, title=title, published=published)
        if status != "pending":
            videos.set_status(conn, video.id, status)
    return video.id


def other_creator(services) -> dict:
    """A second creator (made directly: one Chronos has one owner) with a video, a course and a module."""
    with services.db.connection() as conn:
        creator_id = conn.execute("INSERT INTO creators(name) VALUES ('Someone else')").lastrowid
    video_id = add_video(services, "rivers.m4a", title="Their rivers", creator_id=creator_id)
    with services.db.connection() as conn:
        course_id = conn.execute("INSERT INTO courses(creator_id, title, published) VALUES (?, 'Their course', 1)",
                                 (creator_id,)).lastrowid
        module_id = conn.execute("INSERT INTO course_modules(course_id, title) VALUES (?, 'Their module')",
                                 (course_id,)).lastrowid
        conn.execute("INSERT INTO module_videos(module_id, video_id, position) VALUES (?, ?, 0)",
                     (module_id, video_id))
    return {"creator_id": creator_id, "video_id": video_id, "course_id": course_id, "module_id": module_id}


def student_client(app, services, username: str = "grace"):
    """A test client signed in as a student who joined with an invite."""
    with services.db.connection() as conn:
        _, token = people.create_invite(conn, 1, expires_at=None, max_uses=None)
        student = people.join_with_invite(conn, token, name=username.title(), username=username, password="x" * 10)
    client = app.test_client()
    with client.session_transaction() as sess:
        sess.update(sign_in_cookie(app, student_id=student.id))
        sess["csrf"] = "student-csrf"
    return client, student


class Api:
    """JSON calls with the CSRF header, as the pages make them."""

    def __init__(self, client):
        self.client = client

    def __call__(self, method: str, url: str, body=None):
        return self.client.open(url, method=method, json=body, headers={"X-CSRF-Token": csrf(self.client)})


@pytest.fixture
def api(owner_client):
    return Api(owner_client)


@pytest.fixture
def lectures(services, owner_client) -> list[int]:
    """Three of the owner's videos: photosynthesis, interest, rivers."""
    return [add_video(services, f) for f in ("photosynthesis.mp4", "interest.mp4", "rivers.m4a")]


def make_course(api, lectures, **fields) -> dict:
    """A course with two modules: A = [photosynthesis, interest], B = [rivers]."""
    course = api("POST", "/api/courses", {"title": "Earth and life", **fields}).get_json()
    a = api("POST", f"/api/courses/{course['id']}/modules", {"title": "A", "video_ids": lectures[:2]}).get_json()
    b = api("POST", f"/api/courses/{course['id']}/modules", {"title": "B", "video_ids": lectures[2:]}).get_json()
    return {"id": course["id"], "a": a["id"], "b": b["id"]}


def shape(api, course_id: int) -> list[tuple[int, list[int]]]:
    body = api("GET", f"/api/courses/{course_id}").get_json()
    return [(m["id"], m["video_ids"]) for m in body["modules"]]


# -- create, read, update, delete ------------------------------------------------------------------

def test_course_lifecycle(api, lectures, services):
    res = api("POST", "/api/courses", {"title": "  Earth   and life ", "description": "Rivers, leaves, money.",
                                       "topic": "Science"})
    assert res.status_code == 201
    course = res.get_json()
    assert {"id", "title", "description", "published", "modules"} <= set(course)
    assert course["title"] == "Earth and life" and course["published"] is False and course["modules"] == []
    assert course["estimated_duration_s"] == 0 and course["topic"] == "Science"

    cid = course["id"]
    module = api("POST", f"/api/courses/{cid}/modules", {"title": "Leaves", "video_ids": lectures[:2]})
    assert module.status_code == 201 and module.get_json()["video_ids"] == lectures[:2]
    got = api("GET", f"/api/courses/{cid}").get_json()
    assert got["modules"][0]["title"] == "Leaves" and got["modules"][0]["video_ids"] == lectures[:2]
    assert got["estimated_duration_s"] == pytest.approx(37.8 + 39.2, abs=0.5)  # the sum of its videos

    res = api("PUT", f"/api/courses/{cid}", {"title": "Life on Earth", "published": True, "description": ""})
    assert res.status_code == 200
    assert res.get_json() == api("GET", f"/api/courses/{cid}").get_json()
    assert res.get_json()["title"] == "Life on Earth" and res.get_json()["published"] is True
    assert res.get_json()["topic"] == "Science"  # untouched fields stay

    mid = got["modules"][0]["id"]
    res = api("PUT", f"/api/courses/{cid}/modules/{mid}", {"title": "Plants", "description": "Green things",
                                                            "video_ids": [lectures[1]]})
    assert res.status_code == 200 and res.get_json()["video_ids"] == [lectures[1]]
    assert api("DELETE", f"/api/courses/{cid}/modules/{mid}").get_json() == {"deleted": mid}
    assert api("GET", f"/api/courses/{cid}").get_json()["modules"] == []

    assert api("DELETE", f"/api/courses/{cid}").get_json() == {"deleted": cid}
    assert api("GET", f"/api/courses/{cid}").status_code == 404
    assert api("DELETE", f"/api/courses/{cid}").status_code == 404
    with services.db.connection() as conn:  # the lectures stay in the library
        assert [v.id for v in videos.list_videos(conn, 1)] == sorted(lectures, reverse=True)
    assert [c["id"] for c in api("GET", "/api/courses").get_json()] == []


def test_a_video_may_sit_in_two_modules_but_once_per_module(api, lectures):
    c = make_course(api, lectures)
    res = api("PUT", f"/api/courses/{c['id']}/order",
              {"modules": [{"id": c["a"], "video_ids": lectures[:2]}, {"id": c["b"], "video_ids": [lectures[0]]}]})
    assert res.status_code == 200
    assert res.get_json()["estimated_duration_s"] == pytest.approx(37.8 + 39.2, abs=0.5)  # counted once
    res = api("POST", f"/api/courses/{c['id']}/modules", {"title": "C", "video_ids": [lectures[2], lectures[2]]})
    assert res.status_code == 400 and "appears twice" in res.get_json()["error"]


def test_order_replaces_the_whole_structure(api, lectures):
    c = make_course(api, lectures)
    body = {"modules": [{"id": c["b"], "video_ids": [lectures[2], lectures[1]]},
                        {"id": c["a"], "video_ids": [lectures[0]]}]}
    res = api("PUT", f"/api/courses/{c['id']}/order", body)
    assert res.status_code == 200
    assert [(m["id"], m["video_ids"]) for m in res.get_json()["modules"]] == \
        [(c["b"], [lectures[2], lectures[1]]), (c["a"], [lectures[0]])]
    assert shape(api, c["id"]) == [(c["b"], [lectures[2], lectures[1]]), (c["a"], [lectures[0]])]
    # Emptying a module is allowed; the module stays.
    res = api("PUT", f"/api/courses/{c['id']}/order", {"modules": [{"id": c["a"], "video_ids": []},
                                                                 {"id": c["b"], "video_ids": lectures}]})
    assert shape(api, c["id"]) == [(c["a"], []), (c["b"], lectures)]


@pytest.mark.parametrize("make_body, status, message", [
    (lambda c, v: [], 400, "Send a JSON object"),
    (lambda c, v: {"modules": "all"}, 400, "'modules' must be a list"),
    (lambda c, v: {"modules": [{"video_ids": []}]}, 400, "'modules.0.id' is required"),
    (lambda c, v: {"modules": [{"id": True, "video_ids": []}]}, 400, "'modules.0.id' must be a whole number"),
    (lambda c, v: {"modules": [{"id": c["a"], "video_ids": ["1"]}, {"id": c["b"]}]}, 400,
     "'modules.0.video_ids.0' must be a whole number"),
    (lambda c, v: {"modules": [{"id": 9999, "video_ids": []}, {"id": c["a"]}, {"id": c["b"]}]},
     400, "No module 9999"),
    (lambda c, v: {"modules": [{"id": c["a"], "video_ids": v[:1]}, {"id": c["a"], "video_ids": []},
                               {"id": c["b"], "video_ids": []}]}, 400, "listed twice"),
    (lambda c, v: {"modules": [{"id": c["a"], "video_ids": v}]}, 400, "must list every module"),
    (lambda c, v: {"modules": [{"id": c["a"], "video_ids": [v[0], v[1], v[0]]}, {"id": c["b"], "video_ids": []}]},
     400, "appears twice in module"),
    (lambda c, v: {"modules": [{"id": c["a"], "video_ids": [v[0], 424242]}, {"id": c["b"], "video_ids": []}]},
     400, "No video 424242 in your library"),
])
def test_order_refuses_bad_input_and_changes_nothing(api, lectures, make_body, status, message):
    c = make_course(api, lectures)
    before = api("GET", f"/api/courses/{c['id']}").get_json()
    res = api("PUT", f"/api/courses/{c['id']}/order", make_body(c, lectures))
    assert res.status_code == status, res.get_json()
    assert message in res.get_json()["error"]
    assert api("GET", f"/api/courses/{c['id']}").get_json() == before


def test_order_refuses_a_module_of_another_course(api, lectures):
    c = make_course(api, lectures)
    other = make_course(api, lectures)
    before = shape(api, c["id"])
    res = api("PUT", f"/api/courses/{c['id']}/order", {"modules": [
        {"id": c["a"], "video_ids": []}, {"id": c["b"], "video_ids": []}, {"id": other["a"], "video_ids": []}]})
    assert res.status_code == 400
    assert res.get_json()["error"] == \
        f"Module {other['a']} belongs to another course (“Earth and life”), not this one."
    assert shape(api, c["id"]) == before and shape(api, other["id"])[0][1] == lectures[:2]
    # ...and a module cannot be edited through a course it is not in.
    assert api("PUT", f"/api/courses/{c['id']}/modules/{other['a']}", {"title": "x"}).status_code == 404
    assert api("DELETE", f"/api/courses/{c['id']}/modules/{other['a']}").status_code == 404


def test_another_creators_ids_are_refused(api, lectures, services):
    theirs = other_creator(services)
    mine = make_course(api, lectures)
    before_mine = shape(api, mine["id"])
    cid = theirs["course_id"]
    # Their course does not exist as far as this owner can tell.
    assert api("GET", f"/api/courses/{cid}").status_code == 404
    assert api("PUT", f"/api/courses/{cid}", {"title": "Mine now"}).status_code == 404
    assert api("DELETE", f"/api/courses/{cid}").status_code == 404
    assert api("POST", f"/api/courses/{cid}/modules", {"title": "x"}).status_code == 404
    assert api("PUT", f"/api/courses/{cid}/modules/{theirs['module_id']}", {"title": "x"}).status_code == 404
    assert api("DELETE", f"/api/courses/{cid}/modules/{theirs['module_id']}").status_code == 404
    assert api("PUT", f"/api/courses/{cid}/order", {"modules": []}).status_code == 404
    assert api("GET", f"/api/courses/{cid}/progress").status_code == 404
    assert cid not in [c["id"] for c in api("GET", "/api/courses").get_json()]
    # Their video, module and course cannot be pulled into mine.
    res = api("PUT", f"/api/courses/{mine['id']}/order", {"modules": [
        {"id": mine["a"], "video_ids": [lectures[0], theirs["video_id"]]}, {"id": mine["b"], "video_ids": []}]})
    assert res.status_code == 400 and res.get_json()["error"] == f"No video {theirs['video_id']} in your library."
    res = api("PUT", f"/api/courses/{mine['id']}/order", {"modules": [
        {"id": mine["a"], "video_ids": []}, {"id": mine["b"], "video_ids": []},
        {"id": theirs["module_id"], "video_ids": []}]})
    assert res.status_code == 400 and res.get_json()["error"] == f"No module {theirs['module_id']} in this course."
    res = api("POST", f"/api/courses/{mine['id']}/modules", {"title": "x", "video_ids": [theirs["video_id"]]})
    assert res.status_code == 400 and "No video" in res.get_json()["error"]
    res = api("PUT", f"/api/courses/{mine['id']}/modules/{mine['a']}", {"video_ids": [theirs["video_id"]]})
    assert res.status_code == 400
    res = api("PUT", f"/api/courses/{mine['id']}", {"prerequisites": [cid]})
    assert res.status_code == 400 and res.get_json()["error"] == f"No course {cid} to be a prerequisite."
    upload = api.client.post(f"/api/courses/{cid}/thumbnail", data={"file": (io.BytesIO(PNG), "a.png")},
                             headers={"X-CSRF-Token": csrf(api.client)}, content_type="multipart/form-data")
    assert upload.status_code == 404
    assert api.client.get(f"/media/courses/{cid}/thumbnail").status_code == 404
    assert api.client.get(f"/learn/{cid}").status_code == 404
    # Nothing changed on either side.
    assert shape(api, mine["id"]) == before_mine
    with services.db.connection() as conn:
        row = conn.execute("SELECT title FROM courses WHERE id = ?", (cid,)).fetchone()
        placed = conn.execute("SELECT video_id FROM module_videos WHERE module_id = ?",
                              (theirs["module_id"],)).fetchall()
    assert row["title"] == "Their course" and [r[0] for r in placed] == [theirs["video_id"]]


@pytest.mark.parametrize("body, message", [
    ({}, "'title' is required"),
    ({"title": "   "}, "'title' must not be empty"),
    ({"title": 7}, "'title' must be text"),
    ({"title": "x" * 201}, "at most 200 characters"),
    ({"title": "x", "published": "yes"}, "'published' must be true or false"),
    ({"title": "x", "prerequisites": "1"}, "'prerequisites' must be a list"),
    ({"title": "x", "prerequisites": [31337]}, "No course 31337"),
    ({"title": "x", "description": "d" * 5001}, "at most 5000 characters"),
])
def test_create_refuses_bad_details(api, body, message):
    res = api("POST", "/api/courses", body)
    assert res.status_code == 400 and message in res.get_json()["error"]
    assert api("GET", "/api/courses").get_json() == []


def test_prerequisites_keep_order_and_refuse_loops(api):
    basics = api("POST", "/api/courses", {"title": "Basics"}).get_json()["id"]
    middle = api("POST", "/api/courses", {"title": "Middle", "prerequisites": [basics]}).get_json()["id"]
    top = api("POST", "/api/courses", {"title": "Top", "prerequisites": [middle, basics]}).get_json()
    assert top["prerequisites"] == [middle, basics]
    res = api("PUT", f"/api/courses/{basics}", {"prerequisites": [top["id"]]})
    assert res.status_code == 400 and "loop" in res.get_json()["error"]
    res = api("PUT", f"/api/courses/{basics}", {"prerequisites": [basics]})
    assert res.status_code == 400 and "its own prerequisite" in res.get_json()["error"]
    assert api("GET", f"/api/courses/{basics}").get_json()["prerequisites"] == []
    api("DELETE", f"/api/courses/{middle}")  # a deleted prerequisite drops out of the list
    assert api("GET", f"/api/courses/{top['id']}").get_json()["prerequisites"] == [basics]


def test_unknown_course_and_module_ids(api, lectures):
    c = make_course(api, lectures)
    assert api("GET", "/api/courses/999").get_json() == {"error": "No course 999.", "status": 404}
    assert api("POST", "/api/courses/999/modules", {"title": "x"}).status_code == 404
    res = api("PUT", f"/api/courses/{c['id']}/modules/999", {"title": "x"})
    assert res.status_code == 404 and res.get_json()["error"] == f"No module 999 in course {c['id']}."
    assert api("PUT", f"/api/courses/{c['id']}/modules/{c['a']}", {"video_ids": "all"}).status_code == 400
    assert api("PUT", f"/api/courses/{c['id']}/modules/{c['a']}", {"title": ""}).status_code == 400
    res = api.client.put(f"/api/courses/{c['id']}", data="not json", headers={"X-CSRF-Token": csrf(api.client)})
    assert res.status_code == 400 and res.get_json()["error"].startswith("The body is not valid JSON")


def test_deleting_a_video_takes_it_out_of_its_modules(api, lectures):
    c = make_course(api, lectures)
    assert api("DELETE", f"/api/videos/{lectures[1]}").status_code == 200
    assert shape(api, c["id"]) == [(c["a"], [lectures[0]]), (c["b"], [lectures[2]])]


# -- thumbnails -----------------------------------------------------------------------------------

def _upload(client, course_id: int, data: bytes, name: str = "cover.png"):
    return client.post(f"/api/courses/{course_id}/thumbnail", data={"file": (io.BytesIO(data), name)},
                       headers={"X-CSRF-Token": csrf(client)}, content_type="multipart/form-data")


def test_thumbnail_upload_is_checked_by_its_bytes(api, services):
    cid = api("POST", "/api/courses", {"title": "Pictures"}).get_json()["id"]
    folder = services.settings.media_dir / "course_thumbnails"
    res = _upload(api.client, cid, b"GIF89a" + b"\x00" * 32, "cover.png")
    assert res.status_code == 400 and res.get_json()["error"] == "That file is not a JPEG, PNG or WebP picture."
    res = _upload(api.client, cid, b"\xff\xd8\xff" + b"\x00" * (5 * 1024 * 1024), "huge.jpg")
    assert res.status_code == 413 and "larger than 5 MB" in res.get_json()["error"]
    assert not folder.exists() or list(folder.iterdir()) == []
    no_file = api.client.post(f"/api/courses/{cid}/thumbnail", headers={"X-CSRF-Token": csrf(api.client)})
    assert no_file.status_code == 400 and "multipart form field 'file'" in no_file.get_json()["error"]

    kinds = ((PNG, "a.png", "image/png"), (WEBP, "b.webp", "image/webp"), (JPEG, "c.txt", "image/jpeg"))
    for data, name, mime in kinds:
        res = _upload(api.client, cid, data, name)
        assert res.status_code == 200, res.get_json()
        url = res.get_json()["thumbnail_url"]
        served = api.client.get(url)
        assert served.status_code == 200 and served.mimetype == mime and served.data == data
        assert len(list(folder.iterdir())) == 1  # a replaced picture is removed from disk
    res = api("DELETE", f"/api/courses/{cid}/thumbnail")
    assert res.get_json()["thumbnail_url"] is None and list(folder.iterdir()) == []
    assert api.client.get(f"/media/courses/{cid}/thumbnail").status_code == 404
    _upload(api.client, cid, PNG)
    api("DELETE", f"/api/courses/{cid}")
    assert list(folder.iterdir()) == []  # deleting the course removes its picture


# -- what students see ----------------------------------------------------------------------------

def test_students_see_published_courses_and_ready_videos_only(app, api, services, lectures):
    pending = add_video(services, "silent.mp4", title="Still processing", status="transcribing")
    hidden = add_video(services, "silent.mp4", title="Unpublished", published=False)
    open_course = make_course(api, lectures, published=True)
    api("PUT", f"/api/courses/{open_course['id']}/modules/{open_course['b']}",
        {"video_ids": [lectures[2], pending, hidden]})
    draft = make_course(api, lectures)
    _upload(api.client, draft["id"], PNG)
    student, _ = student_client(app, services)
    listed = student.get("/api/courses").get_json()
    assert [c["id"] for c in listed] == [open_course["id"]]
    assert listed[0]["modules"][1]["video_ids"] == [lectures[2]]
    assert student.get(f"/api/courses/{open_course['id']}").get_json()["modules"][1]["video_ids"] == [lectures[2]]
    assert student.get(f"/api/courses/{draft['id']}").status_code == 404
    assert student.get(f"/media/courses/{draft['id']}/thumbnail").status_code == 404
    for path in (f"/learn/{draft['id']}", f"/learn/{draft['id']}/watch/{lectures[0]}",
                 f"/learn/{open_course['id']}/watch/{pending}", f"/api/courses/{draft['id']}/progress"):
        assert student.get(path).status_code == 404, path
    page = student.get("/learn").get_data(as_text=True)
    assert "Earth and life" in page and page.count('class="course-card"') == 1
    course_page = student.get(f"/learn/{open_course['id']}").get_data(as_text=True)
    assert "Still processing" not in course_page and "Unpublished" not in course_page
    # The owner's preview says what is hidden from students.
    preview = api.client.get(f"/learn/{open_course['id']}").get_data(as_text=True)
    assert "2 lectures are not shown" in preview
    # Students cannot change anything.
    h = {"X-CSRF-Token": "student-csrf"}
    assert student.post("/api/courses", json={"title": "x"}, headers=h).status_code == 403
    assert student.put(f"/api/courses/{open_course['id']}", json={"title": "x"}, headers=h).status_code == 403
    assert student.put(f"/api/courses/{open_course['id']}/order", json={"modules": []}, headers=h).status_code == 403
    assert student.delete(f"/api/courses/{open_course['id']}", headers=h).status_code == 403
    assert student.get("/courses").status_code == 403
    assert student.get(f"/courses/{open_course['id']}/edit").status_code == 403
    assert shape(api, open_course["id"])[0][1] == lectures[:2]


def test_catalog_search_and_topic_filter(app, api, services, lectures):
    make_course(api, lectures, published=True, topic="Biology", description="How leaves make sugar")
    api("POST", "/api/courses", {"title": "Money matters", "topic": "Finance", "published": True})
    api("POST", "/api/courses", {"title": "Secret draft", "topic": "Hidden", "published": False})
    student, _ = student_client(app, services)

    def titles(query: str) -> list[str]:
        html = student.get("/learn" + query).get_data(as_text=True)
        return [t for t in ("Earth and life", "Money matters", "Secret draft") if t in html]

    assert titles("") == ["Earth and life", "Money matters"]
    assert titles("?q=sugar") == ["Earth and life"]
    assert titles("?q=MONEY") == ["Money matters"]
    assert titles("?topic=Finance") == ["Money matters"]
    assert titles("?topic=Biology&q=money") == []
    html = student.get("/learn").get_data(as_text=True)
    assert '<option value="Biology"' in html and "Hidden" not in html
    assert "No courses match" in student.get("/learn?q=quantum").get_data(as_text=True)


def test_empty_states(app, owner_client, services):
    assert "No courses yet" in owner_client.get("/courses").get_data(as_text=True)
    student, _ = student_client(app, services)
    assert "No courses yet" in student.get("/learn").get_data(as_text=True)


# -- the chat in a course -------------------------------------------------------------------------

def test_chat_in_a_course_answers_from_that_course(app, api, services):
    leaves = add_video(services, "photosynthesis.mp4", status="pending")
    money = add_video(services, "interest.mp4", status="pending")
    assert process(services, leaves).status == "completed" and process(services, money).status == "completed"
    course = api("POST", "/api/courses", {"title": "Money", "published": True}).get_json()
    api("POST", f"/api/courses/{course['id']}/modules", {"title": "Interest", "video_ids": [money]})
    draft = api("POST", "/api/courses", {"title": "Draft"}).get_json()
    student, _ = student_client(app, services)
    h = {"X-CSRF-Token": "student-csrf"}

    inside = student.post("/api/chat", json={
        "message": "How long does it take to double money at eight percent interest?", "course_id": course["id"],
        "video_id": money}, headers=h).get_json()
    assert inside["citations"] and {c["video_id"] for c in inside["citations"]} == {money}
    outside = student.post("/api/chat", json={"message": "Which gas is released when water is split?",
                                               "course_id": course["id"]}, headers=h).get_json()
    assert all(c["video_id"] != leaves for c in outside["citations"])
    # The same question without a course finds the other lecture.
    free = student.post("/api/chat", json={"message": "Which gas is released when water is split?"},
                        headers=h).get_json()
    assert leaves in {c["video_id"] for c in free["citations"]}
    # A moment in the course focuses the question and is stored with it.
    moment = student.post("/api/chat", json={"message": "What does this part say?", "course_id": course["id"],
                                              "video_id": money, "at_s": 5}, headers=h).get_json()
    assert {c["video_id"] for c in moment["citations"]} <= {money}
    res = student.post("/api/chat", json={"message": "Hello?", "course_id": draft["id"]}, headers=h)
    assert res.status_code == 404 and res.get_json()["error"] == "That course does not exist."
    res = student.post("/api/chat", json={"message": "Hello?", "course_id": "x"}, headers=h)
    assert res.status_code == 400


def test_builder_page_carries_the_course_and_library(api, lectures):
    c = make_course(api, lectures)
    html = api.client.get(f"/courses/{c['id']}/edit").get_data(as_text=True)
    data = html.split('<script type="application/json" id="course-data">', 1)[1].split("</script>", 1)[0]
    assert [m["video_ids"] for m in json.loads(data)["modules"]] == [lectures[:2], lectures[2:]]
    assert "vendor/Sortable.min.js" in html
    assert api.client.get("/courses/999/edit").status_code == 404
