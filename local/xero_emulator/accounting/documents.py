"""Rules shared by the documents with line items — invoices, credit notes and bank transactions:
the contact, the currency, the status machine and due dates (their lines: lines.py).
(xero-facts §6.1, §6.3, §6.4, §6.5, §6.8)
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from . import contacts, messages
from .context import RequestContext
from .parsing import Element, Problems, read_date, read_decimal
from .reference_data import ACCOUNT_CLASS_BY_TYPE, CURRENCY_CODES, day_rate

if TYPE_CHECKING:
    from .books import Books

# --- the contact of a document --------------------------------------------------------------------------


@dataclass
class ContactChoice:
    """The contact a document names: an existing one, or a new one Xero creates from a Name."""

    existing: dict[str, Any] | None = None
    new_name: str | None = None
    new_number: str | None = None

    @property
    def display_name(self) -> str:
        return self.existing["Name"] if self.existing else (self.new_name or "")


def read_contact(
    books: Books, element: Element | None, problems: Problems, current_contact_id: str | None = None
) -> ContactChoice | None:
    """Resolve ``Contact`` by ContactID, else ContactNumber, else Name (a new Name creates the
    contact, as Xero does). Including more than the id does not update the contact. An archived
    contact cannot be put on a document (it may stay on one it is already on)."""
    if element is None or not any(element.present(f) for f in ("ContactID", "ContactNumber", "Name")):
        problems.add(messages.CONTACT_IDENTIFICATION)
        return None
    contact_id = element.get("ContactID")
    if contact_id:
        contact = books.contact(str(contact_id))
        if contact is None:
            problems.add(messages.CONTACT_NOT_FOUND.format(contact_id=contact_id))
            return None
        return _usable(contact, problems, current_contact_id)
    number = element.get("ContactNumber")
    name = element.get("Name")
    if number:
        for contact in books.contacts.values():
            if (contact.get("ContactNumber") or "").lower() == str(number).strip().lower():
                return _usable(contact, problems, current_contact_id)
        if not name:
            problems.add(messages.CONTACT_NUMBER_NOT_FOUND.format(number=number))
            return None
    name_text = str(name).strip()
    if not name_text:
        problems.add(messages.CONTACT_IDENTIFICATION)
        return None
    if len(name_text) > 255:
        problems.add(messages.TOO_LONG.format(field="Contact Name", limit=255))
        return None
    contact = books.active_contact_named(name_text)
    if contact is not None:
        return ContactChoice(existing=contact)
    return ContactChoice(new_name=name_text, new_number=str(number).strip() if number else None)


def _usable(contact: dict[str, Any], problems: Problems, current_contact_id: str | None) -> ContactChoice:
    if contact["ContactStatus"] != "ACTIVE" and contact["ContactID"] != current_contact_id:
        problems.add(messages.CONTACT_ARCHIVED.format(name=contact["Name"]))
    return ContactChoice(existing=contact)


def commit_contact(books: Books, ctx: RequestContext, choice: ContactChoice) -> str:
    """The ContactID to store; creates the contact named on the document if it is new."""
    if choice.existing is not None:
        return choice.existing["ContactID"]
    contact = contacts.new_contact_record(books, ctx, choice.new_name or "", choice.new_number)
    return contact["ContactID"]


# --- currency ---------------------------------------------------------------------------------------------------


def read_currency(
    books: Books, element: Element, current: dict[str, Any] | None, problems: Problems
) -> tuple[str, Decimal]:
    """``(CurrencyCode, CurrencyRate)``. Base currency → rate 1; a foreign currency without a
    rate gets the emulator's day rate (xero-facts §6.8)."""
    base = books.base_currency
    code = (current or {}).get("CurrencyCode", base)
    if element.present("CurrencyCode"):
        code = str(element.get("CurrencyCode")).strip().upper()
        if code not in CURRENCY_CODES:
            problems.add(messages.CURRENCY_NOT_SUBSCRIBED.format(code=code))
            return base, Decimal(1)
    if code not in books.currencies:
        problems.add(messages.CURRENCY_NOT_SUBSCRIBED.format(code=code))
    if code == base:
        return code, Decimal(1)
    rate = read_decimal(element, "CurrencyRate", problems) if element.present("CurrencyRate") else None
    if rate is not None and rate <= 0:
        problems.add(messages.CURRENCY_RATE_INVALID)
        rate = None
    if rate is None:
        keep_rate = current is not None and current.get("CurrencyCode") == code
        rate = current["CurrencyRate"] if current is not None and keep_rate else day_rate(base, code)
    return code, rate


# --- status machine (xero-facts §6.1) -------------------------------------------------------------------------

CREATE_STATUSES = ("DRAFT", "SUBMITTED", "AUTHORISED")
DOCUMENT_STATUSES = ("DRAFT", "SUBMITTED", "AUTHORISED", "PAID", "VOIDED", "DELETED")
ALLOWED_TRANSITIONS = {
    "DRAFT": {"DRAFT", "SUBMITTED", "AUTHORISED", "DELETED"},
    "SUBMITTED": {"SUBMITTED", "AUTHORISED", "DRAFT", "DELETED"},
    "AUTHORISED": {"AUTHORISED", "VOIDED"},
    "PAID": {"PAID"},  # fields may still change within the edit-after-payment rules
    "VOIDED": set(),
    "DELETED": set(),
}


def read_status(element: Element, problems: Problems, kind: str) -> str | None:
    value = element.get("Status")
    if value is None or value == "":
        return None
    status = str(value).strip().upper()
    if status not in DOCUMENT_STATUSES:
        problems.add(messages.INVALID_STATUS.format(status=value, kind=kind))
        return None
    return status


def transition_allowed(current: str, requested: str) -> bool:
    return requested in ALLOWED_TRANSITIONS[current]


# --- due dates ---------------------------------------------------------------------------------------------------


def due_date_from_terms(issue_date: date, terms: dict[str, Any] | None) -> date | None:
    """A due date from payment terms ``{"Day": n, "Type": ...}`` (SPEC PaymentTermType)."""
    if not terms or terms.get("Day") is None or not terms.get("Type"):
        return None
    day = int(terms["Day"])
    kind = terms["Type"]
    if kind == "DAYSAFTERBILLDATE":
        return issue_date + timedelta(days=day)
    month_end = date(issue_date.year, issue_date.month, calendar.monthrange(issue_date.year, issue_date.month)[1])
    if kind == "DAYSAFTERBILLMONTH":
        return month_end + timedelta(days=day)
    if kind == "OFCURRENTMONTH":
        return issue_date.replace(day=min(max(day, 1), month_end.day))
    if kind == "OFFOLLOWINGMONTH":
        following = month_end + timedelta(days=1)
        last = calendar.monthrange(following.year, following.month)[1]
        return following.replace(day=min(max(day, 1), last))
    return None


def read_dates(element: Element, problems: Problems, *names: str) -> dict[str, date | None]:
    return {name: read_date(element, name, problems) for name in names if element.has(name)}


def account_class(account_type: str) -> str:
    return ACCOUNT_CLASS_BY_TYPE[account_type]
