"""Courses: a creator's videos arranged into ordered modules, with topic, thumbnail and prerequisites."""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

from chronos.config import TUTOR_MODES
from chronos.db import Connection, transaction
from chronos.timefmt import iso_utc
from chronos.models.visibility import visible_to_students

TITLE_MAX, DESCRIPTION_MAX, TOPIC_MAX = 200, 5000, 60


class CourseError(ValueError):
    """A change to a course that cannot be made as asked; `status` is the HTTP status to answer with."""

    def __init__(self, message: str, status: int = 400):
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class CourseVideo:
    """A video as it sits in a module."""
    video_id: int
    title: str
    duration_s: float | None
    status: str
    published: bool
    has_video: bool
    thumbnail_path: str | None
    available_at: str | None = None
    language: str | None = None  # what its transcript (and so its captions) is in

    @property
    def visible(self) -> bool:
        """Whether students may watch it (models/visibility.py)."""
        return visible_to_students(self.published, self.available_at)


@dataclass(frozen=True)
class Module:
    id: int
    course_id: int
    title: str
    description: str
    videos: tuple[CourseVideo, ...]

    @property
    def video_ids(self) -> list[int]:
        return [v.video_id for v in self.videos]

    def to_json(self) -> dict:
        return {"id": self.id, "title": self.title, "description": self.description,
                "video_ids": self.video_ids,
                "videos": [{"id": v.video_id, "title": v.title, "duration_s": v.duration_s,
                            "status": v.status, "visible": v.visible} for v in self.videos]}


@dataclass(frozen=True)
class Course:
    id: int
    creator_id: int
    title: str
    description: str
    topic: str
    published: bool
    thumbnail_path: str | None
    prerequisites: tuple[int, ...]
    modules: tuple[Module, ...]
    created_at: str
    updated_at: str
    tutor_mode: str = "answer"  # one of config.TUTOR_MODES: its tutor answers, or only gives hints

    @property
    def videos(self) -> list[CourseVideo]:
        """Each video of the course once, in course order."""
        seen: dict[int, CourseVideo] = {}
        for m in self.modules:
            for v in m.videos:
                seen.setdefault(v.video_id, v)
        return list(seen.values())

    @property
    def estimated_duration_s(self) -> float:
        """The running time of its videos (each counted once)."""
        return round(sum(v.duration_s or 0 for v in self.videos), 1)

    @property
    def thumbnail_url(self) -> str | None:
        return f"/media/courses/{self.id}/thumbnail" if self.thumbnail_path else None

    def for_students(self) -> Course:
        """The course as students see it: only the videos students may see (models/visibility.py)."""
        return replace(self, modules=tuple(
            replace(m, videos=tuple(v for v in m.videos if v.visible)) for m in self.modules))

    def to_json(self) -> dict:
        return {"id": self.id, "title": self.title, "description": self.description,
                "topic": self.topic, "published": self.published, "thumbnail_url": self.thumbnail_url,
                "prerequisites": list(self.prerequisites),
                "estimated_duration_s": self.estimated_duration_s,
                "modules": [m.to_json() for m in self.modules], "tutor_mode": self.tutor_mode,
                "created_at": self.created_at, "updated_at": self.updated_at}


# -- reading --------------------------------------------------------------------------------------

def get_course(conn: Connection, course_id: int, creator_id: int) -> Course | None:
    """One of the creator's courses with its modules and videos, or None."""
    row = conn.execute("SELECT * FROM courses WHERE id = ? AND creator_id = ?",
                       (course_id, creator_id)).fetchone()
    if row is None:
        return None
    placed: dict[int, list[CourseVideo]] = {}
    for r in conn.execute(
            "SELECT mv.module_id, v.id, v.title, v.duration_s, v.status, v.published, v.has_video,"
            " v.thumbnail_path, v.available_at, v.language FROM module_videos mv"
            " JOIN course_modules m ON m.id = mv.module_id"
            " JOIN videos v ON v.id = mv.video_id WHERE m.course_id = ? ORDER BY mv.position",
            (course_id,)):
        placed.setdefault(r[0], []).append(CourseVideo(r[1], r[2], r[3], r[4], bool(r[5]), bool(r[6]), r[7], r[8],
                                                       r[9]))
    modules = tuple(Module(m["id"], course_id, m["title"], m["description"], tuple(placed.get(m["id"], ())))
                    for m in conn.execute("SELECT * FROM course_modules WHERE course_id = ?"
                                          " ORDER BY order_index, id", (course_id,)))
    prerequisites = tuple(r[0] for r in conn.execute(
        "SELECT prerequisite_id FROM course_prerequisites WHERE course_id = ? ORDER BY position",
        (course_id,)))
    return Course(row["id"], row["creator_id"], row["title"], row["description"], row["topic"],
                  bool(row["published"]), row["thumbnail_path"], prerequisites, modules,
                  row["created_at"], row["updated_at"], row["tutor_mode"])


