"""The change feed's words (F4.2, F4.3): what changed in Xero, as the host reads it.

A *change* is one Xero object (a contact, an invoice …) in a new state, in the host's schema
(SPEC §7 field names), with:

* an **id**: the org's next sequence number, zero-padded to :data:`CHANGE_ID_DIGITS` digits
  (``000000000042``). Ids are unique per org, ordered, and never reused; the feed pages by them.
  The store hands an id out in the same write that stores the change (dal/changes.py), so a
  change is visible only once every lower id is: a host that read up to id N never misses one
  below N.
* a **kind**: ``<resource>.<what>`` — ``contact.created``, ``invoice.payment_status_changed`` …
  (:class:`ChangeKind`).
* the Xero id, the linked host id (when the object is linked), the match an import found (a
  contact with the same email or phone, F4.2), and the full current state.

The host reads the feed with an opaque cursor (:func:`encode_cursor`); changes are kept for
:data:`CHANGE_RETENTION`.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from xero_sync.domain.errors import InvalidCursor

CHANGE_RETENTION = timedelta(days=30)
"""How long the feed keeps a change (DynamoDB TTL). A host that reads less often than this (or
whose webhook is down longer) misses what expired; a historical import (POST /sync) re-reads Xero."""

CHANGE_ID_DIGITS = 12
SEQUENCE_ITEM = "#sequence"
"""The per-org counter item; ``#`` sorts before every digit, so it is never read as a change."""


class Resource(StrEnum):
    """Kinds of Xero objects the import turns into changes (the first word of a kind)."""

    CONTACT = "contact"
    INVOICE = "invoice"  # ACCREC
    BILL = "bill"  # ACCPAY
    CREDIT_NOTE = "credit_note"  # ACCRECCREDIT
    VENDOR_CREDIT = "vendor_credit"  # ACCPAYCREDIT
    ITEM = "item"
    ACCOUNT = "account"
    TAX_RATE = "tax_rate"
    CONTACT_GROUP = "contact_group"
    CURRENCY = "currency"


DOCUMENTS = frozenset({Resource.INVOICE, Resource.BILL, Resource.CREDIT_NOTE, Resource.VENDOR_CREDIT})


class ChangeKind(StrEnum):
    CONTACT_CREATED = "contact.created"
    CONTACT_UPDATED = "contact.updated"
    CONTACT_ARCHIVED = "contact.archived"
    INVOICE_CREATED = "invoice.created"
    INVOICE_UPDATED = "invoice.updated"
    INVOICE_VOIDED = "invoice.voided"
    INVOICE_PAYMENT_STATUS_CHANGED = "invoice.payment_status_changed"
    BILL_CREATED = "bill.created"
    BILL_UPDATED = "bill.updated"
    BILL_VOIDED = "bill.voided"
    BILL_PAYMENT_STATUS_CHANGED = "bill.payment_status_changed"
    CREDIT_NOTE_CREATED = "credit_note.created"
    CREDIT_NOTE_UPDATED = "credit_note.updated"
    CREDIT_NOTE_VOIDED = "credit_note.voided"
    CREDIT_NOTE_PAYMENT_STATUS_CHANGED = "credit_note.payment_status_changed"
    VENDOR_CREDIT_CREATED = "vendor_credit.created"
    VENDOR_CREDIT_UPDATED = "vendor_credit.updated"
    VENDOR_CREDIT_VOIDED = "vendor_credit.voided"
    VENDOR_CREDIT_PAYMENT_STATUS_CHANGED = "vendor_credit.payment_status_changed"
    ITEM_CREATED = "item.created"
    ITEM_UPDATED = "item.updated"
    ITEM_ARCHIVED = "item.archived"
    ACCOUNT_CREATED = "account.created"
    ACCOUNT_UPDATED = "account.updated"
    ACCOUNT_ARCHIVED = "account.archived"
    TAX_RATE_CREATED = "tax_rate.created"
    TAX_RATE_UPDATED = "tax_rate.updated"
    TAX_RATE_ARCHIVED = "tax_rate.archived"
    CONTACT_GROUP_CREATED = "contact_group.created"
    CONTACT_GROUP_UPDATED = "contact_group.updated"
    CONTACT_GROUP_ARCHIVED = "contact_group.archived"
    CURRENCY_CREATED = "currency.created"
    CURRENCY_UPDATED = "currency.updated"
    CURRENCY_ARCHIVED = "currency.archived"


