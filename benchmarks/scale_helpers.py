"""What scale_exports.py needs beyond local_run.py: many orgs, each connected to a Xero tenant
of its own, the records of a real-time org's pushes, and the figures taken from the emulator's
request log and the records table.

local_run.servers starts the emulator with ``--auto-consent``, which consents to every start
tenant at once: with 50 tenants every org would land on the same one (and share its limits).
Here the emulator starts with one tenant per org and no auto-consent, and each org's admin
picks "their" tenant on the consent page, as a person would.
"""

from __future__ import annotations

import contextlib
import math
import re
import statistics
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import local_run  # benchmarks/local_run.py
import requests
from local_servers import Servers, xero_and_aws

ACCOUNTING = "/api.xro/2.0/"
GST = {"host_tax_id": "gst15", "host_rate": "15", "xero_tax_type": "OUTPUT2"}


@contextlib.contextmanager
def servers_with_tenants(tenants: int) -> Iterator[Servers]:
    """The emulator (real time, Xero's limits, ``tenants`` demo companies, consent by page) and
    moto servers (DynamoDB, SQS and the rest), each in a process of its own."""
    options = ["--quiet", "--tenants", str(tenants)]
    with xero_and_aws(options, own_process_for=("dynamodb", "sqs")) as started:
        yield started


def tenant_ids(xero: str) -> list[str]:
    body = requests.get(f"{xero}/_emulator/tenants", timeout=30).json()
    return list(body["start_tenant_ids"])


def connect_to(org: local_run.HostOrg, xero: str, tenant_id: str) -> None:
    """The OAuth walk through the host API, the admin ticking ``tenant_id`` on the consent page."""
    started = org.api.post(f"{org.base}/connect", json={"return_url": f"{org.stack.api_url}/host"}, timeout=60)
    assert started.ok, (started.status_code, started.text[:300])
    page = requests.get(started.json()["authorize_url"], allow_redirects=False, timeout=60)
    found = re.search(r'name="request_id" value="([^"]+)"', page.text)
    assert found, page.text[:300]
    consent = requests.post(
        f"{xero}/identity/connect/authorize/consent",
        data={"request_id": found.group(1), "tenant_id": tenant_id, "action": "allow"},
        allow_redirects=False,
        timeout=60,
    )
    callback = requests.get(consent.headers["Location"], allow_redirects=False, timeout=120)
    assert "xero_status=connected" in callback.headers["Location"], callback.headers["Location"]


def new_sale(n: int) -> list[dict[str, Any]]:
    """A real-time org's push: a new customer and an invoice for them (it waits for its contact)."""
    contact = {
        "entity": "contact",
        "id": f"rt-cus-{n}",
        "version": 1,
        "action": "upsert",
        "data": {"display_name": f"Walk-in {n:05d} Ltd", "kind": "customer", "email": f"rt{n}@walkin.example"},
    }
    invoice = {
        "entity": "invoice",
        "id": f"rt-inv-{n}",
        "version": 1,
        "action": "upsert",
        "data": {
            "number": f"RT-{n:05d}",
            "contact_id": f"rt-cus-{n}",
            "date": "2026-10-01",
            "due_date": "2026-10-31",
            "status": "open",
            "lines": [
                {
                    "item_name": "Service",
                    "quantity": "1",
                    "rate": f"{100 + n % 50}.00",
                    "tax_id": "gst15",
                    "account_code": "200",
                }
            ],
        },
    }
    return [contact, invoice]


# --- what the records table says ---------------------------------------------------------------


