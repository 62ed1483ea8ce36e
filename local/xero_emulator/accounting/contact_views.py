"""How Xero shows a contact: full, nested in a document, short, or reduced for lists and
``summaryOnly`` (SPEC ``Contact``), with balances derived from the documents."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from . import money
from .context import RequestContext

if TYPE_CHECKING:
    from .books import Books

STANDARD_PHONE_SLOTS = ("DEFAULT", "DDI", "FAX", "MOBILE")  # responses always show these four

# Simple text fields: name → max length (SPEC Contact).
TEXT_FIELDS = {
    "FirstName": 255,
    "LastName": 255,
    "CompanyNumber": 50,
    "BankAccountDetails": 255,
    "TaxNumber": 50,
    "Website": 255,
    "XeroNetworkKey": 255,
}


def render_contact(
    books: Books,
    contact: dict[str, Any],
    ctx: RequestContext,
    detail: str,
    precomputed: dict[str, dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """A contact in Xero's shape. ``detail``: ``full`` (GET one, paged lists, writes), ``nested``
    (inside a document: no balances) or ``short`` (inside an unpaged document list)."""
    if detail == "short":
        return {
            "ContactID": contact["ContactID"],
            "Name": contact["Name"],
            "Addresses": [],
            "Phones": [],
            "ContactGroups": [],
            "ContactPersons": [],
            "HasValidationErrors": False,
        }
    view: dict[str, Any] = {
        "ContactID": contact["ContactID"],
        "MergedToContactID": contact.get("MergedToContactID"),
        "ContactNumber": contact.get("ContactNumber"),
        "AccountNumber": contact.get("AccountNumber"),
        "ContactStatus": contact["ContactStatus"],
        "Name": contact["Name"],
    }
    for field in (*TEXT_FIELDS, "EmailAddress", "AccountsReceivableTaxType", "AccountsPayableTaxType"):
        view[field] = contact.get(field)
    view["Addresses"] = [
        {
            "AddressType": kind,
            "City": "",
            "Region": "",
            "PostalCode": "",
            "Country": "",
            **contact["Addresses"].get(kind, {}),
        }
        for kind in ("STREET", "POBOX")
    ]
    slots = list(STANDARD_PHONE_SLOTS) + [k for k in contact["Phones"] if k not in STANDARD_PHONE_SLOTS]
    view["Phones"] = [
        {
            "PhoneType": kind,
            "PhoneNumber": "",
            "PhoneAreaCode": "",
            "PhoneCountryCode": "",
            **contact["Phones"].get(kind, {}),
        }
        for kind in slots
    ]
    view["UpdatedDateUTC"] = contact["UpdatedDateUTC"]
    view["ContactGroups"] = [
        {"ContactGroupID": g["ContactGroupID"], "Name": g["Name"], "Status": g["Status"], "Contacts": []}
        for g in books.contact_groups.values()
        if g["Status"] == "ACTIVE" and contact["ContactID"] in g["ContactIDs"]
    ]
    view["IsSupplier"] = contact.get("IsSupplier", False)
    view["IsCustomer"] = contact.get("IsCustomer", False)
    for field in (
        "DefaultCurrency",
        "SalesDefaultAccountCode",
        "PurchasesDefaultAccountCode",
        "SalesDefaultLineAmountType",
        "PurchasesDefaultLineAmountType",
    ):
        view[field] = contact.get(field)
    view["SalesTrackingCategories"] = []
    view["PurchasesTrackingCategories"] = []
    if contact.get("PaymentTerms"):
        view["PaymentTerms"] = contact["PaymentTerms"]
    view["ContactPersons"] = [dict(person) for person in contact["ContactPersons"]]
    view["HasAttachments"] = False
    view["HasValidationErrors"] = False
    if detail == "full":
        balances = precomputed if precomputed is not None else all_balances(books, ctx, contact["ContactID"])
        view["Balances"] = balances.get(contact["ContactID"]) or _zero_balances()
    return view


def mark_role(contact: dict[str, Any], invoice_type: str) -> None:
    """IsCustomer / IsSupplier are set by Xero once a sales / purchase invoice names the contact.
    Changing them does not move the contact's UpdatedDateUTC (xero-facts §5 "Blind spots")."""
    if invoice_type == "ACCREC":
        contact["IsCustomer"] = True
    elif invoice_type == "ACCPAY":
        contact["IsSupplier"] = True


def _zero_balances() -> dict[str, Any]:
    return {
        side: {"Outstanding": money.ZERO, "Overdue": money.ZERO} for side in ("AccountsReceivable", "AccountsPayable")
    }


def all_balances(books: Books, ctx: RequestContext, only: str | None = None) -> dict[str, dict[str, Any]]:
    """Per contact: outstanding and overdue amounts of approved invoices, less unapplied credit
    (raw, not converted to the base currency — SPEC ``Balances``)."""
    today = ctx.now.date()
    result: dict[str, dict[str, Any]] = {}
    for invoice in books.invoices.values():
        if invoice["Status"] != "AUTHORISED" or (only and invoice["ContactID"] != only):
            continue
        side = result.setdefault(invoice["ContactID"], _zero_balances())[_SIDE[invoice["Type"]]]
        due = books.invoice_amounts(invoice)[2]
        side["Outstanding"] += due
        if invoice.get("DueDate") and invoice["DueDate"] < today:
            side["Overdue"] += due
    for credit_note in books.credit_notes.values():
        if credit_note["Status"] != "AUTHORISED" or (only and credit_note["ContactID"] != only):
            continue
        side = result.setdefault(credit_note["ContactID"], _zero_balances())[_SIDE[credit_note["Type"]]]
        side["Outstanding"] -= books.credit_note_amounts(credit_note)[2]
    return result


_SIDE = {
    "ACCREC": "AccountsReceivable",
    "ACCRECCREDIT": "AccountsReceivable",
    "ACCPAY": "AccountsPayable",
    "ACCPAYCREDIT": "AccountsPayable",
}


_SUMMARY_DROPS = (
    "Addresses",
    "Balances",
    "ContactGroups",
    "ContactPersons",
    "IsCustomer",
    "IsSupplier",
    "SalesDefaultAccountCode",
    "PurchasesDefaultAccountCode",
    "SalesTrackingCategories",
    "PurchasesTrackingCategories",
    "PaymentTerms",
)


def reduce_view(view: dict[str, Any], detail: str) -> dict[str, Any]:
    """``summaryOnly`` drops the heavy fields; an unpaged list drops what Xero only returns with
    paging or a fetch by id (SPEC ``SalesDefaultLineAmountType``)."""
    reduced = dict(view)
    drops: tuple[str, ...] = _SUMMARY_DROPS if detail == "summary" else ()
    if detail == "list":
        # "Only returned when using paging or when fetching a contact by ContactId" (SPEC)
        drops = ("SalesDefaultLineAmountType", "PurchasesDefaultLineAmountType", "MergedToContactID")
    for field in drops:
        reduced.pop(field, None)
    return reduced
