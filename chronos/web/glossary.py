"""The owner's glossary page and `GET`/`PUT /api/glossary`: the words the lectures use."""
from __future__ import annotations

from typing import Annotated

from flask import Blueprint, jsonify, render_template
from pydantic import Field

from chronos.operations import glossary as glossary_ops
from chronos.pipeline.hints import GLOSSARY_CHARS
from chronos.web import services
from chronos.web.identity import api_owner_required, owner_required, who
from chronos.web.schemas import Body, Text, accepts

bp = Blueprint("glossary", __name__)
# Loose bounds: the operation trims, drops repeats and then names the term or the count to change.
Term = Text(20 * glossary_ops.TERM_MAX)


class Glossary(Body):
    """The whole glossary, in order (repeats and blanks are dropped)."""

    EXAMPLE = {"terms": ["Manaus", "Rio Negro"]}
    terms: Annotated[list[Term], Field(max_length=10 * glossary_ops.TERMS_MAX)]


class NewTerm(Body):
    EXAMPLE = {"term": "Manaus"}
    term: Term


@bp.get("/glossary")
@owner_required
def page():
    """One term per line, saved with the button or Ctrl/Cmd+S."""
    sv = services()
    return render_template("glossary.html", terms=glossary_ops.terms(sv, who().creator_id),
                           term_max=glossary_ops.TERM_MAX, terms_max=glossary_ops.TERMS_MAX,
                           hints_on=sv.settings.whisper_hints, hint_chars=GLOSSARY_CHARS)


@bp.get("/api/glossary")
@api_owner_required
def api_get():
    """{"terms": [...]}: the glossary in the owner's order."""
    return jsonify(terms=glossary_ops.terms(services(), who().creator_id))


@bp.put("/api/glossary")
@api_owner_required
@accepts(Glossary)
def api_put(body: Glossary):
    """Replace the glossary with {"terms": [...]} (trimmed, each once); answers the stored list."""
    return jsonify(terms=glossary_ops.set_terms(services(), who().creator_id, list(body.terms)))


@bp.post("/api/glossary/terms")
@api_owner_required
@accepts(NewTerm)
def api_add(body: NewTerm):
    """Add {"term": "..."} at the end of the glossary; answers {"terms": [...], "added": bool}."""
    terms, added = glossary_ops.add_term(services(), who().creator_id, body.term)
    return jsonify(terms=terms, added=added)
