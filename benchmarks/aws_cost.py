"""What a benchmark's AWS requests would cost in AWS: DynamoDB request units from the requests and
their items' sizes, SQS requests in 64 KB chunks, Lambda GB-seconds, at list prices.

The request units follow DynamoDB's published rules for on-demand tables (rounded per request):
a write is one unit per started KB of the item (the larger of the item before and after, for an
update or a delete), a read one unit per started 4 KB — half of it for an eventually consistent
read; a Query's items are summed before rounding, a batch's items are rounded one by one. Item
size is the sum of attribute names and values (strings and binaries by their length, numbers by
their digits, 1 byte for a boolean or null, 3 bytes plus one per element for lists and maps).
moto does not compute units (its ConsumedCapacity is a fixed 0.5 or 1), so they are computed
here from what was sent and answered.
"""

from __future__ import annotations

import json
import math
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

# --- AWS list prices, us-east-1 (N. Virginia) ----------------------------------------------------
# From the AWS pricing pages for Lambda, DynamoDB and SQS as they read on 2026-12-04 (DynamoDB
# on-demand at the rates of its 1 November 2024 reduction). Free tiers are left out: at a million
# records a month they would hide the cost per record that the table is about.
REGION = "us-east-1"
PRICES_DATE = "2026-12-04"
LAMBDA_GB_SECOND = {"arm64": 0.0000133334, "x86_64": 0.0000166667}  # USD per GB-second
LAMBDA_REQUEST = 0.20 / 1e6  # USD per invocation
DYNAMODB_WRITE_UNIT = 0.625 / 1e6  # USD per write request unit, on-demand
DYNAMODB_READ_UNIT = 0.125 / 1e6  # USD per read request unit, on-demand
SQS_REQUEST = 0.40 / 1e6  # USD per request (standard queue), each 64 KB of payload billed as one

WRITE_UNIT_BYTES = 1024
READ_UNIT_BYTES = 4096
SQS_CHUNK_BYTES = 64 * 1024


# --- DynamoDB ---------------------------------------------------------------------------------


def item_size(item: Mapping[str, Any]) -> int:
    """An item's size as DynamoDB counts it, from its wire form (``{"name": {"S": "…"}}``)."""
    return sum(len(name.encode()) + _value_size(value) for name, value in item.items())


def _value_size(value: Mapping[str, Any]) -> int:
    (kind, content), *_ = value.items()
    if kind in ("S", "B"):
        return len(content.encode()) if isinstance(content, str) else len(content)
    if kind == "N":
        return _number_size(content)
    if kind in ("BOOL", "NULL"):
        return 1
    if kind == "L":
        return 3 + sum(1 + _value_size(element) for element in content)
    if kind == "M":
        return 3 + sum(1 + len(name.encode()) + _value_size(element) for name, element in content.items())
    if kind == "SS":
        return sum(len(element.encode()) for element in content)
    if kind == "NS":
        return sum(_number_size(element) for element in content)
    if kind == "BS":
        return sum(len(element) for element in content)
    raise ValueError(f"unknown DynamoDB type {kind!r}")


def _number_size(text: str) -> int:
    digits = text.lstrip("-").replace(".", "").lstrip("0") or "0"
    return math.ceil(len(digits) / 2) + 1


@dataclass
class Units:
    read: float = 0.0
    write: float = 0.0


