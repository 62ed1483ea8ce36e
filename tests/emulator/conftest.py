"""Shared fixtures for every emulator test (tests/emulator/ and tests/emulator/accounting/).

One emulator is started per test session (in-process, on a free port, ``start_in_thread``) and
reset before each test (``POST /_emulator/reset``: tenants re-seeded, no tokens, connections,
limits, faults or idempotency keys; the clock is not rewound). Its clock is frozen: emulated time
moves only through ``emulator.clock.advance`` (or the control plane). Every response it gives during a
test is recorded and, at the end of the test, checked against Xero's OpenAPI documents
(``openapi_validation.py``); violations fail the test with a list. Mark a test with
``@pytest.mark.no_openapi_check`` only when it produces deliberately malformed traffic.

Fixtures
  emulator           the running, freshly reset emulator (``EmulatorServer``): ``.base_url``,
                     ``.state`` (e.g. ``.state.faults.add("http_503")``, ``.state.start_tenant_ids``),
                     ``.clock`` (``.clock.advance(seconds)``). Two start tenants, auto-consent off,
                     default client ``demo-client-id`` / ``demo-client-secret``.
  oauth              ``support.OAuthDriver`` for the emulator: drive the consent page, token calls.
  xero               ``support.XeroSession`` connected with every scope the service uses to the first
                     start tenant: ``xero.get("/Contacts")``, ``xero.put("/Contacts", {...})``,
                     ``xero.headers(...)``, ``xero.tenant_id``.
  webhook_receiver   a ``support.WebhookReceiver`` subscribed to the emulator's webhooks.
  sdk_client         the official xero-python SDK pointed at the emulator: a namespace with
                     ``api_client`` (``ApiClient`` with an ``OAuth2Token`` holding the session's
                     tokens, refreshing through the emulator), ``accounting`` (``AccountingApi``),
                     ``identity`` (``IdentityApi``), ``tenant_id``, ``session`` (the XeroSession) and
                     ``stored`` (the token dict the SDK currently holds).
  openapi_checker    the session's ``ResponseChecker`` (skips the test when the documents are unavailable).
  webhook_payload_errors  ``f(body, intent_to_receive=False) -> [violations]`` against xero-webhooks.yaml.

Set ``XERO_OPENAPI_DIR`` (CI: ``../shared/xero-openapi``) or let the pinned documents download.
"""

from __future__ import annotations

import threading
import warnings
from collections.abc import Iterator
from types import SimpleNamespace
from typing import Any

import pytest
import requests

from local.xero_emulator import EmulatorOptions, start_in_thread
from local.xero_emulator.server import EmulatorServer
from tests.emulator.openapi_validation import OpenApiUnavailable, ResponseChecker, locate_documents
from tests.emulator.support import ALL_SCOPES, OAuthDriver, WebhookReceiver, XeroSession


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "no_openapi_check: do not check this test's responses against the OpenAPI documents"
    )


