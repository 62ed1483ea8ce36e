"""Console links through the host API and the console function on the template's tables in moto
(F8): the route is scoped to the key's org like every /v1/orgs route, the link opens once (the
ConsoleSessions table's conditional delete, also under concurrent opens), the session cookie
authenticates only its own org, and nothing secret reaches the browser."""

from __future__ import annotations

import base64
import copy
import json
import threading
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlsplit

from api_it_helpers import lambda_context

from functions.console.app import lambda_handler as console_handler
from xero_sync.domain.console import secret_hash

SAMPLE = Path(__file__).resolve().parents[3] / "events" / "console" / "settings_page.json"


def _console_event(method: str, path: str, *, query: str = "", cookie: str | None = None, form: dict | None = None):
    event = copy.deepcopy(json.loads(SAMPLE.read_text()))
    event["rawPath"] = event["requestContext"]["http"]["path"] = path
    event["requestContext"]["http"]["method"] = method
    event["rawQueryString"] = query
    event["queryStringParameters"] = {k: v[0] for k, v in parse_qs(query).items()} if query else None
    event["cookies"] = [cookie] if cookie else []
    event["pathParameters"] = {"proxy": path.removeprefix("/console/")}
    if form is not None:
        event["body"] = base64.b64encode(urlencode(form).encode()).decode()
        event["isBase64Encoded"] = True
    return event


def _open(url: str) -> dict:
    query = urlsplit(url).query
    return console_handler(_console_event("GET", "/console/start", query=query), lambda_context("console"))


def test_a_console_link_opens_once_and_its_cookie_reaches_only_its_org(api, services, org, other_org):
    # Given a link the host asked for with its key
    answer = api.call("POST", f"/v1/orgs/{org.org_id}/console-sessions", key=org.key, body={"page": "history"})
    assert answer.status == 201, answer.body
    url = answer.body["url"]
    assert url.startswith("https://") and "/console/start?token=" in url
    assert org.key not in json.dumps(answer.body)  # no API key in anything meant for the browser

    # When the browser opens it, a session starts on the page asked for, with a cookie for /console
    opened = _open(url)
    assert opened["statusCode"] == 303 and opened["headers"]["Location"] == "/console/history"
    cookie = opened["cookies"][0].split(";", 1)[0]
    assert org.key not in json.dumps(opened)
    # and the table holds the hash of the session id, never the id
    session_id = cookie.split("=", 1)[1]
    stored = services.console_session_store.get_session(secret_hash(session_id))
    assert stored is not None and stored.org_id == org.org_id

    # Then a second open of the link is refused
    assert _open(url)["statusCode"] == 410

    # And the cookie shows that org's history, never another's
    page = console_handler(_console_event("GET", "/console/history", cookie=cookie), lambda_context("console"))
    assert page["statusCode"] == 200 and "History" in page["body"]
    assert other_org.org_id not in page["body"]


def test_a_link_opened_twice_at_the_same_time_starts_one_session(api, services, org):
    url = api.call("POST", f"/v1/orgs/{org.org_id}/console-sessions", key=org.key).body["url"]
    token = parse_qs(urlsplit(url).query)["token"][0]
    results: list[object] = []
    start = threading.Barrier(4)

    def open_it() -> None:
        start.wait()
        results.append(services.console_sessions.open(token, embedded=False))

    threads = [threading.Thread(target=open_it) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(result is not None for result in results) == 1


def test_a_bad_console_request_is_a_400_naming_the_field(api, services, org):
    bad_page = api.call("POST", f"/v1/orgs/{org.org_id}/console-sessions", key=org.key, body={"page": "../admin"})
    assert bad_page.status == 400 and bad_page.error_fields == ["page"]
    bad_language = api.call("POST", f"/v1/orgs/{org.org_id}/console-sessions", key=org.key, body={"language": "es"})
    assert bad_language.status == 400 and bad_language.error_fields == ["language"]
    bad_url = api.call(
        "POST", f"/v1/orgs/{org.org_id}/console-sessions", key=org.key, body={"return_url": "javascript:alert(1)"}
    )
    assert bad_url.status == 400 and bad_url.error_fields == ["return_url"]


def test_a_console_form_needs_the_sessions_csrf_token(api, services, org):
    url = api.call("POST", f"/v1/orgs/{org.org_id}/console-sessions", key=org.key).body["url"]
    cookie = _open(url)["cookies"][0].split(";", 1)[0]
    # A form posted from elsewhere (no token, or another site's Origin) changes nothing
    refused = console_handler(
        _console_event("POST", "/console/history/retry-all", cookie=cookie, form={"back": "/console/history"}),
        lambda_context("console"),
    )
    assert refused["statusCode"] == 403
    session = services.console_session_store.get_session(secret_hash(cookie.split("=", 1)[1]))
    assert session is not None
    event = _console_event(
        "POST", "/console/history/retry-all", cookie=cookie, form={"csrf_token": session.csrf_token, "back": "/x"}
    )
    event["headers"]["origin"] = "https://evil.example"
    assert console_handler(event, lambda_context("console"))["statusCode"] == 403
    # With the token from the console's own page, the action runs (here: refused by the service,
    # because the org is not connected — shown as a page, not a stack trace)
    event["headers"]["origin"] = f"https://{event['headers']['host']}"
    answer = console_handler(event, lambda_context("console"))
    assert answer["statusCode"] == 409 and "not connected" in answer["body"].lower()
    assert "Traceback" not in answer["body"]


def test_a_body_that_is_not_an_object_is_400_on_the_routes_whose_body_is_optional(api, services, org):
    # Given a body that is JSON but not an object (the fuzzer sent [null, null])
    for path in (f"/v1/orgs/{org.org_id}/sync", f"/v1/orgs/{org.org_id}/console-sessions"):
        answer = api.call("POST", path, key=org.key, body=[None, None])
        # Then it is refused naming the body, and nothing is created
        assert answer.status == 400, (path, answer.status, answer.body)
        assert answer.body["error"]["code"] == "validation_error"
