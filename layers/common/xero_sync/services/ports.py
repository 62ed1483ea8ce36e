"""What the services need from the outside world, as interfaces (``Protocol``).

The services are written against these; ``wiring.py`` gives them the DynamoDB repositories
(``dal/``), the SQS and SES adapters (``aws/``) and the Xero client (``xero/``), and the unit
tests give them the in-memory fakes of ``tests/fakes``. Every method returns domain entities
(``domain/``), never a storage row. The docstrings of the DynamoDB implementations say how each
write is made safe against concurrent Lambdas.
"""

from __future__ import annotations

import builtins
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:  # annotations only: a port names the entities of every area, and importing them
    # here would load every area's domain (and the record and notification models) into every
    # function that names one port (cold start, N6); each is loaded by the code that uses it.
    from xero_sync.domain.apikeys import StoredKey
    from xero_sync.domain.changes import AppendResult, Change, ChangePage
    from xero_sync.domain.config_items import ConfigItem
    from xero_sync.domain.connection import Connection, ConnectionStatus, EncryptedTokens, TenantRef
    from xero_sync.domain.console import ConsoleLink, ConsoleSession
    from xero_sync.domain.contact_documents import CachedDocuments, Part, Pin, RecordRef
    from xero_sync.domain.email import OutgoingEmail
    from xero_sync.domain.history import HistoryEvent, HistoryPage
    from xero_sync.domain.host_webhooks import HostWebhook
    from xero_sync.domain.links import ContactLink
    from xero_sync.domain.oauth import PendingConsent
    from xero_sync.domain.records import (
        ClaimRequest,
        RecordKey,
        RecordStatus,
        StoredRecord,
        StoreResult,
        Synced,
        SyncedMark,
    )
    from xero_sync.domain.schedule import DueSync
    from xero_sync.domain.xero_objects import ExportedElement, ObjectKey, ObjectWrite, PollCursor, XeroObject
    from xero_sync.models.imports import OrgImport, OrgObjects, TenantEvents
    from xero_sync.models.messages import EnqueueReason
    from xero_sync.models.notifications import NotificationMessage


class ConnectionStore(Protocol):
    """One connection per org (F1), its tokens (ciphertext), schedule and activity."""

    def get(self, org_id: str) -> Connection | None: ...
    def due_orgs(self, shard: str, now: datetime, limit: int | None = None) -> Iterator[DueSync]: ...
    def idle_org_ids(self, shard: str, idle_since: datetime) -> Iterator[str]: ...
    def on_tenant(self, tenant_id: str) -> list[Connection]: ...
    def of_xero_user(self, user_id: str) -> list[Connection]: ...
    def save_consent(
        self,
        org_id: str,
        *,
        tenants: list[TenantRef],
        chosen: TenantRef | None,
        auth_event_id: str | None,
        scopes: str | None,
        connected_by_email: str | None,
        connected_by_user_id: str | None,
        tokens: EncryptedTokens,
        now: datetime,
    ) -> Connection: ...
    def choose_tenant(self, org_id: str, tenant: TenantRef, now: datetime) -> Connection: ...
    def set_status(
        self,
        org_id: str,
        status: ConnectionStatus,
        *,
        allowed_from: Iterable[ConnectionStatus],
        now: datetime,
        message: str | None = None,
    ) -> Connection: ...
    def disconnect(self, org_id: str, status: ConnectionStatus, reason: str, now: datetime) -> Connection: ...
    def reset_tenant(self, org_id: str, now: datetime) -> Connection: ...
    def mark_needs_reauth(self, org_id: str, *, expected_token_version: int, message: str, now: datetime) -> bool: ...
    def acquire_refresh_lease(
        self, org_id: str, *, owner: str, now: datetime, until: datetime
    ) -> Connection | None: ...
    def store_refreshed_tokens(
        self, org_id: str, tokens: EncryptedTokens, *, owner: str, expected_token_version: int, now: datetime
    ) -> Connection | None: ...
    def release_refresh_lease(self, org_id: str, *, owner: str) -> None: ...
    def record_activity(self, org_id: str, now: datetime) -> None: ...
    def mark_inactivity_warning(self, org_id: str, *, idle_since: datetime, now: datetime) -> bool: ...
    def set_next_sync(
        self, org_id: str, next_sync_at: datetime | None, *, last_sync_at: datetime | None = None
    ) -> None: ...
    def advance_schedule(
        self, org_id: str, *, expected: datetime | None, next_sync_at: datetime | None, now: datetime
    ) -> bool: ...
    def record_error(self, org_id: str, message: str, now: datetime) -> None: ...
    def clear_error(self, org_id: str) -> None: ...


