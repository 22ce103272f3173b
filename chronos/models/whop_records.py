"""What Whop told us: webhook deliveries as received, memberships by event time, and payments."""
from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from chronos.db import Connection, IntegrityError, transaction
from chronos.timefmt import iso_utc


@dataclass(frozen=True)
class StoredEvent:
    id: int
    webhook_id: str
    scheme: str
    event_type: str
    event_time: str | None
    payload: str
    outcome: str
    detail: str | None
    received_at: str
    processed_at: str | None

    def to_json(self) -> dict:
        return {"id": self.id, "webhook_id": self.webhook_id, "scheme": self.scheme,
                "type": self.event_type, "event_time": self.event_time, "outcome": self.outcome,
                "detail": self.detail, "received_at": self.received_at, "processed_at": self.processed_at}


def _event(r) -> StoredEvent:
    return StoredEvent(r["id"], r["webhook_id"], r["scheme"], r["event_type"], r["event_time"],
                       r["payload"], r["outcome"], r["detail"], r["received_at"], r["processed_at"])


def store_event(conn: Connection, *, webhook_id: str, scheme: str, event_type: str,
                event_time: str | None, payload: bytes) -> StoredEvent | None:
    """Store a verified delivery; None if this webhook-id was stored before (a duplicate)."""
    try:
        with transaction(conn):
            cur = conn.execute(
                "INSERT INTO whop_events(webhook_id, scheme, event_type, event_time, payload)"
                " VALUES (?, ?, ?, ?, ?)",
                (webhook_id, scheme, event_type, event_time, payload.decode("utf-8", "replace")))
    except IntegrityError:
        return None
    return get_event(conn, cur.lastrowid)


def get_event(conn: Connection, event_id: int) -> StoredEvent | None:
    row = conn.execute("SELECT * FROM whop_events WHERE id = ?", (event_id,)).fetchone()
    return _event(row) if row else None


def list_events(conn: Connection, limit: int = 200) -> list[StoredEvent]:
    return [_event(r) for r in conn.execute("SELECT * FROM whop_events ORDER BY id DESC LIMIT ?", (limit,))]


def set_outcome(conn: Connection, event_id: int, outcome: str, detail: str | None = None) -> None:
    with transaction(conn):
        conn.execute("UPDATE whop_events SET outcome = ?, detail = ?, processed_at = ? WHERE id = ?",
                     (outcome, detail, iso_utc(), event_id))


class Applied(Enum):
    """What apply_membership did; falsy only when the event was stale."""
    APPLIED = "applied"
    TIED = "tied"  # applied, but its event time equals the recorded one's: only the receive order decided
    STALE = "stale"  # an event later in (event time, receive order) was recorded already

    def __bool__(self) -> bool:
        return self is not Applied.STALE


def membership_order(conn: Connection, membership_id: str) -> tuple[str, int] | None:
    """The recorded membership's place in the order: (event time, receive order), or None."""
    row = conn.execute("SELECT event_time, received_order FROM whop_memberships WHERE id = ?",
                       (membership_id,)).fetchone()
    return (row["event_time"], row["received_order"]) if row else None


def apply_membership(conn: Connection, creator_id: int, *, membership_id: str, user_id: str,
                     product_id: str | None, plan_id: str | None, status: str, valid: bool,
                     event_time: str, received_order: int | None = None) -> Applied:
    """Record a membership's state unless a later event already did.

    Events are ordered by event time, then by the order Chronos received them: pass the
    delivery's whop_events.id, or None for a reading of Whop's API made now (it counts as received
    after every delivery stored so far). So of two events with the same time the later delivery
    wins, while an older event delivered late stays stale.
    """
    with transaction(conn):
        if received_order is None:
            received_order = conn.execute("SELECT coalesce(max(id), 0) FROM whop_events").fetchone()[0]
        row = conn.execute("SELECT event_time, received_order FROM whop_memberships WHERE id = ?",
                           (membership_id,)).fetchone()
        # Deliveries arrive unordered: an event older than the one applied must not undo it.
        if row and (row["event_time"], row["received_order"]) > (event_time, received_order):
            return Applied.STALE
        conn.execute(
            "INSERT INTO whop_memberships(id, creator_id, user_id, product_id, plan_id, status, valid,"
            " event_time, received_order, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
            " ON CONFLICT(id) DO UPDATE SET"
            " user_id = excluded.user_id, product_id = coalesce(excluded.product_id, product_id),"
            " plan_id = coalesce(excluded.plan_id, plan_id), status = excluded.status,"
            " valid = excluded.valid, event_time = excluded.event_time,"
            " received_order = excluded.received_order, updated_at = excluded.updated_at",
            (membership_id, creator_id, user_id, product_id, plan_id, status, int(valid), event_time,
             received_order, iso_utc()))
    return Applied.TIED if row and row["event_time"] == event_time else Applied.APPLIED


def record_payment(conn: Connection, creator_id: int, *, payment_id: str, user_id: str | None,
                   membership_id: str | None, product_id: str | None, plan_id: str | None,
                   usd_total: float, currency: str | None, status: str | None, paid_at: str | None,
                   event_time: str) -> bool:
    """Record revenue once per payment id (a later event for the same payment updates it)."""
    with transaction(conn):
        row = conn.execute("SELECT event_time FROM payments WHERE id = ?", (payment_id,)).fetchone()
        if row and row["event_time"] >= event_time:
            return False
        conn.execute(
            "INSERT OR REPLACE INTO payments(id, creator_id, user_id, membership_id, product_id, plan_id,"
            " usd_total, currency, status, paid_at, event_time) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (payment_id, creator_id, user_id, membership_id, product_id, plan_id, usd_total, currency,
             status, paid_at, event_time))
    return True


def revenue_usd(conn: Connection, creator_id: int) -> float:
    return conn.execute("SELECT coalesce(sum(usd_total), 0) FROM payments WHERE creator_id = ?"
                        " AND status IN ('paid', 'succeeded')", (creator_id,)).fetchone()[0]


def set_tier(conn: Connection, creator_id: int, tier: str) -> None:
    """The creator's subscription tier (the tiers issue defines what each allows)."""
    with transaction(conn):
        conn.execute("UPDATE creators SET subscription_tier = ?, updated_at = ? WHERE id = ?",
                     (tier, iso_utc(), creator_id))


def save_tokens(conn: Connection, student_id: int, access_token: str, refresh_token: str,
                expires_at: float) -> None:
    """Keep a student's Whop tokens (the refresh token rotates on every use)."""
    with transaction(conn):
        conn.execute("INSERT INTO whop_tokens(student_id, access_token, refresh_token, expires_at)"
                     " VALUES (?, ?, ?, ?) ON CONFLICT(student_id) DO UPDATE SET"
                     " access_token = excluded.access_token, refresh_token = excluded.refresh_token,"
                     " expires_at = excluded.expires_at, updated_at = ?",
                     (student_id, access_token, refresh_token, expires_at, iso_utc()))


@dataclass(frozen=True)
class StoredTokens:
    access_token: str
    refresh_token: str
    expires_at: float


def get_tokens(conn: Connection, student_id: int) -> StoredTokens | None:
    row = conn.execute("SELECT access_token, refresh_token, expires_at FROM whop_tokens WHERE student_id = ?",
                       (student_id,)).fetchone()
    return StoredTokens(*row) if row else None


def delete_tokens(conn: Connection, student_id: int) -> None:
    with transaction(conn):
        conn.execute("DELETE FROM whop_tokens WHERE student_id = ?", (student_id,))
