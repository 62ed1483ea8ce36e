"""What the services need from the outside world, as interfaces (``Protocol``).

The services are written against these; ``wiring.py`` gives them the DynamoDB repositories
(``dal/``), the SQS and SES adapters (``aws/``) and the Xero client (``xero/``), and the unit
tests give them the in-memory fakes of ``tests/fakes``. Every method returns domain entities
(``domain/``), never a storage row. The docstrings of the DynamoDB implementations say how each
write is made safe against concurrent Lambdas.
"""

from __future__ import annotations

import builtins
from collections.abc import Callable, Collection, Iterable, Iterator
from datetime import datetime, timedelta
from typing import Any, Protocol

from xero_sync.domain.apikeys import StoredKey
from xero_sync.domain.config_items import ConfigItem
from xero_sync.domain.connection import Connection, ConnectionStatus, EncryptedTokens, TenantRef
from xero_sync.domain.email import OutgoingEmail
from xero_sync.domain.history import HistoryEvent, HistoryPage
from xero_sync.domain.links import ContactLink
from xero_sync.domain.oauth import PendingConsent
from xero_sync.domain.records import RecordKey, RecordStatus, StoredRecord, StoreResult, Synced
from xero_sync.models.messages import EnqueueReason
from xero_sync.models.notifications import NotificationMessage


class ConnectionStore(Protocol):
    """One connection per org (F1), its tokens (ciphertext), schedule and activity."""

    def get(self, org_id: str) -> Connection | None: ...
    def due_org_ids(self, shard: str, now: datetime, limit: int | None = None) -> Iterator[str]: ...
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
    ) -> StoreResult: ...
    def mark_referenced(self, key: RecordKey, now: datetime) -> bool: ...
    def note_waiter(self, parent: RecordKey) -> StoredRecord | None: ...
    def take_waiters(self, parent: RecordKey, now: datetime) -> list[RecordKey]: ...
    def get_many(self, keys: Iterable[RecordKey]) -> dict[RecordKey, StoredRecord]: ...
    def get(self, key: RecordKey) -> StoredRecord | None: ...
    def keys_with_status(
        self, org_id: str, status: RecordStatus, *, since: datetime | None = None, until: datetime | None = None
    ) -> Iterator[RecordKey]: ...
    def waiting_children(self, org_id: str, parent_entity: str, parent_id: str) -> Iterator[RecordKey]: ...
    def claim_for_operation(
        self,
        key: RecordKey,
        *,
        owner: str,
        version: int,
        operation: str,
        idempotency_key: str,
        now: datetime,
        until: datetime,
    ) -> bool: ...
    def release(
        self, key: RecordKey, *, owner: str, outcome_unknown: bool, message: str | None, now: datetime
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
    def mark_synced(
        self,
        key: RecordKey,
        *,
        owner: str | None,
        version: int,
        action: str,
        tenant_id: str,
        xero_id: str | None,
        xero_refs: dict[str, Any] | None,
        fingerprint: str | None,
        message: str | None,
        now: datetime,
    ) -> Synced: ...
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
    """The per-family export queues and their dead-letter queues (aws/export_queues.py)."""

    def enqueue(
        self, keys: Collection[RecordKey], reason: EnqueueReason, *, delay_seconds: int = 0, deferrals: int = 0
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