def list_courses(conn: Connection, creator_id: int, *, published_only: bool = False) -> list[Course]:
    """The creator's courses in their catalog order."""
    sql = "SELECT id FROM courses WHERE creator_id = ?" + (" AND published = 1" if published_only else "")
    ids = [r[0] for r in conn.execute(sql + " ORDER BY order_index, id", (creator_id,))]
    return [get_course(conn, i, creator_id) for i in ids]


def titles(conn: Connection, creator_id: int, course_ids: Iterable[int]) -> dict[int, str]:
    """Course titles by id (only the creator's)."""
    ids = list(course_ids)
    if not ids:
        return {}
    marks = ",".join("?" * len(ids))
    return {r[0]: r[1] for r in conn.execute(
        f"SELECT id, title FROM courses WHERE creator_id = ? AND id IN ({marks})", [creator_id, *ids])}


def titles_for_video(conn: Connection, video_id: int) -> list[str]:
    """The titles of the courses a video is placed in, in catalog order."""
    return [r[0] for r in conn.execute(
        "SELECT DISTINCT c.title, c.order_index, c.id FROM courses c JOIN course_modules m"
        " ON m.course_id = c.id JOIN module_videos mv ON mv.module_id = m.id WHERE mv.video_id = ?"
        " ORDER BY c.order_index, c.id", (video_id,))]


def tutor_mode(conn: Connection, course_id: int, creator_id: int) -> str | None:
    """How the tutor replies in a course's player ("answer" or "hint"), or None if no such course."""
    row = conn.execute("SELECT tutor_mode FROM courses WHERE id = ? AND creator_id = ?",
                       (course_id, creator_id)).fetchone()
    return row[0] if row else None


def scope_video_ids(conn: Connection, course_id: int, creator_id: int, *, student: bool) -> list[int] | None:
    """The videos of a course to ask about (None if there is no such course for this asker).

    Students reach published courses and their watchable videos; the owner previews drafts too.
    """
    course = get_course(conn, course_id, creator_id)
    if course is None or (student and not course.published):
        return None
    return [v.video_id for v in (course.for_students() if student else course).videos]


# -- writing --------------------------------------------------------------------------------------

def create_course(conn: Connection, creator_id: int, *, title: str, description: str = "",
                  topic: str = "", published: bool = False, prerequisites: Sequence[int] = (),
                  tutor_mode: str = "answer") -> Course:
    """A new course, last in the creator's catalog."""
    with transaction(conn):
        cur = conn.execute(
            "INSERT INTO courses(creator_id, title, description, topic, published, tutor_mode, order_index)"
            " VALUES (?, ?, ?, ?, ?, ?, (SELECT coalesce(max(order_index), -1) + 1 FROM courses"
            " WHERE creator_id = ?))",
            (creator_id, _title(title), _text(description, DESCRIPTION_MAX), _text(topic, TOPIC_MAX),
             int(published), _tutor_mode(tutor_mode), creator_id))
        _set_prerequisites(conn, cur.lastrowid, creator_id, prerequisites)
    return get_course(conn, cur.lastrowid, creator_id)


def update_course(conn: Connection, course_id: int, creator_id: int, *, title: str | None = None,
                  description: str | None = None, topic: str | None = None,
                  published: bool | None = None, prerequisites: Sequence[int] | None = None,
                  tutor_mode: str | None = None) -> Course:
    """Change the given details of a course; the others stay."""
    with transaction(conn):
        _require_course(conn, course_id, creator_id)
        conn.execute(
            "UPDATE courses SET title = coalesce(?, title), description = coalesce(?, description),"
            " topic = coalesce(?, topic), published = coalesce(?, published),"
            " tutor_mode = coalesce(?, tutor_mode), updated_at = ? WHERE id = ?",
            (None if title is None else _title(title),
             None if description is None else _text(description, DESCRIPTION_MAX),
             None if topic is None else _text(topic, TOPIC_MAX),
             None if published is None else int(published),
             None if tutor_mode is None else _tutor_mode(tutor_mode), iso_utc(), course_id))
        if prerequisites is not None:
            _set_prerequisites(conn, course_id, creator_id, prerequisites)
    return get_course(conn, course_id, creator_id)


