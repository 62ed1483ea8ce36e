"""Lock dates (domain/lock_dates.py): what Xero's lock dates refuse, and the message."""

from datetime import date

from xero_sync.domain.lock_dates import lock_problem
from xero_sync.models.reference_data import XeroOrganisation


def organisation(**dates: str) -> XeroOrganisation:
    return XeroOrganisation.model_validate({"Name": "Demo", "BaseCurrency": "NZD", **dates})


def test_xero_ms_dates_and_stored_dates_are_read_and_the_later_lock_date_applies():
    # Given Xero's answer (Microsoft JSON dates) and the stored form of the same
    from_xero = organisation(
        PeriodLockDate="/Date(1785456000000+0000)/", EndOfYearLockDate="/Date(1774915200000+0000)/"
    )
    stored = XeroOrganisation.model_validate(from_xero.model_dump(mode="json"))
    # Then both read the same dates, and the later one is the lock date
    assert from_xero.PeriodLockDate == date(2026, 7, 31) and from_xero.EndOfYearLockDate == date(2026, 3, 31)
    assert stored == from_xero and stored.lock_date == date(2026, 7, 31)


def test_a_record_dated_on_or_before_the_lock_date_is_refused_with_where_to_change_it():
    lock = organisation(PeriodLockDate="2026-07-31")
    # When the record is dated on the lock date
    problem = lock_problem(date(2026, 7, 31), lock, label="Invoice INV-1")
    # Then it is refused, naming the date, the lock date and where to move it
    assert problem is not None and problem.code == "closed_period"
    assert "Invoice INV-1 is dated 31 Jul 2026" in problem.message
    assert "period lock date in Xero (31 Jul 2026)" in problem.message
    assert "Settings → Advanced → Financial settings" in problem.message and "date the record after" in problem.message
    # And a record dated the day after, or an org without lock dates, goes through
    assert lock_problem(date(2026, 8, 1), lock, label="x") is None
    assert lock_problem(date(2020, 1, 1), organisation(), label="x") is None


def test_the_end_of_year_lock_date_is_named_when_it_is_the_one_that_covers_the_record():
    both = organisation(PeriodLockDate="2026-07-31", EndOfYearLockDate="2026-03-31")
    assert "end of year lock date in Xero (31 Mar 2026)" in lock_problem(date(2026, 2, 1), both, label="Bill B").message
    assert "period lock date in Xero (31 Jul 2026)" in lock_problem(date(2026, 5, 1), both, label="Bill B").message
