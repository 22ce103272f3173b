"""The one JSON error shape of every API route, and where OperationError becomes it."""
from __future__ import annotations

from flask import Flask, jsonify, render_template, request
from werkzeug.exceptions import HTTPException, default_exceptions

from chronos.operations import OperationError
from chronos.timefmt import human_bytes
from chronos.web import json_input, services
from chronos.web.schemas import ID_MAX


def error(message: str, status: int):
    """{"error": message, "status": status} with that HTTP status."""
    return jsonify(error=message, status=status), status


def register(app: Flask) -> None:
    """Answer errors escaping a route: JSON on /api/, the error page elsewhere."""

    @app.errorhandler(OperationError)
    def operation_error(exc: OperationError):
        if request.path.startswith("/api/"):
            return error(exc.message, exc.status)
        return error_page(default_exceptions.get(exc.status, default_exceptions[400])(exc.message))

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        if exc.code is None or exc.code < 400:  # routing's redirects (a missing trailing slash)
            return exc
        if request.path.startswith("/api/"):
            message = exc.description
            if exc.code == 413:  # Werkzeug refused the body before reading it, or as it was read
                message = f"The upload is larger than the {human_bytes(services().settings.max_upload_bytes)} limit." \
                    if json_input.is_upload() else json_input.TOO_LARGE
            elif message == _NO_ROUTE:
                message = (f"Nothing at {request.path[:200]}: check the address; ids are whole numbers from 1 to "
                           f"{ID_MAX}. Every endpoint is listed at /api/openapi.json.")
            return error(message, exc.code)
        return error_page(exc)


# Werkzeug's own words for an address that matches no route, and Chronos's instead.
_NO_ROUTE = default_exceptions[404].description
PAGE_TITLES = {400: "That request did not work", 403: "Not allowed", 404: "Page not found",
               405: "Not allowed here", 410: "No longer available", 413: "Too large", 429: "Too many requests"}


def error_page(exc: HTTPException):
    """Chronos's error page for a page route (API routes answer JSON), with the error's status."""
    message = exc.description
    if exc.code == 413 and not json_input.is_upload():
        message = json_input.TOO_LARGE
    if message == _NO_ROUTE:
        message = "There is nothing at this address. Check the link, or start again from the first page."
    title = PAGE_TITLES.get(exc.code, exc.name)
    return render_template("error.html", title=title, message=message), exc.code
