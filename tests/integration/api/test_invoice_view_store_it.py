"""The read view's table on moto, created from template.yaml (dal/invoice_view.py): cached
documents round-trip exactly, spill into several items when large, are never replaced by an older
read, keep the webhook's stale marks; pins are stored once and found by their record."""

from __future__ import annotations

import dataclasses
import uuid
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from xero_sync.dal import invoice_view as store
from xero_sync.dal.models import InvoiceViewModel
from xero_sync.domain.contact_documents import CachedDocuments, OrgFacts, Part, Pin, RecordRef
from xero_sync.domain.invoice_view import DocumentKind, Instalment, XeroDocument

T0 = datetime(2026, 11, 20, 11, 30, tzinfo=UTC)
ORG_FACTS = OrgFacts("NZD", "NEWZEALANDSTANDARDTIME", "!abcde")


def _document(n: int) -> XeroDocument:
    return XeroDocument(
        xero_id=str(uuid.UUID(int=n)),
        kind=DocumentKind.SALES_INVOICE if n % 3 else DocumentKind.SALES_CREDIT_NOTE,
        number=f"INV-{n:05d}",
        date=date(2026, 1, 1) + timedelta(days=n % 300),
        due_date=date(2026, 2, 1) + timedelta(days=n % 300) if n % 3 else None,
        xero_status="AUTHORISED",
        currency="USD" if n % 2 else "NZD",
        currency_rate=Decimal("0.612345") if n % 2 else Decimal("1"),
        total=Decimal("1234.56"),
        balance=Decimal("234.56"),
        amount_paid=Decimal("1000.00"),
        amount_credited=Decimal("0"),
        reference=f"PO {n}" if n % 5 else None,
        instalments=(Instalment(f"pay-{n}", date(2026, 3, 1), Decimal("1000.00"), "first", Decimal("0.6")),),
    )


def _entry(org_id: str, contact_id: str, documents, fetched: datetime = T0) -> CachedDocuments:
    return CachedDocuments(org_id, contact_id, "tenant-1", tuple(documents), ORG_FACTS, fetched, fetched)


@pytest.fixture
def ids() -> tuple[str, str]:
    return f"org-{uuid.uuid4().hex[:8]}", str(uuid.uuid4())


def test_an_entry_round_trips_exactly(services, ids):
    org_id, contact_id = ids
    entry = _entry(org_id, contact_id, [_document(n) for n in range(1, 40)])
    assert services.invoice_cache.put(entry)
    assert services.invoice_cache.get(org_id, contact_id) == entry
    assert services.invoice_cache.get(org_id, str(uuid.uuid4())) is None


def test_a_contact_with_many_documents_spills_into_several_items_and_reads_back_whole(services, ids, monkeypatch):
    org_id, contact_id = ids
    monkeypatch.setattr(store, "MAX_PART_BYTES", 4_000)
    entry = _entry(org_id, contact_id, [_document(n) for n in range(1, 500)])
    assert services.invoice_cache.put(entry)
    items = list(InvoiceViewModel.query(org_id, InvoiceViewModel.item_key.startswith(f"cache#{contact_id}")))
    assert len(items) > 2
    assert services.invoice_cache.get(org_id, contact_id) == entry
    # A reader that meets parts of another generation (a writer half-way) sees a miss, never a mix
    part = InvoiceViewModel.get(org_id, f"cache#{contact_id}#1")
    part.generation = "another"
    part.save()
    assert services.invoice_cache.get(org_id, contact_id) is None


def test_an_older_read_never_replaces_a_newer_one(services, ids):
    org_id, contact_id = ids
    newer = _entry(org_id, contact_id, [_document(1)], fetched=T0 + timedelta(seconds=5))
    assert services.invoice_cache.put(newer)
    assert not services.invoice_cache.put(_entry(org_id, contact_id, [_document(2)], fetched=T0))
    assert services.invoice_cache.get(org_id, contact_id) == newer


def test_changes_counted_by_the_webhook_survive_a_refresh_and_nothing_is_counted_for_an_unknown_contact(services, ids):
    org_id, contact_id = ids
    assert not services.invoice_cache.invalidate(org_id, contact_id, Part.INVOICES, T0)
    assert services.invoice_cache.get(org_id, contact_id) is None
    services.invoice_cache.put(_entry(org_id, contact_id, [_document(1)]))
    assert services.invoice_cache.invalidate(org_id, contact_id, Part.INVOICES, T0 + timedelta(seconds=1))
    assert services.invoice_cache.invalidate(org_id, contact_id, Part.INVOICES, T0 + timedelta(seconds=2))
    # a refresh that saw only the first change is stored: it keeps the count, and stays stale
    refreshed = dataclasses.replace(
        _entry(org_id, contact_id, [_document(2)], fetched=T0 + timedelta(seconds=3)), invoices_seen=1
    )
    services.invoice_cache.put(refreshed)
    stored = services.invoice_cache.get(org_id, contact_id)
    assert (stored.invoices_changes, stored.invoices_seen, stored.credit_notes_changes) == (2, 1, 0)
    assert stored.stale_parts(T0 + timedelta(seconds=4), timedelta(seconds=60)) == {Part.INVOICES}
    # one that saw both is fresh
    services.invoice_cache.put(
        dataclasses.replace(refreshed, invoices_fetched_at=T0 + timedelta(seconds=5), invoices_seen=2)
    )
    assert (
        services.invoice_cache.get(org_id, contact_id).stale_parts(T0 + timedelta(seconds=6), timedelta(seconds=60))
        == set()
    )


def test_pins_are_stored_once_and_found_by_their_record(services, ids):
    org_id, contact_id = ids
    deal, tricky = RecordRef("deal", "d-1"), RecordRef("deal", "d-1#x/y")
    pin = Pin(org_id, deal, str(uuid.UUID(int=1)), "tenant-1", contact_id, T0)
    assert services.pins.put(pin)
    assert not services.pins.put(pin)
    services.pins.put(Pin(org_id, tricky, str(uuid.UUID(int=2)), "tenant-1", contact_id, T0))
    assert services.pins.pins_of(org_id, deal) == [pin]  # the record "d-1#x/y" is another record
    assert [p.document_id for p in services.pins.pins_of(org_id, tricky)] == [str(uuid.UUID(int=2))]
    assert services.pins.delete(org_id, deal, pin.document_id)
    assert not services.pins.delete(org_id, deal, pin.document_id)
    assert services.pins.pins_of(org_id, deal) == []


def test_an_entry_with_only_its_invoices_read_round_trips_and_keeps_a_credit_note_read_made_meanwhile(services, ids):
    org_id, contact_id = ids
    invoices_only = dataclasses.replace(_entry(org_id, contact_id, [_document(1)]), credit_notes_fetched_at=None)
    assert services.invoice_cache.put(invoices_only)
    assert services.invoice_cache.get(org_id, contact_id) == invoices_only
    # Given another view read the credit notes too
    both = _entry(org_id, contact_id, [_document(1), _document(3)], fetched=T0 + timedelta(seconds=1))
    assert services.invoice_cache.put(both)
    # Then a refresh of the invoices that never saw the credit notes cannot drop them
    late = dataclasses.replace(invoices_only, invoices_fetched_at=T0 + timedelta(seconds=2))
    assert not services.invoice_cache.put(late)
    assert services.invoice_cache.get(org_id, contact_id) == both
