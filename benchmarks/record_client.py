"""What DynamoDB's client costs the export worker per record, with the network taken away (issue 13).

    ./scripts/bench record-client            # 50-record calls, median of 15 rounds
    ./scripts/bench record-client --rounds 31 --json

The backfill benchmark measures the worker's whole CPU per record (3 ms on this machine against a
target of 1 ms). This one measures the part that PynamoDB and botocore take, and nothing else:
the repository calls the worker makes around one Xero call of 50 invoices (their contacts as
parents) and one of their 50 payments (the invoices as parents), each run through the real
repositories, PynamoDB and botocore, against a transport that answers in memory. The answers
come from botocore's ``before-send`` event (its hook for a response made without sending), from
items built as the push stores them; nothing leaves the process and no server does any work, so
what is timed is the client alone: building the expressions (PynamoDB), serialising and signing
the request and parsing the answer (botocore), and turning items into the domain's records.

Each of those writes and reads is one the exactly-once export needs (N1, F4, F8): the records and
their parents read, a claim written before the call and a synced mark after it (with what the
mark must know read back), the no-echo note for the import, and the history event. Thread CPU
per block, median of ``--rounds``, divided by the call's 50 records.
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import statistics
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

import backfill  # the backfill benchmark's data set: the same invoices, payments and contacts
from botocore.awsrequest import AWSResponse
from pynamodb.connection import base as pynamodb_connection

from xero_sync.dal import base as dal_base
from xero_sync.dal.history import HistoryRepository
from xero_sync.dal.import_models import XeroObjectModel
from xero_sync.dal.models import HistoryModel, RecordModel
from xero_sync.dal.records import RecordRepository
from xero_sync.dal.xero_objects import XeroObjectRepository
from xero_sync.domain.changes import Resource
from xero_sync.domain.history import HistoryEvent
from xero_sync.domain.record_payload import encode_record_data
from xero_sync.domain.records import ClaimRequest, RecordKey, SyncedMark
from xero_sync.domain.xero_objects import ObjectKey, ObjectWrite, Origin
from xero_sync.services.export.view import RecordView

ORG = "bench-org"
TENANT = "0c1f6a1e-5b7d-4e0a-9d8e-2f3a4b5c6d7e"
NOW = datetime(2026, 12, 5, 9, 0, tzinfo=UTC)
CALL = 50  # records in one Xero write call (XERO_BATCH_SIZE)
TARGET_MS = 1.0  # issue 13: the worker's whole CPU per record
TABLES = {RecordModel: "Records", HistoryModel: "History", XeroObjectModel: "XeroObjects"}


# --- a transport that answers in memory ---------------------------------------------------------


class _Body:
    """What botocore reads an answer's body from (``AWSResponse.raw``)."""

    def __init__(self, content: bytes) -> None:
        self._content = content

    def stream(self, **_: Any) -> Iterator[bytes]:
        yield self._content


class InMemoryDynamoDB:
    """Answers the requests the benchmark makes from the items it was given: ``BatchGetItem``
    (with its projection) from them, every write with success. It keeps no writes: each round
    reads and writes the same items, as the worker does once per call."""

    def __init__(self) -> None:
        self.items: dict[tuple[str, str, str], dict[str, Any]] = {}  # (table, org_id, key) -> wire item

    def put(self, model: RecordModel) -> None:
        self.items[(TABLES[RecordModel], model.org_id, model.record_key)] = _wire(model.serialize())

    def answer(self, request: Any, **_: Any) -> AWSResponse:
        operation = request.headers["X-Amz-Target"].decode().rpartition(".")[2]
        body = json.loads(request.body)
        answer: dict[str, Any] = {}
        if operation == "BatchGetItem":
            answer = {"Responses": {}, "UnprocessedKeys": {}}
            for table, wanted in body["RequestItems"].items():
                answer["Responses"][table] = [
                    _projected(item, wanted)
                    for key in wanted["Keys"]
                    if (item := self.items.get((table, key["org_id"]["S"], _range_key(key)))) is not None
                ]
        elif operation == "BatchWriteItem":
            answer = {"UnprocessedItems": {}}
        content = json.dumps(answer).encode()
        headers = {"Content-Type": "application/x-amz-json-1.0", "Content-Length": str(len(content))}
        return AWSResponse(request.url, 200, headers, _Body(content))