class RecordStore(Protocol):
    """The host's records (latest version wins), their links to Xero and the export claim (N1)."""

    def store_version(
        self,
        key: RecordKey,
        *,
        family: str,
        version: int,
        action: str,
        data: dict[str, Any] | None,
        status: RecordStatus | None,
        now: datetime,
        waiting_on: str | None = None,
        inventory_day: str | None = None,
    ) -> StoreResult: ...
    def mark_referenced(self, key: RecordKey, now: datetime) -> bool: ...
    def mark_all_referenced(self, keys: Sequence[RecordKey], now: datetime) -> list[bool]: ...
    def note_waiter(self, parent: RecordKey) -> StoredRecord | None: ...
    def take_waiters(self, parent: RecordKey, now: datetime) -> list[RecordKey]: ...
    def defer_behind(self, deferrals: Mapping[RecordKey, Collection[RecordKey]]) -> list[RecordKey]: ...
    def get_many(self, keys: Iterable[RecordKey]) -> dict[RecordKey, StoredRecord]: ...
    def get(self, key: RecordKey) -> StoredRecord | None: ...
    def keys_with_status(
        self, org_id: str, status: RecordStatus, *, since: datetime | None = None, until: datetime | None = None
    ) -> Iterator[RecordKey]: ...
    def keys_and_times_with_status(
        self, org_id: str, status: RecordStatus, *, since: datetime | None = None
    ) -> Iterator[tuple[RecordKey, datetime]]: ...
    def waiting_children(self, org_id: str, parent_entity: str, parent_id: str) -> Iterator[RecordKey]: ...
    def keys_on_inventory_day(self, org_id: str, day: str) -> Iterator[RecordKey]: ...
    def claim_for_operation(
        self,
        key: RecordKey,
        *,
        owner: str,
        version: int,
        exported_version: int | None,
        operation: str,
        idempotency_key: str,
        now: datetime,
        until: datetime,
    ) -> bool: ...
    def claim_all_for_operation(
        self,
        claims: Sequence[ClaimRequest],
        *,
        owner: str,
        operation: str,
        idempotency_key: str,
        now: datetime,
        until: datetime,
    ) -> list[bool]:
        """``claim_for_operation`` for each record of one call, in as few requests as the store
        allows; which were claimed, in order."""
        ...

    def release(
        self,
        key: RecordKey,
        *,
        owner: str,
        outcome_unknown: bool,
        message: str | None,
        now: datetime,
        not_sent: bool = False,
    ) -> None: ...
    def adopt_link(
        self,
        key: RecordKey,
        *,
        version: int,
        action: str,
        tenant_id: str,
        xero_id: str,
        xero_refs: dict[str, Any] | None,
        message: str,
        now: datetime,
    ) -> None: ...
    def save_progress(self, key: RecordKey, *, owner: str, xero_refs: dict[str, Any], now: datetime) -> None: ...
    def forget_link(
        self, key: RecordKey, *, owner: str | None, xero_refs: dict[str, Any] | None, now: datetime
    ) -> None: ...
    def clear_pending_operation(self, key: RecordKey, *, message: str, now: datetime) -> None: ...
    def mark_synced(self, mark: SyncedMark, now: datetime) -> Synced: ...
    def mark_all_synced(self, marks: Sequence[SyncedMark], now: datetime) -> list[Synced | None]: ...
    def mark_outcome(
        self,
        key: RecordKey,
        *,
        owner: str | None,
        status: RecordStatus,
        version: int,
        error_code: str | None,
        message: str | None,
        waiting_on: str | None = None,
        now: datetime,
    ) -> RecordStatus: ...
    def requeue(self, key: RecordKey, *, now: datetime, only_from: Iterable[RecordStatus]) -> bool: ...


class HistoryStore(Protocol):
    """Every attempt and notable event of an org (F7.1), newest first."""

    def append(self, event: HistoryEvent) -> str: ...
    def append_many(self, events: Iterable[HistoryEvent]) -> int: ...
    def list(
        self,
        org_id: str,
        *,
        outcome: str | None = None,
        entity: str | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        search: str | None = None,
        limit: int = 50,
        cursor: str | None = None,
    ) -> HistoryPage: ...
    def for_record(
        self, org_id: str, entity: str, record_id: str, *, limit: int = 20
    ) -> builtins.list[HistoryEvent]: ...  # ``list`` here would be the method above