def set_thumbnail(conn: Connection, course_id: int, creator_id: int, path: str | None) -> str | None:
    """Point the course at a new thumbnail file (or none); return the old file's path."""
    with transaction(conn):
        old = _require_course(conn, course_id, creator_id)["thumbnail_path"]
        conn.execute("UPDATE courses SET thumbnail_path = ?, updated_at = ? WHERE id = ?",
                     (path, iso_utc(), course_id))
    return old


def delete_course(conn: Connection, course_id: int, creator_id: int) -> str | None:
    """Delete a course with its modules and students' course progress; return its thumbnail's path."""
    with transaction(conn):
        old = _require_course(conn, course_id, creator_id)["thumbnail_path"]
        conn.execute("DELETE FROM courses WHERE id = ?", (course_id,))
    return old


def add_module(conn: Connection, course_id: int, creator_id: int, *, title: str, description: str = "",
               video_ids: Sequence[int] = ()) -> Module:
    """A new module at the end of the course."""
    with transaction(conn):
        _require_course(conn, course_id, creator_id)
        _check_videos(conn, creator_id, video_ids, "the new module")
        module_id = conn.execute(
            "INSERT INTO course_modules(course_id, title, description, order_index) VALUES (?, ?, ?,"
            " (SELECT coalesce(max(order_index), -1) + 1 FROM course_modules WHERE course_id = ?))",
            (course_id, _title(title), _text(description, DESCRIPTION_MAX), course_id)).lastrowid
        _place_videos(conn, module_id, video_ids)
        _touch(conn, course_id)
    return _module(conn, course_id, creator_id, module_id)


def update_module(conn: Connection, course_id: int, creator_id: int, module_id: int, *,
                  title: str | None = None, description: str | None = None,
                  video_ids: Sequence[int] | None = None) -> Module:
    """Rename or describe a module, or replace its videos."""
    with transaction(conn):
        _require_module(conn, course_id, creator_id, module_id)
        conn.execute("UPDATE course_modules SET title = coalesce(?, title),"
                     " description = coalesce(?, description), updated_at = ? WHERE id = ?",
                     (None if title is None else _title(title),
                      None if description is None else _text(description, DESCRIPTION_MAX),
                      iso_utc(), module_id))
        if video_ids is not None:
            _check_videos(conn, creator_id, video_ids, f"module {module_id}")
            _place_videos(conn, module_id, video_ids)
        _touch(conn, course_id)
    return _module(conn, course_id, creator_id, module_id)


def delete_module(conn: Connection, course_id: int, creator_id: int, module_id: int) -> None:
    """Remove a module (its videos stay in the library)."""
    with transaction(conn):
        _require_module(conn, course_id, creator_id, module_id)
        conn.execute("DELETE FROM course_modules WHERE id = ?", (module_id,))
        _touch(conn, course_id)


def set_order(conn: Connection, course_id: int, creator_id: int,
              layout: Sequence[tuple[int, Sequence[int]]]) -> Course:
    """Replace the order of every module and the videos in each, all at once or not at all."""
    with transaction(conn):  # any CourseError below rolls the whole change back
        _require_course(conn, course_id, creator_id)
        existing = {r[0] for r in conn.execute("SELECT id FROM course_modules WHERE course_id = ?",
                                               (course_id,))}
        listed: set[int] = set()
        for module_id, video_ids in layout:
            if module_id in listed:
                raise CourseError(f"Module {module_id} is listed twice.")
            if module_id not in existing:
                raise CourseError(_foreign_module(conn, creator_id, module_id))
            listed.add(module_id)
            _check_videos(conn, creator_id, video_ids, f"module {module_id}")
        missing = sorted(existing - listed)
        if missing:
            raise CourseError("The order must list every module of the course; missing: module "
                              + ", ".join(map(str, missing)) + ". Delete a module to remove it.")
        for position, (module_id, video_ids) in enumerate(layout):
            conn.execute("UPDATE course_modules SET order_index = ? WHERE id = ?", (position, module_id))
            _place_videos(conn, module_id, video_ids)
        _touch(conn, course_id)
    return get_course(conn, course_id, creator_id)


# -- checks (inside a transaction) ----------------------------------------------------------------

