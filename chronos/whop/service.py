"""What Chronos does with Whop: sign students in, trust the iframe, and apply webhooks in order."""
from __future__ import annotations

import logging
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timezone

from chronos import tiers
from chronos.config import Settings
from chronos.db import Connection, transaction
from chronos.models import activity, creators, people, usage, whop_records
from chronos.models.states import Role
from chronos.timefmt import iso_utc
from chronos.whop import webhooks
from chronos.whop.api import Membership, PlanMembership, WhopAPI
from chronos.whop.oauth import WhopError, WhopOAuthConfig, WhopUser, refresh, userinfo
from chronos.whop.user_tokens import JWKSCache, UserTokenError, verify_user_token

log = logging.getLogger(__name__)
ACCESS_CACHE_S = 60.0  # how long an iframe user's access decision is reused before asking Whop again


@dataclass(frozen=True)
class Decision:
    """Who a Whop user is to this Chronos: owner (company admin), student with access, or no access."""
    role: Role
    creator_id: int
    student: people.Student | None = None
    reason: str = ""


@dataclass(frozen=True)
class TierSync:
    """One reading of the creator's Chronos plan from Whop's API; on failure the tier was kept."""
    ok: bool
    tier: str  # the tier in force after the reading
    message: str
    checked_at: str  # ISO UTC
    changed: bool = False


@dataclass(frozen=True)
class _Recorded:
    """A membership event as recorded: the state that now holds, and how a time tie was settled."""
    applied: bool
    status: str
    valid: bool
    note: str


@dataclass(frozen=True)
class WebhookResult:
    status: int
    body: dict


