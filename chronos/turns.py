"""Taking turns: at most `n` threads inside at once, the others waiting in the order they came.

Python runs one thread at a time. When a class of 200 asks at once, 200 answering threads that
all run share that one core by the interpreter's 5 ms slices: every answer is slowed by every
other, pages and heartbeats wait their slice behind all of them, and the switching itself costs
CPU. Through `Turns`, the ones beyond `n` sleep (costing nothing) until a turn is handed to them,
first come first served, so each answer runs nearly alone and the ones ahead finish first.

A turn is for work on this computer. Around a wait for another server (every Whop and Claude
request) `outside_turn()` hands the thread's turn to the next in line and queues again
for one afterwards, so a slow network holds no one up.
"""
from __future__ import annotations

import threading
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager


_held = threading.local()  # the Turns whose turn this thread holds, if any


class Turns:
    """A fair semaphore: `with turns.turn():` runs the block when one of the `n` turns is free."""

    def __init__(self, n: int):
        if n < 1:
            raise ValueError("at least one turn")
        self._lock = threading.Lock()
        self._free = n
        self._waiting: deque[threading.Lock] = deque()  # each waiter's own lock, held until its turn

    @contextmanager
    def turn(self) -> Iterator[None]:
        self._take()
        outer, _held.turns = getattr(_held, "turns", None), self
        try:
            yield
        finally:
            _held.turns = outer
            self._give()

    def _take(self) -> None:
        with self._lock:
            if self._free and not self._waiting:
                self._free -= 1
                return
            mine = threading.Lock()
            mine.acquire()
            self._waiting.append(mine)
        mine.acquire()  # released by the one handing its turn over

    def _give(self) -> None:
        with self._lock:
            if self._waiting:
                self._waiting.popleft().release()  # the turn goes straight to the next in line
            else:
                self._free += 1


@contextmanager
def outside_turn() -> Iterator[None]:
    """Run the block without this thread's turn (if it holds one), then wait in line for one again."""
    turns = getattr(_held, "turns", None)
    if turns is None:
        yield
        return
    turns._give()
    _held.turns = None
    try:
        yield
    finally:
        turns._take()
        _held.turns = turns
