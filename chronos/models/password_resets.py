"""One-time password reset links the owner issues for a student: stored hashed, expiring, used once."""
from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass

from werkzeug.security import generate_password_hash

from chronos.db import Connection, transaction
from chronos.timefmt import iso_utc


@dataclass(frozen=True)
class PasswordReset:
    id: int
    student_id: int
    expires_at: str
    used_at: str | None
    withdrawn_at: str | None
    created_at: str

    def problem(self, now: str | None = None) -> str | None:
        """Why this link cannot set a password now, in words for the student holding it."""
        if self.used_at:
            return "This reset link was used already. Ask the course owner for a new one."
        if self.withdrawn_at:
            return "This reset link was replaced by a newer one. Use the newest link you were sent."
        if (now or iso_utc()) > self.expires_at:
            return "This reset link has expired. Ask the course owner for a new one."
        return None


class ResetRefused(ValueError):
    """The link cannot be used (used, replaced, expired or unknown); the message says why."""


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _reset(r) -> PasswordReset:
    return PasswordReset(r["id"], r["student_id"], r["expires_at"], r["used_at"], r["withdrawn_at"],
                         r["created_at"])


def create_reset(conn: Connection, student_id: int, *, expires_at: str) -> tuple[PasswordReset, str]:
    """A new link for the student and its secret token (shown once); older unused links are withdrawn."""
    token = secrets.token_urlsafe(32)
    now = iso_utc()
    with transaction(conn):
        conn.execute("UPDATE password_resets SET withdrawn_at = ? WHERE student_id = ? AND used_at IS NULL"
                     " AND withdrawn_at IS NULL", (now, student_id))
        cur = conn.execute("INSERT INTO password_resets(student_id, token_hash, expires_at) VALUES (?, ?, ?)",
                           (student_id, _hash(token), expires_at))
    row = conn.execute("SELECT * FROM password_resets WHERE id = ?", (cur.lastrowid,)).fetchone()
    return _reset(row), token


def reset_for_token(conn: Connection, token: str) -> PasswordReset | None:
    row = conn.execute("SELECT * FROM password_resets WHERE token_hash = ?", (_hash(token),)).fetchone()
    return _reset(row) if row else None


def use_reset(conn: Connection, token: str, password: str) -> int:
    """Set the student's new password with the link, once; returns the student's id.

    Changing password_hash ends the student's other sessions where the session code ties sessions
    to the password (a trigger on students.password_hash)."""
    # Hashed before the write lock is taken: the hash is deliberately slow (see join_with_invite).
    password_hash = generate_password_hash(password)
    with transaction(conn):
        row = conn.execute("SELECT * FROM password_resets WHERE token_hash = ?", (_hash(token),)).fetchone()
        if row is None:
            raise ResetRefused("This reset link is not valid. Check you copied all of it.")
        problem = _reset(row).problem()
        if problem:
            raise ResetRefused(problem)
        now = iso_utc()
        conn.execute("UPDATE password_resets SET used_at = ? WHERE id = ?", (now, row["id"]))
        conn.execute("UPDATE students SET password_hash = ?, updated_at = ? WHERE id = ?",
                     (password_hash, now, row["student_id"]))
    return row["student_id"]
