"""N1: the records of one Xero call are claimed together (dal/record_claims.py, conditional_updates.py), on moto server —
in one TransactWriteItems, with exactly the outcome of one conditional write per record: a record
another worker holds, or whose version moved on, is left out and the others are claimed."""

from datetime import UTC, datetime, timedelta

import pytest
from export_harness import contact, dynamodb_requests, synced_mark
from pynamodb.exceptions import TransactWriteError

from xero_sync.dal import conditional_updates
from xero_sync.domain.records import ClaimRequest, RecordKey

NOW = datetime(2026, 12, 4, 12, 0, tzinfo=UTC)
UNTIL = NOW + timedelta(minutes=2)


def _claim_all(records, claims, owner="w1", now=NOW):
    return records.claim_all_for_operation(
        claims, owner=owner, operation="create", idempotency_key="key-1", now=now, until=now + timedelta(minutes=2)
    )


def _claim_one(records, key, owner, *, exported_version=None, operation="create", until=UNTIL):
    return records.claim_for_operation(
        key,
        owner=owner,
        version=1,
        exported_version=exported_version,
        operation=operation,
        idempotency_key=f"key-{owner}",
        now=NOW,
        until=until,
    )


def _contacts(harness, count):
    harness.push(*(contact(f"cus-{n}", f"Cafe {n}") for n in range(count)))
    return [ClaimRequest(RecordKey(harness.org_id, "contact", f"cus-{n}"), 1, None) for n in range(count)]


def test_the_records_of_a_call_are_claimed_in_one_request(harness, monkeypatch):
    claims = _contacts(harness, 50)
    sent = dynamodb_requests(monkeypatch)

    assert _claim_all(harness.container.records, claims) == [True] * 50

    assert sent == ["TransactWriteItems"]
    for key, *_ in claims:
        stored = harness.container.records.get(key)
        assert (stored.claim_owner, stored.claim_operation, stored.claim_version) == ("w1", "create", 1)
        assert stored.claim_until == UNTIL and stored.attempts == 1


def test_a_record_held_by_another_worker_is_left_out_and_the_others_are_claimed(harness):
    records = harness.container.records
    claims = _contacts(harness, 5)
    held = claims[2][0]
    assert _claim_one(records, held, "w2", operation="update")

    assert _claim_all(records, claims) == [True, True, False, True, True]

    kept = records.get(held)
    assert (kept.claim_owner, kept.claim_operation, kept.attempts) == ("w2", "update", 1)
    assert [records.get(key).claim_owner for key, *_ in claims] == ["w1", "w1", "w2", "w1", "w1"]


def test_a_record_whose_version_moved_on_is_not_claimed(harness):
    records = harness.container.records
    claims = _contacts(harness, 3)
    stale = [claim._replace(version=0) if n == 1 else claim for n, claim in enumerate(claims)]

    assert _claim_all(records, stale) == [True, False, True]
    assert records.get(claims[1][0]).claim_owner is None and records.get(claims[1][0]).attempts == 0


def test_an_expired_claim_and_the_workers_own_claim_do_not_stop_it(harness):
    records = harness.container.records
    claims = _contacts(harness, 3)
    _claim_one(records, claims[0][0], "w2", until=NOW)
    _claim_one(records, claims[1][0], "w1")

    assert _claim_all(records, claims, now=NOW + timedelta(seconds=1)) == [True, True, True]


def test_more_records_than_a_transaction_holds_go_in_several(harness, monkeypatch):
    claims = _contacts(harness, 130)
    sent = dynamodb_requests(monkeypatch)

    assert _claim_all(harness.container.records, claims) == [True] * 130
    assert sent == ["TransactWriteItems", "TransactWriteItems"]  # 100 + 30


def test_one_record_is_claimed_with_one_plain_write(harness, monkeypatch):
    claims = _contacts(harness, 1)
    sent = dynamodb_requests(monkeypatch)

    assert _claim_all(harness.container.records, claims) == [True]
    assert sent == ["UpdateItem"]


def test_a_record_named_twice_is_claimed_with_plain_writes(harness, monkeypatch):
    claims = _contacts(harness, 2)
    sent = dynamodb_requests(monkeypatch)

    assert _claim_all(harness.container.records, [*claims, claims[0]]) == [True, True, True]
    assert sent == ["UpdateItem"] * 3


def test_a_transaction_that_conflicts_leaves_its_records_to_one_write_each(harness, monkeypatch):
    # Given a transaction cancelled by a concurrent write to one of its records (DynamoDB's
    # TransactionConflict, which moto does not produce)
    records = harness.container.records
    claims = _contacts(harness, 3)

    monkeypatch.setattr(
        conditional_updates, "TransactWrite", _failing_with(_cancelled(["TransactionConflict", None, None]))
    )

    # Then each record is claimed on its own, with the same conditions
    assert _claim_all(records, claims) == [True, True, True]
    assert all(records.get(key).claim_owner == "w1" for key, *_ in claims)


def test_an_error_that_is_not_a_cancellation_is_raised(harness, monkeypatch):
    claims = _contacts(harness, 2)

    monkeypatch.setattr(conditional_updates, "TransactWrite", _failing_with(TransactWriteError("throttled")))
    with pytest.raises(TransactWriteError):
        _claim_all(harness.container.records, claims)
    assert all(harness.container.records.get(key).claim_owner is None for key, *_ in claims)


def _failing_with(error):
    """A stand-in for PynamoDB's TransactWrite whose commit fails with ``error``."""

    class Failing:
        def __init__(self, **_kwargs):
            pass

        def __enter__(self):
            return self

        def update(self, *_args, **_kwargs):
            pass

        def __exit__(self, *_exc):
            raise error

    return Failing


def _cancelled(codes):
    from botocore.exceptions import ClientError
    from pynamodb.connection.base import VerboseClientError

    reasons = [{"Code": code or "None", "Message": ""} for code in codes]
    cause = VerboseClientError(
        {
            "Error": {"Code": "TransactionCanceledException", "Message": "cancelled"},
            "CancellationReasons": reasons,
        },
        "TransactWriteItems",
        cancellation_reasons=[None if code is None else _reason(code) for code in codes],
    )
    assert isinstance(cause, ClientError)
    return TransactWriteError("cancelled", cause=cause)


def _reason(code):
    from pynamodb.exceptions import CancellationReason

    return CancellationReason(code=code, message="")


def test_a_record_another_worker_sent_since_it_was_read_is_not_claimed(harness):
    # Given two records this worker read while neither was in Xero, and another worker that read
    # the first too, then claimed it, sent it and recorded it synced (clearing its claim)
    records = harness.container.records
    claims = _contacts(harness, 2)
    first = claims[0].key
    assert _claim_one(records, first, "w2")
    records.mark_synced(synced_mark(first, owner="w2", xero_id="xero-1"), NOW)
    # When this worker claims them as it read them
    taken = _claim_all(records, claims)
    # Then the one already in Xero is not claimed (it would be sent twice), the other is
    assert taken == [False, True]
    assert records.get(first).claim_owner is None and records.get(first).status.value == "synced"
    # And alone, with one plain write, the same
    assert not _claim_one(records, first, "w1")
    # While a claim made with what is now in Xero (an update of it) holds
    assert _claim_one(records, first, "w1", exported_version=1, operation="update")
