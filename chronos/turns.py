"""Taking turns: at most `n` threads inside at once, the others waiting in the order they came.

Python runs one thread at a time. When a class of 200 asks at once, 200 answering threads that
all run share that one core by the interpreter's 5 ms slices: every answer is slowed by every
other, pages and heartbeats wait their slice behind all of them, and the switching itself costs
CPU. Through `Turns`, the ones beyond `n` sleep (costing nothing) until a turn is handed to them,
first come first served, so each answer runs nearly alone and the ones ahead finish first.
"""
from __future__ import annotations

import threading
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager


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
        with self._lock:
            if self._free and not self._waiting:
                self._free -= 1
                mine = None
            else:
                mine = threading.Lock()
                mine.acquire()
                self._waiting.append(mine)
        if mine is not None:
            mine.acquire()  # released by the one handing its turn over
        try:
            yield
        finally:
            with self._lock:
                if self._waiting:
                    self._waiting.popleft().release()  # the turn goes straight to the next in line
                else:
                    self._free += 1
