"""Students and the invites that let them in; whether each may see the course right now."""
from __future__ import annotations

import hashlib
import secrets
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta, timezone

from werkzeug.security import check_password_hash, generate_password_hash

from chronos.db import Connection, transaction
from chronos.models import usage
from chronos.models.usernames import RESERVED, username_key
from chronos.models.writer import Writer
from chronos.timefmt import iso_utc

TOUCH_EVERY = timedelta(seconds=60)  # how fresh "last active" is kept


@dataclass(frozen=True)
class Student:
    id: int
    creator_id: int
    name: str | None
    username: str | None
    email: str | None
    whop_user_id: str | None
    source: str  # invite | whop
    access: str  # active | revoked
    owner_revoked: bool
    membership_status: str | None
    last_active_at: str | None
    created_at: str
    session_version: int = 0  # in every signed-in cookie; raised to sign every session out

    def to_json(self) -> dict:
        """The shape of GET /api/students."""
        d = asdict(self)
        return {k: d[k] for k in ("id", "name", "email", "whop_user_id", "access", "source",
                                  "last_active_at", "username", "membership_status", "created_at")}


@dataclass(frozen=True)
class Invite:
    id: int
    creator_id: int
    note: str
    expires_at: str | None
    max_uses: int | None
    uses: int
    revoked_at: str | None
    created_at: str

    @property
    def usable(self) -> bool:
        return self.problem() is None

    def problem(self, now: str | None = None) -> str | None:
        """Why this invite cannot be used now, in words for the person holding the link."""
        if self.revoked_at:
            return "This invite link was withdrawn by the course owner."
        if self.expires_at and (now or iso_utc()) > self.expires_at:
            return "This invite link has expired. Ask the course owner for a new one."
        if self.max_uses is not None and self.uses >= self.max_uses:
            return "This invite link has been used as many times as allowed."
        return None

    def to_json(self) -> dict:
        return asdict(self) | {"usable": self.usable}


class PeopleError(ValueError):
    """A request about people that cannot be done as asked; the message says why."""


def _student(r) -> Student:
    return Student(r["id"], r["creator_id"], r["name"], r["username"], r["email"], r["whop_user_id"],
                   r["source"], r["access"], bool(r["owner_revoked"]), r["membership_status"],
                   r["last_active_at"], r["created_at"], r["session_version"])


def _invite(r) -> Invite:
    return Invite(r["id"], r["creator_id"], r["note"], r["expires_at"], r["max_uses"], r["uses"],
                  r["revoked_at"], r["created_at"])


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


# -- invites --------------------------------------------------------------------------------------

def create_invite(conn: Connection, creator_id: int, *, expires_at: str | None, max_uses: int | None,
                  note: str = "") -> tuple[Invite, str]:
    """A new invite and its secret token (shown once, stored hashed)."""
    token = secrets.token_urlsafe(24)
    with transaction(conn):
        cur = conn.execute("INSERT INTO invites(creator_id, token_hash, note, expires_at, max_uses)"
                           " VALUES (?, ?, ?, ?, ?)", (creator_id, _hash(token), note, expires_at, max_uses))
    return get_invite(conn, cur.lastrowid), token


def get_invite(conn: Connection, invite_id: int, creator_id: int | None = None) -> Invite | None:
    sql, args = "SELECT * FROM invites WHERE id = ?", [invite_id]
    if creator_id is not None:
        sql, args = sql + " AND creator_id = ?", args + [creator_id]
    row = conn.execute(sql, args).fetchone()
    return _invite(row) if row else None


def invite_for_token(conn: Connection, token: str) -> Invite | None:
    row = conn.execute("SELECT * FROM invites WHERE token_hash = ?", (_hash(token),)).fetchone()
    return _invite(row) if row else None


def list_invites(conn: Connection, creator_id: int) -> list[Invite]:
    return [_invite(r) for r in conn.execute(
        "SELECT * FROM invites WHERE creator_id = ? ORDER BY id DESC", (creator_id,))]