class What(StrEnum):
    """The second word of a kind."""

    CREATED = "created"
    UPDATED = "updated"
    ARCHIVED = "archived"
    VOIDED = "voided"
    PAYMENT_STATUS_CHANGED = "payment_status_changed"


def kind_of(resource: Resource, what: What) -> ChangeKind:
    """``contact`` + ``archived`` → ``contact.archived``. Documents are voided, not archived;
    everything else is archived, not voided."""
    if resource in DOCUMENTS and what is What.ARCHIVED:
        what = What.VOIDED
    if resource not in DOCUMENTS and what in (What.VOIDED, What.PAYMENT_STATUS_CHANGED):
        what = What.ARCHIVED if what is What.VOIDED else What.UPDATED
    return ChangeKind(f"{resource.value}.{what.value}")


@dataclass(frozen=True)
class Match:
    """An existing host contact the imported Xero contact matched (F4.2: "reported so that the
    host can merge")."""

    host_id: str
    by: str  # email | phone


@dataclass(frozen=True)
class Change:
    org_id: str
    kind: ChangeKind
    resource: Resource
    xero_id: str
    state: dict[str, Any]
    occurred_at: str | None  # Xero's UpdatedDateUTC of the state (ISO-8601), when Xero gives one
    recorded_at: datetime
    host_id: str | None = None
    match: Match | None = None
    conflict: dict[str, Any] | None = None  # both sides changed: what the host had, who won
    change_id: str = field(default="")

    def with_id(self, change_id: str) -> Change:
        return Change(
            org_id=self.org_id,
            kind=self.kind,
            resource=self.resource,
            xero_id=self.xero_id,
            state=self.state,
            occurred_at=self.occurred_at,
            recorded_at=self.recorded_at,
            host_id=self.host_id,
            match=self.match,
            conflict=self.conflict,
            change_id=change_id,
        )


@dataclass
class AppendResult:
    changes: list[Change] = field(default_factory=list)  # written, with their ids
    stale: list[Any] = field(default_factory=list)  # ObjectKeys that moved since they were read: decide again


@dataclass(frozen=True)
class ChangePage:
    changes: list[Change]
    last_id: str | None  # the highest id read (None: nothing after the cursor)
    has_more: bool


# --- ids and cursors ---------------------------------------------------------------------------


def format_change_id(sequence: int) -> str:
    if sequence < 1 or sequence >= 10**CHANGE_ID_DIGITS:
        raise ValueError(f"change sequence out of range: {sequence}")
    return f"{sequence:0{CHANGE_ID_DIGITS}d}"


def parse_change_id(change_id: str) -> int:
    if len(change_id) != CHANGE_ID_DIGITS or not change_id.isdigit():
        raise ValueError(f"not a change id: {change_id!r}")
    return int(change_id)


_CURSOR_PREFIX = "c1"


def encode_cursor(org_id: str, change_id: str) -> str:
    """Opaque to the host: the position after ``change_id`` in ``org_id``'s feed."""
    raw = f"{_CURSOR_PREFIX}|{org_id}|{change_id}".encode()
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def decode_cursor(cursor: str, org_id: str) -> str:
    """The change id a cursor of this org stands for; InvalidCursor for anything else (another
    org's cursor included: a cursor never crosses orgs)."""
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        prefix, org, change_id = base64.urlsafe_b64decode(padded.encode("ascii")).decode().split("|")
        parse_change_id(change_id)
    except (ValueError, UnicodeError, binascii.Error) as error:
        raise InvalidCursor("cursor is not one this API returned") from error
    if prefix != _CURSOR_PREFIX or org != org_id:
        raise InvalidCursor("cursor is not one this API returned for this org")
    return change_id
