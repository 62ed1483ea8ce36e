"""Error classification for every status and body shape of xero-facts §7."""

from __future__ import annotations

import pytest
import requests
from urllib3.exceptions import MaxRetryError, NewConnectionError
from xero_unit_helpers import make_response

from xero_sync.xero.errors import (
    XeroAuthError,
    XeroBadRequest,
    XeroConnectionError,
    XeroForbidden,
    XeroInsufficientScope,
    XeroNotFound,
    XeroOAuthError,
    XeroRateLimited,
    XeroRetryableError,
    XeroServerError,
    XeroTimeout,
    XeroTokenExpired,
    XeroValidationError,
    classify_request_exception,
    classify_response,
    classify_token_response,
    parse_retry_after,
)

CORRELATION = {"Xero-Correlation-Id": "c0ffee00-0000-4000-8000-000000000001"}


def _raised(response: requests.Response, **kwargs):
    with pytest.raises(Exception) as info:
        classify_response(response, **kwargs)
    return info.value


@pytest.mark.parametrize("status", [200, 201, 204, 304])
def test_success_statuses_do_not_raise(status):
    assert classify_response(make_response(status)) is None


def test_validation_exception_carries_each_elements_messages():
    # Given a summarised 400 ValidationException echoing two failing invoices
    body = {
        "ErrorNumber": 10,
        "Type": "ValidationException",
        "Message": "A validation exception occurred",
        "Elements": [
            {"InvoiceNumber": "INV-1", "ValidationErrors": [{"Message": "Invoice # must be unique."}]},
            {
                "InvoiceNumber": "INV-2",
                "ValidationErrors": [{"Message": "Account code '999' is not a valid code for this document."}],
            },
        ],
    }
    # When it is classified
    error = _raised(make_response(400, body, headers=CORRELATION, method="PUT"))
    # Then it is a validation error with both messages, not retryable
    assert isinstance(error, XeroValidationError)
    assert error.messages == ["Invoice # must be unique.", "Account code '999' is not a valid code for this document."]
    assert [e.element["InvoiceNumber"] for e in error.elements] == ["INV-1", "INV-2"]
    assert error.status == 400 and error.correlation_id == CORRELATION["Xero-Correlation-Id"]
    assert not error.retryable and not error.outcome_unknown
    assert "Invoice # must be unique." in str(error)


def test_validation_exception_without_elements_uses_its_message():
    body = {"ErrorNumber": 10, "Type": "ValidationException", "Message": "The Idempotency-Key was reused"}
    error = _raised(make_response(400, body, method="POST"))
    assert isinstance(error, XeroValidationError)
    assert error.elements == []
    assert "Idempotency-Key was reused" in str(error)


def test_other_400_types_are_bad_requests():
    body = {"ErrorNumber": 16, "Type": "QueryParseException", "Message": "No property or field 'Foo' exists"}
    error = _raised(make_response(400, body))
    assert type(error) is XeroBadRequest
    assert "Foo" in str(error)


def test_token_expired_401():
    body = {
        "Type": None,
        "Title": "Unauthorized",
        "Status": 401,
        "Detail": "TokenExpired: token expired at 07/14/2020 21:26:02",
        "Instance": "3b1f",
        "Extensions": {},
    }
    error = _raised(make_response(401, body, headers=CORRELATION))
    assert isinstance(error, XeroTokenExpired)
    assert isinstance(error, XeroAuthError)


@pytest.mark.parametrize("status", [401, 403])
def test_insufficient_scope_from_www_authenticate(status):
    body = {"Type": None, "Title": "Unauthorized", "Status": status, "Detail": "AuthorizationUnsuccessful"}
    error = _raised(make_response(status, body, headers={"WWW-Authenticate": 'Bearer error="insufficient_scope"'}))
    assert isinstance(error, XeroInsufficientScope)


def test_other_401_is_an_auth_error_but_not_token_expired():
    error = _raised(
        make_response(401, {"Title": "Unauthorized", "Status": 401, "Detail": "AuthenticationUnsuccessful"})
    )
    assert type(error) is XeroAuthError


def test_forbidden_403_authentication_unsuccessful():
    body = {"Type": None, "Title": "Forbidden", "Status": 403, "Detail": "AuthenticationUnsuccessful"}
    error = _raised(make_response(403, body))
    assert isinstance(error, XeroForbidden)
    assert "AuthenticationUnsuccessful" in str(error)


