"""A Xero contact's documents as the read view caches them, and the pins of host records.

**The cache** (one entry per org and Xero contact) holds the contact's invoices and bills (one
``GET /Invoices?ContactIDs=…`` with paging) and its credit notes (``GET /CreditNotes``), each part
with the moment its read *started*. A part is fresh for ``ttl`` after that, unless Xero told us
it changed: the webhook listener stamps ``*_invalidated_at``, and a part read before that stamp
(less a margin for clocks that differ between Lambdas) is stale. A read that started before a
change and finished after it is therefore stale too, and nothing is lost between the two.

**Pins** tie a Xero document to a host record reference (type + id: a contact, an account, a
deal …). A pin belongs to the tenant it was made in; after a reset to another tenant it no longer
counts, like a record link.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from xero_sync.domain.invoice_view import XeroDocument

INVALIDATION_MARGIN = timedelta(seconds=5)
"""Clocks of two Lambdas may differ by a little: an invalidation this close before a read still
counts as after it (one read too many, never a change missed)."""


class Part(StrEnum):
    INVOICES = "invoices"  # sales invoices and bills
    CREDIT_NOTES = "credit_notes"

    def holds(self, document: XeroDocument) -> bool:
        return document.kind.is_credit_note == (self is Part.CREDIT_NOTES)


ALL_PARTS = frozenset(Part)


@dataclass(frozen=True)
class OrgFacts:
    """What the view needs of the org's Xero organisation, as imported (reference data)."""

    base_currency: str
    timezone: str | None = None
    short_code: str | None = None


@dataclass(frozen=True)
class CachedDocuments:
    org_id: str
    xero_contact_id: str
    tenant_id: str
    documents: tuple[XeroDocument, ...]
    org: OrgFacts
    invoices_fetched_at: datetime
    credit_notes_fetched_at: datetime
    invoices_invalidated_at: datetime | None = None
    credit_notes_invalidated_at: datetime | None = None

    @property
    def as_of(self) -> datetime:
        """When the oldest part was read from Xero: the data is at least this fresh."""
        return min(self.invoices_fetched_at, self.credit_notes_fetched_at)

    def fetched_at(self, part: Part) -> datetime:
        return self.invoices_fetched_at if part is Part.INVOICES else self.credit_notes_fetched_at

    def invalidated_at(self, part: Part) -> datetime | None:
        return self.invoices_invalidated_at if part is Part.INVOICES else self.credit_notes_invalidated_at

    def stale_parts(self, now: datetime, ttl: timedelta) -> frozenset[Part]:
        """The parts to read again: older than ``ttl``, or changed in Xero since they were read."""
        stale = set()
        for part in Part:
            fetched = self.fetched_at(part)
            invalidated = self.invalidated_at(part)
            if now - fetched >= ttl or (invalidated is not None and invalidated >= fetched - INVALIDATION_MARGIN):
                stale.add(part)
        return frozenset(stale)

    def with_part(self, part: Part, documents: tuple[XeroDocument, ...], fetched_at: datetime) -> CachedDocuments:
        """This entry with one part replaced by a fresh read (the other part kept)."""
        kept = tuple(document for document in self.documents if not part.holds(document))
        if part is Part.INVOICES:
            return dataclasses.replace(self, documents=kept + documents, invoices_fetched_at=fetched_at)
        return dataclasses.replace(self, documents=kept + documents, credit_notes_fetched_at=fetched_at)


@dataclass(frozen=True)
class RecordRef:
    """A host record that invoices can be pinned to."""

    record_type: str
    record_id: str


@dataclass(frozen=True)
class Pin:
    org_id: str
    record: RecordRef
    document_id: str  # Xero's InvoiceID or CreditNoteID
    tenant_id: str
    xero_contact_id: str
    pinned_at: datetime
