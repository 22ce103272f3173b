"""Course completion funnels and drop-off by module, over a range.

enrolled = students active in the range; started / half / completed = students who, in the range,
started the course (watched any of its videos), completed half of its videos, or completed all of
them (each counted on the local day it happened, see models.activity). Per module: started and
completed in the range.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from chronos.db import Connection
from chronos.models.analytics_range import Range


@dataclass
class ModuleSteps:
    """One module's students who started and completed it in the range."""

    module_id: int
    title: str
    position: int  # 0-based, in the course's module order
    started: int
    completed: int


@dataclass
class CourseFunnel:
    """One course's funnel in the range, and its modules' drop-off."""

    course_id: int
    title: str
    enrolled: int
    started: int
    half: int
    completed: int
    modules: list[ModuleSteps] = field(default_factory=list)


def funnels(conn: Connection, creator_id: int, rng: Range, enrolled: int) -> list[CourseFunnel]:
    """Each course's funnel and its modules' drop-off, in the creator's course order."""
    steps = {r[0]: r[1:] for r in conn.execute(
        "SELECT c.id, sum(d.started), sum(d.half), sum(d.completed) FROM courses c"
        " JOIN course_days d ON d.course_id = c.id AND d.date BETWEEN ? AND ? WHERE c.creator_id = ?"
        " GROUP BY c.id", (rng.first, rng.last, creator_id))}
    module_steps = {r[0]: r[1:] for r in conn.execute(
        "SELECT m.id, sum(d.started), sum(d.completed) FROM courses c JOIN course_modules m ON m.course_id = c.id"
        " JOIN module_days d ON d.module_id = m.id AND d.date BETWEEN ? AND ? WHERE c.creator_id = ?"
        " GROUP BY m.id", (rng.first, rng.last, creator_id))}
    courses: dict[int, CourseFunnel] = {}
    for r in conn.execute(
            "SELECT c.id, c.title, m.id AS module_id, m.title AS module FROM courses c"
            " LEFT JOIN course_modules m ON m.course_id = c.id WHERE c.creator_id = ?"
            " ORDER BY c.order_index, c.id, m.order_index, m.id", (creator_id,)):
        started, half, completed = steps.get(r["id"], (0, 0, 0))
        course = courses.setdefault(r["id"], CourseFunnel(r["id"], r["title"], enrolled, started, half, completed))
        if r["module_id"] is not None:
            m_started, m_completed = module_steps.get(r["module_id"], (0, 0))
            course.modules.append(ModuleSteps(r["module_id"], r["module"], len(course.modules),
                                              m_started, m_completed))
    return list(courses.values())
