"""Read view benchmark (issue 11, F5): a CRM contact with 500 invoices in Xero, read through the
local stack's HTTP API.

    .venv/bin/python benchmarks/read_view.py                  # 500 invoices, as the issue asks
    .venv/bin/python benchmarks/read_view.py --invoices 60    # a quicker run; --help for the rest

It prints one table. Everything runs through the real pieces: the local stack built from
template.yaml (the API function behind its HTTP gateway, DynamoDB on moto server), the Xero
emulator over HTTP with Xero's limits at real speed, the service's rate governor. The invoices are
made "in Xero by a user" (the emulator's control plane), as a CRM that never exports sees them.

Measured:
- **warm** list latency, p50/p95: views served from the cache (the saved views, search, dates,
  pages, the summary), measured at the HTTP client;
- **cold** list latency, p50/p95: the default view of a contact with no cache entry (the entry is
  deleted before each sample), and the Xero calls each cold view made (from the emulator's request
  log). Cold samples are a little over a second apart, so that the governor's pacing of the
  tenant (one call a second at 60 a minute) is not counted as the view's own time;
- **Xero calls per 100 page views** in a browsing session — 100 views, one every 3 s of the
  service's clock (5 minutes), while the accountant records 2 payments in Xero: with webhooks (the
  read view's listener told of each change at once, as the import's webhook handling does) and
  the TTL a deployment with webhooks can afford (``--webhook-ttl``, 600 s); and without webhooks,
  at the default TTL of 60 s;
- **DynamoDB requests per view**, warm and cold, by table (counted at the botocore client; the
  API key check is one of them);
- for reference, the latency of ``GET …/connection`` on the same stack: what any route costs here
  (the local HTTP gateway, the API key check, a DynamoDB read on moto server).
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import threading
import time
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import requests

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "layers" / "common"), str(ROOT)]

ORG_ID = "bench-crm"
CONTACT = "cus-500"
BATCH = 50


# --- DynamoDB requests, counted at the botocore client ---------------------------------------------


class DynamoCounter:
    def __init__(self) -> None:
        self.by_table: Counter[str] = Counter()
        self.lock = threading.Lock()

    def install(self) -> None:
        import botocore.client

        original = botocore.client.BaseClient._make_api_call
        counter = self

        def counted(client: Any, operation_name: str, api_params: dict[str, Any]) -> Any:
            if client.meta.service_model.service_name == "dynamodb":
                tables = api_params.get("TableName") or ",".join(sorted(api_params.get("RequestItems") or {}))
                with counter.lock:
                    counter.by_table[str(tables).rsplit("-", 1)[-1] or "?"] += 1
            return original(client, operation_name, api_params)

        botocore.client.BaseClient._make_api_call = counted

    def take(self) -> Counter[str]:
        with self.lock:
            taken, self.by_table = self.by_table, Counter()
        return taken


class ServiceClock:
    """The service's clock in the session scenario: it moves only when the benchmark says."""

    def __init__(self) -> None:
        self.now = datetime.now(UTC)

    def __call__(self) -> datetime:
        return self.now


# --- the org, the contact and its 500 invoices --------------------------------------------------------


