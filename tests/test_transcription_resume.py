"""A transcription killed with kill -9 resumes from the segments it had saved: no gap and no
duplicate at the seam, nothing left open, and the crashes are not counted as failed attempts."""
from __future__ import annotations

import subprocess
import sys
import time
from difflib import SequenceMatcher
from pathlib import Path

import pytest

from chronos.db import Database
from chronos.models import stages, transcripts, videos
from chronos.models import transcript_drafts as drafts
from chronos.models.schema import INTERRUPTED_NOTE
from chronos.pipeline import media
from tests.conftest import FIXTURES, add_video, sidecar, wer, words
from tests.procs import chronos_env

ROOT = Path(__file__).resolve().parents[1]
# What the scheduler does with a video left half-done, in a process of its own: one runner, the
# video's attempts until it completes or fails (`chronos serve` does the same through APScheduler).
RESUME = """
import sys
from chronos.config import load_settings
from chronos.services import build_services
sv = build_services(load_settings(sys.argv[1], run_scheduler=False))
publish = sv.runner.pipeline.publish
def show(event):  # the progress the creator's pages are shown
    video = event.get("video") or {}
    if video.get("status") == "transcribing":
        print("progress", video["progress"], flush=True)
    publish(event)
sv.runner.pipeline.publish = show
print(sv.runner.process_until_done(int(sys.argv[2]), sleep=lambda s: None).status)
sv.close()
"""
# Word times wobble by a few hundredths of a second; a lost word at a seam would open far more.
TIMING_SLACK_S = 0.5


@pytest.fixture(scope="module")
def lecture(tmp_path_factory) -> tuple[Path, dict]:
    """A three-minute lecture spoken by espeak-ng (made at test time, never committed)."""
    import json

    out = tmp_path_factory.mktemp("lecture") / "long_lecture.m4a"
    subprocess.run([sys.executable, str(ROOT / "scripts" / "make_lecture.py"), "--out", str(out),
                    "--audio-only", "--text-file", str(FIXTURES / "long_lecture.txt"), "--voice", "en-us"],
                   check=True, capture_output=True, timeout=300)
    return out, json.loads(out.with_suffix(".json").read_text())


def saved_segments(db: Database, video_id: int) -> int:
    with db.connection() as conn:
        draft = drafts.load_draft(conn, video_id)
    return len(draft.segments) if draft else 0


def kill_once_saved(proc: subprocess.Popen, db: Database, video_id: int, at_least: int) -> None:
    """kill -9 the child once the draft holds at least this many segments."""
    deadline = time.monotonic() + 600
    while saved_segments(db, video_id) < at_least:
        assert proc.poll() is None, "the child ended before it was killed"
        assert time.monotonic() < deadline, "the draft never grew"
        time.sleep(0.05)  # the child commits its draft every couple of seconds
    proc.kill()  # SIGKILL: no chance to clean up, like a power cut
    proc.wait()


