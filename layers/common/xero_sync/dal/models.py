"""PynamoDB models: the shape of every DynamoDB table (template.yaml declares the same keys and
indexes; tests/template checks that the two agree).

Design rules, for 10,000 connected orgs:
- nothing on a schedule scans a table: due syncs and idle connections are found through sparse,
  sharded GSIs (an attribute is present only while the item qualifies);
- every item is keyed by the org first, so one org's data never mixes with another's;
- times are timezone-aware UTC datetimes (stored as sortable strings).

Only modules in ``xero_sync.dal`` touch these classes; everything else uses the repositories.
"""

from __future__ import annotations

from pynamodb.attributes import (
    BinaryAttribute,
    BooleanAttribute,
    JSONAttribute,
    ListAttribute,
    MapAttribute,
    NumberAttribute,
    TTLAttribute,
    UnicodeAttribute,
    UnicodeSetAttribute,
    UTCDateTimeAttribute,
)
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex, KeysOnlyProjection
from pynamodb.models import Model


class _Unbound:
    """Meta base: the table name and endpoint are filled in by ``dal.base.configure``."""

    table_name: str | None = None
    billing_mode = "PAY_PER_REQUEST"


# ----------------------------------------------------------------------------------------------
# Connections: one item per org — the Xero connection, its tokens, its schedule and activity.
# ----------------------------------------------------------------------------------------------


class TenantAttribute(MapAttribute):
    """One Xero organisation the admin's consent covered (a row of Xero's /connections)."""

    tenant_id = UnicodeAttribute()
    connection_id = UnicodeAttribute()
    tenant_name = UnicodeAttribute(null=True)
    tenant_type = UnicodeAttribute(null=True)


class DueIndex(GlobalSecondaryIndex):
    """Orgs whose next scheduled sync is due: ``schedule_shard`` is set only while the org is
    connected, enabled and on a schedule; the tick queries every shard for ``next_sync_at <= now``."""

    class Meta:
        index_name = "DueIndex"
        projection = KeysOnlyProjection()

    schedule_shard = UnicodeAttribute(hash_key=True)
    next_sync_at = UTCDateTimeAttribute(range_key=True)


class ActivityIndex(GlobalSecondaryIndex):
    """Connections ordered by last activity, for the daily inactivity checker. ``activity_shard``
    is set only while the org holds a live Xero connection."""

    class Meta:
        index_name = "ActivityIndex"
        projection = KeysOnlyProjection()

    activity_shard = UnicodeAttribute(hash_key=True)
    last_activity_at = UTCDateTimeAttribute(range_key=True)


class TenantIndex(GlobalSecondaryIndex):
    """The orgs that use (or last used) one Xero tenant: a Xero webhook for a tenant reaches every
    org connected to it, and a disconnect must know whether another org still uses the tenant's
    Xero connection (N7). A handful of orgs per tenant at most, so no sharding."""

    class Meta:
        index_name = "TenantIndex"
        projection = KeysOnlyProjection()

    tenant_id = UnicodeAttribute(hash_key=True)


class XeroUserIndex(GlobalSecondaryIndex):
    """The orgs connected by one Xero user: revoking a refresh token at Xero revokes every token
    set of that user for the app (and removes all the user's connections), so an org that leaves
    must know whether another org still holds tokens of the same user (N7). A user connects a
    handful of orgs (an accountant: a few hundred at most), so no sharding."""

    class Meta:
        index_name = "XeroUserIndex"
        projection = KeysOnlyProjection()

    connected_by_user_id = UnicodeAttribute(hash_key=True)


