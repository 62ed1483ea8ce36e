"""An HTTP server that plays API Gateway (HTTP API, payload format 2.0) for the local stack.

Each request is matched against the routes of the template's ``HttpApi`` events, turned into
the event API Gateway would send (``build_event``), handed to the function, and the function's
result is turned back into an HTTP response (``build_response``), following the rules of
https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-develop-integrations-lambda.html:

- header names lower-cased, repeated headers joined with commas; ``Cookie`` headers become the
  ``cookies`` list; repeated query parameters joined with commas;
- ``rawPath`` and ``pathParameters`` are URL-decoded, ``rawQueryString`` is not;
- the body is passed as text only for ``text/*``, ``application/json``, ``application/xml`` and
  ``application/javascript``; anything else (also no Content-Type) is base64 with
  ``isBase64Encoded: true`` (that is what real HTTP APIs do, form posts included);
- a result with ``statusCode`` is used as given (``cookies`` become ``Set-Cookie`` headers,
  ``isBase64Encoded`` bodies are decoded); any other result means 200 with the result as a JSON
  body (a string as it is);
- route selection: the most specific route wins (literal segments over ``{param}`` over
  ``{proxy+}``, a named method over ``ANY``), then ``$default``; nothing matches: 404.
"""

from __future__ import annotations

import base64
import json
import logging
import re
import socket
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qsl

from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server
from werkzeug.wrappers import Request, Response

log = logging.getLogger("local.stack.http")

_TEXT_TYPES = ("application/json", "application/xml", "application/javascript")


class FunctionTimedOut(Exception):
    """The handler ran longer than the function's Timeout (Lambda would have stopped it)."""


@dataclass(frozen=True)
class Route:
    """One route of the HTTP API: ``GET /oauth/callback``, ``ANY /v1/{proxy+}`` or ``$default``."""

    method: str  # upper case, or ANY
    path: str  # "/v1/{proxy+}"; "" for $default
    function: str  # logical id

    @property
    def route_key(self) -> str:
        return "$default" if self.is_default else f"{self.method} {self.path}"

    @property
    def is_default(self) -> bool:
        return self.path == ""

    @property
    def segments(self) -> list[str]:
        return self.path.strip("/").split("/") if self.path.strip("/") else []

    def match(self, method: str, path: str) -> dict[str, str] | None:
        """The path parameters if this route takes ``method path``, else None."""
        if self.method not in ("ANY", method.upper()):
            return None
        if self.is_default:
            return {}
        request_segments = path.strip("/").split("/") if path.strip("/") else []
        parameters: dict[str, str] = {}
        for index, segment in enumerate(self.segments):
            if segment.startswith("{") and segment.endswith("+}"):
                rest = request_segments[index:]
                if not rest or not "/".join(rest):
                    return None
                parameters[segment[1:-2]] = "/".join(rest)
                return parameters
            if index >= len(request_segments):
                return None
            if segment.startswith("{") and segment.endswith("}"):
                if not request_segments[index]:
                    return None
                parameters[segment[1:-1]] = request_segments[index]
            elif segment != request_segments[index]:
                return None
        return parameters if len(request_segments) == len(self.segments) else None

    def specificity(self) -> tuple[int, int, int, int]:
        """Bigger is more specific. $default is the least specific of all."""
        if self.is_default:
            return (-1, 0, 0, 0)
        greedy = any(segment.endswith("+}") for segment in self.segments)
        literals = sum(1 for segment in self.segments if not segment.startswith("{"))
        return (0 if greedy else 1, literals, len(self.segments), 0 if self.method == "ANY" else 1)


class RouteTable:
    def __init__(self, routes: Iterable[Route]):
        self.routes = sorted(routes, key=lambda route: route.specificity(), reverse=True)
        seen: dict[str, str] = {}
        for route in self.routes:
            if route.route_key in seen and seen[route.route_key] != route.function:
                raise ValueError(f"route {route.route_key} is claimed by {seen[route.route_key]} and {route.function}")
            seen[route.route_key] = route.function

    def match(self, method: str, path: str) -> tuple[Route, dict[str, str]] | None:
        for route in self.routes:
            parameters = route.match(method, path)
            if parameters is not None:
                return route, parameters
        return None


# --- request -> event -------------------------------------------------------------------------


def _is_text(content_type: str | None) -> bool:
    if not content_type:
        return False
    media_type = content_type.split(";", 1)[0].strip().lower()
    return media_type.startswith("text/") or media_type in _TEXT_TYPES


_COOKIE_SEPARATOR = re.compile(r";\s*|,\s*(?=[^=;,\s]+=)")


