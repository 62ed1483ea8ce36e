"""The Accounting API client: one tenant's calls, with tokens, rate governor and typed errors.

    client = XeroApiClient(settings, tokens, governor)
    xero = client.for_org(org_id)                      # the org's tenant and access token
    response = xero.put("/Invoices", json={"Invoices": [...]},
                        params={"summarizeErrors": "false"}, idempotency_key=key)

Every call:

* sends ``Authorization: Bearer``, ``xero-tenant-id``, ``Accept: application/json`` (Xero answers
  XML otherwise, xero-facts §5) and ``Idempotency-Key`` when given (≤ 128 characters, §4);
* goes through the governor (``acquire`` before, ``release`` with Xero's headers after — also
  when the call failed), so the tenant's limits hold across every Lambda (§2);
* on 401 ``TokenExpired`` refreshes the token once (``force_refresh``) and repeats the call;
* on 403 ``AuthenticationUnsuccessful`` (or another 401 that a refresh did not cure) asks the
  token manager whether the tenant's connection is gone (``confirm_access_lost``): then the org
  is moved to ``needs_reauth``, its admin told, and ``ConnectionRemoved`` raised — an org is never
  left ``connected`` to a connection Xero no longer has (N7);
* on 429 lets the governor hold the tenant for ``Retry-After`` and repeats the call (up to
  ``rate_limit_retries`` times): Xero checks limits before processing a request, so a 429 was
  never applied and repeating it is safe even for writes (§4);
* raises a typed ``XeroError`` for anything else (errors.py), and logs the
  ``Xero-Correlation-Id`` that Xero support asks for (§7) — never a token.

``/connections`` is not an Accounting call and is not governed: see identity.py.

Calls have a priority (``CallPriority``, domain/app_budget.py): interactive before real-time
before background, in the app-wide budget that the governor keeps (the classes' shares of it are
in that module). ``for_org(org_id, priority=...)`` sets a tenant client's default, a call's
``priority=`` overrides it. A real-time or background call waits up to ``max_wait_seconds`` for
its turn; an interactive one (a person is looking at a page: the read view, F5) waits at most
``XERO_INTERACTIVE_MAX_WAIT_SECONDS`` and gives up after ``XERO_INTERACTIVE_TIMEOUT_SECONDS``, so
that its caller can answer from its cache instead.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

import requests

from xero_sync.clock import Clock, utcnow
from xero_sync.domain.app_budget import CallPriority
from xero_sync.observability import MetricUnit, logger, metrics
from xero_sync.settings import XeroSettings
from xero_sync.xero.errors import (
    CORRELATION_HEADER,
    ConnectionRemoved,
    NotConnected,
    XeroAuthError,
    XeroInsufficientScope,
    XeroRateLimited,
    XeroTokenExpired,
    classify_request_exception,
    classify_response,
)
from xero_sync.xero.governor import GovernorWait, Permit, RateGovernor
from xero_sync.xero.tokens import AccessToken, TokenManager

API_PREFIX = "/api.xro/2.0"
MAX_IDEMPOTENCY_KEY_LENGTH = 128
CONNECT_TIMEOUT_SECONDS = 5.0
TOKEN_MARGIN_SECONDS = 60.0
AFTER_CALL_SECONDS = 10.0
"""Time an invocation keeps after a call's answer, for recording it (the synced marks, history)."""


@dataclass(frozen=True)
class CallPolicy:
    max_wait_seconds: float  # for a turn under the tenant's limits (the governor)
    timeout_seconds: float | None  # Xero's answer (None: XERO_TIMEOUT_SECONDS)


@dataclass(frozen=True)
class XeroResponse:
    status: int
    body: Any  # parsed JSON, text for a non-JSON answer, None for an empty one
    headers: Mapping[str, str] = field(repr=False)
    correlation_id: str | None