class ConnectionModel(Model):
    class Meta(_Unbound):
        pass

    org_id = UnicodeAttribute(hash_key=True)
    # not_connected | pending_tenant | connected | disabled | needs_reauth | disconnected
    # | disconnected_inactive  (see domain/connection.py for the transitions)
    status = UnicodeAttribute(default="not_connected")

    # The tenant this org syncs with, and every tenant the consent covered (F1.3).
    tenant_id = UnicodeAttribute(null=True)
    tenant_name = UnicodeAttribute(null=True)
    tenant_type = UnicodeAttribute(null=True)
    connection_id = UnicodeAttribute(null=True)
    tenants = ListAttribute(of=TenantAttribute, null=True)
    auth_event_id = UnicodeAttribute(null=True)
    scopes = UnicodeAttribute(null=True)
    connected_by_email = UnicodeAttribute(null=True)
    connected_by_user_id = UnicodeAttribute(null=True)
    connected_at = UTCDateTimeAttribute(null=True)

    # Tokens, KMS-encrypted (encryption context: org_id). Never logged, never returned.
    access_token_enc = BinaryAttribute(null=True, legacy_encoding=False)
    access_token_expires_at = UTCDateTimeAttribute(null=True)
    refresh_token_enc = BinaryAttribute(null=True, legacy_encoding=False)
    refresh_token_issued_at = UTCDateTimeAttribute(null=True)
    token_version = NumberAttribute(default=0)
    # Single-flight refresh: whoever holds the lease may spend the refresh token.
    refresh_lease_owner = UnicodeAttribute(null=True)
    refresh_lease_until = UTCDateTimeAttribute(null=True)

    # Schedule (F3.7) and activity (F6.1), each with its sparse index.
    schedule_shard = UnicodeAttribute(null=True)
    next_sync_at = UTCDateTimeAttribute(null=True)
    activity_shard = UnicodeAttribute(null=True)
    last_activity_at = UTCDateTimeAttribute(null=True)
    last_sync_at = UTCDateTimeAttribute(null=True)
    inactivity_warning_sent_at = UTCDateTimeAttribute(null=True)

    last_error = UnicodeAttribute(null=True)
    last_error_at = UTCDateTimeAttribute(null=True)
    disconnected_at = UTCDateTimeAttribute(null=True)
    disconnect_reason = UnicodeAttribute(null=True)
    created_at = UTCDateTimeAttribute(null=True)
    updated_at = UTCDateTimeAttribute(null=True)

    due_index = DueIndex()
    activity_index = ActivityIndex()
    tenant_index = TenantIndex()
    xero_user_index = XeroUserIndex()


# ----------------------------------------------------------------------------------------------
# Org configuration: settings, tax mappings and the reference data imported from Xero.
# ----------------------------------------------------------------------------------------------


class OrgConfigModel(Model):
    """One item per (org, kind): ``settings``, ``tax_mappings``, ``xero#accounts``,
    ``xero#tax_rates``, ``xero#currencies``, ``xero#contact_groups``, ``xero#organisation``.
    ``body`` is the JSON of the matching pydantic model."""

    class Meta(_Unbound):
        pass

    org_id = UnicodeAttribute(hash_key=True)
    item = UnicodeAttribute(range_key=True)
    body = JSONAttribute()
    revision = NumberAttribute(default=0)
    updated_at = UTCDateTimeAttribute(null=True)


# ----------------------------------------------------------------------------------------------
# OAuth state: single-use, bound to an org, short-lived (F1.1, N4).
# ----------------------------------------------------------------------------------------------


class OAuthStateModel(Model):
    """Keyed by the SHA-256 of the ``state`` value: the raw state never rests in the table."""

    class Meta(_Unbound):
        pass

    state_hash = UnicodeAttribute(hash_key=True)
    org_id = UnicodeAttribute()
    return_url = UnicodeAttribute()
    redirect_uri = UnicodeAttribute()
    code_verifier_enc = BinaryAttribute(legacy_encoding=False)
    created_at = UTCDateTimeAttribute()
    expires_at = TTLAttribute()


# ----------------------------------------------------------------------------------------------
# Host API keys (N4): stored as hashes, scoped to orgs.
# ----------------------------------------------------------------------------------------------


class ApiKeyModel(Model):
    class Meta(_Unbound):
        pass

    key_id = UnicodeAttribute(hash_key=True)
    secret_hash = UnicodeAttribute()
    name = UnicodeAttribute()
    org_ids = UnicodeSetAttribute(null=True)
    all_orgs = BooleanAttribute(default=False)
    created_at = UTCDateTimeAttribute()
    revoked_at = UTCDateTimeAttribute(null=True)


