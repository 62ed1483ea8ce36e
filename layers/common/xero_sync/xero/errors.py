"""Typed Xero errors and the one place that maps responses to them (xero-facts §7).

Callers decide what to do from the type alone:

* ``XeroRetryableError`` (429, 5xx, time-outs, dropped connections): try again later, after
  ``retry_after`` when Xero said so. If ``outcome_unknown`` is set the request was a write that
  Xero may have applied (a time-out or 5xx after sending it): look the record up before
  creating it again (N1), or retry with the same ``Idempotency-Key`` within 6 minutes (§4).
* ``XeroAuthError``: the token or the tenant is not usable — refresh, re-check ``/connections``
  or ask the admin to reconnect. ``ReauthRequired`` means exactly the latter.
* ``XeroValidationError`` / ``XeroBadRequest`` / ``XeroNotFound``: fix the data; never retry alone.

Messages carry Xero's own error text, the status and the ``Xero-Correlation-Id`` — never a
token, a code or the client secret (nothing from the request is quoted).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import TYPE_CHECKING, Any, ClassVar

from xero_sync.xero.elements import ElementResult, parse_validation_exception

if TYPE_CHECKING:
    import requests  # the types only: the Api and others catch these errors without calling Xero

CORRELATION_HEADER = "Xero-Correlation-Id"
WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
_MAX_MESSAGE = 500


class XeroError(Exception):
    retryable: ClassVar[bool] = False

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        correlation_id: str | None = None,
        outcome_unknown: bool = False,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.correlation_id = correlation_id
        self.outcome_unknown = outcome_unknown

    def __str__(self) -> str:
        parts = [self.message]
        if self.status is not None:
            parts.append(f"status={self.status}")
        if self.correlation_id:
            parts.append(f"correlation_id={self.correlation_id}")
        return " | ".join(parts)


# --- retryable ---------------------------------------------------------------------------------


class XeroRetryableError(XeroError):
    retryable: ClassVar[bool] = True

    def __init__(self, message: str, *, retry_after: float | None = None, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.retry_after = retry_after


class XeroRateLimited(XeroRetryableError):
    """429 (xero-facts §2). ``problem`` is ``X-Rate-Limit-Problem``: minute, day, concurrent,
    appminute. Rate limits are checked before a request is processed, so nothing was applied."""

    def __init__(self, problem: str | None, retry_after: float | None, **kwargs: Any) -> None:
        super().__init__(f"Xero rate limit reached ({problem or 'unspecified'})", retry_after=retry_after, **kwargs)
        self.problem = problem


class XeroServerError(XeroRetryableError):
    """5xx other than 501: Xero failed or is offline. On a write the outcome is unknown."""


class XeroTimeout(XeroRetryableError):
    """No answer in time. If the request had been sent, a write's outcome is unknown."""


class XeroConnectionError(XeroRetryableError):
    """The connection failed or dropped. A write's outcome is unknown unless it never connected."""


# --- auth ----------------------------------------------------------------------------------------


class XeroAuthError(XeroError):
    """401/403 and token problems: the request must not simply be repeated."""


class XeroTokenExpired(XeroAuthError):
    """401 ``TokenExpired``: refresh the access token once and retry."""


class XeroForbidden(XeroAuthError):
    """403 ``AuthenticationUnsuccessful``: tenant header wrong, access revoked, org gone or demo reset."""


class XeroInsufficientScope(XeroAuthError):
    """The token lacks the scope for this endpoint: the admin must consent again with it."""


class NotConnected(XeroAuthError):
    """The org has no usable Xero token set (never connected, disconnected, or no tenant chosen)."""

    def __init__(self, org_id: str, reason: str) -> None:
        super().__init__(f"org {org_id} is not connected to Xero: {reason}")
        self.org_id = org_id


# --- request problems ----------------------------------------------------------------------------


class XeroBadRequest(XeroError):
    """A 4xx (or 501) that retrying will not fix."""


