"""The words a video's lecture uses, for Whisper: the creator's glossary, the video's title and
description, its courses' titles; ordered most specific first, since only the first ~220 tokens
reach the model (ai/transcriber.py keeps whole terms while they fit)."""
from __future__ import annotations

from collections.abc import Sequence

from chronos.db import Connection
from chronos.models import courses, glossary, videos

DESCRIPTION_CHARS = 300  # prose helps less than names: only the description's opening goes in


def order_hints(terms: Sequence[str], *, title: str, description: str = "",
                course_titles: Sequence[str] = ()) -> list[str]:
    """The hints in priority order: the title, glossary terms the title, description or course
    titles mention, the course titles, the other glossary terms, then the description's opening."""
    about = " ".join([title, description, *course_titles]).casefold()
    mentioned = [t for t in terms if t.casefold() in about]
    others = [t for t in terms if t.casefold() not in about]
    opening = description.strip()
    if len(opening) > DESCRIPTION_CHARS:
        opening = opening[:DESCRIPTION_CHARS].rsplit(" ", 1)[0]  # not a word cut in half
    ordered, seen = [], set()
    for hint in [title, *mentioned, *course_titles, *others, opening]:
        hint = " ".join(hint.split())
        if hint and hint.casefold() not in seen:
            seen.add(hint.casefold())
            ordered.append(hint)
    return ordered


def hints_for_video(conn: Connection, video: videos.Video) -> list[str]:
    """The hints for one of a creator's videos, read from its glossary, details and courses."""
    return order_hints(glossary.get_terms(conn, video.creator_id), title=video.title,
                       description=videos.description(conn, video.id),
                       course_titles=courses.titles_for_video(conn, video.id))
