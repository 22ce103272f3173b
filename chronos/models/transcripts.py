"""Transcripts: the timed segments (and word times) Whisper produced for a video."""
from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from chronos.db import Connection, transaction
from chronos.languages import fold
from chronos.timefmt import iso_utc


# A word that ends a sentence: a full stop, question or exclamation mark, maybe before a quote
# (French and German quotes too: » « “ ”).
SENTENCE_END = re.compile(r"[.!?…。！？][\"'’”»«)\]]*$")
# Words whose full stop marks an abbreviation, not an end (folded: lower case, no accents), in
# English, Spanish, French and German; a single letter ("z. B.", "M.") and a word with a stop
# inside it ("p.ej.", "u.a.", "d.h.") are abbreviations too.
ABBREVIATIONS = frozenset("""mr mrs ms dr dra prof st sr sra srta ud uds vd vds av fig vs no nr hr
    mme mlle bzw vgl ca ggf inkl evtl ej""".split())


def ends_sentence(word: str, following: str | None = None) -> bool:
    """Whether a word ends its sentence. A full stop does not when it marks an abbreviation, nor
    when the next word starts in lower case (as after "etc." mid-sentence, or a German ordinal:
    "am 14. juli" — and "im 18. Jahrhundert" before a noun, for a number of one to three digits)."""
    word = word.strip()
    if not SENTENCE_END.search(word):
        return False
    bare = word.rstrip("\"'’”»«)]")
    if not bare.endswith(".") or bare.endswith(".."):
        return True  # ? ! … end a sentence whatever follows
    stem = fold(bare[:-1].lstrip("\"'‘“«(¿¡"))
    if stem in ABBREVIATIONS or (len(stem) == 1 and stem.isalpha()) or "." in stem:
        return False
    nxt = (following or "").strip().lstrip("\"'‘“«(")
    if nxt[:1].islower():
        return False
    return not (stem.isdigit() and len(stem) <= 3 and nxt[:1].isupper() and nxt.lower() in ORDINAL_NOUNS)


# German nouns a day, century or rank is counted before ("14. Juli", "18. Jahrhundert").
ORDINAL_NOUNS = frozenset("""januar februar märz april mai juni juli august september oktober november
    dezember jahrhundert jahrhunderts jahrtausend jahrtausends weltkrieg weltkriegs mal platz stelle
    kapitel klasse""".split())


@dataclass(frozen=True)
class Word:
    start_s: float
    end_s: float
    text: str
    probability: float = 1.0


@dataclass(frozen=True)
class Segment:
    start_s: float
    end_s: float
    text: str
    words: list[Word] = field(default_factory=list)


def words_json(words: Iterable[Word]) -> str:
    """Words as stored with a segment: [[start, end, text, probability], ...]."""
    return json.dumps([[w.start_s, w.end_s, w.text, w.probability] for w in words])


def save_transcript(conn: Connection, video_id: int, language: str | None,
                    segments: Iterable[Segment]) -> None:
    """Replace a video's transcript with these segments in one transaction."""
    segments = list(segments)
    full_text = " ".join(s.text.strip() for s in segments).strip()
    with transaction(conn):
        conn.execute("DELETE FROM transcript_segments WHERE video_id = ?", (video_id,))
        conn.executemany(
            "INSERT INTO transcript_segments(video_id, segment_index, start_s, end_s, text, words)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            [(video_id, i, s.start_s, s.end_s, s.text.strip(), words_json(s.words))
             for i, s in enumerate(segments)])
        conn.execute("UPDATE videos SET language = ?, transcript = ?, updated_at = ? WHERE id = ?",
                     (language, full_text, iso_utc(), video_id))


def load_segments(conn: Connection, video_id: int) -> list[Segment]:
    """A video's segments in order, with their words."""
    rows = conn.execute(
        "SELECT start_s, end_s, text, words FROM transcript_segments WHERE video_id = ?"
        " ORDER BY segment_index", (video_id,))
    return [Segment(r["start_s"], r["end_s"], r["text"],
                    [Word(*w) for w in json.loads(r["words"])]) for r in rows]


def load_lines(conn: Connection, video_id: int) -> list[Segment]:
    """A video's segments in order without their words: what a page, captions and subtitles show.
    Decoding the words is most of load_segments' cost (1.6 ms against 0.06 for a 3-minute
    lecture), and the video page and its captions are read on every view."""
    rows = conn.execute("SELECT start_s, end_s, text FROM transcript_segments WHERE video_id = ?"
                        " ORDER BY segment_index", (video_id,))
    return [Segment(r["start_s"], r["end_s"], r["text"]) for r in rows]


def text_between(conn: Connection, video_id: int, start_s: float, end_s: float) -> str:
    """What is said in the segments of a video that overlap a time range, as one text."""
    rows = conn.execute("SELECT text FROM transcript_segments WHERE video_id = ? AND end_s >= ?"
                        " AND start_s <= ? ORDER BY segment_index", (video_id, start_s, end_s))
    return " ".join(r["text"] for r in rows)


def segments_between(conn: Connection, video_id: int, start_s: float, end_s: float) -> list[Segment]:
    """The segments of a video that overlap a time range, with their words."""
    rows = conn.execute(
        "SELECT start_s, end_s, text, words FROM transcript_segments WHERE video_id = ?"
        " AND end_s >= ? AND start_s <= ? ORDER BY segment_index", (video_id, start_s, end_s))
    return [Segment(r["start_s"], r["end_s"], r["text"],
                    [Word(*w) for w in json.loads(r["words"])]) for r in rows]


def get_segment(conn: Connection, video_id: int, index: int) -> Segment | None:
    """Segment `index` of a video (its position in the transcript), with its words."""
    r = conn.execute("SELECT start_s, end_s, text, words FROM transcript_segments WHERE video_id = ?"
                     " AND segment_index = ?", (video_id, index)).fetchone()
    return Segment(r["start_s"], r["end_s"], r["text"], [Word(*w) for w in json.loads(r["words"])]) if r else None


def update_segment(conn: Connection, video_id: int, index: int, text: str, words: Iterable[Word]) -> None:
    """Give one segment new text and words (its times stay), and refresh the video's full text."""
    with transaction(conn):
        conn.execute("UPDATE transcript_segments SET text = ?, words = ? WHERE video_id = ? AND segment_index = ?",
                     (text, words_json(words), video_id, index))
        conn.execute("UPDATE videos SET transcript = (SELECT group_concat(text, ' ') FROM (SELECT text FROM"
                     " transcript_segments WHERE video_id = ?1 ORDER BY segment_index)), updated_at = ?2"
                     " WHERE id = ?1", (video_id, iso_utc()))
