"""A call the rate governor holds never reached Xero, so it spends none of the record's attempts
(issue 13: a busy tenant's backfill in AWS — ten workers queueing for one tenant's minute — would
otherwise fail records after eight waits that Xero never saw)."""

from __future__ import annotations

from export_harness import ExportHarness, contact, invoice

from xero_sync.xero import client as client_module
from xero_sync.xero.governor import GovernorWait


def test_writes_held_by_the_governor_more_often_than_max_attempts_still_reach_xero_once(
    harness: ExportHarness, monkeypatch
) -> None:
    held = {"writes": 0}
    request = client_module.TenantClient.request

    def governed(self, method: str, path: str, **options):
        # The tenant's minute is spent: the first ten writes are held before they leave.
        if method.upper() in ("PUT", "POST") and held["writes"] < 10:
            held["writes"] += 1
            raise GovernorWait("minute", 0.0)
        return request(self, method, path, **options)

    monkeypatch.setattr(client_module.TenantClient, "request", governed)
    max_attempts = harness.container.export_worker.max_attempts
    assert max_attempts < 10

    harness.export(contact("cus-1", "Harbour Cafe Ltd"), invoice("inv-1", "INV-1001", "cus-1"))

    assert held["writes"] == 10
    row = harness.record("invoice", "inv-1")
    assert row.status == "synced", (row.status, row.last_message)
    assert row.attempts <= 1  # the held calls were given back
    assert [i["InvoiceNumber"] for i in harness.invoices()].count("INV-1001") == 1
