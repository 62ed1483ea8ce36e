"""Connection (F1): status with who connected and the last activity; connect through Xero's
consent (the console starts the OAuth flow with a return address back to the console); choose the
tenant when the consent covered several; disable, enable, reset and delete, each after a
confirmation page. Everything goes through ``ConnectService``, as the host API does."""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

from aws_lambda_powertools.event_handler import Response

from xero_sync.console.page import Page
from xero_sync.console.services import services
from xero_sync.console.web import first, json_response, page_url, redirect
from xero_sync.domain.connection import ConnectionStatus
from xero_sync.services.errors import Conflict, InvalidInput
from xero_sync.settings import XeroSettings

page = Page("connection")
routes = page.router

ACTIONS = ("disable", "enable", "reset", "delete")
CAN_CONNECT = {
    ConnectionStatus.NOT_CONNECTED.value,
    ConnectionStatus.NEEDS_REAUTH.value,
    ConnectionStatus.DISCONNECTED.value,
    ConnectionStatus.DISCONNECTED_INACTIVE.value,
}


def _actions_for(status: str) -> list[str]:
    """What the admin can do in this status (the service refuses the rest with a reason)."""
    allowed = {
        ConnectionStatus.CONNECTED.value: ["disable", "reset", "delete"],
        ConnectionStatus.DISABLED.value: ["enable", "reset", "delete"],
        ConnectionStatus.PENDING_TENANT.value: ["reset", "delete"],
        ConnectionStatus.NEEDS_REAUTH.value: ["reset", "delete"],
    }
    return allowed.get(status, [])


def _show(status: int = 200, **context: Any) -> Response:
    view = services().connect.status(page.visit().org_id)
    return page.render(
        "connection",
        status,
        connection=view,
        can_connect=view.status in CAN_CONNECT,
        actions=_actions_for(view.status),
        **context,
    )


@routes.get("/console/connection")
def show() -> Response:
    return _show()


@routes.get("/console/connection/status.json")
def status_json() -> Response:
    """For the script that waits while Xero's consent runs in another tab."""
    return json_response({"status": services().connect.status(page.visit().org_id).status})


@routes.post("/console/connection/connect")
def connect() -> Response:
    visit = page.visit()
    configured = services().settings_for(XeroSettings).xero_redirect_uri
    started = services().connect.start(
        visit.org_id,
        return_url=f"{visit.origin}/console/connection/return",
        redirect_uri=configured or f"{visit.origin}/oauth/callback",
        own_origin=visit.origin,
    )
    if visit.session.embedded:
        # Xero's consent page refuses to be framed: it opens in a tab of its own.
        return redirect(page_url("connection/continue", to=started.authorize_url))
    return redirect(started.authorize_url)


@routes.get("/console/connection/continue")
def continue_at_xero() -> Response:
    target = page.query("to")
    login = services().settings_for(XeroSettings).xero_login_url
    if not target.startswith(f"{login}/identity/connect/authorize?"):
        return redirect(page_url("connection"))
    status = services().connect.status(page.visit().org_id).status
    return page.render("connection_continue", authorize_url=target, connection_status=status)


@routes.post("/console/connection/tenant")
def choose_tenant() -> Response:
    tenant_id = first(page.form(), "tenant_id")
    if not tenant_id:
        return _show(HTTPStatus.BAD_REQUEST, errors={"tenant_id": page.words().t("errors.choose_one")})
    try:
        services().connect.choose_tenant(page.visit().org_id, tenant_id)
    except InvalidInput as error:
        return _show(HTTPStatus.BAD_REQUEST, errors={"tenant_id": error.message})
    return page.done("connection", "tenant_chosen")


@routes.get("/console/connection/confirm/<action>")
def confirm(action: str) -> Response:
    if action not in ACTIONS:
        return redirect(page_url("connection"))
    return page.render("connection_confirm", action=action)


@routes.post("/console/connection/<action>")
def act(action: str) -> Response:
    if action not in ACTIONS:
        return redirect(page_url("connection"))
    connect = services().connect
    org_id = page.visit().org_id
    try:
        view = getattr(connect, action)(org_id)
    except Conflict as error:
        return _show(HTTPStatus.CONFLICT, action_error=str(error))
    return page.done("connection", action, warnings=len(view.warnings) or None)
