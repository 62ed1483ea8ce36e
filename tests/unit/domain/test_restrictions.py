"""The sync tables of seeds 000 and 001, row by row (F3.2).

``ROW_CASES`` gives every action row of both tables at least one case — the row's happy path —
and every row with a restriction a case that hits the restriction. Each test id starts with the
row id and the seed's own action text, e.g. ``000-03 Update an invoice | has payments -> refused``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from export_domain_helpers import (
    bank_charge,
    bill,
    bill_payment,
    contact,
    credit_note,
    credit_note_allocation,
    credit_note_refund,
    invoice,
    invoice_payment,
    settings,
    vendor_credit,
    vendor_credit_allocation,
    vendor_credit_refund,
    write_off,
)

from xero_sync.domain.restrictions import (
    NEVER_EXPORTED,
    Decision,
    LinkState,
    Operation,
    RecordFacts,
    XeroStatus,
    decide,
)
from xero_sync.domain.sync_table import NO_RESTRICTIONS, ROWS_BY_ID, SYNC_TABLE, HostAction, rows_for
from xero_sync.models.records import EntityName, RecordAction

E = EntityName
UPSERT, DELETE = RecordAction.UPSERT, RecordAction.DELETE
OP = Operation

IN_XERO = LinkState(xero_id="X-1", exported_version=1, exported_action=UPSERT, xero_status=XeroStatus.AUTHORISED)
DRAFT_IN_XERO = LinkState(xero_id="X-1", exported_version=1, exported_action=UPSERT, xero_status=XeroStatus.DRAFT)
VOIDED_IN_XERO = LinkState(xero_id="X-1", exported_version=1, exported_action=UPSERT, xero_status=XeroStatus.VOIDED)
PAID_IN_XERO = LinkState(xero_id="X-1", exported_version=1, exported_action=UPSERT, xero_status=XeroStatus.PAID)
NEVER = NEVER_EXPORTED


@dataclass(frozen=True)
class Case:
    name: str
    entity: EntityName
    action: RecordAction
    data: Any
    link: LinkState
    expected: Operation
    facts: RecordFacts = field(default_factory=RecordFacts)
    says: str | None = None  # a phrase the reason must contain


def upsert(name, entity, data, link, expected, says=None, **facts) -> Case:
    return Case(name, entity, UPSERT, data, link, expected, RecordFacts(**facts), says)


def delete(name, entity, link, expected, says=None, **facts) -> Case:
    return Case(name, entity, DELETE, None, link, expected, RecordFacts(**facts), says)


# --- cases shared by the rows both seeds have ---------------------------------------------------

CONTACT_CREATE = [
    upsert("referred to by a transaction → created", E.CONTACT, contact(), NEVER, OP.CREATE, referenced=True),
    upsert(
        "not referred to by any transaction → skipped",
        E.CONTACT,
        contact(),
        NEVER,
        OP.SKIP,
        says="exported only if it’s associated with a transaction",
    ),
]
INVOICE_CREATE = [
    upsert("open → created", E.INVOICE, invoice(status="open"), NEVER, OP.CREATE),
    upsert("draft → not exported", E.INVOICE, invoice(status="draft"), NEVER, OP.SKIP, says="Drafts are not exported"),
]
INVOICE_UPDATE = [
    upsert("no payments or credit → updated", E.INVOICE, invoice(), IN_XERO, OP.UPDATE),
    upsert(
        "has payments → refused",
        E.INVOICE,
        invoice(),
        IN_XERO,
        OP.REFUSE,
        says="has associated payments or credit",
        has_payments=True,
    ),
    upsert("fully paid in Xero → refused", E.INVOICE, invoice(), PAID_IN_XERO, OP.REFUSE),
    upsert("credit applied → refused", E.INVOICE, invoice(), IN_XERO, OP.REFUSE, has_credits=True),
    upsert("written off → refused", E.INVOICE, invoice(), IN_XERO, OP.REFUSE, says="written off", written_off=True),
    upsert("voided in Xero → refused", E.INVOICE, invoice(), VOIDED_IN_XERO, OP.REFUSE, says="voided in Xero"),
    upsert(
        "payments being removed → waits",
        E.INVOICE,
        invoice(),
        IN_XERO,
        OP.WAIT,
        has_payments=True,
        child_removals_pending=True,
    ),
    upsert(
        "back to draft after export → left as is",
        E.INVOICE,
        invoice(status="draft"),
        IN_XERO,
        OP.SKIP,
        says="cannot take it back to draft",
    ),
]
INVOICE_DELETE = [
    delete("delete → voided", E.INVOICE, IN_XERO, OP.VOID, says="The invoice will be voided."),
    upsert("status void → voided", E.INVOICE, invoice(status="void"), IN_XERO, OP.VOID),
    delete("written off → refused", E.INVOICE, IN_XERO, OP.REFUSE, says="has been written off", written_off=True),
    delete(
        "associated with a credit note → refused",
        E.INVOICE,
        IN_XERO,
        OP.REFUSE,
        says="associated with a credit note",
        has_credits=True,
    ),
    delete("never exported → nothing to void", E.INVOICE, NEVER, OP.SKIP, says="never exported"),
    upsert("void never exported → nothing to void", E.INVOICE, invoice(status="void"), NEVER, OP.SKIP),
    delete("still a draft in Xero → deleted", E.INVOICE, DRAFT_IN_XERO, OP.DELETE),
    delete("already voided → nothing more", E.INVOICE, VOIDED_IN_XERO, OP.NOOP),
    delete(
        "has payments in Xero → refused (Xero voids only unpaid)",
        E.INVOICE,
        IN_XERO,
        OP.REFUSE,
        says="Delete the payments first",
        has_payments=True,
    ),
    delete(
        "payments being removed → waits", E.INVOICE, IN_XERO, OP.WAIT, has_payments=True, child_removals_pending=True
    ),
]
WRITE_OFF_CREATE = [upsert("credit note + allocation", E.WRITE_OFF, write_off(), NEVER, OP.CREATE)]
INVOICE_PAYMENT_CREATE = [upsert("created", E.INVOICE_PAYMENT, invoice_payment(), NEVER, OP.CREATE)]
INVOICE_PAYMENT_UPDATE = [
    upsert("delete + create (Xero never edits payments)", E.INVOICE_PAYMENT, invoice_payment(), IN_XERO, OP.RECREATE)
]
INVOICE_PAYMENT_DELETE = [
    delete("deleted", E.INVOICE_PAYMENT, IN_XERO, OP.DELETE),
    delete("never exported → nothing to delete", E.INVOICE_PAYMENT, NEVER, OP.SKIP),
]
CREDIT_NOTE_CREATE = [
    upsert("open → created", E.CREDIT_NOTE, credit_note(), NEVER, OP.CREATE),
    upsert("draft → not exported", E.CREDIT_NOTE, credit_note(status="draft"), NEVER, OP.SKIP),
]
CREDIT_NOTE_UPDATE = [
    upsert("updated", E.CREDIT_NOTE, credit_note(), IN_XERO, OP.UPDATE),
    upsert(
        "updated even when allocated (no restrictions)",
        E.CREDIT_NOTE,
        credit_note(),
        IN_XERO,
        OP.UPDATE,
        has_allocations=True,
    ),
]
CREDIT_NOTE_ALLOCATE = [upsert("allocated", E.CREDIT_NOTE_ALLOCATION, credit_note_allocation(), NEVER, OP.CREATE)]
CREDIT_NOTE_DELETE = [
    delete("not allocated → voided (approved credit notes cannot be deleted)", E.CREDIT_NOTE, IN_XERO, OP.VOID),
    delete(
        "allocated to an invoice → refused",
        E.CREDIT_NOTE,
        IN_XERO,
        OP.REFUSE,
        says="you must remove it",
        has_allocations=True,
    ),
    delete(
        "allocation being removed → waits",
        E.CREDIT_NOTE,
        IN_XERO,
        OP.WAIT,
        has_allocations=True,
        child_removals_pending=True,
    ),
    delete("still a draft in Xero → deleted", E.CREDIT_NOTE, DRAFT_IN_XERO, OP.DELETE),
]
CREDIT_NOTE_REFUND_CREATE = [upsert("created", E.CREDIT_NOTE_REFUND, credit_note_refund(), NEVER, OP.CREATE)]
CREDIT_NOTE_REFUND_UPDATE = [
    upsert("delete + create", E.CREDIT_NOTE_REFUND, credit_note_refund(), IN_XERO, OP.RECREATE)
]
CREDIT_NOTE_REFUND_DELETE = [delete("deleted", E.CREDIT_NOTE_REFUND, IN_XERO, OP.DELETE)]

ROW_CASES: dict[str, list[Case]] = {
    # seed 000
    "000-01": CONTACT_CREATE,
    "000-02": INVOICE_CREATE,
    "000-03": INVOICE_UPDATE,
    "000-04": INVOICE_DELETE,
    "000-05": WRITE_OFF_CREATE,
    "000-06": INVOICE_PAYMENT_CREATE,
    "000-07": INVOICE_PAYMENT_UPDATE,
    "000-08": INVOICE_PAYMENT_DELETE,
    "000-09": CREDIT_NOTE_CREATE,
    "000-10": CREDIT_NOTE_UPDATE,
    "000-11": CREDIT_NOTE_ALLOCATE,
    "000-12": CREDIT_NOTE_DELETE,
    "000-13": CREDIT_NOTE_REFUND_CREATE,
    "000-14": CREDIT_NOTE_REFUND_UPDATE,
    "000-15": CREDIT_NOTE_REFUND_DELETE,
    # seed 001
    "001-01": [
        *CONTACT_CREATE,
        upsert(
            "vendor referred to by a bill → created",
            E.CONTACT,
            contact(kind="vendor"),
            NEVER,
            OP.CREATE,
            referenced=True,
        ),
    ],
    "001-02": INVOICE_CREATE,
    "001-03": INVOICE_UPDATE,
    "001-04": INVOICE_DELETE,
    "001-05": WRITE_OFF_CREATE,
    "001-06": INVOICE_PAYMENT_CREATE,
    "001-07": [
        upsert(
            "spend transaction created", E.BANK_CHARGE, bank_charge(), NEVER, OP.CREATE, says="spend bank transaction"
        ),
    ],
    "001-08": INVOICE_PAYMENT_UPDATE,
    "001-09": INVOICE_PAYMENT_DELETE,
    "001-10": [
        upsert("open → created", E.BILL, bill(), NEVER, OP.CREATE),
        upsert("draft → not exported", E.BILL, bill(status="draft"), NEVER, OP.SKIP, says="Drafts are not exported"),
    ],
    "001-11": [
        upsert("no payments or debit notes → updated", E.BILL, bill(), IN_XERO, OP.UPDATE),
        upsert(
            "has payments → refused",
            E.BILL,
            bill(),
            IN_XERO,
            OP.REFUSE,
            says="has payments or debit notes associated with it",
            has_payments=True,
        ),
        upsert("debit note associated → refused", E.BILL, bill(), IN_XERO, OP.REFUSE, has_credits=True),
        upsert("voided in Xero → refused", E.BILL, bill(), VOIDED_IN_XERO, OP.REFUSE),
    ],
    "001-12": [
        delete("delete → voided", E.BILL, IN_XERO, OP.VOID, says="Voids the corresponding bill."),
        upsert("status void → voided", E.BILL, bill(status="void"), IN_XERO, OP.VOID),
        delete(
            "associated with a debit note → refused",
            E.BILL,
            IN_XERO,
            OP.REFUSE,
            says="associated with a debit note",
            has_credits=True,
        ),
        delete("never exported → nothing to void", E.BILL, NEVER, OP.SKIP),
        delete("has payments in Xero → refused", E.BILL, IN_XERO, OP.REFUSE, has_payments=True),
    ],
    "001-13": [upsert("created", E.BILL_PAYMENT, bill_payment(), NEVER, OP.CREATE)],
    "001-14": [upsert("delete + create", E.BILL_PAYMENT, bill_payment(), IN_XERO, OP.RECREATE)],
    "001-15": [delete("deleted", E.BILL_PAYMENT, IN_XERO, OP.DELETE)],
    "001-16": CREDIT_NOTE_CREATE,
    "001-17": CREDIT_NOTE_UPDATE,
    "001-18": CREDIT_NOTE_ALLOCATE,
    "001-19": CREDIT_NOTE_DELETE,
    "001-20": [
        upsert("open → debit note created", E.VENDOR_CREDIT, vendor_credit(), NEVER, OP.CREATE),
        upsert("draft → not exported", E.VENDOR_CREDIT, vendor_credit(status="draft"), NEVER, OP.SKIP),
    ],
    "001-21": [upsert("debit note updated", E.VENDOR_CREDIT, vendor_credit(), IN_XERO, OP.UPDATE)],
    "001-22": [upsert("allocated", E.VENDOR_CREDIT_ALLOCATION, vendor_credit_allocation(), NEVER, OP.CREATE)],
    "001-23": [
        delete("not allocated → voided", E.VENDOR_CREDIT, IN_XERO, OP.VOID),
        delete(
            "credits allocated → refused",
            E.VENDOR_CREDIT,
            IN_XERO,
            OP.REFUSE,
            says="de-allocate any credits used from the debit note",
            has_allocations=True,
        ),
        delete("still a draft in Xero → deleted", E.VENDOR_CREDIT, DRAFT_IN_XERO, OP.DELETE),
    ],
    "001-24": CREDIT_NOTE_REFUND_CREATE,
    "001-25": CREDIT_NOTE_REFUND_UPDATE,
    "001-26": CREDIT_NOTE_REFUND_DELETE,
    "001-27": [upsert("created", E.VENDOR_CREDIT_REFUND, vendor_credit_refund(), NEVER, OP.CREATE)],
    "001-28": [upsert("delete + create", E.VENDOR_CREDIT_REFUND, vendor_credit_refund(), IN_XERO, OP.RECREATE)],
    "001-29": [delete("deleted", E.VENDOR_CREDIT_REFUND, IN_XERO, OP.DELETE)],
}


def _row_params() -> list[Any]:
    params = []
    for row in SYNC_TABLE:
        for case in ROW_CASES.get(row.row_id, []):
            name = f"{row.row_id} {row.host_action_text} | {case.name}".replace("→", "->")  # ASCII test ids
            params.append(pytest.param(row.row_id, case, id=name))
    return params


@pytest.mark.parametrize(("row_id", "case"), _row_params())
def test_sync_table_row(row_id: str, case: Case):
    # Given the record's latest state and what is known about it in Xero
    # When the domain decides
    decision = decide(case.entity, case.action, case.data, 2, case.link, case.facts)
    # Then the operation is the row's, and the decision cites the row
    assert decision.operation is case.expected, decision.reason
    assert row_id in decision.rows
    if case.says:
        assert case.says in decision.reason


def test_every_row_of_both_tables_has_cases():
    assert len(SYNC_TABLE) == 15 + 29
    assert set(ROW_CASES) == set(ROWS_BY_ID)
    for row in SYNC_TABLE:
        cases = ROW_CASES[row.row_id]
        assert any(c.expected in (OP.CREATE, OP.UPDATE, OP.VOID, OP.DELETE, OP.RECREATE) for c in cases), row.row_id
        if row.restriction != NO_RESTRICTIONS:
            # a row with a restriction also has a case where the restriction bites
            assert any(c.expected in (OP.SKIP, OP.REFUSE) for c in cases), row.row_id


def test_rows_are_keyed_by_entity_and_action():
    assert [r.row_id for r in rows_for(E.INVOICE, HostAction.UPDATE)] == ["000-03", "001-03"]
    assert [r.row_id for r in rows_for(E.BANK_CHARGE, HostAction.CREATE)] == ["001-07"]
    assert rows_for(E.BANK_CHARGE, HostAction.DELETE) == ()


SEEDS = Path(__file__).resolve().parents[3].parent / "shared" / "seeds"


@pytest.mark.skipif(not SEEDS.is_dir(), reason="the shared seed documents are not next to the repository")
@pytest.mark.parametrize("seed", ["000", "001"])
def test_rows_are_the_seed_text_verbatim_and_complete(seed: str):
    # The rows, joined in order, are exactly the seed's sync table (modulo whitespace).
    path = next(SEEDS.glob(f"{seed}_*.txt"))
    squash = lambda text: re.sub(r"[\s*]+", " ", text).strip()  # noqa: E731 - whitespace and markdown bold
    source = squash(path.read_text(encoding="utf-8"))
    rows = [row for row in SYNC_TABLE if row.row_id.startswith(seed)]
    joined = squash(" ".join(f"{r.host_action_text} {r.xero_effect} {r.sync_type} {r.restriction}" for r in rows))
    assert joined in source


# --- decisions around the rows ----------------------------------------------------------------


def test_same_version_already_in_xero_is_a_noop():
    decision = decide(E.INVOICE, UPSERT, invoice(), 1, IN_XERO)
    assert decision.operation is OP.NOOP


def test_older_version_never_wins():
    link = LinkState(xero_id="X", exported_version=7, exported_action=UPSERT, xero_status=XeroStatus.AUTHORISED)
    assert decide(E.INVOICE, DELETE, None, 6, link).operation is OP.NOOP


def test_unchanged_payload_is_a_noop_update():
    link = LinkState(xero_id="X", exported_version=1, exported_action=UPSERT, exported_fingerprint="abc")
    assert decide(E.INVOICE, UPSERT, invoice(), 2, link, new_fingerprint="abc").operation is OP.NOOP
    assert decide(E.INVOICE, UPSERT, invoice(), 2, link, new_fingerprint="def").operation is OP.UPDATE
    assert decide(E.INVOICE_PAYMENT, UPSERT, invoice_payment(), 2, link, new_fingerprint="abc").operation is OP.NOOP


def test_contacts_update_and_are_never_deleted():
    assert decide(E.CONTACT, UPSERT, contact(), 2, IN_XERO).operation is OP.UPDATE
    decision = decide(E.CONTACT, DELETE, None, 2, IN_XERO)
    assert decision.operation is OP.SKIP and "archive" in decision.reason


def test_bank_charges_update_and_delete():
    assert decide(E.BANK_CHARGE, UPSERT, bank_charge(), 2, IN_XERO).operation is OP.UPDATE
    assert decide(E.BANK_CHARGE, DELETE, None, 2, IN_XERO).operation is OP.DELETE
    assert decide(E.BANK_CHARGE, DELETE, None, 2, NEVER).operation is OP.SKIP


def test_write_off_changes_are_recreated_and_undone_by_delete():
    assert decide(E.WRITE_OFF, UPSERT, write_off(amount="5.00"), 2, IN_XERO).operation is OP.RECREATE
    assert decide(E.WRITE_OFF, DELETE, None, 2, IN_XERO).operation is OP.DELETE


def test_payment_deleted_then_sent_again_is_created_again():
    deleted = LinkState(xero_id="X", exported_version=2, exported_action=DELETE, xero_status=XeroStatus.DELETED)
    assert decide(E.INVOICE_PAYMENT, UPSERT, invoice_payment(), 3, deleted).operation is OP.CREATE
    assert decide(E.INVOICE_PAYMENT, DELETE, None, 3, deleted).operation is OP.NOOP


def test_draft_that_later_becomes_open_is_created_then():
    assert decide(E.INVOICE, UPSERT, invoice(status="draft"), 1, NEVER).operation is OP.SKIP
    assert decide(E.INVOICE, UPSERT, invoice(status="open"), 2, NEVER).operation is OP.CREATE


def test_reasons_keep_the_document_number():
    decision = decide(E.INVOICE, UPSERT, invoice(number="INV-0099"), 2, IN_XERO, RecordFacts(has_payments=True))
    assert decision.reason.startswith("Invoice INV-0099 was not updated in Xero")
    deleted = decide(E.CREDIT_NOTE, DELETE, None, 2, IN_XERO, RecordFacts(has_allocations=True), label="CN-7")
    assert deleted.reason.startswith("Credit note CN-7 is allocated")


# --- the org's settings -----------------------------------------------------------------------


def test_family_turned_off_is_skipped():
    org = settings(export={"invoices_and_payments": True, "bills_and_payments": False})
    decision = decide(E.BILL, UPSERT, bill(), 1, NEVER, settings=org)
    assert decision.operation is OP.SKIP and "turned off" in decision.reason
    assert (
        decide(E.CONTACT, UPSERT, contact(), 1, NEVER, RecordFacts(referenced=True), settings=org).operation
        is OP.CREATE
    )


def test_create_update_delete_toggles():
    org = settings(actions={"invoices": {"update": False, "delete": False}})
    assert decide(E.INVOICE, UPSERT, invoice(), 1, NEVER, settings=org).operation is OP.CREATE
    assert decide(E.INVOICE, UPSERT, invoice(), 2, IN_XERO, settings=org).operation is OP.SKIP
    assert decide(E.INVOICE, DELETE, None, 2, IN_XERO, settings=org).operation is OP.SKIP
    assert decide(E.INVOICE_PAYMENT, DELETE, None, 2, IN_XERO, settings=org).operation is OP.DELETE


def test_documents_before_the_export_from_date_are_skipped():
    org = settings(export_from="2026-11-03")
    decision = decide(E.INVOICE, UPSERT, invoice(date="2026-11-02"), 1, NEVER, settings=org)
    assert decision.operation is OP.SKIP and "2026-11-03" in decision.reason
    assert decide(E.INVOICE, UPSERT, invoice(date="2026-11-03"), 1, NEVER, settings=org).operation is OP.CREATE
    # an invoice already exported keeps syncing; children follow their parent (dependencies)
    assert decide(E.INVOICE, UPSERT, invoice(date="2026-11-02"), 2, IN_XERO, settings=org).operation is OP.UPDATE
    assert (
        decide(E.INVOICE_PAYMENT, UPSERT, invoice_payment(date="2026-01-01"), 1, NEVER, settings=org).operation
        is OP.CREATE
    )


def test_decision_flags():
    assert Decision(OP.REFUSE, "x").refused
    assert Decision(OP.RECREATE, "x").sends_to_xero
    assert not Decision(OP.WAIT, "x").sends_to_xero