class WhopService:
    """Whop behind one object; built only when Whop settings are present."""

    def __init__(self, settings: Settings, *, api: WhopAPI | None = None, jwks: JWKSCache | None = None):
        self.settings = settings
        base = settings.whop_base_url.rstrip("/")
        self.api = api or (WhopAPI(settings.whop_api_key, base) if settings.whop_api_key else None)
        self.jwks = jwks or JWKSCache(f"{base}/.well-known/jwks.json")
        self._decisions: dict[str, tuple[float, Decision]] = {}
        self._lock = threading.Lock()
        self.tier_sync: TierSync | None = None  # the last reading of the creator's plan
        self._tier_read_at: float | None = None  # monotonic time of the last attempt
        self._tier_lock = threading.Lock()

    # -- OAuth --------------------------------------------------------------------------------
    def oauth_config(self, redirect_uri: str) -> WhopOAuthConfig:
        s = self.settings
        return WhopOAuthConfig(client_id=s.whop_client_id, client_secret=s.whop_client_secret,
                               redirect_uri=redirect_uri, base_url=s.whop_base_url.rstrip("/"),
                               company_id=s.whop_company_id)

    def resource_id(self) -> str:
        """What access is checked against: the first configured product, else the company."""
        return (self.settings.product_ids or [self.settings.whop_company_id])[0]

    def decide(self, conn: Connection, user: WhopUser) -> Decision:
        """Check a Whop user's access now and bring their student record up to date."""
        creator = creators.local_creator(conn)
        level = self._access_level(user.id)
        if level == "admin":
            return Decision(Role.OWNER, creator.id)
        # Whop is asked before anything is written: no write transaction waits on the network.
        memberships = self._memberships(user.id) if level == "customer" else None
        with transaction(conn):  # the seat check, the student and their memberships land together
            if level == "customer" and people.student_by_whop_user(conn, creator.id, user.id) is None:
                limit = tiers.creator_tier(conn, self.settings, creator.id).active_students
                if limit is not None and usage.active_students(conn, creator.id, usage.period_start()) >= limit:
                    return Decision(Role.NONE, creator.id, reason=(
                        f"This course already has its {limit} active students for this month. "
                        "The course owner has been told; please try again later."))
            student = people.upsert_whop_student(conn, creator.id, whop_user_id=user.id, name=user.name,
                                                 username=user.username, email=user.email)
            if memberships is not None:
                self._record_memberships(conn, creator.id, user.id, memberships)
            student = people.recompute_access(conn, student.id)
        if level == "customer" and student.access == "active":
            return Decision(Role.STUDENT, creator.id, student)
        reason = ("Your access was revoked by the course owner." if student.owner_revoked
                  else "You don't have an active membership for this course.")
        return Decision(Role.NONE, creator.id, student, reason)

    def _access_level(self, user_id: str) -> str:
        if self.api is None:
            raise WhopError("Whop access checks need WHOP_API_KEY; ask the course owner to set it.", 503)
        if not self.resource_id():
            raise WhopError("Set WHOP_COMPANY_ID (or WHOP_PRODUCT_IDS) so access can be checked.", 503)
        return self.api.check_access(user_id, self.resource_id()).access_level

    def _memberships(self, user_id: str) -> list[Membership]:
        """The user's memberships of this company's products, from the API."""
        if not self.settings.whop_company_id:
            return []
        return self.api.list_memberships(self.settings.whop_company_id, user_ids=[user_id],
                                         product_ids=self.settings.product_ids)

    def _record_memberships(self, conn: Connection, creator_id: int, user_id: str,
                            found: list[Membership]) -> None:
        """Record the user's memberships, so later webhooks have something to revoke."""
        now = iso_utc(digits=webhooks.EVENT_TIME_DIGITS)
        for m in found:
            whop_records.apply_membership(conn, creator_id, membership_id=m.id, user_id=user_id,
                                          product_id=m.product_id, plan_id=m.plan_id, status=m.status,
                                          valid=m.valid, event_time=m.updated_at or now)
        if not any(m.valid for m in found):
            # The access API says yes but lists no membership (an admin grant, say): remember that.
            whop_records.apply_membership(conn, creator_id, membership_id=f"access:{user_id}",
                                          user_id=user_id, product_id=None, plan_id=None,
                                          status="active", valid=True, event_time=now)

    def keep_fresh(self, conn: Connection, student: people.Student) -> people.Student | None:
        """Refresh a Whop student's expired sign-in (the refresh token rotates) and re-check access.

        None means the sign-in can no longer be renewed: the student must sign in again.
        """
        stored = whop_records.get_tokens(conn, student.id)
        if stored is None or stored.expires_at > time.time() + 30:
            return student
        cfg = self.oauth_config(redirect_uri="")
        try:
            tokens = refresh(cfg, stored.refresh_token)
            whop_records.save_tokens(conn, student.id, tokens.access_token, tokens.refresh_token,
                                     tokens.expires_at)
            self.decide(conn, userinfo(cfg, tokens.access_token))
        except WhopError as exc:
            if exc.status is None or exc.status >= 500:
                return student  # Whop is down: keep the session, try again on a later request
            log.info("Whop sign-in of student %s could not be renewed: %s", student.id, exc)
            whop_records.delete_tokens(conn, student.id)
            return None
        return people.get_student(conn, student.id)

    # -- the iframe ---------------------------------------------------------------------------
    def identify_iframe(self, conn: Connection, token: str) -> Decision:
        """The caller behind Whop's x-whop-user-token, verified and mapped (cached a minute)."""
        creator = creators.local_creator(conn)
        try:
            claims = verify_user_token(token, app_id=self.settings.whop_app_id, jwks=self.jwks)
        except UserTokenError as exc:
            log.warning("rejected a Whop iframe token: %s", exc)
            return Decision(Role.NONE, creator.id, reason=f"Whop sign-in could not be verified ({exc}).")
        except WhopError as exc:  # Whop's key set could not be loaded: an outage, not a bad token
            return Decision(Role.NONE, creator.id, reason=f"Whop is not reachable right now ({exc}). Try again soon.")
        with self._lock:
            cached = self._decisions.get(claims.user_id)
        if cached and cached[0] > time.monotonic():
            decision = cached[1]
            if decision.student is not None:  # the owner may have revoked them meanwhile
                current = people.get_student(conn, decision.student.id)
                if current is None or current.access != "active":
                    return Decision(Role.NONE, creator.id, current, "Your access has ended.")
            return decision
        try:
            decision = self.decide(conn, WhopUser(claims.user_id, None, None, None, None))
        except WhopError as exc:
            return Decision(Role.NONE, creator.id, reason=str(exc))
        with self._lock:
            self._decisions[claims.user_id] = (time.monotonic() + ACCESS_CACHE_S, decision)
        return decision

    def forget(self, user_id: str | None = None) -> None:
        """Drop cached iframe decisions (a webhook changed someone's access)."""
        with self._lock:
            if user_id is None:
                self._decisions.clear()
            else:
                self._decisions.pop(user_id, None)

    # -- the creator's tier from the API --------------------------------------------------------
    def reads_tier(self) -> bool:
        """Whether the tier can be read from the API: an API key, the company and whop_tier_plans."""
        return bool(self.api and self.settings.whop_company_id and tiers.tier_plans(self.settings))

    def refresh_tier(self, conn: Connection) -> TierSync:
        """Read the creator's plan from Whop now (the usage page's button); waits for a running read."""
        if not self.reads_tier():
            raise WhopError("To read your plan from Whop, set WHOP_API_KEY, WHOP_COMPANY_ID and "
                            "whop_tier_plans (e.g. plan_abc=pro).", 503)
        with self._tier_lock:
            return self._read_tier(conn)

    def tier_read_due(self, *, force: bool = False) -> bool:
        """Whether keep_tier_fresh would read now: first use, forced, or whop_tier_refresh_s passed."""
        if not self.reads_tier():
            return False
        every = self.settings.whop_tier_refresh_s
        last = self._tier_read_at
        return force or last is None or (every > 0 and time.monotonic() - last >= every)

    def keep_tier_fresh(self, conn: Connection, *, force: bool = False) -> TierSync | None:
        """Read the plan on first use, when forced (a sign-in) or once whop_tier_refresh_s passed.

        Never waits: while another request is reading, this one goes on with the current tier.
        """
        if not self.tier_read_due(force=force) or not self._tier_lock.acquire(blocking=False):
            return None
        try:
            return self._read_tier(conn)
        finally:
            self._tier_lock.release()

    def _read_tier(self, conn: Connection) -> TierSync:
        creator = creators.local_creator(conn)
        before = creator.subscription_tier
        self._tier_read_at = time.monotonic()
        try:
            found = self._tier_memberships()
        except WhopError as exc:
            log.warning("could not read the creator's plan from Whop: %s", exc)
            kept = tiers.tier_for(self.settings, before).label
            self.tier_sync = TierSync(False, before, f"Couldn't read your plan from Whop: {exc} "
                                      f"Chronos keeps you on the {kept} plan until Whop answers.", iso_utc())
            return self.tier_sync
        now = iso_utc(digits=webhooks.EVENT_TIME_DIGITS)
        held = {h.membership.id: self._membership_tier(h) for h in found if h.membership.valid}
        tier = tiers.highest(self.settings, [t for t in held.values() if t]) or "free"
        with transaction(conn):  # what Whop said is recorded whole: the memberships with the tier
            for m in (h.membership for h in found):
                if m.user_id:  # recorded, so an older webhook arriving late cannot undo what Whop says now
                    whop_records.apply_membership(conn, creator.id, membership_id=m.id, user_id=m.user_id,
                                                  product_id=m.product_id, plan_id=m.plan_id,
                                                  status=m.status, valid=m.valid,
                                                  event_time=m.updated_at or now)
            if tier != before:
                whop_records.set_tier(conn, creator.id, tier)
        label = tiers.tier_for(self.settings, tier).label
        source = next((h.membership.plan_id or h.membership.product_id for h in found
                       if held.get(h.membership.id) == tier), None)
        message = (f"Whop says you hold the {label} plan ({source})." if source else
                   f"Whop lists no active Chronos plan for your company, so you are on the {label} plan.")
        self.tier_sync = TierSync(True, tier, message, now, changed=tier != before)
        return self.tier_sync

    def _tier_memberships(self) -> list[PlanMembership]:
        """Memberships (any status) of the plans and products named in whop_tier_plans."""
        ids = list(tiers.tier_plans(self.settings))
        products = [i for i in ids if i.startswith("prod_")]
        plans = [i for i in ids if i not in products]
        company = self.settings.whop_company_id
        found = self.api.list_plan_memberships(company, plan_ids=plans) if plans else []
        if products:  # Whop ANDs filters, so products are a second query
            found += self.api.list_plan_memberships(company, product_ids=products)
        return list({h.membership.id: h for h in found}.values())

    def _membership_tier(self, held: PlanMembership) -> str | None:
        """The tier a membership buys: named in its plan's/product's metadata, else whop_tier_plans."""
        m = held.membership
        return (_tier_in(held.plan_metadata, held.product_metadata)
                or tiers.tier_for_plan(self.settings, m.plan_id)
                or tiers.tier_for_plan(self.settings, m.product_id))

    # -- webhooks -----------------------------------------------------------------------------
    def is_signed(self, headers: Mapping[str, str], raw_body: bytes) -> bool:
        """True when a delivery carries a valid signature (checked only: nothing logged or stored)."""
        try:
            webhooks.verify(headers, raw_body, self.settings.whop_webhook_secret)
        except webhooks.WebhookSignatureError:
            return False
        return True

    def receive_webhook(self, conn: Connection, headers: Mapping[str, str], raw_body: bytes) -> WebhookResult:
        """Verify, store, then act; duplicates are acknowledged and ignored."""
        if not self.settings.whop_webhook_secret:
            return WebhookResult(503, {"error": "Webhooks are not configured (set WHOP_WEBHOOK_SECRET)."})
        try:
            delivery = webhooks.verify(headers, raw_body, self.settings.whop_webhook_secret)
            # Legacy bodies may carry no time: the signed delivery time orders them instead.
            event = webhooks.parse_event(raw_body, fallback_ts=delivery.timestamp)
        except webhooks.WebhookSignatureError as exc:
            log.warning("rejected a Whop webhook: %s", exc)
            return WebhookResult(401, {"error": f"Invalid signature: {exc}"})
        except ValueError as exc:
            return WebhookResult(400, {"error": f"Unreadable event: {exc}"})
        stored = whop_records.store_event(conn, webhook_id=delivery.webhook_id, scheme=delivery.scheme,
                                          event_type=event.type, event_time=event.event_time,
                                          payload=raw_body)
        if stored is None:
            return WebhookResult(200, {"ok": True, "duplicate": True})
        outcome, detail = self.apply(conn, stored)
        return WebhookResult(200, {"ok": True, "outcome": outcome, "detail": detail})

    def apply(self, conn: Connection, stored: whop_records.StoredEvent) -> tuple[str, str]:
        """Act on a stored event (also used by Replay) and record the outcome.

        A replay keeps the delivery's place in the receive order: of two membership events with
        the same event time, replaying the earlier delivery is stale, and replaying the later one
        applies it again (with an API key, reading the membership back from Whop once more).
        """
        try:
            event = webhooks.parse_event(stored.payload.encode(), fallback_ts=_unix(stored.received_at))
            # Whop is asked before the write transaction: no write lock waits on the network.
            reading = self._tie_reading(conn, event, stored.id)
            # All of an event's writes or none: a half-applied event would make its Replay "stale".
            with transaction(conn):
                outcome, detail = self._apply(conn, event, received_order=stored.id, reading=reading)
        except Exception as exc:  # noqa: BLE001 - record the failure; the event stays stored
            log.exception("applying Whop event %s failed", stored.webhook_id)
            outcome, detail = "failed", f"{type(exc).__name__}: {exc}"
        whop_records.set_outcome(conn, stored.id, outcome, detail)
        return outcome, detail

    def _tie_reading(self, conn: Connection, event: webhooks.WebhookEvent,
                     received_order: int) -> Membership | WhopError | None:
        """Whop's answer for a membership event that will tie with the recorded one (with an API
        key), read now, outside any transaction; the error if Whop could not be read; else None."""
        change = webhooks.membership_view(event)
        if self.api is None or change is None or self._ignored(change) is not None:
            return None
        recorded = whop_records.membership_order(conn, change.membership_id)
        if recorded is None or recorded[0] != change.event_time or recorded[1] > received_order:
            return None
        try:
            return self.api.get_membership(change.membership_id)
        except WhopError as exc:
            log.warning("could not read Whop membership %s back: %s", change.membership_id, exc)
            return exc

    def _ignored(self, change: webhooks.MembershipChange) -> str | None:
        """Why a membership event is only logged, not recorded; None when it is recorded."""
        if self._plan_tier(change):
            return None
        if not change.user_id:
            return "membership event without a user"
        if self.settings.product_ids and change.product_id not in self.settings.product_ids:
            return f"membership of another product ({change.product_id})"
        return None

    def _plan_tier(self, change: webhooks.MembershipChange) -> str | None:
        """The tier a membership of the creator's own Chronos plan sets (whop_tier_plans), if it is one."""
        return (tiers.tier_for_plan(self.settings, change.plan_id)
                or tiers.tier_for_plan(self.settings, change.product_id))

    def _record_membership(self, conn: Connection, creator_id: int, change: webhooks.MembershipChange,
                           received_order: int, reading: Membership | WhopError | None) -> _Recorded:
        """Record a membership event in (event time, receive order); Whop's API settles a tie if it can.

        Two events with the same time (activated, then deactivated within a second) are ordered
        by arrival: the later delivery wins. With an API key Chronos then reads the membership
        back, since Whop's order of sending need not be the order things happened.
        """
        def record(status: str, valid: bool, event_time: str, product_id: str | None,
                   plan_id: str | None) -> whop_records.Applied:
            return whop_records.apply_membership(
                conn, creator_id, membership_id=change.membership_id, user_id=change.user_id,
                product_id=product_id, plan_id=plan_id, status=status, valid=valid,
                event_time=event_time, received_order=received_order)

        applied = record(change.status, change.valid, change.event_time, change.product_id, change.plan_id)
        if applied is not whop_records.Applied.TIED:
            return _Recorded(bool(applied), change.status, change.valid, "")
        tie = "; same event time as an earlier delivery"
        if isinstance(reading, WhopError):
            return _Recorded(True, change.status, change.valid,
                             f"{tie}, so the later delivery wins (Whop's API could not confirm: {reading})")
        if reading is None:  # no API key (or the tie arose after Whop was asked)
            return _Recorded(True, change.status, change.valid, f"{tie}, so the later delivery wins")
        current = reading
        # Whop's answer is what holds now: recorded at this delivery's place, no earlier than the tie.
        record(current.status, current.valid, max(change.event_time, current.updated_at or ""),
               current.product_id or change.product_id, current.plan_id or change.plan_id)
        return _Recorded(True, current.status, current.valid, f"{tie}; Whop's API says {current.status}")

    def _apply(self, conn: Connection, event: webhooks.WebhookEvent, *, received_order: int,
               reading: Membership | WhopError | None = None) -> tuple[str, str]:
        creator = creators.local_creator(conn)
        change = webhooks.membership_view(event)
        if change is not None:
            plan_tier = self._plan_tier(change)
            if plan_tier:  # the creator's own Chronos plan (whop_tier_plans): it sets the tier
                recorded = self._record_membership(conn, creator.id, change, received_order, reading)
                if not recorded.applied:
                    return "stale", "a later event for this plan's membership was already applied"
                tier = plan_tier if recorded.valid else "free"
                whop_records.set_tier(conn, creator.id, tier)
                return "applied", f"plan {change.plan_id} ({recorded.status}): tier {tier}{recorded.note}"
            ignored = self._ignored(change)
            if ignored is not None:
                return "ignored", ignored
            recorded = self._record_membership(conn, creator.id, change, received_order, reading)
            if not recorded.applied:
                return "stale", "a later event for this membership was already applied"
            student = people.student_by_whop_user(conn, creator.id, change.user_id)
            if student is None:
                student = people.upsert_whop_student(conn, creator.id, whop_user_id=change.user_id,
                                                     name=change.name, username=change.username,
                                                     email=change.email)
            student = people.recompute_access(conn, student.id)
            if student.access == "active":  # a buyer joins when Whop says so, not at first visit
                activity.record_join(conn, student.id)
            self.forget(change.user_id)
            return "applied", f"{change.user_id}: access {student.access} ({recorded.status}){recorded.note}"
        payment = webhooks.payment_view(event)
        if payment is not None:
            if event.type != "payment.succeeded":
                return "ignored", f"{event.type}: recorded only"
            recorded = whop_records.record_payment(
                conn, creator.id, payment_id=payment.id, user_id=payment.user_id,
                membership_id=payment.membership_id, product_id=payment.product_id,
                plan_id=payment.plan_id, usd_total=payment.usd_total or 0.0, currency=payment.currency,
                status="succeeded", paid_at=payment.paid_at, event_time=event.event_time)
            if not recorded:
                return "stale", f"payment {payment.id} was already recorded"
            tier = _tier_from(event.data) or tiers.tier_for_plan(self.settings, payment.plan_id)
            if tier:
                whop_records.set_tier(conn, creator.id, tier)
            return "applied", f"payment {payment.id}: ${payment.usd_total or 0:.2f}" + (f", tier {tier}" if tier else "")
        return "ignored", f"no action for {event.type}"


def _unix(iso: str) -> int:
    return int(datetime.strptime(iso[:19], "%Y-%m-%dT%H:%M:%S").replace(tzinfo=timezone.utc).timestamp())


def _tier_from(data: dict) -> str | None:
    """A tier named in the plan's or product's metadata ({"tier": "pro"}), if any."""
    return _tier_in(*((data.get(part) or {}).get("metadata") for part in ("plan", "product")))


def _tier_in(*metadata: dict | None) -> str | None:
    """The tier the first of these metadata names ({"tier": "pro"} or {"chronos_tier": "pro"})."""
    for meta in metadata:
        meta = meta or {}
        tier = meta.get("tier") or meta.get("chronos_tier")
        if isinstance(tier, str) and tier.strip():
            return tier.strip().lower()
    return None


def build_whop(settings: Settings) -> WhopService | None:
    """A WhopService when any Whop setting is present; None keeps Whop out entirely."""
    if not (settings.whop_client_id or settings.whop_app_id or settings.whop_webhook_secret
            or settings.whop_api_key):
        return None
    return WhopService(settings)