class CapacityMeter:
    """The request units of DynamoDB requests, one call of ``count`` per request.

    An update's or a delete's units depend on the item as it was, which the request does not
    carry: the size last seen for that key (read, written, or answered with ALL_NEW) stands in
    for it. Keys never seen count as small items (one unit)."""

    def __init__(self) -> None:
        self._sizes: dict[tuple[str, str], int] = {}  # (table, key) -> the item's last known size
        self._keys: dict[str, tuple[str, ...]] = {}  # table -> its key attributes
        self._lock = threading.Lock()

    def count(self, operation: str, params: Mapping[str, Any], response: Mapping[str, Any] | None) -> Units:
        """``response`` is None when the request failed (a condition check): a failed
        conditional write still costs its units."""
        response = response or {}
        table = params.get("TableName", "")
        consistent = 1.0 if params.get("ConsistentRead") else 0.5
        if operation == "GetItem":
            size = item_size(response.get("Item") or {})
            self._seen(table, params["Key"], size if "Item" in response else None)
            return Units(read=consistent * _units(size, READ_UNIT_BYTES))
        if operation in ("Query", "Scan"):
            size = sum(item_size(item) for item in response.get("Items", []))
            return Units(read=consistent * _units(size, READ_UNIT_BYTES))
        if operation == "BatchGetItem":
            units = 0.0
            for name, items in response.get("Responses", {}).items():
                factor = 1.0 if params["RequestItems"][name].get("ConsistentRead") else 0.5
                for item in items:
                    size = item_size(item)
                    self._read(name, item, size)
                    units += factor * _units(size, READ_UNIT_BYTES)
            return Units(read=units)
        if operation == "PutItem":
            size = item_size(params["Item"])
            before = self._put(table, params["Item"], size)
            return Units(write=_units(max(size, before), WRITE_UNIT_BYTES))
        if operation == "UpdateItem":
            before = self._known(table, params["Key"])
            after = 0  # unknown unless the answer carries the new item (PynamoDB asks for ALL_NEW)
            if params.get("ReturnValues") == "ALL_NEW" and "Attributes" in response:
                after = item_size(response["Attributes"])
                self._seen(table, params["Key"], after)
            return Units(write=_units(max(before, after), WRITE_UNIT_BYTES))
        if operation == "DeleteItem":
            return Units(write=_units(self._known(table, params["Key"]), WRITE_UNIT_BYTES))
        if operation == "BatchWriteItem":
            units = 0.0
            for name, requests in params["RequestItems"].items():
                for request in requests:
                    if "PutRequest" in request:
                        item = request["PutRequest"]["Item"]
                        size = item_size(item)
                        units += _units(max(size, self._put(name, item, size)), WRITE_UNIT_BYTES)
                    else:
                        units += _units(self._known(name, request["DeleteRequest"]["Key"]), WRITE_UNIT_BYTES)
            return Units(write=units)
        if operation == "TransactWriteItems":
            # Twice a plain write's units for each item (DynamoDB's rule for transactions);
            # a cancelled transaction is counted as one that went through.
            units = 0.0
            for entry in params["TransactItems"]:
                ((kind, request),) = entry.items()
                name = request["TableName"]
                if kind == "Put":
                    size = item_size(request["Item"])
                    units += 2 * _units(max(size, self._put(name, request["Item"], size)), WRITE_UNIT_BYTES)
                else:  # Update, Delete, ConditionCheck: the item as last seen
                    units += 2 * _units(self._known(name, request["Key"]), WRITE_UNIT_BYTES)
            return Units(write=units)
        return Units()  # DescribeTable and the like: not billed per request

    def _put(self, table: str, item: Mapping[str, Any], size: int) -> int:
        """Remember a written item's size; the size it had before (0 if unknown)."""
        names = self._key_names(table)
        if names is None:
            return 0
        key = {name: item[name] for name in names if name in item}
        before = self._known(table, key)
        self._seen(table, key, size)
        return before

    def _read(self, table: str, item: Mapping[str, Any], size: int) -> None:
        """Remember the size of an item read whole (a batch's answers carry no key of their own)."""
        names = self._key_names(table)
        if names is not None:
            self._seen(table, {name: item[name] for name in names if name in item}, size)

    def _seen(self, table: str, key: Mapping[str, Any], size: int | None) -> None:
        with self._lock:
            self._keys.setdefault(table, tuple(sorted(key)))
            if size is not None:
                self._sizes[(table, _key_text(key))] = size

    def _known(self, table: str, key: Mapping[str, Any]) -> int:
        with self._lock:
            return self._sizes.get((table, _key_text(key)), 0)

    def _key_names(self, table: str) -> tuple[str, ...] | None:
        """The table's key attributes: from the PynamoDB model bound to it, else as seen in a
        request's ``Key`` (the idempotency table is not a PynamoDB model)."""
        with self._lock:
            if table not in self._keys:
                from xero_sync.dal.base import table_models

                for model in table_models().values():
                    if getattr(model.Meta, "table_name", None) == table:
                        self._keys[table] = tuple(
                            sorted(name for name in (model._hash_keyname, model._range_keyname) if name)
                        )
            return self._keys.get(table)


def _key_text(key: Mapping[str, Any]) -> str:
    return json.dumps(key, sort_keys=True, default=repr)


def _units(size: int, unit_bytes: int) -> int:
    """Units for ``size`` bytes: one per started ``unit_bytes``, and at least one."""
    return max(1, math.ceil(size / unit_bytes))


# --- SQS --------------------------------------------------------------------------------------


def sqs_billed_requests(operation: str, params: Mapping[str, Any], response: Mapping[str, Any] | None) -> int:
    """Requests as SQS bills them: each started 64 KB of a request's payload (the messages sent,
    or received) is one request."""
    response = response or {}
    if operation == "SendMessage":
        payload = len(params.get("MessageBody", "").encode())
    elif operation == "SendMessageBatch":
        payload = sum(len(entry.get("MessageBody", "").encode()) for entry in params.get("Entries", []))
    elif operation == "ReceiveMessage":
        payload = sum(len(message.get("Body", "").encode()) for message in response.get("Messages", []))
    else:
        payload = 0
    return max(1, math.ceil(payload / SQS_CHUNK_BYTES))


# --- Lambda and the table -----------------------------------------------------------------------