def revoke_invite(conn: Connection, invite_id: int) -> None:
    with transaction(conn):
        conn.execute("UPDATE invites SET revoked_at = coalesce(revoked_at, ?) WHERE id = ?", (iso_utc(), invite_id))


def join_with_invite(conn: Connection, token: str, *, name: str, username: str, password: str,
                     student_limit: int | None = None) -> Student:
    """Create a student from an invite; the use (and the tier's student limit) is checked atomically."""
    # Hashed before the write lock is taken: the hash is deliberately slow (tens of ms of CPU), and
    # every other writer would wait for it (a class joining at once got "database is locked").
    password_hash = generate_password_hash(password)
    with transaction(conn):
        row = conn.execute("SELECT * FROM invites WHERE token_hash = ?", (_hash(token),)).fetchone()
        if row is None:
            raise PeopleError("This invite link is not valid. Check you copied all of it.")
        problem = _invite(row).problem()
        if problem:
            raise PeopleError(problem)
        key = username_key(username)
        if _username_taken(conn, row["creator_id"], key):
            raise PeopleError("That username is taken. Choose another.")
        if student_limit is not None and usage.active_students(
                conn, row["creator_id"], usage.period_start()) >= student_limit:
            raise PeopleError(f"This course already has its {student_limit} active students for this "
                              "month. Ask the course owner to upgrade their plan, then try again.")
        conn.execute("UPDATE invites SET uses = uses + 1 WHERE id = ?", (row["id"],))
        cur = conn.execute(
            "INSERT INTO students(creator_id, name, username, username_key, password_hash, source, access,"
            " invite_id, last_active_at) VALUES (?, ?, ?, ?, ?, 'invite', 'active', ?, ?)",
            (row["creator_id"], name, username, key, password_hash, row["id"], iso_utc()))
    return get_student(conn, cur.lastrowid)


def _username_taken(conn: Connection, creator_id: int, key: str) -> bool:
    """Whether a username with this username_key is reserved, the owner's name, or a student's."""
    owner = conn.execute("SELECT name FROM creators WHERE id = ?", (creator_id,)).fetchone()
    if key in RESERVED or (owner and username_key(owner["name"]) == key):
        return True
    # Rows from before username_key existed have none: compare those in Python (few, and fewer
    # as no new row is written without one).
    rows = conn.execute("SELECT username, username_key FROM students WHERE creator_id = ? AND"
                        " (username_key = ? OR (username_key IS NULL AND username IS NOT NULL))",
                        (creator_id, key))
    return any(r["username_key"] == key or username_key(r["username"]) == key for r in rows)


# -- students -------------------------------------------------------------------------------------

def get_student(conn: Connection, student_id: int, creator_id: int | None = None) -> Student | None:
    sql, args = "SELECT * FROM students WHERE id = ?", [student_id]
    if creator_id is not None:
        sql, args = sql + " AND creator_id = ?", args + [creator_id]
    row = conn.execute(sql, args).fetchone()
    return _student(row) if row else None


def list_students(conn: Connection, creator_id: int) -> list[Student]:
    return [_student(r) for r in conn.execute(
        "SELECT * FROM students WHERE creator_id = ? ORDER BY coalesce(last_active_at, created_at) DESC",
        (creator_id,))]


def check_student_password(conn: Connection, username: str, password: str) -> Student | None:
    """The student with this username and password, or None."""
    row = conn.execute("SELECT * FROM students WHERE lower(username) = lower(?) AND password_hash IS NOT NULL",
                       (username.strip(),)).fetchone()
    if row and check_password_hash(row["password_hash"], password):
        return _student(row)
    return None


def student_by_whop_user(conn: Connection, creator_id: int, whop_user_id: str) -> Student | None:
    row = conn.execute("SELECT * FROM students WHERE creator_id = ? AND whop_user_id = ?",
                       (creator_id, whop_user_id)).fetchone()
    return _student(row) if row else None


