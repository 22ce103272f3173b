"""An in-memory sliding-window limiter (one process serves Chronos, so memory is the right place)."""
from __future__ import annotations

import threading
import time
from collections import deque


class RateLimiter:
    """Allows `limit` events per key within `window_s` seconds."""

    def __init__(self, limit: int, window_s: float, clock=time.monotonic):
        self.limit, self.window_s, self.clock = limit, window_s, clock
        self._events: dict[str, deque] = {}
        self._lock = threading.Lock()

    def _trim(self, key: str, now: float) -> deque:
        q = self._events.setdefault(key, deque())
        while q and now - q[0] >= self.window_s:
            q.popleft()
        return q

    def retry_after(self, key: str) -> float:
        """Seconds until key may try again; 0 when it may now."""
        with self._lock:
            now = self.clock()
            q = self._trim(key, now)
            return 0.0 if len(q) < self.limit else self.window_s - (now - q[0])

    def hit(self, key: str) -> None:
        """Count one event (a failed sign-in, say)."""
        with self._lock:
            self._trim(key, self.clock()).append(self.clock())

    def reset(self, key: str) -> None:
        with self._lock:
            self._events.pop(key, None)
