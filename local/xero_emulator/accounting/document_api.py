"""The write and read flow shared by invoices and credit notes — they follow the same rules
(xero-facts §6.1, §6.3) with different field names, types and numbering, which ``DocumentKind``
describes. invoices.py and credit_notes.py hold what is particular to each.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from ..interfaces import AccountingResponse
from . import contacts, document_checks, documents, lines, locks, messages, money, query, wire
from .batch import Saved, run_batch
from .context import RequestContext
from .errors import ElementInvalid, not_found
from .ids import is_guid, normalise_guid
from .parsing import Element, Problems, elements_of, read_bool, read_guid, read_str

if TYPE_CHECKING:
    from .books import Books

Record = dict[str, Any]


@dataclass(frozen=True)
class DocumentKind:
    label: str  # for messages: "Invoice", "Credit Note"
    collection: str  # "Invoices"
    schema: str  # SPEC schema name, for where/order: "Invoice"
    id_field: str  # "InvoiceID"
    number_field: str  # "InvoiceNumber"
    sales_type: str  # "ACCREC" — unique numbers, Reference, discounts (invoices only)
    purchase_type: str  # "ACCPAY"
    number_prefix: str  # auto-numbering of the sales type: "INV-"
    event_category: str  # webhook category: "INVOICE"
    invalid_status_message: str
    duplicate_number_message: str
    discounts_allowed: bool
    due_date_required: bool
    store: Callable[[Books], dict[str, Record]]
    render: Callable[[Books, Record, RequestContext, str], Record]
    applied: Callable[[Books, Record], tuple[Decimal, Decimal]]  # (cash applied, credit applied)

    @property
    def types(self) -> tuple[str, str]:
        return (self.sales_type, self.purchase_type)


# --- reads ----------------------------------------------------------------------------------------------


def find(books: Books, kind: DocumentKind, key: str) -> Record | None:
    """By GUID or by document number (sales documents first: their numbers are unique)."""
    store = kind.store(books)
    if is_guid(key):
        return store.get(normalise_guid(key))
    matches = [d for d in store.values() if (d.get(kind.number_field) or "").lower() == key.strip().lower()]
    matches.sort(key=lambda d: (d["Type"] != kind.sales_type, d["CreatedDateUTC"]))
    return matches[0] if matches else None


def get_one(books: Books, ctx: RequestContext, kind: DocumentKind, key: str) -> AccountingResponse:
    document = find(books, kind, key)
    if document is None:
        raise not_found()
    return ctx.ok(kind.collection, [kind.render(books, document, ctx, "full")])


def list_documents(
    books: Books,
    ctx: RequestContext,
    kind: DocumentKind,
    records: list[Record],
    force_paging: bool,
    summary_only: bool = False,
) -> AccountingResponse:
    """``where`` → ``If-Modified-Since`` → ``order`` → paging. Without ``page`` the documents come
    without their lines and with a short contact (xero-facts §5)."""
    page = query.requested_page(ctx.query.get("page") or ("1" if force_paging else None), ctx.query.get("pageSize"))
    views = [kind.render(books, document, ctx, "full") for document in records]
    where = ctx.query.get("where")
    if where and where.strip():
        matches = query.compile_where(where, kind.schema)
        views = [v for v in views if matches(v)]
    views = query.modified_since(views, query.parse_if_modified_since(ctx.header("If-Modified-Since")))
    views = query.sort_records(views, ctx.query.get("order"), kind.schema, kind.id_field)
    extra: dict[str, Any] = {}
    if page:
        views, extra["pagination"] = query.paginate(views, page)
    if summary_only:
        views = [_summary(view) for view in views]
    elif not page:
        views = [_without_lines(books, view, ctx) for view in views]
    return ctx.ok(kind.collection, views, **extra)


def _without_lines(books: Books, view: Record, ctx: RequestContext) -> Record:
    reduced = dict(view)
    reduced["LineItems"] = []
    contact = books.contacts.get(view["Contact"]["ContactID"])
    if contact is not None:
        reduced["Contact"] = contacts.render_contact(books, contact, ctx, "short")
    return reduced


def _summary(view: Record) -> Record:
    """``summaryOnly=true`` drops Payments, HasAttachments, LineItems, CISDeduction (§5)."""
    reduced = dict(view)
    for field in ("Payments", "HasAttachments", "LineItems", "CISDeduction"):
        reduced.pop(field, None)
    contact = view.get("Contact") or {}
    reduced["Contact"] = {"ContactID": contact.get("ContactID"), "Name": contact.get("Name")}
    return reduced


# --- writes ---------------------------------------------------------------------------------------------


def create_many(books: Books, ctx: RequestContext, kind: DocumentKind) -> AccountingResponse:
    """PUT: create only. Client-supplied ids are ignored; Xero assigns new ones (§3.1)."""
    elements = elements_of(ctx.request.body, kind.collection)
    return run_batch(ctx, elements, lambda e: save(books, ctx, kind, e, None), kind.collection, "HasErrors")


def upsert_many(books: Books, ctx: RequestContext, kind: DocumentKind) -> AccountingResponse:
    """POST: an element with a known id, or a sales document's existing number, updates it."""
    elements = elements_of(ctx.request.body, kind.collection)

    def process(element: Element) -> Saved:
        return save(books, ctx, kind, element, _match_existing(books, kind, element))

    return run_batch(ctx, elements, process, kind.collection, "HasErrors")