def test_kill_dash_nine_twice_mid_transcription_resumes_without_gap_or_duplicate(
        tmp_path, lecture, transcriber):
    media_path, spoken = lecture
    data, env = tmp_path / "data", chronos_env()
    data.mkdir()
    db = Database(data / "chronos.db")  # migrated here, before any child opens it
    log = (tmp_path / "child.log").open("w")
    first = subprocess.Popen([sys.executable, "-m", "chronos", "ingest", "--data-dir", str(data),
                              str(media_path)], stdout=log, stderr=log, env=env)
    video_id = 1  # the first video of a fresh data folder
    kill_once_saved(first, db, video_id, at_least=3)
    with db.connection() as conn:
        seams = [drafts.load_draft(conn, video_id)]
    shown = (tmp_path / "second.out").open("w")
    second = subprocess.Popen([sys.executable, "-c", RESUME, str(data), str(video_id)],
                              stdout=shown, stderr=log, env=env)
    kill_once_saved(second, db, video_id, at_least=len(seams[0].segments) + 3)
    with db.connection() as conn:
        seams.append(drafts.load_draft(conn, video_id))
        assert videos.get_video(conn, video_id).status == "transcribing"  # killed half-done
        progress_at_kill = videos.get_video(conn, video_id).progress
        assert 0 < progress_at_kill < 1
    # The second run resumed: it kept every segment the first had saved, as saved.
    assert seams[1].segments[:len(seams[0].segments)] == seams[0].segments

    log.close()
    shown.close()
    done = subprocess.run([sys.executable, "-c", RESUME, str(data), str(video_id)], capture_output=True,
                          text=True, env=env, timeout=600)
    assert done.stdout.splitlines()[-1] == "completed", done.stderr[-3000:]
    # Each run went on from where the last had saved, progress too: none started again from 0.
    duration_s = spoken["duration_s"]
    for run, draft in (((tmp_path / "second.out").read_text(), seams[0]), (done.stdout, seams[1])):
        progress = [float(line.split()[1]) for line in run.splitlines() if line.startswith("progress")]
        assert progress and min(progress) >= draft.decoded_until_s / duration_s - 0.01, (progress, draft)

    with db.connection() as conn:
        video = videos.get_video(conn, video_id)
        got = transcripts.load_segments(conn, video_id)
        runs = stages.list_stages(conn, video_id)
        assert drafts.load_draft(conn, video_id) is None  # the draft went with the saved transcript
    db.close()
    # Two crashes are not failed attempts: the video completed in its first.
    assert video.attempts == 1
    assert all(r.attempt == 1 for r in runs)
    # No stage run is left open; the two killed ones say they were interrupted.
    assert all(r.finished_at for r in runs)
    transcribes = [r for r in runs if r.stage == "transcribe"]
    assert [r.error for r in transcribes] == [INTERRUPTED_NOTE, INTERRUPTED_NOTE, None]
    assert all(r.finished_at >= r.started_at and r.seconds >= 0 for r in transcribes)
    # The final transcript starts with what the second run had saved (which starts with the first's).
    assert got[:len(seams[1].segments)] == seams[1].segments

    # Times only go forward, and no stretch of speech went missing at a seam (or anywhere).
    for before, after in zip(got, got[1:]):
        assert after.start_s >= before.end_s - TIMING_SLACK_S, (before, after)
        assert after.end_s > before.end_s
    sentences = spoken["sentences"]
    longest_pause = max(b["start_s"] - a["end_s"] for a, b in zip(sentences, sentences[1:]))
    for before, after in zip(got, got[1:]):
        assert after.start_s - before.end_s <= longest_pause + TIMING_SLACK_S, (before, after)
    assert got[0].start_s <= sentences[0]["start_s"] + TIMING_SLACK_S
    assert got[-1].end_s >= sentences[-1]["end_s"] - TIMING_SLACK_S

    reference = transcriber.transcribe(media.load_audio(media_path)).segments  # uninterrupted
    for draft in seams:
        seam = draft.decoded_until_s
        kept, resumed = len(draft.segments), got[len(draft.segments)]
        assert resumed.start_s >= seam - TIMING_SLACK_S
        # Nothing heard twice: the words either side of the seam do not repeat each other.
        tail, head = words(got[kept - 1].text)[-3:], words(resumed.text)[:3]
        assert tail != head and words(got[kept - 1].text) != words(resumed.text), (got[kept - 1], resumed)
        # Around the seam the words are those of the uninterrupted run, none lost and none added.
        near = [w for s in got for w in words(s.text) if seam - 15 <= s.start_s <= seam + 15]
        also = [w for s in reference for w in words(s.text) if seam - 15 <= s.start_s <= seam + 15]
        assert abs(len(near) - len(also)) <= 3, (near, also)
        assert SequenceMatcher(None, near, also, autojunk=False).ratio() >= 0.8, (near, also)

    heard, uninterrupted = " ".join(s.text for s in got), " ".join(s.text for s in reference)
    assert SequenceMatcher(None, words(heard), words(uninterrupted), autojunk=False).ratio() >= 0.9
    truth = " ".join(s["text"] for s in sentences)
    assert wer(truth, heard) <= wer(truth, uninterrupted) + 0.03


# -- crashes, failures and drafts, in this process ---------------------------------------------
def crash_during(services, video_id: int, stage: str = "transcribe") -> None:
    """What a kill -9 in the middle of a stage leaves in the database (as the test above finds
    it): the stage's run started and never finished, the attempt not counted, and the progress
    written last as its last sign of life."""
    with services.db.connection() as conn:
        attempt = videos.next_attempt(conn, video_id)
        videos.set_status(conn, video_id, "transcribing", progress=0.0)
        stages.start_stage(conn, video_id, stage, attempt)
        videos.set_progress(conn, video_id, 0.5)


