"""Which failures are news, and how a digest groups them (F6.2) — pure rules."""

from datetime import date, timedelta

from lifecycle_fakes import T0

from xero_sync.domain.digest import (
    LEDGER_CAP,
    WATERMARK_SLACK,
    FailedRecord,
    Ledger,
    build_digest,
    new_failures,
    strip_record_prefix,
)

NO_CODE = (
    "Account 'Merchant Fees' (sales lines) has no code in Xero. Add a code to it in Xero "
    "(Accounting → Chart of accounts), then retry."
)


def failure(
    record_id: str,
    *,
    version: int = 1,
    code: str = "missing_account_code",
    message: str = NO_CODE,
    entity: str = "invoice",
    seconds: int = 0,
) -> FailedRecord:
    at = T0 + timedelta(seconds=seconds)
    return FailedRecord(entity, record_id, f"INV-{record_id}", version, code, message, at, date(2026, 11, 2))


def test_every_failure_is_new_to_an_empty_ledger():
    failures = [failure("2", seconds=2), failure("1", seconds=1)]
    assert [f.record_id for f in new_failures(failures, Ledger())] == ["1", "2"]  # oldest first


def test_a_reported_failure_is_not_news_until_its_version_code_or_message_changes():
    # Given a ledger that remembers one reported failure
    ledger = Ledger()
    ledger.remember([failure("1")], read_at=T0, window_id="w1")

    # Then the same failure is not news; a new version, a new code or a new message is
    assert new_failures([failure("1")], ledger) == []
    assert new_failures([failure("1", version=2)], ledger)
    assert new_failures([failure("1", code="unknown_account")], ledger)
    assert new_failures([failure("1", message="Xero refused invoice INV-1: Email address must be valid.")], ledger)


def test_the_ledger_round_trips_through_json_and_moves_its_watermark():
    ledger = Ledger()
    assert ledger.read_since() is None
    ledger.remember([failure("1")], read_at=T0, window_id="w1")
    again = Ledger.from_body(ledger.to_body())
    assert again.entries == ledger.entries
    assert again.read_since() == T0 - WATERMARK_SLACK
    assert again.delivered == ["w1"]


def test_the_ledger_keeps_the_most_recently_reported_records_within_its_cap():
    ledger = Ledger()
    ledger.remember([failure(str(n)) for n in range(10)], read_at=T0, window_id="w1", cap=10)
    ledger.remember([failure("new")], read_at=T0 + timedelta(hours=1), window_id="w2", cap=10)
    assert len(ledger.entries) == 10
    assert new_failures([failure("new")], ledger) == []
    assert LEDGER_CAP * 40 < 400_000  # hashed keys: ~40 bytes an entry stays far below DynamoDB's item limit


def test_two_ledgers_merge_without_losing_either_digest():
    first, second = Ledger(), Ledger()
    first.remember([failure("1")], read_at=T0, window_id="w1")
    second.remember([failure("2")], read_at=T0 + timedelta(minutes=1), window_id="w2")
    merged = first.merge(second)
    assert new_failures([failure("1"), failure("2")], merged) == []
    assert merged.watermark == T0 + timedelta(minutes=1)
    assert set(merged.delivered) == {"w1", "w2"}


def test_record_names_are_taken_off_messages_so_one_fix_reads_once():
    assert (
        strip_record_prefix("Invoice INV-7: Xero has no active account", "invoice INV-7")
        == "Xero has no active account"
    )
    assert (
        strip_record_prefix("Xero refused invoice INV-7: Bad email.", "invoice INV-7")
        == "Xero refused the record: Bad email."
    )
    assert strip_record_prefix(NO_CODE, "invoice INV-7") == NO_CODE


def test_a_digest_counts_per_entity_and_reason_and_shows_the_first_records():
    # Given 12 invoices without an account code, 3 payments on a wrong account, 1 odd one
    failures = [failure(str(n), seconds=n) for n in range(12)]
    failures += [
        failure(
            f"p{n}",
            entity="invoice_payment",
            code="account_not_payment_enabled",
            seconds=20 + n,
            message=f"Invoice payment INV-p{n}: Enable 'Payments to this account' on it in Xero, then retry.",
        )
        for n in range(3)
    ]
    odd = "Xero refused invoice INV-x: Email address must be valid."
    failures.append(failure("x", code="xero_validation", message=odd, seconds=30))

    digest = build_digest(failures, still_failing=40)

    # Then: totals, the biggest reason first, one fix for records that share it, five examples
    assert digest.new_count == 16
    assert digest.by_entity == {"invoice": 13, "invoice_payment": 3}
    assert [g.code for g in digest.groups] == ["missing_account_code", "account_not_payment_enabled", "xero_validation"]
    first = digest.groups[0]
    assert first.count == 12 and first.by_entity == {"invoice": 12}
    assert [f.advice for f in first.fixes] == [NO_CODE] and first.fixes[0].count == 12
    assert [e.record_id for e in first.examples] == ["0", "1", "2", "3", "4"]
    payments = digest.groups[1]
    assert len(payments.fixes) == 1  # "Invoice payment INV-pN: " taken off: one advice for the three
    assert digest.still_failing == 40
    assert digest.first_failed_at == T0 and digest.last_failed_at == T0 + timedelta(seconds=30)


def test_many_distinct_messages_show_the_commonest_and_count_the_rest():
    failures = [failure(str(n), code="xero_validation", message=f"Problem number {n % 5}") for n in range(10)]
    group = build_digest(failures, still_failing=10).groups[0]
    assert len(group.fixes) == 3 and group.other_fixes == 2
