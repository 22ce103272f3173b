#!/usr/bin/env python3
"""Benchmark the creator dashboard's overview at 100k students, 2k videos and 5M events; print JSON.

    .venv/bin/python bench/dashboard.py                       # build once (cached), then time
    .venv/bin/python bench/dashboard.py --rebuild --events 500000 --students 10000

What is built (cached in bench/out/dashboard/dashboard-<students>-<events>.db; --rebuild forces):
  a real Chronos database (chronos.db.Database runs the real migrations) with one creator, 2,000
  videos (2-30 min), 20 published courses of 2 modules x 5 videos, and 100k students who join over
  365 days. Activity is generated as watching sessions: a student, a day after joining (most within
  weeks), a video (Zipf popularity), 5-45 one-minute heartbeats, a completion when they cover 90 %;
  one sign-in per active day; about a third of sessions ask 1-2 questions whose answers cite 1-2
  moments of the video. "events" counts joins, sign-ins, heartbeats, completions and questions.
  The rows are written in bulk (executemany) in exactly the shape models/activity.py keeps them:
  the raw tables (students, video_progress, chat_sessions/chat_messages/message_citations,
  activity_log) and every rollup (video_analytics, student_days, student_video_days,
  student_summary, creator_days, creator_hours, creator_periods, retention_days).

What is timed: chronos.models.analytics_overview.overview(conn, creator, resolve(...)), the exact
function GET /api/analytics/overview calls, for each range (7d, 30d, 90d, all), --repeat times each
in rotation, on one connection (SQLite's page cache is warm, as it is in the server; there is no
result cache). The machine is shared: the load average is recorded before and after, and each
overview's CPU time (time.process_time) is reported next to its wall time (cpu_p50_ms, cpu_p95_ms).
"""
from __future__ import annotations

import argparse
import json
import os
import random
import sys
import time
from collections import defaultdict
from datetime import date, datetime, time as Time, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from chronos.db import Database, connect  # noqa: E402
from chronos.models.activity import periods_of, stamp  # noqa: E402
from chronos.models.analytics_overview import overview  # noqa: E402
from chronos.models.analytics_range import resolve  # noqa: E402
from report import emit, pct  # noqa: E402

TODAY = date(2026, 11, 24)
NOW = datetime(2026, 11, 24, 18, 0, tzinfo=timezone.utc)
DAYS = 365
RANGES = ("7d", "30d", "90d", "all")


