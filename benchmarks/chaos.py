"""Chaos harness (N1, issue 9): records of every family through the local stack — the real
handlers, moto server, the Xero emulator — with faults injected at random at every step, then a
count of what reached Xero.

    ./scripts/chaos                       # 10,000 records, seed 1
    ./scripts/chaos --records 2000 --seed 7

Every record ends either in Xero exactly once with the right amount, or failed with a reason the
admin can read; nothing is lost and nothing is in Xero twice. The faults, each decided by one
seeded random generator (``--seed``), so that a run can be repeated:

* **Xero's faults** (the emulator's control plane), armed before a worker batch with probability
  ``--fault-rate`` on the tenant's *next* Accounting call, whatever it is (a look-up, a create, an
  allocation, a deletion): ``http_500``, ``http_503``, ``http_429`` (Retry-After 1 s), ``slow``
  (0.5 s), ``drop_after_commit`` (saved, then the connection closed without an answer) and
  ``timeout_after_commit`` (saved, then answered after the client's time-out);
* **worker killed mid-batch**: with probability ``--kill-rate`` per record, the worker dies between
  Xero's answer and writing it down (an exception out of the records table's ``mark_synced``
  that nothing in the service catches); the invocation fails and SQS delivers the batch again;
* **SQS redelivery**: with probability ``--redelivery-rate`` a batch the worker finished is
  delivered again (as when the visibility time-out runs out before the deletes);
* **duplicate pushes**: with probability ``--duplicate-rate`` before a batch, the host pushes up to
  50 records it already pushed again, same version;
* **DLQ redrive**: once the queues are empty, every message in the export DLQs (batches that kept
  failing) is moved back to its queue, as the SQS console's redrive does, and drained — with the
  faults still on. Finally the faults stop and the host presses "Sync now" once (what the
  schedule would do) for anything still pending, and the books are counted.

Seeded means the same data set and the same sequence of decisions; which call a fault meets
depends on how the runner's threads interleave, so two runs with one seed are alike, not equal.

Counted from the emulated Xero's books (``local/xero_books.py``: documents by number, payments,
refunds and bank charges by the reference stamp the service writes, allocations on their credit
note) and the records table: *in Xero exactly once* (synced, one live Xero object, the host's
amount), *failed and reported* (failed, with the reason in the record and its history), *lost*
(neither: still pending, synced but not in Xero, failed without a reason), *duplicated* (two or
more live Xero objects for one record), *wrong amount*.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import threading
import time
from collections import Counter
from dataclasses import asdict, dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import local_run  # benchmarks/local_run.py: the stack, the servers, one host org
import requests

from local import host_records as host
from local.xero_books import XeroBooks, money

ORG_ID = "chaos-org"
XERO_FAULTS = ("http_500", "http_503", "http_429", "slow", "drop_after_commit", "timeout_after_commit")
FAULT_OPTIONS: dict[str, dict[str, Any]] = {
    "http_429": {"delay_seconds": 1, "problem": "minute"},
    "slow": {"delay_seconds": 0.5},
    "timeout_after_commit": {"delay_seconds": 5.0},  # the client gives up after XERO_TIMEOUT_SECONDS
}
CLIENT_TIMEOUT_SECONDS = 3
SETTINGS, GST = host.EXPORT_EVERYTHING, host.GST
CENT = Decimal("0.01")
PUSH_CHUNK = 100  # records per push: well inside the API's 29 s on a loaded machine


# --- the data set: a sale and a purchase story per customer and vendor -----------------------------


@dataclass(frozen=True)
class Expected:
    """What one record must be in Xero."""

    entity: str
    record_id: str
    number: str | None = None  # the document (or the credit note an allocation is on)
    name: str | None = None  # contacts
    amount: Decimal | None = None  # the document's total, the payment's or allocation's amount
    on_invoice: str | None = None  # allocations: the number of the invoice or bill allocated to


def _lines(rng: random.Random, account: str) -> list[dict[str, Any]]:
    return [
        host.line(
            f"{rng.randint(500, 40000) / 100:.2f}",
            rng.randint(1, 5),
            item=f"Item {rng.randint(1, 99)}",
            account_code=account,
        )
        for _ in range(rng.randint(1, 3))
    ]


def _total(lines: list[dict[str, Any]]) -> Decimal:
    """What Xero computes: the line amounts, plus 15 % tax per line rounded half-up to the cent."""
    amounts = [Decimal(str(item["quantity"])) * Decimal(item["rate"]) for item in lines]
    return sum(a + (a * Decimal("0.15")).quantize(CENT, rounding=ROUND_HALF_UP) for a in amounts).quantize(CENT)


def _credited(
    rng: random.Random, document_lines: list[dict[str, Any]], item: str, account: str
) -> tuple[list[dict[str, Any]], tuple[Decimal, ...]]:
    """A credit for a document that is partly paid: the credit's lines, and (the document's
    total, the credit's total, paid, allocated from the credit, refunded of the credit)."""
    credit_lines = [host.line(f"{rng.randint(200, 2000) / 100:.2f}", 1, item=item, account_code=account)]
    total, credit_total = _total(document_lines), _total(credit_lines)
    paid = (total * Decimal(rng.randint(10, 50)) / 100).quantize(CENT)
    allocated = min(credit_total / 2, total - paid).quantize(CENT)
    refunded = ((credit_total - allocated) / 2).quantize(CENT)
    return credit_lines, (total, credit_total, paid, allocated, refunded)


