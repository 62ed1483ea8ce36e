"""The local demo: the product's main job, end to end, on one machine (./scripts/demo).

1. starts the local stack (moto server for AWS, the Xero emulator for Xero, every table, queue
   and key of template.yaml, and the runner serving the HTTP API);
2. creates a host API key and connects a demo org through the real OAuth redirect chain;
3. configures the integration (accounts, tax mapping) from Xero's imported chart of accounts;
4. pushes a realistic set of records (local/demo/records.json) through the HTTP API, syncs, and
   prints what reached the emulated Xero — and what failed and why;
5. fixes the failure the way an accountant would: the host books card-terminal fees to account
   405, which in Xero is "Merchant Fees" without a code; the accountant gives it the code, the
   host asks the service to refresh, and the failed bill goes through;
6. maps the host's "region" custom field to Xero's tracking category Region and sends an invoice
   whose lines carry it (F2.4);
7. turns on the inventory asset account and shows the daily inventory journal (F3.9): the cost of
   the day's items sold and bought, posted once as a Xero manual journal after the org's day ends.
8. the other direction (Xero → host): the host registers its webhook (a small endpoint the demo
   runs), a user edits a contact and records a payment in Xero, and both changes reach the
   change feed and the host's endpoint, signed.
9. ends with a single-use link into the integration console for the demo org (F8).

Everything goes through the same HTTP API and handlers a deployment uses. The emulator runs
``TIME_SCALE`` times faster than real time, and the service's rate governor is told the same,
so Xero's 60-calls-a-minute limit is respected in emulated time without a long wait.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import sys
import time
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import requests

from local.host_endpoint import HostEndpoint
from local.host_records import EXPORT_EVERYTHING

ORG_ID = "demo-org"
TIME_SCALE = 10
RECORDS_FILE = Path(__file__).parent / "demo" / "records.json"
EMAIL_DIR = Path("local-out") / "emails"


class Api:
    """A host product's view of the service: JSON over HTTP with an API key."""

    def __init__(self, base_url: str, api_key: str) -> None:
        self.base = base_url.rstrip("/")
        self.session = requests.Session()
        self.session.headers["Authorization"] = f"Bearer {api_key}"

    def call(self, method: str, path: str, body: Any = None, expect: tuple[int, ...] = (200, 202)) -> Any:
        response = self.session.request(method, self.base + path, json=body, timeout=60)
        if response.status_code not in expect:
            raise SystemExit(f"{method} {path} → {response.status_code}: {response.text[:500]}")
        return response.json() if response.content else None


def step(title: str) -> None:
    print(f"\n== {title}")


def connect(api: Api, stack) -> None:
    step("Connect the org to Xero (the admin clicks 'Connect to Xero')")
    started = api.call("POST", f"/v1/orgs/{ORG_ID}/connect", {"return_url": f"{stack.api_url}/host/xero-connected"})
    print(f"consent URL from the service: {started['authorize_url'].split('?')[0]}?…")
    consent = requests.get(started["authorize_url"], allow_redirects=False, timeout=30)  # Xero's consent page
    callback = requests.get(consent.headers["Location"], allow_redirects=False, timeout=60)  # Xero → the service
    outcome = parse_qs(urlsplit(callback.headers["Location"]).query)
    print(f"browser sent back to the host with xero_status={outcome['xero_status'][0]}")
    status = api.call("GET", f"/v1/orgs/{ORG_ID}/connection")
    tenant = status["tenant"] or {}
    print(f"connection: {status['status']} to {tenant.get('tenant_name')!r}, by {status['connected_by_email']}")


def configure(api: Api) -> str:
    step("Configure the integration from Xero's chart of accounts")
    accounts = api.call("GET", f"/v1/orgs/{ORG_ID}/xero/accounts")["accounts"]
    print(
        f"{len(accounts)} accounts imported from Xero; without a code: "
        + ", ".join(a["name"] for a in accounts if not a["code"])
    )
    merchant_fees = next(a for a in accounts if a["name"] == "Merchant Fees")
    print("the host's chart of accounts books card fees to 405, but in Xero 'Merchant Fees' has no code yet")
    settings = {
        **EXPORT_EVERYTHING,
        "admin_emails": ["owner@demo-roastery.example"],
        "document_url_template": "https://app.example.com/{entity}s/{id}",
    }
    api.call("PUT", f"/v1/orgs/{ORG_ID}/settings", {"settings": settings})
    rates = {r["tax_type"]: r for r in api.call("GET", f"/v1/orgs/{ORG_ID}/xero/tax-rates")["tax_rates"]}
    mapping = {
        "host_tax_id": "gst15",
        "host_tax_name": "GST 15%",
        "host_rate": "15",
        "xero_tax_type": "OUTPUT2",
        "purchases_xero_tax_type": "INPUT2",
    }
    api.call("PUT", f"/v1/orgs/{ORG_ID}/tax-mappings", {"mappings": [mapping]})
    print(
        f"tax mapping: host 'GST 15%' → Xero {rates['OUTPUT2']['name']!r} (sales) / "
        f"{rates['INPUT2']['name']!r} (purchases)"
    )
    return merchant_fees["account_id"]


