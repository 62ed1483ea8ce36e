"""The host API resolver (SPEC §5): routers, authentication, error mapping, OpenAPI document."""

from __future__ import annotations

import functools
from http import HTTPStatus

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response, content_types
from aws_lambda_powertools.event_handler.exceptions import NotFoundError
from aws_lambda_powertools.event_handler.openapi.exceptions import RequestValidationError
from aws_lambda_powertools.utilities.data_classes import APIGatewayProxyEventV2

from xero_sync.http import auth
from xero_sync.http.body_guard import check_body, parse_json
from xero_sync.http.errors import ApiError, error_response, validation_details
from xero_sync.observability import logger
from xero_sync.routing import RoutersOnFirstUse
from xero_sync.services.errors import Conflict, InvalidInput, NotFound
from xero_sync.xero.errors import ReauthRequired, XeroError

API_TITLE = "xero-sync host API"
API_VERSION = "1.0.0"

# The modules of xero_sync.http that declare routes, each a resource of the API.
RESOURCES = (
    "connection",
    "records",
    "history",
    "settings",
    "xero_data",
    "sync",
    "contact_invoices",  # the read view (F5), with pins
    "pins",
    "console_sessions",
    "changes",  # Xero → host (F4.2), with webhook
    "webhook",
)
# Which of them serve a path, by its segment after /v1/orgs/<org_id>/ (every route's path has
# its literal there; tests/unit/test_routes_on_first_use_unit.py checks each route).
RESOURCES_BY_SEGMENT: dict[str, tuple[str, ...]] = {
    "connect": ("connection",),
    "connection": ("connection",),
    "records": ("records", "pins"),
    "failures": ("records",),
    "history": ("history",),
    "settings": ("settings",),
    "tax-mappings": ("settings",),
    "xero": ("xero_data",),
    "sync": ("sync",),
    "contacts": ("contact_invoices",),
    "console-sessions": ("console_sessions",),
    "changes": ("changes",),
    "webhook": ("webhook",),
}


class HostApiResolver(APIGatewayHttpResolver):
    """The host API's resolver, whose resources' routes are included when a request first needs
    them (``xero_sync/routing.py``): a cold start loads the models, services and domain of its own
    request's resource only (the records' models are not the history's; N6). ``handle`` includes
    a request's routes before resolving it; the OpenAPI document includes them all."""

    def __init__(self) -> None:
        # Amounts arrive as JSON numbers or strings and must never pass through float (SPEC §7);
        # the body guard (body_guard.py) has checked the body with the same parser already.
        super().__init__(enable_validation=True, json_body_deserializer=parse_json)
        self.routers = RoutersOnFirstUse(
            self,
            "xero_sync.http",
            RESOURCES,
            RESOURCES_BY_SEGMENT,
            _resource_segment,
            lambda module: module.routes.router,
            prefix="/v1",
        )


def _resource_segment(path: str) -> str:
    parts = path.split("/")  # "", "v1", "orgs", org_id, segment, …
    return parts[4] if len(parts) > 4 and parts[1:3] == ["v1", "orgs"] else ""


def build_app() -> HostApiResolver:
    app = HostApiResolver()
    _register_error_handlers(app)

    # ``Response[str]``, not a bare ``Response``: the resolver derives a model from every
    # route's return annotation when it builds the document, and a bare Response has none.
    @app.get("/v1/openapi.json", include_in_schema=False)
    def openapi_document() -> Response[str]:
        return Response(status_code=200, content_type=content_types.APPLICATION_JSON, body=_document())

    @functools.cache
    def _document() -> str:  # generated once per Lambda instance, on first request
        return openapi_json(app)

    return app


def handle(app: HostApiResolver, event: dict, context) -> dict:
    """Authenticate first (auth.py), then check the body (body_guard.py), then route: an
    unauthorised request never reaches the resolver, so it is never validated or described, and
    no body reaches the resolver's parser unchecked. (The handler wraps this in
    ``answer_unexpected_errors``: an exception nobody mapped is a 500 in the error shape.)"""
    principal = auth.authorize(event)
    if isinstance(principal, dict):
        return principal
    try:
        event = check_body(event)
    except ApiError as error:
        return error.as_result()
    app.routers.include_for(APIGatewayProxyEventV2(event).path)
    app.append_context(principal=principal)
    return app.resolve(event, context)


