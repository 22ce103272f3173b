"""Reading a JSON body safely: a size limit before a byte is read, then plain JSON only.

Python's parser takes `Infinity`, `NaN` and `1e999` as numbers and recurses once per level of
nesting; a body is refused here (413 or 400, with a message) before either reaches a handler.
"""
from __future__ import annotations

import json
from typing import Any

from flask import Flask, current_app, request
from flask.json.provider import DefaultJSONProvider
from werkzeug.exceptions import RequestEntityTooLarge

from chronos.timefmt import human_bytes

JSON_MAX_BYTES = 1024 * 1024  # every body but an upload's (the uploads keep max_upload_bytes)
JSON_MAX_DEPTH = 32  # objects and lists inside each other; the API's deepest body uses 4


class BodyRefused(Exception):
    """A body that is not a JSON object the API can read."""

    def __init__(self, fields: dict[str, str], message: str):
        super().__init__(message)
        self.fields, self.message = fields, message


def _not_a_number(text: str):
    raise ValueError(f"{text} is not a number JSON allows")


def _finite(text: str) -> float:
    number = float(text)
    if number in (float("inf"), float("-inf")):
        raise ValueError(f"{text[:20]} is too large a number")
    return number


class TooDeep(ValueError):
    """JSON nested more than JSON_MAX_DEPTH levels."""

    def __init__(self):
        super().__init__(f"nested more than {JSON_MAX_DEPTH} levels deep")


def loads(data: str | bytes) -> Any:
    """Plain JSON (RFC 8259) at most JSON_MAX_DEPTH levels deep: no Infinity, NaN or numbers too
    large to be finite; ValueError (TooDeep) else."""
    try:
        value = json.loads(data, parse_constant=_not_a_number, parse_float=_finite)
    except RecursionError:  # the parser recursed a thousand levels down
        raise TooDeep() from None
    if _too_deep(value):
        raise TooDeep()
    return value


def _too_deep(value: Any) -> bool:
    """Whether objects and lists nest more than JSON_MAX_DEPTH levels in `value` (without recursing)."""
    stack = [(value, 1)]
    while stack:
        item, level = stack.pop()
        if isinstance(item, (dict, list)):
            if level > JSON_MAX_DEPTH:
                return True
            stack.extend((child, level + 1) for child in (item.values() if isinstance(item, dict) else item))
    return False


def load_body() -> Any:
    """The request's JSON body (None when it is empty), or `BodyRefused` saying what is wrong."""
    kind = request.mimetype
    if kind in ("application/x-www-form-urlencoded", "multipart/form-data") or kind.startswith("text/"):
        raise BodyRefused({"body": "must be JSON"},
                          f"Send the body as JSON with 'Content-Type: application/json' (not {kind}).")
    raw = request.get_data(cache=True)
    if not raw.strip():
        return None
    try:
        return loads(raw)
    except UnicodeDecodeError:
        raise BodyRefused({"body": "must be UTF-8"}, "The body is not UTF-8 text: send JSON encoded as UTF-8.") from None
    except TooDeep:
        raise BodyRefused({"body": f"must not nest more than {JSON_MAX_DEPTH} levels"},
                          f"The body is nested more than {JSON_MAX_DEPTH} levels deep.") from None
    except ValueError as exc:
        reason = "a number has too many digits" if "digits" in str(exc) else str(exc)
        raise BodyRefused({"body": "must be valid JSON"}, f"The body is not valid JSON ({reason}).") from None


class StrictJSONProvider(DefaultJSONProvider):
    """Flask's JSON, except that reading refuses Infinity and NaN (`request.get_json` anywhere)."""

    def loads(self, s: str | bytes, **kwargs: Any) -> Any:
        return loads(s)


def install(app: Flask) -> None:
    """Plain JSON everywhere, and the 1 MB limit on every body but an upload's, before it is read."""
    app.json = StrictJSONProvider(app)
    # Before the sign-in check, which reads a form's CSRF field (and so the body).
    app.before_request_funcs.setdefault(None, []).insert(0, _limit_body)


def is_upload() -> bool:
    """Whether this request's route takes files (multipart/form-data) rather than JSON."""
    declared = getattr(current_app.view_functions.get(request.endpoint or ""), "accepts", None)
    return declared is not None and declared.multipart


TOO_LARGE = (f"The request body is larger than {human_bytes(JSON_MAX_BYTES)}: send a smaller JSON body "
             "(files go to the upload endpoints, as multipart/form-data).")


def _limit_body():
    if is_upload():
        return None  # MAX_CONTENT_LENGTH and the tier's limit apply
    # Werkzeug refuses a longer body as it is read (413), whether or not it declared its length.
    request.max_content_length = JSON_MAX_BYTES
    if (request.content_length or 0) > JSON_MAX_BYTES:
        raise RequestEntityTooLarge(TOO_LARGE)
    return None
