"""`/api/analytics/*`: the creator's dashboard data (owner only), CSV exports and the report zone."""
from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import astuple, fields
from datetime import date
from typing import Annotated, Literal

from flask import Blueprint, Response, jsonify
from pydantic import Field

from chronos.models import activity, analytics_export, analytics_students, videos
from chronos.models.analytics_confusion import confusion
from chronos.models.analytics_overview import overview
from chronos.models.analytics_range import RANGES, RangeError, resolve
from chronos.web import analytics_json, services
from chronos.web.downloads import csv_lines, disposition
from chronos.web.identity import api_owner_required, who
from chronos.web.errors import error
from chronos.web.schemas import Body, Query, Text, accepts

bp = Blueprint("analytics", __name__)


class InRange(Query):
    """The dashboard's range: the last 7, 30 or 90 days, or all time, ending today (locally)."""

    range: Literal[tuple(RANGES)] = "30d"


class Leaderboard(InRange):
    sort: Literal[tuple(analytics_students.SORTS)] = "videos"
    order: Literal["desc", "asc"] = "desc"
    limit: Annotated[int, Field(ge=1, le=500)] = 50
    offset: Annotated[int, Field(ge=0, le=10**9)] = 0


class Export(Query):
    """A CSV report of the days from `from` to `to` (creator-local dates, both included)."""

    report: Literal[tuple(analytics_export.REPORTS)]
    first: date = Field(alias="from")
    last: date = Field(alias="to")


class ZoneSetting(Body):
    EXAMPLE = {"timezone": "Europe/Paris"}
    timezone: Text(activity.ZONE_MAX, min_length=1)  # an IANA name


@bp.errorhandler(RangeError)
@bp.errorhandler(activity.ZoneError)
def _bad_input(exc: ValueError):
    return error(str(exc), 400)


@bp.get("/api/analytics/overview")
@api_owner_required
@accepts(query=InRange)
def overview_json(query: InRange):
    """Every chart of the dashboard for ?range=7d|30d|90d|all (default 30d)."""
    with services().db.connection() as conn:
        rng = resolve(conn, who().creator_id, query.range)
        return jsonify(analytics_json.overview_json(overview(conn, who().creator_id, rng)))


@bp.get("/api/analytics/videos/<int:video_id>/confusion")
@api_owner_required
@accepts(query=InRange)
def video_confusion(video_id: int, query: InRange):
    """Where in one video students ask questions and stop watching."""
    with services().db.connection() as conn:
        video = videos.get_video(conn, video_id, who().creator_id)
        if video is None:
            return error(f"No video {video_id}.", 404)
        rng = resolve(conn, who().creator_id, query.range)
        found = confusion(conn, video.id, video.title, video.duration_s, rng)
    return jsonify(analytics_json.confusion_json(found))


@bp.get("/api/analytics/students")
@api_owner_required
@accepts(query=Leaderboard)
def students(query: Leaderboard):
    """The leaderboard: ?sort=videos|questions|courses&order=desc|asc&range=…&limit=50&offset=0."""
    with services().db.connection() as conn:
        board = analytics_students.leaderboard(conn, who().creator_id, resolve(conn, who().creator_id, query.range),
                                               sort=query.sort, order=query.order, limit=query.limit,
                                               offset=query.offset)
    return jsonify(analytics_json.leaderboard_json(board))


@bp.get("/api/analytics/students/<int:student_id>")
@api_owner_required
def student(student_id: int):
    """One student's activity timeline and course progress."""
    with services().db.connection() as conn:
        found = analytics_students.student_detail(conn, who().creator_id, student_id)
    if found is None:
        return error("No such student.", 404)
    return jsonify(analytics_json.student_json(found))


@bp.get("/api/analytics/export")
@api_owner_required
@accepts(query=Export)
def export(query: Export):
    """?report=videos|students|chat|quiz&from=YYYY-MM-DD&to=YYYY-MM-DD as CSV, streamed row by row."""
    report, first, last = query.report, query.first.isoformat(), query.last.isoformat()
    if first > last:
        raise RangeError(f"'from' ({first}) is after 'to' ({last}).")
    db, creator_id = services().db, who().creator_id

    def stream() -> Iterator[str]:
        with db.connection() as conn:
            header = [f.name for f in fields(analytics_export.REPORTS[report])]
            rows = (astuple(row) for row in analytics_export.rows(conn, creator_id, report, first, last))
            yield from csv_lines(itertools.chain([header], rows))

    name = f"chronos-{report}-{first}-to-{last}.csv"
    return Response(stream(), mimetype="text/csv", headers={"Content-Disposition": disposition(name)})


@bp.get("/api/analytics/settings")
@api_owner_required
def settings():
    """The reporting time zone."""
    with services().db.connection() as conn:
        return jsonify(timezone=activity.zone_name(conn, who().creator_id), note=ZONE_NOTE)


@bp.put("/api/analytics/settings")
@api_owner_required
@accepts(ZoneSetting)
def set_settings(body: ZoneSetting):
    """{"timezone": IANA name}: the zone days and hours are counted in, from now on."""
    with services().db.connection() as conn:
        name = activity.set_zone(conn, who().creator_id, body.timezone)
    return jsonify(timezone=name, note=ZONE_NOTE)


ZONE_NOTE = ("Days and hours are counted in this time zone from the moment it is set; activity "
             "already recorded keeps the dates it was counted under.")

