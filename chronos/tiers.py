"""The tiers Chronos is sold in and what each allows; defaults here, overridable from settings."""
from __future__ import annotations

from dataclasses import dataclass, fields, replace

from chronos.config import Settings
from chronos.models import creators

GB = 1024**3
ORDER = ("free", "starter", "pro", "enterprise")


@dataclass(frozen=True)
class Tier:
    """One tier's limits; None means unlimited."""
    name: str
    label: str
    videos_per_month: int | None
    storage_bytes: int | None
    credits_per_month: int | None  # AI answers per month
    active_students: int | None
    max_upload_bytes: int | None
    questions_per_student_per_day: int | None
    price_usd_per_month: float = 0.0
    checkout_url: str = ""  # the Whop checkout that buys this tier

    def limit(self, meter: str) -> int | None:
        """The limit behind a usage meter's name."""
        return {"videos": self.videos_per_month, "storage_bytes": self.storage_bytes,
                "credits": self.credits_per_month, "students": self.active_students}[meter]


DEFAULT_TIERS: dict[str, Tier] = {
    "free": Tier("free", "Free", 10, 5 * GB, 200, 25, 1 * GB, 50),
    "starter": Tier("starter", "Starter", 50, 50 * GB, 2_000, 250, 2 * GB, 100, 29.0),
    "pro": Tier("pro", "Pro", 250, 500 * GB, 20_000, 2_500, 5 * GB, 300, 99.0),
    "enterprise": Tier("enterprise", "Enterprise", None, None, None, None, 20 * GB, None, 499.0),
}

_FIELDS = {f.name for f in fields(Tier)}
_LIMITS = _FIELDS - {"name", "label", "price_usd_per_month", "checkout_url"}


def tier_table(settings: Settings) -> dict[str, Tier]:
    """The built-in tiers with the settings' [tiers.<name>] overrides applied (-1: unlimited)."""
    table = dict(DEFAULT_TIERS)
    for name, overrides in (settings.tiers or {}).items():
        base = table.get(name, replace(DEFAULT_TIERS["free"], name=name, label=name.title(),
                                       checkout_url=""))
        changes = {}
        for key, value in dict(overrides).items():
            if key not in _FIELDS or key == "name":
                raise ValueError(f"Unknown tier setting [tiers.{name}] {key}")
            if key in _LIMITS:
                value = None if value is None or int(value) < 0 else int(value)
            changes[key] = value
        table[name] = replace(base, **changes)
    return table


def tier_for(settings: Settings, name: str | None) -> Tier:
    """The named tier, or free for a name the table does not know."""
    table = tier_table(settings)
    return table.get((name or "free").lower(), table["free"])


def _ordered(table: dict[str, Tier]) -> list[str]:
    """The table's tier names from lowest to highest: free, starter, pro, enterprise, then others."""
    return [n for n in ORDER if n in table] + [n for n in table if n not in ORDER]


def next_tier(settings: Settings, current: Tier) -> Tier | None:
    """The tier above this one (in the order free, starter, pro, enterprise, then any others)."""
    table = tier_table(settings)
    names = _ordered(table)
    i = names.index(current.name) if current.name in names else -1
    return table[names[i + 1]] if 0 <= i < len(names) - 1 else None


def upload_limit(settings: Settings, tier: Tier) -> tuple[int, str]:
    """The largest upload accepted now: the smaller of the server's max_upload_bytes and the
    tier's limit, and whose it is ("plan" or "server")."""
    if tier.max_upload_bytes is not None and tier.max_upload_bytes < settings.max_upload_bytes:
        return tier.max_upload_bytes, "plan"
    return settings.max_upload_bytes, "server"


def tier_plans(settings: Settings) -> dict[str, str]:
    """The whop_tier_plans setting ("plan_a=pro,prod_b=starter") as {Whop plan or product id: tier}."""
    found = {}
    for pair in settings.whop_tier_plans.split(","):
        whop_id, _, tier = pair.partition("=")
        if whop_id.strip() and tier.strip():
            found[whop_id.strip()] = tier.strip().lower()
    return found


def tier_for_plan(settings: Settings, plan_id: str | None) -> str | None:
    """The tier a Whop plan (or product) id buys, from the whop_tier_plans setting."""
    return tier_plans(settings).get(plan_id) if plan_id else None


def highest(settings: Settings, names: list[str]) -> str | None:
    """The highest of these tier names (free < starter < pro < enterprise < any other)."""
    table = tier_table(settings)
    order = _ordered(table)
    known = [n for n in names if n in table]
    return max(known, key=order.index) if known else None


def creator_tier(conn, settings: Settings, creator_id: int) -> Tier:
    """The tier the creator is on now (read fresh, so a webhook's change applies at once)."""
    creator = creators.get_creator(conn, creator_id)
    return tier_for(settings, creator.subscription_tier if creator else None)
