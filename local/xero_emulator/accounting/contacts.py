"""Contacts (xero-facts §6.5; SPEC ``Contact``, ``createContacts``, ``updateOrCreateContacts``,
``updateContact``, ``getContacts``, ``getContact``)."""

from __future__ import annotations

import copy
import re
from typing import TYPE_CHECKING, Any

from ..interfaces import AccountingResponse
from . import messages, query
from .batch import Saved, run_batch
from .contact_views import TEXT_FIELDS, all_balances, mark_role, reduce_view, render_contact
from .context import RequestContext
from .errors import ElementInvalid, not_found
from .ids import is_guid, normalise_guid
from .parsing import Element, Problems, elements_of, read_bool, read_str
from .reference_data import CURRENCY_CODES

if TYPE_CHECKING:
    from .books import Books

ADDRESS_TYPES = ("POBOX", "STREET")  # DELIVERY exists only on the Organisation
PHONE_TYPES = ("DEFAULT", "DDI", "MOBILE", "FAX", "OFFICE")
MAX_CONTACT_PERSONS = 5
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")

_ADDRESS_LIMITS = {
    "AddressLine1": 500,
    "AddressLine2": 500,
    "AddressLine3": 500,
    "AddressLine4": 500,
    "City": 255,
    "Region": 255,
    "PostalCode": 50,
    "Country": 50,
    "AttentionTo": 255,
}
_PHONE_LIMITS = {"PhoneNumber": 50, "PhoneAreaCode": 10, "PhoneCountryCode": 20}
_LINE_AMOUNT_DEFAULTS = ("INCLUSIVE", "EXCLUSIVE", "NONE")
_TERM_TYPES = ("DAYSAFTERBILLDATE", "DAYSAFTERBILLMONTH", "OFCURRENTMONTH", "OFFOLLOWINGMONTH")


# --- handlers -----------------------------------------------------------------------------------------


def list_contacts(books: Books, ctx: RequestContext, segments: list[str]) -> AccountingResponse:
    """GET /Contacts: archived contacts only with ``includeArchived=true``; ``IDs``,
    ``searchTerm`` (name, first/last name, number, email), ``where``, ``order``, paging,
    ``summaryOnly`` (which forces paging) and ``If-Modified-Since`` (xero-facts §5)."""
    q = ctx.query
    records = list(books.contacts.values())
    ids = q.guids("IDs")
    if ids is not None:
        records = [c for c in records if c["ContactID"] in ids]
    if not q.flag("includeArchived") and ids is None:
        records = [c for c in records if c["ContactStatus"] != "ARCHIVED"]
    term = (q.get("searchTerm") or "").strip().lower()
    if term:
        searched = ("Name", "FirstName", "LastName", "ContactNumber", "EmailAddress")
        records = [c for c in records if any(term in (c.get(f) or "").lower() for f in searched)]

    summary_only = bool(q.flag("summaryOnly"))
    page = query.requested_page(q.get("page") or ("1" if summary_only else None), q.get("pageSize"))
    detail = "summary" if summary_only else ("full" if page else "list")
    balances = all_balances(books, ctx)  # once for the whole list, not once per contact
    views = [render_contact(books, contact, ctx, "full", balances) for contact in records]
    views = _filter_and_sort(views, ctx)
    extra: dict[str, Any] = {}
    if page:
        views, extra["pagination"] = query.paginate(views, page)
    if detail != "full":
        views = [reduce_view(view, detail) for view in views]
    return ctx.ok("Contacts", views, **extra)


def get_contact(books: Books, ctx: RequestContext, segments: list[str]) -> AccountingResponse:
    """GET /Contacts/{ContactID} or /Contacts/{ContactNumber} (archived ones included)."""
    contact = find_contact(books, segments[1])
    if contact is None:
        raise not_found()
    return ctx.ok("Contacts", [render_contact(books, contact, ctx, "full")])