def sale(n: int, rng: random.Random) -> list[tuple[dict[str, Any], Expected]]:
    """A customer with two invoices: the first partly paid and credited (a credit note allocated to
    it and partly refunded), the second written off; and a bank charge."""
    c, a, b, cn = f"cus-{n}", f"inv-{n}-a", f"inv-{n}-b", f"cn-{n}"
    name, a_no, b_no, cn_no = f"Chaos Customer {n:05d} Ltd", f"CH-{n:05d}-A", f"CH-{n:05d}-B", f"CHCN-{n:05d}"
    a_lines, b_lines = _lines(rng, "200"), _lines(rng, "200")
    cn_lines, (a_total, cn_total, paid, allocated, refunded) = _credited(rng, a_lines, "Returned goods", "200")
    charge = Decimal(rng.randint(100, 2500)) / 100
    return [
        (host.contact(c, name), Expected("contact", c, name=name)),
        (host.invoice(a, a_no, c, lines=a_lines), Expected("invoice", a, number=a_no, amount=a_total)),
        (host.invoice_payment(f"pay-{n}", a, str(paid)), Expected("invoice_payment", f"pay-{n}", amount=paid)),
        (host.credit_note(cn, cn_no, c, lines=cn_lines), Expected("credit_note", cn, number=cn_no, amount=cn_total)),
        (
            host.credit_note_allocation(f"cna-{n}", cn, a, str(allocated)),
            Expected("credit_note_allocation", f"cna-{n}", number=cn_no, amount=allocated, on_invoice=a_no),
        ),
        (
            host.credit_note_refund(f"cnr-{n}", cn, str(refunded)),
            Expected("credit_note_refund", f"cnr-{n}", amount=refunded),
        ),
        (host.invoice(b, b_no, c, lines=b_lines), Expected("invoice", b, number=b_no, amount=_total(b_lines))),
        (host.write_off(f"wo-{n}", b), Expected("write_off", f"wo-{n}", number=f"{b_no}-WO", amount=_total(b_lines))),
        (host.bank_charge(f"bc-{n}", str(charge), contact_id=c), Expected("bank_charge", f"bc-{n}", amount=charge)),
    ]


