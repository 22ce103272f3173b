"""The owner's course builder pages and the courses JSON API."""
from __future__ import annotations

from typing import Annotated, Literal

from flask import Blueprint, abort, jsonify, render_template, request
from pydantic import Field

from chronos.config import TUTOR_MODES
from chronos.models import courses, videos
from chronos.models.states import Role
from chronos.operations import courses as course_ops
from chronos.web import services
from chronos.web.identity import api_member_required, api_owner_required, owner_required, who
from chronos.web.schemas import Body, Id, Text, accepts

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

Ids = list[Id]  # a list of videos or courses, in order


class CourseDetails(Body):
    """A course's details; on a change, only the fields sent are changed."""

    EXAMPLE = {"title": "Rivers of the world", "description": "Ten short lectures.", "topic": "Geography",
               "published": False, "prerequisites": [], "tutor_mode": "answer"}
    title: Text(courses.TITLE_MAX, min_length=1) = None
    description: Text(courses.DESCRIPTION_MAX, multiline=True) = None
    topic: Text(courses.TOPIC_MAX) = None
    published: bool = None
    prerequisites: Annotated[Ids, Field(max_length=100)] = None
    # "answer": the tutor answers; "hint": it only points to the moments to rewatch and asks a guiding question.
    tutor_mode: Literal[TUTOR_MODES] = None


class NewCourse(CourseDetails):
    title: Text(courses.TITLE_MAX, min_length=1)


class ModuleDetails(Body):
    """A module's details; on a change, only the fields sent are changed."""

    EXAMPLE = {"title": "The Amazon", "description": "", "video_ids": [1, 2]}
    title: Text(courses.TITLE_MAX, min_length=1) = None
    description: Text(courses.DESCRIPTION_MAX, multiline=True) = None
    video_ids: Annotated[Ids, Field(max_length=1000)] = None


class NewModule(ModuleDetails):
    title: Text(courses.TITLE_MAX, min_length=1)


class PlacedModule(Body):
    id: Id
    video_ids: Annotated[Ids, Field(max_length=1000)] = []


class Order(Body):
    """Every module of the course in its new order, each with its videos in order."""

    EXAMPLE = {"modules": [{"id": 2, "video_ids": [3, 1]}, {"id": 1, "video_ids": [2]}]}
    modules: Annotated[list[PlacedModule], Field(max_length=1000)]


@bp.post("/api/courses")
@api_owner_required
@accepts(NewCourse)
def create_course(body: NewCourse):
    """A new course: {title, description?, topic?, published?, prerequisites?}."""
    return jsonify(course_ops.create_course(services(), who().creator_id, **body.given()).to_json()), 201


@bp.put("/api/courses/<int:course_id>")
@api_owner_required
@accepts(CourseDetails)
def update_course(course_id: int, body: CourseDetails):
    """Change any of title, description, topic, published, prerequisites, tutor_mode."""
    return jsonify(course_ops.update_course(services(), who().creator_id, course_id, **body.given()).to_json())


@bp.delete("/api/courses/<int:course_id>")
@api_owner_required
def delete_course(course_id: int):
    """Delete a course (its videos stay in the library)."""
    course_ops.delete_course(services(), who().creator_id, course_id)
    return jsonify(deleted=course_id)


@bp.post("/api/courses/<int:course_id>/modules")
@api_owner_required
@accepts(NewModule)
def add_module(course_id: int, body: NewModule):
    """A new module at the end: {title, description?, video_ids?}."""
    return jsonify(course_ops.add_module(services(), who().creator_id, course_id, **body.given()).to_json()), 201


@bp.put("/api/courses/<int:course_id>/modules/<int:module_id>")
@api_owner_required
@accepts(ModuleDetails)
def update_module(course_id: int, module_id: int, body: ModuleDetails):
    """Change a module's title, description or videos."""
    return jsonify(course_ops.update_module(services(), who().creator_id, course_id, module_id,
                                            **body.given()).to_json())


@bp.delete("/api/courses/<int:course_id>/modules/<int:module_id>")
@api_owner_required
def delete_module(course_id: int, module_id: int):
    """Remove a module; its videos stay in the library."""
    course_ops.delete_module(services(), who().creator_id, course_id, module_id)
    return jsonify(deleted=module_id)


@bp.put("/api/courses/<int:course_id>/order")
@api_owner_required
@accepts(Order)
def set_order(course_id: int, body: Order):
    """The whole order in one call: {"modules": [{"id", "video_ids": [...]}, ...]}."""
    layout = [(m.id, m.video_ids) for m in body.modules]
    return jsonify(course_ops.set_order(services(), who().creator_id, course_id, layout).to_json())


# -- thumbnails -----------------------------------------------------------------------------------

@bp.post("/api/courses/<int:course_id>/thumbnail")
@api_owner_required
@accepts(files=("file",))
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
