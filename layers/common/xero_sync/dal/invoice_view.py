"""The read view's table (F5): each linked Xero contact's documents, cached, and the pins of host
records (domain/contact_documents.py).

A cache entry is one item, ``cache#{xero_contact_id}``, holding the documents as zlib-compressed
JSON (500 invoices with their payments take about 40 KB). A contact whose documents do not fit in
``MAX_PART_BYTES`` spills into ``cache#{xero_contact_id}#1``, ``#2`` …: those are written first,
then the first item names how many there are and their ``generation``, so a reader that meets a
half-written entry (parts of another generation) sees a miss, never a mix. One Query reads them
all.

Decoding 500 documents costs tens of milliseconds of CPU, so each repository (one per Lambda
instance) keeps the last ``DECODED_ENTRIES`` decoded bodies by their ``generation``: a warm view
in a warm Lambda reads the item (for the freshness fields) but decodes nothing.

Writes never go back in time: an entry is replaced only by reads that started no earlier than the
stored ones (a slow refresh cannot overwrite a newer one). They never touch the ``*_changes``
counts either, which only the webhook listener increments (an atomic ADD) — so a change reported
while a refresh was under way still leaves that refresh stale (domain/contact_documents.py).
"""

from __future__ import annotations

import json
import threading
import uuid
import zlib
from collections import OrderedDict
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any
from urllib.parse import quote

from pynamodb.exceptions import DeleteError, PutError, UpdateError

from xero_sync.dal.errors import is_condition_failure
from xero_sync.dal.models import InvoiceViewModel
from xero_sync.domain.contact_documents import CachedDocuments, OrgFacts, Part, Pin, RecordRef
from xero_sync.domain.invoice_view import DocumentKind, Instalment, XeroDocument

MAX_PART_BYTES = 350_000  # DynamoDB items hold 400 KB, keys and attributes included
DECODED_ENTRIES = 256  # decoded bodies kept per Lambda instance (a few MB at most)
CACHE_RETENTION = timedelta(days=30)
"""An entry nobody looked at for this long is dropped (TTL); the next view reads Xero again."""


def _cache_key(xero_contact_id: str, part: int = 0) -> str:
    return f"cache#{xero_contact_id}" if part == 0 else f"cache#{xero_contact_id}#{part}"


def _pin_prefix(record: RecordRef) -> str:
    return f"pin#{quote(record.record_type, safe='')}#{quote(record.record_id, safe='')}#"


# --- the documents as stored -------------------------------------------------------------------


def _document_json(document: XeroDocument) -> dict[str, Any]:
    return {
        "id": document.xero_id,
        "kind": document.kind.value,
        "number": document.number,
        "date": document.date.isoformat(),
        "due": document.due_date.isoformat() if document.due_date else None,
        "status": document.xero_status,
        "currency": document.currency,
        "rate": _text(document.currency_rate),
        "total": str(document.total),
        "balance": str(document.balance),
        "paid": str(document.amount_paid),
        "credited": str(document.amount_credited),
        "reference": document.reference,
        "payments": [
            [p.payment_id, p.date.isoformat(), str(p.amount), p.reference, _text(p.currency_rate)]
            for p in document.instalments
        ],
    }


def _document(data: dict[str, Any]) -> XeroDocument:
    return XeroDocument(
        xero_id=data["id"],
        kind=DocumentKind(data["kind"]),
        number=data["number"],
        date=date.fromisoformat(data["date"]),
        due_date=date.fromisoformat(data["due"]) if data["due"] else None,
        xero_status=data["status"],
        currency=data["currency"],
        currency_rate=_decimal(data["rate"]),
        total=Decimal(data["total"]),
        balance=Decimal(data["balance"]),
        amount_paid=Decimal(data["paid"]),
        amount_credited=Decimal(data["credited"]),
        reference=data["reference"],
        instalments=tuple(
            Instalment(payment_id, date.fromisoformat(day), Decimal(amount), reference, _decimal(rate))
            for payment_id, day, amount, reference, rate in data["payments"]
        ),
    )


def _text(value: Decimal | None) -> str | None:
    return str(value) if value is not None else None


def _decimal(value: str | None) -> Decimal | None:
    return Decimal(value) if value is not None else None


def encode_documents(documents: tuple[XeroDocument, ...]) -> bytes:
    text = json.dumps([_document_json(d) for d in documents], separators=(",", ":"))
    return zlib.compress(text.encode(), 6)


def decode_documents(blob: bytes) -> tuple[XeroDocument, ...]:
    return tuple(_document(data) for data in json.loads(zlib.decompress(blob)))


# --- the cache ---------------------------------------------------------------------------------------