def create_contacts(books: Books, ctx: RequestContext, segments: list[str]) -> AccountingResponse:
    """PUT /Contacts: create only; an existing name or number is an error (xero-facts §3.1)."""
    elements = elements_of(ctx.request.body, "Contacts")
    return run_batch(ctx, elements, lambda e: _save(books, ctx, e, None), "Contacts", "HasValidationErrors")


def upsert_contacts(books: Books, ctx: RequestContext, segments: list[str]) -> AccountingResponse:
    """POST /Contacts: an element naming an existing contact (ContactID, ContactNumber, or the
    Name of an active contact) updates it; others are created."""
    elements = elements_of(ctx.request.body, "Contacts")

    def process(element: Element) -> Saved:
        return _save(books, ctx, element, _match_existing(books, element))

    return run_batch(ctx, elements, process, "Contacts", "HasValidationErrors")


def update_contact(books: Books, ctx: RequestContext, segments: list[str]) -> AccountingResponse:
    """POST /Contacts/{ContactID}: update one contact (omitted fields keep their values)."""
    contact = find_contact(books, segments[1])
    if contact is None:
        raise not_found()
    elements = elements_of(ctx.request.body, "Contacts")[:1]
    return run_batch(ctx, elements, lambda e: _save(books, ctx, e, contact), "Contacts", "HasValidationErrors")


# --- look-ups ----------------------------------------------------------------------------------------


def find_contact(books: Books, key: str) -> dict[str, Any] | None:
    if is_guid(key):
        return books.contacts.get(normalise_guid(key))
    for contact in books.contacts.values():
        if (contact.get("ContactNumber") or "").lower() == key.strip().lower():
            return contact
    return None


def _match_existing(books: Books, element: Element) -> dict[str, Any] | None:
    contact_id = element.get("ContactID")
    if contact_id:
        contact = books.contact(str(contact_id))
        if contact is None:
            problems = Problems([messages.EXISTING_NOT_FOUND.format(kind="Contact", id_field="ContactID")])
            raise ElementInvalid(problems, _echo(element))
        return contact
    number = element.get("ContactNumber")
    if number:
        for contact in books.contacts.values():
            if (contact.get("ContactNumber") or "").lower() == str(number).strip().lower():
                return contact
    name = element.get("Name")
    if isinstance(name, str) and name.strip():
        return books.active_contact_named(name)
    return None


# --- create / update -------------------------------------------------------------------------------------


def new_contact_record(
    books: Books, ctx: RequestContext, name: str, contact_number: str | None = None
) -> dict[str, Any]:
    """Create a contact from just a name — what Xero does when a document names a new contact."""
    contact = _blank_contact(books.ids.new("contact"), ctx)
    contact["Name"] = name
    if contact_number:
        contact["ContactNumber"] = contact_number
    books.contacts[contact["ContactID"]] = contact
    ctx.record_event("CONTACT", "CREATE", contact["ContactID"])
    return contact


def _blank_contact(contact_id: str, ctx: RequestContext) -> dict[str, Any]:
    return {
        "ContactID": contact_id,
        "ContactStatus": "ACTIVE",
        "Name": "",
        "Addresses": {},
        "Phones": {},
        "ContactPersons": [],
        "UpdatedDateUTC": ctx.now,
    }


