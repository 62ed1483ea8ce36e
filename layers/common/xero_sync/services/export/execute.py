"""Carrying out planned operations in Xero, batched, one outcome per record.

| entity | create | update | void / delete |
| --- | --- | --- | --- |
| contact | look for an existing contact (number → name → email, F3.6), link or PUT | POST | — |
| invoice, bill, credit note, vendor credit | PUT | POST with id | POST ``Status`` VOIDED / DELETED |
| bank charge | PUT BankTransactions | POST with id | POST ``Status: DELETED`` |
| payments and refunds | PUT Payments | delete + PUT (``recreate``) | POST /Payments/{id} ``DELETED`` |
| allocations | PUT /CreditNotes/{id}/Allocations | delete + PUT | DELETE …/Allocations/{id} |
| write-off | PUT credit note, then allocate it | undo + create | remove allocation, void note |

:meth:`Executor.run` hands each group of works to its handler through one table
(``Executor.handlers``), keyed by the kind of entity and the operation. Every record is claimed
before its call (claims.py); contact identity is in contact_links.py.
"""

from __future__ import annotations

import contextlib
from collections import defaultdict
from collections.abc import Callable, Iterable
from datetime import datetime
from functools import partial
from typing import Any

from xero_sync.domain.dependencies import ParentLink
from xero_sync.domain.records import RecordKey
from xero_sync.domain.restrictions import Operation
from xero_sync.models.records import EntityName
from xero_sync.models.xero_payloads import to_wire, with_id
from xero_sync.services.export.calls import (
    BATCH_SIZE,
    CONTACTS,
    CREDIT_NOTES,
    INVOICES,
    PAYMENTS,
    Collection,
    XeroCalls,
    chunks,
    collection_of,
    quote,
)
from xero_sync.services.export.claims import ClaimedCalls, Handler, messages_of
from xero_sync.services.export.contact_links import ARCHIVED_CONTACT, ContactLinks
from xero_sync.services.export.failures import DUPLICATE_CONTACT_NAME, DUPLICATE_INVOICE_NUMBER
from xero_sync.services.export.outcome import Outcome, failed, refs_of
from xero_sync.services.export.plan import Work
from xero_sync.services.ports import RecordStore
from xero_sync.xero.elements import ElementResult
from xero_sync.xero.errors import XeroBadRequest, XeroNotFound

__all__ = ["Executor", "Outcome"]

E = EntityName

PAYMENT_LIKE = frozenset({E.INVOICE_PAYMENT, E.BILL_PAYMENT, E.CREDIT_NOTE_REFUND, E.VENDOR_CREDIT_REFUND})
ALLOCATIONS = frozenset({E.CREDIT_NOTE_ALLOCATION, E.VENDOR_CREDIT_ALLOCATION})


