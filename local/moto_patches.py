"""Two gaps between moto's DynamoDB and DynamoDB, closed for the local stack and the tests.

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

Installed wherever the local stack starts moto: ``python -m local.moto_server`` (the benchmarks'
moto processes), ``LocalStack.start`` (its in-process server) and the test session's server.
"""

from __future__ import annotations

import copy
import threading
from typing import Any

_install_lock = threading.Lock()
_installed = False


def install() -> None:
    """Patch moto's DynamoDB in this process (idempotent): atomic requests, cheap rollbacks."""
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
        _installed = True


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
