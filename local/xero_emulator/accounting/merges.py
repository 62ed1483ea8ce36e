"""Merging two contacts, as a Xero user does in the web app (there is no API for it; the control
plane calls ``Books.merge_contact``). xero-facts §6.5: merged contacts expose ``MergedToContactID``.

What the merge does (Xero's help: the merged contact's transactions move to the contact kept, the
merged one is archived):

* every invoice, credit note and bank transaction of the merged contact now names the contact
  kept (their UpdatedDateUTC moves; INVOICE / CREDITNOTE webhook UPDATEs);
* its contact-group memberships pass to the contact kept;
* the merged contact becomes ARCHIVED with ``MergedToContactID``; the contact kept takes its
  customer/supplier roles; both get a CONTACT UPDATE event.

Which events Xero sends for a merge is not documented (UNCONFIRMED): the emulator sends an UPDATE
for every record whose UpdatedDateUTC moved.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from ..interfaces import AccountingRequest, ResourceEvent
from .context import RequestContext
from .ids import is_guid, normalise_guid

if TYPE_CHECKING:
    from .books import Books


class MergeRefused(ValueError):
    """The merge cannot be done (unknown contact, same contact, not active)."""

    def __init__(self, message: str, unknown: bool = False) -> None:
        super().__init__(message)
        self.unknown = unknown  # a contact id that does not exist (the control plane answers 404)


def merge_contact(books: Books, merged_id: str, into_id: str, now: datetime) -> list[ResourceEvent]:
    merged, kept = _contact(books, merged_id, "contact"), _contact(books, into_id, "into")
    if merged["ContactID"] == kept["ContactID"]:
        raise MergeRefused("a contact cannot be merged into itself")
    for contact, role in ((merged, "merged"), (kept, "kept")):
        if contact["ContactStatus"] != "ACTIVE":
            raise MergeRefused(f"the {role} contact {contact['Name']} is not ACTIVE")
    ctx = RequestContext(AccountingRequest("POST", "/_merge", {}, {}, None, now), "")

    moved: list[tuple[str, dict[str, Any]]] = [
        *(("INVOICE", document) for document in books.invoices.values()),
        *(("CREDITNOTE", document) for document in books.credit_notes.values()),
        *((None, document) for document in books.bank_transactions.values()),  # no webhooks (§8)
    ]
    for category, document in moved:
        if document.get("ContactID") != merged["ContactID"]:
            continue
        document["ContactID"] = kept["ContactID"]
        document["UpdatedDateUTC"] = now
        if category is not None:
            id_field = "InvoiceID" if category == "INVOICE" else "CreditNoteID"
            ctx.record_event(category, "UPDATE", document[id_field])

    for group in books.contact_groups.values():
        if merged["ContactID"] in group["ContactIDs"]:
            group["ContactIDs"].remove(merged["ContactID"])
            if kept["ContactID"] not in group["ContactIDs"]:
                group["ContactIDs"].append(kept["ContactID"])

    for role in ("IsCustomer", "IsSupplier"):
        if merged.get(role):
            kept[role] = True
    merged["ContactStatus"] = "ARCHIVED"
    merged["MergedToContactID"] = kept["ContactID"]
    for contact in (merged, kept):
        contact["UpdatedDateUTC"] = now
        ctx.record_event("CONTACT", "UPDATE", contact["ContactID"])
    books.last_now = max(books.last_now, now)
    return ctx.events


def _contact(books: Books, contact_id: str, label: str) -> dict[str, Any]:
    contact = books.contacts.get(normalise_guid(contact_id)) if is_guid(contact_id) else None
    if contact is None:
        raise MergeRefused(f"unknown {label} id {contact_id}", unknown=True)
    return contact
