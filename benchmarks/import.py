"""Import benchmark (issue 10, "Xero → host"): the initial import of N Xero contacts and the
payment status of N exported invoices, the webhook receiver's time to acknowledge, and the time
from a change in Xero to a signed delivery at the host.

    ./scripts/bench import                 # 10,000 contacts and 10,000 invoices
    ./scripts/bench import --contacts 1000 --invoices 1000 --edits 10

It prints one table. Everything runs through the real pieces: the local stack built from
template.yaml (the runner's HTTP API and SQS event sources with the template's batch sizes and
batching windows), the receiver, the import worker, the host webhook deliverer; moto server and
the Xero emulator each in a process of their own, the emulator enforcing Xero's limits in emulated
time (``--time-scale``, the service's governor told the same).

Set-up (not measured): N contacts and N invoices are created in the tenant through the
emulator's control plane ("by a user"); the invoices are then recorded as exported by the service
with the export worker's own no-echo listener (services/imports/exported.py) and Xero's answer for
each — what the export pipeline would have left behind, without the ten minutes of exporting
(benchmarks/backfill.py measures that); a payment is recorded on every invoice in Xero, so each
has a new payment status; the host pushes ``--host-contacts`` contacts, a tenth of which share an
email with a Xero contact (so the import matches them).

Measured:
- initial import: Xero calls (from the emulator's request log, by endpoint), DynamoDB requests
  (counted at the botocore client in this process, by operation) per imported record, changes
  written, emulated and wall time;
- the receiver: round trips of signed webhook POSTs to the stack's ``/webhooks/xero`` (p50, p95);
- a contact edited in Xero → the signed delivery at a host endpoint on loopback (p50, p95), one
  edit at a time.

Scale: moto's TransactWriteItems used to deep-copy every table a transaction touches, once per
item, for its rollback (the import writes each change with its object's state in transactions of
49 pairs), so from about 1,000 records on a loaded 2-core machine a transaction exceeded botocore's
30 s read timeout. The local stack's moto now rolls back only the items a transaction touched
(local/moto_patches.py). DynamoDB itself never had that cost.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import hmac
import json
import secrets
import statistics
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests
from local_servers import connect, emulated_xero, xero_and_aws  # benchmarks/, the script's folder

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "layers" / "common"), str(ROOT)]

from local.host_endpoint import Attempt, HostEndpoint  # noqa: E402 - after the path is set

ORG_ID = "bench-import-org"
CHUNK = 500
DYNAMODB: Counter = Counter()
_lock = threading.Lock()


def instrument() -> None:
    """Count DynamoDB requests made in this process, by operation."""
    import botocore.client

    original = botocore.client.BaseClient._make_api_call

    def counted(self, operation_name, api_params):
        if self.meta.service_model.service_name == "dynamodb":
            with _lock:
                DYNAMODB[operation_name] += 1
        return original(self, operation_name, api_params)

    botocore.client.BaseClient._make_api_call = counted


# --- the run ----------------------------------------------------------------------------------------


@dataclass
class Result:
    contacts: int
    invoices: int
    changes: int = 0
    matched: int = 0
    xero_calls: Counter = field(default_factory=Counter)
    dynamodb: Counter = field(default_factory=Counter)
    wall_seconds: float = 0.0
    worker_seconds: float = 0.0
    invocations: int = 0
    payment_statuses: int = 0
    emulated_seconds: float = 0.0
    ack_ms: list[float] = field(default_factory=list)
    delivery_seconds: list[float] = field(default_factory=list)
    signed: int = 0


def run(args: argparse.Namespace) -> Result:
    instrument()
    webhook_key = secrets.token_urlsafe(24)
    result = Result(args.contacts, args.invoices)
    options = ["--auto-consent", "--quiet", "--time-scale", str(args.time_scale)]
    with xero_and_aws(options) as servers:
        xero, aws = servers.xero, servers.aws
        from local.stack import LocalStack

        with LocalStack.start(
            xero=emulated_xero(xero),  # the emulator in its own process
            extra_environment={
                "XERO_MINUTE_LIMIT": str(int(60 * args.time_scale)),
                "XERO_WEBHOOK_KEY": webhook_key,
                "LOG_LEVEL": "WARNING",
                "POWERTOOLS_METRICS_DISABLED": "true",
            },
            stack_name="bench-import",
            aws_endpoint_url=aws,
        ) as stack:
            api = _host_api(stack)
            connect(api, stack.api_url, ORG_ID)
            stack.runner.drain(timeout=600)
            tenant = requests.get(f"{xero}/_emulator/tenants", timeout=30).json()["tenants"][0]["tenant_id"]
            _seed(api, stack, xero, tenant, args)
            requests.post(
                f"{xero}/_emulator/webhooks",
                json={"url": f"{stack.api_url}/webhooks/xero", "key": webhook_key},
                timeout=30,
            )
            _initial_import(stack, xero, tenant, result)
            _acknowledgements(stack.api_url, webhook_key, tenant, args.acks, result)
            stack.runner.drain(timeout=600)
            _edits_to_deliveries(api, xero, tenant, args.edits, result)
    return result


def _host_api(stack) -> requests.Session:
    key = stack.create_api_key(name="import benchmark", org_ids=[ORG_ID])
    api = requests.Session()
    api.headers["Authorization"] = f"Bearer {key.api_key}"
    api.base = f"{stack.api_url}/v1/orgs/{ORG_ID}"  # type: ignore[attr-defined]
    return api


def _seed(api, stack, xero: str, tenant: str, args: argparse.Namespace) -> None:
    """N contacts and N exported, paid invoices in Xero; the host's own contacts."""
    from xero_sync.domain.xero_objects import ExportedElement
    from xero_sync.services.imports.exported import ExportedObjects
    from xero_sync.wiring import container

    user = f"{xero}/_emulator/tenants/{tenant}/api"
    contact_ids: list[str] = []
    for start in range(0, args.contacts, CHUNK):
        batch = [
            {
                "Name": f"Bench Contact {n:05d}",
                "EmailAddress": f"buyer{n}@bench.example",
                "Phones": [
                    {
                        "PhoneType": "MOBILE",
                        "PhoneCountryCode": "64",
                        "PhoneAreaCode": "21",
                        "PhoneNumber": f"{5000000 + n}",
                    }
                ],
            }
            for n in range(start, min(args.contacts, start + CHUNK))
        ]
        contact_ids += [
            c["ContactID"]
            for c in requests.put(f"{user}/Contacts", json={"Contacts": batch}, timeout=300).json()["Contacts"]
        ]
    exported = ExportedObjects(container().xero_objects)
    invoices: list[dict[str, Any]] = []
    line = {"Description": "Beans", "Quantity": 1, "UnitAmount": 100, "AccountCode": "200", "TaxType": "OUTPUT2"}
    for start in range(0, args.invoices, CHUNK):
        batch = [
            {
                "Type": "ACCREC",
                "InvoiceNumber": f"BENCH-{n:05d}",
                "Contact": {"ContactID": contact_ids[n % len(contact_ids)]},
                "Date": "2026-11-02",
                "DueDate": "2026-12-02",
                "Status": "AUTHORISED",
                "LineItems": [line],
            }
            for n in range(start, min(args.invoices, start + CHUNK))
        ]
        answer = requests.put(f"{user}/Invoices", params={"unitdp": 4}, json={"Invoices": batch}, timeout=600).json()
        invoices += answer["Invoices"]
    now = container().clock()
    # what the export worker records after writing the invoices (a call's at once)
    exported.written(
        [ExportedElement(ORG_ID, "invoice", i["InvoiceNumber"].lower(), i["InvoiceID"], i) for i in invoices], now
    )
    for start in range(0, len(invoices), CHUNK):
        payments = [
            {
                "Invoice": {"InvoiceID": i["InvoiceID"]},
                "Account": {"Code": "090"},
                "Date": "2026-11-20",
                "Amount": 40,
                "Reference": f"Bank {i['InvoiceNumber']}",
            }
            for i in invoices[start : start + CHUNK]
        ]
        requests.put(f"{user}/Payments", json={"Payments": payments}, timeout=600)
    settings = {"sync_frequency": "manual", "import_options": {"customers": True, "vendors": True}}
    assert api.put(f"{api.base}/settings", json={"settings": settings}, timeout=60).ok
    host = [
        {
            "entity": "contact",
            "id": f"cus-{n}",
            "version": 1,
            "action": "upsert",
            "data": {"display_name": f"Host {n}", "email": f"BUYER{n * 10}@bench.example"},
        }
        for n in range(args.host_contacts)
    ]
    for start in range(0, len(host), CHUNK):
        assert api.post(f"{api.base}/records", json={"records": host[start : start + CHUNK]}, timeout=300).ok