def purchase(n: int, rng: random.Random) -> list[tuple[dict[str, Any], Expected]]:
    """A vendor with a bill, partly paid and credited (a vendor credit allocated to it and partly
    refunded)."""
    v, b, vc = f"ven-{n}", f"bill-{n}", f"vc-{n}"
    name, b_no, vc_no = f"Chaos Vendor {n:05d} Ltd", f"CHB-{n:05d}", f"CHVC-{n:05d}"
    b_lines = _lines(rng, "300")
    vc_lines, (b_total, vc_total, paid, allocated, refunded) = _credited(rng, b_lines, "Damaged goods", "300")
    return [
        (host.vendor(v, name), Expected("contact", v, name=name)),
        (host.bill(b, b_no, v, lines=b_lines), Expected("bill", b, number=b_no, amount=b_total)),
        (host.bill_payment(f"bp-{n}", b, str(paid)), Expected("bill_payment", f"bp-{n}", amount=paid)),
        (
            host.vendor_credit(vc, vc_no, v, lines=vc_lines),
            Expected("vendor_credit", vc, number=vc_no, amount=vc_total),
        ),
        (
            host.vendor_credit_allocation(f"vca-{n}", vc, b, str(allocated)),
            Expected("vendor_credit_allocation", f"vca-{n}", number=vc_no, amount=allocated, on_invoice=b_no),
        ),
        (
            host.vendor_credit_refund(f"vcr-{n}", vc, str(refunded)),
            Expected("vendor_credit_refund", f"vcr-{n}", amount=refunded),
        ),
    ]


def data_set(records: int, rng: random.Random) -> list[tuple[dict[str, Any], Expected]]:
    """Whole stories (a child never without its parent) until ``records`` are reached."""
    found: list[tuple[dict[str, Any], Expected]] = []
    n = 0
    while len(found) < records:
        found += sale(n, rng) + purchase(n, rng)
        n += 1
    return found


# --- the faults --------------------------------------------------------------------------------------


class WorkerKilled(BaseException):
    """The worker dies: not an ``Exception``, so no handler in the service catches it."""


@dataclass
class Chaos:
    """Decides and injects the faults, one seeded generator for every decision."""

    seed: int
    xero: str  # the emulator's base URL
    tenant_id: str
    fault_rate: float
    kill_rate: float
    redelivery_rate: float
    duplicate_rate: float
    pushed: list[dict[str, Any]] = field(default_factory=list)
    org: Any = None
    on: bool = True
    injected: Counter = field(default_factory=Counter)

    def __post_init__(self) -> None:
        self._rng = random.Random(self.seed * 7919)
        self._lock = threading.Lock()

    def roll(self, rate: float) -> bool:
        with self._lock:
            return self.on and self._rng.random() < rate

    def pick(self, choices: Any) -> Any:
        with self._lock:
            return self._rng.choice(choices)

    def count(self, name: str, n: int = 1) -> None:
        with self._lock:
            self.injected[name] += n

    def before_batch(self) -> None:
        """Before a worker batch: maybe arm a Xero fault on the tenant's next call, maybe have
        the host push some records again."""
        if self.roll(self.fault_rate):
            kind = self.pick(XERO_FAULTS)
            rule = {"kind": kind, "count": 1, "tenant_id": self.tenant_id, **FAULT_OPTIONS.get(kind, {})}
            requests.post(f"{self.xero}/_emulator/faults", json=rule, timeout=30).raise_for_status()
            self.count(f"{kind} (armed)")
        if self.roll(self.duplicate_rate) and self.pushed:
            with self._lock:
                again = self._rng.sample(self.pushed, min(len(self.pushed), self._rng.randint(1, 50)))
            answer = self.org.push(again)
            self.count("duplicate push (records)", len(again))
            self.count("duplicate push: stale, not stored again", answer["stale"])

    def maybe_kill(self) -> None:
        if self.roll(self.kill_rate):
            self.count("worker killed mid-batch")
            raise WorkerKilled()

    def fired(self) -> dict[str, int]:
        """How often each Xero fault actually met a call (the emulator's count)."""
        rules = requests.get(f"{self.xero}/_emulator/faults", timeout=30).json()["faults"]
        fired: Counter = Counter()
        for rule in rules:
            fired[rule["kind"]] += rule["fired"]
        return dict(fired)


