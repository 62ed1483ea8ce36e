"""History (F7.1, F7.2, F3.7): the org's sync history with filters (status, entity, date range,
search), results per page and paging; retry one failed record or all of them; "Sync now" with its
progress (records still to send, counted on the status index; the script refreshes the count).
The same functions as ``GET /history``, ``POST …/retry``, ``POST /failures/retry`` and
``POST /sync`` do the work."""

from __future__ import annotations

from http import HTTPStatus
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

from aws_lambda_powertools.event_handler import Response

from xero_sync.console.page import Errors, Page, detail_errors
from xero_sync.console.services import services
from xero_sync.console.web import first, json_response, local_back, page_url, redirect
from xero_sync.models.api_export import HistoryOutcome, SyncNowRequest
from xero_sync.models.records import EntityName
from xero_sync.services.errors import Conflict, InvalidInput, NotFound
from xero_sync.services.history import history_page, parse_history_query
from xero_sync.services.sync_progress import sync_progress

page = Page("history")
routes = page.router

FILTERS = ("status", "entity", "from", "to", "q", "limit")
PAGE_SIZES = ("20", "50", "100")
STATUSES = tuple(outcome.value for outcome in HistoryOutcome)
ENTITIES = tuple(entity.value for entity in EntityName)


def _filters() -> dict[str, str]:
    return {name: page.query(name) for name in FILTERS}


def _show(status: int = 200, *, action_error: str | None = None) -> Response:
    org_id = page.visit().org_id
    filters = _filters()
    errors: Errors = {}
    chosen_status = filters["status"] if filters["status"] in STATUSES else None
    chosen_entity = filters["entity"] if filters["entity"] in ENTITIES else None
    limit = int(filters["limit"]) if filters["limit"] in PAGE_SIZES else 20
    events: list[Any] = []
    next_cursor = None
    try:
        query = parse_history_query(
            org_id=org_id,
            status=chosen_status,
            entity=chosen_entity,
            date_from=filters["from"] or None,
            date_to=filters["to"] or None,
            q=filters["q"][:200] or None,
            limit=limit,
            cursor=page.query("cursor")[:2000] or None,
        )
        listing = history_page(services().history, org_id, query)
        events, next_cursor = listing.events, listing.next_cursor
    except InvalidInput as error:
        errors = detail_errors(error.details, strip="query.")
        status = HTTPStatus.BAD_REQUEST
    return page.render(
        "history",
        status,
        events=events,
        filters=filters,
        errors=errors,
        statuses=STATUSES,
        entities=ENTITIES,
        page_sizes=PAGE_SIZES,
        **page.listing_links("history", filters, next_cursor),
        progress=sync_progress(services().records, org_id),
        enqueued=int(page.query("enqueued")) if page.query("enqueued").isdigit() else None,
        action_error=action_error,
    )


@routes.get("/console/history")
def show() -> Response:
    return _show()


@routes.get("/console/history/progress.json")
def progress() -> Response:
    found = sync_progress(services().records, page.visit().org_id)
    return json_response(
        {"pending": found.pending, "waiting": found.waiting, "failed": found.failed, "outstanding": found.outstanding}
    )


def _back_with(values: dict[str, list[str]], **query: Any) -> str:
    """The history page the form was on (its filters and page), with ``query`` added."""
    back = urlsplit(local_back(first(values, "back"), page_url("history")))
    kept = [(k, v) for k, v in parse_qsl(back.query) if k not in ("done", "count", "enqueued")]
    added = [(k, str(v)) for k, v in query.items() if v is not None]
    return f"{back.path}?{urlencode(kept + added)}"


@routes.post("/console/history/retry")
def retry() -> Response:
    values = page.form()
    entity, record_id = first(values, "entity"), first(values, "record_id")
    if entity not in ENTITIES or not record_id:
        return _show(HTTPStatus.BAD_REQUEST, action_error=page.words().t("errors.no_record"))
    try:
        services().records_service.retry(page.visit().org_id, EntityName(entity), record_id)
    except (Conflict, NotFound) as error:
        return _show(HTTPStatus.CONFLICT, action_error=str(error))
    return redirect(_back_with(values, done="retry_sent"))


@routes.post("/console/history/retry-all")
def retry_all() -> Response:
    values = page.form()
    try:
        answer = services().records_service.retry_failed(page.visit().org_id)
    except Conflict as error:
        return _show(HTTPStatus.CONFLICT, action_error=str(error))
    return redirect(_back_with(values, done="retry_all", count=answer.requeued))


@routes.post("/console/history/sync")
def sync_now() -> Response:
    values = page.form()
    try:
        answer = services().sync_now.start(page.visit().org_id, SyncNowRequest())
    except Conflict as error:
        return _show(HTTPStatus.CONFLICT, action_error=str(error))
    return redirect(_back_with(values, done="sync_started", count=answer.enqueued, enqueued=answer.enqueued))