def update_one(books: Books, ctx: RequestContext, kind: DocumentKind, key: str) -> AccountingResponse:
    """POST /{Collection}/{id or number}: update that document with the first element sent."""
    document = find(books, kind, key)
    if document is None:
        raise not_found()
    elements = elements_of(ctx.request.body, kind.collection)[:1]
    return run_batch(ctx, elements, lambda e: save(books, ctx, kind, e, document), kind.collection, "HasErrors")


def _match_existing(books: Books, kind: DocumentKind, element: Element) -> Record | None:
    sent_id = element.get(kind.id_field)
    if sent_id:
        document = kind.store(books).get(normalise_guid(sent_id)) if is_guid(sent_id) else None
        if document is None:
            message = messages.EXISTING_NOT_FOUND.format(kind=kind.label, id_field=kind.id_field)
            raise ElementInvalid([message], {kind.id_field: wire.ZERO_GUID})
        return document
    number = element.get(kind.number_field)
    sent_type = str(element.get("Type") or kind.sales_type).strip().upper()
    if isinstance(number, str) and number.strip() and sent_type == kind.sales_type:
        for document in kind.store(books).values():
            if (
                document["Type"] == kind.sales_type
                and (document.get(kind.number_field) or "").lower() == number.strip().lower()
            ):
                return document
    return None


