"""In-memory stand-ins for the lifecycle services' unit tests (no I/O): the repositories, the
notifications queue, the mailer and the once-guard, each with just the behaviour the services
rely on — conditional writes included, since the services' guarantees rest on them."""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from types import SimpleNamespace
from typing import Any

from xero_sync.aws.ses import EmailRejected, EmailThrottled, OutgoingEmail
from xero_sync.dal.history import HistoryEvent
from xero_sync.dal.org_config import ConfigItem, RevisionConflict
from xero_sync.dal.records import RecordKey, RecordStatus
from xero_sync.domain.connection import WATCHED_FOR_INACTIVITY, ConnectionStatus, shard_of
from xero_sync.models.org_config import OrgSettings
from xero_sync.services.notifications import HostLinks, NotificationService

T0 = datetime(2026, 11, 21, 9, 30, tzinfo=timezone.utc)
SHARDS = 4


class Clock:
    def __init__(self, start: datetime = T0) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> datetime:
        self.now += timedelta(**delta)
        return self.now


class FakeOrgConfig:
    """OrgConfigRepository: items with revisions; ``put`` honours ``expected_revision``."""

    def __init__(self) -> None:
        self.items: dict[tuple[str, str], ConfigItem] = {}
        self.puts = 0
        self.gets = 0

    def get(self, org_id: str, item: str) -> ConfigItem | None:
        self.gets += 1
        found = self.items.get((org_id, item))
        return copy.deepcopy(found) if found else None

    def put(self, org_id: str, item: str, body: Any, *, now: datetime, expected_revision: int | None = None) -> int:
        current = self.items.get((org_id, item))
        revision = current.revision if current else 0
        if expected_revision is not None and expected_revision != revision:
            raise RevisionConflict(item)
        self.puts += 1
        self.items[(org_id, item)] = ConfigItem(body=copy.deepcopy(body), revision=revision + 1, updated_at=now)
        return revision + 1


class FakeConnections:
    """ConnectionRepository: items as SimpleNamespaces; the activity index is derived from them."""

    def __init__(self) -> None:
        self.items: dict[str, SimpleNamespace] = {}
        self.disconnected: list[tuple[str, str]] = []

    def add(self, org_id: str, *, status: ConnectionStatus = ConnectionStatus.CONNECTED, last_activity_at: datetime = T0,
            warned_at: datetime | None = None, email: str | None = "owner@acme.example", tenant_name: str = "Acme NZ",
            token_version: int = 3) -> SimpleNamespace:
        item = SimpleNamespace(
            org_id=org_id, status=status.value, last_activity_at=last_activity_at, inactivity_warning_sent_at=warned_at,
            connected_by_email=email, tenant_name=tenant_name, token_version=token_version, last_error=None,
            disconnect_reason=None, disconnected_at=None,
        )
        self.items[org_id] = item
        return item

    def get(self, org_id: str) -> SimpleNamespace | None:
        item = self.items.get(org_id)
        return copy.copy(item) if item else None

    def idle_org_ids(self, shard: str, idle_since: datetime):
        for org_id, item in sorted(self.items.items()):
            watched = ConnectionStatus(item.status) in WATCHED_FOR_INACTIVITY
            if watched and shard_of(org_id, SHARDS) == shard and item.last_activity_at <= idle_since:
                yield org_id

    def mark_inactivity_warning(self, org_id: str, *, idle_since: datetime, now: datetime) -> bool:
        item = self.items[org_id]
        if item.inactivity_warning_sent_at is not None or item.last_activity_at > idle_since:
            return False
        item.inactivity_warning_sent_at = now
        return True

    def disconnect(self, org_id: str, status: ConnectionStatus, reason: str, now: datetime) -> None:
        item = self.items[org_id]
        item.status = status.value
        item.disconnect_reason = reason
        item.disconnected_at = now
        self.disconnected.append((org_id, reason))

    def record_activity(self, org_id: str, now: datetime) -> None:
        item = self.items[org_id]
        item.last_activity_at = now
        item.inactivity_warning_sent_at = None


@dataclass
class FakeRecord:
    entity: str
    record_id: str
    version: int = 1
    status: str = RecordStatus.FAILED.value
    error_code: str | None = "missing_account_code"
    last_message: str | None = (
        "Account 'Merchant Fees' (sales lines) has no code in Xero. Add a code to it in Xero "
        "(Accounting → Chart of accounts), then retry."
    )
    status_at: datetime = T0
    data: dict[str, Any] | None = None
    xero_refs: dict[str, Any] | None = None


