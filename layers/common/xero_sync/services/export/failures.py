"""Turning Xero's validation messages into something an admin can act on (F6.2).

Xero's messages are precise but terse ("Account code '999' is not a valid code for this
document."). Each known pattern gets a stable code (for grouping in the failure digest and for
re-queueing after a fix) and a sentence saying what to do. Unknown messages pass through
verbatim under ``xero_validation`` — never hidden.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Failure:
    code: str
    message: str


_PATTERNS: list[tuple[re.Pattern[str], str, str]] = [
    (
        re.compile(r"Account code '(?P<code>[^']*)' is not a valid code", re.I),
        "unknown_account",
        "Xero has no active account with code '{code}'. Add or un-archive it in Xero's chart of "
        "accounts, or change the account in the integration settings, then retry.",
    ),
    (
        re.compile(r"TaxType code '(?P<tax>[^']*)' cannot be used with account code '(?P<code>[^']*)'", re.I),
        "tax_not_allowed_for_account",
        "Xero does not allow tax rate '{tax}' on account '{code}'. Map the host tax to a rate that "
        "applies to that account (tax mappings), or use another account, then retry.",
    ),
    (
        re.compile(r"Item code '(?P<item>[^']*)' is not valid", re.I),
        "unknown_item",
        "Xero has no item with code '{item}'. Export the item with the items module, or create it in Xero "
        "(Business → Products and services), then retry.",
    ),
    (
        re.compile(r"not subscribed to currency (?P<currency>[A-Z]{3})", re.I),
        "currency_not_enabled",
        "The currency {currency} is not enabled in Xero. Add it under Settings → Currencies in Xero, then retry.",
    ),
    (
        re.compile(r"lock date|locked period|period is locked|financial year", re.I),
        "closed_period",
        "The document's date falls in a period that is locked in Xero. Move the lock date in "
        "Xero (Settings → Advanced → Financial settings) or date the document later, then retry.",
    ),
    (
        re.compile(r"Payment amount exceeds the amount outstanding", re.I),
        "payment_exceeds_balance",
        "The payment is larger than what is still due on the document in Xero. Check for a "
        "payment or credit recorded directly in Xero, then retry.",
    ),
    (
        re.compile(r"Payments can only be made against Authorised documents", re.I),
        "document_not_authorised",
        "Xero accepts payments only on approved documents, and this one is not (draft, voided or "
        "deleted in Xero). Approve it in the host (or Xero), then retry.",
    ),
    (
        re.compile(r"cannot be edited as it has a payment or credit note allocated", re.I),
        "document_has_payments",
        "Xero does not allow changing a document that has payments or credits. Remove them "
        "first (in the host), or void and re-issue the document.",
    ),
    (
        re.compile(r"not of valid status for modification", re.I),
        "invalid_status",
        "Xero does not allow this change in the document's current status (e.g. it is paid or voided in Xero).",
    ),
    (
        re.compile(r"(?:amount|Amount).*(?:exceed|greater).*(?:remaining|outstanding|credit)", re.I),
        "allocation_exceeds_balance",
        "The allocation is larger than the credit left on the credit note or the amount due on "
        "the invoice in Xero. Check both in Xero, then retry.",
    ),
    (
        re.compile(
            r"Account must be .*bank|must be a bank account|EnablePaymentsToAccount|payments? (?:to|into) this account",
            re.I,
        ),
        "account_not_payment_enabled",
        "The account used for the payment is neither a bank account nor enabled for payments in "
        "Xero. Enable 'Payments to this account' on it in Xero, or use a bank account, then retry.",
    ),
]

DUPLICATE_INVOICE_NUMBER = re.compile(
    r"(?:Invoice|Credit Note) # must be unique|already (?:been )?used|must be unique", re.I
)
DUPLICATE_CONTACT_NAME = re.compile(r"already assigned to another contact|contact name .* must be unique", re.I)


def classify(messages: list[str], *, label: str) -> Failure:
    """The admin-facing failure for Xero's validation messages about one record."""
    for text in messages:
        for pattern, code, advice in _PATTERNS:
            match = pattern.search(text)
            if match:
                return Failure(code, f"{_cap(label)}: " + advice.format(**match.groupdict()))
    joined = " ".join(messages) or "Xero refused the record without a message."
    return Failure("xero_validation", f"Xero refused {label}: {joined}")


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]
