"""Control-plane routes that change a tenant's books the way a Xero *user* would in the web app —
not through the app's token (tests and the demo use them to "edit a contact in Xero"):

  POST   /_emulator/tenants/{id}/lock-dates  {"period_lock_date": "YYYY-MM-DD"|null,
                                              "end_of_year_lock_date": "YYYY-MM-DD"|null}
  POST   /_emulator/tenants/{id}/contacts/{contact_id}/merge  {"into": "<contact id>"}
  GET|PUT|POST|DELETE  /_emulator/tenants/{id}/api/<accounting path>   e.g. .../api/Contacts/<id>

The ``api`` route runs the request through the accounting engine exactly as the API would (same
rules, same answer) but with no bearer token, no rate limit, no idempotency, no faults and no
request-log entry; like API changes, what it changes is sent to the webhook subscriber (CONTACT,
INVOICE, CREDITNOTE events). Changes made by the routes here are visible to the app through the
API afterwards, as a user's edits in Xero are.
"""

from __future__ import annotations

import json
import logging
from datetime import date
from typing import Any

from flask import Blueprint, Response, request

from .interfaces import AccountingRequest
from .pipeline import publish_events, run_in_books
from .state import Tenant
from .wire import JSON_CONTENT_TYPE, current_state, json_response

logger = logging.getLogger(__name__)

blueprint = Blueprint("control_books", __name__, url_prefix="/_emulator/tenants/<tenant_id>")

_LOCK_FIELDS = {"period_lock_date": "PeriodLockDate", "end_of_year_lock_date": "EndOfYearLockDate"}


def _error(message: str, status: int = 400) -> Response:
    return json_response({"error": message}, status)


def _tenant(tenant_id: str) -> Tenant | None:
    return current_state().tenant(tenant_id)


def _json_object() -> dict[str, Any] | None:
    body = request.get_json(silent=True)
    return body if isinstance(body, dict) else None


@blueprint.post("/lock-dates")
def set_lock_dates(tenant_id: str) -> Response:
    """Set or clear the organisation's lock dates (Xero: Settings → Financial settings). A key
    left out keeps its date; ``null`` clears it."""
    tenant = _tenant(tenant_id)
    if tenant is None:
        return _error("unknown tenant", 404)
    body = _json_object()
    if body is None or not set(body) & set(_LOCK_FIELDS) or set(body) - set(_LOCK_FIELDS):
        return _error(f"give one or both of {sorted(_LOCK_FIELDS)} (YYYY-MM-DD or null)")
    changes: dict[str, date | None] = {}
    for key, field in _LOCK_FIELDS.items():
        if key not in body:
            continue
        value = body[key]
        try:
            changes[field] = None if value is None else date.fromisoformat(str(value))
        except ValueError:
            return _error(f"{key} must be YYYY-MM-DD or null")
    setter = getattr(tenant.books, "set_lock_dates", None)
    if setter is None:
        return _error("this tenant's accounting engine has no lock dates", 501)
    now = current_state().clock.now()
    with tenant.lock:
        changed = setter(changes, now)
        organisation = tenant.books.organisation
        result = {
            "tenant_id": tenant.tenant_id,
            "changed": changed,
            "period_lock_date": _iso(organisation.get("PeriodLockDate")),
            "end_of_year_lock_date": _iso(organisation.get("EndOfYearLockDate")),
            "organisation_updated": tenant.books.organisation_updated_at.isoformat().replace("+00:00", "Z"),
        }
    return json_response(result)


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value else None


@blueprint.post("/contacts/<contact_id>/merge")
def merge_contact(tenant_id: str, contact_id: str) -> Response:
    """Merge ``contact_id`` into ``into``: it is archived with MergedToContactID and its
    documents move to the contact kept (accounting/merges.py)."""
    tenant = _tenant(tenant_id)
    if tenant is None:
        return _error("unknown tenant", 404)
    body = _json_object() or {}
    into = body.get("into")
    if not isinstance(into, str) or not into:
        return _error('give {"into": "<ContactID of the contact kept>"}')
    merge = getattr(tenant.books, "merge_contact", None)
    if merge is None:
        return _error("this tenant's accounting engine cannot merge contacts", 501)
    state = current_state()
    now = state.clock.now()
    with tenant.lock:
        try:
            events = merge(contact_id, into, now)
        except ValueError as refused:  # merges.MergeRefused
            return _error(str(refused), 404 if getattr(refused, "unknown", False) else 400)
        publish_events(state, tenant, events, now)
    return json_response(
        {
            "merged": contact_id,
            "into": into,
            "events": [{"category": e.category, "type": e.event_type, "resource_id": e.resource_id} for e in events],
        }
    )


@blueprint.route("/api/<path:subpath>", methods=["GET", "PUT", "POST", "DELETE"])
def change_in_xero(tenant_id: str, subpath: str) -> Response:
    """A change (or a read) made in Xero by a user: the accounting engine's answer as it is."""
    tenant = _tenant(tenant_id)
    if tenant is None:
        return _error("unknown tenant", 404)
    raw = request.get_data(cache=True)
    body: Any = None
    if raw.strip():
        try:
            body = json.loads(raw)
        except ValueError:
            return _error("the body is not valid JSON")
    state = current_state()
    accounting_request = AccountingRequest(
        method=request.method.upper(),
        path="/" + subpath,
        query=request.args.to_dict(flat=True),
        headers={"accept": "application/json"},
        body=body,
        now=state.clock.now(),
    )
    try:
        result = run_in_books(state, tenant, accounting_request)
    except Exception:  # an engine bug: say so, as the API would with a 500
        logger.exception("accounting engine failed on a user change %s %s", request.method, subpath)
        return _error("the accounting engine failed on this request (see the emulator's log)", 500)
    if result.body is None:
        return Response(b"", status=result.status)
    if isinstance(result.body, str):
        return Response(result.body, status=result.status, content_type="text/plain; charset=utf-8")
    return Response(json.dumps(result.body, ensure_ascii=False), status=result.status, content_type=JSON_CONTENT_TYPE)
