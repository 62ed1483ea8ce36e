"""After an unknown outcome: look in Xero before sending again (N1).

A time-out, a dropped connection or a 5xx after sending leaves ``claim_operation`` on the
record. Xero keeps idempotency keys only 6 minutes, so the durable answer is a look-up by the
record's natural key (xero-facts §4): the ACCREC invoice or credit-note number, the bill's
number and contact, our ContactNumber, the reference stamp on payments, refunds and bank
transactions, the allocation's credit note + invoice + amount. Found → the record is linked to
what Xero has; not found → the attempt never landed and the operation is forgotten.

Updates, voids and deletes need no look-up beyond the record's own id: sending them again is
harmless, except that a second void or delete of an already voided/deleted record is refused by
Xero — so their current status is read first.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from xero_sync.domain.natural_keys import build_stamp, contact_number, write_off_number
from xero_sync.domain.records import RecordKey
from xero_sync.models.records import EntityName
from xero_sync.observability import logger
from xero_sync.services.export.calls import (
    BANK_TRANSACTIONS,
    CONTACTS,
    CREDIT_NOTES,
    INVOICES,
    ITEMS,
    PAYMENTS,
    XeroCalls,
    collection_of,
    quote,
)
from xero_sync.services.export.view import RecordView
from xero_sync.services.ports import RecordStore
from xero_sync.xero.errors import XeroNotFound

E = EntityName
DOCUMENT_TYPES = {
    E.INVOICE: (INVOICES, "InvoiceNumber", "ACCREC"),
    E.BILL: (INVOICES, "InvoiceNumber", "ACCPAY"),
    E.CREDIT_NOTE: (CREDIT_NOTES, "CreditNoteNumber", "ACCRECCREDIT"),
    E.VENDOR_CREDIT: (CREDIT_NOTES, "CreditNoteNumber", "ACCPAYCREDIT"),
}
LIVE = 'Status!="DELETED" AND Status!="VOIDED"'


@dataclass(frozen=True)
class Progress:
    """Part of a multi-step operation is in Xero; ``refs`` say which part."""

    refs: dict[str, Any]


STAMPED = frozenset({E.INVOICE_PAYMENT, E.BILL_PAYMENT, E.CREDIT_NOTE_REFUND, E.VENDOR_CREDIT_REFUND, E.BANK_CHARGE})
"""Records found again by the stamp the service writes into their Reference."""


class Recovery:
    def __init__(self, calls: XeroCalls, records: RecordStore, now: datetime) -> None:
        self.calls = calls
        self.records = records
        self.now = now
        self.adopted: set[RecordKey] = set()  # found in Xero and linked: the worker reports them

    def resolve(self, view: RecordView, parents: dict[str, RecordView | None]) -> bool:
        """Settle the record's unknown operation. Returns True if the row changed (the caller
        reads it again before planning)."""
        operation = view.pending_operation
        if operation is None:
            return False
        found = self._find(view, parents) if operation in ("create", "recreate", "link") else None
        if isinstance(found, Progress):
            # Part of a multi-step operation landed (a write-off's credit note, not yet its
            # allocation): keep that part, so the plan resumes instead of starting over.
            self.records.forget_link(view.key, owner=None, xero_refs=found.refs, now=self.now)
            self.records.clear_pending_operation(
                view.key, message="Resuming where the earlier attempt stopped.", now=self.now
            )
            return True
        if operation in ("update", "void", "delete"):
            found = self._current(view)
            if found is not None and not _is_removed(found) and operation in ("void", "delete"):
                found = None  # not removed yet: forget the attempt, the plan sends it again
            if operation == "update":
                found = None  # an update is simply sent again (same payload, same result)
        if found is None:
            self.records.clear_pending_operation(
                view.key, message="An earlier attempt did not reach Xero; sending again.", now=self.now
            )
            logger.info(
                "Unknown outcome resolved: not in Xero", extra={"record": str(view.key), "operation": operation}
            )
            return True
        xero_id, refs = found
        self.records.adopt_link(
            view.key,
            version=int(view.item.claim_version or view.version),
            action=view.item.action if operation != "delete" else "delete",
            tenant_id=self.calls.tenant_id,
            xero_id=xero_id,
            xero_refs=refs,
            message="An earlier attempt had reached Xero after all; linked to it (no duplicate).",
            now=self.now,
        )
        self.adopted.add(view.key)
        logger.info("Unknown outcome resolved: found in Xero", extra={"record": str(view.key), "operation": operation})
        return True

    # --- look-ups by natural key --------------------------------------------------------------

    def _find(
        self, view: RecordView, parents: dict[str, RecordView | None]
    ) -> tuple[str, dict[str, Any]] | Progress | None:
        """The record in Xero, found by its natural key (and what to keep of it), if it is there."""
        entity = view.entity
        if entity is E.CONTACT:
            return self._find_contact(view)
        if entity in DOCUMENT_TYPES:
            return self._find_document(view, parents)
        if entity in STAMPED:
            return self._find_stamped(view)
        if entity in (E.CREDIT_NOTE_ALLOCATION, E.VENDOR_CREDIT_ALLOCATION):
            return self._find_allocation(view, parents)
        if entity is E.WRITE_OFF:
            return self._find_write_off(view, parents)
        if entity is E.ITEM:
            return self._find_item(view)
        return None

    def _find_item(self, view: RecordView) -> tuple[str, dict[str, Any]] | None:
        """Items are keyed by code in Xero."""
        code = getattr(view.data, "code", None)
        for item in self.calls.find(ITEMS, [f"Code=={quote(code)}"]) if code else []:
            return item["ItemID"], {"code": item.get("Code")}
        return None

    def _find_contact(self, view: RecordView) -> tuple[str, dict[str, Any]] | None:
        number = contact_number(getattr(view.data, "contact_number", None), view.key.org_id, view.key.record_id)
        for contact in self.calls.find(CONTACTS, [f"ContactNumber=={quote(number)}"]):
            return contact["ContactID"], {"name": contact.get("Name")}
        return None

    def _find_document(
        self, view: RecordView, parents: dict[str, RecordView | None]
    ) -> tuple[str, dict[str, Any]] | None:
        collection, number_field, doc_type = DOCUMENT_TYPES[view.entity]
        number = getattr(view.data, "number", None)
        if not number:
            return None
        contact_parent = parents.get("vendor_id") or parents.get("contact_id")
        contact_id = contact_parent.xero_id if contact_parent else None
        for doc in self.calls.find(collection, [f"{number_field}=={quote(number)} AND Type=={quote(doc_type)}"]):
            if doc.get("Status") in ("DELETED", "VOIDED"):
                continue
            if contact_id and (doc.get("Contact") or {}).get("ContactID") != contact_id:
                continue
            return doc[collection.id_field], _doc_refs(doc)
        return None

    def _find_stamped(self, view: RecordView) -> tuple[str, dict[str, Any]] | None:
        """Payments, refunds and bank charges carry our stamp in their Reference."""
        collection = BANK_TRANSACTIONS if view.entity is E.BANK_CHARGE else PAYMENTS
        stamp = build_stamp(view.key.org_id, view.entity, view.key.record_id)
        old_id = view.item.xero_id
        for item in self.calls.find(collection, [f"Reference.Contains({quote(stamp)}) AND {LIVE}"]):
            item_id = item[collection.id_field]
            if view.pending_operation == "recreate" and item_id == old_id:
                continue  # the old payment is still there: the recreate did not land
            return item_id, {"status": item.get("Status")}
        return None

    def _find_allocation(
        self, view: RecordView, parents: dict[str, RecordView | None]
    ) -> tuple[str, dict[str, Any]] | None:
        note = parents.get("credit_note_id") or parents.get("vendor_credit_id")
        document = parents.get("invoice_id") or parents.get("bill_id")
        if note is None or document is None or not note.xero_id or not document.xero_id:
            return None
        current = self.calls.get_one(CREDIT_NOTES, note.xero_id) or {}
        amount = Decimal(str(getattr(view.data, "amount", 0)))
        for allocation in current.get("Allocations") or []:
            if allocation.get("IsDeleted"):
                continue
            if (allocation.get("Invoice") or {}).get("InvoiceID") != document.xero_id:
                continue
            if Decimal(str(allocation.get("Amount"))) != amount:
                continue
            return allocation.get("AllocationID") or f"{note.xero_id}:{document.xero_id}", {
                "credit_note_id": note.xero_id,
                "status": "AUTHORISED",
            }
        return None

    def _find_write_off(
        self, view: RecordView, parents: dict[str, RecordView | None]
    ) -> tuple[str, dict[str, Any]] | Progress | None:
        invoice = parents.get("invoice_id")
        if invoice is None or not invoice.xero_id:
            return None
        number = invoice.refs.get("number") or getattr(invoice.data, "number", None)
        sequence = int(view.refs.get("sequence") or 1)
        if view.pending_operation == "recreate":
            # A changed write-off replaces its note with the next one (``-WO2`` …). The note
            # found under the current number is the old one, still in Xero because the undo did
            # not finish: it must not be taken for the new version. (Once the undo is done the
            # operation is "create" and the refs carry the new sequence.)
            sequence += 1
        if not number:
            return None
        notes = self.calls.find(
            CREDIT_NOTES, [f'CreditNoteNumber=={quote(write_off_number(number, sequence))} AND Type=="ACCRECCREDIT"']
        )
        for note in notes:
            if note.get("Status") in ("DELETED", "VOIDED"):
                continue
            full = self.calls.get_one(CREDIT_NOTES, note["CreditNoteID"]) or note
            allocated = [
                a
                for a in full.get("Allocations") or []
                if not a.get("IsDeleted") and (a.get("Invoice") or {}).get("InvoiceID") == invoice.xero_id
            ]
            refs = {"credit_note_id": note["CreditNoteID"], "sequence": sequence}
            if not allocated:
                return Progress(refs)
            return note["CreditNoteID"], {
                **refs,
                "allocation_id": allocated[0].get("AllocationID"),
                "status": "AUTHORISED",
            }
        return None

    def _current(self, view: RecordView) -> tuple[str, dict[str, Any]] | None:
        """The current Xero state of a linked record, for voids and deletes."""
        collection = collection_of(view.entity)
        if collection is None or not view.xero_id:
            return None
        try:
            current = self.calls.get_one(collection, view.xero_id)
        except XeroNotFound:  # an item Xero no longer has: deleted
            return (view.xero_id, {**view.refs, "status": "DELETED"}) if view.entity is E.ITEM else None
        if not current:
            return None
        return view.xero_id, {**view.refs, "status": current.get("Status")}


def _doc_refs(doc: dict[str, Any]) -> dict[str, Any]:
    refs = {"status": doc.get("Status")}
    number = doc.get("InvoiceNumber") or doc.get("CreditNoteNumber")
    if number:
        refs["number"] = number
    contact = (doc.get("Contact") or {}).get("ContactID")
    if contact:
        refs["contact_id"] = contact
    return refs


def _is_removed(found: tuple[str, dict[str, Any]]) -> bool:
    return found[1].get("status") in ("VOIDED", "DELETED")
