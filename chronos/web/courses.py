"""The owner's course builder pages and the courses JSON API."""
from __future__ import annotations

from flask import Blueprint, abort, jsonify, render_template, request

from chronos.config import TUTOR_MODES
from chronos.models import courses, videos
from chronos.models.states import Role
from chronos.operations import OperationError
from chronos.operations import courses as course_ops
from chronos.web import services
from chronos.web.identity import api_member_required, api_owner_required, owner_required, who

bp = Blueprint("courses", __name__)


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
                    "visible": v.visible_to_students}
                   for v in videos.list_videos(conn, creator_id)]
        others = [{"id": c.id, "title": c.title} for c in courses.list_courses(conn, creator_id)
                  if c.id != course_id]
    return render_template("course_builder.html", course=course, course_json=course.to_json(),
                           library=library, other_courses=others)


# -- reading --------------------------------------------------------------------------------------

@bp.get("/api/courses")
@api_member_required
def list_courses():
    """The owner's courses, or the published ones for a student."""
    student = who().role == Role.STUDENT
    with services().db.connection() as conn:
        found = courses.list_courses(conn, who().creator_id, published_only=student)
    return jsonify([(c.for_students() if student else c).to_json() for c in found])


@bp.get("/api/courses/<int:course_id>")
@api_member_required
def get_course(course_id: int):
    """One course with its modules in order."""
    with services().db.connection() as conn:
        course = course_ops.course_for(conn, who().creator_id, course_id, student=who().role == Role.STUDENT)
    return jsonify(course.to_json())


# -- writing --------------------------------------------------------------------------------------

def _body() -> dict:
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise OperationError("Send a JSON object.")
    return body


def _text_fields(body: dict, names: tuple[str, ...]) -> dict:
    fields = {}
    for name in names:
        if name in body:
            if not isinstance(body[name], str):
                raise OperationError(f"'{name}' must be text.")
            fields[name] = body[name]
    return fields


def _course_fields(body: dict, *, creating: bool) -> dict:
    """The course details in a request body, type-checked."""
    fields = _text_fields(body, ("title", "description", "topic"))
    if creating and "title" not in fields:
        raise OperationError("Give the course a 'title'.")
    if "published" in body:
        if not isinstance(body["published"], bool):
            raise OperationError("'published' must be true or false.")
        fields["published"] = body["published"]
    if "prerequisites" in body:
        fields["prerequisites"] = _ids(body["prerequisites"], "prerequisites")
    if "tutor_mode" in body:
        if not isinstance(body["tutor_mode"], str) or body["tutor_mode"] not in TUTOR_MODES:
            raise OperationError("'tutor_mode' must be \"answer\" (the tutor answers) or \"hint\" (it only"
                                 " points to the moments to rewatch and asks a guiding question).")
        fields["tutor_mode"] = body["tutor_mode"]
    return fields


def _module_fields(body: dict, *, creating: bool) -> dict:
    fields = _text_fields(body, ("title", "description"))
    if creating and "title" not in fields:
        raise OperationError("Give the module a 'title'.")
    if "video_ids" in body:
        fields["video_ids"] = _ids(body["video_ids"], "video_ids")
    return fields


def _ids(value, name: str) -> list[int]:
    if not isinstance(value, list) or not all(isinstance(v, int) and not isinstance(v, bool) for v in value):
        raise OperationError(f"'{name}' must be a list of whole-number ids.")
    return value


@bp.post("/api/courses")
@api_owner_required
def create_course():
    """A new course: {title, description?, topic?, published?, prerequisites?}."""
    fields = _course_fields(_body(), creating=True)
    return jsonify(course_ops.create_course(services(), who().creator_id, **fields).to_json()), 201


@bp.put("/api/courses/<int:course_id>")
@api_owner_required
def update_course(course_id: int):
    """Change any of title, description, topic, published, prerequisites, tutor_mode."""
    fields = _course_fields(_body(), creating=False)
    return jsonify(course_ops.update_course(services(), who().creator_id, course_id, **fields).to_json())


@bp.delete("/api/courses/<int:course_id>")
@api_owner_required
def delete_course(course_id: int):
    """Delete a course (its videos stay in the library)."""
    course_ops.delete_course(services(), who().creator_id, course_id)
    return jsonify(deleted=course_id)


@bp.post("/api/courses/<int:course_id>/modules")
@api_owner_required
def add_module(course_id: int):
    """A new module at the end: {title, description?, video_ids?}."""
    fields = _module_fields(_body(), creating=True)
    return jsonify(course_ops.add_module(services(), who().creator_id, course_id, **fields).to_json()), 201


@bp.put("/api/courses/<int:course_id>/modules/<int:module_id>")
@api_owner_required
def update_module(course_id: int, module_id: int):
    """Change a module's title, description or videos."""
    fields = _module_fields(_body(), creating=False)
    return jsonify(course_ops.update_module(services(), who().creator_id, course_id, module_id,
                                            **fields).to_json())


@bp.delete("/api/courses/<int:course_id>/modules/<int:module_id>")
@api_owner_required
def delete_module(course_id: int, module_id: int):
    """Remove a module; its videos stay in the library."""
    course_ops.delete_module(services(), who().creator_id, course_id, module_id)
    return jsonify(deleted=module_id)


@bp.put("/api/courses/<int:course_id>/order")
@api_owner_required
def set_order(course_id: int):
    """The whole order in one call: {"modules": [{"id", "video_ids": [...]}, ...]}."""
    entries = _body().get("modules")
    if not isinstance(entries, list):
        raise OperationError("Send {\"modules\": [{\"id\": …, \"video_ids\": […]}, …]}.")
    layout = []
    for entry in entries:
        if not isinstance(entry, dict) or not isinstance(entry.get("id"), int) or isinstance(entry["id"], bool):
            raise OperationError("Each module needs its whole-number 'id'.")
        layout.append((entry["id"], _ids(entry.get("video_ids", []), "video_ids")))
    return jsonify(course_ops.set_order(services(), who().creator_id, course_id, layout).to_json())


# -- thumbnails -----------------------------------------------------------------------------------

@bp.post("/api/courses/<int:course_id>/thumbnail")
@api_owner_required
def upload_thumbnail(course_id: int):
    """Set the course's picture: multipart field 'file', a JPEG, PNG or WebP up to 5 MB."""
    upload = request.files.get("file")
    course = course_ops.set_thumbnail(services(), who().creator_id, course_id,
                                      upload.stream if upload is not None else None)
    return jsonify(course.to_json())


@bp.delete("/api/courses/<int:course_id>/thumbnail")
@api_owner_required
def delete_thumbnail(course_id: int):
    """Remove the course's picture."""
    return jsonify(course_ops.remove_thumbnail(services(), who().creator_id, course_id).to_json())
