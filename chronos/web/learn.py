"""The student side of courses: the catalog, a course's page, the course player and watch heartbeats.

The owner sees these pages as a preview of what students see (drafts included); the owner's
watching is not recorded.
"""
from __future__ import annotations

from dataclasses import dataclass

from flask import Blueprint, abort, jsonify, render_template, request, send_file

from chronos import languages
from chronos.models import courses, progress
from chronos.models.states import Role
from chronos.operations import courses as course_ops
from chronos.operations import progress as progress_ops
from chronos.web import services
from chronos.web.identity import api_member_required, member_required, who
from chronos.web.schemas import Body, Id, Seconds, accepts

bp = Blueprint("learn", __name__)
MIME = {"jpg": "image/jpeg", "png": "image/png", "webp": "image/webp"}


@dataclass(frozen=True)
class Step:
    """One place in a course's sequence: a video in a module."""
    module_id: int
    video: courses.CourseVideo


def _student_id() -> int | None:
    return who().student.id if who().role == Role.STUDENT else None


def _course_or_404(conn, course_id: int) -> tuple[courses.Course, courses.Course]:
    """(the course as students see it, the whole course); students only reach published ones."""
    whole = courses.get_course(conn, course_id, who().creator_id)
    if whole is None or (who().role == Role.STUDENT and not whole.published):
        abort(404, "This course does not exist or is not open yet.")
    return whole.for_students(), whole


def steps(course: courses.Course) -> list[Step]:
    """The course in watching order."""
    return [Step(m.id, v) for m in course.modules for v in m.videos]


def next_up(course: courses.Course, done: dict[int, progress.VideoProgress],
            place: progress.CourseProgress) -> Step | None:
    """Where Start or Continue leads: the last video watched if unfinished, else the next unfinished one."""
    sequence = steps(course)
    if not sequence:
        return None
    finished = {vid for vid, p in done.items() if p.completed}
    seen = [i for i, s in enumerate(sequence) if s.video.video_id == place.last_video_id]
    last = next((i for i in seen if sequence[i].module_id == place.last_module_id), seen[0] if seen else None)
    if last is not None and sequence[last].video.video_id not in finished:
        return sequence[last]
    rotated = sequence[last or 0:] + sequence[:last or 0]
    return next((s for s in rotated if s.video.video_id not in finished), sequence[0])


def _summary(conn, course: courses.Course) -> progress.CourseProgress:
    return progress_ops.course_summary(conn, _student_id(), course)


def _done(conn, course: courses.Course) -> dict[int, progress.VideoProgress]:
    """The student's progress in each video of the course (nothing for the owner's preview)."""
    student_id = _student_id()
    if student_id is None:
        return {}
    return progress.video_progress(conn, student_id, [v.video_id for v in course.videos])


# -- pages ----------------------------------------------------------------------------------------

@bp.get("/learn")
@member_required
def catalog():
    """Published courses as cards with the student's progress; ?q= searches, ?topic= filters."""
    query, topic = request.args.get("q", "").strip(), request.args.get("topic", "").strip()
    with services().db.connection() as conn:
        published = [c.for_students() for c in courses.list_courses(conn, who().creator_id, published_only=True)]
        topics = sorted({c.topic for c in published if c.topic}, key=str.lower)
        shown = [c for c in published if (not topic or c.topic == topic) and
                 (not query or query.lower() in f"{c.title}\n{c.description}\n{c.topic}".lower())]
        cards = [(c, _summary(conn, c)) for c in shown]
    return render_template("learn_catalog.html", cards=cards, topics=topics, query=query, topic=topic,
                           total=len(published), is_owner=who().role == Role.OWNER)


@bp.get("/learn/<int:course_id>")
@member_required
def course_page(course_id: int):
    """A course: what it covers, its modules with the student's progress, and Start or Continue."""
    with services().db.connection() as conn:
        course, whole = _course_or_404(conn, course_id)
        done = _done(conn, course)
        place = _summary(conn, course)
        needs = []
        for pid in course.prerequisites:
            before = courses.get_course(conn, pid, who().creator_id)
            if before and (before.published or who().role == Role.OWNER):
                needs.append((before, _summary(conn, before.for_students())))
    return render_template("learn_course.html", course=course, done=done, place=place,
                           target=next_up(course, done, place), prerequisites=needs,
                           hidden=len(whole.videos) - len(course.videos), is_owner=who().role == Role.OWNER)


