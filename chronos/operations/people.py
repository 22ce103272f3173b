"""People operations: invite links (create, withdraw), a student's access (revoke, restore) and
password reset links."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING

from chronos.models import password_resets, people
from chronos.operations import OperationError
from chronos.timefmt import iso_utc

if TYPE_CHECKING:
    from chronos.services import Services

NOTE_MAX = 200
RESET_LINK_DAYS = 2  # long enough to reach a student by chat or in class, short for a stray link


@dataclass(frozen=True)
class NewInvite:
    """An invite just made, with its secret token (shown once: only its hash is stored)."""
    invite: people.Invite
    token: str


def create_invite(sv: Services, creator_id: int, *, expires_in_days: int | None = None,
                  max_uses: int | None = None, note: str = "") -> NewInvite:
    """A new invite link lasting 1..365 days (or for ever) and usable 1..10,000 times (or without limit)."""
    if expires_in_days is not None and not 1 <= expires_in_days <= 365:
        raise OperationError("An invite can last from 1 to 365 days.", 400)
    if max_uses is not None and not 1 <= max_uses <= 10_000:
        raise OperationError("An invite can be used from 1 to 10,000 times.", 400)
    expires = None
    if expires_in_days:
        expires = iso_utc(datetime.now(timezone.utc) + timedelta(days=expires_in_days))
    with sv.db.connection() as conn:
        invite, token = people.create_invite(conn, creator_id, expires_at=expires, max_uses=max_uses,
                                             note=(note or "")[:NOTE_MAX])
    return NewInvite(invite, token)


def revoke_invite(sv: Services, creator_id: int, invite_id: int) -> people.Invite:
    """Withdraw an invite link (students who joined with it keep their access)."""
    with sv.db.connection() as conn:
        if people.get_invite(conn, invite_id, creator_id) is None:
            raise OperationError(f"No invite {invite_id}.", 404)
        people.revoke_invite(conn, invite_id)
        return people.get_invite(conn, invite_id)


def set_revoked(sv: Services, creator_id: int, student_id: int, revoked: bool) -> people.Student:
    """Take a student's access away or give it back (their chats and progress are kept either way).

    A restored Whop student still needs a valid membership to get in.
    """
    with sv.db.connection() as conn:
        if people.get_student(conn, student_id, creator_id) is None:
            raise OperationError(f"No student {student_id}.", 404)
        return people.set_owner_revoked(conn, student_id, revoked)


@dataclass(frozen=True)
class NewReset:
    """A password reset link just made, with its secret token (shown once: only its hash is stored)."""
    reset: password_resets.PasswordReset
    token: str


def issue_reset(sv: Services, creator_id: int, student_id: int) -> NewReset:
    """A one-time link that lets an invited student choose a new password; older links stop working."""
    with sv.db.connection() as conn:
        student = people.get_student(conn, student_id, creator_id)
        if student is None:
            raise OperationError(f"No student {student_id}.", 404)
        if student.source != "invite":
            raise OperationError("This student signs in with Whop: their password is Whop's to reset.", 400)
        expires = iso_utc(datetime.now(timezone.utc) + timedelta(days=RESET_LINK_DAYS))
        reset, token = password_resets.create_reset(conn, student_id, expires_at=expires)
    return NewReset(reset, token)


def reset_password(sv: Services, token: str, password: str) -> people.Student:
    """Set a student's new password with a reset link (once); their other sessions end."""
    with sv.db.connection() as conn:
        try:
            student_id = password_resets.use_reset(conn, token, password)
        except password_resets.ResetRefused as exc:
            raise OperationError(str(exc), 410) from None
        return people.get_student(conn, student_id)
