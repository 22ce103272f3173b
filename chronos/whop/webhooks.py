"""Whop webhooks, both generations: verify a delivery's signature and read its event (no I/O here)."""
from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from chronos.timefmt import iso_utc
from chronos.whop import VALID_STATUSES

STANDARD_HEADERS = ("webhook-id", "webhook-timestamp", "webhook-signature")
LEGACY_HEADER = "x-whop-signature"
VALID_EVENTS = frozenset({"membership.activated", "membership.went_valid", "app_membership.went_valid"})
INVALID_EVENTS = frozenset({"membership.deactivated", "membership.went_invalid",
                            "app_membership.went_invalid"})
EVENT_TIME_DIGITS = 6  # event times keep microseconds, as stored from the start


class WebhookSignatureError(ValueError):
    """The delivery is not provably from Whop; the message says why."""


@dataclass(frozen=True)
class VerifiedDelivery:
    """A delivery whose signature checked out; deduplicate on `webhook_id` (Whop delivers at least once)."""
    webhook_id: str
    timestamp: int
    scheme: str  # "standard" | "legacy-v5"


@dataclass(frozen=True)
class WebhookEvent:
    """One event, either generation; `type` is v1's `type` or v5's `action`, unchanged."""
    type: str
    event_time: str  # ISO-8601, "" when the body has none and no fallback was given
    data: dict
    company_id: str | None
    api_version: str  # "v1" | "v5"


@dataclass(frozen=True)
class MembershipChange:
    """A membership event reduced to who, which product, and whether it now grants access."""
    membership_id: str
    user_id: str | None
    username: str | None
    name: str | None
    email: str | None
    product_id: str | None
    plan_id: str | None
    status: str
    valid: bool
    event_time: str


@dataclass(frozen=True)
class PaymentChange:
    """A payment event reduced to what the creator's dashboard shows."""
    id: str
    membership_id: str | None
    user_id: str | None
    product_id: str | None
    plan_id: str | None
    usd_total: float | None
    currency: str | None
    paid_at: str | None
    status: str


def verify(headers: Mapping[str, str], raw_body: bytes, secret: str, *, now: float | None = None,
           tolerance_s: int = 300) -> VerifiedDelivery:
    """Check a delivery's Standard Webhooks (or legacy v5) signature and timestamp."""
    if not secret:
        raise WebhookSignatureError("no webhook secret is configured; copy it from the webhook's "
                                    "page on the Whop dashboard")
    lowered = {name.lower(): value for name, value in headers.items()}
    now = time.time() if now is None else now
    if any(name in lowered for name in STANDARD_HEADERS):
        return _verify_standard(lowered, raw_body, secret, now, tolerance_s)
    if LEGACY_HEADER in lowered:
        return _verify_legacy(lowered[LEGACY_HEADER], raw_body, secret, now, tolerance_s)
    raise WebhookSignatureError("missing signature headers (webhook-id, webhook-timestamp, "
                                "webhook-signature)")


def signing_keys(secret: str) -> list[bytes]:
    """The HMAC keys a secret may stand for.

    Whop signs with the raw UTF-8 bytes of the secret it shows (`ws_…`), prefix included. A
    `whsec_…` secret is Standard Webhooks' convention: the base64 after the prefix is the key.
    Whop's SDK notes that Whop's backend never strips a prefix, so for `whsec_` the raw bytes
    are tried as well; either key needs the secret, so this widens nothing for an attacker.
    """
    raw = secret.encode()
    if not secret.startswith("whsec_"):
        return [raw]
    try:
        decoded = base64.b64decode(secret.removeprefix("whsec_") + "==")  # tolerate no padding
    except (binascii.Error, ValueError):
        decoded = b""
    return [key for key in (decoded, raw) if key]


