"""Answers the host API and the OAuth callback give outside Powertools' resolver, in the API's
error shape (SPEC §5): authentication's 401/403, the body guard's 4xx, and the catch-all 500.

Kept free of Powertools' event handler, so that the OAuth callback imports only this.
"""

from __future__ import annotations

import functools
import html
from collections.abc import Callable, Sequence
from http import HTTPStatus
from typing import Any

from xero_sync.models.api import ErrorDetail, ErrorInfo, ErrorResponse
from xero_sync.observability import logger


def lambda_error(
    status: HTTPStatus | int,
    code: str,
    message: str,
    details: Sequence[ErrorDetail] = (),
    *,
    request_id: str | None = None,
    headers: dict[str, str] | None = None,
) -> dict[str, Any]:
    """The same error shape as a Lambda proxy result, for answers given before (or instead of)
    the resolver: authentication, the body guard, the catch-all."""
    return {
        "statusCode": int(status),
        "headers": {"Content-Type": "application/json", **(headers or {})},
        "body": error_body(code, message, details, request_id),
        "isBase64Encoded": False,
    }


def error_body(code: str, message: str, details: Sequence[ErrorDetail] = (), request_id: str | None = None) -> str:
    info = ErrorInfo(code=code, message=message, details=list(details), request_id=request_id)
    # ``request_id`` is written only when there is one (a 500), so other errors keep their shape.
    return ErrorResponse(error=info).model_dump_json(exclude={"error": {"request_id"}} if request_id is None else None)


def request_id_of(event: Any) -> str:
    """API Gateway's id of the request: the correlation id of every log line of this invocation."""
    context = event.get("requestContext") if isinstance(event, dict) else None
    request_id = context.get("requestId") if isinstance(context, dict) else None
    return str(request_id) if request_id else "unknown"


def answer_unexpected_errors(
    render: Callable[[str], dict[str, Any]],
) -> Callable[[Callable[..., dict[str, Any]]], Callable[..., dict[str, Any]]]:
    """A handler's catch-all: any exception nobody mapped is logged with the request id and
    answered with ``render(request_id)`` — a 500 in the API's error shape (or the callback's
    page) instead of API Gateway's bare ``{"message": "Internal Server Error"}``."""

    def decorate(handler: Callable[..., dict[str, Any]]) -> Callable[..., dict[str, Any]]:
        @functools.wraps(handler)
        def guarded(event: dict[str, Any], context: Any, *args: Any, **kwargs: Any) -> dict[str, Any]:
            try:
                return handler(event, context, *args, **kwargs)
            except Exception:
                request_id = request_id_of(event)
                logger.exception("Unexpected error; answered 500", extra={"request_id": request_id})
                return render(request_id)

        return guarded

    return decorate


def internal_error(request_id: str) -> dict[str, Any]:
    """The API's 500: the error shape, with the request id to quote."""
    return lambda_error(
        HTTPStatus.INTERNAL_SERVER_ERROR,
        "internal_error",
        f"An unexpected error stopped the request. Quote request id {request_id} when you report it.",
        request_id=request_id,
    )


def callback_error_page(request_id: str) -> dict[str, Any]:
    """The OAuth callback's 500: the admin's browser gets a page (not JSON), saying what to do
    and which request id to quote. Nothing is cached or leaks through the Referer."""
    reference = html.escape(request_id)
    body = (
        "<!doctype html><html><head><meta charset='utf-8'><title>Connecting to Xero failed</title></head>"
        "<body><h1>Connecting to Xero failed</h1><p>Something went wrong on our side. Start again from the "
        f"integration settings; if it happens again, quote reference <code>{reference}</code>.</p></body></html>"
    )
    return {
        "statusCode": int(HTTPStatus.INTERNAL_SERVER_ERROR),
        "headers": {
            "Content-Type": "text/html; charset=utf-8",
            "Cache-Control": "no-store",
            "Referrer-Policy": "no-referrer",
        },
        "body": body,
        "isBase64Encoded": False,
    }
