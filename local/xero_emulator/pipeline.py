"""The ``/api.xro/2.0/...`` request pipeline. Every Accounting API call goes through these steps,
in this order (each one can end the request):

  1. request log entry
  2. bearer token            401 TokenExpired / AuthenticationUnsuccessful      (xero-facts §7)
  3. xero-tenant-id          403 AuthenticationUnsuccessful unless the token's user has
                             connected this app to that tenant                   (§1.5)
  4. scope                   401 AuthorizationUnsuccessful + WWW-Authenticate     (§1.4, §7)
  5. rate limits             429 + X-Rate-Limit-Problem + Retry-After; not counted (§2)
  6. Accept                  406 unless the client accepts application/json (Xero would answer
                             XML; the emulator speaks JSON only)                  (§5)
  7. pre-commit faults       http_500 / http_503 / slow / hold (an injected http_429 acts at step 5)
  8. idempotency             400 for a key > 128 chars or reused with another request; replay
                             of the stored response                               (§4)
  9. accounting engine       books.handle() under the tenant's lock; its events → webhooks
 10. store the response under the idempotency key
 11. post-commit faults      drop_after_commit / timeout_after_commit
 12. headers                 X-DayLimit/MinLimit/AppMinLimit-Remaining on every response
                             (Xero-Correlation-Id is added to every response by the server)
"""

from __future__ import annotations

import json
import logging
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

from flask import Blueprint, Response, g, request

from .faults import FaultRule
from .idempotency import IDEMPOTENT_METHODS, MAX_KEY_LENGTH, StoredResponse, fingerprint
from .interfaces import AccountingRequest, AccountingResponse, ResourceEvent
from .requestlog import RequestEntry
from .scopes import scopes_for_endpoint
from .state import EmulatorState, Tenant
from .tokens import AccessTokenRecord
from .wire import (
    JSON_CONTENT_TYPE,
    authenticate_bearer,
    current_state,
    json_response,
    problem_response,
    validation_error_body,
)

logger = logging.getLogger(__name__)

blueprint = Blueprint("accounting_api", __name__)

API_PREFIX = "/api.xro/2.0"
MAX_BODY_BYTES = 3_500_000  # 3.5 MB per POST/PUT (xero-facts §3.2)
DROP_CONNECTION = "xero_emulator.drop_connection"  # WSGI environ flag read by server.py

_SERVER_ERROR_TEXT = (
    "An error occurred in Xero. Check the API Status page http://status.developer.xero.com for current service status."
)
_OUTAGE_TEXT = "The Xero API is currently offline for maintenance"


@dataclass
class _Call:
    """What the pipeline learned about the request so far."""

    state: EmulatorState
    entry: RequestEntry
    method: str
    path: str  # below /api.xro/2.0
    caller: AccessTokenRecord | None = None
    tenant: Tenant | None = None
    limit_headers: dict[str, str] = field(default_factory=dict)


def _uuid_or_none(value: str | None) -> str | None:
    try:
        return str(uuid.UUID(value or ""))
    except ValueError:
        return None


def _text_response(text: str, status: int, headers: dict[str, str] | None = None) -> Response:
    response = Response(text, status=status, content_type="text/plain; charset=utf-8")
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


@blueprint.route(API_PREFIX + "/<path:subpath>", methods=["GET", "PUT", "POST", "DELETE", "PATCH"])
def accounting_api(subpath: str) -> Response:
    state = current_state()
    method = request.method.upper()
    path = "/" + subpath
    entry: RequestEntry = g.log_entry  # made by the server for every request to a Xero path
    entry.tenant_id = request.headers.get("xero-tenant-id")
    entry.idempotency_key = request.headers.get("Idempotency-Key")
    call = _Call(state, entry, method, path)
    response = _authorise_and_run(call)
    for name, value in call.limit_headers.items():
        response.headers.setdefault(name, value)
    return response


