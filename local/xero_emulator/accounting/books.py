"""``Books``: one tenant's accounting data and the entry point of the Accounting API engine.

The platform (HTTP server, OAuth, limits, idempotency, faults) has already checked the request
when it calls ``Books.handle``; the engine only knows Xero's entities and rules. It is pure
Python: no threads, no clock of its own (``request.now`` is the time) and not thread-safe (the
platform holds a lock per tenant).

Records are kept as dicts named with Xero's field names and holding engine values (``Decimal``
money, ``date``/``datetime``); relations are kept by id (an invoice stores ``ContactID``) and the
amounts that depend on other records (``AmountPaid``, ``RemainingCredit`` …) are computed when
needed, so they can never drift from the payments and allocations they come from.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from decimal import Decimal
from typing import Any

from ..interfaces import AccountingRequest, AccountingResponse, ResourceEvent
from . import (
    bank_transactions,
    contact_groups,
    contacts,
    credit_notes,
    invoices,
    items,
    locks,
    manual_journals,
    merges,
    payments,
    settings_entities,
    tracking,
    wire,
)
from .context import RequestContext
from .errors import ApiError, not_found
from .ids import IdFactory, is_guid, normalise_guid
from .money import ZERO
from .snapshot import snapshot as take_snapshot

logger = logging.getLogger(__name__)

Handler = Callable[["Books", RequestContext, list[str]], AccountingResponse]


class Books:
    """One tenant's accounting data, in memory."""

    def __init__(self, tenant_id: str, organisation: dict[str, Any], now: datetime) -> None:
        self.tenant_id = tenant_id
        self.organisation = organisation
        self.last_now = now  # the latest request time seen; the snapshot renders as of then
        # When the organisation's settings (lock dates) last changed; not part of Xero's
        # Organisation schema, shown in the snapshot only.
        self.organisation_updated_at = now
        self.ids = IdFactory(tenant_id)
        self._response_ids = IdFactory(f"{tenant_id}/responses")
        # Every collection is keyed by its Xero id (tax rates by TaxType, currencies by Code).
        self.accounts: dict[str, dict[str, Any]] = {}
        self.tax_rates: dict[str, dict[str, Any]] = {}
        self.currencies: dict[str, dict[str, Any]] = {}
        self.contact_groups: dict[str, dict[str, Any]] = {}
        self.contacts: dict[str, dict[str, Any]] = {}
        self.invoices: dict[str, dict[str, Any]] = {}
        self.credit_notes: dict[str, dict[str, Any]] = {}
        self.payments: dict[str, dict[str, Any]] = {}
        self.allocations: dict[str, dict[str, Any]] = {}
        self.bank_transactions: dict[str, dict[str, Any]] = {}
        self.manual_journals: dict[str, dict[str, Any]] = {}
        self.tracking_categories: dict[str, dict[str, Any]] = {}
        self.items: dict[str, dict[str, Any]] = {}
        # The highest automatic number used per collection ("INV-0041" → 41), for numbering.
        self.highest_numbers: dict[str, int] = {}
        # Look-up indexes (payments and allocations are never removed, only marked deleted).
        self._payment_ids_by_document: dict[str, list[str]] = {}
        self._allocation_ids_by_document: dict[str, list[str]] = {}

    # --- the seam -----------------------------------------------------------------------------

    def handle(self, request: AccountingRequest) -> AccountingResponse:
        self.last_now = max(self.last_now, request.now)
        ctx = RequestContext(request, self._response_ids.new("response"))
        segments = [part for part in request.path.split("?")[0].split("/") if part]
        try:
            handler = _route(request.method.upper(), segments)
            return handler(self, ctx, segments)
        except ApiError as error:
            # Events of elements saved before the failure still happened (§3.3).
            return AccountingResponse(error.status, error.body, dict(error.headers), ctx.events)

    def snapshot(self) -> dict[str, Any]:
        """The whole state in Xero's wire shapes, for the control plane and tests."""
        return take_snapshot(self)

    # --- organisation ---------------------------------------------------------------------------

    @property
    def base_currency(self) -> str:
        return self.organisation["BaseCurrency"]

    def merge_contact(self, merged_id: str, into_id: str, now: datetime) -> list[ResourceEvent]:
        """Control plane: a user merges two contacts in Xero (merges.py); raises
        ``merges.MergeRefused``. Returns the change events for the webhook sender."""
        return merges.merge_contact(self, merged_id, into_id, now)

    def set_lock_dates(self, changes: dict[str, Any], now: datetime) -> bool:
        """Control plane: ``{"PeriodLockDate": date|None, "EndOfYearLockDate": date|None}``."""
        self.last_now = max(self.last_now, now)
        return locks.set_lock_dates(self, changes, now)

    # --- look-ups --------------------------------------------------------------------------------

    def account_by_code(self, code: str) -> dict[str, Any] | None:
        wanted = code.strip().upper()
        for account in self.accounts.values():
            if account.get("Code") and account["Code"].upper() == wanted and account["Status"] != "DELETED":
                return account
        return None

    def account_by_id(self, account_id: str) -> dict[str, Any] | None:
        if not is_guid(account_id):
            return None
        account = self.accounts.get(normalise_guid(account_id))
        return account if account and account["Status"] != "DELETED" else None

    def tax_rate(self, tax_type: str) -> dict[str, Any] | None:
        wanted = tax_type.strip().upper()
        for rate in self.tax_rates.values():
            if rate["TaxType"].upper() == wanted:
                return rate
        return None

    def contact(self, contact_id: str) -> dict[str, Any] | None:
        return self.contacts.get(normalise_guid(contact_id)) if is_guid(contact_id) else None

    def active_contact_named(self, name: str, exclude_id: str | None = None) -> dict[str, Any] | None:
        """Contact names are unique among ACTIVE contacts; compared without regard to case or
        surrounding spaces (UNCONFIRMED, see report)."""
        wanted = name.strip().lower()
        for contact in self.contacts.values():
            if contact["ContactID"] == exclude_id or contact["ContactStatus"] != "ACTIVE":
                continue
            if contact["Name"].strip().lower() == wanted:
                return contact
        return None

    # --- balances (always derived from the payments and allocations) -------------------------------

    def add_payment(self, payment: dict[str, Any]) -> None:
        self.payments[payment["PaymentID"]] = payment
        document_id = payment.get("InvoiceID") or payment["CreditNoteID"]
        self._payment_ids_by_document.setdefault(document_id, []).append(payment["PaymentID"])

    def add_allocation(self, allocation: dict[str, Any]) -> None:
        self.allocations[allocation["AllocationID"]] = allocation
        for document_id in (allocation["InvoiceID"], allocation["CreditNoteID"]):
            self._allocation_ids_by_document.setdefault(document_id, []).append(allocation["AllocationID"])

    def active_payments_of(self, document_id: str) -> list[dict[str, Any]]:
        payments = (self.payments[i] for i in self._payment_ids_by_document.get(document_id, []))
        return [p for p in payments if p["Status"] == "AUTHORISED"]

    def allocations_of(self, document_id: str) -> list[dict[str, Any]]:
        allocations = (self.allocations[i] for i in self._allocation_ids_by_document.get(document_id, []))
        return [a for a in allocations if not a["IsDeleted"]]

    def invoice_amounts(self, invoice: dict[str, Any]) -> tuple[Decimal, Decimal, Decimal]:
        """``(AmountPaid, AmountCredited, AmountDue)`` of an invoice."""
        paid = sum((p["Amount"] for p in self.active_payments_of(invoice["InvoiceID"])), ZERO)
        credited = sum((a["Amount"] for a in self.allocations_of(invoice["InvoiceID"])), ZERO)
        if invoice["Status"] in ("VOIDED", "DELETED"):
            return paid, credited, ZERO
        return paid, credited, invoice["Total"] - paid - credited

    def credit_note_amounts(self, credit_note: dict[str, Any]) -> tuple[Decimal, Decimal, Decimal]:
        """``(allocated, refunded, RemainingCredit)`` of a credit note."""
        allocated = sum((a["Amount"] for a in self.allocations_of(credit_note["CreditNoteID"])), ZERO)
        refunded = sum((p["Amount"] for p in self.active_payments_of(credit_note["CreditNoteID"])), ZERO)
        if credit_note["Status"] in ("VOIDED", "DELETED"):
            return allocated, refunded, ZERO
        return allocated, refunded, credit_note["Total"] - allocated - refunded

    def account_in_use(self, account_id: str) -> bool:
        for document in [*self.invoices.values(), *self.credit_notes.values(), *self.bank_transactions.values()]:
            if document.get("BankAccountID") == account_id:
                return True
            if any(line.get("AccountID") == account_id for line in document["LineItems"]):
                return True
        if any(
            line.get("AccountID") == account_id for j in self.manual_journals.values() for line in j["JournalLines"]
        ):
            return True
        return any(p["AccountID"] == account_id for p in self.payments.values())


