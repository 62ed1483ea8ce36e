"""Test helpers for talking to the running emulator like a browser and a Xero client would.
Used through the fixtures in ``conftest.py``; importable as ``tests.emulator.support``.

* ``OAuthDriver``  — drives the consent page with ``requests`` (authorize → consent form → code →
  token), with or without PKCE, and calls the token/revocation endpoints.
* ``XeroSession``  — a connected caller: ``session.get("/Contacts")`` sends the bearer token,
  ``xero-tenant-id`` and ``Accept: application/json`` to ``/api.xro/2.0/Contacts``.
* ``WebhookReceiver`` — a real HTTP receiver on a free port that checks ``x-xero-signature``
  and records every delivery.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import secrets
import threading
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlsplit

import requests
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

# Everything the sync service asks for (xero-facts §1.4), plus OpenID for the user's identity.
ALL_SCOPES = (
    "openid profile email offline_access accounting.settings accounting.contacts accounting.invoices "
    "accounting.payments accounting.banktransactions accounting.manualjournals"
)
REDIRECT_URI = "http://localhost:8080/oauth/callback"
HTTP_TIMEOUT = 10


def pkce_pair() -> tuple[str, str]:
    """(code_verifier, S256 code_challenge)."""
    verifier = secrets.token_urlsafe(48)[:64]
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    return verifier, challenge


def query_of(location: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(location).query).items()}


@dataclass
class ConsentPage:
    response: requests.Response
    request_id: str
    tenant_ids: list[str]


class OAuthDriver:
    def __init__(
        self, base_url: str, client_id: str = "demo-client-id", client_secret: str = "demo-client-secret"
    ) -> None:
        self.base_url = base_url
        self.client_id = client_id
        self.client_secret = client_secret
        self.http = requests.Session()

    # --- browser side ---------------------------------------------------------------------

    def authorize(
        self,
        scope: str = ALL_SCOPES,
        redirect_uri: str = REDIRECT_URI,
        state: str = "st-1",
        code_challenge: str | None = None,
        client_id: str | None = None,
        **extra: str,
    ) -> requests.Response:
        params = {
            "response_type": "code",
            "client_id": client_id or self.client_id,
            "redirect_uri": redirect_uri,
            "scope": scope,
            "state": state,
            **extra,
        }
        if code_challenge is not None:
            params["code_challenge"] = code_challenge
            params.setdefault("code_challenge_method", "S256")
        return self.http.get(
            f"{self.base_url}/identity/connect/authorize", params=params, allow_redirects=False, timeout=HTTP_TIMEOUT
        )

    def consent_page(self, **authorize_args: Any) -> ConsentPage:
        response = self.authorize(**authorize_args)
        assert response.status_code == 200, (response.status_code, response.headers.get("Location"))
        request_id = re.search(r'name="request_id" value="([^"]+)"', response.text)
        assert request_id, "no consent form"
        tenant_ids = re.findall(r'name="tenant_id" value="([^"]+)"', response.text)
        return ConsentPage(response, request_id.group(1), tenant_ids)

    def answer(self, page: ConsentPage, allow: bool = True, tenant_ids: list[str] | None = None) -> requests.Response:
        form: list[tuple[str, str]] = [("request_id", page.request_id), ("action", "allow" if allow else "cancel")]
        form += [("tenant_id", t) for t in (tenant_ids if tenant_ids is not None else page.tenant_ids[:1])]
        return self.http.post(
            f"{self.base_url}/identity/connect/authorize/consent",
            data=form,
            allow_redirects=False,
            timeout=HTTP_TIMEOUT,
        )

    def get_code(self, tenant_ids: list[str] | None = None, **authorize_args: Any) -> str:
        page = self.consent_page(**authorize_args)
        redirect = self.answer(page, tenant_ids=tenant_ids)
        assert redirect.status_code == 302, redirect.text
        return query_of(redirect.headers["Location"])["code"]

    # --- server side ----------------------------------------------------------------------

    def token_request(self, form: dict[str, str], auth: str = "basic") -> requests.Response:
        """``auth``: "basic" (Authorization header), "body" (client_id/secret in the form), "none"."""
        data = dict(form)
        kwargs: dict[str, Any] = {}
        if auth == "basic":
            kwargs["auth"] = (self.client_id, self.client_secret)
        elif auth == "body":
            data.update(client_id=self.client_id, client_secret=self.client_secret)
        return self.http.post(f"{self.base_url}/connect/token", data=data, timeout=HTTP_TIMEOUT, **kwargs)

    def exchange(
        self, code: str, redirect_uri: str = REDIRECT_URI, code_verifier: str | None = None, auth: str = "basic"
    ) -> requests.Response:
        form = {"grant_type": "authorization_code", "code": code, "redirect_uri": redirect_uri}
        if code_verifier is not None:
            form["code_verifier"] = code_verifier
        return self.token_request(form, auth)

    def refresh(self, refresh_token: str, auth: str = "basic") -> requests.Response:
        return self.token_request({"grant_type": "refresh_token", "refresh_token": refresh_token}, auth)

    def revoke(self, refresh_token: str) -> requests.Response:
        return self.http.post(
            f"{self.base_url}/connect/revocation",
            data={"token": refresh_token},
            auth=(self.client_id, self.client_secret),
            timeout=HTTP_TIMEOUT,
        )

    def connect(self, scope: str = ALL_SCOPES, tenant_ids: list[str] | None = None, pkce: bool = True) -> XeroSession:
        """The whole consent flow: returns a session holding the tokens and connected tenants."""
        verifier, challenge = pkce_pair() if pkce else (None, None)
        code = self.get_code(tenant_ids=tenant_ids, scope=scope, code_challenge=challenge)
        response = self.exchange(code, code_verifier=verifier)
        assert response.status_code == 200, response.text
        session = XeroSession(self.base_url, response.json())
        session.refresh_connections()
        return session


@dataclass
class XeroSession:
    base_url: str
    tokens: dict[str, Any]
    connections: list[dict[str, Any]] = field(default_factory=list)
    http: requests.Session = field(default_factory=requests.Session)
    default_tenant_id: str | None = None  # the first connected tenant, fixed once known

    @property
    def access_token(self) -> str:
        return self.tokens["access_token"]

    @property
    def tenant_id(self) -> str:
        assert self.default_tenant_id, "no tenant connected"
        return self.default_tenant_id

    def refresh_connections(self) -> list[dict[str, Any]]:
        response = self.http.get(f"{self.base_url}/connections", headers=self.auth_header(), timeout=HTTP_TIMEOUT)
        assert response.status_code == 200, response.text
        self.connections = response.json()
        if self.default_tenant_id is None and self.connections:
            self.default_tenant_id = self.connections[0]["tenantId"]
        return self.connections

    def auth_header(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.access_token}"}

    def headers(self, tenant_id: str | None = None, **extra: str) -> dict[str, str]:
        return {
            **self.auth_header(),
            "xero-tenant-id": tenant_id or self.tenant_id,
            "Accept": "application/json",
            **extra,
        }

    def call(
        self,
        method: str,
        path: str,
        json_body: Any = None,
        tenant_id: str | None = None,
        headers: dict[str, str] | None = None,
        **kwargs: Any,
    ) -> requests.Response:
        """``path`` below /api.xro/2.0 (e.g. "/Contacts"). ``headers`` replace the defaults."""
        kwargs.setdefault("timeout", HTTP_TIMEOUT)
        return self.http.request(
            method,
            f"{self.base_url}/api.xro/2.0{path}",
            json=json_body,
            headers=headers if headers is not None else self.headers(tenant_id),
            **kwargs,
        )

    def get(self, path: str, **kwargs: Any) -> requests.Response:
        return self.call("GET", path, **kwargs)

    def put(self, path: str, json_body: Any, **kwargs: Any) -> requests.Response:
        return self.call("PUT", path, json_body, **kwargs)

    def post(self, path: str, json_body: Any, **kwargs: Any) -> requests.Response:
        return self.call("POST", path, json_body, **kwargs)


@dataclass
class Delivery:
    headers: dict[str, str]
    body: bytes
    signature_valid: bool

    @property
    def payload(self) -> dict[str, Any]:
        return json.loads(self.body)


class WebhookReceiver:
    """A webhook endpoint as the service must implement it: 200 for a valid signature, 401 for an
    invalid one, empty body. ``fail_next(n)`` answers 500 to the next n deliveries."""

    def __init__(self, key: str = "test-webhook-key") -> None:
        self.key = key
        self.deliveries: list[Delivery] = []
        self._failures_left = 0
        self._lock = threading.Lock()
        self._arrived = threading.Condition(self._lock)
        self._server = make_server("127.0.0.1", 0, self._app, threaded=True)
        self.url = f"http://127.0.0.1:{self._server.server_port}/webhooks/xero"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    def _app(self, environ: dict[str, Any], start_response: Any) -> Any:
        request = Request(environ)
        body = request.get_data()
        expected = base64.b64encode(hmac.new(self.key.encode(), body, hashlib.sha256).digest()).decode()
        valid = hmac.compare_digest(expected, request.headers.get("x-xero-signature", ""))
        with self._arrived:
            self.deliveries.append(Delivery(dict(request.headers), body, valid))
            failing = self._failures_left > 0
            if failing:
                self._failures_left -= 1
            self._arrived.notify_all()
        status = 500 if failing else (200 if valid else 401)
        return Response(b"", status=status)(environ, start_response)

    def fail_next(self, count: int) -> None:
        with self._lock:
            self._failures_left = count

    def wait_for(self, count: int, timeout: float = 60.0) -> list[Delivery]:
        """Wait until at least ``count`` deliveries arrived; returns all of them. ``timeout``
        bounds a failure only: the deliveries come from the emulator's own thread."""
        with self._arrived:
            self._arrived.wait_for(lambda: len(self.deliveries) >= count, timeout)
            return list(self.deliveries)

    def events(self) -> list[dict[str, Any]]:
        with self._lock:
            return [e for d in self.deliveries if d.signature_valid for e in d.payload["events"]]

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
