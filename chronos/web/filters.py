"""Template helpers: times, sizes and the like, written the way people read them."""
from __future__ import annotations

from flask import Flask

from chronos import languages
from chronos.models.states import VideoStatus
from chronos.timefmt import clock, human_bytes


STATUS_LABELS = {VideoStatus.PENDING: "Queued", VideoStatus.TRANSCRIBING: "Transcribing",
                 VideoStatus.CHUNKING: "Splitting into passages", VideoStatus.EMBEDDING: "Indexing",
                 VideoStatus.COMPLETED: "Ready", VideoStatus.FAILED: "Failed"}


def register(app: Flask) -> None:
    app.jinja_env.filters["status_label"] = lambda s: STATUS_LABELS.get(s, s)
    app.jinja_env.filters["clock"] = clock
    app.jinja_env.filters["bytes"] = human_bytes
    # "es" -> "Spanish" (the facts) and "Español" (a caption track, a choice); None -> a dash / English.
    app.jinja_env.filters["language_name"] = lambda code: languages.name(code) if code else "–"
    app.jinja_env.filters["language_native"] = lambda code: languages.NATIVE.get(code, code or "English")
    app.jinja_env.globals["language_choices"] = [(code, languages.NATIVE[code]) for code in languages.CHOICES]