def _wire(value: Any) -> Any:
    """PynamoDB's serialised item as it travels: binary attributes in base64."""
    if isinstance(value, dict):
        return {k: _wire(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_wire(v) for v in value]
    if isinstance(value, bytes):
        return base64.b64encode(value).decode()
    return value


def _range_key(key: dict[str, Any]) -> str:
    return next(value["S"] for name, value in key.items() if name != "org_id")


def _projected(item: dict[str, Any], wanted: dict[str, Any]) -> dict[str, Any]:
    projection = wanted.get("ProjectionExpression")
    if not projection:
        return item
    names = wanted.get("ExpressionAttributeNames", {})
    kept = {names.get(part.strip(), part.strip()) for part in projection.split(",")}
    return {name: value for name, value in item.items() if name in kept}


@contextmanager
def in_memory(dynamodb: InMemoryDynamoDB) -> Iterator[None]:
    """Every PynamoDB connection made inside answers from ``dynamodb``: the models bound to
    tables of a made-up endpoint, each new botocore session given the ``before-send`` hook."""
    os.environ.setdefault("AWS_ACCESS_KEY_ID", "benchmark")
    os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "benchmark")
    make_session = pynamodb_connection.get_session

    def session_answering_in_memory() -> Any:
        session = make_session()
        session.register("before-send.dynamodb", dynamodb.answer)
        return session

    pynamodb_connection.get_session = session_answering_in_memory
    for model, table in TABLES.items():
        model.Meta.table_name, model.Meta.region, model.Meta.host = table, "us-east-1", "http://dynamodb.invalid"
        model._connection = None
    dal_base._transaction_connections.clear()
    try:
        yield
    finally:
        pynamodb_connection.get_session = make_session
        for model in TABLES:
            model._connection = None
        dal_base._transaction_connections.clear()


# --- the records of one call, as stored -----------------------------------------------------------


def stored(record: dict[str, Any], *, family: str, exported: bool) -> RecordModel:
    """A record as the push stores it; ``exported``: as it is once in Xero (a parent)."""
    item = RecordModel(
        ORG,
        f"{record['entity']}#{record['id']}",
        entity=record["entity"],
        record_id=record["id"],
        family=family,
        version=record["version"],
        action=record["action"],
        data_z=encode_record_data(record["data"]),
        received_at=NOW - timedelta(hours=1),
        status="synced" if exported else "pending",
        status_key=f"{ORG}#{'synced' if exported else 'pending'}",
        status_at=NOW - timedelta(hours=1),
        referenced=True,
        attempts=0,
        updated_at=NOW - timedelta(hours=1),
    )
    if exported:
        item.xero_tenant_id = TENANT
        item.xero_id = _xero_id(record["id"])
        item.xero_refs = {"number": record["data"].get("number"), "status": "AUTHORISED"}
        item.exported_version, item.exported_action = record["version"], record["action"]
        item.exported_fingerprint, item.synced_at = "5f" * 32, NOW - timedelta(minutes=30)
    return item


