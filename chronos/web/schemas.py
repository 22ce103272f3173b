"""Declared request schemas: a JSON body or query string is checked before a handler sees it.

A route declares what it accepts with `@accepts(SomeBody, query=SomeQuery)`; the handler then
receives typed objects as the keyword arguments `body` and `query`. A refusal is a 400 with
`{"error": "...", "fields": {"title": "must be text"}, "example": {...}}` and the handler never runs. The same
declarations make the OpenAPI document (`web/openapi.py`); `web/json_input.py` parses the body
(size, depth, no Infinity or NaN) before a model sees it.
"""
from __future__ import annotations

import functools
import json
import re
from dataclasses import dataclass
from typing import Annotated, Any, Callable, ClassVar, Literal

from flask import jsonify, request
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, StringConstraints, ValidationError
from pydantic_core import PydanticCustomError
from werkzeug.exceptions import NotFound
from werkzeug.routing import IntegerConverter

from chronos import languages
from chronos.web.json_input import BodyRefused, load_body

__all__ = ["Body", "Query", "accepts", "Text", "Id", "Seconds", "ID_MAX", "RowIdConverter", "LanguageCode"]

ID_MAX = 2**63 - 1  # the largest row id SQLite can hold (a signed 64-bit integer)

# A row id: never 0 or negative, never more than SQLite holds.
Id = Annotated[int, Field(ge=1, le=ID_MAX)]
# A time in a video or an amount of watching, in seconds: finite (the models refuse Infinity and
# NaN), never negative, at most a year.
Seconds = Annotated[float, Field(ge=0, le=366 * 86400)]

# Control characters a person cannot type and no page shows: C0 (but tab and newline) and C1.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")
# A UTF-16 surrogate on its own (JSON's "\ud800"): Python holds it, SQLite's UTF-8 cannot.
_SURROGATE = re.compile("[\ud800-\udfff]")


def clean_text(value: Any, *, multiline: bool = False) -> Any:
    """Text as it is stored: no control characters, line ends as newlines (or, on one line, spaces);
    a lone surrogate is refused. Anything but a string is left for the type check to refuse."""
    if not isinstance(value, str):
        return value
    if _SURROGATE.search(value):
        raise PydanticCustomError("text_surrogate", "contains a lone UTF-16 surrogate")
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    if not multiline:
        value = value.replace("\n", " ").replace("\t", " ")
    return _CONTROL.sub("", value)


def Text(max_length: int, *, min_length: int = 0, multiline: bool = False) -> Any:  # noqa: N802 - reads like a type
    """A text field: a string, cleaned (`clean_text`), at most `max_length` characters after trimming."""
    # The constraints first: the cleaning wraps the string check (trim, then length) and runs before it.
    return Annotated[str, StringConstraints(strip_whitespace=True, min_length=min_length, max_length=max_length),
                     BeforeValidator(functools.partial(clean_text, multiline=multiline))]


class Body(BaseModel):
    """A JSON object body: unknown keys are ignored, numbers are finite, types exact ("1" is not 1).

    `EXAMPLE` is a valid body, shown in every refusal and in the OpenAPI document."""

    model_config = ConfigDict(extra="ignore", allow_inf_nan=False, frozen=True, strict=True)
    EXAMPLE: ClassVar[dict | None] = None

    def given(self) -> dict[str, Any]:
        """The fields the caller sent (a change touches only those)."""
        return {name: getattr(self, name) for name in self.model_fields_set}


# A language a creator may fix a video to ("es"), as Whisper names it.
LanguageCode = Literal[languages.CHOICES]


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


_REASONS = {
    "missing": "is required", "string_type": "must be text", "string_sub_type": "must be text",
    "int_parsing_size": "is too large", "float_type": "must be a finite number",
    "float_parsing": "must be a finite number", "finite_number": "must be a finite number",
    "bool_type": "must be true or false", "bool_parsing": "must be true or false",
    "list_type": "must be a list", "model_type": "must be a JSON object", "dict_type": "must be a JSON object",
    "model_attributes_type": "must be a JSON object", "text_surrogate":
        "contains a lone UTF-16 surrogate (such as \\ud800): send real characters",
    "date_type": "must be a date like 2026-11-24", "date_parsing": "must be a date like 2026-11-24",
    "date_from_datetime_parsing": "must be a date like 2026-11-24",
}