def build(path: Path, *, students: int, videos: int, events: int, seed: int = 7) -> int:
    """Generate the database at path; returns the number of events it represents."""
    rnd = random.Random(seed)
    Database(path)  # the real migrations
    conn = connect(path)
    conn.execute("PRAGMA synchronous=OFF")
    conn.execute("BEGIN")
    conn.execute("INSERT INTO creators(id, name, password_hash) VALUES (1, 'Bench', 'x')")
    durations = [rnd.uniform(120, 1800) for _ in range(videos)]
    conn.executemany("INSERT INTO videos(id, creator_id, title, original_filename, media_path, container,"
                     " size_bytes, duration_s, status) VALUES (?, 1, ?, 'v.mp4', 'v.mp4', 'mp4', 1, ?, 'completed')",
                     [(v + 1, f"Lecture {v + 1}", durations[v]) for v in range(videos)])
    module_of: dict[int, list[tuple[int, int]]] = defaultdict(list)   # video -> (module, course)
    for c in range(1, 21):
        conn.execute("INSERT INTO courses(id, creator_id, title, published, order_index) VALUES (?, 1, ?, 1, ?)",
                     (c, f"Course {c}", c))
        for m in range(2):
            module_id = (c - 1) * 2 + m + 1
            conn.execute("INSERT INTO course_modules(id, course_id, title, order_index) VALUES (?, ?, ?, ?)",
                         (module_id, c, f"Module {m + 1}", m))
            for p in range(5):
                video_id = (c - 1) * 10 + m * 5 + p + 1
                conn.execute("INSERT INTO module_videos(module_id, video_id, position) VALUES (?, ?, ?)",
                             (module_id, video_id, p))
                module_of[video_id].append((module_id, c))
    weights = [1 / (i + 1) ** 0.9 for i in range(videos)]
    joined = [rnd.randrange(DAYS) for _ in range(students)]  # days before TODAY
    conn.executemany("INSERT INTO students(id, creator_id, name, username, created_at) VALUES (?, 1, ?, ?, ?)",
                     [(s + 1, f"Student {s + 1}", f"s{s + 1}", stamp(_at(joined[s], 9))) for s in range(students)])
    days = defaultdict(lambda: [0, 0.0, 0, 0, 0])        # (student, date) -> views, watch, completions, questions, signins
    video_days = defaultdict(lambda: [0, 0.0, 0, 0])     # (video, date) -> views, watch, completions, questions
    hours = defaultdict(int)
    progress: dict[tuple[int, int], list] = {}           # (student, video) -> position, watched, time, completed_at, last
    watched_days, log = set(), []
    touched = defaultdict(lambda: [0, 0])                # (student, module or course) -> touched, done
    module_days = defaultdict(lambda: [0, 0])            # started, completed
    course_days = defaultdict(lambda: [0, 0, 0])         # started, half, completed
    summary = {s: [None, None, None, 0.0, 0, 0] for s in range(1, students + 1)}  # first video, first q, first course, watch, questions, courses
    messages, citations, sessions = [], [], []
    count = students                                      # the joins
    for s in range(1, students + 1):
        day = joined[s - 1]
        log.append((s, _at(day, 9), "joined", None, None, None, None))
        days[s, _iso(day)]
    while count < events:
        s = rnd.randrange(1, students + 1)
        day = max(0, joined[s - 1] - int(rnd.expovariate(1 / 20)))
        video = rnd.choices(range(1, videos + 1), weights)[0] if rnd.random() < 0.5 else rnd.randrange(1, videos + 1)
        beats = rnd.randint(5, 45)
        at = _at(day, rnd.randrange(24), rnd.randrange(60))
        key, d = (s, _iso(day)), _iso(day)
        row = days[key]
        if row[4] == 0:
            row[4] = 1
            count += 1
            log.append((s, at, "signed_in", None, None, None, None))
        first_touch = (s, video) not in progress
        p = progress.setdefault((s, video), [0.0, 0.0, 0.0, None, None])
        start = p[0] if p[0] < durations[video - 1] - 60 else 0.0
        end = min(durations[video - 1], start + 60 * beats)
        view = p[4] != d
        p[0], p[1], p[2], p[4] = end, max(p[1], end), p[2] + (end - start), d
        completed = p[3] is None and p[1] >= 0.9 * durations[video - 1]
        count += beats + completed
        row[0] += view
        row[1] += end - start
        row[2] += completed
        va = video_days[video, d]
        va[0] += view
        va[1] += end - start
        va[2] += completed
        summary[s][3] += end - start
        if view:
            watched_days.add((s, d, video))
            summary[s][0] = summary[s][0] or stamp(at)
            log.append((s, at, "watched", video, None, None, start))
        if completed:
            p[3] = stamp(at)
            log.append((s, at, "completed_video", video, None, None, None))
        for module_id, c in module_of.get(video, []) if first_touch or completed else []:
            for key, size, table in (((s, module_id), 5, module_days[module_id, d]), ((s, c), 10, course_days[c, d])):
                seen = touched[key]
                seen[0] += first_touch
                seen[1] += completed
                table[0] += first_touch and seen[0] == 1
                if size == 10:
                    table[1] += completed and seen[1] == 5
                table[-1] += completed and seen[1] == size
            if completed and touched[s, c][1] == 10:
                log.append((s, at, "completed_course", None, c, None, None))
                summary[s][2] = summary[s][2] or stamp(at)
                summary[s][5] += 1
        if rnd.random() < 0.35:
            sid = len(sessions) + 1
            sessions.append((sid, s, stamp(at)))
            for _ in range(rnd.randint(1, 2)):
                qid, aid = len(messages) + 1, len(messages) + 2
                moment = rnd.uniform(0, max(durations[video - 1] - 30, 1))
                messages += [(qid, sid, "user", f"Question about minute {int(moment // 60)}?", stamp(at)),
                             (aid, sid, "assistant", "An answer.", stamp(at))]
                cited = {video} | ({rnd.randrange(1, videos + 1)} if rnd.random() < 0.3 else set())
                for v in cited:
                    citations.append((aid, v, moment, moment + rnd.uniform(5, 25)))
                    video_days[v, d][3] += 1
                row[3] += 1
                hours[d, at.hour] += 1
                summary[s][1] = summary[s][1] or stamp(at)
                summary[s][4] += 1
                log.append((s, at, "asked", video, None, qid, None))
                count += 1
    _write(conn, students, joined, days, video_days, hours, progress, watched_days, log, summary,
           sessions, messages, citations)
    conn.executemany("INSERT INTO module_days(module_id, date, started, completed) VALUES (?, ?, ?, ?)",
                     [(m, d, *v) for (m, d), v in module_days.items()])
    conn.executemany("INSERT INTO course_days(course_id, date, started, half, completed) VALUES (?, ?, ?, ?, ?)",
                     [(c, d, *v) for (c, d), v in course_days.items()])
    conn.execute("COMMIT")
    conn.execute("ANALYZE")
    conn.close()
    return count


