"""Course operations: create, change, delete and order courses and modules; the course picture."""
from __future__ import annotations

import os
import secrets
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

from chronos.db import Connection
from chronos.models import courses
from chronos.models.courses import CourseError
from chronos.operations import OperationError

if TYPE_CHECKING:
    from chronos.services import Services

THUMBNAIL_MAX_BYTES = 5 * 1024 * 1024
THUMBNAIL_DIR = "course_thumbnails"
IMAGE_TYPES = {"jpg": (b"\xff\xd8\xff",), "png": (b"\x89PNG\r\n\x1a\n",)}


@contextmanager
def _refused() -> Iterator[None]:
    """A change the course model refuses becomes an OperationError with its message and status."""
    try:
        yield
    except CourseError as exc:
        raise OperationError(str(exc), exc.status) from None


def course_for(conn: Connection, creator_id: int, course_id: int, *, student: bool) -> courses.Course:
    """The course as the asker may see it (students: published, watchable videos), or 404."""
    course = courses.get_course(conn, course_id, creator_id)
    if course is None or (student and not course.published):
        raise OperationError(f"No course {course_id}.", 404)
    return course.for_students() if student else course


def create_course(sv: Services, creator_id: int, **fields) -> courses.Course:
    """A new course: title, description?, topic?, published?, prerequisites?, tutor_mode?."""
    with _refused(), sv.db.connection() as conn:
        return courses.create_course(conn, creator_id, **fields)


def update_course(sv: Services, creator_id: int, course_id: int, **fields) -> courses.Course:
    """Change any of a course's title, description, topic, published, prerequisites, tutor_mode."""
    with _refused(), sv.db.connection() as conn:
        return courses.update_course(conn, course_id, creator_id, **fields)


def delete_course(sv: Services, creator_id: int, course_id: int) -> None:
    """Delete a course and its picture (its videos stay in the library)."""
    with _refused(), sv.db.connection() as conn:
        old = courses.delete_course(conn, course_id, creator_id)
    _remove_file(sv, old)


def add_module(sv: Services, creator_id: int, course_id: int, **fields) -> courses.Module:
    """A new module at the end of a course: title, description?, video_ids?."""
    with _refused(), sv.db.connection() as conn:
        return courses.add_module(conn, course_id, creator_id, **fields)


def update_module(sv: Services, creator_id: int, course_id: int, module_id: int, **fields) -> courses.Module:
    """Change a module's title, description or videos."""
    with _refused(), sv.db.connection() as conn:
        return courses.update_module(conn, course_id, creator_id, module_id, **fields)


def delete_module(sv: Services, creator_id: int, course_id: int, module_id: int) -> None:
    """Remove a module; its videos stay in the library."""
    with _refused(), sv.db.connection() as conn:
        courses.delete_module(conn, course_id, creator_id, module_id)


def set_order(sv: Services, creator_id: int, course_id: int,
              layout: Sequence[tuple[int, Sequence[int]]]) -> courses.Course:
    """The order of every module and the videos in each, all at once or not at all."""
    with _refused(), sv.db.connection() as conn:
        return courses.set_order(conn, course_id, creator_id, layout)


def image_kind(head: bytes) -> str | None:
    """jpg, png or webp from a file's first bytes (its name and declared type are not trusted)."""
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "webp"
    return next((kind for kind, magics in IMAGE_TYPES.items() if head.startswith(magics)), None)


def set_thumbnail(sv: Services, creator_id: int, course_id: int, picture: BinaryIO | None) -> courses.Course:
    """Set the course's picture from a JPEG, PNG or WebP of up to 5 MB; the old one is removed."""
    with sv.db.connection() as conn:
        if courses.get_course(conn, course_id, creator_id) is None:
            raise OperationError(f"No course {course_id}.", 404)
    if picture is None:
        raise OperationError("Attach the picture as multipart form field 'file'.", 400)
    data = picture.read(THUMBNAIL_MAX_BYTES + 1)
    if len(data) > THUMBNAIL_MAX_BYTES:
        raise OperationError("The picture is larger than 5 MB. Choose a smaller one.", 413)
    kind = image_kind(data[:16])
    if kind is None:
        raise OperationError("That file is not a JPEG, PNG or WebP picture.", 400)
    media = sv.settings.media_dir
    relative = f"{THUMBNAIL_DIR}/{course_id}-{secrets.token_hex(6)}.{kind}"
    (media / THUMBNAIL_DIR).mkdir(parents=True, exist_ok=True)
    partial = media / (relative + ".part")
    partial.write_bytes(data)
    os.replace(partial, media / relative)  # readers never see half a file
    try:
        with _refused(), sv.db.connection() as conn:
            old = courses.set_thumbnail(conn, course_id, creator_id, relative)
            course = courses.get_course(conn, course_id, creator_id)
    except OperationError:  # the course was deleted meanwhile
        _remove_file(sv, relative)
        raise
    _remove_file(sv, old)
    return course


def remove_thumbnail(sv: Services, creator_id: int, course_id: int) -> courses.Course:
    """Remove the course's picture."""
    with _refused(), sv.db.connection() as conn:
        old = courses.set_thumbnail(conn, course_id, creator_id, None)
        course = courses.get_course(conn, course_id, creator_id)
    _remove_file(sv, old)
    return course


def thumbnail_file(media_dir: Path, course: courses.Course) -> Path | None:
    """Where a course's picture is stored, if it has one on disk."""
    if not course.thumbnail_path:
        return None
    path = media_dir / course.thumbnail_path
    return path if path.exists() else None


def _remove_file(sv: Services, relative: str | None) -> None:
    if relative:
        (sv.settings.media_dir / relative).unlink(missing_ok=True)
