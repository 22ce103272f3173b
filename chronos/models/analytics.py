"""Daily roll-ups: per-video analytics and per-creator usage."""
from __future__ import annotations

from collections.abc import Iterable

from chronos.db import Connection, transaction
from chronos.timefmt import iso_utc


def record_chat_references(conn: Connection, video_ids: Iterable[int], date: str) -> None:
    """Count one chat reference for each cited video on a day."""
    with transaction(conn):
        for video_id in set(video_ids):
            conn.execute(
                "INSERT INTO video_analytics(video_id, date, chat_references) VALUES (?, ?, 1)"
                " ON CONFLICT(video_id, date) DO UPDATE SET chat_references = chat_references + 1,"
                " updated_at = ?", (video_id, date, iso_utc()))


def record_answer_usage(conn: Connection, creator_id: int, date: str, *, credits: int, previews: int = 0,
                        anthropic_cost_usd: float = 0.0, openai_cost_usd: float = 0.0,
                        citations_verified: int = 0, citations_dropped: int = 0) -> None:
    """Add one answer's credits (or, for the owner's own preview, one preview), cost and citations
    verified and dropped to the creator's day."""
    with transaction(conn):
        conn.execute(
            "INSERT INTO usage_metrics(creator_id, date, ai_credits_used, preview_answers, anthropic_cost_cents,"
            " openai_cost_cents, citations_verified, citations_dropped) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
            " ON CONFLICT(creator_id, date) DO UPDATE SET"
            " ai_credits_used = ai_credits_used + excluded.ai_credits_used,"
            " preview_answers = preview_answers + excluded.preview_answers,"
            " anthropic_cost_cents = anthropic_cost_cents + excluded.anthropic_cost_cents,"
            " openai_cost_cents = openai_cost_cents + excluded.openai_cost_cents,"
            " citations_verified = citations_verified + excluded.citations_verified,"
            " citations_dropped = citations_dropped + excluded.citations_dropped, updated_at = ?",
            (creator_id, date, credits, previews, anthropic_cost_usd * 100, openai_cost_usd * 100,
             citations_verified, citations_dropped, iso_utc()))
