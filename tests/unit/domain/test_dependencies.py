"""The entity registry and the dependency resolver (F3.4): out-of-order arrivals wait."""

from __future__ import annotations

import pytest
from export_domain_helpers import bank_charge, credit_note, credit_note_allocation, invoice, invoice_payment, link

from xero_sync.domain.dependencies import (
    Fail,
    ParentKey,
    ParentState,
    ParentStatus,
    Ready,
    Skip,
    Wait,
    parents_of,
    resolve,
)
from xero_sync.domain.entities import ENTITIES, entities_of_family, family_of, referenced_contacts, spec
from xero_sync.domain.families import Family
from xero_sync.models.records import MODEL_BY_ENTITY, EntityName, RecordAction

E = EntityName
UPSERT, DELETE = RecordAction.UPSERT, RecordAction.DELETE


def test_registry_covers_every_entity_and_family():
    assert set(ENTITIES) == set(EntityName) == set(MODEL_BY_ENTITY)
    assert {entity_spec.family for entity_spec in ENTITIES.values()} == set(Family)
    for entity_spec in ENTITIES.values():
        for ref in entity_spec.references:
            assert ref.field in entity_spec.model.model_fields, (entity_spec.name, ref.field)


@pytest.mark.parametrize(
    ("entity", "family", "parents"),
    [
        (E.CONTACT, Family.CONTACTS, []),
        (E.INVOICE, Family.INVOICES, [("contact_id", E.CONTACT)]),
        (E.WRITE_OFF, Family.INVOICES, [("invoice_id", E.INVOICE)]),
        (E.INVOICE_PAYMENT, Family.INVOICE_PAYMENTS, [("invoice_id", E.INVOICE)]),
        (E.BANK_CHARGE, Family.BANK_CHARGES, [("contact_id", E.CONTACT)]),
        (E.CREDIT_NOTE, Family.CREDIT_NOTES, [("contact_id", E.CONTACT)]),
        (E.CREDIT_NOTE_ALLOCATION, Family.CREDIT_NOTES, [("credit_note_id", E.CREDIT_NOTE), ("invoice_id", E.INVOICE)]),
        (E.CREDIT_NOTE_REFUND, Family.CREDIT_NOTES, [("credit_note_id", E.CREDIT_NOTE)]),
        (E.BILL, Family.BILLS, [("vendor_id", E.CONTACT)]),
        (E.BILL_PAYMENT, Family.BILL_PAYMENTS, [("bill_id", E.BILL)]),
        (E.VENDOR_CREDIT, Family.VENDOR_CREDITS, [("vendor_id", E.CONTACT)]),
        (
            E.VENDOR_CREDIT_ALLOCATION,
            Family.VENDOR_CREDITS,
            [("vendor_credit_id", E.VENDOR_CREDIT), ("bill_id", E.BILL)],
        ),
        (E.VENDOR_CREDIT_REFUND, Family.VENDOR_CREDITS, [("vendor_credit_id", E.VENDOR_CREDIT)]),
    ],
)
def test_registry_rows(entity, family, parents):
    assert family_of(entity) is family
    assert [(ref.field, ref.entity) for ref in spec(entity).parents] == parents


def test_informative_links_do_not_hold_records_back():
    refs = {ref.field: ref for ref in spec(E.CREDIT_NOTE).references}
    assert refs["invoice_id"].waits is False
    assert parents_of(E.CREDIT_NOTE, credit_note(invoice_id="inv-1")) == [ParentKey("contact_id", E.CONTACT, "cus-1")]


def test_entities_of_family():
    assert entities_of_family(Family.INVOICES) == [E.INVOICE, E.WRITE_OFF]
    assert set(entities_of_family(Family.CREDIT_NOTES)) == {
        E.CREDIT_NOTE,
        E.CREDIT_NOTE_ALLOCATION,
        E.CREDIT_NOTE_REFUND,
    }


def test_referenced_contacts():
    assert referenced_contacts(E.INVOICE, invoice(contact_id="cus-9")) == ["cus-9"]
    assert referenced_contacts(E.BANK_CHARGE, bank_charge()) == []
    assert referenced_contacts(E.BANK_CHARGE, bank_charge(contact_id="ven-3")) == ["ven-3"]
    assert referenced_contacts(E.INVOICE_PAYMENT, invoice_payment()) == []