def _initial_import(stack, xero: str, tenant: str, result: Result) -> None:
    """The initial import, as on connect: one message on the import queue, delivered by the local
    stack to the import worker's handler (with its Lambda timeout, so a long read continues in new
    messages), until every queue is empty."""
    from xero_sync.models.imports import OrgImport
    from xero_sync.services.imports.worker import ImportWorker
    from xero_sync.wiring import container

    requests.delete(f"{xero}/_emulator/requests", timeout=60)
    emulated_start = _emulated_now(xero)
    invocations: list[tuple[float, float]] = []  # (wall seconds, emulated clock at the end)
    original = ImportWorker.handle

    def timed(self, *args: Any, **kwargs: Any) -> Any:
        began = time.monotonic()
        try:
            return original(self, *args, **kwargs)
        finally:
            invocations.append((time.monotonic() - began, _emulated_now(xero)))

    ImportWorker.handle = timed  # type: ignore[method-assign]
    DYNAMODB.clear()
    started = time.monotonic()
    try:
        container().import_queue.send([OrgImport(kind="initial", org_id=ORG_ID, requested_by="benchmark")])
        stack.runner.drain(timeout=3600)
    finally:
        ImportWorker.handle = original  # type: ignore[method-assign]
    result.wall_seconds = time.monotonic() - started
    result.worker_seconds = sum(seconds for seconds, _ in invocations)
    result.invocations = len(invocations)
    result.emulated_seconds = max(end for _, end in invocations) - emulated_start
    result.dynamodb = Counter(DYNAMODB)
    log = requests.get(f"{xero}/_emulator/requests", params={"tenant_id": tenant}, timeout=300).json()
    entries = log["requests"] if isinstance(log, dict) else log
    result.xero_calls = Counter(f"{e['method']} {e['path'].removeprefix('/api.xro/2.0/')}" for e in entries)
    feed = container().changes.page(ORG_ID, after=None, limit=100_000).changes
    result.changes = sum(1 for c in feed if c.resource.value in ("contact", "invoice"))
    result.matched = sum(1 for c in feed if c.match is not None)
    result.payment_statuses = sum(1 for c in feed if c.kind.value == "invoice.payment_status_changed")


