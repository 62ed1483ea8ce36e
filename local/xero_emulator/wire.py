"""Xero's wire shapes shared by the HTTP modules: the problem-details envelope of 401/403
responses, the validation-error envelope of 400 responses, JSON responses, time formats."""

from __future__ import annotations

import json
import uuid
from datetime import datetime
from typing import Any

from flask import Response, current_app

from .state import EmulatorState
from .tokens import AccessTokenRecord, AuthFailure

JSON_CONTENT_TYPE = "application/json; charset=utf-8"


def current_state() -> EmulatorState:
    return current_app.config["EMULATOR_STATE"]


def json_response(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    payload = "" if body is None else json.dumps(body, ensure_ascii=False)
    response = Response(payload, status=status, content_type=JSON_CONTENT_TYPE)
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def problem_response(status: int, detail: str, headers: dict[str, str] | None = None) -> Response:
    """401/403 envelope (xero-facts §7): ``{"Type":null,"Title":...,"Status":...,"Detail":...,
    "Instance":"<uuid>","Extensions":{}}``."""
    title = {401: "Unauthorized", 403: "Forbidden"}.get(status, "Error")
    body = {
        "Type": None,
        "Title": title,
        "Status": status,
        "Detail": detail,
        "Instance": str(uuid.uuid4()),
        "Extensions": {},
    }
    return json_response(body, status, headers)


def validation_error_body(message: str) -> dict[str, Any]:
    """400 ``ValidationException`` for a request-level problem (SPEC ``#/components/schemas/Error``):
    the specific message in ``Message``, no elements."""
    return {"ErrorNumber": 10, "Type": "ValidationException", "Message": message, "Elements": []}


def token_expired_time(moment: datetime) -> str:
    """``07/14/2020 21:26:02`` — how Xero writes the expiry in a TokenExpired detail."""
    return moment.strftime("%m/%d/%Y %H:%M:%S")


def connection_datetime(moment: datetime) -> str:
    """``2019-12-07T18:46:19.5165400`` — the /connections date format (UTC, 7 decimals, no zone)."""
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond:06d}0"


def iso_utc(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


def authenticate_bearer(state: EmulatorState, authorization: str | None, now: datetime) -> AccessTokenRecord | Response:
    """Check ``Authorization: Bearer <access token>``; a refused token gives the 401 envelope.

    Expired → ``TokenExpired: token expired at <time>`` (xero-facts §7). Missing, malformed,
    unknown or revoked → ``AuthenticationUnsuccessful`` (the detail Xero uses when it cannot
    authenticate the caller at all; the exact text for a garbage token is UNCONFIRMED).
    """
    scheme, _, token = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return problem_response(401, "AuthenticationUnsuccessful")
    result = state.tokens.authenticate(token.strip(), now)
    if isinstance(result, AuthFailure):
        if result.reason == "expired" and result.expired_at is not None:
            return problem_response(401, f"TokenExpired: token expired at {token_expired_time(result.expired_at)}")
        return problem_response(401, "AuthenticationUnsuccessful")
    return result