class Executor:
    """Carries out the works of one export attempt; built per attempt (``now`` is its time)."""

    def __init__(
        self,
        *,
        calls: XeroCalls,
        records: RecordStore,
        owner: str,
        now: datetime,
        claim_until: datetime,
        batch_size: int = BATCH_SIZE,
    ) -> None:
        self.calls = calls
        self.claims = ClaimedCalls(
            calls=calls, records=records, owner=owner, now=now, claim_until=claim_until, batch_size=batch_size
        )
        self.contacts = ContactLinks(calls, self.claims.claim)
        self.handlers: dict[tuple[str, Operation], Handler] = {
            ("collection", Operation.CREATE): self._collection_create,
            ("collection", Operation.UPDATE): self._collection_update,
            ("collection", Operation.VOID): self._collection_void,
            ("collection", Operation.DELETE): self._collection_delete,
            ("payment", Operation.CREATE): self._collection_create,
            ("payment", Operation.DELETE): self._payment_delete,
            ("payment", Operation.RECREATE): self._payment_recreate,
            ("allocation", Operation.CREATE): self._allocation_create,
            ("allocation", Operation.DELETE): self._allocation_delete,
            ("allocation", Operation.RECREATE): self._allocation_recreate,
            ("write_off", Operation.CREATE): self._write_off_create,
            ("write_off", Operation.DELETE): self._write_off_delete,
            ("write_off", Operation.RECREATE): self._write_off_recreate,
            # F3.10: POST /Items creates, or updates the item Xero already has under that code
            ("item", Operation.CREATE): self._item_upsert,
            ("item", Operation.UPDATE): self._collection_update,
            ("item", Operation.DELETE): self._item_delete,
        }

    # --- entry point ---------------------------------------------------------------------------

    def run(self, works: list[Work]) -> list[Outcome]:
        """Carry out every work whose operation sends something to Xero. Auth errors are
        raised (the whole org pauses); every other failure becomes an outcome."""
        groups: dict[tuple[str, Operation], list[Work]] = defaultdict(list)
        for work in works:
            groups[(_kind(work.view.entity), work.operation)].append(work)
        outcomes: list[Outcome] = []
        for kind_and_operation, group in sorted(groups.items(), key=lambda item: _ORDER.index(item[0][1])):
            outcomes.extend(self.handlers[kind_and_operation](group))
        return outcomes

    # --- collections: contacts, documents, bank transactions, payments -------------------------

    def _collection_create(self, works: list[Work]) -> list[Outcome]:
        return self._collection_write(works, "create", "PUT", lambda w: to_wire(w.payload))

    def _collection_update(self, works: list[Work]) -> list[Outcome]:
        return self._collection_write(works, "update", "POST", lambda w: with_id(w.payload, _linked_id(w)))

    def _collection_void(self, works: list[Work]) -> list[Outcome]:
        return self._status_change(works, "void", "VOIDED")

    def _collection_delete(self, works: list[Work]) -> list[Outcome]:
        # Documents still in DRAFT/SUBMITTED in Xero are deleted, approved ones voided; bank
        # transactions are deleted (xero-facts §6.1, §6.4).
        return self._status_change(works, "delete", "DELETED")

    def _status_change(self, works: list[Work], operation: str, status: str) -> list[Outcome]:
        def element(work: Work) -> dict[str, Any]:
            return {_collection(work).id_field: work.view.xero_id, "Status": status}

        return self._collection_write(works, operation, "POST", element)

    def _collection_write(
        self, works: list[Work], operation: str, method: str, element: Callable[[Work], dict[str, Any]]
    ) -> list[Outcome]:
        outcomes: list[Outcome] = []
        by_collection: dict[str, list[Work]] = defaultdict(list)
        for work in works:
            by_collection[_collection(work).name].append(work)
        for group in by_collection.values():
            collection = _collection(group[0])
            if collection is CONTACTS and operation == "create":
                linked, group = self.contacts.link_existing(group)
                outcomes.extend(linked)
            send = partial(self._write, method, collection, element)
            outcomes.extend(self.claims.in_batches(group, operation, send))
        return outcomes

    def _write(
        self,
        method: str,
        collection: Collection,
        element: Callable[[Work], dict[str, Any]],
        claimed: list[Work],
        key: str,
    ) -> list[Outcome]:
        results = self.calls.write(method, collection, [element(w) for w in claimed], key=key)
        return [self._element_outcome(w, r, collection) for w, r in zip(claimed, results, strict=True)]

    def _element_outcome(self, work: Work, result: ElementResult, collection: Collection) -> Outcome:
        if result.saved:
            element = result.element
            message = "; ".join(result.warnings) or None
            return Outcome(
                work,
                "synced",
                xero_id=element.get(collection.id_field),
                refs=refs_of(work, element),
                message=message,
                element=element,
            )
        creating = work.operation is Operation.CREATE
        if creating and collection is CONTACTS and _matches(result.errors, DUPLICATE_CONTACT_NAME):
            return self.contacts.link_by_name(work)
        if creating and collection in (INVOICES, CREDIT_NOTES) and _matches(result.errors, DUPLICATE_INVOICE_NUMBER):
            return self.contacts.link_duplicate_number(work, collection)
        if collection is not CONTACTS and _matches(result.errors, ARCHIVED_CONTACT):
            return self.contacts.follow_merge(work, self._relink_contact)
        return failed(work, result.errors)

    def _relink_contact(self, org_id: str, contact: ParentLink, survivor_id: str) -> None:
        """The host contact's Xero contact was merged into ``survivor_id``: link it to that one."""
        key = RecordKey(org_id, "contact", contact.host_id)
        row = self.claims.records.get(key)
        if row is None or row.exported_version is None:
            return
        self.claims.records.adopt_link(
            key,
            version=row.exported_version,
            action=row.exported_action or "upsert",
            tenant_id=self.calls.tenant_id,
            xero_id=survivor_id,
            xero_refs={**(row.xero_refs or {}), "merged_from": contact.xero_id},
            message=f"Merged in Xero into contact {survivor_id}: linked to the contact kept.",
            now=self.claims.now,
        )

    # --- payments and refunds ----------------------------------------------------------------

    def _payment_delete(self, works: list[Work]) -> list[Outcome]:
        return self.claims.one_by_one(works, "delete", self._delete_payment)

    def _delete_payment(self, work: Work, key: str) -> Outcome:
        payment_id = _linked_id(work)
        try:
            result = self.calls.delete_payment(payment_id, key=key)
        except XeroBadRequest as error:
            current = self.calls.get_one(PAYMENTS, payment_id)
            if current and current.get("Status") == "DELETED":
                result = current  # already gone (e.g. deleted in Xero): the goal is reached
            else:
                return failed(work, messages_of(error))
        return Outcome(work, "synced", xero_id=payment_id, refs={"status": result.get("Status", "DELETED")})

    def _payment_recreate(self, works: list[Work]) -> list[Outcome]:
        """Xero never edits a payment: delete the old one, then create the new (xero-facts §6.2)."""
        return self.claims.remove_then_create(
            works, remove=self._delete_payment, kept_refs=lambda work: None, create=self._collection_create
        )

    # --- allocations -------------------------------------------------------------------------

    def _allocation_create(self, works: list[Work]) -> list[Outcome]:
        outcomes = []
        by_note: dict[str, list[Work]] = defaultdict(list)
        for work in works:
            by_note[work.payload.credit_note_xero_id].append(work)
        for note_id, group in by_note.items():
            outcomes.extend(self.claims.in_batches(group, "create", partial(self._allocate, note_id)))
        return outcomes

    def _allocate(self, note_id: str, claimed: list[Work], key: str) -> list[Outcome]:
        bodies = [to_wire(a) for w in claimed for a in w.payload.body.Allocations]
        results = self.calls.allocate(note_id, bodies, key=key)
        return [self._allocation_outcome(w, r, note_id) for w, r in zip(claimed, results, strict=True)]

    def _allocation_outcome(self, work: Work, result: ElementResult, note_id: str) -> Outcome:
        if not result.saved:
            return failed(work, result.errors)
        return Outcome(
            work,
            "synced",
            xero_id=result.element.get("AllocationID"),
            refs={"credit_note_id": note_id, "status": "AUTHORISED"},
        )

    def _allocation_delete(self, works: list[Work]) -> list[Outcome]:
        return self.claims.one_by_one(works, "delete", self._remove_allocation)

    def _remove_allocation(self, work: Work, key: str) -> Outcome:
        """Removing an allocation takes no idempotency key (a DELETE); a second one finds nothing."""
        note_id = _credit_note_id(work)
        allocation_id = _linked_id(work)
        with contextlib.suppress(XeroNotFound):  # already removed
            self.calls.delete_allocation(note_id, allocation_id)
        return Outcome(work, "synced", xero_id=allocation_id, refs={"credit_note_id": note_id, "status": "DELETED"})

    def _allocation_recreate(self, works: list[Work]) -> list[Outcome]:
        return self.claims.remove_then_create(
            works, remove=self._remove_allocation, kept_refs=lambda work: None, create=self._allocation_create
        )

    # --- write-offs --------------------------------------------------------------------------

    def _write_off_create(self, works: list[Work], *, resume: bool = True) -> list[Outcome]:
        """Seed rows "Write off an invoice": a credit note on the write-off account, then its
        allocation to the invoice — two calls, with the note kept as progress in between so a
        retry allocates the same note instead of creating another. ``resume=False`` after the
        old write-off was undone (a recreate): the note in the refs read earlier is the voided
        one, a new note is needed."""
        outcomes: list[Outcome] = []
        claimed, lost, _ = self.claims.claim(works, "create")
        outcomes.extend(lost)
        if not claimed:
            return outcomes
        to_note = [w for w in claimed if not (resume and w.view.refs.get("credit_note_id"))]
        notes: dict[str, str] = {
            w.view.key.record_key: w.view.refs["credit_note_id"] for w in claimed if w not in to_note
        }
        for chunk in chunks(to_note, self.claims.batch_size):
            batch = list(chunk)
            outcomes.extend(self.claims.guarded(batch, partial(self._write_off_notes, batch, notes)))
        failed_works = {id(o.work) for o in outcomes}
        for work in claimed:
            note_id = notes.get(work.view.key.record_key)
            if note_id is None or id(work) in failed_works:
                continue
            outcomes.extend(self.claims.guarded([work], partial(self._allocate_write_off, work, note_id)))
        return outcomes

    def _write_off_notes(self, batch: list[Work], notes: dict[str, str]) -> list[Outcome]:
        """Create the write-offs' credit notes; each created note is kept as the record's progress
        (and in ``notes``). Returns the failures only."""
        claims = self.claims
        note_key = claims.key("write-off-note", batch)
        results = self.calls.write("PUT", CREDIT_NOTES, [to_wire(w.payload.credit_note) for w in batch], key=note_key)
        failures = []
        for work, result in zip(batch, results, strict=True):
            element = result.element if result.saved else None
            if element is None and _matches(result.errors, DUPLICATE_INVOICE_NUMBER):
                # Our own note from an attempt whose answer was lost (and which the look-up for
                # the pending operation did not see yet): carry on with it, never a second one.
                element = self._own_write_off_note(work)
            if element is None:
                failures.append(failed(work, result.errors))
                continue
            note_id = element["CreditNoteID"]
            notes[work.view.key.record_key] = note_id
            claims.records.save_progress(
                work.view.key,
                owner=claims.owner,
                xero_refs={"credit_note_id": note_id, "sequence": _sequence(work)},
                now=claims.now,
            )
        return failures

    def _own_write_off_note(self, work: Work) -> dict[str, Any] | None:
        """The write-off's credit note already in Xero under its number: same type and contact
        (a note of another contact with that number stays a failure, as for invoices)."""
        note = work.payload.credit_note
        found = self.calls.find(
            CREDIT_NOTES,
            [f"CreditNoteNumber=={quote(note.CreditNoteNumber)}"],
            extra={"Statuses": "DRAFT,SUBMITTED,AUTHORISED,PAID"},
        )
        return next(
            (
                doc
                for doc in found
                if doc.get("Type") == note.Type.value
                and (doc.get("Contact") or {}).get("ContactID") == note.Contact.ContactID
            ),
            None,
        )

    def _allocate_write_off(self, work: Work, note_id: str) -> list[Outcome]:
        results = self.calls.allocate(
            note_id, [to_wire(work.payload.allocation)], key=self.claims.key("write-off-allocation", [work])
        )
        if not results or not results[0].saved:
            return [failed(work, results[0].errors if results else ["no allocation returned"])]
        return [
            Outcome(
                work,
                "synced",
                xero_id=note_id,
                refs={
                    "credit_note_id": note_id,
                    "allocation_id": results[0].element.get("AllocationID"),
                    "sequence": _sequence(work),
                    "status": "AUTHORISED",
                },
            )
        ]

    def _write_off_delete(self, works: list[Work]) -> list[Outcome]:
        return self.claims.one_by_one(works, "delete", self._undo_write_off)

    def _undo_write_off(self, work: Work, key: str) -> Outcome:
        refs = work.view.refs
        note_id = refs.get("credit_note_id") or _linked_id(work)
        if refs.get("allocation_id"):
            with contextlib.suppress(XeroNotFound):  # already removed
                self.calls.delete_allocation(note_id, refs["allocation_id"])
        results = self.calls.write("POST", CREDIT_NOTES, [{"CreditNoteID": note_id, "Status": "VOIDED"}], key=key)
        if not results[0].saved:
            # An earlier attempt whose answer was lost may have voided it already (Xero then
            # refuses a second void): the goal is reached.
            current = self.calls.get_one(CREDIT_NOTES, note_id) or {}
            if current.get("Status") != "VOIDED":
                return failed(work, results[0].errors)
        return Outcome(work, "synced", xero_id=note_id, refs={**refs, "status": "VOIDED"})

    def _write_off_recreate(self, works: list[Work]) -> list[Outcome]:
        return self.claims.remove_then_create(
            works,
            remove=self._undo_write_off,
            kept_refs=lambda work: {"sequence": _sequence(work)},
            create=partial(self._write_off_create, resume=False),
        )

    # --- items (F3.10) ----------------------------------------------------------------------

    def _item_upsert(self, works: list[Work]) -> list[Outcome]:
        """Xero keys items by code: a POST never makes a second item with the same code, so a
        repeat after an unknown outcome is harmless as well."""
        return self._collection_write(works, "create", "POST", lambda w: to_wire(w.payload))

    def _item_delete(self, works: list[Work]) -> list[Outcome]:
        return self.claims.one_by_one(works, "delete", self._delete_item)

    def _delete_item(self, work: Work, key: str) -> Outcome:
        item_id = _linked_id(work)
        with contextlib.suppress(XeroNotFound):  # already deleted (in Xero, or by an earlier attempt)
            self.calls.delete_item(item_id)
        return Outcome(work, "synced", xero_id=item_id, refs={"status": "DELETED"})


