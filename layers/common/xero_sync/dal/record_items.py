"""How a records-table item maps to the domain's ``StoredRecord``, and the update actions the
repository (``dal/records.py``) composes its conditional writes from."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pynamodb.expressions.condition import Condition

from xero_sync.dal.items import entity_from, optional_int
from xero_sync.dal.models import RecordModel
from xero_sync.domain.record_payload import decode_record_data, encode_record_data
from xero_sync.domain.records import RecordKey, RecordStatus, StoredRecord


def record_data(item: RecordModel) -> dict[str, Any] | None:
    """The record's data: compressed (data_z), or the plain JSON of an item written before."""
    if item.data_z is not None:
        return decode_record_data(item.data_z)
    return item.data


def to_record(item: RecordModel) -> StoredRecord:
    return entity_from(
        item,
        StoredRecord,
        key=RecordKey.parse(item.org_id, item.record_key),
        data=record_data(item),
        version=int(item.version),
        status=RecordStatus(item.status),
        referenced=bool(item.referenced),
        has_waiters=bool(item.has_waiters),
        exported_version=optional_int(item.exported_version),
        claim_version=optional_int(item.claim_version),
        attempts=int(item.attempts or 0),
    )


def data_actions(data: dict[str, Any]) -> list:
    return [RecordModel.data_z.set(encode_record_data(data)), RecordModel.data.remove()]


def status_actions(org_id: str, status: RecordStatus, now: datetime) -> list:
    return [
        RecordModel.status.set(status.value),
        RecordModel.status_key.set(f"{org_id}#{status.value}"),
        RecordModel.status_at.set(now),
    ]


def clear_claim_actions() -> list:
    return [
        RecordModel.claim_owner.remove(),
        RecordModel.claim_until.remove(),
        RecordModel.claim_version.remove(),
        RecordModel.claim_operation.remove(),
        RecordModel.idempotency_key.remove(),
    ]


def held_by(owner: str | None, now: datetime) -> Condition:
    """``owner`` holds the record's claim (with ``owner=None``: nobody holds a live one)."""
    if owner is None:
        return RecordModel.claim_until.does_not_exist() | (RecordModel.claim_until < now)
    return RecordModel.claim_owner == owner