def _write(conn, students, joined, days, video_days, hours, progress, watched_days, log, summary,
           sessions, messages, citations) -> None:
    conn.executemany("INSERT INTO student_days(creator_id, student_id, date, views, watch_s, completions,"
                     " questions, sign_ins) VALUES (1, ?, ?, ?, ?, ?, ?, ?)",
                     [(s, d, *v) for (s, d), v in days.items()])
    conn.executemany("INSERT INTO video_analytics(video_id, date, views, total_watch_s, completion_count,"
                     " questions) VALUES (?, ?, ?, ?, ?, ?)", [(v, d, *x) for (v, d), x in video_days.items()])
    totals_by_video = defaultdict(lambda: [0, 0.0, 0, 0])
    for (v, _), x in video_days.items():
        for i in range(4):
            totals_by_video[v][i] += x[i]
    conn.executemany("INSERT INTO video_totals(video_id, views, watch_s, completions, questions) VALUES (?, ?, ?, ?, ?)",
                     [(v, *x) for v, x in totals_by_video.items()])
    conn.executemany("INSERT INTO student_video_days(student_id, date, video_id) VALUES (?, ?, ?)", watched_days)
    conn.executemany(
        "INSERT INTO video_progress(student_id, video_id, position_s, watched_s, watched_ranges, watch_time_s,"
        " completed_at, last_beat_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        [(s, v, p[0], p[1], json.dumps([[0.0, round(p[1], 2)]]), p[2], p[3], p[4] + "T12:00:00.000Z")
         for (s, v), p in progress.items()])
    conn.executemany("INSERT INTO chat_sessions(id, creator_id, student_id, title, created_at) VALUES (?, 1, ?, 'q', ?)",
                     sessions)
    conn.executemany("INSERT INTO chat_messages(id, session_id, role, content, created_at) VALUES (?, ?, ?, ?, ?)",
                     messages)
    conn.executemany("INSERT INTO message_citations(message_id, video_id, start_s, end_s, score) VALUES (?, ?, ?, ?, 0.9)",
                     citations)
    conn.executemany("INSERT INTO activity_log(creator_id, student_id, at, date, kind, video_id, course_id,"
                     " message_id, at_s) VALUES (1, ?, ?, ?, ?, ?, ?, ?, ?)",
                     [(s, stamp(at), at.date().isoformat(), kind, v, c, m, a) for s, at, kind, v, c, m, a in log])
    active_days = defaultdict(int)
    per_day, per_period, retention = defaultdict(int), defaultdict(set), defaultdict(int)
    for s, d in days:
        active_days[s] += 1
        per_day[d] += 1
        for period, _, _ in periods_of(date.fromisoformat(d)):
            per_period[period].add(s)
        n = (date.fromisoformat(d) - (TODAY - timedelta(days=joined[s - 1]))).days
        if 0 <= n <= 30:
            retention[_iso(joined[s - 1]), n] += 1
    conn.executemany(
        "INSERT INTO student_summary(student_id, creator_id, joined_at, joined_date, first_video_at,"
        " first_question_at, first_course_completed_at, watch_s, questions, courses_completed, active_days)"
        " VALUES (?, 1, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [(s, stamp(_at(joined[s - 1], 9)), _iso(joined[s - 1]), *v, active_days[s]) for s, v in summary.items()])
    conn.execute("UPDATE student_summary SET videos = (SELECT count(*) FROM video_progress p"
                 " WHERE p.student_id = student_summary.student_id)")
    conn.execute("INSERT INTO journey_days(creator_id, joined_date, joined, first_video, first_question,"
                 " first_course_completed) SELECT creator_id, joined_date, count(*), count(first_video_at),"
                 " count(first_question_at), count(first_course_completed_at) FROM student_summary"
                 " GROUP BY creator_id, joined_date")
    totals = defaultdict(lambda: [0, 0.0, 0, 0, 0])
    for (_, d), v in video_days.items():
        totals[d][0] += v[0]
        totals[d][1] += v[1]
        totals[d][2] += v[2]
    for (d, _), n in hours.items():
        totals[d][3] += n
    for j in joined:
        totals[_iso(j)][4] += 1
    conn.executemany("INSERT INTO creator_days(creator_id, date, views, watch_s, completions, messages, joins,"
                     " active_students) VALUES (1, ?, ?, ?, ?, ?, ?, ?)",
                     [(d, *v, per_day[d]) for d, v in totals.items()])
    conn.executemany("INSERT INTO creator_hours(creator_id, date, hour, messages) VALUES (1, ?, ?, ?)",
                     [(d, h, n) for (d, h), n in hours.items()])
    conn.executemany("INSERT INTO creator_periods(creator_id, period, students) VALUES (1, ?, ?)",
                     [(p, len(s)) for p, s in per_period.items()])
    conn.executemany("INSERT INTO retention_days(creator_id, joined_date, day_n, students) VALUES (1, ?, ?, ?)",
                     [(j, n, k) for (j, n), k in retention.items()])


def _iso(days_ago: int) -> str:
    return (TODAY - timedelta(days=days_ago)).isoformat()


def _at(days_ago: int, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(TODAY - timedelta(days=days_ago), Time(hour, minute), tzinfo=timezone.utc)


def time_overview(path: Path, repeat: int) -> dict:
    """Milliseconds per overview, per range and overall."""
    conn = connect(path)
    per_range, cpu = defaultdict(list), []
    for key in RANGES:  # warm-up: the first read of each table comes from disk
        overview(conn, 1, resolve(conn, 1, key, now=NOW))
    for _ in range(repeat):
        for key in RANGES:
            start, start_cpu = time.perf_counter(), time.process_time()
            overview(conn, 1, resolve(conn, 1, key, now=NOW))
            per_range[key].append((time.perf_counter() - start) * 1000)
            cpu.append((time.process_time() - start_cpu) * 1000)
    conn.close()
    every = [ms for values in per_range.values() for ms in values]
    return {"p50_ms": pct(every, 50), "p95_ms": pct(every, 95),
            "cpu_p50_ms": pct(cpu, 50), "cpu_p95_ms": pct(cpu, 95),
            "per_range": {k: {"p50_ms": pct(v, 50), "p95_ms": pct(v, 95),
                              "max_ms": round(max(v), 1)} for k, v in per_range.items()}}



def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--students", type=int, default=100_000)
    parser.add_argument("--videos", type=int, default=2_000)
    parser.add_argument("--events", type=int, default=5_000_000)
    parser.add_argument("--repeat", type=int, default=25)
    parser.add_argument("--rebuild", action="store_true")
    parser.add_argument("--json-out", type=Path)
    args = parser.parse_args()
    out = ROOT / "bench" / "out" / "dashboard"
    out.mkdir(parents=True, exist_ok=True)
    path = out / f"dashboard-{args.students}-{args.videos}-{args.events}.db"
    meta = path.with_suffix(".json")
    if args.rebuild or not meta.exists():
        for p in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
            p.unlink(missing_ok=True)
        started = time.perf_counter()
        events = build(path, students=args.students, videos=args.videos, events=args.events)
        meta.write_text(json.dumps({"events": events, "build_s": round(time.perf_counter() - started, 1)}))
    built = json.loads(meta.read_text())
    load_before = os.getloadavg()
    timing = time_overview(path, args.repeat)
    result = {"events": built["events"], "students": args.students, "videos": args.videos, **timing,
              "target_p95_ms": 200, "repeat": args.repeat, "build_s": built["build_s"],
              "db_mb": round(path.stat().st_size / 1e6, 1),
              "loadavg_before": [round(x, 2) for x in load_before],
              "loadavg_after": [round(x, 2) for x in os.getloadavg()], "cpus": os.cpu_count()}
    emit(result, args.json_out)


if __name__ == "__main__":
    main()
