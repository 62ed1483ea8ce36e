"""HTTP request -> API Gateway HTTP API (v2) event -> handler -> HTTP response."""

from __future__ import annotations

import base64
import http.client
import json
from urllib.parse import urlsplit

import pytest
import requests
from werkzeug.test import EnvironBuilder
from werkzeug.wrappers import Request

from local.stack.http_gateway import Route, RouteTable, build_event, build_response


def raw_request(url: str, method: str, path: str, headers: list[tuple[str, str]], body: bytes | None = None):
    """http.client, because it can send one header twice (requests folds them)."""
    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    connection.putrequest(method, path)
    for name, value in headers:
        connection.putheader(name, value)
    if body is not None:
        connection.putheader("Content-Length", str(len(body)))
    connection.endheaders(body)
    response = connection.getresponse()
    return response, response.read()


def test_get_with_path_query_headers_and_cookies_becomes_a_v2_event(runner, recorder):
    # Given a GET with a path parameter, repeated query parameters, a repeated header and cookies
    response, body = raw_request(
        runner.url,
        "GET",
        "/items/abc%20d?x=1&x=2&y=a%20b&empty=",
        [("X-Multi", "one"), ("X-Multi", "two"), ("Cookie", "a=1; b=2"), ("User-Agent", "pytest-agent")],
    )

    # Then the handler's status, headers and cookies come back
    assert response.status == 201
    assert response.getheader("X-Echo") == "yes"
    assert sorted(response.headers.get_all("Set-Cookie")) == ["session=abc; Path=/", "theme=dark"]

    # And the event has the v2 shape
    event = json.loads(body)["event"]
    assert event["version"] == "2.0"
    assert event["routeKey"] == "GET /items/{item_id}"
    assert event["rawPath"] == "/items/abc d"  # HTTP APIs URL-decode the path …
    assert event["rawQueryString"] == "x=1&x=2&y=a%20b&empty="  # … but not the query string
    assert event["queryStringParameters"] == {"x": "1,2", "y": "a b", "empty": ""}
    assert event["pathParameters"] == {"item_id": "abc d"}
    assert event["cookies"] == ["a=1", "b=2"]
    assert event["headers"]["x-multi"] == "one,two"
    assert "cookie" not in event["headers"]
    assert all(name == name.lower() for name in event["headers"])
    assert event["isBase64Encoded"] is False and "body" not in event

    context = event["requestContext"]
    host = urlsplit(runner.url).netloc
    assert context["domainName"] == host
    assert context["stage"] == "$default"
    assert context["routeKey"] == "GET /items/{item_id}"
    assert context["http"]["method"] == "GET"
    assert context["http"]["path"] == "/items/abc d"
    assert context["http"]["protocol"] == "HTTP/1.1"
    assert context["http"]["sourceIp"] == "127.0.0.1"
    assert context["http"]["userAgent"] == "pytest-agent"
    assert context["requestId"] and isinstance(context["timeEpoch"], int) and context["time"].endswith("+0000")


def test_the_handler_gets_a_lambda_context(runner, recorder):
    answer = requests.get(f"{runner.url}/items/1", timeout=10).json()["context"]

    assert answer["function_name"] == f"{runner.resolver.stack_name}-EchoFunction"
    assert answer["memory_limit_in_mb"] == 256
    assert answer["invoked_function_arn"].endswith(f":function:{runner.resolver.stack_name}-EchoFunction")
    assert 0 < answer["remaining_ms"] <= 5000  # Timeout: 5 in the fixture's Globals
    assert answer["aws_request_id"]


def test_json_body_is_passed_as_text(runner, recorder):
    requests.post(f"{runner.url}/files/a/b/c.json", json={"k": "v"}, timeout=10)

    (event,) = recorder.calls_of("EchoFunction")
    assert event["routeKey"] == "ANY /files/{proxy+}"
    assert event["pathParameters"] == {"proxy": "a/b/c.json"}
    assert event["isBase64Encoded"] is False
    assert json.loads(event["body"]) == {"k": "v"}


@pytest.mark.parametrize(
    "content_type",
    ["application/octet-stream", "application/x-www-form-urlencoded", None],
)
def test_non_text_bodies_arrive_base64_encoded(runner, recorder, content_type):
    headers = [("Content-Type", content_type)] if content_type else []
    raw_request(runner.url, "PUT", "/files/blob", headers, body=b"\x00\xffa=1")

    (event,) = recorder.calls_of("EchoFunction")
    assert event["isBase64Encoded"] is True
    assert base64.b64decode(event["body"]) == b"\x00\xffa=1"


def test_most_specific_route_wins_then_default_then_404(runner, recorder):
    special = requests.get(f"{runner.url}/items/special", timeout=10).json()["event"]
    assert special["routeKey"] == "GET /items/special"
    assert "pathParameters" not in special

    # POST /items/1 matches no route of EchoFunction: the $default route takes it
    fallback = requests.post(f"{runner.url}/items/1", timeout=10)
    assert fallback.status_code == 418 and fallback.text == "fallback /items/1"
    assert recorder.calls_of("FallbackFunction")[0]["routeKey"] == "$default"


def test_no_route_gives_404_when_there_is_no_default():
    table = RouteTable([Route("GET", "/a/{id}", "F"), Route("ANY", "/v1/{proxy+}", "G")])

    assert table.match("GET", "/b/1") is None
    assert table.match("GET", "/v1") is None  # {proxy+} needs at least one segment
    assert table.match("DELETE", "/v1/x/y") == (table.routes[1], {"proxy": "x/y"})
    assert table.match("POST", "/a/1") is None


def test_handler_results_follow_the_v2_response_rules(runner, recorder):
    plain = requests.get(f"{runner.url}/items/1?shape=string", timeout=10)
    assert plain.status_code == 200 and plain.text == "plain text result"
    assert plain.headers["Content-Type"] == "application/json"

    as_dict = requests.get(f"{runner.url}/items/1?shape=dict", timeout=10)
    assert as_dict.status_code == 200 and as_dict.json() == {"echo": "/items/1"}

    binary = requests.get(f"{runner.url}/items/1?shape=binary", timeout=10)
    assert binary.content == b"\x00\x01binary"

    failed = requests.get(f"{runner.url}/items/1?shape=error", timeout=10)
    assert failed.status_code == 500 and failed.json() == {"message": "Internal Server Error"}


def test_build_event_and_response_without_a_server():
    request = Request(
        EnvironBuilder(path="/v1/orgs/o1/connection", method="GET", headers={"Host": "api.example"}).get_environ()
    )
    route = Route("ANY", "/v1/{proxy+}", "ApiFunction")

    event = build_event(request, route, {"proxy": "orgs/o1/connection"}, account_id="123456789012")

    assert event["routeKey"] == "ANY /v1/{proxy+}"
    assert event["requestContext"]["domainName"] == "api.example"
    assert event["requestContext"]["domainPrefix"] == "api"
    assert "queryStringParameters" not in event and "cookies" not in event

    response = build_response({"statusCode": 204, "headers": {"X-A": "1"}})
    assert response.status_code == 204 and response.get_data() == b"" and response.headers["X-A"] == "1"
    assert "Content-Type" not in response.headers
