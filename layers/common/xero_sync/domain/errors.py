"""What a store tells its callers when a write loses a race. The repositories raise these and
the services catch them, so both import them from here rather than from each other."""

from __future__ import annotations


class ConditionFailed(Exception):
    """The item was not in the state the write expected (someone else changed it first)."""


class RevisionConflict(Exception):
    """Someone saved this configuration item since the caller read it."""


class ClaimLost(Exception):
    """The worker's claim on a record ran out and someone else holds it now (or, for a write
    that needs an unclaimed record, someone holds it)."""


class InvalidCursor(ValueError):
    """A paging cursor this API did not hand out (or handed out for another org)."""
