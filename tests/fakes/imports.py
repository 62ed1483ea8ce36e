"""In-memory fakes of the import side's ports (services/ports.py, "Xero → host") with the rules
of their DynamoDB adapters: change ids handed out in commit order with each object written on
condition its revision did not move (dal/changes.py), the export's "not older" object write and
forward-only cursors (dal/xero_objects.py), the single-flight delivery lease
(dal/host_webhooks.py)."""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from tests.fakes.records import InMemoryRecords
from xero_sync.domain.changes import AppendResult, Change, ChangePage, format_change_id
from xero_sync.domain.host_webhooks import HostWebhook
from xero_sync.domain.records import RecordStatus
from xero_sync.domain.xero_objects import ObjectKey, ObjectWrite, Origin, PollCursor, XeroObject
from xero_sync.models.imports import DeliveryNudge, OrgImport, OrgObjects, TenantEvents
from xero_sync.services.ports import HttpAnswer


class InMemoryXeroObjects:
    def __init__(self) -> None:
        self.items: dict[ObjectKey, XeroObject] = {}
        self.cursors: dict[tuple[str, str], PollCursor] = {}
        self.reads = 0
        self.writes = 0

    def get_many(self, keys: Iterable[ObjectKey]) -> dict[ObjectKey, XeroObject]:
        self.reads += 1
        return {key: self.items[key] for key in keys if key in self.items}

    def get(self, key: ObjectKey) -> XeroObject | None:
        return self.items.get(key)

    def allows(self, write: ObjectWrite) -> bool:
        current = self.items.get(write.key)
        if write.expected_revision is not None:
            return (current.revision if current else 0) == write.expected_revision
        return (
            current is None
            or not current.xero_updated
            or (write.xero_updated is not None and current.xero_updated <= write.xero_updated)
        )

    def apply(self, write: ObjectWrite, now: datetime, last_change_id: str | None = None) -> None:
        current = self.items.get(write.key) or XeroObject(key=write.key)
        origin = write.origin if write.origin is Origin.EXPORT or current.origin is None else current.origin
        kept = {
            "payment_fingerprint": write.payment_fingerprint,
            "xero_updated": write.xero_updated,
            "payment": write.payment,
            "match_basis": write.match_basis,
            "host_entity": write.host_entity,
            "host_id": write.host_id,
            "last_change_id": last_change_id,
        }
        self.items[write.key] = replace(
            current,
            fingerprint=write.fingerprint,
            origin=origin,
            revision=current.revision + 1,
            updated_at=now,
            **{name: value for name, value in kept.items() if value is not None},
        )
        self.writes += 1

    def record(self, write: ObjectWrite, now: datetime) -> bool:
        if not self.allows(write):
            return False
        self.apply(write, now)
        return True

    def record_all(self, writes: Sequence[ObjectWrite], now: datetime) -> list[bool]:
        return [self.record(write, now) for write in writes]

    def cursor(self, org_id: str, resource: str) -> PollCursor | None:
        return self.cursors.get((org_id, resource))

    def save_cursor(self, cursor: PollCursor, now: datetime) -> None:
        current = self.cursors.get((cursor.org_id, cursor.resource))
        if (
            current is not None
            and current.options == cursor.options
            and current.since
            and cursor.since
            and current.since > cursor.since
        ):
            return
        self.cursors[(cursor.org_id, cursor.resource)] = cursor


class InMemoryChanges:
    """The feed and the objects' states, written together as the transaction does."""

    def __init__(self, objects: InMemoryXeroObjects) -> None:
        self.objects = objects
        self.feeds: dict[str, list[Change]] = {}
        self.before_commit: Callable[[str], None] | None = None  # tests: another writer slips in

    def last_id(self, org_id: str) -> str | None:
        feed = self.feeds.get(org_id) or []
        return feed[-1].change_id if feed else None

    def append(self, org_id: str, entries: Sequence[tuple[Change, ObjectWrite]]) -> AppendResult:
        if self.before_commit is not None:
            hook, self.before_commit = self.before_commit, None
            hook(org_id)
        result = AppendResult()
        feed = self.feeds.setdefault(org_id, [])
        for change, write in entries:
            if not self.objects.allows(write):
                result.stale.append(write.key)
                continue
            change_id = format_change_id(len(feed) + 1)
            self.objects.apply(write, change.recorded_at, last_change_id=change_id)
            written = change.with_id(change_id)
            feed.append(written)
            result.changes.append(written)
        return result

    def page(self, org_id: str, *, after: str | None, limit: int) -> ChangePage:
        later = [c for c in self.feeds.get(org_id) or [] if after is None or c.change_id > after]
        chosen = later[:limit]
        return ChangePage(chosen, chosen[-1].change_id if chosen else None, len(later) > limit)

    def get(self, org_id: str, change_id: str) -> Change | None:
        return next((c for c in self.feeds.get(org_id) or [] if c.change_id == change_id), None)

    def of(self, org_id: str) -> list[Change]:
        return list(self.feeds.get(org_id) or [])


class HostContactsOf:
    """:class:`~xero_sync.services.ports.HostContactSource` over the in-memory records."""

    def __init__(self, records: InMemoryRecords) -> None:
        self.records = records
        self.reads = 0

    def contacts(self, org_id: str) -> Iterator[tuple[str, dict[str, Any]]]:
        self.reads += 1
        for key, row in sorted(self.records.rows.items()):
            if key.org_id == org_id and key.entity == "contact" and row.action != "delete":
                yield key.record_id, copy.deepcopy(row.data or {})


