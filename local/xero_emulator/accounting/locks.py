"""Lock dates (SPEC ``Organisation.PeriodLockDate`` / ``EndOfYearLockDate``; xero-facts §6.1
"In a locked period: no").

Xero has two lock dates: the period lock date stops every user except advisers, the end-of-year
lock date stops everyone. The emulator treats the app as a user who is not an adviser, so the
effective lock date is the later of the two (as integrators observe: "if both are set, the later
one will be used"). A transaction dated **on or before** it cannot be created, changed, voided or
deleted — but only once it posts to the ledger: drafts and documents awaiting approval may still
be saved in a locked period; approving them is what Xero refuses (observed by integrators that
export drafts, e.g. FYI and EzzyBills support pages). The rules per entity:

* invoices and credit notes: a save is refused when the document is approved (AUTHORISED, PAID)
  before or after the save and its date (old or new) is locked — approving, voiding, editing;
* payments and allocations: creating or deleting one dated in the locked period;
* bank transactions (always approved): any change dated (before or after) in the locked period;
* manual journals: like documents, POSTED ones (DRAFT journals may still be saved).

Xero's wording (xeroizer#92, FYI support page) is quoted by ``messages.LOCKED_END_OF_YEAR``; the
period variant follows it (integrations match its start, "The document date cannot be before the
period lock date").
"""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from . import messages
from .parsing import Problems

if TYPE_CHECKING:
    from .books import Books

POSTED_STATUSES = frozenset({"AUTHORISED", "PAID", "POSTED", "VOIDED"})


def effective_lock_date(books: Books) -> date | None:
    dates = [d for d in (books.organisation.get("PeriodLockDate"), books.organisation.get("EndOfYearLockDate")) if d]
    return max(dates) if dates else None


def is_locked(books: Books, when: date | None) -> bool:
    lock = effective_lock_date(books)
    return lock is not None and when is not None and when <= lock


def check_dates(books: Books, problems: Problems, *dates: date | None) -> None:
    """Add Xero's lock-date message if any of ``dates`` is on or before the effective lock date."""
    for when in dates:
        if is_locked(books, when):
            problems.add(message(books, when))
            return


def check_posted(books: Books, problems: Problems, existing: dict[str, Any] | None, draft: dict[str, Any]) -> None:
    """Documents and journals: refused when the saved or the stored version posts to the ledger
    and is dated in the locked period. The caller only asks when the save changes something."""
    for version in (existing, draft):
        if version is not None and version.get("Status") in POSTED_STATUSES and is_locked(books, version.get("Date")):
            problems.add(message(books, version["Date"]))
            return


def message(books: Books, when: date | None) -> str:
    end_of_year = books.organisation.get("EndOfYearLockDate")
    if end_of_year and when is not None and when <= end_of_year:
        return messages.LOCKED_END_OF_YEAR.format(date=_xero_date(end_of_year))
    return messages.LOCKED_PERIOD.format(date=_xero_date(books.organisation["PeriodLockDate"]))


def _xero_date(value: date) -> str:
    """``31-Jul-2013``, as Xero writes the lock date in the message."""
    return value.strftime("%d-%b-%Y")


def set_lock_dates(books: Books, changes: dict[str, date | None], now: datetime) -> bool:
    """Apply ``{"PeriodLockDate": date|None, "EndOfYearLockDate": date|None}`` (keys optional; None
    clears). Returns whether anything changed; a change moves the organisation's update time
    (kept by the engine — the Organisation schema has no UpdatedDateUTC to show it in)."""
    changed = False
    for field, value in changes.items():
        if books.organisation.get(field) != value:
            changed = True
            if value is None:
                books.organisation.pop(field, None)
            else:
                books.organisation[field] = value
    if changed:
        books.organisation_updated_at = now
    return changed
