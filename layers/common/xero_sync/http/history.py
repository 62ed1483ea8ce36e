"""The org's sync history (SPEC §5; F7.1)."""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Query

from xero_sync.http.routes import OrgId, Routes
from xero_sync.http.services import services
from xero_sync.models.api_export import HistoryOutcome, HistoryPageView
from xero_sync.models.records import EntityName
from xero_sync.services.history import history_page, parse_history_query

routes = Routes("History")

_DAY_OR_MOMENT = "A date (YYYY-MM-DD) or an RFC 3339 date-time; a date-time without an offset is read as UTC."
DAY_OR_MOMENT = {"anyOf": [{"type": "string", "format": "date"}, {"type": "string", "format": "date-time"}]}


@routes.route("GET", "/orgs/<org_id>/history", HistoryPageView, summary="Sync history, newest first")
def history(
    org_id: OrgId,
    status: Annotated[HistoryOutcome | None, Query(description="Only events with this outcome.")] = None,
    entity: Annotated[EntityName | None, Query(description="Only events of this entity.")] = None,
    date_from: Annotated[
        str | None,
        Query(
            alias="from",
            max_length=40,
            description=f"From this day or moment. {_DAY_OR_MOMENT}",
            json_schema_extra=DAY_OR_MOMENT,
        ),
    ] = None,
    date_to: Annotated[
        str | None,
        Query(
            alias="to",
            max_length=40,
            description=f"Up to this day (inclusive) or moment. {_DAY_OR_MOMENT}",
            json_schema_extra=DAY_OR_MOMENT,
        ),
    ] = None,
    q: Annotated[str | None, Query(max_length=200, description="Search in record ids and messages.")] = None,
    limit: Annotated[int, Query(ge=1, le=200, description="Events per page.")] = 50,
    cursor: Annotated[str | None, Query(max_length=2000, description="next_cursor of the previous page.")] = None,
) -> HistoryPageView:
    query = parse_history_query(
        org_id=org_id,
        status=status.value if status else None,
        entity=entity.value if entity else None,
        date_from=date_from,
        date_to=date_to,
        q=q,
        limit=limit,
        cursor=cursor,
    )
    return history_page(services().history, org_id, query)