# Order of operation groups within one batch: removals before re-creations before creations.
_ORDER = [
    Operation.DELETE,
    Operation.VOID,
    Operation.RECREATE,
    Operation.UPDATE,
    Operation.CREATE,
]


def _kind(entity: EntityName) -> str:
    if entity in PAYMENT_LIKE:
        return "payment"
    if entity in ALLOCATIONS:
        return "allocation"
    if entity is E.WRITE_OFF:
        return "write_off"
    if entity is E.ITEM:
        return "item"
    return "collection"


def _collection(work: Work) -> Collection:
    """The collection of a record the table sends to a collection handler (all but allocations
    and write-offs have one)."""
    collection = collection_of(work.view.entity)
    if collection is None:
        raise ValueError(f"{work.view.entity} is not written to a Xero collection")
    return collection


def _linked_id(work: Work) -> str:
    """The Xero id of a record that is updated or removed: the plan does that only to a record
    linked in the current tenant."""
    xero_id = work.view.xero_id
    if xero_id is None:
        raise ValueError(f"{work.view.title} is not linked to a Xero record in this tenant")
    return xero_id


def _credit_note_id(work: Work) -> str:
    """The credit note a linked allocation belongs to (kept in its refs when it was linked)."""
    note_id = work.view.refs.get("credit_note_id")
    if note_id is None:
        raise ValueError(f"{work.view.title} is linked without its credit note")
    return note_id


def _sequence(work: Work) -> int:
    number = work.payload.credit_note.CreditNoteNumber if work.payload is not None else ""
    suffix = number.rsplit("-WO", 1)[-1] if "-WO" in number else ""
    return int(suffix) if suffix.isdigit() else 1


def _matches(messages: Iterable[str], pattern) -> bool:
    return any(pattern.search(message) for message in messages)