def _verify_standard(headers: dict[str, str], body: bytes, secret: str, now: float,
                     tolerance_s: int) -> VerifiedDelivery:
    missing = [name for name in STANDARD_HEADERS if not headers.get(name)]
    if missing:
        raise WebhookSignatureError(f"missing signature headers ({', '.join(missing)})")
    msg_id, signatures = headers["webhook-id"], headers["webhook-signature"]
    timestamp = _check_time(headers["webhook-timestamp"], now, tolerance_s)
    signed = f"{msg_id}.{timestamp}.".encode() + body
    expected = [hmac.new(key, signed, hashlib.sha256).digest() for key in signing_keys(secret)]
    for candidate in signatures.split():
        version, _, encoded = candidate.partition(",")
        if version != "v1":
            continue  # other schemes (v1a, ...) may appear alongside; only v1 is HMAC-SHA256
        try:
            given = base64.b64decode(encoded, validate=True)
        except (binascii.Error, ValueError):
            continue
        if any(hmac.compare_digest(given, want) for want in expected):
            return VerifiedDelivery(webhook_id=msg_id, timestamp=timestamp, scheme="standard")
    raise WebhookSignatureError("no matching signature: check the webhook secret in your settings")


def _verify_legacy(header: str, body: bytes, secret: str, now: float, tolerance_s: int) -> VerifiedDelivery:
    """v5: `x-whop-signature: t=<ts>,v1=<hex HMAC-SHA256("{t}.{body}")>` keyed with the raw secret."""
    parts = [part.strip().partition("=") for part in header.split(",")]
    stamps = [value for key, _, value in parts if key == "t"]
    given = [value.strip().lower() for key, _, value in parts if key == "v1"]
    if len(stamps) != 1 or not given:
        raise WebhookSignatureError("malformed x-whop-signature header (want t=<ts>,v1=<hex>)")
    timestamp = _check_time(stamps[0], now, tolerance_s)
    want = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    if not any(hmac.compare_digest(want.encode(), value.encode()) for value in given):
        raise WebhookSignatureError("no matching signature: check the webhook secret in your settings")
    # v5 sends no delivery id. A retry resends the same body with a fresh t (so a fresh signature),
    # hence the id is the body's hash: stable across retries, and equal bodies mean equal news.
    webhook_id = "v5_" + hashlib.sha256(body).hexdigest()[:32]
    return VerifiedDelivery(webhook_id=webhook_id, timestamp=timestamp, scheme="legacy-v5")


def _check_time(text: str, now: float, tolerance_s: int) -> int:
    """The signed timestamp, if it is an integer within `tolerance_s` of now."""
    text = text.strip()
    if not text.isdigit():
        raise WebhookSignatureError(f"malformed signature timestamp {text[:20]!r}")
    timestamp = int(text)
    if timestamp < now - tolerance_s:
        raise WebhookSignatureError(f"timestamp too old ({now - timestamp:.0f} s ago); check "
                                    "this computer's clock")
    if timestamp > now + tolerance_s:
        raise WebhookSignatureError(f"timestamp too new ({timestamp - now:.0f} s ahead); check "
                                    "this computer's clock")
    return timestamp


def parse_event(raw_body: bytes, *, fallback_ts: int | None = None) -> WebhookEvent:
    """Read a v1 envelope (`type`, `timestamp`, `data`) or a legacy v5 one (`action`, `data`).

    event_time is v1's envelope `timestamp` (when Whop says it happened); v5 has none, so it is
    the object's `updated_at`, else `created_at`; failing all, `fallback_ts` (pass the delivery's).
    """
    try:
        envelope = json.loads(raw_body)
    except ValueError as err:  # includes invalid UTF-8
        raise ValueError(f"webhook body is not JSON: {err}") from None
    if not isinstance(envelope, dict) or not isinstance(envelope.get("data"), dict):
        raise ValueError("webhook body has no data object")
    data = envelope["data"]
    v1 = isinstance(envelope.get("type"), str)
    if not v1 and not isinstance(envelope.get("action"), str):
        raise ValueError("webhook body has neither a type nor an action")
    times = [envelope.get("timestamp")] if v1 else []
    times += [data.get("updated_at"), data.get("created_at"), fallback_ts]
    event_time = next((iso_time(t) for t in times if iso_time(t)), "")
    company_id = envelope.get("company_id") or ref_id(data, "company") or (
        None if v1 else data.get("page_id"))  # v5 called the company a "page"
    return WebhookEvent(type=envelope["type"] if v1 else envelope["action"], event_time=event_time,
                        data=data, company_id=company_id,
                        api_version=str(envelope.get("api_version") or "v1") if v1 else "v5")