def _authorise_and_run(call: _Call) -> Response:
    state = call.state
    now = state.clock.now()

    # 2. bearer token
    caller = authenticate_bearer(state, request.headers.get("Authorization"), now)
    if isinstance(caller, Response):
        call.limit_headers = state.limits.peek_headers(None, None, None, now.timestamp())
        call.entry.notes["detail"] = "token refused"
        return caller
    call.caller = caller
    call.entry.client_id = caller.client_id

    # 3. tenant header: must name a tenant this user has connected to this app
    tenant_id = _uuid_or_none(request.headers.get("xero-tenant-id"))
    tenant = state.tenant(tenant_id) if tenant_id else None
    if tenant is None or not state.is_connected(caller.client_id, caller.user_id, tenant.tenant_id):
        call.limit_headers = state.limits.peek_headers(caller.client_id, None, None, now.timestamp())
        call.entry.notes["detail"] = "tenant missing, unknown or not connected"
        return problem_response(403, "AuthenticationUnsuccessful")
    call.tenant = tenant
    call.entry.tenant_id = tenant.tenant_id

    # 4. scope
    required = scopes_for_endpoint(call.method, call.path)
    if required is not None and not (caller.scopes & required):
        call.limit_headers = state.limits.peek_headers(
            caller.client_id, tenant.tenant_id, tenant.day_limit, now.timestamp()
        )
        call.entry.notes["detail"] = f"needs one of {sorted(required)}"
        return problem_response(401, "AuthorizationUnsuccessful", {"WWW-Authenticate": "insufficient_scope"})

    # 5. rate limits (an injected http_429 acts here: refused and, like a real 429, not counted)
    injected = state.faults.take_rate_limit(call.method, call.path, tenant.tenant_id)
    if injected is not None:
        call.limit_headers = state.limits.peek_headers(
            caller.client_id, tenant.tenant_id, tenant.day_limit, now.timestamp()
        )
        call.entry.notes.update(fault=injected.kind, counted=False)
        state.count_call(tenant.tenant_id, rate_limited=True)
        return _injected_rate_limit(call, injected)
    decision = state.limits.acquire(caller.client_id, tenant.tenant_id, tenant.day_limit, now.timestamp())
    call.limit_headers = decision.headers
    if decision.problem is not None:
        state.count_call(tenant.tenant_id, rate_limited=True)
        call.entry.notes.update(rate_limit_problem=decision.problem, counted=False)
        return _rate_limited(decision.problem, decision.retry_after)
    state.count_call(tenant.tenant_id, rate_limited=False)
    call.entry.notes["counted"] = True
    try:
        return _run_counted_call(call)
    finally:
        state.limits.release(caller.client_id, tenant.tenant_id)


def _rate_limited(problem: str, retry_after: int | None) -> Response:
    headers = {"X-Rate-Limit-Problem": problem}
    if retry_after is not None:
        headers["Retry-After"] = str(retry_after)
    # Xero documents no 429 body; an empty one is what clients must cope with.
    return _text_response("", 429, headers)


def _run_counted_call(call: _Call) -> Response:
    state, tenant = call.state, call.tenant
    assert tenant is not None and call.caller is not None

    # 6. JSON only
    if "application/json" not in request.headers.get("Accept", "").lower():
        call.entry.notes["detail"] = "Accept: application/json missing"
        return _text_response(
            "The emulator answers in JSON only: send 'Accept: application/json' (Xero would answer in XML).", 406
        )

    # 7. pre-commit faults
    fault = state.faults.take_pre_commit(call.method, call.path, tenant.tenant_id)
    if fault is not None:
        call.entry.notes["fault"] = fault.kind
        early = _pre_commit_fault(call, fault)
        if early is not None:
            return early

    # 8. idempotency
    key = request.headers.get("Idempotency-Key")
    use_key = key is not None and call.method in IDEMPOTENT_METHODS
    raw_body = request.get_data(cache=True)
    if use_key:
        assert key is not None
        if len(key) > MAX_KEY_LENGTH:
            return json_response(
                validation_error_body(f"Idempotency-Key must be at most {MAX_KEY_LENGTH} characters"), 400
            )
        claim = state.idempotency.claim(
            call.caller.client_id,
            key,
            fingerprint(call.method, call.path, request.query_string.decode("latin-1"), raw_body),
            state.clock.now(),
        )
        if claim.kind == "mismatch":
            call.entry.notes["detail"] = "idempotency key reused with a different request"
            return json_response(
                validation_error_body("The Idempotency-Key has already been used with a different request"), 400
            )
        if claim.kind == "replay" and claim.response is not None:
            call.entry.notes["replayed"] = True
            return _from_stored(claim.response)

    # 9. the accounting engine (body errors are answered here too, so they are stored under the key)
    try:
        stored = _run_engine(call, raw_body)
    except BaseException:
        if use_key:
            state.idempotency.abandon(call.caller.client_id, key or "")
        raise

    # 10. remember the answer under the key (errors included: Xero caches them too)
    if use_key:
        state.idempotency.complete(call.caller.client_id, key or "", stored)
    response = _from_stored(stored)

    # 11. post-commit faults
    post_fault = state.faults.take_post_commit(call.method, call.path, tenant.tenant_id)
    if post_fault is not None:
        call.entry.notes["fault"] = post_fault.kind
        if post_fault.kind == "drop_after_commit":
            request.environ[DROP_CONNECTION] = True
        elif post_fault.kind == "timeout_after_commit":
            time.sleep(post_fault.delay)
    return response


def _pre_commit_fault(call: _Call, fault: FaultRule) -> Response | None:
    """Answer for a pre-commit fault, or None to carry on (``slow``, ``hold``)."""
    if fault.kind == "slow":
        time.sleep(fault.delay)
        return None
    if fault.kind == "hold":
        call.state.faults.hold(fault)
        return None
    if fault.kind == "http_500":
        return _text_response(_SERVER_ERROR_TEXT, 500)
    return _text_response(_OUTAGE_TEXT, 503)