# ----------------------------------------------------------------------------------------------
# Rate governor: per-tenant counters shared by every concurrent Lambda (N2).
# ----------------------------------------------------------------------------------------------


class RateLimitModel(Model):
    """``bucket`` is a tenant id (or ``app`` for the app-wide limit); ``kind`` is ``limits``
    (dal/rate_limits.py), or ``budget#<class>`` for the tenant's count in the app-wide budget
    (dal/app_budget.py, whose slice shards are ``app-budget#<slice>#<shard>``). Items expire
    through ``expires_at``."""

    class Meta(_Unbound):
        pass

    bucket = UnicodeAttribute(hash_key=True)
    kind = UnicodeAttribute(range_key=True)
    tat = NumberAttribute(null=True)  # pacing: theoretical arrival time, epoch seconds
    remaining_day = NumberAttribute(null=True)
    remaining_minute = NumberAttribute(null=True)
    observed_at = NumberAttribute(null=True)
    blocked_until = NumberAttribute(null=True)
    block_reason = UnicodeAttribute(null=True)
    # In-flight permits of the governor: "<lease end, epoch s>|<permit id>" per call in flight.
    # A set, so that ADD/DELETE work without a read and size() counts the calls in flight.
    holders = UnicodeSetAttribute(null=True)
    # The app-wide budget (dal/app_budget.py): calls counted in a slice, per tenant or per shard.
    calls = NumberAttribute(null=True)
    window = NumberAttribute(null=True)  # the slice a tenant's count is for
    active_interactive = NumberAttribute(null=True)  # tenants active per class in a shard's slice
    active_realtime = NumberAttribute(null=True)
    active_background = NumberAttribute(null=True)
    expires_at = TTLAttribute(null=True)


# ----------------------------------------------------------------------------------------------
# Host records and their sync state (F3.1, N1).
# ----------------------------------------------------------------------------------------------


class StatusIndex(GlobalSecondaryIndex):
    """Records of an org by sync status: ``status_key`` = ``{org_id}#{status}``, ordered by when
    they entered it. Used by the tick (pending), retry-all and reprocess (failed), digests."""

    class Meta:
        index_name = "StatusIndex"
        projection = KeysOnlyProjection()

    status_key = UnicodeAttribute(hash_key=True)
    status_at = UTCDateTimeAttribute(range_key=True)


class WaitingIndex(GlobalSecondaryIndex):
    """Children waiting for a parent to reach Xero: ``waiting_on`` =
    ``{org_id}#{parent_entity}#{parent_id}``; set only while the child waits."""

    class Meta:
        index_name = "WaitingIndex"
        projection = KeysOnlyProjection()

    waiting_on = UnicodeAttribute(hash_key=True)
    record_key = UnicodeAttribute(range_key=True)


class InventoryDayIndex(GlobalSecondaryIndex):
    """Invoices and bills whose lines carry item costs, by document day: ``inventory_day`` =
    ``{org_id}#{YYYY-MM-DD}`` — what the daily inventory journal adds up (F3.9); sparse."""

    class Meta:
        index_name = "InventoryDayIndex"
        projection = KeysOnlyProjection()

    inventory_day = UnicodeAttribute(hash_key=True)
    record_key = UnicodeAttribute(range_key=True)


