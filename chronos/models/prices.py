"""Model prices by effective date, and what a message's tokens cost."""
from __future__ import annotations

from dataclasses import dataclass

from chronos.db import Connection


@dataclass(frozen=True)
class Price:
    model: str
    effective_from: str
    input_usd_per_mtok: float
    output_usd_per_mtok: float
    cache_write_multiplier: float
    cache_read_multiplier: float

    def cost(self, usage) -> float:
        """USD for one message's usage: cache writes and reads are priced off the input rate."""
        per_token_in = self.input_usd_per_mtok / 1e6
        return (usage.input_tokens * per_token_in
                + usage.output_tokens * self.output_usd_per_mtok / 1e6
                + usage.cache_write_tokens * per_token_in * self.cache_write_multiplier
                + usage.cache_read_tokens * per_token_in * self.cache_read_multiplier)


def price_for(conn: Connection, model: str, on_date: str) -> Price | None:
    """The price in effect for a model on a date (YYYY-MM-DD), or None if unknown."""
    row = conn.execute(
        "SELECT model, effective_from, input_usd_per_mtok, output_usd_per_mtok,"
        " cache_write_multiplier, cache_read_multiplier FROM model_prices"
        " WHERE model = ? AND effective_from <= ? ORDER BY effective_from DESC LIMIT 1",
        (model, on_date)).fetchone()
    return Price(*row) if row else None
