"""Learning operations: a student's watch heartbeats and marking a video complete."""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

from chronos.db import Connection
from chronos.models import activity, courses, progress, videos
from chronos.models.states import LiveKind
from chronos.operations import OperationError

if TYPE_CHECKING:
    from chronos.services import Services


@dataclass(frozen=True)
class Watched:
    """What a heartbeat or a mark-complete recorded: the video's progress and the course's."""
    video: progress.VideoProgress
    course: progress.CourseProgress | None
    credited_s: float | None = None
    newly_completed: bool | None = None

    def to_json(self) -> dict:
        extra = {} if self.credited_s is None else {"credited_s": self.credited_s,
                                                    "newly_completed": self.newly_completed}
        return {"video": self.video.to_json(), "course": self.course.to_json() if self.course else None} | extra


@dataclass(frozen=True)
class Where:
    """The video a heartbeat is about, and the course and module it was watched in, checked."""
    video_id: int
    course: courses.Course | None
    module_id: int | None

    @property
    def course_id(self) -> int | None:
        return self.course.id if self.course else None


def course_summary(conn: Connection, student_id: int | None, course: courses.Course) -> progress.CourseProgress:
    """The student's progress through a course as students see it."""
    return progress.course_progress(conn, student_id, course.id, [v.video_id for v in course.videos])


def _where(conn: Connection, creator_id: int, video_id: int, course_id: int | None,
           module_id: int | None) -> Where:
    video = videos.get_video(conn, video_id, creator_id=creator_id)
    if video is None or not video.visible_to_students:
        raise OperationError(f"No video {video_id}.", 404)
    if course_id is None:
        return Where(video_id, None, module_id)
    whole = courses.get_course(conn, course_id, creator_id)
    if whole is None or not whole.published:
        raise OperationError(f"No course {course_id}.", 404)
    course = whole.for_students()
    homes = [m.id for m in course.modules if video_id in m.video_ids]
    if not homes:
        raise OperationError(f"Video {video_id} is not part of course {course_id}.")
    return Where(video_id, course, module_id if module_id in homes else homes[0])


def heartbeat(sv: Services, creator_id: int, student_id: int, *, video_id: int, position_s: float,
              watched_s: float, from_s: float | None = None, course_id: int | None = None,
              module_id: int | None = None) -> Watched:
    """Record a few seconds of a student's watching, and tell the creator's dashboards."""
    for name, seconds in (("position_s", position_s), ("watched_s", watched_s), ("from_s", from_s)):
        if seconds is not None and not (math.isfinite(seconds) and seconds >= 0):
            raise OperationError(f"'{name}' must be a number of seconds, zero or more.")
    with sv.db.connection() as conn:
        where = _where(conn, creator_id, video_id, course_id, module_id)
    # The read-modify-write runs on the writer's thread, batched with the class's other heartbeats.
    beat = sv.writer.call(lambda w: progress.record_heartbeat(
        w, student_id, video_id, position_s=position_s, watched_s=watched_s, from_s=from_s,
        course_id=where.course_id, module_id=where.module_id))
    activity.announce(sv.bus.publish, creator_id, beat.kind)
    with sv.db.connection() as conn:
        return Watched(beat.progress, where.course and course_summary(conn, student_id, where.course),
                       beat.credited_s, beat.newly_completed)


def mark_complete(sv: Services, creator_id: int, student_id: int, *, video_id: int,
                  course_id: int | None = None, module_id: int | None = None) -> Watched:
    """The student marks a video as done."""
    with sv.db.connection() as conn:
        where = _where(conn, creator_id, video_id, course_id, module_id)
    done = sv.writer.call(lambda w: progress.mark_complete(w, student_id, video_id, course_id=where.course_id,
                                                           module_id=where.module_id))
    activity.announce(sv.bus.publish, creator_id, LiveKind.COMPLETION)
    with sv.db.connection() as conn:
        return Watched(done, where.course and course_summary(conn, student_id, where.course))
