"""Contact identity (F3.6): a record already in Xero is linked, never created a second time.

* Before contacts are created, they are looked for by ContactNumber, then exact name, then
  email; a match is linked instead of created.
* Xero refusing a new contact for its name (an active contact has it) links that contact.
* Xero refusing a document's number: the document is linked when it is ours (same contact, type
  and total), otherwise the record fails for the admin to renumber — never a second copy.
* Archived and merged contacts, explicitly: the ContactNumber look-up includes archived contacts
  (``includeArchived``). A contact merged in Xero into another (``MergedToContactID``, xero-facts
  §6.5) is followed to the contact kept; one archived without a merge is not linked, and the
  record fails saying so (restore it in Xero) — rather than a second contact with the same number
  or a document Xero refuses. A document Xero refuses because its contact was merged since it
  was linked relinks the host contact to the surviving contact and goes again.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from xero_sync.domain.dependencies import ParentLink
from xero_sync.services.export.calls import CONTACTS, INVOICES, LOOKUP_CHUNK, Collection, XeroCalls, quote
from xero_sync.services.export.outcome import Outcome, capitalised, failed, refs_of
from xero_sync.services.export.plan import Work
from xero_sync.xero.errors import XeroRetryableError

Claim = Callable[[list[Work], str], tuple[list[Work], list[Outcome], str]]
"""Claim records for an operation: (claimed, outcomes of those someone else holds, idempotency key)."""


def _active(contact: dict[str, Any]) -> bool:
    return contact.get("ContactStatus", "ACTIVE") == "ACTIVE"


ARCHIVED_CONTACT = re.compile(r"contact .* is archived|archived contact", re.I)
INCLUDE_ARCHIVED = {"includeArchived": "true"}
Relink = Callable[[str, ParentLink, str], None]
"""Point a host contact's link at another Xero contact (the one kept by a merge)."""


def archived_outcome(work: Work, contact: dict[str, Any]) -> Outcome:
    name = contact.get("Name") or contact.get("ContactID")
    return Outcome(
        work,
        "failed",
        code="contact_archived",
        needs_admin=True,
        message=(
            f"{capitalised(work.view.title)}: its contact '{name}' is archived in Xero, which takes no transactions "
            "for an archived contact. Restore the contact in Xero (Contacts → the contact → Restore), or merge it "
            "into the contact to use, then retry."
        ),
    )


@dataclass(frozen=True)
class _KnownContacts:
    """Xero's contacts that may match, indexed the ways a host contact is matched."""

    by_number: dict[str, dict[str, Any]]
    by_name: dict[str, dict[str, Any]]
    by_email: dict[str, dict[str, Any]]

    @classmethod
    def of(cls, contacts: Iterable[dict[str, Any]]) -> _KnownContacts:
        contacts = list(contacts)
        by_email: dict[str, dict[str, Any]] = {}
        for contact in contacts:
            if contact.get("EmailAddress") and _active(contact):
                by_email.setdefault(contact["EmailAddress"].casefold(), contact)
        return cls(
            by_number={c["ContactNumber"]: c for c in contacts if c.get("ContactNumber")},
            by_name={c.get("Name", "").casefold(): c for c in contacts if _active(c)},
            by_email=by_email,
        )

    def match(self, payload: Any) -> tuple[dict[str, Any], str] | None:
        """The contact the host contact is, and by what: contact number (archived ones too: the
        caller follows a merge or refuses), then the name or email of an active contact."""
        if payload.ContactNumber and payload.ContactNumber in self.by_number:
            return self.by_number[payload.ContactNumber], "contact number"
        if payload.Name.casefold() in self.by_name:
            return self.by_name[payload.Name.casefold()], "name"
        if payload.EmailAddress and payload.EmailAddress.casefold() in self.by_email:
            return self.by_email[payload.EmailAddress.casefold()], "email"
        return None


def _lookup_conditions(works: Iterable[Work]) -> list[str]:
    """The ``where`` clauses that find the contacts ``works`` may already be in Xero as."""
    conditions = []
    for work in works:
        payload = work.payload
        if payload.ContactNumber:
            conditions.append(f"ContactNumber=={quote(payload.ContactNumber)}")
        conditions.append(f"Name=={quote(payload.Name)}")
        if payload.EmailAddress:
            conditions.append(f"EmailAddress=={quote(payload.EmailAddress)}")
    return conditions


def linked(work: Work, contact: dict[str, Any], how: str) -> Outcome:
    return Outcome(
        work,
        "synced",
        xero_id=contact["ContactID"],
        refs={"name": contact.get("Name")},
        message=f"Linked to the existing Xero contact {contact.get('Name')!r} (same {how}).",
        linked_existing=True,
        element=contact,
    )


