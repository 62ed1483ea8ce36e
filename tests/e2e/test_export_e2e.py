"""F3 end to end over HTTP: the demo's sample records pushed through the host API, synced, and
checked in the emulated Xero — amounts, statuses, links — plus the missing-account-code failure
and its fix (F2.2)."""

import json
from pathlib import Path

import requests

from local.host_records import EXPORT_EVERYTHING, GST

RECORDS = json.loads((Path(__file__).parents[2] / "local" / "demo" / "records.json").read_text())["records"]
SETTINGS = EXPORT_EVERYTHING  # every family, the demo company's accounts


def _xero_state(stack, host):
    from xero_sync.wiring import container

    tenant_id = container().connections.get(host.org_id).tenant_id
    return requests.get(f"{stack.emulator.base_url}/_emulator/tenants/{tenant_id}/state", timeout=30).json()


def _by_number(documents, field):
    return {doc[field]: doc for doc in documents if doc.get(field)}


def test_the_sample_records_reach_xero_with_the_right_amounts(stack, host):
    # Given a connected, configured org
    assert host.connect()["xero_status"] == "connected"
    host.call("PUT", "/settings", {"settings": SETTINGS})
    host.call("PUT", "/tax-mappings", {"mappings": [GST]})

    # When the host pushes its records and syncs
    pushed = host.call("POST", "/records", {"records": RECORDS}, expect=202)
    assert pushed["accepted"] == len(RECORDS) and pushed["rejected"] == 0
    host.call("POST", "/sync", {}, expect=202)
    stack.runner.drain(timeout=300)

    # Then Xero holds each document once, with Xero's own totals matching the host's
    state = _xero_state(stack, host)
    invoices = _by_number(state["Invoices"], "InvoiceNumber")
    notes = _by_number(state["CreditNotes"], "CreditNoteNumber")
    numbers = [doc["InvoiceNumber"] for doc in state["Invoices"]]
    assert len(numbers) == len(set(numbers))
    # SPEC §7's example: 378.00 + 56.70 tax + 15.00 shipping + 2.25 tax − 10.00 discount + 0.01 = 441.96, paid in two
    assert invoices["INV-1042"]["Total"] == 441.96 and invoices["INV-1042"]["Status"] == "PAID"
    descriptions = [line["Description"] for line in invoices["INV-1042"].get("LineItems") or []]
    assert not descriptions or any("Espresso beans" in d for d in descriptions)
    # a USD invoice, paid in USD
    assert invoices["INV-1044"]["CurrencyCode"] == "USD" and invoices["INV-1044"]["Status"] == "PAID"
    # the written-off invoice is settled by a credit note allocated to it
    assert invoices["INV-1045"]["Status"] == "PAID" and notes["INV-1045-WO"]["Type"] == "ACCRECCREDIT"
    # the credit note allocated 20.00 to INV-1043; the other refunded in full
    assert notes["CN-0007"]["RemainingCredit"] == 14.21 and invoices["INV-1043"]["AmountDue"] == 399.46
    assert notes["CN-0008"]["Status"] == "PAID"
    # drafts are not exported
    assert "INV-1046" not in invoices
    # bills (bill number = Xero's InvoiceNumber, shown as Reference) and their payment
    assert invoices["BG-2026-114"]["Type"] == "ACCPAY" and invoices["BG-2026-114"]["Status"] == "PAID"
    # vendor credits become ACCPAYCREDIT, allocated and refunded
    assert notes["BG-CR-31"]["Type"] == "ACCPAYCREDIT" and notes["BG-CR-31"]["RemainingCredit"] == 14.15
    assert notes["BG-CR-32"]["Status"] == "PAID"
    # bank charges are spend transactions on the bank accounts
    spends = [t for t in state["BankTransactions"] if t["Type"] == "SPEND" and t["Status"] == "AUTHORISED"]
    assert sorted(t["Total"] for t in spends) == [3.2, 12.5]

    # And the record whose account code Xero does not have failed, saying what to do
    failed = host.call("GET", "/history?status=failed")["events"]
    assert [(e["entity"], e["record_id"], e["error_code"]) for e in failed] == [("bill", "bill-90", "unknown_account")]
    assert "405" in failed[0]["message"]

    # When the accountant gives "Merchant Fees" the code 405 in Xero and the host refreshes
    from xero_sync.wiring import container

    merchant = next(a for a in host.call("GET", "/xero/accounts")["accounts"] if a["name"] == "Merchant Fees")
    container().xero_api.for_org(host.org_id).post(
        f"/Accounts/{merchant['account_id']}", json={"Accounts": [{"Code": "405"}]}
    )
    refreshed = host.call("POST", "/xero/refresh", {})
    assert refreshed == {"changed": True, "requeued": 1}
    stack.runner.drain(timeout=120)

    # Then the bill is in Xero, once
    state = _xero_state(stack, host)
    bills = [doc for doc in state["Invoices"] if doc.get("InvoiceNumber") == "CS-5521"]
    assert len(bills) == 1 and bills[0]["Total"] == 44.16
    assert host.call("GET", "/records/bill/bill-90")["status"] == "synced"