def push_and_sync(api: Api, stack) -> None:
    step("Push the host's records and sync")
    records = json.loads(RECORDS_FILE.read_text())["records"]
    answer = api.call("POST", f"/v1/orgs/{ORG_ID}/records", {"records": records})
    print(
        f"pushed {len(records)} records: {answer['accepted']} accepted, {answer['stale']} stale, "
        f"{answer['rejected']} rejected"
    )
    started = time.monotonic()
    api.call("POST", f"/v1/orgs/{ORG_ID}/sync", {})
    stack.runner.drain(timeout=600)
    print(f"export finished in {time.monotonic() - started:.1f} s (emulated time runs {TIME_SCALE}× faster)")


def show_xero(stack) -> None:
    step("What reached the emulated Xero")
    tenant_id = _tenant_id(stack)
    state = requests.get(f"{stack.emulator.base_url}/_emulator/tenants/{tenant_id}/state", timeout=30).json()
    contacts = [
        c["Name"] for c in state["Contacts"] if c.get("ContactNumber", "").startswith("XS-") or c.get("ContactNumber")
    ]
    print(f"contacts ({len(contacts)}): {', '.join(sorted(contacts))}")
    print(f"{'type':13} {'number':14} {'status':10} {'total':>10} {'due':>10} currency")
    for doc in sorted(state["Invoices"], key=lambda d: (d["Type"], d.get("InvoiceNumber", ""))):
        print(
            f"{doc['Type']:13} {doc.get('InvoiceNumber', ''):14} {doc['Status']:10} "
            f"{doc['Total']:>10.2f} {doc['AmountDue']:>10.2f} {doc['CurrencyCode']}"
        )
    for note in sorted(state["CreditNotes"], key=lambda d: (d["Type"], d.get("CreditNoteNumber", ""))):
        print(
            f"{note['Type']:13} {note.get('CreditNoteNumber', ''):14} {note['Status']:10} "
            f"{note['Total']:>10.2f} {note['RemainingCredit']:>10.2f} {note['CurrencyCode']}"
        )
    live = [p for p in state["Payments"] if p["Status"] != "DELETED"]
    print(
        f"payments and refunds: {len(live)}; bank transactions: "
        f"{len([b for b in state['BankTransactions'] if b['Status'] == 'AUTHORISED'])}"
    )


def show_failures(api: Api) -> list[dict]:
    failed = api.call("GET", f"/v1/orgs/{ORG_ID}/history?status=failed&limit=20")["events"]
    step(f"What failed and why ({len(failed)})")
    for event in failed:
        subject = (
            f"{event['entity']} {event['record_id']}" if event["entity"] else f"{event['direction']} {event['action']}"
        )
        print(f"- {subject}: [{event['error_code']}] {event['message']}")
    return failed


def fix_and_retry(api: Api, stack, account_id: str) -> None:
    step("The accountant gives 'Merchant Fees' a code in Xero; the host clicks 'Refresh from Xero'")
    from xero_sync.wiring import container

    xero = container().xero_api.for_org(ORG_ID)  # the accountant's change, made through Xero's API
    xero.post(f"/Accounts/{account_id}", json={"Accounts": [{"Code": "405"}]})
    refreshed = api.call("POST", f"/v1/orgs/{ORG_ID}/xero/refresh", {})
    print(f"reference data changed: {refreshed['changed']}; failed records sent again: {refreshed['requeued']}")
    stack.runner.drain(timeout=600)
    state = api.call("GET", f"/v1/orgs/{ORG_ID}/records/bill/bill-90")
    print(f"bill bill-90: {state['status']} (Xero id {state['xero_id']})")


