"""Issue 9 over the API handler (Lambda events → ``functions/api/app.py``, moto tables): malformed
bodies on every route that takes one, the oversize record and the half-stored batch, ids with ``/``
and NUL, non-ASCII digits, huge versions, strict revisions, 405 with Allow, return_url origins, and
a 500 in the error shape with the request id when something unexpected breaks."""

from __future__ import annotations

import base64
import hashlib
import json
import logging
from collections.abc import Callable, Iterator
from decimal import Decimal

import pytest
from api_it_helpers import Answer, contact, envelope, http_event, invoice, lambda_context
from pynamodb.exceptions import UpdateError

from xero_sync.domain.records import RecordKey
from xero_sync.http.app import build_app
from xero_sync.observability import logger as powertools_logger


def _every_route() -> list:
    app = build_app()
    app.routers.include_all()  # a request includes its own resource's routes; here all of them
    return app._static_routes + app._dynamic_routes


BODY_ROUTES = sorted(
    (route.method, route.path)
    for route in _every_route()
    if route.method in ("POST", "PUT", "PATCH") and "<org_id>" in route.path
)
VALUES = {"entity": "invoice", "record_id": "inv-1"}


def fill(path: str, org_id: str) -> str:
    path = path.replace("<org_id>", org_id)
    for name, value in VALUES.items():
        path = path.replace(f"<{name}>", value)
    return path


def raw_call(method: str, path: str, key: str, body: bytes | str, content_type: str | None) -> Answer:
    """A request whose body is exactly ``body`` (bytes arrive base64-encoded, as API Gateway sends
    anything that is not text), with the given Content-Type."""
    from functions.api.app import lambda_handler

    event = http_event(method, path, api_key=key, raw_body="{}")
    event["headers"].pop("content-type", None)
    if content_type is not None:
        event["headers"]["content-type"] = content_type
    if isinstance(body, bytes):
        event["body"], event["isBase64Encoded"] = base64.b64encode(body).decode(), True
    else:
        event["body"], event["isBase64Encoded"] = body, False
    result = lambda_handler(event, lambda_context("ApiFunction"))
    text = result.get("body") or ""
    return Answer(int(result["statusCode"]), json.loads(text) if text else None, result.get("headers") or {})


def assert_error(answer: Answer, status: int, code: str, field: str | None = None) -> None:
    assert answer.status == status, answer.body
    assert answer.headers["Content-Type"] == "application/json"
    assert answer.body["error"]["code"] == code, answer.body
    if field is not None:
        assert field in answer.error_fields


# --- malformed bodies, on every route that takes one ------------------------------------------------

MALFORMED = {
    "not utf-8": (b'{"records": "\xff\xfe\xfd"}', "application/json", 400, "invalid_encoding", "body"),
    "multipart without boundary": (b'{"a": 1}', "multipart/form-data", 415, "unsupported_media_type", None),
    "form": ("a=1", "application/x-www-form-urlencoded", 415, "unsupported_media_type", "header.content-type"),
    "10,000 levels deep": (
        '{"x": ' + "[" * 10_000 + "]" * 10_000 + "}",
        "application/json",
        400,
        "too_deeply_nested",
        "body",
    ),
    "not json": ("{'records': []}", "application/json", 400, "invalid_json", "body"),
    "NaN": ('{"revision": NaN}', "application/json", 400, "invalid_json", "body"),
}


@pytest.mark.parametrize(("method", "path"), BODY_ROUTES, ids=[f"{m} {p}" for m, p in BODY_ROUTES])
@pytest.mark.parametrize("case", sorted(MALFORMED))
def test_a_malformed_body_is_a_4xx_in_the_error_shape_on_every_body_route(api, services, org, method, path, case):
    body, content_type, status, code, field = MALFORMED[case]
    # When the body reaches a route that takes one
    answer = raw_call(method, fill(path, org.org_id), org.key, body, content_type)
    # Then it is refused with the API's error shape, naming what is wrong — never a 500
    assert_error(answer, status, code, field)


def test_a_body_over_the_size_limit_is_413(api, services, org):
    body = json.dumps({"records": [contact("c-1")], "padding": "x" * (4 * 1024 * 1024)})
    assert_error(
        raw_call("POST", f"/v1/orgs/{org.org_id}/records", org.key, body, "application/json"), 413, "payload_too_large"
    )


def test_a_body_without_content_type_is_read_as_json(api, services, org):
    answer = raw_call(
        "POST", f"/v1/orgs/{org.org_id}/records", org.key, json.dumps({"records": [contact("c-1")]}), None
    )
    assert answer.status == 202 and answer.body["accepted"] == 1


# --- record size and the half-stored batch --------------------------------------------------------------


