"""The words a video's lecture uses, for Whisper: the creator's glossary, the video's title and
description, its courses' titles; ordered most specific first, since only the first ~220 tokens
reach the model (ai/transcriber.py keeps whole terms while they fit).

bench/README.md ("Vocabulary hints"): a glossary holding the lecture's terms cut word errors and
brings most names through; the title alone, or a glossary cut to fit (a slice of other lectures'
words), made transcripts worse than no hints. So hints go only with a glossary that fits whole.
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
    """The hints in priority order: the title, the glossary terms the title, description or course
    titles mention, the other terms, the course titles, the description's opening. None at all
    without a glossary, or with one longer than glossary_chars (it would not reach Whisper whole)."""
    if not terms or len(", ".join([title, *terms])) > glossary_chars:
        return []
    about = " ".join([title, description, *course_titles]).casefold()
    mentioned = [t for t in terms if t.casefold() in about]
    others = [t for t in terms if t.casefold() not in about]
    opening = description.strip()
    if len(opening) > DESCRIPTION_CHARS:
        opening = opening[:DESCRIPTION_CHARS].rsplit(" ", 1)[0]  # not a word cut in half
    ordered, seen = [], set()
    for hint in [title, *mentioned, *others, *course_titles, opening]:
        hint = " ".join(hint.split())
        if hint and hint.casefold() not in seen:
            seen.add(hint.casefold())
            ordered.append(hint)
    return ordered


def hints_for_video(conn: Connection, video: videos.Video) -> list[str]:
    """The hints for one of a creator's videos, read from its glossary, details and courses
    ([] when there are none to give)."""
    return order_hints(glossary.get_terms(conn, video.creator_id), title=video.title,
                       description=videos.description(conn, video.id),
                       course_titles=courses.titles_for_video(conn, video.id))