def install(chaos: Chaos) -> None:
    """Wrap the export workers' handler and the records table's ``mark_synced`` (before the
    runner imports the functions), as the backfill benchmark instruments them."""
    import xero_sync.workers as workers
    from xero_sync.dal.records import RecordRepository

    original_handler = workers.handle_export_batch
    original_mark_synced = RecordRepository.mark_synced

    def handler(family, event, context):
        chaos.before_batch()
        try:
            answer = original_handler(family, event, context)
        except WorkerKilled:
            # The Lambda died: the invocation fails, nothing is deleted, SQS delivers it again.
            raise RuntimeError("the export worker was killed mid-batch (chaos)") from None
        if chaos.roll(chaos.redelivery_rate):
            chaos.count("SQS redelivery (batches)")
            return {"batchItemFailures": [{"itemIdentifier": r["messageId"]} for r in event["Records"]]}
        return answer

    def mark_synced(self, *args, **kwargs):
        chaos.maybe_kill()  # after Xero's answer, before it is written down
        return original_mark_synced(self, *args, **kwargs)

    workers.handle_export_batch = handler
    RecordRepository.mark_synced = mark_synced


def redrive_dlqs(stack: Any) -> int:
    """What the SQS console's "Start DLQ redrive" does for every export DLQ: each message back to
    its source queue (moto has no StartMessageMoveTask, so receive + send + delete)."""
    from xero_sync.domain.families import Family
    from xero_sync.settings import ExportQueueSettings
    from xero_sync.wiring import container

    settings = container().settings_for(ExportQueueSettings)
    sqs = stack.aws_client("sqs")
    pairs = [(settings.dlq_url(family), settings.queue_url(family)) for family in Family]
    if settings.backfill_dlq_url and settings.backfill_queue_url:
        pairs.append((settings.backfill_dlq_url, settings.backfill_queue_url))
    moved = 0
    for dlq, source in pairs:
        while True:
            messages = sqs.receive_message(QueueUrl=dlq, MaxNumberOfMessages=10, WaitTimeSeconds=0).get("Messages", [])
            if not messages:
                break
            for message in messages:
                sqs.send_message(QueueUrl=source, MessageBody=message["Body"])
                sqs.delete_message(QueueUrl=dlq, ReceiptHandle=message["ReceiptHandle"])
            moved += len(messages)
    return moved


# --- counting what reached Xero ------------------------------------------------------------------------


@dataclass
class Tally:
    pushed: int = 0
    exactly_once: int = 0
    failed_reported: int = 0
    lost: int = 0
    duplicated: int = 0
    wrong_amount: int = 0
    failure_reasons: Counter = field(default_factory=Counter)
    lost_examples: list[str] = field(default_factory=list)
    duplicated_examples: list[str] = field(default_factory=list)
    wrong_amount_examples: list[str] = field(default_factory=list)


def in_xero(books: XeroBooks, expected: Expected) -> list[Decimal]:
    """The amounts of the live Xero objects that are this record (one amount per object)."""
    entity, number = expected.entity, expected.number
    if entity == "contact":
        return [Decimal(0) for c in books.contacts(expected.name) if c.get("ContactStatus") != "ARCHIVED"]
    if entity in ("invoice", "bill"):
        documents = books.invoices(number, "ACCREC" if entity == "invoice" else "ACCPAY")
        return [money(d["Total"]) for d in documents if d["Status"] not in ("DELETED", "VOIDED")]
    if entity in ("credit_note", "vendor_credit", "write_off"):
        kind = "ACCPAYCREDIT" if entity == "vendor_credit" else "ACCRECCREDIT"
        return [money(n["Total"]) for n in books.credit_notes(number, kind) if n["Status"] not in ("DELETED", "VOIDED")]
    if entity in ("credit_note_allocation", "vendor_credit_allocation"):
        kind = "ACCPAYCREDIT" if entity == "vendor_credit_allocation" else "ACCRECCREDIT"
        notes = books.credit_notes(number, kind)
        invoices = {i["InvoiceID"] for i in books.invoices(expected.on_invoice)}
        return [
            money(a["Amount"])
            for note in notes
            for a in note["Allocations"]
            if not a.get("IsDeleted") and (a.get("Invoice") or {}).get("InvoiceID") in invoices
        ]
    if entity == "bank_charge":
        return [money(t["Total"]) for t in books.bank_transactions_stamped(expected.record_id, live_only=True)]
    return [money(p["Amount"]) for p in books.payments_stamped(entity, expected.record_id, live_only=True)]


