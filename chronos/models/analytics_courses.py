"""Course completion funnels and drop-off by module, over a range.

enrolled = students active in the range; started / half / completed = students who, in the range,
started the course (watched any of its videos), completed half of its videos, or completed all of
them (each counted on the local day it happened, see models.activity). Per module: started and
completed in the range.
"""
from __future__ import annotations

from chronos.db import Connection
from chronos.models.analytics_range import Range


def funnels(conn: Connection, creator_id: int, rng: Range, enrolled: int) -> list[dict]:
    """Each course's funnel and its modules' drop-off, in the creator's course order."""
    steps = {r[0]: r[1:] for r in conn.execute(
        "SELECT c.id, sum(d.started), sum(d.half), sum(d.completed) FROM courses c"
        " JOIN course_days d ON d.course_id = c.id AND d.date BETWEEN ? AND ? WHERE c.creator_id = ?"
        " GROUP BY c.id", (rng.first, rng.last, creator_id))}
    module_steps = {r[0]: r[1:] for r in conn.execute(
        "SELECT m.id, sum(d.started), sum(d.completed) FROM courses c JOIN course_modules m ON m.course_id = c.id"
        " JOIN module_days d ON d.module_id = m.id AND d.date BETWEEN ? AND ? WHERE c.creator_id = ?"
        " GROUP BY m.id", (rng.first, rng.last, creator_id))}
    courses: dict[int, dict] = {}
    for r in conn.execute(
            "SELECT c.id, c.title, m.id AS module_id, m.title AS module FROM courses c"
            " LEFT JOIN course_modules m ON m.course_id = c.id WHERE c.creator_id = ?"
            " ORDER BY c.order_index, c.id, m.order_index, m.id", (creator_id,)):
        started, half, completed = steps.get(r["id"], (0, 0, 0))
        course = courses.setdefault(r["id"], {
            "course_id": r["id"], "title": r["title"], "enrolled": enrolled, "started": started,
            "half": half, "completed": completed, "modules": []})
        if r["module_id"] is not None:
            m_started, m_completed = module_steps.get(r["module_id"], (0, 0))
            course["modules"].append({"module_id": r["module_id"], "title": r["module"],
                                      "position": len(course["modules"]), "started": m_started,
                                      "completed": m_completed})
    return list(courses.values())
