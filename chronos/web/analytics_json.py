"""The analytics API's JSON: the models' dataclasses shaped for /api/analytics/*, with the wording
the dashboard shows (headline formula, watch-time labels, attention reasons, timeline lines)."""
from __future__ import annotations

from dataclasses import asdict

from chronos.models.analytics_attention import AttentionVideo
from chronos.models.analytics_confusion import ConfusionMap
from chronos.models.analytics_overview import Overview, WatchBucket
from chronos.models.analytics_range import Range
from chronos.models.ratings import REASONS, Unhelpful
from chronos.models.analytics_students import Leaderboard, StudentDetail, StudentInfo, StudentRow, TimelineEvent
from chronos.timefmt import clock

ENGAGEMENT_FORMULA = ("Engagement (0-100) = 40 x completion rate (completions / views) + 30 x questions "
                      "per active student (capped at 1) + 30 x return rate (share of active students "
                      "active on 2 or more days)")
# Keyed by WATCH_BUCKETS' lower bounds (models.analytics_overview).
WATCH_LABELS = {0: "< 1 min", 60: "1–5 min", 300: "5–15 min", 900: "15–60 min", 3600: "1–3 h",
                10800: "3 h +"}


def range_json(rng: Range) -> dict:
    """The range as the API names it."""
    return {"key": rng.key, "from": rng.first, "to": rng.last, "timezone": rng.zone,
            "previous_from": rng.previous_first, "previous_to": rng.previous_last}


def overview_json(ov: Overview) -> dict:
    """GET /api/analytics/overview's body."""
    out = asdict(ov)
    out["range"] = range_json(ov.range)
    out["headline"]["engagement"]["formula"] = ENGAGEMENT_FORMULA
    out["watch_time"] = [_bucket_json(b) for b in ov.watch_time]
    out["needs_attention"] = [_attention_json(v) for v in ov.needs_attention]
    out["headline"]["helpful"] |= {"rated": ov.ratings.rated, "helpful": ov.ratings.helpful}
    del out["ratings"]
    out["unhelpful"] = [_unhelpful_json(u) for u in ov.unhelpful]
    return out


def _unhelpful_json(u: Unhelpful) -> dict:
    """A thumbs down as the dashboard lists it: each cited moment with the link that plays it."""
    return {"message_id": u.message_id, "rated_at": u.rated_at, "date": u.date,
            "rater": "You" if u.student_id is None else (u.student or f"Student {u.student_id}"),
            "student_id": u.student_id, "question": u.question, "answer": u.answer, "reason": u.reason,
            "reason_label": REASONS.get(u.reason or "", "No reason given"), "comment": u.comment,
            "citations": [c.to_json() | {"at": clock(c.start_s), "url": f"/videos/{c.video_id}?t={int(c.start_s)}"}
                          for c in u.citations]}


def _bucket_json(bucket: WatchBucket) -> dict:
    return {"label": WATCH_LABELS[bucket.low_s], "students": bucket.students}


def _attention_json(v: AttentionVideo) -> dict:
    reasons = []
    if v.many_questions:
        where = f", most about {clock(v.peak_s)}" if v.peak_s is not None else ""
        reasons.append(f"{counted(v.questions, 'question')} in {counted(v.views, 'view')}{where}")
    if v.stops_early:
        reasons.append(f"{v.early_stops} of {counted(v.started, 'student')} stopped in the first quarter"
                       " without finishing")
    return {"video_id": v.video_id, "title": v.title, "reason": "; ".join(reasons) + ".",
            "questions": v.questions, "peak_s": v.peak_s, "severity": v.severity}


def counted(n: int, noun: str) -> str:
    """'1 question', '3 questions': a count with its noun in the right number."""
    return f"{n} {noun}{'' if n == 1 else 's'}"


def confusion_json(cmap: ConfusionMap) -> dict:
    """GET /api/analytics/videos/<id>/confusion's body."""
    return asdict(cmap)


def display_name(student: StudentRow | StudentInfo) -> str:
    """What the dashboard calls a student: their name, else their username, else their number."""
    return student.name or student.username or f"Student {student.id}"


def leaderboard_json(board: Leaderboard) -> dict:
    """GET /api/analytics/students's body."""
    return {"total": board.total, "students": [{
        "id": s.id, "name": display_name(s), "email": s.email, "videos_watched": s.videos_watched,
        "questions": s.questions, "courses_completed": s.courses_completed, "watch_s": s.watch_s,
        "last_active_at": s.last_active_at} for s in board.students]}


def student_json(detail: StudentDetail) -> dict:
    """GET /api/analytics/students/<id>'s body."""
    s = detail.student
    return {"student": {"id": s.id, "name": display_name(s), "email": s.email, "joined_at": s.joined_at,
                        "last_active_at": s.last_active_at, "access": s.access},
            "timeline": [{"at": e.at, "kind": e.kind, "text": timeline_text(e), "video_id": e.video_id,
                          "course_id": e.course_id, "at_s": e.at_s} for e in detail.timeline],
            "courses": [asdict(c) for c in detail.courses],
            "quiz": detail.quiz.to_json() | {"videos": [{"video_id": v.video_id, "title": v.title} | v.score.to_json()
                                                       for v in detail.quiz_videos]}}


def timeline_text(e: TimelineEvent) -> str:
    """A timeline event in words."""
    video = f"“{e.video_title}”" if e.video_title else "a video"
    if e.kind == "joined":
        return "Joined"
    if e.kind == "signed_in":
        return "Signed in"
    if e.kind == "watched":
        return f"Watched {video}"
    if e.kind == "asked":
        where = f" (at {clock(e.at_s)} in {video})" if e.at_s is not None else ""
        return f"Asked “{(e.question or '').strip()[:140]}”{where}"
    if e.kind == "completed_video":
        return f"Completed {video}"
    return f"Completed the course “{e.course_title or 'deleted course'}”"
