"""An in-process publish/subscribe bus for live updates (pipeline progress to open pages)."""
from __future__ import annotations

import queue
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

Event = dict[str, Any]


class EventBus:
    """Fan-out of events to every current subscriber; slow subscribers drop old events."""

    def __init__(self, max_backlog: int = 1000):
        self._subscribers: set[queue.Queue] = set()
        self._lock = threading.Lock()
        self._max_backlog = max_backlog

    def publish(self, event: Event) -> None:
        """Deliver an event to every subscriber without ever blocking the publisher."""
        with self._lock:
            subscribers = list(self._subscribers)
        for q in subscribers:
            try:
                q.put_nowait(event)
            except queue.Full:
                # A stalled websocket must not stall the pipeline: drop its oldest event.
                try:
                    q.get_nowait()
                    q.put_nowait(event)
                except (queue.Empty, queue.Full):
                    pass

    @contextmanager
    def subscribe(self) -> Iterator[queue.Queue]:
        """A queue that receives every event published while the block runs."""
        q: queue.Queue = queue.Queue(maxsize=self._max_backlog)
        with self._lock:
            self._subscribers.add(q)
        try:
            yield q
        finally:
            with self._lock:
                self._subscribers.discard(q)

