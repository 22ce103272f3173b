"""The owner's usage page and `GET /api/usage`: meters against the tier, the upgrade prompt, costs."""
from __future__ import annotations

from dataclasses import asdict

from flask import Blueprint, flash, jsonify, redirect, render_template, url_for

from chronos import tiers
from chronos.models import usage
from chronos.web import services
from chronos.web.identity import api_owner_required, owner_required, who
from chronos.web.schemas import accepts
from chronos.whop import WhopError
from chronos.web.errors import error

bp = Blueprint("usage", __name__)

# A meter is yellow from WARN and red from FULL (fractions of its limit); the upgrade prompt
# appears when any meter reaches WARN.
WARN, FULL = 0.80, 0.95
# The tier setting behind each meter, for the "raise the limit yourself" snippet.
TIER_KEYS = {"videos": "videos_per_month", "storage_bytes": "storage_bytes", "credits": "credits_per_month",
             "students": "active_students"}
LABELS = {"videos": "Videos this month", "storage_bytes": "Storage",
          "credits": "AI answers this month", "students": "Active students"}
# Which answerer wrote an answer, in words (chat_messages.answerer).
ANSWERERS = {"claude": "Claude", "offline": "Offline (quoted from the videos)", "openai": "OpenAI-compatible server"}


def answerer_label(name: str) -> str:
    return ANSWERERS.get(name, name or "Unknown")


def _snapshot(conn, creator_id: int) -> dict:
    """The tier, the period and each meter, as `GET /api/usage` returns them."""
    settings = services().settings
    tier = tiers.creator_tier(conn, settings, creator_id)
    meters = usage.meters(conn, creator_id, tier)
    return {"tier": tier.name, "period_start": usage.period_start(),
            "meters": {name: {"used": m.used, "limit": m.limit} for name, m in meters.items()},
            "owner_previews": usage.previews(conn, creator_id, usage.period_start()),
            "citations": dict(zip(("verified", "dropped"), usage.citation_checks(conn, creator_id,
                                                                                  usage.period_start()))),
            "max_upload_bytes": tiers.upload_limit(settings, tier)[0],
            "whop": _whop_reading()}


def _whop_reading() -> dict | None:
    """The last reading of the plan from Whop's API (null when Whop does not set the tier)."""
    whop = services().whop
    if whop is None or not whop.reads_tier():
        return None
    sync = whop.tier_sync
    return asdict(sync) if sync else {"ok": None, "message": "Not read from Whop yet."}


def _refresh_from_whop():
    """Read the plan from Whop now: the reading, or a WhopError saying why it can't be read."""
    whop = services().whop
    if whop is None:
        raise WhopError("Whop is not set up on this Chronos (set the WHOP_* settings).", 404)
    with services().db.connection() as conn:
        return whop.refresh_tier(conn)


@bp.post("/api/usage/refresh")
@api_owner_required
@accepts()
def api_refresh():
    """Read the creator's plan from Whop's API now; on failure the tier is kept (502)."""
    try:
        sync = _refresh_from_whop()
    except WhopError as exc:
        status = exc.status if exc.status in (404, 503) else 502
        return error(str(exc), status)
    body = asdict(sync)
    return (jsonify(body), 200) if sync.ok else (jsonify(body | {"error": sync.message}), 502)


@bp.post("/usage/refresh")
@owner_required
def refresh():
    """The usage page's "Refresh from Whop" button."""
    try:
        sync = _refresh_from_whop()
        flash(sync.message, "message" if sync.ok else "error")
    except WhopError as exc:
        flash(str(exc), "error")
    return redirect(url_for("usage.page"))


def _raised(next_limit: int | None, current: int) -> int:
    """The limit to suggest: the next tier's (None there is unlimited: -1), else twice the current."""
    if next_limit is None:
        return -1
    return max(next_limit, 2 * current)


def level(used: int, limit: int | None) -> str:
    """green, yellow or red for a meter (unlimited meters stay green)."""
    if not limit:
        return "green" if limit is None else "red"
    share = used / limit
    return "red" if share >= FULL else "yellow" if share >= WARN else "green"


@bp.get("/api/usage")
@api_owner_required
def api_usage():
    """The creator's tier, when the period began, and each meter's use and limit (null: unlimited)."""
    with services().db.connection() as conn:
        return jsonify(_snapshot(conn, who().creator_id))


@bp.get("/usage")
@owner_required
def page():
    """Meters, the upgrade prompt at 80 % of any limit, and cost cards."""
    settings = services().settings
    creator_id = who().creator_id
    with services().db.connection() as conn:
        snap = _snapshot(conn, creator_id)
        tier = tiers.tier_for(settings, snap["tier"])
        start = snap["period_start"]
        month = usage.month_costs(conn, creator_id, start)
        per_video = usage.video_costs(conn, creator_id)
        per_message = usage.message_costs(conn, creator_id)
        per_student = usage.student_costs(conn, creator_id, start)
    meters = [{"name": name, "label": LABELS[name], **m, "level": level(m["used"], m["limit"]),
               "percent": min(100, round(100 * m["used"] / m["limit"])) if m["limit"] else 0}
              for name, m in snap["meters"].items()]
    nearing = [m for m in meters if m["limit"] is not None and m["used"] >= WARN * m["limit"]]
    upgrade = tiers.next_tier(settings, tier) if nearing else None
    # Without a checkout to sell the next tier, a self-hosted owner raises the limit in settings.toml:
    # to the next tier's figure (-1: unlimited), or double the current one when there is no next tier.
    raise_to = [(TIER_KEYS[m["name"]], _raised(upgrade.limit(m["name"]) if upgrade else None, m["limit"]))
                for m in nearing]
    gb = month["storage_bytes"] / 1024**3
    costs = {"transcription_usd": month["minutes"] * settings.transcription_usd_per_minute,
             "storage_usd": gb * settings.storage_usd_per_gb_month, "embeddings_usd": 0.0}
    costs["total_usd"] = month["claude_usd"] + costs["transcription_usd"] + costs["storage_usd"]
    server_cap = settings.max_upload_bytes
    return render_template("usage.html", tier=tier, snap=snap, meters=meters, nearing=nearing, server_cap=server_cap,
                           raise_to=raise_to, settings_file=settings.data_dir / "settings.toml",
                           upgrade=upgrade, month=month, costs=costs, per_video=per_video,
                           per_message=per_message, per_student=per_student,
                           next_reset=usage.next_period_start(), answerer_label=answerer_label,
                           transcription_rate=settings.transcription_usd_per_minute)