class XeroValidationError(XeroBadRequest):
    """400 ``ValidationException``: ``elements`` holds the per-element messages."""

    def __init__(self, message: str, *, elements: list[ElementResult], **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.elements = elements

    @property
    def messages(self) -> list[str]:
        return [message for element in self.elements for message in element.errors]


class XeroNotFound(XeroError):
    """404: unknown id, or a URL too long for Xero."""


# --- OAuth token endpoint -------------------------------------------------------------------------


class XeroOAuthError(XeroError):
    """The token or revocation endpoint refused (``invalid_grant``, ``invalid_client`` …)."""

    def __init__(self, error_code: str, description: str | None = None, **kwargs: Any) -> None:
        text = f"Xero OAuth error {error_code}"
        if description:
            text += f": {description[:_MAX_MESSAGE]}"
        super().__init__(text, **kwargs)
        self.error_code = error_code


class ReauthRequired(XeroOAuthError):
    """Xero rejected the org's refresh token: the admin must connect again (F1.4)."""

    def __init__(self, org_id: str, description: str | None = None) -> None:
        super().__init__("invalid_grant", description or f"org {org_id} must reconnect to Xero")
        self.org_id = org_id


class ConnectionRemoved(ReauthRequired):
    """Xero refused the org's calls (403, or 401 after a refresh) and the tenant is no longer among
    the token's connections: the connection was removed in Xero, or the access revoked there. The
    org is ``needs_reauth``; the admin must connect again (N7)."""

    def __init__(self, org_id: str, tenant_id: str, cause: XeroError) -> None:
        super().__init__(org_id)
        self.error_code = "connection_removed"
        self.message = (
            f"Xero no longer grants access to tenant {tenant_id} (its connection was removed or the access "
            f"revoked in Xero): {cause.message}"
        )
        self.status = cause.status
        self.correlation_id = cause.correlation_id
        self.args = (self.message,)


# --- classification --------------------------------------------------------------------------------


def classify_response(response: requests.Response, *, method: str | None = None) -> None:
    """Return if ``response`` is a success (2xx/3xx), otherwise raise the matching ``XeroError``.
    ``method`` defaults to the request's; it decides ``outcome_unknown`` for 5xx."""
    status = response.status_code
    if status < 400:
        return
    method = (method or _request_method(response)).upper()
    correlation_id = response.headers.get(CORRELATION_HEADER)
    body = _json_body(response)
    common: dict[str, Any] = {"status": status, "correlation_id": correlation_id}
    detail = _detail(body, response)

    if status == 429:
        raise XeroRateLimited(
            response.headers.get("X-Rate-Limit-Problem"),
            parse_retry_after(response.headers.get("Retry-After")),
            **common,
        )
    if status in (401, 403) and _insufficient_scope(response, detail):
        raise XeroInsufficientScope(f"Xero: insufficient scope ({detail})", **common)
    if status == 401:
        if "tokenexpired" in detail.lower().replace(" ", ""):
            raise XeroTokenExpired(f"Xero: access token expired ({detail})", **common)
        raise XeroAuthError(f"Xero: unauthorised ({detail})", **common)
    if status == 403:
        raise XeroForbidden(f"Xero: forbidden ({detail})", **common)
    if status == 404:
        raise XeroNotFound(f"Xero: not found ({detail})", **common)
    if status == 400 and isinstance(body, dict):
        if body.get("Type") == "ValidationException":
            elements = parse_validation_exception(body)
            raise XeroValidationError(_validation_message(body, elements), elements=elements, **common)
        if "error" in body and isinstance(body["error"], str):
            raise XeroOAuthError(body["error"], _text(body.get("error_description")), **common)
    if status >= 500 and status != 501:
        raise XeroServerError(
            f"Xero server error ({detail})",
            retry_after=parse_retry_after(response.headers.get("Retry-After")),
            outcome_unknown=method in WRITE_METHODS,
            **common,
        )
    raise XeroBadRequest(f"Xero rejected the request ({detail})", **common)


def classify_token_response(response: requests.Response) -> None:
    """Like ``classify_response`` for the OAuth endpoints (``/connect/token``, ``/connect/revocation``),
    whose errors are ``{"error": "invalid_grant", "error_description": ...}``."""
    status = response.status_code
    if status < 400:
        return
    body = _json_body(response)
    correlation_id = response.headers.get(CORRELATION_HEADER)
    if status in (400, 401) and isinstance(body, dict) and isinstance(body.get("error"), str):
        raise XeroOAuthError(
            body["error"], _text(body.get("error_description")), status=status, correlation_id=correlation_id
        )
    classify_response(response, method="POST")


def classify_request_exception(error: requests.RequestException, *, method: str) -> XeroError:
    """The ``XeroError`` for a failure below HTTP (time-out, refused or dropped connection).
    Returned, not raised, so the caller can ``raise ... from error``."""
    import requests  # loaded by the caller, which made the request

    is_write = method.upper() in WRITE_METHODS
    name = type(error).__name__
    if isinstance(error, requests.ConnectTimeout):
        # Never connected: nothing was sent, so nothing can have been applied.
        return XeroTimeout(f"Xero did not accept the connection in time ({name})")
    if isinstance(error, requests.Timeout):
        return XeroTimeout(f"Xero did not answer in time ({name})", outcome_unknown=is_write)
    if isinstance(error, requests.ConnectionError):
        sent = not _never_connected(error)
        return XeroConnectionError(f"connection to Xero failed ({name})", outcome_unknown=is_write and sent)
    return XeroConnectionError(f"request to Xero failed ({name})", outcome_unknown=is_write)


def parse_retry_after(value: str | None) -> float | None:
    """``Retry-After`` as seconds: either a number of seconds or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


# --- helpers -----------------------------------------------------------------------------------------


def _request_method(response: requests.Response) -> str:
    request = getattr(response, "request", None)
    return str(getattr(request, "method", None) or "GET")


def _json_body(response: requests.Response) -> Any:
    if not response.content:
        return None
    try:
        return response.json()
    except (ValueError, json.JSONDecodeError):
        return None


def _detail(body: Any, response: requests.Response) -> str:
    """Xero's own explanation: ``Detail`` of the problem envelope, ``Message`` of an API error,
    or the plain text of a 503 ("The Xero API is currently offline for maintenance")."""
    if isinstance(body, dict):
        for key in ("Detail", "Message", "Title", "error_description", "error"):
            if body.get(key):
                return _text(body[key]) or ""
        return "no detail"
    if isinstance(body, str):
        return body[:_MAX_MESSAGE]
    text = (response.text or "").strip()
    if text and not text.startswith("<"):  # skip HTML error pages
        return text[:_MAX_MESSAGE]
    return response.reason or "no detail"


def _insufficient_scope(response: requests.Response, detail: str) -> bool:
    challenge = response.headers.get("WWW-Authenticate", "")
    return "insufficient_scope" in challenge.lower() or "insufficient_scope" in detail.lower()


def _validation_message(body: dict[str, Any], elements: list[ElementResult]) -> str:
    messages = [message for element in elements for message in element.errors]
    if not messages:
        return f"Xero validation failed: {_text(body.get('Message')) or 'no detail'}"
    shown = "; ".join(messages[:5])
    more = f" (+{len(messages) - 5} more)" if len(messages) > 5 else ""
    return f"Xero validation failed for {len(elements)} element(s): {shown}{more}"[: _MAX_MESSAGE * 2]


def _text(value: Any) -> str | None:
    if value is None:
        return None
    return str(value)[:_MAX_MESSAGE]


def _never_connected(error: requests.ConnectionError) -> bool:
    """True when the connection was refused or the host not found (nothing was sent)."""
    from urllib3.exceptions import MaxRetryError, NameResolutionError, NewConnectionError

    cause: Any = error.args[0] if error.args else None
    if isinstance(cause, MaxRetryError):
        cause = cause.reason
    return isinstance(cause, (NewConnectionError, NameResolutionError))