class FailingOnce:
    """The real transcriber, except that the first call fails after `after` decoded steps (a
    driver error, say) and every call's resume point is noted (an observation, not a fake)."""

    def __init__(self, inner, after: int):
        self.inner, self.after = inner, after
        self.resumed_from: list[int] = []

    def __getattr__(self, name):
        return getattr(self.inner, name)

    def transcribe(self, audio, on_progress=None, *, on_decoded=None, resume=(), **options):
        self.resumed_from.append(len(resume))
        steps = []

        def counted(language, segments):
            on_decoded(language, segments)
            steps.append(segments)
            if len(self.resumed_from) == 1 and len(steps) == self.after:
                raise RuntimeError("CUDA error: an illegal memory access was encountered")

        return self.inner.transcribe(audio, on_progress, on_decoded=counted, resume=resume, **options)


def test_crashes_are_closed_as_interrupted_and_not_counted_while_failures_are(services, transcriber):

    video = add_video(services, "interest.mp4")
    for _ in range(5):
        crash_during(services, video.id)
    services.runner.pipeline.transcriber = failing = FailingOnce(transcriber, after=2)
    outcome = services.runner.attempt(video.id)  # five crashes, then a real failure
    assert outcome.retry_in is not None and "illegal memory access" in outcome.error
    with services.db.connection() as conn:
        failed = videos.get_video(conn, video.id)
        runs = stages.list_stages(conn, video.id)
        kept = drafts.load_draft(conn, video.id)
    assert failed.attempts == 1 and failed.error.startswith("Attempt 1 failed")  # not "Attempt 6"
    crashed = runs[:5]
    assert all(r.error == INTERRUPTED_NOTE and r.finished_at and r.attempt == 1 for r in crashed)
    # Each ends when it was last seen working, and never after the next run began.
    assert all(r.finished_at <= nxt.started_at for r, nxt in zip(runs, runs[1:]))
    assert [r.error for r in runs[5:]] == [None, None, "CUDA error: an illegal memory access was "
                                           "encountered"]  # probe, audio, transcribe
    assert kept is not None and len(kept.segments) >= 2  # what it decoded before failing is kept

    assert services.runner.attempt(video.id).status == "completed"
    assert failing.resumed_from == [0, len(kept.segments)]  # the retry decoded only the rest
    with services.db.connection() as conn:
        done = videos.get_video(conn, video.id)
        assert drafts.load_draft(conn, video.id) is None
        heard = " ".join(s.text for s in transcripts.load_segments(conn, video.id))
        assert all(r.finished_at for r in stages.list_stages(conn, video.id))
    assert done.attempts == 2  # the failure and the success; none of the five crashes
    truth = " ".join(s["text"] for s in sidecar("interest.mp4")["sentences"])
    assert wer(truth, heard) < 0.15


def test_a_resumed_re_transcription_still_gets_the_creators_corrections(services, transcriber):
    from chronos.models import creators
    from chronos.operations import transcripts as transcript_ops
    from chronos.operations import videos as video_ops
    from tests.conftest import process

    video = add_video(services, "photosynthesis.mp4")
    assert process(services, video.id).status == "completed"
    with services.db.connection() as conn:
        owner = creators.local_creator(conn).id
        index, line = next((i, s) for i, s in enumerate(transcripts.load_segments(conn, video.id))
                           if "chlorophyll" in s.text.lower())
    fixed = line.text.lower().replace("chlorophyll", "pheophytin")
    transcript_ops.edit_segment(services, owner, video.id, index, fixed)
    video_ops.reprocess(services, owner, video.id)
    # The re-transcription fails once the edited moment is decoded (and saved); the retry resumes.
    services.runner.pipeline.transcriber = failing = FailingOnce(transcriber, after=index + 1)
    assert services.runner.attempt(video.id).retry_in is not None
    assert services.runner.attempt(video.id).status == "completed"
    assert failing.resumed_from[0] == 0 and failing.resumed_from[1] > index
    with services.db.connection() as conn:
        after = transcripts.load_segments(conn, video.id)
    assert any(s.text == fixed for s in after)
    assert not any("chlorophyll" in s.text.lower() for s in after)


