"""The host's "Sync now", optionally for some entities or a historical date range (SPEC §5; F3.7, F3.8)."""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Body

from xero_sync.http.routes import OrgId, Routes
from xero_sync.http.services import services
from xero_sync.models.api_export import SyncNowRequest, SyncNowResponse

routes = Routes("Sync")


@routes.route(
    "POST",
    "/orgs/<org_id>/sync",
    SyncNowResponse,
    409,
    status_code=202,
    summary="Sync now",
    description="Starts a sync at once. With from/to, also the records of that date range (historical sync).",
)
def sync_now(org_id: OrgId, body: Annotated[SyncNowRequest | None, Body()] = None) -> SyncNowResponse:
    return services().sync_now.start(org_id, body or SyncNowRequest())