def build_event(
    request: Request,
    route: Route,
    path_parameters: Mapping[str, str],
    *,
    account_id: str,
    api_id: str = "local",
    now: datetime | None = None,
) -> dict[str, Any]:
    """The API Gateway HTTP API (payload 2.0) event for ``request`` on ``route``."""
    now = now or datetime.now(UTC)
    headers: dict[str, str] = {}
    cookies: list[str] = []
    for name, value in request.headers.items():
        name = name.lower()
        if name == "cookie":
            cookies.extend(part for part in _COOKIE_SEPARATOR.split(value) if part)
            continue
        headers[name] = f"{headers[name]},{value}" if name in headers else value
    host = headers.get("host", request.host)
    remote_ip = request.remote_addr or "127.0.0.1"
    headers.setdefault("x-forwarded-for", remote_ip)
    headers.setdefault("x-forwarded-proto", request.scheme)
    headers.setdefault("x-forwarded-port", str(request.environ.get("SERVER_PORT", "")))
    headers.setdefault("x-amzn-trace-id", f"Root=1-{int(now.timestamp()):08x}-{uuid.uuid4().hex[:24]}")

    raw_query = request.environ.get("QUERY_STRING", "")
    query: dict[str, str] = {}
    for name, value in parse_qsl(raw_query, keep_blank_values=True):
        query[name] = f"{query[name]},{value}" if name in query else value

    route_key = route.route_key
    event: dict[str, Any] = {
        "version": "2.0",
        "routeKey": route_key,
        "rawPath": request.path,
        "rawQueryString": raw_query,
    }
    if cookies:
        event["cookies"] = cookies
    event["headers"] = headers
    if query:
        event["queryStringParameters"] = query
    event["requestContext"] = {
        "accountId": account_id,
        "apiId": api_id,
        "domainName": host,
        "domainPrefix": host.split(".", 1)[0],
        "http": {
            "method": request.method,
            "path": request.path,
            "protocol": request.environ.get("SERVER_PROTOCOL", "HTTP/1.1"),
            "sourceIp": remote_ip,
            "userAgent": request.headers.get("User-Agent", ""),
        },
        "requestId": uuid.uuid4().hex[:16] + "=",
        "routeKey": route_key,
        "stage": "$default",
        "time": now.strftime("%d/%b/%Y:%H:%M:%S +0000"),
        "timeEpoch": int(now.timestamp() * 1000),
    }
    body = request.get_data(cache=False)
    if body:
        text = None
        if _is_text(request.content_type):
            try:
                text = body.decode("utf-8")
            except UnicodeDecodeError:
                text = None
        event["body"] = text if text is not None else base64.b64encode(body).decode("ascii")
        event["isBase64Encoded"] = text is None
    else:
        event["isBase64Encoded"] = False
    if path_parameters:
        event["pathParameters"] = dict(path_parameters)
    return event


# --- result -> response -----------------------------------------------------------------------


class _Response(Response):
    default_mimetype = None  # no Content-Type unless the function gave one


def build_response(result: Any) -> Response:
    """The HTTP response API Gateway makes of a function's result (payload format 2.0)."""
    if isinstance(result, dict) and "statusCode" in result:
        status = int(result["statusCode"])
        body = result.get("body")
        if body is None:
            payload = b""
        elif result.get("isBase64Encoded"):
            payload = base64.b64decode(str(body))
        else:
            payload = (body if isinstance(body, str) else json.dumps(body)).encode("utf-8")
        headers: list[tuple[str, str]] = []
        for name, value in (result.get("headers") or {}).items():
            headers.append((str(name), value if isinstance(value, str) else json.dumps(value)))
        for cookie in result.get("cookies") or []:
            headers.append(("Set-Cookie", str(cookie)))
        return _Response(payload, status=status, headers=headers)
    # No statusCode: API Gateway assumes 200, JSON, and the result itself as the body.
    body = result if isinstance(result, str) else json.dumps(result)
    return _Response(body, status=200, headers=[("Content-Type", "application/json")])


def _error(status: int, message: str) -> Response:
    return _Response(json.dumps({"message": message}), status=status, headers=[("Content-Type", "application/json")])


# --- the server -------------------------------------------------------------------------------

Invoke = Callable[[str, dict[str, Any]], Any]


class HttpGateway:
    """A WSGI application: request -> route -> event -> function -> response."""

    def __init__(self, routes: RouteTable, invoke: Invoke, *, account_id: str):
        self.routes = routes
        self._invoke = invoke
        self._account_id = account_id

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        request = Request(environ)
        started = time.monotonic()
        found = self.routes.match(request.method, request.path)
        if found is None:
            response = _error(404, "Not Found")
            function = "-"
        else:
            route, parameters = found
            function = route.function
            event = build_event(request, route, parameters, account_id=self._account_id)
            response = self._call(route.function, event)
        # The path only: query strings carry OAuth codes and states, which stay out of logs.
        log.info(
            "%s %s -> %s %s (%.0f ms)",
            request.method,
            request.path,
            function,
            response.status_code,
            (time.monotonic() - started) * 1000,
        )
        return response(environ, start_response)

    def _call(self, function: str, event: dict[str, Any]) -> Response:
        try:
            result = self._invoke(function, event)
        except FunctionTimedOut:
            return _error(503, "Service Unavailable")
        except Exception:
            log.exception("%s failed; API Gateway answers 500", function)
            return _error(500, "Internal Server Error")
        try:
            return build_response(result)
        except (TypeError, ValueError):
            log.exception("%s returned a result API Gateway cannot use; answering 500", function)
            return _error(500, "Internal Server Error")


class _QuietRequestHandler(WSGIRequestHandler):
    """The gateway logs one line per request itself (with the function and timing)."""

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        pass


class HttpServer:
    """A threaded Werkzeug server running ``app`` in a background thread, on ``listener`` (a
    socket already bound and listening) when given, else on ``host:port``."""

    def __init__(self, app: Callable[..., Any], host: str, port: int, listener: socket.socket | None = None):
        fd = listener.fileno() if listener is not None else None  # Werkzeug serves a duplicate of it
        self._server: BaseWSGIServer = make_server(
            host, port, app, threaded=True, request_handler=_QuietRequestHandler, fd=fd
        )
        self.host = host
        self.port = self._server.port  # Werkzeug records the bound port (server_port is not set on a given socket)
        # A short poll interval lets stop() return at once instead of after half a second.
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, name="local-http-api", daemon=True
        )

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)
