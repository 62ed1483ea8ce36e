"""Checks on a change to an existing invoice or credit note: what may still be edited once money
has been applied to it (xero-facts §6.1 "Editing after payment")."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from . import documents, messages
from .parsing import Problems

if TYPE_CHECKING:
    from .books import Books
    from .document_api import DocumentKind

Record = dict[str, Any]


# Fields that may still change on a part- or fully-paid sales document (xero-facts §6.1).
_EDITABLE_AFTER_PAYMENT = {
    "Reference",
    "DueDate",
    "InvoiceNumber",
    "CreditNoteNumber",
    "BrandingThemeID",
    "Url",
    "SentToContact",
    "ExpectedPaymentDate",
    "PlannedPaymentDate",
    "UpdatedDateUTC",
    "Status",
}
_LINE_FIELDS_EDITABLE_AFTER_PAYMENT = {"Description", "AccountCode", "AccountID", "Tracking", "LineItemID"}
_ALWAYS_EDITABLE = {"SentToContact", "ExpectedPaymentDate", "PlannedPaymentDate", "UpdatedDateUTC", "Status"}


def check_edit_after_payment(
    books: Books,
    kind: DocumentKind,
    existing: Record,
    draft: Record,
    contact_choice: documents.ContactChoice | None,
    problems: Problems,
) -> None:
    """Once money is applied (payments, refunds, allocations) a sales document keeps its amounts;
    a purchase document cannot be edited at all."""
    cash, credit = kind.applied(books, existing)
    if cash + credit <= 0:
        return
    if existing["Type"] == kind.sales_type:
        editable = set(_EDITABLE_AFTER_PAYMENT)
        line_editable = _LINE_FIELDS_EDITABLE_AFTER_PAYMENT
        if credit == 0:
            editable.add("ContactID")  # the contact may change unless credit was applied
    else:
        editable, line_editable = set(_ALWAYS_EDITABLE), {"LineItemID"}
    new_contact = contact_choice.existing["ContactID"] if contact_choice and contact_choice.existing else None
    if contact_choice is not None and new_contact != existing["ContactID"] and "ContactID" not in editable:
        problems.add(messages.DOCUMENT_HAS_PAYMENT)
        return
    if _signature(existing, editable, line_editable) != _signature(draft, editable, line_editable):
        problems.add(messages.DOCUMENT_HAS_PAYMENT)


def _signature(document: Record, editable: set[str], line_editable: set[str]) -> tuple[Any, ...]:
    """What must stay the same: every field that is not editable, line by line (empty values
    and empty lists count as "not set")."""

    def meaningful(name: str, value: Any, skip: set[str]) -> bool:
        return name not in skip and value is not None and value != []

    skip = editable | {"LineItems", "ContactID"}
    fields = tuple((name, repr(value)) for name, value in sorted(document.items()) if meaningful(name, value, skip))
    lines = tuple(
        tuple((name, repr(value)) for name, value in sorted(line.items()) if meaningful(name, value, line_editable))
        for line in document["LineItems"]
    )
    return fields, lines
