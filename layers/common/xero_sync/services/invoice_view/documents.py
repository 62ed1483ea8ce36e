"""A linked Xero contact's documents, read through a cache (F5: "fresh and cheap").

* **Cold** (no entry, or one of another tenant): one ``GET /Invoices?ContactIDs=…`` (sales
  invoices and bills, with their payments; 1,000 a page, so one call up to 1,000 invoices), and
  ``GET /CreditNotes?where=Contact.ContactID==guid(…)`` only for a view that can show credit notes
  (not ``open``, ``overdue`` or the totals); stored in the cache table.
* **Warm**: served from the cache — no Xero call — while each part is younger than the TTL
  (``READ_VIEW_CACHE_TTL_SECONDS``, 60 s by default) and no webhook said it changed.
* **Changed in Xero**: the listener (:class:`InvoiceCacheListener`, called by the import's
  webhook handling for INVOICE and CREDITNOTE events) counts a change of that part, so the next
  view reads just that part again — one call.
* **Xero unavailable**: the calls are *interactive* (``CallPriority.INTERACTIVE``: a short wait
  for a turn under the tenant's rate limits, a short time-out). When Xero answers 429 or 5xx, does
  not answer, or the tenant's budget is spent for now, the last entry is served as it is, with
  its age (``as_of``) and the reason — never an error page while there is something to show. With
  nothing cached yet, the error goes to the host (502, "retry").
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any, Protocol

from xero_sync.clock import Clock
from xero_sync.domain.contact_documents import ALL_PARTS, CachedDocuments, OrgFacts, Part
from xero_sync.domain.invoice_view import KIND_BY_XERO_TYPE, DocumentKind, Instalment, XeroDocument
from xero_sync.domain.money import round_money
from xero_sync.models.xero_documents import XeroCreditNoteRead, XeroDocumentRead, XeroInvoiceRead
from xero_sync.observability import logger
from xero_sync.services.ports import InvoiceCacheStore
from xero_sync.xero.client import CallPriority
from xero_sync.xero.errors import XeroError, XeroRetryableError

PAGE_SIZE = 1000  # Xero's largest page (xero-facts §5)
MAX_PAGES = 50  # 50,000 documents for one contact: beyond that the read view shows the newest pages


class XeroReader(Protocol):
    """``TenantClient.get`` (xero/client.py): the org's tenant, governed, typed errors."""

    def get(self, path: str, *, params: Any = None, priority: CallPriority = ...) -> Any: ...


TenantReaders = Callable[[str], XeroReader]


# --- Xero → documents ---------------------------------------------------------------------------


def _instalments(read: XeroDocumentRead) -> tuple[Instalment, ...]:
    payments = sorted(read.Payments, key=lambda p: (p.Date, p.PaymentID))
    return tuple(
        Instalment(p.PaymentID, p.Date, round_money(p.Amount), p.Reference or None, p.CurrencyRate) for p in payments
    )


def _document(
    read: XeroDocumentRead, kind: DocumentKind, xero_id: str, number: str | None, **fields: Any
) -> XeroDocument:
    """What invoices and credit notes share, and ``fields`` that differ."""
    return XeroDocument(
        xero_id=xero_id,
        kind=kind,
        number=number or "",
        date=read.Date,
        xero_status=read.Status,
        currency=read.CurrencyCode,
        currency_rate=read.CurrencyRate,
        total=round_money(read.Total),
        reference=read.Reference or None,
        instalments=_instalments(read),
        **fields,
    )


def invoice_document(body: dict[str, Any]) -> XeroDocument | None:
    """A Xero invoice or bill; None for a type the view does not show."""
    read = XeroInvoiceRead.model_validate(body)
    kind = KIND_BY_XERO_TYPE.get(read.Type)
    if kind is None or kind.is_credit_note:
        return None
    return _document(
        read,
        kind,
        read.InvoiceID,
        read.InvoiceNumber,
        due_date=read.DueDate,
        balance=round_money(read.AmountDue),
        amount_paid=round_money(read.AmountPaid),
        amount_credited=round_money(read.AmountCredited),
    )