class RecordModel(Model):
    """The latest state of one host record and where it stands with Xero.
    ``record_key`` = ``{entity}#{record_id}``."""

    class Meta(_Unbound):
        pass

    org_id = UnicodeAttribute(hash_key=True)
    record_key = UnicodeAttribute(range_key=True)
    entity = UnicodeAttribute()
    record_id = UnicodeAttribute()
    family = UnicodeAttribute()

    # What the host sent last (F3.1): newer versions replace older ones, never the reverse.
    version = NumberAttribute()
    action = UnicodeAttribute()  # upsert | delete
    data = JSONAttribute(null=True)  # items written before data_z: read, never written
    data_z = BinaryAttribute(null=True, legacy_encoding=False)  # zlib of the JSON (domain/record_payload.py)
    received_at = UTCDateTimeAttribute()

    # Sync state: idle | pending | in_flight | waiting | synced | skipped | failed
    status = UnicodeAttribute()
    status_key = UnicodeAttribute(null=True)
    status_at = UTCDateTimeAttribute(null=True)
    waiting_on = UnicodeAttribute(null=True)
    referenced = BooleanAttribute(default=False)  # contacts: exported only once referenced
    has_waiters = BooleanAttribute(null=True)  # some child waits for this record to reach Xero
    deferred_children = UnicodeSetAttribute(null=True)  # record keys deferred behind it (record_deferrals.py)

    # The link to Xero. A link counts only while ``xero_tenant_id`` is the org's current tenant.
    xero_tenant_id = UnicodeAttribute(null=True)
    xero_id = UnicodeAttribute(null=True)
    xero_refs = JSONAttribute(null=True)  # further ids: payment, allocation, write-off note …
    exported_version = NumberAttribute(null=True)
    exported_action = UnicodeAttribute(null=True)
    exported_fingerprint = UnicodeAttribute(null=True)

    # In-flight claim (N1): set before the Xero call, so an unknown outcome is looked up first.
    claim_owner = UnicodeAttribute(null=True)
    claim_until = UTCDateTimeAttribute(null=True)
    claim_version = NumberAttribute(null=True)
    claim_operation = UnicodeAttribute(null=True)
    idempotency_key = UnicodeAttribute(null=True)

    attempts = NumberAttribute(default=0)
    error_code = UnicodeAttribute(null=True)
    last_message = UnicodeAttribute(null=True)
    synced_at = UTCDateTimeAttribute(null=True)
    updated_at = UTCDateTimeAttribute(null=True)

    status_index = StatusIndex()
    waiting_index = WaitingIndex()
    inventory_day = UnicodeAttribute(null=True)  # set only on documents with item costs (F3.9)
    inventory_day_index = InventoryDayIndex()


# ----------------------------------------------------------------------------------------------
# Contact links: which Xero contact a host contact is (F5, F4.2).
# ----------------------------------------------------------------------------------------------


class XeroContactIndex(GlobalSecondaryIndex):
    """The host contact linked to a Xero contact: ``xero_key`` = ``{org_id}#{xero_contact_id}``."""

    class Meta:
        index_name = "XeroContactIndex"
        projection = AllProjection()

    xero_key = UnicodeAttribute(hash_key=True)


class LinkModel(Model):
    """One item per (org, host contact): ``link_key`` = ``contact#{host_contact_id}``."""

    class Meta(_Unbound):
        pass

    org_id = UnicodeAttribute(hash_key=True)
    link_key = UnicodeAttribute(range_key=True)
    host_contact_id = UnicodeAttribute()
    xero_contact_id = UnicodeAttribute()
    xero_key = UnicodeAttribute()
    tenant_id = UnicodeAttribute()
    source = UnicodeAttribute()
    linked_at = UTCDateTimeAttribute()

    xero_contact_index = XeroContactIndex()


# ----------------------------------------------------------------------------------------------
# History: every attempt and notable event (F7.1), newest last within an org.
# ----------------------------------------------------------------------------------------------


class RecordHistoryIndex(GlobalSecondaryIndex):
    """One record's attempts: ``record_ref`` = ``{org_id}#{entity}#{record_id}``."""

    class Meta:
        index_name = "RecordHistoryIndex"
        projection = KeysOnlyProjection()

    record_ref = UnicodeAttribute(hash_key=True)
    event_id = UnicodeAttribute(range_key=True)


class OutcomeIndex(GlobalSecondaryIndex):
    """An org's events with one outcome, newest last: ``outcome_key`` = ``{org_id}#{outcome}``.
    Listing the failures (F7.1) reads only failures, however long the history."""

    class Meta:
        index_name = "OutcomeIndex"
        projection = AllProjection()

    outcome_key = UnicodeAttribute(hash_key=True)
    event_id = UnicodeAttribute(range_key=True)