# --- resolver ---------------------------------------------------------------------------------

ALLOC = credit_note_allocation(credit_note_id="cn-1", invoice_id="inv-1")
CN_KEY = ParentKey("credit_note_id", E.CREDIT_NOTE, "cn-1")
INV_KEY = ParentKey("invoice_id", E.INVOICE, "inv-1")


def exported(entity: EntityName, host_id: str, xero_id: str) -> ParentState:
    return ParentState(ParentStatus.EXPORTED, link(entity, host_id, xero_id))


def test_all_parents_in_xero_gives_links_by_field():
    states = {CN_KEY: exported(E.CREDIT_NOTE, "cn-1", "X-CN"), INV_KEY: exported(E.INVOICE, "inv-1", "X-INV")}
    result = resolve(E.CREDIT_NOTE_ALLOCATION, UPSERT, ALLOC, states)
    assert isinstance(result, Ready)
    assert {name: parent.xero_id for name, parent in result.links.items()} == {
        "credit_note_id": "X-CN",
        "invoice_id": "X-INV",
    }


def test_parent_not_yet_in_xero_waits_and_does_not_fail():
    states = {
        CN_KEY: exported(E.CREDIT_NOTE, "cn-1", "X-CN"),
        INV_KEY: ParentState(ParentStatus.NOT_EXPORTED, detail="pending"),
    }
    result = resolve(E.CREDIT_NOTE_ALLOCATION, UPSERT, ALLOC, states)
    assert isinstance(result, Wait)
    assert result.parent == INV_KEY and result.waiting_on == "invoice#inv-1"
    assert "pending" in result.reason


def test_parent_the_host_never_sent_waits():
    result = resolve(E.INVOICE_PAYMENT, UPSERT, invoice_payment(invoice_id="inv-7"), {})
    assert isinstance(result, Wait)
    assert result.parent == ParentKey("invoice_id", E.INVOICE, "inv-7")
    assert "has not sent yet" in result.reason


def test_failed_parent_makes_the_child_wait():
    states = {
        ParentKey("invoice_id", E.INVOICE, "inv-1"): ParentState(
            ParentStatus.NOT_EXPORTED, detail="it failed: no account code"
        )
    }
    assert isinstance(resolve(E.INVOICE_PAYMENT, UPSERT, invoice_payment(), states), Wait)


def test_deleted_parent_fails_the_child():
    states = {
        CN_KEY: exported(E.CREDIT_NOTE, "cn-1", "X-CN"),
        INV_KEY: ParentState(ParentStatus.DELETED, detail="voided in Xero"),
    }
    result = resolve(E.CREDIT_NOTE_ALLOCATION, UPSERT, ALLOC, states)
    assert isinstance(result, Fail)
    assert result.parent == INV_KEY and "deleted or voided" in result.reason


def test_excluded_parent_skips_the_child():
    states = {
        ParentKey("invoice_id", E.INVOICE, "inv-1"): ParentState(
            ParentStatus.EXCLUDED, detail="dated before the export-from date"
        )
    }
    result = resolve(E.INVOICE_PAYMENT, UPSERT, invoice_payment(), states)
    assert isinstance(result, Skip) and "export-from" in result.reason


def test_worst_news_first():
    states = {CN_KEY: ParentState(ParentStatus.NOT_EXPORTED), INV_KEY: ParentState(ParentStatus.DELETED)}
    assert isinstance(resolve(E.CREDIT_NOTE_ALLOCATION, UPSERT, ALLOC, states), Fail)


def test_optional_reference_left_empty_is_no_dependency():
    assert resolve(E.BANK_CHARGE, UPSERT, bank_charge(), {}) == Ready()
    result = resolve(E.BANK_CHARGE, UPSERT, bank_charge(contact_id="ven-3"), {})
    assert isinstance(result, Wait) and result.parent.entity is E.CONTACT


def test_deletes_never_wait():
    assert resolve(E.INVOICE_PAYMENT, DELETE, None, {}) == Ready()


def test_exported_state_needs_its_link():
    with pytest.raises(ValueError):
        ParentState(ParentStatus.EXPORTED)
