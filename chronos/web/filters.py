"""Template helpers: times, sizes and the like, written the way people read them."""
from __future__ import annotations

from flask import Flask

from chronos.timefmt import clock, human_bytes


STATUS_LABELS = {"pending": "Queued", "transcribing": "Transcribing", "chunking": "Splitting into passages",
                 "embedding": "Indexing", "completed": "Ready", "failed": "Failed"}


def register(app: Flask) -> None:
    app.jinja_env.filters["status_label"] = lambda s: STATUS_LABELS.get(s, s)
    app.jinja_env.filters["clock"] = clock
    app.jinja_env.filters["bytes"] = human_bytes
