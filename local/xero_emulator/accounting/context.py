"""What one request carries through the engine: the request, its query, the clock and the
webhook events the request causes."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from ..interfaces import AccountingRequest, AccountingResponse, ResourceEvent
from . import wire
from .parsing import Query


@dataclass
class RequestContext:
    request: AccountingRequest
    response_id: str
    query: Query = field(init=False)
    events: list[ResourceEvent] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.query = Query(self.request.query)

    @property
    def now(self) -> datetime:
        return self.request.now

    @property
    def unitdp(self) -> int:
        """``unitdp=4`` keeps four decimal places on UnitAmount (xero-facts §6.1)."""
        return 4 if (self.query.get("unitdp") or "").strip() == "4" else 2

    @property
    def summarize_errors(self) -> bool:
        """Absent or true → one 400 for the whole batch; false → per-element results (§3.3)."""
        return self.query.flag("summarizeErrors") is not False

    def header(self, name: str) -> str | None:
        return self.request.headers.get(name.lower())

    def record_event(self, category: str, event_type: str, resource_id: str) -> None:
        """Remember a change for the webhook sender (xero-facts §8). A record created in this
        request gets one CREATE, not an extra UPDATE."""
        for event in self.events:
            if event.category == category and event.resource_id == resource_id:
                if event.event_type == "CREATE" or event.event_type == event_type:
                    return
        self.events.append(ResourceEvent(category, event_type, resource_id))  # type: ignore[arg-type]

    def ok(self, collection: str, items: list[dict[str, Any]], **extra: Any) -> AccountingResponse:
        body = wire.envelope(collection, items, self.now, self.response_id, **extra)
        return AccountingResponse(200, body, {}, self.events)