def tracking_and_inventory_settings(api: Api) -> None:
    step("Map the host's 'region' custom field to Xero's tracking category; turn on the inventory journal")
    current = api.call("GET", f"/v1/orgs/{ORG_ID}/settings")
    categories = api.call("GET", f"/v1/orgs/{ORG_ID}/xero/tracking-categories")["tracking_categories"]
    print(
        "Xero's tracking categories: "
        + "; ".join(f"{c['name']} ({', '.join(o['name'] for o in c['options'])})" for c in categories)
    )
    settings = {
        **current["settings"],
        "tracking": [{"category": "Region", "source": "custom_fields.region"}],
        "inventory_asset_account": "630",
        "cost_of_goods_sold_account": "310",
    }
    api.call("PUT", f"/v1/orgs/{ORG_ID}/settings", {"settings": settings, "revision": current["revision"]})
    print("settings: tracking Region ← custom_fields.region; inventory asset account 630, cost of goods sold 310")


def push_the_days_trade(api: Api, stack, day: str) -> None:
    step(f"Today's trade ({day}): a sale in the North region and a purchase, with item costs")
    records = [
        {
            "entity": "invoice",
            "id": "inv-1050",
            "version": 1,
            "action": "upsert",
            "data": {
                "number": "INV-1050",
                "contact_id": "cus-17",
                "date": day,
                "due_date": day,
                "custom_fields": {"region": "North"},
                "lines": [
                    {
                        "item_name": "Espresso beans 1kg",
                        "quantity": 6,
                        "rate": "31.5",
                        "unit_cost": "18.20",
                        "tax_id": "gst15",
                        "account_code": "200",
                    },
                    {
                        "item_name": "Cups (box)",
                        "quantity": 2,
                        "rate": "12",
                        "unit_cost": "7.45",
                        "tax_id": "gst15",
                        "account_code": "200",
                    },
                ],
            },
        },
        {
            "entity": "bill",
            "id": "bill-95",
            "version": 1,
            "action": "upsert",
            "data": {
                "number": "BG-2026-131",
                "vendor_id": "ven-5",
                "date": day,
                "due_date": day,
                "lines": [
                    {
                        "item_name": "Green beans 1kg",
                        "quantity": 40,
                        "rate": "18.2",
                        "unit_cost": "18.20",
                        "tax_id": "gst15",
                        "account_code": "300",
                    },
                ],
            },
        },
    ]
    answer = api.call("POST", f"/v1/orgs/{ORG_ID}/records", {"records": records})
    print(f"pushed {len(records)} records: {answer['accepted']} accepted")
    api.call("POST", f"/v1/orgs/{ORG_ID}/sync", {})
    stack.runner.drain(timeout=300)
    tenant_id = _tenant_id(stack)
    state = requests.get(f"{stack.emulator.base_url}/_emulator/tenants/{tenant_id}/state", timeout=30).json()
    invoice = next(i for i in state["Invoices"] if i.get("InvoiceNumber") == "INV-1050")
    print("INV-1050 in Xero, line by line:")
    for line in invoice["LineItems"]:
        tracking = ", ".join(f"{t['Name']}: {t['Option']}" for t in line.get("Tracking") or []) or "no tracking"
        print(f"  {line['Description'][:30]:30} {line['LineAmount']:>8.2f}  [{tracking}]")


def show_inventory_journal(stack) -> None:
    step("The daily inventory journal (once the org's day has ended in its Xero timezone)")
    from datetime import datetime, timedelta

    from xero_sync.domain.timezones import zone_of
    from xero_sync.wiring import container

    services = container()
    first = stack.runner.fire_schedule("InventoryJournalFunction")  # the hourly run, now: the day is not over
    print(f"hourly run now: {first['posted']} journal(s) posted — today has not ended yet in the org's timezone")
    zone = zone_of(services.reference_data.load(ORG_ID).organisation.Timezone)
    tomorrow = datetime.now(zone).date() + timedelta(days=1)
    after_midnight = datetime(tomorrow.year, tomorrow.month, tomorrow.day, 0, 30, tzinfo=zone)
    print(f"the run at {after_midnight:%Y-%m-%d %H:%M} {zone} (the service's clock moved forward for the demo):")
    for day, outcome in (services.inventory_journal.run_org(ORG_ID, after_midnight) or {}).items():
        print(f"  {day}: {outcome}")
    again = services.inventory_journal.run_org(ORG_ID, after_midnight + timedelta(hours=1)) or {}
    print(f"  an hour later: {', '.join(f'{d}: {o}' for d, o in again.items())} (exactly once per org and day)")
    tenant_id = _tenant_id(stack)
    state = requests.get(f"{stack.emulator.base_url}/_emulator/tenants/{tenant_id}/state", timeout=30).json()
    for journal in state["ManualJournals"]:
        print(f"Xero manual journal ({journal['Status']}): {journal['Narration']}")
        for line in journal["JournalLines"]:
            print(f"  {line['AccountCode']:>4} {line['LineAmount']:>9.2f}  {line['Description']}")


