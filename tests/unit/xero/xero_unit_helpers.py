"""Fakes and builders for the Xero client's unit tests (no I/O anywhere)."""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import requests

from xero_sync.settings import XeroSettings

TABLES = dict(
    connections_table="connections",
    org_config_table="org-config",
    oauth_states_table="oauth-states",
    api_keys_table="api-keys",
    rate_limits_table="rate-limits",
    records_table="records",
    history_table="history",
    links_table="links",
    invoice_views_table="invoice-views",
    console_sessions_table="console-sessions",
    idempotency_table="idempotency",
)


def make_settings(**overrides: Any) -> XeroSettings:
    values: dict[str, Any] = dict(
        TABLES,
        token_key_id="alias/test-tokens",
        xero_client_id="unit-client-id",
        xero_client_secret="unit-client-secret",
        xero_redirect_uri="http://localhost:3000/oauth/callback",
        xero_login_url="https://login.example",
        xero_identity_url="https://identity.example",
        xero_api_url="https://api.example",
    )
    values.update(overrides)
    return XeroSettings(**values)


def make_response(
    status: int,
    body: Any = None,
    *,
    headers: dict[str, str] | None = None,
    method: str = "GET",
    text: str | None = None,
    url: str = "https://api.example/api.xro/2.0/Invoices",
) -> requests.Response:
    response = requests.Response()
    response.status_code = status
    if text is not None:
        response._content = text.encode()
    elif body is not None:
        response._content = json.dumps(body).encode()
        response.headers["Content-Type"] = "application/json"
    else:
        response._content = b""
    response.headers.update(headers or {})
    response.request = requests.Request(method, url).prepare()
    response.url = url
    return response


def jwt(claims: dict[str, Any]) -> str:
    def part(data: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()

    return f"{part({'alg': 'RS256', 'typ': 'JWT'})}.{part(claims)}.c2lnbmF0dXJl"


class FakeClock:
    """Epoch-seconds clock whose ``sleep`` moves time forward (single-threaded tests)."""

    def __init__(self, start: float = 1_800_000_000.0) -> None:
        self.now = start
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += max(0.0, seconds)

    def advance(self, seconds: float) -> None:
        self.now += seconds


class FakeDateClock:
    """A datetime clock for the token manager, with ``sleep`` that moves it forward."""

    def __init__(self, start: datetime | None = None) -> None:
        self.now = start or datetime(2026, 11, 21, 12, 0, tzinfo=UTC)
        self.sleeps = 0
        self.on_sleep: list[Any] = []  # callbacks run at each sleep (simulate other workers)

    def __call__(self) -> datetime:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps += 1
        self.now += timedelta(seconds=seconds)
        for callback in list(self.on_sleep):
            callback()


@dataclass
class RecordedCall:
    method: str
    url: str
    kwargs: dict[str, Any]


@dataclass
class FakeSession:
    """Stands in for ``requests.Session``: answers from a queue and records every call."""

    responses: list[Any] = field(default_factory=list)
    calls: list[RecordedCall] = field(default_factory=list)

    def request(self, method: str, url: str, **kwargs: Any) -> requests.Response:
        self.calls.append(RecordedCall(method, url, kwargs))
        answer = self.responses.pop(0)
        if isinstance(answer, BaseException):
            raise answer
        if callable(answer):
            return answer(method, url, kwargs)
        return answer
