"""Ordering across pushes and lazy contacts (issue 12, points 5 and 6), against the emulated Xero:

* a payment pushed a request *before* its invoice is accepted and waits (F3.4), then lands once
  the invoice is pushed — or, if the invoice never comes, fails after the stated time limit and
  reaches the admin's digest;
* a contact is exported only when a transaction *that is exported* refers to it (seeds 000/001):
  a contact whose only transaction is a draft stays out of Xero.
"""

# ruff: noqa: F811 — the test parameters are the fixtures imported from scenario_helpers

from __future__ import annotations

from datetime import timedelta

from export_harness import contact, invoice
from scenario_helpers import XeroState, emulator, harness, invoice_payment  # noqa: F401

from xero_sync.domain.families import Family
from xero_sync.domain.records import RecordKey


def test_a_payment_pushed_a_request_before_its_invoice_waits_and_lands_after_it(harness):
    h = harness
    # Given a payment pushed before its invoice (an event stream delivered them out of order)
    pushed = h.push(invoice_payment("pay-1", "inv-1", "115.00"))
    assert pushed[0]["status"] == "accepted" and pushed[0]["waiting_for"] == {"entity": "invoice", "id": "inv-1"}
    h.sync()
    h.drain()
    # Then it waits, saying for what, and nothing reached Xero
    row = h.record("invoice_payment", "pay-1")
    assert row.status == "waiting" and row.waiting_for == ("invoice", "inv-1")
    assert not XeroState(h).payments_stamped("invoice_payment", "pay-1")

    # When the contact and the invoice arrive in later requests and the org syncs
    h.push(contact("cus-1", "Harbour Cafe Ltd"))
    h.export(invoice("inv-1", "INV-1001", "cus-1"))

    # Then the invoice and the payment are in Xero, once, and the invoice is paid
    state = XeroState(h)
    assert state.invoice("INV-1001")["Status"] == "PAID"
    assert len(state.payments_stamped("invoice_payment", "pay-1")) == 1
    assert h.record("invoice_payment", "pay-1").status == "synced"


def test_a_record_whose_parent_never_comes_fails_after_the_time_limit_for_the_digest(harness):
    h = harness
    # Given a payment whose invoice the host never pushes
    h.push(invoice_payment("pay-1", "inv-never", "10.00"))
    # When the org syncs more than the time limit (24 h by default) after the payment arrived
    later = h.container.clock() + timedelta(hours=25)
    h.container.export_worker.clock = lambda: later
    h.sync()
    h.drain()
    # Then it failed, saying what it waited for, how long, and what to do — parked for the admin
    row = h.record("invoice_payment", "pay-1")
    assert row.status == "failed" and row.error_code == "parent_missing"
    assert "invoice 'inv-never' (invoice_id)" in row.last_message and "24 hours" in row.last_message
    assert RecordKey(h.org_id, "invoice_payment", "pay-1") in h.dlq_keys(Family.INVOICE_PAYMENTS)


def test_a_contact_whose_only_transaction_is_a_draft_is_not_exported(harness):
    h = harness
    # Given a contact whose only invoice is a draft
    h.export(contact("cus-1", "Harbour Cafe Ltd"), invoice("inv-1", "INV-1001", "cus-1", status="draft"))
    # Then neither reached Xero: the draft is skipped and the contact stays idle
    assert h.record("invoice", "inv-1").status == "skipped"
    assert h.record("contact", "cus-1").status == "idle"
    assert not XeroState(h).contacts("Harbour Cafe Ltd")

    # When the invoice is approved in the host
    h.export(invoice("inv-1", "INV-1001", "cus-1", version=2))
    # Then the contact is exported with it
    state = XeroState(h)
    assert len(state.contacts("Harbour Cafe Ltd")) == 1 and state.invoice("INV-1001")["Status"] == "AUTHORISED"
    assert h.record("contact", "cus-1").status == "synced"
