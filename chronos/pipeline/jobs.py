"""The scheduler wiring: APScheduler runs pipeline attempts one at a time, persisted in SQLite."""
from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.background import BackgroundScheduler

from chronos.db import Database, transaction
from chronos.models import chapters, sentences, stages, usage, vector_index, videos
from chronos.models import transcript_edits as edit_store
from chronos.models.states import VideoStatus
from chronos.pipeline.chaptering import refresh_chapters
from chronos.pipeline.processor import (Interrupted, PermanentError, Pipeline, VideoGone, embed_sentences,
                                        process_video, publish_video)
from chronos.pipeline.reindex import Reindexed, index_event, reindex_video

log = logging.getLogger(__name__)

# APScheduler stores a job as a textual reference to a module-level function, so a job finds its
# live runner here by the data folder it belongs to. This is the only module-level state.
_RUNNERS: dict[str, "PipelineRunner"] = {}
# Crashes in a row of one attempt after which a video fails instead of being tried at every start
# (a video that makes Chronos crash would otherwise crash it again and again). Crashes are not
# failed attempts (max_retries) and each resumes from the work saved, so this is generous.
INTERRUPTION_LIMIT = 10


def run_video_job(runner_key: str, video_id: int) -> None:
    """The persisted job: one processing attempt of one video."""
    runner = _RUNNERS.get(runner_key)
    if runner is None:  # a job fired after its runner shut down; start-up recovery requeues it
        return
    outcome = runner.attempt(video_id)
    if outcome.retry_in is not None:
        runner.enqueue(video_id, delay_s=outcome.retry_in)


def run_backfill_job(runner_key: str) -> None:
    """The persisted job: store the sentence vectors completed videos are missing, then their
    chapters."""
    runner = _RUNNERS.get(runner_key)
    if runner is not None:
        runner.backfill_sentences()
        runner.backfill_chapters()


def run_reindex_job(runner_key: str, video_id: int) -> None:
    """The persisted job: bring a video's search data up to its corrected transcript."""
    runner = _RUNNERS.get(runner_key)
    if runner is not None:
        runner.reindex(video_id)


@dataclass(frozen=True)
class Outcome:
    status: str  # a VideoStatus, or "gone" when the video was deleted
    retry_in: float | None = None
    error: str | None = None


