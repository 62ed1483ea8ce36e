"""A Xero tenant client that answers GETs from a dict of Xero bodies and counts the calls."""

from __future__ import annotations

import copy
from types import SimpleNamespace
from typing import Any, ClassVar


class FakeTenantClient:
    """``TenantClient.get`` over a dict of Xero bodies by path; counts calls."""

    PATHS: ClassVar[dict[str, str]] = {
        "/Organisation": "organisation",
        "/Accounts": "accounts",
        "/TaxRates": "tax_rates",
        "/Currencies": "currencies",
        "/ContactGroups": "contact_groups",
        "/Items": "items",
        "/TrackingCategories": "tracking_categories",
    }

    def __init__(self, bodies: dict[str, Any]) -> None:
        self.bodies = bodies
        self.calls: list[str] = []

    def get(self, path: str, *, params: Any = None) -> Any:
        self.calls.append(path)
        kind = self.PATHS[path]
        body = self.bodies.get(kind, {})  # kinds a test does not set: Xero has none
        return SimpleNamespace(status=200, body=copy.deepcopy(body), headers={})
