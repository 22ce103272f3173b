"""The owner's course builder pages and the courses JSON API."""
from __future__ import annotations

import os
import secrets
from pathlib import Path

from flask import Blueprint, abort, jsonify, render_template, request

from chronos.models import courses, videos
from chronos.models.courses import CourseError
from chronos.web import services
from chronos.web.identity import api_member_required, api_owner_required, owner_required, who

bp = Blueprint("courses", __name__)

THUMBNAIL_MAX_BYTES = 5 * 1024 * 1024
THUMBNAIL_DIR = "course_thumbnails"


def _error(message: str, status: int):
    return jsonify(error=message, status=status), status


# -- pages ----------------------------------------------------------------------------------------

@bp.get("/courses")
@owner_required
def page():
    """The owner's courses, with a form to start a new one."""
    with services().db.connection() as conn:
        found = courses.list_courses(conn, who().creator_id)
    return render_template("courses.html", courses=found)


@bp.get("/courses/<int:course_id>/edit")
@owner_required
def builder(course_id: int):
    """The drag-and-drop builder of one course."""
    creator_id = who().creator_id
    with services().db.connection() as conn:
        course = courses.get_course(conn, course_id, creator_id)
        if course is None:
            abort(404, "This course does not exist or was deleted.")
        library = [{"id": v.id, "title": v.title, "duration_s": v.duration_s, "status": v.status,
                    "visible": v.published and v.status == "completed"}
                   for v in videos.list_videos(conn, creator_id)]
        others = [{"id": c.id, "title": c.title} for c in courses.list_courses(conn, creator_id)
                  if c.id != course_id]
    return render_template("course_builder.html", course=course, course_json=course.to_json(),
                           library=library, other_courses=others)


# -- reading --------------------------------------------------------------------------------------

def _visible_course(conn, course_id: int) -> courses.Course | None:
    """The course as the caller may see it: all of it for the owner, published videos for students."""
    course = courses.get_course(conn, course_id, who().creator_id)
    if course is None or who().role == "owner":
        return course
    return course.for_students() if course.published else None


@bp.get("/api/courses")
@api_member_required
def list_courses():
    """The owner's courses, or the published ones for a student."""
    student = who().role == "student"
    with services().db.connection() as conn:
        found = courses.list_courses(conn, who().creator_id, published_only=student)
    return jsonify([(c.for_students() if student else c).to_json() for c in found])


@bp.get("/api/courses/<int:course_id>")
@api_member_required
def get_course(course_id: int):
    """One course with its modules in order."""
    with services().db.connection() as conn:
        course = _visible_course(conn, course_id)
    if course is None:
        return _error(f"No course {course_id}.", 404)
    return jsonify(course.to_json())


# -- writing --------------------------------------------------------------------------------------

def _body() -> dict:
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise CourseError("Send a JSON object.")
    return body


def _course_fields(body: dict, *, creating: bool) -> dict:
    """The course details in a request body, type-checked."""
    fields = {}
    for name in ("title", "description", "topic"):
        if name in body:
            if not isinstance(body[name], str):
                raise CourseError(f"'{name}' must be text.")
            fields[name] = body[name]
    if creating and "title" not in fields:
        raise CourseError("Give the course a 'title'.")
    if "published" in body:
        if not isinstance(body["published"], bool):
            raise CourseError("'published' must be true or false.")
        fields["published"] = body["published"]
    if "prerequisites" in body:
        fields["prerequisites"] = _ids(body["prerequisites"], "prerequisites")
    return fields


def _ids(value, name: str) -> list[int]:
    if not isinstance(value, list) or not all(isinstance(v, int) and not isinstance(v, bool) for v in value):
        raise CourseError(f"'{name}' must be a list of whole-number ids.")
    return value


def _handle(action):
    """Run a change, answering a CourseError with its message and status."""
    try:
        return action()
    except CourseError as exc:
        return _error(str(exc), exc.status)


@bp.post("/api/courses")
@api_owner_required
def create_course():
    """A new course: {title, description?, topic?, published?, prerequisites?}."""
    def act():
        fields = _course_fields(_body(), creating=True)
        with services().db.connection() as conn:
            return jsonify(courses.create_course(conn, who().creator_id, **fields).to_json()), 201
    return _handle(act)


@bp.put("/api/courses/<int:course_id>")
@api_owner_required
def update_course(course_id: int):
    """Change any of title, description, topic, published, prerequisites."""
    def act():
        fields = _course_fields(_body(), creating=False)
        with services().db.connection() as conn:
            return jsonify(courses.update_course(conn, course_id, who().creator_id, **fields).to_json())
    return _handle(act)


@bp.delete("/api/courses/<int:course_id>")
@api_owner_required
def delete_course(course_id: int):
    """Delete a course (its videos stay in the library)."""
    def act():
        with services().db.connection() as conn:
            old = courses.delete_course(conn, course_id, who().creator_id)
        _remove_file(old)
        return jsonify(deleted=course_id)
    return _handle(act)