def _save(books: Books, ctx: RequestContext, element: Element, existing: dict[str, Any] | None) -> Saved:
    problems = Problems()
    creating = existing is None
    draft = copy.deepcopy(existing) if existing else _blank_contact(books.ids.new("contact"), ctx)

    if element.has("Name"):
        draft["Name"] = (read_str(element, "Name", problems, max_length=255) or "").strip()
    if not draft["Name"]:
        problems.add(messages.CONTACT_NAME_REQUIRED)
    for field, limit in TEXT_FIELDS.items():
        if element.has(field):
            draft[field] = read_str(element, field, problems, max_length=limit)
    if element.has("EmailAddress"):
        email = read_str(element, "EmailAddress", problems, max_length=255)
        if email and not _EMAIL.match(email):
            problems.add(messages.INVALID_EMAIL)
        draft["EmailAddress"] = email
    for field in ("ContactNumber", "AccountNumber"):
        if element.has(field):
            draft[field] = (read_str(element, field, problems, max_length=50) or "").strip() or None
    if element.has("ContactStatus"):
        status = str(element.get("ContactStatus") or "").strip().upper()
        if status not in ("ACTIVE", "ARCHIVED"):
            problems.add(messages.INVALID_CONTACT_STATUS.format(value=element.get("ContactStatus")))
        else:
            draft["ContactStatus"] = status
    _read_tax_and_accounts(books, element, draft, problems)
    _read_addresses(element, draft, problems)
    _read_phones(element, draft, problems)
    _read_persons(element, draft, problems)
    _read_payment_terms(element, draft, problems)
    _check_unique(books, draft, problems)

    if problems:
        raise ElementInvalid(problems, _echo(element, None if creating else draft["ContactID"]))

    changed = creating or draft != existing
    if changed:
        draft["UpdatedDateUTC"] = ctx.now
        books.contacts[draft["ContactID"]] = draft
        ctx.record_event("CONTACT", "CREATE" if creating else "UPDATE", draft["ContactID"])
    return Saved(render_contact(books, draft, ctx, "full"))


def _read_tax_and_accounts(books: Books, element: Element, draft: dict[str, Any], problems: Problems) -> None:
    for field in ("AccountsReceivableTaxType", "AccountsPayableTaxType"):
        if element.present(field):
            value = str(element.get(field)).strip()
            rate = books.tax_rate(value)
            if rate is None or rate["Status"] != "ACTIVE":
                problems.add(messages.TAX_TYPE_INVALID.format(tax_type=value))
            draft[field] = value
    for field in ("SalesDefaultAccountCode", "PurchasesDefaultAccountCode"):
        if element.present(field):
            code = str(element.get(field)).strip()
            account = books.account_by_code(code)
            if account is None or account["Status"] != "ACTIVE":
                problems.add(messages.ACCOUNT_CODE_INVALID.format(code=code))
            draft[field] = code
    for field in ("SalesDefaultLineAmountType", "PurchasesDefaultLineAmountType"):
        if element.present(field):
            value = str(element.get(field)).strip().upper()
            if value not in _LINE_AMOUNT_DEFAULTS:
                problems.add(f"{field} {element.get(field)} is not valid. Use INCLUSIVE, EXCLUSIVE or NONE.")
            else:
                draft[field] = value
    if element.present("DefaultCurrency"):
        code = str(element.get("DefaultCurrency")).strip().upper()
        if code not in CURRENCY_CODES or code not in books.currencies:
            problems.add(messages.CURRENCY_NOT_SUBSCRIBED.format(code=code))
        draft["DefaultCurrency"] = code
    # IsSupplier / IsCustomer are not writable: Xero sets them from the contact's invoices.


def _read_addresses(element: Element, draft: dict[str, Any], problems: Problems) -> None:
    addresses = element.children("Addresses")
    if addresses is None:
        return
    for address in addresses:
        kind = str(address.get("AddressType") or "").strip().upper()
        if kind not in ADDRESS_TYPES:
            problems.add(messages.INVALID_ADDRESS_TYPE.format(value=address.get("AddressType")))
            continue
        stored = {"AddressType": kind}
        for field, limit in _ADDRESS_LIMITS.items():
            value = read_str(address, field, problems, max_length=limit)
            if value is not None:
                stored[field] = value
        draft["Addresses"][kind] = stored


def _read_phones(element: Element, draft: dict[str, Any], problems: Problems) -> None:
    phones = element.children("Phones")
    if phones is None:
        return
    for phone in phones:
        kind = str(phone.get("PhoneType") or "").strip().upper()
        if kind not in PHONE_TYPES:
            problems.add(messages.INVALID_PHONE_TYPE.format(value=phone.get("PhoneType")))
            continue
        stored = {"PhoneType": kind}
        for field, limit in _PHONE_LIMITS.items():
            value = read_str(phone, field, problems, max_length=limit)
            if value is not None:
                stored[field] = value
        draft["Phones"][kind] = stored