class OrgConfigStore(Protocol):
    """Named JSON items per org with a revision (domain/config_items.py)."""

    def get(self, org_id: str, item: str) -> ConfigItem | None: ...
    def get_many(self, org_id: str, items: list[str]) -> dict[str, ConfigItem]: ...
    def put(self, org_id: str, item: str, body: Any, *, now: datetime, expected_revision: int | None = None) -> int: ...


class OAuthStateStore(Protocol):
    """Single-use, org-bound, short-lived OAuth ``state`` values (F1.1)."""

    def put(
        self,
        *,
        state_hash: str,
        org_id: str,
        return_url: str,
        redirect_uri: str,
        code_verifier_enc: bytes,
        now: datetime,
        ttl: timedelta,
    ) -> None: ...
    def consume(self, state_hash: str) -> PendingConsent | None: ...


class ApiKeyStore(Protocol):
    """Host API keys, stored as hashes (N4)."""

    def create(
        self, *, key_id: str, name: str, secret_hash: str, org_ids: set[str], all_orgs: bool, now: datetime
    ) -> StoredKey: ...
    def get(self, key_id: str) -> StoredKey | None: ...
    def list(self) -> Iterator[StoredKey]: ...
    def revoke(self, key_id: str, now: datetime) -> bool: ...


class ExportQueue(Protocol):
    """The per-family export queues, the backfill queue and their dead-letter queues
    (aws/export_queues.py). ``background``: the keys belong to a backfill and go to the backfill
    queue, whose workers never hold up the family queues' real-time exports (N2)."""

    def enqueue(
        self,
        keys: Collection[RecordKey],
        reason: EnqueueReason,
        *,
        delay_seconds: int = 0,
        deferrals: int = 0,
        background: bool = False,
    ) -> int: ...
    def park_in_dlq(self, key: RecordKey, note: str) -> None: ...


class NotificationQueue(Protocol):
    """The queue between whoever decides an email is due and the notifier that sends it."""

    def send(self, message: NotificationMessage, *, delay_seconds: int = 0) -> None: ...


class Mailer(Protocol):
    """Sends one email (SES); returns the provider's message id."""

    def send(self, email: OutgoingEmail) -> str: ...


class OnceGuard(Protocol):
    """Runs ``action`` once per ``key``; a repeated key returns the first run's result."""

    def run_once(self, key: str, action: Callable[[], dict[str, Any]]) -> dict[str, Any]: ...


class Cipher(Protocol):
    """Encrypts a secret for one org (KMS, the org as encryption context) and back."""

    def encrypt(self, plaintext: str, *, org_id: str) -> bytes: ...
    def decrypt(self, blob: bytes, *, org_id: str) -> str: ...


class ContactLinkStore(Protocol):
    """Which Xero contact a host contact is (domain/links.py)."""

    def get(self, org_id: str, host_contact_id: str) -> ContactLink | None: ...
    def by_xero_contact(self, org_id: str, xero_contact_id: str) -> builtins.list[ContactLink]: ...
    def put(self, link: ContactLink) -> bool: ...
    def delete(self, org_id: str, host_contact_id: str) -> bool: ...


class InvoiceCacheStore(Protocol):
    """The read view's cache of each linked Xero contact's documents (dal/invoice_view.py)."""

    def get(self, org_id: str, xero_contact_id: str) -> CachedDocuments | None: ...
    def put(self, entry: CachedDocuments) -> bool: ...
    def invalidate(self, org_id: str, xero_contact_id: str, part: Part, now: datetime) -> bool: ...


class PinStore(Protocol):
    """Xero documents pinned to host records (domain/contact_documents.py)."""

    def pins_of(self, org_id: str, record: RecordRef) -> builtins.list[Pin]: ...
    def put(self, pin: Pin) -> bool: ...
    def delete(self, org_id: str, record: RecordRef, document_id: str) -> bool: ...


class ConsoleSessionStore(Protocol):
    """Single-use console links and the console sessions they start (F8), keyed by the hash of
    their secret; a link is consumed by exactly one caller."""

    def put_link(self, token_hash: str, link: ConsoleLink, *, created_at: datetime) -> None: ...
    def consume_link(self, token_hash: str) -> ConsoleLink | None: ...
    def put_session(self, session_hash: str, session: ConsoleSession) -> None: ...
    def get_session(self, session_hash: str) -> ConsoleSession | None: ...
    def touch(self, session_hash: str, session: ConsoleSession) -> bool: ...
    def delete_session(self, session_hash: str) -> None: ...


