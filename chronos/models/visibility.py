"""The one rule for what a student may see: a video that is published and has been available.

"Available" is set the first time a video completes processing and never cleared, so running a
video again (re-processing, re-indexing) does not hide it: its old transcript and chunks serve
until the new ones replace them. A video processed for the first time stays hidden until done.
The processing stage itself is videos.status; this rule does not look at it.
The owner's own questions answer from every video that has been available, drafts included,
unless they ask as their students see it.
"""
from __future__ import annotations


def student_visible_sql(alias: str = "v") -> str:
    """The SQL condition (on the videos table as `alias`) for a video students may see."""
    return f"{alias}.published = 1 AND {alias}.available_at IS NOT NULL"


def visible_to_students(published: bool, available_at: str | None) -> bool:
    """The same rule in Python, for a video already read."""
    return bool(published) and available_at is not None


def answerable_sql(alias: str = "v", *, drafts: bool = False) -> str:
    """The SQL condition for a video questions may be answered from: the students' rule, or with
    drafts (the owner's own questions) every video that has been available."""
    return f"{alias}.available_at IS NOT NULL" if drafts else student_visible_sql(alias)