class InvoiceCacheRepository:
    def __init__(self) -> None:
        self._decoded: OrderedDict[tuple[str, str, str], tuple[XeroDocument, ...]] = OrderedDict()
        self._lock = threading.Lock()

    def _documents(self, key: tuple[str, str, str], chunks: list[bytes]) -> tuple[XeroDocument, ...]:
        with self._lock:
            if key in self._decoded:
                self._decoded.move_to_end(key)
                return self._decoded[key]
        documents = decode_documents(b"".join(chunks))
        with self._lock:
            self._decoded[key] = documents
            while len(self._decoded) > DECODED_ENTRIES:
                self._decoded.popitem(last=False)
        return documents

    def get(self, org_id: str, xero_contact_id: str) -> CachedDocuments | None:
        """The entry, or None (never stored, expired, or caught half-written)."""
        items = list(InvoiceViewModel.query(org_id, InvoiceViewModel.item_key.startswith(_cache_key(xero_contact_id))))
        head = next((item for item in items if item.item_key == _cache_key(xero_contact_id)), None)
        if head is None or head.body is None:
            return None
        parts = {item.item_key: item for item in items}
        chunks = [head.body]
        for number in range(1, int(head.parts or 1)):
            part = parts.get(_cache_key(xero_contact_id, number))
            if part is None or part.generation != head.generation or part.body is None:
                return None
            chunks.append(part.body)
        facts = head.org_facts or {}
        return CachedDocuments(
            org_id=org_id,
            xero_contact_id=xero_contact_id,
            tenant_id=head.tenant_id or "",
            documents=self._documents((org_id, xero_contact_id, head.generation or ""), chunks),
            org=OrgFacts(facts.get("base_currency", ""), facts.get("timezone"), facts.get("short_code")),
            invoices_fetched_at=head.invoices_fetched_at,
            credit_notes_fetched_at=head.credit_notes_fetched_at,
            invoices_changes=int(head.invoices_changes or 0),
            credit_notes_changes=int(head.credit_notes_changes or 0),
            invoices_seen=int(head.invoices_seen or 0),
            credit_notes_seen=int(head.credit_notes_seen or 0),
        )

    def put(self, entry: CachedDocuments) -> bool:
        """Store the entry unless the stored one holds later reads. Returns whether it was stored."""
        blob = encode_documents(entry.documents)
        chunks = [blob[start : start + MAX_PART_BYTES] for start in range(0, len(blob), MAX_PART_BYTES)] or [b""]
        generation = uuid.uuid4().hex[:12]
        expires_at = entry.as_of() + CACHE_RETENTION
        for number, chunk in enumerate(chunks[1:], start=1):
            InvoiceViewModel(
                entry.org_id,
                _cache_key(entry.xero_contact_id, number),
                body=chunk,
                generation=generation,
                expires_at=expires_at,
            ).save()
        model = InvoiceViewModel
        actions: list[Any] = [
            model.body.set(chunks[0]),
            model.parts.set(len(chunks)),
            model.generation.set(generation),
            model.tenant_id.set(entry.tenant_id),
            model.invoices_seen.set(entry.invoices_seen),
            model.credit_notes_seen.set(entry.credit_notes_seen),
            model.org_facts.set(
                {
                    "base_currency": entry.org.base_currency,
                    "timezone": entry.org.timezone,
                    "short_code": entry.org.short_code,
                }
            ),
            model.expires_at.set(expires_at),
        ]
        condition = None
        for attribute, fetched_at in (
            (model.invoices_fetched_at, entry.invoices_fetched_at),
            (model.credit_notes_fetched_at, entry.credit_notes_fetched_at),
        ):
            # A part is written only over an older read of it; a part this entry never read must
            # not have been read by someone else meanwhile (it would be lost).
            if fetched_at is None:
                part_condition = attribute.does_not_exist()
            else:
                actions.append(attribute.set(fetched_at))
                part_condition = attribute.does_not_exist() | (attribute <= fetched_at)
            condition = part_condition if condition is None else condition & part_condition
        try:
            InvoiceViewModel(entry.org_id, _cache_key(entry.xero_contact_id)).update(
                actions=actions, condition=model.item_key.does_not_exist() | condition
            )
        except UpdateError as error:
            if is_condition_failure(error):
                return False
            raise
        return True

    def invalidate(self, org_id: str, xero_contact_id: str, part: Part, now: datetime) -> bool:
        """Xero said the contact's invoices (or credit notes) changed: count it, so the next view
        reads them again. Nothing is written for a contact that has no entry. Returns whether one
        was marked."""
        model = InvoiceViewModel
        changes, changed_at = (
            (model.invoices_changes, model.invoices_changed_at)
            if part is Part.INVOICES
            else (model.credit_notes_changes, model.credit_notes_changed_at)
        )
        try:
            InvoiceViewModel(org_id, _cache_key(xero_contact_id)).update(
                actions=[changes.add(1), changed_at.set(now)], condition=model.item_key.exists()
            )
        except UpdateError as error:
            if is_condition_failure(error):
                return False
            raise
        return True


# --- pins -----------------------------------------------------------------------------------------------


class PinRepository:
    def pins_of(self, org_id: str, record: RecordRef) -> list[Pin]:
        condition = InvoiceViewModel.item_key.startswith(_pin_prefix(record))
        return [
            Pin(
                org_id=org_id,
                record=record,
                document_id=item.document_id or "",
                tenant_id=item.tenant_id or "",
                xero_contact_id=item.xero_contact_id or "",
                pinned_at=item.pinned_at,
            )
            for item in InvoiceViewModel.query(org_id, condition, consistent_read=True)
        ]

    def put(self, pin: Pin) -> bool:
        """Pin; False when this document was already pinned to the record (kept as it was)."""
        try:
            InvoiceViewModel(
                pin.org_id,
                _pin_prefix(pin.record) + pin.document_id,
                tenant_id=pin.tenant_id,
                record_type=pin.record.record_type,
                record_id=pin.record.record_id,
                document_id=pin.document_id,
                xero_contact_id=pin.xero_contact_id,
                pinned_at=pin.pinned_at,
            ).save(condition=InvoiceViewModel.item_key.does_not_exist())
        except PutError as error:
            if is_condition_failure(error):
                return False
            raise
        return True

    def delete(self, org_id: str, record: RecordRef, document_id: str) -> bool:
        try:
            InvoiceViewModel(org_id, _pin_prefix(record) + document_id).delete(
                condition=InvoiceViewModel.item_key.exists()
            )
        except DeleteError as error:
            if is_condition_failure(error):
                return False
            raise
        return True