def openapi_json(app: HostApiResolver) -> str:
    # Here, not at the top: the document's corrections name the export's models (~30 ms of
    # imports), which only this one route needs (cold start, N6).
    from xero_sync.http.openapi import published_document

    app.routers.include_all()
    return published_document(_generated_document(app))


def _generated_document(app: APIGatewayHttpResolver) -> str:
    # Here, not at the top: Powertools' OpenAPI models (~35 pydantic classes built at import) are
    # needed only for the document, not to validate requests (cold start, N6).
    from aws_lambda_powertools.event_handler.openapi.models import HTTPBearer

    return app.get_openapi_json_schema(
        title=API_TITLE,
        version=API_VERSION,
        description="What a host product's Settings → Integrations → Xero page talks to.",
        security_schemes={
            "ApiKey": HTTPBearer(description="An API key created with `python -m xero_sync.admin api-keys create`.")
        },
        security=[{"ApiKey": []}],
    )


def _register_error_handlers(app: APIGatewayHttpResolver) -> None:
    @app.exception_handler(RequestValidationError)
    def _invalid(error: RequestValidationError) -> Response:
        return error_response(
            HTTPStatus.BAD_REQUEST, "validation_error", "The request is not valid.", validation_details(error.errors())
        )

    @app.exception_handler(ApiError)
    def _api_error(error: ApiError) -> Response:
        return error_response(error.status, error.code, error.message, error.details, error.headers)

    # Every service raises the same three (services/errors.py).
    @app.exception_handler(InvalidInput)
    def _invalid_input(error: InvalidInput) -> Response:
        return error_response(HTTPStatus.BAD_REQUEST, "validation_error", error.message, error.details)

    @app.exception_handler(NotFound)
    def _not_found(error: NotFound) -> Response:
        return error_response(HTTPStatus.NOT_FOUND, "not_found", str(error))

    @app.exception_handler(Conflict)
    def _conflict(error: Conflict) -> Response:
        return error_response(HTTPStatus.CONFLICT, "conflict", str(error))

    @app.exception_handler(XeroError)
    def _xero(error: XeroError) -> Response:
        logger.warning("Xero call failed during an API request", extra={"error": type(error).__name__})
        return error_response(HTTPStatus.BAD_GATEWAY, "xero_error", f"Xero did not complete the request: {error}")

    # Xero refused the org's sign-in (a dead refresh token, a connection removed in Xero): the
    # token manager moved the org to needs_reauth and queued the reconnect email.
    @app.exception_handler(ReauthRequired)
    def _needs_reauth(error: ReauthRequired) -> Response:
        logger.warning("Org needs to reconnect Xero", extra={"org_id": error.org_id, "error": error.error_code})
        return error_response(
            HTTPStatus.CONFLICT,
            "conflict",
            f"Org {error.org_id} is not connected to Xero (status needs_reauth): Xero no longer accepts its "
            f"connection; the admin must connect again (POST /v1/orgs/{error.org_id}/connect).",
        )

    @app.not_found
    def _no_route(error: NotFoundError) -> Response:
        path = app.context.get("_path") or app.current_event.path
        allowed = allowed_methods(app, path)
        if allowed:
            method = app.current_event.http_method.upper()
            return error_response(
                HTTPStatus.METHOD_NOT_ALLOWED,
                "method_not_allowed",
                f"{method} is not allowed on this path; use {', '.join(allowed)}.",
                headers={"Allow": ", ".join(allowed)},
            )
        return error_response(HTTPStatus.NOT_FOUND, "not_found", "No such route.")


def allowed_methods(app: APIGatewayHttpResolver, path: str) -> list[str]:
    """The methods some route takes on ``path`` (for a 405's ``Allow``); none: no such path."""
    routes = app._static_routes + app._dynamic_routes  # Powertools keeps no public list of them
    return sorted({route.method.upper() for route in routes if route.rule.match(path)})
