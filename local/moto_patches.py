"""Where moto's DynamoDB behaves or costs unlike DynamoDB, closed for the local stack and the tests.

1. **Each request is atomic.** DynamoDB checks a write's condition and applies the write as one
   step; moto server (threaded) does the two in separate steps, so two concurrent conditional
   writes on one item can both pass a condition meant for one of them (two openers of a one-time
   console link both got it; two claims of one lease). :func:`install` runs moto's DynamoDB
   requests one at a time in the process: exactly the guarantee DynamoDB gives per request, and
   no more — a caller's read-then-write still interleaves with other callers', as between Lambdas.

2. **TransactWriteItems is affordable on a big table.** moto keeps a transaction all-or-nothing
   by deep-copying every table it touches, once per item, before applying it: the export's claim
   of one Xero call (50 records) on a records table of 20,000 items copied a million items, and
   the local stack measured moto, not the service. Here moto's own check-and-apply code runs with
   the table copy made a no-op; the items the transaction touches are snapshotted beforehand and
   put back (or removed again) when it is cancelled. The outcome — applied whole or not at all,
   with the same cancellation reasons — is unchanged.

3. **Items go into a response at the cost of JSON, not of a walk of botocore's model.** moto
   writes each response by walking the operation's output shape from botocore's model, looking
   every member up under several spellings. An item's attribute is an ``AttributeValue`` with ten
   members, so a Query or BatchGetItem of 50 records made ~10,000 such lookups: a quarter of the
   DynamoDB moto process's CPU in a backfill, where that process sets the pace. Here an
   ``AttributeValue`` (which moto has already reduced to ``{type: value}``) is written as is, its
   binaries in base64 and its maps and lists recursively, which is what the walk produces; every
   other part of a response is still written by moto's walk.

4. **An update expression is parsed once, not twice per item.** moto tokenises and parses each
   ``UpdateExpression`` when it checks a request and again when it applies it, and a transaction
   of 50 claims carries 50 copies of one expression (PynamoDB writes the same placeholders for
   every item of a shape): 15 % of moto's time on ``TransactWriteItems``. Here parsed expressions
   are kept by their text (the 1,024 most recent). moto deep-copies a parsed expression before it
   resolves names and values into it, so the kept one is never changed; an expression that does
   not parse is not kept, and fails each time, as before.

Installed wherever the local stack starts moto: ``python -m local.moto_server`` (the benchmarks'
moto processes), ``LocalStack.start`` (its in-process server) and the test session's server.
"""

from __future__ import annotations

import copy
import functools
import threading
from collections.abc import Callable
from typing import Any

_install_lock = threading.Lock()
_installed = False


def install() -> None:
    """Patch moto's DynamoDB in this process (idempotent): atomic requests, cheap rollbacks, items
    written into responses directly, each update expression parsed once."""
    global _installed
    with _install_lock:
        if _installed:
            return
        from moto.dynamodb import models
        from moto.dynamodb.models.table import Table
        from moto.dynamodb.responses import DynamoHandler

        one_request_at_a_time = threading.Lock()
        handle = DynamoHandler.call_action

        def call_action(self: Any) -> Any:
            with one_request_at_a_time:
                return handle(self)

        DynamoHandler.call_action = call_action  # type: ignore[method-assign]

        class TablesNotCopied:
            """Stands in for the ``copy`` module inside moto's DynamoDB backend: a table is
            "copied" as itself (the touched items are restored instead), anything else is copied
            as before (moto also deep-copies single items there)."""

            @staticmethod
            def deepcopy(value: Any, memo: dict[int, Any] | None = None) -> Any:
                return value if isinstance(value, Table) else copy.deepcopy(value, memo)

            copy = staticmethod(copy.copy)

        original = models.DynamoDBBackend.transact_write_items

        def transact_write_items(self: Any, transact_items: list[dict[str, Any]]) -> None:
            snapshot = _snapshot(self, transact_items)
            try:
                original(self, transact_items)
            except Exception:
                _restore(self, snapshot)
                raise

        models.copy = TablesNotCopied  # type: ignore[assignment]
        models.DynamoDBBackend.transact_write_items = transact_write_items  # type: ignore[method-assign]
        _write_attribute_values_directly()
        _parse_each_update_expression_once()
        _installed = True