def upsert_whop_student(conn: Connection, creator_id: int, *, whop_user_id: str, name: str | None,
                        username: str | None, email: str | None) -> Student:
    """Create or update the student record of a Whop user (access is computed separately)."""
    with transaction(conn):
        conn.execute(
            "INSERT INTO students(creator_id, whop_user_id, name, email, source, access)"
            " VALUES (?, ?, ?, ?, 'whop', 'revoked') ON CONFLICT(whop_user_id) DO UPDATE SET"
            " name = coalesce(excluded.name, students.name), email = coalesce(excluded.email, students.email),"
            " updated_at = ?", (creator_id, whop_user_id, name or username, email, iso_utc()))
    return student_by_whop_user(conn, creator_id, whop_user_id)


def set_owner_revoked(conn: Connection, student_id: int, revoked: bool) -> Student:
    """The owner revokes or restores a student; their chats and progress are kept either way."""
    with transaction(conn):
        conn.execute("UPDATE students SET owner_revoked = ?, updated_at = ? WHERE id = ?",
                     (int(revoked), iso_utc(), student_id))
        _recompute(conn, student_id)
    return get_student(conn, student_id)


def recompute_access(conn: Connection, student_id: int) -> Student:
    """Re-derive a student's access after their memberships changed."""
    with transaction(conn):
        _recompute(conn, student_id)
    return get_student(conn, student_id)


def _recompute(conn: Connection, student_id: int) -> None:
    # Inside a transaction. Access: never while the owner has revoked it; invited students keep it;
    # Whop students have it while at least one of their memberships is valid.
    row = conn.execute("SELECT source, owner_revoked, whop_user_id FROM students WHERE id = ?",
                       (student_id,)).fetchone()
    latest = conn.execute("SELECT status, valid FROM whop_memberships WHERE user_id = ?"
                          " ORDER BY valid DESC, event_time DESC LIMIT 1", (row["whop_user_id"],)).fetchone()
    if row["owner_revoked"]:
        access = "revoked"
    elif row["source"] == "invite":
        access = "active"
    else:
        access = "active" if latest and latest["valid"] else "revoked"
    conn.execute("UPDATE students SET access = ?, membership_status = ? WHERE id = ?",
                 (access, latest["status"] if latest else None, student_id))


def end_sessions(conn: Connection, student_id: int) -> None:
    """Sign the student out everywhere: every cookie holding the old session version stops working."""
    with transaction(conn):
        conn.execute("UPDATE students SET session_version = session_version + 1 WHERE id = ?", (student_id,))


def touch_active(writer: Writer, student: Student, *, now: datetime | None = None) -> bool:
    """Note the student was here, at most once a minute; True when that queued a write."""
    moment = now or datetime.now(timezone.utc)
    # Decided on the row the caller just read: every request of a signed-in student comes here, and
    # the stamp is a deferred write (the writer's batch): a request never waits for the write lock.
    if seen_lately(student, moment):
        return False
    cutoff = moment - TOUCH_EVERY
    writer.defer(lambda conn: _stamp_active(conn, student.id, moment, cutoff), key=("active", student.id))
    return True


def seen_lately(student: Student, now: datetime | None = None) -> bool:
    """Whether the student's "last active" is fresh (under TOUCH_EVERY old) on this row."""
    moment = now or datetime.now(timezone.utc)
    return bool(student.last_active_at and datetime.fromisoformat(student.last_active_at) > moment - TOUCH_EVERY)


def _stamp_active(conn: Connection, student_id: int, moment: datetime, cutoff: datetime) -> None:
    with transaction(conn):  # the guard again, in SQL: another request may have touched it since
        conn.execute("UPDATE students SET last_active_at = ? WHERE id = ? AND"
                     " (last_active_at IS NULL OR last_active_at < ?)",
                     (iso_utc(moment), student_id, iso_utc(cutoff)))