def save(books: Books, ctx: RequestContext, kind: DocumentKind, element: Element, existing: Record | None) -> Saved:
    """Validate one element completely, then create or update the document (or raise
    ``ElementInvalid`` having changed nothing)."""
    problems = Problems()
    warnings: list[str] = []
    creating = existing is None
    draft: Record = copy.deepcopy(existing) if existing else _blank(books, ctx, kind)

    _read_type(kind, element, draft, creating, problems)
    status = _read_status_change(books, kind, element, existing, problems)
    contact_choice = None
    if creating or element.has("Contact"):
        current = existing["ContactID"] if existing else None
        contact_choice = documents.read_contact(books, element.child("Contact"), problems, current)
    _read_header_fields(books, ctx, kind, element, draft, problems, warnings)
    draft["CurrencyCode"], draft["CurrencyRate"] = documents.read_currency(books, element, existing, problems)

    previous_lat = draft["LineAmountTypes"]
    draft["LineAmountTypes"] = lines.read_line_amount_types(element, previous_lat, problems)
    side = "purchases" if draft["Type"] == kind.purchase_type else "sales"
    rules = lines.LineRules(allow_discounts=kind.discounts_allowed and draft["Type"] == kind.sales_type, side=side)
    line_elements = element.children("LineItems")
    if line_elements is not None:
        draft["LineItems"] = lines.read_line_items(
            books, ctx, line_elements, draft["LineItems"], draft["LineAmountTypes"], rules, problems
        )
    elif draft["LineItems"] and draft["LineAmountTypes"] != previous_lat:
        draft["LineItems"] = lines.recompute_lines(books, draft["LineItems"], draft["LineAmountTypes"], rules, problems)
    if not draft["LineItems"]:
        problems.add(messages.LINE_ITEMS_REQUIRED)
    _apply_totals(draft, element, warnings)

    if status is not None:
        draft["Status"] = status
    _check_status_requirements(books, kind, draft, contact_choice, problems)
    _check_number_unique(books, kind, draft, problems)
    if existing is not None:
        document_checks.check_edit_after_payment(books, kind, existing, draft, contact_choice, problems)
    if creating or draft != existing or _contact_changes(existing, contact_choice):
        locks.check_posted(books, problems, existing, draft)

    if problems:
        raise ElementInvalid(list(problems), _echo(kind, draft, contact_choice, creating))

    if contact_choice is not None:
        draft["ContactID"] = documents.commit_contact(books, ctx, contact_choice)
    if kind.event_category == "INVOICE":
        contacts.mark_role(books.contacts[draft["ContactID"]], draft["Type"])
    if creating and draft["Type"] == kind.sales_type and not draft.get(kind.number_field):
        draft[kind.number_field] = next_number(books, kind)
    _remember_number(books, kind, draft)
    # A save that changes nothing neither moves UpdatedDateUTC nor sends a webhook.
    if creating or draft != existing:
        draft["UpdatedDateUTC"] = ctx.now
        ctx.record_event(kind.event_category, "CREATE" if creating else "UPDATE", draft[kind.id_field])
    kind.store(books)[draft[kind.id_field]] = draft
    settle(books, ctx, kind, draft)
    return Saved(kind.render(books, draft, ctx, "full"), warnings)


def _contact_changes(existing: Record | None, choice: documents.ContactChoice | None) -> bool:
    if existing is None or choice is None:
        return False
    return choice.existing is None or choice.existing["ContactID"] != existing["ContactID"]


def _blank(books: Books, ctx: RequestContext, kind: DocumentKind) -> Record:
    return {
        kind.id_field: books.ids.new(kind.event_category.lower()),
        "Type": None,
        "ContactID": None,
        kind.number_field: None,
        "Date": ctx.now.date(),
        "Status": "DRAFT",
        "LineAmountTypes": money.EXCLUSIVE,  # default for invoices and credit notes (§6.1)
        "LineItems": [],
        "CurrencyCode": books.base_currency,
        "CurrencyRate": Decimal(1),
        "SentToContact": False,
        "CreatedDateUTC": ctx.now,
        "UpdatedDateUTC": ctx.now,
    }


def _read_type(kind: DocumentKind, element: Element, draft: Record, creating: bool, problems: Problems) -> None:
    allowed = " or ".join(kind.types)
    value = element.get("Type")
    if value is None or value == "":
        if creating:
            problems.add(messages.TYPE_REQUIRED.format(kind=kind.label, allowed=allowed))
        return
    sent = str(value).strip().upper()
    if sent not in kind.types:
        problems.add(messages.TYPE_INVALID.format(kind=kind.label, value=value, allowed=allowed))
        return
    if not creating and sent != draft["Type"]:
        problems.add(messages.TYPE_CHANGE.format(kind=kind.label))
        return
    draft["Type"] = sent


def _read_status_change(
    books: Books, kind: DocumentKind, element: Element, existing: Record | None, problems: Problems
) -> str | None:
    """The status machine of §6.1: creates start as DRAFT, SUBMITTED or AUTHORISED; VOIDED and
    DELETED are final; PAID is set by Xero; AUTHORISED may only become VOIDED, and only without
    payments or allocations."""
    requested = documents.read_status(element, problems, kind.label)
    if existing is None:
        if requested is not None and requested not in documents.CREATE_STATUSES:
            problems.add(messages.INVALID_CREATE_STATUS.format(kind=kind.label, status=requested))
            return None
        return requested
    current = existing["Status"]
    if current in ("VOIDED", "DELETED"):
        problems.add(kind.invalid_status_message)
        return None
    if requested is None or requested == current:
        return None
    if not documents.transition_allowed(current, requested):
        problems.add(kind.invalid_status_message)
        return None
    if requested == "VOIDED" and sum(kind.applied(books, existing)) > 0:
        problems.add(messages.DOCUMENT_HAS_PAYMENT)
        return None
    return requested