def credit_note_document(body: dict[str, Any]) -> XeroDocument | None:
    """A Xero credit note: its balance is the credit left, what it paid out its refunds."""
    read = XeroCreditNoteRead.model_validate(body)
    kind = KIND_BY_XERO_TYPE.get(read.Type)
    if kind is None or not kind.is_credit_note:
        return None
    refunds = sum((round_money(p.Amount) for p in read.Payments), start=Decimal(0))
    return _document(
        read,
        kind,
        read.CreditNoteID,
        read.CreditNoteNumber,
        balance=round_money(read.RemainingCredit),
        amount_paid=refunds,
    )


_READS: dict[Part, tuple[str, str, Callable[[dict[str, Any]], XeroDocument | None]]] = {
    Part.INVOICES: ("/Invoices", "Invoices", invoice_document),
    Part.CREDIT_NOTES: ("/CreditNotes", "CreditNotes", credit_note_document),
}


def _filter(part: Part, xero_contact_id: str) -> dict[str, str]:
    if part is Part.INVOICES:
        return {"ContactIDs": xero_contact_id}  # an optimised filter (xero-facts §5)
    return {"where": f'Contact.ContactID==guid("{xero_contact_id}")'}


def read_part(xero: XeroReader, xero_contact_id: str, part: Part) -> tuple[XeroDocument, ...]:
    """One part of a contact's documents from Xero, page by page (usually one page)."""
    path, collection, convert = _READS[part]
    documents: list[XeroDocument] = []
    for page in range(1, MAX_PAGES + 1):
        params = {**_filter(part, xero_contact_id), "page": page, "pageSize": PAGE_SIZE}
        body = xero.get(path, params=params, priority=CallPriority.INTERACTIVE).body or {}
        items = body.get(collection) or []
        documents += [document for document in map(convert, items) if document is not None]
        page_count = (body.get("pagination") or {}).get("pageCount")
        if page >= page_count if page_count is not None else len(items) < PAGE_SIZE:
            break
    return tuple(documents)


# --- the read-through cache ------------------------------------------------------------------------


@dataclass(frozen=True)
class Served:
    entry: CachedDocuments
    parts: frozenset[Part] = ALL_PARTS  # the parts the caller asked for
    stale_reason: str | None = None  # None: as fresh as the TTL and the webhooks promise

    @property
    def as_of(self) -> datetime:
        return self.entry.as_of(self.parts)

    @property
    def documents(self) -> tuple[XeroDocument, ...]:
        if self.parts == ALL_PARTS:
            return self.entry.documents
        credit_notes = Part.CREDIT_NOTES in self.parts
        return tuple(d for d in self.entry.documents if d.kind.is_credit_note == credit_notes)


def stale_reason(error: XeroRetryableError) -> str:
    return f"Xero could not be read just now ({error}); showing the invoices as last read from Xero."


