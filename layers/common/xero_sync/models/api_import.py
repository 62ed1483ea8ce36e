"""Bodies of the import side of the host API (SPEC §5; F4.2, F4.3): the change feed, the host's
webhook subscription, and the payment status shown with an exported invoice."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import Field

from xero_sync.models.api import ApiModel

CHANGE_RETENTION_DAYS = 30  # domain.changes.CHANGE_RETENTION, stated in the published document

CHANGE_KINDS_DOC = (
    "contact.created | contact.updated | contact.archived; invoice.created | invoice.updated | invoice.voided | "
    "invoice.payment_status_changed (and the same for bill, credit_note, vendor_credit); item.*, account.*, "
    "tax_rate.*, contact_group.*, currency.* (created | updated | archived)."
)


# --- payment status (F4.3) ------------------------------------------------------------------------


class PaymentView(ApiModel):
    xero_id: str | None = None
    date: str | None = Field(default=None, description="YYYY-MM-DD")
    amount: str | None = Field(default=None, description="Decimal, in the document's currency.")
    reference: str | None = None


class PaymentStatusView(ApiModel):
    status: str = Field(description="paid | partially_paid | unpaid | void | draft")
    xero_status: str | None = Field(default=None, description="Xero's status: AUTHORISED, PAID, VOIDED …")
    total: str | None = None
    amount_paid: str | None = None
    amount_due: str | None = Field(default=None, description="The balance (credit notes: the credit remaining).")
    amount_credited: str | None = None
    fully_paid_on: str | None = None
    payments: list[PaymentView] = Field(default_factory=list)
    as_of: str | None = Field(default=None, description="Xero's UpdatedDateUTC of the document when this was read.")


# --- the change feed (F4.2) -------------------------------------------------------------------------


class MatchView(ApiModel):
    host_id: str = Field(description="The host contact with the same email or phone.")
    by: str = Field(description="email | phone")


class ChangeView(ApiModel):
    id: str = Field(description="Unique and ordered within the org; the same id in the webhook header.")
    kind: str = Field(description=CHANGE_KINDS_DOC)
    resource: str = Field(description="contact | invoice | bill | credit_note | vendor_credit | item | account …")
    xero_id: str
    host_id: str | None = Field(
        default=None, description="The host record this Xero object is linked to (exported or linked), if any."
    )
    match: MatchView | None = Field(
        default=None, description="Contacts not linked yet: an existing host contact with the same email or phone."
    )
    occurred_at: str | None = Field(default=None, description="Xero's UpdatedDateUTC of this state.")
    recorded_at: datetime
    state: dict[str, Any] = Field(description="The full current state, in the host's schema (SPEC §7 field names).")
    conflict: dict[str, Any] | None = Field(
        default=None, description="Both sides changed since the last sync: the host's version and which side won."
    )


class ChangesPageView(ApiModel):
    changes: list[ChangeView]
    next_cursor: str | None = Field(
        description="Pass as ?since= to read on (also when this page is empty: poll with it later). "
        "Null only when the feed is empty."
    )
    has_more: bool = Field(description="More changes are waiting after this page: read on at once.")
    retention_days: int = Field(default=CHANGE_RETENTION_DAYS, description="Changes are kept this many days.")


# --- the host's webhook (F4.2) ----------------------------------------------------------------------


class WebhookPutRequest(ApiModel):
    url: str = Field(
        min_length=1,
        max_length=2000,
        description="https:// only; it must resolve to public addresses (never private, loopback, link-local "
        "or cloud-metadata ones).",
        examples=["https://app.example.com/hooks/xero-sync"],
    )
    rotate_secret: bool = Field(
        default=False, description="Generate a new signing secret (shown once in the answer); the old one stops."
    )


class WebhookView(ApiModel):
    url: str
    signing_secret: str | None = Field(
        default=None,
        description="Shown once, when it is created (first PUT, or rotate_secret): store it. Deliveries carry "
        "X-Xero-Sync-Signature: t=<unix time>,v1=<hex HMAC-SHA256 of '<t>.<raw body>' with this secret>; refuse "
        "a t more than 300 s from your clock. X-Xero-Sync-Change-Id carries the change id: deliveries are at "
        "least once, so ignore an id you have applied.",
    )
    secret_hint: str | None = Field(default=None, description="The secret's last four characters.")
    created_at: datetime
    updated_at: datetime
    delivered_through: str | None = Field(default=None, description="The last change id the host accepted.")
    failing_since: datetime | None = Field(default=None, description="Deliveries fail since then (retried 24 h).")
    attempts: int = 0
    last_error: str | None = None
    last_delivery_at: datetime | None = None


class WebhookDeletedView(ApiModel):
    deleted: bool


class WebhookTestView(ApiModel):
    delivered: bool = Field(description="The host answered 2xx.")
    status_code: int | None = None
    error: str | None = None
    duration_ms: float
