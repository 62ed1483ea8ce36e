"""Connect to Xero and manage the connection (SPEC §5; F1.1, F1.3, F1.5)."""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Body

from xero_sync.http.routes import OrgId, Routes
from xero_sync.http.services import services
from xero_sync.models.api import ChooseTenantRequest, ConnectionView, ConnectRequest, ConnectResponse
from xero_sync.settings import XeroSettings

routes = Routes("Connection")


def _redirect_uri() -> str:
    """Where Xero sends the browser back. Configured (XERO_REDIRECT_URI), or else derived from
    the address this API was called on — the same API serves /oauth/callback — so a new
    deployment works without knowing its own URL in advance."""
    configured = services().settings_for(XeroSettings).xero_redirect_uri
    if configured:
        return configured
    event = routes.router.current_event
    host = event.request_context.domain_name or event.headers.get("host", "")
    scheme = event.headers.get("x-forwarded-proto", "https")
    return f"{scheme}://{host}/oauth/callback"


@routes.route(
    "POST",
    "/orgs/<org_id>/connect",
    summary="Start connecting an org to Xero",
    description="The consent URL to send the admin's browser to. return_url must be on one of the deployment's "
    "host origins (HOST_APP_ORIGINS) or the org's settings.allowed_host_origins (400 otherwise).",
)
def connect(org_id: OrgId, body: Annotated[ConnectRequest, Body()]) -> ConnectResponse:
    return services().connect.start(org_id, return_url=body.return_url, redirect_uri=_redirect_uri())


@routes.route("GET", "/orgs/<org_id>/connection", summary="Connection status")
def get_connection(org_id: OrgId) -> ConnectionView:
    return services().connect.status(org_id)


@routes.route("PUT", "/orgs/<org_id>/connection/tenant", None, 404, 409, summary="Choose the Xero tenant")
def choose_tenant(org_id: OrgId, body: Annotated[ChooseTenantRequest, Body()]) -> ConnectionView:
    return services().connect.choose_tenant(org_id, body.tenant_id)


@routes.route("POST", "/orgs/<org_id>/connection/disable", None, 404, 409, summary="Pause syncing")
def disable(org_id: OrgId) -> ConnectionView:
    return services().connect.disable(org_id)


@routes.route("POST", "/orgs/<org_id>/connection/enable", None, 404, 409, summary="Resume syncing")
def enable(org_id: OrgId) -> ConnectionView:
    return services().connect.enable(org_id)


@routes.route("POST", "/orgs/<org_id>/connection/reset", None, 404, summary="Reset to choose another tenant")
def reset(org_id: OrgId) -> ConnectionView:
    return services().connect.reset(org_id)


@routes.route("DELETE", "/orgs/<org_id>/connection", None, 404, summary="Delete the integration")
def delete(org_id: OrgId) -> ConnectionView:
    return services().connect.delete(org_id)