def _module_fields(body: dict, *, creating: bool) -> dict:
    fields = {}
    for name in ("title", "description"):
        if name in body:
            if not isinstance(body[name], str):
                raise CourseError(f"'{name}' must be text.")
            fields[name] = body[name]
    if creating and "title" not in fields:
        raise CourseError("Give the module a 'title'.")
    if "video_ids" in body:
        fields["video_ids"] = _ids(body["video_ids"], "video_ids")
    return fields


@bp.post("/api/courses/<int:course_id>/modules")
@api_owner_required
def add_module(course_id: int):
    """A new module at the end: {title, description?, video_ids?}."""
    def act():
        fields = _module_fields(_body(), creating=True)
        with services().db.connection() as conn:
            return jsonify(courses.add_module(conn, course_id, who().creator_id, **fields).to_json()), 201
    return _handle(act)


@bp.put("/api/courses/<int:course_id>/modules/<int:module_id>")
@api_owner_required
def update_module(course_id: int, module_id: int):
    """Change a module's title, description or videos."""
    def act():
        fields = _module_fields(_body(), creating=False)
        with services().db.connection() as conn:
            return jsonify(courses.update_module(conn, course_id, who().creator_id, module_id, **fields).to_json())
    return _handle(act)


@bp.delete("/api/courses/<int:course_id>/modules/<int:module_id>")
@api_owner_required
def delete_module(course_id: int, module_id: int):
    """Remove a module; its videos stay in the library."""
    def act():
        with services().db.connection() as conn:
            courses.delete_module(conn, course_id, who().creator_id, module_id)
        return jsonify(deleted=module_id)
    return _handle(act)


@bp.put("/api/courses/<int:course_id>/order")
@api_owner_required
def set_order(course_id: int):
    """The whole order in one call: {"modules": [{"id", "video_ids": [...]}, ...]}."""
    def act():
        body = _body()
        entries = body.get("modules")
        if not isinstance(entries, list):
            raise CourseError("Send {\"modules\": [{\"id\": …, \"video_ids\": […]}, …]}.")
        layout = []
        for entry in entries:
            if not isinstance(entry, dict) or not isinstance(entry.get("id"), int) or isinstance(entry["id"], bool):
                raise CourseError("Each module needs its whole-number 'id'.")
            layout.append((entry["id"], _ids(entry.get("video_ids", []), "video_ids")))
        with services().db.connection() as conn:
            return jsonify(courses.set_order(conn, course_id, who().creator_id, layout).to_json())
    return _handle(act)


# -- thumbnails -----------------------------------------------------------------------------------

IMAGE_TYPES = {"jpg": (b"\xff\xd8\xff",), "png": (b"\x89PNG\r\n\x1a\n",)}


def image_kind(head: bytes) -> str | None:
    """jpg, png or webp from a file's first bytes (its name and declared type are not trusted)."""
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "webp"
    return next((kind for kind, magics in IMAGE_TYPES.items() if head.startswith(magics)), None)


@bp.post("/api/courses/<int:course_id>/thumbnail")
@api_owner_required
def upload_thumbnail(course_id: int):
    """Set the course's picture: multipart field 'file', a JPEG, PNG or WebP up to 5 MB."""
    with services().db.connection() as conn:
        if courses.get_course(conn, course_id, who().creator_id) is None:
            return _error(f"No course {course_id}.", 404)
    upload = request.files.get("file")
    if upload is None:
        return _error("Attach the picture as multipart form field 'file'.", 400)
    data = upload.stream.read(THUMBNAIL_MAX_BYTES + 1)
    if len(data) > THUMBNAIL_MAX_BYTES:
        return _error("The picture is larger than 5 MB. Choose a smaller one.", 413)
    kind = image_kind(data[:16])
    if kind is None:
        return _error("That file is not a JPEG, PNG or WebP picture.", 400)
    media = services().settings.media_dir
    relative = f"{THUMBNAIL_DIR}/{course_id}-{secrets.token_hex(6)}.{kind}"
    (media / THUMBNAIL_DIR).mkdir(parents=True, exist_ok=True)
    partial = media / (relative + ".part")
    partial.write_bytes(data)
    os.replace(partial, media / relative)  # readers never see half a file
    try:
        with services().db.connection() as conn:
            old = courses.set_thumbnail(conn, course_id, who().creator_id, relative)
            course = courses.get_course(conn, course_id, who().creator_id)
    except CourseError as exc:  # deleted meanwhile
        _remove_file(relative)
        return _error(str(exc), exc.status)
    _remove_file(old)
    return jsonify(course.to_json())


@bp.delete("/api/courses/<int:course_id>/thumbnail")
@api_owner_required
def delete_thumbnail(course_id: int):
    """Remove the course's picture."""
    def act():
        with services().db.connection() as conn:
            old = courses.set_thumbnail(conn, course_id, who().creator_id, None)
            course = courses.get_course(conn, course_id, who().creator_id)
        _remove_file(old)
        return jsonify(course.to_json())
    return _handle(act)


def thumbnail_file(course: courses.Course) -> Path | None:
    """Where a course's picture is stored, if it has one on disk."""
    if not course.thumbnail_path:
        return None
    path = services().settings.media_dir / course.thumbnail_path
    return path if path.exists() else None


def _remove_file(relative: str | None) -> None:
    if relative:
        (services().settings.media_dir / relative).unlink(missing_ok=True)
