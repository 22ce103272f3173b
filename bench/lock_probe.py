"""`chronos serve` with every wait for SQLite's write lock timed, for bench/load.py.

    python bench/lock_probe.py serve --data-dir DIR --port N --no-browser   (LOCK_PROBE_OUT=FILE)

Every connection Chronos opens is made with a subclass of sqlean's Connection whose execute()
times each `BEGIN IMMEDIATE` (the wait for the write lock: SQLite's busy handler sleeps inside
it, but the time also holds the wait to take the GIL back once SQLite returns) and counts
"database is locked" errors; a BEGIN that started while another connection of the process held
the write lock counts as contended (the waits for the lock itself); the writer's queue waits (queued -> committed) are
taken from chronos.models.writer, and each question's wait for its answer turn (chronos/turns.py)
from Turns.turn. On SIGUSR1 the process writes what it measured since the last
SIGUSR1 to LOCK_PROBE_OUT as JSON and starts counting afresh, so the caller brackets the part it
measures with two signals. The extra Python frame per statement costs a few microseconds.
"""
from __future__ import annotations

import json
import os
import signal
import sys
import threading
import time
from collections import Counter
from contextlib import contextmanager
from pathlib import Path

import sqlean

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
SLOW_S = 0.1  # waits longer than this are attributed to the Chronos function that began them

_lock = threading.Lock()
_waits: list[float] = []
_contended: list[float] = []  # the waits that began while another connection held the write lock
_holding: set[int] = set()  # connections (id) with a write transaction open
_slow_sites: Counter[str] = Counter()
_locked_errors = 0
_writer_waits: list[float] = []
_writer_batches: list[int] = []
_writer_applies: list[float] = []  # how long each of the writer's transactions took, BEGIN to COMMIT
_writer_pickups: list[float] = []  # each write's wait until a transaction began with it in it
_turn_waits: list[float] = []  # how long each question waited for its answer turn (chronos/turns.py)


def _site() -> str:
    """The innermost Chronos function outside db.py on the calling stack."""
    frame = sys._getframe(2)
    while frame is not None:
        name = frame.f_code.co_filename
        if "/chronos/" in name and not name.endswith("/chronos/db.py"):
            return f"{name.rsplit('/chronos/', 1)[1]}:{frame.f_code.co_name}"
        frame = frame.f_back
    return "?"


class TimedConnection(sqlean.Connection):
    """A connection that times its BEGIN IMMEDIATEs and counts lock errors."""

    def execute(self, sql, *args):
        global _locked_errors
        begin = sql == "BEGIN IMMEDIATE"
        if begin:
            with _lock:
                held = bool(_holding)
        t0 = time.perf_counter()
        try:
            cursor = super().execute(sql, *args)
            ended = not begin and id(self) in _holding and not self.in_transaction
            if begin or ended:
                with _lock:
                    (_holding.add if begin else _holding.discard)(id(self))
            return cursor
        except sqlean.OperationalError as exc:
            if "locked" in str(exc):
                with _lock:
                    _locked_errors += 1
            raise
        finally:
            if begin:
                waited = time.perf_counter() - t0
                site = _site() if waited > SLOW_S else None
                with _lock:
                    _waits.append(waited)
                    if held:
                        _contended.append(waited)
                    if site:
                        _slow_sites[site] += 1


def _ms(values: list[float], q: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000, 2)


def _dump(_signum, _frame) -> None:
    """Write what was measured since the last dump, and start afresh."""
    global _locked_errors
    with _lock:
        waits, sites, errors = list(_waits), _slow_sites.most_common(10), _locked_errors
        contended, writer_waits, batches = list(_contended), list(_writer_waits), list(_writer_batches)
        turn_waits, applies, pickups = list(_turn_waits), list(_writer_applies), list(_writer_pickups)
        for kept in (_waits, _contended, _slow_sites, _writer_waits, _writer_batches, _turn_waits,
                     _writer_applies, _writer_pickups):
            kept.clear()
        _locked_errors = 0
    out = Path(os.environ["LOCK_PROBE_OUT"])
    tmp = out.with_suffix(".tmp")
    tmp.write_text(json.dumps({
        "begin_immediate": {"count": len(waits), "p50_ms": _ms(waits, 0.5), "p95_ms": _ms(waits, 0.95),
                            "max_ms": _ms(waits, 1.0), "over_100ms": sum(w > SLOW_S for w in waits),
                            "slow_sites": sites,
                            # Began while another connection held the lock: a wait for the lock.
                            # The others can only have waited for the GIL after SQLite returned.
                            "contended": {"count": len(contended), "p95_ms": _ms(contended, 0.95),
                                          "max_ms": _ms(contended, 1.0),
                                          "over_100ms": sum(w > SLOW_S for w in contended)}},
        "locked_errors": errors,
        "writer": {"writes": len(writer_waits), "transactions": len(batches),
                   "largest_batch": max(batches, default=0),
                   "wait_p50_ms": _ms(writer_waits, 0.5), "wait_p95_ms": _ms(writer_waits, 0.95),
                   "wait_max_ms": _ms(writer_waits, 1.0),
                   # What the wait is made of: until the write's transaction began, and how long
                   # the transactions took.
                   "pickup_p95_ms": _ms(pickups, 0.95), "transaction_p50_ms": _ms(applies, 0.5),
                   "transaction_p95_ms": _ms(applies, 0.95), "transaction_max_ms": _ms(applies, 1.0)},
        "answer_turns": {"count": len(turn_waits), "wait_p50_ms": _ms(turn_waits, 0.5),
                         "wait_p95_ms": _ms(turn_waits, 0.95), "wait_max_ms": _ms(turn_waits, 1.0)},
    }))
    tmp.replace(out)


def _install() -> None:
    connect = sqlean.connect
    sqlean.connect = lambda *a, **kw: connect(*a, factory=TimedConnection, **kw)

    from chronos.models import writer

    settle = writer.Writer._settle

    def timed_settle(self, done):
        now = time.perf_counter()
        with _lock:
            _writer_waits.extend(now - job.queued_at for job, _, _ in done)
            _writer_batches.append(len(done))
        return settle(self, done)

    writer.Writer._settle = timed_settle
    apply = writer.Writer._apply

    def timed_apply(self, batch):
        t0 = time.perf_counter()
        try:
            return apply(self, batch)
        finally:
            with _lock:
                _writer_applies.append(time.perf_counter() - t0)
                _writer_pickups.extend(t0 - job.queued_at for job in batch)

    writer.Writer._apply = timed_apply

    from chronos import turns

    take = turns.Turns.turn

    @contextmanager
    def timed_turn(self):
        t0 = time.perf_counter()
        with take(self):
            with _lock:
                _turn_waits.append(time.perf_counter() - t0)
            yield

    turns.Turns.turn = timed_turn
    signal.signal(signal.SIGUSR1, _dump)


if __name__ == "__main__":
    _install()
    from chronos.cli import main

    sys.exit(main(sys.argv[1:]))