class FakeRecords:
    def __init__(self) -> None:
        self.rows: dict[RecordKey, FakeRecord] = {}
        self.index_queries: list[tuple[str, str, datetime | None]] = []
        self.read_keys = 0

    def put(self, org_id: str, row: FakeRecord) -> RecordKey:
        key = RecordKey(org_id, row.entity, row.record_id)
        self.rows[key] = row
        return key

    def fail(self, org_id: str, entity: str, record_id: str, at: datetime, *, version: int = 1,
             code: str = "missing_account_code", message: str | None = None, number: str | None = None) -> RecordKey:
        data = {"number": number, "date": "2026-11-02"} if number else {"date": "2026-11-02"}
        row = FakeRecord(
            entity, record_id, version, RecordStatus.FAILED.value, code, message or FakeRecord.last_message, at, data
        )
        return self.put(org_id, row)

    def keys_with_status(
        self, org_id: str, status: RecordStatus, *, since: datetime | None = None, until: datetime | None = None
    ):
        self.index_queries.append((org_id, status.value, since))
        rows = [
            (row.status_at, key) for key, row in self.rows.items()
            if key.org_id == org_id and row.status == status.value
            and (since is None or row.status_at >= since) and (until is None or row.status_at <= until)
        ]
        for _, key in sorted(rows):
            yield key

    def get_many(self, keys) -> dict[RecordKey, FakeRecord]:
        keys = list(keys)
        self.read_keys += len(keys)
        return {key: copy.deepcopy(self.rows[key]) for key in keys if key in self.rows}

    def requeue(self, key: RecordKey, *, now: datetime, only_from) -> bool:
        row = self.rows.get(key)
        if row is None or row.status not in {s.value for s in only_from}:
            return False
        row.status = RecordStatus.PENDING.value
        row.status_at = now
        return True


class FakeHistory:
    def __init__(self) -> None:
        self.events: list[HistoryEvent] = []

    def append(self, event: HistoryEvent) -> str:
        self.events.append(event)
        return str(len(self.events))

    def of(self, direction: str) -> list[HistoryEvent]:
        return [e for e in self.events if e.direction == direction]


class FakeQueue:
    def __init__(self) -> None:
        self.sent: list[tuple[Any, int]] = []
        self.fail_next = False

    def send(self, message: Any, *, delay_seconds: int = 0) -> None:
        if self.fail_next:
            self.fail_next = False
            raise ConnectionError("SQS is unavailable")
        self.sent.append((message, delay_seconds))

    def take(self) -> list[Any]:
        messages = [m for m, _ in self.sent]
        self.sent.clear()
        return messages


class FakeMailer:
    def __init__(self) -> None:
        self.sent: list[OutgoingEmail] = []
        self.throttle = 0
        self.reject = False

    def send(self, email: OutgoingEmail) -> str:
        if self.throttle:
            self.throttle -= 1
            raise EmailThrottled("Throttling", "Maximum sending rate exceeded.")
        if self.reject:
            raise EmailRejected("MessageRejected", "Email address is not verified.")
        self.sent.append(email)
        return f"ses-{len(self.sent)}"


class MemoryOnce:
    """OnceGuard: remembers results by key; an exception leaves no record (like Powertools)."""

    def __init__(self) -> None:
        self.results: dict[str, dict[str, Any]] = {}

    def run_once(self, key: str, action):
        if key in self.results:
            return self.results[key]
        result = action()
        self.results[key] = result
        return result


@dataclass
class World:
    clock: Clock = field(default_factory=Clock)
    org_config: FakeOrgConfig = field(default_factory=FakeOrgConfig)
    connections: FakeConnections = field(default_factory=FakeConnections)
    records: FakeRecords = field(default_factory=FakeRecords)
    history: FakeHistory = field(default_factory=FakeHistory)
    queue: FakeQueue = field(default_factory=FakeQueue)
    mailer: FakeMailer = field(default_factory=FakeMailer)
    guard: MemoryOnce = field(default_factory=MemoryOnce)
    settings: dict[str, OrgSettings] = field(default_factory=dict)

    def service(self, **overrides: Any) -> NotificationService:
        options: dict[str, Any] = dict(
            org_config=self.org_config,
            connections=self.connections,
            records=self.records,
            history=self.history,
            queue=self.queue,
            mailer=lambda: self.mailer,
            guard=lambda: self.guard,
            settings_of=lambda org_id: self.settings.get(org_id, OrgSettings()),
            clock=self.clock,
            sender="Acme Billing <xero-sync@acme.example>",
            reply_to="support@acme.example",
            product_name="Acme Billing",
            links=HostLinks("https://app.acme.example/orgs/{org_id}/xero/history", "https://app.acme.example/orgs/{org_id}/xero"),
            window=timedelta(minutes=10),
        )
        options.update(overrides)
        return NotificationService(**options)

    def deliver_all(self, service: NotificationService) -> list[Any]:
        return [service.deliver(message) for message in self.queue.take()]