def test_a_video_that_crashes_chronos_again_and_again_fails_with_a_reason(services):
    from chronos.pipeline.jobs import INTERRUPTION_LIMIT

    video = add_video(services, "rivers.m4a")
    for _ in range(INTERRUPTION_LIMIT):
        crash_during(services, video.id, stage="embed")
    outcome = services.runner.attempt(video.id)
    assert outcome.status == "failed"
    with services.db.connection() as conn:
        failed = videos.get_video(conn, video.id)
    assert f"cut short {INTERRUPTION_LIMIT} times in a row" in failed.error and "Retry" in failed.error
    assert failed.attempts == 1


def test_a_draft_of_another_model_or_a_reprocess_starts_over(services, transcriber):
    from chronos.models import creators
    from chronos.operations import videos as video_ops

    video = add_video(services, "rivers.m4a")
    with services.db.connection() as conn:
        drafts.append_segments(conn, video.id, model="base", language="en", segments=[
            transcripts.Segment(0.5, 3.0, "Something another model heard.")])
    services.runner.pipeline.transcriber = seen = FailingOnce(transcriber, after=10_000)
    assert services.runner.attempt(video.id).status == "completed"
    assert seen.resumed_from == [0]  # base's draft was not resumed by tiny.en
    with services.db.connection() as conn:
        assert "another model" not in " ".join(s.text for s in transcripts.load_segments(conn, video.id))
        drafts.append_segments(conn, video.id, model="tiny.en", language="en", segments=[
            transcripts.Segment(0.5, 3.0, "A failed run's words.")])
        owner = creators.local_creator(conn).id
    video_ops.reprocess(services, owner, video.id)  # from the start, as its docstring promises
    with services.db.connection() as conn:
        assert drafts.load_draft(conn, video.id) is None


def test_migration_15_closes_the_runs_earlier_crashes_left_open(tmp_path):
    from chronos.db import _split_sql, connect, migrate
    from chronos.models.schema import MIGRATIONS

    conn = connect(tmp_path / "old.db")
    conn.execute("CREATE TABLE schema_migrations (number INTEGER PRIMARY KEY, name TEXT NOT NULL,"
                 " applied_at TEXT NOT NULL DEFAULT 'then')")
    for number, name, sql in [m for m in MIGRATIONS if m[0] < 15]:
        for statement in _split_sql(sql):
            conn.execute(statement)
        conn.execute("INSERT INTO schema_migrations(number, name) VALUES (?, ?)", (number, name))
    conn.executescript("""
      INSERT INTO creators(id, name) VALUES (1, 'Ada');
      INSERT INTO videos(id, creator_id, title, original_filename, media_path, container, size_bytes, status, attempts)
        VALUES (1, 1, 'Killed twice', 'k.mp4', 'k.mp4', 'mp4', 1, 'completed', 3),
               (2, 1, 'Killed now', 'n.mp4', 'n.mp4', 'mp4', 1, 'transcribing', 1);
      INSERT INTO processing_stages(id, video_id, stage, attempt, started_at, finished_at, seconds) VALUES
        (1, 1, 'transcribe', 1, '2026-11-02T10:00:00.000Z', NULL, NULL),
        (2, 1, 'probe', 2, '2026-11-02T10:05:00.000Z', NULL, NULL),
        (3, 1, 'probe', 3, '2026-11-02T10:07:30.000Z', '2026-11-02T10:07:31.000Z', 1.0),
        (4, 2, 'transcribe', 1, '2026-11-02T11:00:00.000Z', NULL, NULL);
    """)
    assert 15 in migrate(conn)
    rows = [tuple(r) for r in conn.execute("SELECT id, finished_at, seconds, error IS ? FROM processing_stages"
                                           " ORDER BY id", (INTERRUPTED_NOTE,))]
    assert rows == [(1, "2026-11-02T10:05:00.000Z", 300.0, 1), (2, "2026-11-02T10:07:30.000Z", 150.0, 1),
                    (3, "2026-11-02T10:07:31.000Z", 1.0, 0),
                    (4, None, None, 0)]  # the last run of an unfinished video: its next attempt closes it