def _reason(problem: dict) -> str:
    kind = problem["type"]
    ctx = problem.get("ctx") or {}
    if kind in _REASONS:
        return _REASONS[kind]
    if kind.startswith("int") or kind == "int_from_float":
        return "must be a whole number"
    if kind == "string_too_long":
        return f"must be at most {ctx.get('max_length')} characters"
    if kind == "string_too_short":
        return "must not be empty" if ctx.get("min_length") == 1 else f"must be at least {ctx.get('min_length')} characters"
    if kind == "string_pattern_mismatch":
        return "is not in the expected form"
    if kind in ("less_than_equal", "less_than"):
        return f"must be at most {ctx.get('le', ctx.get('lt'))}"
    if kind in ("greater_than_equal", "greater_than"):
        return f"must be at least {ctx.get('ge', ctx.get('gt'))}"
    if kind in ("too_long", "too_short"):
        return f"must have at most {ctx.get('max_length')} items" if kind == "too_long" else \
            f"must have at least {ctx.get('min_length')} items"
    if kind in ("literal_error", "enum"):  # the values as JSON writes them: "hint", not 'hint'
        return "must be one of " + str(ctx.get("expected")).replace("'", '"')
    return problem["msg"][0].lower() + problem["msg"][1:]


def refusal(fields: dict[str, str], message: str | None = None, example: dict | None = None):
    """The 400 answer naming each refused field, with a valid body as `example` when there is one.

    The message names the first field only (a page shows it as it is); a body that is not even a
    JSON object also says, in the message, what one looks like."""
    extra = {} if example is None else {"example": example}
    if message is None:
        first, reason = next(iter(fields.items()))
        message = f"'{first}' {reason}." if first != "body" else f"The body {reason}."
    elif example is not None:
        message += f" Send JSON like {json.dumps(example)}."
    return jsonify(error=message, status=400, fields=fields, **extra), 400


@dataclass(frozen=True)
class Accepts:
    """What a route declared it accepts, read by the checks below and by the OpenAPI document."""

    body: type[Body] | None = None
    query: type[Query] | None = None
    form: bool = False  # the body may also come as an HTML form (a page's form, sendBeacon)
    files: tuple[str, ...] = ()  # multipart file fields: the body is multipart/form-data

    @property
    def multipart(self) -> bool:
        return bool(self.files)


def _texts(pairs) -> dict[str, str]:
    """A form or query string as the model sees it: the first value of each name, empty ones left out."""
    return {name: value for name, value in pairs.items() if value != ""}


def _parse_body(declared: Accepts) -> Body | None:
    """The request's body as the declared model; raises `ValidationError` or `BodyRefused`."""
    model = declared.body
    if model is None:
        return None
    if declared.multipart or (declared.form and request.mimetype in FORM_TYPES):
        return model.model_validate(_texts(request.form.to_dict()), strict=False)
    data = load_body()
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise BodyRefused({"body": "must be a JSON object"}, "Send a JSON object as the request body.")
    return model.model_validate(data)


FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def accepts(body: type[Body] | None = None, *, query: type[Query] | None = None, form: bool = False,
            files: tuple[str, ...] = ()) -> Callable:
    """Declare what a route accepts; the handler gets `body=` and `query=` as typed objects.

    `@accepts()` declares a route that takes no body and no query string."""
    declared = Accepts(body, query, form, files)
    example = body.EXAMPLE if body is not None else None

    def wrap(view: Callable) -> Callable:
        @functools.wraps(view)
        def checked(*args, **kwargs):
            try:
                if body is not None:
                    kwargs["body"] = _parse_body(declared)
                if query is not None:
                    kwargs["query"] = query.model_validate(_texts(request.args.to_dict()))
            except ValidationError as exc:
                return refusal(field_errors(exc), example=example)
            except BodyRefused as exc:
                return refusal(exc.fields, exc.message, example)
            return view(*args, **kwargs)

        checked.accepts = declared  # read by the body limit, the OpenAPI document and its tests
        return checked

    return wrap


class RowIdConverter(IntegerConverter):
    """`<int:…>` in every route: a whole number SQLite can hold; a larger one is a 404 saying so."""

    def to_python(self, value: str) -> int:
        # Never parse a thousand digits to find out; and a 404 whatever the method (Werkzeug's own
        # "no match" would say 405 when another method's route has the same shape).
        if len(value) > len(str(ID_MAX)) or int(value) > ID_MAX:
            shown = value if len(value) <= 25 else value[:20] + "…"
            raise NotFound(f"Nothing has the id {shown}: ids are whole numbers from 1 to {ID_MAX}.")
        return super().to_python(value)
