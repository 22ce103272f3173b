"""Template helpers: times, sizes and the like, written the way people read them."""
from __future__ import annotations

from flask import Flask

from chronos.pipeline.ingest import human_bytes


def clock(seconds: float | None) -> str:
    """83.4 -> '1:23'; 3723 -> '1:02:03'."""
    if seconds is None:
        return "–"
    s = int(seconds)
    h, rem = divmod(s, 3600)
    m, s = divmod(rem, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m}:{s:02d}"


STATUS_LABELS = {"pending": "Queued", "transcribing": "Transcribing", "chunking": "Splitting into passages",
                 "embedding": "Indexing", "completed": "Ready", "failed": "Failed"}


def register(app: Flask) -> None:
    app.jinja_env.filters["status_label"] = lambda s: STATUS_LABELS.get(s, s)
    app.jinja_env.filters["clock"] = clock
    app.jinja_env.filters["bytes"] = human_bytes
