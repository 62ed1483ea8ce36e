"""The host's "Sync now", optionally for some entities or a historical date range (SPEC §5; F3.7, F3.8)."""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Body, Path
from aws_lambda_powertools.event_handler.router import APIGatewayHttpRouter

from xero_sync.http.services import services
from xero_sync.models.api_export import SyncNowRequest, SyncNowResponse, documented_responses

router = APIGatewayHttpRouter()

OrgId = Annotated[str, Path(description="The host's id of the organisation.")]


@router.post(
    "/orgs/<org_id>/sync",
    tags=["Sync"],
    summary="Sync now",
    description="Starts a sync at once. With from/to, also the records of that date range (historical sync).",
    status_code=202,
    responses=documented_responses(202, SyncNowResponse, 409),
)
def sync_now(org_id: OrgId, body: Annotated[SyncNowRequest | None, Body()] = None) -> SyncNowResponse:
    return services().sync_now.start(org_id, body or SyncNowRequest())
