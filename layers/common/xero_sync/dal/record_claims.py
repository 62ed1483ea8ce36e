"""The worker's claim (N1): before a Xero call, each record in it is claimed with the operation
about to be sent written down, in a conditional write — so two workers never send one record at
once, and a call whose outcome is unknown leaves the operation behind for the next worker to
look for in Xero first (records.py explains both).

The records of one call are claimed together, in one ``TransactWriteItems`` of up to 100
records, instead of one ``UpdateItem`` each (conditional_updates.py): a claim per record was a
third of the export worker's DynamoDB requests and most of its CPU (botocore's cost per request).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from pynamodb.expressions.condition import Condition
from pynamodb.expressions.update import Action

from xero_sync.dal.conditional_updates import ConditionalUpdate, update_all, update_one
from xero_sync.dal.models import RecordModel
from xero_sync.domain.records import ClaimRequest, RecordKey


class RecordClaims:
    """The claim's writes, as a part of RecordRepository (records.py)."""

    def claim_for_operation(
        self,
        key: RecordKey,
        *,
        owner: str,
        version: int,
        exported_version: int | None,
        operation: str,
        idempotency_key: str,
        now: datetime,
        until: datetime,
    ) -> bool:
        """Claim the record for one Xero call and write down what is about to be sent — in one
        conditional write, *before* sending. Fails (False) if another worker holds the record, the
        host pushed a newer version since the worker read it, or something reached Xero for it
        since (``exported_version`` as read: two workers that read the record before either sent
        it must not both send it — one claims, sends and marks it synced, clearing its claim, and
        the other's claim then finds the record already exported). If the worker then dies or the
        outcome is unknown, the next worker finds ``claim_operation`` and looks in Xero first."""
        return update_one(
            _claim(ClaimRequest(key, version, exported_version), owner, operation, idempotency_key, now, until)
        )

    def claim_all_for_operation(
        self,
        claims: Sequence[ClaimRequest],
        *,
        owner: str,
        operation: str,
        idempotency_key: str,
        now: datetime,
        until: datetime,
    ) -> list[bool]:
        """Claim the records of one Xero call as :meth:`claim_for_operation` claims one,
        answering in the same order which were claimed: together, in transactions
        (conditional_updates.update_all)."""
        return update_all([_claim(claim, owner, operation, idempotency_key, now, until) for claim in claims])


def _claim(
    claim: ClaimRequest, owner: str, operation: str, idempotency_key: str, now: datetime, until: datetime
) -> ConditionalUpdate:
    key = claim.key
    return ConditionalUpdate(
        key,
        RecordModel(key.org_id, key.record_key),
        _claim_actions(claim.version, owner, operation, idempotency_key, now, until),
        _claim_condition(claim, owner, now),
    )


def _claim_condition(claim: ClaimRequest, owner: str, now: datetime) -> Condition:
    """The version the worker read is still the latest, nobody else holds a live claim, and
    nothing reached Xero for the record since it was read — unless the worker holds the claim
    itself (the steps of one operation, e.g. a payment deleted and created again, each record
    what they did)."""
    exported = (
        RecordModel.exported_version.does_not_exist()
        if claim.exported_version is None
        else RecordModel.exported_version == claim.exported_version
    )
    mine = RecordModel.claim_owner == owner  # its own claim: the next step of a multi-step operation
    free = RecordModel.claim_until.does_not_exist() | (RecordModel.claim_until < now) | mine
    return (RecordModel.version == claim.version) & free & (exported | mine)


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
