"""The API described: an OpenAPI 3.1 document made from the routes' declared schemas
(`/api/openapi.json`), and the owner's API page that reads the same document (`/api`)."""
from __future__ import annotations

import json
import re
from typing import Any

from flask import Blueprint, Flask, current_app, jsonify, render_template, request
from werkzeug.routing import Rule

from chronos.timefmt import human_bytes
from chronos.web.identity import api_owner_required, owner_required
from chronos.web.json_input import JSON_MAX_BYTES, JSON_MAX_DEPTH
from chronos.web.schemas import ID_MAX, Accepts

bp = Blueprint("openapi", __name__)

ROLES = {"owner": "the owner (signed in, or with an owner API token)",
         "member": "the owner and students with access"}
AREAS = {"api_videos": "Videos", "transcripts": "Transcripts", "courses": "Courses", "learn": "Progress",
         "chat": "Chat", "glossary": "Glossary", "people": "People", "resets": "People",
         "analytics": "Analytics", "usage": "Usage", "whop": "Whop", "openapi": "API"}
_ARGUMENT = re.compile(r"<(?:(?P<converter>\w+)(?:\([^)]*\))?:)?(?P<name>\w+)>")
_ERROR = {"type": "object", "required": ["error", "status"], "properties": {
    "error": {"type": "string", "description": "What went wrong and what to do about it."},
    "status": {"type": "integer"},
    "fields": {"type": "object", "additionalProperties": {"type": "string"},
               "description": "Each refused field (dotted for nested ones) and why."},
    "example": {"type": "object", "description": "A body the endpoint accepts."}}}

INTRO = f"""Chronos's JSON API: everything the pages do, for scripts.

Authenticate with `Authorization: Bearer <token>` (make one with `chronos token create`); a
browser session works too, with its CSRF token in `X-CSRF-Token` on writes. Each operation says
who may call it.

Bodies are JSON objects (`Content-Type: application/json`) of at most {JSON_MAX_BYTES // 1024} KB,
nested at most {JSON_MAX_DEPTH} levels, with finite numbers only (no `Infinity` or `NaN`); uploads
are `multipart/form-data`. Types are exact (`"1"` is not `1`); unknown fields are ignored. Text is
stored without control characters (newlines and tabs are kept where a field may hold several
lines) and must not contain lone UTF-16 surrogates. Ids are whole numbers from 1 to {ID_MAX}.

Every error is `{{"error": "...", "status": N}}`; a refused body or query string also names each
field in `"fields"`, and a refused body shows one that works in `"example"`."""


def document(app: Flask) -> dict:
    """The OpenAPI 3.1 document of every `/api/` route (made once per app)."""
    if "openapi" not in app.extensions:
        app.extensions["openapi"] = _build(app)
    return app.extensions["openapi"]


def _build(app: Flask) -> dict:
    schemas: dict[str, Any] = {"Error": _ERROR}
    paths: dict[str, dict] = {}
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if not rule.rule.startswith("/api/"):
            continue
        path, parameters = _path(rule)
        methods = sorted(rule.methods - {"HEAD", "OPTIONS"})
        for method in methods:
            paths.setdefault(path, {})[method.lower()] = _operation(app, rule, method, len(methods) > 1,
                                                                    parameters, schemas)
    return {"openapi": "3.1.0",
            "info": {"title": "Chronos API", "version": "1", "description": INTRO},
            "servers": [{"url": "/"}],
            "security": [{"token": []}, {"session": []}],
            "paths": paths,
            "components": {"schemas": schemas, "securitySchemes": {
                "token": {"type": "http", "scheme": "bearer", "description": "An owner API token."},
                "session": {"type": "apiKey", "in": "cookie", "name": "session",
                            "description": "A signed-in browser session (writes also need X-CSRF-Token)."}}}}


