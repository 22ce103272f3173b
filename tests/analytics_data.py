"""A small, deterministic activity history for the analytics tests, with hand-computed expectations.

build(conn, creator_id, today=...) creates three videos, a course, five students and ten days of
watching, questions and sign-ins through the product's own recording functions (progress heartbeats,
chat messages + activity.record_question, activity.record_join / record_sign_in), each at an
explicit time relative to `today` (UTC midnight). The creator's reporting zone is UTC.

The story ("dN" = N days before today):
  d45 Dan joins; d40 Dan watches 0-60 s of Intro; d35 Dan signs in.
  d10 Alice (09:00) and Bob (12:00) join; Alice watches all of Intro (complete).
  d9  Alice watches all of Loops (complete).     d7 23:30 Alice signs in (outside "7d").
  d6  00:30 Bob signs in (the first day of "7d").
  d5  Bob watches 0-120 s of Intro and asks Q1, Q2, Q3 at 10:00, 10:05, 10:10.
  d3  Cara joins (08:00) and watches all of Intro (complete).
  d2  Alice watches all of Functions (complete: the course is done) and asks Q4 14:00, Q5 14:30.
  d1  Cara watches 0-60 s of Loops and asks Q6 at 23:30.
  d0  Eve joins 01:00 and signs in 01:05; Dan watches all of Loops (10:00, complete).
Every heartbeat reports 60 s watched and comes 2 minutes after the previous one, so each is
credited exactly 60 s (see models/progress.py).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date as Date, datetime, time, timedelta, timezone

from chronos.models import activity, chat, courses, people, progress, videos

QUESTIONS = {  # name: (student, day, hour, minute, text, [(video, start_s, end_s)])
    "Q1": ("bob", 5, 10, 0, "Why does the loop start at zero?", [("intro", 100, 115)]),
    "Q2": ("bob", 5, 10, 5, "What is range doing here?", [("intro", 105, 112), ("loops", 30, 40)]),
    "Q3": ("bob", 5, 10, 10, "Is the end index inclusive?", [("intro", 108, 125)]),
    "Q4": ("alice", 2, 14, 0, "How do I return two values?", [("functions", 300, 320)]),
    "Q5": ("alice", 2, 14, 30, "What is a default argument?", [("functions", 610, 615)]),
    "Q6": ("cara", 1, 23, 30, "What does the colon mean?", [("intro", 200, 205)]),
}


@dataclass
class Dataset:
    today: Date
    videos: dict[str, int] = field(default_factory=dict)      # intro, loops, functions
    students: dict[str, int] = field(default_factory=dict)    # alice, bob, cara, dan, eve
    course_id: int = 0
    modules: list[int] = field(default_factory=list)          # basics (intro, loops), functions
    questions: dict[str, int] = field(default_factory=dict)   # Q1..Q6 -> chat message id

    def day(self, n: int) -> str:
        """The date n days before today."""
        return (self.today - timedelta(days=n)).isoformat()

    def at(self, n: int, hour: int, minute: int = 0) -> datetime:
        return datetime.combine(self.today - timedelta(days=n), time(hour, minute), tzinfo=timezone.utc)


def build(conn, creator_id: int, *, today: Date | None = None) -> Dataset:
    """Create the story above for the creator; returns the ids."""
    data = Dataset(today or datetime.now(timezone.utc).date())
    for name, title, duration in (("intro", "Intro", 600.0), ("loops", "Loops", 300.0),
                                  ("functions", "Functions", 1200.0)):
        video = videos.create_video(conn, creator_id=creator_id, title=title, original_filename=f"{name}.mp4",
                                    media_path=f"{name}.mp4", container="mp4", size_bytes=1000,
                                    has_video=True, duration_s=duration, published=True)
        videos.set_status(conn, video.id, "completed")
        data.videos[name] = video.id
    course = courses.create_course(conn, creator_id, title="Python basics", published=True)
    data.course_id = course.id
    for title, names in (("Basics", ["intro", "loops"]), ("Functions", ["functions"])):
        module = courses.add_module(conn, course.id, creator_id, title=title,
                                    video_ids=[data.videos[n] for n in names])
        data.modules.append(module.id)
    _, token = people.create_invite(conn, creator_id, expires_at=None, max_uses=None)
    for name, day, hour in (("dan", 45, 10), ("alice", 10, 9), ("bob", 10, 12), ("cara", 3, 8), ("eve", 0, 1)):
        student = people.join_with_invite(conn, token, name=name.title(), username=name, password="x" * 10)
        data.students[name] = student.id
        activity.record_join(conn, student.id, at=data.at(day, hour))
    watch = _watcher(conn, data)
    watch("dan", "intro", 40, 10, 60)
    activity.record_sign_in(conn, data.students["dan"], at=data.at(35, 9))
    watch("alice", "intro", 10, 9, 600, minute=5)
    watch("alice", "loops", 9, 9, 300)
    activity.record_sign_in(conn, data.students["alice"], at=data.at(7, 23, 30))
    activity.record_sign_in(conn, data.students["bob"], at=data.at(6, 0, 30))
    watch("bob", "intro", 5, 9, 120)
    watch("cara", "intro", 3, 9, 600)
    watch("alice", "functions", 2, 9, 1200)
    watch("cara", "loops", 1, 9, 60)
    activity.record_sign_in(conn, data.students["eve"], at=data.at(0, 1, 5))
    watch("dan", "loops", 0, 10, 300)
    for key, (who, day, hour, minute, text, cited) in QUESTIONS.items():
        data.questions[key] = ask(conn, creator_id, data.students[who], text,
                                  [(data.videos[v], a, b) for v, a, b in cited], data.at(day, hour, minute))
    return data


def _watcher(conn, data: Dataset):
    def watch(who: str, video: str, day: int, hour: int, until_s: int, minute: int = 0) -> None:
        """Watch from 0 to until_s in 60 s heartbeats, two minutes apart."""
        start = data.at(day, hour, minute)
        for i, position in enumerate(range(60, until_s + 1, 60)):
            progress.record_heartbeat(conn, data.students[who], data.videos[video], position_s=position,
                                      watched_s=60, from_s=position - 60, now=start + timedelta(minutes=2 * i))
    return watch


def ask(conn, creator_id: int, student_id: int, text: str, cited: list[tuple[int, float, float]],
        at: datetime) -> int:
    """A student's question and an answer citing these moments, recorded as asked at `at`."""
    session = chat.create_session(conn, creator_id, student_id, text)
    question_id = chat.add_message(conn, session.id, "user", text)
    chat.add_message(conn, session.id, "assistant", "An answer.", answerer="offline",
                     citations=[chat.Citation(v, "", a, b, 0.9, "") for v, a, b in cited])
    activity.record_question(conn, student_id, question_id, at=at)
    return question_id


