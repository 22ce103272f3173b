"""`/api/analytics/*`: the creator's dashboard data (owner only), CSV exports and the report zone."""
from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import astuple, fields

from flask import Blueprint, Response, jsonify, request

from chronos.models import activity, analytics_export, analytics_students, videos
from chronos.models.analytics_confusion import confusion
from chronos.models.analytics_overview import overview
from chronos.models.analytics_range import RangeError, parse_day, resolve
from chronos.web import analytics_json, services
from chronos.web.downloads import csv_lines, disposition
from chronos.web.identity import api_owner_required, who
from chronos.web.errors import error

bp = Blueprint("analytics", __name__)


@bp.errorhandler(RangeError)
@bp.errorhandler(activity.ZoneError)
def _bad_input(exc: ValueError):
    return error(str(exc), 400)


def _range(conn):
    return resolve(conn, who().creator_id, request.args.get("range"))


@bp.get("/api/analytics/overview")
@api_owner_required
def overview_json():
    """Every chart of the dashboard for ?range=7d|30d|90d|all (default 30d)."""
    with services().db.connection() as conn:
        return jsonify(analytics_json.overview_json(overview(conn, who().creator_id, _range(conn))))


@bp.get("/api/analytics/videos/<int:video_id>/confusion")
@api_owner_required
def video_confusion(video_id: int):
    """Where in one video students ask questions and stop watching."""
    with services().db.connection() as conn:
        video = videos.get_video(conn, video_id, who().creator_id)
        if video is None:
            return error("No such video.", 404)
        rng = _range(conn)
        found = confusion(conn, video.id, video.title, video.duration_s, rng)
    return jsonify(analytics_json.confusion_json(found))


@bp.get("/api/analytics/students")
@api_owner_required
def students():
    """The leaderboard: ?sort=videos|questions|courses&order=desc|asc&range=…&limit=50&offset=0."""
    sort, order = request.args.get("sort", "videos"), request.args.get("order", "desc")
    if sort not in analytics_students.SORTS or order not in ("asc", "desc"):
        raise RangeError("Sort by videos, questions or courses, in asc or desc order.")
    limit, offset = _whole("limit", 50, 1, 500), _whole("offset", 0, 0, 10**9)
    with services().db.connection() as conn:
        board = analytics_students.leaderboard(conn, who().creator_id, _range(conn), sort=sort, order=order,
                                               limit=limit, offset=offset)
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
def export():
    """?report=videos|students|chat|quiz&from=YYYY-MM-DD&to=YYYY-MM-DD as CSV, streamed row by row."""
    report = request.args.get("report", "")
    if report not in analytics_export.REPORTS:
        raise RangeError(f"Unknown report {report!r}: use videos, students, chat or quiz.")
    first, last = parse_day(request.args.get("from"), "from"), parse_day(request.args.get("to"), "to")
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
def set_settings():
    """{"timezone": IANA name}: the zone days and hours are counted in, from now on."""
    body = request.get_json(silent=True) or {}
    with services().db.connection() as conn:
        name = activity.set_zone(conn, who().creator_id, str(body.get("timezone", "")))
    return jsonify(timezone=name, note=ZONE_NOTE)


ZONE_NOTE = ("Days and hours are counted in this time zone from the moment it is set; activity "
             "already recorded keeps the dates it was counted under.")


def _whole(name: str, default: int, low: int, high: int) -> int:
    text = request.args.get(name)
    if text is None:
        return default
    if not text.isdigit() or not low <= int(text) <= high:
        raise RangeError(f"'{name}' must be a whole number from {low} to {high}.")
    return int(text)
