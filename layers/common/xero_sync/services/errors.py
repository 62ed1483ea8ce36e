"""The errors a service raises when a request cannot be carried out. ``http/app.py`` maps each to
the API's error shape (SPEC §5): :class:`InvalidInput` → 400 ``validation_error``,
:class:`NotFound` → 404 ``not_found``, :class:`Conflict` → 409 ``conflict``. Every service raises
these, so a route never needs to know which service answered."""

from __future__ import annotations

from collections.abc import Sequence

from xero_sync.models.api import ErrorDetail


class InvalidInput(Exception):
    """Bad input, with one detail per wrong field."""

    def __init__(self, message: str, details: Sequence[ErrorDetail] = ()) -> None:
        super().__init__(message)
        self.message = message
        self.details = list(details)

    @classmethod
    def of_field(cls, field: str, message: str) -> InvalidInput:
        """One wrong field, described by the message itself."""
        return cls(message, [ErrorDetail(field=field, message=message)])


class NotFound(Exception):
    """The thing asked for does not exist."""


class Conflict(Exception):
    """The request does not fit the current state; the message says what to do."""