def invoice_latencies(pushed: dict[str, list[int]]) -> tuple[list[float], int]:
    """Seconds from push (the API's ``received_at``) to ``synced_at`` of each pushed invoice,
    and how many are not synced yet. ``pushed``: org id → sale numbers."""
    from xero_sync.domain.records import RecordKey, RecordStatus
    from xero_sync.wiring import container

    records = container().records
    latencies: list[float] = []
    outstanding = 0
    for org_id, numbers in pushed.items():
        keys = [RecordKey(org_id, "invoice", f"rt-inv-{n}") for n in numbers]
        for start in range(0, len(keys), 100):  # BatchGetItem takes 100 keys
            found = records.get_many(keys[start : start + 100])
            for key in keys[start : start + 100]:
                row = found.get(key)
                if row is None or row.status is not RecordStatus.SYNCED or not (row.synced_at and row.received_at):
                    outstanding += 1
                else:
                    latencies.append((row.synced_at - row.received_at).total_seconds())
    return latencies, outstanding


def percentile(values: list[float], share: float, missing: int = 0) -> float | None:
    """The ``share`` percentile of ``values`` plus ``missing`` values larger than all of them
    (records not synced yet); None when it falls among the missing ones."""
    ordered = sorted(values)
    total = len(ordered) + missing
    if total == 0:
        return None
    index = max(0, math.ceil(share * total) - 1)  # nearest rank
    return ordered[index] if index < len(ordered) else None


# --- what the emulator saw ---------------------------------------------------------------------


@dataclass
class CallStats:
    total: int
    rate_limited: int
    minutes: float
    per_minute_mean: float
    per_minute_max: int
    per_tenant_mean: dict[str, float]
    per_tenant_peak: dict[str, int]


def accounting_calls(xero: str) -> list[dict[str, Any]]:
    body = requests.get(f"{xero}/_emulator/requests", params={"path_prefix": ACCOUNTING}, timeout=300).json()
    return list(body["requests"])


def call_stats(log: list[dict[str, Any]], started: datetime, ended: datetime) -> CallStats:
    """Calls in [started, ended): the mean per minute of the window and the busiest 60 seconds
    (any 60 s within it: calls come in bursts, so a fixed minute's count can be below the mean),
    in total and per tenant (429s are counted apart: Xero refused them before doing anything).
    Token calls are not Accounting calls and not counted."""
    minutes = max((ended - started).total_seconds() / 60, 1 / 60)
    in_window = [e for e in log if started <= _at(e) < ended]
    made = sorted(_at(e) for e in in_window if e["status"] != 429)
    by_tenant: dict[str, list[datetime]] = defaultdict(list)
    for entry in in_window:
        if entry["status"] != 429:
            by_tenant[entry["tenant_id"] or "-"].append(_at(entry))
    return CallStats(
        total=len(made),
        rate_limited=len(in_window) - len(made),
        minutes=minutes,
        per_minute_mean=len(made) / minutes,
        per_minute_max=busiest_minute(made),
        per_tenant_mean={tenant: len(times) / minutes for tenant, times in by_tenant.items()},
        per_tenant_peak={tenant: busiest_minute(sorted(times)) for tenant, times in by_tenant.items()},
    )


def busiest_minute(times: list[datetime]) -> int:
    """The most of ``times`` (sorted) within any 60 seconds."""
    most, first = 0, 0
    for last, at in enumerate(times):
        while (at - times[first]).total_seconds() >= 60:
            first += 1
        most = max(most, last - first + 1)
    return most


def median_and_max(values: list[float]) -> tuple[float, float]:
    return (statistics.median(values), max(values)) if values else (0.0, 0.0)


def _at(entry: dict[str, Any]) -> datetime:
    return datetime.fromisoformat(entry["at"].replace("Z", "+00:00")).astimezone(UTC)


def in_xero(xero: str, tenant_id: str, prefix: str) -> tuple[int, int]:
    """(invoices numbered ``prefix…`` in the tenant, distinct numbers among them): equal when
    nothing reached Xero twice."""
    state = local_run.tenant_state(xero, tenant_id)
    numbers = [
        doc["InvoiceNumber"]
        for doc in state["Invoices"]
        if doc.get("InvoiceNumber", "").startswith(prefix) and doc["Status"] != "DELETED"
    ]
    return len(numbers), len(set(numbers))