def _read_header_fields(
    books: Books,
    ctx: RequestContext,
    kind: DocumentKind,
    element: Element,
    draft: Record,
    problems: Problems,
    warnings: list[str],
) -> None:
    for name, value in documents.read_dates(
        element, problems, "Date", "DueDate", "ExpectedPaymentDate", "PlannedPaymentDate"
    ).items():
        if name == "Date" and value is None:
            continue  # Date defaults to today
        draft[name] = value
    if element.has(kind.number_field):
        number = read_str(element, kind.number_field, problems, max_length=255)
        draft[kind.number_field] = number.strip() if number and number.strip() else draft.get(kind.number_field)
    if element.present("Reference"):
        reference = read_str(element, "Reference", problems, max_length=255)
        if draft["Type"] == kind.purchase_type:
            # Reference exists on sales documents only; Xero drops it on bills (§6.1, §10).
            warnings.append(messages.REFERENCE_IGNORED.format(field=kind.number_field))
        else:
            draft["Reference"] = reference
    if element.has("Url"):
        draft["Url"] = read_str(element, "Url", problems, max_length=2000)
    if element.has("BrandingThemeID"):
        draft["BrandingThemeID"] = read_guid(element, "BrandingThemeID", problems)
    if element.present("SentToContact"):
        draft["SentToContact"] = bool(read_bool(element, "SentToContact", problems))


def _apply_totals(draft: Record, element: Element, warnings: list[str]) -> None:
    result = lines.totals(draft["LineItems"], draft["LineAmountTypes"])
    draft["SubTotal"], draft["TotalTax"], draft["Total"] = result.sub_total, result.total_tax, result.total
    draft["TotalDiscount"] = lines.total_discount(draft["LineItems"])
    sent_total = element.get("Total")
    if sent_total is not None:
        try:
            sent = money.round_money(wire.parse_decimal(sent_total))
        except ValueError:
            return
        if sent != result.total:  # "ignored if it doesn't equal the sum of the LineAmounts" (SPEC)
            warnings.append(messages.TOTAL_IGNORED.format(sent=sent, total=result.total))


def _check_status_requirements(
    books: Books,
    kind: DocumentKind,
    draft: Record,
    contact_choice: documents.ContactChoice | None,
    problems: Problems,
) -> None:
    if draft["Status"] not in ("SUBMITTED", "AUTHORISED"):
        if draft.get("SentToContact") and draft["Status"] == "DRAFT":
            problems.add(messages.SENT_TO_CONTACT_DRAFT)
        return
    if kind.due_date_required and draft.get("DueDate") is None:
        contact = contact_choice.existing if contact_choice else books.contacts.get(draft["ContactID"] or "")
        side = "Sales" if draft["Type"] == kind.sales_type else "Bills"
        terms = ((contact or {}).get("PaymentTerms") or {}).get(side) or (
            books.organisation.get("PaymentTerms") or {}
        ).get(side)
        draft["DueDate"] = documents.due_date_from_terms(draft["Date"], terms)
        if draft["DueDate"] is None:
            problems.add(messages.DUE_DATE_REQUIRED.format(kind=kind.label.lower()))
    if draft["Status"] == "AUTHORISED":
        lines.require_coding(draft["LineItems"], draft["LineAmountTypes"], problems)
    if draft["Total"] < 0:
        problems.add(f"The total of an approved {kind.label.lower()} cannot be negative.")


def _check_number_unique(books: Books, kind: DocumentKind, draft: Record, problems: Problems) -> None:
    """Sales document numbers are unique; purchase numbers are not (§6.1, §6.3)."""
    number = (draft.get(kind.number_field) or "").lower()
    if draft["Type"] != kind.sales_type or not number:
        return
    for other in kind.store(books).values():
        if (
            other[kind.id_field] != draft[kind.id_field]
            and other["Type"] == kind.sales_type
            and (other.get(kind.number_field) or "").lower() == number
        ):
            problems.add(kind.duplicate_number_message)
            return