class XeroApiClient:
    def __init__(
        self,
        settings: XeroSettings,
        tokens: TokenManager,
        governor: RateGovernor,
        session: requests.Session | None = None,
        *,
        max_wait_seconds: float = 20.0,
        rate_limit_retries: int = 1,
        clock: Clock = utcnow,
    ) -> None:
        self.settings = settings
        self.tokens = tokens
        self.governor = governor
        self.session = session or requests.Session()
        self.max_wait_seconds = max_wait_seconds
        self.rate_limit_retries = rate_limit_retries
        self.clock = clock
        self.api_base = f"{settings.xero_api_url}{API_PREFIX}"

    def policy(self, priority: CallPriority) -> CallPolicy:
        if priority is CallPriority.INTERACTIVE:
            return CallPolicy(
                max_wait_seconds=min(self.max_wait_seconds, self.settings.xero_interactive_max_wait_seconds),
                timeout_seconds=self.settings.xero_interactive_timeout_seconds,
            )
        return CallPolicy(max_wait_seconds=self.max_wait_seconds, timeout_seconds=None)

    def for_org(
        self,
        org_id: str,
        *,
        priority: CallPriority = CallPriority.BACKGROUND,
        time_left: Callable[[], float] | None = None,
    ) -> TenantClient:
        """A client for the tenant the org is connected to (raises ``NotConnected`` if the org
        has no tenant yet, ``ReauthRequired`` if its refresh token was rejected); its calls are of
        class ``priority`` unless a call says otherwise. ``time_left``: seconds left in the
        invocation (a Lambda's remaining time), which bounds each call (see ``TenantClient``)."""
        token = self.tokens.access_token(org_id)
        if not token.tenant_id:
            raise NotConnected(org_id, "no Xero tenant chosen")
        return TenantClient(self, org_id, token.tenant_id, token, priority=priority, time_left=time_left)


