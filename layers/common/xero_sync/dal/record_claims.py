"""The worker's claim (N1): before a Xero call, each record in it is claimed with the operation
about to be sent written down, in a conditional write — so two workers never send one record at
once, and a call whose outcome is unknown leaves the operation behind for the next worker to
look for in Xero first (records.py explains both).

The records of one call are claimed together, in one ``TransactWriteItems`` of up to 100
records, instead of one ``UpdateItem`` each: a claim per record was a third of the export
worker's DynamoDB requests and most of its CPU (botocore's cost per request). A transaction
costs twice the write units of the same writes made one by one (README, "Cost per million
records"); that is the price of one request instead of fifty.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from pynamodb.exceptions import TransactWriteError, UpdateError
from pynamodb.expressions.condition import Condition
from pynamodb.expressions.update import Action
from pynamodb.transactions import TransactWrite

from xero_sync.dal.base import transactions_for
from xero_sync.dal.errors import is_condition_failure
from xero_sync.dal.models import RecordModel
from xero_sync.domain.records import RecordKey

MAX_TRANSACTION_ITEMS = 100
"""DynamoDB's limit on the items of one TransactWriteItems."""
TRANSACTION_ATTEMPTS = 3
"""Transactions sent for one group before the records left are claimed one by one."""


class RecordClaims:
    """The claim's writes, as a part of RecordRepository (records.py)."""

    def claim_for_operation(
        self,
        key: RecordKey,
        *,
        owner: str,
        version: int,
        operation: str,
        idempotency_key: str,
        now: datetime,
        until: datetime,
    ) -> bool:
        """Claim the record for one Xero call and write down what is about to be sent — in one
        conditional write, *before* sending. Fails (False) if another worker holds the record or
        the host pushed a newer version since the worker read it. If the worker then dies or the
        outcome is unknown, the next worker finds ``claim_operation`` and looks in Xero first."""
        try:
            RecordModel(key.org_id, key.record_key).update(
                actions=_claim_actions(version, owner, operation, idempotency_key, now, until),
                condition=_claim_condition(version, owner, now),
            )
        except UpdateError as error:
            if is_condition_failure(error):
                return False
            raise
        return True

    def claim_all_for_operation(
        self,
        claims: Sequence[tuple[RecordKey, int]],
        *,
        owner: str,
        operation: str,
        idempotency_key: str,
        now: datetime,
        until: datetime,
    ) -> list[bool]:
        """Claim the records of one Xero call — ``(key, version)`` each — as
        :meth:`claim_for_operation` claims one, answering in the same order which were claimed.

        Together, in transactions: a record that another worker holds, or whose version moved on,
        cancels the transaction with a reason naming it; it is not claimed (False) and the others
        are sent again without it. A transaction cancelled for another reason (a conflict with a
        concurrent write to one of its records) leaves its records to one write each, as before.
        Any other error is raised, as a single claim's would be."""
        if len(claims) < 2 or len({key for key, _ in claims}) < len(claims):
            # one record, or one named twice (a transaction may write an item only once)
            return self._one_by_one(claims, owner, operation, idempotency_key, now, until)
        taken: dict[int, bool] = {}
        indexed = list(enumerate(claims))
        for start in range(0, len(indexed), MAX_TRANSACTION_ITEMS):
            group = indexed[start : start + MAX_TRANSACTION_ITEMS]
            taken.update(self._claim_group(group, owner, operation, idempotency_key, now, until))
        return [taken[index] for index in range(len(claims))]

    def _claim_group(
        self,
        group: list[tuple[int, tuple[RecordKey, int]]],
        owner: str,
        operation: str,
        idempotency_key: str,
        now: datetime,
        until: datetime,
    ) -> dict[int, bool]:
        taken: dict[int, bool] = {}
        remaining = group
        for _ in range(TRANSACTION_ATTEMPTS):
            if len(remaining) < 2:
                break
            try:
                with TransactWrite(connection=transactions_for(RecordModel)) as transaction:
                    for _, (key, version) in remaining:
                        transaction.update(
                            RecordModel(key.org_id, key.record_key),
                            actions=_claim_actions(version, owner, operation, idempotency_key, now, until),
                            condition=_claim_condition(version, owner, now),
                        )
            except TransactWriteError as error:
                reasons = [getattr(reason, "code", None) for reason in (error.cancellation_reasons or [])]
                if len(reasons) != len(remaining):
                    raise  # not a cancellation (throttled past botocore's retries, a bad request)
                refused = {position for position, code in enumerate(reasons) if code == "ConditionalCheckFailed"}
                if not refused:
                    break  # a conflict with a concurrent write: one by one below
                taken.update({remaining[position][0]: False for position in refused})
                remaining = [entry for position, entry in enumerate(remaining) if position not in refused]
                continue
            taken.update({index: True for index, _ in remaining})
            return taken
        alone = self._one_by_one([claim for _, claim in remaining], owner, operation, idempotency_key, now, until)
        taken.update(zip([index for index, _ in remaining], alone, strict=True))
        return taken

    def _one_by_one(
        self,
        claims: Sequence[tuple[RecordKey, int]],
        owner: str,
        operation: str,
        idempotency_key: str,
        now: datetime,
        until: datetime,
    ) -> list[bool]:
        return [
            self.claim_for_operation(
                key,
                owner=owner,
                version=version,
                operation=operation,
                idempotency_key=idempotency_key,
                now=now,
                until=until,
            )
            for key, version in claims
        ]


def _claim_condition(version: int, owner: str, now: datetime) -> Condition:
    """The version the worker read is still the latest, and nobody else holds a live claim."""
    return (RecordModel.version == version) & (
        RecordModel.claim_until.does_not_exist() | (RecordModel.claim_until < now) | (RecordModel.claim_owner == owner)
    )


def _claim_actions(
    version: int, owner: str, operation: str, idempotency_key: str, now: datetime, until: datetime
) -> list[Action]:
    return [
        RecordModel.claim_owner.set(owner),
        RecordModel.claim_until.set(until),
        RecordModel.claim_operation.set(operation),
        RecordModel.claim_version.set(version),
        RecordModel.idempotency_key.set(idempotency_key),
        RecordModel.attempts.add(1),
        RecordModel.updated_at.set(now),
    ]
