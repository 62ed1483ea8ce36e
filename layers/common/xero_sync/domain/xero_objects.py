"""What the service last knew of one Xero object of an org (F4): the fingerprints of its last
state — written by the import when it records a change, and by the export when the service
itself wrote the object — so that an echo of the service's own export, or a webhook and a poll
that saw the same change, make no second change. Also the payment status of documents (F4.3)
and the import's per-resource poll cursors."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from xero_sync.domain.changes import Resource


class Origin(StrEnum):
    EXPORT = "export"  # the service created or linked it for a host record
    XERO = "xero"  # first seen by the import: a Xero user made it


@dataclass(frozen=True)
class ObjectKey:
    org_id: str
    resource: Resource
    xero_id: str

    @property
    def object_key(self) -> str:
        return f"{self.resource.value}#{self.xero_id}"


@dataclass(frozen=True)
class XeroObject:
    key: ObjectKey
    fingerprint: str | None = None
    payment_fingerprint: str | None = None
    xero_updated: str | None = None  # ISO-8601, Xero's clock
    origin: Origin | None = None
    host_entity: str | None = None
    host_id: str | None = None
    payment: dict[str, Any] | None = None
    match_basis: str | None = None
    last_change_id: str | None = None
    revision: int = 0  # moves with every write: the import writes on condition it read the latest
    updated_at: datetime | None = None

    def is_older_than(self, xero_updated: str | None) -> bool:
        """This state is older than a state Xero stamped ``xero_updated`` (unknown times: no)."""
        return bool(self.xero_updated and xero_updated and self.xero_updated < xero_updated)

    def is_newer_than(self, xero_updated: str | None) -> bool:
        return bool(self.xero_updated and xero_updated and self.xero_updated > xero_updated)


@dataclass(frozen=True)
class ObjectWrite:
    """The state to record for one object, written only if it is not older than what is there
    and differs from it (the store's conditional write)."""

    key: ObjectKey
    fingerprint: str
    payment_fingerprint: str | None
    xero_updated: str | None
    origin: Origin
    host_entity: str | None = None
    host_id: str | None = None
    payment: dict[str, Any] | None = None
    match_basis: str | None = None
    expected_revision: int | None = None  # None: only if not older than what is stored (the export's write)


@dataclass(frozen=True)
class ExportedElement:
    """A contact or document the export wrote to (or linked in) Xero, with Xero's answer for it:
    what the no-echo record is made of (services/imports/exported.py)."""

    org_id: str
    entity: str  # the host's entity
    host_id: str
    xero_id: str
    element: dict[str, Any]


@dataclass(frozen=True)
class PollCursor:
    """Where the next poll of one resource starts: Xero's UpdatedDateUTC of the newest object
    read (Xero's clock, never ours), and the import options it was made with — new options
    (another contact group) read everything again."""

    org_id: str
    resource: str
    since: str | None
    options: str | None
