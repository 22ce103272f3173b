"""Whop's REST API (v1) with the creator's API key: access checks, memberships and products."""
from __future__ import annotations

import urllib.parse
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from chronos.whop import DEFAULT_BASE_URL, VALID_STATUSES, WhopError, request_json
from chronos.whop.webhooks import iso_time, ref_id

PAGE_SIZE = 100
MAX_PAGES = 1000  # a guard against a cursor that never ends


@dataclass(frozen=True)
class AccessResult:
    """Whop's answer to "may this user see this resource": access_level is admin, customer or no_access."""
    has_access: bool
    access_level: str


@dataclass(frozen=True)
class Membership:
    """One user's membership of one product; `valid` means its status keeps access."""
    id: str
    user_id: str | None
    status: str
    product_id: str | None
    plan_id: str | None
    valid: bool
    updated_at: str | None


@dataclass(frozen=True)
class PlanMembership:
    """A membership with its plan's and product's metadata (a {"tier": "pro"} there names a tier)."""
    membership: Membership
    plan_metadata: dict
    product_metadata: dict


@dataclass(frozen=True)
class Product:
    """A product (formerly "access pass") of the creator's company."""
    id: str
    title: str
    route: str | None


class WhopAPI:
    """A small client for the parts of Whop's REST API Chronos uses."""

    def __init__(self, api_key: str, base_url: str = DEFAULT_BASE_URL, timeout_s: float = 10) -> None:
        self.api_key = api_key
        self.base_url = base_url.rstrip("/")
        self.timeout_s = timeout_s

    def check_access(self, user_id: str, resource_id: str) -> AccessResult:
        """Whether the user may see a company, product or experience (`biz_`, `prod_` or `exp_` id)."""
        body = self._get(f"/users/{_seg(user_id)}/access/{_seg(resource_id)}", "the access check")
        level = str(body.get("access_level") or "no_access")
        return AccessResult(has_access=bool(body.get("has_access")), access_level=level)

    def list_memberships(self, company_id: str, *, user_ids: Sequence[str] = (),
                         product_ids: Sequence[str] = (), statuses: Sequence[str] = ()) -> list[Membership]:
        """Every membership of the company matching the filters, across all pages."""
        query = [("company_id", company_id)]
        query += [("user_ids[]", v) for v in user_ids] + [("product_ids[]", v) for v in product_ids]
        query += [("statuses[]", v) for v in statuses]
        return [membership_from(item) for item in self._pages("/memberships", query, "the membership list")]

    def list_plan_memberships(self, company_id: str, *, plan_ids: Sequence[str] = (),
                              product_ids: Sequence[str] = ()) -> list[PlanMembership]:
        """Every membership (any status) of these plans, or of these products, with their metadata."""
        query = [("company_id", company_id)]
        query += [("plan_ids[]", v) for v in plan_ids] + [("product_ids[]", v) for v in product_ids]
        return [PlanMembership(membership_from(item), _metadata(item, "plan"), _metadata(item, "product"))
                for item in self._pages("/memberships", query, "the plan lookup")]

    def get_membership(self, membership_id: str) -> Membership:
        """One membership by id."""
        return membership_from(self._get(f"/memberships/{_seg(membership_id)}", "the membership lookup"))

    def list_products(self, company_id: str) -> list[Product]:
        """Every product of the company."""
        items = self._pages("/products", [("company_id", company_id)], "the product list")
        return [Product(id=str(p["id"]), title=str(p.get("title") or ""), route=p.get("route"))
                for p in items]

    def _get(self, path: str, action: str, query: list[tuple[str, str]] | None = None) -> Any:
        url = f"{self.base_url}/api/v1{path}"
        if query:
            url += "?" + urllib.parse.urlencode(query)
        body = request_json("GET", url, bearer=self.api_key, timeout_s=self.timeout_s, action=action)
        if not isinstance(body, dict):
            raise WhopError(f"Whop's answer to {action} isn't a JSON object; check the Whop base URL.")
        return body

    def _pages(self, path: str, query: list[tuple[str, str]], action: str) -> Iterator[dict]:
        """Items across pages: `first`/`after` in, `data` + `page_info{end_cursor, has_next_page}` out."""
        cursor: str | None = None
        for _ in range(MAX_PAGES):
            page_query = query + [("first", str(PAGE_SIZE))] + ([("after", cursor)] if cursor else [])
            body = self._get(path, action, page_query)
            yield from (item for item in body.get("data") or [] if isinstance(item, dict))
            info = body.get("page_info") or {}
            next_cursor = info.get("end_cursor")
            if not info.get("has_next_page") or not next_cursor or next_cursor == cursor:
                return
            cursor = str(next_cursor)
        raise WhopError(f"Whop kept paging {action} past {MAX_PAGES} pages; try again later.")


def membership_from(data: dict[str, Any]) -> Membership:
    """A Membership from v1's nested shape (`user.id`, `product.id`) or v5's flat one (`user_id`)."""
    status = str(data.get("status") or "")
    return Membership(id=str(data["id"]), user_id=ref_id(data, "user"), status=status,
                      product_id=ref_id(data, "product"), plan_id=ref_id(data, "plan"),
                      valid=status in VALID_STATUSES, updated_at=iso_time(data.get("updated_at")))


def _metadata(data: dict[str, Any], name: str) -> dict:
    """`name.metadata` when the membership embeds the object (v1 does), else {}."""
    ref = data.get(name)
    meta = ref.get("metadata") if isinstance(ref, dict) else None
    return meta if isinstance(meta, dict) else {}


def _seg(value: str) -> str:
    """A path segment, escaped so an id can't change the path."""
    return urllib.parse.quote(value, safe="")