SQS_BILLED_OPERATIONS = frozenset(
    {
        "SendMessage",
        "SendMessageBatch",
        "ReceiveMessage",
        "DeleteMessage",
        "DeleteMessageBatch",
        "ChangeMessageVisibility",
        "ChangeMessageVisibilityBatch",
    }
)
"""What the service and Lambda's event source do per message. Receives that found nothing are
left out: Lambda's pollers make them whether or not there are records (a fixed cost per queue)."""


@dataclass(frozen=True)
class LambdaConfig:
    memory_mb: int
    architecture: str


def export_worker_config(template_path: str | None = None) -> LambdaConfig:
    """MemorySize and architecture of the export workers (functions/export_worker/) in template.yaml."""
    from local.stack.template import DEFAULT_TEMPLATE, Template

    functions = Template.load(template_path or DEFAULT_TEMPLATE).functions().values()
    workers = [spec for spec in functions if spec.code_dir.name == "export_worker"]
    configs = {
        LambdaConfig(spec.memory_mb, str((spec.properties.get("Architectures") or ["x86_64"])[-1])) for spec in workers
    }
    if len(configs) != 1:
        raise SystemExit(f"the export workers should share one memory size and architecture: {configs}")
    return configs.pop()


@dataclass
class Usage:
    """What one benchmark run used, for the cost table."""

    records: int
    worker_invocations: int
    worker_cpu_seconds: float
    worker_billed_seconds: float  # invocation durations, each rounded up to the millisecond
    worker_read_units: float
    worker_write_units: float
    service_read_units: float  # outside the worker: the push, Sync now, the tick
    service_write_units: float
    sqs_requests: int  # billed (64 KB chunks), worker and service, empty receives left out


def cost_rows(usage: Usage, config: LambdaConfig) -> list[tuple[str, float, float]]:
    """(what, quantity per million records, USD per million records)."""
    per_million = 1e6 / usage.records if usage.records else 0.0
    gb = config.memory_mb / 1024
    gb_second = LAMBDA_GB_SECOND[config.architecture]
    cpu_gbs = usage.worker_cpu_seconds * gb * per_million
    billed_gbs = usage.worker_billed_seconds * gb * per_million
    invocations = usage.worker_invocations * per_million
    reads, writes = usage.worker_read_units * per_million, usage.worker_write_units * per_million
    other_reads, other_writes = usage.service_read_units * per_million, usage.service_write_units * per_million
    sqs = usage.sqs_requests * per_million
    rows = [
        ("Lambda invocations (export workers)", invocations, invocations * LAMBDA_REQUEST),
        ("Lambda GB-s at the workers' CPU time", cpu_gbs, cpu_gbs * gb_second),
        ("Lambda GB-s at their duration (billed)", billed_gbs, billed_gbs * gb_second),
        ("DynamoDB read units (workers)", reads, reads * DYNAMODB_READ_UNIT),
        ("DynamoDB write units (workers)", writes, writes * DYNAMODB_WRITE_UNIT),
        ("DynamoDB read units (push, sync, tick)", other_reads, other_reads * DYNAMODB_READ_UNIT),
        ("DynamoDB write units (push, sync, tick)", other_writes, other_writes * DYNAMODB_WRITE_UNIT),
        ("SQS requests (64 KB chunks)", sqs, sqs * SQS_REQUEST),
    ]
    total = sum(usd for name, _, usd in rows if "CPU time" not in name)  # billed: duration, not CPU
    return [*rows, ("total (billed duration)", float("nan"), total)]


def cost_report(usages: Mapping[str, Usage], config: LambdaConfig) -> str:
    """The table: one column per run (e.g. batched, baseline), quantity and USD per million records."""
    tables = {label: cost_rows(usage, config) for label, usage in usages.items()}
    header = f"{'per million records':42}" + "".join(f" {label:>28}" for label in tables)
    lines = [header, "-" * len(header)]
    for index, (name, _, _) in enumerate(next(iter(tables.values()))):
        cells = ""
        for rows in tables.values():
            _, quantity, usd = rows[index]
            amount = "" if math.isnan(quantity) else f"{_quantity(quantity)} = "
            cells += f" {amount + f'${usd:,.2f}':>28}"
        lines.append(f"{name:42}{cells}")
    lines += [
        "",
        f"AWS list prices, {REGION}, as of {PRICES_DATE}: Lambda {config.architecture} "
        f"${LAMBDA_GB_SECOND[config.architecture]:.10f}/GB-s and ${LAMBDA_REQUEST * 1e6:.2f}/M invocations "
        f"(export workers: {config.memory_mb} MB, template.yaml); DynamoDB on-demand "
        f"${DYNAMODB_READ_UNIT * 1e6:.3f}/M read units, ${DYNAMODB_WRITE_UNIT * 1e6:.3f}/M write units; "
        f"SQS standard ${SQS_REQUEST * 1e6:.2f}/M requests; no free tier.",
    ]
    return "\n".join(lines)


def _quantity(value: float) -> str:
    if value >= 100:
        return f"{value:,.0f}"
    return f"{value:,.2f}"