def _parse_each_update_expression_once() -> None:
    from moto.dynamodb.parsing.expressions import UpdateExpressionParser

    parse = UpdateExpressionParser.make  # bound to the class: make(expression)
    UpdateExpressionParser.make = staticmethod(functools.lru_cache(maxsize=1024)(parse))  # type: ignore[method-assign,assignment]


def _write_attribute_values_directly() -> None:
    from moto.core.serialize import BaseJSONSerializer

    walk = BaseJSONSerializer._serialize_type_structure

    def serialize_structure(self: Any, serialized: dict[str, Any], value: Any, shape: Any, key: str) -> None:
        if shape.name == "AttributeValue" and key and _is_attribute_value(value):
            serialized[key] = _attribute_value(value, self._base64)  # moto's own base64 of a blob
        else:
            walk(self, serialized, value, shape, key)

    serialize_structure.__wrapped__ = walk  # type: ignore[attr-defined]  # moto's own, for the tests
    BaseJSONSerializer._serialize_type_structure = serialize_structure  # type: ignore[method-assign]


def _is_attribute_value(value: Any) -> bool:
    """``{type: value}`` with one of DynamoDB's types, as moto's ``dynamo_to_dict`` leaves an
    attribute; anything else (none seen) goes through moto's own walk."""
    if not isinstance(value, dict) or len(value) != 1:
        return False
    ((kind, inner),) = value.items()
    return kind in _TYPES and inner is not None


_TYPES = frozenset({"S", "N", "B", "SS", "NS", "BS", "M", "L", "NULL", "BOOL"})


def _attribute_value(value: dict[str, Any], base64_of: Callable[[Any], str]) -> dict[str, Any]:
    """An attribute in DynamoDB's JSON, as moto's walk of the ``AttributeValue`` shape writes it."""
    ((kind, inner),) = value.items()
    if kind == "M":
        return {"M": {name: _attribute_value(member, base64_of) for name, member in inner.items()}}
    if kind == "L":
        return {"L": [_attribute_value(member, base64_of) for member in inner]}
    if kind == "B":
        return {"B": base64_of(inner)}
    if kind == "BS":
        return {"BS": [base64_of(member) for member in inner]}
    if kind in ("S", "N"):
        return {kind: str(inner)}
    if kind in ("SS", "NS"):
        return {kind: [str(member) for member in inner]}
    return {kind: inner}  # NULL, BOOL


Snapshot = list[tuple[str, dict[str, Any], Any]]
"""(table name, key in DynamoDB JSON, a deep copy of the item before, or None)."""


def _snapshot(backend: Any, transact_items: list[dict[str, Any]]) -> Snapshot:
    taken: Snapshot = []
    for entry in transact_items:
        try:
            _, operation = next(iter(entry.items()))
            table_name = operation["TableName"]
            table = backend.get_table(table_name)
            if "Key" in operation:
                key = operation["Key"]
            else:  # a Put names its key inside the item
                attributes = operation["Item"]
                names = [table.hash_key_attr] + ([table.range_key_attr] if table.range_key_attr else [])
                key = {name: attributes[name] for name in names}
            before = backend.get_item(table_name, key)
        except Exception:  # moto itself rejects a malformed entry: nothing to keep
            continue
        taken.append((table_name, key, copy.deepcopy(before)))
    return taken


def _restore(backend: Any, snapshot: Snapshot) -> None:
    for table_name, key, before in reversed(snapshot):
        if before is None:
            if backend.get_item(table_name, key) is not None:
                backend.delete_item(table_name, key)
        else:
            backend.put_item(table_name, before.to_json()["Attributes"])
