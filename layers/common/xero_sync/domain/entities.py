"""The entity registry: for each host entity of SPEC §7, its model, its family (queue), the Xero
record it becomes, and which of its fields refer to other host records.

Use it instead of spelling entity facts out elsewhere::

    spec = ENTITIES[EntityName.INVOICE_PAYMENT]
    spec.family            # Family.INVOICE_PAYMENTS: the queue its exports go through
    spec.parents           # (Reference("invoice_id", EntityName.INVOICE),)
    references_of(EntityName.INVOICE, invoice)   # [(Reference(contact_id → contact), "cus-17")]

A :class:`Reference` with ``waits=True`` is a dependency (F3.4): the record cannot go to Xero
before the referred record is there (an invoice needs its contact's ContactID, a payment its
invoice's InvoiceID). ``waits=False`` marks an informative link (a credit note's ``invoice_id``,
"raised against") that feeds the sync restrictions but does not hold the record back.
"""

from __future__ import annotations

from dataclasses import dataclass

from pydantic import BaseModel

from xero_sync.domain.families import Family
from xero_sync.models.records import MODEL_BY_ENTITY, EntityName, HostModel


@dataclass(frozen=True)
class Reference:
    field: str
    entity: EntityName
    waits: bool = True


@dataclass(frozen=True)
class EntitySpec:
    name: EntityName
    family: Family
    xero_record: str
    references: tuple[Reference, ...] = ()
    root_document: bool = False
    """A dated document that starts a chain (invoice, bill, credit note, vendor credit, bank
    charge): the org's export-from date applies to it; children follow their parent."""

    @property
    def model(self) -> type[HostModel]:
        return MODEL_BY_ENTITY[self.name]

    @property
    def parents(self) -> tuple[Reference, ...]:
        """The references this record must wait for."""
        return tuple(ref for ref in self.references if ref.waits)


E = EntityName

ENTITIES: dict[EntityName, EntitySpec] = {
    E.CONTACT: EntitySpec(E.CONTACT, Family.CONTACTS, "Contact"),
    E.INVOICE: EntitySpec(
        E.INVOICE, Family.INVOICES, "Invoice (ACCREC)", (Reference("contact_id", E.CONTACT),), root_document=True
    ),
    E.WRITE_OFF: EntitySpec(
        E.WRITE_OFF,
        Family.INVOICES,  # seed 000: "When an invoice is written off … a credit note is … created"
        "CreditNote (ACCRECCREDIT) + Allocation",
        (Reference("invoice_id", E.INVOICE),),
    ),
    E.INVOICE_PAYMENT: EntitySpec(
        E.INVOICE_PAYMENT, Family.INVOICE_PAYMENTS, "Payment", (Reference("invoice_id", E.INVOICE),)
    ),
    E.BANK_CHARGE: EntitySpec(
        E.BANK_CHARGE,
        Family.BANK_CHARGES,
        "BankTransaction (SPEND)",
        (Reference("contact_id", E.CONTACT),),  # optional field: only when the host names one
        root_document=True,
    ),
    E.CREDIT_NOTE: EntitySpec(
        E.CREDIT_NOTE,
        Family.CREDIT_NOTES,
        "CreditNote (ACCRECCREDIT)",
        (Reference("contact_id", E.CONTACT), Reference("invoice_id", E.INVOICE, waits=False)),
        root_document=True,
    ),
    E.CREDIT_NOTE_ALLOCATION: EntitySpec(
        E.CREDIT_NOTE_ALLOCATION,
        Family.CREDIT_NOTES,
        "Allocation",
        (Reference("credit_note_id", E.CREDIT_NOTE), Reference("invoice_id", E.INVOICE)),
    ),
    E.CREDIT_NOTE_REFUND: EntitySpec(
        E.CREDIT_NOTE_REFUND, Family.CREDIT_NOTES, "Payment (refund)", (Reference("credit_note_id", E.CREDIT_NOTE),)
    ),
    E.BILL: EntitySpec(
        E.BILL, Family.BILLS, "Invoice (ACCPAY)", (Reference("vendor_id", E.CONTACT),), root_document=True
    ),
    E.BILL_PAYMENT: EntitySpec(E.BILL_PAYMENT, Family.BILL_PAYMENTS, "Payment", (Reference("bill_id", E.BILL),)),
    E.VENDOR_CREDIT: EntitySpec(
        E.VENDOR_CREDIT,
        Family.VENDOR_CREDITS,
        "CreditNote (ACCPAYCREDIT)",
        (Reference("vendor_id", E.CONTACT), Reference("bill_id", E.BILL, waits=False)),
        root_document=True,
    ),
    E.VENDOR_CREDIT_ALLOCATION: EntitySpec(
        E.VENDOR_CREDIT_ALLOCATION,
        Family.VENDOR_CREDITS,
        "Allocation",
        (Reference("vendor_credit_id", E.VENDOR_CREDIT), Reference("bill_id", E.BILL)),
    ),
    E.VENDOR_CREDIT_REFUND: EntitySpec(
        E.VENDOR_CREDIT_REFUND,
        Family.VENDOR_CREDITS,
        "Payment (refund)",
        (Reference("vendor_credit_id", E.VENDOR_CREDIT),),
    ),
    # F3.10, seed 002 "Products": keyed by code in Xero; no dependencies.
    E.ITEM: EntitySpec(E.ITEM, Family.ITEMS, "Item"),
}


def spec(entity: EntityName | str) -> EntitySpec:
    return ENTITIES[EntityName(entity)]


def family_of(entity: EntityName | str) -> Family:
    return spec(entity).family


def entities_of_family(family: Family) -> list[EntityName]:
    return [name for name, entity_spec in ENTITIES.items() if entity_spec.family is family]


def references_of(entity: EntityName | str, data: BaseModel) -> list[tuple[Reference, str]]:
    """The references a record actually makes (optional fields left empty are skipped)."""
    found: list[tuple[Reference, str]] = []
    for ref in spec(entity).references:
        host_id = getattr(data, ref.field, None)
        if host_id:
            found.append((ref, host_id))
    return found


def referenced_contacts(entity: EntityName | str, data: BaseModel) -> list[str]:
    """Host ids of the contacts a record refers to. The service marks them ``referenced``, which
    is what makes a contact exportable (sync tables: "A contact will be exported only if it's
    associated with a transaction after integrating")."""
    return [host_id for ref, host_id in references_of(entity, data) if ref.entity is EntityName.CONTACT]
