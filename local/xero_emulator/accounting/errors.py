"""Exceptions the engine uses internally to stop a request or an element.

* ``ApiError`` ends the whole request with a ready-made status and body (404 for an unknown id,
  400 for a bad ``where`` …). ``Books.handle`` turns it into the ``AccountingResponse``.
* ``ElementInvalid`` fails one element of a write; the batch runner (batch.py) decides, by
  ``summarizeErrors``, how that is reported (xero-facts §3.3).
"""

from __future__ import annotations

from typing import Any

from . import wire


class ApiError(Exception):
    def __init__(self, status: int, body: Any, headers: dict[str, str] | None = None) -> None:
        super().__init__(f"{status}: {body!r}")
        self.status = status
        self.body = body
        self.headers = headers or {}


def not_found() -> ApiError:
    """Unknown id or route: 404 with Xero's plain-text body (see wire.NOT_FOUND_TEXT)."""
    return ApiError(404, wire.NOT_FOUND_TEXT, {"Content-Type": "text/plain; charset=utf-8"})


def bad_request(message: str) -> ApiError:
    return ApiError(400, wire.request_validation_error(message))


def query_error(message: str) -> ApiError:
    return ApiError(400, wire.query_parse_error(message))


def post_data_invalid(message: str) -> ApiError:
    return ApiError(400, wire.post_data_invalid(message))


class ElementInvalid(Exception):
    """One element failed validation. ``echo`` is the element as Xero understood it (engine
    values, converted by wire.to_json later); ``messages`` are the ValidationErrors."""

    def __init__(self, messages: list[str], echo: dict[str, Any]) -> None:
        super().__init__("; ".join(messages))
        self.messages = messages
        self.echo = echo