# --- Xero → host (F4) ---------------------------------------------------------------------------


class ChangeStore(Protocol):
    """The org's change feed (dal/changes.py): ids handed out in commit order, each change
    written with its object's new state on condition that the object did not move."""

    def last_id(self, org_id: str) -> str | None: ...
    def append(self, org_id: str, entries: Sequence[tuple[Change, ObjectWrite]]) -> AppendResult: ...
    def page(self, org_id: str, *, after: str | None, limit: int) -> ChangePage: ...
    def get(self, org_id: str, change_id: str) -> Change | None: ...


class XeroObjectStore(Protocol):
    """What the service last knew of each Xero object, and the poll cursors (dal/xero_objects.py)."""

    def get_many(self, keys: Iterable[ObjectKey]) -> dict[ObjectKey, XeroObject]: ...
    def get(self, key: ObjectKey) -> XeroObject | None: ...
    def record(self, write: ObjectWrite, now: datetime) -> bool: ...
    def record_all(self, writes: Sequence[ObjectWrite], now: datetime) -> list[bool]: ...
    def cursor(self, org_id: str, resource: str) -> PollCursor | None: ...
    def save_cursor(self, cursor: PollCursor, now: datetime) -> None: ...


class HostContactSource(Protocol):
    """The org's host contacts, for matching (dal/host_contacts.py)."""

    def contacts(self, org_id: str) -> Iterator[tuple[str, dict[str, Any]]]: ...


class HostWebhookStore(Protocol):
    """The host's webhook subscription per org, with a delivery lease (dal/host_webhooks.py)."""

    def get(self, org_id: str) -> HostWebhook | None: ...
    def create(
        self,
        org_id: str,
        *,
        url: str,
        secret_enc: bytes,
        secret_hint: str,
        delivered_through: str | None,
        now: datetime,
    ) -> HostWebhook: ...
    def set_url(self, org_id: str, url: str, now: datetime) -> HostWebhook | None: ...
    def delete(self, org_id: str) -> bool: ...
    def acquire_lease(self, org_id: str, *, owner: str, now: datetime, until: datetime) -> HostWebhook | None: ...
    def release_lease(self, org_id: str, *, owner: str) -> None: ...
    def delivered(self, org_id: str, *, owner: str, change_id: str, now: datetime) -> bool: ...
    def failed(self, org_id: str, *, owner: str, error: str, failing_since: datetime, attempts: int) -> bool: ...
    def gave_up(self, org_id: str, *, owner: str, through: str, error: str) -> bool: ...


class ImportQueue(Protocol):
    """The import queue (aws/import_queue.py): webhook events of a tenant, org imports."""

    def send(self, messages: Sequence[TenantEvents | OrgImport | OrgObjects], *, delay_seconds: int = 0) -> int: ...


class HostWebhookQueue(Protocol):
    """Nudges for the host webhook deliverer (aws/host_webhook_queue.py)."""

    def nudge(self, org_id: str, *, attempt: int = 0, delay_seconds: int = 0) -> None: ...


@dataclass(frozen=True)
class HttpAnswer:
    """What a host's endpoint answered (or why there was no answer)."""

    status_code: int | None
    error: str | None
    duration_ms: float

    @property
    def accepted(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


class WebhookSender(Protocol):
    """POSTs to the host's webhook URL (outbound/host_http.py). ``check`` resolves the URL's host
    name and raises UnsafeUrl unless every address is one the service may call; ``post`` checks
    again and connects to the address it checked."""

    def check(self, url: str) -> None: ...
    def post(self, url: str, body: bytes, headers: dict[str, str]) -> HttpAnswer: ...


class XeroInvoiceListener(Protocol):
    """Told by the import worker, for every INVOICE event and every invoice or bill it read, which
    Xero contacts' invoices changed — e.g. the read view's per-contact invoice cache (F5)
    refreshes them. Must not raise for long: the import catches and logs what it raises."""

    def invoices_changed(self, org_id: str, xero_contact_ids: Collection[str], now: datetime) -> None: ...


class XeroWriteListener(Protocol):
    """Told by the export worker about every contact or document it wrote to (or linked in) Xero,
    with Xero's answer: the import records that state so that Xero's report of the service's own
    write does not come back to the host as a change (no echo)."""

    def written(self, writes: Sequence[ExportedElement], now: datetime) -> None: ...
