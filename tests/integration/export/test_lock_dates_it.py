"""Lock dates (issue 12, point 7): a document dated in Xero's locked period is refused *before*
it is sent, with a message the admin can act on; moving the lock date in Xero sends it again."""

# ruff: noqa: F811 — the test parameters are the fixtures imported from scenario_helpers

from __future__ import annotations

import requests
from export_harness import contact, invoice
from scenario_helpers import XeroState, emulator, harness, invoice_payment  # noqa: F401


def set_lock_dates(h, **dates) -> None:
    """An accountant changes the lock dates in Xero (Settings → Advanced → Financial settings)."""
    response = requests.post(
        f"{h.emulator.base_url}/_emulator/tenants/{h.tenant_id}/lock-dates", json=dates, timeout=10
    )
    response.raise_for_status()


def test_a_document_in_a_locked_period_is_refused_before_sending_and_sent_once_the_lock_moves(harness):
    h = harness
    # Given Xero locks everything up to 30 Nov 2026, and the refresh imported it
    set_lock_dates(h, period_lock_date="2026-11-30")
    h.container.mapping_contexts.refresh(h.org_id, h.container.clock())
    requests.delete(f"{h.emulator.base_url}/_emulator/requests", timeout=10)

    # When an invoice dated 2 Nov 2026 (and its payment) are exported
    h.export(contact("cus-1", "Harbour Cafe Ltd"), invoice("inv-1", "INV-1001", "cus-1"))

    # Then it failed with the lock date, where to change it, or to date it later …
    row = h.record("invoice", "inv-1")
    assert row.status == "failed" and row.error_code == "closed_period", (row.status, row.last_message)
    assert "period lock date in Xero (30 Nov 2026)" in row.last_message
    assert "Settings → Advanced → Financial settings" in row.last_message
    # … and nothing was sent: Xero never saw the invoice
    assert not h.requests_log("PUT", "/api.xro/2.0/Invoices") and not XeroState(h).invoices("INV-1001")

    # When the accountant moves the lock date back and the host refreshes from Xero
    set_lock_dates(h, period_lock_date="2026-10-31")
    refreshed = h.container.mapping_contexts.refresh(h.org_id, h.container.clock())
    assert refreshed.changed and refreshed.requeued == 1
    h.drain()

    # Then the invoice is in Xero, once
    assert h.record("invoice", "inv-1").status == "synced"
    assert len(XeroState(h).invoices("INV-1001")) == 1


def test_a_payment_dated_in_the_locked_period_is_refused_like_its_document(harness):
    h = harness
    # Given an invoice in Xero, then Xero locks November
    h.export(contact("cus-1", "Harbour Cafe Ltd"), invoice("inv-1", "INV-1001", "cus-1"))
    set_lock_dates(h, end_of_year_lock_date="2026-11-30")
    h.container.mapping_contexts.refresh(h.org_id, h.container.clock())
    # When a payment dated 5 Nov is exported
    h.export(invoice_payment("pay-1", "inv-1", "115.00"))
    # Then it is refused before sending, naming the end of year lock date
    row = h.record("invoice_payment", "pay-1")
    assert row.status == "failed" and "end of year lock date in Xero (30 Nov 2026)" in row.last_message
    assert not XeroState(h).payments_stamped("invoice_payment", "pay-1")


def test_the_admins_retry_after_the_lock_moves_in_xero_uses_xeros_dates_as_they_are_now(harness):
    """No refresh between the fix and the retry (the Organisation webhook has not arrived yet, and
    the last import is seconds old): the retry itself imports Xero's reference data again."""
    from xero_sync.models.records import EntityName

    h = harness
    set_lock_dates(h, period_lock_date="2026-11-30")
    h.container.mapping_contexts.refresh(h.org_id, h.container.clock())
    h.export(contact("cus-1", "Harbour Cafe Ltd"), invoice("inv-1", "INV-1001", "cus-1"))
    assert h.record("invoice", "inv-1").error_code == "closed_period"

    # When the accountant moves the lock date and the admin presses Retry at once
    set_lock_dates(h, period_lock_date="2026-10-31")
    h.container.records_service.retry(h.org_id, EntityName.INVOICE, "inv-1")
    h.drain()

    # Then the invoice is in Xero, once
    assert h.record("invoice", "inv-1").status == "synced"
    assert len(XeroState(h).invoices("INV-1001")) == 1