@bp.get("/learn/<int:course_id>/watch/<int:video_id>")
@member_required
def player(course_id: int, video_id: int):
    """The course player: the video, the course's modules, Next, Mark complete, and the chat."""
    with services().db.connection() as conn:
        course, _ = _course_or_404(conn, course_id)
        sequence = steps(course)
        module_id = request.args.get("module", type=int)
        here = next((s for s in sequence if s.video.video_id == video_id and s.module_id == module_id), None) \
            or next((s for s in sequence if s.video.video_id == video_id), None)
        if here is None:
            abort(404, "This video is not part of the course, or is not ready yet.")
        done = _done(conn, course)
        place = _summary(conn, course)
    state = _player_state(course, here, done, place)
    return render_template("learn_player.html", course=course, here=here, state=state, done=done,
                           place=place, is_owner=who().role == Role.OWNER,
                           default_mode=services().settings.tutor_mode)


def _player_state(course: courses.Course, here: Step, done: dict[int, progress.VideoProgress],
                  place: progress.CourseProgress) -> dict:
    """What the player script needs: the sequence, where each video was left, and where we are."""
    def video(v: courses.CourseVideo) -> dict:
        mine = done.get(v.video_id)
        return {"id": v.video_id, "title": v.title, "duration_s": v.duration_s,
                "poster": f"/media/thumbnails/{v.video_id}" if v.thumbnail_path else None,
                "language": v.language or "en", "language_name": languages.NATIVE.get(v.language, v.language or "English"),
                "completed": bool(mine and mine.completed), "position_s": mine.position_s if mine else 0}

    return {"course_id": course.id, "preview": who().role == Role.OWNER, "progress": place.to_json(),
            "current": {"module_id": here.module_id, "video_id": here.video.video_id},
            "modules": [{"id": m.id, "title": m.title, "videos": [video(v) for v in m.videos]}
                        for m in course.modules]}


@bp.get("/media/courses/<int:course_id>/thumbnail")
@member_required
def thumbnail(course_id: int):
    """A course's picture."""
    with services().db.connection() as conn:
        course, _ = _course_or_404(conn, course_id)
    path = course_ops.thumbnail_file(services().settings.media_dir, course)
    if path is None:
        abort(404)
    return send_file(path, mimetype=MIME.get(path.suffix.lstrip("."), "application/octet-stream"))


# -- progress API ---------------------------------------------------------------------------------

class Watched(Body):
    """Which video, and the course and module it was watched in (JSON, or a form: sendBeacon)."""

    EXAMPLE = {"video_id": 3, "course_id": 1, "module_id": 2}
    video_id: Id
    course_id: Id | None = None
    module_id: Id | None = None


class Heartbeat(Watched):
    """Where the player is, and how much was watched since the last heartbeat (from `from_s`)."""

    EXAMPLE = {"video_id": 3, "position_s": 95.5, "watched_s": 10.0, "from_s": 85.5, "course_id": 1, "module_id": 2}
    position_s: Seconds
    watched_s: Seconds
    from_s: Seconds | None = None


def _place(body: Watched) -> dict:
    return {"video_id": body.video_id, "course_id": body.course_id, "module_id": body.module_id}


@bp.post("/api/progress")
@api_member_required
@accepts(Heartbeat, form=True)
def heartbeat(body: Heartbeat):
    """{video_id, position_s, watched_s, from_s?, course_id?, module_id?} every few seconds of watching."""
    if who().role != Role.STUDENT:
        return "", 204  # the owner previewing: nothing to record
    watched = progress_ops.heartbeat(services(), who().creator_id, _student_id(), **_place(body),
                                     position_s=body.position_s, watched_s=body.watched_s, from_s=body.from_s)
    return jsonify(watched.to_json())


@bp.post("/api/progress/complete")
@api_member_required
@accepts(Watched, form=True)
def mark_complete(body: Watched):
    """{video_id, course_id?, module_id?}: the student marks a video as done."""
    if who().role != Role.STUDENT:
        return "", 204
    return jsonify(progress_ops.mark_complete(services(), who().creator_id, _student_id(), **_place(body)).to_json())


@bp.get("/api/courses/<int:course_id>/progress")
@api_member_required
def course_progress(course_id: int):
    """The caller's progress through a course, video by video (all zero for the owner's preview)."""
    with services().db.connection() as conn:
        whole = course_ops.course_for(conn, who().creator_id, course_id, student=who().role == Role.STUDENT)
        course = whole.for_students()
        done = _done(conn, course)
        return jsonify({"course": _summary(conn, course).to_json(), "preview": who().role == Role.OWNER,
                        "videos": [done[v.video_id].to_json() if v.video_id in done else
                                   progress.VideoProgress(v.video_id, 0, 0, 0, False, None).to_json()
                                   for v in course.videos]})
