"""Counting what a piece of the service asks of DynamoDB and SQS, with botocore event hooks on
its clients (``provide-client-params``, which carries the request's own parameters): requests by
table and operation, the partition key each one reads or writes, SQS requests, messages and the
record keys inside export messages. Used by benchmarks/scale.py."""

from __future__ import annotations

import json
import re
import threading
from collections import Counter
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Meter:
    """DynamoDB and SQS requests of one tick, counted at the botocore clients."""

    hash_keys: dict[str, str]  # table name -> its partition key attribute
    lock: threading.Lock = field(default_factory=threading.Lock)
    on: bool = False
    dynamodb: Counter = field(default_factory=Counter)  # (table, operation)
    partitions: Counter = field(default_factory=Counter)  # "table[/index]=key"
    sqs: Counter = field(default_factory=Counter)  # operation
    messages: Counter = field(default_factory=Counter)  # queue name
    record_keys: int = 0  # record keys inside the export messages

    def reset(self) -> None:
        with self.lock:
            self.dynamodb, self.partitions, self.sqs, self.messages = Counter(), Counter(), Counter(), Counter()
            self.record_keys = 0

    def on_dynamodb(self, params: dict, model: Any, **_: Any) -> None:
        if not self.on:
            return
        keys = list(_partition_keys(model.name, params, self.hash_keys))
        table = params.get("TableName") or next(iter(params.get("RequestItems", {})), "?")
        with self.lock:
            self.dynamodb[(table, model.name)] += 1
            self.partitions.update(keys)

    def on_sqs(self, params: dict, model: Any, **_: Any) -> None:
        if not self.on:
            return
        queue = str(params.get("QueueUrl", "?")).rsplit("/", 1)[-1]
        bodies = [e["MessageBody"] for e in params.get("Entries", [])] or [params.get("MessageBody", "{}")]
        # Export messages carry record keys; the import queue's carry none.
        keys = sum(len(json.loads(body).get("records") or []) for body in bodies)
        with self.lock:
            self.sqs[model.name] += 1
            self.messages[queue] += len(bodies)
            self.record_keys += keys

    def total(self) -> int:
        return sum(self.dynamodb.values())


def _partition_keys(operation: str, params: dict, hash_keys: dict[str, str]) -> list[str]:
    """The partition(s) a request reads or writes: one per single-item request or query, one per
    item of a batch."""
    if "RequestItems" in params:
        found = []
        for table, body in params["RequestItems"].items():
            items = (
                body.get("Keys")
                if isinstance(body, dict)
                else [r.get("PutRequest", {}).get("Item") or r.get("DeleteRequest", {}).get("Key") for r in body]
            )
            found += [f"{table}={_value(item[hash_keys[table]])}" for item in items or []]
        return found
    table = params.get("TableName", "?")
    if operation == "Query":
        names, values = params.get("ExpressionAttributeNames", {}), params.get("ExpressionAttributeValues", {})
        equal = re.search(r"(#\w+) = (:\w+)", params.get("KeyConditionExpression", ""))
        where = f"{table}/{params['IndexName']}" if params.get("IndexName") else table
        if equal:
            return [f"{where}.{names.get(equal[1], equal[1])}={_value(values.get(equal[2], {}))}"]
        return [f"{where}=?"]
    item = params.get("Key") or params.get("Item")
    if item and table in hash_keys:
        return [f"{table}={_value(item[hash_keys[table]])}"]
    return [f"{table}=(no key: {operation})"]


def _value(attribute: dict) -> str:
    return str(next(iter(attribute.values()), "?"))


def instrument(meter: Meter, services: Any) -> None:
    """Register the meter on the clients the tick uses: one per PynamoDB model, and SQS."""
    from xero_sync.dal.base import table_models

    for model in table_models().values():
        if getattr(model.Meta, "table_name", None):
            meter.hash_keys[model.Meta.table_name] = model._hash_keyname
            client = model._get_connection().connection.client  # created now, before any thread
            client.meta.events.register("provide-client-params.dynamodb", meter.on_dynamodb)
    sqs = services.export_queues._sqs
    sqs.meta.events.register("provide-client-params.sqs", meter.on_sqs)
