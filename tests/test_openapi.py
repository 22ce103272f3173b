"""The API's description: every `/api/` route declares what it accepts, the OpenAPI 3.1 document is
made from those declarations, and the owner's API page reads it."""
from __future__ import annotations

import inspect
import re

from chronos.models.analytics_export import REPORTS
from chronos.web.schemas import ID_MAX, Accepts
from tests.test_courses_api import student_client

BODY_METHODS = {"POST", "PUT", "PATCH"}
# What a handler reads by hand instead of declaring it.
UNDECLARED = re.compile(r"request\.(get_json|json|args|form|values|data|get_data)\b")


def api_routes(app):
    """(rule, method, view) of every /api/ route."""
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/"):
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                yield rule, method, app.view_functions[rule.endpoint]


def test_every_api_route_that_takes_a_body_declares_its_schema(app):
    """A route added without @accepts fails here: POST, PUT and PATCH must say what they take
    (`@accepts()` for nothing), and no /api/ handler reads the body or query string by hand."""
    undeclared, by_hand = [], []
    for rule, method, view in api_routes(app):
        if method in BODY_METHODS and not isinstance(getattr(view, "accepts", None), Accepts):
            undeclared.append(f"{method} {rule.rule} ({rule.endpoint})")
        source = inspect.getsource(inspect.unwrap(view))
        if UNDECLARED.search(source):
            by_hand.append(f"{method} {rule.rule}: {UNDECLARED.search(source).group(0)}")
    assert not undeclared, "declare a schema with @accepts(...) (chronos/web/schemas.py) for:\n" + "\n".join(undeclared)
    assert not by_hand, "declare these in @accepts(..., query=...) instead of reading them:\n" + "\n".join(by_hand)


def test_the_document_describes_every_route_with_its_schema_and_role(app, owner_client):
    doc = owner_client.get("/api/openapi.json").get_json()
    assert doc["openapi"] == "3.1.0" and doc["info"]["title"] == "Chronos API"
    listed = {(path, method.upper()) for path, methods in doc["paths"].items() for method in methods}
    routes = {(re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule), method) for rule, method, _ in api_routes(app)}
    assert listed == routes and len(routes) > 50
    schemas = doc["components"]["schemas"]
    ids = set()
    for path, methods in doc["paths"].items():
        for method, op in methods.items():
            assert op["operationId"] not in ids
            ids.add(op["operationId"])
            assert op["x-chronos-role"] in ("owner", "member") and op["summary"] and op["tags"]
            for name in re.findall(r"{(\w+)}", path):
                param = next(p for p in op["parameters"] if p["name"] == name)
                assert param["in"] == "path" and param["required"]
            for content in op.get("requestBody", {}).get("content", {}).values():
                ref = content["schema"].get("$ref")
                assert ref is None or ref.rsplit("/", 1)[1] in schemas
    # What a caller needs to know, from the models themselves.
    course = schemas["NewCourse"]
    assert course["required"] == ["title"]
    assert course["properties"]["title"] == {"maxLength": 200, "minLength": 1, "title": "Title", "type": "string"}
    assert course["properties"]["prerequisites"]["items"] == {"maximum": ID_MAX, "minimum": 1, "type": "integer"}
    chat = doc["paths"]["/api/chat"]["post"]
    assert chat["x-chronos-role"] == "member" and chat["requestBody"]["content"]["application/json"]["example"]
    assert schemas["Question"]["properties"]["at_s"]["anyOf"][0] == {"maximum": 366 * 86400, "minimum": 0,
                                                                       "type": "number"}
    export = {p["name"]: p for p in doc["paths"]["/api/analytics/export"]["get"]["parameters"]}
    assert export["report"]["schema"]["enum"] == list(REPORTS) and export["report"]["required"]
    assert export["from"]["schema"]["format"] == "date"
    assert doc["paths"]["/api/analytics/settings"]["put"]["x-chronos-role"] == "owner"
    upload = doc["paths"]["/api/videos"]["post"]["requestBody"]["content"]["multipart/form-data"]["schema"]
    assert upload["properties"]["file"]["format"] == "binary" and "file" in upload["required"]
    beat = doc["paths"]["/api/progress"]["post"]["requestBody"]["content"]
    assert set(beat) == {"application/json", "application/x-www-form-urlencoded"}  # sendBeacon posts forms


def test_the_document_and_the_page_are_the_owners(app, services, owner_client):
    student, _ = student_client(app, services)
    assert student.get("/api/openapi.json").status_code == 403
    assert app.test_client().get("/api/openapi.json").status_code == 401
    assert student.get("/api").status_code == 403
    assert app.test_client().get("/api").status_code == 302  # to sign in


def test_the_api_page_lists_every_endpoint_from_the_document(owner_client):
    doc = owner_client.get("/api/openapi.json").get_json()
    page = owner_client.get("/api").get_data(as_text=True)
    assert 'href="/api/openapi.json"' in page and "chronos token create" in page
    for path, methods in doc["paths"].items():
        for method in methods:
            assert f'<span class="method method-{method}">{method.upper()}</span> <code class="api-path">{path}</code>' \
                in page, (method, path)
    assert "text (not empty, at most 200 characters)" in page  # a course's title, from its schema
    assert "one of 7d, 30d, 90d, all" in page
    assert "-d &#39;{&#34;message&#34;: &#34;What is the Calvin cycle?&#34;" in page  # a curl to copy
    # The owner's navigation leads there.
    assert '<a href="/api" class="">API</a>' in owner_client.get("/glossary").get_data(as_text=True)
