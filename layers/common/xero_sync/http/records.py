"""Host records: push, state, retry (SPEC §5; F3.1, F7.1, F7.2)."""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler import Response, content_types
from aws_lambda_powertools.event_handler.openapi.params import Body, Path

from xero_sync.http.routes import HostRecordId, OrgId, Routes
from xero_sync.http.services import services
from xero_sync.models.api_export import (
    CopyToXeroResponse,
    PushRecordsRequest,
    PushRecordsResponse,
    RecordStateView,
    RetryAllResponse,
    RetryResponse,
)
from xero_sync.models.records import EntityName

routes = Routes("Records")

RECORD = "/orgs/<org_id>/records/<entity>/<record_id>"
Entity = Annotated[EntityName, Path(description="The record's entity, e.g. invoice.")]
RecordId = HostRecordId


@routes.route(
    "POST",
    "/orgs/<org_id>/records",
    PushRecordsResponse,
    status_code=202,
    summary="Push records (full current state with a version)",
    description=(
        "Each record is validated and stored on its own: the answer (202) has one result per record, in "
        "order — accepted, stale (this version or a newer one is already stored) or rejected with the "
        "fields at fault. A rejected record stores nothing. Records it refers to (contact_id, invoice_id …) "
        "must have been pushed before or be in the same request. A record whose data exceeds the size limits "
        "(see the API description) is rejected with record_too_large before anything of the request is "
        "written. Should storage fail during the request, the records stored so far are accepted and the rest "
        "are answered not_stored (nothing of them kept; send them again); a 500 means nothing was stored."
    ),
)
def push_records(org_id: OrgId, body: Annotated[PushRecordsRequest, Body()]) -> PushRecordsResponse:
    return services().records_service.push(org_id, body.records)


@routes.route("GET", RECORD, RecordStateView, 404, summary="One record's sync state")
def record_state(org_id: OrgId, entity: Entity, record_id: RecordId) -> RecordStateView:
    return services().records_service.state(org_id, entity, record_id)


@routes.route(
    "POST", f"{RECORD}/retry", RetryResponse, 404, 409, status_code=202, summary="Retry one failed or waiting record"
)
def retry_record(org_id: OrgId, entity: Entity, record_id: RecordId) -> RetryResponse:
    return services().records_service.retry(org_id, entity, record_id)


@routes.route(
    "POST",
    "/orgs/<org_id>/failures/retry",
    RetryAllResponse,
    409,
    status_code=202,
    summary="Retry every failed record of the org",
)
def retry_failures(org_id: OrgId) -> RetryAllResponse:
    return services().records_service.retry_failed(org_id)


@routes.route(
    "POST",
    f"{RECORD}/copy-to-xero",
    CopyToXeroResponse,
    404,
    409,
    summary="Copy to Xero: send one record now",
    description=(
        "Sends the record now, whatever the schedule and the export-from date, but under the sync tables' "
        "restrictions, the drafts rule and the create/update/delete toggles (F3.11). An idle contact is "
        "exported. 200 with the outcome when the export finished within the request; 202 when it is still on "
        "its way (follow state_url)."
    ),
)
def copy_to_xero(org_id: OrgId, entity: Entity, record_id: RecordId) -> Response[CopyToXeroResponse]:
    answer = services().copy_to_xero.copy(org_id, entity, record_id)
    return Response(
        status_code=200 if answer.completed else 202,
        content_type=content_types.APPLICATION_JSON,
        body=answer,
    )
