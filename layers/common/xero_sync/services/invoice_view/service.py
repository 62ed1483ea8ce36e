"""The read view of the CRM document (seed 003, F5): a contact's Xero invoices — list, search,
date filter, saved views, totals, pins, instalments, links into Xero — and the totals of the
invoices pinned to any host record (an account, a deal).

Every answer says how fresh it is (``as_of``, ``stale``): documents come through the read-through
cache of documents.py, which serves the last data read from Xero when Xero cannot be read.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime

from xero_sync.clock import Clock
from xero_sync.domain.contact_documents import ALL_PARTS, OrgFacts, Part, Pin, RecordRef
from xero_sync.domain.invoice_view import ListQuery, SortKey, View, XeroDocument, select
from xero_sync.domain.xero_org import org_today
from xero_sync.models.api import ErrorDetail
from xero_sync.models.invoice_view import (
    InvoiceListView,
    InvoiceSummaryView,
    PinnedInvoicesView,
    PinView,
)
from xero_sync.models.reference_data import XeroOrganisation
from xero_sync.observability import logger
from xero_sync.services.connection_gate import require_connected
from xero_sync.services.errors import Conflict, InvalidInput, NotFound
from xero_sync.services.invoice_view.contacts import ResolvedLink, not_linked_message, resolve
from xero_sync.services.invoice_view.documents import ContactDocuments, Served, TenantReaders
from xero_sync.services.invoice_view.views import invoice_totals, item_view
from xero_sync.services.ports import ConnectionStore, ContactLinkStore, OrgConfigStore, PinStore, RecordStore
from xero_sync.services.reference_data import item_name
from xero_sync.xero.client import CallPriority
from xero_sync.xero.errors import XeroError, XeroNotFound

CONTACT = "contact"
MAX_PINS_PER_RECORD = 200
INVOICES_ONLY = frozenset({Part.INVOICES})
"""Credit notes have no due date and are not in the totals: open, overdue and the summary need
only the invoices (one Xero call for a cold contact)."""


def list_query(
    *,
    view: View,
    q: str | None,
    date_from: date | None,
    date_to: date | None,
    limit: int,
    cursor: str | None,
) -> ListQuery:
    """The list's query parameters, checked together (each one alone is checked by the route)."""
    if date_from is not None and date_to is not None and date_from > date_to:
        raise InvalidInput("'from' is after 'to'.", [ErrorDetail(field="query.from", message="must not be after 'to'")])
    after = None
    if cursor:
        try:
            after = SortKey.decode(cursor)
        except ValueError as error:
            raise InvalidInput.of_field("query.cursor", "is not a next_cursor of this list") from error
    return ListQuery(
        view=view, search=(q or "").strip() or None, date_from=date_from, date_to=date_to, limit=limit, after=after
    )


@dataclass
class OrgFactsLoader:
    """The org's base currency, time zone and short code, from the imported reference data
    (``xero#organisation``). Organisations imported before the read view existed lack the last
    two: the reference data is imported again once to fill them in."""

    org_config: OrgConfigStore
    import_reference_data: Callable[[str, datetime], object]
    clock: Clock

    def __call__(self, org_id: str) -> OrgFacts:
        organisation = self._stored(org_id)
        if organisation is None or organisation.ShortCode is None or organisation.Timezone is None:
            try:
                self.import_reference_data(org_id, self.clock())
                organisation = self._stored(org_id) or organisation
            except XeroError as error:
                if organisation is None:
                    raise
                logger.warning("Could not import the organisation's time zone", extra={"error": type(error).__name__})
        assert organisation is not None  # imported, or the error was raised
        return OrgFacts(organisation.BaseCurrency.upper(), organisation.Timezone, organisation.ShortCode)

    def _stored(self, org_id: str) -> XeroOrganisation | None:
        item = self.org_config.get(org_id, item_name("organisation"))
        return XeroOrganisation.model_validate(item.body) if item is not None else None