def _injected_rate_limit(call: _Call, fault: FaultRule) -> Response:
    """A 429 as if ``fault.problem`` (default minute) had been hit. ``Retry-After`` is
    ``delay_seconds`` when given, else the time until that window of the tenant resets."""
    assert call.caller is not None and call.tenant is not None
    problem = fault.problem or "minute"
    if fault.delay_seconds is not None:
        return _rate_limited(problem, int(fault.delay_seconds))
    windows = call.state.limits.windows(call.caller.client_id, call.tenant.tenant_id, call.state.clock.timestamp())
    retry_after = {"day": windows["day_resets_in"], "concurrent": 1}.get(problem, windows["minute_resets_in"])
    return _rate_limited(problem, int(retry_after))  # type: ignore[call-overload]


def _parse_body(raw_body: bytes) -> tuple[Any | None, StoredResponse | None]:
    if len(raw_body) > MAX_BODY_BYTES:
        return None, StoredResponse(413, b"Request Entity Too Large", "text/plain; charset=utf-8", {})
    if not raw_body.strip():
        return None, None
    try:
        return json.loads(raw_body), None
    except (ValueError, UnicodeDecodeError):
        body = json.dumps(validation_error_body("The request body is not valid JSON")).encode("utf-8")
        return None, StoredResponse(400, body, JSON_CONTENT_TYPE, {})


def _run_engine(call: _Call, raw_body: bytes) -> StoredResponse:
    state, tenant = call.state, call.tenant
    assert tenant is not None
    body, error = _parse_body(raw_body)
    if error is not None:
        return error
    now = state.clock.now()
    accounting_request = AccountingRequest(
        method=call.method,
        path=call.path,
        query=request.args.to_dict(flat=True),
        headers={name.lower(): value for name, value in request.headers.items() if name.lower() != "authorization"},
        body=body,
        now=now,
    )
    try:
        result = run_in_books(state, tenant, accounting_request)
    except Exception:  # an engine bug: answer as Xero's unhandled error would
        logger.exception("accounting engine failed on %s %s", call.method, call.path)
        call.entry.notes["engine_error"] = True
        return StoredResponse(500, _SERVER_ERROR_TEXT.encode(), "text/plain; charset=utf-8", {})
    if result.body is None:
        payload, content_type = b"", "text/plain; charset=utf-8"
    elif isinstance(result.body, str):
        # Xero answers some errors (404, 405) with plain text, not JSON: send it as it is.
        payload, content_type = result.body.encode("utf-8"), "text/plain; charset=utf-8"
    else:
        payload, content_type = json.dumps(result.body, ensure_ascii=False).encode("utf-8"), JSON_CONTENT_TYPE
    return StoredResponse(result.status, payload, content_type, dict(result.headers))


def run_in_books(state: EmulatorState, tenant: Tenant, accounting_request: AccountingRequest) -> AccountingResponse:
    """Run one request through the tenant's accounting engine under its lock and hand the changes
    it reports to the webhook sender. Used by the API pipeline and by the control plane's
    "change made in Xero by a user" route (which skips tokens, limits and idempotency)."""
    with tenant.lock:
        result: AccountingResponse = tenant.books.handle(accounting_request)
        publish_events(state, tenant, result.events, accounting_request.now)
    return result


def publish_events(state: EmulatorState, tenant: Tenant, events: list[ResourceEvent], now: Any) -> None:
    """Queue the engine's change events for the webhook sender, credit-note events with their
    ``data: {Type, Status}`` (xero-webhooks.yaml)."""
    if not events:
        return
    with tenant.lock:
        extra_data = _credit_note_event_data(tenant, events, now)
    state.webhooks.enqueue(tenant.tenant_id, events, now, extra_data)


def _credit_note_event_data(tenant: Tenant, events: list[ResourceEvent], now: Any) -> dict[str, dict[str, Any]]:
    """The seam's ResourceEvent has no ``data`` field, so read the credit notes back from the
    engine (caller holds the lock)."""
    data: dict[str, dict[str, Any]] = {}
    for event in events:
        if event.category != "CREDITNOTE":
            continue
        try:
            found = tenant.books.handle(
                AccountingRequest(
                    "GET", f"/CreditNotes/{event.resource_id}", {}, {"accept": "application/json"}, None, now
                )
            )
            note = (found.body or {}).get("CreditNotes", [{}])[0]
            data[event.resource_id] = {"Type": note["Type"], "Status": note["Status"]}
        except Exception:  # the event is still sent, without data
            logger.warning("could not read credit note %s for its webhook event", event.resource_id)
    return data


def _from_stored(stored: StoredResponse) -> Response:
    response = Response(stored.body, status=stored.status, content_type=stored.content_type)
    for name, value in stored.headers.items():
        response.headers[name] = value
    return response
