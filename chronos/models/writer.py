"""The one writer: a thread that owns a connection and applies the frequent writes in batches.

A class's heartbeats, "last active" stamps, questions, answers and their analytics would each
take SQLite's one write lock from their own request thread; waiters sleep in SQLite's busy handler
(1, 2, 5 … 100 ms naps) and miss the moments the lock is free, so under load a one-millisecond
write could wait seconds. Instead (Datasette's write thread, datasette/database.py) requests hand
the write to this thread as a function of a connection and either wait for its result (`call`)
or go on (`defer`). The thread takes whatever has queued — plus what arrives within WINDOW_S —
and applies it in one `BEGIN IMMEDIATE … COMMIT`, each write in its own savepoint, so one failing
write undoes only itself. A class's 1,200 heartbeats are a few dozen short transactions, and no
request thread waits for the lock.

Durability: a result is handed back only after its batch committed (WAL, synchronous=NORMAL:
safe across a crash of the process), so a heartbeat, question or answer that was answered is
stored. Deferred writes (the last-active stamps) still queued when the process dies are lost:
what queued during one batch, normally a few milliseconds, under a full class a fraction of a
second; the next request of each student writes its stamp again.
`close()` (a graceful stop, and interpreter exit) applies everything queued first; a write
submitted after close runs on the caller's own connection, in its own transaction.
"""
from __future__ import annotations

import atexit
import logging
import queue
import threading
import time
import weakref
from collections.abc import Callable, Hashable
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import Any, TypeVar

from chronos.db import Connection, Database, transaction

log = logging.getLogger(__name__)
T = TypeVar("T")

WINDOW_S = 0.002     # after the first write, wait this long for more to share its transaction
MAX_BATCH_S = 0.04   # commit after this much applying, so a waiting writer elsewhere waits little
MAX_BATCH = 500


@dataclass
class _Job:
    fn: Callable[[Connection], Any]
    future: Future | None = None                       # `call`: the caller waits on it
    key: Hashable | None = None                         # a deferred write pending once per key
    queued_at: float = field(default_factory=time.perf_counter)


@dataclass
class WriterStats:
    """What the writer has done since it started (read by bench/lock_probe.py, logged at close)."""
    jobs: int = 0
    batches: int = 0
    largest_batch: int = 0
    max_wait_s: float = 0.0       # queued -> committed, the longest any write waited
    failed: int = 0


class _Stop:
    """The sentinel that ends the thread's loop once everything before it is applied."""