def _acknowledgements(api_url: str, key: str, tenant: str, count: int, result: Result) -> None:
    """Signed webhook POSTs, one at a time, as Xero sends them: the time until the 200."""
    session = requests.Session()
    for n in range(count):
        event = {
            "resourceId": f"00000000-0000-0000-0000-{n:012d}",
            "eventType": "UPDATE",
            "eventCategory": "CONTACT",
            "tenantId": "unknown-tenant",
            "tenantType": "ORGANISATION",
            "eventDateUtc": "2026-11-24T12:00:00.000",
        }
        body = json.dumps(
            {"events": [event], "firstEventSequence": n + 1, "lastEventSequence": n + 1, "entropy": "B"}
        ).encode()
        signature = base64.b64encode(hmac.new(key.encode(), body, hashlib.sha256).digest()).decode()
        started = time.perf_counter()
        answer = session.post(
            f"{api_url}/webhooks/xero", data=body, headers={"x-xero-signature": signature}, timeout=30
        )
        result.ack_ms.append((time.perf_counter() - started) * 1000)
        assert answer.status_code == 200, answer.status_code


def _edits_to_deliveries(api, xero: str, tenant: str, edits: int, result: Result) -> None:
    """A contact edited in Xero, one at a time: until its change arrives signed at the host."""
    host = HostEndpoint()
    host.secret = api.put(f"{api.base}/webhook", json={"url": host.url}, timeout=60).json()["signing_secret"]
    contacts = requests.get(
        f"{xero}/_emulator/tenants/{tenant}/api/Contacts", params={"page": 1, "pageSize": edits}, timeout=60
    )
    for n, contact in enumerate(contacts.json()["Contacts"][:edits]):
        email = f"edited{n}@bench.example"
        started = time.monotonic()
        requests.post(
            f"{xero}/_emulator/tenants/{tenant}/api/Contacts/{contact['ContactID']}",
            json={"Contacts": [{"EmailAddress": email}]},
            timeout=60,
        )
        if host.wait(lambda attempts, c=contact["ContactID"], e=email: _delivered(attempts, c, e)):
            arrived = next(a.arrived for a in host.attempts if _is_edit(a, contact["ContactID"], email))
            result.delivery_seconds.append(arrived - started)
    result.signed = sum(1 for a in host.attempts if a.signed)
    host.stop()


