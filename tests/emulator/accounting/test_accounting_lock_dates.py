"""Lock dates (accounting/locks.py): the Organisation shows them, and nothing that posts to the
ledger may be created, changed, voided or deleted on or before the later of the two."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from tests.emulator.accounting.helpers import (
    BANK,
    INVENTORY,
    Engine,
    credit_note_element,
    invoice_element,
    messages_of,
    ms,
)

PERIOD_MESSAGE = "The document date cannot be before the period lock date, currently set at 28-Feb-2026"
YEAR_MESSAGE = "The document date cannot be before the end of year lock date, currently set at 31-Jan-2026"


def lock(engine: Engine, period: str | None = "2026-02-28", end_of_year: str | None = None) -> None:
    changes = {
        "PeriodLockDate": date.fromisoformat(period) if period else None,
        "EndOfYearLockDate": date.fromisoformat(end_of_year) if end_of_year else None,
    }
    engine.books.set_lock_dates(changes, engine.now)


def test_organisation_shows_lock_dates_only_once_set(engine: Engine):
    organisation = engine.get("/Organisation").body["Organisations"][0]
    assert "PeriodLockDate" not in organisation and "EndOfYearLockDate" not in organisation
    assert {"ShortCode", "Timezone", "CountryCode", "BaseCurrency"} <= set(organisation)
    lock(engine, "2026-02-28", "2026-01-31")
    organisation = engine.get("/Organisation").body["Organisations"][0]
    assert organisation["PeriodLockDate"] == ms(date(2026, 2, 28)) == "/Date(1772236800000+0000)/"
    assert organisation["EndOfYearLockDate"] == ms(date(2026, 1, 31))


def test_changing_a_lock_date_moves_the_organisation_update_time_only_when_it_changes(engine: Engine):
    before = engine.books.organisation_updated_at
    engine.advance(60)
    assert engine.books.set_lock_dates({"PeriodLockDate": date(2026, 2, 28)}, engine.now) is True
    assert engine.books.organisation_updated_at == before + timedelta(seconds=60)
    engine.advance(60)
    assert engine.books.set_lock_dates({"PeriodLockDate": date(2026, 2, 28)}, engine.now) is False
    assert engine.books.organisation_updated_at == before + timedelta(seconds=60)
    assert engine.books.set_lock_dates({"PeriodLockDate": None}, engine.now) is True
    assert "PeriodLockDate" not in engine.get("/Organisation").body["Organisations"][0]


@pytest.mark.parametrize(
    "invoice_date, status, allowed",
    [
        ("2026-02-28", "AUTHORISED", False),  # on the lock date: locked
        ("2026-01-15", "AUTHORISED", False),
        ("2026-03-01", "AUTHORISED", True),  # the day after
        ("2026-02-10", "DRAFT", True),  # drafts do not post to the ledger
        ("2026-02-10", "SUBMITTED", True),
    ],
)
def test_approved_invoices_cannot_be_dated_on_or_before_the_lock_date(
    engine: Engine, customer, invoice_date, status, allowed
):
    lock(engine)
    element = invoice_element(customer["ContactID"], Date=invoice_date, DueDate="2026-04-30", Status=status)
    response = engine.put("/Invoices", {"Invoices": [element]})
    if allowed:
        assert response.status == 200
    else:
        assert response.status == 400 and messages_of(response) == [PERIOD_MESSAGE]
        assert engine.books.invoices == {}


def test_a_draft_in_the_locked_period_cannot_be_approved(engine: Engine, customer):
    lock(engine)
    draft = engine.invoice(customer["ContactID"], Date="2026-02-10", Status="DRAFT")
    approve = engine.post(f"/Invoices/{draft['InvoiceID']}", {"Status": "AUTHORISED"})
    assert approve.status == 400 and messages_of(approve) == [PERIOD_MESSAGE]
    moved = engine.post(f"/Invoices/{draft['InvoiceID']}", {"Status": "AUTHORISED", "Date": "2026-03-02"})
    assert moved.status == 200 and moved.body["Invoices"][0]["Status"] == "AUTHORISED"


def test_an_approved_invoice_in_a_period_locked_later_cannot_be_edited_or_voided(engine: Engine, customer):
    invoice = engine.invoice(customer["ContactID"], Date="2026-02-10")
    lock(engine)
    for change in ({"Reference": "changed"}, {"Status": "VOIDED"}, {"Date": "2026-03-05"}):
        refused = engine.post(f"/Invoices/{invoice['InvoiceID']}", change)
        assert refused.status == 400 and messages_of(refused) == [PERIOD_MESSAGE], change
    # a save that changes nothing is not a change: it is answered as usual
    assert engine.post(f"/Invoices/{invoice['InvoiceID']}", {"Status": "AUTHORISED"}).status == 200


def test_the_end_of_year_lock_date_has_its_own_message_and_the_later_date_wins(engine: Engine, customer):
    lock(engine, "2026-02-28", "2026-01-31")
    january = engine.put("/Invoices", {"Invoices": [invoice_element(customer["ContactID"], Date="2026-01-20")]})
    february = engine.put("/Invoices", {"Invoices": [invoice_element(customer["ContactID"], Date="2026-02-20")]})
    assert messages_of(january) == [YEAR_MESSAGE]
    assert messages_of(february) == [PERIOD_MESSAGE]
    lock(engine, None, "2026-01-31")
    assert (
        engine.put("/Invoices", {"Invoices": [invoice_element(customer["ContactID"], Date="2026-02-20")]}).status == 200
    )


def test_credit_notes_follow_the_same_rule(engine: Engine, customer):
    lock(engine)
    refused = engine.put(
        "/CreditNotes", {"CreditNotes": [credit_note_element(customer["ContactID"], Date="2026-02-01")]}
    )
    assert refused.status == 400 and messages_of(refused) == [PERIOD_MESSAGE]


def test_payments_dated_in_the_locked_period_cannot_be_made_or_deleted(engine: Engine, customer):
    invoice = engine.invoice(customer["ContactID"], Date="2026-02-10")
    early = engine.pay(invoice["InvoiceID"], 50, Date="2026-02-20")
    assert early.status == 200
    lock(engine)
    refused = engine.pay(invoice["InvoiceID"], 10, Date="2026-02-27")
    assert refused.status == 400 and messages_of(refused) == [PERIOD_MESSAGE]
    # a payment after the lock date on an invoice dated before it is fine
    assert engine.pay(invoice["InvoiceID"], 10, Date="2026-03-03").status == 200
    payment_id = early.body["Payments"][0]["PaymentID"]
    delete = engine.post(f"/Payments/{payment_id}", {"Status": "DELETED"})
    assert delete.status == 400 and messages_of(delete) == [PERIOD_MESSAGE]
    assert engine.get(f"/Payments/{payment_id}").body["Payments"][0]["Status"] == "AUTHORISED"


def test_allocations_dated_in_the_locked_period_cannot_be_made_or_removed(engine: Engine, customer):
    invoice = engine.invoice(customer["ContactID"], Date="2026-02-10")
    note = engine.credit_note(customer["ContactID"], Date="2026-02-12")
    made = engine.allocate(note["CreditNoteID"], invoice["InvoiceID"], 5)
    assert made.status == 200
    lock(engine)
    refused = engine.allocate(note["CreditNoteID"], invoice["InvoiceID"], 5)
    assert refused.status == 400 and messages_of(refused) == [PERIOD_MESSAGE]
    allocation_id = made.body["Allocations"][0]["AllocationID"]
    removal = engine.delete(f"/CreditNotes/{note['CreditNoteID']}/Allocations/{allocation_id}")
    assert removal.status == 400 and messages_of(removal) == [PERIOD_MESSAGE]


def test_bank_transactions_in_the_locked_period_cannot_be_created_changed_or_deleted(engine: Engine, customer):
    def spend(day: str) -> dict:
        return {
            "Type": "SPEND",
            "Contact": {"ContactID": customer["ContactID"]},
            "BankAccount": {"Code": BANK},
            "Date": day,
            "LineItems": [{"Description": "Bank fee", "UnitAmount": 5, "AccountCode": "404"}],
        }

    existing = engine.ok(
        engine.put("/BankTransactions", {"BankTransactions": [spend("2026-02-15")]}), "BankTransactions"
    )
    lock(engine)
    created = engine.put("/BankTransactions", {"BankTransactions": [spend("2026-02-16")]})
    assert created.status == 400 and messages_of(created) == [PERIOD_MESSAGE]
    path = f"/BankTransactions/{existing['BankTransactionID']}"
    for change in ({"Reference": "moved"}, {"Status": "DELETED"}):
        refused = engine.post(path, change)
        assert refused.status == 400 and messages_of(refused) == [PERIOD_MESSAGE], change
    assert engine.put("/BankTransactions", {"BankTransactions": [spend("2026-03-01")]}).status == 200


def test_posted_manual_journals_respect_the_lock_date_drafts_do_not_post(engine: Engine):
    lock(engine)
    lines = [
        {"LineAmount": 100, "AccountCode": "310"},
        {"LineAmount": -100, "AccountCode": INVENTORY},
    ]
    journal = {"Narration": "Stock count", "Date": "2026-02-28", "JournalLines": lines}
    posted = engine.put("/ManualJournals", {"ManualJournals": [{**journal, "Status": "POSTED"}]})
    assert posted.status == 400 and messages_of(posted) == [PERIOD_MESSAGE]
    draft = engine.ok(engine.put("/ManualJournals", {"ManualJournals": [journal]}), "ManualJournals")
    post_it = engine.post(f"/ManualJournals/{draft['ManualJournalID']}", {"Status": "POSTED"})
    assert post_it.status == 400 and messages_of(post_it) == [PERIOD_MESSAGE]


def test_summarize_errors_false_reports_the_lock_per_element(engine: Engine, customer):
    lock(engine)
    body = {"Invoices": [invoice_element(customer["ContactID"], Date=d) for d in ("2026-02-01", "2026-03-01")]}
    response = engine.put("/Invoices", body, query={"summarizeErrors": "false"})
    assert response.status == 200
    assert [i["StatusAttributeString"] for i in response.body["Invoices"]] == ["ERROR", "OK"]
    assert response.body["Invoices"][0]["ValidationErrors"] == [{"Message": PERIOD_MESSAGE}]
