"""Mapping failures to the host API's error shape (SPEC §5):
``{"error": {"code": ..., "message": ..., "details": [{"field": ..., "message": ...}]}}``."""

from __future__ import annotations

from collections.abc import Sequence
from http import HTTPStatus

from aws_lambda_powertools.event_handler import Response, content_types

from xero_sync.models.api import ErrorDetail, ErrorInfo, ErrorResponse


class ApiError(Exception):
    """Raise from a route to answer with a specific status and error code."""

    def __init__(self, status: HTTPStatus, code: str, message: str, details: Sequence[ErrorDetail] = ()) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.details = list(details)


def error_response(status: HTTPStatus | int, code: str, message: str, details: Sequence[ErrorDetail] = ()) -> Response:
    body = ErrorResponse(error=ErrorInfo(code=code, message=message, details=list(details)))
    return Response(
        status_code=int(status),
        content_type=content_types.APPLICATION_JSON,
        body=body.model_dump_json(),
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
