"""Map any record by its entity name, given the parents' links :func:`dependencies.resolve` returned."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from xero_sync.domain.dependencies import ParentLink
from xero_sync.domain.mapping.base import Mapped, MappingContext
from xero_sync.domain.mapping.contacts import map_contact
from xero_sync.domain.mapping.documents import DOCUMENT_KINDS, map_document
from xero_sync.domain.mapping.items import map_item
from xero_sync.domain.mapping.payments import (
    PAYMENT_KINDS,
    map_allocation,
    map_bank_charge,
    map_payment,
    map_write_off,
)
from xero_sync.models.records import EntityName


@dataclass(frozen=True)
class _Record:
    """One record to map, with what its mapper may need."""

    entity: EntityName
    host_id: str
    data: Any
    ctx: MappingContext
    links: Mapping[str, ParentLink]
    invoice_balance: Decimal | None
    write_off_sequence: int

    def link(self, field_name: str) -> ParentLink:
        if field_name not in self.links:
            raise ValueError(f"{self.entity.value} needs the Xero link of its {field_name}")
        return self.links[field_name]


def map_record(
    entity: EntityName | str,
    host_id: str,
    data: Any,
    ctx: MappingContext,
    links: Mapping[str, ParentLink],
    *,
    invoice_balance: Decimal | None = None,
    write_off_sequence: int = 1,
) -> Mapped[Any]:
    """Map any record, given the links :func:`dependencies.resolve` returned (by field name)."""
    record = _Record(EntityName(entity), host_id, data, ctx, links, invoice_balance, write_off_sequence)
    mapper = _MAPPERS.get(record.entity)
    if mapper is None:  # pragma: no cover - every entity has a mapper
        raise ValueError(f"no mapping for {record.entity}")
    return mapper(record)


def _contact(r: _Record) -> Mapped[Any]:
    return map_contact(r.data, r.ctx, host_id=r.host_id)


def _document(r: _Record) -> Mapped[Any]:
    kind = DOCUMENT_KINDS[r.entity]
    return map_document(kind, r.data, r.ctx, host_id=r.host_id, contact_xero_id=r.link(kind.side.contact_field).xero_id)


def _payment(r: _Record) -> Mapped[Any]:
    kind = PAYMENT_KINDS[r.entity]
    return map_payment(kind, r.data, r.ctx, host_id=r.host_id, parent=r.link(kind.parent_field))


def _credit_note_allocation(r: _Record) -> Mapped[Any]:
    return map_allocation(r.data, r.ctx, credit_note=r.link("credit_note_id"), document=r.link("invoice_id"))


def _vendor_credit_allocation(r: _Record) -> Mapped[Any]:
    return map_allocation(r.data, r.ctx, credit_note=r.link("vendor_credit_id"), document=r.link("bill_id"))


def _write_off(r: _Record) -> Mapped[Any]:
    invoice = r.link("invoice_id")
    return map_write_off(
        r.data,
        r.ctx,
        host_id=r.host_id,
        invoice=invoice,
        invoice_balance=r.invoice_balance,
        sequence=r.write_off_sequence,
    )


def _bank_charge(r: _Record) -> Mapped[Any]:
    contact = r.links.get("contact_id")  # optional: else the settings' bank contact
    return map_bank_charge(r.data, r.ctx, host_id=r.host_id, contact_xero_id=contact.xero_id if contact else None)


def _item(r: _Record) -> Mapped[Any]:
    return map_item(r.data, r.ctx, host_id=r.host_id)


_MAPPERS: dict[EntityName, Callable[[_Record], Mapped[Any]]] = {
    EntityName.CONTACT: _contact,
    **{entity: _document for entity in DOCUMENT_KINDS},
    **{entity: _payment for entity in PAYMENT_KINDS},
    EntityName.CREDIT_NOTE_ALLOCATION: _credit_note_allocation,
    EntityName.VENDOR_CREDIT_ALLOCATION: _vendor_credit_allocation,
    EntityName.WRITE_OFF: _write_off,
    EntityName.BANK_CHARGE: _bank_charge,
    EntityName.ITEM: _item,
}