class HistoryModel(Model):
    """``event_id`` = ``{ISO time}#{random}``: sortable by time, unique."""

    class Meta(_Unbound):
        pass

    org_id = UnicodeAttribute(hash_key=True)
    event_id = UnicodeAttribute(range_key=True)
    at = UTCDateTimeAttribute()
    direction = UnicodeAttribute()  # export | import | connection | notification | admin
    action = UnicodeAttribute()  # create | update | void | delete | link | skip | refresh | …
    outcome = UnicodeAttribute()  # succeeded | failed | skipped | retrying | waiting | info
    outcome_key = UnicodeAttribute(null=True)
    entity = UnicodeAttribute(null=True)
    record_id = UnicodeAttribute(null=True)
    record_ref = UnicodeAttribute(null=True)
    version = NumberAttribute(null=True)
    xero_id = UnicodeAttribute(null=True)
    error_code = UnicodeAttribute(null=True)
    message = UnicodeAttribute(null=True)
    details = JSONAttribute(null=True)
    expires_at = TTLAttribute(null=True)

    record_history_index = RecordHistoryIndex()
    outcome_index = OutcomeIndex()


# ----------------------------------------------------------------------------------------------
# The read view (F5): each linked Xero contact's documents, cached; pins on host records.
# ----------------------------------------------------------------------------------------------


class InvoiceViewModel(Model):
    """Two kinds of item per org (dal/invoice_view.py):

    * ``cache#{xero_contact_id}`` (and ``…#{n}`` when a contact's documents need more than one
      item): the contact's documents as zlib-compressed JSON, when each part was read from Xero
      and how many changes Xero's webhooks reported; expire ``CACHE_RETENTION`` after the last read;
    * ``pin#{record_type}#{record_id}#{document_id}`` (the host's parts percent-encoded): an
      invoice pinned to a host record; kept until unpinned.
    """

    class Meta(_Unbound):
        pass

    org_id = UnicodeAttribute(hash_key=True)
    item_key = UnicodeAttribute(range_key=True)
    tenant_id = UnicodeAttribute(null=True)

    # cache items
    body = BinaryAttribute(null=True, legacy_encoding=False)
    parts = NumberAttribute(null=True)
    generation = UnicodeAttribute(null=True)
    invoices_fetched_at = UTCDateTimeAttribute(null=True)
    credit_notes_fetched_at = UTCDateTimeAttribute(null=True)
    invoices_seen = NumberAttribute(null=True)  # the change count the cached part reflects
    credit_notes_seen = NumberAttribute(null=True)
    # written only by the webhook listener: changes Xero reported, and when the last one was noted
    invoices_changes = NumberAttribute(null=True)
    credit_notes_changes = NumberAttribute(null=True)
    invoices_changed_at = UTCDateTimeAttribute(null=True)
    credit_notes_changed_at = UTCDateTimeAttribute(null=True)
    org_facts = JSONAttribute(null=True)
    expires_at = TTLAttribute(null=True)

    # pins
    record_type = UnicodeAttribute(null=True)
    record_id = UnicodeAttribute(null=True)
    document_id = UnicodeAttribute(null=True)
    xero_contact_id = UnicodeAttribute(null=True)
    pinned_at = UTCDateTimeAttribute(null=True)


# ----------------------------------------------------------------------------------------------
# Integration console (F8): single-use links and the sessions they start.
# ----------------------------------------------------------------------------------------------


class ConsoleSessionModel(Model):
    """Keyed by the SHA-256 of the secret (a link token or a session id): the secret itself never
    rests in the table. ``kind`` is ``link`` (single use, minutes) or ``session``; both expire
    through ``expires_at`` (a session's idle deadline), a session also at ``ends_at``."""

    class Meta(_Unbound):
        pass

    secret_hash = UnicodeAttribute(hash_key=True)
    kind = UnicodeAttribute()
    org_id = UnicodeAttribute()
    page = UnicodeAttribute(null=True)
    language = UnicodeAttribute(null=True)
    return_url = UnicodeAttribute(null=True)
    csrf_token = UnicodeAttribute(null=True)
    embedded = BooleanAttribute(default=False)
    created_at = UTCDateTimeAttribute()
    last_seen_at = UTCDateTimeAttribute(null=True)
    ends_at = UTCDateTimeAttribute(null=True)
    expires_at = TTLAttribute()
