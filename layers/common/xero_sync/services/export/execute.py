"""Carrying out planned operations in Xero, batched, one outcome per record.

Before every call each record in it is *claimed with its operation written down* (one
conditional write): another worker cannot send it meanwhile, and if the call's outcome is
unknown the next attempt looks in Xero first (recovery.py). Records whose claim fails are
someone else's now and are left alone.

| entity | create | update | void / delete |
| --- | --- | --- | --- |
| contact | look for an existing contact (number → name → email, F3.6), link or PUT | POST | — |
| invoice, bill, credit note, vendor credit | PUT | POST with id | POST ``Status`` VOIDED / DELETED |
| bank charge | PUT BankTransactions | POST with id | POST ``Status: DELETED`` |
| payments and refunds | PUT Payments | delete + PUT (``recreate``) | POST /Payments/{id} ``DELETED`` |
| allocations | PUT /CreditNotes/{id}/Allocations | delete + PUT | DELETE …/Allocations/{id} |
| write-off | PUT credit note, then allocate it | undo + create | remove allocation, void note |
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from xero_sync.domain.restrictions import Operation
from xero_sync.models.records import EntityName
from xero_sync.models.xero_payloads import to_wire, with_id
from xero_sync.services.export.calls import (
    BATCH_SIZE,
    CONTACTS,
    CREDIT_NOTES,
    INVOICES,
    LOOKUP_CHUNK,
    PAYMENTS,
    Collection,
    XeroCalls,
    chunks,
    collection_of,
    idempotency_key,
    quote,
)
from xero_sync.services.export.failures import DUPLICATE_CONTACT_NAME, DUPLICATE_INVOICE_NUMBER, classify
from xero_sync.services.export.parallel import in_parallel
from xero_sync.services.export.plan import Work
from xero_sync.services.ports import RecordStore
from xero_sync.xero.elements import ElementResult
from xero_sync.xero.errors import XeroAuthError, XeroBadRequest, XeroNotFound, XeroRetryableError

E = EntityName

PAYMENT_LIKE = frozenset({E.INVOICE_PAYMENT, E.BILL_PAYMENT, E.CREDIT_NOTE_REFUND, E.VENDOR_CREDIT_REFUND})
ALLOCATIONS = frozenset({E.CREDIT_NOTE_ALLOCATION, E.VENDOR_CREDIT_ALLOCATION})


@dataclass
class Outcome:
    """What happened to one record in this attempt."""

    work: Work
    kind: str  # synced | failed | retry | lost
    xero_id: str | None = None
    refs: dict[str, Any] = field(default_factory=dict)
    message: str | None = None
    code: str | None = None
    needs_admin: bool = False
    outcome_unknown: bool = False
    retry_after: float | None = None
    linked_existing: bool = False


class Executor:
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
        self.batch_size = batch_size
        self.records = records
        self.owner = owner
        self.now = now
        self.claim_until = claim_until

    # --- entry point ---------------------------------------------------------------------------

    def run(self, works: list[Work]) -> list[Outcome]:
        """Carry out every work whose operation sends something to Xero. Auth errors are
        raised (the whole org pauses); every other failure becomes an outcome."""
        groups: dict[tuple[str, Operation], list[Work]] = defaultdict(list)
        for work in works:
            groups[(_kind(work.view.entity), work.operation)].append(work)
        outcomes: list[Outcome] = []
        for (kind, operation), group in sorted(groups.items(), key=lambda item: _ORDER.index(item[0][1])):
            handler = getattr(self, f"_{kind}_{operation.value}")
            outcomes.extend(handler(group))
        return outcomes

    # --- claiming ------------------------------------------------------------------------------

    def _key(self, operation: str, works: Iterable[Work]) -> str:
        """One Idempotency-Key per distinct request: the same records and versions sent again
        give the same key, different bodies never share one (Xero answers 400 to that).

        The key also carries when each record last became pending. Xero keeps a key's answer for
        6 minutes, refusals included, and replays it (xero-facts §4): a record that Xero refused
        and that the admin retries after fixing the cause in Xero must go with a new key, or it
        is refused again from Xero's store. A re-send after an unknown outcome keeps its key (the
        record stayed pending, so the time is unchanged) — that is the replay we want."""
        return idempotency_key(
            self.calls.tenant_id, operation, ((f"{w.view.key}~{_pending_since(w)}", w.view.version) for w in works)
        )

    def _claim(self, works: list[Work], operation: str) -> tuple[list[Work], list[Outcome], str]:
        key = self._key(operation, works)

        def claim(work: Work) -> bool:
            return self.records.claim_for_operation(
                work.view.key,
                owner=self.owner,
                version=work.view.version,
                operation=operation,
                idempotency_key=key,
                now=self.now,
                until=self.claim_until,
            )

        taken = in_parallel(claim, works)
        claimed = [work for work, ok in zip(works, taken, strict=True) if ok]
        lost = [Outcome(work, "lost") for work, ok in zip(works, taken, strict=True) if not ok]
        return claimed, lost, key

    def _guarded(self, works: list[Work], call: Callable[[], list[Outcome]]) -> list[Outcome]:
        """Run a Xero call for ``works``; turn a failure of the whole call into outcomes."""
        try:
            return call()
        except XeroAuthError:
            raise
        except XeroRetryableError as error:
            return [
                Outcome(
                    w,
                    "retry",
                    message=f"Xero was not available ({error}); trying again.",
                    outcome_unknown=error.outcome_unknown,
                    retry_after=error.retry_after,
                )
                for w in works
            ]
        except XeroNotFound as error:
            return [
                Outcome(w, "failed", code="not_found_in_xero", needs_admin=True,
                        message=f"{_cap(w.view.title)} is no longer in Xero ({error}). It may have been deleted there.")
                for w in works
            ]
        except XeroBadRequest as error:
            messages = getattr(error, "messages", None) or [str(error)]
            return [self._failure(w, list(messages)) for w in works]

    # --- collections: contacts, documents, bank transactions ---------------------------------

    def _collection_create(self, works: list[Work]) -> list[Outcome]:
        return self._collection_write(works, "create", "PUT", lambda w: to_wire(w.payload))

    def _collection_update(self, works: list[Work]) -> list[Outcome]:
        return self._collection_write(works, "update", "POST", lambda w: with_id(w.payload, w.view.xero_id))

    def _collection_void(self, works: list[Work]) -> list[Outcome]:
        return self._status_change(works, "void", "VOIDED")

    def _collection_delete(self, works: list[Work]) -> list[Outcome]:
        # Documents still in DRAFT/SUBMITTED in Xero are deleted, approved ones voided; bank
        # transactions are deleted (xero-facts §6.1, §6.4).
        return self._status_change(works, "delete", "DELETED")

    def _status_change(self, works: list[Work], operation: str, status: str) -> list[Outcome]:
        def element(work: Work) -> dict[str, Any]:
            collection = collection_of(work.view.entity)
            return {collection.id_field: work.view.xero_id, "Status": status}

        return self._collection_write(works, operation, "POST", element)

    def _collection_write(
        self, works: list[Work], operation: str, method: str, element: Callable[[Work], dict[str, Any]]
    ) -> list[Outcome]:
        outcomes: list[Outcome] = []
        by_collection: dict[str, list[Work]] = defaultdict(list)
        for work in works:
            by_collection[collection_of(work.view.entity).name].append(work)
        for group in by_collection.values():
            collection = collection_of(group[0].view.entity)
            if collection is CONTACTS and operation == "create":
                linked, group = self._link_existing_contacts(group)
                outcomes.extend(linked)
            for chunk in chunks(group, self.batch_size):
                claimed, lost, key = self._claim(list(chunk), operation)
                outcomes.extend(lost)
                if not claimed:
                    continue

                def send(claimed: list[Work] = claimed, key: str = key) -> list[Outcome]:
                    results = self.calls.write(method, collection, [element(w) for w in claimed], key=key)
                    return [self._element_outcome(w, r, collection) for w, r in zip(claimed, results, strict=True)]

                outcomes.extend(self._guarded(claimed, send))
        return outcomes

    def _element_outcome(self, work: Work, result: ElementResult, collection: Collection) -> Outcome:
        if result.saved:
            element = result.element
            message = "; ".join(result.warnings) or None
            return Outcome(work, "synced", xero_id=element.get(collection.id_field), refs=_refs(work, element), message=message)
        if work.operation is Operation.CREATE and collection is CONTACTS and _matches(result.errors, DUPLICATE_CONTACT_NAME):
            return self._link_contact_by_name(work)
        if work.operation is Operation.CREATE and collection in (INVOICES, CREDIT_NOTES) and _matches(result.errors, DUPLICATE_INVOICE_NUMBER):
            return self._link_duplicate_number(work, collection, result.errors)
        return self._failure(work, result.errors)

    # --- contact identity (F3.6) ---------------------------------------------------------------

    def _link_existing_contacts(self, works: list[Work]) -> tuple[list[Outcome], list[Work]]:
        """Before creating contacts, look for them in Xero by ContactNumber, then exact name,
        then email: an existing contact is linked, never duplicated (F3.6). One look-up call
        covers several contacts."""
        conditions = []
        for work in works:
            payload = work.payload
            conditions.append(f"ContactNumber=={quote(payload.ContactNumber)}" if payload.ContactNumber else None)
            conditions.append(f"Name=={quote(payload.Name)}")
            if payload.EmailAddress:
                conditions.append(f"EmailAddress=={quote(payload.EmailAddress)}")
        try:
            existing = self._existing_contacts([c for c in conditions if c])
        except XeroRetryableError as error:
            return [Outcome(w, "retry", message=str(error), retry_after=error.retry_after) for w in works], []
        by_number = {c.get("ContactNumber"): c for c in existing if c.get("ContactNumber")}
        by_name = {c.get("Name", "").casefold(): c for c in existing if c.get("ContactStatus", "ACTIVE") == "ACTIVE"}
        by_email: dict[str, dict[str, Any]] = {}
        for contact in existing:
            if contact.get("EmailAddress") and contact.get("ContactStatus", "ACTIVE") == "ACTIVE":
                by_email.setdefault(contact["EmailAddress"].casefold(), contact)
        outcomes, to_create = [], []
        for work in works:
            payload = work.payload
            match, how = None, ""
            if payload.ContactNumber and payload.ContactNumber in by_number:
                match, how = by_number[payload.ContactNumber], "contact number"
            elif payload.Name.casefold() in by_name:
                match, how = by_name[payload.Name.casefold()], "name"
            elif payload.EmailAddress and payload.EmailAddress.casefold() in by_email:
                match, how = by_email[payload.EmailAddress.casefold()], "email"
            if match is None:
                to_create.append(work)
                continue
            claimed, lost, _ = self._claim([work], "link")
            outcomes.extend(lost)
            if claimed:
                outcomes.append(self._linked(work, match, how))
        return outcomes, to_create

    def _existing_contacts(self, conditions: list[str]) -> list[dict[str, Any]]:
        """The tenant's contacts that may match: by targeted ``where`` queries, or — when the
        tenant has few contacts — by reading its whole contact list (summary only, 1000 a page),
        whichever takes fewer calls. A backfill of hundreds of new contacts into a young tenant
        then costs one call per batch instead of one per ten contacts."""
        where_calls = -(-len(conditions) // LOOKUP_CHUNK)
        if where_calls <= 1:
            return self.calls.find(CONTACTS, conditions)
        first, pages = self.calls.page(CONTACTS, 1, params={"summaryOnly": "true"})
        if pages - 1 >= where_calls:
            return self.calls.find(CONTACTS, conditions)
        contacts = list(first)
        for number in range(2, pages + 1):
            contacts.extend(self.calls.page(CONTACTS, number, params={"summaryOnly": "true"})[0])
        return contacts

    def _link_contact_by_name(self, work: Work) -> Outcome:
        """Xero refused the new contact because an active contact has that name: link it
        (a same-named contact never makes the export fail, F3.6)."""
        found = self.calls.find(CONTACTS, [f"Name=={quote(work.payload.Name)}"])
        active = [c for c in found if c.get("ContactStatus", "ACTIVE") == "ACTIVE"]
        if not active:
            return self._failure(work, [f"Xero reports a contact named {work.payload.Name!r} but it could not be found."])
        return self._linked(work, active[0], "name")

    def _linked(self, work: Work, contact: dict[str, Any], how: str) -> Outcome:
        return Outcome(
            work,
            "synced",
            xero_id=contact["ContactID"],
            refs={"name": contact.get("Name")},
            message=f"Linked to the existing Xero contact {contact.get('Name')!r} (same {how}).",
            linked_existing=True,
        )

    def _link_duplicate_number(self, work: Work, collection: Collection, errors: list[str]) -> Outcome:
        """The number is taken in Xero (F3.6). If that document is ours — same contact, same
        type, same total — link it; otherwise report it: never a second copy."""
        payload = work.payload
        number_field = "InvoiceNumber" if collection is INVOICES else "CreditNoteNumber"
        number = getattr(payload, number_field)
        found = self.calls.find(collection, [f"{number_field}=={quote(number)}"], extra={"Statuses": "DRAFT,SUBMITTED,AUTHORISED,PAID"})
        ours = [
            doc
            for doc in found
            if doc.get("Type") == payload.Type.value
            and (doc.get("Contact") or {}).get("ContactID") == payload.Contact.ContactID
        ]
        if ours:
            doc = ours[0]
            return Outcome(
                work,
                "synced",
                xero_id=doc[collection.id_field],
                refs=_refs(work, doc),
                message=f"Linked to {number}, which was already in Xero for the same contact.",
                linked_existing=True,
            )
        return Outcome(
            work,
            "failed",
            code="duplicate_number",
            needs_admin=True,
            message=(
                f"{_cap(work.view.title)}: the number {number} is already used by another document in Xero. "
                "Renumber one of them, then retry."
            ),
        )

    # --- payments and refunds ----------------------------------------------------------------

    def _payment_create(self, works: list[Work]) -> list[Outcome]:
        return self._collection_write(works, "create", "PUT", lambda w: to_wire(w.payload))

    def _payment_delete(self, works: list[Work]) -> list[Outcome]:
        outcomes = []
        for work in works:
            claimed, lost, key = self._claim([work], "delete")
            outcomes.extend(lost)
            if claimed:
                outcomes.extend(self._guarded(claimed, lambda work=work, key=key: [self._delete_payment(work, key)]))
        return outcomes

    def _delete_payment(self, work: Work, key: str) -> Outcome:
        try:
            result = self.calls.delete_payment(work.view.xero_id, key=key)
        except XeroBadRequest as error:
            current = self.calls.get_one(PAYMENTS, work.view.xero_id)
            if current and current.get("Status") == "DELETED":
                result = current  # already gone (e.g. deleted in Xero): the goal is reached
            else:
                return self._failure(work, list(getattr(error, "messages", None) or [str(error)]))
        return Outcome(work, "synced", xero_id=work.view.xero_id, refs={"status": result.get("Status", "DELETED")})

    def _payment_recreate(self, works: list[Work]) -> list[Outcome]:
        """Xero never edits a payment: delete the old one, then create the new (xero-facts §6.2)."""
        return self._remove_then_create(
            works,
            remove=self._delete_payment,
            kept_refs=lambda work: None,
            create=lambda ready: self._collection_write(ready, "create", "PUT", lambda w: to_wire(w.payload)),
        )

    def _remove_then_create(
        self,
        works: list[Work],
        *,
        remove: Callable[[Work, str], Outcome],
        kept_refs: Callable[[Work], dict | None],
        create: Callable[[list[Work]], list[Outcome]],
    ) -> list[Outcome]:
        """A re-creation, record by record: claim it, remove what is in Xero, forget the link
        (keeping ``kept_refs``), then create the new versions together. A record whose removal
        did not go through keeps that outcome and is not created."""
        outcomes, ready = [], []
        for work in works:
            claimed, lost, key = self._claim([work], "recreate")
            outcomes.extend(lost)
            if not claimed:
                continue
            removed = self._guarded(claimed, lambda work=work, key=key: [remove(work, key)])
            if removed[0].kind != "synced":
                outcomes.extend(removed)
                continue
            self.records.forget_link(work.view.key, owner=self.owner, xero_refs=kept_refs(work), now=self.now)
            ready.append(work)
        outcomes.extend(create(ready))
        return outcomes

    # --- allocations -------------------------------------------------------------------------

    def _allocation_create(self, works: list[Work]) -> list[Outcome]:
        outcomes = []
        by_note: dict[str, list[Work]] = defaultdict(list)
        for work in works:
            by_note[work.payload.credit_note_xero_id].append(work)
        for note_id, group in by_note.items():
            for chunk in chunks(group, self.batch_size):
                claimed, lost, key = self._claim(list(chunk), "create")
                outcomes.extend(lost)
                if not claimed:
                    continue

                def send(claimed: list[Work] = claimed, key: str = key, note_id: str = note_id) -> list[Outcome]:
                    bodies = [to_wire(a) for w in claimed for a in w.payload.body.Allocations]
                    results = self.calls.allocate(note_id, bodies, key=key)
                    return [self._allocation_outcome(w, r, note_id) for w, r in zip(claimed, results, strict=True)]

                outcomes.extend(self._guarded(claimed, send))
        return outcomes

    def _allocation_outcome(self, work: Work, result: ElementResult, note_id: str) -> Outcome:
        if not result.saved:
            return self._failure(work, result.errors)
        return Outcome(
            work,
            "synced",
            xero_id=result.element.get("AllocationID"),
            refs={"credit_note_id": note_id, "status": "AUTHORISED"},
        )

    def _allocation_delete(self, works: list[Work]) -> list[Outcome]:
        outcomes = []
        for work in works:
            claimed, lost, _ = self._claim([work], "delete")
            outcomes.extend(lost)
            if claimed:
                outcomes.extend(self._guarded(claimed, lambda work=work: [self._remove_allocation(work)]))
        return outcomes

    def _remove_allocation(self, work: Work) -> Outcome:
        note_id = work.view.refs.get("credit_note_id")
        allocation_id = work.view.xero_id
        try:
            self.calls.delete_allocation(note_id, allocation_id)
        except XeroNotFound:
            pass  # already removed
        return Outcome(work, "synced", xero_id=allocation_id, refs={"credit_note_id": note_id, "status": "DELETED"})

    def _allocation_recreate(self, works: list[Work]) -> list[Outcome]:
        outcomes, ready = [], []
        for work in works:
            claimed, lost, _ = self._claim([work], "recreate")
            outcomes.extend(lost)
            if not claimed:
                continue
            removed = self._guarded(claimed, lambda work=work: [self._remove_allocation(work)])
            if removed[0].kind != "synced":
                outcomes.extend(removed)
                continue
            self.records.forget_link(work.view.key, owner=self.owner, xero_refs=None, now=self.now)
            ready.append(work)
        outcomes.extend(self._allocation_create(ready))
        return outcomes

    # --- write-offs --------------------------------------------------------------------------

    def _write_off_create(self, works: list[Work], *, resume: bool = True) -> list[Outcome]:
        """Seed rows "Write off an invoice": a credit note on the write-off account, then its
        allocation to the invoice — two calls, with the note kept as progress in between so a
        retry allocates the same note instead of creating another. ``resume=False`` after the
        old write-off was undone (a recreate): the note in the refs read earlier is the voided
        one, a new note is needed."""
        outcomes: list[Outcome] = []
        claimed, lost, _ = self._claim(works, "create")
        outcomes.extend(lost)
        if not claimed:
            return outcomes
        to_note = [w for w in claimed if not (resume and w.view.refs.get("credit_note_id"))]
        notes: dict[str, str] = {w.view.key.record_key: w.view.refs["credit_note_id"] for w in claimed if w not in to_note}
        for chunk in chunks(to_note, self.batch_size):

            def send(chunk: list[Work] = list(chunk)) -> list[Outcome]:
                note_key = self._key("write-off-note", chunk)
                results = self.calls.write("PUT", CREDIT_NOTES, [to_wire(w.payload.credit_note) for w in chunk], key=note_key)
                done = []
                for work, result in zip(chunk, results, strict=True):
                    if result.saved:
                        note_id = result.element["CreditNoteID"]
                        notes[work.view.key.record_key] = note_id
                        self.records.save_progress(
                            work.view.key,
                            owner=self.owner,
                            xero_refs={"credit_note_id": note_id, "sequence": _sequence(work)},
                            now=self.now,
                        )
                    else:
                        done.append(self._failure(work, result.errors))
                return done

            outcomes.extend(self._guarded(list(chunk), send))
        failed = {id(o.work) for o in outcomes}
        for work in claimed:
            note_id = notes.get(work.view.key.record_key)
            if note_id is None or id(work) in failed:
                continue

            def allocate(work: Work = work, note_id: str = note_id) -> list[Outcome]:
                results = self.calls.allocate(
                    note_id, [to_wire(work.payload.allocation)], key=self._key("write-off-allocation", [work])
                )
                if not results or not results[0].saved:
                    return [self._failure(work, results[0].errors if results else ["no allocation returned"])]
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

            outcomes.extend(self._guarded([work], allocate))
        return outcomes

    def _write_off_delete(self, works: list[Work]) -> list[Outcome]:
        outcomes = []
        for work in works:
            claimed, lost, key = self._claim([work], "delete")
            outcomes.extend(lost)
            if claimed:
                outcomes.extend(self._guarded(claimed, lambda work=work, key=key: [self._undo_write_off(work, key)]))
        return outcomes

    def _undo_write_off(self, work: Work, key: str) -> Outcome:
        refs = work.view.refs
        note_id = refs.get("credit_note_id") or work.view.xero_id
        if refs.get("allocation_id"):
            try:
                self.calls.delete_allocation(note_id, refs["allocation_id"])
            except XeroNotFound:
                pass
        results = self.calls.write("POST", CREDIT_NOTES, [{"CreditNoteID": note_id, "Status": "VOIDED"}], key=key)
        if not results[0].saved:
            # An earlier attempt whose answer was lost may have voided it already (Xero then
            # refuses a second void): the goal is reached.
            current = self.calls.get_one(CREDIT_NOTES, note_id) or {}
            if current.get("Status") != "VOIDED":
                return self._failure(work, results[0].errors)
        return Outcome(work, "synced", xero_id=note_id, refs={**refs, "status": "VOIDED"})

    def _write_off_recreate(self, works: list[Work]) -> list[Outcome]:
        return self._remove_then_create(
            works,
            remove=self._undo_write_off,
            kept_refs=lambda work: {"sequence": _sequence(work)},
            create=lambda ready: self._write_off_create(ready, resume=False),
        )

    # --- failures ----------------------------------------------------------------------------

    def _failure(self, work: Work, messages: list[str]) -> Outcome:
        failure = classify(messages, label=work.view.title)
        return Outcome(work, "failed", code=failure.code, message=failure.message, needs_admin=True)


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
    return "collection"


def _pending_since(work: Work) -> str:
    """When the record last changed status (to pending, on a push, a retry or a wake-up)."""
    at = work.view.item.status_at
    return at.isoformat() if at is not None else ""


def _sequence(work: Work) -> int:
    number = work.payload.credit_note.CreditNoteNumber if work.payload is not None else ""
    suffix = number.rsplit("-WO", 1)[-1] if "-WO" in number else ""
    return int(suffix) if suffix.isdigit() else 1


def _refs(work: Work, element: dict[str, Any]) -> dict[str, Any]:
    """What to keep about the Xero record beside its id: its status, and for documents their
    number and contact (children need them: a write-off's credit note goes to the same contact)."""
    refs: dict[str, Any] = {}
    if element.get("Status"):
        refs["status"] = element["Status"]
    number = element.get("InvoiceNumber") or element.get("CreditNoteNumber")
    if number:
        refs["number"] = number
    contact = element.get("Contact") or {}
    if contact.get("ContactID"):
        refs["contact_id"] = contact["ContactID"]
    if work.view.entity is E.CONTACT and element.get("Name"):
        refs["name"] = element["Name"]
    return refs


def _matches(messages: Iterable[str], pattern) -> bool:
    return any(pattern.search(message) for message in messages)


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]

