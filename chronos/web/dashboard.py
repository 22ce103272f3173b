"""The owner's analytics pages: the overview dashboard, the student leaderboard, a student's page.

The pages are shells; their scripts fetch `/api/analytics/*` (chronos/web/analytics.py) so that the
range filter and live updates redraw everything without a reload.
"""
from __future__ import annotations

from functools import cache
from zoneinfo import available_timezones

from flask import Blueprint, abort, render_template, request

from chronos.models import activity, people
from chronos.web import services
from chronos.web.analytics import ZONE_NOTE
from chronos.web.identity import owner_required, who

bp = Blueprint("dashboard", __name__)

# The range filter's choices, in the order of their keyboard shortcuts 1–4.
RANGES = [("7d", "7 days"), ("30d", "30 days"), ("90d", "90 days"), ("all", "All time")]
DEFAULT_RANGE = "30d"


def chosen_range() -> str:
    """The range in the URL (?range=) if it is one we offer, else the default."""
    value = request.args.get("range", DEFAULT_RANGE)
    return value if value in dict(RANGES) else DEFAULT_RANGE


@bp.get("/analytics")
@owner_required
def overview():
    """Headline numbers, every chart, the confusion map and the CSV export for one range."""
    with services().db.connection() as conn:
        zone = activity.zone_name(conn, who().creator_id)
    return render_template("analytics.html", ranges=RANGES, range_key=chosen_range(), zone=zone,
                           zones=zone_choices(zone), zone_note=ZONE_NOTE)


@cache
def _iana_zones() -> tuple[str, ...]:
    return tuple(sorted(available_timezones()))  # reads the tz database from disk: once


def zone_choices(current: str) -> tuple[str, ...]:
    """Every IANA zone, sorted, with the creator's current one even if tzdata has dropped it."""
    zones = _iana_zones()
    return zones if current in zones else tuple(sorted((*zones, current)))


@bp.get("/analytics/students")
@owner_required
def students():
    """The leaderboard: students sortable by videos watched, questions asked, courses completed."""
    return render_template("analytics_students.html", ranges=RANGES, range_key=chosen_range())


@bp.get("/analytics/students/<int:student_id>")
@owner_required
def student(student_id: int):
    """One student's activity timeline and course progress."""
    with services().db.connection() as conn:
        found = people.get_student(conn, student_id, creator_id=who().creator_id)
    if found is None:
        abort(404, "This student does not exist or is not one of yours.")
    return render_template("analytics_student.html", student=found)
