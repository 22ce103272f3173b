"""The one JSON error shape of every API route, and where OperationError becomes it."""
from __future__ import annotations

from flask import Flask, jsonify, request
from werkzeug.exceptions import HTTPException, default_exceptions

from chronos.operations import OperationError
from chronos.timefmt import human_bytes
from chronos.web import services


def error(message: str, status: int):
    """{"error": message, "status": status} with that HTTP status."""
    return jsonify(error=message, status=status), status


def register(app: Flask) -> None:
    """Answer errors escaping a route: JSON on /api/, the error page elsewhere."""

    @app.errorhandler(OperationError)
    def operation_error(exc: OperationError):
        if request.path.startswith("/api/"):
            return error(exc.message, exc.status)
        return default_exceptions.get(exc.status, default_exceptions[400])(exc.message)

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        if request.path.startswith("/api/"):
            message = exc.description
            if exc.code == 413:  # Werkzeug refused the body before reading it
                message = f"The upload is larger than the {human_bytes(services().settings.max_upload_bytes)} limit."
            return error(message, exc.code)
        return exc
