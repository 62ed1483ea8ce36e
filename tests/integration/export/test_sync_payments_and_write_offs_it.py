"""Sync-table rows of write-offs and invoice payments (000-05..08, 001-05, 001-06, 001-08,
001-09), driven through the real pipeline against the emulated Xero: an invoice written off
(whole, part-paid, changed, undone), and payments recorded, refused by Xero, changed and deleted.

Each case pushes the set-up records and exports them, pushes the row's action and exports
again, then checks the emulated Xero's *state* (documents, statuses, totals, payments,
allocations) and the record's status — never just that a call was made. Restriction variants
(the row's "Sync Restrictions" column, and refusals that come from Xero itself) are attached to
the first row that states them. The registry and set-ups are in ``sync_row_helpers.py``;
``test_sync_rows_it.py`` checks that the cases of all the sync-row modules cover the table.
"""

# ruff: noqa: F811 — the test parameters are the fixtures imported from scenario_helpers

from __future__ import annotations

import pytest
from export_harness import ExportHarness
from scenario_helpers import (
    WRITE_OFF_ACCOUNT,
    XeroState,
    delete,
    emulator,  # noqa: F401 — fixtures: see scenario_helpers
    harness,  # noqa: F401
    invoice_payment,
    money,
    write_off,
)
from sync_row_helpers import Case, assert_synced, registering_into, sale, xero_client

from xero_sync.models.records import EntityName

CASES: list[Case] = []
rows = registering_into(CASES)


# ==================================================================================================
# Write-offs (000-05, 001-05)
# ==================================================================================================


def assert_written_off(h: ExportHarness, amount: str) -> None:
    xero = XeroState(h)
    found = xero.invoice("INV-1001")
    note = xero.credit_note("INV-1001-WO")
    assert note["Status"] in ("AUTHORISED", "PAID") and note["Contact"]["ContactID"] == found["Contact"]["ContactID"]
    assert [(item["AccountCode"], money(item["LineAmount"])) for item in note["LineItems"]] == [
        (WRITE_OFF_ACCOUNT, money(amount))
    ]
    allocations = xero.live_allocations("INV-1001-WO")
    assert [(a["Invoice"]["InvoiceID"], money(a["Amount"])) for a in allocations] == [
        (found["InvoiceID"], money(amount))
    ]
    assert found["Status"] == "PAID" and money(found["AmountDue"]) == 0
    assert money(note["RemainingCredit"]) == 0
    assert_synced(h, ("write_off", "wo-1"))


@rows("000-05")
def invoice_written_off(h: ExportHarness) -> None:
    # Given an open invoice in Xero
    sale(h)
    # When the host writes it off (no amount: the whole balance)
    h.export(write_off("wo-1", "inv-1", reason="Customer closed"))
    # Then a credit note on the write-off account is allocated to it, and the invoice is settled
    assert_written_off(h, "115.00")


@rows("001-05")
def part_paid_invoice_written_off(h: ExportHarness) -> None:
    # Given an invoice with a part payment in Xero
    sale(h, invoice_payment("pay-1", "inv-1", "15.00"))
    # When the host writes off the rest, in the same push as nothing else
    h.export(write_off("wo-1", "inv-1", amount="100.00"))
    # Then the credit note covers the balance and the invoice is paid off
    assert_written_off(h, "100.00")


@rows("000-05", variant="pushed with its invoice")
def invoice_and_write_off_in_one_push(h: ExportHarness) -> None:
    # Given an invoice and its write-off arriving together (the write-off waits for the invoice)
    # When they are exported
    sale(h, write_off("wo-1", "inv-1"))
    # Then both reach Xero in the same sync
    assert_written_off(h, "115.00")


@rows("000-05", variant="changed, then undone by the host")
def write_off_changed_then_deleted(h: ExportHarness) -> None:
    # Given an invoice written off for 100.00 of its 115.00
    sale(h, write_off("wo-1", "inv-1", amount="100.00"))
    first = XeroState(h).credit_note("INV-1001-WO")
    # When the host changes the write-off to the whole 115.00
    h.export(write_off("wo-1", "inv-1", version=2, amount="115.00"))
    # Then the first note is voided (its allocation removed) and a second one writes off 115.00
    xero = XeroState(h)
    assert xero.credit_note("INV-1001-WO")["Status"] == "VOIDED"
    second = xero.credit_note("INV-1001-WO2")
    assert second["CreditNoteID"] != first["CreditNoteID"] and money(second["Total"]) == money(115)
    assert [money(a["Amount"]) for a in xero.live_allocations("INV-1001-WO2")] == [money(115)]
    assert xero.invoice("INV-1001")["Status"] == "PAID"
    # When the host deletes the write-off
    h.export(delete("write_off", "wo-1", 3))
    # Then the note is voided and the invoice is due again in full
    xero = XeroState(h)
    assert xero.credit_note("INV-1001-WO2")["Status"] == "VOIDED"
    found = xero.invoice("INV-1001")
    assert found["Status"] == "AUTHORISED" and money(found["AmountDue"]) == money(115)
    assert len(xero.credit_notes(type_="ACCRECCREDIT")) == 2


# ==================================================================================================
# Invoice payments (000-06..08, 001-06, 001-08, 001-09)
# ==================================================================================================