def test_not_found_with_empty_body():
    error = _raised(make_response(404))
    assert isinstance(error, XeroNotFound)
    assert not error.retryable


@pytest.mark.parametrize("status", [405, 412, 501])
def test_unretryable_statuses(status):
    error = _raised(make_response(status, text=""))
    assert type(error) is XeroBadRequest
    assert not error.retryable


def test_rate_limited_with_retry_after_and_problem():
    error = _raised(make_response(429, headers={"Retry-After": "37", "X-Rate-Limit-Problem": "minute"}, method="PUT"))
    assert isinstance(error, XeroRateLimited) and isinstance(error, XeroRetryableError)
    assert error.problem == "minute"
    assert error.retry_after == 37
    assert not error.outcome_unknown  # limits are checked before processing


def test_rate_limited_without_retry_after():
    error = _raised(make_response(429, headers={"X-Rate-Limit-Problem": "concurrent"}))
    assert isinstance(error, XeroRateLimited)
    assert error.problem == "concurrent" and error.retry_after is None


@pytest.mark.parametrize(("method", "unknown"), [("GET", False), ("POST", True), ("PUT", True), ("DELETE", True)])
def test_server_error_outcome_unknown_only_on_writes(method, unknown):
    error = _raised(make_response(500, method=method))
    assert isinstance(error, XeroServerError)
    assert error.retryable
    assert error.outcome_unknown is unknown


def test_server_error_method_can_be_given_explicitly():
    error = _raised(make_response(502, method="GET"), method="PUT")
    assert error.outcome_unknown


def test_503_plain_text_message():
    error = _raised(
        make_response(503, text="The Xero API is currently offline for maintenance", headers={"Retry-After": "120"})
    )
    assert isinstance(error, XeroServerError)
    assert "offline for maintenance" in str(error)
    assert error.retry_after == 120


def test_html_error_pages_are_not_quoted():
    error = _raised(make_response(502, text="<html><body>Bad gateway</body></html>"))
    assert "<html>" not in str(error)


@pytest.mark.parametrize(
    ("status", "code"),
    [(400, "invalid_grant"), (400, "unsupported_grant_type"), (400, "invalid_scope"), (401, "invalid_client")],
)
def test_token_endpoint_errors(status, code):
    response = make_response(status, {"error": code}, method="POST", url="https://identity.example/connect/token")
    with pytest.raises(XeroOAuthError) as info:
        classify_token_response(response)
    assert info.value.error_code == code
    assert info.value.status == status


def test_token_endpoint_server_error_is_retryable():
    with pytest.raises(XeroServerError) as info:
        classify_token_response(make_response(503, text="temporarily unavailable", method="POST"))
    assert info.value.outcome_unknown  # a refresh Xero may have applied: the grace period covers it


def test_token_endpoint_success():
    assert classify_token_response(make_response(200, {"access_token": "x"})) is None


def test_retry_after_as_http_date_and_garbage():
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT") == 0.0  # in the past
    assert parse_retry_after("soon") is None
    assert parse_retry_after(None) is None
    assert parse_retry_after("2.5") == 2.5


# --- exceptions below HTTP ----------------------------------------------------------------------


def test_connect_timeout_never_sent():
    error = classify_request_exception(requests.ConnectTimeout("connect timed out"), method="POST")
    assert isinstance(error, XeroTimeout)
    assert not error.outcome_unknown


@pytest.mark.parametrize(("method", "unknown"), [("GET", False), ("PUT", True)])
def test_read_timeout_outcome_unknown_on_writes(method, unknown):
    error = classify_request_exception(requests.ReadTimeout("read timed out"), method=method)
    assert isinstance(error, XeroTimeout) and error.retryable
    assert error.outcome_unknown is unknown


def test_refused_connection_was_never_sent():
    refused = MaxRetryError(None, "/x", NewConnectionError(None, "Connection refused"))
    error = classify_request_exception(requests.ConnectionError(refused), method="POST")
    assert isinstance(error, XeroConnectionError)
    assert not error.outcome_unknown


def test_dropped_connection_on_write_is_outcome_unknown():
    dropped = requests.ConnectionError("('Connection aborted.', RemoteDisconnected('closed'))")
    error = classify_request_exception(dropped, method="POST")
    assert isinstance(error, XeroConnectionError)
    assert error.outcome_unknown