def changes_from_xero(api: Api, stack, host: HostEndpoint) -> None:
    step("Xero → host: the host registers its webhook and imports customers")
    settings = api.call("GET", f"/v1/orgs/{ORG_ID}/settings")["settings"]
    settings["import_options"] = {**settings["import_options"], "customers": True}
    api.call("PUT", f"/v1/orgs/{ORG_ID}/settings", {"settings": settings})
    webhook = api.call("PUT", f"/v1/orgs/{ORG_ID}/webhook", {"url": host.url})
    host.secret = webhook["signing_secret"]
    print(f"webhook {host.url}, signing secret whsec_…{webhook['secret_hint']} (shown once, kept by the host)")
    seen = {change["id"] for change in _all_changes(api)}

    step("A user edits 'Harbour Cafe Ltd' and records a payment on INV-1043 in Xero")
    harbour = api.call("GET", f"/v1/orgs/{ORG_ID}/records/contact/cus-17")["xero_id"]
    invoice = api.call("GET", f"/v1/orgs/{ORG_ID}/records/invoice/inv-1043")["xero_id"]
    _as_xero_user(
        stack, "POST", f"Contacts/{harbour}", {"Contacts": [{"EmailAddress": "accounts@harbourcafe.example"}]}
    )
    payment = {"Invoice": {"InvoiceID": invoice}, "Account": {"Code": "090"}, "Date": "2026-11-25", "Amount": 99.46,
               "Reference": "Bank feed 2211"}  # fmt: skip
    _as_xero_user(stack, "PUT", "Payments", {"Payments": [payment]})
    started = time.monotonic()
    assert stack.emulator.state.webhooks.wait_idle(60)
    stack.runner.drain(timeout=120)
    print(f"Xero's webhooks → import → change feed → host: {time.monotonic() - started:.1f} s")

    step("The change feed (GET /changes) and what the host's endpoint received")
    for change in [c for c in _all_changes(api) if c["id"] not in seen]:
        state = change["state"]
        what = state.get("email") if change["resource"] == "contact" else _balance(state.get("payment") or {})
        print(f"{change['id']} {change['kind']:32} host id {change['host_id']}: {what}")
    for attempt in host.attempts:
        change = attempt.json["change"]
        print(f"host received change {change['id']} ({change['kind']}), signature valid: {attempt.signed}")
    record = api.call("GET", f"/v1/orgs/{ORG_ID}/records/invoice/inv-1043")["payment_status"]
    print(f"GET /records/invoice/inv-1043 → payment status {record['status']}, amount due {record['amount_due']}")


def _balance(payment: dict) -> str:
    return f"{payment.get('status')}, paid {payment.get('amount_paid')}, due {payment.get('amount_due')}"


def _all_changes(api: Api) -> list[dict]:
    found, cursor = [], ""
    while True:
        page = api.call("GET", f"/v1/orgs/{ORG_ID}/changes?limit=500" + (f"&since={cursor}" if cursor else ""))
        found += page["changes"]
        cursor = page["next_cursor"] or ""
        if not page["has_more"]:
            return found


def _as_xero_user(stack, method: str, path: str, body: Any) -> None:
    """A change made in Xero by a user (the emulator's control plane): Xero sends its webhooks."""
    url = f"{stack.emulator.base_url}/_emulator/tenants/{_tenant_id(stack)}/api/{path}"
    response = requests.request(method, url, json=body, timeout=30)
    if response.status_code >= 300:
        raise SystemExit(f"Xero refused {method} {path}: {response.text[:300]}")


def show_emails() -> None:
    emails = sorted(EMAIL_DIR.glob("*.eml")) if EMAIL_DIR.exists() else []
    if not emails:
        return
    step(f"Emails the admin received ({len(emails)}), written to {EMAIL_DIR}/")
    for path in emails:
        print(f"- {path.name}")
    print("\nThe first one, as a mail client shows its plain-text part:\n")
    from email import policy
    from email.parser import BytesParser

    message = BytesParser(policy=policy.default).parsebytes(emails[0].read_bytes())
    print(f"Subject: {message['Subject']}\nTo: {message['To']}\n")
    print(message.get_body(preferencelist=("plain",)).get_content())


