"""Entity families: the unit of queueing. Each family has one SQS queue, one dead-letter queue
and one worker function (template.yaml); ``domain/entities.py`` says which entity is in which."""

from __future__ import annotations

from enum import StrEnum


class Family(StrEnum):
    CONTACTS = "contacts"
    INVOICES = "invoices"
    INVOICE_PAYMENTS = "invoice_payments"
    CREDIT_NOTES = "credit_notes"
    BILLS = "bills"
    BILL_PAYMENTS = "bill_payments"
    VENDOR_CREDITS = "vendor_credits"
    BANK_CHARGES = "bank_charges"
    ITEMS = "items"  # the host's products → Xero Items (F3.10), when the org's items module is on

    @property
    def env_prefix(self) -> str:
        """How the family's environment variables begin: ``INVOICE_PAYMENTS_QUEUE_URL``."""
        return self.value.upper()
