"""Chronos: a self-hosted, local-first AI video tutor for course creators."""
from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

from chronos.config import Settings, load_settings

if TYPE_CHECKING:
    from flask import Flask

__version__ = "0.1.0"

# Offline by design: never let a library reach for a model hub.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")


def create_app(config: Settings | dict[str, Any] | None = None, **shared_models: Any) -> Flask:
    """Build the Flask app and everything it runs on: settings, database, models, queue.

    shared_models (transcriber=, embedder=) lets several apps in one process share loaded models.
    """
    from chronos.services import build_services
    from chronos.web import build_app

    settings = config if isinstance(config, Settings) else load_settings(**(config or {}))
    services = build_services(settings, **shared_models)
    app = build_app(settings, services)
    if settings.run_scheduler:
        services.runner.start()
    return app
