"""Lock dates (Xero's Settings → Advanced → Financial settings): Xero refuses anything dated on
or before the organisation's lock date — approving, editing, voiding or deleting a document, a
payment, an allocation or a bank transaction there. The service knows the lock dates from the
imported Organisation (reference data, refreshed with it) and refuses such a record *before* it
is sent, with a message the admin can act on; when the lock date moves in Xero, the refresh sees
the change and sends the refused records again (``closed_period`` is one of the codes a change in
Xero can cure).

Which lock date applies: the later of ``PeriodLockDate`` and ``EndOfYearLockDate`` — the
integration is not an adviser, whom Xero lets post in the period lock.
"""

from __future__ import annotations

from datetime import date

from xero_sync.domain.problems import Problem, ProblemCode
from xero_sync.models.reference_data import XeroOrganisation

WHERE = "Settings → Advanced → Financial settings"


def _day(value: date) -> str:
    return f"{value.day} {value:%b %Y}"


def lock_problem(record_date: date | None, organisation: XeroOrganisation, *, label: str) -> Problem | None:
    """The problem of sending something dated ``record_date`` to this organisation, if Xero's
    lock date covers it. ``label`` names the record ("Invoice INV-1001")."""
    lock = organisation.lock_date
    if record_date is None or lock is None or record_date > lock:
        return None
    end_of_year = organisation.EndOfYearLockDate
    which = "end of year lock date" if end_of_year is not None and record_date <= end_of_year else "period lock date"
    locked_until = end_of_year if which.startswith("end") and end_of_year is not None else lock
    message = (
        f"{label} is dated {_day(record_date)}, on or before the {which} in Xero ({_day(locked_until)}): Xero "
        f"accepts nothing dated in a locked period. Move the lock date in Xero ({WHERE}), or date the record "
        f"after {_day(lock)} in the host; it is sent again by itself once the lock date has moved."
    )
    return Problem(
        code=ProblemCode.CLOSED_PERIOD,
        message=message,
        field="date",
        params={"date": record_date.isoformat(), "lock_date": locked_until.isoformat(), "which": which},
    )
