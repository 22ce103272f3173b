"""The words a video's lecture uses, for Whisper: the creator's glossary, the video's title and
description, its courses' titles; ordered most specific first, since only the first ~220 tokens
reach the model (ai/transcriber.py keeps whole terms while they fit).

bench/README.md ("Vocabulary hints"): the lecture's own terms cut word errors and bring most names
through, but a slice of other lectures' terms makes the transcript worse than no hints at all. So
the glossary goes in whole when it fits, and otherwise only its terms the video's title,
description or course titles mention.
"""
from __future__ import annotations

from collections.abc import Sequence

from chronos.db import Connection
from chronos.models import courses, glossary, videos

DESCRIPTION_CHARS = 300  # prose helps less than names: only the description's opening goes in
# About what fits Whisper's ~220 hint tokens: names and terms run 2.3-3.4 characters a token in
# its vocabulary (2.9 the median of the twelve hard-set glossaries); past this the Transcriber
# drops the last few terms, far fewer than cutting a library's glossary would.
GLOSSARY_CHARS = 640


def order_hints(terms: Sequence[str], *, title: str, description: str = "",
                course_titles: Sequence[str] = (), glossary_chars: int = GLOSSARY_CHARS) -> list[str]:
    """The hints in priority order: the title, glossary terms the title, description or course
    titles mention, the course titles, the other glossary terms (only if all of them fit in
    glossary_chars), then the description's opening."""
    about = " ".join([title, description, *course_titles]).casefold()
    mentioned = [t for t in terms if t.casefold() in about]
    others = [t for t in terms if t.casefold() not in about]
    if len(", ".join([title, *mentioned, *course_titles, *others])) > glossary_chars:
        others = []  # a cut glossary would send an arbitrary slice of other lectures' words
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