class TenantClient:
    def __init__(
        self,
        client: XeroApiClient,
        org_id: str,
        tenant_id: str,
        token: AccessToken,
        *,
        priority: CallPriority = CallPriority.BACKGROUND,
        time_left: Callable[[], float] | None = None,
    ) -> None:
        self._client = client
        self.org_id = org_id
        self.tenant_id = tenant_id
        self._token = token
        self.priority = priority
        self._time_left = time_left

    # --- convenience -----------------------------------------------------------------------------

    def get(self, path: str, *, params: Mapping[str, Any] | None = None, **kwargs: Any) -> XeroResponse:
        return self.request("GET", path, params=params, **kwargs)

    def put(self, path: str, *, json: Any = None, **kwargs: Any) -> XeroResponse:
        return self.request("PUT", path, json=json, **kwargs)

    def post(self, path: str, *, json: Any = None, **kwargs: Any) -> XeroResponse:
        return self.request("POST", path, json=json, **kwargs)

    def delete(self, path: str, **kwargs: Any) -> XeroResponse:
        return self.request("DELETE", path, **kwargs)

    # --- the call --------------------------------------------------------------------------------

    def request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        json: Any = None,
        idempotency_key: str | None = None,
        headers: Mapping[str, str] | None = None,
        timeout: float | None = None,
        priority: CallPriority | None = None,
    ) -> XeroResponse:
        method = method.upper()
        priority = priority or self.priority
        policy = self._within_the_invocation(self._client.policy(priority), timeout)
        url = self._url(path)
        _check_idempotency_key(idempotency_key)
        refreshed = False
        rate_limit_retries = self._client.rate_limit_retries
        while True:
            token = self._current_token()
            try:
                return self._send(
                    method,
                    url,
                    path,
                    token,
                    params,
                    json,
                    idempotency_key,
                    headers,
                    timeout or policy.timeout_seconds,
                    policy.max_wait_seconds,
                    priority,
                )
            except GovernorWait:
                raise  # nothing was sent: the caller decides (usually: re-queue with a delay)
            except XeroTokenExpired:
                if refreshed:
                    raise
                refreshed = True
                self._token = self._client.tokens.force_refresh(self.org_id, token.token_version)
            except XeroInsufficientScope:
                raise  # the admin must consent to more: not a lost connection
            except XeroAuthError as error:
                if error.status == 401 and not refreshed:  # a revoked access token: try a fresh one once
                    refreshed = True
                    self._token = self._client.tokens.force_refresh(self.org_id, token.token_version)
                    continue
                self._check_access_lost(token, error)
                raise
            except XeroRateLimited:
                if rate_limit_retries <= 0:
                    raise
                rate_limit_retries -= 1  # the governor now holds the tenant; acquire waits for it

    def _within_the_invocation(self, policy: CallPolicy, timeout: float | None) -> CallPolicy:
        """A call waits for its turn only as long as the invocation can still wait, then have
        Xero's answer (the read time-out) and record it (AFTER_CALL_SECONDS). Several invocations
        of one tenant (a backfill's five) share its 60 calls a minute, and each waits up to
        ``max_wait_seconds`` per call: five calls in a row could outlive the Lambda's time-out,
        which would leave their records claimed until SQS redelivers them. With too little time
        left the call is not made (``GovernorWait``: nothing sent; the records go back to their
        queue without spending an attempt)."""
        if self._time_left is None:
            return policy
        answer = timeout or policy.timeout_seconds or self._client.settings.xero_timeout_seconds
        can_wait = self._time_left() - answer - AFTER_CALL_SECONDS
        if can_wait <= 0:
            raise GovernorWait("invocation", 1.0)
        return replace(policy, max_wait_seconds=min(policy.max_wait_seconds, can_wait))

    def _send(
        self,
        method: str,
        url: str,
        path: str,
        token: AccessToken,
        params: Mapping[str, Any] | None,
        json: Any,
        idempotency_key: str | None,
        extra_headers: Mapping[str, str] | None,
        timeout: float | None,
        max_wait_seconds: float,
        priority: CallPriority,
    ) -> XeroResponse:
        request_headers = {
            **(extra_headers or {}),
            "Authorization": f"Bearer {token.value.get_secret_value()}",
            "xero-tenant-id": self.tenant_id,
            "Accept": "application/json",
        }
        if idempotency_key:
            request_headers["Idempotency-Key"] = idempotency_key
        read_timeout = timeout or self._client.settings.xero_timeout_seconds
        governor = self._client.governor
        permit = governor.acquire(self.tenant_id, max_wait_seconds=max_wait_seconds, priority=priority)
        started = time.perf_counter()
        response: requests.Response | None = None
        try:
            response = self._client.session.request(
                method,
                url,
                params=params,
                json=json,
                headers=request_headers,
                timeout=(min(CONNECT_TIMEOUT_SECONDS, read_timeout), read_timeout),
            )
        except requests.RequestException as error:
            self._observe(method, path, None, started, None)
            raise classify_request_exception(error, method=method) from error
        finally:
            self._release(governor, permit, response)
        correlation_id = response.headers.get(CORRELATION_HEADER)
        self._observe(method, path, response.status_code, started, correlation_id)
        classify_response(response, method=method)
        return XeroResponse(
            status=response.status_code,
            body=_body(response),
            headers=dict(response.headers),
            correlation_id=correlation_id,
        )

    # --- helpers ---------------------------------------------------------------------------------

    def _check_access_lost(self, token: AccessToken, error: XeroAuthError) -> None:
        """Raise ``ConnectionRemoved`` when Xero's refusal means the tenant's connection is gone
        (the token manager then moved the org to needs_reauth and told the admin)."""
        if self._client.tokens.confirm_access_lost(token, self.tenant_id):
            raise ConnectionRemoved(self.org_id, self.tenant_id, error) from error

    def _current_token(self) -> AccessToken:
        if self._token.expires_within(TOKEN_MARGIN_SECONDS, self._client.clock()):
            self._token = self._client.tokens.access_token(self.org_id)
        return self._token

    def _url(self, path: str) -> str:
        if not path.startswith("/") or path.startswith("//") or "://" in path:
            raise ValueError(f"path must be relative to {API_PREFIX} and start with '/': {path!r}")
        return f"{self._client.api_base}{path}"

    def _release(self, governor: RateGovernor, permit: Permit, response: requests.Response | None) -> None:
        try:
            governor.release(
                permit,
                headers=response.headers if response is not None else None,
                status=response.status_code if response is not None else None,
            )
        except Exception:  # the slot's lease expires on its own; never hide Xero's answer
            logger.exception("rate governor release failed", extra={"tenant_id": self.tenant_id})

    def _observe(self, method: str, path: str, status: int | None, started: float, correlation_id: str | None) -> None:
        duration_ms = (time.perf_counter() - started) * 1000
        metrics.add_metric(name="XeroCalls", unit=MetricUnit.Count, value=1)
        metrics.add_metric(name="XeroLatency", unit=MetricUnit.Milliseconds, value=duration_ms)
        if status == 429:
            metrics.add_metric(name="XeroRateLimited", unit=MetricUnit.Count, value=1)
        logger.info(
            "Xero call",
            extra={
                "org_id": self.org_id,
                "tenant_id": self.tenant_id,
                "method": method,
                "path": path,
                "status": status,
                "duration_ms": round(duration_ms, 1),
                "xero_correlation_id": correlation_id,
            },
        )


def _check_idempotency_key(key: str | None) -> None:
    if key is None:
        return
    if not key or len(key) > MAX_IDEMPOTENCY_KEY_LENGTH or not key.isascii() or not key.isprintable():
        raise ValueError(f"Idempotency-Key must be 1-{MAX_IDEMPOTENCY_KEY_LENGTH} printable ASCII characters")


def _body(response: requests.Response) -> Any:
    if not response.content:
        return None
    try:
        return response.json()
    except ValueError:
        return response.text