class Writer:
    """The one thread that applies the frequent writes of a Database, in batched transactions."""

    def __init__(self, db: Database):
        self.db = db
        self.stats = WriterStats()
        self._queue: queue.SimpleQueue = queue.SimpleQueue()
        self._pending: set[Hashable] = set()   # keys of deferred writes not applied yet
        self._lock = threading.Lock()          # the thread's start and stop, and _pending
        self._thread: threading.Thread | None = None
        self._conn: Connection | None = None   # the thread's connection, while it applies a batch
        self._closed = False

    def call(self, fn: Callable[[Connection], T]) -> T:
        """Apply fn(conn) in the writer's transaction and return its result once committed.

        fn must only read and write the database (it runs while the write lock is held) and raises
        to undo its own writes. The caller must not have a transaction open: the writer would wait
        for that transaction's lock while the caller waits for the writer.
        """
        if threading.current_thread() is self._thread:  # a write made by a write: join it
            with transaction(self._conn) as conn:
                return fn(conn)
        if self.db.in_transaction():
            raise RuntimeError("Writer.call inside an open transaction would wait on itself")
        future: Future = Future()
        if not self._enqueue(_Job(fn, future=future)):
            return self._apply_alone(fn)
        return future.result()

    def defer(self, fn: Callable[[Connection], Any], *, key: Hashable | None = None) -> None:
        """Apply fn(conn) soon, without waiting. A write whose key is already pending is dropped:
        the pending one does the same."""
        if key is not None:
            with self._lock:
                if key in self._pending:
                    return
                self._pending.add(key)
        if not self._enqueue(_Job(fn, key=key)):
            self._forget(key)
            self._apply_alone(fn)

    def flush(self) -> None:
        """Return once every write submitted before this call is committed (or has failed)."""
        if threading.current_thread() is not self._thread and self._running():
            self.call(lambda conn: None)

    def close(self) -> None:
        """Apply everything queued, then stop the thread; later writes run on the caller's thread."""
        with self._lock:
            self._closed = True
            thread = self._thread
        if thread is not None and thread.is_alive() and thread is not threading.current_thread():
            self._queue.put(_Stop)
            thread.join()
            log.info("writer: %d writes in %d transactions (largest %d, longest wait %.0f ms, %d failed)",
                     self.stats.jobs, self.stats.batches, self.stats.largest_batch,
                     self.stats.max_wait_s * 1000, self.stats.failed)

    # -- the thread ------------------------------------------------------------------------------

    def _running(self) -> bool:
        with self._lock:
            return self._thread is not None and not self._closed

    def _enqueue(self, job: _Job) -> bool:
        """Queue a job, starting the thread on first use; False once the writer is closed."""
        with self._lock:
            if self._closed:
                return False
            if self._thread is None or not self._thread.is_alive():  # first use (or it died: a bug)
                if self._thread is None:
                    atexit.register(_close_at_exit, weakref.ref(self))
                self._thread = threading.Thread(target=self._loop, name="chronos-writer", daemon=True)
                self._thread.start()
            self._queue.put(job)  # under the lock: close() puts its sentinel after every job
        return True

    def _apply_alone(self, fn: Callable[[Connection], T]) -> T:
        with self.db.connection() as conn, transaction(conn):
            return fn(conn)

    def _loop(self) -> None:
        stop = False
        while not stop:
            batch = [self._queue.get()]
            deadline = time.perf_counter() + WINDOW_S
            while batch[-1] is not _Stop and len(batch) < MAX_BATCH:
                try:  # what queued while the last batch ran, and what comes within the window
                    batch.append(self._queue.get(timeout=max(0.0, deadline - time.perf_counter())))
                except queue.Empty:
                    break
            if batch[-1] is _Stop:
                batch.pop()
                stop = True
            while batch:
                batch = self._apply(batch)

    def _apply(self, batch: list[_Job]) -> list[_Job]:
        """Apply jobs in one transaction until MAX_BATCH_S has passed; returns the jobs left over."""
        done: list[tuple[_Job, bool, Any]] = []
        try:
            with self.db.connection() as conn:
                self._conn = conn
                with transaction(conn):
                    t0 = time.perf_counter()
                    for job in batch:
                        done.append((job, *self._run(conn, job)))
                        if time.perf_counter() - t0 > MAX_BATCH_S:
                            break
        except _TransactionLost as lost:
            if len(batch) > 1:
                return self._one_by_one(batch)
            done = [(batch[0], False, lost.__cause__)]
        except Exception as exc:  # noqa: BLE001 - BEGIN or COMMIT failed: nothing of the batch landed
            if len(batch) > 1:
                return self._one_by_one(batch)
            done = [(batch[0], False, exc)]
        self._settle(done)
        return batch[len(done):]

    def _one_by_one(self, batch: list[_Job]) -> list[_Job]:
        """After a batch failed as a whole, each job in its own transaction: its failure is its own."""
        for job in batch:
            self._apply([job])
        return []

    @staticmethod
    def _run(conn: Connection, job: _Job) -> tuple[bool, Any]:
        try:
            with transaction(conn):  # a savepoint in the batch's transaction
                return True, job.fn(conn)
        except Exception as exc:  # noqa: BLE001 - the job's own failure, handed to its caller
            if not conn.in_transaction:  # it ended the whole transaction (a full disk): start over
                raise _TransactionLost from exc
            return False, exc

    def _settle(self, done: list[tuple[_Job, bool, Any]]) -> None:
        now = time.perf_counter()
        self.stats.batches += 1
        self.stats.jobs += len(done)
        self.stats.largest_batch = max(self.stats.largest_batch, len(done))
        for job, ok, value in done:
            self.stats.max_wait_s = max(self.stats.max_wait_s, now - job.queued_at)
            self._forget(job.key)
            if not ok:
                self.stats.failed += 1
            if job.future is not None:
                job.future.set_result(value) if ok else job.future.set_exception(value)
            elif not ok:
                log.error("a deferred write failed", exc_info=value)

    def _forget(self, key: Hashable | None) -> None:
        if key is not None:
            with self._lock:
                self._pending.discard(key)


class _TransactionLost(Exception):
    """A job's error ended the batch's whole transaction: its earlier jobs were rolled back too."""


def _close_at_exit(ref: weakref.ref) -> None:
    writer = ref()
    if writer is not None:
        writer.close()
