"""Reading a records-table row the way the export domain needs it.

A row's link to Xero counts only in the tenant it was made in: after a reset to another tenant,
old links are invisible here (they become visible again if the org reconnects to that tenant,
which is what lets a reconnect resume without duplicates, F1.5).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from pydantic import BaseModel

from xero_sync.domain.dependencies import ParentKey, ParentLink, ParentState, ParentStatus
from xero_sync.domain.records import SHOWS_DETAIL, RecordKey, RecordStatus, StoredRecord
from xero_sync.domain.restrictions import EXCLUDING_SKIPS, LinkState, XeroStatus
from xero_sync.models.records import EntityName, RecordAction, parse_record


@dataclass
class RecordView:
    """One record as read at the start of a batch, with its parsed data (for a delete: the data
    of its last upsert, if any)."""

    key: RecordKey
    item: StoredRecord
    data: BaseModel | None
    tenant_id: str

    @classmethod
    def of(cls, key: RecordKey, item: StoredRecord, tenant_id: str) -> RecordView:
        data = parse_record(key.entity, item.data) if item.data is not None else None
        return cls(key=key, item=item, data=data, tenant_id=tenant_id)

    @property
    def entity(self) -> EntityName:
        return EntityName(self.key.entity)

    @property
    def version(self) -> int:
        return int(self.item.version)

    @property
    def action(self) -> RecordAction:
        return RecordAction(self.item.action)

    @property
    def linked(self) -> bool:
        """Linked to a Xero record in the org's *current* tenant."""
        return bool(self.item.xero_id) and self.item.xero_tenant_id == self.tenant_id

    @property
    def xero_id(self) -> str | None:
        return self.item.xero_id if self.linked else None

    @property
    def refs(self) -> dict[str, Any]:
        """Further Xero ids and facts kept with the link (contact of a document, status, …)."""
        if self.item.xero_tenant_id != self.tenant_id:
            return {}
        return dict(self.item.xero_refs or {})

    @property
    def pending_operation(self) -> str | None:
        """An operation whose outcome is unknown (a time-out, a dropped connection, a crash)."""
        return self.item.claim_operation

    def claimed_by_other(self, now: datetime) -> bool:
        return self.item.claim_until is not None and self.item.claim_until >= now

    def link_state(self) -> LinkState:
        if not self.linked:
            return LinkState()
        status = self.refs.get("status")
        return LinkState(
            xero_id=self.item.xero_id,
            exported_version=int(self.item.exported_version) if self.item.exported_version is not None else None,
            exported_action=RecordAction(self.item.exported_action) if self.item.exported_action else None,
            xero_status=XeroStatus(status) if isinstance(status, str) and status in XeroStatus.__members__ else None,
            exported_fingerprint=self.item.exported_fingerprint,
        )

    @property
    def label(self) -> str:
        """How the host knows it: its number, or its id ("INV-1001", "pay-9")."""
        return getattr(self.data, "number", None) or self.refs.get("number") or self.key.record_id

    @property
    def title(self) -> str:
        """The record named for a sentence: "invoice INV-1001"."""
        return f"{self.key.entity.replace('_', ' ')} {self.label}"


def parent_state(parent: ParentKey, row: RecordView | None) -> ParentState:
    """What a child may know about one of its parents (domain/dependencies.py)."""
    if row is None:
        return ParentState(ParentStatus.MISSING)
    if row.action is RecordAction.DELETE:
        return ParentState(ParentStatus.DELETED, detail="deleted in the host")
    if row.linked:
        status = row.refs.get("status")
        if status in (XeroStatus.VOIDED.value, XeroStatus.DELETED.value):
            return ParentState(ParentStatus.DELETED, detail=f"{status.lower()} in Xero")
        return ParentState(ParentStatus.EXPORTED, link=parent_link(row))
    if row.item.status is RecordStatus.SKIPPED and row.item.error_code in EXCLUDING_SKIPS:
        return ParentState(ParentStatus.EXCLUDED, detail=row.item.last_message)
    detail = row.item.last_message if row.item.status in SHOWS_DETAIL else None
    return ParentState(ParentStatus.NOT_EXPORTED, detail=detail)


def parent_link(row: RecordView) -> ParentLink:
    data = row.data
    rate = getattr(data, "exchange_rate", None)
    return ParentLink(
        entity=row.entity,
        host_id=row.key.record_id,
        xero_id=row.item.xero_id or "",  # a parent's link is read only once it is linked
        number=getattr(data, "number", None) or row.refs.get("number"),
        contact_xero_id=row.refs.get("contact_id"),
        currency=getattr(data, "currency", None),
        exchange_rate=Decimal(rate) if rate is not None else None,
    )
