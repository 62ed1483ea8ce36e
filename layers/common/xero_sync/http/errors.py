"""Mapping failures to the host API's error shape (SPEC §5):
``{"error": {"code": ..., "message": ..., "details": [{"field": ..., "message": ...}]}}``."""

from __future__ import annotations

from collections.abc import Sequence
from http import HTTPStatus
from typing import Any

from aws_lambda_powertools.event_handler import Response, content_types

from xero_sync.http.catch_all import error_body, lambda_error
from xero_sync.models.api import ErrorDetail


class ApiError(Exception):
    """Raise from a route to answer with a specific status and error code."""

    def __init__(
        self,
        status: HTTPStatus,
        code: str,
        message: str,
        details: Sequence[ErrorDetail] = (),
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.details = list(details)
        self.headers = dict(headers or {})

    def as_result(self) -> dict[str, Any]:
        return lambda_error(self.status, self.code, self.message, self.details, headers=self.headers)


def error_response(
    status: HTTPStatus | int,
    code: str,
    message: str,
    details: Sequence[ErrorDetail] = (),
    headers: dict[str, str] | None = None,
) -> Response:
    return Response(
        status_code=int(status),
        content_type=content_types.APPLICATION_JSON,
        body=error_body(code, message, details),
        headers=headers,
    )


def validation_details(errors: Sequence[dict]) -> list[ErrorDetail]:
    """Pydantic/Powertools validation errors → one detail per wrong field, written the way the
    host reads it (``mappings[0].host_rate``). The location's leading ``body`` is dropped (the
    host thinks in field names); ``query``/``path`` are kept so that the host can tell a bad
    query parameter from a body field."""
    from xero_sync.models.api_export import field_path

    details = []
    for error in errors:
        loc = list(error.get("loc", ()))
        if loc and loc[0] == "body":
            loc = loc[1:]
        field = field_path(loc) or None
        message = error.get("msg") or error.get("type", "invalid value")
        details.append(ErrorDetail(field=field, message=message))
    return details