def membership_view(event: WebhookEvent) -> MembershipChange | None:
    """The membership change an event reports, or None if it is not a membership event.

    valid: the event type decides for (went_)valid/activated and (went_)invalid/deactivated;
    other membership events use v5's `valid` flag when present, else the status.
    """
    if event.type.partition(".")[0] not in ("membership", "app_membership"):
        return None
    data = event.data
    if not data.get("id"):
        raise ValueError(f"{event.type} event without a membership id")
    user = data["user"] if isinstance(data.get("user"), dict) else {}
    status = str(data.get("status") or "")
    if event.type in VALID_EVENTS or event.type in INVALID_EVENTS:
        valid = event.type in VALID_EVENTS
    elif isinstance(data.get("valid"), bool):
        valid = data["valid"]
    else:
        valid = status in VALID_STATUSES
    return MembershipChange(
        membership_id=str(data["id"]), user_id=ref_id(data, "user"),
        username=user.get("username") or data.get("username"), name=user.get("name"),
        email=user.get("email") or data.get("email"), product_id=ref_id(data, "product"),
        plan_id=ref_id(data, "plan"), status=status, valid=valid, event_time=event.event_time)


def payment_view(event: WebhookEvent) -> PaymentChange | None:
    """The payment an event reports, or None if it is not a payment event."""
    if event.type.partition(".")[0] != "payment":
        return None
    data = event.data
    if not data.get("id"):
        raise ValueError(f"{event.type} event without a payment id")
    currency = data.get("currency")
    usd_total = _number(data.get("usd_total"))
    if usd_total is None and str(currency or "").lower() == "usd":
        usd_total = _number(data.get("total", data.get("final_amount")))
    return PaymentChange(
        id=str(data["id"]), membership_id=ref_id(data, "membership"), user_id=ref_id(data, "user"),
        product_id=ref_id(data, "product"), plan_id=ref_id(data, "plan"), usd_total=usd_total,
        currency=str(currency) if currency else None, paid_at=iso_time(data.get("paid_at")),
        status=str(data.get("status") or ""))


def ref_id(data: dict[str, Any], name: str) -> str | None:
    """The id of a referenced object: `name.id` (v1), or `name_id` / `name` as a bare id (v5)."""
    ref = data.get(name)
    if isinstance(ref, dict):
        ref = ref.get("id")
    ref = ref or data.get(f"{name}_id")
    return str(ref) if ref else None


def iso_time(value: Any) -> str | None:
    """UTC as `YYYY-MM-DDTHH:MM:SS.ffffffZ`, from ISO strings or unix seconds (v5 sends numbers).

    One fixed format, so that comparing two event times as strings compares them in time.
    """
    if value is None or value == "" or isinstance(value, bool):
        return None
    try:
        if isinstance(value, (int, float)):
            moment = datetime.fromtimestamp(value, tz=timezone.utc)
        else:
            moment = datetime.fromisoformat(str(value).strip())
            moment = moment.replace(tzinfo=moment.tzinfo or timezone.utc).astimezone(timezone.utc)
    except (ValueError, OverflowError, OSError):
        return str(value)  # not a time we can read; keep Whop's text
    return iso_utc(moment, digits=EVENT_TIME_DIGITS)


def _number(value: Any) -> float | None:
    try:
        return None if value is None or isinstance(value, bool) else float(value)
    except (TypeError, ValueError):
        return None