@dataclass
class InvoiceViewService:
    connections: ConnectionStore
    links: ContactLinkStore
    records: RecordStore
    pins: PinStore
    documents: ContactDocuments
    tenant_reader: TenantReaders
    clock: Clock

    # --- a contact's invoices ---------------------------------------------------------------------

    def contact_invoices(self, org_id: str, contact_id: str, query: ListQuery) -> InvoiceListView:
        tenant_id, link = self._linked(org_id, contact_id)
        parts = INVOICES_ONLY if query.view in (View.OPEN, View.OVERDUE) else ALL_PARTS
        served = self.documents.read(org_id, tenant_id, link.xero_contact_id, parts)
        pinned = self._pinned_ids(org_id, RecordRef(CONTACT, contact_id), tenant_id)
        summary = self._summary(contact_id, link, served)
        page = select(served.documents, query, summary.today, pinned)
        return InvoiceListView(
            **summary.model_dump(),
            view=query.view.value,
            link_source=link.source.value,
            items=[item_view(d, summary.today, served.entry.org, pinned) for d in page.documents],
            matched=page.matched,
            next_cursor=page.next_cursor,
        )

    def summary(self, org_id: str, contact_id: str) -> InvoiceSummaryView:
        tenant_id, link = self._linked(org_id, contact_id)
        served = self.documents.read(org_id, tenant_id, link.xero_contact_id, INVOICES_ONLY)
        return self._summary(contact_id, link, served)

    def _summary(self, contact_id: str, link: ResolvedLink, served: Served) -> InvoiceSummaryView:
        org = served.entry.org
        today = org_today(org.timezone, self.clock())
        return InvoiceSummaryView(
            contact_id=contact_id,
            xero_contact_id=link.xero_contact_id,
            totals=invoice_totals(served.documents, org, today),  # sales invoices and bills: no credit notes
            today=today,
            as_of=served.as_of,
            stale=served.stale_reason is not None,
            stale_reason=served.stale_reason,
        )

    # --- pins ---------------------------------------------------------------------------------------

    def pin(self, org_id: str, record: RecordRef, document_id: str) -> PinView:
        tenant_id = require_connected(self.connections, org_id).tenant_id or ""
        pins = self._pins(org_id, record, tenant_id)
        existing = next((pin for pin in pins if pin.document_id == document_id), None)
        if existing is not None:
            return _pin_view(record, document_id, existing.pinned_at, changed=False)
        if len(pins) >= MAX_PINS_PER_RECORD:
            raise Conflict(f"{MAX_PINS_PER_RECORD} invoices are pinned to this record already; unpin one first.")
        if record.record_type == CONTACT:
            xero_contact_id = self._contact_document(org_id, tenant_id, record.record_id, document_id)
        else:
            xero_contact_id = self._document_contact(org_id, document_id)
        pin = Pin(org_id, record, document_id, tenant_id, xero_contact_id, self.clock())
        changed = self.pins.put(pin)
        return _pin_view(record, document_id, pin.pinned_at, changed=changed)

    def unpin(self, org_id: str, record: RecordRef, document_id: str) -> PinView:
        changed = self.pins.delete(org_id, record, document_id)
        return _pin_view(record, document_id, None, changed=changed)

    def record_pins(self, org_id: str, record: RecordRef) -> PinnedInvoicesView:
        """The documents pinned to a host record, with their totals (an account's or a deal's
        boxes): each pinned document's contact is read through the cache."""
        tenant_id = require_connected(self.connections, org_id).tenant_id or ""
        wanted: dict[str, set[str]] = defaultdict(set)
        for pin in self._pins(org_id, record, tenant_id):
            wanted[pin.xero_contact_id].add(pin.document_id)
        found: list[XeroDocument] = []
        served_all = [self.documents.read(org_id, tenant_id, contact_id) for contact_id in sorted(wanted)]
        for contact_id, served in zip(sorted(wanted), served_all, strict=True):
            found += [d for d in served.documents if d.xero_id in wanted[contact_id]]
        org = served_all[0].entry.org if served_all else self.documents.org_facts(org_id)
        now = self.clock()
        today = org_today(org.timezone, now)
        found.sort(key=SortKey.of, reverse=True)
        pinned_ids = {document_id for ids in wanted.values() for document_id in ids}
        reasons = [s.stale_reason for s in served_all if s.stale_reason]
        return PinnedInvoicesView(
            record_type=record.record_type,
            record_id=record.record_id,
            items=[item_view(d, today, org, pinned_ids) for d in found],
            missing=sorted(pinned_ids - {d.xero_id for d in found}),
            totals=invoice_totals(found, org, today),
            today=today,
            as_of=min((s.as_of for s in served_all), default=now),
            stale=bool(reasons),
            stale_reason=reasons[0] if reasons else None,
        )

    # --- helpers ----------------------------------------------------------------------------------

    def _linked(self, org_id: str, contact_id: str) -> tuple[str, ResolvedLink]:
        tenant_id = require_connected(self.connections, org_id).tenant_id or ""
        link = resolve(self.links, self.records, org_id, tenant_id, contact_id)
        if link is None:
            raise NotFound(not_linked_message(org_id, contact_id))
        return tenant_id, link

    def _pins(self, org_id: str, record: RecordRef, tenant_id: str) -> list[Pin]:
        return [pin for pin in self.pins.pins_of(org_id, record) if pin.tenant_id == tenant_id]

    def _pinned_ids(self, org_id: str, record: RecordRef, tenant_id: str) -> set[str]:
        return {pin.document_id for pin in self._pins(org_id, record, tenant_id)}

    def _contact_document(self, org_id: str, tenant_id: str, contact_id: str, document_id: str) -> str:
        """The Xero contact of a document pinned to a host contact: it must be one of that
        contact's documents (read again from Xero when the cache does not know it yet)."""
        link = resolve(self.links, self.records, org_id, tenant_id, contact_id)
        if link is None:
            raise NotFound(not_linked_message(org_id, contact_id))
        served = self.documents.read(org_id, tenant_id, link.xero_contact_id)
        if not _holds(served, document_id):
            served = self.documents.read(org_id, tenant_id, link.xero_contact_id, force=True, serve_stale=False)
        if not _holds(served, document_id):
            raise InvalidInput.of_field(
                "path.invoice_id", f"is not an invoice, bill or credit note of contact {contact_id} in Xero"
            )
        return link.xero_contact_id

    def _document_contact(self, org_id: str, document_id: str) -> str:
        """The Xero contact of a document pinned to another kind of record (a deal, an account)."""
        xero = self.tenant_reader(org_id)
        for path, collection in (("/Invoices", "Invoices"), ("/CreditNotes", "CreditNotes")):
            try:
                body = xero.get(f"{path}/{document_id}", priority=CallPriority.INTERACTIVE).body or {}
            except XeroNotFound:
                continue
            contact = ((body.get(collection) or [{}])[0].get("Contact")) or {}
            if contact.get("ContactID"):
                return str(contact["ContactID"])
        raise InvalidInput.of_field("path.invoice_id", "is not an invoice, bill or credit note in the org's Xero")


def _holds(served: Served, document_id: str) -> bool:
    return any(document.xero_id == document_id for document in served.documents)


def _pin_view(record: RecordRef, document_id: str, pinned_at: datetime | None, *, changed: bool) -> PinView:
    """The pin as it stands: pinned since ``pinned_at``, or (None) not pinned."""
    return PinView(
        record_type=record.record_type,
        record_id=record.record_id,
        invoice_id=document_id,
        pinned=pinned_at is not None,
        pinned_at=pinned_at,
        changed=changed,
    )
