"""Links into the integration console (SPEC §5; F8): the host asks, with its API key, for a
single-use URL that opens the console for one org. No API key ever reaches the browser."""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Body

from xero_sync.http.routes import OrgId, Routes
from xero_sync.http.services import services
from xero_sync.models.console import ConsoleSessionRequest, ConsoleSessionResponse
from xero_sync.settings import ConsoleSessionSettings

routes = Routes("Console")


def _base_url() -> str:
    """Where the console is served: configured (CONSOLE_BASE_URL), or else the address this API
    was called on — the same HTTP API serves /console — as for the OAuth callback."""
    configured = services().settings_for(ConsoleSessionSettings).console_base_url
    if configured:
        return configured
    event = routes.router.current_event
    host = event.request_context.domain_name or event.headers.get("host", "")
    return f"{event.headers.get('x-forwarded-proto', 'https')}://{host}"


@routes.route(
    "POST",
    "/orgs/<org_id>/console-sessions",
    ConsoleSessionResponse,
    status_code=201,
    summary="A single-use link into the integration console",
    description=(
        "Open the returned url once in the admin's browser — as a link, a new tab or an iframe's src (iframes "
        "only from the org's allowed_host_origins) — before expires_at. It starts a console session for this "
        "org only: connection, settings, tax and field mapping, history with retry and Sync now, and the "
        "invoices panel of a contact (page=contacts/<id>/invoices)."
    ),
)
def create_console_session(
    org_id: OrgId, body: Annotated[ConsoleSessionRequest | None, Body()] = None
) -> ConsoleSessionResponse:
    return services().console_sessions.create_link(org_id, body or ConsoleSessionRequest(), base_url=_base_url())
