"""The control plane: JSON endpoints under ``/_emulator/`` for tests and the local stack. They are
not part of Xero and never share a path with it. No authentication (loopback only).

  GET    /_emulator/health
  POST   /_emulator/reset
  GET    /_emulator/tenants              POST /_emulator/tenants {name, base_currency, day_limit, seed}
  GET    /_emulator/tenants/{id}/state   the engine's snapshot
  POST   /_emulator/tenants/{id}/revoke-access   the user removes the app in Xero
  POST   /_emulator/tenants/{id}/lock-dates, /contacts/{cid}/merge, GET|PUT|POST|DELETE /api/<path>
                                         changes made in Xero by a user (control_books.py)
  GET    /_emulator/connections          every connection (all apps and users)
  GET    /_emulator/requests?method=&path_prefix=&tenant_id=     DELETE /_emulator/requests
  GET    /_emulator/stats
  GET    /_emulator/clock                POST /_emulator/clock/advance {seconds}
  GET    /_emulator/faults               POST /_emulator/faults {kind, count, ...}   DELETE /_emulator/faults
  POST   /_emulator/faults/{id}/release  POST /_emulator/faults/release   (hold faults)
  GET    /_emulator/webhooks             POST /_emulator/webhooks {url, key}
  POST   /_emulator/webhooks/intent-to-receive {url?, key?}
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, request

from .wire import connection_datetime, current_state, json_response

blueprint = Blueprint("control", __name__, url_prefix="/_emulator")


def _error(message: str, status: int = 400) -> Response:
    return json_response({"error": message}, status)


def _json_body() -> dict[str, Any]:
    body = request.get_json(silent=True)
    return body if isinstance(body, dict) else {}


@blueprint.get("/health")
def health() -> Response:
    state = current_state()
    return json_response(
        {
            "status": "ok",
            "base_url": state.base_url,
            "now": state.clock.describe()["now"],
            "tenants": len(state.tenants),
            "engine": type(next(iter(state.tenants.values())).books).__module__ if state.tenants else None,
        }
    )


@blueprint.post("/reset")
def reset() -> Response:
    state = current_state()
    state.reset()
    return json_response({"status": "reset", "tenants": [t.summary() for t in state.tenants.values()]})


@blueprint.get("/tenants")
def list_tenants() -> Response:
    state = current_state()
    with state.lock:
        tenants = [t.summary() for t in state.tenants.values()]
    return json_response({"tenants": tenants, "start_tenant_ids": state.start_tenant_ids})


@blueprint.post("/tenants")
def create_tenant() -> Response:
    state = current_state()
    body = _json_body()
    name = body.get("name")
    if not isinstance(name, str) or not name.strip():
        return _error("name is required")
    base_currency = body.get("base_currency", state.options.base_currency)
    day_limit = body.get("day_limit")
    if day_limit is not None and (not isinstance(day_limit, int) or day_limit < 1):
        return _error("day_limit must be a positive integer")
    seed = body.get("seed", state.options.seed)
    try:
        tenant = state.add_tenant(name.strip(), base_currency, seed=seed, day_limit=day_limit)
    except LookupError as error:
        return _error(str(error))
    return json_response({"tenant_id": tenant.tenant_id, **tenant.summary()}, 201)


@blueprint.get("/tenants/<tenant_id>/state")
def tenant_state(tenant_id: str) -> Response:
    snapshot = current_state().snapshot(tenant_id)
    if snapshot is None:
        return _error("unknown tenant", 404)
    return json_response(snapshot)


@blueprint.post("/tenants/<tenant_id>/revoke-access")
def revoke_access(tenant_id: str) -> Response:
    state = current_state()
    if state.tenant(tenant_id) is None:
        return _error("unknown tenant", 404)
    removed = state.remove_tenant_connections(tenant_id)
    return json_response({"tenant_id": tenant_id, "connections_removed": removed})


@blueprint.get("/connections")
def all_connections() -> Response:
    state = current_state()
    with state.lock:
        rows = [
            {
                "id": c.id,
                "client_id": c.client_id,
                "user_id": c.user_id,
                "tenant_id": c.tenant_id,
                "auth_event_id": c.auth_event_id,
                "created": connection_datetime(c.created_at),
                "updated": connection_datetime(c.updated_at),
            }
            for c in state.connections.values()
        ]
    return json_response({"connections": rows})


@blueprint.get("/requests")
def list_requests() -> Response:
    state = current_state()
    entries = state.request_log.query(
        method=request.args.get("method"),
        path_prefix=request.args.get("path_prefix"),
        tenant_id=request.args.get("tenant_id"),
    )
    return json_response({"requests": entries})


@blueprint.delete("/requests")
def clear_requests() -> Response:
    current_state().request_log.clear()
    return json_response({"status": "cleared"})


@blueprint.get("/stats")
def stats() -> Response:
    return json_response(current_state().stats_report())


@blueprint.get("/clock")
def clock() -> Response:
    return json_response(current_state().clock.describe())


@blueprint.post("/clock/advance")
def advance_clock() -> Response:
    seconds = _json_body().get("seconds")
    if not isinstance(seconds, (int, float)) or isinstance(seconds, bool) or seconds < 0:
        return _error("seconds must be a number >= 0")
    state = current_state()
    state.clock.advance(float(seconds))
    return json_response(state.clock.describe())


@blueprint.get("/faults")
def list_faults() -> Response:
    return json_response({"faults": current_state().faults.list()})


@blueprint.post("/faults")
def add_fault() -> Response:
    body = _json_body()
    try:
        rule = current_state().faults.add(
            kind=str(body.get("kind")),
            count=int(body.get("count", 1)),
            method=body.get("method"),
            path_prefix=body.get("path_prefix"),
            tenant_id=body.get("tenant_id"),
            delay_seconds=float(body["delay_seconds"]) if body.get("delay_seconds") is not None else None,
            problem=body.get("problem"),
        )
    except (TypeError, ValueError) as error:
        return _error(str(error))
    return json_response(rule.to_dict(), 201)


@blueprint.post("/faults/release")
def release_all_holds() -> Response:
    return json_response({"released_rules": current_state().faults.release()})


@blueprint.post("/faults/<int:rule_id>/release")
def release_hold(rule_id: int) -> Response:
    released = current_state().faults.release(rule_id)
    if not released:
        return _error("no hold fault with that id", 404)
    return json_response({"released_rules": released})


@blueprint.delete("/faults")
def clear_faults() -> Response:
    current_state().faults.clear()
    return json_response({"status": "cleared"})


@blueprint.get("/webhooks")
def webhooks() -> Response:
    return json_response(current_state().webhooks.describe())


@blueprint.post("/webhooks")
def configure_webhooks() -> Response:
    body = _json_body()
    url, key = body.get("url"), body.get("key")
    if not (url is None and key is None) and not (isinstance(url, str) and isinstance(key, str) and url and key):
        return _error("give both url and key (or neither, to switch webhooks off)")
    state = current_state()
    state.webhooks.configure(url, key)
    return json_response({k: v for k, v in state.webhooks.describe().items() if k != "deliveries"})


@blueprint.post("/webhooks/intent-to-receive")
def intent_to_receive() -> Response:
    body = _json_body()
    try:
        result = current_state().webhooks.intent_to_receive(body.get("url"), body.get("key"))
    except ValueError as error:
        return _error(str(error))
    return json_response(result)