class PipelineRunner:
    """Owns the pipeline and its queue for one data folder."""

    def __init__(self, db: Database, pipeline: Pipeline, *, max_retries: int = 3,
                 retry_base_s: float = 5.0):
        self.db = db
        self.pipeline = pipeline
        self.max_retries = max_retries
        self.retry_base_s = retry_base_s
        self.key = str(db.path)
        # Heavy work one at a time, even when the CLI and the scheduler share a process.
        self._heavy = threading.Lock()
        self.scheduler: BackgroundScheduler | None = None

    # -- one attempt -----------------------------------------------------------------------------
    def attempt(self, video_id: int) -> Outcome:
        """Run one processing attempt; on failure decide between a retry and giving up.

        An attempt counts once it ends, in success or failure. One that a crash (or a stop) cut
        short never ended: this run carries it on under the same number, from the work saved,
        after closing the stage runs the crash left open as interrupted.
        """
        with self._heavy, self.db.connection() as conn:
            attempt = videos.next_attempt(conn, video_id)
            if attempt is None:
                return Outcome("gone")
            with transaction(conn):  # each crash left one stage run open, at most
                crashes = stages.close_interrupted(conn, video_id)
                in_a_row = videos.count_interruptions(conn, video_id, crashes) if crashes else 0
            if in_a_row >= INTERRUPTION_LIMIT:
                videos.count_attempt(conn, video_id, attempt)
                return self._fail(conn, video_id, f"Processing was cut short {in_a_row} times in a row: "
                                  "Chronos stopped (it crashed, was killed or lost power) while working on "
                                  "this video. See logs/chronos.log and check the machine's free memory, "
                                  "then press Retry.")
            try:
                video = process_video(video_id, conn=conn, pipeline=self.pipeline, attempt=attempt)
                videos.count_attempt(conn, video_id, attempt)
                return Outcome(video.status)
            except VideoGone:
                return Outcome("gone")
            except Interrupted:  # stopping: the stages done are kept; start() requeues the rest
                current = videos.get_video(conn, video_id)
                return Outcome(current.status if current else "gone")
            except PermanentError as exc:
                videos.count_attempt(conn, video_id, attempt)
                return self._fail(conn, video_id, str(exc))
            except Exception as exc:  # noqa: BLE001 - any other failure may be transient
                log.exception("video %s: attempt %s failed", video_id, attempt)
                videos.count_attempt(conn, video_id, attempt)
                reason = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
                if attempt > self.max_retries:
                    return self._fail(conn, video_id, f"Processing failed after {attempt} attempts. "
                                                      f"Last error: {reason}")
                delay = self.retry_base_s * 2 ** (attempt - 1)
                current = videos.get_video(conn, video_id)
                if current is None:
                    return Outcome("gone")
                videos.set_status(conn, video_id, current.status,
                                  error=f"Attempt {attempt} failed ({reason}); retrying in {delay:g} s.")
                publish_video(conn, video_id, self.pipeline.publish)
                return Outcome(current.status, retry_in=delay, error=reason)

    def _fail(self, conn, video_id: int, reason: str) -> Outcome:
        if videos.get_video(conn, video_id) is None:
            return Outcome("gone")
        with transaction(conn):  # failed before it ever completed: it gave nothing, its upload is given back
            videos.set_status(conn, video_id, VideoStatus.FAILED, error=reason)
            usage.refund_upload(conn, video_id)
        publish_video(conn, video_id, self.pipeline.publish)
        return Outcome(VideoStatus.FAILED, error=reason)

    def backfill_sentences(self) -> list[int]:
        """Store the sentences, their vectors and their context vectors of completed videos that
        lack them (a library older than migration 9 or 11); returns the videos done. Heavy work,
        so one at a time with the pipeline."""
        done = []
        with self._heavy, self.db.connection() as conn:
            for video_id in sentences.videos_needing_sentences(conn):
                if self.pipeline.stopping.is_set():
                    break  # the rest are done at the next start
                try:
                    self.pipeline.embedder.follow(vector_index.current(conn).embedder)
                    embed_sentences(conn, video_id, self.pipeline.embedder)
                    done.append(video_id)
                    publish_video(conn, video_id, self.pipeline.publish)
                except VideoGone:
                    pass
                except Exception:  # noqa: BLE001 - answers fall back to embedding these sentences
                    log.exception("video %s: storing sentence vectors failed", video_id)
        if done:
            log.info("backfill: stored sentence and context vectors for %d video(s) of an older library", len(done))
        return done

    def backfill_chapters(self) -> list[int]:
        """Chapter the completed videos that have none (a library older than migration 17) or whose
        unedited chapters an interrupted re-index left behind; returns the videos done. Light work
        (stored vectors, no model), so it does not wait for the heavy lock."""
        done = []
        with self.db.connection() as conn:
            for video_id in chapters.videos_needing_chapters(conn):
                if self.pipeline.stopping.is_set():
                    break
                try:
                    if refresh_chapters(conn, video_id, self.pipeline.titler):
                        done.append(video_id)
                except Exception:  # noqa: BLE001 - its page computes chapters meanwhile
                    log.exception("video %s: computing chapters failed", video_id)
        if done:
            log.info("backfill: chaptered %d video(s) of an older library", len(done))
        return done

    def reindex(self, video_id: int) -> Reindexed | None:
        """Re-index a video after a transcript edit (pipeline/reindex.py).

        Light work, since only changed texts are embedded, so it does not wait for the heavy lock
        and runs on its own executor thread: a correction follows in seconds even while an hour of
        lecture is being transcribed. A failure is logged and shown on the page; the video keeps
        its previous index and the re-index is tried again at the next start.
        """
        with self.db.connection() as conn:
            try:
                return reindex_video(video_id, conn=conn, embedder=self.pipeline.embedder,
                                     publish=self.pipeline.publish, titler=self.pipeline.titler)
            except Exception as exc:  # noqa: BLE001 - the old index keeps answering meanwhile
                log.exception("video %s: re-indexing failed", video_id)
                video = videos.get_video(conn, video_id)
                if video is not None:
                    self.pipeline.publish(index_event(video, edit_store.index_state(conn, video_id),
                                                      error=f"{type(exc).__name__}: {exc}"))
                return None

    def enqueue_reindex(self, video_id: int, revision: int) -> None:
        """Queue a re-index of a video as of a transcript revision.

        One job id per revision: APScheduler skips a job that fires while the same id still runs,
        and an edit landing at the end of a running re-index must still get its own.
        """
        if self.scheduler is None:
            raise RuntimeError("the scheduler is not running")
        self.scheduler.add_job(
            run_reindex_job, "date", args=[self.key, video_id], id=f"reindex-{video_id}-{revision}",
            executor="reindex", run_date=datetime.now(timezone.utc), replace_existing=True)

    def process_until_done(self, video_id: int, sleep: Callable[[float], None] = time.sleep) -> Outcome:
        """Attempt a video in this thread, waiting out retries (for the CLI and tests)."""
        while True:
            outcome = self.attempt(video_id)
            if outcome.retry_in is None:
                return outcome
            sleep(outcome.retry_in)

    # -- the queue -------------------------------------------------------------------------------
    def start(self) -> None:
        """Start the background scheduler and requeue everything unfinished (after any crash)."""
        self.pipeline.stopping.clear()
        self.scheduler = BackgroundScheduler(
            jobstores={"default": SQLAlchemyJobStore(engine=self._job_engine(),
                                                     tablename="apscheduler_jobs")},
            executors={"default": ThreadPoolExecutor(1), "reindex": ThreadPoolExecutor(1)},
            job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": None},
            timezone=timezone.utc)
        _RUNNERS[self.key] = self
        self.scheduler.start()
        self.recover()
        with self.db.connection() as conn:
            behind = bool(sentences.videos_needing_sentences(conn) or chapters.videos_needing_chapters(conn))
        if behind:
            self.scheduler.add_job(run_backfill_job, "date", args=[self.key], id="sentence-backfill",
                                   run_date=datetime.now(timezone.utc), replace_existing=True)

    def _job_engine(self):
        # The job store must use the same SQLite library as the rest of Chronos (sqlean): two
        # copies of SQLite in one process do not see each other's POSIX locks, and the file gets
        # corrupted (seen here after a kill -9 with the stdlib sqlite3 beside sqlean).
        import sqlean
        from sqlalchemy import create_engine

        return create_engine(f"sqlite:///{self.db.path}", module=sqlean)

    def recover(self) -> list[int]:
        """Queue every video left pending or half-done, keeping any retry already scheduled, and
        every re-index left undone."""
        with self.db.connection() as conn:
            ids = videos.unfinished_video_ids(conn)
            behind = {v: edit_store.index_state(conn, v).revision for v in edit_store.videos_behind(conn)}
        queued = []
        for video_id in ids:
            if self.scheduler.get_job(self._job_id(video_id)) is None:
                self.enqueue(video_id)
                queued.append(video_id)
        for video_id, revision in behind.items():  # a re-index cut short by a stop or a crash
            self.enqueue_reindex(video_id, revision)
        return queued

    def enqueue(self, video_id: int, delay_s: float = 0.0) -> None:
        """Queue one attempt of a video, replacing any queued one."""
        if self.scheduler is None:
            raise RuntimeError("the scheduler is not running")
        self.scheduler.add_job(
            run_video_job, "date", args=[self.key, video_id], id=self._job_id(video_id),
            run_date=datetime.now(timezone.utc) + timedelta(seconds=delay_s), replace_existing=True)

    def cancel(self, video_id: int) -> None:
        """Drop a queued attempt (the video was deleted)."""
        if self.scheduler is not None:
            try:
                self.scheduler.remove_job(self._job_id(video_id))
            except Exception:  # noqa: BLE001 - JobLookupError: nothing queued
                pass

    def shutdown(self, wait: bool = True) -> None:
        """Stop taking jobs; with wait, let the running stage finish (unfinished work resumes later)."""
        if self.scheduler is not None:
            self.scheduler.shutdown(wait=wait)
            self.scheduler = None
        _RUNNERS.pop(self.key, None)

    def stop(self, grace_s: float) -> bool:
        """Stop taking jobs and give the running stage up to grace_s to finish (the video's later
        stages wait for the next start).

        False when it is still running after that: the caller may exit anyway, and the unfinished
        stage resumes at the next start, exactly as after a crash.
        """
        self.pipeline.stopping.set()  # the running stage finishes; no further stage starts
        self.shutdown(wait=False)
        finished = self._heavy.acquire(timeout=max(grace_s, 0))
        if finished:
            self._heavy.release()
        return finished

    @staticmethod
    def _job_id(video_id: int) -> str:
        return f"video-{video_id}"