@rows("000-06", "001-06")
def invoice_payment_recorded(h: ExportHarness) -> None:
    # Given an invoice in Xero
    sale(h)
    # When the host records a part payment
    h.export(invoice_payment("pay-1", "inv-1", "50.00", reference="Cheque 118"))
    # Then Xero has one AUTHORISED payment on the bank account applied to the invoice
    xero = XeroState(h)
    found = xero.invoice("INV-1001")
    payment = xero.live_payment("invoice_payment", "pay-1")
    assert payment["Status"] == "AUTHORISED" and money(payment["Amount"]) == money(50)
    assert payment["Invoice"]["InvoiceID"] == found["InvoiceID"] and payment["Account"]["Code"] == "090"
    assert payment["Reference"].startswith("Cheque 118 [xs:")
    assert money(found["AmountDue"]) == money(65) and found["Status"] == "AUTHORISED"


@rows("000-06", variant="Xero refuses: more than the balance")
def payment_over_balance_refused_by_xero(h: ExportHarness) -> None:
    # Given an invoice of 115.00 in Xero
    sale(h)
    # When the host records a payment of 200.00
    h.export(invoice_payment("pay-1", "inv-1", "200.00"))
    # Then Xero refuses it: no payment, the record failed with an actionable message
    xero = XeroState(h)
    assert xero.payments_stamped("invoice_payment", "pay-1") == []
    assert money(xero.invoice("INV-1001")["AmountDue"]) == money(115)
    row = h.record("invoice_payment", "pay-1")
    assert row.status == "failed" and row.error_code == "payment_exceeds_balance", row.last_message


@rows("001-06", variant="Xero refuses, fixed in Xero, retried")
def payment_refused_by_xero_then_retried_after_the_fix(h: ExportHarness) -> None:
    # Given an invoice of 115.00 that someone part-paid (100.00) directly in Xero
    sale(h)
    invoice_id = XeroState(h).invoice("INV-1001")["InvoiceID"]
    direct = xero_client(h).put(
        "/Payments",
        json={
            "Payments": [
                {"Invoice": {"InvoiceID": invoice_id}, "Account": {"Code": "090"}, "Date": "2026-11-05", "Amount": 100}
            ]
        },
    )
    direct_id = direct.body["Payments"][0]["PaymentID"]
    # When the host records the full payment of 115.00
    h.export(invoice_payment("pay-1", "inv-1", "115.00"))
    # Then Xero refuses it and the admin is told why
    assert h.record("invoice_payment", "pay-1").error_code == "payment_exceeds_balance"
    # When the admin deletes the stray payment in Xero and retries the record (within minutes:
    # Xero's idempotency store still holds the refused request)
    xero_client(h).post(f"/Payments/{direct_id}", json={"Status": "DELETED"})
    h.container.records_service.retry(h.org_id, EntityName.INVOICE_PAYMENT, "pay-1")
    h.drain()
    # Then the payment is in Xero once and the invoice is paid
    xero = XeroState(h)
    assert money(xero.live_payment("invoice_payment", "pay-1")["Amount"]) == money(115)
    assert xero.invoice("INV-1001")["Status"] == "PAID"
    assert_synced(h, ("invoice_payment", "pay-1"))


@rows("000-07", "001-08")
def invoice_payment_updated(h: ExportHarness) -> None:
    # Given a payment of 50.00 in Xero
    sale(h, invoice_payment("pay-1", "inv-1", "50.00"))
    old = XeroState(h).live_payment("invoice_payment", "pay-1")
    # When the host changes it to 60.00
    h.export(invoice_payment("pay-1", "inv-1", "60.00", version=2))
    # Then the old payment is DELETED and one new AUTHORISED payment holds the new amount
    xero = XeroState(h)
    payments = {p["PaymentID"]: p for p in xero.payments_stamped("invoice_payment", "pay-1")}
    assert payments[old["PaymentID"]]["Status"] == "DELETED"
    new = xero.live_payment("invoice_payment", "pay-1")
    assert new["PaymentID"] != old["PaymentID"] and money(new["Amount"]) == money(60)
    assert money(xero.invoice("INV-1001")["AmountPaid"]) == money(60)
    assert h.record("invoice_payment", "pay-1").xero_id == new["PaymentID"]


@rows("000-08", "001-09")
def invoice_payment_deleted(h: ExportHarness) -> None:
    # Given a paid invoice
    sale(h, invoice_payment("pay-1", "inv-1", "115.00"))
    assert XeroState(h).invoice("INV-1001")["Status"] == "PAID"
    # When the host deletes the payment
    h.export(delete("invoice_payment", "pay-1", 2))
    # Then the payment is DELETED and the invoice is open again for the full amount
    xero = XeroState(h)
    assert [p["Status"] for p in xero.payments_stamped("invoice_payment", "pay-1")] == ["DELETED"]
    found = xero.invoice("INV-1001")
    assert found["Status"] == "AUTHORISED" and money(found["AmountDue"]) == money(115)
    assert_synced(h, ("invoice_payment", "pay-1"))


# ==================================================================================================
# The test
# ==================================================================================================


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_sync_row(harness: ExportHarness, case: Case) -> None:
    case.scenario(harness)
