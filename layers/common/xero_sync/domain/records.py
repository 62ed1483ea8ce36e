"""The words for a host record and where it stands with Xero (F3.1, N1).

A record is the host's latest state of one thing (a contact, an invoice, a payment …) plus its
link to Xero. :class:`StoredRecord` is what the records repository returns; the rules that read
it (is it linked in this tenant? is another worker on it?) live here, not in the services.

Statuses: ``idle`` (a contact no transaction refers to yet), ``pending`` (needs work),
``waiting`` (for a parent to reach Xero), ``synced``, ``skipped`` (e.g. a draft), ``failed``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any, NamedTuple


class RecordStatus(StrEnum):
    IDLE = "idle"
    PENDING = "pending"
    WAITING = "waiting"
    SYNCED = "synced"
    SKIPPED = "skipped"
    FAILED = "failed"


SETTLED = frozenset({RecordStatus.FAILED, RecordStatus.SKIPPED})
"""Done with for now: only a new version, a retry or a fix sends the record again."""

SHOWS_DETAIL = frozenset({RecordStatus.FAILED, RecordStatus.SKIPPED, RecordStatus.WAITING})
"""Statuses whose last message explains why the record is not in Xero."""


@dataclass(frozen=True, order=True)
class RecordKey:
    org_id: str
    entity: str
    record_id: str

    @property
    def record_key(self) -> str:
        """The sort key within the org: ``{entity}#{record_id}``."""
        return f"{self.entity}#{self.record_id}"

    @classmethod
    def parse(cls, org_id: str, record_key: str) -> RecordKey:
        entity, _, record_id = record_key.partition("#")
        return cls(org_id, entity, record_id)

    def __str__(self) -> str:
        return f"{self.org_id}/{self.entity}/{self.record_id}"


def waiting_key(org_id: str, parent_entity: str, parent_id: str) -> str:
    """What a waiting child stores to be found when its parent lands."""
    return f"{org_id}#{parent_entity}#{parent_id}"


def parse_waiting_key(org_id: str, waiting_on: str) -> tuple[str, str]:
    """``waiting_key`` read back: (parent entity, parent id)."""
    entity, _, parent_id = waiting_on.removeprefix(f"{org_id}#").partition("#")
    return entity, parent_id


class StoreResult(StrEnum):
    STORED = "stored"  # a newer version (or a first one) is now the latest
    STALE = "stale"  # the table already holds this version or a newer one: ignored


@dataclass(frozen=True)
class StoredRecord:
    """One host record as the records table holds it."""

    key: RecordKey
    family: str
    version: int
    action: str  # upsert | delete
    data: dict[str, Any] | None
    status: RecordStatus
    received_at: datetime | None = None
    status_at: datetime | None = None
    waiting_on: str | None = None
    referenced: bool = False
    has_waiters: bool = False
    # the link to Xero; it counts only while ``xero_tenant_id`` is the org's current tenant
    xero_tenant_id: str | None = None
    xero_id: str | None = None
    xero_refs: dict[str, Any] | None = None
    exported_version: int | None = None
    exported_action: str | None = None
    exported_fingerprint: str | None = None
    # the in-flight claim and the operation whose outcome may be unknown
    claim_owner: str | None = None
    claim_until: datetime | None = None
    claim_version: int | None = None
    claim_operation: str | None = None
    idempotency_key: str | None = None
    attempts: int = 0
    error_code: str | None = None
    last_message: str | None = None
    synced_at: datetime | None = None
    updated_at: datetime | None = None

    @property
    def entity(self) -> str:
        return self.key.entity

    @property
    def record_id(self) -> str:
        return self.key.record_id

    def linked_in(self, tenant_id: str | None) -> bool:
        """Linked to a Xero record of ``tenant_id``: after a reset to another tenant the old link
        no longer counts (and counts again should the org reconnect to that tenant, F1.5)."""
        return bool(self.xero_id) and tenant_id is not None and self.xero_tenant_id == tenant_id

    def claimed_at(self, now: datetime) -> bool:
        """A worker holds it now (its claim has not run out)."""
        return self.claim_until is not None and self.claim_until >= now

    @property
    def waiting_for(self) -> tuple[str, str] | None:
        """(parent entity, parent id) while the record waits for a parent."""
        return parse_waiting_key(self.key.org_id, self.waiting_on) if self.waiting_on else None

    @property
    def changed_since_export(self) -> bool:
        """Xero holds an older version or action than the host's latest."""
        return self.exported_version != self.version or self.exported_action != self.action


class ClaimRequest(NamedTuple):
    """One record of a Xero call to claim, as the worker read it. The claim holds only if the
    host has not pushed a newer version since, and nothing reached Xero for the record since
    (another worker that read it too may have sent it and marked it synced in between)."""

    key: RecordKey
    version: int
    exported_version: int | None


@dataclass(frozen=True)
class Synced:
    """The outcome of recording a success."""

    status: RecordStatus  # SYNCED, or PENDING when a newer version arrived during the call
    has_waiters: bool  # a child waits for this record (read in the same write)
    deferred_children: tuple[RecordKey, ...] = ()  # children deferred behind it, to go now (SYNCED only)


@dataclass(frozen=True)
class SyncedMark:
    """One record of a Xero call that Xero now holds at ``version``: what its synced mark
    writes (``mark_synced``; many at once with ``mark_all_synced``)."""

    key: RecordKey
    owner: str | None  # the claim the worker holds (None: nobody may hold one)
    version: int
    action: str
    tenant_id: str
    xero_id: str | None
    xero_refs: dict[str, Any] | None
    fingerprint: str | None
    message: str | None
