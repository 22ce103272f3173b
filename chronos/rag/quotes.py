"""Quotes proven to be in the lecture: a citation's quoted words must be what is said at its time.

Before an answer is shown, each citation's quoted text (Claude's `cited_text`, the offline
answerer's quoted sentence, or the passage text a numbered citation points at) is looked up in the
transcript segments spoken in the cited time range, compared without case, punctuation or spacing.
A citation whose words are not there is dropped; its times are clamped to the video's length. In
hint mode the check is the same (the answerer still says which words it cites); the chat service
then sends the verified citation on without them, as a moment to rewatch.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import replace

from chronos.db import Connection
from chronos.models import chat, transcripts, videos

# Slack around the cited range when reading the transcript: word timings and sentence times differ
# by a few hundred milliseconds.
RANGE_SLACK_S = 1.0
_NOT_A_LETTER = re.compile(r"[\W_]+", re.UNICODE)


def normalised(text: str) -> str:
    """Text as compared: case folded, accents kept, without punctuation or spacing (a quote of two
    sentence blocks may come joined without a space)."""
    return _NOT_A_LETTER.sub("", unicodedata.normalize("NFKC", text).casefold())


def verify(conn: Connection, citation: chat.Citation, quoted: str) -> chat.Citation | None:
    """The citation with its times clamped to the video, if its quoted words are spoken in its time
    range; None if they are not (or the video is gone)."""
    video = videos.get_video(conn, citation.video_id)
    if video is None:
        return None
    end_limit = video.duration_s if video.duration_s else None
    start = max(0.0, citation.start_s)
    end = max(start, citation.end_s)
    if end_limit is not None:
        start, end = min(start, end_limit), min(end, end_limit)
    said = normalised(transcripts.text_between(conn, citation.video_id, start - RANGE_SLACK_S,
                                               end + RANGE_SLACK_S))
    words = normalised(quoted or citation.text)
    if not words or words not in said:
        return None
    return replace(citation, start_s=round(start, 2), end_s=round(end, 2), verified=True)