@dataclass
class ContactLinks:
    calls: XeroCalls
    claim: Claim

    def link_existing(self, works: list[Work]) -> tuple[list[Outcome], list[Work]]:
        """Before creating contacts, link those already in Xero (one look-up call covers several
        contacts). Returns the outcomes of the linked ones and the works still to create."""
        try:
            known = _KnownContacts.of(self._existing(_lookup_conditions(works)))
        except XeroRetryableError as error:
            return [Outcome(w, "retry", message=str(error), retry_after=error.retry_after) for w in works], []
        outcomes: list[Outcome] = []
        to_create: list[Work] = []
        for work in works:
            match = known.match(work.payload)
            if match is None:
                to_create.append(work)
                continue
            claimed, lost, _ = self.claim([work], "link")
            outcomes.extend(lost)
            if claimed:
                outcomes.append(self._link_or_refuse(work, *match))
        return outcomes, to_create

    def _link_or_refuse(self, work: Work, contact: dict[str, Any], how: str) -> Outcome:
        """Link an active contact; follow a merged one to the contact kept; refuse an archived one."""
        if _active(contact):
            return linked(work, contact, how)
        survivor_id = contact.get("MergedToContactID")
        survivor = self.calls.get_one(CONTACTS, survivor_id) if survivor_id else None
        if survivor is not None and _active(survivor):
            outcome = linked(work, survivor, how)
            outcome.message = (
                f"Linked to the Xero contact {survivor.get('Name')!r}, into which the contact with the same {how} "
                f"({contact.get('Name')!r}) was merged in Xero."
            )
            return outcome
        return archived_outcome(work, contact)

    def follow_merge(self, work: Work, relink: Relink) -> Outcome:
        """Xero refused a transaction because its contact is archived: if the contact was merged
        into another, relink the host contact to that one and send the record again; otherwise the
        admin must restore it."""
        contact_id = work.payload.Contact.ContactID if work.payload is not None else None
        contact = self.calls.get_one(CONTACTS, contact_id) if contact_id else None
        parent = next((link for link in work.links.values() if link.entity.value == "contact"), None)
        survivor_id = (contact or {}).get("MergedToContactID")
        if contact is None or parent is None:
            return failed(work, [f"Xero reports the contact {contact_id} archived but it could not be read."])
        if not survivor_id:
            return archived_outcome(work, contact)
        relink(work.view.key.org_id, parent, survivor_id)
        return Outcome(
            work,
            "retry",
            message=f"The contact {contact.get('Name')!r} was merged into another in Xero; the host contact now "
            "points to the contact kept, and the record is sent again.",
        )

    def _existing(self, conditions: list[str]) -> list[dict[str, Any]]:
        """The tenant's contacts that may match: by targeted ``where`` queries, or — when the
        tenant has few contacts — by reading its whole contact list (summary only, 1000 a page),
        whichever takes fewer calls. A backfill of hundreds of new contacts into a young tenant
        then costs one call per batch instead of one per ten contacts."""
        where_calls = -(-len(conditions) // LOOKUP_CHUNK)
        if where_calls <= 1:
            return self.calls.find(CONTACTS, conditions, extra=INCLUDE_ARCHIVED)
        summary = {"summaryOnly": "true", **INCLUDE_ARCHIVED}
        first, pages = self.calls.page(CONTACTS, 1, params=summary)
        if pages - 1 >= where_calls:
            return self.calls.find(CONTACTS, conditions, extra=INCLUDE_ARCHIVED)
        contacts = list(first)
        for number in range(2, pages + 1):
            contacts.extend(self.calls.page(CONTACTS, number, params=summary)[0])
        return contacts

    def link_by_name(self, work: Work) -> Outcome:
        """Xero refused the new contact because an active contact has that name: link it
        (a same-named contact never makes the export fail, F3.6)."""
        found = self.calls.find(CONTACTS, [f"Name=={quote(work.payload.Name)}"])
        active = [c for c in found if _active(c)]
        if not active:
            return failed(work, [f"Xero reports a contact named {work.payload.Name!r} but it could not be found."])
        return linked(work, active[0], "name")

    def link_duplicate_number(self, work: Work, collection: Collection) -> Outcome:
        """The number is taken in Xero (F3.6). If that document is ours — same contact, same
        type, same total — link it; otherwise report it: never a second copy."""
        payload = work.payload
        number_field = "InvoiceNumber" if collection is INVOICES else "CreditNoteNumber"
        number = getattr(payload, number_field)
        found = self.calls.find(
            collection, [f"{number_field}=={quote(number)}"], extra={"Statuses": "DRAFT,SUBMITTED,AUTHORISED,PAID"}
        )
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
                refs=refs_of(work, doc),
                message=f"Linked to {number}, which was already in Xero for the same contact.",
                linked_existing=True,
                element=doc,
            )
        return Outcome(
            work,
            "failed",
            code="duplicate_number",
            needs_admin=True,
            message=(
                f"{capitalised(work.view.title)}: the number {number} is already used by another document in Xero. "
                "Renumber one of them, then retry."
            ),
        )