def _org_today(stack) -> str:
    """Today in the org's Xero timezone (the day the inventory journal will cover)."""
    from datetime import datetime

    from xero_sync.domain.timezones import zone_of
    from xero_sync.wiring import container

    reference = container().reference_data.load(ORG_ID)
    return datetime.now(zone_of(reference.organisation.Timezone if reference else None)).date().isoformat()


def show_console(api: Api, stack, keep_running: bool) -> None:
    """The integration console for the demo org (F8): the host asks for a single-use link with its
    API key and hands it to the admin's browser. Printed last, so it is the line you see."""
    step("Open the integration console for the demo org (connection, settings, mappings, history)")
    link = api.call("POST", f"/v1/orgs/{ORG_ID}/console-sessions", {"page": "history"}, expect=(201,))
    print(f"console URL (single use, open within 5 minutes): {link['url']}")
    if not keep_running and sys.stdin.isatty():
        print("The local stack keeps running for the console; press Enter to stop it.")
        with contextlib.suppress(EOFError, KeyboardInterrupt):
            input()
    elif not keep_running:
        print("(the link works while the local stack runs: ./scripts/demo --keep-running)")


def _tenant_id(stack) -> str:
    from xero_sync.wiring import container

    return container().connections.get(ORG_ID).tenant_id


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m local.demo", description=__doc__.split("\n")[0])
    parser.add_argument(
        "--keep-running", action="store_true", help="leave the local stack up afterwards (Ctrl-C stops it)"
    )
    parser.add_argument("--verbose", action="store_true", help="also print the functions' JSON logs and metrics")
    args = parser.parse_args(argv)

    from local.stack import LocalStack

    EMAIL_DIR.mkdir(parents=True, exist_ok=True)
    for old in EMAIL_DIR.glob("*.eml"):
        old.unlink()
    step("Start the local stack (no AWS or Xero account needed)")
    with LocalStack.start(
        retry_delay_seconds=1,
        max_batching_window_seconds=0.2,
        emulator_options={"time_scale": TIME_SCALE},
        parameter_overrides={
            # What an operator sets at deploy time (template parameters); the local SES verifies
            # the sender identity as a deployment would have to.
            "EmailSender": "Demo Host Xero sync <xero-sync@demo-host.example>",
            "EmailSenderIdentity": "demo-host.example",
            "EmailProductName": "Demo Host",
            "HostHistoryUrlTemplate": "https://app.demo-host.example/settings/xero/history?org={org_id}",
            "HostReconnectUrlTemplate": "https://app.demo-host.example/settings/xero?org={org_id}",
        },
        extra_environment={
            "XERO_MINUTE_LIMIT": str(60 * TIME_SCALE),
            "LOCAL_EMAIL_DIR": str(EMAIL_DIR.resolve()),
            "DIGEST_WINDOW_SECONDS": "0",  # one digest at once, rather than after ten minutes
            "EXPORT_BACKOFF_SECONDS": "1",  # retries and deferrals after 1 s, not 30 s
            # The story, not the functions' JSON logs and metric lines (--verbose shows them).
            **({} if args.verbose else {"LOG_LEVEL": "WARNING", "POWERTOOLS_METRICS_DISABLED": "true"}),
        },
    ) as stack:
        print(f"HTTP API: {stack.api_url}   Xero emulator: {stack.emulator.base_url}   moto: {stack.aws_endpoint_url}")
        created = stack.create_api_key(name="demo host", org_ids=[ORG_ID])
        print(f"API key {created.key_id} created for org {ORG_ID!r} (stored as a hash)")
        api = Api(stack.api_url, created.api_key)
        connect(api, stack)
        account_id = configure(api)
        push_and_sync(api, stack)
        show_xero(stack)
        show_failures(api)
        fix_and_retry(api, stack, account_id)
        show_xero(stack)
        tracking_and_inventory_settings(api)
        push_the_days_trade(api, stack, _org_today(stack))
        show_inventory_journal(stack)
        show_emails()
        changes_from_xero(api, stack, HostEndpoint())
        show_console(api, stack, args.keep_running)
        if args.keep_running:
            print(
                f"\nThe local stack keeps running; try: curl -H 'Authorization: Bearer {created.api_key}' "
                f"{stack.api_url}/v1/orgs/{ORG_ID}/connection   (Ctrl-C to stop)"
            )
            try:
                while True:
                    time.sleep(3600)
            except KeyboardInterrupt:
                pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
