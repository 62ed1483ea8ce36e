"""The seam between the emulator's platform (HTTP server, OAuth, limits, idempotency, faults,
webhooks, control plane) and its accounting engine (the Accounting API's entities and rules).

The platform authenticates a request, checks the tenant, scope and rate limits, handles
``Idempotency-Key`` and fault injection, and then hands an ``AccountingRequest`` to the
accounting engine, which knows nothing about HTTP servers, tokens or limits. The engine answers
with an ``AccountingResponse`` and the list of changes it made (for webhooks).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

EventCategory = Literal["CONTACT", "INVOICE", "CREDITNOTE"]
EventType = Literal["CREATE", "UPDATE"]


@dataclass(frozen=True)
class AccountingRequest:
    method: str  # GET | PUT | POST | DELETE
    path: str  # below /api.xro/2.0, e.g. "/Invoices" or "/CreditNotes/<id>/Allocations"
    query: dict[str, str]  # single-valued query parameters, names as sent (case preserved)
    headers: dict[str, str]  # lower-cased names (e.g. "if-modified-since", "accept")
    body: Any | None  # parsed JSON body, or None
    now: datetime  # the emulator clock's "now" (timezone-aware UTC)


@dataclass(frozen=True)
class ResourceEvent:
    """A change the engine made, for the webhook sender (xero-facts §8)."""

    category: EventCategory
    event_type: EventType
    resource_id: str


@dataclass
class AccountingResponse:
    status: int
    body: Any | None  # JSON-serialisable (already in Xero's wire shapes), or None for 204
    headers: dict[str, str] = field(default_factory=dict)
    events: list[ResourceEvent] = field(default_factory=list)
