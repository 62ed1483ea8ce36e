"""The reprocess function (F7.3) run as from the Lambda console with the sample events of
events/reprocess/: a dry run changes nothing, a real run re-queues and the records reach Xero once."""

from __future__ import annotations

import json
from collections import Counter

from lifecycle_helpers import EVENTS, contact, invoice

from xero_sync.domain.families import Family
from xero_sync.domain.records import RecordStatus


def console_event(name: str, org_ids: list[str], now) -> dict:
    event = json.loads((EVENTS / "reprocess" / name).read_text())
    event["org_ids"] = org_ids
    if "from" in event:
        event["from"] = now.date().isoformat()
    if "to" in event:
        event["to"] = now.date().isoformat()
    return event


def test_reprocess_from_the_console_dry_run_then_for_real(lifecycle):
    # Given an org with five failed invoices (their sales account had no code) and one synced
    org = lifecycle.org()
    org.push(contact("c1", "Harbour Cafe"), invoice("ok", "c1"))
    org.sync()
    lifecycle.drain_exports()
    org.store_settings_unchecked(sales_account=org.account_id("Merchant Fees"))
    org.push(*[invoice(f"f{n}", "c1", account_code=None, tax_id=None) for n in range(5)])
    org.sync()
    lifecycle.drain_exports()
    assert len(list(org.services.records.keys_with_status(org.org_id, RecordStatus.FAILED))) == 5

    # When the operator runs the dry-run sample event
    event = console_event("dry_run_failed_invoices.json", [org.org_id, "org-never-connected"], lifecycle.now())
    dry = lifecycle.run_reprocess(event)

    # Then it says what it would do and does nothing
    assert dry["dry_run"] is True and dry["matched"] == 5 and dry["requeued"] == 0
    assert dry["orgs"][0]["sample"][0] == "invoice/f0"
    assert dry["orgs"][1]["matched"] == 0 and "never connected" in dry["orgs"][1]["note"]
    assert lifecycle.receive(lifecycle.settings.queue_url(Family.INVOICES), wait=0) == []

    # When the cause is fixed and the operator runs the real event
    org.store_settings_unchecked(sales_account="200")
    done = lifecycle.run_reprocess(console_event("requeue_failed_invoices.json", [org.org_id], lifecycle.now()))
    assert done["requeued"] == 5 and done["enqueued"] == 5
    lifecycle.drain_exports()

    # Then the five are in Xero once each, the synced one was not touched, and a second run finds nothing
    assert Counter(org.xero_invoice_numbers()) == {f"INV-f{n}": 1 for n in range(5)} | {"INV-ok": 1}
    again = lifecycle.run_reprocess(console_event("requeue_failed_invoices.json", [org.org_id], lifecycle.now()))
    assert again["matched"] == 0
    assert [e.message for e in org.history("admin") if e.action == "reprocess"] == [
        "Operator reprocess: 5 failed record(s) sent again (invoice)."
    ]