class InMemoryHostWebhooks:
    def __init__(self) -> None:
        self.items: dict[str, HostWebhook] = {}

    def get(self, org_id: str) -> HostWebhook | None:
        return self.items.get(org_id)

    def create(
        self,
        org_id: str,
        *,
        url: str,
        secret_enc: bytes,
        secret_hint: str,
        delivered_through: str | None,
        now: datetime,
    ) -> HostWebhook:
        self.items[org_id] = HostWebhook(
            org_id, url, secret_enc, secret_hint, now, now, delivered_through=delivered_through
        )
        return self.items[org_id]

    def set_url(self, org_id: str, url: str, now: datetime) -> HostWebhook | None:
        current = self.items.get(org_id)
        if current is None:
            return None
        self.items[org_id] = replace(current, url=url, updated_at=now, failing_since=None, attempts=0, last_error=None)
        return self.items[org_id]

    def delete(self, org_id: str) -> bool:
        return self.items.pop(org_id, None) is not None

    def acquire_lease(self, org_id: str, *, owner: str, now: datetime, until: datetime) -> HostWebhook | None:
        current = self.items.get(org_id)
        if current is None:
            return None
        if current.lease_until is not None and current.lease_until >= now and current.lease_owner != owner:
            return None
        self.items[org_id] = replace(current, lease_owner=owner, lease_until=until)
        return self.items[org_id]

    def release_lease(self, org_id: str, *, owner: str) -> None:
        current = self.items.get(org_id)
        if current is not None and current.lease_owner == owner:
            self.items[org_id] = replace(current, lease_owner=None, lease_until=None)

    def _leased(self, org_id: str, owner: str, **changes: Any) -> bool:
        current = self.items.get(org_id)
        if current is None or current.lease_owner != owner:
            return False
        self.items[org_id] = replace(current, **changes)
        return True

    def delivered(self, org_id: str, *, owner: str, change_id: str, now: datetime) -> bool:
        return self._leased(
            org_id,
            owner,
            delivered_through=change_id,
            last_delivery_at=now,
            failing_since=None,
            attempts=0,
            last_error=None,
        )

    def failed(self, org_id: str, *, owner: str, error: str, failing_since: datetime, attempts: int) -> bool:
        return self._leased(org_id, owner, failing_since=failing_since, attempts=attempts, last_error=error)

    def gave_up(self, org_id: str, *, owner: str, through: str, error: str) -> bool:
        return self._leased(org_id, owner, delivered_through=through, failing_since=None, attempts=0, last_error=error)


class RecordingImportQueue:
    def __init__(self) -> None:
        self.sent: list[tuple[TenantEvents | OrgImport | OrgObjects, int]] = []

    def send(self, messages: Sequence[TenantEvents | OrgImport | OrgObjects], *, delay_seconds: int = 0) -> int:
        self.sent += [(message, delay_seconds) for message in messages]
        return len(messages)

    def take(self) -> list[tuple[TenantEvents | OrgImport | OrgObjects, int]]:
        taken, self.sent = self.sent, []
        return taken


class RecordingHostWebhookQueue:
    def __init__(self) -> None:
        self.sent: list[tuple[DeliveryNudge, int]] = []

    def nudge(self, org_id: str, *, attempt: int = 0, delay_seconds: int = 0) -> None:
        self.sent.append((DeliveryNudge(org_id=org_id, attempt=attempt), delay_seconds))

    def take(self) -> list[tuple[DeliveryNudge, int]]:
        taken, self.sent = self.sent, []
        return taken


@dataclass
class ScriptedSender:
    """A host endpoint: every POST is kept; answers come from ``status`` (or ``refuse``, the URL
    check's verdict)."""

    status: int | None = 200
    refuse: str | None = None
    posts: list[tuple[str, bytes, dict[str, str]]] = field(default_factory=list)

    def check(self, url: str) -> None:
        from xero_sync.domain.host_webhooks import UnsafeUrl

        if self.refuse:
            raise UnsafeUrl(self.refuse)

    def post(self, url: str, body: bytes, headers: dict[str, str]) -> HttpAnswer:
        self.posts.append((url, body, dict(headers)))
        if self.status is None:
            return HttpAnswer(None, "no answer (ConnectTimeoutError)", 3000.0)
        error = None if 200 <= self.status < 300 else f"HTTP {self.status}"
        return HttpAnswer(self.status, error, 12.0)


class PlainCipher:
    """Reversible "encryption" bound to the org, like KMS's encryption context."""

    def encrypt(self, plaintext: str, *, org_id: str) -> bytes:
        return f"{org_id}|{plaintext}".encode()

    def decrypt(self, blob: bytes, *, org_id: str) -> str:
        owner, _, text = blob.decode().partition("|")
        if owner != org_id:
            raise ValueError("wrong org")
        return text


def pending_since_export(records: InMemoryRecords, org_id: str, contact_id: str, **fields: Any) -> None:
    """A host contact that was exported (version 1) and changed since (version 2, pending)."""
    from tests.fakes.records import stored

    values = {"version": 2, "exported_version": 1, "exported_action": "upsert", "status": RecordStatus.PENDING}
    values.update(fields)
    records.put(stored(org_id, "contact", contact_id, **values))