def tally(expectations: list[Expected], books: XeroBooks, stored: dict[tuple[str, str], Any]) -> Tally:
    result = Tally(pushed=len(expectations))
    for expected in expectations:
        amounts = in_xero(books, expected)
        row = stored.get((expected.entity, expected.record_id))
        status = row.status.value if row is not None else "missing"
        what = f"{expected.entity} {expected.record_id} ({status}, {len(amounts)} in Xero)"
        if len(amounts) > 1:
            result.duplicated += 1
            result.duplicated_examples.append(what)
        elif status == "synced" and len(amounts) == 1:
            result.exactly_once += 1
            if expected.amount is not None and amounts[0] != expected.amount:
                result.wrong_amount += 1
                result.wrong_amount_examples.append(f"{what}: {amounts[0]} instead of {expected.amount}")
        elif status in ("failed", "skipped") and not amounts and row.last_message:
            result.failed_reported += 1
            result.failure_reasons[row.error_code or status] += 1
        elif status == "waiting" and not amounts and _parent_failed(row, stored):
            result.failed_reported += 1
            result.failure_reasons["waiting on a failed record"] += 1
        else:
            result.lost += 1
            result.lost_examples.append(f"{what}: {row.last_message if row is not None else 'never stored'}")
    return result


def _parent_failed(row: Any, stored: dict[tuple[str, str], Any]) -> bool:
    """A waiting record whose parent failed: reported with its parent (it goes once the parent
    is fixed), not lost."""
    from xero_sync.domain.records import parse_waiting_key

    if not row.waiting_on:
        return False
    found = stored.get(parse_waiting_key(ORG_ID, row.waiting_on))
    return found is not None and found.status.value in ("failed", "skipped")


def stored_records(expectations: list[Expected]) -> dict[tuple[str, str], Any]:
    from xero_sync.domain.records import RecordKey
    from xero_sync.wiring import container

    keys = [RecordKey(ORG_ID, e.entity, e.record_id) for e in expectations]
    rows: dict[tuple[str, str], Any] = {}
    for start in range(0, len(keys), 100):
        for key, row in container().records.get_many(keys[start : start + 100]).items():
            rows[(key.entity, key.record_id)] = row
    return rows


# --- the run -----------------------------------------------------------------------------------------


@dataclass
class Run:
    seed: int
    tally: Tally
    faults_fired: dict[str, int]
    injected: dict[str, int]
    redriven: int
    pending_before_final_sync: int
    wall_seconds: float
    statuses: dict[str, int]
    resyncs: int = 0  # "Sync now" pressed again for records pending with nothing queued


def _push_rank(record: dict[str, Any]) -> int:
    entity = record["entity"]
    return 0 if entity == "contact" else 1 if entity in ("invoice", "bill", "credit_note", "vendor_credit") else 2


