"""Ending sign-ins: every session of one account at once (sign-out)."""
from __future__ import annotations

from typing import TYPE_CHECKING

from chronos.models import creators, people

if TYPE_CHECKING:
    from chronos.services import Services


def sign_out_everywhere(sv: Services, *, creator_id: int | None = None, student_id: int | None = None) -> None:
    """Raise the account's session version: every cookie signed in with the old one, including a
    copy an attacker took, is signed out at its next request. A password change or a revoke
    raises it too (migration 14's triggers)."""
    with sv.db.connection() as conn:
        if creator_id is not None:
            creators.end_sessions(conn, creator_id)
        if student_id is not None:
            people.end_sessions(conn, student_id)
