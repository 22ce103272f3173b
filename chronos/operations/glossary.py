"""The glossary operations: read and set the words a creator's lectures use (hints for Whisper)."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from chronos.db import transaction
from chronos.models import glossary
from chronos.operations import OperationError

if TYPE_CHECKING:
    from chronos.services import Services

TERM_MAX, TERMS_MAX = 60, 500


def terms(sv: Services, creator_id: int) -> list[str]:
    """The creator's glossary, in the creator's order."""
    with sv.db.connection() as conn:
        return glossary.get_terms(conn, creator_id)


def clean_terms(raw: Any) -> list[str]:
    """The terms trimmed (inner spaces collapsed), blanks dropped, each kept once whatever its
    case (the first spelling wins); OperationError 400 naming what to change otherwise."""
    if not isinstance(raw, list):
        raise OperationError("Send 'terms' as a list of words or phrases, e.g. "
                             '{"terms": ["Manaus", "Rio Negro"]}.', 400)
    cleaned: list[str] = []
    seen: set[str] = set()
    for i, term in enumerate(raw, 1):
        if not isinstance(term, str):
            raise OperationError(f"Term {i} is not text: send each term as a string.", 400)
        term = " ".join(term.split())
        if not term or term.casefold() in seen:
            continue
        if len(term) > TERM_MAX:
            raise OperationError(f"Term {i} ({term[:20]}…) is {len(term)} characters long; keep each "
                                 f"term to {TERM_MAX} characters (a name or a short phrase).", 400)
        seen.add(term.casefold())
        cleaned.append(term)
    if len(cleaned) > TERMS_MAX:
        raise OperationError(f"The glossary has {len(cleaned)} terms; keep it to {TERMS_MAX} (Whisper "
                             "hears only the first few dozen per video: keep the words that matter).", 400)
    return cleaned


def set_terms(sv: Services, creator_id: int, raw: Any) -> list[str]:
    """Replace the creator's glossary with these terms (cleaned); the stored list is returned.

    The terms are used for videos transcribed from now on; videos already done keep their
    transcripts until they are re-processed.
    """
    cleaned = clean_terms(raw)
    with sv.db.connection() as conn:
        glossary.replace_terms(conn, creator_id, cleaned)
        return glossary.get_terms(conn, creator_id)


def add_term(sv: Services, creator_id: int, term: Any) -> tuple[list[str], bool]:
    """Add one term at the end of the creator's glossary (as PUT would store it); returns the
    stored list and whether the term was new (a term already there, whatever its case, is kept)."""
    if not isinstance(term, str) or not " ".join(term.split()):
        raise OperationError('Send the term to add as non-empty text, e.g. {"term": "Manaus"}.', 400)
    with sv.db.connection() as conn, transaction(conn):  # read and write as one: no add is lost
        current = glossary.get_terms(conn, creator_id)
        cleaned = clean_terms([*current, term])
        if len(cleaned) > len(current):
            glossary.replace_terms(conn, creator_id, cleaned)
        return cleaned, len(cleaned) > len(current)