class _Recorder:
    """Collects the request/response pairs the server reports (thread-safe)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._records: list[dict[str, Any]] = []

    def __call__(self, record: dict[str, Any]) -> None:
        with self._lock:
            self._records.append(record)

    def take(self) -> list[dict[str, Any]]:
        with self._lock:
            records, self._records = self._records, []
        return records


@pytest.fixture(scope="session")
def _openapi_documents() -> Any:
    try:
        return locate_documents()
    except OpenApiUnavailable as error:
        return error


@pytest.fixture(scope="session")
def openapi_checker(_openapi_documents: Any) -> ResponseChecker:
    if isinstance(_openapi_documents, OpenApiUnavailable):
        pytest.skip(f"Xero OpenAPI documents unavailable: {_openapi_documents}")
    return ResponseChecker(_openapi_documents)


@pytest.fixture(scope="session")
def webhook_payload_errors(_openapi_documents: Any) -> Any:
    """``webhook_payload_errors(body, intent_to_receive=False) -> list[str]``: the body's violations of
    xero-webhooks.yaml; without the documents it checks nothing (with a warning) instead of skipping."""
    if isinstance(_openapi_documents, OpenApiUnavailable):

        def unchecked(body: bytes, intent_to_receive: bool = False) -> list[str]:
            warnings.warn(f"webhook payload not checked: {_openapi_documents}", stacklevel=2)
            return []

        return unchecked
    return ResponseChecker(_openapi_documents).check_webhook_payload


@pytest.fixture(scope="session")
def _emulator_session() -> Iterator[tuple[EmulatorServer, _Recorder]]:
    options = EmulatorOptions(
        port=0,
        tenants=2,
        auto_consent=False,
        # Frozen: emulated time moves only when a test advances it, so a limit window, a token's
        # life or a code's five minutes never run out because the machine was slow.
        time_scale=0,
    )
    server = start_in_thread(options)
    recorder = _Recorder()
    server.state.response_recorder = recorder
    yield server, recorder
    server.stop()


@pytest.fixture
def emulator(
    request: pytest.FixtureRequest, _emulator_session: tuple[EmulatorServer, _Recorder], _openapi_documents: Any
) -> Iterator[EmulatorServer]:
    server, recorder = _emulator_session
    response = requests.post(f"{server.base_url}/_emulator/reset", timeout=30)
    assert response.status_code == 200, response.text
    recorder.take()
    yield server
    server.state.webhooks.wait_idle(timeout=2)
    records = recorder.take()
    if request.node.get_closest_marker("no_openapi_check"):
        return
    if isinstance(_openapi_documents, OpenApiUnavailable):
        warnings.warn(f"responses not checked against OpenAPI: {_openapi_documents}", stacklevel=1)
        return
    checker = ResponseChecker(_openapi_documents)
    violations = [v for record in records for v in checker.check(record)]
    if violations:
        pytest.fail("emulator responses violate Xero's OpenAPI documents:\n  " + "\n  ".join(violations[:50]))


@pytest.fixture
def oauth(emulator: EmulatorServer) -> OAuthDriver:
    return OAuthDriver(emulator.base_url, emulator.state.options.client_id, emulator.state.options.client_secret)


@pytest.fixture
def xero(oauth: OAuthDriver) -> XeroSession:
    return oauth.connect(scope=ALL_SCOPES)


@pytest.fixture
def webhook_receiver(emulator: EmulatorServer) -> Iterator[WebhookReceiver]:
    receiver = WebhookReceiver()
    emulator.state.webhooks.configure(receiver.url, receiver.key)
    yield receiver
    emulator.state.webhooks.configure(None, None)
    receiver.stop()


@pytest.fixture
def sdk_client(emulator: EmulatorServer, xero: XeroSession, monkeypatch: pytest.MonkeyPatch) -> SimpleNamespace:
    """The xero-python SDK configured against the emulator, holding ``xero``'s tokens."""
    from xero_python.accounting import AccountingApi
    from xero_python.api_client import ApiClient, Configuration
    from xero_python.api_client.oauth2 import OAuth2Token, TokenApi
    from xero_python.identity import IdentityApi

    base = emulator.base_url
    # The SDK hard-codes identity.xero.com for token calls; point them at the emulator.
    monkeypatch.setattr(TokenApi, "refresh_token_url", f"{base}/connect/token")
    monkeypatch.setattr(TokenApi, "revoke_token_url", f"{base}/connect/revocation")
    monkeypatch.setattr(TokenApi, "client_credentials_token_url", f"{base}/connect/token")

    options = emulator.state.options
    stored: dict[str, Any] = {}
    api_client = ApiClient(
        Configuration(oauth2_token=OAuth2Token(client_id=options.client_id, client_secret=options.client_secret)),
        pool_threads=1,
        oauth2_token_getter=lambda: stored.get("token"),
        oauth2_token_saver=lambda token: stored.__setitem__("token", token),
    )
    token = dict(xero.tokens)
    token["scope"] = token["scope"].split()
    api_client.set_oauth2_token(token)
    return SimpleNamespace(
        api_client=api_client,
        accounting=AccountingApi(api_client, base_url=f"{base}/api.xro/2.0"),
        identity=IdentityApi(api_client, base_url=base),
        tenant_id=xero.tenant_id,
        session=xero,
        stored=stored,
    )