def run(args: argparse.Namespace) -> Run:
    rng = random.Random(args.seed)
    stories = data_set(args.records, rng)
    records = [record for record, _ in stories]
    # The host pushes in no particular order within a request (children before parents too), but
    # a record's parents are stored by the time it is pushed (the API refuses a reference to a
    # record it does not know): contacts, then documents, then what refers to documents.
    rng.shuffle(records)
    records.sort(key=_push_rank)
    started = time.monotonic()
    with local_run.servers(time_scale=args.time_scale, day_limit=1_000_000) as running:
        tenant_id = local_run.first_tenant(running.xero)
        chaos = Chaos(
            seed=args.seed,
            xero=running.xero,
            tenant_id=tenant_id,
            fault_rate=args.fault_rate,
            kill_rate=args.kill_rate,
            redelivery_rate=args.redelivery_rate,
            duplicate_rate=args.duplicate_rate,
        )
        install(chaos)
        with local_run.local_stack(
            running,
            label="chaos",
            time_scale=args.time_scale,
            environment={"XERO_TIMEOUT_SECONDS": str(CLIENT_TIMEOUT_SECONDS)},
            max_batching_window_seconds=0.5,
            retry_delay_seconds=1,
        ) as stack:
            org = local_run.HostOrg(stack, ORG_ID)
            chaos.org = org
            org.connect()
            org.configure(SETTINGS, [GST])
            for start in range(0, len(records), PUSH_CHUNK):
                chunk = records[start : start + PUSH_CHUNK]
                pushed = org.push(chunk, PUSH_CHUNK)
                assert pushed["rejected"] == 0, pushed
                chaos.pushed += chunk
            # The run: Sync now, and the workers under fire until the queues are empty.
            org.sync()
            resyncs = _drain(stack, org, args.stall_seconds)
            # The operator's DLQ redrive, still under fire.
            redriven = redrive_dlqs(stack)
            resyncs += _drain(stack, org, args.stall_seconds)
            # Faults off; what is still pending goes with the next sync (the schedule's job).
            chaos.on = False
            fired = chaos.fired()  # before the rules (and their counts) are removed
            requests.delete(f"{running.xero}/_emulator/faults", timeout=30)
            pending = local_run.statuses(ORG_ID)
            resyncs += _settle(stack, org, args.stall_seconds)
            expectations = [expected for _, expected in stories]
            result = tally(
                expectations,
                XeroBooks(local_run.tenant_state(running.xero, tenant_id), ORG_ID),
                stored_records(expectations),
            )
            return Run(
                seed=args.seed,
                tally=result,
                faults_fired=fired,
                injected=dict(chaos.injected),
                redriven=redriven,
                pending_before_final_sync=pending["pending"] + pending["waiting"],
                resyncs=resyncs,
                wall_seconds=time.monotonic() - started,
                statuses=local_run.statuses(ORG_ID),
            )


def _drain(stack: Any, org: local_run.HostOrg, stall_seconds: float) -> int:
    """Deliver until nothing is pending, "Sync now" again (as the schedule would) while records
    are pending with nothing queued — a claim left by a killed worker runs out, a sync sends a
    slice of at most 10,000 keys — and stop early when what is left sits in a DLQ (the redrive's
    turn). Bounded: no change for ``stall_seconds`` stops the run with the statuses."""
    return local_run.until_exported(
        stack,
        ORG_ID,
        org.sync,
        stall_seconds=stall_seconds,
        done=lambda now: now["pending"] == 0 or _dlq_depth(stack) > 0,
    )


def _settle(stack: Any, org: local_run.HostOrg, stall_seconds: float) -> int:
    """With the faults off: "Sync now" and deliver until nothing is pending (records waiting on a
    parent that failed stay waiting: they are counted as such)."""
    org.sync()
    return 1 + local_run.until_exported(
        stack, ORG_ID, org.sync, stall_seconds=stall_seconds, done=lambda now: now["pending"] == 0
    )


def _dlq_depth(stack: Any) -> int:
    from xero_sync.domain.families import Family
    from xero_sync.settings import ExportQueueSettings
    from xero_sync.wiring import container

    settings = container().settings_for(ExportQueueSettings)
    sqs = stack.aws_client("sqs")
    dlqs = [settings.dlq_url(f) for f in Family] + ([settings.backfill_dlq_url] if settings.backfill_dlq_url else [])
    return sum(
        int(
            sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["ApproximateNumberOfMessages"])["Attributes"][
                "ApproximateNumberOfMessages"
            ]
        )
        for url in dlqs
    )


