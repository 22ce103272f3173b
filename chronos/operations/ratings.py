"""Rating an answer: thumbs up or down, with a reason and a comment on thumbs down."""
from __future__ import annotations

from datetime import datetime, timezone
from typing import TYPE_CHECKING

from chronos.models import activity, ratings
from chronos.models.states import LiveKind
from chronos.operations import OperationError

if TYPE_CHECKING:
    from chronos.services import Services

COMMENT_MAX = 1000


def rate_answer(sv: Services, creator_id: int, student_id: int | None, message_id: int, *,
                helpful: bool, reason: str | None = None, comment: str | None = None) -> ratings.Rating:
    """Record the rater's rating of an answer (student_id None: the owner), replacing an earlier one.

    A student rates answers in their own chats; the owner rates any answer of their Chronos."""
    if reason is not None and reason not in ratings.REASONS:
        raise OperationError(f"Unknown reason {reason!r}: use one of {', '.join(ratings.REASONS)}.")
    if reason is not None and helpful:
        raise OperationError("A reason goes with a thumbs down ('helpful': false).")
    comment = (comment or "").strip() or None
    if comment is not None and len(comment) > COMMENT_MAX:
        raise OperationError(f"The comment is {len(comment)} characters long; keep it to {COMMENT_MAX}.")
    with sv.db.connection() as conn:
        answer = ratings.rated_answer(conn, message_id)
        if (answer is None or answer.creator_id != creator_id
                or (student_id is not None and answer.student_id != student_id)):
            raise OperationError("That answer does not exist.", 404)
        if not answer.is_answer:
            raise OperationError("Only an answer can be rated, not a question.")
        day = activity.creator_date(conn, creator_id, datetime.now(timezone.utc))
        rating = ratings.set_rating(conn, message_id, creator_id, student_id, helpful=helpful,
                                    reason=reason, comment=comment, date=day)
    activity.announce(sv.bus.publish, creator_id, LiveKind.RATING)
    return rating
