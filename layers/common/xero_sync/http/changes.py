"""Xero → host change feed (SPEC §5; F4.2, F4.3)."""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Query

from xero_sync.http.routes import OrgId, Routes
from xero_sync.http.services import services
from xero_sync.models.api_import import CHANGE_KINDS_DOC, CHANGE_RETENTION_DAYS, ChangesPageView

routes = Routes("Changes")


@routes.route(
    "GET",
    "/orgs/<org_id>/changes",
    ChangesPageView,
    summary="Changes made in Xero, oldest first",
    description=(
        "What changed in Xero since the cursor, in the host's schema, each with a stable, ordered id. Pass "
        "next_cursor as ?since= to read on (has_more: at once; otherwise later). A change arrives once per state: "
        "the service's own exports and states already reported are not repeated. Kinds: "
        f"{CHANGE_KINDS_DOC} Changes are kept {CHANGE_RETENTION_DAYS} days (retention)."
    ),
)
def changes(
    org_id: OrgId,
    since: Annotated[
        str | None, Query(max_length=200, description="The next_cursor of an earlier page (none: from the start).")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=500, description="Changes per page.")] = 100,
) -> ChangesPageView:
    return services().change_feed.page(org_id, since=since, limit=limit)
