"""The console's public entrances: the single-use link that starts a session, the page Xero's
consent returns to, the language switch, and the static files (CSS and the progressive-enhancement
script; no build step, nothing from a CDN)."""

from __future__ import annotations

from http import HTTPStatus

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.router import APIGatewayHttpRouter

from xero_sync.console.render import render_html
from xero_sync.console.services import services
from xero_sync.console.web import (
    cleared_cookie,
    current_visit,
    first,
    form,
    local_back,
    page_url,
    redirect,
    request_origin,
    session_cookie,
    session_cookie_value,
    static_file,
)
from xero_sync.models.language import Language

routes = APIGatewayHttpRouter()

OUTCOMES = ("connected", "choose_tenant", "denied", "failed")


@routes.get("/console/start")
def start() -> Response:
    event = routes.current_event
    token = (event.query_string_parameters or {}).get("token")
    embedded = event.headers.get("sec-fetch-dest") == "iframe"
    console = services().console_sessions
    opened = console.open(token, embedded=embedded)
    if opened is None:
        return render_html(Language.EN, "link_expired", int(HTTPStatus.GONE))
    secure = request_origin(event).startswith("https://")
    cookie = session_cookie(opened.session_id, secure=secure, max_age=int(console.lifetime.total_seconds()))
    return redirect(page_url(opened.page), cookies=[cookie])


@routes.get("/console/connection/return")
def consent_returned() -> Response:
    """Where Xero's consent sends the browser back (through /oauth/callback). In the tab that
    holds the session: back to the connection page with the outcome. In a tab without it (the
    console ran in an iframe, whose cookie a new tab does not share): a page that says so."""
    event = routes.current_event
    query = event.query_string_parameters or {}
    outcome = query.get("xero_status") if query.get("xero_status") in OUTCOMES else "failed"
    session = services().console_sessions.resume(session_cookie_value(event))
    if session is not None and session.org_id == query.get("xero_org_id"):
        return redirect(page_url("connection", done=f"consent_{outcome}"))
    language = Language(session.language) if session and session.language in set(Language) else Language.EN
    return render_html(language, "consent_done", outcome=outcome)


@routes.get("/console/static/<name>")
def static(name: str) -> Response:
    found = static_file(name)
    if found is None:
        return Response(status_code=404, content_type="text/plain", body="Not found")
    content_type, text = found
    return Response(
        status_code=200, content_type=content_type, body=text, headers={"Cache-Control": "public, max-age=86400"}
    )


@routes.post("/console/language")
def choose_language() -> Response:
    visit = current_visit()
    values = form(routes.current_event)
    chosen = first(values, "language")
    if chosen in set(Language):
        services().console_sessions.set_language(visit.session_id, visit.session, Language(chosen))
    return redirect(local_back(first(values, "back"), page_url("connection")))


@routes.post("/console/sign-out")
def sign_out() -> Response:
    """End the session now (a shared computer): the cookie is cleared, the table item deleted."""
    visit = current_visit()
    services().console_sessions.end(visit.session_id)
    cleared = cleared_cookie(secure=visit.origin.startswith("https://"))
    response = render_html(visit.language, "session_ended", int(HTTPStatus.OK))
    response.cookies.append(cleared)
    return response
