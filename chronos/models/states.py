"""The names of states: video statuses, who is asking, chat message roles, analytics event kinds.

StrEnum members equal their string values, so the database, JSON and templates keep the same text.
"""
from __future__ import annotations

from enum import StrEnum


class VideoStatus(StrEnum):
    """A video's processing stage (not whether students may see it: see models/visibility.py)."""
    PENDING = "pending"
    TRANSCRIBING = "transcribing"
    CHUNKING = "chunking"
    EMBEDDING = "embedding"
    COMPLETED = "completed"
    FAILED = "failed"


UNFINISHED = (VideoStatus.PENDING, VideoStatus.TRANSCRIBING, VideoStatus.CHUNKING, VideoStatus.EMBEDDING)


class Role(StrEnum):
    """Who is asking: the creator who runs Chronos, one of their students, or nobody signed in."""
    OWNER = "owner"
    STUDENT = "student"
    NONE = "none"


class MessageRole(StrEnum):
    """Who wrote a chat message."""
    USER = "user"
    ASSISTANT = "assistant"


class LiveKind(StrEnum):
    """What an analytics event announced to the creator's open dashboards was."""
    VIEW = "view"
    HEARTBEAT = "heartbeat"
    COMPLETION = "completion"
    MESSAGE = "message"
    SIGNIN = "signin"
    RATING = "rating"
    QUIZ = "quiz"


class LogKind(StrEnum):
    """The kinds of rows in activity_log (the per-student timeline)."""
    JOINED = "joined"
    SIGNED_IN = "signed_in"
    WATCHED = "watched"
    COMPLETED_VIDEO = "completed_video"
    COMPLETED_COURSE = "completed_course"
    ASKED = "asked"