def _xero_id(host_id: str) -> str:
    """A Xero id as Xero writes them (a UUID), the same for a record in every run."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"xero:{host_id}"))


def _key(record: dict[str, Any]) -> RecordKey:
    return RecordKey(ORG, record["entity"], record["id"])


# --- the blocks ---------------------------------------------------------------------------------


def blocks(call: list[dict[str, Any]], parents: list[dict[str, Any]]) -> dict[str, Callable[[], object]]:
    """The repository calls around one Xero call of ``call``'s records, in the worker's order."""
    records, objects, history = RecordRepository(), XeroObjectRepository(), HistoryRepository()
    keys = [_key(record) for record in call]
    parent_keys = [_key(record) for record in parents]
    owner = "ExportWorker-0a1b2c3d4e"

    def read(wanted: list[RecordKey]) -> Callable[[], object]:
        return lambda: [RecordView.of(key, row, TENANT) for key, row in records.get_many(wanted).items()]

    def claim() -> object:
        claims = [ClaimRequest(key, 1, None) for key in keys]
        return records.claim_all_for_operation(
            claims, owner=owner, operation="create", idempotency_key="f" * 32, now=NOW, until=NOW + timedelta(minutes=5)
        )

    def mark() -> object:
        marks = [
            SyncedMark(
                key, owner, 1, "upsert", TENANT, _xero_id(key.record_id), {"status": "AUTHORISED"}, "5f" * 32, None
            )
            for key in keys
        ]
        return records.mark_all_synced(marks, NOW)

    def note() -> object:
        writes = [
            ObjectWrite(
                ObjectKey(ORG, Resource.INVOICE, _xero_id(key.record_id)),
                fingerprint="a1" * 32,
                payment_fingerprint="b2" * 32,
                xero_updated="2026-12-05T09:00:01",
                origin=Origin.EXPORT,
                host_entity=key.entity,
                host_id=key.record_id,
                payment={"status": "paid", "xero_status": "PAID", "total": "1234.50", "as_of": "2026-12-05T09:00:01"},
            )
            for key in keys
        ]
        return objects.record_all(writes, NOW)

    def log() -> object:
        events = [
            HistoryEvent(
                org_id=ORG,
                at=NOW,
                direction="export",
                action="create",
                outcome="succeeded",
                entity=key.entity,
                record_id=key.record_id,
                version=1,
                xero_id=_xero_id(key.record_id),
                message=f"Created in Xero as {key.record_id}.",
            )
            for key in keys
        ]
        return history.append_many(events)

    return {
        "read the call's records": read(keys),
        "read their parents": read(parent_keys),
        "claim them (before the call)": claim,
        "mark them synced (and read back)": mark,
        "note them for the import (no echo)": note,
        "their history events": log,
    }


def cpu_per_record(name: str, block: Callable[[], object], rounds: int) -> float:
    """Median thread CPU of one run of ``block``, in ms per record of the call."""
    # The first run builds the clients and loads botocore's service model; it must also have done
    # the whole call's work (every record read, every write answered written), or the figure
    # would time less than it names.
    done = block()
    count = done if isinstance(done, int) else len([answer for answer in done if answer])  # type: ignore[attr-defined]
    if count != CALL:
        raise RuntimeError(f"{name}: {count} of {CALL} records done")
    times = []
    for _ in range(rounds):
        started = time.thread_time()
        block()
        times.append(time.thread_time() - started)
    return 1000 * statistics.median(times) / CALL


def one_request_ms(rounds: int, key: RecordKey) -> float:
    """What one request costs the client whatever it carries: a read of one record."""
    records = RecordRepository()
    records.get(key)
    times = []
    for _ in range(rounds * 10):
        started = time.thread_time()
        records.get(key)
        times.append(time.thread_time() - started)
    return 1000 * statistics.median(times)


def measure(rounds: int) -> tuple[dict[str, dict[str, float]], float]:
    people, invoices, payments = backfill.data_set(CALL, CALL)
    # Two stores: in the first the invoices are in Xero (the parents of the payments' call), in
    # the second they are pending (the invoices' own call, with the contacts as parents).
    dynamodb = InMemoryDynamoDB()
    for person in people:
        dynamodb.put(stored(person, family="contacts", exported=True))
    for invoice in invoices:
        dynamodb.put(stored(invoice, family="invoices", exported=True))
    for payment in payments:
        dynamodb.put(stored(payment, family="payments", exported=False))
    pending_invoices = InMemoryDynamoDB()
    pending_invoices.items = dict(dynamodb.items)
    for invoice in invoices:
        pending_invoices.put(stored(invoice, family="invoices", exported=False))
    figures: dict[str, dict[str, float]] = {}
    for label, store, call, parents in (
        ("invoices", pending_invoices, invoices, people),
        ("payments", dynamodb, payments, invoices),
    ):
        with in_memory(store):
            measured = blocks(call, parents)
            figures[label] = {name: cpu_per_record(name, block, rounds) for name, block in measured.items()}
    with in_memory(dynamodb):
        request = one_request_ms(rounds, _key(payments[0]))
    return figures, request


def report(figures: dict[str, dict[str, float]], request_ms: float, rounds: int) -> str:
    columns = list(figures)
    names = list(figures[columns[0]])
    width = max(len(name) for name in names) + 2
    lines = [
        f"DynamoDB's client per exported record, no network (calls of {CALL}; thread CPU, median of {rounds})",
        "",
        f"{'block':<{width}}" + "".join(f"{column:>12}" for column in columns),
        "-" * (width + 12 * len(columns)),
    ]
    for name in names:
        lines.append(f"{name:<{width}}" + "".join(f"{figures[c][name] * 1000:>9.0f} µs" for c in columns))
    totals = {column: sum(figures[column].values()) for column in columns}
    lines.append("-" * (width + 12 * len(columns)))
    lines.append(f"{'total':<{width}}" + "".join(f"{totals[c]:>9.2f} ms" for c in columns))
    lines += [
        "",
        f"one request's own cost (a read of one record): {request_ms:.2f} ms of client CPU",
        f"target for the worker's whole CPU per record (issue 13): <= {TARGET_MS:g} ms; the blocks above are",
        "the client's share alone, before the Xero call, the mapping, the plan and the network.",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="benchmarks/record_client.py", description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=15, help="runs of each block; the median is printed")
    parser.add_argument("--json", action="store_true", help="also print the figures (ms per record) as JSON")
    args = parser.parse_args(argv)
    figures, request = measure(args.rounds)
    print(report(figures, request, args.rounds))
    if args.json:
        print(json.dumps({"per_record_ms": figures, "one_request_ms": request}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