def _require_course(conn: Connection, course_id: int, creator_id: int):
    row = conn.execute("SELECT * FROM courses WHERE id = ? AND creator_id = ?",
                       (course_id, creator_id)).fetchone()
    if row is None:
        raise CourseError(f"No course {course_id}.", 404)
    return row


def _require_module(conn: Connection, course_id: int, creator_id: int, module_id: int) -> None:
    _require_course(conn, course_id, creator_id)
    if not conn.execute("SELECT 1 FROM course_modules WHERE id = ? AND course_id = ?",
                        (module_id, course_id)).fetchone():
        raise CourseError(f"No module {module_id} in course {course_id}.", 404)


def _foreign_module(conn: Connection, creator_id: int, module_id: int) -> str:
    other = conn.execute("SELECT c.title FROM course_modules m JOIN courses c ON c.id = m.course_id"
                         " WHERE m.id = ? AND c.creator_id = ?", (module_id, creator_id)).fetchone()
    if other:
        return f"Module {module_id} belongs to another course (“{other[0]}”), not this one."
    return f"No module {module_id} in this course."


def _check_videos(conn: Connection, creator_id: int, video_ids: Sequence[int], where: str) -> None:
    """Every id is one of the creator's videos, each at most once in the list."""
    seen: set[int] = set()
    for video_id in video_ids:
        if video_id in seen:
            raise CourseError(f"Video {video_id} appears twice in {where}; a module holds each video once.")
        seen.add(video_id)
    if not seen:
        return
    marks = ",".join("?" * len(seen))
    owned = {r[0] for r in conn.execute(f"SELECT id FROM videos WHERE creator_id = ? AND id IN ({marks})",
                                        [creator_id, *seen])}
    unknown = [v for v in video_ids if v not in owned]
    if unknown:
        # Another creator's videos get the same answer as missing ones: their existence is not ours to show.
        raise CourseError(f"No video {unknown[0]} in your library.")


def _set_prerequisites(conn: Connection, course_id: int, creator_id: int, ids: Sequence[int]) -> None:
    if len(set(ids)) != len(ids):
        raise CourseError("A prerequisite is listed twice.")
    if course_id in ids:
        raise CourseError("A course cannot be its own prerequisite.")
    known = titles(conn, creator_id, ids)
    for pid in ids:
        if pid not in known:
            raise CourseError(f"No course {pid} to be a prerequisite.")
    # A cycle (A needs B, B needs A) would leave students nowhere to start.
    frontier, seen = list(ids), set()
    while frontier:
        current = frontier.pop()
        if current == course_id:
            raise CourseError("These prerequisites would make a loop: a course would need itself first.")
        if current not in seen:
            seen.add(current)
            frontier += [r[0] for r in conn.execute(
                "SELECT prerequisite_id FROM course_prerequisites WHERE course_id = ?", (current,))]
    conn.execute("DELETE FROM course_prerequisites WHERE course_id = ?", (course_id,))
    conn.executemany("INSERT INTO course_prerequisites(course_id, prerequisite_id, position) VALUES (?, ?, ?)",
                     [(course_id, pid, i) for i, pid in enumerate(ids)])


def _place_videos(conn: Connection, module_id: int, video_ids: Sequence[int]) -> None:
    conn.execute("DELETE FROM module_videos WHERE module_id = ?", (module_id,))
    conn.executemany("INSERT INTO module_videos(module_id, video_id, position) VALUES (?, ?, ?)",
                     [(module_id, v, i) for i, v in enumerate(video_ids)])


def _touch(conn: Connection, course_id: int) -> None:
    conn.execute("UPDATE courses SET updated_at = ? WHERE id = ?", (iso_utc(), course_id))


def _module(conn: Connection, course_id: int, creator_id: int, module_id: int) -> Module:
    return next(m for m in get_course(conn, course_id, creator_id).modules if m.id == module_id)


def _title(title: str) -> str:
    text = " ".join((title or "").split())
    if not text:
        raise CourseError("Give it a title.")
    if len(text) > TITLE_MAX:
        raise CourseError(f"Titles can be at most {TITLE_MAX} characters long.")
    return text


def _tutor_mode(mode: str) -> str:
    if mode not in TUTOR_MODES:
        raise CourseError(f"The tutor mode must be one of: {', '.join(TUTOR_MODES)} (got {mode!r}).")
    return mode


def _text(text: str, limit: int) -> str:
    text = (text or "").strip()
    if len(text) > limit:
        raise CourseError(f"That text is too long: at most {limit} characters.")
    return text
