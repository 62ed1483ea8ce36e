"""A Xero contact's documents as the read view caches them, and the pins of host records.

**The cache** (one entry per org and Xero contact) holds the contact's invoices and bills (one
``GET /Invoices?ContactIDs=…`` with paging) and its credit notes (``GET /CreditNotes``), each part
with the moment its read *started*. A part is fresh for ``ttl`` after that, unless Xero told us
it changed. The webhook listener counts the changes Xero reports per part (``*_changes``, an
atomic increment); a read remembers the count it saw *before* it asked Xero (``*_seen``). A part
is stale while more changes were reported than its data has seen — so a change reported while a
read was on its way makes that read stale too, and no clock of another Lambda is involved.

A part is read only when a view needs it: credit notes have no due date, so the default ``open``
view, ``overdue`` and the totals need only the invoices — one Xero call for a cold contact.

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
    invoices_fetched_at: datetime | None  # None: never read for this entry
    credit_notes_fetched_at: datetime | None
    invoices_changes: int = 0  # changes Xero reported (the listener's count)
    credit_notes_changes: int = 0
    invoices_seen: int = 0  # the count the cached invoices reflect
    credit_notes_seen: int = 0

    def as_of(self, parts: frozenset[Part] = ALL_PARTS) -> datetime:
        """When the oldest of ``parts`` (those read) was read from Xero: the data is at least this fresh."""
        moments = [moment for part in parts if (moment := self.fetched_at(part)) is not None]
        return min(moments or [moment for part in Part if (moment := self.fetched_at(part)) is not None])

    def fetched_at(self, part: Part) -> datetime | None:
        return self.invoices_fetched_at if part is Part.INVOICES else self.credit_notes_fetched_at

    def changes(self, part: Part) -> int:
        return self.invoices_changes if part is Part.INVOICES else self.credit_notes_changes

    def seen(self, part: Part) -> int:
        return self.invoices_seen if part is Part.INVOICES else self.credit_notes_seen

    def stale_parts(self, now: datetime, ttl: timedelta, wanted: frozenset[Part] = ALL_PARTS) -> frozenset[Part]:
        """Of the ``wanted`` parts, those to read: never read, older than ``ttl``, or changed in
        Xero since they were read."""
        return frozenset(part for part in wanted if self._stale(part, now, ttl))

    def _stale(self, part: Part, now: datetime, ttl: timedelta) -> bool:
        fetched = self.fetched_at(part)
        return fetched is None or now - fetched >= ttl or self.changes(part) > self.seen(part)

    def with_part(
        self, part: Part, documents: tuple[XeroDocument, ...], fetched_at: datetime, seen: int
    ) -> CachedDocuments:
        """This entry with one part replaced by a read that started at ``fetched_at``, when Xero
        had reported ``seen`` changes (the other part kept)."""
        kept = tuple(document for document in self.documents if not part.holds(document))
        if part is Part.INVOICES:
            return dataclasses.replace(
                self, documents=kept + documents, invoices_fetched_at=fetched_at, invoices_seen=seen
            )
        return dataclasses.replace(
            self, documents=kept + documents, credit_notes_fetched_at=fetched_at, credit_notes_seen=seen
        )


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