# --- routing ------------------------------------------------------------------------------------------
# Paths below /api.xro/2.0, matched without regard to case (Xero's URLs are case-insensitive).
# Each entry: (method, collection, number of path segments, sub-resource or None) → handler.

_ROUTES: dict[tuple[str, str, int, str | None], Handler] = {
    ("GET", "organisation", 1, None): settings_entities.get_organisation,
    ("GET", "organisation", 2, "actions"): settings_entities.get_organisation_actions,
    ("GET", "accounts", 1, None): settings_entities.list_accounts,
    ("GET", "accounts", 2, None): settings_entities.get_account,
    ("PUT", "accounts", 1, None): settings_entities.create_account,
    ("POST", "accounts", 2, None): settings_entities.update_account,
    ("DELETE", "accounts", 2, None): settings_entities.delete_account,
    ("GET", "taxrates", 1, None): settings_entities.list_tax_rates,
    ("GET", "taxrates", 2, None): settings_entities.get_tax_rate,
    ("PUT", "taxrates", 1, None): settings_entities.create_tax_rates,
    ("POST", "taxrates", 1, None): settings_entities.update_tax_rates,
    ("GET", "currencies", 1, None): settings_entities.list_currencies,
    ("PUT", "currencies", 1, None): settings_entities.create_currency,
    ("GET", "contactgroups", 1, None): contact_groups.list_contact_groups,
    ("GET", "contactgroups", 2, None): contact_groups.get_contact_group,
    ("PUT", "contactgroups", 1, None): contact_groups.create_contact_groups,
    ("POST", "contactgroups", 2, None): contact_groups.update_contact_group,
    ("PUT", "contactgroups", 3, "contacts"): contact_groups.add_contacts_to_group,
    ("DELETE", "contactgroups", 3, "contacts"): contact_groups.remove_contacts_from_group,
    ("DELETE", "contactgroups", 4, "contacts"): contact_groups.remove_contact_from_group,
    ("GET", "items", 1, None): items.list_items,
    ("GET", "items", 2, None): items.get_item,
    ("PUT", "items", 1, None): items.create_items,
    ("POST", "items", 1, None): items.upsert_items,
    ("POST", "items", 2, None): items.update_item,
    ("DELETE", "items", 2, None): items.delete_item,
    ("GET", "trackingcategories", 1, None): tracking.list_tracking_categories,
    ("GET", "trackingcategories", 2, None): tracking.get_tracking_category,
    ("PUT", "trackingcategories", 1, None): tracking.create_tracking_category,
    ("POST", "trackingcategories", 2, None): tracking.update_tracking_category,
    ("DELETE", "trackingcategories", 2, None): tracking.delete_tracking_category,
    ("PUT", "trackingcategories", 3, "options"): tracking.create_options,
    ("POST", "trackingcategories", 4, "options"): tracking.update_option,
    ("DELETE", "trackingcategories", 4, "options"): tracking.delete_option,
    ("GET", "contacts", 1, None): contacts.list_contacts,
    ("GET", "contacts", 2, None): contacts.get_contact,
    ("PUT", "contacts", 1, None): contacts.create_contacts,
    ("POST", "contacts", 1, None): contacts.upsert_contacts,
    ("POST", "contacts", 2, None): contacts.update_contact,
    ("GET", "invoices", 1, None): invoices.list_invoices,
    ("GET", "invoices", 2, None): invoices.get_invoice,
    ("PUT", "invoices", 1, None): invoices.create_invoices,
    ("POST", "invoices", 1, None): invoices.upsert_invoices,
    ("POST", "invoices", 2, None): invoices.update_invoice,
    ("GET", "creditnotes", 1, None): credit_notes.list_credit_notes,
    ("GET", "creditnotes", 2, None): credit_notes.get_credit_note,
    ("PUT", "creditnotes", 1, None): credit_notes.create_credit_notes,
    ("POST", "creditnotes", 1, None): credit_notes.upsert_credit_notes,
    ("POST", "creditnotes", 2, None): credit_notes.update_credit_note,
    ("PUT", "creditnotes", 3, "allocations"): credit_notes.create_allocations,
    ("DELETE", "creditnotes", 4, "allocations"): credit_notes.delete_allocation,
    ("GET", "payments", 1, None): payments.list_payments,
    ("GET", "payments", 2, None): payments.get_payment,
    ("PUT", "payments", 1, None): payments.create_payments,
    ("POST", "payments", 1, None): payments.create_payment,
    ("POST", "payments", 2, None): payments.delete_payment,
    ("GET", "manualjournals", 1, None): manual_journals.list_manual_journals,
    ("GET", "manualjournals", 2, None): manual_journals.get_manual_journal,
    ("PUT", "manualjournals", 1, None): manual_journals.create_manual_journals,
    ("POST", "manualjournals", 1, None): manual_journals.upsert_manual_journals,
    ("POST", "manualjournals", 2, None): manual_journals.update_manual_journal,
    ("GET", "banktransactions", 1, None): bank_transactions.list_bank_transactions,
    ("GET", "banktransactions", 2, None): bank_transactions.get_bank_transaction,
    ("PUT", "banktransactions", 1, None): bank_transactions.create_bank_transactions,
    ("POST", "banktransactions", 1, None): bank_transactions.upsert_bank_transactions,
    ("POST", "banktransactions", 2, None): bank_transactions.update_bank_transaction,
}


def _route(method: str, segments: list[str]) -> Handler:
    if not segments:
        raise not_found()
    collection = segments[0].lower()
    sub_resource = segments[2].lower() if len(segments) >= 3 else None
    if collection == "organisation" and len(segments) == 2:
        sub_resource = segments[1].lower()
    handler = _ROUTES.get((method, collection, len(segments), sub_resource))
    if handler is not None:
        return handler
    known_methods = sorted(
        m for (m, c, n, s) in _ROUTES if c == collection and n == len(segments) and s == sub_resource
    )
    if known_methods:
        raise ApiError(
            405,
            f"The requested resource does not support http method '{method}'.",
            {"Content-Type": "text/plain; charset=utf-8", "Allow": ", ".join(known_methods)},
        )
    raise not_found()


__all__ = ["Books", "wire"]