def _read_persons(element: Element, draft: dict[str, Any], problems: Problems) -> None:
    """ContactPersons: at most 5; a sent list replaces the stored one (I:XeroAPI/xero-node#306)."""
    persons = element.children("ContactPersons")
    if persons is None:
        return
    if len(persons) > MAX_CONTACT_PERSONS:
        problems.add(messages.TOO_MANY_CONTACT_PERSONS)
    stored = []
    for person in persons:
        entry: dict[str, Any] = {}
        for field in ("FirstName", "LastName", "EmailAddress"):
            value = read_str(person, field, problems, max_length=255)
            if value is not None:
                entry[field] = value
        if entry.get("EmailAddress") and not _EMAIL.match(entry["EmailAddress"]):
            problems.add(messages.INVALID_EMAIL)
        include = read_bool(person, "IncludeInEmails", problems)
        entry["IncludeInEmails"] = bool(include)
        stored.append(entry)
    draft["ContactPersons"] = stored


def _read_payment_terms(element: Element, draft: dict[str, Any], problems: Problems) -> None:
    terms = element.child("PaymentTerms")
    if terms is None:
        return
    stored: dict[str, Any] = dict(draft.get("PaymentTerms") or {})
    for side in ("Bills", "Sales"):
        term = terms.child(side)
        if term is None:
            continue
        kind = str(term.get("Type") or "").strip().upper()
        day = term.get("Day")
        if kind not in _TERM_TYPES or not isinstance(day, int) or isinstance(day, bool) or not 0 <= day <= 31:
            problems.add(f"PaymentTerms.{side} needs a Day (0-31) and a Type of {', '.join(_TERM_TYPES)}.")
            continue
        stored[side] = {"Day": day, "Type": kind}
    draft["PaymentTerms"] = stored


def _check_unique(books: Books, draft: dict[str, Any], problems: Problems) -> None:
    if draft["ContactStatus"] == "ACTIVE" and draft["Name"]:
        other = books.active_contact_named(draft["Name"], exclude_id=draft["ContactID"])
        if other is not None:
            problems.add(messages.CONTACT_NAME_NOT_UNIQUE.format(name=draft["Name"]))
    for field, message in (
        ("ContactNumber", messages.CONTACT_NUMBER_NOT_UNIQUE),
        ("AccountNumber", messages.ACCOUNT_NUMBER_NOT_UNIQUE),
    ):
        value = (draft.get(field) or "").lower()
        if not value:
            continue
        for contact in books.contacts.values():
            if contact["ContactID"] != draft["ContactID"] and (contact.get(field) or "").lower() == value:
                problems.add(message.format(number=draft[field]))


def _echo(element: Element, contact_id: str | None = None) -> dict[str, Any]:
    """A failed contact as Xero echoes it: the plain fields it was sent."""
    echo: dict[str, Any] = {"ContactID": contact_id}
    for field in ("Name", "ContactNumber", "AccountNumber", "FirstName", "LastName", "EmailAddress"):
        value = element.get(field)
        if isinstance(value, str):
            echo[field] = value
    status = str(element.get("ContactStatus") or "").upper()
    if status in ("ACTIVE", "ARCHIVED"):
        echo["ContactStatus"] = status
    echo["Addresses"] = []
    echo["Phones"] = []
    echo["ContactPersons"] = []
    return echo


def _filter_and_sort(views: list[dict[str, Any]], ctx: RequestContext) -> list[dict[str, Any]]:
    where = ctx.query.get("where")
    if where and where.strip():
        matches = query.compile_where(where, "Contact")
        views = [v for v in views if matches(v)]
    views = query.modified_since(views, query.parse_if_modified_since(ctx.header("If-Modified-Since")))
    return query.sort_records(views, ctx.query.get("order"), "Contact", "ContactID")


__all__ = ["mark_role", "render_contact"]  # re-exported: documents render their contact through contacts