def _is_edit(attempt: Attempt, xero_id: str, email: str) -> bool:
    change = attempt.json.get("change") or {}
    return bool(attempt.signed) and change.get("xero_id") == xero_id and change["state"].get("email") == email


def _delivered(attempts: list[Attempt], xero_id: str, email: str) -> bool:
    return any(_is_edit(a, xero_id, email) for a in attempts)


# --- helpers -----------------------------------------------------------------------------------------


def _emulated_now(xero: str) -> float:
    from datetime import datetime

    now = requests.get(f"{xero}/_emulator/clock", timeout=30).json()["now"]
    return datetime.fromisoformat(now).timestamp()


def _percentile(values: list[float], share: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * (len(ordered) - 1))))]


def report(result: Result) -> str:
    records = result.contacts + result.invoices
    dynamo = sum(result.dynamodb.values())
    calls = sum(result.xero_calls.values())
    rows = [
        ("Xero contacts / exported invoices (paid in Xero)", f"{result.contacts:,} / {result.invoices:,}"),
        (
            "changes written (contacts + payment statuses)",
            f"{result.changes:,} ({result.payment_statuses:,} invoice.payment_status_changed, "
            f"{result.matched:,} contacts matched)",
        ),
        (
            "Xero calls (target ≤ 25 using pageSize)",
            f"{calls}: " + ", ".join(f"{k} ×{v}" for k, v in sorted(result.xero_calls.items())),
        ),
        (
            "DynamoDB requests per imported record (target ≤ 3)",
            f"{dynamo / max(records, 1):.2f} ({dynamo:,}: "
            + ", ".join(f"{k} {v:,}" for k, v in result.dynamodb.most_common())
            + ")",
        ),
        (
            "emulated / wall time of the initial import",
            f"{result.emulated_seconds:.0f} s / {result.wall_seconds:.1f} s "
            f"(import worker: {result.worker_seconds:.1f} s in {result.invocations} invocations; the rest is the "
            "local stack's queue polling)",
        ),
        (
            "webhook receiver: time to acknowledge, p50 / p95 (target ≤ 100 ms)",
            f"{statistics.median(result.ack_ms):.0f} ms / {_percentile(result.ack_ms, 0.95):.0f} ms "
            f"({len(result.ack_ms)} POSTs)",
        ),
        (
            "change in Xero → signed delivery at the host, p50 / p95 (target ≤ 5 s)",
            f"{statistics.median(result.delivery_seconds):.2f} s / {_percentile(result.delivery_seconds, 0.95):.2f} s "
            f"({len(result.delivery_seconds)} edits, {result.signed} valid signatures)",
        ),
    ]
    width = max(len(name) for name, _ in rows)
    lines = [f"| {'':{width}} | import |", f"| {'-' * width} | --- |"]
    lines += [f"| {name:{width}} | {value} |" for name, value in rows]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="benchmarks/import.py", description=__doc__.split("\n")[0])
    parser.add_argument("--contacts", type=int, default=10_000)
    parser.add_argument("--invoices", type=int, default=10_000)
    parser.add_argument("--host-contacts", type=int, default=100, help="the host's own contacts (matching)")
    parser.add_argument("--acks", type=int, default=200, help="signed webhook POSTs timed")
    parser.add_argument("--edits", type=int, default=20, help="contacts edited in Xero, one at a time")
    parser.add_argument("--time-scale", type=float, default=20.0, help="emulated Xero runs this many times faster")
    parser.add_argument("--json", action="store_true", help="also print the figures as one JSON line (for tests)")
    args = parser.parse_args(argv)
    result = run(args)
    print(report(result))
    if args.json:
        print(json.dumps(as_json(result)))
    return 0


def as_json(result: Result) -> dict[str, Any]:
    figures = {name: getattr(result, name) for name in result.__dataclass_fields__}
    return {name: dict(value) if isinstance(value, Counter) else value for name, value in figures.items()}


if __name__ == "__main__":
    sys.exit(main())