def _path(rule: Rule) -> tuple[str, list[dict]]:
    """The rule as an OpenAPI path, with its path parameters."""
    parameters = []

    def braces(match: re.Match) -> str:
        name = match["name"]
        schema = {"type": "integer", "minimum": 0, "maximum": ID_MAX} if match["converter"] == "int" \
            else {"type": "string"}
        parameters.append({"name": name, "in": "path", "required": True, "schema": schema})
        return "{" + name + "}"

    return _ARGUMENT.sub(braces, rule.rule), parameters


def _operation(app: Flask, rule: Rule, method: str, shared: bool, parameters: list[dict],
               schemas: dict) -> dict:
    view = app.view_functions[rule.endpoint]
    declared: Accepts = getattr(view, "accepts", None) or Accepts()
    role = getattr(view, "role", "member")
    doc = " ".join((view.__doc__ or "").split())
    area = rule.endpoint.split(".")[0]
    operation: dict[str, Any] = {
        "operationId": f"{rule.endpoint}.{method.lower()}" if shared else rule.endpoint,
        "summary": doc.split(": ")[0].split(". ")[0][:120] or rule.endpoint,
        "description": f"{doc}\n\nWho: {ROLES[role]}.".strip(),
        "tags": [AREAS.get(area, area.title())], "x-chronos-role": role,
        "parameters": parameters + _query_parameters(declared, schemas),
        "responses": {"200": {"description": "Done (201 when something was created)."},
                      "default": {"description": "An error, with a message to act on.",
                                  "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}}}
    if declared.body is not None or declared.files:
        operation["requestBody"] = _request_body(declared, schemas)
    return operation


def _model_schema(model, schemas: dict) -> dict:
    """The model's JSON Schema, its nested models moved into the components."""
    schema = model.model_json_schema(ref_template="#/components/schemas/{model}")
    schemas.update(schema.pop("$defs", {}))
    return schema


def _query_parameters(declared: Accepts, schemas: dict) -> list[dict]:
    if declared.query is None:
        return []
    schema = _model_schema(declared.query, schemas)
    required = set(schema.get("required", []))
    return [{"name": name, "in": "query", "required": name in required, "schema": field,
             **({"description": field["description"]} if "description" in field else {})}
            for name, field in schema["properties"].items()]


def _request_body(declared: Accepts, schemas: dict) -> dict:
    fields = _model_schema(declared.body, schemas) if declared.body is not None else \
        {"type": "object", "properties": {}}
    if declared.files:
        upload = {**fields, "properties": {**fields["properties"], **{
            name: {"type": "string", "format": "binary", "contentMediaType": "application/octet-stream"}
            for name in declared.files}}, "required": [*fields.get("required", []), *declared.files]}
        return {"required": True, "content": {"multipart/form-data": {"schema": upload}}}
    name = declared.body.__name__
    schemas[name] = fields
    json_body: dict[str, Any] = {"schema": {"$ref": f"#/components/schemas/{name}"}}
    if declared.body.EXAMPLE is not None:
        json_body["example"] = declared.body.EXAMPLE
    content = {"application/json": json_body}
    if declared.form:
        content["application/x-www-form-urlencoded"] = {"schema": {"$ref": f"#/components/schemas/{name}"}}
    return {"required": bool(fields.get("required")), "content": content}


@bp.get("/api/openapi.json")
@api_owner_required
def openapi_json():
    """This document: every endpoint, what it accepts and who may call it."""
    return jsonify(document(current_app))


@bp.get("/api")
@owner_required
def page():
    """The API page for creators who script Chronos, read from the same document."""
    doc = document(current_app)
    areas: dict[str, list[dict]] = {}
    for path, methods in doc["paths"].items():
        for method, op in methods.items():
            areas.setdefault(op["tags"][0], []).append(_shown(doc, path, method, op))
    for operations in areas.values():
        for op in operations:
            op["curl"] = curl(request.host_url.rstrip("/"), op)
    limits = {"bytes": human_bytes(JSON_MAX_BYTES), "depth": JSON_MAX_DEPTH, "id_max": f"{ID_MAX:,}"}
    return render_template("api.html", areas=areas, limits=limits, base=request.host_url.rstrip("/"))


def curl(base: str, op: dict) -> str:
    """A curl command that calls the operation (ids as 1, required query values filled in)."""
    url = base + re.sub(r"\{\w+\}", "1", op["path"])
    query = "&".join(f"{p['name']}={p['example']}" for p in op["parameters"] if p["where"] == "query" and p["required"])
    parts = ['curl -H "Authorization: Bearer $TOKEN"'] + ([f"-X {op['method']}"] if op["method"] != "GET" else [])
    if op["kind"] == "multipart/form-data":
        parts.append("-F file=@FILE")
    elif op["example"] is not None:
        parts += ['-H "Content-Type: application/json"', "-d '" + json.dumps(op["example"]) + "'"]
    parts.append(f'"{url}?{query}"' if query else url)
    return " \\\n     ".join(parts)


def _shown(doc: dict, path: str, method: str, op: dict) -> dict:
    """One operation as the page lists it: its parameters and body fields with their limits."""
    body = op.get("requestBody", {}).get("content", {})
    kind = next(iter(body), None)
    schema = body[kind]["schema"] if kind else None
    if schema and "$ref" in schema:
        schema = doc["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    fields = [_field(name, spec, name in (schema or {}).get("required", []), doc)
              for name, spec in (schema or {}).get("properties", {}).items()]
    return {"method": method.upper(), "path": path, "summary": op["summary"],
            "description": op["description"].split("\n\nWho: ")[0], "role": op["x-chronos-role"],
            "parameters": [_field(p["name"], p["schema"], p["required"], doc, where=p["in"])
                           for p in op["parameters"]],
            "fields": fields, "kind": kind, "example": body.get("application/json", {}).get("example")}


def _field(name: str, spec: dict, required: bool, doc: dict, where: str = "body") -> dict:
    example = (spec.get("enum") or ["2026-11-01" if spec.get("format") == "date" else "…"])[0]
    return {"name": name, "where": where, "required": required, "type": describe(spec, doc), "example": example}


def describe(spec: dict, doc: dict) -> str:
    """A JSON Schema in a few words: "text, at most 200 characters", "one of 7d, 30d"."""
    if "$ref" in spec:
        spec = doc["components"]["schemas"][spec["$ref"].rsplit("/", 1)[1]]
        return "object: " + ", ".join(spec.get("properties", {}))
    if "anyOf" in spec:
        return " or ".join(describe(s, doc) for s in spec["anyOf"])
    if "enum" in spec or "const" in spec:
        return "one of " + ", ".join(str(v) for v in spec.get("enum", [spec.get("const")]))
    if spec.get("type") == "integer" and spec.get("maximum") == ID_MAX:
        return "id"
    kind = spec.get("type", "any")
    words = {"string": "text", "integer": "whole number", "number": "number", "boolean": "true or false",
             "null": "null", "array": "list", "object": "object"}.get(kind, kind)
    if spec.get("format") == "date":
        words = "date (YYYY-MM-DD)"
    elif spec.get("format") == "binary":
        words = "file"
    if kind == "array" and "items" in spec:
        item = describe(spec["items"], doc)
        words = "list of ids" if item == "id" else f"list of {item}"
    limits = []
    if "minLength" in spec and spec["minLength"] > 0:
        limits.append("not empty" if spec["minLength"] == 1 else f"at least {spec['minLength']} characters")
    if "maxLength" in spec:
        limits.append(f"at most {spec['maxLength']} characters")
    if "minimum" in spec and "maximum" in spec:
        limits.append(f"{spec['minimum']} to {spec['maximum']}")
    if "maxItems" in spec:
        limits.append(f"at most {spec['maxItems']} items")
    return words + (f" ({', '.join(limits)})" if limits else "")
