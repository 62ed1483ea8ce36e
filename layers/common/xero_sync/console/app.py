"""The console resolver: session first, then the page; every answer with the security headers.

Authentication happens before routing, as for the host API (``http/auth.py``), but with the
console's own credential: the session cookie (``console/web.py``). Only the link that starts a
session, the page Xero's consent returns to, and the static files are public. Every POST must
carry the session's CSRF token. A failure is a page in the admin's language that says what to do
— never a stack trace.
"""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response
from aws_lambda_powertools.event_handler.exceptions import NotFoundError
from aws_lambda_powertools.utilities.data_classes import APIGatewayProxyEventV2

from xero_sync.console.render import render_html
from xero_sync.console.services import services
from xero_sync.console.web import (
    BASE,
    CURRENT_VISIT,
    Visit,
    csrf_ok,
    form,
    request_origin,
    request_path,
    security_headers,
    session_cookie_value,
)
from xero_sync.domain.console import origin_of
from xero_sync.models.language import Language
from xero_sync.observability import logger
from xero_sync.routing import RoutersOnFirstUse
from xero_sync.services.errors import Conflict, InvalidInput, NotFound
from xero_sync.settings import XeroSettings
from xero_sync.xero.errors import XeroError

PUBLIC_PATHS = frozenset({f"{BASE}/start", f"{BASE}/connection/return"})
# The modules of xero_sync.console.pages, and which serve a path, by its segment after /console/
# (tests/unit/test_routes_on_first_use_unit.py checks every route).
PAGES = ("start", "connection", "settings", "tax", "mapping", "history", "invoices")
PAGES_BY_SEGMENT: dict[str, tuple[str, ...]] = {
    "start": ("start",),
    "static": ("start",),
    "language": ("start",),
    "sign-out": ("start",),
    "connection": ("start", "connection"),  # /console/connection/return is where a consent returns
    "settings": ("settings",),
    "tax-mappings": ("tax",),
    "field-mapping": ("mapping",),
    "history": ("history",),
    "contacts": ("invoices",),
}


class ConsoleResolver(APIGatewayHttpResolver):
    """The console's resolver, whose pages' routes are included when a request first needs them
    (``xero_sync/routing.py``): a cold start loads its own page's code (the settings page's
    mapping checks are not the history's; N6). ``handle`` includes them before resolving."""

    def __init__(self) -> None:
        super().__init__()  # forms are parsed and validated by the pages themselves
        self.routers = RoutersOnFirstUse(
            self, "xero_sync.console.pages", PAGES, PAGES_BY_SEGMENT, _page_segment, lambda module: module.routes
        )


def _page_segment(path: str) -> str:
    parts = path.split("/")  # "", "console", segment, …
    return parts[2] if len(parts) > 2 and parts[1] == BASE.strip("/") else ""


def build_console() -> ConsoleResolver:
    app = ConsoleResolver()
    _register_error_handlers(app)
    return app


def handle(app: ConsoleResolver, event: dict[str, Any], context: Any) -> dict[str, Any]:
    request = APIGatewayProxyEventV2(event)
    path = request_path(request)
    origin = request_origin(request)
    app.routers.include_for(path)
    if path in PUBLIC_PATHS or path.startswith(f"{BASE}/static/"):
        app.append_context(visit=None, origin=origin)
        return _secured(app.resolve(event, context), None)
    visit = _visit(request, origin)
    if visit is None:
        return _secured(_page(Language.EN, "session_ended", HTTPStatus.UNAUTHORIZED), None)
    if request.request_context.http.method == "POST" and not csrf_ok(request, form(request), visit):
        logger.warning("Console form without a valid CSRF token", extra={"org_id": visit.org_id})
        return _secured(_page(visit.language, "form_expired", HTTPStatus.FORBIDDEN), visit.frame_ancestors)
    logger.append_keys(org_id=visit.org_id)
    app.append_context(visit=visit, origin=origin)
    token = CURRENT_VISIT.set(visit)
    try:
        return _secured(app.resolve(event, context), visit.frame_ancestors)
    finally:
        CURRENT_VISIT.reset(token)


def _visit(request: APIGatewayProxyEventV2, origin: str) -> Visit | None:
    session_id = session_cookie_value(request)
    app = services()
    session = app.console_sessions.resume(session_id)
    if session is None or session_id is None:
        return None
    org_settings = app.org_settings.current(session.org_id)
    language = Language(session.language) if session.language in set(Language) else org_settings.language
    return Visit(
        session_id=session_id,
        session=session,
        language=language,
        origin=origin,
        frame_ancestors=tuple(sorted(app.return_origins(session.org_id))),
    )


def _secured(result: dict[str, Any], frame_ancestors: tuple[str, ...] | None) -> dict[str, Any]:
    """The security headers on every answer (a page may set its own Cache-Control)."""
    headers = result.setdefault("headers", {})
    login = origin_of(services().settings_for(XeroSettings).xero_login_url)
    for name, value in security_headers(frame_ancestors, [login] if login else []).items():
        if name != "Cache-Control" or not any(key.lower() == "cache-control" for key in headers):
            headers[name] = value
    return result


def _page(language: Language, template: str, status: HTTPStatus, **context: Any) -> dict[str, Any]:
    response = render_html(language, template, int(status), **context)
    return {"statusCode": response.status_code, "headers": dict(response.headers), "body": response.body}


def _register_error_handlers(app: APIGatewayHttpResolver) -> None:
    def language() -> Language:
        visit = CURRENT_VISIT.get()
        return visit.language if visit is not None else Language.EN

    def problem(status: HTTPStatus, message: str | None = None) -> Response:
        return render_html(language(), "problem", int(status), code=int(status), message=message)

    @app.exception_handler(NotFound)
    def _not_found(error: NotFound) -> Response:
        return problem(HTTPStatus.NOT_FOUND, str(error))

    @app.exception_handler(Conflict)
    def _conflict(error: Conflict) -> Response:
        return problem(HTTPStatus.CONFLICT, str(error))

    @app.exception_handler(InvalidInput)
    def _invalid(error: InvalidInput) -> Response:
        details = "; ".join(f"{d.field}: {d.message}" if d.field else d.message for d in error.details)
        return problem(HTTPStatus.BAD_REQUEST, f"{error.message} {details}".strip())

    @app.exception_handler(XeroError)
    def _xero(error: XeroError) -> Response:
        logger.warning("Xero call failed during a console request", extra={"error": type(error).__name__})
        return problem(HTTPStatus.BAD_GATEWAY, str(error))

    @app.exception_handler(Exception)
    def _unexpected(error: Exception) -> Response:
        logger.exception("Console request failed")
        return problem(HTTPStatus.INTERNAL_SERVER_ERROR)

    @app.not_found
    def _no_route(error: NotFoundError) -> Response:
        return problem(HTTPStatus.NOT_FOUND)