@dataclass
class ContactDocuments:
    cache: InvoiceCacheStore
    tenant_reader: TenantReaders
    org_facts: Callable[[str], OrgFacts]
    ttl: timedelta
    clock: Clock

    def read(
        self,
        org_id: str,
        tenant_id: str,
        xero_contact_id: str,
        parts: frozenset[Part] = ALL_PARTS,
        *,
        force: bool = False,
        serve_stale: bool = True,
    ) -> Served:
        """The contact's documents of ``parts``: cached while fresh, else read from Xero (and
        cached); the cached ones with the reason when Xero cannot be read and something is cached
        (unless ``serve_stale`` is False: then Xero's error is raised). ``force`` reads Xero even
        when the cache is fresh."""
        now = self.clock()
        known = self.cache.get(org_id, xero_contact_id)
        entry = known if known is not None and known.tenant_id == tenant_id else None  # not another tenant's
        stale = parts
        if entry is not None and not force:
            stale = entry.stale_parts(now, self.ttl, parts)
            if not stale:
                return Served(entry, parts)
        # The changes Xero reported so far, read before asking Xero: what the fresh data reflects.
        seen = {part: known.changes(part) if known is not None else 0 for part in Part}
        return self._refresh(org_id, tenant_id, xero_contact_id, entry, stale, seen, serve_stale, parts)

    def _refresh(
        self,
        org_id: str,
        tenant_id: str,
        xero_contact_id: str,
        entry: CachedDocuments | None,
        stale: Collection[Part],
        seen: dict[Part, int],
        serve_stale: bool,
        parts: frozenset[Part],
    ) -> Served:
        started = self.clock()
        fresh: dict[Part, tuple[XeroDocument, ...]] = {}
        try:
            xero = self.tenant_reader(org_id)
            for part in [p for p in Part if p in stale]:  # invoices first
                fresh[part] = read_part(xero, xero_contact_id, part)
        except XeroRetryableError as error:
            if entry is None or not serve_stale:
                raise
            logger.warning(
                "Xero unavailable for the read view: serving cached invoices",
                extra={"org_id": org_id, "xero_contact_id": xero_contact_id, "error": type(error).__name__},
            )
            updated = _with_parts(entry, fresh, started, seen)
            if fresh:
                self.cache.put(updated)
            return Served(updated, parts, stale_reason(error))
        if entry is None:
            entry = CachedDocuments(
                org_id,
                xero_contact_id,
                tenant_id,
                (),
                self.org_facts(org_id),
                None,
                None,
                invoices_changes=seen[Part.INVOICES],
                credit_notes_changes=seen[Part.CREDIT_NOTES],
            )
        else:
            entry = dataclasses.replace(entry, org=self._org_facts_or(entry.org, org_id))
        updated = _with_parts(entry, fresh, started, seen)
        self.cache.put(updated)
        return Served(updated, parts)

    def _org_facts_or(self, known: OrgFacts, org_id: str) -> OrgFacts:
        """The org's facts as imported now; those known before if they cannot be read."""
        try:
            return self.org_facts(org_id)
        except XeroError as error:
            logger.warning("Organisation facts unavailable: keeping the cached ones", extra={"error": str(error)})
            return known


def _with_parts(
    entry: CachedDocuments, fresh: dict[Part, tuple[XeroDocument, ...]], started: datetime, seen: dict[Part, int]
) -> CachedDocuments:
    for part, documents in fresh.items():
        entry = entry.with_part(part, documents, started, seen[part])
    return entry


# --- Xero's webhooks ----------------------------------------------------------------------------------


@dataclass
class InvoiceCacheListener:
    """What the import's webhook handling tells the read view (F4.4 → F5): an INVOICE event for
    a contact's invoice or bill, a CREDITNOTE event for its credit note. The change is counted on
    the contact's cached part, which is then stale; the next view reads it again (one call).
    Contacts nobody viewed have no entry and cost one conditional write that stores nothing."""

    cache: InvoiceCacheStore

    def invoices_changed(self, org_id: str, xero_contact_ids: Collection[str], now: datetime) -> None:
        self._changed(org_id, xero_contact_ids, Part.INVOICES, now)

    def credit_notes_changed(self, org_id: str, xero_contact_ids: Collection[str], now: datetime) -> None:
        self._changed(org_id, xero_contact_ids, Part.CREDIT_NOTES, now)

    def _changed(self, org_id: str, xero_contact_ids: Iterable[str], part: Part, now: datetime) -> None:
        marked = sum(
            self.cache.invalidate(org_id, contact_id, part, now) for contact_id in sorted(set(xero_contact_ids))
        )
        if marked:
            logger.info(
                "Read view cache marked stale", extra={"org_id": org_id, "part": part.value, "contacts": marked}
            )