def _echo(kind: DocumentKind, draft: Record, contact_choice: documents.ContactChoice | None, creating: bool) -> Record:
    """A failed element as Xero echoes it: what it understood, with the computed amounts."""
    contact: Record = {}
    if contact_choice is not None and contact_choice.existing is not None:
        contact = {"ContactID": contact_choice.existing["ContactID"], "Name": contact_choice.existing["Name"]}
    elif contact_choice is not None:
        contact = {"ContactID": wire.ZERO_GUID, "Name": contact_choice.new_name}
    elif draft.get("ContactID"):
        contact = {"ContactID": draft["ContactID"]}
    echo: Record = {
        "Type": draft.get("Type"),
        kind.id_field: wire.ZERO_GUID if creating else draft[kind.id_field],
        kind.number_field: draft.get(kind.number_field),
        "Reference": draft.get("Reference"),
        "Contact": contact or None,
        "Date": draft.get("Date"),
        "DueDate": draft.get("DueDate"),
        "Status": draft.get("Status"),
        "LineAmountTypes": draft.get("LineAmountTypes"),
        "LineItems": lines.render_lines(draft.get("LineItems", []), 4),
        "SubTotal": draft.get("SubTotal"),
        "TotalTax": draft.get("TotalTax"),
        "Total": draft.get("Total"),
        "CurrencyCode": draft.get("CurrencyCode"),
        "CurrencyRate": draft.get("CurrencyRate"),
    }
    return echo


# --- numbering and settlement -------------------------------------------------------------------------------

_NUMBERED = re.compile(r"^(?P<prefix>.*?)(?P<digits>\d+)$")


def next_number(books: Books, kind: DocumentKind) -> str:
    """Xero's automatic numbering ("INV-0001" …): one more than the highest number used so far."""
    return f"{kind.number_prefix}{books.highest_numbers.get(kind.collection, 0) + 1:04d}"


def _remember_number(books: Books, kind: DocumentKind, document: Record) -> None:
    """Keep the highest "<prefix><digits>" sales number seen, for next_number."""
    number = document.get(kind.number_field) or ""
    if document["Type"] != kind.sales_type or not number.upper().startswith(kind.number_prefix.upper()):
        return
    match = _NUMBERED.match(number[len(kind.number_prefix) :])
    if match and not match["prefix"]:
        highest = books.highest_numbers.get(kind.collection, 0)
        books.highest_numbers[kind.collection] = max(highest, int(match["digits"]))


def settle(books: Books, ctx: RequestContext, kind: DocumentKind, document: Record) -> None:
    """Xero moves an approved document to PAID when nothing is left to pay or credit, and back
    to AUTHORISED when a payment or allocation is removed (§6.2, §6.3)."""
    cash, credit = kind.applied(books, document)
    outstanding = document["Total"] - cash - credit
    changed = False
    if document["Status"] == "AUTHORISED" and outstanding <= 0:
        document["Status"] = "PAID"
        document["FullyPaidOnDate"] = _last_settlement_date(books, document[kind.id_field]) or document["Date"]
        changed = True
    elif document["Status"] == "PAID" and outstanding > 0:
        document["Status"] = "AUTHORISED"
        document.pop("FullyPaidOnDate", None)
        changed = True
    if changed:
        document["UpdatedDateUTC"] = ctx.now
        ctx.record_event(kind.event_category, "UPDATE", document[kind.id_field])


def _last_settlement_date(books: Books, document_id: str) -> date | None:
    dates = [p["Date"] for p in books.active_payments_of(document_id)]
    dates += [a["Date"] for a in books.allocations_of(document_id)]
    return max(dates) if dates else None


def touch(ctx: RequestContext, kind: DocumentKind, document: Record) -> None:
    """A payment or allocation changed the document's balance: its journal changed, so its
    ``UpdatedDateUTC`` moves and a webhook UPDATE goes out."""
    document["UpdatedDateUTC"] = ctx.now
    ctx.record_event(kind.event_category, "UPDATE", document[kind.id_field])