# -- hand-computed expectations (UTC) for the "30d" range; see the story above --------------------

EXPECTED_30D = {
    "headline": {
        # active: all five (Dan only on d0); the 30 days before: Dan alone (d45, d40, d35)
        "students": {"value": 5, "previous": 1, "change_pct": 400.0},
        # Intro, Loops, Functions viewed; before: Intro (Dan, d40)
        "videos": {"value": 3, "previous": 1, "change_pct": 200.0},
        "messages": {"value": 6, "previous": 0, "change_pct": None},
        # 100 x (0.4 x 5 completions / 7 views + 0.3 x min(1, 6/5) + 0.3 x 3 returning / 5) = 76.57;
        # before: 100 x (0.4 x 0/1 + 0.3 x 0 + 0.3 x 1/1) = 30; change (76.6 - 30) / 30 = 155.3 %
        "engagement": {"value": 76.6, "previous": 30.0, "change_pct": 155.3},
    },
    # (days ago, views, watch_s)
    "views": [(10, 1, 600.0), (9, 1, 300.0), (5, 1, 120.0), (3, 1, 600.0), (2, 1, 1200.0), (1, 1, 60.0),
              (0, 1, 300.0)],
    "top_videos": [("intro", 3, 1320.0), ("loops", 3, 660.0), ("functions", 1, 1200.0)],
    # Alice 2100 s, Bob 120 s, Cara 660 s, Dan 300 s, Eve 0 s
    "watch_time": [1, 1, 2, 1, 0, 0],
    # (days ago, active students); d7 Alice's sign-in, d6 Bob's
    "daily_active": [(10, 2), (9, 1), (7, 1), (6, 1), (5, 1), (3, 1), (2, 1), (1, 1), (0, 2)],
    "journey": [4, 3, 3, 1],  # joined in range (not Dan), watched, asked, finished the course
    "messages": [(5, 3), (2, 2), (1, 1)],
    "by_hour": {10: 3, 14: 2, 23: 1},
    "top_by_questions": [("intro", 4), ("functions", 2), ("loops", 1)],
    # enrolled = active in range (5). Started in range: Alice d10, Bob d5, Cara d3 (Dan started on
    # d40); half (2 of 3 videos): Alice d9; completed: Alice d2. Module Basics: started by the same
    # three, completed by Alice (d9); Functions: Alice started and completed it on d2.
    "course": {"enrolled": 5, "started": 3, "half": 1, "completed": 1,
               "modules": [(3, 1), (1, 1)]},
    # Intro: 4 questions / 3 views, 2 of 4 stopped early (Bob at 120 s, Dan at 60 s of 600 s);
    # Loops: 1 question / 3 views (0.33 >= 0.25), peak in the 30-40 s bin
    "attention": [("intro", 4, 105.0), ("loops", 1, 35.0)],
}
# Leaderboard (30d): videos watched, questions, courses completed
LEADERBOARD = {"alice": (3, 2, 1), "bob": (1, 3, 0), "cara": (2, 1, 0), "dan": (1, 0, 0), "eve": (0, 0, 0)}
