"""Boundary models of the import (Xero → host): Xero's webhook payload (xero-webhooks.yaml,
xero-facts §8), the import queue's messages and the host webhook queue's nudges."""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

# --- Xero's webhook payload ----------------------------------------------------------------------


class XeroWebhookEvent(BaseModel):
    """One event: thin — the resource must be read from Xero."""

    model_config = ConfigDict(extra="ignore", frozen=True, defer_build=True)

    resourceUrl: str | None = None  # Xero's names
    resourceId: str = Field(min_length=1, max_length=100)
    eventDateUtc: str | None = None
    eventType: str = Field(min_length=1, max_length=20)  # CREATE | UPDATE
    eventCategory: str = Field(min_length=1, max_length=30)  # CONTACT | INVOICE | CREDITNOTE | SUBSCRIPTION
    tenantId: str = Field(min_length=1, max_length=100)
    tenantType: str | None = None


class XeroWebhookPayload(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True, defer_build=True)

    events: list[XeroWebhookEvent] = Field(max_length=1000)
    firstEventSequence: int = 0
    lastEventSequence: int = 0
    entropy: str | None = None


# --- the import queue ------------------------------------------------------------------------------


class ImportResource(StrEnum):
    """What one read of Xero covers (the poll cursors are per resource)."""

    CONTACTS = "contacts"
    INVOICES = "invoices"  # invoices and bills
    CREDIT_NOTES = "credit_notes"  # credit notes and vendor credits
    ITEMS = "items"
    REFERENCE = "reference"  # accounts, tax rates, currencies, contact groups


CATEGORY_RESOURCES = {
    "CONTACT": ImportResource.CONTACTS,
    "INVOICE": ImportResource.INVOICES,
    "CREDITNOTE": ImportResource.CREDIT_NOTES,
}


class TenantEvents(BaseModel):
    """Webhook events of one Xero tenant, as the receiver queued them (for every org on it).
    ``settled``: CREATE events were held back once (see services/imports/worker.py)."""

    model_config = ConfigDict(extra="ignore", frozen=True, defer_build=True)

    kind: Literal["events"] = "events"
    tenant_id: str = Field(min_length=1)
    events: list[XeroWebhookEvent] = Field(min_length=1, max_length=1000)
    settled: bool = False


class OrgObjects(BaseModel):
    """Read these objects of one org again, a little later: the service's own export of them
    was in flight when their change was read (so that its echo is recognised, not reported)."""

    model_config = ConfigDict(extra="ignore", frozen=True, defer_build=True)

    kind: Literal["objects"] = "objects"
    org_id: str = Field(min_length=1)
    resource: ImportResource
    xero_ids: list[str] = Field(min_length=1, max_length=1000)
    attempt: int = Field(default=1, ge=1)


class OrgImport(BaseModel):
    """Read one org's changes from Xero: a poll (since the stored cursors), the initial import
    on connect, or a historical import of a date range (F3.8). ``resume_resource`` and
    ``resume_since`` continue a read that did not fit in one invocation (Xero returns records in
    UpdatedDateUTC order, so "modified since the newest one read" is exactly what is left)."""

    model_config = ConfigDict(extra="ignore", frozen=True, defer_build=True)

    kind: Literal["poll", "initial", "historical"] = "poll"
    org_id: str = Field(min_length=1)
    resources: list[ImportResource] = Field(default_factory=lambda: list(ImportResource), min_length=1)
    date_from: date | None = None
    date_to: date | None = None
    resume_resource: ImportResource | None = None
    resume_since: str | None = None
    requested_by: str | None = Field(default=None, description="tick | connect | host")
    attempt: int = Field(default=1, ge=1)


ImportMessage = Annotated[TenantEvents | OrgImport | OrgObjects, Field(discriminator="kind")]


# --- the host webhook queue ------------------------------------------------------------------------


class DeliveryNudge(BaseModel):
    """ "Org X may have changes to deliver." ``attempt`` counts failed attempts of the current
    outage (the message is sent again with a growing delay while the host's endpoint fails)."""

    model_config = ConfigDict(extra="ignore", frozen=True, defer_build=True)

    org_id: str = Field(min_length=1)
    attempt: int = Field(default=0, ge=0)
