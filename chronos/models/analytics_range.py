"""The dashboard's time range: creator-local dates, and the period just before for comparison."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date as Date, datetime, timedelta, timezone

from chronos.db import Connection
from chronos.models import activity

RANGES = {"7d": 7, "30d": 30, "90d": 90, "all": None}


class RangeError(ValueError):
    """A range or date the dashboard does not understand."""


@dataclass(frozen=True)
class Range:
    """A dashboard range: its key and its first and last local dates, with the period before it."""

    key: str
    first: str                  # creator-local dates, inclusive
    last: str
    zone: str
    previous_first: str | None  # the same number of days just before (None for "all")
    previous_last: str | None

    def days(self) -> list[str]:
        """Every local date in the range, oldest first."""
        return dates_between(self.first, self.last)


def dates_between(first: str, last: str) -> list[str]:
    """The ISO dates from first to last inclusive."""
    a, b = Date.fromisoformat(first), Date.fromisoformat(last)
    return [(a + timedelta(days=i)).isoformat() for i in range((b - a).days + 1)]


def resolve(conn: Connection, creator_id: int, key: str | None, *, now: datetime | None = None) -> Range:
    """The range called `key` ("7d", "30d", "90d", "all"; default "30d") ending today, locally."""
    key = key or "30d"
    if key not in RANGES:
        raise RangeError(f"Unknown range {key!r}: use one of {', '.join(RANGES)}.")
    zone = activity.zone_name(conn, creator_id)
    today = Date.fromisoformat(activity.local_date(now or datetime.now(timezone.utc),
                                                   activity.parse_zone(zone)))
    days = RANGES[key]
    if days is None:
        earliest = conn.execute("SELECT min(date) FROM creator_days WHERE creator_id = ?",
                                (creator_id,)).fetchone()[0]
        first = min(Date.fromisoformat(earliest), today) if earliest else today
        return Range(key, first.isoformat(), today.isoformat(), zone, None, None)
    first = today - timedelta(days=days - 1)
    return Range(key, first.isoformat(), today.isoformat(), zone,
                 (first - timedelta(days=days)).isoformat(), (first - timedelta(days=1)).isoformat())

