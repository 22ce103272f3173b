"""Chronos: a self-hosted, local-first AI video tutor for course creators."""
from __future__ import annotations

import os
from typing import Any

from flask import Flask

from chronos.config import Settings, load_settings

__version__ = "0.1.0"

# Offline by design: never let a library reach for a model hub.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")


def create_app(config: Settings | dict[str, Any] | None = None, **shared_models: Any) -> Flask:
    """Build the Flask app and everything it runs on: settings, database, models, queue.

    shared_models (transcriber=, embedder=) lets several apps in one process share loaded models.
    """
    from chronos.services import build_services
    from chronos.web import register_web

    settings = config if isinstance(config, Settings) else load_settings(**(config or {}))
    app = Flask(__name__)
    app.config.update(
        SECRET_KEY=settings.secret_key,
        # Werkzeug refuses a body larger than this before reading it; the per-file check in
        # ingest gives the precise message.
        MAX_CONTENT_LENGTH=settings.max_upload_bytes + 10 * 1024 * 1024,
        MAX_FORM_MEMORY_SIZE=1024 * 1024,
        SESSION_COOKIE_HTTPONLY=True,
        # Served over HTTPS (a tunnel), cookies must also work inside Whop's third-party iframe.
        SESSION_COOKIE_SECURE=settings.public_url.startswith("https://"),
        SESSION_COOKIE_SAMESITE="None" if settings.public_url.startswith("https://") else "Lax",
        SEND_FILE_MAX_AGE_DEFAULT=0,
    )
    if settings.proxy_hops > 0:
        from werkzeug.middleware.proxy_fix import ProxyFix

        n = settings.proxy_hops
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n, x_host=n)
    services = build_services(settings, **shared_models)
    app.extensions["chronos"] = services
    register_web(app)
    if settings.run_scheduler:
        services.runner.start()
    return app