def noise(size: int) -> str:
    raw = b"".join(hashlib.sha512(str(n).encode()).digest() for n in range(size // 64 + 1))
    return base64.b85encode(raw).decode()[:size]


def test_the_issues_oversize_batch_answers_each_record_and_stores_the_good_ones(api, services, org):
    # Given [good contact, contact with a 500,000-character custom field, good contact] — the
    # issue's 500 — and a contact whose custom field cannot be compressed under the limit
    big = envelope("contact", "c-big", 1, {"display_name": "Big", "custom_fields": {"notes": "a" * 500_000}})
    blob = envelope("contact", "c-blob", 1, {"display_name": "Blob", "custom_fields": {"scan": noise(400 * 1024)}})
    answer = api.call(
        "POST",
        f"/v1/orgs/{org.org_id}/records",
        key=org.key,
        body={"records": [contact("c-1"), big, blob, contact("c-3")]},
    )
    # Then each record has its result: the long repetitive field is stored (compressed); the
    # incompressible one is rejected as too large, naming it; nothing of it is stored
    assert answer.status == 202
    assert [r["status"] for r in answer.body["results"]] == ["accepted", "accepted", "rejected", "accepted"]
    assert answer.body["results"][2]["error"]["code"] == "record_too_large"
    assert answer.body["results"][2]["error"]["details"][0]["field"] == "records[2]"
    stored = services.records.get_many(
        [RecordKey(org.org_id, "contact", record_id) for record_id in ("c-1", "c-big", "c-blob", "c-3")]
    )
    assert {key.record_id for key in stored} == {"c-1", "c-big", "c-3"}
    assert stored[RecordKey(org.org_id, "contact", "c-big")].data["custom_fields"]["notes"] == "a" * 500_000


def test_a_1000_line_invoice_with_long_descriptions_is_stored_and_read_back(api, services, org):
    lines = [
        {
            "item_name": f"Part {n:04d}",
            "description": f"Line {n}: hand-finished oak panel, batch {n * 7919 % 10007}; delivered, fitted, sealed. "
            * 4,
            "quantity": n % 9 + 1,
            "rate": f"{(n * 37) % 9000 / 100:.2f}",
        }
        for n in range(1000)
    ]
    answer = api.call(
        "POST",
        f"/v1/orgs/{org.org_id}/records",
        key=org.key,
        body={"records": [contact("c-1"), invoice("inv-big", "c-1", lines=lines)]},
    )
    assert answer.status == 202 and answer.body["accepted"] == 2, answer.body
    item = services.records.get(RecordKey(org.org_id, "invoice", "inv-big"))
    assert item.data["lines"][999]["description"] == lines[999]["description"].strip()  # texts are stripped
    assert item.data["lines"][999]["rate"] == lines[999]["rate"]


def test_a_store_failing_mid_request_leaves_every_record_answered(api, services, org, monkeypatch):
    # Given the records table failing from the third write on (a fault injected into the store)
    repository = services.records
    real_store = repository.store_version
    writes = []

    def failing_store(key, **options):
        writes.append(key)
        if len(writes) > 2:
            raise UpdateError("ProvisionedThroughputExceededException (injected)")
        return real_store(key, **options)

    monkeypatch.setattr(repository, "store_version", failing_store)
    records = [contact(f"c-{n}") for n in range(1, 5)]
    # When four records are pushed
    answer = api.call("POST", f"/v1/orgs/{org.org_id}/records", key=org.key, body={"records": records})
    # Then it is a 202 where the first two are accepted and the last two not_stored, retryable
    assert answer.status == 202
    assert [r["status"] for r in answer.body["results"]] == ["accepted", "accepted", "not_stored", "not_stored"]
    assert answer.body["not_stored"] == 2
    assert {r["error"]["code"] for r in answer.body["results"][2:]} == {"store_unavailable"}
    # And once the table is back, sending the same request again completes it
    monkeypatch.setattr(repository, "store_version", real_store)
    again = api.call("POST", f"/v1/orgs/{org.org_id}/records", key=org.key, body={"records": records})
    assert [r["status"] for r in again.body["results"]] == ["stale", "stale", "accepted", "accepted"]
    assert len(services.records.get_many([RecordKey(org.org_id, "contact", f"c-{n}") for n in range(1, 5)])) == 4


def test_a_record_stored_before_compression_is_still_read(api, services, org):
    # Given an item written by the previous version: data as plain JSON in the `data` attribute
    api.call("POST", f"/v1/orgs/{org.org_id}/records", key=org.key, body={"records": [contact("c-old")]})
    from xero_sync.aws.clients import aws_client

    table = services.settings.records_table
    dynamodb = aws_client("dynamodb", services.settings)
    dynamodb.update_item(
        TableName=table,
        Key={"org_id": {"S": org.org_id}, "record_key": {"S": "contact#c-old"}},
        UpdateExpression="SET #d = :json REMOVE data_z",
        ExpressionAttributeNames={"#d": "data"},
        ExpressionAttributeValues={":json": {"S": json.dumps({"display_name": "Old Ltd"})}},
    )
    # Then the repository reads it as before
    assert services.records.get(RecordKey(org.org_id, "contact", "c-old")).data == {"display_name": "Old Ltd"}


# --- ids, amounts, versions, revisions ------------------------------------------------------------------


@pytest.mark.parametrize("record_id", ["a/b", "a\x00b", "a b", "x" * 256])
def test_record_ids_with_a_slash_nul_or_too_long_are_rejected_at_push(api, services, org, record_id):
    answer = api.call("POST", f"/v1/orgs/{org.org_id}/records", key=org.key, body={"records": [contact(record_id)]})
    assert answer.status == 202 and answer.body["results"][0]["status"] == "rejected"
    assert answer.body["results"][0]["error"]["details"][0]["field"] == "records[0].id"


@pytest.mark.parametrize(("record_id", "status"), [("x" * 256, 400), ("é", 400), ("a\x00b", 404), ("a/b", 404)])
def test_record_paths_with_ids_outside_the_pattern_are_refused(api, services, org, record_id, status):
    # API Gateway decodes %2F and %00 in the path: "a/b" is two segments (no such route), NUL
    # never matches a route either; the others reach the route and fail its pattern
    answer = api.call("GET", f"/v1/orgs/{org.org_id}/records/contact/{record_id}", key=org.key)
    assert answer.status == status
    if status == 400:
        assert answer.error_fields == ["path.record_id"]


@pytest.mark.parametrize("amount", ["１２３", "١٢٣", " 5 "])
def test_amounts_in_other_digits_or_with_spaces_are_rejected(api, services, org, amount):
    payment = envelope(
        "invoice_payment",
        "p-1",
        1,
        {"invoice_id": "inv-1", "date": "2026-11-20", "amount": amount, "account_code": "090"},
    )
    answer = api.call(
        "POST",
        f"/v1/orgs/{org.org_id}/records",
        key=org.key,
        body={"records": [contact("c-1"), invoice("inv-1", "c-1"), payment]},
    )
    (result,) = [r for r in answer.body["results"] if r["id"] == "p-1"]
    assert result["status"] == "rejected"
    assert [d["field"] for d in result["error"]["details"]] == ["records[2].data.amount"]
    assert "digits 0-9" in result["error"]["details"][0]["message"]


@pytest.mark.parametrize("version", [10**200, 2**53])
def test_huge_versions_are_rejected_and_not_echoed(api, services, org, version):
    record = {**contact("c-1"), "version": version}
    answer = api.call("POST", f"/v1/orgs/{org.org_id}/records", key=org.key, body={"records": [record]})
    (result,) = answer.body["results"]
    assert result["status"] == "rejected" and result["version"] is None
    assert result["error"]["details"][0]["field"] == "records[0].version"


def test_the_largest_version_round_trips_exactly(api, services, org):
    record = {**contact("c-1"), "version": 2**53 - 1}
    answer = api.call("POST", f"/v1/orgs/{org.org_id}/records", key=org.key, body={"records": [record]})
    assert answer.body["results"][0]["status"] == "accepted"
    state = api.call("GET", f"/v1/orgs/{org.org_id}/records/contact/c-1", key=org.key)
    assert state.body["version"] == 2**53 - 1


@pytest.mark.parametrize("revision", [False, "0", 1.5])
def test_a_revision_that_is_not_an_integer_is_400(api, services, org, revision):
    answer = api.call(
        "PUT", f"/v1/orgs/{org.org_id}/tax-mappings", key=org.key, body={"mappings": [], "revision": revision}
    )
    assert_error(answer, 400, "validation_error", "revision")


# --- methods -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("method", "allow"), [("TRACE", "POST"), ("PATCH", "POST"), ("GET", "POST"), ("HEAD", "POST")])
def test_an_unknown_or_unrouted_method_is_405_with_allow(api, services, org, method, allow):
    answer = api.call(method, f"/v1/orgs/{org.org_id}/records", key=org.key)
    assert_error(answer, 405, "method_not_allowed")
    assert answer.headers["Allow"] == allow


def test_trace_on_a_path_with_two_methods_lists_both(api, services, org):
    answer = api.call("TRACE", f"/v1/orgs/{org.org_id}/connection", key=org.key)
    assert answer.status == 405 and answer.headers["Allow"] == "DELETE, GET"


# --- return_url ---------------------------------------------------------------------------------------------


def test_a_return_url_off_the_allowed_origins_is_400_naming_it(api, services, org):
    answer = api.call(
        "POST", f"/v1/orgs/{org.org_id}/connect", key=org.key, body={"return_url": "https://evil.example/x"}
    )
    assert_error(answer, 400, "validation_error", "return_url")
    assert "https://evil.example is not one" in answer.body["error"]["message"]


def test_the_deployment_origin_is_allowed(api, services, org):
    answer = api.call(
        "POST", f"/v1/orgs/{org.org_id}/connect", key=org.key, body={"return_url": "https://app.example.com/xero?tab=1"}
    )
    assert answer.status == 200 and answer.body["authorize_url"]


def test_an_org_may_allow_its_own_origin_in_its_settings(api, services, org):
    # Given an org whose host pages live on its own domain
    url = "https://acme.example:8443/integrations/xero"
    assert api.call("POST", f"/v1/orgs/{org.org_id}/connect", key=org.key, body={"return_url": url}).status == 400
    saved = api.call(
        "PUT",
        f"/v1/orgs/{org.org_id}/settings",
        key=org.key,
        body={"settings": {"allowed_host_origins": ["https://ACME.example:8443/"]}},
    )
    assert saved.status == 200 and saved.body["settings"]["allowed_host_origins"] == ["https://acme.example:8443"]
    # Then a connect may return there — and only this org's connects
    assert api.call("POST", f"/v1/orgs/{org.org_id}/connect", key=org.key, body={"return_url": url}).status == 200


def test_an_allowed_origin_that_is_not_an_origin_is_400_naming_it(api, services, org):
    answer = api.call(
        "PUT",
        f"/v1/orgs/{org.org_id}/settings",
        key=org.key,
        body={"settings": {"allowed_host_origins": ["https://acme.example/path"]}},
    )
    assert_error(answer, 400, "validation_error", "settings.allowed_host_origins[0]")


# --- the catch-all -------------------------------------------------------------------------------------------


@pytest.fixture
def service_logs() -> Iterator[Callable[[], list[dict]]]:
    lines: list[str] = []

    class Capture(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            lines.append(self.format(record))

    handler = Capture()
    handler.setFormatter(powertools_logger.registered_formatter)
    powertools_logger.addHandler(handler)
    try:
        yield lambda: [json.loads(line) for line in lines]
    finally:
        powertools_logger.removeHandler(handler)


def test_an_unexpected_exception_is_a_500_in_the_error_shape_logged_with_the_request_id(
    api, services, org, monkeypatch, service_logs
):
    # Given a future bug deep in a service
    def broken(*args, **kwargs):
        raise ZeroDivisionError("a future bug")

    monkeypatch.setattr(services.records_service, "state", broken)
    from functions.api.app import lambda_handler

    event = http_event("GET", f"/v1/orgs/{org.org_id}/records/invoice/inv-1", api_key=org.key)
    # When the host calls the route
    result = lambda_handler(event, lambda_context("ApiFunction"))
    # Then it is a 500 in the API's error shape with the request id, not {"message": ...}
    request_id = event["requestContext"]["requestId"]
    assert result["statusCode"] == 500
    error = json.loads(result["body"])["error"]
    assert (error["code"], error["request_id"]) == ("internal_error", request_id)
    assert "a future bug" not in result["body"]
    # And the exception is logged with the same id (the correlation id of the invocation)
    (logged,) = [line for line in service_logs() if line.get("request_id") == request_id]
    assert logged["level"] == "ERROR" and "ZeroDivisionError" in logged["exception"]
    assert logged["correlation_id"] == request_id


def test_the_oauth_callback_answers_an_unexpected_exception_with_a_page_naming_the_request(
    services, monkeypatch, service_logs
):
    from functions.oauth_callback.app import lambda_handler as callback

    def broken(**kwargs):
        raise KeyError("a future bug")

    monkeypatch.setattr(services.connect, "complete", broken)
    event = http_event("GET", "/oauth/callback", query={"state": "s", "code": "c"})
    answer = callback(event, lambda_context("OAuthCallbackFunction"))
    assert answer["statusCode"] == 500 and answer["headers"]["Content-Type"].startswith("text/html")
    assert event["requestContext"]["requestId"] in answer["body"] and "a future bug" not in answer["body"]
    assert any(line.get("request_id") == event["requestContext"]["requestId"] for line in service_logs())


def test_decimal_amounts_still_never_pass_through_float(api, services, org):
    # The body guard parses with the same parser as the resolver: 0.1 + 0.2 stays exact
    body = {"records": [contact("c-1"), invoice("inv-1", "c-1", lines=[{"quantity": 3, "rate": Decimal("0.1")}])]}
    answer = api.call("POST", f"/v1/orgs/{org.org_id}/records", key=org.key, body=body)
    assert answer.body["accepted"] == 2
    item = services.records.get(RecordKey(org.org_id, "invoice", "inv-1"))
    assert item.data["lines"][0]["rate"] == "0.1"
