"""The confusion map of a video: where students' questions point, where viewers stop, who watched.

questions: student questions (owner previews excluded) asked in the range whose answer cites the
bin; a question citing several moments counts once per bin it points at. stops: students who have
not completed the video whose last position is in the bin. viewers: students whose watched ranges
cover part of the bin. Stops and viewers are the students' state now, not limited to the range.
wrong_answers: wrong quiz answers given in the range, in the bin where the sentence that answers
their question begins.
"""
from __future__ import annotations

import json
import math
from collections import defaultdict
from dataclasses import dataclass

from chronos.db import Connection
from chronos.models.analytics_quiz import wrong_answers
from chronos.models.analytics_range import Range

MAX_SAMPLES = 5
MAX_MOMENTS = 10


@dataclass
class Bin:
    """One stretch of the video's timeline."""

    start_s: float
    end_s: float
    questions: int
    stops: int
    viewers: int
    wrong_answers: int = 0


@dataclass
class Moment:
    """A run of adjacent hot bins, with the newest distinct questions pointing into it."""

    start_s: float
    end_s: float
    questions: int
    samples: list[str]


@dataclass
class ConfusionMap:
    """A video's confusion map over a range."""

    video_id: int
    title: str
    duration_s: float
    bin_s: float
    bins: list[Bin]
    moments: list[Moment]


def bin_size(duration_s: float) -> float:
    """10-second bins up to 10 minutes; longer videos get about 60 bins of a round size."""
    return 10.0 if duration_s <= 600 else float(math.ceil(duration_s / 60 / 10) * 10)


def bin_count(duration_s: float, bin_s: float) -> int:
    """How many bins cover a video (one for a video of unknown length)."""
    return max(1, math.ceil(duration_s / bin_s)) if duration_s else 1


def _bins_of(start_s: float, end_s: float, bin_s: float, count: int) -> range:
    first = int(start_s // bin_s)
    last = int(max(end_s - 1e-6, start_s) // bin_s)
    return range(max(first, 0), min(last, count - 1) + 1)


def cited_questions(conn: Connection, video_id: int, rng: Range) -> list[tuple[int, str, str, float, float]]:
    """(question id, text, asked at, start_s, end_s) of every citation of the video in the range."""
    return conn.execute(
        "SELECT a.message_id, q.content, a.at, c.start_s, c.end_s FROM message_citations c"
        " JOIN chat_messages r ON r.id = c.message_id"
        " JOIN chat_messages q ON q.id = (SELECT max(id) FROM chat_messages WHERE session_id = r.session_id"
        "   AND id < r.id AND role = 'user')"
        " JOIN activity_log a ON a.message_id = q.id AND a.kind = 'asked'"
        " WHERE c.video_id = ? AND a.date BETWEEN ? AND ?", (video_id, rng.first, rng.last)).fetchall()


def question_bins(rows, bin_s: float, count: int) -> dict[int, set[int]]:
    """Bin index -> ids of the questions pointing into it."""
    bins: dict[int, set[int]] = defaultdict(set)
    for question_id, _, _, start_s, end_s in rows:
        for i in _bins_of(start_s, end_s, bin_s, count):
            bins[i].add(question_id)
    return bins


def confusion(conn: Connection, video_id: int, title: str, duration_s: float | None, rng: Range) -> ConfusionMap:
    """The confusion map of one video over a range."""
    duration = float(duration_s or 0.0)
    bin_s = bin_size(duration)
    count = bin_count(duration, bin_s)
    rows = cited_questions(conn, video_id, rng)
    questions = question_bins(rows, bin_s, count)
    stops, viewers = [0] * count, [0] * count
    for position, ranges, completed in conn.execute(
            "SELECT position_s, watched_ranges, completed_at FROM video_progress WHERE video_id = ?",
            (video_id,)):
        if completed is None:
            stops[min(int(position // bin_s), count - 1)] += 1
        seen = set()
        for start_s, end_s in json.loads(ranges):
            seen.update(_bins_of(start_s, end_s, bin_s, count))
        for i in seen:
            viewers[i] += 1
    wrong = [0] * count
    for replay_at_s in wrong_answers(conn, video_id, rng.first, rng.last):
        wrong[min(int(replay_at_s // bin_s), count - 1)] += 1
    bins = [Bin(i * bin_s, min((i + 1) * bin_s, duration) if duration else bin_s,
                len(questions.get(i, ())), stops[i], viewers[i], wrong[i]) for i in range(count)]
    return ConfusionMap(video_id, title, duration, bin_s, bins, moments(rows, questions, bins))


def moments(rows, questions: dict[int, set[int]], bins: list[Bin]) -> list[Moment]:
    """Most-asked moments: runs of adjacent hot bins (at least half the busiest bin's questions)."""
    peak = max((len(ids) for ids in questions.values()), default=0)
    if peak == 0:
        return []
    hot = [i for i in range(len(bins)) if len(questions.get(i, ())) * 2 >= peak]
    runs: list[list[int]] = []
    for i in hot:
        if runs and runs[-1][-1] == i - 1:
            runs[-1].append(i)
        else:
            runs.append([i])
    text = {qid: (content, at) for qid, content, at, _, _ in rows}
    out = []
    for run in runs:
        ids = set().union(*(questions[i] for i in run))
        newest = sorted(ids, key=lambda q: text[q][1], reverse=True)
        samples = list(dict.fromkeys(text[q][0] for q in newest))[:MAX_SAMPLES]
        out.append(Moment(bins[run[0]].start_s, bins[run[-1]].end_s, len(ids), samples))
    out.sort(key=lambda m: (-m.questions, m.start_s))
    return out[:MAX_MOMENTS]