# --- the report ----------------------------------------------------------------------------------------


def report(result: Run) -> str:
    t = result.tally
    rows = [
        ("records pushed", f"{t.pushed:,}"),
        ("in Xero exactly once (right amount)", f"{t.exactly_once - t.wrong_amount:,}"),
        ("failed and reported (with a reason)", f"{t.failed_reported:,}"),
        ("lost (must be 0)", f"{t.lost:,}"),
        ("duplicated in Xero (must be 0)", f"{t.duplicated:,}"),
        ("in Xero with a wrong amount (must be 0)", f"{t.wrong_amount:,}"),
    ]
    lines = [f"chaos run, seed {result.seed}: {_duration(result.wall_seconds)} on this machine", ""]
    lines += [f"{name:44} {value:>10}" for name, value in rows]
    if t.failure_reasons:
        lines += ["", "failure reasons:"] + [f"  {code:42} {n:>10,}" for code, n in t.failure_reasons.most_common()]
    lines += ["", "faults injected:"]
    for kind in XERO_FAULTS:
        lines.append(f"  {'Xero ' + kind + ' (met a call)':42} {result.faults_fired.get(kind, 0):>10,}")
    for name, count in sorted(result.injected.items()):
        if not name.endswith("(armed)"):
            lines.append(f"  {name:42} {count:>10,}")
    lines.append(f"  {'DLQ redrive (messages moved back)':42} {result.redriven:>10,}")
    lines += [
        "",
        f"records still pending when the faults stopped (sent by the final Sync now): "
        f"{result.pending_before_final_sync:,}; final statuses {result.statuses}; "
        f"Sync now pressed {result.resyncs}× in all",
    ]
    for title, examples in (
        ("lost", t.lost_examples),
        ("duplicated", t.duplicated_examples),
        ("wrong amount", t.wrong_amount_examples),
    ):
        if examples:
            lines += ["", f"{title} (first {min(20, len(examples))}):"] + [f"  - {e}" for e in examples[:20]]
    return "\n".join(lines)


def _duration(seconds: float) -> str:
    return f"{seconds / 60:.1f} min" if seconds >= 60 else f"{seconds:.1f} s"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="benchmarks/chaos.py", description=__doc__.split("\n")[0])
    parser.add_argument("--records", type=int, default=10_000, help="records to push (whole stories of 9 + 6)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--fault-rate", type=float, default=0.3, help="a Xero fault armed before a worker batch")
    parser.add_argument("--kill-rate", type=float, default=0.003, help="the worker dies before recording a record")
    parser.add_argument("--redelivery-rate", type=float, default=0.05, help="a finished batch delivered again")
    parser.add_argument("--duplicate-rate", type=float, default=0.05, help="the host pushes records again")
    parser.add_argument("--time-scale", type=float, default=4.0, help="emulated seconds per real second")
    parser.add_argument(
        "--stall-seconds",
        type=float,
        default=local_run.STALL_SECONDS,
        help="give up (with the record statuses) when nothing changes for this long",
    )
    parser.add_argument("--json", action="store_true", help="also print the result as JSON")
    args = parser.parse_args(argv)

    os.environ.setdefault("POWERTOOLS_LOG_LEVEL", "ERROR")
    os.environ.setdefault("POWERTOOLS_METRICS_DISABLED", "true")
    print(f"chaos: {args.records:,} records of every family, seed {args.seed}", flush=True)
    result = run(args)
    print()
    print(report(result))
    if args.json:
        print(json.dumps({**asdict(result), "tally": asdict(result.tally)}, default=str))
    t = result.tally
    return 0 if t.lost == 0 and t.duplicated == 0 and t.wrong_amount == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
