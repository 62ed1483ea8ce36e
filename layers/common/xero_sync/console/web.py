"""The console's HTTP plumbing: the session cookie, CSRF, form bodies, redirects and the security
headers every answer carries.

The cookie holds only an opaque session id (the table stores its hash). It is ``HttpOnly`` and
scoped to ``/console``. Over https (every deployment: API Gateway serves https only) it is
``Secure; SameSite=None; Partitioned``: ``SameSite=None`` so that it is sent when the console runs
in an iframe on the host's own site (a cross-site context), and ``Partitioned`` (CHIPS) so that
browsers which block third-party cookies keep it, in a jar of its own for that host site. Over plain
http (the local stack) it is ``SameSite=Lax`` without ``Secure``, which browsers require for http.
Forms carry the session's CSRF token (synchronizer token), checked in constant time on every POST,
together with the ``Origin`` header when the browser sends one.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Mapping, Sequence
from contextvars import ContextVar
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.shared.cookies import Cookie, SameSite
from aws_lambda_powertools.utilities.data_classes import APIGatewayProxyEventV2

from xero_sync.domain.console import ConsoleSession, origin_of, same_secret
from xero_sync.models.language import Language

BASE = "/console"
COOKIE = "xero_console"
SECURE_COOKIE = f"__Secure-{COOKIE}"
STATIC = Path(__file__).resolve().parent / "static"
HTML = "text/html; charset=utf-8"


@dataclass(frozen=True)
class Visit:
    """One request of a console session: the org it may act on, and how to answer it."""

    session_id: str
    session: ConsoleSession
    language: Language
    origin: str  # the console's own origin, e.g. https://abc.execute-api.eu-west-1.amazonaws.com
    frame_ancestors: tuple[str, ...]

    @property
    def org_id(self) -> str:
        return self.session.org_id

    @property
    def csrf_token(self) -> str:
        return self.session.csrf_token


CURRENT_VISIT: ContextVar[Visit | None] = ContextVar("console_visit", default=None)
"""The visit of the request being answered (set by ``console/app.py::handle``). Routers are
module-level and may be included in more than one resolver (tests build their own), so the visit
is not kept on a router's context."""


def current_visit() -> Visit:
    visit = CURRENT_VISIT.get()
    if visit is None:
        raise RuntimeError("console page reached without a session")
    return visit


# --- the request ---------------------------------------------------------------------------------


def request_origin(event: APIGatewayProxyEventV2) -> str:
    """The console's own origin, as the browser sees it."""
    host = event.request_context.domain_name or event.headers.get("host", "")
    return f"{event.headers.get('x-forwarded-proto', 'https')}://{host}"


def request_path(event: APIGatewayProxyEventV2) -> str:
    path = event.raw_path or event.path
    stage = event.request_context.stage
    if stage and stage != "$default" and path.startswith(f"/{stage}/"):
        return path[len(stage) + 1 :]
    return path


def session_cookie_value(event: APIGatewayProxyEventV2) -> str | None:
    """The session id from the request's cookies (either name: over https or over http)."""
    found: dict[str, str] = {}
    for cookie in event.cookies or []:
        name, _, value = cookie.strip().partition("=")
        found.setdefault(name, value)
    return found.get(SECURE_COOKIE) or found.get(COOKIE)


def form(event: APIGatewayProxyEventV2) -> dict[str, list[str]]:
    """An ``application/x-www-form-urlencoded`` body, every value of every name."""
    body = event.body or ""
    if event.is_base64_encoded:
        body = base64.b64decode(body).decode("utf-8", errors="replace")
    return parse_qs(body, keep_blank_values=True, max_num_fields=2000)


def first(values: Mapping[str, list[str]], name: str, default: str = "") -> str:
    found = values.get(name)
    return found[0].strip() if found else default


def csrf_ok(event: APIGatewayProxyEventV2, values: Mapping[str, list[str]], visit: Visit) -> bool:
    """The form's token is the session's, and the request comes from the console's own pages."""
    origin = event.headers.get("origin")
    if origin and origin != "null" and origin_of(origin) != origin_of(visit.origin):
        return False
    return same_secret(first(values, "csrf_token") or None, visit.csrf_token)


# --- the answer ----------------------------------------------------------------------------------


def session_cookie(session_id: str, *, secure: bool, max_age: int) -> Cookie:
    """Over https: ``Secure; SameSite=None; Partitioned`` (works in a cross-site iframe, kept by
    browsers that block third-party cookies); over http (local): ``SameSite=Lax``."""
    return Cookie(
        name=SECURE_COOKIE if secure else COOKIE,
        value=session_id,
        path=BASE,
        secure=secure,
        http_only=True,
        max_age=max_age,
        same_site=SameSite.NONE_MODE if secure else SameSite.LAX_MODE,
        custom_attributes=["Partitioned"] if secure else None,
    )


def cleared_cookie(*, secure: bool) -> Cookie:
    return session_cookie("", secure=secure, max_age=0)


def html(body: str, status: int = 200, cookies: Sequence[Cookie] = ()) -> Response:
    return Response(status_code=status, content_type=HTML, body=body, cookies=list(cookies))


def redirect(location: str, cookies: Sequence[Cookie] = ()) -> Response:
    """303 See Other: after a form POST the browser GETs the page (PRG)."""
    return Response(status_code=303, headers={"Location": location}, body="", cookies=list(cookies))


def page_url(path: str, **query: Any) -> str:
    """``/console/<path>`` with the query parameters that have a value."""
    kept = {name: value for name, value in query.items() if value not in (None, "")}
    return f"{BASE}/{path.lstrip('/')}" + (f"?{urlencode(kept)}" if kept else "")


def local_back(target: str, default: str) -> str:
    """A 'back to' address from a form, kept only if it is a console page (never another site)."""
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not parts.path.startswith(f"{BASE}/") or "\\" in target:
        return default
    return target


def json_response(payload: Mapping[str, Any]) -> Response:
    return Response(status_code=200, content_type="application/json", body=json.dumps(payload))


def security_headers(frame_ancestors: Sequence[str] | None, form_targets: Sequence[str]) -> dict[str, str]:
    """Every answer's headers. ``frame_ancestors``: the host origins allowed to embed this page
    (none: it cannot be embedded); None: any (pages with neither data nor actions)."""
    ancestors = "*" if frame_ancestors is None else " ".join(frame_ancestors) or "'none'"
    form_action = " ".join(["'self'", *form_targets])
    policy = (
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
        f"form-action {form_action}; frame-ancestors {ancestors}; base-uri 'none'"
    )
    return {
        "Content-Security-Policy": policy,
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "no-referrer",
        "Cache-Control": "no-store",
        "Cross-Origin-Resource-Policy": "same-origin",
    }


# --- static files ---------------------------------------------------------------------------------

STATIC_TYPES = {".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8"}


@cache
def static_file(name: str) -> tuple[str, str] | None:
    """(content type, text) of a file in ``console/static``; None for anything else."""
    path = (STATIC / name).resolve()
    if path.parent != STATIC or path.suffix not in STATIC_TYPES or not path.is_file():
        return None
    return STATIC_TYPES[path.suffix], path.read_text(encoding="utf-8")


@cache
def static_version(name: str) -> str:
    """A short hash of a static file, appended to its URL so that a new version is fetched."""
    found = static_file(name)
    return hashlib.sha256(found[1].encode()).hexdigest()[:12] if found else "0"
