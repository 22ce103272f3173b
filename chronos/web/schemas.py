"""Declared request schemas: a JSON body or query string is checked before a handler sees it.

A route declares what it accepts with `@accepts(body=SomeBody, query=SomeQuery)`; the handler then
receives typed objects as the keyword arguments `body` and `query`. A refusal is a 400 with
`{"error": "...", "fields": {"title": "must be text"}}` and the handler never runs.
"""
from __future__ import annotations

import functools
import json
from typing import Annotated, Any, Callable, ClassVar, Literal

from flask import jsonify, request
from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError

from chronos import languages

__all__ = ["Body", "Query", "accepts", "Text", "Id", "LanguageCode", "VideoLanguage"]

# A row id SQLite can hold (a signed 64-bit integer), and never 0 or negative.
Id = Annotated[int, Field(ge=1, le=2**63 - 1, strict=True)]


def Text(max_length: int, *, min_length: int = 0) -> Any:  # noqa: N802 - reads like a type
    """A text field: really a string, at most `max_length` characters after trimming."""
    return Annotated[str, Field(strict=True),
                     StringConstraints(strip_whitespace=True, min_length=min_length, max_length=max_length)]


class Body(BaseModel):
    """A JSON object body: unknown keys are ignored, numbers are finite, types exact ("1" is not 1).

    `EXAMPLE` is a valid body, shown in every refusal and in the OpenAPI document."""

    model_config = ConfigDict(extra="ignore", allow_inf_nan=False, frozen=True, strict=True)
    EXAMPLE: ClassVar[dict | None] = None


# A language a creator may fix a video to ("es"), as Whisper names it.
LanguageCode = Literal[languages.CHOICES]


class VideoLanguage(Body):
    """`PATCH /api/videos/<id>` with "language": the language the video is spoken in; null detects it."""

    language: LanguageCode | None
    EXAMPLE: ClassVar[dict] = {"language": "es"}


class Query(BaseModel):
    """A query string: every value arrives as text; fields convert what they need."""

    model_config = ConfigDict(extra="ignore", allow_inf_nan=False, frozen=True)


def field_errors(exc: ValidationError) -> dict[str, str]:
    """Each refused field's dotted name with a short reason a caller can act on."""
    fields: dict[str, str] = {}
    for problem in exc.errors(include_url=False):
        name = ".".join(str(part) for part in problem["loc"]) or "body"
        fields.setdefault(name, _reason(problem))
    return fields


def _reason(problem: dict) -> str:
    kind = problem["type"]
    ctx = problem.get("ctx") or {}
    if kind == "missing":
        return "is required"
    if kind in ("string_type", "string_sub_type"):
        return "must be text"
    if kind.startswith("int") or kind == "int_from_float":
        return "must be a whole number" if kind != "int_parsing_size" else "is too large"
    if kind in ("float_type", "float_parsing", "finite_number"):
        return "must be a finite number"
    if kind in ("bool_type", "bool_parsing"):
        return "must be true or false"
    if kind == "string_too_long":
        return f"must be at most {ctx.get('max_length')} characters"
    if kind == "string_too_short":
        return "must not be empty" if ctx.get("min_length") == 1 else f"must be at least {ctx.get('min_length')} characters"
    if kind in ("less_than_equal", "less_than"):
        return f"must be at most {ctx.get('le', ctx.get('lt'))}"
    if kind in ("greater_than_equal", "greater_than"):
        return f"must be at least {ctx.get('ge', ctx.get('gt'))}"
    if kind == "list_type":
        return "must be a list"
    if kind in ("too_long", "too_short"):
        return f"must have at most {ctx.get('max_length')} items" if kind == "too_long" else \
            f"must have at least {ctx.get('min_length')} items"
    if kind in ("literal_error", "enum"):
        return f"must be one of {ctx.get('expected')}"
    if kind == "model_type" or kind == "dict_type":
        return "must be a JSON object"
    return problem["msg"][0].lower() + problem["msg"][1:]


def refusal(fields: dict[str, str], message: str | None = None, example: dict | None = None):
    """The 400 answer naming each refused field (and showing a valid body, when there is one)."""
    if message is None:
        first, reason = next(iter(fields.items()))
        message = f"'{first}' {reason}." if first != "body" else f"The body {reason}."
    if example is not None:
        message += f" Send JSON like {json.dumps(example)}."
    return jsonify(error=message, status=400, fields=fields), 400


def parse_body(model: type[Body]) -> Body:
    """The request's JSON object as `model`; raises `ValidationError` or `BodyRefused`."""
    data = request.get_json(silent=True)
    if data is None:
        data = {} if not request.get_data(cache=True) else None
    if not isinstance(data, dict):
        raise BodyRefused({"body": "must be a JSON object"}, "Send a JSON object as the request body.")
    return model.model_validate(data)


class BodyRefused(Exception):
    """A body that is not even a JSON object."""

    def __init__(self, fields: dict[str, str], message: str):
        super().__init__(message)
        self.fields, self.message = fields, message


def accepts(body: type[Body] | None = None, *, query: type[Query] | None = None) -> Callable:
    """Declare what a route accepts; the handler gets `body=` and `query=` as typed objects."""

    def wrap(view: Callable) -> Callable:
        @functools.wraps(view)
        def checked(*args, **kwargs):
            try:
                if body is not None:
                    kwargs["body"] = parse_body(body)
                if query is not None:
                    kwargs["query"] = query.model_validate(request.args.to_dict())
            except ValidationError as exc:
                return refusal(field_errors(exc), example=body.EXAMPLE if body is not None else None)
            except BodyRefused as exc:
                return refusal(exc.fields, exc.message, body.EXAMPLE if body is not None else None)
            return view(*args, **kwargs)

        checked.accepts = (body, query)  # read by the OpenAPI document
        return checked

    return wrap
