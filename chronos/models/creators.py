"""The creator who owns this Chronos, and their API tokens."""
from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from werkzeug.security import check_password_hash, generate_password_hash

from chronos.db import Connection, transaction
from chronos.timefmt import iso_utc

TOKEN_PREFIX = "chr_"
TOKEN_USE_EVERY = timedelta(seconds=60)  # how fresh a token's "last used" is kept


@dataclass(frozen=True)
class Creator:
    id: int
    name: str
    email: str | None
    subscription_tier: str
    created_at: str
    session_version: int = 0  # in every signed-in cookie; raised to sign every session out


@dataclass(frozen=True)
class ApiToken:
    id: int
    creator_id: int
    name: str
    created_at: str
    last_used_at: str | None


def _creator(row) -> Creator:
    return Creator(row["id"], row["name"], row["email"], row["subscription_tier"], row["created_at"],
                   row["session_version"])


def get_owner(conn: Connection) -> Creator | None:
    """The owner account, or None before first-run setup."""
    row = conn.execute(
        "SELECT * FROM creators WHERE password_hash IS NOT NULL ORDER BY id LIMIT 1").fetchone()
    return _creator(row) if row else None


def creator_ids(conn: Connection) -> list[int]:
    """Every creator in this data folder (one, for a self-hosted Chronos)."""
    return [r[0] for r in conn.execute("SELECT id FROM creators ORDER BY id")]


def get_creator(conn: Connection, creator_id: int) -> Creator | None:
    """One creator by id."""
    row = conn.execute("SELECT * FROM creators WHERE id = ?", (creator_id,)).fetchone()
    return _creator(row) if row else None


def create_owner(conn: Connection, name: str, password: str, email: str | None = None) -> Creator:
    """Create the owner account; refuses if one exists (setup happens once)."""
    password_hash = generate_password_hash(password)  # slow on purpose: not under the write lock
    with transaction(conn):
        if conn.execute("SELECT 1 FROM creators WHERE password_hash IS NOT NULL").fetchone():
            raise OwnerExists("This Chronos is already set up. Sign in with the owner's name.")
        # Videos ingested from the CLI before setup belong to the unclaimed local creator:
        # setup claims that row so they stay the owner's.
        row = conn.execute("SELECT id FROM creators ORDER BY id LIMIT 1").fetchone()
        if row:
            conn.execute("UPDATE creators SET name = ?, email = ?, password_hash = ?, updated_at = ?"
                         " WHERE id = ?", (name, email, password_hash, iso_utc(), row[0]))
            creator_id = row[0]
        else:
            creator_id = conn.execute(
                "INSERT INTO creators(name, email, password_hash) VALUES (?, ?, ?)",
                (name, email, password_hash)).lastrowid
    return get_creator(conn, creator_id)


def local_creator(conn: Connection) -> Creator:
    """The creator this Chronos belongs to, made (unclaimed, no password) if none exists yet."""
    row = conn.execute("SELECT * FROM creators ORDER BY id LIMIT 1").fetchone()
    if row:
        return _creator(row)
    with transaction(conn):
        cur = conn.execute("INSERT INTO creators(name) VALUES ('Owner')")
    return get_creator(conn, cur.lastrowid)


def check_owner_password(conn: Connection, name: str, password: str) -> Creator | None:
    """The owner if name and password match, else None."""
    row = conn.execute(
        "SELECT * FROM creators WHERE password_hash IS NOT NULL AND lower(name) = lower(?)",
        (name.strip(),)).fetchone()
    if row and check_password_hash(row["password_hash"], password):
        return _creator(row)
    return None


def end_sessions(conn: Connection, creator_id: int) -> None:
    """Sign the creator out everywhere: every cookie holding the old session version stops working."""
    with transaction(conn):
        conn.execute("UPDATE creators SET session_version = session_version + 1 WHERE id = ?", (creator_id,))


class OwnerExists(ValueError):
    """Setup was already done (perhaps a moment ago, by another request)."""


def _hash_token(token: str) -> str:
    # Tokens are 256-bit random, so a fast hash is enough: no dictionary attack applies.
    return hashlib.sha256(token.encode()).hexdigest()


def create_token(conn: Connection, creator_id: int, name: str = "cli") -> str:
    """Create an API token and return its secret text (shown once, stored hashed)."""
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    with transaction(conn):
        conn.execute("INSERT INTO api_tokens(creator_id, name, token_hash) VALUES (?, ?, ?)",
                     (creator_id, name, _hash_token(token)))
    return token


def creator_for_token(conn: Connection, token: str, *, now: datetime | None = None) -> Creator | None:
    """The creator a live token belongs to, recording its use (to the minute); None if unknown or revoked."""
    row = conn.execute(
        "SELECT c.*, t.id AS token_id, t.last_used_at FROM api_tokens t JOIN creators c ON c.id = t.creator_id"
        " WHERE t.token_hash = ? AND t.revoked_at IS NULL", (_hash_token(token),)).fetchone()
    if not row:
        return None
    moment = now or datetime.now(timezone.utc)
    # A script may call the API many times a second: a write each time would take SQLite's write
    # lock for nothing but "last used", so the use is recorded at most once a minute.
    if not row["last_used_at"] or datetime.fromisoformat(row["last_used_at"]) <= moment - TOKEN_USE_EVERY:
        with transaction(conn):
            conn.execute("UPDATE api_tokens SET last_used_at = ? WHERE id = ?", (iso_utc(moment), row["token_id"]))
    return _creator(row)


def list_tokens(conn: Connection, creator_id: int) -> list[ApiToken]:
    """The creator's live tokens, newest first."""
    rows = conn.execute(
        "SELECT * FROM api_tokens WHERE creator_id = ? AND revoked_at IS NULL ORDER BY id DESC",
        (creator_id,))
    return [ApiToken(r["id"], r["creator_id"], r["name"], r["created_at"], r["last_used_at"]) for r in rows]


def revoke_token(conn: Connection, creator_id: int, token_id: int) -> bool:
    """Revoke one token; True if it existed."""
    with transaction(conn):
        cur = conn.execute(
            "UPDATE api_tokens SET revoked_at = ? WHERE id = ? AND creator_id = ? AND revoked_at IS NULL",
            (iso_utc(), token_id, creator_id))
    return cur.rowcount > 0