class Bench:
    def __init__(self, stack: Any, api_key: str) -> None:
        self.stack = stack
        self.base = stack.api_url
        self.xero = stack.emulator.base_url.rstrip("/")
        self.api = requests.Session()
        self.api.headers["Authorization"] = f"Bearer {api_key}"
        self.tenant_id = requests.get(f"{self.xero}/_emulator/tenants", timeout=30).json()["start_tenant_ids"][0]
        self.contact_id = ""
        self.unpaid: list[str] = []
        self.dates: dict[str, date] = {}  # invoice id → its date

    def as_xero_user(self, method: str, path: str, body: Any = None) -> dict[str, Any]:
        answer = requests.request(
            method, f"{self.xero}/_emulator/tenants/{self.tenant_id}/api/{path}", json=body, timeout=120
        )
        if answer.status_code != 200:
            raise RuntimeError(f"{method} {path}: {answer.status_code} {answer.text[:500]}")
        return answer.json()

    def connect(self) -> None:
        started = self.api.post(
            f"{self.base}/v1/orgs/{ORG_ID}/connect", json={"return_url": f"{self.base}/host"}
        ).json()
        consent = requests.get(started["authorize_url"], allow_redirects=False, timeout=60)
        callback = requests.get(consent.headers["Location"], allow_redirects=False, timeout=120)
        assert "xero_status=connected" in callback.headers["Location"], callback.headers["Location"]

    def seed(self, invoices: int, rng: random.Random) -> dict[str, int]:
        """A customer with ``invoices`` invoices over two years (some in USD), about half paid in
        one to three instalments, a tenth part-paid, and a few credit notes."""
        self.contact_id = self.as_xero_user("PUT", "Contacts", {"Contacts": [{"Name": "Harbour Cafe"}]})["Contacts"][0][
            "ContactID"
        ]
        start = date.today() - timedelta(days=730)
        bodies = []
        for n in range(invoices):
            day = start + timedelta(days=n * 730 // max(invoices, 1))
            usd = n % 7 == 0
            bodies.append(
                {
                    "Type": "ACCREC",
                    "Contact": {"ContactID": self.contact_id},
                    "InvoiceNumber": f"INV-{10000 + n}",
                    "Date": day.isoformat(),
                    "DueDate": (day + timedelta(days=30)).isoformat(),
                    "Status": "AUTHORISED",
                    "CurrencyCode": "USD" if usd else "NZD",
                    **({"CurrencyRate": 0.6} if usd else {}),
                    "LineAmountTypes": "NoTax",
                    "LineItems": [
                        {
                            "Description": "Espresso beans",
                            "Quantity": 1 + n % 5,
                            "UnitAmount": "31.50",
                            "AccountCode": "200",
                        }
                    ],
                }
            )
        created: list[dict[str, Any]] = []
        for chunk in range(0, len(bodies), BATCH):
            created += self.as_xero_user("PUT", "Invoices", {"Invoices": bodies[chunk : chunk + BATCH]})["Invoices"]
        for body, invoice in zip(bodies, created, strict=True):
            self.dates[invoice["InvoiceID"]] = date.fromisoformat(body["Date"])
        payments, counts = [], Counter[str]()
        for invoice in created:
            roll = rng.random()
            if roll < 0.5:  # paid, in 1-3 instalments
                parts = rng.randint(1, 3)
                total = invoice["Total"]
                shares = [round(total / parts, 2)] * (parts - 1)
                shares.append(round(total - sum(shares), 2))
                payments += [self._payment(invoice, share, f"instalment {k + 1}") for k, share in enumerate(shares)]
                counts["paid"] += 1
            elif roll < 0.6:  # part-paid
                payments.append(self._payment(invoice, round(invoice["Total"] / 2, 2), "deposit"))
                counts["part_paid"] += 1
            else:
                self.unpaid.append(invoice["InvoiceID"])
        for chunk in range(0, len(payments), BATCH):
            self.as_xero_user("PUT", "Payments", {"Payments": payments[chunk : chunk + BATCH]})
        notes = [
            {
                "Type": "ACCRECCREDIT",
                "Contact": {"ContactID": self.contact_id},
                "Date": (start + timedelta(days=40 * k)).isoformat(),
                "Status": "AUTHORISED",
                "LineAmountTypes": "NoTax",
                "LineItems": [
                    {"Description": "Returned beans", "Quantity": 1, "UnitAmount": "15.00", "AccountCode": "200"}
                ],
            }
            for k in range(max(1, invoices // 50))
        ]
        self.as_xero_user("PUT", "CreditNotes", {"CreditNotes": notes})
        counts["invoices"], counts["usd"], counts["credit_notes"] = invoices, (invoices + 6) // 7, len(notes)
        return dict(counts)

    def _payment(self, invoice: dict[str, Any], amount: float, reference: str) -> dict[str, Any]:
        day = min(self.dates[invoice["InvoiceID"]] + timedelta(days=20), date.today())
        return {
            "Invoice": {"InvoiceID": invoice["InvoiceID"]},
            "Account": {"Code": "090"},
            "Date": day.isoformat(),
            "Amount": amount,
            "Reference": reference,
        }

    def link(self) -> None:
        answer = self.api.put(
            f"{self.base}/v1/orgs/{ORG_ID}/contacts/{CONTACT}/xero-link", json={"xero_contact_id": self.contact_id}
        )
        answer.raise_for_status()

    # --- views --------------------------------------------------------------------------------------

    def view(self, query: dict[str, str], *, summary: bool = False) -> tuple[float, dict[str, Any]]:
        path = f"/v1/orgs/{ORG_ID}/contacts/{CONTACT}/invoices" + ("/summary" if summary else "")
        started = time.perf_counter()
        answer = self.api.get(f"{self.base}{path}", params=query, timeout=120)
        elapsed = time.perf_counter() - started
        answer.raise_for_status()
        return elapsed * 1000, answer.json()

    def drop_cache(self) -> None:
        """The contact's cache entry is deleted: the next view is cold."""
        dynamodb = self.stack.aws_client("dynamodb")
        table = self.stack.physical("InvoiceViewsTable")
        keys = dynamodb.query(
            TableName=table,
            KeyConditionExpression="org_id = :o AND begins_with(item_key, :k)",
            ExpressionAttributeValues={":o": {"S": ORG_ID}, ":k": {"S": f"cache#{self.contact_id}"}},
            ProjectionExpression="org_id, item_key",
        )["Items"]
        for key in keys:
            dynamodb.delete_item(TableName=table, Key=key)

    def xero_reads(self) -> int:
        log = requests.get(
            f"{self.xero}/_emulator/requests", params={"method": "GET", "tenant_id": self.tenant_id}, timeout=30
        ).json()["requests"]
        return sum(1 for entry in log if entry["path"].split("/")[-1] in ("Invoices", "CreditNotes"))


QUERIES: list[dict[str, str]] = [
    {},
    {"view": "overdue"},
    {"view": "paid"},
    {"view": "unpaid"},
    {"view": "all"},
    {"view": "all", "q": "INV-101"},
    {"view": "all", "from": (date.today() - timedelta(days=180)).isoformat(), "to": date.today().isoformat()},
    {"view": "all", "limit": "20"},
    {"view": "pinned"},
]


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def measure_warm(bench: Bench, dynamo: DynamoCounter, views: int) -> dict[str, Any]:
    for query in QUERIES:
        bench.view(query)  # every part cached
    bench.view({}, summary=True)
    dynamo.take()
    latencies, per_view = [], Counter[str]()
    for n in range(views):
        query = QUERIES[n % len(QUERIES)]
        if n % len(QUERIES) == 7 and n >= len(QUERIES):  # a second page, with the cursor
            cursor = bench.view({"view": "all", "limit": "20"})[1]["next_cursor"]
            dynamo.take()
            query = {"view": "all", "limit": "20", "cursor": cursor}
        elapsed, _ = bench.view(query, summary=n % 10 == 9)
        latencies.append(elapsed)
        per_view += dynamo.take()
    return {
        "p50_ms": statistics.median(latencies),
        "p95_ms": percentile(latencies, 0.95),
        "views": views,
        "dynamodb_per_view": {table: count / views for table, count in sorted(per_view.items())},
    }


def measure_reference(bench: Bench, views: int) -> dict[str, Any]:
    """The local stack's own floor: ``GET …/connection`` (the API key check and one DynamoDB read)."""
    latencies = []
    for _ in range(views):
        started = time.perf_counter()
        bench.api.get(f"{bench.base}/v1/orgs/{ORG_ID}/connection", timeout=60).raise_for_status()
        latencies.append((time.perf_counter() - started) * 1000)
    return {"p50_ms": statistics.median(latencies), "p95_ms": percentile(latencies, 0.95)}


def measure_cold(bench: Bench, dynamo: DynamoCounter, samples: int) -> dict[str, Any]:
    latencies, per_view, calls = [], Counter[str](), 0
    for _ in range(samples):
        bench.drop_cache()
        time.sleep(1.1)  # the tenant's pacing interval: the sample waits for no earlier call
        before = bench.xero_reads()
        dynamo.take()
        elapsed, _ = bench.view({})
        latencies.append(elapsed)
        per_view += dynamo.take()
        calls += bench.xero_reads() - before
    return {
        "p50_ms": statistics.median(latencies),
        "p95_ms": percentile(latencies, 0.95),
        "samples": samples,
        "xero_calls_per_view": calls / samples,
        "dynamodb_per_view": {table: count / samples for table, count in sorted(per_view.items())},
    }


def measure_session(bench: Bench, *, ttl: int, webhooks: bool, views: int = 100) -> dict[str, Any]:
    """``views`` page views, one every 3 s of the service's clock, 2 payments made in Xero."""
    from xero_sync.settings import get_settings
    from xero_sync.settings.everything import Settings
    from xero_sync.wiring import Container, set_container

    clock = ServiceClock()
    settings = get_settings(Settings).model_copy(update={"read_view_cache_ttl_seconds": ttl})
    services = Container(settings, clock=clock)
    set_container(services)
    try:
        bench.drop_cache()
        time.sleep(1.1)
        before = bench.xero_reads()
        payments = {views // 3: bench.unpaid.pop(), 2 * views // 3: bench.unpaid.pop()}
        for n in range(views):
            if n in payments:
                invoice = bench.as_xero_user("GET", f"Invoices/{payments[n]}")["Invoices"][0]
                bench.as_xero_user(
                    "PUT", "Payments", {"Payments": [bench._payment(invoice, invoice["AmountDue"], "paid")]}
                )
                if webhooks:  # what the import's webhook handling does for Xero's INVOICE event
                    services.invoice_cache_listener.invoices_changed(ORG_ID, [bench.contact_id], clock())
            bench.view(QUERIES[n % len(QUERIES)], summary=n % 10 == 9)
            clock.now += timedelta(seconds=3)
        return {"views": views, "ttl_seconds": ttl, "webhooks": webhooks, "xero_calls": bench.xero_reads() - before}
    finally:
        set_container(None)


def cached_size(bench: Bench) -> int:
    dynamodb = bench.stack.aws_client("dynamodb")
    items = dynamodb.query(
        TableName=bench.stack.physical("InvoiceViewsTable"),
        KeyConditionExpression="org_id = :o AND begins_with(item_key, :k)",
        ExpressionAttributeValues={":o": {"S": ORG_ID}, ":k": {"S": f"cache#{bench.contact_id}"}},
    )["Items"]
    return sum(len(item["body"]["B"]) for item in items)


def run(arguments: argparse.Namespace) -> dict[str, Any]:
    from local.stack import LocalStack

    dynamo = DynamoCounter()
    dynamo.install()
    with LocalStack.start(sqs=False, stack_name="bench-read-view") as stack:
        bench = Bench(stack, stack.create_api_key(name="bench", org_ids=[ORG_ID]).api_key)
        bench.connect()
        seeded = bench.seed(arguments.invoices, random.Random(11))
        bench.link()
        cold = measure_cold(bench, dynamo, arguments.cold_samples)
        warm = measure_warm(bench, dynamo, arguments.warm_views)
        reference = measure_reference(bench, max(20, arguments.warm_views // 4))
        size = cached_size(bench)
        with_webhooks = measure_session(bench, ttl=arguments.webhook_ttl, webhooks=True)
        without = measure_session(bench, ttl=60, webhooks=False)
        listed = bench.view({"view": "all", "limit": "200"})[1]
    return {
        "contact": seeded,
        "listed_documents": listed["matched"],
        "cached_bytes": size,
        "warm": warm,
        "reference": reference,
        "cold": cold,
        "session_with_webhooks": with_webhooks,
        "session_without_webhooks": without,
    }


def _requests(per_view: dict[str, float]) -> str:
    total = sum(per_view.values())
    parts = ", ".join(f"{table} {count:g}" for table, count in per_view.items())
    return f"{total:g} ({parts})"


def table(report: dict[str, Any]) -> str:
    seeded, warm, cold = report["contact"], report["warm"], report["cold"]
    hooked, plain = report["session_with_webhooks"], report["session_without_webhooks"]
    contact = (
        f"{seeded['invoices']} invoices ({seeded.get('paid', 0)} paid in 1–3 instalments, "
        f"{seeded.get('part_paid', 0)} part-paid, {seeded['usd']} in USD), {seeded['credit_notes']} credit notes; "
        f"cached in {report['cached_bytes'] / 1024:.0f} KB"
    )
    rows = [
        ("the contact", contact, ""),
        ("warm list (from the cache), p50 / p95", f"{warm['p50_ms']:.0f} ms / {warm['p95_ms']:.0f} ms", "p95 ≤ 150 ms"),
        (
            "reference: GET …/connection on the same stack (API key check + 1 read), p50 / p95",
            f"{report['reference']['p50_ms']:.0f} ms / {report['reference']['p95_ms']:.0f} ms",
            "",
        ),
        ("cold list (Xero read), p50 / p95", f"{cold['p50_ms']:.0f} ms / {cold['p95_ms']:.0f} ms", ""),
        ("Xero calls per cold view (default view)", f"{cold['xero_calls_per_view']:g}", "1"),
        (
            f"Xero calls per 100 page views, webhooks on (TTL {hooked['ttl_seconds']} s), 2 payments",
            str(hooked["xero_calls"]),
            "≤ 5",
        ),
        (
            f"Xero calls per 100 page views, no webhooks (TTL {plain['ttl_seconds']} s), 2 payments",
            str(plain["xero_calls"]),
            "",
        ),
        ("DynamoDB requests per warm view", _requests(warm["dynamodb_per_view"]), ""),
        ("DynamoDB requests per cold view", _requests(cold["dynamodb_per_view"]), ""),
    ]
    lines = ["| | measured | target |", "| --- | --- | --- |"]
    return "\n".join(lines + [f"| {name} | {value} | {target} |" for name, value, target in rows])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--invoices", type=int, default=500, help="invoices of the contact (default 500)")
    parser.add_argument("--warm-views", type=int, default=300, help="warm views measured (default 300)")
    parser.add_argument("--cold-samples", type=int, default=15, help="cold views measured (default 15)")
    parser.add_argument("--webhook-ttl", type=int, default=600, help="the TTL with webhooks on (default 600 s)")
    parser.add_argument("--json", action="store_true", help="print the report as one JSON line after the table")
    arguments = parser.parse_args()
    report = run(arguments)
    print(table(report))
    if arguments.json:
        print(json.dumps(report, default=str))


if __name__ == "__main__":
    main()
