"""The owner's glossary page and `GET`/`PUT /api/glossary`: the words the lectures use."""
from __future__ import annotations

from flask import Blueprint, jsonify, render_template, request

from chronos.operations import glossary as glossary_ops
from chronos.web import services
from chronos.web.errors import error
from chronos.web.identity import api_owner_required, owner_required, who

bp = Blueprint("glossary", __name__)


@bp.get("/glossary")
@owner_required
def page():
    """One term per line, saved with the button or Ctrl/Cmd+S."""
    sv = services()
    return render_template("glossary.html", terms=glossary_ops.terms(sv, who().creator_id),
                           term_max=glossary_ops.TERM_MAX, terms_max=glossary_ops.TERMS_MAX,
                           hints_on=sv.settings.whisper_hints)


@bp.get("/api/glossary")
@api_owner_required
def api_get():
    """{"terms": [...]}: the glossary in the owner's order."""
    return jsonify(terms=glossary_ops.terms(services(), who().creator_id))


@bp.put("/api/glossary")
@api_owner_required
def api_put():
    """Replace the glossary with {"terms": [...]} (trimmed, each once); answers the stored list."""
    body = request.get_json(silent=True)
    if not isinstance(body, dict) or "terms" not in body:
        return error('Send JSON like {"terms": ["Manaus", "Rio Negro"]}.', 400)
    return jsonify(terms=glossary_ops.set_terms(services(), who().creator_id, body["terms"]))


@bp.post("/api/glossary/terms")
@api_owner_required
def api_add():
    """Add {"term": "..."} at the end of the glossary; answers {"terms": [...], "added": bool}."""
    body = request.get_json(silent=True)
    if not isinstance(body, dict) or "term" not in body:
        return error('Send JSON like {"term": "Manaus"}.', 400)
    terms, added = glossary_ops.add_term(services(), who().creator_id, body["term"])
    return jsonify(terms=terms, added=added)
