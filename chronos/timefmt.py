"""Times and sizes as text: the UTC timestamps every table stores, and the way people read them."""
from __future__ import annotations

from datetime import datetime, timezone


def iso_utc(moment: datetime | None = None, *, digits: int = 3) -> str:
    """`moment` (default: now) as ISO-8601 UTC text: '2026-12-02T04:37:26.123Z'.

    Three digits is what SQLite's strftime('%Y-%m-%dT%H:%M:%fZ') writes (the schema's defaults),
    so stored times compare in SQL as text. Whop event times keep six (digits=6), as stored since
    the first migration: one fixed width per column keeps text order equal to time order.
    """
    moment = (moment or datetime.now(timezone.utc)).astimezone(timezone.utc)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%f")[:20 + digits].rstrip(".") + "Z"


def clock(seconds: float | None) -> str:
    """83.4 -> '1:23'; 3723 -> '1:02:03'; None -> '–'."""
    if seconds is None:
        return "–"
    s = int(seconds)
    h, rem = divmod(s, 3600)
    m, s = divmod(rem, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m}:{s:02d}"


def human_bytes(n: float) -> str:
    """1536 -> '1.5 KB'."""
    for unit in ("bytes", "KB", "MB", "GB"):
        if n < 1024 or unit == "GB":
            return f"{n:.0f} {unit}" if unit == "bytes" else f"{n:.1f} {unit}".replace(".0 ", " ")
        n /= 1024
    return f"{n} TB"
