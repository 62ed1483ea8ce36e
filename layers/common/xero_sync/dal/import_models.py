"""PynamoDB models of the Xero → host side (F4): the change feed, what the service last knew of
each Xero object, and the host's webhook subscription. The same rules as ``dal/models.py``
(keyed by the org first; only ``xero_sync.dal`` touches them)."""

from __future__ import annotations

from pynamodb.attributes import (
    BinaryAttribute,
    JSONAttribute,
    NumberAttribute,
    TTLAttribute,
    UnicodeAttribute,
    UTCDateTimeAttribute,
)
from pynamodb.models import Model

from xero_sync.dal.models import _Unbound

# ----------------------------------------------------------------------------------------------
# Import (Xero → host): the change feed, what the service knows of each Xero object, and the
# host's webhook subscription (F4).
# ----------------------------------------------------------------------------------------------


class ChangeModel(Model):
    """The org's change feed. ``change_id`` is a zero-padded sequence number (``000000000042``),
    handed out by the ``#sequence`` item of the same org in the same transaction that writes the
    change, so ids are unique, ordered, and a change is visible only with every lower id
    (dal/changes.py). Changes expire through ``expires_at`` (domain/changes.py: CHANGE_RETENTION)."""

    class Meta(_Unbound):
        pass

    org_id = UnicodeAttribute(hash_key=True)
    change_id = UnicodeAttribute(range_key=True)
    sequence = NumberAttribute(null=True)  # only on the "#sequence" item: the last id handed out
    kind = UnicodeAttribute(null=True)  # contact.updated, invoice.payment_status_changed …
    resource = UnicodeAttribute(null=True)  # contact | invoice | bill | credit_note | item | account …
    xero_id = UnicodeAttribute(null=True)
    host_id = UnicodeAttribute(null=True)
    body = JSONAttribute(null=True)  # state, match, conflict … (domain.changes.Change)
    occurred_at = UnicodeAttribute(null=True)  # Xero's UpdatedDateUTC of the state, ISO-8601
    recorded_at = UTCDateTimeAttribute(null=True)
    expires_at = TTLAttribute(null=True)


class XeroObjectModel(Model):
    """What the service last knew of one Xero object of an org: ``object_key`` =
    ``{resource}#{xero id}``, and the poll cursors ``cursor#{resource}``. The fingerprints make
    an echo of the service's own export, or a webhook and a poll that saw the same change, one
    change and not two (services/imports)."""

    class Meta(_Unbound):
        pass

    org_id = UnicodeAttribute(hash_key=True)
    object_key = UnicodeAttribute(range_key=True)
    fingerprint = UnicodeAttribute(null=True)  # of the content, in the host's schema
    payment_fingerprint = UnicodeAttribute(null=True)  # documents: status, paid, due, payments
    xero_updated = UnicodeAttribute(null=True)  # Xero's UpdatedDateUTC of that state (ISO-8601)
    origin = UnicodeAttribute(null=True)  # export (the service wrote it) | xero (a Xero user did)
    host_entity = UnicodeAttribute(null=True)
    host_id = UnicodeAttribute(null=True)
    payment = JSONAttribute(null=True)  # documents: the payment status as the host sees it (F4.3)
    match_basis = UnicodeAttribute(null=True)  # contacts: hash of the emails/phones last matched on
    last_change_id = UnicodeAttribute(null=True)
    revision = NumberAttribute(null=True)  # moves with every write (the import's compare-and-set)
    cursor = UnicodeAttribute(null=True)  # cursor items: Xero UpdatedDateUTC to read from next
    options = UnicodeAttribute(null=True)  # cursor items: the import options the cursor was made with
    updated_at = UTCDateTimeAttribute(null=True)


class HostWebhookModel(Model):
    """One item per org: the host's webhook URL, its signing secret (KMS-encrypted, context
    org_id), and where delivery stands (the last change delivered, the current outage, a lease so
    that one deliverer at a time works through an org's changes in order)."""

    class Meta(_Unbound):
        pass

    org_id = UnicodeAttribute(hash_key=True)
    url = UnicodeAttribute()
    secret_enc = BinaryAttribute(legacy_encoding=False)
    secret_hint = UnicodeAttribute(null=True)  # the last four characters, to tell secrets apart
    created_at = UTCDateTimeAttribute()
    updated_at = UTCDateTimeAttribute()
    delivered_through = UnicodeAttribute(null=True)  # change id
    failing_since = UTCDateTimeAttribute(null=True)
    attempts = NumberAttribute(default=0)  # failed attempts in the current outage
    last_error = UnicodeAttribute(null=True)
    last_delivery_at = UTCDateTimeAttribute(null=True)
    lease_owner = UnicodeAttribute(null=True)
    lease_until = UTCDateTimeAttribute(null=True)
