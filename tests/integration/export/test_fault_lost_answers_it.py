"""Fault injection on answers that are lost or come too late: Xero's answer to a batch (one
call for several records) is dropped or times out, and an answer so slow that the client gives
up before Xero even starts. Either way every record must end in Xero exactly once, synced — the
look-up by natural key and the Idempotency-Key settle them record by record.
"""

# ruff: noqa: F811 — the test parameters are the fixtures imported from scenario_helpers

from __future__ import annotations

import threading

import pytest
from export_harness import ExportHarness, contact, invoice
from fault_helpers import CLIENT_TIMEOUT_FOR_TIMEOUT_FAULTS, FAULT_OPTIONS, check_contact_and_invoice
from scenario_helpers import (
    CUSTOMER,
    XeroState,
    emulator,  # noqa: F401 — fixtures: see scenario_helpers
    harness,  # noqa: F401
    invoice_payment,
    money,
)


@pytest.mark.parametrize("kind", ["drop_after_commit", "timeout_after_commit"])
def test_lost_answer_to_a_batch_is_settled_record_by_record(harness: ExportHarness, kind: str) -> None:
    # Given three invoices with a payment each, exported in batches (one call per collection)
    if kind == "timeout_after_commit":
        api = harness.container.xero_api
        api.settings = api.settings.model_copy(update={"xero_timeout_seconds": CLIENT_TIMEOUT_FOR_TIMEOUT_FAULTS})
    numbers = {f"inv-{n}": f"INV-{n}" for n in (1, 2, 3)}
    harness.push(contact("cus-1", CUSTOMER), *(invoice(i, number, "cus-1") for i, number in numbers.items()))
    # And Xero's answer to the batch of invoices, then to the batch of payments, is lost
    faults = harness.emulator.state.faults
    rules = [
        faults.add(kind, method="PUT", path_prefix=path, tenant_id=harness.tenant_id, **FAULT_OPTIONS.get(kind, {}))
        for path in ("/Invoices", "/Payments")
    ]
    # When they are exported
    harness.export(*(invoice_payment(f"pay-{i}", i, f"{10 * n}.00") for n, i in enumerate(numbers, 1)))
    # Then each invoice and each payment is in Xero exactly once
    assert [rule.fired for rule in rules] == [1, 1]
    assert len(harness.requests_log("PUT", "/api.xro/2.0/Invoices")) == 1  # the three went in one call
    xero = XeroState(harness)
    for n, (record_id, number) in enumerate(numbers.items(), 1):
        assert money(xero.invoice(number)["AmountPaid"]) == money(10 * n)
        assert money(xero.live_payment("invoice_payment", f"pay-{record_id}")["Amount"]) == money(10 * n)
        assert harness.record("invoice", record_id).status == "synced"
        assert harness.record("invoice_payment", f"pay-{record_id}").status == "synced"
    assert len(xero.invoices(type_="ACCREC")) == 3 and len(xero.raw["Payments"]) == 3


def test_slow_answer_beyond_the_client_time_out_is_not_duplicated(harness: ExportHarness) -> None:
    # Given Xero is so slow that the client gives up before Xero even starts: the request is held
    # before Xero looks at it, until the test lets it go — after the worker has looked for the
    # invoice, found nothing and sent it again (a hold, not a delay: on a loaded machine a delay
    # could run out before the worker looks, and the test would see another story)
    harness.export(contact("cus-1", CUSTOMER))
    api = harness.container.xero_api
    api.settings = api.settings.model_copy(update={"xero_timeout_seconds": CLIENT_TIMEOUT_FOR_TIMEOUT_FAULTS})
    held = harness.emulator.state.faults.add("hold", method="PUT", path_prefix="/Invoices", tenant_id=harness.tenant_id)
    # When the invoice is exported and the queues drained, and only then Xero gets to the first request
    harness.export(invoice("inv-1", "INV-1001", "cus-1"))
    assert held.fired == 1
    harness.emulator.state.faults.release(held.id)
    puts = wait_for_answers(harness, "PUT", "/api.xro/2.0/Invoices", count=2)
    # Then Xero saved the invoice once: the retry (same Idempotency-Key, the record stayed
    # pending) and the late request are one request to Xero, the late one a replay
    replayed = [bool((p.get("notes") or {}).get("replayed")) for p in puts]
    assert replayed[0] and replayed.count(False) == 1, puts
    check_contact_and_invoice(harness, XeroState(harness))
    assert harness.record("invoice", "inv-1").status == "synced"


def wait_for_answers(harness: ExportHarness, method: str, path: str, *, count: int) -> list[dict]:
    """The emulator's log of ``count`` requests once each has been answered (a late answer comes
    from the emulator's own thread: waited for, with a bound only for a failure)."""
    requests_seen: list[dict] = []
    for _ in range(1200):
        requests_seen = harness.requests_log(method, path)
        if len(requests_seen) >= count and all(p["status"] is not None for p in requests_seen):
            return requests_seen
        threading.Event().wait(0.05)
    raise AssertionError(f"the emulator did not answer {count} {method} {path} in a minute: {requests_seen}")
